package vex

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	ovex "github.com/openvex/go-vex/pkg/vex"
)

// EncodeOpenVEX writes stmts as one OpenVEX v0.2.0 document by author, issued at now, for exporting a
// hospital's triage decisions or a manufacturer's VEX. Each statement becomes one OpenVEX statement; its
// product @id is the Product's PURL, else ID, else CPE, else "name@version", and a Component becomes a
// subcomponent. Fields OpenVEX forbids for a status are left out (a justification unless not_affected, an
// impact statement for affected, fixed and under_investigation, an action statement unless affected), an
// affected statement without action statement gets go-vex's "No action statement provided", and a
// not_affected statement with neither justification nor impact statement is an error. The document @id is
// go-vex's canonical hash of the content, so equal input gives equal output.
func EncodeOpenVEX(w io.Writer, stmts []Statement, author string, now time.Time) error {
	if author == "" {
		author = ovex.DefaultAuthor
	}
	ts := now.UTC()
	doc := ovex.VEX{Metadata: ovex.Metadata{
		Context:   ovex.ContextLocator(),
		Author:    author,
		Timestamp: &ts,
		Version:   1,
	}}
	for i, s := range stmts {
		st := ovex.Statement{
			Vulnerability: ovex.Vulnerability{Name: ovex.VulnerabilityID(s.Vulnerability)},
			Status:        ovex.Status(s.Status),
		}
		for _, a := range s.Aliases {
			st.Vulnerability.Aliases = append(st.Vulnerability.Aliases, ovex.VulnerabilityID(a))
		}
		if !s.Timestamp.IsZero() {
			t := s.Timestamp.UTC()
			st.Timestamp = &t
		}
		switch s.Status {
		case NotAffected:
			st.Justification = ovex.Justification(s.Justification)
			st.ImpactStatement = s.ImpactStatement
		case Affected:
			st.ActionStatement = s.ActionStatement
			if st.ActionStatement == "" {
				st.ActionStatement = ovex.NoActionStatementMsg
			}
		case Fixed, UnderInvestigation:
			if s.ImpactStatement != "" {
				st.StatusNotes = s.ImpactStatement
			}
		}
		prod := ovex.Product{Component: openVEXComponent(s.Product)}
		if s.Component != nil {
			prod.Subcomponents = []ovex.Subcomponent{{Component: openVEXComponent(*s.Component)}}
		}
		st.Products = []ovex.Product{prod}
		if err := st.Validate(); err != nil {
			return fmt.Errorf("openvex encode: statements[%d] (%s): %w", i, s.Vulnerability, err)
		}
		if prod.ID == "" {
			return fmt.Errorf("openvex encode: statements[%d] (%s): the product has no identifier", i, s.Vulnerability)
		}
		doc.Statements = append(doc.Statements, st)
	}
	if _, err := doc.GenerateCanonicalID(); err != nil {
		return fmt.Errorf("openvex encode: %w", err)
	}
	if err := doc.ToJSON(w); err != nil {
		return fmt.Errorf("openvex encode: %w", err)
	}
	return nil
}

func openVEXComponent(p Product) ovex.Component {
	c := ovex.Component{}
	switch {
	case p.PURL != "":
		c.ID = p.PURL
	case p.ID != "":
		c.ID = p.ID
	case p.CPE != "":
		c.ID = p.CPE
	case p.Name != "":
		c.ID = strings.TrimSuffix(p.Name+"@"+p.Version, "@")
	}
	ids := map[ovex.IdentifierType]string{}
	if p.PURL != "" && p.PURL != c.ID {
		ids[ovex.PURL] = p.PURL
	}
	if p.CPE != "" && p.CPE != c.ID {
		ids[ovex.CPE23] = p.CPE
	}
	if len(ids) > 0 {
		c.Identifiers = ids
	}
	return c
}

