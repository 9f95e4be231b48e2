package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/httpx"
	"github.com/vigil-med/vigil/internal/store"
)

func (s *Server) authRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /login", s.loginForm)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("GET /login/mfa", s.mfaForm)
	mux.HandleFunc("POST /login/mfa", s.mfaSubmit)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("GET /auth/oidc/start", s.oidcStart)
	mux.HandleFunc("GET /auth/oidc/callback", s.oidcCallback)
}

type loginView struct {
	Email    string
	Next     string
	Error    string
	SSO      bool
	SSOLabel string
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	if p, _ := s.Authn.FromSession(r); p != nil && p.Session.MFAPassed {
		http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "auth/login", View{Title: "Sign in", Bare: true, Data: s.loginView(r, "", "")})
}

func (s *Server) loginView(r *http.Request, email, msg string) loginView {
	next := r.URL.Query().Get("next")
	if r.Method == http.MethodPost {
		next = r.PostFormValue("next")
	}
	return loginView{Email: email, Next: safeNext(next), Error: msg, SSO: s.OIDC != nil, SSOLabel: s.Config.OIDC.ButtonLabel}
}

// errLogin is the one message for every failed login: it does not tell whether the account exists,
// is disabled or the password was wrong.
const errLogin = "The e-mail address or password is not correct."

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	pw := r.PostFormValue("password")
	now := s.Now()
	ip := httpx.ClientIP(r.Context())
	fail := func(status int, msg string) {
		s.render(w, r, status, "auth/login", View{Title: "Sign in", Bare: true, Data: s.loginView(r, email, msg)})
	}
	if ok, until := s.ipFail.Allowed("ip:"+ip, now); !ok {
		fail(http.StatusTooManyRequests, "Too many failed sign-ins from your address. Try again after "+until.Format("15:04")+" UTC.")
		return
	}
	if ok, until := s.loginFail.Allowed("acct:"+email, now); !ok {
		fail(http.StatusTooManyRequests, "Too many failed sign-ins for this account. Try again after "+until.Format("15:04")+" UTC.")
		return
	}
	u, err := s.Store.UserByEmail(r.Context(), email)
	if err != nil && domain.ErrorCode(err) != domain.ENotFound {
		s.renderError(w, r, err)
		return
	}
	valid := false
	if err == nil && u.PasswordHash != "" {
		valid, _ = auth.VerifyPassword(u.PasswordHash, pw)
	} else {
		auth.VerifyDummy(pw)
	}
	if !valid || u.Disabled {
		s.loginFail.Fail("acct:"+email, now)
		s.ipFail.Fail("ip:"+ip, now)
		if err == nil {
			s.auditAuth(r, u, "auth.login_failed", "failed sign-in")
		}
		fail(http.StatusUnauthorized, errLogin)
		return
	}
	s.loginFail.Reset("acct:" + email)
	if _, err := s.Authn.StartSession(w, r, u, !u.MFAEnabled); err != nil {
		s.renderError(w, r, err)
		return
	}
	next := safeNext(r.PostFormValue("next"))
	if u.MFAEnabled {
		http.Redirect(w, r, "/login/mfa?next="+url.QueryEscape(next), http.StatusSeeOther)
		return
	}
	s.recordLogin(r, u, "password")
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) recordLogin(r *http.Request, u domain.User, method string) {
	ctx := domain.WithActor(httpx.Detach(r.Context()), httpx.ActorFor(r, domain.ActorUser, u.ID, 0, u.OrgID, u.Email, u.Role))
	if err := s.Store.Scope(u.OrgID).Write(ctx, func(tx *store.Tx) error { return tx.RecordLogin(ctx, u.ID, method) }); err != nil {
		s.Log.Warn("record login", "err", err)
	}
}

func (s *Server) auditAuth(r *http.Request, u domain.User, action, summary string) {
	ctx := domain.WithActor(httpx.Detach(r.Context()), httpx.ActorFor(r, domain.ActorUser, u.ID, 0, u.OrgID, u.Email, u.Role))
	if err := s.Store.Scope(u.OrgID).Write(ctx, func(tx *store.Tx) error {
		return tx.Audit(ctx, store.AuditEntry{Action: action, Entity: "user", EntityID: u.ID, Summary: summary})
	}); err != nil {
		s.Log.Warn("audit", "action", action, "err", err)
	}
}

