package plan

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// bruteForce enumerates every assignment of units to {not replaced, allowed years} and returns the
// best feasible objective, or false when none is feasible.
func bruteForce(t *testing.T, in Input) (float64, bool) {
	t.Helper()
	p, err := build(in)
	if err != nil {
		t.Fatal(err)
	}
	s := newState(p)
	best, found := math.Inf(-1), false
	var rec func(k int)
	rec = func(k int) {
		if k == len(p.units) {
			// Recompute the objective from the definition, independently of the solver's code.
			v := 0.0
			for i, y := range s.year {
				if y > 0 {
					for _, m := range p.units[i].members {
						v += p.cands[m].RiskRemoved * float64(in.Years-y+1)
					}
				}
			}
			if v > best {
				best, found = v, true
			}
			return
		}
		u := p.units[k]
		for y := u.first; y <= u.last; y++ {
			if s.fits(y, u.cost) {
				s.place(k, y)
				rec(k + 1)
				s.unplace(k)
			}
		}
		if !u.forced {
			rec(k + 1)
		}
	}
	rec(0)
	return best, found
}

// checkFeasible verifies a plan against the input's constraints.
func checkFeasible(t *testing.T, in Input, pl Plan) {
	t.Helper()
	yearOf := map[string]int{}
	for _, y := range pl.Years {
		var spend float64
		for _, it := range y.Items {
			yearOf[it.Asset+it.Product] = y.Year
			spend += it.Cost
		}
		if math.Abs(spend-y.Spend) > 0.005 {
			t.Fatalf("year %d: items cost %v, spend says %v", y.Year, spend, y.Spend)
		}
		if !in.CarryOver && y.Spend > y.Budget+0.005 {
			t.Fatalf("year %d: spend %v over budget %v", y.Year, y.Spend, y.Budget)
		}
		if in.CarryOver && y.Spend > y.Budget+0.005 {
			t.Fatalf("year %d: spend %v over the money available %v", y.Year, y.Spend, y.Budget)
		}
	}
	objective := 0.0
	for _, y := range pl.Years {
		for _, it := range y.Items {
			objective += it.RiskRemoved * float64(in.Years-y.Year+1)
		}
	}
	if math.Abs(objective-pl.Objective) > 1e-6*max(1, objective) {
		t.Fatalf("plan objective %v, recomputed from its items %v", pl.Objective, objective)
	}
	if pl.Bound+1e-6 < pl.Objective {
		t.Fatalf("bound %v below objective %v", pl.Bound, pl.Objective)
	}
	for _, c := range in.Candidates {
		y, ok := yearOf[c.ID]
		if c.MustBy > 0 && (!ok || y > c.MustBy) {
			t.Fatalf("%s must be replaced by %d, got year %d", c.ID, c.MustBy, y)
		}
		if ok && y < c.NotBefore {
			t.Fatalf("%s replaced in %d, not before %d", c.ID, y, c.NotBefore)
		}
	}
	for _, g := range in.Groups {
		for _, id := range g[1:] {
			if yearOf[id] != yearOf[g[0]] {
				t.Fatalf("group %v split: %s in %d, %s in %d", g, g[0], yearOf[g[0]], id, yearOf[id])
			}
		}
	}
}

func randomInput(r *rand.Rand, n int) Input {
	in := Input{Years: 1 + r.IntN(3), CarryOver: r.IntN(3) == 0}
	if r.IntN(2) == 0 {
		in.Budgets = []float64{float64(50 + r.IntN(200))}
	} else {
		for range in.Years {
			in.Budgets = append(in.Budgets, float64(r.IntN(250)))
		}
	}
	for i := range n {
		c := Candidate{ID: fmt.Sprintf("c%02d", i), Kind: KindAsset, Cost: float64(10 + r.IntN(150)), RiskRemoved: math.Round(r.Float64()*1000) / 10}
		if r.IntN(5) == 0 {
			c.Kind = KindProduct
		}
		if r.IntN(5) == 0 {
			c.NotBefore = 1 + r.IntN(in.Years+1)
		}
		if r.IntN(8) == 0 && c.NotBefore <= in.Years {
			c.MustBy = max(c.NotBefore, 1) + r.IntN(in.Years-max(c.NotBefore, 1)+1)
		}
		if r.IntN(10) == 0 {
			c.Cost = 0
		}
		in.Candidates = append(in.Candidates, c)
	}
	if n >= 2 && r.IntN(3) == 0 {
		a, b := r.IntN(n), r.IntN(n)
		if a != b {
			in.Groups = [][]string{{in.Candidates[a].ID, in.Candidates[b].ID}}
		}
	}
	return in
}

