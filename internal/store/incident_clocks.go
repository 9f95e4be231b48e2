package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// Incident clocks: the guided answers (a history: a change adds a row), the deadlines computed from them,
// the submissions that close deadlines and the reminders already sent.

// SetIncidentAnswer records an answer to a guided question when it differs from the current one, with a
// timeline entry showing the change. It reports whether anything changed. The caller validates the
// question and answer ids (internal/incident knows them) and recomputes the clocks.
func (tx *Tx) SetIncidentAnswer(ctx context.Context, incidentID int64, question, answer, note string) (bool, error) {
	in, err := tx.Incident(ctx, incidentID)
	if err != nil {
		return false, err
	}
	cur, err := incidentAnswers(ctx, tx.Q, tx.org, incidentID)
	if err != nil {
		return false, err
	}
	prev := ""
	for _, a := range cur {
		if a.Question == question {
			prev = a.Answer
		}
	}
	if prev == answer {
		return false, nil
	}
	a := domain.ActorFrom(ctx)
	if _, err := tx.Exec(ctx, `INSERT INTO incident_answers (org_id, incident_id, question, answer, note, answered_by, answered_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, tx.org, incidentID, question, answer, note, a.Name, now()); err != nil {
		return false, err
	}
	from := prev
	if from == "" {
		from = "not answered"
	}
	if err := tx.addEvent(ctx, incidentID, "answer", fmt.Sprintf("Answer %s: %s → %s", question, from, answer), note); err != nil {
		return false, err
	}
	return true, tx.Audit(ctx, AuditEntry{Action: "incident.answer", Entity: "incident", EntityID: incidentID,
		Summary: fmt.Sprintf("%s: answered %s = %s", in.Ref(), question, answer),
		Data:    map[string]any{"question": question, "answer": answer, "previous": prev, "note": note}})
}

func incidentAnswers(ctx context.Context, q Q, org, id int64) ([]domain.IncidentAnswer, error) {
	rows, err := q.Query(ctx, `SELECT id, incident_id, question, answer, note, answered_by, answered_at FROM incident_answers
		WHERE org_id = ? AND incident_id = ? ORDER BY id`, org, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.IncidentAnswer{}
	for rows.Next() {
		var a domain.IncidentAnswer
		if err := rows.Scan(&a.ID, &a.IncidentID, &a.Question, &a.Answer, &a.Note, &a.By, &a.At); err != nil {
			return nil, err
		}
		a.At = a.At.UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}

// IncidentAnswers returns every answer given for the incident, oldest first (the history); the latest
// per question is the current one.
func (sc *Scope) IncidentAnswers(ctx context.Context, id int64) ([]domain.IncidentAnswer, error) {
	return incidentAnswers(ctx, sc.Q, sc.org, id)
}

// IncidentAnswers is Scope.IncidentAnswers within the transaction.
func (tx *Tx) IncidentAnswers(ctx context.Context, id int64) ([]domain.IncidentAnswer, error) {
	return incidentAnswers(ctx, tx.Q, tx.org, id)
}

const deadlineCols = `d.id, d.incident_id, d.deadline_id, d.regime, d.title, d.starts_with, d.period, d.period_kind, d.starts_at, d.due,
	d.due_real, d.legal_end, d.legal_note, d.pending, d.provisional, d.active, d.recipient, d.basis, d.note, d.computed,
	(SELECT MIN(s.submitted_at) FROM incident_submissions s WHERE s.org_id = d.org_id AND s.incident_id = d.incident_id AND s.deadline_id = d.deadline_id)`

func scanDeadline(sc interface{ Scan(...any) error }) (domain.IncidentDeadline, error) {
	var d domain.IncidentDeadline
	var sub any
	err := sc.Scan(&d.ID, &d.IncidentID, &d.DeadlineID, &d.Regime, &d.Title, &d.StartsWith, &d.Period, &d.PeriodKind, &d.StartsAt,
		&d.Due, &d.DueReal, &d.LegalEnd, &d.LegalNote, &d.Pending, &d.Provisional, &d.Active, &d.Recipient, &d.Basis, &d.Note,
		&d.Computed, &sub)
	if err != nil {
		return d, err
	}
	d.StartsAt, d.Due, d.DueReal, d.LegalEnd = utcPtr(d.StartsAt), utcPtr(d.Due), utcPtr(d.DueReal), utcPtr(d.LegalEnd)
	d.Computed = d.Computed.UTC()
	if d.SubmittedAt, err = anyTime(sub); err != nil {
		return d, fmt.Errorf("deadline %s submitted_at: %w", d.DeadlineID, err)
	}
	return d, nil
}

// anyTime reads a time from an aggregate (MIN over a TIMESTAMP column), which SQLite returns as text.
func anyTime(v any) (*time.Time, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case time.Time:
		u := x.UTC()
		return &u, nil
	case string:
		for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999Z07:00", time.RFC3339Nano,
			"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
			if t, err := time.Parse(layout, x); err == nil {
				u := t.UTC()
				return &u, nil
			}
		}
		return nil, fmt.Errorf("unreadable time %q", x)
	case []byte:
		return anyTime(string(x))
	}
	return nil, fmt.Errorf("unexpected time value %T", v)
}

func incidentDeadlines(ctx context.Context, q Q, org, id int64) ([]domain.IncidentDeadline, error) {
	rows, err := q.Query(ctx, "SELECT "+deadlineCols+` FROM incident_deadlines d WHERE d.org_id = ? AND d.incident_id = ?
		ORDER BY d.active DESC, CASE WHEN d.due IS NULL THEN 1 ELSE 0 END, d.due, d.deadline_id`, org, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.IncidentDeadline{}
	for rows.Next() {
		d, err := scanDeadline(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// IncidentDeadlines returns the incident's deadlines: the active ones first, most urgent first, then
// those that no longer apply (kept so that their history stays readable).
func (sc *Scope) IncidentDeadlines(ctx context.Context, id int64) ([]domain.IncidentDeadline, error) {
	return incidentDeadlines(ctx, sc.Q, sc.org, id)
}

// IncidentDeadlines is Scope.IncidentDeadlines within the transaction.
func (tx *Tx) IncidentDeadlines(ctx context.Context, id int64) ([]domain.IncidentDeadline, error) {
	return incidentDeadlines(ctx, tx.Q, tx.org, id)
}

// SaveIncidentDeadlines stores the incident's freshly computed deadlines: each one is inserted or
// updated and marked active; deadlines the computation no longer returns are kept but marked inactive.
// When a due time, an applicability or a pending state changed, a "clocks" entry on the timeline says
// what changed and why (reason). Times must be in the store's precision (TS).
func (tx *Tx) SaveIncidentDeadlines(ctx context.Context, incidentID int64, ds []domain.IncidentDeadline, reason string) error {
	in, err := tx.Incident(ctx, incidentID)
	if err != nil {
		return err
	}
	old, err := incidentDeadlines(ctx, tx.Q, tx.org, incidentID)
	if err != nil {
		return err
	}
	byID := map[string]domain.IncidentDeadline{}
	for _, d := range old {
		byID[d.DeadlineID] = d
	}
	t := now()
	keep := map[string]bool{}
	var changes []string
	for _, d := range ds {
		keep[d.DeadlineID] = true
		prev, existed := byID[d.DeadlineID]
		switch {
		case !existed || !prev.Active:
			changes = append(changes, d.DeadlineID+" applies"+dueText(d.Due))
		case !sameTime(prev.Due, d.Due):
			changes = append(changes, d.DeadlineID+dueText(d.Due)+" (was"+strings.TrimPrefix(dueText(prev.Due), ", due")+")")
		}
		if existed {
			_, err = tx.Exec(ctx, `UPDATE incident_deadlines SET regime = ?, title = ?, starts_with = ?, period = ?, period_kind = ?,
				starts_at = ?, due = ?, due_real = ?, legal_end = ?, legal_note = ?, pending = ?, provisional = ?, active = TRUE,
				recipient = ?, basis = ?, note = ?, computed = ? WHERE org_id = ? AND id = ?`,
				d.Regime, d.Title, d.StartsWith, d.Period, d.PeriodKind, tsArg(d.StartsAt), tsArg(d.Due), tsArg(d.DueReal), tsArg(d.LegalEnd),
				d.LegalNote, d.Pending, d.Provisional, d.Recipient, d.Basis, d.Note, t, tx.org, prev.ID)
		} else {
			_, err = tx.Exec(ctx, `INSERT INTO incident_deadlines (org_id, incident_id, deadline_id, regime, title, starts_with, period,
				period_kind, starts_at, due, due_real, legal_end, legal_note, pending, provisional, active, recipient, basis, note, computed)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, TRUE, ?, ?, ?, ?)`,
				tx.org, incidentID, d.DeadlineID, d.Regime, d.Title, d.StartsWith, d.Period, d.PeriodKind, tsArg(d.StartsAt), tsArg(d.Due),
				tsArg(d.DueReal), tsArg(d.LegalEnd), d.LegalNote, d.Pending, d.Provisional, d.Recipient, d.Basis, d.Note, t)
		}
		if err != nil {
			return fmt.Errorf("save deadline %s: %w", d.DeadlineID, err)
		}
	}
	for _, d := range old {
		if keep[d.DeadlineID] || !d.Active {
			continue
		}
		changes = append(changes, d.DeadlineID+" no longer applies")
		if _, err := tx.Exec(ctx, "UPDATE incident_deadlines SET active = FALSE, computed = ? WHERE org_id = ? AND id = ?", t, tx.org, d.ID); err != nil {
			return err
		}
	}
	if len(changes) == 0 {
		return nil
	}
	sort.Strings(changes)
	summary := "Clocks recomputed"
	if reason != "" {
		summary += " (" + reason + ")"
	}
	if err := tx.addEvent(ctx, incidentID, "clocks", summary, strings.Join(changes, "; ")); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "incident.clocks", Entity: "incident", EntityID: incidentID,
		Summary: in.Ref() + ": " + strings.ToLower(summary[:1]) + summary[1:], Data: map[string]any{"changes": changes}})
}

func sameTime(a, b *time.Time) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && a.Equal(*b))
}

func dueText(t *time.Time) string {
	if t == nil {
		return ", no due time yet"
	}
	return ", due " + t.UTC().Format(time.RFC3339)
}

// AddIncidentSubmission records that a report was submitted; it closes the deadline with the same id.
// The caller recomputes the clocks (a notification starts the final report's period).
func (tx *Tx) AddIncidentSubmission(ctx context.Context, s *domain.IncidentSubmission) error {
	in, err := tx.Incident(ctx, s.IncidentID)
	if err != nil {
		return err
	}
	s.DeadlineID, s.Recipient, s.Reference = strings.TrimSpace(s.DeadlineID), strings.TrimSpace(s.Recipient), strings.TrimSpace(s.Reference)
	if s.DeadlineID == "" {
		return domain.Invalid("deadline_id", "is required: which obligation does the submission answer?")
	}
	if s.SubmittedAt.IsZero() {
		return domain.Invalid("submitted_at", "is required")
	}
	if s.Recipient == "" {
		return domain.Invalid("recipient", "is required: to whom was it sent?")
	}
	if s.SubmittedAt.After(now().Add(5 * time.Minute)) {
		return domain.Invalid("submitted_at", "is in the future")
	}
	if s.ReportID != 0 {
		var n int
		if n, err = tx.Count(ctx, "SELECT COUNT(*) FROM incident_reports WHERE org_id = ? AND incident_id = ? AND id = ?", tx.org, s.IncidentID, s.ReportID); err != nil {
			return err
		}
		if n == 0 {
			return domain.Invalid("report_id", "no report version %d of this incident", s.ReportID)
		}
	}
	if s.By == "" {
		s.By = domain.ActorFrom(ctx).Name
	}
	s.SubmittedAt, s.Created = TS(s.SubmittedAt), now()
	id, err := tx.InsertID(ctx, `INSERT INTO incident_submissions (org_id, incident_id, deadline_id, report_id, submitted_at, recipient,
		reference, submitted_by, note, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		tx.org, s.IncidentID, s.DeadlineID, nullID(s.ReportID), s.SubmittedAt, s.Recipient, s.Reference, s.By, s.Note, s.Created)
	if err != nil {
		return err
	}
	s.ID = id
	summary := fmt.Sprintf("Submitted %s to %s", s.DeadlineID, s.Recipient)
	if s.Reference != "" {
		summary += " (reference " + s.Reference + ")"
	}
	if err := tx.addEvent(ctx, s.IncidentID, "submission", summary, s.Note); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "incident.submission", Entity: "incident", EntityID: s.IncidentID,
		Summary: in.Ref() + ": " + strings.ToLower(summary[:1]) + summary[1:], Data: s})
}

