package inventory

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteText writes the report for people: the file, the columns and what each is taken as, the
// result, the records the import creates, every rejection and warning, and the first rows' outcomes
// (at most firstRows; all when firstRows < 0).
func (rep *Report) WriteText(w io.Writer, firstRows int) error {
	b := &strings.Builder{}
	desc := strings.ToUpper(rep.Format)
	switch rep.Format {
	case "csv":
		desc += ", " + rep.Encoding + ", delimiter " + quoteDelim(rep.Delimiter)
	case "xlsx":
		desc += ", sheet " + fmt.Sprintf("%q", rep.Sheet)
	}
	fmt.Fprintf(b, "File:    %s (%s)\n", nameOr(rep.File), desc)
	if rep.HeaderRow > 0 {
		fmt.Fprintf(b, "Header:  row %d\n", rep.HeaderRow)
	}
	fmt.Fprintf(b, "Columns:\n")
	tw := tabwriter.NewWriter(b, 2, 4, 2, ' ', 0)
	for _, c := range rep.Columns {
		target := "(not used)"
		switch {
		case c.Field != "":
			target = "→ " + FieldLabel(c.Field)
			if c.How == "mapping" {
				target += " (mapping)"
			}
		case c.How == "ignored":
			target = "(ignored)"
		}
		if c.Note != "" {
			target += "; " + c.Note
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", c.Letter, c.Header, target)
	}
	tw.Flush()
	fmt.Fprintf(b, "Rows:    %d\n", rep.Rows)
	switch {
	case rep.DryRun:
		fmt.Fprintf(b, "Result:  dry run, nothing was changed: %s\n", rep.Summary())
	case rep.Applied:
		fmt.Fprintf(b, "Result:  imported: %s\n", rep.Summary())
	default:
		fmt.Fprintf(b, "Result:  %s\n", rep.Summary())
	}
	n := rep.New
	news := []struct {
		what  string
		names []string
	}{{"manufacturers", n.Manufacturers}, {"products", n.Products}, {"versions", n.Versions}, {"sites", n.Sites},
		{"locations", n.Locations}, {"departments", n.Departments}}
	header := false
	for _, nw := range news {
		if len(nw.names) == 0 {
			continue
		}
		if !header {
			fmt.Fprintf(b, "New records%s:\n", map[bool]string{true: " (would be created)", false: ""}[rep.DryRun])
			header = true
		}
		fmt.Fprintf(b, "  %s (%d): %s\n", nw.what, len(nw.names), strings.Join(nw.names, "; "))
	}
	if len(rep.Rejections) > 0 {
		fmt.Fprintf(b, "Rejected (%d rows):\n", rep.Rejected)
		for _, p := range rep.Rejections {
			fmt.Fprintf(b, "  %s\n", p)
		}
	}
	if len(rep.Warnings) > 0 {
		fmt.Fprintf(b, "Warnings (%d):\n", len(rep.Warnings))
		for _, p := range rep.Warnings {
			fmt.Fprintf(b, "  %s\n", p)
		}
	}
	if len(rep.Changes) > 0 && firstRows != 0 {
		shown := rep.Changes
		if firstRows > 0 && len(shown) > firstRows {
			shown = shown[:firstRows]
		}
		fmt.Fprintf(b, "Rows (%d of %d):\n", len(shown), len(rep.Changes))
		tw := tabwriter.NewWriter(b, 2, 4, 2, ' ', 0)
		for _, c := range shown {
			key := c.AssetTag
			if key == "" {
				key = "S/N " + c.Serial
			}
			detail := strings.TrimSpace(c.Manufacturer + " " + c.Product + " " + c.Version)
			if len(c.Fields) > 0 {
				detail += " [" + strings.Join(c.Fields, ", ") + "]"
			}
			fmt.Fprintf(tw, "  row %d\t%s\t%s\t%s\n", c.Row, c.Action, key, detail)
		}
		tw.Flush()
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func quoteDelim(d string) string {
	if d == "tab" {
		return "tab"
	}
	return `"` + d + `"`
}
