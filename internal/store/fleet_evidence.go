package store

import (
	"context"
	"time"
)

// FleetHandlingFigures are the organisation's vulnerability-handling figures for NIS2 Art 21(2)(e).
type FleetHandlingFigures struct {
	Matched       bool // the fleet matching has run at least once (else the figures mean nothing yet)
	Open          int  // findings still open: matched, not suppressed by VEX, not not_affected or fixed
	KEVOpen       int  // of those, on a vulnerability in CISA's or the EU's KEV list
	Overdue       int  // accepted risks past their review date, and KEV findings not yet mitigated past CISA's due date
	KEVRemediated []time.Duration
}

// FleetHandling computes the vulnerability-handling figures at now. A KEV finding counts as remediated
// when its state became mitigated or fixed (the time from first detection to that decision), or when a
// re-match no longer produced it (the product version was updated or the SBOM corrected).
func (sc *Scope) FleetHandling(ctx context.Context, now time.Time) (FleetHandlingFigures, error) {
	var f FleetHandlingFigures
	n, err := sc.Count(ctx, "SELECT COUNT(*) FROM fleet_match_state WHERE org_id = ?", sc.org)
	if err != nil || n == 0 {
		return f, err
	}
	f.Matched = true
	if sc.outsideTx() {
		if g, ok, err := sc.fleetHandlingIndexed(ctx, now, f); ok || err != nil {
			return g, err
		}
	}
	// in a transaction, or an organisation over the index's budget
	idx, err := sc.transientFindingIndex(ctx)
	if err != nil {
		return f, err
	}
	return idx.handling(now, f), nil
}
