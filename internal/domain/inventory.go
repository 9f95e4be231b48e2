package domain

import (
	"net/netip"
	"strings"
	"time"
)

// The inventory: where devices are (sites, locations, departments, network zones), what they are
// (manufacturers, products, product versions) and the installed devices themselves (assets). Disclosures
// (SBOM, MDS2, CSAF, VEX) attach to a ProductVersion; an asset inherits those of its version.

// Site is a campus or building complex of the organisation.
type Site struct {
	ID      int64     `json:"id,omitzero" doc:"read-only"`
	OrgID   int64     `json:"org_id,omitzero" doc:"read-only"`
	Name    string    `json:"name"`
	Code    string    `json:"code,omitempty" doc:"short code, e.g. MC"`
	Address string    `json:"address,omitempty"`
	Created time.Time `json:"created,omitzero" doc:"read-only"`
	Updated time.Time `json:"updated,omitzero" doc:"read-only"`
	Assets  int       `json:"assets,omitzero" doc:"read-only: installed devices"`
}

// Validate checks and normalises the site.
func (s *Site) Validate() error {
	s.Name, s.Code, s.Address = clean(s.Name), clean(s.Code), strings.TrimSpace(s.Address)
	if err := required("name", s.Name, 200); err != nil {
		return err
	}
	if err := maxLen("code", s.Code, 20); err != nil {
		return err
	}
	return maxLen("address", s.Address, 500)
}

// Location is a place within a site: a building, floor and room, optionally within a parent location.
type Location struct {
	ID       int64     `json:"id,omitzero" doc:"read-only"`
	OrgID    int64     `json:"org_id,omitzero" doc:"read-only"`
	SiteID   int64     `json:"site_id"`
	ParentID int64     `json:"parent_id,omitzero"`
	Name     string    `json:"name" doc:"display name; built from building, floor and room when empty"`
	Building string    `json:"building,omitempty"`
	Floor    string    `json:"floor,omitempty"`
	Room     string    `json:"room,omitempty"`
	Created  time.Time `json:"created,omitzero" doc:"read-only"`
	Updated  time.Time `json:"updated,omitzero" doc:"read-only"`
	Site     string    `json:"site,omitempty" doc:"read-only: the site's name"`
	Assets   int       `json:"assets,omitzero" doc:"read-only"`
}

// LocationName builds a location's display name from its parts ("Building A · Floor 2 · Room 2.114").
func LocationName(building, floor, room string) string {
	var parts []string
	for _, p := range []string{building, floor, room} {
		if p = clean(p); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " · ")
}

// Validate checks and normalises the location.
func (l *Location) Validate() error {
	l.Building, l.Floor, l.Room, l.Name = clean(l.Building), clean(l.Floor), clean(l.Room), clean(l.Name)
	if l.Name == "" {
		l.Name = LocationName(l.Building, l.Floor, l.Room)
	}
	if l.SiteID <= 0 {
		return Invalid("site_id", "a location belongs to a site; choose one")
	}
	if l.ParentID != 0 && l.ParentID == l.ID {
		return Invalid("parent_id", "a location cannot be its own parent")
	}
	if err := required("name", l.Name, 200); err != nil {
		return Invalid("name", "give a name or a building, floor or room")
	}
	for _, f := range []struct{ n, v string }{{"building", l.Building}, {"floor", l.Floor}, {"room", l.Room}} {
		if err := maxLen(f.n, f.v, 100); err != nil {
			return err
		}
	}
	return nil
}

// Department is an organisational unit (ward, clinic, service), optionally at one site.
type Department struct {
	ID      int64     `json:"id,omitzero" doc:"read-only"`
	OrgID   int64     `json:"org_id,omitzero" doc:"read-only"`
	Name    string    `json:"name"`
	Code    string    `json:"code,omitempty" doc:"cost centre"`
	SiteID  int64     `json:"site_id,omitzero"`
	Created time.Time `json:"created,omitzero" doc:"read-only"`
	Updated time.Time `json:"updated,omitzero" doc:"read-only"`
	Site    string    `json:"site,omitempty" doc:"read-only"`
	Assets  int       `json:"assets,omitzero" doc:"read-only"`
}

