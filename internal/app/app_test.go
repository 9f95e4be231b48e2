package app_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/app/apptest"
	"github.com/vigil-med/vigil/internal/config"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/jobs"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// TestReadinessFollowsTheDatabase: /readyz answers 503 while the database is unreachable and 200 again
// once it is back; /healthz (the process lives) stays 200. On PostgreSQL the connection is really cut (a
// TCP proxy in between); on SQLite, whose database cannot go away like a server, through the store's
// FailPings fault injection.
func TestReadinessFollowsTheDatabase(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		h := apptest.New(t, apptest.Options{})
		c := h.Client()
		c.Get("/readyz").Must(t, 200)
		h.Store.FailPings(errors.New("disk I/O error"))
		if r := c.Get("/readyz"); r.Status != http.StatusServiceUnavailable || r.Body != "database unreachable\n" {
			t.Errorf("/readyz with the database gone: %d %q", r.Status, r.Body)
		}
		c.Get("/healthz").Must(t, 200)
		h.Store.FailPings(nil)
		c.Get("/readyz").Must(t, 200)
	})
	t.Run("postgres", func(t *testing.T) {
		if os.Getenv("VIGIL_TEST_POSTGRES") == "" {
			t.Skip("VIGIL_TEST_POSTGRES is not set")
		}
		var proxy *testutil.Proxy
		h := apptest.New(t, apptest.Options{Engine: "postgres", Configure: func(c *config.Config) {
			u, _ := url.Parse(c.Database)
			proxy = testutil.TCPProxy(t, u.Host)
			u.Host = proxy.Addr()
			c.Database = u.String()
		}})
		org := h.Org("alpha")
		api := h.APIClient(h.Token(org, domain.RoleAuditor))
		c := h.Client()
		c.Get("/readyz").Must(t, 200)
		api.JSON(http.MethodGet, "/api/v1/me", nil).Must(t, 200)

		proxy.Break()
		if r := c.Get("/readyz"); r.Status != http.StatusServiceUnavailable {
			t.Errorf("/readyz with the database cut off: %d %q", r.Status, r.Body)
		}
		c.Get("/healthz").Must(t, 200)
		r := api.JSON(http.MethodGet, "/api/v1/me", nil)
		if r.Status != http.StatusServiceUnavailable || r.ErrorCode() != "unavailable" {
			t.Errorf("API request with the database cut off: %d %s", r.Status, r.Body)
		}
		if r := c.Get("/login"); r.Status != 200 {
			t.Errorf("the login page needs no database: %d", r.Status)
		}

		proxy.Restore()
		c.Get("/readyz").Must(t, 200)
		api.JSON(http.MethodGet, "/api/v1/me", nil).Must(t, 200)
	})
}

func TestMetrics(t *testing.T) {
	h := apptest.New(t, apptest.Options{Before: func(a *app.App) {
		a.Jobs.Register("test.ok", func(ctx context.Context, j *store.Job, p *jobs.Progress) error { return nil })
		a.Jobs.Register("test.bad", func(ctx context.Context, j *store.Job, p *jobs.Progress) error {
			return jobs.Permanent(errors.New("no"))
		})
	}})
	ctx := context.Background()
	for _, kind := range []string{"test.ok", "test.bad"} {
		if _, err := h.App.Jobs.Enqueue(ctx, store.NewJob{Kind: kind}); err != nil {
			t.Fatal(err)
		}
		if ran, err := h.App.Jobs.RunOne(ctx); !ran || err != nil {
			t.Fatalf("run %s: %v %v", kind, ran, err)
		}
	}
	c := h.Client()
	c.Get("/healthz")
	c.Get("/login")
	c.Get("/no-such-page")
	r := c.Get("/metrics").Must(t, 200)
	for _, want := range []string{
		`vigil_http_requests_total{method="GET",route="GET /healthz",status="200"} 1`,
		`vigil_http_requests_total{method="GET",route="GET /login",status="200"} 1`,
		`vigil_http_requests_total{method="GET",route="/",status="404"} 1`,
		`vigil_http_request_duration_seconds_bucket{route="GET /login",le="`,
		`vigil_job_runs_total{kind="test.ok",outcome="ok"} 1`,
		`vigil_job_runs_total{kind="test.bad",outcome="error"} 1`,
		`vigil_jobs{kind="test.ok",status="done"} 1`,
		`vigil_jobs{kind="test.bad",status="failed"} 1`,
		`go_sql_open_connections{db_name="sqlite"}`,
		`go_sql_max_open_connections{db_name="sqlite"} 4`,
		"go_goroutines ",
		"process_resident_memory_bytes ",
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// Request paths with ids do not become labels of their own (the route pattern is the label).
	c.Get("/admin/users/123")
	c.Get("/admin/users/456")
	r = c.Get("/metrics")
	if strings.Contains(r.Body, "123") && regexp.MustCompile(`route="[^"]*123`).MatchString(r.Body) {
		t.Error("a request path became a metric label")
	}
	if !strings.Contains(r.Body, `route="GET /admin/users/{id}",status="303"} 2`) {
		t.Error("requests are not counted by their route pattern")
	}
	// With metrics.token, only a scraper with the token reads them.
	const token = "0123456789abcdef0123456789abcdef-metrics"
	locked := apptest.New(t, apptest.Options{Configure: func(c *config.Config) { c.MetricsToken = token }})
	for _, auth := range []string{"", "Bearer wrong", "Bearer " + token + "x", "Basic " + token, token} {
		lc := locked.Client()
		if auth != "" {
			lc.Header.Set("Authorization", auth)
		}
		if r := lc.Get("/metrics"); r.Status != http.StatusUnauthorized || strings.Contains(r.Body, "go_goroutines") {
			t.Errorf("/metrics with Authorization %q: %d", auth, r.Status)
		}
	}
	lc := locked.Client()
	lc.Header.Set("Authorization", "Bearer "+token)
	if r := lc.Get("/metrics"); r.Status != http.StatusOK || !strings.Contains(r.Body, "go_goroutines ") {
		t.Errorf("/metrics with the token: %d", r.Status)
	}
	// Metrics can be turned off.
	off := apptest.New(t, apptest.Options{Configure: func(c *config.Config) { c.Metrics = false }})
	if r := off.Client().Get("/metrics"); r.Status != http.StatusNotFound {
		t.Errorf("/metrics with metrics.enabled false: %d", r.Status)
	}
}
