package vulndb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/match"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/vuln"
)

// batch is a set of source records of one source written in one transaction.
type batch struct {
	source  string
	records []vuln.Vulnerability
	origin  string
	// complete: the batch is the source's whole catalogue (CISA KEV, EU KEV): stored records
	// of the source that it does not hold are deleted.
	complete bool
	// state, when set, is stored as the source's state in the same transaction (the NVD cursor).
	state string
	// run accumulates the results of the whole import or sync (saved as the source's last result).
	run *domain.FeedResult
}

// errStale means another writer committed feed data after the index was loaded.
var errStale = errors.New("feed data changed meanwhile")

type item struct {
	v    *vuln.Vulnerability
	id   string
	data []byte
	sum  string
}

// modifiedOf is the record's modification time as its source states it.
func modifiedOf(v *vuln.Vulnerability) time.Time {
	if len(v.Sources) == 1 && !v.Sources[0].Modified.IsZero() {
		return v.Sources[0].Modified
	}
	return v.Modified
}

// applyRecords writes a batch: new and changed records, the merged vulnerabilities they touch,
// their aliases and match keys, a feed change and the source's status, in one transaction; the
// cached index is updated with them. Records identical to the stored ones are counted unchanged;
// records older than the stored ones (by their modification time) skipped.
func (s *Service) applyRecords(ctx context.Context, b batch) (domain.FeedResult, error) {
	start := time.Now()
	res := domain.FeedResult{Source: b.source, Read: len(b.records)}
	items := make([]item, 0, len(b.records))
	pos := make(map[string]int, len(b.records))
	for i := range b.records {
		v := &b.records[i]
		src, id, err := recordKey(v)
		if err != nil {
			return res, err
		}
		if src != b.source {
			return res, fmt.Errorf("record %s is from %s, not %s", id, src, b.source)
		}
		data, sum, err := EncodeRecord(v)
		if err != nil {
			return res, fmt.Errorf("record %s: %w", id, err)
		}
		if j, dup := pos[id]; dup {
			res.Skipped++
			if modifiedOf(v).Before(modifiedOf(items[j].v)) {
				continue
			}
			items[j] = item{v, id, data, sum}
			continue
		}
		pos[id] = len(items)
		items = append(items, item{v, id, data, sum})
	}
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.id
	}
	metas, err := s.Store.FeedRecordMetas(ctx, b.source, ids)
	if err != nil {
		return res, err
	}
	var changed []item
	for _, it := range items {
		m, ok := metas[it.id]
		switch {
		case !ok:
			res.Created++
			changed = append(changed, it)
		case m.SHA256 == it.sum:
			res.Unchanged++
		case m.Modified != nil && !modifiedOf(it.v).IsZero() && modifiedOf(it.v).Before(*m.Modified):
			res.Skipped++
		default:
			res.Updated++
			changed = append(changed, it)
		}
	}
	var deleted []string
	if b.complete {
		stored, err := s.Store.FeedRecordIDs(ctx, b.source)
		if err != nil {
			return res, err
		}
		for _, id := range stored {
			if _, ok := pos[id]; !ok {
				deleted = append(deleted, id)
			}
		}
		res.Deleted = len(deleted)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for attempt := 0; ; attempt++ {
		err = s.commitRecords(ctx, b, changed, deleted, res, start)
		if errors.Is(err, errStale) && attempt < 3 {
			s.idx = nil
			continue
		}
		if err != nil {
			s.idx = nil // it may hold records that were not committed
		}
		res.Seconds = time.Since(start).Seconds()
		return res, err
	}
}

