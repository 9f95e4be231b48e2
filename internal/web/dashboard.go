package web

import (
	"net/http"

	"github.com/vigil-med/vigil/internal/domain"
)

func (s *Server) dashboardRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /dashboard", s.page(domain.PermRead, s.dashboard))
	mux.HandleFunc("GET /{$}", s.page(domain.PermRead, func(c *Ctx) error { return c.Redirect("/dashboard", "", "") }))
}

// dashboardView is the security officer's home page. Each module adds its figures here.
type dashboardView struct {
	Users, MFAUsers, SSOUsers int
	Recent                    []domain.AuditEvent
	Incidents                 *incidentCard // reporting deadlines of real incidents
	Inventory                 inventoryFigures
	Procurement               *procurementCard // missed vendor commitments, cloud reviews due
}

func (s *Server) dashboard(c *Ctx) error {
	ctx := c.R.Context()
	var v dashboardView
	var err error
	if v.Users, v.MFAUsers, v.SSOUsers, err = c.Scope.MFACoverage(ctx); err != nil {
		return err
	}
	if v.Incidents, err = s.incidentDashboard(c); err != nil {
		return err
	}
	if v.Inventory, err = inventoryDashboard(c); err != nil {
		return err
	}
	if v.Procurement, err = s.procurementDashboard(c); err != nil {
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
