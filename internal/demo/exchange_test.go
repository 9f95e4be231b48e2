package demo_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/demo"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/exchange"
	"github.com/vigil-med/vigil/internal/store"
)

// checkExchange: Meridian has published its advisory (valid, signed) with guidance, VEX and SBOM; the
// hospital is subscribed, has received the advisory and sees its three affected VitaFlow pumps.
func checkExchange(t *testing.T, st *store.Store, e *demo.Env) {
	ctx := context.Background()
	msc := st.Scope(e.Manufacturer.ID)
	svc := exchange.New(st, nil, func() string { return demo.ExchangeBaseURL })
	site, err := svc.Site(ctx, e.Manufacturer)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := site.Files[".well-known/csaf/provider-metadata.json"]; !ok {
		t.Error("the demo provider has no provider-metadata.json")
	}
	pubs, _ := msc.ExchangePublications(ctx, "", 0, 0, true)
	kinds := map[string]bool{}
	for _, p := range pubs {
		kinds[p.Kind] = true
	}
	if len(kinds) != 4 {
		t.Errorf("published kinds = %v, want csaf, openvex, cyclonedx-vex and sbom", kinds)
	}
	hsc := st.Scope(e.Hospital.ID)
	subs, _ := hsc.Subscriptions(ctx)
	if len(subs) != 1 || subs[0].Status != "ok" || !strings.Contains(subs[0].URL, "/exchange/meridian/") {
		t.Fatalf("subscriptions = %+v", subs)
	}
	adv, err := hsc.AdvisoryByTrackingID(ctx, "MMS-SA-2026-001")
	if err != nil {
		t.Fatal(err)
	}
	devs, err := hsc.AdvisoryAffectedDevices(ctx, adv.ID)
	if err != nil || len(devs) != 3 || !strings.Contains(devs[0].Remediation, "3.2.1") {
		t.Errorf("affected devices = %+v %v", devs, err)
	}
	qs, _ := hsc.Questions(ctx, "")
	if len(qs) != 2 || qs[0].Status != domain.QuestionOpen || qs[1].VEXStatementID == 0 {
		t.Errorf("questions = %+v", qs)
	}
}
