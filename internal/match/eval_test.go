package match

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/sbom"
	"github.com/vigil-med/vigil/internal/vuln"
)

func ev(kind vuln.EventKind, v string) vuln.Event { return vuln.Event{Kind: kind, Version: v} }

// TestRangeSemantics checks the OSV evaluation rules on synthetic records.
func TestRangeSemantics(t *testing.T) {
	rec := func(id, eco, name string, ranges []vuln.Range, versions ...string) vuln.Vulnerability {
		return vuln.Vulnerability{ID: id, Affected: []vuln.Affected{{Ecosystem: eco, Name: name, Ranges: ranges, Versions: versions, Source: id}},
			Sources: []vuln.Source{{Kind: vuln.SourceOSV, ID: id}}}
	}
	records := []vuln.Vulnerability{
		// last_affected is inclusive
		rec("T-LA", "PyPI", "pkg-la", []vuln.Range{{Type: "ECOSYSTEM", Events: []vuln.Event{ev(vuln.Introduced, "1.0"), ev(vuln.LastAffected, "1.5")}}}),
		// events given out of order, two intervals
		rec("T-ORDER", "npm", "pkg-order", []vuln.Range{{Type: "SEMVER", Events: []vuln.Event{ev(vuln.Fixed, "2.0.0"), ev(vuln.Introduced, "3.0.0"), ev(vuln.Introduced, "1.0.0"), ev(vuln.Fixed, "3.2.0")}}}),
		// limit caps an open range
		rec("T-LIMIT", "npm", "pkg-limit", []vuln.Range{{Type: "SEMVER", Events: []vuln.Event{ev(vuln.Introduced, "0"), ev(vuln.Limit, "5.0.0")}}}),
		// versions list only, with a GIT range that must be ignored
		rec("T-LIST", "PyPI", "pkg-list", []vuln.Range{{Type: "GIT", Repo: "https://example.org/r", Events: []vuln.Event{ev(vuln.Introduced, "0"), ev(vuln.Fixed, "abcdef")}}}, "0.9", "1.1.0"),
		// unknown ecosystem: ECOSYSTEM range unusable, versions still match exactly
		rec("T-UNK", "Linux", "kernel", []vuln.Range{{Type: "ECOSYSTEM", Events: []vuln.Event{ev(vuln.Introduced, "0")}}}, "5.10.1"),
		// two ranges, the second open
		rec("T-MULTI", "Maven", "g:a", []vuln.Range{{Type: "ECOSYSTEM", Events: []vuln.Event{ev(vuln.Introduced, "1.0"), ev(vuln.Fixed, "1.2")}},
			{Type: "ECOSYSTEM", Events: []vuln.Event{ev(vuln.Introduced, "2.0")}}}),
	}
	idx := NewIndex(records, nil)
	tests := []struct {
		purl   string
		want   []string
		reason string
	}{
		{"pkg:pypi/pkg-la@1.5", []string{"T-LA"}, "pkg:pypi/pkg-la@1.5 is in range introduced 1.0 / last_affected 1.5 of T-LA (OSV)"},
		{"pkg:pypi/pkg-la@1.5.0", []string{"T-LA"}, ""},
		{"pkg:pypi/pkg-la@1.5.post1", nil, ""},
		{"pkg:pypi/pkg-la@0.9", nil, ""},
		{"pkg:npm/pkg-order@1.5.0", []string{"T-ORDER"}, "pkg:npm/pkg-order@1.5.0 is in range introduced 1.0.0 / fixed 2.0.0 of T-ORDER (OSV)"},
		{"pkg:npm/pkg-order@2.5.0", nil, ""},
		{"pkg:npm/pkg-order@3.1.9", []string{"T-ORDER"}, "pkg:npm/pkg-order@3.1.9 is in range introduced 3.0.0 / fixed 3.2.0 of T-ORDER (OSV)"},
		{"pkg:npm/pkg-order@3.2.0", nil, ""},
		{"pkg:npm/pkg-limit@4.9.9", []string{"T-LIMIT"}, "pkg:npm/pkg-limit@4.9.9 is in range introduced 0 (no fix) of T-LIMIT (OSV)"},
		{"pkg:npm/pkg-limit@5.0.0", nil, ""},
		{"pkg:pypi/pkg-list@1.1.0", []string{"T-LIST"}, "pkg:pypi/pkg-list@1.1.0 is listed as an affected version of T-LIST (OSV)"},
		{"pkg:pypi/pkg-list@1.1", []string{"T-LIST"}, ""}, // PEP 440: 1.1 == 1.1.0
		{"pkg:pypi/pkg-list@1.0", nil, ""},
		{"pkg:generic/kernel@5.10.1", nil, ""}, // generic purls have no ecosystem
		{"pkg:maven/g/a@1.1", []string{"T-MULTI"}, ""},
		{"pkg:maven/g/a@1.5", nil, ""},
		{"pkg:maven/g/a@2.3", []string{"T-MULTI"}, "pkg:maven/g/a@2.3 is in range introduced 2.0 (no fix) of T-MULTI (OSV)"},
	}
	for _, tc := range tests {
		fs := mustMatch(t, idx, &Target{Components: purls(tc.purl)})
		var got []string
		for _, f := range fs {
			got = append(got, f.VulnID)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.purl, diff)
			continue
		}
		if tc.reason != "" && fs[0].Reason != tc.reason {
			t.Errorf("%s: reason %q, want %q", tc.purl, fs[0].Reason, tc.reason)
		}
	}
	// the component's own version field is used when the purl has none
	fs := mustMatch(t, idx, &Target{Components: []sbom.Component{{PURL: "pkg:npm/pkg-order", Version: "1.0.0"}}})
	if len(fs) != 1 || fs[0].Reason != "pkg:npm/pkg-order (version 1.0.0) is in range introduced 1.0.0 / fixed 2.0.0 of T-ORDER (OSV)" {
		t.Errorf("version from the component: %+v", fs)
	}
}
