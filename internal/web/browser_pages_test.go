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
		chromedp.EmulateViewport(1280, 900), // the side navigation is hidden on narrow screens
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
	base := sharedDemo(t)
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
	// Most urgent first: clocks, findings, missed commitments, then the inventory, risk, training and accounts.
	order := eval[[]string](t, ctx, `Array.from(document.querySelectorAll("main section.card")).map(s => s.id)`)
	if diff := cmp.Diff([]string{"deadlines", "vulnerabilities", "procurement", "inventory", "risk", "training", "accounts", "recent"}, order); diff != "" {
		t.Errorf("dashboard cards (-want +got):\n%s", diff)
	}
	if kev := text(t, ctx, `#vulnerabilities a[href="/vulnerabilities?kev=1"] .kpi-value`); !regexp.MustCompile(`^\d+$`).MatchString(kev) {
		t.Errorf("KEV findings on the dashboard: %q", kev)
	}
	board := text(t, ctx, `#training a[href="/training/board"] .kpi-value`)
	if !regexp.MustCompile(`^\d of 4$`).MatchString(board) { // the demo's board has four members
		t.Errorf("board training on the dashboard: %q", board)
	}
	if !strings.Contains(eval[string](t, ctx, `document.querySelector("#procurement").className`), "attention") {
		t.Error("missed commitments do not mark the procurement card")
	}
}

// browserPage loads a page at desktop and tablet width, checks that sel is visible, keeps a screenshot
// of each (name-desktop.png, name-tablet.png) and that nothing sticks out of the viewport. It returns
// the page's h1.
func browserPage(t *testing.T, ctx context.Context, url, sel, name string) string {
	t.Helper()
	var h1 string
	for _, vp := range []struct {
		name string
		w, h int64
	}{{"desktop", 1280, 900}, {"tablet", browserTabletWidth, browserTabletHeight}} {
		browserViewport(t, ctx, vp.w, vp.h)
		h1 = browserVisit(t, ctx, url, sel)
		testutil.Screenshot(t, ctx, name+"-"+vp.name)
		browserNoOverflow(t, ctx, name+" at "+vp.name+" width")
	}
	return h1
}

// demoID returns the id of the first row of a query on the demo data (through the running server's
// API would need a token; the pages link to the ids, so the test follows a link instead).
func firstLink(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	href := eval[string](t, ctx, `(() => { const a = document.querySelector(`+"`"+sel+"`"+`); return a ? a.getAttribute("href") : ""; })()`)
	if href == "" {
		testutil.Screenshot(t, ctx, "no-link")
		t.Fatalf("no link %s on %s", sel, eval[string](t, ctx, "location.pathname"))
	}
	return href
}

// TestBrowserInventory: the device list with the demo's 6,700 devices, and a device's page.
func TestBrowserInventory(t *testing.T) {
	ctx := testutil.Browser(t)
	base := sharedDemo(t)
	browserSignIn(t, ctx, base, "biomed@nordstadt-hospital.example")
	if h1 := browserPage(t, ctx, base+"/inventory/assets", "table.data tbody tr", "devices"); h1 != "Devices" {
		t.Errorf("device list h1 %q", h1)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("table.data tbody tr").length`); n < 20 {
		t.Errorf("device list shows %d rows", n)
	}
	dev := firstLink(t, ctx, `table.data tbody a[href^="/inventory/assets/"]`)
	h1 := browserPage(t, ctx, base+dev, "#place-h", "device")
	if !strings.HasPrefix(h1, "NUH-") {
		t.Errorf("device page h1 %q", h1)
	}
	if z := text(t, ctx, "#place-h"); z != "Place and network" {
		t.Errorf("device page section %q", z)
	}
}

// TestBrowserIncident: the open ransomware incident with its clocks, linked devices and timeline.
func TestBrowserIncident(t *testing.T) {
	ctx := testutil.Browser(t)
	base := sharedDemo(t)
	browserSignIn(t, ctx, base, "ciso@nordstadt-hospital.example")
	browserVisit(t, ctx, base+"/incidents", "table.data")
	inc := firstLink(t, ctx, `table.data tbody a[href^="/incidents/"]`)
	h1 := browserPage(t, ctx, base+inc, "#devices", "incident")
	if !strings.Contains(h1, "Ransomware suspected on a CT reporting workstation") {
		t.Errorf("incident h1 %q", h1)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("#devices tbody tr").length`); n != 2 {
		t.Errorf("%d linked devices shown, want the workstation and the CT", n)
	}
	if top := text(t, ctx, ".urgent-title"); top != "NIS2 early warning" {
		t.Errorf("most urgent clock %q", top)
	}
}

// TestBrowserRegulation: the open Art 21 assessment with automatic evidence, and the public scope
// check without signing in.
func TestBrowserRegulation(t *testing.T) {
	ctx := testutil.Browser(t)
	base := sharedDemo(t)
	browserViewport(t, ctx, 1280, 900)
	h1 := browserPage(t, ctx, base+"/nis2?entity_type=healthcare-provider&employees=300&turnover=40000000&balance=30000000&country=DE", "main h1", "nis2-public")
	if h1 == "" {
		t.Error("public scope page without a heading")
	}
	if got := eval[string](t, ctx, `document.body.innerText`); !strings.Contains(got, "Essential entity") && !strings.Contains(got, "essential") {
		t.Errorf("public scope page does not give the answer")
	}
	browserSignIn(t, ctx, base, "auditor@nordstadt-hospital.example")
	browserVisit(t, ctx, base+"/regulation/assessments", "table.data")
	a := firstLink(t, ctx, `table.data tbody a[href^="/regulation/assessments/"]`)
	browserPage(t, ctx, base+a, "#auto-h", "assessment")
	if n := eval[int](t, ctx, `document.querySelectorAll(".autoev-ok").length`); n < 4 {
		t.Errorf("%d kinds of automatic evidence with figures, want at least 4", n)
	}
}

// TestBrowserTraining: the training overview with its charts and the departments lagging first.
func TestBrowserTraining(t *testing.T) {
	ctx := testutil.Browser(t)
	base := sharedDemo(t)
	browserSignIn(t, ctx, base, "dpo@nordstadt-hospital.example")
	if h1 := browserPage(t, ctx, base+"/training/overview", "#dept-h", "training-overview"); h1 != "Training overview" {
		t.Errorf("training overview h1 %q", h1)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("svg.chart").length`); n < 2 {
		t.Errorf("%d charts on the training overview", n)
	}
}

// TestBrowserProcurement: the side-by-side comparison of the infusion-pump tender.
func TestBrowserProcurement(t *testing.T) {
	ctx := testutil.Browser(t)
	base := sharedDemo(t)
	browserSignIn(t, ctx, base, "procurement@nordstadt-hospital.example")
	browserVisit(t, ctx, base+"/procurement/tenders", "table.data")
	// The infusion-pump tender: three vendors whose MDS2 answers differ.
	tender := eval[string](t, ctx, `Array.from(document.querySelectorAll("table.data tbody tr")).find(tr => tr.textContent.includes("nfusion")).querySelector("a").getAttribute("href")`)
	browserPage(t, ctx, base+tender+"/compare", "table.matrix", "comparison")
	if n := eval[int](t, ctx, `document.querySelectorAll("table.matrix thead th").length`); n != 5 {
		t.Errorf("comparison with %d header cells, want requirement, weight and three vendors", n)
	}
}
