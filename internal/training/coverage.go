package training

import (
	"context"
	"math"
	"sort"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// Data is what coverage is computed from: Load reads it from the store, tests build it by hand.
type Data struct {
	Staff       []domain.Staff
	Modules     []domain.TrainingModule
	Assignments []domain.Assignment     // open assignments (not cancelled)
	Records     []domain.TrainingRecord // course, exercise and phishing records
	Location    *time.Location          // the organisation's time zone (UTC when nil)
}

// Load reads the coverage data of the scope's organisation.
func Load(ctx context.Context, sc *store.Scope) (Data, error) {
	var d Data
	var err error
	if d.Location, err = location(ctx, sc); err != nil {
		return d, err
	}
	if d.Staff, err = sc.AllStaff(ctx); err != nil {
		return d, err
	}
	if d.Modules, err = sc.TrainingModules(ctx, true); err != nil {
		return d, err
	}
	if d.Assignments, err = sc.Assignments(ctx, store.AssignmentFilter{}); err != nil {
		return d, err
	}
	if d.Records, err = sc.TrainingRecords(ctx, store.RecordFilter{}); err != nil {
		return d, err
	}
	return d, nil
}

// Counts are assignments by state. Assigned = Completed + Due + Overdue + NotYetDue; Expired counts
// the open ones among them whose earlier completion expired.
type Counts struct {
	Assigned  int     `json:"assigned"`
	Completed int     `json:"completed"`
	Due       int     `json:"due"`
	Overdue   int     `json:"overdue"`
	NotYetDue int     `json:"not_yet_due"`
	Expired   int     `json:"expired"`
	Rate      float64 `json:"completion_rate"` // Completed / Assigned in percent, one decimal; 0 without assignments
}

func (c *Counts) add(st Status) {
	c.Assigned++
	switch st.State {
	case StateCompleted:
		c.Completed++
	case StateDue:
		c.Due++
	case StateOverdue:
		c.Overdue++
	case StateNotYetDue:
		c.NotYetDue++
	}
	if st.Expired {
		c.Expired++
	}
	c.Rate = percent(c.Completed, c.Assigned)
}

// Open is the number of assignments not completed.
func (c Counts) Open() int { return c.Assigned - c.Completed }

func percent(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return math.Round(1000*float64(part)/float64(whole)) / 10
}

// Group is the coverage of a department, an audience or a module.
type Group struct {
	Key    string `json:"key"`
	Label  string `json:"label"`
	People int    `json:"people"` // current staff with at least one assignment in the group
	Counts
}

// ModuleStatus is the status of one assignment of a person.
type ModuleStatus struct {
	AssignmentID int64  `json:"assignment_id"`
	ModuleID     int64  `json:"module_id"`
	Code         string `json:"code"`
	Title        string `json:"title"`
	Status
}

// BoardMember is the management training status of one member of the management body.
type BoardMember struct {
	StaffID  int64          `json:"staff_id"`
	Name     string         `json:"name"`
	JobTitle string         `json:"job_title"`
	State    State          `json:"state"` // the worst state of their management modules; "" when none is assigned
	Modules  []ModuleStatus `json:"modules"`
}

// Board is the training status of the management body (NIS2 Art 20(2)): the assignments of modules
// serving that duty to current board members.
type Board struct {
	Members         int     `json:"members"`
	MembersTrained  int     `json:"members_trained"`    // every management module assigned to them completed
	MembersNoCourse int     `json:"members_unassigned"` // no management module assigned
	TrainedRate     float64 `json:"trained_rate"`       // MembersTrained / Members, percent
	Counts
	People []BoardMember `json:"people"`
}

// TrendPoint is the coverage at the end of a month (today for the current month).
type TrendPoint struct {
	Month string    `json:"month"` // 2026-03
	AsOf  time.Time `json:"as_of"`
	Counts
}

// PhishingGroup is the outcome of phishing simulations for a department or a campaign.
type PhishingGroup struct {
	Key        string     `json:"key"`
	Label      string     `json:"label"`
	Last       *time.Time `json:"last,omitempty"` // date of the latest result
	Sent       int        `json:"sent"`           // results recorded (messages delivered)
	Clicked    int        `json:"clicked"`
	Reported   int        `json:"reported"`
	Ignored    int        `json:"ignored"`
	ClickRate  float64    `json:"click_rate"`  // percent of Sent
	ReportRate float64    `json:"report_rate"` // percent of Sent
}

func (g *PhishingGroup) add(r domain.TrainingRecord) {
	g.Sent++
	switch r.Result {
	case domain.ResultClicked:
		g.Clicked++
	case domain.ResultReported:
		g.Reported++
	default:
		g.Ignored++
	}
	if g.Last == nil || r.Date.After(*g.Last) {
		d := r.Date
		g.Last = &d
	}
	g.ClickRate, g.ReportRate = percent(g.Clicked, g.Sent), percent(g.Reported, g.Sent)
}

// Phishing is the awareness figures from phishing simulations of the last twelve months.
type Phishing struct {
	Since        time.Time       `json:"since"`
	Totals       PhishingGroup   `json:"totals"`
	ByDepartment []PhishingGroup `json:"by_department"` // highest click rate first
	Campaigns    []PhishingGroup `json:"campaigns"`     // newest first
}

// Report is the training coverage of an organisation on a day. Leavers are left out; assignments are
// counted per person and module.
type Report struct {
	AsOf           time.Time    `json:"as_of"`
	Day            string       `json:"day"`             // the calendar day evaluated, in the organisation's zone
	People         int          `json:"people"`          // current staff
	PeopleAssigned int          `json:"people_assigned"` // current staff with at least one assignment
	PeopleComplete int          `json:"people_complete"` // of them, those with every assignment completed
	PeopleRate     float64      `json:"people_rate"`     // PeopleComplete / PeopleAssigned, percent
	Totals         Counts       `json:"totals"`
	ByDepartment   []Group      `json:"by_department"` // lagging first
	ByAudience     []Group      `json:"by_audience"`   // by job group, lagging first
	ByModule       []Group      `json:"by_module"`     // lagging first
	Board          Board        `json:"board"`
	Trend          []TrendPoint `json:"trend"` // the last twelve months, oldest first
	Phishing       Phishing     `json:"phishing"`
}

// Coverage computes the training coverage of the scope's organisation at now. The regulation module
// turns it into Art 21(2)(g) evidence with Report.Evidence.
func Coverage(ctx context.Context, sc *store.Scope, now time.Time) (Report, error) {
	d, err := Load(ctx, sc)
	if err != nil {
		return Report{}, err
	}
	return Compute(d, now), nil
}

// completionIndex maps person and module to the dates of completions (completed or passed results).
type completionIndex map[[2]int64][]time.Time

func indexCompletions(rs []domain.TrainingRecord) completionIndex {
	idx := completionIndex{}
	for _, r := range rs {
		if r.Completes() {
			k := [2]int64{r.StaffID, *r.ModuleID}
			idx[k] = append(idx[k], r.Date)
		}
	}
	return idx
}

// AssignmentView is an assignment with its evaluated status and the names around it.
type AssignmentView struct {
	domain.Assignment
	Status      Status          `json:"status"`
	StaffName   string          `json:"staff_name"`
	Department  string          `json:"department"`
	Audience    domain.Audience `json:"audience"`
	ModuleCode  string          `json:"module_code"`
	ModuleTitle string          `json:"module_title"`
	Duty        domain.Duty     `json:"duty"`
}

// Views evaluates every open assignment of current staff on now's day.
func Views(d Data, now time.Time) []AssignmentView {
	day := Day(now, d.Location)
	staff := map[int64]domain.Staff{}
	for _, p := range d.Staff {
		staff[p.ID] = p
	}
	mods := map[int64]domain.TrainingModule{}
	for _, m := range d.Modules {
		mods[m.ID] = m
	}
	idx := indexCompletions(d.Records)
	out := make([]AssignmentView, 0, len(d.Assignments))
	for _, a := range d.Assignments {
		p, ok := staff[a.StaffID]
		m, okm := mods[a.ModuleID]
		if !ok || !okm || !p.Active(now) || a.Cancelled != nil {
			continue
		}
		out = append(out, AssignmentView{Assignment: a, Status: Evaluate(a, m, idx[[2]int64{a.StaffID, a.ModuleID}], day),
			StaffName: p.Name, Department: p.Department, Audience: p.Audience, ModuleCode: m.Code, ModuleTitle: m.Title, Duty: m.Duty})
	}
	return out
}

// Compute evaluates the data at now.
func Compute(d Data, now time.Time) Report {
	loc := d.Location
	if loc == nil {
		loc = time.UTC
	}
	day := Day(now, loc)
	r := Report{AsOf: now.UTC(), Day: day.Format("2006-01-02"), ByDepartment: []Group{}, ByAudience: []Group{}, ByModule: []Group{},
		Trend: []TrendPoint{}}
	views := Views(d, now)

	type acc struct {
		g      Group
		people map[int64]bool
	}
	groups := func() map[string]*acc { return map[string]*acc{} }
	depts, auds, mods := groups(), groups(), groups()
	put := func(m map[string]*acc, key, label string, v AssignmentView) {
		a := m[key]
		if a == nil {
			a = &acc{g: Group{Key: key, Label: label}, people: map[int64]bool{}}
			m[key] = a
		}
		a.g.add(v.Status)
		a.people[v.StaffID] = true
	}
	open := map[int64]int{}
	assigned := map[int64]bool{}
	for _, v := range views {
		r.Totals.add(v.Status)
		dept := v.Department
		if dept == "" {
			dept = "(no department)"
		}
		put(depts, dept, dept, v)
		put(auds, string(v.Audience), v.Audience.Label(), v)
		put(mods, v.ModuleCode, v.ModuleTitle, v)
		assigned[v.StaffID] = true
		if v.Status.State != StateCompleted {
			open[v.StaffID]++
		}
	}
	for _, p := range d.Staff {
		if p.Active(now) {
			r.People++
		}
	}
	r.PeopleAssigned = len(assigned)
	r.PeopleComplete = r.PeopleAssigned - len(open)
	r.PeopleRate = percent(r.PeopleComplete, r.PeopleAssigned)
	flatten := func(m map[string]*acc) []Group {
		out := []Group{}
		for _, a := range m {
			a.g.People = len(a.people)
			out = append(out, a.g)
		}
		sortLagging(out)
		return out
	}
	r.ByDepartment, r.ByAudience, r.ByModule = flatten(depts), flatten(auds), flatten(mods)
	r.Board = board(d, views, now)
	r.Trend = trend(d, now, loc)
	r.Phishing = phishing(d, now)
	return r
}

// sortLagging orders groups with the lowest completion rate first, then the most overdue; groups
// without assignments go last.
func sortLagging(gs []Group) {
	sort.Slice(gs, func(i, j int) bool {
		a, b := gs[i], gs[j]
		if (a.Assigned == 0) != (b.Assigned == 0) {
			return b.Assigned == 0
		}
		if a.Rate != b.Rate {
			return a.Rate < b.Rate
		}
		if a.Overdue != b.Overdue {
			return a.Overdue > b.Overdue
		}
		return a.Key < b.Key
	})
}

// worse reports whether state a is worse than b.
func worse(a, b State) bool {
	rank := map[State]int{StateOverdue: 4, StateDue: 3, StateNotYetDue: 2, StateCompleted: 1, "": 0}
	return rank[a] > rank[b]
}

func board(d Data, views []AssignmentView, now time.Time) Board {
	b := Board{People: []BoardMember{}}
	byStaff := map[int64][]AssignmentView{}
	for _, v := range views {
		if v.Duty == domain.DutyNIS2Management {
			byStaff[v.StaffID] = append(byStaff[v.StaffID], v)
		}
	}
	for _, p := range d.Staff {
		if !p.BoardMember || !p.Active(now) {
			continue
		}
		b.Members++
		m := BoardMember{StaffID: p.ID, Name: p.Name, JobTitle: p.JobTitle, Modules: []ModuleStatus{}}
		for _, v := range byStaff[p.ID] {
			b.add(v.Status)
			m.Modules = append(m.Modules, ModuleStatus{AssignmentID: v.ID, ModuleID: v.ModuleID, Code: v.ModuleCode, Title: v.ModuleTitle, Status: v.Status})
			if worse(v.Status.State, m.State) {
				m.State = v.Status.State
			}
		}
		sort.Slice(m.Modules, func(i, j int) bool { return m.Modules[i].Title < m.Modules[j].Title })
		switch m.State {
		case "":
			b.MembersNoCourse++
		case StateCompleted:
			b.MembersTrained++
		}
		b.People = append(b.People, m)
	}
	b.TrainedRate = percent(b.MembersTrained, b.Members)
	sort.SliceStable(b.People, func(i, j int) bool {
		if b.People[i].State != b.People[j].State {
			return worse(b.People[i].State, b.People[j].State) || b.People[j].State == ""
		}
		return b.People[i].Name < b.People[j].Name
	})
	return b
}

// trend evaluates today's assignments at the end of each of the last twelve months, with the
// completions recorded up to then. Assignments made later than a month end still count there, as
// not yet due (their due date had not come), so the completion rate follows the completion dates.
func trend(d Data, now time.Time, loc *time.Location) []TrendPoint {
	mods := map[int64]domain.TrainingModule{}
	for _, m := range d.Modules {
		mods[m.ID] = m
	}
	staff := map[int64]domain.Staff{}
	for _, p := range d.Staff {
		staff[p.ID] = p
	}
	idx := indexCompletions(d.Records)
	today := Day(now, loc)
	out := []TrendPoint{}
	first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	for i := 11; i >= 0; i-- {
		monthStart := first.AddDate(0, -i, 0)
		end := monthStart.AddDate(0, 1, -1)
		if i == 0 {
			end = today
		}
		tp := TrendPoint{Month: monthStart.Format("2006-01"), AsOf: end}
		for _, a := range d.Assignments {
			p, ok := staff[a.StaffID]
			m, okm := mods[a.ModuleID]
			if !ok || !okm || !p.Active(end) || !p.Started(end) {
				continue
			}
			tp.add(Evaluate(a, m, idx[[2]int64{a.StaffID, a.ModuleID}], end))
		}
		out = append(out, tp)
	}
	return out
}

func phishing(d Data, now time.Time) Phishing {
	since := Day(now, d.Location).AddDate(-1, 0, 0)
	ph := Phishing{Since: since, Totals: PhishingGroup{Key: "all", Label: "All departments"}, ByDepartment: []PhishingGroup{}, Campaigns: []PhishingGroup{}}
	dept := map[int64]string{}
	for _, p := range d.Staff {
		dept[p.ID] = p.Department
	}
	byDept, byCampaign := map[string]*PhishingGroup{}, map[string]*PhishingGroup{}
	for _, r := range d.Records {
		if r.Kind != domain.RecordPhishing || r.Date.Before(since) {
			continue
		}
		ph.Totals.add(r)
		k := dept[r.StaffID]
		if k == "" {
			k = "(no department)"
		}
		if byDept[k] == nil {
			byDept[k] = &PhishingGroup{Key: k, Label: k}
		}
		byDept[k].add(r)
		if byCampaign[r.Campaign] == nil {
			byCampaign[r.Campaign] = &PhishingGroup{Key: r.Campaign, Label: r.Campaign}
		}
		byCampaign[r.Campaign].add(r)
	}
	for _, g := range byDept {
		ph.ByDepartment = append(ph.ByDepartment, *g)
	}
	sort.Slice(ph.ByDepartment, func(i, j int) bool {
		a, b := ph.ByDepartment[i], ph.ByDepartment[j]
		if a.ClickRate != b.ClickRate {
			return a.ClickRate > b.ClickRate
		}
		return a.Key < b.Key
	})
	for _, g := range byCampaign {
		ph.Campaigns = append(ph.Campaigns, *g)
	}
	sort.Slice(ph.Campaigns, func(i, j int) bool {
		a, b := ph.Campaigns[i], ph.Campaigns[j]
		if !a.Last.Equal(*b.Last) {
			return a.Last.After(*b.Last)
		}
		return a.Key < b.Key
	})
	return ph
}
