package store_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// seedInventory fills a fresh organisation with n devices over 3 sites, 30 departments, 10 zones,
// 12 manufacturers, 48 products and 144 versions (a third of them past their end of support).
func seedInventory(tb testing.TB, st *store.Store, n int) (domain.Organisation, map[string]int64) {
	tb.Helper()
	org := testutil.Org(tb, st, "bench")
	ctx := testutil.Ctx(org.ID)
	rnd := rand.New(rand.NewPCG(1, 2))
	ids := map[string]int64{}
	var sites, depts, zones, versions []int64
	err := st.Scope(org.ID).Write(ctx, func(tx *store.Tx) error {
		for i := range 3 {
			s := domain.Site{Name: fmt.Sprintf("Site %d", i)}
			if err := tx.CreateSite(ctx, &s); err != nil {
				return err
			}
			sites = append(sites, s.ID)
		}
		for i := range 30 {
			d := domain.Department{Name: fmt.Sprintf("Department %02d", i), Code: fmt.Sprintf("41%02d", i), SiteID: sites[i%3]}
			if err := tx.CreateDepartment(ctx, &d); err != nil {
				return err
			}
			depts = append(depts, d.ID)
		}
		for i := range 10 {
			z := domain.NetworkZone{Name: fmt.Sprintf("Zone %d", i), VLAN: 100 + i, CIDR: fmt.Sprintf("10.%d.0.0/16", 10+i), Exposure: domain.Exposures[i%6]}
			if err := tx.CreateZone(ctx, &z); err != nil {
				return err
			}
			zones = append(zones, z.ID)
		}
		cats := []string{"infusion-pump", "syringe-pump", "patient-monitor", "ventilator", "ct", "lab-analyser", "imaging-workstation", "smart-bed"}
		for i := range 12 {
			m := domain.Manufacturer{Name: fmt.Sprintf("Maker %02d", i)}
			if i == 3 {
				m.Name = "Alaris Medical"
				ids["maker"] = 0
			}
			if err := tx.CreateManufacturer(ctx, &m); err != nil {
				return err
			}
			if i == 3 {
				ids["maker"] = m.ID
			}
			for j := range 4 {
				p := domain.Product{ManufacturerID: m.ID, Name: fmt.Sprintf("Model %02d-%d", i, j), Category: cats[(i+j)%len(cats)], MedicalDevice: true}
				if j == 0 {
					p.EndOfSupport = domain.NewDate(2019, 12, 31)
				}
				if err := tx.CreateProduct(ctx, &p); err != nil {
					return err
				}
				ids["product"] = p.ID
				for k := range 3 {
					v := domain.ProductVersion{ProductID: p.ID, Version: fmt.Sprintf("%d.%d.%d", j+1, k, i)}
					if err := tx.CreateProductVersion(ctx, &v); err != nil {
						return err
					}
					versions = append(versions, v.ID)
				}
			}
		}
		assets := make([]domain.Asset, n)
		for i := range assets {
			z := rnd.IntN(len(zones))
			assets[i] = domain.Asset{ProductVersionID: versions[rnd.IntN(len(versions))], AssetTag: fmt.Sprintf("NUH-%06d", i+1),
				Serial: fmt.Sprintf("SN%08d", rnd.IntN(1e8)), SiteID: sites[rnd.IntN(3)], DepartmentID: depts[rnd.IntN(30)], ZoneID: zones[z],
				IP: fmt.Sprintf("10.%d.%d.%d", 10+z, i/250%250, i%250+1), Criticality: domain.Criticalities[rnd.IntN(4)],
				Status: domain.AssetStatuses[rnd.IntN(4)], Owner: "Medical Engineering"}
			if i%50 == 0 {
				assets[i].Hostname = fmt.Sprintf("ws-%05d", i)
			}
		}
		return tx.SaveAssets(ctx, assets, nil, store.AuditEntry{Action: "asset.import", Entity: "asset", Summary: "benchmark devices"})
	})
	if err != nil {
		tb.Fatalf("seed: %v", err)
	}
	ids["site"], ids["department"] = sites[1], depts[7]
	return org, ids
}

// BenchmarkAssetList50k measures one page of the device list (count + 50 rows with their context) over
// 50,000 devices, as the web UI, API and CLI ask for it.
func BenchmarkAssetList50k(b *testing.B) {
	for _, engine := range testutil.Engines() {
		b.Run(engine, func(b *testing.B) {
			st := testutil.OpenStore(b, engine)
			org, ids := seedInventory(b, st, 50_000)
			sc := st.Scope(org.ID)
			cases := []struct {
				name string
				f    domain.AssetFilter
			}{
				{"first-page", domain.AssetFilter{}},
				{"deep-page", domain.AssetFilter{ListParams: domain.ListParams{Offset: 40_000}}},
				{"search-tag", domain.AssetFilter{ListParams: domain.ListParams{Q: "NUH-0421"}}},
				{"search-maker", domain.AssetFilter{ListParams: domain.ListParams{Q: "alaris"}}},
				{"search-4-words-sorted-by-product", domain.AssetFilter{ListParams: domain.ListParams{Q: "model 03 department 07", Sort: "product"}}},
				{"filter-crit-site-status", domain.AssetFilter{Criticality: domain.CritLifeSustaining, SiteID: ids["site"], Status: domain.StatusInUse}},
				{"filter-maker-dept", domain.AssetFilter{ManufacturerID: ids["maker"], DepartmentID: ids["department"]}},
				{"filter-support-past-sort-crit", domain.AssetFilter{Support: domain.SupportPast, ListParams: domain.ListParams{Sort: "-criticality"}}},
				{"filter-exposure-sort-ip", domain.AssetFilter{Exposure: domain.ExposureInternet, ListParams: domain.ListParams{Sort: "ip"}}},
				{"sort-manufacturer", domain.AssetFilter{ListParams: domain.ListParams{Sort: "-manufacturer"}}},
			}
			for _, c := range cases {
				b.Run(c.name, func(b *testing.B) {
					c.f.Today = today
					var total int
					for b.Loop() {
						page, err := sc.Assets(b.Context(), c.f)
						if err != nil {
							b.Fatal(err)
						}
						total = page.Total
					}
					b.ReportMetric(float64(total), "matches")
				})
			}
			b.Run("stats", func(b *testing.B) {
				for b.Loop() {
					if _, err := sc.InventoryStats(b.Context(), today); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
