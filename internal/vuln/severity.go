package vuln

import (
	"errors"
	"fmt"
	"strings"

	cvss20 "github.com/pandatix/go-cvss/20"
	cvss30 "github.com/pandatix/go-cvss/30"
	cvss31 "github.com/pandatix/go-cvss/31"
	cvss40 "github.com/pandatix/go-cvss/40"
)

// Level is a qualitative severity rating. Unknown sorts lowest.
type Level uint8

// Severity levels in ascending order.
const (
	Unknown Level = iota
	None
	Low
	Medium
	High
	Critical
)

var levelNames = [...]string{"unknown", "none", "low", "medium", "high", "critical"}

// String returns the lower-case name of the level.
func (l Level) String() string {
	if int(l) < len(levelNames) {
		return levelNames[l]
	}
	return "unknown"
}

// MarshalText writes the level's name.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText reads a level name (see ParseLevel).
func (l *Level) UnmarshalText(b []byte) error {
	v, err := ParseLevel(string(b))
	*l = v
	return err
}

// ParseLevel reads a level name in any case ("HIGH", "moderate" = medium, "important" = high).
func ParseLevel(s string) (Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "unknown", "":
		return Unknown, nil
	case "none":
		return None, nil
	case "low":
		return Low, nil
	case "medium", "moderate":
		return Medium, nil
	case "high", "important":
		return High, nil
	case "critical":
		return Critical, nil
	}
	return Unknown, fmt.Errorf("unknown severity %q (want none, low, medium, high or critical)", s)
}

// LevelFromScore rates a base score. CVSS v3 and v4 use none (0), low (0.1–3.9), medium
// (4.0–6.9), high (7.0–8.9) and critical (9.0–10.0); CVSS v2 has no critical: 7.0–10.0 is high.
func LevelFromScore(typ string, score float64) Level {
	switch {
	case score <= 0:
		return None
	case score < 4:
		return Low
	case score < 7:
		return Medium
	case score < 9 || typ == CVSSv2:
		return High
	}
	return Critical
}

// ErrVector is wrapped by errors about unreadable CVSS vectors.
var ErrVector = errors.New("invalid CVSS vector")

// ScoreVector parses a CVSS v2, v3.0, v3.1 or v4.0 vector and returns its type (CVSSv2, CVSSv3,
// CVSSv4) and base score.
func ScoreVector(vector string) (typ string, score float64, err error) {
	switch {
	case strings.HasPrefix(vector, "CVSS:4.0/"):
		c, err := cvss40.ParseVector(vector)
		if err != nil {
			return "", 0, fmt.Errorf("%w %q: %v", ErrVector, vector, err)
		}
		return CVSSv4, c.Score(), nil
	case strings.HasPrefix(vector, "CVSS:3.1/"):
		c, err := cvss31.ParseVector(vector)
		if err != nil {
			return "", 0, fmt.Errorf("%w %q: %v", ErrVector, vector, err)
		}
		return CVSSv3, c.BaseScore(), nil
	case strings.HasPrefix(vector, "CVSS:3.0/"):
		c, err := cvss30.ParseVector(vector)
		if err != nil {
			return "", 0, fmt.Errorf("%w %q: %v", ErrVector, vector, err)
		}
		return CVSSv3, c.BaseScore(), nil
	case strings.HasPrefix(vector, "AV:"), strings.HasPrefix(vector, "(AV:"):
		c, err := cvss20.ParseVector(strings.Trim(vector, "()"))
		if err != nil {
			return "", 0, fmt.Errorf("%w %q: %v", ErrVector, vector, err)
		}
		return CVSSv2, c.BaseScore(), nil
	}
	return "", 0, fmt.Errorf("%w %q: unknown version", ErrVector, vector)
}

// NewSeverity builds a Severity from a vector, scoring it; an unreadable vector keeps the vector
// with Level Unknown.
func NewSeverity(vector, source string) Severity {
	typ, score, err := ScoreVector(vector)
	if err != nil {
		t := ""
		switch {
		case strings.HasPrefix(vector, "CVSS:4"):
			t = CVSSv4
		case strings.HasPrefix(vector, "CVSS:3"):
			t = CVSSv3
		default:
			t = CVSSv2
		}
		return Severity{Type: t, Vector: vector, Source: source}
	}
	return Severity{Type: typ, Vector: vector, Score: score, Level: LevelFromScore(typ, score), Source: source}
}

// Rated returns the severity Vigil shows for v: the highest CVSS v4 or v3 base score; without
// those the highest CVSS v2 score; without any score the highest qualitative rating; else Unknown.
// The returned Severity is the statement chosen (zero when none).
func (v *Vulnerability) Rated() Severity {
	var best Severity
	rank := func(s Severity) int {
		switch {
		case (s.Type == CVSSv3 || s.Type == CVSSv4) && s.Level != Unknown:
			return 3
		case s.Type == CVSSv2 && s.Level != Unknown:
			return 2
		case s.Level != Unknown:
			return 1
		}
		return 0
	}
	for _, s := range v.Severity {
		rs, rb := rank(s), rank(best)
		if rs > rb || rs == rb && rs > 0 && (s.Score > best.Score || s.Score == best.Score && s.Level > best.Level) {
			best = s
		}
	}
	return best
}
