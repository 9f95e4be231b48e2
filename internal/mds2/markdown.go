package mds2

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/vigil-med/vigil/internal/lazyre"
)

// ReadMarkdown reads an MDS2 2019 form published as Markdown or plain text (vendors put the form on web
// pages). It understands
//   - Markdown tables whose rows start with a question id: | ID | question | answer | note | E | F | G |
//     (a header row naming "ID", "Answer" and "Note" columns is honoured, two-cell rows are id | answer);
//   - lines such as `DOC-1:Manufacturer Name:Acme`, `MPII-1,"Question? ": Yes,optional`,
//     `RDMP-4,Question?: No: reason` (question quoted or not, then the answer after the colon);
//   - note lines ("Note 3: text", or a table row | Note 3 | text |) and the text under an OTHR heading.
//
// Everything else (prose, port tables, section titles) is ignored. Answers are normalised as in ReadXLSX; a
// trailing empty CSV field ("Yes,") and quotes around the whole answer are removed, other text is kept as
// written. A 2013 form or text without question ids is refused with ErrUnsupported.
func ReadMarkdown(r io.Reader, name string, limit int64) (*Form, error) {
	b, err := readLimited(r, name, limit)
	if err != nil {
		return nil, err
	}
	return readMarkdownBytes(b, name)
}

var (
	mdLineRe      = lazyre.New(`^(?:[-*+]\s+)?[*_` + "`" + `]*([A-Za-z]{3,4}\s*[-‐‑‒–—]\s*[0-9]+(?:\.[0-9]+){0,2})[*_` + "`" + `]*(\s*[:,;|]|\s+[-–]\s+|\s+)(.*)$`)
	mdNoteRe      = lazyre.New(`(?i)^(?:[-*+]\s+)?[*_]*note\s*(?:#|no\.|nr\.)?\s*0*([1-9][0-9]{0,3})[*_]*\s*[:.)\-–]\s*[*_]*\s*(.+)$`)
	mdSeparatorRe = lazyre.New(`^:?-{3,}:?$`)
	mdSectionRe   = lazyre.New(`^#*\s*[A-Z][A-Z0-9 /&,'’-]{2,100}\(\s*(?:[A-Z]{3,4}|SBoM)\s*\)`)
	questionEndRe = lazyre.New(`\?\s*:`)
)

type mdTable struct {
	idCol, answerCol, noteCol int
	mapCols                   [3]int
}

func defaultTable() mdTable {
	return mdTable{idCol: -1, answerCol: -1, noteCol: -1, mapCols: [3]int{-1, -1, -1}}
}

