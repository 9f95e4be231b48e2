package sbom_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/sbom"
	_ "github.com/vigil-med/vigil/internal/sbom/cyclonedx"
	_ "github.com/vigil-med/vigil/internal/sbom/spdx"
)

func TestDetectFixtures(t *testing.T) {
	cdx, _ := filepath.Glob("testdata/cyclonedx/*")
	spdx, _ := filepath.Glob("testdata/spdx/*")
	files := append(cdx, spdx...)
	counts := map[sbom.Format]int{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		counts[sbom.Detect(data)]++
	}
	want := map[sbom.Format]int{sbom.CycloneDXJSON: 49, sbom.CycloneDXXML: 2, sbom.SPDXJSON: 18, sbom.SPDXTagValue: 12, sbom.SPDX3JSONLD: 3}
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("formats detected (-want +got):\n%s", diff)
	}
}

func TestDecodeRefusals(t *testing.T) {
	tests := []struct {
		name, data string
		limit      int64
		want       error
		msg        string
	}{
		{"spdx3", `{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": []}`, 0, sbom.ErrUnsupported, "SPDX 3.0 is not supported yet"},
		{"plain text", "Hello, this is not an SBOM\nat all", 0, sbom.ErrUnknownFormat, `not a CycloneDX or SPDX document: found text beginning "Hello, this is not an SBOM"`},
		{"empty", "", 0, sbom.ErrUnknownFormat, "an empty file"},
		{"openvex", `{"@context": "https://openvex.dev/ns/v0.2.0"}`, 0, sbom.ErrUnknownFormat, "an OpenVEX document"},
		{"csaf", `{"document": {"csaf_version": "2.0"}}`, 0, sbom.ErrUnknownFormat, "a CSAF document"},
		{"other json", `{"name": "x"}`, 0, sbom.ErrUnknownFormat, "JSON document without bomFormat or spdxVersion"},
		{"other xml", `<?xml version="1.0"?><project/>`, 0, sbom.ErrUnknownFormat, "root element <project>"},
		{"spdx rdf", `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:spdx="http://spdx.org/rdf/terms#"/>`, 0, sbom.ErrUnsupported, "SPDX RDF/XML"},
		{"zip", "PK\x03\x04\x14\x00\x00\x00\x08\x00", 0, sbom.ErrUnknownFormat, "a ZIP archive"},
		{"pdf", "%PDF-1.7\n", 0, sbom.ErrUnknownFormat, "a PDF document"},
		{"too large", `{"bomFormat":"CycloneDX","specVersion":"1.5"}`, 20, sbom.ErrTooLarge, "too large"},
		{"deep json", `{"bomFormat":"CycloneDX","specVersion":"1.5","x":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "}", 0, sbom.ErrInvalid, "nested deeper"},
		{"truncated", `{"bomFormat":"CycloneDX","specVersion":"1.5","components":[`, 0, sbom.ErrTruncated, "ends early"},
	}
	for _, tt := range tests {
		_, err := sbom.Decode(strings.NewReader(tt.data), tt.name, tt.limit)
		if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: error %v, want %v containing %q", tt.name, err, tt.want, tt.msg)
		}
		if err != nil && !strings.Contains(err.Error(), `"`+tt.name+`"`) {
			t.Errorf("%s: error %q does not name the file", tt.name, err)
		}
	}
}

func TestDecodeDispatch(t *testing.T) {
	tests := []struct {
		file       string
		format     sbom.Format
		components int
	}{
		{"cyclonedx/SBOM_keycloak-10.0.2_bom.json", sbom.CycloneDXJSON, 903},
		{"cyclonedx/SBOM_dropwizard-1.3.15_bom.xml", sbom.CycloneDXXML, 167},
		{"spdx/software_example11_spdx2.3_sbom.spdx.json", sbom.SPDXJSON, 3},
		{"spdx/software_example4_spdx2.2_example4-bin.spdx", sbom.SPDXTagValue, 2},
	}
	for _, tt := range tests {
		f, err := os.Open(filepath.Join("testdata", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := sbom.Decode(f, tt.file, sbom.DefaultLimit)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		if doc.Format != tt.format || len(doc.Components) != tt.components {
			t.Errorf("%s: %s with %d components, want %s with %d", tt.file, doc.Format, len(doc.Components), tt.format, tt.components)
		}
	}
	// The identifying key may come late in a large JSON document.
	late := `{"packages":[{"name":"` + strings.Repeat("x", sbom.HeadSize) + `","SPDXID":"SPDXRef-a","downloadLocation":"NOASSERTION"}],"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","dataLicense":"CC0-1.0","name":"late","documentNamespace":"https://example.com/late","creationInfo":{"created":"2024-01-01T00:00:00Z","creators":["Tool: x"]}}`
	doc, err := sbom.DecodeBytes([]byte(late), "late.json")
	if err != nil || doc.Format != sbom.SPDXJSON || len(doc.Components) != 1 {
		t.Errorf("late key: %v %+v", err, doc)
	}
}

func TestLicenses(t *testing.T) {
	var l sbom.Licenses
	tests := []struct{ in, want string }{
		{"Apache-2.0", "Apache-2.0"},
		{"apache-2.0", "Apache-2.0"},
		{"(CDDL-1.0 OR GPL-2.0-with-classpath-exception)", "CDDL-1.0 OR GPL-2.0-with-classpath-exception"},
		{"MIT AND bsd-3-clause", "MIT AND BSD-3-Clause"},
		{"mit and bsd-3-clause", "LicenseRef-mit-and-bsd-3-clause"}, // operators are case-sensitive
		{"GPL-2.0-only WITH Classpath-exception-2.0", "GPL-2.0-only WITH Classpath-exception-2.0"},
		{"Public Domain", "LicenseRef-Public-Domain"},
		{"Eclipse Distribution License - v 1.0", "LicenseRef-Eclipse-Distribution-License-v-1.0"},
		{"LicenseRef-Acme", "LicenseRef-Acme"},
		{"NOASSERTION", ""},
		{"NONE", "NONE"},
		{"", ""},
		{"!!!", ""},
	}
	for _, tt := range tests {
		if got := l.Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := sbom.JoinLicenses([]string{"MIT", "Apache-2.0 OR MIT", "MIT", ""}); got != "MIT AND (Apache-2.0 OR MIT)" {
		t.Errorf("JoinLicenses = %q", got)
	}
}

func TestDiff(t *testing.T) {
	a := &sbom.Document{Components: []sbom.Component{
		{Name: "log4j-core", Group: "org.apache.logging.log4j", Version: "2.14.1", PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"},
		{Name: "openssl", Version: "1.1.1k"},
		{Name: "zlib", Version: "1.2.11", PURL: "pkg:generic/zlib@1.2.11"},
		{Name: "lodash", Version: "4.17.20", PURL: "pkg:npm/lodash@4.17.20"},
		{Name: "lodash", Version: "3.10.1", PURL: "pkg:npm/lodash@3.10.1"},
	}}
	b := &sbom.Document{Components: []sbom.Component{
		{Name: "lodash", Version: "4.17.21", PURL: "pkg:npm/lodash@4.17.21"},
		{Name: "lodash", Version: "3.10.1", PURL: "pkg:npm/lodash@3.10.1"},
		{Name: "log4j-core", Group: "org.apache.logging.log4j", Version: "2.17.1", PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1?type=jar"},
		{Name: "OpenSSL", Version: "3.0.8"},
		{Name: "busybox", Version: "1.36.0", PURL: "pkg:generic/busybox@1.36.0"},
	}}
	got := sbom.Diff(a, b)
	want := sbom.DocumentDiff{
		Added:   []sbom.Component{b.Components[4]},
		Removed: []sbom.Component{a.Components[2]},
		Changed: []sbom.Change{
			{Key: "openssl", From: a.Components[1], To: b.Components[3]},
			{Key: "pkg:maven/org.apache.logging.log4j/log4j-core", From: a.Components[0], To: b.Components[2]},
			{Key: "pkg:npm/lodash", From: a.Components[3], To: b.Components[0]},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !sbom.Diff(a, a).Empty() || sbom.Diff(nil, b).Empty() {
		t.Error("Empty")
	}
}

// The SBOMs of two keycloak-like versions: the real SBOM against a copy with one component upgraded.
func TestDiffFixture(t *testing.T) {
	data, err := os.ReadFile("testdata/cyclonedx/SBOM_keycloak-10.0.2_bom.json")
	if err != nil {
		t.Fatal(err)
	}
	a, err := sbom.DecodeBytes(data, "a")
	if err != nil {
		t.Fatal(err)
	}
	b, err := sbom.DecodeBytes(data, "b")
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range b.Components {
		if c.Name == "httpclient" {
			b.Components[i].Version = "4.5.14"
			b.Components[i].PURL = strings.Replace(c.PURL, "4.5.11", "4.5.14", 1)
		}
	}
	d := sbom.Diff(a, b)
	if len(d.Added) != 0 || len(d.Removed) != 0 || len(d.Changed) != 1 || d.Changed[0].Key != "pkg:maven/org.apache.httpcomponents/httpclient" {
		t.Errorf("diff = %+v", d)
	}
}

func TestWarningsBounded(t *testing.T) {
	var d sbom.Document
	for range 1000 {
		d.Warnf("w")
	}
	if len(d.Warnings) != sbom.MaxWarnings || d.Warnings[sbom.MaxWarnings-1] != "further warnings omitted" {
		t.Errorf("%d warnings, last %q", len(d.Warnings), d.Warnings[len(d.Warnings)-1])
	}
}

func FuzzDecode(f *testing.F) {
	cdx, _ := filepath.Glob("testdata/cyclonedx/*")
	spdx, _ := filepath.Glob("testdata/spdx/*")
	for _, file := range append(cdx, spdx...) {
		data, err := os.ReadFile(file)
		if err == nil && len(data) < 64<<10 {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"name":"a","purl":"pkg:npm/a@1","cpe":"cpe:/a:a:a:1","licenses":[{"expression":"MIT OR (Apache-2.0"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := sbom.DecodeBytes(data, "fuzz")
		if err == nil && doc == nil {
			t.Fatal("nil document without error")
		}
		if err != nil {
			return
		}
		if len(doc.Warnings) > sbom.MaxWarnings {
			t.Fatalf("%d warnings", len(doc.Warnings))
		}
	})
}
