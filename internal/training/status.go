package training

import (
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// State is where an assignment stands on a day.
type State string

// States. An assignment is completed while a completion of its module is valid; otherwise it is
// overdue after its due date, due within DueSoon of it, and not yet due before that.
const (
	StateCompleted State = "completed"
	StateDue       State = "due"
	StateOverdue   State = "overdue"
	StateNotYetDue State = "not_yet_due"
)

// States lists the states in the order reports show them.
var States = []State{StateCompleted, StateDue, StateOverdue, StateNotYetDue}

// Label is the state's name for people.
func (s State) Label() string {
	switch s {
	case StateCompleted:
		return "completed"
	case StateDue:
		return "due"
	case StateOverdue:
		return "overdue"
	case StateNotYetDue:
		return "not yet due"
	}
	return string(s)
}

const (
	// DueSoon is how far ahead of its due date an open assignment counts as due (rather than not yet due).
	DueSoon = 30 * 24 * time.Hour
	// RefreshGrace is the time a person has to repeat a module after their completion expired: the
	// assignment is due again with a due date this long after the expiry.
	RefreshGrace = 30 * 24 * time.Hour
)

// Status is the evaluated state of an assignment on a day.
type Status struct {
	State State `json:"state"`
	// Due is the date the module must be (re)done by: the assignment's due date, or after an expired
	// completion the expiry date plus RefreshGrace. Zero while completed.
	Due time.Time `json:"due,omitzero"`
	// LastCompleted is the date of the latest completion up to the day, valid or expired.
	LastCompleted *time.Time `json:"last_completed,omitempty"`
	// Expires is when the latest completion expires (nil: never, or no completion).
	Expires *time.Time `json:"expires,omitempty"`
	// Expired is set when the latest completion has expired (the module is due again).
	Expired bool `json:"expired"`
}

// Evaluate returns the state of an assignment of module m on day (a calendar day as Day returns it),
// given the dates of the person's completions of the module up to that day (any order; later dates
// are ignored).
func Evaluate(a domain.Assignment, m domain.TrainingModule, completions []time.Time, day time.Time) Status {
	var last *time.Time
	for i := range completions {
		c := completions[i]
		if c.After(day) {
			continue
		}
		if last == nil || c.After(*last) {
			last = &c
		}
	}
	st := Status{LastCompleted: last, Due: a.Due}
	if last != nil {
		if m.RefreshMonths <= 0 {
			return Status{State: StateCompleted, LastCompleted: last}
		}
		exp := last.AddDate(0, m.RefreshMonths, 0)
		st.Expires = &exp
		if day.Before(exp) {
			st.State, st.Due = StateCompleted, time.Time{}
			return st
		}
		st.Expired = true
		st.Due = exp.Add(RefreshGrace)
	}
	switch {
	case day.After(st.Due):
		st.State = StateOverdue
	case st.Due.Sub(day) <= DueSoon:
		st.State = StateDue
	default:
		st.State = StateNotYetDue
	}
	return st
}

// Badge is the CSS badge class the web UI shows the state with (ok, info, warn, bad).
func (s State) Badge() string {
	switch s {
	case StateCompleted:
		return "ok"
	case StateDue:
		return "warn"
	case StateOverdue:
		return "bad"
	}
	return "info"
}
