package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/findingset"
)

// The findings of a product version are stored as one set in the format of internal/findingset
// (finding_sets, migration 0090), in parts: part 0 as the last full match (or the first write) left
// it, and each later part the findings a keyed re-match, a triage or a notification changed since.
// A finding in a later part replaces the one with the same id before it; a full match writes the
// version again as one part, and so does a write that would make more than maxFindingParts.
//
// A finding's id names its set: product version × 2^findingSeqBits + its number in the version
// (from 1, never used again: findings are kept when no longer matched). Findings numbered before
// migration 0090 keep their ids (links, the audit log, triage statements name them); their product
// versions are found in finding_legacy_ids.

// findingSeqBits is the width of a finding's number within its product version (16.7 million each,
// counting only findings new to the version; product version ids stay below 2^39, and the ids of
// the web UI below 2^53 up to 2^29 product versions).
const findingSeqBits = 24

// maxFindingParts is the most parts a product version's set is stored in before a write merges them.
const maxFindingParts = 16

// findingVersionOfID returns the product version a finding id names (0: an id from before migration
// 0090).
func findingVersionOfID(id int64) int64 {
	if id < 1<<findingSeqBits {
		return 0
	}
	return id >> findingSeqBits
}

// findingVersions groups finding ids by the product version each names (ids no version holds are
// left out), with the versions in ascending order. Ids from before migration 0090 are looked up in
// finding_legacy_ids in one query for all of them (a page of an upgraded database is mostly such ids).
func (q Q) findingVersions(ctx context.Context, org int64, ids []int64) (map[int64]map[int64]bool, []int64, error) {
	byPV := map[int64]map[int64]bool{}
	add := func(pv, id int64) {
		if byPV[pv] == nil {
			byPV[pv] = map[int64]bool{}
		}
		byPV[pv][id] = true
	}
	var legacy []int64
	for _, id := range ids {
		if pv := findingVersionOfID(id); pv != 0 {
			add(pv, id)
		} else if id > 0 {
			legacy = append(legacy, id)
		}
	}
	if len(legacy) > 0 {
		type idRange struct{ first, last, pv int64 }
		ranges, err := queryAll(ctx, q, func(r interface{ Scan(...any) error }) (idRange, error) {
			var x idRange
			return x, r.Scan(&x.first, &x.last, &x.pv)
		}, `SELECT first_id, last_id, product_version_id FROM finding_legacy_ids WHERE org_id = ? AND last_id >= ? AND first_id <= ?
			ORDER BY first_id`, org, slices.Min(legacy), slices.Max(legacy))
		if err != nil {
			return nil, nil, err
		}
		for _, id := range legacy {
			// the last range starting at or before id (ranges never overlap)
			i, _ := slices.BinarySearchFunc(ranges, id, func(x idRange, id int64) int { return cmp.Compare(x.first, id+1) })
			if i > 0 && ranges[i-1].last >= id {
				add(ranges[i-1].pv, id)
			}
		}
	}
	pvs := slices.Sorted(maps.Keys(byPV))
	return byPV, pvs, nil
}

// setError names the damaged set an error of findingset came from.
func setError(org, pv int64, part int, err error) error {
	return fmt.Errorf("organisation %d, findings of product version %d (part %d): %w", org, pv, part, err)
}

// eachFindingEntry calls fn with a view of each finding of the product versions pvs (none when
// empty): the entry of the latest part that holds it. The view is valid during the call only.
// Versions come in descending order, and within a version the entries of later parts first.
func (q Q) eachFindingEntry(ctx context.Context, org int64, pvs []int64, fn func(pv int64, part int, v *findingset.EntryView) error) error {
	if len(pvs) == 0 {
		return nil
	}
	return q.eachEntry(ctx, org, pvs, fn)
}

// eachOrgFindingEntry is eachFindingEntry for every product version of the organisation.
func (q Q) eachOrgFindingEntry(ctx context.Context, org int64, fn func(pv int64, part int, v *findingset.EntryView) error) error {
	return q.eachEntry(ctx, org, nil, fn)
}

