package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

var today = domain.NewDate(2026, 3, 2)

// fixture is a small inventory: two sites, two departments, two zones, two manufacturers with three
// products and four versions.
type fixture struct {
	org                domain.Organisation
	main, kids         domain.Site
	icu, rad           domain.Department
	room               domain.Location
	pumps, office      domain.NetworkZone
	braun, philips     domain.Manufacturer
	space, mx800, ct   domain.Product
	u61, u62, m00, ct1 domain.ProductVersion
}

func newFixture(t *testing.T, st *store.Store, slug string) *fixture {
	t.Helper()
	f := &fixture{org: testutil.Org(t, st, slug)}
	ctx := testutil.Ctx(f.org.ID)
	err := st.Scope(f.org.ID).Write(ctx, func(tx *store.Tx) error {
		f.main, f.kids = domain.Site{Name: "Main Campus", Code: "MC"}, domain.Site{Name: "Children's Hospital", Code: "KH"}
		for _, s := range []*domain.Site{&f.main, &f.kids} {
			if err := tx.CreateSite(ctx, s); err != nil {
				return err
			}
		}
		f.room = domain.Location{SiteID: f.main.ID, Building: "Haus C", Floor: "Ebene 2", Room: "C2.114"}
		if err := tx.CreateLocation(ctx, &f.room); err != nil {
			return err
		}
		f.icu, f.rad = domain.Department{Name: "Intensive Care Unit", Code: "4110", SiteID: f.main.ID}, domain.Department{Name: "Radiology", Code: "4300"}
		for _, d := range []*domain.Department{&f.icu, &f.rad} {
			if err := tx.CreateDepartment(ctx, d); err != nil {
				return err
			}
		}
		f.pumps = domain.NetworkZone{Name: "Infusion pumps", VLAN: 110, CIDR: "10.11.0.0/16", Exposure: domain.ExposureIsolated}
		f.office = domain.NetworkZone{Name: "Office LAN", VLAN: 50, CIDR: "10.50.0.0/16", Exposure: domain.ExposureOffice}
		for _, z := range []*domain.NetworkZone{&f.pumps, &f.office} {
			if err := tx.CreateZone(ctx, z); err != nil {
				return err
			}
		}
		f.braun = domain.Manufacturer{Name: "B. Braun", Aliases: []string{"B. Braun Medical"}}
		f.philips = domain.Manufacturer{Name: "Philips", Aliases: []string{"Philips Healthcare"}}
		for _, m := range []*domain.Manufacturer{&f.braun, &f.philips} {
			if err := tx.CreateManufacturer(ctx, m); err != nil {
				return err
			}
		}
		f.space = domain.Product{ManufacturerID: f.braun.ID, Name: "Infusomat Space", ModelNumber: "8713050", MedicalDevice: true,
			DeviceClass: domain.ClassIIb, Category: "infusion-pump", ReplacementCost: domain.Euros(2900), EndOfSupport: domain.NewDate(2030, 12, 31)}
		f.mx800 = domain.Product{ManufacturerID: f.philips.ID, Name: "IntelliVue MX800", ModelNumber: "865240", MedicalDevice: true,
			DeviceClass: domain.ClassIIb, Category: "patient-monitor", ReplacementCost: domain.Euros(38000)}
		f.ct = domain.Product{ManufacturerID: f.philips.ID, Name: "Brilliance 64", MedicalDevice: true, DeviceClass: domain.ClassIIb,
			Category: "ct", EndOfSupport: domain.NewDate(2018, 12, 31)}
		for _, p := range []*domain.Product{&f.space, &f.mx800, &f.ct} {
			if err := tx.CreateProduct(ctx, p); err != nil {
				return err
			}
		}
		f.u61 = domain.ProductVersion{ProductID: f.space.ID, Version: "U61", EndOfSupport: domain.NewDate(2026, 9, 30)}
		f.u62 = domain.ProductVersion{ProductID: f.space.ID, Version: "U62"}
		f.m00 = domain.ProductVersion{ProductID: f.mx800.ID, Version: "M.00.03", OperatingSystem: "VxWorks"}
		f.ct1 = domain.ProductVersion{ProductID: f.ct.ID, Version: "2.6.2", OperatingSystem: "Windows XP Embedded"}
		for _, v := range []*domain.ProductVersion{&f.u61, &f.u62, &f.m00, &f.ct1} {
			if err := tx.CreateProductVersion(ctx, v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return f
}

func (f *fixture) addAsset(t *testing.T, st *store.Store, a domain.Asset) domain.Asset {
	t.Helper()
	ctx := testutil.Ctx(f.org.ID)
	if err := st.Scope(f.org.ID).Write(ctx, func(tx *store.Tx) error { return tx.CreateAsset(ctx, &a, today) }); err != nil {
		t.Fatalf("add asset %s: %v", a.AssetTag, err)
	}
	return a
}

func TestAssetCRUDAndContext(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st, "crud")
		ctx := testutil.Ctx(f.org.ID)
		sc := st.Scope(f.org.ID)
		a := f.addAsset(t, st, domain.Asset{ProductVersionID: f.u61.ID, AssetTag: "NUH-000001", Serial: "BB-1001", LocationID: f.room.ID,
			DepartmentID: f.icu.ID, ZoneID: f.pumps.ID, IP: " 10.11.0.21 ", MAC: "00-1B-44-11-3A-B7", Criticality: domain.CritLifeSustaining,
			PurchaseDate: domain.NewDate(2021, 5, 3)})
		got, err := sc.Asset(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := domain.AssetRef{ManufacturerID: f.braun.ID, Manufacturer: "B. Braun", ProductID: f.space.ID, Product: "Infusomat Space",
			ModelNumber: "8713050", Category: "infusion-pump", Version: "U61", EndOfSupport: domain.NewDate(2026, 9, 30),
			ProductCost: domain.Euros(2900), Site: "Main Campus", Location: "Haus C · Ebene 2 · C2.114", Department: "Intensive Care Unit",
			Zone: "Infusion pumps", Exposure: domain.ExposureIsolated}
		if diff := cmp.Diff(want, *got.Ref); diff != "" {
			t.Errorf("context (-want +got):\n%s", diff)
		}
		if got.SiteID != f.main.ID || got.IP != "10.11.0.21" || got.MAC != "00:1b:44:11:3a:b7" || got.Status != domain.StatusInUse {
			t.Errorf("normalised fields: site %d ip %q mac %q status %q", got.SiteID, got.IP, got.MAC, got.Status)
		}
		if got.Cost() != domain.Euros(2900) || got.Support(today) != domain.SupportSoon {
			t.Errorf("cost %v support %v; want the product's 2900 and soon", got.Cost(), got.Support(today))
		}

		got.ProductVersionID, got.Hostname, got.Criticality = f.u62.ID, "pump-icu-01", domain.CritCritical
		if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.UpdateAsset(ctx, got, today) }); err != nil {
			t.Fatal(err)
		}
		after, _ := sc.AssetByTag(ctx, "NUH-000001")
		if after.Ref.Version != "U62" || after.Hostname != "pump-icu-01" || after.Ref.EndOfSupport != f.space.EndOfSupport {
			t.Errorf("after update: version %q host %q eos %v", after.Ref.Version, after.Hostname, after.Ref.EndOfSupport)
		}
		ev, err := sc.AuditEvents(ctx, domain.AuditFilter{Action: "asset."})
		if err != nil || ev.Total != 2 {
			t.Fatalf("audit: %d events, %v", ev.Total, err)
		}
		if s := ev.Items[0].Summary; s != "changed device NUH-000001: criticality, hostname, product_version_id" {
			t.Errorf("update audit summary %q", s)
		}
		if !strings.Contains(string(ev.Items[0].Data), `"hostname":[null,"pump-icu-01"]`) {
			t.Errorf("update audit data lacks the change: %s", ev.Items[0].Data)
		}

		if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.DeleteAsset(ctx, a.ID) }); err != nil {
			t.Fatal(err)
		}
		if _, err := sc.Asset(ctx, a.ID); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("deleted asset: %v", err)
		}
	})
}

