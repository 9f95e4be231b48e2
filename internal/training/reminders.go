package training

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/jobs"
	"github.com/vigil-med/vigil/internal/notify"
	"github.com/vigil-med/vigil/internal/store"
)

// Notification kinds and the reminder job.
const (
	EventDue     = "training.due"     // an assignment falls due within ReminderLead
	EventOverdue = "training.overdue" // an assignment is overdue
	JobReminders = "training.reminders"
	// ReminderLead is how long before its due date a person is reminded of an open assignment.
	ReminderLead = 14 * 24 * time.Hour
)

// Register adds the training module's notification kinds, the reminder job and its hourly schedule.
func Register(r *jobs.Runner, st *store.Store, n *notify.Notifier, now func() time.Time, log *slog.Logger) {
	n.Events.Register(notify.EventKind{Name: EventDue, Label: "a training module of yours falls due", EmailDefault: true})
	n.Events.Register(notify.EventKind{Name: EventOverdue, Label: "a training module of yours is overdue", EmailDefault: true})
	r.Register(JobReminders, func(ctx context.Context, j *store.Job, p *jobs.Progress) error {
		orgs, err := st.Orgs(ctx)
		if err != nil {
			return err
		}
		var total ReminderResult
		for i, o := range orgs {
			res, err := SendReminders(ctx, st, n, o.ID, now())
			if err != nil {
				return fmt.Errorf("organisation %s: %w", o.Slug, err)
			}
			total.add(res)
			p.Set(ctx, 100*(i+1)/len(orgs), o.Slug)
		}
		p.Result = total.String()
		if log != nil && total.People > 0 {
			log.Info("training reminders", "result", p.Result)
		}
		return nil
	})
	r.Every(jobs.Schedule{Name: JobReminders, Kind: JobReminders, Every: time.Hour})
}

// ReminderResult counts the reminders of a run.
type ReminderResult struct {
	Due        int  `json:"due"`        // due-soon reminders (assignments)
	Overdue    int  `json:"overdue"`    // overdue reminders (assignments)
	People     int  `json:"people"`     // people written to (one e-mail each per run)
	NoAddress  int  `json:"no_address"` // people with a reminder but no e-mail address
	NoMail     bool `json:"no_mail"`    // e-mail is not configured: nothing was sent or recorded
	Candidates int  `json:"candidates"` // assignments that want a reminder at this stage
}

func (r *ReminderResult) add(o ReminderResult) {
	r.Due += o.Due
	r.Overdue += o.Overdue
	r.People += o.People
	r.NoAddress += o.NoAddress
	r.NoMail = r.NoMail || o.NoMail
	r.Candidates += o.Candidates
}

func (r ReminderResult) String() string {
	if r.NoMail {
		return "e-mail is not configured (smtp.host): training reminders wait until it is"
	}
	return fmt.Sprintf("%d due and %d overdue reminders to %d people (%d without e-mail address)", r.Due, r.Overdue, r.People, r.NoAddress)
}

type reminderItem struct {
	view  AssignmentView
	stage string
}

// stageOf returns the reminder stage an assignment is in on day: "overdue", "due" within ReminderLead of
// its due date, or "" for none.
func stageOf(v AssignmentView, day time.Time) string {
	switch v.Status.State {
	case StateOverdue:
		return "overdue"
	case StateDue:
		if v.Status.Due.Sub(day) <= ReminderLead {
			return "due"
		}
	}
	return ""
}

