package trainingtest_test

import (
	"context"
	"testing"

	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
	"github.com/vigil-med/vigil/internal/training/trainingtest"
)

func TestSeed(t *testing.T) {
	st := testutil.MustOpenStore(t)
	o := testutil.Org(t, st, "alpha")
	trainingtest.Seed(t, st, o.ID, "alphamark")
	sc := st.Scope(o.ID)
	ctx := context.Background()
	staff, _ := sc.AllStaff(ctx)
	as, _ := sc.Assignments(ctx, store.AssignmentFilter{})
	files, _ := sc.TrainingFiles(ctx, "evidence")
	findings, _ := sc.Findings(ctx, 0)
	rules, _ := sc.TrainingRules(ctx)
	recs, _ := sc.TrainingRecords(ctx, store.RecordFilter{})
	if len(staff) != 2 || len(as) == 0 || len(files) != 1 || len(findings) != 1 || len(rules) == 0 || len(recs) != 2 {
		t.Errorf("seeded %d people, %d assignments, %d files, %d findings, %d rules, %d records", len(staff), len(as), len(files), len(findings), len(rules), len(recs))
	}
}
