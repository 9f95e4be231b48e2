package eukev

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vigil-med/vigil/internal/vuln"
)

func day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

func byID(vs []vuln.Vulnerability) map[string]vuln.Vulnerability {
	m := map[string]vuln.Vulnerability{}
	for _, v := range vs {
		m[v.ID] = v
	}
	return m
}

func TestCurrentList(t *testing.T) {
	vs, err := ReadFile("testdata/eukev.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 43 {
		t.Fatalf("entries = %d, want 43", len(vs))
	}
	types := map[string]int{}
	for _, v := range vs {
		for _, x := range v.EUKEV.ExploitationType {
			types[x]++
		}
		if v.Sources[0].Kind != vuln.SourceEUKEV || len(v.Aliases) != 1 || !strings.HasPrefix(v.Aliases[0], "EUVD-") {
			t.Errorf("%s: sources %+v aliases %v", v.ID, v.Sources, v.Aliases)
		}
	}
	if diff := cmp.Diff(map[string]int{"unknown": 22, "ransomware": 13, "APT": 8}, types); diff != "" {
		t.Errorf("exploitationType counts (-want +got):\n%s", diff)
	}
	got := byID(vs)["CVE-2026-41679"]
	want := vuln.Vulnerability{
		ID: "CVE-2026-41679", Aliases: []string{"EUVD-2026-25166"},
		Details: "An unauthenticated attacker can achieve full remote code execution on any network-accessible Paperclip instance running in authenticated mode with default configuration.",
		CWE:     []string{"CWE-287", "CWE-862", "CWE-1188"},
		EUKEV: &vuln.EUKEV{EUVDID: "EUVD-2026-25166", VendorProject: "paperclipai", Product: "@paperclipai/server, paperclip",
			DateReported: day(2026, 8, 17), PatchedSince: day(2026, 4, 22), OriginSource: "CNW",
			ShortDescription: "An unauthenticated attacker can achieve full remote code execution on any network-accessible Paperclip instance running in authenticated mode with default configuration.",
			ExploitationType: []string{"unknown"}, CWEs: []string{"CWE-287", "CWE-862", "CWE-1188"},
			Notes: "https://github.com/paperclipai/paperclip/security/advisories/GHSA-68qg-g8mg-6pr7"},
		Sources: []vuln.Source{{Kind: vuln.SourceEUKEV, ID: "CVE-2026-41679", Database: "EU KEV (EU CSIRTs Network / ENISA)"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CVE-2026-41679 (-want +got):\n%s", diff)
	}
}

func TestLegacyAndCSV(t *testing.T) {
	cur, _ := ReadFile("testdata/eukev.json")
	current := byID(cur)
	legacy, err := ReadFile("testdata/legacy-advisories-eukev.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(legacy) != 39 {
		t.Errorf("legacy entries = %d, want 39", len(legacy))
	}
	for _, v := range legacy {
		if _, ok := current[v.ID]; !ok {
			t.Errorf("legacy %s not in the current list", v.ID)
		}
		for _, l := range [][]string{v.EUKEV.ExploitationType, v.EUKEV.CWEs, v.EUKEV.ThreatActors} {
			for _, x := range l {
				if x == "-" || strings.Contains(x, ",") {
					t.Errorf("%s: placeholder or unsplit value %q", v.ID, x)
				}
			}
		}
	}
	l := byID(legacy)["CVE-2026-59310"]
	if diff := cmp.Diff([]string{"APT"}, l.EUKEV.ExploitationType); diff != "" {
		t.Errorf("legacy string exploitationType (-want +got):\n%s", diff)
	}

	c1, err := ReadFile("testdata/eukev-2026-03-06.csv")
	if err != nil {
		t.Fatal(err)
	}
	c2, err := ReadFile("testdata/kev-2025-09-12.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(c1) != 23 || len(c2) != 19 {
		t.Errorf("CSV rows %d and %d, want 23 and 19", len(c1), len(c2))
	}
	iv := byID(c1)["CVE-2026-1281"]
	if iv.EUKEV == nil || !iv.EUKEV.DateReported.Equal(day(2026, 1, 29)) || !iv.EUKEV.PatchedSince.IsZero() || iv.EUKEV.OriginSource != "cnw" ||
		iv.EUKEV.EUVDID != "EUVD-2026-4940" || iv.EUKEV.Name != "" || iv.EUKEV.ExploitationType != nil {
		t.Errorf("CVE-2026-1281 = %+v", iv.EUKEV)
	}
	cx := byID(c2)["CVE-2025-6543"]
	if cx.EUKEV == nil || !cx.EUKEV.DateReported.Equal(day(2025, 7, 18)) || cx.EUKEV.EUVDID != "EUVD-2025-19085" || cx.Details != "" {
		t.Errorf("CVE-2025-6543 = %+v", cx.EUKEV)
	}
}

func TestEUVD(t *testing.T) {
	vs, err := ReadEUVDFile("testdata/euvd/EUVD-2022-7287.json")
	if err != nil {
		t.Fatal(err)
	}
	v := vs[0]
	v.Details, v.References = "", nil
	want := vuln.Vulnerability{
		ID: "EUVD-2022-7287", Aliases: []string{"CVE-2022-3602", "GHSA-8rwr-x37p-mx23"},
		Published: day(2022, 11, 1), Modified: time.Date(2025, 11, 4, 19, 13, 4, 0, time.UTC),
		Severity: []vuln.Severity{{Type: vuln.CVSSv3, Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", Score: 7.5, Level: vuln.High, Source: "EUVD"}},
		EUVD: &vuln.EUVD{ID: "EUVD-2022-7287", Assigner: "openssl", EPSS: 0.8322,
			Products: []vuln.EUVDProduct{{Vendor: "OpenSSL", Product: "OpenSSL", Version: "Fixed in OpenSSL 3.0.7 (Affected 3.0.0,3.0.1,3.0.2,3.0.3,3.0.4,3.0.5,3.0.6)"}}},
		Sources: []vuln.Source{{Kind: vuln.SourceEUVD, ID: "EUVD-2022-7287", Database: "ENISA EUVD", Modified: time.Date(2025, 11, 4, 19, 13, 4, 0, time.UTC)}},
	}
	if diff := cmp.Diff(want, v, cmp.Comparer(func(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 })); diff != "" {
		t.Errorf("EUVD-2022-7287 (-want +got):\n%s", diff)
	}

	f, _ := os.Open("testdata/euvd/search-product-openssl.json")
	defer f.Close()
	vs, total, err := DecodeEUVD(f, "search", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 100 || total != 146 {
		t.Errorf("search: %d records of %d", len(vs), total)
	}
	for _, name := range []string{"enisaid-hit", "exploitedvulnerabilities-latest", "lastvulnerabilities", "search-product-jinja2", "EUVD-2022-7358"} {
		vs, err := ReadEUVDFile("testdata/euvd/" + name + ".json")
		if err != nil || len(vs) == 0 {
			t.Errorf("%s: %v (%d records)", name, err, len(vs))
		}
		if name == "exploitedvulnerabilities-latest" {
			for _, v := range vs {
				if v.EUVD.ExploitedSince.IsZero() {
					t.Errorf("%s: exploited list record without exploitedSince", v.ID)
				}
			}
		}
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"date", `[{"cveID": "CVE-2020-0001", "euvdID": "EUVD-2020-1", "dateReported": "last week"}]`, `[0]: CVE-2020-0001: dateReported: unreadable date "last week"`},
		{"cve", `[{"cveID": "EUVD-1", "dateReported": "2020/01/01"}]`, `cveID "EUVD-1" is not a CVE id`},
		{"type", `[{"cveID": "CVE-2020-0001", "cwes": 5}]`, "cwes"},
		{"csv", "cveID,euvdID\nCVE-2020-0001,EUVD-1\n", `column "dateReported" missing`},
		{"csv date", "CVE,EUVD,dateReported\nCVE-2020-0001,EUVD-1,32/13/20\n", "x:2: CVE-2020-0001: dateReported"},
		{"object", `{"a": 1}`, "not an EU KEV list"},
	} {
		_, err := Decode(strings.NewReader(tc.in), "x", 0)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
	for _, tc := range []struct{ name, in, want string }{
		{"id", `{"id": "CVE-2020-0001"}`, "is not an EUVD id"},
		{"date", `{"id": "EUVD-2020-1", "datePublished": "1.1.2020"}`, "datePublished: unreadable EUVD date"},
		{"epss", `{"id": "EUVD-2020-1", "epss": 250}`, "not a percentage"},
		{"shape", `{"foo": []}`, "no items and no id"},
	} {
		_, _, err := DecodeEUVD(strings.NewReader(tc.in), "x", 0)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("EUVD %s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, p := range []string{"testdata/eukev.json", "testdata/legacy-advisories-eukev.json", "testdata/eukev-2026-03-06.csv", "testdata/kev-2025-09-12.csv"} {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		vs, err := Decode(bytes.NewReader(data), "fuzz", 1<<20)
		if err != nil {
			return
		}
		for _, v := range vs {
			if !vuln.IsCVE(v.ID) || v.EUKEV == nil || v.EUKEV.DateReported.IsZero() {
				t.Fatalf("bad entry %+v", v)
			}
		}
	})
}

func FuzzDecodeEUVD(f *testing.F) {
	for _, p := range []string{"testdata/euvd/EUVD-2022-7287.json", "testdata/euvd/enisaid-hit.json", "testdata/euvd/lastvulnerabilities.json", "testdata/euvd/search-product-jinja2.json"} {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		vs, _, err := DecodeEUVD(bytes.NewReader(data), "fuzz", 1<<20)
		if err != nil {
			return
		}
		for _, v := range vs {
			if v.EUVD == nil || v.EUVD.EPSS < 0 || v.EUVD.EPSS > 1 {
				t.Fatalf("bad record %+v", v)
			}
		}
	})
}
