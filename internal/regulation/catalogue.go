package regulation

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"
)

// EvidenceKind names a kind of evidence Vigil can draw automatically from its own data for a measure.
type EvidenceKind string

// The automatic evidence kinds (figures defined in data/nis2-measures.yaml).
const (
	EvidenceAssetInventory  EvidenceKind = "asset-inventory-coverage" // Art 21(2)(i)
	EvidenceVulnHandling    EvidenceKind = "vulnerability-handling"   // Art 21(2)(e)
	EvidenceSupplierDisclos EvidenceKind = "supplier-disclosures"     // Art 21(2)(d)
	EvidenceTraining        EvidenceKind = "training-completion"      // Art 21(2)(g), 20(2)
	EvidenceMFA             EvidenceKind = "mfa-coverage"             // Art 21(2)(j)
	EvidenceIncidents       EvidenceKind = "incident-records"         // Art 21(2)(b)
)

// MaturityLevel is one step of the maturity scale, generic or measure-specific.
type MaturityLevel struct {
	Level int    `yaml:"level" json:"level"`
	Name  string `yaml:"name" json:"name,omitempty"`
	Text  string `yaml:"text" json:"text"`
}

// IR2690Heading maps a measure to a section of the Annex of Implementing Regulation (EU) 2024/2690.
// Headings are as given by two agreeing secondary sources (status S).
type IR2690Heading struct {
	Section string `yaml:"section" json:"section"`
	Heading string `yaml:"heading" json:"heading"`
	Sub     string `yaml:"sub" json:"sub,omitempty"`
}

// ISOControl maps a measure to an ISO/IEC 27001:2022 Annex A control. These mappings are unverified
// (the authors' correspondence by control title; see Catalogue.ISOStatus).
type ISOControl struct {
	Control string `yaml:"control" json:"control"`
	Title   string `yaml:"title" json:"title"`
}

// FigureDef defines one figure of an evidence kind.
type FigureDef struct {
	Name string `yaml:"name" json:"name"`
	Unit string `yaml:"unit" json:"unit"` // count, percent, days
	Text string `yaml:"text" json:"text"`
}

// EvidenceKindDef defines an automatic evidence kind: which measure it supports and which figures it has.
type EvidenceKindDef struct {
	Kind    EvidenceKind `yaml:"kind" json:"kind"`
	Measure string       `yaml:"measure" json:"measure"`
	Text    string       `yaml:"text" json:"text"`
	Figures []FigureDef  `yaml:"figures" json:"figures"`
}

// Measure is one NIS2 Art 20/21 measure of the catalogue.
type Measure struct {
	ID              string          `yaml:"id" json:"id"` // e.g. nis2.21.2.a
	Ref             string          `yaml:"ref" json:"ref"`
	Title           string          `yaml:"title" json:"title"`
	Text            string          `yaml:"text" json:"text"`
	Guidance        []string        `yaml:"guidance" json:"guidance"` // for hospitals
	Maturity        []MaturityLevel `yaml:"maturity" json:"maturity"` // levels 0-4, measure-specific
	IR2690          []IR2690Heading `yaml:"ir2690" json:"ir2690"`
	ISO27001        []ISOControl    `yaml:"iso27001" json:"iso27001"`
	Evidence        []EvidenceKind  `yaml:"evidence" json:"evidence,omitempty"` // automatic evidence kinds
	TypicalEvidence []string        `yaml:"typical_evidence" json:"typical_evidence"`
}

// Catalogue is the versioned NIS2 measures catalogue.
type Catalogue struct {
	Version       string            `yaml:"version" json:"version"`
	Sources       []string          `yaml:"sources" json:"sources"`
	MaturityScale []MaturityLevel   `yaml:"maturity_scale" json:"maturity_scale"`
	EvidenceKinds []EvidenceKindDef `yaml:"evidence_kinds" json:"evidence_kinds"`
	Measures      []Measure         `yaml:"measures" json:"measures"`
	// IR2690Status and ISOStatus give the verification status of the two mappings (S and U).
	IR2690Status string `yaml:"-" json:"ir2690_status"`
	ISOStatus    string `yaml:"-" json:"iso27001_status"`
}

// catalogue is loaded on first use, not at program start (every command, vigil scan included, would pay for it).
var catalogue = sync.OnceValue(func() Catalogue { return loadCatalogue() })

func loadCatalogue() Catalogue {
	var c Catalogue
	mustDecode("data/nis2-measures.yaml", &c)
	c.IR2690Status, c.ISOStatus = "S", "U"
	if err := c.validate(); err != nil {
		panic("regulation: embedded data/nis2-measures.yaml: " + err.Error())
	}
	return c
}

