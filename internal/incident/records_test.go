package incident_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/incident"
	"github.com/vigil-med/vigil/internal/regulation/deadline"
	"github.com/vigil-med/vigil/internal/report/pdf"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// openIncident creates the incident most tests use: ransomware on a CT workstation with personal data.
func openIncident(t *testing.T, st *store.Store) (*store.Scope, domain.Organisation, domain.Incident) {
	t.Helper()
	org := testutil.Org(t, st, "nordstadt")
	ctx, sc := testutil.Ctx(org.ID), st.Scope(org.ID)
	u := domain.User{Email: "ciso@example.org", Name: "Dr. Miriam Hoffmann", Role: domain.RoleSecurityOfficer}
	if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.CreateUser(ctx, &u) }); err != nil {
		t.Fatal(err)
	}
	in := domain.Incident{Title: "Ransomware on a CT reporting workstation", Category: domain.CategoryRansomware,
		Description: "Ransom note on RAD-WS-07.", AwareAt: mustTime(t, "2026-03-28T23:30:00+01:00"),
		DetectedAt: ptrTime(mustTime(t, "2026-03-28T23:10:00+01:00")), Devices: []string{"RAD-WS-07", " ", "RAD-WS-07"},
		DataCategories: []string{"Health data"}, DataSubjectCategories: []string{"Patients"}, DataSubjects: 1800,
		SuspectedMalicious: "yes", OwnerID: u.ID}
	if err := incident.Create(ctx, sc, &in, map[string]string{"nis2.entity": "essential", "nis2.severe-disruption": "yes",
		"gdpr.personal-data": "yes", "gdpr.controller": "yes", "gdpr.risk": "yes", "mdr.device-involved": "yes"}); err != nil {
		t.Fatal(err)
	}
	return sc, org, in
}

func ptrTime(t time.Time) *time.Time { return &t }

func TestIncidentRecord(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		sc, org, in := openIncident(t, st)
		ctx := testutil.Ctx(org.ID)
		if diff := cmp.Diff([]string{"RAD-WS-07"}, in.Devices); diff != "" {
			t.Errorf("devices cleaned (-want +got):\n%s", diff)
		}
		due := mustTime(t, "2026-03-30T23:59:00+02:00")
		act := domain.IncidentAction{IncidentID: in.ID, Title: "Forensic image of RAD-WS-07", Owner: "IT security", Due: &due}
		dec := domain.IncidentDecision{IncidentID: in.ID, What: "Isolate the imaging VLAN", Who: "CISO", DecidedAt: mustTime(t, "2026-03-28T23:45:00+01:00")}
		content := []byte("Your files are encrypted.\n")
		att := domain.IncidentAttachment{IncidentID: in.ID, Name: "note.txt", ContentType: "text/plain", Evidence: true}
		review := domain.IncidentReview{IncidentID: in.ID, WhatHappened: "Phishing", Lessons: []string{"MFA everywhere", "", "MFA everywhere"}}
		err := sc.Write(ctx, func(tx *store.Tx) error {
			if err := tx.AddIncidentAction(ctx, &act); err != nil {
				return err
			}
			if err := tx.AddIncidentDecision(ctx, &dec); err != nil {
				return err
			}
			if err := tx.AddIncidentAttachment(ctx, &att, content); err != nil {
				return err
			}
			if err := tx.SaveIncidentReview(ctx, &review); err != nil {
				return err
			}
			return tx.AddIncidentEvent(ctx, in.ID, "note", "Called the manufacturer's service line", "")
		})
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(content)
		got, body, err := sc.IncidentAttachment(ctx, in.ID, att.ID)
		if err != nil || got.SHA256 != hex.EncodeToString(sum[:]) || !bytes.Equal(body, content) || got.Size != int64(len(content)) || !got.Evidence {
			t.Errorf("attachment round trip: %+v %q %v", got, body, err)
		}
		// The action is overdue a day after its due date; marking it done keeps the time it was done.
		acts, _ := sc.IncidentActions(ctx, in.ID)
		if len(acts) != 1 || !acts[0].Overdue(due.Add(24*time.Hour)) || acts[0].Overdue(due.Add(-time.Hour)) {
			t.Fatalf("actions: %+v", acts)
		}
		counts, _ := sc.IncidentCounts(ctx, due.Add(24*time.Hour))
		if counts.OverdueActions != 1 || counts.Open != 1 {
			t.Errorf("counts: %+v", counts)
		}
		acts[0].Done = true
		if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.UpdateIncidentAction(ctx, acts[0]) }); err != nil {
			t.Fatal(err)
		}
		if a, _ := sc.IncidentAction(ctx, in.ID, act.ID); !a.Done || a.DoneAt == nil || a.Overdue(due.Add(48*time.Hour)) {
			t.Errorf("done action: %+v", a)
		}
		rv, err := sc.IncidentReview(ctx, in.ID)
		if err != nil || rv.WhatHappened != "Phishing" || cmp.Diff([]string{"MFA everywhere"}, rv.Lessons) != "" {
			t.Errorf("review: %+v %v", rv, err)
		}
		// Status timeline, and closing sets the closing time.
		for _, s := range []domain.IncidentStatus{domain.StatusContained, domain.StatusClosed} {
			if err := incident.SetStatus(ctx, sc, in.ID, s, ""); err != nil {
				t.Fatal(err)
			}
		}
		closed, _ := sc.Incident(ctx, in.ID)
		if closed.Status != domain.StatusClosed || closed.ClosedAt == nil {
			t.Errorf("closed incident: %s %v", closed.Status, closed.ClosedAt)
		}
		events, _ := sc.IncidentEvents(ctx, in.ID)
		var kinds []string
		for _, e := range events {
			kinds = append(kinds, e.Kind)
		}
		joined := strings.Join(kinds, " ")
		for _, k := range []string{"created", "answer", "clocks", "action", "decision", "attachment", "review", "note", "status"} {
			if !strings.Contains(joined, k) {
				t.Errorf("timeline lacks a %q entry: %s", k, joined)
			}
		}
		// Facts changes are named on the timeline; the awareness time moves the clocks.
		closed.AwareAt = closed.AwareAt.Add(time.Hour)
		closed.Impact = "CT room 2 down"
		if err := incident.Update(ctx, sc, closed); err != nil {
			t.Fatal(err)
		}
		events, _ = sc.IncidentEvents(ctx, in.ID)
		var last []string
		for _, e := range events[len(events)-2:] {
			last = append(last, e.Summary)
		}
		if !strings.Contains(last[0], "Changed awareness time, impact") || !strings.Contains(last[1], "Clocks recomputed (incident facts changed)") {
			t.Errorf("update timeline: %q", last)
		}
		// Validation names the field.
		for _, tc := range []struct {
			in    domain.Incident
			field string
		}{
			{domain.Incident{AwareAt: closed.AwareAt}, "title"},
			{domain.Incident{Title: "x"}, "aware_at"},
			{domain.Incident{Title: "x", AwareAt: closed.AwareAt, Category: "meteor"}, "category"},
			{domain.Incident{Title: "x", AwareAt: closed.AwareAt, CrossBorder: "maybe"}, "cross_border"},
			{domain.Incident{Title: "x", AwareAt: closed.AwareAt, DetectedAt: ptrTime(closed.AwareAt.Add(time.Hour))}, "detected_at"},
		} {
			if err := incident.Create(ctx, sc, &tc.in, nil); domain.ErrorField(err) != tc.field {
				t.Errorf("create %+v: error %v, want field %s", tc.in, err, tc.field)
			}
		}
		if _, err := incident.SetAnswers(ctx, sc, in.ID, map[string]string{"gdpr.risk": "perhaps"}, ""); domain.ErrorField(err) != "answers.gdpr.risk" {
			t.Errorf("bad answer: %v", err)
		}
		if _, err := incident.SetAnswers(ctx, sc, in.ID, map[string]string{"weather": "yes"}, ""); domain.ErrorField(err) != "answers.weather" {
			t.Errorf("unknown question: %v", err)
		}
	})
}

func TestReportDraftAndPDF(t *testing.T) {
	st := testutil.MustOpenStore(t)
	sc, org, in := openIncident(t, st)
	ctx := testutil.Ctx(org.ID)
	rec, err := incident.Load(ctx, sc, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, tpl := range rec.Templates() {
		ids = append(ids, tpl.ID)
	}
	// NIS2 and GDPR apply; a device is involved and the hospital is not the manufacturer (its type).
	want := []string{"nis2.early-warning", "nis2.notification", "nis2.intermediate", "nis2.final", "nis2.progress", "gdpr.33", "gdpr.34", "hcp.suspected-incident"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("report templates (-want +got):\n%s", diff)
	}
	d, err := rec.Draft("gdpr.33", 0)
	if err != nil {
		t.Fatal(err)
	}
	prefill := map[string]string{"controller": "nordstadt", "nature": "Ransom note on RAD-WS-07.", "subject_count": "1800",
		"record_categories": "Health data", "subject_categories": "Patients", "dpo_contact": ""}
	for k, v := range prefill {
		if d.Fields[k] != v {
			t.Errorf("prefill %s: got %q, want %q", k, d.Fields[k], v)
		}
	}
	if d.Version != 0 || !d.Prefilled["subject_count"] || !contains(d.Missing, "Likely consequences of the breach") {
		t.Errorf("unsaved draft: version %d, prefilled %v, missing %v", d.Version, d.Prefilled, d.Missing)
	}
	ew, _ := rec.Draft("nis2.early-warning", 0)
	if ew.Fields["incident.aware_at"] != "2026-03-28 23:30 CET" || ew.Fields["suspected_malicious"] != "yes" || ew.Fields["reporter.contact"] != "Dr. Miriam Hoffmann <ciso@example.org>" {
		t.Errorf("early warning prefill: %v", ew.Fields)
	}
	// Saving makes versions; bad values name the field.
	d.Fields["consequences"] = "Patients' CT studies may be published; identity misuse."
	if _, err := incident.SaveReport(ctx, sc, in.ID, "gdpr.33", d.Fields); err != nil {
		t.Fatal(err)
	}
	d.Fields["phased"] = "yes"
	rep2, err := incident.SaveReport(ctx, sc, in.ID, "gdpr.33", d.Fields)
	if err != nil || rep2.Version != 2 {
		t.Fatalf("second version: %+v %v", rep2, err)
	}
	for field, v := range map[string]string{"subject_count": "about 1800", "phased": "perhaps", "nonsense": "x"} {
		if _, err := incident.SaveReport(ctx, sc, in.ID, "gdpr.33", map[string]string{field: v}); domain.ErrorField(err) != "fields."+field {
			t.Errorf("bad %s: %v", field, err)
		}
	}
	if _, err := incident.SaveReport(ctx, sc, in.ID, "nis2.bogus", nil); domain.ErrorCode(err) != domain.ENotFound {
		t.Errorf("unknown template: %v", err)
	}
	sub := domain.IncidentSubmission{IncidentID: in.ID, DeadlineID: "gdpr.33.sa", SubmittedAt: mustTime(t, "2026-03-30T11:00:00+02:00"),
		Recipient: "LfD Niedersachsen", Reference: "LfD-2026-117", ReportID: rep2.ID}
	if err := incident.RecordSubmission(ctx, sc, &sub); err != nil {
		t.Fatal(err)
	}
	rec, _ = incident.Load(ctx, sc, in.ID)
	d, err = rec.Draft("gdpr.33", 0)
	if err != nil || d.Version != 2 || len(d.Submitted) != 1 || len(d.Missing) != 3 {
		t.Fatalf("saved draft: version %d, submitted %v, missing %v, %v", d.Version, d.Submitted, d.Missing, err)
	}
	if v1, _ := rec.Draft("gdpr.33", 1); v1.Fields["phased"] != "" {
		t.Errorf("version 1 changed: %v", v1.Fields)
	}
	ex := rec.Export(d, time.Now())
	if ex.Report != "gdpr.33" || ex.Version != 2 || len(ex.Fields) != 11 || ex.Fields[3].ID != "subject_count" || ex.Fields[3].Value != "1800" || ex.Submissions[0].Reference != "LfD-2026-117" {
		t.Errorf("JSON export: %+v", ex)
	}

	b, err := rec.PDF(d, mustTime(t, "2026-03-30T12:00:00+02:00"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("not a PDF")
	}
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		if os.Getenv("VIGIL_REQUIRE_BROWSER") == "1" {
			t.Fatal("pdftoppm (poppler-utils) is required in CI")
		}
		t.Skip("pdftoppm not installed")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "report.pdf")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	pages, err := pdf.RenderPNG(path, filepath.Join(dir, "page"), 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) < 1 {
		t.Fatal("no pages rendered")
	}
	for _, p := range pages {
		ink, err := pdf.InkRatio(p)
		if err != nil {
			t.Fatal(err)
		}
		if ink <= 0.005 {
			t.Errorf("%s is (nearly) blank: ink %.4f", filepath.Base(p), ink)
		}
	}
}

func TestEveryTemplateHasADeadlineReport(t *testing.T) {
	// Every clock the deadline package can start has a report to send (what the incident page shows).
	for _, r := range deadline.Rules().Rules {
		if _, ok := incident.ReportFor(r.ID, r.Regime); !ok {
			t.Errorf("no report template for deadline %s", r.ID)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{30 * time.Second, "less than a minute"},
		{12 * time.Minute, "12 min"},
		{21*time.Hour + 57*time.Minute + 59*time.Second, "21 h 57 min"},
		{25 * time.Hour, "1 day 1 h"},
		{69 * time.Hour, "2 days 21 h"},
		{-2*time.Hour - 3*time.Minute, "2 h 03 min"},
	} {
		if got := incident.FormatDuration(tc.d); got != tc.want {
			t.Errorf("FormatDuration(%s) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

// TestOrganisationTypeDecidesRole: a hospital reports as the device's user, a manufacturer as its
// manufacturer, from the organisation's type alone.
func TestOrganisationTypeDecidesRole(t *testing.T) {
	st := testutil.MustOpenStore(t)
	aware := mustTime(t, "2026-10-05T09:00:00+02:00")
	answers := map[string]string{"mdr.device-involved": "yes", "mdr.seriousness": "death-or-serious-deterioration"}
	for _, tc := range []struct {
		typ      domain.OrgType
		want     []string
		reportID string
	}{
		{domain.OrgHospital, []string{"hcp.report", "op.notify.mfr"}, "hcp.suspected-incident"},
		{domain.OrgManufacturer, []string{"mdr.87.death"}, "mdr.manufacturer-report"},
	} {
		org := domain.Organisation{Name: string(tc.typ), Type: tc.typ, Country: "NL", TimeZone: "Europe/Amsterdam"}
		if err := st.CreateOrg(testutil.Ctx(0), &org); err != nil {
			t.Fatal(err)
		}
		ctx, sc := testutil.Ctx(org.ID), st.Scope(org.ID)
		in := domain.Incident{Title: "Infusion pump over-infusion", Category: domain.CategoryDeviceMalfunction, AwareAt: aware}
		if err := incident.Create(ctx, sc, &in, answers); err != nil {
			t.Fatal(err)
		}
		rec, _ := incident.Load(ctx, sc, in.ID)
		var got []string
		for _, d := range rec.Active() {
			if strings.HasPrefix(d.Regime, "mdr") {
				got = append(got, d.DeadlineID)
				if d.DeadlineID == "mdr.87.death" && d.Due.Format(time.RFC3339) != "2026-10-15T07:00:00Z" {
					t.Errorf("10 days at the same local time: %v", d.Due)
				}
			}
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: MDR deadlines (-want +got):\n%s", tc.typ, diff)
		}
		if rec.AnswerSources["mdr.manufacturer"] != incident.SourceOrgType {
			t.Errorf("%s: mdr.manufacturer source %q", tc.typ, rec.AnswerSources["mdr.manufacturer"])
		}
		rule, _ := deadline.RuleByID(got[0])
		if rt, ok := incident.ReportFor(got[0], rule.Regime); !ok || rt.ID != tc.reportID {
			t.Errorf("%s: report for %s: %v", tc.typ, got[0], rt.ID)
		}
	}
}
