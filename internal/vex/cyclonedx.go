package vex

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/vigil-med/vigil/internal/sbom/cyclonedx"
)

// decodeCycloneDX reads the vulnerabilities of a CycloneDX BOM (JSON or XML) as VEX statements.
//
// Each vulnerabilities[].affects[] entry gives statements; with versions[] one per version or range.
// affects[].ref is resolved against the BOM: a ref to metadata.component gives a product statement; a ref
// to a component gives a statement about that component of the product, the product being the outermost
// component that contains it or else metadata.component; a bom-link ("urn:cdx:serial/version#ref") or any
// other ref is kept as Product.ID (and as PURL when it is a package URL) for the caller to resolve (see
// ParseBOMLink). A vulnerability without affects is about metadata.component, or, when the BOM has none,
// about everything its source supplies (an empty Product). The status comes from analysis.state (see the table in justification.go), unless the
// version entry states its own: "affected" → affected, "unaffected" → not_affected (fixed stays fixed),
// "unknown" → under_investigation. ImpactStatement is analysis.detail; ActionStatement joins recommendation, workaround
// and analysis.response. The timestamp is analysis.lastUpdated, firstIssued, the vulnerability's updated
// or published date, or metadata.timestamp, the first one present. Source is the BOM's serialNumber, or
// the name of its metadata supplier, manufacturer or first author.
func decodeCycloneDX(data []byte, name string) ([]Statement, error) {
	bom, err := cyclonedx.DecodeBOM(data, name)
	if err != nil {
		return nil, err
	}
	r := newResolver(bom)
	var docTime time.Time
	if bom.Metadata != nil {
		docTime = parseTime(bom.Metadata.Timestamp)
	}
	source := bomSource(bom)
	var out []Statement
	if bom.Vulnerabilities == nil {
		return nil, nil
	}
	for i, v := range *bom.Vulnerabilities {
		where := fmt.Sprintf("cyclonedx %q: vulnerabilities[%d]", name, i)
		if v.ID == "" {
			return nil, fmt.Errorf("%s.id: %w: empty", where, ErrInvalid)
		}
		base := Statement{
			Vulnerability: v.ID,
			Timestamp:     docTime,
			Source:        source,
			SourceFormat:  string(CycloneDX),
			Status:        Affected,
		}
		if v.References != nil {
			for _, ref := range *v.References {
				if ref.ID != "" && ref.ID != v.ID {
					base.Aliases = append(base.Aliases, ref.ID)
				}
			}
		}
		for _, ts := range []string{v.Published, v.Updated} {
			if t := parseTime(ts); !t.IsZero() {
				base.Timestamp = t
			}
		}
		var actions []string
		if v.Recommendation != "" {
			actions = append(actions, v.Recommendation)
		}
		if v.Workaround != "" {
			actions = append(actions, v.Workaround)
		}
		var cdxJustification string
		if a := v.Analysis; a != nil {
			if a.State != "" {
				st, ok := cdxStates[string(a.State)]
				if !ok {
					return nil, fmt.Errorf("%s.analysis.state: %w: %q is not a CycloneDX analysis state", where, ErrInvalid, a.State)
				}
				base.Status = st
			}
			if a.Justification != "" {
				j, ok := cdxJustifications[string(a.Justification)]
				if !ok {
					return nil, fmt.Errorf("%s.analysis.justification: %w: %q is not a CycloneDX justification", where, ErrInvalid, a.Justification)
				}
				base.Justification = j
				cdxJustification = string(a.Justification)
			}
			base.ImpactStatement = a.Detail
			if a.State == cdx.IASFalsePositive {
				base.ImpactStatement = strings.TrimSuffix("false positive: "+a.Detail, ": ")
			}
			if a.Response != nil && len(*a.Response) > 0 {
				var rs []string
				for _, x := range *a.Response {
					rs = append(rs, string(x))
				}
				actions = append(actions, "Response: "+strings.Join(rs, ", "))
			}
			for _, ts := range []string{a.FirstIssued, a.LastUpdated} {
				if t := parseTime(ts); !t.IsZero() {
					base.Timestamp = t
				}
			}
		}
		base.ActionStatement = strings.Join(actions, "\n")
		if cdxJustification != "" && toCDXJustification[base.Justification] != cdxJustification {
			// Keep the CycloneDX value that the OpenVEX vocabulary cannot tell apart.
			base.ImpactStatement = strings.TrimSpace("[" + cdxJustification + "] " + base.ImpactStatement)
		}
		affects := []cdx.Affects{}
		if v.Affects != nil {
			affects = *v.Affects
		}
		if len(affects) == 0 {
			// No affects: the statement is about the BOM's subject, or (without one) about everything its
			// source supplies; Product is then empty and Source says whose products are meant.
			st := base
			if r.subject != nil {
				st.Product = *r.subject
			}
			out = append(out, finish(st))
			continue
		}
		for _, aff := range affects {
			product, component := r.resolve(aff.Ref)
			st := base
			st.Product = product
			st.Component = component
			if aff.Range == nil || len(*aff.Range) == 0 {
				out = append(out, finish(st))
				continue
			}
			for _, av := range *aff.Range {
				st := st
				target := &st.Product
				if st.Component != nil {
					c := *st.Component
					st.Component = &c
					target = st.Component
				}
				if av.Version != "" {
					target.Version = av.Version
				}
				if av.Range != "" {
					target.Version = ""
					target.VersionRange = av.Range
				}
				switch av.Status {
				case cdx.VulnerabilityStatusAffected:
					st.Status = Affected
				case cdx.VulnerabilityStatusNotAffected:
					if st.Status != Fixed { // a fixed version is unaffected
						st.Status = NotAffected
					}
				case cdx.VulnerabilityStatusUnknown:
					st.Status = UnderInvestigation
				}
				out = append(out, finish(st))
			}
		}
	}
	return out, nil
}

