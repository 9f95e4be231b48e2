package domain

import (
	"slices"
	"strings"
)

// Exposure is how reachable a network zone is, on an ordered scale from the most exposed
// (internet-facing) to the least (standalone).
type Exposure string

// The exposure levels, most exposed first.
const (
	ExposureInternet   Exposure = "internet-facing"
	ExposureDMZ        Exposure = "dmz"
	ExposureClinical   Exposure = "clinical-lan"
	ExposureOffice     Exposure = "office-lan"
	ExposureIsolated   Exposure = "isolated-vlan"
	ExposureStandalone Exposure = "standalone"
)

// Exposures lists the exposure levels, most exposed first.
var Exposures = []Exposure{ExposureInternet, ExposureDMZ, ExposureClinical, ExposureOffice, ExposureIsolated, ExposureStandalone}

// Rank is the position on the scale: 0 for internet-facing (most exposed) to 5 for standalone; -1 for
// an unknown value.
func (e Exposure) Rank() int { return slices.Index(Exposures, e) }

// Label is the level's name for people.
func (e Exposure) Label() string {
	switch e {
	case ExposureInternet:
		return "Internet-facing"
	case ExposureDMZ:
		return "DMZ"
	case ExposureClinical:
		return "Clinical LAN"
	case ExposureOffice:
		return "Office LAN"
	case ExposureIsolated:
		return "Isolated VLAN"
	case ExposureStandalone:
		return "Standalone"
	}
	return string(e)
}

// Description says what the level means, for forms and documentation.
func (e Exposure) Description() string {
	switch e {
	case ExposureInternet:
		return "Reachable from the internet: a public address, a port forwarding or a direct vendor cloud connection."
	case ExposureDMZ:
		return "In a demilitarised zone between the internet and the internal networks, reachable from outside through a firewall (remote-service gateways, portals)."
	case ExposureClinical:
		return "On the shared clinical network, reachable from many internal systems and users."
	case ExposureOffice:
		return "On the administrative network with office workstations, e-mail and web browsing."
	case ExposureIsolated:
		return "In a segmented VLAN whose firewall allows only named systems and ports (allow-list)."
	case ExposureStandalone:
		return "Not connected to any network, or only point-to-point to its own console."
	}
	return ""
}

// ParseExposure accepts a level's value or label (case-insensitive).
func ParseExposure(s string) (Exposure, error) {
	for _, e := range Exposures {
		if strings.EqualFold(s, string(e)) || strings.EqualFold(s, e.Label()) {
			return e, nil
		}
	}
	return "", Invalid("exposure", "unknown exposure level %q (allowed: %s)", s, joinValues(Exposures))
}

// Criticality is how much patients depend on a device, from life-sustaining (highest) to supportive.
type Criticality string

// The clinical criticality levels, highest first.
const (
	CritLifeSustaining Criticality = "life-sustaining"
	CritCritical       Criticality = "critical"
	CritImportant      Criticality = "important"
	CritSupportive     Criticality = "supportive"
)

// Criticalities lists the levels, highest first.
var Criticalities = []Criticality{CritLifeSustaining, CritCritical, CritImportant, CritSupportive}

// Rank is 0 for life-sustaining to 3 for supportive; -1 for an unknown value.
func (c Criticality) Rank() int { return slices.Index(Criticalities, c) }

// Label is the level's name for people.
func (c Criticality) Label() string {
	switch c {
	case CritLifeSustaining:
		return "Life-sustaining"
	case CritCritical:
		return "Critical"
	case CritImportant:
		return "Important"
	case CritSupportive:
		return "Supportive"
	}
	return string(c)
}

// Description says what the level means.
func (c Criticality) Description() string {
	switch c {
	case CritLifeSustaining:
		return "A failure can directly cause death or serious harm (ventilators, infusion pumps, anaesthesia, dialysis, defibrillators)."
	case CritCritical:
		return "A failure quickly harms patients or stops critical care (patient monitors, central stations, emergency imaging)."
	case CritImportant:
		return "A failure delays diagnosis or treatment (laboratory analysers, ultrasound, imaging workstations)."
	case CritSupportive:
		return "A failure affects operations, not patients directly (beds' connectivity, tube systems, office-like PCs)."
	}
	return ""
}

