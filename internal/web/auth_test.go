package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/app/apptest"
	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/config"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

const errLogin = "The e-mail address or password is not correct."

// auditActions lists the actions of the organisation's audit log, oldest first.
func auditActions(t *testing.T, h *apptest.Harness, org int64) []string {
	t.Helper()
	page, err := h.Store.Scope(org).AuditEvents(context.Background(), domain.AuditFilter{ListParams: domain.ListParams{Limit: domain.MaxPageSize}})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(page.Items) - 1; i >= 0; i-- {
		out = append(out, page.Items[i].Action)
	}
	return out
}

func countOf(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

func sessionCookie(t *testing.T, c *apptest.Client) *http.Cookie {
	t.Helper()
	u, _ := url.Parse(c.Base)
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if ck.Name == "vigil_session" {
			return ck
		}
	}
	return nil
}

func TestLogin(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	org := h.Org("alpha")
	u := h.User(org, "ciso@alpha.example", domain.RoleSecurityOfficer)
	off := h.User(org, "gone@alpha.example", domain.RoleAuditor)
	if err := h.Store.Scope(org.ID).Write(testutil.Ctx(org.ID), func(tx *store.Tx) error {
		off.Disabled = true
		return tx.UpdateUser(testutil.Ctx(org.ID), off)
	}); err != nil {
		t.Fatal(err)
	}

	c := h.Client()
	if r := c.Get("/"); r.Status != http.StatusSeeOther || r.Location() != "/login?next=%2F" {
		t.Errorf("GET / anonymous: %s", r)
	}
	if r := c.Get("/admin/users?q=a&sort=-name"); r.Status != http.StatusSeeOther || r.Location() != "/login?next=%2Fadmin%2Fusers%3Fq%3Da%26sort%3D-name" {
		t.Errorf("GET a page anonymous: %s", r)
	}

	// Every failure gets the same answer: unknown account, wrong password, disabled account.
	for _, tt := range []struct{ name, email, pw string }{
		{"wrong password", "ciso@alpha.example", "not-the-password"},
		{"unknown user", "nobody@alpha.example", testutil.Password},
		{"disabled user", "gone@alpha.example", testutil.Password},
		{"empty", "", ""},
	} {
		r := c.Login(tt.email, tt.pw)
		if r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, errLogin) || sessionCookie(t, c) != nil {
			t.Errorf("%s: %d, message shown %v", tt.name, r.Status, strings.Contains(r.Body, errLogin))
		}
	}

	// A cookie set before the login is not continued (session fixation).
	base, _ := url.Parse(h.URL)
	c.HTTP.Jar.SetCookies(base, []*http.Cookie{{Name: "vigil_session", Value: "planted-by-an-attacker", Path: "/"}})
	r := c.Login("CISO@alpha.example ", testutil.Password)
	if r.Status != http.StatusSeeOther || r.Location() != "/" {
		t.Fatalf("login: %s", r)
	}
	ck := sessionCookie(t, c)
	if ck == nil || ck.Value == "planted-by-an-attacker" || len(ck.Value) < 40 {
		t.Fatalf("session cookie after login: %+v", ck)
	}
	raw := r.Header.Get("Set-Cookie")
	for _, attr := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(raw, attr) {
			t.Errorf("session cookie %q lacks %s", raw, attr)
		}
	}
	// The database keeps a hash of the session id only.
	if _, err := h.Store.SessionByHash(context.Background(), ck.Value, time.Now()); domain.ErrorCode(err) != domain.ENotFound {
		t.Error("the session id is stored in clear")
	}
	if _, err := h.Store.SessionByHash(context.Background(), auth.HashSecret(ck.Value), time.Now()); err != nil {
		t.Errorf("session not stored under its hash: %v", err)
	}
	r = c.Follow(r)
	if r.Status != 200 || !strings.Contains(r.Body, "<h1>Dashboard</h1>") || !strings.Contains(r.Body, "ciso@alpha.example") {
		t.Errorf("dashboard after login: %d\n%.500s", r.Status, r.Body)
	}
	if r := c.Get("/login"); r.Status != http.StatusSeeOther || r.Location() != "/dashboard" {
		t.Errorf("login page when signed in: %s", r)
	}
	if got, _ := h.Store.UserByID(context.Background(), u.ID); got.LastLogin == nil {
		t.Error("last login not recorded")
	}

	// The next parameter keeps the user on this site.
	for next, want := range map[string]string{"/admin/audit?q=x": "/admin/audit?q=x", "//evil.example/": "/", "https://evil.example/": "/", "/\\evil.example": "/"} {
		c2 := h.Client()
		c2.Get("/login?next=" + url.QueryEscape(next))
		r := c2.Post("/login", url.Values{"email": {"ciso@alpha.example"}, "password": {testutil.Password}, "next": {next}})
		if r.Status != http.StatusSeeOther || r.Location() != want {
			t.Errorf("login with next=%q: %s, want %s", next, r, want)
		}
	}
	actions := auditActions(t, h, org.ID)
	if countOf(actions, "auth.login_failed") != 2 || countOf(actions, "auth.login") != 5 {
		t.Errorf("audit after the logins: %v", actions)
	}
}

