package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// IncidentCategory says what kind of incident it is.
type IncidentCategory string

// Incident categories.
const (
	CategoryRansomware         IncidentCategory = "ransomware"
	CategoryDataBreach         IncidentCategory = "data-breach"
	CategoryDeviceMalfunction  IncidentCategory = "device-malfunction"
	CategorySupplierCompromise IncidentCategory = "supplier-compromise"
	CategoryOutage             IncidentCategory = "outage"
	CategoryOther              IncidentCategory = "other"
)

// IncidentCategories lists the categories in display order.
var IncidentCategories = []IncidentCategory{CategoryRansomware, CategoryDataBreach, CategoryDeviceMalfunction,
	CategorySupplierCompromise, CategoryOutage, CategoryOther}

// Label is the category's name for people.
func (c IncidentCategory) Label() string {
	switch c {
	case CategoryRansomware:
		return "Ransomware"
	case CategoryDataBreach:
		return "Data breach"
	case CategoryDeviceMalfunction:
		return "Device malfunction"
	case CategorySupplierCompromise:
		return "Supplier compromise"
	case CategoryOutage:
		return "Outage"
	case CategoryOther:
		return "Other"
	}
	return string(c)
}

// IncidentStatus is where the handling of an incident stands.
type IncidentStatus string

// Incident statuses, in the order an incident normally passes through them.
const (
	StatusOpen      IncidentStatus = "open"
	StatusContained IncidentStatus = "contained"
	StatusResolved  IncidentStatus = "resolved"
	StatusClosed    IncidentStatus = "closed"
)

// IncidentStatuses lists the statuses in order.
var IncidentStatuses = []IncidentStatus{StatusOpen, StatusContained, StatusResolved, StatusClosed}

// ParseIncidentStatus validates a status.
func ParseIncidentStatus(s string) (IncidentStatus, error) {
	st := IncidentStatus(strings.TrimSpace(s))
	if slices.Contains(IncidentStatuses, st) {
		return st, nil
	}
	return "", Invalid("status", "unknown status %q (allowed: open, contained, resolved, closed)", s)
}

// ParseIncidentCategory validates a category.
func ParseIncidentCategory(s string) (IncidentCategory, error) {
	c := IncidentCategory(strings.TrimSpace(s))
	if slices.Contains(IncidentCategories, c) {
		return c, nil
	}
	return "", Invalid("category", "unknown category %q (allowed: ransomware, data-breach, device-malfunction, supplier-compromise, outage, other)", s)
}

// Incident severities ("" means not assessed yet).
var IncidentSeverities = []string{"low", "medium", "high", "critical"}

// MaxIncidentAcceleration bounds the time acceleration of exercises (1 hour = 1 second at most).
const MaxIncidentAcceleration = 3600

