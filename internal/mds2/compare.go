package mds2

import (
	"strings"
	"unicode"
)

// Comparison is a side-by-side view of several forms, grouped by section, with differing rows flagged.
type Comparison struct {
	Forms       []FormLabel         // one per compared form, in argument order
	Sections    []SectionComparison // DOC … RMOT, then OTHR
	Differences int                 // number of rows flagged as differing
}

// FormLabel identifies a compared form for column headings.
type FormLabel struct {
	Manufacturer, Device, Models, DocumentID, Released string
}

// SectionComparison holds the rows of one section.
type SectionComparison struct {
	Code, Title string
	Rows        []ComparisonRow
	Differences int
}

// ComparisonRow is one question across all forms. The OTHR section has a single row with ID "OTHR" whose
// cells carry each form's free text.
type ComparisonRow struct {
	ID      string
	Text    string // catalogue paraphrase of the question
	Depth   int    // 0 for "AUDT-2", 1 for "AUDT-2.8", 2 for "AUDT-2.8.1" (for indentation)
	Group   bool   // a group heading
	Cells   []ComparisonCell
	Differs bool
	Reason  string // why the row differs: "answers differ", "details differ", "dates differ", "texts differ", "notes differ"
}

// ComparisonCell is one form's answer in a row.
type ComparisonCell struct {
	Value     Value
	Raw       string
	Detail    string
	Date      string
	Note      string
	NoteTexts []string // texts of the notes the answer refers to, in reference order
}

// Compare lines up the answers of the given forms question by question. A row differs when the normalised
// values differ, or when they agree but what qualifies them differs materially: the detail after Yes/No/N/A,
// the date, the free text, or the text of the referenced notes. "Materially" ignores case, punctuation and
// spacing ("Yes,LDAP" equals "Yes, LDAP"; "Yes, optional" differs from "Yes"). With fewer than two forms
// nothing differs. A nil form counts as a blank form.
func Compare(forms ...*Form) Comparison {
	var c Comparison
	fs := make([]*Form, len(forms))
	for i, f := range forms {
		if f == nil {
			f = NewForm()
		}
		fs[i] = f
		c.Forms = append(c.Forms, FormLabel{Manufacturer: f.Manufacturer, Device: f.Device, Models: f.Models, DocumentID: f.DocumentID, Released: f.Released})
	}
	for _, s := range cat().sections {
		sc := SectionComparison{Code: s.Code, Title: s.Title}
		for _, id := range s.Questions {
			q := cat().questions[cat().questionAt[id]]
			row := ComparisonRow{ID: id, Text: q.Text, Depth: strings.Count(id, "."), Group: q.Group}
			for _, f := range fs {
				a := f.Answer(id)
				cell := ComparisonCell{Value: a.Value, Raw: a.Raw, Detail: a.Detail, Date: a.Date, Note: a.Note}
				for _, n := range a.NoteRefs {
					if t, ok := f.Notes[n]; ok {
						cell.NoteTexts = append(cell.NoteTexts, t)
					}
				}
				row.Cells = append(row.Cells, cell)
			}
			row.Differs, row.Reason = differs(row.Cells)
			sc.Rows = append(sc.Rows, row)
		}
		if s.Code == "OTHR" {
			row := ComparisonRow{ID: "OTHR", Text: s.Summary}
			for _, f := range fs {
				v := ValueText
				if f.Other == "" {
					v = ValueBlank
				}
				row.Cells = append(row.Cells, ComparisonCell{Value: v, Raw: f.Other})
			}
			row.Differs, row.Reason = differs(row.Cells)
			sc.Rows = append(sc.Rows, row)
		}
		for _, r := range sc.Rows {
			if r.Differs {
				sc.Differences++
			}
		}
		c.Differences += sc.Differences
		c.Sections = append(c.Sections, sc)
	}
	return c
}

func differs(cells []ComparisonCell) (bool, string) {
	if len(cells) < 2 {
		return false, ""
	}
	first := cells[0]
	for _, c := range cells[1:] {
		if c.Value != first.Value {
			return true, "answers differ"
		}
	}
	for _, c := range cells[1:] {
		switch first.Value {
		case ValueDate:
			if c.Date != first.Date {
				return true, "dates differ"
			}
		case ValueText:
			if material(c.Raw) != material(first.Raw) {
				return true, "texts differ"
			}
		default:
			if material(c.Detail) != material(first.Detail) {
				return true, "details differ"
			}
		}
	}
	for _, c := range cells[1:] {
		if material(strings.Join(c.NoteTexts, " ")) != material(strings.Join(first.NoteTexts, " ")) {
			return true, "notes differ"
		}
	}
	return false, ""
}

// material reduces a text to what matters for a comparison: lower case words, no punctuation.
func material(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}
