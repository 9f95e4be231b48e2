// Package osv reads OSV vulnerability records (schema 1.x, https://ossf.github.io/osv-schema/):
// a single JSON record, a JSON array of records, an osv.dev query result ({"vulns": [...]}), a
// folder of JSON files (such as data/osv of the Go module golang.org/x/vulndb) and an ecosystem
// all.zip export. Records are returned as vuln.Vulnerability values, one per record, with their
// provenance; withdrawn records are kept and marked. Nothing is written anywhere.
package osv

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/feeds/internal/feedutil"
	"github.com/vigil-med/vigil/internal/vuln"
)

// Limits bound what a reader accepts. The zero value of a field means its default.
type Limits struct {
	MaxRecordBytes int64 // one JSON document; default 32 MiB
	MaxRecords     int   // records in one call; default 2,000,000
	MaxZipEntries  int   // entries of a zip archive; default 1,000,000
	MaxZipTotal    int64 // total uncompressed size of a zip archive; default 8 GiB
	MaxZipRatio    int64 // uncompressed/compressed size of one zip entry over 64 KiB; default 200
	MaxDepth       int   // JSON nesting; default 64
}

func (l Limits) withDefaults() Limits {
	if l.MaxRecordBytes <= 0 {
		l.MaxRecordBytes = 32 << 20
	}
	if l.MaxRecords <= 0 {
		l.MaxRecords = 2_000_000
	}
	if l.MaxZipEntries <= 0 {
		l.MaxZipEntries = 1_000_000
	}
	if l.MaxZipTotal <= 0 {
		l.MaxZipTotal = 8 << 30
	}
	if l.MaxZipRatio <= 0 {
		l.MaxZipRatio = 200
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = 64
	}
	return l
}

// record is the OSV schema 1.x record, as far as Vigil uses it.
type record struct {
	SchemaVersion    string          `json:"schema_version"`
	ID               string          `json:"id"`
	Modified         string          `json:"modified"`
	Published        string          `json:"published"`
	Withdrawn        string          `json:"withdrawn"`
	Aliases          []string        `json:"aliases"`
	Related          []string        `json:"related"`
	Upstream         []string        `json:"upstream"`
	Summary          string          `json:"summary"`
	Details          string          `json:"details"`
	Severity         []severity      `json:"severity"`
	Affected         []affected      `json:"affected"`
	References       []reference     `json:"references"`
	DatabaseSpecific json.RawMessage `json:"database_specific"`
}

type severity struct {
	Type  string `json:"type"`
	Score string `json:"score"`
}

type affected struct {
	Package struct {
		Ecosystem string `json:"ecosystem"`
		Name      string `json:"name"`
		PURL      string `json:"purl"`
	} `json:"package"`
	Severity         []severity      `json:"severity"`
	Ranges           []rangeJSON     `json:"ranges"`
	Versions         []string        `json:"versions"`
	DatabaseSpecific json.RawMessage `json:"database_specific"`
}

type rangeJSON struct {
	Type   string      `json:"type"`
	Repo   string      `json:"repo"`
	Events []eventJSON `json:"events"`
}

type eventJSON struct {
	Introduced   *string `json:"introduced"`
	Fixed        *string `json:"fixed"`
	LastAffected *string `json:"last_affected"`
	Limit        *string `json:"limit"`
}

type reference struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

type dbSpecific struct {
	Severity string   `json:"severity"`
	CWEIDs   []string `json:"cwe_ids"`
}

// Parse reads one OSV record (a JSON object). name is used in error messages.
func Parse(data []byte, name string) (vuln.Vulnerability, error) {
	data = feedutil.TrimBOM(data)
	if err := feedutil.CheckDepth(name, data, 64); err != nil {
		return vuln.Vulnerability{}, err
	}
	var r record
	if err := json.Unmarshal(data, &r); err != nil {
		return vuln.Vulnerability{}, feedutil.JSONError(name, data, err)
	}
	return convert(&r, name)
}

// Decode reads r as one record, a JSON array of records or an osv.dev result {"vulns": [...]}.
func Decode(r io.Reader, name string, lim Limits) ([]vuln.Vulnerability, error) {
	lim = lim.withDefaults()
	data, err := feedutil.ReadAll(r, lim.MaxRecordBytes, name)
	if err != nil {
		return nil, err
	}
	return decodeBytes(data, name, lim)
}

func decodeBytes(data []byte, name string, lim Limits) ([]vuln.Vulnerability, error) {
	data = feedutil.TrimBOM(data)
	if err := feedutil.CheckDepth(name, data, lim.MaxDepth); err != nil {
		return nil, err
	}
	switch feedutil.FirstByte(data) {
	case '[':
		var raws []json.RawMessage
		if err := json.Unmarshal(data, &raws); err != nil {
			return nil, feedutil.JSONError(name, data, err)
		}
		return convertAll(raws, name, lim)
	case '{':
		var probe struct {
			Vulns []json.RawMessage `json:"vulns"`
			ID    *string           `json:"id"`
		}
		if err := json.Unmarshal(data, &probe); err != nil {
			return nil, feedutil.JSONError(name, data, err)
		}
		if probe.ID == nil && probe.Vulns != nil {
			return convertAll(probe.Vulns, name+": vulns", lim)
		}
		v, err := Parse(data, name)
		if err != nil {
			return nil, err
		}
		return []vuln.Vulnerability{v}, nil
	case 0:
		return nil, fmt.Errorf("%s: empty file, not an OSV record", name)
	}
	return nil, fmt.Errorf("%s: not an OSV record: does not start with a JSON object or array", name)
}

