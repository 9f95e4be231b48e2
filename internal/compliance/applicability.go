package compliance

import (
	"context"
	"sort"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/regulation"
	"github.com/vigil-med/vigil/internal/store"
)

// OverlayInfo says which national overlay applies to the organisation and where its data lives.
type OverlayInfo struct {
	Country string `json:"country"`
	// Overlay is nil when the country has none (EU rules only).
	Overlay *regulation.Overlay `json:"overlay,omitempty"`
	// File is the overlay's data file in the source tree (embedded in the binary).
	File string `json:"file,omitempty"`
	// Available lists the countries with an overlay.
	Available []string `json:"available"`
}

// OverlayFor describes the overlay of a country.
func OverlayFor(country string) OverlayInfo {
	info := OverlayInfo{Country: country, Available: []string{}}
	for _, o := range regulation.Overlays() {
		info.Available = append(info.Available, o.Country)
	}
	if country == "" {
		return info
	}
	if o, ok := regulation.OverlayFor(country); ok {
		info.Overlay, info.File = &o, OverlayFile(o.Country)
	}
	return info
}

// KeyDate is a dated milestone of a law, for the deadline list.
type KeyDate struct {
	Law  string `json:"law"`
	Name string `json:"name"`
	regulation.KeyDate
}

// Applicability is which law applies to the organisation and its products, with the overlay and the key
// dates of the laws that apply or may apply.
type Applicability struct {
	Profile    domain.RegulatoryProfile `json:"profile"`
	Assessment regulation.Assessment    `json:"assessment"`
	Overlay    OverlayInfo              `json:"overlay"`
	// ProductsWired is false while no module provides the organisation's products.
	ProductsWired bool      `json:"products_wired"`
	Dates         []KeyDate `json:"dates"`
}

// OrgApplicability assesses the organisation (from its regulatory profile) and its products (from the
// registry's product source) at the given time.
func OrgApplicability(ctx context.Context, sc *store.Scope, reg *Registry, at time.Time) (Applicability, error) {
	p, err := Profile(ctx, sc)
	if err != nil {
		return Applicability{}, err
	}
	products, wired, err := reg.Products(ctx, sc)
	if err != nil {
		return Applicability{}, err
	}
	a := Assess(p, products, at)
	a.ProductsWired = wired
	return a, nil
}

// Assess assesses a profile and products (given directly, e.g. a product to check) at the given time.
func Assess(p domain.RegulatoryProfile, products []regulation.Product, at time.Time) Applicability {
	info := OverlayFor(p.Country)
	as := regulation.Assess(OrgProfile(p), products, info.Overlay, at)
	a := Applicability{Profile: p, Assessment: as, Overlay: info, Dates: []KeyDate{}}
	seen := map[string]bool{}
	add := func(la regulation.LawApplicability) {
		if la.Applies == regulation.DoesNotApply {
			return
		}
		for _, d := range la.Dates {
			if k := la.Law + d.Date; !seen[k] {
				seen[k] = true
				a.Dates = append(a.Dates, KeyDate{Law: la.Law, Name: la.Name, KeyDate: d})
			}
		}
	}
	for _, la := range as.Organisation {
		add(la)
	}
	for _, pa := range as.Products {
		for _, la := range pa.Laws {
			add(la)
		}
	}
	sort.SliceStable(a.Dates, func(i, j int) bool { return a.Dates[i].Date < a.Dates[j].Date })
	return a
}

// Law returns the organisation-level result of one law ("nis2", "gdpr").
func (a Applicability) Law(id string) (regulation.LawApplicability, bool) {
	for _, la := range a.Assessment.Organisation {
		if la.Law == id {
			return la, true
		}
	}
	return regulation.LawApplicability{}, false
}
