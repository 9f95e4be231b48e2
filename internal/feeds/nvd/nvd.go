// Package nvd reads NVD CVE API 2.0 JSON: API response pages ({"resultsPerPage", …,
// "vulnerabilities": [{"cve": …}]}, also the yearly JSON 2.0 feed files, optionally gzipped) and
// single CVE objects as stored by mirrors such as fkie-cad/nvd-json-data-feeds. Each CVE becomes
// one vuln.Vulnerability with its CPE configurations (AND/OR nodes, negation, vulnerable flags,
// version bounds), CVSS v2/v3.x/v4.0 metrics, CWEs, references and NVD's copy of the CISA KEV fields.
//
// This product uses data from the NVD API but is not endorsed or certified by the NVD.
package nvd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/cpe"
	"github.com/vigil-med/vigil/internal/feeds/internal/feedutil"
	"github.com/vigil-med/vigil/internal/vuln"
)

// Limits bound what the reader accepts; zero fields mean their defaults.
type Limits struct {
	MaxBytes int64 // one file after decompression; default 1 GiB (a yearly feed is ~300 MB)
	MaxDepth int   // JSON nesting; default 64
}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = 1 << 30
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = 64
	}
	return l
}

// Page is one NVD API response (or feed file). For a single CVE object only Vulnerabilities is set.
type Page struct {
	ResultsPerPage  int
	StartIndex      int
	TotalResults    int
	Format          string // "NVD_CVE"
	Version         string // "2.0"
	Timestamp       time.Time
	Vulnerabilities []vuln.Vulnerability
}

type pageJSON struct {
	ResultsPerPage  *int      `json:"resultsPerPage"`
	StartIndex      int       `json:"startIndex"`
	TotalResults    int       `json:"totalResults"`
	Format          string    `json:"format"`
	Version         string    `json:"version"`
	Timestamp       string    `json:"timestamp"`
	Vulnerabilities []wrapper `json:"vulnerabilities"`
	CVEItems        any       `json:"CVE_Items"`
}

type wrapper struct {
	CVE *cveJSON `json:"cve"`
}

type langString struct {
	Lang  string `json:"lang"`
	Value string `json:"value"`
}

type cveJSON struct {
	ID               string       `json:"id"`
	SourceIdentifier string       `json:"sourceIdentifier"`
	Published        string       `json:"published"`
	LastModified     string       `json:"lastModified"`
	VulnStatus       string       `json:"vulnStatus"`
	Descriptions     []langString `json:"descriptions"`
	Metrics          metricsJSON  `json:"metrics"`
	Weaknesses       []struct {
		Source      string       `json:"source"`
		Type        string       `json:"type"`
		Description []langString `json:"description"`
	} `json:"weaknesses"`
	Configurations []struct {
		Operator string `json:"operator"`
		Negate   bool   `json:"negate"`
		Nodes    []struct {
			Operator string `json:"operator"`
			Negate   bool   `json:"negate"`
			CPEMatch []struct {
				Vulnerable            bool   `json:"vulnerable"`
				Criteria              string `json:"criteria"`
				MatchCriteriaID       string `json:"matchCriteriaId"`
				VersionStartIncluding string `json:"versionStartIncluding"`
				VersionStartExcluding string `json:"versionStartExcluding"`
				VersionEndIncluding   string `json:"versionEndIncluding"`
				VersionEndExcluding   string `json:"versionEndExcluding"`
			} `json:"cpeMatch"`
		} `json:"nodes"`
	} `json:"configurations"`
	References []struct {
		URL    string   `json:"url"`
		Source string   `json:"source"`
		Tags   []string `json:"tags"`
	} `json:"references"`
	CISAExploitAdd        string `json:"cisaExploitAdd"`
	CISAActionDue         string `json:"cisaActionDue"`
	CISARequiredAction    string `json:"cisaRequiredAction"`
	CISAVulnerabilityName string `json:"cisaVulnerabilityName"`
}