func TestLoginRateLimit(t *testing.T) {
	clock := apptest.NewClock(time.Now())
	h := apptest.New(t, apptest.Options{Clock: clock, Configure: func(c *config.Config) {
		c.Login.MaxFailures = 3
		c.Login.MaxFailuresPerAddress = 5
	}})
	org := h.Org("alpha")
	h.User(org, "ciso@alpha.example", domain.RoleSecurityOfficer)
	h.User(org, "eng@alpha.example", domain.RoleClinicalEngineer)
	c := h.Client()

	// Per account: after 3 failures even the right password waits.
	for i := range 3 {
		if r := c.Login("ciso@alpha.example", "wrong-password-"+string(rune('a'+i))); r.Status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %s", i+1, r)
		}
	}
	r := c.Login("ciso@alpha.example", testutil.Password)
	if r.Status != http.StatusTooManyRequests || !strings.Contains(r.Body, "Too many failed sign-ins for this account") {
		t.Fatalf("4th attempt with the right password: %d", r.Status)
	}
	if sessionCookie(t, c) != nil {
		t.Error("a throttled login started a session")
	}
	// Another account from the same address is not throttled yet (2 more failures allowed there).
	if r := h.Client().Login("eng@alpha.example", testutil.Password); r.Status != http.StatusSeeOther {
		t.Errorf("other account: %s", r)
	}
	clock.Advance(15*time.Minute + time.Second)
	if r := c.Login("ciso@alpha.example", testutil.Password); r.Status != http.StatusSeeOther {
		t.Errorf("after the lockout: %s", r)
	}

	// Per address: failures on any accounts from one address add up.
	clock.Advance(16 * time.Minute)
	for i, email := range []string{"a@alpha.example", "b@alpha.example", "c@alpha.example", "d@alpha.example", "e@alpha.example"} {
		if r := c.Login(email, "wrong"); r.Status != http.StatusUnauthorized {
			t.Fatalf("failure %d from the address: %s", i+1, r)
		}
	}
	r = h.Client().Login("eng@alpha.example", testutil.Password)
	if r.Status != http.StatusTooManyRequests || !strings.Contains(r.Body, "Too many failed sign-ins from your address") {
		t.Errorf("login from a throttled address: %d", r.Status)
	}
}

