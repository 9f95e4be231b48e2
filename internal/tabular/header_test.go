package tabular

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Wiederbeschaffungswert (EUR)": "wiederbeschaffungswert",
		"Inv.-Nr.":                     "invnr",
		"E-Mail-Adresse":               "emailadresse",
		"Serial #":                     "serialnr",
		"Gerätebezeichnung":            "geraetebezeichnung",
		"Größe":                        "groesse",
		"Catégorie":                    "catégorie",
		"Preis in EUR":                 "preis",
		"  ":                           "",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNamesAndHeader(t *testing.T) {
	n := NewNames()
	n.Add("asset_tag", "asset_tag", "Asset tag", "Inventarnummer", "Tag")
	n.Add("serial", "serial", "Serial number", "Seriennummer", "tag") // "tag" is taken: the first field keeps it
	for name, want := range map[string]NameMatch{"INVENTAR-NUMMER": {"asset_tag", 2}, "tag": {"asset_tag", 3}, "Serial number": {"serial", 1}} {
		if got, ok := n.Lookup(name); !ok || got != want {
			t.Errorf("Lookup(%q) = %+v, %v; want %+v", name, got, ok, want)
		}
	}
	if _, ok := n.Lookup("Hostname"); ok {
		t.Error("Hostname recognised")
	}
	rows := [][]string{{"Geräteliste"}, {}, {"Inventarnummer", "Seriennummer", "Tag", "Notiz"}, {"MT-1", "SN-1"}}
	if i, score := FindHeader(rows, 20, n.CountNames); i != 2 || score != 2 {
		t.Errorf("FindHeader = %d, %d; want row 2 naming 2 fields", i, score)
	}
	if i, score := FindHeader(rows, 2, n.CountNames); i != -1 || score != 0 {
		t.Errorf("FindHeader within 2 rows = %d, %d; want none", i, score)
	}
}

func TestRejections(t *testing.T) {
	type field string
	r := Rejection[field]{Row: 4, Column: "Course", Field: "module", Value: "underwater basket weaving", Message: "no such module"}
	if got, want := r.String(), `row 4, column "Course": no such module (value "underwater basket weaving")`; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	if got := (Rejection[field]{Message: "no header row"}).String(); got != "file: no header row" {
		t.Errorf("file rejection: %q", got)
	}
	c := Collector[field]{Max: 2}
	for _, row := range []int{7, 3, 5} {
		c.Add(Rejection[field]{Row: row, Message: "bad"})
	}
	var got []string
	for _, x := range c.Result() {
		got = append(got, x.String())
	}
	if diff := cmp.Diff([]string{"row 3: bad", "row 7: bad", "file: and 1 more problems not listed"}, got); diff != "" || c.Len() != 2 {
		t.Errorf("collector (-want +got):\n%s", diff)
	}
	rs := []Rejection[field]{{Row: 2, Col: 5}, {Row: 1, Col: 3}, {Row: 2, Col: 1}}
	SortRejections(rs)
	if rs[0].Row != 1 || rs[1].Col != 1 || rs[2].Col != 5 {
		t.Errorf("sorted: %+v", rs)
	}
	if Clip("abcdef", 4) != "abc…" || Clip("abc", 4) != "abc" {
		t.Error("Clip")
	}
}
