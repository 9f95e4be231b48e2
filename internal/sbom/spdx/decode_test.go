package spdx

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/sbom"
)

const fixtures = "../testdata/spdx/"

func decodeFixture(t *testing.T, name string) *sbom.Document {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtures, name))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := sbom.DecodeBytes(data, name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return doc
}

func TestAllFixtures(t *testing.T) {
	files, _ := filepath.Glob(fixtures + "*")
	var ok, refused int
	for _, f := range files {
		name := filepath.Base(f)
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := sbom.DecodeBytes(data, name)
		if strings.Contains(name, "spdx3") {
			if !errors.Is(err, sbom.ErrUnsupported) || !strings.Contains(err.Error(), "SPDX 3.0 is not supported yet") {
				t.Errorf("%s: error %v, want SPDX 3.0 refusal", name, err)
			}
			refused++
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if doc.Subject == nil {
			t.Errorf("%s: no subject", name)
		}
		wantFormat := sbom.SPDXJSON
		if strings.HasSuffix(name, ".spdx") {
			wantFormat = sbom.SPDXTagValue
		}
		if doc.Format != wantFormat {
			t.Errorf("%s: format %s, want %s", name, doc.Format, wantFormat)
		}
		if !strings.Contains(name, "spdx"+strings.TrimPrefix(doc.SpecVersion, "SPDX-")) && !strings.HasPrefix(name, "presentations") && !strings.Contains(name, "content") {
			t.Errorf("%s: spec version %s does not match the file name", name, doc.SpecVersion)
		}
		ok++
	}
	if ok != 30 || refused != 3 {
		t.Errorf("%d decoded and %d refused, want 30 and 3", ok, refused)
	}
}

func TestFixtureValues(t *testing.T) {
	tests := []struct {
		file       string
		spec       string
		format     sbom.Format
		created    time.Time
		tools      []string
		subject    sbom.Component
		components []sbom.Component // compared whole when set
		count      int
	}{
		{
			file: "software_example11_spdx2.3_sbom.spdx.json", spec: "SPDX-2.3", format: sbom.SPDXJSON, count: 3,
			created: time.Date(2022, 11, 3, 7, 10, 10, 0, time.UTC), tools: []string{"sigs.k8s.io/bom/pkg/spdx"},
			subject: sbom.Component{Ref: "SPDXRef-Package-hello-server-src", Name: "hello-server-src", Version: "0.1.0", PURL: "pkg:deb/debian/libselinux1-dev@3.1-3?arch=s390x", Licenses: "Apache-2.0"},
		},
		{
			file: "software_example6_spdx2.2_example6-lib.spdx", spec: "SPDX-2.2", format: sbom.SPDXTagValue, count: 4,
			created: time.Date(2021, 8, 26, 1, 55, 0, 0, time.UTC),
			subject: sbom.Component{
				Ref: "SPDXRef-Package-godist", Name: "go-1.15", Version: "1.15.4", Supplier: "Canonical Ltd.",
				Hashes:   []sbom.Hash{{Alg: "SHA-256", Value: "0d6e1420facd978e532eae7bd5cb6378b65522c12fa9dcf682129e698c34d1b2"}},
				Licenses: "LicenseRef-Golang-BSD-plus-Patents",
			},
		},
		{
			file: "presentations_SBOMS-SPDX-Now-and-Future_ACME-v2.3.spdx.json", spec: "SPDX-2.3", format: sbom.SPDXJSON, count: 3,
			created: time.Date(2023, 10, 8, 18, 30, 22, 0, time.UTC),
			subject: sbom.Component{
				Ref: "SPDXRef-Acme", Type: "application", Name: "Acme Applcation", Version: "2.3", Supplier: "Jane Doe (jane.doe@example.com)",
				Hashes: []sbom.Hash{{Alg: "SHA-1", Value: "85ed0817af83a24ad8da68c2b5094de69833983c"}}, Licenses: "Apache-2.0",
			},
		},
		{
			file: "software_example9_spdx2.2_appbomination.spdx.json", spec: "SPDX-2.2", format: sbom.SPDXJSON, count: 6,
			created: time.Date(2021, 9, 2, 13, 46, 32, 0, time.UTC), tools: []string{"Source Auditor Open Source Console"},
			subject: sbom.Component{
				Ref: "SPDXRef-1", Name: "App-BOM-ination", Version: "1.0", Supplier: "ACT Project",
				Hashes: []sbom.Hash{{Alg: "SHA-1", Value: "498cebd51a4483d6e68c2fc62d27008252fa4f7b"}}, Licenses: "LicenseRef-1 AND Apache-2.0",
			},
		},
		{
			file: "presentations_OSS-NA-2023_SPDXVersion2.3_04-SBOMwSecurity.json", spec: "SPDX-2.3", format: sbom.SPDXJSON, count: 1,
			created: time.Date(2023, 5, 12, 18, 30, 22, 0, time.UTC),
			subject: sbom.Component{
				Ref: "SPDXRef-Package", Name: "tools-java", Version: "1.5.1", Supplier: "SPDX (Spdx-tech@lists.spdx.org)",
				PURL:   "pkg:github/spdx/tools-java@2235d5d7f7fe46ce1e0d54b7831c5681633b25cc",
				Hashes: []sbom.Hash{{Alg: "SHA-1", Value: "e01bcba3c55fa7f0c82d08d0cdce9061b21bf32f"}},
			},
			components: []sbom.Component{{
				Ref: "SPDXRef-xlsx", Name: "xlsx", Version: "0.16.6", Supplier: "Webjar", PURL: "pkg:maven/org.webjars.npm/xlsx@0.16.6",
				Hashes: []sbom.Hash{{Alg: "SHA-1", Value: "8f2715fa4ea3619b08615aa8f57828a80e6eb703"}},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			doc := decodeFixture(t, tt.file)
			if doc.SpecVersion != tt.spec || doc.Format != tt.format || len(doc.Components) != tt.count {
				t.Errorf("%s %s with %d components, want %s %s with %d", doc.Format, doc.SpecVersion, len(doc.Components), tt.format, tt.spec, tt.count)
			}
			if !doc.Created.Equal(tt.created) {
				t.Errorf("created %v, want %v", doc.Created, tt.created)
			}
			if diff := cmp.Diff(tt.tools, doc.Tools); diff != "" {
				t.Errorf("tools (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(&tt.subject, doc.Subject); diff != "" {
				t.Errorf("subject (-want +got):\n%s", diff)
			}
			if tt.components != nil {
				if diff := cmp.Diff(tt.components, doc.Components); diff != "" {
					t.Errorf("components (-want +got):\n%s", diff)
				}
			}
		})
	}
}

const tagValue = `SPDXVersion: SPDX-2.3
DataLicense: CC0-1.0
SPDXID: SPDXRef-DOCUMENT
DocumentName: pump-firmware
DocumentNamespace: https://example.com/spdx/pump-4.2
Creator: Tool: vigil-test
Created: 2024-05-01T10:00:00Z

PackageName: pump-firmware
SPDXID: SPDXRef-fw
PackageVersion: 4.2
PackageSupplier: Organization: Acme Medical
PackageDownloadLocation: NOASSERTION
FilesAnalyzed: false
PrimaryPackagePurpose: FIRMWARE
PackageLicenseConcluded: NOASSERTION
PackageLicenseDeclared: LicenseRef-Acme-EULA

PackageName: openssl
SPDXID: SPDXRef-openssl
PackageVersion: 1.1.1k
PackageOriginator: Organization: OpenSSL Project
PackageDownloadLocation: NOASSERTION
FilesAnalyzed: false
PackageChecksum: SHA256: 892A0875B9872ACD04A9FDE79B1F943075D5EA162415DE3047C327DF33FBAEE5
PackageLicenseConcluded: apache-2.0
ExternalRef: PACKAGE_MANAGER purl pkg:generic/openssl@1.1.1k
ExternalRef: SECURITY cpe22Type cpe:/a:openssl:openssl:1.1.1k
ExternalRef: SECURITY cpe23Type cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*

Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-fw
Relationship: SPDXRef-fw CONTAINS SPDXRef-openssl
`

func TestTagValueMapping(t *testing.T) {
	doc, err := DecodeTagValue([]byte(tagValue), "pump.spdx")
	if err != nil {
		t.Fatal(err)
	}
	want := &sbom.Document{
		Format: sbom.SPDXTagValue, SpecVersion: "SPDX-2.3", Serial: "https://example.com/spdx/pump-4.2",
		Created: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), Tools: []string{"vigil-test"},
		Subject: &sbom.Component{Ref: "SPDXRef-fw", Type: "firmware", Name: "pump-firmware", Version: "4.2", Supplier: "Acme Medical", Licenses: "LicenseRef-Acme-EULA"},
		Components: []sbom.Component{{
			Ref: "SPDXRef-openssl", Name: "openssl", Version: "1.1.1k", Supplier: "OpenSSL Project",
			PURL: "pkg:generic/openssl@1.1.1k", CPE: "cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*",
			Hashes:   []sbom.Hash{{Alg: "SHA-256", Value: "892a0875b9872acd04a9fde79b1f943075d5ea162415de3047c327df33fbaee5"}},
			Licenses: "Apache-2.0",
		}},
	}
	if diff := cmp.Diff(want, doc); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		name, data string
		tagValue   bool
		want       error
		msg        string
	}{
		{"deep json", `{"spdxVersion":"SPDX-2.3","x":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "}", false, sbom.ErrInvalid, "nested deeper"},
		{"truncated json", `{"spdxVersion":"SPDX-2.3","packages":[{"name":"a"`, false, sbom.ErrTruncated, "ends early"},
		{"spdx 2.0 json", `{"spdxVersion":"SPDX-2.0"}`, false, sbom.ErrUnsupported, "SPDX-2.0"},
		{"truncated text block", "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nDocumentComment: <text>cut", true, sbom.ErrTruncated, "line 3"},
		{"bad tag-value", "SPDXVersion: SPDX-2.3\nPackageName\n", true, sbom.ErrInvalid, ""},
		{"long line", "SPDXVersion: SPDX-2.3\nPackageName: " + strings.Repeat("a", 1<<20) + "\n", true, sbom.ErrInvalid, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fn := DecodeJSON
			if tt.tagValue {
				fn = DecodeTagValue
			}
			_, err := fn([]byte(tt.data), "bad")
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %v, want %v with %q", err, tt.want, tt.msg)
			}
		})
	}
}
