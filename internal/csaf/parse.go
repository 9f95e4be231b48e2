package csaf

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	gocsaf "github.com/gocsaf/csaf/v3/csaf"
)

// DefaultMaxSize is the size limit Parse applies when called with limit <= 0 (32 MiB; the largest
// real advisories, Red Hat kernel errata with huge product trees, stay well below).
const DefaultMaxSize int64 = 32 << 20

// MaxDepth bounds the nesting of JSON objects and arrays. A CSAF branch costs two levels (object and
// its branches array); 128 levels leave room for 60 branch levels, far beyond real product trees.
const MaxDepth = 128

// Parse reads one CSAF 2.0 document from r (at most limit bytes; DefaultMaxSize when limit <= 0),
// validates it and returns Vigil's model of it. name is used in error messages (a file name or URL).
//
// The checks, in order:
//   - size: more than limit bytes → an error wrapping ErrTooLarge;
//   - JSON syntax: *SyntaxError with byte offset, line and column for bad or truncated JSON, nesting
//     deeper than MaxDepth, a repeated object key or data after the value;
//   - shape: *NotCSAFError when the JSON is not a CSAF document (other formats are named);
//   - the CSAF 2.0 JSON schema embedded in gocsaf (formats asserted, unknown fields rejected) and
//     the mandatory tests that concern identity and product status (6.1.1–6.1.6, see mandatory.go):
//     *InvalidError listing each problem with its JSON path;
//   - the other mandatory tests Vigil runs: failures land in Advisory.Warnings (see the package doc
//     for why these do not reject the document).
func Parse(r io.Reader, name string, limit int64) (*Advisory, error) {
	data, err := readLimited(r, name, limit)
	if err != nil {
		return nil, err
	}
	return parseBytes(data, name)
}

// ParseBytes is Parse for a document already in memory (no size limit is applied: the caller read it).
func ParseBytes(data []byte, name string) (*Advisory, error) {
	return parseBytes(data, name)
}

func readLimited(r io.Reader, name string, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = DefaultMaxSize
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("csaf %q: read: %w", name, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("csaf %q: %w: more than %d bytes", name, ErrTooLarge, limit)
	}
	return data, nil
}

func parseBytes(data []byte, name string) (*Advisory, error) {
	if err := scanJSON(data, name); err != nil {
		return nil, err
	}
	var generic any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&generic); err != nil {
		// scanJSON accepted it, so this cannot happen short of a decoder bug; report it all the same.
		return nil, syntaxErrorAt(data, name, 0, err.Error(), false)
	}
	if err := checkShape(generic, name); err != nil {
		return nil, err
	}
	problems, err := schemaProblems(generic)
	if err != nil {
		return nil, fmt.Errorf("csaf %q: schema validation: %w", name, err)
	}
	if len(problems) > 0 {
		return nil, &InvalidError{Name: name, Problems: problems}
	}
	var raw rawAdvisory
	dec = json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, &InvalidError{Name: name, Problems: []ValidationError{{Path: "$", Message: err.Error()}}}
	}
	adv := convert(&raw)
	sum := sha256.Sum256(data)
	adv.SHA256 = hex.EncodeToString(sum[:])
	errs, warns := mandatoryTests(&raw)
	if len(errs) > 0 {
		return nil, &InvalidError{Name: name, Problems: errs}
	}
	adv.Warnings = warns
	return adv, nil
}

