package training

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/tabular"
)

// This file reads the tables of the module's imports (an HR export, results of e-learning and
// phishing platforms) from CSV or XLSX with the reader the inventory import uses too (internal/tabular:
// encoding and delimiter detection, limits against oversized files and zip bombs); mapping.go finds the
// header and maps the module's fields with the shared folding of column names.

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

// Row is one non-empty row of a table with its number in the file (as a spreadsheet shows it: the CSV
// line, blank lines counted, or the XLSX row, from 1).
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

// Table is a sheet read from a CSV or XLSX file; empty rows are left out.
type Table struct {
	File   string // file name as given
	Format string // csv or xlsx
	Sheet  string // XLSX: the sheet read (the first with data)
	Rows   []Row
}

// fileError is the error of a file that cannot be read, naming it.
func fileError(name, code, format string, args ...any) error {
	return &domain.Error{Code: code, Field: "file", Message: name + ": " + fmt.Sprintf(format, args...)}
}

func invalidFile(name, format string, args ...any) error {
	return fileError(name, domain.EInvalid, format, args...)
}

// readError words the shared reader's errors for this module's imports: the file's name first, and CSV
// positions as lines and column numbers (as a text editor shows them).
func readError(name string, err error) error {
	var te *tabular.Error
	if !errors.As(err, &te) {
		return invalidFile(name, "reading: %v", err)
	}
	msg := te.Error()
	switch {
	case te.Problem == tabular.ProblemTooManyColumns && te.Sheet == "":
		msg = fmt.Sprintf("line %d has %d columns, more than the limit of %d", te.Line, te.Got, te.Limit)
	case te.Problem == tabular.ProblemCellTooLong && te.Sheet == "":
		msg = fmt.Sprintf("line %d, column %d: the cell is longer than %d bytes", te.Line, te.Column+1, te.Limit)
	case te.Problem == tabular.ProblemNotWorkbook:
		msg = "a zip archive, but not an XLSX workbook (xl/workbook.xml is missing)"
	case te.Problem == tabular.ProblemZipRatio:
		msg = fmt.Sprintf("part %s is compressed more than %d:1 (a zip bomb?)", te.Entry, te.Limit)
	}
	return fileError(name, te.Code(), "%s", msg)
}

// ReadTable reads a CSV (comma, semicolon, tab or pipe separated; UTF-8 with or without BOM, UTF-16
// with BOM, or Windows-1252) or an XLSX workbook (its first sheet with data) within the limits, through
// the shared reader of internal/tabular. Errors name the file and, where there is one, the line or row.
func ReadTable(name string, r io.Reader, lim Limits) (*Table, error) {
	tl := tabular.Limits{MaxBytes: lim.MaxBytes, MaxRows: lim.MaxRows, MaxColumns: lim.MaxColumns, MaxCell: lim.MaxCellBytes,
		MaxZipEntries: lim.MaxZipEntries, MaxUnzipped: lim.MaxUnzipped, MaxRatio: lim.MaxRatio}
	data, err := tabular.ReadAll(r, lim.MaxBytes)
	if err != nil {
		return nil, readError(name, err)
	}
	tab, err := tabular.Read(data, tabular.Options{Name: name, Limits: tl})
	if err != nil {
		return nil, readError(name, err)
	}
	t := &Table{File: name, Format: tab.Format, Sheet: tab.Sheet}
	for _, row := range tab.Rows {
		t.Rows = append(t.Rows, Row{N: row.N, Cells: row.Cells})
	}
	return t, nil
}

// columnLetter returns the spreadsheet letter of a 0-based column index (0 → A, 26 → AA).
func columnLetter(i int) string { return tabular.ColumnLetter(i) }
