package match

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/sbom"
	"github.com/vigil-med/vigil/internal/vex"
)

// fleetFindings: two product versions with x/net 0.7.0 and stdlib go1.21.1 each.
func fleetFindings(t *testing.T) (*Index, []Finding) {
	idx := NewIndex(loadOSV(t, goFixtures), nil)
	comps := []sbom.Component{
		{Ref: "net", Name: "golang.org/x/net", Version: "0.7.0", PURL: "pkg:golang/golang.org/x/net@v0.7.0"},
		{Ref: "std", Name: "stdlib", Version: "1.21.1", PURL: "pkg:golang/stdlib@1.21.1"},
	}
	var all []Finding
	for _, pv := range []string{"pv-A", "pv-B"} {
		all = append(all, mustMatch(t, idx, &Target{ProductVersion: pv, Components: comps})...)
	}
	return idx, all
}

// active returns "pv ref vuln" of active findings.
func active(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		if f.Active() {
			out = append(out, f.ProductVersion+" "+f.Package.Ref+" "+f.VulnID)
		}
	}
	return out
}

func minus(all []string, drop ...string) []string {
	var out []string
outer:
	for _, a := range all {
		for _, d := range drop {
			if a == d {
				continue outer
			}
		}
		out = append(out, a)
	}
	return out
}

func TestVEXRemovesExactlyWhatItNames(t *testing.T) {
	idx, fs := fleetFindings(t)
	base := active(fs)
	if len(base) < 8 {
		t.Fatalf("too few findings to test with: %v", base)
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	stmt := func(o Origin, pv, id string, comp *vex.Product, st vex.Status, ts time.Time) Statement {
		return Statement{Statement: vex.Statement{Vulnerability: id, Component: comp, Status: st, Timestamp: ts, Source: "doc",
			Justification: vex.VulnerableCodeNotInExecutePath}, Origin: o, ProductVersion: pv}
	}
	netPURL := &vex.Product{PURL: "pkg:golang/golang.org/x/net"} // no version: any version of the package
	tests := []struct {
		name  string
		stmts []Statement
		drop  []string
	}{
		{"component-level, by GO alias", []Statement{stmt(Manufacturer, "pv-A", "GO-2023-2102", netPURL, vex.NotAffected, t0)},
			[]string{"pv-A net CVE-2023-39325"}},
		{"product-level removes the vulnerability from every component of that product version only",
			[]Statement{stmt(Manufacturer, "pv-B", "CVE-2023-39325", nil, vex.NotAffected, t0)},
			[]string{"pv-B net CVE-2023-39325", "pv-B std CVE-2023-39325"}},
		{"fixed status suppresses too", []Statement{stmt(Manufacturer, "pv-A", "GHSA-4374-p667-p6c8", &vex.Product{ID: "std"}, vex.Fixed, t0)},
			[]string{"pv-A std CVE-2023-39325"}},
		{"a different version of the component is not named", []Statement{stmt(Manufacturer, "pv-A", "CVE-2023-39325", &vex.Product{PURL: "pkg:golang/golang.org/x/net@v0.8.0"}, vex.NotAffected, t0)},
			nil},
		{"unknown vulnerability changes nothing", []Statement{stmt(Hospital, "", "CVE-1999-0001", nil, vex.NotAffected, t0)}, nil},
		{"hospital affected beats manufacturer not_affected", []Statement{
			stmt(Hospital, "pv-A", "CVE-2023-39325", nil, vex.Affected, t0),
			stmt(Manufacturer, "pv-A", "CVE-2023-39325", netPURL, vex.NotAffected, t0.Add(time.Hour)),
		}, nil},
		{"hospital not_affected beats manufacturer affected", []Statement{
			stmt(Manufacturer, "pv-A", "CVE-2023-39325", netPURL, vex.Affected, t0.Add(time.Hour)),
			stmt(Hospital, "pv-A", "CVE-2023-39325", netPURL, vex.NotAffected, t0),
		}, []string{"pv-A net CVE-2023-39325"}},
		{"component statement beats product statement of the same origin", []Statement{
			stmt(Manufacturer, "pv-A", "CVE-2023-39325", nil, vex.NotAffected, t0.Add(time.Hour)),
			stmt(Manufacturer, "pv-A", "CVE-2023-39325", netPURL, vex.Affected, t0),
		}, []string{"pv-A std CVE-2023-39325"}},
		{"newer beats older at the same level", []Statement{
			stmt(Manufacturer, "pv-A", "CVE-2023-39325", netPURL, vex.NotAffected, t0.Add(time.Hour)),
			stmt(Manufacturer, "pv-A", "CVE-2023-39325", netPURL, vex.UnderInvestigation, t0),
		}, []string{"pv-A net CVE-2023-39325"}},
		{"newer under_investigation re-opens", []Statement{
			stmt(Manufacturer, "pv-A", "CVE-2023-39325", netPURL, vex.NotAffected, t0),
			stmt(Manufacturer, "pv-A", "CVE-2023-39325", netPURL, vex.UnderInvestigation, t0.Add(time.Hour)),
		}, nil},
	}
	for _, tc := range tests {
		got := ApplyVEX(idx, fs, tc.stmts)
		if diff := cmp.Diff(minus(base, tc.drop...), active(got)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
		if len(got) != len(fs) {
			t.Errorf("%s: %d findings out, %d in", tc.name, len(got), len(fs))
		}
	}
	// the input is not modified
	if diff := cmp.Diff(base, active(fs)); diff != "" {
		t.Errorf("input modified: %s", diff)
	}
	// the decision is recorded
	got := ApplyVEX(idx, fs, []Statement{stmt(Hospital, "pv-A", "CVE-2023-39325", netPURL, vex.NotAffected, t0)})
	for _, f := range got {
		if f.ProductVersion == "pv-A" && f.Package.Ref == "net" && f.VulnID == "CVE-2023-39325" {
			want := &VEXDecision{Status: vex.NotAffected, Justification: vex.VulnerableCodeNotInExecutePath, Origin: Hospital, Source: "doc", Timestamp: t0, ComponentLevel: true}
			if diff := cmp.Diff(want, f.VEX); diff != "" {
				t.Errorf("decision (-want +got):\n%s", diff)
			}
		}
	}
}

func TestVEXAffectedAddsFinding(t *testing.T) {
	idx, fs := fleetFindings(t)
	st := Statement{Statement: vex.Statement{Vulnerability: "CVE-2021-44228", Status: vex.Affected, Source: "vendor-vex-1",
		Component: &vex.Product{Name: "log4j-core", Version: "2.14.1", PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}},
		Origin: Manufacturer, ProductVersion: "pv-A"}
	got := ApplyVEX(idx, fs, []Statement{st})
	if len(got) != len(fs)+1 {
		t.Fatalf("%d findings, want %d", len(got), len(fs)+1)
	}
	f := got[len(got)-1]
	if f.Matcher != MatcherVEX || f.VulnID != "CVE-2021-44228" || f.ProductVersion != "pv-A" || f.Package.Name != "log4j-core" || !f.Active() ||
		f.Reason != "manufacturer VEX statement vendor-vex-1 says pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1 is affected by CVE-2021-44228" {
		t.Errorf("added finding %+v", f)
	}
	// ...unless the hospital says otherwise
	h := Statement{Statement: vex.Statement{Vulnerability: "CVE-2021-44228", Status: vex.NotAffected}, Origin: Hospital, ProductVersion: "pv-A"}
	got = ApplyVEX(idx, fs, []Statement{st, h})
	if f := got[len(got)-1]; f.Active() {
		t.Errorf("hospital not_affected did not win: %+v", f)
	}
}
