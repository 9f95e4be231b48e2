package store

import (
	"context"
	"fmt"
	"math"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/findingset"
)

// MigrateTo applies the migrations up to version upTo only (tests of a migration).
func (s *Store) MigrateTo(ctx context.Context, upTo int) ([]Migration, error) {
	return s.migrate(ctx, upTo)
}

// SetMaxSearchNames sets how many candidate names a fleet search by text takes from its keys (the
// rest reads every component); restore puts the limit back.
func SetMaxSearchNames(n int) (restore func()) {
	old := maxSearchNames
	maxSearchNames = n
	return func() { maxSearchNames = old }
}

// SetSearchKeyBudget sets the bytes the cached component search keys may take; restore puts it back.
func SetSearchKeyBudget(n int64) (restore func()) {
	old := searchKeyBudget
	searchKeyBudget = n
	return func() { searchKeyBudget = old }
}

// SearchKeyLoads is how many times organisations' search keys were read from the database.
func (s *Store) SearchKeyLoads() int {
	s.keys.wait()
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	return s.keys.loads
}

// SearchKeySizes returns the bytes of each organisation's cached search keys and drops them all.
func (s *Store) SearchKeySizes() map[int64]int64 {
	s.keys.wait()
	s.keys.mu.Lock()
	out := map[int64]int64{}
	for org, e := range s.keys.sets {
		if e.set != nil {
			out[org] = e.set.size
		}
	}
	s.keys.mu.Unlock()
	s.keys.reset()
	return out
}

// SearchKeyHits is how many searches were answered from the search keys in memory.
func (s *Store) SearchKeyHits() int {
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	return s.keys.hits
}

// SetSBOMStampHook makes ReplaceSBOM call f right after it read the SBOM stamp before the import
// (when keys are in memory); restore removes it.
func SetSBOMStampHook(f func()) (restore func()) {
	old := sbomStampHook
	sbomStampHook = f
	return func() { sbomStampHook = old }
}

// CopyRows is Tx.copyRows (PostgreSQL only: tx.conn is nil on SQLite).
func (tx *Tx) CopyRows(ctx context.Context, table string, cols []string, n int, row func(i int) []any) error {
	return tx.copyRows(ctx, table, cols, n, row)
}

// FindingIndexReads returns how many times lists read every finding of an organisation (full) and
// the findings of some product versions (partial).
func (s *Store) FindingIndexReads() (full, partial int) {
	s.findex.mu.Lock()
	defer s.findex.mu.Unlock()
	return s.findex.loads, s.findex.reads
}

// SetFindingIndexBudget sets how many findings the lists' indexes may hold; restore puts it back.
func SetFindingIndexBudget(n int) (restore func()) {
	old := findingIndexBudget
	findingIndexBudget = n
	return func() { findingIndexBudget = old }
}

// OpenFindingFactsSQL is OpenFindingFacts in one SQL query, with the vectors looked up in the
// contents finding by finding (the tests' oracle).
func (s *Store) OpenFindingFactsSQL(ctx context.Context, orgID int64) (out []domain.FindingFacts, err error) {
	err = s.Scope(orgID).withFindingRows(ctx, func(sc *Scope) error {
		out, err = sc.oracleOpenFacts(ctx, orgID)
		return err
	})
	return out, err
}

func (sc *Scope) oracleOpenFacts(ctx context.Context, orgID int64) ([]domain.FindingFacts, error) {
	var matches []int64
	out, err := queryAll(ctx, sc.Q, func(r interface{ Scan(...any) error }) (domain.FindingFacts, error) {
		var x domain.FindingFacts
		var match int64
		var epss, pct *float64
		err := r.Scan(&x.FindingID, &x.ProductVersionID, &x.VulnID, &match, &x.State, &x.CISAKEV, &x.EUKEV, &epss, &pct)
		matches = append(matches, match)
		if epss != nil && !math.IsNaN(*epss) {
			x.EPSS = *epss
		}
		if pct != nil && !math.IsNaN(*pct) {
			x.EPSSPercentile = *pct
		}
		return x, err
	}, `SELECT f.id, f.product_version_id, f.vuln_id, f.match_id, f.state, COALESCE(vu.cisa_kev, FALSE), COALESCE(vu.eu_kev, FALSE),
		vu.epss_score, vu.epss_percentile
		FROM findings f LEFT JOIN vulnerabilities vu ON vu.id = f.vuln_id
		WHERE f.org_id = ? AND f.gone IS NULL AND f.active = ? AND f.state NOT IN ('not_affected', 'fixed') ORDER BY f.product_version_id, f.id`, orgID, true)
	if err != nil {
		return nil, err
	}
	for i, m := range matches {
		cs, err := sc.Q.findingContents(ctx, orgID, []int64{m})
		if err != nil {
			return nil, err
		}
		if cs[m] == nil {
			return nil, fmt.Errorf("finding %d: no content %d", out[i].FindingID, m)
		}
		out[i].CVSSVectors = discLines(cs[m].CVSSVectors)
	}
	return out, nil
}

// FindingContentCount is how many contents the organisation's segments hold.
func (sc *Scope) FindingContentCount(ctx context.Context) (int, error) {
	return sc.Count(ctx, "SELECT COALESCE(SUM(n), 0) FROM finding_segments WHERE org_id = ?", sc.org)
}

// FindingContentIDs are the ids of the organisation's contents, ascending.
func (sc *Scope) FindingContentIDs(ctx context.Context) ([]int64, error) {
	var ids []int64
	err := sc.Q.eachFindingContent(ctx, sc.org, func(v *findingset.ContentView) error {
		ids = append(ids, v.ID)
		return nil
	})
	return ids, err
}

// FindingEntries are the current entries of the organisation's findings, by product version.
func (sc *Scope) FindingEntries(ctx context.Context) (map[int64][]findingset.Entry, error) {
	out := map[int64][]findingset.Entry{}
	err := sc.Q.eachOrgFindingEntry(ctx, sc.org, func(pv int64, _ int, v *findingset.EntryView) error {
		out[pv] = append(out[pv], v.Entry())
		return nil
	})
	return out, err
}

// WriteFindingSet stores es as product version pv's only part (tests that change entries by hand).
func (tx *Tx) WriteFindingSet(ctx context.Context, pv int64, es []findingset.Entry) error {
	return tx.writeFindingSets(ctx, []findingSetWrite{{pv: pv, es: entryPtrs(es), whole: true}})
}
