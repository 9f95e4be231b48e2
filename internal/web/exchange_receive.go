package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/exchange"
	"github.com/vigil-med/vigil/internal/store"
)

// The hospital's pages: subscriptions (add, sync, the affected devices of received advisories),
// questions to manufacturers, and sharing with the aggregate view of groups and authorities.

func (s *Server) exchangeReceiveRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /subscriptions", s.page(domain.PermRead, s.exSubscriptions))
	mux.HandleFunc("POST /subscriptions", s.page(domain.PermSubscription, s.exSubscribe))
	mux.HandleFunc("POST /subscriptions/{id}/sync", s.page(domain.PermSubscription, s.exSync))
	mux.HandleFunc("POST /subscriptions/{id}/delete", s.page(domain.PermSubscription, s.exUnsubscribe))
	mux.HandleFunc("GET /subscriptions/advisories/{id}", s.page(domain.PermRead, s.exAffected))
	mux.HandleFunc("GET /questions", s.page(domain.PermRead, s.exQuestions))
	mux.HandleFunc("POST /questions", s.page(domain.PermVulns, s.exAsk))
	mux.HandleFunc("POST /questions/{id}/answer", s.page(domain.PermVulns, s.exAnswer))
	mux.HandleFunc("GET /sharing", s.page(domain.PermRead, s.exSharing))
	mux.HandleFunc("POST /sharing", s.page(domain.PermManageUsers, s.exShare))
	mux.HandleFunc("POST /sharing/{id}/delete", s.page(domain.PermManageUsers, s.exUnshare))
}

type exReceivedRow struct {
	Advisory domain.Advisory
	Devices  int
}

type exSubscriptionsView struct {
	Subs     []domain.Subscription
	Received []exReceivedRow
	CanEdit  bool
	Errors   FieldErrors
	In       exchange.SubscriptionInput
}

func (s *Server) exSubscriptionsPage(c *Ctx, status int, in exchange.SubscriptionInput, errs FieldErrors) error {
	ctx := c.R.Context()
	v := exSubscriptionsView{CanEdit: c.P.Can(domain.PermSubscription), Errors: errs, In: in}
	if v.Errors == nil {
		v.Errors = FieldErrors{}
	}
	var err error
	if v.Subs, err = c.Scope.Subscriptions(ctx); err != nil {
		return err
	}
	advs, err := c.Scope.Advisories(ctx, domain.AdvisoryFilter{ListParams: domain.ListParams{Limit: 20, Sort: "-imported"}})
	if err != nil {
		return err
	}
	for _, a := range advs.Items {
		if a.Devices > 0 {
			v.Received = append(v.Received, exReceivedRow{Advisory: a, Devices: a.Devices})
		}
	}
	return c.RenderStatus(status, "exchange/subscriptions", "Subscriptions", v)
}

func (s *Server) exSubscriptions(c *Ctx) error {
	return s.exSubscriptionsPage(c, http.StatusOK, exchange.SubscriptionInput{}, nil)
}

func (s *Server) exSubscribe(c *Ctx) error {
	in := exchange.SubscriptionInput{URL: c.Form("url"), Name: c.Form("name"), Key: c.Form("key"), Token: c.Form("token")}
	if h := c.Form("every_hours"); h != "" {
		n, err := strconv.Atoi(h)
		if err != nil {
			return s.exSubscriptionsPage(c, http.StatusUnprocessableEntity, in, FieldErrors{"every_hours": "a whole number of hours"})
		}
		in.EveryHours = &n
	}
	sub, err := s.Exchange.Subscribe(c.R.Context(), c.Scope, in)
	if err != nil {
		errs := FieldErrors{}
		if !errs.FromError(err) {
			return err
		}
		in.Key, in.Token = "", ""
		return s.exSubscriptionsPage(c, http.StatusUnprocessableEntity, in, errs)
	}
	return c.Redirect("/subscriptions", "ok", "Subscribed to "+sub.Name+" (key "+sub.KeyFingerprint+" pinned). Sync it now or wait for the schedule.")
}

func (s *Server) exSync(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	if _, err := c.Scope.Subscription(c.R.Context(), id); err != nil {
		return err
	}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error {
		_, err := tx.EnqueueJob(c.R.Context(), store.NewJob{OrgID: c.P.Org.ID, Kind: "exchange.sync.one", Payload: map[string]int64{"id": id},
			UniqueKey: "exchange.sync." + strconv.FormatInt(id, 10)})
		return err
	}); err != nil {
		return err
	}
	if s.Jobs != nil {
		s.Jobs.Wake()
	}
	return c.Redirect("/subscriptions", "ok", "Sync started; this page shows its result when it has run.")
}

func (s *Server) exUnsubscribe(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.DeleteSubscription(c.R.Context(), id) }); err != nil {
		return err
	}
	return c.Redirect("/subscriptions", "ok", "Unsubscribed; what was received stays.")
}

type exAffectedView struct {
	Advisory domain.Advisory
	Devices  []domain.AffectedDevice
	Owners   []string
}

