package web_test

import (
	"context"
	"errors"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/app/apptest"
	"github.com/vigil-med/vigil/internal/demo"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/jobs"
	"github.com/vigil-med/vigil/internal/store"
)

func TestJobsPage(t *testing.T) {
	var fixed atomic.Bool
	h := apptest.New(t, apptest.Options{Before: func(a *app.App) {
		a.Jobs.Register("report.build", func(ctx context.Context, j *store.Job, p *jobs.Progress) error {
			if !fixed.Load() {
				return jobs.Permanent(errors.New("template missing: annual-report"))
			}
			p.Result = "report of 12 pages"
			return nil
		})
	}})
	ctx := context.Background()
	org := h.Org("alpha")
	officer := h.SignIn(h.User(org, "ciso@alpha.example", domain.RoleSecurityOfficer))
	id, err := h.App.Jobs.Enqueue(ctx, store.NewJob{OrgID: org.ID, Kind: "report.build"})
	if err != nil {
		t.Fatal(err)
	}
	later, _ := h.App.Jobs.Enqueue(ctx, store.NewJob{OrgID: org.ID, Kind: "report.build", RunAt: time.Now().Add(time.Hour)})
	if ran, err := h.App.Jobs.RunOne(ctx); !ran || err != nil {
		t.Fatalf("run: %v %v", ran, err)
	}

	r := officer.Get("/admin/jobs").Must(t, 200)
	for _, want := range []string{"report.build", `job-failed">failed`, "template missing: annual-report", `action="/admin/jobs/` + strconv.FormatInt(id, 10) + `/retry"`,
		`action="/admin/jobs/` + strconv.FormatInt(later, 10) + `/cancel"`, "1/5"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("jobs page lacks %q", want)
		}
	}
	if r := officer.Get("/admin/jobs?status=failed"); strings.Count(r.Body, "<tr><td>") != 1 {
		t.Errorf("filter by status shows %d jobs", strings.Count(r.Body, "<tr><td>"))
	}

	// Retry a failed job: queued again with fresh attempts, then it runs.
	fixed.Store(true)
	r = officer.Post("/admin/jobs/"+strconv.FormatInt(id, 10)+"/retry", nil)
	if r.Status != http.StatusSeeOther || r.Location() != "/admin/jobs" {
		t.Fatalf("retry: %s", r)
	}
	if j, _ := h.Store.Job(ctx, id); j.Status != store.JobQueued || j.Attempts != 0 {
		t.Errorf("after retry: %s, %d attempts", j.Status, j.Attempts)
	}
	if r := officer.Post("/admin/jobs/"+strconv.FormatInt(id, 10)+"/retry", nil); r.Status != http.StatusConflict {
		t.Errorf("retrying a queued job: %d", r.Status)
	}
	if ran, err := h.App.Jobs.RunOne(ctx); !ran || err != nil {
		t.Fatalf("run after retry: %v %v", ran, err)
	}
	r = officer.Get("/admin/jobs?status=done").Must(t, 200)
	if !strings.Contains(r.Body, "report of 12 pages") {
		t.Error("the finished job's result is not shown")
	}
	// Cancel a queued job.
	if r := officer.Post("/admin/jobs/"+strconv.FormatInt(later, 10)+"/cancel", nil); r.Status != http.StatusSeeOther {
		t.Errorf("cancel: %s", r)
	}
	if j, _ := h.Store.Job(ctx, later); j.Status != store.JobCancelled {
		t.Errorf("after cancel: %s", j.Status)
	}
	acts := auditActions(t, h, org.ID)
	if countOf(acts, "job.retry") != 1 || countOf(acts, "job.cancel") != 1 {
		t.Errorf("audit: %v", acts)
	}
}

var hrefRE = regexp.MustCompile(`href="([^"]*)"`)

// TestNoDeadLinks follows every link of the navigation, and every same-site link on the pages it reaches
// (sorting, paging, breadcrumbs, footer), as each demo role; each answers 200.
func TestNoDeadLinks(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	env, err := demo.Load(context.Background(), h.Store, time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	anon := h.Client()
	checkLinks(t, anon, "/login", 1)
	for role, u := range env.Users {
		t.Run(string(role), func(t *testing.T) {
			c := h.SignIn(u)
			r := c.Get("/dashboard").Must(t, 200)
			nav := regexp.MustCompile(`(?s)<nav id="sidenav".*?</nav>`).FindString(r.Body)
			items := hrefRE.FindAllStringSubmatch(nav, -1)
			if len(items) == 0 {
				t.Fatal("no navigation items")
			}
			for _, m := range items {
				checkLinks(t, c, html.UnescapeString(m[1]), 2)
			}
			checkLinks(t, c, "/account", 1)
		})
	}
}

// checkLinks fetches path and, depth levels deep, the same-site links on it.
func checkLinks(t *testing.T, c *apptest.Client, start string, depth int) {
	t.Helper()
	seen := map[string]bool{}
	var visit func(path, from string, depth int)
	visit = func(path, from string, depth int) {
		if seen[path] || len(seen) > 300 {
			return
		}
		seen[path] = true
		r := c.Get(path)
		if r.Status != 200 {
			t.Errorf("%s (linked from %s): %d", path, from, r.Status)
			return
		}
		if depth == 0 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			return
		}
		base, _ := url.Parse(path)
		for _, m := range hrefRE.FindAllStringSubmatch(r.Body, -1) {
			link := html.UnescapeString(m[1])
			if strings.HasPrefix(link, "#") || strings.HasPrefix(link, "data:") {
				continue
			}
			u, err := base.Parse(link)
			if err != nil || (u.Host != "" && u.Host != base.Host) {
				if err != nil {
					t.Errorf("%s links to a malformed URL %q", path, link)
				}
				continue // external links are not ours to check
			}
			visit(u.RequestURI(), path, depth-1)
		}
	}
	visit(start, "the test", depth)
}
