package risk

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Factor is one input of a score with its value in the formula and a sentence a clinician or an
// auditor can read.
type Factor struct {
	Key         string  `json:"key"`   // stable machine name, e.g. "cvss", "threat", "zone", "control:segmentation"
	Group       string  `json:"group"` // "exploitability", "exposure", "impact" or "result"
	Name        string  `json:"name"`  // human label, e.g. "Network zone"
	Input       string  `json:"input"` // the input as recorded, e.g. "clinical-lan"
	Value       float64 `json:"value"` // the factor's value in the formula (a multiplier 0–1 unless Key is "score")
	Explanation string  `json:"explanation"`
}

// Factor groups.
const (
	GroupExploitability = "exploitability"
	GroupExposure       = "exposure"
	GroupImpact         = "impact"
	GroupResult         = "result"
)

// FindingScore is the risk of one finding on one asset, with everything needed to explain it.
type FindingScore struct {
	FindingID       string `json:"finding_id"`
	AssetID         string `json:"asset_id"`
	VulnerabilityID string `json:"vulnerability_id"`

	Score float64 `json:"score"` // 0–100, rounded to one decimal
	Band  Band    `json:"band"`

	Exploitability float64 `json:"exploitability"` // severity × threat, 0–1
	Exposure       float64 `json:"exposure"`       // zone × controls, 0–1
	Impact         float64 `json:"impact"`         // 0–1
	Severity       float64 `json:"severity"`       // the CVSS score used, 0–10
	Threat         float64 `json:"threat"`         // 0–1
	CVSSVector     string  `json:"cvss_vector"`    // the vector scored (after adjustments); "" when none

	Factors []Factor `json:"factors"`

	FormulaVersion string    `json:"formula_version"`
	WeightsVersion string    `json:"weights_version"`
	AsOf           time.Time `json:"as_of"`
}

// Scorer computes scores with one set of weights at one point in time. It is safe for concurrent use.
type Scorer struct {
	w    Weights
	asOf time.Time
}

// NewScorer validates the weights and returns a scorer. asOf is the date control reviews are judged
// against and is recorded in every score.
func NewScorer(w Weights, asOf time.Time) (*Scorer, error) {
	if err := w.Validate(); err != nil {
		return nil, err
	}
	return &Scorer{w: w, asOf: asOf.UTC()}, nil
}

// Weights returns the weights the scorer uses.
func (s *Scorer) Weights() Weights { return s.w }

// ScoreFinding scores one finding on one device:
//
//	risk = 100 × exploitability × exposure × impact
//	exploitability = CVSS score / 10 × threat
//	threat = floor + (1 − floor) × max(KEV weights if listed, w_p × EPSS probability, w_pct × EPSS percentile)
//	exposure = zone value × Π over control kinds (1 − reduction × review credit)
//	impact = 1 − (1 − criticality × safety) × (1 − patient data)
//
// The CVSS score is the newest-version valid vector's score with temporal/threat metrics removed and
// the rubric answers applied as modified metrics. Invalid vectors are skipped and named in the
// explanation. Errors are returned for inputs the caller controls: unknown enum values, EPSS outside
// 0–1 and invalid rubric answers.
func (s *Scorer) ScoreFinding(f Finding, d Device) (FindingScore, error) {
	if err := f.validate(); err != nil {
		return FindingScore{}, fmt.Errorf("score finding %q: %w", f.ID, err)
	}
	if err := d.validate(); err != nil {
		return FindingScore{}, fmt.Errorf("score finding %q: asset %q: %w", f.ID, d.AssetID, err)
	}
	w := s.w
	out := FindingScore{
		FindingID: f.ID, AssetID: d.AssetID, VulnerabilityID: f.VulnerabilityID,
		FormulaVersion: FormulaVersion, WeightsVersion: w.Version, AsOf: s.asOf,
	}

	sev, vector, sevFactor, err := s.severity(f)
	if err != nil {
		return FindingScore{}, fmt.Errorf("score finding %q: %w", f.ID, err)
	}
	out.Severity, out.CVSSVector = sev, vector
	thr, thrFactor := s.threat(f)
	out.Threat = thr
	out.Exploitability = sev / 10 * thr
	out.Factors = append(out.Factors, sevFactor, thrFactor, Factor{
		Key: "exploitability", Group: GroupExploitability, Name: "Exploitability", Value: out.Exploitability,
		Input:       fmt.Sprintf("%.2f × %.2f", sev/10, thr),
		Explanation: fmt.Sprintf("Exploitability is severity %s × threat %s = %s.", f2(sev/10), f2(thr), f3(out.Exploitability)),
	})

	exp, expFactors := s.exposure(d)
	out.Exposure = exp
	out.Factors = append(out.Factors, expFactors...)

	imp, impFactors := s.impact(f, d)
	out.Impact = imp
	out.Factors = append(out.Factors, impFactors...)

	raw := 100 * out.Exploitability * out.Exposure * out.Impact
	out.Score = round1(raw)
	out.Band = w.BandOf(out.Score)
	out.Factors = append(out.Factors, Factor{
		Key: "score", Group: GroupResult, Name: "Risk score", Value: out.Score,
		Input: fmt.Sprintf("100 × %s × %s × %s", f3(out.Exploitability), f3(out.Exposure), f3(out.Impact)),
		Explanation: fmt.Sprintf("Risk = 100 × exploitability %s × exposure %s × impact %s = %.1f (%s).",
			f3(out.Exploitability), f3(out.Exposure), f3(out.Impact), out.Score, out.Band),
	})
	return out, nil
}

