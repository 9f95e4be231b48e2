package training

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/regulation"
)

func coverageData() Data {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	aware := domain.TrainingModule{ID: 1, Code: "awareness", Title: "Awareness", RefreshMonths: 12, Duty: domain.DutyNIS2Hygiene}
	mgmt := domain.TrainingModule{ID: 2, Code: "board", Title: "Board course", RefreshMonths: 24, Duty: domain.DutyNIS2Management}
	ward := domain.TrainingModule{ID: 3, Code: "downtime", Title: "Downtime", RefreshMonths: 12, Duty: domain.DutyNIS2Hygiene}
	staff := []domain.Staff{
		{ID: 1, Name: "Anna", Department: "Executive Board", Audience: domain.AudienceOther, BoardMember: true},
		{ID: 2, Name: "Ben", Department: "ICU", Audience: domain.AudienceClinical},
		{ID: 3, Name: "Cara", Department: "ICU", Audience: domain.AudienceClinical},
		{ID: 4, Name: "Dan", Department: "IT", Audience: domain.AudienceIT, LeaverDate: dp("2026-04-01")},
		{ID: 5, Name: "Eva", Department: "IT", Audience: domain.AudienceIT},
		{ID: 6, Name: "Finn", Department: "Executive Board", Audience: domain.AudienceOther, BoardMember: true},
	}
	as := func(id, staff, mod int64, due string) domain.Assignment {
		return domain.Assignment{ID: id, StaffID: staff, ModuleID: mod, Assigned: d("2026-01-01"), Due: d(due)}
	}
	rec := func(staff, mod int64, date string) domain.TrainingRecord {
		m := mod
		return domain.TrainingRecord{StaffID: staff, ModuleID: &m, Kind: domain.RecordCourse, Date: d(date), Result: domain.ResultCompleted}
	}
	phish := func(staff int64, campaign, date, result string) domain.TrainingRecord {
		return domain.TrainingRecord{StaffID: staff, Kind: domain.RecordPhishing, Campaign: campaign, Date: d(date), Result: result}
	}
	failed := rec(3, 1, "2026-03-20")
	failed.Result = domain.ResultFailed
	return Data{
		Location: berlin,
		Staff:    staff,
		Modules:  []domain.TrainingModule{aware, mgmt, ward},
		Assignments: []domain.Assignment{
			as(1, 1, 1, "2026-05-01"), as(2, 1, 2, "2026-03-01"),
			as(3, 2, 1, "2026-03-01"), as(4, 2, 3, "2026-03-01"),
			as(5, 3, 1, "2026-03-01"), as(6, 3, 3, "2026-07-30"),
			as(7, 4, 1, "2026-03-01"),
			as(8, 5, 1, "2026-03-01"),
			as(9, 6, 1, "2026-03-01"),
		},
		Records: []domain.TrainingRecord{
			rec(1, 2, "2026-01-10"),
			rec(2, 1, "2025-03-01"), rec(2, 3, "2026-02-01"),
			failed,
			rec(5, 1, "2026-04-01"),
			rec(6, 1, "2026-02-15"),
			phish(2, "Q1 invoice", "2026-01-20", domain.ResultClicked),
			phish(3, "Q1 invoice", "2026-01-20", domain.ResultReported),
			phish(5, "Q1 invoice", "2026-01-21", domain.ResultIgnored),
			phish(2, "Q2 parcel", "2026-03-05", domain.ResultReported),
			phish(2, "Old campaign", "2024-01-05", domain.ResultClicked), // older than a year
		},
	}
}

