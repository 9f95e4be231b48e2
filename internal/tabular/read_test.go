package tabular

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/vigil-med/vigil/internal/domain"
)

var testLimits = Limits{MaxBytes: 32 << 20, MaxRows: 100_000, MaxColumns: 200, MaxCell: 32 << 10, MaxZipEntries: 1000,
	MaxUnzipped: 256 << 20, MaxRatio: 200}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func rowsOf(t *Table) (n []int, cells [][]string) {
	for _, r := range t.Rows {
		n, cells = append(n, r.N), append(cells, r.Cells)
	}
	return n, cells
}

func utf16le(s string) []byte {
	b := []byte{0xFF, 0xFE}
	for _, c := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	return b
}

func TestReadText(t *testing.T) {
	tests := []struct {
		name       string
		data       []byte
		enc, delim string
		rows       []int
		cells      [][]string
	}{
		{"comma", []byte("a,b\n1,2\n"), "UTF-8", ",", []int{1, 2}, [][]string{{"a", "b"}, {"1", "2"}}},
		{"semicolon, quoted comma", []byte("Name;Abteilung\n\"Berger, Jonas\";IT\n"), "UTF-8", ";", []int{1, 2},
			[][]string{{"Name", "Abteilung"}, {"Berger, Jonas", "IT"}}},
		{"tab", []byte("a\tb\n1\t2\n"), "UTF-8", "tab", []int{1, 2}, [][]string{{"a", "b"}, {"1", "2"}}},
		{"pipe", []byte("a|b|c\n1|2|3\n"), "UTF-8", "|", []int{1, 2}, [][]string{{"a", "b", "c"}, {"1", "2", "3"}}},
		{"BOM, CRLF", []byte("\xEF\xBB\xBFa,b\r\n1,2\r\n"), "UTF-8 with BOM", ",", []int{1, 2}, [][]string{{"a", "b"}, {"1", "2"}}},
		{"Windows-1252", []byte("Name;Stra\xDFe\nJ\xFCrgen;\x80 5\n"), "Windows-1252", ";", []int{1, 2}, [][]string{{"Name", "Straße"}, {"Jürgen", "€ 5"}}},
		{"UTF-16LE", utf16le("Gerät\tRaum\r\nPumpe\tC2.114\r\n"), "UTF-16LE", "tab", []int{1, 2}, [][]string{{"Gerät", "Raum"}, {"Pumpe", "C2.114"}}},
		{"classic Mac lines", []byte("a,b\r1,2\r"), "UTF-8", ",", []int{1, 2}, [][]string{{"a", "b"}, {"1", "2"}}},
		// Rows are numbered as a spreadsheet shows them: blank lines count, a cell with a line break
		// does not add a row; empty rows are left out; cells are trimmed (non-breaking spaces too) and
		// trailing empty cells dropped.
		{"row numbers", []byte("\n\nx;y\n\"two\nlines\";2\n;;\n 3\u00a0; 4 ;;\n"), "UTF-8", ";", []int{3, 4, 6},
			[][]string{{"x", "y"}, {"two\nlines", "2"}, {"3", "4"}}},
		{"quote inside a cell", []byte("Modell;Zoll\nMonitor;24\" wide\n"), "UTF-8", ";", []int{1, 2}, [][]string{{"Modell", "Zoll"}, {"Monitor", "24\" wide"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, err := Read(tt.data, Options{Limits: testLimits})
			if err != nil {
				t.Fatal(err)
			}
			n, cells := rowsOf(tab)
			if tab.Format != "csv" || tab.Encoding != tt.enc || tab.Delimiter != tt.delim {
				t.Errorf("read as %s %s %q, want %s %q", tab.Format, tab.Encoding, tab.Delimiter, tt.enc, tt.delim)
			}
			if diff := cmp.Diff(tt.rows, n); diff != "" {
				t.Errorf("row numbers (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.cells, cells); diff != "" {
				t.Errorf("cells (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadFixtures(t *testing.T) {
	for name, want := range map[string]struct {
		enc, delim, first string
		rows              int
	}{
		"cmms-export-de.csv":    {"Windows-1252", ";", "Inventarnummer", 30},
		"asset-register-en.csv": {"UTF-8 with BOM", ",", "Asset Register - Clinical Engineering", 0},
		"hr-export-de.csv":      {"UTF-8 with BOM", ";", "Personalnummer", 0},
		"lms-results.csv":       {"UTF-8", ",", "", 0},
	} {
		tab, err := Read(fixture(t, name), Options{Name: name, Limits: testLimits})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if tab.Encoding != want.enc || tab.Delimiter != want.delim || (want.first != "" && tab.Rows[0].Cells[0] != want.first) ||
			(want.rows > 0 && len(tab.Rows) != want.rows) {
			t.Errorf("%s: %s %q, first cell %q, %d rows", name, tab.Encoding, tab.Delimiter, tab.Rows[0].Cells[0], len(tab.Rows))
		}
	}
}

// workbook writes a workbook with the sheets (name → rows), the first being "Sheet1" renamed, and
// hidden names hidden.
func workbook(t testing.TB, sheets [][2]any, hidden ...string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, sh := range sheets {
		name := sh[0].(string)
		if i == 0 {
			f.SetSheetName("Sheet1", name)
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, row := range sh[1].([][]any) {
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			f.SetSheetRow(name, cell, &row)
		}
	}
	for _, h := range hidden {
		f.SetSheetVisible(h, false)
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReadWorkbook(t *testing.T) {
	wb := workbook(t, [][2]any{
		{"Info", [][]any{{"Export of 27.02.2026"}}},
		{"Secret", [][]any{{"Asset tag", "Serial", "Manufacturer"}}},
		{"Devices", [][]any{{"Device list"}, {}, {"Asset tag", "Manufacturer"}, {"MT-1", "B. Braun"}}},
	}, "Secret")
	score := func(rows [][]string) int {
		n := 0
		for _, r := range rows {
			for _, c := range r {
				if c == "Asset tag" || c == "Manufacturer" || c == "Serial" {
					n++
				}
			}
		}
		return n
	}
	tab, err := Read(wb, Options{Limits: testLimits, Score: score})
	if err != nil {
		t.Fatal(err)
	}
	n, cells := rowsOf(tab)
	if tab.Format != "xlsx" || tab.Sheet != "Devices" || !cmp.Equal([]int{1, 3, 4}, n) || cells[2][1] != "B. Braun" ||
		!cmp.Equal([]string{"Info", "Devices"}, tab.Sheets) {
		t.Errorf("scored: sheet %q of %v, rows %v %v", tab.Sheet, tab.Sheets, n, cells)
	}
	if tab, _ := Read(wb, Options{Limits: testLimits}); tab.Sheet != "Info" {
		t.Errorf("without a score the first visible sheet with data is read, not %q", tab.Sheet)
	}
	if tab, _ := Read(wb, Options{Limits: testLimits, Sheet: "Secret"}); tab.Sheet != "Secret" {
		t.Errorf("a named sheet is read even when hidden")
	}
	if _, err := Read(wb, Options{Limits: testLimits, Sheet: "Tabelle9"}); err == nil || !strings.Contains(err.Error(), `no sheet "Tabelle9" (it has: Info, Secret, Devices)`) {
		t.Errorf("unknown sheet: %v", err)
	}
	empty := workbook(t, [][2]any{{"A", [][]any{}}, {"B", [][]any{}}})
	if _, err := Read(empty, Options{Limits: testLimits}); problemOf(err) != ProblemSheetEmpty {
		t.Errorf("empty workbook: %v", err)
	}
}

func problemOf(err error) Problem {
	var e *Error
	if errors.As(err, &e) {
		return e.Problem
	}
	return ""
}

func zipOf(t testing.TB, entries map[string][]byte, flags uint16) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, name := range []string{"[Content_Types].xml", "xl/workbook.xml", "bomb.xml"} {
		if c, ok := entries[name]; ok {
			f, _ := w.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Flags: flags})
			f.Write(c)
		}
	}
	w.Close()
	return b.Bytes()
}

func TestReadRefuses(t *testing.T) {
	wb := workbook(t, [][2]any{{"S", [][]any{{"a", "b"}}}})
	small := testLimits
	small.MaxBytes, small.MaxRows, small.MaxColumns, small.MaxCell, small.MaxZipEntries = 200, 3, 4, 10, 3
	tests := []struct {
		name    string
		data    []byte
		opt     Options
		problem Problem
		code    string
		msg     string
	}{
		{"empty", []byte(" \n\t"), Options{}, ProblemEmpty, domain.EInvalid, "the file is empty"},
		{"too large", bytes.Repeat([]byte("a,b\n"), 100), Options{Limits: small}, ProblemTooLarge, domain.ETooLarge, "larger than the limit of 200 bytes"},
		{"xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 1, 2}, Options{}, ProblemOldExcel, domain.EInvalid, "Excel 97–2003 .xls"},
		{"pdf", []byte("%PDF-1.7\n"), Options{}, ProblemPDF, domain.EInvalid, "PDF document"},
		{"gzip", []byte{0x1F, 0x8B, 8, 0}, Options{}, ProblemGzip, domain.EInvalid, "gzip archive"},
		{"xlsx by name, not zip", []byte("a,b\n"), Options{Name: "devices.XLSX"}, ProblemNotZip, domain.EInvalid, "not a valid XLSX workbook"},
		{"binary", []byte("I\x00n\x00v"), Options{}, ProblemBinary, domain.EInvalid, "NUL byte at offset 1"},
		{"bad UTF-8 after BOM", []byte("\xEF\xBB\xBFInv\xFF"), Options{}, ProblemEncoding, domain.EInvalid, "not valid UTF-8"},
		{"truncated quote", []byte("a,b\n1,\"never closed\n"), Options{}, ProblemSyntax, domain.EInvalid, "row 2 (line 2): a quoted field is not closed"},
		{"no rows", []byte(";;;\n;;\n"), Options{}, ProblemNoRows, domain.EInvalid, "no rows"},
		{"too many rows", []byte("a\nb\nc\nd\n"), Options{Limits: small}, ProblemTooManyRows, domain.ETooLarge, "more than 3 rows"},
		{"too many columns", []byte("a,b,c,d,e\n"), Options{Limits: small}, ProblemTooManyColumns, domain.ETooLarge, "row 1 has 5 columns, more than the 4 allowed"},
		{"long cell", []byte("a\nx,bbbbbbbbbbbbbbbbbbbbbb\n"), Options{Limits: small}, ProblemCellTooLong, domain.ETooLarge, "row 2, column B: the cell has 22 bytes"},
		{"sheet for CSV", []byte("a;b\n"), Options{Sheet: "Sheet1"}, ProblemSheetForCSV, domain.EInvalid, "not an XLSX workbook"},
		{"truncated workbook", wb[:len(wb)/2], Options{}, ProblemZipDamaged, domain.EInvalid, "is the file truncated?"},
		{"zip entries", wb, Options{Limits: Limits{MaxBytes: 1 << 20, MaxRows: 10, MaxColumns: 10, MaxCell: 10, MaxZipEntries: 3, MaxUnzipped: 1 << 20, MaxRatio: 100}}, ProblemZipEntries, domain.ETooLarge, "more than the 3 allowed"},
		{"not a workbook", zipOf(t, map[string][]byte{"[Content_Types].xml": []byte("<Types/>")}, 0), Options{}, ProblemNotWorkbook, domain.EInvalid, "not an Excel workbook"},
		{"encrypted", zipOf(t, map[string][]byte{"xl/workbook.xml": []byte("x")}, 0x1), Options{}, ProblemZipEncrypted, domain.EInvalid, "encrypted"},
		{"zip bomb", zipOf(t, map[string][]byte{"xl/workbook.xml": []byte("<workbook/>"), "bomb.xml": make([]byte, 8<<20)}, 0), Options{},
			ProblemZipRatio, domain.ETooLarge, "more than the 200:1 allowed (a zip bomb?)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.opt.Limits == (Limits{}) {
				tt.opt.Limits = testLimits
			}
			_, err := Read(tt.data, tt.opt)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want a *tabular.Error", err)
			}
			if e.Problem != tt.problem || e.Code() != tt.code || !strings.Contains(e.Error(), tt.msg) {
				t.Errorf("got %s (%s) %q; want %s (%s) containing %q", e.Problem, e.Code(), e.Error(), tt.problem, tt.code, tt.msg)
			}
		})
	}
	_, err := Read([]byte("a\nx,bbbbbbbbbbbbbbbbbbbbbb\n"), Options{Limits: small})
	var e *Error
	if errors.As(err, &e); e.Row != 2 || e.Line != 2 || e.Column != 1 || e.Got != 22 || e.Limit != 10 {
		t.Errorf("where the long cell is: %+v", e)
	}
	if _, err := ReadAll(bytes.NewReader(make([]byte, 3<<20)), 2<<20); problemOf(err) != ProblemTooLarge || !strings.Contains(err.Error(), "larger than 2 MiB") {
		t.Errorf("ReadAll over the limit: %v", err)
	}
}

func FuzzRead(f *testing.F) {
	for _, name := range []string{"cmms-export-de.csv", "asset-register-en.csv", "hr-export-de.csv", "lms-results.csv"} {
		f.Add(name, fixture(f, name))
	}
	f.Add("devices.xlsx", workbook(f, [][2]any{{"Geräte", [][]any{{"Inventarnummer", "Hersteller"}, {"MT-1", 45000}}}}))
	f.Add("u16.txt", utf16le("a\tb\r\n1\t2\r\n"))
	lim := testLimits
	lim.MaxBytes, lim.MaxUnzipped = 1<<20, 8<<20
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		tab, err := Read(data, Options{Name: name, Limits: lim, Score: func(rows [][]string) int { return len(rows) }})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Error() == "" {
				t.Fatalf("error that is not a described *tabular.Error: %v", err)
			}
			return
		}
		last := 0
		for _, r := range tab.Rows {
			if r.N <= last || len(r.Cells) == 0 || len(r.Cells) > lim.MaxColumns {
				t.Fatalf("row %d after row %d with %d cells", r.N, last, len(r.Cells))
			}
			last = r.N
		}
	})
}
