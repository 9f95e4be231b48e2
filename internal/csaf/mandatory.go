package csaf

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/lazyre"
)

// Mandatory tests of CSAF 2.0 §6.1 that Vigil runs after the JSON schema. Tests 6.1.1–6.1.6 (product
// and group ids defined once, no circular relationship, no product in two contradicting statuses) keep
// the product/status model meaningful, so their failures reject the document. The others are
// editorial or profile rules that real publishers break (CISA writes "vers:all/*" as a product_version,
// test 6.1.31); Parse reports them as warnings and provider.Validate, for authoring, as errors.
//
// Not run: 6.1.9/6.1.10 (CVSS recomputation), 6.1.11 (CWE catalogue), 6.1.13 (purl beyond the schema
// pattern), and the language-subtag registry part of 6.1.12.

type testSink struct {
	errs, warns []ValidationError
}

func (s *testSink) fail(test, path, format string, args ...any) {
	s.errs = append(s.errs, ValidationError{Path: path, Message: "mandatory test " + test + ": " + fmt.Sprintf(format, args...)})
}

func (s *testSink) warn(test, path, format string, args ...any) {
	s.warns = append(s.warns, ValidationError{Path: path, Message: "mandatory test " + test + ": " + fmt.Sprintf(format, args...)})
}

func mandatoryTests(r *rawAdvisory) (errs, warns []ValidationError) {
	s := &testSink{}
	defined := testProductDefinitions(r, s)
	groups := testGroupDefinitions(r, s)
	testReferences(r, s, defined, groups)
	testContradictingStatus(r, s)
	testScores(r, s)
	testRevisions(r, s)
	testDocumentRules(r, s)
	testProfiles(r, s, groups)
	testVulnerabilityRules(r, s)
	testVersions(r, s)
	return s.errs, s.warns
}

// testProductDefinitions runs 6.1.2 (multiple definition) and 6.1.3 (circular definition) and returns
// the defined product ids.
func testProductDefinitions(r *rawAdvisory, s *testSink) map[string]bool {
	defined := map[string]bool{}
	define := func(id, path string) {
		if defined[id] {
			s.fail("6.1.2", path, "product id %q is defined more than once", id)
		}
		defined[id] = true
	}
	pt := r.ProductTree
	if pt == nil {
		return defined
	}
	var walk func(bs []*rawBranch, path string)
	walk = func(bs []*rawBranch, path string) {
		for i, b := range bs {
			p := fmt.Sprintf("%s[%d]", path, i)
			if b.Product != nil {
				define(b.Product.ProductID, p+".product.product_id")
			}
			walk(b.Branches, p+".branches")
		}
	}
	walk(pt.Branches, "$.product_tree.branches")
	for i, fp := range pt.FullProductNames {
		define(fp.ProductID, fmt.Sprintf("$.product_tree.full_product_names[%d].product_id", i))
	}
	for i, rel := range pt.Relationships {
		p := fmt.Sprintf("$.product_tree.relationships[%d]", i)
		id := rel.FullProductName.ProductID
		define(id, p+".full_product_name.product_id")
		if id == rel.ProductReference || id == rel.RelatesToProductReference {
			s.fail("6.1.3", p+".full_product_name.product_id", "product id %q is defined in terms of itself", id)
		}
	}
	return defined
}

// testGroupDefinitions runs 6.1.5 and returns the defined group ids.
func testGroupDefinitions(r *rawAdvisory, s *testSink) map[string]bool {
	groups := map[string]bool{}
	if r.ProductTree == nil {
		return groups
	}
	for i, g := range r.ProductTree.ProductGroups {
		if groups[g.GroupID] {
			s.fail("6.1.5", fmt.Sprintf("$.product_tree.product_groups[%d].group_id", i), "product group id %q is defined more than once", g.GroupID)
		}
		groups[g.GroupID] = true
	}
	return groups
}

