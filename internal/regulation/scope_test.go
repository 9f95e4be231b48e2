package regulation

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSizeOfBoundaries(t *testing.T) {
	tests := []struct {
		emp       float64
		turn, bal int64
		want      Size
	}{
		{249, 50_000_000, 43_000_001, Medium}, // turnover at the ceiling
		{249, 50_000_001, 43_000_000, Medium}, // balance at the ceiling
		{249, 50_000_001, 43_000_001, Large},  // both above
		{250, 1, 1, Large},                    // headcount alone
		{249.5, 1, 1, Medium},                 // AWU are fractional
		{49, 10_000_000, 10_000_001, Small},   // turnover at the small ceiling
		{49, 10_000_001, 10_000_000, Small},   // balance at the small ceiling
		{49, 10_000_001, 10_000_001, Medium},  // both above the small ceilings
		{50, 1, 1, Medium},                    // headcount 50 is not small
		{9, 2_000_000, 2_000_001, Micro},      // micro boundary
		{9, 2_000_001, 2_000_001, Small},
		{10, 0, 0, Small},
		{0, 0, 0, Micro},
		{100, -1, 50_000_000, SizeUnknown}, // turnover unknown, balance above 43 m
		{100, -1, 43_000_000, Medium},      // balance alone decides
		{300, -1, -1, Large},               // headcount alone decides
		{-1, 1, 1, SizeUnknown},
		{-1, 60_000_000, 50_000_000, Large}, // both financial ceilings exceeded: large whatever the headcount
	}
	for _, tt := range tests {
		if got := SizeOf(Figures{tt.emp, tt.turn, tt.bal}); got != tt.want {
			t.Errorf("SizeOf(%v, %d, %d) = %s, want %s", tt.emp, tt.turn, tt.bal, got, tt.want)
		}
	}
}

func TestScopeNamedCases(t *testing.T) {
	hp := func(emp float64, turn, bal int64) ScopeInput {
		return ScopeInput{EntityType: HealthcareProvider, MemberState: "DE", Employees: emp, TurnoverEUR: turn, BalanceSheetEUR: bal}
	}
	tests := []struct {
		name     string
		in       ScopeInput
		category Category
		annex    string
		size     Size
		checks   int // number of to_check items expected (-1: at least one)
	}{
		// Journey 7: a 180-bed private clinic with ~400 staff is large (headcount >= 250), hence essential.
		{"180-bed private clinic, 400 staff", hp(400, 45_000_000, 30_000_000), Essential, "I", Large, 0},
		// The same clinic with 220 AWU and turnover under 50 m is medium, hence important.
		{"180-bed clinic, 220 AWU", hp(220, 38_000_000, 30_000_000), Important, "I", Medium, 0},
		{"issue example: 300 staff, 40 m, 30 m", hp(300, 40_000_000, 30_000_000), Essential, "I", Large, 0},
		{"249 staff, turnover at 50 m", hp(249, 50_000_000, 43_000_001), Important, "I", Medium, 0},
		{"249 staff, both ceilings exceeded", hp(249, 50_000_001, 43_000_001), Essential, "I", Large, 0},
		{"small practice", hp(20, 3_000_000, 2_000_000), OutOfScope, "I", Small, 0},
		{"small public hospital", func() ScopeInput { i := hp(40, 5_000_000, 5_000_000); i.Public = true; return i }(), Uncertain, "I", Small, 1},
		{"medium public hospital", func() ScopeInput { i := hp(200, 30_000_000, 20_000_000); i.Public = true; return i }(), Important, "I", Medium, 1},
		{"large MD manufacturer (Annex II)", ScopeInput{EntityType: MedicalDeviceManufacturer, MemberState: "IE", Employees: 900, TurnoverEUR: 200_000_000, BalanceSheetEUR: 150_000_000}, Important, "II", Large, 1},
		{"small IVD maker", ScopeInput{EntityType: IVDManufacturer, MemberState: "FR", Employees: 30, TurnoverEUR: 4_000_000, BalanceSheetEUR: 3_000_000}, OutOfScope, "II", Small, 1},
		{"CER critical small lab", ScopeInput{EntityType: EUReferenceLaboratory, MemberState: "NL", Employees: 30, TurnoverEUR: 4_000_000, BalanceSheetEUR: 3_000_000, CERCritical: true}, Essential, "I", Small, 0},
		{"designated essential small Annex II", ScopeInput{EntityType: ChemicalsManufacturer, MemberState: "BE", Employees: 30, TurnoverEUR: 4_000_000, BalanceSheetEUR: 3_000_000, Designated: DesignatedEssential}, Essential, "II", Small, 0},
		{"designated important but large Annex I", ScopeInput{EntityType: CloudProvider, MemberState: "DE", Employees: 600, TurnoverEUR: 80_000_000, BalanceSheetEUR: 60_000_000, Designated: DesignatedImportant}, Essential, "I", Large, 0},
		{"designated important small", ScopeInput{EntityType: ManagedServiceProvider, MemberState: "AT", Employees: 12, TurnoverEUR: 1_500_000, BalanceSheetEUR: 1_000_000, Designated: DesignatedImportant}, Important, "I", Small, 0},
		{"sole provider, small", ScopeInput{EntityType: HealthcareProvider, MemberState: "LU", Employees: 30, TurnoverEUR: 3_000_000, BalanceSheetEUR: 2_000_000, SoleProvider: true}, Uncertain, "I", Small, 1},
		{"group member sized on own figures, medium Annex I", func() ScopeInput { i := hp(200, 30_000_000, 20_000_000); i.OwnFiguresOnly = true; return i }(), Uncertain, "I", Medium, 1},
		{"group member sized on own figures, medium Annex II", ScopeInput{EntityType: ResearchOrganisation, MemberState: "DE", Employees: 200, TurnoverEUR: 30_000_000, BalanceSheetEUR: 20_000_000, OwnFiguresOnly: true}, Important, "II", Medium, 1},
		{"other type", ScopeInput{EntityType: OtherEntity, MemberState: "DE", Employees: 5000, TurnoverEUR: 1e9, BalanceSheetEUR: 1e9}, OutOfScope, "", Large, 2},
		{"other type but CER critical", ScopeInput{EntityType: OtherEntity, MemberState: "DE", Employees: 5, TurnoverEUR: 1, BalanceSheetEUR: 1, CERCritical: true}, Essential, "", Micro, 2},
		{"missing turnover decides nothing", hp(100, -1, 50_000_000), Uncertain, "I", SizeUnknown, 1},
		{"previous year keeps medium", func() ScopeInput {
			i := hp(260, 40_000_000, 30_000_000)
			i.PreviousYear = &Figures{200, 40_000_000, 30_000_000}
			return i
		}(), Important, "I", Medium, 1},
		{"non-EU cloud provider", ScopeInput{EntityType: CloudProvider, MemberState: "US", Employees: 5000, TurnoverEUR: 1e9, BalanceSheetEUR: 1e9}, Uncertain, "I", Large, 1},
		{"no Member State given", ScopeInput{EntityType: HealthcareProvider, Employees: 400, TurnoverEUR: 1, BalanceSheetEUR: 1}, Essential, "I", Large, 1},
		{"unknown type", ScopeInput{EntityType: "bakery"}, Uncertain, "", SizeUnknown, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Scope(tt.in)
			if got.Category != tt.category || got.Annex != tt.annex || got.Size != tt.size {
				t.Errorf("Scope = %s/%q/%s, want %s/%q/%s\nreasons: %v\nto_check: %v", got.Category, got.Annex, got.Size, tt.category, tt.annex, tt.size, got.Reasons, got.ToCheck)
			}
			if tt.checks >= 0 && len(got.ToCheck) != tt.checks {
				t.Errorf("to_check has %d items, want %d: %v", len(got.ToCheck), tt.checks, got.ToCheck)
			}
			if got.Category == Uncertain && len(got.ToCheck) == 0 {
				t.Error("uncertain without anything to check")
			}
			for _, r := range got.Reasons {
				if r.Ref == "" || r.Text == "" {
					t.Errorf("reason without ref or text: %+v", r)
				}
			}
		})
	}
}

