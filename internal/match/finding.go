package match

import (
	"github.com/vigil-med/vigil/internal/vex"
	"github.com/vigil-med/vigil/internal/vuln"
)

// Status is the state of a finding after VEX: Affected and UnderInvestigation findings are active,
// NotAffected and Fixed ones are suppressed (kept so that views can show why).
type Status = vex.Status

// Matcher names, as they appear in Finding.Matcher.
const (
	MatcherOSV  = "osv-range"
	MatcherNVD  = "nvd-cpe"
	MatcherCSAF = "csaf-product-status"
	MatcherVEX  = "vex-affected"
)

// Package identifies the component a finding is about; all fields empty for product-level
// findings (CSAF product status, product-level VEX).
type Package struct {
	Ref     string // sbom.Component.Ref
	Name    string
	Version string
	PURL    string
	CPE     string
}

// Finding says that a component of a product version (or the product version as a whole) is
// affected by a vulnerability, and why.
type Finding struct {
	ProductVersion string // Target.ProductVersion; "" in a stand-alone scan
	Component      int    // index into Target.Components; -1 for the subject or a product-level finding
	Package        Package
	VulnID         string              // canonical id of the vulnerability (a CVE id when known)
	Vulnerability  *vuln.Vulnerability // the merged vulnerability; shared with the index: do not modify
	RecordID       string              // the source record that matched: GO-2023-2102, CVE-2021-44228, an advisory id
	Source         string              // "OSV", "NVD", "CSAF" or "VEX"
	Matcher        string              // MatcherOSV, MatcherNVD, MatcherCSAF or MatcherVEX
	Reason         string              // human-readable explanation
	OtherReasons   []string            // further matches of the same component and vulnerability
	FixedVersions  []string            // versions that fix it, nearest first; empty when unknown
	Remediation    string              // CSAF remediation text, when given
	// Guessed marks a match on an identifier Vigil inferred rather than one the SBOM gives (a CPE
	// guessed from a name); no matcher of this package guesses, so it is false for now.
	Guessed bool
	// Confidence is 1 for matches on identifiers as given; 0.8 for a CPE match that relied on
	// attributes the component's CPE leaves ANY (update, edition, …) while the criterion names them,
	// and for an OSV match of a Go module path the purl writes in lower case (see FoldKey).
	Confidence float64
	Status     Status       // Affected unless VEX or CSAF says otherwise
	VEX        *VEXDecision // the VEX statement that decided Status; nil when none applied
}

// Active reports whether the finding still counts: not suppressed by a not_affected or fixed
// statement.
func (f *Finding) Active() bool { return f.Status != vex.NotAffected && f.Status != vex.Fixed }

// Active returns the active findings of fs (a new slice; fs is not modified).
func Active(fs []Finding) []Finding {
	out := make([]Finding, 0, len(fs))
	for i := range fs {
		if fs[i].Active() {
			out = append(out, fs[i])
		}
	}
	return out
}
