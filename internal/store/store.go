// Package store keeps Vigil's data in SQLite (embedded, pure Go) or PostgreSQL through one database/sql
// code path. Queries are written once with `?` placeholders and rebound for PostgreSQL; the few
// differences between the engines live in dialect.go and the per-dialect migrations.
//
// Tenant data is reached through a Scope (one organisation): every query a Scope runs is filtered by its
// organisation id, so code in the faces cannot forget the filter. Writes run in a Tx, which also appends
// the audit event of the change in the same transaction.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	_ "modernc.org/sqlite"             // SQLite driver "sqlite"
)

// Options say which database to open.
type Options struct {
	DataDir        string        // SQLite: the database is DataDir/vigil.db
	DSN            string        // PostgreSQL URL; when set, DataDir is not used for the database
	ConnectTimeout time.Duration // retry reaching the database this long at start
	MaxConns       int           // PostgreSQL pool size
	Logger         *slog.Logger
	NoMigrate      bool // do not apply migrations on open (vigil migrate --status, backups)
}

// Store is the database. It is safe for concurrent use.
type Store struct {
	w, r    *sql.DB // writer and readers; the same pool for PostgreSQL
	d       dialect
	log     *slog.Logger
	path    string // SQLite file
	dsn     string
	rebinds sync.Map
	pingErr atomic.Pointer[error] // FailPings
	keys    searchKeyCache        // the organisations' component search keys (component_search.go)
	findex  findingIndexCache     // the organisations' findings as lists filter and order them (fleet_findings_index.go)
}

// Open connects (retrying with backoff until ConnectTimeout), checks the schema version and applies
// pending migrations.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Store{log: opts.Logger, dsn: opts.DSN}
	s.keys.log = opts.Logger
	var err error
	if opts.DSN != "" {
		err = s.openPostgres(opts)
	} else {
		err = s.openSQLite(opts)
	}
	if err != nil {
		return nil, err
	}
	if err := s.waitReady(ctx, opts.ConnectTimeout); err != nil {
		s.Close()
		return nil, err
	}
	if !opts.NoMigrate {
		if _, err := s.Migrate(ctx); err != nil {
			s.Close()
			return nil, err
		}
	} else if err := s.checkSchemaNotNewer(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) openSQLite(opts Options) error {
	if err := os.MkdirAll(opts.DataDir, 0o750); err != nil {
		return fmt.Errorf("data directory %q: %w", opts.DataDir, err)
	}
	s.d = sqliteDialect{}
	s.path = filepath.Join(opts.DataDir, "vigil.db")
	// One writer connection (SQLite allows one writer at a time; BEGIN IMMEDIATE takes the write lock up
	// front so two writers queue on busy_timeout instead of failing with SQLITE_BUSY mid-transaction), and
	// a small pool of readers that WAL lets run beside the writer.
	base := "file:" + (&url.URL{Path: s.path}).EscapedPath() +
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(NORMAL)&_time_format=sqlite"
	// The writer gets a 64 MiB page cache (SQLite's default is 2 MiB): large transactions otherwise
	// spill index pages and read them again. Measured on the fleet benchmark at full size: SBOM ingest
	// 66 → 45–49 s, full match 50 → 43 s, for about 90 MB more resident memory at the peak.
	// Its statement journals (the undo of one multi-row statement) stay in memory: on disk, every
	// first change to a page within a statement cost two write calls (5 of the 50 s of a full match).
	w, err := sql.Open("sqlite", base+"&_txlock=immediate&_pragma=cache_size(-65536)&_pragma=temp_store(MEMORY)")
	if err != nil {
		return err
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return err
	}
	r.SetMaxOpenConns(4)
	s.w, s.r = w, r
	return nil
}

func (s *Store) openPostgres(opts Options) error {
	s.d = postgresDialect{}
	db, err := sql.Open("pgx", opts.DSN)
	if err != nil {
		return fmt.Errorf("database: %w", err)
	}
	n := opts.MaxConns
	if n <= 0 {
		n = 20
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxLifetime(time.Hour)
	s.w, s.r = db, db
	return nil
}

// waitReady pings the database with exponential backoff until it answers or the timeout passes.
func (s *Store) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	delay := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := s.w.PingContext(pctx)
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil || time.Now().Add(delay).After(deadline) {
			return fmt.Errorf("database %s not reachable after %d attempts over %s: %w", s.Describe(), attempt, timeout, err)
		}
		s.log.Warn("database not reachable, retrying", "attempt", attempt, "in", delay, "err", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = min(delay*2, 5*time.Second)
	}
}

