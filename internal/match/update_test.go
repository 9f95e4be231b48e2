package match

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/sbom"
	"github.com/vigil-med/vigil/internal/vuln"
)

func TestUpdateAndAffectedBy(t *testing.T) {
	records := loadOSV(t, goFixtures)
	// start without GO-2023-2102
	var without []vuln.Vulnerability
	var newRec vuln.Vulnerability
	for _, r := range records {
		if r.ID == "GO-2023-2102" {
			newRec = r
			continue
		}
		without = append(without, r)
	}
	idx := NewIndex(without, nil)
	before := idx.Stats()

	// a fleet: three product versions
	ci := NewComponentIndex()
	fleet := map[string][]sbom.Component{
		"pv-net":  purls("pkg:golang/golang.org/x/net@v0.7.0", "pkg:golang/github.com/example/lib@v1.0.0"),
		"pv-std":  purls("pkg:golang/stdlib@go1.21.1"),
		"pv-none": purls("pkg:golang/github.com/example/other@v1.0.0"),
	}
	for pv, comps := range fleet {
		ci.Add(pv, comps)
	}

	keys := idx.AffectedBy([]vuln.Vulnerability{newRec})
	want := []Key{{"Go", "golang.org/x/net"}, {"Go", "stdlib"}}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("AffectedBy (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"pv-net", "pv-std"}, ci.ProductVersions(keys)); diff != "" {
		t.Errorf("product versions to re-match (-want +got):\n%s", diff)
	}
	if got := idx.Update([]vuln.Vulnerability{newRec}, nil); !cmp.Equal(got, keys) {
		t.Errorf("Update keys %v, AffectedBy %v", got, keys)
	}
	if after := idx.Stats(); after.Records != before.Records+1 || after.Vulnerabilities != before.Vulnerabilities+1 {
		t.Errorf("stats before %+v after %+v", before, after)
	}
	// re-matching only the touched components gives exactly the new finding for them
	fs, err := idx.Match(context.Background(), &Target{ProductVersion: "pv-net", Components: fleet["pv-net"]}, Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fs {
		got = append(got, f.Package.Ref+" "+f.RecordID)
	}
	if diff := cmp.Diff([]string{"pkg:golang/golang.org/x/net@v0.7.0 GO-2023-2102", "pkg:golang/golang.org/x/net@v0.7.0 GO-2024-2687"}, got); diff != "" {
		t.Errorf("re-match (-want +got):\n%s", diff)
	}
	// The component index says which components have the keys; visiting only those finds the same.
	only := ci.ComponentsByVersion(keys)
	if diff := cmp.Diff(map[string][]int{"pv-net": {0}, "pv-std": {0}}, only); diff != "" {
		t.Errorf("components by version (-want +got):\n%s", diff)
	}
	for pv, comps := range fleet {
		all, err := idx.Match(context.Background(), &Target{ProductVersion: pv, Components: comps}, Options{Keys: keys})
		if err != nil {
			t.Fatal(err)
		}
		some, err := idx.Match(context.Background(), &Target{ProductVersion: pv, Components: comps}, Options{Keys: keys, Only: append([]int{}, only[pv]...)})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(all, some); diff != "" {
			t.Errorf("%s: Only changes the findings (-every component +only those):\n%s", pv, diff)
		}
	}

	// A new GHSA record aliasing the CVE merges into it, and a changed GO record replaces the old one.
	ghsa := vuln.Vulnerability{ID: "GHSA-4374-p667-p6c8", Aliases: []string{"CVE-2023-39325"}, Summary: "from GitHub",
		Affected: []vuln.Affected{{Ecosystem: "npm", Name: "example-http2", Source: "GHSA-4374-p667-p6c8",
			Ranges: []vuln.Range{{Type: "SEMVER", Events: []vuln.Event{{Kind: vuln.Introduced, Version: "0"}, {Kind: vuln.Fixed, Version: "1.0.0"}}}}}},
		Sources: []vuln.Source{{Kind: vuln.SourceOSV, ID: "GHSA-4374-p667-p6c8"}}}
	changedGo := newRec
	changedGo.Affected = slices.Clone(newRec.Affected[1:]) // stdlib no longer listed
	keys = idx.Update([]vuln.Vulnerability{ghsa, changedGo}, nil)
	want = []Key{{"Go", "golang.org/x/net"}, {"Go", "stdlib"}, {"npm", "example-http2"}}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("second Update keys (-want +got):\n%s", diff)
	}
	v, _ := idx.Vulnerability("GO-2023-2102")
	if v.ID != "CVE-2023-39325" || len(v.Sources) != 2 || len(v.Affected) != 2 || v.Summary != "from GitHub" {
		t.Errorf("merged after update: id %s sources %v affected %d summary %q", v.ID, v.Sources, len(v.Affected), v.Summary)
	}
	for _, f := range mustMatch(t, idx, &Target{Components: fleet["pv-std"]}) {
		if f.RecordID == "GO-2023-2102" {
			t.Errorf("stdlib still matched by the replaced record: %s", f.Reason)
		}
	}
	if n := len(mustMatch(t, idx, &Target{Components: purls("pkg:npm/example-http2@0.9.0")})); n != 1 {
		t.Errorf("new GHSA package: %d findings", n)
	}
	if after := idx.Stats(); after.Records != before.Records+2 || after.Vulnerabilities != before.Vulnerabilities+1 {
		t.Errorf("stats after second update %+v (before %+v)", after, before)
	}
	// Updating to the same data again is a no-op for matching and keeps the counts.
	fsBefore := summary(mustMatch(t, idx, &Target{Components: fleet["pv-net"]}))
	idx.Update([]vuln.Vulnerability{ghsa, changedGo}, nil)
	if diff := cmp.Diff(fsBefore, summary(mustMatch(t, idx, &Target{Components: fleet["pv-net"]}))); diff != "" {
		t.Errorf("repeated update changed findings:\n%s", diff)
	}
	// A full rebuild from the index's records gives the same index.
	rebuilt := NewIndex(idx.Records(), nil)
	if diff := cmp.Diff(idx.Vulnerabilities(), rebuilt.Vulnerabilities()); diff != "" {
		t.Errorf("incremental and full build differ:\n%s", diff)
	}
}

