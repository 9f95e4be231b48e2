package domain

import (
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/lazyre"
)

// Audience is a group of staff that a curriculum addresses. A person has one primary audience (their
// job group) and belongs besides to AudienceAllStaff, to AudienceBoard when they are a member of the
// management body and to AudienceNewStarter while they are new.
type Audience string

// Audiences.
const (
	AudienceBoard       Audience = "board"       // members of the management body (NIS2 Art 20(2))
	AudienceClinical    Audience = "clinical"    // physicians, nurses, therapists
	AudienceBiomed      Audience = "biomed"      // clinical and biomedical engineers (medical technology)
	AudienceIT          Audience = "it-security" // IT operations and information security
	AudienceProcurement Audience = "procurement" // purchasing and contract management
	AudienceOther       Audience = "other"       // everyone else (administration, facilities …)
	AudienceNewStarter  Audience = "new-starter" // people in their first weeks
	AudienceAllStaff    Audience = "all-staff"   // everyone
)

// Audiences lists every audience in a stable order (for forms, filters and reports).
var Audiences = []Audience{AudienceBoard, AudienceClinical, AudienceBiomed, AudienceIT, AudienceProcurement,
	AudienceOther, AudienceNewStarter, AudienceAllStaff}

// PrimaryAudiences are the audiences a person can hold as their job group.
var PrimaryAudiences = []Audience{AudienceClinical, AudienceBiomed, AudienceIT, AudienceProcurement, AudienceOther}

// Label is the audience's name for people.
func (a Audience) Label() string {
	switch a {
	case AudienceBoard:
		return "Management board"
	case AudienceClinical:
		return "Clinicians and nurses"
	case AudienceBiomed:
		return "Clinical and biomedical engineers"
	case AudienceIT:
		return "IT and security staff"
	case AudienceProcurement:
		return "Procurement"
	case AudienceOther:
		return "Other staff"
	case AudienceNewStarter:
		return "New starters"
	case AudienceAllStaff:
		return "All staff"
	}
	return string(a)
}

// ParseAudience validates an audience code.
func ParseAudience(s string) (Audience, error) {
	a := Audience(strings.TrimSpace(strings.ToLower(s)))
	if slices.Contains(Audiences, a) {
		return a, nil
	}
	return "", Invalid("audience", "unknown audience %q (allowed: %s)", s, joinAudiences(Audiences))
}

func joinAudiences(as []Audience) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = string(a)
	}
	return strings.Join(s, ", ")
}

// Duty is the obligation a training module serves.
type Duty string

// Duties.
const (
	DutyNIS2Management Duty = "nis2-20-2"       // NIS2 Art 20(2): management body members must follow training
	DutyNIS2Hygiene    Duty = "nis2-21-2-g"     // NIS2 Art 21(2)(g): basic cyber hygiene practices and training
	DutyGDPRAwareness  Duty = "gdpr-39-1-b"     // GDPR Art 39(1)(b): the DPO's awareness-raising and training of staff
	DutyInternal       Duty = "internal-policy" // the organisation's own policy
)

// Duties lists every duty in a stable order.
var Duties = []Duty{DutyNIS2Management, DutyNIS2Hygiene, DutyGDPRAwareness, DutyInternal}

// Label is the duty's legal reference for people.
func (d Duty) Label() string {
	switch d {
	case DutyNIS2Management:
		return "NIS2 Art 20(2) — management training"
	case DutyNIS2Hygiene:
		return "NIS2 Art 21(2)(g) — cyber hygiene and training"
	case DutyGDPRAwareness:
		return "GDPR Art 39(1)(b) — awareness and training"
	case DutyInternal:
		return "Internal policy"
	}
	return string(d)
}

// Delivery is how a module is taught.
type Delivery string

// Deliveries.
const (
	DeliveryELearning Delivery = "e-learning"
	DeliveryClassroom Delivery = "classroom"
	DeliveryBriefing  Delivery = "briefing"
	DeliveryExercise  Delivery = "exercise"
)

// Deliveries lists every delivery in a stable order.
var Deliveries = []Delivery{DeliveryELearning, DeliveryClassroom, DeliveryBriefing, DeliveryExercise}

var codeRE = lazyre.New(`^[a-z0-9][a-z0-9-]{0,62}$`)

