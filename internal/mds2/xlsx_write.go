package mds2

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/lazyre"
	"github.com/xuri/excelize/v2"
)

// SheetName is the name of the form sheet in the 2019 workbook.
const SheetName = "mds2-form"

// Banner is the first row of a workbook written by WriteXLSX.
const Banner = "Exported by Vigil. Question ids follow ANSI/NEMA HN 1-2019; the question texts are short paraphrases, not the form's wording."

var mappingHeadings = [3]string{"IEC TR 80001-2-2:2012", "NIST SP 800-53 Rev. 4", "ISO 27002:2013"}

// WriteXLSX writes f as a workbook in the 2019 layout: one sheet "mds2-form", a banner and title row, the
// column header row (A question id, B question, C answer, D note, E–G mappings), the DOC rows, the answer
// vocabulary row, then every section with its header row, a one-line summary and its question rows, the OTHR
// free text (in column C), and the notes block ("Note N" | text). Question texts are this package's paraphrases. SAHD-15 is
// written with its correct id (the official form misprints it as SHAD-15). A date answer whose text is an
// Excel serial number is written as a date cell; every other answer is written as text, so that ReadXLSX
// returns the same answers, notes and OTHR text.
func WriteXLSX(w io.Writer, f *Form) error {
	if f == nil {
		return fmt.Errorf("mds2: write xlsx: nil form")
	}
	x := excelize.NewFile()
	defer x.Close()
	if err := x.SetSheetName("Sheet1", SheetName); err != nil {
		return fmt.Errorf("mds2: write xlsx: %w", err)
	}
	st, err := newStyles(x)
	if err != nil {
		return fmt.Errorf("mds2: write xlsx: %w", err)
	}
	wr := &sheetWriter{x: x}
	wr.row(st.banner, Banner)
	wr.row(st.title, "Manufacturer Disclosure Statement for Medical Device Security -- MDS2")
	wr.row(0)
	wr.row(st.header, "Question ID", "Question", "Answer", "See note", mappingHeadings[0], mappingHeadings[1], mappingHeadings[2])
	for _, s := range cat().sections {
		switch s.Code {
		case "DOC":
		case "MPII":
			wr.row(0)
			wr.row(st.header, "", "", "Yes, No, N/A, or See Note", "Note #")
			wr.row(st.section, "", s.Title, "", "", mappingHeadings[0], mappingHeadings[1], mappingHeadings[2])
			wr.row(st.summary, "", s.Summary)
		case "OTHR":
			wr.row(0)
			wr.row(st.section, "", s.Title, "", "", mappingHeadings[0], mappingHeadings[1], mappingHeadings[2])
			// Column C, not B: a text such as "Notes:" or "… (AUDT)" in B would read back as a heading.
			wr.row(st.text, "", "", f.Other)
		default:
			wr.row(0)
			wr.row(st.section, "", s.Title, "", "", mappingHeadings[0], mappingHeadings[1], mappingHeadings[2])
			wr.row(st.summary, "", s.Summary)
		}
		for _, id := range s.Questions {
			q := cat().questions[cat().questionAt[id]]
			a := f.Answer(id)
			note := a.Note
			if note == "" {
				note = "__"
			}
			wr.n++
			cells := []any{id, q.Text, a.Raw, note, a.Mapping.IEC, a.Mapping.NIST, a.Mapping.ISO}
			if q.Kind == KindDate && a.Value == ValueDate && serialRe.MatchString(a.Raw) {
				if v, err := strconv.ParseFloat(a.Raw, 64); err == nil && strconv.FormatFloat(v, 'f', -1, 64) == a.Raw {
					cells[2] = v
				}
			}
			if err := wr.set(cells); err != nil {
				return fmt.Errorf("mds2: write xlsx: %s: %w", id, err)
			}
			if q.Kind == KindYesNo {
				wr.yesNo = append(wr.yesNo, wr.n)
			}
			style := st.text
			if q.Group {
				style = st.group
			}
			wr.style(style)
			if _, ok := cells[2].(float64); ok {
				wr.cellStyle(2, st.date)
			}
		}
	}
	wr.row(0)
	wr.row(st.section, "", "Notes:")
	for _, n := range f.NoteNumbers() {
		wr.row(st.text, "Note "+n, f.Notes[n])
	}
	if wr.err != nil {
		return fmt.Errorf("mds2: write xlsx: %w", wr.err)
	}
	for col, width := range map[string]float64{"A": 13, "B": 70, "C": 32, "D": 12, "E": 20, "F": 20, "G": 20} {
		if err := x.SetColWidth(SheetName, col, col, width); err != nil {
			return fmt.Errorf("mds2: write xlsx: %w", err)
		}
	}
	if err := x.SetPanes(SheetName, &excelize.Panes{Freeze: true, YSplit: 4, TopLeftCell: "A5", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("mds2: write xlsx: %w", err)
	}
	if err := addVocabularyValidation(x, wr.yesNo); err != nil {
		return fmt.Errorf("mds2: write xlsx: %w", err)
	}
	if _, err := x.WriteTo(w); err != nil {
		return fmt.Errorf("mds2: write xlsx: %w", err)
	}
	return nil
}

type styles struct{ banner, title, header, section, summary, text, group, date int }

func newStyles(x *excelize.File) (styles, error) {
	var s styles
	wrap := &excelize.Alignment{WrapText: true, Vertical: "top"}
	dateFmt := "yyyy-mm-dd"
	defs := []struct {
		dst *int
		st  *excelize.Style
	}{
		{&s.banner, &excelize.Style{Font: &excelize.Font{Italic: true, Color: "7F7F7F"}}},
		{&s.title, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}},
		{&s.header, &excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: wrap, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9D9D9"}}}},
		{&s.section, &excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}}},
		{&s.summary, &excelize.Style{Font: &excelize.Font{Italic: true}, Alignment: wrap}},
		{&s.text, &excelize.Style{Alignment: wrap}},
		{&s.group, &excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: wrap}},
		{&s.date, &excelize.Style{Alignment: wrap, CustomNumFmt: &dateFmt}},
	}
	for _, d := range defs {
		id, err := x.NewStyle(d.st)
		if err != nil {
			return s, err
		}
		*d.dst = id
	}
	return s, nil
}

