package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/incident"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/training"
)

type exercisesView struct {
	Scenarios []training.Scenario
	Library   string
	Exercises []domain.Exercise
	Titles    map[string]string
	Actions   []domain.ExerciseFinding
	Overdue   map[int64]bool // open actions past their due date
	New       domain.Exercise
	Planned   string
	Errors    FieldErrors
}

func (s *Server) exercisesView(c *Ctx) (exercisesView, error) {
	ctx := c.R.Context()
	v := exercisesView{Errors: FieldErrors{}, Titles: map[string]string{}, Overdue: map[int64]bool{}}
	v.Scenarios, v.Library = training.Scenarios()
	for _, sc := range v.Scenarios {
		v.Titles[sc.ID] = sc.Title
	}
	var err error
	if v.Exercises, err = c.Scope.Exercises(ctx); err != nil {
		return v, err
	}
	all, err := c.Scope.Findings(ctx, 0)
	for _, f := range all {
		if f.Status == domain.FindingOpen && f.Action != "" {
			v.Actions = append(v.Actions, f)
			v.Overdue[f.ID] = overdueAction(c, f)
		}
	}
	return v, err
}

func (s *Server) trainingExercises(c *Ctx) error {
	v, err := s.exercisesView(c)
	if err != nil {
		return err
	}
	if id := c.R.URL.Query().Get("scenario"); id != "" {
		v.New.Scenario = id
	}
	return c.Render("training/exercises", "Exercises", v)
}

// formTime reads a datetime-local or date field in the organisation's zone.
func formTime(c *Ctx, name string) (*time.Time, error) {
	v := c.Form(name)
	if v == "" {
		return nil, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, c.Loc()); err == nil {
			u := t.UTC()
			return &u, nil
		}
	}
	return nil, domain.Invalid(name, "is not a date and time")
}

func (s *Server) trainingExercisePlan(c *Ctx) error {
	e := domain.Exercise{Scenario: c.Form("scenario"), Title: c.Form("title"), Facilitator: c.Form("facilitator"), Location: c.Form("location")}
	planned, err := formTime(c, "planned")
	e.Planned = planned
	if err == nil {
		err = c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return training.PlanExercise(c.R.Context(), tx, &e) })
	}
	if err != nil {
		v, lerr := s.exercisesView(c)
		if lerr != nil {
			return lerr
		}
		v.New, v.Planned = e, c.Form("planned")
		if !v.Errors.FromError(err) {
			return err
		}
		return c.RenderStatus(http.StatusUnprocessableEntity, "training/exercises", "Exercises", v)
	}
	return c.Redirect(fmt.Sprintf("/training/exercises/%d", e.ID), "ok", "Exercise planned. Add the participants from the staff register.")
}

func (s *Server) trainingScenario(c *Ctx) error {
	sc, ok := training.ScenarioByID(c.R.PathValue("id"))
	if !ok {
		return domain.NotFound("scenario")
	}
	return c.Render("training/scenario", sc.Title, sc)
}

type tabletopView struct {
	training.ExerciseDetail
	// The linked exercise incident of the incident module and its accelerated reporting clocks.
	Incident  *domain.Incident
	Clocks    []clockView
	ClockNow  string // the exercise clock now
	Elapsed   int
	Errors    FieldErrors
	Form      string // the form the errors belong to
	Severity  []string
	Planned   string
	LogKinds  []string
	Attending int
	Overdue   map[int64]bool // open actions past their due date
}

func overdueAction(c *Ctx, f domain.ExerciseFinding) bool {
	return f.Status == domain.FindingOpen && f.Due != nil && f.Due.Before(training.Day(c.Now(), c.Loc()))
}