func TestAssetValidationNamesTheField(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st, "valid")
		other := newFixture(t, st, "other")
		f.addAsset(t, st, domain.Asset{ProductVersionID: f.u61.ID, AssetTag: "TAKEN", Criticality: domain.CritCritical})
		base := domain.Asset{ProductVersionID: f.u61.ID, AssetTag: "NEW-1", Criticality: domain.CritImportant}
		tests := []struct {
			name    string
			change  func(a *domain.Asset)
			field   string
			message string
		}{
			{"ip", func(a *domain.Asset) { a.IP = "10.0.300.1" }, "ip", "10.0.300.1 is not an IP address"},
			{"mac", func(a *domain.Asset) { a.MAC = "00:1b:44:11:3a" }, "mac", "00:1b:44:11:3a is not a MAC address"},
			{"hostname", func(a *domain.Asset) { a.Hostname = "pump 01" }, "hostname", "not a host name"},
			{"criticality", func(a *domain.Asset) { a.Criticality = "vital" }, "criticality", `unknown criticality "vital"`},
			{"status", func(a *domain.Asset) { a.Status = "broken" }, "status", `unknown status "broken"`},
			{"future purchase", func(a *domain.Asset) { a.PurchaseDate = today.AddDays(3) }, "purchase_date", "lies in the future"},
			{"no tag nor serial", func(a *domain.Asset) { a.AssetTag = "" }, "asset_tag", "asset tag or a serial"},
			{"duplicate tag", func(a *domain.Asset) { a.AssetTag = "TAKEN" }, "asset_tag", "another device has the asset tag TAKEN"},
			{"other org's version", func(a *domain.Asset) { a.ProductVersionID = other.u61.ID }, "product_version_id", "no product version"},
			{"other org's zone", func(a *domain.Asset) { a.ZoneID = other.pumps.ID }, "zone_id", "no network zone"},
			{"location at other site", func(a *domain.Asset) { a.SiteID, a.LocationID = f.kids.ID, f.room.ID }, "location_id", "at another site"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				a := base
				tc.change(&a)
				ctx := testutil.Ctx(f.org.ID)
				err := st.Scope(f.org.ID).Write(ctx, func(tx *store.Tx) error { return tx.CreateAsset(ctx, &a, today) })
				if domain.ErrorCode(err) != domain.EInvalid || domain.ErrorField(err) != tc.field || !strings.Contains(err.Error(), tc.message) {
					t.Errorf("got %v (field %q), want EInvalid on %s with %q", err, domain.ErrorField(err), tc.field, tc.message)
				}
			})
		}
	})
}

