package mds2

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

const (
	nemaPath        = "testdata/nema-example-mds2-worksheet-2019.xlsx"
	medicapturePath = "testdata/medicapture-mvr-cybersecurity-mds2.md"
)

// nemaRows reads column A and B of the NEMA example directly with excelize, independent of ReadXLSX.
func nemaRows(t testing.TB) (ids []string, text map[string]string) {
	t.Helper()
	x, err := excelize.OpenFile(nemaPath)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows("mds2-form")
	if err != nil {
		t.Fatal(err)
	}
	idRe := regexp.MustCompile(`^[A-Z]{3,4}-[0-9.]+$`)
	titleRe := regexp.MustCompile(`\(([A-Za-z]{3,4})\)\s*$`)
	text = map[string]string{}
	for i, r := range rows {
		switch {
		case len(r) > 1 && idRe.MatchString(r[0]):
			ids = append(ids, r[0])
			text[r[0]] = r[1]
		case len(r) > 1 && titleRe.MatchString(r[1]) && i+1 < len(rows) && len(rows[i+1]) > 1:
			// section header row; the next row is the form's one-line description
			text["section "+strings.ToUpper(titleRe.FindStringSubmatch(r[1])[1])] = rows[i+1][1]
		}
	}
	return ids, text
}

// medicaptureIDs reads the ids at the start of the MediCapture lines, independent of ReadMarkdown.
func medicaptureIDs(t testing.TB) []string {
	t.Helper()
	b, err := os.ReadFile(medicapturePath)
	if err != nil {
		t.Fatal(err)
	}
	return regexp.MustCompile(`(?m)^[A-Z]{3,4}-[0-9.]+`).FindAllString(string(b), -1)
}

func catalogueIDs() []string {
	var ids []string
	for _, q := range Catalogue() {
		ids = append(ids, q.ID)
	}
	return ids
}

func TestCatalogueMatchesRealForms(t *testing.T) {
	fix := func(ids []string) []string { // the forms misprint SAHD-15 as SHAD-15
		out := append([]string(nil), ids...)
		for i, id := range out {
			if id == "SHAD-15" {
				out[i] = "SAHD-15"
			}
		}
		return out
	}
	nema, _ := nemaRows(t)
	mc := medicaptureIDs(t)
	if len(nema) != 240 || len(mc) != 240 {
		t.Fatalf("fixtures: NEMA %d ids, MediCapture %d ids; want 240 each", len(nema), len(mc))
	}
	if !containsString(nema, "SHAD-15") || !containsString(mc, "SHAD-15") {
		t.Error("both fixtures should carry the SHAD-15 misprint")
	}
	if diff := cmp.Diff(fix(nema), catalogueIDs()); diff != "" {
		t.Errorf("catalogue vs NEMA example (-nema +catalogue):\n%s", diff)
	}
	if diff := cmp.Diff(fix(mc), catalogueIDs()); diff != "" {
		t.Errorf("catalogue vs MediCapture (-medicapture +catalogue):\n%s", diff)
	}
}

func TestCatalogueSections(t *testing.T) {
	want := map[string]int{"DOC": 15, "MPII": 22, "ALOF": 2, "AUDT": 30, "AUTH": 8, "CSUP": 34, "DIDT": 2, "DTBK": 6,
		"EMRG": 1, "IGAU": 2, "MLDP": 15, "NAUT": 4, "CONN": 19, "PAUT": 16, "PLOK": 4, "RDMP": 4, "SBOM": 8,
		"SAHD": 22, "SGUD": 5, "STCF": 7, "TXCF": 6, "TXIG": 2, "RMOT": 6, "OTHR": 0}
	got := map[string]int{}
	var order []string
	for _, s := range Sections() {
		got[s.Code] = len(s.Questions)
		order = append(order, s.Code)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("questions per section (-want +got):\n%s", diff)
	}
	wantOrder := []string{"DOC", "MPII", "ALOF", "AUDT", "AUTH", "CSUP", "DIDT", "DTBK", "EMRG", "IGAU", "MLDP", "NAUT",
		"CONN", "PAUT", "PLOK", "RDMP", "SBOM", "SAHD", "SGUD", "STCF", "TXCF", "TXIG", "RMOT", "OTHR"}
	if diff := cmp.Diff(wantOrder, order); diff != "" {
		t.Errorf("section order (-want +got):\n%s", diff)
	}
	for code, title := range map[string]string{
		"ALOF": "AUTOMATIC LOGOFF (ALOF)", "MPII": "MANAGEMENT OF PERSONALLY IDENTIFIABLE INFORMATION",
		"SBOM": "SOFTWARE BILL OF MATERIALS (SBoM)", "RDMP": "ROADMAP FOR THIRD PARTY COMPONENTS IN DEVICE LIFE CYCLE (RDMP)",
		"OTHR": "OTHER SECURITY CONSIDERATIONS (OTHR)", "NAUT": "NODE AUTHENTICATION (NAUT)",
	} {
		if got := SectionTitle(code); got != title {
			t.Errorf("SectionTitle(%s) = %q, want %q", code, got, title)
		}
	}
}

