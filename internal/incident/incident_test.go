package incident_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/incident"
	"github.com/vigil-med/vigil/internal/regulation/deadline"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// dues maps deadline id → due (RFC 3339 UTC, "pending" or "none") of the active deadlines.
func dues(ds []domain.IncidentDeadline) map[string]string {
	out := map[string]string{}
	for _, d := range ds {
		if !d.Active {
			continue
		}
		switch {
		case d.Pending:
			out[d.DeadlineID] = "pending"
		case d.Due == nil:
			out[d.DeadlineID] = "none"
		default:
			out[d.DeadlineID] = d.Due.UTC().Format(time.RFC3339)
		}
	}
	return out
}

// wantFromPackage computes the expected due times with the deadline package itself.
func wantFromPackage(t *testing.T, in deadline.Input) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, d := range deadline.Compute(in) {
		switch {
		case d.Pending:
			out[d.ID] = "pending"
		case d.Due == nil:
			out[d.ID] = "none"
		default:
			out[d.ID] = d.Due.UTC().Format(time.RFC3339)
		}
	}
	return out
}

func TestAnswersRecomputeClocks(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		org := testutil.Org(t, st, "nordstadt")
		ctx := testutil.Ctx(org.ID)
		sc := st.Scope(org.ID)
		berlin, _ := time.LoadLocation("Europe/Berlin")
		aware := mustTime(t, "2026-03-28T23:30:00+01:00")

		in := domain.Incident{Title: "Ransomware on an imaging workstation", Category: domain.CategoryRansomware, AwareAt: aware}
		err := incident.Create(ctx, sc, &in, map[string]string{"nis2.entity": "essential", "nis2.severe-disruption": "yes", "gdpr.personal-data": "no"})
		if err != nil {
			t.Fatal(err)
		}
		ds, err := sc.IncidentDeadlines(ctx, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		// The organisation is in Germany: the overlay applies. A hospital is not the manufacturer, so the
		// hospital's own MDR duties (no fixed period) are listed while the device question is open.
		want := wantFromPackage(t, deadline.Input{Aware: aware, Location: berlin, Regimes: []deadline.Regime{deadline.NIS2, deadline.MDRUser}})
		if diff := cmp.Diff(want, dues(ds)); diff != "" {
			t.Fatalf("clocks after opening (-want +got):\n%s", diff)
		}
		if want["nis2.23.ew"] != "2026-03-29T22:30:00Z" {
			t.Fatalf("the deadline package's early warning moved: %s", want["nis2.23.ew"])
		}

		// Personal data turns out to be affected: GDPR's 72 h clock appears, and the timeline shows it.
		n, err := incident.SetAnswers(ctx, sc, in.ID, map[string]string{"gdpr.personal-data": "yes", "gdpr.risk": "yes", "gdpr.controller": "yes", "nis2.entity": "essential"}, "encrypted file shares hold patient letters")
		if err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Errorf("changed answers: got %d, want 3 (nis2.entity did not change)", n)
		}
		ds, _ = sc.IncidentDeadlines(ctx, in.ID)
		if got := dues(ds)["gdpr.33.sa"]; got != "2026-03-31T22:30:00Z" {
			t.Errorf("gdpr.33.sa after the answer: got %q", got)
		}
		events, _ := sc.IncidentEvents(ctx, in.ID)
		var clocks, answers []string
		for _, e := range events {
			switch e.Kind {
			case "clocks":
				clocks = append(clocks, e.Summary+": "+e.Detail)
			case "answer":
				answers = append(answers, e.Summary)
			}
		}
		if len(clocks) != 2 || !strings.Contains(clocks[1], "gdpr.33.sa applies, due 2026-03-31T22:30:00Z") {
			t.Errorf("timeline clock entries: %q", clocks)
		}
		if !contains(answers, "Answer gdpr.personal-data: no → yes") {
			t.Errorf("timeline answer entries lack the change: %q", answers)
		}

		// The answer goes back: GDPR no longer applies, its row stays inactive.
		if _, err := incident.SetAnswers(ctx, sc, in.ID, map[string]string{"gdpr.risk": "no"}, ""); err != nil {
			t.Fatal(err)
		}
		ds, _ = sc.IncidentDeadlines(ctx, in.ID)
		if _, ok := dues(ds)["gdpr.33.sa"]; ok {
			t.Errorf("gdpr.33.sa still active after gdpr.risk = no")
		}
		found := false
		for _, d := range ds {
			found = found || (d.DeadlineID == "gdpr.33.sa" && !d.Active)
		}
		if !found {
			t.Errorf("inactive gdpr.33.sa row not kept")
		}

		// Submitting the notification closes it and starts the final report's month.
		sub := domain.IncidentSubmission{IncidentID: in.ID, DeadlineID: "nis2.23.notif", SubmittedAt: mustTime(t, "2026-03-30T10:00:00+02:00"),
			Recipient: "BSI", Reference: "BSI-2026-0042"}
		if err := incident.RecordSubmission(ctx, sc, &sub); err != nil {
			t.Fatal(err)
		}
		ds, _ = sc.IncidentDeadlines(ctx, in.ID)
		for _, d := range ds {
			switch d.DeadlineID {
			case "nis2.23.notif":
				if d.SubmittedAt == nil || !d.SubmittedAt.Equal(sub.SubmittedAt) {
					t.Errorf("notification not closed by the submission: %+v", d.SubmittedAt)
				}
				if d.Open() {
					t.Errorf("a submitted deadline is still open")
				}
			case "nis2.23.final":
				if d.Pending || d.Due == nil || d.Due.Format(time.RFC3339) != "2026-04-30T08:00:00Z" {
					t.Errorf("final report after the notification: pending %v due %v, want 2026-04-30T08:00:00Z", d.Pending, d.Due)
				}
			}
		}
		// Another organisation cannot see the incident.
		other := testutil.Org(t, st, "elsewhere")
		if _, err := st.Scope(other.ID).Incident(ctx, in.ID); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("other organisation reads the incident: %v", err)
		}
		if _, err := incident.SetAnswers(testutil.Ctx(other.ID), st.Scope(other.ID), in.ID, map[string]string{"gdpr.risk": "yes"}, ""); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("other organisation answers: %v", err)
		}
		// The audit chain holds.
		rep, err := st.VerifyAudit(context.Background(), org.ID)
		if err != nil || len(rep.Problems) > 0 {
			t.Errorf("audit: %v %v", err, rep.Problems)
		}
	})
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
