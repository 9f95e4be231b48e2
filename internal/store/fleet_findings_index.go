package store

import (
	"cmp"
	"container/heap"
	"context"
	"database/sql"
	"errors"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/findingset"
)

// The findings lists from memory (issue 4). At the scale (2,000 product versions with 500
// components each: ~810,000 findings) a list in SQL counts and orders every finding of the
// organisation with its joins: the first page of /vulnerabilities took 3.2 s on pure-Go SQLite, a
// search 4.2 s, a filter that matches nothing 1.3 s. A list now filters, counts and orders an index of
// the organisation's findings kept in memory, and reads only the findings of its page from the database.
//
// Keeping it current, across processes too (the CLI writing while the server runs, several servers on
// one PostgreSQL): every transaction that changes findings raises the organisation's findings
// sequence once (findings_stamp, migration 0028) and records the product versions it touched under
// it (findings_changes). A list first reads the sequence, the count and id sum of the product
// versions (a deleted version takes its findings with it) and the feed generation (KEV and EPSS),
// then reads again only the findings of the versions recorded since its index — a triage one
// version, an advisory the versions it touched, a full match all of them. Reading the stamp before the
// findings means a change committed in between is read again next time, never missed.

// findingIndexBudget bounds the findings the indexes of all organisations hold (~180 bytes each); the
// least recently listed organisation is dropped first, and one larger than the budget is listed from
// an index read for each list (transientFindingIndex).
var findingIndexBudget = 2_000_000

type findingIndexCache struct {
	mu    sync.Mutex
	orgs  map[int64]*findingIndexEntry
	used  int // findings held
	tick  uint64
	loads int // reads of every finding of an organisation (tests)
	reads int // reads of some product versions' findings (tests)
}

type findingIndexEntry struct {
	mu   sync.Mutex    // one refresh at a time: a list waits for the one under way
	idx  *findingIndex // never changed once published; set holding mu and the cache's mu
	last uint64        // tick of the last use
}

type findingIndexStamp struct{ seq, versions, versionSum, generation int64 }

type findingIndex struct {
	stamp  findingIndexStamp
	tooBig bool // more findings than the budget: listed from a transient index until the stamp changes
	// unbounded: a transient index (transientFindingIndex), not held to the budget
	unbounded bool
	pvs       map[int64][]findingEntry
	n         int
	attrs     []findingVulnAttr // by findingVuln.n, as of stamp.generation
	// shared by the indexes that follow one another until the next read of every finding (only the
	// refresh, holding the entry's lock, touches the maps)
	texts map[int64]*findingText // by content id
	vulns map[string]*findingVuln
	// the CVSS vectors of the texts, one slice per distinct stored text (a vulnerability's vectors
	// repeat over its contents)
	vectors map[string][]string
	ntexts  int // len(texts) when this index was made: its entries' texts are numbered below
}

// findingEntry is one finding as lists filter and order it.
type findingEntry struct {
	id, pv  int64
	first   int64 // first_seen, Unix nanoseconds
	gone    int64 // no longer matched since (0: matched)
	changed int64 // state_changed (0: never triaged)
	expires int64 // an accepted risk's review date (0: none)
	text    *findingText
	vuln    *findingVuln
	state   uint8 // index in findingStates
	sev     int8
	active  bool // not suppressed by VEX
}

// findingText is what a content (fleet_segments.go) says that lists search and order by, shared by
// the findings that refer to it; the lower-case copies are the same strings when nothing changes.
type findingText struct {
	n                      int // numbered in the order read (a search's memo of each text)
	cvss                   float64
	name                   string // as stored: the component sort
	lname, lpurl, laliases string
	vectors                []string // every CVSS vector (the risk pages' open findings)
}

type findingVuln struct {
	id, lower string
	n         int // index of its attributes in findingIndex.attrs
}

type findingVulnAttr struct {
	kev     bool  // CISA or EU KEV
	cisaKEV bool  // the default order puts CISA's first
	kevDue  int64 // CISA's due date (0: none)
	euKEV   bool
	hasEPSS bool
	epssPct float64 // 0 when unknown or not a number
	epss    float64
}

// findingStates are the triage states, in the order of their names (state sorts by name).
var findingStates = func() []string {
	s := domain.FindingStates()
	slices.Sort(s)
	return s
}()

