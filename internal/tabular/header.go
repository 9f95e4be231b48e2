package tabular

import (
	"strings"
	"unicode"

	"github.com/vigil-med/vigil/internal/lazyre"
)

var parens = lazyre.New(`[(\[].*?[)\]]`)

// Fold turns a column name into the key it is recognised by: lower case, German umlauts and ß spelled
// out, parenthesised parts, the euro sign and a trailing currency word removed, "#" read as "nr", and
// everything but letters and digits dropped ("Wiederbeschaffungswert (EUR)" → "wiederbeschaffungswert",
// "Inv.-Nr." → "invnr", "E-Mail-Adresse" → "emailadresse").
func Fold(s string) string {
	s = strings.ToLower(parens.ReplaceAllString(s, ""))
	s = strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss", "€", "", "#", "nr").Replace(s)
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	k := b.String()
	for _, suffix := range []string{"ineur", "eur", "euro"} {
		if strings.HasSuffix(k, suffix) && len(k) > len(suffix)+2 {
			k = strings.TrimSuffix(k, suffix)
		}
	}
	return k
}

// Names recognises column names: each field has names (English, German, …), compared folded. When two
// fields share a name, the field added first keeps it. The zero value is not usable; use NewNames.
type Names struct {
	byKey map[string]NameMatch
}

// NameMatch is what a column name is recognised as: the field and the rank of the name within the
// field's names (0 for the first given, usually the field's own name), so that a caller can prefer the
// better of two columns that both name a field.
type NameMatch struct {
	Field string
	Rank  int
}

// NewNames returns an empty set of names.
func NewNames() *Names { return &Names{byKey: map[string]NameMatch{}} }

// Add adds a field's names, best first. Names that fold to nothing are ignored.
func (n *Names) Add(field string, names ...string) {
	for i, name := range names {
		k := Fold(name)
		if k == "" {
			continue
		}
		if _, taken := n.byKey[k]; !taken {
			n.byKey[k] = NameMatch{Field: field, Rank: i}
		}
	}
}

// Lookup recognises a column name.
func (n *Names) Lookup(name string) (NameMatch, bool) {
	m, ok := n.byKey[Fold(name)]
	return m, ok
}

// FindHeader returns the index of the row, among the first limit rows, that score rates highest (the
// first of equals) and its score; -1 and 0 when no row scores above 0.
func FindHeader(rows [][]string, limit int, score func(cells []string) int) (int, int) {
	best, bestScore := -1, 0
	for i, row := range rows {
		if i >= limit {
			break
		}
		if s := score(row); s > bestScore {
			best, bestScore = i, s
		}
	}
	return best, bestScore
}

// CountNames is a score for FindHeader: how many distinct fields a row's cells name.
func (n *Names) CountNames(cells []string) int {
	seen := map[string]bool{}
	for _, c := range cells {
		if m, ok := n.Lookup(c); ok && !seen[m.Field] {
			seen[m.Field] = true
		}
	}
	return len(seen)
}
