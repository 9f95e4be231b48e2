package domain

import "time"

// Vulnerability feed data is reference data shared by every organisation: the types below carry no
// organisation id. The stored form of a record is the normalised vuln.Vulnerability as JSON (the
// domain does not import the vulnerability model; internal/vulndb converts).

// Feed source names, as stored and as `vigil feeds sync --source` takes them.
const (
	FeedOSV       = "osv"
	FeedNVD       = "nvd"
	FeedKEV       = "kev"   // CISA Known Exploited Vulnerabilities
	FeedEUKEV     = "eukev" // EU KEV list (EU CSIRTs Network / ENISA)
	FeedEUVD      = "euvd"  // ENISA European Vulnerability Database (import only)
	FeedEPSS      = "epss"
	FeedEndOfLife = "endoflife"
)

// FeedSourceNames lists every feed source in display order.
var FeedSourceNames = []string{FeedOSV, FeedNVD, FeedKEV, FeedEUKEV, FeedEUVD, FeedEPSS, FeedEndOfLife}

// FeedSourceLabel is the name of a feed source for people.
func FeedSourceLabel(name string) string {
	switch name {
	case FeedOSV:
		return "OSV (open-source ecosystems)"
	case FeedNVD:
		return "NVD CVE API 2.0"
	case FeedKEV:
		return "CISA KEV"
	case FeedEUKEV:
		return "EU KEV (ENISA)"
	case FeedEUVD:
		return "ENISA EUVD"
	case FeedEPSS:
		return "FIRST EPSS"
	case FeedEndOfLife:
		return "endoflife.date"
	}
	return name
}

// FeedSource is the status of one source.
type FeedSource struct {
	Name        string     `json:"name"`
	Label       string     `json:"label"`
	LastSuccess *time.Time `json:"last_success,omitempty"` // last sync or import that completed
	LastAttempt *time.Time `json:"last_attempt,omitempty"`
	LastError   string     `json:"last_error,omitempty"`
	Records     int        `json:"records"` // records stored (EPSS: scores; endoflife: products)
	Origin      string     `json:"origin,omitempty"`
	// State is source-specific JSON: the NVD cursor, the EPSS score date and model version …
	State string `json:"state,omitempty"`
	// LastResult is the counts of the last import or sync as JSON (see FeedResult).
	LastResult string    `json:"last_result,omitempty"`
	Updated    time.Time `json:"updated"`
}

// FeedResult counts what an import or sync did to one source.
type FeedResult struct {
	Source    string  `json:"source"`
	Files     int     `json:"files,omitempty"`
	Read      int     `json:"read"`      // records (EPSS scores, endoflife products) read
	Created   int     `json:"created"`   // new records
	Updated   int     `json:"updated"`   // changed records
	Unchanged int     `json:"unchanged"` // identical to what is stored
	Skipped   int     `json:"skipped"`   // older than what is stored, or duplicates within the input
	Deleted   int     `json:"deleted"`   // no longer in a complete catalogue (CISA KEV, EU KEV)
	Seconds   float64 `json:"seconds"`
	// NotModified is set when a sync found the source unchanged (HTTP 304).
	NotModified bool `json:"not_modified,omitempty"`
}

// Add adds o's counts to r.
func (r *FeedResult) Add(o FeedResult) {
	r.Files += o.Files
	r.Read += o.Read
	r.Created += o.Created
	r.Updated += o.Updated
	r.Unchanged += o.Unchanged
	r.Skipped += o.Skipped
	r.Deleted += o.Deleted
	r.Seconds += o.Seconds
}

// FeedRecord is one stored source record.
type FeedRecord struct {
	Source    string     `json:"source"`
	RecordID  string     `json:"record_id"`
	VulnID    string     `json:"vuln_id"`
	Modified  *time.Time `json:"modified,omitempty"`
	Withdrawn *time.Time `json:"withdrawn,omitempty"`
	SHA256    string     `json:"sha256"`
	Data      string     `json:"data"` // vuln.Vulnerability as JSON
	Imported  time.Time  `json:"imported"`
	Updated   time.Time  `json:"updated"`
}

// FeedRecordMeta is what is compared to recognise an unchanged or older record.
type FeedRecordMeta struct {
	SHA256   string
	Modified *time.Time
}

