package risk

import (
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

var asOf = time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)

const (
	blueKeep   = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
	heartbleed = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"
)

func mustScorer(t testing.TB) *Scorer {
	t.Helper()
	s, err := NewScorer(DefaultWeights(), asOf)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// ctWorkstation is journey 3's CT workstation on an unsupported Windows, before controls.
func ctWorkstation() Device {
	return Device{AssetID: "CT-0042", Zone: ExposureEnterprise, Criticality: CriticalityCritical, PatientData: PatientDataLarge}
}

func blueKeepFinding() Finding {
	return Finding{ID: "F-1", VulnerabilityID: "CVE-2019-0708", CVSS: []string{"AV:N/AC:L/Au:N/C:C/I:C/A:C", blueKeep},
		EPSS: &EPSS{Probability: 0.94, Percentile: 0.999}, KEV: KEV{CISA: true}}
}

func controls(segDue time.Time) []Control {
	return []Control{
		{Kind: ControlSegmentation, Description: "VLAN 231, DICOM to PACS only", Owner: "IT network", ReviewDue: segDue},
		{Kind: ControlFirewall, Description: "no internet", Owner: "IT network", ReviewDue: asOf.AddDate(0, 3, 0)},
		{Kind: ControlAllowListing, Description: "application allow-listing", Owner: "Clinical engineering", ReviewDue: asOf.AddDate(0, 6, 0)},
	}
}

// TestScoreFindingHandComputed checks scores against values computed by hand from the formula in
// doc.go and the default weights.
func TestScoreFindingHandComputed(t *testing.T) {
	withControls := func(due time.Time) Device { d := ctWorkstation(); d.Controls = controls(due); return d }
	tests := []struct {
		name                string
		f                   Finding
		d                   Device
		expl, exposure, imp float64
		score               float64
		band                Band
	}{
		{
			// 9.8/10 × threat (0.3 + 0.7 × 1) = 0.98; exposure 0.7; impact 1 − (1 − 0.8 × 1)(1 − 0.4) = 0.88.
			// 100 × 0.98 × 0.7 × 0.88 = 60.368.
			name: "CT workstation, BlueKeep, no controls", f: blueKeepFinding(), d: ctWorkstation(),
			expl: 0.98, exposure: 0.7, imp: 0.88, score: 60.4, band: BandCritical,
		},
		{
			// exposure 0.7 × 0.6 × 0.7 × 0.75 = 0.2205; 100 × 0.98 × 0.2205 × 0.88 = 19.01592.
			name: "with current controls", f: blueKeepFinding(), d: withControls(asOf.AddDate(0, 1, 0)),
			expl: 0.98, exposure: 0.2205, imp: 0.88, score: 19.0, band: BandMedium,
		},
		{
			// Segmentation review 30 days overdue counts half: 1 − 0.4 × 0.5 = 0.8.
			// exposure 0.7 × 0.8 × 0.7 × 0.75 = 0.294; 100 × 0.98 × 0.294 × 0.88 = 25.35456.
			name: "segmentation review overdue within grace", f: blueKeepFinding(), d: withControls(asOf.AddDate(0, 0, -30)),
			expl: 0.98, exposure: 0.294, imp: 0.88, score: 25.4, band: BandHigh,
		},
		{
			// Overdue 200 days: segmentation does not count. 0.7 × 0.7 × 0.75 = 0.3675 → 31.6932.
			name: "segmentation review long overdue", f: blueKeepFinding(), d: withControls(asOf.AddDate(0, 0, -200)),
			expl: 0.98, exposure: 0.3675, imp: 0.88, score: 31.7, band: BandHigh,
		},
		{
			// No review date: half credit, as within grace: 25.35456.
			name: "segmentation without review date", f: blueKeepFinding(), d: withControls(time.Time{}),
			expl: 0.98, exposure: 0.294, imp: 0.88, score: 25.4, band: BandHigh,
		},
		{
			// Heartbleed 7.5; EPSS evidence max(0.02, 0.5 × 0.8) = 0.4 → threat 0.3 + 0.7 × 0.4 = 0.58;
			// exploitability 0.75 × 0.58 = 0.435. Clinical LAN 0.55. Impact 0.55 × 0.4 = 0.22.
			// 100 × 0.435 × 0.55 × 0.22 = 5.2635.
			name: "EPSS percentile is the stronger signal",
			f:    Finding{ID: "F-2", VulnerabilityID: "CVE-2014-0160", CVSS: []string{heartbleed}, EPSS: &EPSS{Probability: 0.02, Percentile: 0.8}, Safety: SafetyMinor},
			d:    Device{AssetID: "LAB-7", Zone: ExposureClinical, Criticality: CriticalityImportant, PatientData: PatientDataNone},
			expl: 0.435, exposure: 0.55, imp: 0.22, score: 5.3, band: BandLow,
		},
		{
			// EPSS probability 0.6 beats percentile 0.5 × 0.99: threat 0.3 + 0.7 × 0.6 = 0.72; 0.75 × 0.72 = 0.54.
			// 100 × 0.54 × 0.55 × 0.22 = 6.534.
			name: "EPSS probability is the stronger signal",
			f:    Finding{ID: "F-3", CVSS: []string{heartbleed}, EPSS: &EPSS{Probability: 0.6, Percentile: 0.99}, Safety: SafetyMinor},
			d:    Device{AssetID: "LAB-7", Zone: ExposureClinical, Criticality: CriticalityImportant, PatientData: PatientDataNone},
			expl: 0.54, exposure: 0.55, imp: 0.22, score: 6.5, band: BandLow,
		},
		{
			// Nothing known: severity 5.0 → 0.5 × threat 0.3 = 0.15; exposure 0.7 (unknown zone);
			// impact 1 − (1 − 0.8 × 1)(1 − 0.2) = 0.84. 100 × 0.15 × 0.7 × 0.84 = 8.82.
			name: "nothing recorded", f: Finding{ID: "F-4"}, d: Device{AssetID: "X-1"},
			expl: 0.15, exposure: 0.7, imp: 0.84, score: 8.8, band: BandMedium,
		},
		{
			// Rubric: long-range wireless → MAV:A → 8.8 (see TestEnvironmental). EU KEV → threat 1.
			// Isolated VLAN 0.3 × monitoring (1 − 0.1) = 0.27. Impact 1 (life-sustaining, catastrophic).
			// 100 × 0.88 × 0.27 × 1 = 23.76.
			name: "rubric, EU KEV, isolated infusion pump",
			f: Finding{ID: "F-5", VulnerabilityID: "CVE-X", CVSS: []string{blueKeep}, KEV: KEV{EU: true}, Safety: SafetyCatastrophic,
				Rubric: RubricAnswers{"XAVN": AnswerYes, "XAVT": AnswerNo, "XAVW": AnswerYes, "XAVR": AnswerNo}},
			d: Device{AssetID: "PUMP-1", Zone: ExposureIsolated, Criticality: CriticalityLifeSustaining, PatientData: PatientDataNone,
				Controls: []Control{{Kind: ControlMonitoring, ReviewDue: asOf}}},
			expl: 0.88, exposure: 0.27, imp: 1, score: 23.8, band: BandHigh,
		},
		{
			// Two segmentation controls: only the better one (current, 0.6) counts. 0.55 × 0.6 = 0.33.
			// Heartbleed, no threat data: 0.75 × 0.3 = 0.225. Impact 1 − (1 − 0.3 × 0.2)(1 − 0.2) = 0.248.
			// 100 × 0.225 × 0.33 × 0.248 = 1.8414.
			name: "controls of one kind do not stack",
			f:    Finding{ID: "F-6", CVSS: []string{heartbleed}, Safety: SafetyNegligible},
			d: Device{AssetID: "NC-1", Zone: ExposureClinical, Criticality: CriticalitySupportive, PatientData: PatientDataLimited,
				Controls: []Control{{Kind: ControlSegmentation, ReviewDue: asOf.AddDate(-1, 0, 0)}, {Kind: ControlSegmentation, ReviewDue: asOf}, {Kind: ControlSegmentation}}},
			expl: 0.225, exposure: 0.33, imp: 0.248, score: 1.8, band: BandLow,
		},
		{
			// Network access removed (0.8) on a standalone device: 0.1 × 0.2 = 0.02.
			// 100 × 0.98 × 0.02 × 0.88 = 1.7248.
			name: "network removed", f: blueKeepFinding(),
			d: Device{AssetID: "US-3", Zone: ExposureStandalone, Criticality: CriticalityCritical, PatientData: PatientDataLarge,
				Controls: []Control{{Kind: ControlNetworkRemoved, ReviewDue: asOf.AddDate(1, 0, 0)}}},
			expl: 0.98, exposure: 0.02, imp: 0.88, score: 1.7, band: BandLow,
		},
	}
	s := mustScorer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.ScoreFinding(tt.f, tt.d)
			if err != nil {
				t.Fatal(err)
			}
			approx := func(name string, got, want float64) {
				if math.Abs(got-want) > 1e-9 {
					t.Errorf("%s = %.10f, want %.10f", name, got, want)
				}
			}
			approx("exploitability", got.Exploitability, tt.expl)
			approx("exposure", got.Exposure, tt.exposure)
			approx("impact", got.Impact, tt.imp)
			if got.Score != tt.score || got.Band != tt.band {
				t.Errorf("score = %v (%s), want %v (%s)", got.Score, got.Band, tt.score, tt.band)
			}
			if got.FormulaVersion != FormulaVersion || got.WeightsVersion != DefaultWeightsVersion || !got.AsOf.Equal(asOf) {
				t.Errorf("versions = %s, %s, %v", got.FormulaVersion, got.WeightsVersion, got.AsOf)
			}
		})
	}
}

