package disclosure

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/vigil-med/vigil/internal/csaf"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/purl"
	"github.com/vigil-med/vigil/internal/store"
)

// The mapping of advisory products to the inventory. For each product of an advisory's product tree:
//
//  1. a remembered rule for its vendor and name decides (map to these products, or ignore);
//  2. else its identifiers: a CPE whose vendor and product are a product's CPE parts, a package URL that
//     is the subject of a version's SBOM;
//  3. else its names, among the products of the manufacturer the advisory names (by name or alias):
//     the same words (100), the product's model number in the text (70, or +30 with a name match),
//     the product's words all in the advisory's (60+), the advisory's words all in the product's (50);
//     a product that another product of the same advisory matches better is left to that one (so
//     "Alaris Gateway Workstation Alaris GH" goes to Alaris GH when "Alaris Gateway Workstation" is
//     listed too).
//
// A single best candidate is mapped and its versions are those the advisory's version or range covers;
// several equal candidates, none, or a version text that cannot be read leave the product unmapped in
// the queue with suggestions for a person.

// Scores of the name criteria.
const (
	scoreIdentifier = 100
	scoreExact      = 100
	scoreModel      = 70
	scoreModelBonus = 30
	scoreContains   = 60
	scoreWithin     = 50
	scoreMin        = 50
)

type catProduct struct {
	ID, Maker   int64
	Name, Model string
	CPEVendor   string
	CPEProduct  string
	words       tokenSet // name words without the manufacturer's words
	allWords    tokenSet
	model       string
	versions    []domain.ProductVersion
}

// distinct returns the words (and compact model number) that name this product beyond the given words:
// a version text containing one of them names the model, not a version.
func (q catProduct) distinct(advisoryWords tokenSet) tokenSet {
	out := tokenSet{}
	for w := range q.allWords {
		if advisoryWords[w] {
			continue
		}
		hasLetter := strings.IndexFunc(w, func(r rune) bool { return r < '0' || r > '9' }) >= 0
		if (hasLetter && len(w) >= 2) || len(w) >= 3 {
			out[w] = true
		}
	}
	if q.model != "" {
		out[q.model] = true
	}
	return out
}

type catMaker struct {
	ID    int64
	Name  string
	keys  []string // vendor keys of the name and aliases
	words tokenSet // every word of the name and aliases
}

// catalogue is what the mapping compares advisories with: the organisation's manufacturers, products
// and versions, the remembered rules, and the package URLs of the SBOM subjects.
type catalogue struct {
	makers    []catMaker
	products  []catProduct
	byID      map[int64]*catProduct
	makerByID map[int64]*catMaker
	rules     map[[2]string][]domain.MappingRule
	subjects  map[string][]int64 // purl key of an SBOM subject → product version ids
	versionOf map[int64]int64    // product version → product
}

func loadCatalogue(ctx context.Context, sc *store.Scope) (*catalogue, error) {
	mc, err := sc.MappingCatalogue(ctx)
	if err != nil {
		return nil, err
	}
	c := &catalogue{byID: map[int64]*catProduct{}, makerByID: map[int64]*catMaker{}, rules: map[[2]string][]domain.MappingRule{},
		subjects: map[string][]int64{}, versionOf: map[int64]int64{}}
	for _, m := range mc.Manufacturers {
		cm := catMaker{ID: m.ID, Name: m.Name, words: tokenSet{}}
		for _, n := range append([]string{m.Name}, m.Aliases...) {
			if k := vendorKey(n); k != "" {
				cm.keys = append(cm.keys, k)
			}
			for _, w := range nameTokens(n) {
				cm.words[w] = true
			}
		}
		c.makers = append(c.makers, cm)
	}
	for i := range c.makers {
		c.makerByID[c.makers[i].ID] = &c.makers[i]
	}
	versions := map[int64][]domain.ProductVersion{}
	for _, v := range mc.Versions {
		versions[v.ProductID] = append(versions[v.ProductID], v)
		c.versionOf[v.ID] = v.ProductID
	}
	for _, p := range mc.Products {
		q := catProduct{ID: p.ID, Maker: p.ManufacturerID, Name: p.Name, Model: p.ModelNumber, CPEVendor: p.CPEVendor, CPEProduct: p.CPEProduct,
			allWords: setOf(nameTokens(p.Name)), model: modelKey(p.ModelNumber), versions: versions[p.ID]}
		q.words = q.allWords
		if m := c.makerByID[p.ManufacturerID]; m != nil {
			if w := q.allWords.minus(m.words); len(w) > 0 {
				q.words = w
			}
		}
		c.products = append(c.products, q)
	}
	for i := range c.products {
		c.byID[c.products[i].ID] = &c.products[i]
	}
	for _, r := range mc.Rules {
		k := [2]string{r.VendorKey, r.NameKey}
		c.rules[k] = append(c.rules[k], r)
	}
	for pv, key := range mc.Subjects {
		c.subjects[key] = append(c.subjects[key], pv)
	}
	return c, nil
}

