package csaf

import (
	"net/url"
	"slices"
	"strings"

	"github.com/vigil-med/vigil/internal/lazyre"
)

// Range is a product_version_range as Vigil understands it. CSAF asks for a vers URI
// ("vers:generic/>=4.0|<4.2") or, failing that, free text; publishers write both, so ParseRange reads
// vers exactly and the common free-text forms ("<=4.1", "< 2.3", "all versions", "all versions prior
// to 3.2", "2.3.6 and below", ">= 4.01 | <= 4.34") loosely. What it cannot read stays in Raw with
// Parsed false, for a person to map.
type Range struct {
	Raw         string       // the branch name as written
	Scheme      string       // vers versioning scheme (generic, semver, all, …); "" for free text
	All         bool         // every version ("vers:all/*", "all versions", "*")
	Constraints []Constraint // in the order written; see Contains for their meaning
	Parsed      bool         // false when the text was not understood
}

// Constraint is one comparator and version of a range.
type Constraint struct {
	Op      string // "=", "!=", "<", "<=", ">", ">="
	Version string
}

var (
	// "<= 1.2", ">=BT02", "= 3" — one comparator and the rest as version.
	reOpVersion = lazyre.New(`^(<=|>=|!=|==|=|<|>)\s*(\S.*)$`)
	reSpaces    = lazyre.New(`\s+`)
	reAnd       = lazyre.New(`(?i)\s+and\s+`)
	// Free-text forms; X is captured as the version. Order matters: the first match wins.
	freeForms = []struct {
		re *lazyre.Regexp
		op string
	}{
		{lazyre.New(`(?i)^(?:all\s+)?(?:versions?\s+)?(?:prior\s+to|before|earlier\s+than|older\s+than|lower\s+than|below|less\s+than)\s+(?:version\s+|v)?(\S.*?)$`), "<"},
		{lazyre.New(`(?i)^(?:all\s+)?(?:versions?\s+)?(?:up\s+to\s+and\s+including|up\s+to|through|until)\s+(?:version\s+|v)?(\S.*?)$`), "<="},
		{lazyre.New(`(?i)^(?:versions?\s+|v)?(\S.*?)\s*(?:,\s*)?(?:and|or|&)\s+(?:all\s+)?(?:prior|earlier|below|older|lower|previous|before)(?:\s+versions?)?$`), "<="},
		{lazyre.New(`(?i)^(?:versions?\s+|v)?(\S.*?)\s*(?:,\s*)?(?:and|or|&)\s+(?:all\s+)?(?:later|above|newer|higher|after|greater)(?:\s+versions?)?$`), ">="},
		{lazyre.New(`(?i)^(?:versions?\s+|v)?(\S.*?)\s*\+$`), ">="},
		{lazyre.New(`(?i)^(?:all\s+)?(?:versions?\s+)?(?:from|since|starting\s+(?:with|from)|at\s+least)\s+(?:version\s+|v)?(\S.*?)$`), ">="},
	}
	reBetween = lazyre.New(`(?i)^(?:versions?\s+)?(?:from\s+|between\s+)?(\S+)\s+(?:-|to|through|and)\s+(\S+)$`)
)

// ParseRange reads a product_version_range. It never fails: unreadable text gives Parsed false.
func ParseRange(s string) *Range {
	r := &Range{Raw: s}
	t := strings.TrimSpace(reSpaces.ReplaceAllString(s, " "))
	low := strings.ToLower(t)
	if strings.HasPrefix(low, "vers:") {
		parseVers(r, t)
		return r
	}
	switch low {
	case "*", "all", "all versions", "any", "any version", "all versions/all", "all released versions":
		r.All, r.Parsed = true, true
		return r
	}
	for _, f := range freeForms {
		if m := f.re.FindStringSubmatch(t); m != nil && !strings.ContainsAny(m[1], "<>=|") {
			r.Constraints = []Constraint{{Op: f.op, Version: strings.TrimSpace(m[1])}}
			r.Parsed = true
			return r
		}
	}
	if cs, ok := parseOpList(t); ok {
		r.Constraints, r.Parsed = cs, true
		return r
	}
	if m := reBetween.FindStringSubmatch(t); m != nil && !strings.ContainsAny(m[1]+m[2], "<>=|") && looksLikeVersion(m[1]) && looksLikeVersion(m[2]) {
		r.Constraints = []Constraint{{Op: ">=", Version: m[1]}, {Op: "<=", Version: m[2]}}
		r.Parsed = true
		return r
	}
	return r
}

