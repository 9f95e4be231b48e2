package vulndb

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/vuln"
)

// Status is the state of the vulnerability database.
type Status struct {
	Sources         []domain.FeedSource // every known source, also those never imported (Records 0, no dates)
	Vulnerabilities int
	Generation      int64
	Snapshot        string
	SnapshotMeta    SnapshotMeta // zero when there is no (valid) snapshot
	SnapshotFresh   bool         // the snapshot holds the current generation
	NextSync        time.Time    // zero when the background sync is off
}

// Status returns the state of every source, the snapshot and the next scheduled sync.
func (s *Service) Status(ctx context.Context) (*Status, error) {
	stored, err := s.Store.FeedSources(ctx)
	if err != nil {
		return nil, err
	}
	st := &Status{Snapshot: s.SnapshotPath(), NextSync: s.NextSync(s.Now())}
	for _, name := range domain.FeedSourceNames {
		i := slices.IndexFunc(stored, func(f domain.FeedSource) bool { return f.Name == name })
		if i >= 0 {
			st.Sources = append(st.Sources, stored[i])
		} else {
			st.Sources = append(st.Sources, domain.FeedSource{Name: name, Label: domain.FeedSourceLabel(name)})
		}
	}
	if st.Vulnerabilities, err = s.Store.CountVulnerabilities(ctx); err != nil {
		return nil, err
	}
	if st.Generation, err = s.Store.FeedGeneration(ctx); err != nil {
		return nil, err
	}
	if m, err := ReadSnapshotMeta(st.Snapshot); err == nil {
		st.SnapshotMeta = m
		st.SnapshotFresh = m.Generation == st.Generation
	}
	return st, nil
}

// Vulnerability returns the vulnerability known by id or an alias: its stored view and the merged
// data of its records (affected packages and ranges, CPE configurations, references), with its
// EPSS score.
func (s *Service) Vulnerability(ctx context.Context, id string) (domain.Vulnerability, vuln.Vulnerability, error) {
	row, err := s.Store.Vulnerability(ctx, id)
	if err != nil {
		return row, vuln.Vulnerability{}, err
	}
	frs, err := s.Store.FeedRecordsOf(ctx, row.ID)
	if err != nil {
		return row, vuln.Vulnerability{}, err
	}
	recs := make([]vuln.Vulnerability, 0, len(frs))
	for _, fr := range frs {
		v, err := DecodeRecord(fr.Data)
		if err != nil {
			return row, vuln.Vulnerability{}, fmt.Errorf("feed record %s %s: %w", fr.Source, fr.RecordID, err)
		}
		recs = append(recs, v)
	}
	data := vuln.Combine(recs)
	if row.EPSSScore != nil && row.EPSSPercentile != nil {
		e := vuln.EPSS{Score: *row.EPSSScore, Percentile: *row.EPSSPercentile}
		if row.EPSSDate != nil {
			e.Date = *row.EPSSDate
		}
		data.EPSS = &e
	}
	return row, data, nil
}
