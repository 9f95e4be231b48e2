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
	return sc.fleetHandlingSQL(ctx, now, f)
}

// fleetHandlingSQL is FleetHandling in SQL: in transactions, and for an organisation with more
// findings than the lists' index may hold.
func (sc *Scope) fleetHandlingSQL(ctx context.Context, now time.Time, f FleetHandlingFigures) (FleetHandlingFigures, error) {
	open := "f.gone IS NULL AND f.active = ? AND f.state NOT IN ('not_affected', 'fixed')"
	kev := "(COALESCE(vu.cisa_kev, FALSE) OR COALESCE(vu.eu_kev, FALSE))"
	err := sc.QueryRow(ctx, `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN `+kev+` THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN (f.state = 'risk_accepted' AND f.expires < ?) OR (`+kev+` AND f.state IN ('new', 'in_triage', 'exploitable') AND vu.cisa_kev_due < ?) THEN 1 ELSE 0 END), 0)
		FROM findings f LEFT JOIN vulnerabilities vu ON vu.id = f.vuln_id
		WHERE f.org_id = ? AND `+open, TS(now), TS(now), sc.org, true).Scan(&f.Open, &f.KEVOpen, &f.Overdue)
	if err != nil {
		return f, mapErr(err)
	}
	rows, err := sc.Query(ctx, `SELECT f.first_seen, f.state, f.state_changed, f.gone
		FROM findings f JOIN vulnerabilities vu ON vu.id = f.vuln_id
		WHERE f.org_id = ? AND (vu.cisa_kev OR vu.eu_kev) AND f.active = ?
		AND (f.state IN ('mitigated', 'fixed') OR f.gone IS NOT NULL)`, sc.org, true)
	if err != nil {
		return f, err
	}
	defer rows.Close()
	for rows.Next() {
		var first time.Time
		var state string
		var changed, gone *time.Time
		if err := rows.Scan(&first, &state, &changed, &gone); err != nil {
			return f, err
		}
		end := gone
		if (state == "mitigated" || state == "fixed") && changed != nil && (end == nil || changed.Before(*end)) {
			end = changed
		}
		if end != nil && !end.Before(first) {
			f.KEVRemediated = append(f.KEVRemediated, end.Sub(first))
		}
	}
	return f, rows.Err()
}
