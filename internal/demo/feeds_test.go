package demo

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/config"
	"github.com/vigil-med/vigil/internal/testutil"
	"github.com/vigil-med/vigil/internal/vulndb"
)

// The demo's feed step imports the embedded subset offline and leaves a fresh scan snapshot.
func TestFeedsDemo(t *testing.T) {
	st := testutil.MustOpenStore(t)
	dir := t.TempDir()
	svc := vulndb.New(st, dir, config.Default().Feeds, slog.New(slog.DiscardHandler))
	e := &Env{Store: st, Feeds: svc, Now: time.Now()}
	start := time.Now()
	if err := feedsDemo(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	t.Logf("demo feeds imported in %s", time.Since(start))
	ctx := context.Background()
	for id, want := range map[string]string{"CVE-2019-0708": "BlueKeep in the NVD set", "CVE-2021-44228": "Log4Shell", "GO-2023-2102": "Go x/net"} {
		v, err := st.Vulnerability(ctx, id)
		if err != nil {
			t.Errorf("%s (%s): %v", id, want, err)
			continue
		}
		if id == "CVE-2019-0708" && (!v.CISAKEV || v.EPSSScore == nil) {
			t.Errorf("BlueKeep: %+v", v)
		}
	}
	srcs, _ := st.FeedSources(ctx)
	counts := map[string]int{}
	for _, f := range srcs {
		counts[f.Name] = f.Records
	}
	if counts["kev"] != 1404 || counts["nvd"] != 51 || counts["eukev"] != 43 || counts["epss"] != 1883 || counts["endoflife"] != 69 || counts["osv"] != 255 {
		t.Errorf("counts: %v", counts)
	}
	st2, err := svc.Status(ctx)
	if err != nil || !st2.SnapshotFresh {
		t.Errorf("snapshot: %+v %v", st2, err)
	}
}

// The demo accounts' stored hash is a real argon2id hash of the published password.
func TestPasswordHash(t *testing.T) {
	if ok, err := auth.VerifyPassword(passwordHash, Password); err != nil || !ok {
		t.Fatalf("passwordHash does not verify %q: %v %v", Password, ok, err)
	}
	if ok, _ := auth.VerifyPassword(passwordHash, Password+"x"); ok {
		t.Fatal("passwordHash verifies another password")
	}
}