// severity picks the vector, applies the rubric and returns the 0–10 score used.
func (s *Scorer) severity(f Finding) (float64, string, Factor, error) {
	fac := Factor{Key: "cvss", Group: GroupExploitability, Name: "CVSS severity"}
	var best *CVSS
	var bad []string
	for _, v := range f.CVSS {
		c, err := ParseCVSS(v)
		if err != nil {
			bad = append(bad, err.Error())
			continue
		}
		if best == nil || versionRank(c.Version) > versionRank(best.Version) {
			best = &c
		}
	}
	var rubric RubricResult
	if len(f.Rubric) > 0 {
		r, err := EvaluateRubric(f.Rubric)
		if err != nil {
			return 0, "", fac, err
		}
		rubric = r
	}
	var sentences []string
	var score float64
	var vector string
	if best == nil {
		score = s.w.UnknownSeverity
		fac.Input = "no CVSS vector"
		sentences = append(sentences, fmt.Sprintf("No valid CVSS vector is known, so a severity of %.1f is assumed.", score))
		if len(rubric.Metrics) > 0 {
			sentences = append(sentences, "The rubric answers cannot be applied without a vector.")
		}
	} else {
		fac.Input = best.Vector
		mods, notes := rubric.Modifications(best.Version)
		sv, err := best.Environmental(mods)
		if err != nil {
			return 0, "", fac, err
		}
		score, vector = sv.Score, sv.Vector
		sentences = append(sentences, fmt.Sprintf("CVSS %s base score %.1f (%s).", best.Version, best.BaseScore, strings.ToLower(best.BaseSeverity)))
		switch {
		case len(sv.Applied) > 0:
			sentences = append(sentences, fmt.Sprintf("The hospital's answers to the medical-device CVSS rubric set %s, giving %.1f (%s) for %s.",
				strings.Join(sv.Applied, ", "), sv.Score, strings.ToLower(sv.Severity), sv.Vector))
		case len(rubric.Metrics) > 0 && len(mods) > 0:
			sentences = append(sentences, "The hospital's answers to the medical-device CVSS rubric agree with the vector, so they change nothing.")
		case sv.Score != best.BaseScore:
			sentences = append(sentences, fmt.Sprintf("Scored without exploit-maturity metrics (EPSS and KEV stand for them) and with the vector's environmental metrics: %.1f for %s.", sv.Score, sv.Vector))
		}
		sentences = append(sentences, notes...)
		sentences = append(sentences, rubric.Notes...)
	}
	for _, b := range bad {
		sentences = append(sentences, "Ignored an invalid vector: "+b+".")
	}
	fac.Value = score / 10
	fac.Explanation = strings.Join(sentences, " ")
	return score, vector, fac, nil
}

func versionRank(v CVSSVersion) int {
	switch v {
	case CVSSv40:
		return 4
	case CVSSv31:
		return 3
	case CVSSv30:
		return 2
	}
	return 1
}

