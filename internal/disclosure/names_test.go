package disclosure

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/csaf"
)

func TestNameTokens(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"IntelliBridge EC40 Hub", []string{"intellibridge", "ec", "40", "hub"}},
		{"IntelliBridge EC 40 Hub", []string{"intellibridge", "ec", "40", "hub"}},
		{"Siemens SPECT Workplaces/Symbia.net", []string{"siemen", "spect", "workplace", "symbia", "net"}},
		{"HAMILTON-T1", []string{"hamilton", "t", "1"}},
		{"Dräger Infinity Delta", []string{"dräger", "infinity", "delta"}},
		{"Agilia Connect WiFi module of the pumps", []string{"agilia", "connect", "wifi", "module", "pump"}},
	} {
		if diff := cmp.Diff(tt.want, nameTokens(tt.in)); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.in, diff)
		}
	}
	if got := vendorKey("Becton, Dickinson and Company (BD)"); got != "becton dickinson bd" {
		t.Errorf("vendor key: %q", got)
	}
	if got := vendorKey("Hamilton Medical AG"); got != "hamilton medical" {
		t.Errorf("vendor key: %q", got)
	}
}

// TestVersionSpecCovers runs the version texts of real ICSMA advisories against inventory versions.
func TestVersionSpecCovers(t *testing.T) {
	type tc struct {
		version, rng, model, name, advName, v string
		match, known                          bool
	}
	for _, tt := range []tc{
		{version: "vers:all/*", v: "1.0", match: true, known: true},
		{version: "1.1.6", v: "1.1.6", match: true, known: true},
		{version: "1.1.5", v: "1.1.6", known: true},
		{version: "1.3.1 Build 13", v: "1.3.1 Build 13", match: true, known: true},
		{version: "2.3.6 and  below", v: "2.3.6", match: true, known: true},
		{version: "2.3.6 and  below", v: "4.1.2", known: true},
		{version: "9.13 | 9.19 | 9.33 | 12.1", v: "9.33.1", match: true, known: true},
		{version: "9.13 | 9.19 | 9.33 | 12.1", v: "10.0", known: true},
		{version: "2.X", v: "2.0.6", match: true, known: true},
		{version: "2.X", v: "3.2", known: true},
		{version: "HD 16 | HD23", v: "HD23", match: true, known: true},
		{version: "8.x model 35700BAX2", model: "35700BAX2", name: "Sigma Spectrum", advName: "Sigma Spectrum", v: "8.00.01", match: true, known: true},
		{version: "6.x model 35700BAX", model: "35700BAX2", name: "Sigma Spectrum", advName: "Sigma Spectrum", v: "8.00.01", known: true},
		{version: "2131 and 2141", model: "2131", name: "InTouch ICU Bed", advName: "InTouch ICU Bed (enabled with Bed Wireless)", v: "iBed Wireless 2.1", match: true, known: true},
		{version: "CS2  Avance | Amingo | Avance CS2", name: "Aisys CS2", advName: "GE Aisys", v: "11.2", match: true, known: true},
		{version: "Version B, Firmware A.01.09, Part #: N/A (Replaced by Version C)", name: "IntelliVue MX800", advName: "IntelliVue MP monitors", v: "M.00.03"},
		{rng: "<= U61 |<= L81", v: "U61", match: true, known: true},
		{rng: "<= U61 |<= L81", v: "U62", known: true},
		{rng: "<= 12.2.x.x", v: "12.2.0.1", match: true, known: true},
		{rng: "< 7.2.5.7", v: "7.2.5.6", match: true, known: true},
		{rng: ">= 1.0.0  | <= 1.3.1", v: "1.3.1", match: true, known: true},
		{rng: "distributed  < april 1, 2018", v: "1.0"},
	} {
		s := versionSpec{Version: tt.version, nameWords: setOf(nameTokens(tt.advName))}
		if tt.rng != "" {
			s.Range = csaf.ParseRange(tt.rng)
		}
		q := catProduct{Name: tt.name, allWords: setOf(nameTokens(tt.name)), model: modelKey(tt.model)}
		m, k := s.covers(q, tt.v)
		if m != tt.match || k != tt.known {
			t.Errorf("%q %q covers %q: %v %v, want %v %v", tt.version, tt.rng, tt.v, m, k, tt.match, tt.known)
		}
	}
}
