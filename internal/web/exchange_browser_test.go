package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/vigil-med/vigil/internal/testutil"
)

// TestBrowserExchange drives Chromium through the manufacturer's side with the demo data: the list of
// published advisories, an advisory with its validation, the editor refusing a draft without affected
// versions (inline error), and the public product security page; then the hospital's subscriptions and
// the devices the received advisory affects. Each page at desktop and tablet width, nothing sticking out.
func TestBrowserExchange(t *testing.T) {
	ctx := testutil.Browser(t)
	base := serveDemo(t)
	browserSignIn(t, ctx, base, "psirt@meridian-medical.example")
	if h1 := browserPage(t, ctx, base+"/publish/advisories", "main table", "exchange-advisories"); h1 != "Advisories we publish" {
		t.Errorf("advisories h1 %q", h1)
	}
	browserVisit(t, ctx, base+"/publish/advisories?q=MMS-SA-2026-001", "main table")
	adv := firstLink(t, ctx, `main tbody a[href^="/publish/advisories/"]`)
	browserPage(t, ctx, base+adv, "#val-h", "exchange-advisory")
	if v := text(t, ctx, "main"); !strings.Contains(v, "valid CSAF 2.0") || !strings.Contains(v, "published version 1") {
		t.Errorf("advisory page: %.400s", v)
	}
	browserPage(t, ctx, base+"/publish/advisories/new", "#advisory-form", "exchange-editor")
	step(t, ctx, "submit a draft without affected versions",
		chromedp.SendKeys(chromedp.CSS("#a-tracking"), "MMS-SA-2026-099"),
		chromedp.SendKeys(chromedp.CSS("#a-title"), "Test draft"),
		chromedp.SendKeys(chromedp.CSS("#a-summary"), "Summary"),
		chromedp.SendKeys(chromedp.CSS("#a-rem"), "Update."),
		chromedp.Click(chromedp.CSS(`#advisory-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".fielderr")))
	if msg := text(t, ctx, ".fielderr"); !strings.Contains(msg, "affected product version") {
		t.Errorf("editor error: %q", msg)
	}
	testutil.Screenshot(t, ctx, "exchange-editor-error")
	browserPage(t, ctx, base+"/publish/products", "main h1", "exchange-products")
	browserPage(t, ctx, base+"/publish/provider", "#tok-h", "exchange-provider")

	browserPage(t, ctx, base+"/exchange/meridian/products", "main h1", "exchange-public-index")
	prod := firstLink(t, ctx, `main a[href^="/exchange/meridian/products/"]`)
	if h1 := browserPage(t, ctx, base+prod, "#adv-h", "exchange-public-product"); h1 != "VitaFlow 300" {
		t.Errorf("public product h1 %q", h1)
	}
	if v := text(t, ctx, "main"); !strings.Contains(v, "MMS-SA-2026-001") || !strings.Contains(v, "Ports and services") {
		t.Errorf("public product page: %.400s", v)
	}

	step(t, ctx, "sign out", func(c context.Context, _ *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Call(c, network.ClearBrowserCookies, cdp.Empty{})
		return chromedp.Void{}, err
	})
	browserSignIn(t, ctx, base, "ciso@nordstadt-hospital.example")
	browserPage(t, ctx, base+"/subscriptions", "#recv-h", "exchange-subscriptions")
	affected := firstLink(t, ctx, `main a[href^="/subscriptions/advisories/"]`)
	browserPage(t, ctx, base+affected, "main table", "exchange-affected")
	if n := eval[int](t, ctx, `document.querySelectorAll("main tbody tr").length`); n != 3 {
		t.Errorf("affected devices listed: %d, want 3", n)
	}
	browserPage(t, ctx, base+"/questions", "main h1", "exchange-questions")
}
