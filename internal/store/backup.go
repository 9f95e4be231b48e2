package store

import (
	"bufio"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"
)

// Backups are logical: one gzip-compressed stream of JSON lines with a header, then for each table a
// line naming it and its columns followed by one line per row. The format is the same for SQLite and
// PostgreSQL, so a backup of a small hospital's SQLite database restores into PostgreSQL when it joins
// a group, and the other way round. The dump runs in one read transaction: a consistent snapshot taken
// while the server keeps working.

// BackupFormat names the backup format and its version.
const BackupFormat = "vigil-backup/1"

// BackupHeader is the first line of a backup.
type BackupHeader struct {
	Format     string    `json:"format"`
	Created    time.Time `json:"created"`
	Engine     string    `json:"engine"`
	Migrations []int     `json:"migrations"`
	Tables     int       `json:"tables"`
}

type tableLine struct {
	Table   string   `json:"table"`
	Columns []string `json:"columns"`
	Rows    int      `json:"rows"`
}

// BackupStats says what a backup or restore covered.
type BackupStats struct {
	Tables int
	Rows   int
}

// tables lists Vigil's tables in an order that satisfies foreign keys (parents first).
func (s *Store) tables(ctx context.Context, q queryer) ([]string, error) {
	var names []string
	var rows *sql.Rows
	var err error
	if s.d.name() == "sqlite" {
		rows, err = q.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'`)
	} else {
		rows, err = q.QueryContext(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()
			AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'`)
	}
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	sort.Strings(names)
	deps := map[string][]string{}
	for _, t := range names {
		var r *sql.Rows
		if s.d.name() == "sqlite" {
			r, err = q.QueryContext(ctx, `SELECT "table" FROM pragma_foreign_key_list(?)`, t)
		} else {
			r, err = q.QueryContext(ctx, `SELECT DISTINCT ccu.table_name FROM information_schema.table_constraints tc
				JOIN information_schema.constraint_column_usage ccu ON tc.constraint_name = ccu.constraint_name AND tc.table_schema = ccu.table_schema
				WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema() AND tc.table_name = $1`, t)
		}
		if err != nil {
			return nil, err
		}
		for r.Next() {
			var p string
			if err := r.Scan(&p); err != nil {
				r.Close()
				return nil, err
			}
			if p != t {
				deps[t] = append(deps[t], p)
			}
		}
		r.Close()
	}
	var order []string
	state := map[string]int{}
	var visit func(string) error
	visit = func(t string) error {
		switch state[t] {
		case 1:
			return fmt.Errorf("foreign-key cycle at table %s", t)
		case 2:
			return nil
		}
		state[t] = 1
		for _, p := range deps[t] {
			if err := visit(p); err != nil {
				return err
			}
		}
		state[t] = 2
		order = append(order, t)
		return nil
	}
	for _, t := range names {
		if err := visit(t); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// readSnapshot begins a read-only transaction that sees one state of the database throughout
// (REPEATABLE READ on PostgreSQL; a read transaction on SQLite's WAL is one).
func (s *Store) readSnapshot(ctx context.Context) (*sql.Tx, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if s.d.name() == "postgres" {
		opts.Isolation = sql.LevelRepeatableRead
	}
	return s.r.BeginTx(ctx, opts)
}

// Backup writes a consistent logical snapshot of the whole database to w.
func (s *Store) Backup(ctx context.Context, w io.Writer) (BackupStats, error) {
	var st BackupStats
	tx, err := s.readSnapshot(ctx)
	if err != nil {
		return st, err
	}
	defer tx.Rollback()
	tables, err := s.tables(ctx, tx)
	if err != nil {
		return st, err
	}
	var migrations []int
	rows, err := tx.QueryContext(ctx, "SELECT version FROM schema_migrations ORDER BY version")
	if err != nil {
		return st, err
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return st, err
		}
		migrations = append(migrations, v)
	}
	rows.Close()
	gz := gzip.NewWriter(w)
	bw := bufio.NewWriterSize(gz, 1<<16)
	enc := json.NewEncoder(bw)
	if err := enc.Encode(BackupHeader{Format: BackupFormat, Created: now(), Engine: s.d.name(), Migrations: migrations, Tables: len(tables)}); err != nil {
		return st, err
	}
	for _, t := range tables {
		n, err := s.dumpTable(ctx, tx, t, enc)
		if err != nil {
			return st, fmt.Errorf("backup table %s: %w", t, err)
		}
		st.Tables++
		st.Rows += n
	}
	if err := bw.Flush(); err != nil {
		return st, err
	}
	return st, gz.Close()
}

func (s *Store) dumpTable(ctx context.Context, tx *sql.Tx, table string, enc *json.Encoder) (int, error) {
	var count int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM "`+table+`"`).Scan(&count); err != nil {
		return 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT * FROM "`+table+`"`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	if err := enc.Encode(tableLine{Table: table, Columns: cols, Rows: count}); err != nil {
		return 0, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		out := make([]any, len(cols))
		for i, v := range vals {
			switch x := v.(type) {
			case time.Time:
				out[i] = map[string]string{"t": x.UTC().Format(time.RFC3339Nano)}
			case []byte:
				out[i] = map[string]string{"b": base64.StdEncoding.EncodeToString(x)}
			default:
				out[i] = x
			}
		}
		if err := enc.Encode(out); err != nil {
			return n, err
		}
		n++
	}
	if n != count {
		return n, fmt.Errorf("read %d rows, expected %d", n, count)
	}
	return n, rows.Err()
}

// Restore loads a backup into this database, which must be freshly migrated and empty. Everything is
// restored in one transaction: a damaged backup leaves the database as it was.
func (s *Store) Restore(ctx context.Context, r io.Reader) (BackupStats, error) {
	var st BackupStats
	defer s.keys.reset() // the restored organisations' SBOM stamps may equal the ones searched before
	defer s.findex.reset()
	gz, err := gzip.NewReader(r)
	if err != nil {
		return st, fmt.Errorf("not a Vigil backup (expected gzip data): %w", err)
	}
	dec := json.NewDecoder(bufio.NewReaderSize(gz, 1<<16))
	dec.UseNumber()
	var h BackupHeader
	if err := dec.Decode(&h); err != nil || h.Format != BackupFormat {
		return st, fmt.Errorf("not a Vigil backup (format %q)", h.Format)
	}
	known, err := Migrations(s.d.name())
	if err != nil {
		return st, err
	}
	knownSet := map[int]bool{}
	for _, m := range known {
		knownSet[m.Version] = true
	}
	for _, v := range h.Migrations {
		if !knownSet[v] {
			return st, fmt.Errorf("the backup has schema migration %04d that this Vigil binary does not know; restore it with a newer Vigil", v)
		}
	}
	var orgs int
	if err := s.w.QueryRowContext(ctx, "SELECT COUNT(*) FROM organisations").Scan(&orgs); err != nil {
		return st, err
	}
	if orgs > 0 {
		return st, errors.New("the target database is not empty; restore into a new data directory or an empty PostgreSQL database")
	}
	err = s.write(ctx, 0, func(tx *Tx) error {
		if s.d.name() == "sqlite" {
			if _, err := tx.Exec(ctx, "PRAGMA defer_foreign_keys = ON"); err != nil {
				return err
			}
		}
		types, err := s.columnTypes(ctx, tx)
		if err != nil {
			return err
		}
		// A backup from before migration 0029 has finding_matches rows (a backup from before 0022 makes
		// them from its findings): they go into a temporary table, packed into segments at the end as
		// the migration does.
		legacyMatches := !slices.Contains(h.Migrations, 29)
		if legacyMatches {
			create, mt := legacyMatchTable()
			if _, err := tx.Exec(ctx, create); err != nil {
				return fmt.Errorf("restore: finding contents: %w", err)
			}
			types["finding_matches"] = mt
		}
		// A backup from before migration 0090 has findings rows and their history keyed by finding:
		// both go into temporary tables, packed into sets at the end as the migration does.
		legacyFindings := !slices.Contains(h.Migrations, 90)
		if legacyFindings {
			creates, lt := legacyFindingTables(s.d.name())
			for _, c := range creates {
				if _, err := tx.Exec(ctx, c); err != nil {
					return fmt.Errorf("restore: findings: %w", err)
				}
			}
			maps.Copy(types, lt)
		}
		for t := 0; t < h.Tables; t++ {
			var tl tableLine
			if err := dec.Decode(&tl); err != nil {
				return fmt.Errorf("backup is damaged at table %d: %w", t+1, err)
			}
			target := tl.Table // the table the rows go into
			if legacyFindings && target == "finding_events" {
				target = "finding_events_old"
			}
			ct, ok := types[target]
			if !ok {
				return fmt.Errorf("the backup has a table %q that this database does not have", tl.Table)
			}
			// A backup from before migration 0022 has wide findings: each row is split into its
			// finding_matches row (same id, digest "f<id>", as the migration does) and the narrow row.
			var split *legacyFindingSplit
			if tl.Table == "findings" && !slices.Contains(h.Migrations, 22) {
				if split, err = newLegacyFindingSplit(tl.Columns, ct, types["finding_matches"]); err != nil {
					return err
				}
			}
			for _, c := range tl.Columns {
				if _, ok := ct[c]; !ok && split == nil {
					return fmt.Errorf("the backup's table %s has a column %q that this database does not have", tl.Table, c)
				}
			}
			// Rows a migration seeded (singletons such as feed_state) give way to the backup's.
			var seeded int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM "`+target+`"`).Scan(&seeded); err != nil {
				return fmt.Errorf("restore table %s: %w", tl.Table, err)
			}
			if seeded > 0 && tl.Rows > 0 {
				if _, err := tx.Exec(ctx, `DELETE FROM "`+target+`"`); err != nil {
					return fmt.Errorf("restore table %s: clearing %d seeded rows: %w", tl.Table, seeded, err)
				}
			}
			quoted := make([]string, len(tl.Columns))
			for i, c := range tl.Columns {
				quoted[i] = `"` + c + `"`
			}
			ins := `INSERT INTO "` + target + `" (` + strings.Join(quoted, ", ") + `) VALUES (` +
				strings.TrimSuffix(strings.Repeat("?, ", len(tl.Columns)), ", ") + `)`
			for i := 0; i < tl.Rows; i++ {
				var row []any
				if err := dec.Decode(&row); err != nil {
					return fmt.Errorf("backup is damaged in table %s at row %d: %w", tl.Table, i+1, err)
				}
				if len(row) != len(tl.Columns) {
					return fmt.Errorf("backup table %s row %d has %d values for %d columns", tl.Table, i+1, len(row), len(tl.Columns))
				}
				args := make([]any, len(row))
				for j, v := range row {
					if split != nil {
						break // converted by the split
					}
					if args[j], err = restoreValue(v, ct[tl.Columns[j]]); err != nil {
						return fmt.Errorf("backup table %s row %d column %s: %w", tl.Table, i+1, tl.Columns[j], err)
					}
				}
				if split != nil {
					err = split.insert(ctx, tx, row)
				} else {
					_, err = tx.Exec(ctx, ins, args...)
				}
				if err != nil {
					return fmt.Errorf("restore table %s row %d: %w", tl.Table, i+1, err)
				}
				st.Rows++
			}
			st.Tables++
			if s.d.name() == "postgres" {
				if _, hasID := ct["id"]; hasID && strings.Contains(ct["id"], "int") {
					if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence('"`+target+`"', 'id'), COALESCE((SELECT MAX(id) FROM "`+target+`"), 0) + 1, false)
						WHERE pg_get_serial_sequence('"`+target+`"', 'id') IS NOT NULL`); err != nil {
						return fmt.Errorf("restore table %s: identity: %w", tl.Table, err)
					}
				}
			}
		}
		if legacyMatches {
			if err := packFindingMatches(ctx, tx.Q); err != nil {
				return fmt.Errorf("restore: %w", err)
			}
		}
		if legacyFindings {
			if err := packFindingRows(ctx, tx.Q); err != nil {
				return fmt.Errorf("restore: %w", err)
			}
		}
		// The fleet search's keys (migration 0024) are derived from the components: a backup from
		// before them gets them as the migration made them.
		if !slices.Contains(h.Migrations, 24) {
			nl := "\n"
			if _, err := tx.Exec(ctx, `INSERT INTO component_search_keys (org_id, hay, name_key)
				SELECT DISTINCT org_id, name_key || ? || LOWER(purl_key) || ? || cpe || ? || LOWER(grp), name_key
				FROM sbom_components WHERE true ON CONFLICT DO NOTHING`, nl, nl, nl); err != nil {
				return fmt.Errorf("restore: component search keys: %w", err)
			}
		}
		return nil
	})
	return st, err
}

