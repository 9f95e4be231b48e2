package csaf

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vigil-med/vigil/internal/vex"
)

// TestStatementsEveryVEXExample checks every OASIS CSAF VEX example: one statement per vulnerability ×
// listed product (recommended excluded), not_affected always carrying its impact statement and
// affected its action statement (the examples satisfy the CSAF VEX profile).
func TestStatementsEveryVEXExample(t *testing.T) {
	files, _ := filepath.Glob("testdata/examples/csaf_csaf_vex_*.json")
	if len(files) != 13 {
		t.Fatalf("%d CSAF VEX examples, want 13", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			a := mustParse(t, f)
			if a.Profile != "csaf_vex" || len(a.Warnings) != 0 {
				t.Errorf("profile %q warnings %v", a.Profile, a.Warnings)
			}
			want := 0
			for _, v := range a.Vulnerabilities {
				ps := v.ProductStatus
				want += len(ps.KnownAffected) + len(ps.KnownNotAffected) + len(ps.Fixed) + len(ps.UnderInvestigation) + len(ps.FirstAffected) + len(ps.LastAffected) + len(ps.FirstFixed)
			}
			stmts := Statements(a)
			if len(stmts) != want || want == 0 {
				t.Fatalf("%d statements, want %d", len(stmts), want)
			}
			for _, s := range stmts {
				if !strings.HasPrefix(s.Vulnerability, "CVE-") || s.Source != a.TrackingID || s.SourceFormat != "csaf" || !s.Timestamp.Equal(a.CurrentRelease) || s.Product.ID == "" || s.Product.Name == "" {
					t.Errorf("statement %+v", s)
				}
				switch s.Status {
				case vex.NotAffected:
					if s.ImpactStatement == "" {
						t.Errorf("not_affected without impact statement: %+v", s)
					}
				case vex.Affected:
					if s.ActionStatement == "" {
						t.Errorf("affected without action statement: %+v", s)
					}
				}
			}
		})
	}
}

func TestStatementsConcrete(t *testing.T) {
	ts := time.Date(2022, 3, 3, 11, 0, 0, 0, time.UTC)
	tests := []struct {
		file string
		want []vex.Statement
	}{
		{"csaf_csaf_vex_2022-evd-uc-01-na-001.json", []vex.Statement{{
			Vulnerability: "CVE-2021-44228", Status: vex.NotAffected,
			Product:         vex.Product{ID: "CSAFPID-0001", Name: "Example Company ABC", Version: "4.2"},
			ImpactStatement: "Class with vulnerable code was removed before shipping.",
			Timestamp:       ts, Source: "2022-EVD-UC-01-NA-001", SourceFormat: "csaf",
		}}},
		{"csaf_csaf_vex_2022-evd-uc-01-a-001.json", []vex.Statement{{
			Vulnerability: "CVE-2021-44228", Status: vex.Affected,
			Product:         vex.Product{ID: "CSAFPID-0001", Name: "Example Company DEF", Version: "1.0"},
			ActionStatement: "vendor_fix: Customers should update to version 1.1 of product DEF which fixes the issue.",
			Timestamp:       ts, Source: "2022-EVD-UC-01-A-001", SourceFormat: "csaf",
		}}},
		{"csaf_csaf_vex_2022-evd-uc-05-001.json", []vex.Statement{{
			Vulnerability: "CVE-2021-44228", Status: vex.UnderInvestigation,
			Product:   vex.Product{ID: "CSAFPID-0001", Name: "Example Company XYZ", Version: "vers:all/*"},
			Timestamp: ts, Source: "2022-EVD-UC-05-001", SourceFormat: "csaf",
		}}},
		{"csaf_csaf_vex_sec-vex-2022-0001.json", nil}, // checked below
	}
	for _, tt := range tests[:3] {
		t.Run(tt.file, func(t *testing.T) {
			got := Statements(mustParse(t, filepath.Join("testdata/examples", tt.file)))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("statements (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("flag justification", func(t *testing.T) {
		got := Statements(mustParse(t, "testdata/examples/csaf_csaf_vex_sec-vex-2022-0001.json"))
		var summary []string
		for _, s := range got {
			summary = append(summary, s.Vulnerability+" "+string(s.Status)+" "+string(s.Justification)+" "+s.ImpactStatement)
		}
		const tail = " not_affected component_not_present Secvisogram is written in JavaScript. No Java is included."
		want := []string{"CVE-2021-44228" + tail, "CVE-2021-45046" + tail, "CVE-2021-45105" + tail}
		if diff := cmp.Diff(want, summary); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("use case 7: statuses per product", func(t *testing.T) {
		got := Statements(mustParse(t, "testdata/examples/csaf_csaf_vex_2022-evd-uc-07-001.json"))
		byID := map[string]vex.Statement{}
		for _, s := range got {
			byID[s.Product.ID] = s
		}
		if s := byID["CSAFPID-0009"]; s.Status != vex.NotAffected || s.ImpactStatement != "Log4j was not included in those versions at all." {
			t.Errorf("CSAFPID-0009: %+v", s)
		}
		if s := byID["CSAFPID-0008"]; s.Status != vex.Affected || s.ActionStatement != "vendor_fix: Update to the new version 5.1 or later." {
			t.Errorf("CSAFPID-0008: %+v", s)
		}
		if s := byID["CSAFPID-0010"]; s.Status != vex.Fixed {
			t.Errorf("CSAFPID-0010: %+v", s)
		}
	})
	t.Run("relationship products get a component", func(t *testing.T) {
		a := mustParse(t, "testdata/examples/csaf_rhsa-2021_5186.json")
		n := 0
		for _, s := range Statements(a) {
			p := a.Product(s.Product.ID)
			if p.Relationship == nil {
				continue
			}
			n++
			if s.Component == nil || s.Component.ID != p.Relationship.ComponentID || s.Product.ID != p.ID {
				t.Errorf("statement %+v for relationship %+v", s, p.Relationship)
			}
		}
		if n == 0 {
			t.Error("no statement on a relationship product")
		}
	})
	t.Run("CISA advisory", func(t *testing.T) {
		got := Statements(mustParse(t, "testdata/icsma/icsma-23-061-01.json"))
		if len(got) != 2 || got[0].Status != vex.Affected || got[0].Product.Name != "Medtronic Micro Clinician" || got[0].Product.Version != "A51200" ||
			!strings.Contains(got[0].ActionStatement, "vendor_fix: An app update is available as of February 23, 2023 that will fix the vulnerability.") {
			t.Errorf("statements = %+v", got)
		}
	})
}
