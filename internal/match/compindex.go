package match

import (
	"slices"
	"strings"

	"github.com/vigil-med/vigil/internal/cpe"
	"github.com/vigil-med/vigil/internal/sbom"
)

// ComponentIndex maps component keys to the product versions that contain them: it answers which
// product versions a feed change touches (ProductVersions) and the fleet-wide "where is this
// component?" query (Where). It keeps a packed copy of what matching and Where read of each component
// (Components gives it back). It is not safe for concurrent writes; reads may run concurrently.
type ComponentIndex struct {
	pvs    []pvComponents
	pvPos  map[string]int32
	keyAt  map[Key]int32    // a (folded) key's position in locs: one map operation a key when adding
	locs   [][]loc          // per key, where it occurs
	byName map[string][]Key // lower-case names (full key name, component name, last name segment)
	cpeAll []loc            // every component with a CPE, for Key{CPEEcosystem, "*"}
}

type pvComponents struct {
	id    string
	comps packedComponents
	live  bool
}

// packedComponents is what the index keeps of a product version's components: the fields the matcher
// and Where read (ref, name, version, package URL, CPE) in one string with the end offset of each.
// A fleet's components are the largest thing a server holds: for 1,000,000 components this is about
// 120 MB where []sbom.Component with its strings took 310 MB.
type packedComponents struct {
	buf  string
	ends []uint32 // packedFields per component
}

const packedFields = 5

func packComponents(comps []sbom.Component) packedComponents {
	n := 0
	for i := range comps {
		c := &comps[i]
		n += len(c.Ref) + len(c.Name) + len(c.Version) + len(c.PURL) + len(c.CPE)
	}
	var b strings.Builder
	b.Grow(n)
	ends := make([]uint32, 0, len(comps)*packedFields)
	for i := range comps {
		c := &comps[i]
		for _, s := range [packedFields]string{c.Ref, c.Name, c.Version, c.PURL, c.CPE} {
			b.WriteString(s)
			ends = append(ends, uint32(b.Len()))
		}
	}
	return packedComponents{buf: b.String(), ends: ends}
}

func (p *packedComponents) len() int { return len(p.ends) / packedFields }

// hasCPE reports whether component i has a CPE.
func (p *packedComponents) hasCPE(i int) bool {
	return p.ends[i*packedFields+4] > p.ends[i*packedFields+3]
}

// at returns component i with the packed fields (the others empty).
func (p *packedComponents) at(i int) sbom.Component {
	f := p.ends[i*packedFields : (i+1)*packedFields]
	start := uint32(0)
	if i > 0 {
		start = p.ends[i*packedFields-1]
	}
	return sbom.Component{Ref: p.buf[start:f[0]], Name: p.buf[f[0]:f[1]], Version: p.buf[f[1]:f[2]], PURL: p.buf[f[2]:f[3]], CPE: p.buf[f[3]:f[4]]}
}

type loc struct{ pv, comp int32 }

// Placement is one occurrence of a component in a product version.
type Placement struct {
	ProductVersion string
	Component      int // index in the product version's component slice
	Ref            string
	Name           string
	Version        string
	PURL           string
	CPE            string
}

// NewComponentIndex returns an empty index.
func NewComponentIndex() *ComponentIndex {
	return &ComponentIndex{pvPos: map[string]int32{}, keyAt: map[Key]int32{}, byName: map[string][]Key{}}
}

// locsOf returns where the (folded) key k occurs.
func (ci *ComponentIndex) locsOf(k Key) []loc {
	if at, ok := ci.keyAt[k]; ok {
		return ci.locs[at]
	}
	return nil
}

// Add records the components of a product version, replacing what was recorded for it before. The
// index keeps a copy of their ref, name, version, package URL and CPE; comps may be reused afterwards.
func (ci *ComponentIndex) Add(productVersion string, comps []sbom.Component) {
	if _, ok := ci.pvPos[productVersion]; ok {
		ci.Remove(productVersion)
	}
	pv := int32(len(ci.pvs))
	ci.pvs = append(ci.pvs, pvComponents{id: productVersion, comps: packComponents(comps), live: true})
	ci.pvPos[productVersion] = pv
	var keys [2]Key
	for i := range comps {
		c := &comps[i]
		l := loc{pv, int32(i)}
		for _, k := range appendComponentKeys(keys[:0], c) {
			k = FoldKey(k)
			at, ok := ci.keyAt[k]
			if !ok {
				at = int32(len(ci.locs))
				ci.keyAt[k] = at
				ci.locs = append(ci.locs, nil)
				ci.indexName(k, c.Name)
			}
			ci.locs[at] = append(ci.locs[at], l)
			if k.Ecosystem == CPEEcosystem {
				ci.cpeAll = append(ci.cpeAll, l)
			}
		}
	}
}

