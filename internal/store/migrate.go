package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations
var migrationFS embed.FS

// Migration is one numbered schema change. Each exists once per dialect with the same number and name.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the embedded migrations of a dialect ("sqlite" or "postgres") in order.
func Migrations(engine string) ([]Migration, error) {
	dir := path.Join("migrations", engine)
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration file %s: name must be NNNN_description.sql", e.Name())
		}
		b, err := migrationFS.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("two %s migrations with version %d", engine, out[i].Version)
		}
	}
	return out, nil
}

// migrationSteps are the Go steps of migrations whose change SQL cannot express (packing rows into
// the binary format of internal/findingset): each runs after its migration's SQL, in the same
// transaction, on both engines.
var migrationSteps = map[int]func(ctx context.Context, q Q) error{
	29: packFindingMatches,
	90: packFindingRows,
}

// MigrationStatus is one migration and whether it was applied.
type MigrationStatus struct {
	Migration
	Applied bool
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name    TEXT NOT NULL,
    applied TEXT NOT NULL
)`

func (s *Store) applied(ctx context.Context) (map[int]string, error) {
	return appliedOn(ctx, s.w)
}

func appliedOn(ctx context.Context, q queryer) (map[int]string, error) {
	if _, err := q.ExecContext(ctx, createMigrationsTable); err != nil {
		return nil, fmt.Errorf("schema_migrations: %w", err)
	}
	rows, err := q.QueryContext(ctx, "SELECT version, name FROM schema_migrations")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	got := map[int]string{}
	for rows.Next() {
		var v int
		var n string
		if err := rows.Scan(&v, &n); err != nil {
			return nil, err
		}
		got[v] = n
	}
	return got, rows.Err()
}

// checkSchemaNotNewer refuses a database that has migrations this binary does not know: an older
// binary must not write into a schema it does not understand.
func (s *Store) checkSchemaNotNewer(ctx context.Context) error {
	known, err := Migrations(s.d.name())
	if err != nil {
		return err
	}
	applied, err := s.applied(ctx)
	if err != nil {
		return err
	}
	return newerCheck(known, applied)
}

func newerCheck(known []Migration, applied map[int]string) error {
	k := map[int]bool{}
	latest := 0
	for _, m := range known {
		k[m.Version] = true
		latest = max(latest, m.Version)
	}
	var unknown []int
	for v := range applied {
		if !k[v] {
			unknown = append(unknown, v)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Ints(unknown)
	v := unknown[len(unknown)-1]
	// Migrations are numbered in per-module ranges, so the unknown one may be below the highest known.
	return fmt.Errorf("the database schema is newer than this Vigil binary: it has migration %04d_%s, "+
		"which this binary does not know (it has %d migrations, numbered up to %04d); upgrade Vigil (or restore a backup made with this version)",
		v, applied[v], len(known), latest)
}

// Migrate applies pending migrations, each in its own transaction, and returns those it applied.
// Migrations are applied as a set: one that is missing is applied even when later ones exist, so modules
// developed in parallel can number their migrations in their own ranges.
//
// Everything runs on one connection: on PostgreSQL that connection holds an advisory lock that
// serialises concurrent starts of several servers against one database, and the migrations must run on
// it (with db.max_conns 1, waiting for a second connection while holding the first would never end).
func (s *Store) Migrate(ctx context.Context) ([]Migration, error) { return s.migrate(ctx, 0) }

// migrate applies the pending migrations up to version upTo (all when 0): tests of a migration
// build the schema before it, fill it, then apply the rest.
func (s *Store) migrate(ctx context.Context, upTo int) ([]Migration, error) {
	known, err := Migrations(s.d.name())
	if err != nil {
		return nil, err
	}
	if upTo > 0 {
		known = slices.DeleteFunc(known, func(m Migration) bool { return m.Version > upTo })
	}
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if s.d.name() == "postgres" {
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(7419001)"); err != nil {
			return nil, fmt.Errorf("migration lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(7419001)")
	}
	applied, err := appliedOn(ctx, conn)
	if err != nil {
		return nil, err
	}
	if err := newerCheck(known, applied); err != nil {
		return nil, err
	}
	var done []Migration
	for _, m := range known {
		if _, ok := applied[m.Version]; ok {
			continue
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return done, err
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			tx.Rollback()
			return done, fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
		if step := migrationSteps[m.Version]; step != nil {
			if err := step(ctx, Q{s: s, db: tx}); err != nil {
				tx.Rollback()
				return done, fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.rebind("INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, ?)"),
			m.Version, m.Name, now().Format("2006-01-02T15:04:05Z")); err != nil {
			tx.Rollback()
			return done, fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
		if err := tx.Commit(); err != nil {
			return done, fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
		s.log.Info("applied migration", "version", m.Version, "name", m.Name)
		done = append(done, m)
	}
	return done, nil
}

// MigrationStatus lists the known migrations and whether each is applied.
func (s *Store) MigrationStatus(ctx context.Context) ([]MigrationStatus, error) {
	known, err := Migrations(s.d.name())
	if err != nil {
		return nil, err
	}
	applied, err := s.applied(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]MigrationStatus, len(known))
	for i, m := range known {
		_, ok := applied[m.Version]
		out[i] = MigrationStatus{Migration: m, Applied: ok}
	}
	return out, nil
}
