package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/findingset"
)

// The tests' oracle for the lists, the handling figures and the risk facts: the organisation's
// findings, decoded from their sets, in a temporary findings table of the rows they had before
// migration 0090, queried in SQL as the lists ran before the index in memory. It shares no code with
// the index but the decoding of sets and contents.

var errOracleDone = errors.New("oracle done")

// withFindingRows runs fn in a transaction that holds the organisation's findings as rows of a
// temporary table "findings" (rolled back after fn).
func (sc *Scope) withFindingRows(ctx context.Context, fn func(o *Scope) error) error {
	err := sc.Write(ctx, func(tx *Tx) error {
		creates, _ := legacyFindingTables(tx.Engine())
		if _, err := tx.Exec(ctx, creates[0]); err != nil {
			return err
		}
		ts := func(t time.Time) any {
			if t.IsZero() {
				return nil
			}
			return t
		}
		var rows [][]any
		err := tx.Q.eachOrgFindingEntry(ctx, tx.org, func(pv int64, _ int, v *findingset.EntryView) error {
			e := v.Entry()
			rows = append(rows, []any{e.ID, tx.org, pv, e.ComponentKey, e.ComponentID, e.VulnID, e.SeverityRank, e.Active, e.State,
				e.Justification, e.Owner, ts(e.Expires), ts(e.StateChanged), e.StateBy, e.FirstSeen, e.LastSeen, ts(e.Gone), e.KEVNotified,
				e.MatchID, e.MatchHash})
			return nil
		})
		if err != nil {
			return err
		}
		for _, r := range rows {
			if _, err := tx.Exec(ctx, "INSERT INTO findings ("+legacyFindingCols+") VALUES ("+placeholders(len(r))+")", r...); err != nil {
				return err
			}
		}
		if err := fn(tx.Scope()); err != nil {
			return err
		}
		return errOracleDone
	})
	if errors.Is(err, errOracleDone) {
		return nil
	}
	return err
}

// FleetFindingsSQL is FleetFindings in SQL over the findings as rows (the tests' oracle).
func (sc *Scope) FleetFindingsSQL(ctx context.Context, f domain.FindingFilter) (out domain.Page[domain.Finding], err error) {
	f.ListParams = f.ListParams.Normalize()
	err = sc.withFindingRows(ctx, func(o *Scope) error {
		out, err = o.oracleFleetFindings(ctx, f)
		return err
	})
	return out, err
}

// FleetHandlingSQL is FleetHandling in SQL over the findings as rows (the tests' oracle).
func (sc *Scope) FleetHandlingSQL(ctx context.Context, now time.Time) (out FleetHandlingFigures, err error) {
	err = sc.withFindingRows(ctx, func(o *Scope) error {
		out, err = o.oracleFleetHandling(ctx, now, FleetHandlingFigures{Matched: true})
		return err
	})
	return out, err
}

const oracleFindingSel = `f.id, f.org_id, f.product_version_id, f.component_key, f.component_id, f.vuln_id, f.match_id, f.severity_rank,
	f.active, f.state, f.justification, f.owner, f.expires, f.state_changed, f.state_by, f.first_seen, f.last_seen, f.gone,
	m.name, p.name, p.id, v.version,
	(SELECT COUNT(*) FROM assets a WHERE a.org_id = f.org_id AND a.product_version_id = f.product_version_id),
	COALESCE(vu.summary, ''), COALESCE(vu.cisa_kev, FALSE), COALESCE(vu.eu_kev, FALSE), vu.epss_score, vu.epss_percentile`

const oracleFindingFrom = ` FROM findings f JOIN product_versions v ON v.org_id = f.org_id AND v.id = f.product_version_id
	JOIN products p ON p.id = v.product_id JOIN manufacturers m ON m.id = p.manufacturer_id
	LEFT JOIN vulnerabilities vu ON vu.id = f.vuln_id`

// oracleFindingRow is a finding as its row says, and the content it refers to.
type oracleFindingRow struct {
	f     domain.Finding
	match int64
}

