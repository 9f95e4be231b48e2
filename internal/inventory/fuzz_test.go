package inventory

import (
	"bytes"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
)

// FuzzReadTable feeds arbitrary bytes to the CSV/XLSX reader and the row parser: they must not panic,
// must refuse bad input with a user error (never an internal one), and what they accept keeps the
// limits.
func FuzzReadTable(f *testing.F) {
	// The fixtures, shortened: the fuzzer minimises interesting inputs, which takes long for big ones.
	for _, name := range []string{"cmms-export-de.csv", "asset-register-en.csv"} {
		b := fixture(f, name)
		f.Add(b[:bytes.Index(b[1200:], []byte("\n"))+1201])
	}
	f.Add(germanXLSX(f))
	f.Add([]byte("Inventarnummer;Hersteller;Typ\n\"MT-1;B. Braun;\"\"Space\"\"\n"))
	f.Add([]byte("\xff\xfeI\x00n\x00v\x00"))
	lim := DefaultLimits
	lim.MaxRows, lim.MaxCell = 500, 4096
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := ReadTable(data, "", lim)
		if err != nil {
			if c := domain.ErrorCode(err); c != domain.EInvalid && c != domain.ETooLarge {
				t.Fatalf("error with code %s: %v", c, err)
			}
			return
		}
		if len(tab.Rows) != len(tab.RowNumbers) || len(tab.Rows) > lim.MaxRows {
			t.Fatalf("%d rows, %d row numbers", len(tab.Rows), len(tab.RowNumbers))
		}
		for i, r := range tab.Rows {
			if i > 0 && tab.RowNumbers[i] <= tab.RowNumbers[i-1] {
				t.Fatalf("row numbers not increasing: %v", tab.RowNumbers)
			}
			if len(r) > lim.MaxColumns {
				t.Fatalf("row %d has %d columns", i, len(r))
			}
			for _, c := range r {
				if len(c) > lim.MaxCell {
					t.Fatalf("cell of %d bytes", len(c))
				}
			}
		}
		header, _ := findHeader(tab.Rows)
		cols, err := Columns(tab.Rows[header], nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		recs, rejected, _ := parseRows(tab, header, cols)
		for _, p := range rejected {
			if p.Row <= 0 || p.Message == "" {
				t.Fatalf("problem without row or message: %+v", p)
			}
		}
		for _, r := range recs {
			if r.Row > 0 && r.ReplacementCost < 0 {
				t.Fatalf("negative amount accepted: %+v", r)
			}
		}
	})
}

// FuzzParseValues checks the cell parsers on arbitrary text.
func FuzzParseValues(f *testing.F) {
	for _, s := range []string{"2019-03-01", "01.03.19", "03/15/2021", "43525.5", "2.450,50", "€ 1'234.50", "-50", "1e308", "ja", "lebenserhaltend"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := ParseDate(s); err == nil && strings.TrimSpace(s) != "" {
			if y := d.Time().Year(); y < 1950 || y > 2100 {
				t.Fatalf("ParseDate(%q) = %s", s, d)
			}
		}
		if m, err := ParseAmount(s); err == nil && m < 0 {
			t.Fatalf("ParseAmount(%q) = %d", s, m)
		}
		_, _ = ParseBool(s)
		_, _ = ParseCriticality(s)
		_, _ = ParseStatus(s)
		_, _ = ParseMapping(s)
		_ = headerKey(s)
	})
}
