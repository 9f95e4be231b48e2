package domain

import (
	"strings"
	"time"
)

// Manufacturers' disclosures as data: the original documents (SBOM, MDS2, CSAF, VEX) kept for evidence,
// the SBOM components of a product version, its MDS2 form, the CSAF advisories that name it and the VEX
// statements about it. Everything attaches to a ProductVersion; an installed device inherits the
// disclosures of its version.

// DisclosureKind is the kind of a disclosure document.
type DisclosureKind string

// Disclosure kinds.
const (
	DisclosureSBOM DisclosureKind = "sbom"
	DisclosureMDS2 DisclosureKind = "mds2"
	DisclosureCSAF DisclosureKind = "csaf"
	DisclosureVEX  DisclosureKind = "vex"
)

// DisclosureKinds lists the kinds in display order.
var DisclosureKinds = []DisclosureKind{DisclosureSBOM, DisclosureMDS2, DisclosureCSAF, DisclosureVEX}

// ParseDisclosureKind validates a kind ("" stays "").
func ParseDisclosureKind(s string) (DisclosureKind, error) {
	k := DisclosureKind(strings.ToLower(strings.TrimSpace(s)))
	for _, x := range DisclosureKinds {
		if k == x || k == "" {
			return k, nil
		}
	}
	return "", Invalid("kind", "unknown kind %q (sbom, mds2, csaf or vex)", s)
}

// Label is the kind for people.
func (k DisclosureKind) Label() string {
	switch k {
	case DisclosureSBOM:
		return "SBOM"
	case DisclosureMDS2:
		return "MDS2"
	case DisclosureCSAF:
		return "CSAF advisory"
	case DisclosureVEX:
		return "VEX"
	}
	return string(k)
}

// DisclosureDocument is an original document as received, kept for evidence. Its bytes are read
// separately (they can be large).
type DisclosureDocument struct {
	ID               int64          `json:"id" doc:"read-only"`
	OrgID            int64          `json:"org_id"`
	Kind             DisclosureKind `json:"kind"`
	Format           string         `json:"format" doc:"cyclonedx-json, cyclonedx-xml, spdx-json, spdx-tag-value, mds2-xlsx, mds2-json, mds2-markdown, csaf, openvex …"`
	FileName         string         `json:"file_name"`
	MediaType        string         `json:"media_type"`
	SHA256           string         `json:"sha256"`
	Size             int64          `json:"size"`
	Source           string         `json:"source" doc:"file, upload, url, provider or demo"`
	SourceRef        string         `json:"source_ref,omitempty" doc:"the path, URL or provider it came from"`
	Title            string         `json:"title"`
	Ref              string         `json:"ref,omitempty" doc:"the document's own id: CSAF tracking id, SBOM serial number, MDS2 DOC-4"`
	Version          string         `json:"version,omitempty" doc:"the document's version (CSAF tracking version)"`
	ProductVersionID int64          `json:"product_version_id,omitzero"`
	Imported         time.Time      `json:"imported"`
	ImportedBy       string         `json:"imported_by"`
	// Read-only context: the product version it describes.
	Manufacturer string `json:"manufacturer,omitempty"`
	Product      string `json:"product,omitempty"`
	ProductID    int64  `json:"product_id,omitzero"`
	VersionLabel string `json:"product_version,omitempty"`
}

// DocumentFilter selects documents.
type DocumentFilter struct {
	ListParams
	Kind             DisclosureKind
	ProductID        int64
	ProductVersionID int64
}

// SBOMInfo describes the SBOM of a product version (without its components).
type SBOMInfo struct {
	ID               int64     `json:"id"`
	OrgID            int64     `json:"org_id"`
	ProductVersionID int64     `json:"product_version_id"`
	DocumentID       int64     `json:"document_id"`
	Format           string    `json:"format"`
	SpecVersion      string    `json:"spec_version,omitempty"`
	Serial           string    `json:"serial,omitempty"`
	Created          time.Time `json:"created,omitzero" doc:"when the SBOM was made, as it says"`
	Tools            []string  `json:"tools,omitempty"`
	SubjectName      string    `json:"subject_name,omitempty" doc:"what the SBOM describes (its metadata component or described package)"`
	SubjectVersion   string    `json:"subject_version,omitempty"`
	SubjectPURL      string    `json:"subject_purl,omitempty"`
	SubjectCPE       string    `json:"subject_cpe,omitempty"`
	Components       int       `json:"components"`
	Warnings         []string  `json:"warnings,omitempty"`
	Imported         time.Time `json:"imported"`
	// Read-only context.
	Manufacturer string `json:"manufacturer,omitempty"`
	Product      string `json:"product,omitempty"`
	ProductID    int64  `json:"product_id,omitzero"`
	Version      string `json:"version,omitempty"`
	Installed    int    `json:"installed,omitzero" doc:"devices on this version"`
}