// eachEntry is eachFindingEntry, of every version when pvs is nil.
func (q Q) eachEntry(ctx context.Context, org int64, pvs []int64, fn func(pv int64, part int, v *findingset.EntryView) error) error {
	batches := [][]int64{nil}
	if pvs != nil {
		batches = batches[:0]
		for start := 0; start < len(pvs); start += 500 {
			batches = append(batches, pvs[start:min(start+500, len(pvs))])
		}
	}
	var seen map[int64]bool // ids in the version's later parts
	lastPV := int64(-1)
	for _, batch := range batches {
		q1, args := "SELECT product_version_id, part, data FROM finding_sets WHERE org_id = ?", pvArgs(org, batch)
		if batch != nil {
			q1 += " AND product_version_id IN (" + discPlaceholders(len(batch)) + ")"
		}
		// descending: an index scan backwards on both engines, the later parts of a version first
		rows, err := q.Query(ctx, q1+" ORDER BY product_version_id DESC, part DESC", args...)
		if err != nil {
			return err
		}
		// the driver's bytes, valid until the next row: no copy of each set
		var data sql.RawBytes
		for rows.Next() {
			var pv int64
			var part int
			if err := rows.Scan(&pv, &part, &data); err != nil {
				rows.Close()
				return err
			}
			if pv != lastPV {
				lastPV = pv
				clear(seen)
			}
			err := findingset.ScanSet(data, func(v *findingset.EntryView) error {
				if len(seen) > 0 && seen[v.ID] {
					return nil
				}
				if part > 0 {
					if seen == nil {
						seen = map[int64]bool{}
					}
					seen[v.ID] = true
				}
				return fn(pv, part, v)
			})
			if err != nil {
				rows.Close()
				var fe *findingset.FormatError
				if errors.As(err, &fe) {
					return setError(org, pv, part, err)
				}
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

// findingEntries returns the current entries of the product versions pvs for which keep (nil:
// every entry) is true, by product version.
func (q Q) findingEntries(ctx context.Context, org int64, pvs []int64, keep func(pv int64, v *findingset.EntryView) bool) (map[int64][]findingset.Entry, error) {
	out := map[int64][]findingset.Entry{}
	err := q.eachFindingEntry(ctx, org, pvs, func(pv int64, _ int, v *findingset.EntryView) error {
		if keep == nil || keep(pv, v) {
			out[pv] = append(out[pv], v.Entry())
		}
		return nil
	})
	return out, err
}

// findingPart is what finding_sets says of a part without its data.
type findingPart struct {
	part    int
	lastSeq int64
	filter  []byte
}

// findingParts returns the parts of the product versions pvs, by version, in part order.
func (q Q) findingParts(ctx context.Context, org int64, pvs []int64) (map[int64][]findingPart, error) {
	out := make(map[int64][]findingPart, len(pvs))
	for start := 0; start < len(pvs); start += 500 {
		batch := pvs[start:min(start+500, len(pvs))]
		rows, err := q.Query(ctx, `SELECT product_version_id, part, last_seq, vuln_filter FROM finding_sets
			WHERE org_id = ? AND product_version_id IN (`+discPlaceholders(len(batch))+") ORDER BY product_version_id, part", pvArgs(org, batch)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var pv int64
			var p findingPart
			if err := rows.Scan(&pv, &p.part, &p.lastSeq, &p.filter); err != nil {
				rows.Close()
				return nil, err
			}
			out[pv] = append(out[pv], p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// findingSetWrite is one part to store: entries es (the changed ones) of product version pv as its
// part next (-1: after its last), or all its findings as its only part when whole.
type findingSetWrite struct {
	pv    int64
	es    []*findingset.Entry
	whole bool
	next  int
}

// entryPtrs returns pointers to the entries of es.
func entryPtrs(es []findingset.Entry) []*findingset.Entry {
	out := make([]*findingset.Entry, len(es))
	for i := range es {
		out[i] = &es[i]
	}
	return out
}

// findingPartBatch is the most parts one INSERT stores (7 values each).
const findingPartBatch = 64

// writeFindingSets stores the parts ws: a version that would get more than maxFindingParts parts is
// merged into one. The DELETEs of whole versions and the INSERTs are multi-row statements: a full
// match writes ~2,000 versions, an advisory ~170, and one statement each cost PostgreSQL a round
// trip apiece (an advisory 38 ms against 17 ms with the rows' batched statements).
func (tx *Tx) writeFindingSets(ctx context.Context, ws []findingSetWrite) error {
	var lookup []int64
	for i := range ws {
		if !ws[i].whole && ws[i].next < 0 {
			lookup = append(lookup, ws[i].pv)
		}
	}
	if len(lookup) > 0 {
		parts, err := tx.Q.findingParts(ctx, tx.org, lookup)
		if err != nil {
			return err
		}
		for i := range ws {
			if w := &ws[i]; !w.whole && w.next < 0 {
				w.next = 0
				if ps := parts[w.pv]; len(ps) > 0 {
					w.next = ps[len(ps)-1].part + 1
				}
			}
		}
	}
	var wholePVs []int64
	for i := range ws {
		w := &ws[i]
		if !w.whole && w.next >= maxFindingParts {
			all, err := tx.Q.findingEntries(ctx, tx.org, []int64{w.pv}, nil)
			if err != nil {
				return err
			}
			merged := entryPtrs(all[w.pv])
			at := make(map[int64]int, len(merged))
			for i, e := range merged {
				at[e.ID] = i
			}
			for _, e := range w.es {
				if i, ok := at[e.ID]; ok {
					merged[i] = e
				} else {
					merged = append(merged, e)
				}
			}
			w.es, w.whole = merged, true
		}
		if w.whole {
			w.next = 0
			wholePVs = append(wholePVs, w.pv)
		}
		slices.SortFunc(w.es, func(a, b *findingset.Entry) int { return cmp.Compare(a.ID, b.ID) })
	}
	for start := 0; start < len(wholePVs); start += 500 {
		batch := wholePVs[start:min(start+500, len(wholePVs))]
		if _, err := tx.Exec(ctx, "DELETE FROM finding_sets WHERE org_id = ? AND product_version_id IN ("+discPlaceholders(len(batch))+")",
			pvArgs(tx.org, batch)...); err != nil {
			return err
		}
	}
	st := tx.fleetState()
	var err error
	st.setBuf, err = insertFindingParts(ctx, tx.Q, tx.org, ws, st.setBuf)
	return err
}

// insertFindingParts stores the parts ws (entries sorted by id, part numbers set), each with its
// last finding number and vulnerability filter. The parts of a statement are encoded into buf, which
// is returned for the next call (a full match encodes ~60 MB of sets: as garbage, a fresh buffer each,
// it raised the peak of the process's memory).
func insertFindingParts(ctx context.Context, q Q, org int64, ws []findingSetWrite, buf []byte) ([]byte, error) {
	const row = "(?, ?, ?, ?, ?, ?, ?)"
	args := make([]any, 0, 7*min(len(ws), findingPartBatch))
	filters := make([]findingset.VulnFilter, min(len(ws), findingPartBatch))
	ends := make([]int, min(len(ws), findingPartBatch))
	for start := 0; start < len(ws); start += findingPartBatch {
		batch := ws[start:min(start+findingPartBatch, len(ws))]
		buf = buf[:0]
		for i, w := range batch {
			var err error
			if buf, err = findingset.AppendSetOf(buf, len(w.es), func(i int) *findingset.Entry { return w.es[i] }); err != nil {
				return buf, fmt.Errorf("findings of product version %d: %w", w.pv, err)
			}
			ends[i] = len(buf)
		}
		args = args[:0]
		for i, w := range batch {
			from := 0
			if i > 0 {
				from = ends[i-1]
			}
			filters[i] = findingset.VulnFilter{}
			var lastSeq int64
			for _, e := range w.es {
				filters[i].Add(e.VulnID)
				if findingVersionOfID(e.ID) == w.pv {
					lastSeq = max(lastSeq, e.ID&(1<<findingSeqBits-1))
				}
			}
			args = append(args, org, w.pv, w.next, len(w.es), lastSeq, filters[i][:], buf[from:ends[i]])
		}
		if _, err := q.Exec(ctx, `INSERT INTO finding_sets (org_id, product_version_id, part, n, last_seq, vuln_filter, data) VALUES `+
			strings.TrimSuffix(strings.Repeat(row+", ", len(batch)), ", "), args...); err != nil {
			return buf, fmt.Errorf("store the findings of product versions %d–%d: %w", batch[0].pv, batch[len(batch)-1].pv, mapErr(err))
		}
	}
	return buf, nil
}

// changeFindings applies change to the current entries of the findings ids (those found) and stores
// them as a new part of each product version; it returns the product versions written.
func (tx *Tx) changeFindings(ctx context.Context, ids []int64, change func(e *findingset.Entry)) ([]int64, error) {
	byPV, pvs, err := tx.Q.findingVersions(ctx, tx.org, ids)
	if err != nil {
		return nil, err
	}
	es, err := tx.Q.findingEntries(ctx, tx.org, pvs, func(pv int64, v *findingset.EntryView) bool { return byPV[pv][v.ID] })
	if err != nil {
		return nil, err
	}
	var ws []findingSetWrite
	var written []int64
	for _, pv := range pvs {
		if len(es[pv]) == 0 {
			continue
		}
		for i := range es[pv] {
			change(&es[pv][i])
		}
		ws = append(ws, findingSetWrite{pv: pv, es: entryPtrs(es[pv]), next: -1})
		written = append(written, pv)
	}
	if err := tx.writeFindingSets(ctx, ws); err != nil {
		return nil, err
	}
	return written, nil
}

// legacyFindingCols are the columns of the findings rows (migrations 0027–0089), which migration
// 0090 and the restore of older backups pack into sets.
const legacyFindingCols = `id, org_id, product_version_id, component_key, component_id, vuln_id, severity_rank, active, state, justification,
	owner, expires, state_changed, state_by, first_seen, last_seen, gone, kev_notified, match_id, match_hash`

// legacyEventCols are the columns of finding_events before migration 0090.
const legacyEventCols = `id, org_id, finding_id, at, actor, kind, from_state, to_state, justification, owner, expires, comment`

// legacyFindingTables are findings and finding_events as they were before migration 0090, as
// temporary tables for the restore of a backup made before it (types as restoreValue converts to;
// the events under the name migration 0090 gives them).
func legacyFindingTables(engine string) (creates []string, types map[string]map[string]string) {
	types = map[string]map[string]string{}
	ts := "timestamp"
	if engine == "postgres" {
		ts = "timestamptz"
	}
	for _, t := range []struct{ name, cols string }{{"findings", legacyFindingCols}, {"finding_events_old", legacyEventCols}} {
		tt := map[string]string{}
		var cols []string
		for c := range strings.SplitSeq(t.cols, ",") {
			c = strings.TrimSpace(c)
			typ := "text"
			switch c {
			case "id", "org_id", "product_version_id", "component_id", "match_id", "match_hash", "finding_id":
				typ = "bigint"
			case "severity_rank":
				typ = "integer"
			case "active", "kev_notified":
				typ = "boolean"
			case "expires", "state_changed", "first_seen", "last_seen", "gone", "at":
				typ = ts
			}
			def := ""
			switch c {
			case "match_hash", "match_id", "component_id", "severity_rank":
				def = " DEFAULT 0"
			case "kev_notified":
				def = " DEFAULT FALSE"
			case "active":
				def = " DEFAULT TRUE"
			case "state":
				def = " DEFAULT 'new'"
			case "component_key", "justification", "owner", "state_by", "actor", "from_state", "to_state", "comment":
				def = " DEFAULT ''"
			}
			tt[c] = typ
			cols = append(cols, c+" "+strings.ToUpper(typ)+def)
		}
		types[t.name] = tt
		creates = append(creates, "CREATE TEMP TABLE "+t.name+" ("+strings.Join(cols, ", ")+")")
	}
	return creates, types
}

// packFindingRows moves the findings rows into sets (one part per product version, ids kept, their
// product versions recorded as ranges in finding_legacy_ids) and the history of finding_events_old
// into finding_events (keyed by the findings' product versions; events of findings no longer there
// are dropped, as the old foreign key's cascade would have), then drops both old tables: the Go step
// of migration 0090, and of restoring a backup made before it.
func packFindingRows(ctx context.Context, q Q) error {
	if _, err := q.Exec(ctx, `INSERT INTO finding_events (id, org_id, product_version_id, finding_id, at, actor, kind, from_state, to_state,
		justification, owner, expires, comment)
		SELECT e.id, e.org_id, f.product_version_id, e.finding_id, e.at, e.actor, e.kind, e.from_state, e.to_state, e.justification, e.owner,
			e.expires, e.comment
		FROM finding_events_old e JOIN findings f ON f.org_id = e.org_id AND f.id = e.finding_id`); err != nil {
		return fmt.Errorf("pack findings: the triage history: %w", err)
	}
	if q.s.d.name() == "postgres" {
		if _, err := q.Exec(ctx, `SELECT setval(pg_get_serial_sequence('finding_events', 'id'), COALESCE((SELECT MAX(id) FROM finding_events), 0) + 1, false)`); err != nil {
			return fmt.Errorf("pack findings: the triage history's ids: %w", err)
		}
	}
	if _, err := q.Exec(ctx, "DROP TABLE finding_events_old"); err != nil {
		return fmt.Errorf("pack findings: %w", err)
	}
	type version struct{ org, pv int64 }
	versions, err := queryAll(ctx, q, func(r interface{ Scan(...any) error }) (version, error) {
		var v version
		return v, r.Scan(&v.org, &v.pv)
	}, "SELECT DISTINCT org_id, product_version_id FROM findings ORDER BY 1, 2")
	if err != nil {
		return fmt.Errorf("pack findings: %w", err)
	}
	var buf []byte
	packed := 0
	for _, v := range versions {
		es, err := queryAll(ctx, q, func(r interface{ Scan(...any) error }) (findingset.Entry, error) {
			var e findingset.Entry
			var expires, changed, gone *time.Time
			err := r.Scan(&e.ID, &e.ComponentKey, &e.ComponentID, &e.VulnID, &e.SeverityRank, &e.Active, &e.State, &e.Justification, &e.Owner,
				&expires, &changed, &e.StateBy, &e.FirstSeen, &e.LastSeen, &gone, &e.KEVNotified, &e.MatchID, &e.MatchHash)
			for _, t := range []struct {
				from *time.Time
				to   *time.Time
			}{{expires, &e.Expires}, {changed, &e.StateChanged}, {gone, &e.Gone}} {
				if t.from != nil {
					*t.to = t.from.UTC()
				}
			}
			e.FirstSeen, e.LastSeen, e.SeverityRank = e.FirstSeen.UTC(), e.LastSeen.UTC(), max(e.SeverityRank, 0)
			return e, err
		}, `SELECT id, component_key, component_id, vuln_id, severity_rank, active, state, justification, owner, expires, state_changed,
			state_by, first_seen, last_seen, gone, kev_notified, match_id, match_hash FROM findings
			WHERE org_id = ? AND product_version_id = ? ORDER BY id`, v.org, v.pv)
		if err != nil {
			return fmt.Errorf("pack findings of product version %d: %w", v.pv, err)
		}
		if buf, err = insertFindingParts(ctx, q, v.org, []findingSetWrite{{pv: v.pv, es: entryPtrs(es), whole: true}}, buf); err != nil {
			return fmt.Errorf("pack findings: %w", err)
		}
		if last := es[len(es)-1].ID; last >= 1<<findingSeqBits {
			return fmt.Errorf("pack findings of product version %d: finding id %d is beyond the numbers kept for findings before migration 0090", v.pv, last)
		}
		// the ids as runs of consecutive numbers (no other version's id lies inside one)
		for start := 0; start < len(es); {
			end := start + 1
			for end < len(es) && es[end].ID == es[end-1].ID+1 {
				end++
			}
			if _, err := q.Exec(ctx, "INSERT INTO finding_legacy_ids (org_id, first_id, last_id, product_version_id) VALUES (?, ?, ?, ?)",
				v.org, es[start].ID, es[end-1].ID, v.pv); err != nil {
				return fmt.Errorf("pack findings of product version %d: %w", v.pv, err)
			}
			start = end
		}
		packed += len(es)
	}
	if _, err := q.Exec(ctx, "DROP TABLE findings"); err != nil {
		return fmt.Errorf("pack findings: %w", err)
	}
	if len(versions) > 0 {
		q.s.log.Info("packed findings into sets", "findings", packed, "product_versions", len(versions))
	}
	return nil
}
