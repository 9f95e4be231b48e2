package csaf

import (
	"encoding/json"
	"strings"
	"time"
)

// convert flattens a decoded (schema-valid) document into Vigil's model.
func convert(r *rawAdvisory) *Advisory {
	d := &r.Document
	a := &Advisory{
		TrackingID:     d.Tracking.ID,
		Title:          d.Title,
		Publisher:      Publisher{Name: d.Publisher.Name, Namespace: d.Publisher.Namespace, Category: d.Publisher.Category, ContactDetails: d.Publisher.ContactDetails, IssuingAuthority: d.Publisher.IssuingAuthority},
		Status:         d.Tracking.Status,
		Version:        d.Tracking.Version,
		InitialRelease: parseTime(d.Tracking.InitialReleaseDate),
		CurrentRelease: parseTime(d.Tracking.CurrentReleaseDate),
		Lang:           d.Lang,
		Profile:        d.Category,
		Aliases:        d.Tracking.Aliases,
		Notes:          convertNotes(d.Notes),
		References:     convertRefs(d.References),
	}
	if d.Distribution != nil && d.Distribution.TLP != nil {
		a.TLP = d.Distribution.TLP.Label
	}
	for _, rv := range d.Tracking.RevisionHistory {
		a.Revisions = append(a.Revisions, Revision{Number: rv.Number, Date: parseTime(rv.Date), Summary: rv.Summary})
	}
	if pt := r.ProductTree; pt != nil {
		for _, b := range pt.Branches {
			walkBranch(b, nil, &a.Products)
		}
		for _, fp := range pt.FullProductNames {
			a.Products = append(a.Products, productFrom(fp))
		}
		for _, rel := range pt.Relationships {
			p := productFrom(&rel.FullProductName)
			p.Relationship = &Relationship{Category: rel.Category, ComponentID: rel.ProductReference, PlatformID: rel.RelatesToProductReference}
			a.Products = append(a.Products, p)
		}
		for _, g := range pt.ProductGroups {
			a.ProductGroups = append(a.ProductGroups, ProductGroup{ID: g.GroupID, Summary: g.Summary, ProductIDs: g.ProductIDs})
		}
	}
	for _, rv := range r.Vulnerabilities {
		a.Vulnerabilities = append(a.Vulnerabilities, convertVuln(a, rv))
	}
	return a
}

type branchStep struct{ category, name string }

func walkBranch(b *rawBranch, path []branchStep, out *[]Product) {
	path = append(path, branchStep{b.Category, b.Name})
	if b.Product != nil {
		p := productFrom(b.Product)
		var fams []string
		for _, s := range path {
			p.Path = append(p.Path, s.name)
			name := strings.TrimSpace(s.name)
			switch s.category {
			case "vendor":
				p.Vendor = name
			case "product_family":
				fams = append(fams, name)
			case "product_name":
				p.ProductName = name
			case "product_version":
				p.Version = name
			case "product_version_range":
				p.Range = ParseRange(s.name)
			default:
				if p.Attributes == nil {
					p.Attributes = map[string]string{}
				}
				p.Attributes[s.category] = name
			}
		}
		p.Family = strings.Join(fams, " / ")
		*out = append(*out, p)
	}
	for _, c := range b.Branches {
		// Copy the path so siblings do not share a backing array.
		walkBranch(c, append([]branchStep(nil), path...), out)
	}
}

func productFrom(fp *rawFullProduct) Product {
	p := Product{ID: fp.ProductID, Name: fp.Name}
	if h := fp.Helper; h != nil {
		p.PURL = h.PURL
		p.CPE = h.CPE
		p.ModelNumbers = h.ModelNumbers
		p.SKUs = h.SKUs
		p.SerialNumbers = h.SerialNumbers
		p.SBOMURLs = h.SBOMURLs
		for _, hs := range h.Hashes {
			for _, fh := range hs.FileHashes {
				p.Hashes = append(p.Hashes, FileHash{Filename: hs.Filename, Algorithm: fh.Algorithm, Value: fh.Value})
			}
		}
		for _, g := range h.XGenericURIs {
			p.GenericURIs = append(p.GenericURIs, GenericURI(g))
		}
	}
	return p
}

