package store

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/vigil-med/vigil/internal/domain"
)

type dialect interface {
	name() string
	numbered() bool // $1 placeholders
	ilike() string
	forUpdate() string
}

type sqliteDialect struct{}

func (sqliteDialect) name() string      { return "sqlite" }
func (sqliteDialect) numbered() bool    { return false }
func (sqliteDialect) ilike() string     { return "LIKE" } // ASCII case-insensitive by default
func (sqliteDialect) forUpdate() string { return "" }

type postgresDialect struct{}

func (postgresDialect) name() string      { return "postgres" }
func (postgresDialect) numbered() bool    { return true }
func (postgresDialect) ilike() string     { return "ILIKE" }
func (postgresDialect) forUpdate() string { return " FOR UPDATE" }

// mapErr turns driver errors into domain errors: missing rows are ENotFound, constraint violations
// EConflict or EInvalid. Other errors pass through unchanged.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &domain.Error{Code: domain.ENotFound, Message: "not found", Err: err}
	}
	if unreachable(err) {
		return &domain.Error{Code: domain.EUnavailable, Message: "the database is not reachable; try again in a moment", Err: err}
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &domain.Error{Code: domain.EConflict, Message: "already exists", Err: err}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &domain.Error{Code: domain.EConflict, Message: "refers to a record that does not exist or is still in use", Err: err}
		case sqlite3.SQLITE_CONSTRAINT_NOTNULL, sqlite3.SQLITE_CONSTRAINT_CHECK:
			return &domain.Error{Code: domain.EInvalid, Message: "a required value is missing or not allowed", Err: err}
		}
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return &domain.Error{Code: domain.EConflict, Message: "already exists", Err: err}
		case "23503":
			return &domain.Error{Code: domain.EConflict, Message: "refers to a record that does not exist or is still in use", Err: err}
		case "23502", "23514", "22P02", "22001":
			return &domain.Error{Code: domain.EInvalid, Message: "a required value is missing or not allowed", Err: err}
		}
	}
	return err
}

// unreachable reports errors that mean the database server cannot be reached (connection refused, cut
// or reset), as opposed to errors of the statement: the faces answer those with 503, not 500.
func unreachable(err error) bool {
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.Is(err, driver.ErrBadConn) || errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF)
}

// NotFound turns ENotFound from a single-row query into a named not-found error.
func NotFound(err error, what string) error {
	if domain.ErrorCode(err) == domain.ENotFound || errors.Is(err, sql.ErrNoRows) {
		return &domain.Error{Code: domain.ENotFound, Message: what + " not found"}
	}
	return mapErr(err)
}

// SkipLocked returns " FOR UPDATE SKIP LOCKED" on PostgreSQL (workers of several servers claim
// different jobs) and "" on SQLite.
func (q Q) SkipLocked() string {
	if q.s.d.name() == "postgres" {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}
