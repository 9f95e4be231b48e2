package testutil

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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

// Browser starts a headless Chromium for the test and returns a chromedp context for one tab; the
// browser stops when the test ends. Without Chromium the test is skipped, unless VIGIL_REQUIRE_BROWSER=1
// (CI), where it fails. Run actions with chromedp.Run(ctx, …); derive a context with a timeout from ctx
// to bound a step.
func Browser(tb testing.TB) context.Context {
	tb.Helper()
	path := ChromiumPath()
	if path == "" {
		if os.Getenv("VIGIL_REQUIRE_BROWSER") == "1" {
			tb.Fatal("Chromium is required (VIGIL_REQUIRE_BROWSER=1) but not installed: apt-get install chromium")
		}
		tb.Skip("Chromium is not installed (apt-get install chromium); set VIGIL_REQUIRE_BROWSER=1 to fail instead")
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
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	tb.Cleanup(func() { cancel(); cancelAlloc() })
	// Start the browser now, so that a broken installation fails here with a clear message.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		tb.Fatalf("start Chromium (%s): %v", path, err)
	}
	return ctx
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