// columnTypes maps table → column → lower-case declared type.
func (s *Store) columnTypes(ctx context.Context, tx *Tx) (map[string]map[string]string, error) {
	tables, err := s.tables(ctx, tx.db)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]string{}
	for _, t := range tables {
		out[t] = map[string]string{}
		var rows *sql.Rows
		if s.d.name() == "sqlite" {
			rows, err = tx.db.QueryContext(ctx, `SELECT name, type FROM pragma_table_info(?)`, t)
		} else {
			rows, err = tx.db.QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`, t)
		}
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var c, typ string
			if err := rows.Scan(&c, &typ); err != nil {
				rows.Close()
				return nil, err
			}
			out[t][c] = strings.ToLower(typ)
		}
		rows.Close()
	}
	return out, nil
}

// restoreValue converts a JSON value of a backup into what the target column takes.
func restoreValue(v any, typ string) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		if t, ok := x["t"].(string); ok {
			return time.Parse(time.RFC3339Nano, t)
		}
		if b, ok := x["b"].(string); ok {
			return base64.StdEncoding.DecodeString(b)
		}
		return nil, fmt.Errorf("unknown value %v", x)
	case json.Number:
		if strings.Contains(typ, "bool") {
			return x.String() != "0", nil
		}
		if i, err := x.Int64(); err == nil {
			return i, nil
		}
		return x.Float64()
	case bool:
		if strings.Contains(typ, "bool") {
			return x, nil
		}
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	case string:
		if strings.Contains(typ, "timestamp") {
			// SQLite hands back text for timestamps written by hand; keep them as times.
			for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05"} {
				if t, err := time.Parse(layout, x); err == nil {
					return t, nil
				}
			}
		}
		return x, nil
	}
	return v, nil
}

// legacyFindingSplit restores a findings row of a backup from before migration 0022.
type legacyFindingSplit struct {
	rowCols, matchCols []string // target columns
	rowIdx, matchIdx   []int    // their positions in the backup row (-1: the id again, as match_id or the digest)
	rowTypes           []string
	matchTypes         []string
	rowIns, matchIns   string
	idPos              int
}

func newLegacyFindingSplit(cols []string, findings, matches map[string]string) (*legacyFindingSplit, error) {
	sp := &legacyFindingSplit{}
	id := slices.Index(cols, "id")
	if id < 0 || matches == nil {
		return nil, errors.New("the backup's findings have no id column")
	}
	for j, c := range cols {
		_, inRow := findings[c]
		_, inMatch := matches[c]
		if !inRow && !inMatch && c != "digest" {
			return nil, fmt.Errorf("the backup's table findings has a column %q that this database does not have", c)
		}
		if inRow {
			sp.rowCols, sp.rowIdx, sp.rowTypes = append(sp.rowCols, c), append(sp.rowIdx, j), append(sp.rowTypes, findings[c])
		}
		if inMatch && c != "digest" {
			sp.matchCols, sp.matchIdx, sp.matchTypes = append(sp.matchCols, c), append(sp.matchIdx, j), append(sp.matchTypes, matches[c])
		}
	}
	sp.rowCols, sp.rowIdx, sp.rowTypes = append(sp.rowCols, "match_id"), append(sp.rowIdx, id), append(sp.rowTypes, findings["match_id"])
	sp.matchCols, sp.matchIdx, sp.matchTypes = append(sp.matchCols, "digest"), append(sp.matchIdx, -1), append(sp.matchTypes, matches["digest"])
	ins := func(table string, cols []string) string {
		return "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES (" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	}
	sp.rowIns, sp.matchIns = ins("findings", sp.rowCols), ins("finding_matches", sp.matchCols)
	sp.idPos = id
	return sp, nil
}

func (sp *legacyFindingSplit) insert(ctx context.Context, tx *Tx, row []any) error {
	build := func(cols []string, idx []int, types []string) ([]any, error) {
		args := make([]any, len(idx))
		for k, j := range idx {
			var err error
			if j < 0 {
				id, err := restoreValue(row[sp.idPos], "integer")
				if err != nil {
					return nil, err
				}
				args[k] = fmt.Sprintf("f%v", id)
				continue
			}
			if args[k], err = restoreValue(row[j], types[k]); err != nil {
				return nil, fmt.Errorf("column %s: %w", cols[k], err)
			}
		}
		return args, nil
	}
	margs, err := build(sp.matchCols, sp.matchIdx, sp.matchTypes)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, sp.matchIns, margs...); err != nil {
		return err
	}
	rargs, err := build(sp.rowCols, sp.rowIdx, sp.rowTypes)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, sp.rowIns, rargs...)
	return err
}
