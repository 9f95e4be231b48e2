package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"hash/fnv"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/findingset"
)

// Findings of the fleet matching (issue 4): one row per product version × component × vulnerability,
// replaced by each re-match while the triage columns stay; the append-only triage history; the
// organisation's matching progress.

// FleetFindingScope is what one re-match covered: a product version and, when ComponentKeys is not nil,
// only the components with those keys ("" is the product-level findings), and when Vulns is not nil,
// only the findings of those vulnerabilities (a feed change names the vulnerabilities it changed).
// Findings in the scope that the re-match did not produce are marked gone; findings outside it are
// left alone.
type FleetFindingScope struct {
	ProductVersionID int64
	ComponentKeys    []string // nil: the whole product version
	Vulns            []string // nil: every vulnerability
}

// FleetReplaceResult counts what a replacement changed.
type FleetReplaceResult struct {
	Created, Updated, Unchanged, Gone int
	// Active is how many of the findings (each counted once) are active: matched and not set aside by VEX.
	Active int
	// CreatedIDs are the new findings' vulnerability ids (one per new finding), for notifications.
	CreatedVulns []string
}

// FleetFindingDigest returns the digest of what a match says about a component and a vulnerability
// (everything a content holds, fleet_segments.go): equal content is stored once, and a re-match that produces
// the same digest for a finding writes nothing.
func FleetFindingDigest(f *domain.Finding) string {
	// The fields go into one buffer, each followed by a zero byte, and are hashed at once: the same
	// digest as writing them one by one, without an allocation per field (a full match digests
	// every finding).
	var arr [1024]byte
	b := arr[:0]
	strs := func(ss []string, sep byte) {
		for i, s := range ss {
			if i > 0 {
				b = append(b, sep)
			}
			b = append(b, s...)
		}
		b = append(b, 0)
	}
	str := func(s string) { b = append(append(b, s...), 0) }
	strs(f.Aliases, ' ')
	for _, s := range []string{f.ComponentName, f.ComponentVersion, f.ComponentPURL, f.ComponentCPE, f.RecordID, f.Source, f.Matcher, f.Reason} {
		str(s)
	}
	strs(f.OtherReasons, '\n')
	b = append(strconv.AppendFloat(b, f.Confidence, 'g', -1, 64), 0)
	b = append(strconv.AppendBool(b, f.Guessed), 0)
	str(f.Severity)
	b = append(strconv.AppendInt(b, int64(f.SeverityRank), 10), 0)
	b = append(strconv.AppendFloat(b, f.CVSSScore, 'g', -1, 64), 0)
	strs(f.CVSSVectors, '\n')
	for _, s := range []string{f.FixedVersion, f.Remediation, f.MatchStatus} {
		str(s)
	}
	b = append(strconv.AppendBool(b, f.Active), 0)
	str(f.VEXOrigin)
	b = append(strconv.AppendInt(b, f.VEXStatementID, 10), 0)
	str(f.VEXSource)
	str(f.VEXJustification)
	h := fnv.New128a()
	h.Write(b)
	// 128 bits: the digest is the identity of shared content, so a collision must not be plausible
	var sum [16]byte
	return hex.EncodeToString(h.Sum(sum[:0]))
}

// fleetMatchHash is the first 64 bits of a digest, kept on the finding's row (findings.match_hash) so
// that a re-match recognises an unchanged finding without looking its digest up; 0 for a digest that
// is not hex (the "f<id>" of migrated rows).
func fleetMatchHash(digest string) int64 {
	if len(digest) < 16 {
		return 0
	}
	u, err := strconv.ParseUint(digest[:16], 16, 64)
	if err != nil {
		return 0
	}
	return int64(u)
}

type fleetKey struct {
	pv         int64
	comp, vuln string
}

type fleetExisting struct {
	id, matchID, componentID int64
	matchHash                int64 // fleetMatchHash of the content's digest; 0: not known
	gone                     bool
	seen                     bool
}

// fleetTxState is what the replacements of one transaction share: the contents already resolved
// (digest → id) and, for PruneFindingMatches after a full match, the ones the findings refer to.
type fleetTxState struct {
	matchIDs map[string]int64
	refs     map[int64]bool
	// findings inserted in the transaction, and how many there were at the last ANALYZE (PostgreSQL)
	findingsInserted, findingsAnalyzed int
	// the full-size multi-row INSERTs prepared in the transaction (batchStmt), by their text
	stmts map[string]*sql.Stmt
	// the organisation's findings sequence as this transaction raised it (touchFindings; 0: not yet)
	findingsSeq int64
}

func (tx *Tx) fleetState() *fleetTxState {
	if tx.fleet == nil {
		tx.fleet = &fleetTxState{matchIDs: map[string]int64{}, refs: map[int64]bool{}}
	}
	return tx.fleet
}

// fleetRowCols are the columns of a finding a match writes.
const (
	fleetRowCols  = `org_id, product_version_id, component_key, component_id, vuln_id, match_id, match_hash, active, severity_rank, first_seen, last_seen`
	fleetRowNCols = 11
)

// The same as a list, for COPY.
var fleetRowColList = splitCols(fleetRowCols)

func splitCols(cols string) []string {
	var out []string
	for c := range strings.SplitSeq(cols, ",") {
		out = append(out, strings.TrimSpace(c))
	}
	return out
}

// fleetInsertBatch is the number of rows per INSERT (11 parameters each: 4,400 per statement,
// below both engines' limits).
const fleetInsertBatch = 400

func fleetTrunc(s string, n int) string { return truncate(s, n) }

// ReplaceFleetFindings makes fs the findings of the scopes, in the transaction: new findings are
// inserted (state new), changed ones updated in place (their id, state, history and first_seen stay;
// last_seen is when the match last produced a change), unchanged ones are not written, and findings
// of a scope that fs no longer holds are marked gone (kept with their triage; cleared when they come
// back). What a finding says is stored once per distinct content (fleet_segments.go) and shared.
// Every finding must belong to a scope's product version. The findings' Digest is filled in.
func (tx *Tx) ReplaceFleetFindings(ctx context.Context, scopes []FleetFindingScope, fs []domain.Finding) (FleetReplaceResult, error) {
	for i := range fs {
		PrepareFleetFinding(&fs[i])
	}
	return tx.ReplacePreparedFleetFindings(ctx, scopes, fs)
}

