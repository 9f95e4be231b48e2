package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/training"
)

// ruleRow is an assignment rule with its curriculum's title.
type ruleRow struct {
	domain.AssignmentRule
	Curriculum string
}

type curriculaView struct {
	Curricula []domain.Curriculum
	Modules   []domain.TrainingModule
	ModuleMap map[int64]domain.TrainingModule
	Rules     []ruleRow
	Catalogue training.Catalogue
	Audiences []domain.Audience
	Duties    []domain.Duty
	Delivery  []domain.Delivery
	NewModule domain.TrainingModule
	NewCur    domain.Curriculum
	Errors    FieldErrors
	Form      string // which form the errors belong to: module or curriculum
}

func (s *Server) curriculaView(c *Ctx) (curriculaView, error) {
	ctx := c.R.Context()
	v := curriculaView{Catalogue: training.StarterCatalogue(), Audiences: domain.Audiences, Duties: domain.Duties, Delivery: domain.Deliveries,
		Errors: FieldErrors{}, ModuleMap: map[int64]domain.TrainingModule{},
		NewModule: domain.TrainingModule{Delivery: domain.DeliveryELearning, Duty: domain.DutyNIS2Hygiene, RefreshMonths: 12, DurationMinutes: 30},
		NewCur:    domain.Curriculum{Audience: domain.AudienceAllStaff, DueDays: 30}}
	var err error
	if v.Curricula, err = c.Scope.Curricula(ctx); err != nil {
		return v, err
	}
	if v.Modules, err = c.Scope.TrainingModules(ctx, true); err != nil {
		return v, err
	}
	for _, m := range v.Modules {
		v.ModuleMap[m.ID] = m
	}
	rules, err := c.Scope.TrainingRules(ctx)
	if err != nil {
		return v, err
	}
	titles := map[int64]string{}
	for _, cu := range v.Curricula {
		titles[cu.ID] = cu.Title
	}
	for _, r := range rules {
		v.Rules = append(v.Rules, ruleRow{AssignmentRule: r, Curriculum: titles[r.CurriculumID]})
	}
	return v, nil
}

func (s *Server) trainingCurricula(c *Ctx) error {
	v, err := s.curriculaView(c)
	if err != nil {
		return err
	}
	return c.Render("training/curricula", "Curricula and modules", v)
}

func (s *Server) trainingInstall(c *Ctx) error {
	var res training.InstallResult
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error {
		var err error
		res, err = training.InstallCatalogue(c.R.Context(), tx)
		return err
	}); err != nil {
		return err
	}
	return c.Redirect("/training/curricula", "ok", fmt.Sprintf("Starter catalogue %s: %d modules and %d curricula added, %d modules and %d curricula you had were kept.",
		res.Version, res.ModulesAdded, res.CurriculaAdded, res.ModulesKept, res.CurriculaKept))
}

// readModuleForm fills m from the module form.
func readModuleForm(c *Ctx, m *domain.TrainingModule) error {
	m.Title, m.Code, m.Reference = c.Form("title"), c.Form("code"), c.Form("reference")
	m.Delivery, m.Duty = domain.Delivery(c.Form("delivery")), domain.Duty(c.Form("duty"))
	m.Goals = strings.Split(c.R.PostFormValue("goals"), "\n")
	m.Archived = c.FormBool("archived")
	var err error
	if m.DurationMinutes, err = formSmallInt(c, "duration_minutes"); err != nil {
		return err
	}
	m.RefreshMonths, err = formSmallInt(c, "refresh_months")
	return err
}

// formSmallInt reads a whole, non-negative form number that fits an int (durations, months, days).
func formSmallInt(c *Ctx, name string) (int, error) {
	n, err := formInt(c, name)
	return int(n), err
}

func (s *Server) trainingModuleCreate(c *Ctx) error {
	var m domain.TrainingModule
	err := readModuleForm(c, &m)
	if err == nil {
		err = c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.CreateTrainingModule(c.R.Context(), &m) })
	}
	if err != nil {
		v, lerr := s.curriculaView(c)
		if lerr != nil {
			return lerr
		}
		v.NewModule, v.Form = m, "module"
		if !v.Errors.FromError(err) {
			return err
		}
		return c.RenderStatus(http.StatusUnprocessableEntity, "training/curricula", "Curricula and modules", v)
	}
	return c.Redirect("/training/curricula", "ok", "Module "+m.Title+" added. Put it into a curriculum to assign it.")
}

