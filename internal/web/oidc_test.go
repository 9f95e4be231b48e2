package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/vigil-med/vigil/internal/app/apptest"
	"github.com/vigil-med/vigil/internal/config"
	"github.com/vigil-med/vigil/internal/domain"
)

func startIdP(t *testing.T) *mockoidc.MockOIDC {
	t.Helper()
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Shutdown() })
	return m
}

func ssoApp(t *testing.T, m *mockoidc.MockOIDC) *apptest.Harness {
	t.Helper()
	cfg := m.Config()
	return apptest.New(t, apptest.Options{Configure: func(c *config.Config) {
		c.OIDC.Issuer, c.OIDC.ClientID, c.OIDC.ClientSecret = cfg.Issuer, cfg.ClientID, cfg.ClientSecret
		c.OIDC.Scopes = []string{"profile", "email", "groups"}
		c.OIDC.RoleMap = map[string]string{"vigil-admins": "admin", "engineering": "clinical-engineer"}
		c.OIDC.Org = "alpha"
		c.OIDC.ButtonLabel = "Sign in with Nordstadt SSO"
	}})
}

// ssoLogin runs the browser's side of the flow: start, the identity provider's authorize endpoint, and
// the callback (which tamper may change). It returns the callback's response.
func ssoLogin(t *testing.T, c *apptest.Client, next string, tamper func(callback *url.URL, cookie *http.Cookie)) *apptest.Response {
	t.Helper()
	r := c.Get("/auth/oidc/start?next=" + url.QueryEscape(next))
	if r.Status != http.StatusFound {
		t.Fatalf("start: %s", r)
	}
	authz, _ := url.Parse(r.Location())
	q := authz.Query()
	if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) < 43 || len(q.Get("nonce")) < 20 ||
		len(q.Get("state")) < 20 || q.Get("response_type") != "code" || !strings.Contains(q.Get("scope"), "openid") {
		t.Fatalf("authorization request lacks PKCE, nonce or state: %s", authz)
	}
	r = c.Get(authz.String()) // the identity provider signs the queued user in
	if r.Status != http.StatusFound {
		t.Fatalf("authorize: %d %s", r.Status, r.Body)
	}
	cb, _ := url.Parse(r.Location())
	if tamper != nil {
		base, _ := url.Parse(c.Base + "/auth/oidc/")
		var cookie *http.Cookie
		for _, ck := range c.HTTP.Jar.Cookies(base) {
			if ck.Name == "vigil_oidc" {
				cookie = ck
			}
		}
		if cookie == nil {
			t.Fatal("no vigil_oidc cookie after start")
		}
		tamper(cb, cookie)
		cookie.Path = "/auth/oidc/"
		c.HTTP.Jar.SetCookies(base, []*http.Cookie{cookie})
	}
	return c.Get(cb.String())
}

