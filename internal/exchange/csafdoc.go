package exchange

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	gocvss31 "github.com/pandatix/go-cvss/31"

	"github.com/vigil-med/vigil/internal/buildinfo"
	"github.com/vigil-med/vigil/internal/domain"
)

// CVSS computes the base score and severity of a CVSS 3.1 (or 3.0) vector; "" gives zeros.
func CVSS(vector string) (float64, string, error) {
	vector = strings.TrimSpace(vector)
	if vector == "" {
		return 0, "", nil
	}
	v := vector
	if strings.HasPrefix(v, "CVSS:3.0/") {
		v = "CVSS:3.1/" + strings.TrimPrefix(v, "CVSS:3.0/")
	}
	c, err := gocvss31.ParseVector(v)
	if err != nil {
		return 0, "", domain.Invalid("cvss_vector", "%q is not a CVSS 3.1 base vector (CVSS:3.1/AV:N/AC:L/…): %v", vector, err)
	}
	score := c.BaseScore()
	sev, err := gocvss31.Rating(score)
	if err != nil {
		return 0, "", domain.Invalid("cvss_vector", "%v", err)
	}
	return score, strings.ToUpper(sev), nil
}

// VersionInfo names a product version for the product tree.
type VersionInfo struct {
	ID           int64
	Vendor       string
	Product      string
	Version      string
	ModelNumber  string
	EndOfSupport domain.Date
}

func (v VersionInfo) productID() string { return fmt.Sprintf("CSAFPID-%d", v.ID) }

// Revision is one entry of the revision history.
type Revision struct {
	Number  int
	Date    time.Time
	Summary string
}

// DocInput is everything a CSAF document is made of.
type DocInput struct {
	Advisory  domain.ExchangeAdvisory
	Publisher string // organisation name
	Namespace string // publisher namespace (the instance's URL)
	SelfURL   string // where the document will be published
	Versions  map[int64]VersionInfo
	History   []Revision // oldest first, the new revision last
	Now       time.Time
}

