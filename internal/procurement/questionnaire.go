package procurement

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vigil-med/vigil/internal/zipguard"
)

// Questionnaire layout.
const (
	QuestionnaireSheet  = "Questionnaire"
	questionnaireMeta   = "vigil"
	questionnaireFormat = "vigil-questionnaire/1"
	// MaxQuestionnaireBytes bounds a returned questionnaire (4 MiB; a filled one is about 20 KiB).
	MaxQuestionnaireBytes = 4 << 20
	maxQuestionnaireRows  = 2000
	maxCellText           = 8000
)

// Columns of the questionnaire table (1-based, A = 1).
var questionnaireColumns = []struct {
	Name  string
	Width float64
}{
	{"ID", 20}, {"Group", 20}, {"Requirement", 60}, {"Question", 50}, {"Must", 7}, {"Weight", 8},
	{"Expected answer", 22}, {"Answer", 28}, {"Evidence reference", 32}, {"Comment", 40},
}

const (
	colID = iota + 1
	colGroup
	colRequirement
	colQuestion
	colMust
	colWeight
	colType
	colAnswer
	colEvidence
	colComment
)

// QuestionnaireMeta heads the questionnaire.
type QuestionnaireMeta struct {
	Organisation string
	TenderRef    string
	TenderTitle  string
	Deadline     time.Time // zero when none
	Vendor       string    // pre-filled vendor name, if any
}

var answerHelp = map[string]string{
	AnswerYesNo:   "Yes / No (details in Comment)",
	AnswerDate:    "date, YYYY-MM-DD",
	AnswerDays:    "number of days",
	AnswerHours:   "number of hours",
	AnswerPercent: "percent, e.g. 99.9",
	AnswerText:    "text",
}