func oracleScanFinding(sc interface{ Scan(...any) error }) (oracleFindingRow, error) {
	var r oracleFindingRow
	f := &r.f
	err := sc.Scan(&f.ID, &f.OrgID, &f.ProductVersionID, &f.ComponentKey, &f.ComponentID, &f.VulnID, &r.match, &f.SeverityRank,
		&f.Active, &f.State, &f.Justification, &f.Owner, &f.Expires, &f.StateChanged, &f.StateBy, &f.FirstSeen, &f.LastSeen, &f.Gone,
		&f.Manufacturer, &f.Product, &f.ProductID, &f.Version, &f.Installed, &f.Summary, &f.CISAKEV, &f.EUKEV, &f.EPSSScore, &f.EPSSPercentile)
	f.FirstSeen, f.LastSeen = f.FirstSeen.UTC(), f.LastSeen.UTC()
	for _, t := range []**time.Time{&f.Expires, &f.StateChanged, &f.Gone} {
		if *t != nil {
			u := (*t).UTC()
			*t = &u
		}
	}
	return r, err
}

// oracleWithContents fills in what the findings of rows say from their contents.
func (sc *Scope) oracleWithContents(ctx context.Context, rows []oracleFindingRow) ([]domain.Finding, error) {
	ids := make([]int64, len(rows))
	for i := range rows {
		ids[i] = rows[i].match
	}
	contents, err := sc.Q.findingContents(ctx, sc.org, ids)
	if err != nil {
		return nil, err
	}
	out := make([]domain.Finding, len(rows))
	for i := range rows {
		c := contents[rows[i].match]
		if c == nil {
			return nil, fmt.Errorf("finding %d: its content %d is not stored", rows[i].f.ID, rows[i].match)
		}
		out[i] = rows[i].f
		fillFromContent(&out[i], c)
	}
	return out, nil
}

// oracleQueryFindings reads findings (SELECT oracleFindingSel oracleFindingFrom …) with what they say.
func (sc *Scope) oracleQueryFindings(ctx context.Context, q string, args ...any) ([]domain.Finding, error) {
	rows, err := queryAll(ctx, sc.Q, oracleScanFinding, q, args...)
	if err != nil {
		return nil, err
	}
	return sc.oracleWithContents(ctx, rows)
}

// oracleFindingSort are the orders of the findings lists: columns of SQL, and "" for what a finding's
// content says (ordered in Go, as is the default order: known exploited, severity, CVSS score,
// vulnerability id).
var oracleFindingSort = map[string]string{"vulnerability": "f.vuln_id", "severity": "f.severity_rank", "cvss": "",
	"epss": "COALESCE(vu.epss_score, 0)", "state": "f.state", "product": "p.name_key", "manufacturer": "m.name_key",
	"component": "", "first_seen": "f.first_seen"}

func (sc *Scope) oracleFindingWhere(f domain.FindingFilter) (string, []any) {
	where, args := []string{"f.org_id = ?"}, []any{sc.org}
	if !f.All {
		where = append(where, "f.gone IS NULL", "f.active = ?")
		args = append(args, true)
	}
	if f.ProductVersionID != 0 {
		where, args = append(where, "f.product_version_id = ?"), append(args, f.ProductVersionID)
	}
	if f.ProductID != 0 {
		where, args = append(where, "v.product_id = ?"), append(args, f.ProductID)
	}
	if f.ManufacturerID != 0 {
		where, args = append(where, "p.manufacturer_id = ?"), append(args, f.ManufacturerID)
	}
	if f.AssetID != 0 {
		where = append(where, "f.product_version_id IN (SELECT a.product_version_id FROM assets a WHERE a.org_id = ? AND a.id = ?)")
		args = append(args, sc.org, f.AssetID)
	}
	if f.DepartmentID != 0 {
		where = append(where, "f.product_version_id IN (SELECT a.product_version_id FROM assets a WHERE a.org_id = ? AND a.department_id = ?)")
		args = append(args, sc.org, f.DepartmentID)
	}
	if f.VulnID != "" {
		where, args = append(where, "f.vuln_id = ?"), append(args, f.VulnID)
	}
	if len(f.States) > 0 {
		where = append(where, "f.state IN ("+discPlaceholders(len(f.States))+")")
		for _, s := range f.States {
			args = append(args, s)
		}
	}
	if r := SeverityRank(f.Severity); r > 0 {
		where, args = append(where, "f.severity_rank >= ?"), append(args, r)
	}
	if f.KEV {
		where = append(where, "(vu.cisa_kev = ? OR vu.eu_kev = ?)")
		args = append(args, true, true)
	}
	if f.MinEPSS > 0 {
		where, args = append(where, "vu.epss_score >= ?"), append(args, f.MinEPSS)
	}
	return strings.Join(where, " AND "), args
}

