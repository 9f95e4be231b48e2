package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

func (s *Server) adminRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/users", s.page(domain.PermManageUsers, s.adminUsers))
	mux.HandleFunc("POST /admin/users", s.page(domain.PermManageUsers, s.adminUserCreate))
	mux.HandleFunc("GET /admin/users/{id}", s.page(domain.PermManageUsers, s.adminUser))
	mux.HandleFunc("POST /admin/users/{id}", s.page(domain.PermManageUsers, s.adminUserUpdate))
	mux.HandleFunc("POST /admin/users/{id}/password", s.page(domain.PermManageUsers, s.adminUserResetPassword))
	mux.HandleFunc("POST /admin/users/{id}/mfa-reset", s.page(domain.PermManageUsers, s.adminUserResetMFA))
	mux.HandleFunc("GET /admin/organisation", s.page(domain.PermManageUsers, s.adminOrg))
	mux.HandleFunc("POST /admin/organisation", s.page(domain.PermManageUsers, s.adminOrgUpdate))
	mux.HandleFunc("GET /admin/tokens", s.page(domain.PermManageUsers, s.adminTokens))
	mux.HandleFunc("POST /admin/tokens", s.page(domain.PermManageUsers, s.adminTokenCreate))
	mux.HandleFunc("POST /admin/tokens/{id}/revoke", s.page(domain.PermManageUsers, s.adminTokenRevoke))
	mux.HandleFunc("GET /admin/webhooks", s.page(domain.PermManageUsers, s.adminWebhooks))
	mux.HandleFunc("POST /admin/webhooks", s.page(domain.PermManageUsers, s.adminWebhookCreate))
	mux.HandleFunc("POST /admin/webhooks/{id}/delete", s.page(domain.PermManageUsers, s.adminWebhookDelete))
	mux.HandleFunc("GET /admin/jobs", s.page(domain.PermManageJobs, s.adminJobs))
	mux.HandleFunc("POST /admin/jobs/{id}/retry", s.page(domain.PermManageJobs, s.adminJobRetry))
	mux.HandleFunc("POST /admin/jobs/{id}/cancel", s.page(domain.PermManageJobs, s.adminJobCancel))
	mux.HandleFunc("GET /admin/audit", s.page(domain.PermReadAudit, s.adminAudit))
}

type usersView struct {
	Page     domain.Page[domain.User]
	Q        string
	Errors   FieldErrors
	New      domain.User
	Password string // a generated password, shown once
	Created  string
}

func (s *Server) adminUsers(c *Ctx) error {
	p := c.List()
	page, err := c.Scope.Users(c.R.Context(), p)
	if err != nil {
		return err
	}
	return c.Render("admin/users", "Users", usersView{Page: page, Q: p.Q, Errors: FieldErrors{}, New: domain.User{Role: domain.RoleClinicalEngineer}})
}

func (s *Server) adminUserCreate(c *Ctx) error {
	u := domain.User{Email: c.Form("email"), Name: c.Form("name"), Role: domain.Role(c.Form("role"))}
	pw := auth.RandomToken(12)
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	u.PasswordHash = hash
	err = c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.CreateUser(c.R.Context(), &u) })
	page, lerr := c.Scope.Users(c.R.Context(), c.List())
	if lerr != nil {
		return lerr
	}
	v := usersView{Page: page, Errors: FieldErrors{}, New: u}
	if err != nil {
		if !v.Errors.FromError(err) {
			return err
		}
		return c.RenderStatus(http.StatusUnprocessableEntity, "admin/users", "Users", v)
	}
	v.Password, v.Created, v.New = pw, u.Email, domain.User{Role: domain.RoleClinicalEngineer}
	return c.Render("admin/users", "Users", v)
}

type userView struct {
	User     domain.User
	Self     bool
	Password string
}

func (s *Server) adminUser(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	u, err := c.Scope.User(c.R.Context(), id)
	if err != nil {
		return err
	}
	return c.Render("admin/user", u.Email, userView{User: u, Self: u.ID == c.P.User.ID})
}