// looksLikeVersion accepts a token with at least one digit (so "Windows and Linux" is no range).
func looksLikeVersion(s string) bool {
	return strings.ContainsAny(s, "0123456789")
}

// parseOpList reads "<op> v [| or , or 'and'] <op> v …" where every part carries a comparator.
func parseOpList(t string) ([]Constraint, bool) {
	var parts []string
	for _, p := range strings.Split(t, "|") {
		for _, q := range reAnd.Split(p, -1) {
			parts = append(parts, strings.TrimSpace(q))
		}
	}
	var cs []Constraint
	for _, p := range parts {
		m := reOpVersion.FindStringSubmatch(p)
		if m == nil {
			return nil, false
		}
		op := m[1]
		if op == "==" {
			op = "="
		}
		cs = append(cs, Constraint{Op: op, Version: strings.TrimSpace(m[2])})
	}
	return cs, len(cs) > 0
}

// parseVers reads a vers URI (https://github.com/package-url/purl-spec VERSION-RANGE-SPEC).
func parseVers(r *Range, t string) {
	rest := strings.ReplaceAll(t[len("vers:"):], " ", "")
	scheme, cons, ok := strings.Cut(rest, "/")
	if !ok || scheme == "" || cons == "" {
		return
	}
	r.Scheme = strings.ToLower(scheme)
	if cons == "*" {
		r.All, r.Parsed = true, true
		return
	}
	if r.Scheme == "all" {
		return // vers:all only allows "*"
	}
	for _, c := range strings.Split(cons, "|") {
		op := "="
		for _, o := range []string{"<=", ">=", "!=", "<", ">", "="} {
			if strings.HasPrefix(c, o) {
				op, c = o, c[len(o):]
				break
			}
		}
		v, err := url.PathUnescape(c)
		if err != nil || v == "" || strings.ContainsAny(c, "<>=!*") {
			r.Constraints = nil
			return
		}
		r.Constraints = append(r.Constraints, Constraint{Op: op, Version: v})
	}
	r.Parsed = true
}

// Vers returns the range as a vers URI ("vers:generic/>=2.9|<=4.1"; "vers:all/*" for All); free text
// gets the scheme "generic". It returns "" when the range was not parsed.
func (r *Range) Vers() string {
	if !r.Parsed {
		return ""
	}
	if r.All {
		return "vers:all/*"
	}
	scheme := r.Scheme
	if scheme == "" {
		scheme = "generic"
	}
	parts := make([]string, len(r.Constraints))
	for i, c := range r.Constraints {
		op := c.Op
		if op == "=" {
			op = ""
		}
		parts[i] = op + versEscape(c.Version)
	}
	return "vers:" + scheme + "/" + strings.Join(parts, "|")
}

