// Package plan finds the replacement and upgrade plan that removes the most risk for the money.
//
// # Objective
//
// Over a horizon of Y years with a budget per year, choose for each candidate (an asset, or a whole
// product/model line) either a year y in 1…Y in which it is replaced, or not to replace it, to
//
//	maximise  Σ_replaced  risk_removed × (Y − y + 1)
//
// i.e. the risk removed weighted by the number of plan years it stays removed (the year of
// replacement counts). This is the same as minimising the area under the risk burn-down curve (the
// sum over years of the risk remaining at each year's end), so removing a big risk early beats
// removing it late, and a year's unspent money is worth nothing unless CarryOver is set.
//
// Constraints: the money spent in year t is at most that year's budget (with CarryOver: the money
// spent in years 1…t is at most the budgets of years 1…t); a candidate is not replaced before its
// NotBefore year ("the cath lab stays until 2028"); a candidate with MustBy is replaced in some year
// no later than MustBy; candidates in one group are replaced in the same year or not at all.
//
// # Method
//
// Groups are merged into single units. Up to Options.MaxExactUnits units, a depth-first branch and
// bound finds a proven optimum ("exact"); it must and does equal brute force on small cases (see the
// property test). Larger inputs, or a search that exceeds Options.MaxNodes, use a greedy plan (forced
// units first, then by risk removed per euro into the earliest year that fits) improved by moving
// units earlier and by one-for-one swaps ("approximation"). In both cases Bound is a proven upper
// bound on the best possible objective: for every year t, the risk removable by the end of year t is
// at most the fractional knapsack of the units allowed by t with the budgets of years 1…t, and the
// objective is the sum of these per-year amounts. The UI can say "within (Bound−Objective)/Bound of
// the best possible". When the greedy plan reaches the bound it is reported as "exact".
//
// The result is deterministic: the same input gives the same plan, whatever the order of candidates
// and groups, because units are ordered by risk per cost and then by ID, and ties in objective keep
// the plan found first in that order.
package plan

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Kind says whether a candidate is one asset or a product/model line.
type Kind string

// Candidate kinds.
const (
	KindAsset   Kind = "asset"
	KindProduct Kind = "product"
)

// Candidate is something that can be replaced or upgraded.
type Candidate struct {
	ID          string  // asset id or product id; unique among candidates
	Kind        Kind    // KindAsset or KindProduct
	Cost        float64 // replacement cost in the budget's currency, ≥ 0 (see CostBook for defaults and overrides)
	RiskRemoved float64 // risk removed by replacing it (e.g. the asset's risk.AssetScore, or the sum over a product line), ≥ 0
	NotBefore   int     // first plan year (1-based) it may be replaced; 0 or 1: from the first year
	MustBy      int     // if > 0, it must be replaced in a plan year ≤ MustBy (end of life forced)
	// Covers lists the asset ids a product-line candidate replaces. It is used to refuse inputs in
	// which one asset could be paid for twice (as itself and inside a product line).
	Covers []string
	Why    string // the caller's reason, e.g. "Windows 7, out of support since 2020-01-14; 2 KEV findings"
}

// Input is a planning problem.
type Input struct {
	Years      int         // horizon, 1–50
	Budgets    []float64   // one value (the same every year) or one per year
	Candidates []Candidate // in any order
	Groups     [][]string  // candidate ids that must be replaced in the same year (or not at all)
	CarryOver  bool        // unspent budget carries over to the following years
	// RiskBefore is the fleet's total risk at the start; 0 means the sum of the candidates' risk.
	RiskBefore float64
	// StartYear is the calendar year of plan year 1 (e.g. 2027); 0 leaves calendar years out.
	StartYear int
}

// Options tune the solver. The zero value uses the defaults.
type Options struct {
	// MaxExactUnits is the largest number of units (candidates after merging groups) solved by
	// branch and bound; 0 means 200.
	MaxExactUnits int
	// MaxNodes bounds the branch-and-bound search; 0 means 2,000,000. Past it the best plan found is
	// returned as an approximation with its bound.
	MaxNodes int
}

// Methods.
const (
	MethodExact         = "exact"
	MethodApproximation = "approximation"
)

