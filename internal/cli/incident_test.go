package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/regulation/deadline"
	"github.com/vigil-med/vigil/internal/store"
)

func runCLI(t *testing.T, dataDir string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
		if k == "VIGIL_DATA_DIR" {
			return dataDir
		}
		return ""
	}}
	code := RunEnv(context.Background(), args, env)
	return out.String(), errb.String(), code
}

// TestIncidentDeadlinesJSON checks the example against the deadline package itself: the CLI
// must print what deadline.Compute counts (24 real hours for the early warning across the DST change).
func TestIncidentDeadlinesJSON(t *testing.T) {
	out, stderr, code := runCLI(t, t.TempDir(), "incident", "deadlines", "--aware", "2026-03-28T23:30:00+01:00", "--tz", "Europe/Berlin",
		"--regime", "nis2", "--regime", "gdpr", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got []map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	aware, _ := time.Parse(time.RFC3339, "2026-03-28T23:30:00+01:00")
	want := deadline.Compute(deadline.Input{Aware: aware, Location: berlin, Regimes: []deadline.Regime{deadline.NIS2, deadline.GDPR}})
	if len(got) != len(want) {
		t.Fatalf("got %d deadlines, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g["id"] != w.ID || g["recipient"] != w.Recipient || g["basis"] != w.Basis {
			t.Errorf("[%d] id/recipient/basis: got %v %v %v, want %s %s %s", i, g["id"], g["recipient"], g["basis"], w.ID, w.Recipient, w.Basis)
		}
		if w.Due == nil {
			if _, ok := g["due"]; ok || g["pending"] != true || g["waiting_for"] != "submitting the incident notification (72-hour report)" {
				t.Errorf("[%d] %s pending: %v", i, w.ID, g)
			}
			continue
		}
		if g["due"] != w.Due.UTC().Format(time.RFC3339) || g["due_local"] != w.Due.In(berlin).Format(time.RFC3339) {
			t.Errorf("[%d] %s due: got %v / %v, want %s", i, w.ID, g["due"], g["due_local"], w.Due.UTC().Format(time.RFC3339))
		}
	}
	// The values themselves, as the deadline package counts them: 24 and 72 real hours across the change
	// to summer time (the local clock reads 00:30, not 23:30).
	dues := map[string]any{}
	for _, g := range got {
		dues[g["id"].(string)] = g["due"]
	}
	wantDues := map[string]any{"nis2.23.ew": "2026-03-29T22:30:00Z", "nis2.23.notif": "2026-03-31T22:30:00Z", "gdpr.33.sa": "2026-03-31T22:30:00Z", "nis2.23.final": nil}
	if diff := cmp.Diff(wantDues, dues); diff != "" {
		t.Errorf("due times (-want +got):\n%s", diff)
	}

	// Notified starts the final report; a table without --json.
	out, _, code = runCLI(t, t.TempDir(), "incident", "deadlines", "--aware", "2026-03-28T23:30", "--notified", "2026-03-30T10:00",
		"--tz", "Europe/Berlin", "--regime", "nis2", "--country", "DE")
	if code != 0 || !strings.Contains(out, "nis2.23.final  Thu 2026-04-30 10:00 CEST") || !strings.Contains(out, "Gemeinsame Meldestelle") {
		t.Errorf("table output:\n%s", out)
	}
}

func TestIncidentDeadlinesBadFlags(t *testing.T) {
	base := []string{"incident", "deadlines", "--aware", "2026-03-28T23:30:00+01:00", "--tz", "Europe/Berlin", "--regime", "nis2"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"incident", "deadlines", "--aware", "2026-03-28T23:30:00+01:00", "--tz", "Mars/Olympus", "--regime", "nis2"}, "--tz: unknown time zone"},
		{[]string{"incident", "deadlines", "--aware", "last night", "--tz", "Europe/Berlin", "--regime", "nis2"}, "--aware: \"last night\" is not a time"},
		{[]string{"incident", "deadlines", "--tz", "Europe/Berlin", "--regime", "nis2"}, "--aware: required"},
		{[]string{"incident", "deadlines", "--aware", "2026-03-28T23:30:00+01:00", "--tz", "Europe/Berlin", "--regime", "hipaa"}, "--regime: unknown regime \"hipaa\""},
		{[]string{"incident", "deadlines", "--aware", "2026-03-28T23:30:00+01:00", "--tz", "Europe/Berlin"}, "--regime: give at least one"},
		{append(append([]string{}, base...), "--notified", "2026-03-01T00:00:00Z"), "--notified: 2026-03-01T00:00:00Z is before --aware"},
		{append(append([]string{}, base...), "--country", "ZZ"), "--country: no Member State overlay for \"ZZ\""},
	} {
		_, stderr, code := runCLI(t, t.TempDir(), tc.args...)
		if code == 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want it to contain %q", tc.args, code, stderr, tc.want)
		}
	}
}

