package vulndb

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/feeds/kev"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
	"github.com/vigil-med/vigil/internal/vuln"
)

// A complete catalogue (CISA KEV as sync fetches it) removes the entries it no longer lists: a
// KEV-only vulnerability disappears, one merged with other records loses its KEV data (the GitHub
// record of Log4Shell carries none; an NVD record would keep NVD's own copy of the KEV fields), and
// the change names both.
func TestCompleteCatalogueDeletes(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		s := newService(t, st)
		mustImport(t, s, filepath.Join(ghsaFixtures, "GHSA-jfh8-c2jp-5v3q.json"))
		cat, err := kev.ReadFile(kevJSON)
		if err != nil {
			t.Fatal(err)
		}
		all := cat.Records()
		run := &domain.FeedResult{}
		if _, err := s.applyRecords(ctx, batch{source: domain.FeedKEV, records: all, complete: true, run: run, origin: "test"}); err != nil {
			t.Fatal(err)
		}
		// the next catalogue lacks Log4Shell and CVE-2025-48384
		var next []vuln.Vulnerability
		for _, r := range all {
			if r.ID != "CVE-2021-44228" && r.ID != "CVE-2025-48384" {
				next = append(next, r)
			}
		}
		res, err := s.applyRecords(ctx, batch{source: domain.FeedKEV, records: next, complete: true, run: run, origin: "test"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Deleted != 2 || res.Unchanged != 1402 || res.Created+res.Updated != 0 {
			t.Errorf("result: %+v", res)
		}
		v, err := st.Vulnerability(ctx, "CVE-2021-44228")
		if err != nil || v.CISAKEV || !slices.Equal(v.Sources, []string{"osv:GHSA-jfh8-c2jp-5v3q"}) {
			t.Errorf("Log4Shell after removal from KEV: kev %v, sources %v, %v", v.CISAKEV, v.Sources, err)
		}
		if _, err := st.Vulnerability(ctx, "CVE-2025-48384"); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("KEV-only vulnerability still there: %v", err)
		}
		changes, _ := st.FeedChanges(ctx, 0, 10)
		last := changes[len(changes)-1]
		if last.DeletedRecords != 2 || !slices.Contains(last.RemovedIDs, "CVE-2025-48384") || !slices.Contains(last.VulnIDs, "CVE-2021-44228") {
			t.Errorf("change: %+v", last)
		}
		if err := s.EnsureSnapshot(ctx); err != nil {
			t.Fatal(err)
		}
		idx, err := LoadSnapshot(s.SnapshotPath())
		if err != nil {
			t.Fatal(err)
		}
		if lv, ok := idx.Vulnerability("CVE-2021-44228"); !ok || lv.CISAKEV != nil {
			t.Errorf("snapshot still has KEV data for Log4Shell (found %v)", ok)
		}
		if n := idx.Stats().Records; n != 1403 {
			t.Errorf("snapshot records: %d", n)
		}
	})
}

// A record that arrives later and aliases a stored one merges into it: the canonical id stays, the
// old merged row of the alias disappears, and the records point to the merged vulnerability.
func TestAliasMergeLater(t *testing.T) {
	st := testutil.MustOpenStore(t)
	ctx := context.Background()
	s := newService(t, st)
	mustImport(t, s, filepath.Join(ghsaFixtures, "GHSA-jfh8-c2jp-5v3q.json"))
	before, err := st.Vulnerability(ctx, "GHSA-jfh8-c2jp-5v3q")
	if err != nil {
		t.Fatal(err)
	}
	mustImport(t, s, filepath.Join(nvdFixtures, "CVE-2021-44228.json"))
	after, err := st.Vulnerability(ctx, "GHSA-jfh8-c2jp-5v3q")
	if err != nil || after.ID != "CVE-2021-44228" || len(after.Sources) != 2 {
		t.Fatalf("after the NVD record: %+v %v (before: %s)", after, err, before.ID)
	}
	recs, _ := st.FeedRecordsOf(ctx, "CVE-2021-44228")
	if len(recs) != 2 {
		t.Errorf("records of the merged vulnerability: %d", len(recs))
	}
	if n, _ := st.CountVulnerabilities(ctx); n != 1 {
		t.Errorf("%d merged vulnerabilities, want 1", n)
	}
}
