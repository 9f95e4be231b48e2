package nvd

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vigil-med/vigil/internal/feeds/internal/feedutil"
	"github.com/vigil-med/vigil/internal/vuln"
)

func one(t *testing.T, path string) vuln.Vulnerability {
	t.Helper()
	p, err := ReadFile(path, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Vulnerabilities) != 1 {
		t.Fatalf("%s: %d CVEs", path, len(p.Vulnerabilities))
	}
	return p.Vulnerabilities[0]
}

func date(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

func TestLog4Shell(t *testing.T) {
	v := one(t, "testdata/CVE-2021-44228.json")
	n := 0
	for _, c := range v.Configurations {
		for _, node := range c.Nodes {
			n += len(node.Matches)
		}
	}
	if n != 408 {
		t.Errorf("criteria = %d, want 408", n)
	}
	if got := v.Rated(); got.Score != 10 || got.Level != vuln.Critical || got.Type != vuln.CVSSv3 {
		t.Errorf("rated = %+v", got)
	}
	wantKEV := &vuln.CISAKEV{DateAdded: date(2021, 12, 10), DueDate: date(2021, 12, 24), Name: "Apache Log4j2 Remote Code Execution Vulnerability",
		RequiredAction: "For all affected software assets for which updates exist, the only acceptable remediation actions are: 1) Apply updates; OR 2) remove affected assets from agency networks. Temporary mitigations using one of the measures provided at https://www.cisa.gov/uscert/ed-22-02-apache-log4j-recommended-mitigation-measures are only acceptable until updates are available.",
		Source:         "NVD"}
	if diff := cmp.Diff(wantKEV, v.CISAKEV); diff != "" {
		t.Errorf("KEV (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"CWE-20", "CWE-400", "CWE-502", "CWE-917"}, v.CWE); diff != "" {
		t.Errorf("CWE (-want +got):\n%s", diff)
	}
	var first vuln.CPEMatch
	for _, c := range v.Configurations {
		for _, n := range c.Nodes {
			for _, m := range n.Matches {
				if strings.Contains(m.Criteria, ":apache:log4j:") && first.Criteria == "" {
					first = m
				}
			}
		}
	}
	want := vuln.CPEMatch{Vulnerable: true, Criteria: "cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*", MatchCriteriaID: "03FA5E81-F9C0-403E-8A4B-E4284E4E7B72",
		VersionStartIncluding: "2.0.1", VersionEndExcluding: "2.3.1"}
	if diff := cmp.Diff(want, first); diff != "" {
		t.Errorf("first criterion (-want +got):\n%s", diff)
	}
}

func TestEternalBlue(t *testing.T) {
	v := one(t, "testdata/CVE-2017-0144.json")
	if len(v.Configurations) != 9 {
		t.Fatalf("configurations = %d, want 9", len(v.Configurations))
	}
	c := v.Configurations[0]
	if c.Operator != "AND" || len(c.Nodes) != 2 || len(c.Nodes[1].Matches) != 15 {
		t.Fatalf("config 1 = %s with %d nodes", c.Operator, len(c.Nodes))
	}
	if !c.Nodes[0].Matches[0].Vulnerable || c.Nodes[0].Matches[0].Criteria != "cpe:2.3:a:microsoft:server_message_block:1.0:*:*:*:*:*:*:*" {
		t.Errorf("config 1 node 1 = %+v", c.Nodes[0].Matches[0])
	}
	for _, m := range c.Nodes[1].Matches {
		if m.Vulnerable {
			t.Errorf("platform criterion %s marked vulnerable", m.Criteria)
		}
	}
	sc := v.Configurations[3].Nodes[0].Matches[0]
	if sc.Criteria != "cpe:2.3:o:siemens:acuson_sc2000_firmware:*:*:*:*:*:*:*:*" || sc.VersionStartIncluding != "4.0" || sc.VersionEndExcluding != "4.0e" {
		t.Errorf("config 4 = %+v", sc)
	}
	if v.CISAKEV == nil || !v.CISAKEV.DateAdded.Equal(date(2022, 2, 10)) {
		t.Errorf("KEV = %+v", v.CISAKEV)
	}
	wantSev := []vuln.Severity{
		{Type: vuln.CVSSv3, Vector: "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", Score: 8.8, Level: vuln.High, Source: "nvd@nist.gov (Primary)"},
		{Type: vuln.CVSSv3, Vector: "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", Score: 8.8, Level: vuln.High, Source: "134c704f-9b21-4f2e-91b3-4a467353bcc0 (Secondary)"},
		{Type: vuln.CVSSv2, Vector: "AV:N/AC:M/Au:N/C:C/I:C/A:C", Score: 9.3, Level: vuln.High, Source: "nvd@nist.gov (Primary)"},
	}
	if diff := cmp.Diff(wantSev, v.Severity); diff != "" {
		t.Errorf("severity (-want +got):\n%s", diff)
	}
	if v.CWE != nil {
		t.Errorf("CWE = %v, want none (NVD-CWE-noinfo)", v.CWE)
	}
}

func TestRipple20Escaped(t *testing.T) {
	v := one(t, "testdata/CVE-2020-11896.json")
	m := v.Configurations[0].Nodes[0].Matches[0]
	if m.Criteria != `cpe:2.3:a:treck:tcp\/ip:*:*:*:*:*:*:*:*` || m.VersionEndExcluding != "6.0.1.66" {
		t.Errorf("criterion = %+v", m)
	}
}

func TestPages(t *testing.T) {
	p, err := ReadFile("testdata/nvd-api-2.0-page-38-cves.json", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if p.ResultsPerPage != 38 || p.TotalResults != 38 || p.Format != "NVD_CVE" || p.Version != "2.0" || len(p.Vulnerabilities) != 38 ||
		!p.Timestamp.Equal(time.Date(2023, 10, 18, 18, 4, 18, 493e6, time.UTC)) {
		t.Errorf("page = %+v (%d CVEs)", p, len(p.Vulnerabilities))
	}
	v := one(t, "testdata/CVE-2024-3094.json")
	if v.ID != "CVE-2024-3094" || v.Sources[0].Kind != vuln.SourceNVD {
		t.Errorf("CVE-2024-3094: %s %+v", v.ID, v.Sources)
	}
	// gzip and the {"cve": …} wrapper
	raw, _ := os.ReadFile("testdata/CVE-2022-2119.json")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(`{"cve": ` + string(raw) + `}`))
	zw.Close()
	p, err = Decode(&gz, "x.json.gz", Limits{})
	if err != nil || len(p.Vulnerabilities) != 1 || p.Vulnerabilities[0].ID != "CVE-2022-2119" {
		t.Errorf("gzip wrapper: %v %+v", err, p)
	}
	all, err := ReadDir("testdata", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("testdata/*.json")
	if want := len(files) - 1 + 38; len(all) != want {
		t.Errorf("ReadDir: %d CVEs, want %d", len(all), want)
	}
}

func TestErrors(t *testing.T) {
	good, _ := os.ReadFile("testdata/CVE-2017-0144.json")
	tests := []struct{ name, in, want string }{
		{"truncated", string(good[:len(good)-200]), "JSON ends early"},
		{"nvd 1.1", `{"CVE_data_type": "CVE", "CVE_Items": []}`, "NVD JSON 1.1 feed"},
		{"not cve", `{"id": "GHSA-xxxx"}`, `id "GHSA-xxxx" is not a CVE id`},
		{"operator", `{"id": "CVE-2020-0001", "configurations": [{"operator": "XOR", "nodes": []}]}`, `configurations[0].operator: "XOR" is not AND or OR`},
		{"criteria", `{"id": "CVE-2020-0001", "configurations": [{"nodes": [{"operator": "OR", "cpeMatch": [{"criteria": "cpe:2.3:a:b"}]}]}]}`, "configurations[0].nodes[0].cpeMatch[0].criteria: invalid CPE name"},
		{"page item", `{"format": "NVD_CVE", "version": "2.0", "vulnerabilities": [{"nope": 1}]}`, "vulnerabilities[0].cve: missing"},
		{"version", `{"format": "NVD_CVE", "version": "3.0", "vulnerabilities": []}`, "only NVD CVE API 2.x"},
		{"type", `{"id": "CVE-2020-0001", "published": 5}`, "published: cannot use JSON number as string"},
		{"array", `[]`, "not a JSON object"},
		{"time", `{"id": "CVE-2020-0001", "published": "soon"}`, `published: unreadable time "soon"`},
	}
	for _, tc := range tests {
		_, err := Decode(strings.NewReader(tc.in), "x.json", Limits{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
	if _, err := Decode(bytes.NewReader(good), "x.json", Limits{MaxBytes: 1000}); !errors.Is(err, feedutil.ErrTooLarge) {
		t.Errorf("limit: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	for _, p := range []string{"testdata/CVE-2017-0144.json", "testdata/CVE-2020-11896.json", "testdata/CVE-2024-3094.json", "testdata/CVE-2022-26390.json"} {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Decode(bytes.NewReader(data), "fuzz.json", Limits{MaxBytes: 1 << 20})
		if err != nil {
			return
		}
		for _, v := range p.Vulnerabilities {
			if !vuln.IsCVE(v.ID) {
				t.Fatalf("accepted id %q", v.ID)
			}
		}
	})
}
