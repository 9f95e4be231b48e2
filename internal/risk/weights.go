package risk

import (
	"errors"
	"fmt"
	"math"
)

// FormulaVersion identifies the scoring formula implemented by this package. It changes when the
// formula's shape changes; the numbers in it live in Weights, which carry their own version.
const FormulaVersion = "vigil-risk/1"

// DefaultWeightsVersion is the version id of DefaultWeights.
const DefaultWeightsVersion = "vigil-default-2026.1"

// Weights are the organisation-configurable numbers of the formula. A Weights value is immutable once
// published: an organisation that changes a number saves a new value under a new Version, and every
// score records the Version it was computed with, so an old score can be explained with the weights
// in force at the time.
//
// Maps are keyed by the enum values of this package; the key "unknown" holds the value assumed when
// the input was not recorded.
type Weights struct {
	Version string `json:"version"`

	// Threat = ThreatFloor + (1 − ThreatFloor) × evidence, where evidence is the largest of
	// KEVCISA (if listed by CISA), KEVEU (if listed in the EU KEV), EPSSProbability × EPSS probability
	// and EPSSPercentile × EPSS percentile. With no evidence at all, threat is the floor.
	ThreatFloor     float64 `json:"threat_floor"`
	KEVCISA         float64 `json:"kev_cisa"`
	KEVEU           float64 `json:"kev_eu"`
	EPSSProbability float64 `json:"epss_probability"`
	EPSSPercentile  float64 `json:"epss_percentile"`

	// UnknownSeverity is the CVSS score (0–10) assumed when a finding has no valid CVSS vector.
	UnknownSeverity float64 `json:"unknown_severity"`

	// Exposure maps each zone exposure level (and "unknown") to its exposure value, 0–1.
	Exposure map[string]float64 `json:"exposure"`
	// Controls maps each control kind to the fraction of exposure it removes when its review is
	// current, 0 ≤ r < 1. Several controls multiply: exposure × Π (1 − r × credit).
	Controls map[string]float64 `json:"controls"`
	// OverdueCredit is the share of a control's reduction that still counts while its review is
	// overdue by at most OverdueGraceDays, or when no review date is recorded. Past the grace period
	// an overdue control counts for nothing.
	OverdueCredit    float64 `json:"overdue_credit"`
	OverdueGraceDays int     `json:"overdue_grace_days"`

	// Criticality, Safety and PatientData map the impact scales (and "unknown") to values 0–1.
	// Impact = 1 − (1 − criticality × safety) × (1 − patient data).
	Criticality map[string]float64 `json:"criticality"`
	Safety      map[string]float64 `json:"safety"`
	PatientData map[string]float64 `json:"patient_data"`

	// Diminishing is the factor by which each further finding counts less in an asset's score, 0–1.
	Diminishing float64 `json:"diminishing"`

	// Band thresholds on the 0–100 score: critical ≥ BandCritical > high ≥ BandHigh > medium ≥
	// BandMedium > low.
	BandCritical float64 `json:"band_critical"`
	BandHigh     float64 `json:"band_high"`
	BandMedium   float64 `json:"band_medium"`
}

// unknownKey is the map key for "not recorded".
const unknownKey = "unknown"

// DefaultWeights returns Vigil's default weights (version DefaultWeightsVersion). The numbers are a
// documented starting point, not a standard; organisations may publish their own.
func DefaultWeights() Weights {
	return Weights{
		Version:         DefaultWeightsVersion,
		ThreatFloor:     0.3,
		KEVCISA:         1.0,
		KEVEU:           1.0,
		EPSSProbability: 1.0,
		EPSSPercentile:  0.5,
		UnknownSeverity: 5.0,
		Exposure: map[string]float64{
			string(ExposureInternet):   1.0,
			string(ExposureRemote):     0.85,
			string(ExposureEnterprise): 0.7,
			string(ExposureClinical):   0.55,
			string(ExposureIsolated):   0.3,
			string(ExposureStandalone): 0.1,
			unknownKey:                 0.7,
		},
		Controls: map[string]float64{
			string(ControlNetworkRemoved):   0.8,
			string(ControlSegmentation):     0.4,
			string(ControlFirewall):         0.3,
			string(ControlAllowListing):     0.25,
			string(ControlDisabledServices): 0.2,
			string(ControlMonitoring):       0.1,
		},
		OverdueCredit:    0.5,
		OverdueGraceDays: 90,
		Criticality: map[string]float64{
			string(CriticalityLifeSustaining): 1.0,
			string(CriticalityCritical):       0.8,
			string(CriticalityImportant):      0.55,
			string(CriticalitySupportive):     0.3,
			unknownKey:                        0.8,
		},
		Safety: map[string]float64{
			string(SafetyCatastrophic): 1.0,
			string(SafetyCritical):     0.85,
			string(SafetySerious):      0.65,
			string(SafetyMinor):        0.4,
			string(SafetyNegligible):   0.2,
			unknownKey:                 1.0,
		},
		PatientData: map[string]float64{
			string(PatientDataLarge):   0.4,
			string(PatientDataLimited): 0.2,
			string(PatientDataNone):    0,
			unknownKey:                 0.2,
		},
		Diminishing:  0.5,
		BandCritical: 40,
		BandHigh:     20,
		BandMedium:   8,
	}
}

