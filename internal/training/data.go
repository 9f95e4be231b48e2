package training

import (
	"embed"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/goccy/go-yaml"

	"github.com/vigil-med/vigil/internal/domain"
)

//go:embed data/*.yaml
var dataFS embed.FS

// decodeStrict decodes YAML and rejects fields the target does not declare.
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

func mustDecode(name string, v any) {
	b, err := dataFS.ReadFile(name)
	if err == nil {
		err = decodeStrict(name, b, v)
	}
	if err != nil {
		// Embedded at build time and checked by the tests: a failure is a build defect, not an input error.
		panic("training: embedded " + err.Error())
	}
}

// CatalogueModule is a module of the starter catalogue.
type CatalogueModule struct {
	Code            string          `yaml:"code" json:"code"`
	Title           string          `yaml:"title" json:"title"`
	Goals           []string        `yaml:"goals" json:"goals"`
	DurationMinutes int             `yaml:"duration_minutes" json:"duration_minutes"`
	Delivery        domain.Delivery `yaml:"delivery" json:"delivery"`
	RefreshMonths   int             `yaml:"refresh_months" json:"refresh_months"`
	Duty            domain.Duty     `yaml:"duty" json:"duty"`
	Reference       string          `yaml:"reference" json:"reference"`
}

// CatalogueCurriculum is a curriculum of the starter catalogue; Modules are module codes.
type CatalogueCurriculum struct {
	Code        string          `yaml:"code" json:"code"`
	Title       string          `yaml:"title" json:"title"`
	Audience    domain.Audience `yaml:"audience" json:"audience"`
	Description string          `yaml:"description" json:"description"`
	DueDays     int             `yaml:"due_days" json:"due_days"`
	Modules     []string        `yaml:"modules" json:"modules"`
}

// Catalogue is the versioned starter catalogue of modules and curricula.
type Catalogue struct {
	Version   string                `yaml:"version" json:"version"`
	Sources   []string              `yaml:"sources" json:"sources"`
	Modules   []CatalogueModule     `yaml:"modules" json:"modules"`
	Curricula []CatalogueCurriculum `yaml:"curricula" json:"curricula"`
}

// ExerciseModuleCode is the catalogue module that taking part in a tabletop exercise completes.
const ExerciseModuleCode = "tabletop-exercise"

// The embedded catalogue and scenarios are parsed on first use, not at program start (every
// command of the binary would pay for them).
var catalogue = sync.OnceValue(loadCatalogue)

func loadCatalogue() Catalogue {
	var c Catalogue
	mustDecode("data/catalogue.yaml", &c)
	if err := c.validate(); err != nil {
		panic("training: embedded data/catalogue.yaml: " + err.Error())
	}
	return c
}

func (c Catalogue) validate() error {
	var errs []error
	if c.Version == "" || len(c.Sources) == 0 {
		errs = append(errs, errors.New("version and sources are required"))
	}
	codes := map[string]bool{}
	for i, m := range c.Modules {
		dm := m.module()
		if err := dm.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("modules[%d] (%s): %w", i, m.Code, err))
		}
		if dm.Code != m.Code || codes[m.Code] || m.Reference == "" || len(m.Goals) == 0 || m.DurationMinutes == 0 {
			errs = append(errs, fmt.Errorf("modules[%d] (%s): unique code, goals, duration and reference are required", i, m.Code))
		}
		codes[m.Code] = true
	}
	if !codes[ExerciseModuleCode] {
		errs = append(errs, fmt.Errorf("module %s is missing", ExerciseModuleCode))
	}
	audiences := map[domain.Audience]bool{}
	for i, cu := range c.Curricula {
		dc := domain.Curriculum{Code: cu.Code, Title: cu.Title, Audience: cu.Audience, DueDays: cu.DueDays}
		if err := dc.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("curricula[%d] (%s): %w", i, cu.Code, err))
		}
		audiences[cu.Audience] = true
		if len(cu.Modules) == 0 {
			errs = append(errs, fmt.Errorf("curricula[%d] (%s): no modules", i, cu.Code))
		}
		for _, mc := range cu.Modules {
			if !codes[mc] {
				errs = append(errs, fmt.Errorf("curricula[%d] (%s): unknown module %q", i, cu.Code, mc))
			}
		}
	}
	for _, a := range domain.Audiences {
		if a != domain.AudienceOther && !audiences[a] {
			errs = append(errs, fmt.Errorf("no curriculum for audience %s", a))
		}
	}
	return errors.Join(errs...)
}

