package notify

import (
	"context"
	"fmt"

	"github.com/vigil-med/vigil/internal/store"
)

// EmailAddress queues an e-mail of a registered event kind to an address that belongs to no Vigil
// user (a person of the training module's staff register, for example), in the transaction tx, and
// records the delivery as Notify does. There are no preferences to honour and no webhooks are called.
// It reports false and queues nothing when e-mail is not configured.
func (n *Notifier) EmailAddress(ctx context.Context, tx *store.Tx, event, to, subject, body string) (bool, error) {
	if _, ok := n.Events.Get(event); !ok {
		return false, fmt.Errorf("notify: unknown event %q", event)
	}
	if n.Mailer == nil {
		return false, nil
	}
	body += "\n\n—\nVigil, on behalf of your organisation's security training programme."
	d := store.Delivery{Event: event, Channel: "email", Target: to, Subject: subject}
	if err := tx.AddDelivery(ctx, &d); err != nil {
		return false, err
	}
	if _, err := tx.EnqueueJob(ctx, store.NewJob{OrgID: tx.Org(), Kind: jobEmail, MaxAttempts: 8,
		Payload: emailJob{Delivery: d.ID, To: to, Subject: "[Vigil] " + subject, Body: body}}); err != nil {
		return false, err
	}
	if n.Jobs != nil {
		n.Jobs.Wake()
	}
	return true, nil
}
