package training

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// ApplyResult says what applying the assignment rules changed.
type ApplyResult struct {
	store.EnsureResult
	Withdrawn int `json:"withdrawn"` // rule-made assignments withdrawn because the rule no longer matches
}

func location(ctx context.Context, sc *store.Scope) (*time.Location, error) {
	o, err := sc.Organisation(ctx)
	if err != nil {
		return nil, err
	}
	return o.Location(), nil
}

// ruleSet is the organisation's rules with their curricula.
type ruleSet struct {
	rules     []domain.AssignmentRule
	curricula map[int64]domain.Curriculum
}

func loadRules(ctx context.Context, sc *store.Scope) (ruleSet, error) {
	rs := ruleSet{curricula: map[int64]domain.Curriculum{}}
	var err error
	if rs.rules, err = sc.TrainingRules(ctx); err != nil {
		return rs, err
	}
	cs, err := sc.Curricula(ctx)
	if err != nil {
		return rs, err
	}
	for _, c := range cs {
		rs.curricula[c.ID] = c
	}
	return rs, nil
}

// assignmentsFor returns the assignments rule r makes for person p on day.
func (rs ruleSet) assignmentsFor(r domain.AssignmentRule, p domain.Staff, day time.Time, source string) []domain.Assignment {
	c, ok := rs.curricula[r.CurriculumID]
	if !ok {
		return nil
	}
	days := r.DueDays
	if days == 0 {
		days = c.DueDays
	}
	var out []domain.Assignment
	for _, mid := range c.ModuleIDs {
		cid, rid := c.ID, r.ID
		out = append(out, domain.Assignment{StaffID: p.ID, ModuleID: mid, CurriculumID: &cid, RuleID: &rid, Assigned: day,
			Due: day.AddDate(0, 0, days), Source: source})
	}
	return out
}

// ApplyRules gives each of the people the curricula of every automatic rule that matches them now, and
// withdraws their open rule-made assignments whose rule no longer matches (they changed job group or
// department, or left the board); new-starter assignments are never withdrawn, and people who have
// left are skipped. It is called when people are added or changed, in the transaction of the change.
func ApplyRules(ctx context.Context, tx *store.Tx, staffIDs []int64, now time.Time) (ApplyResult, error) {
	var res ApplyResult
	if len(staffIDs) == 0 {
		return res, nil
	}
	sc := tx.Scope()
	loc, err := location(ctx, sc)
	if err != nil {
		return res, err
	}
	day := Day(now, loc)
	rs, err := loadRules(ctx, sc)
	if err != nil {
		return res, err
	}
	var want []domain.Assignment
	var withdraw []int64
	for _, id := range staffIDs {
		p, err := sc.StaffMember(ctx, id)
		if err != nil {
			return res, err
		}
		if !p.Active(now) {
			continue
		}
		matched := map[int64]bool{} // rule ids matching the person
		modules := map[int64]bool{} // modules some matching automatic rule gives
		for _, r := range rs.rules {
			if !r.Auto || !RuleMatches(r, p, now) {
				continue
			}
			matched[r.ID] = true
			for _, a := range rs.assignmentsFor(r, p, day, fmt.Sprintf("rule %d", r.ID)) {
				want = append(want, a)
				modules[a.ModuleID] = true
			}
		}
		open, err := sc.Assignments(ctx, store.AssignmentFilter{StaffID: p.ID})
		if err != nil {
			return res, err
		}
		for _, a := range open {
			if a.RuleID == nil || matched[*a.RuleID] || modules[a.ModuleID] {
				continue
			}
			i := slices.IndexFunc(rs.rules, func(r domain.AssignmentRule) bool { return r.ID == *a.RuleID })
			if i >= 0 && rs.rules[i].Audience == domain.AudienceNewStarter {
				continue
			}
			withdraw = append(withdraw, a.ID)
		}
	}
	if res.EnsureResult, err = tx.EnsureAssignments(ctx, want, fmt.Sprintf("assigned training by rule to %d people", len(staffIDs))); err != nil {
		return res, err
	}
	if res.Withdrawn, err = tx.CancelAssignments(ctx, withdraw, "withdrew training whose assignment rule no longer applies"); err != nil {
		return res, err
	}
	return res, nil
}