type mfaView struct {
	Next  string
	Error string
}

// pendingMFA returns the session that has passed the password but not yet the second factor.
func (s *Server) pendingMFA(w http.ResponseWriter, r *http.Request) (*httpx.Principal, bool) {
	p, err := s.Authn.FromSession(r)
	if err != nil || p == nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil, false
	}
	if p.Session.MFAPassed {
		http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
		return nil, false
	}
	return p, true
}

func (s *Server) mfaForm(w http.ResponseWriter, r *http.Request) {
	p, ok := s.pendingMFA(w, r)
	if !ok {
		return
	}
	r = httpx.WithPrincipal(r, p)
	s.render(w, r, http.StatusOK, "auth/mfa", View{Title: "Second factor", Bare: true,
		Data: mfaView{Next: safeNext(r.URL.Query().Get("next"))}})
}

func (s *Server) mfaSubmit(w http.ResponseWriter, r *http.Request) {
	p, ok := s.pendingMFA(w, r)
	if !ok {
		return
	}
	if !httpx.CheckCSRF(r, p.Session) {
		s.renderError(w, r, &domain.Error{Code: domain.EForbidden, Message: "The form has expired. Sign in again."})
		return
	}
	u := *p.User
	now := s.Now()
	next := safeNext(r.PostFormValue("next"))
	rr := httpx.WithPrincipal(r, p)
	fail := func(status int, msg string) {
		s.render(w, rr, status, "auth/mfa", View{Title: "Second factor", Bare: true, Data: mfaView{Next: next, Error: msg}})
	}
	key := "mfa:" + u.Email
	if ok, until := s.loginFail.Allowed(key, now); !ok {
		fail(http.StatusTooManyRequests, "Too many wrong codes. Try again after "+until.Format("15:04")+" UTC.")
		return
	}
	code := strings.TrimSpace(r.PostFormValue("code"))
	method := "password+totp"
	step, valid := auth.TOTPStep(u.TOTPSecret, code, now)
	replayed := false
	if valid {
		ctx := domain.WithActor(r.Context(), p.Actor)
		err := s.Store.Scope(u.OrgID).Write(ctx, func(tx *store.Tx) error {
			return tx.ClaimTOTPStep(ctx, u.ID, step)
		})
		if err != nil && domain.ErrorCode(err) != domain.EConflict {
			s.renderError(w, r, err)
			return
		}
		valid, replayed = err == nil, err != nil
	}
	if !valid && !replayed && len(strings.NewReplacer("-", "", " ", "").Replace(code)) == 10 {
		ctx := domain.WithActor(r.Context(), p.Actor)
		err := s.Store.Scope(u.OrgID).Write(ctx, func(tx *store.Tx) error {
			return tx.UseRecoveryCode(ctx, u.ID, auth.HashRecoveryCode(code))
		})
		valid, method = err == nil, "password+recovery-code"
	}
	if !valid {
		s.loginFail.Fail(key, now)
		if replayed {
			s.auditAuth(r, u, "auth.mfa_failed", "second-factor code used before (replay refused)")
			fail(http.StatusUnauthorized, "That code was used already. Wait for the next code and enter it.")
			return
		}
		s.auditAuth(r, u, "auth.mfa_failed", "wrong second-factor code")
		fail(http.StatusUnauthorized, "That code is not correct. Codes change every 30 seconds; check your device's clock.")
		return
	}
	s.loginFail.Reset(key)
	// A new session id once fully authenticated, so a session id seen before MFA is worthless.
	if _, err := s.Authn.StartSession(w, r, u, true); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.recordLogin(r, u, method)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	p, _ := s.Authn.FromSession(r)
	if p != nil {
		if !httpx.CheckCSRF(r, p.Session) {
			s.renderError(w, r, &domain.Error{Code: domain.EForbidden, Message: "The form has expired. Reload the page and sign out again."})
			return
		}
		s.auditAuth(r, *p.User, "auth.logout", "signed out")
	}
	s.Authn.EndSession(w, r)
	setFlash(w, "ok", "You have signed out.")
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

const oidcCookie = "vigil_oidc"

func (s *Server) oidcStart(w http.ResponseWriter, r *http.Request) {
	if s.OIDC == nil {
		s.renderError(w, r, domain.NotFound("single sign-on"))
		return
	}
	target, l := s.OIDC.Start()
	next := safeNext(r.URL.Query().Get("next"))
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: strings.Join([]string{l.State, l.Nonce, l.Verifier, url.QueryEscape(next)}, "|"),
		Path: "/auth/oidc/", HttpOnly: true, Secure: s.Authn.Secure, SameSite: http.SameSiteLaxMode, MaxAge: 600})
	http.Redirect(w, r, target, http.StatusFound)
}

