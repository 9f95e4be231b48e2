package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/app/apptest"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// TestExchangePages: a manufacturer writes an advisory in the editor (with an inline error first),
// publishes it, sets guidance and publishes a VEX; the public product page shows them without a login;
// a hospital subscribes through its page and queues a sync; asks a question and records the answer.
func TestExchangePages(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	h.StartJobs()
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
	psirt := h.SignIn(h.User(mfr, "psirt@meridian.example", domain.RoleManufacturer))
	psirt.Get("/publish/advisories/new").Must(t, 200)
	form := url.Values{"tracking_id": {"MMS-SA-2026-001"}, "title": {"VitaFlow 300: hard-coded credentials"}, "tlp": {"WHITE"},
		"cves": {"CVE-2026-10001"}, "cvss_vector": {"CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}, "summary": {"A fixed service password."},
		"remediation_category": {"vendor_fix"}, "remediation": {"Update to 3.2.1."}}
	r := psirt.Post("/publish/advisories", form) // no affected version: the form comes back with the error
	if r.Status != 422 || !strings.Contains(r.Body, "at least one affected product version") {
		t.Fatalf("advisory without versions: %d %.300s", r.Status, r.Body)
	}
	form.Set("affected", itoa(pv.ID))
	r = psirt.Post("/publish/advisories", form)
	id := strings.TrimPrefix(r.Location(), "/publish/advisories/")
	r = psirt.Follow(r)
	if r.Status != 200 || !strings.Contains(r.Body, "valid CSAF 2.0") || !strings.Contains(r.Body, "csaf_security_advisory") {
		t.Fatalf("advisory page: %d %.500s", r.Status, r.Body)
	}
	r = psirt.Follow(psirt.Post("/publish/advisories/"+id+"/publish", nil))
	if !strings.Contains(r.Body, "Published version 1") {
		t.Fatalf("publish: %.500s", r.Body)
	}
	psirt.Follow(psirt.Post("/publish/guidance", url.Values{"product_version_id": {itoa(pv.ID)}, "topic": {"ports"},
		"body": {"TCP 443 to the pump server only; disable the service port 2323."}})).Must(t, 200)
	r = psirt.Follow(psirt.Post("/publish/documents", url.Values{"product_version_id": {itoa(pv.ID)}, "kind": {"openvex"}, "tlp": {"WHITE"}}))
	if !strings.Contains(r.Body, "version 1") {
		t.Fatalf("publish VEX: %.500s", r.Body)
	}
	psirt.Get("/publish/provider").Must(t, 200)

	// The public product page, without a session.
	anon := h.Client()
	r = anon.Get("/exchange/meridian/products/"+itoa(pv.ProductID)).Must(t, 200)
	for _, want := range []string{"MMS-SA-2026-001", "Update to 3.2.1.", "TCP 443 to the pump server", "VEX (OpenVEX)", "provider-metadata.json"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("public product page lacks %q", want)
		}
	}
	anon.Get("/exchange/meridian/products").Must(t, 200)
	anon.Get("/exchange/nobody/products").Must(t, 404)

	// The hospital subscribes to the provider of the same instance and queues a sync.
	hosp := h.Org("nordstadt")
	ciso := h.SignIn(h.User(hosp, "ciso@nordstadt.example", domain.RoleSecurityOfficer))
	ciso.Get("/subscriptions").Must(t, 200)
	r = ciso.Post("/subscriptions", url.Values{"url": {h.URL + "/nowhere/provider-metadata.json"}})
	if r.Status != 422 || !strings.Contains(r.Body, "no CSAF provider found") {
		t.Errorf("subscribe to nothing: %d", r.Status)
	}
	r = ciso.Follow(ciso.Post("/subscriptions", url.Values{"url": {h.URL + "/exchange/meridian/.well-known/csaf/provider-metadata.json"}, "every_hours": {"0"}}))
	if !strings.Contains(r.Body, "Subscribed to Meridian Medical Systems") {
		t.Fatalf("subscribe: %.400s", r.Body)
	}
	subs, _ := h.Store.Scope(hosp.ID).Subscriptions(context.Background())
	ciso.Follow(ciso.Post("/subscriptions/"+itoa(subs[0].ID)+"/sync", nil)).Must(t, 200)

	// A question, answered as VEX.
	ciso.Get("/questions").Must(t, 200)
	ciso.Follow(ciso.Post("/questions", url.Values{"manufacturer": {"Meridian Medical Systems"}, "vulnerability": {"CVE-2024-3400"},
		"question": {"Is our firmware affected?"}})).Must(t, 200)
	qs, _ := h.Store.Scope(hosp.ID).Questions(context.Background(), "")
	r = ciso.Follow(ciso.Post("/questions/"+itoa(qs[0].ID)+"/answer", url.Values{"answer": {"Not affected."}, "status": {"not_affected"}}))
	if !strings.Contains(r.Body, "Answer recorded") {
		t.Errorf("answer: %.300s", r.Body)
	}
	ciso.Get("/sharing").Must(t, 200)
	// Another organisation's advisory editor pages are not reachable.
	ciso.Get("/publish/advisories/"+id).Must(t, 404)
}