// scanJSON walks the tokens once to report syntax errors with their position, bound the nesting depth,
// refuse repeated keys (encoding/json would silently keep the last) and refuse trailing data.
func scanJSON(data []byte, name string) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return syntaxErrorAt(data, name, int64(len(data)), "empty input", true)
	}
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, size := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			off += size
		}
		return syntaxErrorAt(data, name, int64(off), "invalid UTF-8", false)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // numbers are not converted here (1e999 is valid JSON)
	type frame struct {
		object bool
		keys   map[string]struct{}
		expKey bool // in an object, the next string token is a key
	}
	var stack []frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			if len(stack) > 0 {
				return syntaxErrorAt(data, name, int64(len(data)), "unexpected end of input", true)
			}
			return nil
		}
		if err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) {
				return syntaxErrorAt(data, name, se.Offset, se.Error(), false)
			}
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return syntaxErrorAt(data, name, int64(len(data)), "unexpected end of input", true)
			}
			return syntaxErrorAt(data, name, dec.InputOffset(), err.Error(), false)
		}
		top := len(stack) - 1
		isKey := top >= 0 && stack[top].object && stack[top].expKey
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				if len(stack) >= MaxDepth {
					return syntaxErrorAt(data, name, dec.InputOffset()-1, fmt.Sprintf("nesting deeper than %d levels", MaxDepth), false)
				}
				if top >= 0 && stack[top].object {
					stack[top].expKey = true
				}
				stack = append(stack, frame{object: t == '{', expKey: t == '{'})
			case '}', ']':
				stack = stack[:len(stack)-1]
			}
		case string:
			if isKey {
				if stack[top].keys == nil {
					stack[top].keys = map[string]struct{}{}
				}
				if _, dup := stack[top].keys[t]; dup {
					return syntaxErrorAt(data, name, dec.InputOffset(), fmt.Sprintf("repeated object key %q", t), false)
				}
				stack[top].keys[t] = struct{}{}
				stack[top].expKey = false
			} else if top >= 0 && stack[top].object {
				stack[top].expKey = true
			}
		default:
			if top >= 0 && stack[top].object {
				stack[top].expKey = true
			}
		}
		if len(stack) == 0 {
			// One complete top-level value: anything but whitespace after it is an error.
			off := dec.InputOffset()
			rest := data[off:]
			if trimmed := bytes.TrimLeft(rest, " \t\r\n"); len(trimmed) > 0 {
				return syntaxErrorAt(data, name, off+int64(len(rest)-len(trimmed)), "data after the JSON value", false)
			}
			return nil
		}
	}
}