// PrepareFleetFinding sets what ReplacePreparedFleetFindings expects of a finding: its match status
// (affected unless it says otherwise) and its Digest.
func PrepareFleetFinding(f *domain.Finding) {
	if f.MatchStatus == "" {
		f.MatchStatus = "affected"
	}
	f.Digest = FleetFindingDigest(f)
}

// ReplacePreparedFleetFindings is ReplaceFleetFindings for findings that went through
// PrepareFleetFinding after their last change: the fleet's matcher digests them on its own goroutine,
// off the path of the one that writes (a full match digests 800,000 findings: ~2 s).
func (tx *Tx) ReplacePreparedFleetFindings(ctx context.Context, scopes []FleetFindingScope, fs []domain.Finding) (FleetReplaceResult, error) {
	var res FleetReplaceResult
	if len(scopes) == 0 {
		return res, nil
	}
	t := now()
	state := tx.fleetState()
	// Each product version's scopes as sets (nil: every component or every vulnerability), compared
	// with the stored (truncated) component keys and vulnerability ids.
	type scopeSet struct{ keys, vulns map[string]bool }
	byPV := map[int64][]scopeSet{}
	pvs := make([]int64, 0, len(scopes))
	everyKeyed, everyVulns := true, true
	keyUnion, vulnUnion := map[string]bool{}, map[string]bool{}
	set := func(xs []string, n int, union map[string]bool) map[string]bool {
		if xs == nil {
			return nil
		}
		m := make(map[string]bool, len(xs))
		for _, x := range xs {
			x = fleetTrunc(x, n)
			m[x], union[x] = true, true
		}
		return m
	}
	for _, s := range scopes {
		pv := s.ProductVersionID
		if _, ok := byPV[pv]; !ok {
			pvs = append(pvs, pv)
		}
		everyKeyed, everyVulns = everyKeyed && s.ComponentKeys != nil, everyVulns && s.Vulns != nil
		byPV[pv] = append(byPV[pv], scopeSet{set(s.ComponentKeys, 1000, keyUnion), set(s.Vulns, 200, vulnUnion)})
	}
	inScope := func(k fleetKey) bool {
		for _, s := range byPV[k.pv] {
			if (s.keys == nil || s.keys[k.comp]) && (s.vulns == nil || s.vulns[k.vuln]) {
				return true
			}
		}
		return false
	}
	// When every scope is keyed (a feed change), only the findings of those component keys are read,
	// and when every scope names its vulnerabilities, only theirs (short lists only: long ones are
	// left to inScope).
	filter := func(every bool, union map[string]bool) []any {
		if !every || len(union) > 200 {
			return nil
		}
		out := make([]any, 0, max(len(union), 1))
		for x := range union {
			out = append(out, x)
		}
		if len(out) == 0 {
			out = append(out, "\x00none")
		}
		return out
	}
	keyFilter, vulnFilter := filter(everyKeyed, keyUnion), filter(everyVulns, vulnUnion)
	// The existing findings of the product versions.
	existing := map[fleetKey]*fleetExisting{}
	for start := 0; start < len(pvs); start += 500 {
		batch := pvs[start:min(start+500, len(pvs))]
		args := []any{tx.org}
		for _, id := range batch {
			args = append(args, id)
		}
		q := `SELECT id, product_version_id, component_key, vuln_id, component_id, match_id, match_hash, gone FROM findings
			WHERE org_id = ? AND product_version_id IN (` + discPlaceholders(len(batch)) + ")"
		if keyFilter != nil {
			q += " AND component_key IN (" + discPlaceholders(len(keyFilter)) + ")"
			args = append(args, keyFilter...)
		}
		if vulnFilter != nil {
			q += " AND vuln_id IN (" + discPlaceholders(len(vulnFilter)) + ")"
			args = append(args, vulnFilter...)
		}
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return res, err
		}
		for rows.Next() {
			var k fleetKey
			var e fleetExisting
			var gone *time.Time
			if err := rows.Scan(&e.id, &k.pv, &k.comp, &k.vuln, &e.componentID, &e.matchID, &e.matchHash, &gone); err != nil {
				rows.Close()
				return res, err
			}
			if everyKeyed && !inScope(k) {
				continue // outside the scope of a keyed re-match (another vulnerability): left alone
			}
			e.gone = gone != nil
			existing[k] = &e
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return res, err
		}
	}
	// What the findings say, stored once: a finding is unchanged when it refers to the same content.
	ptrs := make([]*domain.Finding, len(fs))
	keys := make([]fleetKey, len(fs))
	for i := range fs {
		f := &fs[i]
		keys[i] = fleetKey{f.ProductVersionID, fleetTrunc(f.ComponentKey, 1000), fleetTrunc(f.VulnID, 200)}
		if !inScope(keys[i]) {
			return res, fmt.Errorf("finding %s on %q is outside the re-matched scope", f.VulnID, f.ComponentKey)
		}
		ptrs[i] = f
		// A finding whose row carries the same digest still refers to the right content.
		if e := existing[keys[i]]; e != nil && e.matchHash != 0 && e.matchHash == fleetMatchHash(f.Digest) {
			state.matchIDs[f.Digest] = e.matchID
		}
	}
	if err := tx.resolveFleetMatches(ctx, ptrs); err != nil {
		return res, err
	}
	var inserts, updates []*domain.Finding
	var updateIDs []int64
	for i, f := range ptrs {
		k := keys[i]
		e, ok := existing[k]
		if f.Active && (!ok || !e.seen) {
			res.Active++
		}
		switch {
		case !ok:
			existing[k] = &fleetExisting{seen: true}
			inserts = append(inserts, f)
		case e.seen:
			// a duplicate in fs: the first one counts
		case e.matchID == state.matchIDs[f.Digest] && e.componentID == f.ComponentID && !e.gone:
			e.seen = true
			f.ID = e.id
			res.Unchanged++
		default:
			e.seen = true
			f.ID = e.id
			updates, updateIDs = append(updates, f), append(updateIDs, e.id)
		}
	}
	for i, f := range updates {
		if _, err := tx.Exec(ctx, `UPDATE findings SET component_id = ?, match_id = ?, match_hash = ?, active = ?, severity_rank = ?, last_seen = ?,
			gone = NULL WHERE org_id = ? AND id = ?`, f.ComponentID, state.matchIDs[f.Digest], fleetMatchHash(f.Digest), f.Active, f.SeverityRank, t,
			tx.org, updateIDs[i]); err != nil {
			return res, fmt.Errorf("update finding %s: %w", f.VulnID, err)
		}
		res.Updated++
	}
	// Findings in the scopes that the match no longer produced.
	var gone, touched []int64 // touched: the product versions whose findings changed, for the lists' index
	for k, e := range existing {
		if e.id != 0 && !e.seen {
			state.refs[e.matchID] = true // a gone finding still shows what it said
		}
		if !e.seen && !e.gone && e.id != 0 && inScope(k) {
			gone, touched = append(gone, e.id), append(touched, k.pv)
		}
	}
	for _, f := range ptrs {
		state.refs[state.matchIDs[f.Digest]] = true
	}
	for start := 0; start < len(gone); start += 500 {
		batch := gone[start:min(start+500, len(gone))]
		args := []any{t, tx.org}
		for _, id := range batch {
			args = append(args, id)
		}
		if _, err := tx.Exec(ctx, "UPDATE findings SET gone = ? WHERE org_id = ? AND id IN ("+discPlaceholders(len(batch))+")", args...); err != nil {
			return res, err
		}
	}
	res.Gone = len(gone)
	// in the order of the unique index: B-tree inserts in order are cheaper
	slices.SortFunc(inserts, func(a, b *domain.Finding) int {
		return cmp.Or(cmp.Compare(a.ProductVersionID, b.ProductVersionID), strings.Compare(a.ComponentKey, b.ComponentKey), strings.Compare(a.VulnID, b.VulnID))
	})
	if err := tx.insertFleetFindings(ctx, inserts, t); err != nil {
		return res, err
	}
	res.Created = len(inserts)
	for _, f := range inserts {
		res.CreatedVulns = append(res.CreatedVulns, f.VulnID)
	}
	for _, f := range slices.Concat(inserts, updates) {
		touched = append(touched, f.ProductVersionID)
	}
	return res, tx.touchFindings(ctx, touched)
}

