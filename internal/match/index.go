// Package match is Vigil's matching engine. An Index is built in memory from vulnerability
// records (vuln.Vulnerability values, one per source record, as the feed readers return them):
// the records are merged by alias (vuln.Groups, vuln.Combine) and indexed by package
// (ecosystem + name) and by CPE vendor:product. Matchers (OSV ranges, NVD CPE configurations) are
// small values behind the Matcher interface, registered by an explicit list (DefaultMatchers).
//
// The unit of matching is a product version (Target: the components of one SBOM): match once per
// product version and fan the findings out to the installed assets of that version by a join.
// When feeds change, Update swaps the changed records in and returns the keys they touch; a
// ComponentIndex answers which product versions contain components with those keys, and
// Options.Keys restricts re-matching to those components.
//
// Every Finding carries a human-readable reason. VEX statements (ApplyVEX) and vendor CSAF
// product status (MatchProductStatus) are applied at their real granularity. An Index can be
// written to and read from a compact, versioned, checksummed binary snapshot for fast start-up
// of stand-alone scans.
//
// An Index is safe for concurrent use: matching takes a read lock, Update a write lock.
package match

import (
	"slices"
	"sync"

	"github.com/vigil-med/vigil/internal/cpe"
	"github.com/vigil-med/vigil/internal/vuln"
)

// EPSSSource looks up EPSS scores by CVE id; *epss.Scores implements it.
type EPSSSource interface {
	Get(cve string) (vuln.EPSS, bool)
}

// group is one merged vulnerability with the source records it was merged from.
type group struct {
	v       *vuln.Vulnerability
	records []vuln.Vulnerability

	cfgOnce sync.Once
	cfgs    [][][]criterion // parsed NVD criteria by configuration, node, match
}

type affRef struct {
	g   *group
	aff int32 // index into g.v.Affected
}

type pkgEntry struct {
	refs   []affRef
	once   sync.Once
	parsed []parsedAffected
}

type cpeRef struct {
	g                *group
	cfg, node, match int32
}

type cpeEntry struct {
	refs []cpeRef
}

// Stats describes an Index.
type Stats struct {
	Records         int // source records
	Vulnerabilities int // after alias merging
	PackageKeys     int // distinct (ecosystem, package) keys with OSV affected data
	CPEKeys         int // distinct vendor:product keys of vulnerable NVD criteria
	Unindexed       int // affected entries or criteria that could not be indexed (no package, bad CPE)
}

// Index is the in-memory vulnerability index. The zero value is not usable; use NewIndex or
// ReadSnapshot.
type Index struct {
	mu      sync.RWMutex
	groups  map[*group]struct{}
	byID    map[string]*group // vuln.NormID of every id and alias
	pkgs    map[Key]*pkgEntry
	cpes    map[string]*cpeEntry // canonical vendor:product
	cpeWild *cpeEntry            // criteria whose vendor or product has wildcards
	epss    map[string]vuln.EPSS // vuln.NormID(CVE) → score, for CVEs of indexed vulnerabilities
	// goFold maps the lower-cased form of Go module paths that contain upper case to those paths,
	// for purls that write a module path in lower case (see FoldKey).
	goFold map[string][]string
	stats  Stats
	sorted []*vuln.Vulnerability // cache for Vulnerabilities; nil when stale
}

// NewIndex merges records by alias and indexes them. The index keeps records (and the values
// they refer to): do not modify them afterwards. epss may be nil; when given, each
// vulnerability gets the EPSS score of its canonical id or, failing that, of its first CVE alias.
func NewIndex(records []vuln.Vulnerability, epss EPSSSource) *Index {
	idx := newIndex(len(records))
	idx.addRecords(records, epss, nil)
	return idx
}

func newIndex(n int) *Index {
	return &Index{
		groups:  make(map[*group]struct{}, n),
		byID:    make(map[string]*group, n*3),
		pkgs:    make(map[Key]*pkgEntry, n),
		cpes:    make(map[string]*cpeEntry),
		cpeWild: &cpeEntry{},
		epss:    make(map[string]vuln.EPSS),
		goFold:  make(map[string][]string),
	}
}

