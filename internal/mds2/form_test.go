package mds2

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNormalise(t *testing.T) {
	type result struct {
		Value        Value
		Detail, Date string
	}
	tests := []struct {
		kind Kind
		raw  string
		want result
	}{
		{KindYesNo, "Yes", result{ValueYes, "", ""}},
		{KindYesNo, "yes.", result{ValueYes, "", ""}},
		{KindYesNo, "Yes, optional", result{ValueYes, "optional", ""}},
		{KindYesNo, "Yes,LDAP", result{ValueYes, "LDAP", ""}},
		{KindYesNo, "Yes (see note 2)", result{ValueYes, "see note 2", ""}},
		{KindYesNo, `Yes,"PACS, NAS"`, result{ValueYes, "PACS, NAS", ""}},
		{KindYesNo, "YES - via HTTPS", result{ValueYes, "via HTTPS", ""}},
		{KindYesNo, "No: No default accounts", result{ValueNo, "No default accounts", ""}},
		{KindYesNo, "no", result{ValueNo, "", ""}},
		{KindYesNo, "N", result{ValueNo, "", ""}},
		{KindYesNo, "Y", result{ValueYes, "", ""}},
		{KindYesNo, "N/A", result{ValueNA, "", ""}},
		{KindYesNo, "n/a - software only", result{ValueNA, "software only", ""}},
		{KindYesNo, "NA", result{ValueNA, "", ""}},
		{KindYesNo, "N.A.", result{ValueNA, "", ""}},
		{KindYesNo, "Not applicable", result{ValueNA, "", ""}},
		{KindYesNo, "See Note", result{ValueSeeNote, "", ""}},
		{KindYesNo, "See Notes", result{ValueSeeNote, "", ""}},
		{KindYesNo, "see note 3", result{ValueSeeNote, "3", ""}},
		{KindYesNo, "Refer to note 4", result{ValueSeeNote, "4", ""}},
		{KindYesNo, "None", result{ValueText, "", ""}},          // not "No"
		{KindYesNo, "NAS only", result{ValueText, "", ""}},      // not "NA"
		{KindYesNo, "Yes/No", result{ValueText, "", ""}},        // ambiguous
		{KindYesNo, "Not supported", result{ValueText, "", ""}}, // not a vocabulary token
		{KindYesNo, "Optional", result{ValueText, "", ""}},
		{KindYesNo, "  ", result{ValueBlank, "", ""}},
		{KindYesNo, "\x00\x07", result{ValueBlank, "", ""}},
		{KindText, "No", result{ValueText, "", ""}}, // a free-text question keeps its text
		{KindDate, "43747", result{ValueDate, "", "2019-10-09"}},
		{KindDate, "43747.5", result{ValueDate, "", "2019-10-09"}},
		{KindDate, "2026-03-20", result{ValueDate, "", "2026-03-20"}},
		{KindDate, "20.03.2026", result{ValueDate, "", "2026-03-20"}},
		{KindDate, "03/20/2026", result{ValueDate, "", "2026-03-20"}},
		{KindDate, "10/9/19", result{ValueDate, "", "2019-10-09"}},
		{KindDate, "13/10/2019", result{ValueDate, "", "2019-10-13"}}, // day first when it cannot be a month
		{KindDate, "October 9, 2019", result{ValueDate, "", "2019-10-09"}},
		{KindDate, "9 Oct 2019", result{ValueDate, "", "2019-10-09"}},
		{KindDate, "31.02.2020", result{ValueText, "", ""}},
		{KindDate, "5", result{ValueText, "", ""}}, // a serial far outside 1990–2100
		{KindDate, "Q3 2020", result{ValueText, "", ""}},
	}
	for _, tt := range tests {
		v, d, date := Normalise(tt.kind, tt.raw)
		if diff := cmp.Diff(tt.want, result{v, d, date}); diff != "" {
			t.Errorf("Normalise(%s, %q) (-want +got):\n%s", tt.kind, tt.raw, diff)
		}
	}
}

func TestNoteRefs(t *testing.T) {
	tests := map[string][]string{
		"See Note 3":              {"3"},
		"See Note 1 ":             {"1"},
		"See Notes 3, 4 and 12":   {"3", "4", "12"},
		"Yes, see note #2 & 5":    {"2", "5"},
		"note 07; also Note 7":    {"7"},
		"__":                      nil,
		"Notebook computers only": nil,
		"Note: none":              nil,
	}
	for in, want := range tests {
		if diff := cmp.Diff(want, appendNoteRefs(nil, in)); diff != "" {
			t.Errorf("appendNoteRefs(%q) (-want +got):\n%s", in, diff)
		}
	}
}

func TestNewFormAndSet(t *testing.T) {
	f := NewForm()
	if len(f.Answers) != 240 || f.FormVersion != "2019" {
		t.Fatalf("NewForm: %d answers, version %q", len(f.Answers), f.FormVersion)
	}
	for id, a := range f.Answers {
		if a.ID != id || a.Value != ValueBlank {
			t.Fatalf("NewForm answer %s = %+v", id, a)
		}
	}
	if err := f.Set("doc-1", "  Acme\r\nMedical\x00 "); err != nil {
		t.Fatal(err)
	}
	if err := f.Set("DOC-7", "45000"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetNoteColumn("SHAD-15", "See Note 2"); err != nil {
		t.Fatal(err)
	}
	if err := f.Set("SHAD-15", "Yes, optional"); err != nil {
		t.Fatal(err)
	}
	if f.Manufacturer != "Acme\nMedical" || f.Released != "2023-03-15" {
		t.Errorf("header: %q %q", f.Manufacturer, f.Released)
	}
	want := Answer{ID: "SAHD-15", Raw: "Yes, optional", Value: ValueYes, Detail: "optional", Note: "See Note 2", NoteRefs: []string{"2"}}
	if diff := cmp.Diff(want, f.Answer("SAHD-15")); diff != "" {
		t.Errorf("SAHD-15 (-want +got):\n%s", diff)
	}
	if err := f.Set("SAHD-15", ""); err != nil {
		t.Fatal(err)
	}
	if got := f.Answer("SAHD-15"); got.Value != ValueSeeNote || got.Raw != "" {
		t.Errorf("blank answer with a note reference: %+v", got)
	}
	for _, bad := range []string{"DOC-99", "", "OTHR", strings.Repeat("A", 100)} {
		if err := f.Set(bad, "Yes"); err == nil {
			t.Errorf("Set(%q) accepted", bad)
		}
	}
	if err := f.Set("DOC-6", strings.Repeat("x", MaxTextLen+1)); err == nil {
		t.Error("Set accepted an over-long answer")
	}
	if err := f.SetNote("three", "x"); err == nil {
		t.Error("SetNote accepted a non-number")
	}
	if err := f.SetNote("Note 3", "text"); err != nil || f.Notes["3"] != "text" {
		t.Errorf("SetNote: %v, %q", err, f.Notes["3"])
	}
	if err := f.SetNote("3", ""); err != nil || len(f.Notes) != 0 {
		t.Errorf("SetNote delete: %v, %v", err, f.Notes)
	}
	// A zero Form can be filled too.
	var z Form
	if err := z.Set("PAUT-8", "Yes"); err != nil || len(z.Answers) != 240 || z.Answer("PAUT-8").Value != ValueYes {
		t.Errorf("zero form: %v, %d answers", err, len(z.Answers))
	}
	if got := (*Form)(nil).Answer("PAUT-8"); got.Value != ValueBlank || got.ID != "PAUT-8" {
		t.Errorf("nil form answer %+v", got)
	}
}