// sheetWriter appends rows to the form sheet and remembers the first error.
type sheetWriter struct {
	x     *excelize.File
	n     int   // current row number
	yesNo []int // rows of yes/no questions
	err   error
}

func (w *sheetWriter) row(style int, cells ...string) {
	w.n++
	vals := make([]any, len(cells))
	for i, c := range cells {
		vals[i] = c
	}
	if err := w.set(vals); err != nil && w.err == nil {
		w.err = err
	}
	if style != 0 && len(cells) > 0 {
		w.style(style)
	}
}

// set writes the cells of the current row; strings always as text cells (never formulas or numbers).
func (w *sheetWriter) set(cells []any) error {
	for i, c := range cells {
		ref, _ := excelize.CoordinatesToCellName(i+1, w.n)
		var err error
		switch v := c.(type) {
		case string:
			if v == "" {
				continue
			}
			err = w.x.SetCellStr(SheetName, ref, escapeBSTR(v))
		case float64:
			err = w.x.SetCellFloat(SheetName, ref, v, -1, 64)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

var bstrRe = lazyre.New(`^_x[0-9A-Fa-f]{4}_`)

// escapeBSTR protects literal "_xHHHH_" sequences, which spreadsheet readers decode as escaped characters,
// by writing their leading underscore as "_x005F_" (ECMA-376 Part 1, 22.9.2.19). Overlapping sequences
// ("_x005F_x000D_") are handled: every underscore that starts such a sequence is escaped.
func escapeBSTR(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '_' && bstrRe.MatchString(s[i:]) {
			sb.WriteString("_x005F_")
			continue
		}
		sb.WriteByte(s[i])
	}
	return sb.String()
}

func (w *sheetWriter) style(style int) {
	if err := w.x.SetCellStyle(SheetName, fmt.Sprintf("A%d", w.n), fmt.Sprintf("G%d", w.n), style); err != nil && w.err == nil {
		w.err = err
	}
}

func (w *sheetWriter) cellStyle(col, style int) {
	ref, _ := excelize.CoordinatesToCellName(col+1, w.n)
	if err := w.x.SetCellStyle(SheetName, ref, ref, style); err != nil && w.err == nil {
		w.err = err
	}
}

// addVocabularyValidation offers the Yes/No/N/A/See Note vocabulary as a drop-down on the answer cells of
// yes/no questions without rejecting free text ("Yes, optional" stays possible).
func addVocabularyValidation(x *excelize.File, rows []int) error {
	for i := 0; i < len(rows); {
		j := i
		for j+1 < len(rows) && rows[j+1] == rows[j]+1 {
			j++
		}
		dv := excelize.NewDataValidation(true)
		dv.Sqref = fmt.Sprintf("C%d:C%d", rows[i], rows[j])
		if err := dv.SetDropList([]string{"Yes", "No", "N/A", "See Note"}); err != nil {
			return err
		}
		dv.ShowErrorMessage = false
		if err := x.AddDataValidation(SheetName, dv); err != nil {
			return err
		}
		i = j + 1
	}
	return nil
}