// addRecords groups and indexes records; touched (when not nil) collects the keys they name.
func (idx *Index) addRecords(records []vuln.Vulnerability, epss EPSSSource, touched map[Key]struct{}) {
	grouped := vuln.Groups(records)
	gs := make([]group, len(grouped))              // one allocation for all groups
	vs := make([]vuln.Vulnerability, len(grouped)) // and one for all merged values
	for gi, members := range grouped {
		var recs []vuln.Vulnerability
		if len(members) == 1 {
			recs = records[members[0] : members[0]+1 : members[0]+1] // shared, never modified
		} else {
			recs = make([]vuln.Vulnerability, len(members))
			for i, m := range members {
				recs[i] = records[m]
			}
		}
		vs[gi] = vuln.Combine(recs)
		idx.attachEPSS(&vs[gi], epss)
		g := &gs[gi]
		g.v, g.records = &vs[gi], recs
		idx.addGroup(g, touched)
	}
	idx.sorted = nil
}

func (idx *Index) attachEPSS(v *vuln.Vulnerability, src EPSSSource) {
	if src != nil {
		for _, id := range v.IDs() {
			if !vuln.IsCVE(id) {
				continue
			}
			if e, ok := src.Get(id); ok {
				idx.epss[vuln.NormID(id)] = e
				if v.EPSS == nil {
					ec := e
					v.EPSS = &ec
				}
			}
		}
		return
	}
	// No new source: keep scores already known for these ids (snapshots, updates).
	for _, id := range v.IDs() {
		if e, ok := idx.epss[vuln.NormID(id)]; ok && v.EPSS == nil {
			ec := e
			v.EPSS = &ec
		}
	}
}

func (idx *Index) addGroup(g *group, touched map[Key]struct{}) {
	idx.groups[g] = struct{}{}
	idx.stats.Records += len(g.records)
	idx.stats.Vulnerabilities++
	idx.byID[vuln.NormID(g.v.ID)] = g
	for _, id := range g.v.Aliases {
		idx.byID[vuln.NormID(id)] = g
	}
	for i := range g.v.Affected {
		a := &g.v.Affected[i]
		k, ok := affectedKey(a.Ecosystem, a.Name, a.PURL)
		if !ok {
			idx.stats.Unindexed++
			continue
		}
		e := idx.pkgs[k]
		switch {
		case e == nil:
			e = &pkgEntry{}
			idx.pkgs[k] = e
			idx.stats.PackageKeys++
			idx.addFold(k)
		case touched != nil:
			// an update: the entry may have been parsed already (once per entry), so the key gets a new
			// entry that parses again with this record; the old one stays unchanged for its readers
			e = &pkgEntry{refs: slices.Clone(e.refs)}
			idx.pkgs[k] = e
		}
		if len(e.refs) == 0 || e.refs[len(e.refs)-1].g != g || int(e.refs[len(e.refs)-1].aff) != i {
			e.refs = append(e.refs, affRef{g: g, aff: int32(i)})
		}
		if touched != nil {
			touched[k] = struct{}{}
		}
	}
	for ci, c := range g.v.Configurations {
		for ni, n := range c.Nodes {
			for mi, m := range n.Matches {
				if !m.Vulnerable {
					continue
				}
				key, wild, err := cpe.VendorProductKey(m.Criteria)
				if err != nil {
					idx.stats.Unindexed++
					continue
				}
				ref := cpeRef{g: g, cfg: int32(ci), node: int32(ni), match: int32(mi)}
				if wild {
					idx.cpeWild.refs = append(idx.cpeWild.refs, ref)
					if touched != nil {
						touched[Key{CPEEcosystem, "*"}] = struct{}{}
					}
					continue
				}
				e := idx.cpes[key]
				if e == nil {
					e = &cpeEntry{}
					idx.cpes[key] = e
					idx.stats.CPEKeys++
				}
				e.refs = append(e.refs, ref)
				if touched != nil {
					touched[Key{CPEEcosystem, key}] = struct{}{}
				}
			}
		}
	}
}

