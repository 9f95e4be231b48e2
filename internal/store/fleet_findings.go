package store

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/findingset"
)

// Findings of the fleet matching (issue 4): one per product version × component × vulnerability,
// stored in the product version's set (fleet_sets.go) and replaced by each re-match while their triage
// stays; the append-only triage history; the organisation's matching progress.

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
	// the first 128 bits of SHA-256: the digest is the identity of shared content, so a collision
	// must not be plausible; SHA-256 (with the CPU's SHA instructions) is four times as fast as the
	// FNV-1a of 128 bits used before (1.4 → 0.34 µs a finding: ~0.9 s of a full match's matcher)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// fleetMatchHash is the first 64 bits of a digest, kept in the finding's entry (findingset.Entry) so
// that a re-match recognises an unchanged finding without looking its digest up; 0 for a digest that
// is not hex (the "f<id>" of findings migrated from before 0022).
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

type compVuln struct{ comp, vuln string }

// fleetTxState is what the replacements of one transaction share: the contents already resolved
// (digest → id) and, for PruneFindingMatches after a full match, the ones the findings refer to.
type fleetTxState struct {
	matchIDs map[string]int64
	refs     idSet // the contents the findings replaced in the transaction refer to
	// the organisation's findings sequence as this transaction raised it (touchFindings; 0: not yet)
	findingsSeq int64
	// buffers the replacements of a transaction reuse (a full match makes ~80 of them): the entries
	// of a call's versions, and the encoded sets of a statement
	entries []fleetEntry
	setBuf  []byte
}

func (tx *Tx) fleetState() *fleetTxState {
	if tx.fleet == nil {
		tx.fleet = &fleetTxState{matchIDs: map[string]int64{}, refs: idSet{}}
	}
	return tx.fleet
}

func splitCols(cols string) []string {
	var out []string
	for c := range strings.SplitSeq(cols, ",") {
		out = append(out, strings.TrimSpace(c))
	}
	return out
}

func fleetTrunc(s string, n int) string { return truncate(s, n) }

