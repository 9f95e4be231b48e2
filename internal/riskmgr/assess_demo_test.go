package riskmgr_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/demo"
	"github.com/vigil-med/vigil/internal/demo/demotest"
	"github.com/vigil-med/vigil/internal/riskmgr"
	"github.com/vigil-med/vigil/internal/store"
)

func openDemo(tb testing.TB) (*riskmgr.Service, *demo.Env) {
	tb.Helper()
	dir, env := demotest.DataDir(tb)
	st, err := store.Open(context.Background(), store.Options{DataDir: dir, ConnectTimeout: 5 * time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	now := env.Now
	return &riskmgr.Service{Store: st, Findings: st, Now: func() time.Time { return now }}, env
}

// TestAssessSharesIdenticalDevices: the assessment of the demo hospital (thousands of devices, most of
// them one of many identical ones, some with controls of their own) is the same whether identical
// devices share one computation or each is scored on its own.
func TestAssessSharesIdenticalDevices(t *testing.T) {
	svc, env := openDemo(t)
	ctx := context.Background()
	shared, err := svc.Assess(ctx, env.Hospital.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer riskmgr.SetShareProfiles(riskmgr.SetShareProfiles(false))
	each, err := svc.Assess(ctx, env.Hospital.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(each.Assets) < 1000 {
		t.Fatalf("%d assets: the demo should have thousands", len(each.Assets))
	}
	if diff := cmp.Diff(each, shared); diff != "" {
		t.Errorf("shared results differ (-each +shared):\n%s", diff)
	}
}

// BenchmarkAssessDemo scores the demo hospital (go test -bench AssessDemo ./internal/riskmgr).
func BenchmarkAssessDemo(b *testing.B) {
	svc, env := openDemo(b)
	for b.Loop() {
		if _, err := svc.Assess(context.Background(), env.Hospital.ID); err != nil {
			b.Fatal(err)
		}
	}
}

func TestMain(m *testing.M) { demotest.Main(m) }
