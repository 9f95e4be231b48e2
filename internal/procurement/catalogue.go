// Package procurement puts cybersecurity into tenders and cloud-service choices: a catalogue of requirements
// with their sources (ENISA procurement good practices, MDS2, MDR/IVDR, CRA, NTIA, NIS2), a deterministic
// scoring engine that scores vendors automatically where their evidence decides (MDS2 answers, SBOM checks,
// the returned questionnaire, a cloud assessment) and leaves the rest to evaluators, knock-outs and ranking,
// the vendor questionnaire (xlsx, re-importable), the tender annex and award report (PDF), commitments
// tracked after award, and the figures NIS2 Art 21(2)(d) supply-chain evidence needs.
//
// The engine (Evaluate) is pure: it takes values and returns values. Functions that read or write the
// store (tenders, bids, catalogues, commitments, cloud services) live in service.go and take a store scope.
package procurement

import (
	"embed"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"

	"github.com/vigil-med/vigil/internal/mds2"
)

//go:embed data/*.yaml
var dataFS embed.FS

// Catalogue names of the built-in catalogues.
const (
	CatalogueDevice = "default" // medical devices and health IT
	CatalogueCloud  = "cloud"   // cloud and SaaS services
)

// Kinds of catalogue (and of tender).
const (
	KindDevice = "device"
	KindCloud  = "cloud"
)

// Answer types of the questionnaire. Numeric types are scored against a criterion rule's Full and Zero
// thresholds: days and hours are better when lower, percent and date (years from the evaluation day) when
// higher.
const (
	AnswerYesNo   = "yes-no"
	AnswerDate    = "date"
	AnswerDays    = "days"
	AnswerHours   = "hours"
	AnswerPercent = "percent"
	AnswerText    = "text"
)

// Commitment kinds a criterion turns into after award.
const (
	CommitSupportEnd     = "support-end"           // security updates until a date
	CommitPatchDays      = "patch-days"            // update or mitigation within N days of a critical/KEV vulnerability
	CommitSBOMDelivery   = "sbom-delivery"         // SBOM at delivery and with every release
	CommitVEXDelivery    = "vex-delivery"          // VEX statements for SBOM components
	CommitCSAFAdvisories = "csaf-advisories"       // advisories as CSAF 2.0
	CommitCVD            = "cvd"                   // CVD policy and security contact
	CommitIncidentNotice = "incident-notification" // incident notification within N hours (cloud)
)

// SBOM checks a rule may name.
const (
	SBOMPresent = "present" // an SBOM in a standard format was delivered
	SBOMNTIA    = "ntia"    // NTIA minimum elements
	SBOMEOL     = "eol"     // no end-of-life components (lifecycle, endoflife.date)
	SBOMVulns   = "vulns"   // known vulnerabilities and KEV (VulnChecker)
)

// Source is a document the catalogue cites.
type Source struct {
	ID        string `yaml:"id" json:"id"`
	Short     string `yaml:"short" json:"short"` // e.g. "CRA", "MDS2"
	Title     string `yaml:"title" json:"title"`
	Publisher string `yaml:"publisher" json:"publisher"`
	Version   string `yaml:"version" json:"version"`
	URL       string `yaml:"url" json:"url,omitempty"`
	Note      string `yaml:"note" json:"note,omitempty"`
}

// Ref cites one place of a source.
type Ref struct {
	Source string `yaml:"source" json:"source"` // Source.ID
	Ref    string `yaml:"ref" json:"ref"`       // "Annex I Part I (2)(d)", "enisa.proc.mng.02", "AUTH-1, PAUT-1"
}

// Practice is one ENISA procurement good practice with the criteria that put it into a tender.
type Practice struct {
	ID       string   `yaml:"id" json:"id"`
	Phase    string   `yaml:"phase" json:"phase"` // general, plan, source, manage
	Title    string   `yaml:"title" json:"title"`
	Criteria []string `yaml:"criteria" json:"criteria"`
	Hospital string   `yaml:"hospital" json:"hospital,omitempty"` // what the hospital itself does
}

