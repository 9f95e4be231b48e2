package mds2

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vigil-med/vigil/internal/lazyre"
	"github.com/xuri/excelize/v2"
)

// Normalise returns the normalised value of an answer text for a question kind, and the detail that follows
// the leading token. It is what Set and the readers use; note references in the note column are not
// considered here (a blank answer with "See Note 3" in the note column becomes ValueSeeNote in the form).
func Normalise(kind Kind, raw string) (value Value, detail, date string) {
	raw = cleanText(raw)
	if raw == "" {
		return ValueBlank, "", ""
	}
	switch kind {
	case KindText:
		return ValueText, "", ""
	case KindDate:
		if d, ok := parseDate(raw); ok {
			return ValueDate, "", d
		}
		return ValueText, "", ""
	}
	v, rest := leadingToken(raw)
	if v == ValueText {
		return ValueText, "", ""
	}
	return v, tidyDetail(rest), ""
}

// normaliseAnswer recomputes Value, Detail, Date and NoteRefs of a from Raw and Note.
func normaliseAnswer(a Answer) Answer {
	q, ok := Lookup(a.ID)
	kind := KindYesNo
	if ok {
		kind = q.Kind
	}
	a.Value, a.Detail, a.Date = Normalise(kind, a.Raw)
	a.NoteRefs = appendNoteRefs(appendNoteRefs(nil, a.Raw), a.Note)
	if a.Value == ValueBlank && len(a.NoteRefs) > 0 {
		a.Value = ValueSeeNote
	}
	return a
}

type token struct {
	word  string
	value Value
	whole bool // only when it is the entire answer
}

// Order matters: longer tokens first ("not applicable" before "no", "n/a" before "no" and "na").
var tokens = []token{
	{"see notes", ValueSeeNote, false},
	{"see note", ValueSeeNote, false},
	{"refer to notes", ValueSeeNote, false},
	{"refer to note", ValueSeeNote, false},
	{"not applicable", ValueNA, false},
	{"n / a", ValueNA, false},
	{"n/a", ValueNA, false},
	{"n.a.", ValueNA, false},
	{"n.a", ValueNA, false},
	{"na", ValueNA, false},
	{"yes", ValueYes, false},
	{"no", ValueNo, false},
	{"y", ValueYes, true},
	{"n", ValueNo, true},
}

// leadingToken finds the Yes/No/N/A/See Note token at the start of raw and returns the rest of the text.
func leadingToken(raw string) (Value, string) {
	for _, t := range tokens {
		if len(raw) < len(t.word) || !strings.EqualFold(raw[:len(t.word)], t.word) {
			continue
		}
		rest := raw[len(t.word):]
		if t.whole {
			if strings.TrimSpace(rest) == "" {
				return t.value, ""
			}
			continue
		}
		if r, _ := utf8.DecodeRuneInString(rest); rest == "" || isBoundary(r) {
			return t.value, rest
		}
	}
	return ValueText, ""
}

// isBoundary reports whether r may follow a leading token. A slash is not a boundary, so "Yes/No" stays text.
func isBoundary(r rune) bool {
	if unicode.IsSpace(r) {
		return true
	}
	return strings.ContainsRune(",;:.!()[]-–—*\"'`’“”", r)
}

func tidyDetail(s string) string {
	s = strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;:.|-–—*", r)
	})
	for _, p := range [][2]string{{"(", ")"}, {`"`, `"`}, {"“", "”"}, {"'", "'"}} {
		if len(s) >= len(p[0])+len(p[1]) && strings.HasPrefix(s, p[0]) && strings.HasSuffix(s, p[1]) {
			inner := s[len(p[0]) : len(s)-len(p[1])]
			if !strings.Contains(inner, p[0]) && !strings.Contains(inner, p[1]) {
				s = strings.TrimSpace(inner)
			}
		}
	}
	return s
}

