package inventory

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// A plan is what an import would do: which records it creates (manufacturers, products, versions,
// sites, locations, departments — all with temporary negative ids until applied) and which devices it
// creates or updates. Planning reads only the in-memory index, so a dry run and a real import plan
// the same way; the real one plans inside its transaction.

type planned struct {
	row     int
	asset   domain.Asset // refs may be temporary (negative) ids
	fields  []string     // changed fields of an update
	isNew   bool
	summary Change
}

type verKey struct {
	product int64
	key     string
}

type locKey struct {
	site int64
	key  string
}

type planner struct {
	mode  Mode
	ix    *store.InventoryIndex
	today domain.Date
	cols  map[Field]Column
	next  int64

	mfrByKey     map[string]int64
	mfrName      map[int64]string
	prodByKey    map[verKey]int64 // manufacturer id + folded name or model number
	prodName     map[int64]string
	prodMfr      map[int64]int64
	prodCategory map[int64]string
	verByKey     map[verKey]int64
	verName      map[int64]string
	verProd      map[int64]int64
	siteByKey    map[string]int64
	locByKey     map[locKey]int64
	deptByKey    map[string]int64
	deptByCode   map[string]int64
	zoneByKey    map[string]int64
	zoneByVLAN   map[int]int64
	zoneNets     []zoneNet
	assetByTag   map[string]int
	assetBySer   map[string][]int
	seenKey      map[string]int // file keys (tag or manufacturer+serial) → first row
	seenAsset    map[int]int    // index of an existing device → row that updates it

	newMfr  []domain.Manufacturer
	newProd []domain.Product
	newVer  []domain.ProductVersion
	newSite []domain.Site
	newLoc  []domain.Location
	newDept []domain.Department
	out     []planned

	undo     []func() // undoes the current row's additions when the row is rejected
	probs    []Problem
	warnings []Problem
}

type zoneNet struct {
	p  netip.Prefix
	id int64
}

func newPlanner(ix *store.InventoryIndex, cols []Column, today domain.Date) *planner {
	p := &planner{ix: ix, today: today, cols: columnsByField(cols),
		mfrByKey: map[string]int64{}, mfrName: map[int64]string{}, prodByKey: map[verKey]int64{}, prodName: map[int64]string{},
		prodMfr: map[int64]int64{}, prodCategory: map[int64]string{}, verByKey: map[verKey]int64{}, verName: map[int64]string{},
		verProd: map[int64]int64{}, siteByKey: map[string]int64{}, locByKey: map[locKey]int64{}, deptByKey: map[string]int64{},
		deptByCode: map[string]int64{}, zoneByKey: map[string]int64{}, zoneByVLAN: map[int]int64{}, assetByTag: map[string]int{},
		assetBySer: map[string][]int{}, seenKey: map[string]int{}, seenAsset: map[int]int{}}
	for _, m := range ix.Manufacturers {
		p.mfrName[m.ID] = m.Name
		for _, n := range append([]string{m.Name}, m.Aliases...) {
			if _, ok := p.mfrByKey[domain.NameKey(n)]; !ok {
				p.mfrByKey[domain.NameKey(n)] = m.ID
			}
		}
	}
	for _, pr := range ix.Products {
		p.prodName[pr.ID], p.prodMfr[pr.ID], p.prodCategory[pr.ID] = pr.Name, pr.ManufacturerID, pr.Category
		p.prodByKey[verKey{pr.ManufacturerID, domain.NameKey(pr.Name)}] = pr.ID
		if pr.ModelNumber != "" {
			if _, ok := p.prodByKey[verKey{pr.ManufacturerID, domain.NameKey(pr.ModelNumber)}]; !ok {
				p.prodByKey[verKey{pr.ManufacturerID, domain.NameKey(pr.ModelNumber)}] = pr.ID
			}
		}
	}
	for _, v := range ix.Versions {
		p.verByKey[verKey{v.ProductID, domain.NameKey(v.Version)}], p.verName[v.ID], p.verProd[v.ID] = v.ID, v.Version, v.ProductID
	}
	for _, s := range ix.Sites {
		p.siteByKey[domain.NameKey(s.Name)] = s.ID
		if s.Code != "" {
			if _, ok := p.siteByKey[domain.NameKey(s.Code)]; !ok {
				p.siteByKey[domain.NameKey(s.Code)] = s.ID
			}
		}
	}
	for _, l := range ix.Locations {
		p.locByKey[locKey{l.SiteID, domain.NameKey(l.Name)}] = l.ID
	}
	for _, d := range ix.Departments {
		p.deptByKey[domain.NameKey(d.Name)] = d.ID
		if d.Code != "" {
			p.deptByCode[domain.NameKey(d.Code)] = d.ID
		}
	}
	for _, z := range ix.Zones {
		p.zoneByKey[domain.NameKey(z.Name)] = z.ID
		if z.VLAN != 0 {
			p.zoneByVLAN[z.VLAN] = z.ID
		}
		if pr, ok := z.Prefix(); ok {
			p.zoneNets = append(p.zoneNets, zoneNet{pr, z.ID})
		}
	}
	for i, a := range ix.Assets {
		if a.AssetTag != "" {
			p.assetByTag[strings.ToLower(a.AssetTag)] = i
		}
		if a.Serial != "" {
			p.assetBySer[strings.ToLower(a.Serial)] = append(p.assetBySer[strings.ToLower(a.Serial)], i)
		}
	}
	return p
}

