package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRiskCommandsOnDemo: the replacement plan's JSON has the shape the issue names and stays within
// budget; the legacy register, controls, risk list and weights answer on the demo hospital.
func TestRiskCommandsOnDemo(t *testing.T) {
	dir := demoDir(t)
	pdfFile := filepath.Join(t.TempDir(), "funding.pdf")
	code, out, errs := run(t, "plan", "replacement", "--budget-per-year", "250000", "--years", "3", "--json", "--pdf", pdfFile, "--data-dir", dir, "--log-level", "error")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Years []struct {
			Year        int              `json:"year"`
			Spend       *float64         `json:"spend"`
			RiskRemoved *float64         `json:"risk_removed"`
			Items       []map[string]any `json:"items"`
		} `json:"years"`
		RiskBefore *float64 `json:"risk_before"`
		RiskAfter  *float64 `json:"risk_after"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%.300s", err, out)
	}
	if len(doc.Years) != 3 || doc.RiskBefore == nil || doc.RiskAfter == nil || !(*doc.RiskAfter < *doc.RiskBefore) {
		t.Fatalf("plan: %d years, before %v after %v", len(doc.Years), doc.RiskBefore, doc.RiskAfter)
	}
	for i, y := range doc.Years {
		if y.Year != i+1 || y.Spend == nil || *y.Spend > 250000 || y.RiskRemoved == nil || len(y.Items) == 0 {
			t.Errorf("year %d: %+v", i+1, y)
		}
		for _, it := range y.Items {
			_, asset := it["asset"]
			_, product := it["product"]
			if !asset && !product || it["cost"] == nil || it["risk_removed"] == nil || it["why"] == "" {
				t.Errorf("item %v lacks asset/product, cost, risk_removed or why", it)
			}
		}
	}
	if b, err := os.ReadFile(pdfFile); err != nil || !strings.HasPrefix(string(b), "%PDF-") {
		t.Errorf("funding case: %v", err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"legacy", "list", "--ended"}, "Windows XP"},
		{[]string{"risk", "controls", "--overdue"}, "OVERDUE"},
		{[]string{"risk", "show", "--top", "5"}, "vigil-risk/1"},
		{[]string{"risk", "weights"}, "nordstadt-2026.1"},
	} {
		args, want := c.args, c.want
		code, out, errs := run(t, append(args, "--data-dir", dir, "--log-level", "error")...)
		if code != 0 {
			t.Errorf("%v: exit %d: %s", args, code, errs)
		}
		if !strings.Contains(out, want) {
			t.Errorf("%v: output lacks %q:\n%.500s", args, want, out)
		}
	}
	if code, _, errs := run(t, "plan", "replacement", "--years", "3", "--data-dir", dir, "--log-level", "error"); code == 0 || !strings.Contains(errs, "budget_per_year") {
		t.Errorf("a plan without a budget: exit %d, %s", code, errs)
	}
}
