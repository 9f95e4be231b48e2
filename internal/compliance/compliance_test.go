package compliance_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/compliance"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/regulation"
	"github.com/vigil-med/vigil/internal/report/pdf"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

func addUser(t *testing.T, sc *store.Scope, ctx context.Context, email string) domain.User {
	t.Helper()
	u := domain.User{Email: email, Role: domain.RoleClinicalEngineer, PasswordHash: "x"}
	if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.CreateUser(ctx, &u) }); err != nil {
		t.Fatal(err)
	}
	return u
}

func figures(e *regulation.Evidence) map[string]float64 {
	out := map[string]float64{}
	if e == nil {
		return out
	}
	for _, f := range e.Figures {
		out[f.Name] = f.Value
	}
	return out
}

func mfaOf(t *testing.T, auto []compliance.AutoEvidence) compliance.AutoEvidence {
	t.Helper()
	for _, a := range auto {
		if a.Kind == regulation.EvidenceMFA {
			return a
		}
	}
	t.Fatal("no mfa-coverage in the collected evidence")
	return compliance.AutoEvidence{}
}

// TestMFAEvidenceFollowsEnrolment: the automatic evidence for Art 21(2)(j) is computed from the accounts
// and changes when a user enrols a second factor; it always carries its date and figures.
func TestMFAEvidenceFollowsEnrolment(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		org := testutil.Org(t, st, "clinic")
		ctx := testutil.Ctx(org.ID)
		sc := st.Scope(org.ID)
		reg := compliance.NewRegistry()

		if a := mfaOf(t, reg.Collect(ctx, sc)); a.Status != compliance.AutoNoData || a.Evidence != nil {
			t.Fatalf("without accounts: %+v, want no-data", a)
		}
		u1 := addUser(t, sc, ctx, "a@clinic.example")
		addUser(t, sc, ctx, "b@clinic.example")
		before := time.Now().Add(-time.Second)
		a := mfaOf(t, reg.Collect(ctx, sc))
		if a.Status != compliance.AutoOK {
			t.Fatalf("status %s: %s", a.Status, a.Message)
		}
		if diff := cmp.Diff(map[string]float64{"accounts_total": 2, "accounts_mfa": 0, "coverage": 0}, figures(a.Evidence)); diff != "" {
			t.Errorf("figures before enrolment (-want +got):\n%s", diff)
		}
		if a.Evidence.AsOf.Before(before) || a.Evidence.Measure != "nis2.21.2.j" || !strings.Contains(a.Evidence.Source, "2 active") {
			t.Errorf("evidence: %+v", a.Evidence)
		}
		if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.SetMFA(ctx, u1.ID, "JBSWY3DPEHPK3PXP", nil) }); err != nil {
			t.Fatal(err)
		}
		a = mfaOf(t, reg.Collect(ctx, sc))
		if diff := cmp.Diff(map[string]float64{"accounts_total": 2, "accounts_mfa": 1, "coverage": 50}, figures(a.Evidence)); diff != "" {
			t.Errorf("figures after enrolment (-want +got):\n%s", diff)
		}
		if got := a.Lines(); len(got) != 3 || got[2] != "accounts_mfa / accounts_total: 50 %" {
			t.Errorf("lines: %q", got)
		}
		if err := a.Evidence.Validate(); err != nil {
			t.Errorf("validate: %v", err)
		}
	})
}

