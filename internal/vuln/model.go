// Package vuln is Vigil's vulnerability model: one value type for what OSV, NVD, CISA KEV, the
// EU KEV list, ENISA's EUVD and EPSS say about a vulnerability, and the alias merging that turns
// the records of all sources into one Vulnerability per real vulnerability.
//
// Feed readers (internal/feeds/...) return one Vulnerability per source record, with exactly one
// entry in Sources. Merge groups records whose ids or aliases overlap and combines them; every
// affected range, CPE configuration and severity keeps the record it came from.
package vuln

import (
	"fmt"
	"time"
)

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
	Kind      SourceKind `json:"kind,omitzero"`
	ID        string     `json:"id,omitempty"`       // the record's own id in that source (GO-2023-2102, CVE-2021-44228, EUVD-2022-7287)
	Database  string     `json:"database,omitempty"` // finer origin when known: "Go Vulnerability Database", "GitHub Advisory Database", a file name
	Modified  time.Time  `json:"modified,omitzero"`  // the record's modification time; zero when unknown
	Withdrawn time.Time  `json:"withdrawn,omitzero"` // when the source withdrew the record; zero if it did not
}

// Vulnerability is one vulnerability with everything Vigil knows about it. After Merge, ID is the
// canonical id (a CVE id when one is known) and Aliases holds every other id, sorted.
type Vulnerability struct {
	ID        string    `json:"id,omitempty"`
	Aliases   []string  `json:"aliases,omitempty"`
	Related   []string  `json:"related,omitempty"` // ids the sources call related but not the same (OSV "related"); not merged
	Summary   string    `json:"summary,omitempty"`
	Details   string    `json:"details,omitempty"`
	Published time.Time `json:"published,omitzero"`
	Modified  time.Time `json:"modified,omitzero"`
	// Withdrawn is set when every record of this vulnerability is withdrawn. Per-record withdrawal
	// is in Sources; matchers ignore the affected data of withdrawn records.
	Withdrawn      time.Time       `json:"withdrawn,omitzero"`
	Severity       []Severity      `json:"severity,omitempty"`
	CWE            []string        `json:"cwe,omitempty"` // "CWE-79", sorted, unique
	References     []Reference     `json:"references,omitempty"`
	Affected       []Affected      `json:"affected,omitempty"`       // OSV affected packages
	Configurations []Configuration `json:"configurations,omitempty"` // NVD CPE applicability
	CISAKEV        *CISAKEV        `json:"cisaKev,omitempty"`
	EUKEV          *EUKEV          `json:"euKev,omitempty"`
	EUVD           *EUVD           `json:"euvd,omitempty"`
	EPSS           *EPSS           `json:"epss,omitempty"`
	Sources        []Source        `json:"sources,omitempty"`
}

// Reference is a link about the vulnerability.
type Reference struct {
	Type string `json:"type,omitempty"` // OSV reference type (ADVISORY, FIX, WEB, …) or NVD tag; may be empty
	URL  string `json:"url,omitempty"`
}

// Severity is one severity statement: a CVSS vector with its base score, or a qualitative rating.
type Severity struct {
	Type   string  `json:"type,omitempty"`   // CVSSv2, CVSSv3, CVSSv4 or Rating (a qualitative rating only)
	Vector string  `json:"vector,omitempty"` // the vector string, "CVSS:3.1/AV:N/…" ; empty for Rating
	Score  float64 `json:"score,omitzero"`   // base score; 0 when unknown
	Level  Level   `json:"level,omitzero"`   // qualitative rating from the score or as stated by the source
	Source string  `json:"source,omitempty"` // who says so: "nvd@nist.gov (Primary)", "GHSA-jfh8-c2jp-5v3q", "EUVD"
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
	Ecosystem string   `json:"ecosystem,omitempty"` // OSV ecosystem including a release suffix: "Go", "Debian:11", "Alpine:v3.18"
	Name      string   `json:"name,omitempty"`      // package name as the ecosystem spells it ("golang.org/x/net", "org.apache.logging.log4j:log4j-core", "stdlib")
	PURL      string   `json:"purl,omitempty"`      // package URL when the record gives one
	Ranges    []Range  `json:"ranges,omitempty"`
	Versions  []string `json:"versions,omitempty"` // enumerated affected versions
	Source    string   `json:"source,omitempty"`   // id of the record this comes from (GO-2023-2102)
}

