package risk

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	gocvss20 "github.com/pandatix/go-cvss/20"
	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"
)

// CVSSVersion names a CVSS specification version.
type CVSSVersion string

// The CVSS versions Vigil scores.
const (
	CVSSv2  CVSSVersion = "2.0"
	CVSSv30 CVSSVersion = "3.0"
	CVSSv31 CVSSVersion = "3.1"
	CVSSv40 CVSSVersion = "4.0"
)

// maxVectorLen bounds the vector strings we accept; the longest valid CVSS 4.0 vector with every
// optional metric is well under 300 characters.
const maxVectorLen = 512

// CVSS is a parsed and validated CVSS vector with its base score.
//
// The zero value is not a valid vector; obtain one from ParseCVSS.
type CVSS struct {
	Version      CVSSVersion
	Vector       string  // the vector as given, surrounding space and parentheses removed
	BaseScore    float64 // base score (CVSS-B for 4.0), 0.0–10.0
	BaseSeverity string  // NONE, LOW, MEDIUM, HIGH or CRITICAL (v2 uses the NVD ranges)

	metrics []metricValue // in vector order
}

type metricValue struct{ abv, value string }

// CVSSError says what is wrong with a CVSS vector. Metric names the offending metric
// abbreviation ("" when the problem is not one metric, e.g. a bad prefix).
type CVSSError struct {
	Vector string
	Metric string
	Reason string
}

func (e *CVSSError) Error() string {
	if e.Metric != "" {
		return fmt.Sprintf("cvss vector %q: metric %s: %s", e.Vector, e.Metric, e.Reason)
	}
	return fmt.Sprintf("cvss vector %q: %s", e.Vector, e.Reason)
}

// metricDef describes one metric of one CVSS version.
type metricDef struct {
	abv    string
	group  int // index into the version's groups (0 = base)
	values []string
}

type versionDef struct {
	prefix  string // "CVSS:3.1/"; "" for v2
	metrics []metricDef
	// ordered: metrics must appear in table order (v2, v4.0); v3.x allows any order.
	ordered bool
	// wholeGroups: a non-base group is given entirely or not at all (v2).
	wholeGroups bool
	groups      []string
	// threat lists the temporal/threat metrics that risk scoring neutralises (EPSS and KEV
	// carry the threat evidence instead).
	threat []string
	// neutral is the "not defined" value of the version.
	neutral string
}

