package training

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/vigil-med/vigil/internal/domain"
)

// This file reads the tables of the module's imports (an HR export, results of e-learning and
// phishing platforms) from CSV or XLSX. It has the shape of the inventory import's reader (header
// detection with English and German column names, explicit mapping, limits against oversized files and
// zip bombs, errors naming file, row and column) so that the two can be merged into one package later.

// Limits bound what ReadTable accepts.
type Limits struct {
	MaxBytes      int64 // size of the file
	MaxRows       int   // rows (lines) of the sheet, header included
	MaxColumns    int   // columns of a row
	MaxCellBytes  int   // bytes of one cell
	MaxZipEntries int   // XLSX: entries of the archive
	MaxUnzipped   int64 // XLSX: total uncompressed size
	MaxRatio      int64 // XLSX: largest compression ratio of an entry above 1 MiB
}

// DefaultLimits suit HR exports of large hospital groups (tens of thousands of people).
var DefaultLimits = Limits{MaxBytes: 32 << 20, MaxRows: 200_000, MaxColumns: 256, MaxCellBytes: 8 << 10,
	MaxZipEntries: 2000, MaxUnzipped: 256 << 20, MaxRatio: 250}

// Row is one row of a table with its number in the file (the CSV line or the XLSX row, from 1).
type Row struct {
	N     int
	Cells []string
}

// Cell returns the cell at index i, trimmed ("" when the row is shorter).
func (r Row) Cell(i int) string {
	if i < 0 || i >= len(r.Cells) {
		return ""
	}
	return strings.TrimSpace(r.Cells[i])
}

func (r Row) empty() bool {
	for _, c := range r.Cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// Table is a sheet read from a CSV or XLSX file.
type Table struct {
	File   string // file name as given
	Format string // csv or xlsx
	Sheet  string // XLSX: the sheet read (the first with data)
	Rows   []Row
}

// tooLarge is the error of a file over a limit.
func tooLarge(name, format string, args ...any) error {
	return &domain.Error{Code: domain.ETooLarge, Field: "file", Message: name + ": " + fmt.Sprintf(format, args...)}
}

func invalidFile(name, format string, args ...any) error {
	return &domain.Error{Code: domain.EInvalid, Field: "file", Message: name + ": " + fmt.Sprintf(format, args...)}
}

// ReadTable reads a CSV (comma, semicolon or tab separated; UTF-8 with or without BOM, or Windows-1252)
// or an XLSX workbook (its first sheet with data) within the limits. Errors name the file and, where
// there is one, the line or row.
func ReadTable(name string, r io.Reader, lim Limits) (*Table, error) {
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxBytes+1))
	if err != nil {
		return nil, invalidFile(name, "reading: %v", err)
	}
	if int64(len(data)) > lim.MaxBytes {
		return nil, tooLarge(name, "the file is larger than the limit of %d bytes", lim.MaxBytes)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, invalidFile(name, "the file is empty")
	}
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return readXLSX(name, data, lim)
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, invalidFile(name, "this is an Excel 97–2003 workbook (.xls), which is not supported: save it as .xlsx or .csv")
	case ext == ".xlsx" || ext == ".xlsm":
		return nil, invalidFile(name, "not a valid XLSX workbook (it is not a zip archive; is the file truncated?)")
	case bytes.IndexByte(data, 0) >= 0:
		return nil, invalidFile(name, "not a CSV or XLSX file (it contains binary data)")
	}
	return readCSV(name, data, lim)
}

func readCSV(name string, data []byte, lim Limits) (*Table, error) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if !utf8.Valid(data) {
		data = decodeWindows1252(data)
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = sniffDelimiter(data)
	r.FieldsPerRecord = -1
	r.ReuseRecord = false
	t := &Table{File: name, Format: "csv"}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				msg := pe.Err.Error()
				if errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote) {
					msg += " (a quoted field is not closed: is the file truncated?)"
				}
				return nil, invalidFile(name, "line %d, column %d: %s", pe.Line, pe.Column, msg)
			}
			return nil, invalidFile(name, "%v", err)
		}
		line, _ := r.FieldPos(0)
		if len(t.Rows) >= lim.MaxRows {
			return nil, tooLarge(name, "more than %d rows", lim.MaxRows)
		}
		if len(rec) > lim.MaxColumns {
			return nil, tooLarge(name, "line %d has %d columns, more than the limit of %d", line, len(rec), lim.MaxColumns)
		}
		for i, c := range rec {
			if len(c) > lim.MaxCellBytes {
				return nil, tooLarge(name, "line %d, column %d: the cell is longer than %d bytes", line, i+1, lim.MaxCellBytes)
			}
		}
		t.Rows = append(t.Rows, Row{N: line, Cells: rec})
	}
	return t, nil
}

