package risk

import (
	"fmt"
	"strings"
	"time"
)

// Exposure is the network exposure of the zone a device sits in. The levels form an ordered scale
// from most to least exposed; see ExposureLevels.
type Exposure string

// Exposure levels, most exposed first. ExposureUnknown ("") means the zone is not recorded.
const (
	ExposureInternet   Exposure = "internet-facing" // reachable from the internet
	ExposureRemote     Exposure = "remote-access"   // reachable through vendor remote access, VPN or a DMZ
	ExposureEnterprise Exposure = "enterprise-lan"  // on the shared hospital network with office IT
	ExposureClinical   Exposure = "clinical-lan"    // on a network for clinical systems only
	ExposureIsolated   Exposure = "isolated-vlan"   // own VLAN with tightly limited flows
	ExposureStandalone Exposure = "standalone"      // not connected to any network
	ExposureUnknown    Exposure = ""
)

// ExposureLevels returns the exposure scale, most exposed first.
func ExposureLevels() []Exposure {
	return []Exposure{ExposureInternet, ExposureRemote, ExposureEnterprise, ExposureClinical, ExposureIsolated, ExposureStandalone}
}

// Criticality is the clinical criticality of a device: how much patient care depends on it.
type Criticality string

// Clinical criticality levels, most critical first. CriticalityUnknown ("") means not recorded.
const (
	CriticalityLifeSustaining Criticality = "life-sustaining" // failure can directly cost a life (ventilator, infusion of vital drugs)
	CriticalityCritical       Criticality = "critical"        // needed for diagnosis or therapy now (monitoring, CT in the emergency path)
	CriticalityImportant      Criticality = "important"       // needed for care but with time to fall back (lab analyser, PACS viewer)
	CriticalitySupportive     Criticality = "supportive"      // supports care indirectly (nurse call display, label printer)
	CriticalityUnknown        Criticality = ""
)

// CriticalityLevels returns the criticality scale, most critical first.
func CriticalityLevels() []Criticality {
	return []Criticality{CriticalityLifeSustaining, CriticalityCritical, CriticalityImportant, CriticalitySupportive}
}

// SafetyImpact is the worst credible harm to a patient if this vulnerability is exploited on this
// device, on the severity scale familiar from ISO 14971 risk files.
type SafetyImpact string

// Patient-safety impact levels, worst first. SafetyUnknown ("") means not assessed.
const (
	SafetyCatastrophic SafetyImpact = "catastrophic" // death or permanent life-threatening injury
	SafetyCritical     SafetyImpact = "critical"     // serious injury needing medical intervention
	SafetySerious      SafetyImpact = "serious"      // injury or delayed care needing professional attention
	SafetyMinor        SafetyImpact = "minor"        // temporary discomfort or inconvenience
	SafetyNegligible   SafetyImpact = "negligible"   // no credible harm to a patient
	SafetyUnknown      SafetyImpact = ""
)

// SafetyLevels returns the safety-impact scale, worst first.
func SafetyLevels() []SafetyImpact {
	return []SafetyImpact{SafetyCatastrophic, SafetyCritical, SafetySerious, SafetyMinor, SafetyNegligible}
}

// PatientData says whether, and how much, patient data a device holds.
type PatientData string

// Patient-data levels, most first. PatientDataUnknown ("") means not recorded.
const (
	PatientDataLarge   PatientData = "large"   // data of many patients (about 500 or more), e.g. a PACS or modality worklist cache
	PatientDataLimited PatientData = "limited" // data of the current or a few patients
	PatientDataNone    PatientData = "none"    // no patient data
	PatientDataUnknown PatientData = ""
)

// PatientDataLevels returns the patient-data scale, most first.
func PatientDataLevels() []PatientData {
	return []PatientData{PatientDataLarge, PatientDataLimited, PatientDataNone}
}

// ControlKind is a kind of compensating control.
type ControlKind string

