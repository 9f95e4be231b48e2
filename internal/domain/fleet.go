package domain

import (
	"slices"
	"strings"
	"time"
)

// Finding is one vulnerability on one component (or, from a CSAF product status or a product-level
// VEX statement, on the product itself) of one product version, as the fleet matching stored it,
// with the hospital's triage. Every installed asset of the product version inherits it.
type Finding struct {
	ID               int64    `json:"id"`
	OrgID            int64    `json:"org_id"`
	ProductVersionID int64    `json:"product_version_id"`
	ComponentKey     string   `json:"component_key,omitempty" doc:"package URL, else CPE, else name@version; empty for a product-level finding"`
	ComponentID      int64    `json:"component_id,omitzero" doc:"SBOM component of the last match; 0 for a product-level finding"`
	VulnID           string   `json:"vuln_id" doc:"canonical id (oldest CVE, else GHSA, GO, …)"`
	Aliases          []string `json:"aliases,omitempty"`
	ComponentName    string   `json:"component_name,omitempty"`
	ComponentVersion string   `json:"component_version,omitempty"`
	ComponentPURL    string   `json:"component_purl,omitempty"`
	ComponentCPE     string   `json:"component_cpe,omitempty"`
	RecordID         string   `json:"record_id,omitempty" doc:"the source record or advisory that matched"`
	Source           string   `json:"source" doc:"OSV, NVD, CSAF or VEX"`
	Matcher          string   `json:"matcher" doc:"osv-range, nvd-cpe, csaf-product-status or vex-affected"`
	Reason           string   `json:"reason" doc:"why it matched, in a sentence"`
	OtherReasons     []string `json:"other_reasons,omitempty"`
	Confidence       float64  `json:"confidence" doc:"1 for a match on identifiers as given; lower for lenient matches"`
	Guessed          bool     `json:"guessed,omitempty" doc:"matched on an identifier Vigil inferred (a CPE guessed from a name)"`
	Severity         string   `json:"severity"`
	SeverityRank     int      `json:"-"`
	CVSSScore        float64  `json:"cvss_score,omitzero"`
	CVSSVectors      []string `json:"cvss_vectors,omitempty"`
	FixedVersion     string   `json:"fixed_version,omitempty"`
	Remediation      string   `json:"remediation,omitempty"`
	MatchStatus      string   `json:"match_status" doc:"after VEX: affected, under_investigation, not_affected or fixed"`
	Active           bool     `json:"active" doc:"false when a VEX statement says not_affected or fixed"`
	VEXOrigin        string   `json:"vex_origin,omitempty" doc:"manufacturer or hospital: whose statement decided match_status"`
	VEXStatementID   int64    `json:"vex_statement_id,omitzero"`
	VEXSource        string   `json:"vex_source,omitempty"`
	VEXJustification string   `json:"vex_justification,omitempty"`
	Digest           string   `json:"-"`
	// Triage.
	State         string     `json:"state"`
	Justification string     `json:"justification,omitempty" doc:"VEX justification of not_affected"`
	Owner         string     `json:"owner,omitempty" doc:"who accepted the risk"`
	Expires       *time.Time `json:"expires,omitempty" doc:"when an accepted risk is reviewed"`
	StateChanged  *time.Time `json:"state_changed,omitempty"`
	StateBy       string     `json:"state_by,omitempty"`
	FirstSeen     time.Time  `json:"first_seen"`
	LastSeen      time.Time  `json:"last_seen"`
	Gone          *time.Time `json:"gone,omitempty" doc:"no longer matched since"`
	// Read-only context.
	Manufacturer   string   `json:"manufacturer,omitempty"`
	Product        string   `json:"product,omitempty"`
	ProductID      int64    `json:"product_id,omitzero"`
	Version        string   `json:"version,omitempty"`
	Installed      int      `json:"installed" doc:"assets of the product version"`
	Summary        string   `json:"summary,omitempty"`
	CISAKEV        bool     `json:"cisa_kev"`
	EUKEV          bool     `json:"eu_kev"`
	EPSSScore      *float64 `json:"epss_score,omitempty"`
	EPSSPercentile *float64 `json:"epss_percentile,omitempty"`
}

// Component returns the finding's component as people read it: "name version", else the purl or
// CPE; "" for a product-level finding.
func (f Finding) Component() string {
	switch {
	case f.ComponentName != "" && f.ComponentVersion != "":
		return f.ComponentName + " " + f.ComponentVersion
	case f.ComponentName != "":
		return f.ComponentName
	case f.ComponentPURL != "":
		return f.ComponentPURL
	}
	return f.ComponentCPE
}

