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
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/config"
	"github.com/vigil-med/vigil/internal/demo"
	"github.com/vigil-med/vigil/internal/demo/demotest"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

type apiSite struct {
	srv  *httptest.Server
	app  *app.App
	demo *demo.Env
}

func newAPISite(t *testing.T) *apiSite {
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
	return &apiSite{srv: srv, app: a, demo: env}
}

// token creates an API token of the organisation with the role.
func (s *apiSite) token(t *testing.T, org domain.Organisation, role domain.Role) string {
	t.Helper()
	secret, display, hash := auth.NewAPIToken()
	ctx := domain.WithActor(context.Background(), domain.Actor{Kind: domain.ActorCLI, Name: "test", OrgID: org.ID})
	tok := store.APIToken{Name: "test-" + string(role), Role: role, Prefix: display, Hash: hash}
	if err := s.app.Store.Scope(org.ID).Write(ctx, func(tx *store.Tx) error { return tx.CreateToken(ctx, &tok) }); err != nil {
		t.Fatal(err)
	}
	return secret
}

type call struct {
	t     *testing.T
	s     *apiSite
	token string
}

func (c call) do(method, path, contentType string, body io.Reader, want int) []byte {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.s.srv.URL+"/api/v1"+path, body)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, res.StatusCode, want, b)
	}
	return b
}

func (c call) json(method, path string, in any, want int, out any) {
	c.t.Helper()
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	b := c.do(method, path, "application/json", body, want)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
}

type regErrBody struct {
	Error struct{ Code, Message, Field string }
}

func TestPublicScopeAPI(t *testing.T) {
	s := newAPISite(t)
	c := call{t: t, s: s}
	var ans struct {
		Category      string
		Annex         string
		NationalLabel string `json:"national_label"`
		Reasons       []struct{ Ref string }
		Duties        []struct{ ID string }
	}
	c.json(http.MethodGet, "/regulation/scope?entity_type=healthcare-provider&employees=300&turnover_eur=40000000&balance_sheet_eur=30000000&country=DE", nil, http.StatusOK, &ans)
	if ans.Category != "essential" || ans.Annex != "I" || !strings.Contains(ans.NationalLabel, "besonders") || len(ans.Duties) == 0 {
		t.Errorf("GET scope: %+v", ans)
	}
	emp, turnover := 200.0, int64(25_000_000)
	c.json(http.MethodPost, "/regulation/scope", map[string]any{"entity_type": "healthcare-provider", "country": "DE", "employees": emp,
		"turnover_eur": turnover, "balance_sheet_eur": 20_000_000}, http.StatusOK, &ans)
	if ans.Category != "important" {
		t.Errorf("POST scope: %+v", ans)
	}
	var e regErrBody
	c.json(http.MethodPost, "/regulation/scope", map[string]any{"entity_type": "hospital"}, http.StatusBadRequest, &e)
	if e.Error.Field != "entity_type" || !strings.Contains(e.Error.Message, "healthcare-provider") {
		t.Errorf("bad entity type: %+v", e)
	}
	c.json(http.MethodPost, "/regulation/scope", map[string]any{"entity_type": "other", "staff": 3}, http.StatusBadRequest, &e)
	if e.Error.Field != "$.staff" {
		t.Errorf("unknown field: %+v", e)
	}
	c.json(http.MethodGet, "/regulation/scope?entity_type=healthcare-provider&turnover_eur=lots", nil, http.StatusBadRequest, &e)
	if e.Error.Field != "turnover_eur" {
		t.Errorf("bad amount: %+v", e)
	}
	var types []struct{ ID, Annex string }
	c.json(http.MethodGet, "/regulation/entity-types", nil, http.StatusOK, &types)
	if len(types) != 12 || types[0].ID != "healthcare-provider" {
		t.Errorf("entity types: %+v", types)
	}
	var ovs struct {
		Files map[string]string
	}
	c.json(http.MethodGet, "/regulation/overlays", nil, http.StatusOK, &ovs)
	if ovs.Files["DE"] != "internal/regulation/data/overlays/de.yaml" {
		t.Errorf("overlays: %+v", ovs)
	}
	// The operations are public in the OpenAPI document; the others need a permission.
	var doc struct {
		Paths map[string]map[string]struct {
			Security   []any  `json:"security"`
			Permission string `json:"x-vigil-permission"`
		}
	}
	c.json(http.MethodGet, "/openapi.json", nil, http.StatusOK, &doc)
	if op := doc.Paths["/api/v1/regulation/scope"]["post"]; op.Security == nil || len(op.Security) != 0 {
		t.Errorf("scope is not public in OpenAPI: %+v", op)
	}
	if op := doc.Paths["/api/v1/regulation/assessments/{id}/sign-off"]["post"]; op.Permission != string(domain.PermRegulation) {
		t.Errorf("sign-off permission: %+v", op)
	}
	// Anonymous use is throttled per address.
	throttled := false
	for i := 0; i < 130 && !throttled; i++ {
		res, err := http.Get(s.srv.URL + "/api/v1/regulation/scope?entity_type=other")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		throttled = res.StatusCode == http.StatusTooManyRequests
	}
	if !throttled {
		t.Error("130 anonymous scope checks in a row were not throttled")
	}
}