func syntaxErrorAt(data []byte, name string, off int64, msg string, truncated bool) *SyntaxError {
	if off < 0 {
		off = 0
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	prefix := data[:off]
	line := bytes.Count(prefix, []byte{'\n'}) + 1
	col := int(off) - bytes.LastIndexByte(prefix, '\n')
	msg = strings.TrimPrefix(msg, "json: ")
	return &SyntaxError{Name: name, Offset: off, Line: line, Column: col, Truncated: truncated, Msg: msg}
}

// checkShape decides whether a JSON value is a CSAF document at all, naming the format when it is a
// known other one.
func checkShape(v any, name string) error {
	obj, ok := v.(map[string]any)
	if !ok {
		return &NotCSAFError{Name: name, Reason: fmt.Sprintf("top-level JSON value is %s, not an object", jsonKind(v))}
	}
	doc, ok := obj["document"].(map[string]any)
	if !ok {
		return &NotCSAFError{Name: name, Reason: guessFormat(obj)}
	}
	ver, _ := doc["csaf_version"].(string)
	if _, has := doc["csaf_version"]; !has {
		return &NotCSAFError{Name: name, Reason: `"document" has no "csaf_version"`}
	}
	if ver != "2.0" {
		return &InvalidError{Name: name, Problems: []ValidationError{{
			Path: "$.document.csaf_version", Message: fmt.Sprintf("unsupported CSAF version %s: Vigil reads CSAF 2.0", strconv.Quote(fmt.Sprint(doc["csaf_version"]))),
		}}}
	}
	return nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

func guessFormat(obj map[string]any) string {
	has := func(k string) bool { _, ok := obj[k]; return ok }
	switch {
	case has("bomFormat") || has("specVersion") && has("components"):
		return `looks like a CycloneDX document ("bomFormat" at top level)`
	case has("spdxVersion"):
		return `looks like an SPDX document ("spdxVersion" at top level)`
	case has("canonical_url") && has("role"):
		return "looks like a CSAF provider-metadata.json, not an advisory"
	case has("aggregator"):
		return "looks like a CSAF aggregator.json, not an advisory"
	case has("feed"):
		return "looks like a ROLIE feed, not an advisory"
	case has("categories"):
		return "looks like a ROLIE category document, not an advisory"
	case has("service"):
		return "looks like a ROLIE service document, not an advisory"
	case has("@context") && has("statements"):
		return "looks like an OpenVEX document"
	case has("schema_version") && has("affected"):
		return "looks like an OSV record"
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if len(keys) > 8 {
		keys = append(keys[:8], "…")
	}
	return fmt.Sprintf(`no "document" object at top level (keys: %s)`, strings.Join(keys, ", "))
}

// schemaProblems validates against gocsaf's embedded CSAF 2.0 schema and turns its "pointer: message"
// strings into ValidationErrors with JSON paths. "validation failed" lines are wrappers when a more
// precise problem lies at or below the same place and are dropped then; a leaf "validation failed"
// (the schema library loses the precise message behind some $ref chains) is reworded with the value.
func schemaProblems(doc any) ([]ValidationError, error) {
	msgs, err := gocsaf.ValidateCSAF(doc)
	if err != nil {
		return nil, err
	}
	type item struct{ loc, msg string }
	var items []item
	for _, m := range msgs {
		loc, msg, ok := strings.Cut(m, ": ")
		if !ok {
			loc, msg = "", m
		}
		if strings.Contains(loc, "://") { // a keyword location: the instance is the root
			loc = ""
		}
		items = append(items, item{loc, msg})
	}
	var out []ValidationError
	for _, it := range items {
		if it.msg == "validation failed" {
			wrapper := false
			for _, o := range items {
				if o.msg != "validation failed" && (o.loc == it.loc || strings.HasPrefix(o.loc, it.loc+"/")) ||
					o.msg == "validation failed" && strings.HasPrefix(o.loc, it.loc+"/") {
					wrapper = true
					break
				}
			}
			if wrapper {
				continue
			}
			it.msg = "value " + describeAt(doc, it.loc) + " is not allowed here by the CSAF 2.0 schema"
		}
		out = append(out, ValidationError{Path: PointerToPath(it.loc), Message: it.msg})
	}
	return out, nil
}

// describeAt returns the JSON of the value at a JSON pointer, shortened for messages.
func describeAt(doc any, ptr string) string {
	v := doc
	if ptr != "" {
		for _, seg := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
			seg = strings.ReplaceAll(strings.ReplaceAll(seg, "~1", "/"), "~0", "~")
			switch c := v.(type) {
			case map[string]any:
				v = c[seg]
			case []any:
				i, err := strconv.Atoi(seg)
				if err != nil || i < 0 || i >= len(c) {
					return "(not found)"
				}
				v = c[i]
			default:
				return "(not found)"
			}
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "(unprintable)"
	}
	if len(b) > 80 {
		return string(b[:77]) + "..."
	}
	return string(b)
}

// PointerToPath turns a JSON pointer (/a/0/b~1c) into the JSON path used in ValidationError
// ($.a[0]['b/c']).
func PointerToPath(ptr string) string {
	var b strings.Builder
	b.WriteString("$")
	if ptr == "" {
		return b.String()
	}
	for _, seg := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		seg = strings.ReplaceAll(strings.ReplaceAll(seg, "~1", "/"), "~0", "~")
		if _, err := strconv.Atoi(seg); err == nil && seg != "" && (seg == "0" || seg[0] != '0') {
			b.WriteString("[" + seg + "]")
			continue
		}
		if isIdent(seg) {
			b.WriteString("." + seg)
			continue
		}
		b.WriteString("['" + strings.ReplaceAll(seg, "'", `\'`) + "']")
	}
	return b.String()
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r == '_' || r == '$' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (i > 0 && r >= '0' && r <= '9') {
			continue
		}
		return false
	}
	return true
}
