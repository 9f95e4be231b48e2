package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// run executes the command line in-process with a clean environment.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = RunEnv(context.Background(), args, Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }})
	return code, out.String(), errb.String()
}

// TestScopeJSONIssueExample is the example of issue 6: a healthcare provider with 300 staff, €40 m
// turnover and €30 m balance sheet. Scope says large (headcount ≥ 250), so essential under Annex I.
func TestScopeJSONIssueExample(t *testing.T) {
	code, out, errOut := run(t, "regulation", "scope", "--entity-type", "healthcare-provider", "--employees", "300",
		"--turnover-eur", "40000000", "--balance-eur", "30000000", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got struct {
		Category string `json:"category"`
		Annex    string `json:"annex"`
		Size     string `json:"size"`
		Reasons  []struct{ Ref, Text string }
		ToCheck  []struct{ Ref, Text string } `json:"to_check"`
		Input    struct {
			Employees       float64 `json:"employees"`
			TurnoverEUR     int64   `json:"turnover_eur"`
			BalanceSheetEUR int64   `json:"balance_sheet_eur"`
		}
		Duties []struct{ ID string }
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if got.Category != "essential" || got.Annex != "I" || got.Size != "large" {
		t.Errorf("category %q annex %q size %q, want essential, I, large", got.Category, got.Annex, got.Size)
	}
	var refs []string
	for _, r := range got.Reasons {
		refs = append(refs, r.Ref)
	}
	all := strings.Join(refs, " | ")
	for _, want := range []string{"NIS2 Annex I point 5", "Art 2(1)", "NIS2 Art 3(1)(a)", "Rec. 2003/361/EC Annex Art 2(1)"} {
		if !strings.Contains(all, want) {
			t.Errorf("reasons lack %q: %s", want, all)
		}
	}
	if got.Input.Employees != 300 || got.Input.TurnoverEUR != 40_000_000 || got.Input.BalanceSheetEUR != 30_000_000 {
		t.Errorf("input echoed as %+v", got.Input)
	}
	// Without --country the Member State is something to check, and HTML characters are not escaped.
	if len(got.ToCheck) == 0 || !strings.Contains(got.ToCheck[0].Ref, "Art 26") {
		t.Errorf("to_check: %+v", got.ToCheck)
	}
	if strings.Contains(out, `\u003c`) || strings.Contains(out, `\u0026`) || !strings.Contains(out, "≥") {
		t.Errorf("JSON escapes HTML or lost ≥: %s", out[:200])
	}
}

func TestScopeMissingFiguresAreUnknown(t *testing.T) {
	type answer struct {
		Category string
		Input    struct {
			TurnoverEUR int64 `json:"turnover_eur"`
		}
		NationalLabel string                       `json:"national_label"`
		ToCheck       []struct{ Ref, Text string } `json:"to_check"`
	}
	scope := func(employees string) answer {
		t.Helper()
		code, out, errOut := run(t, "regulation", "scope", "--entity-type", "healthcare-provider", "--employees", employees, "--country", "DE", "--json")
		if code != 0 {
			t.Fatal(errOut)
		}
		var got answer
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		return got
	}
	// 300 staff is large whatever the money: essential, with the German label.
	if got := scope("300"); got.Category != "essential" || got.Input.TurnoverEUR != -1 || !strings.Contains(got.NationalLabel, "besonders wichtige") {
		t.Errorf("300 staff: %+v", got)
	}
	// 120 staff is medium or large depending on turnover and balance sheet: uncertain, and it says so.
	got := scope("120")
	if got.Category != "uncertain" || got.NationalLabel != "" {
		t.Errorf("120 staff: %+v", got)
	}
	var texts []string
	for _, c := range got.ToCheck {
		texts = append(texts, c.Text)
	}
	if !strings.Contains(strings.Join(texts, " "), "missing figures") {
		t.Errorf("120 staff: to_check does not ask for the missing figures: %q", texts)
	}
}

func TestScopeReadable(t *testing.T) {
	code, out, _ := run(t, "regulation", "scope", "--entity-type", "medical-device-manufacturer", "--employees", "20", "--turnover-eur", "3m", "--balance-eur", "2m", "--country", "NL")
	if code != 0 {
		t.Fatal(out)
	}
	for _, want := range []string{"NIS2 scope: NOT IN SCOPE", "Why:", "[NIS2 Annex II point 5(a)]", "not legal advice"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestScopeBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--entity-type", "hospital"}, []string{"--entity-type", `"hospital"`, "healthcare-provider", "managed-service-provider", "other"}},
		{[]string{}, []string{"--entity-type is required", "healthcare-provider"}},
		{[]string{"--entity-type", "healthcare-provider", "--designated", "maybe"}, []string{"--designated", "essential or important"}},
		{[]string{"--entity-type", "healthcare-provider", "--country", "Germany"}, []string{"--country", "two-letter", "DE"}},
		{[]string{"--entity-type", "healthcare-provider", "--employees", "many"}, []string{"--employees", `"many"`}},
		{[]string{"--entity-type", "healthcare-provider", "--turnover-eur", "lots"}, []string{"--turnover-eur", `"lots"`}},
		{[]string{"--entity-type", "healthcare-provider", "--balance-eur", "-5"}, []string{"--balance-eur"}},
	} {
		code, _, errOut := run(t, append([]string{"regulation", "scope"}, tc.args...)...)
		if code == 0 {
			t.Errorf("%v: exit 0", tc.args)
		}
		for _, w := range tc.want {
			if !strings.Contains(errOut, w) {
				t.Errorf("%v: error %q lacks %q", tc.args, errOut, w)
			}
		}
	}
}

// TestAssessmentCommands runs the profile and assessment commands against a data directory: save the
// profile, start a campaign, set a measure, add evidence, sign off, refuse changes afterwards, write the
// gap report PDF.
func TestAssessmentCommands(t *testing.T) {
	dir := t.TempDir()
	dd := []string{"--data-dir", filepath.Join(dir, "data")}
	must := func(args ...string) string {
		t.Helper()
		code, out, errOut := run(t, append(args, dd...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		return out
	}
	must("org", "add", "St. Example Hospital", "--country", "DE")
	must("user", "add", "ciso@example.org", "--role", "security-officer")
	out := must("regulation", "profile", "set", "--entity-type", "healthcare-provider", "--public", "--country", "DE", "--employees", "4800",
		"--turnover-eur", "610m", "--balance-eur", "540m", "--large-scale-health-data")
	if !strings.Contains(out, "ESSENTIAL") {
		t.Errorf("profile set: %s", out)
	}
	var prof struct {
		Profile struct {
			Employees float64 `json:"employees"`
			Saved     bool    `json:"saved"`
			Health    bool    `json:"health_data"`
		}
		Scope struct {
			Category      string `json:"category"`
			NationalLabel string `json:"national_label"`
		}
	}
	if err := json.Unmarshal([]byte(must("regulation", "profile", "--json")), &prof); err != nil {
		t.Fatal(err)
	}
	if !prof.Profile.Saved || prof.Profile.Employees != 4800 || !prof.Profile.Health || prof.Scope.Category != "essential" || prof.Scope.NationalLabel == "" {
		t.Errorf("profile: %+v", prof)
	}
	if code, _, errOut := run(t, append([]string{"regulation", "profile", "set", "--employees", "-3"}, dd...)...); code == 0 || !strings.Contains(errOut, "--employees") {
		t.Errorf("negative staff accepted or not named: %d %s", code, errOut)
	}

	out = must("regulation", "assessment", "new", "NIS2 2026", "--owner", "CISO", "--period-start", "2026-01-01", "--period-end", "2026-12-31")
	id := strings.Fields(strings.TrimPrefix(out, "started assessment "))[0]
	id = strings.TrimSuffix(id, ":")
	if _, err := strconv.Atoi(id); err != nil {
		t.Fatalf("no id in %q", out)
	}
	must("regulation", "assessment", "set", id, "nis2.21.2.b", "--status", "partial", "--maturity", "2", "--owner", "Head of IT", "--due", "2026-06-30")
	if code, _, errOut := run(t, append([]string{"regulation", "assessment", "set", id, "nis2.21.2.b", "--due", "30.06.2026"}, dd...)...); code == 0 || !strings.Contains(errOut, "--due") {
		t.Errorf("bad date: %d %s", code, errOut)
	}
	if code, _, errOut := run(t, append([]string{"regulation", "assessment", "set", id, "nis2.99"}, dd...)...); code == 0 || !strings.Contains(errOut, "nis2.21.2.a") {
		t.Errorf("unknown measure: %d %s", code, errOut)
	}
	doc := filepath.Join(dir, "ir-plan.txt")
	if err := os.WriteFile(doc, []byte("incident response plan"), 0o644); err != nil {
		t.Fatal(err)
	}
	out = must("regulation", "assessment", "evidence", id, "nis2.21.2.b", "--file", doc, "--title", "IR plan")
	if !strings.Contains(out, "sha256 ") {
		t.Errorf("evidence: %s", out)
	}
	must("regulation", "assessment", "evidence", id, "nis2.21.2.b", "--url", "https://intranet.example/ir")
	var board struct {
		Measures []struct {
			Measure  struct{ ID string }
			State    struct{ Status string }
			Evidence []struct{ Kind string }
		}
		Auto []struct {
			Kind, Status string
		} `json:"automatic_evidence"`
	}
	if err := json.Unmarshal([]byte(must("regulation", "assessment", "show", id, "--json", "--status", "partial")), &board); err != nil {
		t.Fatal(err)
	}
	if len(board.Measures) != 1 || board.Measures[0].Measure.ID != "nis2.21.2.b" || len(board.Measures[0].Evidence) != 2 {
		t.Errorf("show --status partial: %+v", board.Measures)
	}
	if code, _, errOut := run(t, append([]string{"regulation", "assessment", "sign-off", id, "--name", "Dr. B"}, dd...)...); code == 0 || !strings.Contains(errOut, "--role") {
		t.Errorf("sign-off without role: %d %s", code, errOut)
	}
	out = must("regulation", "assessment", "sign-off", id, "--name", "Dr. Brandt", "--role", "Managing director")
	if !strings.Contains(out, "frozen") {
		t.Errorf("sign-off: %s", out)
	}
	if code, _, errOut := run(t, append([]string{"regulation", "assessment", "set", id, "nis2.21.2.b", "--maturity", "3"}, dd...)...); code == 0 || !strings.Contains(errOut, "frozen") {
		t.Errorf("change after sign-off: %d %s", code, errOut)
	}
	pdfPath := filepath.Join(dir, "gap.pdf")
	must("regulation", "assessment", "report", id, "--pdf", pdfPath)
	b, err := os.ReadFile(pdfPath)
	if err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Errorf("gap report: %v %q", err, b[:min(8, len(b))])
	}
	list := must("regulation", "assessment", "list")
	if !strings.Contains(list, "signed-off") || !strings.Contains(list, "Dr. Brandt") {
		t.Errorf("list: %s", list)
	}
	appl := must("regulation", "applicability")
	if !strings.Contains(appl, "NIS2 Directive") || !strings.Contains(appl, "de.yaml") {
		t.Errorf("applicability: %s", appl)
	}
}
