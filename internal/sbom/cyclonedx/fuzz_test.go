package cyclonedx

import (
	"strings"
	"testing"
)

func addFixtures(f *testing.F, suffix string) {
	for _, name := range fixtureNames(f) {
		if !strings.HasSuffix(name, suffix) {
			continue
		}
		data := readFixture(f, name)
		if len(data) > 16<<10 {
			data = data[:16<<10] // a truncated large fixture is a useful seed too, and keeps fuzzing fast
		}
		f.Add(data)
	}
}

func FuzzCycloneDXXML(f *testing.F) {
	addFixtures(f, ".xml")
	f.Add([]byte(`<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components><component type="library"><name>a</name><components><component type="library"><name>b</name></component></components></component></components></bom>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := DecodeXML(data, "fuzz.xml")
		if err == nil && doc == nil {
			t.Fatal("nil document without error")
		}
	})
}

// FuzzCycloneDXJSON runs the lean decoder on anything; where it accepts what the reference decoder also
// accepts, they must agree on the components' identities.
func FuzzCycloneDXJSON(f *testing.F) {
	addFixtures(f, ".json")
	f.Add([]byte(nestedJSON))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := DecodeJSON(data, "fuzz.json")
		if err != nil {
			return
		}
		if doc == nil {
			t.Fatal("nil document without error")
		}
		ref, err := DecodeJSONReference(data, "fuzz.json")
		if err != nil || strings.ContainsAny(string(data), "ABCDEFGHIJKLMNOPQRSTUVWXYZ\\") {
			return // encoding/json matches keys case-insensitively; escapes in keys differ too
		}
		if len(ref.Components) != len(doc.Components) {
			t.Fatalf("lean found %d components, reference %d", len(doc.Components), len(ref.Components))
		}
	})
}
