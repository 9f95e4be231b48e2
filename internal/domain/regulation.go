package domain

import (
	"encoding/json"
	"math"
	"net/url"
	"slices"
	"strings"
	"time"
)

// RegulatoryProfile is what an organisation says about itself for the NIS2 scope check and the
// applicability of EU law (package regulation): entity type, size figures of the last closed financial
// year, Member State and special cases, and what data it processes. Figures that are not known are -1.
type RegulatoryProfile struct {
	EntityType      string  `json:"entity_type"` // a regulation.EntityType id, e.g. healthcare-provider
	Public          bool    `json:"public"`
	Country         string  `json:"country"`           // ISO 3166-1 alpha-2 Member State of establishment
	Employees       float64 `json:"employees"`         // annual work units; -1 = unknown
	TurnoverEUR     int64   `json:"turnover_eur"`      // -1 = unknown
	BalanceSheetEUR int64   `json:"balance_sheet_eur"` // -1 = unknown
	// OwnFiguresOnly says the figures leave out linked or partner enterprises.
	OwnFiguresOnly bool   `json:"own_figures_only"`
	Designated     string `json:"designated"` // "", essential or important (Member State identification)
	CERCritical    bool   `json:"cer_critical"`
	SoleProvider   bool   `json:"sole_provider"`
	// Manufacturer: the organisation places medical devices, IVDs or other products on the market.
	Manufacturer         bool `json:"manufacturer"`
	PersonalData         bool `json:"personal_data"`
	HealthData           bool `json:"health_data"`
	LargeScaleHealthData bool `json:"large_scale_health_data"`
	// Saved is false for a profile proposed from the organisation's settings and never saved.
	Saved     bool      `json:"saved"`
	Updated   time.Time `json:"updated"`
	UpdatedBy string    `json:"updated_by"`
}

// Validate checks and normalises the fields that do not need the regulation rules (the entity type is
// checked against them by the regulation module).
func (p *RegulatoryProfile) Validate() error {
	p.EntityType = strings.ToLower(strings.TrimSpace(p.EntityType))
	if p.EntityType == "" {
		return Invalid("entity_type", "is required")
	}
	p.Country = strings.ToUpper(strings.TrimSpace(p.Country))
	if p.Country != "" && len(p.Country) != 2 {
		return Invalid("country", "must be a two-letter country code (got %q)", p.Country)
	}
	if math.IsNaN(p.Employees) || math.IsInf(p.Employees, 0) || (p.Employees < 0 && p.Employees != -1) {
		return Invalid("employees", "must be 0 or more, or -1 for unknown")
	}
	if p.TurnoverEUR < -1 {
		return Invalid("turnover_eur", "must be 0 or more, or -1 for unknown")
	}
	if p.BalanceSheetEUR < -1 {
		return Invalid("balance_sheet_eur", "must be 0 or more, or -1 for unknown")
	}
	if !slices.Contains([]string{"", "essential", "important"}, p.Designated) {
		return Invalid("designated", "must be essential, important or empty (got %q)", p.Designated)
	}
	if p.LargeScaleHealthData {
		p.HealthData = true
	}
	if p.HealthData {
		p.PersonalData = true
	}
	return nil
}

// The framework of NIS2 Art 20/21 assessments.
const FrameworkNIS2Art21 = "nis2-art21"

// Assessment statuses: open campaigns can be changed; signed-off ones are frozen.
const (
	AssessmentOpen      = "open"
	AssessmentSignedOff = "signed-off"
)

