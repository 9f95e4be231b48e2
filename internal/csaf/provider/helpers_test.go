package provider

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/vigil-med/vigil/internal/csaf"
)

const examples = "../testdata/examples/"

// testKey is generated once per test binary (Ed25519 generation is fast, but the tests share one).
var (
	keyOnce  sync.Once
	key      *openpgp.Entity
	otherKey *openpgp.Entity
)

func keys(t testing.TB) (*openpgp.Entity, *openpgp.Entity) {
	t.Helper()
	keyOnce.Do(func() {
		var err error
		if key, err = GenerateKey("Example Medical PSIRT", "psirt@example.test"); err != nil {
			t.Fatal(err)
		}
		if otherKey, err = GenerateKey("Mallory", "mallory@example.test"); err != nil {
			t.Fatal(err)
		}
	})
	return key, otherKey
}

// fixture reads an OASIS example, sets its TLP label and current release date, and encodes it.
func fixture(t testing.TB, name, tlp, current string) []byte {
	t.Helper()
	data, err := os.ReadFile(examples + name)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	d := doc["document"].(map[string]any)
	if tlp != "" {
		d["distribution"] = map[string]any{"tlp": map[string]any{"label": tlp}}
	}
	if current != "" {
		tr := d["tracking"].(map[string]any)
		tr["current_release_date"] = current
		for _, r := range tr["revision_history"].([]any) {
			r.(map[string]any)["date"] = current
		}
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// testDocs are four documents: three TLP:WHITE with distinct release dates and one TLP:GREEN.
func testDocs(t testing.TB) []PublishedDoc {
	return []PublishedDoc{
		{Data: fixture(t, "csaf_csaf_vex_2022-evd-uc-01-na-001.json", "WHITE", "2022-03-03T11:00:00.000Z")},
		{Data: fixture(t, "csaf_csaf_vex_2022-evd-uc-01-a-001.json", "WHITE", "2022-04-01T08:00:00.000Z")},
		{Data: fixture(t, "csaf_csaf_vex_sec-vex-2022-0001.json", "WHITE", "")},
		{Data: fixture(t, "csaf_csaf_vex_2022-evd-uc-05-001.json", "GREEN", "2022-06-01T00:00:00.000Z")},
	}
}

var testPublisher = csaf.Publisher{Name: "Example Medical PSIRT", Namespace: "https://psirt.example.test", Category: "vendor"}

// server starts an HTTP test server and publishes docs with its URL as base. wrap, when not nil,
// wraps the site's handler (to tamper with answers). Requests with "Authorization: Bearer green" may
// read TLP:GREEN.
type testServer struct {
	*httptest.Server
	site *Site
}

func startServer(t *testing.T, docs []PublishedDoc, tls bool, wrap func(*Site, http.Handler) http.Handler) *testServer {
	t.Helper()
	k, _ := keys(t)
	ts := &testServer{}
	var handler http.Handler
	mux := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) })
	if tls {
		ts.Server = httptest.NewTLSServer(mux)
	} else {
		ts.Server = httptest.NewServer(mux)
	}
	t.Cleanup(ts.Close)
	site, err := Publish(docs, k, MetadataOptions{BaseURL: ts.URL, Publisher: testPublisher, ListOnAggregators: true})
	if err != nil {
		t.Fatal(err)
	}
	ts.site = site
	handler = site.Handler(func(r *http.Request, tlp string) bool {
		return tlp == "GREEN" && r.Header.Get("Authorization") == "Bearer green"
	})
	if wrap != nil {
		handler = wrap(site, handler)
	}
	return ts
}

// headerTransport adds a header to every request.
type headerTransport struct {
	key, value string
	base       http.RoundTripper
}

func (h headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(h.key, h.value)
	return h.base.RoundTrip(r)
}