// ParseCriticality accepts a level's value or label (case-insensitive).
func ParseCriticality(s string) (Criticality, error) {
	for _, c := range Criticalities {
		if strings.EqualFold(s, string(c)) || strings.EqualFold(s, c.Label()) {
			return c, nil
		}
	}
	return "", Invalid("criticality", "unknown criticality %q (allowed: %s)", s, joinValues(Criticalities))
}

// AssetStatus is where a device is in its life.
type AssetStatus string

// Asset states.
const (
	StatusInUse       AssetStatus = "in-use"
	StatusSpare       AssetStatus = "spare"
	StatusMaintenance AssetStatus = "maintenance"
	StatusRetired     AssetStatus = "retired"
)

// AssetStatuses lists the states.
var AssetStatuses = []AssetStatus{StatusInUse, StatusSpare, StatusMaintenance, StatusRetired}

// Label is the state's name for people.
func (s AssetStatus) Label() string {
	switch s {
	case StatusInUse:
		return "In use"
	case StatusSpare:
		return "Spare"
	case StatusMaintenance:
		return "In maintenance"
	case StatusRetired:
		return "Retired"
	}
	return string(s)
}

// ParseAssetStatus accepts a state's value or label (case-insensitive).
func ParseAssetStatus(s string) (AssetStatus, error) {
	for _, v := range AssetStatuses {
		if strings.EqualFold(s, string(v)) || strings.EqualFold(s, v.Label()) {
			return v, nil
		}
	}
	return "", Invalid("status", "unknown status %q (allowed: %s)", s, joinValues(AssetStatuses))
}

// DeviceClass is the risk class of a medical device under the EU MDR (2017/745, Annex VIII) or of an
// in-vitro diagnostic device under the IVDR (2017/746, Annex VIII). "" means not classified.
type DeviceClass string

// MDR and IVDR classes.
const (
	ClassI        DeviceClass = "mdr-i"
	ClassIs       DeviceClass = "mdr-is" // sterile
	ClassIm       DeviceClass = "mdr-im" // measuring function
	ClassIr       DeviceClass = "mdr-ir" // reusable surgical instrument
	ClassIIa      DeviceClass = "mdr-iia"
	ClassIIb      DeviceClass = "mdr-iib"
	ClassIII      DeviceClass = "mdr-iii"
	ClassA        DeviceClass = "ivdr-a"
	ClassASterile DeviceClass = "ivdr-a-sterile"
	ClassB        DeviceClass = "ivdr-b"
	ClassC        DeviceClass = "ivdr-c"
	ClassD        DeviceClass = "ivdr-d"
)

// DeviceClasses lists the classes, MDR first.
var DeviceClasses = []DeviceClass{ClassI, ClassIs, ClassIm, ClassIr, ClassIIa, ClassIIb, ClassIII, ClassA, ClassASterile, ClassB, ClassC, ClassD}

// Label is the class as people write it ("MDR IIa", "IVDR C").
func (c DeviceClass) Label() string {
	switch c {
	case ClassI:
		return "MDR I"
	case ClassIs:
		return "MDR Is"
	case ClassIm:
		return "MDR Im"
	case ClassIr:
		return "MDR Ir"
	case ClassIIa:
		return "MDR IIa"
	case ClassIIb:
		return "MDR IIb"
	case ClassIII:
		return "MDR III"
	case ClassA:
		return "IVDR A"
	case ClassASterile:
		return "IVDR A sterile"
	case ClassB:
		return "IVDR B"
	case ClassC:
		return "IVDR C"
	case ClassD:
		return "IVDR D"
	}
	return string(c)
}

