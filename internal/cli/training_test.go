package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/cli"
	"github.com/vigil-med/vigil/internal/demo/demotest"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.RunEnv(context.Background(), args, cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv: func(string) string { return "" }})
	return code, out.String(), errb.String()
}

// demoDir returns a data directory of the test's own holding the demo.
func demoDir(t *testing.T) string {
	t.Helper()
	dir, _ := demotest.DataDir(t)
	return dir
}

func TestMain(m *testing.M) { demotest.Main(m, cli.RemoveFilledData) }

func TestTrainingCoverageJSON(t *testing.T) {
	dir := demoDir(t)
	code, out, errs := run(t, "training", "coverage", "--json", "--data-dir", dir, "--log-level", "error")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	var keys []string
	for _, k := range []string{"as_of", "totals", "by_department", "by_audience", "by_module", "board", "trend", "phishing"} {
		if _, ok := doc[k]; ok {
			keys = append(keys, k)
		}
	}
	if diff := cmp.Diff([]string{"as_of", "totals", "by_department", "by_audience", "by_module", "board", "trend", "phishing"}, keys); diff != "" {
		t.Errorf("top-level keys (-want +got):\n%s", diff)
	}
	var totals map[string]float64
	json.Unmarshal(doc["totals"], &totals)
	for _, k := range []string{"assigned", "completed", "due", "overdue", "not_yet_due", "expired", "completion_rate"} {
		if _, ok := totals[k]; !ok {
			t.Errorf("totals lack %s", k)
		}
	}
	if totals["assigned"] != totals["completed"]+totals["due"]+totals["overdue"]+totals["not_yet_due"] || totals["overdue"] == 0 || totals["completed"] == 0 {
		t.Errorf("totals do not add up or lack a state: %v", totals)
	}
	var depts []map[string]any
	json.Unmarshal(doc["by_department"], &depts)
	if len(depts) < 10 || depts[0]["completion_rate"].(float64) > depts[len(depts)-1]["completion_rate"].(float64) {
		t.Errorf("departments are not lagging first: %v … %v", depts[0], depts[len(depts)-1])
	}
	var board map[string]any
	json.Unmarshal(doc["board"], &board)
	if board["members"].(float64) != 4 || board["completed"] == nil || board["overdue"] == nil {
		t.Errorf("board: %v", board)
	}
	code, text, _ := run(t, "training", "coverage", "--data-dir", dir, "--log-level", "error")
	if code != 0 || !strings.Contains(text, "DEPARTMENT (LAGGING FIRST)") || !strings.Contains(text, "Management body (NIS2 Art 20(2)): 4 members") {
		t.Errorf("text coverage:\n%s", text)
	}
}

func TestImportCommands(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := run(t, "org", "add", "Klinikum Süd", "--data-dir", dir, "--log-level", "error"); code != 0 {
		t.Fatalf("org add: %s", errs)
	}
	fixture := func(name string) string { return filepath.Join("..", "training", "testdata", name) }
	code, out, errs := run(t, "import", "staff", fixture("hr-export-de.csv"), "--dry-run", "--data-dir", dir, "--log-level", "error")
	if code != 0 || !strings.Contains(out, "dry run, nothing written; would import: 6 people added") {
		t.Fatalf("dry run: %d\n%s%s", code, out, errs)
	}
	code, out, _ = run(t, "import", "staff", fixture("hr-export-de.csv"), "--json", "--data-dir", dir, "--log-level", "error")
	var res map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res["created"].(float64) != 6 || res["ok"] != true {
		t.Fatalf("import: %d %s", code, out)
	}
	code, out, errs = run(t, "import", "staff", fixture("hr-export-bad.csv"), "--data-dir", dir, "--log-level", "error")
	if code != 1 || !strings.Contains(out, `row 4, column "Email": "not-an-address" is not a valid e-mail address`) ||
		!strings.Contains(errs, "6 problem(s); nothing was imported") {
		t.Errorf("rejected import: %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = run(t, "import", "training-results", fixture("phishing-results.csv"), "--data-dir", dir, "--log-level", "error")
	if code != 0 || !strings.Contains(out, "imported: 4 results added") {
		t.Errorf("results: %d\n%s%s", code, out, errs)
	}
	bad := filepath.Join(t.TempDir(), "m.csv")
	os.WriteFile(bad, []byte("Kennung;Name\n1;A\n"), 0o600)
	code, _, errs = run(t, "import", "staff", bad, "--mapping", "staff_number=Nummer", "--data-dir", dir, "--log-level", "error")
	if code != 1 || !strings.Contains(errs, `the mapping names column "Nummer" for staff_number, but the header (row 1) has no such column`) {
		t.Errorf("mapping to a missing column: %d %s", code, errs)
	}
	code, out, _ = run(t, "training", "assign", "--curriculum", "management-board", "--audience", "board", "--data-dir", dir, "--log-level", "error")
	if code != 0 || !strings.Contains(out, "1 people selected") {
		t.Errorf("assign: %d %s", code, out)
	}
}
