package store

import (
	"context"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// InventoryCoverage says how completely the installed devices are recorded, for the NIS2 Art 21(2)(i)
// evidence of the inventory module. Retired devices are never counted; devices in a zone whose
// exposure is standalone (explicitly not networked) are counted apart in Standalone and left out of
// every other figure. Devices without a zone count as networked: nobody said they are not.
type InventoryCoverage struct {
	Today      domain.Date
	Devices    int // installed networked devices
	Standalone int // installed devices recorded as not networked (left out)
	// Of Devices: with a product version whose version text is known (manufacturer and product always
	// are); with a location (room); with a network zone; with a clinical criticality (required by the
	// inventory, so equal to Devices unless data bypassed it).
	Identified, Located, Zoned, WithCriticality int
	// Of Devices: past their end of support on Today, and without a known end of support.
	PastSupport, UnknownSupport int
}

// InventoryCoverage computes the coverage figures on the day today, grouping the devices over the
// assets table alone and looking up the few versions and zones afterwards.
func (sc *Scope) InventoryCoverage(ctx context.Context, today domain.Date) (InventoryCoverage, error) {
	c := InventoryCoverage{Today: today}
	type zone struct{ standalone bool }
	zones := map[int64]zone{}
	zs, err := sc.Zones(ctx)
	if err != nil {
		return c, err
	}
	for _, z := range zs {
		zones[z.ID] = zone{standalone: z.Exposure == domain.ExposureStandalone}
	}
	type version struct {
		known      bool
		vEOS, pEOS *time.Time
	}
	versions := map[int64]version{}
	type vrow struct {
		id         int64
		v          string
		vEOS, pEOS *time.Time
	}
	vrows, err := queryAll(ctx, sc.Q, func(r interface{ Scan(...any) error }) (vrow, error) {
		var x vrow
		err := r.Scan(&x.id, &x.v, &x.vEOS, &x.pEOS)
		return x, err
	}, `SELECT pv.id, pv.version, pv.end_of_support, p.end_of_support FROM product_versions pv JOIN products p ON p.id = pv.product_id
		WHERE pv.org_id = ?`, sc.org)
	if err != nil {
		return c, err
	}
	for _, x := range vrows {
		versions[x.id] = version{known: x.v != "", vEOS: x.vEOS, pEOS: x.pEOS}
	}
	type group struct {
		version, zone   int64
		located, critic bool
		n               int
	}
	groups, err := queryAll(ctx, sc.Q, func(r interface{ Scan(...any) error }) (group, error) {
		var g group
		var loc, crit int
		err := r.Scan(&g.version, &g.zone, &loc, &crit, &g.n)
		g.located, g.critic = loc == 1, crit == 1
		return g, err
	}, `SELECT product_version_id, COALESCE(zone_id, 0), CASE WHEN location_id IS NULL THEN 0 ELSE 1 END,
		CASE WHEN criticality <> '' THEN 1 ELSE 0 END, COUNT(*)
		FROM assets WHERE org_id = ? AND status <> 'retired'
		GROUP BY product_version_id, zone_id, CASE WHEN location_id IS NULL THEN 0 ELSE 1 END, CASE WHEN criticality <> '' THEN 1 ELSE 0 END`, sc.org)
	if err != nil {
		return c, err
	}
	for _, g := range groups {
		if zones[g.zone].standalone {
			c.Standalone += g.n
			continue
		}
		c.Devices += g.n
		v := versions[g.version]
		if v.known {
			c.Identified += g.n
		}
		if g.located {
			c.Located += g.n
		}
		if g.zone != 0 {
			c.Zoned += g.n
		}
		if g.critic {
			c.WithCriticality += g.n
		}
		eos := dateOf(v.vEOS)
		if eos.IsZero() {
			eos = dateOf(v.pEOS)
		}
		switch domain.SupportOf(eos, today) {
		case domain.SupportPast:
			c.PastSupport += g.n
		case domain.SupportUnknown:
			c.UnknownSupport += g.n
		}
	}
	return c, nil
}
