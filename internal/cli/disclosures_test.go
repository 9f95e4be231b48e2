package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/disclosure"
	"github.com/vigil-med/vigil/internal/sbom"
)

func discFile(t *testing.T, parts ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{".."}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestImportDisclosures runs the import commands as the acceptance check does: into a fresh data
// directory (the first import creates the organisation), each kind, the JSON reports, a folder with a
// broken file, bad documents refused with a message, the fleet search and the SBOM export.
func TestImportDisclosures(t *testing.T) {
	dir := t.TempDir()
	d := []string{"--data-dir", dir}
	r := must(t, append([]string{"import", "sbom", discFile(t, "sbom", "testdata", "cyclonedx", "SBOM_keycloak-10.0.2_bom.json"), "--product", "Keycloak", "--version", "10.0.2"}, d...)...)
	if !strings.Contains(r.stderr, `created "My organisation"`) || !strings.Contains(r.stdout, "created  SBOM") || !strings.Contains(r.stdout, "903 components") {
		t.Errorf("first import: %s", r)
	}
	r = must(t, append([]string{"import", "mds2", discFile(t, "mds2", "testdata", "nema-example-mds2-worksheet-2019.xlsx"), "--json"}, d...)...)
	var rep disclosure.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || rep.Created != 2 || rep.Kind != "mds2" {
		t.Errorf("mds2 --json: %v %s", err, r)
	}
	r = must(t, append([]string{"import", "vex", discFile(t, "vex", "testdata", "cyclonedx", "VEX_CISA-Use-Cases_Case-1_vex-not_affected.json")}, d...)...)
	if !strings.Contains(r.stdout, "VEX statements") {
		t.Errorf("vex: %s", r)
	}
	// A folder: good advisories are imported, the truncated one fails with its path and the problem.
	folder := t.TempDir()
	for _, f := range []string{"icsma-19-164-01.json", "icsma-20-317-01.json"} {
		b, _ := os.ReadFile(discFile(t, "csaf", "testdata", "icsma", f))
		os.WriteFile(filepath.Join(folder, f), b, 0o644)
		if f == "icsma-20-317-01.json" {
			os.WriteFile(filepath.Join(folder, "truncated.json"), b[:2000], 0o644)
		}
	}
	os.WriteFile(filepath.Join(folder, "README.txt"), []byte("not an advisory"), 0o644)
	r = vigil(t, nil, "", append([]string{"import", "csaf", folder}, d...)...)
	if r.code != 1 || !strings.Contains(r.stdout, "created 2") || !strings.Contains(r.stdout, "FAILED "+filepath.Join(folder, "truncated.json")) ||
		!strings.Contains(r.stdout, "truncated") || !strings.Contains(r.stderr, "1 of 3 documents could not be imported (the others were)") {
		t.Errorf("folder: %s", r)
	}
	r = must(t, append([]string{"import", "csaf", folder + "/icsma-19-164-01.json", "--json"}, d...)...)
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || rep.Skipped != 1 {
		t.Errorf("again: %v %s", err, r)
	}
	// Bad input: a message, exit 1.
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"import", "csaf", filepath.Join(folder, "truncated.json")}, "truncated"},
		{[]string{"import", "sbom", filepath.Join(folder, "README.txt"), "--product", "X", "--version", "1"}, "not a CycloneDX or SPDX document"},
		{[]string{"import", "mds2", filepath.Join(folder, "README.txt")}, "README.txt"},
		{[]string{"import", "vex", filepath.Join(folder, "README.txt")}, "README.txt"},
		{[]string{"import", "vex", discFile(t, "vex", "testdata", "cyclonedx", "VEX_CISA-Use-Cases_Case-1_vex-not_affected.json"), "--source", "vendor"}, "manufacturer or hospital"},
		{[]string{"import", "sbom", filepath.Join(folder, "missing.json")}, "no such file"},
	} {
		r := vigil(t, nil, "", append(tt.args, d...)...)
		if r.code != 1 || !strings.Contains(r.stderr+r.stdout, tt.want) {
			t.Errorf("%v: %s\nwant exit 1 and %q", tt.args, r, tt.want)
		}
	}
	// Where is a component; the SBOM export.
	r = must(t, append([]string{"disclosures", "where-is", "bcprov-jdk15on"}, d...)...)
	if !strings.Contains(r.stdout, "Keycloak") || !strings.Contains(r.stdout, "1 product versions") {
		t.Errorf("where-is: %s", r)
	}
	r = must(t, append([]string{"disclosures", "where-is", "--purl", "pkg:maven/org.bouncycastle/bcprov-jdk15on@1.62", "--json"}, d...)...)
	var w struct {
		Versions []struct {
			ProductVersionID int64 `json:"product_version_id"`
		} `json:"versions"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &w); err != nil || len(w.Versions) != 1 {
		t.Fatalf("where-is --json: %v %s", err, r)
	}
	out := filepath.Join(t.TempDir(), "kc.cdx.json")
	must(t, append([]string{"disclosures", "export-sbom", strconvI(w.Versions[0].ProductVersionID), "--out", out}, d...)...)
	b, _ := os.ReadFile(out)
	if doc, err := sbom.DecodeBytes(b, out); err != nil || len(doc.Components) != 903 {
		t.Errorf("export: %v", err)
	}
	r = must(t, append([]string{"disclosures", "queue"}, d...)...)
	if !strings.Contains(r.stdout, "wait in the mapping queue") {
		t.Errorf("queue: %s", r)
	}
	r = must(t, append([]string{"disclosures", "documents", "--kind", "csaf"}, d...)...)
	if !strings.Contains(r.stdout, "ICSMA-19-164-01") || !strings.Contains(r.stdout, "2 of 2 documents") {
		t.Errorf("documents: %s", r)
	}
	must(t, append([]string{"disclosures", "remap"}, d...)...)
	if r := must(t, append([]string{"audit", "verify"}, d...)...); r.code != 0 {
		t.Errorf("audit: %s", r)
	}
}

func strconvI(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
