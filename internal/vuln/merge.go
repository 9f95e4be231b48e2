package vuln

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// NormID returns the form ids are compared in: trimmed and upper case, except GitHub advisory
// ids, which are written as GitHub does ("GHSA-" and the rest in lower case). It allocates only
// when id is not already in that form.
func NormID(id string) string {
	id = strings.TrimSpace(id)
	if len(id) > 5 && (id[:5] == "GHSA-" || strings.EqualFold(id[:5], "GHSA-")) {
		if id[:5] == "GHSA-" && !hasUpperASCII(id[5:]) {
			return id
		}
		return "GHSA-" + strings.ToLower(id[5:])
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c >= 'a' && c <= 'z' {
			return strings.ToUpper(id)
		}
	}
	return id
}

func hasUpperASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return true
		}
	}
	return false
}

func equalFoldID(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// IsCVE reports whether id looks like a CVE id (CVE-YYYY-NNNN…).
func IsCVE(id string) bool {
	_, _, ok := cveParts(id)
	return ok
}

func cveParts(id string) (year, num int, ok bool) {
	rest, found := strings.CutPrefix(NormID(id), "CVE-")
	if !found {
		return 0, 0, false
	}
	y, n, found := strings.Cut(rest, "-")
	if !found || len(y) != 4 || len(n) < 4 || len(n) > 9 {
		return 0, 0, false
	}
	yy, err1 := strconv.Atoi(y)
	nn, err2 := strconv.Atoi(n)
	if err1 != nil || err2 != nil || yy < 1999 || nn < 0 {
		return 0, 0, false
	}
	return yy, nn, true
}

// idRank orders id namespaces for the choice of a canonical id: CVE first, then GHSA, then the
// ecosystem databases, then anything else.
func idRank(id string) int {
	n := NormID(id)
	switch {
	case IsCVE(n):
		return 0
	case strings.HasPrefix(n, "GHSA-"):
		return 1
	case strings.HasPrefix(n, "GO-"):
		return 2
	case strings.HasPrefix(n, "PYSEC-"):
		return 3
	case strings.HasPrefix(n, "RUSTSEC-"), strings.HasPrefix(n, "OSV-"):
		return 4
	case strings.HasPrefix(n, "EUVD-"):
		return 6
	}
	return 5
}

// CompareIDs orders ids for choosing a canonical id and for display: by namespace rank (CVE,
// GHSA, GO, PYSEC, …, EUVD), CVE ids by year and number, others by their upper-case text.
func CompareIDs(a, b string) int {
	if c, ok := compareCVEFast(a, b); ok {
		return c
	}
	if c := cmp.Compare(idRank(a), idRank(b)); c != 0 {
		return c
	}
	if ya, na, ok := cveParts(a); ok {
		yb, nb, _ := cveParts(b)
		if c := cmp.Compare(ya, yb); c != 0 {
			return c
		}
		if c := cmp.Compare(na, nb); c != 0 {
			return c
		}
	}
	return strings.Compare(NormID(a), NormID(b))
}

// compareCVEFast compares two well-formed upper-case CVE ids without allocating.
func compareCVEFast(a, b string) (int, bool) {
	if len(a) < 13 || len(b) < 13 || a[:4] != "CVE-" || b[:4] != "CVE-" || a[8] != '-' || b[8] != '-' {
		return 0, false
	}
	for _, s := range [2]string{a, b} {
		for i := 4; i < len(s); i++ {
			if i != 8 && (s[i] < '0' || s[i] > '9') {
				return 0, false
			}
		}
	}
	if c := strings.Compare(a[4:8], b[4:8]); c != 0 {
		return c, true
	}
	na, nb := strings.TrimLeft(a[9:], "0"), strings.TrimLeft(b[9:], "0")
	if c := cmp.Compare(len(na), len(nb)); c != 0 {
		return c, true
	}
	return strings.Compare(na, nb), true
}

// CanonicalID returns the id a group of ids is known by: the first in CompareIDs order, so the
// oldest CVE id when there is one.
func CanonicalID(ids []string) string {
	best := ""
	for _, id := range ids {
		if strings.TrimSpace(id) == "" {
			continue
		}
		if best == "" || CompareIDs(id, best) < 0 {
			best = id
		}
	}
	return best
}

// Merge groups records that share an id (as id or alias, transitively, as OSV-Scanner does) and
// combines each group with Combine. Records with the same source kind and record id are
// duplicates: only the latest (by Modified, then by position) is kept. The result is sorted by ID.
// Merge is idempotent: merging its own output changes nothing.
func Merge(records []Vulnerability) []Vulnerability {
	groups := Groups(records)
	out := make([]Vulnerability, 0, len(groups))
	group := make([]Vulnerability, 0, 4)
	for _, g := range groups {
		group = group[:0]
		for _, i := range g {
			group = append(group, records[i])
		}
		out = append(out, Combine(group))
	}
	slices.SortFunc(out, func(a, b Vulnerability) int { return CompareIDs(a.ID, b.ID) })
	return out
}

// Groups returns the indexes of records that describe the same vulnerability, as Merge groups
// them: duplicates (same source kind and record id) are left out except the latest, and groups
// are in order of their first record.
func Groups(records []Vulnerability) [][]int {
	keep := dedupe(records)
	parent := make([]int, len(records))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	owner := make(map[string]int, len(records)*2)
	union := func(i int, id string) {
		if strings.TrimSpace(id) == "" {
			return
		}
		n := NormID(id)
		if j, ok := owner[n]; ok {
			a, b := find(i), find(j)
			if a != b {
				parent[a] = b
			}
		} else {
			owner[n] = i
		}
	}
	for i := range records {
		if !keep[i] {
			continue
		}
		union(i, records[i].ID)
		for _, id := range records[i].Aliases {
			union(i, id)
		}
	}
	pos := make(map[int]int, len(records))
	var out [][]int
	for i := range records {
		if !keep[i] {
			continue
		}
		root := find(i)
		if k, ok := pos[root]; ok {
			out[k] = append(out[k], i)
			continue
		}
		pos[root] = len(out)
		out = append(out, []int{i})
	}
	return out
}

// dedupe marks which records to keep: of single-source records with the same source kind and
// record id only the latest by Modified (the last one on ties).
func dedupe(records []Vulnerability) []bool {
	type key struct {
		kind SourceKind
		id   string
	}
	keep := make([]bool, len(records))
	seen := make(map[key]int, len(records))
	for i := range records {
		keep[i] = true
		if len(records[i].Sources) != 1 {
			continue
		}
		s := records[i].Sources[0]
		k := key{s.Kind, NormID(s.ID)}
		if j, ok := seen[k]; ok {
			if s.Modified.Before(records[j].Sources[0].Modified) {
				keep[i] = false
				continue
			}
			keep[j] = false
		}
		seen[k] = i
	}
	return keep
}

// sourceRank orders records for the choice of summary and details: OSV (GHSA, GO, PYSEC, …)
// before NVD, EUVD and the KEV lists.
func sourceRank(v *Vulnerability) (int, int) {
	best := 9
	for _, s := range v.Sources {
		r := 9
		switch s.Kind {
		case SourceOSV:
			r = 0
		case SourceNVD:
			r = 1
		case SourceEUVD:
			r = 2
		case SourceCISAKEV:
			r = 3
		case SourceEUKEV:
			r = 4
		}
		best = min(best, r)
	}
	return best, idRank(v.ID)
}

// Combine merges records known to describe the same vulnerability into one. The canonical id is
// CanonicalID of all ids; summary and details come from the first record that has them in the
// order OSV, NVD, EUVD, CISA KEV, EU KEV; lists are unions; affected data, configurations and
// sources are concatenated in that order.
func Combine(group []Vulnerability) Vulnerability {
	if len(group) == 0 {
		return Vulnerability{}
	}
	if len(group) == 1 {
		return combineOne(group[0])
	}
	order := make([]int, len(group))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		ra1, ra2 := sourceRank(&group[a])
		rb1, rb2 := sourceRank(&group[b])
		if c := cmp.Compare(ra1, rb1); c != 0 {
			return c
		}
		if c := cmp.Compare(ra2, rb2); c != 0 {
			return c
		}
		return CompareIDs(group[a].ID, group[b].ID)
	})

	var ids []string
	seenID := map[string]bool{}
	// Records' own ids first, so an id is spelled the way its own source spells it.
	add := func(id string) {
		n := NormID(id)
		if n == "" || seenID[n] {
			return
		}
		seenID[n] = true
		ids = append(ids, strings.TrimSpace(id))
	}
	for _, i := range order {
		add(group[i].ID)
	}
	for _, i := range order {
		for _, id := range group[i].Aliases {
			add(id)
		}
	}
	var out Vulnerability
	out.ID = CanonicalID(ids)
	for _, id := range ids {
		if id != out.ID {
			out.Aliases = append(out.Aliases, id)
		}
	}
	slices.SortFunc(out.Aliases, CompareIDs)

	allWithdrawn := true
	seenRel := map[string]bool{}
	seenCWE := map[string]bool{}
	seenRef := map[string]bool{}
	type sevKey struct{ typ, vector, source string }
	seenSev := map[sevKey]bool{}
	for _, i := range order {
		r := &group[i]
		if out.Summary == "" {
			out.Summary = r.Summary
		}
		if out.Details == "" {
			out.Details = r.Details
		}
		for _, id := range r.Related {
			n := NormID(id)
			if !seenID[n] && !seenRel[n] {
				seenRel[n] = true
				out.Related = append(out.Related, id)
			}
		}
		if !r.Published.IsZero() && (out.Published.IsZero() || r.Published.Before(out.Published)) {
			out.Published = r.Published
		}
		if r.Modified.After(out.Modified) {
			out.Modified = r.Modified
		}
		if r.Withdrawn.IsZero() {
			allWithdrawn = false
		} else if r.Withdrawn.After(out.Withdrawn) {
			out.Withdrawn = r.Withdrawn
		}
		for _, s := range r.Severity {
			k := sevKey{s.Type, s.Vector, s.Source}
			if s.Vector == "" {
				k.vector = s.Level.String()
			}
			if !seenSev[k] {
				seenSev[k] = true
				out.Severity = append(out.Severity, s)
			}
		}
		for _, c := range r.CWE {
			if !seenCWE[c] {
				seenCWE[c] = true
				out.CWE = append(out.CWE, c)
			}
		}
		for _, ref := range r.References {
			if !seenRef[ref.URL] {
				seenRef[ref.URL] = true
				out.References = append(out.References, ref)
			}
		}
		out.Affected = append(out.Affected, r.Affected...)
		out.Configurations = append(out.Configurations, r.Configurations...)
		out.CISAKEV = mergeCISAKEV(out.CISAKEV, r.CISAKEV)
		if out.EUKEV == nil && r.EUKEV != nil {
			k := *r.EUKEV
			out.EUKEV = &k
		}
		if out.EUVD == nil && r.EUVD != nil {
			e := *r.EUVD
			out.EUVD = &e
		}
		if r.EPSS != nil && (out.EPSS == nil || r.EPSS.Date.After(out.EPSS.Date)) {
			e := *r.EPSS
			out.EPSS = &e
		}
		out.Sources = append(out.Sources, r.Sources...)
	}
	if !allWithdrawn {
		out.Withdrawn = time.Time{}
	}
	slices.Sort(out.CWE)
	slices.SortStableFunc(out.Sources, func(a, b Source) int {
		if c := strings.Compare(string(a.Kind), string(b.Kind)); c != 0 {
			return c
		}
		return CompareIDs(a.ID, b.ID)
	})
	return out
}

