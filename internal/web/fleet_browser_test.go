package web_test

import (
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/testutil"
)

// TestBrowserVulnerabilities: the findings list with the demo data (filters, reason sentences), a
// finding with its triage, and a device's findings, at desktop and tablet width with nothing sticking
// out.
func TestBrowserVulnerabilities(t *testing.T) {
	ctx := testutil.Browser(t)
	base := serveDemo(t)
	browserSignIn(t, ctx, base, "ciso@nordstadt-hospital.example")
	if h1 := browserPage(t, ctx, base+"/vulnerabilities", "#findings tbody tr", "vulnerabilities"); h1 != "Vulnerabilities" {
		t.Errorf("findings list h1 %q", h1)
	}
	rows := eval[int](t, ctx, `document.querySelectorAll("#findings tbody tr").length`)
	if rows < 10 {
		t.Errorf("findings list shows %d rows", rows)
	}
	for _, sel := range []string{"#severity", "#state", "#manufacturer_id", "#department_id", "#min_epss", `input[name=kev]`} {
		if eval[int](t, ctx, `document.querySelectorAll("`+strings.ReplaceAll(sel, `"`, `\"`)+`").length`) != 1 {
			t.Errorf("filter %s missing", sel)
		}
	}
	reason := text(t, ctx, "#findings tbody tr td.clip")
	if reason == "" {
		t.Error("the first finding shows no reason")
	}
	// Known exploited only.
	browserPage(t, ctx, base+"/vulnerabilities?kev=1", "#findings tbody tr", "vulnerabilities-kev")
	if n := eval[int](t, ctx, `document.querySelectorAll("#findings tbody .badge.kev").length`); n == 0 {
		t.Error("the KEV filter shows no KEV badge")
	}
	// A triaged finding with its reason, form and history.
	browserPage(t, ctx, base+"/vulnerabilities?state=risk_accepted", "#findings tbody tr", "vulnerabilities-accepted")
	f := firstLink(t, ctx, `#findings tbody a[href^="/vulnerabilities/findings/"]`)
	browserPage(t, ctx, base+f, "#reason", "finding")
	if r := text(t, ctx, "#reason"); len(r) < 20 {
		t.Errorf("finding reason %q", r)
	}
	if h := text(t, ctx, "#history"); !strings.Contains(h, "risk_accepted") {
		t.Errorf("history %q", h)
	}
	if eval[int](t, ctx, `document.querySelectorAll("form[action$='/triage'] select[name=state]").length`) != 1 {
		t.Error("no triage form for the security officer")
	}
	// A device of that product version shows its findings.
	pv := firstLink(t, ctx, `main a[href^="/inventory/versions/"]`)
	browserPage(t, ctx, base+pv, "#findings", "version-findings")
	browserVisit(t, ctx, base+"/inventory/assets?product_version_id="+strings.TrimPrefix(pv, "/inventory/versions/"), "table.data tbody tr")
	dev := firstLink(t, ctx, `table.data tbody a[href^="/inventory/assets/"]`)
	browserPage(t, ctx, base+dev, "#findings", "device-findings")
	if n := eval[int](t, ctx, `document.querySelectorAll("#findings tbody tr").length`); n == 0 {
		t.Error("the device shows no findings")
	}
}