// ReplaceFleetFindings makes fs the findings of the scopes, in the transaction: new findings are
// added (state new), changed ones updated in place (their id, state, history and first_seen stay;
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
	whole := map[int64]bool{} // a scope covers the whole version: its findings are written as one part
	pvs := make([]int64, 0, len(scopes))
	set := func(xs []string, n int) map[string]bool {
		if xs == nil {
			return nil
		}
		m := make(map[string]bool, len(xs))
		for _, x := range xs {
			m[fleetTrunc(x, n)] = true
		}
		return m
	}
	for _, s := range scopes {
		pv := s.ProductVersionID
		if _, ok := byPV[pv]; !ok {
			pvs = append(pvs, pv)
		}
		byPV[pv] = append(byPV[pv], scopeSet{set(s.ComponentKeys, 1000), set(s.Vulns, 200)})
		whole[pv] = whole[pv] || s.ComponentKeys == nil && s.Vulns == nil
	}
	// inScope takes the key as bytes: a keyed re-match looks at every finding of the versions it
	// touches (map lookups by string(b) allocate nothing)
	inScope := func(pv int64, comp, vuln []byte) bool {
		if whole[pv] {
			return true
		}
		for _, s := range byPV[pv] {
			if (s.keys == nil || s.keys[string(comp)]) && (s.vulns == nil || s.vulns[string(vuln)]) {
				return true
			}
		}
		return false
	}
	// The existing findings of the scopes and the new ones, in one buffer of the transaction (a full
	// match's ~810,000 entries of ~270 bytes were a quarter of a gigabyte of garbage), and each
	// version's next finding number.
	type versionSet struct {
		idx      []int32 // the version's entries in scope (every one of a whole version)
		fs       []int32 // its findings in fs
		next     int64   // the next finding number
		nextPart int     // the next part's number
	}
	slices.Sort(pvs)
	// The versions' parts without their data: the next finding number and part, and which versions
	// may hold findings in scope. A re-match for some vulnerabilities (an advisory, ~170 versions at
	// the scale) reads only the versions whose filters may hold one of them.
	parts, err := tx.Q.findingParts(ctx, tx.org, pvs)
	if err != nil {
		return res, err
	}
	sets := make(map[int64]*versionSet, len(pvs))
	var read []int64
	for _, pv := range pvs {
		vs := &versionSet{next: 1}
		sets[pv] = vs
		need := whole[pv]
		for _, p := range parts[pv] {
			vs.next, vs.nextPart = max(vs.next, p.lastSeq+1), p.part+1
			for _, s := range byPV[pv] {
				if need {
					break
				}
				if s.vulns == nil {
					need = true
				}
				for v := range s.vulns {
					if findingset.MayHold(p.filter, v) {
						need = true
						break
					}
				}
			}
		}
		if need && len(parts[pv]) > 0 {
			read = append(read, pv)
		}
	}
	ents := state.entries[:0]
	var dirty, seen []bool // by position in ents
	err = tx.Q.eachFindingEntry(ctx, tx.org, read, func(pv int64, _ int, v *findingset.EntryView) error {
		if !inScope(pv, v.ComponentKey, v.VulnID) {
			return nil // outside the scope of a keyed re-match (another vulnerability): left alone
		}
		i := int32(len(ents))
		ents, dirty, seen = append(ents, fleetEntry{pv, v.Entry()}), append(dirty, false), append(seen, false)
		sets[pv].idx = append(sets[pv].idx, i)
		return nil
	})
	if err != nil {
		return res, err
	}
	// The findings by version, in their order.
	for i := range fs {
		f := &fs[i]
		vs := sets[f.ProductVersionID]
		if vs == nil || !inScope(f.ProductVersionID, []byte(fleetTrunc(f.ComponentKey, 1000)), []byte(fleetTrunc(f.VulnID, 200))) {
			return res, fmt.Errorf("finding %s on %q is outside the re-matched scope", f.VulnID, f.ComponentKey)
		}
		vs.fs = append(vs.fs, int32(i))
	}
	// Each finding's entry, version by version with a map of that version's entries alone (one map
	// of a full match's 800,000 keys cost most of the writer's time in its hashing and growth): an
	// existing entry the finding takes up (role update), a new one (create; numbered now, its
	// content id set below), or one an earlier finding of fs took (a duplicate: the first counts).
	const (
		roleCreate = iota
		roleUpdate
		roleDuplicate
	)
	type place struct {
		x    int32 // position in ents
		role uint8
	}
	places := make([]place, len(fs))
	byKey := map[compVuln]int32{}
	for _, pv := range pvs {
		vs := sets[pv]
		clear(byKey)
		for _, x := range vs.idx {
			e := &ents[x].e
			byKey[compVuln{e.ComponentKey, e.VulnID}] = x
		}
		for _, i := range vs.fs {
			f := &fs[i]
			k := compVuln{fleetTrunc(f.ComponentKey, 1000), fleetTrunc(f.VulnID, 200)}
			x, ok := byKey[k]
			switch {
			case !ok:
				if vs.next >= 1<<findingSeqBits {
					return res, fmt.Errorf("product version %d has had %d findings: no number is left", pv, vs.next-1)
				}
				id := pv<<findingSeqBits | vs.next
				vs.next++
				x = int32(len(ents))
				byKey[k] = x
				ents = append(ents, fleetEntry{pv, findingset.Entry{ID: id, ComponentKey: k.comp, ComponentID: f.ComponentID, VulnID: k.vuln,
					MatchHash: fleetMatchHash(f.Digest), SeverityRank: max(f.SeverityRank, 0), Active: f.Active,
					State: domain.FindingNew, FirstSeen: t, LastSeen: t}})
				dirty, seen = append(dirty, true), append(seen, true)
				vs.idx = append(vs.idx, x)
				places[i] = place{x, roleCreate}
			case seen[x]:
				places[i] = place{x, roleDuplicate}
			default:
				seen[x] = true
				places[i] = place{x, roleUpdate}
				// A finding whose entry carries the same digest still refers to the right content.
				if e := &ents[x].e; e.MatchHash != 0 && e.MatchHash == fleetMatchHash(f.Digest) {
					state.matchIDs[f.Digest] = e.MatchID
				}
			}
			if f.Active && places[i].role != roleDuplicate {
				res.Active++
			}
		}
	}
	// What the findings say, stored once: a finding is unchanged when it refers to the same content.
	mids, err := tx.resolveFleetMatches(ctx, fs)
	if err != nil {
		return res, err
	}
	for i := range fs {
		f, p, matchID := &fs[i], places[i], mids[i]
		state.refs.add(matchID)
		e := &ents[p.x].e
		switch p.role {
		case roleCreate:
			e.MatchID, f.ID = matchID, e.ID
			res.Created++
		case roleUpdate:
			f.ID = e.ID
			if e.MatchID == matchID && e.ComponentID == f.ComponentID && e.Gone.IsZero() {
				res.Unchanged++
				break
			}
			e.ComponentID, e.MatchID, e.MatchHash, e.Active, e.SeverityRank = f.ComponentID, matchID, fleetMatchHash(f.Digest), f.Active, max(f.SeverityRank, 0)
			e.LastSeen, e.Gone = t, time.Time{}
			dirty[p.x] = true
			res.Updated++
		}
	}
	// Findings in the scopes that the match no longer produced: marked gone, and a gone finding still
	// shows what it said.
	for x := range ents {
		if seen[x] {
			continue
		}
		e := &ents[x].e
		state.refs.add(e.MatchID)
		if e.Gone.IsZero() {
			e.Gone = t
			dirty[x] = true
			res.Gone++
		}
	}
	// Each version whose findings changed: all of them as one part (a whole version), or those that
	// changed as a new part.
	var touched []int64 // for the lists' index
	var ws []findingSetWrite
	for _, pv := range pvs {
		vs := sets[pv]
		var changed []*findingset.Entry
		for _, x := range vs.idx {
			if dirty[x] {
				changed = append(changed, &ents[x].e)
			}
		}
		if len(changed) == 0 {
			continue
		}
		touched = append(touched, pv)
		if whole[pv] {
			all := make([]*findingset.Entry, len(vs.idx))
			for i, x := range vs.idx {
				all[i] = &ents[x].e
			}
			ws = append(ws, findingSetWrite{pv: pv, es: all, whole: true})
		} else {
			ws = append(ws, findingSetWrite{pv: pv, es: changed, next: vs.nextPart})
		}
	}
	if err := tx.writeFindingSets(ctx, ws); err != nil {
		return res, err
	}
	clear(ents) // the buffer is kept for the next call, not the strings of this one's findings
	state.entries = ents[:0]
	return res, tx.touchFindings(ctx, touched)
}