// Compensating control kinds, in the order explanations list them.
const (
	ControlNetworkRemoved   ControlKind = "network-removed"   // network access removed (unplugged, radio disabled)
	ControlSegmentation     ControlKind = "segmentation"      // own VLAN / segment for the device or its model
	ControlFirewall         ControlKind = "firewall"          // restrictive firewall rules (allow-list of flows)
	ControlAllowListing     ControlKind = "allow-listing"     // application allow-listing on the device
	ControlDisabledServices ControlKind = "disabled-services" // unneeded services and ports disabled
	ControlMonitoring       ControlKind = "monitoring"        // network or host monitoring with alerting
)

// ControlKinds returns the control kinds in explanation order.
func ControlKinds() []ControlKind {
	return []ControlKind{ControlNetworkRemoved, ControlSegmentation, ControlFirewall, ControlAllowListing, ControlDisabledServices, ControlMonitoring}
}

// Control is a compensating control recorded for an asset (or inherited from its product).
type Control struct {
	Kind        ControlKind
	Description string    // e.g. "VLAN 231, only DICOM to PACS allowed"
	Owner       string    // who reviews it
	ReviewDue   time.Time // next review date; zero when none is recorded
}

// EPSS is the FIRST Exploit Prediction Scoring System data for one CVE.
type EPSS struct {
	Probability float64   // probability of exploitation activity in the next 30 days, 0–1
	Percentile  float64   // rank among all scored CVEs, 0–1
	Date        time.Time // score date; zero when unknown (shown only)
}

// KEV says whether a vulnerability is listed as known exploited.
type KEV struct {
	CISA bool // CISA Known Exploited Vulnerabilities catalogue
	EU   bool // EU KEV list (EU CSIRTs Network / ENISA)
}

// Finding is one vulnerability on one device, as the risk model needs it.
type Finding struct {
	ID              string   // the finding's id, carried into the score
	VulnerabilityID string   // e.g. "CVE-2019-0708"
	CVSS            []string // CVSS vectors from any source; the newest version is used
	EPSS            *EPSS    // nil when no EPSS score is known
	KEV             KEV
	// Rubric holds the hospital's answers to the medical-device CVSS rubric for this vulnerability
	// on this device; they become modified CVSS metrics. Nil or empty: no adjustment.
	Rubric RubricAnswers
	// Safety is the assessed patient-safety impact of exploiting this finding; SafetyUnknown when not
	// assessed (the weights say what to assume).
	Safety SafetyImpact
}

// Device is the context of the asset a finding is on.
type Device struct {
	AssetID     string
	Zone        Exposure
	Criticality Criticality
	PatientData PatientData
	Controls    []Control
}

func (f Finding) validate() error {
	if f.EPSS != nil {
		if !(f.EPSS.Probability >= 0 && f.EPSS.Probability <= 1) {
			return fmt.Errorf("epss.probability %v out of range 0–1", f.EPSS.Probability)
		}
		if !(f.EPSS.Percentile >= 0 && f.EPSS.Percentile <= 1) {
			return fmt.Errorf("epss.percentile %v out of range 0–1", f.EPSS.Percentile)
		}
	}
	if f.Safety != SafetyUnknown && !in(SafetyLevels(), f.Safety) {
		return fmt.Errorf("safety: unknown level %q (known: %s)", f.Safety, join(SafetyLevels()))
	}
	return nil
}

func (d Device) validate() error {
	if d.Zone != ExposureUnknown && !in(ExposureLevels(), d.Zone) {
		return fmt.Errorf("zone: unknown exposure level %q (known: %s)", d.Zone, join(ExposureLevels()))
	}
	if d.Criticality != CriticalityUnknown && !in(CriticalityLevels(), d.Criticality) {
		return fmt.Errorf("criticality: unknown level %q (known: %s)", d.Criticality, join(CriticalityLevels()))
	}
	if d.PatientData != PatientDataUnknown && !in(PatientDataLevels(), d.PatientData) {
		return fmt.Errorf("patient data: unknown level %q (known: %s)", d.PatientData, join(PatientDataLevels()))
	}
	for i, c := range d.Controls {
		if !in(ControlKinds(), c.Kind) {
			return fmt.Errorf("controls[%d]: unknown kind %q (known: %s)", i, c.Kind, join(ControlKinds()))
		}
	}
	return nil
}

func in[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func join[T ~string](list []T) string {
	s := make([]string, len(list))
	for i, v := range list {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}