func (s *Service) commitRecords(ctx context.Context, b batch, changed []item, deleted []string, res domain.FeedResult, start time.Time) error {
	res.Seconds = time.Since(start).Seconds()
	run := *b.run
	run.Add(res)
	if len(changed) == 0 && len(deleted) == 0 {
		return s.Store.WriteGlobal(ctx, func(tx *store.Tx) error { return s.saveStatus(ctx, tx, b, run) })
	}
	idx, gen, err := s.index(ctx)
	if err != nil {
		return err
	}
	recs := make([]vuln.Vulnerability, len(changed))
	for i, it := range changed {
		recs[i] = *it.v
	}
	stubs := make([]vuln.Vulnerability, len(deleted))
	for i, id := range deleted {
		stubs[i] = vuln.Vulnerability{ID: id}
	}
	before := map[string]*vuln.Vulnerability{}
	var extra []string
	note := func(id string) {
		if v, ok := idx.Vulnerability(id); ok && before[v.ID] == nil {
			before[v.ID] = v
			extra = append(extra, v.IDs()...)
		}
	}
	for i := range recs {
		for _, id := range recs[i].IDs() {
			note(id)
		}
	}
	for _, id := range deleted {
		note(id)
	}
	var keys []match.Key
	if len(deleted) > 0 {
		// The index cannot drop records: build it again without them.
		keys = idx.AffectedBy(append(slices.Clone(recs), stubs...))
		gone := map[string]bool{}
		for _, id := range deleted {
			gone[id] = true
		}
		for _, it := range changed {
			gone[it.id] = true
		}
		var all []vuln.Vulnerability
		for _, r := range idx.Records() {
			if src, id, err := recordKey(&r); err == nil && src == b.source && gone[id] {
				continue
			}
			all = append(all, r)
		}
		all = append(all, recs...)
		scores, err := s.epssFor(ctx, all, nil)
		if err != nil {
			return err
		}
		idx = match.NewIndex(all, scores)
	} else {
		scores, err := s.epssFor(ctx, recs, extra)
		if err != nil {
			return err
		}
		keys = idx.Update(recs, scores) // in place: on failure the caller drops the cached index
	}
	after := map[string]*vuln.Vulnerability{}
	for i := range recs {
		if v, ok := idx.Vulnerability(recs[i].ID); ok {
			after[v.ID] = v
		}
	}
	for _, v := range before {
		for _, id := range v.IDs() {
			if w, ok := idx.Vulnerability(id); ok {
				after[w.ID] = w
			}
		}
	}
	var removed []string
	for id := range before {
		if after[id] == nil {
			removed = append(removed, id)
		}
	}
	sort.Strings(removed)
	afterIDs := make([]string, 0, len(after))
	for id := range after {
		afterIDs = append(afterIDs, id)
	}
	slices.SortFunc(afterIDs, vuln.CompareIDs)
	rows := make([]domain.Vulnerability, len(afterIDs))
	aliasKeys := make([][]string, len(afterIDs))
	vulnOf := map[[2]string]string{}
	for i, id := range afterIDs {
		v := after[id]
		rows[i], aliasKeys[i] = row(v, idx.AffectedBy([]vuln.Vulnerability{{ID: v.ID}}))
		for _, src := range v.Sources {
			vulnOf[[2]string{SourceName(src.Kind), vuln.NormID(src.ID)}] = v.ID
		}
	}
	change := domain.FeedChange{Source: b.source, Origin: b.origin, Kind: domain.FeedChangeRecords, VulnIDs: afterIDs, RemovedIDs: removed,
		CreatedRecords: res.Created, UpdatedRecords: res.Updated, DeletedRecords: len(deleted)}
	for _, k := range keys {
		change.MatchKeys = append(change.MatchKeys, k.String())
	}
	fr := make([]domain.FeedRecord, len(changed))
	own := map[[2]string]bool{}
	for i, it := range changed {
		k := [2]string{b.source, it.id}
		own[k] = true
		fr[i] = domain.FeedRecord{Source: b.source, RecordID: it.id, VulnID: vulnOf[k], Modified: timePtr(modifiedOf(it.v)),
			Withdrawn: timePtr(it.v.Sources[0].Withdrawn), SHA256: it.sum, Data: string(it.data)}
		if fr[i].VulnID == "" {
			fr[i].VulnID = it.v.ID
		}
	}
	err = s.Store.WriteGlobal(ctx, func(tx *store.Tx) error {
		if err := tx.AddFeedChange(ctx, &change); err != nil {
			return err
		}
		if change.ID != gen+1 {
			return errStale
		}
		if err := tx.UpsertFeedRecords(ctx, fr); err != nil {
			return err
		}
		if err := tx.DeleteFeedRecords(ctx, b.source, deleted); err != nil {
			return err
		}
		for k, vid := range vulnOf {
			if !own[k] {
				if err := tx.SetFeedRecordVulnID(ctx, k[0], k[1], vid); err != nil {
					return err
				}
			}
		}
		if err := tx.DeleteVulnerabilities(ctx, removed); err != nil {
			return err
		}
		if err := tx.UpsertVulnerabilities(ctx, rows, aliasKeys); err != nil {
			return err
		}
		if err := s.saveStatus(ctx, tx, b, run); err != nil {
			return err
		}
		return s.audit(ctx, tx, "feeds.update", b.source, fmt.Sprintf("%s feed: %d records created, %d updated, %d deleted (%s)",
			domain.FeedSourceLabel(b.source), res.Created, res.Updated, len(deleted), clipOrigin(b.origin)),
			map[string]any{"generation": change.ID, "origin": b.origin, "created": res.Created, "updated": res.Updated,
				"deleted": len(deleted), "vulnerabilities": len(afterIDs)})
	})
	if err != nil {
		return err
	}
	s.idx, s.idxGen = idx, change.ID
	return nil
}

