package cyclonedx

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/sbom"
)

const fixtures = "../testdata/cyclonedx/"

func readFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(fixtures, name))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

func decodeFixture(tb testing.TB, name string) *sbom.Document {
	tb.Helper()
	data := readFixture(tb, name)
	fn := DecodeJSON
	if strings.HasSuffix(name, ".xml") {
		fn = DecodeXML
	}
	doc, err := fn(data, name)
	if err != nil {
		tb.Fatalf("decode %s: %v", name, err)
	}
	return doc
}

func fixtureNames(tb testing.TB) []string {
	tb.Helper()
	files, err := filepath.Glob(fixtures + "*")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no fixtures: %v", err)
	}
	var names []string
	for _, f := range files {
		if b := filepath.Base(f); b != "SOURCES.md" {
			names = append(names, b)
		}
	}
	return names
}

func findPURL(doc *sbom.Document, purl string) *sbom.Component {
	for i := range doc.Components {
		if doc.Components[i].PURL == purl {
			return &doc.Components[i]
		}
	}
	return nil
}
