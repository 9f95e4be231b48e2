package deadline

import (
	_ "embed"
	"fmt"
	"sync"

	"github.com/goccy/go-yaml"
)

// Event names what starts a deadline's period.
type Event string

// The start events.
const (
	EventAwareness    Event = "awareness"     // becoming aware of the incident, breach or vulnerability
	EventNotification Event = "notification"  // submitting the incident notification (the 72 h report)
	EventFixAvailable Event = "fix-available" // a corrective or mitigating measure becoming available
)

// Describe returns a short human description of the event.
func (e Event) Describe() string {
	switch e {
	case EventAwareness:
		return "becoming aware of the incident"
	case EventNotification:
		return "submitting the incident notification (72-hour report)"
	case EventFixAvailable:
		return "a corrective or mitigating measure becoming available"
	}
	return string(e)
}

// Period is the length of a reporting period: exactly one of Hours, Days or Months is positive, or None
// is true when the law sets no fixed period.
type Period struct {
	Hours  int  `yaml:"hours" json:"hours,omitempty"`
	Days   int  `yaml:"days" json:"days,omitempty"`
	Months int  `yaml:"months" json:"months,omitempty"`
	None   bool `yaml:"none" json:"none,omitempty"`
}

// String renders the period for people: "24 hours", "15 days", "1 month", "without undue delay".
func (p Period) String() string {
	switch {
	case p.Hours > 0:
		return plural(p.Hours, "hour")
	case p.Days > 0:
		return plural(p.Days, "day")
	case p.Months > 0:
		return plural(p.Months, "month")
	}
	return "without undue delay (no fixed period)"
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

func (p Period) validate() error {
	n := 0
	for _, v := range []bool{p.Hours > 0, p.Days > 0, p.Months > 0, p.None} {
		if v {
			n++
		}
	}
	if n != 1 || p.Hours < 0 || p.Days < 0 || p.Months < 0 {
		return fmt.Errorf("period must set exactly one of hours, days, months (positive) or none")
	}
	return nil
}

// Rule is one reporting obligation as written in data/deadlines.yaml.
type Rule struct {
	ID         string `yaml:"id" json:"id"`
	Regime     Regime `yaml:"regime" json:"regime"`
	Title      string `yaml:"title" json:"title"`
	Period     Period `yaml:"period" json:"period"`
	StartsWith Event  `yaml:"starts_with" json:"starts_with"`
	Recipient  string `yaml:"recipient" json:"recipient"`
	Basis      string `yaml:"basis" json:"basis"`
	Note       string `yaml:"note" json:"note,omitempty"`
	// Status is "V" (checked against the legal text) or "S" (agreeing secondary sources).
	Status string `yaml:"status" json:"status"`
}

// RuleSet is the versioned set of deadline rules.
type RuleSet struct {
	Version string   `yaml:"version" json:"version"`
	Sources []string `yaml:"sources" json:"sources"`
	Rules   []Rule   `yaml:"rules" json:"rules"`
}

//go:embed data/deadlines.yaml
var deadlinesYAML []byte

// rules is loaded on first use, not at program start (every command, vigil scan included, would pay for it).
var rules = sync.OnceValue(func() RuleSet { return mustLoadRules(deadlinesYAML) })

// Rules returns a copy of the embedded rule set.
func Rules() RuleSet {
	rs := rules()
	rs.Sources = append([]string(nil), rules().Sources...)
	rs.Rules = append([]Rule(nil), rules().Rules...)
	return rs
}

// RuleByID returns the rule with the given deadline id.
func RuleByID(id string) (Rule, bool) {
	for _, r := range rules().Rules {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

func mustLoadRules(b []byte) RuleSet {
	rs, err := parseRules(b)
	if err != nil {
		// The data is embedded at build time and checked by the tests; a failure here is a build defect.
		panic("deadline: embedded data/deadlines.yaml: " + err.Error())
	}
	return rs
}

func parseRules(b []byte) (RuleSet, error) {
	var rs RuleSet
	if err := yaml.UnmarshalWithOptions(b, &rs, yaml.DisallowUnknownField()); err != nil {
		return RuleSet{}, err
	}
	if rs.Version == "" {
		return RuleSet{}, fmt.Errorf("version: missing")
	}
	seen := map[string]bool{}
	for i, r := range rs.Rules {
		where := fmt.Sprintf("rules[%d] (%s)", i, r.ID)
		if r.ID == "" || seen[r.ID] {
			return RuleSet{}, fmt.Errorf("%s: id missing or duplicate", where)
		}
		seen[r.ID] = true
		if _, err := ParseRegime(string(r.Regime)); err != nil {
			return RuleSet{}, fmt.Errorf("%s: regime: %w", where, err)
		}
		if err := r.Period.validate(); err != nil {
			return RuleSet{}, fmt.Errorf("%s: %w", where, err)
		}
		switch r.StartsWith {
		case EventAwareness, EventNotification, EventFixAvailable:
		default:
			return RuleSet{}, fmt.Errorf("%s: starts_with: unknown event %q", where, r.StartsWith)
		}
		if r.Title == "" || r.Recipient == "" || r.Basis == "" {
			return RuleSet{}, fmt.Errorf("%s: title, recipient and basis are required", where)
		}
		if r.Status != "V" && r.Status != "S" {
			return RuleSet{}, fmt.Errorf("%s: status must be V or S", where)
		}
	}
	return rs, nil
}
