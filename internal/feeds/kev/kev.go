// Package kev reads CISA's Known Exploited Vulnerabilities catalog, as JSON
// (known_exploited_vulnerabilities.json) or CSV (known_exploited_vulnerabilities.csv).
package kev

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/feeds/internal/feedutil"
	"github.com/vigil-med/vigil/internal/vuln"
)

// MaxBytes is the default size limit of a catalog file (the 2025 catalog is 1.3 MB).
const MaxBytes = 64 << 20

// Catalog is the CISA KEV catalog. The CSV form carries no title, version or release date.
type Catalog struct {
	Title          string
	CatalogVersion string
	DateReleased   time.Time
	Entries        []Entry
}

// Entry is one catalog entry.
type Entry struct {
	CVE string
	vuln.CISAKEV
}

type catalogJSON struct {
	Title           string      `json:"title"`
	CatalogVersion  string      `json:"catalogVersion"`
	DateReleased    string      `json:"dateReleased"`
	Count           *int        `json:"count"`
	Vulnerabilities []entryJSON `json:"vulnerabilities"`
}

type entryJSON struct {
	CVEID                      string   `json:"cveID"`
	VendorProject              string   `json:"vendorProject"`
	Product                    string   `json:"product"`
	VulnerabilityName          string   `json:"vulnerabilityName"`
	DateAdded                  string   `json:"dateAdded"`
	ShortDescription           string   `json:"shortDescription"`
	RequiredAction             string   `json:"requiredAction"`
	DueDate                    string   `json:"dueDate"`
	KnownRansomwareCampaignUse string   `json:"knownRansomwareCampaignUse"`
	Notes                      string   `json:"notes"`
	CWEs                       []string `json:"cwes"`
}

// Decode reads a catalog in JSON or CSV form (detected from the content), up to maxBytes
// (MaxBytes when ≤ 0).
func Decode(r io.Reader, name string, maxBytes int64) (Catalog, error) {
	if maxBytes <= 0 {
		maxBytes = MaxBytes
	}
	data, err := feedutil.ReadAll(r, maxBytes, name)
	if err != nil {
		return Catalog{}, err
	}
	data = feedutil.TrimBOM(data)
	switch c := feedutil.FirstByte(data); {
	case c == '{':
		return decodeJSON(data, name)
	case bytes.HasPrefix(data, []byte("cveID,")):
		return decodeCSV(data, name)
	case c == 0:
		return Catalog{}, fmt.Errorf("%s: empty file, not a CISA KEV catalog", name)
	}
	return Catalog{}, fmt.Errorf("%s: not a CISA KEV catalog (neither its JSON nor its CSV with a cveID header)", name)
}

// ReadFile reads a catalog file (see Decode).
func ReadFile(path string) (Catalog, error) {
	f, err := os.Open(path)
	if err != nil {
		return Catalog{}, err
	}
	defer f.Close()
	return Decode(f, path, 0)
}

func decodeJSON(data []byte, name string) (Catalog, error) {
	if err := feedutil.CheckDepth(name, data, 16); err != nil {
		return Catalog{}, err
	}
	var c catalogJSON
	if err := json.Unmarshal(data, &c); err != nil {
		return Catalog{}, feedutil.JSONError(name, data, err)
	}
	if c.Vulnerabilities == nil {
		return Catalog{}, fmt.Errorf("%s: vulnerabilities: missing, not a CISA KEV catalog", name)
	}
	out := Catalog{Title: c.Title, CatalogVersion: c.CatalogVersion}
	var err error
	if out.DateReleased, err = feedutil.ParseTime(c.DateReleased); err != nil {
		return Catalog{}, fmt.Errorf("%s: dateReleased: %v", name, err)
	}
	if c.Count != nil && *c.Count != len(c.Vulnerabilities) {
		return Catalog{}, fmt.Errorf("%s: count says %d entries but vulnerabilities has %d (truncated?)", name, *c.Count, len(c.Vulnerabilities))
	}
	for i, e := range c.Vulnerabilities {
		en, err := convert(e, out.CatalogVersion)
		if err != nil {
			return Catalog{}, fmt.Errorf("%s: vulnerabilities[%d]: %v", name, i, err)
		}
		out.Entries = append(out.Entries, en)
	}
	return out, nil
}

