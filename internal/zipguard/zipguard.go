// Package zipguard checks an untrusted zip archive (xlsx, docx, …) before a library opens it: entry count,
// declared and actual uncompressed sizes, compression ratio (zip bombs), encryption, duplicate names and
// truncation. For xlsx it also checks that the archive is an Office Open XML workbook and names what it is
// otherwise.
//
// Every entry is decompressed once into io.Discard through a bounded reader, so sizes that lie in the headers
// and damaged or truncated entries are caught too.
package zipguard

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Limits bounds an archive. Zero fields take the value of DefaultLimits.
type Limits struct {
	MaxEntries int     // number of entries
	MaxTotal   int64   // total uncompressed bytes
	MaxEntry   int64   // uncompressed bytes of a single entry
	MaxRatio   float64 // uncompressed/compressed bytes, per entry and for the whole archive
	RatioFloor int64   // the ratio is only checked for entries (and totals) larger than this
}

// DefaultLimits suit office documents: a filled MDS2 workbook has about 15 entries and < 1 MiB inside.
func DefaultLimits() Limits {
	return Limits{MaxEntries: 1000, MaxTotal: 64 << 20, MaxEntry: 48 << 20, MaxRatio: 100, RatioFloor: 1 << 20}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxEntries <= 0 {
		l.MaxEntries = d.MaxEntries
	}
	if l.MaxTotal <= 0 {
		l.MaxTotal = d.MaxTotal
	}
	if l.MaxEntry <= 0 {
		l.MaxEntry = d.MaxEntry
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = d.MaxRatio
	}
	if l.RatioFloor <= 0 {
		l.RatioFloor = d.RatioFloor
	}
	return l
}

// Errors returned (wrapped, with details) by Check and CheckWorkbook.
var (
	ErrNotZip      = errors.New("not a zip archive")
	ErrTruncated   = errors.New("truncated or damaged zip archive")
	ErrBomb        = errors.New("zip archive exceeds safety limits")
	ErrEncrypted   = errors.New("zip archive has encrypted entries")
	ErrNotWorkbook = errors.New("not an Office Open XML workbook")
)

// Check verifies data as a zip archive within lim and returns a reader over it.
func Check(data []byte, lim Limits) (*zip.Reader, error) {
	lim = lim.withDefaults()
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) && !bytes.HasPrefix(data, []byte("PK\x05\x06")) {
		return nil, ErrNotZip
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		// A zip whose end is cut off loses its central directory; say so plainly.
		return nil, fmt.Errorf("%w (%d bytes; the central directory cannot be read: %v)", ErrTruncated, len(data), err)
	}
	if n := len(zr.File); n > lim.MaxEntries {
		return nil, fmt.Errorf("%w: %d entries, more than %d", ErrBomb, n, lim.MaxEntries)
	}
	seen := make(map[string]bool, len(zr.File))
	var declared, compressed uint64
	for _, f := range zr.File {
		name := strings.ToLower(f.Name)
		if seen[name] {
			return nil, fmt.Errorf("%w: entry %q appears twice", ErrBomb, f.Name)
		}
		seen[name] = true
		if f.Flags&0x1 != 0 {
			return nil, fmt.Errorf("%w: %q", ErrEncrypted, f.Name)
		}
		if f.UncompressedSize64 > uint64(lim.MaxEntry) {
			return nil, fmt.Errorf("%w: entry %q declares %d bytes, more than %d", ErrBomb, f.Name, f.UncompressedSize64, lim.MaxEntry)
		}
		declared += f.UncompressedSize64
		compressed += f.CompressedSize64
		if declared > uint64(lim.MaxTotal) {
			return nil, fmt.Errorf("%w: more than %d bytes uncompressed", ErrBomb, lim.MaxTotal)
		}
		if err := checkRatio(f.Name, f.UncompressedSize64, f.CompressedSize64, lim); err != nil {
			return nil, err
		}
	}
	if err := checkRatio("the archive", declared, compressed, lim); err != nil {
		return nil, err
	}
	// Decompress every entry once, bounded, to catch lying headers and damage.
	var actual int64
	for _, f := range zr.File {
		n, err := drain(f, lim.MaxEntry)
		actual += n
		if err != nil {
			return nil, err
		}
		if n != int64(f.UncompressedSize64) {
			return nil, fmt.Errorf("%w: entry %q holds %d bytes but declares %d", ErrTruncated, f.Name, n, f.UncompressedSize64)
		}
		if actual > lim.MaxTotal {
			return nil, fmt.Errorf("%w: more than %d bytes uncompressed", ErrBomb, lim.MaxTotal)
		}
	}
	return zr, nil
}