// saveStatus records a successful step of an import or sync of the batch's source.
func (s *Service) saveStatus(ctx context.Context, tx *store.Tx, b batch, run domain.FeedResult) error {
	f, err := s.Store.FeedSource(ctx, b.source)
	if err != nil {
		return err
	}
	t := s.Now().UTC()
	f.LastAttempt, f.LastSuccess, f.LastError, f.Origin = &t, &t, "", b.origin
	if b.state != "" {
		f.State = b.state
	}
	switch b.source {
	case domain.FeedEPSS:
		f.Records, err = tx.CountEPSS(ctx)
	case domain.FeedEndOfLife:
		f.Records, err = tx.CountEOLProducts(ctx)
	default:
		f.Records, err = tx.CountFeedRecords(ctx, b.source)
	}
	if err != nil {
		return err
	}
	r, _ := json.Marshal(run)
	f.LastResult = string(r)
	return tx.SaveFeedSource(ctx, f)
}

// saveFailure records a failed attempt of a source (its last success stays).
func (s *Service) saveFailure(ctx context.Context, source, origin string, cause error) {
	err := s.Store.WriteGlobal(ctx, func(tx *store.Tx) error {
		f, err := s.Store.FeedSource(ctx, source)
		if err != nil {
			return err
		}
		t := s.Now().UTC()
		f.LastAttempt, f.LastError = &t, clip(cause.Error(), 2000)
		if origin != "" {
			f.Origin = origin
		}
		return tx.SaveFeedSource(ctx, f)
	})
	if err != nil {
		s.Log.Warn("feed status", "source", source, "err", err)
	}
}

// audit writes the audit event of a feed change into the organisation of whoever started it;
// system jobs (scheduled sync) have none, and the feed change itself is the record then.
func (s *Service) audit(ctx context.Context, tx *store.Tx, action, source, summary string, data any) error {
	a := domain.ActorFrom(ctx)
	if a.OrgID == 0 {
		return nil
	}
	return tx.AuditOrg(ctx, a.OrgID, store.AuditEntry{Action: action, Entity: "feed", EntityID: source, Summary: summary, Data: data})
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func clipOrigin(s string) string {
	if s == "" {
		return "no origin"
	}
	if i := strings.LastIndexAny(s, `/\`); i >= 0 && i < len(s)-1 && !strings.Contains(s, "://") {
		return clip(s[i+1:], 120)
	}
	return clip(s, 120)
}