// makersFor returns the manufacturers a vendor name names (by name or alias).
func (c *catalogue) makersFor(vendor string) []*catMaker {
	k := vendorKey(vendor)
	if k == "" {
		return nil
	}
	var out []*catMaker
	for i := range c.makers {
		for _, mk := range c.makers[i].keys {
			if mk == k {
				out = append(out, &c.makers[i])
				break
			}
		}
	}
	return out
}

// apView is an advisory product prepared for matching.
type apView struct {
	p        *domain.AdvisoryProduct
	spec     versionSpec
	makers   []*catMaker
	words    tokenSet // name, family and version words without the manufacturer's
	name     tokenSet // product name words without the manufacturer's
	compact  tokenSet // compact words of every text (model numbers)
	scores   map[int64]int
	methods  map[int64]string
	platform string // relationship: the csaf id of the platform product
}

func newAPView(c *catalogue, p *domain.AdvisoryProduct, vendorFallback string) *apView {
	v := &apView{p: p, scores: map[int64]int{}, methods: map[int64]string{}}
	vendor := p.Vendor
	if vendor == "" {
		vendor = vendorFallback
	}
	v.makers = c.makersFor(vendor)
	vw := tokenSet{}
	for _, m := range v.makers {
		for w := range m.words {
			vw[w] = true
		}
	}
	name := p.ProductName
	if name == "" {
		name = p.Name
	}
	v.name = setOf(nameTokens(name)).minus(vw)
	v.words = setOf(nameTokens(name), nameTokens(p.Family), nameTokens(p.Version)).minus(vw)
	v.compact = setOf(compactWords(p.Name), compactWords(p.ProductName), compactWords(p.Version), p.ModelNumbers)
	for _, m := range p.ModelNumbers {
		v.compact[compact(m)] = true
	}
	v.spec = versionSpec{Version: p.Version, nameWords: setOf(nameTokens(name))}
	if p.VersionRange != "" {
		v.spec.Range = csaf.ParseRange(p.VersionRange)
	}
	return v
}

// score rates how well the advisory product names inventory product q (0: not at all).
func (v *apView) score(q *catProduct) (int, string) {
	nameScore := 0
	switch {
	case len(v.name) > 0 && v.name.equal(q.words), len(v.words) > 0 && v.words.equal(q.words):
		nameScore = scoreExact
	case len(q.words) > 0 && q.words.distinctive() && q.words.within(v.words):
		nameScore = scoreContains + min(10, 2*len(q.words))
	case len(v.name) > 0 && v.name.distinctive() && v.name.within(q.words):
		nameScore = scoreWithin
	}
	model := q.model != "" && v.compact[q.model]
	switch {
	case model && nameScore > 0:
		return nameScore + scoreModelBonus, "model"
	case model:
		return scoreModel, "model"
	}
	return nameScore, "name"
}

// decision is what the mapping decided for one advisory product.
type decision struct {
	state       string
	note        string
	suggestions []int64
	links       []store.MappedLink
}

