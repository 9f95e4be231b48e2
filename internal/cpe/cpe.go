// Package cpe parses and compares CPE names (NISTIR 7695 naming, NISTIR 7696 name matching).
//
// Both bindings are read: CPE 2.3 formatted strings ("cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*")
// and CPE 2.2 URIs ("cpe:/a:openssl:openssl:1.1.1k"). A Name is held in a canonical form: lower
// case, with every character other than letters, digits, '.', '-' and '_' escaped by a backslash
// (so "tcp\/ip" and "tcp\/ip" written as "tcp%2fip" in a URI are the same value), and with unescaped
// '*' and '?' kept as wildcards. String returns the canonical 2.3 formatted string, URI the 2.2 URI.
package cpe

import (
	"errors"
	"fmt"
	"strings"
)

// Kind is the logical kind of an attribute value.
type Kind uint8

// Attribute kinds.
const (
	Any   Kind = iota // "*": any value
	NA                // "-": not applicable
	Value             // a value, possibly with wildcards
)

// Attr is one attribute of a Name. For Kind Value, V holds the canonical escaped form.
type Attr struct {
	Kind Kind
	V    string
}

// String returns the attribute as it appears in a 2.3 formatted string.
func (a Attr) String() string {
	switch a.Kind {
	case Any:
		return "*"
	case NA:
		return "-"
	}
	return a.V
}

