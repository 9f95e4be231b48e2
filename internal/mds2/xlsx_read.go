package mds2

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/vigil-med/vigil/internal/lazyre"
	"github.com/vigil-med/vigil/internal/zipguard"
	"github.com/xuri/excelize/v2"
)

const (
	maxSheets   = 64    // sheets looked at
	maxRows     = 10000 // rows read per sheet (the 2019 form has about 350)
	minIDs      = 3     // question ids a sheet needs before it counts as an MDS2 form
	idColumns   = 5     // the id column is searched among columns A–E (vendors sometimes insert one)
	maxTextRead = 1 << 20
)

// ReadXLSX reads an MDS2 2019 form from an xlsx workbook as vendors fill it.
//
// Before the workbook is opened, the zip is checked (see package zipguard: entry count, uncompressed size,
// compression ratio, truncation, encryption) and must be an Office Open XML workbook. The form sheet is the one
// named "mds2-form", or else the sheet whose id column (normally A) carries the most question ids. Rows
// without an id (banners, titles, section headers, blank group headers) are skipped; the OTHR free text and the
// notes block ("Note 1" | text) are collected. Column C is the answer, D the note column, E–G the mapping.
// Answers are normalised on their leading token; DOC-7 may be an Excel serial date; SHAD-15 is stored as
// SAHD-15 with a warning. A 2013 form or a workbook without question ids is refused with ErrUnsupported and a
// message saying what was found.
func ReadXLSX(r io.Reader, name string, limit int64) (*Form, error) {
	b, err := readLimited(r, name, limit)
	if err != nil {
		return nil, err
	}
	return readXLSXBytes(b, name)
}

// zipLimits bound an MDS2 workbook: the real forms hold about 15 entries and well under 1 MiB of XML.
var zipLimits = zipguard.Limits{MaxEntries: 1000, MaxTotal: 32 << 20, MaxEntry: 24 << 20, MaxRatio: 100, RatioFloor: 1 << 20}

func readXLSXBytes(b []byte, name string) (form *Form, err error) {
	lim := zipLimits
	if _, err := zipguard.CheckWorkbook(b, lim); err != nil {
		if errors.Is(err, zipguard.ErrNotWorkbook) || errors.Is(err, zipguard.ErrNotZip) {
			return nil, fmt.Errorf("mds2 %q: %v: %w", name, err, ErrUnsupported)
		}
		return nil, fmt.Errorf("mds2 %q: %v: %w", name, err, ErrUnsafe)
	}
	// excelize is a large parser of untrusted XML; a panic inside it must not take the caller down.
	defer func() {
		if p := recover(); p != nil {
			form, err = nil, fmt.Errorf("mds2 %q: workbook could not be parsed (%v): %w", name, p, ErrMalformed)
		}
	}()
	x, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{UnzipSizeLimit: lim.MaxTotal, UnzipXMLSizeLimit: lim.MaxTotal})
	if err != nil {
		return nil, fmt.Errorf("mds2 %q: open workbook: %v: %w", name, err, ErrMalformed)
	}
	defer x.Close()

	sheets := x.GetSheetList()
	if len(sheets) > maxSheets {
		sheets = sheets[:maxSheets]
	}
	type candidate struct {
		sheet string
		col   int
		ids   int
	}
	var best *candidate
	var old2013 []string
	for _, s := range sheets {
		counts, sig, err := scanSheet(x, s)
		if err != nil {
			return nil, fmt.Errorf("mds2 %q: sheet %q: %v: %w", name, s, err, ErrMalformed)
		}
		col := 0
		for i := range counts {
			if counts[i] > counts[col] {
				col = i
			}
		}
		if counts[col] >= minIDs {
			c := &candidate{s, col, counts[col]}
			preferred := strings.EqualFold(strings.TrimSpace(s), "mds2-form")
			if best == nil || preferred || (c.ids > best.ids && !strings.EqualFold(strings.TrimSpace(best.sheet), "mds2-form")) {
				best = c
			}
		}
		if len(sig) > 0 && old2013 == nil {
			old2013 = append([]string{fmt.Sprintf("sheet %q", s)}, sig...)
		}
	}
	if best == nil {
		if old2013 != nil {
			return nil, fmt.Errorf("mds2 %q: this looks like an MDS2 2013 form (%s); only the 2019 form (ANSI/NEMA HN 1-2019) is supported: %w",
				name, strings.Join(old2013, ", "), ErrUnsupported)
		}
		quoted := make([]string, len(sheets))
		for i, s := range sheets {
			quoted[i] = fmt.Sprintf("%q", s)
		}
		return nil, fmt.Errorf("mds2 %q: no MDS2 question ids found in sheets %s: %w", name, strings.Join(quoted, ", "), ErrUnsupported)
	}
	form, err = parseSheet(x, best.sheet, best.col)
	if err != nil {
		return nil, fmt.Errorf("mds2 %q: sheet %q: %v: %w", name, best.sheet, err, ErrMalformed)
	}
	return form, nil
}

