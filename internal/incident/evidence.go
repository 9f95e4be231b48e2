package incident

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/regulation"
	"github.com/vigil-med/vigil/internal/store"
)

// EvidencePeriod is the period the incident evidence covers: the twelve months up to the moment it is
// drawn.
const EvidencePeriod = 12 // months

// Evidence expresses the incident figures of a period as automatic evidence of kind incident-records
// for NIS2 Art 21(2)(b) (the figures that kind defines in regulation's data/nis2-measures.yaml):
//
//   - incidents: real incidents the organisation became aware of in the period (exercises never count);
//   - significant: of them, those significant under Art 23(3) (the NIS2 early warning applies);
//   - reports_on_time: of their reporting deadlines that fell due or were submitted, the share
//     submitted by the due time (omitted while none has fallen due);
//   - reviews_done: of the incidents closed in the period, the share with a post-incident review
//     (omitted while none was closed).
//
// The source sentence adds what the kind has no figure for: open and closed counts, the share of
// incidents with every deadline met, the median time to the early warning and the latest incident.
func Evidence(f store.IncidentRecordFigures, loc *time.Location) regulation.Evidence {
	figs := []regulation.Figure{
		{Name: "incidents", Value: float64(f.Incidents), Unit: "count"},
		{Name: "significant", Value: float64(f.Significant), Unit: "count"},
	}
	if f.DeadlinesDue > 0 {
		figs = append(figs, regulation.Figure{Name: "reports_on_time", Value: percent(f.DeadlinesOnTime, f.DeadlinesDue), Unit: "percent"})
	}
	if f.ClosedInPeriod > 0 {
		figs = append(figs, regulation.Figure{Name: "reviews_done", Value: percent(f.Reviewed, f.ClosedInPeriod), Unit: "percent"})
	}
	if loc == nil {
		loc = time.UTC
	}
	day := func(t time.Time) string { return t.In(loc).Format("2 Jan 2006") }
	var b strings.Builder
	fmt.Fprintf(&b, "Vigil incident records, real incidents only (exercises excluded), %s – %s: %d recorded (%d open, %d closed), %d significant under NIS2 Art 23(3)",
		day(f.From), day(f.To), f.Incidents, f.Open, f.Closed, f.Significant)
	if f.WithDeadlines > 0 {
		fmt.Fprintf(&b, "; %d of %d reporting deadlines due were met, %d of %d incidents met every deadline", f.DeadlinesOnTime, f.DeadlinesDue,
			f.AllOnTime, f.WithDeadlines)
	} else {
		b.WriteString("; no reporting deadline has fallen due yet")
	}
	if len(f.EarlyWarningHours) > 0 {
		fmt.Fprintf(&b, "; median time from awareness to the early warning %s h (%s)", formatHours(regulation.Median(f.EarlyWarningHours)),
			plural(len(f.EarlyWarningHours), "incident"))
	}
	if f.ClosedInPeriod > 0 {
		fmt.Fprintf(&b, "; %d of %d incidents closed in the period have a post-incident review", f.Reviewed, f.ClosedInPeriod)
	}
	if f.Last != nil {
		fmt.Fprintf(&b, "; latest incident %s (%d recorded in all)", day(*f.Last), f.Recorded)
	}
	return regulation.Evidence{Kind: regulation.EvidenceIncidents, Measure: "nis2.21.2.b", AsOf: f.To, Figures: figs, Source: b.String()}
}

// ComplianceEvidence is the provider of incident-records evidence in the shape of the compliance
// module's EvidenceProvider: the figures of the EvidencePeriod months up to now. ok is false while the
// organisation has recorded no real incident at all (an exercise is not one).
func ComplianceEvidence(ctx context.Context, sc *store.Scope) (regulation.Evidence, bool, error) {
	return EvidenceAt(ctx, sc, time.Now())
}

// EvidenceAt is ComplianceEvidence at the instant now.
func EvidenceAt(ctx context.Context, sc *store.Scope, now time.Time) (regulation.Evidence, bool, error) {
	to := store.TS(now)
	f, err := sc.IncidentRecordFigures(ctx, to.AddDate(0, -EvidencePeriod, 0), to)
	if err != nil || f.Recorded == 0 {
		return regulation.Evidence{}, false, err
	}
	org, err := sc.Organisation(ctx)
	if err != nil {
		return regulation.Evidence{}, false, err
	}
	return Evidence(f, org.Location()), true, nil
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func percent(n, of int) float64 {
	return math.Round(1000*float64(n)/float64(of)) / 10
}

func formatHours(h float64) string {
	if h == math.Trunc(h) {
		return fmt.Sprintf("%.0f", h)
	}
	return fmt.Sprintf("%.1f", h)
}