func TestAssetListFiltersSearchSortPage(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st, "list")
		add := func(tag string, v domain.ProductVersion, dept domain.Department, zone domain.NetworkZone, crit domain.Criticality, status domain.AssetStatus, host string) {
			f.addAsset(t, st, domain.Asset{ProductVersionID: v.ID, AssetTag: tag, DepartmentID: dept.ID, ZoneID: zone.ID, SiteID: f.main.ID,
				Criticality: crit, Status: status, Hostname: host, Serial: "SN-" + tag})
		}
		add("A-003", f.u61, f.icu, f.pumps, domain.CritLifeSustaining, domain.StatusInUse, "")
		add("A-001", f.u62, f.icu, f.pumps, domain.CritLifeSustaining, domain.StatusSpare, "")
		add("A-002", f.m00, f.icu, f.pumps, domain.CritCritical, domain.StatusInUse, "mx800-icu-01")
		add("A-010", f.ct1, f.rad, f.office, domain.CritImportant, domain.StatusInUse, "ct-host")
		add("A-011", f.ct1, f.rad, f.office, domain.CritImportant, domain.StatusRetired, "ct-old")
		sc := st.Scope(f.org.ID)
		ctx := context.Background()
		tags := func(fl domain.AssetFilter) []string {
			t.Helper()
			fl.Today = today
			page, err := sc.Assets(ctx, fl)
			if err != nil {
				t.Fatal(err)
			}
			out := []string{}
			for _, a := range page.Items {
				out = append(out, a.AssetTag)
			}
			if page.Total < len(out) {
				t.Errorf("total %d < %d items", page.Total, len(out))
			}
			return out
		}
		tests := []struct {
			name string
			f    domain.AssetFilter
			want []string
		}{
			{"all by tag", domain.AssetFilter{}, []string{"A-001", "A-002", "A-003", "A-010", "A-011"}},
			{"manufacturer", domain.AssetFilter{ManufacturerID: f.braun.ID}, []string{"A-001", "A-003"}},
			{"product", domain.AssetFilter{ProductID: f.ct.ID}, []string{"A-010", "A-011"}},
			{"version", domain.AssetFilter{ProductVersionID: f.u61.ID}, []string{"A-003"}},
			{"department", domain.AssetFilter{DepartmentID: f.rad.ID}, []string{"A-010", "A-011"}},
			{"zone", domain.AssetFilter{ZoneID: f.pumps.ID}, []string{"A-001", "A-002", "A-003"}},
			{"exposure", domain.AssetFilter{Exposure: domain.ExposureOffice}, []string{"A-010", "A-011"}},
			{"site", domain.AssetFilter{SiteID: f.kids.ID}, []string{}},
			{"criticality", domain.AssetFilter{Criticality: domain.CritLifeSustaining}, []string{"A-001", "A-003"}},
			{"status", domain.AssetFilter{Status: domain.StatusSpare}, []string{"A-001"}},
			{"category", domain.AssetFilter{Category: "patient-monitor"}, []string{"A-002"}},
			{"support past", domain.AssetFilter{Support: domain.SupportPast}, []string{"A-010", "A-011"}},
			{"support soon", domain.AssetFilter{Support: domain.SupportSoon}, []string{"A-003"}},
			{"support ok", domain.AssetFilter{Support: domain.SupportSupported}, []string{"A-001"}},
			{"support unknown", domain.AssetFilter{Support: domain.SupportUnknown}, []string{"A-002"}},
			{"search product", domain.AssetFilter{ListParams: domain.ListParams{Q: "infusomat"}}, []string{"A-001", "A-003"}},
			{"search alias", domain.AssetFilter{ListParams: domain.ListParams{Q: "philips healthcare"}}, []string{"A-002", "A-010", "A-011"}},
			{"search two terms", domain.AssetFilter{ListParams: domain.ListParams{Q: "philips ICU"}}, []string{"A-002"}},
			{"search host", domain.AssetFilter{ListParams: domain.ListParams{Q: "CT-HOST"}}, []string{"A-010"}},
			{"search os", domain.AssetFilter{ListParams: domain.ListParams{Q: "windows xp"}}, []string{"A-010", "A-011"}},
			{"search literal percent", domain.AssetFilter{ListParams: domain.ListParams{Q: "%"}}, []string{}},
			{"search department code", domain.AssetFilter{ListParams: domain.ListParams{Q: "4300"}}, []string{"A-010", "A-011"}},
			{"sort criticality desc", domain.AssetFilter{ListParams: domain.ListParams{Sort: "-criticality", Limit: 2}}, []string{"A-010", "A-011"}},
			{"sort product then page", domain.AssetFilter{ListParams: domain.ListParams{Sort: "product", Limit: 2, Offset: 2}}, []string{"A-003", "A-001"}},
			{"unknown sort falls back", domain.AssetFilter{ListParams: domain.ListParams{Sort: "a.id; DROP TABLE assets"}}, []string{"A-001", "A-002", "A-003", "A-010", "A-011"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if diff := cmp.Diff(tc.want, tags(tc.f)); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		}
		page, _ := sc.Assets(ctx, domain.AssetFilter{ListParams: domain.ListParams{Limit: 2, Offset: 4}})
		if page.Total != 5 || len(page.Items) != 1 {
			t.Errorf("last page: total %d, %d items", page.Total, len(page.Items))
		}

		stats, err := sc.InventoryStats(ctx, today)
		if err != nil {
			t.Fatal(err)
		}
		want := domain.InventoryStats{Devices: 4, Retired: 1,
			ByCriticality: map[domain.Criticality]int{domain.CritLifeSustaining: 2, domain.CritCritical: 1, domain.CritImportant: 1},
			ByStatus:      map[domain.AssetStatus]int{domain.StatusInUse: 3, domain.StatusSpare: 1, domain.StatusRetired: 1},
			ByExposure:    map[domain.Exposure]int{domain.ExposureIsolated: 3, domain.ExposureOffice: 1},
			ByCategory:    map[string]int{"infusion-pump": 2, "patient-monitor": 1, "ct": 1},
			PastSupport:   1, SoonSupport: 1, UnknownSupp: 1, Products: 3, Versions: 4, Value: domain.Euros(2*2900 + 38000)}
		if diff := cmp.Diff(want, stats); diff != "" {
			t.Errorf("stats (-want +got):\n%s", diff)
		}
	})
}

