package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// Migration 0026 builds sbom_components again on SQLite with foreign keys checked at commit. The
// components stay with their ids, component ids are not reused, the checks still refuse a component
// of another organisation's product version (with nothing of the statement kept), and deleting a
// product version still deletes its components.
func TestSBOMComponentsDeferredForeignKeys(t *testing.T) {
	for _, engine := range testutil.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st := storeAt(t, engine, 25)
			fx, other := newFixture(t, st, "fk26"), newFixture(t, st, "fk26-other")
			org, octx := fx.org.ID, testutil.Ctx(fx.org.ID)
			sc := st.Scope(org)
			type row struct {
				id        int64
				name, key string
			}
			rows := func(db *store.Store) []row {
				t.Helper()
				var out []row
				rs, err := db.Scope(org).Query(octx, "SELECT id, name, purl_key FROM sbom_components WHERE org_id = ? ORDER BY id", org)
				if err != nil {
					t.Fatal(err)
				}
				defer rs.Close()
				for rs.Next() {
					var r row
					if err := rs.Scan(&r.id, &r.name, &r.key); err != nil {
						t.Fatal(err)
					}
					out = append(out, r)
				}
				if err := rs.Err(); err != nil {
					t.Fatal(err)
				}
				return out
			}
			write := func(fn func(tx *store.Tx) error) error { return sc.Write(octx, fn) }
			if err := write(func(tx *store.Tx) error {
				return replaceTestSBOM(tx, fx.u61.ID, npmComponents("alpha", "beta", "gamma"))
			}); err != nil {
				t.Fatal(err)
			}
			if err := write(func(tx *store.Tx) error { return replaceTestSBOM(tx, fx.u62.ID, npmComponents("delta", "epsilon")) }); err != nil {
				t.Fatal(err)
			}
			all := rows(st)
			highest := all[len(all)-1].id
			// the newest components go with their version: the highest id left is below the counter
			if err := write(func(tx *store.Tx) error { return tx.DeleteProductVersion(octx, fx.u62.ID) }); err != nil {
				t.Fatal(err)
			}
			before := rows(st)
			if len(before) != 3 {
				t.Fatalf("before the migration: %d components, want 3", len(before))
			}
			restored := restoredCopy(t, engine, st)
			if _, err := st.Migrate(ctx); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			for name, db := range map[string]*store.Store{"migrated": st, "restored": restored} {
				if got := rows(db); fmt.Sprint(got) != fmt.Sprint(before) {
					t.Errorf("%s: components %v, want %v", name, got, before)
				}
			}

			// a new import: new ids above every id ever given
			if err := write(func(tx *store.Tx) error { return replaceTestSBOM(tx, fx.u61.ID, npmComponents("alpha", "zeta")) }); err != nil {
				t.Fatal(err)
			}
			after := rows(st)
			if len(after) != 2 || after[0].id <= highest || after[1].name != "zeta" {
				t.Errorf("after a new import: %v, want alpha and zeta with ids above %d", after, highest)
			}

			// A statement with a component of another organisation's version: refused, and its other
			// row is not kept either (on SQLite at commit, the whole transaction rolled back).
			insert := "INSERT INTO"
			if engine == "sqlite" {
				insert = "INSERT OR FAIL INTO" // as ReplaceSBOM writes them
			}
			for _, pv := range []int64{other.u61.ID, 1 << 40} {
				err := write(func(tx *store.Tx) error {
					_, err := tx.Exec(octx, insert+` sbom_components (org_id, product_version_id, name, name_key) VALUES (?, ?, 'ok', 'ok'), (?, ?, 'bad', 'bad')`,
						org, fx.u61.ID, org, pv)
					return err
				})
				if err == nil {
					t.Errorf("a component of product version %d (not the organisation's) was stored", pv)
				}
			}
			// and an import into another organisation's version (PostgreSQL writes its components with COPY)
			if err := write(func(tx *store.Tx) error {
				return replaceTestSBOM(tx, other.u61.ID, npmComponents("eta", "theta"))
			}); err == nil {
				t.Error("an SBOM of another organisation's product version was imported")
			}
			if got := rows(st); fmt.Sprint(got) != fmt.Sprint(after) {
				t.Errorf("after refused statements: %v, want %v", got, after)
			}

			if engine == "sqlite" {
				var schema string
				var indexes int
				if err := sc.QueryRow(octx, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'sbom_components'").Scan(&schema); err != nil {
					t.Fatal(err)
				}
				if err := sc.QueryRow(octx, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'sbom_components' AND name LIKE 'sbom_components_org_%'").Scan(&indexes); err != nil {
					t.Fatal(err)
				}
				if n := strings.Count(schema, "DEFERRABLE INITIALLY DEFERRED"); n != 2 || indexes != 4 {
					t.Errorf("sbom_components: %d deferred foreign keys and %d indexes, want 2 and 4:\n%s", n, indexes, schema)
				}
			}

			if err := write(func(tx *store.Tx) error { return tx.DeleteProductVersion(octx, fx.u61.ID) }); err != nil {
				t.Fatal(err)
			}
			if got := rows(st); len(got) != 0 {
				t.Errorf("components left after their product version was deleted: %v", got)
			}
		})
	}
}
