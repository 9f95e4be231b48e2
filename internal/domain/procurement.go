package domain

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Tender statuses.
const (
	TenderDraft      = "draft"      // being prepared
	TenderOpen       = "open"       // published, offers coming in
	TenderEvaluation = "evaluation" // offers being evaluated
	TenderAwarded    = "awarded"    // decided; commitments tracked
	TenderCancelled  = "cancelled"
)

// TenderStatuses lists the tender statuses in their usual order.
var TenderStatuses = []string{TenderDraft, TenderOpen, TenderEvaluation, TenderAwarded, TenderCancelled}

// ProcurementCatalogue is one stored version of an organisation's requirement catalogue: a copy of a
// built-in catalogue with the organisation's weights, knock-outs, scale and evidence.
type ProcurementCatalogue struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`     // "default" (devices) or "cloud"
	Version   int       `json:"version"`  // 1, 2, … per organisation and name
	BasedOn   string    `json:"based_on"` // version of the built-in catalogue it was copied from
	Note      string    `json:"note"`     // what changed
	Created   time.Time `json:"created"`
	CreatedBy string    `json:"created_by"`
	Data      []byte    `json:"-"` // the catalogue as JSON
}

// Tender is a procurement with cybersecurity requirements.
type Tender struct {
	ID               int64      `json:"id"`
	Reference        string     `json:"reference"` // e.g. "T-2026-014"; unique in the organisation
	Title            string     `json:"title"`
	Subject          string     `json:"subject"` // what is bought
	ClinicalUse      string     `json:"clinical_use"`
	NetworkExposure  string     `json:"network_exposure"` // e.g. "clinical LAN, Wi-Fi", "internet-facing"
	Kind             string     `json:"kind"`             // "device" or "cloud"
	Deadline         *time.Time `json:"deadline"`
	Status           string     `json:"status"`
	Catalogue        string     `json:"catalogue"`         // catalogue name the criteria came from
	CatalogueVersion int        `json:"catalogue_version"` // organisation catalogue version (0: built-in)
	Criteria         []string   `json:"criteria"`          // chosen criterion ids
	WinnerBidID      *int64     `json:"winner_bid_id"`
	AwardedAt        *time.Time `json:"awarded_at"`
	AwardRationale   string     `json:"award_rationale"`
	Bids             int        `json:"bids"`
	Created          time.Time  `json:"created"`
	Updated          time.Time  `json:"updated"`
	// CriteriaData is the snapshot of the chosen criteria (a catalogue as JSON) the tender is evaluated with.
	CriteriaData []byte `json:"-"`
}

// Validate checks the fields a user sets.
func (t *Tender) Validate() error {
	t.Title = strings.TrimSpace(t.Title)
	t.Reference = strings.TrimSpace(t.Reference)
	if t.Title == "" {
		return Invalid("title", "is required")
	}
	if len(t.Title) > 300 {
		return Invalid("title", "is longer than 300 characters")
	}
	if t.Reference == "" {
		return Invalid("reference", "is required")
	}
	if len(t.Reference) > 60 {
		return Invalid("reference", "is longer than 60 characters")
	}
	if t.Kind == "" {
		t.Kind = "device"
	}
	if t.Kind != "device" && t.Kind != "cloud" {
		return Invalid("kind", "must be device or cloud (got %q)", t.Kind)
	}
	if t.Status == "" {
		t.Status = TenderDraft
	}
	if !slices.Contains(TenderStatuses, t.Status) {
		return Invalid("status", "unknown status %q (allowed: %s)", t.Status, strings.Join(TenderStatuses, ", "))
	}
	for _, f := range []struct{ name, v string }{{"subject", t.Subject}, {"clinical_use", t.ClinicalUse}, {"network_exposure", t.NetworkExposure}} {
		if len(f.v) > 4000 {
			return Invalid(f.name, "is longer than 4000 characters")
		}
	}
	return nil
}

// TenderFilter selects tenders.
type TenderFilter struct {
	ListParams
	Status string
	Kind   string
}

// BidAnswer is a vendor's answer to one criterion in the returned questionnaire (or entered by hand).
type BidAnswer struct {
	Criterion string `json:"criterion"`
	Value     string `json:"value"`              // the answer as written
	Evidence  string `json:"evidence,omitempty"` // the vendor's evidence reference (document, page)
	Comment   string `json:"comment,omitempty"`
	Row       int    `json:"row,omitempty"` // row of the questionnaire sheet it came from (0: entered by hand)
}

// Bid is one vendor's offer in a tender, with its evidence.
type Bid struct {
	ID                int64                `json:"id"`
	TenderID          int64                `json:"tender_id"`
	Vendor            string               `json:"vendor"`
	Product           string               `json:"product"`
	Contact           string               `json:"contact"`
	MDS2Name          string               `json:"mds2_name"`          // file name of the MDS2 form; "" when none
	SBOMName          string               `json:"sbom_name"`          // file name of the SBOM; "" when none
	SBOMSHA256        string               `json:"sbom_sha256"`        //
	QuestionnaireName string               `json:"questionnaire_name"` // file name of the returned questionnaire
	Answers           map[string]BidAnswer `json:"answers"`            // by criterion id
	Cloud             *CloudProfile        `json:"cloud"`              // cloud assessment (cloud tenders)
	Created           time.Time            `json:"created"`
	Updated           time.Time            `json:"updated"`
	// MDS2Data is the MDS2 form in Vigil's JSON export (mds2.WriteJSON); empty when none.
	MDS2Data []byte `json:"-"`
}

// Validate checks the fields a user sets.
func (b *Bid) Validate() error {
	b.Vendor = strings.TrimSpace(b.Vendor)
	if b.Vendor == "" {
		return Invalid("vendor", "is required")
	}
	if len(b.Vendor) > 200 || len(b.Product) > 300 || len(b.Contact) > 500 {
		return Invalid("vendor", "vendor, product or contact is too long")
	}
	if b.Cloud != nil {
		if err := b.Cloud.Validate(); err != nil {
			return Invalid("cloud", "%v", err)
		}
	}
	return nil
}

// Kinds of tender documents.
const (
	DocMDS2          = "mds2"
	DocSBOM          = "sbom"
	DocQuestionnaire = "questionnaire"
	DocOther         = "document"
)

// TenderDocument is a file kept with a tender or bid (the content is read separately).
type TenderDocument struct {
	ID         int64     `json:"id"`
	TenderID   int64     `json:"tender_id"`
	BidID      *int64    `json:"bid_id"`
	Kind       string    `json:"kind"` // mds2, sbom, questionnaire, document
	Name       string    `json:"name"`
	MediaType  string    `json:"media_type"`
	Size       int64     `json:"size"`
	SHA256     string    `json:"sha256"`
	Uploaded   time.Time `json:"uploaded"`
	UploadedBy string    `json:"uploaded_by"`
}

// TenderScore is an evaluator's score of one criterion of one bid.
type TenderScore struct {
	ID        int64     `json:"id"`
	BidID     int64     `json:"bid_id"`
	Criterion string    `json:"criterion"`
	Score     int       `json:"score"`
	Comment   string    `json:"comment"`
	Evaluator string    `json:"evaluator"`
	Updated   time.Time `json:"updated"`
}

// Commitment states.
const (
	CommitmentOpen      = "open"      // to be confirmed by its due date
	CommitmentConfirmed = "confirmed" // fulfilled or confirmed
	CommitmentWaived    = "waived"    // no longer required
	CommitmentActive    = "active"    // a standing commitment without a due date (patch days, end of support)
)

// Commitment is something a vendor committed to in a tender and that the hospital tracks after award:
// end of support, patch timelines, delivery of SBOM, VEX and CSAF advisories, CVD. Patch-day commitments
// start clocks (child commitments with a trigger such as a known-exploited CVE) whose due date is the
// trigger date plus the committed days.
type Commitment struct {
	ID           int64      `json:"id"`
	TenderID     *int64     `json:"tender_id"`
	BidID        *int64     `json:"bid_id"`
	ParentID     *int64     `json:"parent_id"`
	Manufacturer string     `json:"manufacturer"`
	Product      string     `json:"product"`
	ProductID    *int64     `json:"product_id"` // inventory product, once linked
	Kind         string     `json:"kind"`       // support-end, patch-days, sbom-delivery, vex-delivery, csaf-advisories, cvd, incident-notification
	Criterion    string     `json:"criterion"`
	Title        string     `json:"title"`
	Value        string     `json:"value"`
	ValueDate    *time.Time `json:"value_date"`
	Days         int        `json:"days"`
	Trigger      string     `json:"trigger"` // for clocks: what started it, e.g. "CVE-2024-3400 (KEV)"
	Due          *time.Time `json:"due"`
	Status       string     `json:"status"`
	ConfirmedAt  *time.Time `json:"confirmed_at"`
	ConfirmedBy  string     `json:"confirmed_by"`
	Note         string     `json:"note"`
	Created      time.Time  `json:"created"`
	Updated      time.Time  `json:"updated"`
}

// Missed reports whether the commitment is past its due date without confirmation on now.
func (c Commitment) Missed(now time.Time) bool {
	return c.Status == CommitmentOpen && c.Due != nil && c.Due.Before(now)
}

// State is the commitment's state for people on now: its status, or "missed".
func (c Commitment) State(now time.Time) string {
	if c.Missed(now) {
		return "missed"
	}
	return c.Status
}

// CommitmentFilter selects commitments.
type CommitmentFilter struct {
	TenderID  int64
	ProductID int64 // the inventory product the commitments are linked to
	Status    string
	Missed    bool      // only open commitments past their due date on Now
	Now       time.Time // for Missed
}

// CloudService is an entry of the cloud and SaaS services register.
type CloudService struct {
	ID                   int64         `json:"id"`
	Name                 string        `json:"name"`
	Provider             string        `json:"provider"`
	ServiceModel         string        `json:"service_model"`  // saas, paas, iaas
	Category             string        `json:"category"`       // e.g. PACS, EHR, remote monitoring
	MedicalVendor        bool          `json:"medical_vendor"` // offered by a medical-device manufacturer
	Description          string        `json:"description"`
	DataCategories       string        `json:"data_categories"` // e.g. "images and reports (health data)"
	Criticality          string        `json:"criticality"`     // high, medium, low
	Owner                string        `json:"owner"`
	Profile              *CloudProfile `json:"profile"` // nil until assessed
	ReviewIntervalMonths int           `json:"review_interval_months"`
	NextReview           *time.Time    `json:"next_review"`
	LastReview           *time.Time    `json:"last_review"`
	LastTotal            *float64      `json:"last_total"`
	LastKnockedOut       bool          `json:"last_knocked_out"`
	Created              time.Time     `json:"created"`
	Updated              time.Time     `json:"updated"`
}

// Overdue reports whether the service's review is past due on now (a service never reviewed is due).
func (s CloudService) Overdue(now time.Time) bool {
	return s.NextReview == nil || s.NextReview.Before(now)
}

// Validate checks the fields a user sets.
func (s *CloudService) Validate() error {
	s.Name = strings.TrimSpace(s.Name)
	if s.Name == "" {
		return Invalid("name", "is required")
	}
	if len(s.Name) > 200 || len(s.Provider) > 200 {
		return Invalid("name", "name or provider is longer than 200 characters")
	}
	if s.ServiceModel == "" {
		s.ServiceModel = "saas"
	}
	if !slices.Contains([]string{"saas", "paas", "iaas"}, s.ServiceModel) {
		return Invalid("service_model", "must be saas, paas or iaas (got %q)", s.ServiceModel)
	}
	if s.Criticality == "" {
		s.Criticality = "medium"
	}
	if !slices.Contains([]string{"high", "medium", "low"}, s.Criticality) {
		return Invalid("criticality", "must be high, medium or low (got %q)", s.Criticality)
	}
	if s.ReviewIntervalMonths == 0 {
		s.ReviewIntervalMonths = 12
	}
	if s.ReviewIntervalMonths < 1 || s.ReviewIntervalMonths > 60 {
		return Invalid("review_interval_months", "must be between 1 and 60")
	}
	if s.Profile != nil {
		if err := s.Profile.Validate(); err != nil {
			return Invalid("profile", "%v", err)
		}
	}
	return nil
}

// CloudServiceFilter selects cloud services.
type CloudServiceFilter struct {
	ListParams
	Overdue bool      // only services whose review is due on Now
	Now     time.Time // for Overdue
}

// CloudReview is one review of a cloud service: its score at that time and the next due date.
type CloudReview struct {
	ID         int64     `json:"id"`
	ServiceID  int64     `json:"service_id"`
	Reviewed   time.Time `json:"reviewed"`
	Reviewer   string    `json:"reviewer"`
	Total      float64   `json:"total"`
	KnockedOut bool      `json:"knocked_out"`
	Note       string    `json:"note"`
	NextReview time.Time `json:"next_review"`
	Result     []byte    `json:"-"` // the evaluation as JSON
}

// Certification schemes of a cloud assessment.
const (
	CertISO27001        = "iso27001"
	CertISO27017        = "iso27017"
	CertISO27018        = "iso27018"
	CertC5Type1         = "c5-type1"
	CertC5Type2         = "c5-type2"
	CertEUCSBasic       = "eucs-basic"
	CertEUCSSubstantial = "eucs-substantial"
	CertEUCSHigh        = "eucs-high"
	CertHDS             = "hds"
	CertSOC2Type2       = "soc2-type2"
)

// CertSchemes lists the certification schemes with their names for people.
var CertSchemes = []struct{ ID, Label string }{
	{CertISO27001, "ISO/IEC 27001"}, {CertISO27017, "ISO/IEC 27017"}, {CertISO27018, "ISO/IEC 27018"},
	{CertC5Type1, "BSI C5 type 1"}, {CertC5Type2, "BSI C5 type 2"},
	{CertEUCSBasic, "EUCS basic"}, {CertEUCSSubstantial, "EUCS substantial"}, {CertEUCSHigh, "EUCS high"},
	{CertHDS, "HDS (France)"}, {CertSOC2Type2, "SOC 2 type 2"},
}

// CertLabel returns the name of a certification scheme.
func CertLabel(id string) string {
	for _, s := range CertSchemes {
		if s.ID == id {
			return s.Label
		}
	}
	return id
}

// Data locations of a cloud service.
const (
	LocationEUEEA    = "eu-eea"   // stored and processed in the EU/EEA only
	LocationAdequacy = "adequacy" // also in a country with an EU adequacy decision
	LocationSCC      = "scc"      // transfers under standard contractual clauses
	LocationOther    = "other"    // transfers without a recognised safeguard
)

// Key control models, best first.
const (
	KeysHYOK     = "hyok"             // hold your own key: keys never leave the customer
	KeysBYOK     = "byok"             // bring your own key into the provider's KMS
	KeysCustomer = "customer-managed" // customer-managed keys in the provider's KMS
	KeysProvider = "provider"         // provider-managed keys
)

// Certification is one certificate or attestation of a cloud service.
type Certification struct {
	Scheme     string `json:"scheme"`                // a Cert* scheme
	ValidUntil string `json:"valid_until,omitempty"` // YYYY-MM-DD; "" when not stated
	Reference  string `json:"reference,omitempty"`   // certificate number, issuing body, report period
}

// CloudProfile is the evidence-based assessment of a cloud or SaaS service (or of a bid in a cloud
// tender). Pointer fields are unknown while nil.
type CloudProfile struct {
	Certifications         []Certification `json:"certifications"`
	DataLocation           string          `json:"data_location,omitempty"` // a Location* value
	Regions                string          `json:"regions,omitempty"`       // e.g. "DE (Frankfurt), NL (Amsterdam)"
	Transfers              string          `json:"transfers,omitempty"`     // transfers outside the EU/EEA and their safeguard
	EncryptionAtRest       *bool           `json:"encryption_at_rest"`
	EncryptionInTransit    *bool           `json:"encryption_in_transit"`
	KeyControl             string          `json:"key_control,omitempty"`       // a Keys* value
	IncidentHours          int             `json:"incident_notification_hours"` // 0: not committed
	SubProcessorsDisclosed *bool           `json:"sub_processors_disclosed"`
	SubProcessors          []string        `json:"sub_processors"`           // name (service, location)
	ExitPlan               *bool           `json:"exit_plan"`                // data returned in standard formats, deleted afterwards
	ExportFormats          string          `json:"export_formats,omitempty"` // e.g. "DICOM, HL7 FHIR"
	AvailabilitySLA        float64         `json:"availability_sla"`         // percent per month; 0: none
	NIS2Clauses            *bool           `json:"nis2_clauses"`             // supplier duties in the contract
	MFA                    *bool           `json:"mfa"`                      // MFA and SSO for users and admins
	AuditLogs              *bool           `json:"audit_logs"`               // logs available to the customer
	Backup                 *bool           `json:"backup"`                   // separate-location backup with restore tests
	DPA                    *bool           `json:"dpa"`                      // GDPR Art 28 agreement
	Notes                  string          `json:"notes,omitempty"`
}

// Validate checks the profile's values and names the first wrong field.
func (p *CloudProfile) Validate() error {
	for i, c := range p.Certifications {
		if CertLabel(c.Scheme) == c.Scheme {
			return fmt.Errorf("certifications[%d].scheme: unknown scheme %q", i, c.Scheme)
		}
		if c.ValidUntil != "" {
			if _, err := time.Parse("2006-01-02", c.ValidUntil); err != nil {
				return fmt.Errorf("certifications[%d].valid_until: %q is not a date (YYYY-MM-DD)", i, c.ValidUntil)
			}
		}
	}
	if p.DataLocation != "" && !slices.Contains([]string{LocationEUEEA, LocationAdequacy, LocationSCC, LocationOther}, p.DataLocation) {
		return fmt.Errorf("data_location: %q is not one of eu-eea, adequacy, scc, other", p.DataLocation)
	}
	if p.KeyControl != "" && !slices.Contains([]string{KeysHYOK, KeysBYOK, KeysCustomer, KeysProvider}, p.KeyControl) {
		return fmt.Errorf("key_control: %q is not one of hyok, byok, customer-managed, provider", p.KeyControl)
	}
	if p.IncidentHours < 0 || p.IncidentHours > 24*365 {
		return fmt.Errorf("incident_notification_hours: %d out of range", p.IncidentHours)
	}
	if math.IsNaN(p.AvailabilitySLA) || p.AvailabilitySLA < 0 || p.AvailabilitySLA > 100 {
		return fmt.Errorf("availability_sla: %v is not a percentage", p.AvailabilitySLA)
	}
	if len(p.SubProcessors) > 200 || len(p.Certifications) > 50 {
		return fmt.Errorf("too many sub-processors or certifications")
	}
	return nil
}

// ValidCert returns the certification of the scheme that is valid on asOf (a certificate without a date
// counts as valid), and whether one exists at all.
func (p *CloudProfile) ValidCert(scheme string, asOf time.Time) (c Certification, valid, exists bool) {
	if p == nil {
		return c, false, false
	}
	y, m, d := asOf.UTC().Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	for _, x := range p.Certifications {
		if x.Scheme != scheme {
			continue
		}
		exists, c = true, x
		if x.ValidUntil == "" {
			return x, true, true
		}
		if t, err := time.Parse("2006-01-02", x.ValidUntil); err == nil && !t.Before(today) {
			return x, true, true
		}
	}
	return c, false, exists
}

// ExpiringCerts lists certificates that have expired or expire within days after asOf.
func (p *CloudProfile) ExpiringCerts(asOf time.Time, days int) []Certification {
	if p == nil {
		return nil
	}
	var out []Certification
	y, m, d := asOf.UTC().Date()
	limit := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).AddDate(0, 0, days)
	for _, c := range p.Certifications {
		if t, err := time.Parse("2006-01-02", c.ValidUntil); err == nil && t.Before(limit) {
			out = append(out, c)
		}
	}
	return out
}
