package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/config"
	"github.com/vigil-med/vigil/internal/demo"
	"github.com/vigil-med/vigil/internal/demo/demotest"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/risk"
)

// TestRiskAPI: devices by risk with their factors, the legacy register, controls (field errors,
// create, overdue filter), weights versions, the plan within budget and the funding case, and the
// permissions of an auditor.
func TestRiskAPI(t *testing.T) {
	cfg := config.Default()
	cfg.DataDir, _ = demotest.DataDir(t)
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	h, _, err := a.Handler(ctx)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	hospital, _ := a.Store.OrgByRef(ctx, demo.HospitalSlug)
	hc := apiClient{t, srv.URL + "/api/v1", token(t, a.Store, hospital, domain.RoleSecurityOfficer)}
	auditor := apiClient{t, srv.URL + "/api/v1", token(t, a.Store, hospital, domain.RoleAuditor)}

	status, body := hc.do("GET", "/risk/assets?top=5", nil, "")
	var top []struct {
		ID             int64   `json:"id"`
		Score          float64 `json:"score"`
		Why            string  `json:"why"`
		WeightsVersion string  `json:"weights_version"`
		FormulaVersion string  `json:"formula_version"`
	}
	if status != 200 || json.Unmarshal(body, &top) != nil || len(top) != 5 || top[0].Score < top[4].Score || top[0].FormulaVersion != risk.FormulaVersion || top[0].WeightsVersion != "nordstadt-2026.1" {
		t.Fatalf("top risks: %d %.300s", status, body)
	}
	status, body = hc.do("GET", "/risk/assets/"+itoa(top[0].ID), nil, "")
	if status != 200 || !strings.Contains(string(body), `"factors"`) || !strings.Contains(string(body), `"legacy"`) {
		t.Errorf("device risk: %d %.300s", status, body)
	}
	status, body = hc.do("GET", "/legacy", nil, "")
	if status != 200 || !strings.Contains(string(body), "Windows XP") || !strings.Contains(string(body), `"compensation"`) {
		t.Errorf("legacy register: %d", status)
	}

	status, body = hc.do("POST", "/risk/controls", map[string]any{"asset_id": top[0].ID, "kind": "prayer", "description": "x"}, "")
	if status != 400 || !strings.Contains(string(body), "kind") {
		t.Errorf("unknown control kind: %d %s", status, body)
	}
	status, body = hc.do("POST", "/risk/controls", map[string]any{"asset_id": top[0].ID, "kind": "segmentation", "description": "VLAN 300",
		"owner": "Network team", "review_due": "2020-01-01T00:00:00Z"}, "")
	if status != 201 {
		t.Fatalf("create control: %d %s", status, body)
	}
	status, body = hc.do("GET", "/risk/controls?overdue=true", nil, "")
	if status != 200 || !strings.Contains(string(body), "VLAN 300") {
		t.Errorf("overdue controls: %d %.300s", status, body)
	}

	w := risk.DefaultWeights()
	w.Version = "api-2027.1"
	if status, body = hc.do("POST", "/risk/weights", map[string]any{"weights": w, "note": "from the API"}, ""); status != 201 {
		t.Errorf("publish weights: %d %s", status, body)
	}
	if status, _ = hc.do("POST", "/risk/weights", map[string]any{"weights": w}, ""); status != 400 {
		t.Errorf("reused weights version: %d", status)
	}
	status, body = hc.do("GET", "/risk/weights", nil, "")
	if status != 200 || !strings.Contains(string(body), `"version":"api-2027.1"`) || !strings.Contains(string(body), "nordstadt-2025.2") {
		t.Errorf("weights: %d %.300s", status, body)
	}

	status, body = hc.do("POST", "/plan/replacement", map[string]any{"years": 3, "budget_per_year": 250000}, "")
	var plan struct {
		Years []struct {
			Spend float64 `json:"spend"`
			Items []struct {
				Asset string `json:"asset"`
				Why   string `json:"why"`
			} `json:"items"`
		} `json:"years"`
		RiskBefore float64 `json:"risk_before"`
		RiskAfter  float64 `json:"risk_after"`
	}
	if status != 200 || json.Unmarshal(body, &plan) != nil || len(plan.Years) != 3 || plan.RiskAfter >= plan.RiskBefore {
		t.Fatalf("plan: %d %.300s", status, body)
	}
	for _, y := range plan.Years {
		if y.Spend > 250000 || len(y.Items) == 0 || y.Items[0].Asset == "" || y.Items[0].Why == "" {
			t.Errorf("plan year: %+v", y.Spend)
		}
	}
	if status, body = hc.do("POST", "/plan/replacement", map[string]any{"years": 3}, ""); status != 400 || !strings.Contains(string(body), "budget_per_year") {
		t.Errorf("plan without budget: %d %s", status, body)
	}
	if status, body = auditor.do("GET", "/plan/replacement/funding-case.pdf?years=2", nil, ""); status != 200 || !strings.HasPrefix(string(body), "%PDF-") {
		t.Errorf("funding case: %d", status)
	}
	if status, _ = auditor.do("POST", "/risk/controls", map[string]any{"asset_id": top[0].ID, "kind": "firewall", "description": "x"}, ""); status != 403 {
		t.Errorf("auditor creates a control: %d", status)
	}
}