// oracleFleetFindings is FleetFindings in SQL: in transactions, and for an organisation with more
// findings than the index may hold. The search terms and the orders on what findings say (the default
// one among them) need the contents: then the rows that pass the other filters are read with their
// content ids, searched and ordered here, and only the page's findings read whole.
func (sc *Scope) oracleFleetFindings(ctx context.Context, f domain.FindingFilter) (domain.Page[domain.Finding], error) {
	p := f.ListParams
	w, args := sc.oracleFindingWhere(f)
	out := domain.Page[domain.Finding]{Limit: p.Limit, Offset: p.Offset, Items: []domain.Finding{}}
	terms := searchTerms(f.Q)
	key, desc := strings.TrimPrefix(p.Sort, "-"), strings.HasPrefix(p.Sort, "-")
	col, known := oracleFindingSort[key]
	if !known {
		key, col, desc = "", "", false
	}
	order := "f.id"
	if col != "" {
		order = col
		if desc {
			order += " DESC"
		}
		order += ", f.id"
	}
	var err error
	if len(terms) == 0 && col != "" {
		if out.Total, err = sc.Count(ctx, "SELECT COUNT(*)"+oracleFindingFrom+" WHERE "+w, args...); err != nil {
			return out, err
		}
		out.Items, err = sc.oracleQueryFindings(ctx, "SELECT "+oracleFindingSel+oracleFindingFrom+" WHERE "+w+" ORDER BY "+order+" LIMIT ? OFFSET ?",
			append(args, p.Limit, p.Offset)...)
		return out, err
	}
	type light struct {
		id, match int64
		vuln      string
		sev       int
		kev       bool
		product   string
		c         *findingset.Content
	}
	ls, err := queryAll(ctx, sc.Q, func(r interface{ Scan(...any) error }) (light, error) {
		var l light
		return l, r.Scan(&l.id, &l.match, &l.vuln, &l.sev, &l.kev, &l.product)
	}, "SELECT f.id, f.match_id, f.vuln_id, f.severity_rank, COALESCE(vu.cisa_kev, FALSE), p.name_key"+oracleFindingFrom+" WHERE "+w+
		" ORDER BY "+order, args...)
	if err != nil {
		return out, err
	}
	ids := make([]int64, len(ls))
	for i := range ls {
		ids[i] = ls[i].match
	}
	contents, err := sc.Q.findingContents(ctx, sc.org, ids)
	if err != nil {
		return out, err
	}
	kept := ls[:0]
	for _, l := range ls {
		if l.c = contents[l.match]; l.c == nil {
			return out, fmt.Errorf("finding %d: its content %d is not stored", l.id, l.match)
		}
		ok := true
		for _, t := range terms {
			if !strings.Contains(strings.ToLower(l.vuln), t) && !strings.Contains(strings.ToLower(l.c.Aliases), t) &&
				!strings.Contains(strings.ToLower(l.c.ComponentName), t) && !strings.Contains(strings.ToLower(l.c.ComponentPURL), t) &&
				!strings.Contains(l.product, t) {
				ok = false
				break
			}
		}
		if ok {
			kept = append(kept, l)
		}
	}
	if col == "" { // an order on contents (SQL ordered by id)
		var c func(a, b *light) int
		switch key {
		case "cvss":
			c = func(a, b *light) int { return cmp.Compare(a.c.CVSSScore, b.c.CVSSScore) }
		case "component":
			c = func(a, b *light) int { return strings.Compare(a.c.ComponentName, b.c.ComponentName) }
		default:
			c = func(a, b *light) int {
				kev := func(l *light) int {
					if l.kev {
						return 1
					}
					return 0
				}
				return cmp.Or(cmp.Compare(kev(b), kev(a)), cmp.Compare(b.sev, a.sev), cmp.Compare(b.c.CVSSScore, a.c.CVSSScore), strings.Compare(a.vuln, b.vuln))
			}
		}
		slices.SortStableFunc(kept, func(a, b light) int {
			if desc {
				return c(&b, &a)
			}
			return c(&a, &b)
		})
	}
	out.Total = len(kept)
	if p.Offset >= len(kept) {
		return out, nil
	}
	page := kept[p.Offset:min(p.Offset+p.Limit, len(kept))]
	pageIDs := make([]int64, len(page))
	for i, l := range page {
		pageIDs[i] = l.id
	}
	out.Items, err = sc.oracleFindingsByID(ctx, pageIDs)
	return out, err
}

