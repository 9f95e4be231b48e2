package store_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestTrainingStore(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		org := testutil.Org(t, st, "h1")
		other := testutil.Org(t, st, "h2")
		ctx := testutil.Ctx(org.ID)
		sc := st.Scope(org.ID)
		var mod domain.TrainingModule
		var cur domain.Curriculum
		var boss, nurse domain.Staff
		start := day("2025-03-01")
		err := sc.Write(ctx, func(tx *store.Tx) error {
			mod = domain.TrainingModule{Title: "Awareness basics", Goals: []string{"spot phishing", " ", "report"}, DurationMinutes: 45,
				RefreshMonths: 12, Duty: domain.DutyNIS2Hygiene, Reference: "NIS2 Art 21(2)(g)"}
			if err := tx.CreateTrainingModule(ctx, &mod); err != nil {
				return err
			}
			cur = domain.Curriculum{Title: "All staff", Audience: domain.AudienceAllStaff, ModuleIDs: []int64{mod.ID, mod.ID}}
			if err := tx.CreateCurriculum(ctx, &cur); err != nil {
				return err
			}
			boss = domain.Staff{Name: " Anna   Schmidt ", Email: "Anna.Schmidt@h1.example", StaffNumber: "1001", Department: "Executive Board", BoardMember: true}
			if err := tx.CreateStaff(ctx, &boss); err != nil {
				return err
			}
			nurse = domain.Staff{Name: "Ben Weber", StaffNumber: "1002", Department: "ICU", Audience: domain.AudienceClinical, ManagerID: &boss.ID, StartDate: &start}
			return tx.CreateStaff(ctx, &nurse)
		})
		if err != nil {
			t.Fatal(err)
		}
		gotMod, err := sc.TrainingModule(ctx, mod.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"spot phishing", "report"}, gotMod.Goals); diff != "" {
			t.Errorf("goals (-want +got):\n%s", diff)
		}
		if gotMod.Code != "awareness-basics" || gotMod.Delivery != domain.DeliveryELearning {
			t.Errorf("module defaults: code %q delivery %q", gotMod.Code, gotMod.Delivery)
		}
		gotCur, err := sc.CurriculumByCode(ctx, "all-staff")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]int64{mod.ID}, gotCur.ModuleIDs); diff != "" {
			t.Errorf("curriculum modules (-want +got):\n%s", diff)
		}
		p, err := sc.StaffMember(ctx, nurse.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.ManagerName != "Anna Schmidt" || p.StartDate == nil || !p.StartDate.Equal(start) || p.Audience != domain.AudienceClinical {
			t.Errorf("nurse read back as %+v", p)
		}
		if b, err := sc.StaffByRef(ctx, "", "anna.schmidt@h1.example"); err != nil || b.ID != boss.ID || b.Name != "Anna Schmidt" {
			t.Errorf("StaffByRef by e-mail: %+v, %v", b, err)
		}
		// A Vigil user with the same e-mail is linked when read.
		u := domain.User{Email: "anna.schmidt@h1.example", Role: domain.RoleAuditor, PasswordHash: "x"}
		if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.CreateUser(ctx, &u) }); err != nil {
			t.Fatal(err)
		}
		if b, _ := sc.StaffMember(ctx, boss.ID); b.UserID == nil || *b.UserID != u.ID {
			t.Errorf("user link = %v, want %d", b.UserID, u.ID)
		}
		// Duplicate staff numbers are refused with the field named.
		err = sc.Write(ctx, func(tx *store.Tx) error {
			return tx.CreateStaff(ctx, &domain.Staff{Name: "Dup", StaffNumber: "1002"})
		})
		if domain.ErrorField(err) != "staff_number" {
			t.Errorf("duplicate staff number: %v", err)
		}
		// Assignments: created, tightened, reactivated.
		var res store.EnsureResult
		err = sc.Write(ctx, func(tx *store.Tx) error {
			var err error
			res, err = tx.EnsureAssignments(ctx, []domain.Assignment{
				{StaffID: nurse.ID, ModuleID: mod.ID, Due: day("2026-05-01"), Source: "manual"},
				{StaffID: boss.ID, ModuleID: mod.ID, Due: day("2026-05-01"), Source: "manual"},
			}, "test")
			return err
		})
		if err != nil || res.Created != 2 {
			t.Fatalf("ensure: %+v %v", res, err)
		}
		as, _ := sc.Assignments(ctx, store.AssignmentFilter{StaffID: nurse.ID})
		err = sc.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.CancelAssignments(ctx, []int64{as[0].ID}, "test"); err != nil {
				return err
			}
			var err error
			res, err = tx.EnsureAssignments(ctx, []domain.Assignment{
				{StaffID: nurse.ID, ModuleID: mod.ID, Due: day("2026-06-01")},
				{StaffID: boss.ID, ModuleID: mod.ID, Due: day("2026-04-01")},
				{StaffID: boss.ID, ModuleID: mod.ID, Due: day("2026-04-15")},
			}, "test")
			return err
		})
		if diff := cmp.Diff(store.EnsureResult{Reactivated: 1, Tightened: 1, Unchanged: 1}, res); err != nil || diff != "" {
			t.Errorf("ensure again (-want +got): %s %v", diff, err)
		}
		// Records: duplicates are skipped; the record reads back with names.
		score := 87.5
		recs := []domain.TrainingRecord{
			{StaffID: nurse.ID, ModuleID: &mod.ID, Kind: domain.RecordCourse, Date: day("2026-01-10"), Result: domain.ResultPassed, Score: &score, Provider: "LMS"},
			{StaffID: nurse.ID, ModuleID: &mod.ID, Kind: domain.RecordCourse, Date: day("2026-01-10"), Result: domain.ResultPassed, Score: &score, Provider: "LMS"},
			{StaffID: boss.ID, Kind: domain.RecordPhishing, Campaign: "Q1 invoice", Date: day("2026-02-01"), Result: domain.ResultClicked},
		}
		var added, skipped int
		err = sc.Write(ctx, func(tx *store.Tx) error {
			var err error
			added, skipped, err = tx.AddTrainingRecords(ctx, recs, "test import")
			return err
		})
		if err != nil || added != 2 || skipped != 1 {
			t.Fatalf("records: added %d skipped %d %v", added, skipped, err)
		}
		got, err := sc.TrainingRecords(ctx, store.RecordFilter{StaffID: nurse.ID})
		if err != nil || len(got) != 1 {
			t.Fatalf("records of nurse: %v %v", got, err)
		}
		if got[0].ModuleTitle != "Awareness basics" || got[0].StaffName != "Ben Weber" || *got[0].Score != 87.5 || !got[0].Date.Equal(day("2026-01-10")) {
			t.Errorf("record read back as %+v", got[0])
		}
		// Reminders are recorded once per stage and due date.
		var first, second bool
		err = sc.Write(ctx, func(tx *store.Tx) error {
			var err error
			if first, err = tx.RecordReminder(ctx, as[0].ID, "due", day("2026-06-01"), "staff-email", "x@y"); err != nil {
				return err
			}
			second, err = tx.RecordReminder(ctx, as[0].ID, "due", day("2026-06-01"), "staff-email", "x@y")
			return err
		})
		if err != nil || !first || second {
			t.Errorf("reminder recorded first=%v second=%v err=%v", first, second, err)
		}
		// Another organisation sees none of it.
		osc := st.Scope(other.ID)
		if _, err := osc.StaffMember(ctx, nurse.ID); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("other org reads the nurse: %v", err)
		}
		if _, err := osc.TrainingModule(ctx, mod.ID); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("other org reads the module: %v", err)
		}
		octx := testutil.Ctx(other.ID)
		err = osc.Write(octx, func(tx *store.Tx) error {
			return tx.AddTrainingRecord(octx, &domain.TrainingRecord{StaffID: nurse.ID, ModuleID: &mod.ID, Kind: domain.RecordCourse,
				Date: day("2026-01-10"), Result: domain.ResultCompleted})
		})
		if domain.ErrorCode(err) != domain.EInvalid {
			t.Errorf("other org records for our nurse: %v", err)
		}
		page, err := sc.Staff(ctx, store.StaffFilter{Department: "ICU"})
		if err != nil || page.Total != 1 || page.Items[0].ID != nurse.ID {
			t.Errorf("staff filter: %+v %v", page, err)
		}
		// Deleting a person removes their records and assignments; their report's manager link goes.
		err = sc.Write(ctx, func(tx *store.Tx) error { return tx.DeleteStaff(ctx, boss.ID) })
		if err != nil {
			t.Fatal(err)
		}
		if p, _ := sc.StaffMember(ctx, nurse.ID); p.ManagerID != nil {
			t.Errorf("manager still set after delete: %v", *p.ManagerID)
		}
	})
}