// Validate checks and normalises the department.
func (d *Department) Validate() error {
	d.Name, d.Code = clean(d.Name), clean(d.Code)
	if err := required("name", d.Name, 200); err != nil {
		return err
	}
	return maxLen("code", d.Code, 40)
}

// NetworkZone is a network segment with its exposure level.
type NetworkZone struct {
	ID          int64     `json:"id,omitzero" doc:"read-only"`
	OrgID       int64     `json:"org_id,omitzero" doc:"read-only"`
	Name        string    `json:"name"`
	VLAN        int       `json:"vlan,omitzero" doc:"VLAN id 1–4094"`
	CIDR        string    `json:"cidr,omitempty" doc:"address range, e.g. 10.11.0.0/16"`
	Exposure    Exposure  `json:"exposure"`
	Description string    `json:"description,omitempty"`
	Created     time.Time `json:"created,omitzero" doc:"read-only"`
	Updated     time.Time `json:"updated,omitzero" doc:"read-only"`
	Assets      int       `json:"assets,omitzero" doc:"read-only"`
}

// Prefix returns the zone's address range, and whether it has a valid one.
func (z NetworkZone) Prefix() (netip.Prefix, bool) {
	p, err := netip.ParsePrefix(z.CIDR)
	return p, err == nil
}

// Validate checks and normalises the zone.
func (z *NetworkZone) Validate() error {
	z.Name, z.CIDR, z.Description = clean(z.Name), strings.TrimSpace(z.CIDR), strings.TrimSpace(z.Description)
	if err := required("name", z.Name, 200); err != nil {
		return err
	}
	if z.VLAN < 0 || z.VLAN > 4094 {
		return Invalid("vlan", "a VLAN id is 1–4094 (got %d)", z.VLAN)
	}
	if z.CIDR != "" {
		p, err := netip.ParsePrefix(z.CIDR)
		if err != nil {
			return Invalid("cidr", "%q is not an address range such as 10.11.0.0/16", z.CIDR)
		}
		z.CIDR = p.Masked().String()
	}
	if z.Exposure.Rank() < 0 {
		return Invalid("exposure", "choose an exposure level (%s)", joinValues(Exposures))
	}
	return maxLen("description", z.Description, 2000)
}

// Manufacturer makes products. Aliases are other spellings of its name (as advisories and exports
// write it: "Becton, Dickinson and Company (BD)" for BD); imports and matching recognise them.
type Manufacturer struct {
	ID       int64     `json:"id,omitzero" doc:"read-only"`
	OrgID    int64     `json:"org_id,omitzero" doc:"read-only"`
	Name     string    `json:"name"`
	Aliases  []string  `json:"aliases,omitempty"`
	Website  string    `json:"website,omitempty"`
	PSIRT    string    `json:"psirt,omitempty" doc:"product-security contact: URL or e-mail"`
	Notes    string    `json:"notes,omitempty"`
	Created  time.Time `json:"created,omitzero" doc:"read-only"`
	Updated  time.Time `json:"updated,omitzero" doc:"read-only"`
	Products int       `json:"products,omitzero" doc:"read-only"`
	Assets   int       `json:"assets,omitzero" doc:"read-only"`
}

