package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/training"
)

type bulkForm struct {
	CurriculumID, ModuleID int64
	Department, Audience   string
	Due                    string
	Auto                   bool
}

type assignmentsView struct {
	Page        domain.Page[training.AssignmentView]
	F           training.AssignmentQuery
	States      []string
	Departments []string
	Audiences   []domain.Audience
	Modules     []domain.TrainingModule
	Curricula   []domain.Curriculum
	Form        bulkForm
	Errors      FieldErrors
}

func (s *Server) assignmentsView(c *Ctx) (assignmentsView, error) {
	ctx := c.R.Context()
	q := c.R.URL.Query()
	mid, _ := strconv.ParseInt(q.Get("module_id"), 10, 64)
	v := assignmentsView{F: training.AssignmentQuery{State: q.Get("state"), Department: q.Get("department"), Audience: q.Get("audience"),
		ModuleID: mid, Q: strings.TrimSpace(q.Get("q"))}, States: training.AssignmentStates, Audiences: domain.Audiences, Errors: FieldErrors{}}
	var err error
	if v.Page, err = training.ListAssignments(ctx, c.Scope, v.F, c.List(), c.Now()); err != nil {
		return v, err
	}
	if v.Departments, err = c.Scope.StaffDepartments(ctx); err != nil {
		return v, err
	}
	if v.Modules, err = c.Scope.TrainingModules(ctx, false); err != nil {
		return v, err
	}
	v.Curricula, err = c.Scope.Curricula(ctx)
	return v, err
}

func (s *Server) trainingAssignments(c *Ctx) error {
	v, err := s.assignmentsView(c)
	if err != nil {
		return err
	}
	return c.Render("training/assignments", "Assignments", v)
}

func (s *Server) trainingAssign(c *Ctx) error {
	f := bulkForm{Department: c.Form("department"), Audience: c.Form("audience"), Due: c.Form("due"), Auto: c.FormBool("auto")}
	f.CurriculumID, _ = strconv.ParseInt(c.Form("curriculum_id"), 10, 64)
	f.ModuleID, _ = strconv.ParseInt(c.Form("module_id"), 10, 64)
	req := training.BulkAssign{CurriculumID: f.CurriculumID, ModuleID: f.ModuleID, Department: f.Department, Audience: domain.Audience(f.Audience), Auto: f.Auto}
	var res training.AssignResult
	var err error
	if f.Due != "" {
		req.Due, err = training.ParseDate(f.Due)
		if err != nil {
			err = domain.Invalid("due", "%s", err.Error())
		}
	}
	if err == nil {
		err = c.Scope.Write(c.R.Context(), func(tx *store.Tx) error {
			var err error
			res, err = training.Assign(c.R.Context(), tx, req, c.Now())
			return err
		})
	}
	if err != nil {
		v, lerr := s.assignmentsView(c)
		if lerr != nil {
			return lerr
		}
		v.Form = f
		if !v.Errors.FromError(err) {
			return err
		}
		return c.RenderStatus(http.StatusUnprocessableEntity, "training/assignments", "Assignments", v)
	}
	msg := fmt.Sprintf("Assigned to %d people: %d new assignments, %d reactivated, %d given an earlier due date, %d unchanged.",
		res.People, res.Created, res.Reactivated, res.Tightened, res.Unchanged)
	if res.RuleID != 0 {
		msg += " Newcomers of the selection get it automatically."
	}
	return c.Redirect("/training/assignments?state=open", "ok", msg)
}

func (s *Server) trainingAssignmentCancel(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	a, err := c.Scope.Assignment(c.R.Context(), id)
	if err != nil {
		return err
	}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error {
		_, err := tx.CancelAssignments(c.R.Context(), []int64{id}, "withdrew an assignment")
		return err
	}); err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/training/people/%d", a.StaffID), "ok", "The assignment was withdrawn.")
}

type recordsView struct {
	Modules     []domain.TrainingModule
	Departments []string
	Recent      []domain.TrainingRecord
	Form        recordForm
	Errors      FieldErrors
	Today       string
}

type recordForm struct {
	ModuleID                             int64
	Date, Result, Score, Provider, URL   string
	People, Department, Note, ReturnPath string
}

