package disclosure

import (
	"strings"
	"unicode"

	"github.com/vigil-med/vigil/internal/csaf"
	"github.com/vigil-med/vigil/internal/version"
)

// Names and versions as advisories write them, compared with the inventory's.

// nameTokens splits a product name into lower-case words: at every character that is neither letter
// nor digit and between letters and digits ("EC40" and "EC 40" both give ec, 40), with plural "s"
// taken off longer words (workplaces → workplace) and filler words left out.
func nameTokens(s string) []string {
	var out []string
	var cur []rune
	kind := 0 // 1 letter, 2 digit
	flush := func() {
		if len(cur) > 0 {
			w := string(cur)
			if len(w) > 4 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
				w = w[:len(w)-1]
			}
			if !fillerWords[w] {
				out = append(out, w)
			}
		}
		cur, kind = cur[:0], 0
	}
	for _, r := range strings.ToLower(s) {
		k := 0
		switch {
		case unicode.IsLetter(r):
			k = 1
		case unicode.IsDigit(r):
			k = 2
		}
		if k == 0 || (kind != 0 && k != kind) {
			flush()
		}
		if k != 0 {
			cur, kind = append(cur, r), k
		}
	}
	flush()
	return out
}

var fillerWords = map[string]bool{"the": true, "of": true, "and": true, "with": true, "for": true, "an": true, "by": true,
	"on": true, "in": true, "to": true, "or": true}

// legalWords are left out of manufacturer names ("Becton, Dickinson and Company (BD)").
var legalWords = map[string]bool{"inc": true, "incorporated": true, "ltd": true, "limited": true, "llc": true, "ag": true, "gmbh": true,
	"co": true, "corp": true, "corporation": true, "company": true, "kgaa": true, "nv": true, "sa": true, "plc": true, "oy": true, "se": true,
	"bv": true, "spa": true, "srl": true, "kg": true}

// vendorKey is the form of a manufacturer name that mapping rules and the matching compare.
func vendorKey(s string) string {
	var out []string
	for _, w := range nameTokens(s) {
		if !legalWords[w] {
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}

// productKey is the form of an advisory product name that mapping rules remember.
func productKey(s string) string { return strings.Join(nameTokens(s), " ") }

type tokenSet map[string]bool

func setOf(words ...[]string) tokenSet {
	s := tokenSet{}
	for _, ws := range words {
		for _, w := range ws {
			s[w] = true
		}
	}
	return s
}

func (s tokenSet) minus(o tokenSet) tokenSet {
	out := tokenSet{}
	for w := range s {
		if !o[w] {
			out[w] = true
		}
	}
	return out
}

// within reports whether every word of s is in o.
func (s tokenSet) within(o tokenSet) bool {
	for w := range s {
		if !o[w] {
			return false
		}
	}
	return true
}

func (s tokenSet) equal(o tokenSet) bool { return len(s) == len(o) && s.within(o) }

// distinctive reports whether a word set says enough to match on alone: two words, or one of at least
// four characters.
func (s tokenSet) distinctive() bool {
	if len(s) >= 2 {
		return true
	}
	for w := range s {
		return len(w) >= 4
	}
	return false
}

func (s tokenSet) overlap(o tokenSet) int {
	n := 0
	for w := range s {
		if o[w] {
			n++
		}
	}
	return n
}

// compactWords splits text at white space and / , ; ( ) [ ] and returns each piece with everything but
// letters and digits removed, in lower case ("(VLFT10GEN)" → vlft10gen, "2062918-001" → 2062918001).
func compactWords(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune("/,;()[]|:", r)
	}) {
		if c := compact(f); c != "" {
			out = append(out, c)
		}
	}
	return out
}

func compact(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// modelKey is a model number in the compact form, "" when it is too short to identify a product.
func modelKey(model string) string {
	c := compact(model)
	if len(c) < 4 {
		return ""
	}
	return c
}

// Versions.

// isAllVersions reports whether a product_version text means every version.
func isAllVersions(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "vers:all/*", "*", "all", "all versions", "any", "any version":
		return true
	}
	return strings.HasPrefix(s, "* ") || strings.HasPrefix(s, "vers:all/")
}

// versionLike reports whether text reads as one version ("2.3.6", "VA60A", "1.3.1 Build 13"): it
// has a digit and at most three words.
func versionLike(s string) bool {
	s = strings.TrimSpace(s)
	return s != "" && len(strings.Fields(s)) <= 3 && strings.IndexFunc(s, unicode.IsDigit) >= 0 && len(s) <= 40
}

// versionRuns splits a version into its runs of digits and of letters, lower case.
func versionRuns(s string) []string {
	var out []string
	var cur []rune
	kind := 0
	for _, r := range strings.ToLower(s) {
		k := 0
		switch {
		case unicode.IsLetter(r) || r == '*':
			k = 1
		case unicode.IsDigit(r):
			k = 2
		}
		if k == 0 || (kind != 0 && k != kind) {
			if len(cur) > 0 {
				out = append(out, string(cur))
			}
			cur, kind = cur[:0], 0
		}
		if k != 0 {
			cur, kind = append(cur, r), k
		}
	}
	if len(cur) > 0 {
		out = append(out, string(cur))
	}
	return out
}

