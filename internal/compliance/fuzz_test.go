package compliance_test

import (
	"net/url"
	"slices"
	"strconv"
	"testing"

	"github.com/vigil-med/vigil/internal/compliance"
	"github.com/vigil-med/vigil/internal/regulation"
)

// FuzzParseAmount: amounts and staff figures as people type them never panic; an accepted amount is not
// negative, within the bound, and its plain digits parse back to the same value.
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"40000000", "40 000 000", "40.000.000", "40,000,000", "40 m", "€ 43m", "1,5 bn", "12'500'000", "4,00", "-3", "1e9", "mio", "€", ".5m", "9999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if h, err := compliance.ParseHeadcount(s); err == nil && (h < 0 || h > 10_000_000) {
			t.Fatalf("ParseHeadcount(%q) = %v out of range", s, h)
		}
		v, err := compliance.ParseAmount(s)
		if err != nil {
			return
		}
		if v < 0 || v > 1e15 {
			t.Fatalf("ParseAmount(%q) = %d out of range", s, v)
		}
		back, err := compliance.ParseAmount(strconv.FormatInt(v, 10))
		if err != nil || back != v {
			t.Fatalf("ParseAmount(%q) = %d does not round-trip: %d, %v", s, v, back, err)
		}
	})
}

// FuzzScopeForm: any query string gives either field errors or an input the scope check answers with a
// known category and reasons, never a panic.
func FuzzScopeForm(f *testing.F) {
	for _, q := range []string{
		"entity_type=healthcare-provider&employees=300&turnover_eur=40000000&balance_sheet_eur=30000000&country=DE",
		"entity_type=other&public=yes", "entity_type=cloud-provider&country=US&employees=12", "entity_type=ivd-manufacturer&designated=essential&cer_critical=on",
		"entity_type=healthcare-provider&employees=49.99&turnover_eur=10m&balance_sheet_eur=10 000 001&own_figures_only=yes&sole_provider=1",
		"entity_type=x&employees=-1&country=Germany", "",
	} {
		f.Add(q)
	}
	cats := []regulation.Category{regulation.Essential, regulation.Important, regulation.OutOfScope, regulation.Uncertain}
	f.Fuzz(func(t *testing.T, q string) {
		v, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		in, errs := compliance.ScopeFormFrom(v).Input()
		if len(errs) > 0 {
			return
		}
		r := regulation.Scope(in)
		if !slices.Contains(cats, r.Category) || r.Reasons == nil || (r.Category == regulation.Uncertain && len(r.ToCheck) == 0) {
			t.Fatalf("%q: %+v", q, r)
		}
	})
}
