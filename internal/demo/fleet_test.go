package demo_test

import (
	"context"
	"testing"

	"github.com/vigil-med/vigil/internal/demo"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// The demo hospital has real findings from the match, some triaged in every state.
func checkFleet(t *testing.T, st *store.Store, e *demo.Env) {
	ctx := e.Ctx(context.Background(), e.Hospital)
	sc := st.Scope(e.Hospital.ID)
	all, err := sc.FleetFindings(ctx, domain.FindingFilter{All: true, ListParams: domain.ListParams{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	states, matchers := map[string]int{}, map[string]int{}
	for _, f := range all.Items {
		states[f.State]++
		matchers[f.Matcher]++
		if f.Reason == "" {
			t.Errorf("finding %d has no reason", f.ID)
		}
	}
	t.Logf("%d findings; states %v; matchers %v", all.Total, states, matchers)
	for _, s := range domain.FindingStates() {
		if states[s] == 0 {
			t.Errorf("no finding in state %s", s)
		}
	}
	if matchers["osv-range"] == 0 || matchers["csaf-product-status"] == 0 {
		t.Errorf("matchers %v: want OSV and CSAF findings", matchers)
	}
	kev, err := sc.FleetFindings(ctx, domain.FindingFilter{KEV: true})
	if err != nil || kev.Total == 0 {
		t.Errorf("KEV findings: %d, %v", kev.Total, err)
	}
	facts, err := st.OpenFindingFacts(ctx, e.Hospital.ID)
	if err != nil || len(facts) == 0 {
		t.Errorf("open facts: %d, %v", len(facts), err)
	}
}
