package csaf

import "time"

// Advisory is Vigil's flattened view of one CSAF 2.0 document. It holds only values (no gocsaf types)
// and is safe to keep, copy and compare.
type Advisory struct {
	TrackingID     string // document.tracking.id
	Title          string
	Publisher      Publisher
	TLP            string // document.distribution.tlp.label (WHITE, GREEN, AMBER, RED); "" when absent
	Status         string // draft, interim, final
	Version        string // document.tracking.version
	InitialRelease time.Time
	CurrentRelease time.Time
	Lang           string
	// Profile is document.category: csaf_base, csaf_security_advisory, csaf_vex,
	// csaf_informational_advisory, csaf_security_incident_response, or any other text (csaf_base rules).
	Profile         string
	Aliases         []string // document.tracking.aliases
	Notes           []Note
	References      []Reference
	Revisions       []Revision
	Products        []Product // every product the product tree defines, in document order
	ProductGroups   []ProductGroup
	Vulnerabilities []Vulnerability
	// SHA256 is the lower-case hex SHA-256 of the raw document bytes as read.
	SHA256 string
	// Warnings lists mandatory-test (CSAF 2.0 §6.1) failures that Parse tolerates because real
	// published documents break them (for example "vers:all/*" as a product_version). Authoring code
	// (provider.Validate) treats them as errors. Empty for a fully conformant document.
	Warnings []ValidationError
}

// Publisher is document.publisher.
type Publisher struct {
	Name             string
	Namespace        string // URL
	Category         string // vendor, coordinator, discoverer, other, translator, user
	ContactDetails   string
	IssuingAuthority string
}

// Note is a CSAF note (document or vulnerability level).
type Note struct {
	Category string // description, details, faq, general, legal_disclaimer, other, summary
	Title    string
	Text     string
	Audience string
}

// Reference is a CSAF reference.
type Reference struct {
	Category string // external or self ("" means external)
	Summary  string
	URL      string
}

// Revision is one entry of document.tracking.revision_history.
type Revision struct {
	Number  string
	Date    time.Time
	Summary string
}

// Product is one product of the product tree: a leaf of the branches, an entry of full_product_names,
// or the full_product_name of a relationship.
type Product struct {
	ID string // product_id, unique in the document
	// Name is full_product_name.name as the document gives it; for branch products the specification
	// asks it to be the branch path joined, but publishers word it freely.
	Name string
	// Path holds the branch names from the root to this product ("Philips", "IntelliVue", "MX40",
	// "<=B.06.18"); nil for full_product_names and relationships.
	Path []string
	// Vendor, Family, ProductName and Version are the names of the vendor, product_family (several
	// joined with " / "), product_name and product_version branches on the path, spaces trimmed.
	Vendor      string
	Family      string
	ProductName string
	Version     string
	Range       *Range // product_version_range branch name, parsed; nil when the product is no range
	// Other branch categories on the path (architecture, service_pack, patch_level, language, host_name,
	// legacy, specification) keyed by category.
	Attributes    map[string]string
	PURL          string
	CPE           string
	ModelNumbers  []string
	SKUs          []string
	SerialNumbers []string
	SBOMURLs      []string
	Hashes        []FileHash
	GenericURIs   []GenericURI
	// Relationship is set for products defined by product_tree.relationships.
	Relationship *Relationship
}

// Relationship says how a relationship product is built from two other products.
type Relationship struct {
	Category    string // default_component_of, external_component_of, installed_on, installed_with, optional_component_of
	ComponentID string // product_reference
	PlatformID  string // relates_to_product_reference
}

// FileHash is one cryptographic hash of a file of a product.
type FileHash struct {
	Filename  string
	Algorithm string // e.g. sha256
	Value     string
}

// GenericURI is an x_generic_uris entry (a vendor-specific identifier scheme).
type GenericURI struct {
	Namespace string
	URI       string
}

// ProductGroup is a named set of product ids.
type ProductGroup struct {
	ID         string
	Summary    string
	ProductIDs []string
}

