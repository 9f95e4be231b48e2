package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/demo"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/incident"
	"github.com/vigil-med/vigil/internal/store"
)

func checkIncidents(t *testing.T, st *store.Store, e *demo.Env) {
	ctx := context.Background()
	now := e.LoadedAt
	sc := st.Scope(e.Hospital.ID)
	real, err := sc.Incidents(ctx, domain.IncidentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	exercises, _ := sc.Incidents(ctx, domain.IncidentFilter{Exercise: true})
	if real.Total != 2 || exercises.Total != 1 {
		t.Fatalf("demo: %d incidents, %d exercises; want 2 and 1", real.Total, exercises.Total)
	}
	var open, closed domain.Incident
	for _, in := range real.Items {
		if in.Status == domain.StatusClosed {
			closed = in
		} else {
			open = in
		}
	}
	// The closed incident of last year: submitted reports and a review.
	rec, err := incident.Load(ctx, sc, closed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if closed.AwareAt.Year() != 2025 || len(rec.Submissions) != 4 || rec.Review == nil || len(rec.Review.Lessons) == 0 {
		t.Errorf("last year's incident: aware %v, %d submissions, review %v", closed.AwareAt, len(rec.Submissions), rec.Review)
	}
	for _, d := range rec.Active() {
		if d.Due != nil && d.SubmittedAt == nil {
			t.Errorf("last year's %s is not submitted", d.DeadlineID)
		}
	}
	// The open incident: aware two hours before loading, NIS2 and GDPR clocks running.
	if got := now.Sub(open.AwareAt); got < 2*time.Hour || got > 2*time.Hour+5*time.Minute {
		t.Errorf("open incident aware %s before loading, want about 2 h", got)
	}
	rec, _ = incident.Load(ctx, sc, open.ID)
	running := map[string]string{}
	for _, c := range incident.Countdowns(open, rec.Active(), now) {
		running[c.DeadlineID] = c.State
	}
	for _, id := range []string{"nis2.23.ew", "nis2.23.notif", "gdpr.33.sa"} {
		if running[id] != incident.StateRunning {
			t.Errorf("open incident: %s is %q, want running", id, running[id])
		}
	}
	if _, ok := running["op.notify.mfr"]; !ok {
		t.Errorf("open incident: a device is involved, the manufacturer must be told")
	}
	// It links the inventory's CT reporting workstation it names, and the CT scanner console.
	var products []string
	for _, a := range rec.Assets {
		products = append(products, a.Product)
		if !strings.Contains(open.Description, a.Hostname) || a.Department != "Radiology" {
			t.Errorf("linked device %s (%s, %s) is not the one the description names: %s", a.Name(), a.Hostname, a.Department, open.Description)
		}
	}
	if diff := cmp.Diff([]string{"SOMATOM go.Up", "syngo.via"}, products); diff != "" {
		t.Errorf("open incident's linked devices, most critical first (-want +got):\n%s", diff)
	}
	if rec.AnswerSources["nis2.damage-to-others"] != incident.SourceDevices || rec.Answers["nis2.damage-to-others"] != "yes" {
		t.Errorf("the critical CT scanner should make nis2.damage-to-others default to yes: %q from %q",
			rec.Answers["nis2.damage-to-others"], rec.AnswerSources["nis2.damage-to-others"])
	}
	// No timeline entry lies in the future of the moment the demo was loaded.
	for _, in := range append(real.Items, exercises.Items...) {
		evs, _ := sc.IncidentEvents(ctx, in.ID)
		for i, ev := range evs {
			if ev.At.After(now) {
				t.Errorf("%s timeline entry %d (%s) at %v", in.Ref(), i, ev.Summary, ev.At)
			}
		}
	}
	// The exercise is complete, reviewed, with participants.
	ex := exercises.Items[0]
	parts, _ := sc.IncidentParticipants(ctx, ex.ID)
	rv, err := sc.IncidentReview(ctx, ex.ID)
	if ex.Status != domain.StatusClosed || ex.Acceleration != 60 || len(parts) != 4 || err != nil || rv.ToImprove == "" {
		t.Errorf("exercise: %+v, participants %v, review %v", ex, parts, err)
	}
	// It is the regulatory side of the training programme's finished tabletop exercise, held at the same time.
	tt, err := sc.ExerciseByIncident(ctx, ex.ID)
	if err != nil || tt.Status != domain.ExerciseCompleted || tt.Scenario != ex.Scenario || tt.Started == nil || !tt.Started.Equal(ex.AwareAt) {
		t.Errorf("tabletop exercise of %s: %+v %v", ex.Ref(), tt, err)
	}
	rep, err := st.VerifyAudit(ctx, 0)
	if err != nil || len(rep.Problems) > 0 {
		t.Errorf("audit after the demo: %v %v", err, rep.Problems)
	}
}