func convertNotes(ns []rawNote) []Note {
	var out []Note
	for _, n := range ns {
		out = append(out, Note{Category: n.Category, Title: n.Title, Text: n.Text, Audience: n.Audience})
	}
	return out
}

func convertRefs(rs []rawReference) []Reference {
	var out []Reference
	for _, r := range rs {
		out = append(out, Reference(r))
	}
	return out
}

func convertVuln(a *Advisory, rv *rawVulnerability) Vulnerability {
	v := Vulnerability{
		CVE:           rv.CVE,
		Title:         rv.Title,
		DiscoveryDate: parseTime(rv.DiscoveryDate),
		ReleaseDate:   parseTime(rv.ReleaseDate),
		Notes:         convertNotes(rv.Notes),
		References:    convertRefs(rv.References),
	}
	for _, id := range rv.IDs {
		v.IDs = append(v.IDs, VulnerabilityID{System: id.SystemName, Text: id.Text})
	}
	if rv.CWE != nil {
		v.CWE = &CWE{ID: rv.CWE.ID, Name: rv.CWE.Name}
	}
	for _, s := range rv.Scores {
		for _, raw := range []json.RawMessage{s.CVSSv3, s.CVSSv2} {
			if len(raw) == 0 {
				continue
			}
			var c rawCVSS
			if json.Unmarshal(raw, &c) != nil {
				continue
			}
			sc := Score{Version: c.Version, Vector: c.VectorString, Severity: c.BaseSeverity, ProductIDs: s.Products}
			if c.BaseScore != nil {
				sc.BaseScore = *c.BaseScore
			}
			v.Scores = append(v.Scores, sc)
		}
	}
	if ps := rv.ProductStatus; ps != nil {
		v.ProductStatus = ProductStatus{
			KnownAffected:      ps.KnownAffected,
			Fixed:              ps.Fixed,
			KnownNotAffected:   ps.KnownNotAffected,
			UnderInvestigation: ps.UnderInvestigation,
			FirstAffected:      ps.FirstAffected,
			LastAffected:       ps.LastAffected,
			FirstFixed:         ps.FirstFixed,
			Recommended:        ps.Recommended,
		}
	}
	for _, r := range rv.Remediations {
		rem := Remediation{
			Category: r.Category, Details: r.Details, URL: r.URL, Date: parseTime(r.Date),
			Entitlements: r.Entitlements, GroupIDs: r.GroupIDs,
			ProductIDs: mergeIDs(r.ProductIDs, a.ResolveGroups(r.GroupIDs...)),
		}
		if r.RestartRequired != nil {
			rem.RestartRequired = r.RestartRequired.Category
		}
		v.Remediations = append(v.Remediations, rem)
	}
	for _, t := range rv.Threats {
		v.Threats = append(v.Threats, Threat{
			Category: t.Category, Details: t.Details, Date: parseTime(t.Date), GroupIDs: t.GroupIDs,
			ProductIDs: mergeIDs(t.ProductIDs, a.ResolveGroups(t.GroupIDs...)),
		})
	}
	for _, f := range rv.Flags {
		v.Flags = append(v.Flags, Flag{
			Label: f.Label, Date: parseTime(f.Date), GroupIDs: f.GroupIDs,
			ProductIDs: mergeIDs(f.ProductIDs, a.ResolveGroups(f.GroupIDs...)),
		})
	}
	return v
}

// mergeIDs returns a followed by the ids of b not in a.
func mergeIDs(a, b []string) []string {
	if len(b) == 0 {
		return a
	}
	out := append([]string(nil), a...)
	for _, id := range b {
		found := false
		for _, x := range out {
			if x == id {
				found = true
				break
			}
		}
		if !found {
			out = append(out, id)
		}
	}
	return out
}

// parseTime reads an RFC 3339 date-time (the schema asserts the format); zero when empty or invalid.
func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, strings.ToUpper(s))
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}
