package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// Migration 0024 derives the fleet search's keys from the components already stored, and a backup
// from before it restores with them: the components stay findable by every field.
func TestComponentSearchKeysMigration(t *testing.T) {
	for _, engine := range testutil.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st := storeAt(t, engine, 23)
			fx := newFixture(t, st, "keys")
			org, octx := fx.org.ID, testutil.Ctx(fx.org.ID)
			err := st.Scope(org).Write(octx, func(tx *store.Tx) error {
				_, err := tx.Exec(octx, `INSERT INTO sbom_components (org_id, product_version_id, grp, name, name_key, version, purl, purl_key, cpe, cpe_key)
					VALUES (?, ?, 'Org.Example', 'Zlib_Wrapper', 'zlib_wrapper', '1.2.11', 'pkg:generic/zlib_wrapper@1.2.11', 'pkg:generic/zlib_wrapper',
					'cpe:2.3:a:gnu:zlib:1.2.11:*:*:*:*:*:*:*', 'a:gnu:zlib'), (?, ?, '', 'OpenSSL', 'openssl', '1.0.2k', '', '',
					'cpe:2.3:a:openssl:openssl:1.0.2k:*:*:*:*:*:*:*', 'a:openssl:openssl')`, org, fx.u61.ID, org, fx.u62.ID)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			restored := restoredCopy(t, engine, st)
			if _, err := st.Migrate(ctx); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			for name, db := range map[string]*store.Store{"migrated": st, "restored": restored} {
				for q, want := range map[string]string{"zlib": "Zlib_Wrapper", "org.example": "Zlib_Wrapper", "pkg:generic/zlib": "Zlib_Wrapper",
					"gnu:zlib": "Zlib_Wrapper", "openssl:1.0.2k": "OpenSSL", "OPENSSL": "OpenSSL", "gnu openssl": ""} {
					page, err := db.Scope(org).Components(octx, domain.ComponentFilter{ListParams: domain.ListParams{Q: q}})
					var got []string
					for _, c := range page.Items {
						got = append(got, c.Name)
					}
					if err != nil || strings.Join(got, " ") != want {
						t.Errorf("%s: search %q found %q, want %q (%v)", name, q, got, want, err)
					}
				}
			}
		})
	}
}

// A term common to more names than the search takes from its keys is answered by reading every
// component: the same result either way.
func TestComponentSearchManyNames(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		fx := newFixture(t, st, "many")
		sc, ctx := st.Scope(fx.org.ID), testutil.Ctx(fx.org.ID)
		var comps []domain.Component
		for _, n := range []string{"lib-a", "lib-b", "lib-c", "LIB-D", "other"} {
			comps = append(comps, domain.Component{Name: n, Version: "1.0", PURL: "pkg:npm/" + strings.ToLower(n) + "@1.0", PURLKey: "pkg:npm/" + strings.ToLower(n)})
		}
		if err := sc.Write(ctx, func(tx *store.Tx) error { return replaceTestSBOM(tx, fx.u61.ID, comps) }); err != nil {
			t.Fatal(err)
		}
		for _, limit := range []int{1000, 2} {
			restore := store.SetMaxSearchNames(limit)
			for q, want := range map[string]int{"lib": 4, "npm": 5, "lib-c": 1, "pkg:npm/lib-d": 1, "zzz": 0, "lib other": 0} {
				page, err := sc.Components(ctx, domain.ComponentFilter{ListParams: domain.ListParams{Q: q}})
				if err != nil || page.Total != want || len(page.Items) != want {
					t.Errorf("limit %d: %q found %d (total %d), want %d: %v", limit, q, len(page.Items), page.Total, want, err)
				}
				w, err := sc.WhereIs(ctx, domain.ComponentFilter{ListParams: domain.ListParams{Q: q}})
				if n := 0; err == nil {
					for _, v := range w.Versions {
						n += len(v.Components)
					}
					if n != want {
						t.Errorf("limit %d: where is %q: %d components, want %d", limit, q, n, want)
					}
				}
			}
			restore()
		}
	})
}

