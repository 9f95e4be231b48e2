package api

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/httpx"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/training"
)

// StaffChange is a person after a change, with what the assignment rules did.
type StaffChange struct {
	Staff   domain.Staff         `json:"staff"`
	Applied training.ApplyResult `json:"applied"`
	// Warnings are kept but flagged: a department that is not in the inventory's departments.
	Warnings []string `json:"warnings,omitempty"`
}

// staffWarnings flags a person's department when the inventory does not know it (training.Departments).
func staffWarnings(c *Call, p domain.Staff) ([]string, error) {
	d, err := training.LoadDepartments(c.Ctx(), c.Scope)
	if err != nil {
		return nil, err
	}
	if w := d.Warning(p.Department); w != "" {
		return []string{w}, nil
	}
	return nil, nil
}

// ParticipantInput adds a person of the staff register to an exercise or sets their role and attendance.
type ParticipantInput struct {
	StaffID  int64  `json:"staff_id"`
	Role     string `json:"role"`
	Attended bool   `json:"attended"`
}

// ParticipantRef names a participant of an exercise.
type ParticipantRef struct {
	StaffID int64 `json:"staff_id"`
}

// maxEvidenceBytes bounds an uploaded evidence file (a certificate).
const maxEvidenceBytes = 10 << 20

func (c *Call) id(name string) (int64, error) { return c.PathInt(name) }

