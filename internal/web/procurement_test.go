package web_test

// Page tests with net/http against the demo data (the browser helpers are not on main yet): every
// procurement page renders, forms work with the session's CSRF token, uploads are read, the award starts
// the commitments, and another organisation's tender, bid or cloud service is a 404.

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/config"
	"github.com/vigil-med/vigil/internal/demo"
	"github.com/vigil-med/vigil/internal/demo/demotest"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/procurement"
)

type procBrowser struct {
	t       *testing.T
	h       http.Handler
	cookies map[string]string
	csrf    string
}

var procCSRF = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`)

func (b *procBrowser) send(req *http.Request) *httptest.ResponseRecorder {
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
	if m := procCSRF.FindStringSubmatch(w.Body.String()); m != nil {
		b.csrf = m[1]
	}
	return w
}

func (b *procBrowser) get(path string) *httptest.ResponseRecorder {
	b.t.Helper()
	return b.send(httptest.NewRequest("GET", path, nil))
}

func (b *procBrowser) post(path string, form url.Values) *httptest.ResponseRecorder {
	b.t.Helper()
	form.Set("csrf_token", b.csrf)
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.send(req)
}

func (b *procBrowser) upload(path string, fields map[string]string, name string, data []byte) *httptest.ResponseRecorder {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf_token", b.csrf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req := httptest.NewRequest("POST", path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.send(req)
}

func procLogin(t *testing.T, h http.Handler, email, password string) *procBrowser {
	t.Helper()
	b := &procBrowser{t: t, h: h, cookies: map[string]string{}}
	b.get("/login")
	w := b.post("/login", url.Values{"email": {email}, "password": {password}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("login %s: %d %s", email, w.Code, w.Body)
	}
	b.get("/dashboard")
	return b
}

var inlineCode = regexp.MustCompile(`(?i)<script>|\sstyle="|\son[a-z]+="`)

func TestProcurementPages(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC)
	cfg := config.Default()
	var e *demo.Env
	cfg.DataDir, e = demotest.DataDirAt(t, now)
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
	b := procLogin(t, h, "procurement@nordstadt-hospital.example", demo.Password)
	ctx := context.Background()
	sc := a.Store.Scope(e.Hospital.ID)
	tenders, _ := sc.Tenders(ctx, domain.TenderFilter{})
	ids := map[string]int64{}
	for _, tn := range tenders.Items {
		ids[tn.Reference] = tn.ID
	}
	pumps := ids["T-2026-014"]
	bids, _ := sc.Bids(ctx, pumps)
	var strongBid, weakBid int64
	for _, bd := range bids {
		switch bd.Vendor {
		case "Meridian Medical Systems":
			strongBid = bd.ID
		case "Quantis Healthcare":
			weakBid = bd.ID
		}
	}
	services, _ := sc.CloudServices(ctx, domain.CloudServiceFilter{})
	svc := services.Items[0].ID

	pages := []struct {
		path string
		want []string
	}{
		{"/dashboard", []string{"vendor commitments missed", "Procurement and suppliers"}},
		{"/procurement/overview", []string{"Missed commitments", "CVE-2023-44487", "Security advisories as CSAF 2.0", "Supply-chain evidence"}},
		{"/procurement/tenders", []string{"T-2026-014", "T-2026-022", "T-2025-031"}},
		{fmt.Sprintf("/procurement/tenders/%d", pumps), []string{"Meridian Medical Systems", "Quantis Healthcare", "knocked out", "dev.credentials", "Security annex (PDF)", `name="criteria"`}},
		{fmt.Sprintf("/procurement/tenders/%d/compare", pumps), []string{"Scores by requirement", `<svg class="chart"`, "KO", "Record award", "Weighted total"}},
		{fmt.Sprintf("/procurement/tenders/%d/bids/%d", pumps, weakBid), []string{"knocked out by dev.credentials", "PAUT-5", "the service account password is fixed in the firmware", "openssl 1.0.2u"}},
		{fmt.Sprintf("/procurement/tenders/%d/bids/%d", pumps, strongBid), []string{"NTIA minimum elements", "SBOM delivered", "questionnaire: 30 days"}},
		{fmt.Sprintf("/procurement/tenders/%d", ids["T-2026-022"]), []string{"Helix Health Cloud", "cloud assessment"}},
		{fmt.Sprintf("/procurement/tenders/%d", ids["T-2025-031"]), []string{"Commitments of the winner", "missed", "winner"}},
		{"/procurement/catalogue", []string{"Devices and health IT", "enisa.proc.mng.02", "No hard-coded or unchangeable default credentials", "MDS2 PAUT-5 (required)"}},
		{"/procurement/catalogue?name=cloud", []string{"BSI C5 attestation", "cloud assessment c5"}},
		{"/procurement/cloud", []string{"Microsoft 365", "device vendor", "overdue since", "not reviewed"}},
		{fmt.Sprintf("/procurement/cloud/%d", svc), []string{"Record review now", "Who holds the keys"}},
	}
	for _, p := range pages {
		w := b.get(p.path)
		body := w.Body.String()
		if w.Code != 200 {
			t.Errorf("GET %s: %d\n%s", p.path, w.Code, body)
			continue
		}
		for _, s := range p.want {
			if !strings.Contains(body, s) {
				t.Errorf("GET %s lacks %q", p.path, s)
			}
		}
		if inlineCode.MatchString(body) {
			t.Errorf("GET %s: inline script or style", p.path)
		}
	}

	// Downloads.
	for path, ct := range map[string]string{
		fmt.Sprintf("/procurement/tenders/%d/annex.pdf", pumps):          "application/pdf",
		fmt.Sprintf("/procurement/tenders/%d/award-report.pdf", pumps):   "application/pdf",
		fmt.Sprintf("/procurement/tenders/%d/questionnaire.xlsx", pumps): "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	} {
		w := b.get(path)
		if w.Code != 200 || w.Header().Get("Content-Type") != ct || w.Body.Len() < 1000 || !strings.HasPrefix(w.Header().Get("Content-Disposition"), "attachment") {
			t.Errorf("GET %s: %d %s %d bytes", path, w.Code, w.Header().Get("Content-Type"), w.Body.Len())
		}
	}

	// An evaluator scores an open criterion of the weak vendor; a score without a comment is refused.
	bidPath := fmt.Sprintf("/procurement/tenders/%d/bids/%d", pumps, weakBid)
	if w := b.post(bidPath+"/score", url.Values{"criterion": {"dev.pentest"}, "score": {"0"}}); w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "every evaluator score needs a comment") {
		t.Errorf("score without comment: %d", w.Code)
	}
	if w := b.post(bidPath+"/score", url.Values{"criterion": {"dev.pentest"}, "score": {"0"}, "comment": {"No penetration test was ever done."}}); w.Code != http.StatusSeeOther {
		t.Fatalf("score: %d %s", w.Code, w.Body)
	}
	scores, _ := sc.TenderScores(ctx, pumps)
	found := false
	for _, s := range scores {
		found = found || (s.BidID == weakBid && s.Criterion == "dev.pentest" && s.Score == 0 && s.Evaluator == "procurement@nordstadt-hospital.example")
	}
	if !found {
		t.Errorf("evaluator score not stored: %+v", scores)
	}

	// A new bid with the real NEMA MDS2 workbook, uploaded through the form.
	w := b.post(fmt.Sprintf("/procurement/tenders/%d/bids", pumps), url.Values{"vendor": {"Example Glucose Inc."}, "product": {"Handheld monitor"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("add bid: %d %s", w.Code, w.Body)
	}
	newBid := w.Header().Get("Location")
	xlsx, err := os.ReadFile("../procurement/testdata/nema-example-mds2-worksheet-2019.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	w = b.upload(newBid+"/upload", map[string]string{"kind": "mds2"}, "nema-example.xlsx", xlsx)
	if w.Code != 200 || !strings.Contains(w.Body.String(), "MDS2 form nema-example.xlsx read: Hidden, Handheld Blood Glucose Monitor") ||
		!strings.Contains(w.Body.String(), "knocked out by dev.auth, dev.credentials") {
		t.Errorf("MDS2 upload: %d %s", w.Code, w.Body)
	}
	w = b.upload(newBid+"/upload", map[string]string{"kind": "sbom"}, "not-an-sbom.json", []byte(`{"hello": "world"}`))
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "not a CycloneDX or SPDX document") {
		t.Errorf("bad SBOM upload: %d", w.Code)
	}

	// Catalogue: a weight change is a new version.
	cat, _, _ := procurement.OrgCatalogue(ctx, sc, procurement.CatalogueDevice)
	form := url.Values{"name": {"default"}, "scale_max": {"3"}, "note": {"support period weighs more"}}
	for _, cr := range cat.Criteria {
		wt := fmt.Sprint(cr.Weight)
		if cr.ID == "dev.support-period" {
			wt = "5"
		}
		form.Set("weight."+cr.ID, wt)
		form.Set("evidence."+cr.ID, cr.Evidence)
		if cr.Must {
			form.Set("must."+cr.ID, "on")
		}
		if cr.Default {
			form.Set("default."+cr.ID, "on")
		}
	}
	if w := b.post("/procurement/catalogue", form); w.Code != http.StatusSeeOther {
		t.Fatalf("catalogue save: %d %s", w.Code, w.Body)
	}
	cat, v, _ := procurement.OrgCatalogue(ctx, sc, procurement.CatalogueDevice)
	if cr, _ := cat.Criterion("dev.support-period"); cr.Weight != 5 || v < 2 {
		t.Errorf("catalogue after save: weight %v version %d", cr.Weight, v)
	}

	// Cloud: record the assessment of the unassessed backup service, then a review.
	var backup int64
	for _, s := range services.Items {
		if strings.HasPrefix(s.Name, "Cloud backup") {
			backup = s.ID
		}
	}
	cloudPath := fmt.Sprintf("/procurement/cloud/%d", backup)
	w = b.post(cloudPath+"/profile", url.Values{"cert.iso27001": {"2027-12-31"}, "data_location": {"eu-eea"}, "encryption_at_rest": {"yes"},
		"encryption_in_transit": {"yes"}, "key_control": {"hyok"}, "incident_hours": {"12"}, "availability_sla": {"99,9"}, "dpa": {"yes"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("cloud profile: %d %s", w.Code, w.Body)
	}
	if w := b.post(cloudPath+"/profile", url.Values{"cert.iso27001": {"next year"}}); w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "is not a date") {
		t.Errorf("bad certificate date: %d", w.Code)
	}
	if w := b.post(cloudPath+"/review", url.Values{"note": {"certificate checked"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("cloud review: %d %s", w.Code, w.Body)
	}
	got, _ := sc.CloudService(ctx, backup)
	if got.LastReview == nil || got.NextReview == nil || got.Overdue(now) || got.LastTotal == nil {
		t.Errorf("after review: %+v", got)
	}

	// Award: a knocked-out bid needs force and a rationale; the strong one becomes the winner.
	cmp := fmt.Sprintf("/procurement/tenders/%d", pumps)
	if w := b.post(cmp+"/award", url.Values{"bid_id": {fmt.Sprint(weakBid)}}); w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "failed knock-out criteria") {
		t.Errorf("award of a knocked-out bid: %d", w.Code)
	}
	if w := b.post(cmp+"/award", url.Values{"bid_id": {fmt.Sprint(strongBid)}, "rationale": {"best total, no knock-out"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("award: %d %s", w.Code, w.Body)
	}
	cs, _ := sc.Commitments(ctx, domain.CommitmentFilter{TenderID: pumps})
	if len(cs) != 6 {
		t.Errorf("commitments after award: %d, want 6 (support end, patch days, SBOM, CSAF, VEX, CVD)", len(cs))
	}
	if w := b.get(cmp); !strings.Contains(w.Body.String(), "Commitments of the winner") {
		t.Errorf("tender page after award lacks the commitments")
	}
	// The commitment form confirms one.
	if w := b.post(fmt.Sprintf("/procurement/commitments/%d", cs[0].ID), url.Values{"status": {"confirmed"}, "back": {cmp}}); w.Code != http.StatusSeeOther || w.Header().Get("Location") != cmp {
		t.Errorf("confirm: %d %s", w.Code, w.Header().Get("Location"))
	}

	// Another organisation sees none of it.
	other := procLogin(t, h, "security@nordland-group.example", demo.Password)
	for _, p := range []string{cmp, cmp + "/compare", bidPath, cmp + "/annex.pdf", cloudPath, fmt.Sprintf("/procurement/tenders/%d/documents/1", pumps)} {
		if w := other.get(p); w.Code != http.StatusNotFound {
			t.Errorf("another organisation GET %s: %d, want 404", p, w.Code)
		}
	}
	if w := other.post(bidPath+"/score", url.Values{"criterion": {"dev.pentest"}, "score": {"3"}, "comment": {"x"}}); w.Code != http.StatusNotFound {
		t.Errorf("another organisation POST score: %d", w.Code)
	}
	// The auditor reads but cannot change.
	auditor := procLogin(t, h, "auditor@nordstadt-hospital.example", demo.Password)
	if w := auditor.get(cmp + "/compare"); w.Code != 200 || strings.Contains(w.Body.String(), "Record award") {
		t.Errorf("auditor compare page: %d", w.Code)
	}
	if w := auditor.post(bidPath+"/score", url.Values{"criterion": {"dev.pentest"}, "score": {"3"}, "comment": {"x"}}); w.Code != http.StatusForbidden {
		t.Errorf("auditor POST score: %d, want 403", w.Code)
	}
}
