package scan

import (
	"encoding/json"
	"io"
	"time"

	"github.com/vigil-med/vigil/internal/match"
)

// JSONSchema names the version of the JSON output; it changes when fields change meaning.
const JSONSchema = "https://vigil-med.eu/schemas/scan/v1"

type jsonReport struct {
	Schema   string        `json:"$schema"`
	Created  time.Time     `json:"created"`
	Tool     jsonTool      `json:"tool"`
	SBOM     jsonSBOM      `json:"sbom"`
	Summary  jsonSummary   `json:"summary"`
	Findings []jsonFinding `json:"findings"`
}

type jsonTool struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
}

type jsonSBOM struct {
	File           string `json:"file,omitempty"`
	Format         string `json:"format,omitempty"`
	SpecVersion    string `json:"specVersion,omitempty"`
	Serial         string `json:"serial,omitempty"`
	SubjectName    string `json:"subjectName,omitempty"`
	SubjectVersion string `json:"subjectVersion,omitempty"`
	Components     int    `json:"components"`
}

type jsonSummary struct {
	Findings   int            `json:"findings"`
	BySeverity map[string]int `json:"bySeverity"`
	CISAKEV    int            `json:"cisaKev"`
	EUKEV      int            `json:"euKev"`
	Suppressed int            `json:"suppressed"`
	Feeds      jsonFeeds      `json:"feeds"`
}

type jsonFeeds struct {
	Records         int `json:"records"`
	Vulnerabilities int `json:"vulnerabilities"`
}

// jsonFinding is one component × vulnerability. Flat, so `jq '.findings[] | .id'` works.
type jsonFinding struct {
	Component      string   `json:"component"`
	Version        string   `json:"version,omitempty"`
	PURL           string   `json:"purl,omitempty"`
	CPE            string   `json:"cpe,omitempty"`
	Ref            string   `json:"ref,omitempty"`
	ID             string   `json:"id"`
	Aliases        []string `json:"aliases"`
	Summary        string   `json:"summary,omitempty"`
	Severity       string   `json:"severity"`
	Score          float64  `json:"score,omitempty"`
	Vector         string   `json:"vector,omitempty"`
	SeveritySource string   `json:"severitySource,omitempty"`
	CWE            []string `json:"cwe,omitempty"`
	KEV            bool     `json:"kev"`
	KEVDateAdded   string   `json:"kevDateAdded,omitempty"`
	KEVDueDate     string   `json:"kevDueDate,omitempty"`
	KEVRansomware  bool     `json:"kevRansomware,omitempty"`
	EUKEV          bool     `json:"euKev"`
	EUKEVDate      string   `json:"euKevDateReported,omitempty"`
	EPSS           *float64 `json:"epss,omitempty"`
	EPSSPercentile *float64 `json:"epssPercentile,omitempty"`
	FixedVersions  []string `json:"fixedVersions"`
	Source         string   `json:"source"`
	Record         string   `json:"record,omitempty"`
	Matcher        string   `json:"matcher"`
	Reason         string   `json:"reason"`
	OtherReasons   []string `json:"otherReasons,omitempty"`
	Status         string   `json:"status"`
	VEX            *jsonVEX `json:"vex,omitempty"`
	Confidence     float64  `json:"confidence"`
	Guessed        bool     `json:"guessed,omitempty"`
}

type jsonVEX struct {
	Status          string    `json:"status"`
	Justification   string    `json:"justification,omitempty"`
	ImpactStatement string    `json:"impactStatement,omitempty"`
	ActionStatement string    `json:"actionStatement,omitempty"`
	Origin          string    `json:"origin"`
	Source          string    `json:"source,omitempty"`
	Timestamp       time.Time `json:"timestamp,omitzero"`
	ComponentLevel  bool      `json:"componentLevel"`
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

func toJSONFinding(f *match.Finding) jsonFinding {
	sev := Severity(f)
	j := jsonFinding{Component: componentName(f), Version: componentVersion(f), PURL: f.Package.PURL, CPE: f.Package.CPE, Ref: f.Package.Ref,
		ID: f.VulnID, Aliases: []string{}, Severity: sev.Level.String(), Score: sev.Score, Vector: sev.Vector, SeveritySource: sev.Source,
		FixedVersions: f.FixedVersions, Source: f.Source, Record: f.RecordID, Matcher: f.Matcher, Reason: f.Reason,
		OtherReasons: f.OtherReasons, Status: string(f.Status), Confidence: f.Confidence, Guessed: f.Guessed}
	if j.FixedVersions == nil {
		j.FixedVersions = []string{}
	}
	if v := f.Vulnerability; v != nil {
		if v.Aliases != nil {
			j.Aliases = v.Aliases
		}
		j.Summary = v.Summary
		j.CWE = v.CWE
		if k := v.CISAKEV; k != nil {
			j.KEV, j.KEVDateAdded, j.KEVDueDate, j.KEVRansomware = true, date(k.DateAdded), date(k.DueDate), k.Ransomware()
		}
		if k := v.EUKEV; k != nil {
			j.EUKEV, j.EUKEVDate = true, date(k.DateReported)
		}
		if e := v.EPSS; e != nil {
			score, pct := e.Score, e.Percentile
			j.EPSS, j.EPSSPercentile = &score, &pct
		}
	}
	if d := f.VEX; d != nil {
		j.VEX = &jsonVEX{Status: string(d.Status), Justification: string(d.Justification), ImpactStatement: d.ImpactStatement,
			ActionStatement: d.ActionStatement, Origin: string(d.Origin), Source: d.Source, Timestamp: d.Timestamp, ComponentLevel: d.ComponentLevel}
	}
	return j
}

// WriteJSON writes the scan as JSON: a header (tool, SBOM, summary) and one entry per component
// and vulnerability.
func WriteJSON(w io.Writer, r *Result) error {
	s := summarize(r)
	rep := jsonReport{Schema: JSONSchema, Created: r.Created, Tool: jsonTool{Name: r.Tool, Version: r.Version},
		SBOM: jsonSBOM{File: r.SBOMName, Format: string(r.Document.Format), SpecVersion: r.Document.SpecVersion, Serial: r.Document.Serial,
			Components: len(r.Document.Components)},
		Summary: jsonSummary{Findings: s.total, BySeverity: map[string]int{}, CISAKEV: s.kev, EUKEV: s.eukev, Suppressed: s.suppressed,
			Feeds: jsonFeeds{Records: r.Index.Records, Vulnerabilities: r.Index.Vulnerabilities}},
		Findings: make([]jsonFinding, 0, len(r.Findings))}
	if sub := r.Document.Subject; sub != nil {
		rep.SBOM.SubjectName, rep.SBOM.SubjectVersion = sub.Name, sub.Version
	}
	for l, n := range s.byLevel {
		if n > 0 {
			rep.Summary.BySeverity[levelName(l)] = n
		}
	}
	for i := range r.Findings {
		rep.Findings = append(rep.Findings, toJSONFinding(&r.Findings[i]))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(rep)
}
