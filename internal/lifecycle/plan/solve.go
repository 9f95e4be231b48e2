package plan

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// ErrInfeasible is returned when no plan can replace every forced candidate within the budgets.
var ErrInfeasible = errors.New("no plan replaces every forced candidate within the budgets")

// Optimise returns the plan that maximises the objective described in the package documentation.
func Optimise(in Input, opt Options) (Plan, error) {
	p, err := build(in)
	if err != nil {
		return Plan{}, err
	}
	if opt.MaxExactUnits <= 0 {
		opt.MaxExactUnits = 200
	}
	if opt.MaxNodes <= 0 {
		opt.MaxNodes = 2_000_000
	}
	s := newState(p)
	bound := s.bound(0)
	if b, ok := p.dpBound(); ok && b < bound {
		bound = b
	}

	// Two heuristics give the starting plan; the better one wins (greedy on a tie).
	g := newState(p)
	greedyOK := g.greedy()
	best, bestYears := math.Inf(-1), []int(nil)
	if greedyOK {
		best, bestYears = g.objective(), slices.Clone(g.year)
	}
	if k := newState(p); k.yearly() {
		greedyOK = true
		if v := k.objective(); bestYears == nil || v > best+tolerance(best) {
			best, bestYears = v, slices.Clone(k.year)
		}
	}
	method := MethodApproximation
	nodes := 0
	switch {
	case greedyOK && best >= bound-tolerance(bound):
		method = MethodExact // the greedy plan reaches the bound
	case len(p.units) <= opt.MaxExactUnits:
		b := &search{state: s, best: best, bestYears: bestYears, maxNodes: opt.MaxNodes}
		b.prepare()
		b.dfs(0, 0)
		nodes = b.nodes
		best, bestYears = b.best, b.bestYears
		if !b.aborted {
			method = MethodExact
			bound = best
		}
	}
	if bestYears == nil {
		return Plan{}, fmt.Errorf("plan: %w", ErrInfeasible)
	}
	if method == MethodExact {
		bound = max(best, 0)
	}
	return p.result(bestYears, method, best, bound, nodes), nil
}

func tolerance(x float64) float64 { return 1e-9 * max(1, math.Abs(x)) }

// state is a partial or complete assignment of units to years.
type state struct {
	p     *problem
	year  []int   // per unit: 0 = not replaced, else 1-based year
	spend []int64 // per year, cents
}

func newState(p *problem) *state {
	return &state{p: p, year: make([]int, len(p.units)), spend: make([]int64, p.in.Years)}
}

func (s *state) weight(y int) float64 { return float64(s.p.in.Years - y + 1) }

// fits reports whether cost c can be added in year y.
func (s *state) fits(y int, c int64) bool {
	if !s.p.in.CarryOver {
		return s.spend[y-1]+c <= s.p.budgets[y-1]
	}
	var cumB, cumS int64
	for t := range s.p.in.Years {
		cumB += s.p.budgets[t]
		cumS += s.spend[t]
		if t >= y-1 && cumS+c > cumB {
			return false
		}
	}
	return true
}

func (s *state) place(k, y int) {
	s.year[k] = y
	s.spend[y-1] += s.p.units[k].cost
}

func (s *state) unplace(k int) {
	y := s.year[k]
	s.spend[y-1] -= s.p.units[k].cost
	s.year[k] = 0
}

func (s *state) objective() float64 {
	v := 0.0
	for k, y := range s.year {
		if y > 0 {
			v += s.p.units[k].risk * s.weight(y)
		}
	}
	return v
}

// bound is an upper bound on the objective the units k… can still add given the money spent so far:
// for each year t, the fractional knapsack of those units allowed by t with the budget left in
// years 1…t. See the package documentation for why this is a valid bound.
func (s *state) bound(k int) float64 {
	var total float64
	var capacity int64
	for t := 1; t <= s.p.in.Years; t++ {
		capacity += s.p.budgets[t-1] - s.spend[t-1]
		c := capacity
		for i := k; i < len(s.p.units); i++ {
			u := &s.p.units[i]
			if u.first > t || u.risk == 0 || u.never {
				continue
			}
			if u.cost <= c {
				total += u.risk
				c -= u.cost
				continue
			}
			if c > 0 {
				total += u.risk * float64(c) / float64(u.cost)
			}
			break
		}
	}
	return total
}

// greedy places forced units first (earliest deadline first, into their earliest year that fits),
// then the others by risk per cost into their earliest year that fits, then improves the plan. It
// reports false when a forced unit fits nowhere.
func (s *state) greedy() bool {
	order := make([]int, len(s.p.units))
	for i := range order {
		order[i] = i
	}
	if !s.placeForced() {
		return false
	}
	for _, k := range order {
		u := s.p.units[k]
		if u.forced || u.risk == 0 || u.never {
			continue
		}
		for y := u.first; y <= u.last; y++ {
			if s.fits(y, u.cost) {
				s.place(k, y)
				break
			}
		}
	}
	for range 3 {
		if !s.moveEarlier() && !s.swap() {
			break
		}
	}
	return true
}