type metricJSON struct {
	Source   string `json:"source"`
	Type     string `json:"type"`
	CVSSData struct {
		Version      string  `json:"version"`
		VectorString string  `json:"vectorString"`
		BaseScore    float64 `json:"baseScore"`
		BaseSeverity string  `json:"baseSeverity"`
	} `json:"cvssData"`
	BaseSeverity string `json:"baseSeverity"` // v2 keeps it outside cvssData
}

type metricsJSON struct {
	V40 []metricJSON `json:"cvssMetricV40"`
	V31 []metricJSON `json:"cvssMetricV31"`
	V30 []metricJSON `json:"cvssMetricV30"`
	V2  []metricJSON `json:"cvssMetricV2"`
}

// Decode reads an API page, a feed file or a single CVE object ({"id": "CVE-…", …} or
// {"cve": {…}}), gzipped or not.
func Decode(r io.Reader, name string, lim Limits) (Page, error) {
	lim = lim.withDefaults()
	data, err := feedutil.ReadAll(r, lim.MaxBytes, name)
	if err != nil {
		return Page{}, err
	}
	if data, err = feedutil.MaybeGunzip(data, lim.MaxBytes, name); err != nil {
		return Page{}, err
	}
	return decodeBytes(feedutil.TrimBOM(data), name, lim)
}