// The states in which a finding is closed (triaged not affected, or fixed).
var stateNotAffected, stateFixed = findingStateIndex(domain.FindingNotAffected), findingStateIndex(domain.FindingFixed)

// open reports whether the finding is open: matched, not set aside by VEX, not gone, not closed by
// triage (what the risk pages score and the handling figures count).
func (e *findingEntry) open() bool {
	return e.active && e.gone == 0 && e.state != stateNotAffected && e.state != stateFixed
}

func findingStateIndex(s string) uint8 {
	i, ok := slices.BinarySearch(findingStates, s)
	if !ok {
		return uint8(len(findingStates)) // unknown: after every known state
	}
	return uint8(i)
}

// findingChangesKept is how many of an organisation's transactions findings_changes remembers: an
// index older than that reads every finding again.
const findingChangesKept = 10_000

// touchFindings records that the transaction changed findings of the product versions pvs: the
// organisation's findings sequence is raised once per transaction and the versions recorded under it
// (one row per call, appended: updating a row of each version cost a PostgreSQL advisory ~5 ms).
func (tx *Tx) touchFindings(ctx context.Context, pvs []int64) error {
	if len(pvs) == 0 {
		return nil
	}
	st := tx.fleetState()
	if st.findingsSeq == 0 {
		err := tx.QueryRow(ctx, `INSERT INTO findings_stamp (org_id, seq) VALUES (?, 1)
			ON CONFLICT (org_id) DO UPDATE SET seq = findings_stamp.seq + 1 RETURNING seq`, tx.org).Scan(&st.findingsSeq)
		if err != nil {
			return err
		}
		if st.findingsSeq%1000 == 0 { // now and then: every transaction would pay for it
			if _, err := tx.Exec(ctx, "DELETE FROM findings_changes WHERE org_id = ? AND seq <= ?", tx.org, st.findingsSeq-findingChangesKept); err != nil {
				return err
			}
		}
	}
	slices.Sort(pvs)
	pvs = slices.Compact(pvs)
	var b strings.Builder
	for i, id := range pvs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	_, err := tx.Exec(ctx, "INSERT INTO findings_changes (org_id, seq, product_versions) VALUES (?, ?, ?)", tx.org, st.findingsSeq, b.String())
	return err
}

// RefreshFindingIndexes reads what changed into the indexes of the organisations whose findings were
// listed (after a match, in the background: the next list need not wait for it). Errors are logged:
// the next list reads again.
func (s *Store) RefreshFindingIndexes(ctx context.Context) {
	s.findex.mu.Lock()
	var orgs []int64
	for org, e := range s.findex.orgs {
		if e.idx != nil {
			orgs = append(orgs, org)
		}
	}
	s.findex.mu.Unlock()
	for _, org := range orgs {
		if _, err := s.findex.index(ctx, s.Scope(org)); err != nil {
			s.log.Warn("findings index not refreshed", "org", org, "err", err)
		}
	}
}

// WarmFindingIndexes reads the indexes of the organisations matched most recently, as many as the
// budget holds, when the server starts: the first list after a restart (an upgrade, a reboot) would
// otherwise read every finding while the CISO waits (2.3 s at the scale on SQLite). It
// returns how many it read; errors are logged (the first list reads again).
func (s *Store) WarmFindingIndexes(ctx context.Context) int {
	type org struct {
		id int64
		n  int
	}
	orgs, err := queryAll(ctx, s.Read(), func(r interface{ Scan(...any) error }) (org, error) {
		var o org
		return o, r.Scan(&o.id, &o.n)
	}, "SELECT org_id, findings FROM fleet_match_state WHERE findings > 0 ORDER BY last_run DESC, org_id")
	if err != nil {
		s.log.Warn("findings indexes not read at start", "err", err)
		return 0
	}
	warmed, used := 0, 0
	for _, o := range orgs {
		if ctx.Err() != nil {
			break
		}
		if used+o.n > findingIndexBudget {
			continue // it would push a more recently matched organisation out
		}
		if _, err := s.findex.index(ctx, s.Scope(o.id)); err != nil {
			s.log.Warn("findings index not read at start", "org", o.id, "err", err)
			continue
		}
		used += o.n
		warmed++
	}
	return warmed
}

// reset drops every organisation's index (after a restore).
func (c *findingIndexCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.orgs, c.used = nil, 0
}