func readMarkdownBytes(b []byte, name string) (*Form, error) {
	text := strings.ToValidUTF8(string(bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))), "\uFFFD")
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	f := &Form{FormVersion: FormVersion, Answers: map[string]Answer{}, Notes: map[string]string{}}
	var (
		d       detector2013
		table   = defaultTable()
		inOther bool
		other   []string
		budget  = maxTextRead
		found   int
	)
	store := func(ln int, idText string, a Answer) {
		id, misprint, ok := canonicalID(idText)
		if !ok {
			f.warnf("line %d: %q is not a question of the 2019 form; ignored", ln, truncate(idText, 20))
			return
		}
		found++
		if misprint {
			f.warnf("line %d: the form's misprint %q read as %s", ln, strings.TrimSpace(idText), id)
		}
		if _, dup := f.Answers[id]; dup {
			f.warnf("line %d: %s appears again; the first answer is kept", ln, id)
			return
		}
		a.ID = id
		where := fmt.Sprintf("line %d (%s)", ln, id)
		a.Raw = f.fit(where, cleanText(a.Raw))
		a.Note = f.fit(where, cleanNoteColumn(a.Note))
		a.Mapping = Mapping{IEC: f.fit(where, cleanText(a.Mapping.IEC)), NIST: f.fit(where, cleanText(a.Mapping.NIST)), ISO: f.fit(where, cleanText(a.Mapping.ISO))}
		f.Answers[id] = normaliseAnswer(a)
	}
	addNote := func(ln int, num, txt string) {
		txt = cleanText(txt)
		if _, dup := f.Notes[num]; dup {
			f.warnf("line %d: note %s appears again; the first is kept", ln, num)
			return
		}
		if txt != "" && budget > len(txt) {
			budget -= len(txt)
			f.Notes[num] = f.fit(fmt.Sprintf("line %d (note %s)", ln, num), txt)
		}
	}
	for i, line := range lines {
		ln := i + 1
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "|") {
			cells := splitTableRow(line)
			d.line(nonEmpty(cells, 4))
			inOther = false
			if isSeparatorRow(cells) {
				continue
			}
			if t, ok := tableHeader(cells); ok {
				table = t
				continue
			}
			if idx := idCell(cells, table); idx >= 0 {
				get := func(col, fallback int) string {
					if col < 0 {
						col = fallback
					}
					if col >= 0 && col < len(cells) {
						return cells[col]
					}
					return ""
				}
				var a Answer
				if table.answerCol >= 0 {
					a.Raw, a.Note = get(table.answerCol, -1), get(table.noteCol, -1)
					a.Mapping = Mapping{IEC: get(table.mapCols[0], -1), NIST: get(table.mapCols[1], -1), ISO: get(table.mapCols[2], -1)}
				} else if len(cells)-idx == 2 {
					a.Raw = cells[idx+1]
				} else {
					a.Raw, a.Note = get(-1, idx+2), get(-1, idx+3)
					a.Mapping = Mapping{IEC: get(-1, idx+4), NIST: get(-1, idx+5), ISO: get(-1, idx+6)}
				}
				store(ln, cells[idx], a)
				continue
			}
			if len(cells) >= 2 {
				if num, ok := noteNumber(cells[0]); ok && strings.HasPrefix(strings.ToLower(cells[0]), "note") {
					addNote(ln, num, joinNonEmpty(" ", cells[1:]...))
				}
			}
			continue
		}
		table = defaultTable() // a table ends at the first line that is not a row
		d.line(strings.Fields(line))
		if m := mdLineRe.FindStringSubmatch(line); m != nil && looksLikeID(m[1]) {
			inOther = false
			q, ans, ok := splitQuestionAnswer(m[3])
			if !ok && strings.TrimSpace(m[2]) == "" {
				continue // "AUDT-2 is …" in prose: an id followed by a space and no answer
			}
			_ = q // the question wording of the source is not kept; the catalogue has ours
			if !ok {
				f.warnf("line %d: no answer found after %s", ln, strings.TrimSpace(m[1]))
			}
			store(ln, m[1], Answer{Raw: ans})
			continue
		}
		if m := mdNoteRe.FindStringSubmatch(line); m != nil {
			inOther = false
			addNote(ln, m[1], strings.TrimRight(m[2], "*_ "))
			continue
		}
		if strings.HasPrefix(line, "#") || mdSectionRe.MatchString(line) || isNotesHeading(strings.Trim(line, "*_# ")) {
			inOther = strings.Contains(line, "(OTHR)")
			continue
		}
		if inOther && budget > len(line) {
			budget -= len(line)
			other = append(other, line)
		}
	}
	if found < minIDs {
		if ev := d.evidence(); ev != nil {
			return nil, fmt.Errorf("mds2 %q: this looks like an MDS2 2013 form (%s); only the 2019 form (ANSI/NEMA HN 1-2019) is supported: %w",
				name, strings.Join(ev, ", "), ErrUnsupported)
		}
		return nil, fmt.Errorf("mds2 %q: no MDS2 question ids found in the text (%d lines): %w", name, len(lines), ErrUnsupported)
	}
	f.Other = f.fit("OTHR", cleanText(strings.Join(other, "\n")))
	f.finish("text")
	return f, nil
}

// splitQuestionAnswer splits `question: answer` (the question may be quoted, CSV style) and cleans the answer.
func splitQuestionAnswer(rest string) (question, answer string, ok bool) {
	rest = strings.TrimSpace(rest)
	if strings.HasPrefix(rest, `"`) {
		if q, after, closed := unquote(rest); closed {
			after = strings.TrimSpace(after)
			if after != "" && strings.ContainsRune(":,;|", rune(after[0])) {
				return q, cleanMarkdownAnswer(after[1:]), true
			}
			if strings.Trim(after, "_") == "" {
				return q, "", true
			}
		}
	}
	if loc := questionEndRe.FindStringIndex(rest); loc != nil {
		return rest[:loc[0]+1], cleanMarkdownAnswer(rest[loc[1]:]), true
	}
	if i := strings.IndexByte(rest, ':'); i >= 0 {
		return rest[:i], cleanMarkdownAnswer(rest[i+1:]), true
	}
	if trimmed := strings.TrimRight(rest, "_"); len(trimmed) < len(rest)-1 {
		return trimmed, "", true // "Question?____": a blank answer (group headers)
	}
	if v, _ := leadingToken(rest); v != ValueText {
		return "", cleanMarkdownAnswer(rest), true // "ID: Yes" without the question
	}
	return rest, "", false
}