func TestInventoryIsolationAndInUse(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		a, b := newFixture(t, st, "alpha"), newFixture(t, st, "beta")
		asset := a.addAsset(t, st, domain.Asset{ProductVersionID: a.u61.ID, AssetTag: "X-1", ZoneID: a.pumps.ID, DepartmentID: a.icu.ID, Criticality: domain.CritCritical})
		ctx := testutil.Ctx(b.org.ID)
		sb := st.Scope(b.org.ID)
		reads := map[string]func() error{
			"asset":        func() error { _, err := sb.Asset(ctx, asset.ID); return err },
			"product":      func() error { _, err := sb.Product(ctx, a.space.ID); return err },
			"version":      func() error { _, err := sb.ProductVersion(ctx, a.u61.ID); return err },
			"manufacturer": func() error { _, err := sb.Manufacturer(ctx, a.braun.ID); return err },
			"site":         func() error { _, err := sb.Site(ctx, a.main.ID); return err },
			"location":     func() error { _, err := sb.Location(ctx, a.room.ID); return err },
			"department":   func() error { _, err := sb.Department(ctx, a.icu.ID); return err },
			"zone":         func() error { _, err := sb.Zone(ctx, a.pumps.ID); return err },
		}
		for name, read := range reads {
			if err := read(); domain.ErrorCode(err) != domain.ENotFound {
				t.Errorf("beta reads alpha's %s: %v", name, err)
			}
		}
		writes := map[string]func(tx *store.Tx) error{
			"delete asset": func(tx *store.Tx) error { return tx.DeleteAsset(ctx, asset.ID) },
			"update asset": func(tx *store.Tx) error {
				x := asset
				x.ProductVersionID = b.u61.ID
				return tx.UpdateAsset(ctx, x, today)
			},
			"delete zone":    func(tx *store.Tx) error { return tx.DeleteZone(ctx, a.pumps.ID) },
			"delete product": func(tx *store.Tx) error { return tx.DeleteProduct(ctx, a.space.ID) },
			"update site":    func(tx *store.Tx) error { s := a.main; s.Name = "Hijacked"; return tx.UpdateSite(ctx, s) },
		}
		for name, w := range writes {
			if err := sb.Write(ctx, w); domain.ErrorCode(err) != domain.ENotFound {
				t.Errorf("beta: %s: %v", name, err)
			}
		}
		page, _ := sb.Assets(ctx, domain.AssetFilter{})
		if page.Total != 0 {
			t.Errorf("beta lists %d assets", page.Total)
		}
		// In use: refused with a count, nothing removed.
		actx := testutil.Ctx(a.org.ID)
		sa := st.Scope(a.org.ID)
		for name, w := range map[string]func(tx *store.Tx) error{
			"zone":       func(tx *store.Tx) error { return tx.DeleteZone(actx, a.pumps.ID) },
			"department": func(tx *store.Tx) error { return tx.DeleteDepartment(actx, a.icu.ID) },
			"version":    func(tx *store.Tx) error { return tx.DeleteProductVersion(actx, a.u61.ID) },
			"product":    func(tx *store.Tx) error { return tx.DeleteProduct(actx, a.space.ID) },
			"maker":      func(tx *store.Tx) error { return tx.DeleteManufacturer(actx, a.braun.ID) },
			"site":       func(tx *store.Tx) error { return tx.DeleteSite(actx, a.main.ID) },
		} {
			err := sa.Write(actx, w)
			if domain.ErrorCode(err) != domain.EConflict || !strings.Contains(err.Error(), "still used by") {
				t.Errorf("delete %s in use: %v", name, err)
			}
		}
		if err := sa.Write(actx, func(tx *store.Tx) error { return tx.DeleteZone(actx, a.office.ID) }); err != nil {
			t.Errorf("delete unused zone: %v", err)
		}
	})
}

