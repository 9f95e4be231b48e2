package disclosuretest_test

import (
	"context"
	"testing"

	"github.com/vigil-med/vigil/internal/disclosure/disclosuretest"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

func TestSeed(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		org := testutil.Org(t, st, "alpha")
		disclosuretest.Seed(t, st, org.ID, "alphamark")
		sc := st.Scope(org.ID)
		ctx := context.Background()
		c, err := sc.DisclosureCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if c.SBOMs != 1 || c.Components != 2 || c.MDS2 != 1 || c.Drafts != 1 || c.Advisories != 1 || c.Statements < 3 ||
			c.Documents[domain.DisclosureSBOM] != 1 || c.Documents[domain.DisclosureMDS2] != 1 || c.Documents[domain.DisclosureCSAF] != 1 || c.Documents[domain.DisclosureVEX] != 1 {
			t.Errorf("counts after the seed: %+v", c)
		}
		rules, err := sc.MappingRules(ctx)
		if err != nil || len(rules) != 1 {
			t.Errorf("rules: %v %v", rules, err)
		}
		rep, err := st.VerifyAudit(ctx, org.ID)
		if err != nil || len(rep.Problems) != 0 {
			t.Errorf("audit: %v %v", rep.Problems, err)
		}
	})
}