func checkRatio(name string, uncompressed, compressed uint64, lim Limits) error {
	if uncompressed <= uint64(lim.RatioFloor) {
		return nil
	}
	if compressed == 0 || float64(uncompressed)/float64(compressed) > lim.MaxRatio {
		return fmt.Errorf("%w: %s expands %d → %d bytes (ratio above %.0f)", ErrBomb, name, compressed, uncompressed, lim.MaxRatio)
	}
	return nil
}

func drain(f *zip.File, max int64) (int64, error) {
	rc, err := f.Open()
	if err != nil {
		return 0, fmt.Errorf("%w: entry %q: %v", ErrTruncated, f.Name, err)
	}
	defer rc.Close()
	n, err := io.Copy(io.Discard, io.LimitReader(rc, max+1))
	if err != nil {
		return n, fmt.Errorf("%w: entry %q: %v", ErrTruncated, f.Name, err)
	}
	if n > max {
		return n, fmt.Errorf("%w: entry %q expands beyond %d bytes", ErrBomb, f.Name, max)
	}
	return n, nil
}

// CheckWorkbook runs Check and then verifies that the archive is an xlsx (or xlsm) workbook. When it is not,
// the error wraps ErrNotWorkbook and names what the archive seems to be (Word or PowerPoint document,
// OpenDocument, binary .xlsb workbook, Java archive, or a plain zip with its first entries).
func CheckWorkbook(data []byte, lim Limits) (*zip.Reader, error) {
	zr, err := Check(data, lim)
	if err != nil {
		return nil, err
	}
	names := map[string]*zip.File{}
	for _, f := range zr.File {
		names[strings.ToLower(f.Name)] = f
	}
	has := func(n string) bool { _, ok := names[n]; return ok }
	switch {
	case has("[content_types].xml") && has("xl/workbook.xml"):
		return zr, nil
	case has("xl/workbook.bin"):
		return nil, fmt.Errorf("%w: an Excel binary workbook (.xlsb); save it as .xlsx", ErrNotWorkbook)
	case has("word/document.xml"):
		return nil, fmt.Errorf("%w: a Word document (.docx)", ErrNotWorkbook)
	case has("ppt/presentation.xml"):
		return nil, fmt.Errorf("%w: a PowerPoint presentation (.pptx)", ErrNotWorkbook)
	case has("mimetype"):
		mt := readSmall(names["mimetype"], 200)
		if strings.Contains(mt, "opendocument") {
			return nil, fmt.Errorf("%w: an OpenDocument file (%s); save it as .xlsx", ErrNotWorkbook, mt)
		}
	case has("meta-inf/manifest.mf"):
		return nil, fmt.Errorf("%w: a Java archive", ErrNotWorkbook)
	}
	var first []string
	for i, f := range zr.File {
		if i == 5 {
			first = append(first, "…")
			break
		}
		first = append(first, fmt.Sprintf("%q", f.Name))
	}
	if len(first) == 0 {
		return nil, fmt.Errorf("%w: an empty zip archive", ErrNotWorkbook)
	}
	return nil, fmt.Errorf("%w: a zip archive without xl/workbook.xml (entries %s)", ErrNotWorkbook, strings.Join(first, ", "))
}

func readSmall(f *zip.File, n int64) string {
	rc, err := f.Open()
	if err != nil {
		return ""
	}
	defer rc.Close()
	b, _ := io.ReadAll(io.LimitReader(rc, n))
	return strings.TrimSpace(string(b))
}
