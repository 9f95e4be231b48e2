package demo_test

import (
	"context"
	"testing"

	"github.com/vigil-med/vigil/internal/demo"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/training"
)

// checkDepartmentsLineUp: every department of the demo's staff register — and so every row of
// training coverage "by department" — is a department of the inventory.
func checkDepartmentsLineUp(t *testing.T, st *store.Store, e *demo.Env) {
	ctx := context.Background()
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