func TestRegistry(t *testing.T) {
	st := testutil.MustOpenStore(t)
	org := testutil.Org(t, st, "h")
	ctx := testutil.Ctx(org.ID)
	sc := st.Scope(org.ID)
	reg := compliance.NewRegistry()
	def := func(k regulation.EvidenceKind) regulation.EvidenceKindDef {
		d, _ := regulation.EvidenceKindByName(k)
		return d
	}
	reg.Register(regulation.EvidenceIncidents, func(context.Context, *store.Scope) (regulation.Evidence, bool, error) {
		return regulation.Evidence{}, false, errors.New("incidents table missing")
	})
	reg.Register(regulation.EvidenceAssetInventory, func(context.Context, *store.Scope) (regulation.Evidence, bool, error) {
		return regulation.Evidence{Kind: regulation.EvidenceAssetInventory, Measure: def(regulation.EvidenceAssetInventory).Measure, AsOf: time.Now(),
			Figures: []regulation.Figure{{Name: "coverage", Value: 140, Unit: "percent"}}}, true, nil
	})
	reg.Register(regulation.EvidenceTraining, func(context.Context, *store.Scope) (regulation.Evidence, bool, error) {
		return regulation.Evidence{}, false, nil
	})
	got := map[regulation.EvidenceKind]string{}
	for _, a := range reg.Collect(ctx, sc) {
		got[a.Kind] = a.Status
		if a.Status != compliance.AutoOK && a.Message == "" {
			t.Errorf("%s: %s without a message", a.Kind, a.Status)
		}
	}
	want := map[regulation.EvidenceKind]string{
		regulation.EvidenceIncidents: compliance.AutoError, regulation.EvidenceAssetInventory: compliance.AutoError,
		regulation.EvidenceTraining: compliance.AutoNoData, regulation.EvidenceMFA: compliance.AutoNoData,
		regulation.EvidenceVulnHandling: compliance.AutoNotAvailable, regulation.EvidenceSupplierDisclos: compliance.AutoNotAvailable,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	defer func() {
		if recover() == nil {
			t.Error("registering an unknown kind did not panic")
		}
	}()
	reg.Register("bogus", compliance.MFAEvidence)
}

// TestSignOffSnapshotsAndFreezes: at sign-off the automatic evidence is recorded into the assessment with
// its date and figures; later changes to the data do not change the frozen assessment, nor can anyone
// change its measures; the next campaign starts from a copy and sees live figures again.
func TestSignOffSnapshotsAndFreezes(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		org := testutil.Org(t, st, "hospital")
		ctx := testutil.Ctx(org.ID)
		sc := st.Scope(org.ID)
		reg := compliance.NewRegistry()
		u := addUser(t, sc, ctx, "ciso@hospital.example")
		addUser(t, sc, ctx, "eng@hospital.example")
		if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.SetMFA(ctx, u.ID, "JBSWY3DPEHPK3PXP", nil) }); err != nil {
			t.Fatal(err)
		}
		a := domain.Assessment{Name: "2026", PeriodStart: "2026-01-01", PeriodEnd: "2026-12-31"}
		if err := compliance.StartAssessment(ctx, sc, &a, 0); err != nil {
			t.Fatal(err)
		}
		if a.CatalogueVersion != regulation.MeasureCatalogue().Version {
			t.Errorf("catalogue version %q", a.CatalogueVersion)
		}
		m := domain.AssessmentMeasure{AssessmentID: a.ID, MeasureID: "nis2.21.2.j", Status: domain.MeasurePartial, Maturity: 2, TargetMaturity: 3}
		if err := compliance.SetMeasure(ctx, sc, &m); err != nil {
			t.Fatal(err)
		}
		bad := domain.AssessmentMeasure{AssessmentID: a.ID, MeasureID: "nis2.99", Status: domain.MeasurePartial}
		if err := compliance.SetMeasure(ctx, sc, &bad); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("unknown measure: %v", err)
		}
		if _, err := compliance.SignOff(ctx, sc, reg, a.ID, domain.SignOff{Name: "Dr. Brandt"}); domain.ErrorField(err) != "role" {
			t.Errorf("sign-off without a role: %v", err)
		}
		signed, err := compliance.SignOff(ctx, sc, reg, a.ID, domain.SignOff{Name: "Dr. Brandt", Role: "Managing director", Comment: "approved"})
		if err != nil {
			t.Fatal(err)
		}
		if !signed.Frozen() {
			t.Fatalf("not frozen: %+v", signed)
		}
		// The data changes after the sign-off …
		if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.SetMFA(ctx, u.ID, "", nil) }); err != nil {
			t.Fatal(err)
		}
		b, err := compliance.LoadBoard(ctx, sc, reg, a.ID, time.Now(), time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		row, _ := b.Row("nis2.21.2.j")
		if len(row.Auto) != 1 || !row.Auto[0].Snapshot || row.Auto[0].Status != compliance.AutoOK {
			t.Fatalf("frozen row auto evidence: %+v", row.Auto)
		}
		// … but the frozen assessment keeps the figures recorded at sign-off.
		if diff := cmp.Diff(map[string]float64{"accounts_total": 2, "accounts_mfa": 1, "coverage": 50}, figures(row.Auto[0].Evidence)); diff != "" {
			t.Errorf("snapshot figures (-want +got):\n%s", diff)
		}
		if !b.AsOf.Equal(signed.SignOff.At) {
			t.Errorf("as of %v, want the sign-off time %v", b.AsOf, signed.SignOff.At)
		}
		m.Maturity = 3
		if err := compliance.SetMeasure(ctx, sc, &m); domain.ErrorCode(err) != domain.EConflict {
			t.Errorf("changing a frozen measure: %v, want conflict", err)
		}
		if _, err := compliance.AddLink(ctx, sc, a.ID, "nis2.21.2.j", "x", "https://x.example"); domain.ErrorCode(err) != domain.EConflict {
			t.Errorf("adding evidence to a frozen assessment: %v, want conflict", err)
		}
		if _, err := compliance.SignOff(ctx, sc, reg, a.ID, domain.SignOff{Name: "x", Role: "y"}); domain.ErrorCode(err) != domain.EConflict {
			t.Errorf("signing twice: %v, want conflict", err)
		}
		next := domain.Assessment{Name: "2027"}
		if err := compliance.StartAssessment(ctx, sc, &next, a.ID); err != nil {
			t.Fatal(err)
		}
		nb, err := compliance.LoadBoard(ctx, sc, reg, next.ID, time.Now(), time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		nrow, _ := nb.Row("nis2.21.2.j")
		if nrow.State.Maturity != 2 || nrow.State.Status != domain.MeasurePartial {
			t.Errorf("copied state: %+v", nrow.State)
		}
		if len(nrow.Auto) != 1 || nrow.Auto[0].Snapshot || figures(nrow.Auto[0].Evidence)["accounts_mfa"] != 0 {
			t.Errorf("new campaign should show live figures: %+v", nrow.Auto)
		}
		if len(nb.Rows) != len(regulation.MeasureCatalogue().Measures) {
			t.Errorf("rows %d", len(nb.Rows))
		}
		// Isolation: another organisation gets not found, never the board.
		other := testutil.Org(t, st, "other")
		if _, err := compliance.LoadBoard(ctx, st.Scope(other.ID), reg, a.ID, time.Now(), time.UTC); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("other organisation loads the board: %v", err)
		}
	})
}

