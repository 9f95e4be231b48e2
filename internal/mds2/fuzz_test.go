package mds2

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/xuri/excelize/v2"
)

// checkForm asserts the invariants every reader promises.
func checkForm(t *testing.T, f *Form) {
	t.Helper()
	if f.FormVersion != FormVersion || len(f.Answers) != len(cat().questions) {
		t.Fatalf("form version %q, %d answers", f.FormVersion, len(f.Answers))
	}
	for _, q := range cat().questions {
		a, ok := f.Answers[q.ID]
		if !ok || a.ID != q.ID || !a.Value.Valid() {
			t.Fatalf("answer %s = %+v", q.ID, a)
		}
		if a.Raw != cleanText(a.Raw) || textLen(a.Raw) > MaxTextLen {
			t.Fatalf("answer %s raw not clean: %q", q.ID, a.Raw)
		}
		if (a.Value == ValueDate) != (a.Date != "") {
			t.Fatalf("answer %s: value %s, date %q", q.ID, a.Value, a.Date)
		}
	}
	for n, txt := range f.Notes {
		if _, ok := noteNumber(n); !ok || txt == "" || txt != cleanText(txt) {
			t.Fatalf("note %q = %q", n, txt)
		}
	}
	if f.Released != f.Answers["DOC-7"].Date || f.Manufacturer != f.Answers["DOC-1"].Raw {
		t.Fatalf("header out of sync")
	}
}

// roundTrip writes f as xlsx and JSON and reads both back; the forms must be equal (warnings aside for
// xlsx, whose source warnings describe the source).
func roundTrip(t *testing.T, f *Form) {
	t.Helper()
	var x bytes.Buffer
	if err := WriteXLSX(&x, f); err != nil {
		t.Fatalf("WriteXLSX: %v", err)
	}
	got, err := ReadXLSX(bytes.NewReader(x.Bytes()), "roundtrip.xlsx", 0)
	if err != nil {
		t.Fatalf("ReadXLSX of our own output: %v", err)
	}
	if diff := cmp.Diff(f, got, cmpopts.IgnoreFields(Form{}, "Warnings"), cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("xlsx round trip (-written +read):\n%s", diff)
	}
	var j bytes.Buffer
	if err := WriteJSON(&j, f); err != nil {
		t.Fatalf("WriteJSON: %v", err)
	}
	got, err = ReadJSON(bytes.NewReader(j.Bytes()), "roundtrip.json", 0)
	if err != nil {
		t.Fatalf("ReadJSON of our own output: %v", err)
	}
	if diff := cmp.Diff(f, got, cmpopts.IgnoreFields(Form{}, "Warnings"), cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("json round trip (-written +read):\n%s", diff)
	}
}

