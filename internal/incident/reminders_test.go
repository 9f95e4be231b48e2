package incident_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/incident"
	"github.com/vigil-med/vigil/internal/jobs"
	"github.com/vigil-med/vigil/internal/notify"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// fakeMailer records the mails it is asked to send (the foundation's testutil has no SMTP receiver).
type fakeMailer struct {
	mu    sync.Mutex
	mails []notify.Mail
}

func (m *fakeMailer) Send(_ context.Context, mail notify.Mail) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mails = append(m.mails, mail)
	return nil
}

func (m *fakeMailer) take() []notify.Mail {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := m.mails
	m.mails = nil
	return out
}

type hookRecorder struct {
	mu     sync.Mutex
	events []string
}

func (h *hookRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var p struct {
		Event   string `json:"event"`
		Subject string `json:"subject"`
	}
	_ = json.Unmarshal(b, &p)
	h.mu.Lock()
	h.events = append(h.events, p.Event+": "+p.Subject)
	h.mu.Unlock()
}

func (h *hookRecorder) take() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.events
	h.events = nil
	return out
}

type reminderEnv struct {
	st     *store.Store
	org    domain.Organisation
	sc     *store.Scope
	ctx    context.Context
	runner *jobs.Runner
	rem    *incident.Reminders
	mail   *fakeMailer
	hooks  *hookRecorder
	now    time.Time
	users  map[domain.Role]domain.User
}

func newReminderEnv(t *testing.T, st *store.Store) *reminderEnv {
	t.Helper()
	e := &reminderEnv{st: st, mail: &fakeMailer{}, hooks: &hookRecorder{}, users: map[domain.Role]domain.User{}}
	e.org = testutil.Org(t, st, "nordstadt")
	e.ctx, e.sc = testutil.Ctx(e.org.ID), st.Scope(e.org.ID)
	for _, u := range []domain.User{
		{Email: "ciso@example.org", Name: "CISO", Role: domain.RoleSecurityOfficer},
		{Email: "dpo@example.org", Name: "DPO", Role: domain.RoleDPO},
		{Email: "buyer@example.org", Name: "Buyer", Role: domain.RoleProcurement},
	} {
		if err := e.sc.Write(e.ctx, func(tx *store.Tx) error { return tx.CreateUser(e.ctx, &u) }); err != nil {
			t.Fatal(err)
		}
		e.users[u.Role] = u
	}
	srv := httptest.NewServer(e.hooks)
	t.Cleanup(srv.Close)
	if err := e.sc.Write(e.ctx, func(tx *store.Tx) error {
		return tx.CreateWebhook(e.ctx, &store.Webhook{Name: "siem", URL: srv.URL, Secret: "s3cret", Enabled: true})
	}); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	e.runner = jobs.New(st, log)
	n := &notify.Notifier{Store: st, Jobs: e.runner, Events: &notify.Events{}, Mailer: e.mail, Log: log,
		Hooks: &notify.WebhookSender{Client: srv.Client()}, BaseURL: "https://vigil.example"}
	n.RegisterJobs(e.runner)
	e.rem = incident.RegisterJobs(e.runner, st, n, func() time.Time { return e.now }, log)
	return e
}

