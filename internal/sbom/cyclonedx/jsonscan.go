package cyclonedx

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/vigil-med/vigil/internal/sbom"
)

// scanner is a small validating JSON reader over a byte slice. Strings without escapes are returned as
// sub-strings of one string copy of the whole input, so reading them does not allocate (the Document then
// shares that copy's memory, which is at most the size of the input).
type scanner struct {
	data  []byte
	text  string // string(data), the backing store of returned strings
	pos   int
	depth int
}

func newScanner(data []byte) *scanner {
	return &scanner{data: data, text: string(data)}
}

// newOwnedScanner reads data without copying it: the strings it returns are slices of data, which the
// caller must not modify afterwards.
func newOwnedScanner(data []byte) *scanner {
	return &scanner{data: data, text: unsafe.String(unsafe.SliceData(data), len(data))}
}

// syntaxError reports a problem at the current position; errors at the end of the input are truncations.
func (s *scanner) syntaxError(msg string) error {
	if s.pos >= len(s.data) {
		return fmt.Errorf("%w: document ends early (line %d)", sbom.ErrTruncated, lineOf(s.data, int64(s.pos)))
	}
	return fmt.Errorf("%w: line %d: %s", sbom.ErrInvalid, lineOf(s.data, int64(s.pos)), msg)
}

func (s *scanner) ws() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\r', '\n':
			s.pos++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (s *scanner) peek() byte {
	s.ws()
	if s.pos >= len(s.data) {
		return 0
	}
	return s.data[s.pos]
}

func (s *scanner) expect(c byte) error {
	if s.peek() != c {
		return s.syntaxError(fmt.Sprintf("expected %q, found %s", c, s.found()))
	}
	s.pos++
	return nil
}

func (s *scanner) found() string {
	if s.pos >= len(s.data) {
		return "end of input"
	}
	return strconv.QuoteRune(rune(s.data[s.pos]))
}

func (s *scanner) enter() error {
	s.depth++
	if s.depth > MaxDepth {
		return fmt.Errorf("%w: line %d: nested deeper than %d", sbom.ErrInvalid, lineOf(s.data, int64(s.pos)), MaxDepth)
	}
	return nil
}

// object iterates over the members of an object: it calls member with each key, positioned at the value,
// and member must consume the value. A JSON null is accepted as an empty object.
func (s *scanner) object(member func(key string) error) error {
	switch s.peek() {
	case 'n':
		return s.literal("null")
	case '{':
	default:
		return s.syntaxError("expected an object, found " + s.found())
	}
	if err := s.enter(); err != nil {
		return err
	}
	s.pos++
	if s.peek() == '}' {
		s.pos++
		s.depth--
		return nil
	}
	for {
		if s.peek() != '"' {
			return s.syntaxError("expected a member name, found " + s.found())
		}
		key, err := s.stringValue()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := member(key); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.pos++
		case '}':
			s.pos++
			s.depth--
			return nil
		default:
			return s.syntaxError("expected ',' or '}' after object member, found " + s.found())
		}
	}
}

// array iterates over the elements of an array, calling elem with each index, positioned at the value.
// A JSON null is accepted as an empty array.
func (s *scanner) array(elem func(i int) error) error {
	switch s.peek() {
	case 'n':
		return s.literal("null")
	case '[':
	default:
		return s.syntaxError("expected an array, found " + s.found())
	}
	if err := s.enter(); err != nil {
		return err
	}
	s.pos++
	if s.peek() == ']' {
		s.pos++
		s.depth--
		return nil
	}
	for i := 0; ; i++ {
		if err := elem(i); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			s.depth--
			return nil
		default:
			return s.syntaxError("expected ',' or ']' after array element, found " + s.found())
		}
	}
}

// str reads a string value; null reads as "".
func (s *scanner) str() (string, error) {
	switch s.peek() {
	case '"':
		return s.stringValue()
	case 'n':
		return "", s.literal("null")
	}
	return "", s.syntaxError("expected a string, found " + s.found())
}

// stringValue reads the string at s.pos (which is '"').
func (s *scanner) stringValue() (string, error) {
	start := s.pos + 1
	for i := start; i < len(s.data); i++ {
		c := s.data[i]
		switch {
		case c == '"':
			s.pos = i + 1
			return s.text[start:i], nil
		case c == '\\' || c >= utf8.RuneSelf:
			return s.slowString(start)
		case c < 0x20:
			s.pos = i
			return "", s.syntaxError("control character in string")
		}
	}
	s.pos = len(s.data)
	return "", s.syntaxError("unterminated string")
}