var noteRefRe = lazyre.New(`(?i)\bnotes?\b\s*(?:#|no\.|nr\.)?\s*(\d{1,4}(?:\s*(?:,|&|/|\band\b)\s*\d{1,4})*)`)
var digitsRe = lazyre.New(`\d{1,4}`)

// appendNoteRefs appends the note numbers mentioned in s ("See Note 3", "Notes 3 and 4") to refs, once each.
func appendNoteRefs(refs []string, s string) []string {
	const maxRefs = 20
	for _, m := range noteRefRe.FindAllStringSubmatch(s, maxRefs) {
		for _, d := range digitsRe.FindAllString(m[1], maxRefs) {
			n := strings.TrimLeft(d, "0")
			if n == "" || len(refs) >= maxRefs || containsString(refs, n) {
				continue
			}
			refs = append(refs, n)
		}
	}
	return refs
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var noteNumberRe = lazyre.New(`(?i)^(?:note\s*(?:#|no\.|nr\.)?\s*)?0*([1-9][0-9]{0,3})\s*[:.)]?$`)

// noteNumber turns "3", "Note 3", "note #3:" into "3".
func noteNumber(s string) (string, bool) {
	m := noteNumberRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return "", false
	}
	return m[1], true
}

// cleanText makes form text safe to store and to write back into xlsx: valid UTF-8, line ends as \n, no
// control characters other than tab and newline, no Unicode non-characters or BOM, no surrounding space.
func cleanText(s string) string {
	if s == "" {
		return ""
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return '\n'
		case r == '\t' || r == '\n':
			return r
		case r < 0x20 || (r >= 0x7f && r <= 0x9f):
			return -1
		case r == '\uFEFF' || r == '\uFFFE' || r == '\uFFFF':
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// cleanNoteColumn is cleanText plus the removal of fill-in placeholders ("__", "____").
func cleanNoteColumn(s string) string {
	s = cleanText(s)
	if strings.Trim(s, "_ ") == "" {
		return ""
	}
	return s
}

var serialRe = lazyre.New(`^[0-9]{4,6}(?:\.[0-9]+)?$`)

// Plausible range for release dates given as Excel serial numbers: 1990-01-01 … 2100-12-31.
const minSerial, maxSerial = 32874, 73415

var dateLayouts = []string{
	"2006-01-02", "2006/01/02", "2006.01.02", "2006-1-2", "2006/1/2",
	"2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04",
	"January 2, 2006", "January 2 2006", "Jan 2, 2006", "Jan 2 2006", "Jan. 2, 2006",
	"2 January 2006", "2 Jan 2006", "2-Jan-2006", "02-Jan-06", "2-Jan-06", "Monday, January 2, 2006",
}

var numericDate = lazyre.New(`^([0-9]{1,2})([./-])([0-9]{1,2})([./-])([0-9]{2}|[0-9]{4})$`)

// parseDate recognises Excel serial numbers and common written dates and returns YYYY-MM-DD.
// Numeric day/month orders: with dots the day comes first (European), with slashes or hyphens the month
// comes first (the form is American) unless the first number cannot be a month.
func parseDate(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if serialRe.MatchString(s) {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || v < minSerial || v > maxSerial {
			return "", false
		}
		t, err := excelize.ExcelDateToTime(v, false)
		if err != nil {
			return "", false
		}
		return t.Format("2006-01-02"), true
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.Format("2006-01-02"), true
		}
	}
	m := numericDate.FindStringSubmatch(s)
	if m == nil || m[2] != m[4] {
		return "", false
	}
	a, _ := strconv.Atoi(m[1])
	b, _ := strconv.Atoi(m[3])
	y, _ := strconv.Atoi(m[5])
	if len(m[5]) == 2 {
		y += 2000
	}
	day, month := b, a
	if m[2] == "." || a > 12 {
		day, month = a, b
	}
	if month < 1 || month > 12 || day < 1 || day > 31 {
		return "", false
	}
	t := time.Date(y, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if t.Day() != day { // 31 February and the like
		return "", false
	}
	return t.Format("2006-01-02"), true
}