// resolveFleetMatches makes sure a content exists for the digest of every finding of fs (one already
// resolved in the transaction, else a new one) and records its id in the transaction's state.
func (tx *Tx) resolveFleetMatches(ctx context.Context, fs []*domain.Finding) error {
	state := tx.fleetState()
	var missing []*domain.Finding
	seen := map[string]bool{}
	for _, f := range fs {
		if _, ok := state.matchIDs[f.Digest]; !ok && !seen[f.Digest] {
			seen[f.Digest] = true
			missing = append(missing, f)
		}
	}
	return tx.storeContents(ctx, missing)
}

// copyRows writes n rows into table with PostgreSQL's COPY, inside the transaction (its connection
// is held by tx.conn): one round trip and no statement to parse or plan, where the multi-row INSERTs
// cost the server most of its time per row.
func (tx *Tx) copyRows(ctx context.Context, table string, cols []string, n int, row func(i int) []any) error {
	err := tx.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("COPY needs a pgx connection, not %T", dc)
		}
		_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromSlice(n, func(i int) ([]any, error) { return row(i), nil }))
		return err
	})
	if err != nil {
		return fmt.Errorf("copy %d rows into %s: %w", n, table, mapErr(err))
	}
	return nil
}

// insertBatches inserts n rows in multi-row statements of fleetInsertBatch rows: head is the
// statement up to VALUES, row appends the ncols arguments of row i; done, when not nil, is given the
// result of the statement that inserted rows start to end-1.
func (tx *Tx) insertBatches(ctx context.Context, what, head string, ncols, n int, row func(args []any, i int) []any,
	done func(start, end int, res sql.Result) error) error {
	one := "(" + placeholders(ncols) + ")"
	var full batchStmt
	defer full.close()
	args := make([]any, 0, min(n, fleetInsertBatch)*ncols)
	for start := 0; start < n; start += fleetInsertBatch {
		end := min(start+fleetInsertBatch, n)
		args = args[:0]
		for i := start; i < end; i++ {
			args = row(args, i)
		}
		st, err := full.stmt(ctx, tx, head+strings.TrimSuffix(strings.Repeat(one+", ", end-start), ", "), end-start == fleetInsertBatch)
		var res sql.Result
		if err == nil {
			res, err = st.ExecContext(ctx, args...)
		}
		if err == nil && done != nil {
			err = done(start, end, res)
		}
		if err != nil {
			return fmt.Errorf("insert %s %d–%d: %w", what, start+1, end, mapErr(err))
		}
	}
	return nil
}

// bulkInsert begins the multi-row INSERTs of findings: on SQLite OR FAIL (an error keeps
// the statement's earlier rows; the caller rolls the whole transaction back), which with the deferred
// key of migration 0027 spares each statement a statement journal.
func (tx *Tx) bulkInsert() string {
	if tx.Engine() == "sqlite" {
		return "INSERT OR FAIL INTO"
	}
	return "INSERT INTO"
}

// batchStmt prepares the statements of a multi-row INSERT: the full-size one once per transaction
// (parsing a 400-row statement is a tenth of its cost; a full match prepared them again for each of
// its 80 chunks, 0.3 s at full size; database/sql closes them with the transaction), and the last,
// shorter one of a call for its single use.
type batchStmt struct{ last *sql.Stmt }

func (b *batchStmt) stmt(ctx context.Context, tx *Tx, q string, fullSize bool) (*sql.Stmt, error) {
	state := tx.fleetState()
	if fullSize {
		if st := state.stmts[q]; st != nil {
			return st, nil
		}
	}
	st, err := tx.tx.PrepareContext(ctx, tx.s.rebind(q))
	if err != nil {
		return nil, err
	}
	if fullSize {
		if state.stmts == nil {
			state.stmts = map[string]*sql.Stmt{}
		}
		state.stmts[q] = st
	} else {
		b.last = st // only the last batch of a call is shorter
	}
	return st, nil
}