// BuildCSAF writes an advisory as a CSAF 2.0 security advisory (profile csaf_security_advisory).
func BuildCSAF(in DocInput) ([]byte, error) {
	a := in.Advisory
	if len(in.History) == 0 {
		return nil, fmt.Errorf("build CSAF %s: no revision", a.TrackingID)
	}
	last := in.History[len(in.History)-1]
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	var hist []map[string]any
	for _, r := range in.History {
		hist = append(hist, map[string]any{"number": fmt.Sprint(r.Number), "date": ts(r.Date), "summary": r.Summary})
	}
	notes := []map[string]any{{"category": "summary", "title": "Summary", "text": a.Summary}}
	if a.Details != "" {
		notes = append(notes, map[string]any{"category": "details", "title": "Details", "text": a.Details})
	}
	notes = append(notes, map[string]any{"category": "legal_disclaimer", "title": "Terms of use",
		"text": "This advisory is provided by " + in.Publisher + " to operators of its products."})
	doc := map[string]any{
		"category":     "csaf_security_advisory",
		"csaf_version": "2.0",
		"lang":         "en",
		"title":        a.Title,
		"publisher":    map[string]any{"category": "vendor", "name": in.Publisher, "namespace": in.Namespace},
		"distribution": map[string]any{"tlp": map[string]any{"label": a.TLP, "url": "https://www.first.org/tlp/"}},
		"notes":        notes,
		"tracking": map[string]any{
			"id": a.TrackingID, "status": "final", "version": fmt.Sprint(last.Number),
			"initial_release_date": ts(in.History[0].Date), "current_release_date": ts(last.Date),
			"revision_history": hist,
			"generator":        map[string]any{"engine": map[string]any{"name": "Vigil", "version": buildinfo.Version()}, "date": ts(in.Now)},
		},
	}
	if in.SelfURL != "" {
		doc["references"] = []map[string]any{{"category": "self", "summary": "This advisory (CSAF)", "url": in.SelfURL}}
	}

	// Product tree: vendor → product name → product version.
	type prodBranch struct {
		name     string
		versions []map[string]any
	}
	type vendBranch struct {
		name     string
		products []*prodBranch
	}
	var vendors []*vendBranch
	add := func(v VersionInfo) {
		var vb *vendBranch
		for _, x := range vendors {
			if x.name == v.Vendor {
				vb = x
			}
		}
		if vb == nil {
			vb = &vendBranch{name: v.Vendor}
			vendors = append(vendors, vb)
		}
		var pb *prodBranch
		for _, x := range vb.products {
			if x.name == v.Product {
				pb = x
			}
		}
		if pb == nil {
			pb = &prodBranch{name: v.Product}
			vb.products = append(vb.products, pb)
		}
		product := map[string]any{"name": strings.TrimSpace(v.Vendor + " " + v.Product + " " + v.Version), "product_id": v.productID()}
		if v.ModelNumber != "" {
			product["product_identification_helper"] = map[string]any{"model_numbers": []string{v.ModelNumber}}
		}
		pb.versions = append(pb.versions, map[string]any{"category": "product_version", "name": v.Version, "product": product})
	}
	ids := func(list []int64) []string {
		out := []string{}
		for _, id := range list {
			if v, ok := in.Versions[id]; ok {
				out = append(out, v.productID())
			}
		}
		return out
	}
	for _, list := range [][]int64{a.Affected, a.Fixed} {
		for _, id := range list {
			v, ok := in.Versions[id]
			if !ok {
				return nil, domain.Invalid("affected_version_ids", "product version %d is not in the catalogue", id)
			}
			add(v)
		}
	}
	var branches []map[string]any
	for _, vb := range vendors {
		var ps []map[string]any
		for _, pb := range vb.products {
			ps = append(ps, map[string]any{"category": "product_name", "name": pb.name, "branches": pb.versions})
		}
		branches = append(branches, map[string]any{"category": "vendor", "name": vb.name, "branches": ps})
	}
	doc2 := map[string]any{"document": doc, "product_tree": map[string]any{"branches": branches}}

	affected, fixed := ids(a.Affected), ids(a.Fixed)
	status := map[string]any{"known_affected": affected}
	if len(fixed) > 0 {
		status["fixed"] = fixed
	}
	rems := []map[string]any{}
	r := map[string]any{"category": a.RemediationCategory, "details": a.Remediation, "product_ids": affected}
	if a.RemediationURL != "" {
		r["url"] = a.RemediationURL
	}
	rems = append(rems, r)
	if a.Workaround != "" && a.RemediationCategory != "workaround" {
		rems = append(rems, map[string]any{"category": "workaround", "details": a.Workaround, "product_ids": affected})
	}
	vuln := func(cve string) map[string]any {
		v := map[string]any{
			"notes":          []map[string]any{{"category": "summary", "title": "Summary", "text": a.Summary}},
			"product_status": status,
			"remediations":   rems,
		}
		if cve != "" {
			v["cve"] = cve
		} else {
			v["ids"] = []map[string]any{{"system_name": in.Publisher, "text": a.TrackingID}}
		}
		if a.CWE != "" {
			id, name, _ := strings.Cut(a.CWE, " ")
			if name == "" {
				name = id
			}
			v["cwe"] = map[string]any{"id": id, "name": name}
		}
		if a.CVSSVector != "" {
			score, sev, err := CVSS(a.CVSSVector)
			if err == nil {
				vec := a.CVSSVector
				ver := "3.1"
				if strings.HasPrefix(vec, "CVSS:3.0/") {
					ver = "3.0"
				}
				v["scores"] = []map[string]any{{"products": affected, "cvss_v3": map[string]any{"version": ver, "vectorString": vec,
					"baseScore": score, "baseSeverity": sev}}}
			}
		}
		if !a.InitialRelease.IsZero() {
			v["release_date"] = ts(a.InitialRelease)
		} else {
			v["release_date"] = ts(in.History[0].Date)
		}
		return v
	}
	var vulns []map[string]any
	if len(a.CVEs) == 0 {
		vulns = append(vulns, vuln(""))
	}
	for _, c := range a.CVEs {
		vulns = append(vulns, vuln(c))
	}
	doc2["vulnerabilities"] = vulns
	b, err := json.MarshalIndent(doc2, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