// resolveFleetMatches makes sure a content exists for the digest of every finding of fs (one already
// resolved in the transaction, else a new one), records its id in the transaction's state and returns
// the content id of each finding.
func (tx *Tx) resolveFleetMatches(ctx context.Context, fs []domain.Finding) ([]int64, error) {
	state := tx.fleetState()
	ids := make([]int64, len(fs))
	// A digest not resolved yet gets -(n+1) in matchIDs while it is the n-th missing content (so a
	// second finding with it finds it there): one map operation per finding.
	var missing []*domain.Finding
	for i := range fs {
		f := &fs[i]
		id, ok := state.matchIDs[f.Digest]
		if !ok {
			missing = append(missing, f)
			id = -int64(len(missing))
			state.matchIDs[f.Digest] = id
		}
		ids[i] = id
	}
	first, err := tx.storeContents(ctx, missing)
	if err != nil {
		for _, f := range missing { // nothing of a failed store stays resolved
			delete(state.matchIDs, f.Digest)
		}
		return nil, err
	}
	for i, id := range ids {
		if id < 0 {
			ids[i] = first - id - 1
		}
	}
	return ids, nil
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

// fleetEntry is a finding as its set holds it, with its product version.
type fleetEntry struct {
	pv int64
	e  findingset.Entry
}

// fleetFindingsOf makes findings of entries: what they say from their contents, their product
// versions (manufacturer, product, version, installed assets) and vulnerability records (summary,
// KEV, EPSS) from the database. An entry whose product version is gone (deleted meanwhile) is left
// out; the order is kept.
func (sc *Scope) fleetFindingsOf(ctx context.Context, es []fleetEntry) ([]domain.Finding, error) {
	if len(es) == 0 {
		return nil, nil
	}
	type version struct {
		maker, product, version string
		productID               int64
		installed               int
	}
	type vulnInfo struct {
		summary       string
		cisa, eu      bool
		epss, epssPct *float64
	}
	pvSet, vulnSet, matches := map[int64]bool{}, map[string]bool{}, make([]int64, 0, len(es))
	for i := range es {
		pvSet[es[i].pv], vulnSet[es[i].e.VulnID] = true, true
		matches = append(matches, es[i].e.MatchID)
	}
	pvs := slices.Sorted(maps.Keys(pvSet))
	versions := make(map[int64]version, len(pvs))
	for start := 0; start < len(pvs); start += 500 {
		batch := pvs[start:min(start+500, len(pvs))]
		rows, err := sc.Query(ctx, `SELECT v.id, m.name, p.name, p.id, v.version,
			(SELECT COUNT(*) FROM assets a WHERE a.org_id = v.org_id AND a.product_version_id = v.id)
			FROM product_versions v JOIN products p ON p.id = v.product_id JOIN manufacturers m ON m.id = p.manufacturer_id
			WHERE v.org_id = ? AND v.id IN (`+discPlaceholders(len(batch))+")", pvArgs(sc.org, batch)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var v version
			if err := rows.Scan(&id, &v.maker, &v.product, &v.productID, &v.version, &v.installed); err != nil {
				rows.Close()
				return nil, err
			}
			versions[id] = v
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	vulns := map[string]vulnInfo{}
	err := sc.Q.queryIn(ctx, `SELECT id, summary, COALESCE(cisa_kev, FALSE), COALESCE(eu_kev, FALSE), epss_score, epss_percentile
		FROM vulnerabilities WHERE id IN (%s)`, slices.Sorted(maps.Keys(vulnSet)), func(rows *sql.Rows) error {
		var id string
		var v vulnInfo
		if err := rows.Scan(&id, &v.summary, &v.cisa, &v.eu, &v.epss, &v.epssPct); err != nil {
			return err
		}
		vulns[id] = v
		return nil
	})
	if err != nil {
		return nil, err
	}
	contents, err := sc.Q.findingContents(ctx, sc.org, matches)
	if err != nil {
		return nil, err
	}
	out := make([]domain.Finding, 0, len(es))
	at := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		return &t
	}
	for i := range es {
		x, e := &es[i], &es[i].e
		v, ok := versions[x.pv]
		if !ok {
			continue
		}
		c := contents[e.MatchID]
		if c == nil {
			return nil, fmt.Errorf("finding %d: its content %d is not stored", e.ID, e.MatchID)
		}
		vu := vulns[e.VulnID]
		f := domain.Finding{ID: e.ID, OrgID: sc.org, ProductVersionID: x.pv, ComponentKey: e.ComponentKey, ComponentID: e.ComponentID,
			VulnID: e.VulnID, SeverityRank: e.SeverityRank, Active: e.Active, State: e.State, Justification: e.Justification, Owner: e.Owner,
			Expires: at(e.Expires), StateChanged: at(e.StateChanged), StateBy: e.StateBy, FirstSeen: e.FirstSeen, LastSeen: e.LastSeen,
			Gone: at(e.Gone), Manufacturer: v.maker, Product: v.product, ProductID: v.productID, Version: v.version, Installed: v.installed,
			Summary: vu.summary, CISAKEV: vu.cisa, EUKEV: vu.eu, EPSSScore: vu.epss, EPSSPercentile: vu.epssPct}
		fillFromContent(&f, c)
		out = append(out, f)
	}
	return out, nil
}

// fleetEntriesWhere returns the current entries of the organisation's findings (of the product
// versions pvs, or of all when all is true) for which keep is true, in the order of their product
// versions and ids.
func (sc *Scope) fleetEntriesWhere(ctx context.Context, pvs []int64, all bool, keep func(pv int64, v *findingset.EntryView) bool) ([]fleetEntry, error) {
	var out []fleetEntry
	fn := func(pv int64, _ int, v *findingset.EntryView) error {
		if keep(pv, v) {
			out = append(out, fleetEntry{pv, v.Entry()})
		}
		return nil
	}
	var err error
	if all {
		err = sc.Q.eachOrgFindingEntry(ctx, sc.org, fn)
	} else {
		err = sc.Q.eachFindingEntry(ctx, sc.org, pvs, fn)
	}
	slices.SortFunc(out, func(a, b fleetEntry) int { return cmp.Or(cmp.Compare(a.pv, b.pv), cmp.Compare(a.e.ID, b.e.ID)) })
	return out, err
}

// openEntry reports whether a finding is open: matched, not set aside by VEX, not closed by triage.
func openEntry(v *findingset.EntryView) bool {
	return v.Gone.IsZero() && v.Active && v.State != domain.FindingNotAffected && v.State != domain.FindingFixed
}

// fleetFindingSort are the orders of the findings lists (the default one, known exploited first, then
// severity, CVSS score, vulnerability id, when none of these is asked for).
var fleetFindingSort = map[string]bool{"vulnerability": true, "severity": true, "cvss": true, "epss": true, "state": true, "product": true,
	"manufacturer": true, "component": true, "first_seen": true}

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
	// in a transaction, or an organisation over the index's budget: an index for this list alone
	idx, err := sc.transientFindingIndex(ctx)
	if err != nil {
		return domain.Page[domain.Finding]{}, err
	}
	return sc.listFindings(ctx, idx, f)
}

// fleetFindingsByID reads a list's page: the findings of ids, in that order (one deleted meanwhile is
// left out).
func (sc *Scope) fleetFindingsByID(ctx context.Context, ids []int64) ([]domain.Finding, error) {
	want, pvs, err := sc.Q.findingVersions(ctx, sc.org, ids)
	if err != nil {
		return nil, err
	}
	es, err := sc.fleetEntriesWhere(ctx, pvs, false, func(pv int64, v *findingset.EntryView) bool { return want[pv][v.ID] })
	if err != nil {
		return nil, err
	}
	fs, err := sc.fleetFindingsOf(ctx, es)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]domain.Finding, len(fs))
	for _, f := range fs {
		byID[f.ID] = f
	}
	out := make([]domain.Finding, 0, len(ids))
	for _, id := range ids {
		if f, found := byID[id]; found {
			out = append(out, f)
		}
	}
	return out, nil
}

