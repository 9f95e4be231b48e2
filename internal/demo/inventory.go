package demo

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// Values the inventory step leaves for later steps (disclosures attach SBOMs, MDS2 forms and advisories
// to product versions):
//
//	"inventory.products": map[string]int64, "Manufacturer|Product" → product id
//	"inventory.versions": map[string]int64, "Manufacturer|Product|Version" → product version id
//	"inventory.zones":    map[string]int64, zone name → id
const (
	ValueProducts = "inventory.products"
	ValueVersions = "inventory.versions"
	ValueZones    = "inventory.zones"
)

// inventory loads the hospital's inventory: 3 sites, 36 departments with their rooms, 13 network zones,
// 21 manufacturers, some 70 models in about 110 versions and about 6,800 devices, in one transaction.
func inventory(ctx context.Context, e *Env) error {
	c := e.Ctx(ctx, e.Hospital)
	sc := e.Store.Scope(e.Hospital.ID)
	return sc.Write(c, func(tx *store.Tx) error {
		g := &invGen{e: e, tx: tx, ctx: c, sites: map[string]domain.Site{}, zones: map[string]domain.NetworkZone{},
			makers: map[string]int64{}, products: map[string]int64{}, versions: map[string]int64{}, next: map[string]int{}}
		for _, step := range []func() error{g.places, g.catalogue, g.devices} {
			if err := step(); err != nil {
				return err
			}
		}
		zoneIDs := map[string]int64{}
		for n, z := range g.zones {
			zoneIDs[n] = z.ID
		}
		e.Values[ValueProducts], e.Values[ValueVersions], e.Values[ValueZones] = g.products, g.versions, zoneIDs
		return nil
	})
}

type invDept struct {
	domain.Department
	demo  demoDept
	rooms []domain.Location
}

type invGen struct {
	e        *Env
	tx       *store.Tx
	ctx      context.Context
	sites    map[string]domain.Site // by code
	depts    []invDept
	zones    map[string]domain.NetworkZone
	makers   map[string]int64
	products map[string]int64
	versions map[string]int64
	next     map[string]int // next host index per zone
}

func (g *invGen) places() error {
	for _, s := range demoSites {
		site := domain.Site{Name: s.name, Code: s.code, Address: s.address}
		if err := g.tx.CreateSite(g.ctx, &site); err != nil {
			return err
		}
		g.sites[s.code] = site
	}
	used := map[string]bool{}
	for _, d := range demoDepts {
		site := g.sites[d.site]
		dept := domain.Department{Name: d.name, Code: d.code, SiteID: site.ID}
		if err := g.tx.CreateDepartment(g.ctx, &dept); err != nil {
			return err
		}
		id := invDept{Department: dept, demo: d}
		floor := fmt.Sprintf("Floor %d", d.floor)
		if d.floor < 0 {
			floor = fmt.Sprintf("Basement %d", -d.floor)
		} else if d.floor == 0 {
			floor = "Ground floor"
		}
		for r := 1; r <= 5; r++ {
			room := ""
			for n := 100 + 20*len(g.depts)%200 + r*3 + g.e.Rand.IntN(3); room == "" || used[room]; n++ {
				room = fmt.Sprintf("%s%d.%03d", d.building, max(d.floor, 0), n)
			}
			used[room] = true
			l := domain.Location{SiteID: site.ID, Building: "Building " + d.building, Floor: floor, Room: room}
			if err := g.tx.CreateLocation(g.ctx, &l); err != nil {
				return err
			}
			id.rooms = append(id.rooms, l)
		}
		g.depts = append(g.depts, id)
	}
	for _, z := range demoZones {
		zone := domain.NetworkZone{Name: z.name, VLAN: z.vlan, CIDR: z.cidr, Exposure: z.exposure, Description: z.desc}
		if err := g.tx.CreateZone(g.ctx, &zone); err != nil {
			return err
		}
		g.zones[z.name] = zone
	}
	return nil
}