// run sends due reminders and delivers the queued notifications; it returns the reminders sent, the
// mails (as "to: subject") and the webhook events.
func (e *reminderEnv) run(t *testing.T) (int, []string, []string) {
	t.Helper()
	n, err := e.rem.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for {
		ran, err := e.runner.RunOne(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !ran {
			break
		}
	}
	var mails []string
	for _, m := range e.mail.take() {
		mails = append(mails, strings.Join(m.To, ",")+": "+m.Subject)
	}
	sort.Strings(mails)
	hooks := e.hooks.take()
	sort.Strings(hooks)
	return n, mails, hooks
}

func TestRemindersSentOnce(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newReminderEnv(t, st)
		aware := mustTime(t, "2026-03-28T23:30:00+01:00")
		in := domain.Incident{Title: "Ransomware", Category: domain.CategoryRansomware, AwareAt: aware}
		if err := incident.Create(e.ctx, e.sc, &in, map[string]string{"nis2.entity": "essential", "nis2.severe-disruption": "yes",
			"gdpr.personal-data": "no", "mdr.device-involved": "no"}); err != nil {
			t.Fatal(err)
		}

		// 11 h after awareness nothing is due yet.
		e.now = aware.Add(11 * time.Hour)
		if n, mails, hooks := e.run(t); n != 0 || len(mails) != 0 || len(hooks) != 0 {
			t.Fatalf("before half of the 24 h: %d reminders, mails %v, hooks %v", n, mails, hooks)
		}
		// Half of the early warning's 24 hours: one reminder to the security officer (not procurement,
		// not the DPO for a NIS2 clock) and the webhook.
		e.now = aware.Add(12*time.Hour + time.Minute)
		n, mails, hooks := e.run(t)
		wantMail := []string{"ciso@example.org: [Vigil] INC-" + itoa(in.ID) + " NIS2 early warning: due in 11 h 59 min — Ransomware"}
		if n != 1 || cmp.Diff(wantMail, mails) != "" || len(hooks) != 1 || !strings.HasPrefix(hooks[0], incident.EventDeadlineSoon+": ") {
			t.Fatalf("half reminder: n=%d\nmails %v (want %v)\nhooks %v", n, mails, wantMail, hooks)
		}
		// Running again (another server, the next minute) sends nothing.
		e.now = e.now.Add(time.Minute)
		if n, mails, _ := e.run(t); n != 0 || len(mails) != 0 {
			t.Fatalf("second run sent again: %d, %v", n, mails)
		}
		// Two hours before the due time.
		e.now = aware.Add(22*time.Hour + 5*time.Minute)
		if n, mails, _ := e.run(t); n != 1 || len(mails) != 1 || !strings.Contains(mails[0], "due in 1 h 55 min") {
			t.Fatalf("2 h reminder: %d, %v", n, mails)
		}
		// Overdue: an alert of its own kind.
		e.now = aware.Add(24*time.Hour + time.Minute)
		n, mails, hooks = e.run(t)
		if n != 1 || len(mails) != 1 || !strings.Contains(mails[0], "overdue by 1 min") || len(hooks) != 1 || !strings.HasPrefix(hooks[0], incident.EventDeadlineOverdue) {
			t.Fatalf("overdue alert: %d, %v, %v", n, mails, hooks)
		}
		if n, _, _ := e.run(t); n != 0 {
			t.Fatalf("overdue alert repeated")
		}
		// Submitting the early warning closes its clock: no more reminders for it.
		sub := domain.IncidentSubmission{IncidentID: in.ID, DeadlineID: "nis2.23.ew", SubmittedAt: aware.Add(24*time.Hour + 30*time.Minute), Recipient: "BSI"}
		if err := incident.RecordSubmission(e.ctx, e.sc, &sub); err != nil {
			t.Fatal(err)
		}
		// At 37 h the 72 h notification's half point has passed (36 h): its reminder, nothing for the ew.
		e.now = aware.Add(37 * time.Hour)
		n, mails, _ = e.run(t)
		if n != 1 || len(mails) != 1 || !strings.Contains(mails[0], "NIS2 incident notification") {
			t.Fatalf("after the submission: %d, %v", n, mails)
		}
		rs, err := e.sc.IncidentReminders(e.ctx, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, r := range rs {
			kinds = append(kinds, r.DeadlineID+"/"+r.Kind)
		}
		if diff := cmp.Diff([]string{"nis2.23.ew/half", "nis2.23.ew/2h", "nis2.23.ew/overdue", "nis2.23.notif/half"}, kinds); diff != "" {
			t.Errorf("recorded reminders (-want +got):\n%s", diff)
		}
	})
}

func TestExerciseRemindersOnlyToParticipants(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newReminderEnv(t, st)
		start := mustTime(t, "2026-11-02T10:00:00+01:00")
		withPeople, err := incident.StartExercise(e.ctx, e.sc, incident.ExerciseInput{Scenario: "pacs-ransomware", Acceleration: 60,
			Participants: []int64{e.users[domain.RoleDPO].ID}, Start: start})
		if err != nil {
			t.Fatal(err)
		}
		nobody, err := incident.StartExercise(e.ctx, e.sc, incident.ExerciseInput{Scenario: "lost-laptop", Start: start})
		if err != nil {
			t.Fatal(err)
		}
		// Both start with unknown answers: NIS2 and GDPR run provisionally. 13 real minutes at 60× are
		// 13 exercise hours: half of the 24 h early warning has passed on the exercise clock.
		e.now = start.Add(13 * time.Minute)
		n, mails, hooks := e.run(t)
		if n != 2 {
			t.Errorf("reminders recorded: %d, want 2 (one per exercise)", n)
		}
		want := []string{"dpo@example.org: [Vigil] EXERCISE — EX-" + itoa(withPeople.ID) + " NIS2 early warning: due in 11 h 00 min — EXERCISE: PACS encrypted by ransomware"}
		if diff := cmp.Diff(want, mails); diff != "" {
			t.Errorf("exercise mails (-want +got):\n%s", diff)
		}
		if len(hooks) != 0 {
			t.Errorf("exercise reminders reached webhooks: %v", hooks)
		}
		rs, _ := e.sc.IncidentReminders(e.ctx, nobody.ID)
		if len(rs) != 1 {
			t.Errorf("the exercise without participants should record its reminder (and tell nobody): %v", rs)
		}
		// Exercises never count on the dashboard or in the lists of real incidents.
		counts, err := e.sc.IncidentCounts(e.ctx, e.now)
		if err != nil {
			t.Fatal(err)
		}
		if counts != (domain.IncidentCounts{}) {
			t.Errorf("exercises counted: %+v", counts)
		}
		near, _ := e.sc.NearestIncidentDeadlines(e.ctx, 10)
		real, _ := e.sc.Incidents(e.ctx, domain.IncidentFilter{})
		ex, _ := e.sc.Incidents(e.ctx, domain.IncidentFilter{Exercise: true})
		if len(near) != 0 || real.Total != 0 || ex.Total != 2 {
			t.Errorf("separation: %d dashboard clocks, %d real, %d exercises", len(near), real.Total, ex.Total)
		}
	})
}