func (b *batchStmt) close() {
	if b.last != nil {
		b.last.Close()
	}
}

// findingsVulnIndex is the secondary index of findings by vulnerability, as migration 0021 creates it.
const findingsVulnIndex = "CREATE INDEX findings_org_vuln ON findings(org_id, vuln_id)"

// DeferFindingsVulnIndex prepares a bulk of inserts into findings: on SQLite, when the organisation
// has no findings yet and the whole table holds fewer rows than expected (the components about to be
// matched), it drops the index of findings by vulnerability, which such a bulk fills in random order
// (measured at 50,000 devices: maintaining it took about a fifth of the first full match), and
// returns the function that builds it again in one sorted pass; it must run before the transaction
// commits (a rollback restores the index anyway). Readers keep the index of their snapshot
// meanwhile. Otherwise, and on PostgreSQL (where DROP INDEX would lock the table for every reader),
// it returns nil.
func (tx *Tx) DeferFindingsVulnIndex(ctx context.Context, expected int) (func() error, error) {
	if tx.Engine() != "sqlite" {
		return nil, nil
	}
	var own bool
	if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM findings WHERE org_id = ?)", tx.org).Scan(&own); err != nil {
		return nil, err
	}
	if own {
		return nil, nil
	}
	var rows int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM findings").Scan(&rows); err != nil {
		return nil, err
	}
	if rows >= expected {
		return nil, nil
	}
	if _, err := tx.Exec(ctx, "DROP INDEX findings_org_vuln"); err != nil {
		return nil, err
	}
	return func() error {
		_, err := tx.Exec(ctx, findingsVulnIndex)
		return err
	}, nil
}

// insertFleetFindings inserts new findings (their contents resolved) in multi-row statements.
func (tx *Tx) insertFleetFindings(ctx context.Context, fs []*domain.Finding, t time.Time) error {
	if len(fs) == 0 {
		return nil
	}
	matchIDs := tx.fleetState().matchIDs
	var err error
	if tx.conn != nil {
		err = tx.copyRows(ctx, "findings", fleetRowColList, len(fs), func(i int) []any {
			f := fs[i]
			return []any{tx.org, f.ProductVersionID, fleetTrunc(f.ComponentKey, 1000), f.ComponentID, fleetTrunc(f.VulnID, 200),
				matchIDs[f.Digest], fleetMatchHash(f.Digest), f.Active, f.SeverityRank, t, t}
		})
	} else {
		err = tx.insertBatches(ctx, "findings", tx.bulkInsert()+" findings ("+fleetRowCols+") VALUES ", fleetRowNCols, len(fs),
			func(args []any, i int) []any {
				f := fs[i]
				return append(args, tx.org, f.ProductVersionID, fleetTrunc(f.ComponentKey, 1000), f.ComponentID, fleetTrunc(f.VulnID, 200),
					matchIDs[f.Digest], fleetMatchHash(f.Digest), f.Active, f.SeverityRank, t, t)
			}, nil)
	}
	if err != nil {
		return err
	}
	// Fresh statistics keep the next chunks' lookups of existing findings on
	// the index, refreshed whenever the rows this transaction inserted have doubled (after every
	// chunk: 40 times, up to 0.3 s each; a full-size full match on PostgreSQL 47.5/48.4 → 46.0/45.5 s).
	state := tx.fleetState()
	state.findingsInserted += len(fs)
	if tx.Engine() == "postgres" && state.findingsInserted >= 5000 && state.findingsInserted >= 2*state.findingsAnalyzed {
		if _, err := tx.Exec(ctx, "ANALYZE findings"); err != nil {
			return err
		}
		state.findingsAnalyzed = state.findingsInserted
	}
	return nil
}

const fleetFindingSel = `f.id, f.org_id, f.product_version_id, f.component_key, f.component_id, f.vuln_id, f.match_id, f.severity_rank,
	f.active, f.state, f.justification, f.owner, f.expires, f.state_changed, f.state_by, f.first_seen, f.last_seen, f.gone,
	m.name, p.name, p.id, v.version,
	(SELECT COUNT(*) FROM assets a WHERE a.org_id = f.org_id AND a.product_version_id = f.product_version_id),
	COALESCE(vu.summary, ''), COALESCE(vu.cisa_kev, FALSE), COALESCE(vu.eu_kev, FALSE), vu.epss_score, vu.epss_percentile`

const fleetFindingFrom = ` FROM findings f JOIN product_versions v ON v.org_id = f.org_id AND v.id = f.product_version_id
	JOIN products p ON p.id = v.product_id JOIN manufacturers m ON m.id = p.manufacturer_id
	LEFT JOIN vulnerabilities vu ON vu.id = f.vuln_id`

// fleetFindingRow is a finding as its row says, and the content it refers to.
type fleetFindingRow struct {
	f     domain.Finding
	match int64
}