// date reads a data date: "YYYY-MM-DD", "+Nm" (months after the demo day) or "".
func (g *invGen) date(s string) domain.Date {
	if s == "" {
		return domain.Date{}
	}
	if strings.HasPrefix(s, "+") && strings.HasSuffix(s, "m") {
		var n int
		fmt.Sscanf(s, "+%dm", &n)
		return domain.DateOf(g.e.Now.AddDate(0, n, 0))
	}
	d, err := domain.ParseDate(s)
	if err != nil {
		panic("demo inventory data: " + err.Error())
	}
	return d
}

// udi builds a fictional GS1 GTIN-14 with a valid check digit.
func udi(n int) string {
	s := fmt.Sprintf("%013d", 4046900000000+n*7919)
	sum := 0
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if (len(s)-1-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return s + fmt.Sprint((10-sum%10)%10)
}

func (g *invGen) catalogue() error {
	for _, m := range demoMakers {
		mf := domain.Manufacturer{Name: m.name, Aliases: m.aliases, Website: m.website, PSIRT: m.psirt}
		if err := g.tx.CreateManufacturer(g.ctx, &mf); err != nil {
			return err
		}
		g.makers[m.name] = mf.ID
	}
	for i, p := range demoProducts {
		pr := domain.Product{ManufacturerID: g.makers[p.maker], Name: p.name, ModelNumber: p.model, Category: p.category,
			MedicalDevice: p.class != "", DeviceClass: p.class, EndOfSupport: g.date(p.eos), EndOfLife: g.date(p.eol),
			ReplacementCost: domain.Euros(p.cost), CPEVendor: p.cpe[0], CPEProduct: p.cpe[1]}
		if cat, ok := domain.CategoryByID(p.category); ok {
			pr.ClinicalFunction = cat.Label
		}
		if p.class != "" && p.model != "" {
			pr.UDIDI = udi(i + 1)
		}
		if err := g.tx.CreateProduct(g.ctx, &pr); err != nil {
			return fmt.Errorf("product %s: %w", p.name, err)
		}
		g.products[p.maker+"|"+p.name] = pr.ID
		for _, v := range p.versions {
			pv := domain.ProductVersion{ProductID: pr.ID, Version: v.version, OperatingSystem: v.os, ReleaseDate: g.date(v.released),
				EndOfSupport: g.date(v.eos)}
			if err := g.tx.CreateProductVersion(g.ctx, &pv); err != nil {
				return fmt.Errorf("version %s %s: %w", p.name, v.version, err)
			}
			g.versions[p.maker+"|"+p.name+"|"+v.version] = pv.ID
		}
	}
	return nil
}

// zoneFor is the zone of a device of p in a department: the product's zone on the main campus; the
// children's hospital has its own segment and clinical LAN; the rehabilitation centre one network.
func zoneFor(p demoProduct, site string) string {
	switch {
	case p.zone == zNone || p.zone == zDMZ:
		return p.zone
	case site == "KH" && (p.zone == zClinMC || p.zone == zOffice):
		return zClinKH
	case site == "KH":
		return zKids
	case site == "RZ":
		return zClinRZ
	}
	return p.zone
}

// ip hands out the next address of a zone's range.
func (g *invGen) ip(zone string) string {
	z := g.zones[zone]
	pfx, ok := z.Prefix()
	if !ok {
		return ""
	}
	n := g.next[zone] + 10 // the first addresses belong to gateways and servers
	g.next[zone]++
	a := pfx.Addr().As4()
	host := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	host += uint32(n/250)<<8 | uint32(n%250+1)
	return netip.AddrFrom4([4]byte{byte(host >> 24), byte(host >> 16), byte(host >> 8), byte(host)}).String()
}

func (g *invGen) devices() error {
	r := g.e.Rand
	tag := 100000
	var assets []domain.Asset
	var deptsByKind = map[string][]int{}
	for i, d := range g.depts {
		for _, k := range d.demo.kinds {
			deptsByKind[k] = append(deptsByKind[k], i)
		}
	}
	yesterday := domain.DateOf(g.e.Now).AddDays(-1)
	for pi, p := range demoProducts {
		total := 0
		for _, v := range p.versions {
			total += v.share
		}
		cat, _ := domain.CategoryByID(p.category)
		for n := 0; n < p.count; n++ {
			kind := p.where[r.IntN(len(p.where))]
			cands := deptsByKind[kind]
			if len(cands) == 0 {
				return fmt.Errorf("demo product %s: no department of kind %s", p.name, kind)
			}
			d := g.depts[cands[r.IntN(len(cands))]]
			pick := r.IntN(total)
			v := p.versions[0]
			for _, x := range p.versions {
				if pick < x.share {
					v = x
					break
				}
				pick -= x.share
			}
			tag += 1 + r.IntN(3)
			a := domain.Asset{ProductVersionID: g.versions[p.maker+"|"+p.name+"|"+v.version], AssetTag: fmt.Sprintf("NUH-%06d", tag),
				Serial: fmt.Sprintf(p.serial, 10000+r.IntN(890000)+n), SiteID: d.SiteID, LocationID: d.rooms[r.IntN(len(d.rooms))].ID,
				DepartmentID: d.ID, Owner: p.owner, Criticality: cat.Criticality, PatientData: cat.PatientData, Status: domain.StatusInUse}
			// Criticality follows the care setting: pumps keep patients alive in intensive care and theatres.
			if p.category == "infusion-pump" || p.category == "syringe-pump" {
				switch kind {
				case "icu", "nicu", "picu", "or", "er", "ker":
				case "rehab":
					a.Criticality = domain.CritImportant
				default:
					a.Criticality = domain.CritCritical
				}
			}
			zone := zoneFor(p, d.demo.site)
			switch {
			case p.name == "LOGIQ E10" && n == 0:
				zone, a.Notes = zInternet, "Cloud image sharing set up by the vendor's field engineer with a port forwarding; to be reviewed."
			case p.name == "Xltek NeuroWorks" && n < 3:
				zone, a.Notes = zOffice, "EEG review station on the office network."
			case p.name == "cobas IT 1000 Workstation" && n%3 == 0:
				zone = zOffice
			}
			if z, ok := g.zones[zone]; ok {
				a.ZoneID = z.ID
				a.IP = g.ip(zone)
			}
			if a.IP != "" {
				a.MAC = fmt.Sprintf("02:%02x:%02x:%02x:%02x:%02x", pi, r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(256))
			}
			if p.host != "" {
				a.Hostname = fmt.Sprintf("%s-%s%02d", p.host, strings.ToUpper(d.demo.site), n+1)
			}
			rel := g.date(v.released)
			if rel.IsZero() {
				rel = domain.NewDate(2015, 1, 1)
			}
			a.PurchaseDate = rel.AddDays(30 + r.IntN(1100))
			if yesterday.Before(a.PurchaseDate) {
				a.PurchaseDate = yesterday.AddDays(-r.IntN(200))
			}
			if p.cost >= 100000 {
				a.ReplacementCost = domain.Euros(p.cost * (0.9 + 0.2*r.Float64()))
			}
			switch x := r.IntN(100); {
			case x < 5:
				a.Status = domain.StatusSpare
			case x < 7:
				a.Status = domain.StatusMaintenance
			case x < 9:
				a.Status = domain.StatusRetired
			}
			if strings.Contains(v.os, "XP") || strings.Contains(v.os, "Windows 7") {
				if a.Notes == "" {
					a.Notes = v.os + "; the manufacturer offers no upgrade for this device."
				}
			}
			if err := a.Validate(domain.DateOf(g.e.Now)); err != nil {
				return fmt.Errorf("demo device %s (%s): %w", a.AssetTag, p.name, err)
			}
			assets = append(assets, a)
		}
	}
	return g.tx.SaveAssets(g.ctx, assets, nil, store.AuditEntry{Action: "inventory.import", Entity: "inventory_import",
		Summary: fmt.Sprintf("loaded the demo inventory: %d devices of %d models", len(assets), len(demoProducts)),
		Data:    map[string]any{"devices": len(assets), "products": len(demoProducts), "generated": g.e.Now.Format(time.DateOnly)}})
}