// Validate checks and normalises the manufacturer.
func (m *Manufacturer) Validate() error {
	m.Name, m.Website, m.PSIRT, m.Notes = clean(m.Name), strings.TrimSpace(m.Website), strings.TrimSpace(m.PSIRT), strings.TrimSpace(m.Notes)
	if err := required("name", m.Name, 200); err != nil {
		return err
	}
	var aliases []string
	seen := map[string]bool{NameKey(m.Name): true}
	for _, a := range m.Aliases {
		a = clean(a)
		if a == "" || seen[NameKey(a)] {
			continue
		}
		if len(a) > 200 {
			return Invalid("aliases", "an alias is longer than 200 characters")
		}
		seen[NameKey(a)] = true
		aliases = append(aliases, a)
	}
	m.Aliases = aliases
	if m.Website != "" && !strings.HasPrefix(m.Website, "https://") && !strings.HasPrefix(m.Website, "http://") {
		return Invalid("website", "must be an http(s) URL")
	}
	if err := maxLen("website", m.Website, 500); err != nil {
		return err
	}
	if err := maxLen("psirt", m.PSIRT, 500); err != nil {
		return err
	}
	return maxLen("notes", m.Notes, 4000)
}

// Product is a device model of a manufacturer.
type Product struct {
	ID               int64       `json:"id,omitzero" doc:"read-only"`
	OrgID            int64       `json:"org_id,omitzero" doc:"read-only"`
	ManufacturerID   int64       `json:"manufacturer_id"`
	Name             string      `json:"name" doc:"model name, e.g. Infusomat Space"`
	ModelNumber      string      `json:"model_number,omitempty"`
	UDIDI            string      `json:"udi_di,omitempty" doc:"UDI device identifier (GS1 GTIN, HIBCC or ICCBBA)"`
	MedicalDevice    bool        `json:"medical_device"`
	DeviceClass      DeviceClass `json:"device_class,omitempty" doc:"MDR/IVDR class: mdr-i … mdr-iii, ivdr-a … ivdr-d"`
	ClinicalFunction string      `json:"clinical_function,omitempty"`
	Category         string      `json:"category,omitempty" doc:"device category id, see GET /inventory/categories"`
	EndOfSupport     Date        `json:"end_of_support,omitzero"`
	EndOfLife        Date        `json:"end_of_life,omitzero"`
	ReplacementCost  Money       `json:"replacement_cost,omitzero" doc:"default for devices of this model"`
	CPEVendor        string      `json:"cpe_vendor,omitempty" doc:"CPE 2.3 vendor part, a hint for matching"`
	CPEProduct       string      `json:"cpe_product,omitempty" doc:"CPE 2.3 product part"`
	Notes            string      `json:"notes,omitempty"`
	Created          time.Time   `json:"created,omitzero" doc:"read-only"`
	Updated          time.Time   `json:"updated,omitzero" doc:"read-only"`
	Manufacturer     string      `json:"manufacturer,omitempty" doc:"read-only"`
	Versions         int         `json:"versions,omitzero" doc:"read-only"`
	Installed        int         `json:"installed,omitzero" doc:"read-only: devices of this model"`
}

