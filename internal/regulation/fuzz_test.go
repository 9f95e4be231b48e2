package regulation

import (
	"bytes"
	"testing"
)

// FuzzReadOverlay feeds arbitrary YAML to the overlay reader: it must return an overlay or an error,
// never panic, and a returned overlay must be usable.
func FuzzReadOverlay(f *testing.F) {
	de, err := dataFS.ReadFile("data/overlays/de.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(de)
	f.Add([]byte("country: xx\nversion: \"1\"\nsources: [a]\n"))
	f.Add([]byte("country: [\n"))
	f.Add([]byte("holidays: {name: x, fixed: [\"02-30\"]}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := ReadOverlay("fuzz.yaml", bytes.NewReader(b))
		if err != nil {
			return
		}
		res := ApplyOverlay(Scope(ScopeInput{EntityType: HealthcareProvider, MemberState: o.Country, Employees: 300}), o)
		if res.Country != o.Country {
			t.Fatalf("country %q not applied", o.Country)
		}
		_ = o.Deadlines()
	})
}