func readCurriculumForm(c *Ctx, cu *domain.Curriculum) error {
	cu.Title, cu.Code, cu.Description = c.Form("title"), c.Form("code"), c.Form("description")
	cu.Audience = domain.Audience(c.Form("audience"))
	var err error
	if cu.DueDays, err = formSmallInt(c, "due_days"); err != nil {
		return err
	}
	if err := c.R.ParseForm(); err != nil {
		return domain.Invalid("module_ids", "unreadable form")
	}
	cu.ModuleIDs = nil
	for _, v := range c.R.PostForm["module_ids"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return domain.Invalid("module_ids", "unknown module")
		}
		cu.ModuleIDs = append(cu.ModuleIDs, id)
	}
	return nil
}

func (s *Server) trainingCurriculumCreate(c *Ctx) error {
	var cu domain.Curriculum
	err := readCurriculumForm(c, &cu)
	if err == nil {
		err = c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.CreateCurriculum(c.R.Context(), &cu) })
	}
	if err != nil {
		v, lerr := s.curriculaView(c)
		if lerr != nil {
			return lerr
		}
		v.NewCur, v.Form = cu, "curriculum"
		if !v.Errors.FromError(err) {
			return err
		}
		return c.RenderStatus(http.StatusUnprocessableEntity, "training/curricula", "Curricula and modules", v)
	}
	return c.Redirect(fmt.Sprintf("/training/curricula/%d", cu.ID), "ok", "Curriculum "+cu.Title+" added. Assign it below.")
}

type curriculumView struct {
	Curriculum  domain.Curriculum
	Modules     []domain.TrainingModule
	InCurr      map[int64]bool
	Audiences   []domain.Audience
	Departments []string
	Rules       []domain.AssignmentRule
	Errors      FieldErrors
}

func (s *Server) curriculumView(c *Ctx, id int64) (curriculumView, error) {
	ctx := c.R.Context()
	v := curriculumView{Audiences: domain.Audiences, Errors: FieldErrors{}, InCurr: map[int64]bool{}}
	var err error
	if v.Curriculum, err = c.Scope.Curriculum(ctx, id); err != nil {
		return v, err
	}
	for _, m := range v.Curriculum.ModuleIDs {
		v.InCurr[m] = true
	}
	if v.Modules, err = c.Scope.TrainingModules(ctx, false); err != nil {
		return v, err
	}
	if v.Departments, err = c.Scope.StaffDepartments(ctx); err != nil {
		return v, err
	}
	rules, err := c.Scope.TrainingRules(ctx)
	for _, r := range rules {
		if r.CurriculumID == id {
			v.Rules = append(v.Rules, r)
		}
	}
	return v, err
}

func (s *Server) trainingCurriculum(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	v, err := s.curriculumView(c, id)
	if err != nil {
		return err
	}
	return c.Render("training/curriculum", v.Curriculum.Title, v)
}

func (s *Server) trainingCurriculumUpdate(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	cu, err := c.Scope.Curriculum(c.R.Context(), id)
	if err != nil {
		return err
	}
	err = readCurriculumForm(c, &cu)
	if err == nil {
		err = c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.UpdateCurriculum(c.R.Context(), cu) })
	}
	if err != nil {
		v, lerr := s.curriculumView(c, id)
		if lerr != nil {
			return lerr
		}
		v.Curriculum = cu
		if !v.Errors.FromError(err) {
			return err
		}
		return c.RenderStatus(http.StatusUnprocessableEntity, "training/curriculum", cu.Title, v)
	}
	return c.Redirect(fmt.Sprintf("/training/curricula/%d", id), "ok", "Saved. New modules reach people when the curriculum is assigned again.")
}

type moduleView struct {
	Module   domain.TrainingModule
	Duties   []domain.Duty
	Delivery []domain.Delivery
	Errors   FieldErrors
}

func (s *Server) trainingModule(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	m, err := c.Scope.TrainingModule(c.R.Context(), id)
	if err != nil {
		return err
	}
	return c.Render("training/module", m.Title, moduleView{Module: m, Duties: domain.Duties, Delivery: domain.Deliveries, Errors: FieldErrors{}})
}

func (s *Server) trainingModuleUpdate(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	m, err := c.Scope.TrainingModule(c.R.Context(), id)
	if err != nil {
		return err
	}
	err = readModuleForm(c, &m)
	if err == nil {
		err = c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.UpdateTrainingModule(c.R.Context(), m) })
	}
	if err != nil {
		v := moduleView{Module: m, Duties: domain.Duties, Delivery: domain.Deliveries, Errors: FieldErrors{}}
		if !v.Errors.FromError(err) {
			return err
		}
		return c.RenderStatus(http.StatusUnprocessableEntity, "training/module", m.Title, v)
	}
	return c.Redirect(fmt.Sprintf("/training/modules/%d", id), "ok", "Saved.")
}

func (s *Server) trainingRuleDelete(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.DeleteTrainingRule(c.R.Context(), id) }); err != nil {
		return err
	}
	return c.Redirect("/training/curricula", "ok", "The rule was removed; assignments it made stay.")
}
