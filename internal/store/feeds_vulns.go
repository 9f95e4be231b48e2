package store

import (
	"context"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// FeedRecordMetas returns hash and modification time of the stored records of a source among ids.
func (s *Store) FeedRecordMetas(ctx context.Context, source string, ids []string) (map[string]domain.FeedRecordMeta, error) {
	out := make(map[string]domain.FeedRecordMeta, len(ids))
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		args := []any{source}
		for _, id := range part {
			args = append(args, id)
		}
		rows, err := s.Read().Query(ctx, "SELECT record_id, sha256, modified FROM feed_records WHERE source = ? AND record_id IN ("+placeholders(len(part))+")", args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			var m domain.FeedRecordMeta
			if err := rows.Scan(&id, &m.SHA256, &m.Modified); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = m
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// FeedRecordIDs returns the record ids stored for a source.
func (s *Store) FeedRecordIDs(ctx context.Context, source string) ([]string, error) {
	rows, err := s.Read().Query(ctx, "SELECT record_id FROM feed_records WHERE source = ? ORDER BY record_id", source)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// CountFeedRecords returns the number of stored records of a source ("" for all); inside a Tx it
// counts what the transaction sees.
func (q Q) CountFeedRecords(ctx context.Context, source string) (int, error) {
	if source == "" {
		return q.Count(ctx, "SELECT COUNT(*) FROM feed_records")
	}
	return q.Count(ctx, "SELECT COUNT(*) FROM feed_records WHERE source = ?", source)
}

const feedRecordCols = "source, record_id, vuln_id, modified, withdrawn, sha256, data, imported, updated"

func scanFeedRecord(sc interface{ Scan(...any) error }) (domain.FeedRecord, error) {
	var r domain.FeedRecord
	err := sc.Scan(&r.Source, &r.RecordID, &r.VulnID, &r.Modified, &r.Withdrawn, &r.SHA256, &r.Data, &r.Imported, &r.Updated)
	return r, err
}

// EachFeedRecord calls fn for every stored record of a source ("" for all sources), ordered by
// source and record id. fn must not write to the store (on SQLite the read holds a connection).
func (s *Store) EachFeedRecord(ctx context.Context, source string, fn func(domain.FeedRecord) error) error {
	q := "SELECT " + feedRecordCols + " FROM feed_records"
	var args []any
	if source != "" {
		q += " WHERE source = ?"
		args = append(args, source)
	}
	rows, err := s.Read().Query(ctx, q+" ORDER BY source, record_id", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanFeedRecord(rows)
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// FeedRecordsOf returns the records merged into the vulnerability with the canonical id.
func (s *Store) FeedRecordsOf(ctx context.Context, vulnID string) ([]domain.FeedRecord, error) {
	rows, err := s.Read().Query(ctx, "SELECT "+feedRecordCols+" FROM feed_records WHERE vuln_id = ? ORDER BY source, record_id", vulnID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.FeedRecord
	for rows.Next() {
		r, err := scanFeedRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// UpsertFeedRecords stores records, replacing stored ones with the same source and record id
// (Imported stays the time of the first import).
func (tx *Tx) UpsertFeedRecords(ctx context.Context, recs []domain.FeedRecord) error {
	const per = 100
	t := now()
	for start := 0; start < len(recs); start += per {
		part := recs[start:min(start+per, len(recs))]
		args := make([]any, 0, 9*len(part))
		for _, r := range part {
			args = append(args, r.Source, r.RecordID, r.VulnID, nullTime(r.Modified), nullTime(r.Withdrawn), r.SHA256, r.Data, t, t)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO feed_records ("+feedRecordCols+") VALUES "+
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?), ", len(part)), ", ")+
			` ON CONFLICT (source, record_id) DO UPDATE SET vuln_id = excluded.vuln_id, modified = excluded.modified,
			withdrawn = excluded.withdrawn, sha256 = excluded.sha256, data = excluded.data, updated = excluded.updated`, args...); err != nil {
			return err
		}
	}
	return nil
}

// SetFeedRecordVulnID records which merged vulnerability a stored record now belongs to.
func (tx *Tx) SetFeedRecordVulnID(ctx context.Context, source, recordID, vulnID string) error {
	_, err := tx.Exec(ctx, "UPDATE feed_records SET vuln_id = ? WHERE source = ? AND record_id = ? AND vuln_id <> ?", vulnID, source, recordID, vulnID)
	return err
}

// DeleteFeedRecords removes records of a source.
func (tx *Tx) DeleteFeedRecords(ctx context.Context, source string, ids []string) error {
	return tx.deleteIn(ctx, "DELETE FROM feed_records WHERE source = ? AND record_id IN (%s)", []any{source}, ids)
}

const vulnCols = `id, aliases, summary, severity, severity_rank, cvss_score, cvss_vector, cisa_kev, cisa_kev_added, cisa_kev_due,
	kev_ransomware, eu_kev, eu_kev_reported, epss_score, epss_percentile, epss_date, published, modified, withdrawn, cwe, sources,
	fixed_versions, packages, updated`

func scanVuln(sc interface{ Scan(...any) error }) (domain.Vulnerability, error) {
	var v domain.Vulnerability
	var aliases, cwe, sources, fixed string
	err := sc.Scan(&v.ID, &aliases, &v.Summary, &v.Severity, &v.SeverityRank, &v.CVSSScore, &v.CVSSVector, &v.CISAKEV, &v.CISAKEVAdded,
		&v.CISAKEVDue, &v.KEVRansomware, &v.EUKEV, &v.EUKEVReported, &v.EPSSScore, &v.EPSSPercentile, &v.EPSSDate, &v.Published,
		&v.Modified, &v.Withdrawn, &cwe, &sources, &fixed, &v.PackageCount, &v.Updated)
	v.Aliases = strings.Fields(aliases)
	if v.Aliases == nil {
		v.Aliases = []string{}
	}
	v.CWE = strings.Fields(cwe)
	v.Sources = strings.Fields(sources)
	if fixed != "" {
		v.FixedVersions = strings.Split(fixed, "; ")
	}
	return v, err
}

// UpsertVulnerabilities stores merged vulnerabilities with their aliases (v.ID and v.Aliases, in the
// normalised form given in aliasKeys) and match keys (v.Packages), replacing what was stored for the
// same ids.
func (tx *Tx) UpsertVulnerabilities(ctx context.Context, vs []domain.Vulnerability, aliasKeys [][]string) error {
	ids := make([]string, len(vs))
	for i, v := range vs {
		ids[i] = v.ID
	}
	if err := tx.deleteIn(ctx, "DELETE FROM vulnerability_aliases WHERE vuln_id IN (%s)", nil, ids); err != nil {
		return err
	}
	if err := tx.deleteIn(ctx, "DELETE FROM vulnerability_packages WHERE vuln_id IN (%s)", nil, ids); err != nil {
		return err
	}
	t := now()
	for i, v := range vs {
		if _, err := tx.Exec(ctx, `INSERT INTO vulnerabilities (`+vulnCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET aliases = excluded.aliases, summary = excluded.summary, severity = excluded.severity,
			severity_rank = excluded.severity_rank, cvss_score = excluded.cvss_score, cvss_vector = excluded.cvss_vector,
			cisa_kev = excluded.cisa_kev, cisa_kev_added = excluded.cisa_kev_added, cisa_kev_due = excluded.cisa_kev_due,
			kev_ransomware = excluded.kev_ransomware, eu_kev = excluded.eu_kev, eu_kev_reported = excluded.eu_kev_reported,
			epss_score = excluded.epss_score, epss_percentile = excluded.epss_percentile, epss_date = excluded.epss_date,
			published = excluded.published, modified = excluded.modified, withdrawn = excluded.withdrawn, cwe = excluded.cwe,
			sources = excluded.sources, fixed_versions = excluded.fixed_versions, packages = excluded.packages, updated = excluded.updated`,
			v.ID, strings.Join(v.Aliases, " "), v.Summary, v.Severity, v.SeverityRank, v.CVSSScore, v.CVSSVector, v.CISAKEV,
			nullTime(v.CISAKEVAdded), nullTime(v.CISAKEVDue), v.KEVRansomware, v.EUKEV, nullTime(v.EUKEVReported), v.EPSSScore,
			v.EPSSPercentile, nullTime(v.EPSSDate), nullTime(v.Published), nullTime(v.Modified), nullTime(v.Withdrawn),
			strings.Join(v.CWE, " "), strings.Join(v.Sources, " "), strings.Join(v.FixedVersions, "; "), len(v.Packages), t); err != nil {
			return err
		}
		if err := tx.insertRows(ctx, "vulnerability_aliases (alias, vuln_id)", 2, func(add func(...any)) {
			for _, a := range aliasKeys[i] {
				add(a, v.ID)
			}
		}); err != nil {
			return err
		}
		if err := tx.insertRows(ctx, "vulnerability_packages (vuln_id, ecosystem, name)", 3, func(add func(...any)) {
			for _, k := range v.Packages {
				add(v.ID, k.Ecosystem, k.Name)
			}
		}); err != nil {
			return err
		}
	}
	return nil
}

// insertRows inserts the rows gen adds, in multi-row statements.
func (tx *Tx) insertRows(ctx context.Context, table string, cols int, gen func(add func(...any))) error {
	var args []any
	n := 0
	one := "(" + placeholders(cols) + ")"
	flush := func() error {
		if n == 0 {
			return nil
		}
		_, err := tx.Exec(ctx, "INSERT INTO "+table+" VALUES "+strings.TrimSuffix(strings.Repeat(one+", ", n), ", "), args...)
		args, n = args[:0], 0
		return err
	}
	var err error
	gen(func(vals ...any) {
		if err != nil {
			return
		}
		args = append(args, vals...)
		n++
		if n == chunk/cols {
			err = flush()
		}
	})
	if err != nil {
		return err
	}
	return flush()
}

// DeleteVulnerabilities removes merged vulnerabilities with their aliases and match keys.
func (tx *Tx) DeleteVulnerabilities(ctx context.Context, ids []string) error {
	for _, q := range []string{"DELETE FROM vulnerability_aliases WHERE vuln_id IN (%s)", "DELETE FROM vulnerability_packages WHERE vuln_id IN (%s)",
		"DELETE FROM vulnerabilities WHERE id IN (%s)"} {
		if err := tx.deleteIn(ctx, q, nil, ids); err != nil {
			return err
		}
	}
	return nil
}

// VulnEPSS is the EPSS score of a merged vulnerability (nil Score: none).
type VulnEPSS struct {
	ID         string
	Score      *float64
	Percentile *float64
	Date       *time.Time
}

// SetVulnerabilityEPSS changes the EPSS columns of merged vulnerabilities.
func (tx *Tx) SetVulnerabilityEPSS(ctx context.Context, vs []VulnEPSS) error {
	t := now()
	for _, v := range vs {
		if _, err := tx.Exec(ctx, "UPDATE vulnerabilities SET epss_score = ?, epss_percentile = ?, epss_date = ?, updated = ? WHERE id = ?",
			v.Score, v.Percentile, nullTime(v.Date), t, v.ID); err != nil {
			return err
		}
	}
	return nil
}

// CountVulnerabilities returns the number of merged vulnerabilities.
func (s *Store) CountVulnerabilities(ctx context.Context) (int, error) {
	return s.Read().Count(ctx, "SELECT COUNT(*) FROM vulnerabilities")
}

// normAlias returns the forms of a search term that an alias may be stored as (vuln.NormID: upper
// case, GitHub advisory ids as "GHSA-" and lower case).
func normAlias(q string) string {
	q = strings.TrimSpace(q)
	if len(q) > 5 && strings.EqualFold(q[:5], "GHSA-") {
		return "GHSA-" + strings.ToLower(q[5:])
	}
	return strings.ToUpper(q)
}

// ResolveVulnID returns the canonical id of the vulnerability known by id or one of its aliases.
func (s *Store) ResolveVulnID(ctx context.Context, id string) (string, error) {
	var canon string
	err := s.Read().QueryRow(ctx, "SELECT vuln_id FROM vulnerability_aliases WHERE alias = ?", normAlias(id)).Scan(&canon)
	return canon, NotFound(err, "vulnerability "+id)
}

// Vulnerability returns the merged vulnerability known by id or one of its aliases, with its match
// keys.
func (s *Store) Vulnerability(ctx context.Context, id string) (domain.Vulnerability, error) {
	canon, err := s.ResolveVulnID(ctx, id)
	if err != nil {
		return domain.Vulnerability{}, err
	}
	v, err := scanVuln(s.Read().QueryRow(ctx, "SELECT "+vulnCols+" FROM vulnerabilities WHERE id = ?", canon))
	if err != nil {
		return v, NotFound(err, "vulnerability "+id)
	}
	rows, err := s.Read().Query(ctx, "SELECT ecosystem, name FROM vulnerability_packages WHERE vuln_id = ? ORDER BY ecosystem, name", canon)
	if err != nil {
		return v, err
	}
	defer rows.Close()
	for rows.Next() {
		var k domain.MatchKey
		if err := rows.Scan(&k.Ecosystem, &k.Name); err != nil {
			return v, err
		}
		v.Packages = append(v.Packages, k)
	}
	return v, rows.Err()
}

// Vulnerabilities lists merged vulnerabilities. Q finds a vulnerability by its id or an alias, or
// else by words of its summary and ids (every word must occur); sort keys: id, severity, epss,
// published, modified, kev (date added).
func (s *Store) Vulnerabilities(ctx context.Context, f domain.VulnFilter) (domain.Page[domain.Vulnerability], error) {
	p := f.ListParams.Normalize()
	out := domain.Page[domain.Vulnerability]{Limit: p.Limit, Offset: p.Offset, Items: []domain.Vulnerability{}}
	q := s.Read()
	where := []string{"1 = 1"}
	var args []any
	if term := strings.TrimSpace(p.Q); term != "" {
		cond := []string{"id IN (SELECT vuln_id FROM vulnerability_aliases WHERE alias = ?)"}
		args = append(args, normAlias(term))
		var words []string
		var wargs []any
		for _, w := range strings.Fields(term) {
			pat := "%" + escapeLike(w) + "%"
			words = append(words, "(summary "+q.Like()+" ? ESCAPE '\\' OR id "+q.Like()+" ? ESCAPE '\\' OR aliases "+q.Like()+" ? ESCAPE '\\')")
			wargs = append(wargs, pat, pat, pat)
		}
		cond = append(cond, "("+strings.Join(words, " AND ")+")")
		args = append(args, wargs...)
		where = append(where, "("+strings.Join(cond, " OR ")+")")
	}
	if f.KEV {
		where = append(where, "(cisa_kev = ? OR eu_kev = ?)")
		args = append(args, true, true)
	}
	if f.MinSeverity > 0 {
		where = append(where, "severity_rank >= ?")
		args = append(args, f.MinSeverity)
	}
	if f.MinEPSS > 0 {
		where = append(where, "epss_score >= ?")
		args = append(args, f.MinEPSS)
	}
	if f.Package != "" {
		where = append(where, "id IN (SELECT vuln_id FROM vulnerability_packages WHERE LOWER(name) = LOWER(?))")
		args = append(args, strings.TrimSpace(f.Package))
	}
	w := strings.Join(where, " AND ")
	var err error
	if out.Total, err = q.Count(ctx, "SELECT COUNT(*) FROM vulnerabilities WHERE "+w, args...); err != nil {
		return out, err
	}
	order := vulnOrder(p.Sort)
	rows, err := q.Query(ctx, "SELECT "+vulnCols+" FROM vulnerabilities WHERE "+w+" ORDER BY "+order+", id LIMIT ? OFFSET ?", append(args, p.Limit, p.Offset)...)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		v, err := scanVuln(rows)
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, v)
	}
	return out, rows.Err()
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// vulnOrder turns a sort key into an ORDER BY clause from an allow-list; empty values (NULL) sort
// last in both directions on both engines.
func vulnOrder(key string) string {
	desc := strings.HasPrefix(key, "-")
	cols := map[string][]string{"id": {"id"}, "severity": {"severity_rank", "cvss_score"}, "epss": {"epss_score"},
		"published": {"published"}, "modified": {"modified"}, "kev": {"cisa_kev_added"}}[strings.TrimPrefix(key, "-")]
	if cols == nil {
		return "modified DESC NULLS LAST"
	}
	parts := make([]string, len(cols))
	for i, c := range cols {
		if desc {
			parts[i] = c + " DESC NULLS LAST"
		} else {
			parts[i] = c + " ASC NULLS LAST"
		}
	}
	return strings.Join(parts, ", ")
}