// Component is one software or hardware part of a product version, from its SBOM.
type Component struct {
	ID               int64           `json:"id"`
	OrgID            int64           `json:"org_id"`
	ProductVersionID int64           `json:"product_version_id"`
	Ref              string          `json:"ref,omitempty" doc:"bom-ref or SPDXID"`
	Parent           string          `json:"parent,omitempty" doc:"ref of the enclosing component"`
	Type             string          `json:"type,omitempty"`
	Group            string          `json:"group,omitempty"`
	Name             string          `json:"name"`
	Version          string          `json:"version,omitempty"`
	PURL             string          `json:"purl,omitempty" doc:"canonical package URL"`
	PURLKey          string          `json:"purl_key,omitempty" doc:"package URL without version: the component in any version"`
	CPE              string          `json:"cpe,omitempty" doc:"CPE 2.3"`
	Supplier         string          `json:"supplier,omitempty"`
	Licenses         string          `json:"licenses,omitempty" doc:"SPDX licence expression"`
	Hashes           []ComponentHash `json:"hashes,omitempty"`
	// Read-only context (lists across versions).
	Manufacturer   string `json:"manufacturer,omitempty"`
	Product        string `json:"product,omitempty"`
	ProductID      int64  `json:"product_id,omitzero"`
	ProductVersion string `json:"product_version,omitempty"`
}

// ComponentHash is a digest of a component.
type ComponentHash struct {
	Alg   string `json:"alg"`
	Value string `json:"value"`
}

// ComponentFilter selects components: of one version, or across the fleet by name (Q), package URL or
// CPE. The keys are made by the caller (internal/disclosure.ComponentQuery parses what a user typed).
type ComponentFilter struct {
	ListParams
	ProductVersionID int64
	PURLKey          string // package URL without version (purl.WithoutVersion)
	CPEKey           string // part:vendor:product of a CPE 2.3 name
	Version          string // with PURLKey or CPEKey: only this version ("" = any)
}

// ComponentUse is one product version that contains components matching a "where is" search, with the
// number of devices installed on it.
type ComponentUse struct {
	ProductVersionID int64    `json:"product_version_id"`
	ProductID        int64    `json:"product_id"`
	Manufacturer     string   `json:"manufacturer"`
	Product          string   `json:"product"`
	Version          string   `json:"version"`
	Installed        int      `json:"installed" doc:"devices on this version"`
	Components       []string `json:"components" doc:"the matching components as name@version"`
}

// WhereIs is the answer of a fleet search for a component.
type WhereIs struct {
	Query    string         `json:"query"`
	Versions []ComponentUse `json:"versions"`
	Devices  int            `json:"devices" doc:"devices on all these versions"`
}

// MDS2 form states.
const (
	MDS2Imported = "imported" // from a manufacturer's document
	MDS2Draft    = "draft"    // filled in Vigil, editable
)

// MDS2Form is a Manufacturer Disclosure Statement for Medical Device Security (2019 form) of a product
// version. Answers and notes are filled by the reads that return one form.
type MDS2Form struct {
	ID               int64             `json:"id"`
	OrgID            int64             `json:"org_id"`
	ProductVersionID int64             `json:"product_version_id,omitzero"`
	DocumentID       int64             `json:"document_id,omitzero"`
	Status           string            `json:"status" doc:"imported or draft"`
	Manufacturer     string            `json:"manufacturer" doc:"DOC-1"`
	Device           string            `json:"device" doc:"DOC-2"`
	Models           string            `json:"models" doc:"DOC-3"`
	DocRef           string            `json:"doc_ref,omitempty" doc:"DOC-4: the manufacturer's document id"`
	Released         string            `json:"released,omitempty" doc:"DOC-7 as a date"`
	Other            string            `json:"other,omitempty" doc:"free text of section OTHR"`
	Warnings         []string          `json:"warnings,omitempty"`
	Created          time.Time         `json:"created"`
	Updated          time.Time         `json:"updated"`
	CreatedBy        string            `json:"created_by,omitempty"`
	Answers          []MDS2Answer      `json:"answers,omitempty"`
	Notes            map[string]string `json:"notes,omitempty"`
	// Read-only context.
	Product        string `json:"product,omitempty"`
	ProductID      int64  `json:"product_id,omitzero"`
	ProductVersion string `json:"product_version,omitempty"`
	ProductMaker   string `json:"product_manufacturer,omitempty"`
}

