// Package notify sends Vigil's notifications: e-mail over SMTP and HMAC-signed webhooks, chosen per user
// and event. Sending goes through durable jobs, so a mail server that is down delays a notification but
// does not lose it.
package notify

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/jobs"
	"github.com/vigil-med/vigil/internal/store"
)

// EventKind describes a kind of notification users can choose to receive.
type EventKind struct {
	Name         string // e.g. "finding.kev"
	Label        string // for the preferences page
	EmailDefault bool   // whether users get it by e-mail unless they opt out
}

// Events is the catalogue of notification kinds. Modules add theirs with Register.
type Events struct{ kinds map[string]EventKind }

// Register adds an event kind.
func (e *Events) Register(k EventKind) {
	if e.kinds == nil {
		e.kinds = map[string]EventKind{}
	}
	e.kinds[k.Name] = k
}

// List returns the kinds sorted by name.
func (e *Events) List() []EventKind {
	out := make([]EventKind, 0, len(e.kinds))
	for _, k := range e.kinds {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Get returns a kind by name.
func (e *Events) Get(name string) (EventKind, bool) { k, ok := e.kinds[name]; return k, ok }

// Message is one notification to the users (and webhooks) of an organisation.
type Message struct {
	Event   string         // an EventKind name
	Subject string         // one line
	Body    string         // plain text
	Link    string         // path in the web UI, e.g. /vulnerabilities/12
	Data    map[string]any // machine-readable details for webhooks
	UserIDs []int64        // recipients; empty with Roles empty means everyone in the organisation
	Roles   []domain.Role  // recipients by role
	// UsersOnly keeps the message from the organisation's webhooks: it reaches the named users alone
	// (training exercises must not set off integrations that act on real events).
	UsersOnly bool
}

// Notifier enqueues deliveries and sends them from jobs.
type Notifier struct {
	Store   *store.Store
	Jobs    *jobs.Runner
	Events  *Events
	Mailer  Mailer // nil when e-mail is not configured
	Hooks   *WebhookSender
	BaseURL string
	Log     *slog.Logger
}

const (
	jobEmail   = "notify.email"
	jobWebhook = "notify.webhook"
)

type emailJob struct {
	Delivery int64  `json:"delivery"`
	To       string `json:"to"`
	Subject  string `json:"subject"`
	Body     string `json:"body"`
}

type webhookJob struct {
	Delivery int64          `json:"delivery"`
	Webhook  int64          `json:"webhook"`
	Event    string         `json:"event"`
	Payload  map[string]any `json:"payload"`
}

// RegisterJobs registers the delivery job handlers.
func (n *Notifier) RegisterJobs(r *jobs.Runner) {
	r.Register(jobEmail, n.runEmail)
	r.Register(jobWebhook, n.runWebhook)
}

// Notify queues the message for every recipient who wants it and every webhook subscribed to its event,
// in the transaction tx (so notifications go out exactly when the change that caused them commits).
func (n *Notifier) Notify(ctx context.Context, tx *store.Tx, m Message) error {
	kind, ok := n.Events.Get(m.Event)
	if !ok {
		return fmt.Errorf("notify: unknown event %q", m.Event)
	}
	sc := tx.Scope() // read inside the transaction: no second connection, and this change is visible
	link := ""
	if m.Link != "" {
		link = n.BaseURL + m.Link
	}
	if n.Mailer != nil {
		users, err := n.recipients(ctx, sc, m)
		if err != nil {
			return err
		}
		for _, u := range users {
			prefs, err := sc.NotificationPrefs(ctx, u.ID)
			if err != nil {
				return err
			}
			want := kind.EmailDefault
			if on, ok := prefs[m.Event]["email"]; ok {
				want = on
			}
			if !want {
				continue
			}
			body := m.Body
			if link != "" {
				body += "\n\n" + link
			}
			body += "\n\n—\nVigil. Change which notifications you receive under Account → Notifications."
			d := store.Delivery{Event: m.Event, Channel: "email", Target: u.Email, Subject: m.Subject}
			if err := tx.AddDelivery(ctx, &d); err != nil {
				return err
			}
			job, err := tx.EnqueueJob(ctx, store.NewJob{OrgID: tx.Org(), Kind: jobEmail, MaxAttempts: 8,
				Payload: emailJob{Delivery: d.ID, To: u.Email, Subject: "[Vigil] " + m.Subject, Body: body}})
			if err != nil {
				return err
			}
			if err := tx.LinkDeliveryJob(ctx, d.ID, job); err != nil {
				return err
			}
		}
	}
	var hooks []store.Webhook
	if !m.UsersOnly {
		var err error
		if hooks, err = sc.Webhooks(ctx); err != nil {
			return err
		}
	}
	for _, h := range hooks {
		if !h.Enabled || !h.Wants(m.Event) {
			continue
		}
		d := store.Delivery{Event: m.Event, Channel: "webhook", Target: h.Name, Subject: m.Subject}
		if err := tx.AddDelivery(ctx, &d); err != nil {
			return err
		}
		payload := map[string]any{"event": m.Event, "subject": m.Subject, "text": m.Body, "link": link,
			"data": m.Data, "organisation": tx.Org(), "time": time.Now().UTC().Format(time.RFC3339)}
		job, err := tx.EnqueueJob(ctx, store.NewJob{OrgID: tx.Org(), Kind: jobWebhook, MaxAttempts: 8,
			Payload: webhookJob{Delivery: d.ID, Webhook: h.ID, Event: m.Event, Payload: payload}})
		if err != nil {
			return err
		}
		if err := tx.LinkDeliveryJob(ctx, d.ID, job); err != nil {
			return err
		}
	}
	if n.Jobs != nil {
		n.Jobs.Wake()
	}
	return nil
}

func (n *Notifier) recipients(ctx context.Context, sc *store.Scope, m Message) ([]domain.User, error) {
	if len(m.UserIDs) == 0 {
		return sc.UsersWithRoles(ctx, m.Roles...)
	}
	var out []domain.User
	seen := map[int64]bool{}
	for _, id := range m.UserIDs {
		u, err := sc.User(ctx, id)
		if err != nil || u.Disabled || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, u)
	}
	if len(m.Roles) > 0 {
		more, err := sc.UsersWithRoles(ctx, m.Roles...)
		if err != nil {
			return nil, err
		}
		for _, u := range more {
			if !seen[u.ID] {
				out = append(out, u)
				seen[u.ID] = true
			}
		}
	}
	return out, nil
}

func (n *Notifier) runEmail(ctx context.Context, j *store.Job, _ *jobs.Progress) error {
	p, err := jobs.Payload[emailJob](j)
	if err != nil {
		return err
	}
	if n.Mailer == nil {
		return jobs.Permanent(fmt.Errorf("e-mail is not configured (smtp.host)"))
	}
	sendErr := n.Mailer.Send(ctx, Mail{To: []string{p.To}, Subject: p.Subject, Body: p.Body})
	if err := n.Store.FinishDelivery(ctx, p.Delivery, sendErr); err != nil {
		n.Log.Warn("record delivery", "err", err)
	}
	return sendErr
}

func (n *Notifier) runWebhook(ctx context.Context, j *store.Job, _ *jobs.Progress) error {
	p, err := jobs.Payload[webhookJob](j)
	if err != nil {
		return err
	}
	h, err := n.Store.Scope(j.OrgID).Webhook(ctx, p.Webhook)
	if err != nil {
		return jobs.Permanent(err)
	}
	sendErr := n.Hooks.Send(ctx, h.URL, h.Secret, p.Event, fmt.Sprintf("%d", p.Delivery), p.Payload)
	if err := n.Store.FinishDelivery(ctx, p.Delivery, sendErr); err != nil {
		n.Log.Warn("record delivery", "err", err)
	}
	return sendErr
}
