// Package tabular reads the tables people export from other systems — asset registers, CMMS and HR
// exports, e-learning and phishing-simulation reports — from CSV or XLSX, defensively, for Vigil's
// imports (inventory, training). It detects the encoding and delimiter of text, checks workbooks
// (zip entry count, total unpacked size, compression ratio, encryption, entries that unpack to more
// than they declare) before opening them, bounds rows, columns and cells, and names the row, line,
// column and sheet of every problem. It also holds what the imports share after reading: folding of
// column names, alias lookup, header-row detection and the rejection of a row.
package tabular

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
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// Limits bound what Read accepts. Every limit refuses its input with an error that says which.
type Limits struct {
	MaxBytes      int64 // size of the file
	MaxRows       int   // non-empty rows of the table (header included)
	MaxColumns    int   // columns of a row
	MaxCell       int   // bytes in one cell
	MaxZipEntries int   // XLSX: entries of the archive
	MaxUnzipped   int64 // XLSX: total uncompressed size of the entries
	MaxRatio      int64 // XLSX: compression ratio of one entry larger than 1 MiB
}

// Options say what to read.
type Options struct {
	// Name is the file's name; only its extension is used (a ".xlsx" that is not a zip archive is
	// refused as a damaged workbook rather than read as text).
	Name string
	// Sheet is the XLSX sheet to read; "" chooses one (see Score).
	Sheet string
	// Score rates how much a sheet's first 20 non-empty rows look like the wanted table (e.g. the
	// number of known column names in its best row); the visible sheet with the highest score is read.
	// Without Score, the first visible sheet with data is read.
	Score  func(rows [][]string) int
	Limits Limits
}

// Row is one non-empty row: its number as a spreadsheet shows it (CSV: blank lines count, a quoted
// cell with line breaks does not add rows; XLSX: the sheet's row) and its cells, trimmed, with
// non-breaking spaces as spaces and trailing empty cells dropped.
type Row struct {
	N     int
	Cells []string
}

// Table is a file's content.
type Table struct {
	Format    string // "csv" or "xlsx"
	Encoding  string // CSV: UTF-8, UTF-8 with BOM, UTF-16LE, UTF-16BE or Windows-1252
	Delimiter string // CSV: ";", ",", "tab" or "|"
	Sheet     string // XLSX: the sheet read
	Sheets    []string
	Rows      []Row
}

// ReadAll reads r up to max bytes and refuses larger input with ProblemTooLarge.
func ReadAll(r io.Reader, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		e := fail(ProblemTooLarge, "the file is larger than %s; split it into several files", Size(max))
		e.Got, e.Limit = int64(len(b)), max
		return nil, e
	}
	return b, nil
}

// Read recognises the file by its content (not its name) and reads it: an XLSX workbook, or delimited
// text with its encoding and delimiter detected. Other formats are named in the error ("an Excel
// 97–2003 .xls file …"). Errors are *Error.
func Read(data []byte, opt Options) (*Table, error) {
	lim := opt.Limits
	if int64(len(data)) > lim.MaxBytes {
		e := fail(ProblemTooLarge, "the file is larger than %s; split it into several files", Size(lim.MaxBytes))
		e.Got, e.Limit = int64(len(data)), lim.MaxBytes
		return nil, e
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fail(ProblemEmpty, "the file is empty")
	}
	ext := strings.ToLower(filepath.Ext(opt.Name))
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")), bytes.HasPrefix(data, []byte("PK\x05\x06")):
		return readXLSX(data, opt)
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, fail(ProblemOldExcel, "this is an Excel 97–2003 .xls file (or another old Office format), which is not read; save it as .xlsx or CSV")
	case bytes.HasPrefix(data, []byte("%PDF")):
		return nil, fail(ProblemPDF, "this is a PDF document, not a spreadsheet; export the table as CSV or XLSX")
	case bytes.HasPrefix(data, []byte{0x1F, 0x8B}):
		return nil, fail(ProblemGzip, "this is a gzip archive; unpack it first")
	case ext == ".xlsx" || ext == ".xlsm":
		return nil, fail(ProblemNotZip, "not a valid XLSX workbook (it is not a zip archive; is the file truncated?)")
	}
	if opt.Sheet != "" {
		return nil, fail(ProblemSheetForCSV, "a sheet (%q) was named, but the file is not an XLSX workbook", opt.Sheet)
	}
	return readCSV(data, lim)
}

