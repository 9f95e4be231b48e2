package domain

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/lazyre"
)

// Exchange: what a manufacturer publishes and what a hospital receives (see internal/exchange).

// TLP labels of CSAF 2.0 (TLP 1.0; TLP 2.0's CLEAR is read as WHITE).
var TLPLabels = []string{"WHITE", "GREEN", "AMBER", "RED"}

// NormalizeTLP returns the CSAF label of a TLP name ("clear", "TLP:WHITE" …) or an error naming field.
func NormalizeTLP(field, s string) (string, error) {
	l := strings.ToUpper(strings.TrimSpace(strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "TLP:")))
	switch l {
	case "", "CLEAR":
		l = "WHITE"
	case "AMBER+STRICT":
		l = "AMBER"
	}
	if !slices.Contains(TLPLabels, l) {
		return "", Invalid(field, "unknown TLP label %q (allowed: WHITE/CLEAR, GREEN, AMBER, RED)", s)
	}
	return l, nil
}

// TLPRank orders the labels: WHITE 0 < GREEN 1 < AMBER 2 < RED 3 (-1 for unknown).
func TLPRank(l string) int { return slices.Index(TLPLabels, l) }

// Remediation categories of CSAF 2.0 that the advisory editor offers.
var RemediationCategories = []string{"vendor_fix", "mitigation", "workaround", "none_available", "no_fix_planned"}

// ExchangeAdvisory is a security advisory a manufacturer writes in Vigil and publishes as CSAF 2.0.
type ExchangeAdvisory struct {
	ID                  int64     `json:"id,omitzero" doc:"read-only"`
	TrackingID          string    `json:"tracking_id" doc:"e.g. MMS-SA-2026-001; unique in the organisation"`
	Title               string    `json:"title"`
	Status              string    `json:"status" doc:"read-only: draft or published"`
	TLP                 string    `json:"tlp" doc:"WHITE (or CLEAR), GREEN, AMBER or RED; only WHITE is public"`
	CVEs                []string  `json:"cves"`
	CWE                 string    `json:"cwe,omitempty" doc:"e.g. CWE-798"`
	CVSSVector          string    `json:"cvss_vector,omitempty" doc:"CVSS 3.1 vector; the score is computed"`
	CVSSScore           float64   `json:"cvss_score,omitzero" doc:"read-only"`
	Severity            string    `json:"severity,omitempty" doc:"read-only"`
	Summary             string    `json:"summary"`
	Details             string    `json:"details,omitempty"`
	RemediationCategory string    `json:"remediation_category" doc:"vendor_fix, mitigation, workaround, none_available or no_fix_planned"`
	Remediation         string    `json:"remediation"`
	RemediationURL      string    `json:"remediation_url,omitempty"`
	Workaround          string    `json:"workaround,omitempty"`
	Affected            []int64   `json:"affected_version_ids" doc:"product versions of the organisation that are affected"`
	Fixed               []int64   `json:"fixed_version_ids,omitempty" doc:"product versions that fix it"`
	Revision            int       `json:"revision" doc:"read-only: published versions so far"`
	InitialRelease      time.Time `json:"initial_release,omitzero" doc:"read-only"`
	CurrentRelease      time.Time `json:"current_release,omitzero" doc:"read-only"`
	Created             time.Time `json:"created,omitzero" doc:"read-only"`
	Updated             time.Time `json:"updated,omitzero" doc:"read-only"`
	CreatedBy           string    `json:"created_by,omitempty" doc:"read-only"`
	// Changed is true when the advisory was edited after its last publication.
	Changed bool `json:"changed" doc:"read-only: edited since the last publication"`
}

var (
	trackingRE = lazyre.New(`^[A-Za-z0-9][A-Za-z0-9._-]{1,99}$`)
	cveRE      = lazyre.New(`^CVE-\d{4}-\d{4,}$`)
	cweRE      = lazyre.New(`^CWE-[1-9]\d{0,5}$`)
)

