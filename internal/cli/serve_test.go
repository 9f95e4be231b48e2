package cli

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/testutil"
)

// server is a `vigil serve` running in-process.
type server struct {
	addr   string
	cancel context.CancelFunc
	done   chan result
}

// startServe runs `vigil serve args…` in a goroutine and waits until it listens.
func startServe(t *testing.T, env map[string]string, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	s := &server{cancel: cancel, done: make(chan result, 1)}
	go func() {
		s.done <- vigilCtx(ctx, t, env, "", func(addr string) { ready <- addr }, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...)...)
	}()
	select {
	case s.addr = <-ready:
	case r := <-s.done:
		cancel()
		t.Fatalf("serve ended before it listened: %s", r)
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatal("serve did not listen within a minute")
	}
	t.Cleanup(func() { s.stop(t) })
	return s
}

// stop cancels the server's context (as SIGTERM does) and returns how the command ended.
func (s *server) stop(t *testing.T) result {
	t.Helper()
	s.cancel()
	select {
	case r, ok := <-s.done:
		if ok {
			close(s.done)
		}
		return r
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not stop within a minute of its context ending")
	}
	return result{}
}

func get(t *testing.T, c *http.Client, url string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// checkSecurityHeaders checks the headers every response carries.
func checkSecurityHeaders(t *testing.T, what string, h http.Header, wantHSTS bool) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	directives := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		directives[name] = value
	}
	if directives["script-src"] != "'self'" {
		t.Errorf("%s: CSP script-src %q, want only 'self' (no inline script)", what, directives["script-src"])
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("%s: CSP allows unsafe sources: %s", what, csp)
	}
	if directives["default-src"] != "'self'" || directives["frame-ancestors"] != "'none'" || directives["object-src"] != "'none'" {
		t.Errorf("%s: CSP %q lacks default-src 'self', frame-ancestors 'none' or object-src 'none'", what, csp)
	}
	for name, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "same-origin",
	} {
		if got := h.Get(name); got != want {
			t.Errorf("%s: %s = %q, want %q", what, name, got, want)
		}
	}
	if h.Get("X-Request-ID") == "" {
		t.Errorf("%s: no X-Request-ID", what)
	}
	hsts := h.Get("Strict-Transport-Security")
	if wantHSTS && !strings.HasPrefix(hsts, "max-age=31536000") {
		t.Errorf("%s over TLS: Strict-Transport-Security = %q", what, hsts)
	}
	if !wantHSTS && hsts != "" {
		t.Errorf("%s without TLS sends Strict-Transport-Security %q (it would pin a plain-HTTP host)", what, hsts)
	}
}

func TestServe(t *testing.T) {
	dir := t.TempDir()
	must(t, "org", "add", "Alpha Hospital", "--data-dir", dir)
	token := strings.TrimSpace(must(t, "token", "create", "--name", "test", "--role", "admin", "--data-dir", dir).stdout)
	s := startServe(t, nil, "--data-dir", dir)
	base := "http://" + s.addr
	c := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	resp, body := get(t, c, base+"/healthz")
	if resp.StatusCode != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", resp.StatusCode, body)
	}
	checkSecurityHeaders(t, "/healthz", resp.Header, false)
	resp, body = get(t, c, base+"/readyz")
	if resp.StatusCode != 200 || body != "ready\n" {
		t.Errorf("/readyz: %d %q", resp.StatusCode, body)
	}
	for _, path := range []string{"/login", "/api/v1/openapi.json", "/static/style.css", "/no-such-page", "/api/v1/me"} {
		resp, _ := get(t, c, base+path)
		checkSecurityHeaders(t, path, resp.Header, false)
	}
	resp, body = get(t, c, base+"/login")
	if resp.StatusCode != 200 || !strings.Contains(body, `type="password"`) || strings.Contains(body, "<script>") {
		t.Errorf("/login: %d, password field %v, inline script %v", resp.StatusCode, strings.Contains(body, `type="password"`), strings.Contains(body, "<script>"))
	}

	// Request bodies are limited to http.max_body_bytes (1 MiB): a larger one gets the 413 envelope and
	// changes nothing.
	post := func(size int) (*http.Response, string) {
		name := strings.Repeat("x", size-len(`{"email":"big@alpha.example","role":"auditor","name":""}`))
		req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/users", strings.NewReader(`{"email":"big@alpha.example","role":"auditor","name":"`+name+`"}`))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, body = post(1<<20 + 1)
	var env struct {
		Error struct{ Code, Message, RequestID string } `json:"error"`
	}
	_ = json.Unmarshal([]byte(body), &env)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || env.Error.Code != "too_large" ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Errorf("1 MiB + 1 byte: %d %s, want 413 with the too_large envelope", resp.StatusCode, body)
	}
	if r := must(t, "user", "list", "--json", "--data-dir", dir); strings.Contains(r.stdout, "big@alpha.example") {
		t.Error("a refused request created a user")
	}
	if resp, body := post(1 << 19); resp.StatusCode != http.StatusCreated {
		t.Errorf("a body of half a MiB: %d %.200s", resp.StatusCode, body)
	}

	// A backup is consistent while the server runs.
	r := must(t, "backup", "--data-dir", dir, dir+"/while-serving.vgb")
	if !strings.Contains(r.stderr, "backup of sqlite:") {
		t.Errorf("backup said %q", r.stderr)
	}
	if r := must(t, "restore", dir+"/while-serving.vgb", "--data-dir", t.TempDir()); !strings.Contains(r.stdout, "audit log verified") {
		t.Errorf("restore of a backup made while serving: %s", r)
	}
}

