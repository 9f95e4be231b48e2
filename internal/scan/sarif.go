package scan

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/match"
	"github.com/vigil-med/vigil/internal/vuln"
)

// SARIF 2.1.0 (OASIS), the subset code-scanning tools read.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID               string         `json:"id"`
	Name             string         `json:"name,omitempty"`
	ShortDescription sarifText      `json:"shortDescription"`
	FullDescription  *sarifText     `json:"fullDescription,omitempty"`
	HelpURI          string         `json:"helpUri,omitempty"`
	Help             *sarifText     `json:"help,omitempty"`
	Properties       map[string]any `json:"properties,omitempty"`
}

type sarifResult struct {
	RuleID     string          `json:"ruleId"`
	RuleIndex  int             `json:"ruleIndex"`
	Level      string          `json:"level"`
	Message    sarifText       `json:"message"`
	Locations  []sarifLocation `json:"locations"`
	Properties map[string]any  `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifLogical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName,omitempty"`
	Kind               string `json:"kind"`
}

func sarifLevel(l vuln.Level) string {
	switch l {
	case vuln.Critical, vuln.High:
		return "error"
	case vuln.Medium:
		return "warning"
	}
	return "note"
}

// WriteSARIF writes the active findings as a SARIF 2.1.0 log: one rule per vulnerability (with
// GitHub's security-severity property), one result per component and vulnerability, located in
// the SBOM file and named by the component's purl or CPE.
func WriteSARIF(w io.Writer, r *Result) error {
	run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: r.Tool, Version: r.Version, InformationURI: "https://github.com/vigil-med/vigil", Rules: []sarifRule{}}},
		Results: []sarifResult{}}
	ruleIndex := map[string]int{}
	uri := r.SBOMName
	if uri == "" {
		uri = "sbom"
	}
	for i := range r.Findings {
		f := &r.Findings[i]
		if !f.Active() {
			continue
		}
		sev := Severity(f)
		ri, ok := ruleIndex[f.VulnID]
		if !ok {
			ri = len(run.Tool.Driver.Rules)
			ruleIndex[f.VulnID] = ri
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleOf(f, sev))
		}
		name := f.Package.PURL
		if name == "" {
			name = f.Package.CPE
		}
		if name == "" {
			name = componentName(f)
		}
		res := sarifResult{RuleID: f.VulnID, RuleIndex: ri, Level: sarifLevel(sev.Level),
			Message: sarifText{Text: f.Reason},
			Locations: []sarifLocation{{PhysicalLocation: &sarifPhysical{ArtifactLocation: sarifArtifact{URI: uri}},
				LogicalLocations: []sarifLogical{{Name: componentName(f), FullyQualifiedName: name, Kind: "package"}}}},
			Properties: map[string]any{"component": componentName(f), "version": componentVersion(f), "source": f.Source, "record": f.RecordID,
				"fixedVersions": nonNil(f.FixedVersions), "status": string(f.Status)}}
		run.Results = append(run.Results, res)
	}
	log := sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(log)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func sarifRuleOf(f *match.Finding, sev vuln.Severity) sarifRule {
	v := f.Vulnerability
	short := f.VulnID
	if v != nil && v.Summary != "" {
		short = v.Summary
	}
	rule := sarifRule{ID: f.VulnID, Name: strings.ReplaceAll(f.VulnID, "-", ""), ShortDescription: sarifText{Text: short},
		HelpURI: helpURI(f.VulnID), Properties: map[string]any{"tags": []string{"security", "vulnerability"}}}
	if v != nil && v.Details != "" {
		rule.FullDescription = &sarifText{Text: v.Details}
	}
	if sev.Score > 0 {
		rule.Properties["security-severity"] = strconv.FormatFloat(sev.Score, 'f', 1, 64)
	} else if s, ok := map[vuln.Level]string{vuln.Critical: "9.5", vuln.High: "8.0", vuln.Medium: "5.5", vuln.Low: "2.0"}[sev.Level]; ok {
		rule.Properties["security-severity"] = s
	}
	if v != nil {
		help := fmt.Sprintf("%s (aliases: %s)", f.VulnID, strings.Join(v.Aliases, ", "))
		if v.CISAKEV != nil {
			help += "; listed in CISA KEV since " + date(v.CISAKEV.DateAdded)
		}
		if v.EUKEV != nil {
			help += "; listed in the EU KEV list since " + date(v.EUKEV.DateReported)
		}
		rule.Help = &sarifText{Text: help}
	}
	return rule
}

// helpURI links a vulnerability id to its public record.
func helpURI(id string) string {
	switch {
	case vuln.IsCVE(id):
		return "https://nvd.nist.gov/vuln/detail/" + id
	case strings.HasPrefix(id, "GHSA-"):
		return "https://github.com/advisories/" + id
	case strings.HasPrefix(id, "GO-"):
		return "https://pkg.go.dev/vuln/" + id
	case strings.HasPrefix(id, "EUVD-"):
		return "https://euvd.enisa.europa.eu/vulnerability/" + id
	}
	return "https://osv.dev/vulnerability/" + id
}
