package web_test

import (
	"context"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/config"
	"github.com/vigil-med/vigil/internal/demo"
	"github.com/vigil-med/vigil/internal/demo/demotest"
	"github.com/vigil-med/vigil/internal/testutil"
)

// sharedDemo returns the URL of a demo server that the read-only browser tests share: loading the demo and
// starting the server once saves seconds per test. Tests that change data (MFA enrolment, forms) use
// serveDemo for a server of their own.
func sharedDemo(t *testing.T) string {
	t.Helper()
	sharedDemoServer.once.Do(func() {
		dir, err := os.MkdirTemp("", "vigil-web-demo-")
		if err != nil {
			sharedDemoServer.err = err
			return
		}
		sharedDemoServer.dir = dir
		if _, err := demotest.Copy(dir); err != nil {
			sharedDemoServer.err = err
			return
		}
		cfg := config.Default()
		cfg.DataDir = dir
		cfg.Listen = "127.0.0.1:0"
		cfg.LogLevel = "warn"
		ctx := context.Background()
		a, err := app.Open(ctx, cfg, app.NewLogger(cfg, io.Discard))
		if err != nil {
			sharedDemoServer.err = err
			return
		}
		ready := make(chan string, 1)
		done := make(chan error, 1)
		go func() { done <- a.Serve(ctx, func(addr string) { ready <- addr }) }()
		select {
		case addr := <-ready:
			sharedDemoServer.url = "http://" + addr
		case err := <-done:
			sharedDemoServer.err = err
		}
	})
	if sharedDemoServer.err != nil {
		t.Fatalf("shared demo server: %v", sharedDemoServer.err)
	}
	return sharedDemoServer.url
}

var sharedDemoServer struct {
	once     sync.Once
	url, dir string
	err      error
}

func TestMain(m *testing.M) {
	demotest.Main(m, func() {
		if sharedDemoServer.dir != "" {
			os.RemoveAll(sharedDemoServer.dir)
		}
	})
}

// serveDemo runs the real server (app.Serve) in-process on a fresh database with the demo data and
// returns its URL; it stops when the test ends.
func serveDemo(t *testing.T) string {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir, _ = demotest.DataDir(t)
	cfg.Listen = "127.0.0.1:0"
	cfg.LogLevel = "warn"
	ctx, cancel := context.WithCancel(context.Background())
	var logs strings.Builder
	a, err := app.Open(ctx, cfg, app.NewLogger(cfg, &logs))
	if err != nil {
		t.Fatal(err)
	}
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, func(addr string) { ready <- addr }) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		a.Close()
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return "http://" + addr
}

// step runs browser actions with a time limit, failing the test with what was being done.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		testutil.Screenshot(t, ctx, "failed")
		t.Fatalf("%s: %v", what, err)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(sctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// TestBrowserLoginAndMFA drives Chromium through the real server with the demo data: sign in, enrol an
// authenticator, sign out, sign in with the TOTP code, see the dashboard. Screenshots are kept as test
// artefacts (VIGIL_ARTIFACTS, default testdata/artifacts).
func TestBrowserLoginAndMFA(t *testing.T) {
	ctx := testutil.Browser(t)
	base := serveDemo(t)
	const email = "ciso@nordstadt-hospital.example"

	login := func() {
		step(t, ctx, "open the login page",
			chromedp.Navigate(base+"/"),
			chromedp.WaitVisible(chromedp.CSS("#email")),
			chromedp.SendKeys(chromedp.CSS("#email"), email),
			chromedp.SendKeys(chromedp.CSS("#password"), demo.Password),
			chromedp.Click(chromedp.CSS(`form[action="/login"] button[type="submit"]`)),
		)
	}
	login()
	step(t, ctx, "reach the dashboard", chromedp.WaitVisible(chromedp.CSS("nav#sidenav")))
	if h1 := text(t, ctx, "main h1"); h1 != "Dashboard" {
		t.Fatalf("after sign-in the page says %q", h1)
	}
	// Our scripts run under the CSP (no inline script; htmx vendored and served by us).
	if got := eval[string](t, ctx, `typeof htmx`); got != "object" {
		t.Errorf("htmx did not load: typeof htmx = %s", got)
	}
	testutil.Screenshot(t, ctx, "1-dashboard")

	step(t, ctx, "open the MFA enrolment", chromedp.Navigate(base+"/account/mfa"), chromedp.WaitVisible(chromedp.CSS("#totp-secret")))
	secret := text(t, ctx, "#totp-secret")
	if w := eval[int](t, ctx, `document.getElementById("totp-qr").naturalWidth`); w != 240 {
		t.Errorf("the QR code did not load (natural width %d)", w)
	}
	testutil.Screenshot(t, ctx, "2-mfa-enrolment")
	code, err := auth.TOTPCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "confirm the authenticator",
		chromedp.SendKeys(chromedp.CSS("#code"), code),
		chromedp.Click(chromedp.CSS(`form[action="/account/mfa"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#recovery-codes")),
	)
	if n := eval[int](t, ctx, `document.querySelectorAll("#recovery-codes li").length`); n != 10 {
		t.Errorf("%d recovery codes shown", n)
	}
	testutil.Screenshot(t, ctx, "3-recovery-codes")

	step(t, ctx, "sign out",
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#email")),
	)
	login()
	step(t, ctx, "reach the second factor", chromedp.WaitVisible(chromedp.CSS(`form[action="/login/mfa"] #code`)))
	testutil.Screenshot(t, ctx, "4-second-factor")
	code, _ = auth.TOTPCode(secret, time.Now())
	step(t, ctx, "enter the TOTP code",
		chromedp.SendKeys(chromedp.CSS("#code"), code),
		chromedp.Click(chromedp.CSS(`form[action="/login/mfa"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`nav#sidenav`)),
	)
	if h1 := text(t, ctx, "main h1"); h1 != "Dashboard" {
		t.Errorf("after the second factor the page says %q", h1)
	}
	if loc := eval[string](t, ctx, `location.pathname`); loc != "/dashboard" {
		t.Errorf("after the second factor the browser is at %s", loc)
	}
	if user := text(t, ctx, ".usermenu a"); user != "Dr. Miriam Hoffmann" {
		t.Errorf("signed in as %q", user)
	}
	testutil.Screenshot(t, ctx, "5-dashboard-after-mfa")
}
