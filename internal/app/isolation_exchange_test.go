package app_test

import (
	"context"
	"testing"

	"github.com/vigil-med/vigil/internal/app/apptest"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// The exchange's objects for the tenant-isolation suite: an advisory of its own, a subscriber token, a
// subscription, a question and a share (with a group made for it).
func init() {
	seeders = append(seeders, seedExchange)
	parentLists["/subscriptions/advisories/{id}/devices"] = "/disclosures/advisories"
	sampleBodies["updateExchangeAdvisory"] = domain.ExchangeAdvisory{TrackingID: "X-1", Title: "x", Summary: "x", Remediation: "x", Affected: []int64{1}}
	sampleBodies["answerQuestion"] = map[string]string{"answer": "not affected"}
}

func seedExchange(t *testing.T, h *apptest.Harness, tn *tenant) {
	t.Helper()
	ctx := testutil.Ctx(tn.org.ID)
	sc := h.Store.Scope(tn.org.ID)
	group := domain.Organisation{Slug: tn.org.Slug + "-group", Name: tn.marker + " group", Type: domain.OrgGroup}
	if err := h.Store.CreateOrg(context.Background(), &group); err != nil {
		t.Fatal(err)
	}
	err := sc.Write(ctx, func(tx *store.Tx) error {
		pv, _, err := tx.EnsureProductVersion(ctx, tn.marker+" Medical", tn.marker+" Pump", "1.0")
		if err != nil {
			return err
		}
		a := domain.ExchangeAdvisory{TrackingID: tn.marker + "-SA-1", Title: tn.marker + " advisory", TLP: "WHITE", Summary: "s", Remediation: "r",
			RemediationCategory: "vendor_fix", Affected: []int64{pv.ID}}
		if err := tx.SaveExchangeAdvisory(ctx, &a); err != nil {
			return err
		}
		tok := domain.SubscriberToken{Name: tn.marker + " hospital", TLPMax: "GREEN", Prefix: "vgs_" + tn.marker, Hash: "hash-" + tn.marker}
		if err := tx.CreateSubscriberToken(ctx, &tok); err != nil {
			return err
		}
		sub := domain.Subscription{URL: "https://" + tn.marker + ".example/", Name: tn.marker + " PSIRT", Kind: "csaf", TLP: []string{"WHITE"}}
		if err := tx.CreateSubscription(ctx, &sub); err != nil {
			return err
		}
		q := domain.Question{Manufacturer: tn.marker + " Medical", ProductVersionID: pv.ID, Vulnerability: "CVE-2024-3400", Question: tn.marker + " affected?"}
		if err := tx.CreateQuestion(ctx, &q); err != nil {
			return err
		}
		_, err = tx.CreateShare(ctx, group)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
