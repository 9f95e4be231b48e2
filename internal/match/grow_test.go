package match

import (
	"testing"

	"github.com/vigil-med/vigil/internal/sbom"
)

// growTo projects the findings of the components left at the rate so far, with a margin on what is
// left: a result whose rate rises a little after the first projection (the benchmark's 10,000
// components: 2,504 findings at component 2,106, 13,237 at the end) needs no second growth.
func TestGrowTo(t *testing.T) {
	run := &Run{t: &Target{Components: make([]sbom.Component, 10000)}}
	for _, tc := range []struct {
		ci, n    int
		min, max int
	}{
		{ci: 10, n: 40, min: 96, max: 96},                // little known: double
		{ci: -1, n: 40, min: 96, max: 96},                // the subject: double
		{ci: 2106, n: 2504, min: 13237, max: 15000},      // early: generous
		{ci: 9886, n: 13072, min: 13222, max: 14722},     // late: the rest at the rate, or an eighth more
		{ci: 4999, n: 100, min: 100 + 12 + 16, max: 300}, // few findings: at least an eighth more
	} {
		run.out = make([]Finding, tc.n)
		if got := run.growTo(tc.ci); got < tc.min || got > tc.max {
			t.Errorf("growTo(ci %d, %d findings) = %d, want %d–%d", tc.ci, tc.n, got, tc.min, tc.max)
		}
	}
}
