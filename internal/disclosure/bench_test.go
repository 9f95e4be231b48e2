package disclosure_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/vigil-med/vigil/internal/disclosure"
	"github.com/vigil-med/vigil/internal/sbom"
	"github.com/vigil-med/vigil/internal/sbom/cyclonedx"
	"github.com/vigil-med/vigil/internal/testutil"
)

// BenchmarkImportICSMA imports and maps all 88 ICSMA advisories (a fresh organisation each round, one
// transaction per document), into an inventory with some of their products.
func BenchmarkImportICSMA(b *testing.B) {
	st := testutil.MustOpenStore(b)
	inputs, err := disclosure.CSAFFiles(icsmaDir)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		e := newEnvOrg(b, st, fmt.Sprintf("org-%d", i))
		e.version(b, "BD", "Alaris Gateway Workstation", "1.1.6", "Becton, Dickinson and Company (BD)")
		e.version(b, "Philips", "Patient Information Center iX", "B.02")
		rep, err := disclosure.ImportCSAFBatch(e.ctx, e.sc, inputs)
		if err != nil || rep.Created != 88 {
			b.Fatalf("%s %v", rep.Summary(), err)
		}
	}
}

// sbom10k is a CycloneDX JSON SBOM of 10,000 components with package URLs, CPEs, licences and hashes.
func sbom10k(b *testing.B) []byte {
	doc := &sbom.Document{Format: sbom.CycloneDXJSON, Subject: &sbom.Component{Ref: "device", Type: "device", Name: "Big Workstation", Version: "1.0"}}
	for i := 0; i < 10000; i++ {
		doc.Components = append(doc.Components, sbom.Component{Ref: fmt.Sprintf("c%d", i), Type: "library", Group: "org.example", Name: fmt.Sprintf("lib-%d", i),
			Version: fmt.Sprintf("1.%d.%d", i%17, i%5), PURL: fmt.Sprintf("pkg:maven/org.example/lib-%d@1.%d.%d", i, i%17, i%5),
			CPE: fmt.Sprintf("cpe:2.3:a:example:lib-%d:1.%d.%d:*:*:*:*:*:*:*", i, i%17, i%5), Licenses: "Apache-2.0",
			Hashes: []sbom.Hash{{Alg: "SHA-256", Value: fmt.Sprintf("%064x", i)}}})
	}
	var buf bytes.Buffer
	if err := cyclonedx.Encode(&buf, doc, sbom.CycloneDXJSON); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkImportSBOM10k imports an SBOM of 10,000 components (decode, keep the document, batch
// inserts), replacing the version's components each round.
func BenchmarkImportSBOM10k(b *testing.B) {
	for _, engine := range testutil.Engines() {
		b.Run(engine, func(b *testing.B) {
			st := testutil.OpenStore(b, engine)
			e := newEnv(b, st)
			data := sbom10k(b)
			b.SetBytes(int64(len(data)))
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				// A different document each round (else it is skipped as known).
				doc := bytes.Replace(data, []byte("Big Workstation"), []byte(fmt.Sprintf("Big Workstation build %d", i)), 1)
				rep, err := disclosure.ImportSBOM(e.ctx, e.sc, doc, disclosure.SBOMOptions{Manufacturer: "Example", Product: "Big Workstation", Version: "1.0"})
				if err != nil || rep.Created+rep.Updated == 0 {
					b.Fatalf("%+v %v", rep, err)
				}
			}
		})
	}
}