// index returns the organisation's current index, reading what changed since the last one; nil when
// the organisation has more findings than the budget.
func (c *findingIndexCache) index(ctx context.Context, sc *Scope) (*findingIndex, error) {
	c.mu.Lock()
	if c.orgs == nil {
		c.orgs = map[int64]*findingIndexEntry{}
	}
	e := c.orgs[sc.org]
	if e == nil {
		e = &findingIndexEntry{}
		c.orgs[sc.org] = e
	}
	c.tick++
	e.last = c.tick
	c.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	// read under the lock: a list that read an older stamp must not follow one that read a newer
	st, err := sc.findingIndexStamp(ctx)
	if err != nil {
		return nil, err
	}
	old := e.idx
	if old != nil && old.stamp == st {
		if old.tooBig {
			return nil, nil
		}
		return old, nil
	}
	idx, full, err := sc.refreshFindingIndex(ctx, old, st)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e.idx = idx
	if full {
		c.loads++
	} else {
		c.reads++
	}
	if c.orgs[sc.org] != e { // reset meanwhile (a restore): not kept
		return idx, nil
	}
	if old != nil {
		c.used -= old.n
	}
	c.used += idx.n
	// the least recently listed organisations leave while the indexes take more than the budget
	for c.used > findingIndexBudget {
		var lru int64
		var le *findingIndexEntry
		for org, x := range c.orgs {
			if x != e && x.idx != nil && x.idx.n > 0 && (le == nil || x.last < le.last) {
				lru, le = org, x
			}
		}
		if le == nil {
			break
		}
		c.used -= le.idx.n
		delete(c.orgs, lru)
	}
	if idx.tooBig {
		return nil, nil
	}
	return idx, nil
}

func (sc *Scope) findingIndexStamp(ctx context.Context) (findingIndexStamp, error) {
	var st findingIndexStamp
	err := sc.QueryRow(ctx, `SELECT COALESCE((SELECT seq FROM findings_stamp WHERE org_id = ?), 0),
		(SELECT COUNT(*) FROM product_versions WHERE org_id = ?),
		(SELECT CAST(COALESCE(SUM(id), 0) AS BIGINT) FROM product_versions WHERE org_id = ?),
		COALESCE((SELECT generation FROM feed_state WHERE id = 1), 0)`, sc.org, sc.org, sc.org).
		Scan(&st.seq, &st.versions, &st.versionSum, &st.generation)
	return st, mapErr(err)
}

// refreshFindingIndex makes the index of stamp st from old (nil: none yet); full reports whether it
// read every finding.
func (sc *Scope) refreshFindingIndex(ctx context.Context, old *findingIndex, st findingIndexStamp) (idx *findingIndex, full bool, err error) {
	idx = &findingIndex{stamp: st}
	var changed []int64
	full = old == nil || old.tooBig || st.seq < old.stamp.seq || st.seq-old.stamp.seq >= findingChangesKept
	if !full && st.seq > old.stamp.seq {
		lists, err := queryAll(ctx, sc.Q, func(r interface{ Scan(...any) error }) (string, error) {
			var s string
			return s, r.Scan(&s)
		}, "SELECT product_versions FROM findings_changes WHERE org_id = ? AND seq > ?", sc.org, old.stamp.seq)
		if err != nil {
			return nil, false, err
		}
		seen := map[int64]bool{}
		for _, l := range lists {
			for f := range strings.FieldsSeq(l) {
				if id, err := strconv.ParseInt(f, 10, 64); err == nil && !seen[id] {
					seen[id] = true
					changed = append(changed, id)
				}
			}
		}
		full = len(changed) > max(len(old.pvs)/2, 50)
	}
	if full {
		idx.pvs, idx.texts, idx.vulns, idx.vectors = map[int64][]findingEntry{}, map[int64]*findingText{}, map[string]*findingVuln{}, map[string][]string{}
		if err := sc.readFindingEntries(ctx, idx, nil); err != nil {
			return nil, false, err
		}
	} else {
		idx.pvs, idx.n, idx.texts, idx.vulns, idx.vectors = maps.Clone(old.pvs), old.n, old.texts, old.vulns, old.vectors
		if st.versions != old.stamp.versions || st.versionSum != old.stamp.versionSum {
			// a product version deleted: its findings went with it
			ids, err := queryAll(ctx, sc.Q, scanInt64, "SELECT id FROM product_versions WHERE org_id = ?", sc.org)
			if err != nil {
				return nil, false, err
			}
			keep := make(map[int64]bool, len(ids))
			for _, id := range ids {
				keep[id] = true
			}
			for pv, es := range idx.pvs {
				if !keep[pv] {
					idx.n -= len(es)
					delete(idx.pvs, pv)
				}
			}
		}
		for _, pv := range changed {
			idx.n -= len(idx.pvs[pv])
			delete(idx.pvs, pv)
		}
		if len(changed) > 0 { // (nil would read every finding)
			if err := sc.readFindingEntries(ctx, idx, changed); err != nil {
				return nil, false, err
			}
		}
	}
	if idx.tooBig {
		idx.pvs, idx.texts, idx.vulns, idx.n = nil, nil, nil, 0
		return idx, full, nil
	}
	idx.ntexts = len(idx.texts)
	// KEV and EPSS of the vulnerabilities: again all of them when the feeds changed, else only those
	// new to the index
	from := 0
	if old != nil && !full && old.stamp.generation == st.generation {
		idx.attrs = old.attrs
		from = len(old.attrs)
	}
	if err := sc.readFindingVulnAttrs(ctx, idx, from); err != nil {
		return nil, false, err
	}
	return idx, full, nil
}