// mergeCISAKEV prefers the catalog entry over NVD's copy of the cisa* fields and fills gaps.
func mergeCISAKEV(have, add *CISAKEV) *CISAKEV {
	if add == nil {
		return have
	}
	if have == nil {
		k := *add
		return &k
	}
	a, b := *have, *add
	if strings.HasPrefix(b.Source, "CISA KEV") && !strings.HasPrefix(a.Source, "CISA KEV") {
		a, b = b, a
	}
	if a.DateAdded.IsZero() {
		a.DateAdded = b.DateAdded
	}
	if a.DueDate.IsZero() {
		a.DueDate = b.DueDate
	}
	for _, f := range [][2]*string{{&a.VendorProject, &b.VendorProject}, {&a.Product, &b.Product}, {&a.Name, &b.Name},
		{&a.ShortDescription, &b.ShortDescription}, {&a.RequiredAction, &b.RequiredAction},
		{&a.KnownRansomwareCampaignUse, &b.KnownRansomwareCampaignUse}, {&a.Notes, &b.Notes}} {
		if *f[0] == "" {
			*f[0] = *f[1]
		}
	}
	if len(a.CWEs) == 0 {
		a.CWEs = b.CWEs
	}
	return &a
}

// combineOne is Combine for a single record without the bookkeeping maps: the canonical id and
// sorted aliases, everything else as the record has it.
func combineOne(r Vulnerability) Vulnerability {
	canon := r.ID
	for _, a := range r.Aliases {
		if CompareIDs(a, canon) < 0 {
			canon = a
		}
	}
	if canon != r.ID || !slices.IsSortedFunc(r.Aliases, CompareIDs) {
		aliases := make([]string, 0, len(r.Aliases))
		if canon != r.ID {
			aliases = append(aliases, r.ID)
		}
		for _, a := range r.Aliases {
			if a != canon {
				aliases = append(aliases, a)
			}
		}
		slices.SortFunc(aliases, CompareIDs)
		r.ID, r.Aliases = canon, aliases
	}
	if len(r.CWE) > 1 && !slices.IsSorted(r.CWE) {
		cwe := slices.Clone(r.CWE)
		slices.Sort(cwe)
		r.CWE = cwe
	}
	return r
}
