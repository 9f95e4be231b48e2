package riskmgr

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/lifecycle/plan"
)

// PlanRequest is the input of a replacement plan.
type PlanRequest struct {
	Years         int       `json:"years"`
	BudgetPerYear float64   `json:"budget_per_year"`
	Budgets       []float64 `json:"budgets,omitempty"` // one per year; overrides BudgetPerYear
	CarryOver     bool      `json:"carry_over,omitempty"`
}

// Remaining is a device with risk that the plan does not replace, and how it is compensated.
type Remaining struct {
	Asset        string  `json:"asset"`
	Product      string  `json:"product"`
	Department   string  `json:"department,omitempty"`
	Risk         float64 `json:"risk"`
	Cost         float64 `json:"cost"`
	Reason       string  `json:"reason"` // must stay, no replacement cost known, not funded in the horizon
	Compensation string  `json:"compensation"`
	Why          string  `json:"why"`
}

// PlanResult is the replacement plan: per year what is replaced, its cost and the risk removed, and
// what remains.
type PlanResult struct {
	Years      []plan.Year `json:"years"`
	RiskBefore float64     `json:"risk_before"`
	RiskAfter  float64     `json:"risk_after"`
	Spend      float64     `json:"spend"`
	Method     string      `json:"method"`
	Bound      float64     `json:"bound"`
	Gap        float64     `json:"gap"`
	Remaining  []Remaining `json:"remaining"`

	Request        PlanRequest `json:"request"`
	AsOf           time.Time   `json:"as_of"`
	StartYear      int         `json:"start_year"`
	FormulaVersion string      `json:"formula_version"`
	WeightsVersion string      `json:"weights_version"`
	// Assets gives, per planned asset tag, what the funding case needs (product, department, legacy
	// reasons); not part of the JSON.
	Assets map[string]AssetRisk `json:"-"`
}

// Validate checks the request; errors name the field.
func (r *PlanRequest) Validate() error {
	if r.Years < 1 || r.Years > 20 {
		return domain.Invalid("years", "give 1 to 20 years")
	}
	if len(r.Budgets) == 0 {
		if math.IsNaN(r.BudgetPerYear) || r.BudgetPerYear <= 0 || r.BudgetPerYear > 1e12 {
			return domain.Invalid("budget_per_year", "give a budget per year above 0")
		}
		return nil
	}
	if len(r.Budgets) != r.Years {
		return domain.Invalid("budgets", "give one budget per year (%d), or budget_per_year", r.Years)
	}
	for i, b := range r.Budgets {
		if math.IsNaN(b) || b < 0 || b > 1e12 {
			return domain.Invalid(fmt.Sprintf("budgets[%d]", i), "must be between 0 and 10¹²")
		}
	}
	return nil
}

// Plan builds the replacement plan that removes the most risk for the money: every device with risk is
// a candidate at its replacement cost (the device's own, else its model's default); devices that must
// stay are left out (or held back until their date); models recorded as replaced together are
// replaced in the same year. Plan year 1 is the next calendar year.
func (s *Service) Plan(ctx context.Context, orgID int64, req PlanRequest) (PlanResult, error) {
	if err := req.Validate(); err != nil {
		return PlanResult{}, err
	}
	a, err := s.Assess(ctx, orgID)
	if err != nil {
		return PlanResult{}, err
	}
	groups, err := s.Store.Scope(orgID).RiskGroups(ctx)
	if err != nil {
		return PlanResult{}, err
	}
	return BuildPlan(a, groups, req)
}

// BuildPlan is Plan on an assessment already made.
func BuildPlan(a Assessment, groups []domain.RiskGroup, req PlanRequest) (PlanResult, error) {
	if err := req.Validate(); err != nil {
		return PlanResult{}, err
	}
	start := a.AsOf.Year() + 1
	res := PlanResult{Request: req, AsOf: a.AsOf, StartYear: start, WeightsVersion: a.Weights.Version, Assets: map[string]AssetRisk{},
		Remaining: []Remaining{}, FormulaVersion: "vigil-risk/1"}
	in := plan.Input{Years: req.Years, Budgets: req.Budgets, CarryOver: req.CarryOver, StartYear: start, RiskBefore: a.Total}
	if len(in.Budgets) == 0 {
		in.Budgets = []float64{req.BudgetPerYear}
	}
	byProduct := map[int64][]string{}
	for _, ar := range a.Assets {
		if ar.Score.Score <= 0 {
			continue
		}
		res.Assets[ar.Asset.Tag] = ar
		cost := ar.Asset.Cost
		if cost == 0 {
			cost = ar.Asset.ProductCost
		}
		rem := Remaining{Asset: ar.Asset.Tag, Product: ar.Asset.Manufacturer + " " + ar.Asset.Product, Department: ar.Asset.Department,
			Risk: ar.Score.Score, Cost: cost.Euros(), Compensation: Compensation(ar.Controls, a.AsOf), Why: ar.Why(a.AsOf)}
		c := plan.Candidate{ID: ar.Asset.Tag, Kind: plan.KindAsset, Cost: cost.Euros(), RiskRemoved: ar.Score.Score, Why: ar.Why(a.AsOf)}
		if ar.Keep != nil {
			if ar.Keep.Until == nil {
				rem.Reason = "must stay: " + ar.Keep.Reason
				res.Remaining = append(res.Remaining, rem)
				continue
			}
			c.NotBefore = max(0, ar.Keep.Until.Year()-start+2) // the year after the device is released
			if c.NotBefore > req.Years {
				rem.Reason = fmt.Sprintf("must stay until %s: %s", ar.Keep.Until.Format(time.DateOnly), ar.Keep.Reason)
				res.Remaining = append(res.Remaining, rem)
				continue
			}
		}
		if cost == 0 {
			rem.Reason = "no replacement cost recorded for the device or its model"
			res.Remaining = append(res.Remaining, rem)
			continue
		}
		in.Candidates = append(in.Candidates, c)
		byProduct[ar.Asset.ProductID] = append(byProduct[ar.Asset.ProductID], c.ID)
	}
	for _, g := range groups {
		var ids []string
		for _, pid := range g.ProductIDs {
			ids = append(ids, byProduct[pid]...)
		}
		if len(ids) > 1 {
			in.Groups = append(in.Groups, ids)
		}
	}
	p, err := plan.Optimise(in, plan.Options{})
	if err != nil {
		return res, domain.Invalid("plan", "%v", err)
	}
	res.Years, res.RiskBefore, res.RiskAfter, res.Method, res.Bound, res.Gap = p.Years, p.RiskBefore, p.RiskAfter, p.Method, p.Bound, p.Gap
	for _, y := range p.Years {
		res.Spend += y.Spend
	}
	for _, it := range p.NotReplaced {
		ar := res.Assets[it.Asset]
		res.Remaining = append(res.Remaining, Remaining{Asset: it.Asset, Product: ar.Asset.Manufacturer + " " + ar.Asset.Product,
			Department: ar.Asset.Department, Risk: it.RiskRemoved, Cost: it.Cost, Reason: "not funded within the plan's budget",
			Compensation: Compensation(ar.Controls, a.AsOf), Why: it.Why})
	}
	slices.SortStableFunc(res.Remaining, func(x, y Remaining) int {
		if c := cmp.Compare(y.Risk, x.Risk); c != 0 {
			return c
		}
		return cmp.Compare(x.Asset, y.Asset)
	})
	return res, nil
}
