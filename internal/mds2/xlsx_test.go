package mds2

import (
	"bytes"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func readFixture(t testing.TB, path string) *Form {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	f, err := Read(fh, path, 0)
	if err != nil {
		t.Fatalf("Read(%s): %v", path, err)
	}
	return f
}

var cmpAnswers = cmpopts.EquateEmpty()

func TestReadXLSXNEMAExample(t *testing.T) {
	fh, err := os.Open(nemaPath)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	f, err := ReadXLSX(fh, "nema.xlsx", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Answers) != 240 {
		t.Fatalf("%d answers, want 240", len(f.Answers))
	}
	header := []string{f.FormVersion, f.Manufacturer, f.Device, f.Models, f.DocumentID, f.Released}
	if diff := cmp.Diff([]string{"2019", "Hidden", "Handheld Blood Glucose Monitor", "Hidden", "Hidden", "2019-10-09"}, header); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	tests := []Answer{
		{ID: "DOC-5", Raw: "sales@company.com", Value: ValueText},
		{ID: "DOC-7", Raw: "43747", Value: ValueDate, Date: "2019-10-09"},
		{ID: "DOC-8", Raw: "No", Value: ValueNo},
		// DOC-10 leaves the answer blank and refers to note 1 in column D.
		{ID: "DOC-10", Raw: "", Value: ValueSeeNote, Note: "See Note 1", NoteRefs: []string{"1"}},
		{ID: "DOC-11.3", Raw: "N/A", Value: ValueNA},
		{ID: "MPII-1", Raw: "Yes", Value: ValueYes, Mapping: Mapping{NIST: "AR-2", ISO: "A.15.1.4"}},
		{ID: "ALOF-2", Raw: "No", Value: ValueNo, Mapping: Mapping{IEC: "Section 5.1, ALOF", NIST: "AC-11", ISO: "A.11.2.8, A.11.2.9"}},
		{ID: "EMRG-1", Raw: "N/A", Value: ValueNA, Note: "See Note 2", NoteRefs: []string{"2"}, Mapping: Mapping{IEC: "Section 5.8, EMRG", NIST: "SI-17", ISO: "None"}},
		{ID: "MLDP-3", Raw: "Yes", Value: ValueYes, Note: "See Note 4", NoteRefs: []string{"4"}, Mapping: Mapping{IEC: "Section 5.10, MLDP", NIST: "SI-2", ISO: "A.12.6.1, A.14.2.2, A.14.2.3, A.16.1.3"}},
		{ID: "CONN-1", Raw: "Yes", Value: ValueYes},
		{ID: "CONN-1.2.4", Raw: "Yes", Value: ValueYes, Note: "See Note 5", NoteRefs: []string{"5"}},
		{ID: "SAHD-15", Raw: "Yes", Value: ValueYes},
		{ID: "SAHD-16", Raw: "See Notes", Value: ValueSeeNote, Note: "See Note 6", NoteRefs: []string{"6"}},
		{ID: "RMOT-1.3", Raw: "N/A", Value: ValueNA, Mapping: Mapping{NIST: "AC-17", ISO: "A.6.2.1, A.6.2.2, A.13.1.1, A.13.2.1, A.14.1.2"}},
	}
	for _, want := range tests {
		if diff := cmp.Diff(want, f.Answer(want.ID), cmpAnswers); diff != "" {
			t.Errorf("%s (-want +got):\n%s", want.ID, diff)
		}
	}
	if _, ok := f.Answers["SHAD-15"]; ok {
		t.Error("answer stored under the misprint SHAD-15")
	}
	wantNotes := map[string]string{
		"2": "There is no restriction on access to any person with physical access to the device.",
		"5": "Proprietary serial interface cable.",
		"8": "www.companywebsite.com/support/thisdevice",
	}
	for n, text := range wantNotes {
		if f.Notes[n] != text {
			t.Errorf("note %s = %q, want %q", n, f.Notes[n], text)
		}
	}
	if len(f.Notes) != 8 {
		t.Errorf("%d notes, want 8", len(f.Notes))
	}
	if f.Other != "NONE" {
		t.Errorf("Other = %q, want NONE", f.Other)
	}
	wantWarnings := []string{`sheet "mds2-form" row 285: the form's misprint "SHAD-15" read as SAHD-15`}
	if diff := cmp.Diff(wantWarnings, f.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	count := f.Counts()
	wantCount := map[Value]int{ValueYes: 29, ValueNo: 112, ValueNA: 90, ValueText: 6, ValueDate: 1, ValueSeeNote: 2}
	if diff := cmp.Diff(wantCount, count); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
}

func TestReadXLSXGenerated(t *testing.T) {
	// A vendor-style sheet: a different sheet name, the ids in column B (a column inserted before them),
	// banner rows, a blank group header, free-text answers and a notes block with a continuation line.
	rows := [][]string{
		{"", "ACME MEDICAL — CONFIDENTIAL"},
		{},
		{"", "Question ID", "Question", "Answer", "See note"},
		{"", "DOC-1", "Manufacturer", "ACME Medical GmbH"},
		{"", "DOC-7", "Release date", "20.03.2024"},
		{"", "AUTH-1.1", "federated?", "Yes,LDAP"},
		{"", "PAUT-4", "default accounts?", "No: No default accounts", "__"},
		{"", "CONN-1", "connectivity?", "", "____"},
		{"", "MLDP-2", "anti-malware?", "See Note 2", "See Note 2"},
		{"", "shad-15", "bios?", "Yes, optional"},
		{"", "AUDT-9", "unknown", "Yes"},
		{"", "AUDT-1", "again", "No"},
		{"", "AUDT-1", "duplicate", "Yes"},
		{"", "", "OTHER SECURITY CONSIDERATIONS (OTHR)"},
		{"", "", "Device is used offline."},
		{"", "Notes:"},
		{"", "Note 2", "Windows Defender is preinstalled."},
		{"", "", "Signatures are updated monthly."},
		{"", "Note 3"},
		{"", "", "Text on the row below its number."},
	}
	b := buildWorkbook(t, sheet{"Cover", [][]string{{"MDS2 for ACME X-100"}}}, sheet{"MDS2 2019", rows})
	f, err := ReadXLSX(bytes.NewReader(b), "acme.xlsx", 0)
	if err != nil {
		t.Fatal(err)
	}
	tests := []Answer{
		{ID: "DOC-1", Raw: "ACME Medical GmbH", Value: ValueText},
		{ID: "DOC-7", Raw: "20.03.2024", Value: ValueDate, Date: "2024-03-20"},
		{ID: "AUTH-1.1", Raw: "Yes,LDAP", Value: ValueYes, Detail: "LDAP"},
		{ID: "PAUT-4", Raw: "No: No default accounts", Value: ValueNo, Detail: "No default accounts"},
		{ID: "CONN-1", Value: ValueBlank},
		{ID: "MLDP-2", Raw: "See Note 2", Value: ValueSeeNote, Detail: "2", Note: "See Note 2", NoteRefs: []string{"2"}},
		{ID: "SAHD-15", Raw: "Yes, optional", Value: ValueYes, Detail: "optional"},
		{ID: "AUDT-1", Raw: "No", Value: ValueNo},
		{ID: "RMOT-1", Value: ValueBlank},
	}
	for _, want := range tests {
		if diff := cmp.Diff(want, f.Answer(want.ID), cmpAnswers); diff != "" {
			t.Errorf("%s (-want +got):\n%s", want.ID, diff)
		}
	}
	wantNotes := map[string]string{"2": "Windows Defender is preinstalled.\nSignatures are updated monthly.", "3": "Text on the row below its number."}
	if diff := cmp.Diff(wantNotes, f.Notes); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
	if f.Other != "Device is used offline." {
		t.Errorf("Other = %q", f.Other)
	}
	wantWarnings := []string{
		`sheet "MDS2 2019" row 10: the form's misprint "shad-15" read as SAHD-15`,
		`sheet "MDS2 2019" row 11: "AUDT-9" is not a question of the 2019 form; ignored`,
		`sheet "MDS2 2019" row 13: AUDT-1 appears again; the first answer is kept`,
		`sheet "MDS2 2019": 232 of the 240 questions are missing (DOC-2, DOC-3, DOC-4, DOC-5, DOC-6, …)`,
	}
	if diff := cmp.Diff(wantWarnings, f.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	if f.Manufacturer != "ACME Medical GmbH" || f.Released != "2024-03-20" {
		t.Errorf("header: %q %q", f.Manufacturer, f.Released)
	}
}
