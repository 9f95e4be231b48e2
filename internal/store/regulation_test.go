package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

func TestRegulatoryProfile(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		org := testutil.Org(t, st, "clinic")
		ctx := testutil.Ctx(org.ID)
		sc := st.Scope(org.ID)
		if _, err := sc.RegulatoryProfile(ctx); domain.ErrorCode(err) != domain.ENotFound {
			t.Fatalf("profile before saving: err %v, want not found", err)
		}
		p := domain.RegulatoryProfile{EntityType: "healthcare-provider", Public: true, Country: "de", Employees: 4812.5,
			TurnoverEUR: 612_000_000, BalanceSheetEUR: 540_000_000, HealthData: true, LargeScaleHealthData: true, Designated: "essential"}
		if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.PutRegulatoryProfile(ctx, &p) }); err != nil {
			t.Fatal(err)
		}
		got, err := sc.RegulatoryProfile(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := p
		want.Country, want.PersonalData, want.Saved, want.UpdatedBy = "DE", true, true, "test"
		if diff := cmp.Diff(want, got, cmpopts.EquateApproxTime(0)); diff != "" {
			t.Errorf("profile (-want +got):\n%s", diff)
		}
		// Saving again replaces it; unknown figures stay -1.
		p.Employees, p.TurnoverEUR = -1, -1
		if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.PutRegulatoryProfile(ctx, &p) }); err != nil {
			t.Fatal(err)
		}
		got, _ = sc.RegulatoryProfile(ctx)
		if got.Employees != -1 || got.TurnoverEUR != -1 || got.BalanceSheetEUR != 540_000_000 {
			t.Errorf("after update: %+v", got)
		}
		bad := domain.RegulatoryProfile{EntityType: "healthcare-provider", Employees: -5}
		err = sc.Write(ctx, func(tx *store.Tx) error { return tx.PutRegulatoryProfile(ctx, &bad) })
		if domain.ErrorField(err) != "employees" {
			t.Errorf("negative headcount: err %v, want a field error on employees", err)
		}
		// Another organisation sees nothing.
		other := testutil.Org(t, st, "other")
		if _, err := st.Scope(other.ID).RegulatoryProfile(ctx); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("other organisation reads the profile: %v", err)
		}
	})
}

