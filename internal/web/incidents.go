package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/incident"
	"github.com/vigil-med/vigil/internal/regulation/deadline"
)

func (s *Server) incidentRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /incidents", s.page(domain.PermRead, s.incidentList))
	mux.HandleFunc("GET /incidents/new", s.page(domain.PermIncidents, s.incidentNew))
	mux.HandleFunc("POST /incidents", s.page(domain.PermIncidents, s.incidentCreate))
	mux.HandleFunc("GET /incidents/device-search", s.page(domain.PermIncidents, s.incidentDeviceSearch))
	mux.HandleFunc("GET /exercises", s.page(domain.PermRead, s.exerciseList))
	mux.HandleFunc("POST /exercises", s.page(domain.PermIncidents, s.exerciseStart))
	mux.HandleFunc("GET /incidents/{id}", s.page(domain.PermRead, s.incidentShow))
	mux.HandleFunc("GET /incidents/{id}/clocks", s.page(domain.PermRead, s.incidentShow))
	mux.HandleFunc("GET /incidents/{id}/edit", s.page(domain.PermIncidents, s.incidentEdit))
	mux.HandleFunc("POST /incidents/{id}", s.page(domain.PermIncidents, s.incidentUpdate))
	mux.HandleFunc("POST /incidents/{id}/status", s.page(domain.PermIncidents, s.incidentStatus))
	mux.HandleFunc("GET /incidents/{id}/questions", s.page(domain.PermRead, s.incidentQuestions))
	mux.HandleFunc("POST /incidents/{id}/questions", s.page(domain.PermIncidents, s.incidentAnswer))
	mux.HandleFunc("POST /incidents/{id}/notes", s.page(domain.PermIncidents, s.incidentNote))
	mux.HandleFunc("POST /incidents/{id}/actions", s.page(domain.PermIncidents, s.incidentActionAdd))
	mux.HandleFunc("POST /incidents/{id}/actions/{action}/done", s.page(domain.PermIncidents, s.incidentActionDone))
	mux.HandleFunc("POST /incidents/{id}/decisions", s.page(domain.PermIncidents, s.incidentDecision))
	mux.HandleFunc("POST /incidents/{id}/attachments", s.page(domain.PermIncidents, s.incidentAttach))
	mux.HandleFunc("GET /incidents/{id}/attachments/{attachment}", s.page(domain.PermRead, s.incidentAttachment))
	mux.HandleFunc("POST /incidents/{id}/submissions", s.page(domain.PermIncidents, s.incidentSubmit))
	mux.HandleFunc("GET /incidents/{id}/reports/{template}", s.page(domain.PermRead, s.incidentReport))
	mux.HandleFunc("POST /incidents/{id}/reports/{template}", s.page(domain.PermIncidents, s.incidentReportSave))
	mux.HandleFunc("GET /incidents/{id}/reports/{template}/pdf", s.page(domain.PermRead, s.incidentReportPDF))
	mux.HandleFunc("GET /incidents/{id}/reports/{template}/json", s.page(domain.PermRead, s.incidentReportJSON))
	mux.HandleFunc("GET /incidents/{id}/review", s.page(domain.PermRead, s.incidentReview))
	mux.HandleFunc("POST /incidents/{id}/review", s.page(domain.PermIncidents, s.incidentReviewSave))
}

// localInput is the value of a datetime-local input in the organisation's zone.
func localInput(t *time.Time, loc *time.Location) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.In(loc).Format("2006-01-02T15:04")
}

// formTime reads a datetime-local field in the organisation's zone; "" gives nil.
func (c *Ctx) formTime(name string) (*time.Time, error) {
	v := c.Form(name)
	if v == "" {
		return nil, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", time.RFC3339} {
		if t, err := time.ParseInLocation(layout, v, c.Loc()); err == nil {
			return &t, nil
		}
	}
	return nil, domain.Invalid(name, "is not a date and time (YYYY-MM-DDTHH:MM)")
}