func TestSessionExpiry(t *testing.T) {
	clock := apptest.NewClock(time.Now())
	h := apptest.New(t, apptest.Options{Clock: clock, Configure: func(c *config.Config) {
		c.SessionLifetime = time.Hour
		c.SessionIdle = 30 * time.Minute
	}})
	org := h.Org("alpha")
	u := h.User(org, "ciso@alpha.example", domain.RoleSecurityOfficer)

	t.Run("idle timeout", func(t *testing.T) {
		c := h.SignIn(u)
		c.Get("/dashboard").Must(t, 200)
		clock.Advance(29 * time.Minute)
		c.Get("/dashboard").Must(t, 200) // activity keeps it alive
		clock.Advance(31 * time.Minute)
		if r := c.Get("/dashboard"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/login") {
			t.Errorf("after 31 idle minutes: %s", r)
		}
		if ss, _ := h.Store.Scope(org.ID).Sessions(context.Background(), u.ID, clock.Now()); len(ss) != 0 {
			t.Errorf("idle session still stored: %d", len(ss))
		}
	})
	t.Run("absolute lifetime", func(t *testing.T) {
		c := h.SignIn(u)
		for range 2 { // active every 25 minutes: never idle
			clock.Advance(25 * time.Minute)
			c.Get("/dashboard").Must(t, 200)
		}
		clock.Advance(11 * time.Minute) // 61 minutes after sign-in, 11 after the last request
		if r := c.Get("/dashboard"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/login") {
			t.Errorf("after the session's lifetime: %s", r)
		}
	})
	t.Run("logout", func(t *testing.T) {
		c := h.SignIn(u)
		c.Get("/dashboard").Must(t, 200)
		old := sessionCookie(t, c).Value
		// A logout without the form's token does nothing.
		r := c.PostRaw("/logout", url.Values{})
		if r.Status != http.StatusForbidden {
			t.Errorf("logout without CSRF token: %s", r)
		}
		c.Get("/dashboard").Must(t, 200)
		r = c.Post("/logout", nil)
		if r.Status != http.StatusSeeOther || r.Location() != "/login" || !strings.Contains(r.Header.Get("Set-Cookie"), "Max-Age=0") {
			t.Errorf("logout: %s %q", r, r.Header.Get("Set-Cookie"))
		}
		if r := c.Get("/dashboard"); r.Status != http.StatusSeeOther {
			t.Errorf("dashboard after logout: %s", r)
		}
		// The old session id is dead on the server, not only forgotten by the browser.
		replay := h.Client()
		base, _ := url.Parse(h.URL)
		replay.HTTP.Jar.SetCookies(base, []*http.Cookie{{Name: "vigil_session", Value: old, Path: "/"}})
		if r := replay.Get("/dashboard"); r.Status != http.StatusSeeOther {
			t.Errorf("replayed session cookie after logout: %s", r)
		}
		if !strings.Contains(strings.Join(auditActions(t, h, org.ID), " "), "auth.logout") {
			t.Error("logout not audited")
		}
	})
}

