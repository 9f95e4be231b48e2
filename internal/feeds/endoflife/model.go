// Package endoflife reads endoflife.date lifecycle data: the product pages of the
// github.com/endoflife-date/endoflife.date repository (products/*.md, YAML front matter with a
// `releases:` list of cycles), the per-version release dates of github.com/endoflife-date/release-data
// (releases/*.json), and answers of the endoflife.date API v1 (/api/v1/products/{name}).
//
// The readers are pure: they take readers or an fs.FS and return values. Every input is size-limited,
// errors name the file and line (YAML) or line and column (JSON), and YAML anchors and aliases are
// refused (the upstream data does not use them and they are the usual way to blow up a YAML reader).
package endoflife

import (
	"encoding/json"
	"fmt"
	"time"
)

// Product is one endoflife.date product with its release cycles, newest first as upstream lists them.
type Product struct {
	Name        string       // the product's slug, e.g. "windows" (file name without .md, or API name)
	Title       string       // e.g. "Microsoft Windows"
	Category    string       // e.g. "os", "lang", "server-app"
	Identifiers []Identifier // purl and CPE prefixes that name the product
	Cycles      []Cycle
	Source      string // where it was read from, e.g. "products/windows.md"
}

// Identifier is a purl, CPE or repology name that identifies a product (without version).
type Identifier struct {
	Type  string // "purl", "cpe" or "repology"
	Value string // e.g. "pkg:maven/org.apache.logging.log4j/log4j-core", "cpe:2.3:o:microsoft:windows"
}

// Cycle is one release cycle (a major or minor line with its own support dates).
type Cycle struct {
	Name        string    // releaseCycle, e.g. "7-sp1", "3.8", "10"
	Label       string    // display label with the product's template applied, e.g. "7 SP1", "10 (Buster)"
	Codename    string    // e.g. "Buster"
	ReleaseDate time.Time // zero when not given
	// EOL is the end of (security) support — endoflife.date's "eol".
	EOL Milestone
	// EOAS is the end of active support (bug fixes) — "eoas", older files "support".
	EOAS Milestone
	// EOES is the end of extended (often paid) support — "eoes", older files "extendedSupport".
	EOES Milestone
	// LTS is whether the cycle is long-term support (true/false) or since when (a date).
	LTS               Milestone
	Discontinued      Milestone // hardware products: discontinued (true/false) or since when
	Latest            string    // latest version in the cycle, e.g. "6.1.7601"
	LatestReleaseDate time.Time
	Link              string
	Line              int // line in the source file where the cycle starts; 0 for JSON sources
}

// MilestoneKind says what kind of value a milestone field held.
type MilestoneKind uint8

// Milestone kinds. endoflife.date writes either a date or a boolean: true means "reached, date not
// given", false means "not reached / not announced".
const (
	MilestoneAbsent MilestoneKind = iota // the field was not given
	MilestoneDate                        // a date
	MilestoneTrue                        // true: reached, date unknown
	MilestoneFalse                       // false: not reached or none announced
)

// Milestone is a support milestone: a date, a boolean, or absent.
type Milestone struct {
	Kind MilestoneKind
	Date time.Time // UTC midnight; set only for MilestoneDate
}

// DateMilestone returns a milestone on the given date.
func DateMilestone(t time.Time) Milestone {
	y, m, d := t.Date()
	return Milestone{Kind: MilestoneDate, Date: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// Reached reports whether the milestone has been reached on asOf, and whether that is known. A date
// milestone is reached from its date on (the date itself counts as reached).
func (m Milestone) Reached(asOf time.Time) (reached, known bool) {
	switch m.Kind {
	case MilestoneDate:
		y, mo, d := asOf.UTC().Date()
		day := time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
		return !day.Before(m.Date), true
	case MilestoneTrue:
		return true, true
	case MilestoneFalse:
		return false, true
	}
	return false, false
}

// String renders the milestone as upstream writes it: "2020-01-14", "true", "false" or "".
func (m Milestone) String() string {
	switch m.Kind {
	case MilestoneDate:
		return m.Date.Format(time.DateOnly)
	case MilestoneTrue:
		return "true"
	case MilestoneFalse:
		return "false"
	}
	return ""
}

// MarshalJSON writes a date string, a boolean, or null.
func (m Milestone) MarshalJSON() ([]byte, error) {
	switch m.Kind {
	case MilestoneDate:
		return json.Marshal(m.Date.Format(time.DateOnly))
	case MilestoneTrue:
		return []byte("true"), nil
	case MilestoneFalse:
		return []byte("false"), nil
	}
	return []byte("null"), nil
}

// UnmarshalJSON reads a "YYYY-MM-DD" string, a boolean, or null.
func (m *Milestone) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	mm, err := milestoneOf(v)
	if err != nil {
		return err
	}
	*m = mm
	return nil
}

func milestoneOf(v any) (Milestone, error) {
	switch x := v.(type) {
	case nil:
		return Milestone{}, nil
	case bool:
		if x {
			return Milestone{Kind: MilestoneTrue}, nil
		}
		return Milestone{Kind: MilestoneFalse}, nil
	case string:
		t, err := parseDate(x)
		if err != nil {
			return Milestone{}, err
		}
		return DateMilestone(t), nil
	}
	kind := "a JSON " + fmt.Sprintf("%T", v)
	switch v.(type) {
	case float64, json.Number:
		kind = "a number"
	case map[string]any:
		kind = "an object"
	case []any:
		kind = "a list"
	}
	return Milestone{}, fmt.Errorf("want a date or true/false, got %s", kind)
}

func parseDate(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date (want YYYY-MM-DD)", s)
	}
	return t, nil
}

// Cycle returns the cycle with the given name, or false.
func (p *Product) Cycle(name string) (Cycle, bool) {
	for _, c := range p.Cycles {
		if c.Name == name {
			return c, true
		}
	}
	return Cycle{}, false
}
