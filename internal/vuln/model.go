// Package vuln is Vigil's vulnerability model: one value type for what OSV, NVD, CISA KEV, the
// EU KEV list, ENISA's EUVD and EPSS say about a vulnerability, and the alias merging that turns
// the records of all sources into one Vulnerability per real vulnerability.
//
// Feed readers (internal/feeds/...) return one Vulnerability per source record, with exactly one
// entry in Sources. Merge groups records whose ids or aliases overlap and combines them; every
// affected range, CPE configuration and severity keeps the record it came from.
package vuln

import "time"

// SourceKind names a vulnerability data source.
type SourceKind string

// The sources Vigil reads.
const (
	SourceOSV     SourceKind = "OSV"      // OSV records (Go vulndb, GHSA, PyPA, Debian, …)
	SourceNVD     SourceKind = "NVD"      // NVD CVE API 2.0
	SourceCISAKEV SourceKind = "CISA KEV" // CISA Known Exploited Vulnerabilities catalog
	SourceEUKEV   SourceKind = "EU KEV"   // EU CSIRTs Network / ENISA EU KEV list
	SourceEUVD    SourceKind = "EUVD"     // ENISA European Vulnerability Database
)

// Source is the provenance of one record merged into a Vulnerability.
type Source struct {
	Kind      SourceKind
	ID        string    // the record's own id in that source (GO-2023-2102, CVE-2021-44228, EUVD-2022-7287)
	Database  string    // finer origin when known: "Go Vulnerability Database", "GitHub Advisory Database", a file name
	Modified  time.Time // the record's modification time; zero when unknown
	Withdrawn time.Time // when the source withdrew the record; zero if it did not
}

// Vulnerability is one vulnerability with everything Vigil knows about it. After Merge, ID is the
// canonical id (a CVE id when one is known) and Aliases holds every other id, sorted.
type Vulnerability struct {
	ID        string
	Aliases   []string
	Related   []string // ids the sources call related but not the same (OSV "related"); not merged
	Summary   string
	Details   string
	Published time.Time
	Modified  time.Time
	// Withdrawn is set when every record of this vulnerability is withdrawn. Per-record withdrawal
	// is in Sources; matchers ignore the affected data of withdrawn records.
	Withdrawn      time.Time
	Severity       []Severity
	CWE            []string // "CWE-79", sorted, unique
	References     []Reference
	Affected       []Affected      // OSV affected packages
	Configurations []Configuration // NVD CPE applicability
	CISAKEV        *CISAKEV
	EUKEV          *EUKEV
	EUVD           *EUVD
	EPSS           *EPSS
	Sources        []Source
}

// Reference is a link about the vulnerability.
type Reference struct {
	Type string // OSV reference type (ADVISORY, FIX, WEB, …) or NVD tag; may be empty
	URL  string
}

// Severity is one severity statement: a CVSS vector with its base score, or a qualitative rating.
type Severity struct {
	Type   string  // CVSSv2, CVSSv3, CVSSv4 or Rating (a qualitative rating only)
	Vector string  // the vector string, "CVSS:3.1/AV:N/…" ; empty for Rating
	Score  float64 // base score; 0 when unknown
	Level  Level   // qualitative rating from the score or as stated by the source
	Source string  // who says so: "nvd@nist.gov (Primary)", "GHSA-jfh8-c2jp-5v3q", "EUVD"
}

// Severity types.
const (
	CVSSv2 = "CVSSv2"
	CVSSv3 = "CVSSv3"
	CVSSv4 = "CVSSv4"
	Rating = "Rating"
)

// Affected is an OSV affected package: a package, its version ranges and enumerated versions.
type Affected struct {
	Ecosystem string // OSV ecosystem including a release suffix: "Go", "Debian:11", "Alpine:v3.18"
	Name      string // package name as the ecosystem spells it ("golang.org/x/net", "org.apache.logging.log4j:log4j-core", "stdlib")
	PURL      string // package URL when the record gives one
	Ranges    []Range
	Versions  []string // enumerated affected versions
	Source    string   // id of the record this comes from (GO-2023-2102)
}

// Range is an OSV range: ordered events of one version scheme.
type Range struct {
	Type   string // SEMVER, ECOSYSTEM or GIT
	Repo   string // GIT ranges only
	Events []Event
}

// EventKind is the kind of an OSV range event.
type EventKind uint8

// OSV range event kinds.
const (
	Introduced EventKind = iota + 1
	Fixed
	LastAffected
	Limit
)

// String returns the OSV name of the event kind ("introduced", "fixed", "last_affected", "limit").
func (k EventKind) String() string {
	switch k {
	case Introduced:
		return "introduced"
	case Fixed:
		return "fixed"
	case LastAffected:
		return "last_affected"
	case Limit:
		return "limit"
	}
	return "unknown"
}

