package fleet

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/vigil-med/vigil/internal/regulation"
	"github.com/vigil-med/vigil/internal/store"
)

// ComplianceEvidence is the provider of vulnerability-handling evidence (NIS2 Art 21(2)(e)) in the
// shape of the compliance module's EvidenceProvider. ok is false until the fleet matching has run for
// the organisation: before that, "no open findings" would be a claim without a basis.
func ComplianceEvidence(ctx context.Context, sc *store.Scope) (regulation.Evidence, bool, error) {
	return EvidenceAt(ctx, sc, time.Now())
}

// EvidenceAt is ComplianceEvidence at the instant now.
func EvidenceAt(ctx context.Context, sc *store.Scope, now time.Time) (regulation.Evidence, bool, error) {
	f, err := sc.FleetHandling(ctx, now)
	if err != nil || !f.Matched {
		return regulation.Evidence{}, false, err
	}
	figs := []regulation.Figure{
		{Name: "findings_open", Value: float64(f.Open), Unit: "count"},
		{Name: "kev_findings_open", Value: float64(f.KEVOpen), Unit: "count"},
		{Name: "findings_overdue", Value: float64(f.Overdue), Unit: "count"},
	}
	src := fmt.Sprintf("Vigil findings (installed product versions matched against the vulnerability feeds, VEX applied): %d open, %d of them on known exploited vulnerabilities (CISA or EU KEV); %d overdue (accepted risks past their review date, KEV findings not yet mitigated past CISA's due date)",
		f.Open, f.KEVOpen, f.Overdue)
	if n := len(f.KEVRemediated); n > 0 {
		days := make([]float64, n)
		for i, d := range f.KEVRemediated {
			days[i] = d.Hours() / 24
		}
		m := math.Round(10*regulation.Median(days)) / 10
		figs = append(figs, regulation.Figure{Name: "kev_median_days_to_remediate", Value: m, Unit: "days"})
		src += fmt.Sprintf("; KEV findings remediated or mitigated: %d, median %.1f days from detection", n, m)
	} else {
		src += "; no KEV finding remediated or mitigated yet, so no time to remediate"
	}
	return regulation.Evidence{Kind: regulation.EvidenceVulnHandling, Measure: "nis2.21.2.e", AsOf: store.TS(now), Figures: figs, Source: src}, true, nil
}
