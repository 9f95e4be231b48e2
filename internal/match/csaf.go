package match

import (
	"strings"

	"github.com/vigil-med/vigil/internal/vex"
	"github.com/vigil-med/vigil/internal/vuln"
)

// ProductStatus is one entry of a manufacturer's CSAF advisory, mapped by the caller to a product
// version: this covers devices without an SBOM.
type ProductStatus struct {
	ProductVersion string
	VulnID         string // CVE (or other) id as the advisory gives it
	// Status is the CSAF product_status category: known_affected, first_affected, last_affected,
	// under_investigation, fixed, first_fixed, known_not_affected or recommended.
	Status      string
	AdvisoryID  string // CSAF document tracking id (ICSMA-22-174-01)
	Remediation string // remediation text for the product, when given
}

// MatchProductStatus turns CSAF product status into product-level findings: known_affected,
// first_affected and last_affected give an affected finding, under_investigation one with Status
// UnderInvestigation; fixed, first_fixed, known_not_affected and recommended give none (see
// ProductStatusStatements to apply those to SBOM findings). One finding per product version and
// vulnerability; further advisories saying the same add their reason to OtherReasons. A
// vulnerability the index does not know is represented by its id alone.
func (idx *Index) MatchProductStatus(statuses []ProductStatus) []Finding {
	var out []Finding
	seen := map[[2]string]int{}
	for _, s := range statuses {
		status := vex.Affected
		switch strings.ToLower(s.Status) {
		case "known_affected", "first_affected", "last_affected":
		case "under_investigation":
			status = vex.UnderInvestigation
		default:
			continue
		}
		v, ok := idx.Vulnerability(s.VulnID)
		if !ok {
			v = &vuln.Vulnerability{ID: s.VulnID}
		}
		reason := "CSAF advisory " + s.AdvisoryID + " lists product version " + s.ProductVersion + " as " + strings.ToLower(s.Status) + " for " + s.VulnID
		if s.Remediation != "" {
			reason += "; remediation: " + s.Remediation
		}
		k := [2]string{s.ProductVersion, v.ID}
		if i, ok := seen[k]; ok {
			f := &out[i]
			f.OtherReasons = append(f.OtherReasons, reason)
			if status == vex.Affected && f.Status == vex.UnderInvestigation {
				f.Status, f.Reason, f.RecordID, f.Remediation = status, reason, s.AdvisoryID, s.Remediation
			}
			continue
		}
		seen[k] = len(out)
		out = append(out, Finding{ProductVersion: s.ProductVersion, Component: -1, VulnID: v.ID, Vulnerability: v,
			RecordID: s.AdvisoryID, Source: "CSAF", Matcher: MatcherCSAF, Reason: reason, Remediation: s.Remediation,
			Confidence: 1, Status: status})
	}
	return out
}

// ProductStatusStatements turns the fixed, first_fixed and known_not_affected entries into
// product-level manufacturer VEX statements for ApplyVEX, so that a vendor advisory also clears
// SBOM-derived findings of the product version it names.
func ProductStatusStatements(statuses []ProductStatus) []Statement {
	var out []Statement
	for _, s := range statuses {
		var st vex.Status
		switch strings.ToLower(s.Status) {
		case "fixed", "first_fixed":
			st = vex.Fixed
		case "known_not_affected":
			st = vex.NotAffected
		default:
			continue
		}
		out = append(out, Statement{Statement: vex.Statement{Vulnerability: s.VulnID, Status: st, ActionStatement: s.Remediation,
			Source: s.AdvisoryID, SourceFormat: "csaf"}, Origin: Manufacturer, ProductVersion: s.ProductVersion})
	}
	return out
}
