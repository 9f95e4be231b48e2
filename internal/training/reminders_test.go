package training

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/jobs"
	"github.com/vigil-med/vigil/internal/notify"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

type fakeMailer struct {
	mu   sync.Mutex
	sent []notify.Mail
}

func (m *fakeMailer) Send(_ context.Context, mail notify.Mail) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, mail)
	return nil
}

func TestReminders(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		org := testutil.Org(t, st, "klinikum")
		importFile(t, st, org.ID, "staff", "hr-export-de.csv", ImportOptions{})
		ctx := testutil.Ctx(org.ID)
		u := domain.User{Email: "j.berger@klinikum.example", Name: "Jonas Berger", Role: domain.RoleSecurityOfficer, PasswordHash: "x"}
		if err := st.Scope(org.ID).Write(ctx, func(tx *store.Tx) error { return tx.CreateUser(ctx, &u) }); err != nil {
			t.Fatal(err)
		}
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		runner := jobs.New(st, log)
		n := &notify.Notifier{Store: st, Events: &notify.Events{}, Log: log}
		n.RegisterJobs(runner)
		Register(runner, st, n, time.Now, log)

		// Without e-mail nothing is sent, and nothing is marked as sent.
		res, err := SendReminders(ctx, st, n, org.ID, time.Date(2026, 6, 20, 8, 0, 0, 0, time.UTC))
		if err != nil || !res.NoMail {
			t.Fatalf("without mailer: %+v %v", res, err)
		}
		mailer := &fakeMailer{}
		n.Mailer = mailer

		dueDay := time.Date(2026, 6, 5, 8, 0, 0, 0, time.UTC) // the all-staff modules fall due on 2026-06-14
		res, err = SendReminders(ctx, st, n, org.ID, dueDay)
		if err != nil || res.People != 5 || res.Overdue != 0 || res.Due == 0 || res.NoAddress != 0 {
			t.Fatalf("first due run: %+v %v", res, err)
		}
		firstDue := res.Due
		res, err = SendReminders(ctx, st, n, org.ID, dueDay.Add(3*time.Hour))
		if err != nil || res.People != 0 || res.Due != 0 || res.Candidates != firstDue {
			t.Errorf("second run on the same day sent again: %+v %v", res, err)
		}
		overdueDay := time.Date(2026, 6, 20, 8, 0, 0, 0, time.UTC)
		res, err = SendReminders(ctx, st, n, org.ID, overdueDay)
		if err != nil || res.People != 5 || res.Overdue != firstDue || res.Due != 0 {
			t.Errorf("overdue run: %+v %v (first due run had %d)", res, err, firstDue)
		}
		if res, _ = SendReminders(ctx, st, n, org.ID, overdueDay.AddDate(0, 0, 1)); res.People != 0 {
			t.Errorf("overdue reminders sent twice: %+v", res)
		}
		for {
			ran, err := runner.RunOne(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if !ran {
				break
			}
		}
		var to []string
		var berger []notify.Mail
		for _, m := range mailer.sent {
			to = append(to, m.To...)
			if m.To[0] == "j.berger@klinikum.example" {
				berger = append(berger, m)
			}
		}
		if len(mailer.sent) != 10 {
			t.Errorf("%d mails sent, want 10 (5 people, due and overdue): %v", len(mailer.sent), to)
		}
		if slices.Contains(to, "t.ruiz@klinikum.example") {
			t.Error("the leaver was reminded")
		}
		if len(berger) != 2 || !strings.Contains(berger[1].Subject, "overdue") || !strings.Contains(berger[1].Body, "Hello Jonas Berger") ||
			!strings.Contains(berger[1].Body, "/training/people/") {
			t.Errorf("mails to the user Jonas (through the notifier, with a link): %+v", berger)
		}
		dels, _ := st.Scope(org.ID).Deliveries(ctx, 100)
		events := map[string]int{}
		for _, d := range dels {
			events[d.Event+"/"+d.Status]++
		}
		if events["training.due/sent"] != 5 || events["training.overdue/sent"] != 5 {
			t.Errorf("deliveries: %v", events)
		}
		rem, _ := st.Scope(org.ID).Reminders(ctx, 0, 1000)
		if len(rem) != 2*firstDue {
			t.Errorf("%d reminders recorded, want %d", len(rem), 2*firstDue)
		}
	})
}
