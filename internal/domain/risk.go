package domain

import (
	"slices"
	"strings"
	"time"
)

// RiskWeightsVersion is one published version of an organisation's risk weights (the JSON of
// risk.Weights). A version never changes once saved; exactly one is active.
type RiskWeightsVersion struct {
	ID        int64     `json:"id"`
	Version   string    `json:"version"`
	Note      string    `json:"note"`
	Active    bool      `json:"active"`
	Created   time.Time `json:"created"`
	CreatedBy string    `json:"created_by"`
	Weights   []byte    `json:"-"` // risk.Weights as JSON
}

// Compensating control kinds (the values of risk.ControlKind).
const (
	ControlNetworkRemoved   = "network-removed"
	ControlSegmentation     = "segmentation"
	ControlFirewall         = "firewall"
	ControlAllowListing     = "allow-listing"
	ControlDisabledServices = "disabled-services"
	ControlMonitoring       = "monitoring"
)

// ControlKinds lists the compensating control kinds, strongest first.
var ControlKinds = []string{ControlNetworkRemoved, ControlSegmentation, ControlFirewall, ControlAllowListing, ControlDisabledServices, ControlMonitoring}

// RiskControl is a compensating control recorded for one asset or for a product (every asset of the
// product inherits it).
type RiskControl struct {
	ID          int64      `json:"id" doc:"read-only"`
	AssetID     int64      `json:"asset_id,omitzero" doc:"set this or product_id"`
	ProductID   int64      `json:"product_id,omitzero" doc:"set this or asset_id"`
	Kind        string     `json:"kind" doc:"network-removed, segmentation, firewall, allow-listing, disabled-services or monitoring"`
	Description string     `json:"description"`
	Owner       string     `json:"owner"`
	ReviewDue   *time.Time `json:"review_due,omitempty"`
	Created     time.Time  `json:"created,omitzero" doc:"read-only"`
	Updated     time.Time  `json:"updated,omitzero" doc:"read-only"`
	// Subject names the asset or product (filled in by reads).
	Subject string `json:"subject,omitempty" doc:"read-only"`
}

// Overdue reports whether the control's review is past due on now (a control without a review date is
// not overdue but counts as unreviewed).
func (c RiskControl) Overdue(now time.Time) bool {
	return c.ReviewDue != nil && c.ReviewDue.Before(now)
}

// Validate checks the fields a user sets; errors name the field.
func (c *RiskControl) Validate() error {
	c.Description, c.Owner = strings.TrimSpace(c.Description), strings.TrimSpace(c.Owner)
	if (c.AssetID == 0) == (c.ProductID == 0) {
		return Invalid("asset_id", "give either an asset or a product")
	}
	if !slices.Contains(ControlKinds, c.Kind) {
		return Invalid("kind", "unknown control kind %q (allowed: %s)", c.Kind, strings.Join(ControlKinds, ", "))
	}
	if c.Description == "" {
		return Invalid("description", "say what the control is, e.g. \"VLAN 231, only DICOM to PACS\"")
	}
	if err := maxLen("description", c.Description, 2000); err != nil {
		return err
	}
	return maxLen("owner", c.Owner, 200)
}

// End-of-support sources.
const (
	SupportEntered   = "entered"
	SupportMDS2      = "mds2"
	SupportContract  = "contract"
	SupportEndOfLife = "endoflife.date"
)

// SupportSources lists the end-of-support sources.
var SupportSources = []string{SupportEntered, SupportMDS2, SupportContract, SupportEndOfLife}

// RiskSupport is an end-of-support date for a product (Component "") or for a component inside it.
type RiskSupport struct {
	ID           int64     `json:"id" doc:"read-only"`
	ProductID    int64     `json:"product_id"`
	Component    string    `json:"component,omitempty" doc:"e.g. Windows 7 Embedded; empty for the product itself"`
	EndOfSupport time.Time `json:"end_of_support"`
	Source       string    `json:"source" doc:"entered, mds2, contract or endoflife.date"`
	Reference    string    `json:"reference,omitempty"`
	Created      time.Time `json:"created,omitzero" doc:"read-only"`
}

