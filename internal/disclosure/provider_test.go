package disclosure_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/csaf"
	"github.com/vigil-med/vigil/internal/csaf/provider"
	"github.com/vigil-med/vigil/internal/disclosure"
	"github.com/vigil-med/vigil/internal/testutil"
)

// whiteExample is an OASIS CSAF example labelled TLP:WHITE (a trusted provider publishes labelled
// documents only).
func whiteExample(t *testing.T, name, current string) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(fixture(t, "csaf", "testdata", "examples", name), &doc); err != nil {
		t.Fatal(err)
	}
	d := doc["document"].(map[string]any)
	d["distribution"] = map[string]any{"tlp": map[string]any{"label": "WHITE"}}
	tr := d["tracking"].(map[string]any)
	tr["current_release_date"] = current
	for _, r := range tr["revision_history"].([]any) {
		r.(map[string]any)["date"] = current
	}
	out, _ := json.MarshalIndent(doc, "", "  ")
	return out
}

// TestImportCSAFProvider reads advisories from a trusted provider (discovery, ROLIE feed, hashes,
// OpenPGP signatures) with its key pinned, incrementally with --since, and refuses every document when
// the pinned key is not the provider's.
func TestImportCSAFProvider(t *testing.T) {
	key, err := provider.GenerateKey("Example Medical PSIRT", "psirt@example.test")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := provider.GenerateKey("Mallory", "mallory@example.test")
	var handler http.Handler
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	defer ts.Close()
	site, err := provider.Publish([]provider.PublishedDoc{
		{Data: whiteExample(t, "csaf_csaf_vex_2022-evd-uc-01-na-001.json", "2022-03-03T11:00:00.000Z")},
		{Data: whiteExample(t, "csaf_csaf_vex_2022-evd-uc-01-a-001.json", "2022-04-01T08:00:00.000Z")},
	}, key, provider.MetadataOptions{BaseURL: ts.URL, Publisher: csaf.Publisher{Name: "Example Medical PSIRT", Namespace: "https://psirt.example.test", Category: "vendor"}})
	if err != nil {
		t.Fatal(err)
	}
	handler = site.Handler(nil)
	pub, _ := provider.ArmorPublicKey(key)
	wrong, _ := provider.ArmorPublicKey(other)

	st := testutil.MustOpenStore(t)
	e := newEnv(t, st)
	e.version(t, "Example Company", "ABC", "4.2")
	inputs, notes, err := disclosure.FetchCSAF(e.ctx, ts.URL, disclosure.ProviderOptions{Client: ts.Client(), Key: pub})
	if err != nil || len(inputs) != 2 {
		t.Fatalf("fetch: %d inputs %v %v", len(inputs), notes, err)
	}
	rep, err := disclosure.ImportCSAFBatch(e.ctx, e.sc, inputs)
	if err != nil || rep.Created != 2 {
		t.Fatalf("import: %s %+v %v", rep.Summary(), rep.Errors, err)
	}
	docs, _ := e.sc.DocumentsByRef(e.ctx, "csaf", "2022-EVD-UC-01-NA-001")
	if len(docs) != 1 || docs[0].Source != "provider" || !strings.HasPrefix(docs[0].SourceRef, ts.URL+"/.well-known/csaf/white/2022/") {
		t.Errorf("document record: %+v", docs)
	}
	// Incremental: nothing changed since April 2022 but the second document.
	inputs, _, err = disclosure.FetchCSAF(e.ctx, ts.URL, disclosure.ProviderOptions{Client: ts.Client(), Key: pub, Since: time.Date(2022, 3, 15, 0, 0, 0, 0, time.UTC)})
	if err != nil || len(inputs) != 1 {
		t.Errorf("since: %d %v", len(inputs), err)
	}
	// A pinned key that is not the provider's: every document is refused, with the reason.
	inputs, _, err = disclosure.FetchCSAF(e.ctx, ts.URL+"/.well-known/csaf/provider-metadata.json", disclosure.ProviderOptions{Client: ts.Client(), Key: wrong})
	if err != nil {
		t.Fatal(err)
	}
	e2 := newEnvOrg(t, st, "beta")
	rep, err = disclosure.ImportCSAFBatch(e2.ctx, e2.sc, inputs)
	if err == nil || rep.Failed != 2 || !strings.Contains(strings.ToLower(rep.Errors[0].Message), "signature") {
		t.Errorf("wrong key: %+v %v", rep.Errors, err)
	}
	// One advisory's URL; no provider at all.
	one := disclosure.IsURL(ts.URL + "/.well-known/csaf/white/2022/2022-evd-uc-01-na-001.json")
	inputs, _, err = disclosure.FetchCSAF(e.ctx, ts.URL+"/.well-known/csaf/white/2022/2022-evd-uc-01-na-001.json", disclosure.ProviderOptions{Client: ts.Client()})
	if !one || err != nil || len(inputs) != 1 || inputs[0].Err != nil || inputs[0].Source.Kind != "url" {
		t.Errorf("single URL: %v %+v", err, inputs)
	}
	empty := httptest.NewServer(http.NotFoundHandler())
	defer empty.Close()
	if _, _, err := disclosure.FetchCSAF(e.ctx, empty.URL, disclosure.ProviderOptions{Client: empty.Client()}); err == nil || !strings.Contains(err.Error(), "no CSAF provider found") {
		t.Errorf("no provider: %v", err)
	}
}