// Title names the form for people.
func (f MDS2Form) Title() string {
	parts := []string{}
	for _, s := range []string{f.Manufacturer, f.Device} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return "MDS2 form"
	}
	return strings.Join(parts, " ")
}

// MDS2Answer is one question's answer: as written and normalised.
type MDS2Answer struct {
	QuestionID string   `json:"question_id"`
	Section    string   `json:"section"`
	Raw        string   `json:"raw,omitempty"`
	Value      string   `json:"value" doc:"yes, no, na, see-note, text, date or blank"`
	Detail     string   `json:"detail,omitempty"`
	Date       string   `json:"date,omitempty"`
	Note       string   `json:"note,omitempty"`
	NoteRefs   []string `json:"note_refs,omitempty"`
	IEC        string   `json:"iec,omitempty"`
	NIST       string   `json:"nist,omitempty"`
	ISO        string   `json:"iso,omitempty"`
}

// MDS2Filter selects forms.
type MDS2Filter struct {
	ListParams
	Status           string
	ProductVersionID int64
}

// Advisory product mapping states.
const (
	MappingMapped   = "mapped"   // linked to inventory products
	MappingUnmapped = "unmapped" // waits in the mapping queue
	MappingIgnored  = "ignored"  // a person decided it is not in the inventory
)

// Advisory is the latest version of a CSAF advisory received for a tracking id.
type Advisory struct {
	ID                 int64     `json:"id"`
	OrgID              int64     `json:"org_id"`
	TrackingID         string    `json:"tracking_id"`
	Version            string    `json:"version"`
	Title              string    `json:"title"`
	Publisher          string    `json:"publisher"`
	PublisherCategory  string    `json:"publisher_category,omitempty"`
	PublisherNamespace string    `json:"publisher_namespace,omitempty"`
	Vendors            []string  `json:"vendors,omitempty" doc:"the vendors its product tree names"`
	TLP                string    `json:"tlp,omitempty"`
	Status             string    `json:"status,omitempty" doc:"draft, interim or final"`
	Profile            string    `json:"profile" doc:"document.category, e.g. csaf_security_advisory or csaf_vex"`
	Lang               string    `json:"lang,omitempty"`
	InitialRelease     time.Time `json:"initial_release,omitzero"`
	CurrentRelease     time.Time `json:"current_release,omitzero"`
	Aliases            []string  `json:"aliases,omitempty"`
	CVEs               []string  `json:"cves,omitempty"`
	Summary            string    `json:"summary,omitempty"`
	References         []Link    `json:"references,omitempty"`
	MaxCVSS            float64   `json:"max_cvss,omitzero"`
	Severity           string    `json:"severity,omitempty" doc:"of the highest CVSS score"`
	DocumentID         int64     `json:"document_id"`
	Warnings           []string  `json:"warnings,omitempty" doc:"CSAF mandatory tests the document fails but that Vigil tolerates"`
	Imported           time.Time `json:"imported"`
	Updated            time.Time `json:"updated"`
	// Read-only counts.
	Products        int `json:"products"`
	Mapped          int `json:"mapped"`
	Unmapped        int `json:"unmapped"`
	Vulnerabilities int `json:"vulnerabilities"`
	Versions        int `json:"affected_versions" doc:"product versions of the inventory it covers"`
	Devices         int `json:"affected_devices" doc:"devices on those versions"`
}

// Link is a reference with its category and summary.
type Link struct {
	Category string `json:"category,omitempty"`
	Summary  string `json:"summary,omitempty"`
	URL      string `json:"url"`
}

