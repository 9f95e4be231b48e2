package regulation

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCatalogueContents(t *testing.T) {
	c := MeasureCatalogue()
	var ids []string
	for _, m := range c.Measures {
		ids = append(ids, m.ID)
	}
	want := []string{"nis2.21.2.a", "nis2.21.2.b", "nis2.21.2.c", "nis2.21.2.d", "nis2.21.3", "nis2.21.2.e", "nis2.21.2.f",
		"nis2.21.2.g", "nis2.21.2.h", "nis2.21.2.i", "nis2.21.2.j", "nis2.20.1", "nis2.20.2"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("measure ids (-want +got):\n%s", diff)
	}
	if c.Version == "" || len(c.Sources) == 0 || c.ISOStatus != "U" || c.IR2690Status != "S" {
		t.Errorf("version, sources or mapping status missing: %q %v %q %q", c.Version, c.Sources, c.ISOStatus, c.IR2690Status)
	}
	// The evidence kinds of the brief, each on its measure.
	for kind, measure := range map[EvidenceKind]string{
		EvidenceAssetInventory: "nis2.21.2.i", EvidenceVulnHandling: "nis2.21.2.e", EvidenceSupplierDisclos: "nis2.21.2.d",
		EvidenceTraining: "nis2.21.2.g", EvidenceMFA: "nis2.21.2.j", EvidenceIncidents: "nis2.21.2.b",
	} {
		def, ok := EvidenceKindByName(kind)
		if !ok || def.Measure != measure {
			t.Errorf("evidence kind %s: %+v", kind, def)
		}
		m, _ := MeasureByID(measure)
		found := false
		for _, k := range m.Evidence {
			found = found || k == kind
		}
		if !found {
			t.Errorf("measure %s does not list evidence kind %s", measure, kind)
		}
	}
	// IR 2690 mappings follow regulatory-facts.md §9.3.
	for id, sections := range map[string][]string{"nis2.21.2.a": {"1", "2"}, "nis2.21.2.i": {"10", "11", "12", "13"}, "nis2.21.2.j": {"11", "4"}} {
		m, _ := MeasureByID(id)
		var got []string
		for _, h := range m.IR2690 {
			got = append(got, h.Section)
		}
		if diff := cmp.Diff(sections, got); diff != "" {
			t.Errorf("%s ir2690 (-want +got):\n%s", id, diff)
		}
	}
	m, _ := MeasureByID("nis2.21.2.j")
	if m.IR2690[0].Sub != "11.7 MFA" || m.Maturity[4].Level != 4 || !strings.Contains(m.Text, "multi-factor") {
		t.Errorf("nis2.21.2.j: %+v", m)
	}
	if _, err := json.Marshal(c); err != nil {
		t.Fatal(err)
	}
}

func TestEvidenceValidate(t *testing.T) {
	ok := Evidence{
		Kind: EvidenceAssetInventory, Measure: "nis2.21.2.i", AsOf: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Source: "vigil inventory",
		Figures: []Figure{{"devices_total", 7012, "count"}, {"devices_identified", 6801, "count"}, {"coverage", 97.0, "percent"}},
	}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid evidence rejected: %v", err)
	}
	for name, mut := range map[string]func(e *Evidence){
		"bare yes":       func(e *Evidence) { e.Figures = nil },
		"no date":        func(e *Evidence) { e.AsOf = time.Time{} },
		"wrong measure":  func(e *Evidence) { e.Measure = "nis2.21.2.a" },
		"unknown figure": func(e *Evidence) { e.Figures[0].Name = "happiness" },
		"wrong unit":     func(e *Evidence) { e.Figures[2].Unit = "count" },
		"over 100 %":     func(e *Evidence) { e.Figures[2].Value = 101 },
		"negative":       func(e *Evidence) { e.Figures[0].Value = -1 },
		"unknown kind":   func(e *Evidence) { e.Kind = "vibes" },
	} {
		e := ok
		e.Figures = append([]Figure(nil), ok.Figures...)
		mut(&e)
		if err := e.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{5}, 5},
		{[]float64{9, 1, 5}, 5},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		in := slices.Clone(c.in)
		if got := Median(c.in); got != c.want {
			t.Errorf("Median(%v) = %v, want %v", c.in, got, c.want)
		}
		if !slices.Equal(in, c.in) {
			t.Errorf("Median reordered its input: %v", c.in)
		}
	}
}
