package chart

import (
	"encoding/xml"
	"strings"
	"testing"
)

func TestChartsAreWellFormedAndAccessible(t *testing.T) {
	charts := map[string]string{
		"bars":  string(Bars("Risk by department", []string{"ICU", "Radiology", "<Lab>"}, []Series{{"open", []float64{3, 5, 0}}, {"mitigated", []float64{1, 2, 4}}}, nil)),
		"lines": string(Lines("Risk over time", []string{"Q1", "Q2", "Q3"}, []Series{{"risk", []float64{10, 7.5, 4}}}, nil)),
		"hbars": string(HBars("Top", []string{"a", "b"}, []float64{2, 1}, nil)),
		"empty": string(Bars("Nothing", nil, nil, nil)),
	}
	for name, svg := range charts {
		if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
			t.Errorf("%s: not well-formed XML: %v", name, err)
		}
		if !strings.Contains(svg, `role="img"`) || !strings.Contains(svg, "<title") || !strings.Contains(svg, "<desc") {
			t.Errorf("%s: missing role, title or description", name)
		}
		if strings.Contains(svg, "<Lab>") {
			t.Errorf("%s: label not escaped", name)
		}
	}
	if !strings.Contains(charts["bars"], "Radiology 5") {
		t.Errorf("the description does not carry the values: %s", charts["bars"])
	}
}

func TestNiceMax(t *testing.T) {
	for in, want := range map[float64]float64{0: 1, 7: 10, 12: 20, 230: 250, 0.3: 0.5, 1000: 1000} {
		if got := niceMax(in); got != want {
			t.Errorf("niceMax(%v) = %v, want %v", in, got, want)
		}
	}
}
