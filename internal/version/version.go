// Package version orders version strings the way each package ecosystem does.
//
// Ecosystem names are OSV's ("Go", "npm", "PyPI", "Maven", "NuGet", "crates.io", "RubyGems",
// "Packagist", "Debian", "Ubuntu", "Alpine", "Red Hat", "Hex", "Pub", …). A suffix after a colon
// ("Debian:11", "Alpine:v3.18") is ignored. Two extra schemes exist: SemVer (used by OSV SEMVER ranges)
// and Generic (CPE and vendor firmware versions such as "1.1.1k", "4.0e" or "20d29").
//
// The ordering of every OSV ecosystem is that of github.com/google/osv-scalibr/semantic (v0.5.3).
// SemVer-like ecosystems (Go, npm, crates.io, Hex, SemVer, …) use a re-implementation of the same
// rules that does not allocate; a differential fuzz test keeps both in agreement.
package version

import (
	"errors"
	"fmt"
	"strings"

	"github.com/google/osv-scalibr/semantic"
)

// Scheme names used in addition to the OSV ecosystem names.
const (
	// SemVer orders versions by Semantic Versioning 2.0 (as OSV SEMVER ranges require), leniently:
	// a leading "v", fewer or more than three numeric components and a "go" prefix are accepted.
	SemVer = "SemVer"
	// Generic orders free-form vendor versions (CPE, firmware): see CompareGeneric.
	Generic = "Generic"
)

// ErrUnsupportedEcosystem is returned (wrapped) for an ecosystem whose version order is unknown.
var ErrUnsupportedEcosystem = errors.New("unsupported ecosystem")

// ErrInvalidVersion is returned (wrapped) when a version cannot be parsed in its ecosystem.
var ErrInvalidVersion = errors.New("invalid version")

type scheme uint8

const (
	schemeNone scheme = iota
	schemeSemver
	schemeGeneric
	schemeGo
	schemeScalibr
)

// Version is a parsed version of one ecosystem. The zero Version is invalid. Versions of the same
// ecosystem compare with Compare; Version values are immutable and safe to share.
type Version struct {
	scheme    scheme
	ecosystem string // base ecosystem name, for scalibr and error messages
	raw       string
	sem       semver
	other     semantic.Version
}

// BaseEcosystem returns the ecosystem name without its release suffix: "Debian:11" → "Debian".
func BaseEcosystem(ecosystem string) string {
	if i := strings.IndexByte(ecosystem, ':'); i >= 0 {
		return ecosystem[:i]
	}
	return ecosystem
}

func schemeOf(base string) scheme {
	switch base {
	case "Go":
		return schemeGo
	case SemVer, "npm", "crates.io", "Hex", "Bitnami", "Bioconductor", "ConanCenter", "GHC", "Julia",
		"SwiftURL", "Docker Hardened Images":
		return schemeSemver
	case Generic, "CPE":
		return schemeGeneric
	case "PyPI", "Maven", "NuGet", "RubyGems", "Packagist", "Debian", "Ubuntu", "Alpine", "Wolfi",
		"Chainguard", "Alpaquita", "BellSoft Hardened Containers", "MinimOS", "Red Hat", "Rocky Linux",
		"AlmaLinux", "openSUSE", "SUSE", "Mageia", "openEuler", "Pub", "CRAN", "Hackage":
		return schemeScalibr
	}
	return schemeNone
}

// Supported reports whether the version order of ecosystem is known.
func Supported(ecosystem string) bool { return schemeOf(BaseEcosystem(ecosystem)) != schemeNone }