// Range is an OSV range: ordered events of one version scheme.
type Range struct {
	Type   string  `json:"type,omitempty"` // SEMVER, ECOSYSTEM or GIT
	Repo   string  `json:"repo,omitempty"` // GIT ranges only
	Events []Event `json:"events,omitempty"`
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

// MarshalText writes the OSV name of the event kind.
func (k EventKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads an OSV event name.
func (k *EventKind) UnmarshalText(b []byte) error {
	switch string(b) {
	case "introduced":
		*k = Introduced
	case "fixed":
		*k = Fixed
	case "last_affected":
		*k = LastAffected
	case "limit":
		*k = Limit
	default:
		return fmt.Errorf("unknown OSV event %q", b)
	}
	return nil
}

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
	Kind    EventKind `json:"kind,omitzero"`
	Version string    `json:"version,omitempty"`
}

// Configuration is an NVD configuration: nodes combined by Operator, optionally negated.
type Configuration struct {
	Source   string `json:"source,omitempty"`   // the CVE record it comes from
	Operator string `json:"operator,omitempty"` // "AND" or "OR" ("" means OR)
	Negate   bool   `json:"negate,omitzero"`
	Nodes    []Node `json:"nodes,omitempty"`
}

// Node is an NVD configuration node: CPE match criteria combined by Operator.
type Node struct {
	Operator string     `json:"operator,omitempty"` // "AND" or "OR"
	Negate   bool       `json:"negate,omitzero"`
	Matches  []CPEMatch `json:"matches,omitempty"`
}

// CPEMatch is one NVD CPE match criterion with optional version bounds.
type CPEMatch struct {
	Vulnerable            bool   `json:"vulnerable,omitzero"` // false for platform ("running on / with") criteria
	Criteria              string `json:"criteria,omitempty"`  // CPE 2.3 formatted string, may contain wildcards
	MatchCriteriaID       string `json:"matchCriteriaId,omitempty"`
	VersionStartIncluding string `json:"versionStartIncluding,omitempty"`
	VersionStartExcluding string `json:"versionStartExcluding,omitempty"`
	VersionEndIncluding   string `json:"versionEndIncluding,omitempty"`
	VersionEndExcluding   string `json:"versionEndExcluding,omitempty"`
}

// HasBounds reports whether any version bound is set.
func (m *CPEMatch) HasBounds() bool {
	return m.VersionStartIncluding != "" || m.VersionStartExcluding != "" || m.VersionEndIncluding != "" || m.VersionEndExcluding != ""
}

// CISAKEV is an entry of CISA's Known Exploited Vulnerabilities catalog.
type CISAKEV struct {
	DateAdded                  time.Time `json:"dateAdded,omitzero"`
	DueDate                    time.Time `json:"dueDate,omitzero"`
	VendorProject              string    `json:"vendorProject,omitempty"`
	Product                    string    `json:"product,omitempty"`
	Name                       string    `json:"name,omitempty"` // vulnerabilityName
	ShortDescription           string    `json:"shortDescription,omitempty"`
	RequiredAction             string    `json:"requiredAction,omitempty"`
	KnownRansomwareCampaignUse string    `json:"knownRansomwareCampaignUse,omitempty"` // "Known" or "Unknown" as CISA writes it; "" when the source does not say
	Notes                      string    `json:"notes,omitempty"`
	CWEs                       []string  `json:"cwes,omitempty"`
	Source                     string    `json:"source,omitempty"` // "CISA KEV 2025.08.25" or "NVD" when only NVD's cisa* fields were seen
}

// Ransomware reports whether CISA knows the vulnerability to be used in ransomware campaigns.
func (k *CISAKEV) Ransomware() bool { return k != nil && k.KnownRansomwareCampaignUse == "Known" }

// EUKEV is an entry of the EU Known Exploited Vulnerabilities list (EU CSIRTs Network / ENISA).
type EUKEV struct {
	EUVDID           string    `json:"euvdId,omitempty"`
	VendorProject    string    `json:"vendorProject,omitempty"`
	Product          string    `json:"product,omitempty"`
	Name             string    `json:"name,omitempty"`
	DateReported     time.Time `json:"dateReported,omitzero"`
	PatchedSince     time.Time `json:"patchedSince,omitzero"`  // zero when unknown
	OriginSource     string    `json:"originSource,omitempty"` // CNW member, CNW, EUI, CRA or ENISA, as written
	ShortDescription string    `json:"shortDescription,omitempty"`
	ExploitationType []string  `json:"exploitationType,omitempty"` // ransomware, APT, cybercrime, unknown
	ThreatActors     []string  `json:"threatActors,omitempty"`
	CWEs             []string  `json:"cwes,omitempty"`
	Notes            string    `json:"notes,omitempty"`
}

// EUVD is what ENISA's European Vulnerability Database adds about a vulnerability.
type EUVD struct {
	ID             string        `json:"id,omitempty"`            // EUVD-2022-7287
	ExploitedSince time.Time     `json:"exploitedSince,omitzero"` // set when EUVD marks the vulnerability as exploited
	Assigner       string        `json:"assigner,omitempty"`
	EPSS           float64       `json:"epss,omitzero"` // EUVD's EPSS value converted to 0–1; 0 when absent
	Products       []EUVDProduct `json:"products,omitempty"`
}

// EUVDProduct is a free-text product entry of an EUVD record; it is not used for matching.
type EUVDProduct struct {
	Vendor  string `json:"vendor,omitempty"`
	Product string `json:"product,omitempty"`
	Version string `json:"version,omitempty"` // free text as EUVD gives it: "3.0.0 <3.0.7", "<X", …
}

// EPSS is a FIRST EPSS score.
type EPSS struct {
	Score        float64   `json:"score,omitzero"`      // probability of exploitation in the next 30 days, 0–1
	Percentile   float64   `json:"percentile,omitzero"` // 0–1
	Date         time.Time `json:"date,omitzero"`
	ModelVersion string    `json:"modelVersion,omitempty"`
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
