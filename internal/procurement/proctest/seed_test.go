package proctest_test

import (
	"context"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/procurement/proctest"
	"github.com/vigil-med/vigil/internal/testutil"
)

func TestSeed(t *testing.T) {
	st := testutil.MustOpenStore(t)
	org := testutil.Org(t, st, "alpha")
	proctest.Seed(t, st, org.ID, "alphamark")
	sc := st.Scope(org.ID)
	ctx := context.Background()
	tenders, _ := sc.Tenders(ctx, domain.TenderFilter{})
	cs, _ := sc.Commitments(ctx, domain.CommitmentFilter{})
	svcs, _ := sc.CloudServices(ctx, domain.CloudServiceFilter{})
	if tenders.Total != 1 || tenders.Items[0].Status != domain.TenderAwarded || len(cs) < 3 || svcs.Total != 1 {
		t.Errorf("seeded: %d tenders, %d commitments, %d services", tenders.Total, len(cs), svcs.Total)
	}
}
