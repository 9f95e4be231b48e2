package fleet_test

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/fleet"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// After the first read, the component cache reads only the product versions whose SBOM changed (new,
// replaced, emptied, deleted with its version) and answers as a cache read afresh; when most changed,
// it reads everything again.
func TestComponentCacheReadsOnlyChanges(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		idx := realIndex(t)
		f, err := fleet.Bench(context.Background(), st, idx, fleet.BenchOptions{Assets: 12, Versions: 12, Components: 20, Known: 0.6, Seed: 5})
		if err != nil {
			t.Fatal(err)
		}
		org, ctx := f.OrgID, testutil.Ctx(f.OrgID)
		sc := st.Scope(org)
		ids, err := sc.FleetVersionIDs(ctx)
		if err != nil || len(ids) != 12 {
			t.Fatalf("%d product versions, %v", len(ids), err)
		}
		names := map[string]bool{"cache-new": true, "cache-moved": true}
		total := func() int64 {
			cs, err := sc.FleetComponents(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cs {
				names[c.Name] = true
			}
			return int64(len(cs))
		}
		svc := fleet.New(st, staticIndex{idx}, nil)
		// same checks that svc answers every name as a service that reads everything now.
		same := func(step string) {
			t.Helper()
			fresh := fleet.New(st, staticIndex{idx}, nil)
			for name := range names {
				got, err := svc.WhereIs(ctx, org, name)
				if err != nil {
					t.Fatal(err)
				}
				want, err := fresh.WhereIs(ctx, org, name)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, want) {
					t.Fatalf("%s: where is %q = %+v, read afresh %+v", step, name, got, want)
				}
			}
		}
		reads := func(step string, want int64) {
			t.Helper()
			before := svc.ComponentsRead()
			if _, err := svc.WhereIs(ctx, org, "x"); err != nil {
				t.Fatal(err)
			}
			if got := svc.ComponentsRead() - before; got != want {
				t.Errorf("%s: %d components read, want %d", step, got, want)
			}
		}
		sbom := func(pv int64, comps ...domain.Component) {
			t.Helper()
			err := sc.Write(ctx, func(tx *store.Tx) error {
				d := domain.DisclosureDocument{Kind: domain.DisclosureSBOM, Format: "cyclonedx-json", FileName: "t.cdx.json", Title: "t",
					ProductVersionID: pv, Source: "demo"}
				if err := tx.AddDocument(ctx, &d, []byte("{}")); err != nil {
					return err
				}
				return tx.ReplaceSBOM(ctx, &domain.SBOMInfo{ProductVersionID: pv, DocumentID: d.ID, Format: "cyclonedx-json", SpecVersion: "1.6"}, comps)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		comp := func(name, version string) domain.Component {
			return domain.Component{Ref: name, Type: "library", Name: name, Version: version,
				PURL: "pkg:npm/" + name + "@" + version, PURLKey: "pkg:npm/" + name}
		}

		reads("first use", total())
		same("first use")
		reads("nothing changed", 0)

		// A new product version with an SBOM.
		base, err := sc.ProductVersion(ctx, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		extra := domain.ProductVersion{ProductID: base.ProductID, Version: "cache-test"}
		if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.CreateProductVersion(ctx, &extra) }); err != nil {
			t.Fatal(err)
		}
		sbom(extra.ID, comp("cache-new", "1.0.0"), comp("cache-moved", "2.0.0"), comp("cache-new", "1.1.0"))
		reads("new version", 3)
		same("new version")

		// One SBOM replaced (a component moves here from the new version), one emptied.
		sbom(ids[0], comp("cache-moved", "3.0.0"), comp("left-pad", "1.3.0"))
		sbom(ids[1])
		total()
		reads("replaced and emptied", 2)
		same("replaced and emptied")
		if p, _ := svc.WhereIs(ctx, org, "cache-moved"); len(p) != 2 {
			t.Errorf("cache-moved is in %d places, want 2: %+v", len(p), p)
		}

		// The new version deleted with its SBOM.
		if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.DeleteProductVersion(ctx, extra.ID) }); err != nil {
			t.Fatal(err)
		}
		reads("version deleted", 0)
		same("version deleted")
		if p, _ := svc.WhereIs(ctx, org, "cache-new"); len(p) != 0 {
			t.Errorf("cache-new is still found in a deleted version: %+v", p)
		}

		// Matching from the updated cache stores what matching from a fresh one does.
		if _, err := svc.MatchAll(ctx, org, nil); err != nil {
			t.Fatal(err)
		}
		res, err := fleet.New(st, staticIndex{idx}, nil).MatchAll(ctx, org, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Created+res.Updated+res.Gone != 0 {
			t.Errorf("a full match from a fresh cache changed what the updated cache matched: %+v", res)
		}

		// Readers of the cache while SBOMs change and the cache is updated (the race detector watches).
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					if _, err := svc.WhereIs(ctx, org, "left-pad"); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		for i := range 4 {
			sbom(ids[2+i], comp("left-pad", "1.3."+strconv.Itoa(i)))
			if _, err := svc.MatchVersions(ctx, org, []int64{ids[2+i]}, nil, nil); err != nil {
				t.Error(err)
			}
		}
		close(stop)
		wg.Wait()
		total()
		same("read while updated")

		// Most SBOMs replaced: everything is read again.
		for _, pv := range ids[2:] {
			sbom(pv, comp("cache-new", "4.0.0"))
		}
		reads("most replaced", total())
		same("most replaced")
	})
}
