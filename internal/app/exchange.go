package app

import (
	"context"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/exchange"
	"github.com/vigil-med/vigil/internal/jobs"
	"github.com/vigil-med/vigil/internal/notify"
	"github.com/vigil-med/vigil/internal/store"
)

// openExchange builds the exchange service: the signing keys are sealed with the secret in the data
// directory, links use the external URL (which Serve fixes once the port is known).
func (a *App) openExchange() error {
	secret, err := exchange.LoadSecret(a.Config.DataDir)
	if err != nil {
		return err
	}
	a.Exchange = exchange.New(a.Store, secret, func() string { return a.Config.ExternalURL() })
	a.Exchange.Now = func() time.Time { return a.Now() }
	a.Exchange.Client = a.HTTPClient
	a.Exchange.Notifier = a.Notifier
	a.Exchange.Log = a.Log
	return nil
}

// exchangeJobs registers the scheduled sync of the subscriptions (each at its own period; the job
// looks hourly for due ones) and the on-demand sync the web UI queues.
func (a *App) exchangeJobs() {
	a.Notifier.Events.Register(notify.EventKind{Name: exchange.EventAdvisory, Label: "an advisory of a subscribed manufacturer affects our devices",
		EmailDefault: true})
	a.Jobs.Register("exchange.sync", func(ctx context.Context, j *store.Job, p *jobs.Progress) error {
		msg, err := a.Exchange.SyncDue(ctx)
		p.Result = msg
		return err
	})
	a.Jobs.Register("exchange.sync.one", func(ctx context.Context, j *store.Job, p *jobs.Progress) error {
		in, err := jobs.Payload[struct {
			ID int64 `json:"id"`
		}](j)
		if err != nil {
			return jobs.Permanent(err)
		}
		ctx = domain.WithActor(ctx, domain.Actor{Kind: domain.ActorSystem, Name: "subscription sync", OrgID: j.OrgID, Role: domain.RoleAdmin})
		res, err := a.Exchange.Sync(ctx, a.Store.Scope(j.OrgID), in.ID)
		p.Result = res.Summary()
		return err
	})
	a.Jobs.Every(jobs.Schedule{Name: "exchange.sync", Kind: "exchange.sync", Every: time.Hour})
}