// Validate checks and normalises what an editor may set.
func (a *ExchangeAdvisory) Validate() error {
	a.TrackingID, a.Title = strings.TrimSpace(a.TrackingID), strings.TrimSpace(a.Title)
	if !trackingRE.MatchString(a.TrackingID) {
		return Invalid("tracking_id", "must be 2–100 letters, digits, dots, dashes or underscores (got %q)", a.TrackingID)
	}
	if a.Title == "" || len(a.Title) > 500 {
		return Invalid("title", "is required (at most 500 characters)")
	}
	tlp, err := NormalizeTLP("tlp", a.TLP)
	if err != nil {
		return err
	}
	a.TLP = tlp
	var cves []string
	for _, c := range a.CVEs {
		for _, f := range strings.FieldsFunc(c, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == ';' }) {
			f = strings.ToUpper(f)
			if !cveRE.MatchString(f) {
				return Invalid("cves", "%q is not a CVE id (CVE-YYYY-NNNN)", f)
			}
			if !slices.Contains(cves, f) {
				cves = append(cves, f)
			}
		}
	}
	a.CVEs = cves
	if len(a.CVEs) > 50 {
		return Invalid("cves", "at most 50 CVEs per advisory")
	}
	a.CWE = strings.TrimSpace(a.CWE)
	if id, name, _ := strings.Cut(a.CWE, " "); a.CWE != "" {
		if !cweRE.MatchString(strings.ToUpper(id)) {
			return Invalid("cwe", "%q is not a CWE id (CWE-NNN, optionally followed by its name)", a.CWE)
		}
		a.CWE = strings.TrimSpace(strings.ToUpper(id) + " " + strings.TrimSpace(name))
	}
	a.Summary = strings.TrimSpace(a.Summary)
	if a.Summary == "" {
		return Invalid("summary", "is required: what is the vulnerability and what can an attacker do")
	}
	if a.RemediationCategory == "" {
		a.RemediationCategory = "vendor_fix"
	}
	if !slices.Contains(RemediationCategories, a.RemediationCategory) {
		return Invalid("remediation_category", "unknown category %q (allowed: %v)", a.RemediationCategory, RemediationCategories)
	}
	a.Remediation = strings.TrimSpace(a.Remediation)
	if a.Remediation == "" {
		return Invalid("remediation", "is required: what operators must do")
	}
	if a.RemediationURL != "" {
		if u, err := url.Parse(a.RemediationURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return Invalid("remediation_url", "must be an http(s) URL")
		}
	}
	for _, lim := range []struct {
		field, v string
	}{{"summary", a.Summary}, {"details", a.Details}, {"remediation", a.Remediation}, {"workaround", a.Workaround}} {
		if len(lim.v) > 20000 {
			return Invalid(lim.field, "is longer than 20000 characters")
		}
	}
	if len(a.Affected) == 0 {
		return Invalid("affected_version_ids", "name at least one affected product version")
	}
	for _, f := range a.Fixed {
		if slices.Contains(a.Affected, f) {
			return Invalid("fixed_version_ids", "version %d is listed both as affected and as fixed", f)
		}
	}
	return nil
}

// ExchangePublication is one published file: a CSAF advisory version, or a product version's VEX or SBOM.
type ExchangePublication struct {
	ID               int64     `json:"id"`
	Kind             string    `json:"kind" doc:"csaf, openvex, cyclonedx-vex or sbom"`
	AdvisoryID       int64     `json:"advisory_id,omitzero"`
	ProductVersionID int64     `json:"product_version_id,omitzero"`
	Version          int       `json:"version"`
	TLP              string    `json:"tlp"`
	FileName         string    `json:"file_name"`
	MediaType        string    `json:"media_type"`
	SHA256           string    `json:"sha256"`
	SHA512           string    `json:"sha512"`
	Published        time.Time `json:"published"`
	PublishedBy      string    `json:"published_by,omitempty"`
	Data             []byte    `json:"-"`
	Signature        []byte    `json:"-"`
}

// Publication kinds.
const (
	PubCSAF         = "csaf"
	PubOpenVEX      = "openvex"
	PubCycloneDXVEX = "cyclonedx-vex"
	PubSBOM         = "sbom"
)