// formDate reads a date field as the end of that day in the organisation's zone; "" gives nil.
func (c *Ctx) formDate(name string) (*time.Time, error) {
	v := c.Form(name)
	if v == "" {
		return nil, nil
	}
	d, err := time.ParseInLocation("2006-01-02", v, c.Loc())
	if err != nil {
		return nil, domain.Invalid(name, "is not a date (YYYY-MM-DD)")
	}
	t := d.Add(24*time.Hour - time.Minute)
	return &t, nil
}

// formLines reads a textarea as a list, one item a line.
func (c *Ctx) formLines(name string) []string {
	return domain.CleanList(strings.Split(c.R.PostFormValue(name), "\n"))
}

type incidentListView struct {
	Page       domain.Page[domain.Incident]
	Exercise   bool
	Status     string
	Q          string
	Counts     domain.IncidentCounts
	Actions    []actionView
	Clocks     map[int64]string // incident id → its most urgent clock text
	ClockClass map[int64]string
}

type actionView struct {
	domain.IncidentAction
	Overdue bool
	DueDate string
}

func actionViews(as []domain.IncidentAction, now time.Time, loc *time.Location) []actionView {
	out := make([]actionView, 0, len(as))
	for _, a := range as {
		v := actionView{IncidentAction: a, Overdue: a.Overdue(now)}
		if a.Due != nil {
			v.DueDate = a.Due.In(loc).Format("2006-01-02")
		}
		out = append(out, v)
	}
	return out
}

func (s *Server) incidentList(c *Ctx) error {
	return s.listIncidents(c, false)
}

func (s *Server) listIncidents(c *Ctx, exercise bool) error {
	ctx := c.R.Context()
	p := c.List()
	v := incidentListView{Exercise: exercise, Status: c.R.URL.Query().Get("status"), Q: p.Q, Clocks: map[int64]string{}, ClockClass: map[int64]string{}}
	f := domain.IncidentFilter{ListParams: p, Exercise: exercise}
	if v.Status == "" && exercise {
		v.Status = "all" // past exercises are the record of training
	}
	switch v.Status {
	case "", "active":
		v.Status = "active"
		f.Status = []domain.IncidentStatus{domain.StatusOpen, domain.StatusContained, domain.StatusResolved}
	case "all":
	default:
		st, err := domain.ParseIncidentStatus(v.Status)
		if err != nil {
			return err
		}
		f.Status = []domain.IncidentStatus{st}
	}
	var err error
	if v.Page, err = c.Scope.Incidents(ctx, f); err != nil {
		return err
	}
	for _, in := range v.Page.Items {
		if in.Status == domain.StatusClosed {
			continue
		}
		ds, err := c.Scope.IncidentDeadlines(ctx, in.ID)
		if err != nil {
			return err
		}
		for _, cd := range incident.Countdowns(in, ds, c.Now()) {
			if cd.State == incident.StateOverdue || cd.State == incident.StateSoon || cd.State == incident.StateRunning {
				v.Clocks[in.ID] = cd.Title + ": " + cd.Text
				v.ClockClass[in.ID] = cd.State
				break
			}
		}
	}
	if !exercise {
		if v.Counts, err = c.Scope.IncidentCounts(ctx, c.Now()); err != nil {
			return err
		}
		acts, err := c.Scope.OpenIncidentActions(ctx, 20)
		if err != nil {
			return err
		}
		v.Actions = actionViews(acts, c.Now(), c.Loc())
	}
	if exercise {
		return s.exercisePage(c, v, FieldErrors{})
	}
	return c.Render("incidents/list", "Incidents", v)
}

type newIncidentView struct {
	Title, Description string
	Category           domain.IncidentCategory
	Aware              string
	Categories         []domain.IncidentCategory
	Picker             incidentPickerView
	Errors             FieldErrors
}

func (s *Server) incidentNew(c *Ctx) error {
	now := c.Now()
	return c.Render("incidents/new", "New incident", newIncidentView{Category: domain.CategoryRansomware, Aware: localInput(&now, c.Loc()),
		Categories: domain.IncidentCategories, Errors: FieldErrors{}})
}