func TestBoardSummaryAndFilter(t *testing.T) {
	st := testutil.MustOpenStore(t)
	org := testutil.Org(t, st, "h")
	ctx := testutil.Ctx(org.ID)
	sc := st.Scope(org.ID)
	a := domain.Assessment{Name: "x"}
	if err := compliance.StartAssessment(ctx, sc, &a, 0); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, m := range []domain.AssessmentMeasure{
		{MeasureID: "nis2.21.2.a", Status: domain.MeasureImplemented, Maturity: 3, TargetMaturity: 3},
		{MeasureID: "nis2.21.2.b", Status: domain.MeasurePartial, Maturity: 1, TargetMaturity: 3, DueDate: "2026-05-31"},
		{MeasureID: "nis2.21.2.c", Status: domain.MeasurePartial, Maturity: 2, TargetMaturity: 4, DueDate: "2026-06-01"},
		{MeasureID: "nis2.21.2.h", Status: domain.MeasureNotApplicable, Maturity: 0, TargetMaturity: 3, Comment: "no cryptography of our own"},
	} {
		m.AssessmentID = a.ID
		if err := compliance.SetMeasure(ctx, sc, &m); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := compliance.AddLink(ctx, sc, a.ID, "nis2.21.2.a", "", "https://intranet.example/policy"); err != nil {
		t.Fatal(err)
	}
	b, err := compliance.LoadBoard(ctx, sc, nil, a.ID, now, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	n := len(regulation.MeasureCatalogue().Measures)
	s := b.Summary
	want := compliance.Summary{Measures: n, Applicable: n - 1, AtTarget: 1, Overdue: 1, NoEvidence: n - 2,
		GapLevels: 0 + 2 + 2 + 3*(n-4), AvgMaturity: float64(3+1+2) / float64(n-1), AvgTarget: float64(3*(n-1)+1) / float64(n-1),
		ByStatus: []compliance.StatusCount{{"not-started", "Not started", n - 4}, {"partial", "Partial", 2}, {"implemented", "Implemented", 1}, {"not-applicable", "Not applicable", 1}}}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	got := compliance.FilterRows(b.Rows, domain.MeasurePartial)
	if len(got) != 2 || got[0].Measure.ID != "nis2.21.2.b" || !got[0].Overdue || got[1].Overdue {
		t.Errorf("partial rows: %+v", got)
	}
}

func TestParseAmount(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"40000000", 40_000_000, true}, {"40 000 000", 40_000_000, true}, {"40.000.000", 40_000_000, true},
		{"40,000,000", 40_000_000, true}, {"40 m", 40_000_000, true}, {"40M", 40_000_000, true}, {"40 Mio", 40_000_000, true},
		{"€ 43m", 43_000_000, true}, {"1,5 bn", 1_500_000_000, true}, {"50000001", 50_000_001, true}, {"0", 0, true},
		{"40.5m", 40_500_000, true}, {"12'500'000", 12_500_000, true},
		{"40.5", 0, false}, {"4,00", 0, false}, {"-3", 0, false}, {"lots", 0, false}, {"", 0, false}, {"1e9", 0, false},
	} {
		got, err := compliance.ParseAmount(tc.in)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
	for _, tc := range []struct {
		in   string
		want float64
		ok   bool
	}{{"300", 300, true}, {"299.5", 299.5, true}, {"299,5", 299.5, true}, {"1 200", 1200, true}, {"1,200", 1200, true}, {"-1", 0, false}, {"x", 0, false}} {
		got, err := compliance.ParseHeadcount(tc.in)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("ParseHeadcount(%q) = %v, %v; want %v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestScopeForm(t *testing.T) {
	f := compliance.ScopeForm{EntityType: "healthcare-provider", Public: "yes", Country: "de", Employees: "300", Turnover: "40 m", Balance: "30000000"}
	in, errs := f.Input()
	want := regulation.ScopeInput{EntityType: regulation.HealthcareProvider, Public: true, MemberState: "DE", Employees: 300, TurnoverEUR: 40_000_000, BalanceSheetEUR: 30_000_000}
	if len(errs) != 0 || !cmp.Equal(want, in) {
		t.Errorf("input %+v errs %v", in, errs)
	}
	_, errs = compliance.ScopeForm{EntityType: "hospital", Country: "Germany", Employees: "many", Designated: "maybe", Public: "perhaps"}.Input()
	var keys []string
	for k := range errs {
		keys = append(keys, k)
	}
	if len(errs) != 5 {
		t.Errorf("errors for %v: %v", keys, errs)
	}
	// Empty figures are unknown, not zero.
	in, _ = compliance.ScopeForm{EntityType: "healthcare-provider"}.Input()
	if in.Employees != -1 || in.TurnoverEUR != -1 || in.BalanceSheetEUR != -1 {
		t.Errorf("empty figures: %+v", in)
	}
}

// TestCheckScopeExample is the example with the German overlay: a healthcare provider with 300
// staff, €40 m turnover and €30 m balance sheet is large (headcount ≥ 250) and thus essential (Annex I).
func TestCheckScopeExample(t *testing.T) {
	ans := compliance.CheckScope(regulation.ScopeInput{EntityType: regulation.HealthcareProvider, Employees: 300, TurnoverEUR: 40_000_000,
		BalanceSheetEUR: 30_000_000, MemberState: "DE"}, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	if ans.Category != regulation.Essential || ans.Annex != "I" || ans.Size != regulation.Large {
		t.Fatalf("category %s annex %s size %s", ans.Category, ans.Annex, ans.Size)
	}
	if ans.Overlay != "DE" || !strings.Contains(ans.NationalLabel, "besonders wichtige") || len(ans.Registration) == 0 {
		t.Errorf("overlay: %q %q %d", ans.Overlay, ans.NationalLabel, len(ans.Registration))
	}
	ids := map[string]bool{}
	for _, d := range ans.Duties {
		ids[d.ID] = true
	}
	for _, id := range []string{"nis2.20.1", "nis2.21", "nis2.23", "nis2.32", "nis2.34.4"} {
		if !ids[id] {
			t.Errorf("duty %s missing (have %v)", id, ids)
		}
	}
	// Out of scope: no duties, no registration.
	small := compliance.CheckScope(regulation.ScopeInput{EntityType: regulation.HealthcareProvider, Employees: 20, TurnoverEUR: 3_000_000,
		BalanceSheetEUR: 2_000_000, MemberState: "DE"}, time.Now())
	if small.Category != regulation.OutOfScope || len(small.Duties) != 0 || len(small.Registration) != 0 {
		t.Errorf("small practice: %s, %d duties, %d registration items", small.Category, len(small.Duties), len(small.Registration))
	}
}

func TestDefaultProfile(t *testing.T) {
	for _, tc := range []struct {
		typ  domain.OrgType
		want string
	}{{domain.OrgHospital, "healthcare-provider"}, {domain.OrgManufacturer, "medical-device-manufacturer"}, {domain.OrgAuthority, "other"}} {
		p := compliance.DefaultProfile(domain.Organisation{Type: tc.typ, Country: "DE"})
		if p.EntityType != tc.want || p.Employees != -1 || p.TurnoverEUR != -1 || p.Saved {
			t.Errorf("%s: %+v", tc.typ, p)
		}
		if err := compliance.ValidateProfile(&p); err != nil {
			t.Errorf("%s: proposal does not validate: %v", tc.typ, err)
		}
	}
	p := domain.RegulatoryProfile{EntityType: "hospital"}
	if err := compliance.ValidateProfile(&p); domain.ErrorField(err) != "entity_type" || !strings.Contains(err.Error(), "healthcare-provider") {
		t.Errorf("unknown entity type: %v", err)
	}
}

// TestReportPDFRenders renders the gap report of a signed-off and an open assessment to PNG and checks
// that every page carries ink, as a person would look at it.
func TestReportPDFRenders(t *testing.T) {
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		if os.Getenv("VIGIL_REQUIRE_BROWSER") == "1" {
			t.Fatal("pdftoppm (poppler-utils) is required in CI")
		}
		t.Skip("pdftoppm not installed")
	}
	st := testutil.MustOpenStore(t)
	org := testutil.Org(t, st, "nordstadt")
	org.Name = "Nordstadt Universitätsklinikum"
	ctx := testutil.Ctx(org.ID)
	sc := st.Scope(org.ID)
	reg := compliance.NewRegistry()
	addUser(t, sc, ctx, "a@x.example")
	a := domain.Assessment{Name: "NIS2 Art 21 — 2026 (Überprüfung)", Owner: "Dr. Miriam Hoffmann", PeriodStart: "2026-01-01", PeriodEnd: "2026-12-31"}
	if err := compliance.StartAssessment(ctx, sc, &a, 0); err != nil {
		t.Fatal(err)
	}
	for i, id := range []string{"nis2.21.2.a", "nis2.21.2.b", "nis2.21.2.e", "nis2.21.2.j"} {
		m := domain.AssessmentMeasure{AssessmentID: a.ID, MeasureID: id, Status: domain.MeasurePartial, Maturity: i % 4, TargetMaturity: 3,
			Owner: "Head of IT", DueDate: "2026-03-31", Comment: strings.Repeat("Segmentation of the modality network ≥ 2 sites; ", 3)}
		if err := compliance.SetMeasure(ctx, sc, &m); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := compliance.AddFile(ctx, sc, a.ID, "nis2.21.2.b", "IR plan", "ir-plan.txt", []byte("plan")); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	render := func(name string) {
		b, err := compliance.LoadBoard(ctx, sc, reg, a.ID, time.Now(), org.Location())
		if err != nil {
			t.Fatal(err)
		}
		doc, err := compliance.ReportPDF(b, org, "Dr. Miriam Hoffmann", time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name+".pdf")
		if err := os.WriteFile(path, doc, 0o644); err != nil {
			t.Fatal(err)
		}
		pages, err := pdf.RenderPNG(path, filepath.Join(dir, name), 50)
		if err != nil {
			t.Fatal(err)
		}
		if len(pages) < 3 {
			t.Errorf("%s: %d pages, want the summary, the table and the evidence per measure", name, len(pages))
		}
		for _, p := range pages {
			ink, err := pdf.InkRatio(p)
			if err != nil {
				t.Fatal(err)
			}
			if ink < 0.005 {
				t.Errorf("%s is (nearly) blank: ink %.4f", filepath.Base(p), ink)
			}
		}
	}
	render("open")
	if _, err := compliance.SignOff(ctx, sc, reg, a.ID, domain.SignOff{Name: "Prof. Dr. Katrin Brandt", Role: "Vorstandsvorsitzende"}); err != nil {
		t.Fatal(err)
	}
	render("signed")
}