func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) {
	if s.OIDC == nil {
		s.renderError(w, r, domain.NotFound("single sign-on"))
		return
	}
	c, err := r.Cookie(oidcCookie)
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: "", Path: "/auth/oidc/", MaxAge: -1})
	fail := func(msg string) {
		s.render(w, r, http.StatusUnauthorized, "auth/login", View{Title: "Sign in", Bare: true,
			Data: loginView{Error: "Single sign-on failed: " + msg, SSO: true, SSOLabel: s.Config.OIDC.ButtonLabel, Next: "/"}})
	}
	if err != nil {
		fail("the sign-in took too long or cookies are blocked; start again.")
		return
	}
	parts := strings.Split(c.Value, "|")
	if len(parts) != 4 {
		fail("start again.")
		return
	}
	if e := r.URL.Query().Get("error"); e != "" {
		fail("the identity provider said " + e)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 20*time.Second)
	defer cancel()
	id, err := s.OIDC.Finish(ctx, auth.OIDCLogin{State: parts[0], Nonce: parts[1], Verifier: parts[2]}, r.URL.Query().Get("state"), r.URL.Query().Get("code"))
	if err != nil {
		s.Log.Warn("oidc login", "err", err)
		fail(err.Error())
		return
	}
	u, err := s.ssoUser(r, id)
	if err != nil {
		fail(domain.ErrorMessage(err))
		return
	}
	if _, err := s.Authn.StartSession(w, r, u, true); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.recordLogin(r, u, "sso")
	next, _ := url.QueryUnescape(parts[3])
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
}

// ssoUser finds or provisions the Vigil user of an SSO identity. The identity provider is authoritative
// for the role: it is updated from the groups at every sign-in.
func (s *Server) ssoUser(r *http.Request, id auth.Identity) (domain.User, error) {
	ctx := r.Context()
	if id.Role == "" {
		return domain.User{}, &domain.Error{Code: domain.EForbidden, Message: "none of your groups is mapped to a Vigil role (ask your administrator to set oidc.role_map)"}
	}
	org, err := s.Store.OrgByRef(ctx, s.Config.OIDC.Org)
	if err != nil {
		return domain.User{}, err
	}
	actor := httpx.ActorFor(r, domain.ActorSystem, 0, 0, org.ID, "sso", "")
	wctx := domain.WithActor(ctx, actor)
	u, err := s.Store.UserByOIDCSubject(ctx, id.Subject)
	if err == nil {
		if u.Disabled {
			return u, &domain.Error{Code: domain.EForbidden, Message: "your Vigil account is disabled"}
		}
		if u.Role != id.Role || (id.Name != "" && u.Name != id.Name) {
			u.Role = id.Role
			if id.Name != "" {
				u.Name = id.Name
			}
			if err := s.Store.Scope(u.OrgID).Write(wctx, func(tx *store.Tx) error { return tx.UpdateUser(wctx, u) }); err != nil {
				return u, err
			}
		}
		return u, nil
	}
	if domain.ErrorCode(err) != domain.ENotFound {
		return u, err
	}
	if existing, err := s.Store.UserByEmail(ctx, id.Email); err == nil {
		// An account with this e-mail exists but is not linked: linking silently would let whoever
		// controls the identity provider take over a local account, so an admin links it.
		return existing, &domain.Error{Code: domain.EConflict, Message: "a local account with your e-mail exists; ask an administrator to remove it or sign in with its password"}
	} else if domain.ErrorCode(err) != domain.ENotFound {
		return u, err
	}
	u = domain.User{Email: id.Email, Name: id.Name, Role: id.Role, OIDCSubject: id.Subject}
	err = s.Store.Scope(org.ID).Write(wctx, func(tx *store.Tx) error { return tx.CreateUser(wctx, &u) })
	if err != nil && errors.Is(err, context.Canceled) {
		return u, err
	}
	return u, err
}
