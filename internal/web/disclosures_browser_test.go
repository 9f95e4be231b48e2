package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/vigil-med/vigil/internal/demo"
	"github.com/vigil-med/vigil/internal/testutil"
)

// TestBrowserDisclosures drives Chromium through the disclosures pages with the demo data: the
// overview, a fleet search for a component, an SBOM and its changes, an MDS2 form and a comparison, an
// advisory, and a mapping made in the queue. Screenshots are kept as test artefacts.
func TestBrowserDisclosures(t *testing.T) {
	ctx := testutil.Browser(t)
	base := sharedDemo(t)
	step(t, ctx, "sign in",
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "ciso@nordstadt-hospital.example"),
		chromedp.SendKeys(chromedp.CSS("#password"), demo.Password),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("nav#sidenav")),
	)
	for _, p := range []struct{ name, path, h1 string }{
		{"1-overview", "/disclosures/overview", "Disclosures"},
		{"2-where-is", "/disclosures/components?q=log4j-core", "Where is this component?"},
		{"3-sboms", "/disclosures/sboms", "SBOMs"},
		{"5-mds2-list", "/disclosures/mds2", "MDS2 forms"},
		{"8-advisories", "/disclosures/advisories", "Advisories"},
		{"10-mapping-queue", "/disclosures/mapping", "Mapping queue"},
		{"11-vex", "/disclosures/vex", "VEX statements"},
		{"12-upload", "/import/disclosures", "Upload disclosures"},
	} {
		step(t, ctx, "open "+p.path, chromedp.Navigate(base+p.path), chromedp.WaitVisible(chromedp.CSS("main h1")))
		if h1 := text(t, ctx, "main h1"); h1 != p.h1 {
			t.Errorf("%s: heading %q", p.path, h1)
		}
		if p.name == "10-mapping-queue" {
			discViewport(t, ctx, p.name)
		} else {
			testutil.Screenshot(t, ctx, p.name)
		}
	}
	step(t, ctx, "open an SBOM", chromedp.Navigate(base+"/disclosures/sboms"), chromedp.Click(chromedp.CSS(`main table a[href^="/disclosures/sboms/"]`)),
		chromedp.WaitVisible(chromedp.CSS("#c-h")))
	testutil.Screenshot(t, ctx, "4-sbom")
	step(t, ctx, "compare two MDS2 forms", chromedp.Navigate(base+"/disclosures/mds2"),
		chromedp.Click(chromedp.CSS(`main tbody tr:nth-child(1) input[name=ids]`)),
		chromedp.Click(chromedp.CSS(`main tbody tr:nth-child(2) input[name=ids]`)),
		chromedp.Click(chromedp.CSS(`form[action="/disclosures/mds2/compare"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("tr.diff")))
	discViewport(t, ctx, "6-mds2-compare")
	step(t, ctx, "open an MDS2 form", chromedp.Navigate(base+"/disclosures/mds2"), chromedp.Click(chromedp.CSS(`main tbody tr a[href^="/disclosures/mds2/"]`)),
		chromedp.WaitVisible(chromedp.CSS("details#DOC")))
	discViewport(t, ctx, "7-mds2-form")
	step(t, ctx, "open an advisory", chromedp.Navigate(base+"/disclosures/advisories?q=ICSMA-19-164-01"),
		chromedp.Click(chromedp.CSS(`main tbody a[href^="/disclosures/advisories/"]`)), chromedp.WaitVisible(chromedp.CSS("#v-h")))
	testutil.Screenshot(t, ctx, "9-advisory")
	step(t, ctx, "open a covered version", chromedp.Click(chromedp.CSS(`main a[href^="/inventory/versions/"]`)), chromedp.WaitVisible(chromedp.CSS("#disclosures")))
	testutil.Screenshot(t, ctx, "9b-version-card")

	// Map a product from the queue: BD's "Alaris 8000 PC unit" is the inventory's Alaris PC Unit.
	step(t, ctx, "find the product in the queue", chromedp.Navigate(base+"/disclosures/mapping?q=alaris+8000"), chromedp.WaitVisible(chromedp.CSS(`select[name=product_id]`)))
	id := eval[string](t, ctx, `Array.from(document.querySelector("select[name=product_id]").options).find(o => o.text.includes("Alaris PC Unit Model 8015")).value`)
	step(t, ctx, "map it", chromedp.SetValue(chromedp.CSS(`select[name=product_id]`), id),
		chromedp.Click(chromedp.CSS(`form[action$="/map"] button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".flash-ok")))
	if msg := text(t, ctx, ".flash-ok"); !strings.Contains(msg, "Mapped and remembered") {
		t.Errorf("after mapping: %q", msg)
	}
	step(t, ctx, "see the rule", chromedp.Navigate(base+"/disclosures/mapping/rules"), chromedp.WaitVisible(chromedp.CSS("main table")))
	if body := text(t, ctx, "main table"); !strings.Contains(body, "Alaris 8000 PC unit") {
		t.Errorf("the mapping was not remembered: %s", body)
	}
	testutil.Screenshot(t, ctx, "13-rules")
}

// discViewport keeps a screenshot of the visible part of a long page.
func discViewport(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(testutil.Artifacts(t), name+".png"), buf, 0o644); err != nil {
		t.Fatal(err)
	}
}
