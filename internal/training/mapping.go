package training

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/tabular"
)

// Field is a column an import understands.
type Field struct {
	Name    string   // e.g. "email"; what --mapping uses
	Label   string   // for people
	Aliases []string // header names in English and German, compared without case, spaces and punctuation
}

// ColumnUse says which column of the file feeds a field.
type ColumnUse struct {
	Field    string `json:"field"`
	Column   string `json:"column"`   // the header as in the file
	Index    int    `json:"index"`    // 0-based
	Explicit bool   `json:"explicit"` // named by the mapping rather than recognised
}

// Columns is a resolved mapping of fields to the columns of a table.
type Columns struct {
	HeaderRow int // row number of the header in the file
	Header    []string
	Uses      []ColumnUse // in field order
	index     map[string]int
}

// Has reports whether a field has a column.
func (c Columns) Has(field string) bool { _, ok := c.index[field]; return ok }

// Get returns the cell of a field in a row ("" when the field has no column).
func (c Columns) Get(r Row, field string) string {
	i, ok := c.index[field]
	if !ok {
		return ""
	}
	return r.Cell(i)
}

// Column returns the header of a field's column (for messages).
func (c Columns) Column(field string) string {
	if i, ok := c.index[field]; ok && i < len(c.Header) {
		if h := strings.TrimSpace(c.Header[i]); h != "" {
			return h
		}
		return columnLetter(i)
	}
	return field
}

// normHeader folds a header for comparison (tabular.Fold): lower case, umlauts spelled out, letters and
// digits only.
func normHeader(s string) string { return tabular.Fold(s) }

// ParseMapping reads an explicit mapping "field=Column,field=Column" (as given to --mapping). Field
// names must be among fields; columns are header names of the file.
func ParseMapping(s string, fields []Field) (map[string]string, error) {
	out := map[string]string{}
	if strings.TrimSpace(s) == "" {
		return out, nil
	}
	known := map[string]bool{}
	var names []string
	for _, f := range fields {
		known[f.Name] = true
		names = append(names, f.Name)
	}
	for part := range strings.SplitSeq(s, ",") {
		k, v, ok := strings.Cut(part, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" || v == "" {
			return nil, domain.Invalid("mapping", "%q is not field=Column (fields: %s)", strings.TrimSpace(part), strings.Join(names, ", "))
		}
		if !known[k] {
			return nil, domain.Invalid("mapping", "unknown field %q (fields: %s)", k, strings.Join(names, ", "))
		}
		out[k] = v
	}
	return out, nil
}

// headerSearchRows is how many rows the header is looked for in (exports often start with a title).
const headerSearchRows = 10

// MapColumns finds the header row (the row among the first ten whose cells name the most fields, or
// the first row holding every explicitly mapped column) and maps fields to columns: explicitly mapped
// fields to their named column, the others by their aliases. Duplicate use of a column is an error.
func MapColumns(t *Table, fields []Field, explicit map[string]string) (Columns, error) {
	names := tabular.NewNames()
	for _, f := range fields {
		names.Add(f.Name, append([]string{f.Name, f.Label}, f.Aliases...)...)
	}
	rows := make([][]string, len(t.Rows))
	for i, r := range t.Rows {
		rows[i] = r.Cells
	}
	// The header names the most known columns; a row holding every explicitly mapped column wins.
	best, _ := tabular.FindHeader(rows, headerSearchRows, func(cells []string) int {
		score, named := 0, 0
		have := map[string]bool{}
		for _, c := range cells {
			have[normHeader(c)] = true
			if _, ok := names.Lookup(c); ok {
				score++
			}
		}
		for _, col := range explicit {
			if have[normHeader(col)] {
				named++
			}
		}
		if len(explicit) > 0 && named == len(explicit) {
			score += 1000
		}
		return score
	})
	if best < 0 {
		var names []string
		for _, f := range fields {
			names = append(names, f.Label)
		}
		return Columns{}, invalidFile(t.File, "no header row found in the first %d rows: expected column names such as %s (or name the columns with a mapping)",
			headerSearchRows, strings.Join(names, ", "))
	}
	hdr := t.Rows[best]
	c := Columns{HeaderRow: hdr.N, Header: hdr.Cells, index: map[string]int{}}
	used := map[int]string{}
	for _, f := range fields {
		idx := -1
		explicitCol, isExplicit := explicit[f.Name]
		for i, h := range hdr.Cells {
			n := normHeader(h)
			if isExplicit {
				if n == normHeader(explicitCol) {
					idx = i
					break
				}
			} else if m, ok := names.Lookup(h); ok && m.Field == f.Name && n != "" {
				idx = i
				break
			}
		}
		if isExplicit && idx < 0 {
			return c, invalidFile(t.File, "the mapping names column %q for %s, but the header (row %d) has no such column", explicitCol, f.Name, hdr.N)
		}
		if idx < 0 {
			continue
		}
		if other, dup := used[idx]; dup {
			return c, invalidFile(t.File, "column %q is mapped to both %s and %s", hdr.Cells[idx], other, f.Name)
		}
		used[idx] = f.Name
		c.index[f.Name] = idx
		c.Uses = append(c.Uses, ColumnUse{Field: f.Name, Column: strings.TrimSpace(hdr.Cells[idx]), Index: idx, Explicit: isExplicit})
	}
	return c, nil
}

// Rejection is a problem with one row (or, with Row 0, the file) that stops an import: the shared
// rejection of table imports (internal/tabular).
type Rejection = tabular.Rejection[string]

// MaxRejections is how many rejections an import reports before it stops listing them.
const MaxRejections = 500

// rejections collects rejections up to MaxRejections, counting the rest.
type rejections struct {
	tabular.Collector[string]
}

func (rs *rejections) add(r Rejection) {
	rs.Max = MaxRejections
	rs.Add(r)
}

func (rs *rejections) result() []Rejection { return rs.Result() }

// excelEpoch is day 0 of Excel's date serial numbers (1900 system, with its leap-year quirk).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// ParseDate reads a date as HR and learning platforms write it: 2026-03-01, 01.03.2026, 1.3.26,
// 01/03/2026 (day first, as in Europe), an RFC 3339 time, or an Excel serial number. It returns the day
// as midnight UTC.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, fmt.Errorf("is empty")
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return Day(t, time.UTC), nil
	}
	for _, layout := range []string{"2006-01-02", "2006-01-02 15:04:05", "2006-01-02 15:04", "2.1.2006", "02.01.2006", "2.1.06",
		"2/1/2006", "02/01/2006", "2006/01/02", "02.01.2006 15:04", "02.01.2006 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 1 && f < 2958466 && !math.IsNaN(f) {
		t := excelEpoch.AddDate(0, 0, int(f))
		return t, nil
	}
	return time.Time{}, fmt.Errorf("is not a date (use 2026-03-01 or 01.03.2026)")
}

// ParseBool reads yes/no in English and German (ja/nein), x for ticked, 1/0, true/false.
func ParseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "no", "n", "nein", "false", "0", "-", "falsch":
		return false, nil
	case "yes", "y", "ja", "j", "true", "1", "x", "wahr":
		return true, nil
	}
	return false, fmt.Errorf("is not yes or no")
}

// ParseScore reads a score of 0–100: 85, 85.5, 85,5 or 85 %.
func ParseScore(s string) (*float64, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if s == "" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("is not a number")
	}
	if f < 0 || f > 100 {
		return nil, fmt.Errorf("must be between 0 and 100")
	}
	return &f, nil
}