var (
	v2Def = versionDef{
		ordered: true, wholeGroups: true, neutral: "ND",
		groups: []string{"base", "temporal", "environmental"},
		threat: []string{"E", "RL", "RC"},
		metrics: []metricDef{
			{"AV", 0, []string{"L", "A", "N"}},
			{"AC", 0, []string{"H", "M", "L"}},
			{"Au", 0, []string{"M", "S", "N"}},
			{"C", 0, []string{"N", "P", "C"}},
			{"I", 0, []string{"N", "P", "C"}},
			{"A", 0, []string{"N", "P", "C"}},
			{"E", 1, []string{"U", "POC", "F", "H", "ND"}},
			{"RL", 1, []string{"OF", "TF", "W", "U", "ND"}},
			{"RC", 1, []string{"UC", "UR", "C", "ND"}},
			{"CDP", 2, []string{"N", "L", "LM", "MH", "H", "ND"}},
			{"TD", 2, []string{"N", "L", "M", "H", "ND"}},
			{"CR", 2, []string{"L", "M", "H", "ND"}},
			{"IR", 2, []string{"L", "M", "H", "ND"}},
			{"AR", 2, []string{"L", "M", "H", "ND"}},
		},
	}
	v3Metrics = []metricDef{
		{"AV", 0, []string{"N", "A", "L", "P"}},
		{"AC", 0, []string{"L", "H"}},
		{"PR", 0, []string{"N", "L", "H"}},
		{"UI", 0, []string{"N", "R"}},
		{"S", 0, []string{"U", "C"}},
		{"C", 0, []string{"H", "L", "N"}},
		{"I", 0, []string{"H", "L", "N"}},
		{"A", 0, []string{"H", "L", "N"}},
		{"E", 1, []string{"X", "H", "F", "P", "U"}},
		{"RL", 1, []string{"X", "U", "W", "T", "O"}},
		{"RC", 1, []string{"X", "C", "R", "U"}},
		{"CR", 2, []string{"X", "H", "M", "L"}},
		{"IR", 2, []string{"X", "H", "M", "L"}},
		{"AR", 2, []string{"X", "H", "M", "L"}},
		{"MAV", 2, []string{"X", "N", "A", "L", "P"}},
		{"MAC", 2, []string{"X", "L", "H"}},
		{"MPR", 2, []string{"X", "N", "L", "H"}},
		{"MUI", 2, []string{"X", "N", "R"}},
		{"MS", 2, []string{"X", "U", "C"}},
		{"MC", 2, []string{"X", "H", "L", "N"}},
		{"MI", 2, []string{"X", "H", "L", "N"}},
		{"MA", 2, []string{"X", "H", "L", "N"}},
	}
	v30Def = versionDef{prefix: "CVSS:3.0/", metrics: v3Metrics, neutral: "X",
		groups: []string{"base", "temporal", "environmental"}, threat: []string{"E", "RL", "RC"}}
	v31Def = versionDef{prefix: "CVSS:3.1/", metrics: v3Metrics, neutral: "X",
		groups: []string{"base", "temporal", "environmental"}, threat: []string{"E", "RL", "RC"}}
	v40Def = versionDef{
		prefix: "CVSS:4.0/", ordered: true, neutral: "X",
		groups: []string{"base", "threat", "environmental", "supplemental"},
		threat: []string{"E"},
		metrics: []metricDef{
			{"AV", 0, []string{"N", "A", "L", "P"}},
			{"AC", 0, []string{"L", "H"}},
			{"AT", 0, []string{"N", "P"}},
			{"PR", 0, []string{"N", "L", "H"}},
			{"UI", 0, []string{"N", "P", "A"}},
			{"VC", 0, []string{"H", "L", "N"}},
			{"VI", 0, []string{"H", "L", "N"}},
			{"VA", 0, []string{"H", "L", "N"}},
			{"SC", 0, []string{"H", "L", "N"}},
			{"SI", 0, []string{"H", "L", "N"}},
			{"SA", 0, []string{"H", "L", "N"}},
			{"E", 1, []string{"X", "A", "P", "U"}},
			{"CR", 2, []string{"X", "H", "M", "L"}},
			{"IR", 2, []string{"X", "H", "M", "L"}},
			{"AR", 2, []string{"X", "H", "M", "L"}},
			{"MAV", 2, []string{"X", "N", "A", "L", "P"}},
			{"MAC", 2, []string{"X", "L", "H"}},
			{"MAT", 2, []string{"X", "N", "P"}},
			{"MPR", 2, []string{"X", "N", "L", "H"}},
			{"MUI", 2, []string{"X", "N", "P", "A"}},
			{"MVC", 2, []string{"X", "H", "L", "N"}},
			{"MVI", 2, []string{"X", "H", "L", "N"}},
			{"MVA", 2, []string{"X", "H", "L", "N"}},
			{"MSC", 2, []string{"X", "H", "L", "N"}},
			{"MSI", 2, []string{"X", "S", "H", "L", "N"}},
			{"MSA", 2, []string{"X", "S", "H", "L", "N"}},
			{"S", 3, []string{"X", "N", "P"}},
			{"AU", 3, []string{"X", "N", "Y"}},
			{"R", 3, []string{"X", "A", "U", "I"}},
			{"V", 3, []string{"X", "D", "C"}},
			{"RE", 3, []string{"X", "L", "M", "H"}},
			{"U", 3, []string{"X", "Clear", "Green", "Amber", "Red"}},
		},
	}
)

func defFor(v CVSSVersion) *versionDef {
	switch v {
	case CVSSv2:
		return &v2Def
	case CVSSv30:
		return &v30Def
	case CVSSv31:
		return &v31Def
	case CVSSv40:
		return &v40Def
	}
	return nil
}