// scanSheet counts question ids per candidate id column and collects signs of a 2013 form.
func scanSheet(x *excelize.File, sheet string) (counts [idColumns]int, sig2013 []string, err error) {
	rows, err := x.Rows(sheet)
	if err != nil {
		return counts, nil, err
	}
	defer rows.Close()
	var d detector2013
	for n := 1; n <= maxRows && rows.Next(); n++ {
		cols, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return counts, nil, err
		}
		for i := 0; i < idColumns && i < len(cols); i++ {
			if _, ok := CanonicalID(cols[i]); ok {
				counts[i]++
			}
		}
		var texts []string
		for i := 0; i < 4 && i < len(cols); i++ {
			if t := strings.TrimSpace(cols[i]); t != "" && len(t) < 300 {
				texts = append(texts, t)
			}
		}
		d.line(texts)
	}
	return counts, d.evidence(), rows.Error()
}

var (
	sectionHeaderRe = lazyre.New(`\(\s*([A-Za-z]{3,4})\s*\)\s*$`)
	noteInlineRe    = lazyre.New(`(?is)^note\s*(?:#|no\.|nr\.)?\s*0*([1-9][0-9]{0,3})\s*[:.)\-–]\s*(.+)$`)
)

// isSectionTitle reports whether s, ending in "(code)", is a section header row: a known code and an
// upper-case title such as "AUTOMATIC LOGOFF (ALOF)" (the form writes "SBoM" in mixed case).
func isSectionTitle(s, code string) bool {
	if SectionTitle(code) == "" || len(s) > 120 {
		return false
	}
	s = strings.ReplaceAll(s, "SBoM", "SBOM")
	return s == strings.ToUpper(s)
}

func isNotesHeading(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	return s == "notes" || s == "notes:" || s == "note:" || s == "notes :"
}

// parseSheet reads the form rows of the chosen sheet; col is the id column (0 = A).
func parseSheet(x *excelize.File, sheet string, col int) (*Form, error) {
	f := &Form{FormVersion: FormVersion, Answers: map[string]Answer{}, Notes: map[string]string{}}
	rows, err := x.Rows(sheet)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var (
		inOther, inNotes bool
		other            []string
		lastNote         string
		textBudget       = maxTextRead
	)
	n := 0
	for rows.Next() {
		n++
		if n > maxRows {
			f.warnf("sheet %q: stopped reading after %d rows", sheet, maxRows)
			break
		}
		raw, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fmt.Errorf("row %d: %v", n, err)
		}
		cell := func(i int) string {
			i += col
			if i < 0 || i >= len(raw) {
				return ""
			}
			return cleanText(raw[i])
		}
		idText := cell(0)
		if looksLikeID(idText) {
			inOther, inNotes, lastNote = false, false, ""
			id, misprint, ok := canonicalID(idText)
			switch {
			case !ok:
				f.warnf("sheet %q row %d: %q is not a question of the 2019 form; ignored", sheet, n, truncate(idText, 20))
				continue
			case misprint:
				f.warnf("sheet %q row %d: the form's misprint %q read as %s", sheet, n, idText, id)
			}
			if _, dup := f.Answers[id]; dup {
				f.warnf("sheet %q row %d: %s appears again; the first answer is kept", sheet, n, id)
				continue
			}
			where := fmt.Sprintf("sheet %q row %d (%s)", sheet, n, id)
			a := Answer{ID: id, Raw: f.fit(where, cell(2)), Note: f.fit(where, cleanNoteColumn(cell(3))),
				Mapping: Mapping{IEC: f.fit(where, cell(4)), NIST: f.fit(where, cell(5)), ISO: f.fit(where, cell(6))}}
			f.Answers[id] = normaliseAnswer(a)
			continue
		}
		title := cell(1)
		rest := joinNonEmpty(" ", cell(1), cell(2), cell(3))
		// Note rows first: their text may look like anything, including a heading.
		if m := noteInlineRe.FindStringSubmatch(idText); m != nil {
			inOther, inNotes = false, true
			lastNote = addNote(f, m[1], joinNonEmpty(" ", m[2], rest), sheet, n, &textBudget)
			continue
		}
		if num, ok := noteNumber(idText); ok && (inNotes || strings.HasPrefix(strings.ToLower(idText), "note")) {
			inOther, inNotes = false, true
			lastNote = addNote(f, num, rest, sheet, n, &textBudget)
			continue
		}
		if isNotesHeading(idText) || (idText == "" && isNotesHeading(title)) {
			inOther, inNotes, lastNote = false, true, ""
			continue
		}
		if m := sectionHeaderRe.FindStringSubmatch(title); m != nil && idText == "" && isSectionTitle(title, m[1]) {
			inOther, lastNote = strings.EqualFold(m[1], "OTHR"), ""
			continue
		}
		switch {
		case inOther:
			if t := joinNonEmpty(" ", idText, rest); t != "" && textBudget > len(t) {
				textBudget -= len(t)
				other = append(other, t)
			}
		case inNotes && lastNote != "" && idText == "" && rest != "" && textBudget > len(rest):
			textBudget -= len(rest)
			f.Notes[lastNote] = f.fit(fmt.Sprintf("sheet %q row %d (note %s)", sheet, n, lastNote), joinNonEmpty("\n", f.Notes[lastNote], rest))
		}
	}
	if err := rows.Error(); err != nil {
		return nil, err
	}
	f.Other = f.fit(fmt.Sprintf("sheet %q (OTHR)", sheet), strings.Join(other, "\n"))
	f.finish(fmt.Sprintf("sheet %q", sheet))
	return f, nil
}