// sniffDelimiter picks the separator of the first non-empty line: the most frequent of comma,
// semicolon (German spreadsheet exports) and tab outside quotes.
func sniffDelimiter(data []byte) rune {
	line := data
	for len(line) > 0 {
		i := bytes.IndexByte(line, '\n')
		first := line
		if i >= 0 {
			first = line[:i]
		}
		if len(bytes.TrimSpace(first)) > 0 {
			line = first
			break
		}
		if i < 0 {
			break
		}
		line = line[i+1:]
	}
	counts := map[rune]int{}
	inQuote := false
	for _, c := range string(line) {
		switch {
		case c == '"':
			inQuote = !inQuote
		case !inQuote && (c == ',' || c == ';' || c == '\t'):
			counts[c]++
		}
	}
	best := ','
	for _, c := range []rune{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return best
}

// cp1252 maps the bytes 0x80–0x9F of Windows-1252 that differ from Latin-1.
var cp1252 = map[byte]rune{0x80: '€', 0x82: '‚', 0x83: 'ƒ', 0x84: '„', 0x85: '…', 0x86: '†', 0x87: '‡', 0x88: 'ˆ', 0x89: '‰',
	0x8A: 'Š', 0x8B: '‹', 0x8C: 'Œ', 0x8E: 'Ž', 0x91: '‘', 0x92: '’', 0x93: '“', 0x94: '”', 0x95: '•', 0x96: '–', 0x97: '—',
	0x98: '˜', 0x99: '™', 0x9A: 'š', 0x9B: '›', 0x9C: 'œ', 0x9E: 'ž', 0x9F: 'Ÿ'}

// decodeWindows1252 turns Windows-1252 text (what Excel writes as "CSV" on German Windows) into UTF-8.
func decodeWindows1252(b []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(b) + len(b)/8)
	for _, c := range b {
		if c < 0x80 {
			out.WriteByte(c)
		} else if r, ok := cp1252[c]; ok {
			out.WriteRune(r)
		} else {
			out.WriteRune(rune(c))
		}
	}
	return out.Bytes()
}

// checkZip inspects an XLSX archive before it is opened: entry count, total uncompressed size and the
// compression ratio of large entries (zip bombs), and encrypted entries.
func checkZip(name string, data []byte, lim Limits) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return invalidFile(name, "not a valid XLSX workbook (%v; is the file truncated?)", err)
	}
	if len(zr.File) > lim.MaxZipEntries {
		return tooLarge(name, "the workbook has %d parts, more than the limit of %d", len(zr.File), lim.MaxZipEntries)
	}
	var total uint64
	hasWorkbook := false
	for _, f := range zr.File {
		if f.Flags&0x1 != 0 {
			return invalidFile(name, "the workbook is encrypted or password-protected; save it without a password")
		}
		total += f.UncompressedSize64
		if total > uint64(lim.MaxUnzipped) {
			return tooLarge(name, "the workbook unpacks to more than %d bytes", lim.MaxUnzipped)
		}
		if f.UncompressedSize64 > 1<<20 && (f.CompressedSize64 == 0 || f.UncompressedSize64/f.CompressedSize64 > uint64(lim.MaxRatio)) {
			return tooLarge(name, "part %s is compressed more than %d:1 (a zip bomb?)", f.Name, lim.MaxRatio)
		}
		if f.Name == "xl/workbook.xml" {
			hasWorkbook = true
		}
	}
	if !hasWorkbook {
		return invalidFile(name, "a zip archive, but not an XLSX workbook (xl/workbook.xml is missing)")
	}
	return nil
}

func readXLSX(name string, data []byte, lim Limits) (t *Table, err error) {
	if err := checkZip(name, data, lim); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			t, err = nil, invalidFile(name, "the workbook could not be read (%v)", r)
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: lim.MaxUnzipped, UnzipXMLSizeLimit: lim.MaxUnzipped})
	if err != nil {
		return nil, invalidFile(name, "the workbook could not be read (%v)", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, invalidFile(name, "the workbook has no sheets")
	}
	for _, sh := range sheets {
		t, err := readSheet(name, f, sh, lim)
		if err != nil {
			return nil, err
		}
		for _, r := range t.Rows {
			if !r.empty() {
				return t, nil
			}
		}
	}
	return nil, invalidFile(name, "every sheet of the workbook is empty")
}

func readSheet(name string, f *excelize.File, sheet string, lim Limits) (*Table, error) {
	t := &Table{File: name, Format: "xlsx", Sheet: sheet}
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, invalidFile(name, "sheet %q: %v", sheet, err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
		if n > lim.MaxRows {
			return nil, tooLarge(name, "sheet %q has more than %d rows", sheet, lim.MaxRows)
		}
		cols, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, invalidFile(name, "sheet %q, row %d: %v", sheet, n, err)
		}
		if len(cols) > lim.MaxColumns {
			return nil, tooLarge(name, "sheet %q, row %d has %d columns, more than the limit of %d", sheet, n, len(cols), lim.MaxColumns)
		}
		for i, c := range cols {
			if len(c) > lim.MaxCellBytes {
				return nil, tooLarge(name, "sheet %q, row %d, column %s: the cell is longer than %d bytes", sheet, n, columnLetter(i), lim.MaxCellBytes)
			}
		}
		t.Rows = append(t.Rows, Row{N: n, Cells: cols})
	}
	if err := rows.Error(); err != nil {
		return nil, invalidFile(name, "sheet %q after row %d: %v", sheet, n, err)
	}
	return t, nil
}

// columnLetter returns the spreadsheet letter of a 0-based column index (0 → A, 26 → AA).
func columnLetter(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}
