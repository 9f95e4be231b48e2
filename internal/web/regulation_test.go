package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/compliance"
	"github.com/vigil-med/vigil/internal/config"
	"github.com/vigil-med/vigil/internal/demo"
	"github.com/vigil-med/vigil/internal/demo/demotest"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/regulation"
)

// These tests drive the regulation pages over HTTP against the real handler with the demo loaded. The
// browser helpers (chromedp) were not on main when this module was written; the pages work without
// JavaScript, so plain HTTP sees what a user sees.

type site struct {
	srv  *httptest.Server
	app  *app.App
	demo *demo.Env
}

func newSite(t *testing.T) *site {
	t.Helper()
	ctx := context.Background()
	cfg := config.Default()
	var env *demo.Env
	cfg.DataDir, env = demotest.DataDir(t)
	a, err := app.Open(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	h, _, err := a.Handler(ctx)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &site{srv: srv, app: a, demo: env}
}

type client struct {
	t    *testing.T
	s    *site
	http *http.Client
	csrf string
}

// anon is a client without a session; it does not follow redirects.
func (s *site) anon(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, s: s, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// login signs a demo user in.
func (s *site) login(t *testing.T, email string) *client {
	t.Helper()
	c := s.anon(t)
	res, err := c.http.PostForm(s.srv.URL+"/login", url.Values{"email": {email}, "password": {demo.Password}, "next": {"/dashboard"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/dashboard" {
		t.Fatalf("login %s: %d → %s", email, res.StatusCode, res.Header.Get("Location"))
	}
	_, body := c.get("/dashboard", http.StatusOK)
	m := regexp.MustCompile(`name="csrf-token" content="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no CSRF token on the dashboard")
	}
	c.csrf = m[1]
	return c
}

func (c *client) do(req *http.Request, want int) (*http.Response, string) {
	c.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if want != 0 && res.StatusCode != want {
		c.t.Fatalf("%s %s: status %d, want %d\n%s", req.Method, req.URL.Path, res.StatusCode, want, clip(string(b)))
	}
	return res, string(b)
}

func (c *client) get(path string, want int) (*http.Response, string) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.s.srv.URL+path, nil)
	return c.do(req, want)
}

func (c *client) post(path string, form url.Values, want int) (*http.Response, string) {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf_token", c.csrf)
	req, _ := http.NewRequest(http.MethodPost, c.s.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req, want)
}

func clip(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}

func contains(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

// TestPublicScopePage: journey 7. The managing director of a private clinic, without an account, uses
// the public scope page and sees: important entity under Annex I, with the reasons and what follows.
func TestPublicScopePage(t *testing.T) {
	s := newSite(t)
	c := s.anon(t)
	res, body := c.get("/nis2", http.StatusOK)
	if res.Header.Get("Content-Security-Policy") == "" || res.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("security headers missing: %v", res.Header)
	}
	if len(res.Cookies()) != 0 {
		t.Errorf("the public page sets cookies: %v", res.Cookies())
	}
	contains(t, "/nis2", body, `<form method="get" action="/nis2"`, `value="healthcare-provider"`, `(healthcare-provider)`,
		`name="employees"`, `name="turnover_eur"`, `name="balance_sheet_eur"`, `name="cer_critical"`, `name="designated"`,
		`href="/nis2/hospitals"`, `href="/nis2/manufacturers"`, `href="/nis2/suppliers"`, "not legal advice")
	if strings.Contains(body, "<script>") || strings.Contains(body, " style=") {
		t.Error("inline script or style on the public page")
	}
	q := url.Values{"entity_type": {"healthcare-provider"}, "public": {"no"}, "country": {"DE"}, "employees": {"200"},
		"turnover_eur": {"25 m"}, "balance_sheet_eur": {"20 000 000"}}
	_, body = c.get("/nis2?"+q.Encode(), http.StatusOK)
	contains(t, "the clinic's answer", body, "Important entity", "wichtige Einrichtung (§ 28(2) BSIG)", "NIS2 Annex I",
		"How we got there, step by step", "NIS2 Annex I point 5", "Rec. 2003/361/EC Annex Art 2(1)", "NIS2 Art 2(1), Art 3(2)",
		"What follows from it", "NIS2 Art 21", "72 hours", "NIS2 Art 23(4)(a)", "BSI-Portal", "€7 m or 1.4 %", "§ 33(1) BSIG",
		"Share this answer", "/nis2?")
	if strings.Contains(body, "Essential entity") {
		t.Error("the clinic is shown as essential")
	}
	// The example: 300 staff is large, essential.
	q.Set("employees", "300")
	_, body = c.get("/nis2?"+q.Encode(), http.StatusOK)
	contains(t, "300 staff", body, "Essential entity", "besonders wichtige Einrichtung", "NIS2 Art 3(1)(a)", "NIS2 Art 32", "€10 m or 2 %")
	// Unknown figures: uncertain, with what to check.
	_, body = c.get("/nis2?entity_type=healthcare-provider&employees=120&country=DE", http.StatusOK)
	contains(t, "missing figures", body, "Cannot tell yet", "What to check", "Give the missing figures")
	// Wrong input is shown back with its error, not an answer.
	_, body = c.get("/nis2?entity_type=healthcare-provider&employees=many&turnover_eur=lots", http.StatusUnprocessableEntity)
	contains(t, "bad input", body, `&#34;many&#34; is not a number of staff`, `&#34;lots&#34; is not an amount in euro`, `value="many"`)
	if strings.Contains(body, "Our answer") {
		t.Error("an answer is shown for bad input")
	}
	for _, g := range []struct{ path, want string }{
		{"/nis2/hospitals", "Healthcare providers"}, {"/nis2/manufacturers", "Annex II point 5(a)"}, {"/nis2/suppliers", "2024/2690"},
	} {
		_, body := c.get(g.path, http.StatusOK)
		contains(t, g.path, body, g.want, "not legal advice", "2026.11", "Sources:", `href="/nis2"`)
	}
	// The login page's footer links the scope check.
	_, body = c.get("/login", http.StatusOK)
	contains(t, "/login", body, `href="/nis2"`)
}

func (s *site) ids(t *testing.T) (signed, open int64) {
	t.Helper()
	return s.demo.Values["regulation.assessment.signed"].(int64), s.demo.Values["regulation.assessment.open"].(int64)
}

func TestRegulationPages(t *testing.T) {
	s := newSite(t)
	c := s.login(t, "ciso@nordstadt-hospital.example")
	signed, open := s.ids(t)
	// Every item of the Compliance menu leads to a page.
	_, body := c.get("/regulation", http.StatusOK)
	for _, p := range []string{"/regulation", "/regulation/products", "/regulation/assessments", "/regulation/report"} {
		contains(t, "menu", body, `href="`+p+`"`)
	}
	contains(t, "/regulation", body, "Essential entity", "besonders wichtige Einrichtung", "internal/regulation/data/overlays/de.yaml",
		"General Data Protection Regulation", "Reporting and other deadlines", "BSI-Portal", "4 812")
	_, body = c.get("/regulation/products", http.StatusOK)
	contains(t, "/regulation/products", body, "not connected to this view yet", "Check a product")
	_, body = c.get("/regulation/products?check=1&name=Patient+portal&digital_elements=on&data_connection=on&ehr_system=on&health_data=on&personal_data=on", http.StatusOK)
	contains(t, "product check", body, "Patient portal", "Cyber Resilience Act", "European Health Data Space Regulation", "EHDS Art 2(2)(k)")
	_, body = c.get("/regulation/products?check=1&name=Pump&medical_device=on&mds2=CSUP-2.1+yes%0AMLDP-2+no", http.StatusOK)
	contains(t, "device check", body, "Who does what (MDCG 2019-16)", "Install operating-system security updates", "CSUP-2.1=yes")
	_, body = c.get("/regulation/products?check=1&mds2=CSUP-2.1+perhaps", http.StatusOK)
	contains(t, "bad MDS2 line", body, `answer &#34;perhaps&#34; must be yes, no, na or see-note`)

	_, body = c.get("/regulation/assessments", http.StatusOK)
	contains(t, "list", body, fmt.Sprintf(`href="/regulation/assessments/%d"`, signed), fmt.Sprintf(`href="/regulation/assessments/%d"`, open), "signed off")
	// The live MFA figures are those of the demo's accounts now (other demo steps may add accounts).
	active, withMFA, _, err := s.app.Store.Scope(s.demo.Hospital.ID).MFACoverage(context.Background())
	if err != nil || withMFA == 0 {
		t.Fatalf("demo MFA coverage: %d of %d, %v", withMFA, active, err)
	}
	_, body = c.get(fmt.Sprintf("/regulation/assessments/%d", open), http.StatusOK)
	contains(t, "open assessment", body, "Supply-chain security", "Automatic evidence", fmt.Sprintf("user accounts in scope: %d", active),
		fmt.Sprintf("with MFA enforced: %d", withMFA), "overdue")
	// The modules' providers are wired: the page shows each one's figures as the provider computes them.
	sc := s.app.Store.Scope(s.demo.Hospital.ID)
	for _, kind := range []regulation.EvidenceKind{regulation.EvidenceIncidents, regulation.EvidenceAssetInventory,
		regulation.EvidenceTraining, regulation.EvidenceSupplierDisclos} {
		p, ok := s.app.Compliance.Provider(kind)
		if !ok {
			t.Errorf("no provider registered for %s", kind)
			continue
		}
		ev, ok, err := p(context.Background(), sc)
		if err != nil || !ok {
			t.Errorf("%s on the demo: ok=%v err=%v", kind, ok, err)
			continue
		}
		if err := ev.Validate(); err != nil {
			t.Errorf("%s: %v", kind, err)
		}
		lines := compliance.DescribeEvidence(ev)
		for i := range lines {
			lines[i] = html.EscapeString(lines[i])
		}
		contains(t, "open assessment, "+string(kind), body, lines...)
	}
	if strings.Contains(body, "module provides it once it is in use") && !strings.Contains(body, "vulnerabilities module provides it") {
		t.Error("an evidence kind other than vulnerability handling is still shown as not available")
	}
	// Filter by status: only the partial measures remain in the table.
	_, body = c.get(fmt.Sprintf("/regulation/assessments/%d?status=partial", open), http.StatusOK)
	if n := strings.Count(body, `<span class="badge warn">Partial</span>`); n != 8 {
		t.Errorf("partial filter: %d partial rows, want 8", n)
	}
	if strings.Contains(body, `<span class="badge ok">Implemented</span>`) || strings.Contains(body, `<span class="badge bad">Not started</span>`) {
		t.Error("partial filter shows other statuses")
	}
	_, body = c.get(fmt.Sprintf("/regulation/assessments/%d/measures/nis2.21.2.j", open), http.StatusOK)
	contains(t, "measure j", body, "Guidance for hospitals", "Maturity levels", "8.5 Secure authentication", "§ 11 Access control",
		"Drawn from Vigil now; figures as of", "accounts_mfa / accounts_total: ", "Vendor remote access: MFA rollout plan")
	_, body = c.get(fmt.Sprintf("/regulation/assessments/%d/measures/nis2.21.2.j", signed), http.StatusOK)
	contains(t, "frozen measure j", body, "Recorded at sign-off", "accounts_mfa / accounts_total: 36.4 %")
	if strings.Contains(body, `name="status"`) {
		t.Error("a signed-off measure can be edited")
	}
	_, body = c.get(fmt.Sprintf("/regulation/assessments/%d/report", signed), http.StatusOK)
	contains(t, "signed report", body, "Prof. Dr. Katrin Brandt", "Chief executive", "measures at target maturity", "Measures by status")
	if strings.Contains(body, "Record the management body") {
		t.Error("a signed-off report offers a sign-off")
	}
	res, pdf := c.get(fmt.Sprintf("/regulation/assessments/%d/report.pdf", open), http.StatusOK)
	if res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf, "%PDF-") {
		t.Errorf("PDF: %s %q", res.Header.Get("Content-Type"), pdf[:min(10, len(pdf))])
	}
	res, _ = c.get("/regulation/report", http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != fmt.Sprintf("/regulation/assessments/%d/report", open) {
		t.Errorf("/regulation/report → %s", loc)
	}
	c.get("/regulation/assessments/999999", http.StatusNotFound)
	c.get(fmt.Sprintf("/regulation/assessments/%d/measures/nis2.99", open), http.StatusNotFound)
}

func TestAssessmentWebFlow(t *testing.T) {
	s := newSite(t)
	c := s.login(t, "ciso@nordstadt-hospital.example")
	_, open := s.ids(t)
	base := fmt.Sprintf("/regulation/assessments/%d", open)
	ctx := context.Background()
	sc := s.app.Store.Scope(s.demo.Hospital.ID)

	c.post(base+"/measures/nis2.21.2.f", url.Values{"status": {"partial"}, "maturity": {"1"}, "target_maturity": {"3"},
		"owner": {"Internal audit"}, "due_date": {"2027-03-31"}, "comment": {"KPI set drafted"}}, http.StatusSeeOther)
	ms, err := sc.AssessmentMeasures(ctx, open)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.MeasureID == "nis2.21.2.f" && (m.Status != "partial" || m.Maturity != 1 || m.Owner != "Internal audit" || m.UpdatedBy != "ciso@nordstadt-hospital.example") {
			t.Errorf("saved measure: %+v", m)
		}
	}
	_, body := c.post(base+"/measures/nis2.21.2.f", url.Values{"status": {"not-applicable"}, "maturity": {"0"}, "target_maturity": {"3"}}, http.StatusUnprocessableEntity)
	contains(t, "not applicable without reason", body, "say why the measure does not apply")
	_, body = c.post(base+"/measures/nis2.21.2.f/links", url.Values{"title": {"x"}, "url": {"javascript:alert(1)"}}, http.StatusUnprocessableEntity)
	contains(t, "bad link", body, "must be an http or https address")

	// Upload a document (multipart with the CSRF token in the form).
	content := []byte("KPI report Q3: 14 indicators")
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf_token", c.csrf)
	_ = mw.WriteField("title", "KPI report Q3")
	fw, _ := mw.CreateFormFile("file", `C:\reports\kpi-q3.txt`)
	_, _ = fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.s.srv.URL+base+"/measures/nis2.21.2.f/files", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	c.do(req, http.StatusSeeOther)
	ev, err := sc.AssessmentEvidence(ctx, open, "nis2.21.2.f")
	if err != nil || len(ev) != 1 {
		t.Fatalf("evidence after upload: %v %+v", err, ev)
	}
	sum := sha256.Sum256(content)
	if ev[0].FileName != "kpi-q3.txt" || ev[0].SHA256 != hex.EncodeToString(sum[:]) || ev[0].Title != "KPI report Q3" {
		t.Errorf("uploaded: %+v", ev[0])
	}
	res, got := c.get(fmt.Sprintf("%s/evidence/%d/file", base, ev[0].ID), http.StatusOK)
	if got != string(content) || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") || res.Header.Get("X-Content-Sha256") != ev[0].SHA256 {
		t.Errorf("download: %q %v", got, res.Header)
	}
	c.post(fmt.Sprintf("%s/evidence/%d/delete", base, ev[0].ID), url.Values{"measure": {"nis2.21.2.f"}}, http.StatusSeeOther)

	// Sign-off needs the confirmation, then freezes the assessment.
	_, body = c.post(base+"/sign-off", url.Values{"name": {"Prof. Dr. Katrin Brandt"}, "role": {"Chief executive"}}, http.StatusUnprocessableEntity)
	contains(t, "sign-off without confirmation", body, "Confirm that the management body approved")
	c.post(base+"/sign-off", url.Values{"name": {"Prof. Dr. Katrin Brandt"}, "role": {"Chief executive"}, "comment": {"Approved."}, "confirm": {"on"}}, http.StatusSeeOther)
	a, err := sc.Assessment(ctx, open)
	if err != nil || !a.Frozen() || a.SignOff.RecordedBy != "ciso@nordstadt-hospital.example" {
		t.Fatalf("after sign-off: %v %+v", err, a.SignOff)
	}
	_, body = c.post(base+"/measures/nis2.21.2.f", url.Values{"status": {"implemented"}, "maturity": {"3"}, "target_maturity": {"3"}}, http.StatusUnprocessableEntity)
	contains(t, "frozen", body, "is frozen; start a new campaign from a copy")
	// The sign-off is in the audit log.
	evs, err := sc.AuditEvents(ctx, domain.AuditFilter{ListParams: domain.ListParams{Limit: 50}, Action: "assessment.sign_off"})
	if err != nil || evs.Total != 2 { // last year's (demo) and this one
		t.Errorf("sign-off audit events: %v %d", err, evs.Total)
	}
	// A new campaign starts from a copy.
	c.post("/regulation/assessments", url.Values{"name": {"NIS2 next"}, "copy_from": {fmt.Sprint(open)}}, http.StatusSeeOther)
}

func TestRegulationPermissionsAndIsolation(t *testing.T) {
	s := newSite(t)
	signed, open := s.ids(t)
	base := fmt.Sprintf("/regulation/assessments/%d", open)
	auditor := s.login(t, "auditor@nordstadt-hospital.example")
	auditor.get(base, http.StatusOK)
	auditor.get(base+"/report", http.StatusOK)
	_, body := auditor.get(base+"/measures/nis2.21.2.b", http.StatusOK)
	if strings.Contains(body, `name="status"`) {
		t.Error("the auditor sees the edit form")
	}
	auditor.post(base+"/measures/nis2.21.2.b", url.Values{"status": {"implemented"}, "maturity": {"4"}, "target_maturity": {"3"}}, http.StatusForbidden)
	auditor.post("/regulation/profile", url.Values{"entity_type": {"other"}}, http.StatusForbidden)

	ev, err := s.app.Store.Scope(s.demo.Hospital.ID).AssessmentEvidence(context.Background(), open, "nis2.21.2.b")
	if err != nil {
		t.Fatal(err)
	}
	var fileID int64
	for _, e := range ev {
		if e.Kind == domain.EvidenceFile {
			fileID = e.ID
		}
	}
	// Another organisation's user gets 404 for every path with the hospital's ids.
	other := s.login(t, "psirt@meridian-medical.example")
	for _, p := range []string{base, base + "/measures/nis2.21.2.b", base + "/report", base + "/report.pdf",
		fmt.Sprintf("%s/evidence/%d/file", base, fileID), fmt.Sprintf("/regulation/assessments/%d", signed)} {
		other.get(p, http.StatusNotFound)
	}
	_, body = other.get("/regulation", http.StatusOK)
	contains(t, "manufacturer's overview", body, "Important entity", "Medical device manufacturer")
	sec := s.login(t, "security@nordland-group.example")
	for _, p := range []string{base + "/measures/nis2.21.2.b", base + "/sign-off", base + "/measures/nis2.21.2.b/links", fmt.Sprintf("%s/evidence/%d/delete", base, fileID)} {
		sec.post(p, url.Values{"status": {"implemented"}, "maturity": {"4"}, "target_maturity": {"3"}, "name": {"x"}, "role": {"y"}, "confirm": {"on"}, "url": {"https://x.example"}}, http.StatusNotFound)
	}
	a, _ := s.app.Store.Scope(s.demo.Hospital.ID).Assessment(context.Background(), open)
	if a.Frozen() {
		t.Error("another organisation signed off the hospital's assessment")
	}
}