// WriteQuestionnaire writes the vendor questionnaire of a tender as an xlsx workbook: a header with the
// tender, the vendor name to fill in (B3) and the deadline, then one row per criterion (ID, group,
// requirement, question, must, weight, expected answer) with the columns the vendor fills in: Answer,
// Evidence reference, Comment. Yes/no answers have a drop-down, numeric ones a number check. A hidden sheet
// names the format, catalogue and tender so that ReadQuestionnaire can recognise the file. prefill (may be
// nil) fills in earlier answers by criterion id.
func WriteQuestionnaire(w io.Writer, cat *Catalogue, meta QuestionnaireMeta, prefill map[string]Answer) error {
	x := excelize.NewFile()
	defer x.Close()
	fail := func(err error) error { return fmt.Errorf("write questionnaire: %w", err) }
	if err := x.SetSheetName("Sheet1", QuestionnaireSheet); err != nil {
		return fail(err)
	}
	title, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14, Color: "10243E"}})
	label, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	head, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"10243E"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	wrap, _ := x.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	fill, _ := x.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFF6DF"}},
		Border: []excelize.Border{{Type: "left", Color: "A9B3C1", Style: 1}, {Type: "right", Color: "A9B3C1", Style: 1}, {Type: "top", Color: "A9B3C1", Style: 1}, {Type: "bottom", Color: "A9B3C1", Style: 1}}})
	s := QuestionnaireSheet
	set := func(cell string, v any, style int) error {
		if err := x.SetCellValue(s, cell, v); err != nil {
			return err
		}
		if style != 0 {
			return x.SetCellStyle(s, cell, cell, style)
		}
		return nil
	}
	deadline := ""
	if !meta.Deadline.IsZero() {
		deadline = meta.Deadline.Format("2006-01-02")
	}
	header := [][3]string{
		{"A1", "Cybersecurity questionnaire: " + meta.TenderTitle, ""},
		{"A2", "Tender", meta.TenderRef + " · " + meta.Organisation},
		{"A3", "Vendor", meta.Vendor},
		{"A4", "Deadline", deadline},
		{"A5", "How to answer", "Fill in the yellow columns Answer, Evidence reference and Comment for every row; keep the ID column and the order of columns. Must criteria are knock-out criteria. Return this file unchanged otherwise."},
	}
	for i, h := range header {
		if i == 0 {
			if err := set(h[0], h[1], title); err != nil {
				return fail(err)
			}
			continue
		}
		if err := set(h[0], h[1], label); err != nil {
			return fail(err)
		}
		style := wrap
		if i == 2 {
			style = fill
		}
		if err := set(strings.Replace(h[0], "A", "B", 1), h[2], style); err != nil {
			return fail(err)
		}
	}
	if err := x.MergeCell(s, "B5", "J5"); err != nil {
		return fail(err)
	}
	const headRow = 7
	for i, c := range questionnaireColumns {
		cell, _ := excelize.CoordinatesToCellName(i+1, headRow)
		if err := set(cell, c.Name, head); err != nil {
			return fail(err)
		}
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := x.SetColWidth(s, col, col, c.Width); err != nil {
			return fail(err)
		}
	}
	for i, cr := range cat.Criteria {
		row := headRow + 1 + i
		must := ""
		if cr.Must {
			must = "must"
		}
		a := prefill[cr.ID]
		vals := []any{cr.ID, cr.Group, cr.Requirement, cr.Question, must, cr.Weight, answerHelp[cr.Answer], a.Value, a.Evidence, a.Comment}
		for j, v := range vals {
			cell, _ := excelize.CoordinatesToCellName(j+1, row)
			style := wrap
			if j+1 >= colAnswer {
				style = fill
			}
			if err := set(cell, v, style); err != nil {
				return fail(err)
			}
		}
		answerCell, _ := excelize.CoordinatesToCellName(colAnswer, row)
		dv := excelize.NewDataValidation(true)
		dv.Sqref = answerCell
		switch cr.Answer {
		case AnswerYesNo:
			_ = dv.SetDropList([]string{"Yes", "No", "N/A"})
		case AnswerDays, AnswerHours:
			_ = dv.SetRange(0, 100000, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween)
			dv.SetError(excelize.DataValidationErrorStyleStop, "Number expected", "Enter a number of "+strings.TrimPrefix(answerHelp[cr.Answer], "number of "))
		case AnswerPercent:
			_ = dv.SetRange(0, 100, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween)
			dv.SetError(excelize.DataValidationErrorStyleStop, "Percent expected", "Enter a percentage between 0 and 100")
		default:
			dv = nil
		}
		if dv != nil {
			if err := x.AddDataValidation(s, dv); err != nil {
				return fail(err)
			}
		}
	}
	if err := x.SetPanes(s, &excelize.Panes{Freeze: true, YSplit: headRow, XSplit: 1, TopLeftCell: "B8", ActivePane: "bottomRight"}); err != nil {
		return fail(err)
	}
	if _, err := x.NewSheet(questionnaireMeta); err != nil {
		return fail(err)
	}
	for i, v := range []string{questionnaireFormat, cat.Name, cat.Version, meta.TenderRef} {
		if err := x.SetCellValue(questionnaireMeta, fmt.Sprintf("A%d", i+1), v); err != nil {
			return fail(err)
		}
	}
	if err := x.SetSheetVisible(questionnaireMeta, false, true); err != nil {
		return fail(err)
	}
	if _, err := x.WriteTo(w); err != nil {
		return fail(err)
	}
	return nil
}

// CellError is a problem with one cell of a returned questionnaire.
type CellError struct {
	Sheet     string `json:"sheet"`
	Row       int    `json:"row"`
	Column    string `json:"column"`    // column heading, e.g. "Answer"
	Cell      string `json:"cell"`      // e.g. "H12"
	Criterion string `json:"criterion"` // the row's criterion id, if known
	Message   string `json:"message"`
}

func (e CellError) Error() string {
	s := fmt.Sprintf("%s!%s (row %d, column %s)", e.Sheet, e.Cell, e.Row, e.Column)
	if e.Criterion != "" {
		s += " " + e.Criterion
	}
	return s + ": " + e.Message
}