func (s *Server) tabletopView(c *Ctx, id int64) (tabletopView, error) {
	d, err := training.LoadExercise(c.R.Context(), c.Scope, id)
	if err != nil {
		return tabletopView{}, err
	}
	v := tabletopView{ExerciseDetail: d, Elapsed: training.Elapsed(d.Exercise, c.Now()), Errors: FieldErrors{}, Severity: []string{"low", "medium", "high"},
		LogKinds: []string{domain.LogDecision, domain.LogInject, domain.LogNote}}
	if d.Exercise.Planned != nil {
		v.Planned = d.Exercise.Planned.In(c.Loc()).Format("2006-01-02T15:04")
	}
	v.Overdue = map[int64]bool{}
	for _, f := range d.Findings {
		v.Overdue[f.ID] = overdueAction(c, f)
	}
	for _, p := range d.Participants {
		if p.Attended {
			v.Attending++
		}
	}
	if id := d.Exercise.IncidentID; id != 0 {
		rec, err := incident.Load(c.R.Context(), c.Scope, id)
		if err != nil {
			return v, err
		}
		v.Incident = &rec.Incident
		v.Clocks = clockViews(rec.Incident, rec.Active(), c.Now(), c.Loc())
		v.ClockNow = incident.ClockOf(rec.Incident).Incident(c.Now()).In(c.Loc()).Format("Mon 2 Jan 15:04 MST")
	}
	return v, nil
}

func (s *Server) trainingExercise(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	v, err := s.tabletopView(c, id)
	if err != nil {
		return err
	}
	return c.Render("training/exercise", v.Exercise.Title, v)
}

// exerciseFail re-renders the exercise page with a form error, or returns a non-form error.
func (s *Server) exerciseFail(c *Ctx, id int64, form string, err error) error {
	v, lerr := s.tabletopView(c, id)
	if lerr != nil {
		return lerr
	}
	v.Form = form
	if !v.Errors.FromError(err) {
		return err
	}
	return c.RenderStatus(http.StatusUnprocessableEntity, "training/exercise", v.Exercise.Title, v)
}

func exercisePath(id int64) string { return "/training/exercises/" + strconv.FormatInt(id, 10) }

func (s *Server) trainingExerciseUpdate(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	e, err := c.Scope.Exercise(c.R.Context(), id)
	if err != nil {
		return err
	}
	e.Title, e.Facilitator, e.Location, e.Summary = c.Form("title"), c.Form("facilitator"), c.Form("location"), c.Form("summary")
	if e.Planned, err = formTime(c, "planned"); err == nil {
		inc, _ := strconv.ParseInt(c.Form("incident_id"), 10, 64)
		e.IncidentID = max(0, inc)
		err = c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.UpdateExercise(c.R.Context(), e) })
	}
	if err != nil {
		return s.exerciseFail(c, id, "exercise", err)
	}
	return c.Redirect(exercisePath(id), "ok", "Saved.")
}

func (s *Server) trainingExerciseStart(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	var owner int64
	if c.P.User != nil {
		owner = c.P.User.ID
	}
	var res training.ClockResult
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error {
		var err error
		res, err = training.StartWithClocks(c.R.Context(), tx, id, c.Now(), 0, owner)
		return err
	}); err != nil {
		return err
	}
	msg := "The exercise is running: injects and decisions are timed from now."
	if res.Incident.ID != 0 {
		msg += fmt.Sprintf(" Its reporting clocks run %d× faster in exercise incident %s.", res.Incident.Acceleration, res.Incident.Ref())
	} else if res.Note != "" {
		msg += " " + res.Note + "."
	}
	return c.Redirect(exercisePath(id), "ok", msg)
}

func (s *Server) trainingExerciseComplete(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	var res training.CompleteResult
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error {
		var err error
		res, err = training.CompleteExercise(c.R.Context(), tx, id, c.Now())
		return err
	}); err != nil {
		return err
	}
	return c.Redirect(exercisePath(id), "ok", fmt.Sprintf("The exercise is completed; %d participants got it recorded as training.", res.Records))
}

// staffRef finds a person by staff number or e-mail typed into a form field.
func staffRef(c *Ctx, field string) (*int64, error) {
	ref := c.Form(field)
	if ref == "" {
		return nil, nil
	}
	p, err := c.Scope.StaffByRef(c.R.Context(), ref, ref)
	if err != nil {
		return nil, domain.Invalid(field, "no person with staff number or e-mail %q", ref)
	}
	return &p.ID, nil
}