func (s *Server) adminUserUpdate(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	u, err := c.Scope.User(c.R.Context(), id)
	if err != nil {
		return err
	}
	u.Name, u.Role, u.Disabled = c.Form("name"), domain.Role(c.Form("role")), c.FormBool("disabled")
	if u.ID == c.P.User.ID && (u.Disabled || u.Role != domain.RoleAdmin) {
		return domain.Invalid("role", "you cannot disable yourself or take away your own admin role; ask another admin")
	}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.UpdateUser(c.R.Context(), u) }); err != nil {
		return err
	}
	return c.Redirect("/admin/users/"+strconv.FormatInt(id, 10), "ok", "Saved.")
}

func (s *Server) adminUserResetPassword(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	u, err := c.Scope.User(c.R.Context(), id)
	if err != nil {
		return err
	}
	pw := auth.RandomToken(12)
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.SetPassword(c.R.Context(), id, hash, "") }); err != nil {
		return err
	}
	return c.Render("admin/user", u.Email, userView{User: u, Password: pw})
}

func (s *Server) adminUserResetMFA(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.SetMFA(c.R.Context(), id, "", nil) }); err != nil {
		return err
	}
	return c.Redirect("/admin/users/"+strconv.FormatInt(id, 10), "ok", "Multi-factor authentication was reset; the user sets it up again at the next sign-in.")
}

type orgView struct {
	Org                  domain.Organisation
	Types                []domain.OrgType
	Errors               FieldErrors
	Users, MFA, SSOUsers int
}

func (s *Server) adminOrg(c *Ctx) error {
	v := orgView{Org: c.P.Org, Types: domain.OrgTypes, Errors: FieldErrors{}}
	var err error
	v.Users, v.MFA, v.SSOUsers, err = c.Scope.MFACoverage(c.R.Context())
	if err != nil {
		return err
	}
	return c.Render("admin/organisation", "Organisation", v)
}

func (s *Server) adminOrgUpdate(c *Ctx) error {
	o := c.P.Org
	o.Name, o.Country, o.TimeZone = c.Form("name"), c.Form("country"), c.Form("time_zone")
	o.Type = domain.OrgType(c.Form("type"))
	o.RequireMFA = c.FormBool("require_mfa")
	if err := c.Scope.UpdateOrg(c.R.Context(), o); err != nil {
		v := orgView{Org: o, Types: domain.OrgTypes, Errors: FieldErrors{}}
		if !v.Errors.FromError(err) {
			return err
		}
		return c.RenderStatus(http.StatusUnprocessableEntity, "admin/organisation", "Organisation", v)
	}
	return c.Redirect("/admin/organisation", "ok", "The organisation settings were saved.")
}

type tokensView struct {
	Tokens []store.APIToken
	Secret string // the new token, shown once
	Errors FieldErrors
	Now    time.Time
}

func (s *Server) adminTokens(c *Ctx) error {
	toks, err := c.Scope.Tokens(c.R.Context())
	if err != nil {
		return err
	}
	return c.Render("admin/tokens", "API tokens", tokensView{Tokens: toks, Errors: FieldErrors{}, Now: c.Now()})
}

func (s *Server) adminTokenCreate(c *Ctx) error {
	role, err := domain.ParseRole(c.Form("role"))
	v := tokensView{Errors: FieldErrors{}, Now: c.Now()}
	var secret string
	if err == nil {
		days, _ := strconv.Atoi(c.Form("days"))
		if days <= 0 || days > 730 {
			err = domain.Invalid("days", "must be between 1 and 730")
		} else {
			token, display, hash := auth.NewAPIToken()
			exp := c.Now().Add(time.Duration(days) * 24 * time.Hour)
			t := store.APIToken{UserID: c.P.User.ID, Name: c.Form("name"), Role: role, Prefix: display, Hash: hash, Expires: &exp}
			err = c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.CreateToken(c.R.Context(), &t) })
			secret = token
		}
	}
	if err != nil && !v.Errors.FromError(err) {
		return err
	}
	if v.Tokens, err = c.Scope.Tokens(c.R.Context()); err != nil {
		return err
	}
	if len(v.Errors) == 0 {
		v.Secret = secret
	}
	return c.Render("admin/tokens", "API tokens", v)
}

func (s *Server) adminTokenRevoke(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.RevokeToken(c.R.Context(), id) }); err != nil {
		return err
	}
	return c.Redirect("/admin/tokens", "ok", "The token was revoked.")
}

