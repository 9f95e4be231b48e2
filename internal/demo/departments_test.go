package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/demo"
	"github.com/vigil-med/vigil/internal/testutil"
	"github.com/vigil-med/vigil/internal/training"
)

// TestDemoDepartmentsLineUp: every department of the demo's staff register — and so every row of
// training coverage "by department" — is a department of the inventory.
func TestDemoDepartmentsLineUp(t *testing.T) {
	st := testutil.MustOpenStore(t)
	ctx := context.Background()
	e, err := demo.Load(ctx, st, time.Date(2026, 11, 28, 14, 20, 0, 0, time.UTC), nil)
	if err != nil {
		t.Fatal(err)
	}
	sc := st.Scope(e.Hospital.ID)
	depts, err := training.LoadDepartments(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	staff, err := sc.StaffDepartments(ctx)
	if err != nil || len(staff) < 15 {
		t.Fatalf("staff departments: %v %v", staff, err)
	}
	for _, d := range staff {
		if name, ok := depts.Resolve(d); !ok || name != d {
			t.Errorf("staff department %q is not an inventory department", d)
		}
	}
	r, err := training.Coverage(ctx, sc, e.Now)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range r.ByDepartment {
		if _, ok := depts.Resolve(g.Label); !ok {
			t.Errorf("coverage row %q is not an inventory department", g.Label)
		}
	}
}
