package testutil

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// ChromiumPath returns the Chromium to drive: $VIGIL_CHROMIUM, else Debian's /usr/bin/chromium, else a
// chromium or chromium-browser on the PATH; "" when there is none.
func ChromiumPath() string {
	if p := os.Getenv("VIGIL_CHROMIUM"); p != "" {
		return p
	}
	for _, p := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if found, err := exec.LookPath(p); err == nil {
			return found
		}
	}
	return ""
}

// Browser returns a chromedp context for a new tab in a browser context of its own (its own cookies,
// like a private window), so each test starts signed out. One headless Chromium serves every test of the
// test binary: starting Chromium costs seconds, a browser context milliseconds. The tab and its browser
// context close when the test ends; the kernel ends Chromium with the test binary. Without Chromium the
// test is skipped, unless VIGIL_REQUIRE_BROWSER=1 (CI), where it fails. Run actions with
// chromedp.Run(ctx, …); derive a context with a timeout from ctx to bound a step.
func Browser(tb testing.TB) context.Context {
	tb.Helper()
	path := ChromiumPath()
	if path == "" {
		if os.Getenv("VIGIL_REQUIRE_BROWSER") == "1" {
			tb.Fatal("Chromium is required (VIGIL_REQUIRE_BROWSER=1) but not installed: apt-get install chromium")
		}
		tb.Skip("Chromium is not installed (apt-get install chromium); set VIGIL_REQUIRE_BROWSER=1 to fail instead")
	}
	browser, err := sharedChromium(path)
	if err != nil {
		tb.Fatalf("start Chromium (%s): %v", path, err)
	}
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	tb.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate("about:blank")); err != nil {
		tb.Fatalf("open a tab in Chromium (%s): %v", path, err)
	}
	return ctx
}

var chromium struct {
	once sync.Once
	ctx  context.Context
	err  error
}

// sharedChromium starts the test binary's Chromium once.
func sharedChromium(path string) (context.Context, error) {
	chromium.once.Do(func() {
		dir, err := os.MkdirTemp("", "vigil-chromium-")
		if err != nil {
			chromium.err = err
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path),
			chromedp.Headless,
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.UserDataDir(dir),
			chromedp.WindowSize(1280, 900),
		)
		actx, _ := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, _ := chromedp.NewContext(actx)
		// Start the browser now, so that a broken installation fails here with a clear message.
		if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
			chromium.err = err
			return
		}
		chromium.ctx = ctx
	})
	return chromium.ctx, chromium.err
}

// Artifacts returns the directory for the test's artefacts (screenshots): $VIGIL_ARTIFACTS, else
// testdata/artifacts of the package; a subdirectory per test. It is kept after the test.
func Artifacts(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv("VIGIL_ARTIFACTS")
	if base == "" {
		base = filepath.Join("testdata", "artifacts")
	}
	dir := filepath.Join(base, regexp.MustCompile(`[^A-Za-z0-9_.-]+`).ReplaceAllString(tb.Name(), "_"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// Screenshot captures the whole page into the test's artefact directory as name.png and returns the path.
func Screenshot(tb testing.TB, ctx context.Context, name string) string {
	tb.Helper()
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(Artifacts(tb), name+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("screenshot: %s", path)
	return path
}
