package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/jobs"
	"github.com/vigil-med/vigil/internal/notify"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// receiver is a local webhook endpoint that checks every signature and can fail on purpose.
type receiver struct {
	t       *testing.T
	secret  string
	mu      sync.Mutex
	fail    int
	got     []map[string]any
	headers []http.Header
	srv     *httptest.Server
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{t: t}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		if err := notify.Verify(r.secret, req.Header.Get(notify.SignatureHeader), body, time.Now(), 5*time.Minute); err != nil {
			t.Errorf("webhook signature: %v", err)
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		if r.fail > 0 {
			r.fail--
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Errorf("webhook body: %v", err)
		}
		r.got = append(r.got, m)
		r.headers = append(r.headers, req.Header.Clone())
	}))
	t.Cleanup(r.srv.Close)
	return r
}

type fixture struct {
	st       *store.Store
	runner   *jobs.Runner
	n        *notify.Notifier
	smtp     *testutil.SMTP
	hook     *receiver
	org      domain.Organisation
	on, off  domain.User
	disabled domain.User
}

func setup(t *testing.T, st *store.Store) *fixture {
	t.Helper()
	f := &fixture{st: st, smtp: testutil.SMTPServer(t), hook: newReceiver(t)}
	log := slog.New(slog.DiscardHandler)
	f.runner = jobs.New(st, log)
	f.n = &notify.Notifier{Store: st, Jobs: f.runner, Events: &notify.Events{}, BaseURL: "https://vigil.hospital.example", Log: log,
		Mailer: notify.NewSMTPMailer(notify.SMTPConfig{Host: f.smtp.Host, Port: f.smtp.Port, From: "vigil@hospital.example", TLS: "none"}),
		Hooks:  &notify.WebhookSender{Client: &http.Client{Timeout: 10 * time.Second}}}
	f.n.RegisterJobs(f.runner)
	f.n.Events.Register(notify.EventKind{Name: "finding.kev", Label: "a device has a known exploited vulnerability", EmailDefault: true})
	f.n.Events.Register(notify.EventKind{Name: "digest.weekly", Label: "weekly digest", EmailDefault: false})

	f.org = testutil.Org(t, st, "alpha")
	other := testutil.Org(t, st, "beta")
	testutil.User(t, st, other.ID, "someone@beta.example", domain.RoleAdmin) // must never get alpha's mail
	f.on = testutil.User(t, st, f.org.ID, "ciso@alpha.example", domain.RoleSecurityOfficer)
	f.off = testutil.User(t, st, f.org.ID, "quiet@alpha.example", domain.RoleSecurityOfficer)
	f.disabled = testutil.User(t, st, f.org.ID, "gone@alpha.example", domain.RoleSecurityOfficer)
	ctx := testutil.Ctx(f.org.ID)
	if err := st.Scope(f.org.ID).Write(ctx, func(tx *store.Tx) error {
		if err := tx.SetNotificationPref(ctx, f.off.ID, "finding.kev", "email", false); err != nil {
			return err
		}
		if err := tx.SetNotificationPref(ctx, f.on.ID, "digest.weekly", "email", true); err != nil {
			return err
		}
		f.disabled.Disabled = true
		if err := tx.UpdateUser(ctx, f.disabled); err != nil {
			return err
		}
		w := store.Webhook{Name: "SIEM", URL: f.hook.srv.URL + "/vigil", Secret: "whsec-alpha", Events: []string{"finding.kev"}, Enabled: true}
		f.hook.secret = w.Secret
		return tx.CreateWebhook(ctx, &w)
	}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) notify(t *testing.T, m notify.Message) {
	t.Helper()
	ctx := testutil.Ctx(f.org.ID)
	if err := f.st.Scope(f.org.ID).Write(ctx, func(tx *store.Tx) error { return f.n.Notify(ctx, tx, m) }); err != nil {
		t.Fatal(err)
	}
}

// drain runs every job that is due.
func (f *fixture) drain(t *testing.T) {
	t.Helper()
	for {
		ran, err := f.runner.RunOne(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !ran {
			return
		}
	}
}

// makeDue moves every queued job to now, as if its backoff had passed.
func (f *fixture) makeDue(t *testing.T) {
	t.Helper()
	if err := f.st.WriteGlobal(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Exec(context.Background(), "UPDATE jobs SET run_at = ? WHERE status = 'queued'", store.Now().Add(-time.Second))
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) deliveries(t *testing.T) map[string]store.Delivery {
	t.Helper()
	ds, err := f.st.Scope(f.org.ID).Deliveries(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.Delivery{}
	for _, d := range ds {
		out[d.Channel+":"+d.Target+":"+d.Event] = d
	}
	return out
}

func TestNotifyByEmailAndWebhook(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		f := setup(t, st)
		f.notify(t, notify.Message{Event: "finding.kev", Subject: "Infusion pump firmware 4.2 is exploited",
			Body: "CVE-2026-0001 is on the KEV list.\n.\n.A line that starts with a dot.", Link: "/findings/12",
			Data: map[string]any{"cve": "CVE-2026-0001", "devices": 17}})
		// Nothing is sent inside the transaction; the jobs send it.
		if n := len(f.smtp.Messages()); n != 0 {
			t.Fatalf("%d mails sent before the jobs ran", n)
		}
		f.drain(t)

		msgs := f.smtp.Messages()
		if len(msgs) != 1 {
			t.Fatalf("%d mails, want 1 (to the user who did not opt out): %+v", len(msgs), msgs)
		}
		m := msgs[0]
		if !cmp.Equal(m.To, []string{"ciso@alpha.example"}) || m.From != "vigil@hospital.example" {
			t.Errorf("mail from %s to %v", m.From, m.To)
		}
		for _, want := range []string{"Subject: [Vigil] Infusion pump firmware 4.2 is exploited\r\n", "To: ciso@alpha.example\r\n",
			"Auto-Submitted: auto-generated\r\n", "Content-Type: text/plain; charset=utf-8\r\n",
			"CVE-2026-0001 is on the KEV list.\r\n", "\r\n.\r\n.A line that starts with a dot.",
			"https://vigil.hospital.example/findings/12", "Account → Notifications"} {
			if !strings.Contains(m.Data, want) {
				t.Errorf("mail lacks %q:\n%s", want, m.Data)
			}
		}

		if len(f.hook.got) != 1 {
			t.Fatalf("%d webhook calls, want 1", len(f.hook.got))
		}
		got := f.hook.got[0]
		if got["event"] != "finding.kev" || got["link"] != "https://vigil.hospital.example/findings/12" ||
			got["data"].(map[string]any)["cve"] != "CVE-2026-0001" || got["organisation"] != float64(f.org.ID) {
			t.Errorf("webhook payload %v", got)
		}
		if h := f.hook.headers[0]; h.Get("X-Vigil-Event") != "finding.kev" || h.Get("X-Vigil-Delivery") == "" || h.Get("Content-Type") != "application/json" {
			t.Errorf("webhook headers %v", h)
		}

		ds := f.deliveries(t)
		if len(ds) != 2 {
			t.Errorf("deliveries: %+v", ds)
		}
		for key, d := range ds {
			if d.Status != "sent" || d.SentAt == nil || d.JobID == 0 {
				t.Errorf("delivery %s: %+v", key, d)
			}
		}

		// An event users must opt in to reaches only who did; the webhook does not subscribe to it.
		f.notify(t, notify.Message{Event: "digest.weekly", Subject: "Your week", Body: "…"})
		f.drain(t)
		if msgs := f.smtp.Messages(); len(msgs) != 2 || !cmp.Equal(msgs[1].To, []string{"ciso@alpha.example"}) {
			t.Errorf("opt-in event: %d mails, last to %v", len(msgs), msgs[len(msgs)-1].To)
		}
		if len(f.hook.got) != 1 {
			t.Error("the webhook got an event it did not subscribe to")
		}
		// Recipients by role.
		f.notify(t, notify.Message{Event: "finding.kev", Subject: "For auditors", Body: "…", Roles: []domain.Role{domain.RoleAuditor}})
		f.drain(t)
		if msgs := f.smtp.Messages(); len(msgs) != 2 {
			t.Errorf("a message for a role nobody has was mailed to %v", msgs[len(msgs)-1].To)
		}
		// Unknown events are a programming error.
		ctx := testutil.Ctx(f.org.ID)
		err := st.Scope(f.org.ID).Write(ctx, func(tx *store.Tx) error { return f.n.Notify(ctx, tx, notify.Message{Event: "no.such"}) })
		if err == nil || !strings.Contains(err.Error(), `unknown event "no.such"`) {
			t.Errorf("unknown event: %v", err)
		}
	})
}

func TestFailedDeliveriesAreRetriedAndRecorded(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		f := setup(t, st)
		f.smtp.FailNext(1)
		f.hook.fail = 2
		f.notify(t, notify.Message{Event: "finding.kev", Subject: "Retry me", Body: "…"})
		f.drain(t)

		ds := f.deliveries(t)
		mail, hook := ds["email:ciso@alpha.example:finding.kev"], ds["webhook:SIEM:finding.kev"]
		if mail.Status != "failed" || !strings.Contains(mail.Error, "451") {
			t.Errorf("mail delivery after a refusal: %+v", mail)
		}
		if hook.Status != "failed" || !strings.Contains(hook.Error, "503") {
			t.Errorf("webhook delivery after a 503: %+v", hook)
		}
		for _, d := range []store.Delivery{mail, hook} {
			j, err := st.Job(context.Background(), d.JobID)
			if err != nil || j.Status != store.JobQueued || j.Attempts != 1 || !j.RunAt.After(time.Now()) {
				t.Errorf("job of delivery %s: %+v %v, want queued for a later attempt", d.Target, j, err)
			}
		}

		f.makeDue(t)
		f.drain(t)
		ds = f.deliveries(t)
		if d := ds["email:ciso@alpha.example:finding.kev"]; d.Status != "sent" || d.Error != "" {
			t.Errorf("mail after the retry: %+v", d)
		}
		if d := ds["webhook:SIEM:finding.kev"]; d.Status != "failed" {
			t.Errorf("webhook after the second 503: %+v", d)
		}
		f.makeDue(t)
		f.drain(t)
		if d := f.deliveries(t)["webhook:SIEM:finding.kev"]; d.Status != "sent" || len(f.hook.got) != 1 {
			t.Errorf("webhook after the third attempt: %+v, %d received", d, len(f.hook.got))
		}
		if n := len(f.smtp.Messages()); n != 1 {
			t.Errorf("%d mails, want exactly 1", n)
		}
	})
}