// TestExactEqualsBruteForce is the property test: on many small random cases the exact method finds
// the brute-force optimum, and the approximation stays within its own proven bound.
func TestExactEqualsBruteForce(t *testing.T) {
	exact, approxExact := 0, 0
	for seed := range uint64(1500) {
		r := rand.New(rand.NewPCG(seed, 99))
		in := randomInput(r, 1+r.IntN(7))
		if _, err := build(in); err != nil {
			// A random group can join a forced member with one that must wait; Optimise must say so.
			if _, err2 := Optimise(in, Options{}); err2 == nil || err2.Error() != err.Error() {
				t.Fatalf("seed %d: build error %v, Optimise %v", seed, err, err2)
			}
			continue
		}
		want, feasible := bruteForce(t, in)
		pl, err := Optimise(in, Options{})
		if !feasible {
			if err == nil {
				t.Fatalf("seed %d: brute force finds no feasible plan, Optimise returned %+v", seed, pl)
			}
			continue
		}
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		checkFeasible(t, in, pl)
		if pl.Method != MethodExact {
			t.Fatalf("seed %d: method %s on a small case", seed, pl.Method)
		}
		exact++
		if math.Abs(pl.Objective-round3(want)) > 1e-6 {
			t.Fatalf("seed %d: objective %v, brute force %v\ninput %+v\nplan %+v", seed, pl.Objective, want, in, pl)
		}
		// The approximation alone: feasible, never above the optimum, and the optimum within its bound.
		ap, err := Optimise(in, Options{MaxExactUnits: -1, MaxNodes: 1})
		if err != nil {
			// The greedy may fail to fit forced items the exact search can fit; that is reported.
			if !strings.Contains(err.Error(), "no plan replaces every forced candidate") {
				t.Fatalf("seed %d: approximation: %v", seed, err)
			}
			continue
		}
		checkFeasible(t, in, ap)
		if ap.Objective > round3(want)+1e-6 || ap.Bound+1e-6 < round3(want) {
			t.Fatalf("seed %d: approximation %v, bound %v, optimum %v", seed, ap.Objective, ap.Bound, want)
		}
		if ap.Method == MethodExact {
			approxExact++
		}
	}
	if exact < 1000 {
		t.Errorf("only %d feasible cases compared", exact)
	}
	t.Logf("%d cases compared with brute force; the greedy plan was provably optimal in %d", exact, approxExact)
}

