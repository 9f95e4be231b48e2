package store_test

import (
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

func TestRiskStore(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st, "h1")
		g := newFixture(t, st, "h2")
		ct := f.addAsset(t, st, domain.Asset{ProductVersionID: f.ct1.ID, AssetTag: "CT-1", Criticality: domain.CritCritical, DepartmentID: f.rad.ID,
			ZoneID: f.office.ID, PatientData: true})
		pump := f.addAsset(t, st, domain.Asset{ProductVersionID: f.u61.ID, Serial: "P-1", Criticality: domain.CritLifeSustaining, ReplacementCost: domain.Euros(3100)})
		otherAsset := g.addAsset(t, st, domain.Asset{ProductVersionID: g.ct1.ID, AssetTag: "X-1", Criticality: domain.CritCritical})
		ctx := testutil.Ctx(f.org.ID)
		sc := st.Scope(f.org.ID)

		assets, err := sc.RiskAssets(ctx)
		if err != nil || len(assets) != 2 {
			t.Fatalf("risk assets: %v %+v", err, assets)
		}
		a := assets[0]
		if a.ID != ct.ID || a.OperatingSystem != "Windows XP Embedded" || a.Exposure != domain.ExposureOffice || a.Department != "Radiology" ||
			a.ProductEOS == nil || !a.PatientData || a.Manufacturer != "Philips" {
			t.Errorf("ct asset: %+v", a)
		}
		if assets[1].Tag != "S/N P-1" || assets[1].Cost != domain.Euros(3100) || assets[1].ProductCost != domain.Euros(2900) || assets[1].VersionEOS == nil {
			t.Errorf("pump asset: %+v", assets[1])
		}

		// Weights: versions, active, history, no reuse of a version id.
		due := time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)
		err = sc.Write(ctx, func(tx *store.Tx) error {
			for _, v := range []string{"v1", "v2"} {
				if err := tx.SaveRiskWeights(ctx, &domain.RiskWeightsVersion{Version: v, Weights: []byte(`{"version":"` + v + `"}`)}); err != nil {
					return err
				}
			}
			c := domain.RiskControl{ProductID: f.ct.ID, Kind: domain.ControlSegmentation, Description: "VLAN 230", Owner: "Radiology IT", ReviewDue: &due}
			if err := tx.CreateRiskControl(ctx, &c); err != nil {
				return err
			}
			c2 := domain.RiskControl{AssetID: ct.ID, Kind: domain.ControlMonitoring, Description: "IDS"}
			if err := tx.CreateRiskControl(ctx, &c2); err != nil {
				return err
			}
			if err := tx.SaveRiskSupport(ctx, &domain.RiskSupport{ProductID: f.ct.ID, Component: "Windows XP Embedded", EndOfSupport: due, Source: domain.SupportEndOfLife}); err != nil {
				return err
			}
			if err := tx.SaveRiskSupport(ctx, &domain.RiskSupport{ProductID: f.ct.ID, Component: "Windows XP Embedded", EndOfSupport: due.AddDate(1, 0, 0), Source: domain.SupportContract}); err != nil {
				return err
			}
			if err := tx.SaveRiskKeep(ctx, &domain.RiskKeep{AssetID: pump.ID, Reason: "only pump for the study"}); err != nil {
				return err
			}
			return tx.CreateRiskGroup(ctx, &domain.RiskGroup{Name: "CT and workstation", ProductIDs: []int64{f.ct.ID, f.mx800.ID}})
		})
		if err != nil {
			t.Fatal(err)
		}
		active, err := sc.RiskWeights(ctx, "")
		if err != nil || active.Version != "v2" || string(active.Weights) != `{"version":"v2"}` {
			t.Errorf("active weights: %v %+v", err, active)
		}
		err = sc.Write(ctx, func(tx *store.Tx) error {
			return tx.SaveRiskWeights(ctx, &domain.RiskWeightsVersion{Version: "v1", Weights: []byte("{}")})
		})
		if domain.ErrorField(err) != "version" {
			t.Errorf("reused version: %v", err)
		}
		if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.ActivateRiskWeights(ctx, "v1") }); err != nil {
			t.Fatal(err)
		}
		hist, _ := sc.RiskWeightsVersions(ctx)
		if len(hist) != 2 || hist[0].Version != "v2" || hist[0].Active || !hist[1].Active {
			t.Errorf("history: %+v", hist)
		}

		controls, err := sc.RiskControls(ctx)
		if err != nil || len(controls) != 2 || controls[0].Subject != "Brilliance 64" || !controls[0].Overdue(due.AddDate(0, 0, 1)) || controls[1].Subject != "CT-1" || controls[1].Overdue(due) {
			t.Errorf("controls: %v %+v", err, controls)
		}
		sup, _ := sc.RiskSupports(ctx)
		if len(sup) != 1 || sup[0].Source != domain.SupportContract || !sup[0].EndOfSupport.Equal(due.AddDate(1, 0, 0)) {
			t.Errorf("support (upsert): %+v", sup)
		}
		keeps, _ := sc.RiskKeeps(ctx)
		if len(keeps) != 1 || keeps[0].Asset != "P-1" {
			t.Errorf("keeps: %+v", keeps)
		}
		groups, _ := sc.RiskGroups(ctx)
		if len(groups) != 1 || len(groups[0].ProductIDs) != 2 {
			t.Errorf("groups: %+v", groups)
		}

		// Validation names the field; references of another organisation are refused.
		bad := []struct {
			c     domain.RiskControl
			field string
		}{
			{domain.RiskControl{Kind: domain.ControlFirewall, Description: "x"}, "asset_id"},
			{domain.RiskControl{AssetID: ct.ID, Kind: "prayer", Description: "x"}, "kind"},
			{domain.RiskControl{AssetID: ct.ID, Kind: domain.ControlFirewall}, "description"},
			{domain.RiskControl{AssetID: otherAsset.ID, Kind: domain.ControlFirewall, Description: "x"}, "asset_id"},
			{domain.RiskControl{ProductID: g.ct.ID, Kind: domain.ControlFirewall, Description: "x"}, "product_id"},
		}
		for _, b := range bad {
			err := sc.Write(ctx, func(tx *store.Tx) error { return tx.CreateRiskControl(ctx, &b.c) })
			if domain.ErrorField(err) != b.field {
				t.Errorf("control %+v: got %v, want field %s", b.c, err, b.field)
			}
		}

		// Snapshots: a second save of a day replaces it.
		snap := func(day string, r float64) []domain.RiskSnapshot {
			return []domain.RiskSnapshot{{Day: day, Dimension: "total", Risk: r, Assets: 2, WeightsVersion: "v1", FormulaVersion: "vigil-risk/1"},
				{Day: day, Dimension: "department", Name: "Radiology", Risk: r / 2, WeightsVersion: "v1", FormulaVersion: "vigil-risk/1"}}
		}
		for _, s := range [][]domain.RiskSnapshot{snap("2026-03-01", 10), snap("2026-03-02", 20), snap("2026-03-02", 30)} {
			if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.SaveRiskSnapshots(ctx, s) }); err != nil {
				t.Fatal(err)
			}
		}
		tot, _ := sc.RiskSnapshots(ctx, "total", "2026-03-01")
		if len(tot) != 2 || tot[1].Risk != 30 {
			t.Errorf("snapshots: %+v", tot)
		}

		// The other organisation sees none of it.
		osc := st.Scope(g.org.ID)
		octx := testutil.Ctx(g.org.ID)
		oc, _ := osc.RiskControls(octx)
		ow, _ := osc.RiskWeightsVersions(octx)
		os, _ := osc.RiskSnapshots(octx, "total", "")
		ok, _ := osc.RiskKeeps(octx)
		og, _ := osc.RiskGroups(octx)
		if len(oc)+len(ow)+len(os)+len(ok)+len(og) != 0 {
			t.Errorf("other organisation sees risk data: %v %v %v %v %v", oc, ow, os, ok, og)
		}
		if err := osc.Write(octx, func(tx *store.Tx) error { return tx.DeleteRiskControl(octx, controls[0].ID) }); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("delete another organisation's control: %v", err)
		}
		if err := sc.Write(ctx, func(tx *store.Tx) error {
			if err := tx.DeleteRiskControl(ctx, controls[0].ID); err != nil {
				return err
			}
			if err := tx.DeleteRiskKeep(ctx, keeps[0].ID); err != nil {
				return err
			}
			if err := tx.DeleteRiskSupport(ctx, sup[0].ID); err != nil {
				return err
			}
			return tx.DeleteRiskGroup(ctx, groups[0].ID)
		}); err != nil {
			t.Fatal(err)
		}
	})
}