func TestSMTPWithSTARTTLS(t *testing.T) {
	cert := testutil.SelfSignedCert(t)
	srv := testutil.SMTPServer(t, testutil.WithSTARTTLS(cert))
	m := notify.NewSMTPMailer(notify.SMTPConfig{Host: srv.Host, Port: srv.Port, From: "vigil@hospital.example", TLS: "starttls",
		Username: "vigil", Password: "secret", InsecureSkipVerify: true})
	if err := m.Send(context.Background(), notify.Mail{To: []string{"a@b.example"}, Subject: "Grüße", Body: "über TLS"}); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 1 || !got[0].TLS || !strings.Contains(got[0].Data, "Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=") {
		t.Errorf("messages: %+v", got)
	}
	// A server without STARTTLS is refused when starttls is configured (no silent plain text).
	plain := testutil.SMTPServer(t)
	m = notify.NewSMTPMailer(notify.SMTPConfig{Host: plain.Host, Port: plain.Port, From: "vigil@hospital.example", TLS: "starttls"})
	err := m.Send(context.Background(), notify.Mail{To: []string{"a@b.example"}, Subject: "x", Body: "y"})
	if err == nil || !strings.Contains(err.Error(), "does not offer STARTTLS") || len(plain.Messages()) != 0 {
		t.Errorf("starttls against a plain server: %v", err)
	}
	// A certificate that does not verify is refused.
	m = notify.NewSMTPMailer(notify.SMTPConfig{Host: srv.Host, Port: srv.Port, From: "vigil@hospital.example", TLS: "starttls"})
	if err := m.Send(context.Background(), notify.Mail{To: []string{"a@b.example"}, Subject: "x", Body: "y"}); err == nil {
		t.Error("an unverifiable certificate was accepted")
	}
}

func TestSignature(t *testing.T) {
	body := []byte(`{"event":"finding.kev"}`)
	now := time.Unix(1_800_000_000, 0)
	sig := notify.Sign("whsec", now, body)
	if err := notify.Verify("whsec", sig, body, now.Add(time.Minute), 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	for name, tt := range map[string]struct {
		secret, header string
		body           []byte
		at             time.Time
		want           string
	}{
		"other secret":  {"other", sig, body, now, "does not match"},
		"changed body":  {"whsec", sig, []byte(`{"event":"finding.low"}`), now, "does not match"},
		"replayed late": {"whsec", sig, body, now.Add(10 * time.Minute), "outside the tolerance"},
		"from future":   {"whsec", sig, body, now.Add(-10 * time.Minute), "outside the tolerance"},
		"malformed":     {"whsec", "v1=abc", body, now, "malformed"},
		"changed time":  {"whsec", strings.Replace(sig, "t=1800000000", "t=1800000001", 1), body, now, "does not match"},
	} {
		if err := notify.Verify(tt.secret, tt.header, tt.body, tt.at, 5*time.Minute); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", name, err, tt.want)
		}
	}
}
