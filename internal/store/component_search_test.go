package store_test

import (
	"context"
	"strings"
	"testing"

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
		err := sc.Write(ctx, func(tx *store.Tx) error {
			d := domain.DisclosureDocument{Kind: domain.DisclosureSBOM, Format: "cyclonedx-json", FileName: "x.cdx.json", Title: "x",
				ProductVersionID: fx.u61.ID, Source: "upload"}
			if err := tx.AddDocument(ctx, &d, []byte("{}")); err != nil {
				return err
			}
			return tx.ReplaceSBOM(ctx, &domain.SBOMInfo{ProductVersionID: fx.u61.ID, DocumentID: d.ID, Format: "cyclonedx-json"}, comps)
		})
		if err != nil {
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
