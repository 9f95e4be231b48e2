package plan

// Dynamic-programming knapsacks over money in coarse cells. Choosing uses costs rounded up (the
// chosen set always fits the real budget); bounding uses costs and capacity rounded down (every set
// that fits the real budget fits the rounded one, so the value is a valid upper bound).

const (
	dpCells   = 4000       // capacity cells per knapsack
	dpMaxWork = 40_000_000 // items × cells above which the DP is not used
)

func cell(capacity int64) int64 { return max(1, (capacity+dpCells-1)/dpCells) }

// knapsackValue is the best value of items with integer weights w within capacity.
func knapsackValue(w []int, v []float64, capacity int) float64 {
	best := make([]float64, capacity+1)
	for i := range w {
		if w[i] > capacity {
			continue
		}
		for c := capacity; c >= w[i]; c-- {
			if x := best[c-w[i]] + v[i]; x > best[c] {
				best[c] = x
			}
		}
	}
	return best[capacity]
}

// knapsackChoose returns which items an optimal knapsack takes.
func knapsackChoose(w []int, v []float64, capacity int) []bool {
	n := len(w)
	best := make([]float64, capacity+1)
	take := make([][]uint64, n)
	words := capacity/64 + 1
	for i := range n {
		take[i] = make([]uint64, words)
		if w[i] > capacity {
			continue
		}
		for c := capacity; c >= w[i]; c-- {
			if x := best[c-w[i]] + v[i]; x > best[c] {
				best[c] = x
				take[i][c/64] |= 1 << (c % 64)
			}
		}
	}
	out := make([]bool, n)
	c := capacity
	for i := n - 1; i >= 0; i-- {
		if take[i][c/64]&(1<<(c%64)) != 0 {
			out[i] = true
			c -= w[i]
		}
	}
	return out
}

// available is the money that can still be spent in year y without breaking any constraint.
func (s *state) available(y int) int64 {
	if !s.p.in.CarryOver {
		return s.p.budgets[y-1] - s.spend[y-1]
	}
	var cumB, cumS int64
	free := int64(-1)
	for t := range s.p.in.Years {
		cumB += s.p.budgets[t]
		cumS += s.spend[t]
		if t >= y-1 && (free < 0 || cumB-cumS < free) {
			free = cumB - cumS
		}
	}
	return max(free, 0)
}

// yearly is a second heuristic for lumpy items: forced units as in greedy, then year by year the
// knapsack of the remaining allowed units that removes the most risk in that year. It reports false
// when it cannot be used (a forced unit fits nowhere, or the knapsacks would be too large).
func (s *state) yearly() bool {
	n := len(s.p.units)
	if n*dpCells > dpMaxWork {
		return false
	}
	// Forced units: reuse the greedy placement rule.
	g := newState(s.p)
	if !g.placeForced() {
		return false
	}
	copy(s.year, g.year)
	copy(s.spend, g.spend)
	for y := 1; y <= s.p.in.Years; y++ {
		capacity := s.available(y)
		if capacity <= 0 {
			continue
		}
		size := cell(capacity)
		var idx, w []int
		var v []float64
		for k, u := range s.p.units {
			if s.year[k] != 0 || u.forced || u.never || u.risk == 0 || u.first > y {
				continue
			}
			cost := (u.cost + size - 1) / size
			if cost > capacity/size {
				continue
			}
			idx, w, v = append(idx, k), append(w, int(cost)), append(v, u.risk)
		}
		for i, ok := range knapsackChoose(w, v, int(capacity/size)) {
			if ok && s.fits(y, s.p.units[idx[i]].cost) {
				s.place(idx[i], y)
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

// dpBound is Σ_t of the 0/1 knapsack of the units allowed by year t within the budgets of years
// 1…t, with costs rounded down: a tighter bound than the fractional one when items are lumpy. It
// reports false when the knapsacks would be too large.
func (p *problem) dpBound() (float64, bool) {
	if len(p.units)*dpCells*p.in.Years > dpMaxWork*2 {
		return 0, false
	}
	var total float64
	var cum int64
	for t := 1; t <= p.in.Years; t++ {
		cum += p.budgets[t-1]
		if cum <= 0 {
			continue
		}
		size := cell(cum)
		var w []int
		var v []float64
		for _, u := range p.units {
			if u.never || u.risk == 0 || u.first > t {
				continue
			}
			w, v = append(w, int(u.cost/size)), append(v, u.risk)
		}
		total += knapsackValue(w, v, int(cum/size))
	}
	return total, true
}
