package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/testutil"
)

// runIn runs the command line in-process with VIGIL_DATA_DIR set.
func runIn(t *testing.T, dataDir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := func(k string) string {
		if k == "VIGIL_DATA_DIR" {
			return dataDir
		}
		return ""
	}
	code = RunEnv(context.Background(), args, Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: env})
	return code, out.String(), errb.String()
}

// scanData imports the feed fixtures into a fresh data directory.
func scanData(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, p := range []string{"../feeds/osv/testdata/govulndb", "../feeds/osv/testdata/ghsa", "../feeds/nvd/testdata/CVE-2021-44228.json",
		"../feeds/kev/testdata/known_exploited_vulnerabilities.json", "../feeds/epss/testdata/epss_sample.csv"} {
		if code, _, errOut := runIn(t, dir, "feeds", "import", p); code != 0 {
			t.Fatalf("feeds import %s: exit %d: %s", p, code, errOut)
		}
	}
	return dir
}

var scanCreated = regexp.MustCompile(`"created": "[^"]+"`)

type scanFinding struct {
	Component string   `json:"component"`
	Version   string   `json:"version"`
	PURL      string   `json:"purl"`
	ID        string   `json:"id"`
	Aliases   []string `json:"aliases"`
	Source    string   `json:"source"`
	Record    string   `json:"record"`
	Reason    string   `json:"reason"`
	Severity  string   `json:"severity"`
	KEV       bool     `json:"kev"`
}

