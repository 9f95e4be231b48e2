package training

import (
	"context"
	"fmt"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/incident"
	"github.com/vigil-med/vigil/internal/store"
)

// PlanExercise creates an exercise from a scenario of the library (the title defaults to the
// scenario's).
func PlanExercise(ctx context.Context, tx *store.Tx, e *domain.Exercise) error {
	s, ok := ScenarioByID(e.Scenario)
	if !ok {
		return domain.Invalid("scenario", "no scenario %q in the library", e.Scenario)
	}
	if e.Title == "" {
		e.Title = s.Title
	}
	e.Status = domain.ExercisePlanned
	return tx.CreateExercise(ctx, e)
}

// StartExercise marks an exercise running from now: injects and decisions are timed from here.
func StartExercise(ctx context.Context, tx *store.Tx, id int64, now time.Time) (domain.Exercise, error) {
	e, err := tx.Scope().Exercise(ctx, id)
	if err != nil {
		return e, err
	}
	if e.Status != domain.ExercisePlanned {
		return e, domain.Errorf(domain.EConflict, "the exercise is %s already", e.Status)
	}
	t := now.UTC().Truncate(time.Second)
	e.Status, e.Started = domain.ExerciseRunning, &t
	return e, tx.UpdateExercise(ctx, e)
}

// ClockResult says what StartWithClocks started.
type ClockResult struct {
	Exercise domain.Exercise `json:"exercise"`
	// Incident is the incident module's exercise with the accelerated reporting clocks (zero when the
	// scenario has no counterpart there, see Note).
	Incident domain.Incident `json:"incident,omitzero"`
	Note     string          `json:"note,omitempty"`
}

// StartWithClocks starts the exercise (StartExercise) and, in the same transaction, the incident
// module's exercise for the same scenario (incident.StartExerciseTx): its reporting clocks run
// accelerated from now (acceleration 0: the scenario's default), its participants are the Vigil accounts
// of the exercise's participants (Staff.UserID), its lead is ownerID (0: none). The two are linked both
// ways: the exercise's IncidentID, and the incident's timeline names the exercise (the incident module
// finds it with Scope.ExerciseByIncident). An exercise linked already, or a scenario the incident module
// does not have, starts without new clocks and says so in Note.
func StartWithClocks(ctx context.Context, tx *store.Tx, id int64, now time.Time, acceleration int, ownerID int64) (ClockResult, error) {
	var res ClockResult
	e, err := StartExercise(ctx, tx, id, now)
	if err != nil {
		return res, err
	}
	res.Exercise = e
	if e.IncidentID != 0 {
		res.Note = fmt.Sprintf("linked to exercise incident EX-%d already", e.IncidentID)
		return res, nil
	}
	if _, ok := incident.ScenarioByID(e.Scenario); !ok {
		res.Note = fmt.Sprintf("the incident module has no scenario %q: started without regulatory clocks", e.Scenario)
		return res, nil
	}
	parts, err := tx.Scope().Participants(ctx, id)
	if err != nil {
		return res, err
	}
	var users []int64
	for _, p := range parts {
		st, err := tx.Scope().StaffMember(ctx, p.StaffID)
		if err != nil {
			return res, err
		}
		if st.UserID != nil {
			users = append(users, *st.UserID)
		}
	}
	res.Incident, err = incident.StartExerciseTx(ctx, tx, incident.ExerciseInput{Scenario: e.Scenario, Acceleration: acceleration,
		Participants: users, OwnerID: ownerID, Start: *e.Started,
		From: fmt.Sprintf("Started with the tabletop exercise %q of the training module (/training/exercises/%d)", e.Title, e.ID)})
	if err != nil {
		return res, err
	}
	e.IncidentID = res.Incident.ID
	res.Exercise = e
	return res, tx.UpdateExercise(ctx, e)
}

// Elapsed is the number of minutes since the exercise started (0 before it started).
func Elapsed(e domain.Exercise, now time.Time) int {
	if e.Started == nil || now.Before(*e.Started) {
		return 0
	}
	return int(now.Sub(*e.Started) / time.Minute)
}

// CompleteResult says what completing an exercise recorded.
type CompleteResult struct {
	Exercise domain.Exercise `json:"exercise"`
	Records  int             `json:"records"` // training records added for participants who attended
}

