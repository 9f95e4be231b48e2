package mds2

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadMarkdownMediCapture(t *testing.T) {
	fh, err := os.Open(medicapturePath)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	f, err := ReadMarkdown(fh, "medicapture.md", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Answers) != 240 {
		t.Fatalf("%d answers, want 240", len(f.Answers))
	}
	header := []string{f.Manufacturer, f.Device, f.Models, f.DocumentID, f.Released}
	wantHeader := []string{"MediCapture Inc.", "Medical Video Recorder (with touchscreen)",
		"MVR435, MVR436, MVR450, MVR460, MTR133, MTR156, MTR245", "MDS2-MVR", "2026-03-20"}
	if diff := cmp.Diff(wantHeader, header); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	tests := []Answer{
		{ID: "DOC-7", Raw: "2026-03-20", Value: ValueDate, Date: "2026-03-20"},
		{ID: "DOC-9", Raw: "No", Value: ValueNo},
		{ID: "DOC-10", Raw: "Yes, See IFU and Supplementary guides", Value: ValueYes, Detail: "See IFU and Supplementary guides"},
		{ID: "DOC-11.3", Raw: "N/A", Value: ValueNA},
		{ID: "MPII-1", Raw: "Yes,optional", Value: ValueYes, Detail: "optional"},
		{ID: "MPII-2", Raw: "Yes", Value: ValueYes},
		{ID: "MPII-2.9", Raw: `Yes,"PACS, NAS"`, Value: ValueYes, Detail: "PACS, NAS"},
		{ID: "AUTH-1.1", Raw: "Yes,LDAP", Value: ValueYes, Detail: "LDAP"},
		{ID: "CONN-1", Value: ValueBlank},
		{ID: "CONN-1.1", Value: ValueBlank},
		{ID: "CONN-1.2.4", Raw: `Yes,"HDMI, DP, SDI"`, Value: ValueYes, Detail: "HDMI, DP, SDI"},
		{ID: "PAUT-1.1", Raw: "Yes, Optional", Value: ValueYes, Detail: "Optional"},
		{ID: "PAUT-4", Raw: "N/A: No default accounts", Value: ValueNA, Detail: "No default accounts"},
		{ID: "RDMP-4", Raw: "No: No end-of-life components", Value: ValueNo, Detail: "No end-of-life components"},
		{ID: "SAHD-15", Raw: "Yes", Value: ValueYes},
		{ID: "STCF-1.1", Raw: "N/A", Value: ValueNA},
		{ID: "RMOT-3", Raw: "No", Value: ValueNo},
	}
	for _, want := range tests {
		if diff := cmp.Diff(want, f.Answer(want.ID), cmpAnswers); diff != "" {
			t.Errorf("%s (-want +got):\n%s", want.ID, diff)
		}
	}
	if a := f.Answer("DOC-6"); a.Raw != "Optional use of NAS to storage recordings, optional obtain worklist from HIS, optional send recordings to PACS" {
		t.Errorf("DOC-6 raw = %q (quotes and trailing comma should be gone)", a.Raw)
	}
	if diff := cmp.Diff([]string{`line 346: the form's misprint "SHAD-15" read as SAHD-15`}, f.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	if len(f.Notes) != 0 || f.Other != "" {
		t.Errorf("notes %v, other %q: the MediCapture form has neither", f.Notes, f.Other)
	}
	count := f.Counts()
	wantCount := map[Value]int{ValueYes: 118, ValueNo: 89, ValueNA: 24, ValueText: 6, ValueDate: 1, ValueBlank: 2}
	if diff := cmp.Diff(wantCount, count); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
}

func TestReadMarkdownTable(t *testing.T) {
	md := strings.Join([]string{
		"# Acme X-100 — MDS2",
		"",
		"| Question ID | Question | Answer | Note | IEC TR 80001-2-2:2012 |",
		"|---|---|---|---|---|",
		"| **DOC-1** | Manufacturer | Acme Medical | | |",
		"| DOC-7 | Release | October 9, 2019 | | |",
		"| AUTH-1 | Login? | Yes \\| enforced | See Note 1 | Section 5.3, AUTH |",
		"| SHAD-15 | BIOS? | N/A | | |",
		"",
		"| ID | Answer |",
		"|---|---|",
		"| PAUT-8 | No |",
		"",
		"PAUT-9: Yes",
		"",
		"## OTHER SECURITY CONSIDERATIONS (OTHR)",
		"The device is used offline only.",
		"Service laptops are hardened.",
		"",
		"## Notes",
		"Note 1: Local accounts only.",
		"| Note 2 | Unused. |",
	}, "\n")
	f, err := ReadMarkdown(strings.NewReader(md), "acme.md", 0)
	if err != nil {
		t.Fatal(err)
	}
	tests := []Answer{
		{ID: "DOC-1", Raw: "Acme Medical", Value: ValueText},
		{ID: "DOC-7", Raw: "October 9, 2019", Value: ValueDate, Date: "2019-10-09"},
		{ID: "AUTH-1", Raw: "Yes | enforced", Value: ValueYes, Detail: "enforced", Note: "See Note 1", NoteRefs: []string{"1"}, Mapping: Mapping{IEC: "Section 5.3, AUTH"}},
		{ID: "SAHD-15", Raw: "N/A", Value: ValueNA},
		{ID: "PAUT-8", Raw: "No", Value: ValueNo},
		{ID: "PAUT-9", Raw: "Yes", Value: ValueYes},
	}
	for _, want := range tests {
		if diff := cmp.Diff(want, f.Answer(want.ID), cmpAnswers); diff != "" {
			t.Errorf("%s (-want +got):\n%s", want.ID, diff)
		}
	}
	if diff := cmp.Diff(map[string]string{"1": "Local accounts only.", "2": "Unused."}, f.Notes); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
	if f.Other != "The device is used offline only.\nService laptops are hardened." {
		t.Errorf("Other = %q", f.Other)
	}
}

func TestReadMarkdownRefusals(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"2013", "Manufacturer Disclosure Statement for Medical Device Security – MDS2\nHIMSS/NEMA HN 1-2013\n" +
			"1 AUTOMATIC LOGOFF (ALOF)\n1-1 Can the device be configured ... Yes\n1-2 ... No\n2 AUDIT CONTROLS (AUDT)\n2-1 ... Yes\n",
			`mds2 "2013": this looks like an MDS2 2013 form (numbered sections such as "1 AUTOMATIC LOGOFF (ALOF)", items numbered like "1-1", "HN 1-2013"); only the 2019 form (ANSI/NEMA HN 1-2019) is supported: unsupported document`},
		{"prose", "# Release notes\n\nVersion 2 fixes DOC handling.\n", `mds2 "prose": no MDS2 question ids found in the text (4 lines): unsupported document`},
	}
	for _, tt := range tests {
		_, err := ReadMarkdown(strings.NewReader(tt.text), tt.name, 0)
		if err == nil || err.Error() != tt.want || !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: err = %v\nwant %s", tt.name, err, tt.want)
		}
	}
}