// AssignRule assigns the rule's curriculum to every current person it matches now (whether or not the
// rule is automatic).
func AssignRule(ctx context.Context, tx *store.Tx, r domain.AssignmentRule, now time.Time) (store.EnsureResult, error) {
	sc := tx.Scope()
	loc, err := location(ctx, sc)
	if err != nil {
		return store.EnsureResult{}, err
	}
	rs, err := loadRules(ctx, sc)
	if err != nil {
		return store.EnsureResult{}, err
	}
	people, err := sc.AllStaff(ctx)
	if err != nil {
		return store.EnsureResult{}, err
	}
	day := Day(now, loc)
	var want []domain.Assignment
	for _, p := range people {
		if RuleMatches(r, p, now) {
			want = append(want, rs.assignmentsFor(r, p, day, fmt.Sprintf("rule %d", r.ID))...)
		}
	}
	c := rs.curricula[r.CurriculumID]
	return tx.EnsureAssignments(ctx, want, fmt.Sprintf("assigned curriculum %s to %s", c.Title, describeRule(r)))
}

func describeRule(r domain.AssignmentRule) string {
	switch {
	case r.Audience != "" && r.Department != "":
		return r.Audience.Label() + " in " + r.Department
	case r.Audience != "":
		return r.Audience.Label()
	case r.Department != "":
		return "everyone in " + r.Department
	}
	return "all staff"
}

// BulkAssign assigns a curriculum or a single module to a selection of people: named people, or
// everyone of a department and/or audience (all current staff when nothing is named).
type BulkAssign struct {
	CurriculumID int64           `json:"curriculum_id,omitempty"`
	ModuleID     int64           `json:"module_id,omitempty"`
	StaffIDs     []int64         `json:"staff_ids,omitempty"`
	Department   string          `json:"department,omitempty"`
	Audience     domain.Audience `json:"audience,omitempty"`
	// Due is the due date; zero means the curriculum's due days (30 days for a single module).
	Due time.Time `json:"due,omitzero"`
	// Auto keeps assigning the curriculum to people who join the department or audience later (it
	// creates an automatic rule). Only for curricula selected by department or audience.
	Auto bool `json:"auto,omitempty"`
}

// AssignResult says what a bulk assignment did.
type AssignResult struct {
	store.EnsureResult
	People int   `json:"people"`            // people selected
	RuleID int64 `json:"rule_id,omitempty"` // the automatic rule created
}

