package riskmgr_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/feeds/endoflife"
	"github.com/vigil-med/vigil/internal/lifecycle"
	"github.com/vigil-med/vigil/internal/procurement"
	"github.com/vigil-med/vigil/internal/report/pdf"
	"github.com/vigil-med/vigil/internal/risk"
	"github.com/vigil-med/vigil/internal/riskmgr"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// fakeFindings is the fleet module's finding source as the tests need it.
type fakeFindings map[int64][]domain.FindingFacts // by organisation

func (f fakeFindings) OpenFindingFacts(_ context.Context, org int64) ([]domain.FindingFacts, error) {
	return f[org], nil
}

var asOf = time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)

// hospital is a small inventory: a CT workstation on Windows XP Embedded in the office LAN, a second
// one in an isolated VLAN, a current infusion pump with a KEV finding, and an ultrasound whose support
// ends within months.
type hospital struct {
	org                           domain.Organisation
	xp1, xp2, pump, echo          domain.Asset
	ctProduct, pumpProduct, echoP domain.Product
	pumpVersion                   domain.ProductVersion
}

func seed(t *testing.T, st *store.Store, slug string) hospital {
	t.Helper()
	h := hospital{org: testutil.Org(t, st, slug)}
	ctx := testutil.Ctx(h.org.ID)
	today := domain.DateOf(asOf)
	err := st.Scope(h.org.ID).Write(ctx, func(tx *store.Tx) error {
		office := domain.NetworkZone{Name: "Office LAN", Exposure: domain.ExposureOffice}
		vlan := domain.NetworkZone{Name: "Imaging VLAN", Exposure: domain.ExposureIsolated}
		rad := domain.Department{Name: "Radiology"}
		icu := domain.Department{Name: "ICU"}
		for _, z := range []*domain.NetworkZone{&office, &vlan} {
			if err := tx.CreateZone(ctx, z); err != nil {
				return err
			}
		}
		for _, d := range []*domain.Department{&rad, &icu} {
			if err := tx.CreateDepartment(ctx, d); err != nil {
				return err
			}
		}
		m := domain.Manufacturer{Name: "Acme Medical"}
		if err := tx.CreateManufacturer(ctx, &m); err != nil {
			return err
		}
		h.ctProduct = domain.Product{ManufacturerID: m.ID, Name: "CT 64", MedicalDevice: true, ReplacementCost: domain.Euros(90000)}
		h.pumpProduct = domain.Product{ManufacturerID: m.ID, Name: "Pump", MedicalDevice: true, ReplacementCost: domain.Euros(3000)}
		h.echoP = domain.Product{ManufacturerID: m.ID, Name: "Echo", MedicalDevice: true, ReplacementCost: domain.Euros(40000), EndOfSupport: domain.DateOf(asOf.AddDate(0, 5, 0))}
		for _, p := range []*domain.Product{&h.ctProduct, &h.pumpProduct, &h.echoP} {
			if err := tx.CreateProduct(ctx, p); err != nil {
				return err
			}
		}
		ctv := domain.ProductVersion{ProductID: h.ctProduct.ID, Version: "2.6", OperatingSystem: "Windows XP Embedded"}
		h.pumpVersion = domain.ProductVersion{ProductID: h.pumpProduct.ID, Version: "U62"}
		ev := domain.ProductVersion{ProductID: h.echoP.ID, Version: "1"}
		for _, v := range []*domain.ProductVersion{&ctv, &h.pumpVersion, &ev} {
			if err := tx.CreateProductVersion(ctx, v); err != nil {
				return err
			}
		}
		h.xp1 = domain.Asset{ProductVersionID: ctv.ID, AssetTag: slug + "-CT-1", Criticality: domain.CritCritical, ZoneID: office.ID, DepartmentID: rad.ID, PatientData: true}
		h.xp2 = domain.Asset{ProductVersionID: ctv.ID, AssetTag: slug + "-CT-2", Criticality: domain.CritCritical, ZoneID: vlan.ID, DepartmentID: rad.ID, PatientData: true}
		h.pump = domain.Asset{ProductVersionID: h.pumpVersion.ID, AssetTag: slug + "-P-1", Criticality: domain.CritLifeSustaining, ZoneID: office.ID, DepartmentID: icu.ID}
		h.echo = domain.Asset{ProductVersionID: ev.ID, AssetTag: slug + "-E-1", Criticality: domain.CritImportant, ZoneID: vlan.ID, DepartmentID: icu.ID}
		for _, a := range []*domain.Asset{&h.xp1, &h.xp2, &h.pump, &h.echo} {
			if err := tx.CreateAsset(ctx, a, today); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func service(st *store.Store, f riskmgr.FindingSource) *riskmgr.Service {
	return &riskmgr.Service{Store: st, Findings: f, Now: func() time.Time { return asOf },
		EOL: func() *endoflife.Catalog { cat, _ := procurement.EmbeddedEOL(); return cat }}
}

// A finding source need not group its facts by product version: a version's facts that come apart
// are all scored, the closed ones among them left out.
func TestAssessUngroupedFindings(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		h := seed(t, st, "h1")
		ctx := testutil.Ctx(h.org.ID)
		kev := domain.FindingFacts{FindingID: 7, ProductVersionID: h.pumpVersion.ID, VulnID: "CVE-2024-0001", CISAKEV: true,
			CVSSVectors: []string{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}, State: domain.FindingNew}
		second, fixed, elsewhere := kev, kev, kev
		second.FindingID, second.VulnID, second.State = 10, "CVE-2024-0002", domain.FindingExploitable
		fixed.FindingID, fixed.VulnID, fixed.State = 11, "CVE-2024-0003", domain.FindingFixed
		elsewhere.FindingID, elsewhere.ProductVersionID = 12, h.pumpVersion.ID+1000 // a version no device runs
		as, err := service(st, fakeFindings{h.org.ID: {kev, elsewhere, second, fixed}}).Assess(ctx, h.org.ID)
		if err != nil {
			t.Fatal(err)
		}
		pump, _ := as.Find(h.pump.ID)
		var got []string
		var ids []int64
		for _, f := range pump.Findings {
			got = append(got, f.VulnerabilityID)
			if id, ok := riskmgr.StoredFindingID(f); ok {
				ids = append(ids, id)
			}
		}
		slices.Sort(got)
		slices.Sort(ids)
		if pump.KEV != 2 || !slices.Equal(got, []string{"CVE-2024-0001", "CVE-2024-0002"}) {
			t.Errorf("pump: KEV %d, findings %v; want both open findings and not the fixed one", pump.KEV, got)
		}
		// the pages link each scored finding to the stored one it came from
		if !slices.Equal(ids, []int64{7, 10}) {
			t.Errorf("pump: stored finding ids %v, want [7 10]", ids)
		}
	})
}

func TestAssessLegacyFindingsControls(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		h := seed(t, st, "h1")
		other := seed(t, st, "h2")
		ctx := testutil.Ctx(h.org.ID)
		kev := domain.FindingFacts{FindingID: 7, ProductVersionID: h.pumpVersion.ID, VulnID: "CVE-2024-0001", CISAKEV: true,
			CVSSVectors: []string{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}, EPSS: 0.6, EPSSPercentile: 0.98, State: domain.FindingNew}
		fixed := kev
		fixed.FindingID, fixed.State = 8, domain.FindingFixed
		src := fakeFindings{h.org.ID: {kev, fixed}, other.org.ID: {{FindingID: 9, ProductVersionID: other.pumpVersion.ID, VulnID: "CVE-OTHER", CISAKEV: true}}}
		svc := service(st, src)
		as, err := svc.Assess(ctx, h.org.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(as.Assets) != 4 || as.Weights.Version != risk.DefaultWeightsVersion {
			t.Fatalf("assets %d weights %s", len(as.Assets), as.Weights.Version)
		}
		pump, _ := as.Find(h.pump.ID)
		if pump.KEV != 1 || pump.Score.Findings != 1 || pump.Findings[0].VulnerabilityID != "CVE-2024-0001" {
			t.Errorf("pump: the open KEV finding counts once, the fixed one not: %+v", pump.Score)
		}
		if as.Assets[0].Asset.ID != h.pump.ID {
			t.Errorf("the life-sustaining pump with a KEV finding should rank first, got %s", as.Assets[0].Asset.Tag)
		}
		xp1, _ := as.Find(h.xp1.ID)
		xp2, _ := as.Find(h.xp2.ID)
		if xp1.Legacy.Status != lifecycle.StatusEnded || len(xp1.Findings) != 1 || !riskmgr.IsLegacyTerm(xp1.Findings[0]) {
			t.Fatalf("Windows XP Embedded workstation: legacy %s, findings %+v", xp1.Legacy.Status, xp1.Findings)
		}
		if xp1.Score.Score <= 0 || xp2.Score.Score >= xp1.Score.Score {
			t.Errorf("legacy term: office LAN %v must exceed isolated VLAN %v, both > 0", xp1.Score.Score, xp2.Score.Score)
		}
		if !strings.Contains(xp1.Findings[0].VulnerabilityID, "Windows XP") || xp1.Findings[0].CVSSVector == "" {
			t.Errorf("legacy term names the ended item and its vector: %+v", xp1.Findings[0])
		}
		echo, _ := as.Find(h.echo.ID)
		if echo.Legacy.Status != lifecycle.StatusEndingSoon || echo.Score.Score != 0 {
			t.Errorf("ending-soon device is registered but carries no legacy term: %s %v", echo.Legacy.Status, echo.Score.Score)
		}
		reg := as.LegacyRegister()
		if len(reg) != 3 || reg[0].Status != lifecycle.StatusEnded || reg[2].Status != lifecycle.StatusEndingSoon || reg[0].Compensation != "none recorded" {
			t.Errorf("register: %+v", reg)
		}

		// A control lowers the score; overdue long ago it counts for nothing.
		due := asOf.AddDate(0, 6, 0)
		if err := st.Scope(h.org.ID).Write(ctx, func(tx *store.Tx) error {
			return tx.CreateRiskControl(ctx, &domain.RiskControl{ProductID: h.ctProduct.ID, Kind: domain.ControlSegmentation, Description: "VLAN", ReviewDue: &due})
		}); err != nil {
			t.Fatal(err)
		}
		as2, _ := svc.Assess(ctx, h.org.ID)
		xp1c, _ := as2.Find(h.xp1.ID)
		if !(xp1c.Score.Score < xp1.Score.Score) || len(xp1c.Controls) != 1 {
			t.Errorf("segmentation must lower the risk: %v → %v", xp1.Score.Score, xp1c.Score.Score)
		}
		cs, _ := st.Scope(h.org.ID).RiskControls(ctx)
		long := asOf.AddDate(0, 0, -200)
		cs[0].ReviewDue = &long
		if err := st.Scope(h.org.ID).Write(ctx, func(tx *store.Tx) error { return tx.UpdateRiskControl(ctx, cs[0]) }); err != nil {
			t.Fatal(err)
		}
		as3, _ := svc.Assess(ctx, h.org.ID)
		xp1o, _ := as3.Find(h.xp1.ID)
		if xp1o.Score.Score != xp1.Score.Score {
			t.Errorf("a control 200 days overdue counts for nothing: %v, want %v", xp1o.Score.Score, xp1.Score.Score)
		}
		if od, _ := svc.OverdueControls(ctx, h.org.ID); len(od) != 1 {
			t.Errorf("overdue controls: %+v", od)
		}

		// Weights versions: a new version changes the score and is recorded on it; the old one explains the old score.
		w := risk.DefaultWeights()
		w.Version = "h1-2027.1"
		w.Exposure[string(risk.ExposureEnterprise)] = 0.85
		if err := svc.PublishWeights(ctx, h.org.ID, w, "office LAN weighs more"); err != nil {
			t.Fatal(err)
		}
		bad := w
		bad.Version = "broken"
		bad.ThreatFloor = 2
		if err := svc.PublishWeights(ctx, h.org.ID, bad, ""); domain.ErrorField(err) != "weights" {
			t.Errorf("invalid weights: %v", err)
		}
		as4, _ := svc.Assess(ctx, h.org.ID)
		xp1w, _ := as4.Find(h.xp1.ID)
		if xp1w.Score.WeightsVersion != "h1-2027.1" || !(xp1w.Score.Score > xp1o.Score.Score) {
			t.Errorf("new weights: %s %v", xp1w.Score.WeightsVersion, xp1w.Score.Score)
		}
		old, err := svc.WeightsVersion(ctx, h.org.ID, risk.DefaultWeightsVersion)
		if err != nil {
			t.Fatal(err)
		}
		asOld, _ := svc.AssessWith(ctx, h.org.ID, old)
		if x, _ := asOld.Find(h.xp1.ID); x.Score.Score != xp1o.Score.Score {
			t.Errorf("the old weights give the old score: %v vs %v", x.Score.Score, xp1o.Score.Score)
		}

		// Snapshots: the day's totals per department and manufacturer.
		snap, err := svc.Snapshot(ctx, h.org.ID)
		if err != nil || snap.Assets != 4 || snap.Legacy != 2 || snap.KEV != 1 || snap.Risk != as4.Total {
			t.Errorf("snapshot: %v %+v", err, snap)
		}
		depts, _ := st.Scope(h.org.ID).RiskSnapshots(ctx, "department", "2026-01-01")
		if len(depts) != 2 {
			t.Errorf("department snapshots: %+v", depts)
		}

		// The other organisation's findings never reach this one.
		for _, ar := range as4.Assets {
			for _, f := range ar.Findings {
				if f.VulnerabilityID == "CVE-OTHER" {
					t.Error("another organisation's finding scored here")
				}
			}
		}
	})
}

func TestPlanBudgetKeepsGroups(t *testing.T) {
	st := testutil.MustOpenStore(t)
	h := seed(t, st, "h1")
	ctx := testutil.Ctx(h.org.ID)
	svc := service(st, fakeFindings{h.org.ID: {{FindingID: 1, ProductVersionID: h.pumpVersion.ID, VulnID: "CVE-2024-0001", CISAKEV: true,
		CVSSVectors: []string{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}, State: domain.FindingExploitable}}})

	p, err := svc.Plan(ctx, h.org.ID, riskmgr.PlanRequest{Years: 2, BudgetPerYear: 95000})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Years) != 2 || p.RiskAfter >= p.RiskBefore || p.Method != "exact" {
		t.Fatalf("plan: %+v", p)
	}
	for _, y := range p.Years {
		if y.Spend > 95000 {
			t.Errorf("year %d spends %v over the budget", y.Year, y.Spend)
		}
	}
	if got := p.Years[0].Items; len(got) != 2 || got[0].Asset != "h1-P-1" && got[1].Asset != "h1-P-1" {
		t.Errorf("year 1 should replace the KEV pump and one workstation: %+v", got)
	}
	if !strings.Contains(p.Years[0].Items[0].Why+p.Years[0].Items[1].Why, "out of support") {
		t.Errorf("why names the end of support: %+v", p.Years[0].Items)
	}

	// A device that must stay is not replaced and is listed as remaining with its reason.
	if err := st.Scope(h.org.ID).Write(ctx, func(tx *store.Tx) error {
		return tx.SaveRiskKeep(ctx, &domain.RiskKeep{AssetID: h.xp1.ID, Reason: "needed for the trial"})
	}); err != nil {
		t.Fatal(err)
	}
	p, err = svc.Plan(ctx, h.org.ID, riskmgr.PlanRequest{Years: 2, BudgetPerYear: 95000})
	if err != nil {
		t.Fatal(err)
	}
	for _, y := range p.Years {
		for _, it := range y.Items {
			if it.Asset == "h1-CT-1" {
				t.Error("the must-stay device is in the plan")
			}
		}
	}
	found := false
	for _, r := range p.Remaining {
		if r.Asset == "h1-CT-1" && strings.Contains(r.Reason, "needed for the trial") {
			found = true
		}
	}
	if !found {
		t.Errorf("remaining lacks the must-stay device: %+v", p.Remaining)
	}

	// Models replaced together: the pump goes in the same year as the workstation.
	if err := st.Scope(h.org.ID).Write(ctx, func(tx *store.Tx) error {
		return tx.CreateRiskGroup(ctx, &domain.RiskGroup{Name: "pair", ProductIDs: []int64{h.pumpProduct.ID, h.ctProduct.ID}})
	}); err != nil {
		t.Fatal(err)
	}
	p, err = svc.Plan(ctx, h.org.ID, riskmgr.PlanRequest{Years: 2, BudgetPerYear: 95000})
	if err != nil {
		t.Fatal(err)
	}
	year := map[string]int{}
	for _, y := range p.Years {
		for _, it := range y.Items {
			year[it.Asset] = y.Year
		}
	}
	if year["h1-P-1"] != year["h1-CT-2"] || year["h1-P-1"] == 0 {
		t.Errorf("grouped models in different years: %v", year)
	}

	// A must-stay mark whose date has passed no longer holds the device back.
	past := asOf.AddDate(-5, 0, 0)
	if err := st.Scope(h.org.ID).Write(ctx, func(tx *store.Tx) error {
		return tx.SaveRiskKeep(ctx, &domain.RiskKeep{AssetID: h.xp2.ID, Reason: "old study", Until: &past})
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Plan(ctx, h.org.ID, riskmgr.PlanRequest{Years: 2, BudgetPerYear: 95000}); err != nil {
		t.Errorf("plan with a past must-stay date: %v", err)
	}

	// Input errors name the field.
	for _, req := range []riskmgr.PlanRequest{{Years: 0, BudgetPerYear: 1}, {Years: 3}, {Years: 2, Budgets: []float64{1}}} {
		if _, err := svc.Plan(ctx, h.org.ID, req); domain.ErrorCode(err) != domain.EInvalid || domain.ErrorField(err) == "" {
			t.Errorf("%+v: %v", req, err)
		}
	}
}

// TestFundingCaseRendersToPNG renders the funding case's pages with pdftoppm and checks that none is
// blank, as a person opening it would.
func TestFundingCaseRendersToPNG(t *testing.T) {
	st := testutil.MustOpenStore(t)
	h := seed(t, st, "h1")
	ctx := testutil.Ctx(h.org.ID)
	svc := service(st, nil)
	p, err := svc.Plan(ctx, h.org.ID, riskmgr.PlanRequest{Years: 3, BudgetPerYear: 60000})
	if err != nil {
		t.Fatal(err)
	}
	b, err := riskmgr.FundingCase(p, pdf.Meta{Organisation: "Test Hospital", Generated: asOf, Confidential: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "%PDF-") {
		t.Fatal("not a PDF")
	}
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		if os.Getenv("VIGIL_REQUIRE_BROWSER") == "1" {
			t.Fatal("pdftoppm (poppler-utils) is required in CI")
		}
		t.Skip("pdftoppm not installed")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "funding.pdf")
	if err := os.WriteFile(in, b, 0o644); err != nil {
		t.Fatal(err)
	}
	pages, err := pdf.RenderPNG(in, filepath.Join(dir, "page"), 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) < 2 {
		t.Fatalf("rendered %d pages", len(pages))
	}
	for _, pg := range pages {
		ink, err := pdf.InkRatio(pg)
		if err != nil {
			t.Fatal(err)
		}
		if ink < 0.005 {
			t.Errorf("%s is (nearly) blank: %.4f of the pixels are not white", filepath.Base(pg), ink)
		}
	}
}

// TestSnapshotDayIsTheOrganisationsDay: a snapshot taken at 23:30 UTC belongs to the next day in Berlin
// and to the same day in New York.
func TestSnapshotDayIsTheOrganisationsDay(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		at := time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC)
		svc := &riskmgr.Service{Store: st, Now: func() time.Time { return at }}
		for _, c := range []struct{ zone, day string }{{"Europe/Berlin", "2026-03-02"}, {"America/New_York", "2026-03-01"}} {
			o := domain.Organisation{Name: c.zone, Slug: strings.ToLower(strings.NewReplacer("/", "-", "_", "-").Replace(c.zone)), Country: "DE", TimeZone: c.zone}
			if err := st.CreateOrg(ctx, &o); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Snapshot(testutil.Ctx(o.ID), o.ID); err != nil {
				t.Fatal(err)
			}
			snaps, err := st.Scope(o.ID).RiskSnapshots(ctx, "total", "2026-01-01")
			if err != nil || len(snaps) != 1 || snaps[0].Day != c.day {
				t.Errorf("%s: snapshots %+v (%v), want one of %s", c.zone, snaps, err, c.day)
			}
		}
	})
}

// StoredFindingID reads back only what the assessment made of a stored finding's id.
func TestStoredFindingID(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want int64
	}{
		{"F1", 1}, {"F808970", 808970},
		{"F", 0}, {"F0", 0}, {"F-3", 0}, {"F+3", 0}, {"F07", 0}, {"F1x", 0}, {"G12", 0}, {"12", 0},
		{"legacy:B-0000001", 0}, {"legacy:F1", 0},
	} {
		got, ok := riskmgr.StoredFindingID(risk.FindingScore{FindingID: tc.id})
		if got != tc.want || ok != (tc.want != 0) {
			t.Errorf("StoredFindingID(%q) = %d, %v; want %d", tc.id, got, ok, tc.want)
		}
	}
}
