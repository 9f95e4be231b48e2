package demo_test

import (
	"context"
	"testing"

	"github.com/vigil-med/vigil/internal/demo"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

func checkInventory(t *testing.T, st *store.Store, e *demo.Env) {
	ctx := context.Background()
	sc := st.Scope(e.Hospital.ID)
	stats, err := sc.InventoryStats(ctx, domain.DateOf(e.Now))
	if err != nil {
		t.Fatal(err)
	}
	all := stats.Devices + stats.Retired
	if all < 6000 || all > 8000 {
		t.Errorf("%d devices, want 6,000–8,000", all)
	}
	pumps := stats.ByCategory["infusion-pump"] + stats.ByCategory["syringe-pump"]
	for cat, n := range stats.ByCategory {
		if cat != "infusion-pump" && cat != "syringe-pump" && n >= stats.ByCategory["infusion-pump"] {
			t.Errorf("category %s (%d) outnumbers volumetric pumps (%d)", cat, n, stats.ByCategory["infusion-pump"])
		}
	}
	if pumps < all/3 {
		t.Errorf("%d pumps of %d devices: infusion should be the largest group", pumps, all)
	}
	if stats.PastSupport < 100 || stats.SoonSupport == 0 || stats.ByExposure[domain.ExposureInternet] != 1 || stats.ByExposure[domain.ExposureDMZ] == 0 {
		t.Errorf("stats: %+v", stats)
	}
	for _, c := range domain.Criticalities {
		if stats.ByCriticality[c] == 0 {
			t.Errorf("no %s devices", c)
		}
	}
	sites, _ := sc.Sites(ctx)
	depts, _ := sc.Departments(ctx)
	if len(sites) != 3 || len(depts) < 30 {
		t.Errorf("%d sites, %d departments", len(sites), len(depts))
	}
	// Versions that CISA advisories name as affected are installed, so that matching finds them.
	versions := e.Values[demo.ValueVersions].(map[string]int64)
	for _, key := range []string{"BD|Alaris Gateway Workstation|1.1.6", "Baxter|Sigma Spectrum|8.00.01", "Philips|Patient Information Center iX|B.02",
		"B. Braun|Infusomat Space|U61", "Hamilton Medical|HAMILTON-T1|2.2.3", "Philips|Brilliance 64|2.6.2", "GE HealthCare|LOGIQ 9|BT03",
		"Spacelabs|Xhibit Telemetry Receiver|1.0.2", "Hillrom|Welch Allyn Connex Spot Monitor|1.52"} {
		id, ok := versions[key]
		if !ok {
			t.Errorf("no version %s", key)
			continue
		}
		page, err := sc.Assets(ctx, domain.AssetFilter{ProductVersionID: id})
		if err != nil || page.Total == 0 {
			t.Errorf("no devices on %s (%v)", key, err)
		}
	}
	legacy, _ := sc.Assets(ctx, domain.AssetFilter{ListParams: domain.ListParams{Q: "windows xp"}, Support: domain.SupportPast, Today: domain.DateOf(e.Now)})
	if legacy.Total < 10 {
		t.Errorf("%d Windows XP devices past end of support", legacy.Total)
	}
	rep, err := st.VerifyAudit(ctx, e.Hospital.ID)
	if err != nil || len(rep.Problems) != 0 {
		t.Errorf("audit chain: %v %v", rep.Problems, err)
	}
}
