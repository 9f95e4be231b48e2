package web_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/config"
	"github.com/vigil-med/vigil/internal/demo"
	"github.com/vigil-med/vigil/internal/demo/demotest"
	"github.com/vigil-med/vigil/internal/riskmgr"
	"github.com/vigil-med/vigil/internal/testutil"
)

// TestRiskPagesAndForms: the risk pages render on the demo without inline code; controls are recorded,
// reviewed and removed through the forms with field errors; a new weights version is published and
// refused when invalid or reused; the plan refuses bad inputs; an auditor may read but not change.
func TestRiskPagesAndForms(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC)
	cfg := config.Default()
	cfg.DataDir, _ = demotest.DataDirAt(t, now)
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
	b := procLogin(t, h, "ciso@nordstadt-hospital.example", demo.Password)
	for _, p := range []struct{ path, want string }{
		{"/risk", "Top risks"},
		{"/risk/legacy", "Legacy share by department"},
		{"/risk/controls", "overdue since"},
		{"/risk/weights", "nordstadt-2026.1"},
		{"/risk/plan", "Year 3"},
		{"/dashboard", `id="risk"`},
	} {
		w := b.get(p.path)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), p.want) {
			t.Errorf("GET %s: %d, want %q in the page", p.path, w.Code, p.want)
		}
		if m := inlineCode.FindString(w.Body.String()); m != "" {
			t.Errorf("GET %s has inline code %q", p.path, m)
		}
	}
	// A device's scored findings link to their pages (what matched on which component, the triage).
	org, err := a.Store.OrgByRef(context.Background(), demo.HospitalSlug)
	if err != nil {
		t.Fatal(err)
	}
	as, err := a.Risk.Assess(testutil.Ctx(org.ID), org.ID)
	if err != nil {
		t.Fatal(err)
	}
	var linked bool
	for _, ar := range as.Assets {
		for _, f := range ar.Findings {
			id, ok := strings.CutPrefix(f.FindingID, "F")
			if !ok || riskmgr.IsLegacyTerm(f) {
				continue
			}
			w := b.get(fmt.Sprintf("/risk/assets/%d", ar.Asset.ID))
			if !strings.Contains(w.Body.String(), `href="/vulnerabilities/findings/`+id+`"`) {
				t.Fatalf("risk of %s: no link to finding %s (%s)", ar.Asset.Tag, id, f.VulnerabilityID)
			}
			if w := b.get("/vulnerabilities/findings/" + id); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), f.VulnerabilityID) {
				t.Fatalf("GET /vulnerabilities/findings/%s: %d, want the finding of %s", id, w.Code, f.VulnerabilityID)
			}
			linked = true
			break
		}
		if linked {
			break
		}
	}
	if !linked {
		t.Fatal("no device of the demo has a scored finding")
	}
	if w := b.get("/risk/plan?years=0"); w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "1 to 20 years") {
		t.Errorf("plan with 0 years: %d", w.Code)
	}
	if w := b.get("/risk/plan/funding-case.pdf?years=2&budget_per_year=100000"); w.Code != http.StatusOK || !strings.HasPrefix(w.Body.String(), "%PDF-") {
		t.Errorf("funding case: %d %s", w.Code, w.Header().Get("Content-Type"))
	}

	// Controls: a field error, then a control recorded, reviewed and removed.
	if w := b.post("/risk/controls", url.Values{"asset": {"NUH-111854"}, "kind": {"firewall"}}); w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "say what the control is") {
		t.Errorf("control without description: %d", w.Code)
	}
	if w := b.post("/risk/controls", url.Values{"asset": {"NO-SUCH-TAG"}, "kind": {"firewall"}, "description": {"x"}}); w.Code != http.StatusUnprocessableEntity {
		t.Errorf("control for an unknown device: %d", w.Code)
	}
	w := b.post("/risk/controls", url.Values{"asset": {"NUH-111854"}, "kind": {"firewall"}, "description": {"Rule set CT-7"}, "owner": {"Network team"}, "review_due": {"2026-10-01"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("record control: %d %s", w.Code, w.Body)
	}
	ctx := context.Background()
	sc := a.Store.Scope(org.ID)
	cs, _ := sc.RiskControls(ctx)
	var id int64
	for _, c := range cs {
		if c.Description == "Rule set CT-7" {
			id = c.ID
			if !c.Overdue(now) {
				t.Error("a control due 2026-10-01 is overdue on 2026-11-28")
			}
		}
	}
	if id == 0 {
		t.Fatal("control not stored")
	}
	path := "/risk/controls/" + itoa(id)
	if w := b.post(path+"/review", url.Values{"review_due": {"2027-06-30"}}); w.Code != http.StatusSeeOther {
		t.Errorf("review: %d", w.Code)
	}
	if c, _ := sc.RiskControl(ctx, id); c.ReviewDue == nil || c.ReviewDue.Format(time.DateOnly) != "2027-06-30" {
		t.Errorf("review date: %v", c.ReviewDue)
	}
	if w := b.post(path+"/delete", url.Values{}); w.Code != http.StatusSeeOther {
		t.Errorf("delete: %d", w.Code)
	}

	// Weights: invalid and reused versions are refused with the field; a valid one becomes active.
	if w := b.post("/risk/weights", url.Values{"version": {"bad"}, "w.threat_floor": {"2"}}); w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "threat_floor") {
		t.Errorf("invalid weights: %d", w.Code)
	}
	if w := b.post("/risk/weights", url.Values{"version": {"nordstadt-2026.1"}}); w.Code != http.StatusUnprocessableEntity {
		t.Errorf("reused version: %d", w.Code)
	}
	if w := b.post("/risk/weights", url.Values{"version": {"nordstadt-2027.0"}, "w.exposure.clinical-lan": {"much"}}); w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "not a number") {
		t.Errorf("a value that is not a number: %d", w.Code)
	}
	if w := b.post("/risk/weights", url.Values{"version": {"nordstadt-2027.1"}, "note": {"board decision"}, "w.exposure.clinical-lan": {"0,6"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("publish weights: %d %s", w.Code, w.Body)
	}
	active, err := a.Risk.Weights(ctx, org.ID)
	if err != nil || active.Version != "nordstadt-2027.1" || active.Exposure["clinical-lan"] != 0.6 {
		t.Errorf("active weights: %v %s %v", err, active.Version, active.Exposure)
	}

	// Plan inputs: a must-stay mark (refused for an unknown device), a group, an end-of-support record.
	if w := b.post("/risk/keeps", url.Values{"asset": {"NO-SUCH"}, "reason": {"x"}}); w.Code != http.StatusSeeOther || !strings.Contains(w.Header().Get("Set-Cookie"), "flash") {
		t.Errorf("keep for an unknown device: %d %v", w.Code, w.Header())
	}
	if w := b.post("/risk/keeps", url.Values{"asset": {"NUH-111854"}, "reason": {"trial until spring"}, "until": {"2027-03-31"}}); w.Code != http.StatusSeeOther {
		t.Errorf("keep: %d", w.Code)
	}
	keeps, _ := sc.RiskKeeps(ctx)
	groupsBefore, _ := sc.RiskGroups(ctx)
	products, _ := sc.RiskAssets(ctx)
	if w := b.post("/risk/groups", url.Values{"name": {"CT pair"}, "product_id": {itoa(products[0].ProductID), itoa(products[len(products)-1].ProductID)}}); w.Code != http.StatusSeeOther {
		t.Errorf("group: %d", w.Code)
	}
	if w := b.post("/risk/support", url.Values{"product_id": {itoa(products[0].ProductID)}, "component": {"OpenSSL 1.0.2"}, "end_of_support": {"2019-12-31"}, "source": {"mds2"}}); w.Code != http.StatusSeeOther {
		t.Errorf("support: %d", w.Code)
	}
	groups, _ := sc.RiskGroups(ctx)
	sups, _ := sc.RiskSupports(ctx)
	found := false
	for _, sp := range sups {
		found = found || sp.Component == "OpenSSL 1.0.2" && sp.Source == "mds2" && sp.ProductID == products[0].ProductID
	}
	if len(keeps) != 3 || len(groups) != len(groupsBefore)+1 || !found {
		t.Errorf("plan inputs: %d keeps, %d groups, support recorded %v", len(keeps), len(groups), found)
	}
	if w := b.get("/risk/legacy"); !strings.Contains(w.Body.String(), "OpenSSL 1.0.2") {
		t.Error("legacy page lacks the new end-of-support record")
	}

	// An auditor reads but cannot change.
	aud := procLogin(t, h, "auditor@nordstadt-hospital.example", demo.Password)
	if w := aud.get("/risk/controls"); w.Code != http.StatusOK || strings.Contains(w.Body.String(), "Record a control") {
		t.Errorf("auditor's controls page: %d", w.Code)
	}
	if w := aud.post("/risk/controls", url.Values{"asset": {"NUH-111854"}, "kind": {"firewall"}, "description": {"x"}}); w.Code != http.StatusForbidden {
		t.Errorf("auditor records a control: %d", w.Code)
	}
}
