package vulndb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/feeds/endoflife"
	"github.com/vigil-med/vigil/internal/feeds/epss"
	"github.com/vigil-med/vigil/internal/match"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/vuln"
)

// maxListedVulns bounds the vulnerability ids listed in a feed change; above it the change is
// marked AllVulns.
const maxListedVulns = 10000

// applyEPSS stores EPSS scores. complete means the file holds every scored CVE (the official daily
// file): stored scores of other CVEs are deleted. The EPSS columns of the merged vulnerabilities
// whose score changes are updated, and the cached index rebuilt with the new scores.
func (s *Service) applyEPSS(ctx context.Context, sc *epss.Scores, origin string, complete bool, run *domain.FeedResult) (domain.FeedResult, error) {
	start := time.Now()
	res := domain.FeedResult{Source: domain.FeedEPSS, Read: len(sc.Scores)}
	stored := map[string]domain.EPSSScore{}
	if err := s.Store.EachEPSS(ctx, func(e domain.EPSSScore) error { stored[e.CVE] = e; return nil }); err != nil {
		return res, err
	}
	meta, err := s.epssMeta(ctx)
	if err != nil {
		return res, err
	}
	newMeta := epssState{ScoreDate: sc.ScoreDate, ModelVersion: sc.ModelVersion}
	if newMeta.ScoreDate.IsZero() {
		newMeta.ScoreDate = meta.ScoreDate
	}
	if newMeta.ModelVersion == "" {
		newMeta.ModelVersion = meta.ModelVersion
	}
	if !meta.ScoreDate.IsZero() && !sc.ScoreDate.IsZero() && sc.ScoreDate.Before(meta.ScoreDate) {
		// an older file than the stored scores: keep what is stored
		res.Skipped = len(sc.Scores)
		res.Seconds = time.Since(start).Seconds()
		run.Add(res)
		b := batch{source: domain.FeedEPSS, origin: origin, run: &domain.FeedResult{}}
		return res, s.Store.WriteGlobal(ctx, func(tx *store.Tx) error { return s.saveStatus(ctx, tx, b, *run) })
	}
	var changed []domain.EPSSScore
	in := make(map[string]bool, len(sc.Scores))
	for _, r := range sc.Scores {
		id := vuln.NormID(r.CVE)
		in[id] = true
		e := domain.EPSSScore{CVE: id, Score: r.EPSS, Percentile: r.Percentile}
		old, ok := stored[id]
		switch {
		case !ok:
			res.Created++
		case old == e:
			res.Unchanged++
			continue
		default:
			res.Updated++
		}
		changed = append(changed, e)
		stored[id] = e
	}
	var deleted []string
	if complete {
		for id := range stored {
			if !in[id] {
				deleted = append(deleted, id)
				delete(stored, id)
			}
		}
		slices.Sort(deleted)
		res.Deleted = len(deleted)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	idx, gen, err := s.index(ctx)
	if err != nil {
		return res, err
	}
	scores := make(epssMap, len(stored))
	for id, e := range stored {
		scores[id] = vuln.EPSS{Score: e.Score, Percentile: e.Percentile, Date: newMeta.ScoreDate, ModelVersion: newMeta.ModelVersion}
	}
	// The merged vulnerabilities whose score changes: the first of their ids (canonical id, then
	// aliases) that has a score, as the index attaches it.
	var updates []store.VulnEPSS
	var ids []string
	for _, v := range idx.Vulnerabilities() {
		var now *vuln.EPSS
		for _, id := range v.IDs() {
			if vuln.IsCVE(id) {
				if e, ok := scores.Get(id); ok {
					now = &e
					break
				}
			}
		}
		if epssEqual(v.EPSS, now) {
			continue
		}
		u := store.VulnEPSS{ID: v.ID}
		if now != nil {
			sc, pct := now.Score, now.Percentile
			u.Score, u.Percentile, u.Date = &sc, &pct, timePtr(now.Date)
		}
		updates = append(updates, u)
		ids = append(ids, v.ID)
	}
	res.Seconds = time.Since(start).Seconds()
	run.Add(res)
	state, _ := json.Marshal(newMeta)
	b := batch{source: domain.FeedEPSS, origin: origin, state: string(state)}
	if len(changed) == 0 && len(deleted) == 0 && len(updates) == 0 && meta == newMeta {
		return res, s.Store.WriteGlobal(ctx, func(tx *store.Tx) error { return s.saveStatus(ctx, tx, b, *run) })
	}
	change := domain.FeedChange{Source: domain.FeedEPSS, Origin: origin, Kind: domain.FeedChangeScores, VulnIDs: ids,
		CreatedRecords: res.Created, UpdatedRecords: res.Updated, DeletedRecords: res.Deleted}
	if len(ids) > maxListedVulns {
		change.VulnIDs, change.AllVulns = nil, true
	}
	next := match.NewIndex(idx.Records(), scores)
	err = s.Store.WriteGlobal(ctx, func(tx *store.Tx) error {
		if err := tx.AddFeedChange(ctx, &change); err != nil {
			return err
		}
		if change.ID != gen+1 {
			return errStale
		}
		if err := tx.UpsertEPSS(ctx, changed); err != nil {
			return err
		}
		if err := tx.DeleteEPSS(ctx, deleted); err != nil {
			return err
		}
		if err := tx.SetVulnerabilityEPSS(ctx, updates); err != nil {
			return err
		}
		if err := s.saveStatus(ctx, tx, b, *run); err != nil {
			return err
		}
		return s.audit(ctx, tx, "feeds.update", domain.FeedEPSS, fmt.Sprintf("EPSS scores: %d new, %d changed, %d removed; %d vulnerabilities rescored (%s)",
			res.Created, res.Updated, res.Deleted, len(updates), clipOrigin(origin)),
			map[string]any{"generation": change.ID, "origin": origin, "score_date": newMeta.ScoreDate, "model_version": newMeta.ModelVersion})
	})
	if err != nil {
		s.idx = nil
		if err == errStale {
			return res, fmt.Errorf("EPSS import: the feed data changed meanwhile; run it again")
		}
		return res, err
	}
	s.idx, s.idxGen = next, change.ID
	return res, nil
}

func epssEqual(a, b *vuln.EPSS) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Score == b.Score && a.Percentile == b.Percentile && a.Date.Equal(b.Date) && a.ModelVersion == b.ModelVersion
}

