package tabular

import (
	"fmt"

	"github.com/vigil-med/vigil/internal/domain"
)

// Problem names what is wrong with a file; modules that word some problems their own way switch on it.
type Problem string

// The problems Read reports.
const (
	ProblemEmpty          Problem = "empty"            // no data at all
	ProblemTooLarge       Problem = "too-large"        // the file is over Limits.MaxBytes
	ProblemOldExcel       Problem = "old-excel"        // an Excel 97–2003 (OLE) file
	ProblemPDF            Problem = "pdf"              // a PDF document
	ProblemGzip           Problem = "gzip"             // a gzip archive
	ProblemNotZip         Problem = "not-zip"          // named .xlsx but not a zip archive
	ProblemBinary         Problem = "binary"           // NUL bytes: binary, or UTF-16 without a byte-order mark
	ProblemEncoding       Problem = "encoding"         // text that cannot be decoded
	ProblemSyntax         Problem = "syntax"           // CSV that cannot be parsed
	ProblemNoRows         Problem = "no-rows"          // text without a single non-empty row
	ProblemTooManyRows    Problem = "too-many-rows"    // over Limits.MaxRows
	ProblemTooManyColumns Problem = "too-many-columns" // a row over Limits.MaxColumns
	ProblemCellTooLong    Problem = "cell-too-long"    // a cell over Limits.MaxCell
	ProblemSheetForCSV    Problem = "sheet-for-csv"    // a sheet was named for a file that is not a workbook
	ProblemZipDamaged     Problem = "zip-damaged"      // the zip archive cannot be opened
	ProblemZipEntries     Problem = "zip-entries"      // over Limits.MaxZipEntries
	ProblemZipUnpacked    Problem = "zip-unpacked"     // the entries' total size is over Limits.MaxUnzipped
	ProblemZipRatio       Problem = "zip-ratio"        // an entry is compressed more than Limits.MaxRatio
	ProblemZipEncrypted   Problem = "zip-encrypted"    // an entry is encrypted
	ProblemZipLies        Problem = "zip-lies"         // an entry unpacks to more than it declares, or is damaged
	ProblemNotWorkbook    Problem = "not-workbook"     // a zip archive without xl/workbook.xml
	ProblemWorkbook       Problem = "workbook"         // the workbook cannot be read
	ProblemNoSheet        Problem = "no-sheet"         // the named sheet does not exist, or none is visible
	ProblemSheetEmpty     Problem = "sheet-empty"      // the sheet read has no rows (or every sheet is empty)
	ProblemSheet          Problem = "sheet"            // a sheet cannot be read
)

// Error is a file that Read refuses. Its fields say where (Sheet, Row as a spreadsheet shows it, Line
// of a CSV file, Column as a 0-based index, or -1) and what (Got against Limit, the zip Entry, Detail
// from a parser); Error() is a sentence for people.
type Error struct {
	Problem Problem
	Sheet   string
	Row     int
	Line    int
	Column  int
	Got     int64
	Limit   int64
	Entry   string
	Detail  string
	msg     string
}

func (e *Error) Error() string { return e.msg }

// TooLarge reports whether the problem is a limit (the file, rows, columns, a cell, the zip archive)
// rather than unreadable content.
func (e *Error) TooLarge() bool {
	switch e.Problem {
	case ProblemTooLarge, ProblemTooManyRows, ProblemTooManyColumns, ProblemCellTooLong, ProblemZipEntries, ProblemZipUnpacked, ProblemZipRatio:
		return true
	}
	return false
}

// Code is the domain error code of the problem: ETooLarge for limits, EInvalid otherwise.
func (e *Error) Code() string {
	if e.TooLarge() {
		return domain.ETooLarge
	}
	return domain.EInvalid
}

func fail(p Problem, format string, args ...any) *Error {
	return &Error{Problem: p, Column: -1, msg: fmt.Sprintf(format, args...)}
}

// inSheet prefixes the message with the sheet ("sheet "Geräte", row 4 …").
func (e *Error) inSheet(sheet string) *Error {
	if e.Sheet == "" {
		e.Sheet = sheet
		e.msg = fmt.Sprintf("sheet %q, %s", sheet, e.msg)
	}
	return e
}

// Size writes a byte count for people: whole mebibytes as "32 MiB", other counts as "the limit of
// 200 bytes".
func Size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("the limit of %d bytes", n)
}