// testReferences runs 6.1.1 (every referenced product id is defined) and 6.1.4 (every referenced
// group id is defined).
func testReferences(r *rawAdvisory, s *testSink, defined, groups map[string]bool) {
	checkIDs := func(ids []string, path string) {
		for i, id := range ids {
			if !defined[id] {
				s.fail("6.1.1", fmt.Sprintf("%s[%d]", path, i), "product id %q is not defined in the product tree", id)
			}
		}
	}
	checkGroups := func(ids []string, path string) {
		for i, id := range ids {
			if !groups[id] {
				s.fail("6.1.4", fmt.Sprintf("%s[%d]", path, i), "product group id %q is not defined in the product tree", id)
			}
		}
	}
	if pt := r.ProductTree; pt != nil {
		for i, g := range pt.ProductGroups {
			checkIDs(g.ProductIDs, fmt.Sprintf("$.product_tree.product_groups[%d].product_ids", i))
		}
		for i, rel := range pt.Relationships {
			p := fmt.Sprintf("$.product_tree.relationships[%d]", i)
			checkIDs([]string{rel.ProductReference}, p+".product_reference")
			checkIDs([]string{rel.RelatesToProductReference}, p+".relates_to_product_reference")
		}
	}
	for vi, v := range r.Vulnerabilities {
		vp := fmt.Sprintf("$.vulnerabilities[%d]", vi)
		if ps := v.ProductStatus; ps != nil {
			for _, st := range statusLists(ps) {
				checkIDs(st.ids, vp+".product_status."+st.name)
			}
		}
		for i, x := range v.Remediations {
			checkIDs(x.ProductIDs, fmt.Sprintf("%s.remediations[%d].product_ids", vp, i))
			checkGroups(x.GroupIDs, fmt.Sprintf("%s.remediations[%d].group_ids", vp, i))
		}
		for i, x := range v.Scores {
			checkIDs(x.Products, fmt.Sprintf("%s.scores[%d].products", vp, i))
		}
		for i, x := range v.Threats {
			checkIDs(x.ProductIDs, fmt.Sprintf("%s.threats[%d].product_ids", vp, i))
			checkGroups(x.GroupIDs, fmt.Sprintf("%s.threats[%d].group_ids", vp, i))
		}
		for i, x := range v.Flags {
			checkIDs(x.ProductIDs, fmt.Sprintf("%s.flags[%d].product_ids", vp, i))
			checkGroups(x.GroupIDs, fmt.Sprintf("%s.flags[%d].group_ids", vp, i))
		}
	}
}

type namedIDs struct {
	name  string
	group string // affected, not_affected, fixed, under_investigation, recommended
	ids   []string
}

func statusLists(ps *rawProductStatus) []namedIDs {
	return []namedIDs{
		{"first_affected", "affected", ps.FirstAffected},
		{"known_affected", "affected", ps.KnownAffected},
		{"last_affected", "affected", ps.LastAffected},
		{"known_not_affected", "not affected", ps.KnownNotAffected},
		{"first_fixed", "fixed", ps.FirstFixed},
		{"fixed", "fixed", ps.Fixed},
		{"under_investigation", "under investigation", ps.UnderInvestigation},
		{"recommended", "recommended", ps.Recommended},
	}
}

// testContradictingStatus runs 6.1.6.
func testContradictingStatus(r *rawAdvisory, s *testSink) {
	for vi, v := range r.Vulnerabilities {
		if v.ProductStatus == nil {
			continue
		}
		seen := map[string]string{}
		for _, st := range statusLists(v.ProductStatus) {
			if st.group == "recommended" {
				continue
			}
			for i, id := range st.ids {
				if g, ok := seen[id]; ok && g != st.group {
					s.fail("6.1.6", fmt.Sprintf("$.vulnerabilities[%d].product_status.%s[%d]", vi, st.name, i),
						"product id %q is both %s and %s", id, g, st.group)
				}
				seen[id] = st.group
			}
		}
	}
}

// testScores runs 6.1.7 (one score per CVSS version and product).
func testScores(r *rawAdvisory, s *testSink) {
	for vi, v := range r.Vulnerabilities {
		seen := map[string]bool{}
		for si, sc := range v.Scores {
			for _, pair := range []struct {
				raw []byte
				v   string
			}{{sc.CVSSv2, "2"}, {sc.CVSSv3, "3"}} {
				if len(pair.raw) == 0 {
					continue
				}
				for pi, id := range sc.Products {
					k := pair.v + "\x00" + id
					if seen[k] {
						s.warn("6.1.7", fmt.Sprintf("$.vulnerabilities[%d].scores[%d].products[%d]", vi, si, pi), "product id %q has more than one CVSS v%s score", id, pair.v)
					}
					seen[k] = true
				}
			}
		}
	}
}