// indexName lists a key under its names. It is called only for a key that has no locations yet, and
// a key is in byName exactly while it has some (Clone drops both together), so k is in no list yet:
// only its own names can repeat. (Searching the list instead cost a full match 1.4 s of CPU at
// 1,000,000 components: a last name segment such as "v2" is shared by thousands of keys.)
func (ci *ComponentIndex) indexName(k Key, compName string) {
	names := [3]string{strings.ToLower(k.Name), strings.ToLower(compName)}
	if i := strings.LastIndexAny(k.Name, ":/"); i >= 0 {
		names[2] = strings.ToLower(k.Name[i+1:])
	}
	for i, s := range names {
		if s != "" && !slices.Contains(names[:i], s) {
			ci.byName[s] = append(ci.byName[s], k)
		}
	}
}

// Remove forgets a product version (its slots are dropped lazily from the key lists).
func (ci *ComponentIndex) Remove(productVersion string) {
	pv, ok := ci.pvPos[productVersion]
	if !ok {
		return
	}
	ci.pvs[pv].live = false
	ci.pvs[pv].comps = packedComponents{}
	delete(ci.pvPos, productVersion)
}

// Clone returns a copy of the index for a writer that must not disturb the index's readers (Add and
// Remove write in place): a product version's packed components are shared (they never change), the
// lists are the copy's own, and what Remove left behind is dropped (positions renumbered), so a cache
// updated by clones does not grow with every change.
func (ci *ComponentIndex) Clone() *ComponentIndex {
	out := &ComponentIndex{pvPos: make(map[string]int32, len(ci.pvPos)), keyAt: make(map[Key]int32, len(ci.keyAt)),
		locs: make([][]loc, 0, len(ci.locs)), byName: make(map[string][]Key, len(ci.byName))}
	renum := make([]int32, len(ci.pvs))
	for i, p := range ci.pvs {
		renum[i] = -1
		if p.live {
			renum[i] = int32(len(out.pvs))
			out.pvPos[p.id] = renum[i]
			out.pvs = append(out.pvs, p)
		}
	}
	move := func(ls []loc) []loc {
		n := 0
		for _, l := range ls {
			if renum[l.pv] >= 0 {
				n++
			}
		}
		if n == 0 {
			return nil
		}
		moved := make([]loc, 0, n)
		for _, l := range ls {
			if r := renum[l.pv]; r >= 0 {
				moved = append(moved, loc{r, l.comp})
			}
		}
		return moved
	}
	for k, at := range ci.keyAt {
		if m := move(ci.locs[at]); m != nil {
			out.keyAt[k] = int32(len(out.locs))
			out.locs = append(out.locs, m)
		}
	}
	for name, keys := range ci.byName {
		var kept []Key
		for _, k := range keys {
			if _, ok := out.keyAt[k]; ok {
				kept = append(kept, k)
			}
		}
		if kept != nil {
			out.byName[name] = kept
		}
	}
	out.cpeAll = move(ci.cpeAll)
	return out
}

// Components returns the components recorded for a product version, in their order, with the fields
// the index keeps (ref, name, version, package URL, CPE); nil when none are. The slice is the
// caller's. (A re-match of some of them uses ComponentsFor.)
func (ci *ComponentIndex) Components(productVersion string) []sbom.Component {
	return ci.AppendComponents(nil, productVersion)
}

// AppendComponents appends the components Components returns to dst (a matcher going through the
// product versions reuses one slice).
func (ci *ComponentIndex) AppendComponents(dst []sbom.Component, productVersion string) []sbom.Component {
	pv, ok := ci.pvPos[productVersion]
	if !ok {
		return dst
	}
	p := &ci.pvs[pv].comps
	dst = slices.Grow(dst, p.len())
	for i := range p.len() {
		dst = append(dst, p.at(i))
	}
	return dst
}

// ComponentsFor returns what a re-match of the components at only (positions, as ComponentsByVersion
// gives them) needs: those components (the first n of comps, in only's order, each once), then the
// product version's other components that carry a CPE, because an NVD configuration's running-on
// condition (firmware on its hardware, an application on its operating system) is evaluated against
// every CPE of the version, not only the re-matched components'. pos[i] is comps[i]'s position in
// the product version. Unlike Components it allocates only what it returns.
func (ci *ComponentIndex) ComponentsFor(productVersion string, only []int) (comps []sbom.Component, pos []int, n int) {
	at, ok := ci.pvPos[productVersion]
	if !ok {
		return nil, nil, 0
	}
	p := &ci.pvs[at].comps
	total := p.len()
	taken := make([]bool, total)
	add := func(i int) {
		taken[i] = true
		comps, pos = append(comps, p.at(i)), append(pos, i)
	}
	for _, i := range only {
		if i >= 0 && i < total && !taken[i] {
			add(i)
		}
	}
	n = len(comps)
	for i := range total {
		if !taken[i] && p.hasCPE(i) {
			add(i)
		}
	}
	return comps, pos, n
}