// Validate checks that the weights are complete and consistent: every level has a value in 0–1,
// the ordered scales do not invert (a more exposed zone never weighs less than a less exposed one,
// and so on), and the band thresholds are increasing. These conditions are what make the score
// monotone in each factor.
func (w Weights) Validate() error {
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if w.Version == "" {
		add("version: empty")
	}
	unit := func(name string, v float64) {
		if math.IsNaN(v) || v < 0 || v > 1 {
			add("%s: %v out of range 0–1", name, v)
		}
	}
	unit("threat_floor", w.ThreatFloor)
	unit("kev_cisa", w.KEVCISA)
	unit("kev_eu", w.KEVEU)
	unit("epss_probability", w.EPSSProbability)
	unit("epss_percentile", w.EPSSPercentile)
	unit("overdue_credit", w.OverdueCredit)
	unit("diminishing", w.Diminishing)
	if math.IsNaN(w.UnknownSeverity) || w.UnknownSeverity < 0 || w.UnknownSeverity > 10 {
		add("unknown_severity: %v out of range 0–10", w.UnknownSeverity)
	}
	if w.OverdueGraceDays < 0 {
		add("overdue_grace_days: %d is negative", w.OverdueGraceDays)
	}
	scale := func(name string, m map[string]float64, levels []string) {
		prev := math.Inf(1)
		for _, l := range levels {
			v, ok := m[l]
			if !ok {
				add("%s.%s: missing", name, l)
				continue
			}
			unit(name+"."+l, v)
			if v > prev {
				add("%s.%s: %v is above the value of the level before it (%v); the scale must not invert", name, l, v, prev)
			}
			prev = v
		}
		if v, ok := m[unknownKey]; !ok {
			add("%s.%s: missing", name, unknownKey)
		} else {
			unit(name+"."+unknownKey, v)
		}
		for k := range m {
			if k != unknownKey && !in(levels, k) {
				add("%s.%s: not a known level", name, k)
			}
		}
	}
	scale("exposure", w.Exposure, strs(ExposureLevels()))
	scale("criticality", w.Criticality, strs(CriticalityLevels()))
	scale("safety", w.Safety, strs(SafetyLevels()))
	scale("patient_data", w.PatientData, strs(PatientDataLevels()))
	for _, k := range ControlKinds() {
		v, ok := w.Controls[string(k)]
		if !ok {
			add("controls.%s: missing", k)
			continue
		}
		if math.IsNaN(v) || v < 0 || v >= 1 {
			add("controls.%s: %v out of range 0 ≤ r < 1", k, v)
		}
	}
	for k := range w.Controls {
		if !in(strs(ControlKinds()), k) {
			add("controls.%s: not a known control kind", k)
		}
	}
	if !(0 < w.BandMedium && w.BandMedium < w.BandHigh && w.BandHigh < w.BandCritical && w.BandCritical <= 100) {
		add("bands: want 0 < band_medium < band_high < band_critical ≤ 100, have %v, %v, %v", w.BandMedium, w.BandHigh, w.BandCritical)
	}
	if len(errs) > 0 {
		return fmt.Errorf("risk weights %q: %w", w.Version, errors.Join(errs...))
	}
	return nil
}

func strs[T ~string](list []T) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = string(v)
	}
	return out
}

// Band is a qualitative risk band.
type Band string

// Risk bands.
const (
	BandCritical Band = "critical"
	BandHigh     Band = "high"
	BandMedium   Band = "medium"
	BandLow      Band = "low"
	BandNone     Band = "none" // score 0
)

// BandOf returns the band of a 0–100 score under these weights.
func (w Weights) BandOf(score float64) Band {
	switch {
	case score >= w.BandCritical:
		return BandCritical
	case score >= w.BandHigh:
		return BandHigh
	case score >= w.BandMedium:
		return BandMedium
	case score > 0:
		return BandLow
	}
	return BandNone
}