var csvColumns = []string{"cveID", "vendorProject", "product", "vulnerabilityName", "dateAdded", "shortDescription",
	"requiredAction", "dueDate", "knownRansomwareCampaignUse", "notes", "cwes"}

func decodeCSV(data []byte, name string) (Catalog, error) {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return Catalog{}, fmt.Errorf("%s: header: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	for _, c := range csvColumns[:9] {
		if _, ok := col[c]; !ok {
			return Catalog{}, fmt.Errorf("%s:1: column %q missing, not a CISA KEV CSV", name, c)
		}
	}
	var out Catalog
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return Catalog{}, fmt.Errorf("%s:%d:%d: %v", name, pe.StartLine, pe.Column, pe.Err)
			}
			return Catalog{}, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		get := func(c string) string {
			if i, ok := col[c]; ok && i < len(rec) {
				return rec[i]
			}
			return ""
		}
		e := entryJSON{CVEID: get("cveID"), VendorProject: get("vendorProject"), Product: get("product"),
			VulnerabilityName: get("vulnerabilityName"), DateAdded: get("dateAdded"), ShortDescription: get("shortDescription"),
			RequiredAction: get("requiredAction"), DueDate: get("dueDate"), KnownRansomwareCampaignUse: get("knownRansomwareCampaignUse"),
			Notes: get("notes")}
		for _, c := range strings.Split(get("cwes"), ",") {
			if c = strings.TrimSpace(c); c != "" {
				e.CWEs = append(e.CWEs, c)
			}
		}
		en, err := convert(e, "")
		if err != nil {
			return Catalog{}, fmt.Errorf("%s:%d: %v", name, line, err)
		}
		out.Entries = append(out.Entries, en)
	}
	return out, nil
}

func convert(e entryJSON, version string) (Entry, error) {
	if !vuln.IsCVE(e.CVEID) {
		return Entry{}, fmt.Errorf("cveID %q is not a CVE id", feedutil.Clip(e.CVEID))
	}
	if len(e.CWEs) == 0 {
		e.CWEs = nil
	}
	src := "CISA KEV"
	if version != "" {
		src += " " + version
	}
	en := Entry{CVE: strings.TrimSpace(e.CVEID), CISAKEV: vuln.CISAKEV{
		VendorProject: e.VendorProject, Product: e.Product, Name: e.VulnerabilityName, ShortDescription: e.ShortDescription,
		RequiredAction: e.RequiredAction, KnownRansomwareCampaignUse: e.KnownRansomwareCampaignUse, Notes: e.Notes,
		CWEs: e.CWEs, Source: src,
	}}
	var err error
	if en.DateAdded, err = feedutil.ParseTime(e.DateAdded); err != nil {
		return Entry{}, fmt.Errorf("%s: dateAdded: %v", e.CVEID, err)
	}
	if en.DateAdded.IsZero() {
		return Entry{}, fmt.Errorf("%s: dateAdded: missing", e.CVEID)
	}
	if en.DueDate, err = feedutil.ParseTime(e.DueDate); err != nil {
		return Entry{}, fmt.Errorf("%s: dueDate: %v", e.CVEID, err)
	}
	return en, nil
}

// Records returns one vuln.Vulnerability per entry, to be merged with the other sources.
func (c *Catalog) Records() []vuln.Vulnerability {
	out := make([]vuln.Vulnerability, 0, len(c.Entries))
	db := "CISA KEV catalog"
	if c.CatalogVersion != "" {
		db += " " + c.CatalogVersion
	}
	for _, e := range c.Entries {
		k := e.CISAKEV
		out = append(out, vuln.Vulnerability{
			ID: e.CVE, Summary: k.Name, Details: k.ShortDescription, CWE: k.CWEs, CISAKEV: &k,
			Sources: []vuln.Source{{Kind: vuln.SourceCISAKEV, ID: e.CVE, Database: db, Modified: c.DateReleased}},
		})
	}
	return out
}

// Looks reports whether the start of a file looks like the KEV catalog; feeds.Detect uses it.
func Looks(head []byte) bool {
	head = feedutil.TrimBOM(head)
	return bytes.HasPrefix(head, []byte("cveID,vendorProject")) ||
		feedutil.FirstByte(head) == '{' && bytes.Contains(head, []byte(`"catalogVersion"`))
}