// finish drops a justification that does not belong to the statement's status.
func finish(st Statement) Statement {
	if st.Status != NotAffected {
		st.Justification = ""
	}
	return st
}

type resolver struct {
	subject *Product
	byRef   map[string]Product
	top     map[string]string // bom-ref → bom-ref of its outermost enclosing component
}

func newResolver(bom *cdx.BOM) *resolver {
	r := &resolver{byRef: map[string]Product{}, top: map[string]string{}}
	if bom.Metadata != nil && bom.Metadata.Component != nil {
		p := productOf(bom.Metadata.Component)
		r.subject = &p
		if p.ID != "" {
			r.byRef[p.ID] = p
		}
	}
	var walk func(cs *[]cdx.Component, top string)
	walk = func(cs *[]cdx.Component, top string) {
		if cs == nil {
			return
		}
		for i := range *cs {
			c := &(*cs)[i]
			t := top
			if c.BOMRef != "" {
				r.byRef[c.BOMRef] = productOf(c)
				if t == "" {
					t = c.BOMRef
				} else {
					r.top[c.BOMRef] = t
				}
			}
			walk(c.Components, t)
		}
	}
	walk(bom.Components, "")
	return r
}

func (r *resolver) resolve(ref string) (Product, *Product) {
	p, ok := r.byRef[ref]
	if !ok {
		out := Product{ID: ref}
		if strings.HasPrefix(ref, "pkg:") {
			out.PURL = canonicalOr(ref)
		}
		return out, nil
	}
	if r.subject != nil && ref == r.subject.ID {
		return p, nil
	}
	if top, ok := r.top[ref]; ok {
		return r.byRef[top], &p
	}
	if r.subject != nil {
		return *r.subject, &p
	}
	return p, nil
}

func productOf(c *cdx.Component) Product {
	p := Product{ID: c.BOMRef, Name: c.Name, Version: c.Version, CPE: c.CPE}
	if c.Group != "" {
		p.Name = c.Group + "/" + c.Name
	}
	if c.PackageURL != "" {
		p.PURL = canonicalOr(c.PackageURL)
	}
	if c.CPE != "" {
		p.CPE = cpeOr(c.CPE)
	}
	return p
}

func bomSource(bom *cdx.BOM) string {
	if bom.SerialNumber != "" {
		return bom.SerialNumber
	}
	if md := bom.Metadata; md != nil {
		for _, o := range []*cdx.OrganizationalEntity{md.Supplier, md.Manufacturer, md.Manufacture} {
			if o != nil && o.Name != "" {
				return o.Name
			}
		}
		if md.Authors != nil {
			for _, a := range *md.Authors {
				if a.Name != "" {
					return a.Name
				}
			}
		}
	}
	return ""
}

func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// ParseBOMLink splits a CycloneDX BOM-Link ("urn:cdx:<serial uuid>/<version>#<bom-ref>") into the serial
// number of the BOM it points into (as "urn:uuid:…", the form of serialNumber), the BOM version and the
// bom-ref within it (percent-decoding not applied). ok is false when s is not a BOM-Link.
func ParseBOMLink(s string) (serial string, version int, ref string, ok bool) {
	rest, found := strings.CutPrefix(s, "urn:cdx:")
	if !found {
		return "", 0, "", false
	}
	rest, ref, _ = strings.Cut(rest, "#")
	uuid, ver, found := strings.Cut(rest, "/")
	if !found || uuid == "" {
		return "", 0, "", false
	}
	n, err := strconv.Atoi(ver)
	if err != nil || n < 1 {
		return "", 0, "", false
	}
	return "urn:uuid:" + uuid, n, ref, true
}