func FuzzReadXLSX(f *testing.F) {
	f.Add(nemaBytes(f))
	var ours bytes.Buffer
	if err := WriteXLSX(&ours, filledForm(f)); err != nil {
		f.Fatal(err)
	}
	f.Add(ours.Bytes())
	f.Add(buildWorkbook(f, sheet{"MDS2", [][]string{
		{"", "Question ID", "Question", "Answer", "See note"},
		{"", "DOC-7", "date", "43747"},
		{"", "SHAD-15", "bios", "Yes, optional", "See Note 1"},
		{"", "CONN-1", "group"},
		{"", "", "OTHER SECURITY CONSIDERATIONS (OTHR)"},
		{"", "", "Offline use."},
		{"", "Notes:"},
		{"", "Note 1", "Text."},
	}}))
	f.Add(buildWorkbook(f, sheet{"Page 1", [][]string{{"1", "AUTOMATIC LOGOFF (ALOF)"}, {"1-1", "q", "Yes"}}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		form, err := ReadXLSX(bytes.NewReader(data), "fuzz.xlsx", 1<<20)
		if err != nil {
			return
		}
		checkForm(t, form)
		roundTrip(t, form)
	})
}

// FuzzReadXLSXCells fuzzes the sheet-level reader. Byte mutations of a real xlsx almost never get past the
// zip layer (deflate and CRC-32), so this target builds a workbook from fuzzed cell texts: lines are rows,
// tabs separate cells; "|" in the first line names the sheets ("Cover|mds2-form").
func FuzzReadXLSXCells(f *testing.F) {
	nema, _ := nemaRows(f)
	var sb strings.Builder
	sb.WriteString("mds2-form\n")
	sb.WriteString("Question ID\tQuestion\tAnswer\tSee note\n")
	for i, id := range nema {
		ans := []string{"Yes", "No", "N/A", "Yes, optional", "See Note 1", "43747", ""}[i%7]
		sb.WriteString(id + "\tq\t" + ans + "\t__\n")
	}
	sb.WriteString("\tOTHER SECURITY CONSIDERATIONS (OTHR)\n\tNONE\n\tNotes:\nNote 1\tText\n\tmore\n")
	f.Add(sb.String())
	f.Add("Cover|MDS2\nx\n\tQuestion ID\n\tDOC-7\tq\t20.03.2024\n\tSHAD-15\tq\tYes\n\tCONN-1\n\tAUDT-9\tq\tYes\n")
	f.Add("Page 1\n1\tAUTOMATIC LOGOFF (ALOF)\n1-1\tq\tYes\n1-2\tq\tNo\n")
	f.Fuzz(func(t *testing.T, spec string) {
		lines := strings.Split(spec, "\n")
		names := strings.Split(lines[0], "|")
		var sheets []sheet
		seen := map[string]bool{}
		for _, n := range names {
			n = strings.TrimSpace(n)
			if n == "" || len(n) > 31 || strings.ContainsAny(n, ":\\/?*[]'") || seen[strings.ToLower(n)] || len(sheets) == 3 {
				continue
			}
			seen[strings.ToLower(n)] = true
			sheets = append(sheets, sheet{name: n})
		}
		if len(sheets) == 0 {
			sheets = append(sheets, sheet{name: "mds2-form"})
		}
		for i, l := range lines[1:] {
			if i >= 400 {
				break
			}
			cells := strings.Split(l, "\t")
			if len(cells) > 8 {
				cells = cells[:8]
			}
			for j := range cells {
				cells[j] = strings.ToValidUTF8(cells[j], "")
				if len(cells[j]) > 2000 {
					cells[j] = cells[j][:2000]
				}
			}
			s := &sheets[i%len(sheets)]
			s.rows = append(s.rows, cells)
		}
		data := buildWorkbook(t, sheets...)
		form, err := ReadXLSX(bytes.NewReader(data), "cells.xlsx", 0)
		if err != nil {
			if !errors.Is(err, ErrUnsupported) {
				t.Fatalf("a well-formed workbook was refused with %v", err)
			}
			return
		}
		checkForm(t, form)
		roundTrip(t, form)
	})
}

func FuzzReadMarkdown(f *testing.F) {
	md, err := os.ReadFile(medicapturePath)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(md))
	f.Add("| Question ID | Question | Answer | Note |\n|---|---|---|---|\n| DOC-1 | x | Acme | |\n| AUTH-1 | y | Yes \\| z | See Note 1 |\n| PAUT-8 | z | No | |\nNote 1: Text\n## OTHER SECURITY CONSIDERATIONS (OTHR)\nfree text\n")
	f.Add("DOC-7:Date:2026-03-20\nSHAD-15,\"q?\": Yes,\"a, b\"\nCONN-1,q?____\nRDMP-4,q?: No: none\n")
	f.Add("1 AUTOMATIC LOGOFF (ALOF)\n1-1 q Yes\n1-2 q No\n")
	f.Fuzz(func(t *testing.T, text string) {
		form, err := ReadMarkdown(strings.NewReader(text), "fuzz.md", 1<<20)
		if err != nil {
			return
		}
		checkForm(t, form)
		roundTrip(t, form)
	})
}

