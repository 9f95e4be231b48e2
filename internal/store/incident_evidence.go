package store

import (
	"context"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// IncidentRecordFigures are the figures of the organisation's real incidents (never exercises) over a
// period, for the NIS2 Art 21(2)(b) evidence of the incident module. An incident belongs to the period
// when the organisation became aware of it in [From, To]; reviews count incidents closed in the period.
type IncidentRecordFigures struct {
	From, To time.Time
	// Recorded counts every real incident the organisation ever recorded; Last is the awareness time of
	// the latest (nil without any).
	Recorded int
	Last     *time.Time
	// Incidents of the period, of which Open are not closed (still being handled) and Closed are closed.
	Incidents, Open, Closed int
	// Significant incidents of the period: the NIS2 early warning (Art 23(4)(a)) applies, i.e. the
	// answers made the incident significant under Art 23(3).
	Significant int
	// DeadlinesDue are the reporting deadlines of the period's incidents that had fallen due by To or
	// were submitted; DeadlinesOnTime of them were submitted no later than their due time (on the
	// wall clock).
	DeadlinesDue, DeadlinesOnTime int
	// WithDeadlines are the period's incidents with at least one such deadline; AllOnTime of them met
	// every one.
	WithDeadlines, AllOnTime int
	// EarlyWarningHours holds, per incident of the period with a submitted early warning, the hours
	// from awareness to its submission.
	EarlyWarningHours []float64
	// ClosedInPeriod are the real incidents closed in the period, Reviewed of them with a post-incident
	// review.
	ClosedInPeriod, Reviewed int
}

// IncidentRecordFigures computes the figures of the period [from, to] (see the type).
func (sc *Scope) IncidentRecordFigures(ctx context.Context, from, to time.Time) (IncidentRecordFigures, error) {
	f := IncidentRecordFigures{From: from.UTC(), To: to.UTC()}
	var err error
	if f.Recorded, err = sc.Count(ctx, "SELECT COUNT(*) FROM incidents WHERE org_id = ? AND exercise = FALSE", sc.org); err != nil {
		return f, err
	}
	if f.Recorded == 0 {
		return f, nil
	}
	var last time.Time
	if err := sc.QueryRow(ctx, "SELECT aware_at FROM incidents WHERE org_id = ? AND exercise = FALSE ORDER BY aware_at DESC, id DESC LIMIT 1",
		sc.org).Scan(&last); err != nil {
		return f, err
	}
	last = last.UTC()
	f.Last = &last

	type inc struct {
		id     int64
		status string
		aware  time.Time
	}
	incs, err := queryAll(ctx, sc.Q, func(r interface{ Scan(...any) error }) (inc, error) {
		var i inc
		err := r.Scan(&i.id, &i.status, &i.aware)
		return i, err
	}, `SELECT id, status, aware_at FROM incidents WHERE org_id = ? AND exercise = FALSE AND aware_at >= ? AND aware_at <= ?`,
		sc.org, TS(from), TS(to))
	if err != nil {
		return f, err
	}
	aware := map[int64]time.Time{}
	for _, i := range incs {
		f.Incidents++
		if domain.IncidentStatus(i.status) == domain.StatusClosed {
			f.Closed++
		} else {
			f.Open++
		}
		aware[i.id] = i.aware.UTC()
	}

	ds, err := queryAll(ctx, sc.Q, scanDeadline, "SELECT "+deadlineCols+` FROM incident_deadlines d
		JOIN incidents i ON i.id = d.incident_id AND i.org_id = d.org_id
		WHERE d.org_id = ? AND i.exercise = FALSE AND i.aware_at >= ? AND i.aware_at <= ? AND d.active = TRUE`, sc.org, TS(from), TS(to))
	if err != nil {
		return f, err
	}
	type tally struct{ due, onTime int }
	per := map[int64]*tally{}
	significant := map[int64]bool{}
	for _, d := range ds {
		if d.DeadlineID == "nis2.23.ew" {
			significant[d.IncidentID] = true
			if d.SubmittedAt != nil {
				f.EarlyWarningHours = append(f.EarlyWarningHours, d.SubmittedAt.Sub(aware[d.IncidentID]).Hours())
			}
		}
		due := d.DueReal
		if due == nil {
			due = d.Due
		}
		if due == nil || (d.SubmittedAt == nil && due.After(to)) {
			continue // no due time yet, or still running
		}
		t := per[d.IncidentID]
		if t == nil {
			t = &tally{}
			per[d.IncidentID] = t
		}
		t.due++
		f.DeadlinesDue++
		if d.SubmittedAt != nil && !d.SubmittedAt.After(*due) {
			t.onTime++
			f.DeadlinesOnTime++
		}
	}
	f.Significant = len(significant)
	for _, t := range per {
		f.WithDeadlines++
		if t.onTime == t.due {
			f.AllOnTime++
		}
	}

	if f.ClosedInPeriod, err = sc.Count(ctx, `SELECT COUNT(*) FROM incidents WHERE org_id = ? AND exercise = FALSE AND status = 'closed'
		AND closed_at >= ? AND closed_at <= ?`, sc.org, TS(from), TS(to)); err != nil {
		return f, err
	}
	f.Reviewed, err = sc.Count(ctx, `SELECT COUNT(*) FROM incidents i JOIN incident_reviews r ON r.incident_id = i.id AND r.org_id = i.org_id
		WHERE i.org_id = ? AND i.exercise = FALSE AND i.status = 'closed' AND i.closed_at >= ? AND i.closed_at <= ? AND r.reviewed_at IS NOT NULL`,
		sc.org, TS(from), TS(to))
	return f, err
}