// TrainingRoutes registers the operations of the training module: the programme (modules, curricula,
// rules), the staff register, assignments, records, coverage, imports and exercises.
func (a *API) TrainingRoutes() {
	const tag = "training"
	read, write := domain.PermRead, domain.PermTraining

	Handle(a, Op{Method: http.MethodGet, Path: "/training/coverage", ID: "getTrainingCoverage", Tag: tag, Perm: read,
		Summary:     "Training coverage: completed, due and overdue per department, audience and module, the board, trend and phishing figures",
		Description: "The same figures as `vigil training coverage --json`. Leavers are left out; groups are sorted lagging first."},
		func(c *Call, _ Empty) (training.Report, error) {
			return training.Coverage(c.Ctx(), c.Scope, time.Now())
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/training/board", ID: "getBoardTraining", Tag: tag, Perm: read,
		Summary: "Training status of the management body (NIS2 Art 20(2))"},
		func(c *Call, _ Empty) (training.Board, error) {
			r, err := training.Coverage(c.Ctx(), c.Scope, time.Now())
			return r.Board, err
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/training/phishing", ID: "getPhishingFigures", Tag: tag, Perm: read,
		Summary: "Phishing simulation results of the last twelve months: click and report rates per department and campaign"},
		func(c *Call, _ Empty) (training.Phishing, error) {
			r, err := training.Coverage(c.Ctx(), c.Scope, time.Now())
			return r.Phishing, err
		})

	// Programme: catalogue, modules, curricula, rules.
	Handle(a, Op{Method: http.MethodGet, Path: "/training/catalogue", ID: "getTrainingCatalogue", Tag: tag, Perm: read,
		Summary: "The starter catalogue of modules and curricula shipped with Vigil (versioned, with sources)"},
		func(c *Call, _ Empty) (training.Catalogue, error) { return training.StarterCatalogue(), nil })
	Handle(a, Op{Method: http.MethodPost, Path: "/training/catalogue/install", ID: "installTrainingCatalogue", Tag: tag, Perm: write,
		Summary: "Copy the starter catalogue's modules and curricula the organisation does not have yet (its own edits are kept)"},
		func(c *Call, _ Empty) (training.InstallResult, error) {
			var res training.InstallResult
			err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error {
				var err error
				res, err = training.InstallCatalogue(c.Ctx(), tx)
				return err
			})
			return res, err
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/training/modules", ID: "listTrainingModules", Tag: tag, Perm: read, Summary: "The organisation's training modules",
		Params: []Param{{Name: "archived", In: "query", Type: "boolean", Description: "include archived modules"}}},
		func(c *Call, _ Empty) ([]domain.TrainingModule, error) {
			arch, err := c.QueryBool("archived")
			if err != nil {
				return nil, err
			}
			return c.Scope.TrainingModules(c.Ctx(), arch)
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/training/modules", ID: "createTrainingModule", Tag: tag, Perm: write, Status: http.StatusCreated,
		Summary: "Add a training module"},
		func(c *Call, in domain.TrainingModule) (domain.TrainingModule, error) {
			in.ID, in.Source = 0, ""
			err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.CreateTrainingModule(c.Ctx(), &in) })
			return in, err
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/training/modules/{id}", ID: "getTrainingModule", Tag: tag, Perm: read, Summary: "One training module"},
		func(c *Call, _ Empty) (domain.TrainingModule, error) {
			id, err := c.id("id")
			if err != nil {
				return domain.TrainingModule{}, err
			}
			return c.Scope.TrainingModule(c.Ctx(), id)
		})
	Handle(a, Op{Method: http.MethodPut, Path: "/training/modules/{id}", ID: "updateTrainingModule", Tag: tag, Perm: write,
		Summary: "Change a training module (archive it with archived: true)"},
		func(c *Call, in domain.TrainingModule) (domain.TrainingModule, error) {
			id, err := c.id("id")
			if err != nil {
				return in, err
			}
			old, err := c.Scope.TrainingModule(c.Ctx(), id)
			if err != nil {
				return in, err
			}
			in.ID, in.Source = old.ID, old.Source
			if err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.UpdateTrainingModule(c.Ctx(), in) }); err != nil {
				return in, err
			}
			return c.Scope.TrainingModule(c.Ctx(), id)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/training/curricula", ID: "listCurricula", Tag: tag, Perm: read, Summary: "The organisation's curricula with their modules"},
		func(c *Call, _ Empty) ([]domain.Curriculum, error) { return c.Scope.Curricula(c.Ctx()) })
	Handle(a, Op{Method: http.MethodPost, Path: "/training/curricula", ID: "createCurriculum", Tag: tag, Perm: write, Status: http.StatusCreated,
		Summary: "Add a curriculum (module_ids in order)"},
		func(c *Call, in domain.Curriculum) (domain.Curriculum, error) {
			in.ID, in.Source = 0, ""
			if err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.CreateCurriculum(c.Ctx(), &in) }); err != nil {
				return in, err
			}
			return c.Scope.Curriculum(c.Ctx(), in.ID)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/training/curricula/{id}", ID: "getCurriculum", Tag: tag, Perm: read, Summary: "One curriculum"},
		func(c *Call, _ Empty) (domain.Curriculum, error) {
			id, err := c.id("id")
			if err != nil {
				return domain.Curriculum{}, err
			}
			return c.Scope.Curriculum(c.Ctx(), id)
		})
	Handle(a, Op{Method: http.MethodPut, Path: "/training/curricula/{id}", ID: "updateCurriculum", Tag: tag, Perm: write,
		Summary: "Change a curriculum and replace its module list"},
		func(c *Call, in domain.Curriculum) (domain.Curriculum, error) {
			id, err := c.id("id")
			if err != nil {
				return in, err
			}
			old, err := c.Scope.Curriculum(c.Ctx(), id)
			if err != nil {
				return in, err
			}
			in.ID, in.Source = old.ID, old.Source
			if err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.UpdateCurriculum(c.Ctx(), in) }); err != nil {
				return in, err
			}
			return c.Scope.Curriculum(c.Ctx(), id)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/training/rules", ID: "listAssignmentRules", Tag: tag, Perm: read,
		Summary: "Assignment rules: which curriculum goes to which audience or department (automatic ones also to newcomers)"},
		func(c *Call, _ Empty) ([]domain.AssignmentRule, error) { return c.Scope.TrainingRules(c.Ctx()) })
	Handle(a, Op{Method: http.MethodDelete, Path: "/training/rules/{id}", ID: "deleteAssignmentRule", Tag: tag, Perm: write,
		Summary: "Remove an assignment rule (the assignments it made stay)"},
		func(c *Call, _ Empty) (Empty, error) {
			id, err := c.id("id")
			if err != nil {
				return Empty{}, err
			}
			return Empty{}, c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.DeleteTrainingRule(c.Ctx(), id) })
		})

	// Staff register.
	Handle(a, Op{Method: http.MethodGet, Path: "/training/staff", ID: "listStaff", Tag: tag, Perm: read, Summary: "The staff register",
		Params: append([]Param{
			{Name: "department", In: "query", Description: "only this department"},
			{Name: "audience", In: "query", Description: "only this job group", Enum: audienceEnum(domain.PrimaryAudiences)},
			{Name: "board", In: "query", Type: "boolean", Description: "only members of the management body"},
			{Name: "state", In: "query", Enum: []string{"active", "leavers", "all"}, Description: "current staff (default), leavers or all"},
		}, ListParams...)},
		func(c *Call, _ Empty) (domain.Page[domain.Staff], error) {
			p, err := c.List()
			if err != nil {
				return domain.Page[domain.Staff]{}, err
			}
			board, err := c.QueryBool("board")
			if err != nil {
				return domain.Page[domain.Staff]{}, err
			}
			return c.Scope.Staff(c.Ctx(), store.StaffFilter{ListParams: p, Department: c.Query("department"),
				Audience: domain.Audience(c.Query("audience")), Board: board, State: c.Query("state")})
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/training/staff", ID: "createStaff", Tag: tag, Perm: write, Status: http.StatusCreated,
		Summary: "Add a person to the staff register; the automatic assignment rules give them their curricula"},
		func(c *Call, in domain.Staff) (StaffChange, error) {
			in.ID, in.UserID = 0, nil
			var res StaffChange
			err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error {
				var err error
				res.Applied, err = training.AddPerson(c.Ctx(), tx, &in, time.Now())
				return err
			})
			if err != nil {
				return res, err
			}
			if res.Staff, err = c.Scope.StaffMember(c.Ctx(), in.ID); err != nil {
				return res, err
			}
			res.Warnings, err = staffWarnings(c, res.Staff)
			return res, err
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/training/staff/{id}", ID: "getStaff", Tag: tag, Perm: read,
		Summary: "A person with their assignments (evaluated today), training records and reminders"},
		func(c *Call, _ Empty) (training.StaffDetail, error) {
			id, err := c.id("id")
			if err != nil {
				return training.StaffDetail{}, err
			}
			return training.LoadStaffDetail(c.Ctx(), c.Scope, id, time.Now())
		})
	Handle(a, Op{Method: http.MethodPut, Path: "/training/staff/{id}", ID: "updateStaff", Tag: tag, Perm: write,
		Summary: "Change a person; a new job group, department or board membership applies the assignment rules again"},
		func(c *Call, in domain.Staff) (StaffChange, error) {
			id, err := c.id("id")
			if err != nil {
				return StaffChange{}, err
			}
			if _, err := c.Scope.StaffMember(c.Ctx(), id); err != nil {
				return StaffChange{}, err
			}
			in.ID = id
			var res StaffChange
			if err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error {
				var err error
				res.Applied, err = training.UpdatePerson(c.Ctx(), tx, in, time.Now())
				return err
			}); err != nil {
				return res, err
			}
			if res.Staff, err = c.Scope.StaffMember(c.Ctx(), id); err != nil {
				return res, err
			}
			res.Warnings, err = staffWarnings(c, res.Staff)
			return res, err
		})
	Handle(a, Op{Method: http.MethodDelete, Path: "/training/staff/{id}", ID: "deleteStaff", Tag: tag, Perm: write,
		Summary: "Remove a person with their assignments and records (for mistakes and erasure requests; set a leaver date otherwise)"},
		func(c *Call, _ Empty) (Empty, error) {
			id, err := c.id("id")
			if err != nil {
				return Empty{}, err
			}
			return Empty{}, c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.DeleteStaff(c.Ctx(), id) })
		})

	// Assignments and records.
	Handle(a, Op{Method: http.MethodGet, Path: "/training/assignments", ID: "listAssignments", Tag: tag, Perm: read,
		Summary: "Open assignments of current staff with their state today",
		Params: append([]Param{
			{Name: "state", In: "query", Enum: training.AssignmentStates, Description: "open = due, overdue or not yet due"},
			{Name: "department", In: "query"}, {Name: "audience", In: "query"},
			{Name: "module_id", In: "query", Type: "integer"}, {Name: "staff_id", In: "query", Type: "integer"},
		}, ListParams...)},
		func(c *Call, _ Empty) (domain.Page[training.AssignmentView], error) {
			p, err := c.List()
			if err != nil {
				return domain.Page[training.AssignmentView]{}, err
			}
			f := training.AssignmentQuery{State: c.Query("state"), Department: c.Query("department"), Audience: c.Query("audience"), Q: p.Q}
			if f.ModuleID, err = queryID(c, "module_id"); err != nil {
				return domain.Page[training.AssignmentView]{}, err
			}
			if f.StaffID, err = queryID(c, "staff_id"); err != nil {
				return domain.Page[training.AssignmentView]{}, err
			}
			return training.ListAssignments(c.Ctx(), c.Scope, f, p, time.Now())
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/training/assignments", ID: "assignTraining", Tag: tag, Perm: write,
		Summary: "Assign a curriculum or a module to named people, a department, an audience or everyone (auto: also to newcomers)"},
		func(c *Call, in training.BulkAssign) (training.AssignResult, error) {
			var res training.AssignResult
			err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error {
				var err error
				res, err = training.Assign(c.Ctx(), tx, in, time.Now())
				return err
			})
			return res, err
		})
	Handle(a, Op{Method: http.MethodDelete, Path: "/training/assignments/{id}", ID: "cancelAssignment", Tag: tag, Perm: write,
		Summary: "Withdraw an assignment"},
		func(c *Call, _ Empty) (Empty, error) {
			id, err := c.id("id")
			if err != nil {
				return Empty{}, err
			}
			if _, err := c.Scope.Assignment(c.Ctx(), id); err != nil {
				return Empty{}, err
			}
			return Empty{}, c.Scope.Write(c.Ctx(), func(tx *store.Tx) error {
				_, err := tx.CancelAssignments(c.Ctx(), []int64{id}, "withdrew an assignment")
				return err
			})
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/training/records", ID: "listTrainingRecords", Tag: tag, Perm: read,
		Summary: "Training records (completions, phishing results, exercises), newest first",
		Params: []Param{{Name: "staff_id", In: "query", Type: "integer"}, {Name: "module_id", In: "query", Type: "integer"},
			{Name: "kind", In: "query", Enum: []string{domain.RecordCourse, domain.RecordPhishing, domain.RecordExercise}},
			{Name: "limit", In: "query", Type: "integer", Description: "at most this many (default 500)"}}},
		func(c *Call, _ Empty) ([]domain.TrainingRecord, error) {
			f := store.RecordFilter{Limit: 500}
			var err error
			if f.StaffID, err = queryID(c, "staff_id"); err != nil {
				return nil, err
			}
			if f.ModuleID, err = queryID(c, "module_id"); err != nil {
				return nil, err
			}
			if k := c.Query("kind"); k != "" {
				f.Kinds = []string{k}
			}
			if f.Limit, err = c.QueryInt("limit", 500); err != nil || f.Limit < 1 || f.Limit > 10000 {
				return nil, domain.Invalid("limit", "must be between 1 and 10000")
			}
			return c.Scope.TrainingRecords(c.Ctx(), f)
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/training/records", ID: "recordCompletion", Tag: tag, Perm: write,
		Summary: "Record a completion (or a failed attempt) of a module for one person or many, with evidence link or uploaded file"},
		func(c *Call, in training.Completion) (training.CompletionResult, error) {
			var res training.CompletionResult
			err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error {
				var err error
				res, err = training.RecordCompletion(c.Ctx(), tx, in, time.Now())
				return err
			})
			return res, err
		})
	Handle(a, Op{Method: http.MethodDelete, Path: "/training/records/{id}", ID: "deleteTrainingRecord", Tag: tag, Perm: write,
		Summary: "Remove a record entered by mistake"},
		func(c *Call, _ Empty) (Empty, error) {
			id, err := c.id("id")
			if err != nil {
				return Empty{}, err
			}
			return Empty{}, c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.DeleteTrainingRecord(c.Ctx(), id) })
		})
	HandleRaw(a, Op{Method: http.MethodPost, Path: "/training/evidence", ID: "uploadTrainingEvidence", Tag: tag, Perm: write, Upload: true,
		Status: http.StatusCreated, Response: domain.TrainingFile{},
		Summary: "Upload evidence of a completion (a certificate, at most 10 MB); use its id as evidence_file_id"},
		func(w http.ResponseWriter, c *Call) error {
			up, err := c.Upload(maxEvidenceBytes)
			if err != nil {
				return err
			}
			f := domain.TrainingFile{Purpose: "evidence", Name: up.Name, ContentType: http.DetectContentType(up.Data), Data: up.Data}
			if err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.PutTrainingFile(c.Ctx(), &f) }); err != nil {
				return err
			}
			httpx.JSON(w, http.StatusCreated, f)
			return nil
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/training/evidence", ID: "listTrainingEvidence", Tag: tag, Perm: read,
		Summary: "Evidence files uploaded for completions (without their content), newest first"},
		func(c *Call, _ Empty) ([]domain.TrainingFile, error) {
			return c.Scope.TrainingFiles(c.Ctx(), "evidence")
		})
	HandleRaw(a, Op{Method: http.MethodGet, Path: "/training/evidence/{id}", ID: "downloadTrainingEvidence", Tag: tag, Perm: read,
		Produces: "application/octet-stream", Summary: "Download an evidence file"},
		func(w http.ResponseWriter, c *Call) error {
			id, err := c.id("id")
			if err != nil {
				return err
			}
			f, err := c.Scope.TrainingFile(c.Ctx(), id)
			if err != nil || f.Purpose != "evidence" {
				return domain.NotFound("evidence file")
			}
			ServeEvidence(w, f)
			return nil
		})

	// Imports.
	for _, kind := range []string{"staff", "training-results"} {
		HandleRaw(a, Op{Method: http.MethodPost, Path: "/import/" + kind, ID: importOpID(kind), Tag: tag, Perm: write, Upload: true,
			Response: training.ImportResult{},
			Summary:  importSummary(kind),
			Description: "All or nothing: with any problem nothing is written and the answer is 422 with the rejections, each naming row " +
				"and column. With dry_run=true the answer says what would change.",
			Params: []Param{{Name: "dry_run", In: "query", Type: "boolean", Description: "check and count, write nothing"},
				{Name: "mapping", In: "query", Description: "field=Column pairs, comma-separated, for columns named differently"},
				{Name: "filename", In: "query", Description: "the file name, when the body is the raw file"}}},
			func(w http.ResponseWriter, c *Call) error {
				res, err := RunImport(c, kind)
				if err != nil {
					return err
				}
				status := http.StatusOK
				if !res.OK {
					status = http.StatusUnprocessableEntity
				}
				httpx.JSON(w, status, res)
				return nil
			})
	}

	// Exercises.
	Handle(a, Op{Method: http.MethodGet, Path: "/training/scenarios", ID: "listScenarios", Tag: tag, Perm: read,
		Summary: "The tabletop exercise library: scenarios with objectives, injects, timings, discussion questions and references"},
		func(c *Call, _ Empty) ([]training.Scenario, error) { s, _ := training.Scenarios(); return s, nil })
	Handle(a, Op{Method: http.MethodGet, Path: "/training/exercises", ID: "listExercises", Tag: tag, Perm: read, Summary: "Exercises, newest first"},
		func(c *Call, _ Empty) ([]domain.Exercise, error) { return c.Scope.Exercises(c.Ctx()) })
	Handle(a, Op{Method: http.MethodPost, Path: "/training/exercises", ID: "planExercise", Tag: tag, Perm: write, Status: http.StatusCreated,
		Summary: "Plan an exercise from a scenario of the library"},
		func(c *Call, in domain.Exercise) (domain.Exercise, error) {
			e := domain.Exercise{Scenario: in.Scenario, Title: in.Title, Planned: in.Planned, Facilitator: in.Facilitator, Location: in.Location,
				Summary: in.Summary, IncidentID: in.IncidentID}
			err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return training.PlanExercise(c.Ctx(), tx, &e) })
			return e, err
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/training/exercises/{id}", ID: "getExercise", Tag: tag, Perm: read,
		Summary: "An exercise with its scenario, participants, log, timings against the injects and findings"},
		func(c *Call, _ Empty) (training.ExerciseDetail, error) {
			id, err := c.id("id")
			if err != nil {
				return training.ExerciseDetail{}, err
			}
			return training.LoadExercise(c.Ctx(), c.Scope, id)
		})
	Handle(a, Op{Method: http.MethodPut, Path: "/training/exercises/{id}", ID: "updateExercise", Tag: tag, Perm: write,
		Summary: "Change an exercise's title, plan, facilitator, location, summary or the linked exercise incident"},
		func(c *Call, in domain.Exercise) (domain.Exercise, error) {
			id, err := c.id("id")
			if err != nil {
				return in, err
			}
			e, err := c.Scope.Exercise(c.Ctx(), id)
			if err != nil {
				return e, err
			}
			e.Title, e.Planned, e.Facilitator, e.Location, e.Summary, e.IncidentID = in.Title, in.Planned, in.Facilitator, in.Location, in.Summary, in.IncidentID
			if err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.UpdateExercise(c.Ctx(), e) }); err != nil {
				return e, err
			}
			return c.Scope.Exercise(c.Ctx(), id)
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/training/exercises/{id}/start", ID: "startTabletopExercise", Tag: tag, Perm: write,
		Summary: "Start an exercise: injects and decisions are timed from now; the incident module's exercise for the scenario starts " +
			"with it (accelerated reporting clocks, the participants' Vigil accounts) and its number is the exercise's incident_id"},
		func(c *Call, _ Empty) (domain.Exercise, error) {
			id, err := c.id("id")
			if err != nil {
				return domain.Exercise{}, err
			}
			var owner int64
			if c.Principal.User != nil {
				owner = c.Principal.User.ID
			}
			var res training.ClockResult
			err = c.Scope.Write(c.Ctx(), func(tx *store.Tx) error {
				var err error
				res, err = training.StartWithClocks(c.Ctx(), tx, id, time.Now(), 0, owner)
				return err
			})
			return res.Exercise, err
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/training/exercises/{id}/complete", ID: "completeExercise", Tag: tag, Perm: write,
		Summary: "Finish an exercise; participants who attended get a training record (module tabletop-exercise)"},
		func(c *Call, _ Empty) (training.CompleteResult, error) {
			id, err := c.id("id")
			if err != nil {
				return training.CompleteResult{}, err
			}
			var res training.CompleteResult
			err = c.Scope.Write(c.Ctx(), func(tx *store.Tx) error {
				var err error
				res, err = training.CompleteExercise(c.Ctx(), tx, id, time.Now())
				return err
			})
			return res, err
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/training/exercises/{id}/participants", ID: "setExerciseParticipant", Tag: tag, Perm: write,
		Summary: "Add a person of the register to an exercise, or change their role and attendance"},
		func(c *Call, in ParticipantInput) (domain.Participant, error) {
			id, err := exerciseID(c)
			if err != nil {
				return domain.Participant{}, err
			}
			if _, err := c.Scope.StaffMember(c.Ctx(), in.StaffID); err != nil {
				return domain.Participant{}, domain.Invalid("staff_id", "no person %d in the staff register", in.StaffID)
			}
			p := domain.Participant{ExerciseID: id, StaffID: in.StaffID, Role: strings.TrimSpace(in.Role), Attended: in.Attended}
			if err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.SetParticipant(c.Ctx(), p) }); err != nil {
				return p, err
			}
			parts, err := c.Scope.Participants(c.Ctx(), id)
			for _, x := range parts {
				if x.StaffID == p.StaffID {
					p = x
				}
			}
			return p, err
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/training/exercises/{id}/participants/remove", ID: "removeExerciseParticipant", Tag: tag, Perm: write,
		Summary: "Take a person off an exercise"},
		func(c *Call, in ParticipantRef) (Empty, error) {
			id, err := exerciseID(c)
			if err != nil {
				return Empty{}, err
			}
			return Empty{}, c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.RemoveParticipant(c.Ctx(), id, in.StaffID) })
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/training/exercises/{id}/log", ID: "logExercise", Tag: tag, Perm: write, Status: http.StatusCreated,
		Summary:     "Record an inject released, a decision or a note",
		Description: "elapsed_minutes defaults to the minutes since the exercise started."},
		func(c *Call, in domain.ExerciseLogEntry) (domain.ExerciseLogEntry, error) {
			id, err := c.id("id")
			if err != nil {
				return in, err
			}
			e, err := c.Scope.Exercise(c.Ctx(), id)
			if err != nil {
				return in, err
			}
			in.ID, in.ExerciseID = 0, id
			if in.ElapsedMinutes == 0 {
				in.ElapsedMinutes = training.Elapsed(e, time.Now())
			}
			err = c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.AddExerciseLog(c.Ctx(), &in) })
			return in, err
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/training/findings", ID: "listExerciseFindings", Tag: tag, Perm: read,
		Summary: "Findings of all exercises with their actions, open first"},
		func(c *Call, _ Empty) ([]domain.ExerciseFinding, error) { return c.Scope.Findings(c.Ctx(), 0) })
	Handle(a, Op{Method: http.MethodPost, Path: "/training/exercises/{id}/findings", ID: "createExerciseFinding", Tag: tag, Perm: write,
		Status: http.StatusCreated, Summary: "Record a finding of an exercise, with its action, owner and due date"},
		func(c *Call, in domain.ExerciseFinding) (domain.ExerciseFinding, error) {
			id, err := c.id("id")
			if err != nil {
				return in, err
			}
			if _, err := c.Scope.Exercise(c.Ctx(), id); err != nil {
				return in, err
			}
			in.ID, in.ExerciseID = 0, id
			if err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.CreateFinding(c.Ctx(), &in) }); err != nil {
				return in, err
			}
			return c.Scope.Finding(c.Ctx(), in.ID)
		})
	Handle(a, Op{Method: http.MethodPut, Path: "/training/findings/{id}", ID: "updateExerciseFinding", Tag: tag, Perm: write,
		Summary: "Change a finding or its action (status done closes it)"},
		func(c *Call, in domain.ExerciseFinding) (domain.ExerciseFinding, error) {
			id, err := c.id("id")
			if err != nil {
				return in, err
			}
			old, err := c.Scope.Finding(c.Ctx(), id)
			if err != nil {
				return in, err
			}
			in.ID, in.ExerciseID, in.Closed = id, old.ExerciseID, old.Closed
			if err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.UpdateFinding(c.Ctx(), in) }); err != nil {
				return in, err
			}
			return c.Scope.Finding(c.Ctx(), id)
		})
}