func (s *Scorer) threat(f Finding) (float64, Factor) {
	w := s.w
	fac := Factor{Key: "threat", Group: GroupExploitability, Name: "Threat"}
	type signal struct {
		v    float64
		text string
	}
	var signals []signal
	var inputs []string
	if f.KEV.CISA {
		signals = append(signals, signal{w.KEVCISA, "listed in the CISA Known Exploited Vulnerabilities catalogue"})
		inputs = append(inputs, "CISA KEV")
	}
	if f.KEV.EU {
		signals = append(signals, signal{w.KEVEU, "listed in the EU Known Exploited Vulnerabilities list"})
		inputs = append(inputs, "EU KEV")
	}
	if f.EPSS != nil {
		inputs = append(inputs, fmt.Sprintf("EPSS %.4f, percentile %.4f", f.EPSS.Probability, f.EPSS.Percentile))
		signals = append(signals,
			signal{w.EPSSProbability * f.EPSS.Probability, fmt.Sprintf("EPSS gives a %s chance of exploitation in the next 30 days (weighted %s × %s)", pct(f.EPSS.Probability), f2(w.EPSSProbability), f4(f.EPSS.Probability))},
			signal{w.EPSSPercentile * f.EPSS.Percentile, fmt.Sprintf("its EPSS rank is higher than %s of all scored CVEs (weighted %s × %s)", pct(f.EPSS.Percentile), f2(w.EPSSPercentile), f4(f.EPSS.Percentile))},
		)
	}
	if len(inputs) == 0 {
		fac.Input = "no KEV listing, no EPSS score"
	} else {
		fac.Input = strings.Join(inputs, "; ")
	}
	best := signal{v: 0}
	for _, sg := range signals {
		if sg.v > best.v {
			best = sg
		}
	}
	t := w.ThreatFloor + (1-w.ThreatFloor)*best.v
	fac.Value = t
	switch {
	case best.text == "":
		if f.EPSS == nil {
			fac.Explanation = fmt.Sprintf("Not listed as known exploited and no EPSS score is known, so threat is the floor %s.", f2(t))
		} else {
			fac.Explanation = fmt.Sprintf("Not listed as known exploited and EPSS is zero, so threat is the floor %s.", f2(t))
		}
	default:
		fac.Explanation = fmt.Sprintf("The strongest signal: %s, evidence %s; threat = %s + (1 − %s) × %s = %s.",
			best.text, f3(best.v), f2(w.ThreatFloor), f2(w.ThreatFloor), f3(best.v), f3(t))
	}
	return t, fac
}

func (s *Scorer) exposure(d Device) (float64, []Factor) {
	w := s.w
	zoneKey := string(d.Zone)
	if d.Zone == ExposureUnknown {
		zoneKey = unknownKey
	}
	zv := w.Exposure[zoneKey]
	zf := Factor{Key: "zone", Group: GroupExposure, Name: "Network zone", Input: zoneKey, Value: zv}
	if d.Zone == ExposureUnknown {
		zf.Explanation = fmt.Sprintf("The device's network zone is not recorded, so exposure %s is assumed.", f2(zv))
	} else {
		zf.Explanation = fmt.Sprintf("The device is in a zone rated %s, exposure %s.", zoneKey, f2(zv))
	}
	factors := []Factor{zf}
	exp := zv
	parts := []string{f2(zv)}

	// The strongest control of each kind counts; further controls of the same kind do not stack.
	for _, kind := range ControlKinds() {
		r := w.Controls[string(kind)]
		bestIdx, bestCredit := -1, -1.0
		var bestStatus string
		for i, c := range d.Controls {
			if c.Kind != kind {
				continue
			}
			credit, status := s.controlCredit(c)
			if credit > bestCredit {
				bestIdx, bestCredit, bestStatus = i, credit, status
			}
		}
		if bestIdx < 0 {
			continue
		}
		for i, c := range d.Controls {
			if c.Kind != kind {
				continue
			}
			fac := Factor{Key: "control:" + string(kind), Group: GroupExposure, Name: "Control: " + string(kind), Input: controlInput(c)}
			if i != bestIdx {
				fac.Value = 1
				fac.Explanation = fmt.Sprintf("Another %s control already counts; controls of one kind do not stack (× 1.00).", kind)
				factors = append(factors, fac)
				continue
			}
			m := 1 - r*bestCredit
			fac.Value = m
			switch {
			case bestCredit == 1:
				fac.Explanation = fmt.Sprintf("Removes %s of exposure; %s (× %s).", pct(r), bestStatus, f2(m))
			case bestCredit > 0:
				fac.Explanation = fmt.Sprintf("Would remove %s of exposure; %s, so it counts at %s (× %s).", pct(r), bestStatus, pct(bestCredit), f2(m))
			default:
				fac.Explanation = fmt.Sprintf("Would remove %s of exposure; %s, so it does not count (× 1.00).", pct(r), bestStatus)
			}
			exp *= m
			if m != 1 {
				parts = append(parts, f2(m))
			}
			factors = append(factors, fac)
		}
	}
	total := Factor{Key: "exposure", Group: GroupExposure, Name: "Exposure", Value: exp, Input: strings.Join(parts, " × ")}
	switch {
	case len(d.Controls) == 0:
		total.Explanation = fmt.Sprintf("No compensating controls are recorded, so exposure is the zone's %s.", f3(exp))
	case len(parts) == 1:
		total.Explanation = fmt.Sprintf("No recorded control counts, so exposure is the zone's %s.", f3(exp))
	default:
		total.Explanation = fmt.Sprintf("Exposure = %s = %s.", strings.Join(parts, " × "), f3(exp))
	}
	factors = append(factors, total)
	return exp, factors
}

