package domain

// Finding states of the hospital's triage (issue 4). A finding is one vulnerability on one
// component (or, from a CSAF product status, on the product itself) of one product version; every
// installed asset of that product version inherits it.
const (
	FindingNew          = "new"
	FindingInTriage     = "in_triage"
	FindingExploitable  = "exploitable"
	FindingNotAffected  = "not_affected"  // needs a VEX justification
	FindingMitigated    = "mitigated"     // compensating measures in place
	FindingFixed        = "fixed"         // patched or updated
	FindingRiskAccepted = "risk_accepted" // needs an expiry date and an owner
)

// FindingStates lists the triage states in workflow order.
func FindingStates() []string {
	return []string{FindingNew, FindingInTriage, FindingExploitable, FindingNotAffected, FindingMitigated, FindingFixed, FindingRiskAccepted}
}

// FindingFacts is what the risk module needs of one finding: the contract between the fleet
// matching engine (which writes findings) and risk scoring (which reads them). It holds only
// findings still open: not suppressed by VEX and not in state not_affected or fixed. Only what
// scoring reads: at the scale (~800,000 open findings) every field costs the risk pages time
// and memory on each view; what a finding says (reason, component, fixed version) is on its own page.
type FindingFacts struct {
	FindingID        int64
	ProductVersionID int64
	VulnID           string   // canonical id (oldest CVE, else GHSA, GO, …)
	CVSSVectors      []string // every known vector (v2, v3.x, v4.0); risk picks the newest valid one
	EPSS             float64  // probability 0–1; 0 when unknown
	EPSSPercentile   float64  // 0–1
	CISAKEV          bool
	EUKEV            bool
	State            string // one of FindingStates
}