// TestServeShutsDownGracefully cancels the server's context while a request is in flight: the listener
// closes at once, the running request still gets its answer, and the command exits 0.
func TestServeShutsDownGracefully(t *testing.T) {
	dir := t.TempDir()
	must(t, "org", "add", "Alpha Hospital", "--data-dir", dir)
	token := strings.TrimSpace(must(t, "token", "create", "--name", "test", "--role", "admin", "--data-dir", dir).stdout)
	s := startServe(t, nil, "--data-dir", dir)

	conn, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"email":"late@alpha.example","role":"auditor"}`
	// Expect: 100-continue makes the server say when the handler starts reading the body: from then on
	// the request is in flight (before that, the connection might still wait in the listen queue).
	fmt.Fprintf(conn, "POST /api/v1/users HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n",
		s.addr, token, len(body))
	br := bufio.NewReader(conn)
	if line, err := br.ReadString('\n'); err != nil || !strings.HasPrefix(line, "HTTP/1.1 100") {
		t.Fatalf("waiting for 100 Continue: %q %v", line, err)
	}
	if _, err := br.ReadString('\n'); err != nil { // the blank line after the interim response
		t.Fatal(err)
	}

	s.cancel()
	// Wait until the server stops accepting connections: the shutdown has begun.
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.addr, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections 30 s after its context ended")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Finish the request that was in flight: it is answered in full.
	if _, err := io.WriteString(conn, body); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("the in-flight request lost its answer: %v\n%s", err, s.stop(t))
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("in-flight request: %d %s", resp.StatusCode, b)
	}
	if r := s.stop(t); r.code != 0 {
		t.Errorf("serve after shutdown: %s", r)
	}
	if r := must(t, "user", "list", "--data-dir", dir); !strings.Contains(r.stdout, "late@alpha.example") {
		t.Error("the in-flight request's change is missing")
	}
}

func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	cert := testutil.SelfSignedCert(t)
	s := startServe(t, nil, "--data-dir", dir, "--tls-cert", cert.CertFile, "--tls-key", cert.KeyFile)
	c := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: cert.Pool}}}
	for _, path := range []string{"/healthz", "/login"} {
		resp, _ := get(t, c, "https://"+s.addr+path)
		if resp.StatusCode != 200 || resp.TLS == nil {
			t.Errorf("%s over TLS: %d", path, resp.StatusCode)
		}
		checkSecurityHeaders(t, path, resp.Header, true)
	}
	// Plain HTTP to the TLS port is not served.
	if resp, err := (&http.Client{Timeout: 10 * time.Second}).Get("http://" + s.addr + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Error("the TLS server answered plain HTTP with 200")
		}
	}
	// A certificate that does not load stops serve with a clear message.
	r := vigil(t, nil, "", "serve", "--data-dir", dir, "--listen", "127.0.0.1:0", "--tls-cert", cert.KeyFile, "--tls-key", cert.KeyFile)
	if r.code != 1 || !strings.Contains(r.stderr, "tls:") {
		t.Errorf("serve with a key as certificate: %s", r)
	}
}