// Validate checks and normalises the product.
func (p *Product) Validate() error {
	p.Name, p.ModelNumber, p.UDIDI = clean(p.Name), clean(p.ModelNumber), strings.ToUpper(strings.TrimSpace(p.UDIDI))
	p.ClinicalFunction, p.Notes = strings.TrimSpace(p.ClinicalFunction), strings.TrimSpace(p.Notes)
	p.CPEVendor, p.CPEProduct = strings.ToLower(strings.TrimSpace(p.CPEVendor)), strings.ToLower(strings.TrimSpace(p.CPEProduct))
	if p.ManufacturerID <= 0 {
		return Invalid("manufacturer_id", "choose the manufacturer")
	}
	if p.Name == "" {
		p.Name = p.ModelNumber
	}
	if err := required("name", p.Name, 200); err != nil {
		return err
	}
	if err := maxLen("model_number", p.ModelNumber, 100); err != nil {
		return err
	}
	if err := ValidUDIDI(p.UDIDI); err != nil {
		return err
	}
	c, err := ParseDeviceClass(string(p.DeviceClass))
	if err != nil {
		return err
	}
	p.DeviceClass = c
	if p.DeviceClass != "" && !p.MedicalDevice {
		return Invalid("device_class", "only medical devices have an MDR/IVDR class; tick \"medical device\" or clear the class")
	}
	if p.Category != "" {
		if _, ok := CategoryByID(p.Category); !ok {
			return Invalid("category", "unknown category %q", p.Category)
		}
	}
	if !p.EndOfLife.IsZero() && !p.EndOfSupport.IsZero() && p.EndOfLife.Before(p.EndOfSupport) {
		return Invalid("end_of_life", "end of life (%s) lies before the end of support (%s)", p.EndOfLife, p.EndOfSupport)
	}
	if p.ReplacementCost < 0 {
		return Invalid("replacement_cost", "must not be negative")
	}
	for _, f := range []struct{ n, v string }{{"cpe_vendor", p.CPEVendor}, {"cpe_product", p.CPEProduct}} {
		if !cpePart(f.v) {
			return Invalid(f.n, "%q is not a CPE 2.3 name part (lower-case letters, digits and _ - . ~)", f.v)
		}
	}
	if err := maxLen("clinical_function", p.ClinicalFunction, 500); err != nil {
		return err
	}
	return maxLen("notes", p.Notes, 4000)
}

// ProductVersion is one firmware or software version of a product. Disclosures attach here; version
// "" stands for "version not known".
type ProductVersion struct {
	ID              int64     `json:"id,omitzero" doc:"read-only"`
	OrgID           int64     `json:"org_id,omitzero" doc:"read-only"`
	ProductID       int64     `json:"product_id"`
	Version         string    `json:"version" doc:"firmware or software version; empty for unknown"`
	ReleaseDate     Date      `json:"release_date,omitzero"`
	EndOfSupport    Date      `json:"end_of_support,omitzero" doc:"overrides the product's end of support"`
	OperatingSystem string    `json:"operating_system,omitempty" doc:"e.g. Windows 7 Embedded, VxWorks 6.9, Linux"`
	Notes           string    `json:"notes,omitempty"`
	Created         time.Time `json:"created,omitzero" doc:"read-only"`
	Updated         time.Time `json:"updated,omitzero" doc:"read-only"`
	Product         string    `json:"product,omitempty" doc:"read-only"`
	Manufacturer    string    `json:"manufacturer,omitempty" doc:"read-only"`
	Installed       int       `json:"installed,omitzero" doc:"read-only: devices on this version"`
}

// Label is the version for display ("unknown version" for "").
func (v ProductVersion) Label() string {
	if v.Version == "" {
		return "unknown version"
	}
	return v.Version
}

// Validate checks and normalises the version.
func (v *ProductVersion) Validate() error {
	v.Version, v.OperatingSystem, v.Notes = clean(v.Version), clean(v.OperatingSystem), strings.TrimSpace(v.Notes)
	if v.ProductID <= 0 {
		return Invalid("product_id", "choose the product")
	}
	if err := maxLen("version", v.Version, 100); err != nil {
		return err
	}
	if err := maxLen("operating_system", v.OperatingSystem, 200); err != nil {
		return err
	}
	return maxLen("notes", v.Notes, 4000)
}

// clean trims a single-line value and collapses inner runs of white space.
func clean(s string) string { return strings.Join(strings.Fields(s), " ") }

// NameKey is the form of a name used to match it case-insensitively ("B. Braun" = "b.  braun").
func NameKey(s string) string { return strings.ToLower(clean(s)) }

func required(field, v string, max int) error {
	if v == "" {
		return Invalid(field, "is required")
	}
	return maxLen(field, v, max)
}

func maxLen(field, v string, max int) error {
	if len(v) > max {
		return Invalid(field, "is longer than %d characters", max)
	}
	return nil
}

func cpePart(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.' || r == '~') {
			return false
		}
	}
	return len(s) <= 100
}
