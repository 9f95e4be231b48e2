package csaf

import "encoding/json"

// The raw* types mirror the CSAF 2.0 JSON schema field by field. They are private: the document is
// decoded into them strictly (unknown fields rejected) after schema validation and then flattened into
// Vigil's own model (model.go). gocsaf's structs are not used for decoding because their API is not
// promised stable and v3.7.0 models product_tree.product_groups as an object, not the array the schema
// defines.

type rawAdvisory struct {
	Document        rawDocument         `json:"document"`
	ProductTree     *rawProductTree     `json:"product_tree,omitempty"`
	Vulnerabilities []*rawVulnerability `json:"vulnerabilities,omitempty"`
}

type rawDocument struct {
	Acknowledgements  []rawAcknowledgement `json:"acknowledgments,omitempty"`
	AggregateSeverity *rawAggregateSev     `json:"aggregate_severity,omitempty"`
	Category          string               `json:"category"`
	CSAFVersion       string               `json:"csaf_version"`
	Distribution      *rawDistribution     `json:"distribution,omitempty"`
	Lang              string               `json:"lang,omitempty"`
	Notes             []rawNote            `json:"notes,omitempty"`
	Publisher         rawPublisher         `json:"publisher"`
	References        []rawReference       `json:"references,omitempty"`
	SourceLang        string               `json:"source_lang,omitempty"`
	Title             string               `json:"title"`
	Tracking          rawTracking          `json:"tracking"`
}

type rawAcknowledgement struct {
	Names        []string `json:"names,omitempty"`
	Organization string   `json:"organization,omitempty"`
	Summary      string   `json:"summary,omitempty"`
	URLs         []string `json:"urls,omitempty"`
}

type rawAggregateSev struct {
	Namespace string `json:"namespace,omitempty"`
	Text      string `json:"text"`
}

type rawDistribution struct {
	Text string  `json:"text,omitempty"`
	TLP  *rawTLP `json:"tlp,omitempty"`
}

type rawTLP struct {
	Label string `json:"label"`
	URL   string `json:"url,omitempty"`
}

type rawNote struct {
	Audience string `json:"audience,omitempty"`
	Category string `json:"category"`
	Text     string `json:"text"`
	Title    string `json:"title,omitempty"`
}

type rawPublisher struct {
	Category         string `json:"category"`
	ContactDetails   string `json:"contact_details,omitempty"`
	IssuingAuthority string `json:"issuing_authority,omitempty"`
	Name             string `json:"name"`
	Namespace        string `json:"namespace"`
}

type rawReference struct {
	Category string `json:"category,omitempty"`
	Summary  string `json:"summary"`
	URL      string `json:"url"`
}

type rawTracking struct {
	Aliases            []string      `json:"aliases,omitempty"`
	CurrentReleaseDate string        `json:"current_release_date"`
	Generator          *rawGenerator `json:"generator,omitempty"`
	ID                 string        `json:"id"`
	InitialReleaseDate string        `json:"initial_release_date"`
	RevisionHistory    []rawRevision `json:"revision_history"`
	Status             string        `json:"status"`
	Version            string        `json:"version"`
}

type rawGenerator struct {
	Date   string `json:"date,omitempty"`
	Engine struct {
		Name    string `json:"name"`
		Version string `json:"version,omitempty"`
	} `json:"engine"`
}

type rawRevision struct {
	Date          string `json:"date"`
	LegacyVersion string `json:"legacy_version,omitempty"`
	Number        string `json:"number"`
	Summary       string `json:"summary"`
}

type rawProductTree struct {
	Branches         []*rawBranch       `json:"branches,omitempty"`
	FullProductNames []*rawFullProduct  `json:"full_product_names,omitempty"`
	ProductGroups    []*rawProductGroup `json:"product_groups,omitempty"`
	Relationships    []*rawRelationship `json:"relationships,omitempty"`
}

type rawBranch struct {
	Branches []*rawBranch    `json:"branches,omitempty"`
	Category string          `json:"category"`
	Name     string          `json:"name"`
	Product  *rawFullProduct `json:"product,omitempty"`
}

type rawFullProduct struct {
	Name      string     `json:"name"`
	ProductID string     `json:"product_id"`
	Helper    *rawHelper `json:"product_identification_helper,omitempty"`
}

type rawHelper struct {
	CPE           string          `json:"cpe,omitempty"`
	Hashes        []rawHashes     `json:"hashes,omitempty"`
	ModelNumbers  []string        `json:"model_numbers,omitempty"`
	PURL          string          `json:"purl,omitempty"`
	SBOMURLs      []string        `json:"sbom_urls,omitempty"`
	SerialNumbers []string        `json:"serial_numbers,omitempty"`
	SKUs          []string        `json:"skus,omitempty"`
	XGenericURIs  []rawGenericURI `json:"x_generic_uris,omitempty"`
}

