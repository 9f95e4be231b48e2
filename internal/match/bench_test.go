package match

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/vigil-med/vigil/internal/feeds/osv"
	"github.com/vigil-med/vigil/internal/sbom"
	"github.com/vigil-med/vigil/internal/vuln"
)

// The Go vulnerability database as a Go module. Download it once with
//
//	cd $(mktemp -d) && go mod download -json golang.org/x/vulndb@v0.0.0-20261105234957-e22db6528018
const vulndbModule = "golang.org/x/vulndb@v0.0.0-20261105234957-e22db6528018"

var (
	goDBOnce    sync.Once
	goDBRecords []vuln.Vulnerability
	goDBErr     error
)

// GoVulnDBDir returns data/osv of the Go vulnerability database module in the module cache.
func goVulnDBDir() string {
	cache := os.Getenv("GOMODCACHE")
	if cache == "" {
		out, err := exec.Command("go", "env", "GOMODCACHE").Output()
		if err == nil {
			cache = strings.TrimSpace(string(out))
		}
	}
	return filepath.Join(cache, vulndbModule, "data", "osv")
}

func goDB(b *testing.B) []vuln.Vulnerability {
	goDBOnce.Do(func() {
		dir := goVulnDBDir()
		if _, err := os.Stat(dir); err != nil {
			goDBErr = fmt.Errorf("Go vulnerability database not in the module cache (%v); run: cd $(mktemp -d) && go mod download -json %s", err, vulndbModule)
			return
		}
		goDBRecords, goDBErr = osv.ReadDir(dir, osv.Limits{})
	})
	if goDBErr != nil {
		b.Skip(goDBErr)
	}
	return goDBRecords
}

func heapMB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}

func BenchmarkReadGoVulnDB(b *testing.B) {
	dir := goVulnDBDir()
	if _, err := os.Stat(dir); err != nil {
		b.Skip("Go vulnerability database not in the module cache; run: go mod download ", vulndbModule)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := osv.ReadDir(dir, osv.Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuildIndexGoVulnDB(b *testing.B) {
	records := goDB(b)
	b.ReportAllocs()
	var idx *Index
	for b.Loop() {
		idx = NewIndex(records, nil)
	}
	b.ReportMetric(float64(idx.Stats().Vulnerabilities), "vulns")
}

func BenchmarkSnapshotLoadGoVulnDB(b *testing.B) {
	idx := NewIndex(goDB(b), nil)
	var buf bytes.Buffer
	if err := idx.WriteSnapshot(&buf); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.ReportMetric(float64(len(data))/(1<<20), "MB-snapshot")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadSnapshot(bytes.NewReader(data), 0); err != nil {
			b.Fatal(err)
		}
	}
}

func benchMatch(b *testing.B, n int) {
	idx := NewIndex(goDB(b), nil)
	comps := SyntheticComponents(idx, n, 0.5, 1)
	tg := &Target{Components: comps}
	b.ReportAllocs()
	var fs []Finding
	for b.Loop() {
		// the lazily parsed ranges are parsed in the first round only; BenchmarkScanPath
		// measures a first match on a freshly loaded snapshot
		var err error
		if fs, err = idx.Match(context.Background(), tg, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(fs)), "findings")
}

func BenchmarkMatch10kGoVulnDB(b *testing.B) { benchMatch(b, 10_000) }
func BenchmarkMatch30kGoVulnDB(b *testing.B) { benchMatch(b, 30_000) }

// BenchmarkScanPath10k is what `vigil scan` does after decoding the SBOM: load the snapshot, then
// match 10,000 components once (the ranges are parsed on this first use).
func BenchmarkScanPath10k(b *testing.B) { benchScanPath(b, 10_000) }
func BenchmarkScanPath30k(b *testing.B) { benchScanPath(b, 30_000) }

func benchScanPath(b *testing.B, n int) {
	idx := NewIndex(goDB(b), nil)
	comps := SyntheticComponents(idx, n, 0.5, 1)
	var buf bytes.Buffer
	if err := idx.WriteSnapshot(&buf); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.ReportAllocs()
	for b.Loop() {
		idx, err := ReadSnapshot(bytes.NewReader(data), 0)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := idx.Match(context.Background(), &Target{Components: comps}, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFleet: 2,000 product versions × 500 components, all in memory.
func BenchmarkFleet(b *testing.B) {
	idx := NewIndex(goDB(b), nil)
	const pvs, perPV = 2000, 500
	fleet := make([][]sbom.Component, pvs)
	ci := NewComponentIndex()
	for i := range fleet {
		fleet[i] = SyntheticComponents(idx, perPV, 0.3, uint64(i))
		ci.Add(fmt.Sprintf("pv-%d", i), fleet[i])
	}
	b.Run("component-index", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ci := NewComponentIndex()
			for i := range fleet {
				ci.Add("pv-"+strconv.Itoa(i), fleet[i])
			}
		}
	})
	b.Run("full-match", func(b *testing.B) {
		b.ReportAllocs()
		var n int
		for b.Loop() {
			n = 0
			for i := range fleet {
				fs, _ := idx.Match(context.Background(), &Target{ProductVersion: fmt.Sprint(i), Components: fleet[i]}, Options{})
				n += len(fs)
			}
		}
		b.ReportMetric(float64(n), "findings")
	})
	// one new advisory for a popular package: update the index, find the product versions, re-match
	// only the touched components
	adv := vuln.Vulnerability{ID: "GO-2099-0001", Aliases: []string{"CVE-2099-0001"},
		Affected: []vuln.Affected{{Ecosystem: "Go", Name: "golang.org/x/net", Source: "GO-2099-0001",
			Ranges: []vuln.Range{{Type: "SEMVER", Events: []vuln.Event{{Kind: vuln.Introduced, Version: "0"}, {Kind: vuln.Fixed, Version: "0.40.0"}}}}}},
		Sources: []vuln.Source{{Kind: vuln.SourceOSV, ID: "GO-2099-0001"}}}
	b.Run("incremental-one-advisory", func(b *testing.B) {
		b.ReportAllocs()
		var touched int
		for b.Loop() {
			keys := idx.Update([]vuln.Vulnerability{adv}, nil)
			pvIDs := ci.ProductVersions(keys)
			touched = len(pvIDs)
			for _, id := range pvIDs {
				var i int
				fmt.Sscanf(id, "pv-%d", &i)
				if _, err := idx.Match(context.Background(), &Target{ProductVersion: id, Components: fleet[i]}, Options{Keys: keys}); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(touched), "pvs-rematched")
	})
	b.Run("where-is", func(b *testing.B) {
		b.ReportAllocs()
		var n int
		for b.Loop() {
			n = len(ci.Where("golang.org/x/net"))
		}
		b.ReportMetric(float64(n), "placements")
	})
	b.ReportMetric(heapMB(), "MB-heap")
}