// oracleFindingsByID reads a list's page: the findings of ids, in that order (one deleted meanwhile is
// left out).
func (sc *Scope) oracleFindingsByID(ctx context.Context, ids []int64) ([]domain.Finding, error) {
	args := make([]any, 0, len(ids)+1)
	args = append(args, sc.org)
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := sc.oracleQueryFindings(ctx, "SELECT "+oracleFindingSel+oracleFindingFrom+" WHERE f.org_id = ? AND f.id IN ("+
		discPlaceholders(len(ids))+")", args...)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]domain.Finding, len(rows))
	for _, r := range rows {
		byID[r.ID] = r
	}
	out := make([]domain.Finding, 0, len(ids))
	for _, id := range ids {
		if r, found := byID[id]; found {
			out = append(out, r)
		}
	}
	return out, nil
}

// oracleFleetHandling is FleetHandling in SQL: in transactions, and for an organisation with more
// findings than the lists' index may hold.
func (sc *Scope) oracleFleetHandling(ctx context.Context, now time.Time, f FleetHandlingFigures) (FleetHandlingFigures, error) {
	open := "f.gone IS NULL AND f.active = ? AND f.state NOT IN ('not_affected', 'fixed')"
	kev := "(COALESCE(vu.cisa_kev, FALSE) OR COALESCE(vu.eu_kev, FALSE))"
	err := sc.QueryRow(ctx, `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN `+kev+` THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN (f.state = 'risk_accepted' AND f.expires < ?) OR (`+kev+` AND f.state IN ('new', 'in_triage', 'exploitable') AND vu.cisa_kev_due < ?) THEN 1 ELSE 0 END), 0)
		FROM findings f LEFT JOIN vulnerabilities vu ON vu.id = f.vuln_id
		WHERE f.org_id = ? AND `+open, TS(now), TS(now), sc.org, true).Scan(&f.Open, &f.KEVOpen, &f.Overdue)
	if err != nil {
		return f, mapErr(err)
	}
	rows, err := sc.Query(ctx, `SELECT f.first_seen, f.state, f.state_changed, f.gone
		FROM findings f JOIN vulnerabilities vu ON vu.id = f.vuln_id
		WHERE f.org_id = ? AND (vu.cisa_kev OR vu.eu_kev) AND f.active = ?
		AND (f.state IN ('mitigated', 'fixed') OR f.gone IS NOT NULL)`, sc.org, true)
	if err != nil {
		return f, err
	}
	defer rows.Close()
	for rows.Next() {
		var first time.Time
		var state string
		var changed, gone *time.Time
		if err := rows.Scan(&first, &state, &changed, &gone); err != nil {
			return f, err
		}
		end := gone
		if (state == "mitigated" || state == "fixed") && changed != nil && (end == nil || changed.Before(*end)) {
			end = changed
		}
		if end != nil && !end.Before(first) {
			f.KEVRemediated = append(f.KEVRemediated, end.Sub(first))
		}
	}
	return f, rows.Err()
}