func scanInt64(r interface{ Scan(...any) error }) (int64, error) {
	var v int64
	err := r.Scan(&v)
	return v, err
}

// readFindingEntries adds the findings of the product versions pvs (all when nil) to idx.
func (sc *Scope) readFindingEntries(ctx context.Context, idx *findingIndex, pvs []int64) error {
	q := sc.Q
	if pvs == nil {
		// Every finding: every content first, then the findings, in one snapshot so that every
		// content a finding refers to is there (a transaction's own snapshot inside one).
		if sc.outsideTx() {
			rtx, err := sc.s.readSnapshot(ctx)
			if err != nil {
				return err
			}
			defer rtx.Rollback()
			q = Q{s: sc.s, db: rtx}
		}
		err := q.eachFindingContent(ctx, sc.org, func(v *findingset.ContentView) error {
			idx.addText(v.ID, v.CVSSScore, v.ComponentName, v.ComponentPURL, v.Aliases, v.CVSSVectors)
			return nil
		})
		if err != nil {
			return err
		}
	}
	// the entries read, and the contents they refer to that the index has no text of yet
	var missing []int64
	type pending struct {
		e     findingEntry
		match int64
	}
	var read []pending
	add := func(e findingEntry) bool {
		idx.pvs[e.pv] = append(idx.pvs[e.pv], e)
		idx.n++
		return idx.n > findingIndexBudget && !idx.unbounded
	}
	errTooBig := errors.New("too many findings")
	each := q.eachOrgFindingEntry
	if pvs != nil {
		each = func(ctx context.Context, org int64, fn func(int64, int, *findingset.EntryView) error) error {
			return q.eachFindingEntry(ctx, org, pvs, fn)
		}
	}
	err := each(ctx, sc.org, func(pv int64, _ int, v *findingset.EntryView) error {
		e := findingEntry{id: v.ID, pv: pv, sev: int8(min(v.SeverityRank, 7)), active: v.Active, first: v.FirstSeen.UnixNano(),
			state: findingStateIndex(v.State), gone: unixNano(v.Gone), changed: unixNano(v.StateChanged), expires: unixNano(v.Expires)}
		if e.vuln = idx.vulns[string(v.VulnID)]; e.vuln == nil {
			x := &findingVuln{id: string(v.VulnID), n: len(idx.vulns)}
			x.lower = strings.ToLower(x.id)
			e.vuln, idx.vulns[x.id] = x, x
		}
		if e.text = idx.texts[v.MatchID]; e.text == nil {
			if pvs == nil {
				return nil // no content: not a finding a list can show
			}
			missing = append(missing, v.MatchID)
			read = append(read, pending{e, v.MatchID})
			return nil
		}
		if add(e) {
			return errTooBig
		}
		return nil
	})
	if errors.Is(err, errTooBig) {
		idx.tooBig = true
		return nil
	}
	if err != nil {
		return err
	}
	if len(read) == 0 {
		return nil
	}
	contents, err := q.findingContents(ctx, sc.org, missing)
	if err != nil {
		return err
	}
	for _, r := range read {
		e := r.e
		if e.text = idx.texts[r.match]; e.text == nil {
			c := contents[r.match]
			if c == nil {
				continue // no content, as above
			}
			e.text = idx.addText(c.ID, c.CVSSScore, []byte(c.ComponentName), []byte(c.ComponentPURL), []byte(c.Aliases), []byte(c.CVSSVectors))
		}
		if add(e) {
			idx.tooBig = true
			return nil
		}
	}
	return nil
}

