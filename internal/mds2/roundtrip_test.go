package mds2

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/xuri/excelize/v2"
)

var update = flag.Bool("update", false, "rewrite golden files")

// filledForm is a form built the way the web UI builds one.
func filledForm(t testing.TB) *Form {
	t.Helper()
	f := NewForm()
	set := func(id, raw string) {
		if err := f.Set(id, raw); err != nil {
			t.Fatal(err)
		}
	}
	set("DOC-1", "Acme Medical GmbH")
	set("DOC-2", "Infusion pump")
	set("DOC-3", "AP-100, AP-200")
	set("DOC-4", "MDS2-AP-2024-01")
	set("DOC-7", "2024-05-02")
	set("DOC-8", "Yes, see https://acme.example/psirt")
	set("AUTH-1.1", "Yes,LDAP")
	set("PAUT-8", "No")
	set("SHAD-15", "Yes")
	set("SBOM-1", "Yes (CycloneDX 1.5)")
	set("MLDP-2", "See Note 1")
	set("CONN-1", "")
	set("RMOT-1", "=HYPERLINK(\"x\")") // text that looks like a formula stays text
	if err := f.SetNoteColumn("MLDP-2", "See Note 1"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetNote("Note 1", "Application allow-listing instead of anti-malware.\nSee the hardening guide."); err != nil {
		t.Fatal(err)
	}
	if err := f.SetNote("12", "Second note."); err != nil {
		t.Fatal(err)
	}
	if err := f.SetOther("Pumps are used on an isolated VLAN.\nNo Internet access."); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestXLSXRoundTrip(t *testing.T) {
	for name, src := range map[string]*Form{
		"nema":        readFixture(t, nemaPath),
		"medicapture": readFixture(t, medicapturePath),
		"filled":      filledForm(t),
		"blank":       NewForm(),
		"tricky":      trickyForm(t),
	} {
		var buf bytes.Buffer
		if err := WriteXLSX(&buf, src); err != nil {
			t.Fatalf("%s: WriteXLSX: %v", name, err)
		}
		got, err := ReadXLSX(bytes.NewReader(buf.Bytes()), name+".xlsx", 0)
		if err != nil {
			t.Fatalf("%s: ReadXLSX of our own output: %v", name, err)
		}
		if diff := cmp.Diff(src, got, cmpopts.IgnoreFields(Form{}, "Warnings"), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: round trip (-written +read):\n%s", name, diff)
		}
		// The source warnings are about the source (the SHAD-15 misprint); our workbook has none.
		if len(got.Warnings) != 0 {
			t.Errorf("%s: warnings on our own workbook: %q", name, got.Warnings)
		}
	}
}

// trickyForm holds texts that look like layout elements of the sheet.
func trickyForm(t testing.TB) *Form {
	t.Helper()
	f := NewForm()
	for id, raw := range map[string]string{
		"DOC-1": "_x0041_ and _x005F_x000D_", "DOC-2": "Note 2", "DOC-3": "DOC-4", "DOC-4": "Notes:",
		"DOC-5": "AUTOMATIC LOGOFF (ALOF)", "DOC-6": "  leading and trailing  ", "DOC-7": "43747.25",
		"MPII-1": "Yes\n\tindented", "AUTH-1": "'quoted'", "PAUT-1": "😀 emoji",
	} {
		if err := f.Set(id, raw); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SetNoteColumn("DOC-1", "Notes:"); err != nil {
		t.Fatal(err)
	}
	for n, txt := range map[string]string{"1": "Notes:", "2": "OTHER SECURITY CONSIDERATIONS (OTHR)", "3": "Note 4: x"} {
		if err := f.SetNote(n, txt); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SetOther("Notes:\nSEE ALSO (AUDT)\nNote 1: x\nDOC-1"); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestJSONRoundTrip(t *testing.T) {
	for name, src := range map[string]*Form{
		"nema":        readFixture(t, nemaPath),
		"medicapture": readFixture(t, medicapturePath),
		"filled":      filledForm(t),
		"tricky":      trickyForm(t),
	} {
		var buf bytes.Buffer
		if err := WriteJSON(&buf, src); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := ReadJSON(bytes.NewReader(buf.Bytes()), name+".json", 0)
		if err != nil {
			t.Fatalf("%s: ReadJSON of our own output: %v", name, err)
		}
		if diff := cmp.Diff(src, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: round trip (-written +read):\n%s", name, diff)
		}
	}
}

func TestWriteJSONGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, readFixture(t, nemaPath)); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "nema-example.golden.json")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), buf.String()); diff != "" {
		t.Errorf("JSON export differs from %s (-want +got):\n%s", golden, diff)
	}
}

