package sbom

import (
	"cmp"
	"slices"
	"strings"

	"github.com/vigil-med/vigil/internal/purl"
)

// DocumentDiff is the difference between the components of two SBOMs, typically of two versions of one product.
// Every list is sorted by Key, so equal inputs give equal output.
type DocumentDiff struct {
	Added   []Component // in b, not in a
	Removed []Component // in a, not in b
	Changed []Change    // in both with a different version
}

// Change is one component whose version differs between the two SBOMs.
type Change struct {
	Key  string    // the identity both components share (see ComponentKey)
	From Component // as in a
	To   Component // as in b
}

// Empty reports whether the two SBOMs have the same components in the same versions.
func (d DocumentDiff) Empty() bool {
	return len(d.Added) == 0 && len(d.Removed) == 0 && len(d.Changed) == 0
}

// ComponentKey is the identity of a component across versions of an SBOM: its package URL without version,
// qualifiers and subpath (purl.WithoutVersion), or "group/name" (lower-case) when it has no purl. Two
// components with the same key are "the same component"; their versions may differ.
func ComponentKey(c Component) string {
	if c.PURL != "" {
		if k := purl.WithoutVersion(c.PURL); k != "" {
			return k
		}
	}
	if c.Group != "" {
		return strings.ToLower(c.Group + "/" + c.Name)
	}
	return strings.ToLower(c.Name)
}

// Diff compares the components of a and b (the Subject is not compared; nil documents count as
// empty). Components are matched by ComponentKey. When a key occurs more than once in a document (the same
// library in two versions, say), the versions are compared as sets: versions in both are unchanged, and the
// remaining ones are paired in version order as changes; any left over are added or removed.
func Diff(a, b *Document) DocumentDiff {
	ga, gb := groupByKey(a), groupByKey(b)
	var d DocumentDiff
	keys := make([]string, 0, len(ga)+len(gb))
	for k := range ga {
		keys = append(keys, k)
	}
	for k := range gb {
		if _, ok := ga[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		as, bs := ga[k], gb[k]
		as, bs = dropCommonVersions(as, bs)
		n := min(len(as), len(bs))
		for i := range n {
			d.Changed = append(d.Changed, Change{Key: k, From: as[i], To: bs[i]})
		}
		d.Removed = append(d.Removed, as[n:]...)
		d.Added = append(d.Added, bs[n:]...)
	}
	return d
}

func groupByKey(doc *Document) map[string][]Component {
	m := map[string][]Component{}
	if doc == nil {
		return m
	}
	for _, c := range doc.Components {
		k := ComponentKey(c)
		m[k] = append(m[k], c)
	}
	for _, cs := range m {
		slices.SortStableFunc(cs, func(x, y Component) int { return cmp.Compare(x.Version, y.Version) })
	}
	return m
}

// dropCommonVersions removes the versions present on both sides (each occurrence pairs once).
func dropCommonVersions(as, bs []Component) ([]Component, []Component) {
	if len(as) == 0 || len(bs) == 0 {
		return as, bs
	}
	usedB := make([]bool, len(bs))
	var ra []Component
	for _, x := range as {
		found := false
		for j, y := range bs {
			if !usedB[j] && x.Version == y.Version {
				usedB[j], found = true, true
				break
			}
		}
		if !found {
			ra = append(ra, x)
		}
	}
	var rb []Component
	for j, y := range bs {
		if !usedB[j] {
			rb = append(rb, y)
		}
	}
	return ra, rb
}
