package store

import (
	"strings"
	"testing"
)

func TestUnpackComponent(t *testing.T) {
	var c FleetComponent
	if err := unpackComponent("7 3 1 2 0 3 ab cpkg:x", &c); err != nil {
		t.Fatal(err)
	}
	if c.ID != 7 || c.ProductVersionID != 3 || c.Ref != "a" || c.Name != "b " || c.Version != "" || c.PURL != "cpk" || c.CPE != "g:x" {
		t.Errorf("unpacked %+v", c)
	}
	for _, bad := range []string{"", "7", "7 3 1 2 0", "x 3 1 2 0 3 abc", "7 3 -1 2 0 3 abc", "7 3 1 2 0 30 abc", "7 3 1 2 0 " + strings.Repeat("9", 40) + " abc"} {
		if err := unpackComponent(bad, &c); err == nil || !strings.Contains(err.Error(), "sbom_components") {
			t.Errorf("%q: error %v, want one naming sbom_components", bad, err)
		}
	}
}

// idSet.count agrees with counting has over the range, across word boundaries.
func TestIDSet(t *testing.T) {
	s := idSet{}
	ids := []int64{1, 2, 63, 64, 65, 127, 128, 200, 255, 256, 1000, 1 << 40}
	for _, id := range ids {
		s.add(id)
	}
	for _, id := range ids {
		if !s.has(id) {
			t.Errorf("has(%d) = false", id)
		}
	}
	if s.has(0) || s.has(3) || s.has(129) {
		t.Error("has an id never added")
	}
	for _, r := range [][2]int64{{1, 1}, {0, 300}, {2, 63}, {63, 64}, {64, 127}, {3, 62}, {128, 255}, {129, 199}, {256, 256}, {1000, 1 << 40}, {1<<40 - 5, 1<<40 + 70}} {
		want := 0
		for id := r[0]; id <= r[1] && id < 1100; id++ {
			if s.has(id) {
				want++
			}
		}
		if r[1] >= 1<<40 {
			want++
		}
		if r[0] > 1000 {
			want = 1
		}
		if got := s.count(r[0], r[1]); got != want {
			t.Errorf("count(%d, %d) = %d, want %d", r[0], r[1], got, want)
		}
	}
}

func TestStatsStale(t *testing.T) {
	for _, tc := range []struct {
		tuples  float64
		changed int64
		want    bool
	}{
		{-1, 0, false}, {-1, 1999, false}, {-1, 2001, true}, // never analysed: once there is something to count
		{0, 50000, true}, {50500, 50000, true}, {250000, 50000, false}, {250000, 50001, true},
		{1000000, 150000, false}, {1000000, 250000, true},
	} {
		if got := statsStale(tc.tuples, tc.changed); got != tc.want {
			t.Errorf("statsStale(%v, %d) = %v, want %v", tc.tuples, tc.changed, got, tc.want)
		}
	}
}