// Vulnerability is one entry of vulnerabilities.
type Vulnerability struct {
	CVE           string
	IDs           []VulnerabilityID
	Title         string
	CWE           *CWE
	DiscoveryDate time.Time
	ReleaseDate   time.Time
	Notes         []Note
	References    []Reference
	Scores        []Score
	ProductStatus ProductStatus
	Remediations  []Remediation
	Threats       []Threat
	Flags         []Flag
}

// VulnerabilityID is an identifier of a vulnerability other than a CVE (vendor or tracker id).
type VulnerabilityID struct {
	System string
	Text   string
}

// CWE is the weakness of a vulnerability.
type CWE struct {
	ID   string // CWE-79
	Name string
}

// Score is one CVSS score with the products it applies to. CSAF 2.0 knows CVSS v2 and v3.x; Version
// is taken from the score object ("2.0", "3.0", "3.1"), so a later CVSS v4 source fits the same shape.
type Score struct {
	Version    string
	Vector     string
	BaseScore  float64
	Severity   string // baseSeverity for v3 (LOW, MEDIUM, HIGH, CRITICAL); "" for v2
	ProductIDs []string
}

// ProductStatus maps each CSAF product status to the product ids listed under it (groups resolved
// only where the document lists group ids, which product_status never does).
type ProductStatus struct {
	KnownAffected      []string
	Fixed              []string
	KnownNotAffected   []string
	UnderInvestigation []string
	FirstAffected      []string
	LastAffected       []string
	FirstFixed         []string
	Recommended        []string
}

// Remediation is a remediation with its product ids; group ids are resolved into ProductIDs.
type Remediation struct {
	Category        string // mitigation, no_fix_planned, none_available, vendor_fix, workaround
	Details         string
	URL             string
	Date            time.Time
	Entitlements    []string
	RestartRequired string // restart_required.category; "" when absent
	ProductIDs      []string
	GroupIDs        []string // as written; their members are already in ProductIDs
}

// Threat is a threat entry (category impact, exploit_status or target_set); group ids are resolved
// into ProductIDs.
type Threat struct {
	Category   string
	Details    string
	Date       time.Time
	ProductIDs []string
	GroupIDs   []string
}

// Flag is a machine-readable flag (the VEX justification of CSAF); group ids are resolved into
// ProductIDs.
type Flag struct {
	Label      string // component_not_present, vulnerable_code_not_present, …
	Date       time.Time
	ProductIDs []string
	GroupIDs   []string
}

// Product returns the product with the given id, or nil.
func (a *Advisory) Product(id string) *Product {
	for i := range a.Products {
		if a.Products[i].ID == id {
			return &a.Products[i]
		}
	}
	return nil
}

// ResolveGroups returns the product ids of the given product groups, each id once, in the order the
// groups list them. Unknown group ids are ignored (Parse already reports them, mandatory test 6.1.4).
func (a *Advisory) ResolveGroups(groupIDs ...string) []string {
	var out []string
	seen := map[string]bool{}
	for _, g := range groupIDs {
		for _, pg := range a.ProductGroups {
			if pg.ID != g {
				continue
			}
			for _, id := range pg.ProductIDs {
				if !seen[id] {
					seen[id] = true
					out = append(out, id)
				}
			}
		}
	}
	return out
}

// CoversVersion reports whether the product, as the advisory describes it, includes version v of the
// product it names: equal to its product_version, or inside its product_version_range (see
// Range.Contains; cmp nil means CompareGeneric). known is false when the product names no version
// or its range could not be read: such products need a person's mapping.
func (p *Product) CoversVersion(v string, cmp func(a, b string) int) (match, known bool) {
	if cmp == nil {
		cmp = CompareGeneric
	}
	switch {
	case p.Version != "":
		return cmp(v, p.Version) == 0, true
	case p.Range != nil:
		return p.Range.Contains(v, cmp)
	}
	return false, false
}