// Open reports whether the finding still counts: matched, active after VEX, and not triaged as
// not_affected or fixed.
func (f Finding) Open() bool {
	return f.Gone == nil && f.Active && f.State != FindingNotAffected && f.State != FindingFixed
}

// FindingFilter selects findings.
type FindingFilter struct {
	ListParams
	ProductVersionID int64
	ProductID        int64
	ManufacturerID   int64
	AssetID          int64 // the findings of the asset's product version
	DepartmentID     int64 // findings of product versions installed in the department
	VulnID           string
	States           []string
	Severity         string // minimum severity: low, medium, high, critical
	KEV              bool   // CISA or EU KEV
	MinEPSS          float64
	All              bool // include suppressed (VEX not_affected/fixed) and gone findings
}

// FindingEvent is one entry of a finding's triage history (append-only).
type FindingEvent struct {
	ID            int64      `json:"id"`
	FindingID     int64      `json:"finding_id"`
	At            time.Time  `json:"at"`
	Actor         string     `json:"actor"`
	Kind          string     `json:"kind" doc:"state or comment"`
	FromState     string     `json:"from_state,omitempty"`
	ToState       string     `json:"to_state,omitempty"`
	Justification string     `json:"justification,omitempty"`
	Owner         string     `json:"owner,omitempty"`
	Expires       *time.Time `json:"expires,omitempty"`
	Comment       string     `json:"comment,omitempty"`
}

// VEXJustifications are the justifications of a not_affected statement (OpenVEX / CSAF flags).
var VEXJustifications = []string{"component_not_present", "vulnerable_code_not_present", "vulnerable_code_not_in_execute_path",
	"vulnerable_code_cannot_be_controlled_by_adversary", "inline_mitigations_already_exist"}

// Triage is a change of a finding's state (or only a comment when State is empty).
type Triage struct {
	State         string     `json:"state,omitempty" doc:"new, in_triage, exploitable, not_affected, mitigated, fixed or risk_accepted; empty to only comment"`
	Justification string     `json:"justification,omitempty" doc:"required for not_affected: component_not_present, vulnerable_code_not_present, vulnerable_code_not_in_execute_path, vulnerable_code_cannot_be_controlled_by_adversary or inline_mitigations_already_exist"`
	Owner         string     `json:"owner,omitempty" doc:"required for risk_accepted"`
	Expires       *time.Time `json:"expires,omitempty" doc:"required for risk_accepted: a future date"`
	Comment       string     `json:"comment,omitempty"`
}

// Validate checks a triage change against the rules of the target state.
func (t *Triage) Validate(now time.Time) error {
	t.State, t.Justification, t.Owner, t.Comment = strings.TrimSpace(t.State), strings.TrimSpace(t.Justification), strings.TrimSpace(t.Owner), strings.TrimSpace(t.Comment)
	if len(t.Comment) > 10000 {
		return Invalid("comment", "keep the comment under 10,000 characters")
	}
	if t.State == "" {
		if t.Comment == "" {
			return Invalid("state", "give a new state or a comment")
		}
		return nil
	}
	if !slices.Contains(FindingStates(), t.State) {
		return Invalid("state", "choose one of %s", strings.Join(FindingStates(), ", "))
	}
	if t.State == FindingNotAffected {
		if !slices.Contains(VEXJustifications, t.Justification) {
			return Invalid("justification", "not affected needs a VEX justification: one of %s", strings.Join(VEXJustifications, ", "))
		}
	} else {
		t.Justification = ""
	}
	if t.State == FindingRiskAccepted {
		if t.Owner == "" {
			return Invalid("owner", "an accepted risk needs an owner")
		}
		if len(t.Owner) > 200 {
			return Invalid("owner", "keep the owner under 200 characters")
		}
		if t.Expires == nil || !t.Expires.After(now) {
			return Invalid("expires", "an accepted risk needs an expiry date in the future")
		}
	} else {
		t.Owner, t.Expires = "", nil
	}
	return nil
}

// FleetMatchState is an organisation's matching progress.
type FleetMatchState struct {
	FeedGeneration int64      `json:"feed_generation"`
	LastFull       *time.Time `json:"last_full,omitempty"`
	LastRun        *time.Time `json:"last_run,omitempty"`
	Findings       int        `json:"findings"`
}
