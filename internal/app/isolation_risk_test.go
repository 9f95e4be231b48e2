package app_test

import (
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/app/apptest"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// The risk module's objects for the tenant-isolation suite: a control, an end-of-support record, a
// must-stay mark and a group, on the device and product seedInventory creates.
func init() {
	seeders = append(seeders, seedRisk)
}

func seedRisk(t *testing.T, h *apptest.Harness, tn *tenant) {
	t.Helper()
	ctx := testutil.Ctx(tn.org.ID)
	sc := h.Store.Scope(tn.org.ID)
	dev, err := sc.AssetByTag(ctx, tn.marker+"-0001") // seeded by seedInventory
	if err != nil {
		t.Fatal(err)
	}
	due := time.Now().AddDate(0, -1, 0)
	if err := sc.Write(ctx, func(tx *store.Tx) error {
		second := domain.Product{ManufacturerID: dev.Ref.ManufacturerID, Name: tn.marker + " Workstation", MedicalDevice: true}
		if err := tx.CreateProduct(ctx, &second); err != nil {
			return err
		}
		if err := tx.CreateProductVersion(ctx, &domain.ProductVersion{ProductID: second.ID, Version: "7.1"}); err != nil {
			return err
		}
		if err := tx.CreateRiskControl(ctx, &domain.RiskControl{AssetID: dev.ID, Kind: domain.ControlFirewall, Description: tn.marker + " firewall", ReviewDue: &due}); err != nil {
			return err
		}
		if err := tx.SaveRiskSupport(ctx, &domain.RiskSupport{ProductID: dev.Ref.ProductID, Component: tn.marker + " OS", EndOfSupport: due}); err != nil {
			return err
		}
		if err := tx.SaveRiskKeep(ctx, &domain.RiskKeep{AssetID: dev.ID, Reason: tn.marker + " must stay"}); err != nil {
			return err
		}
		return tx.CreateRiskGroup(ctx, &domain.RiskGroup{Name: tn.marker + " pair", ProductIDs: []int64{dev.Ref.ProductID, second.ID}})
	}); err != nil {
		t.Fatal(err)
	}
}
