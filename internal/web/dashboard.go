package web

import (
	"fmt"
	"html/template"
	"net/http"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/training"
)

func (s *Server) dashboardRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /dashboard", s.page(domain.PermRead, s.dashboard))
	mux.HandleFunc("GET /{$}", s.page(domain.PermRead, func(c *Ctx) error { return c.Redirect("/dashboard", "", "") }))
}

// dashboardView is the security officer's home page (journey 1 in the domain notes: "Monday
// morning"). The fields are in the order the page shows them, most urgent first:
//
//  1. Incidents — running reporting clocks of real incidents (hours matter);
//  2. Vulnerabilities — open findings on known exploited vulnerabilities, untriaged and overdue ones,
//     the most urgent findings;
//  3. Procurement — vendor commitments missed and cloud services due for review;
//  4. Inventory — what is installed, how critical, how exposed, past support;
//  5. Risk — the devices that put patients at risk first, legacy share, overdue control reviews;
//  6. Training — staff and board training (NIS2 Art 20(2), 21(2)(g));
//  7. Accounts — Vigil's own accounts and their second factor;
//  8. Recent — the audit log's latest entries (auditors, administrators).
//
// A module that has no specific template fills a dashCard (title, figures, a short list, links) and
// the page renders it like the others (Vulnerabilities, Risk, Training, Accounts do).
type dashboardView struct {
	Incidents       *incidentCard    // reporting deadlines of real incidents
	Vulnerabilities *dashCard        // the fleet's findings (fleet_dashboard.go)
	Procurement     *procurementCard // missed vendor commitments, cloud reviews due
	Inventory       inventoryFigures
	Risk            *dashCard // the risk module's card (risk.go)
	Training        *dashCard // staff and board training coverage
	Accounts        *dashCard
	Recent          []domain.AuditEvent
}

// dashCard is a dashboard card a module fills without a template of its own: a title with a link to
// the module's page, figures (KPIs) and a few items. Attention marks a card that needs action now
// (shown with a red edge); the figures' State colours them.
type dashCard struct {
	ID        string // the card's HTML id (and its heading's, with "-h")
	Title     string
	Link      string // the module's page
	LinkText  string
	Attention bool
	Figures   []dashFigure
	Items     []dashItem
	Note      string
	Chart     template.HTML // an optional chart (server-rendered SVG) under the figures
}

// dashFigure is one KPI: a value, what it counts, where it leads and its state ("", "ok", "warn",
// "bad").
type dashFigure struct {
	Value, Label, Link, State string
}

// dashItem is one line of a card's list, with an optional badge.
type dashItem struct {
	Badge, BadgeClass, Text, Link string
}

func (s *Server) dashboard(c *Ctx) error {
	ctx := c.R.Context()
	var v dashboardView
	var err error
	if v.Incidents, err = s.incidentDashboard(c); err != nil {
		return err
	}
	if v.Vulnerabilities, err = fleetDashboard(c); err != nil {
		return err
	}
	if v.Procurement, err = s.procurementDashboard(c); err != nil {
		return err
	}
	if v.Inventory, err = inventoryDashboard(c); err != nil {
		return err
	}
	if v.Risk, err = s.riskDashboard(c); err != nil {
		return err
	}
	if v.Training, err = trainingDashboard(c); err != nil {
		return err
	}
	if v.Accounts, err = accountsDashboard(c); err != nil {
		return err
	}
	if c.P.Can(domain.PermReadAudit) {
		page, err := c.Scope.AuditEvents(ctx, domain.AuditFilter{ListParams: domain.ListParams{Limit: 8}})
		if err != nil {
			return err
		}
		v.Recent = page.Items
	}
	return c.Render("dashboard", "Dashboard", v)
}

// trainingDashboard is the training card: everyone's completion and the management body's, overdue
// assignments and the department that lags most; nil while nothing is assigned.
func trainingDashboard(c *Ctx) (*dashCard, error) {
	r, err := training.Coverage(c.R.Context(), c.Scope, c.Now())
	if err != nil || r.Totals.Assigned == 0 {
		return nil, err
	}
	state := func(rate float64) string {
		switch {
		case rate >= 90:
			return "ok"
		case rate >= 70:
			return "warn"
		}
		return "bad"
	}
	card := &dashCard{ID: "training", Title: "Training", Link: "/training/overview", LinkText: "Training overview",
		Figures: []dashFigure{
			{Value: fmt.Sprintf("%.0f %%", r.PeopleRate), Label: fmt.Sprintf("of staff fully trained (%d of %d)", r.PeopleComplete, r.PeopleAssigned),
				Link: "/training/overview", State: state(r.PeopleRate)},
			{Value: fmt.Sprintf("%d of %d", r.Board.MembersTrained, r.Board.Members), Label: "board members trained (NIS2 Art 20(2))",
				Link: "/training/board", State: state(r.Board.TrainedRate)},
			{Value: fmt.Sprintf("%d", r.Totals.Overdue), Label: "assignments overdue", Link: "/training/assignments?state=overdue",
				State: map[bool]string{true: "warn", false: "ok"}[r.Totals.Overdue > 0]},
		}}
	if r.Board.Members > 0 && r.Board.MembersTrained < r.Board.Members {
		card.Attention = r.Board.TrainedRate < 50
	}
	for i, g := range r.ByDepartment {
		if i == 2 || g.Rate >= 90 {
			break
		}
		card.Items = append(card.Items, dashItem{Badge: "lagging", BadgeClass: "warn", Link: "/training/people?department=" + g.Key,
			Text: fmt.Sprintf("%s: %.0f %% of assignments completed, %d overdue", g.Label, g.Rate, g.Overdue)})
	}
	return card, nil
}

// accountsDashboard is the card of Vigil's own accounts: how many, and how many sign in with a second
// factor (TOTP) or single sign-on.
func accountsDashboard(c *Ctx) (*dashCard, error) {
	users, mfa, sso, err := c.Scope.MFACoverage(c.R.Context())
	if err != nil {
		return nil, err
	}
	card := &dashCard{ID: "accounts", Title: "Vigil accounts", Figures: []dashFigure{
		{Value: fmt.Sprint(users), Label: "active users"},
		{Value: pctText(mfa+sso, users), Label: "sign in with a second factor or SSO", State: map[bool]string{true: "ok", false: "warn"}[mfa+sso == users]},
	}}
	if c.P.Can(domain.PermManageUsers) {
		card.Link, card.LinkText = "/admin/users", "Users"
	}
	return card, nil
}

func pctText(n, of int) string {
	if of == 0 {
		return "–"
	}
	return fmt.Sprintf("%d %%", (100*n+of/2)/of)
}
