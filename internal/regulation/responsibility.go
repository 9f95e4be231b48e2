package regulation

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Party is one of the three parties of MDCG 2019-16's joint responsibility.
type Party string

// The parties.
const (
	Manufacturer Party = "manufacturer"
	Operator     Party = "operator" // the hospital (health delivery organisation)
	Integrator   Party = "integrator"
)

// Parties lists the parties in matrix column order.
var Parties = []Party{Manufacturer, Operator, Integrator}

// Role is what a party does for an activity.
type Role string

// The roles.
const (
	Responsible Role = "responsible"
	Supports    Role = "supports"
	Informed    Role = "informed"
	NoRole      Role = "none"
)

// Answer is an MDS2 question id with the normalised answer that decided (or informed) a cell.
type Answer struct {
	Question string `yaml:"question" json:"question"`
	Answer   string `yaml:"answer" json:"answer"`
}

// Cell is one party's role for one activity, with the answers that decided it.
type Cell struct {
	Party     Party    `json:"party"`
	Role      Role     `json:"role"`
	Text      string   `json:"text,omitempty"`
	DecidedBy []Answer `json:"decided_by"` // empty when the default applied
}

// Decision sources of a matrix row.
const (
	DecidedByAnswers  = "answers"        // an MDS2 rule matched
	DecidedByGuidance = "guidance"       // no rule matched; the default is what the guidance itself says
	Unanswered        = "unanswered"     // no rule matched; the default stands in for a missing answer
	NotApplicable     = "not-applicable" // an answer shows the activity does not arise for this device
)

// Row is one activity of the matrix.
type Row struct {
	Activity string `json:"activity"`
	Title    string `json:"title"`
	Basis    string `json:"basis"`
	// Decision is answers, guidance, unanswered or not-applicable.
	Decision string `json:"decision"`
	// Cells holds one cell per party in Parties order; empty when not applicable.
	Cells []Cell `json:"cells"`
	// Reason explains a not-applicable row.
	Reason string `json:"reason,omitempty"`
	// Notes are facts from further answers, each with its answer.
	Notes []Note `json:"notes"`
	// Consulted lists the question ids the activity's rules look at, for "what to ask the manufacturer".
	Consulted []string `json:"consulted"`
}

// Note is a fact drawn from an MDS2 answer.
type Note struct {
	Text   string `json:"text"`
	Answer Answer `json:"answer"`
}

// Matrix is the shared-responsibility matrix of one product (version).
type Matrix struct {
	Version string   `json:"version"`
	Parties []Party  `json:"parties"`
	Rows    []Row    `json:"rows"`
	Sources []string `json:"sources"`
}

type cellSpec struct {
	Role Role   `yaml:"role"`
	Text string `yaml:"text"`
}

type matrixRule struct {
	When          map[string]string `yaml:"when"`
	NotApplicable string            `yaml:"not_applicable"`
	Manufacturer  *cellSpec         `yaml:"manufacturer"`
	Operator      *cellSpec         `yaml:"operator"`
	Integrator    *cellSpec         `yaml:"integrator"`
}

type noteRule struct {
	When map[string]string `yaml:"when"`
	Text string            `yaml:"text"`
}

type activitySpec struct {
	ID            string       `yaml:"id"`
	Title         string       `yaml:"title"`
	Basis         string       `yaml:"basis"`
	DefaultSource string       `yaml:"default_source"`
	Default       matrixRule   `yaml:"default"`
	Rules         []matrixRule `yaml:"rules"`
	Notes         []noteRule   `yaml:"notes"`
}

type responsibilityData struct {
	Version    string         `yaml:"version"`
	Sources    []string       `yaml:"sources"`
	Activities []activitySpec `yaml:"activities"`
}

// responsibility is loaded on first use, not at program start (every command, vigil scan included, would pay for it).
var responsibility = sync.OnceValue(func() responsibilityData { return loadResponsibility() })

func loadResponsibility() responsibilityData {
	var d responsibilityData
	mustDecode("data/responsibility.yaml", &d)
	if err := d.validate(); err != nil {
		panic("regulation: embedded data/responsibility.yaml: " + err.Error())
	}
	return d
}

var mds2Answers = []string{"yes", "no", "na", "see-note", "text", ""}

