package match

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/vuln"
)

// Go module paths are case-sensitive and the Go vulnerability database names them in their real
// case: github.com/OliveTin/OliveTin (GO-2026-4629). The index keys on the real case; a purl that
// writes the path in lower case (older purl tools did) still matches, with lower confidence and a
// reason that says so; a path in some other case is another module and does not match.
func TestGoModulePathCase(t *testing.T) {
	records := loadOSV(t, goFixtures)
	// Two modules whose paths differ only in case, as github.com/0xJacky/nginx-ui and
	// github.com/0xJacky/Nginx-UI do in the Go vulnerability database.
	records = append(records,
		vuln.Vulnerability{ID: "GO-9999-0001", Sources: []vuln.Source{{Kind: vuln.SourceOSV, ID: "GO-9999-0001"}},
			Affected: []vuln.Affected{{Ecosystem: "Go", Name: "example.com/Acme/tool", Source: "GO-9999-0001",
				Ranges: []vuln.Range{{Type: "SEMVER", Events: []vuln.Event{{Kind: vuln.Introduced, Version: "0"}, {Kind: vuln.Fixed, Version: "1.2.0"}}}}}}},
		vuln.Vulnerability{ID: "GO-9999-0002", Sources: []vuln.Source{{Kind: vuln.SourceOSV, ID: "GO-9999-0002"}},
			Affected: []vuln.Affected{{Ecosystem: "Go", Name: "example.com/acme/Tool", Source: "GO-9999-0002",
				Ranges: []vuln.Range{{Type: "SEMVER", Events: []vuln.Event{{Kind: vuln.Introduced, Version: "0"}, {Kind: vuln.Fixed, Version: "1.2.0"}}}}}}},
	)
	built := NewIndex(records, nil)
	var buf bytes.Buffer
	if err := built.WriteSnapshot(&buf); err != nil {
		t.Fatal(err)
	}
	fromSnap, err := ReadSnapshot(&buf, 0)
	if err != nil {
		t.Fatal(err)
	}
	type hit struct {
		ID         string
		Confidence float64
		Folded     bool
	}
	tests := []struct {
		purl string
		want []hit
	}{
		{"pkg:golang/github.com/OliveTin/OliveTin@v0.0.0-20250101000000-abcdefabcdef", []hit{{"GO-2026-4629", 1, false}}},
		{"pkg:golang/github.com/olivetin/olivetin@v0.0.0-20250101000000-abcdefabcdef", []hit{{"GO-2026-4629", 0.8, true}}},
		{"pkg:golang/github.com/Olivetin/olivetin@v0.0.0-20250101000000-abcdefabcdef", nil}, // another module
		{"pkg:golang/github.com/OliveTin/OliveTin@v0.0.0-20260305082002-d7962710e7c4", nil}, // the fix
		{"pkg:golang/example.com/Acme/tool@v1.1.0", []hit{{"GO-9999-0001", 1, false}}},
		{"pkg:golang/example.com/acme/Tool@v1.1.0", []hit{{"GO-9999-0002", 1, false}}},
		{"pkg:golang/example.com/acme/tool@v1.1.0", []hit{{"GO-9999-0001", 0.8, true}, {"GO-9999-0002", 0.8, true}}},
		{"pkg:golang/example.com/acme/tool@v1.2.0", nil},
	}
	for name, idx := range map[string]*Index{"built": built, "snapshot": fromSnap} {
		for _, tc := range tests {
			var got []hit
			for _, f := range mustMatch(t, idx, &Target{Components: purls(tc.purl)}) {
				got = append(got, hit{f.RecordID, f.Confidence, strings.Contains(f.Reason, "without case")})
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s: %s (-want +got):\n%s", name, tc.purl, diff)
			}
		}
	}

	// A feed change to the module reaches product versions that write its path in lower case,
	// and Options.Keys re-matches them.
	changed := []vuln.Vulnerability{records[0]}
	for _, r := range records {
		if r.ID == "GO-2026-4629" {
			changed = []vuln.Vulnerability{r}
		}
	}
	keys := built.AffectedBy(changed)
	if diff := cmp.Diff([]Key{{Ecosystem: "Go", Name: "github.com/OliveTin/OliveTin"}}, keys); diff != "" {
		t.Fatalf("AffectedBy (-want +got):\n%s", diff)
	}
	ci := NewComponentIndex()
	lowerPV := purls("pkg:golang/github.com/olivetin/olivetin@v0.0.0-20250101000000-abcdefabcdef", "pkg:golang/golang.org/x/net@v0.7.0")
	ci.Add("pv-lower", lowerPV)
	ci.Add("pv-other", purls("pkg:golang/golang.org/x/net@v0.7.0"))
	if diff := cmp.Diff([]string{"pv-lower"}, ci.ProductVersions(keys)); diff != "" {
		t.Errorf("ProductVersions (-want +got):\n%s", diff)
	}
	fs, err := built.Match(context.Background(), &Target{ProductVersion: "pv-lower", Components: lowerPV}, Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].RecordID != "GO-2026-4629" || fs[0].Component != 0 {
		t.Errorf("re-match with Keys: %+v", fs)
	}
	if got := ci.Where("pkg:golang/github.com/OliveTin/OliveTin"); len(got) != 1 || got[0].ProductVersion != "pv-lower" {
		t.Errorf("Where: %+v", got)
	}
}
