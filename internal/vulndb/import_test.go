package vulndb

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/config"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// Fixtures of the feed readers (their testdata/SOURCES.md name origin, commit and licence).
const (
	goFixtures    = "../feeds/osv/testdata/govulndb"
	ghsaFixtures  = "../feeds/osv/testdata/ghsa"
	nvdFixtures   = "../feeds/nvd/testdata"
	kevJSON       = "../feeds/kev/testdata/known_exploited_vulnerabilities.json"
	kevCSV        = "../feeds/kev/testdata/known_exploited_vulnerabilities.csv"
	eukevJSON     = "../feeds/eukev/testdata/eukev.json"
	euvdFixtures  = "../feeds/eukev/testdata/euvd"
	epssSample    = "../feeds/epss/testdata/epss_sample.csv"
	eolFixtures   = "../feeds/endoflife/testdata/data"
	eolAPIFixture = "../feeds/endoflife/testdata/api-v1-nodejs.json"
)

func newService(t testing.TB, st *store.Store) *Service {
	t.Helper()
	s := New(st, t.TempDir(), config.Default().Feeds, slog.New(slog.DiscardHandler))
	s.Now = func() time.Time { return time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC) }
	return s
}

func mustImport(t testing.TB, s *Service, path string) *ImportReport {
	t.Helper()
	rep, err := s.Import(context.Background(), path, ImportOptions{})
	if err != nil {
		t.Fatalf("import %s: %v", path, err)
	}
	return rep
}

func results(rep *ImportReport) map[string]domain.FeedResult {
	out := map[string]domain.FeedResult{}
	for _, r := range rep.Sources {
		r.Seconds = 0
		out[r.Source] = r
	}
	return out
}