// The search keys a reader keeps in memory follow the SBOM imports, are never taken from a
// transaction (whose SBOM may be rolled back), and stay within their budget: the results are those
// of the search in SQL in every case.
func TestComponentSearchKeyCache(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		a, b := newFixture(t, st, "cache-a"), newFixture(t, st, "cache-b")
		search := func(fx *fixture, q string) string {
			t.Helper()
			ctx := testutil.Ctx(fx.org.ID)
			page, err := st.Scope(fx.org.ID).Components(ctx, domain.ComponentFilter{ListParams: domain.ListParams{Q: q}})
			if err != nil {
				t.Fatalf("search %q: %v", q, err)
			}
			var got []string
			for _, c := range page.Items {
				got = append(got, c.Name)
			}
			return strings.Join(got, " ")
		}
		write := func(fx *fixture, fn func(tx *store.Tx) error) error {
			return st.Scope(fx.org.ID).Write(testutil.Ctx(fx.org.ID), fn)
		}
		if err := write(a, func(tx *store.Tx) error { return importNPM(tx, a.u61.ID, "alpha-lib", "shared-lib") }); err != nil {
			t.Fatal(err)
		}
		if err := write(b, func(tx *store.Tx) error { return importNPM(tx, b.u61.ID, "beta-lib", "shared-lib") }); err != nil {
			t.Fatal(err)
		}
		check := func(step string, fx *fixture, q, want string) {
			t.Helper()
			if got := search(fx, q); got != want {
				t.Errorf("%s: %s searched %q: %q, want %q", step, fx.org.Slug, q, got, want)
			}
		}
		// The first search runs in SQL and has the keys read in the background; the next ones use them.
		check("first", a, "lib", "alpha-lib shared-lib")
		check("first", b, "lib", "beta-lib shared-lib")
		loads, hits := st.SearchKeyLoads(), st.SearchKeyHits()
		check("again", a, "alpha", "alpha-lib")
		check("again", b, "shared", "shared-lib")
		check("again", a, "lib shared", "shared-lib")
		if n := st.SearchKeyLoads() - loads; n != 0 {
			t.Errorf("unchanged SBOMs: keys read %d more times", n)
		}
		if n := st.SearchKeyHits() - hits; n != 3 {
			t.Errorf("unchanged SBOMs: %d of 3 searches answered from memory", n)
		}

		// An SBOM searched inside its own transaction, then rolled back: the next import (on SQLite
		// with the same SBOM id again) must be found.
		errRollback := errors.New("rollback")
		err := write(a, func(tx *store.Tx) error {
			if err := importNPM(tx, a.u62.ID, "ghost-lib"); err != nil {
				return err
			}
			page, err := tx.Scope().Components(testutil.Ctx(a.org.ID), domain.ComponentFilter{ListParams: domain.ListParams{Q: "ghost"}})
			if err != nil || page.Total != 1 {
				t.Errorf("inside the transaction: %d found, %v", page.Total, err)
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatal(err)
		}
		if err := write(a, func(tx *store.Tx) error { return importNPM(tx, a.u62.ID, "gamma-lib") }); err != nil {
			t.Fatal(err)
		}
		check("rolled back", a, "ghost", "")
		for range 2 { // in SQL, then from the keys read again
			check("new SBOM", a, "gamma", "gamma-lib")
			check("new SBOM", a, "lib", "alpha-lib gamma-lib shared-lib")
			check("other organisation", b, "gamma", "")
			st.WaitSearchKeys()
		}

		// A budget for one organisation: the other one's keys are dropped and read again.
		sizes := st.SearchKeySizes()
		restore := store.SetSearchKeyBudget(max(sizes[a.org.ID], sizes[b.org.ID]))
		loads = st.SearchKeyLoads()
		for range 2 {
			check("small budget", a, "gamma", "gamma-lib")
			st.WaitSearchKeys()
			check("small budget", b, "beta", "beta-lib")
			st.WaitSearchKeys()
		}
		if n := st.SearchKeyLoads() - loads; n != 4 {
			t.Errorf("budget for one organisation, a b a b: keys read %d times, want 4", n)
		}
		// No room at all: searched in SQL, and the keys are not read again while the SBOMs stay.
		store.SetSearchKeyBudget(10)
		st.SearchKeySizes()
		loads = st.SearchKeyLoads()
		for range 2 {
			check("no budget", a, "lib", "alpha-lib gamma-lib shared-lib")
			check("no budget", b, "beta", "beta-lib")
			st.WaitSearchKeys()
		}
		if n := st.SearchKeyLoads() - loads; n != 2 {
			t.Errorf("no budget: keys read %d times, want 2", n)
		}
		restore()
	})
}

