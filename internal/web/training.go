package web

import (
	"fmt"
	"html/template"
	"net/http"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/training"
	"github.com/vigil-med/vigil/internal/web/chart"
)

// trainingRoutes registers the pages of the training module (menu section "People").
func (s *Server) trainingRoutes(mux *http.ServeMux) {
	read, write := domain.PermRead, domain.PermTraining
	mux.HandleFunc("GET /training", s.page(read, func(c *Ctx) error { return c.Redirect("/training/overview", "", "") }))
	mux.HandleFunc("GET /training/overview", s.page(read, s.trainingOverview))
	mux.HandleFunc("GET /training/board", s.page(read, s.trainingBoard))

	mux.HandleFunc("GET /training/people", s.page(read, s.trainingPeople))
	mux.HandleFunc("POST /training/people", s.page(write, s.trainingPersonCreate))
	mux.HandleFunc("GET /training/people/{id}", s.page(read, s.trainingPerson))
	mux.HandleFunc("POST /training/people/{id}", s.page(write, s.trainingPersonUpdate))
	mux.HandleFunc("POST /training/people/{id}/delete", s.page(write, s.trainingPersonDelete))

	mux.HandleFunc("GET /training/curricula", s.page(read, s.trainingCurricula))
	mux.HandleFunc("POST /training/curricula", s.page(write, s.trainingCurriculumCreate))
	mux.HandleFunc("POST /training/catalogue/install", s.page(write, s.trainingInstall))
	mux.HandleFunc("GET /training/curricula/{id}", s.page(read, s.trainingCurriculum))
	mux.HandleFunc("POST /training/curricula/{id}", s.page(write, s.trainingCurriculumUpdate))
	mux.HandleFunc("POST /training/modules", s.page(write, s.trainingModuleCreate))
	mux.HandleFunc("GET /training/modules/{id}", s.page(read, s.trainingModule))
	mux.HandleFunc("POST /training/modules/{id}", s.page(write, s.trainingModuleUpdate))
	mux.HandleFunc("POST /training/rules/{id}/delete", s.page(write, s.trainingRuleDelete))

	mux.HandleFunc("GET /training/assignments", s.page(read, s.trainingAssignments))
	mux.HandleFunc("POST /training/assignments", s.page(write, s.trainingAssign))
	mux.HandleFunc("POST /training/assignments/{id}/cancel", s.page(write, s.trainingAssignmentCancel))
	mux.HandleFunc("GET /training/records", s.page(write, s.trainingRecords))
	mux.HandleFunc("POST /training/records", s.page(write, s.trainingRecord))
	mux.HandleFunc("POST /training/records/{id}/delete", s.page(write, s.trainingRecordDelete))
	mux.HandleFunc("GET /training/evidence/{id}", s.page(read, s.trainingEvidence))

	mux.HandleFunc("GET /training/import", s.page(write, s.trainingImportForm))
	mux.HandleFunc("POST /training/import", s.page(write, s.trainingImportUpload))
	mux.HandleFunc("POST /training/import/{id}/confirm", s.page(write, s.trainingImportConfirm))

	mux.HandleFunc("GET /training/exercises", s.page(read, s.trainingExercises))
	mux.HandleFunc("POST /training/exercises", s.page(write, s.trainingExercisePlan))
	mux.HandleFunc("GET /training/scenarios/{id}", s.page(read, s.trainingScenario))
	mux.HandleFunc("GET /training/exercises/{id}", s.page(read, s.trainingExercise))
	mux.HandleFunc("POST /training/exercises/{id}", s.page(write, s.trainingExerciseUpdate))
	mux.HandleFunc("POST /training/exercises/{id}/start", s.page(write, s.trainingExerciseStart))
	mux.HandleFunc("POST /training/exercises/{id}/complete", s.page(write, s.trainingExerciseComplete))
	mux.HandleFunc("POST /training/exercises/{id}/participants", s.page(write, s.trainingParticipantAdd))
	mux.HandleFunc("POST /training/exercises/{id}/participants/{staff}/remove", s.page(write, s.trainingParticipantRemove))
	mux.HandleFunc("POST /training/exercises/{id}/log", s.page(write, s.trainingExerciseLog))
	mux.HandleFunc("POST /training/exercises/{id}/findings", s.page(write, s.trainingFindingCreate))
	mux.HandleFunc("POST /training/findings/{id}", s.page(write, s.trainingFindingUpdate))
}

func pctFmt(v float64) string { return fmt.Sprintf("%.0f %%", v) }

type trainingOverviewView struct {
	R          training.Report
	DeptChart  template.HTML
	AudChart   template.HTML
	TrendChart template.HTML
	PhishChart template.HTML
}

func (s *Server) trainingOverview(c *Ctx) error {
	r, err := training.Coverage(c.R.Context(), c.Scope, c.Now())
	if err != nil {
		return err
	}
	v := trainingOverviewView{R: r}
	if len(r.ByDepartment) > 0 {
		var labels []string
		var rates []float64
		for _, g := range r.ByDepartment {
			labels, rates = append(labels, g.Label), append(rates, g.Rate)
		}
		v.DeptChart = chart.HBars("Completion rate by department, lagging first", labels, rates, func(f float64) string { return fmt.Sprintf("%.1f %%", f) })
	}
	if len(r.ByAudience) > 0 {
		var labels []string
		var done, due, over, later []float64
		for _, g := range r.ByAudience {
			labels = append(labels, g.Label)
			done, due, over, later = append(done, float64(g.Completed)), append(due, float64(g.Due)), append(over, float64(g.Overdue)), append(later, float64(g.NotYetDue))
		}
		v.AudChart = chart.Bars("Assignments by job group and state", labels, []chart.Series{
			{Name: "completed", Values: done}, {Name: "not yet due", Values: later}, {Name: "overdue", Values: over}, {Name: "due", Values: due}}, nil)
	}
	var months []string
	var rate, overdue []float64
	for _, p := range r.Trend {
		months = append(months, p.Month)
		rate = append(rate, p.Rate)
		overdue = append(overdue, pct(p.Overdue, p.Assigned))
	}
	v.TrendChart = chart.Lines("Completed and overdue assignments over twelve months (percent)", months, []chart.Series{
		{Name: "completed %", Values: rate}, {Name: "overdue %", Values: overdue}}, pctFmt)
	if len(r.Phishing.ByDepartment) > 0 {
		var labels []string
		var vals []float64
		for _, g := range r.Phishing.ByDepartment {
			labels, vals = append(labels, g.Label), append(vals, g.ClickRate)
		}
		v.PhishChart = chart.HBars("Phishing simulations: click rate by department", labels, vals, func(f float64) string { return fmt.Sprintf("%.1f %%", f) })
	}
	return c.Render("training/overview", "Training overview", v)
}

func pct(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return float64(int(1000*float64(part)/float64(whole)+0.5)) / 10
}

func (s *Server) trainingBoard(c *Ctx) error {
	r, err := training.Coverage(c.R.Context(), c.Scope, c.Now())
	if err != nil {
		return err
	}
	mods, err := c.Scope.TrainingModules(c.R.Context(), false)
	if err != nil {
		return err
	}
	var mgmt []domain.TrainingModule
	for _, m := range mods {
		if m.Duty == domain.DutyNIS2Management {
			mgmt = append(mgmt, m)
		}
	}
	return c.Render("training/board", "Board training", struct {
		Board   training.Board
		Day     string
		Modules []domain.TrainingModule
	}{r.Board, r.Day, mgmt})
}
