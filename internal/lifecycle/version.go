package lifecycle

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/vigil-med/vigil/internal/feeds/endoflife"
)

// tokens splits a version or cycle name into comparable parts: separators are . - _ + ~ : and
// spaces, and a change between digits and letters also separates ("1.0.2u" → 1 0 2 u,
// "8u292" → 8 u 292). Letters are lower-cased.
func tokens(s string) []string {
	var out []string
	var cur strings.Builder
	var curDigit bool
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for _, r := range strings.ToLower(s) {
		switch {
		case strings.ContainsRune(".-_+~: /", r):
			flush()
		case unicode.IsDigit(r) || unicode.IsLetter(r):
			d := unicode.IsDigit(r)
			if cur.Len() > 0 && d != curDigit {
				flush()
			}
			curDigit = d
			cur.WriteRune(r)
		default:
			flush()
		}
	}
	flush()
	return out
}

// tokenEqual compares numerically when both are numbers ("08" = "8"), else as text.
func tokenEqual(a, b string) bool {
	x, errA := strconv.ParseUint(a, 10, 64)
	y, errB := strconv.ParseUint(b, 10, 64)
	if errA == nil && errB == nil {
		return x == y
	}
	return a == b
}

// hasPrefix reports whether version tokens start with cycle tokens.
func hasPrefix(version, cycle []string) bool {
	if len(cycle) == 0 || len(cycle) > len(version) {
		return false
	}
	for i := range cycle {
		if !tokenEqual(version[i], cycle[i]) {
			return false
		}
	}
	return true
}

// javaProducts number their cycles by the feature release (8, 11, 17) while old versions are
// written 1.8.0_292.
var javaProducts = map[string]bool{
	"oracle-jdk": true, "eclipse-temurin": true, "amazon-corretto": true, "azul-zulu": true,
	"openjdk-builds-from-oracle": true, "microsoft-build-of-openjdk": true, "red-hat-build-of-openjdk": true,
}

// cycleFor finds the cycle of a product a version belongs to: the cycle whose name is the longest
// token prefix of the version ("2.12.4" → log4j "2.12", "2.14.1" → "2"; "1.0.2u" → openssl
// "1.0.2"). For Java products "1.8.0_292" is read as 8. It returns false when no cycle matches.
func cycleFor(p *endoflife.Product, version string) (endoflife.Cycle, bool) {
	vt := tokens(version)
	if len(vt) == 0 {
		return endoflife.Cycle{}, false
	}
	try := func(vt []string) (endoflife.Cycle, bool) {
		best, bestLen := endoflife.Cycle{}, 0
		for _, c := range p.Cycles {
			ct := tokens(c.Name)
			if len(ct) > bestLen && hasPrefix(vt, ct) {
				best, bestLen = c, len(ct)
			}
		}
		return best, bestLen > 0
	}
	if c, ok := try(vt); ok && !(javaProducts[p.Name] && vt[0] == "1" && len(vt) > 1 && atLeast(vt[1], 5)) {
		return c, true
	}
	if javaProducts[p.Name] && vt[0] == "1" && len(vt) > 1 && atLeast(vt[1], 5) {
		return try(vt[1:])
	}
	return endoflife.Cycle{}, false
}

func atLeast(tok string, n uint64) bool {
	v, err := strconv.ParseUint(tok, 10, 64)
	return err == nil && v >= n
}

// cycleNames lists a product's cycle names for messages, at most n of them.
func cycleNames(p *endoflife.Product, n int) string {
	var names []string
	for i, c := range p.Cycles {
		if i == n {
			names = append(names, "…")
			break
		}
		names = append(names, c.Name)
	}
	return strings.Join(names, ", ")
}