// TrainingModule is one unit of training: what it teaches, how long it takes, how often it must be
// refreshed and which duty it serves.
type TrainingModule struct {
	ID              int64     `json:"id"`
	OrgID           int64     `json:"org_id"`
	Code            string    `json:"code"` // unique per organisation, e.g. security-awareness-basics
	Title           string    `json:"title"`
	Goals           []string  `json:"goals"` // learning goals
	DurationMinutes int       `json:"duration_minutes"`
	Delivery        Delivery  `json:"delivery"`
	RefreshMonths   int       `json:"refresh_months"` // a completion expires after this many months; 0: never
	Duty            Duty      `json:"duty"`
	Reference       string    `json:"reference"` // legal or policy reference, e.g. "NIS2 Art 21(2)(g); IR 2024/2690 Annex 8.1"
	Source          string    `json:"source"`    // "catalogue 2026.1" for modules from the starter catalogue, "" for own
	Archived        bool      `json:"archived"`
	Created         time.Time `json:"created"`
	Updated         time.Time `json:"updated"`
}

// Validate checks and normalises the fields a user can set.
func (m *TrainingModule) Validate() error {
	m.Title = strings.TrimSpace(m.Title)
	if m.Title == "" {
		return Invalid("title", "is required")
	}
	if m.Code == "" {
		m.Code = Slugify(m.Title)
	}
	if !codeRE.MatchString(m.Code) {
		return Invalid("code", "must be lower-case letters, digits and dashes (got %q)", m.Code)
	}
	var goals []string
	for _, g := range m.Goals {
		if g = strings.TrimSpace(g); g != "" {
			goals = append(goals, g)
		}
	}
	m.Goals = goals
	if m.DurationMinutes < 0 || m.DurationMinutes > 10000 {
		return Invalid("duration_minutes", "must be between 0 and 10000")
	}
	if m.Delivery == "" {
		m.Delivery = DeliveryELearning
	}
	if !slices.Contains(Deliveries, m.Delivery) {
		return Invalid("delivery", "unknown delivery %q (allowed: e-learning, classroom, briefing, exercise)", m.Delivery)
	}
	if m.RefreshMonths < 0 || m.RefreshMonths > 120 {
		return Invalid("refresh_months", "must be between 0 (never) and 120")
	}
	if m.Duty == "" {
		m.Duty = DutyNIS2Hygiene
	}
	if !slices.Contains(Duties, m.Duty) {
		return Invalid("duty", "unknown duty %q (allowed: nis2-20-2, nis2-21-2-g, gdpr-39-1-b, internal-policy)", m.Duty)
	}
	m.Reference = strings.TrimSpace(m.Reference)
	return nil
}

