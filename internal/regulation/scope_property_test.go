package regulation

import (
	"math/rand/v2"
	"testing"
	"testing/quick"
)

func rank(c Category) int {
	switch c {
	case OutOfScope:
		return 0
	case Important:
		return 1
	case Essential:
		return 2
	}
	return -1
}

// randomInput draws figures around the ceilings so boundaries are hit often.
func randomInput(rng *rand.Rand, t EntityType) ScopeInput {
	pick := func(points []int64) int64 {
		p := points[rng.IntN(len(points))]
		return max(0, p+rng.Int64N(5)-2)
	}
	money := []int64{0, 2_000_000, 10_000_000, 43_000_000, 50_000_000, 200_000_000}
	heads := []int64{0, 10, 50, 250, 1000}
	return ScopeInput{EntityType: t, MemberState: "DE", Employees: float64(pick(heads)), TurnoverEUR: pick(money), BalanceSheetEUR: pick(money)}
}

// TestScopeMonotone: growing headcount, turnover or balance sheet never lowers the category.
func TestScopeMonotone(t *testing.T) {
	rng := rand.New(rand.NewPCG(2003, 361))
	types := []EntityType{HealthcareProvider, EUReferenceLaboratory, MedicinalProductRD, BasicPharmaceuticalManufacturer,
		CriticalMedicalDeviceManufacturer, CloudProvider, ManagedServiceProvider, MedicalDeviceManufacturer, IVDManufacturer, ChemicalsManufacturer, ResearchOrganisation}
	for i := 0; i < 50000; i++ {
		et := types[rng.IntN(len(types))]
		a := randomInput(rng, et)
		b := a
		switch rng.IntN(3) {
		case 0:
			b.Employees += float64(rng.IntN(300))
		case 1:
			b.TurnoverEUR += rng.Int64N(60_000_000)
		default:
			b.BalanceSheetEUR += rng.Int64N(60_000_000)
		}
		ra, rb := Scope(a), Scope(b)
		if rank(ra.Category) < 0 || rank(rb.Category) < 0 {
			t.Fatalf("unexpected uncertain for complete figures: %+v -> %s / %+v -> %s", a, ra.Category, b, rb.Category)
		}
		if rank(rb.Category) < rank(ra.Category) {
			t.Fatalf("growing lowered the category: %+v -> %s, %+v -> %s", a, ra.Category, b, rb.Category)
		}
		if sizeRank(rb.Size) < sizeRank(ra.Size) {
			t.Fatalf("growing lowered the size: %s -> %s", ra.Size, rb.Size)
		}
		info, _ := entityInfo(et)
		if info.Annex == "II" && ra.Category == Essential {
			t.Fatalf("Annex II entity essential by size alone: %+v", a)
		}
		if info.Annex == "I" && (ra.Size == Large) != (ra.Category == Essential) {
			t.Fatalf("Annex I: essential iff large, got %s/%s for %+v", ra.Size, ra.Category, a)
		}
		if (ra.Size == Micro || ra.Size == Small) != (ra.Category == OutOfScope) {
			t.Fatalf("out of scope iff small or micro, got %s/%s", ra.Size, ra.Category)
		}
	}
}

// TestScopeOverrides: CER identification always gives essential; a designation never gives less than the
// designated category, whatever the figures (testing/quick over arbitrary figures).
func TestScopeOverrides(t *testing.T) {
	f := func(emp uint16, turn, bal uint32, typ uint8, des bool) bool {
		types := EntityTypes()
		in := ScopeInput{EntityType: types[int(typ)%len(types)].ID, MemberState: "DE", Employees: float64(emp), TurnoverEUR: int64(turn) * 100, BalanceSheetEUR: int64(bal) * 100}
		cer := in
		cer.CERCritical = true
		if Scope(cer).Category != Essential {
			return false
		}
		d := in
		d.Designated = DesignatedImportant
		if des {
			d.Designated = DesignatedEssential
		}
		got := Scope(d).Category
		if des {
			return got == Essential
		}
		return got == Important || got == Essential
	}
	if err := quick.Check(f, &quick.Config{MaxCount: 5000, Rand: nil}); err != nil {
		t.Error(err)
	}
}
