package cyclonedx

import (
	"bytes"
	"fmt"
	"os"
	"sync"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/vigil-med/vigil/internal/sbom"
)

var (
	gen10kOnce sync.Once
	gen10kData []byte
	gen10kErr  error
)

// generated10k returns a CycloneDX 1.6 JSON SBOM with 10,000 components built from the real packages of the
// keycloak (Maven) and juice-shop (npm) fixtures: each real component is repeated with a different patch
// version until 10,000 are reached. Every component has a bom-ref, purl, CPE, licence, two hashes and a
// property, as generators such as Syft and cdxgen write them.
func generated10k(tb testing.TB) []byte {
	gen10kOnce.Do(func() { gen10kData, gen10kErr = generate(10000) })
	if gen10kErr != nil {
		tb.Fatal(gen10kErr)
	}
	return gen10kData
}

func generate(n int) ([]byte, error) {
	var seeds []cdx.Component
	for _, f := range []string{"SBOM_keycloak-10.0.2_bom.json", "SBOM_juice-shop_v11.1.2_bom.json"} {
		data, err := os.ReadFile("../testdata/cyclonedx/" + f)
		if err != nil {
			return nil, err
		}
		var bom cdx.BOM
		if err := cdx.NewBOMDecoder(bytes.NewReader(data), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
			return nil, err
		}
		seeds = append(seeds, *bom.Components...)
	}
	comps := make([]cdx.Component, 0, n)
	for i := 0; len(comps) < n; i++ {
		s := seeds[i%len(seeds)]
		round := i / len(seeds)
		version := s.Version
		if round > 0 {
			version = fmt.Sprintf("%s.%d", s.Version, round)
		}
		purl := fmt.Sprintf("pkg:npm/%s@%s", s.Name, version)
		vendor := s.Name
		if s.Group != "" {
			purl = fmt.Sprintf("pkg:maven/%s/%s@%s?type=jar", s.Group, s.Name, version)
			vendor = s.Group
		}
		c := cdx.Component{
			BOMRef:     fmt.Sprintf("%s-%d", purl, i),
			Type:       cdx.ComponentTypeLibrary,
			Group:      s.Group,
			Name:       s.Name,
			Version:    version,
			PackageURL: purl,
			CPE:        fmt.Sprintf("cpe:2.3:a:%s:%s:%s:*:*:*:*:*:*:*", cpeEscape(vendor), cpeEscape(s.Name), cpeEscape(version)),
			Licenses:   s.Licenses,
			Hashes: &[]cdx.Hash{
				{Algorithm: cdx.HashAlgoSHA1, Value: fmt.Sprintf("%040x", i)},
				{Algorithm: cdx.HashAlgoSHA256, Value: fmt.Sprintf("%064x", i)},
			},
			Properties: &[]cdx.Property{{Name: "syft:package:foundBy", Value: "java-archive-cataloger"}},
		}
		comps = append(comps, c)
	}
	bom := cdx.NewBOM()
	bom.SerialNumber = "urn:uuid:00000000-0000-4000-8000-000000000010"
	bom.Metadata = &cdx.Metadata{
		Timestamp: "2024-01-02T03:04:05Z",
		Component: &cdx.Component{BOMRef: "device", Type: cdx.ComponentTypeDevice, Name: "Infusion pump", Version: "4.2"},
	}
	bom.Components = &comps
	var buf bytes.Buffer
	enc := cdx.NewBOMEncoder(&buf, cdx.BOMFileFormatJSON)
	if err := enc.EncodeVersion(bom, cdx.SpecVersion1_6); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func cpeEscape(s string) string {
	var b bytes.Buffer
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('\\')
		b.WriteByte(c)
	}
	return b.String()
}

func BenchmarkDecodeCycloneDX10k(b *testing.B) {
	data := generated10k(b)
	b.Run("lean", func(b *testing.B) { benchDecode(b, data, DecodeJSON) })
	b.Run("cyclonedx-go", func(b *testing.B) { benchDecode(b, data, DecodeJSONReference) })
}

func benchDecode(b *testing.B, data []byte, fn func([]byte, string) (*sbom.Document, error)) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		doc, err := fn(data, "bench.json")
		if err != nil {
			b.Fatal(err)
		}
		if len(doc.Components) != 10000 {
			b.Fatalf("got %d components", len(doc.Components))
		}
	}
}