func FuzzReadJSON(f *testing.F) {
	var js bytes.Buffer
	if err := WriteJSON(&js, filledForm(f)); err != nil {
		f.Fatal(err)
	}
	f.Add(js.Bytes())
	f.Add([]byte(`{"format":"vigil-mds2","format_version":1,"form_version":"2019","answers":[{"id":"SHAD-15","raw":"Yes","note":"See Note 2"}],"notes":[{"number":"2","text":"x"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		form, err := ReadJSON(bytes.NewReader(data), "fuzz.json", 1<<20)
		if err != nil {
			return
		}
		checkForm(t, form)
		roundTrip(t, form)
	})
}

// FuzzSet covers Set and the normalisation: any text is accepted for a valid id (up to MaxTextLen), the
// stored answer is stable when set again, and it survives xlsx and JSON.
func FuzzSet(f *testing.F) {
	for _, s := range [][2]string{
		{"DOC-7", "43747"}, {"DOC-7", "20.03.2026"}, {"AUTH-1.1", "Yes,LDAP"}, {"PAUT-4", "No: No default accounts"},
		{"SHAD-15", "Yes, optional"}, {"SAHD-16", "See Notes 3 and 4"}, {"DOC-1", "=SUM(A1)"}, {"MPII-1", "n/a\r\n(x)"},
		{"CONN-1", "____"}, {"doc-11.1", "_x000D_ text"}, {"RMOT-1", "Yes\x00\x1f"},
	} {
		f.Add(s[0], s[1], "See Note 1")
	}
	f.Fuzz(func(t *testing.T, id, raw, note string) {
		form := NewForm()
		err := form.Set(id, raw)
		_, valid := CanonicalID(id)
		if !valid {
			if err == nil {
				t.Fatalf("Set accepted id %q", id)
			}
			return
		}
		if err != nil {
			if textLen(cleanText(raw)) <= MaxTextLen {
				t.Fatalf("Set(%q, %q): %v", id, raw, err)
			}
			return
		}
		if err := form.SetNoteColumn(id, note); err != nil {
			return
		}
		a := form.Answer(id)
		if a.Raw != cleanText(raw) || !a.Value.Valid() {
			t.Fatalf("Set(%q, %q) stored %+v", id, raw, a)
		}
		if err := form.Set(id, a.Raw); err != nil || !cmp.Equal(a, form.Answer(id), cmpopts.EquateEmpty()) {
			t.Fatalf("Set is not stable: %+v then %+v (%v)", a, form.Answer(id), err)
		}
		checkForm(t, form)
		// The whole-workbook round trip is covered by the reader fuzzers; here the texts go through a
		// one-sheet workbook (same cell writer and reader path), which is much faster per input.
		for _, txt := range []string{a.Raw, a.Note} {
			if got := cellRoundTrip(t, txt); got != txt {
				t.Fatalf("xlsx cell round trip: wrote %q, read %q", txt, got)
			}
		}
		var j bytes.Buffer
		if err := WriteJSON(&j, form); err != nil {
			t.Fatal(err)
		}
		got, err := ReadJSON(bytes.NewReader(j.Bytes()), "set.json", 0)
		ignore := cmpopts.IgnoreFields(Form{}, "Warnings") // ReadJSON adds "refers to note 1, which …"
		if err != nil || !cmp.Equal(form, got, cmpopts.EquateEmpty(), ignore) {
			t.Fatalf("json round trip: %v\n%s", err, cmp.Diff(form, got, cmpopts.EquateEmpty(), ignore))
		}
	})
}

// cellRoundTrip writes s into a cell the way WriteXLSX does and reads it back the way ReadXLSX does.
func cellRoundTrip(t *testing.T, s string) string {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	if err := x.SetSheetName("Sheet1", SheetName); err != nil {
		t.Fatal(err)
	}
	w := &sheetWriter{x: x, n: 1}
	if err := w.set([]any{s}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	y, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer y.Close()
	rows, err := y.Rows(SheetName)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if !rows.Next() {
		return ""
	}
	cols, err := rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil || len(cols) == 0 {
		return ""
	}
	return cleanText(cols[0])
}