// transientFindingIndex reads an index of every finding of the organisation for one use, whatever
// their number: the lists, figures and facts of an organisation over the budget, and those read
// inside a transaction (which sees its own changes).
func (sc *Scope) transientFindingIndex(ctx context.Context) (*findingIndex, error) {
	idx := &findingIndex{unbounded: true, pvs: map[int64][]findingEntry{}, texts: map[int64]*findingText{}, vulns: map[string]*findingVuln{},
		vectors: map[string][]string{}}
	if err := sc.readFindingEntries(ctx, idx, nil); err != nil {
		return nil, err
	}
	idx.ntexts = len(idx.texts)
	if err := sc.readFindingVulnAttrs(ctx, idx, 0); err != nil {
		return nil, err
	}
	return idx, nil
}

// unixNano is a time as Unix nanoseconds, 0 for none.
func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// pvArgs are the arguments of a query of an organisation's product versions pvs.
func pvArgs(org int64, pvs []int64) []any {
	args := make([]any, 0, len(pvs)+1)
	args = append(args, org)
	for _, id := range pvs {
		args = append(args, id)
	}
	return args
}

// openFacts is OpenFindingFacts from the index: matched, active, not gone, not triaged as not
// affected or fixed, ordered by product version and id (a re-read version's entries come in the
// unique key's order).
func (idx *findingIndex) openFacts() []domain.FindingFacts {
	open := func(e *findingEntry) bool { return e.open() && int(e.state) < len(findingStates) } // a known state
	n := 0
	for _, es := range idx.pvs {
		for i := range es {
			if open(&es[i]) {
				n++
			}
		}
	}
	out := make([]domain.FindingFacts, 0, n)
	for _, pv := range slices.Sorted(maps.Keys(idx.pvs)) {
		start := len(out)
		es := idx.pvs[pv]
		for i := range es {
			e := &es[i]
			if !open(e) {
				continue
			}
			a := idx.attrs[e.vuln.n]
			x := domain.FindingFacts{FindingID: e.id, ProductVersionID: pv, VulnID: e.vuln.id, CVSSVectors: e.text.vectors,
				CISAKEV: a.cisaKEV, EUKEV: a.euKEV, EPSSPercentile: a.epssPct, State: findingStates[e.state]}
			if a.hasEPSS && !math.IsNaN(a.epss) {
				x.EPSS = a.epss
			}
			out = append(out, x)
		}
		if run := out[start:]; !slices.IsSortedFunc(run, byFindingID) {
			slices.SortFunc(run, byFindingID)
		}
	}
	return out
}

func byFindingID(a, b domain.FindingFacts) int { return cmp.Compare(a.FindingID, b.FindingID) }

// fleetHandlingIndexed is FleetHandling from the index (f.Matched set by the caller); ok is false
// when the organisation is over the budget.
func (sc *Scope) fleetHandlingIndexed(ctx context.Context, now time.Time, f FleetHandlingFigures) (FleetHandlingFigures, bool, error) {
	idx, err := sc.s.findex.index(ctx, sc)
	if err != nil || idx == nil {
		return f, false, err
	}
	return idx.handling(now, f), true, nil
}

// handling is FleetHandling from the index idx.
func (idx *findingIndex) handling(now time.Time, f FleetHandlingFigures) FleetHandlingFigures {
	at := now.UnixNano()
	st := findingStateIndex
	fixed, mitigated, accepted := stateFixed, st(domain.FindingMitigated), st(domain.FindingRiskAccepted)
	pending := map[uint8]bool{st(domain.FindingNew): true, st(domain.FindingInTriage): true, st(domain.FindingExploitable): true}
	for _, es := range idx.pvs {
		for i := range es {
			e := &es[i]
			if !e.active {
				continue
			}
			a := idx.attrs[e.vuln.n]
			if e.open() {
				f.Open++
				if a.kev {
					f.KEVOpen++
				}
				if e.state == accepted && e.expires != 0 && e.expires < at || a.kev && pending[e.state] && a.kevDue != 0 && a.kevDue < at {
					f.Overdue++
				}
			}
			// a KEV finding remediated: mitigated or fixed (from detection to that decision), or no
			// longer matched
			if !a.kev || e.state != mitigated && e.state != fixed && e.gone == 0 {
				continue
			}
			end := e.gone
			if (e.state == mitigated || e.state == fixed) && e.changed != 0 && (end == 0 || e.changed < end) {
				end = e.changed
			}
			if end != 0 && end >= e.first {
				f.KEVRemediated = append(f.KEVRemediated, time.Duration(end-e.first))
			}
		}
	}
	return f
}