// placeForced puts forced units, earliest deadline first, into their earliest year that fits.
func (s *state) placeForced() bool {
	var forced []int
	for k, u := range s.p.units {
		if u.forced {
			forced = append(forced, k)
		}
	}
	slices.SortStableFunc(forced, func(a, b int) int { return cmp.Compare(s.p.units[a].last, s.p.units[b].last) })
	for _, k := range forced {
		u := s.p.units[k]
		placed := false
		for y := u.first; y <= u.last; y++ {
			if s.fits(y, u.cost) {
				s.place(k, y)
				placed = true
				break
			}
		}
		if !placed {
			return false
		}
	}
	return true
}

// moveEarlier moves placed units to an earlier year where they now fit.
func (s *state) moveEarlier() bool {
	changed := false
	for k := range s.p.units {
		y := s.year[k]
		if y == 0 {
			continue
		}
		u := s.p.units[k]
		s.unplace(k)
		to := y
		for e := u.first; e < y; e++ {
			if s.fits(e, u.cost) {
				to = e
				break
			}
		}
		s.place(k, to)
		changed = changed || to != y
	}
	return changed
}

// swap replaces a placed unit by an unplaced one with more risk in the same year when the money
// allows, then tries to place the displaced unit in another year.
func (s *state) swap() bool {
	changed := false
	byYear := make([][]int, s.p.in.Years+1)
	for k, y := range s.year {
		if y > 0 && !s.p.units[k].forced {
			byYear[y] = append(byYear[y], k)
		}
	}
	for v := range s.p.units {
		uv := s.p.units[v]
		if s.year[v] != 0 || uv.forced || uv.risk == 0 || uv.never {
			continue
		}
		bestGain, bestK, bestY := 0.0, -1, 0
		for y := uv.first; y <= uv.last; y++ {
			for _, k := range byYear[y] {
				if s.year[k] != y {
					continue
				}
				gain := (uv.risk - s.p.units[k].risk) * s.weight(y)
				if gain <= bestGain+tolerance(bestGain) {
					continue
				}
				s.unplace(k)
				if s.fits(y, uv.cost) {
					bestGain, bestK, bestY = gain, k, y
				}
				s.place(k, y)
			}
		}
		if bestK < 0 {
			continue
		}
		s.unplace(bestK)
		s.place(v, bestY)
		byYear[bestY] = append(byYear[bestY], v)
		changed = true
		uk := s.p.units[bestK]
		for y := uk.first; y <= uk.last; y++ {
			if s.fits(y, uk.cost) {
				s.place(bestK, y)
				byYear[y] = append(byYear[y], bestK)
				break
			}
		}
	}
	return changed
}

// search is a depth-first branch and bound over units in ratio order; each unit goes to one of its
// allowed years (earliest first) or, unless forced, is left out.
type search struct {
	*state
	best      float64
	bestYears []int
	nodes     int
	maxNodes  int
	aborted   bool
	optimist  []float64 // optimist[k]: Σ_{i≥k} risk_i × weight(first_i), a cheap bound
}

func (b *search) prepare() {
	n := len(b.p.units)
	b.optimist = make([]float64, n+1)
	for k := n - 1; k >= 0; k-- {
		u := b.p.units[k]
		w := 0.0
		if !u.never {
			w = b.weight(max(u.first, 1))
		}
		b.optimist[k] = b.optimist[k+1] + u.risk*w
	}
}

func (b *search) dfs(k int, value float64) {
	if b.aborted {
		return
	}
	if b.nodes >= b.maxNodes {
		b.aborted = true
		return
	}
	b.nodes++
	if k == len(b.p.units) {
		if b.bestYears == nil || value > b.best+tolerance(b.best) {
			b.best, b.bestYears = value, slices.Clone(b.year)
		}
		return
	}
	if b.bestYears != nil {
		if value+b.optimist[k] <= b.best+tolerance(b.best) {
			return
		}
		if value+b.bound(k) <= b.best+tolerance(b.best) {
			return
		}
	}
	u := b.p.units[k]
	for y := u.first; y <= u.last && !u.never && (u.risk > 0 || u.forced); y++ {
		if b.fits(y, u.cost) {
			b.place(k, y)
			b.dfs(k+1, value+u.risk*b.weight(y))
			b.unplace(k)
			if b.aborted {
				return
			}
		}
	}
	if !u.forced {
		b.dfs(k+1, value)
	}
}