// EncodeCycloneDX writes stmts as a CycloneDX 1.6 VEX (JSON) issued at now. Every product and component
// the statements name becomes a component of the BOM (a statement's Component nested in its Product), and
// each statement becomes one vulnerability whose affects[].ref points to it, with the product's version
// or version range in affects[].versions. Status and justification are mapped back as the table in
// justification.go says; ImpactStatement becomes analysis.detail, ActionStatement the recommendation, the
// Timestamp analysis.lastUpdated.
func EncodeCycloneDX(w io.Writer, stmts []Statement, now time.Time) error {
	bom := cdx.NewBOM()
	bom.Metadata = &cdx.Metadata{Timestamp: now.UTC().Format(time.RFC3339)}
	refs := newRefs()
	var components []cdx.Component
	productIndex := map[string]int{}
	var vulns []cdx.Vulnerability
	for i, s := range stmts {
		if s.Vulnerability == "" {
			return fmt.Errorf("cyclonedx vex encode: statements[%d]: no vulnerability id", i)
		}
		state, ok := toCDXState[s.Status]
		if !ok {
			return fmt.Errorf("cyclonedx vex encode: statements[%d] (%s): status %q", i, s.Vulnerability, s.Status)
		}
		pkey := productKey(s.Product)
		pi, ok := productIndex[pkey]
		if !ok {
			pi = len(components)
			productIndex[pkey] = pi
			c := cdxComponent(s.Product, refs.take(pkey, s.Product))
			components = append(components, c)
		}
		target := components[pi].BOMRef
		if s.Component != nil {
			ckey := pkey + "\x00" + productKey(*s.Component)
			if ref, ok := refs.used[ckey]; ok {
				target = ref
			} else {
				c := cdxComponent(*s.Component, refs.take(ckey, *s.Component))
				target = c.BOMRef
				p := &components[pi]
				if p.Components == nil {
					p.Components = &[]cdx.Component{}
				}
				*p.Components = append(*p.Components, c)
			}
		}
		a := &cdx.VulnerabilityAnalysis{State: cdx.ImpactAnalysisState(state), Detail: s.ImpactStatement}
		if s.Status == NotAffected && s.Justification != "" {
			j, ok := toCDXJustification[s.Justification]
			if !ok {
				return fmt.Errorf("cyclonedx vex encode: statements[%d] (%s): justification %q", i, s.Vulnerability, s.Justification)
			}
			// A value kept by DecodeCycloneDX as "[requires_configuration] …" is restored.
			if orig, rest, found := strings.Cut(strings.TrimPrefix(s.ImpactStatement, "["), "] "); found && strings.HasPrefix(s.ImpactStatement, "[") && cdxJustifications[orig] == s.Justification {
				j, a.Detail = orig, rest
			}
			a.Justification = cdx.ImpactAnalysisJustification(j)
		}
		if !s.Timestamp.IsZero() {
			a.LastUpdated = s.Timestamp.UTC().Format(time.RFC3339)
		}
		v := cdx.Vulnerability{ID: s.Vulnerability, Analysis: a, Recommendation: s.ActionStatement}
		if len(s.Aliases) > 0 {
			refsList := make([]cdx.VulnerabilityReference, 0, len(s.Aliases))
			for _, al := range s.Aliases {
				refsList = append(refsList, cdx.VulnerabilityReference{ID: al, Source: &cdx.Source{}})
			}
			v.References = &refsList
		}
		aff := cdx.Affects{Ref: target}
		ver := s.Product
		if s.Component != nil {
			ver = *s.Component
		}
		if ver.Version != "" || ver.VersionRange != "" {
			aff.Range = &[]cdx.AffectedVersions{{Version: ver.Version, Range: ver.VersionRange, Status: versionStatus[s.Status]}}
		}
		v.Affects = &[]cdx.Affects{aff}
		vulns = append(vulns, v)
	}
	bom.Components = &components
	bom.Vulnerabilities = &vulns
	enc := cdx.NewBOMEncoder(w, cdx.BOMFileFormatJSON)
	enc.SetPretty(true)
	enc.SetEscapeHTML(false)
	if err := enc.EncodeVersion(bom, cdx.SpecVersion1_6); err != nil {
		return fmt.Errorf("cyclonedx vex encode: %w", err)
	}
	return nil
}

// versionStatus is the affects[].versions[].status written for each status.
var versionStatus = map[Status]cdx.VulnerabilityStatus{
	Affected:           cdx.VulnerabilityStatusAffected,
	NotAffected:        cdx.VulnerabilityStatusNotAffected,
	Fixed:              cdx.VulnerabilityStatusNotAffected,
	UnderInvestigation: cdx.VulnerabilityStatusUnknown,
}

func productKey(p Product) string {
	b, _ := json.Marshal([]string{p.ID, p.PURL, p.CPE, p.Name, p.Version, p.VersionRange})
	return string(b)
}

func cdxComponent(p Product, ref string) cdx.Component {
	c := cdx.Component{BOMRef: ref, Type: cdx.ComponentTypeApplication, Name: p.Name, Version: p.Version, PackageURL: p.PURL, CPE: p.CPE}
	if c.Name == "" {
		c.Name = firstNonEmpty(p.ID, p.PURL, p.CPE, "unnamed")
	}
	return c
}

// refs hands out unique bom-refs, preferring the product's own identifier.
type refs struct {
	used  map[string]string // key → ref
	taken map[string]bool
}

func newRefs() *refs { return &refs{used: map[string]string{}, taken: map[string]bool{}} }

func (r *refs) take(key string, p Product) string {
	base := firstNonEmpty(p.ID, p.PURL, p.CPE, p.Name, "product")
	ref := base
	for n := 2; r.taken[ref]; n++ {
		ref = fmt.Sprintf("%s#%d", base, n)
	}
	r.taken[ref] = true
	r.used[key] = ref
	return ref
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