func audienceEnum(as []domain.Audience) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = string(a)
	}
	return out
}

func importOpID(kind string) string {
	if kind == "staff" {
		return "importStaff"
	}
	return "importTrainingResults"
}

func importSummary(kind string) string {
	if kind == "staff" {
		return "Import the staff register from an HR export (CSV or XLSX; English or German headers)"
	}
	return "Import results of e-learning platforms and phishing simulations (CSV or XLSX)"
}

func queryID(c *Call, name string) (int64, error) {
	n, err := c.QueryInt(name, 0)
	if err != nil || n < 0 {
		return 0, domain.Invalid(name, "must be a positive number")
	}
	return int64(n), nil
}

// exerciseID returns the exercise of the path, looked up in the caller's organisation.
func exerciseID(c *Call) (int64, error) {
	id, err := c.id("id")
	if err != nil {
		return 0, err
	}
	if _, err := c.Scope.Exercise(c.Ctx(), id); err != nil {
		return 0, err
	}
	return id, nil
}

// maxImportBytes bounds an uploaded import file (the reader has its own, equal limit).
var maxImportBytes = training.DefaultLimits.MaxBytes

// RunImport runs the staff or training-results import of an upload operation with its dry_run and
// mapping query parameters.
func RunImport(c *Call, kind string) (training.ImportResult, error) {
	fields := training.StaffFields
	if kind != "staff" {
		fields = training.ResultFields
	}
	m, err := training.ParseMapping(c.Query("mapping"), fields)
	if err != nil {
		return training.ImportResult{}, err
	}
	dry, err := c.QueryBool("dry_run")
	if err != nil {
		return training.ImportResult{}, err
	}
	up, err := c.Upload(maxImportBytes)
	if err != nil {
		return training.ImportResult{}, err
	}
	name := up.Name
	if name == "" {
		name = "upload"
	}
	opt := training.ImportOptions{Mapping: m, DryRun: dry, Now: time.Now()}
	if kind == "staff" {
		return training.ImportStaff(c.Ctx(), c.Scope.Store(), c.Scope.Org(), name, strings.NewReader(string(up.Data)), opt)
	}
	return training.ImportResults(c.Ctx(), c.Scope.Store(), c.Scope.Org(), name, strings.NewReader(string(up.Data)), opt)
}

// ServeEvidence writes an evidence file as a download (never rendered inline: it is user content).
func ServeEvidence(w http.ResponseWriter, f domain.TrainingFile) {
	ct := f.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", strings.Map(func(r rune) rune {
		if r < 0x20 || r == '"' || r == '\\' || r > 0x7e {
			return '_'
		}
		return r
	}, f.Name)))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "sandbox")
	_, _ = w.Write(f.Data)
}
