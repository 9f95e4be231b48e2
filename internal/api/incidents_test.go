package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/config"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

type apiEnv struct {
	t    *testing.T
	a    *app.App
	h    http.Handler
	orgs map[string]domain.Organisation
}

func newAPIEnv(t *testing.T, now time.Time) *apiEnv {
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
	return &apiEnv{t: t, a: a, h: h, orgs: map[string]domain.Organisation{}}
}

// token creates an organisation (once) and an API token of the role in it.
func (e *apiEnv) token(slug string, role domain.Role) string {
	e.t.Helper()
	org, ok := e.orgs[slug]
	if !ok {
		org = testutil.Org(e.t, e.a.Store, slug)
		e.orgs[slug] = org
	}
	secret, display, hash := auth.NewAPIToken()
	ctx := testutil.Ctx(org.ID)
	tok := store.APIToken{Name: string(role), Role: role, Prefix: display, Hash: hash}
	if err := e.a.Store.Scope(org.ID).Write(ctx, func(tx *store.Tx) error { return tx.CreateToken(ctx, &tok) }); err != nil {
		e.t.Fatal(err)
	}
	return secret
}

func (e *apiEnv) do(token, method, path string, body any) *httptest.ResponseRecorder {
	e.t.Helper()
	var r io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case *multipart.Writer:
		e.t.Fatal("use doRaw for uploads")
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		r, ct = bytes.NewReader(j), "application/json"
	}
	return e.doRaw(token, method, path, ct, r)
}

func (e *apiEnv) doRaw(token, method, path, contentType string, body io.Reader) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, "/api/v1"+path, body)
	req.Header.Set("Authorization", "Bearer "+token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	return w
}

func decode[T any](t *testing.T, w *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %T: %v\n%s", v, err, w.Body.String())
	}
	return v
}

type clockJSON struct {
	DeadlineID  string     `json:"deadline_id"`
	State       string     `json:"state"`
	Text        string     `json:"text"`
	Due         *time.Time `json:"due"`
	SubmittedAt *time.Time `json:"submitted_at"`
}

type detailJSON struct {
	Incident struct {
		ID       int64 `json:"id"`
		Exercise bool  `json:"exercise"`
	} `json:"incident"`
	Clocks []clockJSON `json:"clocks"`
}

