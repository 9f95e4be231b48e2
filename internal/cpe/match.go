package cpe

// Relation is the set relation between a source and a target attribute (NISTIR 7696 §6.1).
type Relation uint8

// Relations, as in NISTIR 7696 Table 6-2.
const (
	Disjoint Relation = iota
	Subset
	Superset
	Equal
	Undefined
)

// String names the relation.
func (r Relation) String() string {
	return [...]string{"DISJOINT", "SUBSET", "SUPERSET", "EQUAL", "UNDEFINED"}[r]
}

// CompareAttr returns the relation of source to target: SUPERSET or EQUAL mean the source
// attribute covers the target. A target with wildcards is UNDEFINED unless the source is ANY.
func CompareAttr(src, tgt Attr) Relation {
	switch src.Kind {
	case Any:
		if tgt.Kind == Any {
			return Equal
		}
		return Superset
	case NA:
		switch tgt.Kind {
		case Any:
			return Subset
		case NA:
			return Equal
		}
		if tgt.HasWildcards() {
			return Undefined
		}
		return Disjoint
	}
	// src is a value
	switch tgt.Kind {
	case Any:
		return Subset
	case NA:
		return Disjoint
	}
	if tgt.HasWildcards() {
		return Undefined
	}
	if src.V == tgt.V {
		return Equal
	}
	if src.HasWildcards() && wildcardMatch(src.V, tgt.V) {
		return Superset
	}
	return Disjoint
}

// Covers reports whether src is a superset of or equal to tgt in every attribute: the CPE name
// matching result "source ⊇ target".
func (src Name) Covers(tgt Name) bool {
	s, t := src.Attrs(), tgt.Attrs()
	for i := range s {
		if r := CompareAttr(*s[i], *t[i]); r != Superset && r != Equal {
			return false
		}
	}
	return true
}

// wildcardMatch matches a canonical pattern (unescaped '*' any run, '?' exactly one character)
// against a canonical value without wildcards. Escaped characters are single characters.
func wildcardMatch(pat, val string) bool {
	// Split both into logical characters: an escape and its character count as one.
	p := logical(pat)
	v := logical(val)
	// classic iterative glob with backtracking on the last '*'
	pi, vi := 0, 0
	star, mark := -1, 0
	for vi < len(v) {
		switch {
		case pi < len(p) && (p[pi] == "?" || p[pi] == v[vi]) && p[pi] != "*":
			pi++
			vi++
		case pi < len(p) && p[pi] == "*":
			star = pi
			mark = vi
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			vi = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == "*" {
		pi++
	}
	return pi == len(p)
}

func logical(s string) []string {
	out := make([]string, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			out = append(out, s[i:i+2])
			i++
			continue
		}
		out = append(out, s[i:i+1])
	}
	return out
}
