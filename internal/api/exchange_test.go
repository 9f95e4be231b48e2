package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/api"
	"github.com/vigil-med/vigil/internal/app/apptest"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/exchange"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// TestExchangeAPI runs both sides through the REST API on one instance: the manufacturer writes,
// previews and publishes an advisory and makes a subscriber token; the hospital subscribes to the
// provider, syncs and lists the affected device; the private key is never in an answer.
func TestExchangeAPI(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	mfr := domain.Organisation{Slug: "meridian", Name: "Meridian Medical Systems", Type: domain.OrgManufacturer}
	if err := h.Store.CreateOrg(context.Background(), &mfr); err != nil {
		t.Fatal(err)
	}
	mctx := testutil.Ctx(mfr.ID)
	var pv domain.ProductVersion
	if err := h.Store.Scope(mfr.ID).Write(mctx, func(tx *store.Tx) error {
		var err error
		pv, _, err = tx.EnsureProductVersion(mctx, "Meridian Medical Systems", "VitaFlow 300", "3.2.0")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	m := h.APIClient(h.Token(mfr, domain.RoleManufacturer))
	in := map[string]any{"tracking_id": "MMS-SA-2026-001", "title": "VitaFlow 300: hard-coded credentials", "tlp": "CLEAR",
		"cves": []string{"CVE-2026-10001"}, "summary": "A fixed service password.", "remediation_category": "vendor_fix",
		"remediation": "Update to 3.2.1.", "affected_version_ids": []int64{}}
	r := m.JSON("POST", api.Prefix+"/exchange/advisories", in)
	if r.Status != 400 || !strings.Contains(r.Body, "affected_version_ids") {
		t.Fatalf("advisory without versions: %d %s", r.Status, r.Body)
	}
	in["affected_version_ids"] = []int64{pv.ID}
	var adv domain.ExchangeAdvisory
	m.JSON("POST", api.Prefix+"/exchange/advisories", in).Must(t, 201).JSON(t, &adv)
	if adv.TLP != "WHITE" || adv.Status != "draft" {
		t.Errorf("created: %+v", adv)
	}
	var prev api.ExchangePreview
	m.JSON("GET", api.Prefix+"/exchange/advisories/"+itoa(adv.ID)+"/preview", nil).Must(t, 200).JSON(t, &prev)
	if len(prev.Problems) != 0 || !json.Valid(prev.Document) {
		t.Errorf("preview problems %v", prev.Problems)
	}
	var pub domain.ExchangePublication
	m.JSON("POST", api.Prefix+"/exchange/advisories/"+itoa(adv.ID)+"/publish", nil).Must(t, 200).JSON(t, &pub)
	if pub.Version != 1 || pub.SHA256 == "" {
		t.Errorf("publication: %+v", pub)
	}
	r = m.JSON("GET", api.Prefix+"/exchange/key", nil).Must(t, 200)
	if !strings.Contains(r.Body, "PUBLIC KEY") || strings.Contains(r.Body, "PRIVATE") || !strings.Contains(r.Body, "/exchange/meridian/.well-known/csaf/provider-metadata.json") {
		t.Errorf("key: %.300s", r.Body)
	}
	var tok api.ExchangeNewToken
	m.JSON("POST", api.Prefix+"/exchange/tokens", map[string]string{"name": "Nordstadt", "tlp_max": "AMBER"}).Must(t, 201).JSON(t, &tok)
	if !strings.HasPrefix(tok.Secret, "vgs_") || tok.Token.TLPMax != "AMBER" {
		t.Errorf("token: %+v", tok)
	}
	// A hospital's role may not publish.
	hosp := h.Org("nordstadt")
	if r := h.APIClient(h.Token(hosp, domain.RoleSecurityOfficer)).JSON("POST", api.Prefix+"/exchange/advisories", in); r.Status != 403 {
		t.Errorf("a security officer publishes: %d", r.Status)
	}
	hctx := testutil.Ctx(hosp.ID)
	if err := h.Store.Scope(hosp.ID).Write(hctx, func(tx *store.Tx) error {
		hv, _, err := tx.EnsureProductVersion(hctx, "Meridian Medical Systems", "VitaFlow 300", "3.2.0")
		if err != nil {
			return err
		}
		a := domain.Asset{ProductVersionID: hv.ID, AssetTag: "NUH-PUMP-0001", Owner: "ICU", Criticality: domain.CritCritical}
		return tx.CreateAsset(hctx, &a, domain.DateOf(h.App.Now()))
	}); err != nil {
		t.Fatal(err)
	}
	c := h.APIClient(h.Token(hosp, domain.RoleClinicalEngineer))
	var sub domain.Subscription
	c.JSON("POST", api.Prefix+"/subscriptions", map[string]any{"url": h.URL + "/exchange/meridian/.well-known/csaf/provider-metadata.json",
		"token": tok.Secret}).Must(t, 201).JSON(t, &sub)
	if !sub.HasToken || strings.Contains(c.JSON("GET", api.Prefix+"/subscriptions", nil).Body, tok.Secret) {
		t.Errorf("the token is stored and never returned: %+v", sub)
	}
	var res exchange.SyncResult
	c.JSON("POST", api.Prefix+"/subscriptions/"+itoa(sub.ID)+"/sync", nil).Must(t, 200).JSON(t, &res)
	if res.Imported != 1 || len(res.Advisories) != 1 || len(res.Advisories[0].Devices) != 1 {
		t.Fatalf("sync: %+v", res)
	}
	var devs []domain.AffectedDevice
	c.JSON("GET", api.Prefix+"/subscriptions/advisories/"+itoa(res.Advisories[0].AdvisoryID)+"/devices", nil).Must(t, 200).JSON(t, &devs)
	if len(devs) != 1 || devs[0].AssetTag != "NUH-PUMP-0001" || !strings.Contains(devs[0].Remediation, "Update to 3.2.1.") {
		t.Errorf("devices: %+v", devs)
	}
	var q domain.Question
	c.JSON("POST", api.Prefix+"/questions", map[string]any{"manufacturer": "Meridian Medical Systems", "vulnerability": "CVE-2024-3400",
		"product_version_id": devs[0].ProductVersion, "question": "Affected?"}).Must(t, 201).JSON(t, &q)
	c.JSON("POST", api.Prefix+"/questions/"+itoa(q.ID)+"/answer", map[string]any{"answer": "No.", "status": "not_affected",
		"justification": "component_not_present", "make_vex": true}).Must(t, 200).JSON(t, &q)
	if q.Status != "answered" || q.VEXStatementID == 0 {
		t.Errorf("answered: %+v", q)
	}
	var agg domain.Aggregate
	c.JSON("GET", api.Prefix+"/sharing/aggregate", nil).Must(t, 200).JSON(t, &agg)
	if !agg.Suppressed {
		t.Errorf("a hospital's aggregate: %+v", agg)
	}
}
