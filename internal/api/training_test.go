package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/config"
	"github.com/vigil-med/vigil/internal/demo"
	"github.com/vigil-med/vigil/internal/demo/demotest"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

type apiClient struct {
	t     *testing.T
	base  string
	token string
}

func (c apiClient) do(method, path string, body any, contentType string) (int, []byte) {
	c.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		r = bytes.NewReader(j)
		contentType = "application/json"
	}
	req, _ := http.NewRequest(method, c.base+path, r)
	req.Header.Set("Authorization", "Bearer "+c.token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out
}

func token(t *testing.T, st *store.Store, org domain.Organisation, role domain.Role) string {
	t.Helper()
	secret, display, hash := auth.NewAPIToken()
	exp := time.Now().Add(time.Hour)
	tok := store.APIToken{Name: "test", Role: role, Prefix: display, Hash: hash, Expires: &exp}
	ctx := domain.WithActor(context.Background(), domain.Actor{Kind: domain.ActorCLI, Name: "test", OrgID: org.ID})
	if err := st.Scope(org.ID).Write(ctx, func(tx *store.Tx) error { return tx.CreateToken(ctx, &tok) }); err != nil {
		t.Fatal(err)
	}
	return secret
}

func TestTrainingAPI(t *testing.T) {
	cfg := config.Default()
	cfg.DataDir, _ = demotest.DataDir(t)
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	h, ap, err := a.Handler(ctx)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	hospital, _ := a.Store.OrgByRef(ctx, demo.HospitalSlug)
	maker, _ := a.Store.OrgByRef(ctx, "meridian")
	hc := apiClient{t, srv.URL + "/api/v1", token(t, a.Store, hospital, domain.RoleSecurityOfficer)}
	mc := apiClient{t, srv.URL + "/api/v1", token(t, a.Store, maker, domain.RoleAdmin)}
	auditor := apiClient{t, srv.URL + "/api/v1", token(t, a.Store, hospital, domain.RoleAuditor)}

	status, body := hc.do("GET", "/training/coverage", nil, "")
	var cov map[string]any
	if status != 200 || json.Unmarshal(body, &cov) != nil {
		t.Fatalf("coverage: %d %s", status, body)
	}
	totals, _ := cov["totals"].(map[string]any)
	for _, k := range []string{"assigned", "completed", "due", "overdue", "not_yet_due"} {
		if _, ok := totals[k]; !ok {
			t.Errorf("coverage totals lack %q: %v", k, totals)
		}
	}

	// A person, added through the API, gets curricula by rule.
	status, body = hc.do("POST", "/training/staff", map[string]any{"name": "Rita Moreau", "email": "r.moreau@nordstadt-hospital.example",
		"staff_number": "NS99001", "department": "Radiology", "job_title": "Radiographer"}, "")
	var created struct {
		Staff   domain.Staff `json:"staff"`
		Applied struct {
			Created int `json:"created"`
		} `json:"applied"`
	}
	if status != 201 || json.Unmarshal(body, &created) != nil || created.Staff.Audience != domain.AudienceClinical || created.Applied.Created != 4 {
		t.Fatalf("create person: %d %s", status, body)
	}
	if status, body = auditor.do("POST", "/training/staff", map[string]any{"name": "X", "staff_number": "1"}, ""); status != 403 {
		t.Errorf("an auditor created a person: %d %s", status, body)
	}

	// Evidence upload and a completion that refers to it.
	status, body = hc.do("POST", "/training/evidence?filename=cert.pdf", []byte("%PDF-1.4 certificate"), "application/octet-stream")
	var file domain.TrainingFile
	if status != 201 || json.Unmarshal(body, &file) != nil || file.ID == 0 {
		t.Fatalf("evidence upload: %d %s", status, body)
	}
	sc := a.Store.Scope(hospital.ID)
	mod, _ := sc.TrainingModuleByCode(ctx, "clinical-downtime")
	status, body = hc.do("POST", "/training/records", map[string]any{"module_id": mod.ID, "date": time.Now().Format(time.RFC3339),
		"people": "NS99001", "provider": "ward briefing", "evidence_file_id": file.ID}, "")
	if status != 200 || !strings.Contains(string(body), `"added":1`) {
		t.Fatalf("record completion: %d %s", status, body)
	}
	status, body = hc.do("GET", fmt.Sprintf("/training/staff/%d", created.Staff.ID), nil, "")
	if status != 200 || !strings.Contains(string(body), `"state":"completed"`) || !strings.Contains(string(body), "ward briefing") {
		t.Errorf("person detail: %d %s", status, body)
	}

	// Imports: a dry run answers 200 and writes nothing; rejections answer 422 naming row and column.
	csv := []byte("Personalnummer;Name;E-Mail\nNS99002;Ole Berg;o.berg@nordstadt-hospital.example\n")
	status, body = hc.do("POST", "/import/staff?dry_run=true&filename=hr.csv", csv, "text/csv")
	if status != 200 || !strings.Contains(string(body), `"created":1`) || !strings.Contains(string(body), `"dry_run":true`) {
		t.Errorf("dry-run import: %d %s", status, body)
	}
	if _, err := sc.StaffByRef(ctx, "NS99002", ""); err == nil {
		t.Error("the dry run wrote")
	}
	status, body = hc.do("POST", "/import/staff?filename=hr.csv", []byte("Personalnummer;Name;E-Mail\nNS99003;;x@y.example\n"), "text/csv")
	if status != 422 || !strings.Contains(string(body), `"row":2`) || !strings.Contains(string(body), `"column":"Name"`) {
		t.Errorf("rejected import: %d %s", status, body)
	}

	// Another organisation's ids are 404 on every path.
	ex, _ := sc.Exercises(ctx)
	findings, _ := sc.Findings(ctx, 0)
	as, _ := sc.Assignments(ctx, store.AssignmentFilter{StaffID: created.Staff.ID})
	recs, _ := sc.TrainingRecords(ctx, store.RecordFilter{StaffID: created.Staff.ID})
	cur, _ := sc.CurriculumByCode(ctx, "management-board")
	rules, _ := sc.TrainingRules(ctx)
	pid := created.Staff.ID
	for _, p := range []struct{ method, path string }{
		{"GET", fmt.Sprintf("/training/staff/%d", pid)},
		{"PUT", fmt.Sprintf("/training/staff/%d", pid)},
		{"DELETE", fmt.Sprintf("/training/staff/%d", pid)},
		{"GET", fmt.Sprintf("/training/modules/%d", mod.ID)},
		{"PUT", fmt.Sprintf("/training/modules/%d", mod.ID)},
		{"GET", fmt.Sprintf("/training/curricula/%d", cur.ID)},
		{"PUT", fmt.Sprintf("/training/curricula/%d", cur.ID)},
		{"DELETE", fmt.Sprintf("/training/rules/%d", rules[0].ID)},
		{"DELETE", fmt.Sprintf("/training/assignments/%d", as[0].ID)},
		{"DELETE", fmt.Sprintf("/training/records/%d", recs[0].ID)},
		{"GET", fmt.Sprintf("/training/evidence/%d", file.ID)},
		{"GET", fmt.Sprintf("/training/exercises/%d", ex[0].ID)},
		{"PUT", fmt.Sprintf("/training/exercises/%d", ex[0].ID)},
		{"POST", fmt.Sprintf("/training/exercises/%d/start", ex[0].ID)},
		{"POST", fmt.Sprintf("/training/exercises/%d/complete", ex[0].ID)},
		{"POST", fmt.Sprintf("/training/exercises/%d/participants", ex[0].ID)},
		{"POST", fmt.Sprintf("/training/exercises/%d/participants/remove", ex[0].ID)},
		{"POST", fmt.Sprintf("/training/exercises/%d/log", ex[0].ID)},
		{"POST", fmt.Sprintf("/training/exercises/%d/findings", ex[0].ID)},
		{"PUT", fmt.Sprintf("/training/findings/%d", findings[0].ID)},
	} {
		var body any
		if p.method == "PUT" || p.method == "POST" {
			body = map[string]any{}
			switch {
			case strings.Contains(p.path, "/staff/"):
				body = map[string]any{"name": "Mallory", "staff_number": "X1"}
			case strings.Contains(p.path, "/modules/"):
				body = map[string]any{"title": "Mallory's module"}
			case strings.Contains(p.path, "/curricula/"):
				body = map[string]any{"title": "Mallory's", "audience": "all-staff"}
			case strings.HasSuffix(p.path, "/log"):
				body = map[string]any{"kind": "note", "text": "x"}
			case strings.Contains(p.path, "findings"):
				body = map[string]any{"title": "x"}
			case strings.Contains(p.path, "/participants"):
				body = map[string]any{"staff_id": pid}
			case strings.HasSuffix(p.path, "/start"), strings.HasSuffix(p.path, "/complete"):
				body = nil
			}
		}
		status, out := mc.do(p.method, p.path, body, "")
		if status != http.StatusNotFound {
			t.Errorf("%s %s from another organisation: %d %s", p.method, p.path, status, out)
		}
	}
	if p, err := sc.StaffMember(ctx, pid); err != nil || p.Name != "Rita Moreau" {
		t.Errorf("the person changed: %+v %v", p, err)
	}

	// Every training operation is in the OpenAPI document.
	doc, _ := json.Marshal(ap.OpenAPI("test"))
	for _, id := range []string{"getTrainingCoverage", "importStaff", "importTrainingResults", "assignTraining", "recordCompletion", "completeExercise"} {
		if !bytes.Contains(doc, []byte(`"operationId":"`+id+`"`)) {
			t.Errorf("OpenAPI lacks %s", id)
		}
	}
}
