// Package apptest runs a whole Vigil (app.Open + app.Handler) on a local test server for tests that go
// through HTTP: web pages with a cookie jar and CSRF tokens, the REST API with bearer tokens, background
// jobs, a controllable clock. Modules use it for their page and API tests:
//
//	h := apptest.New(t, apptest.Options{})
//	org := h.Org("alpha")
//	admin := h.User(org, "admin@alpha.example", domain.RoleAdmin)
//	c := h.SignIn(admin)            // a signed-in browser session (no password round trip)
//	r := c.Get("/dashboard")        // r.Status, r.Body
//	api := h.APIClient(h.Token(org, domain.RoleAuditor))
//	r = api.JSON("GET", "/api/v1/me", nil)
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/api"
	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/config"
	"github.com/vigil-med/vigil/internal/demo"
	"github.com/vigil-med/vigil/internal/demo/demotest"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// Options configure a test application.
type Options struct {
	// Engine is "sqlite" (the default) or "postgres" (skipped unless VIGIL_TEST_POSTGRES is set).
	Engine string
	// Configure changes the configuration before the application opens (SMTP, OIDC, session times …).
	Configure func(c *config.Config)
	// Clock, when set, is the application's clock (sessions, rate limits, TOTP, audit times).
	Clock *Clock
	// Demo opens a copy of the demo (demotest.DataDir: loaded once per test binary) instead of an empty
	// database; Harness.Demo has its organisations and users. SQLite only.
	Demo bool
	// Before runs after the application opened and before its handler is built (register test jobs,
	// replace the HTTP client, load data).
	Before func(a *app.App)
}

// Harness is a running test application.
type Harness struct {
	T      testing.TB
	App    *app.App
	Store  *store.Store
	API    *api.API
	Server *httptest.Server
	URL    string // http://127.0.0.1:port
	Clock  *Clock
	Demo   *demo.Env // with Options.Demo: the demo's organisations, users and values
	log    *syncBuffer
}

// New opens a fresh application on a fresh database and serves it on a local port until the test ends.
func New(tb testing.TB, o Options) *Harness {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	cfg := config.Default()
	cfg.Listen = ln.Addr().String()
	cfg.DBConnectTimeout = 10 * time.Second
	cfg.DBMaxConns = 5
	cfg.Jobs.PollInterval = 50 * time.Millisecond
	cfg.LogLevel = "debug"
	var demoEnv *demo.Env
	switch o.Engine {
	case "", "sqlite":
		cfg.DataDir = tb.TempDir()
		if o.Demo {
			cfg.DataDir, demoEnv = demotest.DataDir(tb)
		}
	case "postgres":
		if o.Demo {
			tb.Fatal("apptest: the demo template is SQLite only")
		}
		dsn := os.Getenv("VIGIL_TEST_POSTGRES")
		if dsn == "" {
			ln.Close()
			tb.Skip("VIGIL_TEST_POSTGRES is not set")
		}
		cfg.Database = testutil.PostgresSchema(tb, dsn)
		cfg.DataDir = tb.TempDir() // files beside the database (the signing-key secret) stay the test's
	default:
		tb.Fatalf("unknown engine %q", o.Engine)
	}
	if o.Configure != nil {
		o.Configure(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		ln.Close()
		tb.Fatal(err)
	}
	h := &Harness{T: tb, Clock: o.Clock, Demo: demoEnv, log: &syncBuffer{}}
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("server log:\n%s", h.log.String())
		}
	})
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, app.NewLogger(cfg, h.log))
	if err != nil {
		ln.Close()
		tb.Fatalf("open app: %v", err)
	}
	tb.Cleanup(func() { a.Close() })
	if h.Clock != nil {
		a.Now = h.Clock.Now
	}
	if o.Before != nil {
		o.Before(a)
	}
	handler, ap, err := a.Handler(ctx)
	if err != nil {
		ln.Close()
		tb.Fatalf("handler: %v", err)
	}
	srv := httptest.NewUnstartedServer(handler)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	tb.Cleanup(srv.Close)
	h.App, h.Store, h.API, h.Server, h.URL = a, a.Store, ap, srv, srv.URL
	return h
}

// Log returns what the application logged so far.
func (h *Harness) Log() string { return h.log.String() }

// StartJobs runs the background job runner until the test ends.
func (h *Harness) StartJobs() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { h.App.Jobs.Run(ctx); close(done) }()
	h.T.Cleanup(func() { cancel(); <-done })
}

// Org creates an organisation.
func (h *Harness) Org(slug string) domain.Organisation {
	h.T.Helper()
	return testutil.Org(h.T, h.Store, slug)
}

// User creates a user with testutil.Password.
func (h *Harness) User(org domain.Organisation, email string, role domain.Role) domain.User {
	h.T.Helper()
	return testutil.User(h.T, h.Store, org.ID, email, role)
}

// Token creates an API token and returns its secret.
func (h *Harness) Token(org domain.Organisation, role domain.Role) string {
	h.T.Helper()
	s, _ := testutil.Token(h.T, h.Store, org.ID, role)
	return s
}