func TestScoreFindingPicksNewestVector(t *testing.T) {
	s := mustScorer(t)
	got, err := s.ScoreFinding(Finding{CVSS: []string{"AV:N/AC:L/Au:N/C:P/I:P/A:P", "CVSS:3.1/AV:Q", heartbleed, "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}, Device{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Severity != 7.5 || got.CVSSVector != heartbleed {
		t.Errorf("severity %v from %q, want 7.5 from the 3.1 vector", got.Severity, got.CVSSVector)
	}
	if !strings.Contains(got.Factors[0].Explanation, `Ignored an invalid vector: cvss vector "CVSS:3.1/AV:Q": metric AV: no value`) &&
		!strings.Contains(got.Factors[0].Explanation, `Ignored an invalid vector: cvss vector "CVSS:3.1/AV:Q": metric AV: invalid value "Q"`) {
		t.Errorf("explanation does not name the invalid vector: %s", got.Factors[0].Explanation)
	}
}

func TestScoreFindingErrors(t *testing.T) {
	s := mustScorer(t)
	tests := []struct {
		f    Finding
		d    Device
		want string
	}{
		{Finding{ID: "a", EPSS: &EPSS{Probability: 1.5}}, Device{}, `score finding "a": epss.probability 1.5 out of range 0–1`},
		{Finding{ID: "b", EPSS: &EPSS{Percentile: math.NaN()}}, Device{}, `score finding "b": epss.percentile NaN out of range 0–1`},
		{Finding{ID: "c", Safety: "fatal"}, Device{}, `score finding "c": safety: unknown level "fatal" (known: catastrophic, critical, serious, minor, negligible)`},
		{Finding{ID: "d"}, Device{AssetID: "A", Zone: "dmz"}, `score finding "d": asset "A": zone: unknown exposure level "dmz" (known: internet-facing, remote-access, enterprise-lan, clinical-lan, isolated-vlan, standalone)`},
		{Finding{ID: "e"}, Device{AssetID: "A", Controls: []Control{{Kind: "prayer"}}}, `score finding "e": asset "A": controls[0]: unknown kind "prayer" (known: network-removed, segmentation, firewall, allow-listing, disabled-services, monitoring)`},
		{Finding{ID: "f", CVSS: []string{blueKeep}, Rubric: RubricAnswers{"XAVW": AnswerUnknown}}, Device{}, `score finding "f": rubric: question XAVW: answer "unknown" not allowed (allowed: yes, no)`},
	}
	for _, tt := range tests {
		_, err := s.ScoreFinding(tt.f, tt.d)
		if err == nil || err.Error() != tt.want {
			t.Errorf("error = %v\nwant %s", err, tt.want)
		}
	}
}

func TestWeightsValidate(t *testing.T) {
	if err := DefaultWeights().Validate(); err != nil {
		t.Fatal(err)
	}
	w := DefaultWeights()
	w.Version = "bad"
	w.Exposure = map[string]float64{"internet-facing": 0.5, "remote-access": 0.9, "enterprise-lan": 0.4, "clinical-lan": 0.3, "isolated-vlan": 0.2, "standalone": 0.1, "unknown": 0.5, "dmz": 0.5}
	w.Controls = map[string]float64{"segmentation": 1}
	w.BandHigh = 50
	err := w.Validate()
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`risk weights "bad":`,
		"exposure.remote-access: 0.9 is above the value of the level before it (0.5); the scale must not invert",
		"exposure.dmz: not a known level",
		"controls.network-removed: missing",
		"controls.segmentation: 1 out of range 0 ≤ r < 1",
		"bands: want 0 < band_medium < band_high < band_critical ≤ 100, have 8, 50, 40",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not contain %q:\n%v", want, err)
		}
	}
	if _, err := NewScorer(w, asOf); err == nil {
		t.Error("NewScorer accepted invalid weights")
	}
}

