// Package inventory imports device inventories from the exports of asset-management and CMMS systems
// (CSV and XLSX): it reads the file defensively, recognises the columns (English and German names, or
// an explicit mapping), parses every cell into a typed value, plans what the import would create,
// update or reject against the organisation's inventory, and applies the plan in one transaction.
package inventory

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/vigil-med/vigil/internal/domain"
)

// Limits bound what the readers accept. Every limit refuses its input with an error that says which.
type Limits struct {
	MaxBytes      int64 // size of the file
	MaxRows       int   // rows of the table (header included)
	MaxColumns    int   // columns of a row
	MaxCell       int   // bytes in one cell
	MaxZipEntries int   // XLSX: entries of the archive
	MaxUnzipped   int64 // XLSX: total uncompressed size of the entries
	MaxRatio      int64 // XLSX: compression ratio of one entry larger than 1 MiB
}

// DefaultLimits are generous for real exports (a 20,000-bed hospital group has some 200,000 devices
// across several files) and small enough for one server.
var DefaultLimits = Limits{
	MaxBytes:      32 << 20,
	MaxRows:       100_000,
	MaxColumns:    200,
	MaxCell:       32 << 10,
	MaxZipEntries: 1000,
	MaxUnzipped:   256 << 20,
	MaxRatio:      200,
}

// Table is a file's content as rows of text cells. Rows[i] is what a spreadsheet shows as row
// RowNumbers[i]; cells are trimmed.
type Table struct {
	Format     string // "csv" or "xlsx"
	Encoding   string // CSV: UTF-8, UTF-8 with BOM, UTF-16LE, UTF-16BE or Windows-1252
	Delimiter  string // CSV: ";", ",", "tab" or "|"
	Sheet      string // XLSX: the sheet read
	Sheets     []string
	Rows       [][]string
	RowNumbers []int
}

// tooLarge is the error of every exceeded limit.
func tooLarge(format string, args ...any) error {
	return &domain.Error{Code: domain.ETooLarge, Message: fmt.Sprintf(format, args...)}
}

// invalid is the error of input that cannot be read.
func invalid(format string, args ...any) error {
	return &domain.Error{Code: domain.EInvalid, Field: "file", Message: fmt.Sprintf(format, args...)}
}

// ReadAll reads r up to lim.MaxBytes and refuses larger input with a "too large" error.
func ReadAll(r io.Reader, lim Limits) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, lim.MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > lim.MaxBytes {
		return nil, tooLarge("the file is larger than %d MiB; split it into several files", lim.MaxBytes>>20)
	}
	return b, nil
}

// ReadTable recognises the file by its content (not its name) and reads it: an XLSX workbook (the
// given sheet, or the sheet that looks most like an inventory), or delimited text with its encoding
// and delimiter detected. Other formats are named in the error ("an Excel 97–2003 .xls file …").
func ReadTable(data []byte, sheet string, lim Limits) (*Table, error) {
	if int64(len(data)) > lim.MaxBytes {
		return nil, tooLarge("the file is larger than %d MiB; split it into several files", lim.MaxBytes>>20)
	}
	if len(data) == 0 {
		return nil, invalid("the file is empty")
	}
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")), bytes.HasPrefix(data, []byte("PK\x05\x06")):
		return readXLSX(data, sheet, lim)
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		return nil, invalid("this is an Excel 97–2003 .xls file (or another old Office format), which is not read; save it as .xlsx or CSV")
	case bytes.HasPrefix(data, []byte("%PDF")):
		return nil, invalid("this is a PDF document, not a spreadsheet; export the inventory as CSV or XLSX")
	case bytes.HasPrefix(data, []byte{0x1F, 0x8B}):
		return nil, invalid("this is a gzip archive; unpack it first")
	}
	if sheet != "" {
		return nil, invalid("a sheet (%q) was named, but the file is not an XLSX workbook", sheet)
	}
	return readCSV(data, lim)
}

// decodeText returns the file as UTF-8 text and the name of its encoding.
func decodeText(data []byte) (string, string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
		if !utf8.Valid(data) {
			return "", "", invalid("the file starts with a UTF-8 byte-order mark but is not valid UTF-8")
		}
		return string(data), "UTF-8 with BOM", nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		order, name := unicode.LittleEndian, "UTF-16LE"
		if data[0] == 0xFE {
			order, name = unicode.BigEndian, "UTF-16BE"
		}
		b, err := unicode.UTF16(order, unicode.ExpectBOM).NewDecoder().Bytes(data)
		if err != nil {
			return "", "", invalid("the file says it is %s but cannot be decoded: %v", name, err)
		}
		return string(b), name, nil
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return "", "", invalid("the file contains a NUL byte at offset %d: it is binary, or UTF-16 without a byte-order mark (save it as UTF-8 CSV)", i)
	}
	if utf8.Valid(data) {
		return string(data), "UTF-8", nil
	}
	b, err := charmap.Windows1252.NewDecoder().Bytes(data)
	if err != nil {
		return "", "", invalid("the file is neither UTF-8 nor Windows-1252 text: %v", err)
	}
	return string(b), "Windows-1252", nil
}