// versionMatches reports whether version v is the listed version spec: equal to it (csaf.CompareGeneric:
// "1.0" = "1.0.0", "x" is a wildcard), or starting with all of its runs ("9.33" lists 9.33.1, "2.X"
// lists 2.0.6): advisories name release lines by their leading digits.
func versionMatches(v, spec string) bool {
	spec = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(spec), "v"), "V")))
	if spec == "" {
		return false
	}
	if csaf.CompareGeneric(v, spec) == 0 {
		return true
	}
	vr, sr := versionRuns(v), versionRuns(spec)
	if len(sr) == 0 || len(sr) > len(vr) {
		return false
	}
	for i := range sr {
		if sr[i] == "x" || sr[i] == "*" {
			continue
		}
		if csaf.CompareGeneric(vr[i], sr[i]) != 0 {
			return false
		}
	}
	return true
}

// compareFor returns the comparison of a vers scheme: the ecosystem's own (internal/version) when the
// scheme names one, else csaf.CompareGeneric (vendor firmware versions; "x" is a wildcard). A pair the
// ecosystem cannot parse falls back to the generic comparison.
func compareFor(scheme string) func(a, b string) int {
	eco := map[string]string{"semver": version.SemVer, "npm": "npm", "pypi": "PyPI", "maven": "Maven", "nuget": "NuGet", "gem": "RubyGems",
		"golang": "Go", "cargo": "crates.io", "deb": "Debian", "rpm": "Red Hat", "apk": "Alpine", "composer": "Packagist"}[strings.ToLower(scheme)]
	if eco == "" || !version.Supported(eco) {
		return csaf.CompareGeneric
	}
	return func(a, b string) int {
		c, err := version.Compare(eco, a, b)
		if err != nil {
			return csaf.CompareGeneric(a, b)
		}
		return c
	}
}

// rangeCovers reports whether version v lies in r; known is false for a range that was not understood.
func rangeCovers(r *csaf.Range, v string) (match, known bool) {
	if r == nil {
		return false, false
	}
	if r.All {
		return true, true
	}
	if !r.Parsed {
		return false, false
	}
	return r.Contains(v, compareFor(r.Scheme))
}

// hasBound reports whether a parsed range has a constraint other than "=" (a real range rather than
// a list of versions).
func hasBound(r *csaf.Range) bool {
	if r == nil || !r.Parsed {
		return false
	}
	if r.All {
		return true
	}
	for _, c := range r.Constraints {
		if c.Op != "=" {
			return true
		}
	}
	return false
}

// versionSpec is what an advisory says about the versions of a product.
type versionSpec struct {
	Version string      // product_version as written ("" when none)
	Range   *csaf.Range // product_version_range, parsed; nil when none
	// Override is a person's range (a mapping rule or decision), used instead of the above when set.
	Override string
	// nameWords are the words of the advisory's product name: a version text that repeats the
	// inventory product's name words beyond these names a model rather than a version.
	nameWords tokenSet
}

// covers reports whether the spec covers version v of the inventory product q. known is false when the
// advisory's text cannot be read as versions (a person must decide).
func (s versionSpec) covers(q catProduct, v string) (match, known bool) {
	if s.Override != "" {
		return rangeCovers(csaf.ParseRange(s.Override), v)
	}
	if s.Range != nil {
		return rangeCovers(s.Range, v)
	}
	text := strings.TrimSpace(s.Version)
	if text == "" || isAllVersions(text) {
		return true, true
	}
	// A text that names this model ("Models 2131 and 2141", "3002 S3 | 3005 S3", "8.x model 35700BAX2")
	// covers all its versions.
	modelWords := q.distinct(s.nameWords)
	for _, w := range compactWords(text) {
		if modelWords[w] {
			return true, true
		}
	}
	if r := csaf.ParseRange(text); hasBound(r) {
		return rangeCovers(r, v)
	}
	// A list of versions, models or both: "1.10 | 1.11", "CS2 Avance | Amingo".
	known = true
	for _, part := range strings.Split(text, "|") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		for _, w := range compactWords(part) {
			if modelWords[w] {
				return true, true // the text names this model: all its versions
			}
		}
		for _, w := range nameTokens(part) {
			if modelWords[w] {
				return true, true
			}
		}
		switch {
		case isAllVersions(part):
			return true, true
		case versionLike(part):
			if versionMatches(v, part) {
				return true, true
			}
		default:
			if r := csaf.ParseRange(part); hasBound(r) {
				if m, ok := rangeCovers(r, v); ok {
					if m {
						return true, true
					}
					continue
				}
			}
			if f := strings.Fields(part); len(f) > 0 && versionLike(f[0]) {
				if versionMatches(v, f[0]) {
					return true, true
				}
				continue
			}
			known = false
		}
	}
	return false, known
}
