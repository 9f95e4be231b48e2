package training

import (
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

func TestCatalogueAndScenarios(t *testing.T) {
	c := StarterCatalogue()
	if c.Version == "" || len(c.Modules) < 10 || len(c.Curricula) != 7 {
		t.Errorf("catalogue %s: %d modules, %d curricula", c.Version, len(c.Modules), len(c.Curricula))
	}
	duties := map[domain.Duty]int{}
	for _, m := range c.Modules {
		duties[m.Duty]++
	}
	for _, d := range domain.Duties {
		if duties[d] == 0 {
			t.Errorf("no module serves %s", d)
		}
	}
	s, _ := Scenarios()
	var ids []string
	for _, x := range s {
		ids = append(ids, x.ID)
	}
	if diff := cmp.Diff([]string{"pacs-ransomware", "infusion-pump-server", "supplier-breach", "cloud-ehr-outage", "lost-laptop"}, ids); diff != "" {
		t.Errorf("scenarios (-want +got):\n%s", diff)
	}
}

func TestInstallAndRules(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		org := testutil.Org(t, st, "h")
		ctx := testutil.Ctx(org.ID)
		sc := st.Scope(org.ID)
		var first, second InstallResult
		err := sc.Write(ctx, func(tx *store.Tx) error {
			var err error
			first, err = InstallCatalogue(ctx, tx)
			return err
		})
		if err != nil || first.ModulesAdded != 12 || first.CurriculaAdded != 7 || first.RulesAdded != 7 {
			t.Fatalf("install: %+v %v", first, err)
		}
		// The organisation edits a module; installing again keeps the edit and adds nothing.
		m, _ := sc.TrainingModuleByCode(ctx, "phishing-awareness")
		m.RefreshMonths, m.Title = 6, "Phishing (our own)"
		if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.UpdateTrainingModule(ctx, m) }); err != nil {
			t.Fatal(err)
		}
		err = sc.Write(ctx, func(tx *store.Tx) error {
			var err error
			second, err = InstallCatalogue(ctx, tx)
			return err
		})
		if err != nil || second.ModulesAdded != 0 || second.ModulesKept != 12 || second.CurriculaKept != 7 {
			t.Errorf("second install: %+v %v", second, err)
		}
		if m2, _ := sc.TrainingModuleByCode(ctx, "phishing-awareness"); m2.RefreshMonths != 6 {
			t.Error("the reinstall overwrote the organisation's edit")
		}

		now := time.Date(2026, 4, 15, 8, 0, 0, 0, time.UTC)
		start := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
		p := domain.Staff{Name: "Ida Berg", Email: "ida@h.example", Department: "Radiology", Audience: domain.AudienceClinical, StartDate: &start}
		var added ApplyResult
		if err := sc.Write(ctx, func(tx *store.Tx) error {
			var err error
			added, err = AddPerson(ctx, tx, &p, now)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		codes := func() []string {
			as, _ := sc.Assignments(ctx, store.AssignmentFilter{StaffID: p.ID})
			var out []string
			for _, a := range as {
				m, _ := sc.TrainingModule(ctx, a.ModuleID)
				out = append(out, m.Code)
			}
			return out
		}
		if diff := cmp.Diff([]string{"security-awareness-basics", "phishing-awareness", "data-protection-basics", "clinical-downtime"}, codes()); diff != "" || added.Created != 4 {
			t.Errorf("an experienced clinician gets all-staff and clinical modules (-want +got):\n%s", diff)
		}
		// She joins the board: the management course is added, nothing withdrawn.
		p.BoardMember = true
		var upd ApplyResult
		if err := sc.Write(ctx, func(tx *store.Tx) error {
			var err error
			upd, err = UpdatePerson(ctx, tx, p, now)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if upd.Created != 2 || upd.Withdrawn != 0 {
			t.Errorf("joining the board: %+v", upd)
		}
		// A bulk assignment of the tabletop module to Radiology, and an automatic rule for the
		// department that catches the next newcomer.
		tab, _ := sc.TrainingModuleByCode(ctx, "tabletop-exercise")
		cur, _ := sc.CurriculumByCode(ctx, "it-security-staff")
		var bulk, auto AssignResult
		if err := sc.Write(ctx, func(tx *store.Tx) error {
			var err error
			if bulk, err = Assign(ctx, tx, BulkAssign{ModuleID: tab.ID, Department: "Radiology"}, now); err != nil {
				return err
			}
			auto, err = Assign(ctx, tx, BulkAssign{CurriculumID: cur.ID, Department: "Radiology", Auto: true, Due: now.AddDate(0, 0, 10)}, now)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if bulk.People != 1 || bulk.Created != 1 || auto.RuleID == 0 || auto.Created != 2 {
			t.Errorf("bulk %+v auto %+v", bulk, auto)
		}
		q := domain.Staff{Name: "Jan Kowalski", Email: "jan@h.example", Department: "Radiology", JobTitle: "Radiographer", Audience: domain.AudienceClinical}
		if err := sc.Write(ctx, func(tx *store.Tx) error { _, err := AddPerson(ctx, tx, &q, now); return err }); err != nil {
			t.Fatal(err)
		}
		as, _ := sc.Assignments(ctx, store.AssignmentFilter{StaffID: q.ID})
		dues := map[int64]string{}
		for _, a := range as {
			dues[a.ModuleID] = a.Due.Format("2006-01-02")
		}
		if len(as) != 6 || dues[cur.ModuleIDs[0]] != "2026-04-25" {
			t.Errorf("the newcomer in Radiology: %d assignments, IT module due %s", len(as), dues[cur.ModuleIDs[0]])
		}
		ev, ok, err := ComplianceEvidence(ctx, sc)
		if err != nil || !ok || ev.Validate() != nil || ev.Figures[0].Value != 2 {
			t.Errorf("compliance evidence: %+v %v %v", ev, ok, err)
		}
		empty := testutil.Org(t, st, "empty")
		if _, ok, err := ComplianceEvidence(ctx, st.Scope(empty.ID)); ok || err != nil {
			t.Errorf("an organisation without training has evidence: %v %v", ok, err)
		}
		if _, err := func() (AssignResult, error) {
			var r AssignResult
			err := sc.Write(ctx, func(tx *store.Tx) error {
				var err error
				r, err = Assign(ctx, tx, BulkAssign{ModuleID: tab.ID, CurriculumID: cur.ID}, now)
				return err
			})
			return r, err
		}(); domain.ErrorField(err) != "curriculum_id" {
			t.Errorf("module and curriculum at once: %v", err)
		}
	})
}

func TestExercise(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		org := testutil.Org(t, st, "h")
		ctx := testutil.Ctx(org.ID)
		sc := st.Scope(org.ID)
		var e domain.Exercise
		var a, b domain.Staff
		start := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
		err := sc.Write(ctx, func(tx *store.Tx) error {
			a, b = domain.Staff{Name: "Ann Lead", StaffNumber: "1"}, domain.Staff{Name: "Bob Absent", StaffNumber: "2"}
			for _, p := range []*domain.Staff{&a, &b} {
				if err := tx.CreateStaff(ctx, p); err != nil {
					return err
				}
			}
			e = domain.Exercise{Scenario: "pacs-ransomware"}
			if err := PlanExercise(ctx, tx, &e); err != nil {
				return err
			}
			tx.SetParticipant(ctx, domain.Participant{ExerciseID: e.ID, StaffID: a.ID, Role: "incident lead", Attended: true})
			tx.SetParticipant(ctx, domain.Participant{ExerciseID: e.ID, StaffID: b.ID, Role: "radiology", Attended: false})
			if _, err := StartExercise(ctx, tx, e.ID, start); err != nil {
				return err
			}
			for _, l := range []domain.ExerciseLogEntry{
				{Inject: 1, Kind: domain.LogInject, ElapsedMinutes: 0, Text: "released"},
				{Inject: 1, Kind: domain.LogDecision, ElapsedMinutes: 9, Text: "isolate workstations", StaffID: &a.ID},
				{Inject: 2, Kind: domain.LogInject, ElapsedMinutes: 18, Text: "released"},
				{Inject: 2, Kind: domain.LogDecision, ElapsedMinutes: 50, Text: "divert stroke patients"},
				{Inject: 3, Kind: domain.LogInject, ElapsedMinutes: 40, Text: "released"},
			} {
				l.ExerciseID = e.ID
				if err := tx.AddExerciseLog(ctx, &l); err != nil {
					return err
				}
			}
			_, err := CompleteExercise(ctx, tx, e.ID, start.Add(150*time.Minute))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := sc.Exercise(ctx, e.ID)
		if got.Title != "Ransomware on the PACS" || got.Status != domain.ExerciseCompleted || got.Finished == nil {
			t.Errorf("exercise: %+v", got)
		}
		recs, _ := sc.TrainingRecords(ctx, store.RecordFilter{Kinds: []string{domain.RecordExercise}})
		if len(recs) != 1 || recs[0].StaffID != a.ID || recs[0].ModuleTitle != "Tabletop exercise (participation)" || recs[0].Source != "exercise:"+strconv.FormatInt(e.ID, 10) {
			t.Errorf("exercise records (only who attended): %+v", recs)
		}
		log, _ := sc.ExerciseLog(ctx, e.ID)
		s, _ := ScenarioByID("pacs-ransomware")
		tm := Timings(s, log)
		type row struct {
			No             int
			Response       int
			Late, Open, In bool
		}
		var rows []row
		for _, x := range tm[:4] {
			r := row{No: x.No, Late: x.Late, Open: x.Open, In: x.Released != nil}
			if x.Response != nil {
				r.Response = *x.Response
			}
			rows = append(rows, r)
		}
		want := []row{{1, 9, false, false, true}, {2, 32, true, false, true}, {3, 0, false, true, true}, {4, 0, false, false, false}}
		if diff := cmp.Diff(want, rows); diff != "" {
			t.Errorf("timings (-want +got):\n%s", diff)
		}
		err = sc.Write(ctx, func(tx *store.Tx) error { _, err := CompleteExercise(ctx, tx, e.ID, start); return err })
		if domain.ErrorCode(err) != domain.EConflict {
			t.Errorf("completing twice: %v", err)
		}
	})
}