func TestComponentIndexWhere(t *testing.T) {
	ci := NewComponentIndex()
	ci.Add("infusion-pump-2.1", []sbom.Component{
		{Ref: "a", Name: "log4j-core", Version: "2.14.1", PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"},
		{Ref: "b", Name: "openssl", Version: "1.0.1f", CPE: "cpe:2.3:a:openssl:openssl:1.0.1f:*:*:*:*:*:*:*"},
	})
	ci.Add("monitor-5.0", []sbom.Component{
		{Ref: "x", Name: "log4j-core", Version: "2.17.1", PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1"},
	})
	ci.Add("old-pv", []sbom.Component{{Ref: "z", Name: "log4j-core", PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.0"}})
	ci.Remove("old-pv")
	where := func(q string) []string {
		var out []string
		for _, p := range ci.Where(q) {
			out = append(out, p.ProductVersion+" "+p.Ref)
		}
		return out
	}
	for q, want := range map[string][]string{
		"log4j-core":                          {"infusion-pump-2.1 a", "monitor-5.0 x"},
		"LOG4J-CORE":                          {"infusion-pump-2.1 a", "monitor-5.0 x"},
		"org.apache.logging.log4j:log4j-core": {"infusion-pump-2.1 a", "monitor-5.0 x"},
		"pkg:maven/org.apache.logging.log4j/log4j-core":        {"infusion-pump-2.1 a", "monitor-5.0 x"},
		"pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1": {"monitor-5.0 x"},
		"cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*":            {"infusion-pump-2.1 b"},
		"cpe:2.3:a:openssl:openssl:1.0.2:*:*:*:*:*:*:*":        nil,
		"openssl":   {"infusion-pump-2.1 b"},
		"log4j-api": nil,
	} {
		if diff := cmp.Diff(want, where(q)); diff != "" {
			t.Errorf("Where(%q) (-want +got):\n%s", q, diff)
		}
	}
	if diff := cmp.Diff([]string{"infusion-pump-2.1"}, ci.ProductVersions([]Key{{CPEEcosystem, "*"}})); diff != "" {
		t.Errorf("CPE wildcard key: %s", diff)
	}
}

// A record added by Update is seen by matches of a key that was matched (and so parsed) before.
func TestUpdateAfterMatch(t *testing.T) {
	idx := NewIndex(loadOSV(t, goFixtures), nil)
	comps := purls("pkg:golang/golang.org/x/net@v0.7.0")
	before := mustMatch(t, idx, &Target{Components: comps})
	adv := vuln.Vulnerability{ID: "GO-2099-0001", Aliases: []string{"CVE-2099-0001"},
		Affected: []vuln.Affected{{Ecosystem: "Go", Name: "golang.org/x/net", Source: "GO-2099-0001",
			Ranges: []vuln.Range{{Type: "SEMVER", Events: []vuln.Event{{Kind: vuln.Introduced, Version: "0"}, {Kind: vuln.Fixed, Version: "0.99.0"}}}}}},
		Sources: []vuln.Source{{Kind: vuln.SourceOSV, ID: "GO-2099-0001"}}}
	keys := idx.Update([]vuln.Vulnerability{adv}, nil)
	after, err := idx.Match(context.Background(), &Target{Components: comps}, Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before)+1 || !slices.ContainsFunc(after, func(f Finding) bool { return f.VulnID == "CVE-2099-0001" }) {
		t.Errorf("after the update %v, before %v", summary(after), summary(before))
	}
}

// The index keeps its own packed copy of what matching and Where read of each component: the caller
// may reuse the slice it added, and Components gives back every packed field (empty ones, non-ASCII
// text, a CPE-only component) in order, or only the positions asked for.
func TestComponentIndexComponents(t *testing.T) {
	comps := []sbom.Component{
		{Ref: "pkg:golang/golang.org/x/net@v0.7.0", Type: "library", Name: "golang.org/x/net", Version: "v0.7.0", PURL: "pkg:golang/golang.org/x/net@v0.7.0"},
		{Name: "Röntgen-Firmware", Version: "3.1"},
		{},
		{Ref: "b", Name: "openssl", Version: "1.0.1f", CPE: "cpe:2.3:a:openssl:openssl:1.0.1f:*:*:*:*:*:*:*"},
	}
	want := make([]sbom.Component, len(comps))
	for i, c := range comps {
		want[i] = sbom.Component{Ref: c.Ref, Name: c.Name, Version: c.Version, PURL: c.PURL, CPE: c.CPE} // Type is not kept
	}
	ci := NewComponentIndex()
	ci.Add("pv-1", comps)
	for i := range comps {
		comps[i] = sbom.Component{Name: "overwritten"}
	}
	if diff := cmp.Diff(want, ci.Components("pv-1")); diff != "" {
		t.Errorf("Components (-want +got):\n%s", diff)
	}
	// For a re-match: the positions asked for (each once, in order), then the other CPE components.
	for _, tc := range []struct {
		only    []int
		wantPos []int
		wantN   int
	}{
		{[]int{1, 0, 1, 9, -1}, []int{1, 0, 3}, 2},
		{[]int{3}, []int{3}, 1},
		{[]int{}, []int{3}, 0},
	} {
		got, pos, n := ci.ComponentsFor("pv-1", tc.only)
		var wantComps []sbom.Component
		for _, p := range tc.wantPos {
			wantComps = append(wantComps, want[p])
		}
		if n != tc.wantN || !slices.Equal(pos, tc.wantPos) || !cmp.Equal(got, wantComps) {
			t.Errorf("ComponentsFor(%v) = %v, %v, %d; want positions %v, n %d", tc.only, got, pos, n, tc.wantPos, tc.wantN)
		}
	}
	if got := ci.Where("openssl"); len(got) != 1 || got[0].Ref != "b" || got[0].Version != "1.0.1f" || got[0].CPE != want[3].CPE {
		t.Errorf("Where(openssl) = %+v", got)
	}
	if ci.Components("pv-unknown") != nil {
		t.Error("components of an unknown product version")
	}
	ci.Add("pv-1", want[1:2]) // replaces
	if diff := cmp.Diff(want[1:2], ci.Components("pv-1")); diff != "" {
		t.Errorf("after replacing (-want +got):\n%s", diff)
	}
}

// A clone answers as the index did, drops what Remove left behind, and changes made to it (or to the
// original) are not seen by the other.
func TestComponentIndexClone(t *testing.T) {
	log4j := func(ref, v string) sbom.Component {
		return sbom.Component{Ref: ref, Name: "log4j-core", Version: v, PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@" + v}
	}
	ssl := sbom.Component{Ref: "s", Name: "openssl", Version: "1.0.1f", CPE: "cpe:2.3:a:openssl:openssl:1.0.1f:*:*:*:*:*:*:*"}
	build := func(pvs map[string][]sbom.Component, order ...string) *ComponentIndex {
		ci := NewComponentIndex()
		for _, pv := range order {
			ci.Add(pv, pvs[pv])
		}
		return ci
	}
	pvs := map[string][]sbom.Component{"a": {log4j("a1", "2.14.1"), ssl}, "b": {log4j("b1", "2.17.1")}, "c": {ssl, log4j("c1", "2.0")}}
	orig := build(pvs, "a", "b", "c")
	orig.Remove("b")
	orig.Add("a", pvs["a"]) // replaced: leaves a dead slot behind
	queries := []string{"log4j-core", "openssl", "pkg:maven/org.apache.logging.log4j/log4j-core", "cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*"}
	answers := func(ci *ComponentIndex) map[string][]Placement {
		out := map[string][]Placement{}
		for _, q := range queries {
			out[q] = ci.Where(q)
		}
		out["cpe *"] = nil
		for _, pv := range ci.ProductVersions([]Key{{CPEEcosystem, "*"}}) {
			out["cpe *"] = append(out["cpe *"], Placement{ProductVersion: pv})
		}
		return out
	}
	before := answers(orig)
	clone := orig.Clone()
	if diff := cmp.Diff(before, answers(clone)); diff != "" {
		t.Fatalf("clone answers differently (-index +clone):\n%s", diff)
	}
	if diff := cmp.Diff(answers(build(pvs, "c", "a")), answers(clone)); diff != "" {
		t.Errorf("clone differs from an index built of what is live (-built +clone):\n%s", diff)
	}
	if len(clone.pvs) != 2 || len(clone.locsOf(FoldKey(Key{CPEEcosystem, "openssl:openssl"}))) != 2 {
		t.Errorf("clone kept dead slots: %d product versions, %d openssl slots", len(clone.pvs), len(clone.locsOf(FoldKey(Key{CPEEcosystem, "openssl:openssl"}))))
	}
	clone.Remove("a")
	clone.Add("d", []sbom.Component{log4j("d1", "2.20.0")})
	if diff := cmp.Diff(before, answers(orig)); diff != "" {
		t.Errorf("changing the clone changed the index (-before +after):\n%s", diff)
	}
	want := answers(build(map[string][]sbom.Component{"c": pvs["c"], "d": {log4j("d1", "2.20.0")}}, "c", "d"))
	if diff := cmp.Diff(want, answers(clone)); diff != "" {
		t.Errorf("clone after changes (-built +clone):\n%s", diff)
	}
	orig.Add("e", []sbom.Component{ssl})
	if diff := cmp.Diff(want, answers(clone)); diff != "" {
		t.Errorf("changing the index changed the clone (-want +clone):\n%s", diff)
	}
}

// Each key is listed once under each of its names — a name that is also the key's last segment
// ("openssl" for the CPE openssl:openssl), a key added again in another product version, after a
// replacement, in a clone — and under every name it has.
func TestComponentIndexNamesOnce(t *testing.T) {
	ssl := sbom.Component{Ref: "s", Name: "openssl", Version: "1.0.1f", CPE: "cpe:2.3:a:openssl:openssl:1.0.1f:*:*:*:*:*:*:*"}
	net := sbom.Component{Ref: "n", Name: "golang.org/x/net", Version: "v0.7.0", PURL: "pkg:golang/golang.org/x/net@v0.7.0"}
	ci := NewComponentIndex()
	ci.Add("a", []sbom.Component{ssl, net})
	ci.Add("b", []sbom.Component{net, ssl})
	ci.Add("a", []sbom.Component{ssl}) // replaced
	ci.Remove("b")
	ci.Add("b", []sbom.Component{net})
	check := func(what string, ci *ComponentIndex) {
		t.Helper()
		for name, keys := range ci.byName {
			seen := map[Key]bool{}
			for _, k := range keys {
				if seen[k] {
					t.Errorf("%s: %v listed twice under %q", what, k, name)
				}
				seen[k] = true
			}
		}
		for _, name := range []string{"openssl", "openssl:openssl", "golang.org/x/net", "net"} {
			if len(ci.byName[name]) != 1 {
				t.Errorf("%s: %q lists %v, want one key", what, name, ci.byName[name])
			}
		}
	}
	check("index", ci)
	check("clone", ci.Clone())
}
