package domain

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// Asset is an installed device: one unit of a product version with its place, network and owner.
type Asset struct {
	ID               int64       `json:"id,omitzero" doc:"read-only"`
	OrgID            int64       `json:"org_id,omitzero" doc:"read-only"`
	ProductVersionID int64       `json:"product_version_id"`
	AssetTag         string      `json:"asset_tag,omitempty" doc:"the hospital's inventory number; unique"`
	Serial           string      `json:"serial,omitempty"`
	SiteID           int64       `json:"site_id,omitzero"`
	LocationID       int64       `json:"location_id,omitzero"`
	DepartmentID     int64       `json:"department_id,omitzero"`
	ZoneID           int64       `json:"zone_id,omitzero"`
	IP               string      `json:"ip,omitempty"`
	MAC              string      `json:"mac,omitempty"`
	Hostname         string      `json:"hostname,omitempty"`
	Owner            string      `json:"owner,omitempty" doc:"responsible person or team"`
	Criticality      Criticality `json:"criticality"`
	PatientData      bool        `json:"patient_data" doc:"stores patient data"`
	PurchaseDate     Date        `json:"purchase_date,omitzero"`
	ReplacementCost  Money       `json:"replacement_cost,omitzero" doc:"overrides the product's default"`
	Status           AssetStatus `json:"status"`
	Notes            string      `json:"notes,omitempty"`
	Created          time.Time   `json:"created,omitzero" doc:"read-only"`
	Updated          time.Time   `json:"updated,omitzero" doc:"read-only"`
	// Ref is the context of the asset (names of what its ids point to), filled in by reads.
	Ref *AssetRef `json:"ref,omitempty" doc:"read-only"`
}

// AssetRef names what an asset's ids point to, for lists and details without further lookups.
type AssetRef struct {
	ManufacturerID  int64    `json:"manufacturer_id"`
	Manufacturer    string   `json:"manufacturer"`
	ProductID       int64    `json:"product_id"`
	Product         string   `json:"product"`
	ModelNumber     string   `json:"model_number,omitempty"`
	Category        string   `json:"category,omitempty"`
	Version         string   `json:"version"`
	OperatingSystem string   `json:"operating_system,omitempty"`
	EndOfSupport    Date     `json:"end_of_support,omitzero" doc:"the version's end of support, else the product's"`
	ProductCost     Money    `json:"product_replacement_cost,omitzero"`
	Site            string   `json:"site,omitempty"`
	Location        string   `json:"location,omitempty"`
	Department      string   `json:"department,omitempty"`
	Zone            string   `json:"zone,omitempty"`
	Exposure        Exposure `json:"exposure,omitempty"`
}

// Name is how the asset is named in lists and messages: its tag, else its serial number.
func (a Asset) Name() string {
	if a.AssetTag != "" {
		return a.AssetTag
	}
	return "S/N " + a.Serial
}

// Cost is the replacement cost: the asset's own, else its product's default (0 when neither is known).
func (a Asset) Cost() Money {
	if a.ReplacementCost != 0 || a.Ref == nil {
		return a.ReplacementCost
	}
	return a.Ref.ProductCost
}

// Support is the state of the asset's end of support on the day today (unknown without Ref).
func (a Asset) Support(today Date) SupportState {
	if a.Ref == nil {
		return SupportUnknown
	}
	return SupportOf(a.Ref.EndOfSupport, today)
}

// Validate checks and normalises the fields a person or an import sets. Errors name the field.
func (a *Asset) Validate(today Date) error {
	a.AssetTag, a.Serial, a.Owner = clean(a.AssetTag), clean(a.Serial), clean(a.Owner)
	a.Hostname, a.Notes = strings.TrimSpace(a.Hostname), strings.TrimSpace(a.Notes)
	if a.ProductVersionID <= 0 {
		return Invalid("product_version_id", "choose the product and version")
	}
	if a.AssetTag == "" && a.Serial == "" {
		return Invalid("asset_tag", "give an asset tag or a serial number")
	}
	if err := maxLen("asset_tag", a.AssetTag, 64); err != nil {
		return err
	}
	if err := maxLen("serial", a.Serial, 64); err != nil {
		return err
	}
	var err error
	if a.IP, err = NormalizeIP(a.IP); err != nil {
		return Invalid("ip", "%v", err)
	}
	if a.MAC, err = NormalizeMAC(a.MAC); err != nil {
		return Invalid("mac", "%v", err)
	}
	if err := ValidHostname(a.Hostname); err != nil {
		return Invalid("hostname", "%v", err)
	}
	if a.Criticality == "" {
		return Invalid("criticality", "is required (%s)", joinValues(Criticalities))
	}
	if a.Criticality.Rank() < 0 {
		return Invalid("criticality", "unknown criticality %q (allowed: %s)", a.Criticality, joinValues(Criticalities))
	}
	if a.Status == "" {
		a.Status = StatusInUse
	}
	if !slices.Contains(AssetStatuses, a.Status) {
		return Invalid("status", "unknown status %q (allowed: %s)", a.Status, joinValues(AssetStatuses))
	}
	if !a.PurchaseDate.IsZero() {
		if today.Before(a.PurchaseDate) {
			return Invalid("purchase_date", "%s lies in the future", a.PurchaseDate)
		}
		if a.PurchaseDate.Before(NewDate(1950, 1, 1)) {
			return Invalid("purchase_date", "%s is before 1950", a.PurchaseDate)
		}
	}
	if a.ReplacementCost < 0 {
		return Invalid("replacement_cost", "must not be negative")
	}
	if err := maxLen("owner", a.Owner, 200); err != nil {
		return err
	}
	return maxLen("notes", a.Notes, 4000)
}