func TestIncidentAPI(t *testing.T) {
	aware, _ := time.Parse(time.RFC3339, "2026-03-28T23:30:00+01:00")
	e := newAPIEnv(t, aware.Add(2*time.Hour+48*time.Minute))
	tokA := e.token("hospital-a", domain.RoleSecurityOfficer)
	tokB := e.token("hospital-b", domain.RoleSecurityOfficer)
	auditor := e.token("hospital-a", domain.RoleAuditor)

	w := e.do(tokA, "POST", "/incidents", map[string]any{"title": "Ransomware on an imaging workstation", "aware_at": aware, "category": "ransomware",
		"answers": map[string]string{"nis2.entity": "essential", "nis2.severe-disruption": "yes"}})
	if w.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", w.Code, w.Body)
	}
	det := decode[detailJSON](t, w)
	id := det.Incident.ID
	if len(det.Clocks) == 0 || det.Clocks[0].DeadlineID != "nis2.23.ew" || det.Clocks[0].Text != "due in 21 h 12 min" || det.Clocks[0].State != "running" {
		t.Fatalf("clocks after create: %+v", det.Clocks)
	}
	ids := "/incidents/" + itoa(id)

	// The auditor reads but cannot change.
	if w := e.do(auditor, "GET", ids, nil); w.Code != 200 {
		t.Errorf("auditor read: %d", w.Code)
	}
	if w := e.do(auditor, "PUT", ids+"/answers", map[string]any{"answers": map[string]string{"gdpr.risk": "yes"}}); w.Code != http.StatusForbidden {
		t.Errorf("auditor write: %d", w.Code)
	}

	// Answers change the clocks.
	w = e.do(tokA, "PUT", ids+"/answers", map[string]any{"answers": map[string]string{"gdpr.personal-data": "yes", "gdpr.risk": "yes"}, "note": "letters on the share"})
	if w.Code != 200 || decode[struct {
		Changed int `json:"changed"`
	}](t, w).Changed != 2 {
		t.Fatalf("answers: %d %s", w.Code, w.Body)
	}
	w = e.do(tokA, "PUT", ids+"/answers", map[string]any{"answers": map[string]string{"gdpr.risk": "sometimes"}})
	if w.Code != 400 || !strings.Contains(w.Body.String(), `"field":"answers.gdpr.risk"`) {
		t.Errorf("bad answer: %d %s", w.Code, w.Body)
	}
	dl := decode[struct {
		Clocks []clockJSON `json:"clocks"`
	}](t, e.do(tokA, "GET", ids+"/deadlines", nil))
	found := false
	for _, c := range dl.Clocks {
		found = found || (c.DeadlineID == "gdpr.33.sa" && c.Due.Equal(aware.Add(72*time.Hour)))
	}
	if !found {
		t.Errorf("gdpr.33.sa not running after the answer: %+v", dl.Clocks)
	}

	// Attachments: multipart upload, SHA-256, download.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "ransom-note.txt")
	content := []byte("Your files are encrypted.\n")
	fw.Write(content)
	mw.Close()
	w = e.doRaw(tokA, "POST", ids+"/attachments?evidence=true", mw.FormDataContentType(), &buf)
	att := decode[domain.IncidentAttachment](t, w)
	sum := sha256.Sum256(content)
	if w.Code != 201 || att.SHA256 != hex.EncodeToString(sum[:]) || att.Name != "ransom-note.txt" || !att.Evidence {
		t.Fatalf("upload: %d %+v", w.Code, att)
	}
	w = e.do(tokA, "GET", ids+"/attachments/"+itoa(att.ID), nil)
	if w.Code != 200 || w.Body.String() != string(content) || w.Header().Get("Content-Type") != "application/octet-stream" {
		t.Errorf("download: %d %q %s", w.Code, w.Body, w.Header())
	}

	// A report draft saved, exported as PDF and JSON; the submission closes the clock.
	w = e.do(tokA, "POST", ids+"/reports/nis2.early-warning", map[string]any{"fields": map[string]string{"incident.summary": "Ransom note on RAD-WS-07", "cross_border": "no"}})
	if w.Code != 201 {
		t.Fatalf("save report: %d %s", w.Code, w.Body)
	}
	w = e.do(tokA, "GET", ids+"/reports/nis2.early-warning/pdf", nil)
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(w.Body.Bytes(), []byte("%PDF-")) {
		t.Errorf("PDF: %d %s", w.Code, w.Header())
	}
	exp := decode[struct {
		Version int `json:"version"`
		Fields  []struct {
			ID, Value string
		} `json:"fields"`
	}](t, e.do(tokA, "GET", ids+"/reports/nis2.early-warning/export", nil))
	if exp.Version != 1 || len(exp.Fields) != 6 {
		t.Errorf("export: %+v", exp)
	}
	w = e.do(tokA, "POST", ids+"/submissions", map[string]any{"deadline_id": "nis2.23.ew", "recipient": "BSI", "reference": "BSI-0042"})
	if w.Code != 201 {
		t.Fatalf("submission: %d %s", w.Code, w.Body)
	}
	det = decode[detailJSON](t, e.do(tokA, "GET", ids, nil))
	for _, c := range det.Clocks {
		if c.DeadlineID == "nis2.23.ew" && (c.State != "submitted" || c.SubmittedAt == nil) {
			t.Errorf("early warning after the submission: %+v", c)
		}
	}
	w = e.do(tokA, "POST", ids+"/submissions", map[string]any{"deadline_id": "nis2.23.notif"})
	if w.Code != 400 || !strings.Contains(w.Body.String(), `"field":"recipient"`) {
		t.Errorf("submission without recipient: %d %s", w.Code, w.Body)
	}

	// Another organisation's id is 404 on every path, reads and writes.
	for _, p := range []struct{ method, path string }{
		{"GET", ids}, {"PUT", ids}, {"POST", ids + "/status"}, {"GET", ids + "/answers"}, {"PUT", ids + "/answers"},
		{"GET", ids + "/deadlines"}, {"GET", ids + "/timeline"}, {"POST", ids + "/notes"}, {"GET", ids + "/actions"},
		{"POST", ids + "/actions"}, {"GET", ids + "/decisions"}, {"POST", ids + "/decisions"}, {"GET", ids + "/attachments"},
		{"GET", ids + "/attachments/" + itoa(att.ID)}, {"GET", ids + "/reports"}, {"GET", ids + "/reports/nis2.early-warning"},
		{"POST", ids + "/reports/nis2.early-warning"}, {"GET", ids + "/reports/nis2.early-warning/pdf"},
		{"GET", ids + "/reports/nis2.early-warning/export"}, {"GET", ids + "/submissions"}, {"POST", ids + "/submissions"},
		{"GET", ids + "/review"}, {"PUT", ids + "/review"}, {"GET", ids + "/injects"},
	} {
		var body any
		switch p.method {
		case "PUT", "POST":
			body = map[string]any{}
			switch {
			case strings.HasSuffix(p.path, "/answers"):
				body = map[string]any{"answers": map[string]string{"gdpr.risk": "no"}}
			case strings.HasSuffix(p.path, "/notes"):
				body = map[string]any{"text": "x"}
			case strings.HasSuffix(p.path, "/actions"):
				body = map[string]any{"title": "x"}
			case strings.HasSuffix(p.path, "/decisions"):
				body = map[string]any{"what": "x", "who": "y"}
			case strings.HasSuffix(p.path, "/submissions"):
				body = map[string]any{"deadline_id": "nis2.23.notif", "recipient": "x"}
			case strings.HasSuffix(p.path, "/status"):
				body = map[string]any{"status": "closed"}
			case p.path == ids:
				body = map[string]any{"title": "stolen", "aware_at": aware}
			case strings.HasSuffix(p.path, "/reports/nis2.early-warning"):
				body = map[string]any{"fields": map[string]string{}}
			case strings.HasSuffix(p.path, "/review"):
				body = map[string]any{"what_happened": "x", "went_well": "", "to_improve": ""}
			}
		}
		if w := e.do(tokB, p.method, p.path, body); w.Code != http.StatusNotFound {
			t.Errorf("organisation B: %s %s = %d, want 404 (%s)", p.method, p.path, w.Code, w.Body)
		}
	}
	var upload bytes.Buffer
	mw = multipart.NewWriter(&upload)
	fw, _ = mw.CreateFormFile("file", "x.txt")
	fw.Write([]byte("x"))
	mw.Close()
	if w := e.doRaw(tokB, "POST", ids+"/attachments", mw.FormDataContentType(), &upload); w.Code != http.StatusNotFound {
		t.Errorf("organisation B upload: %d", w.Code)
	}
	if page := decode[domain.Page[domain.Incident]](t, e.do(tokB, "GET", "/incidents", nil)); page.Total != 0 {
		t.Errorf("organisation B lists A's incidents: %d", page.Total)
	}
	// Nothing of A changed.
	if det := decode[detailJSON](t, e.do(tokA, "GET", ids, nil)); det.Incident.ID != id {
		t.Errorf("A's incident changed")
	}
	if in, _ := e.a.Store.Scope(e.orgs["hospital-a"].ID).Incident(context.Background(), id); in.Title != "Ransomware on an imaging workstation" || in.Status != "open" {
		t.Errorf("B changed A's incident: %q %s", in.Title, in.Status)
	}

	// Exercises are apart from incidents.
	w = e.do(tokA, "POST", "/exercises", map[string]any{"scenario": "cloud-ehr-outage", "acceleration": 120})
	if w.Code != 201 || !decode[domain.Incident](t, w).Exercise {
		t.Fatalf("start exercise: %d %s", w.Code, w.Body)
	}
	if page := decode[domain.Page[domain.Incident]](t, e.do(tokA, "GET", "/incidents", nil)); page.Total != 1 {
		t.Errorf("incident list: %d, want 1 (the exercise is apart)", page.Total)
	}
	if page := decode[domain.Page[domain.Incident]](t, e.do(tokA, "GET", "/incidents?exercise=true", nil)); page.Total != 1 || !page.Items[0].Exercise {
		t.Errorf("exercise list: %+v", page)
	}
	if w := e.do(tokA, "POST", "/exercises", map[string]any{"scenario": "alien-invasion"}); w.Code != 400 {
		t.Errorf("unknown scenario: %d", w.Code)
	}

	// The stateless computation.
	w = e.do(tokA, "POST", "/incident-deadlines", map[string]any{"aware": aware, "regimes": []string{"nis2"}, "time_zone": "Europe/Berlin"})
	cl := decode[[]map[string]any](t, w)
	if w.Code != 200 || len(cl) != 3 || cl[0]["due"] != "2026-03-29T22:30:00Z" {
		t.Errorf("compute: %d %v", w.Code, cl)
	}
	if w := e.do(tokA, "POST", "/incident-deadlines", map[string]any{"aware": aware, "regimes": []string{"sox"}}); w.Code != 400 || !strings.Contains(w.Body.String(), "regimes[0]") {
		t.Errorf("compute with a bad regime: %d %s", w.Code, w.Body)
	}

	// The operations are documented.
	req := httptest.NewRequest("GET", "/api/v1/openapi.json", nil)
	rw := httptest.NewRecorder()
	e.h.ServeHTTP(rw, req)
	for _, p := range []string{"/api/v1/incidents/{id}/answers", "/api/v1/incidents/{id}/reports/{template}/pdf", "/api/v1/exercises", "/api/v1/incident-deadlines"} {
		if !strings.Contains(rw.Body.String(), `"`+p+`"`) {
			t.Errorf("OpenAPI lacks %s", p)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestIncidentDevicesAPI links inventory devices to incidents through the API: on create, by the
// assets sub-resource, kept by a PUT without asset_ids, never another organisation's device, and
// listed from the device's side.
func TestIncidentDevicesAPI(t *testing.T) {
	aware, _ := time.Parse(time.RFC3339, "2026-03-28T23:30:00+01:00")
	e := newAPIEnv(t, aware.Add(time.Hour))
	tokA := e.token("hospital-a", domain.RoleSecurityOfficer)
	tokB := e.token("hospital-b", domain.RoleSecurityOfficer)
	asset := func(slug, tag string, crit domain.Criticality) int64 {
		t.Helper()
		org := e.orgs[slug]
		ctx := testutil.Ctx(org.ID)
		var a domain.Asset
		if err := e.a.Store.Scope(org.ID).Write(ctx, func(tx *store.Tx) error {
			pv, _, err := tx.EnsureProductVersion(ctx, "Siemens Healthineers", "SOMATOM go.Up", "VA30A")
			if err != nil {
				return err
			}
			a = domain.Asset{ProductVersionID: pv.ID, AssetTag: tag, Criticality: crit}
			return tx.CreateAsset(ctx, &a, domain.DateOf(aware))
		}); err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	ct := asset("hospital-a", "NUH-0002", domain.CritCritical)
	ws := asset("hospital-a", "NUH-0007", domain.CritImportant)
	foreign := asset("hospital-b", "B-0001", domain.CritCritical)

	type assetsJSON []struct {
		AssetID     int64  `json:"asset_id"`
		AssetTag    string `json:"asset_tag"`
		Criticality string `json:"criticality"`
	}
	w := e.do(tokA, "POST", "/incidents", map[string]any{"title": "Ransomware on the CT", "aware_at": aware, "asset_ids": []int64{ct}})
	if w.Code != http.StatusCreated {
		t.Fatalf("create with devices: %d %s", w.Code, w.Body)
	}
	created := decode[struct {
		Incident struct {
			ID int64 `json:"id"`
		} `json:"incident"`
		Assets        assetsJSON        `json:"assets"`
		AnswerSources map[string]string `json:"answer_sources"`
	}](t, w)
	if len(created.Assets) != 1 || created.Assets[0].AssetTag != "NUH-0002" || created.Assets[0].Criticality != "critical" ||
		created.AnswerSources["nis2.damage-to-others"] != "linked devices" {
		t.Errorf("created: %+v", created)
	}
	id := "/incidents/" + strconv.FormatInt(created.Incident.ID, 10)

	// A PUT without asset_ids keeps the links.
	if w := e.do(tokA, "PUT", id, map[string]any{"title": "Ransomware on the CT console", "aware_at": aware}); w.Code != http.StatusOK {
		t.Fatalf("put: %d %s", w.Code, w.Body)
	}
	if got := decode[assetsJSON](t, e.do(tokA, "GET", id+"/assets", nil)); len(got) != 1 {
		t.Errorf("after a PUT without asset_ids: %+v", got)
	}
	// Another organisation's device is refused, naming the field; its own are linked.
	w = e.do(tokA, "PUT", id+"/assets", map[string]any{"asset_ids": []int64{ct, foreign}})
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `"field":"asset_ids"`) {
		t.Errorf("link another organisation's device: %d %s", w.Code, w.Body)
	}
	got := decode[assetsJSON](t, e.do(tokA, "PUT", id+"/assets", map[string]any{"asset_ids": []int64{ws, ct}}))
	if len(got) != 2 || got[0].AssetID != ct || got[1].AssetID != ws {
		t.Errorf("linked, most critical first: %+v", got)
	}
	// From the device's side; another organisation sees neither the incident nor the device.
	incs := decode[[]struct {
		ID int64 `json:"id"`
	}](t, e.do(tokA, "GET", "/inventory/assets/"+strconv.FormatInt(ws, 10)+"/incidents", nil))
	if len(incs) != 1 || incs[0].ID != created.Incident.ID {
		t.Errorf("incidents of the workstation: %+v", incs)
	}
	for _, p := range []string{id + "/assets", "/inventory/assets/" + strconv.FormatInt(ws, 10) + "/incidents"} {
		if w := e.do(tokB, "GET", p, nil); w.Code != http.StatusNotFound {
			t.Errorf("GET %s by another organisation: %d", p, w.Code)
		}
	}
	// [] removes every link.
	if got := decode[assetsJSON](t, e.do(tokA, "PUT", id+"/assets", map[string]any{"asset_ids": []int64{}})); len(got) != 0 {
		t.Errorf("after removing: %+v", got)
	}
}