func (s *Server) exAffected(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	a, err := c.Scope.Advisory(c.R.Context(), id)
	if err != nil {
		return err
	}
	devs, err := c.Scope.AdvisoryAffectedDevices(c.R.Context(), id)
	if err != nil {
		return err
	}
	v := exAffectedView{Advisory: a, Devices: devs}
	seen := map[string]bool{}
	for _, d := range devs {
		if d.Owner != "" && !seen[d.Owner] {
			seen[d.Owner] = true
			v.Owners = append(v.Owners, d.Owner)
		}
	}
	return c.Render("exchange/affected", "Affected devices: "+a.TrackingID, v)
}

type exQuestionsView struct {
	Questions []domain.Question
	Versions  []exVersionChoice
	CanEdit   bool
	Errors    FieldErrors
	In        domain.Question
}

func (s *Server) exQuestionsPage(c *Ctx, status int, in domain.Question, errs FieldErrors) error {
	v := exQuestionsView{CanEdit: c.P.Can(domain.PermVulns), Errors: errs, In: in}
	if v.Errors == nil {
		v.Errors = FieldErrors{}
	}
	var err error
	if v.Questions, err = c.Scope.Questions(c.R.Context(), c.R.URL.Query().Get("status")); err != nil {
		return err
	}
	if v.Versions, err = exVersionChoices(c); err != nil {
		return err
	}
	return c.RenderStatus(status, "exchange/questions", "Questions to manufacturers", v)
}

func (s *Server) exQuestions(c *Ctx) error {
	return s.exQuestionsPage(c, http.StatusOK, domain.Question{}, nil)
}

func (s *Server) exAsk(c *Ctx) error {
	pv, _ := strconv.ParseInt(c.Form("product_version_id"), 10, 64)
	q := domain.Question{Manufacturer: c.Form("manufacturer"), ProductVersionID: pv, Vulnerability: c.Form("vulnerability"), Question: c.Form("question")}
	if err := exchange.Ask(c.R.Context(), c.Scope, &q); err != nil {
		errs := FieldErrors{}
		if !errs.FromError(err) {
			return err
		}
		return s.exQuestionsPage(c, http.StatusUnprocessableEntity, q, errs)
	}
	return c.Redirect("/questions", "ok", "Question recorded. Record the answer here when it arrives.")
}

func (s *Server) exAnswer(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	in := exchange.AnswerInput{Answer: c.Form("answer"), Status: c.Form("status"), Justification: c.Form("justification"), MakeVEX: c.FormBool("make_vex")}
	if _, err := exchange.Answer(c.R.Context(), c.Scope, id, in, c.Now()); err != nil {
		if domain.ErrorCode(err) == domain.EInvalid {
			return c.Redirect("/questions", "error", domain.ErrorMessage(err))
		}
		return err
	}
	msg := "Answer recorded."
	if in.MakeVEX {
		msg = "Answer recorded and stated as VEX for the product version."
	}
	return c.Redirect("/questions", "ok", msg)
}

type exSharingView struct {
	Shares    []domain.Share
	Targets   []domain.Organisation
	CanEdit   bool
	Aggregate *domain.Aggregate
}

func (s *Server) exSharing(c *Ctx) error {
	ctx := c.R.Context()
	v := exSharingView{CanEdit: c.P.Can(domain.PermManageUsers)}
	var err error
	if v.Shares, err = c.Scope.Shares(ctx); err != nil {
		return err
	}
	if v.CanEdit {
		orgs, err := s.Store.Orgs(ctx)
		if err != nil {
			return err
		}
		for _, o := range orgs {
			if (o.Type == domain.OrgGroup || o.Type == domain.OrgAuthority) && o.ID != c.P.Org.ID {
				v.Targets = append(v.Targets, domain.Organisation{Slug: o.Slug, Name: o.Name, Type: o.Type})
			}
		}
	}
	if t := c.P.Org.Type; t == domain.OrgGroup || t == domain.OrgAuthority {
		agg, err := s.Store.AggregateFor(ctx, c.P.Org.ID, domain.DateOf(c.Now().In(c.Loc())))
		if err != nil {
			return err
		}
		v.Aggregate = &agg
	}
	return c.Render("exchange/sharing", "Sharing and aggregate figures", v)
}

func (s *Server) exShare(c *Ctx) error {
	target, err := s.Store.OrgByRef(c.R.Context(), strings.TrimSpace(c.Form("target")))
	if err != nil {
		return c.Redirect("/sharing", "error", "Choose a group or an authority.")
	}
	err = c.Scope.Write(c.R.Context(), func(tx *store.Tx) error {
		_, err := tx.CreateShare(c.R.Context(), target)
		return err
	})
	if err != nil {
		if domain.ErrorCode(err) == domain.EInvalid {
			return c.Redirect("/sharing", "error", domain.ErrorMessage(err))
		}
		return err
	}
	return c.Redirect("/sharing", "ok", "Aggregate figures are shared with "+target.Name+".")
}

func (s *Server) exUnshare(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.DeleteShare(c.R.Context(), id) }); err != nil {
		return err
	}
	return c.Redirect("/sharing", "ok", "Sharing ended.")
}
