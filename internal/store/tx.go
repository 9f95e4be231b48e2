package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Scope is the store as one organisation sees it. Every method of a Scope filters by its organisation.
type Scope struct {
	Q
	org int64
}

// Scope returns the view of one organisation. The caller is responsible for having authorised the
// organisation (the faces take it from the authenticated session or token, the CLI from --org).
func (s *Store) Scope(orgID int64) *Scope {
	return &Scope{Q: Q{s: s, db: s.r}, org: orgID}
}

// outsideTx reports whether the scope reads through the readers' pool, not inside a transaction: only
// then may it answer from caches in memory, which cannot hold a transaction's uncommitted writes.
func (sc *Scope) outsideTx() bool {
	db, ok := sc.db.(*sql.DB)
	return ok && db == sc.s.r
}

// Org is the organisation id of the scope.
func (sc *Scope) Org() int64 { return sc.org }

// Tx is a write transaction of one organisation. Audit appends the audit event of a change in the same
// transaction, so a change without its audit event cannot be committed, nor the other way round.
type Tx struct {
	Q
	org   int64
	tx    *sql.Tx
	conn  *sql.Conn     // the transaction's connection on PostgreSQL, for COPY (copyRows)
	fleet *fleetTxState // see ReplaceFleetFindings
	// componentStatsChecked: the statistics of sbom_components were looked at (analyzeSBOMComponents)
	componentStatsChecked bool
	// afterCommit runs, in order, once the transaction has committed (caches of what it wrote).
	afterCommit []func()
}

// Org is the organisation id of the transaction.
func (tx *Tx) Org() int64 { return tx.org }

// Scope returns the organisation's read methods running inside the transaction: they see the
// transaction's own uncommitted changes and need no second connection. Do not call Write on it.
func (tx *Tx) Scope() *Scope { return &Scope{Q: tx.Q, org: tx.org} }

// Write runs fn in a transaction of the scope's organisation: committed when fn returns nil, rolled back
// otherwise (nothing half-written).
func (sc *Scope) Write(ctx context.Context, fn func(tx *Tx) error) error {
	return sc.s.write(ctx, sc.org, fn)
}

// WriteGlobal runs fn in a transaction that is not bound to one organisation (organisation creation,
// reference data such as vulnerability feeds). Tenant tables must not be written through it.
func (s *Store) WriteGlobal(ctx context.Context, fn func(tx *Tx) error) error {
	return s.write(ctx, 0, fn)
}

// Read returns query access to data that is not tenant data (reference data such as feeds).
func (s *Store) Read() Q { return Q{s: s, db: s.r} }

func (s *Store) write(ctx context.Context, org int64, fn func(tx *Tx) error) (err error) {
	// On PostgreSQL the transaction keeps its connection, whose pgx connection can COPY inside it.
	var conn *sql.Conn
	var sqlTx *sql.Tx
	if s.Engine() == "postgres" {
		if conn, err = s.w.Conn(ctx); err != nil {
			return fmt.Errorf("begin transaction: %w", mapErr(err))
		}
		defer conn.Close() // after the commit or the rollback: the connection goes back to the pool
		sqlTx, err = conn.BeginTx(ctx, nil)
	} else {
		sqlTx, err = s.w.BeginTx(ctx, nil)
	}
	if err != nil {
		return fmt.Errorf("begin transaction: %w", mapErr(err))
	}
	tx := &Tx{Q: Q{s: s, db: sqlTx}, org: org, tx: sqlTx, conn: conn}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		if rbErr := sqlTx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, rbErr)
		}
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", mapErr(err))
	}
	for _, f := range tx.afterCommit {
		f()
	}
	return nil
}