func (s *Server) recordsView(c *Ctx) (recordsView, error) {
	ctx := c.R.Context()
	v := recordsView{Errors: FieldErrors{}, Today: c.Now().In(c.Loc()).Format("2006-01-02"), Form: recordForm{Result: domain.ResultCompleted, Provider: "internal"}}
	var err error
	if v.Modules, err = c.Scope.TrainingModules(ctx, false); err != nil {
		return v, err
	}
	if v.Departments, err = c.Scope.StaffDepartments(ctx); err != nil {
		return v, err
	}
	v.Recent, err = c.Scope.TrainingRecords(ctx, store.RecordFilter{Kinds: []string{domain.RecordCourse, domain.RecordExercise}, Limit: 30})
	return v, err
}

func (s *Server) trainingRecords(c *Ctx) error {
	v, err := s.recordsView(c)
	if err != nil {
		return err
	}
	return c.Render("training/records", "Record completion", v)
}

// maxEvidence bounds an evidence file uploaded with a completion.
const maxEvidence = 10 << 20

func (s *Server) trainingRecord(c *Ctx) error {
	f := recordForm{Date: c.Form("date"), Result: c.Form("result"), Score: c.Form("score"), Provider: c.Form("provider"),
		URL: c.Form("evidence_url"), People: c.R.PostFormValue("people"), Department: c.Form("department"), Note: c.Form("note"),
		ReturnPath: safeNext(c.Form("return"))}
	f.ModuleID, _ = strconv.ParseInt(c.Form("module_id"), 10, 64)
	comp := training.Completion{ModuleID: f.ModuleID, Result: f.Result, Provider: f.Provider, EvidenceURL: f.URL, People: f.People,
		Department: f.Department, Note: f.Note}
	if sid, _ := strconv.ParseInt(c.Form("staff_id"), 10, 64); sid > 0 {
		comp.StaffIDs = []int64{sid}
	}
	var res training.CompletionResult
	err := func() error {
		var err error
		if comp.Date, err = training.ParseDate(f.Date); err != nil {
			return domain.Invalid("date", "%s", err.Error())
		}
		if comp.Score, err = training.ParseScore(f.Score); err != nil {
			return domain.Invalid("score", "%s", err.Error())
		}
		file, hdr, ferr := c.R.FormFile("evidence")
		if ferr != nil && !errors.Is(ferr, http.ErrMissingFile) {
			return domain.Invalid("evidence", "the file could not be read")
		}
		return c.Scope.Write(c.R.Context(), func(tx *store.Tx) error {
			if file != nil {
				defer file.Close()
				data, err := io.ReadAll(io.LimitReader(file, maxEvidence+1))
				if err != nil {
					return domain.Invalid("evidence", "the file could not be read")
				}
				if len(data) > maxEvidence {
					return &domain.Error{Code: domain.ETooLarge, Field: "evidence", Message: "the evidence file is larger than 10 MB"}
				}
				if len(data) > 0 {
					tf := domain.TrainingFile{Purpose: "evidence", Name: hdr.Filename, ContentType: http.DetectContentType(data), Data: data}
					if err := tx.PutTrainingFile(c.R.Context(), &tf); err != nil {
						return err
					}
					comp.EvidenceFileID = &tf.ID
				}
			}
			var err error
			res, err = training.RecordCompletion(c.R.Context(), tx, comp, c.Now())
			return err
		})
	}()
	if err != nil {
		v, lerr := s.recordsView(c)
		if lerr != nil {
			return lerr
		}
		v.Form = f
		if !v.Errors.FromError(err) {
			return err
		}
		return c.RenderStatus(http.StatusUnprocessableEntity, "training/records", "Record completion", v)
	}
	back := "/training/records"
	if f.ReturnPath != "/" {
		back = f.ReturnPath
	}
	return c.Redirect(back, "ok", fmt.Sprintf("Recorded for %d people (%d recorded before).", res.Added, res.Skipped))
}

func (s *Server) trainingRecordDelete(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	r, err := c.Scope.TrainingRecord(c.R.Context(), id)
	if err != nil {
		return err
	}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.DeleteTrainingRecord(c.R.Context(), id) }); err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/training/people/%d", r.StaffID), "ok", "The record was removed.")
}

func (s *Server) trainingEvidence(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	f, err := c.Scope.TrainingFile(c.R.Context(), id)
	if err != nil || f.Purpose != "evidence" {
		return domain.NotFound("evidence file")
	}
	name := strings.Map(func(r rune) rune {
		if r < 0x20 || r == '"' || r == '\\' || r > 0x7e {
			return '_'
		}
		return r
	}, f.Name)
	c.W.Header().Set("Content-Type", "application/octet-stream")
	c.W.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	c.W.Header().Set("X-Content-Type-Options", "nosniff")
	c.W.Header().Set("Cache-Control", "no-store")
	_, err = c.W.Write(f.Data)
	return err
}