// TestScoreKeepsWeightsVersion shows that a score computed with last quarter's weights keeps their
// version and stays explainable by them.
func TestScoreKeepsWeightsVersion(t *testing.T) {
	old := DefaultWeights()
	old.Version = "st-mary-2026-q2"
	old.Exposure["enterprise-lan"] = 0.8
	s, err := NewScorer(old, asOf)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.ScoreFinding(blueKeepFinding(), ctWorkstation())
	if err != nil {
		t.Fatal(err)
	}
	// 100 × 0.98 × 0.8 × 0.88 = 68.992.
	if got.WeightsVersion != "st-mary-2026-q2" || got.Score != 69.0 {
		t.Errorf("got %s %v, want st-mary-2026-q2 69.0", got.WeightsVersion, got.Score)
	}
}

func TestAggregate(t *testing.T) {
	s := mustScorer(t)
	scores := []FindingScore{
		{FindingID: "b", Score: 19.0},
		{FindingID: "a", Score: 60.4},
		{FindingID: "c", Score: 5.3},
	}
	got := s.Aggregate("CT-0042", scores)
	// remaining = (1 − 0.604)(1 − 0.5 × 0.19)(1 − 0.25 × 0.053) = 0.396 × 0.905 × 0.98675 = 0.353631…
	// asset = 100 × (1 − 0.353631) = 64.637 → 64.6.
	if got.Score != 64.6 || got.Band != BandCritical || got.Findings != 3 {
		t.Errorf("got %v %s %d, want 64.6 critical 3", got.Score, got.Band, got.Findings)
	}
	var ids []string
	var sum float64
	for _, c := range got.Contributions {
		ids = append(ids, c.FindingID)
		sum += c.Added
	}
	if diff := cmp.Diff([]string{"a", "b", "c"}, ids); diff != "" {
		t.Errorf("order (-want +got)\n%s", diff)
	}
	if math.Abs(sum-64.637) > 0.001 {
		t.Errorf("contributions add up to %v, want 64.637", sum)
	}
	if empty := s.Aggregate("none", nil); empty.Score != 0 || empty.Band != BandNone {
		t.Errorf("no findings: %v %s", empty.Score, empty.Band)
	}
}

