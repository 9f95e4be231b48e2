package mds2

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"strings"
	"testing"
)

func nemaBytes(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(nemaPath)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// workbookParts are the entries that make a zip look like an xlsx to the OOXML check.
var workbookParts = [][2]string{
	{"[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`},
	{"xl/workbook.xml", `<?xml version="1.0"?><workbook/>`},
}

// lyingZip writes one deflated entry whose header declares `declared` bytes while it holds `actual`.
func lyingZip(t testing.TB, actual []byte, declared uint64) []byte {
	t.Helper()
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestCompression)
	fw.Write(actual)
	fw.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range workbookParts {
		w, _ := zw.Create(p[0])
		w.Write([]byte(p[1]))
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate,
		CRC32: crc32.ChecksumIEEE(actual), CompressedSize64: uint64(comp.Len()), UncompressedSize64: declared})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(comp.Bytes())
	zw.Close()
	return buf.Bytes()
}

func TestReadXLSXRefusals(t *testing.T) {
	nema := nemaBytes(t)
	corrupt := append([]byte(nil), nema...)
	for i := len(corrupt) / 3; i < len(corrupt)/3+64; i++ {
		corrupt[i] ^= 0x5A
	}
	manyEntries := func() []byte {
		entries := append([][2]string(nil), workbookParts...)
		for i := 0; i < 1001; i++ {
			entries = append(entries, [2]string{fmt.Sprintf("xl/media/x%d.txt", i), "x"})
		}
		return buildZip(t, entries...)
	}()
	bomb := buildZip(t, append(append([][2]string(nil), workbookParts...),
		[2]string{"xl/sharedStrings.xml", strings.Repeat("\x00", 20<<20)})...)
	tests := []struct {
		name string
		data []byte
		is   error
		want string // substring of the message
	}{
		{"truncated.xlsx", nema[:len(nema)/2], ErrUnsafe, "truncated or damaged zip archive (22240 bytes; the central directory cannot be read"},
		{"corrupt.xlsx", corrupt, ErrUnsafe, "truncated or damaged zip archive: entry"},
		{"bomb.xlsx", bomb, ErrUnsafe, `zip archive exceeds safety limits: xl/sharedStrings.xml expands`},
		{"many.xlsx", manyEntries, ErrUnsafe, "zip archive exceeds safety limits: 1003 entries, more than 1000"},
		{"big-declared.xlsx", lyingZip(t, []byte("<x/>"), 100<<20), ErrUnsafe, `entry "xl/worksheets/sheet1.xml" declares 104857600 bytes, more than 25165824`},
		{"lying.xlsx", lyingZip(t, bytes.Repeat([]byte("<row/>"), 1<<18), 100), ErrUnsafe, `entry "xl/worksheets/sheet1.xml"`},
		{"notes.zip", buildZip(t, [2]string{"readme.txt", "hello"}, [2]string{"a/b.csv", "1,2"}), ErrUnsupported,
			`not an Office Open XML workbook: a zip archive without xl/workbook.xml (entries "readme.txt", "a/b.csv")`},
		{"letter.docx", buildZip(t, [2]string{"[Content_Types].xml", "<Types/>"}, [2]string{"word/document.xml", "<w/>"}), ErrUnsupported,
			"not an Office Open XML workbook: a Word document (.docx)"},
		{"sheet.ods", buildZip(t, [2]string{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"}, [2]string{"content.xml", "<c/>"}), ErrUnsupported,
			"an OpenDocument file (application/vnd.oasis.opendocument.spreadsheet); save it as .xlsx"},
	}
	for _, tt := range tests {
		_, err := ReadXLSX(bytes.NewReader(tt.data), tt.name, 64<<20)
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		if !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), `"`+tt.name+`"`) {
			t.Errorf("%s: err = %v\nwant %v containing %q and the file name", tt.name, err, tt.is, tt.want)
		}
	}
}