// module is the catalogue module as an organisation's module (Source is set by the installer).
func (m CatalogueModule) module() domain.TrainingModule {
	return domain.TrainingModule{Code: m.Code, Title: m.Title, Goals: slices.Clone(m.Goals), DurationMinutes: m.DurationMinutes,
		Delivery: m.Delivery, RefreshMonths: m.RefreshMonths, Duty: m.Duty, Reference: m.Reference}
}

// StarterCatalogue returns a copy of the embedded starter catalogue.
func StarterCatalogue() Catalogue {
	c := catalogue()
	c.Sources = slices.Clone(c.Sources)
	c.Modules = slices.Clone(c.Modules)
	c.Curricula = slices.Clone(c.Curricula)
	return c
}

// Inject is one event of a scenario, released At minutes after the start.
type Inject struct {
	No            int    `yaml:"no" json:"no"`
	At            int    `yaml:"at" json:"at"` // minutes from the start
	Title         string `yaml:"title" json:"title"`
	Text          string `yaml:"text" json:"text"`
	Expect        string `yaml:"expect" json:"expect"`                 // what the team is expected to do
	RespondWithin int    `yaml:"respond_within" json:"respond_within"` // minutes after release
}

// Scenario is a tabletop exercise of the library.
type Scenario struct {
	ID              string            `yaml:"id" json:"id"`
	Title           string            `yaml:"title" json:"title"`
	Summary         string            `yaml:"summary" json:"summary"`
	Audience        []domain.Audience `yaml:"audience" json:"audience"`
	DurationMinutes int               `yaml:"duration_minutes" json:"duration_minutes"`
	Objectives      []string          `yaml:"objectives" json:"objectives"`
	Injects         []Inject          `yaml:"injects" json:"injects"`
	Questions       []string          `yaml:"questions" json:"questions"`
	References      []string          `yaml:"references" json:"references"`
}

// Inject returns the inject with number no.
func (s Scenario) Inject(no int) (Inject, bool) {
	for _, in := range s.Injects {
		if in.No == no {
			return in, true
		}
	}
	return Inject{}, false
}

type scenarioLibrary struct {
	Version   string     `yaml:"version"`
	Scenarios []Scenario `yaml:"scenarios"`
}

var scenarios = sync.OnceValue(loadScenarios)

func loadScenarios() scenarioLibrary {
	var l scenarioLibrary
	mustDecode("data/scenarios.yaml", &l)
	var errs []error
	seen := map[string]bool{}
	for i, s := range l.Scenarios {
		if s.ID == "" || seen[s.ID] || s.Title == "" || len(s.Injects) == 0 || len(s.Questions) == 0 || s.DurationMinutes <= 0 {
			errs = append(errs, fmt.Errorf("scenarios[%d] (%s): unique id, title, duration, injects and questions are required", i, s.ID))
		}
		seen[s.ID] = true
		prev := -1
		for j, in := range s.Injects {
			if in.No != j+1 || in.At < prev || in.At > s.DurationMinutes || in.Title == "" || in.Text == "" || in.Expect == "" || in.RespondWithin <= 0 {
				errs = append(errs, fmt.Errorf("scenarios[%d] (%s) injects[%d]: numbered from 1 in time order within the duration, with title, text, expect and respond_within", i, s.ID, j))
			}
			prev = in.At
		}
		for _, a := range s.Audience {
			if _, err := domain.ParseAudience(string(a)); err != nil {
				errs = append(errs, fmt.Errorf("scenarios[%d] (%s): %w", i, s.ID, err))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		panic("training: embedded data/scenarios.yaml: " + err.Error())
	}
	return l
}

// Scenarios returns the scenario library (a copy) and its version.
func Scenarios() ([]Scenario, string) {
	return slices.Clone(scenarios().Scenarios), scenarios().Version
}

// ScenarioByID returns one scenario of the library.
func ScenarioByID(id string) (Scenario, bool) {
	for _, s := range scenarios().Scenarios {
		if s.ID == id {
			return s, true
		}
	}
	return Scenario{}, false
}
