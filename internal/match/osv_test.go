package match

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/mod/semver"

	"github.com/vigil-med/vigil/internal/sbom"
	"github.com/vigil-med/vigil/internal/vex"
	"github.com/vigil-med/vigil/internal/vuln"
)

// TestGoCrossCheck matches every version that the Go fixture records mention (and neighbours)
// and compares the findings with an independent computation: golang.org/x/mod/semver order and
// the introduced/fixed pairs of each range, withdrawn records left out.
func TestGoCrossCheck(t *testing.T) {
	records := loadOSV(t, goFixtures)
	idx := NewIndex(records, nil)

	type pkgVersions map[string]bool
	versions := map[string]pkgVersions{}
	for _, r := range records {
		for _, a := range r.Affected {
			vs := versions[a.Name]
			if vs == nil {
				vs = pkgVersions{"0.0.1": true, "99.0.0": true}
				versions[a.Name] = vs
			}
			for _, rg := range a.Ranges {
				for _, e := range rg.Events {
					if e.Version == "0" {
						continue
					}
					vs[e.Version] = true
					// just below and just above
					vs[e.Version+"-0"] = true
					if semver.Prerelease("v"+e.Version) == "" {
						vs[e.Version+"+x"] = true
						vs[bumpPatch(e.Version)] = true
					}
				}
			}
		}
	}
	var comps []sbom.Component
	for name, vs := range versions {
		for v := range vs {
			if !semver.IsValid("v" + v) {
				continue
			}
			p := "pkg:golang/" + name + "@v" + v
			if name == "stdlib" || name == "toolchain" {
				p = "pkg:golang/" + name + "@" + v
			}
			comps = append(comps, sbom.Component{Ref: p, PURL: p})
		}
	}
	slices.SortFunc(comps, func(a, b sbom.Component) int { return cmpStr(a.Ref, b.Ref) })

	want := map[string]bool{}
	for _, c := range comps {
		name, ver := splitGoPURL(c.PURL)
		for _, r := range records {
			if !r.Withdrawn.IsZero() {
				continue
			}
			for _, a := range r.Affected {
				if a.Name != name {
					continue
				}
				for _, rg := range a.Ranges {
					if independentInRange(rg.Events, ver) {
						canon, _ := idx.Vulnerability(r.ID)
						want[c.Ref+" "+canon.ID] = true
					}
				}
			}
		}
	}
	fs := mustMatch(t, idx, &Target{Components: comps})
	got := map[string]bool{}
	for _, f := range fs {
		k := f.Package.Ref + " " + f.VulnID
		if got[k] {
			t.Errorf("duplicate finding %s", k)
		}
		got[k] = true
		if f.Matcher != MatcherOSV || f.Status != vex.Affected || f.Reason == "" || f.Confidence != 1 {
			t.Errorf("finding %s: %+v", k, f)
		}
	}
	if len(want) < 500 {
		t.Fatalf("cross-check too small: %d expected findings over %d components", len(want), len(comps))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("engine vs independent computation over %d components (-want +got):\n%s", len(comps), diff)
	}
	t.Logf("%d components, %d findings agree", len(comps), len(got))
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func bumpPatch(v string) string {
	var maj, min, pat int
	if _, err := fmt.Sscanf(v, "%d.%d.%d", &maj, &min, &pat); err != nil {
		return v
	}
	return fmt.Sprintf("%d.%d.%d", maj, min, pat+1)
}

func splitGoPURL(p string) (string, string) {
	rest := p[len("pkg:golang/"):]
	i := len(rest) - 1
	for rest[i] != '@' {
		i--
	}
	return rest[:i], rest[i+1:]
}

// independentInRange: affected when some introduced ≤ v < the next fixed (Go ranges alternate).
func independentInRange(events []vuln.Event, v string) bool {
	sv := "v" + v
	if v[0] == 'v' {
		sv = v
	}
	for i := 0; i < len(events); i++ {
		if events[i].Kind != vuln.Introduced {
			continue
		}
		lo := events[i].Version
		if lo != "0" && semver.Compare(sv, "v"+lo) < 0 {
			continue
		}
		if i+1 < len(events) && events[i+1].Kind == vuln.Fixed {
			if semver.Compare(sv, "v"+events[i+1].Version) < 0 {
				return true
			}
			continue
		}
		return true // no fix
	}
	return false
}

func TestReasonsAndFixedVersions(t *testing.T) {
	idx := NewIndex(loadOSV(t, goFixtures), nil)
	fs := mustMatch(t, idx, &Target{ProductVersion: "pv-1", Components: purls(
		"pkg:golang/golang.org/x/net@0.7.0",
		"pkg:golang/stdlib@go1.21.1",
	)})
	var gotNet, gotStd []string
	for _, f := range fs {
		if f.RecordID == "GO-2023-2102" {
			if f.Component == 0 {
				gotNet = append(gotNet, f.Reason)
				if f.VulnID != "CVE-2023-39325" || !cmp.Equal(f.Vulnerability.Aliases, []string{"GHSA-4374-p667-p6c8", "GO-2023-2102"}) ||
					!cmp.Equal(f.FixedVersions, []string{"0.17.0"}) || f.ProductVersion != "pv-1" || f.Source != "OSV" {
					t.Errorf("x/net finding: %+v", f)
				}
			} else {
				gotStd = append(gotStd, f.Reason)
				if !cmp.Equal(f.FixedVersions, []string{"1.21.3"}) {
					t.Errorf("stdlib fixed versions %v", f.FixedVersions)
				}
			}
		}
	}
	if diff := cmp.Diff([]string{"pkg:golang/golang.org/x/net@0.7.0 is in range introduced 0 / fixed 0.17.0 of GO-2023-2102 (OSV)"}, gotNet); diff != "" {
		t.Errorf("x/net reason (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"pkg:golang/stdlib@go1.21.1 is in range introduced 1.21.0-0 / fixed 1.21.3 of GO-2023-2102 (OSV)"}, gotStd); diff != "" {
		t.Errorf("stdlib reason (-want +got):\n%s", diff)
	}
}

// TestFixedVersionRemovesExactly: upgrading x/net to a fixed version removes exactly the findings
// whose fix it reaches.
func TestFixedVersionRemovesExactly(t *testing.T) {
	idx := NewIndex(loadOSV(t, goFixtures), nil)
	records := func(p string) []string {
		var out []string
		for _, f := range mustMatch(t, idx, &Target{Components: purls(p)}) {
			out = append(out, f.RecordID)
		}
		slices.Sort(out)
		return out
	}
	if diff := cmp.Diff([]string{"GO-2023-2102", "GO-2024-2687"}, records("pkg:golang/golang.org/x/net@v0.7.0")); diff != "" {
		t.Errorf("x/net 0.7.0 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"GO-2023-1571", "GO-2023-2102", "GO-2024-2687"}, records("pkg:golang/golang.org/x/net@v0.6.0")); diff != "" {
		t.Errorf("x/net 0.6.0 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"GO-2024-2687"}, records("pkg:golang/golang.org/x/net@v0.17.0")); diff != "" {
		t.Errorf("x/net 0.17.0 (-want +got):\n%s", diff)
	}
	if got := records("pkg:golang/golang.org/x/net@v0.23.0"); got != nil {
		t.Errorf("x/net 0.23.0: %v", got)
	}
	// pseudo-versions order by their base: 0.0.0-2021… is before every fixed release
	if got := records("pkg:golang/golang.org/x/net@v0.0.0-20220906165146-f3363e06e74c"); slices.Contains(got, "GO-2022-0969") || !slices.Contains(got, "GO-2022-1144") {
		t.Errorf("x/net at GO-2022-0969's fix commit: %v", got)
	}
}

func TestWithdrawnIgnored(t *testing.T) {
	idx := NewIndex(loadOSV(t, goFixtures), nil)
	v, ok := idx.Vulnerability("GO-2022-0617")
	if !ok || v.Withdrawn.IsZero() {
		t.Fatalf("GO-2022-0617 not kept as withdrawn: %v", ok)
	}
	for _, f := range mustMatch(t, idx, &Target{Components: purls("pkg:golang/k8s.io/kubernetes@v1.20.0")}) {
		if f.RecordID == "GO-2022-0617" {
			t.Errorf("withdrawn record matched: %s", f.Reason)
		}
	}
}

func TestOtherEcosystems(t *testing.T) {
	idx := NewIndex(loadOSV(t, ghsaFixtures, pypiFixtures, miscFixtures), nil)
	tests := []struct {
		purl string
		want []string // canonical vulnerability ids
	}{
		{"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", []string{"CVE-2021-44228"}},
		{"pkg:maven/org.apache.logging.log4j/log4j-core@2.12.1", []string{"CVE-2021-44228"}},
		{"pkg:maven/org.apache.logging.log4j/log4j-core@2.12.2", nil},
		{"pkg:maven/org.apache.logging.log4j/log4j-core@2.15.0", nil},
		{"pkg:maven/org.apache.logging.log4j/log4j-core@2.0-beta9", []string{"CVE-2021-44228"}},
		{"pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1", nil},
		{"pkg:npm/lodash@4.17.20", []string{"CVE-2021-23337"}},
		{"pkg:npm/lodash-es@4.17.15", []string{"CVE-2021-23337"}},
		{"pkg:npm/lodash@4.17.21", nil},
		{"pkg:nuget/newtonsoft.json@12.0.3", []string{"GHSA-5crp-9r3c-p9vr"}},
		{"pkg:nuget/Newtonsoft.Json@13.0.1", nil},
		{"pkg:deb/debian/intel-microcode@3.20230512.1?distro=debian-11", []string{"DSA-5474-1"}},
		{"pkg:deb/debian/intel-microcode@3.20230808.1~deb11u1?distro=bullseye", nil},
		{"pkg:deb/debian/intel-microcode@3.20230808.1~deb11u1?distro=debian-12", []string{"DSA-5474-1"}},
	}
	for _, tc := range tests {
		var got []string
		for _, f := range mustMatch(t, idx, &Target{Components: purls(tc.purl)}) {
			got = append(got, f.VulnID)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.purl, diff)
		}
	}
}

func TestPURLParsing(t *testing.T) {
	for in, want := range map[string]purlInfo{
		"pkg:golang/golang.org/x/net@v0.7.0":                                                       {ecosystem: "Go", name: "golang.org/x/net", version: "v0.7.0"},
		"pkg:golang/github.com/BurntSushi/toml@v1.2.0":                                             {ecosystem: "Go", name: "github.com/BurntSushi/toml", version: "v1.2.0"},
		"pkg:golang/github.com/burntsushi/toml@v1.2.0":                                             {ecosystem: "Go", name: "github.com/burntsushi/toml", version: "v1.2.0"},
		"pkg:golang/github.com/Azure%2Fazure-sdk@v1.0.0":                                           {ecosystem: "Go", name: "github.com/Azure/azure-sdk", version: "v1.0.0"},
		"pkg:golang/std@go1.21.1":                                                                  {ecosystem: "Go", name: "stdlib", version: "go1.21.1"},
		"pkg:npm/%40babel/core@7.0.0":                                                              {ecosystem: "npm", name: "@babel/core", version: "7.0.0"},
		"pkg:npm/@babel/core@7.0.0":                                                                {ecosystem: "npm", name: "@babel/core", version: "7.0.0"},
		"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar":                            {ecosystem: "Maven", name: "org.apache.logging.log4j:log4j-core", version: "2.14.1"},
		"pkg:pypi/Django_REST.framework@3.0":                                                       {ecosystem: "PyPI", name: "django-rest-framework", version: "3.0"},
		"pkg:nuget/Newtonsoft.Json@13.0.1":                                                         {ecosystem: "NuGet", name: "newtonsoft.json", version: "13.0.1"},
		"pkg:deb/debian/libssl1.1@1.1.1n-0+deb11u3?arch=amd64&upstream=openssl&distro=debian-11.6": {ecosystem: "Debian", name: "openssl", version: "1.1.1n-0+deb11u3", release: "11"},
		"pkg:apk/alpine/openssl@3.1.4-r0?distro=alpine-3.18.4":                                     {ecosystem: "Alpine", name: "openssl", version: "3.1.4-r0", release: "v3.18"},
		"pkg:generic/openssl@1.1.1k":                                                               {name: "openssl", version: "1.1.1k"},
		"pkg:cargo/Serde@1.0.0#sub/path":                                                           {ecosystem: "crates.io", name: "serde", version: "1.0.0"},
	} {
		got, ok := parsePURL(in)
		if !ok || got != want {
			t.Errorf("parsePURL(%q) = %+v, %v; want %+v", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "golang/x", "pkg:", "pkg:golang", "pkg:golang/"} {
		if got, ok := parsePURL(bad); ok {
			t.Errorf("parsePURL(%q) = %+v, want failure", bad, got)
		}
	}
}

// TestPyPIRecordsAgree: for every PyPI fixture record, each version it enumerates must be found
// affected, and each fixed version must not be (as the record itself defines).
func TestPyPIRecordsAgree(t *testing.T) {
	records := loadOSV(t, pypiFixtures)
	idx := NewIndex(records, nil)
	checked := 0
	for _, r := range records {
		canon, _ := idx.Vulnerability(r.ID)
		for _, a := range r.Affected {
			if a.Ecosystem != "PyPI" {
				continue
			}
			has := func(v string) bool {
				for _, f := range mustMatch(t, idx, &Target{Components: purls("pkg:pypi/" + a.Name + "@" + v)}) {
					if f.Vulnerability == canon {
						return true
					}
				}
				return false
			}
			for _, v := range a.Versions {
				if !has(v) {
					t.Errorf("%s lists %s %s but it is not found", r.ID, a.Name, v)
				}
				checked++
			}
			var fixed []string
			for _, rg := range a.Ranges {
				for _, e := range rg.Events {
					if rg.Type == "ECOSYSTEM" && e.Kind == vuln.Fixed {
						fixed = append(fixed, e.Version)
					}
				}
			}
			for _, v := range fixed {
				if slices.Contains(a.Versions, v) {
					continue
				}
				if has(v) {
					t.Errorf("%s: %s %s is its fixed version but found affected", r.ID, a.Name, v)
				}
				checked++
			}
		}
	}
	if checked < 1000 {
		t.Errorf("only %d versions checked", checked)
	}
	t.Logf("%d PyPI versions checked", checked)
}
