package mds2

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Value is the normalised value of an answer, taken from its leading token.
type Value string

// Normalised answer values.
const (
	ValueYes     Value = "yes"      // "Yes", "Yes, optional", "Yes,LDAP"
	ValueNo      Value = "no"       // "No", "No: No default accounts"
	ValueNA      Value = "na"       // "N/A", "NA", "Not applicable"
	ValueSeeNote Value = "see-note" // "See Note", "See Notes 3, 4", or a blank answer whose note column names a note
	ValueText    Value = "text"     // anything else (and every non-blank answer to a free-text question)
	ValueDate    Value = "date"     // a recognised date in a date question (DOC-7); Answer.Date holds it
	ValueBlank   Value = "blank"    // no answer
)

// Valid reports whether v is one of the defined values.
func (v Value) Valid() bool {
	switch v {
	case ValueYes, ValueNo, ValueNA, ValueSeeNote, ValueText, ValueDate, ValueBlank:
		return true
	}
	return false
}

// Mapping holds the optional mapping columns E–G of the form.
type Mapping struct {
	IEC  string // IEC TR 80001-2-2:2012 (column E)
	NIST string // NIST SP 800-53 Rev. 4 (column F)
	ISO  string // ISO 27002:2013 (column G)
}

// Answer is one question's answer as the form states it, plus its normalisation.
type Answer struct {
	ID       string   // catalogue id, e.g. "SAHD-15"
	Raw      string   // the answer text (column C), cleaned: valid UTF-8, no control characters, trimmed
	Value    Value    // normalised value (see Value); never empty
	Detail   string   // text after the leading Yes/No/N/A/See Note token ("optional" for "Yes, optional")
	Date     string   // YYYY-MM-DD when Value is ValueDate (Excel serial 43747 → "2019-10-09")
	Note     string   // the note column (D) as written, with placeholders such as "__" removed
	NoteRefs []string // note numbers referred to in Raw or Note, e.g. ["3"], in order of appearance
	Mapping  Mapping  // columns E–G
}

// Form is an MDS2 form (2019 version) with every answer stored by question id.
//
// Invariant kept by every constructor and reader of this package: Answers holds exactly one entry for each
// of the 240 catalogue ids (unanswered questions have Value ValueBlank), and the header fields
// (Manufacturer, Device, Models, DocumentID, Released) mirror DOC-1, DOC-2, DOC-3, DOC-4 and DOC-7.
// Use Set, SetNoteColumn, SetNote and SetOther to change a form so that the invariant holds.
type Form struct {
	FormVersion  string            // always "2019"
	Manufacturer string            // DOC-1
	Device       string            // DOC-2
	Models       string            // DOC-3
	DocumentID   string            // DOC-4
	Released     string            // DOC-7 as YYYY-MM-DD, "" when blank or not a recognisable date
	Answers      map[string]Answer // by catalogue id
	Notes        map[string]string // the notes block, by note number ("1" → text)
	Other        string            // the free text of section OTHR
	Warnings     []string          // what the reader noticed in the source (misprints, unknown ids, …)
}

// NewForm returns a blank 2019 form: every catalogue question present with Value ValueBlank.
func NewForm() *Form {
	f := &Form{FormVersion: FormVersion, Answers: make(map[string]Answer, len(cat().questions)), Notes: map[string]string{}}
	for _, q := range cat().questions {
		f.Answers[q.ID] = Answer{ID: q.ID, Value: ValueBlank}
	}
	return f
}

// Answer returns the answer to a question. The id may be written loosely (see CanonicalID). An id that is not
// in the catalogue, or an answer missing from a hand-built form, yields a blank answer.
func (f *Form) Answer(id string) Answer {
	c, ok := CanonicalID(id)
	if !ok {
		return Answer{ID: strings.TrimSpace(id), Value: ValueBlank}
	}
	if f != nil {
		if a, ok := f.Answers[c]; ok {
			return a
		}
	}
	return Answer{ID: c, Value: ValueBlank}
}

// MaxTextLen is the longest answer, note or OTHR text accepted, in UTF-16 code units (as Excel counts). It
// is half of Excel's cell limit, so that a text still fits a cell after the escaping xlsx needs for literal
// "_xHHHH_" sequences. Readers cut longer texts and say so in a warning; Set and friends refuse them.
const MaxTextLen = 16000

// Set answers a question: it validates the id (SHAD-15 is accepted as SAHD-15), cleans the text and
// normalises it. The note column and mapping of the answer are kept. Setting DOC-1/2/3/4/7 updates the header
// fields. An empty raw text clears the answer.
func (f *Form) Set(id, raw string) error {
	c, ok := CanonicalID(id)
	if !ok {
		return fmt.Errorf("mds2: %q is not a question id of the 2019 form", truncate(id, 40))
	}
	raw = cleanText(raw)
	if n := textLen(raw); n > MaxTextLen {
		return fmt.Errorf("mds2: %s: answer has %d characters, more than %d", c, n, MaxTextLen)
	}
	f.ensure()
	a := f.Answers[c]
	a.ID, a.Raw = c, raw
	f.Answers[c] = normaliseAnswer(a)
	f.syncHeader()
	return nil
}