func TestSingleSignOn(t *testing.T) {
	idp := startIdP(t)
	h := ssoApp(t, idp)
	org := h.Org("alpha")
	h.Org("beta")
	h.User(org, "local@alpha.example", domain.RoleAuditor)
	ctx := context.Background()

	c := h.Client()
	if r := c.Get("/login"); !strings.Contains(r.Body, "Sign in with Nordstadt SSO") {
		t.Error("the login page has no SSO button")
	}

	// First login: the user is created with the role of their group.
	idp.QueueUser(&mockoidc.MockUser{Subject: "u-1", Email: "Sso.User@alpha.example", PreferredUsername: "Sam SSO", Groups: []string{"staff", "vigil-admins"}})
	r := ssoLogin(t, c, "/admin/users", nil)
	if r.Status != http.StatusSeeOther || r.Location() != "/admin/users" {
		t.Fatalf("callback: %s\n%.1000s\n%s", r, r.Body, h.Log())
	}
	c.Get("/admin/users").Must(t, 200)
	u, err := h.Store.UserByEmail(ctx, "sso.user@alpha.example")
	if err != nil {
		t.Fatal(err)
	}
	if u.OrgID != org.ID || u.Role != domain.RoleAdmin || u.OIDCSubject != idp.Issuer()+"|u-1" || u.PasswordHash != "" || u.Name != "Sam SSO" {
		t.Errorf("provisioned user: %+v", u)
	}

	// Next login: the identity provider is authoritative for the role.
	c2 := h.Client()
	idp.QueueUser(&mockoidc.MockUser{Subject: "u-1", Email: "sso.user@alpha.example", PreferredUsername: "Sam SSO", Groups: []string{"engineering"}})
	ssoLogin(t, c2, "/", nil)
	if u, _ := h.Store.UserByID(ctx, u.ID); u.Role != domain.RoleClinicalEngineer {
		t.Errorf("role after the groups changed: %s", u.Role)
	}
	if r := c2.Get("/admin/users"); r.Status != http.StatusForbidden {
		t.Errorf("a demoted SSO user on the user page: %d", r.Status)
	}
	c2.Get("/dashboard").Must(t, 200)
	// The first session sees the new role at once.
	if r := c.Get("/admin/users"); r.Status != http.StatusForbidden {
		t.Errorf("the older session of a demoted SSO user: %d", r.Status)
	}

	for _, tt := range []struct {
		name   string
		user   *mockoidc.MockUser
		tamper func(*url.URL, *http.Cookie)
		want   string
	}{
		{"unmapped groups", &mockoidc.MockUser{Subject: "u-2", Email: "guest@alpha.example", Groups: []string{"marketing"}}, nil,
			"none of your groups is mapped to a Vigil role"},
		{"no groups", &mockoidc.MockUser{Subject: "u-3", Email: "nogroups@alpha.example"}, nil, "none of your groups is mapped"},
		{"tampered state", &mockoidc.MockUser{Subject: "u-1", Email: "sso.user@alpha.example", Groups: []string{"vigil-admins"}},
			func(cb *url.URL, _ *http.Cookie) {
				q := cb.Query()
				q.Set("state", q.Get("state")+"x")
				cb.RawQuery = q.Encode()
			}, "the sign-in state does not match"},
		{"tampered nonce", &mockoidc.MockUser{Subject: "u-1", Email: "sso.user@alpha.example", Groups: []string{"vigil-admins"}},
			func(_ *url.URL, ck *http.Cookie) {
				p := strings.Split(ck.Value, "|")
				p[1] = "another-nonce-of-an-attacker"
				ck.Value = strings.Join(p, "|")
			}, "nonce does not match"},
		{"wrong PKCE verifier", &mockoidc.MockUser{Subject: "u-1", Email: "sso.user@alpha.example", Groups: []string{"vigil-admins"}},
			func(_ *url.URL, ck *http.Cookie) {
				p := strings.Split(ck.Value, "|")
				p[2] = strings.Repeat("A", 43)
				ck.Value = strings.Join(p, "|")
			}, "code exchange"},
		{"local account with the same e-mail", &mockoidc.MockUser{Subject: "u-4", Email: "local@alpha.example", Groups: []string{"vigil-admins"}}, nil,
			"a local account with your e-mail exists"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := h.Client()
			idp.QueueUser(tt.user)
			r := ssoLogin(t, c, "/", tt.tamper)
			if r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "Single sign-on failed") || !strings.Contains(r.Body, tt.want) {
				t.Errorf("status %d, want 401 with %q:\n%.600s", r.Status, tt.want, r.Body)
			}
			if r := c.Get("/dashboard"); r.Status != http.StatusSeeOther {
				t.Errorf("a refused SSO login gave a session: %s", r)
			}
		})
	}
	if _, err := h.Store.UserByEmail(ctx, "guest@alpha.example"); domain.ErrorCode(err) != domain.ENotFound {
		t.Errorf("an unmapped user was provisioned: %v", err)
	}
	if u, _ := h.Store.UserByEmail(ctx, "local@alpha.example"); u.OIDCSubject != "" || u.Role != domain.RoleAuditor {
		t.Errorf("a local account was linked or changed by SSO: %+v", u)
	}
	// A callback without the login cookie, or with the provider's error, is refused.
	if r := h.Client().Get("/auth/oidc/callback?state=x&code=y"); r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "cookies are blocked") {
		t.Errorf("callback without a cookie: %d", r.Status)
	}
	c3 := h.Client()
	c3.Get("/auth/oidc/start")
	if r := c3.Get("/auth/oidc/callback?error=access_denied"); r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "the identity provider said access_denied") {
		t.Errorf("callback with an error: %d", r.Status)
	}
	// SSO users sign in with the provider only.
	if r := h.Client().Login("sso.user@alpha.example", ""); r.Status != http.StatusUnauthorized {
		t.Errorf("password login of an SSO user: %s", r)
	}
}

func TestSingleSignOnOff(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	c := h.Client()
	if r := c.Get("/login"); strings.Contains(r.Body, "/auth/oidc/start") {
		t.Error("the login page offers SSO that is not configured")
	}
	if r := c.Get("/auth/oidc/start"); r.Status != http.StatusNotFound {
		t.Errorf("SSO start without SSO: %d", r.Status)
	}
}