// Incident is one security incident (or, with Exercise set, a training exercise that looks like one).
// Times are instants (UTC when read from the store); lists are free text.
type Incident struct {
	ID          int64            `json:"id"`
	OrgID       int64            `json:"org_id"`
	Title       string           `json:"title"`
	Description string           `json:"description"`
	Category    IncidentCategory `json:"category"`
	Status      IncidentStatus   `json:"status"`
	Severity    string           `json:"severity"` // low, medium, high, critical; "" not assessed
	// DetectedAt is when the incident was first noticed (by anyone); AwareAt when the organisation became
	// aware that it is an incident — most reporting clocks run from AwareAt.
	DetectedAt     *time.Time `json:"detected_at,omitempty"`
	AwareAt        time.Time  `json:"aware_at"`
	FixAvailableAt *time.Time `json:"fix_available_at,omitempty"` // starts the CRA vulnerability final report
	Impact         string     `json:"impact"`                     // services, sites, patients: the initial assessment
	Sites          []string   `json:"sites"`
	Services       []string   `json:"services"`
	// Devices names other affected systems as text: what the inventory does not hold (servers, a
	// vendor's cloud, a model named before it is identified). Installed devices are linked as
	// IncidentAssets instead.
	Devices          []string `json:"devices"`
	PatientSafety    string   `json:"patient_safety"` // effect on patient safety, free text
	PatientsAffected int      `json:"patients_affected"`
	// Personal data involved: categories of data and of people, approximate numbers.
	DataCategories        []string `json:"data_categories"`
	DataSubjectCategories []string `json:"data_subject_categories"`
	DataSubjects          int64    `json:"data_subjects"`
	DataRecords           int64    `json:"data_records"`
	CrossBorder           string   `json:"cross_border"`        // yes, no, unknown
	SuspectedMalicious    string   `json:"suspected_malicious"` // yes, no, unknown
	RootCause             string   `json:"root_cause"`
	IOCs                  []string `json:"iocs"`
	OwnerID               int64    `json:"owner_id,omitempty"` // the incident lead (a user)
	// Exercise marks a training exercise. Its clocks run Acceleration times faster than real time from
	// AwareAt (the start of the exercise); real incidents have Acceleration 1.
	Exercise     bool       `json:"exercise"`
	Scenario     string     `json:"scenario,omitempty"`
	Acceleration int        `json:"acceleration"`
	CreatedBy    string     `json:"created_by"`
	Created      time.Time  `json:"created"`
	Updated      time.Time  `json:"updated"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
}

// Validate checks and normalises the fields a user can set.
func (in *Incident) Validate() error {
	in.Title = strings.TrimSpace(in.Title)
	if in.Title == "" {
		return Invalid("title", "is required")
	}
	if len(in.Title) > 300 {
		return Invalid("title", "is longer than 300 characters")
	}
	if in.Category == "" {
		in.Category = CategoryOther
	}
	if _, err := ParseIncidentCategory(string(in.Category)); err != nil {
		return err
	}
	if in.Status == "" {
		in.Status = StatusOpen
	}
	if _, err := ParseIncidentStatus(string(in.Status)); err != nil {
		return err
	}
	if in.Severity != "" && !slices.Contains(IncidentSeverities, in.Severity) {
		return Invalid("severity", "unknown severity %q (allowed: low, medium, high, critical, or empty)", in.Severity)
	}
	if in.AwareAt.IsZero() {
		return Invalid("aware_at", "is required: when did the organisation become aware of the incident?")
	}
	if in.DetectedAt != nil && in.DetectedAt.After(in.AwareAt) {
		return Invalid("detected_at", "is after the awareness time; detection comes first")
	}
	for name, v := range map[string]*string{"cross_border": &in.CrossBorder, "suspected_malicious": &in.SuspectedMalicious} {
		if *v == "" {
			*v = "unknown"
		}
		if *v != "yes" && *v != "no" && *v != "unknown" {
			return Invalid(name, "must be yes, no or unknown (got %q)", *v)
		}
	}
	for name, n := range map[string]int64{"patients_affected": int64(in.PatientsAffected), "data_subjects": in.DataSubjects, "data_records": in.DataRecords} {
		if n < 0 {
			return Invalid(name, "must not be negative")
		}
	}
	if in.Acceleration == 0 {
		in.Acceleration = 1
	}
	if in.Acceleration < 1 || in.Acceleration > MaxIncidentAcceleration {
		return Invalid("acceleration", "must be between 1 and %d", MaxIncidentAcceleration)
	}
	if !in.Exercise && in.Acceleration != 1 {
		return Invalid("acceleration", "only exercises run in accelerated time")
	}
	for _, l := range []*[]string{&in.Sites, &in.Services, &in.Devices, &in.DataCategories, &in.DataSubjectCategories, &in.IOCs} {
		*l = CleanList(*l)
	}
	return nil
}

// Ref is the incident's short reference for people: "INC-12", or "EX-12" for an exercise.
func (in Incident) Ref() string {
	if in.Exercise {
		return fmt.Sprintf("EX-%d", in.ID)
	}
	return fmt.Sprintf("INC-%d", in.ID)
}

// CleanList trims the items of a list and drops empty ones and repeats (keeping the first).
func CleanList(l []string) []string {
	out := []string{}
	for _, s := range l {
		s = strings.TrimSpace(s)
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// IncidentFilter selects incidents for lists.
type IncidentFilter struct {
	ListParams
	Exercise bool             // exercises instead of real incidents; the two are never mixed
	Status   []IncidentStatus // any of these; empty means all
	Category IncidentCategory
}

// IncidentAnswer is one answer to a guided question, with who gave it and when. Changing an answer adds a
// new one; the latest per question counts.
type IncidentAnswer struct {
	ID         int64     `json:"id"`
	IncidentID int64     `json:"incident_id"`
	Question   string    `json:"question"`
	Answer     string    `json:"answer"`
	Note       string    `json:"note,omitempty"`
	By         string    `json:"by"`
	At         time.Time `json:"at"`
}

// IncidentDeadline is a reporting clock of an incident as last computed. Due is on the incident's clock
// (accelerated for exercises); DueReal is the instant the wall clock reaches it (equal for real incidents).
type IncidentDeadline struct {
	ID          int64      `json:"id"`
	IncidentID  int64      `json:"incident_id"`
	DeadlineID  string     `json:"deadline_id"`
	Regime      string     `json:"regime"`
	Title       string     `json:"title"`
	StartsWith  string     `json:"starts_with"`
	Period      string     `json:"period"`
	PeriodKind  string     `json:"period_kind"` // hours, days, months, none
	StartsAt    *time.Time `json:"starts_at,omitempty"`
	Due         *time.Time `json:"due,omitempty"`
	DueReal     *time.Time `json:"due_real,omitempty"`
	LegalEnd    *time.Time `json:"legal_end,omitempty"`
	LegalNote   string     `json:"legal_note,omitempty"`
	Pending     bool       `json:"pending"`
	Provisional bool       `json:"provisional"`
	// Active is false when the answers changed so that the deadline no longer applies (kept for history).
	Active    bool   `json:"active"`
	Recipient string `json:"recipient"`
	Basis     string `json:"basis"`
	Note      string `json:"note,omitempty"`
	// SubmittedAt is the first submission recorded for this deadline; a submitted deadline is closed.
	SubmittedAt *time.Time `json:"submitted_at,omitempty"`
	Computed    time.Time  `json:"computed"`
}

// Open reports whether the clock is still running: active, not submitted and with a due time.
func (d IncidentDeadline) Open() bool { return d.Active && d.SubmittedAt == nil && d.Due != nil }

// IncidentSubmission records that a report was sent: when, to whom, with which reference and by whom.
// It closes the deadline with the same id.
type IncidentSubmission struct {
	ID          int64     `json:"id"`
	IncidentID  int64     `json:"incident_id"`
	DeadlineID  string    `json:"deadline_id"`
	ReportID    int64     `json:"report_id,omitempty"` // the report version that was sent, if drafted in Vigil
	SubmittedAt time.Time `json:"submitted_at"`
	Recipient   string    `json:"recipient"`
	Reference   string    `json:"reference"`
	By          string    `json:"by"`
	Note        string    `json:"note,omitempty"`
	Created     time.Time `json:"created"`
}

// IncidentEvent is one entry of an incident's timeline.
type IncidentEvent struct {
	ID         int64     `json:"id"`
	IncidentID int64     `json:"incident_id"`
	At         time.Time `json:"at"`
	Kind       string    `json:"kind"` // created, update, status, answer, clocks, submission, action, decision, attachment, note, report, review, inject
	Actor      string    `json:"actor"`
	Summary    string    `json:"summary"`
	Detail     string    `json:"detail,omitempty"`
}

// Action kinds.
const (
	ActionResponse    = "response"    // part of handling the incident
	ActionImprovement = "improvement" // a lesson learned, from the review
)

// IncidentAction is a task with an owner and a due date.
type IncidentAction struct {
	ID         int64      `json:"id"`
	IncidentID int64      `json:"incident_id"`
	Kind       string     `json:"kind"`
	Title      string     `json:"title"`
	Owner      string     `json:"owner"`
	OwnerID    int64      `json:"owner_id,omitempty"`
	Due        *time.Time `json:"due,omitempty"`
	Done       bool       `json:"done"`
	DoneAt     *time.Time `json:"done_at,omitempty"`
	CreatedBy  string     `json:"created_by"`
	Created    time.Time  `json:"created"`
	// IncidentTitle and Exercise are filled by lists across incidents.
	IncidentTitle string `json:"incident_title,omitempty"`
}

// Overdue reports whether the action is open past its due time.
func (a IncidentAction) Overdue(now time.Time) bool {
	return !a.Done && a.Due != nil && now.After(*a.Due)
}

// Validate checks an action.
func (a *IncidentAction) Validate() error {
	a.Title, a.Owner = strings.TrimSpace(a.Title), strings.TrimSpace(a.Owner)
	if a.Title == "" {
		return Invalid("title", "is required")
	}
	if a.Kind == "" {
		a.Kind = ActionResponse
	}
	if a.Kind != ActionResponse && a.Kind != ActionImprovement {
		return Invalid("kind", "must be response or improvement")
	}
	return nil
}

// IncidentDecision records a decision taken while handling the incident: what, who decided, when.
type IncidentDecision struct {
	ID         int64     `json:"id"`
	IncidentID int64     `json:"incident_id"`
	What       string    `json:"what"`
	Who        string    `json:"who"`
	DecidedAt  time.Time `json:"decided_at"`
	CreatedBy  string    `json:"created_by"`
	Created    time.Time `json:"created"`
}

// IncidentAttachment is an uploaded file kept as evidence or context, with its SHA-256.
type IncidentAttachment struct {
	ID          int64     `json:"id"`
	IncidentID  int64     `json:"incident_id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	Evidence    bool      `json:"evidence"`
	Description string    `json:"description,omitempty"`
	UploadedBy  string    `json:"uploaded_by"`
	Created     time.Time `json:"created"`
}