func TestReferenceValidationAndNames(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st, "refs")
		ctx := testutil.Ctx(f.org.ID)
		sc := st.Scope(f.org.ID)
		tests := []struct {
			name  string
			write func(tx *store.Tx) error
			field string
		}{
			{"site name case-insensitive unique", func(tx *store.Tx) error { return tx.CreateSite(ctx, &domain.Site{Name: "main  CAMPUS"}) }, "name"},
			{"zone cidr", func(tx *store.Tx) error {
				return tx.CreateZone(ctx, &domain.NetworkZone{Name: "x", CIDR: "10.0.0.0/33", Exposure: domain.ExposureDMZ})
			}, "cidr"},
			{"zone vlan", func(tx *store.Tx) error {
				return tx.CreateZone(ctx, &domain.NetworkZone{Name: "x", VLAN: 5000, Exposure: domain.ExposureDMZ})
			}, "vlan"},
			{"zone exposure", func(tx *store.Tx) error {
				return tx.CreateZone(ctx, &domain.NetworkZone{Name: "x", Exposure: "public"})
			}, "exposure"},
			{"product class", func(tx *store.Tx) error {
				return tx.CreateProduct(ctx, &domain.Product{ManufacturerID: f.braun.ID, Name: "X", MedicalDevice: true, DeviceClass: "IV"})
			}, "device_class"},
			{"class without medical device", func(tx *store.Tx) error {
				return tx.CreateProduct(ctx, &domain.Product{ManufacturerID: f.braun.ID, Name: "X", DeviceClass: "IIa"})
			}, "device_class"},
			{"udi check digit", func(tx *store.Tx) error {
				return tx.CreateProduct(ctx, &domain.Product{ManufacturerID: f.braun.ID, Name: "X", UDIDI: "04046964991231"})
			}, "udi_di"},
			{"duplicate version", func(tx *store.Tx) error {
				return tx.CreateProductVersion(ctx, &domain.ProductVersion{ProductID: f.space.ID, Version: "u61"})
			}, "version"},
			{"location cycle", func(tx *store.Tx) error {
				l := f.room
				l.ParentID = l.ID
				return tx.UpdateLocation(ctx, l)
			}, "parent_id"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				err := sc.Write(ctx, tc.write)
				if domain.ErrorCode(err) != domain.EInvalid || domain.ErrorField(err) != tc.field {
					t.Errorf("got %v (field %q), want EInvalid on %s", err, domain.ErrorField(err), tc.field)
				}
			})
		}
		// A valid GTIN and a Roman class in free form are accepted and normalised.
		p := domain.Product{ManufacturerID: f.braun.ID, Name: "Perfusor Space", MedicalDevice: true, DeviceClass: "Class IIb", UDIDI: "04046964991233"}
		if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.CreateProduct(ctx, &p) }); err != nil {
			t.Fatal(err)
		}
		if p.DeviceClass != domain.ClassIIb {
			t.Errorf("class %q, want mdr-iib", p.DeviceClass)
		}
		vs, _ := sc.ProductVersions(ctx, f.space.ID)
		if len(vs) != 2 || vs[0].Version != "U61" || vs[0].Product != "Infusomat Space" || vs[0].Manufacturer != "B. Braun" {
			t.Errorf("versions: %+v", vs)
		}
		ps, err := sc.Products(ctx, domain.ProductFilter{ListParams: domain.ListParams{Q: "braun", Sort: "name"}})
		if err != nil || ps.Total != 2 || ps.Items[0].Name != "Infusomat Space" || ps.Items[0].Versions != 2 {
			t.Errorf("products: %+v %v", ps, err)
		}
	})
}

