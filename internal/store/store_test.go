package store_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

func TestMigrationsMatchAcrossDialects(t *testing.T) {
	lite, err := store.Migrations("sqlite")
	if err != nil {
		t.Fatal(err)
	}
	pg, err := store.Migrations("postgres")
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) != len(pg) {
		t.Fatalf("sqlite has %d migrations, postgres %d", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].Version != pg[i].Version || lite[i].Name != pg[i].Name {
			t.Errorf("migration %d: sqlite %04d_%s, postgres %04d_%s", i, lite[i].Version, lite[i].Name, pg[i].Version, pg[i].Name)
		}
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		applied, err := st.Migrate(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != 0 {
			t.Errorf("second migrate applied %d migrations", len(applied))
		}
		status, err := st.MigrationStatus(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range status {
			if !m.Applied {
				t.Errorf("migration %d not applied", m.Version)
			}
		}
	})
}

func TestNewerSchemaRefused(t *testing.T) {
	for _, engine := range testutil.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			opts := testutil.StoreOptions(t, engine)
			st, err := store.Open(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := st.WriteGlobal(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name, applied) VALUES (9999, 'from_the_future', 'x')")
				return err
			}); err != nil {
				t.Fatal(err)
			}
			st.Close()
			_, err = store.Open(ctx, opts)
			if err == nil || !strings.Contains(err.Error(), "newer than this Vigil binary") || !strings.Contains(err.Error(), "9999_from_the_future") {
				t.Fatalf("open of a newer schema: got %v, want a refusal naming migration 9999", err)
			}
		})
	}
}

func TestAuditChainDetectsTampering(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		org := testutil.Org(t, st, "chain")
		sc := st.Scope(org.ID)
		for i := range 5 {
			if err := sc.Write(testutil.Ctx(org.ID), func(tx *store.Tx) error {
				return tx.Audit(testutil.Ctx(org.ID), store.AuditEntry{Action: "test.event", Entity: "thing", EntityID: i, Summary: "event"})
			}); err != nil {
				t.Fatal(err)
			}
		}
		rep, err := st.VerifyAudit(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Problems) != 0 || rep.Events != 6 { // org.create + 5
			t.Fatalf("clean chain: %d events, problems %v", rep.Events, rep.Problems)
		}
		// The database itself refuses edits.
		err = sc.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE audit_events SET summary = 'x' WHERE seq = 3")
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Fatalf("update of an audit event: got %v, want the append-only refusal", err)
		}

		// Someone with owner rights removes the protection and edits one event and deletes another.
		dropTriggers(t, st)
		mustExec(t, st, "UPDATE audit_events SET summary = 'nothing happened' WHERE org_id = ? AND seq = 3", org.ID)
		mustExec(t, st, "DELETE FROM audit_events WHERE org_id = ? AND seq = 5", org.ID)
		rep, err = st.VerifyAudit(ctx, org.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range rep.Problems {
			got = append(got, p.String())
		}
		joined := strings.Join(got, "\n")
		for _, want := range []string{"(seq 3): content does not match its hash", "seq 5: event missing", "(seq 6): does not link"} {
			if !strings.Contains(joined, want) {
				t.Errorf("verify report lacks %q:\n%s", want, joined)
			}
		}
		// Deleting the newest event is caught by the head.
		mustExec(t, st, "DELETE FROM audit_events WHERE org_id = ? AND seq = 6", org.ID)
		rep, _ = st.VerifyAudit(ctx, org.ID)
		found := false
		for _, p := range rep.Problems {
			found = found || (p.Seq == 6 && strings.Contains(p.Problem, "end of the chain"))
		}
		if !found {
			t.Errorf("deleting the last event not reported: %v", rep.Problems)
		}
	})
}

func dropTriggers(t *testing.T, st *store.Store) {
	t.Helper()
	if st.Engine() == "sqlite" {
		mustExec(t, st, "DROP TRIGGER audit_events_no_update")
		mustExec(t, st, "DROP TRIGGER audit_events_no_delete")
		return
	}
	mustExec(t, st, "DROP TRIGGER audit_events_no_update ON audit_events")
}

func mustExec(t *testing.T, st *store.Store, q string, args ...any) {
	t.Helper()
	if err := st.WriteGlobal(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Exec(context.Background(), q, args...)
		return err
	}); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func TestScopeIsolatesOrganisations(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		a, b := testutil.Org(t, st, "alpha"), testutil.Org(t, st, "beta")
		var ua domain.User
		if err := st.Scope(a.ID).Write(testutil.Ctx(a.ID), func(tx *store.Tx) error {
			ua = domain.User{Email: "ciso@alpha.example", Role: domain.RoleSecurityOfficer}
			return tx.CreateUser(testutil.Ctx(a.ID), &ua)
		}); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if _, err := st.Scope(b.ID).User(ctx, ua.ID); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("beta reads alpha's user: err %v", err)
		}
		page, err := st.Scope(b.ID).Users(ctx, domain.ListParams{})
		if err != nil || page.Total != 0 {
			t.Errorf("beta lists %d users (err %v), want 0", page.Total, err)
		}
		err = st.Scope(b.ID).Write(ctx, func(tx *store.Tx) error {
			return tx.UpdateUser(ctx, domain.User{ID: ua.ID, Email: ua.Email, Role: domain.RoleAdmin})
		})
		if domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("beta changes alpha's user: err %v", err)
		}
		got, _ := st.Scope(a.ID).User(ctx, ua.ID)
		if got.Role != domain.RoleSecurityOfficer {
			t.Errorf("alpha's user role changed to %s", got.Role)
		}
	})
}

func TestWriteRollsBackOnError(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		org := testutil.Org(t, st, "rb")
		ctx := testutil.Ctx(org.ID)
		err := st.Scope(org.ID).Write(ctx, func(tx *store.Tx) error {
			u := domain.User{Email: "a@rb.example", Role: domain.RoleAuditor}
			if err := tx.CreateUser(ctx, &u); err != nil {
				return err
			}
			u2 := domain.User{Email: "a@rb.example", Role: domain.RoleAuditor} // duplicate: fails
			return tx.CreateUser(ctx, &u2)
		})
		if domain.ErrorCode(err) != domain.EInvalid {
			t.Fatalf("duplicate e-mail: got %v", err)
		}
		if _, err := st.UserByEmail(ctx, "a@rb.example"); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("first user of a failed transaction was kept: %v", err)
		}
		rep, _ := st.VerifyAudit(ctx, org.ID)
		if rep.Events != 1 || len(rep.Problems) != 0 {
			t.Errorf("audit after rollback: %d events, %v", rep.Events, rep.Problems)
		}
	})
}

// storeAt opens a store of engine migrated up to version upTo only (tests of a migration).
func storeAt(t *testing.T, engine string, upTo int) *store.Store {
	t.Helper()
	ctx := context.Background()
	opts := testutil.StoreOptions(t, engine)
	opts.NoMigrate = true
	st, err := store.Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.MigrateTo(ctx, upTo); err != nil {
		t.Fatal(err)
	}
	return st
}

// restoredCopy restores a backup of st into a fresh, fully migrated store of engine.
func restoredCopy(t *testing.T, engine string, st *store.Store) *store.Store {
	t.Helper()
	ctx := context.Background()
	var backup bytes.Buffer
	if _, err := st.Backup(ctx, &backup); err != nil {
		t.Fatal(err)
	}
	restored := testutil.OpenStore(t, engine)
	if _, err := restored.Restore(ctx, &backup); err != nil {
		t.Fatalf("restore a backup from before the migration: %v", err)
	}
	return restored
}