// decodeText returns the file as UTF-8 text and the name of its encoding.
func decodeText(data []byte) (string, string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
		if !utf8.Valid(data) {
			return "", "", fail(ProblemEncoding, "the file starts with a UTF-8 byte-order mark but is not valid UTF-8")
		}
		return string(data), "UTF-8 with BOM", nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		order, name := unicode.LittleEndian, "UTF-16LE"
		if data[0] == 0xFE {
			order, name = unicode.BigEndian, "UTF-16BE"
		}
		b, err := unicode.UTF16(order, unicode.ExpectBOM).NewDecoder().Bytes(data)
		if err != nil {
			return "", "", fail(ProblemEncoding, "the file says it is %s but cannot be decoded: %v", name, err)
		}
		return string(b), name, nil
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return "", "", fail(ProblemBinary, "not a CSV or XLSX file: it contains a NUL byte at offset %d (binary data, or UTF-16 without a byte-order mark: save it as UTF-8 CSV)", i)
	}
	if utf8.Valid(data) {
		return string(data), "UTF-8", nil
	}
	b, err := charmap.Windows1252.NewDecoder().Bytes(data)
	if err != nil {
		return "", "", fail(ProblemEncoding, "the file is neither UTF-8 nor Windows-1252 text: %v", err)
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
				msg := pe.Err.Error()
				if errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote) {
					msg += " (a quoted field is not closed: is the file truncated?)"
				}
				e := fail(ProblemSyntax, "row %d (line %d, column %d): %s", pe.StartLine-extra, pe.Line, pe.Column, msg)
				e.Row, e.Line, e.Column, e.Detail = pe.StartLine-extra, pe.Line, pe.Column-1, msg
				return nil, e
			}
			return nil, fail(ProblemSyntax, "%v", err)
		}
		start, _ := r.FieldPos(0)
		end, _ := r.FieldPos(len(rec) - 1)
		row := start - extra
		extra += end - start
		if err := t.add(row, start, rec, lim); err != nil {
			return nil, err
		}
	}
	if len(t.Rows) == 0 {
		return nil, fail(ProblemNoRows, "the file has no rows")
	}
	// Lazy quotes accept a quote inside a cell (12" monitor), but also a quoted cell that the end of the
	// file cuts off: that is a truncated file, not a cell.
	if line, open := openQuoteAtEnd(text, delim); open {
		last := t.Rows[len(t.Rows)-1].N
		e := fail(ProblemSyntax, "row %d (line %d): a quoted field is not closed at the end of the file: is the file truncated?", last, line)
		e.Row, e.Line = last, line
		return nil, e
	}
	return t, nil
}

// openQuoteAtEnd follows the quotes of delimited text as encoding/csv does with LazyQuotes (a quote
// closes a quoted field only before a delimiter, a line end or the end; "" is a quote) and reports
// whether the text ends inside a quoted field, with the line where that field began.
func openQuoteAtEnd(text string, delim rune) (int, bool) {
	line, start := 1, 0
	inQuote, fieldStart := false, true
	rs := []rune(text)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case inQuote && c == '"':
			switch {
			case i+1 < len(rs) && rs[i+1] == '"':
				i++
			case i+1 == len(rs) || rs[i+1] == delim || rs[i+1] == '\n' || rs[i+1] == '\r':
				inQuote = false
			}
		case inQuote:
			if c == '\n' {
				line++
			}
		case c == '"' && fieldStart:
			inQuote, start = true, line
		case c == delim:
			fieldStart = true
			continue
		case c == '\n':
			line++
			fieldStart = true
			continue
		}
		fieldStart = false
	}
	return start, inQuote
}