// ProductVersions returns the product versions (sorted, unique) holding a component with one of
// the keys (compared as FoldKey); Key{CPEEcosystem, "*"} selects every product version with a CPE
// component.
func (ci *ComponentIndex) ProductVersions(keys []Key) []string {
	seen := map[int32]bool{}
	var out []string
	visit := func(ls []loc) {
		for _, l := range ls {
			if !seen[l.pv] && ci.pvs[l.pv].live {
				seen[l.pv] = true
				out = append(out, ci.pvs[l.pv].id)
			}
		}
	}
	for _, k := range keys {
		if k.Ecosystem == CPEEcosystem && k.Name == "*" {
			visit(ci.cpeAll)
			continue
		}
		visit(ci.locsOf(FoldKey(k)))
	}
	slices.Sort(out)
	return out
}

// ComponentsByVersion returns, per product version, the positions (sorted, unique) of its components
// with one of the keys (compared as FoldKey; Key{CPEEcosystem, "*"}: every component with a CPE): what
// a feed change touches, so that a re-match visits those components instead of every component.
func (ci *ComponentIndex) ComponentsByVersion(keys []Key) map[string][]int {
	out := map[string][]int{}
	visit := func(ls []loc) {
		for _, l := range ls {
			if p := &ci.pvs[l.pv]; p.live {
				out[p.id] = append(out[p.id], int(l.comp))
			}
		}
	}
	for _, k := range keys {
		if k.Ecosystem == CPEEcosystem && k.Name == "*" {
			visit(ci.cpeAll)
			continue
		}
		visit(ci.locsOf(FoldKey(k)))
	}
	for pv, comps := range out {
		slices.Sort(comps)
		out[pv] = slices.Compact(comps)
	}
	return out
}

// Lookup returns the placements of the components with key k (compared as FoldKey).
func (ci *ComponentIndex) Lookup(k Key) []Placement {
	var out []Placement
	for _, l := range ci.locsOf(FoldKey(k)) {
		p := &ci.pvs[l.pv]
		if !p.live {
			continue
		}
		c := p.comps.at(int(l.comp))
		out = append(out, Placement{ProductVersion: p.id, Component: int(l.comp), Ref: c.Ref, Name: c.Name, Version: c.Version, PURL: c.PURL, CPE: c.CPE})
	}
	return out
}

// Where answers "where is this component?" for a package URL (version optional: with a version
// only that version), a CPE (vendor:product, and its version unless ANY) or a name ("log4j-core",
// "org.apache.logging.log4j:log4j-core", "golang.org/x/net"; case-insensitive). Placements are
// sorted by product version and component.
func (ci *ComponentIndex) Where(query string) []Placement {
	query = strings.TrimSpace(query)
	var out []Placement
	switch {
	case strings.HasPrefix(query, "pkg:"):
		k, v, ok := KeyOfPURL(query)
		if !ok {
			return nil
		}
		for _, p := range ci.Lookup(k) {
			if v == "" || sameVersion(p, v) {
				out = append(out, p)
			}
		}
	case strings.HasPrefix(strings.ToLower(query), "cpe:"):
		n, err := cpe.Parse(query)
		if err != nil {
			return nil
		}
		for _, p := range ci.Lookup(Key{CPEEcosystem, n.VendorProduct()}) {
			if n.Version.Kind == cpe.Any {
				out = append(out, p)
				continue
			}
			if pn, err := cpe.Parse(p.CPE); err == nil && n.Covers(pn) {
				out = append(out, p)
			}
		}
	default:
		for _, k := range ci.byName[strings.ToLower(query)] {
			out = append(out, ci.Lookup(k)...)
		}
	}
	slices.SortFunc(out, func(a, b Placement) int {
		if c := strings.Compare(a.ProductVersion, b.ProductVersion); c != 0 {
			return c
		}
		return a.Component - b.Component
	})
	return slices.CompactFunc(out, func(a, b Placement) bool { return a.ProductVersion == b.ProductVersion && a.Component == b.Component })
}

func sameVersion(p Placement, v string) bool {
	_, pv, _ := KeyOfPURL(p.PURL)
	if pv == "" {
		pv = p.Version
	}
	return strings.TrimPrefix(pv, "v") == strings.TrimPrefix(v, "v")
}
