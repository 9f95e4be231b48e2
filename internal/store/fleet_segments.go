package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	mathbits "math/bits"
	"slices"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/findingset"
)

// What matches say about a component and a vulnerability (a finding's content: names, reason, source,
// severity, vectors, the VEX decision) is stored once per distinct content and shared by the findings
// that say the same, packed up to segmentSize to a row of finding_segments (migration 0029) in the
// format of internal/findingset. Contents are appended, never changed: a finding whose content
// changes refers to a new one, and the prune after a full match removes those no finding refers to.
// Equal contents are shared within a transaction (and across the whole organisation after a full
// match, which first reads every digest); an advisory's re-match may append a content equal to a
// stored one, which the next full match's prune folds.

// segmentSize is the most contents a segment holds: one content read back decodes its segment
// (~170 µs for 256), and a full match writes ~1,500 of them at the scale.
const segmentSize = 256

// contentOf is what finding f says, as content id: the columns of the former finding_matches, with
// their limits.
func contentOf(f *domain.Finding, id int64) findingset.Content {
	return findingset.Content{ID: id, Digest: f.Digest, Aliases: fleetTrunc(strings.Join(f.Aliases, " "), 2000),
		ComponentName: fleetTrunc(f.ComponentName, 500), ComponentVersion: fleetTrunc(f.ComponentVersion, 200),
		ComponentPURL: fleetTrunc(f.ComponentPURL, 1000), ComponentCPE: fleetTrunc(f.ComponentCPE, 500), RecordID: fleetTrunc(f.RecordID, 200),
		Source: f.Source, Matcher: f.Matcher, Reason: fleetTrunc(f.Reason, 2000), OtherReasons: fleetTrunc(strings.Join(f.OtherReasons, "\n"), 8000),
		Confidence: f.Confidence, Guessed: f.Guessed, Severity: f.Severity, SeverityRank: max(f.SeverityRank, 0), CVSSScore: f.CVSSScore,
		CVSSVectors: strings.Join(f.CVSSVectors, "\n"), FixedVersion: fleetTrunc(f.FixedVersion, 200), Remediation: fleetTrunc(f.Remediation, 4000),
		MatchStatus: f.MatchStatus, Active: f.Active, VEXOrigin: f.VEXOrigin, VEXStatementID: f.VEXStatementID,
		VEXSource: fleetTrunc(f.VEXSource, 500), VEXJustification: f.VEXJustification}
}

// fillFromContent sets what a finding says from its content (its own row keeps active and the
// severity rank).
func fillFromContent(f *domain.Finding, c *findingset.Content) {
	f.Aliases, f.ComponentName, f.ComponentVersion = strings.Fields(c.Aliases), c.ComponentName, c.ComponentVersion
	f.ComponentPURL, f.ComponentCPE, f.RecordID, f.Source, f.Matcher = c.ComponentPURL, c.ComponentCPE, c.RecordID, c.Source, c.Matcher
	f.Reason, f.OtherReasons, f.Confidence, f.Guessed = c.Reason, discLines(c.OtherReasons), c.Confidence, c.Guessed
	f.Severity, f.CVSSScore, f.CVSSVectors = c.Severity, c.CVSSScore, discLines(c.CVSSVectors)
	f.FixedVersion, f.Remediation, f.MatchStatus = c.FixedVersion, c.Remediation, c.MatchStatus
	f.VEXOrigin, f.VEXStatementID, f.VEXSource, f.VEXJustification = c.VEXOrigin, c.VEXStatementID, c.VEXSource, c.VEXJustification
	f.Digest = c.Digest
}

// allocContentIDs reserves n content ids of the organisation and returns the first. Ids are never
// used again, even when the prune removed the contents that had them.
func (tx *Tx) allocContentIDs(ctx context.Context, n int) (int64, error) {
	var next int64
	err := tx.QueryRow(ctx, `INSERT INTO finding_content_ids (org_id, next_id) VALUES (?, ?)
		ON CONFLICT (org_id) DO UPDATE SET next_id = finding_content_ids.next_id + ? RETURNING next_id`, tx.org, 1+n, n).Scan(&next)
	return next - int64(n), mapErr(err)
}

