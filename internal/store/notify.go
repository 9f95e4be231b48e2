package store

import (
	"context"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// Webhook is an HTTP endpoint of the organisation that receives signed event notifications.
type Webhook struct {
	ID      int64     `json:"id"`
	OrgID   int64     `json:"org_id"`
	Name    string    `json:"name"`
	URL     string    `json:"url"`
	Secret  string    `json:"-"`
	Events  []string  `json:"events"` // event kinds, or ["*"]
	Enabled bool      `json:"enabled"`
	Created time.Time `json:"created"`
}

// Wants reports whether the webhook subscribes to the event kind.
func (w Webhook) Wants(event string) bool {
	for _, e := range w.Events {
		if e == "*" || e == event {
			return true
		}
	}
	return false
}

const webhookCols = "id, org_id, name, url, secret, events, enabled, created"

func scanWebhook(sc interface{ Scan(...any) error }) (Webhook, error) {
	var w Webhook
	var events string
	err := sc.Scan(&w.ID, &w.OrgID, &w.Name, &w.URL, &w.Secret, &events, &w.Enabled, &w.Created)
	w.Events = strings.Split(events, ",")
	return w, err
}

// Webhooks lists the organisation's webhooks.
func (sc *Scope) Webhooks(ctx context.Context) ([]Webhook, error) {
	rows, err := sc.Query(ctx, "SELECT "+webhookCols+" FROM webhooks WHERE org_id = ? ORDER BY name", sc.org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Webhook{}
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// Webhook returns one webhook of the organisation.
func (sc *Scope) Webhook(ctx context.Context, id int64) (Webhook, error) {
	w, err := scanWebhook(sc.QueryRow(ctx, "SELECT "+webhookCols+" FROM webhooks WHERE org_id = ? AND id = ?", sc.org, id))
	return w, NotFound(err, "webhook")
}

// CreateWebhook adds a webhook.
func (tx *Tx) CreateWebhook(ctx context.Context, w *Webhook) error {
	w.OrgID, w.Created = tx.org, now()
	if len(w.Events) == 0 {
		w.Events = []string{"*"}
	}
	id, err := tx.InsertID(ctx, `INSERT INTO webhooks (org_id, name, url, secret, events, enabled, created)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, w.OrgID, w.Name, w.URL, w.Secret, strings.Join(w.Events, ","), w.Enabled, w.Created)
	if err != nil {
		return err
	}
	w.ID = id
	return tx.Audit(ctx, AuditEntry{Action: "webhook.create", Entity: "webhook", EntityID: id, Summary: "added webhook " + w.Name,
		Data: map[string]any{"name": w.Name, "url": w.URL, "events": w.Events}})
}

// DeleteWebhook removes a webhook.
func (tx *Tx) DeleteWebhook(ctx context.Context, id int64) error {
	res, err := tx.Exec(ctx, "DELETE FROM webhooks WHERE org_id = ? AND id = ?", tx.org, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFound("webhook")
	}
	return tx.Audit(ctx, AuditEntry{Action: "webhook.delete", Entity: "webhook", EntityID: id, Summary: "removed a webhook"})
}

// NotificationPrefs returns a user's explicit choices: event → channel → enabled. Missing entries mean
// the event's default.
func (sc *Scope) NotificationPrefs(ctx context.Context, userID int64) (map[string]map[string]bool, error) {
	rows, err := sc.Query(ctx, "SELECT event, channel, enabled FROM notification_prefs WHERE org_id = ? AND user_id = ?", sc.org, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]bool{}
	for rows.Next() {
		var ev, ch string
		var on bool
		if err := rows.Scan(&ev, &ch, &on); err != nil {
			return nil, err
		}
		if out[ev] == nil {
			out[ev] = map[string]bool{}
		}
		out[ev][ch] = on
	}
	return out, rows.Err()
}

// SetNotificationPref stores a user's choice for an event and channel.
func (tx *Tx) SetNotificationPref(ctx context.Context, userID int64, event, channel string, enabled bool) error {
	_, err := tx.Exec(ctx, `INSERT INTO notification_prefs (org_id, user_id, event, channel, enabled) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (user_id, event, channel) DO UPDATE SET enabled = excluded.enabled`, tx.org, userID, event, channel, enabled)
	return err
}

// Delivery is one notification sent (or attempted) to one recipient.
type Delivery struct {
	ID      int64      `json:"id"`
	Event   string     `json:"event"`
	Channel string     `json:"channel"`
	Target  string     `json:"target"`
	Subject string     `json:"subject"`
	Status  string     `json:"status"`
	Error   string     `json:"error,omitempty"`
	JobID   int64      `json:"job_id"`
	Created time.Time  `json:"created"`
	SentAt  *time.Time `json:"sent_at,omitempty"`
}

// AddDelivery records a queued delivery within the transaction.
func (tx *Tx) AddDelivery(ctx context.Context, d *Delivery) error {
	d.Created, d.Status = now(), "queued"
	id, err := tx.InsertID(ctx, `INSERT INTO notification_deliveries (org_id, event, channel, target, subject, status, job_id, created)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, tx.org, d.Event, d.Channel, d.Target, truncate(d.Subject, 300), d.Status, d.JobID, d.Created)
	d.ID = id
	return err
}

// LinkDeliveryJob records which job sends a delivery (the job is enqueued after the delivery exists,
// because its payload names the delivery).
func (tx *Tx) LinkDeliveryJob(ctx context.Context, delivery, job int64) error {
	_, err := tx.Exec(ctx, "UPDATE notification_deliveries SET job_id = ? WHERE org_id = ? AND id = ?", job, tx.org, delivery)
	return err
}

// FinishDelivery records the outcome of a delivery.
func (s *Store) FinishDelivery(ctx context.Context, id int64, sendErr error) error {
	return s.WriteGlobal(ctx, func(tx *Tx) error {
		if sendErr != nil {
			_, err := tx.Exec(ctx, "UPDATE notification_deliveries SET status = 'failed', error = ? WHERE id = ?", truncate(sendErr.Error(), 1000), id)
			return err
		}
		_, err := tx.Exec(ctx, "UPDATE notification_deliveries SET status = 'sent', error = '', sent_at = ? WHERE id = ?", now(), id)
		return err
	})
}

// Deliveries lists the organisation's recent deliveries.
func (sc *Scope) Deliveries(ctx context.Context, limit int) ([]Delivery, error) {
	rows, err := sc.Query(ctx, `SELECT id, event, channel, target, subject, status, error, COALESCE(job_id, 0), created, sent_at
		FROM notification_deliveries WHERE org_id = ? ORDER BY id DESC LIMIT ?`, sc.org, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Delivery{}
	for rows.Next() {
		var d Delivery
		if err := rows.Scan(&d.ID, &d.Event, &d.Channel, &d.Target, &d.Subject, &d.Status, &d.Error, &d.JobID, &d.Created, &d.SentAt); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// UsersWithRoles lists the active users of the organisation that hold one of the roles (all when none given).
func (sc *Scope) UsersWithRoles(ctx context.Context, roles ...domain.Role) ([]domain.User, error) {
	q := "SELECT " + userCols + " FROM users WHERE org_id = ? AND disabled = FALSE"
	args := []any{sc.org}
	if len(roles) > 0 {
		q += " AND role IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(roles)), ", ") + ")"
		for _, r := range roles {
			args = append(args, string(r))
		}
	}
	rows, err := sc.Query(ctx, q+" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