// temp returns the next temporary id.
func (p *planner) temp() int64 {
	p.next--
	return p.next
}

// set records a map entry and how to take it back.
func set[K comparable, V any](p *planner, m map[K]V, k K, v V) {
	m[k] = v
	p.undo = append(p.undo, func() { delete(m, k) })
}

// push appends to a slice and records how to take it back.
func push[T any](p *planner, s *[]T, v T) {
	*s = append(*s, v)
	n := len(*s) - 1
	p.undo = append(p.undo, func() { *s = (*s)[:n] })
}

// problem names the column of a field in a row.
func (p *planner) problem(row int, f Field, value, msg string) Problem {
	pr := problem(row, "", 0, f, value, msg)
	if c, ok := p.cols[f]; ok {
		pr.Column, pr.Col = c.Name(), c.Index+1
	}
	return pr
}

func (p *planner) manufacturer(r Record, reject func(Field, string, string)) int64 {
	key := domain.NameKey(r.Manufacturer)
	if id, ok := p.mfrByKey[key]; ok {
		return id
	}
	m := domain.Manufacturer{Name: r.Manufacturer}
	if err := m.Validate(); err != nil {
		reject(FManufacturer, r.Manufacturer, message(err))
		return 0
	}
	m.ID = p.temp()
	push(p, &p.newMfr, m)
	set(p, p.mfrByKey, key, m.ID)
	set(p, p.mfrName, m.ID, m.Name)
	return m.ID
}

func (p *planner) product(mfr int64, r Record, reject func(Field, string, string)) int64 {
	name := r.Product
	if name == "" {
		name = r.ModelNumber
	}
	if id, ok := p.prodByKey[verKey{mfr, domain.NameKey(name)}]; ok {
		return id
	}
	if r.ModelNumber != "" {
		if id, ok := p.prodByKey[verKey{mfr, domain.NameKey(r.ModelNumber)}]; ok {
			return id
		}
	}
	pr := domain.Product{ManufacturerID: mfr, Name: name, ModelNumber: r.ModelNumber, UDIDI: r.UDIDI, Category: r.Category,
		DeviceClass: r.DeviceClass, MedicalDevice: true}
	if r.MedicalDevice != nil {
		pr.MedicalDevice = *r.MedicalDevice
	}
	check := pr
	check.ManufacturerID = 1 // a planned manufacturer is valid once created
	if err := check.Validate(); err != nil {
		f := FProduct
		switch domain.ErrorField(err) {
		case "device_class":
			f = FDeviceClass
		case "udi_di":
			f = FUDIDI
		case "model_number":
			f = FModelNumber
		}
		reject(f, name, message(err))
		return 0
	}
	check.ManufacturerID = mfr
	pr = check
	pr.ID = p.temp()
	push(p, &p.newProd, pr)
	set(p, p.prodByKey, verKey{mfr, domain.NameKey(name)}, pr.ID)
	set(p, p.prodName, pr.ID, pr.Name)
	set(p, p.prodMfr, pr.ID, mfr)
	set(p, p.prodCategory, pr.ID, pr.Category)
	return pr.ID
}

