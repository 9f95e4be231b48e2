package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/config"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

type procAPI struct {
	t *testing.T
	a *app.App
	h http.Handler
}

func newProcAPI(t *testing.T, now time.Time) *procAPI {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	a, err := app.Open(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	a.Now = func() time.Time { return now }
	h, _, err := a.Handler(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return &procAPI{t: t, a: a, h: h}
}

func (e *procAPI) token(org domain.Organisation, role domain.Role) string {
	e.t.Helper()
	secret, display, hash := auth.NewAPIToken()
	ctx := testutil.Ctx(org.ID)
	tok := store.APIToken{Name: string(role), Role: role, Prefix: display, Hash: hash}
	if err := e.a.Store.Scope(org.ID).Write(ctx, func(tx *store.Tx) error { return tx.CreateToken(ctx, &tok) }); err != nil {
		e.t.Fatal(err)
	}
	return secret
}

func (e *procAPI) call(token, method, path string, body any) *httptest.ResponseRecorder {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req := httptest.NewRequest(method, "/api/v1"+path, r)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	return w
}

func (e *procAPI) upload(token, path, name string, data []byte) *httptest.ResponseRecorder {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req := httptest.NewRequest("POST", "/api/v1"+path, &buf)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	return w
}

func procJSON[T any](t *testing.T, w *httptest.ResponseRecorder, status int) T {
	t.Helper()
	var v T
	if w.Code != status {
		t.Fatalf("status %d, want %d: %s", w.Code, status, w.Body)
	}
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %T: %v\n%s", v, err, w.Body)
	}
	return v
}

func TestProcurementAPI(t *testing.T) {
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	e := newProcAPI(t, now)
	orgA, orgB := testutil.Org(t, e.a.Store, "hospital-a"), testutil.Org(t, e.a.Store, "hospital-b")
	buyer, other, auditor := e.token(orgA, domain.RoleProcurement), e.token(orgB, domain.RoleSecurityOfficer), e.token(orgA, domain.RoleAuditor)

	// Catalogue: the built-in one until changed, then versions.
	cats := procJSON[[]map[string]any](t, e.call(buyer, "GET", "/procurement/catalogues", nil), 200)
	if len(cats) != 2 || cats[0]["version"].(float64) != 0 || cats[0]["criteria"].(float64) != 31 {
		t.Errorf("catalogues: %v", cats)
	}
	edited := procJSON[struct {
		Version int `json:"version"`
	}](t, e.call(buyer, "PUT", "/procurement/catalogues/default", map[string]any{"scale_max": 5, "criteria": []map[string]any{{"id": "dev.support-period", "must": true}}}), 200)
	if edited.Version != 2 {
		t.Errorf("edit: version %d, want 2 (copy, then edit)", edited.Version)
	}
	if w := e.call(auditor, "PUT", "/procurement/catalogues/default", map[string]any{"scale_max": 3}); w.Code != http.StatusForbidden {
		t.Errorf("auditor edits the catalogue: %d", w.Code)
	}
	if w := e.call(buyer, "PUT", "/procurement/catalogues/default", map[string]any{"criteria": []map[string]any{{"id": "dev.x", "weight": 1}}}); w.Code != 400 ||
		!strings.Contains(w.Body.String(), `criteria[0].id`) {
		t.Errorf("unknown criterion: %d %s", w.Code, w.Body)
	}

	// Tender, bids and evidence.
	tn := procJSON[domain.Tender](t, e.call(buyer, "POST", "/tenders", map[string]any{"reference": "T-9", "title": "Pumps", "subject": "pumps",
		"criteria": []string{"dev.auth", "dev.credentials", "dev.sbom", "dev.sbom.quality", "dev.support-period", "dev.patch-timeline", "dev.pentest"}}), 201)
	if len(tn.Criteria) != 7 || tn.CatalogueVersion != 2 {
		t.Fatalf("tender: %+v", tn)
	}
	tp := fmt.Sprintf("/tenders/%d", tn.ID)
	bid := procJSON[domain.Bid](t, e.call(buyer, "POST", tp+"/bids", map[string]any{"vendor": "MediCapture"}), 201)
	bp := fmt.Sprintf("%s/bids/%d", tp, bid.ID)
	medi, _ := os.ReadFile("../procurement/testdata/medicapture-mvr-cybersecurity-mds2.md")
	up := procJSON[struct {
		Manufacturer string         `json:"manufacturer"`
		Counts       map[string]int `json:"counts"`
	}](t, e.upload(buyer, bp+"/mds2", "medicapture.md", medi), 200)
	if up.Manufacturer != "MediCapture Inc." || up.Counts["yes"] == 0 {
		t.Errorf("MDS2 upload: %+v", up)
	}
	bom, _ := os.ReadFile("../procurement/testdata/SBOM_laravel-7.12.0_bom.1.4.json")
	sb := procJSON[struct {
		Format     string `json:"format"`
		Components int    `json:"components"`
		NTIA       struct {
			Share float64 `json:"share"`
		} `json:"ntia"`
	}](t, e.upload(buyer, bp+"/sbom", "laravel.cdx.json", bom), 200)
	if sb.Format != "cyclonedx-json" || sb.Components != 62 || sb.NTIA.Share < 0.7 {
		t.Errorf("SBOM upload: %+v", sb)
	}
	if w := e.upload(buyer, bp+"/sbom", "x.json", []byte(`{"a":1}`)); w.Code != 400 || !strings.Contains(w.Body.String(), "not a CycloneDX or SPDX document") {
		t.Errorf("bad SBOM: %d %s", w.Code, w.Body)
	}
	// The questionnaire as the API hands it out, filled in by the vendor, read back with a cell error.
	w := e.call(buyer, "GET", tp+"/questionnaire.xlsx", nil)
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/vnd.openxmlformats") {
		t.Fatalf("questionnaire: %d", w.Code)
	}
	x, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows("Questionnaire")
	for i, r := range rows {
		if len(r) == 0 {
			continue
		}
		switch r[0] {
		case "dev.support-period":
			x.SetCellValue("Questionnaire", fmt.Sprintf("H%d", i+1), "2036-12-31")
		case "dev.patch-timeline":
			x.SetCellValue("Questionnaire", fmt.Sprintf("H%d", i+1), "next quarter")
		}
	}
	var filled bytes.Buffer
	x.WriteTo(&filled)
	qr := procJSON[struct {
		Result struct {
			Answers map[string]any   `json:"answers"`
			Errors  []map[string]any `json:"errors"`
		} `json:"result"`
	}](t, e.upload(buyer, bp+"/questionnaire", "returned.xlsx", filled.Bytes()), 200)
	if len(qr.Result.Answers) != 1 || len(qr.Result.Errors) != 1 || qr.Result.Errors[0]["column"] != "Answer" || qr.Result.Errors[0]["criterion"] != "dev.patch-timeline" {
		t.Errorf("questionnaire upload: %+v", qr.Result)
	}
	procJSON[domain.Bid](t, e.call(buyer, "PUT", bp+"/answers", []map[string]any{{"criterion": "dev.patch-timeline", "value": "30 days"}}), 200)
	if w := e.call(buyer, "PUT", bp+"/answers", []map[string]any{{"criterion": "dev.patch-timeline", "value": "soon"}}); w.Code != 400 || !strings.Contains(w.Body.String(), "answers[0].value") {
		t.Errorf("bad answer: %d %s", w.Code, w.Body)
	}
	procJSON[domain.TenderScore](t, e.call(buyer, "PUT", bp+"/scores", map[string]any{"criterion": "dev.pentest", "score": 4, "comment": "independent test 2026"}), 200)
	doc := procJSON[domain.TenderDocument](t, e.upload(buyer, bp+"/documents", "ce-declaration.pdf", []byte("%PDF-1.4 declaration")), 201)
	if doc.SHA256 == "" || doc.Size != 20 {
		t.Errorf("document: %+v", doc)
	}

	// Evaluation: per criterion score, evidence and comment (scale now 0–5).
	ev := procJSON[struct {
		Evaluation struct {
			Vendors []struct {
				Vendor     string  `json:"vendor"`
				Total      float64 `json:"total"`
				KnockedOut bool    `json:"knocked_out"`
				Criteria   []struct {
					ID       string           `json:"id"`
					Score    *int             `json:"score"`
					Max      int              `json:"max"`
					Status   string           `json:"status"`
					Evidence []map[string]any `json:"evidence"`
					Comment  string           `json:"comment"`
				} `json:"criteria"`
			} `json:"vendors"`
		} `json:"evaluation"`
		BidIDs []int64 `json:"bid_ids"`
	}](t, e.call(buyer, "GET", tp+"/evaluation", nil), 200)
	v := ev.Evaluation.Vendors[0]
	got := map[string]string{}
	for _, c := range v.Criteria {
		s := "-"
		if c.Score != nil {
			s = fmt.Sprint(*c.Score)
		}
		got[c.ID] = c.Status + " " + s
		if c.Max != 5 {
			t.Errorf("%s: max %d, want the organisation's scale 5", c.ID, c.Max)
		}
	}
	want := map[string]string{"dev.auth": "automatic 5", "dev.credentials": "automatic 5", "dev.sbom": "automatic 5", "dev.sbom.quality": "automatic 4",
		"dev.support-period": "automatic 5", "dev.patch-timeline": "automatic 5", "dev.pentest": "evaluated 4"}
	for id, s := range want {
		if got[id] != s {
			t.Errorf("%s: %q, want %q", id, got[id], s)
		}
	}
	if ev.BidIDs[0] != bid.ID || v.KnockedOut {
		t.Errorf("evaluation: %+v", ev.BidIDs)
	}
	for _, p := range []string{"/annex.pdf", "/award-report.pdf"} {
		if w := e.call(buyer, "GET", tp+p, nil); w.Code != 200 || w.Header().Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(w.Body.Bytes(), []byte("%PDF-")) {
			t.Errorf("GET %s: %d %s", p, w.Code, w.Header().Get("Content-Type"))
		}
	}

	// Award and commitments.
	ar := procJSON[struct {
		Commitments []domain.Commitment `json:"commitments"`
	}](t, e.call(buyer, "POST", tp+"/award", map[string]any{"bid_id": bid.ID, "rationale": "only bid"}), 200)
	if len(ar.Commitments) != 3 {
		t.Errorf("commitments: %d, want SBOM delivery, patch days and support end", len(ar.Commitments))
	}
	var patchID int64
	for _, c := range ar.Commitments {
		if c.Kind == "patch-days" {
			patchID = c.ID
		}
	}
	clock := procJSON[domain.Commitment](t, e.call(buyer, "POST", fmt.Sprintf("/procurement/commitments/%d/clocks", patchID),
		map[string]any{"trigger": "CVE-2024-3400 (CISA KEV)", "since": now.AddDate(0, 0, -40)}), 201)
	missed := procJSON[[]domain.Commitment](t, e.call(buyer, "GET", "/procurement/commitments?missed=true", nil), 200)
	if len(missed) != 1 || missed[0].ID != clock.ID {
		t.Errorf("missed: %+v", missed)
	}
	procJSON[domain.Commitment](t, e.call(buyer, "POST", fmt.Sprintf("/procurement/commitments/%d/status", clock.ID), map[string]any{"status": "confirmed", "note": "patched"}), 200)
	sc := procJSON[struct {
		Figures struct {
			Procurement struct {
				Awarded int `json:"awarded"`
			} `json:"procurement"`
		} `json:"figures"`
		Evidence map[string]any `json:"evidence"`
	}](t, e.call(buyer, "GET", "/procurement/supply-chain", nil), 200)
	if sc.Figures.Procurement.Awarded != 1 || sc.Evidence["kind"] != "supplier-disclosures" {
		t.Errorf("supply chain: %+v", sc)
	}

	// Cloud services.
	svc := procJSON[domain.CloudService](t, e.call(buyer, "POST", "/cloud-services", map[string]any{"name": "PACS", "criticality": "high"}), 201)
	cp := fmt.Sprintf("/cloud-services/%d", svc.ID)
	if w := e.call(buyer, "PUT", cp+"/profile", map[string]any{"data_location": "mars"}); w.Code != 400 {
		t.Errorf("bad profile: %d", w.Code)
	}
	procJSON[domain.CloudService](t, e.call(buyer, "PUT", cp+"/profile", map[string]any{"data_location": "eu-eea", "dpa": true, "encryption_at_rest": true,
		"encryption_in_transit": true, "certifications": []map[string]any{{"scheme": "iso27001", "valid_until": "2027-12-31"}}}), 200)
	review := procJSON[domain.CloudReview](t, e.call(buyer, "POST", cp+"/reviews", map[string]any{"note": "ok"}), 201)
	detail := procJSON[struct {
		Assessment struct {
			Total float64 `json:"total"`
		} `json:"assessment"`
		Reviews []domain.CloudReview `json:"reviews"`
		Overdue bool                 `json:"overdue"`
	}](t, e.call(buyer, "GET", cp, nil), 200)
	if detail.Overdue || len(detail.Reviews) != 1 || detail.Assessment.Total != review.Total {
		t.Errorf("cloud detail: %+v", detail)
	}

	// Another organisation: every path id is 404.
	paths := []string{tp, tp + "/criteria", tp + "/bids", bp, tp + "/evaluation", tp + "/annex.pdf", tp + "/questionnaire.xlsx", tp + "/award-report.pdf",
		tp + "/documents", fmt.Sprintf("%s/documents/%d", tp, doc.ID), bp + "/scores", cp, cp + "/reviews"}
	for _, p := range paths {
		if w := e.call(other, "GET", p, nil); w.Code != 404 {
			t.Errorf("other organisation GET %s: %d", p, w.Code)
		}
	}
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"PUT", tp, map[string]any{"reference": "x", "title": "x"}}, {"POST", tp + "/bids", map[string]any{"vendor": "x"}},
		{"PUT", bp + "/scores", map[string]any{"criterion": "dev.auth", "score": 1, "comment": "x"}}, {"POST", tp + "/award", map[string]any{"bid_id": bid.ID}},
		{"POST", fmt.Sprintf("/procurement/commitments/%d/status", clock.ID), map[string]any{"status": "waived"}},
		{"PUT", cp + "/profile", map[string]any{}}, {"POST", cp + "/reviews", map[string]any{}}, {"DELETE", cp, nil}, {"DELETE", bp, nil},
	} {
		if w := e.call(other, c.method, c.path, c.body); w.Code != 404 {
			t.Errorf("other organisation %s %s: %d %s", c.method, c.path, w.Code, w.Body)
		}
	}
	if w := e.upload(other, bp+"/mds2", "m.md", medi); w.Code != 404 {
		t.Errorf("other organisation upload: %d", w.Code)
	}
	if list := procJSON[domain.Page[domain.Tender]](t, e.call(other, "GET", "/tenders", nil), 200); list.Total != 0 {
		t.Errorf("other organisation lists %d tenders", list.Total)
	}

	// The operations are in the OpenAPI document.
	w = httptest.NewRecorder()
	e.h.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/openapi.json", nil))
	for _, p := range []string{`"/api/v1/tenders/{id}/evaluation"`, `"/api/v1/tenders/{id}/bids/{bid}/mds2"`, `"/api/v1/cloud-services/{id}/reviews"`, `"scoreBid"`} {
		if !strings.Contains(w.Body.String(), p) {
			t.Errorf("OpenAPI lacks %s", p)
		}
	}
}