func controlInput(c Control) string {
	s := string(c.Kind)
	if c.Description != "" {
		s += ": " + c.Description
	}
	if c.Owner != "" {
		s += " (owner " + c.Owner + ")"
	}
	if !c.ReviewDue.IsZero() {
		s += "; review due " + c.ReviewDue.Format(time.DateOnly)
	}
	return s
}

// controlCredit returns the share of a control's reduction that counts on the scorer's date, and a
// phrase describing the review status. A review due on or after the scoring date is current (full
// credit); overdue by up to OverdueGraceDays, or with no date recorded, OverdueCredit; overdue longer,
// nothing.
func (s *Scorer) controlCredit(c Control) (float64, string) {
	if c.ReviewDue.IsZero() {
		return s.w.OverdueCredit, "no review date is recorded"
	}
	asOf := day(s.asOf)
	due := day(c.ReviewDue)
	if !asOf.After(due) {
		return 1, "its review (due " + due.Format(time.DateOnly) + ") is current"
	}
	days := int(asOf.Sub(due).Hours() / 24)
	if days <= s.w.OverdueGraceDays {
		return s.w.OverdueCredit, fmt.Sprintf("its review is %d days overdue (due %s, grace %d days)", days, due.Format(time.DateOnly), s.w.OverdueGraceDays)
	}
	return 0, fmt.Sprintf("its review is %d days overdue (due %s), beyond the %d-day grace period", days, due.Format(time.DateOnly), s.w.OverdueGraceDays)
}

func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func (s *Scorer) impact(f Finding, d Device) (float64, []Factor) {
	w := s.w
	ck := string(d.Criticality)
	if d.Criticality == CriticalityUnknown {
		ck = unknownKey
	}
	cv := w.Criticality[ck]
	cf := Factor{Key: "criticality", Group: GroupImpact, Name: "Clinical criticality", Input: ck, Value: cv}
	if d.Criticality == CriticalityUnknown {
		cf.Explanation = fmt.Sprintf("The device's clinical criticality is not recorded, so %s is assumed.", f2(cv))
	} else {
		cf.Explanation = fmt.Sprintf("The device is %s for patient care: %s.", ck, f2(cv))
	}

	sk := string(f.Safety)
	if f.Safety == SafetyUnknown {
		sk = unknownKey
	}
	sv := w.Safety[sk]
	sf := Factor{Key: "safety", Group: GroupImpact, Name: "Patient-safety impact", Input: sk, Value: sv}
	if f.Safety == SafetyUnknown {
		sf.Explanation = fmt.Sprintf("The patient-safety impact of this vulnerability on this device is not assessed, so %s is assumed.", f2(sv))
	} else {
		sf.Explanation = fmt.Sprintf("Exploitation could cause %s harm to a patient: %s.", sk, f2(sv))
	}

	pk := string(d.PatientData)
	if d.PatientData == PatientDataUnknown {
		pk = unknownKey
	}
	pv := w.PatientData[pk]
	pf := Factor{Key: "patient_data", Group: GroupImpact, Name: "Patient data", Input: pk, Value: pv}
	switch d.PatientData {
	case PatientDataUnknown:
		pf.Explanation = fmt.Sprintf("Whether the device holds patient data is not recorded, so a data-protection impact of %s is assumed.", f2(pv))
	case PatientDataNone:
		pf.Explanation = fmt.Sprintf("The device holds no patient data: %s.", f2(pv))
	case PatientDataLimited:
		pf.Explanation = fmt.Sprintf("The device holds data of a few patients: data-protection impact %s.", f2(pv))
	case PatientDataLarge:
		pf.Explanation = fmt.Sprintf("The device holds data of many patients: data-protection impact %s.", f2(pv))
	}
	imp := 1 - (1-cv*sv)*(1-pv)
	total := Factor{Key: "impact", Group: GroupImpact, Name: "Impact", Value: imp,
		Input: fmt.Sprintf("1 − (1 − %s × %s) × (1 − %s)", f2(cv), f2(sv), f2(pv)),
		Explanation: fmt.Sprintf("Impact = 1 − (1 − criticality %s × safety %s) × (1 − patient data %s) = %s.",
			f2(cv), f2(sv), f2(pv), f3(imp))}
	return imp, []Factor{cf, sf, pf, total}
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

func f2(x float64) string { return fmt.Sprintf("%.2f", x) }
func f3(x float64) string { return fmt.Sprintf("%.3f", x) }
func f4(x float64) string { return fmt.Sprintf("%.4f", x) }

// pct formats a 0–1 fraction as a percentage with at most one decimal.
func pct(x float64) string {
	p := x * 100
	if math.Abs(p-math.Round(p)) < 1e-9 {
		return fmt.Sprintf("%.0f %%", p)
	}
	return fmt.Sprintf("%.1f %%", p)
}
