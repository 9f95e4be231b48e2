// Package mds2 reads, writes, compares and interprets the Manufacturer Disclosure Statement for Medical Device
// Security (MDS2), form ANSI/NEMA HN 1-2019.
//
// The package is a pure library: readers take an io.Reader with a size limit and return a *Form value; nothing
// is stored. The question catalogue (ids, sections, hierarchy, answer kinds) is embedded data
// (catalogue.json). Question texts in the catalogue are paraphrases written for this project, not NEMA's
// wording.
//
// Entry points:
//   - Read, ReadXLSX, ReadMarkdown, ReadJSON: import a form (xlsx as vendors fill it, a Markdown or
//     text transcription, or this package's JSON export).
//   - NewForm, (*Form).Set: build or edit a form (web UI).
//   - WriteXLSX, WriteJSON: export a form.
//   - Compare: side-by-side view of several forms with differences flagged.
//   - (*Form).Facts: a few derived facts, each naming the answers that decided it.
package mds2

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/vigil-med/vigil/internal/lazyre"
)

// FormVersion is the only MDS2 form version this package reads and writes.
const FormVersion = "2019"

// Kind is the kind of answer a question expects.
type Kind string

// Answer kinds.
const (
	KindYesNo Kind = "yes-no" // Yes, No, N/A or See Note, often followed by free text
	KindText  Kind = "text"   // free text (DOC-1 … DOC-6)
	KindDate  Kind = "date"   // a date (DOC-7)
)

// Question is one entry of the catalogue.
type Question struct {
	ID      string // canonical id, e.g. "AUDT-2.8.1" (SAHD-15, never the form's misprint SHAD-15)
	Section string // section code, e.g. "AUDT"
	Parent  string // id of the parent question ("AUDT-2.8" for "AUDT-2.8.1"); "" for top-level questions
	Text    string // short paraphrase of the question, written for this project
	Kind    Kind
	Group   bool // a group heading (CONN-1, CONN-1.1) that vendors often leave blank
}

// SectionInfo describes one section of the form.
type SectionInfo struct {
	Code      string   // "ALOF"
	Title     string   // as printed on the form, e.g. "AUTOMATIC LOGOFF (ALOF)"; the DOC title is ours
	Summary   string   // one line in our own words
	Questions []string // question ids in form order (empty for OTHR, which is free text)
}

//go:embed catalogue.json
var catalogueJSON []byte

type catalogueFile struct {
	Standard    string `json:"standard"`
	FormVersion string `json:"form_version"`
	Notice      string `json:"notice"`
	Sections    []struct {
		Code      string `json:"code"`
		Title     string `json:"title"`
		Summary   string `json:"summary"`
		Questions []struct {
			ID     string `json:"id"`
			Parent string `json:"parent"`
			Text   string `json:"text"`
			Kind   Kind   `json:"kind"`
			Group  bool   `json:"group"`
		} `json:"questions"`
	} `json:"sections"`
}

// catalogue is the question catalogue, read from the embedded catalogue.json when first used (not at
// the start of every command: ~0.7 ms and 0.2 MB).
type catalogue struct {
	questions  []Question          // form order
	questionAt map[string]int      // id → index in questions
	sections   []SectionInfo       // form order
	sectionAt  map[string]int      // code → index in sections
	children   map[string][]string // id → child ids
}

var cat = sync.OnceValue(func() *catalogue {
	c, err := loadCatalogue(catalogueJSON)
	if err != nil {
		panic("mds2: embedded catalogue: " + err.Error())
	}
	return c
})

var idShape = lazyre.New(`^([A-Z]{3,4})-([1-9][0-9]*)((?:\.[1-9][0-9]*){0,2})$`)

