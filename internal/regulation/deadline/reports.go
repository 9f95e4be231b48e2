package deadline

import (
	_ "embed"
	"fmt"
	"slices"
	"sync"

	"github.com/goccy/go-yaml"
)

// Field is one item a report must (or may) contain.
type Field struct {
	ID    string `yaml:"id" json:"id"`
	Label string `yaml:"label" json:"label"`
	// Type is text, yes-no-unknown, datetime, number, list, member-states or choice.
	Type    string   `yaml:"type" json:"type"`
	Options []string `yaml:"options" json:"options,omitempty"` // for choice
	// Ref is the provision that asks for the field; empty when Basis is "practical".
	Ref string `yaml:"ref" json:"ref,omitempty"`
	// Basis is "practical" for fields the law does not ask for but report forms do.
	Basis string `yaml:"basis" json:"basis,omitempty"`
	// Required is true when the provision requires the field without "where applicable/available".
	Required bool `yaml:"required" json:"required"`
	// Prefill names the incident attribute that can fill the field (a hint for the incident module).
	Prefill string `yaml:"prefill" json:"prefill,omitempty"`
}

// ReportTemplate lists the contents of one report.
type ReportTemplate struct {
	ID string `yaml:"id" json:"id"`
	// Deadline is the deadline id the report answers (ids of Compute, or facts-file ids without a clock
	// such as nis2.23.interim, gdpr.34, cra.14.8).
	Deadline string   `yaml:"deadline" json:"deadline"`
	Regimes  []Regime `yaml:"regimes" json:"regimes"`
	Title    string   `yaml:"title" json:"title"`
	Basis    string   `yaml:"basis" json:"basis"`
	Note     string   `yaml:"note" json:"note,omitempty"`
	Fields   []Field  `yaml:"fields" json:"fields"`
}

// ReportSet is the versioned list of report templates.
type ReportSet struct {
	Version   string           `yaml:"version" json:"version"`
	Sources   []string         `yaml:"sources" json:"sources"`
	Templates []ReportTemplate `yaml:"templates" json:"templates"`
}

var fieldTypes = []string{"text", "yes-no-unknown", "datetime", "number", "list", "member-states", "choice"}

//go:embed data/reports.yaml
var reportsYAML []byte

// reports is loaded on first use, not at program start (every command, vigil scan included, would pay for it).
var reports = sync.OnceValue(func() ReportSet { return mustLoadReports(reportsYAML) })

func mustLoadReports(b []byte) ReportSet {
	rs, err := parseReports(b)
	if err != nil {
		panic("deadline: embedded data/reports.yaml: " + err.Error())
	}
	return rs
}

func parseReports(b []byte) (ReportSet, error) {
	var rs ReportSet
	if err := yaml.UnmarshalWithOptions(b, &rs, yaml.DisallowUnknownField()); err != nil {
		return ReportSet{}, err
	}
	seen := map[string]bool{}
	for i, t := range rs.Templates {
		where := fmt.Sprintf("templates[%d] (%s)", i, t.ID)
		if t.ID == "" || seen[t.ID] || t.Title == "" || t.Basis == "" || t.Deadline == "" || len(t.Fields) == 0 {
			return ReportSet{}, fmt.Errorf("%s: id (unique), title, basis, deadline and fields are required", where)
		}
		seen[t.ID] = true
		if len(t.Regimes) == 0 {
			return ReportSet{}, fmt.Errorf("%s: regimes: at least one", where)
		}
		for _, r := range t.Regimes {
			if _, err := ParseRegime(string(r)); err != nil {
				return ReportSet{}, fmt.Errorf("%s: regimes: %w", where, err)
			}
		}
		fids := map[string]bool{}
		for j, f := range t.Fields {
			fw := fmt.Sprintf("%s.fields[%d] (%s)", where, j, f.ID)
			if f.ID == "" || fids[f.ID] || f.Label == "" {
				return ReportSet{}, fmt.Errorf("%s: id (unique within the template) and label are required", fw)
			}
			fids[f.ID] = true
			if !slices.Contains(fieldTypes, f.Type) {
				return ReportSet{}, fmt.Errorf("%s: type %q is not one of %v", fw, f.Type, fieldTypes)
			}
			if (f.Ref == "") == (f.Basis == "") {
				return ReportSet{}, fmt.Errorf("%s: exactly one of ref and basis", fw)
			}
			if f.Basis != "" && f.Basis != "practical" {
				return ReportSet{}, fmt.Errorf("%s: basis must be \"practical\"", fw)
			}
			if (f.Type == "choice") != (len(f.Options) > 0) {
				return ReportSet{}, fmt.Errorf("%s: options belong to choice fields", fw)
			}
		}
	}
	return rs, nil
}

// Reports returns a copy of the report templates.
func Reports() ReportSet {
	rs := reports()
	rs.Sources = slices.Clone(reports().Sources)
	rs.Templates = slices.Clone(reports().Templates)
	return rs
}

// ReportsFor returns the templates of the given regime, in data order.
func ReportsFor(r Regime) []ReportTemplate {
	var out []ReportTemplate
	for _, t := range reports().Templates {
		if slices.Contains(t.Regimes, r) {
			out = append(out, t)
		}
	}
	return out
}

// ReportByID returns one template.
func ReportByID(id string) (ReportTemplate, bool) {
	for _, t := range reports().Templates {
		if t.ID == id {
			return t, true
		}
	}
	return ReportTemplate{}, false
}
