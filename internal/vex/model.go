// Package vex holds one statement model for every VEX format Vigil reads (OpenVEX, CycloneDX VEX,
// CSAF VEX): vulnerability × product × optional component × status × justification × source.
package vex

import "time"

// Status is the VEX status of a vulnerability for a product (and component).
type Status string

// VEX statuses, named as in OpenVEX; the CycloneDX and CSAF values are mapped onto these.
const (
	NotAffected        Status = "not_affected"
	Affected           Status = "affected"
	Fixed              Status = "fixed"
	UnderInvestigation Status = "under_investigation"
)

// Justification says why a product is not affected (OpenVEX / CISA vocabulary).
type Justification string

// VEX justifications for not_affected.
const (
	ComponentNotPresent                         Justification = "component_not_present"
	VulnerableCodeNotPresent                    Justification = "vulnerable_code_not_present"
	VulnerableCodeNotInExecutePath              Justification = "vulnerable_code_not_in_execute_path"
	VulnerableCodeCannotBeControlledByAdversary Justification = "vulnerable_code_cannot_be_controlled_by_adversary"
	InlineMitigationsAlreadyExist               Justification = "inline_mitigations_already_exist"
)

// Product identifies a product or component the way the VEX document does; any field may be empty.
type Product struct {
	ID      string // document-local id (CSAF product_id, CycloneDX bom-ref, OpenVEX @id)
	Name    string
	Version string
	PURL    string
	CPE     string
	// VersionRange is a vers range ("vers:generic/>=2.9|<=4.1") when the statement covers a range of
	// versions of the product rather than one Version (CycloneDX affects[].versions[].range).
	VersionRange string
}

// Statement is one VEX assertion.
type Statement struct {
	Vulnerability   string   // primary id as given (CVE-…, GHSA-…)
	Aliases         []string // other ids the document gives for the same vulnerability
	Product         Product
	Component       *Product // nil when the statement is about the product as a whole
	Status          Status
	Justification   Justification // only for NotAffected; may be empty
	ImpactStatement string
	ActionStatement string
	Timestamp       time.Time
	Source          string // document id or author
	SourceFormat    string // "openvex", "cyclonedx", "csaf"
}