// Validate checks the fields a user sets.
func (s *RiskSupport) Validate() error {
	s.Component, s.Reference = strings.TrimSpace(s.Component), strings.TrimSpace(s.Reference)
	if s.ProductID <= 0 {
		return Invalid("product_id", "choose the product")
	}
	if s.EndOfSupport.IsZero() {
		return Invalid("end_of_support", "give the date")
	}
	if s.Source == "" {
		s.Source = SupportEntered
	}
	if !slices.Contains(SupportSources, s.Source) {
		return Invalid("source", "unknown source %q (allowed: %s)", s.Source, strings.Join(SupportSources, ", "))
	}
	if err := maxLen("component", s.Component, 200); err != nil {
		return err
	}
	return maxLen("reference", s.Reference, 500)
}

// RiskKeep marks a device that must stay in service (a clinical constraint); the plan leaves it out.
type RiskKeep struct {
	ID      int64      `json:"id" doc:"read-only"`
	AssetID int64      `json:"asset_id"`
	Reason  string     `json:"reason"`
	Until   *time.Time `json:"until,omitempty" doc:"stays until this date; empty: for the whole plan"`
	Created time.Time  `json:"created,omitzero" doc:"read-only"`
	Asset   string     `json:"asset,omitempty" doc:"read-only"`
}

// Validate checks the fields a user sets.
func (k *RiskKeep) Validate() error {
	k.Reason = strings.TrimSpace(k.Reason)
	if k.AssetID <= 0 {
		return Invalid("asset_id", "choose the device")
	}
	if k.Reason == "" {
		return Invalid("reason", "say why the device must stay")
	}
	return maxLen("reason", k.Reason, 1000)
}

// RiskGroup is a set of models that must be replaced together.
type RiskGroup struct {
	ID         int64     `json:"id" doc:"read-only"`
	Name       string    `json:"name"`
	Reason     string    `json:"reason,omitempty"`
	ProductIDs []int64   `json:"product_ids"`
	Products   []string  `json:"products,omitempty" doc:"read-only"`
	Created    time.Time `json:"created,omitzero" doc:"read-only"`
}

// Validate checks the fields a user sets.
func (g *RiskGroup) Validate() error {
	g.Name, g.Reason = strings.TrimSpace(g.Name), strings.TrimSpace(g.Reason)
	if g.Name == "" {
		return Invalid("name", "give the group a name")
	}
	if len(g.ProductIDs) < 2 {
		return Invalid("product_ids", "a group needs at least two models")
	}
	if err := maxLen("name", g.Name, 200); err != nil {
		return err
	}
	return maxLen("reason", g.Reason, 1000)
}

// RiskAsset is what risk scoring and planning need of one installed device, in one row.
type RiskAsset struct {
	ID               int64
	Tag              string // asset tag, else "S/N …"
	ProductVersionID int64
	ProductID        int64
	Product          string
	ManufacturerID   int64
	Manufacturer     string
	Version          string
	OperatingSystem  string
	VersionEOS       *time.Time
	ProductEOS       *time.Time
	DepartmentID     int64
	Department       string
	Zone             string
	Exposure         Exposure // "" when the asset has no zone
	Criticality      Criticality
	PatientData      bool
	Cost             Money // the asset's override, else 0
	ProductCost      Money
	Category         string
}

// RiskSnapshot is one daily total: of the organisation (Dimension "total"), a department or a
// manufacturer.
type RiskSnapshot struct {
	Day            string  `json:"day"`       // YYYY-MM-DD
	Dimension      string  `json:"dimension"` // total, department or manufacturer
	Name           string  `json:"name,omitempty"`
	Risk           float64 `json:"risk"`
	Assets         int     `json:"assets"`
	Legacy         int     `json:"legacy"`
	KEV            int     `json:"kev"`
	WeightsVersion string  `json:"weights_version"`
	FormulaVersion string  `json:"formula_version"`
}