type rawHashes struct {
	FileHashes []struct {
		Algorithm string `json:"algorithm"`
		Value     string `json:"value"`
	} `json:"file_hashes"`
	Filename string `json:"filename"`
}

type rawGenericURI struct {
	Namespace string `json:"namespace"`
	URI       string `json:"uri"`
}

type rawProductGroup struct {
	GroupID    string   `json:"group_id"`
	ProductIDs []string `json:"product_ids"`
	Summary    string   `json:"summary,omitempty"`
}

type rawRelationship struct {
	Category                  string         `json:"category"`
	FullProductName           rawFullProduct `json:"full_product_name"`
	ProductReference          string         `json:"product_reference"`
	RelatesToProductReference string         `json:"relates_to_product_reference"`
}

type rawVulnerability struct {
	Acknowledgements []rawAcknowledgement `json:"acknowledgments,omitempty"`
	CVE              string               `json:"cve,omitempty"`
	CWE              *struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"cwe,omitempty"`
	DiscoveryDate string            `json:"discovery_date,omitempty"`
	Flags         []rawFlag         `json:"flags,omitempty"`
	IDs           []rawVulnID       `json:"ids,omitempty"`
	Involvements  []rawInvolvement  `json:"involvements,omitempty"`
	Notes         []rawNote         `json:"notes,omitempty"`
	ProductStatus *rawProductStatus `json:"product_status,omitempty"`
	References    []rawReference    `json:"references,omitempty"`
	ReleaseDate   string            `json:"release_date,omitempty"`
	Remediations  []rawRemediation  `json:"remediations,omitempty"`
	Scores        []rawScore        `json:"scores,omitempty"`
	Threats       []rawThreat       `json:"threats,omitempty"`
	Title         string            `json:"title,omitempty"`
}

type rawFlag struct {
	Date       string   `json:"date,omitempty"`
	GroupIDs   []string `json:"group_ids,omitempty"`
	Label      string   `json:"label"`
	ProductIDs []string `json:"product_ids,omitempty"`
}

type rawVulnID struct {
	SystemName string `json:"system_name"`
	Text       string `json:"text"`
}

type rawInvolvement struct {
	Date    string `json:"date,omitempty"`
	Party   string `json:"party"`
	Status  string `json:"status"`
	Summary string `json:"summary,omitempty"`
}

type rawProductStatus struct {
	FirstAffected      []string `json:"first_affected,omitempty"`
	FirstFixed         []string `json:"first_fixed,omitempty"`
	Fixed              []string `json:"fixed,omitempty"`
	KnownAffected      []string `json:"known_affected,omitempty"`
	KnownNotAffected   []string `json:"known_not_affected,omitempty"`
	LastAffected       []string `json:"last_affected,omitempty"`
	Recommended        []string `json:"recommended,omitempty"`
	UnderInvestigation []string `json:"under_investigation,omitempty"`
}

type rawRemediation struct {
	Category        string   `json:"category"`
	Date            string   `json:"date,omitempty"`
	Details         string   `json:"details"`
	Entitlements    []string `json:"entitlements,omitempty"`
	GroupIDs        []string `json:"group_ids,omitempty"`
	ProductIDs      []string `json:"product_ids,omitempty"`
	RestartRequired *struct {
		Category string `json:"category"`
		Details  string `json:"details,omitempty"`
	} `json:"restart_required,omitempty"`
	URL string `json:"url,omitempty"`
}

// rawScore keeps the CVSS objects raw: they follow FIRST's schemas (validated by the CSAF schema) and
// only a few fields are read, without strictness (see rawCVSS).
type rawScore struct {
	CVSSv2   json.RawMessage `json:"cvss_v2,omitempty"`
	CVSSv3   json.RawMessage `json:"cvss_v3,omitempty"`
	Products []string        `json:"products"`
}

type rawCVSS struct {
	Version      string   `json:"version"`
	VectorString string   `json:"vectorString"`
	BaseScore    *float64 `json:"baseScore"`
	BaseSeverity string   `json:"baseSeverity"`
}

type rawThreat struct {
	Category   string   `json:"category"`
	Date       string   `json:"date,omitempty"`
	Details    string   `json:"details"`
	GroupIDs   []string `json:"group_ids,omitempty"`
	ProductIDs []string `json:"product_ids,omitempty"`
}