// CompleteExercise finishes an exercise and records it as completed training (module
// tabletop-exercise, which is installed from the starter catalogue when the organisation lacks it) for
// every participant who attended.
func CompleteExercise(ctx context.Context, tx *store.Tx, id int64, now time.Time) (CompleteResult, error) {
	var res CompleteResult
	sc := tx.Scope()
	e, err := sc.Exercise(ctx, id)
	if err != nil {
		return res, err
	}
	if e.Status == domain.ExerciseCompleted {
		return res, domain.Errorf(domain.EConflict, "the exercise is completed already")
	}
	parts, err := sc.Participants(ctx, id)
	if err != nil {
		return res, err
	}
	m, err := exerciseModule(ctx, tx)
	if err != nil {
		return res, err
	}
	t := now.UTC().Truncate(time.Second)
	if e.Started == nil {
		e.Started = &t
	}
	e.Status, e.Finished = domain.ExerciseCompleted, &t
	if err := tx.UpdateExercise(ctx, e); err != nil {
		return res, err
	}
	if e.IncidentID != 0 { // its regulatory clocks stop with it
		if err := tx.SetIncidentStatus(ctx, e.IncidentID, domain.StatusClosed, fmt.Sprintf("Tabletop exercise %q completed", e.Title)); err != nil {
			return res, err
		}
	}
	loc, err := location(ctx, sc)
	if err != nil {
		return res, err
	}
	var recs []domain.TrainingRecord
	for _, p := range parts {
		if !p.Attended {
			continue
		}
		mid := m.ID
		recs = append(recs, domain.TrainingRecord{StaffID: p.StaffID, ModuleID: &mid, Kind: domain.RecordExercise, Date: Day(t, loc),
			Result: domain.ResultCompleted, Provider: "internal", Campaign: e.Title, Source: fmt.Sprintf("exercise:%d", e.ID),
			Note: "role: " + p.Role})
	}
	added, _, err := tx.AddTrainingRecords(ctx, recs, fmt.Sprintf("recorded exercise %q as training of %d participants", e.Title, len(recs)))
	res.Exercise, res.Records = e, added
	return res, err
}

func exerciseModule(ctx context.Context, tx *store.Tx) (domain.TrainingModule, error) {
	m, err := tx.Scope().TrainingModuleByCode(ctx, ExerciseModuleCode)
	if domain.ErrorCode(err) != domain.ENotFound {
		return m, err
	}
	for _, cm := range catalogue().Modules {
		if cm.Code == ExerciseModuleCode {
			m = cm.module()
			m.Source = "catalogue " + catalogue().Version
			return m, tx.CreateTrainingModule(ctx, &m)
		}
	}
	return m, fmt.Errorf("catalogue module %s missing", ExerciseModuleCode)
}

// InjectTiming compares an inject's plan with what the log recorded.
type InjectTiming struct {
	Inject
	Released  *int                      `json:"released,omitempty"` // minutes from start when released (logged)
	Decided   *int                      `json:"decided,omitempty"`  // minutes from start of the first decision on it
	Response  *int                      `json:"response,omitempty"` // Decided minus the release (or the planned time)
	Late      bool                      `json:"late"`               // the response took longer than RespondWithin
	Open      bool                      `json:"open"`               // released but no decision recorded
	Decisions []domain.ExerciseLogEntry `json:"decisions"`
}

// Timings lays the log of an exercise against its scenario's injects.
func Timings(s Scenario, log []domain.ExerciseLogEntry) []InjectTiming {
	out := make([]InjectTiming, 0, len(s.Injects))
	for _, in := range s.Injects {
		it := InjectTiming{Inject: in, Decisions: []domain.ExerciseLogEntry{}}
		for _, l := range log {
			if l.Inject != in.No {
				continue
			}
			m := l.ElapsedMinutes
			switch l.Kind {
			case domain.LogInject:
				if it.Released == nil {
					it.Released = &m
				}
			case domain.LogDecision:
				it.Decisions = append(it.Decisions, l)
				if it.Decided == nil || m < *it.Decided {
					it.Decided = &m
				}
			}
		}
		from := in.At
		if it.Released != nil {
			from = *it.Released
		}
		if it.Decided != nil {
			r := max(0, *it.Decided-from)
			it.Response = &r
			it.Late = r > in.RespondWithin
		} else {
			it.Open = it.Released != nil
		}
		out = append(out, it)
	}
	return out
}
