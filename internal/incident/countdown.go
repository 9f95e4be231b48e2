package incident

import (
	"fmt"
	"sort"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/regulation/deadline"
)

// Countdown states.
const (
	StateOverdue   = "overdue"   // the due time has passed and nothing was submitted
	StateSoon      = "soon"      // a quarter of the period or 2 hours left, whichever is more
	StateRunning   = "running"   // the clock runs
	StatePending   = "pending"   // the start event has not happened (e.g. the final report before the notification)
	StateNoPeriod  = "no-period" // the law sets no fixed period ("without undue delay")
	StateSubmitted = "submitted" // a submission closed it
	StateInactive  = "inactive"  // no longer applies after a changed answer
)

// Countdown is a deadline as a person reads it at a given moment: its state, the time left (negative
// when overdue) and a sentence saying so, plus the report to send.
type Countdown struct {
	domain.IncidentDeadline
	State string `json:"state"`
	// Left is the time left on the incident's clock (exercise time for exercises); LeftReal on the wall clock.
	Left     time.Duration `json:"left"`
	LeftReal time.Duration `json:"left_real"`
	Text     string        `json:"text"` // "due in 21 h 12 min", "overdue by 2 h 03 min", "submitted", …
	// Report is the report template that answers the deadline ("what to send"), when one exists.
	Report *deadline.ReportTemplate `json:"report,omitempty"`
}

// Urgent reports whether the countdown needs attention now (overdue or soon).
func (c Countdown) Urgent() bool { return c.State == StateOverdue || c.State == StateSoon }

// CountdownOf returns the countdown of one deadline of an incident at the wall-clock instant now.
func CountdownOf(in domain.Incident, d domain.IncidentDeadline, now time.Time) Countdown {
	c := Countdown{IncidentDeadline: d}
	if t, ok := ReportFor(d.DeadlineID, deadline.Regime(d.Regime)); ok {
		c.Report = &t
	}
	clock := ClockOf(in)
	switch {
	case !d.Active:
		c.State, c.Text = StateInactive, "no longer applies"
	case d.SubmittedAt != nil:
		c.State, c.Text = StateSubmitted, "submitted"
	case d.Pending:
		c.State, c.Text = StatePending, "starts with "+deadline.Event(d.StartsWith).Describe()
	case d.Due == nil:
		c.State, c.Text = StateNoPeriod, "without undue delay (no fixed period)"
	default:
		c.Left = d.Due.Sub(clock.Incident(now))
		c.LeftReal = d.DueReal.Sub(now)
		switch {
		case c.Left < 0:
			c.State, c.Text = StateOverdue, "overdue by "+FormatDuration(-c.Left)
		default:
			c.State, c.Text = StateRunning, "due in "+FormatDuration(c.Left)
			if soon(d, c.Left) {
				c.State = StateSoon
			}
		}
	}
	return c
}

// soon: at most a quarter of the period, or 2 hours, left.
func soon(d domain.IncidentDeadline, left time.Duration) bool {
	if left <= 2*time.Hour {
		return true
	}
	if d.StartsAt != nil && d.Due != nil {
		return left <= d.Due.Sub(*d.StartsAt)/4
	}
	return false
}

var stateOrder = map[string]int{StateOverdue: 0, StateSoon: 1, StateRunning: 2, StateNoPeriod: 3, StatePending: 4, StateSubmitted: 5, StateInactive: 6}

// Countdowns returns the countdowns of an incident's deadlines, most urgent first: overdue, then by due
// time, then those without a due time, then submitted and inactive ones.
func Countdowns(in domain.Incident, ds []domain.IncidentDeadline, now time.Time) []Countdown {
	out := make([]Countdown, 0, len(ds))
	for _, d := range ds {
		out = append(out, CountdownOf(in, d, now))
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		running := func(c Countdown) bool {
			return c.State == StateOverdue || c.State == StateSoon || c.State == StateRunning
		}
		if running(a) && running(b) {
			return a.Left < b.Left
		}
		return stateOrder[a.State] < stateOrder[b.State]
	})
	return out
}

// FormatDuration renders a duration for a countdown: "3 days 4 h", "21 h 12 min", "12 min", "less than a
// minute".
func FormatDuration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	d = d.Truncate(time.Minute)
	days := int(d / (24 * time.Hour))
	h := int(d % (24 * time.Hour) / time.Hour)
	m := int(d % time.Hour / time.Minute)
	switch {
	case days >= 2:
		return fmt.Sprintf("%d days %d h", days, h)
	case days == 1:
		return fmt.Sprintf("1 day %d h", h)
	case h > 0:
		return fmt.Sprintf("%d h %02d min", h, m)
	case m > 0:
		return fmt.Sprintf("%d min", m)
	}
	return "less than a minute"
}

// ReportFor returns the report template that answers a deadline: the template written for that deadline
// id, or else the first template of its regime (the manufacturer's report also serves the 2- and 10-day
// MDR cases; the hospital's report also tells the manufacturer).
func ReportFor(deadlineID string, regime deadline.Regime) (deadline.ReportTemplate, bool) {
	for _, t := range deadline.Reports().Templates {
		if t.Deadline == deadlineID {
			return t, true
		}
	}
	if ts := deadline.ReportsFor(regime); len(ts) > 0 {
		return ts[0], true
	}
	return deadline.ReportTemplate{}, false
}