// addText keeps what a content says that lists search and order by (the bytes are copied).
func (idx *findingIndex) addText(id int64, cvss float64, name, purl, aliases, vectors []byte) *findingText {
	t := &findingText{n: len(idx.texts), cvss: cvss, name: string(name)}
	t.lname, t.lpurl, t.laliases = strings.ToLower(t.name), strings.ToLower(string(purl)), strings.ToLower(string(aliases))
	v, ok := idx.vectors[string(vectors)]
	if !ok {
		v = discLines(string(vectors))
		idx.vectors[string(vectors)] = v
	}
	t.vectors = v
	idx.texts[id] = t
	return t
}

// readFindingVulnAttrs reads KEV and EPSS of the index's vulnerabilities numbered from on.
func (sc *Scope) readFindingVulnAttrs(ctx context.Context, idx *findingIndex, from int) error {
	ids := make([]string, len(idx.vulns))
	for id, v := range idx.vulns {
		ids[v.n] = id
	}
	attrs := make([]findingVulnAttr, len(ids))
	copy(attrs, idx.attrs[:min(from, len(idx.attrs))])
	pos := make(map[string]int, len(ids)-from)
	for i := from; i < len(ids); i++ {
		pos[ids[i]] = i
	}
	err := sc.queryIn(ctx, `SELECT id, COALESCE(cisa_kev, FALSE), COALESCE(eu_kev, FALSE), epss_score, epss_percentile, cisa_kev_due
		FROM vulnerabilities WHERE id IN (%s)`, ids[from:], func(rows *sql.Rows) error {
		var id string
		var cisa, eu bool
		var epss, pct *float64
		var due *time.Time
		if err := rows.Scan(&id, &cisa, &eu, &epss, &pct, &due); err != nil {
			return err
		}
		a := findingVulnAttr{kev: cisa || eu, cisaKEV: cisa, euKEV: eu}
		if due != nil {
			a.kevDue = unixNano(*due)
		}
		if epss != nil {
			a.hasEPSS, a.epss = true, *epss
		}
		if pct != nil && !math.IsNaN(*pct) {
			a.epssPct = *pct
		}
		attrs[pos[id]] = a
		return nil
	})
	idx.attrs = attrs
	return err
}

// findingVersionInfo is what lists need of a product version: its product and manufacturer.
type findingVersionInfo struct {
	product, manufacturer int64
	productKey, makerKey  string
}

func (sc *Scope) findingVersionInfos(ctx context.Context) (map[int64]findingVersionInfo, error) {
	rows, err := sc.Query(ctx, `SELECT v.id, p.id, m.id, p.name_key, m.name_key FROM product_versions v
		JOIN products p ON p.id = v.product_id JOIN manufacturers m ON m.id = p.manufacturer_id WHERE v.org_id = ?`, sc.org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]findingVersionInfo{}
	for rows.Next() {
		var id int64
		var i findingVersionInfo
		if err := rows.Scan(&id, &i.product, &i.manufacturer, &i.productKey, &i.makerKey); err != nil {
			return nil, err
		}
		out[id] = i
	}
	return out, rows.Err()
}

// fleetFindingsIndexed is FleetFindings from the index; ok is false when the organisation has more
// findings than the budget.
func (sc *Scope) fleetFindingsIndexed(ctx context.Context, f domain.FindingFilter) (out domain.Page[domain.Finding], ok bool, err error) {
	p := f.ListParams
	out = domain.Page[domain.Finding]{Limit: p.Limit, Offset: p.Offset, Items: []domain.Finding{}}
	idx, err := sc.s.findex.index(ctx, sc)
	if err != nil || idx == nil {
		return out, false, err
	}
	out, err = sc.listFindings(ctx, idx, f)
	return out, err == nil, err
}