// IncidentReport is one saved version of a report draft: the field values by field id.
type IncidentReport struct {
	ID         int64             `json:"id"`
	IncidentID int64             `json:"incident_id"`
	TemplateID string            `json:"template_id"`
	Version    int               `json:"version"`
	Fields     map[string]string `json:"fields"`
	CreatedBy  string            `json:"created_by"`
	Created    time.Time         `json:"created"`
}

// IncidentReview is the post-incident review.
type IncidentReview struct {
	IncidentID   int64      `json:"incident_id"`
	WhatHappened string     `json:"what_happened"`
	WentWell     string     `json:"went_well"`
	ToImprove    string     `json:"to_improve"`
	Lessons      []string   `json:"lessons"`
	ReviewedBy   string     `json:"reviewed_by"`
	ReviewedAt   *time.Time `json:"reviewed_at,omitempty"`
	Updated      time.Time  `json:"updated"`
}

// IncidentReminder records a deadline reminder (or overdue alert) that was sent.
type IncidentReminder struct {
	ID         int64     `json:"id"`
	IncidentID int64     `json:"incident_id"`
	Deadline   int64     `json:"deadline"` // IncidentDeadline.ID
	DeadlineID string    `json:"deadline_id"`
	Kind       string    `json:"kind"`
	Due        time.Time `json:"due"`
	SentAt     time.Time `json:"sent_at"`
}