func incidentSubmissions(ctx context.Context, q Q, org, id int64) ([]domain.IncidentSubmission, error) {
	rows, err := q.Query(ctx, `SELECT id, incident_id, deadline_id, COALESCE(report_id, 0), submitted_at, recipient, reference, submitted_by,
		note, created FROM incident_submissions WHERE org_id = ? AND incident_id = ? ORDER BY submitted_at, id`, org, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.IncidentSubmission{}
	for rows.Next() {
		var s domain.IncidentSubmission
		if err := rows.Scan(&s.ID, &s.IncidentID, &s.DeadlineID, &s.ReportID, &s.SubmittedAt, &s.Recipient, &s.Reference, &s.By,
			&s.Note, &s.Created); err != nil {
			return nil, err
		}
		s.SubmittedAt, s.Created = s.SubmittedAt.UTC(), s.Created.UTC()
		out = append(out, s)
	}
	return out, rows.Err()
}

// IncidentSubmissions lists the submissions of an incident in the order they were sent.
func (sc *Scope) IncidentSubmissions(ctx context.Context, id int64) ([]domain.IncidentSubmission, error) {
	return incidentSubmissions(ctx, sc.Q, sc.org, id)
}

// IncidentSubmissions is Scope.IncidentSubmissions within the transaction.
func (tx *Tx) IncidentSubmissions(ctx context.Context, id int64) ([]domain.IncidentSubmission, error) {
	return incidentSubmissions(ctx, tx.Q, tx.org, id)
}

// OpenDeadline is a running clock with the incident it belongs to, for reminders and dashboards.
type OpenDeadline struct {
	domain.IncidentDeadline
	OrgID    int64                 `json:"org_id"`
	Incident string                `json:"incident"` // title
	Exercise bool                  `json:"exercise"`
	Status   domain.IncidentStatus `json:"status"`
	OwnerID  int64                 `json:"owner_id,omitempty"`
	Accel    int                   `json:"acceleration"`
	AwareAt  time.Time             `json:"aware_at"`
}

const openDeadlineFrom = ` FROM incident_deadlines d JOIN incidents i ON i.id = d.incident_id AND i.org_id = d.org_id
	WHERE i.status <> 'closed' AND d.active = TRUE AND d.due_real IS NOT NULL
	AND NOT EXISTS (SELECT 1 FROM incident_submissions s WHERE s.org_id = d.org_id AND s.incident_id = d.incident_id AND s.deadline_id = d.deadline_id)`

func scanOpenDeadlines(q Q, ctx context.Context, query string, args ...any) ([]OpenDeadline, error) {
	rows, err := q.Query(ctx, "SELECT "+deadlineCols+", d.org_id, i.title, i.exercise, i.status, COALESCE(i.owner_id, 0), i.acceleration, i.aware_at"+query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []OpenDeadline{}
	for rows.Next() {
		var o OpenDeadline
		var sub any
		var status string
		d := &o.IncidentDeadline
		if err := rows.Scan(&d.ID, &d.IncidentID, &d.DeadlineID, &d.Regime, &d.Title, &d.StartsWith, &d.Period, &d.PeriodKind, &d.StartsAt,
			&d.Due, &d.DueReal, &d.LegalEnd, &d.LegalNote, &d.Pending, &d.Provisional, &d.Active, &d.Recipient, &d.Basis, &d.Note,
			&d.Computed, &sub, &o.OrgID, &o.Incident, &o.Exercise, &status, &o.OwnerID, &o.Accel, &o.AwareAt); err != nil {
			return nil, err
		}
		d.StartsAt, d.Due, d.DueReal, d.LegalEnd = utcPtr(d.StartsAt), utcPtr(d.Due), utcPtr(d.DueReal), utcPtr(d.LegalEnd)
		o.Status, o.AwareAt = domain.IncidentStatus(status), o.AwareAt.UTC()
		out = append(out, o)
	}
	return out, rows.Err()
}

// OpenIncidentDeadlines lists the running clocks of all organisations, most urgent first: what the
// reminder job looks at. Exercises are included (their reminders go to the participants only).
func (s *Store) OpenIncidentDeadlines(ctx context.Context) ([]OpenDeadline, error) {
	return scanOpenDeadlines(s.Read(), ctx, openDeadlineFrom+" ORDER BY d.due_real, d.id")
}

// NearestIncidentDeadlines lists the organisation's running clocks of real incidents, most urgent first
// (the dashboard card). Exercises are never included.
func (sc *Scope) NearestIncidentDeadlines(ctx context.Context, limit int) ([]OpenDeadline, error) {
	return scanOpenDeadlines(sc.Q, ctx, openDeadlineFrom+" AND d.org_id = ? AND i.exercise = FALSE ORDER BY d.due_real, d.id LIMIT ?", sc.org, limit)
}

// RecordIncidentReminder records that a reminder of kind for the deadline's due time is being sent. It
// returns false when it was recorded before (by this or another server), so each reminder goes out once.
func (tx *Tx) RecordIncidentReminder(ctx context.Context, r *domain.IncidentReminder) (bool, error) {
	r.SentAt = now()
	rows, err := tx.Query(ctx, `INSERT INTO incident_reminders (org_id, incident_id, deadline, deadline_id, kind, due, sent_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (deadline, kind, due) DO NOTHING RETURNING id`,
		tx.org, r.IncidentID, r.Deadline, r.DeadlineID, r.Kind, TS(r.Due), r.SentAt)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	if !rows.Next() {
		return false, rows.Err()
	}
	if err := rows.Scan(&r.ID); err != nil {
		return false, err
	}
	if err := rows.Close(); err != nil {
		return false, err
	}
	summary := fmt.Sprintf("Reminder sent: %s (%s)", r.DeadlineID, r.Kind)
	if err := tx.addEvent(ctx, r.IncidentID, "reminder", summary, ""); err != nil {
		return false, err
	}
	return true, tx.Audit(ctx, AuditEntry{Action: "incident.reminder", Entity: "incident", EntityID: r.IncidentID, Summary: summary, Data: r})
}

// IncidentReminders lists the reminders sent for an incident.
func (sc *Scope) IncidentReminders(ctx context.Context, id int64) ([]domain.IncidentReminder, error) {
	rows, err := sc.Query(ctx, `SELECT id, incident_id, deadline, deadline_id, kind, due, sent_at FROM incident_reminders
		WHERE org_id = ? AND incident_id = ? ORDER BY id`, sc.org, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.IncidentReminder{}
	for rows.Next() {
		var r domain.IncidentReminder
		if err := rows.Scan(&r.ID, &r.IncidentID, &r.Deadline, &r.DeadlineID, &r.Kind, &r.Due, &r.SentAt); err != nil {
			return nil, err
		}
		r.Due, r.SentAt = r.Due.UTC(), r.SentAt.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}
