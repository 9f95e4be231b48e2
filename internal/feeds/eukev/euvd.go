package eukev

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/feeds/internal/feedutil"
	"github.com/vigil-med/vigil/internal/vuln"
)

type euvdRecord struct {
	ID               string   `json:"id"`
	EnisaUUID        string   `json:"enisaUuid"`
	Description      string   `json:"description"`
	DatePublished    string   `json:"datePublished"`
	DateUpdated      string   `json:"dateUpdated"`
	BaseScore        *float64 `json:"baseScore"`
	BaseScoreVersion string   `json:"baseScoreVersion"`
	BaseScoreVector  string   `json:"baseScoreVector"`
	References       string   `json:"references"`
	Aliases          string   `json:"aliases"`
	Assigner         string   `json:"assigner"`
	EPSS             *float64 `json:"epss"`
	ExploitedSince   string   `json:"exploitedSince"`
	EnisaIDProduct   []struct {
		Product struct {
			Name   string `json:"name"`
			Vendor *struct {
				Name string `json:"name"`
			} `json:"vendor"`
		} `json:"product"`
		ProductVersion string `json:"product_version"`
	} `json:"enisaIdProduct"`
	EnisaIDVendor []struct {
		Vendor struct {
			Name string `json:"name"`
		} `json:"vendor"`
	} `json:"enisaIdVendor"`
}

// EUVDDateLayout is the display form EUVD uses for dates.
const EUVDDateLayout = "Jan 2, 2006, 3:04:05 PM"