func (s *Server) incidentCreate(c *Ctx) error {
	v := newIncidentView{Title: c.Form("title"), Description: c.Form("description"), Category: domain.IncidentCategory(c.Form("category")),
		Aware: c.Form("aware_at"), Categories: domain.IncidentCategories, Errors: FieldErrors{}}
	in := domain.Incident{Title: v.Title, Description: v.Description, Category: v.Category}
	assetIDs, picker, err := formDevices(c.R.Context(), c)
	v.Picker = picker
	var aware *time.Time
	if err == nil {
		aware, err = c.formTime("aware_at")
	}
	if err == nil && aware == nil {
		err = domain.Invalid("aware_at", "is required: when did you become aware of the incident?")
	}
	if err == nil {
		in.AwareAt = *aware
		if c.P.User != nil {
			in.OwnerID = c.P.User.ID
		}
		err = incident.CreateWithDevices(c.R.Context(), c.Scope, &in, nil, assetIDs)
	}
	if err != nil {
		if !v.Errors.FromError(err) {
			return err
		}
		return c.RenderStatus(http.StatusUnprocessableEntity, "incidents/new", "New incident", v)
	}
	return c.Redirect("/incidents/"+strconv.FormatInt(in.ID, 10)+"/questions", "ok",
		"Incident "+in.Ref()+" opened. Answer the questions below to see which reporting clocks run.")
}

type exerciseView struct {
	incidentListView
	Scenarios []incident.Scenario
	Users     []domain.User
	Errors    FieldErrors
	Accel     int
}

func (s *Server) exerciseList(c *Ctx) error { return s.listIncidents(c, true) }

func (s *Server) exercisePage(c *Ctx, lv incidentListView, errs FieldErrors) error {
	users, err := c.Scope.UsersWithRoles(c.R.Context())
	if err != nil {
		return err
	}
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return c.RenderStatus(status, "incidents/exercises", "Exercises", exerciseView{incidentListView: lv, Scenarios: incident.Scenarios(),
		Users: users, Errors: errs, Accel: 60})
}

func (s *Server) exerciseStart(c *Ctx) error {
	in := incident.ExerciseInput{Scenario: c.Form("scenario"), Start: c.Now()}
	var err error
	if a := c.Form("acceleration"); a != "" {
		if in.Acceleration, err = strconv.Atoi(a); err != nil {
			err = domain.Invalid("acceleration", "must be a whole number")
		}
	}
	for _, p := range c.R.PostForm["participants"] {
		id, perr := strconv.ParseInt(p, 10, 64)
		if perr != nil {
			err = domain.Invalid("participants", "unknown participant")
		}
		in.Participants = append(in.Participants, id)
	}
	if c.P.User != nil {
		in.OwnerID = c.P.User.ID
	}
	var inc domain.Incident
	if err == nil {
		inc, err = incident.StartExercise(c.R.Context(), c.Scope, in)
	}
	if err != nil {
		errs := FieldErrors{}
		if !errs.FromError(err) {
			return err
		}
		page, lerr := c.Scope.Incidents(c.R.Context(), domain.IncidentFilter{Exercise: true})
		if lerr != nil {
			return lerr
		}
		return s.exercisePage(c, incidentListView{Page: page, Exercise: true, Status: "all", Clocks: map[int64]string{}, ClockClass: map[int64]string{}}, errs)
	}
	return c.Redirect("/incidents/"+strconv.FormatInt(inc.ID, 10), "ok", "Exercise "+inc.Ref()+" started. EXERCISE: its clocks run accelerated.")
}

// questionView is one guided question with its current answer.
type questionView struct {
	deadline.Question
	Answer string
	Source string
	By     string
	At     *time.Time
}

func questionViews(rec *incident.Record) []questionView {
	var out []questionView
	for _, q := range deadline.Questions().Questions {
		v := questionView{Question: q, Answer: rec.Answers[q.ID], Source: rec.AnswerSources[q.ID]}
		for i := range rec.AnswerHistory {
			if a := rec.AnswerHistory[i]; a.Question == q.ID {
				v.By, v.At = a.By, &rec.AnswerHistory[i].At
			}
		}
		if v.Answer == "" {
			v.Answer = deadline.Unknown
		}
		out = append(out, v)
	}
	return out
}