// Plan is the result. Money is rounded to cents, risk to 0.001.
type Plan struct {
	Years       []Year  `json:"years"`
	RiskBefore  float64 `json:"risk_before"`
	RiskAfter   float64 `json:"risk_after"`
	Method      string  `json:"method"`    // MethodExact or MethodApproximation
	Objective   float64 `json:"objective"` // Σ risk removed × years it stays removed
	Bound       float64 `json:"bound"`     // proven upper bound on the best possible objective
	Gap         float64 `json:"gap"`       // (Bound − Objective) / Bound; 0 when exact
	NotReplaced []Item  `json:"not_replaced"`
	Nodes       int     `json:"nodes,omitempty"` // branch-and-bound nodes visited (0 for the approximation)
}

// Year is one plan year.
type Year struct {
	Year          int     `json:"year"`                    // 1-based plan year
	CalendarYear  int     `json:"calendar_year,omitempty"` // when Input.StartYear is set
	Budget        float64 `json:"budget"`                  // available this year, including money carried over
	Spend         float64 `json:"spend"`
	RiskRemoved   float64 `json:"risk_removed"`
	RiskRemaining float64 `json:"risk_remaining"` // risk left at the end of the year (the burn-down)
	Items         []Item  `json:"items"`
}

// Item is one candidate in the plan.
type Item struct {
	Asset       string  `json:"asset,omitempty"`   // set for asset candidates
	Product     string  `json:"product,omitempty"` // set for product candidates
	Cost        float64 `json:"cost"`
	RiskRemoved float64 `json:"risk_removed"`
	Group       string  `json:"group,omitempty"` // the group's members when replaced together, comma-separated
	Why         string  `json:"why"`
}

// CostBook holds replacement costs: a default per product and overrides per asset.
type CostBook struct {
	Product map[string]float64 // product id → default cost
	Asset   map[string]float64 // asset id → cost override
}

// Cost returns the asset's override if there is one, else its product's default, and false when
// neither is known.
func (b CostBook) Cost(assetID, productID string) (float64, bool) {
	if c, ok := b.Asset[assetID]; ok {
		return c, true
	}
	c, ok := b.Product[productID]
	return c, ok
}

const maxMoney = 1e13 // keeps cents within int64 with room for sums

// unit is a candidate or a merged group, in cents.
type unit struct {
	id      string // first member id (members sorted)
	members []int  // candidate indices, sorted by id
	cost    int64
	risk    float64
	first   int // first allowed year (1-based)
	last    int // last allowed year: Years, or MustBy when forced
	forced  bool
	never   bool // costs more than any allowed year can offer, or may only be replaced after the horizon
}

// ratio is risk per cent; a free unit with risk comes first, a unit without risk last.
func (u unit) ratio() float64 {
	switch {
	case u.risk == 0:
		return 0
	case u.cost == 0:
		return math.Inf(1)
	}
	return u.risk / float64(u.cost)
}

type problem struct {
	in      Input
	cands   []Candidate // sorted by id
	units   []unit      // sorted by ratio desc, id
	budgets []int64     // cents per year
}

func cents(x float64) int64 { return int64(math.Round(x * 100)) }

