package incident

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/jobs"
	"github.com/vigil-med/vigil/internal/notify"
	"github.com/vigil-med/vigil/internal/store"
)

// Notification event kinds of the module.
const (
	EventDeadlineSoon    = "incident.deadline_soon"
	EventDeadlineOverdue = "incident.deadline_overdue"
	// JobReminders is the kind of the scheduled reminder job.
	JobReminders = "incident.reminders"
)

// Reminder kinds (see the package documentation for the policy).
const (
	ReminderHalf    = "half"    // half of an hour period has passed
	Reminder2h      = "2h"      // 2 hours before the due time (hour periods)
	Reminder1d      = "1d"      // 1 day before the due time (day and month periods)
	ReminderOverdue = "overdue" // the due time has passed
)

// ReminderPoint is a moment at which a reminder of a deadline is due, on the incident's clock.
type ReminderPoint struct {
	Kind string
	At   time.Time
}

// ReminderPoints returns a deadline's reminder points in time order (none without a due time).
func ReminderPoints(d domain.IncidentDeadline) []ReminderPoint {
	if d.Due == nil {
		return nil
	}
	due := *d.Due
	var out []ReminderPoint
	switch d.PeriodKind {
	case "hours":
		if d.StartsAt != nil {
			half := d.StartsAt.Add(due.Sub(*d.StartsAt) / 2)
			out = append(out, ReminderPoint{ReminderHalf, half})
			if two := due.Add(-2 * time.Hour); two.After(half) {
				out = append(out, ReminderPoint{Reminder2h, two})
			}
		} else {
			out = append(out, ReminderPoint{Reminder2h, due.Add(-2 * time.Hour)})
		}
	case "days", "months":
		day := due.Add(-24 * time.Hour)
		if d.StartsAt == nil || day.After(*d.StartsAt) {
			out = append(out, ReminderPoint{Reminder1d, day})
		}
	}
	return append(out, ReminderPoint{ReminderOverdue, due})
}

// DueReminder returns the latest reminder point that has passed at the wall-clock instant now, if any:
// the one reminder that should have been sent by now.
func DueReminder(in domain.Incident, d domain.IncidentDeadline, now time.Time) (ReminderPoint, bool) {
	clock := ClockOf(in)
	var best ReminderPoint
	found := false
	for _, p := range ReminderPoints(d) {
		if !clock.Real(p.At).After(now) {
			best, found = p, true
		}
	}
	return best, found
}

// Reminders is the scheduled job that sends deadline reminders and overdue alerts.
type Reminders struct {
	Store    *store.Store
	Notifier *notify.Notifier
	Now      func() time.Time
	Log      *slog.Logger
}

// RegisterJobs registers the notification kinds, the reminder job and its schedule (every minute).
func RegisterJobs(r *jobs.Runner, st *store.Store, n *notify.Notifier, now func() time.Time, log *slog.Logger) *Reminders {
	n.Events.Register(notify.EventKind{Name: EventDeadlineSoon, Label: "an incident reporting deadline is approaching", EmailDefault: true})
	n.Events.Register(notify.EventKind{Name: EventDeadlineOverdue, Label: "an incident reporting deadline has passed without a submission", EmailDefault: true})
	rem := &Reminders{Store: st, Notifier: n, Now: now, Log: log}
	r.Register(JobReminders, func(ctx context.Context, _ *store.Job, p *jobs.Progress) error {
		n, err := rem.Run(ctx)
		p.Result = fmt.Sprintf("sent %d reminder(s)", n)
		return err
	})
	r.Every(jobs.Schedule{Name: JobReminders, Kind: JobReminders, Every: time.Minute})
	return rem
}

// Run sends the reminders that are due now and not sent yet; it returns how many it sent. Safe to run
// concurrently on several servers: each reminder is recorded under a unique key before it is sent, in
// the transaction that queues its notifications.
func (r *Reminders) Run(ctx context.Context) (int, error) {
	now := r.Now()
	open, err := r.Store.OpenIncidentDeadlines(ctx)
	if err != nil {
		return 0, err
	}
	orgs := map[int64]domain.Organisation{}
	sent := 0
	for _, o := range open {
		in := domain.Incident{ID: o.IncidentID, OrgID: o.OrgID, Title: o.Incident, Exercise: o.Exercise, Acceleration: o.Accel,
			AwareAt: o.AwareAt, OwnerID: o.OwnerID, Status: o.Status}
		p, ok := DueReminder(in, o.IncidentDeadline, now)
		if !ok {
			continue
		}
		org, ok := orgs[o.OrgID]
		if !ok {
			if org, err = r.Store.Org(ctx, o.OrgID); err != nil {
				return sent, err
			}
			orgs[o.OrgID] = org
		}
		did, err := r.send(ctx, org, in, o.IncidentDeadline, p, now)
		if err != nil {
			return sent, fmt.Errorf("reminder for incident %d %s: %w", o.IncidentID, o.DeadlineID, err)
		}
		if did {
			sent++
		}
	}
	return sent, nil
}

