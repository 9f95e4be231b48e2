package training

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// AssignmentStates are the state filters of ListAssignments ("open" is due, overdue or not yet due).
var AssignmentStates = []string{"completed", "due", "overdue", "not_yet_due", "open"}

// StaffDetail is a person with their assignments (evaluated today), records and reminders.
type StaffDetail struct {
	Staff       domain.Staff            `json:"staff"`
	Assignments []AssignmentView        `json:"assignments"`
	Records     []domain.TrainingRecord `json:"records"`
	Reminders   []store.Reminder        `json:"reminders"`
}

// ExerciseDetail is an exercise with its scenario, participants, log laid against the injects, and
// findings.
type ExerciseDetail struct {
	Exercise     domain.Exercise           `json:"exercise"`
	Scenario     Scenario                  `json:"scenario"`
	Participants []domain.Participant      `json:"participants"`
	Log          []domain.ExerciseLogEntry `json:"log"`
	Timings      []InjectTiming            `json:"timings"`
	Findings     []domain.ExerciseFinding  `json:"findings"`
}

// AssignmentQuery filters the list of assignments.
type AssignmentQuery struct {
	State      string // completed, due, overdue, not_yet_due or open
	Department string
	Audience   string
	ModuleID   int64
	StaffID    int64
	Q          string // part of the person's name or the module's title
}

// ListAssignments evaluates the organisation's assignments at now, filters, sorts (worst state and
// earliest due date first unless p.Sort names person, department, module or due) and pages them.
func ListAssignments(ctx context.Context, sc *store.Scope, f AssignmentQuery, p domain.ListParams, now time.Time) (domain.Page[AssignmentView], error) {
	if f.State != "" && !slices.Contains(AssignmentStates, f.State) {
		return domain.Page[AssignmentView]{}, domain.Invalid("state", "must be one of %s", strings.Join(AssignmentStates, ", "))
	}
	d, err := Load(ctx, sc)
	if err != nil {
		return domain.Page[AssignmentView]{}, err
	}
	q := strings.ToLower(f.Q)
	var items []AssignmentView
	for _, v := range Views(d, now) {
		st := string(v.Status.State)
		switch {
		case f.State == "open" && st == string(StateCompleted),
			f.State != "" && f.State != "open" && st != f.State,
			f.Department != "" && v.Department != f.Department,
			f.Audience != "" && string(v.Audience) != f.Audience,
			f.ModuleID != 0 && v.ModuleID != f.ModuleID,
			f.StaffID != 0 && v.StaffID != f.StaffID,
			q != "" && !strings.Contains(strings.ToLower(v.StaffName), q) && !strings.Contains(strings.ToLower(v.ModuleTitle), q):
			continue
		}
		items = append(items, v)
	}
	sortAssignments(items, p.Sort)
	p = p.Normalize()
	out := domain.Page[AssignmentView]{Total: len(items), Limit: p.Limit, Offset: p.Offset, Items: []AssignmentView{}}
	if p.Offset < len(items) {
		out.Items = items[p.Offset:min(len(items), p.Offset+p.Limit)]
	}
	return out, nil
}

func sortAssignments(items []AssignmentView, key string) {
	rank := map[State]int{StateOverdue: 0, StateDue: 1, StateNotYetDue: 2, StateCompleted: 3}
	desc := strings.HasPrefix(key, "-")
	key = strings.TrimPrefix(key, "-")
	less := func(a, b AssignmentView) int {
		switch key {
		case "person":
			return strings.Compare(a.StaffName, b.StaffName)
		case "department":
			return strings.Compare(a.Department, b.Department)
		case "module":
			return strings.Compare(a.ModuleTitle, b.ModuleTitle)
		case "due":
			return a.Status.Due.Compare(b.Status.Due)
		}
		if rank[a.Status.State] != rank[b.Status.State] {
			return rank[a.Status.State] - rank[b.Status.State]
		}
		return a.Status.Due.Compare(b.Status.Due)
	}
	slices.SortStableFunc(items, func(a, b AssignmentView) int {
		c := less(a, b)
		if c == 0 {
			c = strings.Compare(a.StaffName, b.StaffName)
		}
		if desc {
			return -c
		}
		return c
	})
}

// LoadExercise reads an exercise with everything around it.
func LoadExercise(ctx context.Context, sc *store.Scope, id int64) (ExerciseDetail, error) {
	var d ExerciseDetail
	var err error
	if d.Exercise, err = sc.Exercise(ctx, id); err != nil {
		return d, err
	}
	d.Scenario, _ = ScenarioByID(d.Exercise.Scenario)
	if d.Participants, err = sc.Participants(ctx, id); err != nil {
		return d, err
	}
	if d.Log, err = sc.ExerciseLog(ctx, id); err != nil {
		return d, err
	}
	d.Timings = Timings(d.Scenario, d.Log)
	d.Findings, err = sc.Findings(ctx, id)
	return d, err
}

// LoadStaffDetail reads a person with their assignments evaluated at now, records and reminders.
func LoadStaffDetail(ctx context.Context, sc *store.Scope, id int64, now time.Time) (StaffDetail, error) {
	var d StaffDetail
	var err error
	if d.Staff, err = sc.StaffMember(ctx, id); err != nil {
		return d, err
	}
	data, err := Load(ctx, sc)
	if err != nil {
		return d, err
	}
	d.Assignments = []AssignmentView{}
	views := Views(data, now)
	if !d.Staff.Active(now) {
		// A leaver's assignments are left out of coverage; the detail page still shows them.
		data.Staff = []domain.Staff{{ID: d.Staff.ID, Name: d.Staff.Name, Department: d.Staff.Department, Audience: d.Staff.Audience}}
		views = Views(data, now)
	}
	for _, v := range views {
		if v.StaffID == id {
			d.Assignments = append(d.Assignments, v)
		}
	}
	sortAssignments(d.Assignments, "")
	if d.Records, err = sc.TrainingRecords(ctx, store.RecordFilter{StaffID: id, Limit: 200}); err != nil {
		return d, err
	}
	d.Reminders, err = sc.Reminders(ctx, id, 50)
	return d, err
}