// IncidentCounts are the figures of the incident list and the dashboard (real incidents only).
type IncidentCounts struct {
	Open           int `json:"open"` // not closed
	OpenDeadlines  int `json:"open_deadlines"`
	Overdue        int `json:"overdue_deadlines"`
	OverdueActions int `json:"overdue_actions"`
}

// IncidentAsset is an installed device of the inventory that an incident affects, with what the
// incident page shows of it (read from the inventory when the link is read).
type IncidentAsset struct {
	IncidentID    int64       `json:"incident_id"`
	AssetID       int64       `json:"asset_id"`
	AssetTag      string      `json:"asset_tag,omitempty"`
	Serial        string      `json:"serial,omitempty"`
	Hostname      string      `json:"hostname,omitempty"`
	Manufacturer  string      `json:"manufacturer"`
	Product       string      `json:"product"`
	Version       string      `json:"version"`
	MedicalDevice bool        `json:"medical_device"`
	Criticality   Criticality `json:"criticality"`
	Department    string      `json:"department,omitempty"`
	Location      string      `json:"location,omitempty"`
	Zone          string      `json:"zone,omitempty"`
	Exposure      Exposure    `json:"exposure,omitempty"`
	Status        AssetStatus `json:"status"`
	AddedBy       string      `json:"added_by"`
	Added         time.Time   `json:"added"`
}

// Name is how the linked device is named: its tag, else its serial number.
func (a IncidentAsset) Name() string {
	return Asset{AssetTag: a.AssetTag, Serial: a.Serial}.Name()
}

// PatientCritical reports whether the device's failure can harm patients directly: criticality
// life-sustaining or critical.
func (a IncidentAsset) PatientCritical() bool {
	return a.Criticality == CritLifeSustaining || a.Criticality == CritCritical
}