func TestReadJSONRefusals(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"version", `{"format":"vigil-mds2","format_version":2,"form_version":"2019","answers":[]}`,
			`mds2 "version": format_version 2 is not supported (want 1): unsupported document`},
		{"form2013", `{"format":"vigil-mds2","format_version":1,"form_version":"2013","answers":[]}`,
			`mds2 "form2013": form_version "2013": only the 2019 form is supported: unsupported document`},
		{"unknown-id", `{"format":"vigil-mds2","format_version":1,"form_version":"2019","answers":[{"id":"DOC-1","raw":"x"},{"id":"DOC-99","raw":"x"}]}`,
			`mds2 "unknown-id": answers[1].id: "DOC-99" is not a question of the 2019 form: malformed document`},
		{"duplicate", `{"format":"vigil-mds2","format_version":1,"form_version":"2019","answers":[{"id":"SAHD-15","raw":"x"},{"id":"SHAD-15","raw":"y"}]}`,
			`mds2 "duplicate": answers[1].id: SAHD-15 appears twice: malformed document`},
		{"unknown-field", `{"format":"vigil-mds2","format_version":1,"form_version":"2019","answers":[],"extra":1}`,
			`mds2 "unknown-field": json: unknown field "extra": malformed document`},
		{"trailing", `{"format":"vigil-mds2","format_version":1,"form_version":"2019","answers":[]} {}`,
			`mds2 "trailing": json: line 1: invalid character '{' after top-level value: malformed document`},
		{"deep", `{"format":"vigil-mds2","x":` + string(bytes.Repeat([]byte("["), 100)) + string(bytes.Repeat([]byte("]"), 100)) + `}`,
			`mds2 "deep": json: nested deeper than 32 levels (line 1): malformed document`},
		{"note", `{"format":"vigil-mds2","format_version":1,"form_version":"2019","answers":[],"notes":[{"number":"x","text":"y"}]}`,
			`mds2 "note": notes[0].number: "x" is not a note number: malformed document`},
	}
	for _, tt := range tests {
		_, err := ReadJSON(bytes.NewReader([]byte(tt.doc)), tt.name, 0)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: err = %v\nwant %s", tt.name, err, tt.want)
		}
	}
	// A stored value that disagrees with its text is recomputed, with a warning.
	f, err := ReadJSON(bytes.NewReader([]byte(`{"format":"vigil-mds2","format_version":1,"form_version":"2019","answers":[{"id":"PAUT-8","raw":"No","value":"yes"}]}`)), "v", 0)
	if err != nil {
		t.Fatal(err)
	}
	if f.Answer("PAUT-8").Value != ValueNo || len(f.Answers) != 240 {
		t.Errorf("PAUT-8 = %+v, %d answers", f.Answer("PAUT-8"), len(f.Answers))
	}
	wantW := []string{
		`answers[0] (PAUT-8): stored value "yes" differs from the value of its text, "no"; the text decides`,
		`JSON: 239 of the 240 questions are missing (DOC-1, DOC-2, DOC-3, DOC-4, DOC-5, …)`,
	}
	if diff := cmp.Diff(wantW, f.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

// TestWriteXLSXLayout checks the workbook cell by cell where the layout matters to other tools.
func TestWriteXLSXLayout(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, readFixture(t, nemaPath)); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if diff := cmp.Diff([]string{SheetName}, x.GetSheetList()); diff != "" {
		t.Errorf("sheets (-want +got):\n%s", diff)
	}
	rows, err := x.GetRows(SheetName)
	if err != nil {
		t.Fatal(err)
	}
	find := func(col0 string) []string {
		for _, r := range rows {
			if len(r) > 0 && r[0] == col0 {
				return r
			}
		}
		t.Fatalf("no row with %q in column A", col0)
		return nil
	}
	if diff := cmp.Diff([]string{"Question ID", "Question", "Answer", "See note", "IEC TR 80001-2-2:2012", "NIST SP 800-53 Rev. 4", "ISO 27002:2013"}, rows[3]); diff != "" {
		t.Errorf("header row (-want +got):\n%s", diff)
	}
	if r := find("DOC-7"); r[2] != "2019-10-09" { // formatted view of the serial date cell
		t.Errorf("DOC-7 shown as %q", r[2])
	}
	if typ, _ := x.GetCellType(SheetName, "C"+rowOf(t, rows, "DOC-7")); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("DOC-7 cell type %v, want a number", typ)
	}
	dvs, err := x.GetDataValidations(SheetName)
	switch {
	case err != nil || len(dvs) == 0:
		t.Errorf("data validations: %d (%v)", len(dvs), err)
	case dvs[0].Sqref != "C12:C19" || dvs[0].ShowErrorMessage:
		t.Errorf("first data validation on %q (error message %v), want C12:C19 (DOC-8 … DOC-11.4) without error", dvs[0].Sqref, dvs[0].ShowErrorMessage)
	}
	if r := find("SAHD-15"); r[2] != "Yes" {
		t.Errorf("SAHD-15 row %q", r)
	}
	if r := find("EMRG-1"); len(r) < 7 || r[3] != "See Note 2" || r[5] != "SI-17" {
		t.Errorf("EMRG-1 row %q", r)
	}
	if r := find("Note 8"); r[1] != "www.companywebsite.com/support/thisdevice" {
		t.Errorf("note 8 row %q", r)
	}
	titles := 0
	for _, r := range rows {
		if len(r) > 1 && r[1] != "" && SectionTitle(sectionCode(r[1])) == r[1] {
			titles++
		}
	}
	if titles != 22 { // ALOF … RMOT and OTHR; MPII's title has no code and DOC has no header row
		t.Errorf("%d section header rows, want 22", titles)
	}
}

func rowOf(t *testing.T, rows [][]string, id string) string {
	for i, r := range rows {
		if len(r) > 0 && r[0] == id {
			return strconv.Itoa(i + 1)
		}
	}
	t.Fatalf("no row %s", id)
	return ""
}

func sectionCode(title string) string {
	if m := sectionHeaderRe.FindStringSubmatch(title); m != nil {
		return m[1]
	}
	return ""
}
