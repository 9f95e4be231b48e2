package endoflife

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// ReleaseData is one file of github.com/endoflife-date/release-data (releases/<product>.json): the
// release date of every version, and for newer files per-cycle dates.
type ReleaseData struct {
	Product  string                 // file base name without .json
	Releases map[string]ReleaseInfo // by cycle name
	Versions map[string]VersionInfo // by version
	Source   string
}

// ReleaseInfo is a cycle entry of a release-data file.
type ReleaseInfo struct {
	Name        string
	Codename    string
	Label       string
	ReleaseDate time.Time
	EOL         Milestone
	EOAS        Milestone
	EOES        Milestone
}

// VersionInfo is one released version.
type VersionInfo struct {
	Name string
	Date time.Time
}

func optDate(s *string) (time.Time, error) {
	if s == nil || *s == "" {
		return time.Time{}, nil
	}
	return parseDate(*s)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// ParseReleaseData reads one release-data JSON file. Unknown fields are ignored (upstream warns the
// format may change); wrong types, malformed dates, trailing data and oversize input are errors with
// line and column.
func ParseReleaseData(file string, r io.Reader, lim Limits) (*ReleaseData, error) {
	data, err := readLimited(r, lim.MaxReleaseDataBytes)
	if err != nil {
		return nil, &ParseError{File: file, Err: err}
	}
	var raw struct {
		Releases map[string]struct {
			Name        string  `json:"name"`
			Codename    string  `json:"codename"`
			Label       string  `json:"releaseLabel"`
			ReleaseDate *string `json:"releaseDate"`
			EOL         any     `json:"eol"`
			EOAS        any     `json:"eoas"`
			EOES        any     `json:"eoes"`
		} `json:"releases"`
		Versions map[string]struct {
			Name string  `json:"name"`
			Date *string `json:"date"`
		} `json:"versions"`
	}
	if err := decodeJSON(data, &raw); err != nil {
		return nil, jsonError(file, data, err)
	}
	if raw.Versions == nil && raw.Releases == nil {
		return nil, &ParseError{File: file, Err: errors.New(`not an endoflife.date release-data file: no "versions" or "releases" object`)}
	}
	if len(raw.Versions)+len(raw.Releases) > lim.MaxVersions {
		return nil, &ParseError{File: file, Err: fmt.Errorf("%w: %d entries, limit %d", ErrTooLarge, len(raw.Versions)+len(raw.Releases), lim.MaxVersions)}
	}
	out := &ReleaseData{Product: strings.TrimSuffix(baseName(file), ".json"), Source: file,
		Releases: make(map[string]ReleaseInfo, len(raw.Releases)), Versions: make(map[string]VersionInfo, len(raw.Versions))}
	for _, k := range sortedKeys(raw.Releases) {
		v := raw.Releases[k]
		path := fmt.Sprintf("releases[%q]", k)
		ri := ReleaseInfo{Name: v.Name, Codename: v.Codename, Label: v.Label}
		if ri.Name == "" {
			ri.Name = k
		}
		var err error
		if ri.ReleaseDate, err = optDate(v.ReleaseDate); err != nil {
			return nil, &ParseError{File: file, Field: path + ".releaseDate", Err: err}
		}
		for _, m := range []struct {
			name string
			v    any
			dst  *Milestone
		}{{"eol", v.EOL, &ri.EOL}, {"eoas", v.EOAS, &ri.EOAS}, {"eoes", v.EOES, &ri.EOES}} {
			if *m.dst, err = milestoneOf(m.v); err != nil {
				return nil, &ParseError{File: file, Field: path + "." + m.name, Err: err}
			}
		}
		out.Releases[k] = ri
	}
	for _, k := range sortedKeys(raw.Versions) {
		v := raw.Versions[k]
		vi := VersionInfo{Name: v.Name}
		if vi.Name == "" {
			vi.Name = k
		}
		var err error
		if vi.Date, err = optDate(v.Date); err != nil {
			return nil, &ParseError{File: file, Field: fmt.Sprintf("versions[%q].date", k), Err: err}
		}
		out.Versions[k] = vi
	}
	return out, nil
}

// ParseAPI reads an endoflife.date API v1 answer: {"schema_version": …, "result": PRODUCT} from
// /api/v1/products/{name} or {"result": [PRODUCT, …]} from /api/v1/products/full. A release's
// "<x>From" date wins over its "is<X>" flag; a flag alone gives a true/false milestone.
func ParseAPI(file string, r io.Reader, lim Limits) ([]*Product, error) {
	data, err := readLimited(r, lim.MaxReleaseDataBytes)
	if err != nil {
		return nil, &ParseError{File: file, Err: err}
	}
	var env struct {
		SchemaVersion string          `json:"schema_version"`
		Result        json.RawMessage `json:"result"`
	}
	if err := decodeJSON(data, &env); err != nil {
		return nil, jsonError(file, data, err)
	}
	res := bytes.TrimSpace(env.Result)
	if len(res) == 0 {
		return nil, &ParseError{File: file, Err: errors.New(`not an endoflife.date API v1 answer: no "result"`)}
	}
	var list []apiProduct
	if res[0] == '[' {
		err = json.Unmarshal(res, &list)
	} else {
		var one apiProduct
		err = json.Unmarshal(res, &one)
		list = []apiProduct{one}
	}
	if err != nil {
		// Offsets are relative to "result"; report them against the whole file.
		return nil, jsonError(file, data, shiftOffset(err, int64(bytes.Index(data, res))))
	}
	var out []*Product
	for i, ap := range list {
		if ap.Name == "" {
			return nil, &ParseError{File: file, Field: fmt.Sprintf("result[%d].name", i), Err: errors.New("missing")}
		}
		if len(ap.Releases) > lim.MaxCycles {
			return nil, &ParseError{File: file, Field: fmt.Sprintf("result[%d].releases", i), Err: fmt.Errorf("%w: %d cycles, limit %d", ErrTooLarge, len(ap.Releases), lim.MaxCycles)}
		}
		p := &Product{Name: ap.Name, Title: ap.Label, Category: ap.Category, Source: file}
		for _, id := range ap.Identifiers {
			p.Identifiers = append(p.Identifiers, Identifier{Type: id.Type, Value: id.ID})
		}
		for j, rel := range ap.Releases {
			path := fmt.Sprintf("result[%d].releases[%d]", i, j)
			if rel.Name == "" {
				return nil, &ParseError{File: file, Field: path + ".name", Err: errors.New("missing")}
			}
			c := Cycle{Name: rel.Name, Label: rel.Label, Codename: rel.Codename}
			if c.Label == "" {
				c.Label = c.Name
			}
			var err error
			if c.ReleaseDate, err = optDate(rel.ReleaseDate); err != nil {
				return nil, &ParseError{File: file, Field: path + ".releaseDate", Err: err}
			}
			for _, m := range []struct {
				name string
				is   *bool
				from *string
				dst  *Milestone
			}{
				{"lts", rel.IsLts, rel.LtsFrom, &c.LTS},
				{"eoas", rel.IsEoas, rel.EoasFrom, &c.EOAS},
				{"eol", rel.IsEol, rel.EolFrom, &c.EOL},
				{"eoes", rel.IsEoes, rel.EoesFrom, &c.EOES},
				{"discontinued", rel.IsDiscontinued, rel.DiscontinuedFrom, &c.Discontinued},
			} {
				if *m.dst, err = flagged(m.is, m.from); err != nil {
					return nil, &ParseError{File: file, Field: path + "." + m.name + "From", Err: err}
				}
			}
			if rel.Latest != nil {
				c.Latest = rel.Latest.Name
				if c.LatestReleaseDate, err = optDate(rel.Latest.Date); err != nil {
					return nil, &ParseError{File: file, Field: path + ".latest.date", Err: err}
				}
			}
			p.Cycles = append(p.Cycles, c)
		}
		out = append(out, p)
	}
	return out, nil
}

type apiProduct struct {
	Name        string `json:"name"`
	Label       string `json:"label"`
	Category    string `json:"category"`
	Identifiers []struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"identifiers"`
	Releases []struct {
		Name             string  `json:"name"`
		Codename         string  `json:"codename"`
		Label            string  `json:"label"`
		ReleaseDate      *string `json:"releaseDate"`
		IsLts            *bool   `json:"isLts"`
		LtsFrom          *string `json:"ltsFrom"`
		IsEoas           *bool   `json:"isEoas"`
		EoasFrom         *string `json:"eoasFrom"`
		IsEol            *bool   `json:"isEol"`
		EolFrom          *string `json:"eolFrom"`
		IsEoes           *bool   `json:"isEoes"`
		EoesFrom         *string `json:"eoesFrom"`
		IsDiscontinued   *bool   `json:"isDiscontinued"`
		DiscontinuedFrom *string `json:"discontinuedFrom"`
		Latest           *struct {
			Name string  `json:"name"`
			Date *string `json:"date"`
		} `json:"latest"`
	} `json:"releases"`
}

func flagged(is *bool, from *string) (Milestone, error) {
	t, err := optDate(from)
	switch {
	case err != nil:
		return Milestone{}, err
	case !t.IsZero():
		return DateMilestone(t), nil
	case is == nil:
		return Milestone{}, nil
	case *is:
		return Milestone{Kind: MilestoneTrue}, nil
	}
	return Milestone{Kind: MilestoneFalse}, nil
}

// decodeJSON decodes one JSON value and refuses trailing data.
func decodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("empty input")
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return &offsetError{int64(len(data)), errors.New("unexpected end of JSON input (truncated file?)")}
		}
		return err
	}
	end := dec.InputOffset()
	for end < int64(len(data)) && strings.IndexByte(" \t\r\n", data[end]) >= 0 {
		end++
	}
	if end < int64(len(data)) {
		return &offsetError{end, errors.New("trailing data after the JSON value")}
	}
	return nil
}

type offsetError struct {
	off int64
	err error
}

func (e *offsetError) Error() string { return e.err.Error() }

func shiftOffset(err error, by int64) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return &offsetError{se.Offset - 1 + by, err}
	case errors.As(err, &te):
		return &offsetError{te.Offset - 1 + by, err}
	}
	return err
}

// jsonError turns a JSON decoding error into a ParseError with line, column and field.
func jsonError(file string, data []byte, err error) error {
	pe := &ParseError{File: file, Err: err}
	off := int64(-1)
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var oe *offsetError
	switch {
	case errors.As(err, &oe):
		off = oe.off
		pe.Err = oe.err
		if errors.As(oe.err, &te) {
			pe.Field = te.Field
		}
	case errors.As(err, &se):
		off = se.Offset - 1 // the offending byte; Offset counts the bytes read including it
	case errors.As(err, &te):
		off = te.Offset - 1
		pe.Field = te.Field
		pe.Err = fmt.Errorf("want %s, got JSON %s", te.Type, te.Value)
	}
	if off >= 0 {
		pe.Line, pe.Column = lineCol(data, max(off, 0))
	}
	return pe
}

func lineCol(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}
