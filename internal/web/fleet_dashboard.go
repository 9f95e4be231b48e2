package web

import (
	"fmt"
	"strconv"

	"github.com/vigil-med/vigil/internal/domain"
)

// fleetDashboard is the vulnerability card (second on the dashboard, after the reporting clocks): open
// findings, those on known exploited vulnerabilities, those nobody has looked at, overdue decisions, and
// the most urgent findings (KEV first, then severity). nil until the fleet matching has run.
func fleetDashboard(c *Ctx) (*dashCard, error) {
	ctx := c.R.Context()
	h, err := c.Scope.FleetHandling(ctx, c.Now())
	if err != nil || !h.Matched {
		return nil, err
	}
	untriaged, err := c.Scope.FleetFindings(ctx, domain.FindingFilter{States: []string{domain.FindingNew}, ListParams: domain.ListParams{Limit: 1}})
	if err != nil {
		return nil, err
	}
	urgent, err := c.Scope.FleetFindings(ctx, domain.FindingFilter{States: []string{domain.FindingNew, domain.FindingInTriage, domain.FindingExploitable},
		ListParams: domain.ListParams{Limit: 4}})
	if err != nil {
		return nil, err
	}
	state := func(bad bool, ifBad string) string {
		if bad {
			return ifBad
		}
		return "ok"
	}
	card := &dashCard{ID: "vulnerabilities", Title: "Vulnerabilities", Link: "/vulnerabilities", LinkText: "All findings",
		Attention: h.KEVOpen > 0 || h.Overdue > 0,
		Figures: []dashFigure{
			{Value: strconv.Itoa(h.KEVOpen), Label: "open findings on known exploited vulnerabilities (CISA or EU KEV)", Link: "/vulnerabilities?kev=1", State: state(h.KEVOpen > 0, "bad")},
			{Value: strconv.Itoa(untriaged.Total), Label: "findings nobody has triaged yet", Link: "/vulnerabilities?state=new", State: state(untriaged.Total > 0, "warn")},
			{Value: strconv.Itoa(h.Overdue), Label: "overdue: accepted risks past review, KEV past CISA's due date", Link: "/vulnerabilities", State: state(h.Overdue > 0, "bad")},
			{Value: strconv.Itoa(h.Open), Label: "open findings in all", Link: "/vulnerabilities"},
		}}
	for _, f := range urgent.Items {
		badge, class := f.Severity, "warn"
		if f.CISAKEV || f.EUKEV {
			badge, class = "KEV", "bad"
		}
		what := f.Component()
		if what == "" {
			what = "the product"
		}
		card.Items = append(card.Items, dashItem{Badge: badge, BadgeClass: class, Link: fmt.Sprintf("/vulnerabilities/findings/%d", f.ID),
			Text: fmt.Sprintf("%s in %s of %s %s %s (%d installed)", f.VulnID, what, f.Manufacturer, f.Product, f.Version, f.Installed)})
	}
	return card, nil
}
