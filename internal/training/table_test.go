package training

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/vigil-med/vigil/internal/domain"
)

func cells(t *Table) [][]string {
	var out [][]string
	for _, r := range t.Rows {
		out = append(out, r.Cells)
	}
	return out
}

func TestReadTableCSV(t *testing.T) {
	tests := []struct {
		name  string
		input []byte
		want  [][]string
	}{
		{"comma", []byte("a,b\n1,2\n"), [][]string{{"a", "b"}, {"1", "2"}}},
		{"semicolon with quoted comma", []byte("Name;Abteilung\n\"Berger, Jonas\";IT\n"), [][]string{{"Name", "Abteilung"}, {"Berger, Jonas", "IT"}}},
		{"tab", []byte("a\tb\n1\t2\n"), [][]string{{"a", "b"}, {"1", "2"}}},
		{"BOM and CRLF", []byte("\xEF\xBB\xBFa,b\r\n1,2\r\n"), [][]string{{"a", "b"}, {"1", "2"}}},
		{"Windows-1252", []byte("Name;Stra\xDFe\nJ\xFCrgen;\x80 5\n"), [][]string{{"Name", "Straße"}, {"Jürgen", "€ 5"}}},
		{"blank first line", []byte("\n\nx;y\n1;2\n"), [][]string{{"x", "y"}, {"1", "2"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, err := ReadTable("f.csv", bytes.NewReader(tt.input), DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, cells(tab)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	tab, _ := ReadTable("f.csv", strings.NewReader("\n\nx;y\n1;2\n"), DefaultLimits)
	if tab.Rows[1].N != 4 {
		t.Errorf("line numbers count blank lines: row 2 is on line %d, want 4", tab.Rows[1].N)
	}
}

func bomb(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("xl/workbook.xml")
	w.Write([]byte("<workbook/>"))
	w, _ = zw.Create("xl/worksheets/sheet1.xml")
	w.Write(bytes.Repeat([]byte{'a'}, 4<<20))
	zw.Close()
	return buf.Bytes()
}

func TestReadTableHostile(t *testing.T) {
	small := DefaultLimits
	small.MaxBytes, small.MaxRows, small.MaxColumns, small.MaxCellBytes = 200, 3, 4, 10
	xlsx := func() []byte {
		f := excelize.NewFile()
		f.SetSheetRow("Sheet1", "A1", &[]any{"a", "b"})
		var b bytes.Buffer
		f.Write(&b)
		return b.Bytes()
	}()
	enc := func() []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		hdr := &zip.FileHeader{Name: "xl/workbook.xml", Flags: 0x1}
		w, _ := zw.CreateHeader(hdr)
		w.Write([]byte("x"))
		zw.Close()
		return buf.Bytes()
	}()
	tests := []struct {
		name, file string
		input      []byte
		lim        Limits
		code, msg  string
	}{
		{"empty", "f.csv", []byte("  \n"), DefaultLimits, domain.EInvalid, "f.csv: the file is empty"},
		{"too large", "f.csv", bytes.Repeat([]byte("a,b\n"), 100), small, domain.ETooLarge, "larger than the limit of 200 bytes"},
		{"too many rows", "f.csv", []byte("a\nb\nc\nd\n"), small, domain.ETooLarge, "more than 3 rows"},
		{"too many columns", "f.csv", []byte("a,b,c,d,e\n"), small, domain.ETooLarge, "line 1 has 5 columns"},
		{"long cell", "f.csv", []byte("a,bbbbbbbbbbbbbbbbbbbbbbbbb\n"), small, domain.ETooLarge, "line 1, column 2: the cell is longer than 10 bytes"},
		{"truncated quote", "f.csv", []byte("a,b\n1,\"never closed\n"), DefaultLimits, domain.EInvalid, "is the file truncated?"},
		{"binary", "f.csv", []byte("a\x00b"), DefaultLimits, domain.EInvalid, "not a CSV or XLSX file"},
		{"xls", "f.xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 1, 2}, DefaultLimits, domain.EInvalid, "Excel 97–2003"},
		{"xlsx name, not zip", "f.xlsx", []byte("a,b\n"), DefaultLimits, domain.EInvalid, "not a valid XLSX workbook"},
		{"truncated xlsx", "f.xlsx", xlsx[:len(xlsx)/2], DefaultLimits, domain.EInvalid, "is the file truncated?"},
		{"zip bomb", "f.xlsx", bomb(t), DefaultLimits, domain.ETooLarge, "compressed more than 250:1"},
		{"encrypted", "f.xlsx", enc, DefaultLimits, domain.EInvalid, "encrypted"},
		{"zip without workbook", "f.xlsx", func() []byte {
			var b bytes.Buffer
			zw := zip.NewWriter(&b)
			w, _ := zw.Create("hello.txt")
			w.Write([]byte("hi"))
			zw.Close()
			return b.Bytes()
		}(), DefaultLimits, domain.EInvalid, "not an XLSX workbook"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadTable(tt.file, bytes.NewReader(tt.input), tt.lim)
			if domain.ErrorCode(err) != tt.code || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("got %v (%s), want %s containing %q", err, domain.ErrorCode(err), tt.code, tt.msg)
			}
		})
	}
	many := DefaultLimits
	many.MaxZipEntries = 2
	if _, err := ReadTable("f.xlsx", bytes.NewReader(xlsx), many); domain.ErrorCode(err) != domain.ETooLarge {
		t.Errorf("zip entries over the limit: %v", err)
	}
}

func TestMapColumns(t *testing.T) {
	tab := &Table{File: "x.csv", Rows: []Row{
		{N: 1, Cells: []string{"Report of 2026", ""}},
		{N: 2, Cells: []string{"Pers.-Nr.", "Nachname", "Vorname", "E-Mail-Adresse", "Abteilung", "Notiz"}},
	}}
	c, err := MapColumns(tab, StaffFields, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range c.Uses {
		got = append(got, u.Field+"="+u.Column)
	}
	if diff := cmp.Diff([]string{"staff_number=Pers.-Nr.", "first_name=Vorname", "last_name=Nachname", "email=E-Mail-Adresse", "department=Abteilung"}, got); diff != "" || c.HeaderRow != 2 {
		t.Errorf("header row %d, mapping (-want +got):\n%s", c.HeaderRow, diff)
	}
	if _, err := MapColumns(tab, StaffFields, map[string]string{"job_title": "Funktion"}); err == nil ||
		!strings.Contains(err.Error(), `the mapping names column "Funktion" for job_title, but the header (row 2) has no such column`) {
		t.Errorf("mapping to a missing column: %v", err)
	}
	if _, err := MapColumns(tab, StaffFields, map[string]string{"job_title": "Abteilung"}); err == nil || !strings.Contains(err.Error(), `column "Abteilung" is mapped to both`) {
		t.Errorf("a column used twice: %v", err)
	}
	if _, err := MapColumns(&Table{File: "x.csv", Rows: []Row{{N: 1, Cells: []string{"foo", "bar"}}}}, StaffFields, nil); err == nil ||
		!strings.Contains(err.Error(), "no header row found") {
		t.Errorf("no header: %v", err)
	}
}

func TestParseValues(t *testing.T) {
	for in, want := range map[string]string{"2026-03-01": "2026-03-01", "01.03.2026": "2026-03-01", "1.3.26": "2026-03-01",
		"01/03/2026": "2026-03-01", "2026-03-01T22:30:00Z": "2026-03-01", "46082": "2026-03-01", "2026-03-01 08:15": "2026-03-01"} {
		got, err := ParseDate(in)
		if err != nil || got.Format("2006-01-02") != want {
			t.Errorf("ParseDate(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "yesterday", "31.02.2026", "2026-13-01"} {
		if _, err := ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) accepted", bad)
		}
	}
	for in, want := range map[string]float64{"85": 85, "85,5": 85.5, "85.5 %": 85.5, "0": 0} {
		got, err := ParseScore(in)
		if err != nil || *got != want {
			t.Errorf("ParseScore(%q) = %v, %v", in, got, err)
		}
	}
	for in, want := range map[string]string{"Bestanden": "passed", "link clicked": "clicked", " Keine  Aktion ": "ignored", "GEMELDET": "reported"} {
		if got, ok := ParseResult(in); !ok || got != want {
			t.Errorf("ParseResult(%q) = %q", in, got)
		}
	}
}

func TestAudienceDerivation(t *testing.T) {
	for in, want := range map[[2]string]domain.Audience{
		{"Gesundheits- und Krankenpflegerin", ""}:   domain.AudienceClinical,
		{"Assistenzärztin", "Notaufnahme"}:          domain.AudienceClinical,
		{"Medizintechniker", ""}:                    domain.AudienceBiomed,
		{"Clinical engineer", "Medical Technology"}: domain.AudienceBiomed,
		{"Einkäuferin Medizintechnik", ""}:          domain.AudienceProcurement,
		{"System administrator", ""}:                domain.AudienceIT,
		{"Leiter IT", ""}:                           domain.AudienceIT,
		{"", "Intensive Care Unit"}:                 domain.AudienceClinical,
		{"Controller", "Finance"}:                   domain.AudienceOther,
		{"Secretary", ""}:                           domain.AudienceOther,
	} {
		if got := DeriveAudience(in[0], in[1]); got != want {
			t.Errorf("DeriveAudience(%q, %q) = %s, want %s", in[0], in[1], got, want)
		}
	}
	if _, board, ok := ParseAudienceLoose("Vorstand"); !board || !ok {
		t.Error("Vorstand is the board")
	}
	if a, _, ok := ParseAudienceLoose("Ärztlicher Dienst"); !ok || a != domain.AudienceClinical {
		t.Errorf("Ärztlicher Dienst = %s", a)
	}
}

func FuzzReadTable(f *testing.F) {
	for _, name := range []string{"hr-export-de.csv", "hr-export-en.csv", "hr-export-bad.csv", "lms-results.csv", "phishing-results.csv"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(name, b)
	}
	x := excelize.NewFile()
	x.SetSheetRow("Sheet1", "A1", &[]any{"Email", "Name", 45000})
	var b bytes.Buffer
	x.Write(&b)
	f.Add("f.xlsx", b.Bytes())
	lim := DefaultLimits
	lim.MaxBytes, lim.MaxUnzipped = 1<<20, 8<<20
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		tab, err := ReadTable(name, bytes.NewReader(data), lim)
		if err != nil {
			if c := domain.ErrorCode(err); c != domain.EInvalid && c != domain.ETooLarge {
				t.Fatalf("error without a user-facing code: %v", err)
			}
			return
		}
		for _, fields := range [][]Field{StaffFields, ResultFields} {
			if c, err := MapColumns(tab, fields, nil); err == nil {
				for _, r := range tab.Rows {
					for _, u := range c.Uses {
						_ = c.Get(r, u.Field)
					}
				}
			}
		}
	})
}

func FuzzParseStaff(f *testing.F) {
	for _, name := range []string{"hr-export-de.csv", "hr-export-en.csv", "hr-export-bad.csv"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	lim := DefaultLimits
	lim.MaxBytes = 1 << 20
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := ReadTable("f.csv", bytes.NewReader(data), lim)
		if err != nil {
			return
		}
		c, err := MapColumns(tab, StaffFields, nil)
		if err != nil {
			return
		}
		var rj rejections
		for _, sr := range parseStaffRows(tab, c, &rj) {
			p := sr.p
			if err := p.Validate(); err != nil {
				t.Fatalf("row %d passed parsing but not validation: %v", sr.row, err)
			}
		}
		for _, r := range rj.result() {
			if r.Message == "" {
				t.Fatalf("rejection without message: %+v", r)
			}
		}
	})
}
