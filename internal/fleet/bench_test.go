package fleet_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/feeds/osv"
	"github.com/vigil-med/vigil/internal/fleet"
	"github.com/vigil-med/vigil/internal/match"
	"github.com/vigil-med/vigil/internal/testutil"
)

// The Go vulnerability database from the module cache (benchmarks skip without it:
// cd $(mktemp -d) && go mod download -json golang.org/x/vulndb@v0.0.0-20261105234957-e22db6528018).
const vulndbModule = "golang.org/x/vulndb@v0.0.0-20261105234957-e22db6528018"

func goVulnDB(tb testing.TB) *match.Index {
	tb.Helper()
	cache := os.Getenv("GOMODCACHE")
	if cache == "" {
		out, err := exec.Command("go", "env", "GOMODCACHE").Output()
		if err != nil {
			tb.Skip("no module cache")
		}
		cache = strings.TrimSpace(string(out))
	}
	dir := filepath.Join(cache, vulndbModule, "data", "osv")
	if _, err := os.Stat(dir); err != nil {
		tb.Skipf("the Go vulnerability database is not in the module cache: %v", err)
	}
	recs, err := osv.ReadDir(dir, osv.Limits{})
	if err != nil {
		tb.Fatal(err)
	}
	return match.NewIndex(recs, nil)
}

// BenchmarkFleetStore generates a fleet in a fresh database (SQLite, and PostgreSQL with
// VIGIL_TEST_POSTGRES) and reports the figures of fleet.Bench. The size is
// VIGIL_BENCH_FLEET="assets,versions,components" (default 5000,200,500: a tenth of the issue's
// target; `vigil bench --fleet` runs the full size).
func BenchmarkFleetStore(b *testing.B) {
	o := fleet.BenchOptions{Assets: 5000, Versions: 200, Components: 500, Known: 0.3, Seed: 1, RiskFacts: true}
	if s := os.Getenv("VIGIL_BENCH_FLEET"); s != "" {
		p := strings.Split(s, ",")
		if len(p) == 3 {
			o.Assets, _ = strconv.Atoi(p[0])
			o.Versions, _ = strconv.Atoi(p[1])
			o.Components, _ = strconv.Atoi(p[2])
		}
	}
	for _, engine := range testutil.Engines() {
		b.Run(engine, func(b *testing.B) {
			st := testutil.OpenStore(b, engine)
			var f fleet.BenchFigures
			for b.Loop() {
				var err error
				if f, err = fleet.Bench(context.Background(), st, goVulnDB(b), o); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(f.IngestPerSecond, "components/s")
			b.ReportMetric(f.FullMatchSeconds*1000, "full-match-ms")
			b.ReportMetric(f.RematchSeconds*1000, "rematch-ms")
			b.ReportMetric(f.IncrementalMS, "one-advisory-ms")
			b.ReportMetric(f.WhereIsMS, "where-is-ms")
			b.ReportMetric(f.WhereIsAfterImportMS, "where-is-after-import-ms")
			b.ReportMetric(f.SBOMRematchMS, "sbom-rematch-ms")
			b.ReportMetric(float64(f.Findings), "findings")
			b.ReportMetric(f.HeapMB, "heap-MB")
			b.ReportMetric(f.ListFirstMS, "list-first-ms")
			b.ReportMetric(f.ListMS, "list-ms")
			b.ReportMetric(f.ListFilteredMS, "list-search-ms")
			b.ReportMetric(f.ListAfterTriageMS, "list-after-triage-ms")
			b.ReportMetric(f.HandlingMS, "handling-ms")
			b.ReportMetric(f.RiskFactsMS, "risk-facts-ms")
		})
	}
}