func scanFleetFinding(sc interface{ Scan(...any) error }) (fleetFindingRow, error) {
	var r fleetFindingRow
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

// withContents fills in what the findings of rows say from their contents.
func (sc *Scope) withContents(ctx context.Context, rows []fleetFindingRow) ([]domain.Finding, error) {
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

// queryFleetFindings reads findings (SELECT fleetFindingSel fleetFindingFrom …) with what they say.
func (sc *Scope) queryFleetFindings(ctx context.Context, q string, args ...any) ([]domain.Finding, error) {
	rows, err := queryAll(ctx, sc.Q, scanFleetFinding, q, args...)
	if err != nil {
		return nil, err
	}
	return sc.withContents(ctx, rows)
}

// fleetFindingSort are the orders of the findings lists: columns of SQL, and "" for what a finding's
// content says (ordered in Go, as is the default order: known exploited, severity, CVSS score,
// vulnerability id).
var fleetFindingSort = map[string]string{"vulnerability": "f.vuln_id", "severity": "f.severity_rank", "cvss": "",
	"epss": "COALESCE(vu.epss_score, 0)", "state": "f.state", "product": "p.name_key", "manufacturer": "m.name_key",
	"component": "", "first_seen": "f.first_seen"}

// SeverityRank returns the rank of a severity name (unknown 0 … critical 5).
func SeverityRank(s string) int {
	switch strings.ToLower(s) {
	case "none":
		return 1
	case "low":
		return 2
	case "medium":
		return 3
	case "high":
		return 4
	case "critical":
		return 5
	}
	return 0
}

func (sc *Scope) fleetFindingWhere(f domain.FindingFilter) (string, []any) {
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

// FleetFindings lists findings, filtered and paged: most severe first unless sorted otherwise. Without
// All, only matched findings that VEX does not suppress.
func (sc *Scope) FleetFindings(ctx context.Context, f domain.FindingFilter) (domain.Page[domain.Finding], error) {
	p := f.ListParams.Normalize()
	f.ListParams = p
	// from the index in memory, outside transactions (which may have changed findings themselves)
	if sc.outsideTx() {
		out, ok, err := sc.fleetFindingsIndexed(ctx, f)
		if ok || err != nil {
			return out, err
		}
	}
	return sc.fleetFindingsSQL(ctx, f)
}

// fleetFindingsSQL is FleetFindings in SQL: in transactions, and for an organisation with more
// findings than the index may hold. The search terms and the orders on what findings say (the default
// one among them) need the contents: then the rows that pass the other filters are read with their
// content ids, searched and ordered here, and only the page's findings read whole.
func (sc *Scope) fleetFindingsSQL(ctx context.Context, f domain.FindingFilter) (domain.Page[domain.Finding], error) {
	p := f.ListParams
	w, args := sc.fleetFindingWhere(f)
	out := domain.Page[domain.Finding]{Limit: p.Limit, Offset: p.Offset, Items: []domain.Finding{}}
	terms := searchTerms(f.Q)
	key, desc := strings.TrimPrefix(p.Sort, "-"), strings.HasPrefix(p.Sort, "-")
	col, known := fleetFindingSort[key]
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
		if out.Total, err = sc.Count(ctx, "SELECT COUNT(*)"+fleetFindingFrom+" WHERE "+w, args...); err != nil {
			return out, err
		}
		out.Items, err = sc.queryFleetFindings(ctx, "SELECT "+fleetFindingSel+fleetFindingFrom+" WHERE "+w+" ORDER BY "+order+" LIMIT ? OFFSET ?",
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
	}, "SELECT f.id, f.match_id, f.vuln_id, f.severity_rank, COALESCE(vu.cisa_kev, FALSE), p.name_key"+fleetFindingFrom+" WHERE "+w+
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
	out.Items, err = sc.fleetFindingsByID(ctx, pageIDs)
	return out, err
}

// fleetFindingsByID reads a list's page: the findings of ids, in that order (one deleted meanwhile is
// left out).
func (sc *Scope) fleetFindingsByID(ctx context.Context, ids []int64) ([]domain.Finding, error) {
	args := make([]any, 0, len(ids)+1)
	args = append(args, sc.org)
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := sc.queryFleetFindings(ctx, "SELECT "+fleetFindingSel+fleetFindingFrom+" WHERE f.org_id = ? AND f.id IN ("+
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

// FleetFinding returns one finding.
func (sc *Scope) FleetFinding(ctx context.Context, id int64) (domain.Finding, error) {
	r, err := scanFleetFinding(sc.QueryRow(ctx, "SELECT "+fleetFindingSel+fleetFindingFrom+" WHERE f.org_id = ? AND f.id = ?", sc.org, id))
	if err != nil {
		return domain.Finding{}, NotFound(err, "finding")
	}
	fs, err := sc.withContents(ctx, []fleetFindingRow{r})
	if err != nil {
		return domain.Finding{}, err
	}
	return fs[0], nil
}

// OpenFindingFacts returns the organisation's open findings (matched, active after VEX, state not
// not_affected or fixed) with what risk scoring needs, EPSS and KEV from the vulnerability records,
// ordered by product version and id: the risk pages take each version's findings as a part of the
// result instead of copying them (at the scale ~190 MB more, ~500 MB allocated while growing).
//
// The risk pages assess every device on each view, so at the scale (~810,000 findings) this
// read is most of their time: the contents are read first and the findings after them in table
// order, and joined here; what a content says is shared by its findings.
func (s *Store) OpenFindingFacts(ctx context.Context, orgID int64) ([]domain.FindingFacts, error) {
	// from the lists' index when it holds the organisation (read first if need be, as a list would):
	// tens of milliseconds instead of seconds at the scale
	idx, err := s.findex.index(ctx, s.Scope(orgID))
	if err != nil {
		return nil, err
	}
	if idx != nil {
		return idx.openFacts(), nil
	}
	return s.openFindingFactsRead(ctx, orgID)
}

// openFindingFactsRead is OpenFindingFacts read from the database (an organisation over the index's
// budget).
func (s *Store) openFindingFactsRead(ctx context.Context, orgID int64) ([]domain.FindingFacts, error) {
	rtx, err := s.readSnapshot(ctx) // one snapshot: every content a finding refers to is there
	if err != nil {
		return nil, err
	}
	scan := s.orgScan()
	defer rtx.Rollback()
	q := Q{s: s, db: rtx}
	// what each content says that scoring needs: its CVSS vectors, one slice per distinct text
	// (a vulnerability's vectors repeat over its contents)
	vectors := map[int64][]string{}
	same := map[string][]string{}
	err = q.eachFindingContent(ctx, orgID, func(c *findingset.ContentView) error {
		v, ok := same[string(c.CVSSVectors)]
		if !ok {
			v = discLines(string(c.CVSSVectors))
			same[string(c.CVSSVectors)] = v
		}
		vectors[c.ID] = v
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The findings are read in table order (the fastest read) into small rows, then placed by product
	// version with a counting sort: the facts, ~230 bytes each, are written once, in their final place.
	type openRow struct {
		id, pv, match int64
		vuln, state   string
	}
	// sized by the count of the last match (~800,000 findings: growing by doubling cost a quarter of
	// the time)
	var hint int
	if err := q.QueryRow(ctx, "SELECT COALESCE(MAX(findings), 0) FROM fleet_match_state WHERE org_id = ?", orgID).Scan(&hint); err != nil {
		return nil, err
	}
	open := make([]openRow, 0, min(hint+hint/16+16, 1<<24))
	perPV := map[int64]int{}
	rows, err := q.Query(ctx, `SELECT id, product_version_id, vuln_id, state, match_id FROM findings
		WHERE `+scan+`org_id = ? AND gone IS NULL AND active = ? AND state NOT IN ('not_affected', 'fixed') ORDER BY id`, orgID, true)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var r openRow
		if err := rows.Scan(&r.id, &r.pv, &r.vuln, &r.state, &r.match); err != nil {
			return nil, err
		}
		if _, ok := vectors[r.match]; !ok {
			continue // no content: not a finding the pages show either
		}
		open = append(open, r)
		perPV[r.pv]++
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	next := make(map[int64]int, len(perPV)) // where each version's next fact goes
	at := 0
	for _, pv := range slices.Sorted(maps.Keys(perPV)) {
		next[pv], at = at, at+perPV[pv]
	}
	out := make([]domain.FindingFacts, len(open))
	vulns := map[string][]int{} // the facts of each vulnerability, by position
	for _, r := range open {
		i := next[r.pv]
		next[r.pv]++
		out[i] = domain.FindingFacts{FindingID: r.id, ProductVersionID: r.pv, VulnID: r.vuln, CVSSVectors: vectors[r.match], State: r.state}
		vulns[r.vuln] = append(vulns[r.vuln], i)
	}
	// the vulnerability records: KEV, EPSS
	err = q.queryIn(ctx, `SELECT id, COALESCE(cisa_kev, FALSE), COALESCE(eu_kev, FALSE), epss_score, epss_percentile
		FROM vulnerabilities WHERE id IN (%s)`, slices.Sorted(maps.Keys(vulns)), func(rows *sql.Rows) error {
		var id string
		var cisa, eu bool
		var epss, pct *float64
		if err := rows.Scan(&id, &cisa, &eu, &epss, &pct); err != nil {
			return err
		}
		for _, i := range vulns[id] {
			x := &out[i]
			x.CISAKEV, x.EUKEV = cisa, eu
			if epss != nil && !math.IsNaN(*epss) {
				x.EPSS = *epss
			}
			if pct != nil && !math.IsNaN(*pct) {
				x.EPSSPercentile = *pct
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FleetMatchState returns the organisation's matching progress (zero before the first match).
func (sc *Scope) FleetMatchState(ctx context.Context) (domain.FleetMatchState, error) {
	var st domain.FleetMatchState
	err := sc.QueryRow(ctx, "SELECT feed_generation, last_full, last_run, findings FROM fleet_match_state WHERE org_id = ?", sc.org).
		Scan(&st.FeedGeneration, &st.LastFull, &st.LastRun, &st.Findings)
	if err != nil && domain.ErrorCode(NotFound(err, "")) == domain.ENotFound {
		return domain.FleetMatchState{}, nil
	}
	return st, err
}

// SaveFleetMatchState records the feed generation the findings now reflect. After a full match n is
// the number of active findings (the sum of FleetReplaceResult.Active: counting them again would read
// every finding); after a partial one it is the change (new minus gone) added to the count.
func (tx *Tx) SaveFleetMatchState(ctx context.Context, generation int64, full bool, n int) error {
	t := now()
	var last any
	if full {
		last = t
	}
	_, err := tx.Exec(ctx, `INSERT INTO fleet_match_state (org_id, feed_generation, last_full, last_run, findings) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (org_id) DO UPDATE SET feed_generation = excluded.feed_generation,
		last_full = COALESCE(excluded.last_full, fleet_match_state.last_full), last_run = excluded.last_run,
		findings = CASE WHEN excluded.last_full IS NOT NULL THEN excluded.findings
			WHEN fleet_match_state.findings + excluded.findings < 0 THEN 0 ELSE fleet_match_state.findings + excluded.findings END`,
		tx.org, generation, last, t, n)
	return err
}

// FleetComponent is an SBOM component as the matcher needs it.
type FleetComponent struct {
	ID                                                 int64
	ProductVersionID                                   int64
	Ref, Parent, Type, Group, Name, Version, PURL, CPE string
}

// FleetComponents returns the SBOM components of the given product versions (every product version
// with an SBOM when ids is nil), by product version and SBOM order.
func (sc *Scope) FleetComponents(ctx context.Context, ids []int64) ([]FleetComponent, error) {
	scan := func(r interface{ Scan(...any) error }) (FleetComponent, error) {
		var c FleetComponent
		err := r.Scan(&c.ID, &c.ProductVersionID, &c.Ref, &c.Parent, &c.Type, &c.Group, &c.Name, &c.Version, &c.PURL, &c.CPE)
		return c, err
	}
	const q = "SELECT id, product_version_id, ref, parent_ref, type, grp, name, version, purl, cpe FROM sbom_components WHERE org_id = ?"
	if ids == nil {
		return queryAll(ctx, sc.Q, scan, q+" ORDER BY product_version_id, id", sc.org)
	}
	var out []FleetComponent
	for start := 0; start < len(ids); start += 500 {
		batch := ids[start:min(start+500, len(ids))]
		args := []any{sc.org}
		for _, id := range batch {
			args = append(args, id)
		}
		cs, err := queryAll(ctx, sc.Q, scan, q+" AND product_version_id IN ("+discPlaceholders(len(batch))+") ORDER BY product_version_id, id", args...)
		if err != nil {
			return nil, err
		}
		out = append(out, cs...)
	}
	return out, nil
}

// FleetVersionIDs returns the ids of the organisation's product versions.
func (sc *Scope) FleetVersionIDs(ctx context.Context) ([]int64, error) {
	return queryAll(ctx, sc.Q, func(r interface{ Scan(...any) error }) (int64, error) {
		var id int64
		err := r.Scan(&id)
		return id, err
	}, "SELECT id FROM product_versions WHERE org_id = ? ORDER BY id", sc.org)
}

// FleetVEX returns the statements attached to the given product versions (all attached ones when ids
// is nil), oldest first.
func (sc *Scope) FleetVEX(ctx context.Context, ids []int64) ([]domain.VEXStatement, error) {
	const q = "SELECT " + vexCols + vexFrom + " WHERE x.org_id = ? AND x.product_version_id IS NOT NULL"
	if ids == nil {
		return queryAll(ctx, sc.Q, scanVEX, q+" ORDER BY x.id", sc.org)
	}
	var out []domain.VEXStatement
	for start := 0; start < len(ids); start += 500 {
		batch := ids[start:min(start+500, len(ids))]
		args := []any{sc.org}
		for _, id := range batch {
			args = append(args, id)
		}
		xs, err := queryAll(ctx, sc.Q, scanVEX, q+" AND x.product_version_id IN ("+discPlaceholders(len(batch))+") ORDER BY x.id", args...)
		if err != nil {
			return nil, err
		}
		out = append(out, xs...)
	}
	return out, nil
}

// TriageFinding changes a finding's state and/or adds a comment (t validated by the caller with
// domain.Triage.Validate), appends the history and writes the audit event.
func (tx *Tx) TriageFinding(ctx context.Context, id int64, t domain.Triage) (domain.Finding, error) {
	f, err := tx.scope().FleetFinding(ctx, id)
	if err != nil {
		return f, err
	}
	at, actor := now(), domain.ActorFrom(ctx).Name
	if t.State != "" {
		if _, err := tx.Exec(ctx, `UPDATE findings SET state = ?, justification = ?, owner = ?, expires = ?, state_changed = ?, state_by = ?
			WHERE org_id = ? AND id = ?`, t.State, t.Justification, t.Owner, tsPtr(t.Expires), at, actor, tx.org, id); err != nil {
			return f, err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO finding_events (org_id, finding_id, at, actor, kind, from_state, to_state, justification, owner,
			expires, comment) VALUES (?, ?, ?, ?, 'state', ?, ?, ?, ?, ?, ?)`, tx.org, id, at, actor, f.State, t.State, t.Justification, t.Owner,
			tsPtr(t.Expires), t.Comment); err != nil {
			return f, err
		}
		if err := tx.touchFindings(ctx, []int64{f.ProductVersionID}); err != nil {
			return f, err
		}
	} else if _, err := tx.Exec(ctx, `INSERT INTO finding_events (org_id, finding_id, at, actor, kind, comment) VALUES (?, ?, ?, ?, 'comment', ?)`,
		tx.org, id, at, actor, t.Comment); err != nil {
		return f, err
	}
	what := "commented on"
	if t.State != "" {
		what = "set " + t.State + " on"
	}
	comp := f.Component()
	if comp == "" {
		comp = "the product"
	}
	if err := tx.Audit(ctx, AuditEntry{Action: "finding.triage", Entity: "finding", EntityID: id,
		Summary: fmt.Sprintf("%s finding %s in %s of %s %s %s", what, f.VulnID, comp, f.Manufacturer, f.Product, f.Version), Data: t}); err != nil {
		return f, err
	}
	return tx.scope().FleetFinding(ctx, id)
}

// FindingEvents returns a finding's triage history, oldest first.
func (sc *Scope) FindingEvents(ctx context.Context, findingID int64) ([]domain.FindingEvent, error) {
	return queryAll(ctx, sc.Q, func(r interface{ Scan(...any) error }) (domain.FindingEvent, error) {
		var e domain.FindingEvent
		err := r.Scan(&e.ID, &e.FindingID, &e.At, &e.Actor, &e.Kind, &e.FromState, &e.ToState, &e.Justification, &e.Owner, &e.Expires, &e.Comment)
		e.At = e.At.UTC()
		if e.Expires != nil {
			u := e.Expires.UTC()
			e.Expires = &u
		}
		return e, err
	}, `SELECT id, finding_id, at, actor, kind, from_state, to_state, justification, owner, expires, comment FROM finding_events
		WHERE org_id = ? AND finding_id = ? ORDER BY id`, sc.org, findingID)
}

// FleetTriageSource is the source of the hospital VEX statement a triage decision makes:
// "triage:<finding id>". The statement is replaced by every later decision on the finding.
func FleetTriageSource(findingID int64) string { return "triage:" + strconv.FormatInt(findingID, 10) }

// ReplaceTriageStatement replaces the hospital statement of a finding's triage with s (none when s is
// nil).
func (tx *Tx) ReplaceTriageStatement(ctx context.Context, findingID int64, s *domain.VEXStatement) error {
	if _, err := tx.Exec(ctx, "DELETE FROM vex_statements WHERE org_id = ? AND source_format = 'triage' AND source = ?", tx.org,
		FleetTriageSource(findingID)); err != nil {
		return err
	}
	if s == nil {
		return nil
	}
	s.SourceKind, s.SourceFormat, s.Source = domain.VEXHospital, "triage", FleetTriageSource(findingID)
	return tx.AddVEXStatements(ctx, []domain.VEXStatement{*s})
}

// FleetSBOMStamp changes whenever an SBOM of the organisation is imported or removed (their count and
// newest id: a re-import replaces the row): the fleet matcher's cached components are rebuilt when it changes.
func (sc *Scope) FleetSBOMStamp(ctx context.Context) (string, error) {
	var n, last int64
	if err := sc.QueryRow(ctx, "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM sboms WHERE org_id = ?", sc.org).Scan(&n, &last); err != nil {
		return "", err
	}
	return strconv.FormatInt(n, 10) + "/" + strconv.FormatInt(last, 10), nil
}

// FleetChangedVersions returns the product versions whose SBOM was imported or that got VEX
// statements (documents, advisory mappings, statements made by hand) since a time.
func (sc *Scope) FleetChangedVersions(ctx context.Context, since time.Time) ([]int64, error) {
	return queryAll(ctx, sc.Q, func(r interface{ Scan(...any) error }) (int64, error) {
		var id int64
		err := r.Scan(&id)
		return id, err
	}, `SELECT product_version_id FROM sboms WHERE org_id = ? AND imported >= ?
		UNION SELECT product_version_id FROM vex_statements WHERE org_id = ? AND created >= ? AND product_version_id IS NOT NULL
		ORDER BY 1`, sc.org, TS(since), sc.org, TS(since))
}

// FleetHasDisclosures reports whether the organisation has anything to match (an SBOM or a VEX
// statement attached to a product version).
func (sc *Scope) FleetHasDisclosures(ctx context.Context) (bool, error) {
	n, err := sc.Count(ctx, `SELECT (SELECT COUNT(*) FROM sboms WHERE org_id = ?) + (SELECT COUNT(*) FROM vex_statements WHERE org_id = ?
		AND product_version_id IS NOT NULL)`, sc.org, sc.org)
	return n > 0, err
}

// FleetOpenFindingsOf returns the open findings of some vulnerabilities (for notifications).
func (sc *Scope) FleetOpenFindingsOf(ctx context.Context, vulnIDs []string) ([]domain.Finding, error) {
	var out []domain.Finding
	for start := 0; start < len(vulnIDs); start += 500 {
		batch := vulnIDs[start:min(start+500, len(vulnIDs))]
		args := []any{sc.org, true}
		for _, id := range batch {
			args = append(args, id)
		}
		fs, err := sc.queryFleetFindings(ctx, "SELECT "+fleetFindingSel+fleetFindingFrom+` WHERE f.org_id = ? AND f.gone IS NULL AND f.active = ?
			AND f.state NOT IN ('not_affected', 'fixed') AND f.vuln_id IN (`+discPlaceholders(len(batch))+") ORDER BY f.vuln_id, f.id", args...)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	return out, nil
}

// FleetUnnotifiedKEV returns the open findings whose vulnerability is in CISA KEV or EU KEV and that
// no vuln.kev notification covered yet.
func (sc *Scope) FleetUnnotifiedKEV(ctx context.Context) ([]domain.Finding, error) {
	return sc.queryFleetFindings(ctx, "SELECT "+fleetFindingSel+fleetFindingFrom+` WHERE f.org_id = ? AND f.gone IS NULL AND f.active = ?
		AND f.state NOT IN ('not_affected', 'fixed') AND f.kev_notified = ? AND (vu.cisa_kev = ? OR vu.eu_kev = ?) ORDER BY f.vuln_id, f.id`,
		sc.org, true, false, true, true)
}

// MarkKEVNotified records that the vuln.kev notification covered these findings.
func (tx *Tx) MarkKEVNotified(ctx context.Context, ids []int64) error {
	for start := 0; start < len(ids); start += 500 {
		batch := ids[start:min(start+500, len(ids))]
		args := []any{true, tx.org}
		for _, id := range batch {
			args = append(args, id)
		}
		if _, err := tx.Exec(ctx, "UPDATE findings SET kev_notified = ? WHERE org_id = ? AND id IN ("+discPlaceholders(len(batch))+")", args...); err != nil {
			return err
		}
	}
	return nil
}

// FleetSubjects returns the SBOM subjects (the device or firmware each SBOM describes) of the given
// product versions (all when ids is nil) that carry a package URL or CPE.
func (sc *Scope) FleetSubjects(ctx context.Context, ids []int64) (map[int64]FleetComponent, error) {
	out := map[int64]FleetComponent{}
	scan := func(r interface{ Scan(...any) error }) (FleetComponent, error) {
		var c FleetComponent
		err := r.Scan(&c.ProductVersionID, &c.Name, &c.Version, &c.PURL, &c.CPE)
		return c, err
	}
	const q = "SELECT product_version_id, subject_name, subject_version, subject_purl, subject_cpe FROM sboms WHERE org_id = ? AND (subject_purl <> '' OR subject_cpe <> '')"
	var all []FleetComponent
	if ids == nil {
		var err error
		if all, err = queryAll(ctx, sc.Q, scan, q, sc.org); err != nil {
			return nil, err
		}
	}
	for start := 0; ids != nil && start < len(ids); start += 500 {
		batch := ids[start:min(start+500, len(ids))]
		args := []any{sc.org}
		for _, id := range batch {
			args = append(args, id)
		}
		cs, err := queryAll(ctx, sc.Q, scan, q+" AND product_version_id IN ("+discPlaceholders(len(batch))+")", args...)
		if err != nil {
			return nil, err
		}
		all = append(all, cs...)
	}
	for _, c := range all {
		out[c.ProductVersionID] = c
	}
	return out, nil
}

// EachFleetComponent calls fn for every SBOM component of the organisation (of the product versions
// ids; all when ids is nil), by product version and SBOM order, without holding them all (the matcher
// keeps its own compact copy). Only what matching reads is filled in: Parent, Type and Group stay
// empty (a million components are read at a full match; every column is a string to allocate).
func (sc *Scope) EachFleetComponent(ctx context.Context, ids []int64, fn func(*FleetComponent) error) error {
	const q = "SELECT id, product_version_id, ref, name, version, purl, cpe FROM sbom_components WHERE org_id = ?"
	if ids == nil {
		return sc.eachFleetComponent(ctx, fn, q+" ORDER BY product_version_id, id", sc.org)
	}
	ids = slices.Sorted(slices.Values(ids)) // batches in product version order, as without ids
	for start := 0; start < len(ids); start += 500 {
		batch := ids[start:min(start+500, len(ids))]
		args := []any{sc.org}
		for _, id := range batch {
			args = append(args, id)
		}
		if err := sc.eachFleetComponent(ctx, fn, q+" AND product_version_id IN ("+discPlaceholders(len(batch))+") ORDER BY product_version_id, id", args...); err != nil {
			return err
		}
	}
	return nil
}

func (sc *Scope) eachFleetComponent(ctx context.Context, fn func(*FleetComponent) error, q string, args ...any) error {
	rows, err := sc.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var c FleetComponent
	for rows.Next() {
		if err := rows.Scan(&c.ID, &c.ProductVersionID, &c.Ref, &c.Name, &c.Version, &c.PURL, &c.CPE); err != nil {
			return err
		}
		if err := fn(&c); err != nil {
			return err
		}
	}
	return rows.Err()
}

// FleetSBOMVersions returns the id of each product version's SBOM (product version → SBOM id): an SBOM
// imported again gets a new id (ids are never reused), so a cache of components can tell which product
// versions changed.
func (sc *Scope) FleetSBOMVersions(ctx context.Context) (map[int64]int64, error) {
	rows, err := sc.Query(ctx, "SELECT product_version_id, id FROM sboms WHERE org_id = ?", sc.org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var pv, id int64
		if err := rows.Scan(&pv, &id); err != nil {
			return nil, err
		}
		out[pv] = id
	}
	return out, rows.Err()
}