func TestScopeReasonsPath(t *testing.T) {
	got := Scope(ScopeInput{EntityType: HealthcareProvider, MemberState: "DE", Employees: 300, TurnoverEUR: 40_000_000, BalanceSheetEUR: 30_000_000})
	var refs []string
	for _, r := range got.Reasons {
		refs = append(refs, r.Ref)
	}
	want := []string{"NIS2 Annex I point 5", "NIS2 Art 2(1), Art 26(1)", "Rec. 2003/361/EC Annex Art 2(1)", "NIS2 Art 2(1) second subparagraph", "NIS2 Art 3(1)(a)"}
	if diff := cmp.Diff(want, refs); diff != "" {
		t.Errorf("reason path (-want +got):\n%s", diff)
	}
	if !strings.Contains(got.Reasons[2].Text, "headcount 300 AWU, turnover €40 000 000, balance sheet €30 000 000") {
		t.Errorf("size reason does not show the figures: %s", got.Reasons[2].Text)
	}
}

func TestScopeJSONShape(t *testing.T) {
	b, err := json.Marshal(Scope(ScopeInput{EntityType: HealthcareProvider, Employees: 10, TurnoverEUR: 1, BalanceSheetEUR: 1}))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"category", "annex", "size", "reasons", "to_check"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, b)
		}
	}
	if string(m["category"]) != `"out-of-scope"` {
		t.Errorf("category = %s", m["category"])
	}
	if !strings.Contains(string(m["reasons"]), `"ref":`) || !strings.Contains(string(m["reasons"]), `"text":`) {
		t.Errorf("reasons not {ref,text}: %s", m["reasons"])
	}
	empty, _ := json.Marshal(Scope(ScopeInput{EntityType: HealthcareProvider, MemberState: "DE", Employees: 400, TurnoverEUR: 1, BalanceSheetEUR: 1}))
	if !strings.Contains(string(empty), `"to_check":[]`) {
		t.Errorf("empty to_check should marshal as []: %s", empty)
	}
}

func TestParseEntityType(t *testing.T) {
	for _, e := range EntityTypes() {
		if got, err := ParseEntityType(strings.ToUpper(string(e.ID))); err != nil || got != e.ID {
			t.Errorf("ParseEntityType(%s) = %s, %v", e.ID, got, err)
		}
	}
	if _, err := ParseEntityType("hospital"); err == nil || !strings.Contains(err.Error(), "healthcare-provider") {
		t.Errorf("error should list the ids: %v", err)
	}
	if len(EntityTypes()) != 12 {
		t.Errorf("want the 12 entity types of the brief, got %d", len(EntityTypes()))
	}
}