// result turns an assignment into a Plan.
func (p *problem) result(years []int, method string, objective, bound float64, nodes int) Plan {
	Y := p.in.Years
	riskBefore := p.in.RiskBefore
	if riskBefore == 0 {
		for _, c := range p.cands {
			riskBefore += c.RiskRemoved
		}
	}
	out := Plan{RiskBefore: round3(riskBefore), Method: method, Objective: round3(objective), Bound: round3(bound), Nodes: nodes}
	if bound > 0 && method == MethodApproximation {
		out.Gap = math.Round((bound-objective)/bound*1e6) / 1e6
	}
	spend := make([]int64, Y)
	removed := make([]float64, Y)
	items := make([][]Item, Y)
	for k, y := range years {
		u := p.units[k]
		if y == 0 {
			for _, m := range u.members {
				out.NotReplaced = append(out.NotReplaced, p.item(m, u, 0))
			}
			continue
		}
		spend[y-1] += u.cost
		removed[y-1] += u.risk
		for _, m := range u.members {
			items[y-1] = append(items[y-1], p.item(m, u, y))
		}
	}
	sortItems := func(list []Item) {
		slices.SortStableFunc(list, func(a, b Item) int {
			if c := cmp.Compare(b.RiskRemoved, a.RiskRemoved); c != 0 {
				return c
			}
			return cmp.Compare(a.Asset+a.Product, b.Asset+b.Product)
		})
	}
	remaining := riskBefore
	var carry int64
	for t := range Y {
		avail := p.budgets[t]
		if p.in.CarryOver {
			avail += carry
		}
		remaining -= removed[t]
		sortItems(items[t])
		yr := Year{Year: t + 1, Budget: money(avail), Spend: money(spend[t]), RiskRemoved: round3(removed[t]),
			RiskRemaining: round3(max(remaining, 0)), Items: items[t]}
		if yr.Items == nil {
			yr.Items = []Item{}
		}
		if p.in.StartYear > 0 {
			yr.CalendarYear = p.in.StartYear + t
		}
		out.Years = append(out.Years, yr)
		carry = avail - spend[t]
	}
	out.RiskAfter = round3(max(remaining, 0))
	sortItems(out.NotReplaced)
	if out.NotReplaced == nil {
		out.NotReplaced = []Item{}
	}
	return out
}

// item describes candidate m of unit u placed in year y (0: not replaced).
func (p *problem) item(m int, u unit, y int) Item {
	c := p.cands[m]
	it := Item{Cost: money(cents(c.Cost)), RiskRemoved: round3(c.RiskRemoved)}
	if c.Kind == KindProduct {
		it.Product = c.ID
	} else {
		it.Asset = c.ID
	}
	if len(u.members) > 1 {
		ids := make([]string, len(u.members))
		for i, mm := range u.members {
			ids[i] = p.cands[mm].ID
		}
		it.Group = strings.Join(ids, ",")
	}
	var why []string
	if c.Why != "" {
		why = append(why, c.Why)
	}
	switch {
	case y > 0:
		why = append(why, fmt.Sprintf("removes risk %s for %s", fmtRisk(c.RiskRemoved), fmtMoney(cents(c.Cost))))
	case u.first > p.in.Years:
		why = append(why, fmt.Sprintf("not replaced: may not be replaced before year %d, after the plan's last year", u.first))
	case u.risk == 0:
		why = append(why, "not replaced: removes no risk")
	case u.never:
		why = append(why, fmt.Sprintf("not replaced: costs %s, more than the budget available in any year it may be replaced in", fmtMoney(u.cost)))
	default:
		why = append(why, "not replaced: the budget is better spent on items that remove more risk per euro")
	}
	if c.MustBy > 0 {
		why = append(why, fmt.Sprintf("must be replaced by year %d", c.MustBy))
	}
	if c.NotBefore > 1 {
		why = append(why, fmt.Sprintf("not before year %d", c.NotBefore))
	}
	if it.Group != "" {
		why = append(why, "replaced together with "+strings.ReplaceAll(it.Group, ",", ", "))
	}
	it.Why = strings.Join(why, "; ")
	return it
}

// maxAvailable is the most money any allowed year of u can offer: the largest single budget, or with
// carry-over the sum of the budgets up to the unit's last allowed year.
func (p *problem) maxAvailable(u unit) int64 {
	var best, cum int64
	for t := 1; t <= min(u.last, p.in.Years); t++ {
		cum += p.budgets[t-1]
		if t < u.first {
			continue
		}
		if p.in.CarryOver {
			best = max(best, cum)
		} else {
			best = max(best, p.budgets[t-1])
		}
	}
	return best
}

func money(c int64) float64    { return float64(c) / 100 }
func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

func fmtRisk(x float64) string {
	s := fmt.Sprintf("%.1f", x)
	return s
}

// fmtMoney writes cents as 12,345 or 12,345.67.
func fmtMoney(c int64) string {
	whole, frac := c/100, c%100
	s := fmt.Sprintf("%d", whole)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if frac != 0 {
		fmt.Fprintf(&b, ".%02d", frac)
	}
	return b.String()
}