// TestHandComputed checks a small case worked out by hand.
func TestHandComputed(t *testing.T) {
	// Two years, 100 a year. Risk per cost: A 90/100, B 40/50, C 35/50, D 10/10.
	// Objective weights: year 1 counts twice, year 2 once.
	// Best: year 1 A (100) → 180; year 2 B + C (100) → 75; D does not fit. Total 255.
	// Alternatives: year 1 B + C (150), year 2 A (90) = 240; year 1 B + D (+C? 110 > 100) …
	in := Input{Years: 2, Budgets: []float64{100}, StartYear: 2027, Candidates: []Candidate{
		{ID: "A", Kind: KindAsset, Cost: 100, RiskRemoved: 90, Why: "CT workstation on Windows 7"},
		{ID: "B", Kind: KindAsset, Cost: 50, RiskRemoved: 40},
		{ID: "C", Kind: KindAsset, Cost: 50, RiskRemoved: 35},
		{ID: "D", Kind: KindAsset, Cost: 10, RiskRemoved: 10},
	}}
	pl, err := Optimise(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := Plan{
		RiskBefore: 175, RiskAfter: 10, Method: MethodExact, Objective: 255, Bound: 255,
		Years: []Year{
			{Year: 1, CalendarYear: 2027, Budget: 100, Spend: 100, RiskRemoved: 90, RiskRemaining: 85, Items: []Item{
				{Asset: "A", Cost: 100, RiskRemoved: 90, Why: "CT workstation on Windows 7; removes risk 90.0 for 100"}}},
			{Year: 2, CalendarYear: 2028, Budget: 100, Spend: 100, RiskRemoved: 75, RiskRemaining: 10, Items: []Item{
				{Asset: "B", Cost: 50, RiskRemoved: 40, Why: "removes risk 40.0 for 50"},
				{Asset: "C", Cost: 50, RiskRemoved: 35, Why: "removes risk 35.0 for 50"}}},
		},
		NotReplaced: []Item{{Asset: "D", Cost: 10, RiskRemoved: 10, Why: "not replaced: the budget is better spent on items that remove more risk per euro"}},
	}
	if diff := cmp.Diff(want, pl, cmpIgnoreNodes); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}

	// With carry-over the 10 left nowhere still does not fit D in year 2 (0 left), but a budget of
	// 105 a year lets D ride on year 2's carry-over: year 1 A (5 left), year 2 B + C + D (110 ≤ 115).
	in.Budgets, in.CarryOver = []float64{105}, true
	pl, err = Optimise(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if pl.Objective != 265 || len(pl.NotReplaced) != 0 || pl.Years[1].Budget != 110 {
		t.Errorf("carry-over: objective %v, not replaced %v, year 2 budget %v", pl.Objective, pl.NotReplaced, pl.Years[1].Budget)
	}
}

var cmpIgnoreNodes = cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Nodes" }, cmp.Ignore())

func TestConstraints(t *testing.T) {
	base := []Candidate{
		{ID: "cathlab", Kind: KindProduct, Cost: 200, RiskRemoved: 100, NotBefore: 2, Why: "the cath lab stays until 2028"},
		{ID: "pump-a", Kind: KindAsset, Cost: 20, RiskRemoved: 5},
		{ID: "pump-b", Kind: KindAsset, Cost: 20, RiskRemoved: 5},
		{ID: "xp-box", Kind: KindAsset, Cost: 150, RiskRemoved: 1, MustBy: 1, Why: "Windows XP Embedded, vendor ends service"},
	}
	in := Input{Years: 3, Budgets: []float64{200, 200, 200}, Candidates: base, Groups: [][]string{{"pump-b", "pump-a"}}, StartYear: 2027}
	pl, err := Optimise(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkFeasible(t, in, pl)
	got := map[string]int{}
	for _, y := range pl.Years {
		for _, it := range y.Items {
			got[it.Asset+it.Product] = y.Year
		}
	}
	// xp-box is forced into year 1 (150 of 200); the pumps (40) fit with it; the cath lab waits until
	// year 2 (its first allowed year).
	if diff := cmp.Diff(map[string]int{"xp-box": 1, "pump-a": 1, "pump-b": 1, "cathlab": 2}, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	for _, it := range pl.Years[0].Items {
		if it.Asset == "pump-a" && (it.Group != "pump-a,pump-b" || !strings.Contains(it.Why, "replaced together with pump-a, pump-b")) {
			t.Errorf("group not explained: %+v", it)
		}
		if it.Asset == "xp-box" && !strings.Contains(it.Why, "must be replaced by year 1") {
			t.Errorf("forced not explained: %+v", it)
		}
	}

	// Forced items that cannot fit are an error.
	in.Budgets = []float64{100}
	if _, err := Optimise(in, Options{}); err == nil || !strings.Contains(err.Error(), "no plan replaces every forced candidate within the budgets") {
		t.Errorf("infeasible: %v", err)
	}
}

func TestValidation(t *testing.T) {
	tests := []struct {
		in   Input
		want string
	}{
		{Input{Years: 0, Budgets: []float64{1}}, "plan: years 0 out of range 1–50"},
		{Input{Years: 3, Budgets: []float64{1, 2}}, "plan: 2 budgets for 3 years (give one value or one per year)"},
		{Input{Years: 1, Budgets: []float64{-5}}, "plan: budgets[0]: -5 out of range 0–1e+13"},
		{Input{Years: 2, Budgets: []float64{1}, Candidates: []Candidate{{ID: "a", Kind: "room"}}}, `plan: candidate "a": kind "room" (want asset or product)`},
		{Input{Years: 2, Budgets: []float64{1}, Candidates: []Candidate{{ID: "a", Kind: KindAsset}, {ID: "a", Kind: KindAsset}}}, `plan: candidate "a": id given twice`},
		{Input{Years: 2, Budgets: []float64{1}, Candidates: []Candidate{{ID: "a", Kind: KindAsset, RiskRemoved: math.NaN()}}}, `plan: candidate "a": risk_removed NaN must be a number ≥ 0`},
		{Input{Years: 2, Budgets: []float64{1}, Candidates: []Candidate{{ID: "a", Kind: KindAsset, MustBy: 3}}}, `plan: candidate "a": must_by 3 outside the plan years 1–2`},
		{Input{Years: 3, Budgets: []float64{1}, Candidates: []Candidate{{ID: "a", Kind: KindAsset, MustBy: 1, NotBefore: 2}}}, `plan: candidate "a": must be replaced by year 1 but not before year 2`},
		{Input{Years: 2, Budgets: []float64{1}, Candidates: []Candidate{{ID: "a", Kind: KindAsset}}, Groups: [][]string{{"a", "z"}}}, `plan: groups[0]: unknown candidate "z"`},
		{Input{Years: 2, Budgets: []float64{1}, Candidates: []Candidate{{ID: "ct-1", Kind: KindAsset}, {ID: "ct-line", Kind: KindProduct, Covers: []string{"ct-1", "ct-2"}}}},
			`plan: asset "ct-1" is in both candidate "ct-1" and candidate "ct-line"; a plan could pay for it twice`},
		{Input{Years: 3, Budgets: []float64{1}, Candidates: []Candidate{{ID: "a", Kind: KindAsset, MustBy: 1}, {ID: "b", Kind: KindAsset, NotBefore: 2}}, Groups: [][]string{{"a", "b"}}},
			"plan: group a, b must be replaced by year 1 but one of its members may not be replaced before year 2"},
	}
	for _, tt := range tests {
		_, err := Optimise(tt.in, Options{})
		if err == nil || err.Error() != tt.want {
			t.Errorf("error\n got %v\nwant %s", err, tt.want)
		}
	}
}

// TestDeterministic shuffles candidates and groups: the plan must not change.
func TestDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	in := randomInput(r, 40)
	in.Years, in.Budgets = 3, []float64{400}
	in.Groups = [][]string{{"c03", "c07"}, {"c10", "c11", "c12"}}
	for i := range in.Candidates {
		in.Candidates[i].MustBy, in.Candidates[i].NotBefore = 0, 0
	}
	first, err := Optimise(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		r.Shuffle(len(in.Candidates), func(i, j int) { in.Candidates[i], in.Candidates[j] = in.Candidates[j], in.Candidates[i] })
		slices.Reverse(in.Groups)
		got, err := Optimise(in, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(first, got); diff != "" {
			t.Fatalf("plan changed with input order (-first +got)\n%s", diff)
		}
	}
}

func TestJSONShape(t *testing.T) {
	in := Input{Years: 2, Budgets: []float64{250000}, Candidates: []Candidate{
		{ID: "CT-0042", Kind: KindAsset, Cost: 180000, RiskRemoved: 64.6, Why: "Windows 7 since 2020-01-14"},
		{ID: "alaris-8015", Kind: KindProduct, Cost: 300000, RiskRemoved: 120},
	}}
	pl, err := Optimise(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(pl)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"years":[{"year":1,"budget":250000,"spend":180000,"risk_removed":64.6,"risk_remaining":120,"items":[{"asset":"CT-0042","cost":180000,"risk_removed":64.6,"why":"Windows 7 since 2020-01-14; removes risk 64.6 for 180,000"}]},` +
		`{"year":2,"budget":250000,"spend":0,"risk_removed":0,"risk_remaining":120,"items":[]}],"risk_before":184.6,"risk_after":120,"method":"exact","objective":129.2,"bound":129.2,"gap":0,` +
		`"not_replaced":[{"product":"alaris-8015","cost":300000,"risk_removed":120,"why":"not replaced: costs 300,000, more than the budget available in any year it may be replaced in"}]}`
	if string(b) != want {
		t.Errorf("JSON\n got %s\nwant %s", b, want)
	}
}

func TestCostBook(t *testing.T) {
	b := CostBook{Product: map[string]float64{"ct-5000": 400000}, Asset: map[string]float64{"CT-0042": 350000}}
	for _, tt := range []struct {
		asset, product string
		cost           float64
		ok             bool
	}{
		{"CT-0042", "ct-5000", 350000, true},
		{"CT-0043", "ct-5000", 400000, true},
		{"X", "unknown", 0, false},
	} {
		c, ok := b.Cost(tt.asset, tt.product)
		if c != tt.cost || ok != tt.ok {
			t.Errorf("Cost(%s, %s) = %v, %v", tt.asset, tt.product, c, ok)
		}
	}
}
