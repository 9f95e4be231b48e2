package incident_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/incident"
	"github.com/vigil-med/vigil/internal/regulation"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// TestComplianceEvidence follows the incident-records evidence as incidents are recorded, reported,
// closed and reviewed: each step changes the figures, exercises never count, and the evidence always
// validates against its kind.
func TestComplianceEvidence(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		org := testutil.Org(t, st, "evidence")
		ctx, sc := testutil.Ctx(org.ID), st.Scope(org.ID)
		now := store.Now().Add(time.Minute) // after every change the test makes (closing stamps the real time)
		figures := func(step string) (regulation.Evidence, map[string]float64) {
			t.Helper()
			ev, ok, err := incident.EvidenceAt(ctx, sc, now)
			if err != nil || !ok {
				t.Fatalf("%s: evidence ok=%v err=%v", step, ok, err)
			}
			if err := ev.Validate(); err != nil {
				t.Fatalf("%s: evidence does not validate: %v", step, err)
			}
			m := map[string]float64{}
			for _, f := range ev.Figures {
				m[f.Name] = f.Value
			}
			return ev, m
		}
		want := func(step string, w map[string]float64) regulation.Evidence {
			t.Helper()
			ev, got := figures(step)
			if diff := cmp.Diff(w, got); diff != "" {
				t.Errorf("%s: figures (-want +got):\n%s", step, diff)
			}
			return ev
		}

		if _, ok, err := incident.EvidenceAt(ctx, sc, now); ok || err != nil {
			t.Fatalf("without incidents: ok=%v err=%v, want no data", ok, err)
		}
		// An exercise with significant answers is not an incident.
		ex, err := incident.StartExercise(ctx, sc, incident.ExerciseInput{Scenario: "pacs-ransomware", Start: now.Add(-48 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := incident.SetAnswers(ctx, sc, ex.ID, map[string]string{"nis2.entity": "essential", "nis2.severe-disruption": "yes"}, ""); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := incident.EvidenceAt(ctx, sc, now); ok || err != nil {
			t.Fatalf("with an exercise only: ok=%v err=%v, want no data", ok, err)
		}

		// A significant incident a month ago whose early warning and notification were never sent.
		awareA := now.AddDate(0, 0, -30)
		a := domain.Incident{Title: "Ransomware on the PACS", Category: domain.CategoryRansomware, AwareAt: awareA}
		if err := incident.Create(ctx, sc, &a, map[string]string{"nis2.entity": "essential", "nis2.severe-disruption": "yes",
			"gdpr.personal-data": "no", "mdr.device-involved": "no"}); err != nil {
			t.Fatal(err)
		}
		want("significant incident, reports missed", map[string]float64{"incidents": 1, "significant": 1, "reports_on_time": 0})

		// The early warning and the notification recorded on time: the final report still runs.
		for _, s := range []domain.IncidentSubmission{
			{IncidentID: a.ID, DeadlineID: "nis2.23.ew", SubmittedAt: awareA.Add(10 * time.Hour), Recipient: "CSIRT"},
			{IncidentID: a.ID, DeadlineID: "nis2.23.notif", SubmittedAt: awareA.Add(60 * time.Hour), Recipient: "CSIRT"},
		} {
			if err := incident.RecordSubmission(ctx, sc, &s); err != nil {
				t.Fatal(err)
			}
		}
		ev := want("reports on time", map[string]float64{"incidents": 1, "significant": 1, "reports_on_time": 100})
		if !strings.Contains(ev.Source, "median time from awareness to the early warning 10 h") {
			t.Errorf("source does not give the time to the early warning: %s", ev.Source)
		}

		// A minor incident ten days ago (not significant), and one from long before the period.
		b := domain.Incident{Title: "Lost USB stick", Category: domain.CategoryOther, AwareAt: now.AddDate(0, 0, -10)}
		old := domain.Incident{Title: "Phishing wave", Category: domain.CategoryOther, AwareAt: now.AddDate(-2, 0, 0)}
		for _, in := range []*domain.Incident{&b, &old} {
			if err := incident.Create(ctx, sc, in, map[string]string{"nis2.severe-disruption": "no", "nis2.damage-to-others": "no",
				"gdpr.personal-data": "no", "mdr.device-involved": "no"}); err != nil {
				t.Fatal(err)
			}
		}
		want("minor and old incidents", map[string]float64{"incidents": 2, "significant": 1, "reports_on_time": 100})

		// Closing both, only one with a review.
		if err := sc.Write(ctx, func(tx *store.Tx) error {
			return tx.SaveIncidentReview(ctx, &domain.IncidentReview{IncidentID: a.ID, WhatHappened: "Phished VPN account"})
		}); err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{a.ID, b.ID} {
			if err := incident.SetStatus(ctx, sc, id, domain.StatusClosed, ""); err != nil {
				t.Fatal(err)
			}
		}
		ev = want("closed, half reviewed", map[string]float64{"incidents": 2, "significant": 1, "reports_on_time": 100, "reviews_done": 50})
		for _, s := range []string{"2 recorded (0 open, 2 closed)", "1 of 2 incidents closed in the period have a post-incident review", "3 recorded in all"} {
			if !strings.Contains(ev.Source, s) {
				t.Errorf("source lacks %q: %s", s, ev.Source)
			}
		}
		if ev.Kind != regulation.EvidenceIncidents || ev.Measure != "nis2.21.2.b" || !ev.AsOf.Equal(now) {
			t.Errorf("evidence kind %s, measure %s, as of %v", ev.Kind, ev.Measure, ev.AsOf)
		}
	})
}
