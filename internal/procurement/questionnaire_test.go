package procurement

import (
	"archive/zip"
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

func questionnaire(t *testing.T, cat *Catalogue, prefill map[string]Answer) []byte {
	t.Helper()
	var buf bytes.Buffer
	meta := QuestionnaireMeta{Organisation: "Nordstadt University Hospital", TenderRef: "T-2026-014", TenderTitle: "Infusion pumps",
		Deadline: time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC), Vendor: "Meridian Medical Systems"}
	if err := WriteQuestionnaire(&buf, cat, meta, prefill); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestQuestionnaireRoundTrip(t *testing.T) {
	cat := builtin(t, CatalogueDevice)
	prefill := map[string]Answer{
		"dev.support-period": {Value: "2036-12-31", Evidence: "offer p. 12", Comment: "for firmware 4.x"},
		"dev.patch-timeline": {Value: "30", Evidence: "service contract §7"},
		"dev.csaf":           {Value: "Yes", Evidence: "https://example.org/.well-known/csaf/provider-metadata.json"},
		"dev.auth":           {Value: "Yes, LDAP", Comment: "Ünïcödé ≥ text — € kept"},
		"dev.pentest":        {Comment: "report under NDA"},
	}
	b := questionnaire(t, cat, prefill)
	res, err := ReadQuestionnaire(bytes.NewReader(b), "q.xlsx", cat)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Answer{}
	for id, a := range prefill {
		a.Criterion = id
		want[id] = a
	}
	// Rows: the table header is row 7, criteria follow in catalogue order.
	for i, cr := range cat.Criteria {
		if a, ok := want[cr.ID]; ok {
			a.Row = 8 + i
			want[cr.ID] = a
		}
	}
	if diff := cmp.Diff(want, res.Answers); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
	if res.Vendor != "Meridian Medical Systems" || res.TenderRef != "T-2026-014" || len(res.Errors) != 0 || len(res.Warnings) != 0 {
		t.Errorf("vendor %q, tender %q, errors %v, warnings %v", res.Vendor, res.TenderRef, res.Errors, res.Warnings)
	}

	// A vendor's edits: a bad date, an unknown criterion, a duplicate row, an answer without an id.
	x, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	row := func(id string) int {
		for i, cr := range cat.Criteria {
			if cr.ID == id {
				return 8 + i
			}
		}
		t.Fatalf("no %s", id)
		return 0
	}
	set := func(cell string, v any) {
		if err := x.SetCellValue(QuestionnaireSheet, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	set("H"+itoa(row("dev.support-period")), "when the device is retired")
	set("H"+itoa(row("dev.patch-timeline")), "soon")
	set("A"+itoa(row("dev.training")), "dev.unknown")
	last := 8 + len(cat.Criteria)
	set("A"+itoa(last), "dev.auth")
	set("H"+itoa(last), "No")
	set("H"+itoa(last+1), "an orphan answer")
	var out bytes.Buffer
	if _, err := x.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	res, err = ReadQuestionnaire(bytes.NewReader(out.Bytes()), "returned.xlsx", cat)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range res.Errors {
		got = append(got, e.Error())
	}
	wantErrs := []string{
		"Questionnaire!H" + itoa(row("dev.patch-timeline")) + " (row " + itoa(row("dev.patch-timeline")) + ", column Answer) dev.patch-timeline: \"soon\" is not a number of days",
		"Questionnaire!H" + itoa(row("dev.support-period")) + " (row " + itoa(row("dev.support-period")) + ", column Answer) dev.support-period: \"when the device is retired\" is not a date (write it as YYYY-MM-DD)",
		"Questionnaire!A" + itoa(row("dev.training")) + " (row " + itoa(row("dev.training")) + ", column ID) dev.unknown: \"dev.unknown\" is not a criterion of this tender",
		"Questionnaire!A" + itoa(last) + " (row " + itoa(last) + ", column ID) dev.auth: criterion answered twice (first in row " + itoa(row("dev.auth")) + ")",
		"Questionnaire!A" + itoa(last+1) + " (row " + itoa(last+1) + ", column ID): an answer without a criterion ID",
	}
	if diff := cmp.Diff(wantErrs, got); diff != "" {
		t.Errorf("cell errors (-want +got):\n%s", diff)
	}
	if _, ok := res.Answers["dev.patch-timeline"]; ok {
		t.Errorf("an unusable answer was kept")
	}
	if res.Answers["dev.csaf"].Value != "Yes" {
		t.Errorf("good answers must survive bad ones: %+v", res.Answers["dev.csaf"])
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "dev.training") {
		t.Errorf("warnings: %v", res.Warnings)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestQuestionnaireHostile(t *testing.T) {
	cat := builtin(t, CatalogueDevice)
	zipOf := func(files map[string]string) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for n, c := range files {
			w, _ := zw.Create(n)
			w.Write([]byte(c))
		}
		zw.Close()
		return buf.Bytes()
	}
	bomb := func() []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create("[Content_Types].xml")
		w.Write(bytes.Repeat([]byte("a"), 20<<20))
		zw.Close()
		return buf.Bytes()
	}()
	other := func() []byte {
		x := excelize.NewFile()
		defer x.Close()
		x.SetCellValue("Sheet1", "A1", "hello")
		var buf bytes.Buffer
		x.WriteTo(&buf)
		return buf.Bytes()
	}()
	noHeader := func() []byte {
		x := excelize.NewFile()
		defer x.Close()
		x.SetSheetName("Sheet1", QuestionnaireSheet)
		x.SetCellValue(QuestionnaireSheet, "A1", "something else")
		var buf bytes.Buffer
		x.WriteTo(&buf)
		return buf.Bytes()
	}()
	for _, tc := range []struct {
		name string
		in   []byte
		is   error
		msg  string
	}{
		{"PDF", []byte("%PDF-1.7 ..."), ErrNotQuestionnaire, "not a zip"},
		{"plain zip", zipOf(map[string]string{"a.txt": "x"}), ErrNotQuestionnaire, "not an Office Open XML workbook"},
		{"zip bomb", bomb, ErrUnsafeWorkbook, ""},
		{"another workbook", other, ErrNotQuestionnaire, `no sheet "Questionnaire"`},
		{"no header", noHeader, ErrNotQuestionnaire, `no header row`},
		{"truncated", questionnaire(t, cat, nil)[:3000], nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadQuestionnaire(bytes.NewReader(tc.in), tc.name+".xlsx", cat)
			if err == nil {
				t.Fatal("accepted")
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("%v is not %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.msg) || !strings.Contains(err.Error(), tc.name+".xlsx") {
				t.Errorf("%v lacks %q or the file name", err, tc.msg)
			}
		})
	}
	big := make([]byte, MaxQuestionnaireBytes+1)
	if _, err := ReadQuestionnaire(bytes.NewReader(big), "big.xlsx", cat); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("size limit: %v", err)
	}
}