// AdvisoryFilter selects advisories.
type AdvisoryFilter struct {
	ListParams
	ProductID        int64
	ProductVersionID int64
	Unmapped         bool // only advisories with products in the mapping queue
}

// AdvisoryProduct is one product of an advisory's product tree with its mapping to the inventory.
type AdvisoryProduct struct {
	ID           int64          `json:"id"`
	OrgID        int64          `json:"org_id"`
	AdvisoryID   int64          `json:"advisory_id"`
	CSAFID       string         `json:"csaf_id" doc:"product_id in the document"`
	Name         string         `json:"name" doc:"full product name"`
	Vendor       string         `json:"vendor,omitempty"`
	Family       string         `json:"family,omitempty"`
	ProductName  string         `json:"product_name,omitempty"`
	Version      string         `json:"version,omitempty"`
	VersionRange string         `json:"version_range,omitempty"`
	PURL         string         `json:"purl,omitempty"`
	CPE          string         `json:"cpe,omitempty"`
	ModelNumbers []string       `json:"model_numbers,omitempty"`
	Relationship string         `json:"relationship,omitempty"`
	VendorKey    string         `json:"-"`
	NameKey      string         `json:"-"`
	State        string         `json:"state" doc:"mapped, unmapped or ignored"`
	Note         string         `json:"note,omitempty" doc:"how it was mapped, or why it waits"`
	Suggestions  []int64        `json:"suggestions,omitempty" doc:"product ids it may be, best first"`
	Links        []AdvisoryLink `json:"links,omitempty"`
	// Read-only context.
	TrackingID    string `json:"tracking_id,omitempty"`
	AdvisoryTitle string `json:"advisory_title,omitempty"`
}

// VersionText is the product's version or range as the advisory wrote it.
func (p AdvisoryProduct) VersionText() string {
	if p.VersionRange != "" {
		return p.VersionRange
	}
	return p.Version
}

// AdvisoryLink maps an advisory product to an inventory product and the versions of it it covers.
type AdvisoryLink struct {
	ProductID    int64        `json:"product_id"`
	Product      string       `json:"product"`
	Manufacturer string       `json:"manufacturer"`
	Method       string       `json:"method" doc:"purl, cpe, model, name, rule or manual"`
	VersionRange string       `json:"version_range,omitempty" doc:"a person's range instead of the advisory's"`
	Versions     []VersionRef `json:"versions" doc:"the product's versions the advisory covers"`
}

// VersionRef names a product version.
type VersionRef struct {
	ID        int64  `json:"id"`
	Version   string `json:"version"`
	Installed int    `json:"installed"`
}

// AdvisoryProductFilter selects advisory products (the mapping queue is State unmapped).
type AdvisoryProductFilter struct {
	ListParams
	AdvisoryID int64
	State      string
	ProductID  int64
}

// AdvisoryVulnerability is one vulnerability of an advisory with its scores, product statuses and
// remediations (product ids are the advisory's own; AdvisoryProduct.CSAFID).
type AdvisoryVulnerability struct {
	ID           int64               `json:"id"`
	AdvisoryID   int64               `json:"advisory_id"`
	CVE          string              `json:"cve,omitempty"`
	IDs          []string            `json:"ids,omitempty"`
	Title        string              `json:"title,omitempty"`
	CWE          string              `json:"cwe,omitempty"`
	CVSSVersion  string              `json:"cvss_version,omitempty"`
	CVSSVector   string              `json:"cvss_vector,omitempty"`
	CVSSScore    float64             `json:"cvss_score,omitzero"`
	Severity     string              `json:"severity,omitempty"`
	ReleaseDate  time.Time           `json:"release_date,omitzero"`
	Summary      string              `json:"summary,omitempty"`
	Statuses     map[string][]string `json:"statuses,omitempty" doc:"CSAF product status (known_affected, fixed, …) → product ids"`
	Remediations []Remediation       `json:"remediations,omitempty"`
}

// Label is the vulnerability's id: the CVE or its first other id.
func (v AdvisoryVulnerability) Label() string {
	if v.CVE != "" {
		return v.CVE
	}
	if len(v.IDs) > 0 {
		return v.IDs[0]
	}
	return v.Title
}

// Remediation is a CSAF remediation.
type Remediation struct {
	Category   string   `json:"category"`
	Details    string   `json:"details,omitempty"`
	URL        string   `json:"url,omitempty"`
	ProductIDs []string `json:"product_ids,omitempty"`
}

