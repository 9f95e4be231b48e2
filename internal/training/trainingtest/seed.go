// Package trainingtest has test helpers for the training module: Seed creates one object of every kind
// the module's API addresses by id, for suites such as the tenant-isolation test.
package trainingtest

import (
	"context"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/training"
)

// Seed fills the organisation's training programme: the starter catalogue with its rules, two people
// (names containing marker) with their assignments, a completion with an evidence file, a phishing
// result, and an exercise with a participant, a log entry and a finding.
func Seed(t testing.TB, st *store.Store, org int64, marker string) {
	t.Helper()
	ctx := domain.WithActor(context.Background(), domain.Actor{Kind: domain.ActorCLI, Name: "test", OrgID: org, Role: domain.RoleAdmin})
	now := time.Now()
	err := st.Scope(org).Write(ctx, func(tx *store.Tx) error {
		lead := domain.Staff{Name: marker + " Lead", Email: marker + ".lead@" + marker + ".example", StaffNumber: marker + "-1",
			Department: marker + " ICU", JobTitle: "Nurse", BoardMember: true}
		if _, err := training.AddPerson(ctx, tx, &lead, now); err != nil {
			return err
		}
		eng := domain.Staff{Name: marker + " Engineer", StaffNumber: marker + "-2", Department: marker + " Medical Technology",
			JobTitle: "Clinical engineer", ManagerID: &lead.ID}
		if _, err := training.AddPerson(ctx, tx, &eng, now); err != nil {
			return err
		}
		f := domain.TrainingFile{Purpose: "evidence", Name: marker + "-certificate.pdf", ContentType: "application/pdf", Data: []byte("%PDF " + marker)}
		if err := tx.PutTrainingFile(ctx, &f); err != nil {
			return err
		}
		m, err := tx.Scope().TrainingModuleByCode(ctx, "security-awareness-basics")
		if err != nil {
			return err
		}
		if _, err := training.RecordCompletion(ctx, tx, training.Completion{ModuleID: m.ID, Date: now, StaffIDs: []int64{lead.ID},
			Provider: marker + " LMS", EvidenceFileID: &f.ID}, now); err != nil {
			return err
		}
		if err := tx.AddTrainingRecord(ctx, &domain.TrainingRecord{StaffID: eng.ID, Kind: domain.RecordPhishing, Campaign: marker + " campaign",
			Date: training.Day(now, time.UTC), Result: domain.ResultReported}); err != nil {
			return err
		}
		e := domain.Exercise{Scenario: "pacs-ransomware", Title: marker + " tabletop"}
		if err := training.PlanExercise(ctx, tx, &e); err != nil {
			return err
		}
		if err := tx.SetParticipant(ctx, domain.Participant{ExerciseID: e.ID, StaffID: lead.ID, Role: "incident lead", Attended: true}); err != nil {
			return err
		}
		if err := tx.AddExerciseLog(ctx, &domain.ExerciseLogEntry{ExerciseID: e.ID, Inject: 1, Kind: domain.LogDecision, ElapsedMinutes: 5,
			Text: marker + " isolated the workstations", StaffID: &lead.ID}); err != nil {
			return err
		}
		due := training.Day(now, time.UTC).AddDate(0, 1, 0)
		return tx.CreateFinding(ctx, &domain.ExerciseFinding{ExerciseID: e.ID, Title: marker + " finding", Action: "write it down",
			OwnerID: &eng.ID, Due: &due})
	})
	if err != nil {
		t.Fatalf("seed training of organisation %d: %v", org, err)
	}
}