func TestAssessmentLifecycle(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		org := testutil.Org(t, st, "hospital")
		ctx := testutil.Ctx(org.ID)
		sc := st.Scope(org.ID)
		measures := []string{"nis2.21.2.a", "nis2.21.2.b", "nis2.21.2.j"}
		a := domain.Assessment{Name: "NIS2 2026", CatalogueVersion: "2026.11", PeriodStart: "2026-01-01", PeriodEnd: "2026-12-31", Owner: "CISO"}
		if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.CreateAssessment(ctx, &a, measures, 0) }); err != nil {
			t.Fatal(err)
		}
		ms, err := sc.AssessmentMeasures(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 3 || ms[0].MeasureID != "nis2.21.2.a" || ms[0].Status != domain.MeasureNotStarted || ms[0].TargetMaturity != 3 {
			t.Fatalf("measures of a new assessment: %+v", ms)
		}
		m := domain.AssessmentMeasure{AssessmentID: a.ID, MeasureID: "nis2.21.2.b", Status: domain.MeasurePartial, Maturity: 2,
			TargetMaturity: 3, Owner: "Head of IT", DueDate: "2026-06-30", Comment: "plan approved, no exercise yet"}
		if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.SetAssessmentMeasure(ctx, &m) }); err != nil {
			t.Fatal(err)
		}
		na := domain.AssessmentMeasure{AssessmentID: a.ID, MeasureID: "nis2.21.2.a", Status: domain.MeasureNotApplicable}
		err = sc.Write(ctx, func(tx *store.Tx) error { return tx.SetAssessmentMeasure(ctx, &na) })
		if domain.ErrorField(err) != "comment" {
			t.Errorf("not applicable without a reason: err %v, want a field error on comment", err)
		}
		file := []byte("%PDF-1.4 incident response plan v3")
		link := domain.MeasureEvidence{AssessmentID: a.ID, MeasureID: "nis2.21.2.b", Kind: domain.EvidenceLink, Title: "IR plan in the DMS", URL: "https://dms.hospital.example/ir-plan"}
		doc := domain.MeasureEvidence{AssessmentID: a.ID, MeasureID: "nis2.21.2.b", Kind: domain.EvidenceFile, FileName: "ir-plan.pdf", ContentType: "application/pdf"}
		if err := sc.Write(ctx, func(tx *store.Tx) error {
			if err := tx.AddEvidence(ctx, &link, nil); err != nil {
				return err
			}
			return tx.AddEvidence(ctx, &doc, file)
		}); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(file)
		if doc.SHA256 != hex.EncodeToString(sum[:]) || doc.Size != int64(len(file)) || doc.Title != "ir-plan.pdf" {
			t.Errorf("file evidence: %+v", doc)
		}
		meta, data, err := sc.EvidenceFile(ctx, a.ID, doc.ID)
		if err != nil || !bytes.Equal(data, file) || meta.SHA256 != doc.SHA256 {
			t.Fatalf("read back file: %v %q %+v", err, data, meta)
		}
		bad := domain.MeasureEvidence{AssessmentID: a.ID, MeasureID: "nis2.21.2.b", Kind: domain.EvidenceLink, URL: "javascript:alert(1)"}
		if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.AddEvidence(ctx, &bad, nil) }); domain.ErrorField(err) != "url" {
			t.Errorf("javascript link: err %v", err)
		}

		// Sign-off with a snapshot of automatic evidence freezes the assessment.
		auto := []domain.MeasureEvidence{{MeasureID: "nis2.21.2.j", Title: "MFA coverage", AutoKind: "mfa-coverage",
			Auto: []byte(`{"kind":"mfa-coverage","measure":"nis2.21.2.j","as_of":"2026-11-20T09:00:00Z","figures":[{"name":"coverage","value":75,"unit":"percent"}],"source":"test"}`)}}
		so := domain.SignOff{Name: "Dr. K. Brandt", Role: "Managing director", Comment: "approved with the (e) action plan"}
		if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.SignOffAssessment(ctx, a.ID, &so, auto) }); err != nil {
			t.Fatal(err)
		}
		got, err := sc.Assessment(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Frozen() || got.SignOff == nil || got.SignOff.Name != "Dr. K. Brandt" || got.SignOff.RecordedBy != "test" || got.SignOff.At.IsZero() {
			t.Fatalf("after sign-off: %+v %+v", got, got.SignOff)
		}
		frozen := []struct {
			name string
			fn   func(tx *store.Tx) error
		}{
			{"set measure", func(tx *store.Tx) error { m.Maturity = 3; return tx.SetAssessmentMeasure(ctx, &m) }},
			{"add link", func(tx *store.Tx) error { l := link; return tx.AddEvidence(ctx, &l, nil) }},
			{"delete evidence", func(tx *store.Tx) error { return tx.DeleteEvidence(ctx, a.ID, link.ID) }},
			{"update", func(tx *store.Tx) error { g := got; g.Name = "renamed"; return tx.UpdateAssessment(ctx, g) }},
			{"sign again", func(tx *store.Tx) error { s := so; return tx.SignOffAssessment(ctx, a.ID, &s, nil) }},
		}
		for _, f := range frozen {
			if err := sc.Write(ctx, f.fn); domain.ErrorCode(err) != domain.EConflict {
				t.Errorf("%s on a signed-off assessment: err %v, want conflict", f.name, err)
			}
		}
		ev, err := sc.AssessmentEvidence(ctx, a.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		for _, e := range ev {
			kinds[e.Kind]++
		}
		if diff := cmp.Diff(map[string]int{"file": 1, "link": 1, "auto": 1}, kinds); diff != "" {
			t.Errorf("evidence kinds (-want +got):\n%s", diff)
		}

		// A new campaign starts from a copy: states and documents carried over, automatic evidence not.
		next := domain.Assessment{Name: "NIS2 2027", CatalogueVersion: "2026.11", Owner: "CISO"}
		all := append(measures, "nis2.20.1")
		if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.CreateAssessment(ctx, &next, all, a.ID) }); err != nil {
			t.Fatal(err)
		}
		if next.CopiedFrom == nil || *next.CopiedFrom != a.ID || next.Status != domain.AssessmentOpen {
			t.Errorf("copy: %+v", next)
		}
		nms, _ := sc.AssessmentMeasures(ctx, next.ID)
		byID := map[string]domain.AssessmentMeasure{}
		for _, x := range nms {
			byID[x.MeasureID] = x
		}
		if len(nms) != 4 || byID["nis2.21.2.b"].Maturity != 2 || byID["nis2.21.2.b"].Owner != "Head of IT" || byID["nis2.20.1"].Status != domain.MeasureNotStarted {
			t.Errorf("copied measures: %+v", nms)
		}
		nev, _ := sc.AssessmentEvidence(ctx, next.ID, "nis2.21.2.b")
		if len(nev) != 2 || !nev[0].CarriedOver || !nev[1].CarriedOver {
			t.Errorf("copied evidence: %+v", nev)
		}
		if _, data, err := sc.EvidenceFile(ctx, next.ID, nev[0].ID); err != nil && nev[0].Kind == domain.EvidenceFile || nev[0].Kind == domain.EvidenceFile && !bytes.Equal(data, file) {
			t.Errorf("copied file: %v", err)
		}
		latest, err := sc.LatestAssessment(ctx)
		if err != nil || latest.ID != next.ID {
			t.Errorf("latest assessment: %v %+v, want the open one %d", err, latest, next.ID)
		}
		page, err := sc.Assessments(ctx, domain.ListParams{})
		if err != nil || page.Total != 2 || page.Items[0].ID != next.ID {
			t.Errorf("list: %v %+v", err, page)
		}

		// Tenant isolation: another organisation cannot read or change either assessment.
		other := testutil.Org(t, st, "intruder")
		octx := testutil.Ctx(other.ID)
		osc := st.Scope(other.ID)
		if _, err := osc.Assessment(octx, next.ID); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("other org reads the assessment: %v", err)
		}
		if _, _, err := osc.EvidenceFile(octx, a.ID, doc.ID); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("other org reads the file: %v", err)
		}
		om := domain.AssessmentMeasure{AssessmentID: next.ID, MeasureID: "nis2.21.2.b", Status: domain.MeasureImplemented, Maturity: 4, TargetMaturity: 3}
		if err := osc.Write(octx, func(tx *store.Tx) error { return tx.SetAssessmentMeasure(octx, &om) }); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("other org changes a measure: %v", err)
		}
		if err := osc.Write(octx, func(tx *store.Tx) error {
			x := domain.Assessment{Name: "x"}
			return tx.CreateAssessment(octx, &x, nil, next.ID)
		}); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("other org copies the assessment: %v", err)
		}

		// Every change is in the audit log.
		evs, err := sc.AuditEvents(ctx, domain.AuditFilter{ListParams: domain.ListParams{Limit: 100}, Entity: "assessment"})
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]int{}
		for _, e := range evs.Items {
			actions[e.Action]++
		}
		for _, want := range []string{"assessment.create", "assessment.measure", "assessment.evidence_add", "assessment.sign_off"} {
			if actions[want] == 0 {
				t.Errorf("no %s audit event (have %v)", want, actions)
			}
		}
	})
}

func TestAssessmentIDsAreScoped(t *testing.T) {
	// Reading with a context of the wrong organisation is not the check: the scope is.
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		a := testutil.Org(t, st, "a")
		b := testutil.Org(t, st, "b")
		ctx := context.Background()
		as := domain.Assessment{Name: "A"}
		if err := st.Scope(a.ID).Write(testutil.Ctx(a.ID), func(tx *store.Tx) error {
			return tx.CreateAssessment(testutil.Ctx(a.ID), &as, []string{"nis2.21.2.a"}, 0)
		}); err != nil {
			t.Fatal(err)
		}
		if ms, err := st.Scope(b.ID).AssessmentMeasures(ctx, as.ID); err != nil || len(ms) != 0 {
			t.Errorf("measures through another scope: %v %+v", err, ms)
		}
		if ev, err := st.Scope(b.ID).AssessmentEvidence(ctx, as.ID, ""); err != nil || len(ev) != 0 {
			t.Errorf("evidence through another scope: %v %+v", err, ev)
		}
	})
}
