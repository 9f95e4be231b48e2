package netguard_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/netguard"
)

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		addr    string
		refused bool
	}{
		{"169.254.169.254:80", true},          // AWS, GCP, Azure metadata
		{"[::ffff:169.254.169.254]:80", true}, // the same, IPv4-mapped
		{"[fe80::1%eth0]:80", true},
		{"0.0.0.0:80", true},
		{"[::]:443", true},
		{"224.0.0.1:80", true},
		{"100.100.100.200:80", true},
		{"[fd00:ec2::254]:80", true},
		{"127.0.0.1:8080", false}, // feeds mirrored on the same machine
		{"[::1]:8080", false},
		{"10.20.30.40:443", false}, // hospital mirrors and proxies
		{"192.168.1.10:443", false},
		{"93.184.216.34:443", false},
		{"example.org:443", true}, // not resolved: the dialer only ever passes IP addresses
	} {
		err := netguard.Check(tc.addr)
		if got := err != nil; got != tc.refused {
			t.Errorf("Check(%s) = %v, want refused %v", tc.addr, err, tc.refused)
		}
		if err != nil && !errors.Is(err, netguard.ErrRefused) {
			t.Errorf("Check(%s) = %v, not ErrRefused", tc.addr, err)
		}
	}
}

func TestClient(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer srv.Close()
	tr := netguard.Transport()
	tr.Proxy = nil // through a proxy the proxy decides; this test is about the direct connection
	c := &http.Client{Timeout: 5 * time.Second, Transport: tr}
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatalf("loopback server: %v", err)
	}
	resp.Body.Close()
	// Refused before any packet leaves: no timeout even where 169.254.169.254 does not answer.
	start := time.Now()
	_, err = c.Get("http://169.254.169.254/latest/meta-data/")
	if !errors.Is(err, netguard.ErrRefused) {
		t.Errorf("metadata service: err = %v, want ErrRefused", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("refusal took %s", d)
	}
	// A redirect to a refused address is refused too.
	redir := httptest.NewServer(http.RedirectHandler("http://169.254.169.254/", http.StatusFound))
	defer redir.Close()
	if _, err := c.Get(redir.URL); !errors.Is(err, netguard.ErrRefused) {
		t.Errorf("redirect to the metadata service: err = %v", err)
	}
}