// Client returns an anonymous client with its own cookie jar. It does not follow redirects: a response
// to a POST is usually 303, see Response.Location and Client.Follow.
func (h *Harness) Client() *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{t: h.T, h: h, Base: h.URL, Header: http.Header{},
		HTTP: &http.Client{Jar: jar, Timeout: 30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// APIClient returns a client that sends the bearer token with every request.
func (h *Harness) APIClient(token string) *Client {
	c := h.Client()
	c.Header.Set("Authorization", "Bearer "+token)
	return c
}

// SignIn returns a client with a fully authenticated session of u, made directly in the store (no
// password hashing): for tests of pages, not of the login itself.
func (h *Harness) SignIn(u domain.User) *Client {
	h.T.Helper()
	c := h.Client()
	now := time.Now()
	if h.Clock != nil {
		now = h.Clock.Now()
	}
	id := auth.RandomToken(32)
	ss := store.Session{IDHash: auth.HashSecret(id), OrgID: u.OrgID, UserID: u.ID, CSRFToken: auth.RandomToken(32),
		MFAPassed: true, Created: now, Expires: now.Add(h.App.Config.SessionLifetime), LastSeen: now, IP: "127.0.0.1"}
	if err := h.Store.CreateSession(context.Background(), ss); err != nil {
		h.T.Fatal(err)
	}
	base, _ := url.Parse(h.URL)
	c.HTTP.Jar.SetCookies(base, []*http.Cookie{{Name: "vigil_session", Value: id, Path: "/"}})
	c.csrf = ss.CSRFToken
	return c
}

// Client is an HTTP client of the test server: a browser without JavaScript (cookie jar, forms with the
// CSRF token of the last page) or an API client (JSON).
type Client struct {
	t      testing.TB
	h      *Harness
	Base   string
	HTTP   *http.Client
	Header http.Header // sent with every request
	csrf   string
}

// Response is a finished response with its body read.
type Response struct {
	Status int
	Header http.Header
	Body   string
}

// Location is the redirect target of the response (path and query when it is on the same server).
func (r *Response) Location() string { return r.Header.Get("Location") }

// JSON decodes the body into v.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.Body), v); err != nil {
		t.Fatalf("decode %q: %v", r.Body, err)
	}
}

// ErrorCode returns the code of an API error envelope ("" when the body is not one).
func (r *Response) ErrorCode() string {
	var e struct {
		Error struct{ Code string } `json:"error"`
	}
	_ = json.Unmarshal([]byte(r.Body), &e)
	return e.Error.Code
}

// CSRF returns the CSRF token of the last page the client saw (from the csrf-token meta element or a
// csrf_token form field), or of the session made by SignIn.
func (c *Client) CSRF() string { return c.csrf }

// For returns the client reporting its failures to t: a parallel subtest's client must fail that
// subtest, not the test that made the harness.
func (c *Client) For(t testing.TB) *Client {
	d := *c
	d.t = t
	return &d
}

// SetCSRF replaces the CSRF token that Post adds (to forge requests).
func (c *Client) SetCSRF(token string) { c.csrf = token }

var csrfRE = regexp.MustCompile(`(?:name="csrf-token" content|name="csrf_token" value)="([^"]+)"`)

// Do sends the request and reads the response.
func (c *Client) Do(req *http.Request) *Response {
	c.t.Helper()
	for k, v := range c.Header {
		if req.Header.Get(k) == "" {
			req.Header[k] = v
		}
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read body: %v", req.Method, req.URL, err)
	}
	r := &Response{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
	if m := csrfRE.FindStringSubmatch(r.Body); m != nil {
		c.csrf = html.UnescapeString(m[1])
	}
	return r
}

func (c *Client) url(path string) string {
	if strings.HasPrefix(path, "http://") || strings.HasPrefix(path, "https://") {
		return path
	}
	return c.Base + path
}

// Get fetches a path.
func (c *Client) Get(path string) *Response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.url(path), nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.Do(req)
}

// Post submits a form, adding the CSRF token of the last page unless the form has a csrf_token.
func (c *Client) Post(path string, form url.Values) *Response {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if !form.Has("csrf_token") && c.csrf != "" {
		form.Set("csrf_token", c.csrf)
	}
	return c.PostRaw(path, form)
}

// PostRaw submits a form exactly as given (no CSRF token added).
func (c *Client) PostRaw(path string, form url.Values) *Response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.url(path), strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.Do(req)
}

// Follow fetches the redirect target of r, and of each following redirect.
func (c *Client) Follow(r *Response) *Response {
	c.t.Helper()
	for i := 0; r.Status >= 300 && r.Status < 400 && r.Location() != ""; i++ {
		if i == 10 {
			c.t.Fatalf("more than 10 redirects, last to %s", r.Location())
		}
		r = c.Get(r.Location())
	}
	return r
}

// JSON sends body (a string or []byte as it is, anything else marshalled; nil for none) and returns the
// response.
func (c *Client) JSON(method, path string, body any) *Response {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.url(path), rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.Do(req)
}

// Login signs in through the login form with e-mail and password and returns the response to the POST
// (303 to the next page or to /login/mfa on success, the login page with an error otherwise).
func (c *Client) Login(email, password string) *Response {
	c.t.Helper()
	c.Get("/login")
	return c.Post("/login", url.Values{"email": {email}, "password": {password}})
}

// Clock is a settable clock for the application.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Must fails the test when the response's status is not want, showing the body.
func (r *Response) Must(t testing.TB, want int) *Response {
	t.Helper()
	if r.Status != want {
		body := r.Body
		if len(body) > 2000 {
			body = body[:2000] + "…"
		}
		t.Fatalf("status %d, want %d; Location %q; body:\n%s", r.Status, want, r.Location(), body)
	}
	return r
}

// String describes the response for messages.
func (r *Response) String() string { return fmt.Sprintf("%d %s", r.Status, r.Location()) }