// Assessment is one campaign assessing the NIS2 Art 20/21 measures (framework requirements × status ×
// evidence). Once signed off by the management body (NIS2 Art 20(1)) it is frozen; the next campaign
// starts from a copy.
type Assessment struct {
	ID               int64    `json:"id"`
	Name             string   `json:"name"`
	Framework        string   `json:"framework"`
	CatalogueVersion string   `json:"catalogue_version"`
	PeriodStart      string   `json:"period_start"` // YYYY-MM-DD
	PeriodEnd        string   `json:"period_end"`   // YYYY-MM-DD
	Owner            string   `json:"owner"`
	Status           string   `json:"status"` // open, signed-off
	CopiedFrom       *int64   `json:"copied_from,omitempty"`
	SignOff          *SignOff `json:"sign_off,omitempty"`
	// Created and CreatedBy are set by the store.
	Created   time.Time `json:"created"`
	CreatedBy string    `json:"created_by"`
}

// Frozen reports whether the assessment was signed off and may no longer change.
func (a Assessment) Frozen() bool { return a.Status == AssessmentSignedOff }

// Validate checks and normalises the fields a user sets.
func (a *Assessment) Validate() error {
	a.Name = strings.TrimSpace(a.Name)
	if a.Name == "" {
		return Invalid("name", "is required")
	}
	if len(a.Name) > 200 {
		return Invalid("name", "is longer than 200 characters")
	}
	a.Owner = strings.TrimSpace(a.Owner)
	for _, d := range []struct{ field, v string }{{"period_start", a.PeriodStart}, {"period_end", a.PeriodEnd}} {
		if err := checkDate(d.field, d.v); err != nil {
			return err
		}
	}
	if a.PeriodStart != "" && a.PeriodEnd != "" && a.PeriodEnd < a.PeriodStart {
		return Invalid("period_end", "is before the start of the period")
	}
	if a.Framework == "" {
		a.Framework = FrameworkNIS2Art21
	}
	return nil
}

// SignOff records the management body's approval of an assessment (NIS2 Art 20(1)).
type SignOff struct {
	Name    string    `json:"name"` // who signed, e.g. the managing director
	Role    string    `json:"role"` // their function in the management body
	Comment string    `json:"comment"`
	At      time.Time `json:"at"`
	// RecordedBy is the Vigil user or token that recorded the sign-off.
	RecordedBy string `json:"recorded_by"`
}

// Validate checks the fields of a sign-off.
func (s *SignOff) Validate() error {
	s.Name, s.Role, s.Comment = strings.TrimSpace(s.Name), strings.TrimSpace(s.Role), strings.TrimSpace(s.Comment)
	if s.Name == "" {
		return Invalid("name", "is required: who signs for the management body")
	}
	if s.Role == "" {
		return Invalid("role", "is required: the signatory's function, e.g. managing director")
	}
	return nil
}

// Measure statuses of an assessment.
const (
	MeasureNotStarted    = "not-started"
	MeasurePartial       = "partial"
	MeasureImplemented   = "implemented"
	MeasureNotApplicable = "not-applicable"
)

// MeasureStatuses lists the statuses in display order.
var MeasureStatuses = []string{MeasureNotStarted, MeasurePartial, MeasureImplemented, MeasureNotApplicable}

// MeasureStatusLabel is a status for people.
func MeasureStatusLabel(s string) string {
	switch s {
	case MeasureNotStarted:
		return "Not started"
	case MeasurePartial:
		return "Partial"
	case MeasureImplemented:
		return "Implemented"
	case MeasureNotApplicable:
		return "Not applicable"
	}
	return s
}

// AssessmentMeasure is the state of one catalogue measure in an assessment.
type AssessmentMeasure struct {
	AssessmentID   int64     `json:"assessment_id"`
	MeasureID      string    `json:"measure_id"` // catalogue id, e.g. nis2.21.2.a
	Status         string    `json:"status"`
	Maturity       int       `json:"maturity"`        // 0-4, the catalogue's maturity levels
	TargetMaturity int       `json:"target_maturity"` // 0-4; the gap is the difference
	Owner          string    `json:"owner"`
	DueDate        string    `json:"due_date"` // YYYY-MM-DD
	Comment        string    `json:"comment"`
	Updated        time.Time `json:"updated"`
	UpdatedBy      string    `json:"updated_by"`
}