// mapAdvisory decides the mapping of every product of one advisory; publisher names the vendor of
// products whose tree has no vendor branch when the publisher is a vendor.
func (c *catalogue) mapAdvisory(products []domain.AdvisoryProduct, publisher string) []decision {
	views := make([]*apView, len(products))
	for i := range products {
		views[i] = newAPView(c, &products[i], publisher)
		if _, _, platform, ok := splitRelationship(products[i].Relationship); ok {
			views[i].platform = platform
		}
	}
	// Scores by name, model and identifiers.
	for _, v := range views {
		for _, m := range v.makers {
			for i := range c.products {
				q := &c.products[i]
				if q.Maker != m.ID {
					continue
				}
				if s, how := v.score(q); s > 0 {
					v.scores[q.ID], v.methods[q.ID] = s, how
				}
			}
		}
		c.identifierScores(v)
	}
	// A product that another product of this advisory (with another name) matches better is left to it.
	best := map[int64]int{}
	bestName := map[int64]string{}
	for _, v := range views {
		for id, s := range v.scores {
			if s > best[id] {
				best[id], bestName[id] = s, strings.Join(sortedWords(v.name), " ")
			}
		}
	}
	out := make([]decision, len(views))
	byCSAF := map[string]int{}
	for i, v := range views {
		byCSAF[v.p.CSAFID] = i
	}
	for i, v := range views {
		if v.platform != "" {
			continue // decided below, from the platform
		}
		out[i] = c.decide(v, best, bestName)
	}
	for i, v := range views {
		if v.platform == "" {
			continue
		}
		j, ok := byCSAF[v.platform]
		if !ok || views[j].platform != "" {
			out[i] = decision{state: domain.MappingUnmapped, note: "relationship to a product the advisory does not define"}
			continue
		}
		d := out[j]
		d.note = "as its platform " + views[j].p.Name + ": " + d.note
		out[i] = d
	}
	return out
}

// identifierScores adds the products a CPE or package URL of the advisory product names.
func (c *catalogue) identifierScores(v *apView) {
	if cpe := v.p.CPE; cpe != "" {
		key := store.ComponentCPEKey(cpe)
		if parts := strings.Split(key, ":"); len(parts) == 3 {
			for i := range c.products {
				q := &c.products[i]
				if q.CPEVendor != "" && q.CPEVendor == parts[1] && q.CPEProduct == parts[2] {
					v.scores[q.ID], v.methods[q.ID] = scoreIdentifier+scoreModelBonus, "cpe"
				}
			}
			if v.p.Version == "" && v.spec.Range == nil {
				v.spec.Version = store.ComponentCPEVersion(cpe)
			}
		}
	}
	if p := v.p.PURL; p != "" {
		key := purl.WithoutVersion(p)
		for _, pv := range c.subjects[key] {
			if pid, ok := c.versionOf[pv]; ok {
				v.scores[pid], v.methods[pid] = scoreIdentifier+scoreModelBonus, "purl"
			}
		}
		if v.p.Version == "" && v.spec.Range == nil {
			if pp, err := purl.Parse(p); err == nil {
				v.spec.Version = pp.Version
			}
		}
	}
}

func sortedWords(s tokenSet) []string {
	out := make([]string, 0, len(s))
	for w := range s {
		out = append(out, w)
	}
	sort.Strings(out)
	return out
}

func (c *catalogue) decide(v *apView, best map[int64]int, bestName map[int64]string) decision {
	p := v.p
	// 1. Remembered decisions.
	vk, nk := vendorKey(p.Vendor), productKey(ruleName(p))
	rules := c.rules[[2]string{vk, nk}]
	if len(rules) == 0 {
		rules = c.rules[[2]string{vk, ""}]
	}
	if len(rules) > 0 {
		d := decision{state: domain.MappingMapped, note: "by a remembered mapping"}
		for _, r := range rules {
			if r.ProductID == 0 {
				return decision{state: domain.MappingIgnored, note: "ignored by a remembered decision"}
			}
			q := c.byID[r.ProductID]
			if q == nil {
				continue
			}
			spec := v.spec
			spec.Override = r.VersionRange
			vers, _ := coveredVersions(spec, q)
			d.links = append(d.links, store.MappedLink{ProductID: q.ID, Method: "rule", VersionRange: r.VersionRange, Versions: vers})
		}
		if len(d.links) > 0 {
			return d
		}
	}
	// 2./3. The best candidate.
	myName := strings.Join(sortedWords(v.name), " ")
	type cand struct {
		id    int64
		score int
	}
	var cands []cand
	var claimed []int64 // candidates another product of the advisory names better
	for id, s := range v.scores {
		if s < scoreMin {
			continue
		}
		if best[id] > s && bestName[id] != myName {
			claimed = append(claimed, id)
			continue
		}
		cands = append(cands, cand{id, s})
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].score != cands[j].score {
			return cands[i].score > cands[j].score
		}
		return cands[i].id < cands[j].id
	})
	if len(cands) == 0 && len(claimed) > 0 {
		sort.Slice(claimed, func(i, j int) bool { return claimed[i] < claimed[j] })
		var names []string
		for _, id := range claimed {
			names = append(names, c.byID[id].Name)
		}
		return decision{state: domain.MappingUnmapped, suggestions: claimed,
			note: "resembles " + strings.Join(names, "; ") + ", which the advisory lists as a product of its own: map it if it is the same"}
	}
	if len(cands) == 0 {
		return c.noMatch(v)
	}
	if len(cands) > 1 && cands[1].score == cands[0].score {
		d := decision{state: domain.MappingUnmapped}
		var names []string
		for _, x := range cands {
			if x.score == cands[0].score {
				d.suggestions = append(d.suggestions, x.id)
				names = append(names, c.byID[x.id].Name)
			}
		}
		d.note = "several products match equally: " + strings.Join(names, "; ")
		return d
	}
	q := c.byID[cands[0].id]
	vers, known := coveredVersions(v.spec, q)
	if !known {
		return decision{state: domain.MappingUnmapped, suggestions: []int64{q.ID},
			note: fmt.Sprintf("matches %s by %s, but the version text %q cannot be read: choose the versions", q.Name, v.methods[q.ID], p.VersionText())}
	}
	note := fmt.Sprintf("matched %s by %s", q.Name, methodLabel(v.methods[q.ID]))
	if len(vers) == 0 {
		note += "; none of its versions in the inventory is covered"
	}
	return decision{state: domain.MappingMapped, note: note,
		links: []store.MappedLink{{ProductID: q.ID, Method: v.methods[q.ID], Versions: vers}}}
}