func TestExerciseStore(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		org := testutil.Org(t, st, "h1")
		ctx := testutil.Ctx(org.ID)
		sc := st.Scope(org.ID)
		var e domain.Exercise
		var p domain.Staff
		var f domain.ExerciseFinding
		due := day("2026-09-01")
		err := sc.Write(ctx, func(tx *store.Tx) error {
			p = domain.Staff{Name: "Clara Roth", StaffNumber: "7"}
			if err := tx.CreateStaff(ctx, &p); err != nil {
				return err
			}
			e = domain.Exercise{Scenario: "pacs-ransomware", Title: "PACS drill"}
			if err := tx.CreateExercise(ctx, &e); err != nil {
				return err
			}
			if err := tx.SetParticipant(ctx, domain.Participant{ExerciseID: e.ID, StaffID: p.ID, Role: "incident lead", Attended: true}); err != nil {
				return err
			}
			if err := tx.SetParticipant(ctx, domain.Participant{ExerciseID: e.ID, StaffID: p.ID, Role: "crisis lead", Attended: true}); err != nil {
				return err
			}
			if err := tx.AddExerciseLog(ctx, &domain.ExerciseLogEntry{ExerciseID: e.ID, Inject: 1, Kind: domain.LogDecision, ElapsedMinutes: 12, Text: "isolate", StaffID: &p.ID}); err != nil {
				return err
			}
			f = domain.ExerciseFinding{ExerciseID: e.ID, Title: "No vendor contact", Action: "Add the vendor's security contact", OwnerID: &p.ID, Due: &due}
			return tx.CreateFinding(ctx, &f)
		})
		if err != nil {
			t.Fatal(err)
		}
		parts, _ := sc.Participants(ctx, e.ID)
		if diff := cmp.Diff([]domain.Participant{{ExerciseID: e.ID, StaffID: p.ID, Name: "Clara Roth", Role: "crisis lead", Attended: true}}, parts); diff != "" {
			t.Errorf("participants (-want +got):\n%s", diff)
		}
		log, _ := sc.ExerciseLog(ctx, e.ID)
		if len(log) != 1 || log[0].StaffName != "Clara Roth" || log[0].ElapsedMinutes != 12 {
			t.Errorf("log: %+v", log)
		}
		f.Status = domain.FindingDone
		if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.UpdateFinding(ctx, f) }); err != nil {
			t.Fatal(err)
		}
		got, _ := sc.Finding(ctx, f.ID)
		if got.Closed == nil || got.OwnerName != "Clara Roth" || !got.Due.Equal(due) {
			t.Errorf("finding: %+v", got)
		}
		// An action without owner is refused.
		err = sc.Write(ctx, func(tx *store.Tx) error {
			return tx.CreateFinding(ctx, &domain.ExerciseFinding{ExerciseID: e.ID, Title: "x", Action: "do something"})
		})
		if domain.ErrorField(err) != "owner_id" {
			t.Errorf("action without owner: %v", err)
		}
	})
}