// FleetFinding returns one finding.
func (sc *Scope) FleetFinding(ctx context.Context, id int64) (domain.Finding, error) {
	fs, err := sc.fleetFindingsByID(ctx, []int64{id})
	if err != nil {
		return domain.Finding{}, err
	}
	if len(fs) == 0 {
		return domain.Finding{}, NotFound(sql.ErrNoRows, "finding")
	}
	return fs[0], nil
}

// OpenFindingFacts returns the organisation's open findings (matched, active after VEX, state not
// not_affected or fixed) with what risk scoring needs, EPSS and KEV from the vulnerability records,
// ordered by product version and id: the risk pages take each version's findings as a part of the
// result instead of copying them (at the scale ~190 MB more, ~500 MB allocated while growing).
func (s *Store) OpenFindingFacts(ctx context.Context, orgID int64) ([]domain.FindingFacts, error) {
	// from the lists' index when it holds the organisation (read first if need be, as a list would):
	// tens of milliseconds instead of seconds at the scale
	sc := s.Scope(orgID)
	idx, err := s.findex.index(ctx, sc)
	if err != nil {
		return nil, err
	}
	if idx == nil { // over the budget: an index for this once
		if idx, err = sc.transientFindingIndex(ctx); err != nil {
			return nil, err
		}
	}
	return idx.openFacts(), nil
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
		_, err := tx.changeFindings(ctx, []int64{id}, func(e *findingset.Entry) {
			e.State, e.Justification, e.Owner, e.StateChanged, e.StateBy = t.State, t.Justification, t.Owner, at, actor
			e.Expires = time.Time{}
			if t.Expires != nil {
				e.Expires = t.Expires.UTC().Truncate(time.Microsecond)
			}
		})
		if err != nil {
			return f, err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO finding_events (org_id, product_version_id, finding_id, at, actor, kind, from_state, to_state,
			justification, owner, expires, comment) VALUES (?, ?, ?, ?, ?, 'state', ?, ?, ?, ?, ?, ?)`, tx.org, f.ProductVersionID, id, at, actor,
			f.State, t.State, t.Justification, t.Owner, tsPtr(t.Expires), t.Comment); err != nil {
			return f, err
		}
		if err := tx.touchFindings(ctx, []int64{f.ProductVersionID}); err != nil {
			return f, err
		}
	} else if _, err := tx.Exec(ctx, `INSERT INTO finding_events (org_id, product_version_id, finding_id, at, actor, kind, comment)
		VALUES (?, ?, ?, ?, ?, 'comment', ?)`, tx.org, f.ProductVersionID, id, at, actor, t.Comment); err != nil {
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

// FleetUnnotifiedKEV returns the open findings whose vulnerability is in CISA KEV or EU KEV and that
// no vuln.kev notification covered yet.
func (sc *Scope) FleetUnnotifiedKEV(ctx context.Context) ([]domain.Finding, error) {
	kev := map[string]bool{}
	ids, err := queryAll(ctx, sc.Q, func(r interface{ Scan(...any) error }) (string, error) {
		var id string
		return id, r.Scan(&id)
	}, "SELECT id FROM vulnerabilities WHERE cisa_kev = ? OR eu_kev = ?", true, true)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	for _, id := range ids {
		kev[id] = true
	}
	// every finding of the organisation is read: the lists' index does not hold what was notified
	es, err := sc.fleetEntriesWhere(ctx, nil, true, func(_ int64, v *findingset.EntryView) bool {
		return openEntry(v) && !v.KEVNotified && kev[string(v.VulnID)]
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(es, func(a, b fleetEntry) int {
		return cmp.Or(strings.Compare(a.e.VulnID, b.e.VulnID), cmp.Compare(a.e.ID, b.e.ID))
	})
	return sc.fleetFindingsOf(ctx, es)
}

// MarkKEVNotified records that the vuln.kev notification covered these findings.
func (tx *Tx) MarkKEVNotified(ctx context.Context, ids []int64) error {
	_, err := tx.changeFindings(ctx, ids, func(e *findingset.Entry) { e.KEVNotified = true })
	return err
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
	q := "SELECT id, product_version_id, ref, name, version, purl, cpe FROM sbom_components WHERE org_id = ?"
	packed := sc.Engine() == "sqlite"
	if packed {
		q = "SELECT " + packedComponent + " FROM sbom_components WHERE org_id = ?"
	}
	if ids == nil {
		return sc.eachFleetComponent(ctx, fn, packed, q+" ORDER BY product_version_id, id", sc.org)
	}
	ids = slices.Sorted(slices.Values(ids)) // batches in product version order, as without ids
	for start := 0; start < len(ids); start += 500 {
		batch := ids[start:min(start+500, len(ids))]
		args := []any{sc.org}
		for _, id := range batch {
			args = append(args, id)
		}
		if err := sc.eachFleetComponent(ctx, fn, packed, q+" AND product_version_id IN ("+discPlaceholders(len(batch))+") ORDER BY product_version_id, id", args...); err != nil {
			return err
		}
	}
	return nil
}

// eachFleetComponent runs q, whose rows are packedComponent values when packed, else the columns.
func (sc *Scope) eachFleetComponent(ctx context.Context, fn func(*FleetComponent) error, packed bool, q string, args ...any) error {
	rows, err := sc.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var c FleetComponent
	var row string
	for rows.Next() {
		var err error
		if packed {
			if err = rows.Scan(&row); err == nil {
				err = unpackComponent(row, &c)
			}
		} else {
			err = rows.Scan(&c.ID, &c.ProductVersionID, &c.Ref, &c.Name, &c.Version, &c.PURL, &c.CPE)
		}
		if err != nil {
			return err
		}
		if err := fn(&c); err != nil {
			return err
		}
	}
	return rows.Err()
}

// packedComponent is a component's columns as one text value for SQLite: the driver takes SQLite's
// mutex three times per text column (type, text, length) and allocates each, which was half of
// reading a million components. Lengths are in bytes, so no value can be mistaken for a separator.
const packedComponent = "id || ' ' || product_version_id || ' ' || length(CAST(ref AS BLOB)) || ' ' || length(CAST(name AS BLOB)) || ' ' || " +
	"length(CAST(version AS BLOB)) || ' ' || length(CAST(purl AS BLOB)) || ' ' || ref || name || version || purl || cpe"

// unpackComponent reads a packedComponent row into c; its strings are slices of row.
func unpackComponent(row string, c *FleetComponent) error {
	var n [6]int64
	rest := row
	for i := range n {
		sp := strings.IndexByte(rest, ' ')
		if sp < 0 {
			return fmt.Errorf("sbom_components: malformed packed row %.40q", row)
		}
		v, err := strconv.ParseInt(rest[:sp], 10, 64)
		if err != nil || (i >= 2 && v < 0) {
			return fmt.Errorf("sbom_components: malformed packed row %.40q", row)
		}
		n[i], rest = v, rest[sp+1:]
	}
	c.ID, c.ProductVersionID = n[0], n[1]
	var s [4]string
	for i := range s {
		if n[i+2] > int64(len(rest)) {
			return fmt.Errorf("sbom_components %d: malformed packed row", c.ID)
		}
		s[i], rest = rest[:n[i+2]], rest[n[i+2]:]
	}
	c.Ref, c.Name, c.Version, c.PURL, c.CPE = s[0], s[1], s[2], s[3], rest
	return nil
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