// listFindings is FleetFindings from the index idx.
func (sc *Scope) listFindings(ctx context.Context, idx *findingIndex, f domain.FindingFilter) (out domain.Page[domain.Finding], err error) {
	p := f.ListParams
	out = domain.Page[domain.Finding]{Limit: p.Limit, Offset: p.Offset, Items: []domain.Finding{}}
	terms := searchTerms(f.Q)
	sortKey := strings.TrimPrefix(p.Sort, "-")
	if _, known := fleetFindingSort[sortKey]; !known {
		sortKey = ""
	}
	var infos map[int64]findingVersionInfo
	if f.ProductID != 0 || f.ManufacturerID != 0 || len(terms) > 0 || sortKey == "product" || sortKey == "manufacturer" {
		if infos, err = sc.findingVersionInfos(ctx); err != nil {
			return out, err
		}
	}
	// the product versions in question (nil: all)
	var only map[int64]bool
	narrow := func(ids []int64) {
		m := make(map[int64]bool, len(ids))
		for _, id := range ids {
			if only == nil || only[id] {
				m[id] = true
			}
		}
		only = m
	}
	if f.ProductVersionID != 0 {
		narrow([]int64{f.ProductVersionID})
	}
	if f.AssetID != 0 {
		ids, err := queryAll(ctx, sc.Q, scanInt64, "SELECT product_version_id FROM assets WHERE org_id = ? AND id = ? AND product_version_id IS NOT NULL",
			sc.org, f.AssetID)
		if err != nil {
			return out, err
		}
		narrow(ids)
	}
	if f.DepartmentID != 0 {
		ids, err := queryAll(ctx, sc.Q, scanInt64, `SELECT DISTINCT product_version_id FROM assets WHERE org_id = ? AND department_id = ?
			AND product_version_id IS NOT NULL`, sc.org, f.DepartmentID)
		if err != nil {
			return out, err
		}
		narrow(ids)
	}
	if f.ProductID != 0 || f.ManufacturerID != 0 {
		var ids []int64
		for id, i := range infos {
			if (f.ProductID == 0 || i.product == f.ProductID) && (f.ManufacturerID == 0 || i.manufacturer == f.ManufacturerID) {
				ids = append(ids, id)
			}
		}
		narrow(ids)
	}
	states := map[uint8]bool{}
	for _, s := range f.States {
		states[findingStateIndex(s)] = true
	}
	minSev := int8(SeverityRank(f.Severity))
	// a search term matches a finding's vulnerability id, aliases, component name or package URL or its
	// product's name: what the texts say is worked out once per text and term
	var textHits []uint8 // by findingText.n: 1<<7 once worked out, with bit i for term i (five at most)
	if len(terms) > 0 {
		textHits = make([]uint8, idx.ntexts)
	}
	textMatch := func(t *findingText) uint8 {
		h := textHits[t.n]
		if h == 0 {
			h = 1 << 7
			for i, term := range terms {
				if strings.Contains(t.laliases, term) || strings.Contains(t.lname, term) || strings.Contains(t.lpurl, term) {
					h |= 1 << i
				}
			}
			textHits[t.n] = h
		}
		return h
	}
	keep := func(e *findingEntry) bool {
		if !f.All && (e.gone != 0 || !e.active) {
			return false
		}
		if f.VulnID != "" && e.vuln.id != f.VulnID {
			return false
		}
		if len(states) > 0 && !states[e.state] {
			return false
		}
		if minSev > 0 && e.sev < minSev {
			return false
		}
		if f.KEV && !idx.attrs[e.vuln.n].kev {
			return false
		}
		if f.MinEPSS > 0 {
			if a := idx.attrs[e.vuln.n]; !a.hasEPSS || a.epss < f.MinEPSS {
				return false
			}
		}
		if len(terms) > 0 {
			h := textMatch(e.text)
			for i, term := range terms {
				if h&(1<<i) == 0 && !strings.Contains(e.vuln.lower, term) && !strings.Contains(infos[e.pv].productKey, term) {
					return false
				}
			}
		}
		return true
	}
	less := sc.findingOrder(idx, infos, sortKey, strings.HasPrefix(p.Sort, "-") && sortKey != "")
	// the page's findings: the first Offset+Limit in order, kept in a heap while counting
	k := 0 // (an offset past every finding only counts; a huge one must not overflow)
	if p.Offset < idx.n {
		k = p.Offset + p.Limit
	}
	top := &findingHeap{less: less}
	visit := func(es []findingEntry) {
		for i := range es {
			e := &es[i]
			if !keep(e) {
				continue
			}
			out.Total++
			if k == 0 {
				continue
			}
			if len(top.es) < k {
				heap.Push(top, e)
			} else if less(e, top.es[0]) {
				top.es[0] = e
				heap.Fix(top, 0)
			}
		}
	}
	if only != nil {
		for pv := range only {
			visit(idx.pvs[pv])
		}
	} else {
		for _, es := range idx.pvs {
			visit(es)
		}
	}
	page := top.es
	slices.SortFunc(page, func(a, b *findingEntry) int {
		if less(a, b) {
			return -1
		}
		if less(b, a) {
			return 1
		}
		return 0
	})
	if p.Offset >= len(page) {
		return out, nil
	}
	page = page[p.Offset:]
	ids := make([]int64, len(page))
	for i, e := range page {
		ids[i] = e.id
	}
	out.Items, err = sc.fleetFindingsByID(ctx, ids) // a finding deleted since the stamp was read is left out
	return out, err
}