// SubscriberToken lets a subscriber read TLP:GREEN (and AMBER) documents of a manufacturer's provider.
type SubscriberToken struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name" doc:"who holds it, e.g. the hospital"`
	TLPMax    string     `json:"tlp_max" doc:"GREEN or AMBER"`
	Prefix    string     `json:"prefix"`
	Hash      string     `json:"-"`
	Created   time.Time  `json:"created"`
	Expires   *time.Time `json:"expires,omitempty"`
	LastUsed  *time.Time `json:"last_used,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// GuidanceTopics are the topics of operator security guidance.
var GuidanceTopics = []string{"requirements", "hardening", "ports", "backup", "other"}

// GuidanceTopicLabel names a topic for people.
func GuidanceTopicLabel(t string) string {
	switch t {
	case "requirements":
		return "Minimum IT requirements"
	case "hardening":
		return "Hardening"
	case "ports":
		return "Ports and services"
	case "backup":
		return "Backup and recovery"
	}
	return "Other guidance"
}

// Guidance is operator security guidance for one product version and topic.
type Guidance struct {
	ID               int64     `json:"id,omitzero" doc:"read-only"`
	ProductVersionID int64     `json:"product_version_id"`
	Topic            string    `json:"topic" doc:"requirements, hardening, ports, backup or other"`
	Body             string    `json:"body"`
	Updated          time.Time `json:"updated,omitzero" doc:"read-only"`
	UpdatedBy        string    `json:"updated_by,omitempty" doc:"read-only"`
}

// Validate checks the guidance.
func (g *Guidance) Validate() error {
	if !slices.Contains(GuidanceTopics, g.Topic) {
		return Invalid("topic", "unknown topic %q (allowed: %v)", g.Topic, GuidanceTopics)
	}
	g.Body = strings.TrimSpace(g.Body)
	if g.Body == "" || len(g.Body) > 20000 {
		return Invalid("body", "is required (at most 20000 characters)")
	}
	if g.ProductVersionID <= 0 {
		return Invalid("product_version_id", "is required")
	}
	return nil
}

// Subscription kinds.
const (
	SubscriptionVigil = "vigil" // another Vigil instance's provider
	SubscriptionCSAF  = "csaf"  // any CSAF trusted provider
)

// Subscription is a hospital's subscription to a manufacturer's provider.
type Subscription struct {
	ID             int64      `json:"id"`
	Name           string     `json:"name"`
	URL            string     `json:"url" doc:"the provider's domain, origin or provider-metadata.json URL"`
	Kind           string     `json:"kind" doc:"vigil or csaf"`
	KeyFingerprint string     `json:"key_fingerprint,omitempty" doc:"pinned OpenPGP key; empty: the keys the provider lists"`
	KeyPin         string     `json:"-"`
	Token          string     `json:"-"`
	HasToken       bool       `json:"has_token" doc:"a subscriber token is stored (never returned)"`
	TLP            []string   `json:"tlp" doc:"labels fetched"`
	EveryHours     int        `json:"every_hours" doc:"scheduled sync period; 0: on demand only"`
	Status         string     `json:"status" doc:"new, ok or error"`
	LastSync       *time.Time `json:"last_sync,omitempty"`
	LastSuccess    *time.Time `json:"last_success,omitempty"`
	LastError      string     `json:"last_error,omitempty"`
	LastResult     string     `json:"last_result,omitempty"`
	Documents      int        `json:"documents"`
	Created        time.Time  `json:"created"`
	CreatedBy      string     `json:"created_by,omitempty"`
}

// Due reports whether a scheduled sync is due at now.
func (s Subscription) Due(now time.Time) bool {
	if s.EveryHours <= 0 {
		return false
	}
	return s.LastSync == nil || !now.Before(s.LastSync.Add(time.Duration(s.EveryHours)*time.Hour))
}

// Question statuses.
const (
	QuestionOpen     = "open"
	QuestionAnswered = "answered"
	QuestionClosed   = "closed"
)

// Question is a hospital's question to a manufacturer about a vulnerability and a product version.
type Question struct {
	ID               int64      `json:"id"`
	Manufacturer     string     `json:"manufacturer"`
	SubscriptionID   int64      `json:"subscription_id,omitzero"`
	ProductVersionID int64      `json:"product_version_id,omitzero"`
	Product          string     `json:"product,omitempty" doc:"read-only: the version's product and version"`
	Vulnerability    string     `json:"vulnerability,omitempty" doc:"e.g. CVE-2024-3400"`
	Question         string     `json:"question"`
	Status           string     `json:"status"`
	Asked            time.Time  `json:"asked"`
	AskedBy          string     `json:"asked_by,omitempty"`
	Answer           string     `json:"answer,omitempty"`
	AnswerStatus     string     `json:"answer_status,omitempty" doc:"not_affected, affected, fixed or under_investigation"`
	Justification    string     `json:"justification,omitempty"`
	AnsweredAt       *time.Time `json:"answered_at,omitempty"`
	AnsweredBy       string     `json:"answered_by,omitempty"`
	VEXStatementID   int64      `json:"vex_statement_id,omitzero"`
}

// Validate checks a new question.
func (q *Question) Validate() error {
	q.Manufacturer, q.Question = strings.TrimSpace(q.Manufacturer), strings.TrimSpace(q.Question)
	q.Vulnerability = strings.ToUpper(strings.TrimSpace(q.Vulnerability))
	if q.Manufacturer == "" {
		return Invalid("manufacturer", "is required")
	}
	if q.Question == "" || len(q.Question) > 10000 {
		return Invalid("question", "is required (at most 10000 characters)")
	}
	if len(q.Vulnerability) > 100 {
		return Invalid("vulnerability", "is too long")
	}
	return nil
}

// AffectedDevice is an installed device on a product version an advisory names as affected.
type AffectedDevice struct {
	AssetID        int64  `json:"asset_id"`
	AssetTag       string `json:"asset_tag,omitempty"`
	Serial         string `json:"serial,omitempty"`
	Owner          string `json:"owner,omitempty"`
	Department     string `json:"department,omitempty"`
	Product        string `json:"product"`
	Version        string `json:"version"`
	Vulnerability  string `json:"vulnerability"`
	Remediation    string `json:"remediation,omitempty"`
	AdvisoryID     int64  `json:"advisory_id"`
	TrackingID     string `json:"tracking_id"`
	AdvisoryTitle  string `json:"advisory_title"`
	ProductVersion int64  `json:"product_version_id"`
}

// Share is an organisation's consent to let a group or authority see its aggregate figures.
type Share struct {
	ID          int64     `json:"id"`
	OrgID       int64     `json:"org_id"`
	TargetOrgID int64     `json:"target_org_id"`
	Target      string    `json:"target,omitempty"`
	Created     time.Time `json:"created"`
}

// AggregateMinOrgs is the smallest number of organisations an aggregate figure is shown for (k-anonymity).
const AggregateMinOrgs = 3

// Aggregate are the figures a group or authority sees across the organisations sharing with it. When
// fewer than AggregateMinOrgs organisations share, Suppressed is true and every figure is zero.
type Aggregate struct {
	Organisations      int      `json:"organisations" doc:"sharing organisations (0 when suppressed)"`
	Suppressed         bool     `json:"suppressed" doc:"fewer than the minimum organisations share: no figures"`
	MinOrganisations   int      `json:"min_organisations"`
	Devices            int      `json:"devices"`
	PastEndOfSupport   int      `json:"past_end_of_support"`
	PastEndOfSupportPc float64  `json:"past_end_of_support_percent"`
	KEVExposed         int      `json:"kev_exposed" doc:"devices on versions with a known exploited vulnerability"`
	KEVExposedPc       float64  `json:"kev_exposed_percent"`
	RemediationDays    *float64 `json:"median_days_to_remediate,omitempty" doc:"median days from advisory to fixed version, where known"`
	RemediationSamples int      `json:"remediation_samples"`
}

// String describes a subscription for logs.
func (s Subscription) String() string { return fmt.Sprintf("subscription %d (%s)", s.ID, s.URL) }