func (d responsibilityData) validate() error {
	var errs []error
	roles := []Role{Responsible, Supports, Informed, NoRole}
	checkCells := func(where string, r matrixRule) {
		if r.NotApplicable != "" {
			if r.Manufacturer != nil || r.Operator != nil || r.Integrator != nil {
				errs = append(errs, fmt.Errorf("%s: a not-applicable rule sets no cells", where))
			}
			return
		}
		for _, c := range []*cellSpec{r.Manufacturer, r.Operator, r.Integrator} {
			if c == nil || !slices.Contains(roles, c.Role) {
				errs = append(errs, fmt.Errorf("%s: all three cells with a role of %v are required", where, roles))
				return
			}
		}
	}
	checkWhen := func(where string, w map[string]string) {
		for q, a := range w {
			if !slices.Contains(mds2Answers, a) || q == "" {
				errs = append(errs, fmt.Errorf("%s: when %s=%q: answer must be one of %q", where, q, a, mds2Answers))
			}
		}
	}
	for i, a := range d.Activities {
		where := fmt.Sprintf("activities[%d] (%s)", i, a.ID)
		if a.ID == "" || a.Title == "" || a.Basis == "" {
			errs = append(errs, fmt.Errorf("%s: id, title and basis are required", where))
		}
		if a.DefaultSource != DecidedByGuidance && a.DefaultSource != Unanswered {
			errs = append(errs, fmt.Errorf("%s: default_source must be guidance or unanswered", where))
		}
		checkCells(where+".default", a.Default)
		for j, r := range a.Rules {
			if len(r.When) == 0 {
				errs = append(errs, fmt.Errorf("%s.rules[%d]: when is required", where, j))
			}
			checkWhen(fmt.Sprintf("%s.rules[%d]", where, j), r.When)
			checkCells(fmt.Sprintf("%s.rules[%d]", where, j), r)
		}
		for j, n := range a.Notes {
			if len(n.When) != 1 || n.Text == "" {
				errs = append(errs, fmt.Errorf("%s.notes[%d]: one when answer and a text are required", where, j))
			}
			checkWhen(fmt.Sprintf("%s.notes[%d]", where, j), n.When)
		}
	}
	return errors.Join(errs...)
}

// NormaliseMDS2ID upper-cases an MDS2 question id and maps the form's own typo SHAD-15 to SAHD-15.
func NormaliseMDS2ID(id string) string {
	id = strings.ToUpper(strings.TrimSpace(id))
	if id == "SHAD-15" {
		return "SAHD-15"
	}
	return id
}

// Responsibilities fills the MDCG 2019-16 matrix from a product's MDS2 answers: question id → normalised
// answer ("yes", "no", "na", "see-note", "text" or ""). Ids are matched case-insensitively. A nil or empty
// map gives the defaults, each row marked as decided by guidance or unanswered. Each cell names the
// answers that decided it.
func Responsibilities(answers map[string]string) Matrix {
	norm := make(map[string]string, len(answers))
	for k, v := range answers {
		norm[NormaliseMDS2ID(k)] = strings.ToLower(strings.TrimSpace(v))
	}
	m := Matrix{Version: responsibility().Version, Parties: slices.Clone(Parties), Sources: slices.Clone(responsibility().Sources)}
	for _, a := range responsibility().Activities {
		m.Rows = append(m.Rows, fillRow(a, norm))
	}
	return m
}

func matches(when, answers map[string]string) ([]Answer, bool) {
	var got []Answer
	for q, want := range when {
		have, ok := answers[q]
		if !ok || have != want {
			return nil, false
		}
		got = append(got, Answer{q, have})
	}
	sort.Slice(got, func(i, j int) bool { return got[i].Question < got[j].Question })
	return got, true
}

func fillRow(a activitySpec, answers map[string]string) Row {
	row := Row{Activity: a.ID, Title: a.Title, Basis: a.Basis, Cells: []Cell{}, Notes: []Note{}, Consulted: consulted(a)}
	rule, decidedBy := a.Default, []Answer{}
	row.Decision = a.DefaultSource
	for _, r := range a.Rules {
		if got, ok := matches(r.When, answers); ok {
			rule, decidedBy, row.Decision = r, got, DecidedByAnswers
			break
		}
	}
	if rule.NotApplicable != "" {
		row.Decision, row.Reason = NotApplicable, rule.NotApplicable
	} else {
		for i, c := range []*cellSpec{rule.Manufacturer, rule.Operator, rule.Integrator} {
			row.Cells = append(row.Cells, Cell{Party: Parties[i], Role: c.Role, Text: c.Text, DecidedBy: slices.Clone(decidedBy)})
		}
	}
	for _, n := range a.Notes {
		if got, ok := matches(n.When, answers); ok {
			row.Notes = append(row.Notes, Note{Text: n.Text, Answer: got[0]})
		}
	}
	return row
}

func consulted(a activitySpec) []string {
	set := map[string]bool{}
	for _, r := range a.Rules {
		for q := range r.When {
			set[q] = true
		}
	}
	for _, n := range a.Notes {
		for q := range n.When {
			set[q] = true
		}
	}
	out := make([]string, 0, len(set))
	for q := range set {
		out = append(out, q)
	}
	sort.Strings(out)
	return out
}