// importNPM makes npm packages of the names, version 1.0, the SBOM of a product version.
func importNPM(tx *store.Tx, pv int64, names ...string) error {
	return replaceTestSBOM(tx, pv, npmComponents(names...))
}

// npmComponents returns npm packages of the names, version 1.0.
func npmComponents(names ...string) []domain.Component {
	var out []domain.Component
	for _, n := range names {
		out = append(out, domain.Component{Name: n, Version: "1.0", PURL: "pkg:npm/" + n + "@1.0", PURLKey: "pkg:npm/" + n})
	}
	return out
}

// replaceTestSBOM makes comps the SBOM of a product version (with an SBOM document, as an upload).
func replaceTestSBOM(tx *store.Tx, pv int64, comps []domain.Component) error {
	ctx := testutil.Ctx(tx.Org())
	d := domain.DisclosureDocument{Kind: domain.DisclosureSBOM, Format: "cyclonedx-json", FileName: "x.cdx.json", Title: "x",
		ProductVersionID: pv, Source: "upload"}
	if err := tx.AddDocument(ctx, &d, []byte("{}")); err != nil {
		return err
	}
	return tx.ReplaceSBOM(ctx, &domain.SBOMInfo{ProductVersionID: pv, DocumentID: d.ID, Format: "cyclonedx-json"}, comps)
}

// searchNames returns a check that the fleet search for q finds the components named want (space
// separated, in order).
func searchNames(t *testing.T, ctx context.Context, sc *store.Scope) func(step, q, want string) {
	return func(step, q, want string) {
		t.Helper()
		page, err := sc.Components(ctx, domain.ComponentFilter{ListParams: domain.ListParams{Q: q}})
		if err != nil {
			t.Fatalf("%s: search %q: %v", step, q, err)
		}
		var got []string
		for _, c := range page.Items {
			got = append(got, c.Name)
		}
		if strings.Join(got, " ") != want {
			t.Errorf("%s: search %q found %q, want %q", step, q, got, want)
		}
	}
}