// add appends one row after checking the limits; cells are trimmed and non-breaking spaces become
// spaces. line is the row's line in a CSV file (its row in a sheet).
func (t *Table) add(row, line int, cells []string, lim Limits) *Error {
	if len(t.Rows) >= lim.MaxRows {
		e := fail(ProblemTooManyRows, "the file has more than %d rows; split it into several files", lim.MaxRows)
		e.Row, e.Line, e.Limit = row, line, int64(lim.MaxRows)
		return e
	}
	for len(cells) > 0 && strings.TrimSpace(cells[len(cells)-1]) == "" {
		cells = cells[:len(cells)-1]
	}
	if len(cells) == 0 {
		return nil // an empty row: skipped, its number is not reused
	}
	if len(cells) > lim.MaxColumns {
		e := fail(ProblemTooManyColumns, "row %d has %d columns, more than the %d allowed", row, len(cells), lim.MaxColumns)
		e.Row, e.Line, e.Got, e.Limit = row, line, int64(len(cells)), int64(lim.MaxColumns)
		return e
	}
	out := make([]string, len(cells))
	for i, c := range cells {
		if len(c) > lim.MaxCell {
			e := fail(ProblemCellTooLong, "row %d, column %s: the cell has %d bytes, more than the %d allowed", row, ColumnLetter(i), len(c), lim.MaxCell)
			e.Row, e.Line, e.Column, e.Got, e.Limit = row, line, i, int64(len(c)), int64(lim.MaxCell)
			return e
		}
		out[i] = strings.TrimSpace(strings.ReplaceAll(c, "\u00a0", " "))
	}
	t.Rows = append(t.Rows, Row{N: row, Cells: out})
	return nil
}

// checkZip inspects an archive before anything decompresses it for real: the number of entries, the
// declared sizes and ratios, encrypted entries, and then (streaming, within the limits) that no entry
// is larger than it declares or damaged, so that the declared sizes the XLSX reader relies on are true.
func checkZip(data []byte, lim Limits) *Error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		e := fail(ProblemZipDamaged, "the file looks like an XLSX workbook (a zip archive) but cannot be opened: %v (is the file truncated?)", err)
		e.Detail = err.Error()
		return e
	}
	if len(zr.File) > lim.MaxZipEntries {
		e := fail(ProblemZipEntries, "the workbook archive has %d entries, more than the %d allowed", len(zr.File), lim.MaxZipEntries)
		e.Got, e.Limit = int64(len(zr.File)), int64(lim.MaxZipEntries)
		return e
	}
	var total uint64
	workbook := false
	for _, f := range zr.File {
		if f.Flags&0x1 != 0 {
			e := fail(ProblemZipEncrypted, "the workbook is encrypted or password-protected; save it without a password")
			e.Entry = f.Name
			return e
		}
		if f.Name == "xl/workbook.xml" {
			workbook = true
		}
		total += f.UncompressedSize64
		if total > uint64(lim.MaxUnzipped) {
			e := fail(ProblemZipUnpacked, "the workbook unpacks to more than %s (a zip bomb?)", strings.TrimPrefix(Size(lim.MaxUnzipped), "the limit of "))
			e.Limit = lim.MaxUnzipped
			return e
		}
		if ratio := f.UncompressedSize64 / max(f.CompressedSize64, 1); f.UncompressedSize64 > 1<<20 && ratio > uint64(lim.MaxRatio) {
			e := fail(ProblemZipRatio, "workbook entry %s is compressed %d:1, more than the %d:1 allowed (a zip bomb?)", f.Name, ratio, lim.MaxRatio)
			e.Entry, e.Got, e.Limit = f.Name, int64(ratio), lim.MaxRatio
			return e
		}
	}
	if !workbook {
		return fail(ProblemNotWorkbook, "the file is a zip archive but not an Excel workbook (it has no xl/workbook.xml)")
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			e := fail(ProblemZipLies, "workbook entry %s cannot be read: %v", f.Name, err)
			e.Entry = f.Name
			return e
		}
		n, err := io.Copy(io.Discard, io.LimitReader(rc, int64(f.UncompressedSize64)+1))
		rc.Close()
		var e *Error
		switch {
		case errors.Is(err, zip.ErrFormat):
			// archive/zip refuses to unpack more than an entry declares.
			e = fail(ProblemZipLies, "workbook entry %s is damaged or unpacks to more than it declares (a zip bomb?)", f.Name)
		case err != nil:
			e = fail(ProblemZipLies, "workbook entry %s is damaged: %v", f.Name, err)
		case uint64(n) > f.UncompressedSize64:
			e = fail(ProblemZipLies, "workbook entry %s is larger than it declares (a zip bomb?)", f.Name)
		}
		if e != nil {
			e.Entry = f.Name
			return e
		}
	}
	return nil
}

