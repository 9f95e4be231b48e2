package training

import (
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/incident"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// TestStartWithClocks starts a tabletop exercise with the incident module's accelerated clocks: the
// exercise incident gets the scenario, the participants' Vigil accounts and the exercise's start, the
// two are linked both ways, completing the exercise stops the clocks, and a link to another
// organisation's incident is refused.
func TestStartWithClocks(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		org := testutil.Org(t, st, "h")
		other := testutil.Org(t, st, "other")
		ctx, sc := testutil.Ctx(org.ID), st.Scope(org.ID)
		ciso := testutil.User(t, st, org.ID, "ciso@h.example", domain.RoleSecurityOfficer)
		start := time.Now().UTC().Truncate(time.Second).Add(-10 * time.Minute)
		var e domain.Exercise
		var res ClockResult
		err := sc.Write(ctx, func(tx *store.Tx) error {
			withAccount, without := domain.Staff{Name: "Miriam Hoffmann", Email: "ciso@h.example"}, domain.Staff{Name: "Bob Ward", StaffNumber: "2"}
			for _, p := range []*domain.Staff{&withAccount, &without} {
				if err := tx.CreateStaff(ctx, p); err != nil {
					return err
				}
			}
			e = domain.Exercise{Scenario: "pacs-ransomware"}
			if err := PlanExercise(ctx, tx, &e); err != nil {
				return err
			}
			for _, p := range []domain.Staff{withAccount, without} {
				if err := tx.SetParticipant(ctx, domain.Participant{ExerciseID: e.ID, StaffID: p.ID, Role: "team", Attended: true}); err != nil {
					return err
				}
			}
			var err error
			res, err = StartWithClocks(ctx, tx, e.ID, start, 0, ciso.ID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		in := res.Incident
		s, _ := incident.ScenarioByID("pacs-ransomware")
		if in.ID == 0 || !in.Exercise || in.Scenario != "pacs-ransomware" || in.Acceleration != s.Acceleration || !in.AwareAt.Equal(start) || in.OwnerID != ciso.ID {
			t.Fatalf("exercise incident: %+v", in)
		}
		got, _ := sc.Exercise(ctx, e.ID)
		if got.IncidentID != in.ID || got.Status != domain.ExerciseRunning || res.Exercise.IncidentID != in.ID {
			t.Errorf("the exercise does not link its incident: %+v", got)
		}
		back, err := sc.ExerciseByIncident(ctx, in.ID)
		if err != nil || back.ID != e.ID {
			t.Errorf("the incident does not link back: %+v %v", back, err)
		}
		parts, _ := sc.IncidentParticipants(ctx, in.ID)
		if len(parts) != 1 || parts[0] != ciso.ID {
			t.Errorf("incident participants %v, want the one with an account (%d)", parts, ciso.ID)
		}
		rec, err := incident.Load(ctx, sc, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(timelineDetails(rec), "tabletop exercise \"Ransomware on the PACS\"") {
			t.Errorf("the incident's timeline does not name the tabletop exercise: %+v", rec.Timeline)
		}
		if len(rec.Deadlines) == 0 {
			t.Errorf("no clocks computed for the exercise incident")
		}

		// Completing the tabletop closes the exercise incident: its clocks stop.
		if err := sc.Write(ctx, func(tx *store.Tx) error { _, err := CompleteExercise(ctx, tx, e.ID, start.Add(time.Hour)); return err }); err != nil {
			t.Fatal(err)
		}
		if in, _ := sc.Incident(ctx, in.ID); in.Status != domain.StatusClosed {
			t.Errorf("exercise incident after completion: %s", in.Status)
		}

		// Linking a real incident or another organisation's exercise incident is refused.
		real := domain.Incident{Title: "Real", AwareAt: start}
		if err := incident.Create(ctx, sc, &real, nil); err != nil {
			t.Fatal(err)
		}
		foreign, err := incident.StartExercise(testutil.Ctx(other.ID), st.Scope(other.ID), incident.ExerciseInput{Scenario: "pacs-ransomware"})
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{real.ID, foreign.ID} {
			x := got
			x.IncidentID = id
			err := sc.Write(ctx, func(tx *store.Tx) error { return tx.UpdateExercise(ctx, x) })
			if domain.ErrorField(err) != "incident_id" {
				t.Errorf("link incident %d: %v", id, err)
			}
		}
	})
}

func timelineDetails(rec *incident.Record) string {
	var b strings.Builder
	for _, e := range rec.Timeline {
		b.WriteString(e.Detail + "\n")
	}
	return b.String()
}