// An SBOM import adds the keys it brings to those in memory when it commits: the first search after
// it is answered from memory, with the new components, and nothing is read again. A transaction that
// changes the SBOMs otherwise too (a version deleted after the import) leaves the keys stale: read
// again, the result is the same.
func TestComponentSearchKeysFollowImports(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		fx := newFixture(t, st, "follow")
		org, ctx := fx.org.ID, testutil.Ctx(fx.org.ID)
		sc := st.Scope(org)
		search := searchNames(t, ctx, sc)
		if err := sc.Write(ctx, func(tx *store.Tx) error { return importNPM(tx, fx.u61.ID, "alpha-lib", "shared-lib") }); err != nil {
			t.Fatal(err)
		}
		search("first", "lib", "alpha-lib shared-lib") // in SQL; the keys are read
		st.WaitSearchKeys()
		search("from memory", "lib", "alpha-lib shared-lib")

		// two imports in one transaction; shared-lib's key is known already
		loads, hits := st.SearchKeyLoads(), st.SearchKeyHits()
		err := sc.Write(ctx, func(tx *store.Tx) error {
			if err := importNPM(tx, fx.u62.ID, "beta-lib", "shared-lib"); err != nil {
				return err
			}
			return importNPM(tx, fx.m00.ID, "gamma-lib")
		})
		if err != nil {
			t.Fatal(err)
		}
		search("after imports", "lib", "alpha-lib beta-lib gamma-lib shared-lib shared-lib")
		search("after imports", "gamma", "gamma-lib")
		st.WaitSearchKeys()
		if n, h := st.SearchKeyLoads()-loads, st.SearchKeyHits()-hits; n != 0 || h < 2 {
			t.Errorf("after imports: keys read %d times, %d searches from memory; want 0 and at least 2", n, h)
		}
		sizes := st.SearchKeySizes() // dropped: read again below
		if sizes[org] <= 0 {
			t.Errorf("after imports: no keys in memory (%v)", sizes)
		}
		search("read again", "lib", "alpha-lib beta-lib gamma-lib shared-lib shared-lib")
		st.WaitSearchKeys()

		// an import and a deleted version in one transaction: the keys are read again
		loads = st.SearchKeyLoads()
		err = sc.Write(ctx, func(tx *store.Tx) error {
			if err := importNPM(tx, fx.ct1.ID, "delta-lib"); err != nil {
				return err
			}
			return tx.DeleteProductVersion(ctx, fx.m00.ID)
		})
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			search("import and delete", "lib", "alpha-lib beta-lib delta-lib shared-lib shared-lib")
			search("import and delete", "gamma", "")
			st.WaitSearchKeys()
		}
		if n := st.SearchKeyLoads() - loads; n != 1 {
			t.Errorf("import and delete: keys read %d times, want 1", n)
		}
	})
}

// Imports of one organisation in two transactions at once: B imports (its stamp not read: no keys
// in memory yet), keys are read with B still open, then A starts and B commits while A is under way.
// A must not take its stamp before B's commit and its stamp after it (its keys would then be labelled
// with a state that includes B's SBOM, without B's keys: a search from memory would miss B's
// components). SQLite lets one writer in at a time; on PostgreSQL imports take turns. The hook lets B
// commit right after A read its first stamp, should A get that far before B ends.
func TestComponentSearchKeysConcurrentImports(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		fx := newFixture(t, st, "concurrent")
		org, ctx := fx.org.ID, testutil.Ctx(fx.org.ID)
		sc := st.Scope(org)
		search := searchNames(t, ctx, sc)
		if err := sc.Write(ctx, func(tx *store.Tx) error { return importNPM(tx, fx.u61.ID, "alpha-lib") }); err != nil {
			t.Fatal(err)
		}
		var once sync.Once
		stamped := make(chan struct{}) // A read its stamp before
		defer store.SetSBOMStampHook(func() {
			once.Do(func() {
				close(stamped)
				time.Sleep(300 * time.Millisecond) // B commits meanwhile, if it can
			})
		})()
		aDone := make(chan error, 1)
		err := sc.Write(ctx, func(tx *store.Tx) error {
			if err := importNPM(tx, fx.u62.ID, "bravo-lib"); err != nil { // B
				return err
			}
			// keys read while B is open (the search's connection sees the committed state)
			search("B open", "lib", "alpha-lib")
			st.WaitSearchKeys()
			search("B open, from memory", "lib", "alpha-lib")
			go func() {
				aDone <- sc.Write(ctx, func(tx *store.Tx) error { return importNPM(tx, fx.m00.ID, "charlie-lib") }) // A
			}()
			select {
			case <-stamped: // A got its stamp before B committed
			case <-time.After(300 * time.Millisecond): // A is waiting for B
			}
			return nil // B commits
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := <-aDone; err != nil {
			t.Fatal(err)
		}
		for _, step := range []string{"after both", "after both, again"} {
			search(step, "lib", "alpha-lib bravo-lib charlie-lib")
			search(step, "bravo", "bravo-lib")
			st.WaitSearchKeys()
		}
	})
}
