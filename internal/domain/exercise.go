package domain

import (
	"slices"
	"strings"
	"time"
)

// Exercise states.
const (
	ExercisePlanned   = "planned"
	ExerciseRunning   = "running"
	ExerciseCompleted = "completed"
)

// Exercise is a tabletop exercise run from a scenario of the library with people of the staff register.
type Exercise struct {
	ID          int64      `json:"id"`
	OrgID       int64      `json:"org_id"`
	Scenario    string     `json:"scenario"` // scenario id of the library
	Title       string     `json:"title"`
	Status      string     `json:"status"`
	Planned     *time.Time `json:"planned,omitempty"`
	Started     *time.Time `json:"started,omitempty"`
	Finished    *time.Time `json:"finished,omitempty"`
	Facilitator string     `json:"facilitator"`
	Location    string     `json:"location"`
	Summary     string     `json:"summary"`
	// IncidentID links the exercise to an exercise incident of the incident module (its clocks), when
	// that module is present; 0 when not linked.
	IncidentID int64     `json:"incident_id,omitempty"`
	Created    time.Time `json:"created"`
	Updated    time.Time `json:"updated"`
}

// Validate checks the fields a user can set.
func (e *Exercise) Validate() error {
	e.Title = strings.TrimSpace(e.Title)
	if e.Title == "" {
		return Invalid("title", "is required")
	}
	if strings.TrimSpace(e.Scenario) == "" {
		return Invalid("scenario", "is required")
	}
	if e.Status == "" {
		e.Status = ExercisePlanned
	}
	if !slices.Contains([]string{ExercisePlanned, ExerciseRunning, ExerciseCompleted}, e.Status) {
		return Invalid("status", "must be planned, running or completed")
	}
	return nil
}

// Participant is a person taking part in an exercise, with their role in it.
type Participant struct {
	ExerciseID int64  `json:"exercise_id"`
	StaffID    int64  `json:"staff_id"`
	Name       string `json:"name"`       // read only
	Department string `json:"department"` // read only
	Role       string `json:"role"`       // e.g. "incident lead", "ward manager"
	Attended   bool   `json:"attended"`
}

// Exercise log kinds.
const (
	LogInject   = "inject"
	LogDecision = "decision"
	LogNote     = "note"
)

// ExerciseLogEntry is an inject released, a decision taken or a note, timed from the exercise start.
type ExerciseLogEntry struct {
	ID             int64     `json:"id"`
	ExerciseID     int64     `json:"exercise_id"`
	Inject         int       `json:"inject"` // number of the scenario's inject it answers; 0 for none
	Kind           string    `json:"kind"`
	ElapsedMinutes int       `json:"elapsed_minutes"`
	Text           string    `json:"text"`
	StaffID        *int64    `json:"staff_id,omitempty"` // who decided
	StaffName      string    `json:"staff_name,omitempty"`
	Created        time.Time `json:"created"`
}

// Validate checks a log entry.
func (l *ExerciseLogEntry) Validate() error {
	if !slices.Contains([]string{LogInject, LogDecision, LogNote}, l.Kind) {
		return Invalid("kind", "must be inject, decision or note")
	}
	l.Text = strings.TrimSpace(l.Text)
	if l.Text == "" {
		return Invalid("text", "is required")
	}
	if l.ElapsedMinutes < 0 || l.ElapsedMinutes > 7*24*60 {
		return Invalid("elapsed_minutes", "must be between 0 and a week")
	}
	if l.Inject < 0 {
		return Invalid("inject", "must not be negative")
	}
	return nil
}

// ExerciseFinding severities and states.
const (
	FindingOpen = "open"
	FindingDone = "done"
)

// ExerciseFinding is what an exercise showed, with the action that follows from it, its owner and due date.
type ExerciseFinding struct {
	ID         int64      `json:"id"`
	OrgID      int64      `json:"org_id"`
	ExerciseID int64      `json:"exercise_id"`
	Title      string     `json:"title"`
	Detail     string     `json:"detail"`
	Severity   string     `json:"severity"` // low, medium, high
	Action     string     `json:"action"`
	OwnerID    *int64     `json:"owner_id,omitempty"` // a person of the staff register
	OwnerName  string     `json:"owner_name,omitempty"`
	Due        *time.Time `json:"due,omitempty"`
	Status     string     `json:"status"`
	Closed     *time.Time `json:"closed,omitempty"`
	Created    time.Time  `json:"created"`
	Updated    time.Time  `json:"updated"`
}

// Validate checks a finding.
func (f *ExerciseFinding) Validate() error {
	f.Title = strings.TrimSpace(f.Title)
	if f.Title == "" {
		return Invalid("title", "is required")
	}
	if f.Severity == "" {
		f.Severity = "medium"
	}
	if !slices.Contains([]string{"low", "medium", "high"}, f.Severity) {
		return Invalid("severity", "must be low, medium or high")
	}
	if f.Status == "" {
		f.Status = FindingOpen
	}
	if f.Status != FindingOpen && f.Status != FindingDone {
		return Invalid("status", "must be open or done")
	}
	f.Action = strings.TrimSpace(f.Action)
	if f.Action != "" && (f.OwnerID == nil || f.Due == nil) {
		return Invalid("owner_id", "an action needs an owner and a due date")
	}
	return nil
}