// Every format imports, counts are right, a second import changes nothing, records merge by alias
// and the snapshot follows every change.
func TestImportFormats(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		s := newService(t, st)
		steps := []struct {
			path string
			want domain.FeedResult
		}{
			{goFixtures, domain.FeedResult{Source: "osv", Files: 62, Read: 62, Created: 62}},
			{goFixtures, domain.FeedResult{Source: "osv", Files: 62, Read: 62, Unchanged: 62}},
			{ghsaFixtures, domain.FeedResult{Source: "osv", Files: 5, Read: 5, Created: 5}},
			{filepath.Join(nvdFixtures, "CVE-2021-44228.json"), domain.FeedResult{Source: "nvd", Files: 1, Read: 1, Created: 1}},
			{kevJSON, domain.FeedResult{Source: "kev", Files: 1, Read: 1404, Created: 1404}},
			{kevCSV, domain.FeedResult{Source: "kev", Files: 1, Read: 1404, Unchanged: 1404}},
			{eukevJSON, domain.FeedResult{Source: "eukev", Files: 1, Read: 43, Created: 43}},
			{euvdFixtures, domain.FeedResult{Source: "euvd", Files: 7, Read: 112, Created: 109, Skipped: 3}}, // 3 records appear twice
			{epssSample, domain.FeedResult{Source: "epss", Files: 1, Read: 1883, Created: 1883}},
			{eolFixtures, domain.FeedResult{Source: "endoflife", Files: 1, Read: 68, Created: 68}},
			{eolAPIFixture, domain.FeedResult{Source: "endoflife", Files: 1, Read: 1, Updated: 1}},
		}
		prevGen := int64(-1)
		for _, step := range steps {
			rep := mustImport(t, s, step.path)
			got := results(rep)[step.want.Source]
			if diff := cmp.Diff(step.want, got); diff != "" {
				t.Errorf("import %s (-want +got):\n%s", step.path, diff)
			}
			m, err := ReadSnapshotMeta(s.SnapshotPath())
			if err != nil || m.Generation != rep.Generation {
				t.Fatalf("after %s: snapshot meta %+v, %v; generation %d", step.path, m, err, rep.Generation)
			}
			if rep.Generation < prevGen {
				t.Fatalf("generation went back: %d after %d", rep.Generation, prevGen)
			}
			prevGen = rep.Generation
		}

		// Log4Shell: the NVD record, the GHSA record, the CISA KEV entry, the EU KEV entry? (not
		// listed) and the EPSS score are one vulnerability, found by any of its ids.
		v, err := st.Vulnerability(ctx, "ghsa-jfh8-c2jp-5v3q")
		if err != nil {
			t.Fatal(err)
		}
		if v.ID != "CVE-2021-44228" || !v.CISAKEV || v.CISAKEVAdded == nil || v.CISAKEVAdded.Format("2006-01-02") != "2021-12-10" ||
			v.EPSSScore == nil || v.Severity != "critical" || v.CVSSScore != 10 {
			t.Errorf("Log4Shell: %+v", v)
		}
		if diff := cmp.Diff([]string{"GHSA-jfh8-c2jp-5v3q"}, v.Aliases); diff != "" {
			t.Errorf("aliases (-want +got):\n%s", diff)
		}
		wantSources := []string{"kev:CVE-2021-44228", "nvd:CVE-2021-44228", "osv:GHSA-jfh8-c2jp-5v3q"}
		if diff := cmp.Diff(wantSources, v.Sources); diff != "" {
			t.Errorf("sources (-want +got):\n%s", diff)
		}
		if !containsKey(v.Packages, "Maven", "org.apache.logging.log4j:log4j-core") || !containsKey(v.Packages, "CPE", "apache:log4j") {
			t.Errorf("packages: %+v", v.Packages)
		}
		recs, err := st.FeedRecordsOf(ctx, "CVE-2021-44228")
		if err != nil || len(recs) != 3 {
			t.Fatalf("records of CVE-2021-44228: %d, %v", len(recs), err)
		}
		// The snapshot holds the same merged vulnerability.
		idx, err := LoadSnapshot(s.SnapshotPath())
		if err != nil {
			t.Fatal(err)
		}
		sv, ok := idx.Vulnerability("GHSA-jfh8-c2jp-5v3q")
		if !ok || sv.ID != "CVE-2021-44228" || sv.CISAKEV == nil || sv.EPSS == nil {
			t.Errorf("snapshot: %+v", sv)
		}
		n, _ := st.Read().CountFeedRecords(ctx, "")
		if st := idx.Stats(); st.Records != n {
			t.Errorf("snapshot records %d, stored %d", st.Records, n)
		}
		// Withdrawn records are stored as such.
		wd, err := st.Vulnerability(ctx, "GO-2022-0617")
		if err != nil || wd.Withdrawn == nil {
			t.Errorf("withdrawn GO-2022-0617: %+v, %v", wd, err)
		}
		// Status per source.
		srcs, err := st.FeedSources(ctx)
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string]int{}
		for _, f := range srcs {
			counts[f.Name] = f.Records
			if f.LastSuccess == nil || f.LastError != "" {
				t.Errorf("source %s: %+v", f.Name, f)
			}
		}
		if diff := cmp.Diff(map[string]int{"osv": 67, "nvd": 1, "kev": 1404, "eukev": 43, "euvd": 109, "epss": 1883, "endoflife": 68}, counts); diff != "" {
			t.Errorf("source counts (-want +got):\n%s", diff)
		}
		changes, err := st.FeedChanges(ctx, 0, 100)
		if err != nil || len(changes) == 0 {
			t.Fatalf("changes: %v", err)
		}
		first := changes[0]
		if first.Source != "osv" || len(first.VulnIDs) != 62-0 && len(first.VulnIDs) == 0 || len(first.MatchKeys) == 0 {
			t.Errorf("first change: %+v", first)
		}
	})
}

func containsKey(ks []domain.MatchKey, eco, name string) bool {
	for _, k := range ks {
		if k.Ecosystem == eco && k.Name == name {
			return true
		}
	}
	return false
}

// A bad file in a folder imports nothing of its own, names itself, and the others are imported.
func TestImportPartial(t *testing.T) {
	st := testutil.MustOpenStore(t)
	s := newService(t, st)
	dir := t.TempDir()
	for _, f := range []string{"GO-2023-2102.json", "GO-2022-0617.json"} {
		b, _ := os.ReadFile(filepath.Join(goFixtures, f))
		os.WriteFile(filepath.Join(dir, f), b, 0o644)
	}
	os.WriteFile(filepath.Join(dir, "GO-2099-0001.json"), []byte(`{"id": "GO-2099-0001", "affected": [`), 0o644)
	rep, err := s.Import(context.Background(), dir, ImportOptions{})
	if !errors.Is(err, ErrPartial) {
		t.Fatalf("err = %v, want ErrPartial", err)
	}
	if rep.Failed != 1 || rep.Files[2].Error == "" || rep.Files[0].Error != "" || results(rep)["osv"].Created != 2 {
		t.Errorf("report: %+v", rep)
	}
}
