package procurement

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

// Notification event and job of the module.
const (
	EventCommitmentMissed = "procurement.commitment_missed"
	JobCommitments        = "procurement.commitments"
)

// RegisterJobs registers the notification kind and the hourly check of commitments: every commitment that
// passes its due date without confirmation notifies the organisation's procurement staff and security
// officers once.
func RegisterJobs(r *jobs.Runner, st *store.Store, n *notify.Notifier, now func() time.Time, log *slog.Logger) {
	n.Events.Register(notify.EventKind{Name: EventCommitmentMissed, Label: "a vendor commitment from a tender was missed", EmailDefault: true})
	r.Register(JobCommitments, func(ctx context.Context, _ *store.Job, p *jobs.Progress) error {
		sent, err := NotifyMissed(ctx, st, n, now())
		p.Result = fmt.Sprintf("%d missed commitments notified", sent)
		return err
	})
	r.Every(jobs.Schedule{Name: JobCommitments, Kind: JobCommitments, Every: time.Hour})
	_ = log
}

// NotifyMissed sends one notification per organisation for its commitments that became overdue since the
// last run and marks them notified; it returns how many commitments were notified.
func NotifyMissed(ctx context.Context, st *store.Store, n *notify.Notifier, now time.Time) (int, error) {
	orgs, err := st.OrgsWithMissedCommitments(ctx, now)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, org := range orgs {
		actx := domain.WithActor(ctx, domain.Actor{Kind: domain.ActorSystem, Name: JobCommitments, OrgID: org})
		err := st.Scope(org).Write(actx, func(tx *store.Tx) error {
			missed, err := tx.CommitmentsToNotify(actx, now)
			if err != nil || len(missed) == 0 {
				return err
			}
			total += len(missed)
			var lines []string
			ids := make([]int64, len(missed))
			for i, c := range missed {
				ids[i] = c.ID
				lines = append(lines, fmt.Sprintf("- %s (%s): %s, due %s", c.Manufacturer, c.Product, c.Title, c.Due.Format("2006-01-02")))
			}
			subject := fmt.Sprintf("%d vendor commitment(s) missed", len(missed))
			if len(missed) == 1 {
				subject = "Vendor commitment missed: " + missed[0].Manufacturer + " — " + missed[0].Title
			}
			return n.Notify(actx, tx, notify.Message{Event: EventCommitmentMissed, Subject: subject,
				Body: "These commitments passed their due date without confirmation:\n\n" + strings.Join(lines, "\n") + "\n\nFollow up with the vendor, or record the confirmation.",
				Link: "/procurement", Data: map[string]any{"commitments": ids},
				Roles: []domain.Role{domain.RoleProcurement, domain.RoleSecurityOfficer}})
		})
		if err != nil {
			return total, fmt.Errorf("organisation %d: %w", org, err)
		}
	}
	return total, nil
}
