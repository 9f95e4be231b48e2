package web

import (
	"html/template"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/web/chart"
)

// inventoryFigures are the inventory's part of the dashboard.
type inventoryFigures struct {
	Stats          domain.InventoryStats
	LifeSustaining int
	ByCriticality  []labelled // in the order of the scale, with the filter that lists them
	ByExposure     []labelled
	Chart          template.HTML
}

type labelled struct {
	Label, Class, Query string
	N                   int
}

func inventoryDashboard(c *Ctx) (inventoryFigures, error) {
	var f inventoryFigures
	st, err := c.Scope.InventoryStats(c.R.Context(), c.today())
	if err != nil || st.Devices == 0 {
		f.Stats = st
		return f, err
	}
	f.Stats, f.LifeSustaining = st, st.ByCriticality[domain.CritLifeSustaining]
	var labels []string
	var values []float64
	for _, crit := range domain.Criticalities {
		n := st.ByCriticality[crit]
		f.ByCriticality = append(f.ByCriticality, labelled{crit.Label(), critClass(crit), "criticality=" + string(crit), n})
		labels, values = append(labels, crit.Label()), append(values, float64(n))
	}
	for _, e := range domain.Exposures {
		if n := st.ByExposure[e]; n > 0 {
			f.ByExposure = append(f.ByExposure, labelled{e.Label(), expClass(e), "exposure=" + string(e), n})
		}
	}
	if n := st.ByExposure[""]; n > 0 {
		f.ByExposure = append(f.ByExposure, labelled{"No zone", "", "", n})
	}
	f.Chart = chart.HBars("Devices by clinical criticality", labels, values, nil)
	return f, nil
}