func (c Catalogue) validate() error {
	var errs []error
	if len(c.MaturityScale) != 5 {
		errs = append(errs, errors.New("maturity_scale: want levels 0-4"))
	}
	kinds := map[EvidenceKind]string{}
	for _, k := range c.EvidenceKinds {
		kinds[k.Kind] = k.Measure
		if len(k.Figures) == 0 {
			errs = append(errs, fmt.Errorf("evidence_kinds %s: no figures", k.Kind))
		}
	}
	seen := map[string]bool{}
	for i, m := range c.Measures {
		where := fmt.Sprintf("measures[%d] (%s)", i, m.ID)
		if m.ID == "" || seen[m.ID] || m.Ref == "" || m.Title == "" || len(m.Guidance) == 0 || len(m.IR2690) == 0 || len(m.ISO27001) == 0 {
			errs = append(errs, fmt.Errorf("%s: id (unique), ref, title, guidance, ir2690 and iso27001 are required", where))
		}
		seen[m.ID] = true
		if len(m.Maturity) != 5 {
			errs = append(errs, fmt.Errorf("%s: maturity: want levels 0-4", where))
		}
		for l, ml := range m.Maturity {
			if ml.Level != l || ml.Text == "" {
				errs = append(errs, fmt.Errorf("%s: maturity[%d]: want level %d with text", where, l, l))
			}
		}
		for _, k := range m.Evidence {
			if _, ok := kinds[k]; !ok {
				errs = append(errs, fmt.Errorf("%s: evidence kind %q not defined", where, k))
			}
		}
	}
	for k, m := range kinds {
		if !seen[m] {
			errs = append(errs, fmt.Errorf("evidence kind %s: measure %q not in the catalogue", k, m))
		}
	}
	return errors.Join(errs...)
}

// MeasureCatalogue returns a copy of the NIS2 measures catalogue.
func MeasureCatalogue() Catalogue {
	c := catalogue()
	c.Sources = slices.Clone(catalogue().Sources)
	c.MaturityScale = slices.Clone(catalogue().MaturityScale)
	c.EvidenceKinds = slices.Clone(catalogue().EvidenceKinds)
	c.Measures = slices.Clone(catalogue().Measures)
	return c
}

// MeasureByID returns one measure of the catalogue.
func MeasureByID(id string) (Measure, bool) {
	for _, m := range catalogue().Measures {
		if m.ID == id {
			return m, true
		}
	}
	return Measure{}, false
}

// EvidenceKindByName returns the definition of an evidence kind.
func EvidenceKindByName(k EvidenceKind) (EvidenceKindDef, bool) {
	for _, d := range catalogue().EvidenceKinds {
		if d.Kind == k {
			return d, true
		}
	}
	return EvidenceKindDef{}, false
}

// Figure is one measured value of automatic evidence.
type Figure struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
}

// Evidence is automatic evidence attached to a measure: its kind, the date the figures describe, the
// figures themselves and where they came from. It is never a bare "yes".
type Evidence struct {
	Kind    EvidenceKind `json:"kind"`
	Measure string       `json:"measure"`
	AsOf    time.Time    `json:"as_of"`
	Figures []Figure     `json:"figures"`
	Source  string       `json:"source"` // e.g. "vigil inventory", "vigil findings"
}

// Validate checks the evidence against its kind: the measure matches, the date is set, every figure is
// defined for the kind with its unit, finite, not negative, and percentages lie within 0-100.
func (e Evidence) Validate() error {
	def, ok := EvidenceKindByName(e.Kind)
	if !ok {
		return fmt.Errorf("evidence: unknown kind %q", e.Kind)
	}
	var errs []error
	if e.Measure != def.Measure {
		errs = append(errs, fmt.Errorf("evidence %s: measure %q, want %q", e.Kind, e.Measure, def.Measure))
	}
	if e.AsOf.IsZero() {
		errs = append(errs, fmt.Errorf("evidence %s: as_of is required", e.Kind))
	}
	if len(e.Figures) == 0 {
		errs = append(errs, fmt.Errorf("evidence %s: at least one figure is required", e.Kind))
	}
	for i, f := range e.Figures {
		j := slices.IndexFunc(def.Figures, func(d FigureDef) bool { return d.Name == f.Name })
		switch {
		case j < 0:
			errs = append(errs, fmt.Errorf("evidence %s: figures[%d]: %q is not a figure of this kind", e.Kind, i, f.Name))
		case def.Figures[j].Unit != f.Unit:
			errs = append(errs, fmt.Errorf("evidence %s: figures[%d] %s: unit %q, want %q", e.Kind, i, f.Name, f.Unit, def.Figures[j].Unit))
		case math.IsNaN(f.Value) || math.IsInf(f.Value, 0) || f.Value < 0:
			errs = append(errs, fmt.Errorf("evidence %s: figures[%d] %s: value %v out of range", e.Kind, i, f.Name, f.Value))
		case f.Unit == "percent" && f.Value > 100:
			errs = append(errs, fmt.Errorf("evidence %s: figures[%d] %s: %v %% exceeds 100", e.Kind, i, f.Name, f.Value))
		}
	}
	return errors.Join(errs...)
}

// Median is the middle of xs (the mean of the two middle values for an even count), a figure evidence
// texts quote; xs must not be empty.
func Median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