// Unescaped returns the literal text of a value ("tcp/ip" for "tcp\/ip"); "" for ANY and NA.
// Wildcards are returned as '*' and '?'.
func (a Attr) Unescaped() string {
	if a.Kind != Value {
		return ""
	}
	if !strings.Contains(a.V, `\`) {
		return a.V
	}
	var b strings.Builder
	for i := 0; i < len(a.V); i++ {
		if a.V[i] == '\\' && i+1 < len(a.V) {
			i++
		}
		b.WriteByte(a.V[i])
	}
	return b.String()
}

// HasWildcards reports whether the value contains an unescaped '*' or '?'.
func (a Attr) HasWildcards() bool {
	if a.Kind != Value {
		return false
	}
	for i := 0; i < len(a.V); i++ {
		switch a.V[i] {
		case '\\':
			i++
		case '*', '?':
			return true
		}
	}
	return false
}

// Name is a CPE name (a well-formed name in NISTIR 7695 terms) with its eleven attributes.
type Name struct {
	Part, Vendor, Product, Version, Update, Edition, Language, SWEdition, TargetSW, TargetHW, Other Attr
}

// Attrs returns pointers to the eleven attributes in 2.3 order.
func (n *Name) Attrs() [11]*Attr {
	return [11]*Attr{&n.Part, &n.Vendor, &n.Product, &n.Version, &n.Update, &n.Edition, &n.Language,
		&n.SWEdition, &n.TargetSW, &n.TargetHW, &n.Other}
}

// AttrNames are the attribute names in 2.3 order, for messages.
var AttrNames = [11]string{"part", "vendor", "product", "version", "update", "edition", "language",
	"sw_edition", "target_sw", "target_hw", "other"}

// String returns the canonical CPE 2.3 formatted string.
func (n Name) String() string {
	var b strings.Builder
	b.Grow(64)
	b.WriteString("cpe:2.3")
	for _, a := range n.Attrs() {
		b.WriteByte(':')
		b.WriteString(a.String())
	}
	return b.String()
}

// VendorProduct returns "vendor:product" in canonical form, the key Vigil indexes CPEs by.
func (n Name) VendorProduct() string { return n.Vendor.String() + ":" + n.Product.String() }

// MaxLen bounds the length of a CPE name accepted by Parse.
const MaxLen = 2048

// ErrSyntax is wrapped by every parse error.
var ErrSyntax = errors.New("invalid CPE name")

// Parse reads a CPE 2.3 formatted string or a CPE 2.2 URI.
func Parse(s string) (Name, error) {
	if len(s) > MaxLen {
		return Name{}, fmt.Errorf("%w: longer than %d bytes", ErrSyntax, MaxLen)
	}
	low := strings.ToLower(s)
	switch {
	case strings.HasPrefix(low, "cpe:2.3:"):
		return parseFS(low)
	case strings.HasPrefix(low, "cpe:/"):
		return parseURI(low)
	}
	return Name{}, fmt.Errorf("%w: %q does not start with cpe:2.3: or cpe:/", ErrSyntax, clip(s))
}

// MustParse is Parse that panics; for tests and constants.
func MustParse(s string) Name {
	n, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return n
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

func parseFS(s string) (Name, error) {
	rest := s[len("cpe:2.3:"):]
	var n Name
	attrs := n.Attrs()
	for i := range attrs {
		// find the next unescaped ':'
		end := -1
		for j := 0; j < len(rest); j++ {
			if rest[j] == '\\' {
				j++
				continue
			}
			if rest[j] == ':' {
				end = j
				break
			}
		}
		field := rest
		if end >= 0 {
			field, rest = rest[:end], rest[end+1:]
		} else {
			rest = ""
		}
		if end < 0 && i < len(attrs)-1 {
			return Name{}, fmt.Errorf("%w: %q has %d of 11 attributes", ErrSyntax, clip(s), i+1)
		}
		a, err := fsAttr(field)
		if err != nil {
			return Name{}, fmt.Errorf("%w: %s %s", ErrSyntax, AttrNames[i], err)
		}
		*attrs[i] = a
		if i == len(attrs)-1 && end >= 0 {
			return Name{}, fmt.Errorf("%w: %q has more than 11 attributes", ErrSyntax, clip(s))
		}
	}
	if err := checkPart(n.Part); err != nil {
		return Name{}, err
	}
	return n, nil
}

func checkPart(p Attr) error {
	if p.Kind == Value && p.V != "a" && p.V != "o" && p.V != "h" {
		return fmt.Errorf("%w: part %q is not a, o or h", ErrSyntax, p.V)
	}
	return nil
}

// fsAttr canonicalises one formatted-string value.
func fsAttr(f string) (Attr, error) {
	switch f {
	case "*", "":
		return Attr{Kind: Any}, nil
	case "-":
		return Attr{Kind: NA}, nil
	}
	var b strings.Builder
	b.Grow(len(f) + 4)
	for i := 0; i < len(f); i++ {
		c := f[i]
		switch {
		case c == '\\':
			if i+1 >= len(f) {
				return Attr{}, fmt.Errorf("value %q ends in a lone backslash", clip(f))
			}
			i++
			if f[i] <= ' ' || f[i] >= 0x7f {
				return Attr{}, fmt.Errorf("value %q escapes a non-printable or non-ASCII byte", clip(f))
			}
			writeLiteral(&b, f[i])
		case c == '*' || c == '?':
			b.WriteByte(c)
		case c <= ' ' || c >= 0x7f:
			return Attr{}, fmt.Errorf("value %q has a non-printable or non-ASCII byte", clip(f))
		default:
			writeLiteral(&b, c)
		}
	}
	return valueAttr(b.String()), nil
}

// valueAttr makes a value attribute; a lone wildcard is ANY, and a value that is a lone hyphen (written "\-" or "%2d") is kept
// escaped so that it stays distinct from NA.
func valueAttr(v string) Attr {
	if v == "*" { // a lone unescaped wildcard ("%02" in a URI) matches anything: ANY
		return Attr{Kind: Any}
	}
	if v == "-" {
		v = `\-`
	}
	return Attr{Kind: Value, V: v}
}

func writeLiteral(b *strings.Builder, c byte) {
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
		b.WriteByte('\\')
	}
	b.WriteByte(c)
}

func parseURI(s string) (Name, error) {
	rest := s[len("cpe:/"):]
	parts := strings.Split(rest, ":")
	if len(parts) > 7 {
		return Name{}, fmt.Errorf("%w: URI %q has more than 7 components", ErrSyntax, clip(s))
	}
	var n Name
	attrs := n.Attrs()
	for i, p := range parts {
		if i == 5 && strings.HasPrefix(p, "~") {
			// packed edition: ~edition~sw_edition~target_sw~target_hw~other
			packed := strings.Split(p[1:], "~")
			if len(packed) != 5 {
				return Name{}, fmt.Errorf("%w: packed edition %q needs 5 fields", ErrSyntax, clip(p))
			}
			for j, q := range packed {
				a, err := uriAttr(q)
				if err != nil {
					return Name{}, fmt.Errorf("%w: %s %s", ErrSyntax, AttrNames[[]int{5, 7, 8, 9, 10}[j]], err)
				}
				*attrs[[]int{5, 7, 8, 9, 10}[j]] = a
			}
			continue
		}
		a, err := uriAttr(p)
		if err != nil {
			return Name{}, fmt.Errorf("%w: %s %s", ErrSyntax, AttrNames[i], err)
		}
		*attrs[i] = a
	}
	if err := checkPart(n.Part); err != nil {
		return Name{}, err
	}
	return n, nil
}

// uriAttr decodes one CPE 2.2 URI component: percent-encoding, %01 = '?' and %02 = '*'.
func uriAttr(p string) (Attr, error) {
	switch p {
	case "", "*":
		return Attr{Kind: Any}, nil
	case "-":
		return Attr{Kind: NA}, nil
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '%' {
			if i+2 >= len(p) {
				return Attr{}, fmt.Errorf("value %q has a truncated %%-escape", clip(p))
			}
			h, ok := unhex(p[i+1], p[i+2])
			if !ok {
				return Attr{}, fmt.Errorf("value %q has a bad %%-escape", clip(p))
			}
			i += 2
			switch h {
			case 0x01:
				b.WriteByte('?')
			case 0x02:
				b.WriteByte('*')
			default:
				if h <= ' ' || h >= 0x7f {
					return Attr{}, fmt.Errorf("value %q encodes a non-printable byte", clip(p))
				}
				if h >= 'A' && h <= 'Z' { // CPE names compare case-insensitively
					h += 'a' - 'A'
				}
				writeLiteral(&b, h)
			}
			continue
		}
		if c <= ' ' || c >= 0x7f {
			return Attr{}, fmt.Errorf("value %q has a non-printable or non-ASCII byte", clip(p))
		}
		if c == '~' {
			writeLiteral(&b, c)
			continue
		}
		writeLiteral(&b, c)
	}
	return valueAttr(b.String()), nil
}

func unhex(a, b byte) (byte, bool) {
	h, ok1 := hexVal(a)
	l, ok2 := hexVal(b)
	return h<<4 | l, ok1 && ok2
}

func hexVal(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// URI returns the CPE 2.2 URI binding of n. Attributes beyond language are packed into the
// edition component when any of them is set; trailing ANY components are dropped.
func (n Name) URI() string {
	comp := func(a Attr) string {
		switch a.Kind {
		case Any:
			return ""
		case NA:
			return "-"
		}
		var b strings.Builder
		for i := 0; i < len(a.V); i++ {
			c := a.V[i]
			switch {
			case c == '\\' && i+1 < len(a.V):
				i++
				fmt.Fprintf(&b, "%%%02x", a.V[i])
			case c == '*':
				b.WriteString("%02")
			case c == '?':
				b.WriteString("%01")
			default:
				b.WriteByte(c)
			}
		}
		return b.String()
	}
	edition := comp(n.Edition)
	if n.SWEdition.Kind != Any || n.TargetSW.Kind != Any || n.TargetHW.Kind != Any || n.Other.Kind != Any {
		edition = "~" + edition + "~" + comp(n.SWEdition) + "~" + comp(n.TargetSW) + "~" + comp(n.TargetHW) + "~" + comp(n.Other)
	}
	parts := []string{comp(n.Part), comp(n.Vendor), comp(n.Product), comp(n.Version), comp(n.Update), edition, comp(n.Language)}
	for len(parts) > 1 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return "cpe:/" + strings.Join(parts, ":")
}

// VendorProductKey returns the canonical "vendor:product" of a CPE 2.3 formatted string or 2.2
// URI, without parsing the rest when the string is already canonical (the common case for NVD
// criteria), and whether vendor or product contains a wildcard or is ANY.
func VendorProductKey(s string) (key string, wild bool, err error) {
	if strings.HasPrefix(s, "cpe:2.3:") && len(s) <= MaxLen {
		// fields: cpe 2.3 part vendor product ...
		start := len("cpe:2.3:")
		colons := 0
		vStart, pEnd := -1, -1
		simple := true
		for i := start; i < len(s); i++ {
			c := s[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' || c == '*' || c == '?' || c == ':') {
				simple = false
				break
			}
			if c == ':' {
				colons++
				switch colons {
				case 1:
					vStart = i + 1
				case 3:
					pEnd = i
				}
				if colons == 3 {
					break
				}
			}
		}
		if simple && pEnd > vStart && vStart > 0 {
			key = s[vStart:pEnd]
			v, p, _ := strings.Cut(key, ":")
			if v != "" && p != "" && v != "-" && p != "-" {
				return key, strings.ContainsAny(key, "*?"), nil
			}
		}
	}
	n, err := Parse(s)
	if err != nil {
		return "", false, err
	}
	return n.VendorProduct(), n.Vendor.Kind == Any || n.Product.Kind == Any || n.Vendor.HasWildcards() || n.Product.HasWildcards(), nil
}