func TestExplainGolden(t *testing.T) {
	s := mustScorer(t)
	d := ctWorkstation()
	d.Controls = controls(asOf.AddDate(0, 0, -30))
	f := blueKeepFinding()
	f.Rubric = RubricAnswers{"XAVN": AnswerYes, "XAVT": AnswerYes, "XCP": AnswerYes, "XCPM": AnswerNo, "XUI": AnswerNo}
	asset, scores, err := s.ScoreAsset(d, []Finding{f, {ID: "F-9", VulnerabilityID: "CVE-2014-0160", CVSS: []string{heartbleed}, EPSS: &EPSS{Probability: 0.02, Percentile: 0.8}, Safety: SafetyMinor}})
	if err != nil {
		t.Fatal(err)
	}
	pump, err := s.ScoreFinding(Finding{ID: "F-10", VulnerabilityID: "CVE-2020-0001"}, Device{AssetID: "PUMP-9"})
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{
		"explain_finding.golden":          scores[0].Explain(),
		"explain_finding_unknowns.golden": pump.Explain(),
		"explain_asset.golden":            asset.Explain(),
	} {
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to create)", err)
		}
		if diff := cmp.Diff(string(want), text); diff != "" {
			t.Errorf("%s (-want +got)\n%s", name, diff)
		}
	}
}
