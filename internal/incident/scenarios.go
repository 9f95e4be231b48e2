package incident

import (
	"context"
	_ "embed"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// Scenario is a tabletop exercise: the incident it starts, the answers a team should reach (for the
// debrief) and timed injects.
type Scenario struct {
	ID           string                  `yaml:"id" json:"id"`
	Title        string                  `yaml:"title" json:"title"`
	Summary      string                  `yaml:"summary" json:"summary"`
	Category     domain.IncidentCategory `yaml:"category" json:"category"`
	Acceleration int                     `yaml:"acceleration" json:"acceleration"` // default speed-up
	Incident     ScenarioIncident        `yaml:"incident" json:"incident"`
	Expected     map[string]string       `yaml:"expected" json:"expected,omitempty"`
	Injects      []Inject                `yaml:"injects" json:"injects"`
}

// ScenarioIncident are the facts the exercise's incident starts with.
type ScenarioIncident struct {
	Title                 string   `yaml:"title" json:"title"`
	Description           string   `yaml:"description" json:"description"`
	Sites                 []string `yaml:"sites" json:"sites,omitempty"`
	Services              []string `yaml:"services" json:"services,omitempty"`
	Devices               []string `yaml:"devices" json:"devices,omitempty"`
	PatientSafety         string   `yaml:"patient_safety" json:"patient_safety,omitempty"`
	DataCategories        []string `yaml:"data_categories" json:"data_categories,omitempty"`
	DataSubjectCategories []string `yaml:"data_subject_categories" json:"data_subject_categories,omitempty"`
	DataSubjects          int64    `yaml:"data_subjects" json:"data_subjects,omitempty"`
}

// Inject is an event released to the exercise team at an offset of exercise time after the start.
type Inject struct {
	At     string        `yaml:"at" json:"at"` // Go duration text, e.g. "2h30m"
	After  time.Duration `yaml:"-" json:"after"`
	Title  string        `yaml:"title" json:"title"`
	Text   string        `yaml:"text" json:"text"`
	Prompt string        `yaml:"prompt" json:"prompt"` // what the team should do
}

type scenarioSet struct {
	Version   string     `yaml:"version"`
	Scenarios []Scenario `yaml:"scenarios"`
}

//go:embed data/scenarios.yaml
var scenariosYAML []byte

// scenarios is loaded on first use, not at program start (every command, vigil scan included, would pay for it).
var scenarios = sync.OnceValue(func() []Scenario { return mustLoadScenarios(scenariosYAML) })

func mustLoadScenarios(b []byte) []Scenario {
	s, err := parseScenarios(b)
	if err != nil {
		panic("incident: embedded data/scenarios.yaml: " + err.Error())
	}
	return s
}

func parseScenarios(b []byte) ([]Scenario, error) {
	var set scenarioSet
	if err := yaml.UnmarshalWithOptions(b, &set, yaml.DisallowUnknownField()); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i := range set.Scenarios {
		s := &set.Scenarios[i]
		where := fmt.Sprintf("scenarios[%d] (%s)", i, s.ID)
		if s.ID == "" || seen[s.ID] || s.Title == "" || s.Incident.Title == "" || len(s.Injects) == 0 {
			return nil, fmt.Errorf("%s: id (unique), title, incident.title and injects are required", where)
		}
		seen[s.ID] = true
		if _, err := domain.ParseIncidentCategory(string(s.Category)); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		if s.Acceleration < 1 || s.Acceleration > domain.MaxIncidentAcceleration {
			return nil, fmt.Errorf("%s: acceleration must be 1–%d", where, domain.MaxIncidentAcceleration)
		}
		for _, q := range sortedKeys(s.Expected) {
			if err := ValidateAnswer(q, s.Expected[q]); err != nil {
				return nil, fmt.Errorf("%s: expected: %w", where, err)
			}
		}
		var last time.Duration
		for j := range s.Injects {
			inj := &s.Injects[j]
			d, err := time.ParseDuration(inj.At)
			if err != nil || d < 0 || d < last {
				return nil, fmt.Errorf("%s: injects[%d].at %q: want a duration not before the previous inject", where, j, inj.At)
			}
			inj.After, last = d, d
			if inj.Title == "" || inj.Text == "" {
				return nil, fmt.Errorf("%s: injects[%d]: title and text are required", where, j)
			}
		}
	}
	return set.Scenarios, nil
}

// Scenarios returns the exercise library.
func Scenarios() []Scenario { return slices.Clone(scenarios()) }

// ScenarioByID returns one scenario.
func ScenarioByID(id string) (Scenario, bool) {
	for _, s := range scenarios() {
		if s.ID == id {
			return s, true
		}
	}
	return Scenario{}, false
}

// ExerciseInput starts an exercise.
type ExerciseInput struct {
	Scenario     string    `json:"scenario"`
	Acceleration int       `json:"acceleration,omitempty"` // 0: the scenario's default
	Participants []int64   `json:"participants"`           // user ids; the only recipients of its notifications
	OwnerID      int64     `json:"owner_id,omitempty"`     // the exercise lead
	Start        time.Time `json:"start,omitzero"`         // zero: now
	// From says what started the exercise, for its timeline (e.g. the training module's tabletop
	// exercise); empty when started in the incident module.
	From string `json:"-"`
}

// StartExercise creates the incident of an exercise from a scenario (flagged Exercise, accelerated), sets
// its participants and computes its clocks, in one transaction. The exercise's clock starts at Start.
func StartExercise(ctx context.Context, sc *store.Scope, in ExerciseInput) (domain.Incident, error) {
	var inc domain.Incident
	err := sc.Write(ctx, func(tx *store.Tx) error {
		var err error
		inc, err = StartExerciseTx(ctx, tx, in)
		return err
	})
	return inc, err
}

// StartExerciseTx is StartExercise inside the caller's transaction (the training module starts its
// tabletop exercise and this one together).
func StartExerciseTx(ctx context.Context, tx *store.Tx, in ExerciseInput) (domain.Incident, error) {
	s, ok := ScenarioByID(in.Scenario)
	if !ok {
		return domain.Incident{}, domain.Invalid("scenario", "unknown scenario %q", in.Scenario)
	}
	if in.Acceleration == 0 {
		in.Acceleration = s.Acceleration
	}
	if in.Start.IsZero() {
		in.Start = store.Now()
	}
	inc := domain.Incident{
		Title: s.Incident.Title, Description: s.Incident.Description, Category: s.Category, AwareAt: in.Start,
		Sites: s.Incident.Sites, Services: s.Incident.Services, Devices: s.Incident.Devices, PatientSafety: s.Incident.PatientSafety,
		DataCategories: s.Incident.DataCategories, DataSubjectCategories: s.Incident.DataSubjectCategories,
		DataSubjects: s.Incident.DataSubjects, Exercise: true, Scenario: s.ID, Acceleration: in.Acceleration, OwnerID: in.OwnerID,
	}
	if err := tx.CreateIncident(ctx, &inc); err != nil {
		return inc, err
	}
	if err := tx.SetIncidentParticipants(ctx, inc.ID, in.Participants); err != nil {
		return inc, err
	}
	if err := tx.AddIncidentEvent(ctx, inc.ID, "exercise", fmt.Sprintf("Exercise started from scenario %q; the clocks run %d× faster (1 real minute = %s of exercise time)",
		s.Title, in.Acceleration, FormatDuration(time.Duration(in.Acceleration)*time.Minute)), in.From); err != nil {
		return inc, err
	}
	return inc, Recompute(ctx, tx, inc.ID, "exercise started")
}

// DueInject is an inject with the moments it is released.
type DueInject struct {
	Inject
	At     time.Time `json:"at"`      // on the exercise clock
	AtReal time.Time `json:"at_real"` // on the wall clock
}

// Injects returns every inject of an exercise's scenario with its release times.
func Injects(in domain.Incident) []DueInject {
	s, ok := ScenarioByID(in.Scenario)
	if !ok || !in.Exercise {
		return nil
	}
	c := ClockOf(in)
	out := make([]DueInject, 0, len(s.Injects))
	for _, inj := range s.Injects {
		at := in.AwareAt.Add(inj.After)
		out = append(out, DueInject{Inject: inj, At: at, AtReal: c.Real(at)})
	}
	return out
}

// InjectsDue returns the injects of an exercise released by the wall-clock instant now (the exercise
// clock has reached them), in order.
func InjectsDue(in domain.Incident, now time.Time) []DueInject {
	var out []DueInject
	for _, inj := range Injects(in) {
		if !inj.AtReal.After(now) {
			out = append(out, inj)
		}
	}
	return out
}
