package inventory

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/regulation"
	"github.com/vigil-med/vigil/internal/store"
)

// Evidence expresses the inventory's coverage as automatic evidence of kind asset-inventory-coverage for
// NIS2 Art 21(2)(i) (the figures of that kind in regulation's data/nis2-measures.yaml):
//
//   - devices_total: installed networked devices (not retired, not recorded as standalone);
//   - devices_identified: of them, with manufacturer, product and a known software version;
//   - coverage: devices_identified / devices_total in percent;
//   - devices_located, devices_zoned, devices_with_criticality: with a room, a network zone and a
//     clinical criticality recorded;
//   - past_support: devices past their end of support, in percent of devices_total.
//
// The source sentence gives the day and what the figures leave out.
func Evidence(c store.InventoryCoverage, asOf time.Time) regulation.Evidence {
	pct := func(n int) float64 { return math.Round(1000*float64(n)/float64(c.Devices)) / 10 }
	src := fmt.Sprintf("Vigil device inventory on %s: %d installed networked devices, %d with a known software version, %d with a room, "+
		"%d in a network zone, %d with a clinical criticality; %d past their end of support, %d without a known end of support. "+
		"Not counted: retired devices and devices recorded as not networked (%d); devices without a zone count as networked",
		c.Today, c.Devices, c.Identified, c.Located, c.Zoned, c.WithCriticality, c.PastSupport, c.UnknownSupport, c.Standalone)
	return regulation.Evidence{
		Kind: regulation.EvidenceAssetInventory, Measure: "nis2.21.2.i", AsOf: asOf, Source: src,
		Figures: []regulation.Figure{
			{Name: "devices_total", Value: float64(c.Devices), Unit: "count"},
			{Name: "devices_identified", Value: float64(c.Identified), Unit: "count"},
			{Name: "coverage", Value: pct(c.Identified), Unit: "percent"},
			{Name: "devices_located", Value: float64(c.Located), Unit: "count"},
			{Name: "devices_zoned", Value: float64(c.Zoned), Unit: "count"},
			{Name: "devices_with_criticality", Value: float64(c.WithCriticality), Unit: "count"},
			{Name: "past_support", Value: pct(c.PastSupport), Unit: "percent"},
		},
	}
}

// CoverageEvidence is the provider of asset-inventory-coverage evidence in the shape of the compliance
// module's EvidenceProvider: the coverage on today in the organisation's time zone. ok is false while the
// inventory has no installed networked device.
func CoverageEvidence(ctx context.Context, sc *store.Scope) (regulation.Evidence, bool, error) {
	return CoverageEvidenceAt(ctx, sc, time.Now())
}

// CoverageEvidenceAt is CoverageEvidence at the instant now.
func CoverageEvidenceAt(ctx context.Context, sc *store.Scope, now time.Time) (regulation.Evidence, bool, error) {
	org, err := sc.Organisation(ctx)
	if err != nil {
		return regulation.Evidence{}, false, err
	}
	c, err := sc.InventoryCoverage(ctx, domain.DateOf(now.In(org.Location())))
	if err != nil || c.Devices == 0 {
		return regulation.Evidence{}, false, err
	}
	return Evidence(c, store.TS(now)), true, nil
}