func (p *planner) version(product int64, r Record) int64 {
	key := verKey{product, domain.NameKey(r.Version)}
	if id, ok := p.verByKey[key]; ok {
		return id
	}
	v := domain.ProductVersion{ID: p.temp(), ProductID: product, Version: r.Version, OperatingSystem: r.OperatingSystem}
	push(p, &p.newVer, v)
	set(p, p.verByKey, key, v.ID)
	set(p, p.verName, v.ID, v.Version)
	set(p, p.verProd, v.ID, product)
	return v.ID
}

func (p *planner) site(name string) int64 {
	key := domain.NameKey(name)
	if id, ok := p.siteByKey[key]; ok {
		return id
	}
	s := domain.Site{ID: p.temp(), Name: name}
	push(p, &p.newSite, s)
	set(p, p.siteByKey, key, s.ID)
	return s.ID
}

// defaultSite is the site of a location when the row names none: the organisation's only site, or a
// new "Main site" when it has none yet.
func (p *planner) defaultSite() (int64, bool) {
	switch len(p.ix.Sites) + len(p.newSite) {
	case 0:
		return p.site("Main site"), true
	case 1:
		if len(p.ix.Sites) == 1 {
			return p.ix.Sites[0].ID, true
		}
		return p.newSite[0].ID, true
	}
	return 0, false
}

func (p *planner) location(site int64, r Record) int64 {
	name := r.Location
	if name == "" {
		name = domain.LocationName(r.Building, r.Floor, r.Room)
	}
	key := locKey{site, domain.NameKey(name)}
	if id, ok := p.locByKey[key]; ok {
		return id
	}
	l := domain.Location{ID: p.temp(), SiteID: site, Name: name, Building: r.Building, Floor: r.Floor, Room: r.Room}
	push(p, &p.newLoc, l)
	set(p, p.locByKey, key, l.ID)
	return l.ID
}

func (p *planner) department(r Record, site int64) int64 {
	if r.Department != "" {
		if id, ok := p.deptByKey[domain.NameKey(r.Department)]; ok {
			return id
		}
	}
	if r.DepartmentCode != "" {
		if id, ok := p.deptByCode[domain.NameKey(r.DepartmentCode)]; ok {
			return id
		}
	}
	d := domain.Department{ID: p.temp(), Name: r.Department, Code: r.DepartmentCode, SiteID: site}
	if d.Name == "" {
		d.Name = r.DepartmentCode
	}
	push(p, &p.newDept, d)
	set(p, p.deptByKey, domain.NameKey(d.Name), d.ID)
	if d.Code != "" {
		set(p, p.deptByCode, domain.NameKey(d.Code), d.ID)
	}
	return d.ID
}

// zone finds a zone by name or VLAN number ("VLAN 110", "110").
func (p *planner) zone(name string) (int64, bool) {
	if id, ok := p.zoneByKey[domain.NameKey(name)]; ok {
		return id, true
	}
	v := strings.TrimSpace(strings.TrimPrefix(strings.ToLower(strings.TrimSpace(name)), "vlan"))
	if n, err := strconv.Atoi(v); err == nil {
		id, ok := p.zoneByVLAN[n]
		return id, ok
	}
	return 0, false
}

// zoneForIP is the zone whose range holds the address most specifically (0 when none does).
func (p *planner) zoneForIP(ip string) int64 {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return 0
	}
	var best int64
	bits := -1
	for _, z := range p.zoneNets {
		if z.p.Contains(a) && z.p.Bits() > bits {
			best, bits = z.id, z.p.Bits()
		}
	}
	return best
}

// category is the category of a product (known or planned).
func (p *planner) category(product int64) string { return p.prodCategory[product] }

var validationField = map[string]Field{"asset_tag": FAssetTag, "serial": FSerial, "ip": FIP, "mac": FMAC, "hostname": FHostname,
	"criticality": FCriticality, "status": FStatus, "purchase_date": FPurchaseDate, "replacement_cost": FReplacementCost,
	"owner": FOwner, "notes": FNotes}