func TestReadXLSXTooLarge(t *testing.T) {
	_, err := ReadXLSX(bytes.NewReader(nemaBytes(t)), "nema.xlsx", 10000)
	want := `mds2 "nema.xlsx": larger than the limit of 10000 bytes: too large`
	if err == nil || err.Error() != want || !errors.Is(err, ErrTooLarge) {
		t.Errorf("err = %v, want %s", err, want)
	}
}

func TestReadXLSX2013AndUnknown(t *testing.T) {
	old := buildWorkbook(t, sheet{"Page 1", [][]string{
		{"Manufacturer Disclosure Statement for Medical Device Security – MDS2"},
		{"DEVICE DESCRIPTION"},
		{"Device Category", "Manufacturer", "Document ID", "Document Release Date"},
		{"SECURITY CAPABILITIES"},
		{"1", "AUTOMATIC LOGOFF (ALOF)"},
		{"1-1", "Can the device be configured to force reauthorization?", "Yes", "1"},
		{"1-2", "Idle time configurable?", "No"},
		{"2", "AUDIT CONTROLS (AUDT)"},
		{"2-1", "Can the device create an audit trail?", "Yes"},
		{"4", "CONFIGURATION OF SECURITY FEATURES (CNFS)"},
		{"4-1", "Can the device owner reconfigure product security capabilities?", "No"},
	}})
	_, err := ReadXLSX(bytes.NewReader(old), "old.xlsx", 0)
	want := `mds2 "old.xlsx": this looks like an MDS2 2013 form (sheet "Page 1", numbered sections such as "1 AUTOMATIC LOGOFF (ALOF)", items numbered like "1-1", "(CNFS)"); only the 2019 form (ANSI/NEMA HN 1-2019) is supported: unsupported document`
	if err == nil || err.Error() != want || !errors.Is(err, ErrUnsupported) {
		t.Errorf("2013 form: err = %v\nwant %s", err, want)
	}

	other := buildWorkbook(t, sheet{"A", [][]string{{"Asset tag", "Serial"}, {"INF-0001", "SN123"}}}, sheet{"B", [][]string{{"DOC-1 is mentioned once"}}})
	_, err = ReadXLSX(bytes.NewReader(other), "inventory.xlsx", 0)
	want = `mds2 "inventory.xlsx": no MDS2 question ids found in sheets "A", "B": unsupported document`
	if err == nil || err.Error() != want || !errors.Is(err, ErrUnsupported) {
		t.Errorf("unknown workbook: err = %v\nwant %s", err, want)
	}
}

func TestReadDetectsFormat(t *testing.T) {
	nema := nemaBytes(t)
	md, err := os.ReadFile(medicapturePath)
	if err != nil {
		t.Fatal(err)
	}
	var js bytes.Buffer
	if err := WriteJSON(&js, readFixture(t, nemaPath)); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"nema.xlsx": nema, "medicapture.md": md, "nema.json": js.Bytes()} {
		f, err := Read(bytes.NewReader(data), name, 0)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(f.Answers) != 240 {
			t.Errorf("%s: %d answers", name, len(f.Answers))
		}
	}
	refusals := []struct {
		name string
		data string
		want string
	}{
		{"form.pdf", "%PDF-1.7\n...", "a PDF document"},
		{"form.xls", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00", "an OLE2 compound file (a legacy .xls/.doc or a password-protected workbook"},
		{"page.html", "<!DOCTYPE html><html><body><table></table></body></html>", "an HTML page"},
		{"bom.json", `{"bomFormat":"CycloneDX","specVersion":"1.5"}`, "a CycloneDX document, not a Vigil MDS2 export"},
		{"advisory.json", `{"document":{"csaf_version":"2.0"}}`, "a CSAF document, not a Vigil MDS2 export"},
		{"list.json", `[1,2,3]`, "json: line 1: cannot unmarshal array"},
		{"empty.txt", "", "an empty file"},
		{"blob.bin", "\x00\x01\x02\x03binary", "binary data of unknown type"},
		{"empty.zip", "PK\x05\x06" + strings.Repeat("\x00", 18), "an empty zip archive"},
	}
	for _, tt := range refusals {
		_, err := Read(strings.NewReader(tt.data), tt.name, 0)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
}
