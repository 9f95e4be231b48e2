package procurement

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/feeds/osv"
	"github.com/vigil-med/vigil/internal/match"
	"github.com/vigil-med/vigil/internal/sbom"
)

// osvIndex builds a small index from the OSV fixtures of the feeds module (GitHub advisories and the Go
// vulnerability database, real records; see internal/feeds/osv/testdata/SOURCES.md).
func osvIndex(t *testing.T) *match.Index {
	t.Helper()
	ghsa, err := osv.ReadDir(filepath.Join("..", "feeds", "osv", "testdata", "ghsa"), osv.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	gov, err := osv.ReadDir(filepath.Join("..", "feeds", "osv", "testdata", "govulndb"), osv.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return match.NewIndex(append(ghsa, gov...), nil)
}

// components of a vendor's SBOM: Log4j 2.14.1 (Log4Shell), a golang.org/x/net affected by the HTTP/2
// rapid reset, and the same x/net at a fixed version.
var vendorComponents = []sbom.Component{
	{Ref: "log4j", Name: "log4j-core", Version: "2.14.1", PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"},
	{Ref: "xnet-old", Name: "golang.org/x/net", Version: "v0.15.0", PURL: "pkg:golang/golang.org/x/net@v0.15.0"},
	{Ref: "xnet-new", Name: "golang.org/x/net", Version: "v0.33.0", PURL: "pkg:golang/golang.org/x/net@v0.33.0"},
}

func TestIndexChecker(t *testing.T) {
	got, err := IndexChecker{Index: osvIndex(t)}.Check(context.Background(), vendorComponents)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]SBOMVuln{}
	refs := map[string]bool{}
	for _, v := range got {
		byID[v.ID] = v
		refs[v.ComponentRef] = true
	}
	if diff := cmp.Diff(SBOMVuln{ComponentRef: "log4j", Component: "log4j-core 2.14.1", ID: "CVE-2021-44228", Severity: "critical", CVSS: 10, FixedIn: "2.15.0"},
		byID["CVE-2021-44228"]); diff != "" {
		t.Errorf("Log4Shell (-want +got):\n%s", diff)
	}
	if v, ok := byID["CVE-2023-39325"]; !ok || v.ComponentRef != "xnet-old" || v.FixedIn != "0.17.0" {
		t.Errorf("HTTP/2 rapid reset in x/net v0.15.0: %+v (found %v)", v, ok)
	}
	var ids []string
	for _, v := range got {
		ids = append(ids, v.ComponentRef+" "+v.ID)
	}
	if diff := cmp.Diff([]string{"log4j CVE-2021-44228", "xnet-old CVE-2023-39325", "xnet-old CVE-2023-45288"}, ids); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if refs["xnet-new"] {
		t.Errorf("x/net v0.33.0 reported as vulnerable: %+v", got)
	}
	if _, err := (IndexChecker{}).Check(context.Background(), vendorComponents); !errors.Is(err, ErrNoVulnData) {
		t.Errorf("without an index: %v", err)
	}
}

// TestSnapshotChecker: no snapshot in the data directory means no vulnerability data; once the feeds
// write one it is read and used by the tender evaluation; a rewritten snapshot is read again; a
// damaged one is an error naming the file.
func TestSnapshotChecker(t *testing.T) {
	dir := t.TempDir()
	chk := NewSnapshotChecker(dir)
	if _, err := chk.Check(context.Background(), vendorComponents); !errors.Is(err, ErrNoVulnData) {
		t.Fatalf("without a snapshot: %v", err)
	}
	write := func(idx *match.Index) {
		t.Helper()
		path := filepath.Join(dir, "feeds", "match.snap")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := idx.WriteSnapshot(f); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	write(osvIndex(t))

	// Through a tender evaluation: the vulnerability criterion is decided by the SBOM.
	cat, _ := Builtin(CatalogueDevice)
	cat, err := cat.Select([]string{"dev.vulns"})
	if err != nil {
		t.Fatal(err)
	}
	doc := &sbom.Document{Format: sbom.CycloneDXJSON, SpecVersion: "1.5", Components: vendorComponents}
	vendor := Vendor{Name: "Quantis", SBOM: &SBOMEvidence{Name: "qx200.cdx.json", Doc: doc}}
	score := func() CriterionResult {
		t.Helper()
		ev := Evaluate(context.Background(), cat, []Vendor{vendor}, Options{AsOf: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Vulns: chk})
		return ev.Vendors[0].Criteria[0]
	}
	r := score()
	if !r.Automatic || r.Score == nil || *r.Score != 1 || r.Comment != "3 known vulnerabilities, 1 critical or high" {
		t.Errorf("dev.vulns with the snapshot: automatic %v, score %v, %q", r.Automatic, r.Score, r.Comment)
	}

	// The feeds rewrite the snapshot without the GitHub advisories: Log4Shell is no longer known.
	time.Sleep(10 * time.Millisecond) // a distinct modification time on coarse file systems
	gov, err := osv.ReadDir(filepath.Join("..", "feeds", "osv", "testdata", "govulndb"), osv.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	write(match.NewIndex(gov, nil))
	got, err := chk.Check(context.Background(), vendorComponents)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range got {
		if v.ID == "CVE-2021-44228" {
			t.Errorf("the rewritten snapshot was not read again")
		}
	}

	if err := os.WriteFile(filepath.Join(dir, "feeds", "match.snap"), []byte("not a snapshot at all, but long enough"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := chk.Check(context.Background(), vendorComponents); err == nil || !errors.Is(err, match.ErrSnapshot) ||
		!strings.Contains(err.Error(), filepath.Join("feeds", "match.snap")) {
		t.Errorf("damaged snapshot: %v", err)
	}
}