// storeContents stores what the findings fs say (one content each: the caller passes distinct
// digests) in new segments, records their ids in the transaction's state and returns the first:
// fs[i]'s is first+i.
func (tx *Tx) storeContents(ctx context.Context, fs []*domain.Finding) (first int64, err error) {
	if len(fs) == 0 {
		return 0, nil
	}
	first, err = tx.allocContentIDs(ctx, len(fs))
	if err != nil {
		return 0, fmt.Errorf("finding contents: %w", err)
	}
	state := tx.fleetState()
	cs := make([]findingset.Content, 0, min(len(fs), segmentSize))
	var buf []byte
	for start := 0; start < len(fs); start += segmentSize {
		cs = cs[:0]
		for i, f := range fs[start:min(start+segmentSize, len(fs))] {
			id := first + int64(start+i)
			cs = append(cs, contentOf(f, id))
			state.matchIDs[f.Digest] = id
		}
		if buf, err = writeSegment(ctx, tx.Q, tx.org, cs, buf); err != nil {
			return 0, err
		}
	}
	return first, nil
}

// writeSegment stores contents cs (ids ascending) as one segment; buf is reused for the encoding.
func writeSegment(ctx context.Context, q Q, org int64, cs []findingset.Content, buf []byte) ([]byte, error) {
	buf, err := findingset.AppendContents(buf[:0], cs)
	if err != nil {
		return buf, err
	}
	if _, err := q.Exec(ctx, "INSERT INTO finding_segments (org_id, first_id, last_id, n, data) VALUES (?, ?, ?, ?, ?)",
		org, cs[0].ID, cs[len(cs)-1].ID, len(cs), buf); err != nil {
		return buf, fmt.Errorf("store finding contents %d–%d: %w", cs[0].ID, cs[len(cs)-1].ID, err)
	}
	return buf, nil
}

// decodeSegment decodes a stored segment, naming it in an error.
func decodeSegment(org, first int64, data []byte) ([]findingset.Content, error) {
	cs, err := findingset.DecodeContents(data)
	if err != nil {
		return nil, segmentError(org, first, err)
	}
	return cs, nil
}

// segmentError names the damaged segment an error of findingset came from.
func segmentError(org, first int64, err error) error {
	return fmt.Errorf("organisation %d, finding segment from content %d: %w", org, first, err)
}

// eachFindingContent calls fn with a view of every content of the organisation, by id (the view's
// strings are valid during the call only: the readers of every content keep a few fields).
func (q Q) eachFindingContent(ctx context.Context, org int64, fn func(v *findingset.ContentView) error) error {
	rows, err := q.Query(ctx, "SELECT first_id, data FROM finding_segments WHERE org_id = ? ORDER BY first_id", org)
	if err != nil {
		return err
	}
	defer rows.Close()
	// the driver's bytes, valid until the next row: ~1,500 segments of ~66 kB at full size need no
	// copy each (a copy is garbage the moment its contents are seen)
	var data sql.RawBytes
	for rows.Next() {
		var first int64
		if err := rows.Scan(&first, &data); err != nil {
			return err
		}
		if err := findingset.ScanContents(data, fn); err != nil {
			var fe *findingset.FormatError
			if errors.As(err, &fe) {
				return segmentError(org, first, err)
			}
			return err
		}
	}
	return rows.Err()
}

// findingContents returns the contents of the ids (an id no segment holds is left out): a few are
// found segment by segment, more by reading the segments of their id range.
func (q Q) findingContents(ctx context.Context, org int64, ids []int64) (map[int64]*findingset.Content, error) {
	want := slices.Compact(slices.Sorted(slices.Values(ids)))
	out := make(map[int64]*findingset.Content, len(want))
	add := func(first int64, data []byte) error {
		cs, err := decodeSegment(org, first, data)
		if err != nil {
			return err
		}
		for i := range cs {
			if _, ok := slices.BinarySearch(want, cs[i].ID); ok {
				out[cs[i].ID] = &cs[i]
			}
		}
		return nil
	}
	if len(want) == 0 {
		return out, nil
	}
	if len(want) <= 32 {
		for _, id := range want {
			if out[id] != nil {
				continue
			}
			var first int64
			var data []byte
			err := q.QueryRow(ctx, "SELECT first_id, data FROM finding_segments WHERE org_id = ? AND first_id <= ? AND last_id >= ? ORDER BY first_id DESC LIMIT 1",
				org, id, id).Scan(&first, &data)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return nil, mapErr(err)
			}
			if err := add(first, data); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	rows, err := q.Query(ctx, "SELECT first_id, data FROM finding_segments WHERE org_id = ? AND last_id >= ? AND first_id <= ? ORDER BY first_id",
		org, want[0], want[len(want)-1])
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var first int64
		var data []byte
		if err := rows.Scan(&first, &data); err != nil {
			return nil, err
		}
		if err := add(first, data); err != nil {
			return nil, err
		}
	}
	return out, rows.Err()
}

