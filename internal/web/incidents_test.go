package web_test

// Page tests with net/http (the browser helpers are not on main yet): the pages render with real data,
// the remaining time is computed on the server, forms work with the session's CSRF token, and another
// organisation's incident is a 404.

import (
	"bytes"
	"context"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/config"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/incident"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

type browser struct {
	t       *testing.T
	h       http.Handler
	cookies map[string]string
	csrf    string
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`)

func (b *browser) do(method, path string, form url.Values, headers ...string) *httptest.ResponseRecorder {
	b.t.Helper()
	var req *http.Request
	if form != nil {
		if b.csrf != "" {
			form.Set("csrf_token", b.csrf)
		}
		req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	w := httptest.NewRecorder()
	b.h.ServeHTTP(w, req)
	for _, c := range w.Result().Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	if m := csrfMeta.FindStringSubmatch(w.Body.String()); m != nil {
		b.csrf = m[1]
	}
	return w
}

func login(t *testing.T, h http.Handler, st *store.Store, org domain.Organisation, email string, role domain.Role) *browser {
	t.Helper()
	hash, err := auth.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	ctx := testutil.Ctx(org.ID)
	u := domain.User{Email: email, Name: "Dr. " + email, Role: role, PasswordHash: hash}
	if err := st.Scope(org.ID).Write(ctx, func(tx *store.Tx) error { return tx.CreateUser(ctx, &u) }); err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, h: h, cookies: map[string]string{}}
	w := b.do("POST", "/login", url.Values{"email": {email}, "password": {"correct horse battery"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("login: %d %s", w.Code, w.Body)
	}
	b.do("GET", "/dashboard", nil) // picks up the CSRF token
	return b
}

func TestIncidentPages(t *testing.T) {
	aware, _ := time.Parse(time.RFC3339, "2026-03-28T23:30:00+01:00")
	now := aware.Add(2*time.Hour + 48*time.Minute)
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.SessionIdle, cfg.SessionLifetime = 72*time.Hour, 96*time.Hour // the test moves the clock by a day
	a, err := app.Open(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	a.Now = func() time.Time { return now }
	h, _, err := a.Handler(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	orgA, orgB := testutil.Org(t, a.Store, "hospital-a"), testutil.Org(t, a.Store, "hospital-b")
	b := login(t, h, a.Store, orgA, "ciso@a.example", domain.RoleSecurityOfficer)
	other := login(t, h, a.Store, orgB, "ciso@b.example", domain.RoleSecurityOfficer)

	// The fast form: title, awareness time, category; then the questions.
	w := b.do("POST", "/incidents", url.Values{"title": {"Ransom note on RAD-WS-07"}, "aware_at": {"2026-03-28T23:30"}, "category": {"ransomware"}})
	if w.Code != http.StatusSeeOther || !strings.HasSuffix(w.Header().Get("Location"), "/questions") {
		t.Fatalf("create: %d %s %s", w.Code, w.Header().Get("Location"), w.Body)
	}
	base := strings.TrimSuffix(w.Header().Get("Location"), "/questions")
	id, _ := strconv.ParseInt(strings.TrimPrefix(base, "/incidents/"), 10, 64)
	w = b.do("GET", base+"/questions", nil)
	if w.Code != 200 || !strings.Contains(w.Body.String(), `name="q.nis2.severe-disruption"`) || !strings.Contains(w.Body.String(), "from the organisation type") {
		t.Fatalf("questions page: %d", w.Code)
	}
	w = b.do("POST", base+"/questions", url.Values{"q.nis2.entity": {"essential"}, "q.nis2.severe-disruption": {"yes"},
		"q.gdpr.personal-data": {"no"}, "q.mdr.device-involved": {"no"}, "q.gdpr.risk": {"unknown"}, "note": {"night shift"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("answers: %d %s", w.Code, w.Body)
	}
	hist, _ := a.Store.Scope(orgA.ID).IncidentAnswers(context.Background(), id)
	if len(hist) != 4 {
		t.Errorf("answers stored: %d, want 4 (an untouched 'unknown' is not an answer)", len(hist))
	}

	// The incident page: the most urgent deadline first, the time left computed on the server.
	w = b.do("GET", base, nil)
	body := w.Body.String()
	if w.Code != 200 {
		t.Fatalf("incident page: %d", w.Code)
	}
	top := body[strings.Index(body, "Most urgent"):]
	for _, want := range []string{`<h2 id="top-h" class="urgent-title">NIS2 early warning</h2>`, `countdown running">due in 21 h 12 min`,
		"Due Mon 30 Mar 2026, 00:30 CEST", "CSIRT or competent authority", `href="/incidents/` + strconv.FormatInt(id, 10) + `/reports/nis2.early-warning"`} {
		if !strings.Contains(top, want) {
			t.Errorf("the urgent card lacks %q", want)
		}
	}
	if !strings.Contains(body, `hx-trigger="every 30s"`) {
		t.Errorf("the clocks are not refreshed")
	}
	if regexp.MustCompile(`(?i)<script>|\sstyle="|\son[a-z]+="`).MatchString(body) {
		t.Errorf("inline script or style on the incident page")
	}
	// The htmx refresh returns the clocks alone.
	w = b.do("GET", base+"/clocks", nil, "HX-Request", "true")
	if w.Code != 200 || strings.Contains(w.Body.String(), "<html") || !strings.Contains(w.Body.String(), `id="clocks"`) {
		t.Errorf("clocks fragment: %d %.200s", w.Code, w.Body)
	}
	// Close to the due time the clock turns "soon", after it "overdue".
	now = aware.Add(22*time.Hour + 30*time.Minute)
	if w := b.do("GET", base+"/clocks", nil, "HX-Request", "true"); !strings.Contains(w.Body.String(), `countdown soon">due in 1 h 30 min`) {
		t.Errorf("soon state missing")
	}
	now = aware.Add(25 * time.Hour)
	if w := b.do("GET", base+"/clocks", nil, "HX-Request", "true"); !strings.Contains(w.Body.String(), `urgent-overdue`) || !strings.Contains(w.Body.String(), "overdue by 1 h 00 min") {
		t.Errorf("overdue state missing")
	}
	now = aware.Add(2*time.Hour + 48*time.Minute)

	// Forms on the page.
	for _, f := range []struct {
		path string
		form url.Values
	}{
		{base + "/actions", url.Values{"title": {"Isolate the imaging VLAN"}, "due": {"2026-03-29"}}},
		{base + "/decisions", url.Values{"what": {"Divert stroke patients"}, "who": {"Medical director"}, "decided_at": {"2026-03-29T00:10"}}},
		{base + "/notes", url.Values{"text": {"Manufacturer's hotline called"}}},
		{base + "/reports/nis2.early-warning", url.Values{"f.incident.summary": {"Ransom note"}, "f.cross_border": {"no"}}},
		{base + "/submissions", url.Values{"deadline_id": {"nis2.23.ew"}, "recipient": {"BSI"}, "reference": {"BSI-1"}, "submitted_at": {"2026-03-29T01:00"}}},
		{base + "/review", url.Values{"what_happened": {"Phishing"}, "lessons": {"MFA\nSegmentation"}}},
		{base + "/status", url.Values{"status": {"contained"}}},
	} {
		if w := b.do("POST", f.path, f.form); w.Code != http.StatusSeeOther {
			t.Errorf("POST %s: %d %.300s", f.path, w.Code, w.Body)
		}
	}
	rec, err := incident.Load(context.Background(), a.Store.Scope(orgA.ID), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Actions) != 1 || len(rec.Decisions) != 1 || len(rec.Reports) != 1 || len(rec.Submissions) != 1 || rec.Review == nil ||
		len(rec.Review.Lessons) != 2 || rec.Incident.Status != domain.StatusContained {
		t.Errorf("record after the forms: %d actions, %d decisions, %d reports, %d submissions, review %v, status %s",
			len(rec.Actions), len(rec.Decisions), len(rec.Reports), len(rec.Submissions), rec.Review, rec.Incident.Status)
	}
	// An upload through the page's multipart form (the CSRF token travels in the form).
	var up bytes.Buffer
	mw := multipart.NewWriter(&up)
	mw.WriteField("csrf_token", b.csrf)
	mw.WriteField("evidence", "on")
	fw, _ := mw.CreateFormFile("file", "firewall.log")
	fw.Write([]byte("Mar 28 23:12 deny 45.137.21.9\n"))
	mw.Close()
	req := httptest.NewRequest("POST", base+"/attachments", &up)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	uw := httptest.NewRecorder()
	h.ServeHTTP(uw, req)
	if uw.Code != http.StatusSeeOther {
		t.Errorf("upload: %d %.300s", uw.Code, uw.Body)
	}
	if atts, _ := a.Store.Scope(orgA.ID).IncidentAttachments(context.Background(), id); len(atts) != 1 || atts[0].Name != "firewall.log" || !atts[0].Evidence {
		t.Errorf("uploaded attachments: %+v", atts)
	}
	// A form error is shown in place with the field's message.
	if w := b.do("POST", base+"/submissions", url.Values{"deadline_id": {"nis2.23.notif"}}); w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "to whom was it sent?") {
		t.Errorf("submission without recipient: %d", w.Code)
	}
	// Without the CSRF token a form is refused.
	b.csrf, b.cookies["x"] = "", ""
	if w := b.do("POST", base+"/notes", url.Values{"text": {"x"}}); w.Code != http.StatusForbidden {
		t.Errorf("form without CSRF token: %d", w.Code)
	}
	b.do("GET", "/dashboard", nil)

	// Every page renders; PDF and JSON exports download.
	for _, p := range []string{"/incidents", "/exercises", "/incidents/new", base + "/edit", base + "/questions", base + "/review",
		base + "/reports/gdpr.33", base + "/reports/nis2.early-warning?version=1", "/dashboard"} {
		if w := b.do("GET", p, nil); w.Code != 200 {
			t.Errorf("GET %s: %d", p, w.Code)
		}
	}
	if w := b.do("GET", base+"/reports/nis2.early-warning/pdf", nil); w.Code != 200 || !strings.HasPrefix(w.Body.String(), "%PDF-") {
		t.Errorf("PDF: %d", w.Code)
	}
	if w := b.do("GET", base+"/reports/nis2.early-warning/json", nil); w.Code != 200 || !strings.Contains(w.Body.String(), `"report": "nis2.early-warning"`) {
		t.Errorf("JSON: %d", w.Code)
	}

	// Another organisation sees a 404 for the incident and everything under it.
	for _, p := range []string{base, base + "/clocks", base + "/questions", base + "/edit", base + "/review", base + "/reports/gdpr.33",
		base + "/reports/gdpr.33/pdf", base + "/reports/gdpr.33/json"} {
		if w := other.do("GET", p, nil); w.Code != http.StatusNotFound {
			t.Errorf("organisation B: GET %s = %d", p, w.Code)
		}
	}
	if w := other.do("POST", base+"/notes", url.Values{"text": {"x"}}); w.Code != http.StatusNotFound {
		t.Errorf("organisation B: POST note = %d", w.Code)
	}

	// An exercise appears on the exercise page only, labelled; the dashboard counts real incidents only.
	w = b.do("POST", "/exercises", url.Values{"scenario": {"lost-laptop"}, "acceleration": {"60"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("start exercise: %d %s", w.Code, w.Body)
	}
	ex := b.do("GET", w.Header().Get("Location"), nil).Body.String()
	if !strings.Contains(ex, "EXERCISE") || !strings.Contains(ex, "Exercise injects") {
		t.Errorf("exercise page is not labelled or lacks injects")
	}
	list := b.do("GET", "/incidents", nil).Body.String()
	exList := b.do("GET", "/exercises", nil).Body.String()
	if strings.Contains(list, "laptop with patient lists") || !strings.Contains(exList, "laptop with patient lists") {
		t.Errorf("exercise and incident lists are mixed")
	}
	dash := b.do("GET", "/dashboard", nil).Body.String()
	card := dash[strings.Index(dash, `id="deadlines-h"`):]
	card = card[:strings.Index(card, "</section>")]
	if !strings.Contains(card, "NIS2 incident notification") || !strings.Contains(card, "due in 2 days 21 h") || strings.Contains(card, "EX-") {
		t.Errorf("dashboard card:\n%s", card)
	}
}
