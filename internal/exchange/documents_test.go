package exchange_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"

	"github.com/vigil-med/vigil/internal/csaf/provider"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/exchange"
	"github.com/vigil-med/vigil/internal/testutil"
)

// TestSubscriptionDocumentsHostile: a Vigil provider's VEX and SBOM files are imported only when they
// match the SHA-256 of the index and carry a signature of the pinned key.
func TestSubscriptionDocumentsHostile(t *testing.T) {
	key, _ := provider.GenerateKey("Meridian PSIRT", "psirt@meridian.example")
	other, _ := provider.GenerateKey("Someone else", "x@evil.example")
	pinned, _ := provider.ArmorPublicKey(key)
	vexDoc := []byte(`{"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://meridian.example/vex/1","author":"Meridian","timestamp":"2026-11-02T10:00:00Z","version":1,
"statements":[{"vulnerability":{"name":"CVE-2026-10001"},"products":[{"@id":"VitaFlow 300@3.2.0"}],"status":"affected","action_statement":"Update to 3.2.1."}]}`)
	sign := func(k *openpgp.Entity, data []byte) []byte {
		var b bytes.Buffer
		if err := openpgp.ArmoredDetachSign(&b, k, bytes.NewReader(data), nil); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	sum := sha256.Sum256(vexDoc)
	good := hex.EncodeToString(sum[:])
	cases := []struct {
		name      string
		sha       string
		signer    *openpgp.Entity
		imported  int
		rejection string
	}{
		{"good", good, key, 1, ""},
		{"hash differs from the index", strings.Repeat("ab", 32), key, 0, "SHA-256 does not match"},
		{"signed by another key", good, other, 0, "not made by the pinned key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := testutil.MustOpenStore(t)
			ctx, sc := hospital(t, st)
			var site *provider.Site
			mux := http.NewServeMux()
			srv := httptest.NewServer(mux)
			t.Cleanup(srv.Close)
			base := srv.URL + "/exchange/meridian"
			site = publishSite(t, base, key, buildDoc(t, testAdvisory("MMS-SA-2026-001", "WHITE")))
			mux.Handle("/exchange/meridian/.well-known/", http.StripPrefix("/exchange/meridian", site.Handler(nil)))
			sig := sign(tc.signer, vexDoc)
			mux.HandleFunc("/exchange/meridian/documents.json", func(w http.ResponseWriter, r *http.Request) {
				_ = json.NewEncoder(w).Encode(exchange.DocumentIndex{Publisher: "Meridian", Updated: time.Now(), Documents: []exchange.IndexedDocument{{
					Kind: domain.PubOpenVEX, Manufacturer: "Meridian Medical Systems", Product: "VitaFlow 300", Version: "3.2.0", Revision: 1, TLP: "WHITE",
					URL: base + "/files/1/vex.json", SHA256: tc.sha, SignatureURL: base + "/files/1/vex.json.asc"}}})
			})
			mux.HandleFunc("/exchange/meridian/files/1/vex.json", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(vexDoc) })
			mux.HandleFunc("/exchange/meridian/files/1/vex.json.asc", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(sig) })
			svc := exchange.New(st, nil, nil)
			sub, err := svc.Subscribe(ctx, sc, exchange.SubscriptionInput{URL: base + "/.well-known/csaf/provider-metadata.json", Key: string(pinned)})
			if err != nil {
				t.Fatal(err)
			}
			if sub.Kind != domain.SubscriptionVigil {
				t.Fatalf("kind %s", sub.Kind)
			}
			res, err := svc.Sync(ctx, sc, sub.ID)
			if err != nil {
				t.Fatal(err)
			}
			if res.Disclosures != tc.imported {
				t.Errorf("imported %d VEX files, want %d (rejected %q)", res.Disclosures, tc.imported, res.Rejected)
			}
			if tc.rejection != "" && (len(res.Rejected) != 1 || !strings.Contains(res.Rejected[0], tc.rejection)) {
				t.Errorf("rejected %q, want one naming %q", res.Rejected, tc.rejection)
			}
			docs, _ := sc.Documents(ctx, domain.DocumentFilter{Kind: domain.DisclosureVEX})
			if docs.Total != tc.imported {
				t.Errorf("stored VEX documents: %d", docs.Total)
			}
		})
	}
}