func decodeBytes(data []byte, name string, lim Limits) (Page, error) {
	if feedutil.FirstByte(data) != '{' {
		if len(bytes.TrimSpace(data)) == 0 {
			return Page{}, fmt.Errorf("%s: empty file, not an NVD CVE API 2.0 document", name)
		}
		return Page{}, fmt.Errorf("%s: not an NVD CVE API 2.0 document: not a JSON object", name)
	}
	if err := feedutil.CheckDepth(name, data, lim.MaxDepth); err != nil {
		return Page{}, err
	}
	var probe struct {
		ID              *string         `json:"id"`
		CVE             json.RawMessage `json:"cve"`
		Vulnerabilities json.RawMessage `json:"vulnerabilities"`
		CVEItems        json.RawMessage `json:"CVE_Items"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return Page{}, feedutil.JSONError(name, data, err)
	}
	switch {
	case probe.Vulnerabilities != nil:
		var p pageJSON
		if err := json.Unmarshal(data, &p); err != nil {
			return Page{}, feedutil.JSONError(name, data, err)
		}
		page := Page{StartIndex: p.StartIndex, TotalResults: p.TotalResults, Format: p.Format, Version: p.Version}
		if p.ResultsPerPage != nil {
			page.ResultsPerPage = *p.ResultsPerPage
		}
		if p.Format != "" && p.Format != "NVD_CVE" {
			return Page{}, fmt.Errorf("%s: format %q: not an NVD CVE document", name, feedutil.Clip(p.Format))
		}
		if p.Version != "" && !strings.HasPrefix(p.Version, "2.") {
			return Page{}, fmt.Errorf("%s: version %q: only NVD CVE API 2.x is supported", name, feedutil.Clip(p.Version))
		}
		var err error
		if page.Timestamp, err = feedutil.ParseTime(p.Timestamp); err != nil {
			return Page{}, fmt.Errorf("%s: timestamp: %v", name, err)
		}
		for i, w := range p.Vulnerabilities {
			if w.CVE == nil {
				return Page{}, fmt.Errorf("%s: vulnerabilities[%d].cve: missing", name, i)
			}
			v, err := convert(w.CVE, fmt.Sprintf("%s: vulnerabilities[%d].cve", name, i))
			if err != nil {
				return Page{}, err
			}
			page.Vulnerabilities = append(page.Vulnerabilities, v)
		}
		return page, nil
	case probe.CVE != nil:
		var w wrapper
		if err := json.Unmarshal(data, &w); err != nil {
			return Page{}, feedutil.JSONError(name, data, err)
		}
		v, err := convert(w.CVE, name+": cve")
		if err != nil {
			return Page{}, err
		}
		return Page{Vulnerabilities: []vuln.Vulnerability{v}}, nil
	case probe.ID != nil:
		var c cveJSON
		if err := json.Unmarshal(data, &c); err != nil {
			return Page{}, feedutil.JSONError(name, data, err)
		}
		v, err := convert(&c, name)
		if err != nil {
			return Page{}, err
		}
		return Page{Vulnerabilities: []vuln.Vulnerability{v}}, nil
	case probe.CVEItems != nil:
		return Page{}, fmt.Errorf("%s: an NVD JSON 1.1 feed (retired in 2023); use the CVE API 2.0 or its 2.0 feeds", name)
	}
	return Page{}, fmt.Errorf("%s: not an NVD CVE API 2.0 document: no vulnerabilities, cve or id", name)
}

// ReadFile reads one NVD JSON file (see Decode).
func ReadFile(path string, lim Limits) (Page, error) {
	f, err := os.Open(path)
	if err != nil {
		return Page{}, err
	}
	defer f.Close()
	return Decode(f, path, lim)
}

// ReadDir reads every *.json and *.json.gz file under dir (recursively, lexical order, hidden
// folders skipped) and returns all their CVEs.
func ReadDir(dir string, lim Limits) ([]vuln.Vulnerability, error) {
	fsys := os.DirFS(dir)
	var out []vuln.Vulnerability
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != "." && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		low := strings.ToLower(d.Name())
		if !d.Type().IsRegular() || !(strings.HasSuffix(low, ".json") || strings.HasSuffix(low, ".json.gz")) {
			return nil
		}
		f, err := fsys.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		page, err := Decode(f, path.Join(filepath.ToSlash(dir), p), lim)
		if err != nil {
			return err
		}
		out = append(out, page.Vulnerabilities...)
		return nil
	})
	return out, err
}

func english(ls []langString) string {
	for _, l := range ls {
		if l.Lang == "en" {
			return l.Value
		}
	}
	if len(ls) > 0 {
		return ls[0].Value
	}
	return ""
}

func convert(c *cveJSON, at string) (vuln.Vulnerability, error) {
	if !vuln.IsCVE(c.ID) {
		return vuln.Vulnerability{}, fmt.Errorf("%s: id %q is not a CVE id", at, feedutil.Clip(c.ID))
	}
	at = at + " " + c.ID
	var v vuln.Vulnerability
	var err error
	v.ID = strings.TrimSpace(c.ID)
	v.Details = english(c.Descriptions)
	if v.Published, err = feedutil.ParseTime(c.Published); err != nil {
		return v, fmt.Errorf("%s: published: %v", at, err)
	}
	if v.Modified, err = feedutil.ParseTime(c.LastModified); err != nil {
		return v, fmt.Errorf("%s: lastModified: %v", at, err)
	}
	if strings.EqualFold(c.VulnStatus, "Rejected") {
		v.Withdrawn = v.Modified
		if v.Withdrawn.IsZero() {
			v.Withdrawn = time.Unix(0, 0).UTC()
		}
	}
	for _, group := range []struct {
		typ string
		ms  []metricJSON
	}{{vuln.CVSSv4, c.Metrics.V40}, {vuln.CVSSv3, c.Metrics.V31}, {vuln.CVSSv3, c.Metrics.V30}, {vuln.CVSSv2, c.Metrics.V2}} {
		for _, m := range group.ms {
			src := m.Source
			if m.Type != "" {
				src += " (" + m.Type + ")"
			}
			s := vuln.Severity{Type: group.typ, Vector: m.CVSSData.VectorString, Score: m.CVSSData.BaseScore, Source: src}
			sev := m.CVSSData.BaseSeverity
			if sev == "" {
				sev = m.BaseSeverity
			}
			if l, err := vuln.ParseLevel(sev); err == nil && l != vuln.Unknown {
				s.Level = l
			} else {
				s.Level = vuln.LevelFromScore(group.typ, s.Score)
			}
			v.Severity = append(v.Severity, s)
		}
	}
	seen := map[string]bool{}
	for _, w := range c.Weaknesses {
		for _, d := range w.Description {
			if strings.HasPrefix(d.Value, "CWE-") && !seen[d.Value] {
				seen[d.Value] = true
				v.CWE = append(v.CWE, d.Value)
			}
		}
	}
	for i, cfg := range c.Configurations {
		out := vuln.Configuration{Source: v.ID, Operator: strings.ToUpper(cfg.Operator), Negate: cfg.Negate}
		if err := checkOperator(out.Operator); err != nil {
			return v, fmt.Errorf("%s: configurations[%d].operator: %v", at, i, err)
		}
		for j, n := range cfg.Nodes {
			node := vuln.Node{Operator: strings.ToUpper(n.Operator), Negate: n.Negate}
			if err := checkOperator(node.Operator); err != nil {
				return v, fmt.Errorf("%s: configurations[%d].nodes[%d].operator: %v", at, i, j, err)
			}
			for k, m := range n.CPEMatch {
				if _, err := cpe.Parse(m.Criteria); err != nil {
					return v, fmt.Errorf("%s: configurations[%d].nodes[%d].cpeMatch[%d].criteria: %v", at, i, j, k, err)
				}
				node.Matches = append(node.Matches, vuln.CPEMatch{
					Vulnerable: m.Vulnerable, Criteria: m.Criteria, MatchCriteriaID: m.MatchCriteriaID,
					VersionStartIncluding: m.VersionStartIncluding, VersionStartExcluding: m.VersionStartExcluding,
					VersionEndIncluding: m.VersionEndIncluding, VersionEndExcluding: m.VersionEndExcluding,
				})
			}
			out.Nodes = append(out.Nodes, node)
		}
		v.Configurations = append(v.Configurations, out)
	}
	for _, r := range c.References {
		if r.URL == "" {
			continue
		}
		ref := vuln.Reference{URL: r.URL}
		if len(r.Tags) > 0 {
			ref.Type = strings.Join(r.Tags, ", ")
		}
		v.References = append(v.References, ref)
	}
	if c.CISAExploitAdd != "" {
		k := &vuln.CISAKEV{Name: c.CISAVulnerabilityName, RequiredAction: c.CISARequiredAction, Source: "NVD"}
		if k.DateAdded, err = feedutil.ParseTime(c.CISAExploitAdd); err != nil {
			return v, fmt.Errorf("%s: cisaExploitAdd: %v", at, err)
		}
		if k.DueDate, err = feedutil.ParseTime(c.CISAActionDue); err != nil {
			return v, fmt.Errorf("%s: cisaActionDue: %v", at, err)
		}
		v.CISAKEV = k
	}
	v.Sources = []vuln.Source{{Kind: vuln.SourceNVD, ID: v.ID, Database: "NVD", Modified: v.Modified, Withdrawn: v.Withdrawn}}
	return v, nil
}

func checkOperator(op string) error {
	switch op {
	case "", "AND", "OR":
		return nil
	}
	return fmt.Errorf("%q is not AND or OR", feedutil.Clip(op))
}

// Looks reports whether the start of a file looks like NVD CVE API 2.0 JSON; feeds.Detect uses it.
func Looks(head []byte) bool {
	if feedutil.FirstByte(head) != '{' {
		return false
	}
	return bytes.Contains(head, []byte(`"NVD_CVE"`)) || bytes.Contains(head, []byte(`"sourceIdentifier"`)) ||
		bytes.Contains(head, []byte(`"vulnStatus"`)) || (bytes.Contains(head, []byte(`"vulnerabilities"`)) && bytes.Contains(head, []byte(`"cve"`)))
}
