package procurement

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// TestAwardLinksInventory: awarding a device tender finds the inventory's product (by the vendor's and
// product's names, aliases included), adds the version the winner's SBOM describes, links every
// commitment to the product, and makes a later committed end of support the product's, audited; an
// earlier one changes nothing.
func TestAwardLinksInventory(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		sbomJSON := []byte(`{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
			"metadata": {"component": {"type": "device", "name": "FlowSafe 3", "version": "4.2"}},
			"components": [{"type": "library", "name": "openssl", "version": "3.0.13", "purl": "pkg:generic/openssl@3.0.13"}]}`)
		award := func(slug string, recordedEnd domain.Date) (AwardResult, domain.Product, *store.Scope) {
			t.Helper()
			org := testutil.Org(t, st, slug)
			ctx, sc := testutil.Ctx(org.ID), st.Scope(org.ID)
			var existing domain.Product
			if err := sc.Write(ctx, func(tx *store.Tx) error {
				m := domain.Manufacturer{Name: "Meridian Medical Systems", Aliases: []string{"Meridian Medical Systems B.V."}}
				if err := tx.CreateManufacturer(ctx, &m); err != nil {
					return err
				}
				pv, _, err := tx.EnsureProductVersion(ctx, "Meridian Medical Systems", "FlowSafe 3", "4.1")
				if err != nil {
					return err
				}
				if existing, err = tx.Scope().Product(ctx, pv.ProductID); err != nil {
					return err
				}
				existing.EndOfSupport = recordedEnd
				return tx.UpdateProduct(ctx, existing)
			}); err != nil {
				t.Fatal(err)
			}
			tn, err := CreateTender(ctx, sc, TenderInput{Reference: "T-7", Title: "Infusion pumps", Criteria: []string{"dev.sbom", "dev.support-period", "dev.cvd"}})
			if err != nil {
				t.Fatal(err)
			}
			b := domain.Bid{TenderID: tn.ID, Vendor: "Meridian Medical Systems B.V.", Product: "flowsafe 3"}
			if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.CreateBid(ctx, &b) }); err != nil {
				t.Fatal(err)
			}
			if _, err := AddSBOM(ctx, sc, tn.ID, b.ID, "flowsafe.cdx.json", sbomJSON); err != nil {
				t.Fatal(err)
			}
			if _, err := SetAnswers(ctx, sc, tn.ID, b.ID, []Answer{{Criterion: "dev.support-period", Value: "2037-12-31"}, {Criterion: "dev.cvd", Value: "Yes"}}); err != nil {
				t.Fatal(err)
			}
			ar, err := Award(ctx, sc, tn.ID, b.ID, "best", true, asOf, Options{AsOf: asOf})
			if err != nil {
				t.Fatal(err)
			}
			p, err := sc.Product(ctx, existing.ID)
			if err != nil {
				t.Fatal(err)
			}
			if ar.ProductID != existing.ID {
				t.Errorf("award linked product %d, want the inventory's %d", ar.ProductID, existing.ID)
			}
			return ar, p, sc
		}

		ar, p, sc := award("hospital-a", domain.NewDate(2030, 6, 30))
		ctx := testutil.Ctx(p.OrgID)
		var versions []string
		vs, _ := sc.ProductVersions(ctx, p.ID)
		for _, v := range vs {
			versions = append(versions, v.Version)
		}
		if diff := cmp.Diff([]string{"4.1", "4.2"}, versions); diff != "" {
			t.Errorf("versions after award (-want +got):\n%s", diff)
		}
		for _, c := range ar.Commitments {
			if c.ProductID == nil || *c.ProductID != p.ID {
				t.Errorf("commitment %s not linked to the product: %v", c.Kind, c.ProductID)
			}
		}
		linked, _ := sc.Commitments(ctx, domain.CommitmentFilter{ProductID: p.ID})
		if len(linked) != len(ar.Commitments) || len(linked) == 0 {
			t.Errorf("commitments of the product: %d, awarded %d", len(linked), len(ar.Commitments))
		}
		if p.EndOfSupport != domain.NewDate(2037, 12, 31) {
			t.Errorf("end of support after award: %s, want the committed 2037-12-31", p.EndOfSupport)
		}
		ev, _ := sc.AuditEvents(ctx, domain.AuditFilter{ListParams: domain.ListParams{Q: "support_end_committed", Limit: 10}})
		found := false
		for _, e := range ev.Items {
			found = found || (e.Action == "product.support_end_committed" && strings.Contains(e.Summary, "2037-12-31 (was 2030-06-30)") && strings.Contains(e.Summary, "T-7"))
		}
		if !found {
			t.Errorf("no audit event for the committed end of support: %+v", ev.Items)
		}

		// The inventory knows a later end of support: the contract does not shorten it.
		_, p, _ = award("hospital-b", domain.NewDate(2040, 1, 31))
		if p.EndOfSupport != domain.NewDate(2040, 1, 31) {
			t.Errorf("a later recorded end of support was changed to %s", p.EndOfSupport)
		}
	})
}
