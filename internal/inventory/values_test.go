package inventory

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/domain"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want string // YYYY-MM-DD, or "error: <part of the message>"
	}{
		{"2019-03-01", "2019-03-01"},
		{"2019-3-1", "2019-03-01"},
		{"2019-03-01 14:30:00", "2019-03-01"},
		{"2019-03-01T14:30:00Z", "2019-03-01"},
		{"01.03.2019", "2019-03-01"},
		{"1.3.2019", "2019-03-01"},
		{"01.03.19", "2019-03-01"},
		{"01/03/2019", "2019-03-01"}, // day first
		{"03/15/2021", "2021-03-15"}, // month first only because 15 cannot be a month
		{"15/03/21", "2021-03-15"},
		{"01-Mar-2019", "2019-03-01"},
		{"1 March 2019", "2019-03-01"},
		{"March 1, 2019", "2019-03-01"},
		{"43525", "2019-03-01"},    // Excel serial
		{"43525.75", "2019-03-01"}, // serial with a time
		{"44271", "2021-03-16"},
		{"", ""},
		{"31.02.2019", "error: 31.02.2019 is not a date"},
		{"13/13/2019", "error: not a date"},
		{"yesterday", "error: yesterday is not a date"},
		{"1.2.3.4", "error: not a date"},
		{"0", "error: 0 is not a date"},
		{"99999999", "error: 99999999 is not a date"},
		{"01.01.1900", "error: not a plausible date (year 1900)"},
	}
	for _, tc := range tests {
		got, err := ParseDate(tc.in)
		if strings.HasPrefix(tc.want, "error: ") {
			if err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(tc.want, "error: ")) {
				t.Errorf("ParseDate(%q) = %v, %v; want an error with %q", tc.in, got, err, tc.want)
			}
			continue
		}
		if err != nil || got.String() != tc.want {
			t.Errorf("ParseDate(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in   string
		want domain.Money
		err  string
	}{
		{"2450", domain.Euros(2450), ""},
		{"2450.5", domain.Euros(2450.5), ""},
		{"2450,50", domain.Euros(2450.5), ""},
		{"2.450,50", domain.Euros(2450.5), ""},
		{"2,450.50", domain.Euros(2450.5), ""},
		{"2.450", domain.Euros(2450), ""}, // thousands
		{"2,450", domain.Euros(2450), ""}, // thousands
		{"0.450", domain.Euros(0.45), ""}, // a leading zero makes it a decimal
		{"1.234.567", domain.Euros(1234567), ""},
		{"1,234,567.89", domain.Euros(1234567.89), ""},
		{"€ 2 450,00", domain.Euros(2450), ""},
		{"2450 EUR", domain.Euros(2450), ""},
		{"2.450,00 Euro", domain.Euros(2450), ""},
		{"1'234.50", domain.Euros(1234.5), ""},
		{"650000", domain.Euros(650000), ""},
		{"", 0, ""},
		{"-50", 0, "-50 is negative"},
		{"zwei", 0, "zwei is not an amount"},
		{"1.2.3,4,5", 0, "not an amount"},
		{"1e300", 0, "more than"},
		{"NaN", 0, "not an amount"},
	}
	for _, tc := range tests {
		got, err := ParseAmount(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseAmount(%q) = %v, %v; want error %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}

func TestParseWords(t *testing.T) {
	crit := map[string]domain.Criticality{"lebenserhaltend": domain.CritLifeSustaining, "Life-Sustaining": domain.CritLifeSustaining,
		"kritisch": domain.CritCritical, "HIGH": domain.CritCritical, "wichtig": domain.CritImportant, "Unterstützend": domain.CritSupportive, "niedrig": domain.CritSupportive}
	for in, want := range crit {
		if got, err := ParseCriticality(in); err != nil || got != want {
			t.Errorf("ParseCriticality(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseCriticality("sehr hoch"); err == nil {
		t.Error("ParseCriticality accepted sehr hoch")
	}
	status := map[string]domain.AssetStatus{"in Betrieb": domain.StatusInUse, "Lager": domain.StatusSpare, "in Wartung": domain.StatusMaintenance,
		"ausgesondert": domain.StatusRetired, "Außer Betrieb": domain.StatusRetired, "spare": domain.StatusSpare, "In use": domain.StatusInUse}
	for in, want := range status {
		if got, err := ParseStatus(in); err != nil || got != want {
			t.Errorf("ParseStatus(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, want := range map[string]bool{"ja": true, "Nein": false, "x": true, "TRUE": true, "0": false, "yes": true} {
		if got, err := ParseBool(in); err != nil || got == nil || *got != want {
			t.Errorf("ParseBool(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseBool("vielleicht"); err == nil {
		t.Error("ParseBool accepted vielleicht")
	}
	classes := map[string]domain.DeviceClass{"IIb": domain.ClassIIb, "Klasse IIa": domain.ClassIIa, "MDR III": domain.ClassIII, "2b": domain.ClassIIb,
		"IVDR C": domain.ClassC, "D": domain.ClassD, "class I": domain.ClassI, "Is": domain.ClassIs}
	for in, want := range classes {
		if got, err := domain.ParseDeviceClass(in); err != nil || got != want {
			t.Errorf("ParseDeviceClass(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"IV", "MDR C", "IVDR IIb", "E"} {
		if got, err := domain.ParseDeviceClass(bad); err == nil {
			t.Errorf("ParseDeviceClass(%q) = %q, want an error", bad, got)
		}
	}
}

func TestColumnsRecogniseGermanAndEnglish(t *testing.T) {
	header := []string{"Inv.-Nr.", "Gerätebezeichnung", "Hersteller", "Typ", "Serien-Nr.", "SW-Stand", "Standort", "Kostenstelle",
		"IP-Adresse", "MAC-Adresse", "Kritikalität", "Anschaffungsdatum", "Wiederbeschaffungswert (€)", "Anschaffungswert", "Lieferant",
		"Modell"}
	cols, err := Columns(header, nil, len(header))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cols {
		got = append(got, c.Letter+"="+string(c.Field)+"/"+c.How)
	}
	want := []string{"A=asset_tag/recognised", "B=category/recognised", "C=manufacturer/recognised", "D=/ignored", "E=serial/recognised",
		"F=version/recognised", "G=location/recognised", "H=department_code/recognised", "I=ip/recognised", "J=mac/recognised",
		"K=criticality/recognised", "L=purchase_date/recognised", "M=replacement_cost/recognised", "N=/ignored", "O=/unknown",
		"P=product/recognised"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("German header (-want +got):\n%s", diff)
	}
	if cols[3].Note != "also looks like Model; column P is used" {
		t.Errorf("note on the weaker duplicate: %q", cols[3].Note)
	}

	header = []string{"Asset Tag", "Serial Number", "Make", "Model Number", "Firmware Version", "Cost Center", "Department", "Host Name", "Notes"}
	m, err := ParseMapping("Make=manufacturer, Notes=-, B=serial")
	if err != nil {
		t.Fatal(err)
	}
	cols, err = Columns(header, m, len(header))
	if err != nil {
		t.Fatal(err)
	}
	got = got[:0]
	for _, c := range cols {
		got = append(got, c.Letter+"="+string(c.Field)+"/"+c.How)
	}
	want = []string{"A=asset_tag/recognised", "B=serial/mapping", "C=manufacturer/mapping", "D=model_number/recognised", "E=version/recognised",
		"F=department_code/recognised", "G=department/recognised", "H=hostname/recognised", "I=/ignored"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("English header with mapping (-want +got):\n%s", diff)
	}
}

func TestParseMapping(t *testing.T) {
	m, err := ParseMapping("Gerät, Typ=model,C=firmware , Bemerkung=ignore,AA=ip")
	if err != nil {
		t.Fatal(err)
	}
	want := Mapping{"Gerät, Typ": FProduct, "C": FVersion, "Bemerkung": FIgnore, "AA": FIP}
	if diff := cmp.Diff(want, m); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for spec, msg := range map[string]string{
		"A=colour":   `"colour" is not a field`,
		"=asset_tag": `is not column=field`,
		"Inventar":   `is not column=field`,
	} {
		if _, err := ParseMapping(spec); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseMapping(%q): %v, want %q", spec, err, msg)
		}
	}
	if _, err := Columns([]string{"A", "B"}, Mapping{"Zzz": FIP}, 2); err == nil || !strings.Contains(err.Error(), `no column "Zzz"`) {
		t.Errorf("mapping an absent column: %v", err)
	}
	if _, err := Columns([]string{"x", "y"}, Mapping{"A": FIP, "B": FIP}, 2); err == nil || !strings.Contains(err.Error(), "both mapped to ip") {
		t.Errorf("mapping two columns to one field: %v", err)
	}
}