// cleanMarkdownAnswer removes trailing empty CSV fields, Markdown line breaks and quotes around the whole
// answer; placeholders ("____") become blank.
func cleanMarkdownAnswer(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(s, "<br>")
	s = strings.TrimSpace(strings.TrimSuffix(s, `\`))
	for strings.HasSuffix(s, ",") {
		s = strings.TrimSpace(strings.TrimSuffix(s, ","))
	}
	if strings.HasPrefix(s, `"`) {
		if inner, after, closed := unquote(s); closed && strings.TrimSpace(after) == "" {
			s = inner
		}
	}
	if strings.Trim(s, "_ ") == "" {
		return ""
	}
	return s
}

// unquote reads a CSV-quoted field at the start of s ("" is an escaped quote) and returns the rest.
func unquote(s string) (field, rest string, closed bool) {
	var sb strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] != '"' {
			sb.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '"' {
			sb.WriteByte('"')
			i++
			continue
		}
		return sb.String(), s[i+1:], true
	}
	return "", s, false
}

func splitTableRow(line string) []string {
	line = strings.TrimSpace(line)
	line = strings.TrimPrefix(line, "|")
	if strings.HasSuffix(line, "|") && !strings.HasSuffix(line, `\|`) {
		line = line[:len(line)-1]
	}
	var cells []string
	var sb strings.Builder
	for i := 0; i < len(line); i++ {
		switch {
		case line[i] == '\\' && i+1 < len(line) && line[i+1] == '|':
			sb.WriteByte('|')
			i++
		case line[i] == '|':
			cells = append(cells, cleanCell(sb.String()))
			sb.Reset()
		default:
			sb.WriteByte(line[i])
		}
	}
	return append(cells, cleanCell(sb.String()))
}

// cleanCell trims a table cell and drops Markdown emphasis and <br> around it.
func cleanCell(s string) string {
	s = strings.ReplaceAll(s, "<br>", "\n")
	s = strings.ReplaceAll(s, "<br/>", "\n")
	s = strings.TrimSpace(s)
	for _, w := range []string{"**", "__", "`", "*"} {
		if len(s) > 2*len(w) && strings.HasPrefix(s, w) && strings.HasSuffix(s, w) {
			s = strings.TrimSpace(s[len(w) : len(s)-len(w)])
		}
	}
	return s
}

func isSeparatorRow(cells []string) bool {
	for _, c := range cells {
		if !mdSeparatorRe.MatchString(strings.ReplaceAll(c, " ", "")) {
			return false
		}
	}
	return len(cells) > 0
}

// tableHeader recognises a header row naming the id and answer columns.
func tableHeader(cells []string) (mdTable, bool) {
	t := defaultTable()
	for i, c := range cells {
		l := strings.ToLower(c)
		switch {
		case t.idCol < 0 && (l == "id" || strings.Contains(l, "question id") || l == "#"):
			t.idCol = i
		case t.answerCol < 0 && (strings.Contains(l, "answer") || strings.Contains(l, "response") || strings.HasPrefix(l, "yes, no")):
			t.answerCol = i
		case t.noteCol < 0 && strings.Contains(l, "note"):
			t.noteCol = i
		case strings.Contains(l, "80001"):
			t.mapCols[0] = i
		case strings.Contains(l, "800-53"):
			t.mapCols[1] = i
		case strings.Contains(l, "27002"):
			t.mapCols[2] = i
		}
	}
	return t, t.idCol >= 0 && t.answerCol >= 0
}

// idCell returns the index of the cell holding a question id (the header's id column, else one of the
// first two cells), or -1.
func idCell(cells []string, t mdTable) int {
	if t.idCol >= 0 {
		if t.idCol < len(cells) && looksLikeID(cells[t.idCol]) {
			return t.idCol
		}
		return -1
	}
	for i := 0; i < 2 && i < len(cells); i++ {
		if looksLikeID(cells[i]) {
			return i
		}
	}
	return -1
}

func nonEmpty(cells []string, n int) []string {
	var out []string
	for _, c := range cells {
		if c != "" && len(out) < n {
			out = append(out, c)
		}
	}
	return out
}
