package mds2

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// JSON export format.
//
//	{
//	  "format": "vigil-mds2",            // constant; identifies the document
//	  "format_version": 1,               // version of this JSON shape (JSONFormatVersion)
//	  "form_version": "2019",            // MDS2 form version (ANSI/NEMA HN 1-2019)
//	  "manufacturer": "…", "device": "…", "models": "…", "document_id": "…",
//	  "released": "2019-10-09",          // DOC-7 as a date, "" when unknown (informational)
//	  "answers": [                        // all 240 questions, in form order
//	    {"id": "DOC-7", "section": "DOC", "raw": "43747", "value": "date", "date": "2019-10-09"},
//	    {"id": "AUTH-1.1", "section": "AUTH", "raw": "Yes,LDAP", "value": "yes", "detail": "LDAP",
//	     "note": "See Note 3", "note_refs": ["3"], "mapping": {"iec": "…", "nist": "…", "iso": "…"}},
//	    …
//	  ],
//	  "notes": [{"number": "3", "text": "…"}],   // the notes block, in numeric order
//	  "other": "…",                       // OTHR free text
//	  "warnings": ["…"]                   // what the reader of the source noticed
//	}
//
// Optional members are omitted when empty. ReadJSON treats "raw" and "note" as the truth: value, detail,
// date, note_refs and the header fields are recomputed from them, and a stored value that disagrees is
// reported as a warning. Unknown members, unknown question ids and trailing data are errors.
const (
	JSONFormat        = "vigil-mds2"
	JSONFormatVersion = 1
)

type jsonForm struct {
	Format        string       `json:"format"`
	FormatVersion int          `json:"format_version"`
	FormVersion   string       `json:"form_version"`
	Manufacturer  string       `json:"manufacturer,omitempty"`
	Device        string       `json:"device,omitempty"`
	Models        string       `json:"models,omitempty"`
	DocumentID    string       `json:"document_id,omitempty"`
	Released      string       `json:"released,omitempty"`
	Answers       []jsonAnswer `json:"answers"`
	Notes         []jsonNote   `json:"notes,omitempty"`
	Other         string       `json:"other,omitempty"`
	Warnings      []string     `json:"warnings,omitempty"`
}

type jsonAnswer struct {
	ID       string       `json:"id"`
	Section  string       `json:"section,omitempty"`
	Raw      string       `json:"raw"`
	Value    Value        `json:"value"`
	Detail   string       `json:"detail,omitempty"`
	Date     string       `json:"date,omitempty"`
	Note     string       `json:"note,omitempty"`
	NoteRefs []string     `json:"note_refs,omitempty"`
	Mapping  *jsonMapping `json:"mapping,omitempty"`
}

type jsonMapping struct {
	IEC  string `json:"iec,omitempty"`
	NIST string `json:"nist,omitempty"`
	ISO  string `json:"iso,omitempty"`
}

type jsonNote struct {
	Number string `json:"number"`
	Text   string `json:"text"`
}

// WriteJSON writes f in the versioned JSON shape documented at JSONFormat, indented, answers in form order.
func WriteJSON(w io.Writer, f *Form) error {
	if f == nil {
		return fmt.Errorf("mds2: write json: nil form")
	}
	doc := jsonForm{
		Format: JSONFormat, FormatVersion: JSONFormatVersion, FormVersion: FormVersion,
		Manufacturer: f.Manufacturer, Device: f.Device, Models: f.Models, DocumentID: f.DocumentID, Released: f.Released,
		Other: f.Other, Warnings: f.Warnings,
	}
	for _, q := range cat().questions {
		a := f.Answer(q.ID)
		ja := jsonAnswer{ID: q.ID, Section: q.Section, Raw: a.Raw, Value: a.Value, Detail: a.Detail, Date: a.Date, Note: a.Note, NoteRefs: a.NoteRefs}
		if a.Mapping != (Mapping{}) {
			ja.Mapping = &jsonMapping{IEC: a.Mapping.IEC, NIST: a.Mapping.NIST, ISO: a.Mapping.ISO}
		}
		doc.Answers = append(doc.Answers, ja)
	}
	for _, n := range f.NoteNumbers() {
		doc.Notes = append(doc.Notes, jsonNote{Number: n, Text: f.Notes[n]})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("mds2: write json: %w", err)
	}
	return nil
}

// ReadJSON reads a form written by WriteJSON (format "vigil-mds2", format_version 1). The input is bounded by
// limit (≤ 0 means DefaultLimit); JSON of another kind is refused with ErrUnsupported naming what it is.
func ReadJSON(r io.Reader, name string, limit int64) (*Form, error) {
	b, err := readLimited(r, name, limit)
	if err != nil {
		return nil, err
	}
	return readJSONBytes(b, name)
}

const maxJSONDepth = 32