// Event is one OSV range event.
type Event struct {
	Kind    EventKind
	Version string
}

// Configuration is an NVD configuration: nodes combined by Operator, optionally negated.
type Configuration struct {
	Source   string // the CVE record it comes from
	Operator string // "AND" or "OR" ("" means OR)
	Negate   bool
	Nodes    []Node
}

// Node is an NVD configuration node: CPE match criteria combined by Operator.
type Node struct {
	Operator string // "AND" or "OR"
	Negate   bool
	Matches  []CPEMatch
}

// CPEMatch is one NVD CPE match criterion with optional version bounds.
type CPEMatch struct {
	Vulnerable            bool   // false for platform ("running on / with") criteria
	Criteria              string // CPE 2.3 formatted string, may contain wildcards
	MatchCriteriaID       string
	VersionStartIncluding string
	VersionStartExcluding string
	VersionEndIncluding   string
	VersionEndExcluding   string
}

// HasBounds reports whether any version bound is set.
func (m *CPEMatch) HasBounds() bool {
	return m.VersionStartIncluding != "" || m.VersionStartExcluding != "" || m.VersionEndIncluding != "" || m.VersionEndExcluding != ""
}

// CISAKEV is an entry of CISA's Known Exploited Vulnerabilities catalog.
type CISAKEV struct {
	DateAdded                  time.Time
	DueDate                    time.Time
	VendorProject              string
	Product                    string
	Name                       string // vulnerabilityName
	ShortDescription           string
	RequiredAction             string
	KnownRansomwareCampaignUse string // "Known" or "Unknown" as CISA writes it; "" when the source does not say
	Notes                      string
	CWEs                       []string
	Source                     string // "CISA KEV 2025.08.25" or "NVD" when only NVD's cisa* fields were seen
}

// Ransomware reports whether CISA knows the vulnerability to be used in ransomware campaigns.
func (k *CISAKEV) Ransomware() bool { return k != nil && k.KnownRansomwareCampaignUse == "Known" }

// EUKEV is an entry of the EU Known Exploited Vulnerabilities list (EU CSIRTs Network / ENISA).
type EUKEV struct {
	EUVDID           string
	VendorProject    string
	Product          string
	Name             string
	DateReported     time.Time
	PatchedSince     time.Time // zero when unknown
	OriginSource     string    // CNW member, CNW, EUI, CRA or ENISA, as written
	ShortDescription string
	ExploitationType []string // ransomware, APT, cybercrime, unknown
	ThreatActors     []string
	CWEs             []string
	Notes            string
}

// EUVD is what ENISA's European Vulnerability Database adds about a vulnerability.
type EUVD struct {
	ID             string    // EUVD-2022-7287
	ExploitedSince time.Time // set when EUVD marks the vulnerability as exploited
	Assigner       string
	EPSS           float64 // EUVD's EPSS value converted to 0–1; 0 when absent
	Products       []EUVDProduct
}

// EUVDProduct is a free-text product entry of an EUVD record; it is not used for matching.
type EUVDProduct struct {
	Vendor  string
	Product string
	Version string // free text as EUVD gives it: "3.0.0 <3.0.7", "<X", …
}

// EPSS is a FIRST EPSS score.
type EPSS struct {
	Score        float64 // probability of exploitation in the next 30 days, 0–1
	Percentile   float64 // 0–1
	Date         time.Time
	ModelVersion string
}

// HasID reports whether id is v's id or one of its aliases (case-insensitive).
func (v *Vulnerability) HasID(id string) bool {
	if equalFoldID(v.ID, id) {
		return true
	}
	for _, a := range v.Aliases {
		if equalFoldID(a, id) {
			return true
		}
	}
	return false
}

// IDs returns v's id followed by its aliases.
func (v *Vulnerability) IDs() []string {
	out := make([]string, 0, 1+len(v.Aliases))
	out = append(out, v.ID)
	return append(out, v.Aliases...)
}

// SourceOf returns the provenance of the record with the given id, or nil.
func (v *Vulnerability) SourceOf(recordID string) *Source {
	for i := range v.Sources {
		if v.Sources[i].ID == recordID {
			return &v.Sources[i]
		}
	}
	return nil
}

// RecordWithdrawn reports whether the record with the given id is withdrawn by its source.
func (v *Vulnerability) RecordWithdrawn(recordID string) bool {
	if s := v.SourceOf(recordID); s != nil {
		return !s.Withdrawn.IsZero()
	}
	return !v.Withdrawn.IsZero()
}

// FixedVersions returns the "fixed" event versions of every affected entry for the package.
func (a *Affected) FixedVersions() []string {
	var out []string
	for _, r := range a.Ranges {
		for _, e := range r.Events {
			if e.Kind == Fixed {
				out = append(out, e.Version)
			}
		}
	}
	return out
}