// removeGroup takes g out of the index; the entries it was in are replaced by new ones (so the
// lazily parsed data of old entries, which readers may still hold, is never changed).
func (idx *Index) removeGroup(g *group, touched map[Key]struct{}) {
	delete(idx.groups, g)
	idx.stats.Records -= len(g.records)
	idx.stats.Vulnerabilities--
	for _, id := range g.v.IDs() {
		if idx.byID[vuln.NormID(id)] == g {
			delete(idx.byID, vuln.NormID(id))
		}
	}
	for i := range g.v.Affected {
		a := &g.v.Affected[i]
		k, ok := affectedKey(a.Ecosystem, a.Name, a.PURL)
		if !ok {
			idx.stats.Unindexed--
			continue
		}
		touched[k] = struct{}{}
		old := idx.pkgs[k]
		if old == nil {
			continue
		}
		ne := &pkgEntry{refs: slices.DeleteFunc(slices.Clone(old.refs), func(r affRef) bool { return r.g == g })}
		if len(ne.refs) == 0 {
			delete(idx.pkgs, k)
			idx.stats.PackageKeys--
			idx.removeFold(k)
		} else {
			idx.pkgs[k] = ne
		}
	}
	for _, c := range g.v.Configurations {
		for _, n := range c.Nodes {
			for _, m := range n.Matches {
				if !m.Vulnerable {
					continue
				}
				key, wild, err := cpe.VendorProductKey(m.Criteria)
				if err != nil {
					idx.stats.Unindexed--
					continue
				}
				if wild {
					touched[Key{CPEEcosystem, "*"}] = struct{}{}
					idx.cpeWild = &cpeEntry{refs: slices.DeleteFunc(slices.Clone(idx.cpeWild.refs), func(r cpeRef) bool { return r.g == g })}
					continue
				}
				touched[Key{CPEEcosystem, key}] = struct{}{}
				if old := idx.cpes[key]; old != nil {
					refs := slices.DeleteFunc(slices.Clone(old.refs), func(r cpeRef) bool { return r.g == g })
					if len(refs) == 0 {
						delete(idx.cpes, key)
						idx.stats.CPEKeys--
					} else {
						idx.cpes[key] = &cpeEntry{refs: refs}
					}
				}
			}
		}
	}
}

func (idx *Index) addFold(k Key) {
	if k.Ecosystem != "Go" || !hasUpper(k.Name) {
		return
	}
	f := lower(k.Name)
	if !slices.Contains(idx.goFold[f], k.Name) {
		idx.goFold[f] = append(idx.goFold[f], k.Name)
		slices.Sort(idx.goFold[f])
	}
}

func (idx *Index) removeFold(k Key) {
	if k.Ecosystem != "Go" || !hasUpper(k.Name) {
		return
	}
	f := lower(k.Name)
	names := slices.DeleteFunc(slices.Clone(idx.goFold[f]), func(n string) bool { return n == k.Name })
	if len(names) == 0 {
		delete(idx.goFold, f)
	} else {
		idx.goFold[f] = names
	}
}

// Stats returns counts describing the index.
func (idx *Index) Stats() Stats {
	idx.mu.RLock()
	defer idx.mu.RUnlock()
	return idx.stats
}

// Vulnerability returns the merged vulnerability known by id or by one of its aliases.
func (idx *Index) Vulnerability(id string) (*vuln.Vulnerability, bool) {
	idx.mu.RLock()
	defer idx.mu.RUnlock()
	g, ok := idx.byID[vuln.NormID(id)]
	if !ok {
		return nil, false
	}
	return g.v, true
}

// Vulnerabilities returns every merged vulnerability, sorted by id. The values are shared with
// the index: do not modify them.
func (idx *Index) Vulnerabilities() []*vuln.Vulnerability {
	idx.mu.Lock()
	defer idx.mu.Unlock()
	if idx.sorted == nil {
		out := make([]*vuln.Vulnerability, 0, len(idx.groups))
		for g := range idx.groups {
			out = append(out, g.v)
		}
		slices.SortFunc(out, func(a, b *vuln.Vulnerability) int { return vuln.CompareIDs(a.ID, b.ID) })
		idx.sorted = out
	}
	return slices.Clone(idx.sorted)
}

// Records returns the source records the index was built from (after Updates), in no
// particular order. The values are shared with the index: do not modify them.
func (idx *Index) Records() []vuln.Vulnerability {
	idx.mu.RLock()
	defer idx.mu.RUnlock()
	var out []vuln.Vulnerability
	for g := range idx.groups {
		out = append(out, g.records...)
	}
	return out
}

// PackageKeys returns the package keys that have OSV affected data, sorted; for fleet
// generators and diagnostics.
func (idx *Index) PackageKeys() []Key {
	idx.mu.RLock()
	defer idx.mu.RUnlock()
	out := make([]Key, 0, len(idx.pkgs))
	for k := range idx.pkgs {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b Key) int {
		if a.Ecosystem != b.Ecosystem {
			if a.Ecosystem < b.Ecosystem {
				return -1
			}
			return 1
		}
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	return out
}
