package scan

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/vigil-med/vigil/internal/match"
	"github.com/vigil-med/vigil/internal/sbom"
	"github.com/vigil-med/vigil/internal/vex"
	"github.com/vigil-med/vigil/internal/vuln"
)

// WriteCycloneDX writes a CycloneDX 1.6 JSON BOM (a vulnerability disclosure report): the SBOM's
// subject as metadata.component, the components that have findings, and one vulnerability per
// vulnerability id whose affects point to those components' bom-refs. Suppressed findings (with
// ShowSuppressed) carry their VEX analysis.
func WriteCycloneDX(w io.Writer, r *Result) error {
	bom := cdx.NewBOM()
	bom.SpecVersion = cdx.SpecVersion1_6
	bom.SerialNumber = ""
	bom.Metadata = &cdx.Metadata{
		Timestamp: r.Created.Format(time.RFC3339),
		Tools:     &cdx.ToolsChoice{Components: &[]cdx.Component{{Type: cdx.ComponentTypeApplication, Name: r.Tool, Version: r.Version}}},
	}
	if sub := r.Document.Subject; sub != nil {
		c := cdxComponent(sub, refOf(sub, -1))
		bom.Metadata.Component = &c
	}
	var comps []cdx.Component
	compSeen := map[string]bool{}
	type vulnAcc struct {
		v       *cdx.Vulnerability
		affects []cdx.Affects
		refs    map[string]bool
	}
	var order []string
	vulns := map[string]*vulnAcc{}
	for i := range r.Findings {
		f := &r.Findings[i]
		ref := f.Package.Ref
		switch {
		case f.Component >= 0 && f.Component < len(r.Document.Components):
			c := &r.Document.Components[f.Component]
			ref = refOf(c, f.Component)
			if !compSeen[ref] {
				compSeen[ref] = true
				comps = append(comps, cdxComponent(c, ref))
			}
		case f.Component == -1 && r.Document.Subject != nil && f.Matcher != match.MatcherVEX:
			ref = refOf(r.Document.Subject, -1)
		default:
			if ref == "" {
				ref = "product"
			}
		}
		acc := vulns[f.VulnID]
		if acc == nil {
			acc = &vulnAcc{v: cdxVulnerability(f), refs: map[string]bool{}}
			vulns[f.VulnID] = acc
			order = append(order, f.VulnID)
		}
		if !acc.refs[ref] {
			acc.refs[ref] = true
			status := cdx.VulnerabilityStatusAffected
			if !f.Active() {
				status = cdx.VulnerabilityStatusNotAffected
			}
			ver := componentVersion(f)
			a := cdx.Affects{Ref: ref}
			if ver != "" {
				a.Range = &[]cdx.AffectedVersions{{Version: ver, Status: status}}
			}
			acc.affects = append(acc.affects, a)
		}
		if f.VEX != nil && acc.v.Analysis == nil {
			acc.v.Analysis = cdxAnalysis(f.VEX)
		}
		props := *acc.v.Properties
		props = append(props, cdx.Property{Name: "vigil:reason", Value: f.Reason})
		acc.v.Properties = &props
	}
	if len(comps) > 0 {
		bom.Components = &comps
	}
	if len(order) > 0 {
		out := make([]cdx.Vulnerability, 0, len(order))
		for _, id := range order {
			acc := vulns[id]
			acc.v.Affects = &acc.affects
			out = append(out, *acc.v)
		}
		bom.Vulnerabilities = &out
	}
	enc := cdx.NewBOMEncoder(w, cdx.BOMFileFormatJSON)
	enc.SetPretty(true)
	enc.SetEscapeHTML(false)
	return enc.EncodeVersion(bom, cdx.SpecVersion1_6)
}

func refOf(c *sbom.Component, i int) string {
	if c.Ref != "" {
		return c.Ref
	}
	if i < 0 {
		return "subject"
	}
	return fmt.Sprintf("component-%d", i)
}

func cdxComponent(c *sbom.Component, ref string) cdx.Component {
	typ := cdx.ComponentType(c.Type)
	if typ == "" {
		typ = cdx.ComponentTypeLibrary
	}
	return cdx.Component{BOMRef: ref, Type: typ, Group: c.Group, Name: c.Name, Version: c.Version, PackageURL: c.PURL, CPE: c.CPE}
}

func sourceOf(id string) *cdx.Source {
	switch {
	case vuln.IsCVE(id):
		return &cdx.Source{Name: "NVD", URL: helpURI(id)}
	case strings.HasPrefix(id, "GHSA-"):
		return &cdx.Source{Name: "GitHub", URL: helpURI(id)}
	case strings.HasPrefix(id, "EUVD-"):
		return &cdx.Source{Name: "ENISA EUVD", URL: helpURI(id)}
	}
	return &cdx.Source{Name: "OSV", URL: helpURI(id)}
}