// validate checks the input and builds the units.
func build(in Input) (*problem, error) {
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if in.Years < 1 || in.Years > 50 {
		return nil, fmt.Errorf("plan: years %d out of range 1–50", in.Years)
	}
	p := &problem{in: in}
	switch len(in.Budgets) {
	case 1:
		for range in.Years {
			p.budgets = append(p.budgets, cents(in.Budgets[0]))
		}
	case in.Years:
		for _, b := range in.Budgets {
			p.budgets = append(p.budgets, cents(b))
		}
	default:
		return nil, fmt.Errorf("plan: %d budgets for %d years (give one value or one per year)", len(in.Budgets), in.Years)
	}
	for i, b := range in.Budgets {
		if math.IsNaN(b) || b < 0 || b > maxMoney {
			add("budgets[%d]: %v out of range 0–%g", i, b, maxMoney)
		}
	}
	p.cands = slices.Clone(in.Candidates)
	slices.SortStableFunc(p.cands, func(a, b Candidate) int { return cmp.Compare(a.ID, b.ID) })
	index := map[string]int{}
	covered := map[string]string{}
	for i, c := range p.cands {
		where := fmt.Sprintf("candidate %q", c.ID)
		if c.ID == "" {
			add("candidate with an empty id")
			continue
		}
		if _, dup := index[c.ID]; dup {
			add("%s: id given twice", where)
			continue
		}
		index[c.ID] = i
		if c.Kind != KindAsset && c.Kind != KindProduct {
			add("%s: kind %q (want asset or product)", where, c.Kind)
		}
		if math.IsNaN(c.Cost) || c.Cost < 0 || c.Cost > maxMoney {
			add("%s: cost %v out of range 0–%g", where, c.Cost, maxMoney)
		}
		if math.IsNaN(c.RiskRemoved) || math.IsInf(c.RiskRemoved, 0) || c.RiskRemoved < 0 {
			add("%s: risk_removed %v must be a number ≥ 0", where, c.RiskRemoved)
		}
		if c.NotBefore < 0 {
			add("%s: not_before %d is negative", where, c.NotBefore)
		}
		if c.MustBy < 0 || c.MustBy > in.Years {
			add("%s: must_by %d outside the plan years 1–%d", where, c.MustBy, in.Years)
		}
		if c.MustBy > 0 && c.NotBefore > c.MustBy {
			add("%s: must be replaced by year %d but not before year %d", where, c.MustBy, c.NotBefore)
		}
		assets := c.Covers
		if c.Kind == KindAsset {
			assets = append([]string{c.ID}, c.Covers...)
		}
		for _, a := range assets {
			if prev, ok := covered[a]; ok && prev != c.ID {
				add("asset %q is in both candidate %q and candidate %q; a plan could pay for it twice", a, prev, c.ID)
			}
			covered[a] = c.ID
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("plan: %w", errors.Join(errs...))
	}
	// Union-find over groups.
	parent := make([]int, len(p.cands))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for gi, g := range in.Groups {
		first := -1
		for _, id := range g {
			i, ok := index[id]
			if !ok {
				add("groups[%d]: unknown candidate %q", gi, id)
				continue
			}
			if first < 0 {
				first = i
				continue
			}
			a, b := find(first), find(i)
			if a != b {
				parent[max(a, b)] = min(a, b)
			}
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("plan: %w", errors.Join(errs...))
	}
	byRoot := map[int]*unit{}
	var roots []int
	for i, c := range p.cands {
		r := find(i)
		u, ok := byRoot[r]
		if !ok {
			u = &unit{id: c.ID, first: 1, last: in.Years}
			byRoot[r] = u
			roots = append(roots, r)
		}
		u.members = append(u.members, i)
		u.cost += cents(c.Cost)
		u.risk += c.RiskRemoved
		u.first = max(u.first, c.NotBefore)
		if c.MustBy > 0 {
			if !u.forced || c.MustBy < u.last {
				u.last = c.MustBy
			}
			u.forced = true
		}
	}
	for _, r := range roots {
		u := *byRoot[r]
		if u.forced && u.first > u.last {
			ids := make([]string, len(u.members))
			for k, m := range u.members {
				ids[k] = p.cands[m].ID
			}
			return nil, fmt.Errorf("plan: group %s must be replaced by year %d but one of its members may not be replaced before year %d", strings.Join(ids, ", "), u.last, u.first)
		}
		p.units = append(p.units, u)
	}
	for i := range p.units {
		u := &p.units[i]
		u.never = u.first > in.Years || u.cost > p.maxAvailable(*u)
		if u.forced && u.never {
			return nil, fmt.Errorf("plan: %w: %s must be replaced by year %d but costs %s, more than the budget available in years %d–%d",
				ErrInfeasible, u.id, u.last, fmtMoney(u.cost), u.first, u.last)
		}
	}
	slices.SortStableFunc(p.units, func(a, b unit) int {
		if c := cmp.Compare(b.ratio(), a.ratio()); c != 0 {
			return c
		}
		if c := cmp.Compare(b.risk, a.risk); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	return p, nil
}
