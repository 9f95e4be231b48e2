package vex

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	ovex "github.com/openvex/go-vex/pkg/vex"
)

func decodeFile(t *testing.T, path string) ([]Statement, Format) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", path))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	stmts, format, err := Decode(f, path, 0)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return stmts, format
}

func TestCISAUseCases(t *testing.T) {
	tests := []struct {
		file   string
		count  int
		status map[Status]int
	}{
		{"VEX_CISA-Use-Cases_Case-1_vex-affected.json", 1, map[Status]int{Affected: 1}},
		{"VEX_CISA-Use-Cases_Case-1_vex-fixed.json", 1, map[Status]int{Fixed: 1}},
		{"VEX_CISA-Use-Cases_Case-1_vex-not_affected.json", 1, map[Status]int{NotAffected: 1}},
		{"VEX_CISA-Use-Cases_Case-1_vex-under_investigation.json", 1, map[Status]int{UnderInvestigation: 1}},
		{"VEX_CISA-Use-Cases_Case-2_vex.json", 19, map[Status]int{NotAffected: 19}},
		{"VEX_CISA-Use-Cases_Case-3_vex.json", 19, nil},
		{"VEX_CISA-Use-Cases_Case-4_vex.json", 3, map[Status]int{Affected: 3}},
		{"VEX_CISA-Use-Cases_Case-5_vex.json", 1, map[Status]int{UnderInvestigation: 1}},
		{"VEX_CISA-Use-Cases_Case-6_vex.json", 7, nil},
		{"VEX_CISA-Use-Cases_Case-7_vex.json", 10, nil},
		{"VEX_CISA-Use-Cases_Case-8_vex.json", 24, nil},
	}
	total := 0
	for _, tt := range tests {
		stmts, format := decodeFile(t, "cyclonedx/"+tt.file)
		if format != CycloneDX || len(stmts) != tt.count {
			t.Errorf("%s: %s with %d statements, want cyclonedx with %d", tt.file, format, len(stmts), tt.count)
		}
		if tt.status != nil {
			got := map[Status]int{}
			for _, s := range stmts {
				got[s.Status]++
			}
			if diff := cmp.Diff(tt.status, got); diff != "" {
				t.Errorf("%s statuses (-want +got):\n%s", tt.file, diff)
			}
		}
		total += len(stmts)
	}
	if total != 87 {
		t.Errorf("%d statements in the CISA use cases, want 87", total)
	}
}

func TestKnownStatements(t *testing.T) {
	stmts, _ := decodeFile(t, "cyclonedx/VEX_CISA-Use-Cases_Case-1_vex-not_affected.json")
	want := Statement{
		Vulnerability:   "CVE-2021-44228",
		Product:         Product{ID: "product-ABC", Name: "ABC", Version: "4.2"},
		Status:          NotAffected,
		Justification:   VulnerableCodeNotPresent,
		ImpactStatement: "This version of Product ABC is not affected by the vulnerability. Class with vulnerable code was removed before shipping.",
		ActionStatement: "Response: will_not_fix",
		Timestamp:       time.Date(2022, 3, 3, 0, 0, 0, 0, time.UTC),
		SourceFormat:    "cyclonedx",
	}
	if diff := cmp.Diff([]Statement{want}, stmts); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	// CISA case 7: per-version statements about products in other BOMs (bom-links).
	stmts, _ = decodeFile(t, "cyclonedx/VEX_CISA-Use-Cases_Case-7_vex.json")
	third := stmts[2]
	if third.Status != Affected || third.Product.ID != "urn:cdx:cbb2cd68-2857-43b8-a10b-e8c03d277d18/1#product-ABC" || third.Product.VersionRange != "vers:generic/>=2.9|<=4.1" {
		t.Errorf("case 7 statement 3 = %+v", third)
	}
	serial, version, ref, ok := ParseBOMLink(third.Product.ID)
	if !ok || serial != "urn:uuid:cbb2cd68-2857-43b8-a10b-e8c03d277d18" || version != 1 || ref != "product-ABC" {
		t.Errorf("ParseBOMLink = %q %d %q %v", serial, version, ref, ok)
	}
	last := stmts[len(stmts)-1]
	if last.Status != Fixed || last.Product.Version != "5.1" {
		t.Errorf("case 7 last statement = %+v", last)
	}

	// A component of the product, with an alias.
	stmts, _ = decodeFile(t, "cyclonedx/VEX_vex.json")
	if len(stmts) != 1 || stmts[0].Justification != VulnerableCodeNotInExecutePath ||
		!cmp.Equal(stmts[0].Aliases, []string{"SNYK-JAVA-COMFASTERXMLJACKSONCORE-1048302"}) {
		t.Errorf("VEX_vex.json = %+v", stmts)
	}

	// A vulnerability with no affects, about everything the supplier makes.
	stmts, _ = decodeFile(t, "cyclonedx/VEX_Use-Cases_Case-7_vex.json")
	if len(stmts) != 1 || stmts[0].Source != "Acme, Inc." || stmts[0].Product != (Product{}) || stmts[0].Status != NotAffected {
		t.Errorf("case 7 = %+v", stmts)
	}
}