var delimiters = []struct {
	r    rune
	name string
}{{';', ";"}, {',', ","}, {'\t', "tab"}, {'|', "|"}}

// detectDelimiter parses the first records with each candidate and takes the one that splits them
// into the most columns consistently.
func detectDelimiter(text string) (rune, string) {
	sample := text
	if len(sample) > 64<<10 {
		sample = sample[:64<<10]
	}
	best, bestName, bestScore := ',', ",", 0
	for _, d := range delimiters {
		r := csv.NewReader(strings.NewReader(sample))
		r.Comma, r.LazyQuotes, r.FieldsPerRecord = d.r, true, -1
		counts := map[int]int{}
		for range 20 {
			rec, err := r.Read()
			if err != nil {
				break
			}
			if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
				continue
			}
			counts[len(rec)]++
		}
		mode, n := 0, 0
		for c, k := range counts {
			if k > n || (k == n && c > mode) {
				mode, n = c, k
			}
		}
		if mode > 1 && n*mode > bestScore {
			best, bestName, bestScore = d.r, d.name, n*mode
		}
	}
	return best, bestName
}

func readCSV(data []byte, lim Limits) (*Table, error) {
	text, enc, err := decodeText(data)
	if err != nil {
		return nil, err
	}
	if !strings.Contains(text, "\n") && strings.Contains(text, "\r") {
		text = strings.ReplaceAll(text, "\r", "\n") // classic Mac line ends
	}
	delim, name := detectDelimiter(text)
	t := &Table{Format: "csv", Encoding: enc, Delimiter: name}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma, r.LazyQuotes, r.FieldsPerRecord = delim, true, -1
	// Rows are numbered as a spreadsheet shows the file: blank lines count, a cell with line breaks
	// does not add rows.
	extra := 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, invalid("row %d (line %d): %v", pe.StartLine-extra, pe.Line, pe.Err)
			}
			return nil, invalid("%v", err)
		}
		start, _ := r.FieldPos(0)
		end, _ := r.FieldPos(len(rec) - 1)
		row := start - extra
		extra += end - start
		if err := t.add(row, rec, lim); err != nil {
			return nil, err
		}
	}
	if len(t.Rows) == 0 {
		return nil, invalid("the file has no rows")
	}
	return t, nil
}

// add appends one row after checking the limits; cells are trimmed and non-breaking spaces become
// spaces.
func (t *Table) add(row int, cells []string, lim Limits) error {
	if len(t.Rows) >= lim.MaxRows {
		return tooLarge("the file has more than %d rows; split it into several files", lim.MaxRows)
	}
	for len(cells) > 0 && strings.TrimSpace(cells[len(cells)-1]) == "" {
		cells = cells[:len(cells)-1]
	}
	if len(cells) == 0 {
		return nil // an empty row: skipped, its number is not reused
	}
	if len(cells) > lim.MaxColumns {
		return tooLarge("row %d has %d columns, more than the %d allowed", row, len(cells), lim.MaxColumns)
	}
	out := make([]string, len(cells))
	for i, c := range cells {
		if len(c) > lim.MaxCell {
			return tooLarge("row %d, column %s: the cell has %d bytes, more than the %d allowed", row, ColumnLetter(i), len(c), lim.MaxCell)
		}
		out[i] = strings.TrimSpace(strings.ReplaceAll(c, "\u00a0", " "))
	}
	t.Rows = append(t.Rows, out)
	t.RowNumbers = append(t.RowNumbers, row)
	return nil
}