// Regulation is "MDR", "IVDR" or "" for no class.
func (c DeviceClass) Regulation() string {
	switch {
	case strings.HasPrefix(string(c), "mdr-"):
		return "MDR"
	case strings.HasPrefix(string(c), "ivdr-"):
		return "IVDR"
	}
	return ""
}

// ParseDeviceClass reads a class as it is written in practice: the value ("mdr-iia"), the label
// ("MDR IIa"), with "Class"/"Klasse" ("Class IIb"), or alone ("IIa", "III", "2a", "C"). Roman classes
// are MDR; the letters A–D are IVDR. "" is no class.
func ParseDeviceClass(s string) (DeviceClass, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "" {
		return "", nil
	}
	for _, c := range DeviceClasses {
		if t == string(c) || t == strings.ToLower(c.Label()) {
			return c, nil
		}
	}
	reg := ""
	for _, p := range []string{"mdr", "ivdr", "mpg", "mdd", "ivdd"} {
		if strings.HasPrefix(t, p+" ") || strings.HasPrefix(t, p+"-") {
			reg = p
			t = strings.TrimSpace(t[len(p)+1:])
		}
	}
	for _, p := range []string{"class ", "klasse ", "risk class ", "risikoklasse "} {
		t = strings.TrimPrefix(t, p)
	}
	t = strings.NewReplacer(" ", "", "-", "", ".", "").Replace(t)
	mdr := map[string]DeviceClass{"i": ClassI, "1": ClassI, "is": ClassIs, "1s": ClassIs, "im": ClassIm, "1m": ClassIm,
		"ir": ClassIr, "1r": ClassIr, "iia": ClassIIa, "2a": ClassIIa, "iib": ClassIIb, "2b": ClassIIb, "iii": ClassIII, "3": ClassIII}
	ivdr := map[string]DeviceClass{"a": ClassA, "asterile": ClassASterile, "b": ClassB, "c": ClassC, "d": ClassD}
	if c, ok := mdr[t]; ok && reg != "ivdr" && reg != "ivdd" {
		return c, nil
	}
	if c, ok := ivdr[t]; ok && reg != "mdr" && reg != "mdd" && reg != "mpg" {
		return c, nil
	}
	return "", Invalid("device_class", "unknown MDR/IVDR class %q (MDR: I, Is, Im, Ir, IIa, IIb, III; IVDR: A, B, C, D)", s)
}

// SupportState says where a device's product version stands against its end of support.
type SupportState string

// Support states. SupportSoon is within SupportSoonDays of the reference day.
const (
	SupportPast      SupportState = "past"
	SupportSoon      SupportState = "soon"
	SupportSupported SupportState = "supported"
	SupportUnknown   SupportState = "unknown"
)

// SupportSoonDays is how far ahead an end of support counts as "soon".
const SupportSoonDays = 365

// SupportStates lists the states.
var SupportStates = []SupportState{SupportPast, SupportSoon, SupportSupported, SupportUnknown}

// Label is the state's name for people.
func (s SupportState) Label() string {
	switch s {
	case SupportPast:
		return "Past end of support"
	case SupportSoon:
		return "Ends within 12 months"
	case SupportSupported:
		return "Supported"
	case SupportUnknown:
		return "End of support unknown"
	}
	return string(s)
}

// SupportOf returns the state of an end-of-support date on the day today.
func SupportOf(end, today Date) SupportState {
	switch {
	case end.IsZero():
		return SupportUnknown
	case end.Before(today):
		return SupportPast
	case end.Before(today.AddDays(SupportSoonDays + 1)):
		return SupportSoon
	}
	return SupportSupported
}

// ParseSupportState validates a support state.
func ParseSupportState(s string) (SupportState, error) {
	if slices.Contains(SupportStates, SupportState(s)) {
		return SupportState(s), nil
	}
	return "", Invalid("support", "unknown support state %q (allowed: %s)", s, joinValues(SupportStates))
}

func joinValues[T ~string](vs []T) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}
