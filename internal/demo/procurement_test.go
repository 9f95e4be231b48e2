package demo_test

import (
	"context"
	"testing"

	"github.com/vigil-med/vigil/internal/demo"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/procurement"
	"github.com/vigil-med/vigil/internal/store"
)

func checkProcurement(t *testing.T, st *store.Store, e *demo.Env) {
	ctx := context.Background()
	now := e.LoadedAt
	sc := st.Scope(e.Hospital.ID)
	tenders, err := sc.Tenders(ctx, domain.TenderFilter{})
	if err != nil {
		t.Fatal(err)
	}
	byRef := map[string]domain.Tender{}
	for _, tn := range tenders.Items {
		byRef[tn.Reference] = tn
	}
	pumps, cloud, monitors := byRef["T-2026-014"], byRef["T-2026-022"], byRef["T-2025-031"]
	if pumps.ID == 0 || cloud.ID == 0 || monitors.ID == 0 || monitors.Status != domain.TenderAwarded {
		t.Fatalf("demo tenders: %+v", byRef)
	}
	eol, _ := procurement.EmbeddedEOL()
	opt := procurement.Options{AsOf: now, EOL: eol}
	te, err := procurement.EvaluateTender(ctx, sc, pumps.ID, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(te.Problems) > 0 {
		t.Errorf("problems: %v", te.Problems)
	}
	got := map[string]procurement.VendorResult{}
	for _, v := range te.Evaluation.Vendors {
		got[v.Vendor] = v
	}
	strong, middle, weak := got["Meridian Medical Systems"], got["Alpenmed Infusion"], got["Quantis Healthcare"]
	if strong.Rank != 1 || strong.KnockedOut || middle.Rank != 2 || middle.KnockedOut {
		t.Errorf("ranking: strong %d %v, middle %d %v", strong.Rank, strong.KnockedOut, middle.Rank, middle.KnockedOut)
	}
	if !weak.KnockedOut || len(weak.KnockedOutBy) != 1 || weak.KnockedOutBy[0] != "dev.credentials" {
		t.Errorf("the weak vendor should be knocked out by its fixed service password: %v %v", weak.KnockedOut, weak.KnockedOutBy)
	}
	score := func(v procurement.VendorResult, id string) procurement.CriterionResult {
		c, ok := v.Criterion(id)
		if !ok {
			t.Fatalf("%s: no criterion %s", v.Vendor, id)
		}
		return c
	}
	for _, c := range []struct {
		v      procurement.VendorResult
		id     string
		status procurement.Status
		score  int
	}{
		{strong, "dev.sbom", procurement.StatusAutomatic, 3},
		{strong, "dev.sbom.quality", procurement.StatusAutomatic, 3},
		{strong, "dev.legacy", procurement.StatusAutomatic, 3},
		{strong, "dev.patch-timeline", procurement.StatusAutomatic, 3},
		{strong, "dev.vulns", procurement.StatusEvaluated, 3},
		{middle, "dev.sbom", procurement.StatusAutomatic, 0},
		{middle, "dev.crypto.rest", procurement.StatusAutomatic, 2},
		{middle, "dev.hardening", procurement.StatusEvaluated, 2},
		{weak, "dev.legacy", procurement.StatusAutomatic, 0},
		{weak, "dev.credentials", procurement.StatusAutomatic, 0},
	} {
		r := score(c.v, c.id)
		if r.Status != c.status || r.Score == nil || *r.Score != c.score {
			s := -1
			if r.Score != nil {
				s = *r.Score
			}
			t.Errorf("%s %s: %s %d, want %s %d (%s)", c.v.Vendor, c.id, r.Status, s, c.status, c.score, r.Comment)
		}
	}
	if r := score(middle, "dev.remote"); r.Status != procurement.StatusNeedsEvaluation {
		t.Errorf("the middle vendor's remote service is answered with a note and waits for an evaluator: %s", r.Status)
	}
	missed, err := sc.Commitments(ctx, domain.CommitmentFilter{Missed: true, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, c := range missed {
		kinds[c.Kind] = true
		if c.Kind == procurement.CommitPatchDays && c.Trigger == "" {
			t.Errorf("a missed patch commitment must be a clock with a trigger: %+v", c)
		}
	}
	if len(missed) != 2 || !kinds[procurement.CommitCSAFAdvisories] || !kinds[procurement.CommitPatchDays] {
		t.Errorf("missed commitments: %d %v, want the CSAF provider and the patch clock", len(missed), kinds)
	}
	total, current, overdue, err := sc.CloudStats(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if total != 6 || current != 3 || overdue != 3 {
		t.Errorf("cloud register: %d services, %d current, %d overdue; want 6, 3, 3", total, current, overdue)
	}
	ce, err := procurement.EvaluateTender(ctx, sc, cloud.ID, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(ce.Evaluation.Vendors) != 2 || ce.Evaluation.Ranked()[0].Vendor != "Helix Health Cloud" {
		t.Errorf("cloud PACS ranking: %+v", ce.Evaluation.Ranked())
	}
	sup, ok, err := procurement.SupplyChainFigures(ctx, sc, now)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if err := sup.Evidence().Validate(); err != nil {
		t.Errorf("supply-chain evidence: %v", err)
	}
	if sup.Stats.Awarded != 1 || sup.Stats.AwardedWithSBOM != 1 || sup.Stats.AwardedWithSupportEnd != 1 {
		t.Errorf("supply chain: %+v", sup.Stats)
	}
}