// Assign carries out a bulk assignment in tx.
func Assign(ctx context.Context, tx *store.Tx, req BulkAssign, now time.Time) (AssignResult, error) {
	var res AssignResult
	if (req.CurriculumID == 0) == (req.ModuleID == 0) {
		return res, domain.Invalid("curriculum_id", "choose either a curriculum or a module")
	}
	if req.Audience != "" {
		a, err := domain.ParseAudience(string(req.Audience))
		if err != nil {
			return res, err
		}
		req.Audience = a
	}
	sc := tx.Scope()
	loc, err := location(ctx, sc)
	if err != nil {
		return res, err
	}
	day := Day(now, loc)
	var modules []int64
	dueDays := 30
	var curriculum *domain.Curriculum
	if req.CurriculumID != 0 {
		c, err := sc.Curriculum(ctx, req.CurriculumID)
		if err != nil {
			return res, domain.Invalid("curriculum_id", "curriculum %d does not exist", req.CurriculumID)
		}
		curriculum, modules, dueDays = &c, c.ModuleIDs, c.DueDays
		if len(modules) == 0 {
			return res, domain.Invalid("curriculum_id", "curriculum %s has no modules", c.Title)
		}
	} else {
		if _, err := sc.TrainingModule(ctx, req.ModuleID); err != nil {
			return res, domain.Invalid("module_id", "module %d does not exist", req.ModuleID)
		}
		modules = []int64{req.ModuleID}
	}
	due := day.AddDate(0, 0, dueDays)
	if !req.Due.IsZero() {
		due = Day(req.Due, time.UTC)
		if due.Before(day) {
			return res, domain.Invalid("due", "the due date lies in the past")
		}
	}
	if req.Auto {
		if curriculum == nil || len(req.StaffIDs) > 0 {
			return res, domain.Invalid("auto", "automatic assignment needs a curriculum and a department or audience, not named people")
		}
		r := domain.AssignmentRule{CurriculumID: curriculum.ID, Audience: req.Audience, Department: req.Department, Auto: true,
			DueDays: int(due.Sub(day).Hours() / 24)}
		if err := tx.CreateTrainingRule(ctx, &r); err != nil {
			return res, err
		}
		res.RuleID = r.ID
	}
	people, err := sc.AllStaff(ctx)
	if err != nil {
		return res, err
	}
	var want []domain.Assignment
	source := "manual"
	if res.RuleID != 0 {
		source = fmt.Sprintf("rule %d", res.RuleID)
	}
	for _, p := range people {
		if len(req.StaffIDs) > 0 {
			if !slices.Contains(req.StaffIDs, p.ID) {
				continue
			}
			if !p.Active(now) {
				return res, domain.Invalid("staff_ids", "%s has left", p.Name)
			}
		} else if !RuleMatches(domain.AssignmentRule{Audience: req.Audience, Department: req.Department}, p, now) {
			continue
		}
		res.People++
		for _, mid := range modules {
			a := domain.Assignment{StaffID: p.ID, ModuleID: mid, Assigned: day, Due: due, Source: source}
			if curriculum != nil {
				cid := curriculum.ID
				a.CurriculumID = &cid
			}
			if res.RuleID != 0 {
				rid := res.RuleID
				a.RuleID = &rid
			}
			want = append(want, a)
		}
	}
	if len(req.StaffIDs) > 0 && res.People != len(req.StaffIDs) {
		return res, domain.Invalid("staff_ids", "%d of the people do not exist", len(req.StaffIDs)-res.People)
	}
	what := "a module"
	if curriculum != nil {
		what = "curriculum " + curriculum.Title
	}
	res.EnsureResult, err = tx.EnsureAssignments(ctx, want, fmt.Sprintf("assigned %s to %d people, due %s", what, res.People, due.Format("2006-01-02")))
	return res, err
}

// AddPerson adds a person to the register and gives them the curricula of the automatic rules. When
// the organisation's programme has not started yet (no modules), the starter catalogue is installed
// first. Without a job group it is derived from the job title and department.
func AddPerson(ctx context.Context, tx *store.Tx, p *domain.Staff, now time.Time) (ApplyResult, error) {
	if err := canonicalDepartment(ctx, tx, p); err != nil {
		return ApplyResult{}, err
	}
	if p.Audience == "" {
		p.Audience = DeriveAudience(p.JobTitle, p.Department)
	}
	if _, err := EnsureProgramme(ctx, tx); err != nil {
		return ApplyResult{}, err
	}
	if err := tx.CreateStaff(ctx, p); err != nil {
		return ApplyResult{}, err
	}
	return ApplyRules(ctx, tx, []int64{p.ID}, now)
}

// UpdatePerson changes a person; when their job group, department, board membership, start or leaver
// date changed, the rules are applied again (newly matching curricula are assigned, rule-made
// assignments that no longer apply are withdrawn). Without a job group it is derived from the job
// title and department.
func UpdatePerson(ctx context.Context, tx *store.Tx, p domain.Staff, now time.Time) (ApplyResult, error) {
	if err := canonicalDepartment(ctx, tx, &p); err != nil {
		return ApplyResult{}, err
	}
	if p.Audience == "" {
		p.Audience = DeriveAudience(p.JobTitle, p.Department)
	}
	if err := p.Validate(); err != nil {
		return ApplyResult{}, err
	}
	old, err := tx.Scope().StaffMember(ctx, p.ID)
	if err != nil {
		return ApplyResult{}, err
	}
	if err := tx.UpdateStaff(ctx, p); err != nil {
		return ApplyResult{}, err
	}
	if !roleChanged(old, p) {
		return ApplyResult{}, nil
	}
	return ApplyRules(ctx, tx, []int64{p.ID}, now)
}

func roleChanged(a, b domain.Staff) bool {
	return a.Audience != b.Audience || a.Department != b.Department || a.BoardMember != b.BoardMember ||
		!sameDate(a.StartDate, b.StartDate) || !sameDate(a.LeaverDate, b.LeaverDate)
}

func sameDate(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}
