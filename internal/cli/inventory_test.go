package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/cli"
	"github.com/vigil-med/vigil/internal/domain"
)

// vigil runs the command line in-process on a data directory and returns its exit code and output.
func vigil(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
		if k == "VIGIL_LOG_LEVEL" {
			return "error"
		}
		return ""
	}}
	code := cli.RunEnv(context.Background(), append(args, "--data-dir", dir), env)
	return code, out.String(), errb.String()
}

func TestInventoryCommands(t *testing.T) {
	dir := t.TempDir()
	fixture, err := filepath.Abs("../inventory/testdata/cmms-export-de.csv")
	if err != nil {
		t.Fatal(err)
	}
	must := func(args ...string) string {
		t.Helper()
		code, out, stderr := vigil(t, dir, args...)
		if code != 0 {
			t.Fatalf("vigil %s: exit %d\n%s%s", strings.Join(args, " "), code, out, stderr)
		}
		return out
	}
	must("org", "add", "Nordstadt Test Hospital", "--slug", "nordstadt")
	must("inventory", "zone", "add", "Infusion pumps", "--exposure", "isolated-vlan", "--vlan", "110", "--cidr", "10.11.0.0/16")
	if code, _, stderr := vigil(t, dir, "inventory", "zone", "add", "Public", "--exposure", "public"); code == 0 || !strings.Contains(stderr, `unknown exposure level "public"`) {
		t.Errorf("bad exposure: %d %s", code, stderr)
	}

	// A dry run shows the plan and changes nothing; rejected rows make the exit status 1.
	code, out, stderr := vigil(t, dir, "import", "inventory", fixture, "--dry-run")
	if code != 1 || !strings.Contains(out, "would add 21, change 0; 0 unchanged; 8 rejected") ||
		!strings.Contains(out, "row 18, column IP-Adresse (M): 10.13.0.300 is not an IP address") ||
		!strings.Contains(stderr, "cmms-export-de.csv: 8 of 29 rows were rejected, so the import would be refused") {
		t.Fatalf("dry run: exit %d\n%s%s", code, out, stderr)
	}
	if out := must("inventory", "list"); !strings.Contains(out, "0–0 of 0 devices") {
		t.Fatalf("the dry run imported: %s", out)
	}
	code, _, _ = vigil(t, dir, "import", "inventory", fixture)
	if code != 1 {
		t.Errorf("import with rejections: exit %d", code)
	}
	var rep struct {
		Created, Rejected int
		Applied           bool
	}
	out = must("import", "inventory", fixture, "--skip-rejected", "--json")
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Created != 21 || !rep.Applied {
		t.Fatalf("import --json: %+v %v\n%s", rep, err, out)
	}

	out = must("inventory", "list", "--criticality", "life-sustaining", "--department", "intensivstation", "--sort", "-tag")
	if !strings.Contains(out, "MT-100026") || strings.Contains(out, "MT-100005") || !strings.Contains(out, "of 6 devices") {
		t.Errorf("filtered list:\n%s", out)
	}
	var page domain.Page[domain.Asset]
	if err := json.Unmarshal([]byte(must("inventory", "list", "--q", "braun 10.11.2", "--zone", "Infusion pumps", "--json")), &page); err != nil || page.Total != 5 {
		t.Errorf("search --json: total %d, %v", page.Total, err)
	}
	if code, _, stderr := vigil(t, dir, "inventory", "list", "--site", "Mars"); code == 0 || !strings.Contains(stderr, `there is no site "Mars"`) {
		t.Errorf("unknown site: %d %s", code, stderr)
	}
	if out := must("inventory", "show", "MT-100001"); !strings.Contains(out, "Infusion pumps (Isolated VLAN)") || !strings.Contains(out, "Haus C · Ebene 2 · C2.114") {
		t.Errorf("show:\n%s", out)
	}
	if out := must("inventory", "edit", "MT-100001", "--version", "U62", "--owner", "Medizintechnik"); out != "changed MT-100001: product_version, owner\n" {
		t.Errorf("edit: %q", out)
	}
	var a domain.Asset
	if err := json.Unmarshal([]byte(must("inventory", "show", "MT-100001", "--json")), &a); err != nil || a.Ref.Version != "U62" || a.Owner != "Medizintechnik" {
		t.Errorf("after edit: %+v %v", a, err)
	}
	if code, _, stderr := vigil(t, dir, "inventory", "add", "--tag", "MT-9", "--manufacturer", "Philips", "--model", "IntelliVue MX450",
		"--ip", "10.0.300.1", "--purchase-date", "31.02.2020"); code == 0 ||
		!strings.Contains(stderr, "--ip: 10.0.300.1 is not an IP address; --purchase-date: 31.02.2020 is not a date") {
		t.Errorf("add with bad values: %d %s", code, stderr)
	}
	out = must("inventory", "add", "--tag", "MT-9", "--manufacturer", "Philips", "--model", "IntelliVue MX450", "--version", "M.00.03",
		"--category", "Patientenmonitor", "--ip", "10.11.9.9", "--criticality", "kritisch", "--site", "Hauptcampus")
	if !strings.Contains(out, "added MT-9 (Philips IntelliVue MX450 M.00.03)") || !strings.Contains(out, "created product Philips IntelliVue MX450") {
		t.Errorf("add: %s", out)
	}
	if code, _, stderr := vigil(t, dir, "inventory", "add", "--tag", "MT-9", "--manufacturer", "Philips", "--model", "IntelliVue MX450"); code == 0 ||
		!strings.Contains(stderr, "--tag: device MT-9 exists already") {
		t.Errorf("add twice: %d %s", code, stderr)
	}
	if code, _, stderr := vigil(t, dir, "inventory", "edit", "NOPE-1", "--owner", "x"); code == 0 || !strings.Contains(stderr, `no device with asset tag or id "NOPE-1"`) {
		t.Errorf("edit unknown: %d %s", code, stderr)
	}
	if out := must("inventory", "delete", "MT-9"); out != "deleted MT-9\n" {
		t.Errorf("delete: %q", out)
	}
	var st domain.InventoryStats
	if err := json.Unmarshal([]byte(must("inventory", "stats", "--json")), &st); err != nil || st.Devices != 20 || st.Retired != 1 {
		t.Errorf("stats: %+v %v", st, err)
	}
	if out := must("inventory", "products"); !strings.Contains(out, "Infusomat Space") {
		t.Errorf("products:\n%s", out)
	}
	if out := must("inventory", "manufacturers"); !strings.Contains(out, "B. Braun") {
		t.Errorf("manufacturers:\n%s", out)
	}
	if out := must("inventory", "department", "list"); !strings.Contains(out, "Intensivstation") || !strings.Contains(out, "4110") {
		t.Errorf("departments:\n%s", out)
	}
	// Hostile and wrong files are refused with a message that names the file.
	bad := filepath.Join(dir, "scan.pdf")
	os.WriteFile(bad, []byte("%PDF-1.7\n"), 0o644)
	if code, _, stderr := vigil(t, dir, "import", "inventory", bad); code == 0 || !strings.Contains(stderr, "scan.pdf: this is a PDF document, not a spreadsheet") {
		t.Errorf("PDF: %d %s", code, stderr)
	}
	if code, _, stderr := vigil(t, dir, "import", "inventory", fixture, "--mapping", "A=colour"); code == 0 || !strings.Contains(stderr, `"colour" is not a field`) {
		t.Errorf("bad mapping: %d %s", code, stderr)
	}
}
