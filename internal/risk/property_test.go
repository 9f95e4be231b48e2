package risk

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// randomVector returns a random valid CVSS vector of a random version.
func randomVector(r *rand.Rand) string {
	pick := func(vals ...string) string { return vals[r.IntN(len(vals))] }
	switch r.IntN(4) {
	case 0:
		return "AV:" + pick("L", "A", "N") + "/AC:" + pick("H", "M", "L") + "/Au:" + pick("M", "S", "N") +
			"/C:" + pick("N", "P", "C") + "/I:" + pick("N", "P", "C") + "/A:" + pick("N", "P", "C")
	case 1:
		return "CVSS:4.0/AV:" + pick("N", "A", "L", "P") + "/AC:" + pick("L", "H") + "/AT:" + pick("N", "P") +
			"/PR:" + pick("N", "L", "H") + "/UI:" + pick("N", "P", "A") + "/VC:" + pick("H", "L", "N") +
			"/VI:" + pick("H", "L", "N") + "/VA:" + pick("H", "L", "N") + "/SC:" + pick("H", "L", "N") +
			"/SI:" + pick("H", "L", "N") + "/SA:" + pick("H", "L", "N")
	default:
		return pick("CVSS:3.0", "CVSS:3.1") + "/AV:" + pick("N", "A", "L", "P") + "/AC:" + pick("L", "H") +
			"/PR:" + pick("N", "L", "H") + "/UI:" + pick("N", "R") + "/S:" + pick("U", "C") +
			"/C:" + pick("H", "L", "N") + "/I:" + pick("H", "L", "N") + "/A:" + pick("H", "L", "N")
	}
}

func randomControl(r *rand.Rand) Control {
	kinds := ControlKinds()
	c := Control{Kind: kinds[r.IntN(len(kinds))]}
	switch r.IntN(3) {
	case 0: // no date
	default:
		c.ReviewDue = asOf.AddDate(0, 0, r.IntN(400)-250)
	}
	return c
}

func randomCase(r *rand.Rand) (Finding, Device) {
	f := Finding{ID: "f"}
	if r.IntN(6) > 0 {
		f.CVSS = []string{randomVector(r)}
	}
	if r.IntN(3) > 0 {
		f.EPSS = &EPSS{Probability: r.Float64(), Percentile: r.Float64()}
	}
	f.KEV = KEV{CISA: r.IntN(4) == 0, EU: r.IntN(6) == 0}
	safety := append(SafetyLevels(), SafetyUnknown)
	f.Safety = safety[r.IntN(len(safety))]
	zones := append(ExposureLevels(), ExposureUnknown)
	crit := append(CriticalityLevels(), CriticalityUnknown)
	data := append(PatientDataLevels(), PatientDataUnknown)
	d := Device{AssetID: "a", Zone: zones[r.IntN(len(zones))], Criticality: crit[r.IntN(len(crit))], PatientData: data[r.IntN(len(data))]}
	for range r.IntN(5) {
		d.Controls = append(d.Controls, randomControl(r))
	}
	return f, d
}

// raw is the unrounded score; the rounded Score is monotone whenever raw is.
func raw(t *testing.T, s *Scorer, f Finding, d Device) float64 {
	t.Helper()
	fs, err := s.ScoreFinding(f, d)
	if err != nil {
		t.Fatal(err)
	}
	return 100 * fs.Exploitability * fs.Exposure * fs.Impact
}

const eps = 1e-9

