package web_test

import (
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/testutil"
)

// TestBrowserRisk: the risk overview with its trend charts, a device's factors, the legacy register,
// the controls with the overdue review, the weights editor, the replacement plan with its burn-down
// and the funding case, and the dashboard's risk card, on the demo hospital at desktop and tablet width.
func TestBrowserRisk(t *testing.T) {
	ctx := testutil.Browser(t)
	base := sharedDemo(t)
	browserSignIn(t, ctx, base, "ciso@nordstadt-hospital.example")

	browserPage(t, ctx, base+"/risk", "table.data", "risk-overview")
	if n := eval[int](t, ctx, `document.querySelectorAll("#trend-h ~ figure svg, .dashchart svg, figure svg").length`); n < 3 {
		t.Errorf("risk overview shows %d charts, want the total, department and manufacturer trends", n)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("table.data tbody tr a[href^='/risk/assets/']").length`); n < 10 {
		t.Errorf("top risks lists %d devices", n)
	}
	asset := firstLink(t, ctx, `table.data tbody a[href^='/risk/assets/']`)
	browserPage(t, ctx, base+asset, "table.data", "risk-asset")
	if body := eval[string](t, ctx, `document.body.innerText`); !strings.Contains(body, "vigil-risk/1") || !strings.Contains(body, "Exposure") {
		t.Errorf("device risk page does not explain the factors: %.400s", body)
	}

	browserPage(t, ctx, base+"/risk/legacy", "table.data", "risk-legacy")
	if body := eval[string](t, ctx, `document.body.innerText`); !strings.Contains(body, "Windows XP") || !strings.Contains(body, "review overdue") || !strings.Contains(body, "must stay") {
		t.Errorf("legacy register lacks Windows XP devices, the overdue review or the must-stay device: %.300s", body)
	}
	browserPage(t, ctx, base+"/risk/controls", "table.data", "risk-controls")
	if n := eval[int](t, ctx, `document.querySelectorAll("table.data .badge.bad").length`); n == 0 {
		t.Error("no overdue control review is flagged")
	}
	browserPage(t, ctx, base+"/risk/weights", "table.data", "risk-weights")
	if body := eval[string](t, ctx, `document.body.innerText`); !strings.Contains(body, "nordstadt-2026.1") || !strings.Contains(body, "nordstadt-2025.2") {
		t.Error("weights page lacks the demo's two versions")
	}

	browserPage(t, ctx, base+"/risk/plan?budget_per_year=250000&years=3", "figure svg", "risk-plan")
	if n := eval[int](t, ctx, `document.querySelectorAll("section[aria-labelledby^='py-']").length`); n != 3 {
		t.Errorf("plan shows %d years, want 3", n)
	}
	pdf := eval[string](t, ctx, `(() => { const x = new XMLHttpRequest(); x.open("GET", "/risk/plan/funding-case.pdf?budget_per_year=250000&years=3", false); x.send(); return x.status + " " + x.getResponseHeader("content-type") + " " + x.responseText.length; })()`)
	if !strings.HasPrefix(pdf, "200 application/pdf") {
		t.Errorf("funding case download: %s", pdf)
	}

	browserVisit(t, ctx, base+"/dashboard", "#risk")
	testutil.Screenshot(t, ctx, "risk-dashboard-card")
	if card := text(t, ctx, "#risk"); !strings.Contains(card, "past end of support") || !strings.Contains(card, "control reviews overdue") {
		t.Errorf("dashboard risk card: %s", card)
	}
}
