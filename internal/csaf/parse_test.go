package csaf

import (
	"bytes"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustParse(t testing.TB, path string) *Advisory {
	t.Helper()
	a, err := Parse(bytes.NewReader(mustRead(t, path)), path, 0)
	if err != nil {
		t.Fatalf("Parse(%s): %v", path, err)
	}
	return a
}

// TestParseEveryCISAAdvisory parses every ICSMA file and checks it against INDEX.csv (tracking id,
// number of vulnerabilities, CVEs, vendors, release dates).
func TestParseEveryCISAAdvisory(t *testing.T) {
	f, err := os.Open("testdata/icsma/INDEX.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("testdata/icsma/*.json")
	if len(rows)-1 != len(files) || len(files) != 88 {
		t.Fatalf("INDEX.csv lists %d files, testdata has %d, want 88", len(rows)-1, len(files))
	}
	for _, row := range rows[1:] {
		t.Run(row[0], func(t *testing.T) {
			a := mustParse(t, filepath.Join("testdata/icsma", row[0]))
			if a.TrackingID != row[1] {
				t.Errorf("TrackingID = %q, want %q", a.TrackingID, row[1])
			}
			if got := a.InitialRelease.Format(time.RFC3339); got != mustTime(t, row[4]).Format(time.RFC3339) {
				t.Errorf("InitialRelease = %s, want %s", got, row[4])
			}
			if got := a.CurrentRelease.Format(time.RFC3339); got != mustTime(t, row[5]).Format(time.RFC3339) {
				t.Errorf("CurrentRelease = %s, want %s", got, row[5])
			}
			var cves []string
			for _, v := range a.Vulnerabilities {
				if v.CVE != "" {
					cves = append(cves, v.CVE)
				}
			}
			want := strings.Split(row[7], ";")
			if row[7] == "" {
				want = nil
			}
			slices.Sort(cves)
			slices.Sort(want)
			if diff := cmp.Diff(want, cves); diff != "" || len(a.Vulnerabilities) != atoi(row[6]) {
				t.Errorf("CVEs (-want +got):\n%s; %d vulnerabilities, want %s", diff, len(a.Vulnerabilities), row[6])
			}
			if len(a.Products) == 0 {
				t.Error("no products")
			}
			for _, p := range a.Products {
				if p.Vendor == "" || !strings.Contains(row[3], p.Vendor) {
					t.Errorf("product %s vendor %q not among %q", p.ID, p.Vendor, row[3])
				}
			}
			if a.Publisher.Name != "CISA" || a.TLP != "WHITE" || a.Profile != "csaf_security_advisory" || len(a.SHA256) != 64 {
				t.Errorf("publisher %q TLP %q profile %q sha256 %q", a.Publisher.Name, a.TLP, a.Profile, a.SHA256)
			}
			for _, w := range a.Warnings {
				if !strings.HasPrefix(w.Message, "mandatory test 6.1.31:") {
					t.Errorf("unexpected warning %s", w)
				}
			}
		})
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// TestParseOASISExamples parses every CSAF example; the ROLIE, aggregator and provider-metadata examples
// are other formats and must be named as such (provider.ParseMetadata reads the metadata one).
func TestParseOASISExamples(t *testing.T) {
	files, _ := filepath.Glob("testdata/examples/*.json")
	if len(files) != 27 {
		t.Fatalf("%d example files, want 27", len(files))
	}
	for _, f := range files {
		base := filepath.Base(f)
		_, err := Parse(bytes.NewReader(mustRead(t, f)), base, 0)
		if strings.HasPrefix(base, "csaf_") {
			if err != nil {
				t.Errorf("%s: %v", base, err)
			}
			continue
		}
		var nc *NotCSAFError
		if !errors.As(err, &nc) || !strings.Contains(nc.Reason, "looks like") {
			t.Errorf("%s: err = %v, want NotCSAFError naming the format", base, err)
		}
	}
}

// TestParseConcrete checks the model of a few real advisories field by field.
func TestParseConcrete(t *testing.T) {
	t.Run("BD Alaris ICSMA-23-194-01", func(t *testing.T) {
		a := mustParse(t, "testdata/icsma/icsma-23-194-01.json")
		if a.Title != "BD Alaris System with Guardrails Suite MX" || a.Version != "2" || a.Status != "final" || a.Publisher.Category != "coordinator" {
			t.Errorf("header: %q %q %q %q", a.Title, a.Version, a.Status, a.Publisher.Category)
		}
		want := Product{
			ID:          "CSAFPID-0001",
			Name:        "BD Alaris Point-of-Care Unit (PCU) Model 8015: <=12.1.3",
			Path:        []string{"Becton, Dickinson and Company (BD)", "BD Alaris Point-of-Care Unit (PCU) Model 8015", "<=12.1.3"},
			Vendor:      "Becton, Dickinson and Company (BD)",
			ProductName: "BD Alaris Point-of-Care Unit (PCU) Model 8015",
			Range:       &Range{Raw: "<=12.1.3", Constraints: []Constraint{{"<=", "12.1.3"}}, Parsed: true},
		}
		if diff := cmp.Diff(&want, a.Product("CSAFPID-0001")); diff != "" {
			t.Errorf("product (-want +got):\n%s", diff)
		}
		if p := a.Product("CSAFPID-0006"); p == nil || p.Version != "12.1.3" || p.ProductName != "BD Alaris Guardrails Editor" {
			t.Errorf("CSAFPID-0006 = %+v", p)
		}
		v := a.Vulnerabilities[0]
		if v.CVE != "CVE-2023-30559" || v.CWE == nil || v.CWE.ID != "CWE-20" {
			t.Errorf("vulnerability 0: %s %+v", v.CVE, v.CWE)
		}
		wantScore := Score{Version: "3.0", Vector: "CVSS:3.0/AV:P/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:H", BaseScore: 5.2, Severity: "MEDIUM",
			ProductIDs: []string{"CSAFPID-0001", "CSAFPID-0002", "CSAFPID-0003", "CSAFPID-0004", "CSAFPID-0005"}}
		if diff := cmp.Diff([]Score{wantScore}, v.Scores); diff != "" {
			t.Errorf("scores (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(wantScore.ProductIDs, v.ProductStatus.KnownAffected); diff != "" {
			t.Errorf("known_affected (-want +got):\n%s", diff)
		}
		r := v.Remediations[1]
		if r.Category != "mitigation" || !strings.HasPrefix(r.Details, "BD recommends customers update to the BD Alaris System 12.3") {
			t.Errorf("remediation 1 = %+v", r)
		}
		last := v.Remediations[len(v.Remediations)-1]
		if last.URL != "https://www.bd.com/en-us/about-bd/cybersecurity/bulletin/bd-alaris-system-with-guardrails-suite-mx" {
			t.Errorf("last remediation URL = %q", last.URL)
		}
	})
	t.Run("Medtronic ICSMA-23-061-01", func(t *testing.T) {
		a := mustParse(t, "testdata/icsma/icsma-23-061-01.json")
		p := a.Product("CSAFPID-0002")
		if p == nil || p.Vendor != "Medtronic" || p.ProductName != "InterStim X Clinician" || p.Version != "A51300" {
			t.Fatalf("CSAFPID-0002 = %+v", p)
		}
		v := a.Vulnerabilities[0]
		if v.CVE != "CVE-2023-25931" || v.Scores[0].BaseScore != 6.4 || v.Remediations[1].Details != "An app update is available as of February 23, 2023 that will fix the vulnerability." || v.Remediations[1].Category != "vendor_fix" {
			t.Errorf("vulnerability = %+v", v)
		}
	})
	t.Run("BD PerformA ICSMA-17-082-01", func(t *testing.T) {
		a := mustParse(t, "testdata/icsma/icsma-17-082-01.json")
		got := []string{}
		for _, p := range a.Products {
			got = append(got, p.ID+" "+p.ProductName+" "+p.Range.Vers())
		}
		want := []string{"CSAFPID-0001 PerformA vers:generic/<=2.0.14.0", "CSAFPID-0002 KLA Journal Service vers:generic/<=1.0.51"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("products (-want +got):\n%s", diff)
		}
	})
	t.Run("BSI example with identification helpers", func(t *testing.T) {
		a := mustParse(t, "testdata/examples/csaf_bsi-2022-0001.json")
		var cpes, purls []string
		for _, p := range a.Products {
			if p.CPE != "" {
				cpes = append(cpes, p.CPE)
			}
			if p.PURL != "" {
				purls = append(purls, p.PURL)
			}
		}
		if !slices.Contains(cpes, "cpe:/a:csaf-tools:cvrf-csaf-converter:1.0.0-alpha") {
			t.Errorf("CPEs = %q", cpes)
		}
		_ = purls
	})
	t.Run("Red Hat relationships", func(t *testing.T) {
		a := mustParse(t, "testdata/examples/csaf_rhsa-2021_5186.json")
		n := 0
		for _, p := range a.Products {
			if p.Relationship == nil {
				continue
			}
			n++
			if p.Relationship.Category == "" || a.Product(p.Relationship.ComponentID) == nil || a.Product(p.Relationship.PlatformID) == nil {
				t.Errorf("relationship product %s: %+v", p.ID, p.Relationship)
			}
		}
		if n == 0 {
			t.Error("no relationship products")
		}
	})
}