func TestIncidentCreateListShow(t *testing.T) {
	dir := t.TempDir()
	if _, stderr, code := runCLI(t, dir, "org", "add", "Nordstadt Hospital", "--country", "DE"); code != 0 {
		t.Fatalf("org add: %s", stderr)
	}
	out, stderr, code := runCLI(t, dir, "incident", "create", "--title", "Ransomware on an imaging workstation", "--aware", "2026-03-28T23:30:00+01:00",
		"--category", "ransomware", "--answer", "nis2.entity=essential", "--answer", "nis2.severe-disruption=yes", "--answer", "gdpr.personal-data=no", "--json")
	if code != 0 {
		t.Fatalf("create: %s", stderr)
	}
	var created struct {
		Incident struct {
			ID       int64  `json:"id"`
			Category string `json:"category"`
			AwareAt  string `json:"aware_at"`
		} `json:"incident"`
		Clocks []struct {
			DeadlineID string  `json:"deadline_id"`
			Due        *string `json:"due"`
			State      string  `json:"state"`
		} `json:"clocks"`
	}
	if err := json.Unmarshal([]byte(out), &created); err != nil {
		t.Fatalf("create JSON: %v\n%s", err, out)
	}
	if created.Incident.ID == 0 || created.Incident.Category != "ransomware" || created.Incident.AwareAt != "2026-03-28T22:30:00Z" {
		t.Errorf("created: %+v", created.Incident)
	}
	if len(created.Clocks) == 0 || created.Clocks[0].DeadlineID != "nis2.23.ew" || *created.Clocks[0].Due != "2026-03-29T22:30:00Z" {
		t.Errorf("clocks of the new incident: %+v", created.Clocks)
	}

	out, _, code = runCLI(t, dir, "incident", "list", "--json")
	var page struct {
		Total int `json:"total"`
		Items []struct {
			Title string `json:"title"`
		} `json:"items"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &page) != nil || page.Total != 1 || page.Items[0].Title != "Ransomware on an imaging workstation" {
		t.Errorf("list: %s", out)
	}
	out, _, _ = runCLI(t, dir, "incident", "list", "--exercises", "--json")
	if json.Unmarshal([]byte(out), &page) != nil || page.Total != 0 {
		t.Errorf("exercises list shows the real incident: %s", out)
	}

	out, stderr, code = runCLI(t, dir, "incident", "show", "INC-1", "--json")
	var shown struct {
		Incident struct {
			Title string `json:"title"`
		} `json:"incident"`
		Answers       map[string]string `json:"answers"`
		AnswerSources map[string]string `json:"answer_sources"`
		Timeline      []struct {
			Kind string `json:"kind"`
		} `json:"timeline"`
		Clocks []struct {
			DeadlineID string `json:"deadline_id"`
			Text       string `json:"text"`
		} `json:"clocks"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &shown) != nil {
		t.Fatalf("show: %s %s", stderr, out)
	}
	if shown.Answers["nis2.entity"] != "essential" || shown.AnswerSources["mdr.manufacturer"] != "organisation type" || len(shown.Timeline) < 4 {
		t.Errorf("show: answers %v sources %v timeline %d", shown.Answers, shown.AnswerSources, len(shown.Timeline))
	}
	out, _, code = runCLI(t, dir, "incident", "show", "1")
	if code != 0 || !strings.Contains(out, "INC-1  Ransomware on an imaging workstation") || !strings.Contains(out, "nis2.23.ew") {
		t.Errorf("show text:\n%s", out)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"incident", "create", "--title", "x", "--category", "meteor"}, "--category: unknown category"},
		{[]string{"incident", "create", "--title", "x", "--answer", "gdpr.risk"}, "--answer \"gdpr.risk\": want QUESTION=ANSWER"},
		{[]string{"incident", "create", "--title", "x", "--answer", "gdpr.risk=perhaps"}, "--answer gdpr.risk: \"perhaps\" is not an answer"},
		{[]string{"incident", "create", "--aware", "2026-03-28T23:30"}, "--title: is required"},
		{[]string{"incident", "show", "INC-99"}, "incident not found"},
		{[]string{"incident", "show", "last"}, "want a number such as 12 or INC-12"},
	} {
		_, stderr, code := runCLI(t, dir, tc.args...)
		if code == 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tc.args, code, stderr, tc.want)
		}
	}
}

// TestIncidentCreateDevice links an inventory device by host name when the incident is created, shows
// it, and names the flag for a device that is not in the inventory.
func TestIncidentCreateDevice(t *testing.T) {
	dir := t.TempDir()
	if _, stderr, code := runCLI(t, dir, "org", "add", "Nordstadt Hospital", "--country", "DE"); code != 0 {
		t.Fatalf("org add: %s", stderr)
	}
	st, err := store.Open(context.Background(), store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	org, err := st.OrgByRef(context.Background(), "nordstadt-hospital")
	if err != nil {
		t.Fatal(err)
	}
	ctx := domain.WithActor(context.Background(), domain.Actor{Kind: domain.ActorCLI, Name: "test", OrgID: org.ID, Role: domain.RoleAdmin})
	if err := st.Scope(org.ID).Write(ctx, func(tx *store.Tx) error {
		pv, _, err := tx.EnsureProductVersion(ctx, "Siemens Healthineers", "syngo.via", "VB40A")
		if err != nil {
			return err
		}
		return tx.CreateAsset(ctx, &domain.Asset{ProductVersionID: pv.ID, AssetTag: "NUH-0007", Hostname: "RAD-WS-MC07", Criticality: domain.CritImportant},
			domain.DateOf(time.Now()))
	}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	if _, stderr, code := runCLI(t, dir, "incident", "create", "--title", "Ransom note", "--device", "NUH-9999"); code == 0 ||
		!strings.Contains(stderr, `--device NUH-9999: device with asset tag or host name "NUH-9999" not found`) {
		t.Errorf("unknown device: exit %d, %s", code, stderr)
	}
	if _, stderr, code := runCLI(t, dir, "incident", "create", "--title", "Ransom note", "--device", "rad-ws-mc07"); code != 0 {
		t.Fatalf("create with a device: %s", stderr)
	}
	out, _, _ := runCLI(t, dir, "incident", "show", "INC-1")
	if !strings.Contains(out, "Affected devices:\n  NUH-0007 — Siemens Healthineers syngo.via VB40A (host RAD-WS-MC07; criticality important)") {
		t.Errorf("show does not list the device:\n%s", out)
	}
}
