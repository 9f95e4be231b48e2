// Package inventory imports device inventories from the exports of asset-management and CMMS systems
// (CSV and XLSX): it reads the file defensively, recognises the columns (English and German names, or
// an explicit mapping), parses every cell into a typed value, plans what the import would create,
// update or reject against the organisation's inventory, and applies the plan in one transaction.
package inventory

import (
	"errors"
	"fmt"
	"io"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/tabular"
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
// RowNumbers[i]; cells are trimmed, empty rows left out.
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

// readError turns a tabular reader's error into the module's domain error.
func readError(err error) error {
	var te *tabular.Error
	if !errors.As(err, &te) {
		return err
	}
	if te.TooLarge() {
		return tooLarge("%s", te.Error())
	}
	return invalid("%s", te.Error())
}

func (lim Limits) tabular() tabular.Limits {
	return tabular.Limits{MaxBytes: lim.MaxBytes, MaxRows: lim.MaxRows, MaxColumns: lim.MaxColumns, MaxCell: lim.MaxCell,
		MaxZipEntries: lim.MaxZipEntries, MaxUnzipped: lim.MaxUnzipped, MaxRatio: lim.MaxRatio}
}

// ReadAll reads r up to lim.MaxBytes and refuses larger input with a "too large" error.
func ReadAll(r io.Reader, lim Limits) ([]byte, error) {
	b, err := tabular.ReadAll(r, lim.MaxBytes)
	return b, readError(err)
}

// ReadTable recognises the file by its content (not its name) and reads it (internal/tabular): an XLSX
// workbook (the given sheet, or the sheet that looks most like an inventory), or delimited text with
// its encoding and delimiter detected. Other formats are named in the error ("an Excel 97–2003 .xls
// file …").
func ReadTable(data []byte, sheet string, lim Limits) (*Table, error) {
	tab, err := tabular.Read(data, tabular.Options{Sheet: sheet, Limits: lim.tabular(), Score: func(rows [][]string) int {
		_, score := findHeader(rows)
		return score
	}})
	if err != nil {
		return nil, readError(err)
	}
	t := &Table{Format: tab.Format, Encoding: tab.Encoding, Delimiter: tab.Delimiter, Sheet: tab.Sheet, Sheets: tab.Sheets}
	for _, r := range tab.Rows {
		t.Rows, t.RowNumbers = append(t.Rows, r.Cells), append(t.RowNumbers, r.N)
	}
	return t, nil
}

// ColumnLetter is the spreadsheet name of a 0-based column index (0 → A, 26 → AA).
func ColumnLetter(i int) string { return tabular.ColumnLetter(i) }