// applyEndOfLife stores endoflife.date products (with their release data when the catalogue has it).
func (s *Service) applyEndOfLife(ctx context.Context, c *endoflife.Catalog, origin string, run *domain.FeedResult) (domain.FeedResult, error) {
	start := time.Now()
	res := domain.FeedResult{Source: domain.FeedEndOfLife, Read: len(c.Products)}
	stored, err := s.Store.EOLProducts(ctx)
	if err != nil {
		return res, err
	}
	old := map[string]string{}
	for _, p := range stored {
		old[p.Name] = p.SHA256
	}
	var changed []domain.EOLProduct
	var keys []string
	for _, name := range c.Names() {
		p := c.Products[name]
		data, err := json.Marshal(p)
		if err != nil {
			return res, fmt.Errorf("endoflife product %s: %w", name, err)
		}
		var rel []byte
		if rd := c.Releases[name]; rd != nil {
			if rel, err = json.Marshal(rd); err != nil {
				return res, fmt.Errorf("endoflife release data %s: %w", name, err)
			}
		}
		h := sha256.New()
		h.Write(data)
		h.Write([]byte{0})
		h.Write(rel)
		sum := hex.EncodeToString(h.Sum(nil))
		prev, ok := old[name]
		switch {
		case !ok:
			res.Created++
		case prev == sum:
			res.Unchanged++
			continue
		default:
			res.Updated++
		}
		changed = append(changed, domain.EOLProduct{Name: name, Title: p.Title, Category: p.Category, Cycles: len(p.Cycles), SHA256: sum,
			Data: string(data), Releases: string(rel)})
		keys = append(keys, "endoflife/"+name)
	}
	res.Seconds = time.Since(start).Seconds()
	run.Add(res)
	b := batch{source: domain.FeedEndOfLife, origin: origin}
	if len(changed) == 0 {
		return res, s.Store.WriteGlobal(ctx, func(tx *store.Tx) error { return s.saveStatus(ctx, tx, b, *run) })
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	change := domain.FeedChange{Source: domain.FeedEndOfLife, Origin: origin, Kind: domain.FeedChangeEndOfLife, MatchKeys: keys,
		CreatedRecords: res.Created, UpdatedRecords: res.Updated}
	err = s.Store.WriteGlobal(ctx, func(tx *store.Tx) error {
		if err := tx.AddFeedChange(ctx, &change); err != nil {
			return err
		}
		if err := tx.UpsertEOLProducts(ctx, changed); err != nil {
			return err
		}
		if err := s.saveStatus(ctx, tx, b, *run); err != nil {
			return err
		}
		return s.audit(ctx, tx, "feeds.update", domain.FeedEndOfLife, fmt.Sprintf("endoflife.date: %d products new, %d changed (%s)",
			res.Created, res.Updated, clipOrigin(origin)), map[string]any{"generation": change.ID, "origin": origin})
	})
	if err == nil && s.idx != nil && change.ID == s.idxGen+1 {
		s.idxGen = change.ID // the index holds no endoflife data: it is still current
	} else {
		s.idx = nil
	}
	return res, err
}

// EndOfLife returns the stored endoflife.date data as a catalogue (for the lifecycle module).
func (s *Service) EndOfLife(ctx context.Context) (*endoflife.Catalog, error) {
	ps, err := s.Store.EOLProducts(ctx)
	if err != nil {
		return nil, err
	}
	c := endoflife.NewCatalog()
	for _, p := range ps {
		var prod endoflife.Product
		if err := json.Unmarshal([]byte(p.Data), &prod); err != nil {
			return nil, fmt.Errorf("endoflife product %s: %w", p.Name, err)
		}
		c.Products[p.Name] = &prod
		if p.Releases != "" {
			var rd endoflife.ReleaseData
			if err := json.Unmarshal([]byte(p.Releases), &rd); err != nil {
				return nil, fmt.Errorf("endoflife release data %s: %w", p.Name, err)
			}
			c.Releases[p.Name] = &rd
		}
	}
	return c, nil
}