// QuestionnaireResult is a returned questionnaire read back into answers.
type QuestionnaireResult struct {
	Vendor    string            `json:"vendor"`     // B3
	TenderRef string            `json:"tender_ref"` // from the hidden sheet, "" when missing
	Answers   map[string]Answer `json:"answers"`    // by criterion id; rows without any answer are left out
	Errors    []CellError       `json:"errors"`     // problems that leave a row's answer unusable
	Warnings  []string          `json:"warnings"`   // criteria not answered, rows of other catalogues …
}

// Errors of ReadQuestionnaire for the whole file (wrapped with details).
var (
	ErrNotQuestionnaire = errors.New("not a Vigil questionnaire")
	ErrUnsafeWorkbook   = errors.New("unsafe or damaged workbook")
)

var questionnaireZip = zipguard.Limits{MaxEntries: 200, MaxTotal: 16 << 20, MaxEntry: 12 << 20, MaxRatio: 100, RatioFloor: 1 << 20}

// ReadQuestionnaire reads a returned questionnaire (at most MaxQuestionnaireBytes; the zip is checked for
// entry count, size and compression ratio before it is opened). The table is found by its header row (ID …
// Answer, Evidence reference, Comment), so inserted rows above it do no harm. Every row's ID must be a
// criterion of cat; answers are checked against the criterion's answer type. Problems with single cells
// are returned in Errors, naming sheet, row, column and cell; they do not stop the reading. A file that is
// not a workbook or has no questionnaire table is an error wrapping ErrNotQuestionnaire or
// ErrUnsafeWorkbook.
func ReadQuestionnaire(r io.Reader, name string, cat *Catalogue) (res QuestionnaireResult, err error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxQuestionnaireBytes+1))
	if err != nil {
		return res, fmt.Errorf("questionnaire %q: read: %w", name, err)
	}
	if len(b) > MaxQuestionnaireBytes {
		return res, fmt.Errorf("questionnaire %q: larger than %d bytes: too large", name, MaxQuestionnaireBytes)
	}
	if _, err := zipguard.CheckWorkbook(b, questionnaireZip); err != nil {
		if errors.Is(err, zipguard.ErrNotZip) || errors.Is(err, zipguard.ErrNotWorkbook) {
			return res, fmt.Errorf("questionnaire %q: %v: %w", name, err, ErrNotQuestionnaire)
		}
		return res, fmt.Errorf("questionnaire %q: %v: %w", name, err, ErrUnsafeWorkbook)
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("questionnaire %q: workbook could not be parsed (%v): %w", name, p, ErrUnsafeWorkbook)
		}
	}()
	x, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{UnzipSizeLimit: questionnaireZip.MaxTotal, UnzipXMLSizeLimit: questionnaireZip.MaxTotal})
	if err != nil {
		return res, fmt.Errorf("questionnaire %q: open workbook: %v: %w", name, err, ErrUnsafeWorkbook)
	}
	defer x.Close()
	sheet := ""
	for _, s := range x.GetSheetList() {
		if strings.EqualFold(s, QuestionnaireSheet) {
			sheet = s
		}
	}
	if sheet == "" {
		return res, fmt.Errorf("questionnaire %q: no sheet %q (sheets: %s): %w", name, QuestionnaireSheet, strings.Join(x.GetSheetList(), ", "), ErrNotQuestionnaire)
	}
	if v, _ := x.GetCellValue(questionnaireMeta, "A4"); v != "" {
		res.TenderRef = clip(v, 200)
	}
	rows, err := x.Rows(sheet)
	if err != nil {
		return res, fmt.Errorf("questionnaire %q: sheet %q: %v: %w", name, sheet, err, ErrUnsafeWorkbook)
	}
	defer rows.Close()
	res.Answers = map[string]Answer{}
	res.Errors, res.Warnings = []CellError{}, []string{}
	cols := map[int]int{} // column kind (colID …) → 0-based index in the row
	n, headerRow := 0, 0
	seen := map[string]int{}
	for rows.Next() {
		n++
		if n > maxQuestionnaireRows {
			res.Warnings = append(res.Warnings, fmt.Sprintf("rows after %d were not read", maxQuestionnaireRows))
			break
		}
		cells, err := rows.Columns()
		if err != nil {
			return res, fmt.Errorf("questionnaire %q: %s row %d: %v: %w", name, sheet, n, err, ErrUnsafeWorkbook)
		}
		get := func(kind int) string {
			i, ok := cols[kind]
			if !ok || i >= len(cells) {
				return ""
			}
			return strings.TrimSpace(clip(cells[i], maxCellText))
		}
		if headerRow == 0 {
			if n == 3 && len(cells) > 1 && strings.EqualFold(strings.TrimSpace(cells[0]), "Vendor") {
				res.Vendor = strings.TrimSpace(clip(cells[1], 200))
			}
			if len(cells) > 0 && strings.EqualFold(strings.TrimSpace(cells[0]), "ID") {
				for i, c := range cells {
					for k, qc := range questionnaireColumns {
						if strings.EqualFold(strings.TrimSpace(c), qc.Name) {
							cols[k+1] = i
						}
					}
				}
				for _, need := range []int{colID, colAnswer, colEvidence, colComment} {
					if _, ok := cols[need]; !ok {
						return res, fmt.Errorf("questionnaire %q: %s row %d: the header has no column %q: %w", name, sheet, n, questionnaireColumns[need-1].Name, ErrNotQuestionnaire)
					}
				}
				headerRow = n
			}
			continue
		}
		id := get(colID)
		answer, evidence, comment := get(colAnswer), get(colEvidence), get(colComment)
		if id == "" {
			if answer != "" || evidence != "" || comment != "" {
				res.Errors = append(res.Errors, cellError(sheet, n, colID, cols, "", "an answer without a criterion ID"))
			}
			continue
		}
		cr, ok := cat.Criterion(id)
		if !ok {
			res.Errors = append(res.Errors, cellError(sheet, n, colID, cols, id, fmt.Sprintf("%q is not a criterion of this tender", clip(id, 60))))
			continue
		}
		if prev, dup := seen[id]; dup {
			res.Errors = append(res.Errors, cellError(sheet, n, colID, cols, id, fmt.Sprintf("criterion answered twice (first in row %d)", prev)))
			continue
		}
		seen[id] = n
		if answer == "" && evidence == "" && comment == "" {
			continue
		}
		if answer != "" && cr.Answer != AnswerText {
			if _, err := ParseAnswer(cr.Answer, answer); err != nil {
				res.Errors = append(res.Errors, cellError(sheet, n, colAnswer, cols, id, err.Error()))
				continue
			}
		}
		res.Answers[id] = Answer{Criterion: id, Value: answer, Evidence: evidence, Comment: comment, Row: n}
	}
	if err := rows.Error(); err != nil {
		return res, fmt.Errorf("questionnaire %q: %s: %v: %w", name, sheet, err, ErrUnsafeWorkbook)
	}
	if headerRow == 0 {
		return res, fmt.Errorf("questionnaire %q: sheet %q has no header row starting with \"ID\": %w", name, sheet, ErrNotQuestionnaire)
	}
	var missing []string
	for _, cr := range cat.Criteria {
		if _, ok := seen[cr.ID]; !ok {
			missing = append(missing, cr.ID)
		}
	}
	if len(missing) > 0 {
		res.Warnings = append(res.Warnings, "criteria missing from the questionnaire: "+strings.Join(missing, ", "))
	}
	return res, nil
}

func cellError(sheet string, row, kind int, cols map[int]int, id, msg string) CellError {
	cell := ""
	if i, ok := cols[kind]; ok {
		cell, _ = excelize.CoordinatesToCellName(i+1, row)
	}
	return CellError{Sheet: sheet, Row: row, Column: questionnaireColumns[kind-1].Name, Cell: cell, Criterion: id, Message: msg}
}
