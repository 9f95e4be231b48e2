package match

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/cpe"
	"github.com/vigil-med/vigil/internal/vex"
	"github.com/vigil-med/vigil/internal/vuln"
)

// Origin says whose analysis a VEX statement is. The two are kept apart: a manufacturer's
// statement never overwrites the hospital's own analysis.
type Origin string

// VEX statement origins.
const (
	Manufacturer Origin = "manufacturer"
	Hospital     Origin = "hospital"
)

// Statement is a VEX statement as the engine applies it: the statement, whose analysis it is, and
// the product version it was attached to (the caller maps the document's product to its product
// version). ProductVersion "" applies to findings of any product version (a stand-alone scan).
type Statement struct {
	vex.Statement
	Origin         Origin
	ProductVersion string
}

// VEXDecision records the statement that decided a finding's status.
type VEXDecision struct {
	Status          vex.Status
	Justification   vex.Justification
	ImpactStatement string
	ActionStatement string
	Origin          Origin
	Source          string // the statement's Source (document id or author)
	Timestamp       time.Time
	ComponentLevel  bool // the statement named the component, not only the product
	Statement       int  // index of the statement in the slice given to ApplyVEX
}

// ApplyVEX applies VEX statements to findings at their real granularity: a statement applies to a
// finding when its product version matches, its vulnerability is the finding's (by id or alias,
// resolved through idx when idx is not nil), and — when it names a component — the component is
// the finding's (by bom-ref, purl, CPE or name and version). A statement without a component
// applies to every component of the product version.
//
// When several statements apply, one decides, by this precedence:
//  1. the hospital's own analysis over the manufacturer's statement;
//  2. a statement naming the component over one about the whole product;
//  3. the newer over the older (Timestamp);
//  4. the later in stmts over the earlier.
//
// The deciding statement sets Finding.Status and Finding.VEX; not_affected and fixed make the
// finding inactive (Finding.Active), so the active findings are "affected minus not-affected". An
// affected or under_investigation statement that matches no finding adds one (Matcher
// MatcherVEX, Component -1, Package from the statement's component), subject to the same
// precedence. Findings are returned in input order, added ones after them; the input is not
// modified (without statements it is what is returned).
func ApplyVEX(idx *Index, findings []Finding, stmts []Statement) []Finding {
	if len(stmts) == 0 {
		return findings
	}
	out := slices.Clone(findings)
	// Canonical ids of the statements' vulnerabilities.
	vulns := make([]*vuln.Vulnerability, len(stmts))
	if idx != nil {
		for i := range stmts {
			for _, id := range append([]string{stmts[i].Vulnerability}, stmts[i].Aliases...) {
				if v, ok := idx.Vulnerability(id); ok {
					vulns[i] = v
					break
				}
			}
		}
	}
	// Affected statements that no finding answers become findings.
	for i := range stmts {
		s := &stmts[i]
		if s.Status != vex.Affected && s.Status != vex.UnderInvestigation {
			continue
		}
		found := false
		for j := range out {
			if applies(s, vulns[i], &out[j]) {
				found = true
				break
			}
		}
		if found {
			continue
		}
		v := vulns[i]
		if v == nil {
			v = &vuln.Vulnerability{ID: s.Vulnerability, Aliases: s.Aliases}
		}
		f := Finding{ProductVersion: s.ProductVersion, Component: -1, VulnID: v.ID, Vulnerability: v, RecordID: s.Source,
			Source: "VEX", Matcher: MatcherVEX, Status: vex.Affected, Confidence: 1}
		if s.Component != nil {
			f.Package = Package{Ref: s.Component.ID, Name: s.Component.Name, Version: s.Component.Version, PURL: s.Component.PURL, CPE: s.Component.CPE}
		}
		what := "the product"
		if s.Component != nil {
			what = describe(s.Component)
		}
		f.Reason = string(s.Origin) + " VEX statement " + s.Source + " says " + what + " is " + string(s.Status) + " by " + s.Vulnerability
		out = append(out, f)
	}
	for j := range out {
		f := &out[j]
		best := -1
		for i := range stmts {
			if !applies(&stmts[i], vulns[i], f) {
				continue
			}
			if best < 0 || precedes(&stmts[i], &stmts[best]) >= 0 {
				best = i
			}
		}
		if best < 0 {
			continue
		}
		s := &stmts[best]
		f.Status = s.Status
		f.VEX = &VEXDecision{Status: s.Status, Justification: s.Justification, ImpactStatement: s.ImpactStatement,
			ActionStatement: s.ActionStatement, Origin: s.Origin, Source: s.Source, Timestamp: s.Timestamp,
			ComponentLevel: s.Component != nil, Statement: best}
	}
	return out
}

func describe(p *vex.Product) string {
	switch {
	case p.PURL != "":
		return p.PURL
	case p.CPE != "":
		return p.CPE
	case p.Version != "":
		return p.Name + " " + p.Version
	case p.Name != "":
		return p.Name
	}
	return p.ID
}

// precedes compares two applicable statements: > 0 when a takes precedence over b.
func precedes(a, b *Statement) int {
	rank := func(o Origin) int {
		if o == Hospital {
			return 1
		}
		return 0
	}
	if c := cmp.Compare(rank(a.Origin), rank(b.Origin)); c != 0 {
		return c
	}
	spec := func(s *Statement) int {
		if s.Component != nil {
			return 1
		}
		return 0
	}
	if c := cmp.Compare(spec(a), spec(b)); c != 0 {
		return c
	}
	return a.Timestamp.Compare(b.Timestamp)
}

// applies reports whether statement s (whose vulnerability resolves to v, nil when unknown to the
// index) is about finding f.
func applies(s *Statement, v *vuln.Vulnerability, f *Finding) bool {
	if s.ProductVersion != "" && s.ProductVersion != f.ProductVersion {
		return false
	}
	switch {
	case v != nil && f.Vulnerability == v:
	case f.Vulnerability != nil && f.Vulnerability.HasID(s.Vulnerability):
	default:
		hit := false
		if f.Vulnerability != nil {
			for _, a := range s.Aliases {
				if f.Vulnerability.HasID(a) {
					hit = true
					break
				}
			}
		}
		if !hit && !strings.EqualFold(f.VulnID, s.Vulnerability) {
			return false
		}
	}
	if s.Component == nil {
		return true
	}
	return componentMatches(s.Component, &f.Package)
}

// componentMatches reports whether a VEX product/component identifies the finding's package.
func componentMatches(p *vex.Product, pkg *Package) bool {
	if p.ID != "" && pkg.Ref != "" && p.ID == pkg.Ref {
		return true
	}
	if p.PURL != "" && pkg.PURL != "" {
		if p.PURL == pkg.PURL {
			return true
		}
		pk, pv, ok1 := KeyOfPURL(p.PURL)
		fk, fv, ok2 := KeyOfPURL(pkg.PURL)
		if ok1 && ok2 && FoldKey(pk) == FoldKey(fk) {
			if fv == "" {
				fv = pkg.Version
			}
			return pv == "" || strings.TrimPrefix(pv, "v") == strings.TrimPrefix(fv, "v")
		}
		return false
	}
	if p.CPE != "" && pkg.CPE != "" {
		a, err1 := cpe.Parse(p.CPE)
		b, err2 := cpe.Parse(pkg.CPE)
		return err1 == nil && err2 == nil && (a == b || a.Covers(b))
	}
	if p.Name != "" && pkg.Name != "" && strings.EqualFold(p.Name, pkg.Name) {
		return p.Version == "" || p.Version == pkg.Version
	}
	return false
}