func TestSaveAssetsBatchAndIndex(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st, "batch")
		ctx := testutil.Ctx(f.org.ID)
		sc := st.Scope(f.org.ID)
		var create []domain.Asset
		for i := range 450 {
			create = append(create, domain.Asset{ProductVersionID: f.u62.ID, AssetTag: "B-" + string(rune('A'+i/26%26)) + string(rune('a'+i%26)) + "-" + strings.Repeat("x", i/676),
				Criticality: domain.CritLifeSustaining, Status: domain.StatusInUse, ZoneID: f.pumps.ID})
		}
		err := sc.Write(ctx, func(tx *store.Tx) error {
			return tx.SaveAssets(ctx, create, nil, store.AuditEntry{Action: "asset.import", Entity: "asset", Summary: "450 devices"})
		})
		if err != nil {
			t.Fatal(err)
		}
		ix, err := sc.InventoryIndex(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(ix.Assets) != 450 || len(ix.Versions) != 4 || len(ix.Manufacturers) != 2 || ix.Manufacturers[0].Aliases[0] != "B. Braun Medical" {
			t.Fatalf("index: %d assets, %d versions, %+v", len(ix.Assets), len(ix.Versions), ix.Manufacturers)
		}
		upd := ix.Assets[7]
		upd.Owner = "Medical Engineering"
		err = sc.Write(ctx, func(tx *store.Tx) error {
			return tx.SaveAssets(ctx, nil, []domain.Asset{upd}, store.AuditEntry{Action: "asset.import", Entity: "asset", Summary: "1 device"})
		})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := sc.Asset(ctx, upd.ID)
		if got.Owner != "Medical Engineering" {
			t.Errorf("owner %q", got.Owner)
		}
		// A duplicate tag in a batch rolls the whole batch back.
		dup := []domain.Asset{{ProductVersionID: f.u62.ID, AssetTag: "NEW", Criticality: domain.CritCritical, Status: domain.StatusInUse}, create[0]}
		err = sc.Write(ctx, func(tx *store.Tx) error {
			return tx.SaveAssets(ctx, dup, nil, store.AuditEntry{Action: "asset.import", Entity: "asset", Summary: "dup"})
		})
		if err == nil {
			t.Fatal("duplicate tag accepted")
		}
		if _, err := sc.AssetByTag(ctx, "NEW"); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("first row of a failed batch was kept: %v", err)
		}
		ev, _ := sc.AuditEvents(ctx, domain.AuditFilter{Action: "asset.import"})
		if ev.Total != 2 {
			t.Errorf("%d import audit events, want 2", ev.Total)
		}
	})
}