// TestScoreMonotone checks, over many random cases, that raising any single factor never lowers the
// score and that compensating controls never raise it.
func TestScoreMonotone(t *testing.T) {
	s := mustScorer(t)
	for seed := range uint64(3000) {
		r := rand.New(rand.NewPCG(seed, 42))
		f, d := randomCase(r)
		base := raw(t, s, f, d)
		check := func(what string, higher float64) {
			t.Helper()
			if higher < base-eps {
				t.Fatalf("seed %d: raising %s lowered the score from %v to %v (finding %+v, device %+v)", seed, what, base, higher, f, d)
			}
		}
		if f.EPSS != nil {
			g := f
			e := *f.EPSS
			e.Probability = e.Probability + (1-e.Probability)*r.Float64()
			g.EPSS = &e
			check("EPSS probability", raw(t, s, g, d))
			e = *f.EPSS
			e.Percentile = e.Percentile + (1-e.Percentile)*r.Float64()
			g.EPSS = &e
			check("EPSS percentile", raw(t, s, g, d))
		} else {
			g := f
			g.EPSS = &EPSS{Probability: r.Float64(), Percentile: r.Float64()}
			check("EPSS from none", raw(t, s, g, d))
		}
		g := f
		g.KEV.CISA = true
		check("CISA KEV", raw(t, s, g, d))
		g = f
		g.KEV.EU = true
		check("EU KEV", raw(t, s, g, d))

		// Ordered scales: every more severe level scores at least as high.
		if i := slices.Index(ExposureLevels(), d.Zone); i > 0 {
			e := d
			e.Zone = ExposureLevels()[r.IntN(i)]
			check("zone exposure", raw(t, s, f, e))
		}
		if i := slices.Index(CriticalityLevels(), d.Criticality); i > 0 {
			e := d
			e.Criticality = CriticalityLevels()[r.IntN(i)]
			check("criticality", raw(t, s, f, e))
		}
		if i := slices.Index(PatientDataLevels(), d.PatientData); i > 0 {
			e := d
			e.PatientData = PatientDataLevels()[r.IntN(i)]
			check("patient data", raw(t, s, f, e))
		}
		if i := slices.Index(SafetyLevels(), f.Safety); i > 0 {
			g := f
			g.Safety = SafetyLevels()[r.IntN(i)]
			check("safety", raw(t, s, g, d))
		}

		// CVSS: a vector with a higher score gives a risk at least as high.
		if len(f.CVSS) == 1 {
			other := randomVector(r)
			g := f
			g.CVSS = []string{other}
			a, err := s.ScoreFinding(f, d)
			if err != nil {
				t.Fatal(err)
			}
			b, err := s.ScoreFinding(g, d)
			if err != nil {
				t.Fatal(err)
			}
			if (b.Severity > a.Severity && b.Score < a.Score) || (b.Severity < a.Severity && b.Score > a.Score) {
				t.Fatalf("seed %d: severity %v → %v moved risk %v → %v", seed, a.Severity, b.Severity, a.Score, b.Score)
			}
		}

		// Controls never raise the score: adding one cannot, removing one cannot lower it.
		e := d
		e.Controls = append(slices.Clone(d.Controls), randomControl(r))
		if added := raw(t, s, f, e); added > base+eps {
			t.Fatalf("seed %d: adding a control raised the score from %v to %v", seed, base, added)
		}
		if len(d.Controls) > 0 {
			e := d
			k := r.IntN(len(d.Controls))
			e.Controls = slices.Delete(slices.Clone(d.Controls), k, k+1)
			check("removing a control", raw(t, s, f, e))
			// A review falling further overdue never lowers the score.
			e = d
			e.Controls = slices.Clone(d.Controls)
			if !e.Controls[k].ReviewDue.IsZero() {
				e.Controls[k].ReviewDue = e.Controls[k].ReviewDue.Add(-time.Duration(r.IntN(300)) * 24 * time.Hour)
				check("an older review date", raw(t, s, f, e))
			}
		}
	}
}

func TestAggregateProperties(t *testing.T) {
	s := mustScorer(t)
	for seed := range uint64(2000) {
		r := rand.New(rand.NewPCG(seed, 7))
		n := r.IntN(12)
		scores := make([]FindingScore, n)
		maxScore := 0.0
		for i := range scores {
			scores[i] = FindingScore{FindingID: string(rune('a' + i)), Score: round1(r.Float64() * 100)}
			maxScore = max(maxScore, scores[i].Score)
		}
		a := s.Aggregate("x", scores)
		if a.Score < maxScore || a.Score > 100 {
			t.Fatalf("seed %d: aggregate %v outside [max %v, 100]", seed, a.Score, maxScore)
		}
		shuffled := slices.Clone(scores)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if b := s.Aggregate("x", shuffled); b.Score != a.Score {
			t.Fatalf("seed %d: order changed the aggregate %v → %v", seed, a.Score, b.Score)
		}
		more := append(slices.Clone(scores), FindingScore{FindingID: "z", Score: round1(r.Float64() * 100)})
		if b := s.Aggregate("x", more); b.Score < a.Score {
			t.Fatalf("seed %d: adding a finding lowered the aggregate %v → %v", seed, a.Score, b.Score)
		}
		if n > 0 {
			raised := slices.Clone(scores)
			k := r.IntN(n)
			raised[k].Score = min(100, raised[k].Score+r.Float64()*20)
			if b := s.Aggregate("x", raised); b.Score < a.Score {
				t.Fatalf("seed %d: raising a finding lowered the aggregate %v → %v", seed, a.Score, b.Score)
			}
		}
	}
}