// MappingRule is a remembered mapping decision: advisory products of this vendor and name map to a
// product (or are ignored when ProductID is 0).
type MappingRule struct {
	ID           int64     `json:"id"`
	OrgID        int64     `json:"org_id"`
	Vendor       string    `json:"vendor"`
	Name         string    `json:"name"`
	VendorKey    string    `json:"vendor_key"`
	NameKey      string    `json:"name_key"`
	ProductID    int64     `json:"product_id,omitzero" doc:"0: ignore such products"`
	VersionRange string    `json:"version_range,omitempty"`
	Created      time.Time `json:"created"`
	CreatedBy    string    `json:"created_by,omitempty"`
	// Read-only context.
	Product      string `json:"product,omitempty"`
	Manufacturer string `json:"manufacturer,omitempty"`
}

// VEX statement sources.
const (
	VEXManufacturer = "manufacturer"
	VEXHospital     = "hospital"
)

// VEX statuses (as in OpenVEX).
var VEXStatuses = []string{"not_affected", "affected", "fixed", "under_investigation"}

// VEXStatement is one VEX assertion: vulnerability × product version (× component) × status.
type VEXStatement struct {
	ID                int64     `json:"id"`
	OrgID             int64     `json:"org_id"`
	DocumentID        int64     `json:"document_id,omitzero"`
	AdvisoryID        int64     `json:"advisory_id,omitzero"`
	AdvisoryProductID int64     `json:"advisory_product_id,omitzero"`
	SourceKind        string    `json:"source_kind" doc:"manufacturer or hospital"`
	SourceFormat      string    `json:"source_format" doc:"openvex, cyclonedx, csaf or manual"`
	Source            string    `json:"source,omitempty" doc:"document id or author"`
	Vulnerability     string    `json:"vulnerability"`
	Aliases           []string  `json:"aliases,omitempty"`
	ProductVersionID  int64     `json:"product_version_id,omitzero" doc:"0: the product matched no version of the inventory"`
	ProductRef        string    `json:"product_ref,omitempty"`
	ProductName       string    `json:"product_name,omitempty"`
	ProductVer        string    `json:"product_version_text,omitempty"`
	ProductPURL       string    `json:"product_purl,omitempty"`
	ProductCPE        string    `json:"product_cpe,omitempty"`
	ComponentName     string    `json:"component_name,omitempty"`
	ComponentVersion  string    `json:"component_version,omitempty"`
	ComponentPURL     string    `json:"component_purl,omitempty"`
	Status            string    `json:"status" doc:"not_affected, affected, fixed or under_investigation"`
	Justification     string    `json:"justification,omitempty"`
	Impact            string    `json:"impact,omitempty"`
	Action            string    `json:"action,omitempty"`
	Stated            time.Time `json:"stated,omitzero"`
	Created           time.Time `json:"created"`
	// Read-only context.
	Manufacturer string `json:"manufacturer,omitempty"`
	Product      string `json:"product,omitempty"`
	ProductID    int64  `json:"product_id,omitzero"`
	Version      string `json:"version,omitempty"`
}

// Validate checks a statement made by hand (a hospital's own assessment).
func (s *VEXStatement) Validate() error {
	s.Vulnerability = strings.TrimSpace(s.Vulnerability)
	if err := required("vulnerability", s.Vulnerability, 100); err != nil {
		return err
	}
	ok := false
	for _, x := range VEXStatuses {
		ok = ok || s.Status == x
	}
	if !ok {
		return Invalid("status", "choose a status (%s)", strings.Join(VEXStatuses, ", "))
	}
	if s.SourceKind != VEXManufacturer && s.SourceKind != VEXHospital {
		return Invalid("source_kind", "manufacturer or hospital")
	}
	if s.Justification != "" && s.Status != "not_affected" {
		return Invalid("justification", "only a not_affected statement has a justification")
	}
	if err := maxLen("impact", s.Impact, 4000); err != nil {
		return err
	}
	return maxLen("action", s.Action, 4000)
}

// VEXFilter selects statements.
type VEXFilter struct {
	ListParams
	ProductVersionID int64
	DocumentID       int64
	AdvisoryID       int64
	Vulnerability    string
	SourceKind       string
	Unattached       bool // only statements that matched no product version
}