func cdxVulnerability(f *match.Finding) *cdx.Vulnerability {
	v := &cdx.Vulnerability{BOMRef: "vuln-" + f.VulnID, ID: f.VulnID, Source: sourceOf(f.VulnID), Properties: &[]cdx.Property{}}
	if f.Vulnerability == nil {
		return v
	}
	vv := f.Vulnerability
	if len(vv.Aliases) > 0 {
		refs := make([]cdx.VulnerabilityReference, 0, len(vv.Aliases))
		for _, a := range vv.Aliases {
			refs = append(refs, cdx.VulnerabilityReference{ID: a, Source: sourceOf(a)})
		}
		v.References = &refs
	}
	var ratings []cdx.VulnerabilityRating
	for _, s := range vv.Severity {
		rt := cdx.VulnerabilityRating{Source: &cdx.Source{Name: s.Source}, Severity: cdx.Severity(s.Level.String()), Vector: s.Vector}
		if s.Score > 0 {
			score := s.Score
			rt.Score = &score
		}
		switch {
		case s.Type == vuln.CVSSv2:
			rt.Method = cdx.ScoringMethodCVSSv2
		case s.Type == vuln.CVSSv3 && strings.HasPrefix(s.Vector, "CVSS:3.1"):
			rt.Method = cdx.ScoringMethodCVSSv31
		case s.Type == vuln.CVSSv3:
			rt.Method = cdx.ScoringMethodCVSSv3
		case s.Type == vuln.CVSSv4:
			rt.Method = cdx.ScoringMethodCVSSv4
		default:
			rt.Method = cdx.ScoringMethodOther
		}
		ratings = append(ratings, rt)
	}
	if len(ratings) > 0 {
		v.Ratings = &ratings
	}
	var cwes []int
	for _, c := range vv.CWE {
		if n, err := strconv.Atoi(strings.TrimPrefix(c, "CWE-")); err == nil {
			cwes = append(cwes, n)
		}
	}
	if len(cwes) > 0 {
		v.CWEs = &cwes
	}
	v.Description = vv.Summary
	v.Detail = vv.Details
	if len(f.FixedVersions) > 0 {
		v.Recommendation = "Upgrade to " + strings.Join(f.FixedVersions, " or ")
	}
	if f.Remediation != "" {
		v.Recommendation = f.Remediation
	}
	if !vv.Published.IsZero() && vv.Published.Year() > 1 {
		v.Published = vv.Published.Format(time.RFC3339)
	}
	if !vv.Modified.IsZero() && vv.Modified.Year() > 1 {
		v.Updated = vv.Modified.Format(time.RFC3339)
	}
	props := []cdx.Property{}
	if k := vv.CISAKEV; k != nil {
		props = append(props, cdx.Property{Name: "vigil:cisa-kev:dateAdded", Value: date(k.DateAdded)})
		if k.KnownRansomwareCampaignUse != "" {
			props = append(props, cdx.Property{Name: "vigil:cisa-kev:knownRansomwareCampaignUse", Value: k.KnownRansomwareCampaignUse})
		}
	}
	if k := vv.EUKEV; k != nil {
		props = append(props, cdx.Property{Name: "vigil:eu-kev:dateReported", Value: date(k.DateReported)})
	}
	if e := vv.EPSS; e != nil {
		props = append(props, cdx.Property{Name: "vigil:epss:score", Value: strconv.FormatFloat(e.Score, 'f', -1, 64)},
			cdx.Property{Name: "vigil:epss:percentile", Value: strconv.FormatFloat(e.Percentile, 'f', -1, 64)})
	}
	v.Properties = &props
	return v
}

// cdxAnalysis maps a VEX decision onto CycloneDX impact analysis.
func cdxAnalysis(d *match.VEXDecision) *cdx.VulnerabilityAnalysis {
	a := &cdx.VulnerabilityAnalysis{Detail: d.ImpactStatement}
	switch d.Status {
	case vex.NotAffected:
		a.State = cdx.IASNotAffected
	case vex.Fixed:
		a.State = cdx.IASResolved
	case vex.Affected:
		a.State = cdx.IASExploitable
	case vex.UnderInvestigation:
		a.State = cdx.IASInTriage
	}
	switch d.Justification {
	case vex.ComponentNotPresent:
		a.Justification = cdx.IAJRequiresDependency
	case vex.VulnerableCodeNotPresent:
		a.Justification = cdx.IAJCodeNotPresent
	case vex.VulnerableCodeNotInExecutePath:
		a.Justification = cdx.IAJCodeNotReachable
	case vex.VulnerableCodeCannotBeControlledByAdversary:
		a.Justification = cdx.IAJRequiresEnvironment
	case vex.InlineMitigationsAlreadyExist:
		a.Justification = cdx.IAJProtectedByMitigatingControl
	}
	if !d.Timestamp.IsZero() {
		a.LastUpdated = d.Timestamp.Format(time.RFC3339)
	}
	return a
}
