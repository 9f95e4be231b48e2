package riskmgr

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/lifecycle"
	"github.com/vigil-med/vigil/internal/risk"
)

// LegacyEntry is one device of the legacy register: past or near its end of support, why, since when
// and what compensates.
type LegacyEntry struct {
	AssetID      int64                `json:"asset_id"`
	Asset        string               `json:"asset"`
	Manufacturer string               `json:"manufacturer"`
	Product      string               `json:"product"`
	Version      string               `json:"version,omitempty"`
	OS           string               `json:"operating_system,omitempty"`
	Department   string               `json:"department,omitempty"`
	Zone         string               `json:"zone,omitempty"`
	Status       lifecycle.Status     `json:"status"` // ended or ending-soon
	Since        string               `json:"since,omitempty"`
	Summary      string               `json:"summary"`
	Reasons      []string             `json:"reasons"`
	Controls     []domain.RiskControl `json:"controls"`
	Compensation string               `json:"compensation"` // the controls in one phrase, or "none recorded"
	Overdue      int                  `json:"overdue_reviews"`
	Risk         float64              `json:"risk"`
	Band         risk.Band            `json:"band"`
	KEV          int                  `json:"kev"`
	MustStay     string               `json:"must_stay,omitempty"` // the reason when the device must stay
}

// Compensation describes a device's controls in one phrase, e.g. "segmentation (VLAN 230); firewall
// (review overdue since 2026-01-31)", or "none recorded".
func Compensation(cs []domain.RiskControl, now time.Time) string {
	if len(cs) == 0 {
		return "none recorded"
	}
	var parts []string
	for _, c := range cs {
		p := c.Kind + " (" + c.Description
		if c.Overdue(now) {
			p += "; review overdue since " + c.ReviewDue.Format(time.DateOnly)
		}
		parts = append(parts, p+")")
	}
	return strings.Join(parts, "; ")
}

// LegacyRegister lists the devices past their end of support (ended first, earliest first) and then
// those whose support ends within the window.
func (a Assessment) LegacyRegister() []LegacyEntry {
	out := []LegacyEntry{}
	for _, ar := range a.Assets {
		if !ar.Legacy.Legacy {
			continue
		}
		e := LegacyEntry{AssetID: ar.Asset.ID, Asset: ar.Asset.Tag, Manufacturer: ar.Asset.Manufacturer, Product: ar.Asset.Product,
			Version: ar.Asset.Version, OS: ar.Asset.OperatingSystem, Department: ar.Asset.Department, Zone: ar.Asset.Zone,
			Status: ar.Legacy.Status, Summary: ar.Legacy.Summary(), Reasons: ar.Legacy.Reasons, Controls: ar.Controls,
			Compensation: Compensation(ar.Controls, a.AsOf), Risk: ar.Score.Score, Band: ar.Score.Band, KEV: ar.KEV}
		if e.Controls == nil {
			e.Controls = []domain.RiskControl{}
		}
		if !ar.Legacy.Since.IsZero() {
			e.Since = ar.Legacy.Since.Format(time.DateOnly)
		}
		for _, c := range ar.Controls {
			if c.Overdue(a.AsOf) {
				e.Overdue++
			}
		}
		if ar.Keep != nil {
			e.MustStay = ar.Keep.Reason
		}
		out = append(out, e)
	}
	slices.SortStableFunc(out, func(x, y LegacyEntry) int {
		if c := cmp.Compare(rank(x.Status), rank(y.Status)); c != 0 {
			return c
		}
		if c := cmp.Compare(x.Since, y.Since); c != 0 {
			return c
		}
		if c := cmp.Compare(y.Risk, x.Risk); c != 0 {
			return c
		}
		return cmp.Compare(x.Asset, y.Asset)
	})
	return out
}

func rank(s lifecycle.Status) int {
	if s == lifecycle.StatusEnded {
		return 0
	}
	return 1
}

// Share is a count of devices and how many of them are legacy, for one department or manufacturer.
type Share struct {
	Name   string  `json:"name"`
	Assets int     `json:"assets"`
	Legacy int     `json:"legacy"`
	Risk   float64 `json:"risk"`
	KEV    int     `json:"kev"`
}

// Percent is the legacy share in percent.
func (s Share) Percent() float64 {
	if s.Assets == 0 {
		return 0
	}
	return 100 * float64(s.Legacy) / float64(s.Assets)
}

// By groups the devices by department ("department") or manufacturer ("manufacturer"), highest risk
// first.
func (a Assessment) By(dimension string) []Share {
	m := map[string]*Share{}
	for _, ar := range a.Assets {
		name := ar.Asset.Manufacturer
		if dimension == "department" {
			name = ar.Asset.Department
			if name == "" {
				name = "(no department)"
			}
		}
		s, ok := m[name]
		if !ok {
			s = &Share{Name: name}
			m[name] = s
		}
		s.Assets++
		s.Risk += ar.Score.Score
		if ar.Legacy.Status == lifecycle.StatusEnded {
			s.Legacy++
		}
		if ar.KEV > 0 {
			s.KEV++
		}
	}
	out := make([]Share, 0, len(m))
	for _, s := range m {
		s.Risk = round1(s.Risk)
		out = append(out, *s)
	}
	slices.SortFunc(out, func(x, y Share) int {
		if c := cmp.Compare(y.Risk, x.Risk); c != 0 {
			return c
		}
		return cmp.Compare(x.Name, y.Name)
	})
	return out
}

// Find returns the risk of one device.
func (a Assessment) Find(assetID int64) (AssetRisk, bool) {
	for _, ar := range a.Assets {
		if ar.Asset.ID == assetID {
			return ar, true
		}
	}
	return AssetRisk{}, false
}

// Why is one sentence on why a device's risk is what it is, for plans and reports.
func (ar AssetRisk) Why(now time.Time) string {
	var parts []string
	if ar.Legacy.Status == lifecycle.StatusEnded {
		parts = append(parts, strings.TrimSuffix(ar.Legacy.Summary(), "."))
	}
	findings := 0
	for _, f := range ar.Findings {
		if !IsLegacyTerm(f) {
			findings++
		}
	}
	if findings > 0 {
		parts = append(parts, fmt.Sprintf("%d open finding(s)", findings))
	}
	if ar.KEV > 0 {
		parts = append(parts, fmt.Sprintf("%d known exploited (KEV)", ar.KEV))
	}
	parts = append(parts, fmt.Sprintf("risk %.1f (%s), %s, zone %s", ar.Score.Score, ar.Score.Band, ar.Asset.Criticality, orDash(ar.Asset.Zone)))
	if len(ar.Controls) > 0 {
		parts = append(parts, "compensated by "+Compensation(ar.Controls, now))
	}
	return strings.Join(parts, "; ")
}

func orDash(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// WithSoonMonths returns a copy of the service whose "support ends soon" window is months (1–120);
// other values keep the service's window.
func (s *Service) WithSoonMonths(months int) *Service {
	c := *s
	if months >= 1 && months <= 120 {
		c.SoonMonths = months
	}
	return &c
}

// Soon is the window of "support ends soon" in months.
func (s *Service) Soon() int {
	if s.SoonMonths <= 0 {
		return 12
	}
	return s.SoonMonths
}

// OverdueControls lists the organisation's controls whose review is past due.
func (s *Service) OverdueControls(ctx context.Context, orgID int64) ([]domain.RiskControl, error) {
	cs, err := s.Store.Scope(orgID).RiskControls(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := []domain.RiskControl{}
	for _, c := range cs {
		if c.Overdue(now) {
			out = append(out, c)
		}
	}
	return out, nil
}