func TestOpenVEX(t *testing.T) {
	tests := []struct {
		file  string
		count int
		first Statement
	}{
		{"go-vex_pkg_vex_testdata_v0.0.1.json", 2, Statement{
			Vulnerability: "CVE-2023-12345", Status: Fixed,
			Product:   Product{ID: "pkg:apk/wolfi/git@2.39.0-r1?arch=armv7", Name: "git", Version: "2.39.0-r1", PURL: "pkg:apk/wolfi/git@2.39.0-r1?arch=armv7"},
			Timestamp: time.Date(2023, 1, 9, 0, 2, 3, 647787998, time.UTC),
			Source:    "https://openvex.dev/docs/example/vex-9fb3463de1b57", SourceFormat: "openvex",
		}},
		{"go-vex_pkg_vex_testdata_v0.2.0.json", 10, Statement{
			Vulnerability: "CVE-2023-1255", Status: Fixed,
			Product:   Product{ID: "pkg:oci/alpine@sha256%3A124c7d2707904eea7431fffe91522a01e5a861a624ee31d03372cc1d138a3126", Name: "alpine", Version: "sha256:124c7d2707904eea7431fffe91522a01e5a861a624ee31d03372cc1d138a3126", PURL: "pkg:oci/alpine@sha256:124c7d2707904eea7431fffe91522a01e5a861a624ee31d03372cc1d138a3126"},
			Component: &Product{ID: "pkg:apk/alpine/libssl3@3.0.8-r3", Name: "libssl3", Version: "3.0.8-r3", PURL: "pkg:apk/alpine/libssl3@3.0.8-r3"},
			Timestamp: time.Date(2023, 7, 18, 0, 28, 47, 696004345, time.UTC),
			Source:    "https://openvex.dev/docs/public/vex-d4e9020b6d0d26f131d535e055902dd6ccf3e2088bce3079a8cd3588a4b14c78", SourceFormat: "openvex",
		}},
		{"vexctl_pkg_ctl_testdata_images.vex.json", 4, Statement{}},
		{"vexctl_examples_openvex_demo.vex.json", 2, Statement{}},
		{"vexctl_examples_openvex_document1.vex.json", 1, Statement{}},
		{"vexctl_examples_openvex_document2.vex.json", 1, Statement{}},
		{"vexctl_examples_csaf_openvex.json", 1, Statement{}},
		{"go-vex_pkg_vex_testdata_v020-1.vex.json", 1, Statement{}},
		{"go-vex_pkg_vex_testdata_v020-2.vex.json", 1, Statement{}},
	}
	for _, tt := range tests {
		stmts, format := decodeFile(t, "openvex/"+tt.file)
		if format != OpenVEX || len(stmts) != tt.count {
			t.Errorf("%s: %s with %d statements, want openvex with %d", tt.file, format, len(stmts), tt.count)
			continue
		}
		if tt.first.Vulnerability != "" {
			if diff := cmp.Diff(tt.first, stmts[0]); diff != "" {
				t.Errorf("%s first statement (-want +got):\n%s", tt.file, diff)
			}
		}
	}
}

