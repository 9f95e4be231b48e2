package store

// Vulnerability feed data (migration 0020): reference data shared by every organisation, so these
// tables have no org_id. Reads are methods on *Store (they need no Scope); writes are methods on
// the *Tx of Store.WriteGlobal. The audit event of a feed change is written by the caller into the
// organisation of the person or token who started it (Tx.AuditOrg), when there is one.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// chunk is the number of rows written or looked up per statement (SQLite allows 32,766 parameters
// since 3.32, PostgreSQL 65,535).
const chunk = 400

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func nullTime(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return TS(*t)
}

// FeedSources returns the status of every source that has been imported or synced, in the order
// of domain.FeedSourceNames.
func (s *Store) FeedSources(ctx context.Context) ([]domain.FeedSource, error) {
	rows, err := s.Read().Query(ctx, `SELECT name, last_success, last_attempt, last_error, records, origin, state, last_result, updated
		FROM feed_sources`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.FeedSource
	for rows.Next() {
		var f domain.FeedSource
		if err := rows.Scan(&f.Name, &f.LastSuccess, &f.LastAttempt, &f.LastError, &f.Records, &f.Origin, &f.State, &f.LastResult, &f.Updated); err != nil {
			return nil, err
		}
		f.Label = domain.FeedSourceLabel(f.Name)
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b domain.FeedSource) int {
		ia, ib := slices.Index(domain.FeedSourceNames, a.Name), slices.Index(domain.FeedSourceNames, b.Name)
		if ia != ib {
			return ia - ib
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out, rows.Err()
}

// FeedSource returns the status of one source; a source never imported has only Name and Label.
func (s *Store) FeedSource(ctx context.Context, name string) (domain.FeedSource, error) {
	all, err := s.FeedSources(ctx)
	if err != nil {
		return domain.FeedSource{}, err
	}
	for _, f := range all {
		if f.Name == name {
			return f, nil
		}
	}
	return domain.FeedSource{Name: name, Label: domain.FeedSourceLabel(name), State: "{}", LastResult: "{}"}, nil
}

// SaveFeedSource stores a source's status (all fields as given).
func (tx *Tx) SaveFeedSource(ctx context.Context, f domain.FeedSource) error {
	if f.State == "" {
		f.State = "{}"
	}
	if f.LastResult == "" {
		f.LastResult = "{}"
	}
	_, err := tx.Exec(ctx, `INSERT INTO feed_sources (name, last_success, last_attempt, last_error, records, origin, state, last_result, updated)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET last_success = excluded.last_success, last_attempt = excluded.last_attempt,
		last_error = excluded.last_error, records = excluded.records, origin = excluded.origin, state = excluded.state,
		last_result = excluded.last_result, updated = excluded.updated`,
		f.Name, nullTime(f.LastSuccess), nullTime(f.LastAttempt), f.LastError, f.Records, f.Origin, f.State, f.LastResult, now())
	return err
}

// FeedGeneration returns the current feed generation: the id of the last committed feed change, 0
// before the first.
func (s *Store) FeedGeneration(ctx context.Context) (int64, error) {
	var g int64
	err := s.Read().QueryRow(ctx, "SELECT generation FROM feed_state WHERE id = 1").Scan(&g)
	return g, mapErr(err)
}

// AddFeedChange records a change in the transaction and sets c.ID to the new feed generation. On
// PostgreSQL the generation row stays locked until the transaction ends, so feed writers commit in
// generation order.
func (tx *Tx) AddFeedChange(ctx context.Context, c *domain.FeedChange) error {
	if err := tx.QueryRow(ctx, "UPDATE feed_state SET generation = generation + 1 WHERE id = 1 RETURNING generation").Scan(&c.ID); err != nil {
		return fmt.Errorf("feed generation: %w", mapErr(err))
	}
	if c.Created.IsZero() {
		c.Created = now()
	}
	list := func(xs []string) string {
		if xs == nil {
			xs = []string{}
		}
		b, _ := json.Marshal(xs)
		return string(b)
	}
	_, err := tx.Exec(ctx, `INSERT INTO feed_changes (id, created, source, origin, kind, vuln_ids, removed_ids, match_keys, all_vulns,
		created_n, updated_n, deleted_n) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, TS(c.Created), c.Source, c.Origin, c.Kind, list(c.VulnIDs), list(c.RemovedIDs), list(c.MatchKeys), c.AllVulns,
		c.CreatedRecords, c.UpdatedRecords, c.DeletedRecords)
	return err
}

// FeedChanges returns up to limit changes with an id greater than after, oldest first (limit <= 0:
// 100).
func (s *Store) FeedChanges(ctx context.Context, after int64, limit int) ([]domain.FeedChange, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.Read().Query(ctx, `SELECT id, created, source, origin, kind, vuln_ids, removed_ids, match_keys, all_vulns,
		created_n, updated_n, deleted_n FROM feed_changes WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.FeedChange{}
	for rows.Next() {
		var c domain.FeedChange
		var ids, removed, keys string
		if err := rows.Scan(&c.ID, &c.Created, &c.Source, &c.Origin, &c.Kind, &ids, &removed, &keys, &c.AllVulns,
			&c.CreatedRecords, &c.UpdatedRecords, &c.DeletedRecords); err != nil {
			return nil, err
		}
		for _, f := range []struct {
			s   string
			dst *[]string
		}{{ids, &c.VulnIDs}, {removed, &c.RemovedIDs}, {keys, &c.MatchKeys}} {
			if err := json.Unmarshal([]byte(f.s), f.dst); err != nil {
				return nil, fmt.Errorf("feed change %d: %w", c.ID, err)
			}
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// FetchState returns the conditional-request state of a URL; ok is false when it was never fetched.
func (s *Store) FetchState(ctx context.Context, url string) (st domain.FetchState, ok bool, err error) {
	err = s.Read().QueryRow(ctx, `SELECT url, source, etag, last_modified, size, sha256, fetched FROM feed_fetch_state WHERE url = ?`, url).
		Scan(&st.URL, &st.Source, &st.ETag, &st.LastModified, &st.Size, &st.SHA256, &st.Fetched)
	if errors.Is(err, sql.ErrNoRows) {
		return st, false, nil
	}
	return st, err == nil, mapErr(err)
}

// SaveFetchState stores the conditional-request state of a URL.
func (tx *Tx) SaveFetchState(ctx context.Context, st domain.FetchState) error {
	if st.Fetched.IsZero() {
		st.Fetched = now()
	}
	_, err := tx.Exec(ctx, `INSERT INTO feed_fetch_state (url, source, etag, last_modified, size, sha256, fetched) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (url) DO UPDATE SET source = excluded.source, etag = excluded.etag, last_modified = excluded.last_modified,
		size = excluded.size, sha256 = excluded.sha256, fetched = excluded.fetched`,
		st.URL, st.Source, st.ETag, st.LastModified, st.Size, st.SHA256, TS(st.Fetched))
	return err
}

// EPSSScores returns the stored scores of the given CVE ids (upper case) that have one.
func (s *Store) EPSSScores(ctx context.Context, cves []string) (map[string]domain.EPSSScore, error) {
	out := make(map[string]domain.EPSSScore, len(cves))
	for start := 0; start < len(cves); start += chunk {
		part := cves[start:min(start+chunk, len(cves))]
		args := make([]any, len(part))
		for i, c := range part {
			args[i] = c
		}
		rows, err := s.Read().Query(ctx, "SELECT cve, score, percentile FROM epss_scores WHERE cve IN ("+placeholders(len(part))+")", args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var e domain.EPSSScore
			if err := rows.Scan(&e.CVE, &e.Score, &e.Percentile); err != nil {
				rows.Close()
				return nil, err
			}
			out[e.CVE] = e
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// EachEPSS calls fn for every stored score, in CVE order.
func (s *Store) EachEPSS(ctx context.Context, fn func(domain.EPSSScore) error) error {
	rows, err := s.Read().Query(ctx, "SELECT cve, score, percentile FROM epss_scores ORDER BY cve")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e domain.EPSSScore
		if err := rows.Scan(&e.CVE, &e.Score, &e.Percentile); err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// CountEPSS returns the number of stored scores (inside a Tx: what the transaction sees).
func (q Q) CountEPSS(ctx context.Context) (int, error) {
	return q.Count(ctx, "SELECT COUNT(*) FROM epss_scores")
}

// CountEOLProducts returns the number of stored endoflife.date products.
func (q Q) CountEOLProducts(ctx context.Context) (int, error) {
	return q.Count(ctx, "SELECT COUNT(*) FROM eol_products")
}

// UpsertEPSS stores scores, replacing stored ones of the same CVE.
func (tx *Tx) UpsertEPSS(ctx context.Context, scores []domain.EPSSScore) error {
	for start := 0; start < len(scores); start += chunk {
		part := scores[start:min(start+chunk, len(scores))]
		args := make([]any, 0, 3*len(part))
		for _, e := range part {
			args = append(args, e.CVE, e.Score, e.Percentile)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO epss_scores (cve, score, percentile) VALUES "+strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", len(part)), ", ")+
			" ON CONFLICT (cve) DO UPDATE SET score = excluded.score, percentile = excluded.percentile", args...); err != nil {
			return err
		}
	}
	return nil
}

// DeleteEPSS removes the scores of the given CVE ids.
func (tx *Tx) DeleteEPSS(ctx context.Context, cves []string) error {
	return tx.deleteIn(ctx, "DELETE FROM epss_scores WHERE cve IN (%s)", nil, cves)
}

// deleteIn runs a DELETE whose %s is filled with placeholders for chunks of ids; pre are the
// arguments before the list.
func (tx *Tx) deleteIn(ctx context.Context, query string, pre []any, ids []string) error {
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		args := append([]any{}, pre...)
		for _, id := range part {
			args = append(args, id)
		}
		if _, err := tx.Exec(ctx, fmt.Sprintf(query, placeholders(len(part))), args...); err != nil {
			return err
		}
	}
	return nil
}

// queryIn runs query (its "%s" the placeholders of a chunk of ids) for the ids a chunk at a time and
// calls fn for every row.
func (q Q) queryIn(ctx context.Context, query string, ids []string, fn func(*sql.Rows) error) error {
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		rows, err := q.Query(ctx, fmt.Sprintf(query, placeholders(len(part))), args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := fn(rows); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// EOLProducts returns the stored endoflife.date products, by name.
func (s *Store) EOLProducts(ctx context.Context) ([]domain.EOLProduct, error) {
	rows, err := s.Read().Query(ctx, "SELECT name, title, category, cycles, sha256, data, releases, updated FROM eol_products ORDER BY name")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.EOLProduct
	for rows.Next() {
		var p domain.EOLProduct
		if err := rows.Scan(&p.Name, &p.Title, &p.Category, &p.Cycles, &p.SHA256, &p.Data, &p.Releases, &p.Updated); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// UpsertEOLProducts stores products, replacing stored ones of the same name.
func (tx *Tx) UpsertEOLProducts(ctx context.Context, ps []domain.EOLProduct) error {
	for _, p := range ps {
		if _, err := tx.Exec(ctx, `INSERT INTO eol_products (name, title, category, cycles, sha256, data, releases, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET title = excluded.title, category = excluded.category, cycles = excluded.cycles,
			sha256 = excluded.sha256, data = excluded.data, releases = excluded.releases, updated = excluded.updated`,
			p.Name, p.Title, p.Category, p.Cycles, p.SHA256, p.Data, p.Releases, now()); err != nil {
			return err
		}
	}
	return nil
}