func readJSONBytes(b []byte, name string) (*Form, error) {
	if err := checkJSONDepth(b, maxJSONDepth); err != nil {
		return nil, fmt.Errorf("mds2 %q: %v: %w", name, err, ErrMalformed)
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(b, &probe); err != nil {
		return nil, fmt.Errorf("mds2 %q: %s: %w", name, jsonErr(b, err), ErrMalformed)
	}
	var format string
	_ = json.Unmarshal(probe["format"], &format)
	if format != JSONFormat {
		return nil, fmt.Errorf("mds2 %q: %s, not a Vigil MDS2 export (no \"format\": %q): %w", name, describeJSON(probe), JSONFormat, ErrUnsupported)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var doc jsonForm
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("mds2 %q: %s: %w", name, jsonErr(b, err), ErrMalformed)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("mds2 %q: trailing data after the JSON document: %w", name, ErrMalformed)
	}
	if doc.FormatVersion != JSONFormatVersion {
		return nil, fmt.Errorf("mds2 %q: format_version %d is not supported (want %d): %w", name, doc.FormatVersion, JSONFormatVersion, ErrUnsupported)
	}
	if doc.FormVersion != FormVersion {
		return nil, fmt.Errorf("mds2 %q: form_version %q: only the %s form is supported: %w", name, doc.FormVersion, FormVersion, ErrUnsupported)
	}
	f := &Form{FormVersion: FormVersion, Answers: map[string]Answer{}, Notes: map[string]string{}, Other: cleanText(doc.Other)}
	for _, w := range doc.Warnings {
		f.warnf("%s", w)
	}
	if n := textLen(f.Other); n > MaxTextLen {
		return nil, fmt.Errorf("mds2 %q: other: %d characters, more than %d: %w", name, n, MaxTextLen, ErrMalformed)
	}
	for i, ja := range doc.Answers {
		id, ok := CanonicalID(ja.ID)
		if !ok {
			return nil, fmt.Errorf("mds2 %q: answers[%d].id: %q is not a question of the 2019 form: %w", name, i, truncate(ja.ID, 40), ErrMalformed)
		}
		if _, dup := f.Answers[id]; dup {
			return nil, fmt.Errorf("mds2 %q: answers[%d].id: %s appears twice: %w", name, i, id, ErrMalformed)
		}
		a := Answer{ID: id, Raw: cleanText(ja.Raw), Note: cleanNoteColumn(ja.Note)}
		if ja.Mapping != nil {
			a.Mapping = Mapping{IEC: cleanText(ja.Mapping.IEC), NIST: cleanText(ja.Mapping.NIST), ISO: cleanText(ja.Mapping.ISO)}
		}
		for field, s := range map[string]string{"raw": a.Raw, "note": a.Note} {
			if n := textLen(s); n > MaxTextLen {
				return nil, fmt.Errorf("mds2 %q: answers[%d].%s: %d characters, more than %d: %w", name, i, field, n, MaxTextLen, ErrMalformed)
			}
		}
		a = normaliseAnswer(a)
		if ja.Value != "" && ja.Value != a.Value {
			f.warnf("answers[%d] (%s): stored value %q differs from the value of its text, %q; the text decides", i, id, truncate(string(ja.Value), 20), a.Value)
		}
		f.Answers[id] = a
	}
	for i, n := range doc.Notes {
		num, ok := noteNumber(n.Number)
		if !ok {
			return nil, fmt.Errorf("mds2 %q: notes[%d].number: %q is not a note number: %w", name, i, truncate(n.Number, 20), ErrMalformed)
		}
		if _, dup := f.Notes[num]; dup {
			return nil, fmt.Errorf("mds2 %q: notes[%d].number: note %s appears twice: %w", name, i, num, ErrMalformed)
		}
		txt := cleanText(n.Text)
		if c := textLen(txt); c > MaxTextLen {
			return nil, fmt.Errorf("mds2 %q: notes[%d].text: %d characters, more than %d: %w", name, i, c, MaxTextLen, ErrMalformed)
		}
		if txt != "" {
			f.Notes[num] = txt
		}
	}
	warnings := len(f.Warnings)
	f.finish("JSON")
	// finish re-derives warnings about the content; keep only those not already carried over from the source.
	f.Warnings = dedupe(f.Warnings, warnings)
	return f, nil
}

// dedupe drops entries from index from on that already occur before it.
func dedupe(ws []string, from int) []string {
	seen := map[string]bool{}
	for _, w := range ws[:from] {
		seen[w] = true
	}
	out := ws[:from]
	for _, w := range ws[from:] {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// describeJSON names well-known JSON document types.
func describeJSON(m map[string]json.RawMessage) string {
	has := func(k string) bool { _, ok := m[k]; return ok }
	switch {
	case m == nil:
		return "a JSON document that is not an object"
	case has("bomFormat"):
		return "a CycloneDX document"
	case has("spdxVersion"):
		return "an SPDX document"
	case has("document") && bytes.Contains(m["document"], []byte(`"csaf_version"`)):
		return "a CSAF document"
	case has("@context") && bytes.Contains(m["@context"], []byte("openvex")):
		return "an OpenVEX document"
	case has("schema_version") && has("affected"):
		return "an OSV record"
	case has("format"):
		var f string
		_ = json.Unmarshal(m["format"], &f)
		return fmt.Sprintf("a JSON document with format %q", truncate(f, 40))
	}
	return "a JSON document"
}

// jsonErr adds the line and column to a decoding error.
func jsonErr(b []byte, err error) string {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
		if te.Field != "" {
			return fmt.Sprintf("%s: %s expects %s (line %d)", "json", te.Field, te.Type, lineOf(b, off))
		}
	}
	if off >= 0 {
		return fmt.Sprintf("json: line %d: %s", lineOf(b, off), strings.TrimPrefix(err.Error(), "json: "))
	}
	return "json: " + strings.TrimPrefix(err.Error(), "json: ")
}

func lineOf(b []byte, off int64) int {
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	return bytes.Count(b[:off], []byte("\n")) + 1
}

// checkJSONDepth refuses documents nested deeper than max (arrays and objects).
func checkJSONDepth(b []byte, max int) error {
	depth, inString, escaped := 0, false, false
	for i, c := range b {
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			depth++
			if depth > max {
				return fmt.Errorf("json: nested deeper than %d levels (line %d)", max, lineOf(b, int64(i)))
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}