func (r *Reminders) send(ctx context.Context, org domain.Organisation, in domain.Incident, d domain.IncidentDeadline, p ReminderPoint, now time.Time) (bool, error) {
	ctx = domain.WithActor(ctx, domain.Actor{Kind: domain.ActorSystem, Name: "job:" + JobReminders, OrgID: org.ID})
	sc := r.Store.Scope(org.ID)
	sent := false
	err := sc.Write(ctx, func(tx *store.Tx) error {
		rec := domain.IncidentReminder{IncidentID: in.ID, Deadline: d.ID, DeadlineID: d.DeadlineID, Kind: p.Kind, Due: *d.Due}
		fresh, err := tx.RecordIncidentReminder(ctx, &rec)
		if err != nil || !fresh {
			return err
		}
		sent = true
		m := ReminderMessage(org, in, d, p.Kind, now)
		if in.Exercise {
			ids, err := sc.IncidentParticipants(ctx, in.ID)
			if err != nil {
				return err
			}
			if len(ids) == 0 {
				return nil // nobody to tell: an exercise never falls back to everyone
			}
			m.UserIDs, m.Roles, m.UsersOnly = ids, nil, true
		}
		return r.Notifier.Notify(ctx, tx, m)
	})
	return sent, err
}

// ReminderMessage builds the notification of a reminder: what is due, when (in the organisation's
// time zone), to whom, on which basis and which report to send. Exercise messages say EXERCISE first.
func ReminderMessage(org domain.Organisation, in domain.Incident, d domain.IncidentDeadline, kind string, now time.Time) notify.Message {
	cd := CountdownOf(in, d, now)
	loc := org.Location()
	event, state := EventDeadlineSoon, cd.Text
	if kind == ReminderOverdue {
		event = EventDeadlineOverdue
	}
	subject := fmt.Sprintf("%s %s: %s — %s", in.Ref(), d.Title, state, in.Title)
	if in.Exercise {
		subject = "EXERCISE — " + subject
	}
	var b strings.Builder
	if in.Exercise {
		fmt.Fprintf(&b, "EXERCISE — this is a training exercise, not a real incident (time runs %d× faster).\n\n", in.Acceleration)
	}
	fmt.Fprintf(&b, "%s: %s\n", d.Title, state)
	fmt.Fprintf(&b, "Due: %s", d.Due.In(loc).Format("Mon 2 Jan 2006 15:04 MST"))
	if in.Exercise {
		fmt.Fprintf(&b, " on the exercise clock (real time %s)", d.DueReal.In(loc).Format("15:04 MST"))
	}
	fmt.Fprintf(&b, "\nSend to: %s\nBasis: %s\n", d.Recipient, d.Basis)
	if cd.Report != nil {
		fmt.Fprintf(&b, "What to send: %s (a draft is on the incident page)\n", cd.Report.Title)
	}
	if d.Provisional {
		b.WriteString("This clock is provisional: some answers are still unknown.\n")
	}
	fmt.Fprintf(&b, "\nIncident %s: %s", in.Ref(), in.Title)
	roles := []domain.Role{domain.RoleSecurityOfficer, domain.RoleAdmin}
	switch {
	case d.Regime == "gdpr":
		roles = append(roles, domain.RoleDPO)
	case strings.HasPrefix(d.Regime, "mdr"):
		roles = append(roles, domain.RoleClinicalEngineer)
	}
	var users []int64
	if in.OwnerID != 0 {
		users = []int64{in.OwnerID}
	}
	return notify.Message{
		Event: event, Subject: subject, Body: b.String(), Link: fmt.Sprintf("/incidents/%d", in.ID),
		UserIDs: users, Roles: roles,
		Data: map[string]any{"incident_id": in.ID, "deadline_id": d.DeadlineID, "due": d.Due.UTC().Format(time.RFC3339),
			"recipient": d.Recipient, "basis": d.Basis, "reminder": kind, "exercise": in.Exercise},
	}
}
