package match

import (
	"slices"
	"strings"

	"github.com/vigil-med/vigil/internal/cpe"
	"github.com/vigil-med/vigil/internal/vuln"
)

// groupsOf returns the current groups that share an id or alias with the changed records.
func (idx *Index) groupsOf(changed []vuln.Vulnerability) []*group {
	var out []*group
	seen := map[*group]bool{}
	for i := range changed {
		for _, id := range changed[i].IDs() {
			if g, ok := idx.byID[vuln.NormID(id)]; ok && !seen[g] {
				seen[g] = true
				out = append(out, g)
			}
		}
	}
	return out
}

// recordKeys collects the keys a record's affected packages and vulnerable criteria name.
func recordKeys(v *vuln.Vulnerability, into map[Key]struct{}) {
	for i := range v.Affected {
		a := &v.Affected[i]
		if k, ok := affectedKey(a.Ecosystem, a.Name, a.PURL); ok {
			into[k] = struct{}{}
		}
	}
	for _, c := range v.Configurations {
		for _, n := range c.Nodes {
			for _, m := range n.Matches {
				if !m.Vulnerable {
					continue
				}
				if key, wild, err := cpe.VendorProductKey(m.Criteria); err == nil {
					if wild {
						key = "*"
					}
					into[Key{CPEEcosystem, key}] = struct{}{}
				}
			}
		}
	}
}

func sortedKeys(m map[Key]struct{}) []Key {
	out := make([]Key, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b Key) int {
		if c := strings.Compare(a.Ecosystem, b.Ecosystem); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// AffectedBy returns the keys whose findings may change if the changed records were applied with
// Update: the packages and CPE vendor:products named by the changed records and by the current
// vulnerabilities they merge with (their old data). The caller re-matches the components with
// these keys (ComponentIndex.ProductVersions, Options.Keys). Key{CPEEcosystem, "*"} means every
// component with a CPE. The index is not changed.
func (idx *Index) AffectedBy(changed []vuln.Vulnerability) []Key {
	idx.mu.RLock()
	defer idx.mu.RUnlock()
	keys := map[Key]struct{}{}
	for _, g := range idx.groupsOf(changed) {
		recordKeys(g.v, keys)
	}
	for i := range changed {
		recordKeys(&changed[i], keys)
	}
	return sortedKeys(keys)
}

// Update applies changed source records to the index: a record replaces the record with the same
// source kind and id; a new record is added; records merge by alias as in NewIndex (a new GHSA
// record aliasing a known CVE joins that CVE). Only the affected vulnerabilities are re-merged and
// only their index entries rebuilt. epss may be nil (known scores are kept). It returns the keys
// whose findings may have changed (as AffectedBy would have). Findings made before keep pointing
// to the previous vulnerability values, which are never modified.
func (idx *Index) Update(changed []vuln.Vulnerability, epss EPSSSource) []Key {
	idx.mu.Lock()
	defer idx.mu.Unlock()
	type recKey struct {
		kind vuln.SourceKind
		id   string
	}
	replaced := map[recKey]bool{}
	for i := range changed {
		if len(changed[i].Sources) == 1 {
			s := changed[i].Sources[0]
			replaced[recKey{s.Kind, vuln.NormID(s.ID)}] = true
		}
	}
	touched := map[Key]struct{}{}
	var records []vuln.Vulnerability
	for _, g := range idx.groupsOf(changed) {
		for _, r := range g.records {
			if len(r.Sources) == 1 && replaced[recKey{r.Sources[0].Kind, vuln.NormID(r.Sources[0].ID)}] {
				continue
			}
			records = append(records, r)
		}
		idx.removeGroup(g, touched)
	}
	records = append(records, changed...)
	idx.addRecords(records, epss, touched)
	return sortedKeys(touched)
}