// Scale is the scoring scale: whole scores from 0 to Max, with a label per step.
type Scale struct {
	Max    int      `yaml:"max" json:"max"`
	Labels []string `yaml:"labels" json:"labels,omitempty"`
}

// Label returns the label of a score ("fully met"), or the number when the scale has no label for it.
func (s Scale) Label(score int) string {
	if score >= 0 && score < len(s.Labels) {
		return s.Labels[score]
	}
	return fmt.Sprint(score)
}

// QuestionRule is one MDS2 question of an mds2 rule.
type QuestionRule struct {
	Q        string  `yaml:"q" json:"q"`                               // question id
	W        float64 `yaml:"w" json:"w,omitempty"`                     // points (default 1)
	Invert   bool    `yaml:"invert" json:"invert,omitempty"`           // No earns the points
	Required bool    `yaml:"required" json:"required,omitempty"`       // the wrong answer gives the criterion 0
	NAMet    bool    `yaml:"na_counts_as_met" json:"na_met,omitempty"` // N/A earns the points instead of dropping out
}

func (q QuestionRule) weight() float64 {
	if q.W <= 0 {
		return 1
	}
	return q.W
}

// Rule is one way evidence can decide a criterion. Exactly one of MDS2, Fact, Questionnaire, SBOM or Cloud
// is set.
type Rule struct {
	MDS2          []QuestionRule `yaml:"mds2" json:"mds2,omitempty"`
	Fact          string         `yaml:"fact" json:"fact,omitempty"`                   // an mds2 fact name
	Caveat        float64        `yaml:"caveat" json:"caveat,omitempty"`               // share when the fact holds with a caveat (0: full)
	Questionnaire string         `yaml:"questionnaire" json:"questionnaire,omitempty"` // an Answer* type
	SBOM          string         `yaml:"sbom" json:"sbom,omitempty"`                   // an SBOM* check
	Cloud         string         `yaml:"cloud" json:"cloud,omitempty"`                 // a cloud check
	Full          float64        `yaml:"full" json:"full,omitempty"`                   // numeric answers: value earning the full score
	Zero          float64        `yaml:"zero" json:"zero,omitempty"`                   // numeric answers: value earning 0
	Cap           float64        `yaml:"cap" json:"cap,omitempty"`                     // highest share the rule gives (0: 1)
	Note          string         `yaml:"note" json:"note,omitempty"`                   // said in the comment when the rule decides
}

// Condition makes a criterion not applicable, e.g. encryption at rest for a device that stores no personal
// data: an MDS2 answer (Q with an mds2.Value such as "no") or a fact (Fact with an mds2.Truth such as
// "not-applicable").
type Condition struct {
	Q     string `yaml:"q" json:"q,omitempty"`
	Fact  string `yaml:"fact" json:"fact,omitempty"`
	Value string `yaml:"value" json:"value"`
}

// Criterion is one requirement of a catalogue.
type Criterion struct {
	ID          string  `yaml:"id" json:"id"`
	Group       string  `yaml:"group" json:"group"`
	Title       string  `yaml:"title" json:"title"`
	Requirement string  `yaml:"requirement" json:"requirement"` // the text for the tender annex
	Question    string  `yaml:"question" json:"question"`       // the question in the vendor questionnaire
	Answer      string  `yaml:"answer" json:"answer"`           // expected questionnaire answer (Answer*)
	Evidence    string  `yaml:"evidence" json:"evidence"`       // the evidence expected (editable per organisation)
	Weight      float64 `yaml:"weight" json:"weight"`           // editable; 0 leaves the criterion out of totals
	Must        bool    `yaml:"must" json:"must"`               // knock-out: a score of 0 excludes the vendor
	Default     bool    `yaml:"default" json:"default"`         // chosen for new tenders
	Commitment  string  `yaml:"commitment" json:"commitment,omitempty"`
	Refs        []Ref   `yaml:"refs" json:"refs"`
	Rules       []Rule  `yaml:"rules" json:"rules,omitempty"`
	// Context lists MDS2 questions shown with the evidence without deciding the score.
	Context         []string    `yaml:"context" json:"context,omitempty"`
	NotApplicableIf []Condition `yaml:"not_applicable_if" json:"not_applicable_if,omitempty"`
}