// slowString decodes a string with escapes or non-ASCII bytes; invalid UTF-8 becomes U+FFFD as
// encoding/json does.
func (s *scanner) slowString(start int) (string, error) {
	var b strings.Builder
	simple := true // the string is a verbatim sub-string so far
	i := start
	for i < len(s.data) {
		c := s.data[i]
		switch {
		case c == '"':
			s.pos = i + 1
			if simple {
				return s.text[start:i], nil
			}
			return b.String(), nil
		case c < 0x20:
			s.pos = i
			return "", s.syntaxError("control character in string")
		case c < utf8.RuneSelf && c != '\\':
			if !simple {
				b.WriteByte(c)
			}
			i++
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(s.data[i:])
			if r == utf8.RuneError && size == 1 {
				if simple {
					simple = false
					b.WriteString(s.text[start:i])
				}
				b.WriteRune(utf8.RuneError)
			} else if !simple {
				b.Write(s.data[i : i+size])
			}
			i += size
		default: // backslash
			if simple {
				simple = false
				b.WriteString(s.text[start:i])
			}
			if i+1 >= len(s.data) {
				s.pos = len(s.data)
				return "", s.syntaxError("unterminated string")
			}
			e := s.data[i+1]
			i += 2
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r, ok := s.hex4(i)
				if !ok {
					s.pos = i
					return "", s.syntaxError("invalid \\u escape")
				}
				i += 4
				if utf16.IsSurrogate(r) {
					r2 := rune(-1)
					if i+1 < len(s.data) && s.data[i] == '\\' && s.data[i+1] == 'u' {
						if x, ok := s.hex4(i + 2); ok {
							r2 = x
						}
					}
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						i += 6
						r = dec
					} else {
						r = utf8.RuneError
					}
				}
				b.WriteRune(r)
			default:
				s.pos = i - 1
				return "", s.syntaxError("invalid escape in string")
			}
		}
	}
	s.pos = len(s.data)
	return "", s.syntaxError("unterminated string")
}

func (s *scanner) hex4(i int) (rune, bool) {
	if i+4 > len(s.data) {
		return 0, false
	}
	var r rune
	for _, c := range s.data[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

func (s *scanner) literal(lit string) error {
	s.ws()
	if len(s.data)-s.pos < len(lit) {
		if strings.HasPrefix(lit, string(s.data[s.pos:])) {
			s.pos = len(s.data)
		}
		return s.syntaxError("invalid literal")
	}
	if string(s.data[s.pos:s.pos+len(lit)]) != lit {
		return s.syntaxError("invalid literal, found " + s.found())
	}
	s.pos += len(lit)
	return nil
}

// skip reads and validates any value.
func (s *scanner) skip() error {
	switch c := s.peek(); {
	case c == '{':
		return s.object(func(string) error { return s.skip() })
	case c == '[':
		return s.array(func(int) error { return s.skip() })
	case c == '"':
		// Validate without building the string.
		for i := s.pos + 1; i < len(s.data); i++ {
			switch b := s.data[i]; {
			case b == '"':
				s.pos = i + 1
				return nil
			case b == '\\':
				if i+1 < len(s.data) && s.data[i+1] == 'u' {
					if _, ok := s.hex4(i + 2); !ok {
						s.pos = i
						return s.syntaxError("invalid \\u escape")
					}
					i += 5
					continue
				}
				if i+1 < len(s.data) && !strings.ContainsRune(`"\/bfnrt`, rune(s.data[i+1])) {
					s.pos = i
					return s.syntaxError("invalid escape in string")
				}
				i++
			case b < 0x20:
				s.pos = i
				return s.syntaxError("control character in string")
			}
		}
		s.pos = len(s.data)
		return s.syntaxError("unterminated string")
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		return s.number()
	}
	return s.syntaxError("expected a value, found " + s.found())
}

// number validates a JSON number.
func (s *scanner) number() error {
	i := s.pos
	n := len(s.data)
	if i < n && s.data[i] == '-' {
		i++
	}
	digits := func() int {
		j := i
		for i < n && s.data[i] >= '0' && s.data[i] <= '9' {
			i++
		}
		return i - j
	}
	if i < n && s.data[i] == '0' {
		i++
	} else if digits() == 0 {
		s.pos = i
		return s.syntaxError("invalid number")
	}
	if i < n && s.data[i] == '.' {
		i++
		if digits() == 0 {
			s.pos = i
			return s.syntaxError("invalid number")
		}
	}
	if i < n && (s.data[i] == 'e' || s.data[i] == 'E') {
		i++
		if i < n && (s.data[i] == '+' || s.data[i] == '-') {
			i++
		}
		if digits() == 0 {
			s.pos = i
			return s.syntaxError("invalid number")
		}
	}
	s.pos = i
	return nil
}