func TestCSRF(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	org := h.Org("alpha")
	admin := h.User(org, "admin@alpha.example", domain.RoleAdmin)
	other := h.SignIn(h.User(org, "admin2@alpha.example", domain.RoleAdmin))
	c := h.SignIn(admin)
	c.Get("/admin/users").Must(t, 200)
	good := c.CSRF()
	users := func() int {
		p, err := h.Store.Scope(org.ID).Users(context.Background(), domain.ListParams{})
		if err != nil {
			t.Fatal(err)
		}
		return p.Total
	}
	before := users()
	form := func(token string) url.Values {
		v := url.Values{"email": {"new@alpha.example"}, "role": {"auditor"}}
		if token != "" {
			v.Set("csrf_token", token)
		}
		return v
	}
	for _, tt := range []struct {
		name   string
		token  string
		header map[string]string
	}{
		{name: "missing token"},
		{name: "wrong token", token: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
		{name: "another session's token", token: other.CSRF()},
		{name: "cross-site request with the right token", token: good, header: map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{name: "foreign origin with the right token", token: good, header: map[string]string{"Origin": "https://evil.example"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, h.URL+"/admin/users", strings.NewReader(form(tt.token).Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			if r := c.Do(req); r.Status != http.StatusForbidden {
				t.Errorf("status %d, want 403", r.Status)
			}
			if n := users(); n != before {
				t.Errorf("a forged request created a user (%d users, were %d)", n, before)
			}
		})
	}
	// The same request from the page itself works.
	req, _ := http.NewRequest(http.MethodPost, h.URL+"/admin/users", strings.NewReader(form(good).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", h.URL)
	if r := c.Do(req); r.Status != 200 || users() != before+1 {
		t.Errorf("genuine request: %d, users %d", r.Status, users())
	}

	// The API accepts the session only with the X-CSRF-Token header for changes.
	if r := c.JSON(http.MethodPost, "/api/v1/tokens", map[string]any{"name": "x", "role": "auditor"}); r.Status != http.StatusForbidden || r.ErrorCode() != "forbidden" {
		t.Errorf("API POST with the session cookie and no CSRF header: %d %s", r.Status, r.Body)
	}
	c.Header.Set("X-CSRF-Token", good)
	if r := c.JSON(http.MethodPost, "/api/v1/tokens", map[string]any{"name": "x", "role": "auditor"}); r.Status != http.StatusCreated {
		t.Errorf("API POST with the session cookie and the CSRF header: %d %s", r.Status, r.Body)
	}
}

var (
	secretRE   = regexp.MustCompile(`<code id="totp-secret">([A-Z2-7]+)</code>`)
	recoveryRE = regexp.MustCompile(`<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>`)
)

// enrolMFA goes through /account/mfa as the signed-in client and returns the secret and recovery codes.
func enrolMFA(t *testing.T, h *apptest.Harness, c *apptest.Client) (string, []string) {
	t.Helper()
	r := c.Get("/account/mfa").Must(t, 200)
	m := secretRE.FindStringSubmatch(r.Body)
	if m == nil || !strings.Contains(r.Body, `src="data:image/png;base64,`) {
		t.Fatalf("enrolment page without secret or QR code:\n%s", r.Body)
	}
	secret := m[1]
	now := time.Now()
	if h.Clock != nil {
		now = h.Clock.Now()
	}
	wrong, _ := auth.TOTPCode(secret, now.Add(-10*time.Minute))
	r = c.Post("/account/mfa", url.Values{"secret": {secret}, "code": {wrong}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "That code did not match") {
		t.Fatalf("enrolment with a wrong code: %d", r.Status)
	}
	code, err := auth.TOTPCode(secret, now)
	if err != nil {
		t.Fatal(err)
	}
	r = c.Post("/account/mfa", url.Values{"secret": {secret}, "code": {code}}).Must(t, 200)
	var codes []string
	for _, m := range recoveryRE.FindAllStringSubmatch(r.Body, -1) {
		codes = append(codes, m[1])
	}
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes shown, want 10", len(codes))
	}
	return secret, codes
}

func TestMFA(t *testing.T) {
	clock := apptest.NewClock(time.Now())
	h := apptest.New(t, apptest.Options{Clock: clock})
	org := h.Org("alpha")
	u := h.User(org, "ciso@alpha.example", domain.RoleSecurityOfficer)
	c := h.SignIn(u)
	secret, codes := enrolMFA(t, h, c)
	got, _ := h.Store.UserByID(context.Background(), u.ID)
	if !got.MFAEnabled || got.TOTPSecret != secret {
		t.Fatalf("after enrolment: MFA %v", got.MFAEnabled)
	}
	c.Post("/logout", nil)

	login := func() *apptest.Client {
		t.Helper()
		c := h.Client()
		r := c.Login(u.Email, testutil.Password)
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/login/mfa") {
			t.Fatalf("password step with MFA: %s", r)
		}
		// Half signed in: no page, no API.
		if r := c.Get("/dashboard"); r.Status != http.StatusSeeOther || r.Location() != "/login/mfa" {
			t.Errorf("dashboard before the second factor: %s", r)
		}
		if r := c.JSON(http.MethodGet, "/api/v1/me", nil); r.Status != http.StatusUnauthorized {
			t.Errorf("API before the second factor: %d", r.Status)
		}
		c.Get("/login/mfa").Must(t, 200)
		return c
	}

	c = login()
	pending := sessionCookie(t, c).Value
	clock.Advance(30 * time.Second)
	wrong, _ := auth.TOTPCode(secret, clock.Now().Add(-5*time.Minute))
	if r := c.Post("/login/mfa", url.Values{"code": {wrong}}); r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "That code is not correct") {
		t.Errorf("wrong TOTP code: %d", r.Status)
	}
	if r := c.Post("/login/mfa", url.Values{"code": {"zzzzz-zzzzz"}}); r.Status != http.StatusUnauthorized {
		t.Errorf("wrong recovery code: %d", r.Status)
	}
	code, _ := auth.TOTPCode(secret, clock.Now())
	r := c.Post("/login/mfa", url.Values{"code": {code}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("right TOTP code: %s\n%.400s", r, r.Body)
	}
	if sessionCookie(t, c).Value == pending {
		t.Error("the session id did not change after the second factor")
	}
	c.Follow(r).Must(t, 200)
	c.Get("/dashboard").Must(t, 200)
	if r := c.JSON(http.MethodGet, "/api/v1/me", nil); r.Status != 200 {
		t.Errorf("API after the second factor: %d", r.Status)
	}
	c.Post("/logout", nil)

	// A TOTP code works once: the same code again (within its 30 seconds) is refused, the next one works.
	c = login()
	if r := c.Post("/login/mfa", url.Values{"code": {code}}); r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "used already") {
		t.Errorf("the same TOTP code a second time: %d", r.Status)
	}
	clock.Advance(30 * time.Second)
	next, _ := auth.TOTPCode(secret, clock.Now())
	if r := c.Post("/login/mfa", url.Values{"code": {next}}); r.Status != http.StatusSeeOther {
		t.Errorf("the next TOTP code: %s", r)
	}
	c.Post("/logout", nil)

	// A recovery code works once (typed in capitals with spaces, as people do).
	c = login()
	typed := strings.ToUpper(strings.ReplaceAll(codes[3], "-", " "))
	if r := c.Post("/login/mfa", url.Values{"code": {typed}}); r.Status != http.StatusSeeOther {
		t.Fatalf("recovery code: %s", r)
	}
	c.Post("/logout", nil)
	c = login()
	if r := c.Post("/login/mfa", url.Values{"code": {codes[3]}}); r.Status != http.StatusUnauthorized {
		t.Errorf("the same recovery code a second time: %s", r)
	}
	if n, _ := h.Store.Scope(org.ID).RecoveryCodesLeft(context.Background(), u.ID); n != 9 {
		t.Errorf("%d recovery codes left, want 9", n)
	}
	actions := auditActions(t, h, org.ID)
	for _, a := range []string{"user.mfa_enable", "auth.mfa_failed", "user.recovery_code"} {
		if countOf(actions, a) == 0 {
			t.Errorf("audit lacks %s: %v", a, actions)
		}
	}

	// Wrong codes are throttled like passwords.
	for range 4 {
		c.Post("/login/mfa", url.Values{"code": {"000000"}})
	}
	code, _ = auth.TOTPCode(secret, clock.Now())
	if r := c.Post("/login/mfa", url.Values{"code": {code}}); r.Status != http.StatusTooManyRequests {
		t.Errorf("right code after 5 wrong ones: %d", r.Status)
	}
}

func TestRequireMFA(t *testing.T) {
	clock := apptest.NewClock(time.Now())
	h := apptest.New(t, apptest.Options{Clock: clock})
	org := h.Org("alpha")
	admin := h.SignIn(h.User(org, "admin@alpha.example", domain.RoleAdmin))
	u := h.User(org, "eng@alpha.example", domain.RoleClinicalEngineer)
	c := h.SignIn(u)
	c.Get("/dashboard").Must(t, 200)

	// The admin requires MFA for everyone (and the admin must enrol too).
	admin.Get("/admin/organisation").Must(t, 200)
	r := admin.Post("/admin/organisation", url.Values{"name": {"Alpha"}, "type": {"hospital"}, "country": {"DE"},
		"time_zone": {"Europe/Berlin"}, "require_mfa": {"on"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("require MFA: %s\n%.500s", r, r.Body)
	}
	if o, _ := h.Store.Org(context.Background(), org.ID); !o.RequireMFA {
		t.Fatal("organisation does not require MFA after saving")
	}
	for _, path := range []string{"/dashboard", "/account", "/admin/audit"} {
		if r := c.Get(path); r.Status != http.StatusSeeOther || r.Location() != "/account/mfa" {
			t.Errorf("%s without MFA in an organisation that requires it: %s", path, r)
		}
	}
	if r := c.JSON(http.MethodGet, "/api/v1/me", nil); r.Status != http.StatusForbidden {
		t.Errorf("API by session without MFA where it is required: %d %s", r.Status, r.Body)
	}
	r = c.Get("/account/mfa").Must(t, 200)
	if !strings.Contains(r.Body, "requires multi-factor authentication") {
		t.Error("the enrolment page does not say why")
	}
	enrolMFA(t, h, c)
	c.Get("/dashboard").Must(t, 200)
	// Turning it off is not allowed while the organisation requires it.
	if r := c.Post("/account/mfa/disable", url.Values{"password": {testutil.Password}}); r.Status != http.StatusForbidden {
		t.Errorf("disable MFA where it is required: %d", r.Status)
	}
	if got, _ := h.Store.UserByID(context.Background(), u.ID); !got.MFAEnabled {
		t.Error("MFA was turned off")
	}
}

func TestAdminManagesUsers(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	org := h.Org("alpha")
	adminUser := h.User(org, "admin@alpha.example", domain.RoleAdmin)
	admin := h.SignIn(adminUser)

	// Create a user: the first password is shown once and works.
	admin.Get("/admin/users").Must(t, 200)
	r := admin.Post("/admin/users", url.Values{"email": {"New.Person@alpha.example"}, "name": {"New Person"}, "role": {"clinical-engineer"}}).Must(t, 200)
	m := regexp.MustCompile(`<code id="new-password">([^<]+)</code>`).FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no first password shown:\n%.2000s", r.Body)
	}
	newbie := h.Client()
	if r := newbie.Login("new.person@alpha.example", m[1]); r.Status != http.StatusSeeOther {
		t.Fatalf("login with the first password: %s", r)
	}
	newbie.Get("/dashboard").Must(t, 200)
	if r := admin.Post("/admin/users", url.Values{"email": {"new.person@alpha.example"}, "role": {"auditor"}}); r.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.Body, "exists already") {
		t.Errorf("duplicate e-mail: %d", r.Status)
	}
	if r := admin.Post("/admin/users", url.Values{"email": {"not-an-address"}, "role": {"auditor"}}); r.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.Body, "is not a valid e-mail address") {
		t.Errorf("invalid e-mail: %d", r.Status)
	}
	created, err := h.Store.UserByEmail(context.Background(), "new.person@alpha.example")
	if err != nil {
		t.Fatal(err)
	}
	path := "/admin/users/" + itoa(created.ID)

	// Change the role: the user's next request has the new role.
	if r := newbie.Get("/admin/users"); r.Status != http.StatusForbidden {
		t.Errorf("clinical engineer on the user page: %d", r.Status)
	}
	admin.Get(path).Must(t, 200)
	if r := admin.Post(path, url.Values{"name": {"New Person"}, "role": {"admin"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("change role: %s", r)
	}
	newbie.Get("/admin/users").Must(t, 200)
	if r := admin.Post(path, url.Values{"name": {"New Person"}, "role": {"superuser"}}); r.Status != http.StatusBadRequest {
		t.Errorf("unknown role: %d", r.Status)
	}
	if got, _ := h.Store.UserByID(context.Background(), created.ID); got.Role != domain.RoleAdmin {
		t.Errorf("role after a refused change: %s", got.Role)
	}
	// An admin cannot lock themselves out.
	if r := admin.Post("/admin/users/"+itoa(adminUser.ID), url.Values{"role": {"auditor"}}); r.Status != http.StatusBadRequest {
		t.Errorf("admin demoting themselves: %d", r.Status)
	}

	// Disabling a user ends their sessions and tokens at once.
	tokens := h.APIClient(newToken(t, h, created))
	tokens.JSON(http.MethodGet, "/api/v1/me", nil).Must(t, 200)
	if r := admin.Post(path, url.Values{"name": {"New Person"}, "role": {"admin"}, "disabled": {"on"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("disable: %s", r)
	}
	if r := newbie.Get("/dashboard"); r.Status != http.StatusSeeOther {
		t.Errorf("disabled user's session: %s", r)
	}
	if r := tokens.JSON(http.MethodGet, "/api/v1/me", nil); r.Status != http.StatusUnauthorized {
		t.Errorf("disabled user's token: %d", r.Status)
	}
	if r := h.Client().Login("new.person@alpha.example", m[1]); r.Status != http.StatusUnauthorized {
		t.Errorf("disabled user's login: %s", r)
	}
	actions := auditActions(t, h, org.ID)
	if countOf(actions, "user.update") != 2 || countOf(actions, "user.create") != 2 {
		t.Errorf("audit: %v", actions)
	}

	// Reset the password: the old one stops working, the user's sessions end.
	other := h.User(org, "other@alpha.example", domain.RoleAuditor)
	oc := h.SignIn(other)
	oc.Get("/dashboard").Must(t, 200)
	admin.Get("/admin/users/"+itoa(other.ID)).Must(t, 200)
	r = admin.Post("/admin/users/"+itoa(other.ID)+"/password", nil).Must(t, 200)
	if !strings.Contains(r.Body, "New password: <code>") {
		t.Error("reset password: no new password shown")
	}
	if r := oc.Get("/dashboard"); r.Status != http.StatusSeeOther {
		t.Errorf("session after a password reset: %s", r)
	}

	// Users without the permission cannot reach the admin pages at all.
	auditor := h.SignIn(h.User(org, "auditor@alpha.example", domain.RoleAuditor))
	for _, p := range []string{"/admin/users", path, "/admin/tokens", "/admin/webhooks", "/admin/organisation", "/admin/jobs"} {
		if r := auditor.Get(p); r.Status != http.StatusForbidden {
			t.Errorf("auditor GET %s: %d", p, r.Status)
		}
	}
	auditor.Get("/admin/audit").Must(t, 200)
	if r := auditor.Post(path, url.Values{"role": {"auditor"}}); r.Status != http.StatusForbidden {
		t.Errorf("auditor changing a user: %d", r.Status)
	}
}

func newToken(t *testing.T, h *apptest.Harness, u domain.User) string {
	t.Helper()
	secret, display, hash := auth.NewAPIToken()
	exp := time.Now().Add(time.Hour)
	tok := store.APIToken{UserID: u.ID, Name: "mine", Role: u.Role, Prefix: display, Hash: hash, Expires: &exp}
	ctx := testutil.Ctx(u.OrgID)
	if err := h.Store.Scope(u.OrgID).Write(ctx, func(tx *store.Tx) error { return tx.CreateToken(ctx, &tok) }); err != nil {
		t.Fatal(err)
	}
	return secret
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
