// Package sbom holds the normalised software bill of materials model that every SBOM format
// (CycloneDX, SPDX) is decoded into. Parsers in the sub-packages return these values and never write.
package sbom

import "time"

// Format names a concrete SBOM serialisation.
type Format string

// The SBOM formats Vigil reads.
const (
	CycloneDXJSON Format = "cyclonedx-json"
	CycloneDXXML  Format = "cyclonedx-xml"
	SPDXJSON      Format = "spdx-json"
	SPDXTagValue  Format = "spdx-tag-value"
)

// Document is one SBOM after normalisation.
type Document struct {
	Format      Format
	SpecVersion string    // e.g. "1.5" or "SPDX-2.3"
	Serial      string    // CycloneDX serialNumber or SPDX documentNamespace
	Created     time.Time // zero when the document does not say
	Tools       []string
	// Subject is the thing the SBOM describes (CycloneDX metadata.component, SPDX described package);
	// nil when the document does not name one.
	Subject    *Component
	Components []Component
	// Warnings lists problems that did not stop decoding, each naming its place (an invalid CPE or
	// package URL that was dropped, an unparseable timestamp …). At most MaxWarnings are kept; the last
	// one then says how many more there were.
	Warnings []string
}

// Component is one software or hardware part, normalised across formats.
type Component struct {
	Ref      string // bom-ref or SPDXID, unique within the document
	Parent   string // Ref of the enclosing component for nested CycloneDX components; "" at top level
	Type     string // CycloneDX component type (library, firmware, operating-system, device, application …)
	Group    string
	Name     string
	Version  string
	Supplier string
	PURL     string // canonical package URL; "" when none
	CPE      string // CPE 2.3 formatted string; "" when none
	Hashes   []Hash
	Licenses string // SPDX licence expression; "" when unknown
}

// Hash is a content digest of a component.
type Hash struct {
	Alg   string // e.g. "SHA-256"
	Value string // lower-case hex
}