var reSemver = lazyre.New(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$`)

type docVersion struct {
	integer bool
	major   int
	minor   int
	patch   int
	pre     string
}

func parseDocVersion(s string) (docVersion, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		return docVersion{integer: true, major: n}, true
	}
	m := reSemver.FindStringSubmatch(s)
	if m == nil {
		return docVersion{}, false
	}
	maj, _ := strconv.Atoi(m[1])
	mi, _ := strconv.Atoi(m[2])
	pa, _ := strconv.Atoi(m[3])
	return docVersion{major: maj, minor: mi, patch: pa, pre: m[4]}, true
}

func (v docVersion) compare(w docVersion) int {
	for _, d := range []int{v.major - w.major, v.minor - w.minor, v.patch - w.patch} {
		if d != 0 {
			return d
		}
	}
	switch {
	case v.pre == w.pre:
		return 0
	case v.pre == "":
		return 1
	case w.pre == "":
		return -1
	}
	return strings.Compare(v.pre, w.pre)
}

// testRevisions runs 6.1.14, 6.1.16–6.1.22 and 6.1.30 on the document version and revision history.
func testRevisions(r *rawAdvisory, s *testSink) {
	t := &r.Document.Tracking
	const tp = "$.document.tracking"
	cur, curOK := parseDocVersion(t.Version)
	var revs []docVersion
	numbers := map[string]bool{}
	integer, semantic := curOK && cur.integer, curOK && !cur.integer
	for i, rv := range t.RevisionHistory {
		p := fmt.Sprintf("%s.revision_history[%d].number", tp, i)
		if numbers[rv.Number] {
			s.warn("6.1.22", p, "revision number %q appears more than once", rv.Number)
		}
		numbers[rv.Number] = true
		v, ok := parseDocVersion(rv.Number)
		if !ok {
			continue
		}
		revs = append(revs, v)
		integer, semantic = integer || v.integer, semantic || !v.integer
		if v.pre != "" {
			s.warn("6.1.19", p, "revision %q is a pre-release", rv.Number)
		}
		if t.Status != "draft" && v.major == 0 {
			s.warn("6.1.18", p, "revision %q is below 1 but the document status is %s", rv.Number, t.Status)
		}
	}
	if integer && semantic {
		s.warn("6.1.30", tp+".version", "integer and semantic versioning are mixed")
		return
	}
	if curOK {
		if t.Status != "draft" && (cur.major == 0 || cur.pre != "") {
			s.warn("6.1.17", tp+".status", "version %q requires status draft, got %s", t.Version, t.Status)
		}
		if t.Status != "draft" && cur.pre != "" {
			s.warn("6.1.20", tp+".version", "version %q is a pre-release but the status is %s", t.Version, t.Status)
		}
	}
	// 6.1.14: sorted by date, the numbers ascend.
	type dated struct {
		date string
		v    docVersion
		ok   bool
	}
	var byDate []dated
	for _, rv := range t.RevisionHistory {
		v, ok := parseDocVersion(rv.Number)
		byDate = append(byDate, dated{parseTime(rv.Date).Format("2006-01-02T15:04:05.000000000Z"), v, ok})
	}
	slices.SortStableFunc(byDate, func(a, b dated) int { return strings.Compare(a.date, b.date) })
	for i := 1; i < len(byDate); i++ {
		if byDate[i].ok && byDate[i-1].ok && byDate[i].v.compare(byDate[i-1].v) < 0 {
			s.warn("6.1.14", tp+".revision_history", "revision numbers do not ascend with their dates")
			break
		}
	}
	if len(revs) == 0 {
		return
	}
	// 6.1.16: the version is the latest revision number (pre-release ignored for drafts).
	latest := slices.MaxFunc(revs, docVersion.compare)
	c := cur
	if t.Status == "draft" {
		c.pre, latest.pre = "", ""
	}
	if curOK && c.compare(latest) != 0 {
		s.warn("6.1.16", tp+".version", "version %q is not the latest revision number", t.Version)
	}
	// 6.1.21: no major version missing.
	var majors []int
	for _, v := range revs {
		majors = append(majors, v.major)
	}
	slices.Sort(majors)
	majors = slices.Compact(majors)
	if majors[0] > 1 {
		s.warn("6.1.21", tp+".revision_history", "revision history starts at %d, not 0 or 1", majors[0])
	} else {
		for i := 1; i < len(majors); i++ {
			if majors[i] != majors[i-1]+1 {
				s.warn("6.1.21", tp+".revision_history", "revision %d is missing", majors[i-1]+1)
				break
			}
		}
	}
}

var knownProfiles = []string{"csaf_base", "csaf_security_incident_response", "csaf_informational_advisory", "csaf_security_advisory", "csaf_vex"}

// testDocumentRules runs 6.1.15, 6.1.26 and 6.1.28.
func testDocumentRules(r *rawAdvisory, s *testSink) {
	d := &r.Document
	if d.Publisher.Category == "translator" && d.SourceLang == "" {
		s.warn("6.1.15", "$.document.source_lang", "a translator's document needs source_lang")
	}
	if d.Lang != "" && strings.EqualFold(d.Lang, d.SourceLang) {
		s.warn("6.1.28", "$.document.lang", "lang and source_lang are both %q", d.Lang)
	}
	if !slices.Contains(knownProfiles, d.Category) {
		norm := strings.NewReplacer("-", "", "_", "", " ", "").Replace(strings.ToLower(d.Category))
		for _, p := range knownProfiles[1:] {
			if norm == strings.ReplaceAll(strings.TrimPrefix(p, "csaf_"), "_", "") || norm == strings.ReplaceAll(p, "_", "") {
				s.warn("6.1.26", "$.document.category", "category %q is too close to the profile %s", d.Category, p)
			}
		}
		if strings.HasPrefix(strings.ToLower(d.Category), "csaf_") {
			s.warn("6.1.26", "$.document.category", "category %q uses the reserved prefix csaf_", d.Category)
		}
	}
}

// testProfiles runs 6.1.27.1–6.1.27.11 for the profile named by document.category.
func testProfiles(r *rawAdvisory, s *testSink, groups map[string]bool) {
	d := &r.Document
	switch d.Category {
	case "csaf_informational_advisory", "csaf_security_incident_response":
		ok := false
		for _, n := range d.Notes {
			ok = ok || slices.Contains([]string{"description", "details", "general", "summary"}, n.Category)
		}
		if !ok {
			s.warn("6.1.27.1", "$.document.notes", "profile %s needs a note of category description, details, general or summary", d.Category)
		}
		ok = false
		for _, ref := range d.References {
			ok = ok || ref.Category == "" || ref.Category == "external"
		}
		if !ok {
			s.warn("6.1.27.2", "$.document.references", "profile %s needs an external reference", d.Category)
		}
		if d.Category == "csaf_informational_advisory" && len(r.Vulnerabilities) > 0 {
			s.warn("6.1.27.3", "$.vulnerabilities", "profile csaf_informational_advisory must not have vulnerabilities")
		}
	case "csaf_security_advisory", "csaf_vex":
		if r.ProductTree == nil {
			s.warn("6.1.27.4", "$.product_tree", "profile %s needs a product tree", d.Category)
		}
		if len(r.Vulnerabilities) == 0 {
			s.warn("6.1.27.11", "$.vulnerabilities", "profile %s needs vulnerabilities", d.Category)
		}
		for vi, v := range r.Vulnerabilities {
			vp := fmt.Sprintf("$.vulnerabilities[%d]", vi)
			if len(v.Notes) == 0 {
				s.warn("6.1.27.5", vp+".notes", "profile %s needs notes on each vulnerability", d.Category)
			}
			if d.Category == "csaf_security_advisory" && v.ProductStatus == nil {
				s.warn("6.1.27.6", vp+".product_status", "profile csaf_security_advisory needs a product status")
			}
			if d.Category != "csaf_vex" {
				continue
			}
			ps := v.ProductStatus
			if ps == nil || len(ps.Fixed)+len(ps.KnownAffected)+len(ps.KnownNotAffected)+len(ps.UnderInvestigation) == 0 {
				s.warn("6.1.27.7", vp+".product_status", "profile csaf_vex needs fixed, known_affected, known_not_affected or under_investigation")
			}
			if v.CVE == "" && len(v.IDs) == 0 {
				s.warn("6.1.27.8", vp, "profile csaf_vex needs cve or ids")
			}
			if ps == nil {
				continue
			}
			members := groupMembers(r)
			impact := map[string]bool{}
			for _, f := range v.Flags {
				for _, id := range expand(f.ProductIDs, f.GroupIDs, members) {
					impact[id] = true
				}
			}
			for _, t := range v.Threats {
				if t.Category == "impact" {
					for _, id := range expand(t.ProductIDs, t.GroupIDs, members) {
						impact[id] = true
					}
				}
			}
			for i, id := range ps.KnownNotAffected {
				if !impact[id] {
					s.warn("6.1.27.9", fmt.Sprintf("%s.product_status.known_not_affected[%d]", vp, i), "product id %q has no impact statement (flag or threat of category impact)", id)
				}
			}
			action := map[string]bool{}
			for _, rm := range v.Remediations {
				for _, id := range expand(rm.ProductIDs, rm.GroupIDs, members) {
					action[id] = true
				}
			}
			for i, id := range ps.KnownAffected {
				if !action[id] {
					s.warn("6.1.27.10", fmt.Sprintf("%s.product_status.known_affected[%d]", vp, i), "product id %q has no action statement (remediation)", id)
				}
			}
		}
	}
}

func groupMembers(r *rawAdvisory) map[string][]string {
	m := map[string][]string{}
	if r.ProductTree != nil {
		for _, g := range r.ProductTree.ProductGroups {
			m[g.GroupID] = g.ProductIDs
		}
	}
	return m
}

func expand(ids, groups []string, members map[string][]string) []string {
	out := append([]string(nil), ids...)
	for _, g := range groups {
		out = append(out, members[g]...)
	}
	return out
}

// testVulnerabilityRules runs 6.1.23, 6.1.24, 6.1.29, 6.1.32 and 6.1.33.
func testVulnerabilityRules(r *rawAdvisory, s *testSink) {
	cves := map[string]bool{}
	members := groupMembers(r)
	for vi, v := range r.Vulnerabilities {
		vp := fmt.Sprintf("$.vulnerabilities[%d]", vi)
		if v.CVE != "" {
			if cves[v.CVE] {
				s.warn("6.1.23", vp+".cve", "%s is used by more than one vulnerability", v.CVE)
			}
			cves[v.CVE] = true
		}
		inv := map[string]bool{}
		for i, x := range v.Involvements {
			k := x.Party + "\x00" + x.Date
			if inv[k] {
				s.warn("6.1.24", fmt.Sprintf("%s.involvements[%d]", vp, i), "party %s has two involvements with the same date", x.Party)
			}
			inv[k] = true
		}
		for i, x := range v.Remediations {
			if len(x.ProductIDs) == 0 && len(x.GroupIDs) == 0 {
				s.warn("6.1.29", fmt.Sprintf("%s.remediations[%d]", vp, i), "remediation names no product_ids or group_ids")
			}
		}
		flagged := map[string]bool{}
		for i, x := range v.Flags {
			if len(x.ProductIDs) == 0 && len(x.GroupIDs) == 0 {
				s.warn("6.1.32", fmt.Sprintf("%s.flags[%d]", vp, i), "flag names no product_ids or group_ids")
			}
			for _, id := range expand(x.ProductIDs, x.GroupIDs, members) {
				if flagged[id] {
					s.warn("6.1.33", fmt.Sprintf("%s.flags[%d]", vp, i), "product id %q has more than one VEX justification flag", id)
				}
				flagged[id] = true
			}
		}
	}
}

// testVersions runs 6.1.25 (hash algorithms once per file) and 6.1.31 (no range in product_version).
func testVersions(r *rawAdvisory, s *testSink) {
	pt := r.ProductTree
	if pt == nil {
		return
	}
	checkHelper := func(fp *rawFullProduct, path string) {
		if fp == nil || fp.Helper == nil {
			return
		}
		for hi, h := range fp.Helper.Hashes {
			seen := map[string]bool{}
			for fi, fh := range h.FileHashes {
				alg := strings.ToLower(fh.Algorithm)
				if seen[alg] {
					s.warn("6.1.25", fmt.Sprintf("%s.product_identification_helper.hashes[%d].file_hashes[%d]", path, hi, fi), "hash algorithm %s used twice for one file", fh.Algorithm)
				}
				seen[alg] = true
			}
		}
	}
	var walk func(bs []*rawBranch, path string)
	walk = func(bs []*rawBranch, path string) {
		for i, b := range bs {
			p := fmt.Sprintf("%s[%d]", path, i)
			if b.Category == "product_version" && looksLikeRange(b.Name) {
				s.warn("6.1.31", p+".name", "product_version %q contains a version range; use product_version_range", b.Name)
			}
			checkHelper(b.Product, p+".product")
			walk(b.Branches, p+".branches")
		}
	}
	walk(pt.Branches, "$.product_tree.branches")
	for i, fp := range pt.FullProductNames {
		checkHelper(fp, fmt.Sprintf("$.product_tree.full_product_names[%d]", i))
	}
	for i, rel := range pt.Relationships {
		checkHelper(&rel.FullProductName, fmt.Sprintf("$.product_tree.relationships[%d].full_product_name", i))
	}
}

// looksLikeRange is the informative check of 6.1.31.
func looksLikeRange(name string) bool {
	low := strings.ToLower(name)
	if strings.ContainsAny(low, "<>") {
		return true
	}
	for _, w := range strings.FieldsFunc(low, func(r rune) bool { return !(r >= 'a' && r <= 'z') }) {
		switch w {
		case "after", "all", "before", "earlier", "later", "prior", "versions":
			return true
		}
	}
	return false
}