// ENISA returns the ENISA good-practice ids the criterion cites.
func (c Criterion) ENISA() []string {
	var out []string
	for _, r := range c.Refs {
		if r.Source == "enisa-proc-2020" {
			out = append(out, r.Ref)
		}
	}
	return out
}

// Automatic reports whether some rule of the criterion can decide it from evidence.
func (c Criterion) Automatic() bool { return len(c.Rules) > 0 }

// Catalogue is a set of criteria with its scale and sources. The built-in catalogues are embedded data;
// an organisation's catalogue is a versioned copy with its own weights, knock-outs, scale and evidence.
type Catalogue struct {
	Name      string      `yaml:"name" json:"name"`       // CatalogueDevice or CatalogueCloud
	Kind      string      `yaml:"kind" json:"kind"`       // KindDevice or KindCloud
	Title     string      `yaml:"title" json:"title"`     //
	Version   string      `yaml:"version" json:"version"` // built-in version, e.g. "2026.1"
	Scale     Scale       `yaml:"scale" json:"scale"`
	Criteria  []Criterion `yaml:"criteria" json:"criteria"`
	Sources   []Source    `yaml:"-" json:"sources"`
	Practices []Practice  `yaml:"-" json:"practices,omitempty"`
}

// Criterion returns the criterion with the id.
func (c *Catalogue) Criterion(id string) (Criterion, bool) {
	for _, cr := range c.Criteria {
		if cr.ID == id {
			return cr, true
		}
	}
	return Criterion{}, false
}

// Source returns the cited source with the id.
func (c *Catalogue) Source(id string) (Source, bool) {
	for _, s := range c.Sources {
		if s.ID == id {
			return s, true
		}
	}
	return Source{}, false
}

// Select returns a copy of the catalogue with only the criteria whose ids are given, in catalogue order.
// Unknown ids are an error naming them.
func (c *Catalogue) Select(ids []string) (*Catalogue, error) {
	want := map[string]bool{}
	for _, id := range ids {
		if _, ok := c.Criterion(id); !ok {
			return nil, fmt.Errorf("criterion %q is not in catalogue %q", id, c.Name)
		}
		want[id] = true
	}
	out := c.Clone()
	out.Criteria = slices.DeleteFunc(out.Criteria, func(cr Criterion) bool { return !want[cr.ID] })
	return out, nil
}

// Defaults returns the ids of the criteria chosen for new tenders.
func (c *Catalogue) Defaults() []string {
	var out []string
	for _, cr := range c.Criteria {
		if cr.Default {
			out = append(out, cr.ID)
		}
	}
	return out
}

// Clone returns a deep copy.
func (c *Catalogue) Clone() *Catalogue {
	out := *c
	out.Scale.Labels = slices.Clone(c.Scale.Labels)
	out.Sources = slices.Clone(c.Sources)
	out.Practices = slices.Clone(c.Practices)
	out.Criteria = make([]Criterion, len(c.Criteria))
	for i, cr := range c.Criteria {
		cr.Refs = slices.Clone(cr.Refs)
		cr.Context = slices.Clone(cr.Context)
		cr.NotApplicableIf = slices.Clone(cr.NotApplicableIf)
		cr.Rules = slices.Clone(cr.Rules)
		for j := range cr.Rules {
			cr.Rules[j].MDS2 = slices.Clone(cr.Rules[j].MDS2)
		}
		out.Criteria[i] = cr
	}
	return &out
}

