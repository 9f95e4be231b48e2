package procurement

import (
	"context"
	"testing"
)

// BenchmarkEvaluate scores two real MDS2 forms, one with the 168-component dropwizard SBOM (NTIA and
// end-of-life checks included), against the device catalogue.
func BenchmarkEvaluate(b *testing.B) {
	t := &testing.T{}
	nema := readForm(t, "testdata/nema-example-mds2-worksheet-2019.xlsx")
	medi := readForm(t, "testdata/medicapture-mvr-cybersecurity-mds2.md")
	drop := readSBOMFile(t, "testdata/SBOM_dropwizard-1.3.15_bom.xml")
	eol, _ := EmbeddedEOL()
	cat, _ := Builtin(CatalogueDevice)
	vendors := []Vendor{{Name: "a", MDS2: nema}, {Name: "b", MDS2: medi, SBOM: drop}}
	b.ResetTimer()
	for b.Loop() {
		Evaluate(context.Background(), cat, vendors, Options{AsOf: asOf, EOL: eol})
	}
}
