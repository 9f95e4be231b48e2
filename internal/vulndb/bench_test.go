package vulndb

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/testutil"
)

// goVulnDB returns the data/osv folder of the Go vulnerability database module, or skips.
func goVulnDB(b *testing.B) string {
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		b.Skip(err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "golang.org/x/vulndb@v0.0.0-20261105234957-e22db6528018/data/osv")
	if _, err := os.Stat(dir); err != nil {
		b.Skip("the Go vulnerability database module is not downloaded: cd $(mktemp -d) && go mod download -json golang.org/x/vulndb@v0.0.0-20261105234957-e22db6528018")
	}
	return dir
}

// BenchmarkImportGoVulnDB imports the Go vulnerability database (4,789 records) into a fresh SQLite
// store and writes the snapshot; it reports records per second.
func BenchmarkImportGoVulnDB(b *testing.B) {
	dir := goVulnDB(b)
	for b.Loop() {
		b.StopTimer()
		s := newService(b, testutil.MustOpenStore(b))
		b.StartTimer()
		rep, err := s.Import(context.Background(), dir, ImportOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(rep.Sources[0].Read)/rep.Seconds, "records/s")
	}
}

// BenchmarkReimportGoVulnDB imports the Go vulnerability database again: every record unchanged.
func BenchmarkReimportGoVulnDB(b *testing.B) {
	dir := goVulnDB(b)
	s := newService(b, testutil.MustOpenStore(b))
	if _, err := s.Import(context.Background(), dir, ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.Import(context.Background(), dir, ImportOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