// Close closes the connection pools.
func (s *Store) Close() error {
	s.keys.stop()
	err := s.w.Close()
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	return err
}

// FailPings makes Ping fail with err until it is called with nil. It is a fault injection for tests of
// readiness (/readyz) on SQLite, whose database cannot go away the way a database server can (tests on
// PostgreSQL cut the real connection instead, see testutil.TCPProxy). Production code never calls it.
func (s *Store) FailPings(err error) {
	if err == nil {
		s.pingErr.Store(nil)
		return
	}
	s.pingErr.Store(&err)
}

// Ping checks that the database answers (for /readyz).
func (s *Store) Ping(ctx context.Context) error {
	if e := s.pingErr.Load(); e != nil {
		return *e
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := s.r.PingContext(ctx); err != nil {
		return err
	}
	var one int
	return s.r.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Engine is "sqlite" or "postgres".
func (s *Store) Engine() string { return s.d.name() }

// Describe names the database for messages, without secrets.
func (s *Store) Describe() string {
	if s.path != "" {
		return "sqlite:" + s.path
	}
	u, err := url.Parse(s.dsn)
	if err != nil {
		return "postgres"
	}
	u.User = nil
	u.RawQuery = ""
	return u.String()
}

// DB returns the reader pool (for pool metrics).
func (s *Store) DB() *sql.DB { return s.r }

// rebind turns `?` placeholders into the dialect's form (cached per query text).
func (s *Store) rebind(q string) string {
	if !s.d.numbered() {
		return q
	}
	if v, ok := s.rebinds.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteByte(q[i])
	}
	out := b.String()
	s.rebinds.Store(q, out)
	return out
}

// queryer is what *sql.DB and *sql.Tx have in common.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Q runs queries on the readers or inside a transaction. Its methods rebind placeholders; callers write
// `?` only. Q is embedded in Scope (reads) and Tx (reads and writes within the transaction).
type Q struct {
	s  *Store
	db queryer
}

// Exec runs a statement.
func (q Q) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := q.db.ExecContext(ctx, q.s.rebind(query), args...)
	return res, mapErr(err)
}

// Query runs a query that returns rows.
func (q Q) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := q.db.QueryContext(ctx, q.s.rebind(query), args...)
	return rows, mapErr(err)
}

// QueryRow runs a query that returns at most one row; use ScanErr on its error.
func (q Q) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return q.db.QueryRowContext(ctx, q.s.rebind(query), args...)
}

// InsertID runs an INSERT … RETURNING id and returns the new id.
func (q Q) InsertID(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := q.db.QueryRowContext(ctx, q.s.rebind(query), args...).Scan(&id)
	return id, mapErr(err)
}

// Count runs a SELECT COUNT(*) query.
func (q Q) Count(ctx context.Context, query string, args ...any) (int, error) {
	var n int
	err := q.db.QueryRowContext(ctx, q.s.rebind(query), args...).Scan(&n)
	return n, mapErr(err)
}

// Store returns the store the queries run on.
func (q Q) Store() *Store { return q.s }

// Dialect helpers for the few places where SQL differs.

// Engine is "sqlite" or "postgres".
func (q Q) Engine() string { return q.s.d.name() }

// Like returns the case-insensitive LIKE operator of the dialect.
func (q Q) Like() string { return q.s.d.ilike() }

// ForUpdate returns " FOR UPDATE" on PostgreSQL and "" on SQLite, where the single writer already
// serialises transactions.
func (q Q) ForUpdate() string { return q.s.d.forUpdate() }

// now returns the current time as stored: UTC, truncated to microseconds (PostgreSQL's precision) so
// that values read back compare equal to those written.
func now() time.Time { return Now() }

// Now returns the current time in the precision the store keeps.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// TS normalises a time to what the store keeps (UTC, microseconds).
func TS(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