func convertAll(raws []json.RawMessage, name string, lim Limits) ([]vuln.Vulnerability, error) {
	if len(raws) > lim.MaxRecords {
		return nil, fmt.Errorf("%s: %w: %d records, limit %d", name, feedutil.ErrTooLarge, len(raws), lim.MaxRecords)
	}
	out := make([]vuln.Vulnerability, 0, len(raws))
	for i, raw := range raws {
		v, err := Parse(raw, fmt.Sprintf("%s[%d]", name, i))
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// ReadFile reads an OSV JSON file (see Decode) or, when path ends in .zip, an OSV zip export.
func ReadFile(path string, lim Limits) ([]vuln.Vulnerability, error) {
	if strings.HasSuffix(strings.ToLower(path), ".zip") {
		return ReadZipFile(path, lim)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Decode(f, path, lim)
}

func convert(r *record, name string) (vuln.Vulnerability, error) {
	if r.SchemaVersion != "" && !strings.HasPrefix(r.SchemaVersion, "1.") && r.SchemaVersion != "1" {
		return vuln.Vulnerability{}, fmt.Errorf("%s: schema_version %q: only OSV schema 1.x is supported", name, feedutil.Clip(r.SchemaVersion))
	}
	if strings.TrimSpace(r.ID) == "" {
		return vuln.Vulnerability{}, fmt.Errorf("%s: id: missing, not an OSV record", name)
	}
	at := func(field string) string { return fmt.Sprintf("%s: %s: %s", name, r.ID, field) }
	var v vuln.Vulnerability
	var err error
	v.ID = strings.TrimSpace(r.ID)
	v.Aliases = cleanIDs(r.Aliases, v.ID)
	v.Related = cleanIDs(append(r.Related, r.Upstream...), v.ID)
	v.Summary = r.Summary
	v.Details = r.Details
	if v.Modified, err = feedutil.ParseTime(r.Modified); err != nil {
		return v, fmt.Errorf("%s: %v", at("modified"), err)
	}
	if v.Published, err = feedutil.ParseTime(r.Published); err != nil {
		return v, fmt.Errorf("%s: %v", at("published"), err)
	}
	if v.Withdrawn, err = feedutil.ParseTime(r.Withdrawn); err != nil {
		return v, fmt.Errorf("%s: %v", at("withdrawn"), err)
	}
	if r.Withdrawn != "" && v.Withdrawn.IsZero() {
		v.Withdrawn = time.Unix(0, 0).UTC()
	}
	for i, s := range r.Severity {
		sev, err := convertSeverity(s, v.ID)
		if err != nil {
			return v, fmt.Errorf("%s: %v", at(fmt.Sprintf("severity[%d]", i)), err)
		}
		v.Severity = append(v.Severity, sev)
	}
	var db dbSpecific
	if len(r.DatabaseSpecific) > 0 && r.DatabaseSpecific[0] == '{' {
		_ = json.Unmarshal(r.DatabaseSpecific, &db) // database_specific is free-form; use it only when it fits
	}
	if db.Severity != "" {
		if l, err := vuln.ParseLevel(db.Severity); err == nil && l != vuln.Unknown {
			v.Severity = append(v.Severity, vuln.Severity{Type: vuln.Rating, Level: l, Source: v.ID + " (database_specific)"})
		}
	}
	for _, c := range db.CWEIDs {
		if c = strings.TrimSpace(c); c != "" {
			v.CWE = append(v.CWE, c)
		}
	}
	for i, a := range r.Affected {
		pa := at(fmt.Sprintf("affected[%d]", i))
		if a.Package.Ecosystem == "" && a.Package.Name == "" && a.Package.PURL == "" && len(a.Ranges) == 0 {
			return v, fmt.Errorf("%s: no package and no ranges", pa)
		}
		out := vuln.Affected{
			Ecosystem: strings.TrimSpace(a.Package.Ecosystem),
			Name:      strings.TrimSpace(a.Package.Name),
			PURL:      strings.TrimSpace(a.Package.PURL),
			Versions:  a.Versions,
			Source:    v.ID,
		}
		for j, rg := range a.Ranges {
			pr := fmt.Sprintf("%s.ranges[%d]", pa, j)
			typ := strings.ToUpper(strings.TrimSpace(rg.Type))
			switch typ {
			case "SEMVER", "ECOSYSTEM", "GIT":
			default:
				return v, fmt.Errorf("%s.type: %q is not SEMVER, ECOSYSTEM or GIT", pr, feedutil.Clip(rg.Type))
			}
			vr := vuln.Range{Type: typ, Repo: rg.Repo}
			for k, raw := range rg.Events {
				ev, err := convertEvent(raw)
				if err != nil {
					return v, fmt.Errorf("%s.events[%d]: %v", pr, k, err)
				}
				vr.Events = append(vr.Events, ev)
			}
			out.Ranges = append(out.Ranges, vr)
		}
		for k, s := range a.Severity {
			sev, err := convertSeverity(s, v.ID)
			if err != nil {
				return v, fmt.Errorf("%s.severity[%d]: %v", pa, k, err)
			}
			v.Severity = append(v.Severity, sev)
		}
		v.Affected = append(v.Affected, out)
	}
	for _, ref := range r.References {
		if ref.URL != "" {
			v.References = append(v.References, vuln.Reference{Type: ref.Type, URL: ref.URL})
		}
	}
	v.Sources = []vuln.Source{{Kind: vuln.SourceOSV, ID: v.ID, Database: databaseOf(v.ID), Modified: v.Modified, Withdrawn: v.Withdrawn}}
	return v, nil
}

func convertEvent(e eventJSON) (vuln.Event, error) {
	var found []vuln.Event
	for _, c := range []struct {
		kind vuln.EventKind
		v    *string
	}{{vuln.Introduced, e.Introduced}, {vuln.Fixed, e.Fixed}, {vuln.LastAffected, e.LastAffected}, {vuln.Limit, e.Limit}} {
		if c.v == nil {
			continue
		}
		if strings.TrimSpace(*c.v) == "" {
			return vuln.Event{}, fmt.Errorf("%s: empty version", c.kind)
		}
		found = append(found, vuln.Event{Kind: c.kind, Version: strings.TrimSpace(*c.v)})
	}
	switch len(found) {
	case 0:
		return vuln.Event{}, fmt.Errorf("event has none of introduced, fixed, last_affected, limit")
	case 1:
		return found[0], nil
	}
	return vuln.Event{}, fmt.Errorf("event has %d kinds, OSV allows one", len(found))
}

func convertSeverity(s severity, id string) (vuln.Severity, error) {
	switch strings.ToUpper(s.Type) {
	case "CVSS_V2", "CVSS_V3", "CVSS_V4":
		if strings.TrimSpace(s.Score) == "" {
			return vuln.Severity{}, fmt.Errorf("%s score is empty", s.Type)
		}
		return vuln.NewSeverity(strings.TrimSpace(s.Score), id), nil
	}
	// Ubuntu and other qualitative types: a level word when readable, otherwise unknown.
	l, _ := vuln.ParseLevel(s.Score)
	return vuln.Severity{Type: vuln.Rating, Level: l, Source: id + " (" + s.Type + ")"}, nil
}

func cleanIDs(ids []string, self string) []string {
	var out []string
	seen := map[string]bool{vuln.NormID(self): true}
	for _, id := range ids {
		id = strings.TrimSpace(id)
		n := vuln.NormID(id)
		if id == "" || seen[n] {
			continue
		}
		seen[n] = true
		out = append(out, id)
	}
	return out
}

// databaseOf names the database an OSV id prefix belongs to; "" when unknown.
func databaseOf(id string) string {
	prefix, _, _ := strings.Cut(id, "-")
	switch strings.ToUpper(prefix) {
	case "GO":
		return "Go Vulnerability Database"
	case "GHSA":
		return "GitHub Advisory Database"
	case "PYSEC":
		return "PyPA Advisory Database"
	case "RUSTSEC":
		return "RustSec Advisory Database"
	case "DSA", "DLA", "DTSA":
		return "Debian Security Tracker"
	case "USN", "UBUNTU":
		return "Ubuntu Security Notices"
	case "ALSA", "ALBA", "ALEA":
		return "AlmaLinux"
	case "RHSA", "RHBA", "RHEA":
		return "Red Hat"
	case "OSV":
		return "OSS-Fuzz"
	case "MAL":
		return "OpenSSF Malicious Packages"
	case "GSD":
		return "Global Security Database"
	}
	return ""
}

// isRecord reports whether data looks like an OSV record (used by format detection).
func isRecord(data []byte) bool {
	return bytes.Contains(data, []byte(`"id"`)) && (bytes.Contains(data, []byte(`"affected"`)) ||
		bytes.Contains(data, []byte(`"schema_version"`)) || bytes.Contains(data, []byte(`"modified"`)))
}

// Looks reports whether the start of a file looks like OSV JSON (one record, an array of
// records or an osv.dev result); feeds.Detect uses it.
func Looks(head []byte) bool {
	c := feedutil.FirstByte(head)
	if c != '{' && c != '[' {
		return false
	}
	if bytes.Contains(head, []byte(`"vulns"`)) {
		return true
	}
	return isRecord(head) && !bytes.Contains(head, []byte(`"sourceIdentifier"`)) && !bytes.Contains(head, []byte(`"enisaUuid"`))
}