// NormalizeIP returns the canonical form of an IPv4 or IPv6 address ("" stays ""), or an error that
// quotes the value.
func NormalizeIP(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return "", fmt.Errorf("%s is not an IP address", s)
	}
	return a.Unmap().String(), nil
}

// NormalizeMAC returns a MAC address (EUI-48) as lower-case colon-separated bytes. It accepts
// "00:1B:44:11:3A:B7", "00-1B-44-11-3A-B7", "001b.4411.3ab7" and "001B44113AB7".
func NormalizeMAC(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	bad := fmt.Errorf("%s is not a MAC address (six hex bytes such as 00:1b:44:11:3a:b7)", s)
	var digits string
	switch {
	case len(s) == 17 && (strings.Count(s, ":") == 5 || strings.Count(s, "-") == 5):
		sep := s[2:3]
		for i := 2; i < 17; i += 3 {
			if s[i:i+1] != sep {
				return "", bad
			}
		}
		digits = strings.NewReplacer(":", "", "-", "").Replace(s)
	case len(s) == 14 && strings.Count(s, ".") == 2 && s[4] == '.' && s[9] == '.':
		digits = strings.ReplaceAll(s, ".", "")
	case len(s) == 12:
		digits = s
	default:
		return "", bad
	}
	b, err := hex.DecodeString(digits)
	if err != nil || len(b) != 6 {
		return "", bad
	}
	out := make([]string, 6)
	for i, x := range b {
		out[i] = fmt.Sprintf("%02x", x)
	}
	return strings.Join(out, ":"), nil
}

// ValidHostname checks a host name: labels of letters, digits, '-' and '_' (common in Windows names),
// each 1–63 characters and not starting or ending with '-', at most 253 characters in all.
func ValidHostname(s string) error {
	if s == "" {
		return nil
	}
	if len(s) > 253 {
		return fmt.Errorf("host name is longer than 253 characters")
	}
	for l := range strings.SplitSeq(strings.TrimSuffix(s, "."), ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return fmt.Errorf("%s is not a host name", s)
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return fmt.Errorf("%s is not a host name (only letters, digits, - and _)", s)
			}
		}
	}
	return nil
}

// ValidUDIDI checks a UDI device identifier: a GS1 GTIN (8, 12, 13 or 14 digits with a correct check
// digit) or an HIBCC/ICCBBA identifier (letters, digits and + $ / . - %, up to 50 characters).
func ValidUDIDI(s string) error {
	if s == "" {
		return nil
	}
	digits := true
	for _, r := range s {
		digits = digits && r >= '0' && r <= '9'
	}
	if digits {
		switch len(s) {
		case 8, 12, 13, 14:
		default:
			return Invalid("udi_di", "%s is not a GS1 GTIN (8, 12, 13 or 14 digits)", s)
		}
		sum := 0
		for i := len(s) - 2; i >= 0; i-- {
			d := int(s[i] - '0')
			if (len(s)-2-i)%2 == 0 {
				d *= 3
			}
			sum += d
		}
		if check := (10 - sum%10) % 10; check != int(s[len(s)-1]-'0') {
			return Invalid("udi_di", "%s is not a valid GS1 GTIN: the check digit should be %d", s, check)
		}
		return nil
	}
	if len(s) > 50 {
		return Invalid("udi_di", "is longer than 50 characters")
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("+$/.-% ", r)) {
			return Invalid("udi_di", "%s is neither a GS1 GTIN nor an HIBCC/ICCBBA identifier", s)
		}
	}
	return nil
}

// AssetFilter selects assets. Zero values do not filter.
type AssetFilter struct {
	ListParams
	SiteID           int64
	LocationID       int64
	DepartmentID     int64
	ZoneID           int64
	ManufacturerID   int64
	ProductID        int64
	ProductVersionID int64
	Category         string
	Criticality      Criticality
	Status           AssetStatus
	Exposure         Exposure
	Support          SupportState
	// Today is the reference day for Support (default: today in UTC).
	Today Date
}

// InventoryStats are the inventory's figures for the dashboard. Retired devices are not counted.
type InventoryStats struct {
	Devices       int                 `json:"devices"`
	ByCriticality map[Criticality]int `json:"by_criticality"`
	ByStatus      map[AssetStatus]int `json:"by_status"`
	ByExposure    map[Exposure]int    `json:"by_exposure"`
	ByCategory    map[string]int      `json:"by_category"`
	PastSupport   int                 `json:"past_end_of_support"`
	SoonSupport   int                 `json:"end_of_support_within_12_months"`
	UnknownSupp   int                 `json:"end_of_support_unknown"`
	PatientData   int                 `json:"stores_patient_data"`
	Products      int                 `json:"products"`
	Versions      int                 `json:"product_versions"`
	Value         Money               `json:"replacement_value" doc:"sum of the devices' replacement costs"`
	Retired       int                 `json:"retired"`
}

// ProductFilter selects products. Zero values do not filter.
type ProductFilter struct {
	ListParams
	ManufacturerID int64
	Category       string
}
