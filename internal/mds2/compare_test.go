package mds2

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCompareRealForms(t *testing.T) {
	nema, mc := readFixture(t, nemaPath), readFixture(t, medicapturePath)
	c := Compare(nema, mc)
	if len(c.Forms) != 2 || c.Forms[0].Device != "Handheld Blood Glucose Monitor" || c.Forms[1].Manufacturer != "MediCapture Inc." {
		t.Fatalf("labels %+v", c.Forms)
	}
	if len(c.Sections) != 24 {
		t.Fatalf("%d sections", len(c.Sections))
	}
	rows := map[string]ComparisonRow{}
	total := 0
	for _, s := range c.Sections {
		n := 0
		for _, r := range s.Rows {
			rows[r.ID] = r
			if r.Differs {
				n++
			}
		}
		if n != s.Differences {
			t.Errorf("%s: Differences %d, counted %d", s.Code, s.Differences, n)
		}
		total += n
	}
	if total != c.Differences || len(rows) != 241 {
		t.Errorf("Differences %d, counted %d; %d rows (240 + OTHR)", c.Differences, total, len(rows))
	}
	tests := []struct {
		id      string
		differs bool
		reason  string
	}{
		{"DOC-7", true, "dates differ"},
		{"DOC-8", true, "answers differ"}, // No vs Yes
		{"DOC-9", false, ""},              // No in both
		{"ALOF-1", true, "answers differ"},
		{"CONN-1", true, "answers differ"}, // Yes vs blank
		{"PAUT-8", false, ""},              // No in both
		{"SBOM-1", false, ""},
		{"RMOT-1", true, "answers differ"},
		{"OTHR", true, "answers differ"}, // "NONE" vs blank
	}
	for _, tt := range tests {
		r := rows[tt.id]
		if r.Differs != tt.differs || r.Reason != tt.reason {
			t.Errorf("%s: differs %v %q, want %v %q", tt.id, r.Differs, r.Reason, tt.differs, tt.reason)
		}
	}
	r := rows["AUDT-2.8.1"]
	if r.Depth != 2 || r.Text == "" || len(r.Cells) != 2 {
		t.Errorf("AUDT-2.8.1 row %+v", r)
	}
	if got := rows["MLDP-3"].Cells[0].NoteTexts; len(got) != 1 || got[0] != "Firmware can only be modified by use of proprietary cable and software from a PC." {
		t.Errorf("MLDP-3 note texts %q", got)
	}
}

func TestCompareMaterialDifferences(t *testing.T) {
	form := func(answers map[string]string, notes map[string]string) *Form {
		f := NewForm()
		for id, raw := range answers {
			if err := f.Set(id, raw); err != nil {
				t.Fatal(err)
			}
		}
		for n, txt := range notes {
			if err := f.SetNote(n, txt); err != nil {
				t.Fatal(err)
			}
		}
		return f
	}
	a := form(map[string]string{"AUTH-1.1": "Yes,LDAP", "PAUT-1": "Yes", "DOC-1": "Acme GmbH", "MLDP-2": "See Note 1", "PAUT-3": "No"}, map[string]string{"1": "Allow-listing."})
	b := form(map[string]string{"AUTH-1.1": "yes, LDAP.", "PAUT-1": "Yes, optional", "DOC-1": "ACME GmbH", "MLDP-2": "See note 1", "PAUT-3": "No"}, map[string]string{"1": "Anti-malware by Defender."})
	rows := map[string]ComparisonRow{}
	for _, s := range Compare(a, b).Sections {
		for _, r := range s.Rows {
			rows[r.ID] = r
		}
	}
	got := map[string]string{}
	for _, id := range []string{"AUTH-1.1", "PAUT-1", "DOC-1", "MLDP-2", "PAUT-3"} {
		got[id] = rows[id].Reason
	}
	want := map[string]string{"AUTH-1.1": "", "PAUT-1": "details differ", "DOC-1": "", "MLDP-2": "notes differ", "PAUT-3": ""}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reasons (-want +got):\n%s", diff)
	}
	if c := Compare(a); c.Differences != 0 {
		t.Errorf("a single form has %d differences", c.Differences)
	}
	if c := Compare(a, nil); c.Differences == 0 || len(c.Forms) != 2 {
		t.Errorf("nil form: %d differences, %d labels", c.Differences, len(c.Forms))
	}
}