func TestCSAFAndOthers(t *testing.T) {
	for _, f := range []string{"openvex/go-vex_pkg_csaf_testdata_csaf.json", "openvex/vexctl_examples_csaf_csaf.json"} {
		data, _ := os.ReadFile(filepath.Join("testdata", f))
		_, format, err := DecodeBytes(data, f)
		if format != CSAF || !errors.Is(err, ErrCSAF) {
			t.Errorf("%s: %s %v, want csaf and ErrCSAF", f, format, err)
		}
	}
	deep := `{"@context":"https://openvex.dev/ns/v0.2.0","x":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "}"
	tests := []struct {
		name, data string
		limit      int64
		want       error
		msg        string
	}{
		{"spdx", `{"spdxVersion":"SPDX-2.3"}`, 0, ErrUnknownFormat, "an SBOM (spdx-json)"},
		{"text", "hello", 0, ErrUnknownFormat, ""},
		{"too large", `{"@context":"https://openvex.dev/ns/v0.2.0"}`, 10, ErrTooLarge, "too large"},
		{"deep", deep, 0, ErrInvalid, "nested deeper than 64"},
		{"truncated", `{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{"vulnerability":{"name":"CVE-1"`, 0, ErrTruncated, "ends early"},
		{"bad status", `{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{"vulnerability":{"name":"CVE-1"},"products":[{"@id":"x"}],"status":"maybe"}]}`, 0, ErrInvalid, "statements[0].status"},
		{"future version", `{"@context":"https://openvex.dev/ns/v9"}`, 0, ErrUnsupported, "v9"},
		{"bad cdx state", `{"bomFormat":"CycloneDX","specVersion":"1.5","vulnerabilities":[{"id":"CVE-1","analysis":{"state":"maybe"}}]}`, 0, ErrInvalid, "vulnerabilities[0].analysis.state"},
		{"cdx xml entity", `<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY x SYSTEM "file:///etc/passwd">]><bom xmlns="http://cyclonedx.org/schema/bom/1.5"/>`, 0, ErrInvalid, "DOCTYPE"},
	}
	for _, tt := range tests {
		_, _, err := Decode(strings.NewReader(tt.data), tt.name, tt.limit)
		if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: error %v, want %v with %q", tt.name, err, tt.want, tt.msg)
		}
	}
}

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// triage is a hospital's decisions, with every status and a component-level statement.
var triage = []Statement{
	{
		Vulnerability: "CVE-2021-44228", Aliases: []string{"GHSA-jfh8-c2jp-5v3q"},
		Product:   Product{ID: "urn:vigil:pv:42", Name: "Infusion pump", Version: "4.2"},
		Component: &Product{PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", Name: "log4j-core", Version: "2.14.1"},
		Status:    NotAffected, Justification: VulnerableCodeNotInExecutePath,
		ImpactStatement: "JNDI lookups are disabled in the shipped configuration.",
		Timestamp:       time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC),
	},
	{
		Vulnerability: "CVE-2022-3602", Product: Product{ID: "urn:vigil:pv:42", Name: "Infusion pump", Version: "4.2"},
		Status: Affected, ActionStatement: "Isolate the pump VLAN until firmware 4.3 is installed.",
		Timestamp: time.Date(2026, 2, 2, 9, 0, 0, 0, time.UTC),
	},
	{
		Vulnerability: "CVE-2023-0001", Product: Product{PURL: "pkg:generic/acme/monitor@7.1", Name: "monitor", Version: "7.1"},
		Status: Fixed, Timestamp: time.Date(2026, 2, 3, 9, 0, 0, 0, time.UTC),
	},
	{
		Vulnerability: "CVE-2024-9999", Product: Product{ID: "urn:vigil:pv:43", Name: "Ventilator", VersionRange: "vers:generic/>=2.0|<3.0"},
		Status: UnderInvestigation, Timestamp: time.Date(2026, 2, 4, 9, 0, 0, 0, time.UTC),
	},
}

func TestEncodeOpenVEXRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := EncodeOpenVEX(&buf, triage, "St. Example Hospital", now); err != nil {
		t.Fatal(err)
	}
	// go-vex itself reads it and finds every statement valid.
	doc, err := ovex.Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range doc.Statements {
		if err := s.Validate(); err != nil {
			t.Errorf("statement %d: %v", i, err)
		}
	}
	if doc.Author != "St. Example Hospital" || !doc.Timestamp.Equal(now) || !strings.HasPrefix(doc.ID, "https://openvex.dev/docs/public/vex-") {
		t.Errorf("metadata = %+v", doc.Metadata)
	}
	got, format, err := DecodeBytes(buf.Bytes(), "out.json")
	if err != nil || format != OpenVEX {
		t.Fatal(format, err)
	}
	// Names and versions are not OpenVEX fields: only what a purl carries comes back.
	ignore := cmpopts.IgnoreFields(Product{}, "Name", "Version", "VersionRange")
	want := clone(triage)
	for i := range want {
		want[i].Source, want[i].SourceFormat = doc.ID, "openvex"
	}
	// An OpenVEX product without @id gets its purl as @id.
	want[0].Component.ID = want[0].Component.PURL
	want[2].Product.ID = want[2].Product.PURL
	if diff := cmp.Diff(want, got, ignore); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	// Deterministic.
	var again bytes.Buffer
	if err := EncodeOpenVEX(&again, triage, "St. Example Hospital", now); err != nil || !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Errorf("output differs between runs (%v)", err)
	}
}

func TestEncodeOpenVEXRefusesInvalid(t *testing.T) {
	bad := []Statement{{Vulnerability: "CVE-1", Product: Product{ID: "x"}, Status: NotAffected}}
	if err := EncodeOpenVEX(&bytes.Buffer{}, bad, "me", now); err == nil || !strings.Contains(err.Error(), "statements[0]") {
		t.Errorf("error = %v", err)
	}
}

func TestEncodeCycloneDXRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := EncodeCycloneDX(&buf, triage, now); err != nil {
		t.Fatal(err)
	}
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(buf.Bytes()), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		t.Fatal(err)
	}
	if bom.SpecVersion != cdx.SpecVersion1_6 || len(*bom.Vulnerabilities) != 4 {
		t.Errorf("spec %v with %d vulnerabilities", bom.SpecVersion, len(*bom.Vulnerabilities))
	}
	got, format, err := DecodeBytes(buf.Bytes(), "out.cdx.json")
	if err != nil || format != CycloneDX {
		t.Fatal(format, err)
	}
	want := clone(triage)
	for i := range want {
		want[i].SourceFormat = "cyclonedx"
		want[i].Product.ID = got[i].Product.ID // bom-refs are assigned by the encoder
		if want[i].Component != nil && got[i].Component != nil {
			want[i].Component.ID = got[i].Component.ID
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

// A CycloneDX justification that OpenVEX cannot tell apart survives decode and encode.
func TestCycloneDXJustificationKept(t *testing.T) {
	in := `{"bomFormat":"CycloneDX","specVersion":"1.5","serialNumber":"urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427","version":1,
"metadata":{"component":{"type":"device","bom-ref":"pump","name":"pump","version":"1"}},
"vulnerabilities":[{"id":"CVE-1","analysis":{"state":"not_affected","justification":"protected_at_perimeter","detail":"behind the firewall"},"affects":[{"ref":"pump"}]}]}`
	stmts, _, err := DecodeBytes([]byte(in), "in")
	if err != nil {
		t.Fatal(err)
	}
	if stmts[0].Justification != InlineMitigationsAlreadyExist || stmts[0].ImpactStatement != "[protected_at_perimeter] behind the firewall" || stmts[0].Source != "urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427" {
		t.Fatalf("decoded %+v", stmts[0])
	}
	var buf bytes.Buffer
	if err := EncodeCycloneDX(&buf, stmts, now); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"justification": "protected_at_perimeter"`) || !strings.Contains(buf.String(), `"detail": "behind the firewall"`) {
		t.Errorf("encoded:\n%s", buf.String())
	}
}

func TestJustificationTable(t *testing.T) {
	for cj, j := range cdxJustifications {
		if !ValidJustification(j) {
			t.Errorf("%s maps to invalid %s", cj, j)
		}
		if got, ok := MapCycloneDXJustification(cj); !ok || got != j {
			t.Errorf("MapCycloneDXJustification(%s) = %s", cj, got)
		}
	}
	for j, cj := range toCDXJustification {
		if cdxJustifications[cj] != j {
			t.Errorf("%s → %s does not map back", j, cj)
		}
	}
	if len(cdxJustifications) != 9 || len(toCDXJustification) != 5 {
		t.Error("tables incomplete")
	}
}

func clone(in []Statement) []Statement {
	out := make([]Statement, len(in))
	for i, s := range in {
		out[i] = s
		if s.Component != nil {
			c := *s.Component
			out[i].Component = &c
		}
	}
	return out
}
