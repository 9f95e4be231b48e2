package match

import (
	"strings"

	"github.com/vigil-med/vigil/internal/cpe"
	"github.com/vigil-med/vigil/internal/purl"
	"github.com/vigil-med/vigil/internal/sbom"
	"github.com/vigil-med/vigil/internal/version"
)

// CPEEcosystem is the Key ecosystem of CPE vendor:product keys.
const CPEEcosystem = "CPE"

// Key names a package the way the index does: an OSV base ecosystem and the package name in
// that ecosystem's normal form ("Go"/"golang.org/x/net", "Maven"/"org.apache.logging.log4j:log4j-core",
// "PyPI"/"jinja2"), or CPEEcosystem and "vendor:product" in canonical CPE form ("CPE"/"openssl:openssl").
// Key{CPEEcosystem, "*"} stands for every CPE component (criteria with a wildcard vendor or product).
type Key struct {
	Ecosystem string
	Name      string
}

// String returns "Ecosystem/Name".
func (k Key) String() string { return k.Ecosystem + "/" + k.Name }

// purlTypeEcosystem maps purl types (and for OS packages their namespace) to OSV ecosystems.
func purlTypeEcosystem(typ, namespace string) string {
	switch typ {
	case "golang":
		return "Go"
	case "npm":
		return "npm"
	case "pypi":
		return "PyPI"
	case "maven":
		return "Maven"
	case "nuget":
		return "NuGet"
	case "cargo":
		return "crates.io"
	case "gem":
		return "RubyGems"
	case "composer":
		return "Packagist"
	case "hex":
		return "Hex"
	case "pub":
		return "Pub"
	case "swift":
		return "SwiftURL"
	case "cran":
		return "CRAN"
	case "hackage":
		return "Hackage"
	case "conan":
		return "ConanCenter"
	case "bitnami":
		return "Bitnami"
	case "deb":
		switch strings.ToLower(namespace) {
		case "debian":
			return "Debian"
		case "ubuntu":
			return "Ubuntu"
		}
	case "apk":
		switch strings.ToLower(namespace) {
		case "alpine":
			return "Alpine"
		case "wolfi":
			return "Wolfi"
		case "chainguard":
			return "Chainguard"
		}
	case "rpm":
		switch strings.ToLower(namespace) {
		case "redhat", "rhel":
			return "Red Hat"
		case "almalinux":
			return "AlmaLinux"
		case "rocky", "rocky-linux":
			return "Rocky Linux"
		case "opensuse":
			return "openSUSE"
		case "suse", "sles":
			return "SUSE"
		case "openeuler":
			return "openEuler"
		case "mageia":
			return "Mageia"
		}
	}
	return ""
}

// NormalizeName returns a package name in the normal form the index keys on: PyPI names per
// PEP 503 (lower case, runs of -_. as one -); lower case for ecosystems whose names are
// case-insensitive or whose purls are lower-cased by the purl specification (NuGet, Packagist,
// crates.io, Hex, Pub, ConanCenter, Debian, Ubuntu, Alpine, Wolfi, Chainguard, RPM distributions);
// Go's standard library as "stdlib"; other names unchanged. Go module paths keep their case: they
// are case-sensitive (github.com/Azure/… and github.com/azure/… are different modules) and the Go
// vulnerability database names them in their real case. A purl that writes a Go module path in
// lower case (older purl tools did) is matched through FoldKey, with lower confidence.
func NormalizeName(ecosystem, name string) string {
	name = strings.TrimSpace(name)
	switch version.BaseEcosystem(ecosystem) {
	case "PyPI":
		return pep503(name)
	case "Go":
		switch name {
		case "std", "go", "golang":
			return "stdlib"
		}
		return name
	case "NuGet", "Packagist", "crates.io", "Hex", "Pub", "ConanCenter", "Debian", "Ubuntu", "Alpine", "Wolfi", "Chainguard",
		"Red Hat", "AlmaLinux", "Rocky Linux", "openSUSE", "SUSE", "openEuler", "Mageia":
		return lower(name)
	}
	return name
}

func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' || c >= 0x80 {
			return strings.ToLower(s)
		}
	}
	return s
}