func TestCatalogueQuestions(t *testing.T) {
	tests := []struct {
		id   string
		want Question
	}{
		{"DOC-1", Question{ID: "DOC-1", Section: "DOC", Kind: KindText}},
		{"DOC-7", Question{ID: "DOC-7", Section: "DOC", Kind: KindDate}},
		{"DOC-11.3", Question{ID: "DOC-11.3", Section: "DOC", Parent: "DOC-11", Kind: KindYesNo}},
		{"AUDT-2.8.1", Question{ID: "AUDT-2.8.1", Section: "AUDT", Parent: "AUDT-2.8", Kind: KindYesNo}},
		{"CONN-1", Question{ID: "CONN-1", Section: "CONN", Kind: KindYesNo, Group: true}},
		{"conn-1.1", Question{ID: "CONN-1.1", Section: "CONN", Parent: "CONN-1", Kind: KindYesNo, Group: true}},
		{"CONN-1.2", Question{ID: "CONN-1.2", Section: "CONN", Parent: "CONN-1", Kind: KindYesNo}},
		{"SHAD-15", Question{ID: "SAHD-15", Section: "SAHD", Kind: KindYesNo}},
		{"MPII-3.10", Question{ID: "MPII-3.10", Section: "MPII", Parent: "MPII-3", Kind: KindYesNo}},
	}
	for _, tt := range tests {
		q, ok := Lookup(tt.id)
		if !ok {
			t.Errorf("Lookup(%q) not found", tt.id)
			continue
		}
		if q.Text == "" {
			t.Errorf("%s has no text", q.ID)
		}
		q.Text = ""
		if diff := cmp.Diff(tt.want, q); diff != "" {
			t.Errorf("Lookup(%q) (-want +got):\n%s", tt.id, diff)
		}
	}
	for _, bad := range []string{"", "DOC-12", "AUDT-2.8.3", "SHAD-1", "OTHR-1", "DOC-1-1", "1-1"} {
		if _, ok := Lookup(bad); ok {
			t.Errorf("Lookup(%q) found, want not found", bad)
		}
	}
	if diff := cmp.Diff([]string{"AUDT-2.8.1", "AUDT-2.8.2"}, Children("AUDT-2.8")); diff != "" {
		t.Errorf("Children(AUDT-2.8) (-want +got):\n%s", diff)
	}
	if got := Section("AUDT-2.8.1"); got != "AUDT" {
		t.Errorf("Section(AUDT-2.8.1) = %q", got)
	}
	if got := Section("XYZ-1"); got != "" {
		t.Errorf("Section(XYZ-1) = %q, want empty", got)
	}
}

func TestCanonicalID(t *testing.T) {
	tests := map[string]string{
		"DOC-1": "DOC-1", " doc-1 ": "DOC-1", "AUDT – 2.8.1": "AUDT-2.8.1", "AUDT-2.8.1.": "AUDT-2.8.1",
		"SHAD-15": "SAHD-15", "shad-15": "SAHD-15", "SAHD-15": "SAHD-15", "CSUP-10.1:": "CSUP-10.1",
		"DOC-99": "", "DOC": "", "Question ID": "", "Note 1": "",
	}
	for in, want := range tests {
		got, ok := CanonicalID(in)
		if got != want || ok != (want != "") {
			t.Errorf("CanonicalID(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

// TestCatalogueTextsAreParaphrases guards against copying NEMA's question wording: no catalogue text may
// share a run of 6 or more consecutive words with the form's own text for the same question.
func TestCatalogueTextsAreParaphrases(t *testing.T) {
	_, nemaText := nemaRows(t)
	words := func(s string) []string {
		return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
		})
	}
	const run = 6
	check := func(what, ours, theirs string) {
		o, th := words(ours), " "+strings.Join(words(theirs), " ")+" "
		for i := 0; i+run <= len(o); i++ {
			if frag := " " + strings.Join(o[i:i+run], " ") + " "; strings.Contains(th, frag) {
				t.Errorf("%s: catalogue text repeats the form's wording %q", what, strings.TrimSpace(frag))
				return
			}
		}
	}
	for _, q := range Catalogue() {
		src := nemaText[q.ID]
		if q.ID == "SAHD-15" {
			src = nemaText["SHAD-15"]
		}
		check(q.ID, q.Text, src)
	}
	descriptions := 0
	for _, s := range Sections() {
		if d, ok := nemaText["section "+strings.ToUpper(s.Code)]; ok {
			descriptions++
			check("section "+s.Code, s.Summary, d)
		}
	}
	if descriptions < 20 {
		t.Errorf("found only %d section descriptions in the NEMA example to compare with", descriptions)
	}
}
