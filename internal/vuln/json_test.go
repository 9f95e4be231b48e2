package vuln_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/feeds/eukev"
	"github.com/vigil-med/vigil/internal/feeds/kev"
	"github.com/vigil-med/vigil/internal/feeds/nvd"
	"github.com/vigil-med/vigil/internal/feeds/osv"
	"github.com/vigil-med/vigil/internal/vuln"
)

// The JSON form of a record (stored by the feed store, returned by the API) reads back to the same
// value, for every fixture of every source; empty fields are left out and enums are names.
func TestJSONRoundTrip(t *testing.T) {
	var records []vuln.Vulnerability
	for _, d := range []string{"../feeds/osv/testdata/govulndb", "../feeds/osv/testdata/ghsa", "../feeds/osv/testdata/pypi", "../feeds/osv/testdata/misc"} {
		vs, err := osv.ReadDir(d, osv.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		records = append(records, vs...)
	}
	nv, err := nvd.ReadDir("../feeds/nvd/testdata", nvd.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	records = append(records, nv...)
	cat, err := kev.ReadFile("../feeds/kev/testdata/known_exploited_vulnerabilities.json")
	if err != nil {
		t.Fatal(err)
	}
	records = append(records, cat.Records()...)
	eu, err := eukev.ReadFile("../feeds/eukev/testdata/eukev.json")
	if err != nil {
		t.Fatal(err)
	}
	records = append(records, eu...)
	merged := vuln.Merge(records)
	for _, set := range [][]vuln.Vulnerability{records, merged} {
		for _, r := range set {
			b, err := json.Marshal(r)
			if err != nil {
				t.Fatalf("%s: %v", r.ID, err)
			}
			var back vuln.Vulnerability
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatalf("%s: %v", r.ID, err)
			}
			if diff := cmp.Diff(r, back); diff != "" {
				t.Fatalf("%s: round trip (-want +got):\n%s", r.ID, diff)
			}
		}
	}
	b, _ := json.Marshal(vuln.Vulnerability{ID: "GO-2023-2102", Affected: []vuln.Affected{{Ecosystem: "Go", Name: "golang.org/x/net",
		Ranges: []vuln.Range{{Type: "SEMVER", Events: []vuln.Event{{Kind: vuln.Introduced, Version: "0"}, {Kind: vuln.Fixed, Version: "0.17.0"}}}}}},
		Severity: []vuln.Severity{{Type: vuln.CVSSv3, Score: 7.5, Level: vuln.High}}})
	want := `{"id":"GO-2023-2102","severity":[{"type":"CVSSv3","score":7.5,"level":"high"}],"affected":[{"ecosystem":"Go","name":"golang.org/x/net","ranges":[{"type":"SEMVER","events":[{"kind":"introduced","version":"0"},{"kind":"fixed","version":"0.17.0"}]}]}]}`
	if string(b) != want {
		t.Errorf("JSON form:\n got %s\nwant %s", b, want)
	}
	var bad vuln.Event
	if err := json.Unmarshal([]byte(`{"kind":"patched"}`), &bad); err == nil || !strings.Contains(err.Error(), "patched") {
		t.Errorf("unknown event kind: %v", err)
	}
}