func (d *versionDef) index(abv string) int {
	for i, m := range d.metrics {
		if m.abv == abv {
			return i
		}
	}
	return -1
}

// ParseCVSS parses and validates a CVSS v2.0, v3.0, v3.1 or v4.0 vector string and computes its base
// score. v2 vectors are accepted with or without a "CVSS:2.0/" prefix and surrounding parentheses
// (as NVD writes them). Errors are *CVSSError values naming the offending metric where there is one.
func ParseCVSS(vector string) (CVSS, error) {
	raw := vector
	if len(vector) > maxVectorLen {
		return CVSS{}, &CVSSError{Vector: truncate(raw, 40) + "…", Reason: fmt.Sprintf("too long (%d characters, limit %d)", len(vector), maxVectorLen)}
	}
	vector = strings.TrimSpace(vector)
	if strings.HasPrefix(vector, "(") && strings.HasSuffix(vector, ")") {
		vector = strings.TrimSpace(vector[1 : len(vector)-1])
	}
	var version CVSSVersion
	body := vector
	switch {
	case strings.HasPrefix(vector, "CVSS:4.0/"):
		version, body = CVSSv40, vector[len("CVSS:4.0/"):]
	case strings.HasPrefix(vector, "CVSS:3.1/"):
		version, body = CVSSv31, vector[len("CVSS:3.1/"):]
	case strings.HasPrefix(vector, "CVSS:3.0/"):
		version, body = CVSSv30, vector[len("CVSS:3.0/"):]
	case strings.HasPrefix(vector, "CVSS:2.0/"):
		version, body = CVSSv2, vector[len("CVSS:2.0/"):]
	case strings.HasPrefix(vector, "CVSS:"):
		p, _, _ := strings.Cut(vector, "/")
		return CVSS{}, &CVSSError{Vector: raw, Reason: fmt.Sprintf("unsupported CVSS version prefix %q (want CVSS:2.0, CVSS:3.0, CVSS:3.1 or CVSS:4.0)", p)}
	case strings.HasPrefix(vector, "AV:"):
		version = CVSSv2
	default:
		return CVSS{}, &CVSSError{Vector: raw, Reason: "not a CVSS vector (no CVSS:x.y/ prefix and no v2 AV: metric)"}
	}
	def := defFor(version)
	metrics, err := splitMetrics(raw, body, def)
	if err != nil {
		return CVSS{}, err
	}
	c := CVSS{Version: version, Vector: vector, metrics: metrics}
	base, err := c.scoreOf(c.baseOnly())
	if err != nil {
		return CVSS{}, &CVSSError{Vector: raw, Reason: err.Error()}
	}
	c.BaseScore = base
	c.BaseSeverity = severityOf(version, base)
	return c, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// splitMetrics validates the metric list of a vector body against the version's table.
func splitMetrics(raw, body string, def *versionDef) ([]metricValue, error) {
	if body == "" {
		return nil, &CVSSError{Vector: raw, Reason: "no metrics"}
	}
	parts := strings.Split(body, "/")
	seen := make(map[string]bool, len(parts))
	out := make([]metricValue, 0, len(parts))
	last := -1
	groupsSeen := map[int]int{}
	for i, p := range parts {
		abv, val, ok := strings.Cut(p, ":")
		if p == "" {
			return nil, &CVSSError{Vector: raw, Reason: fmt.Sprintf("empty metric at position %d", i+1)}
		}
		if !ok {
			return nil, &CVSSError{Vector: raw, Metric: abv, Reason: "no value (want ABBREVIATION:VALUE)"}
		}
		idx := def.index(abv)
		if idx < 0 {
			return nil, &CVSSError{Vector: raw, Metric: abv, Reason: "unknown metric for CVSS " + versionOf(def)}
		}
		m := def.metrics[idx]
		if !contains(m.values, val) {
			return nil, &CVSSError{Vector: raw, Metric: abv, Reason: fmt.Sprintf("invalid value %q (allowed: %s)", val, strings.Join(m.values, ", "))}
		}
		if seen[abv] {
			return nil, &CVSSError{Vector: raw, Metric: abv, Reason: "given more than once"}
		}
		seen[abv] = true
		if def.ordered && idx < last {
			return nil, &CVSSError{Vector: raw, Metric: abv, Reason: fmt.Sprintf("out of order (must come before %s)", def.metrics[last].abv)}
		}
		last = idx
		groupsSeen[m.group]++
		out = append(out, metricValue{abv, val})
	}
	for _, m := range def.metrics {
		if m.group == 0 && !seen[m.abv] {
			return nil, &CVSSError{Vector: raw, Metric: m.abv, Reason: "missing base metric"}
		}
	}
	if def.wholeGroups {
		for g, n := range groupsSeen {
			want := 0
			for _, m := range def.metrics {
				if m.group == g {
					want++
				}
			}
			if n != want {
				for _, m := range def.metrics {
					if m.group == g && !seen[m.abv] {
						return nil, &CVSSError{Vector: raw, Metric: m.abv, Reason: fmt.Sprintf("missing (a CVSS 2.0 %s group is given entirely or not at all)", def.groups[g])}
					}
				}
			}
		}
	}
	return out, nil
}

func versionOf(def *versionDef) string {
	switch def {
	case &v2Def:
		return "2.0"
	case &v30Def:
		return "3.0"
	case &v31Def:
		return "3.1"
	}
	return "4.0"
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Metric returns the value of a metric as given in the vector, or "" when the vector does not give it.
func (c CVSS) Metric(abv string) string {
	for _, m := range c.metrics {
		if m.abv == abv {
			return m.value
		}
	}
	return ""
}

// baseOnly returns the base metrics of the vector.
func (c CVSS) baseOnly() []metricValue {
	def := defFor(c.Version)
	var out []metricValue
	for _, m := range c.metrics {
		if def.metrics[def.index(m.abv)].group == 0 {
			out = append(out, m)
		}
	}
	return out
}

// ScoredVector is the result of applying environmental adjustments to a vector.
type ScoredVector struct {
	Vector   string  // the vector that was scored (threat metrics removed, modifications applied)
	Score    float64 // its score, 0.0–10.0
	Severity string
	// Applied lists the metrics that the adjustment set or changed, "MAV:A" style, in table order.
	Applied []string
	// Ignored lists requested modifications the version cannot express (e.g. any modified metric on v2).
	Ignored []string
}

// Environmental scores the vector as risk scoring uses it: temporal/threat metrics are neutralised
// (exploit evidence comes from EPSS and KEV instead), environmental metrics present in the vector are
// kept, and mods (abbreviation → value, e.g. {"MAV": "A"}) are applied on top, replacing any value the
// vector gave. A modification that is not a metric of this version is reported in Ignored, not as an
// error; an invalid value for a known metric is an error.
func (c CVSS) Environmental(mods map[string]string) (ScoredVector, error) {
	def := defFor(c.Version)
	if def == nil {
		return ScoredVector{}, errors.New("cvss: zero CVSS value")
	}
	vals := map[string]string{}
	for _, m := range c.metrics {
		vals[m.abv] = m.value
	}
	for _, t := range def.threat {
		delete(vals, t)
	}
	var applied, ignored []string
	for _, m := range def.metrics {
		v, ok := mods[m.abv]
		if !ok {
			continue
		}
		if m.group == 0 {
			ignored = append(ignored, m.abv+":"+v)
			continue
		}
		if !contains(m.values, v) {
			return ScoredVector{}, &CVSSError{Vector: c.Vector, Metric: m.abv, Reason: fmt.Sprintf("invalid modified value %q (allowed: %s)", v, strings.Join(m.values, ", "))}
		}
		if vals[m.abv] == v {
			continue
		}
		if _, given := vals[m.abv]; !given && v == baseEquivalent(def, m.abv, vals) {
			continue // a modification that repeats the base value changes nothing; leave it out
		}
		applied = append(applied, m.abv+":"+v)
		vals[m.abv] = v
	}
	for abv, v := range mods {
		if def.index(abv) < 0 {
			ignored = append(ignored, abv+":"+v)
		}
	}
	slices.Sort(ignored)
	// v2 groups must be complete.
	if def.wholeGroups {
		for g := 1; g < len(def.groups); g++ {
			any := false
			for _, m := range def.metrics {
				if m.group == g && vals[m.abv] != "" {
					any = true
				}
			}
			if any {
				for _, m := range def.metrics {
					if m.group == g && vals[m.abv] == "" {
						vals[m.abv] = def.neutral
					}
				}
			}
		}
	}
	var list []metricValue
	for _, m := range def.metrics {
		if v := vals[m.abv]; v != "" {
			list = append(list, metricValue{m.abv, v})
		}
	}
	score, err := c.scoreOf(list)
	if err != nil {
		return ScoredVector{}, &CVSSError{Vector: c.Vector, Reason: err.Error()}
	}
	return ScoredVector{
		Vector:   vectorString(def, list),
		Score:    score,
		Severity: severityOf(c.Version, score),
		Applied:  applied,
		Ignored:  ignored,
	}, nil
}

// baseEquivalent returns the value that makes a modification a no-op: the base value for a modified
// base metric (AV for MAV, VC for MVC, S for MS) and "not defined" for the other metrics.
func baseEquivalent(def *versionDef, abv string, vals map[string]string) string {
	if def != &v2Def && strings.HasPrefix(abv, "M") {
		return vals[abv[1:]]
	}
	return def.neutral
}

func vectorString(def *versionDef, list []metricValue) string {
	var b strings.Builder
	b.WriteString(def.prefix)
	for i, m := range list {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(m.abv)
		b.WriteByte(':')
		b.WriteString(m.value)
	}
	return b.String()
}

// scoreOf scores a metric list with go-cvss: the environmental score for v2/v3 (which equals the base
// score when no environmental or temporal metric is set) and the full CVSS 4.0 score for v4.
func (c CVSS) scoreOf(list []metricValue) (float64, error) {
	def := defFor(c.Version)
	vec := vectorString(def, list)
	// With no environmental metric the base formula is used: the v3 environmental formula differs
	// slightly from the base formula for changed scope, so it would not reproduce the base score.
	env := false
	for _, m := range list {
		if def.metrics[def.index(m.abv)].group != 0 {
			env = true
			break
		}
	}
	var s float64
	switch c.Version {
	case CVSSv2:
		v, err := gocvss20.ParseVector(vec)
		if err != nil {
			return 0, err
		}
		s = v.BaseScore()
		if env {
			s = v.EnvironmentalScore()
		}
	case CVSSv30:
		v, err := gocvss30.ParseVector(vec)
		if err != nil {
			return 0, err
		}
		s = v.BaseScore()
		if env {
			s = v.EnvironmentalScore()
		}
	case CVSSv31:
		v, err := gocvss31.ParseVector(vec)
		if err != nil {
			return 0, err
		}
		s = v.BaseScore()
		if env {
			s = v.EnvironmentalScore()
		}
	case CVSSv40:
		v, err := gocvss40.ParseVector(vec)
		if err != nil {
			return 0, err
		}
		s = v.Score()
	default:
		return 0, fmt.Errorf("unknown CVSS version %q", c.Version)
	}
	if math.IsNaN(s) || s < 0 || s > 10 {
		return 0, fmt.Errorf("score %v out of range", s)
	}
	return math.Round(s*10) / 10, nil
}

// severityOf gives the qualitative rating of a score: the FIRST ranges for v3.x and v4.0, the NVD
// ranges (LOW < 4.0 ≤ MEDIUM < 7.0 ≤ HIGH) for v2, which has no official rating.
func severityOf(v CVSSVersion, s float64) string {
	if v == CVSSv2 {
		switch {
		case s >= 7:
			return "HIGH"
		case s >= 4:
			return "MEDIUM"
		default:
			return "LOW"
		}
	}
	switch {
	case s >= 9:
		return "CRITICAL"
	case s >= 7:
		return "HIGH"
	case s >= 4:
		return "MEDIUM"
	case s >= 0.1:
		return "LOW"
	}
	return "NONE"
}
