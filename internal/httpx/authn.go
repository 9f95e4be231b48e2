package httpx

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// Authenticator finds the principal of a request from its session cookie or bearer token.
type Authenticator struct {
	Store    *store.Store
	Log      *slog.Logger
	Secure   bool          // cookies only over HTTPS
	Lifetime time.Duration // absolute session lifetime
	Idle     time.Duration // idle timeout
	Now      func() time.Time
}

// SessionCookie is the name of the session cookie. Under TLS the __Host- prefix pins it to this host
// and path and requires Secure.
func (a *Authenticator) SessionCookie() string {
	if a.Secure {
		return "__Host-vigil_session"
	}
	return "vigil_session"
}

func (a *Authenticator) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// StartSession creates a session for the user and sets its cookie. mfaPassed is false while the second
// factor is still to be given.
func (a *Authenticator) StartSession(w http.ResponseWriter, r *http.Request, u domain.User, mfaPassed bool) (*store.Session, error) {
	if old, err := r.Cookie(a.SessionCookie()); err == nil {
		// A new login never continues an old session id (session fixation).
		_ = a.Store.DeleteSession(r.Context(), auth.HashSecret(old.Value))
	}
	id := auth.RandomToken(32)
	now := a.now()
	ss := store.Session{IDHash: auth.HashSecret(id), OrgID: u.OrgID, UserID: u.ID, CSRFToken: auth.RandomToken(32),
		MFAPassed: mfaPassed, Created: now, Expires: now.Add(a.Lifetime), LastSeen: now,
		IP: ClientIP(r.Context()), UserAgent: truncate(r.UserAgent(), 200)}
	if err := a.Store.CreateSession(r.Context(), ss); err != nil {
		return nil, err
	}
	http.SetCookie(w, &http.Cookie{Name: a.SessionCookie(), Value: id, Path: "/", HttpOnly: true, Secure: a.Secure,
		SameSite: http.SameSiteLaxMode, Expires: ss.Expires})
	return &ss, nil
}

// EndSession deletes the session of the request and clears the cookie.
func (a *Authenticator) EndSession(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(a.SessionCookie()); err == nil {
		_ = a.Store.DeleteSession(r.Context(), auth.HashSecret(c.Value))
	}
	http.SetCookie(w, &http.Cookie{Name: a.SessionCookie(), Value: "", Path: "/", HttpOnly: true, Secure: a.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// FromSession returns the principal of the session cookie, or nil when there is no valid session.
// Sessions past their idle timeout are ended. A session still waiting for its second factor is returned
// with Session.MFAPassed false; callers decide what it may reach.
func (a *Authenticator) FromSession(r *http.Request) (*Principal, error) {
	c, err := r.Cookie(a.SessionCookie())
	if err != nil || c.Value == "" || len(c.Value) > 128 {
		return nil, nil
	}
	ctx := r.Context()
	now := a.now()
	ss, err := a.Store.SessionByHash(ctx, auth.HashSecret(c.Value), now)
	if domain.ErrorCode(err) == domain.ENotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if now.Sub(ss.LastSeen) > a.Idle {
		_ = a.Store.DeleteSession(ctx, ss.IDHash)
		return nil, nil
	}
	u, err := a.Store.UserByID(ctx, ss.UserID)
	if err != nil || u.Disabled || u.OrgID != ss.OrgID {
		_ = a.Store.DeleteSession(ctx, ss.IDHash)
		return nil, nil
	}
	org, err := a.Store.Org(ctx, u.OrgID)
	if err != nil {
		return nil, err
	}
	// Spare the single SQLite writer: touch at most once a minute, but often enough that an active user
	// never reaches a short idle timeout (1m is allowed) between two touches.
	if now.Sub(ss.LastSeen) > min(time.Minute, a.Idle/2) {
		if err := a.Store.TouchSession(ctx, ss.IDHash, now); err != nil {
			a.Log.Warn("touch session", "err", err)
		}
	}
	p := &Principal{User: &u, Org: org, Role: u.Role, Session: &ss}
	p.Actor = ActorFor(r, domain.ActorUser, u.ID, 0, org.ID, u.Email, u.Role)
	return p, nil
}

// FromToken returns the principal of an `Authorization: Bearer vgl_…` header. It returns an
// EUnauthorized error for a token that is unknown, expired or revoked, and nil, nil without a header.
func (a *Authenticator) FromToken(r *http.Request) (*Principal, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, nil
	}
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || !strings.HasPrefix(tok, auth.TokenPrefix) || len(tok) > 200 {
		return nil, &domain.Error{Code: domain.EUnauthorized, Message: "use Authorization: Bearer with a Vigil API token"}
	}
	ctx := r.Context()
	t, err := a.Store.TokenByHash(ctx, auth.HashSecret(tok))
	if domain.ErrorCode(err) == domain.ENotFound {
		return nil, &domain.Error{Code: domain.EUnauthorized, Message: "unknown API token"}
	}
	if err != nil {
		return nil, err
	}
	now := a.now()
	if t.RevokedAt != nil {
		return nil, &domain.Error{Code: domain.EUnauthorized, Message: "this API token was revoked"}
	}
	if t.Expires != nil && !now.Before(*t.Expires) {
		return nil, &domain.Error{Code: domain.EUnauthorized, Message: "this API token has expired"}
	}
	org, err := a.Store.Org(ctx, t.OrgID)
	if err != nil {
		return nil, err
	}
	if t.LastUsed == nil || now.Sub(*t.LastUsed) > time.Minute {
		if err := a.Store.TouchToken(ctx, t.ID, now); err != nil {
			a.Log.Warn("touch token", "err", err)
		}
	}
	p := &Principal{Token: &t, Org: org, Role: t.Role}
	p.Actor = ActorFor(r, domain.ActorToken, t.UserID, t.ID, org.ID, "token:"+t.Name, t.Role)
	return p, nil
}

// CheckCSRF compares the request's CSRF token (form field csrf_token or header X-CSRF-Token) with the
// session's, in constant time.
func CheckCSRF(r *http.Request, ss *store.Session) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf_token")
	}
	return got != "" && ss != nil && subtle.ConstantTimeCompare([]byte(got), []byte(ss.CSRFToken)) == 1
}

// IsSafeMethod reports methods that must not change state.
func IsSafeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Detach returns a context that keeps the request's values (actor, request id) but not its
// cancellation, for work that must finish after the response (audit of a logout, for example).
func Detach(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }
