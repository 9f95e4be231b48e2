package training

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

var testNow = time.Date(2026, 4, 15, 8, 0, 0, 0, time.UTC)

func importFile(t *testing.T, st *store.Store, org int64, kind, file string, opt ImportOptions) ImportResult {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if opt.Now.IsZero() {
		opt.Now = testNow
	}
	ctx := testutil.Ctx(org)
	var res ImportResult
	if kind == "staff" {
		res, err = ImportStaff(ctx, st, org, file, f, opt)
	} else {
		res, err = ImportResults(ctx, st, org, file, f, opt)
	}
	if err != nil {
		t.Fatalf("import %s: %v", file, err)
	}
	return res
}

// snapshot is what an import may change, for comparing before and after.
type snapshot struct {
	Staff, Modules, Assignments, Records, Audit int
}

func snap(t *testing.T, st *store.Store, org int64) snapshot {
	t.Helper()
	ctx := context.Background()
	sc := st.Scope(org)
	var s snapshot
	var err error
	one := func(n int, e error) int {
		if e != nil {
			err = e
		}
		return n
	}
	s.Staff = one(sc.Count(ctx, "SELECT COUNT(*) FROM staff WHERE org_id = ?", org))
	s.Modules = one(sc.Count(ctx, "SELECT COUNT(*) FROM training_modules WHERE org_id = ?", org))
	s.Assignments = one(sc.Count(ctx, "SELECT COUNT(*) FROM training_assignments WHERE org_id = ? AND cancelled IS NULL", org))
	s.Records = one(sc.Count(ctx, "SELECT COUNT(*) FROM training_records WHERE org_id = ?", org))
	s.Audit = one(sc.Count(ctx, "SELECT COUNT(*) FROM audit_events WHERE org_id = ?", org))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestImportStaff(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		org := testutil.Org(t, st, "klinikum")
		empty := snap(t, st, org.ID)

		dry := importFile(t, st, org.ID, "staff", "hr-export-de.csv", ImportOptions{DryRun: true})
		if !dry.OK || dry.Created != 6 || dry.Assigned != 24 || !dry.Installed || dry.Rows != 6 || dry.Format != "csv" {
			t.Errorf("dry run: %+v", dry)
		}
		if got := snap(t, st, org.ID); got != empty {
			t.Errorf("a dry run changed the database: %+v, was %+v", got, empty)
		}

		res := importFile(t, st, org.ID, "staff", "hr-export-de.csv", ImportOptions{})
		dry.DryRun = false
		if diff := cmp.Diff(dry, res); diff != "" {
			t.Errorf("the import did not do what its dry run said (-dry +real):\n%s", diff)
		}
		sc := st.Scope(org.ID)
		ctx := testutil.Ctx(org.ID)
		people, _ := sc.AllStaff(ctx)
		got := map[string]string{}
		for _, p := range people {
			got[p.StaffNumber] = string(p.Audience) + "|" + p.ManagerName + "|" + yesNo(p.BoardMember) + "|" + dateText(p.StartDate) + "|" + dateText(p.LeaverDate)
		}
		want := map[string]string{
			"10001": "clinical||yes|2009-04-01|",
			"10002": "it-security|Miriam Hoffmann|no|2015-01-15|",
			"10003": "biomed|Jonas Berger|no|2018-09-01|",
			"10004": "procurement|Miriam Hoffmann|no|2020-02-01|",
			"10005": "clinical|Miriam Hoffmann|no|2021-10-01|",
			"10006": "clinical|Miriam Hoffmann|no||2025-12-31",
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("people (audience|manager|board|start|leaver) (-want +got):\n%s", diff)
		}

		again := importFile(t, st, org.ID, "staff", "hr-export-de.csv", ImportOptions{})
		if again.Created != 0 || again.Updated != 0 || again.Unchanged != 6 || again.Assigned != 0 {
			t.Errorf("second import of the same file: %+v", again)
		}

		// Jonas moves from IT to procurement: his IT curriculum is withdrawn, procurement assigned.
		moved := strings.Replace(readFixture(t, "hr-export-de.csv"), "IT & Informationssicherheit;Leiter IT", "Einkauf;Einkäufer", 1)
		res, err := ImportStaff(ctx, st, org.ID, "moved.csv", strings.NewReader(moved), ImportOptions{Now: testNow})
		if err != nil || res.Updated != 1 || res.Withdrawn != 2 || res.Assigned != 1 {
			t.Errorf("role change: %+v %v", res, err)
		}
		jonas, _ := sc.StaffByRef(ctx, "10002", "")
		if jonas.Audience != domain.AudienceProcurement {
			t.Errorf("Jonas is %s", jonas.Audience)
		}
	})
}

func readFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestImportStaffRejections(t *testing.T) {
	st := testutil.MustOpenStore(t)
	org := testutil.Org(t, st, "h")
	before := snap(t, st, org.ID)
	res := importFile(t, st, org.ID, "staff", "hr-export-bad.csv", ImportOptions{})
	want := []Rejection{
		{Row: 3, Column: "Full name", Field: "name", Message: "is required"},
		{Row: 4, Column: "Email", Field: "email", Value: "not-an-address", Message: `"not-an-address" is not a valid e-mail address`},
		{Row: 5, Column: "Start date", Field: "start_date", Value: "31/02/2020x", Message: "is not a date (use 2026-03-01 or 01.03.2026)"},
		{Row: 6, Column: "Employee ID", Field: "staff_number", Value: "30001", Message: "the staff number appears in row 2 already"},
		{Row: 7, Column: "Board member", Field: "board_member", Value: "maybe", Message: "is not yes or no"},
		{Row: 7, Column: "Leaver date", Field: "leaver_date", Value: "2019-01-01", Message: "is before the start date"},
	}
	if diff := cmp.Diff(want, res.Rejections); diff != "" {
		t.Errorf("rejections (-want +got):\n%s", diff)
	}
	if res.OK {
		t.Error("an import with rejections reports OK")
	}
	if err := res.Error(); err == nil || !strings.Contains(err.Error(), `row 4, column "Email": "not-an-address" is not a valid e-mail address`) {
		t.Errorf("error text: %v", err)
	}
	if got := snap(t, st, org.ID); got != before {
		t.Errorf("a rejected import wrote: %+v, was %+v", got, before)
	}
}

func TestImportStaffRollsBack(t *testing.T) {
	st := testutil.MustOpenStore(t)
	org := testutil.Org(t, st, "h")
	ctx := testutil.Ctx(org.ID)
	importFile(t, st, org.ID, "staff", "hr-export-en.csv", ImportOptions{})
	before := snap(t, st, org.ID)
	// Row 3 is fine, row 4 gives Lena Fischer's e-mail to someone with another staff number: found only
	// when writing, after row 3 was written — which must be undone.
	csv := "Employee ID,Full name,Email,Department\n" +
		"20001,Grace Okafor,g.okafor@nordstadt.example,Cardiology ward 2\n" +
		"29999,New Person,new@nordstadt.example,ICU\n" +
		"29998,Someone Else,l.fischer@nordstadt.example,ICU\n"
	res, err := ImportStaff(ctx, st, org.ID, "clash.csv", strings.NewReader(csv), ImportOptions{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	want := []Rejection{{Row: 4, Column: "Email", Field: "email", Value: "l.fischer@nordstadt.example",
		Message: "the e-mail address belongs to Lena Fischer (staff number 20002) in the register"}}
	if diff := cmp.Diff(want, res.Rejections); diff != "" {
		t.Errorf("rejections (-want +got):\n%s", diff)
	}
	if got := snap(t, st, org.ID); got != before {
		t.Errorf("the failed import left changes: %+v, was %+v", got, before)
	}
	g, _ := st.Scope(org.ID).StaffByRef(ctx, "20001", "")
	if g.Department != "Cardiology" || g.Name != "Grace Okafor" {
		t.Errorf("Grace after the rolled-back import: %+v", g)
	}
	if g.Audience != domain.AudienceClinical {
		t.Errorf("Grace's staff group: %s", g.Audience)
	}
	if ceo, _ := st.Scope(org.ID).StaffByRef(ctx, "20004", ""); !ceo.BoardMember {
		t.Errorf("a staff group of Board makes a board member: %+v", ceo)
	}
}

func TestImportStaffXLSXAndMapping(t *testing.T) {
	st := testutil.MustOpenStore(t)
	org := testutil.Org(t, st, "h")
	ctx := testutil.Ctx(org.ID)
	f := excelize.NewFile()
	rows := [][]any{
		{"Kennung", "Mitarbeiter", "Dienstliche E-Mail", "Bereich", "Eintritt"},
		{"A-1", "Karin Vogel", "k.vogel@h.example", "Pflegedienst", 45658}, // 2025-01-01 as an Excel serial
		{"A-2", "Lars Møller", "l.moller@h.example", "Medizintechnik", "2026-04-01"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	// "Kennung" is no known header: without a mapping people are identified by e-mail alone.
	res, err := ImportStaff(ctx, st, org.ID, "staff.xlsx", bytes.NewReader(buf.Bytes()), ImportOptions{Now: testNow, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	var fields []string
	for _, c := range res.Columns {
		fields = append(fields, c.Field+"="+c.Column)
	}
	if diff := cmp.Diff([]string{"name=Mitarbeiter", "email=Dienstliche E-Mail", "department=Bereich", "start_date=Eintritt"}, fields); diff != "" || !res.OK {
		t.Fatalf("recognised columns without mapping (-want +got):\n%s", diff)
	}
	m, err := ParseMapping("staff_number=Kennung", StaffFields)
	if err != nil {
		t.Fatal(err)
	}
	res, err = ImportStaff(ctx, st, org.ID, "staff.xlsx", bytes.NewReader(buf.Bytes()), ImportOptions{Now: testNow, Mapping: m})
	if err != nil || !res.OK || res.Created != 2 || res.Format != "xlsx" || res.Sheet != "Sheet1" {
		t.Fatalf("with mapping: %+v %v", res, err)
	}
	lars, _ := st.Scope(org.ID).StaffByRef(ctx, "A-2", "")
	karin, _ := st.Scope(org.ID).StaffByRef(ctx, "A-1", "")
	if dateText(karin.StartDate) != "2025-01-01" || karin.Audience != domain.AudienceClinical {
		t.Errorf("Karin: %+v", karin)
	}
	// Lars started two weeks ago: a new starter, whose induction is due in 14 days.
	as, _ := st.Scope(org.ID).Assignments(ctx, store.AssignmentFilter{StaffID: lars.ID})
	mods, _ := st.Scope(org.ID).TrainingModules(ctx, false)
	code := map[int64]string{}
	for _, m := range mods {
		code[m.ID] = m.Code
	}
	got := map[string]string{}
	for _, a := range as {
		got[code[a.ModuleID]] = a.Due.Format("2006-01-02")
	}
	want := map[string]string{
		"new-starter-induction":     "2026-04-29",
		"security-awareness-basics": "2026-04-29", // the new-starter due date beats all staff's 60 days
		"data-protection-basics":    "2026-04-29",
		"phishing-awareness":        "2026-06-14",
		"medical-device-security":   "2026-07-14",
		"clinical-downtime":         "2026-07-14",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("newcomer's assignments (module → due) (-want +got):\n%s", diff)
	}
	if _, err := ParseMapping("nonsense=X", StaffFields); domain.ErrorField(err) != "mapping" {
		t.Errorf("unknown mapping field: %v", err)
	}
}

func TestImportResults(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		org := testutil.Org(t, st, "klinikum")
		importFile(t, st, org.ID, "staff", "hr-export-de.csv", ImportOptions{})
		before := snap(t, st, org.ID)
		dry := importFile(t, st, org.ID, "results", "lms-results.csv", ImportOptions{DryRun: true})
		if !dry.OK || dry.Created != 4 || len(dry.Preview) != 4 {
			t.Errorf("dry run: %+v", dry)
		}
		if got := snap(t, st, org.ID); got != before {
			t.Errorf("dry run wrote: %+v", got)
		}
		res := importFile(t, st, org.ID, "results", "lms-results.csv", ImportOptions{})
		if !res.OK || res.Created != 4 {
			t.Fatalf("import: %+v", res)
		}
		wantPreview := []PreviewRow{
			{Row: 2, Action: "add", Cells: []string{"Jonas Berger", "Cyber security awareness for all staff", "course", "2026-03-02", "passed", "92", "SecureLearn"}},
			{Row: 3, Action: "add", Cells: []string{"Piotr Nowak", "Cyber security awareness for all staff", "course", "2026-03-02", "passed", "88", "SecureLearn"}},
			{Row: 4, Action: "add", Cells: []string{"Piotr Nowak", "Security of networked medical devices", "course", "2026-02-10", "completed", "", "IEC 80001 course (external)"}},
			{Row: 5, Action: "add", Cells: []string{"Claire Dubois", "Cyber security awareness for all staff", "course", "2026-03-05", "failed", "41", "SecureLearn"}},
		}
		if diff := cmp.Diff(wantPreview, res.Preview); diff != "" {
			t.Errorf("preview (-want +got):\n%s", diff)
		}
		again := importFile(t, st, org.ID, "results", "lms-results.csv", ImportOptions{})
		if again.Created != 0 || again.Unchanged != 4 {
			t.Errorf("importing the same results again: %+v", again)
		}
		ph := importFile(t, st, org.ID, "results", "phishing-results.csv", ImportOptions{})
		if !ph.OK || ph.Created != 4 {
			t.Fatalf("phishing: %+v", ph)
		}
		r, err := Coverage(testutil.Ctx(org.ID), st.Scope(org.ID), testNow)
		if err != nil {
			t.Fatal(err)
		}
		if r.Phishing.Totals.Sent != 4 || r.Phishing.Totals.Clicked != 2 || r.Phishing.Totals.Reported != 1 || r.Phishing.Totals.ClickRate != 50 {
			t.Errorf("phishing figures: %+v", r.Phishing.Totals)
		}
		// Jonas passed awareness, Claire failed it: only Jonas's counts.
		for _, g := range r.ByModule {
			if g.Key == "security-awareness-basics" && g.Completed != 2 {
				t.Errorf("awareness completed by %d, want 2 (Jonas, Piotr; Claire failed)", g.Completed)
			}
		}
	})
}

func TestImportResultsRejections(t *testing.T) {
	st := testutil.MustOpenStore(t)
	org := testutil.Org(t, st, "klinikum")
	importFile(t, st, org.ID, "staff", "hr-export-de.csv", ImportOptions{})
	before := snap(t, st, org.ID)
	csv := "Email,Course,Date,Result,Score\n" +
		"j.berger@klinikum.example,security-awareness-basics,2026-03-02,passed,92\n" +
		"ghost@klinikum.example,security-awareness-basics,2026-03-02,passed,\n" +
		"j.berger@klinikum.example,underwater basket weaving,2026-03-02,passed,\n" +
		"j.berger@klinikum.example,security-awareness-basics,2026-03-02,maybe,\n" +
		"j.berger@klinikum.example,security-awareness-basics,2027-01-01,passed,\n" +
		"j.berger@klinikum.example,security-awareness-basics,2026-03-02,passed,120\n"
	res, err := ImportResults(testutil.Ctx(org.ID), st, org.ID, "r.csv", strings.NewReader(csv), ImportOptions{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res.Rejections {
		got = append(got, r.String())
	}
	want := []string{
		`row 3, column "Email": no person with this staff number or e-mail in the staff register (import the staff first) (value "ghost@klinikum.example")`,
		`row 4, column "Course": no training module with this code or title (known codes: board-cyber-crisis, board-nis2-duties, clinical-downtime, data-protection-basics, incident-response-it, medical-device-security, new-starter-induction, phishing-awareness, secure-administration, secure-procurement, security-awareness-basics, tabletop-exercise) (value "underwater basket weaving")`,
		`row 5, column "Result": unknown result (use completed, passed, failed, clicked, reported or ignored) (value "maybe")`,
		`row 6, column "Date": lies in the future (value "2027-01-01")`,
		`row 7, column "Score": must be between 0 and 100 (value "120")`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rejections (-want +got):\n%s", diff)
	}
	if got := snap(t, st, org.ID); got != before {
		t.Errorf("rejected results were written: %+v", got)
	}
}