// Vulnerability is the merged view of a vulnerability with the fields lists search, filter and
// sort on. The full data (affected packages, CPE configurations, references) is in its records.
type Vulnerability struct {
	ID             string     `json:"id"`
	Aliases        []string   `json:"aliases"`
	Summary        string     `json:"summary,omitempty"`
	Severity       string     `json:"severity"` // critical, high, medium, low, none, unknown
	SeverityRank   int        `json:"-"`
	CVSSScore      float64    `json:"cvss_score,omitempty"`
	CVSSVector     string     `json:"cvss_vector,omitempty"`
	CISAKEV        bool       `json:"cisa_kev"`
	CISAKEVAdded   *time.Time `json:"cisa_kev_added,omitempty"`
	CISAKEVDue     *time.Time `json:"cisa_kev_due,omitempty"`
	KEVRansomware  bool       `json:"kev_ransomware,omitempty"`
	EUKEV          bool       `json:"eu_kev"`
	EUKEVReported  *time.Time `json:"eu_kev_reported,omitempty"`
	EPSSScore      *float64   `json:"epss_score,omitempty"`
	EPSSPercentile *float64   `json:"epss_percentile,omitempty"`
	EPSSDate       *time.Time `json:"epss_date,omitempty"`
	Published      *time.Time `json:"published,omitempty"`
	Modified       *time.Time `json:"modified,omitempty"`
	Withdrawn      *time.Time `json:"withdrawn,omitempty"`
	CWE            []string   `json:"cwe,omitempty"`
	Sources        []string   `json:"sources"`                  // "OSV:GO-2023-2102", "NVD:CVE-2023-44487"
	FixedVersions  []string   `json:"fixed_versions,omitempty"` // "Go golang.org/x/net 0.17.0"
	Packages       []MatchKey `json:"packages,omitempty"`       // filled by the detail query only
	PackageCount   int        `json:"package_count"`
	Updated        time.Time  `json:"updated"`
}

// MatchKey names a package the way the match index does (match.Key): an OSV ecosystem and a package
// name, or "CPE" and a vendor:product.
type MatchKey struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
}

// String returns "Ecosystem/Name".
func (k MatchKey) String() string { return k.Ecosystem + "/" + k.Name }

// VulnFilter narrows a vulnerability list. Q matches an id or alias exactly, or else words of the
// summary and ids.
type VulnFilter struct {
	ListParams
	KEV         bool    // CISA KEV or EU KEV
	MinSeverity int     // severity rank, 0 = any
	MinEPSS     float64 // 0 = any
	Package     string  // a package name (exact, in any ecosystem) or CPE vendor:product
}

// FeedChange records one committed change of the feed data. ID is the feed generation after it:
// strictly increasing in commit order. A fleet matcher remembers the last ID it processed and
// re-matches the product versions holding the MatchKeys of the changes after it.
type FeedChange struct {
	ID         int64     `json:"id"`
	Created    time.Time `json:"created"`
	Source     string    `json:"source"`
	Origin     string    `json:"origin,omitempty"`
	Kind       string    `json:"kind"`        // FeedChangeRecords, FeedChangeScores or FeedChangeEndOfLife
	VulnIDs    []string  `json:"vuln_ids"`    // canonical ids created or changed
	RemovedIDs []string  `json:"removed_ids"` // canonical ids that no longer exist (deleted or merged into another)
	// MatchKeys are match.Key strings ("Go/golang.org/x/net", "CPE/openssl:openssl"; "CPE/*" for every
	// CPE component) whose findings may change: the keys named by the changed records and by the
	// vulnerabilities they merged with, before and after.
	MatchKeys []string `json:"match_keys"`
	// AllVulns is set when too many vulnerabilities changed to list (a daily EPSS file): treat all as changed.
	AllVulns       bool `json:"all_vulns,omitempty"`
	CreatedRecords int  `json:"created_records"`
	UpdatedRecords int  `json:"updated_records"`
	DeletedRecords int  `json:"deleted_records"`
}

// Kinds of feed changes.
const (
	FeedChangeRecords   = "records"   // vulnerability records: matching may change
	FeedChangeScores    = "scores"    // EPSS scores only: matching does not change, priorities may
	FeedChangeEndOfLife = "endoflife" // endoflife.date products (MatchKeys are "endoflife/<product>")
)

// FetchState is what a conditional request to a feed URL needs next time.
type FetchState struct {
	URL          string    `json:"url"`
	Source       string    `json:"source"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	Size         int64     `json:"size"`
	SHA256       string    `json:"sha256,omitempty"`
	Fetched      time.Time `json:"fetched"`
}

// EPSSScore is one stored EPSS score.
type EPSSScore struct {
	CVE        string  `json:"cve"`
	Score      float64 `json:"score"`
	Percentile float64 `json:"percentile"`
}

// EOLProduct is one stored endoflife.date product.
type EOLProduct struct {
	Name     string    `json:"name"`
	Title    string    `json:"title"`
	Category string    `json:"category"`
	Cycles   int       `json:"cycles"`
	SHA256   string    `json:"sha256"`
	Data     string    `json:"data"`               // endoflife.Product as JSON
	Releases string    `json:"releases,omitempty"` // endoflife.ReleaseData as JSON
	Updated  time.Time `json:"updated"`
}