func TestRegulationAPI(t *testing.T) {
	s := newAPISite(t)
	ciso := call{t: t, s: s, token: s.token(t, s.demo.Hospital, domain.RoleSecurityOfficer)}
	auditor := call{t: t, s: s, token: s.token(t, s.demo.Hospital, domain.RoleAuditor)}
	c := ciso

	var prof domain.RegulatoryProfile
	c.json(http.MethodGet, "/regulation/profile", nil, http.StatusOK, &prof)
	if !prof.Saved || prof.EntityType != "healthcare-provider" || prof.Employees != 4812 || !prof.Public {
		t.Errorf("demo profile: %+v", prof)
	}
	c.json(http.MethodPut, "/regulation/profile", map[string]any{"entity_type": "healthcare-provider", "public": true, "country": "DE",
		"employees": 4900, "turnover_eur": nil, "health_data": true}, http.StatusOK, &prof)
	if prof.Employees != 4900 || prof.TurnoverEUR != -1 || !prof.PersonalData || prof.UpdatedBy != "token:test-security-officer" {
		t.Errorf("saved profile: %+v", prof)
	}
	var e regErrBody
	c.json(http.MethodPut, "/regulation/profile", map[string]any{"entity_type": "clinic"}, http.StatusBadRequest, &e)
	if e.Error.Field != "entity_type" {
		t.Errorf("bad profile: %+v", e)
	}
	auditor.json(http.MethodPut, "/regulation/profile", map[string]any{"entity_type": "other"}, http.StatusForbidden, nil)

	var appl struct {
		ProductsWired bool `json:"products_wired"`
		Assessment    struct {
			Scope        struct{ Category string }
			Organisation []struct{ Law, Applies string }
			Products     []struct {
				Laws []struct {
					Law, Applies string
				}
				Responsibilities *struct {
					Rows []struct{ Activity, Decision string }
				}
			}
		}
	}
	c.json(http.MethodGet, "/regulation/applicability", nil, http.StatusOK, &appl)
	if appl.ProductsWired || appl.Assessment.Scope.Category != "essential" || len(appl.Assessment.Organisation) != 2 {
		t.Errorf("applicability: %+v", appl)
	}
	c.json(http.MethodPost, "/regulation/applicability", map[string]any{"products": []map[string]any{
		{"id": "pump", "name": "Infusion pump", "medical_device": true, "mdr_class": "IIb", "digital_elements": true, "data_connection": true,
			"personal_data": true, "health_data": true, "mds2": map[string]string{"CSUP-2.1": "yes"}},
	}}, http.StatusOK, &appl)
	p := appl.Assessment.Products[0]
	laws := map[string]string{}
	for _, l := range p.Laws {
		laws[l.Law] = l.Applies
	}
	if laws["mdr"] != "yes" || laws["cra"] != "no" || laws["gdpr"] != "yes" || p.Responsibilities == nil || p.Responsibilities.Rows[0].Decision != "answers" {
		t.Errorf("pump: %v %+v", laws, p.Responsibilities)
	}

	var a domain.Assessment
	c.json(http.MethodPost, "/regulation/assessments", map[string]any{"name": "API campaign", "period_start": "2027-01-01", "period_end": "2027-12-31"}, http.StatusCreated, &a)
	base := fmt.Sprintf("/regulation/assessments/%d", a.ID)
	c.json(http.MethodPost, "/regulation/assessments", map[string]any{"name": "x", "period_start": "2027-13-01"}, http.StatusBadRequest, &e)
	if e.Error.Field != "period_start" {
		t.Errorf("bad period: %+v", e)
	}
	var m domain.AssessmentMeasure
	c.json(http.MethodPut, base+"/measures/nis2.21.2.e", map[string]any{"status": "partial", "maturity": 2, "owner": "Biomed", "due_date": "2027-06-30"}, http.StatusOK, &m)
	if m.TargetMaturity != 3 || m.Gap() != 1 {
		t.Errorf("measure: %+v", m)
	}
	c.json(http.MethodPut, base+"/measures/nis2.99", map[string]any{"status": "partial"}, http.StatusNotFound, nil)
	var link domain.MeasureEvidence
	c.json(http.MethodPost, base+"/measures/nis2.21.2.e/links", map[string]any{"url": "https://intranet.example/vuln-process"}, http.StatusCreated, &link)

	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "pentest-summary.txt")
	_, _ = fw.Write([]byte("penetration test summary"))
	mw.Close()
	var file domain.MeasureEvidence
	if err := json.Unmarshal(c.do(http.MethodPost, base+"/measures/nis2.21.2.e/files?title=Pentest", mw.FormDataContentType(), &buf, http.StatusCreated), &file); err != nil {
		t.Fatal(err)
	}
	if file.SHA256 == "" || file.Size != 24 || file.Title != "Pentest" || file.FileName != "pentest-summary.txt" {
		t.Errorf("file: %+v", file)
	}
	if got := c.do(http.MethodGet, fmt.Sprintf("%s/evidence/%d/file", base, file.ID), "", nil, http.StatusOK); string(got) != "penetration test summary" {
		t.Errorf("download: %q", got)
	}
	var board struct {
		Measures []struct {
			Measure  struct{ ID string }
			Evidence []domain.MeasureEvidence
			Auto     []struct{ Kind, Status string }
		}
		Summary struct{ Measures int }
	}
	auditor.json(http.MethodGet, base, nil, http.StatusOK, &board)
	for _, r := range board.Measures {
		if r.Measure.ID == "nis2.21.2.e" && len(r.Evidence) != 2 {
			t.Errorf("evidence of (e): %+v", r.Evidence)
		}
		if r.Measure.ID == "nis2.21.2.j" && (len(r.Auto) != 1 || r.Auto[0].Status != "ok") {
			t.Errorf("automatic evidence of (j): %+v", r.Auto)
		}
	}
	auditor.json(http.MethodPost, base+"/sign-off", map[string]any{"name": "x", "role": "y"}, http.StatusForbidden, nil)
	var signed domain.Assessment
	c.json(http.MethodPost, base+"/sign-off", map[string]any{"name": "Prof. Dr. Katrin Brandt", "role": "Chief executive"}, http.StatusOK, &signed)
	if !signed.Frozen() || signed.SignOff.RecordedBy != "token:test-security-officer" {
		t.Errorf("sign-off: %+v", signed.SignOff)
	}
	c.json(http.MethodPut, base+"/measures/nis2.21.2.e", map[string]any{"status": "implemented", "maturity": 3}, http.StatusConflict, &e)
	if !strings.Contains(e.Error.Message, "frozen") {
		t.Errorf("conflict: %+v", e)
	}
	c.do(http.MethodDelete, fmt.Sprintf("%s/evidence/%d", base, link.ID), "", nil, http.StatusConflict)
	var evs []domain.MeasureEvidence
	c.json(http.MethodGet, base+"/evidence?measure=nis2.21.2.j", nil, http.StatusOK, &evs)
	if len(evs) != 1 || evs[0].Kind != domain.EvidenceAuto || !strings.Contains(string(evs[0].Auto), `"coverage"`) {
		t.Errorf("snapshot of (j): %+v", evs)
	}
	if pdf := c.do(http.MethodGet, base+"/report.pdf", "", nil, http.StatusOK); !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Errorf("report.pdf: %q", pdf[:10])
	}

	// Tenant isolation: the manufacturer's token gets 404 for every path with the hospital's ids.
	other := call{t: t, s: s, token: s.token(t, s.demo.Manufacturer, domain.RoleAdmin)}
	for _, op := range []struct{ method, path, body string }{
		{http.MethodGet, base, ""}, {http.MethodPut, base, `{"name":"taken over"}`}, {http.MethodGet, base + "/measures/nis2.21.2.e", ""},
		{http.MethodPut, base + "/measures/nis2.21.2.e", `{"status":"implemented","maturity":4}`}, {http.MethodGet, base + "/evidence", ""},
		{http.MethodPost, base + "/measures/nis2.21.2.e/links", `{"url":"https://x.example"}`}, {http.MethodGet, fmt.Sprintf("%s/evidence/%d/file", base, file.ID), ""},
		{http.MethodDelete, fmt.Sprintf("%s/evidence/%d", base, file.ID), ""}, {http.MethodPost, base + "/sign-off", `{"name":"x","role":"y"}`},
		{http.MethodGet, base + "/report", ""}, {http.MethodGet, base + "/report.pdf", ""},
	} {
		var body io.Reader
		ct := ""
		if op.body != "" {
			body, ct = strings.NewReader(op.body), "application/json"
		}
		other.do(op.method, op.path, ct, body, http.StatusNotFound)
	}
	var buf2 bytes.Buffer
	mw2 := multipart.NewWriter(&buf2)
	fw2, _ := mw2.CreateFormFile("file", "x.txt")
	_, _ = fw2.Write([]byte("x"))
	mw2.Close()
	other.do(http.MethodPost, base+"/measures/nis2.21.2.e/files", mw2.FormDataContentType(), &buf2, http.StatusNotFound)
	var mine domain.Page[domain.Assessment]
	other.json(http.MethodGet, "/regulation/assessments", nil, http.StatusOK, &mine)
	if mine.Total != 0 {
		t.Errorf("the manufacturer lists %d assessments", mine.Total)
	}
}
