package mds2

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// DefaultLimit is the input size limit used when a reader is given a limit ≤ 0 (16 MiB; a filled MDS2
// workbook is typically under 100 KiB).
const DefaultLimit = 16 << 20

// Errors the readers wrap, so that callers can map them (e.g. to HTTP 413 / 422) with errors.Is.
var (
	// ErrTooLarge: the input is larger than the limit given to the reader.
	ErrTooLarge = errors.New("too large")
	// ErrUnsafe: the xlsx archive fails a safety check (zip bomb, too many entries, truncated, corrupt).
	ErrUnsafe = errors.New("unsafe or damaged archive")
	// ErrUnsupported: the input is not a 2019 MDS2 form in a supported format (2013 form, other document
	// type, workbook or text without MDS2 question ids). The message says what was found.
	ErrUnsupported = errors.New("unsupported document")
	// ErrMalformed: the input has the right type but cannot be parsed (bad JSON, broken workbook XML).
	ErrMalformed = errors.New("malformed document")
)

// readLimited reads all of r, failing with ErrTooLarge when it holds more than limit bytes.
func readLimited(r io.Reader, name string, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("mds2 %q: read: %w", name, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("mds2 %q: larger than the limit of %d bytes: %w", name, limit, ErrTooLarge)
	}
	return b, nil
}

// Read detects the format of an MDS2 document and reads it: an xlsx workbook (ReadXLSX), this package's JSON
// export (ReadJSON) or a Markdown/plain-text transcription (ReadMarkdown). name is used in messages only;
// limit bounds the input size (≤ 0 means DefaultLimit). Anything else is refused with ErrUnsupported and a
// message naming what it is (PDF, legacy .xls, Word document, CycloneDX JSON, …).
func Read(r io.Reader, name string, limit int64) (*Form, error) {
	b, err := readLimited(r, name, limit)
	if err != nil {
		return nil, err
	}
	switch kind := sniff(b); kind {
	case "xlsx":
		return readXLSXBytes(b, name)
	case "json":
		return readJSONBytes(b, name)
	case "text":
		return readMarkdownBytes(b, name)
	default:
		return nil, fmt.Errorf("mds2 %q: %s, not an MDS2 form (xlsx, Markdown or Vigil JSON): %w", name, kind, ErrUnsupported)
	}
}

// sniff names the type of b: "xlsx", "json", "text", or a description of something unsupported.
func sniff(b []byte) string {
	switch {
	case len(b) == 0:
		return "an empty file"
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		return "xlsx" // ReadXLSX names zips that are not workbooks
	case bytes.HasPrefix(b, []byte("PK\x05\x06")):
		return "an empty zip archive"
	case bytes.HasPrefix(b, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		return "an OLE2 compound file (a legacy .xls/.doc or a password-protected workbook; save it as an unprotected .xlsx)"
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return "a PDF document (MDS2 forms in PDF are not read; ask the manufacturer for the xlsx)"
	case bytes.HasPrefix(b, []byte{0x1f, 0x8b}):
		return "gzip-compressed data"
	case bytes.HasPrefix(b, []byte("Rar!")), bytes.HasPrefix(b, []byte("7z\xBC\xAF\x27\x1C")):
		return "a RAR or 7-Zip archive"
	}
	t := bytes.TrimLeft(bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF")), " \t\r\n")
	switch {
	case len(t) > 0 && (t[0] == '{' || t[0] == '['):
		return "json"
	case len(t) > 0 && t[0] == '<':
		head := bytes.ToLower(t[:min(len(t), 512)])
		if bytes.Contains(head, []byte("<html")) || bytes.Contains(head, []byte("<!doctype html")) {
			return "an HTML page (save the MDS2 table as xlsx or Markdown)"
		}
		return "an XML document"
	}
	sample := b[:min(len(b), 64<<10)]
	controls := 0
	for _, c := range sample {
		if c == 0 {
			return "binary data of unknown type"
		}
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' {
			controls++
		}
	}
	if controls > len(sample)/100+8 {
		return "binary data of unknown type"
	}
	return "text"
}