func methodLabel(m string) string {
	switch m {
	case "model":
		return "model number"
	case "cpe":
		return "CPE"
	case "purl":
		return "package URL"
	}
	return "name"
}

// joinRelationship writes a relationship product's relationship as stored: "category|component|platform".
func joinRelationship(r *csaf.Relationship) string {
	if r == nil {
		return ""
	}
	return r.Category + "|" + r.ComponentID + "|" + r.PlatformID
}

// splitRelationship reads a stored relationship.
func splitRelationship(s string) (category, component, platform string, ok bool) {
	f := strings.Split(s, "|")
	if len(f) != 3 {
		return "", "", "", false
	}
	return f[0], f[1], f[2], true
}

// ruleName is the name a mapping rule remembers for an advisory product.
func ruleName(p *domain.AdvisoryProduct) string {
	if p.ProductName != "" {
		return p.ProductName
	}
	return p.Name
}

// noMatch explains an unmatched product and suggests products that share words with it.
func (c *catalogue) noMatch(v *apView) decision {
	d := decision{state: domain.MappingUnmapped}
	type sugg struct {
		id    int64
		score float64
	}
	var ss []sugg
	for i := range c.products {
		q := &c.products[i]
		n := q.words.overlap(v.words)
		if n == 0 {
			continue
		}
		s := float64(n) / float64(len(q.words)+len(v.words)-n)
		for _, m := range v.makers {
			if m.ID == q.Maker {
				s += 0.5
			}
		}
		if s >= 0.25 {
			ss = append(ss, sugg{q.ID, s})
		}
	}
	sort.Slice(ss, func(i, j int) bool {
		if ss[i].score != ss[j].score {
			return ss[i].score > ss[j].score
		}
		return ss[i].id < ss[j].id
	})
	for i := 0; i < len(ss) && i < 5; i++ {
		d.suggestions = append(d.suggestions, ss[i].id)
	}
	switch {
	case len(v.makers) == 0 && v.p.Vendor != "":
		d.note = "the manufacturer " + v.p.Vendor + " is not in the inventory"
	case len(v.makers) == 0:
		d.note = "the advisory names no vendor"
	default:
		d.note = "no product of " + v.makers[0].Name + " matches"
	}
	return d
}

// coveredVersions returns the versions of q that spec covers; known is false when the advisory's version
// text cannot be read.
func coveredVersions(spec versionSpec, q *catProduct) ([]int64, bool) {
	out := []int64{}
	known := true
	for _, v := range q.versions {
		m, ok := spec.covers(*q, v.Version)
		if !ok {
			known = false
		}
		if m {
			out = append(out, v.ID)
		}
	}
	if len(q.versions) == 0 {
		_, known = spec.covers(*q, "0")
	}
	return out, known || len(out) > 0
}