func loadCatalogue(data []byte) (*catalogue, error) {
	var cf catalogueFile
	if err := json.Unmarshal(data, &cf); err != nil {
		return nil, err
	}
	c := &catalogue{}
	if cf.FormVersion != FormVersion {
		return nil, fmt.Errorf("form_version %q, want %q", cf.FormVersion, FormVersion)
	}
	c.questionAt = map[string]int{}
	c.sectionAt = map[string]int{}
	c.children = map[string][]string{}
	for _, s := range cf.Sections {
		if _, dup := c.sectionAt[s.Code]; dup {
			return nil, fmt.Errorf("section %s twice", s.Code)
		}
		info := SectionInfo{Code: s.Code, Title: s.Title, Summary: s.Summary}
		for _, q := range s.Questions {
			m := idShape.FindStringSubmatch(q.ID)
			if m == nil || m[1] != s.Code {
				return nil, fmt.Errorf("question %q: bad id for section %s", q.ID, s.Code)
			}
			if _, dup := c.questionAt[q.ID]; dup {
				return nil, fmt.Errorf("question %s twice", q.ID)
			}
			if q.Parent != parentOf(q.ID) {
				return nil, fmt.Errorf("question %s: parent %q, want %q", q.ID, q.Parent, parentOf(q.ID))
			}
			if q.Parent != "" {
				if _, ok := c.questionAt[q.Parent]; !ok {
					return nil, fmt.Errorf("question %s: parent %s not defined before it", q.ID, q.Parent)
				}
				c.children[q.Parent] = append(c.children[q.Parent], q.ID)
			}
			switch q.Kind {
			case KindYesNo, KindText, KindDate:
			default:
				return nil, fmt.Errorf("question %s: unknown kind %q", q.ID, q.Kind)
			}
			c.questionAt[q.ID] = len(c.questions)
			c.questions = append(c.questions, Question{ID: q.ID, Section: s.Code, Parent: q.Parent, Text: q.Text, Kind: q.Kind, Group: q.Group})
			info.Questions = append(info.Questions, q.ID)
		}
		c.sectionAt[s.Code] = len(c.sections)
		c.sections = append(c.sections, info)
	}
	return c, nil
}

// parentOf derives the parent id from the id's numbering: "AUDT-2.8.1" → "AUDT-2.8", "AUDT-2" → "".
func parentOf(id string) string {
	i := strings.LastIndexByte(id, '.')
	if i < 0 {
		return ""
	}
	return id[:i]
}

// Catalogue returns all 240 questions of the 2019 form in form order. The slice is a copy.
func Catalogue() []Question {
	return append([]Question(nil), cat().questions...)
}

// Sections returns the 24 sections (DOC … RMOT, OTHR) in form order. The slice is a copy.
func Sections() []SectionInfo {
	out := make([]SectionInfo, len(cat().sections))
	for i, s := range cat().sections {
		s.Questions = append([]string(nil), s.Questions...)
		out[i] = s
	}
	return out
}

// Lookup returns the catalogue entry of a question. The id may be written loosely (see CanonicalID).
func Lookup(id string) (Question, bool) {
	c, ok := CanonicalID(id)
	if !ok {
		return Question{}, false
	}
	return cat().questions[cat().questionAt[c]], true
}

// Children returns the ids of the direct sub-questions of id, in form order (nil when there are none).
func Children(id string) []string {
	c, _ := CanonicalID(id)
	return append([]string(nil), cat().children[c]...)
}

// Section returns the section code of a question id ("AUDT" for "AUDT-2.8.1"), or "" if id is not a
// question of the 2019 form. The form's misprint SHAD-15 is accepted as SAHD-15.
func Section(id string) string {
	q, ok := Lookup(id)
	if !ok {
		return ""
	}
	return q.Section
}

// SectionTitle returns the title of a section code ("AUTOMATIC LOGOFF (ALOF)"), or "" for an unknown code.
func SectionTitle(code string) string {
	if i, ok := cat().sectionAt[strings.ToUpper(strings.TrimSpace(code))]; ok {
		return cat().sections[i].Title
	}
	return ""
}

// looseID matches how ids appear in filled forms: any case, spaces or a dash variant around the hyphen,
// trailing punctuation.
var looseID = lazyre.New(`^([A-Za-z]{3,4})\s*[-‐‑‒–—]\s*([0-9]+(?:\s*\.\s*[0-9]+){0,2})\s*[.:]?$`)

// CanonicalID maps an id as written in a form ("audt-2.8.1", "AUDT – 2.8.1", "SHAD-15") to the catalogue id
// ("AUDT-2.8.1", "SAHD-15"). It reports false when the result is not a question of the 2019 form.
func CanonicalID(s string) (string, bool) {
	id, _, ok := canonicalID(s)
	return id, ok
}

// canonicalID also reports whether the form's SHAD-15 misprint was seen.
func canonicalID(s string) (id string, misprint bool, ok bool) {
	s = strings.TrimSpace(s)
	if len(s) > 24 || len(s) < 5 {
		return "", false, false
	}
	m := looseID.FindStringSubmatch(s)
	if m == nil {
		return "", false, false
	}
	id = strings.ToUpper(m[1]) + "-" + strings.Join(strings.Fields(m[2]), "")
	if id == "SHAD-15" {
		id, misprint = "SAHD-15", true
	}
	_, ok = cat().questionAt[id]
	if !ok {
		return "", false, false
	}
	return id, misprint, true
}

// looksLikeID reports whether s has the shape of a 2019 question id, known or not ("AUDT-9" qualifies).
func looksLikeID(s string) bool {
	m := looseID.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return false
	}
	code := strings.ToUpper(m[1])
	_, known := cat().sectionAt[code]
	return known || code == "SHAD"
}