func TestScanCLI(t *testing.T) {
	dir := scanData(t)
	sbom := "testdata/scan/pump.cdx.json"

	// JSON: one entry per component × vulnerability with the fields the issue names; golden.
	code, out, errOut := runIn(t, dir, "scan", sbom, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	testutil.Golden(t, "scan/golden/pump.json", []byte(scanCreated.ReplaceAllString(out, `"created": "(time)"`)))
	var doc struct {
		Findings []scanFinding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	var log4shell *scanFinding
	for i, f := range doc.Findings {
		if f.Component == "" || f.Version == "" || f.PURL == "" || f.ID == "" || f.Source == "" || f.Reason == "" || f.Aliases == nil {
			t.Errorf("finding %d lacks a field: %+v", i, f)
		}
		if f.ID == "CVE-2021-44228" {
			log4shell = &doc.Findings[i]
		}
	}
	if log4shell == nil || log4shell.Severity != "critical" || !log4shell.KEV || !slicesContains(log4shell.Aliases, "GHSA-jfh8-c2jp-5v3q") ||
		!strings.Contains(log4shell.Reason, "log4j-core@2.14.1 is in range") {
		t.Errorf("Log4Shell: %+v", log4shell)
	}

	// --fail-on: 1 when a finding is at or above the level, 0 otherwise.
	for _, tc := range []struct {
		sbom, failOn string
		want         int
	}{
		{sbom, "critical", 1},
		{sbom, "any", 1},
		{"testdata/scan/netonly.cdx.json", "critical", 0},
		{"testdata/scan/netonly.cdx.json", "low", 0}, // the Go database rates nothing: severity unknown
		{"testdata/scan/netonly.cdx.json", "any", 1},
		{"testdata/scan/netonly.cdx.json", "", 0},
	} {
		args := []string{"scan", tc.sbom, "--format", "json"}
		if tc.failOn != "" {
			args = append(args, "--fail-on", tc.failOn)
		}
		if code, _, errOut := runIn(t, dir, args...); code != tc.want {
			t.Errorf("%s --fail-on %q: exit %d, want %d (%s)", filepath.Base(tc.sbom), tc.failOn, code, tc.want, errOut)
		}
	}

	// --vex removes exactly the finding it names.
	_, withVEX, _ := runIn(t, dir, "scan", sbom, "--format", "json", "--vex", "testdata/scan/pump.openvex.json")
	var after struct {
		Findings []scanFinding `json:"findings"`
		Summary  struct {
			Suppressed int `json:"suppressed"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(withVEX), &after); err != nil {
		t.Fatal(err)
	}
	var removed []string
	kept := map[string]bool{}
	for _, f := range after.Findings {
		kept[f.Component+" "+f.Record] = true
	}
	for _, f := range doc.Findings {
		if !kept[f.Component+" "+f.Record] {
			removed = append(removed, f.Component+" "+f.Record)
		}
	}
	if diff := cmp.Diff([]string{"golang.org/x/net GO-2024-2687"}, removed); diff != "" || after.Summary.Suppressed != 1 {
		t.Errorf("VEX removed (-want +got):\n%s (suppressed %d)", diff, after.Summary.Suppressed)
	}

	// The other formats and the table.
	for _, f := range []string{"table", "sarif", "cyclonedx"} {
		if code, out, errOut := runIn(t, dir, "scan", sbom, "--format", f); code != 0 || !strings.Contains(out, "CVE-2021-44228") {
			t.Errorf("--format %s: exit %d %s\n%s", f, code, errOut, clipLine(out, 400))
		}
	}

	// --feeds: a folder of feed files, or the snapshot file, instead of the data directory.
	empty := t.TempDir()
	if code, out, errOut := runIn(t, empty, "scan", "testdata/scan/netonly.cdx.json", "--feeds", "../feeds/osv/testdata/govulndb", "--format", "json"); code != 0 || !strings.Contains(out, "GO-2023-2102") {
		t.Errorf("--feeds folder: exit %d %s", code, errOut)
	}
	snap := filepath.Join(dir, "feeds", "match.snap")
	if code, out, errOut := runIn(t, empty, "scan", sbom, "--feeds", snap, "--format", "json"); code != 0 || !strings.Contains(out, "CVE-2021-44228") {
		t.Errorf("--feeds snapshot: exit %d %s", code, errOut)
	}

	// Usage errors exit 2 and say what is wrong.
	for _, tc := range []struct {
		args  []string
		wants string
	}{
		{[]string{"scan"}, "one SBOM file"},
		{[]string{"scan", sbom, "--format", "xml"}, "--format"},
		{[]string{"scan", sbom, "--fail-on", "severe"}, "--fail-on"},
		{[]string{"scan", "testdata/scan/missing.json"}, "missing.json"},
		{[]string{"scan", "testdata/scan/SOURCES.md"}, "not a CycloneDX or SPDX document"},
		{[]string{"scan", sbom, "--vex", "testdata/scan/SOURCES.md"}, "--vex"},
	} {
		code, _, errOut := runIn(t, dir, tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.wants) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, errOut, tc.wants)
		}
	}
	if code, _, errOut := runIn(t, empty, "scan", sbom); code != 2 || !strings.Contains(errOut, "vigil feeds import") {
		t.Errorf("no feed data: exit %d %q", code, errOut)
	}
	// With both the feeds and the SBOM missing, the feeds are reported: that is the setup to fix first.
	if code, _, errOut := runIn(t, empty, "scan", "testdata/scan/missing.json"); code != 2 || !strings.Contains(errOut, "vigil feeds import") {
		t.Errorf("no feed data and no SBOM: exit %d %q", code, errOut)
	}
}

func slicesContains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// feeds status and import report as JSON.
func TestFeedsCLI(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runIn(t, dir, "feeds", "import", "../feeds/osv/testdata/ghsa", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep struct {
		Sources []struct {
			Source  string `json:"source"`
			Created int    `json:"created"`
		} `json:"sources"`
		Generation int64 `json:"generation"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Sources) != 1 || rep.Sources[0].Created != 5 || rep.Generation != 1 {
		t.Fatalf("import --json: %v %s", err, out)
	}
	code, out, _ = runIn(t, dir, "feeds", "status", "--json")
	var st FeedsStatus
	if err := json.Unmarshal([]byte(out), &st); code != 0 || err != nil {
		t.Fatalf("status: %d %v", code, err)
	}
	if st.Vulnerabilities != 5 || !st.SnapshotFresh || st.NextSync == nil || len(st.Sources) != 7 || st.Sources[0].Records != 5 {
		t.Errorf("status: %+v", st)
	}
	code, out, _ = runIn(t, dir, "feeds", "status")
	if code != 0 || !strings.Contains(out, "OSV (open-source ecosystems)") || !strings.Contains(out, "up to date") {
		t.Errorf("status table: %s", out)
	}
	bundle := filepath.Join(t.TempDir(), "b.tar.gz")
	if code, out, errOut := runIn(t, dir, "feeds", "bundle", bundle); code != 0 || !strings.Contains(out, "records/osv.jsonl") {
		t.Fatalf("bundle: %d %s %s", code, out, errOut)
	}
	other := t.TempDir()
	if code, out, errOut := runIn(t, other, "feeds", "import", bundle); code != 0 || !strings.Contains(out, "bundle files") {
		t.Fatalf("import bundle: %d %s %s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(other, "feeds", "match.snap")); err != nil {
		t.Error(err)
	}
	if code, _, errOut := runIn(t, dir, "feeds", "sync", "--source", "cve5"); code != 2 || !strings.Contains(errOut, "--source") {
		t.Errorf("sync --source cve5: %d %s", code, errOut)
	}
}