func pep503(s string) string {
	s = lower(s)
	clean := true
	prevSep := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		sep := c == '-' || c == '_' || c == '.'
		if sep && (c != '-' || prevSep) {
			clean = false
			break
		}
		prevSep = sep
	}
	if clean {
		return s
	}
	var b strings.Builder
	prevSep = false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '-' || c == '_' || c == '.' {
			if !prevSep {
				b.WriteByte('-')
			}
			prevSep = true
			continue
		}
		prevSep = false
		b.WriteByte(c)
	}
	return b.String()
}

// purlInfo is what the engine needs from a package URL.
type purlInfo struct {
	ecosystem string // OSV base ecosystem; "" when the type is not mapped
	name      string // normalised
	version   string
	release   string // distribution release from the distro qualifier ("11", "v3.18"); "" when unknown
}

// parsePURL extracts ecosystem, name, version and release from a purl. The common case (no
// percent-encoding, no qualifiers the engine needs) is handled without allocation beyond the
// name; anything else goes through packageurl-go.
func parsePURL(s string) (purlInfo, bool) {
	if len(s) < 4 || !strings.EqualFold(s[:4], "pkg:") {
		return purlInfo{}, false
	}
	rest := s[4:]
	rest = strings.TrimLeft(rest, "/")
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest = rest[:i]
	}
	quals := ""
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		rest, quals = rest[:i], rest[i+1:]
	}
	typ, path, ok := strings.Cut(rest, "/")
	if !ok || typ == "" {
		return purlInfo{}, false
	}
	if strings.IndexByte(path, '%') >= 0 || hasUpper(typ) || strings.HasPrefix(path, "/") || strings.HasSuffix(path, "/") || strings.Contains(path, "//") ||
		(quals != "" && (typ == "deb" || typ == "apk" || typ == "rpm")) {
		return parsePURLSlow(s)
	}
	ver := ""
	if at := strings.LastIndexByte(path, '@'); at > 0 { // as packageurl-go: the last '@', not a leading npm scope '@'
		path, ver = path[:at], path[at+1:]
	}
	ns, name := "", path
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		ns, name = path[:i], path[i+1:]
	}
	if name == "" {
		return purlInfo{}, false
	}
	return buildInfo(typ, ns, name, path, ver, nil), true
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

func parsePURLSlow(s string) (purlInfo, bool) {
	p, err := purl.Parse(s) // packageurl-go, but golang namespaces and names keep their case
	if err != nil || p.Name == "" {
		return purlInfo{}, false
	}
	path := p.Name
	if p.Namespace != "" {
		path = p.Namespace + "/" + p.Name
	}
	return buildInfo(strings.ToLower(p.Type), p.Namespace, p.Name, path, p.Version, p.Qualifiers.Map()), true
}

// buildInfo turns purl parts into index terms. path is "namespace/name".
func buildInfo(typ, ns, name, path, ver string, quals map[string]string) purlInfo {
	eco := purlTypeEcosystem(typ, ns)
	info := purlInfo{ecosystem: eco, version: ver}
	switch typ {
	case "maven":
		if ns != "" {
			info.name = ns + ":" + name
		} else {
			info.name = name
		}
	case "golang", "npm", "composer", "swift":
		info.name = path
	case "deb", "apk", "rpm":
		info.name = name
		if up := quals["upstream"]; up != "" && typ != "rpm" {
			// "openssl" or "openssl@1.1.1n-0+deb11u3" or "openssl (1.1.1n-0+deb11u3)"
			up, _, _ = strings.Cut(up, "@")
			up, _, _ = strings.Cut(up, " ")
			info.name = up
		}
		info.release = distroRelease(typ, quals["distro"])
	default:
		info.name = name
	}
	if eco == "" {
		info.name = path
	}
	info.name = NormalizeName(eco, info.name)
	return info
}

var debianCodenames = map[string]string{
	"buzz": "1.1", "rex": "1.2", "bo": "1.3", "hamm": "2.0", "slink": "2.1", "potato": "2.2", "woody": "3.0",
	"sarge": "3.1", "etch": "4", "lenny": "5", "squeeze": "6", "wheezy": "7", "jessie": "8", "stretch": "9",
	"buster": "10", "bullseye": "11", "bookworm": "12", "trixie": "13", "forky": "14",
}