// SetNoteColumn sets the note column (D) of an answer, e.g. "See Note 3". Placeholders such as "__" count as
// empty.
func (f *Form) SetNoteColumn(id, note string) error {
	c, ok := CanonicalID(id)
	if !ok {
		return fmt.Errorf("mds2: %q is not a question id of the 2019 form", truncate(id, 40))
	}
	note = cleanNoteColumn(note)
	if n := textLen(note); n > MaxTextLen {
		return fmt.Errorf("mds2: %s: note has %d characters, more than %d", c, n, MaxTextLen)
	}
	f.ensure()
	a := f.Answers[c]
	a.ID, a.Note = c, note
	f.Answers[c] = normaliseAnswer(a)
	return nil
}

// SetNote sets the text of note number ref ("3" or "Note 3") in the notes block; an empty text removes it.
func (f *Form) SetNote(ref, text string) error {
	n, ok := noteNumber(ref)
	if !ok {
		return fmt.Errorf("mds2: %q is not a note number", truncate(ref, 40))
	}
	text = cleanText(text)
	if c := textLen(text); c > MaxTextLen {
		return fmt.Errorf("mds2: note %s has %d characters, more than %d", n, c, MaxTextLen)
	}
	f.ensure()
	if text == "" {
		delete(f.Notes, n)
	} else {
		f.Notes[n] = text
	}
	return nil
}

// SetOther sets the free text of section OTHR.
func (f *Form) SetOther(text string) error {
	text = cleanText(text)
	if c := textLen(text); c > MaxTextLen {
		return fmt.Errorf("mds2: OTHR text has %d characters, more than %d", c, MaxTextLen)
	}
	f.ensure()
	f.Other = text
	return nil
}

// Counts returns how many answers have each normalised value (for import summaries).
func (f *Form) Counts() map[Value]int {
	out := map[Value]int{}
	for _, q := range cat().questions {
		out[f.Answer(q.ID).Value]++
	}
	return out
}

// NoteNumbers returns the note numbers of the notes block in numeric order.
func (f *Form) NoteNumbers() []string {
	var out []string
	for k := range f.Notes {
		out = append(out, k)
	}
	sortNoteNumbers(out)
	return out
}

// ensure makes a hand-built or zero Form satisfy the invariant (all catalogue ids present).
func (f *Form) ensure() {
	if f.FormVersion == "" {
		f.FormVersion = FormVersion
	}
	if f.Answers == nil {
		f.Answers = make(map[string]Answer, len(cat().questions))
	}
	if f.Notes == nil {
		f.Notes = map[string]string{}
	}
	for _, q := range cat().questions {
		if _, ok := f.Answers[q.ID]; !ok {
			f.Answers[q.ID] = Answer{ID: q.ID, Value: ValueBlank}
		}
	}
}

func (f *Form) syncHeader() {
	f.Manufacturer = f.Answers["DOC-1"].Raw
	f.Device = f.Answers["DOC-2"].Raw
	f.Models = f.Answers["DOC-3"].Raw
	f.DocumentID = f.Answers["DOC-4"].Raw
	f.Released = f.Answers["DOC-7"].Date
}

func (f *Form) warnf(format string, args ...any) {
	const maxWarnings = 500
	switch {
	case len(f.Warnings) < maxWarnings:
		f.Warnings = append(f.Warnings, fmt.Sprintf(format, args...))
	case len(f.Warnings) == maxWarnings:
		f.Warnings = append(f.Warnings, "further warnings left out")
	}
}

// finish completes a form built by a reader: missing ids, header fields, dangling note references.
func (f *Form) finish(source string) {
	var missing []string
	for _, q := range cat().questions {
		if _, ok := f.Answers[q.ID]; !ok {
			missing = append(missing, q.ID)
		}
	}
	if len(missing) > 0 {
		f.warnf("%s: %d of the %d questions are missing (%s)", source, len(missing), len(cat().questions), listSome(missing, 5))
	}
	f.ensure()
	f.syncHeader()
	if a := f.Answers["DOC-7"]; a.Raw != "" && a.Value != ValueDate {
		f.warnf("DOC-7: release date %q is not a recognisable date", truncate(a.Raw, 40))
	}
	for _, q := range cat().questions {
		a := f.Answers[q.ID]
		for _, n := range a.NoteRefs {
			if _, ok := f.Notes[n]; !ok {
				f.warnf("%s refers to note %s, which the notes block does not contain", q.ID, n)
			}
		}
	}
}

// textLen counts UTF-16 code units, as Excel does.
func textLen(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// fit cuts s to MaxTextLen and records a warning naming where when it had to.
func (f *Form) fit(where, s string) string {
	if len(s) <= MaxTextLen || textLen(s) <= MaxTextLen {
		return s
	}
	n := 0
	for i, r := range s {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if n+w > MaxTextLen {
			f.warnf("%s: text longer than %d characters was cut", where, MaxTextLen)
			return cleanText(s[:i])
		}
		n += w
	}
	return s
}

func sortNoteNumbers(ns []string) {
	sort.Slice(ns, func(i, j int) bool {
		a, errA := strconv.Atoi(ns[i])
		b, errB := strconv.Atoi(ns[j])
		if errA == nil && errB == nil && a != b {
			return a < b
		}
		return ns[i] < ns[j]
	})
}

func listSome(ids []string, n int) string {
	if len(ids) <= n {
		return strings.Join(ids, ", ")
	}
	return strings.Join(ids[:n], ", ") + ", …"
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