// SendReminders reminds the people of an organisation of assignments that fall due within
// ReminderLead or are overdue — each assignment once per stage and due date (a completion that expires
// later starts a new round). A person with a Vigil account is written to through the notifier (their
// notification preferences apply; webhooks subscribed to training.* receive the event too), a person
// without one at the e-mail address of the staff register. Each person gets one e-mail per run listing
// their modules. Without e-mail configured nothing is sent or recorded, so the reminders go out once it
// is.
func SendReminders(ctx context.Context, st *store.Store, n *notify.Notifier, org int64, now time.Time) (ReminderResult, error) {
	var res ReminderResult
	if n.Mailer == nil {
		res.NoMail = true
		return res, nil
	}
	sc := st.Scope(org)
	d, err := Load(ctx, sc)
	if err != nil {
		return res, err
	}
	day := Day(now, d.Location)
	byPerson := map[int64][]reminderItem{}
	for _, v := range Views(d, now) {
		if s := stageOf(v, day); s != "" {
			byPerson[v.StaffID] = append(byPerson[v.StaffID], reminderItem{view: v, stage: s})
			res.Candidates++
		}
	}
	if len(byPerson) == 0 {
		return res, nil
	}
	staff := map[int64]domain.Staff{}
	for _, p := range d.Staff {
		staff[p.ID] = p
	}
	ids := make([]int64, 0, len(byPerson))
	for id := range byPerson {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	ctx = domain.WithActor(ctx, domain.Actor{Kind: domain.ActorSystem, Name: "job:" + JobReminders, OrgID: org})
	err = sc.Write(ctx, func(tx *store.Tx) error {
		for _, id := range ids {
			p := staff[id]
			var user *domain.User
			if p.UserID != nil {
				if u, err := tx.Scope().User(ctx, *p.UserID); err == nil && !u.Disabled {
					user = &u
				}
			}
			channel, target := "staff-email", p.Email
			if user != nil {
				channel, target = "user", user.Email
			}
			if target == "" {
				res.NoAddress++
				continue
			}
			var fresh []reminderItem
			for _, it := range byPerson[id] {
				ok, err := tx.RecordReminder(ctx, it.view.ID, it.stage, it.view.Status.Due, channel, target)
				if err != nil {
					return err
				}
				if ok {
					fresh = append(fresh, it)
				}
			}
			if len(fresh) == 0 {
				continue
			}
			event, subject, body := reminderMessage(p, fresh)
			if user != nil {
				if err := n.Notify(ctx, tx, notify.Message{Event: event, Subject: subject, Body: body, UserIDs: []int64{user.ID},
					Link: fmt.Sprintf("/training/people/%d", p.ID), Data: map[string]any{"staff_id": p.ID, "assignments": len(fresh)}}); err != nil {
					return err
				}
			} else if _, err := n.EmailAddress(ctx, tx, event, p.Email, subject, body); err != nil {
				return err
			}
			res.People++
			for _, it := range fresh {
				if it.stage == "overdue" {
					res.Overdue++
				} else {
					res.Due++
				}
			}
		}
		if res.People == 0 {
			return nil
		}
		return tx.Audit(ctx, store.AuditEntry{Action: "training.remind", Entity: "training_assignment", Summary: res.String(), Data: res})
	})
	return res, err
}

func reminderMessage(p domain.Staff, items []reminderItem) (event, subject, body string) {
	sort.Slice(items, func(i, j int) bool { return items[i].view.Status.Due.Before(items[j].view.Status.Due) })
	event = EventDue
	overdue := 0
	for _, it := range items {
		if it.stage == "overdue" {
			event = EventOverdue
			overdue++
		}
	}
	first := items[0].view
	switch {
	case len(items) == 1 && overdue == 1:
		subject = fmt.Sprintf("Training overdue: %s (due %s)", first.ModuleTitle, first.Status.Due.Format("2006-01-02"))
	case len(items) == 1:
		subject = fmt.Sprintf("Training due by %s: %s", first.Status.Due.Format("2006-01-02"), first.ModuleTitle)
	case overdue > 0:
		subject = fmt.Sprintf("%d training modules are overdue or due soon", len(items))
	default:
		subject = fmt.Sprintf("%d training modules are due soon", len(items))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Hello %s,\n\nthis is a reminder of security training assigned to you:\n\n", p.Name)
	for _, it := range items {
		v := it.view
		state := "due by " + v.Status.Due.Format("2006-01-02")
		if it.stage == "overdue" {
			state = "overdue since " + v.Status.Due.Format("2006-01-02")
		}
		if v.Status.Expired {
			state += ", your last completion has expired"
		}
		fmt.Fprintf(&b, "  - %s — %s (%s)\n", v.ModuleTitle, state, v.Duty.Label())
	}
	b.WriteString("\nPlease complete it, or talk to your manager if you cannot. Once it is recorded you will not be reminded again.")
	return event, subject, b.String()
}
