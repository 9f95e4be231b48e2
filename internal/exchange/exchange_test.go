package exchange_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"

	"github.com/vigil-med/vigil/internal/csaf/provider"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/exchange"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// fakeProvider serves a CSAF provider site that the test can tamper with.
type fakeProvider struct {
	*httptest.Server
	mu   sync.Mutex
	site *provider.Site
	raw  http.HandlerFunc // when set, answers every request instead of the site
}

func newFakeProvider(t *testing.T) *fakeProvider {
	f := &fakeProvider{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		site, raw := f.site, f.raw
		f.mu.Unlock()
		if raw != nil {
			raw(w, r)
			return
		}
		site.Handler(nil).ServeHTTP(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeProvider) metadataURL() string {
	return f.URL + "/.well-known/csaf/provider-metadata.json"
}

func testAdvisory(id, tlp string) domain.ExchangeAdvisory {
	return domain.ExchangeAdvisory{TrackingID: id, Title: "VitaFlow 300: hard-coded service credentials", TLP: tlp, CVEs: []string{"CVE-2026-10001"},
		Summary: "The service interface accepts a fixed password.", RemediationCategory: "vendor_fix", Remediation: "Update to 3.2.1.",
		Affected: []int64{1}}
}

func buildDoc(t *testing.T, a domain.ExchangeAdvisory) []byte {
	t.Helper()
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	doc, err := exchange.BuildCSAF(exchange.DocInput{Advisory: a, Publisher: "Meridian Medical Systems", Namespace: "https://meridian.example",
		Versions: map[int64]exchange.VersionInfo{1: {ID: 1, Vendor: "Meridian Medical Systems", Product: "VitaFlow 300", Version: "3.2.0"}},
		History:  []exchange.Revision{{Number: 1, Date: at, Summary: "Initial release"}}, Now: at})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func publishSite(t *testing.T, base string, key *openpgp.Entity, docs ...[]byte) *provider.Site {
	t.Helper()
	var pds []provider.PublishedDoc
	for _, d := range docs {
		pds = append(pds, provider.PublishedDoc{Data: d})
	}
	site, err := provider.Publish(pds, key, provider.MetadataOptions{BaseURL: base,
		Publisher: csafPublisher()})
	if err != nil {
		t.Fatal(err)
	}
	return site
}

// hospital is a hospital organisation with two installed devices of the advisory's product version.
func hospital(t *testing.T, st *store.Store) (context.Context, *store.Scope) {
	t.Helper()
	org := testutil.Org(t, st, "nordstadt")
	ctx, sc := testutil.Ctx(org.ID), st.Scope(org.ID)
	err := sc.Write(ctx, func(tx *store.Tx) error {
		pv, _, err := tx.EnsureProductVersion(ctx, "Meridian Medical Systems", "VitaFlow 300", "3.2.0")
		if err != nil {
			return err
		}
		for _, tag := range []string{"PUMP-1", "PUMP-2"} {
			a := domain.Asset{ProductVersionID: pv.ID, AssetTag: tag, Criticality: domain.CritCritical}
			if err := tx.CreateAsset(ctx, &a, domain.DateOf(time.Now())); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ctx, sc
}

// TestProviderSubscriptionHostile feeds a subscription tampered and hostile providers: each document
// that fails a check is rejected (nothing of it is imported), and the good provider's document is
// imported and mapped to the two installed devices.
func TestProviderSubscriptionHostile(t *testing.T) {
	key, err := provider.GenerateKey("Meridian PSIRT", "psirt@meridian.example")
	if err != nil {
		t.Fatal(err)
	}
	other, err := provider.GenerateKey("Someone else", "x@evil.example")
	if err != nil {
		t.Fatal(err)
	}
	pinned, _ := provider.ArmorPublicKey(key)
	good := buildDoc(t, testAdvisory("MMS-SA-2026-001", "WHITE"))
	docPath := ".well-known/csaf/white/2026/mms-sa-2026-001.json"

	cases := []struct {
		name   string
		tamper func(f *fakeProvider)
		want   string // in the rejection
	}{
		{"wrong hash", func(f *fakeProvider) {
			file := f.site.Files[docPath+".sha256"]
			file.Data = []byte(strings.Repeat("0", 64) + "  mms-sa-2026-001.json\n")
			f.site.Files[docPath+".sha256"] = file
		}, "SHA-256"},
		{"bad signature (another key)", func(f *fakeProvider) {
			f.site = publishSite(t, f.URL, other, good)
		}, "signature"},
		{"document changed after signing", func(f *fakeProvider) {
			file := f.site.Files[docPath]
			file.Data = []byte(strings.Replace(string(file.Data), "Update to 3.2.1.", "No action needed.", 1))
			f.site.Files[docPath] = file
		}, "mms-sa-2026-001.json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := testutil.MustOpenStore(t)
			ctx, sc := hospital(t, st)
			f := newFakeProvider(t)
			f.site = publishSite(t, f.URL, key, good)
			svc := exchange.New(st, nil, func() string { return "http://hospital.example" })
			sub, err := svc.Subscribe(ctx, sc, exchange.SubscriptionInput{URL: f.metadataURL(), Key: string(pinned)})
			if err != nil {
				t.Fatal(err)
			}
			f.mu.Lock()
			tc.tamper(f)
			f.mu.Unlock()
			res, err := svc.Sync(ctx, sc, sub.ID)
			if err != nil {
				t.Fatal(err)
			}
			if res.Imported != 0 || len(res.Rejected) != 1 || !strings.Contains(res.Rejected[0], tc.want) {
				t.Fatalf("sync = %s; rejected %q, want one rejection naming %q", res.Summary(), res.Rejected, tc.want)
			}
			if res.Subscription.Status != "error" || !strings.Contains(res.Subscription.LastError, "rejected") {
				t.Errorf("subscription = %s %q", res.Subscription.Status, res.Subscription.LastError)
			}
			if _, err := sc.AdvisoryByTrackingID(ctx, "MMS-SA-2026-001"); domain.ErrorCode(err) != domain.ENotFound {
				t.Errorf("the rejected advisory was imported: %v", err)
			}
			// Once the provider is repaired, the next sync imports it.
			f.mu.Lock()
			f.site = publishSite(t, f.URL, key, good)
			f.mu.Unlock()
			if res, err = svc.Sync(ctx, sc, sub.ID); err != nil || res.Imported != 1 || len(res.Advisories[0].Devices) != 2 {
				t.Errorf("sync after repair = %s %v", res.Summary(), err)
			}
		})
	}

	t.Run("oversized provider-metadata.json", func(t *testing.T) {
		st := testutil.MustOpenStore(t)
		ctx, sc := hospital(t, st)
		f := newFakeProvider(t)
		f.raw = func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"canonical_url": "` + strings.Repeat("x", 2<<20) + `"}`))
		}
		svc := exchange.New(st, nil, nil)
		_, err := svc.Subscribe(ctx, sc, exchange.SubscriptionInput{URL: f.metadataURL(), Key: string(pinned)})
		if err == nil || !strings.Contains(err.Error(), "too large") {
			t.Fatalf("subscribe to an oversized provider-metadata.json: %v", err)
		}
		if subs, _ := sc.Subscriptions(ctx); len(subs) != 0 {
			t.Errorf("a subscription was stored: %+v", subs)
		}
	})

	t.Run("TLP leak attempt without token", func(t *testing.T) {
		st := testutil.MustOpenStore(t)
		ctx, sc := hospital(t, st)
		f := newFakeProvider(t)
		f.site = publishSite(t, f.URL, key, good, buildDoc(t, testAdvisory("MMS-SA-2026-002", "AMBER")))
		svc := exchange.New(st, nil, nil)
		// The subscriber asks for AMBER without holding a token: the provider refuses the AMBER feed.
		sub, err := svc.Subscribe(ctx, sc, exchange.SubscriptionInput{URL: f.metadataURL(), Key: string(pinned), TLP: []string{"WHITE", "AMBER"}})
		if err != nil {
			t.Fatal(err)
		}
		res, err := svc.Sync(ctx, sc, sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		if res.Imported != 1 || !strings.Contains(strings.Join(res.Notes, " "), "401") {
			t.Errorf("sync = %s, notes %q: want the WHITE advisory only and the AMBER feed refused", res.Summary(), res.Notes)
		}
		if _, err := sc.AdvisoryByTrackingID(ctx, "MMS-SA-2026-002"); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("the AMBER advisory leaked: %v", err)
		}
	})
}
