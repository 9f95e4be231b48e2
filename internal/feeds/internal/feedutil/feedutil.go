// Package feedutil holds the size-limited reading, error-location and date helpers shared by the
// feed readers.
package feedutil

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// ErrTooLarge is wrapped by every "input exceeds its size limit" error.
var ErrTooLarge = errors.New("too large")

// ErrTruncated is wrapped when input ends in the middle of a document.
var ErrTruncated = errors.New("truncated")

// ReadAll reads r up to max bytes; more is an ErrTooLarge error naming name.
func ReadAll(r io.Reader, max int64, name string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("%s: read: %w", name, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s: %w: more than %d bytes", name, ErrTooLarge, max)
	}
	return data, nil
}

// MaybeGunzip returns a reader of the decompressed content when data starts with the gzip magic,
// limited to max bytes of output; otherwise a reader of data.
func MaybeGunzip(data []byte, max int64, name string) ([]byte, error) {
	if len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
		return data, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: gzip: %w", name, err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, max+1))
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%s: gzip: %w: %v", name, ErrTruncated, err)
		}
		return nil, fmt.Errorf("%s: gzip: %w", name, err)
	}
	if int64(len(out)) > max {
		return nil, fmt.Errorf("%s: %w: decompresses to more than %d bytes", name, ErrTooLarge, max)
	}
	return out, nil
}

// LineCol returns the 1-based line and column of byte offset off in data.
func LineCol(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	before := data[:off]
	line := bytes.Count(before, []byte{'\n'}) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// JSONError turns an encoding/json error into one that names the file, line, column and, for
// type errors, the JSON path of the offending field.
func JSONError(name string, data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		l, c := LineCol(data, syn.Offset)
		if syn.Offset >= int64(len(bytes.TrimRight(data, " \t\r\n"))) {
			return fmt.Errorf("%s:%d:%d: %w: JSON ends early: %v", name, l, c, ErrTruncated, err)
		}
		return fmt.Errorf("%s:%d:%d: invalid JSON: %v", name, l, c, syn)
	case errors.As(err, &typ):
		l, c := LineCol(data, typ.Offset)
		path := typ.Field
		if path == "" {
			path = "(document)"
		}
		return fmt.Errorf("%s:%d:%d: %s: cannot use JSON %s as %s", name, l, c, path, typ.Value, typ.Type)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%s: %w: JSON ends early", name, ErrTruncated)
	}
	return fmt.Errorf("%s: %w", name, err)
}

// CheckDepth refuses JSON nested deeper than max arrays/objects (a guard before decoding
// untrusted input with encoding/json, which recurses).
func CheckDepth(name string, data []byte, max int) error {
	depth := 0
	inStr := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if inStr {
			switch c {
			case '\\':
				i++
			case '"':
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '{', '[':
			depth++
			if depth > max {
				l, col := LineCol(data, int64(i))
				return fmt.Errorf("%s:%d:%d: JSON nested deeper than %d levels", name, l, col, max)
			}
		case '}', ']':
			depth--
		}
	}
	return nil
}

// FirstByte returns the first non-space byte of data, or 0.
func FirstByte(data []byte) byte {
	for _, c := range TrimBOM(data) {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c
	}
	return 0
}

// TrimBOM removes a leading UTF-8 byte order mark.
func TrimBOM(data []byte) []byte { return bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")) }

// ParseTime reads the timestamp forms found in feeds: RFC 3339 with or without fraction or zone,
// and plain dates (YYYY-MM-DD). The result is in UTC. An empty string is the zero time.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05.999999999Z0700",
		"2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unreadable time %q", clip(s))
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

// Clip shortens s for an error message.
func Clip(s string) string { return clip(s) }