// distroRelease turns a purl distro qualifier into the release suffix OSV uses: Debian
// "debian-11.6"/"bullseye" → "11", Alpine "alpine-3.18.4"/"3.18" → "v3.18", Ubuntu "ubuntu-22.04" →
// "22.04". "" when unknown.
func distroRelease(typ, d string) string {
	d = strings.ToLower(strings.TrimSpace(d))
	if d == "" {
		return ""
	}
	if c, ok := debianCodenames[d]; ok {
		return c
	}
	if i := strings.LastIndexByte(d, '-'); i >= 0 {
		d = d[i+1:]
	}
	d = strings.TrimPrefix(d, "v")
	parts := strings.Split(d, ".")
	switch typ {
	case "deb":
		if len(parts) >= 2 && len(parts[0]) == 2 && len(parts[1]) == 2 { // Ubuntu YY.MM
			return parts[0] + "." + parts[1]
		}
		return parts[0]
	case "apk":
		if len(parts) >= 2 {
			return "v" + parts[0] + "." + parts[1]
		}
	}
	return d
}

// releaseMatches reports whether an OSV ecosystem's release suffix ("Debian:11", "Alpine:v3.18",
// "Ubuntu:22.04:LTS") fits a component's release; unknown on either side fits.
func releaseMatches(ecosystem, release string) bool {
	if release == "" {
		return true
	}
	_, suffix, ok := strings.Cut(ecosystem, ":")
	if !ok || suffix == "" {
		return true
	}
	for _, part := range strings.Split(suffix, ":") {
		if part == release || strings.TrimPrefix(part, "v") == strings.TrimPrefix(release, "v") {
			return true
		}
	}
	return false
}

// affectedKey returns the index key of an OSV affected package.
func affectedKey(ecosystem, name, purl string) (Key, bool) {
	base := version.BaseEcosystem(strings.TrimSpace(ecosystem))
	if base != "" && name != "" {
		return Key{Ecosystem: base, Name: NormalizeName(base, name)}, true
	}
	if purl != "" {
		if info, ok := parsePURL(purl); ok && info.ecosystem != "" {
			return Key{Ecosystem: info.ecosystem, Name: info.name}, true
		}
	}
	return Key{}, false
}

// ComponentKeys returns the index keys of a component: its package key (from the purl) and its
// CPE vendor:product key. It is what ComponentIndex and AffectedBy agree on.
func ComponentKeys(c *sbom.Component) []Key { return appendComponentKeys(nil, c) }

// appendComponentKeys appends c's keys (as ComponentKeys) to out.
func appendComponentKeys(out []Key, c *sbom.Component) []Key {
	if c.PURL != "" {
		if info, ok := parsePURL(c.PURL); ok && info.ecosystem != "" {
			out = append(out, Key{Ecosystem: info.ecosystem, Name: info.name})
		}
	}
	if c.CPE != "" {
		if n, err := cpe.Parse(c.CPE); err == nil {
			out = append(out, Key{Ecosystem: CPEEcosystem, Name: n.VendorProduct()})
		}
	}
	return out
}

// KeyOfPURL returns the package key and version of a purl.
func KeyOfPURL(purl string) (Key, string, bool) {
	info, ok := parsePURL(purl)
	if !ok || info.ecosystem == "" {
		return Key{}, "", false
	}
	return Key{Ecosystem: info.ecosystem, Name: info.name}, info.version, true
}

// FoldKey returns the form in which keys are compared when case must not matter: Go module paths
// in lower case (a purl written by an older tool may have lower-cased them), every other key
// unchanged (NormalizeName already folds the ecosystems whose names are case-insensitive). The
// index looks a component up by its exact key first and by FoldKey only when that finds nothing;
// ComponentIndex and Options.Keys compare folded keys, so a feed change to
// "github.com/BurntSushi/toml" reaches a component written "github.com/burntsushi/toml".
func FoldKey(k Key) Key {
	if k.Ecosystem == "Go" {
		k.Name = lower(k.Name)
	}
	return k
}

// isLowerPath reports whether s has no upper-case ASCII letter.
func isLowerPath(s string) bool { return !hasUpper(s) }
