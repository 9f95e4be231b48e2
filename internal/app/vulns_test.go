package app_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/config"
	"github.com/vigil-med/vigil/internal/feeds/osv"
	"github.com/vigil-med/vigil/internal/match"
	"github.com/vigil-med/vigil/internal/procurement"
	"github.com/vigil-med/vigil/internal/sbom"
)

// TestProcurementUsesTheFeedSnapshot: tender evaluations of a running Vigil check SBOMs against the
// feeds' index snapshot in the data directory as soon as it exists.
func TestProcurementUsesTheFeedSnapshot(t *testing.T) {
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	a, err := app.Open(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	log4j := []sbom.Component{{Name: "log4j-core", Version: "2.14.1", PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}}
	vulns := a.Procurement.Options(time.Now()).Vulns
	if _, err := vulns.Check(context.Background(), log4j); !errors.Is(err, procurement.ErrNoVulnData) {
		t.Fatalf("before the feeds wrote a snapshot: %v", err)
	}
	records, err := osv.ReadDir(filepath.Join("..", "feeds", "osv", "testdata", "ghsa"), osv.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(cfg.DataDir, "feeds", "match.snap")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := match.NewIndex(records, nil).WriteSnapshot(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	got, err := a.Procurement.Options(time.Now()).Vulns.Check(context.Background(), log4j)
	if err != nil || len(got) != 1 || got[0].ID != "CVE-2021-44228" {
		t.Errorf("with the snapshot: %+v %v", got, err)
	}
}
