// Package eukev reads ENISA's European vulnerability data: the EU Known Exploited Vulnerabilities
// list of the EU CSIRTs Network (eukev.json, schema v1, its older string-valued shape, and the two
// retired CSV shapes) and records of the European Vulnerability Database (EUVD API responses:
// search results, "latest" lists and single-record lookups).
//
// The format notes this follows are in /work/shared/data/eukev/FORMAT.md and euvd/FORMAT.md:
// dates are YYYY/MM/DD, YYYY-MM-DD or DD/MM/YY in the list and display strings
// ("Nov 1, 2022, 12:00:00 AM") in EUVD; "-", "tbc" and "" mean no value; list-valued fields
// may be strings; EUVD joins aliases and references with newlines and gives EPSS in percent.
package eukev

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

// MaxBytes is the default size limit of one file.
const MaxBytes = 64 << 20

// flex is a JSON value that may be a string or an array of strings ("-" means none).
type flex []string

func (f *flex) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '[' {
		var xs []string
		if err := json.Unmarshal(b, &xs); err != nil {
			return err
		}
		*f = clean(xs)
		return nil
	}
	if string(b) == "null" {
		*f = nil
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*f = clean(strings.Split(s, ","))
	return nil
}

func clean(xs []string) []string {
	var out []string
	for _, x := range xs {
		if x = strings.TrimSpace(x); !none(x) {
			out = append(out, x)
		}
	}
	return out
}

func none(s string) bool {
	s = strings.TrimSpace(s)
	return s == "" || s == "-" || strings.EqualFold(s, "tbc") || strings.EqualFold(s, "n/a")
}

type entryJSON struct {
	CVEID                  string `json:"cveID"`
	EUVDID                 string `json:"euvdID"`
	VendorProject          string `json:"vendorProject"`
	Product                string `json:"product"`
	VulnerabilityName      string `json:"vulnerabilityName"`
	DateReported           string `json:"dateReported"`
	PatchedSince           string `json:"patchedSince"`
	OriginSource           string `json:"originSource"`
	ShortDescription       string `json:"shortDescription"`
	ExploitationType       flex   `json:"exploitationType"`
	ThreatActorsExploiting flex   `json:"threatActorsExploiting"`
	CWEs                   flex   `json:"cwes"`
	Notes                  string `json:"notes"`
}

// Decode reads the EU KEV list in any of its known shapes (JSON array of entries, or CSV) and
// returns one vuln.Vulnerability per entry: id = the CVE, alias = the EUVD id, EUKEV set.
func Decode(r io.Reader, name string, maxBytes int64) ([]vuln.Vulnerability, error) {
	if maxBytes <= 0 {
		maxBytes = MaxBytes
	}
	data, err := feedutil.ReadAll(r, maxBytes, name)
	if err != nil {
		return nil, err
	}
	data = feedutil.TrimBOM(data)
	switch c := feedutil.FirstByte(data); {
	case c == '[':
		if err := feedutil.CheckDepth(name, data, 16); err != nil {
			return nil, err
		}
		var es []entryJSON
		if err := json.Unmarshal(data, &es); err != nil {
			return nil, feedutil.JSONError(name, data, err)
		}
		out := make([]vuln.Vulnerability, 0, len(es))
		for i, e := range es {
			v, err := convert(e)
			if err != nil {
				return nil, fmt.Errorf("%s: [%d]: %v", name, i, err)
			}
			out = append(out, v)
		}
		return out, nil
	case bytes.HasPrefix(data, []byte("cveID,")) || bytes.HasPrefix(data, []byte("CVE,")):
		return decodeCSV(data, name)
	case c == 0:
		return nil, fmt.Errorf("%s: empty file, not an EU KEV list", name)
	}
	return nil, fmt.Errorf("%s: not an EU KEV list (neither a JSON array nor a CSV with a cveID or CVE header)", name)
}

// ReadFile reads an EU KEV file (see Decode).
func ReadFile(path string) ([]vuln.Vulnerability, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Decode(f, path, 0)
}

