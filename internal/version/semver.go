package version

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/osv-scalibr/semantic"
)

// semver is an allocation-free form of scalibr's lenient SemVer ("semver-like") version: up to
// three numeric components (missing ones count as 0) and a build string holding everything from
// the first character that is neither a digit nor a dot (extra numeric components are appended
// to it as ".N", as scalibr does).
type semver struct {
	nums  [3]uint64
	build string
	slow  bool // a component does not fit in uint64, or the input is not valid UTF-8: use scalibr
}

func parseSemver(s string) semver {
	var v semver
	if !utf8.ValidString(s) {
		v.slow = true
		return v
	}
	line := strings.TrimPrefix(s, "v")
	n := 0 // components seen
	var extra []uint64
	start := -1 // start of the current numeric component
	flush := func(end int) bool {
		if start < 0 {
			return true
		}
		x, err := strconv.ParseUint(line[start:end], 10, 64)
		if err != nil {
			return false
		}
		if n < 3 {
			v.nums[n] = x
		} else {
			extra = append(extra, x)
		}
		n++
		start = -1
		return true
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c >= '0' && c <= '9' {
			if start < 0 {
				start = i
			}
			continue
		}
		if !flush(i) {
			v.slow = true
			return v
		}
		if c == '.' {
			continue
		}
		v.build = line[i:]
		break
	}
	if v.build == "" && !flush(len(line)) {
		v.slow = true
		return v
	}
	if len(extra) > 0 {
		var b strings.Builder
		b.WriteString(v.build)
		for _, x := range extra {
			b.WriteByte('.')
			b.WriteString(strconv.FormatUint(x, 10))
		}
		v.build = b.String()
	}
	return v
}

// compare compares two parsed versions; raw strings are needed for the slow path.
func (v *semver) compare(w *semver, vraw, wraw string) int {
	if v.slow || w.slow {
		c, err := semantic.ParseSemverVersion(vraw).Compare(semantic.ParseSemverVersion(wraw))
		if err != nil {
			return 0
		}
		return c
	}
	for i := range 3 {
		if v.nums[i] != w.nums[i] {
			if v.nums[i] < w.nums[i] {
				return -1
			}
			return 1
		}
	}
	return compareSemverBuild(v.build, w.build)
}

func compareSemverBuild(a, b string) int {
	if i := strings.IndexByte(a, '+'); i >= 0 {
		a = a[:i]
	}
	if i := strings.IndexByte(b, '+'); i >= 0 {
		b = b[:i]
	}
	a = strings.TrimPrefix(a, "-")
	b = strings.TrimPrefix(b, "-")
	if a == "" && b != "" {
		return 1
	}
	if a != "" && b == "" {
		return -1
	}
	for {
		ai, arest, amore := strings.Cut(a, ".")
		bi, brest, bmore := strings.Cut(b, ".")
		if c := compareIdentifier(ai, bi); c != 0 {
			return c
		}
		switch {
		case amore && bmore:
			a, b = arest, brest
		case amore:
			return 1
		case bmore:
			return -1
		default:
			return 0
		}
	}
}

// compareIdentifier compares pre-release identifiers as scalibr does: identifiers that
// big.Int.SetString accepts in base 10 (optional sign, then digits) compare numerically and
// sort before all others, which compare bytewise.
func compareIdentifier(a, b string) int {
	an, aneg, aok := numericIdent(a)
	bn, bneg, bok := numericIdent(b)
	switch {
	case aok && bok:
		return compareSignedDigits(an, aneg, bn, bneg)
	case !aok && !bok:
		return strings.Compare(a, b)
	case aok:
		return -1
	default:
		return 1
	}
}

// numericIdent returns the digits of s without leading zeros and its sign.
func numericIdent(s string) (digits string, neg bool, ok bool) {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" {
		return "", false, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", false, false
		}
	}
	s = strings.TrimLeft(s, "0")
	if s == "" {
		neg = false // -0 == 0
	}
	return s, neg, true
}

func compareDigits(a, b string) int {
	if len(a) != len(b) {
		return cmpInt(len(a), len(b))
	}
	return strings.Compare(a, b)
}

func compareSignedDigits(a string, aneg bool, b string, bneg bool) int {
	switch {
	case aneg && !bneg:
		return -1
	case !aneg && bneg:
		return 1
	case aneg && bneg:
		return -compareDigits(a, b)
	}
	return compareDigits(a, b)
}
