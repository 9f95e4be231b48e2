package web_test

// Feeds and vulnerability database pages with net/http (the browser helpers are not on main yet).

import (
	"bytes"
	"context"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/config"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
	"github.com/vigil-med/vigil/internal/vulndb"
)

func TestVulnDBPages(t *testing.T) {
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	a, err := app.Open(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx := context.Background()
	for _, p := range []string{"../feeds/osv/testdata/ghsa", "../feeds/nvd/testdata/CVE-2021-44228.json", "../feeds/nvd/testdata/CVE-2017-0144.json",
		"../feeds/kev/testdata/known_exploited_vulnerabilities.json", "../feeds/epss/testdata/epss_sample.csv"} {
		if _, err := a.Feeds.Import(ctx, p, vulndb.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	h, _, err := a.Handler(ctx)
	if err != nil {
		t.Fatal(err)
	}
	org := testutil.Org(t, a.Store, "hospital-a")
	ciso := login(t, h, a.Store, org, "ciso@a.example", domain.RoleSecurityOfficer)
	auditor := login(t, h, a.Store, org, "auditor@a.example", domain.RoleAuditor)

	w := ciso.do("GET", "/vulnerabilities/feeds", nil)
	body := w.Body.String()
	for _, want := range []string{"CISA KEV", "1 404", "Sync now", "Upload and import", "Recent changes", "next background sync", "FIRST EPSS"} {
		if w.Code != 200 || !strings.Contains(body, want) {
			t.Errorf("feeds page lacks %q (status %d)", want, w.Code)
		}
	}
	if w := auditor.do("GET", "/vulnerabilities/feeds", nil); w.Code != 200 || strings.Contains(w.Body.String(), "Sync now") {
		t.Errorf("auditor feeds page: %d, sync button shown: %v", w.Code, strings.Contains(w.Body.String(), "Sync now"))
	}
	if w := auditor.do("POST", "/vulnerabilities/feeds/sync", url.Values{}); w.Code != http.StatusForbidden {
		t.Errorf("auditor sync: %d", w.Code)
	}
	// Sync now queues the job.
	if w := ciso.do("POST", "/vulnerabilities/feeds/sync", url.Values{}); w.Code != http.StatusSeeOther {
		t.Fatalf("sync: %d %s", w.Code, w.Body)
	}
	page, err := a.Store.Scope(org.ID).Jobs(ctx, store.JobFilter{Kind: vulndb.JobSync})
	if err != nil || page.Total != 1 {
		t.Fatalf("sync job: %+v %v", page, err)
	}
	// no network here: cancel it
	tctx := testutil.Ctx(org.ID)
	if err := a.Store.Scope(org.ID).Write(tctx, func(tx *store.Tx) error { return tx.CancelJob(tctx, page.Items[0].ID) }); err != nil {
		t.Fatal(err)
	}
	// Upload: a feed file is imported by a job.
	data, _ := os.ReadFile("../feeds/eukev/testdata/eukev.json")
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf_token", ciso.csrf)
	fw, _ := mw.CreateFormFile("file", "eukev.json")
	fw.Write(data)
	mw.Close()
	req := httptest.NewRequest("POST", "/vulnerabilities/feeds/upload", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for k, v := range ciso.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	page, _ = a.Store.Scope(org.ID).Jobs(ctx, store.JobFilter{Kind: vulndb.JobImport})
	if page.Total != 1 {
		t.Fatalf("import job: %+v", page)
	}
	if ran, err := a.Jobs.RunOne(ctx); !ran || err != nil {
		t.Fatalf("run the import job: %v %v", ran, err)
	}
	if eu, _ := a.Store.FeedSource(ctx, "eukev"); eu.Records != 43 {
		t.Errorf("eukev after the upload job: %+v", eu)
	}

	// Search: words, filters, and an exact alias goes to the vulnerability.
	w = auditor.do("GET", "/vulnerabilities/db?q=log4j", nil)
	if w.Code != 200 || !strings.Contains(w.Body.String(), "CVE-2021-44228") {
		t.Errorf("search log4j: %d", w.Code)
	}
	w = auditor.do("GET", "/vulnerabilities/db?kev=1&severity=critical&sort=-epss", nil)
	if w.Code != 200 || !strings.Contains(w.Body.String(), "CVE-2021-44228") || strings.Contains(w.Body.String(), "GHSA-xvch-5gv4-984h") {
		t.Errorf("kev critical filter: %d", w.Code)
	}
	w = auditor.do("GET", "/vulnerabilities/db?q=ghsa-jfh8-c2jp-5v3q", nil)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/vulnerabilities/db/CVE-2021-44228" {
		t.Errorf("alias search: %d %s", w.Code, w.Header().Get("Location"))
	}
	w = auditor.do("GET", "/vulnerabilities/db/GHSA-jfh8-c2jp-5v3q", nil)
	if w.Code != http.StatusMovedPermanently {
		t.Errorf("alias page: %d", w.Code)
	}
	w = auditor.do("GET", "/vulnerabilities/db/CVE-2021-44228", nil)
	body = w.Body.String()
	for _, want := range []string{"GHSA-jfh8-c2jp-5v3q", "CVSS 10.0", "CISA KEV", "used in ransomware campaigns", "EPSS", "org.apache.logging.log4j:log4j-core",
		"introduced 2.13.0 → fixed 2.15.0", "apache log4j", "up to 2.15.0 (excluding)", "Affected devices", "References"} {
		if w.Code != 200 || !strings.Contains(body, want) {
			t.Errorf("detail page lacks %q (status %d)", want, w.Code)
		}
	}
	// EternalBlue: AND configurations with a platform ("running on") criterion.
	w = auditor.do("GET", "/vulnerabilities/db/CVE-2017-0144", nil)
	if body := w.Body.String(); w.Code != 200 || !strings.Contains(body, "all of the following") || !strings.Contains(body, "running on / with") || !strings.Contains(body, "microsoft windows") {
		t.Errorf("EternalBlue configurations: %d", w.Code)
	}
	if w := auditor.do("GET", "/vulnerabilities/db/CVE-1999-0001", nil); w.Code != http.StatusNotFound {
		t.Errorf("unknown id: %d", w.Code)
	}
	// Navigation.
	if w := auditor.do("GET", "/dashboard", nil); !strings.Contains(w.Body.String(), `href="/vulnerabilities/feeds"`) || !strings.Contains(w.Body.String(), `href="/vulnerabilities/db"`) {
		t.Error("menu lacks the vulnerability pages")
	}
}