func TestExerciseAcceleration(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		org := testutil.Org(t, st, "nordstadt")
		ctx, sc := testutil.Ctx(org.ID), st.Scope(org.ID)
		start := mustTime(t, "2026-11-02T10:00:00+01:00")
		ex, err := incident.StartExercise(ctx, sc, incident.ExerciseInput{Scenario: "pacs-ransomware", Acceleration: 60, Start: start})
		if err != nil {
			t.Fatal(err)
		}
		if !ex.Exercise || ex.Acceleration != 60 || ex.Scenario != "pacs-ransomware" {
			t.Fatalf("exercise flags: %+v", ex)
		}
		ds, _ := sc.IncidentDeadlines(ctx, ex.ID)
		got := map[string][2]string{}
		for _, d := range ds {
			if d.Due != nil {
				got[d.DeadlineID] = [2]string{d.Due.Format(time.RFC3339), d.DueReal.Format(time.RFC3339)}
			}
		}
		want := map[string][2]string{
			"nis2.23.ew":    {"2026-11-03T09:00:00Z", "2026-11-02T09:24:00Z"}, // 24 exercise hours = 24 real minutes
			"nis2.23.notif": {"2026-11-05T09:00:00Z", "2026-11-02T10:12:00Z"},
			"gdpr.33.sa":    {"2026-11-05T09:00:00Z", "2026-11-02T10:12:00Z"},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("accelerated deadlines (-want +got):\n%s", diff)
		}
		// A submission 21 real minutes in is 21 exercise hours in: the final report runs a month of
		// exercise time from there.
		sub := domain.IncidentSubmission{IncidentID: ex.ID, DeadlineID: "nis2.23.notif", SubmittedAt: start.Add(21 * time.Minute), Recipient: "exercise lead"}
		if err := incident.RecordSubmission(ctx, sc, &sub); err != nil {
			t.Fatal(err)
		}
		ds, _ = sc.IncidentDeadlines(ctx, ex.ID)
		for _, d := range ds {
			if d.DeadlineID == "nis2.23.final" {
				// 2026-11-03 07:00 CET + 1 month = 2026-12-03 07:00 CET: 741 exercise hours after the start, 12 h 21 min real.
				if d.Pending || d.Due.Format(time.RFC3339) != "2026-12-03T06:00:00Z" || d.DueReal.Format(time.RFC3339) != "2026-11-02T21:21:00Z" {
					t.Errorf("final report in the exercise: pending %v due %v real %v", d.Pending, d.Due, d.DueReal)
				}
			}
		}
		// Countdowns speak exercise time; the real time left is 60 times shorter.
		cd := incident.CountdownOf(ex, ds[0], start.Add(12*time.Minute))
		if cd.DeadlineID != "nis2.23.ew" || cd.Text != "due in 12 h 00 min" || cd.LeftReal != 12*time.Minute {
			t.Errorf("countdown in the exercise: %s %q real %s", cd.DeadlineID, cd.Text, cd.LeftReal)
		}
		// Injects are released on the exercise clock: at 45 real minutes, those up to T+45h.
		var titles []string
		for _, inj := range incident.InjectsDue(ex, start.Add(45*time.Minute)) {
			titles = append(titles, inj.At.Sub(start).String())
		}
		if diff := cmp.Diff([]string{"0s", "45m0s", "3h0m0s", "9h0m0s", "20h0m0s"}, titles); diff != "" {
			t.Errorf("injects due at 45 real minutes (-want +got):\n%s", diff)
		}
		if got := len(incident.InjectsDue(ex, start)); got != 1 {
			t.Errorf("injects at the start: %d, want 1", got)
		}
		clock := incident.ClockOf(ex)
		if got := clock.Incident(start.Add(90 * time.Second)); !got.Equal(start.Add(90 * time.Minute)) {
			t.Errorf("clock: 90 real seconds → %v", got.Sub(start))
		}
		if got := clock.Incident(start.Add(200 * 365 * 24 * time.Hour)); got.Before(start) {
			t.Errorf("clock overflowed for an exercise left open: %v", got)
		}
		// A real incident never runs accelerated.
		bad := domain.Incident{Title: "x", AwareAt: start, Acceleration: 60}
		if err := incident.Create(ctx, sc, &bad, nil); domain.ErrorField(err) != "acceleration" {
			t.Errorf("accelerated real incident: %v", err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
