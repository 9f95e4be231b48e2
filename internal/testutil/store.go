// Package testutil has helpers shared by tests: stores on both engines, golden files, a browser.
package testutil

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// Engines returns the store engines tests run on: "sqlite" always, "postgres" when VIGIL_TEST_POSTGRES
// holds a DSN.
func Engines() []string {
	if os.Getenv("VIGIL_TEST_POSTGRES") != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

// ForEachEngine runs fn as a subtest on every engine with a fresh, migrated store.
func ForEachEngine(t *testing.T, fn func(t *testing.T, st *store.Store)) {
	t.Helper()
	for _, e := range Engines() {
		t.Run(e, func(t *testing.T) {
			fn(t, OpenStore(t, e))
		})
	}
}

// MustOpenStore opens a fresh, migrated SQLite store in a temporary directory.
func MustOpenStore(tb testing.TB) *store.Store {
	tb.Helper()
	return OpenStore(tb, "sqlite")
}

// OpenStore opens a fresh, migrated store of the engine. A PostgreSQL store lives in a schema of its own
// that is dropped when the test ends.
func OpenStore(tb testing.TB, engine string) *store.Store {
	tb.Helper()
	opts := StoreOptions(tb, engine)
	st, err := store.Open(context.Background(), opts)
	if err != nil {
		tb.Fatalf("open %s store: %v", engine, err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// StoreOptions returns options for a fresh database of the engine (creating and later dropping a
// PostgreSQL schema), without opening it.
func StoreOptions(tb testing.TB, engine string) store.Options {
	tb.Helper()
	switch engine {
	case "sqlite":
		return store.Options{DataDir: tb.TempDir(), ConnectTimeout: 5 * time.Second}
	case "postgres":
		dsn := os.Getenv("VIGIL_TEST_POSTGRES")
		if dsn == "" {
			tb.Skip("VIGIL_TEST_POSTGRES is not set")
		}
		return store.Options{DSN: PostgresSchema(tb, dsn), ConnectTimeout: 10 * time.Second, MaxConns: 5}
	}
	tb.Fatalf("unknown engine %q", engine)
	return store.Options{}
}

// PostgresSchema creates a schema of its own for the test and returns a DSN whose search_path points to
// it; the schema is dropped when the test ends.
func PostgresSchema(tb testing.TB, dsn string) string {
	tb.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "vigil_test_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatalf("postgres: %v", err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		tb.Fatalf("postgres: create schema: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			tb.Errorf("postgres: drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	u, err := url.Parse(dsn)
	if err != nil {
		tb.Fatalf("VIGIL_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Org creates an organisation with the given slug.
func Org(tb testing.TB, st *store.Store, slug string) domain.Organisation {
	tb.Helper()
	o := domain.Organisation{Name: slug, Slug: slug, Country: "DE", TimeZone: "Europe/Berlin"}
	if err := st.CreateOrg(context.Background(), &o); err != nil {
		tb.Fatalf("create org %s: %v", slug, err)
	}
	return o
}

// Ctx returns a context with a test actor of the organisation.
func Ctx(org int64) context.Context {
	return domain.WithActor(context.Background(), domain.Actor{Kind: domain.ActorCLI, Name: "test", OrgID: org, Role: domain.RoleAdmin})
}