// Validate checks and normalises the fields a user sets.
func (m *AssessmentMeasure) Validate() error {
	if m.Status == "" {
		m.Status = MeasureNotStarted
	}
	if !slices.Contains(MeasureStatuses, m.Status) {
		return Invalid("status", "unknown status %q (allowed: %s)", m.Status, strings.Join(MeasureStatuses, ", "))
	}
	if m.Maturity < 0 || m.Maturity > 4 {
		return Invalid("maturity", "must be between 0 and 4")
	}
	if m.TargetMaturity < 0 || m.TargetMaturity > 4 {
		return Invalid("target_maturity", "must be between 0 and 4")
	}
	m.Owner, m.Comment = strings.TrimSpace(m.Owner), strings.TrimSpace(m.Comment)
	if err := checkDate("due_date", m.DueDate); err != nil {
		return err
	}
	if m.Status == MeasureNotApplicable && m.Comment == "" {
		return Invalid("comment", "say why the measure does not apply (Implementing Regulation 2024/2690 Art 2(2) asks for the reason to be documented)")
	}
	if len(m.Comment) > 10000 {
		return Invalid("comment", "is longer than 10 000 characters")
	}
	return nil
}

// Gap is how many maturity levels the measure lacks to reach its target (0 when not applicable).
func (m AssessmentMeasure) Gap() int {
	if m.Status == MeasureNotApplicable {
		return 0
	}
	return max(0, m.TargetMaturity-m.Maturity)
}

// Evidence kinds of an assessment.
const (
	EvidenceFile = "file" // an uploaded document
	EvidenceLink = "link" // a link to a document elsewhere (intranet, DMS)
	EvidenceAuto = "auto" // a snapshot of automatic evidence, taken at sign-off
)

// MeasureEvidence is one piece of evidence for a measure of an assessment.
type MeasureEvidence struct {
	ID           int64  `json:"id"`
	AssessmentID int64  `json:"assessment_id"`
	MeasureID    string `json:"measure_id"`
	Kind         string `json:"kind"` // file, link, auto
	Title        string `json:"title"`
	URL          string `json:"url,omitempty"`
	FileName     string `json:"file_name,omitempty"`
	ContentType  string `json:"content_type,omitempty"`
	Size         int64  `json:"size,omitempty"`
	SHA256       string `json:"sha256,omitempty"`
	// AutoKind and Auto hold a snapshot of automatic evidence (a regulation.Evidence as JSON).
	AutoKind string          `json:"auto_kind,omitempty"`
	Auto     json.RawMessage `json:"auto,omitempty"`
	// CarriedOver marks evidence copied from the previous campaign.
	CarriedOver bool      `json:"carried_over"`
	Created     time.Time `json:"created"`
	CreatedBy   string    `json:"created_by"`
}

// Validate checks the fields a user sets for a link or file.
func (e *MeasureEvidence) Validate() error {
	e.Title = strings.TrimSpace(e.Title)
	if len(e.Title) > 300 {
		return Invalid("title", "is longer than 300 characters")
	}
	switch e.Kind {
	case EvidenceLink:
		e.URL = strings.TrimSpace(e.URL)
		u, err := url.Parse(e.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return Invalid("url", "must be an http or https address")
		}
		if e.Title == "" {
			e.Title = e.URL
		}
	case EvidenceFile:
		if e.FileName == "" {
			e.FileName = "evidence"
		}
		if e.Title == "" {
			e.Title = e.FileName
		}
	case EvidenceAuto:
		if e.AutoKind == "" || len(e.Auto) == 0 {
			return Invalid("auto", "automatic evidence needs its kind and figures")
		}
	default:
		return Invalid("kind", "unknown evidence kind %q (allowed: file, link, auto)", e.Kind)
	}
	return nil
}

func checkDate(field, v string) error {
	if v == "" {
		return nil
	}
	if _, err := time.Parse(time.DateOnly, v); err != nil {
		return Invalid(field, "must be a date YYYY-MM-DD (got %q)", v)
	}
	return nil
}
