package riskmgr

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vigil-med/vigil/internal/lifecycle"
	"github.com/vigil-med/vigil/internal/report/pdf"
)

// FundingCase renders the replacement plan as a funding case for the board or a funding programme:
// what is replaced and why (risk, end of support, known exploited vulnerabilities, the legal duties
// under NIS2 Art. 21 and the MDR), the cost per year, the risk removed, and what remains and how it is
// compensated.
func FundingCase(p PlanResult, m pdf.Meta) ([]byte, error) {
	if m.Title == "" {
		m.Title = "Funding case: replacement of legacy medical technology"
	}
	if m.Subtitle == "" && len(p.Years) > 0 {
		m.Subtitle = fmt.Sprintf("Replacement plan %d–%d", p.Years[0].CalendarYear, p.Years[len(p.Years)-1].CalendarYear)
	}
	d := pdf.New(m)
	replaced, kev, ended := 0, 0, 0
	for _, y := range p.Years {
		for _, it := range y.Items {
			replaced++
			ar := p.Assets[it.Asset]
			if ar.KEV > 0 {
				kev++
			}
			if ar.Legacy.Status == lifecycle.StatusEnded {
				ended++
			}
		}
	}
	removed := p.RiskBefore - p.RiskAfter
	share := 0.0
	if p.RiskBefore > 0 {
		share = 100 * removed / p.RiskBefore
	}
	d.Figures([][2]string{
		{money(p.Spend), fmt.Sprintf("over %d years", len(p.Years))},
		{fmt.Sprintf("%.0f %%", share), "of the device risk removed"},
		{fmt.Sprintf("%d", replaced), "devices replaced"},
		{fmt.Sprintf("%d", ended), "of them past end of support"},
	})
	d.H1("Summary")
	d.P(fmt.Sprintf("The hospital's installed medical devices carry a risk of %.1f points (the sum of the device scores under formula %s, weights %s). "+
		"With a budget of %s the plan replaces %d devices and removes %.1f points (%.0f %%); %.1f points remain, each device with its compensating controls listed below. "+
		"The plan removes the most risk for the money, the largest risks first (method: %s%s).",
		p.RiskBefore, p.FormulaVersion, p.WeightsVersion, budgetText(p), replaced, removed, share, p.RiskAfter, p.Method, gapText(p.Gap)))
	d.H2("Why now: legal duties")
	d.Bullets([]string{
		"NIS2 Directive (EU) 2022/2555, Art. 21(1) and (2)(e): essential and important entities, hospitals among them, must take appropriate measures for security in the acquisition, development and maintenance of network and information systems, including vulnerability handling; Art. 20 makes the management body approve and oversee them.",
		"NIS2 Art. 21(2)(a) and (2)(i): risk analysis and asset management; devices without security updates are a known, documented risk.",
		"MDR (EU) 2017/745, Annex I §17.2 and §17.4: devices are designed with IT security in mind and manufacturers state minimum IT security measures; once the manufacturer ends support, the hospital alone carries the risk of operating the device (Art. 2(1) intended use and the operator duties under national law, e.g. MPBetreibV §4 in Germany).",
		fmt.Sprintf("Known exploited vulnerabilities (CISA KEV, EU KEV): %d of the devices to replace have open findings listed as exploited in the wild.", kev),
	})
	d.PageBreak()
	d.H1("Plan by year")
	var bars []pdf.Bar
	for _, y := range p.Years {
		bars = append(bars, pdf.Bar{Label: fmt.Sprintf("%d", y.CalendarYear), Values: []float64{y.RiskRemoved, y.RiskRemaining}})
	}
	d.BarChart("Risk removed and remaining by year", []string{"removed this year", "remaining at year end"}, bars, func(v float64) string { return fmt.Sprintf("%.0f", v) })
	var rows [][]string
	for _, y := range p.Years {
		rows = append(rows, []string{fmt.Sprintf("%d (%d)", y.Year, y.CalendarYear), money(y.Budget), money(y.Spend), fmt.Sprintf("%d", len(y.Items)),
			fmt.Sprintf("%.1f", y.RiskRemoved), fmt.Sprintf("%.1f", y.RiskRemaining)})
	}
	d.Table([]string{"Year", "Budget", "Spend", "Devices", "Risk removed", "Risk remaining"}, []float64{1.2, 1.3, 1.3, 0.8, 1, 1}, rows)

	d.H1("What is replaced, and why")
	for _, y := range p.Years {
		d.H2(fmt.Sprintf("Year %d (%d): %s, risk removed %.1f", y.Year, y.CalendarYear, money(y.Spend), y.RiskRemoved))
		// Group the year's devices by model for a readable table.
		type line struct {
			model, dept string
			n           int
			cost, risk  float64
			why         string
		}
		lines := map[string]*line{}
		var keys []string
		for _, it := range y.Items {
			ar := p.Assets[it.Asset]
			model := strings.TrimSpace(ar.Asset.Manufacturer + " " + ar.Asset.Product + " " + ar.Asset.Version)
			l, ok := lines[model]
			if !ok {
				why := strings.TrimSuffix(ar.Legacy.Summary(), ".")
				if ar.Legacy.Status != lifecycle.StatusEnded {
					why = "open findings"
				}
				if ar.KEV > 0 {
					why += fmt.Sprintf("; %d KEV", ar.KEV)
				}
				l = &line{model: model, dept: ar.Asset.Department, why: why}
				lines[model] = l
				keys = append(keys, model)
			}
			l.n++
			l.cost += it.Cost
			l.risk += it.RiskRemoved
		}
		sort.SliceStable(keys, func(i, j int) bool { return lines[keys[i]].risk > lines[keys[j]].risk })
		var rs [][]string
		for _, k := range keys {
			l := lines[k]
			rs = append(rs, []string{pdf.Clip(l.model, 48), fmt.Sprintf("%d", l.n), money(l.cost), fmt.Sprintf("%.1f", l.risk), pdf.Clip(l.why, 90)})
		}
		if len(rs) == 0 {
			d.Note("Nothing fits this year's budget.")
			continue
		}
		d.Table([]string{"Model", "Devices", "Cost", "Risk removed", "Why"}, []float64{2.4, 0.7, 1, 1.1, 3.4}, rs)
	}

	d.H1("What remains, and how it is compensated")
	if len(p.Remaining) == 0 {
		d.P("No device with risk remains after the plan.")
	} else {
		d.P(fmt.Sprintf("%d devices with risk stay in service after the plan. Their compensating controls lower the exposure part of their score; controls with an overdue review count half, and nothing once 90 days overdue.", len(p.Remaining)))
		var rs [][]string
		for i, r := range p.Remaining {
			if i == 60 {
				d.Note(fmt.Sprintf("Only the 60 highest of %d remaining devices are listed.", len(p.Remaining)))
				break
			}
			rs = append(rs, []string{r.Asset, pdf.Clip(r.Product, 40), fmt.Sprintf("%.1f", r.Risk), pdf.Clip(r.Reason, 60), pdf.Clip(r.Compensation, 80)})
		}
		d.Table([]string{"Device", "Model", "Risk", "Why it stays", "Compensation"}, []float64{1.1, 2, 0.6, 2.3, 3}, rs)
	}
	d.H2("How the risk is computed")
	d.P("Each device's risk (0–100) combines its open vulnerabilities (CVSS severity, EPSS and KEV evidence) with the exposure of its network zone reduced by compensating controls, and the clinical impact (criticality, patient safety, patient data). A device past its end of support carries a baseline term (" + LegacyTerm + ") even without recorded findings, since new vulnerabilities will not be fixed. The formula and every weight are versioned; see docs/risk.md.")
	d.SignOff("Approved", []string{"Chief information security officer", "Head of medical engineering", "Management board"})
	return d.Bytes()
}

func money(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return "€ " + b.String()
}

func budgetText(p PlanResult) string {
	if len(p.Request.Budgets) > 0 {
		var parts []string
		for _, b := range p.Request.Budgets {
			parts = append(parts, money(b))
		}
		return strings.Join(parts, ", ") + " per year"
	}
	return fmt.Sprintf("%s per year over %d years", money(p.Request.BudgetPerYear), p.Request.Years)
}

func gapText(gap float64) string {
	if gap <= 0 {
		return ", proven optimal"
	}
	return fmt.Sprintf(", within %.1f %% of the best possible", 100*gap)
}