// Validate checks a catalogue: ids unique, weights finite and not negative, scale 1–10 with at most one label
// per step, known answer types, rules well-formed (MDS2 ids and fact names exist, checks known), refs to
// known sources. Errors name the criterion.
func (c *Catalogue) Validate() error {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	if c.Kind != KindDevice && c.Kind != KindCloud {
		bad("kind %q: want %q or %q", c.Kind, KindDevice, KindCloud)
	}
	if c.Scale.Max < 1 || c.Scale.Max > 10 {
		bad("scale: max %d out of range 1–10", c.Scale.Max)
	}
	if len(c.Scale.Labels) > c.Scale.Max+1 {
		bad("scale: %d labels for %d steps", len(c.Scale.Labels), c.Scale.Max+1)
	}
	if len(c.Criteria) == 0 {
		bad("no criteria")
	}
	facts := map[string]bool{}
	for _, d := range mds2.FactDefinitions() {
		facts[d.Name] = true
	}
	sources := map[string]bool{}
	for _, s := range c.Sources {
		sources[s.ID] = true
	}
	seen := map[string]bool{}
	for i, cr := range c.Criteria {
		where := fmt.Sprintf("criteria[%d] %s", i, cr.ID)
		switch {
		case cr.ID == "":
			bad("criteria[%d]: id is required", i)
		case seen[cr.ID]:
			bad("%s: duplicate id", where)
		}
		seen[cr.ID] = true
		if strings.TrimSpace(cr.Title) == "" {
			bad("%s: title is required", where)
		}
		if math.IsNaN(cr.Weight) || math.IsInf(cr.Weight, 0) || cr.Weight < 0 || cr.Weight > 100 {
			bad("%s: weight %v out of range 0–100", where, cr.Weight)
		}
		if !validAnswer(cr.Answer) {
			bad("%s: answer type %q unknown", where, cr.Answer)
		}
		for _, r := range cr.Refs {
			if len(sources) > 0 && !sources[r.Source] {
				bad("%s: ref to unknown source %q", where, r.Source)
			}
		}
		for _, id := range cr.Context {
			if _, ok := mds2.CanonicalID(id); !ok {
				bad("%s: context: %q is not an MDS2 question", where, id)
			}
		}
		for _, cond := range cr.NotApplicableIf {
			switch {
			case cond.Q != "":
				if _, ok := mds2.CanonicalID(cond.Q); !ok {
					bad("%s: not_applicable_if: %q is not an MDS2 question", where, cond.Q)
				}
			case cond.Fact != "":
				if !facts[cond.Fact] {
					bad("%s: not_applicable_if: %q is not an MDS2 fact", where, cond.Fact)
				}
			default:
				bad("%s: not_applicable_if needs q or fact", where)
			}
		}
		for j, r := range cr.Rules {
			rw := fmt.Sprintf("%s: rules[%d]", where, j)
			n := 0
			if len(r.MDS2) > 0 {
				n++
				for _, q := range r.MDS2 {
					if _, ok := mds2.CanonicalID(q.Q); !ok {
						bad("%s: %q is not an MDS2 question", rw, q.Q)
					}
				}
			}
			if r.Fact != "" {
				n++
				if !facts[r.Fact] {
					bad("%s: %q is not an MDS2 fact", rw, r.Fact)
				}
			}
			if r.Questionnaire != "" {
				n++
				if !validAnswer(r.Questionnaire) || r.Questionnaire == AnswerText {
					bad("%s: questionnaire %q cannot be scored", rw, r.Questionnaire)
				}
				if r.Questionnaire != cr.Answer {
					bad("%s: questionnaire rule %q differs from the criterion's answer type %q", rw, r.Questionnaire, cr.Answer)
				}
			}
			if r.SBOM != "" {
				n++
				if !slices.Contains([]string{SBOMPresent, SBOMNTIA, SBOMEOL, SBOMVulns}, r.SBOM) {
					bad("%s: unknown SBOM check %q", rw, r.SBOM)
				}
			}
			if r.Cloud != "" {
				n++
				if _, ok := cloudChecks[r.Cloud]; !ok {
					bad("%s: unknown cloud check %q", rw, r.Cloud)
				}
			}
			if n != 1 {
				bad("%s: exactly one of mds2, fact, questionnaire, sbom, cloud must be set (found %d)", rw, n)
			}
			if r.Cap < 0 || r.Cap > 1 || r.Caveat < 0 || r.Caveat > 1 {
				bad("%s: cap and caveat must lie within 0–1", rw)
			}
			if numericAnswer(r.Questionnaire) && r.Full == r.Zero {
				bad("%s: full and zero thresholds must differ", rw)
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("catalogue %q: %s", c.Name, strings.Join(errs, "; "))
	}
	return nil
}

func validAnswer(a string) bool {
	switch a {
	case AnswerYesNo, AnswerDate, AnswerDays, AnswerHours, AnswerPercent, AnswerText:
		return true
	}
	return false
}

func numericAnswer(a string) bool {
	return a == AnswerDate || a == AnswerDays || a == AnswerHours || a == AnswerPercent
}

// decodeStrict decodes YAML and refuses unknown fields; a decoder panic becomes an error.
func decodeStrict(name string, b []byte, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: malformed YAML (decoder failure: %v)", name, r)
		}
	}()
	if err := yaml.UnmarshalWithOptions(b, v, yaml.DisallowUnknownField()); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// embedded holds the built-in catalogues, read on first use rather than at program start: every command
// of the binary (vigil scan among them) would otherwise pay for parsing them.
type builtinData struct {
	sources    []Source
	practices  []Practice
	catalogues map[string]*Catalogue
}

var embedded = sync.OnceValue(func() builtinData {
	must := func(err error) {
		if err != nil {
			// Embedded at build time and checked by the tests: a failure is a build defect.
			panic("procurement: embedded " + err.Error())
		}
	}
	read := func(name string, v any) {
		b, err := dataFS.ReadFile(name)
		must(err)
		must(decodeStrict(name, b, v))
	}
	d := builtinData{catalogues: map[string]*Catalogue{}}
	read("data/sources.yaml", &d.sources)
	read("data/enisa-practices.yaml", &d.practices)
	for _, f := range []string{"data/device.yaml", "data/cloud.yaml"} {
		var c Catalogue
		read(f, &c)
		c.Sources = d.sources
		c.Practices = d.practices
		must(c.Validate())
		d.catalogues[c.Name] = &c
	}
	return d
})

// Builtin returns a copy of a built-in catalogue ("default" or "cloud").
func Builtin(name string) (*Catalogue, bool) {
	c, ok := embedded().catalogues[name]
	if !ok {
		return nil, false
	}
	return c.Clone(), true
}

// BuiltinNames lists the built-in catalogues.
func BuiltinNames() []string { return []string{CatalogueDevice, CatalogueCloud} }

// Practices returns the ENISA procurement good practices with the criteria that implement them.
func Practices() []Practice { return slices.Clone(embedded().practices) }

// Sources returns the documents the built-in catalogues cite.
func Sources() []Source { return slices.Clone(embedded().sources) }

// ParseCatalogue reads a catalogue in the YAML form of the built-in ones (for `vigil tender evaluate
// --criteria FILE`), at most 1 MiB. Sources and practices are those of the built-in catalogues.
func ParseCatalogue(name string, b []byte) (*Catalogue, error) {
	if len(b) > 1<<20 {
		return nil, fmt.Errorf("catalogue %q: larger than 1 MiB", name)
	}
	var c Catalogue
	if err := decodeStrict(name, b, &c); err != nil {
		return nil, err
	}
	c.Sources = embedded().sources
	c.Practices = embedded().practices
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}
