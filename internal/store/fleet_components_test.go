package store_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// EachFleetComponent reads what the matcher needs of every component (on SQLite as one packed value
// a row): values with spaces, digits, multi-byte characters, empty fields and long ones come back
// exactly as FleetComponents (which reads the columns one by one) reads them, for all product
// versions and for some.
func TestEachFleetComponent(t *testing.T) {
	for _, engine := range testutil.Engines() {
		t.Run(engine, func(t *testing.T) {
			st := testutil.OpenStore(t, engine)
			fx := newFixture(t, st, "each-comp")
			ctx, sc := testutil.Ctx(fx.org.ID), st.Scope(fx.org.ID)
			tricky := []domain.Component{
				{Ref: "a 1", Name: "12 34", Version: "5 6", PURL: "pkg:generic/12%2034@5%206", CPE: "cpe:2.3:a:x:y:5:*:*:*:*:*:*:*"},
				{Ref: "", Name: "ümlaut-ß", Version: "", PURL: "", CPE: ""},
				{Ref: "ref", Name: "only-cpe", CPE: "cpe:2.3:o:vendor:prod uct:1.0:*:*:*:*:*:*:*"},
				{Ref: strings.Repeat("r", 3000), Name: strings.Repeat("n ", 1000), Version: "1.0.0-rc.1+build 7", PURL: "pkg:npm/%40scope/x@1"},
				{Ref: "0", Name: "0", Version: "0", PURL: "0", CPE: "0"},
			}
			err := sc.Write(ctx, func(tx *store.Tx) error {
				if err := replaceTestSBOM(tx, fx.u61.ID, tricky); err != nil {
					return err
				}
				return replaceTestSBOM(tx, fx.u62.ID, npmComponents("alpha", "beta"))
			})
			if err != nil {
				t.Fatal(err)
			}
			want := func(pvs ...int64) []string {
				cs, err := sc.FleetComponents(ctx, pvs)
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, c := range cs {
					out = append(out, fmt.Sprintf("%d %d %q %q %q %q %q", c.ID, c.ProductVersionID, c.Ref, c.Name, c.Version, c.PURL, c.CPE))
				}
				return out
			}
			got := func(pvs []int64) []string {
				var out []string
				err := sc.EachFleetComponent(ctx, pvs, func(c *store.FleetComponent) error {
					out = append(out, fmt.Sprintf("%d %d %q %q %q %q %q", c.ID, c.ProductVersionID, c.Ref, c.Name, c.Version, c.PURL, c.CPE))
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				return out
			}
			all := want()
			if len(all) != len(tricky)+2 {
				t.Fatalf("FleetComponents: %d components, want %d", len(all), len(tricky)+2)
			}
			if g := got(nil); strings.Join(g, "\n") != strings.Join(all, "\n") {
				t.Errorf("all versions:\n%s\nwant\n%s", strings.Join(g, "\n"), strings.Join(all, "\n"))
			}
			if g, w := got([]int64{fx.u61.ID}), want(fx.u61.ID); strings.Join(g, "\n") != strings.Join(w, "\n") {
				t.Errorf("one version:\n%s\nwant\n%s", strings.Join(g, "\n"), strings.Join(w, "\n"))
			}
		})
	}
}
