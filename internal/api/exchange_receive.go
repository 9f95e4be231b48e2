package api

import (
	"net/http"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/exchange"
	"github.com/vigil-med/vigil/internal/store"
)

type storeTx = store.Tx

func (a *API) exchangeReceiveRoutes(svc *exchange.Service, now func() time.Time) {
	const tag = "subscriptions"
	Handle(a, Op{Method: http.MethodGet, Path: "/subscriptions", ID: "listSubscriptions", Tag: tag, Perm: domain.PermRead,
		Summary: "Subscriptions to manufacturers' providers (Vigil or any CSAF trusted provider)"},
		func(c *Call, _ Empty) ([]domain.Subscription, error) { return c.Scope.Subscriptions(c.Ctx()) })
	Handle(a, Op{Method: http.MethodPost, Path: "/subscriptions", ID: "createSubscription", Tag: tag, Perm: domain.PermSubscription, Status: http.StatusCreated,
		Summary: "Subscribe to a provider: discovered, its signing key pinned (given, or the one it lists)"},
		func(c *Call, in exchange.SubscriptionInput) (domain.Subscription, error) {
			return svc.Subscribe(c.Ctx(), c.Scope, in)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/subscriptions/{id}", ID: "getSubscription", Tag: tag, Perm: domain.PermRead, Summary: "One subscription"},
		func(c *Call, _ Empty) (domain.Subscription, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return domain.Subscription{}, err
			}
			return c.Scope.Subscription(c.Ctx(), id)
		})
	Handle(a, Op{Method: http.MethodDelete, Path: "/subscriptions/{id}", ID: "deleteSubscription", Tag: tag, Perm: domain.PermSubscription,
		Summary: "Unsubscribe (what was imported stays)"},
		func(c *Call, _ Empty) (Empty, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return Empty{}, err
			}
			return Empty{}, c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.DeleteSubscription(c.Ctx(), id) })
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/subscriptions/{id}/sync", ID: "syncSubscription", Tag: tag, Perm: domain.PermSubscription,
		Summary: "Sync now: fetch, verify hashes and signatures, import, map to the inventory, notify about affected devices"},
		func(c *Call, _ Empty) (exchange.SyncResult, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return exchange.SyncResult{}, err
			}
			return svc.Sync(c.Ctx(), c.Scope, id)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/subscriptions/advisories/{id}/devices", ID: "listAdvisoryAffectedDevices", Tag: tag, Perm: domain.PermRead,
		Summary: "The installed devices a received advisory affects, with its remediation (by the advisory's mapping to product versions)"},
		func(c *Call, _ Empty) ([]domain.AffectedDevice, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return nil, err
			}
			if _, err := c.Scope.Advisory(c.Ctx(), id); err != nil {
				return nil, err
			}
			return c.Scope.AdvisoryAffectedDevices(c.Ctx(), id)
		})

	const qtag = "questions"
	Handle(a, Op{Method: http.MethodGet, Path: "/questions", ID: "listQuestions", Tag: qtag, Perm: domain.PermRead,
		Summary: "Questions to manufacturers, open ones first", Params: []Param{{Name: "status", In: "query", Type: "string", Enum: []string{"open", "answered", "closed"}}}},
		func(c *Call, _ Empty) ([]domain.Question, error) {
			return c.Scope.Questions(c.Ctx(), c.Query("status"))
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/questions", ID: "createQuestion", Tag: qtag, Perm: domain.PermVulns, Status: http.StatusCreated,
		Summary: "Ask a manufacturer about a vulnerability and a product version"},
		func(c *Call, in domain.Question) (domain.Question, error) {
			q := domain.Question{Manufacturer: in.Manufacturer, SubscriptionID: in.SubscriptionID, ProductVersionID: in.ProductVersionID,
				Vulnerability: in.Vulnerability, Question: in.Question}
			if err := exchange.Ask(c.Ctx(), c.Scope, &q); err != nil {
				return q, err
			}
			return c.Scope.Question(c.Ctx(), q.ID)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/questions/{id}", ID: "getQuestion", Tag: qtag, Perm: domain.PermRead, Summary: "One question"},
		func(c *Call, _ Empty) (domain.Question, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return domain.Question{}, err
			}
			return c.Scope.Question(c.Ctx(), id)
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/questions/{id}/answer", ID: "answerQuestion", Tag: qtag, Perm: domain.PermVulns,
		Summary: "Record the manufacturer's answer; optionally as a VEX statement on the version"},
		func(c *Call, in exchange.AnswerInput) (domain.Question, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return domain.Question{}, err
			}
			return exchange.Answer(c.Ctx(), c.Scope, id, in, now())
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/questions/{id}/close", ID: "closeQuestion", Tag: qtag, Perm: domain.PermVulns, Summary: "Close a question"},
		func(c *Call, _ Empty) (domain.Question, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return domain.Question{}, err
			}
			if err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.CloseQuestion(c.Ctx(), id) }); err != nil {
				return domain.Question{}, err
			}
			return c.Scope.Question(c.Ctx(), id)
		})

	const stag = "sharing"
	Handle(a, Op{Method: http.MethodGet, Path: "/sharing", ID: "listShares", Tag: stag, Perm: domain.PermRead,
		Summary: "The groups and authorities this organisation shares its aggregate figures with"},
		func(c *Call, _ Empty) ([]domain.Share, error) { return c.Scope.Shares(c.Ctx()) })
	Handle(a, Op{Method: http.MethodPost, Path: "/sharing", ID: "createShare", Tag: stag, Perm: domain.PermManageUsers, Status: http.StatusCreated,
		Summary: "Share aggregate figures (never records) with a group or an authority"},
		func(c *Call, in ExchangeShareInput) (domain.Share, error) {
			target, err := a.store.OrgByRef(c.Ctx(), in.Target)
			if err != nil {
				return domain.Share{}, domain.Invalid("target", "no organisation %q", in.Target)
			}
			var s domain.Share
			err = c.Scope.Write(c.Ctx(), func(tx *store.Tx) error {
				var err error
				s, err = tx.CreateShare(c.Ctx(), target)
				return err
			})
			return s, err
		})
	Handle(a, Op{Method: http.MethodDelete, Path: "/sharing/{id}", ID: "deleteShare", Tag: stag, Perm: domain.PermManageUsers, Summary: "Stop sharing"},
		func(c *Call, _ Empty) (Empty, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return Empty{}, err
			}
			return Empty{}, c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.DeleteShare(c.Ctx(), id) })
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/sharing/aggregate", ID: "getAggregate", Tag: stag, Perm: domain.PermRead,
		Summary: "Groups and authorities: figures across the organisations that share with them (suppressed below three organisations; only groups and authorities can be shared with)"},
		func(c *Call, _ Empty) (domain.Aggregate, error) {
			return a.store.AggregateFor(c.Ctx(), c.Principal.Org.ID, domain.DateOf(now().In(c.Principal.Org.Location())))
		})
}