func readXLSX(data []byte, opt Options) (t *Table, err error) {
	lim := opt.Limits
	if e := checkZip(data, lim); e != nil {
		return nil, e
	}
	defer func() {
		if r := recover(); r != nil { // excelize on malformed parts the checks above let through
			t, err = nil, fail(ProblemWorkbook, "the XLSX workbook cannot be read: %v", r)
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true,
		UnzipSizeLimit: lim.MaxUnzipped, UnzipXMLSizeLimit: min(lim.MaxUnzipped, 16<<20)})
	if err != nil {
		e := fail(ProblemWorkbook, "the XLSX workbook cannot be read: %v", err)
		e.Detail = err.Error()
		return nil, e
	}
	defer f.Close()
	t = &Table{Format: "xlsx"}
	for _, s := range f.GetSheetList() {
		if v, _ := f.GetSheetVisible(s); v {
			t.Sheets = append(t.Sheets, s)
		}
	}
	sheet := opt.Sheet
	switch {
	case sheet != "":
		found := false
		for _, s := range f.GetSheetList() {
			found = found || s == sheet
		}
		if !found {
			return nil, fail(ProblemNoSheet, "the workbook has no sheet %q (it has: %s)", sheet, strings.Join(f.GetSheetList(), ", "))
		}
	case opt.Score != nil:
		best := -1
		for _, s := range t.Sheets {
			head, err := readSheet(f, s, lim, 20)
			if err != nil {
				return nil, err
			}
			if len(head.Rows) == 0 {
				continue
			}
			if score := opt.Score(cellsOf(head.Rows)); score > best {
				sheet, best = s, score
			}
		}
	default:
		for _, s := range t.Sheets {
			head, err := readSheet(f, s, lim, 20)
			if err != nil {
				return nil, err
			}
			if len(head.Rows) > 0 {
				sheet = s
				break
			}
		}
	}
	if sheet == "" {
		if len(t.Sheets) == 0 {
			return nil, fail(ProblemNoSheet, "the workbook has no visible sheet")
		}
		return nil, fail(ProblemSheetEmpty, "every sheet of the workbook is empty")
	}
	rows, err := readSheet(f, sheet, lim, 0)
	if err != nil {
		return nil, err
	}
	t.Sheet, t.Rows = sheet, rows.Rows
	if len(t.Rows) == 0 {
		e := fail(ProblemSheetEmpty, "sheet %q is empty", sheet)
		e.Sheet = sheet
		return nil, e
	}
	return t, nil
}

func cellsOf(rows []Row) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = r.Cells
	}
	return out
}

// readSheet reads a sheet's rows (at most the first rows of the sheet when first > 0), skipping empty
// ones.
func readSheet(f *excelize.File, sheet string, lim Limits, first int) (*Table, error) {
	rows, err := f.Rows(sheet)
	if err != nil {
		e := fail(ProblemSheet, "sheet %q cannot be read: %v", sheet, err)
		e.Sheet = sheet
		return nil, e
	}
	defer rows.Close()
	t := &Table{}
	for row := 1; rows.Next(); row++ {
		if first > 0 && row > first {
			break
		}
		if row > lim.MaxRows+1000 {
			e := fail(ProblemTooManyRows, "sheet %q has more than %d rows; split it into several files", sheet, lim.MaxRows)
			e.Sheet, e.Row, e.Line, e.Limit = sheet, row, row, int64(lim.MaxRows)
			return nil, e
		}
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			e := fail(ProblemSheet, "row %d: %v", row, err)
			e.Row, e.Line = row, row
			return nil, e.inSheet(sheet)
		}
		if e := t.add(row, row, cells, lim); e != nil {
			return nil, e.inSheet(sheet)
		}
	}
	if err := rows.Error(); err != nil {
		e := fail(ProblemSheet, "%v", err)
		return nil, e.inSheet(sheet)
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

// String describes the table for people: "CSV, Windows-1252, delimiter ;" or "XLSX, sheet "Geräte"".
func (t *Table) String() string {
	switch t.Format {
	case "csv":
		return fmt.Sprintf("CSV, %s, delimiter %s", t.Encoding, t.Delimiter)
	case "xlsx":
		return fmt.Sprintf("XLSX, sheet %q", t.Sheet)
	}
	return t.Format
}
