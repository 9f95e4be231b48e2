package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/demo"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// TestDemo loads the demo once per engine and runs every module's checks on it. Loading is what costs
// (thousands of devices, the fleet match, 90 days of risk snapshots; a minute under the race detector),
// and the checks only read, so they share one load instead of loading it each. The moment is fixed so
// that the dates the demo derives from it are the same on every run.
func TestDemo(t *testing.T) {
	checks := []struct {
		name  string
		check func(t *testing.T, st *store.Store, e *demo.Env)
	}{
		{"inventory", checkInventory},
		{"disclosures", checkDisclosures},
		{"incidents", checkIncidents},
		{"procurement", checkProcurement},
		{"departments line up", checkDepartmentsLineUp},
		{"exchange", checkExchange},
		{"fleet", checkFleet},
	}
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		start := time.Now()
		e, err := demo.Load(context.Background(), st, time.Date(2026, 11, 28, 14, 20, 0, 0, time.UTC), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("demo loaded in %v", time.Since(start)) // a figure for the report, not an assertion
		for _, c := range checks {
			t.Run(c.name, func(t *testing.T) { c.check(t, st, e) })
		}
	})
}
