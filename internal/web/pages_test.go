package web_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"html"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/app/apptest"
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

// TestNoDeadLinks follows every link of the navigation, and the same-site links on the pages it reaches
// (sorting, paging, breadcrumbs, footer, detail pages), as each demo role; each answers 200 (a redirect
// counts when its target does). The pages a role visits are shared across its navigation items and
// capped, so that the thousands of device pages of the demo are sampled, not all fetched.
func TestNoDeadLinks(t *testing.T) {
	h := apptest.New(t, apptest.Options{Demo: true})
	env := h.Demo
	anon := h.Client()
	newLinkChecker(t, anon, 50).check("/login", "the test", 1)
	for role, u := range env.Users {
		t.Run(string(role), func(t *testing.T) {
			// The roles crawl one after the other. In parallel (half the time on two cores) the race
			// detector once reported reflect's own FuncOf cache (a method called from two templates
			// rendered at once: both sides inside the standard library), which failed CI at random.
			c := h.SignIn(u).For(t)
			r := c.Get("/dashboard").Must(t, 200)
			nav := regexp.MustCompile(`(?s)<nav id="sidenav".*?</nav>`).FindString(r.Body)
			items := hrefRE.FindAllStringSubmatch(nav, -1)
			if len(items) == 0 {
				t.Fatal("no navigation items")
			}
			// Every role sees each kind of page; the administrator, who sees most, sees up to three
			// of each (a list's rows differ), the others one: the crawl is the slowest test under -race.
			lc := newLinkChecker(t, c, 400)
			if role != domain.RoleAdmin {
				lc.perShape = 1
			}
			// Every navigation item first, then one level of links from each.
			for _, m := range items {
				lc.check(html.UnescapeString(m[1]), "the menu", 0)
			}
			for _, m := range items {
				lc.check(html.UnescapeString(m[1]), "the menu", 1)
			}
			lc.check("/account", "the menu", 1)
			t.Logf("%d pages checked; slowest:%s", len(lc.fetched), lc.slowest(5))
		})
	}
}

type linkChecker struct {
	t        *testing.T
	c        *apptest.Client
	max      int
	fetched  map[string]bool
	deep     map[string]bool
	perPath  map[string]int // links followed per route shape, so that one list's rows do not use up the budget
	perShape int            // at most this many pages of one route shape
	took     map[string]time.Duration
}

// slowest reports the n slowest pages: the crawl's time is the sum of the pages' times.
func (lc *linkChecker) slowest(n int) string {
	paths := slices.Collect(maps.Keys(lc.took))
	slices.SortFunc(paths, func(a, b string) int { return cmp.Compare(lc.took[b], lc.took[a]) })
	var b strings.Builder
	for _, p := range paths[:min(n, len(paths))] {
		fmt.Fprintf(&b, " %s %s;", p, lc.took[p].Round(time.Millisecond))
	}
	return b.String()
}

func newLinkChecker(t *testing.T, c *apptest.Client, max int) *linkChecker {
	return &linkChecker{t: t, c: c, max: max, fetched: map[string]bool{}, deep: map[string]bool{}, perPath: map[string]int{}, perShape: 3, took: map[string]time.Duration{}}
}

var digitsRE = regexp.MustCompile(`/\d+`)

// check fetches path (once) and, depth levels deep, the same-site links on it.
func (lc *linkChecker) check(path, from string, depth int) {
	t := lc.t
	t.Helper()
	if lc.deep[path] || len(lc.fetched) >= lc.max {
		return
	}
	shape := digitsRE.ReplaceAllString(strings.SplitN(path, "?", 2)[0], "/N")
	if !lc.fetched[path] {
		if lc.perPath[shape] >= lc.perShape {
			return
		}
		lc.perPath[shape]++
		lc.fetched[path] = true
		start := time.Now()
		r := lc.c.Get(path)
		lc.took[path] = time.Since(start)
		if r.Status == http.StatusSeeOther || r.Status == http.StatusFound {
			if loc := r.Location(); strings.HasPrefix(loc, "/") {
				r = lc.c.Get(loc)
			}
		}
		if r.Status != 200 {
			t.Errorf("%s (linked from %s): %d", path, from, r.Status)
			return
		}
		if depth == 0 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			return
		}
		lc.deep[path] = true
		lc.follow(path, r.Body, depth)
		return
	}
	if depth > 0 {
		lc.deep[path] = true
		lc.follow(path, lc.c.Get(path).Body, depth)
	}
}

func (lc *linkChecker) follow(path, body string, depth int) {
	base, _ := url.Parse(path)
	for _, m := range hrefRE.FindAllStringSubmatch(body, -1) {
		link := html.UnescapeString(m[1])
		if strings.HasPrefix(link, "#") || strings.HasPrefix(link, "data:") {
			continue
		}
		u, err := base.Parse(link)
		if err != nil || (u.Host != "" && u.Host != base.Host) {
			if err != nil {
				lc.t.Errorf("%s links to a malformed URL %q", path, link)
			}
			continue // external links are not ours to check
		}
		lc.check(u.RequestURI(), path, depth-1)
	}
}