func decodeCSV(data []byte, name string) ([]vuln.Vulnerability, error) {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		switch h { // the first CSV used CVE and EUVD
		case "CVE":
			h = "cveID"
		case "EUVD":
			h = "euvdID"
		}
		col[h] = i
	}
	for _, c := range []string{"cveID", "euvdID", "dateReported"} {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("%s:1: column %q missing, not an EU KEV CSV", name, c)
		}
	}
	var out []vuln.Vulnerability
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%s:%d:%d: %v", name, pe.StartLine, pe.Column, pe.Err)
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		get := func(c string) string {
			if i, ok := col[c]; ok && i < len(rec) {
				if none(rec[i]) {
					return ""
				}
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		e := entryJSON{CVEID: get("cveID"), EUVDID: get("euvdID"), VendorProject: get("vendorProject"), Product: get("product"),
			VulnerabilityName: get("vulnerabilityName"), DateReported: get("dateReported"), PatchedSince: get("patchedSince"),
			OriginSource: get("originSource"), ShortDescription: get("shortDescription"), Notes: get("notes"),
			ExploitationType: clean(strings.Split(get("exploitationType"), ",")), ThreatActorsExploiting: clean(strings.Split(get("threatActorsExploiting"), ",")),
			CWEs: clean(strings.Split(get("cwes"), ","))}
		v, err := convert(e)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, line, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// ParseDate reads the EU KEV date forms YYYY/MM/DD, YYYY-MM-DD and DD/MM/YY; "-", "tbc" and ""
// are the zero time.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if none(s) {
		return time.Time{}, nil
	}
	for _, layout := range []string{"2006/01/02", "2006-01-02", "02/01/06", "2/1/06", "02/01/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	if t, err := feedutil.ParseTime(s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("unreadable date %q (want YYYY/MM/DD, YYYY-MM-DD or DD/MM/YY)", feedutil.Clip(s))
}

func convert(e entryJSON) (vuln.Vulnerability, error) {
	cve := strings.TrimSpace(e.CVEID)
	if !vuln.IsCVE(cve) {
		return vuln.Vulnerability{}, fmt.Errorf("cveID %q is not a CVE id", feedutil.Clip(e.CVEID))
	}
	k := vuln.EUKEV{EUVDID: strings.TrimSpace(e.EUVDID), VendorProject: e.VendorProject, Product: e.Product,
		OriginSource: e.OriginSource, ShortDescription: e.ShortDescription, ExploitationType: e.ExploitationType,
		ThreatActors: e.ThreatActorsExploiting, CWEs: e.CWEs, Notes: e.Notes}
	if !none(e.VulnerabilityName) {
		k.Name = e.VulnerabilityName
	}
	if none(k.Notes) {
		k.Notes = ""
	}
	var err error
	if k.DateReported, err = ParseDate(e.DateReported); err != nil {
		return vuln.Vulnerability{}, fmt.Errorf("%s: dateReported: %v", cve, err)
	}
	if k.DateReported.IsZero() {
		return vuln.Vulnerability{}, fmt.Errorf("%s: dateReported: missing", cve)
	}
	if k.PatchedSince, err = ParseDate(e.PatchedSince); err != nil {
		return vuln.Vulnerability{}, fmt.Errorf("%s: patchedSince: %v", cve, err)
	}
	v := vuln.Vulnerability{ID: cve, Summary: k.Name, Details: k.ShortDescription, CWE: k.CWEs, EUKEV: &k,
		Sources: []vuln.Source{{Kind: vuln.SourceEUKEV, ID: cve, Database: "EU KEV (EU CSIRTs Network / ENISA)"}}}
	if k.EUVDID != "" {
		v.Aliases = []string{k.EUVDID}
	}
	return v, nil
}

// LooksEUKEV reports whether the start of a file looks like the EU KEV list.
func LooksEUKEV(head []byte) bool {
	head = feedutil.TrimBOM(head)
	if bytes.HasPrefix(head, []byte("cveID,euvdID")) || bytes.HasPrefix(head, []byte("CVE,EUVD")) {
		return true
	}
	return feedutil.FirstByte(head) == '[' && bytes.Contains(head, []byte(`"euvdID"`))
}