// plan decides what one record does. A rejected row leaves no trace in the plan.
func (p *planner) plan(r Record) {
	p.undo = p.undo[:0]
	var probs, warn []Problem
	reject := func(f Field, value, msg string) { probs = append(probs, p.problem(r.Row, f, value, msg)) }
	defer func() {
		if len(probs) > 0 {
			for i := len(p.undo) - 1; i >= 0; i-- {
				p.undo[i]()
			}
			sortProblems(probs)
			p.probs = append(p.probs, probs...)
		}
	}()

	// Which device: by asset tag, else by serial number (with the manufacturer, when given).
	existing := -1
	var mfrKnown int64
	if r.Manufacturer != "" {
		mfrKnown = p.mfrByKey[domain.NameKey(r.Manufacturer)]
	}
	if r.AssetTag == "" && r.Serial == "" {
		reject("", "", "neither an asset tag nor a serial number: the row cannot be matched or added")
		return
	}
	fileKey := "tag:" + strings.ToLower(r.AssetTag)
	if r.AssetTag == "" {
		fileKey = "serial:" + domain.NameKey(r.Manufacturer) + ":" + strings.ToLower(r.Serial)
	}
	if first, dup := p.seenKey[fileKey]; dup {
		if r.AssetTag != "" {
			reject(FAssetTag, r.AssetTag, fmt.Sprintf("asset tag %s appears already in row %d", r.AssetTag, first))
		} else {
			reject(FSerial, r.Serial, fmt.Sprintf("serial number %s appears already in row %d", r.Serial, first))
		}
		return
	}
	if r.AssetTag != "" {
		if i, ok := p.assetByTag[strings.ToLower(r.AssetTag)]; ok {
			existing = i
		}
	}
	if existing < 0 && r.Serial != "" {
		var match []int
		for _, i := range p.assetBySer[strings.ToLower(r.Serial)] {
			a := p.ix.Assets[i]
			if r.AssetTag != "" && a.AssetTag != "" {
				continue // has a tag of its own: another device
			}
			if r.Manufacturer != "" && p.prodMfr[p.verProd[a.ProductVersionID]] != mfrKnown {
				continue
			}
			match = append(match, i)
		}
		switch {
		case len(match) == 1:
			existing = match[0]
		case len(match) > 1:
			reject(FSerial, r.Serial, fmt.Sprintf("serial number %s matches %d devices; add the asset tag or the manufacturer", r.Serial, len(match)))
			return
		}
	}
	if existing >= 0 {
		if first, dup := p.seenAsset[existing]; dup {
			reject("", "", fmt.Sprintf("updates the same device as row %d", first))
			return
		}
	}

	switch {
	case p.mode == CreateOnly && existing >= 0:
		reject(FAssetTag, r.AssetTag, "device "+p.ix.Assets[existing].Name()+" exists already")
		return
	case p.mode == UpdateOnly && existing < 0:
		reject(FAssetTag, r.AssetTag, "there is no such device")
		return
	}
	var a domain.Asset
	isNew := existing < 0
	if !isNew {
		a = p.ix.Assets[existing]
	}
	if r.AssetTag != "" && !strings.EqualFold(r.AssetTag, a.AssetTag) {
		a.AssetTag = r.AssetTag
	}
	if r.Serial != "" {
		a.Serial = r.Serial
	}

	// What it is: manufacturer → product → version.
	curProd := p.verProd[a.ProductVersionID]
	mfr := p.prodMfr[curProd]
	if r.Manufacturer != "" {
		mfr = p.manufacturer(r, reject)
	}
	switch {
	case mfr == 0 && len(probs) == 0:
		reject(FManufacturer, "", "a new device needs its manufacturer")
	case mfr == 0:
	case r.Product != "" || r.ModelNumber != "":
		if prod := p.product(mfr, r, reject); prod != 0 {
			if r.Version != "" || prod != curProd {
				a.ProductVersionID = p.version(prod, r)
			}
		}
	case r.Manufacturer != "" && mfr != p.prodMfr[curProd], isNew:
		reject(FProduct, "", "the model is missing (a Model or Model number column)")
	case r.Version != "":
		a.ProductVersionID = p.version(curProd, r)
	}

	// Where it is.
	site := a.SiteID
	if r.Site != "" {
		site = p.site(r.Site)
		if site != a.SiteID {
			a.LocationID = 0
		}
	}
	if r.Location != "" || r.Building != "" || r.Floor != "" || r.Room != "" {
		if site == 0 {
			s, ok := p.defaultSite()
			if !ok {
				f := FLocation
				if r.Location == "" {
					f = FRoom
				}
				reject(f, "", "the organisation has several sites and the row names none; add a Site column")
			}
			site = s
		}
		if site != 0 {
			a.LocationID = p.location(site, r)
		}
	}
	a.SiteID = site
	if r.Department != "" || r.DepartmentCode != "" {
		a.DepartmentID = p.department(r, site)
	}
	if r.Zone != "" {
		z, ok := p.zone(r.Zone)
		if !ok {
			reject(FZone, r.Zone, "there is no network zone "+r.Zone+" (name or VLAN); create it under Network zones first")
		}
		a.ZoneID = z
	} else if r.IP != "" && (r.IP != a.IP || a.ZoneID == 0) {
		if z := p.zoneForIP(r.IP); z != 0 {
			a.ZoneID = z
		}
	}

	// The device's own values.
	for _, s := range []struct {
		dst *string
		v   string
	}{{&a.IP, r.IP}, {&a.MAC, r.MAC}, {&a.Hostname, r.Hostname}, {&a.Owner, r.Owner}, {&a.Notes, r.Notes}} {
		if s.v != "" {
			*s.dst = s.v
		}
	}
	if r.Criticality != "" {
		a.Criticality = r.Criticality
	}
	if r.Status != "" {
		a.Status = r.Status
	}
	if r.PatientData != nil {
		a.PatientData = *r.PatientData
	}
	if !r.PurchaseDate.IsZero() {
		a.PurchaseDate = r.PurchaseDate
	}
	if r.ReplacementCost != 0 {
		a.ReplacementCost = r.ReplacementCost
	}
	if isNew {
		cat, known := domain.CategoryByID(p.category(p.verProd[a.ProductVersionID]))
		if a.Criticality == "" {
			a.Criticality = domain.CritImportant
			if known {
				a.Criticality = cat.Criticality
			}
			msg := "no criticality given: set to " + string(a.Criticality)
			if known {
				msg += " (usual for " + cat.Label + ")"
			}
			warn = append(warn, p.problem(r.Row, FCriticality, "", msg))
		}
		if r.PatientData == nil && known {
			a.PatientData = cat.PatientData
		}
	}
	if len(probs) > 0 {
		return
	}
	check := a
	if check.ProductVersionID < 0 {
		check.ProductVersionID = 1 // planned: valid once created
	}
	if err := check.Validate(p.today); err != nil {
		f := validationField[domain.ErrorField(err)]
		reject(f, "", message(err))
		return
	}
	check.ProductVersionID = a.ProductVersionID
	a = check

	p.warnings = append(p.warnings, warn...)
	set(p, p.seenKey, fileKey, r.Row)
	if existing >= 0 {
		p.seenAsset[existing] = r.Row
	}
	pl := planned{row: r.Row, asset: a, isNew: isNew}
	pl.summary = Change{Row: r.Row, AssetTag: a.AssetTag, Serial: a.Serial, Manufacturer: p.mfrName[p.prodMfr[p.verProd[a.ProductVersionID]]],
		Product: p.prodName[p.verProd[a.ProductVersionID]], Version: p.verName[a.ProductVersionID]}
	switch {
	case isNew:
		pl.summary.Action = ActionCreate
	default:
		pl.fields = assetChanges(p.ix.Assets[existing], a)
		pl.summary.Action, pl.summary.Fields = ActionUpdate, pl.fields
		if len(pl.fields) == 0 {
			pl.summary.Action = ActionUnchanged
		}
	}
	p.out = append(p.out, pl)
}

// assetChanges names the fields that differ between two versions of a device.
func assetChanges(x, y domain.Asset) []string {
	var out []string
	add := func(name string, differ bool) {
		if differ {
			out = append(out, name)
		}
	}
	add("asset_tag", x.AssetTag != y.AssetTag)
	add("serial", x.Serial != y.Serial)
	add("product_version", x.ProductVersionID != y.ProductVersionID)
	add("site", x.SiteID != y.SiteID)
	add("location", x.LocationID != y.LocationID)
	add("department", x.DepartmentID != y.DepartmentID)
	add("zone", x.ZoneID != y.ZoneID)
	add("ip", x.IP != y.IP)
	add("mac", x.MAC != y.MAC)
	add("hostname", x.Hostname != y.Hostname)
	add("owner", x.Owner != y.Owner)
	add("criticality", x.Criticality != y.Criticality)
	add("patient_data", x.PatientData != y.PatientData)
	add("purchase_date", !x.PurchaseDate.Equal(y.PurchaseDate))
	add("replacement_cost", x.ReplacementCost != y.ReplacementCost)
	add("status", x.Status != y.Status)
	add("notes", x.Notes != y.Notes)
	return out
}
