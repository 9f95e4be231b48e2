package vuln_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vigil-med/vigil/internal/feeds/eukev"
	"github.com/vigil-med/vigil/internal/feeds/kev"
	"github.com/vigil-med/vigil/internal/feeds/nvd"
	"github.com/vigil-med/vigil/internal/feeds/osv"
	"github.com/vigil-med/vigil/internal/vuln"
)

func mustOSV(t *testing.T, path string) vuln.Vulnerability {
	t.Helper()
	vs, err := osv.ReadFile(path, osv.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return vs[0]
}

func mustNVD(t *testing.T, path string) vuln.Vulnerability {
	t.Helper()
	p, err := nvd.ReadFile(path, nvd.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return p.Vulnerabilities[0]
}

func TestMergeLog4Shell(t *testing.T) {
	ghsa := mustOSV(t, "../feeds/osv/testdata/ghsa/GHSA-jfh8-c2jp-5v3q.json")
	cve := mustNVD(t, "../feeds/nvd/testdata/CVE-2021-44228.json")
	cat, err := kev.ReadFile("../feeds/kev/testdata/known_exploited_vulnerabilities.json")
	if err != nil {
		t.Fatal(err)
	}
	records := append([]vuln.Vulnerability{ghsa, cve}, cat.Records()...)
	merged := vuln.Merge(records)
	if len(merged) != 1404 { // every KEV CVE once; GHSA and NVD joined Log4Shell's entry
		t.Fatalf("merged = %d, want 1404", len(merged))
	}
	var v *vuln.Vulnerability
	for i := range merged {
		if merged[i].HasID("GHSA-JFH8-C2JP-5V3Q") {
			v = &merged[i]
		}
	}
	if v == nil {
		t.Fatal("Log4Shell not found by its GHSA id")
	}
	if v.ID != "CVE-2021-44228" || !cmp.Equal(v.Aliases, []string{"GHSA-jfh8-c2jp-5v3q"}) {
		t.Errorf("id %s aliases %v", v.ID, v.Aliases)
	}
	if v.Summary != "Remote code injection in Log4j" || v.Details != ghsa.Details {
		t.Errorf("summary %q; details from %q", v.Summary, v.Details[:40])
	}
	var kinds []string
	for _, s := range v.Sources {
		kinds = append(kinds, string(s.Kind)+" "+s.ID)
	}
	if diff := cmp.Diff([]string{"CISA KEV CVE-2021-44228", "NVD CVE-2021-44228", "OSV GHSA-jfh8-c2jp-5v3q"}, kinds); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
	if len(v.Affected) != 3 || v.Affected[0].Source != "GHSA-jfh8-c2jp-5v3q" || len(v.Configurations) != len(cve.Configurations) {
		t.Errorf("affected %d, configurations %d", len(v.Affected), len(v.Configurations))
	}
	// the catalog entry wins over NVD's copy and keeps the ransomware flag
	if v.CISAKEV == nil || v.CISAKEV.Source != "CISA KEV 2025.08.25" || !v.CISAKEV.Ransomware() || !v.CISAKEV.DueDate.Equal(time.Date(2021, 12, 24, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("KEV = %+v", v.CISAKEV)
	}
	if got := v.Rated(); got.Score != 10 || got.Level != vuln.Critical {
		t.Errorf("rated %+v", got)
	}
	if diff := cmp.Diff([]string{"CWE-20", "CWE-400", "CWE-502", "CWE-917"}, v.CWE); diff != "" {
		t.Errorf("CWE (-want +got):\n%s", diff)
	}
	if again := vuln.Merge(merged); !cmp.Equal(again, merged) {
		t.Errorf("Merge is not idempotent:\n%s", cmp.Diff(merged, again))
	}
}

func TestMergeEUVD(t *testing.T) {
	e, err := eukev.ReadEUVDFile("../feeds/eukev/testdata/euvd/EUVD-2022-7287.json")
	if err != nil {
		t.Fatal(err)
	}
	cve := mustNVD(t, "../feeds/nvd/testdata/CVE-2022-3602.json")
	merged := vuln.Merge([]vuln.Vulnerability{e[0], cve})
	if len(merged) != 1 {
		t.Fatalf("merged = %d", len(merged))
	}
	v := merged[0]
	if v.ID != "CVE-2022-3602" || !cmp.Equal(v.Aliases, []string{"GHSA-8rwr-x37p-mx23", "EUVD-2022-7287"}) {
		t.Errorf("id %s aliases %v", v.ID, v.Aliases)
	}
	if v.EUVD == nil || v.EUVD.EPSS != 0.8322 || v.Details != cve.Details {
		t.Errorf("EUVD %+v; details from NVD: %v", v.EUVD, v.Details == cve.Details)
	}
}

func rec(kind vuln.SourceKind, id string, aliases ...string) vuln.Vulnerability {
	return vuln.Vulnerability{ID: id, Aliases: aliases, Sources: []vuln.Source{{Kind: kind, ID: id}}}
}

func TestMergeRules(t *testing.T) {
	// transitive: GO-1 ~ GHSA-a ~ CVE-2020-0002, and PYSEC-1 ~ CVE-2020-0002
	a := rec(vuln.SourceOSV, "GO-2020-0001", "GHSA-aaaa-bbbb-cccc") // GHSA spelled as the GHSA record itself does
	b := rec(vuln.SourceOSV, "GHSA-AAAA-BBBB-CCCC", "CVE-2020-0002")
	c := rec(vuln.SourceOSV, "PYSEC-2020-1", "CVE-2020-0002")
	d := rec(vuln.SourceNVD, "CVE-2019-9999")
	got := vuln.Merge([]vuln.Vulnerability{a, b, c, d})
	var ids [][]string
	for _, v := range got {
		ids = append(ids, v.IDs())
	}
	want := [][]string{{"CVE-2019-9999"}, {"CVE-2020-0002", "GHSA-AAAA-BBBB-CCCC", "GO-2020-0001", "PYSEC-2020-1"}}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}

	// the same record twice: the newer one wins
	old := rec(vuln.SourceOSV, "GO-2020-0001")
	old.Summary, old.Sources[0].Modified = "old", time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	neu := rec(vuln.SourceOSV, "GO-2020-0001")
	neu.Summary, neu.Sources[0].Modified = "new", time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := vuln.Merge([]vuln.Vulnerability{neu, old}); len(got) != 1 || got[0].Summary != "new" {
		t.Errorf("dedupe kept %+v", got)
	}

	// one withdrawn record does not withdraw the vulnerability
	w := rec(vuln.SourceOSV, "GHSA-wwww-wwww-wwww", "CVE-2020-0003")
	w.Withdrawn = time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	w.Sources[0].Withdrawn = w.Withdrawn
	n := rec(vuln.SourceNVD, "CVE-2020-0003")
	got = vuln.Merge([]vuln.Vulnerability{w, n})
	if len(got) != 1 || !got[0].Withdrawn.IsZero() || !got[0].RecordWithdrawn("GHSA-wwww-wwww-wwww") || got[0].RecordWithdrawn("CVE-2020-0003") {
		t.Errorf("withdrawn handling: %+v", got)
	}
	if got := vuln.Merge([]vuln.Vulnerability{w}); got[0].Withdrawn.IsZero() {
		t.Error("a vulnerability whose only record is withdrawn is not withdrawn")
	}
}

func TestCanonicalID(t *testing.T) {
	for _, tc := range []struct {
		ids  []string
		want string
	}{
		{[]string{"GHSA-x", "CVE-2021-44228", "CVE-2021-4104"}, "CVE-2021-4104"},
		{[]string{"CVE-2021-0001", "CVE-2020-99999"}, "CVE-2020-99999"},
		{[]string{"PYSEC-2021-1", "GO-2021-1", "GHSA-b", "GHSA-a"}, "GHSA-a"},
		{[]string{"EUVD-2022-7287", "PYSEC-2021-1"}, "PYSEC-2021-1"},
		{[]string{"DSA-5474-1"}, "DSA-5474-1"},
	} {
		if got := vuln.CanonicalID(tc.ids); got != tc.want {
			t.Errorf("CanonicalID(%v) = %s, want %s", tc.ids, got, tc.want)
		}
	}
}

func TestSeverity(t *testing.T) {
	for _, tc := range []struct {
		vector string
		typ    string
		score  float64
	}{
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", vuln.CVSSv3, 10},
		{"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", vuln.CVSSv3, 7.5},
		{"AV:N/AC:M/Au:N/C:C/I:C/A:C", vuln.CVSSv2, 9.3},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", vuln.CVSSv4, 9.3},
	} {
		typ, score, err := vuln.ScoreVector(tc.vector)
		if err != nil || typ != tc.typ || score != tc.score {
			t.Errorf("ScoreVector(%s) = %s %v %v, want %s %v", tc.vector, typ, score, err, tc.typ, tc.score)
		}
	}
	if _, _, err := vuln.ScoreVector("CVSS:3.1/AV:X"); err == nil {
		t.Error("bad vector scored")
	}
	if vuln.LevelFromScore(vuln.CVSSv2, 9.3) != vuln.High || vuln.LevelFromScore(vuln.CVSSv3, 9.0) != vuln.Critical || vuln.LevelFromScore(vuln.CVSSv3, 0) != vuln.None {
		t.Error("LevelFromScore")
	}
	v := vuln.Vulnerability{Severity: []vuln.Severity{
		{Type: vuln.CVSSv2, Score: 9.3, Level: vuln.High}, {Type: vuln.Rating, Level: vuln.Critical},
		{Type: vuln.CVSSv3, Score: 7.5, Level: vuln.High}, {Type: vuln.CVSSv3, Score: 8.8, Level: vuln.High},
	}}
	if got := v.Rated(); got.Score != 8.8 {
		t.Errorf("Rated = %+v, want the highest v3 score", got)
	}
	for in, want := range map[string]vuln.Level{"MODERATE": vuln.Medium, "critical": vuln.Critical, "": vuln.Unknown} {
		if got, err := vuln.ParseLevel(in); err != nil || got != want {
			t.Errorf("ParseLevel(%q) = %v, %v", in, got, err)
		}
	}
}
