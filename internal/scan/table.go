package scan

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vigil-med/vigil/internal/match"
	"github.com/vigil-med/vigil/internal/vuln"
)

// TableOptions adjust the table.
type TableOptions struct {
	Reasons bool // print each finding's reason under its row
}

// WriteTable writes the findings as an aligned table for people, followed by a summary line.
func WriteTable(w io.Writer, r *Result, opts TableOptions) error {
	bw := bufio.NewWriter(w)
	s := summarize(r)
	if len(r.Findings) == 0 {
		fmt.Fprintf(bw, "No vulnerabilities found in %d components", len(r.Document.Components))
		if s.suppressed > 0 {
			fmt.Fprintf(bw, " (%d suppressed by VEX)", s.suppressed)
		}
		fmt.Fprintln(bw, ".")
		return bw.Flush()
	}
	// The columns are as wide as their widest cell plus two spaces, found in a first pass; the rows
	// are made again in the second and written at once (text/tabwriter kept every cell of the
	// table until the end: 8 MB at 10,000 components).
	header := [tableCols]string{"COMPONENT", "VERSION", "VULNERABILITY", "SEVERITY", "KEV", "EPSS", "FIXED IN", "STATUS"}
	var width [tableCols]int
	measure := func(row *[tableCols]string) {
		for c, cell := range row[:tableCols-1] { // the last column is not padded
			width[c] = max(width[c], utf8.RuneCountInString(cell))
		}
	}
	measure(&header)
	for i := range r.Findings {
		row := tableRow(&r.Findings[i])
		measure(&row)
	}
	writeRow := func(row *[tableCols]string) {
		for c, cell := range row[:tableCols-1] {
			bw.WriteString(cell)
			for n := width[c] + 2 - utf8.RuneCountInString(cell); n > 0; n -= len(tablePad) {
				bw.WriteString(tablePad[:min(n, len(tablePad))])
			}
		}
		bw.WriteString(row[tableCols-1])
		bw.WriteByte('\n')
	}
	writeRow(&header)
	for i := range r.Findings {
		row := tableRow(&r.Findings[i])
		writeRow(&row)
	}
	if opts.Reasons {
		fmt.Fprintln(bw, "\nWhy:")
		for i := range r.Findings {
			f := &r.Findings[i]
			fmt.Fprintf(bw, "  %s in %s %s: %s\n", clean(f.VulnID), clean(componentName(f)), clean(componentVersion(f)), clean(f.Reason))
			for _, o := range f.OtherReasons {
				fmt.Fprintf(bw, "    also: %s\n", clean(o))
			}
			if f.VEX != nil {
				fmt.Fprintf(bw, "    VEX (%s, %s): %s %s\n", f.VEX.Origin, clean(f.VEX.Source), f.VEX.Status, f.VEX.Justification)
			}
		}
	}
	fmt.Fprintf(bw, "\n%d vulnerabilities in %d components", s.total, len(r.Document.Components))
	var parts []string
	for l := vuln.Critical; ; l-- {
		if n := s.byLevel[l]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, l))
		}
		if l == vuln.Unknown {
			break
		}
	}
	if len(parts) > 0 {
		fmt.Fprintf(bw, ": %s", strings.Join(parts, ", "))
	}
	fmt.Fprintf(bw, "; %d known exploited (CISA KEV), %d on the EU KEV list", s.kev, s.eukev)
	if s.suppressed > 0 {
		fmt.Fprintf(bw, "; %d suppressed by VEX", s.suppressed)
	}
	fmt.Fprintln(bw, ".")
	return bw.Flush()
}

const tableCols = 8

const tablePad = "                                " // spaces, written a slice at a time

// tableRow returns the cells of a finding's row: component, version, vulnerability (and the record
// that matched when its id differs), severity with its score, KEV lists, EPSS, fixed versions, status.
func tableRow(f *match.Finding) [tableCols]string {
	sev := Severity(f)
	level := sev.Level.String()
	if sev.Score > 0 {
		level += " " + strconv.FormatFloat(sev.Score, 'f', 1, 64)
	}
	kev := ""
	if v := f.Vulnerability; v != nil {
		switch {
		case v.CISAKEV != nil && v.EUKEV != nil:
			kev = "CISA+EU"
		case v.CISAKEV != nil:
			kev = "CISA"
		case v.EUKEV != nil:
			kev = "EU"
		}
		if v.CISAKEV.Ransomware() {
			kev += " ransomware"
		}
	}
	epss := ""
	if v := f.Vulnerability; v != nil && v.EPSS != nil {
		// rounded down, so 0.99999 shows as 99.99% and never as a certain 100%
		epss = strconv.FormatFloat(math.Floor(v.EPSS.Score*10000)/100, 'f', 2, 64) + "%"
	}
	fixed := "-"
	if len(f.FixedVersions) > 0 {
		fixed = strings.Join(f.FixedVersions, ", ")
	}
	id := f.VulnID
	if f.RecordID != "" && f.RecordID != f.VulnID {
		id += " (" + f.RecordID + ")"
	}
	return [tableCols]string{clean(componentName(f)), clean(componentVersion(f)), clean(id), level, kev, epss, clean(fixed), string(f.Status)}
}

// clean keeps control characters from untrusted SBOM and feed text out of the terminal.
func clean(s string) string {
	// Bytes below 0x20 and 0x7f are these runes and never part of another's encoding, so a look at
	// the bytes finds them (a tenth of the table's time went to decoding every cell's runes).
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c == 0x7f {
			return cleanControls(s)
		}
	}
	return s
}

func cleanControls(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