// addNote stores a note of the notes block and returns its number ("" when it was not stored).
func addNote(f *Form, num, text, sheet string, row int, budget *int) string {
	if _, dup := f.Notes[num]; dup {
		f.warnf("sheet %q row %d: note %s appears again; the first is kept", sheet, row, num)
		return ""
	}
	if text == "" {
		return num // an empty note row; continuation lines may follow
	}
	if *budget < len(text) {
		return ""
	}
	*budget -= len(text)
	f.Notes[num] = f.fit(fmt.Sprintf("sheet %q row %d (note %s)", sheet, row, num), text)
	return num
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// detector2013 recognises the layout of the 2013 form (HIMSS/NEMA HN 1-2013): numbered sections such as
// "1 AUTOMATIC LOGOFF (ALOF)", items numbered "1-1", the CNFS section and the standard's designation.
type detector2013 struct {
	section, item, other string
	sections, items      int
}

var (
	section2013Re = lazyre.New(`^([0-9]{1,2})\s*\.?\s+([A-Z][A-Za-z /&,-]{3,80}?)\s*\(\s*(ALOF|AUDT|AUTH|CNFS|CSUP|DIDT|DTBK|EMRG|IGAU|MLDP|NAUT|PAUT|PLOK|RDMP|SAHD|SGUD|STCF|TXCF|TXIG|OTHR)\s*\)`)
	item2013Re    = lazyre.New(`^[0-9]{1,2}-[0-9]{1,2}$`)
	hn2013Re      = lazyre.New(`(?i)HN\s*1\s*-\s*2013|\(CNFS\)|MANAGEMENT OF PRIVATE DATA`)
)

// line feeds the non-empty leading cells of a row (or a line of text split into fields).
func (d *detector2013) line(cells []string) {
	if len(cells) == 0 {
		return
	}
	first := cells[0]
	if first[0] < '0' || first[0] > '9' {
		if d.other == "" && len(cells) < 8 {
			d.checkOther(strings.Join(cells, " "))
		}
		return
	}
	if item2013Re.MatchString(first) {
		d.items++
		if d.item == "" {
			d.item = first
		}
		return
	}
	joined := strings.Join(cells, " ")
	if strings.Contains(joined, "(") {
		if m := section2013Re.FindString(joined); m != "" {
			d.sections++
			if d.section == "" {
				d.section = m
			}
		}
	}
	if d.other == "" {
		d.checkOther(joined)
	}
}

func (d *detector2013) checkOther(s string) {
	if len(s) > 400 || !(strings.Contains(s, "2013") || strings.Contains(s, "CNFS") || strings.Contains(s, "PRIVATE")) {
		return
	}
	if m := hn2013Re.FindString(s); m != "" {
		d.other = m
	}
}

// evidence describes what was found, or nil when the text does not look like a 2013 form.
func (d *detector2013) evidence() []string {
	if d.sections == 0 && d.items < 3 && d.other == "" {
		return nil
	}
	var out []string
	if d.section != "" {
		out = append(out, fmt.Sprintf("numbered sections such as %q", d.section))
	}
	if d.item != "" {
		out = append(out, fmt.Sprintf("items numbered like %q", d.item))
	}
	if d.other != "" {
		out = append(out, fmt.Sprintf("%q", d.other))
	}
	return out
}
