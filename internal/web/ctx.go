package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/httpx"
	"github.com/vigil-med/vigil/internal/store"
)

// Ctx is what a page handler gets: the request, the signed-in principal and the store scoped to the
// principal's organisation.
type Ctx struct {
	W     http.ResponseWriter
	R     *http.Request
	P     *httpx.Principal
	Scope *store.Scope
	s     *Server
}

// page wraps a handler that needs a fully signed-in user with the permission. It redirects to the login,
// to the second factor or to MFA enrolment as needed, checks the CSRF token of state-changing requests
// and shows errors the handler returns as an error page.
func (s *Server) page(perm domain.Permission, h func(c *Ctx) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := s.Authn.FromSession(r)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		if p == nil {
			if r.Header.Get("HX-Request") == "true" {
				w.Header().Set("HX-Redirect", "/login")
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(safeNext(r.URL.RequestURI())), http.StatusSeeOther)
			return
		}
		if !p.Session.MFAPassed {
			http.Redirect(w, r, "/login/mfa", http.StatusSeeOther)
			return
		}
		r = httpx.WithPrincipal(r, p)
		if !httpx.IsSafeMethod(r.Method) && !httpx.CheckCSRF(r, p.Session) {
			s.renderError(w, r, &domain.Error{Code: domain.EForbidden, Message: "The form has expired or did not come from this site. Reload the page and try again."})
			return
		}
		if p.Org.RequireMFA && !p.User.MFAEnabled && p.User.OIDCSubject == "" && !strings.HasPrefix(r.URL.Path, "/account/mfa") {
			setFlash(w, "info", "Your organisation requires multi-factor authentication. Set it up to continue.")
			http.Redirect(w, r, "/account/mfa", http.StatusSeeOther)
			return
		}
		if err := p.Role.Require(perm); err != nil {
			s.renderError(w, r, err)
			return
		}
		c := &Ctx{W: w, R: r, P: p, Scope: s.Store.Scope(p.Org.ID), s: s}
		if err := h(c); err != nil {
			s.renderError(w, r, err)
		}
	}
}

// Render renders a page with status 200.
func (c *Ctx) Render(page, title string, data any) error {
	c.s.render(c.W, c.R, http.StatusOK, page, View{Title: title, Data: data})
	return nil
}

// RenderStatus renders a page with a status (422 for a form with errors, for example).
func (c *Ctx) RenderStatus(status int, page, title string, data any) error {
	c.s.render(c.W, c.R, status, page, View{Title: title, Data: data})
	return nil
}

// Redirect sends the browser to url after a POST, with an optional one-time message.
func (c *Ctx) Redirect(url, kind, text string) error {
	if text != "" {
		setFlash(c.W, kind, text)
	}
	if c.R.Header.Get("HX-Request") == "true" {
		c.W.Header().Set("HX-Redirect", url)
		c.W.WriteHeader(http.StatusNoContent)
		return nil
	}
	http.Redirect(c.W, c.R, url, http.StatusSeeOther)
	return nil
}

// Loc is the organisation's time zone.
func (c *Ctx) Loc() *time.Location { return c.P.Org.Location() }

// PathInt returns a numeric path parameter (ENotFound when it is not a number, as for a missing page).
func (c *Ctx) PathInt(name string) (int64, error) {
	v, err := strconv.ParseInt(c.R.PathValue(name), 10, 64)
	if err != nil || v <= 0 {
		return 0, domain.NotFound("page")
	}
	return v, nil
}

// List reads the paging, sorting and search parameters of a list page.
func (c *Ctx) List() domain.ListParams {
	q := c.R.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	offset, _ := strconv.Atoi(q.Get("offset"))
	return domain.ListParams{Limit: limit, Offset: offset, Sort: q.Get("sort"), Q: strings.TrimSpace(q.Get("q"))}.Normalize()
}

// Form returns a trimmed form value.
func (c *Ctx) Form(name string) string { return strings.TrimSpace(c.R.PostFormValue(name)) }

// FormBool returns a checkbox value.
func (c *Ctx) FormBool(name string) bool {
	v := c.R.PostFormValue(name)
	return v == "on" || v == "true" || v == "1" || v == "yes"
}

// Now is the current time.
func (c *Ctx) Now() time.Time { return c.s.Now() }

// Server returns the web server (for module handlers that need its dependencies).
func (c *Ctx) Server() *Server { return c.s }

// FieldErrors collects form errors by field for inline display.
type FieldErrors map[string]string

// FromError records a domain error under its field (or "_" for the form as a whole); it reports whether
// err was a user error that the form can show. Other errors must be returned to the caller.
func (fe FieldErrors) FromError(err error) bool {
	code := domain.ErrorCode(err)
	if code != domain.EInvalid && code != domain.EConflict && code != domain.ETooLarge {
		return false
	}
	f := domain.ErrorField(err)
	if f == "" {
		f = "_"
	}
	var e *domain.Error
	msg := domain.ErrorMessage(err)
	if de, ok := err.(*domain.Error); ok {
		e = de
		msg = e.Message
	}
	fe[f] = msg
	return true
}
