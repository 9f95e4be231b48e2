package plan

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// fleet builds a plausible 600-bed hospital: 80 device models with 1–400 installed units each
// (7,000 assets in all), unit prices from 2,500 (infusion pump) to 900,000 (CT), asset risk scores
// skewed low with a legacy tail, a few models forced out (end of service) and a few that must stay.
func fleet(seed uint64, years int, products bool) Input {
	r := rand.New(rand.NewPCG(seed, 2026))
	type model struct {
		id    string
		price float64
		n     int
	}
	var models []model
	remaining := 7000
	for i := range 80 {
		price := math.Round(math.Exp(7.8+r.Float64()*5.9)/100) * 100 // ~2,400 … 880,000
		n := 1 + r.IntN(max(1, min(400, 2*remaining/(80-i))))
		if i == 79 {
			n = max(1, remaining)
		}
		remaining -= n
		models = append(models, model{fmt.Sprintf("model-%02d", i), price, n})
	}
	in := Input{Years: years, Budgets: []float64{3_000_000}, StartYear: 2027}
	for mi, m := range models {
		var risk float64
		var assets []Candidate
		legacy := r.IntN(5) == 0
		for j := range m.n {
			s := math.Min(100, math.Pow(r.Float64(), 3)*40)
			if legacy {
				s = math.Min(100, s+20+r.Float64()*40)
			}
			risk += s
			assets = append(assets, Candidate{ID: fmt.Sprintf("%s-%04d", m.id, j), Kind: KindAsset, Cost: m.price, RiskRemoved: math.Round(s*10) / 10})
		}
		c := Candidate{ID: m.id, Kind: KindProduct, Cost: m.price * float64(m.n), RiskRemoved: math.Round(risk*10) / 10}
		switch {
		case mi%23 == 5:
			c.NotBefore = 2
		case mi%31 == 7 && c.Cost < 2_000_000:
			c.MustBy = years
		}
		if products {
			in.Candidates = append(in.Candidates, c)
			continue
		}
		for _, a := range assets {
			a.NotBefore, a.MustBy = c.NotBefore, 0
			in.Candidates = append(in.Candidates, a)
		}
	}
	if products {
		in.Groups = [][]string{{"model-10", "model-11"}}
	}
	return in
}

func benchmarkPlan(b *testing.B, in Input) {
	b.ReportAllocs()
	var pl Plan
	for b.Loop() {
		var err error
		pl, err = Optimise(in, Options{})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(pl.Gap*100, "gap%")
	b.ReportMetric(float64(pl.Nodes), "nodes")
	exact := 0.0
	if pl.Method == MethodExact {
		exact = 1
	}
	b.ReportMetric(exact, "exact")
}

func BenchmarkPlan7000Assets3Years(b *testing.B) { benchmarkPlan(b, fleet(1, 3, false)) }
func BenchmarkPlan7000Assets5Years(b *testing.B) { benchmarkPlan(b, fleet(1, 5, false)) }
func BenchmarkPlan80Products3Years(b *testing.B) { benchmarkPlan(b, fleet(1, 3, true)) }
func BenchmarkPlan80Products5Years(b *testing.B) { benchmarkPlan(b, fleet(1, 5, true)) }

func TestFleetGenerator(t *testing.T) {
	in := fleet(1, 5, false)
	if len(in.Candidates) != 7000 {
		t.Fatalf("%d assets, want 7000", len(in.Candidates))
	}
	pl, err := Optimise(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkFeasible(t, in, pl)
	t.Logf("7,000 assets × 5 years: %s, objective %.1f, bound %.1f, gap %.4f %%", pl.Method, pl.Objective, pl.Bound, pl.Gap*100)
	pp, err := Optimise(fleet(1, 5, true), Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkFeasible(t, fleet(1, 5, true), pp)
	t.Logf("80 products × 5 years: %s, objective %.1f, bound %.1f, gap %.4f %%, %d nodes", pp.Method, pp.Objective, pp.Bound, pp.Gap*100, pp.Nodes)
}