// idSet is a set of content ids as 64-bit words: the ids a full match refers to are mostly runs
// (contents are numbered as they are stored), so it holds ~800,000 of them in ~13,000 map entries.
type idSet map[int64]uint64

func (s idSet) add(id int64)      { s[id>>6] |= 1 << (uint64(id) & 63) }
func (s idSet) has(id int64) bool { return s[id>>6]&(1<<(uint64(id)&63)) != 0 }

// count returns how many ids from lo to hi (inclusive) the set holds.
func (s idSet) count(lo, hi int64) int {
	in := func(w int64, bits uint64) int {
		if w == lo>>6 {
			bits &^= 1<<(uint64(lo)&63) - 1
		}
		if w == hi>>6 && uint64(hi)&63 != 63 {
			bits &= 1<<(uint64(hi)&63+1) - 1
		}
		return mathbits.OnesCount64(bits)
	}
	n := 0
	if hi>>6-lo>>6 >= int64(len(s)) { // a range wider than the set (old ids can be sparse): its words in it
		for w, bits := range s {
			if w >= lo>>6 && w <= hi>>6 {
				n += in(w, bits)
			}
		}
		return n
	}
	for w := lo >> 6; w <= hi>>6; w++ {
		n += in(w, s[w])
	}
	return n
}

// PreloadFindingMatches reads the digest of every content of the organisation, so that a full match
// shares what is already stored instead of appending it again; before a full match.
func (tx *Tx) PreloadFindingMatches(ctx context.Context) error {
	st := tx.fleetState()
	return tx.Q.eachFindingContent(ctx, tx.org, func(v *findingset.ContentView) error {
		if _, ok := st.matchIDs[string(v.Digest)]; !ok { // the first of equal contents (an advisory's re-match may repeat one)
			st.matchIDs[string(v.Digest)] = v.ID
		}
		return nil
	})
}

// PruneFindingMatches removes the organisation's contents that no finding refers to and returns how
// many. It is only right after every product version's findings were replaced in this transaction (a
// full match): the references are those the replacements saw. A segment all of whose contents are
// referred to is not read; one partly used is written again with the rest, which keep their ids.
func (tx *Tx) PruneFindingMatches(ctx context.Context) (int, error) {
	refs := tx.fleetState().refs
	type seg struct {
		first, last int64
		n           int
	}
	segs, err := queryAll(ctx, tx.Q, func(r interface{ Scan(...any) error }) (seg, error) {
		var s seg
		return s, r.Scan(&s.first, &s.last, &s.n)
	}, "SELECT first_id, last_id, n FROM finding_segments WHERE org_id = ? ORDER BY first_id", tx.org)
	if err != nil {
		return 0, err
	}
	dropped := 0
	var buf []byte
	for _, s := range segs {
		used := refs.count(s.first, s.last)
		if used == s.n { // ids never repeat across segments: every content is referred to
			continue
		}
		var kept []findingset.Content
		if used > 0 {
			var data []byte
			if err := tx.QueryRow(ctx, "SELECT data FROM finding_segments WHERE org_id = ? AND first_id = ?", tx.org, s.first).Scan(&data); err != nil {
				return 0, mapErr(err)
			}
			cs, err := decodeSegment(tx.org, s.first, data)
			if err != nil {
				return 0, err
			}
			for _, c := range cs {
				if refs.has(c.ID) {
					kept = append(kept, c)
				}
			}
		}
		if len(kept) == s.n {
			continue
		}
		if _, err := tx.Exec(ctx, "DELETE FROM finding_segments WHERE org_id = ? AND first_id = ?", tx.org, s.first); err != nil {
			return 0, err
		}
		if len(kept) > 0 {
			if buf, err = writeSegment(ctx, tx.Q, tx.org, kept, buf); err != nil {
				return 0, err
			}
		}
		dropped += s.n - len(kept)
	}
	return dropped, nil
}