// Curriculum is a set of modules for an audience, assigned together.
type Curriculum struct {
	ID          int64     `json:"id"`
	OrgID       int64     `json:"org_id"`
	Code        string    `json:"code"`
	Title       string    `json:"title"`
	Audience    Audience  `json:"audience"`
	Description string    `json:"description"`
	DueDays     int       `json:"due_days"` // days from assignment to the due date
	ModuleIDs   []int64   `json:"module_ids"`
	Source      string    `json:"source"`
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`
}

// Validate checks and normalises the fields a user can set.
func (c *Curriculum) Validate() error {
	c.Title = strings.TrimSpace(c.Title)
	if c.Title == "" {
		return Invalid("title", "is required")
	}
	if c.Code == "" {
		c.Code = Slugify(c.Title)
	}
	if !codeRE.MatchString(c.Code) {
		return Invalid("code", "must be lower-case letters, digits and dashes (got %q)", c.Code)
	}
	a, err := ParseAudience(string(c.Audience))
	if err != nil {
		return err
	}
	c.Audience = a
	if c.DueDays == 0 {
		c.DueDays = 30
	}
	if c.DueDays < 1 || c.DueDays > 730 {
		return Invalid("due_days", "must be between 1 and 730")
	}
	seen := map[int64]bool{}
	var ids []int64
	for _, id := range c.ModuleIDs {
		if id > 0 && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	c.ModuleIDs = ids
	return nil
}

// Staff is a person in the organisation's staff register (from the HR export), who may or may not have
// a Vigil account. Department is free text (there is no departments table yet).
type Staff struct {
	ID          int64      `json:"id"`
	OrgID       int64      `json:"org_id"`
	Name        string     `json:"name"`
	Email       string     `json:"email"`
	StaffNumber string     `json:"staff_number"`
	Department  string     `json:"department"`
	JobTitle    string     `json:"job_title"`
	Audience    Audience   `json:"audience"` // primary audience (job group)
	ManagerID   *int64     `json:"manager_id,omitempty"`
	ManagerName string     `json:"manager_name,omitempty"` // read only
	StartDate   *time.Time `json:"start_date,omitempty"`
	LeaverDate  *time.Time `json:"leaver_date,omitempty"`
	BoardMember bool       `json:"board_member"`
	UserID      *int64     `json:"user_id,omitempty"` // the Vigil account with the same e-mail, if any
	Created     time.Time  `json:"created"`
	Updated     time.Time  `json:"updated"`
}

// Validate checks and normalises the fields a user or an import can set.
func (p *Staff) Validate() error {
	p.Name = strings.Join(strings.Fields(p.Name), " ")
	if p.Name == "" {
		return Invalid("name", "is required")
	}
	p.Email = strings.ToLower(strings.TrimSpace(p.Email))
	if p.Email != "" {
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email || !strings.Contains(p.Email, "@") {
			return Invalid("email", "%q is not a valid e-mail address", p.Email)
		}
	}
	p.StaffNumber = strings.TrimSpace(p.StaffNumber)
	if p.Email == "" && p.StaffNumber == "" {
		return Invalid("email", "an e-mail address or a staff number is required to identify the person")
	}
	p.Department = strings.Join(strings.Fields(p.Department), " ")
	p.JobTitle = strings.Join(strings.Fields(p.JobTitle), " ")
	if p.Audience == "" {
		p.Audience = AudienceOther
	}
	if !slices.Contains(PrimaryAudiences, p.Audience) {
		return Invalid("audience", "%q is not a job group (allowed: %s; board membership is a flag of its own)", p.Audience, joinAudiences(PrimaryAudiences))
	}
	if p.StartDate != nil && p.LeaverDate != nil && p.LeaverDate.Before(*p.StartDate) {
		return Invalid("leaver_date", "is before the start date")
	}
	if p.ManagerID != nil && *p.ManagerID == p.ID && p.ID != 0 {
		return Invalid("manager_id", "a person cannot be their own manager")
	}
	return nil
}

// Active reports whether the person works for the organisation at t (has not left).
func (p Staff) Active(t time.Time) bool {
	return p.LeaverDate == nil || p.LeaverDate.After(t)
}

// Started reports whether the person had started at t (unknown start dates count as started).
func (p Staff) Started(t time.Time) bool {
	return p.StartDate == nil || !p.StartDate.After(t)
}

// AssignmentRule assigns a curriculum to everyone matching an audience and/or a department — once when it
// is created and, when Auto is set, to every person added later or whose role or department changes.
type AssignmentRule struct {
	ID           int64     `json:"id"`
	OrgID        int64     `json:"org_id"`
	CurriculumID int64     `json:"curriculum_id"`
	Audience     Audience  `json:"audience,omitempty"`   // "" matches every audience
	Department   string    `json:"department,omitempty"` // "" matches every department
	DueDays      int       `json:"due_days,omitempty"`   // 0: the curriculum's
	Auto         bool      `json:"auto"`
	Created      time.Time `json:"created"`
}

// Validate checks a rule.
func (r *AssignmentRule) Validate() error {
	if r.CurriculumID <= 0 {
		return Invalid("curriculum_id", "is required")
	}
	if r.Audience != "" {
		a, err := ParseAudience(string(r.Audience))
		if err != nil {
			return err
		}
		r.Audience = a
	}
	r.Department = strings.Join(strings.Fields(r.Department), " ")
	if r.DueDays < 0 || r.DueDays > 730 {
		return Invalid("due_days", "must be between 0 (the curriculum's) and 730")
	}
	return nil
}

// Assignment is a module a person must complete by a due date.
type Assignment struct {
	ID           int64      `json:"id"`
	OrgID        int64      `json:"org_id"`
	StaffID      int64      `json:"staff_id"`
	ModuleID     int64      `json:"module_id"`
	CurriculumID *int64     `json:"curriculum_id,omitempty"`
	RuleID       *int64     `json:"rule_id,omitempty"`
	Assigned     time.Time  `json:"assigned"`
	Due          time.Time  `json:"due"`
	Cancelled    *time.Time `json:"cancelled,omitempty"`
	Source       string     `json:"source"` // "rule 3", "manual", "import" …
}

// Record kinds.
const (
	RecordCourse   = "course"   // a module completed (or failed)
	RecordPhishing = "phishing" // a phishing simulation result
	RecordExercise = "exercise" // taking part in an exercise
)

// Record results.
const (
	ResultCompleted = "completed"
	ResultPassed    = "passed"
	ResultFailed    = "failed"
	ResultClicked   = "clicked"  // phishing: clicked the link or opened the attachment
	ResultReported  = "reported" // phishing: reported the message
	ResultIgnored   = "ignored"  // phishing: neither clicked nor reported
)

// TrainingRecord is one result of a person: a completed (or failed) module, a phishing simulation
// outcome or taking part in an exercise.
type TrainingRecord struct {
	ID             int64     `json:"id"`
	OrgID          int64     `json:"org_id"`
	StaffID        int64     `json:"staff_id"`
	StaffName      string    `json:"staff_name,omitempty"` // read only
	ModuleID       *int64    `json:"module_id,omitempty"`
	ModuleTitle    string    `json:"module_title,omitempty"` // read only
	Campaign       string    `json:"campaign,omitempty"`     // phishing campaign or external course name
	Kind           string    `json:"kind"`
	Date           time.Time `json:"date"`
	Result         string    `json:"result"`
	Score          *float64  `json:"score,omitempty"` // 0–100
	Provider       string    `json:"provider"`        // "internal" or the external provider or course name
	EvidenceURL    string    `json:"evidence_url,omitempty"`
	EvidenceFileID *int64    `json:"evidence_file_id,omitempty"`
	Note           string    `json:"note,omitempty"`
	Source         string    `json:"source"` // manual, import:FILE, exercise:ID
	Created        time.Time `json:"created"`
}

// Completes reports whether the record completes its module (a completion or a pass).
func (r TrainingRecord) Completes() bool {
	return r.ModuleID != nil && (r.Result == ResultCompleted || r.Result == ResultPassed)
}

// Validate checks a record.
func (r *TrainingRecord) Validate() error {
	if r.StaffID <= 0 {
		return Invalid("staff_id", "is required")
	}
	if r.Date.IsZero() {
		return Invalid("date", "is required")
	}
	switch r.Kind {
	case RecordCourse, RecordExercise:
		if r.ModuleID == nil {
			return Invalid("module_id", "is required")
		}
		if r.Result != ResultCompleted && r.Result != ResultPassed && r.Result != ResultFailed {
			return Invalid("result", "must be completed, passed or failed (got %q)", r.Result)
		}
	case RecordPhishing:
		if r.Result != ResultClicked && r.Result != ResultReported && r.Result != ResultIgnored {
			return Invalid("result", "a phishing result must be clicked, reported or ignored (got %q)", r.Result)
		}
		if strings.TrimSpace(r.Campaign) == "" {
			return Invalid("campaign", "is required for a phishing result")
		}
	default:
		return Invalid("kind", "must be course, phishing or exercise (got %q)", r.Kind)
	}
	if r.Score != nil && (*r.Score < 0 || *r.Score > 100) {
		return Invalid("score", "must be between 0 and 100")
	}
	r.EvidenceURL = strings.TrimSpace(r.EvidenceURL)
	if r.EvidenceURL != "" && !strings.HasPrefix(r.EvidenceURL, "https://") && !strings.HasPrefix(r.EvidenceURL, "http://") {
		return Invalid("evidence_url", "must be an http(s) link")
	}
	r.Provider = strings.TrimSpace(r.Provider)
	return nil
}

// TrainingFile is an uploaded file kept by the training module: evidence of a completion, or an import
// waiting for confirmation.
type TrainingFile struct {
	ID          int64     `json:"id"`
	OrgID       int64     `json:"org_id"`
	Purpose     string    `json:"purpose"` // evidence, import-staff, import-training-results
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	Data        []byte    `json:"-"`
	Created     time.Time `json:"created"`
	CreatedBy   string    `json:"created_by"`
}

// ScoreText is the score for display ("" without one).
func (r TrainingRecord) ScoreText() string {
	if r.Score == nil {
		return ""
	}
	return strconv.FormatFloat(*r.Score, 'f', -1, 64)
}
