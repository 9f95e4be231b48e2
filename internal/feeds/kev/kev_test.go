package kev

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vigil-med/vigil/internal/vuln"
)

func TestJSONAndCSV(t *testing.T) {
	j, err := ReadFile("testdata/known_exploited_vulnerabilities.json")
	if err != nil {
		t.Fatal(err)
	}
	if j.CatalogVersion != "2025.08.25" || len(j.Entries) != 1404 || !j.DateReleased.Equal(time.Date(2025, 8, 25, 17, 4, 19, 979600000, time.UTC)) {
		t.Errorf("catalog %q %v with %d entries", j.CatalogVersion, j.DateReleased, len(j.Entries))
	}
	c, err := ReadFile("testdata/known_exploited_vulnerabilities.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Entries) != len(j.Entries) {
		t.Fatalf("CSV %d entries, JSON %d", len(c.Entries), len(j.Entries))
	}
	ransom := 0
	for i := range j.Entries {
		a, b := j.Entries[i], c.Entries[i]
		a.Source, b.Source = "", ""
		if diff := cmp.Diff(a, b); diff != "" {
			t.Fatalf("entry %d differs between JSON and CSV (-json +csv):\n%s", i, diff)
		}
		if j.Entries[i].Ransomware() {
			ransom++
		}
	}
	if ransom != 293 {
		t.Errorf("ransomware entries = %d, want 293", ransom)
	}
	var eb *Entry
	for i := range j.Entries {
		if j.Entries[i].CVE == "CVE-2017-0144" {
			eb = &j.Entries[i]
		}
	}
	want := Entry{CVE: "CVE-2017-0144", CISAKEV: vuln.CISAKEV{
		DateAdded: time.Date(2022, 2, 10, 0, 0, 0, 0, time.UTC), DueDate: time.Date(2022, 8, 10, 0, 0, 0, 0, time.UTC),
		VendorProject: "Microsoft", Product: "SMBv1", Name: "Microsoft SMBv1 Remote Code Execution Vulnerability",
		ShortDescription:           "The SMBv1 server in multiple Microsoft Windows versions allows remote attackers to execute arbitrary code via crafted packets.",
		RequiredAction:             "Apply updates per vendor instructions.",
		KnownRansomwareCampaignUse: "Known", Notes: "https://nvd.nist.gov/vuln/detail/CVE-2017-0144", CWEs: []string{"CWE-20"},
		Source: "CISA KEV 2025.08.25"}}
	if diff := cmp.Diff(&want, eb); diff != "" {
		t.Errorf("EternalBlue (-want +got):\n%s", diff)
	}
	recs := j.Records()
	if len(recs) != 1404 || recs[0].Sources[0].Kind != vuln.SourceCISAKEV || recs[0].CISAKEV == nil {
		t.Errorf("records: %d %+v", len(recs), recs[0].Sources)
	}
}

func TestErrors(t *testing.T) {
	full, _ := os.ReadFile("testdata/known_exploited_vulnerabilities.json")
	for _, tc := range []struct{ name, in, want string }{
		{"truncated", string(full[:5000]), "JSON ends early"},
		{"count", `{"catalogVersion": "1", "count": 2, "vulnerabilities": [{"cveID": "CVE-2020-0001", "dateAdded": "2020-01-01"}]}`, "count says 2 entries but vulnerabilities has 1"},
		{"id", `{"catalogVersion": "1", "vulnerabilities": [{"cveID": "nope", "dateAdded": "2020-01-01"}]}`, `vulnerabilities[0]: cveID "nope" is not a CVE id`},
		{"date", `{"catalogVersion": "1", "vulnerabilities": [{"cveID": "CVE-2020-0001", "dateAdded": "01/02/2020"}]}`, "dateAdded: unreadable time"},
		{"csv column", "cveID,vendorProject\nCVE-2020-0001,x\n", `column "product" missing`},
		{"csv row", "cveID,vendorProject,product,vulnerabilityName,dateAdded,shortDescription,requiredAction,dueDate,knownRansomwareCampaignUse\nCVE-2020-0001,a,b,c,never,e,f,,Unknown\n", "x:2: CVE-2020-0001: dateAdded"},
		{"csv quote", "cveID,vendorProject,product,vulnerabilityName,dateAdded,shortDescription,requiredAction,dueDate,knownRansomwareCampaignUse\nCVE-2020-0001,\"a,b\n", "x:2:"},
		{"other", "hello", "not a CISA KEV catalog"},
	} {
		_, err := Decode(strings.NewReader(tc.in), "x", 0)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
	if _, err := Decode(bytes.NewReader(full), "x", 1000); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("limit: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	j, _ := os.ReadFile("testdata/known_exploited_vulnerabilities.json")
	c, _ := os.ReadFile("testdata/known_exploited_vulnerabilities.csv")
	f.Add(j[:2000])
	f.Add(c[:3000])
	f.Add([]byte(`{"catalogVersion": "1", "vulnerabilities": [{"cveID": "CVE-2020-0001", "dateAdded": "2020-01-01"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cat, err := Decode(bytes.NewReader(data), "fuzz", 1<<20)
		if err != nil {
			return
		}
		for _, e := range cat.Entries {
			if !vuln.IsCVE(e.CVE) || e.DateAdded.IsZero() {
				t.Fatalf("bad entry %+v", e)
			}
		}
	})
}
