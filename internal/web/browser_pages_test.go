package web_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/demo"
	"github.com/vigil-med/vigil/internal/testutil"
)

// Tablet is the width at which every page must still read well (an iPad in portrait).
const browserTabletWidth, browserTabletHeight = 768, 1024

// browserSignIn signs a demo user in through the sign-in form and waits for the dashboard.
func browserSignIn(t *testing.T, ctx context.Context, base, email string) {
	t.Helper()
	step(t, ctx, "sign in as "+email,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), demo.Password),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("nav#sidenav")),
	)
}

// browserViewport sets the browser window's size.
func browserViewport(t *testing.T, ctx context.Context, w, h int64) {
	t.Helper()
	step(t, ctx, fmt.Sprintf("viewport %d×%d", w, h), chromedp.EmulateViewport(w, h))
}

// browserVisit opens a page, waits for sel and returns the text of the page's h1.
func browserVisit(t *testing.T, ctx context.Context, url, sel string) string {
	t.Helper()
	step(t, ctx, "open "+url, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(sel)))
	return text(t, ctx, "main h1")
}

// browserOverflow lists the elements of main that stick out to the right of the viewport (a layout fault on
// narrow screens: tables and grids must wrap or scroll inside their card).
func browserOverflow(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return eval[[]string](t, ctx, `(() => {
		const w = document.documentElement.clientWidth, out = [];
		for (const el of document.querySelectorAll("main *")) {
			const r = el.getBoundingClientRect();
			if (r.width === 0 || r.right <= w + 1) continue;
			let clipped = false;
			for (let p = el.parentElement; p && p.tagName !== "MAIN"; p = p.parentElement) {
				const s = getComputedStyle(p);
				if (s.overflowX === "auto" || s.overflowX === "scroll" || s.overflowX === "hidden") { clipped = true; break; }
			}
			if (!clipped) out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : "") + " right=" + Math.round(r.right));
		}
		return out.slice(0, 10);
	})()`)
}

func browserNoOverflow(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	if o := browserOverflow(t, ctx); len(o) > 0 {
		t.Errorf("%s: elements stick out of the viewport: %s", what, strings.Join(o, "; "))
	}
}

// TestBrowserDashboard: the security officer's dashboard with the demo data, at desktop and tablet
// width: most urgent first (reporting deadlines, then missed commitments, then the inventory), the
// training card, nothing sticking out.
func TestBrowserDashboard(t *testing.T) {
	ctx := testutil.Browser(t)
	base := serveDemo(t)
	browserSignIn(t, ctx, base, "ciso@nordstadt-hospital.example")
	for _, vp := range []struct {
		name string
		w, h int64
	}{{"desktop", 1280, 900}, {"tablet", browserTabletWidth, browserTabletHeight}} {
		browserViewport(t, ctx, vp.w, vp.h)
		if h1 := browserVisit(t, ctx, base+"/dashboard", "main h1"); h1 != "Dashboard" {
			t.Fatalf("dashboard h1 %q", h1)
		}
		testutil.Screenshot(t, ctx, "dashboard-"+vp.name)
		browserNoOverflow(t, ctx, "dashboard at "+vp.name+" width")
	}
	// Most urgent first: clocks, then missed commitments, then the inventory, training and accounts.
	order := eval[[]string](t, ctx, `Array.from(document.querySelectorAll("main section.card")).map(s => s.id)`)
	if diff := cmp.Diff([]string{"deadlines", "procurement", "inventory", "training", "accounts", "recent"}, order); diff != "" {
		t.Errorf("dashboard cards (-want +got):\n%s", diff)
	}
	board := text(t, ctx, `#training a[href="/training/board"] .kpi-value`)
	if !regexp.MustCompile(`^\d of 4$`).MatchString(board) { // the demo's board has four members
		t.Errorf("board training on the dashboard: %q", board)
	}
	if !strings.Contains(eval[string](t, ctx, `document.querySelector("#procurement").className`), "attention") {
		t.Error("missed commitments do not mark the procurement card")
	}
}