// findingOrder returns the order of a list: that of fleetFindingSort (the default: known exploited
// first, then severity, CVSS score, vulnerability id), then by id.
func (sc *Scope) findingOrder(idx *findingIndex, infos map[int64]findingVersionInfo, key string, desc bool) func(a, b *findingEntry) bool {
	epss := func(e *findingEntry) float64 { return idx.attrs[e.vuln.n].epss }
	var c func(a, b *findingEntry) int
	switch key {
	case "vulnerability":
		c = func(a, b *findingEntry) int { return strings.Compare(a.vuln.id, b.vuln.id) }
	case "severity":
		c = func(a, b *findingEntry) int { return cmp.Compare(a.sev, b.sev) }
	case "cvss":
		c = func(a, b *findingEntry) int { return cmp.Compare(a.text.cvss, b.text.cvss) }
	case "epss":
		c = func(a, b *findingEntry) int { return cmp.Compare(epss(a), epss(b)) }
	case "state":
		c = func(a, b *findingEntry) int { return cmp.Compare(a.state, b.state) }
	case "product":
		c = func(a, b *findingEntry) int { return strings.Compare(infos[a.pv].productKey, infos[b.pv].productKey) }
	case "manufacturer":
		c = func(a, b *findingEntry) int { return strings.Compare(infos[a.pv].makerKey, infos[b.pv].makerKey) }
	case "component":
		c = func(a, b *findingEntry) int { return strings.Compare(a.text.name, b.text.name) }
	case "first_seen":
		c = func(a, b *findingEntry) int { return cmp.Compare(a.first, b.first) }
	default:
		kev := func(e *findingEntry) int {
			if idx.attrs[e.vuln.n].cisaKEV {
				return 1
			}
			return 0
		}
		c = func(a, b *findingEntry) int {
			return cmp.Or(cmp.Compare(kev(b), kev(a)), cmp.Compare(b.sev, a.sev), cmp.Compare(b.text.cvss, a.text.cvss),
				strings.Compare(a.vuln.id, b.vuln.id))
		}
	}
	if desc {
		asc := c
		c = func(a, b *findingEntry) int { return asc(b, a) }
	}
	return func(a, b *findingEntry) bool {
		if r := c(a, b); r != 0 {
			return r < 0
		}
		return a.id < b.id
	}
}

// findingHeap holds the first findings in order with the last of them on top (a max-heap by less).
type findingHeap struct {
	es   []*findingEntry
	less func(a, b *findingEntry) bool
}

func (h *findingHeap) Len() int           { return len(h.es) }
func (h *findingHeap) Less(i, j int) bool { return h.less(h.es[j], h.es[i]) }
func (h *findingHeap) Swap(i, j int)      { h.es[i], h.es[j] = h.es[j], h.es[i] }
func (h *findingHeap) Push(x any)         { h.es = append(h.es, x.(*findingEntry)) }
func (h *findingHeap) Pop() any {
	x := h.es[len(h.es)-1]
	h.es = h.es[:len(h.es)-1]
	return x
}
