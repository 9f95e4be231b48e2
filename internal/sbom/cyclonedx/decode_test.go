package cyclonedx

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vigil-med/vigil/internal/sbom"
)

func TestDecodeAllFixtures(t *testing.T) {
	names := fixtureNames(t)
	if len(names) != 51 {
		t.Errorf("got %d CycloneDX fixtures, want 51", len(names))
	}
	for _, name := range names {
		doc := decodeFixture(t, name)
		if doc.SpecVersion == "" {
			t.Errorf("%s: no spec version", name)
		}
		if len(doc.Warnings) != 0 {
			t.Errorf("%s: warnings %q", name, doc.Warnings)
		}
	}
}

func TestDecodeFixtureValues(t *testing.T) {
	tests := []struct {
		file        string
		spec        string
		components  int
		subject     sbom.Component // compared without Hashes
		known       sbom.Component // one component, compared whole
		serial      string
		created     time.Time
		wantTools   []string
		wantLicence int // components with a licence
	}{
		{
			file: "SBOM_keycloak-10.0.2_bom.json", spec: "1.2", components: 903, wantLicence: 873,
			serial:    "urn:uuid:411dafd2-c29f-491a-97d7-e97de5bc2289",
			created:   time.Date(2020, 8, 2, 21, 21, 17, 0, time.UTC),
			wantTools: []string{"CycloneDX CycloneDX Maven plugin 2.0.2"},
			subject:   sbom.Component{Ref: "pkg:maven/org.keycloak/keycloak-parent@10.0.2", Type: "application", Group: "org.keycloak", Name: "keycloak-parent", Version: "10.0.2", PURL: "pkg:maven/org.keycloak/keycloak-parent@10.0.2", Licenses: "Apache-2.0"},
			known: sbom.Component{
				Ref: "pkg:maven/org.apache.httpcomponents/httpclient@4.5.11?type=jar", Type: "library",
				Group: "org.apache.httpcomponents", Name: "httpclient", Version: "4.5.11", Supplier: "The Apache Software Foundation",
				PURL: "pkg:maven/org.apache.httpcomponents/httpclient@4.5.11?type=jar", Licenses: "Apache-2.0",
			},
		},
		{
			file: "SBOM_juice-shop_v11.1.2_bom.json", spec: "1.2", components: 840, wantLicence: 803,
			wantTools: []string{"CycloneDX Node.js module 2.0.0"},
			created:   time.Date(2020, 8, 3, 3, 20, 53, 771e6, time.UTC),
			subject:   sbom.Component{Ref: "pkg:npm/juice-shop@11.1.2", Type: "library", Name: "juice-shop", Version: "11.1.2", PURL: "pkg:npm/juice-shop@11.1.2", Licenses: "MIT"},
			known:     sbom.Component{Ref: "pkg:npm/express@4.17.1", Type: "framework", Name: "express", Version: "4.17.1", PURL: "pkg:npm/express@4.17.1", Licenses: "MIT"},
		},
		{
			file: "SBOM_laravel-7.12.0_bom.1.1.xml", spec: "1.1", components: 62, wantLicence: 62,
			known: sbom.Component{Ref: "vigil-anonymous-12", Type: "library", Group: "laravel", Name: "framework", Version: "v7.30.6", PURL: "pkg:composer/laravel/framework@v7.30.6", Licenses: "MIT"},
		},
		{
			file: "HBOM_PCIe-SATA-adapter-board_bom.json", spec: "1.4", components: 6,
			created: time.Date(2022, 1, 9, 12, 0, 0, 0, time.UTC),
			subject: sbom.Component{Type: "device", Group: "uk.ac.cam.cl", Name: "pcie-sata-adaptor-board", Version: "rev-1"},
		},
		{
			file: "SBOM_proton-bridge_proton-bridge-v1.8.0.bom.json", spec: "1.2", components: 201, wantLicence: 193,
			wantTools: []string{"CycloneDX cyclonedx-gomod v0.6.1"},
			created:   time.Date(2021, 5, 16, 15, 10, 53, 0, time.UTC),
			subject:   sbom.Component{Type: "application", Name: "github.com/ProtonMail/proton-bridge", Version: "v1.8.0", PURL: "pkg:golang/github.com/ProtonMail/proton-bridge@v1.8.0"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			doc := decodeFixture(t, tt.file)
			if doc.SpecVersion != tt.spec || len(doc.Components) != tt.components {
				t.Errorf("spec %q with %d components, want %q with %d", doc.SpecVersion, len(doc.Components), tt.spec, tt.components)
			}
			if tt.serial != "" && doc.Serial != tt.serial {
				t.Errorf("serial %q, want %q", doc.Serial, tt.serial)
			}
			if !doc.Created.Equal(tt.created) {
				t.Errorf("created %v, want %v", doc.Created, tt.created)
			}
			if diff := cmp.Diff(tt.wantTools, doc.Tools); diff != "" {
				t.Errorf("tools (-want +got):\n%s", diff)
			}
			n := 0
			for _, c := range doc.Components {
				if c.Licenses != "" {
					n++
				}
			}
			if n != tt.wantLicence {
				t.Errorf("%d components with a licence, want %d", n, tt.wantLicence)
			}
			if tt.subject.Name != "" {
				if doc.Subject == nil {
					t.Fatal("no subject")
				}
				ignore := cmpopts.IgnoreFields(sbom.Component{}, "Hashes", "Supplier")
				if tt.subject.Ref == "" {
					ignore = cmpopts.IgnoreFields(sbom.Component{}, "Hashes", "Supplier", "Ref", "Licenses")
				}
				if diff := cmp.Diff(tt.subject, *doc.Subject, ignore); diff != "" {
					t.Errorf("subject (-want +got):\n%s", diff)
				}
			}
			if tt.known.PURL != "" {
				got := findPURL(doc, tt.known.PURL)
				if got == nil {
					t.Fatalf("no component %s", tt.known.PURL)
				}
				if diff := cmp.Diff(tt.known, *got, cmpopts.IgnoreFields(sbom.Component{}, "Hashes")); diff != "" {
					t.Errorf("component (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestKnownComponentHashes(t *testing.T) {
	doc := decodeFixture(t, "SBOM_dropwizard-1.3.15_bom.json")
	c := findPURL(doc, "pkg:maven/org.glassfish.hk2/osgi-resource-locator@1.0.1?type=jar")
	if c == nil {
		t.Fatal("component missing")
	}
	if len(c.Hashes) != 8 || c.Hashes[2] != (sbom.Hash{Alg: "SHA-256", Value: "775003be577e8806f51b6e442be1033d83be2cb2207227b349be0bf16e6c0843"}) {
		t.Errorf("hashes = %v", c.Hashes)
	}
	if c.Licenses != "CDDL-1.0 OR GPL-2.0-with-classpath-exception" || c.Supplier != "GlassFish Community" {
		t.Errorf("licences %q supplier %q", c.Licenses, c.Supplier)
	}
}

// The lean JSON decoder must give exactly what decoding the full cyclonedx-go model gives.
func TestLeanMatchesReference(t *testing.T) {
	for _, name := range fixtureNames(t) {
		if !strings.HasSuffix(name, ".json") {
			continue
		}
		data := readFixture(t, name)
		want, err := DecodeJSONReference(data, name)
		if err != nil {
			t.Fatalf("%s: reference: %v", name, err)
		}
		got, err := DecodeJSON(data, name)
		if err != nil {
			t.Fatalf("%s: lean: %v", name, err)
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s (-reference +lean):\n%s", name, diff)
		}
	}
	data := generated10k(t)
	want, err := DecodeJSONReference(data, "10k")
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeJSON(data, "10k")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("generated 10k (-reference +lean):\n%s", diff)
	}
}

// The JSON and XML SBOMs of the same dropwizard build describe the same components. Upstream's XML lacks
// one licence expression that the JSON has; everything else is equal.
func TestJSONAndXMLAgree(t *testing.T) {
	j := decodeFixture(t, "SBOM_dropwizard-1.3.15_bom.json")
	x := decodeFixture(t, "SBOM_dropwizard-1.3.15_bom.xml")
	for i := range x.Components {
		if x.Components[i].Name == "osgi-resource-locator" && x.Components[i].Licenses == "" {
			x.Components[i].Licenses = "CDDL-1.0 OR GPL-2.0-with-classpath-exception"
		}
	}
	ignore := cmpopts.IgnoreFields(sbom.Document{}, "Format")
	if diff := cmp.Diff(j, x, ignore); diff != "" {
		t.Errorf("dropwizard JSON vs XML (-json +xml):\n%s", diff)
	}

	// laravel: CycloneDX 1.4 JSON and 1.1 XML of the same lock file.
	lj := decodeFixture(t, "SBOM_laravel-7.12.0_bom.1.4.json")
	lx := decodeFixture(t, "SBOM_laravel-7.12.0_bom.1.1.xml")
	key := func(d *sbom.Document) map[string]string {
		m := map[string]string{}
		for _, c := range d.Components {
			m[c.PURL] = c.Group + "/" + c.Name + "@" + c.Version + " " + c.Licenses
		}
		return m
	}
	if diff := cmp.Diff(key(lj), key(lx)); diff != "" {
		t.Errorf("laravel JSON 1.4 vs XML 1.1 (-json +xml):\n%s", diff)
	}
}

const nestedJSON = `{
  "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
  "metadata": {
    "timestamp": "2024-05-01T10:00:00+02:00",
    "tools": {"components": [{"type": "application", "name": "syft", "version": "1.0.0", "supplier": {"name": "Anchore"}}]},
    "component": {"type": "device", "bom-ref": "pump", "name": "Infusion pump", "version": "4.2",
      "manufacturer": {"name": "Acme Medical"},
      "components": [{"type": "firmware", "bom-ref": "fw", "name": "pump-firmware", "version": "4.2.1"}]}
  },
  "components": [
    {"type": "operating-system", "bom-ref": "os", "name": "linux", "version": "5.10", "publisher": "Linux Foundation",
     "cpe": "cpe:/o:linux:linux_kernel:5.10",
     "components": [
       {"type": "library", "name": "openssl", "version": "1.1.1k", "author": "OpenSSL Project",
        "purl": "pkg:generic/openssl@1.1.1k?download_url=https://www.openssl.org/source/openssl-1.1.1k.tar.gz",
        "cpe": "cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*",
        "hashes": [{"alg": "SHA-256", "content": "892A0875B9872ACD04A9FDE79B1F943075D5EA162415DE3047C327DF33FBAEE5"}],
        "licenses": [{"license": {"name": "OpenSSL License"}}, {"license": {"id": "apache-2.0"}}],
        "components": [{"type": "library", "bom-ref": "zlib", "name": "zlib", "version": "1.2.11", "cpe": "not-a-cpe",
          "authors": [{"name": "Jean-loup Gailly"}], "licenses": [{"expression": "Zlib OR mit"}]}]}
     ]},
    {"type": "library", "bom-ref": "lodash", "name": "lodash", "version": "4.17.21", "purl": "PKG:NPM/lodash@4.17.21?b=&a=1",
     "supplier": {"name": "OpenJS Foundation"}, "publisher": "ignored"},
    {"type": "library", "bom-ref": "bad", "name": "bad", "purl": "pkg:"}
  ]
}`

func TestNestedAndNormalised(t *testing.T) {
	want := &sbom.Document{
		Format:      sbom.CycloneDXJSON,
		SpecVersion: "1.6",
		Created:     time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC),
		Tools:       []string{"Anchore syft 1.0.0"},
		Subject:     &sbom.Component{Ref: "pump", Type: "device", Name: "Infusion pump", Version: "4.2", Supplier: "Acme Medical"},
		Components: []sbom.Component{
			{Ref: "fw", Parent: "pump", Type: "firmware", Name: "pump-firmware", Version: "4.2.1"},
			{Ref: "os", Type: "operating-system", Name: "linux", Version: "5.10", Supplier: "Linux Foundation", CPE: "cpe:2.3:o:linux:linux_kernel:5.10:*:*:*:*:*:*:*"},
			{
				Ref: "vigil-anonymous-1", Parent: "os", Type: "library", Name: "openssl", Version: "1.1.1k", Supplier: "OpenSSL Project",
				PURL:     "pkg:generic/openssl@1.1.1k?download_url=https:%2F%2Fwww.openssl.org%2Fsource%2Fopenssl-1.1.1k.tar.gz",
				CPE:      "cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*",
				Hashes:   []sbom.Hash{{Alg: "SHA-256", Value: "892a0875b9872acd04a9fde79b1f943075d5ea162415de3047c327df33fbaee5"}},
				Licenses: "LicenseRef-OpenSSL-License AND Apache-2.0",
			},
			{Ref: "zlib", Parent: "vigil-anonymous-1", Type: "library", Name: "zlib", Version: "1.2.11", Supplier: "Jean-loup Gailly", Licenses: "Zlib OR MIT"},
			{Ref: "lodash", Type: "library", Name: "lodash", Version: "4.17.21", Supplier: "OpenJS Foundation", PURL: "pkg:npm/lodash@4.17.21?a=1"},
			{Ref: "bad", Type: "library", Name: "bad"},
		},
		Warnings: []string{
			`components[0].components[0].components[0]: cpe "not-a-cpe" dropped: not a CPE 2.2 URI or 2.3 formatted string`,
			`components[2]: purl dropped: package URL "pkg:": purl is missing type or name`,
		},
	}
	for _, fn := range []struct {
		name string
		f    func([]byte, string) (*sbom.Document, error)
	}{{"lean", DecodeJSON}, {"reference", DecodeJSONReference}} {
		got, err := fn.f([]byte(nestedJSON), "nested.json")
		if err != nil {
			t.Fatalf("%s: %v", fn.name, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", fn.name, diff)
		}
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	docs := []*sbom.Document{decodeFixture(t, "SBOM_keycloak-10.0.2_bom.json"), decodeFixture(t, "SBOM_dropwizard-1.3.15_bom.xml")}
	nested, err := DecodeJSON([]byte(nestedJSON), "nested.json")
	if err != nil {
		t.Fatal(err)
	}
	nested.Warnings = nil
	docs = append(docs, nested)
	for _, doc := range docs {
		for _, format := range []sbom.Format{sbom.CycloneDXJSON, sbom.CycloneDXXML} {
			var buf bytes.Buffer
			if err := Encode(&buf, doc, format); err != nil {
				t.Fatal(err)
			}
			var back *sbom.Document
			if format == sbom.CycloneDXJSON {
				back, err = DecodeJSONReference(buf.Bytes(), "out.json")
			} else {
				back, err = DecodeXML(buf.Bytes(), "out.xml")
			}
			if err != nil {
				t.Fatalf("%s: decode of encoded output: %v\n%s", format, err, buf.String()[:min(buf.Len(), 2000)])
			}
			if back.SpecVersion != "1.6" {
				t.Errorf("%s: spec version %q, want 1.6", format, back.SpecVersion)
			}
			want := *doc
			want.Format, want.SpecVersion = format, "1.6"
			// Tools come back as tool components (name only).
			if diff := cmp.Diff(&want, back, cmpopts.IgnoreFields(sbom.Document{}, "Tools"), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s round trip (-want +got):\n%s", format, diff)
			}
			if len(back.Tools) != len(doc.Tools) {
				t.Errorf("%s: tools %q, want %q", format, back.Tools, doc.Tools)
			}
		}
	}
}

func TestEncodeRefusesOtherFormats(t *testing.T) {
	if err := Encode(&bytes.Buffer{}, &sbom.Document{}, sbom.SPDXJSON); err == nil {
		t.Error("Encode to SPDX JSON: no error")
	}
}

func TestHostileInput(t *testing.T) {
	deep := `{"bomFormat":"CycloneDX","specVersion":"1.4","components":[` + strings.Repeat(`{"components":[`, 50000) + strings.Repeat(`]}`, 50000) + `]}`
	deepSkipped := `{"bomFormat":"CycloneDX","specVersion":"1.4","x":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}`
	keycloak := readFixture(t, "SBOM_keycloak-10.0.2_bom.json")
	dropwizardXML := readFixture(t, "SBOM_dropwizard-1.3.15_bom.xml")
	laughs := `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.4" version="1"><components><component type="library"><name>&lol3;</name></component></components></bom>`
	xxe := `<?xml version="1.0"?>
<!DOCTYPE bom [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.4" version="1"><components><component type="library"><name>&xxe;</name></component></components></bom>`
	undeclared := `<bom xmlns="http://cyclonedx.org/schema/bom/1.4" version="1"><components><component type="library"><name>&xxe;</name></component></components></bom>`
	deepXML := `<bom xmlns="http://cyclonedx.org/schema/bom/1.4" version="1">` + strings.Repeat("<a>", 100000) + strings.Repeat("</a>", 100000) + `</bom>`
	tests := []struct {
		name    string
		xml     bool
		data    string
		wantErr error
		wantMsg string
	}{
		{"deep components", false, deep, sbom.ErrInvalid, "nested deeper than 256"},
		{"deep skipped value", false, deepSkipped, sbom.ErrInvalid, "nested deeper than 256"},
		{"truncated json", false, string(keycloak[:len(keycloak)/2]), sbom.ErrTruncated, "ends early"},
		{"truncated json in string", false, `{"bomFormat":"CycloneDX","specVersion":"1.4","components":[{"name":"abc`, sbom.ErrTruncated, "ends early"},
		{"trailing data", false, `{"bomFormat":"CycloneDX","specVersion":"1.4"} {}`, sbom.ErrInvalid, "data after the end"},
		{"wrong type", false, `{"bomFormat":"CycloneDX","specVersion":"1.4","components":[{"name":5}]}`, sbom.ErrInvalid, "components[0].name"},
		{"not cyclonedx", false, `{"bomFormat":"SPDX","specVersion":"1.4"}`, sbom.ErrInvalid, "bomFormat"},
		{"unknown spec", false, `{"bomFormat":"CycloneDX","specVersion":"9.9"}`, sbom.ErrUnsupported, "9.9"},
		{"billion laughs", true, laughs, sbom.ErrInvalid, "<!DOCTYPE> declarations are not allowed"},
		{"external entity", true, xxe, sbom.ErrInvalid, "<!DOCTYPE> declarations are not allowed"},
		{"undeclared entity", true, undeclared, sbom.ErrInvalid, "entity"},
		{"deep xml", true, deepXML, sbom.ErrInvalid, "nested deeper than 256"},
		{"truncated xml", true, string(dropwizardXML[:len(dropwizardXML)/2]), sbom.ErrTruncated, ""},
		{"unknown namespace", true, `<bom xmlns="http://cyclonedx.org/schema/bom/2.0"></bom>`, sbom.ErrUnsupported, "namespace"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fn := DecodeJSON
			if tt.xml {
				fn = DecodeXML
			}
			_, err := fn([]byte(tt.data), "hostile")
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error = %v, want %v containing %q", err, tt.wantErr, tt.wantMsg)
			}
			if !tt.xml {
				if _, err := DecodeJSONReference([]byte(tt.data), "hostile"); err == nil {
					t.Errorf("reference decoder accepted it")
				}
			}
		})
	}
}

// DecodeOwned gives the document DecodeBytes gives, with strings that are slices of the input itself.
func TestDecodeOwned(t *testing.T) {
	check := func(name string, data []byte) {
		t.Helper()
		want, err := DecodeJSONReference(data, name)
		if err != nil {
			t.Fatalf("%s: reference: %v", name, err)
		}
		own := bytes.Clone(data)
		got, err := sbom.DecodeOwned(own, name)
		if err != nil {
			t.Fatalf("%s: owned: %v", name, err)
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s (-reference +owned):\n%s", name, diff)
		}
		lo := uintptr(unsafe.Pointer(unsafe.SliceData(own)))
		for _, c := range got.Components {
			if c.Name == "" || strings.ContainsRune(c.Name, '\\') {
				continue
			}
			if p := uintptr(unsafe.Pointer(unsafe.StringData(c.Name))); p < lo || p >= lo+uintptr(len(own)) {
				t.Fatalf("%s: component %q is a copy, not a slice of the input", name, c.Name)
			}
		}
	}
	for _, name := range fixtureNames(t) {
		if strings.HasSuffix(name, ".json") {
			check(name, readFixture(t, name))
		}
	}
	check("10k", generated10k(t))
	// XML has no owned decoder: DecodeOwned falls back to the copying one.
	for _, name := range fixtureNames(t) {
		if strings.HasSuffix(name, ".xml") {
			data := readFixture(t, name)
			want, err := DecodeXML(data, name)
			if err != nil {
				t.Fatal(err)
			}
			got, err := sbom.DecodeOwned(data, name)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s (-DecodeXML +DecodeOwned):\n%s", name, diff)
			}
			break
		}
	}
}

// The components slice is sized from the bytes read, not doubled: a document of components only ends
// with room for about its components, and one whose dependencies take most of the file still decodes
// every component (the room projected for the rest is only reserved).
func TestComponentsProjectedGrowth(t *testing.T) {
	data := generated10k(t)
	doc, err := DecodeJSON(data, "10k")
	if err != nil {
		t.Fatal(err)
	}
	if n, c := len(doc.Components), cap(doc.Components); n != 10000 || c > n*5/4 {
		t.Errorf("10,000 components: len %d cap %d, want 10000 and cap ≤ 12500 (doubling ends above 16,000)", n, c)
	}
	// The same components followed by a dependencies array three times their size.
	var deps strings.Builder
	deps.WriteString(`,"dependencies":[`)
	for i := 0; deps.Len() < 3*len(data); i++ {
		if i > 0 {
			deps.WriteByte(',')
		}
		fmt.Fprintf(&deps, `{"ref":"r%d","dependsOn":["r%d"]}`, i, i+1)
	}
	deps.WriteString(`]}`)
	end := bytes.LastIndexByte(data, '}')
	withDeps := append(bytes.Clone(data[:end]), deps.String()...)
	doc2, err := DecodeJSON(withDeps, "10k+deps")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(doc.Components, doc2.Components, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("components differ with a dependencies array after them:\n%s", diff)
	}
}