// legacyMatchCols are the columns of finding_matches (migrations 0022–0028), which migration 0029
// and the restore of older backups pack into segments.
const legacyMatchCols = `id, org_id, digest, aliases, component_name, component_version, component_purl, component_cpe, record_id, source,
	matcher, reason, other_reasons, confidence, guessed, severity, severity_rank, cvss_score, cvss_vectors, fixed_version, remediation,
	match_status, active, vex_origin, vex_statement_id, vex_source, vex_justification`

// legacyMatchTable is finding_matches as a temporary table, for the restore of a backup made before
// migration 0029 (the types are those restoreValue converts to).
var legacyMatchTable = func() (create string, types map[string]string) {
	types = map[string]string{}
	var cols []string
	for c := range strings.SplitSeq(legacyMatchCols, ",") {
		c = strings.TrimSpace(c)
		typ := "text"
		switch c {
		case "id", "org_id", "vex_statement_id":
			typ = "bigint"
		case "severity_rank":
			typ = "integer"
		case "confidence", "cvss_score":
			typ = "double precision"
		case "guessed", "active":
			typ = "boolean"
		}
		types[c] = typ
		cols = append(cols, c+" "+strings.ToUpper(typ))
	}
	return "CREATE TEMP TABLE finding_matches (" + strings.Join(cols, ", ") + ")", types
}

// packFindingMatches packs every row of finding_matches into segments (per organisation, by id, ids
// kept; the segments of one organisation never overlap, those of two may), sets each organisation's next content id and drops the table: the Go step of migration 0029,
// and of restoring a backup made before it.
func packFindingMatches(ctx context.Context, q Q) error {
	type row struct {
		org int64
		c   findingset.Content
	}
	// pages by id (the table's key: a page costs one seek), one segment per organisation in a page
	var lastID int64
	var buf []byte
	packed := 0
	for {
		rows, err := q.Query(ctx, "SELECT "+legacyMatchCols+" FROM finding_matches WHERE id > ? ORDER BY id LIMIT ?", lastID, segmentSize)
		if err != nil {
			return fmt.Errorf("pack finding_matches: %w", err)
		}
		var page []row
		for rows.Next() {
			var r row
			c := &r.c
			if err := rows.Scan(&c.ID, &r.org, &c.Digest, &c.Aliases, &c.ComponentName, &c.ComponentVersion, &c.ComponentPURL, &c.ComponentCPE,
				&c.RecordID, &c.Source, &c.Matcher, &c.Reason, &c.OtherReasons, &c.Confidence, &c.Guessed, &c.Severity, &c.SeverityRank,
				&c.CVSSScore, &c.CVSSVectors, &c.FixedVersion, &c.Remediation, &c.MatchStatus, &c.Active, &c.VEXOrigin, &c.VEXStatementID,
				&c.VEXSource, &c.VEXJustification); err != nil {
				rows.Close()
				return fmt.Errorf("pack finding_matches after id %d: %w", lastID, err)
			}
			c.SeverityRank = max(c.SeverityRank, 0)
			page = append(page, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(page) == 0 {
			break
		}
		lastID = page[len(page)-1].c.ID
		// the page's organisations in turn (ids stay ascending within each)
		slices.SortStableFunc(page, func(a, b row) int { return cmp.Compare(a.org, b.org) })
		for start := 0; start < len(page); {
			end := start + 1
			for end < len(page) && page[end].org == page[start].org {
				end++
			}
			cs := make([]findingset.Content, 0, end-start)
			for _, r := range page[start:end] {
				cs = append(cs, r.c)
			}
			if buf, err = writeSegment(ctx, q, page[start].org, cs, buf); err != nil {
				return err
			}
			start = end
		}
		packed += len(page)
	}
	if _, err := q.Exec(ctx, `INSERT INTO finding_content_ids (org_id, next_id)
		SELECT org_id, MAX(last_id) + 1 FROM finding_segments WHERE true GROUP BY org_id
		ON CONFLICT (org_id) DO UPDATE SET next_id = CASE WHEN excluded.next_id > finding_content_ids.next_id THEN excluded.next_id
			ELSE finding_content_ids.next_id END`); err != nil {
		return fmt.Errorf("pack finding_matches: next ids: %w", err)
	}
	if _, err := q.Exec(ctx, "DROP TABLE finding_matches"); err != nil {
		return fmt.Errorf("pack finding_matches: %w", err)
	}
	q.s.log.Info("packed finding contents into segments", "contents", packed)
	return nil
}