// ParseEUVDDate reads an EUVD display date ("Nov 1, 2022, 12:00:00 AM", taken as UTC); also
// accepts RFC 3339. An empty string is the zero time.
func ParseEUVDDate(s string) (time.Time, error) {
	s = strings.Join(strings.Fields(strings.ReplaceAll(s, "\u202f", " ")), " ")
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(EUVDDateLayout, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := feedutil.ParseTime(s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("unreadable EUVD date %q (want e.g. \"Nov 1, 2022, 12:00:00 AM\")", feedutil.Clip(s))
}

// DecodeEUVD reads an EUVD API response: a search result {"items": [...], "total": N}, a bare array
// of records, or one record. Each record becomes a vuln.Vulnerability with id = the EUVD id, its
// aliases (CVE, GHSA, …), description, dates, the EUVD score and EUVD data (exploited-since date,
// EPSS converted to 0–1, free-text products). total is the server-side match count of a search
// (0 for the other shapes).
func DecodeEUVD(r io.Reader, name string, maxBytes int64) (records []vuln.Vulnerability, total int, err error) {
	if maxBytes <= 0 {
		maxBytes = MaxBytes
	}
	data, err := feedutil.ReadAll(r, maxBytes, name)
	if err != nil {
		return nil, 0, err
	}
	data = feedutil.TrimBOM(data)
	if err := feedutil.CheckDepth(name, data, 32); err != nil {
		return nil, 0, err
	}
	var recs []euvdRecord
	switch feedutil.FirstByte(data) {
	case '[':
		if err := json.Unmarshal(data, &recs); err != nil {
			return nil, 0, feedutil.JSONError(name, data, err)
		}
	case '{':
		var probe struct {
			Items []euvdRecord `json:"items"`
			Total int          `json:"total"`
			ID    *string      `json:"id"`
		}
		if err := json.Unmarshal(data, &probe); err != nil {
			return nil, 0, feedutil.JSONError(name, data, err)
		}
		if probe.ID == nil && probe.Items == nil {
			return nil, 0, fmt.Errorf("%s: not an EUVD response: no items and no id", name)
		}
		if probe.Items != nil {
			recs, total = probe.Items, probe.Total
		} else {
			var one euvdRecord
			if err := json.Unmarshal(data, &one); err != nil {
				return nil, 0, feedutil.JSONError(name, data, err)
			}
			recs = []euvdRecord{one}
		}
	case 0:
		return nil, 0, fmt.Errorf("%s: empty file, not an EUVD response", name)
	default:
		return nil, 0, fmt.Errorf("%s: not an EUVD response: not JSON", name)
	}
	out := make([]vuln.Vulnerability, 0, len(recs))
	for i, rec := range recs {
		v, err := convertEUVD(rec)
		if err != nil {
			return nil, 0, fmt.Errorf("%s: [%d]: %v", name, i, err)
		}
		out = append(out, v)
	}
	return out, total, nil
}

// ReadEUVDFile reads an EUVD response file (see DecodeEUVD).
func ReadEUVDFile(path string) ([]vuln.Vulnerability, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	vs, _, err := DecodeEUVD(f, path, 0)
	return vs, err
}

func splitLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func convertEUVD(r euvdRecord) (vuln.Vulnerability, error) {
	id := strings.TrimSpace(r.ID)
	if !strings.HasPrefix(vuln.NormID(id), "EUVD-") {
		return vuln.Vulnerability{}, fmt.Errorf("id %q is not an EUVD id", feedutil.Clip(r.ID))
	}
	v := vuln.Vulnerability{ID: id, Details: r.Description}
	var err error
	if v.Published, err = ParseEUVDDate(r.DatePublished); err != nil {
		return v, fmt.Errorf("%s: datePublished: %v", id, err)
	}
	if v.Modified, err = ParseEUVDDate(r.DateUpdated); err != nil {
		return v, fmt.Errorf("%s: dateUpdated: %v", id, err)
	}
	seen := map[string]bool{vuln.NormID(id): true}
	for _, a := range splitLines(r.Aliases) {
		if n := vuln.NormID(a); !seen[n] {
			seen[n] = true
			v.Aliases = append(v.Aliases, a)
		}
	}
	for _, u := range splitLines(r.References) {
		v.References = append(v.References, vuln.Reference{URL: u})
	}
	if r.BaseScoreVector != "" {
		s := vuln.NewSeverity(r.BaseScoreVector, "EUVD")
		if r.BaseScore != nil && *r.BaseScore > 0 {
			s.Score = *r.BaseScore
			s.Level = vuln.LevelFromScore(s.Type, s.Score)
		}
		v.Severity = append(v.Severity, s)
	}
	e := &vuln.EUVD{ID: id, Assigner: r.Assigner}
	if r.EPSS != nil {
		if *r.EPSS < 0 || *r.EPSS > 100 {
			return v, fmt.Errorf("%s: epss %v is not a percentage", id, *r.EPSS)
		}
		e.EPSS = math.Round(*r.EPSS*1e4) / 1e6 // percent with two decimals → probability
	}
	if e.ExploitedSince, err = ParseEUVDDate(r.ExploitedSince); err != nil {
		return v, fmt.Errorf("%s: exploitedSince: %v", id, err)
	}
	vendor := ""
	if len(r.EnisaIDVendor) == 1 {
		vendor = r.EnisaIDVendor[0].Vendor.Name
	}
	for _, p := range r.EnisaIDProduct {
		ep := vuln.EUVDProduct{Product: p.Product.Name, Version: p.ProductVersion, Vendor: vendor}
		if p.Product.Vendor != nil {
			ep.Vendor = p.Product.Vendor.Name
		}
		e.Products = append(e.Products, ep)
	}
	v.EUVD = e
	v.Sources = []vuln.Source{{Kind: vuln.SourceEUVD, ID: id, Database: "ENISA EUVD", Modified: v.Modified}}
	return v, nil
}

// LooksEUVD reports whether the start of a file looks like an EUVD API response.
func LooksEUVD(head []byte) bool {
	c := feedutil.FirstByte(head)
	return (c == '{' || c == '[') && (bytes.Contains(head, []byte(`"enisaUuid"`)) || bytes.Contains(head, []byte(`"EUVD-`)) && bytes.Contains(head, []byte(`"baseScore`)))
}