type webhooksView struct {
	Hooks      []store.Webhook
	Deliveries []store.Delivery
	Events     []string
	Secret     string
	Errors     FieldErrors
}

func (s *Server) webhooksData(c *Ctx) (webhooksView, error) {
	v := webhooksView{Errors: FieldErrors{}}
	var err error
	if v.Hooks, err = c.Scope.Webhooks(c.R.Context()); err != nil {
		return v, err
	}
	if v.Deliveries, err = c.Scope.Deliveries(c.R.Context(), 50); err != nil {
		return v, err
	}
	if s.Notifier != nil {
		for _, k := range s.Notifier.Events.List() {
			v.Events = append(v.Events, k.Name)
		}
	}
	return v, nil
}

func (s *Server) adminWebhooks(c *Ctx) error {
	v, err := s.webhooksData(c)
	if err != nil {
		return err
	}
	return c.Render("admin/webhooks", "Webhooks", v)
}

func (s *Server) adminWebhookCreate(c *Ctx) error {
	v, err := s.webhooksData(c)
	if err != nil {
		return err
	}
	h := store.Webhook{Name: c.Form("name"), URL: c.Form("url"), Secret: auth.RandomToken(24), Enabled: true}
	if err := c.R.ParseForm(); err != nil {
		return err
	}
	h.Events = c.R.PostForm["events"]
	u, perr := url.Parse(h.URL)
	switch {
	case h.Name == "":
		v.Errors["name"] = "is required"
	case perr != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		v.Errors["url"] = "must be an http(s) URL"
	}
	if len(v.Errors) > 0 {
		return c.RenderStatus(http.StatusUnprocessableEntity, "admin/webhooks", "Webhooks", v)
	}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.CreateWebhook(c.R.Context(), &h) }); err != nil {
		return err
	}
	v, err = s.webhooksData(c)
	if err != nil {
		return err
	}
	v.Secret = h.Secret
	return c.Render("admin/webhooks", "Webhooks", v)
}

func (s *Server) adminWebhookDelete(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.DeleteWebhook(c.R.Context(), id) }); err != nil {
		return err
	}
	return c.Redirect("/admin/webhooks", "ok", "The webhook was removed.")
}

type jobsView struct {
	Page   domain.Page[store.Job]
	Status string
	Kind   string
}

func (s *Server) adminJobs(c *Ctx) error {
	f := store.JobFilter{ListParams: c.List(), Status: c.R.URL.Query().Get("status"), Kind: c.R.URL.Query().Get("kind")}
	page, err := c.Scope.Jobs(c.R.Context(), f)
	if err != nil {
		return err
	}
	return c.Render("admin/jobs", "Background jobs", jobsView{Page: page, Status: f.Status, Kind: f.Kind})
}

func (s *Server) adminJobRetry(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.RetryJob(c.R.Context(), id) }); err != nil {
		return err
	}
	if s.Jobs != nil {
		s.Jobs.Wake()
	}
	return c.Redirect("/admin/jobs", "ok", "The job was queued again.")
}

func (s *Server) adminJobCancel(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.CancelJob(c.R.Context(), id) }); err != nil {
		return err
	}
	return c.Redirect("/admin/jobs", "ok", "The job was cancelled.")
}

type auditView struct {
	Page   domain.Page[domain.AuditEvent]
	Filter domain.AuditFilter
	Since  string
	Until  string
}

func (s *Server) adminAudit(c *Ctx) error {
	q := c.R.URL.Query()
	f := domain.AuditFilter{ListParams: c.List(), Action: q.Get("action"), Entity: q.Get("entity"), Actor: strings.TrimSpace(q.Get("actor"))}
	loc := c.Loc()
	v := auditView{Since: q.Get("since"), Until: q.Get("until")}
	if t, err := time.ParseInLocation("2006-01-02", v.Since, loc); err == nil {
		f.Since = t
	}
	if t, err := time.ParseInLocation("2006-01-02", v.Until, loc); err == nil {
		f.Until = t.AddDate(0, 0, 1)
	}
	page, err := c.Scope.AuditEvents(c.R.Context(), f)
	if err != nil {
		return err
	}
	v.Page, v.Filter = page, f
	return c.Render("admin/audit", "Audit log", v)
}
