package inventory

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/vigil-med/vigil/internal/domain"
)

// germanRows are the rows of the German fixture (decoded), for building other encodings of it.
func germanRows(t *testing.T) [][]string {
	t.Helper()
	tab, err := ReadTable(fixture(t, "cmms-export-de.csv"), "", DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	return tab.Rows
}

// germanXLSX is the German fixture as a workbook written the way CMMS systems write one: an "Info"
// sheet first, then the device sheet with a title, a blank row and the header in row 3; purchase dates
// as Excel dates and amounts as numbers where they are valid, text otherwise.
func germanXLSX(t testing.TB) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "Info"); err != nil {
		t.Fatal(err)
	}
	f.SetCellValue("Info", "A1", "Export aus dem Medizintechnik-Verwaltungssystem")
	f.SetCellValue("Info", "A2", "Stand: 27.02.2026")
	if _, err := f.NewSheet("Geräte"); err != nil {
		t.Fatal(err)
	}
	dateStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	f.SetCellValue("Geräte", "A1", "Medizintechnik – Geräteliste")
	tab, err := ReadTable(fixture(t, "cmms-export-de.csv"), "", DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range tab.Rows {
		r := tab.RowNumbers[i] + 2
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r)
			switch {
			case i > 0 && c == 17 && v != "":
				if d, err := ParseDate(v); err == nil {
					f.SetCellValue("Geräte", cell, d.Time())
					f.SetCellStyle("Geräte", cell, cell, dateStyle)
					continue
				}
			case i > 0 && c == 18 && v != "":
				if m, err := ParseAmount(v); err == nil {
					f.SetCellValue("Geräte", cell, m.Euros())
					continue
				}
				if v == "-50" {
					f.SetCellValue("Geräte", cell, -50)
					continue
				}
			}
			f.SetCellStr("Geräte", cell, v)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReadTableFormats(t *testing.T) {
	de := fixture(t, "cmms-export-de.csv")
	tab, err := ReadTable(de, "", DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Encoding != "Windows-1252" || tab.Delimiter != ";" || tab.Rows[0][1] != "Gerätebezeichnung" || tab.RowNumbers[len(tab.RowNumbers)-1] != 31 {
		t.Errorf("German CSV: %s %q %q, last row %d", tab.Encoding, tab.Delimiter, tab.Rows[0][1], tab.RowNumbers[len(tab.RowNumbers)-1])
	}
	en, err := ReadTable(fixture(t, "asset-register-en.csv"), "", DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if en.Encoding != "UTF-8 with BOM" || en.Delimiter != "," || en.Rows[0][0] != "Asset Register - Clinical Engineering" ||
		en.RowNumbers[2] != 4 || en.Rows[5][2] != "Becton, Dickinson and Company (BD)" {
		t.Errorf("English CSV: %s %q rows %v %q", en.Encoding, en.Delimiter, en.RowNumbers[:3], en.Rows[5][2])
	}

	// The same rows as UTF-16LE with tabs (Excel's "Unicode text"), as UTF-8 with pipes and with classic Mac line ends.
	var tsv strings.Builder
	for _, r := range germanRows(t) {
		tsv.WriteString(strings.Join(r, "\t") + "\r\n")
	}
	u16 := []byte{0xFF, 0xFE}
	for _, c := range utf16.Encode([]rune(tsv.String())) {
		u16 = binary.LittleEndian.AppendUint16(u16, c)
	}
	for name, tc := range map[string]struct {
		data     []byte
		enc, sep string
	}{
		"utf-16 tab": {u16, "UTF-16LE", "tab"},
		"utf-8 pipe": {[]byte(strings.ReplaceAll(strings.ReplaceAll(tsv.String(), "\t", "|"), "\r\n", "\n")), "UTF-8", "|"},
		"mac lines":  {[]byte(strings.ReplaceAll(strings.ReplaceAll(tsv.String(), "\t", ","), "\r\n", "\r")), "UTF-8", ","},
	} {
		got, err := ReadTable(tc.data, "", DefaultLimits)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got.Encoding != tc.enc || got.Delimiter != tc.sep {
			t.Errorf("%s: read as %s %q", name, got.Encoding, got.Delimiter)
		}
		// Rows keep their content (blank rows are dropped, so compare the first 20).
		if diff := cmp.Diff(germanRows(t)[:20], got.Rows[:20]); diff != "" && name != "mac lines" {
			t.Errorf("%s rows differ (-want +got):\n%s", name, diff)
		}
	}

	x, err := ReadTable(germanXLSX(t), "", DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if x.Format != "xlsx" || x.Sheet != "Geräte" || x.RowNumbers[1] != 3 || x.Rows[1][0] != "Inventarnummer" || x.Rows[2][17] != "44319" {
		t.Errorf("XLSX: sheet %q rows %v, header %q, date cell %q", x.Sheet, x.RowNumbers[:3], x.Rows[1][0], x.Rows[2][17])
	}
	if _, err := ReadTable(germanXLSX(t), "Tabelle9", DefaultLimits); err == nil || !strings.Contains(err.Error(), `no sheet "Tabelle9" (it has: Info, Geräte)`) {
		t.Errorf("unknown sheet: %v", err)
	}
}

// zipOf builds a zip archive with the given entries (name → content), compressed.
func zipOf(t *testing.T, entries map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, name := range []string{"[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml", "bomb.xml"} {
		if c, ok := entries[name]; ok {
			f, _ := w.Create(name)
			f.Write(c)
		}
	}
	w.Close()
	return b.Bytes()
}

// lyingZip declares a small entry whose compressed data unpacks to 4 MiB.
func lyingZip(t *testing.T) []byte {
	t.Helper()
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestCompression)
	fw.Write(make([]byte, 4<<20))
	fw.Close()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	f, _ := w.Create("xl/workbook.xml")
	f.Write([]byte("<workbook/>"))
	raw, err := w.CreateRaw(&zip.FileHeader{Name: "xl/sharedStrings.xml", Method: zip.Deflate, CompressedSize64: uint64(comp.Len()), UncompressedSize64: 1000})
	if err != nil {
		t.Fatal(err)
	}
	raw.Write(comp.Bytes())
	w.Close()
	return b.Bytes()
}

func TestReadTableRefusesHostileInput(t *testing.T) {
	xlsx := germanXLSX(t)
	hugeCell := "Inventarnummer;Hersteller\nMT-1;\"" + strings.Repeat("A", 10<<20) + "\"\n"
	manyRows := "Inventarnummer;Hersteller\n" + strings.Repeat("MT-1;B. Braun\n", 20)
	wide := "Inventarnummer" + strings.Repeat(";x", 300) + "\n"
	small := DefaultLimits
	small.MaxRows, small.MaxZipEntries = 10, 3
	tests := []struct {
		name string
		data []byte
		lim  Limits
		code string
		msg  string
	}{
		{"empty", nil, DefaultLimits, domain.EInvalid, "the file is empty"},
		{"xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0}, DefaultLimits, domain.EInvalid, "Excel 97–2003 .xls"},
		{"pdf", []byte("%PDF-1.7\n..."), DefaultLimits, domain.EInvalid, "PDF document"},
		{"gzip", []byte{0x1F, 0x8B, 8, 0}, DefaultLimits, domain.EInvalid, "gzip archive"},
		{"nul bytes", []byte("I\x00n\x00v\x00"), DefaultLimits, domain.EInvalid, "NUL byte at offset 1"},
		{"bad utf-8 bom", []byte("\xEF\xBB\xBFInv\xFF"), DefaultLimits, domain.EInvalid, "not valid UTF-8"},
		{"10 MB cell", []byte(hugeCell), DefaultLimits, domain.ETooLarge, "row 2, column B: the cell has 10485760 bytes, more than the 32768 allowed"},
		{"too many rows", []byte(manyRows), small, domain.ETooLarge, "more than 10 rows"},
		{"too many columns", []byte(wide), DefaultLimits, domain.ETooLarge, "row 1 has 301 columns"},
		{"too large", make([]byte, 2<<20), Limits{MaxBytes: 1 << 20}, domain.ETooLarge, "larger than 1 MiB"},
		{"truncated xlsx", xlsx[:len(xlsx)/2], DefaultLimits, domain.EInvalid, "cannot be opened"},
		{"zip, not a workbook", zipOf(t, map[string][]byte{"word/document.xml": []byte("<w/>"), "[Content_Types].xml": []byte("<Types/>")}), DefaultLimits, domain.EInvalid, "not an Excel workbook"},
		{"zip bomb (ratio)", zipOf(t, map[string][]byte{"xl/workbook.xml": []byte("<workbook/>"), "bomb.xml": make([]byte, 8<<20)}), DefaultLimits, domain.ETooLarge, "zip bomb"},
		{"zip bomb (total)", zipOf(t, map[string][]byte{"xl/workbook.xml": []byte("<workbook/>"), "bomb.xml": bytes.Repeat([]byte("<c>1</c>"), 1<<18)}), Limits{MaxBytes: 32 << 20, MaxRows: 10, MaxColumns: 10, MaxCell: 10, MaxZipEntries: 10, MaxUnzipped: 1 << 20, MaxRatio: 1000}, domain.ETooLarge, "unpacks to more than 1 MiB"},
		{"zip lies about sizes", lyingZip(t), DefaultLimits, domain.EInvalid, "unpacks to more than it declares"},
		{"too many zip entries", xlsx, small, domain.ETooLarge, "entries, more than the 3 allowed"},
		{"sheet named for a CSV", []byte("a;b\n"), DefaultLimits, domain.EInvalid, "not an XLSX workbook"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.name == "sheet named for a CSV" {
				_, err = ReadTable(tc.data, "Sheet1", tc.lim)
			} else {
				_, err = ReadTable(tc.data, "", tc.lim)
			}
			if domain.ErrorCode(err) != tc.code || !strings.Contains(domain.ErrorMessage(err), tc.msg) {
				t.Errorf("got %v (%s), want %s with %q", err, domain.ErrorCode(err), tc.code, tc.msg)
			}
		})
	}
	if _, err := ReadAll(bytes.NewReader(make([]byte, 3<<20)), Limits{MaxBytes: 2 << 20}); domain.ErrorCode(err) != domain.ETooLarge {
		t.Errorf("ReadAll over the limit: %v", err)
	}
}

func TestColumnLetter(t *testing.T) {
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 27: "AB", 51: "AZ", 52: "BA", 701: "ZZ", 702: "AAA"} {
		if got := ColumnLetter(i); got != want {
			t.Errorf("ColumnLetter(%d) = %s, want %s", i, got, want)
		}
	}
}