func versEscape(v string) string {
	var b strings.Builder
	for _, c := range []byte(v) {
		switch {
		case c == '%' || c == '|' || c == '<' || c == '>' || c == '=' || c == '!' || c == '*' || c == '/' || c <= ' ' || c >= 0x7f:
			b.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[c>>4])+string("0123456789abcdef"[c&15])))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Contains reports whether version v lies in the range, comparing versions with cmp (negative, zero,
// positive like strings.Compare; CompareGeneric when nil). ok is false when the range was not parsed.
//
// The constraints follow vers: "=" matches exactly and "!=" excludes; the others are sorted by version
// and read left to right, a lower bound (> or >=) followed by an upper bound (< or <=) forming an
// interval, a lone upper bound meaning "up to" and a lone lower bound "from". Free text such as
// "<= U61 | <= L81" (two upper bounds) reads as the union of both.
func (r *Range) Contains(v string, cmp func(a, b string) int) (match, ok bool) {
	if !r.Parsed {
		return false, false
	}
	if r.All {
		return true, true
	}
	if cmp == nil {
		cmp = CompareGeneric
	}
	var rest []Constraint
	for _, c := range r.Constraints {
		switch c.Op {
		case "=":
			if cmp(v, c.Version) == 0 {
				return true, true
			}
		case "!=":
			if cmp(v, c.Version) == 0 {
				return false, true
			}
		default:
			rest = append(rest, c)
		}
	}
	slices.SortStableFunc(rest, func(a, b Constraint) int { return cmp(a.Version, b.Version) })
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if isLower(c.Op) && i+1 < len(rest) && !isLower(rest[i+1].Op) {
			if satisfies(v, c, cmp) && satisfies(v, rest[i+1], cmp) {
				return true, true
			}
			i++
			continue
		}
		if satisfies(v, c, cmp) {
			return true, true
		}
	}
	return false, true
}

func isLower(op string) bool { return op == ">" || op == ">=" }

func satisfies(v string, c Constraint, cmp func(a, b string) int) bool {
	d := cmp(v, c.Version)
	switch c.Op {
	case "<":
		return d < 0
	case "<=":
		return d <= 0
	case ">":
		return d > 0
	case ">=":
		return d >= 0
	}
	return d == 0
}

// CompareGeneric compares two version strings without knowing their scheme: both are split into
// runs of digits and of letters (any other character separates); digit runs compare as numbers, letter
// runs case-insensitively, a letter run sorts before a digit run, and a run "x" or "*" is a wildcard
// equal to anything ("12.2.x.x"). When one version runs out, remaining zero runs do not count
// ("1.0" == "1.0.0") and anything else makes the longer one greater.
func CompareGeneric(a, b string) int {
	ta, tb := versionTokens(a), versionTokens(b)
	for i := 0; i < len(ta) || i < len(tb); i++ {
		if i >= len(ta) {
			return -restSign(tb[i:])
		}
		if i >= len(tb) {
			return restSign(ta[i:])
		}
		x, y := ta[i], tb[i]
		if isWildcard(x) || isWildcard(y) {
			continue
		}
		xd, yd := isDigits(x), isDigits(y)
		switch {
		case xd && yd:
			if d := compareNumeric(x, y); d != 0 {
				return d
			}
		case xd:
			return 1
		case yd:
			return -1
		default:
			if d := strings.Compare(strings.ToLower(x), strings.ToLower(y)); d != 0 {
				return d
			}
		}
	}
	return 0
}

func restSign(rest []string) int {
	for _, t := range rest {
		if isWildcard(t) {
			continue
		}
		if isDigits(t) && strings.Trim(t, "0") == "" {
			continue
		}
		return 1
	}
	return 0
}

func isWildcard(t string) bool { return t == "x" || t == "X" || t == "*" }

func isDigits(t string) bool {
	return t != "" && strings.Trim(t, "0123456789") == ""
}

func compareNumeric(x, y string) int {
	x, y = strings.TrimLeft(x, "0"), strings.TrimLeft(y, "0")
	if len(x) != len(y) {
		if len(x) < len(y) {
			return -1
		}
		return 1
	}
	return strings.Compare(x, y)
}

func versionTokens(s string) []string {
	var out []string
	start := -1
	kind := 0 // 1 digit, 2 letter, 3 wildcard
	flush := func(i int) {
		if start >= 0 {
			out = append(out, s[start:i])
			start = -1
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		k := 0
		switch {
		case c >= '0' && c <= '9':
			k = 1
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80:
			k = 2
		case c == '*':
			k = 3
		}
		if k != kind || k == 3 {
			flush(i)
		}
		if k != 0 && start < 0 {
			start = i
		}
		kind = k
	}
	flush(len(s))
	return out
}
