package app_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/config"
	"github.com/vigil-med/vigil/internal/csaf/provider"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/exchange"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// exInstance is a whole Vigil served by app.Serve on its own port and data directory.
type exInstance struct {
	App *app.App
	URL string
}

func startExInstance(t *testing.T) *exInstance {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Listen = "127.0.0.1:0"
	cfg.LogLevel = "warn"
	cfg.Jobs.PollInterval = 50 * time.Millisecond
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(context.Background(), cfg, app.NewLogger(cfg, io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, func(addr string) { ready <- addr }) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not start")
	}
	t.Cleanup(func() {
		cancel()
		<-done
		a.Close()
	})
	return &exInstance{App: a, URL: "http://" + addr}
}

func exOrg(t *testing.T, st *store.Store, slug, name string, typ domain.OrgType) domain.Organisation {
	t.Helper()
	o := domain.Organisation{Slug: slug, Name: name, Type: typ, Country: "NL", TimeZone: "Europe/Amsterdam"}
	if err := st.CreateOrg(context.Background(), &o); err != nil {
		t.Fatal(err)
	}
	return o
}

func exVersion(t *testing.T, st *store.Store, org int64, mfr, product, version string) domain.ProductVersion {
	t.Helper()
	ctx := testutil.Ctx(org)
	var pv domain.ProductVersion
	err := st.Scope(org).Write(ctx, func(tx *store.Tx) error {
		var err error
		pv, _, err = tx.EnsureProductVersion(ctx, mfr, product, version)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return pv
}

func exAsset(t *testing.T, st *store.Store, org, pv int64, tag, owner string) {
	t.Helper()
	ctx := testutil.Ctx(org)
	a := domain.Asset{ProductVersionID: pv, AssetTag: tag, Owner: owner, Criticality: domain.CritCritical}
	if err := st.Scope(org).Write(ctx, func(tx *store.Tx) error { return tx.CreateAsset(ctx, &a, domain.DateOf(time.Now())) }); err != nil {
		t.Fatal(err)
	}
}

func httpGet(t *testing.T, u, token string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestExchangeEndToEnd runs a manufacturer's Vigil and a hospital's Vigil side by side: the manufacturer
// writes and publishes an advisory for a product version; the hospital, subscribed to the manufacturer's
// provider, syncs, verifies every document (hash and signature with the pinned key), imports it and
// lists its affected installed devices with the advisory's remediation, with no person in between.
func TestExchangeEndToEnd(t *testing.T) {
	mfr, hosp := startExInstance(t), startExInstance(t)
	if mfr.URL == hosp.URL {
		t.Fatal("the two instances share a port")
	}

	// Manufacturer: its catalogue and an advisory, published.
	mst := mfr.App.Store
	mOrg := exOrg(t, mst, "meridian", "Meridian Medical Systems", domain.OrgManufacturer)
	mctx, msc := testutil.Ctx(mOrg.ID), mst.Scope(mOrg.ID)
	affected := exVersion(t, mst, mOrg.ID, "Meridian Medical Systems", "VitaFlow 300", "3.2.0")
	fixed := exVersion(t, mst, mOrg.ID, "Meridian Medical Systems", "VitaFlow 300", "3.2.1")
	remediation := "Update the pump software to 3.2.1 (service bulletin SB-2026-07)."
	adv := domain.ExchangeAdvisory{TrackingID: "MMS-SA-2026-001", Title: "VitaFlow 300: hard-coded service credentials", TLP: "CLEAR",
		CVEs: []string{"CVE-2026-10001"}, CWE: "CWE-798 Use of Hard-coded Credentials", CVSSVector: "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		Summary: "The service interface accepts a fixed password.", RemediationCategory: "vendor_fix", Remediation: remediation,
		Affected: []int64{affected.ID}, Fixed: []int64{fixed.ID}}
	svc := mfr.App.Exchange
	if err := svc.SaveAdvisory(mctx, msc, &adv); err != nil {
		t.Fatal(err)
	}
	if adv.Severity != "HIGH" || adv.CVSSScore != 8.8 {
		t.Errorf("CVSS = %v %s, want 8.8 HIGH", adv.CVSSScore, adv.Severity)
	}
	pub, err := svc.PublishAdvisory(mctx, msc, adv.ID)
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	if pub.Version != 1 || pub.TLP != "WHITE" {
		t.Errorf("publication = version %d TLP %s, want 1 WHITE", pub.Version, pub.TLP)
	}
	// An AMBER advisory that must not reach a subscriber without a token.
	amber := adv
	amber.ID, amber.TrackingID, amber.TLP, amber.Title = 0, "MMS-SA-2026-002", "AMBER", "VitaFlow 300: restricted details"
	if err := svc.SaveAdvisory(mctx, msc, &amber); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PublishAdvisory(mctx, msc, amber.ID); err != nil {
		t.Fatal(err)
	}

	// The provider: metadata at the organisation's path and at the well-known place of the instance.
	metaURL := mfr.URL + "/exchange/meridian/.well-known/csaf/provider-metadata.json"
	code, body := httpGet(t, metaURL, "")
	if code != http.StatusOK {
		t.Fatalf("GET provider-metadata.json: %d %s", code, body)
	}
	md, err := provider.ParseMetadata(body, metaURL)
	if err != nil {
		t.Fatalf("provider-metadata.json does not validate: %v", err)
	}
	if md.CanonicalURL != metaURL || md.Role != provider.RoleTrustedProvider || len(md.PublicKeys) != 1 {
		t.Errorf("metadata: canonical %s role %s keys %d", md.CanonicalURL, md.Role, len(md.PublicKeys))
	}
	if code, body = httpGet(t, mfr.URL+"/.well-known/csaf/provider-metadata.json", ""); code != http.StatusOK || !strings.Contains(string(body), mfr.URL+"/.well-known/csaf/") {
		t.Errorf("well-known provider-metadata.json: %d %.200s", code, body)
	}
	for _, p := range []string{"white/index.txt", "white/changes.csv", "white/csaf-feed-tlp-white.json", "white/2026/mms-sa-2026-001.json.sha512"} {
		if code, _ := httpGet(t, mfr.URL+"/exchange/meridian/.well-known/csaf/"+p, ""); code != http.StatusOK {
			t.Errorf("GET %s: %d", p, code)
		}
	}

	// TLP: the AMBER document and feed need a subscriber token.
	amberURL := mfr.URL + "/exchange/meridian/.well-known/csaf/amber/2026/mms-sa-2026-002.json"
	for _, u := range []string{amberURL, amberURL + ".asc", mfr.URL + "/exchange/meridian/.well-known/csaf/amber/csaf-feed-tlp-amber.json"} {
		if code, body := httpGet(t, u, ""); code != http.StatusUnauthorized {
			t.Errorf("GET %s without a token: %d %.100s, want 401", u, code, body)
		}
		if code, _ := httpGet(t, u, "vgs_guessed"); code != http.StatusUnauthorized {
			t.Errorf("GET %s with a wrong token: %d, want 401", u, code)
		}
	}
	_, greenSecret, err := exchange.CreateSubscriberToken(mctx, msc, "green only", "GREEN")
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := httpGet(t, amberURL, greenSecret); code != http.StatusUnauthorized {
		t.Errorf("a GREEN token reads an AMBER document: %d", code)
	}
	_, amberSecret, err := exchange.CreateSubscriberToken(mctx, msc, "Nordstadt University Hospital", "AMBER")
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := httpGet(t, amberURL, amberSecret); code != http.StatusOK {
		t.Errorf("an AMBER token cannot read the AMBER document: %d", code)
	}

	// Hospital: two installed pumps of the affected version, one of another version.
	hst := hosp.App.Store
	hOrg := exOrg(t, hst, "nordstadt", "Nordstadt University Hospital", domain.OrgHospital)
	hctx, hsc := testutil.Ctx(hOrg.ID), hst.Scope(hOrg.ID)
	hv := exVersion(t, hst, hOrg.ID, "Meridian Medical Systems", "VitaFlow 300", "3.2.0")
	other := exVersion(t, hst, hOrg.ID, "Meridian Medical Systems", "VitaFlow 300", "3.2.1")
	exAsset(t, hst, hOrg.ID, hv.ID, "NUH-PUMP-0001", "ICU biomed team")
	exAsset(t, hst, hOrg.ID, hv.ID, "NUH-PUMP-0002", "ICU biomed team")
	exAsset(t, hst, hOrg.ID, other.ID, "NUH-PUMP-0003", "Ward 4")

	hsvc := hosp.App.Exchange
	sub, err := hsvc.Subscribe(hctx, hsc, exchange.SubscriptionInput{URL: metaURL})
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	if sub.Kind != domain.SubscriptionVigil || sub.Name != "Meridian Medical Systems" || sub.KeyFingerprint != md.PublicKeys[0].Fingerprint {
		t.Errorf("subscription = %+v", sub)
	}
	res, err := hsvc.Sync(hctx, hsc, sub.ID)
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	if len(res.Rejected) != 0 || res.Imported != 1 || res.Documents != 1 {
		t.Fatalf("sync: %s; rejected %v; notes %v", res.Summary(), res.Rejected, res.Notes)
	}
	got := res.Advisories[0]
	tags := map[string]string{}
	for _, d := range got.Devices {
		tags[d.AssetTag] = d.Remediation
	}
	if len(tags) != 2 || !strings.Contains(tags["NUH-PUMP-0001"], remediation) || !strings.Contains(tags["NUH-PUMP-0002"], remediation) {
		t.Errorf("affected devices = %+v, want NUH-PUMP-0001 and -0002 with the remediation", got.Devices)
	}
	stored, err := hsc.AdvisoryAffectedDevices(hctx, got.AdvisoryID)
	if err != nil || len(stored) != 2 {
		t.Errorf("stored affected devices = %v, %v", stored, err)
	}
	if res.Subscription.Status != "ok" || res.Subscription.LastSuccess == nil {
		t.Errorf("subscription after sync = %+v", res.Subscription)
	}
	// The AMBER advisory did not come without a token; a second sync finds nothing new.
	if _, err := hsc.AdvisoryByTrackingID(hctx, "MMS-SA-2026-002"); domain.ErrorCode(err) != domain.ENotFound {
		t.Errorf("the AMBER advisory reached the hospital without a token: %v", err)
	}
	res2, err := hsvc.Sync(hctx, hsc, sub.ID)
	if err != nil || res2.Imported != 0 || res2.Unchanged != 1 {
		t.Errorf("second sync: %s, %v", res2.Summary(), err)
	}
	// The owners were notified (a webhook would carry the same event): the delivery queue holds it
	// only when a channel is configured; the notification event itself is registered.
	if _, ok := hosp.App.Notifier.Events.Get(exchange.EventAdvisory); !ok {
		t.Error("event exchange.advisory is not registered")
	}

	// A revision with a new remediation flows in on the next sync and replaces the advisory.
	adv.Remediation = "Update to 3.2.1 or later; until then disable the service interface."
	if err := svc.SaveAdvisory(mctx, msc, &adv); err != nil {
		t.Fatal(err)
	}
	if pub, err = svc.PublishAdvisory(mctx, msc, adv.ID); err != nil || pub.Version != 2 {
		t.Fatalf("revision: %+v %v", pub, err)
	}
	res3, err := hsvc.Sync(hctx, hsc, sub.ID)
	if err != nil || res3.Imported != 1 || len(res3.Advisories[0].Devices) != 2 || !strings.Contains(res3.Advisories[0].Devices[0].Remediation, adv.Remediation) {
		t.Errorf("sync of the revision: %s %+v %v", res3.Summary(), res3.Advisories, err)
	}
	// With a token, the hospital's second subscription also receives the AMBER advisory.
	hOrg2 := exOrg(t, hst, "nordstadt-2", "Nordstadt Clinic 2", domain.OrgHospital)
	h2ctx, h2sc := testutil.Ctx(hOrg2.ID), hst.Scope(hOrg2.ID)
	sub2, err := hsvc.Subscribe(h2ctx, h2sc, exchange.SubscriptionInput{URL: metaURL, Token: amberSecret})
	if err != nil {
		t.Fatal(err)
	}
	if sub2.HasToken != true || strings.Join(sub2.TLP, " ") != "WHITE GREEN AMBER" {
		t.Errorf("token subscription = %+v", sub2)
	}
	res4, err := hsvc.Sync(h2ctx, h2sc, sub2.ID)
	if err != nil || res4.Imported != 2 {
		t.Errorf("sync with a token: %s %v %v", res4.Summary(), res4.Rejected, err)
	}
}