func TestEnsureProductVersion(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st, "ensure")
		ctx := testutil.Ctx(f.org.ID)
		sc := st.Scope(f.org.ID)
		tests := []struct {
			mfr, product, version string
			created               bool
			wantID                int64 // 0: a new version
			wantProduct           string
		}{
			{"b. braun medical", "INFUSOMAT SPACE", "u61", false, f.u61.ID, "Infusomat Space"}, // alias, case
			{"Philips", "865240", "M.00.03", false, f.m00.ID, "IntelliVue MX800"},              // model number
			{"Philips", "IntelliVue MX800", "N.00.01", true, 0, "IntelliVue MX800"},
			{"Keycloak", "Keycloak", "10.0.2", true, 0, "Keycloak"},
		}
		for _, tc := range tests {
			var v domain.ProductVersion
			var created bool
			err := sc.Write(ctx, func(tx *store.Tx) error {
				var err error
				v, created, err = tx.EnsureProductVersion(ctx, tc.mfr, tc.product, tc.version)
				return err
			})
			if err != nil || created != tc.created || (tc.wantID != 0 && v.ID != tc.wantID) || v.Product != tc.wantProduct {
				t.Errorf("%s/%s/%s: %+v created %v err %v", tc.mfr, tc.product, tc.version, v, created, err)
			}
		}
		ms, _ := sc.Manufacturers(ctx)
		if len(ms) != 3 {
			t.Errorf("%d manufacturers, want the two and Keycloak", len(ms))
		}
	})
}
