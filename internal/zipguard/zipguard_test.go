package zipguard

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

func build(t testing.TB, method uint16, entries ...[2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e[0], Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var workbook = [][2]string{{"[Content_Types].xml", "<Types/>"}, {"xl/workbook.xml", "<workbook/>"}}

func TestCheckWorkbook(t *testing.T) {
	many := append([][2]string(nil), workbook...)
	for i := 0; i < 20; i++ {
		many = append(many, [2]string{fmt.Sprintf("x%d", i), "x"})
	}
	small := Limits{MaxEntries: 10, MaxTotal: 4 << 20, MaxEntry: 3 << 20, MaxRatio: 50, RatioFloor: 1 << 10}
	tests := []struct {
		name string
		data []byte
		lim  Limits
		is   error
		msg  string
	}{
		{"ok", build(t, zip.Deflate, workbook...), Limits{}, nil, ""},
		{"ok stored", build(t, zip.Store, workbook...), Limits{}, nil, ""},
		{"not zip", []byte("hello"), Limits{}, ErrNotZip, "not a zip archive"},
		{"entries", build(t, zip.Deflate, many...), small, ErrBomb, "22 entries, more than 10"},
		{"ratio", build(t, zip.Deflate, append(workbook, [2]string{"xl/big.xml", strings.Repeat("a", 2<<20)})...), small, ErrBomb, "xl/big.xml expands"},
		{"total", build(t, zip.Store, append(workbook, [2]string{"a", strings.Repeat("a", 3<<20-1)}, [2]string{"b", strings.Repeat("b", 2<<20)})...), small, ErrBomb, "more than 4194304 bytes uncompressed"},
		{"duplicate", build(t, zip.Deflate, append(workbook, [2]string{"XL/WORKBOOK.XML", "<w/>"})...), Limits{}, ErrBomb, `entry "XL/WORKBOOK.XML" appears twice`},
		{"docx", build(t, zip.Deflate, [2]string{"word/document.xml", "<w/>"}), Limits{}, ErrNotWorkbook, "a Word document (.docx)"},
		{"pptx", build(t, zip.Deflate, [2]string{"ppt/presentation.xml", "<p/>"}), Limits{}, ErrNotWorkbook, "a PowerPoint presentation (.pptx)"},
		{"xlsb", build(t, zip.Deflate, [2]string{"xl/workbook.bin", "x"}), Limits{}, ErrNotWorkbook, "an Excel binary workbook (.xlsb)"},
		{"jar", build(t, zip.Deflate, [2]string{"META-INF/MANIFEST.MF", "x"}), Limits{}, ErrNotWorkbook, "a Java archive"},
		{"empty", build(t, zip.Deflate), Limits{}, ErrNotWorkbook, "an empty zip archive"},
	}
	for _, tt := range tests {
		_, err := CheckWorkbook(tt.data, tt.lim)
		switch {
		case tt.is == nil && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.is != nil && (!errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.msg)):
			t.Errorf("%s: err = %v, want %v containing %q", tt.name, err, tt.is, tt.msg)
		}
	}
}

func TestCheckTruncatedAndCorrupt(t *testing.T) {
	data := build(t, zip.Deflate, append(workbook, [2]string{"xl/sheet.xml", strings.Repeat("<row>1</row>", 5000)})...)
	for cut := 1; cut < len(data); cut += len(data) / 7 {
		if _, err := Check(data[:cut], Limits{}); !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrNotZip) {
			t.Errorf("cut at %d: err = %v, want ErrTruncated", cut, err)
		}
	}
	bad := append([]byte(nil), data...)
	i := bytes.Index(bad, []byte("xl/sheet.xml")) + len("xl/sheet.xml") + 10 // inside the deflated data
	bad[i] ^= 0xFF
	if _, err := Check(bad, Limits{}); !errors.Is(err, ErrTruncated) {
		t.Errorf("corrupt entry: err = %v, want ErrTruncated", err)
	}
}

func FuzzCheckWorkbook(f *testing.F) {
	f.Add(build(f, zip.Deflate, workbook...))
	f.Add(build(f, zip.Store, [2]string{"word/document.xml", "<w/>"}))
	if b, err := os.ReadFile("../testdata/nema-example-mds2-worksheet-2019.xlsx"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		zr, err := CheckWorkbook(data, Limits{MaxTotal: 8 << 20, MaxEntry: 8 << 20})
		if err == nil && zr == nil {
			t.Fatal("nil reader without error")
		}
	})
}