func (s *Server) trainingParticipantAdd(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	if _, err := c.Scope.Exercise(c.R.Context(), id); err != nil {
		return err
	}
	sid, err := staffRef(c, "person")
	if err == nil && sid == nil {
		err = domain.Invalid("person", "enter a staff number or e-mail address")
	}
	if err == nil {
		err = c.Scope.Write(c.R.Context(), func(tx *store.Tx) error {
			return tx.SetParticipant(c.R.Context(), domain.Participant{ExerciseID: id, StaffID: *sid, Role: c.Form("role"), Attended: c.FormBool("attended")})
		})
	}
	if err != nil {
		return s.exerciseFail(c, id, "participant", err)
	}
	return c.Redirect(exercisePath(id)+"#participants", "ok", "Participant saved.")
}

func (s *Server) trainingParticipantRemove(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	sid, err := c.PathInt("staff")
	if err != nil {
		return err
	}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.RemoveParticipant(c.R.Context(), id, sid) }); err != nil {
		return err
	}
	return c.Redirect(exercisePath(id)+"#participants", "ok", "Participant removed.")
}

func (s *Server) trainingExerciseLog(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	e, err := c.Scope.Exercise(c.R.Context(), id)
	if err != nil {
		return err
	}
	l := domain.ExerciseLogEntry{ExerciseID: id, Kind: c.Form("kind"), Text: c.Form("text")}
	l.Inject, _ = strconv.Atoi(c.Form("inject"))
	err = func() error {
		if v := c.Form("elapsed"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return domain.Invalid("elapsed_minutes", "must be whole minutes")
			}
			l.ElapsedMinutes = n
		} else {
			l.ElapsedMinutes = training.Elapsed(e, c.Now())
		}
		var err error
		if l.StaffID, err = staffRef(c, "by"); err != nil {
			return err
		}
		return c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.AddExerciseLog(c.R.Context(), &l) })
	}()
	if err != nil {
		return s.exerciseFail(c, id, "log", err)
	}
	return c.Redirect(exercisePath(id)+"#log", "ok", "Recorded at T+"+strconv.Itoa(l.ElapsedMinutes)+" min.")
}

func (s *Server) readFindingForm(c *Ctx, f *domain.ExerciseFinding) error {
	f.Title, f.Detail, f.Severity, f.Action = c.Form("title"), c.Form("detail"), c.Form("severity"), c.Form("action")
	if st := c.Form("status"); st != "" {
		f.Status = st
	}
	var err error
	if f.OwnerID, err = staffRef(c, "owner"); err != nil {
		return domain.Invalid("owner_id", "no person with staff number or e-mail %q", c.Form("owner"))
	}
	f.Due = nil
	if v := c.Form("due"); v != "" {
		d, err := training.ParseDate(v)
		if err != nil {
			return domain.Invalid("due", "%s", err.Error())
		}
		f.Due = &d
	}
	return nil
}

func (s *Server) trainingFindingCreate(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	if _, err := c.Scope.Exercise(c.R.Context(), id); err != nil {
		return err
	}
	f := domain.ExerciseFinding{ExerciseID: id}
	err = s.readFindingForm(c, &f)
	if err == nil {
		err = c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.CreateFinding(c.R.Context(), &f) })
	}
	if err != nil {
		return s.exerciseFail(c, id, "finding", err)
	}
	return c.Redirect(exercisePath(id)+"#findings", "ok", "Finding recorded.")
}

func (s *Server) trainingFindingUpdate(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	f, err := c.Scope.Finding(c.R.Context(), id)
	if err != nil {
		return err
	}
	if c.Form("status_only") != "" {
		f.Status = c.Form("status")
	} else if err := s.readFindingForm(c, &f); err != nil {
		return s.exerciseFail(c, f.ExerciseID, "finding", err)
	}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.UpdateFinding(c.R.Context(), f) }); err != nil {
		return s.exerciseFail(c, f.ExerciseID, "finding", err)
	}
	return c.Redirect(exercisePath(f.ExerciseID)+"#findings", "ok", "Finding updated.")
}
