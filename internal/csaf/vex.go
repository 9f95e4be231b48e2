package csaf

import (
	"slices"
	"strings"

	"github.com/vigil-med/vigil/internal/vex"
)

// statusMap maps the CSAF product status lists onto VEX statuses. first_affected and last_affected
// name affected versions; first_fixed names a fixed one. recommended is advice, not a status, and
// yields no statement.
var statusMap = []struct {
	status vex.Status
	ids    func(ps *ProductStatus) []string
}{
	{vex.Affected, func(ps *ProductStatus) []string { return ps.KnownAffected }},
	{vex.Affected, func(ps *ProductStatus) []string { return ps.FirstAffected }},
	{vex.Affected, func(ps *ProductStatus) []string { return ps.LastAffected }},
	{vex.NotAffected, func(ps *ProductStatus) []string { return ps.KnownNotAffected }},
	{vex.Fixed, func(ps *ProductStatus) []string { return ps.Fixed }},
	{vex.Fixed, func(ps *ProductStatus) []string { return ps.FirstFixed }},
	{vex.UnderInvestigation, func(ps *ProductStatus) []string { return ps.UnderInvestigation }},
}

// flagJustification maps CSAF flag labels onto VEX justifications (they share the vocabulary).
var flagJustification = map[string]vex.Justification{
	"component_not_present":                             vex.ComponentNotPresent,
	"vulnerable_code_not_present":                       vex.VulnerableCodeNotPresent,
	"vulnerable_code_not_in_execute_path":               vex.VulnerableCodeNotInExecutePath,
	"vulnerable_code_cannot_be_controlled_by_adversary": vex.VulnerableCodeCannotBeControlledByAdversary,
	"inline_mitigations_already_exist":                  vex.InlineMitigationsAlreadyExist,
}

// Statements turns an advisory (any profile; CSAF VEX is the one made for it) into VEX statements:
// one per vulnerability × product id listed under a product status, in document order, a product
// listed twice under statuses of the same meaning yielding one statement.
//
//   - Vulnerability is the CVE, or the first ids[].text when there is no CVE; Aliases hold the other ids.
//   - Product describes the product (id, name, version or vers range, purl, CPE). For a relationship
//     product (X default_component_of / installed_on … Y) Product describes the platform Y and
//     Component the component X, and Product.ID stays the relationship's product id, the id the
//     status lists use.
//   - Justification (not_affected only) comes from a flag naming the product.
//   - ImpactStatement joins the details of threats of category impact naming the product.
//   - ActionStatement joins the remediations naming the product as "category: details (url)".
//   - Timestamp is the document's current release date; Source the tracking id; SourceFormat "csaf".
func Statements(a *Advisory) []vex.Statement {
	var out []vex.Statement
	seen := map[string]bool{}
	for _, v := range a.Vulnerabilities {
		id, aliases := vulnIDs(v)
		if id == "" {
			continue
		}
		for _, sm := range statusMap {
			for _, pid := range sm.ids(&v.ProductStatus) {
				key := id + "\x00" + pid + "\x00" + string(sm.status)
				if seen[key] {
					continue
				}
				seen[key] = true
				st := vex.Statement{
					Vulnerability:   id,
					Aliases:         aliases,
					Status:          sm.status,
					ImpactStatement: impactFor(v, pid),
					ActionStatement: actionFor(v, pid),
					Timestamp:       a.CurrentRelease,
					Source:          a.TrackingID,
					SourceFormat:    "csaf",
				}
				st.Product, st.Component = vexProducts(a, pid)
				if sm.status == vex.NotAffected {
					st.Justification = justificationFor(v, pid)
				}
				out = append(out, st)
			}
		}
	}
	return out
}

func vulnIDs(v Vulnerability) (string, []string) {
	var all []string
	if v.CVE != "" {
		all = append(all, v.CVE)
	}
	for _, id := range v.IDs {
		if id.Text != "" && !slices.Contains(all, id.Text) {
			all = append(all, id.Text)
		}
	}
	if len(all) == 0 {
		return "", nil
	}
	if len(all) == 1 {
		return all[0], nil
	}
	return all[0], all[1:]
}

func vexProducts(a *Advisory, id string) (vex.Product, *vex.Product) {
	p := a.Product(id)
	if p == nil {
		return vex.Product{ID: id}, nil
	}
	if p.Relationship != nil {
		platform := a.Product(p.Relationship.PlatformID)
		component := a.Product(p.Relationship.ComponentID)
		prod := vex.Product{ID: id, Name: p.Name}
		if platform != nil {
			prod = vexProduct(platform)
			prod.ID = id
		}
		var comp *vex.Product
		if component != nil {
			c := vexProduct(component)
			comp = &c
		}
		return prod, comp
	}
	return vexProduct(p), nil
}

func vexProduct(p *Product) vex.Product {
	vp := vex.Product{ID: p.ID, Name: p.Name, Version: p.Version, PURL: p.PURL, CPE: p.CPE}
	if p.ProductName != "" {
		vp.Name = p.ProductName
		if p.Vendor != "" {
			vp.Name = p.Vendor + " " + p.ProductName
		}
	}
	if vp.Version == "" && p.Range != nil {
		if vers := p.Range.Vers(); vers != "" {
			vp.Version = vers
		} else {
			vp.Version = p.Range.Raw
		}
	}
	return vp
}

func justificationFor(v Vulnerability, pid string) vex.Justification {
	for _, f := range v.Flags {
		if slices.Contains(f.ProductIDs, pid) {
			if j, ok := flagJustification[f.Label]; ok {
				return j
			}
		}
	}
	return ""
}

func impactFor(v Vulnerability, pid string) string {
	var parts []string
	for _, t := range v.Threats {
		if t.Category == "impact" && slices.Contains(t.ProductIDs, pid) {
			if d := strings.TrimSpace(t.Details); d != "" && !slices.Contains(parts, d) {
				parts = append(parts, d)
			}
		}
	}
	return strings.Join(parts, "\n")
}

func actionFor(v Vulnerability, pid string) string {
	var parts []string
	for _, r := range v.Remediations {
		if !slices.Contains(r.ProductIDs, pid) {
			continue
		}
		s := r.Category + ": " + strings.TrimSpace(r.Details)
		if r.URL != "" {
			s += " (" + r.URL + ")"
		}
		if !slices.Contains(parts, s) {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n")
}