// Parse parses s as a version of ecosystem. For Go, toolchain spellings are normalised first
// (see NormalizeGo), so "go1.21rc2" parses as "1.21.0-rc.2".
func Parse(ecosystem, s string) (Version, error) {
	base := BaseEcosystem(ecosystem)
	if strings.TrimSpace(s) == "" {
		return Version{}, fmt.Errorf("%s version: %w: empty", base, ErrInvalidVersion)
	}
	v := Version{ecosystem: base, raw: s}
	switch sc := schemeOf(base); sc {
	case schemeGo:
		s = NormalizeGo(s)
		v.raw = s
		v.scheme = schemeSemver
		v.sem = parseSemver(s)
	case schemeSemver:
		v.scheme = schemeSemver
		v.sem = parseSemver(s)
	case schemeGeneric:
		v.scheme = schemeGeneric
	case schemeScalibr:
		o, err := semantic.Parse(s, base)
		if err != nil {
			return Version{}, fmt.Errorf("%s version %q: %w", base, s, errors.Join(ErrInvalidVersion, err))
		}
		v.scheme = schemeScalibr
		v.other = o
	default:
		return Version{}, fmt.Errorf("%w: %q", ErrUnsupportedEcosystem, ecosystem)
	}
	return v, nil
}

// MustParse is Parse that panics on error; for tests and constants only.
func MustParse(ecosystem, s string) Version {
	v, err := Parse(ecosystem, s)
	if err != nil {
		panic(err)
	}
	return v
}

// Compare parses a and b in ecosystem and returns -1, 0 or +1 as a is less than, equal to or
// greater than b.
func Compare(ecosystem, a, b string) (int, error) {
	va, err := Parse(ecosystem, a)
	if err != nil {
		return 0, err
	}
	vb, err := Parse(ecosystem, b)
	if err != nil {
		return 0, err
	}
	return va.Compare(vb), nil
}

// IsZero reports whether v is the zero (invalid) Version.
func (v Version) IsZero() bool { return v.scheme == schemeNone }

// String returns the version as given to Parse (after Go normalisation).
func (v Version) String() string { return v.raw }

// Compare returns -1, 0 or +1 as v is less than, equal to or greater than w. Versions of
// different schemes are compared as Generic versions; the zero Version sorts first.
func (v Version) Compare(w Version) int {
	if v.scheme != w.scheme || (v.scheme == schemeScalibr && v.ecosystem != w.ecosystem) {
		if v.scheme == schemeNone || w.scheme == schemeNone {
			return cmpInt(int(v.scheme), int(w.scheme))
		}
		return CompareGeneric(v.raw, w.raw)
	}
	switch v.scheme {
	case schemeSemver:
		return v.sem.compare(&w.sem, v.raw, w.raw)
	case schemeGeneric:
		return CompareGeneric(v.raw, w.raw)
	case schemeScalibr:
		c, err := v.other.Compare(w.other)
		if err != nil { // cannot happen: same ecosystem
			return CompareGeneric(v.raw, w.raw)
		}
		return c
	}
	return 0
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// NormalizeGo turns a Go toolchain version into the semantic version the Go vulnerability
// database uses: "go1.21rc2" → "1.21.0-rc.2", "go1.20" → "1.20.0", "1.19beta1" → "1.19.0-beta.1",
// "v1.22.3" → "v1.22.3" (module versions are returned unchanged).
func NormalizeGo(s string) string {
	t, hadGo := strings.CutPrefix(s, "go")
	if !hadGo {
		// Only toolchain-looking versions without "go" and without "v" are rewritten: "1.21rc2", "1.20".
		if s == "" || s[0] < '0' || s[0] > '9' || strings.ContainsAny(s, "-+") {
			return s
		}
	}
	// t is like 1.21, 1.21.3, 1.21rc2, 1.21.0rc1
	i := 0
	dots := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		if t[i] == '.' {
			dots++
		}
		i++
	}
	if i == 0 {
		return s
	}
	num, rest := t[:i], t[i:]
	if strings.HasSuffix(num, ".") {
		return s
	}
	if !hadGo && rest == "" {
		// "1.20" stays "1.20": it compares equal to 1.20.0 anyway.
		return s
	}
	for ; dots < 2; dots++ {
		num += ".0"
	}
	if rest == "" {
		return num
	}
	for _, p := range []string{"rc", "beta", "alpha"} {
		if n, ok := strings.CutPrefix(rest, p); ok && n != "" && isDigits(n) {
			return num + "-" + p + "." + n
		}
	}
	return s
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