// checkZip inspects an archive before anything decompresses it for real: the number of entries, the
// declared sizes and ratios, and then (streaming, within the limits) that no entry is larger than it
// declares or damaged, so that the declared sizes the XLSX reader relies on are true.
func checkZip(data []byte, lim Limits) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return invalid("the file looks like an XLSX workbook (a zip archive) but cannot be opened: %v (is it truncated?)", err)
	}
	if len(zr.File) > lim.MaxZipEntries {
		return tooLarge("the workbook archive has %d entries, more than the %d allowed", len(zr.File), lim.MaxZipEntries)
	}
	var total uint64
	workbook := false
	for _, f := range zr.File {
		if f.Name == "xl/workbook.xml" {
			workbook = true
		}
		total += f.UncompressedSize64
		if total > uint64(lim.MaxUnzipped) {
			return tooLarge("the workbook unpacks to more than %d MiB (a zip bomb?)", lim.MaxUnzipped>>20)
		}
		if f.UncompressedSize64 > 1<<20 && f.UncompressedSize64/max(f.CompressedSize64, 1) > uint64(lim.MaxRatio) {
			return tooLarge("workbook entry %s is compressed %d:1, more than the %d:1 allowed (a zip bomb?)", f.Name,
				f.UncompressedSize64/max(f.CompressedSize64, 1), lim.MaxRatio)
		}
	}
	if !workbook {
		return invalid("the file is a zip archive but not an Excel workbook (it has no xl/workbook.xml)")
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return invalid("workbook entry %s cannot be read: %v", f.Name, err)
		}
		n, err := io.Copy(io.Discard, io.LimitReader(rc, int64(f.UncompressedSize64)+1))
		rc.Close()
		if errors.Is(err, zip.ErrFormat) {
			// archive/zip refuses to unpack more than an entry declares.
			return invalid("workbook entry %s is damaged or unpacks to more than it declares (a zip bomb?)", f.Name)
		}
		if err != nil {
			return invalid("workbook entry %s is damaged: %v", f.Name, err)
		}
		if uint64(n) > f.UncompressedSize64 {
			return tooLarge("workbook entry %s is larger than it declares (a zip bomb?)", f.Name)
		}
	}
	return nil
}

func readXLSX(data []byte, sheet string, lim Limits) (*Table, error) {
	if err := checkZip(data, lim); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true,
		UnzipSizeLimit: lim.MaxUnzipped, UnzipXMLSizeLimit: min(lim.MaxUnzipped, 16<<20)})
	if err != nil {
		return nil, invalid("the XLSX workbook cannot be read: %v", err)
	}
	defer f.Close()
	t := &Table{Format: "xlsx"}
	for _, s := range f.GetSheetList() {
		if v, _ := f.GetSheetVisible(s); v {
			t.Sheets = append(t.Sheets, s)
		}
	}
	if sheet != "" {
		found := false
		for _, s := range f.GetSheetList() {
			found = found || s == sheet
		}
		if !found {
			return nil, invalid("the workbook has no sheet %q (it has: %s)", sheet, strings.Join(f.GetSheetList(), ", "))
		}
	} else {
		// The sheet whose first rows name the most known columns.
		best := -1
		for _, s := range t.Sheets {
			head, err := readSheet(f, s, lim, 20)
			if err != nil {
				return nil, err
			}
			if _, score := findHeader(head.Rows); score > best {
				sheet, best = s, score
			}
		}
		if sheet == "" {
			return nil, invalid("the workbook has no visible sheet")
		}
	}
	rows, err := readSheet(f, sheet, lim, 0)
	if err != nil {
		return nil, err
	}
	t.Sheet, t.Rows, t.RowNumbers = sheet, rows.Rows, rows.RowNumbers
	if len(t.Rows) == 0 {
		return nil, invalid("sheet %q is empty", sheet)
	}
	return t, nil
}

// readSheet reads a sheet's rows (at most first rows when first > 0), skipping empty ones.
func readSheet(f *excelize.File, sheet string, lim Limits, first int) (*Table, error) {
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, invalid("sheet %q cannot be read: %v", sheet, err)
	}
	defer rows.Close()
	t := &Table{}
	for row := 1; rows.Next(); row++ {
		if first > 0 && row > first {
			break
		}
		if row > lim.MaxRows+1000 {
			return nil, tooLarge("sheet %q has more than %d rows; split it into several files", sheet, lim.MaxRows)
		}
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, invalid("sheet %q, row %d: %v", sheet, row, err)
		}
		if err := t.add(row, cells, lim); err != nil {
			var de *domain.Error
			if errors.As(err, &de) {
				de.Message = fmt.Sprintf("sheet %q, %s", sheet, de.Message)
			}
			return nil, err
		}
	}
	if err := rows.Error(); err != nil {
		return nil, invalid("sheet %q: %v", sheet, err)
	}
	return t, nil
}

// ColumnLetter is the spreadsheet name of a 0-based column index (0 → A, 26 → AA).
func ColumnLetter(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}