func TestCompute(t *testing.T) {
	data := coverageData()
	now := time.Date(2026, 4, 15, 8, 0, 0, 0, time.UTC)
	r := Compute(data, now)

	if diff := cmp.Diff(Counts{Assigned: 8, Completed: 4, Due: 1, Overdue: 2, NotYetDue: 1, Expired: 1, Rate: 50}, r.Totals); diff != "" {
		t.Errorf("totals (-want +got):\n%s", diff)
	}
	if r.People != 5 || r.PeopleAssigned != 5 || r.PeopleComplete != 2 || r.PeopleRate != 40 {
		t.Errorf("people: %d active, %d assigned, %d complete (%v %%)", r.People, r.PeopleAssigned, r.PeopleComplete, r.PeopleRate)
	}
	wantDepts := []Group{
		{Key: "ICU", Label: "ICU", People: 2, Counts: Counts{Assigned: 4, Completed: 1, Due: 0, Overdue: 2, NotYetDue: 1, Expired: 1, Rate: 25}},
		{Key: "Executive Board", Label: "Executive Board", People: 2, Counts: Counts{Assigned: 3, Completed: 2, Due: 1, Rate: 66.7}},
		{Key: "IT", Label: "IT", People: 1, Counts: Counts{Assigned: 1, Completed: 1, Rate: 100}},
	}
	if diff := cmp.Diff(wantDepts, r.ByDepartment); diff != "" {
		t.Errorf("departments, lagging first; the leaver Dan left out (-want +got):\n%s", diff)
	}
	var modKeys []string
	for _, g := range r.ByModule {
		modKeys = append(modKeys, g.Key)
	}
	if diff := cmp.Diff([]string{"awareness", "downtime", "board"}, modKeys); diff != "" {
		t.Errorf("modules order (-want +got):\n%s", diff)
	}
	if r.Board.Members != 2 || r.Board.MembersTrained != 1 || r.Board.MembersNoCourse != 1 || r.Board.TrainedRate != 50 ||
		r.Board.Assigned != 1 || r.Board.Completed != 1 {
		t.Errorf("board: %+v", r.Board)
	}
	if len(r.Board.People) != 2 || r.Board.People[0].Name != "Anna" || r.Board.People[0].State != StateCompleted || r.Board.People[1].State != "" {
		t.Errorf("board people: %+v", r.Board.People)
	}
	if len(r.Trend) != 12 || r.Trend[0].Month != "2025-05" || r.Trend[11].Month != "2026-04" {
		t.Fatalf("trend months: %+v", r.Trend)
	}
	if diff := cmp.Diff(r.Totals, r.Trend[11].Counts); diff != "" {
		t.Errorf("the trend's last point is today (-want +got):\n%s", diff)
	}
	// End of January 2026: Dan still worked here (5 of his and the others' assignments were open),
	// Anna's board course (2026-01-10) was done, Ben's awareness (2025-03-01) still valid.
	jan := r.Trend[8]
	if jan.Month != "2026-01" || jan.Assigned != 9 || jan.Completed != 2 {
		t.Errorf("January 2026: %+v", jan)
	}
	ph := r.Phishing
	if ph.Totals.Sent != 4 || ph.Totals.Clicked != 1 || ph.Totals.Reported != 2 || ph.Totals.ClickRate != 25 || ph.Totals.ReportRate != 50 {
		t.Errorf("phishing totals: %+v", ph.Totals)
	}
	if len(ph.ByDepartment) != 2 || ph.ByDepartment[0].Key != "ICU" || ph.ByDepartment[0].ClickRate != 33.3 || ph.ByDepartment[0].ReportRate != 66.7 {
		t.Errorf("phishing by department: %+v", ph.ByDepartment)
	}
	if len(ph.Campaigns) != 2 || ph.Campaigns[0].Key != "Q2 parcel" {
		t.Errorf("campaigns, newest first: %+v", ph.Campaigns)
	}

	ev := r.Evidence()
	if err := ev.Validate(); err != nil {
		t.Fatalf("evidence does not validate against the regulation catalogue: %v", err)
	}
	want := []regulation.Figure{
		{Name: "staff_assigned", Value: 5, Unit: "count"},
		{Name: "staff_completed", Value: 2, Unit: "count"},
		{Name: "completion", Value: 40, Unit: "percent"},
		{Name: "board_completed", Value: 50, Unit: "percent"},
	}
	if diff := cmp.Diff(want, ev.Figures); diff != "" || ev.Kind != regulation.EvidenceTraining || ev.Measure != "nis2.21.2.g" {
		t.Errorf("evidence %s %s (-want +got):\n%s", ev.Kind, ev.Measure, diff)
	}
}

func TestComputeLeaverAndEmpty(t *testing.T) {
	r := Compute(Data{}, time.Now())
	if r.Totals.Assigned != 0 || r.ByDepartment == nil || r.Board.People == nil || len(r.Trend) != 12 {
		t.Errorf("empty report: %+v", r)
	}
	if err := r.Evidence().Validate(); err != nil {
		t.Errorf("empty evidence: %v", err)
	}
	// A leaver's assignments count until the day they leave.
	data := coverageData()
	before := Compute(data, time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC))
	if before.Totals.Assigned != 9 || before.People != 6 {
		t.Errorf("before Dan left: %d assignments, %d people", before.Totals.Assigned, before.People)
	}
}
