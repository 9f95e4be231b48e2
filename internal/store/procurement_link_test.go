package store_test

import (
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// TestCommitmentProductBackfill runs the linking statement of migration 0062 on commitments stored
// before it: those of a device tender whose product the inventory has under the same names are linked,
// others (another product, a cloud tender) are not; deleting the product clears the link.
func TestCommitmentProductBackfill(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		org := testutil.Org(t, st, "h")
		ctx, sc := testutil.Ctx(org.ID), st.Scope(org.ID)
		var pump domain.ProductVersion
		ids := map[string]int64{}
		if err := sc.Write(ctx, func(tx *store.Tx) error {
			var err error
			if pump, _, err = tx.EnsureProductVersion(ctx, "Meridian Medical Systems", "FlowSafe 3", ""); err != nil {
				return err
			}
			for _, x := range []struct{ name, kind, product string }{{"device", "device", "FlowSafe 3"}, {"other", "device", "VitaView"}, {"cloud", "cloud", "FlowSafe 3"}} {
				t := domain.Tender{Reference: x.name, Title: x.name, Kind: x.kind, Catalogue: "default", CriteriaData: []byte(`{"criteria": [{"id": "dev.cvd"}]}`)}
				if err := tx.CreateTender(ctx, &t); err != nil {
					return err
				}
				c := domain.Commitment{TenderID: &t.ID, Manufacturer: "meridian medical systems ", Product: x.product, Kind: "cvd", Title: "CVD"}
				if err := tx.AddCommitment(ctx, &c); err != nil {
					return err
				}
				ids[x.name] = c.ID
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		ms, _ := store.Migrations(st.Engine())
		var stmt string
		for _, m := range ms {
			if m.Version == 62 {
				stmt = m.SQL[strings.Index(m.SQL, "UPDATE"):]
			}
		}
		if err := sc.Write(ctx, func(tx *store.Tx) error { _, err := tx.Exec(ctx, stmt); return err }); err != nil {
			t.Fatal(err)
		}
		for name, want := range map[string]bool{"device": true, "other": false, "cloud": false} {
			c, _ := sc.Commitment(ctx, ids[name])
			if linked := c.ProductID != nil && *c.ProductID == pump.ProductID; linked != want {
				t.Errorf("%s: linked %v (product_id %v), want %v", name, linked, c.ProductID, want)
			}
		}
		if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.DeleteProduct(ctx, pump.ProductID) }); err != nil {
			t.Fatal(err)
		}
		if c, _ := sc.Commitment(ctx, ids["device"]); c.ProductID != nil || c.Product != "FlowSafe 3" {
			t.Errorf("after deleting the product: %+v", c)
		}
	})
}
