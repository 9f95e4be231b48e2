package purl

import (
	"strconv"
	"strings"
)

// Ecosystem returns the OSV ecosystem name (https://ossf.github.io/osv-schema/#affectedpackage-field) for
// the package URL p, or "" when OSV has no ecosystem for its type:
//
//	purl type         OSV ecosystem
//	golang            Go
//	npm               npm
//	maven             Maven
//	pypi              PyPI
//	nuget             NuGet
//	cargo             crates.io
//	gem               RubyGems
//	composer          Packagist
//	hex               Hex
//	pub               Pub
//	hackage           Hackage
//	cran              CRAN
//	swift             SwiftURL
//	conan             ConanCenter
//	bitnami           Bitnami
//	githubactions     GitHub Actions
//	deb               Debian or Ubuntu by namespace; with a distro qualifier "Debian:12",
//	                  "Ubuntu:22.04:LTS"
//	apk               Alpine (with distro "Alpine:v3.18"), Wolfi, Chainguard by namespace
//	rpm               by namespace: redhat → Red Hat, rocky-linux → Rocky Linux,
//	                  almalinux → AlmaLinux, opensuse → openSUSE, suse → SUSE,
//	                  mariner → Mariner, azurelinux → Azure Linux; others ""
//
// The distro qualifier may be "debian-12", "bookworm", "12" or "12.4" for Debian, "alpine-3.18" or
// "3.18.4" for Alpine, "ubuntu-22.04" or "22.04" for Ubuntu.
func Ecosystem(p PURL) string {
	switch p.Type {
	case "golang":
		return "Go"
	case "npm":
		return "npm"
	case "maven":
		return "Maven"
	case "pypi":
		return "PyPI"
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
	case "hackage":
		return "Hackage"
	case "cran":
		return "CRAN"
	case "swift":
		return "SwiftURL"
	case "conan":
		return "ConanCenter"
	case "bitnami":
		return "Bitnami"
	case "githubactions":
		return "GitHub Actions"
	case "deb":
		return debEcosystem(p)
	case "apk":
		return apkEcosystem(p)
	case "rpm":
		return rpmEcosystems[strings.ToLower(p.Namespace)]
	}
	return ""
}

// EcosystemOf is Ecosystem for a package URL string; it returns "" when s does not parse.
func EcosystemOf(s string) string {
	p, err := Parse(s)
	if err != nil {
		return ""
	}
	return Ecosystem(p)
}

// OSVName returns the package name as OSV records spell it for p's ecosystem: "group:artifact" for Maven,
// "@scope/name" for scoped npm packages, the full module path for Go, "vendor/name" for Packagist and
// SwiftURL, and the bare name otherwise.
func OSVName(p PURL) string {
	if p.Namespace == "" {
		return p.Name
	}
	switch p.Type {
	case "maven":
		return p.Namespace + ":" + p.Name
	case "npm", "golang", "composer", "swift", "githubactions":
		return p.Namespace + "/" + p.Name
	}
	return p.Name
}

var rpmEcosystems = map[string]string{
	"redhat":      "Red Hat",
	"rocky-linux": "Rocky Linux",
	"rocky":       "Rocky Linux",
	"almalinux":   "AlmaLinux",
	"opensuse":    "openSUSE",
	"suse":        "SUSE",
	"mariner":     "Mariner",
	"azurelinux":  "Azure Linux",
}

var debianCodenames = map[string]string{
	"wheezy": "7", "jessie": "8", "stretch": "9", "buster": "10", "bullseye": "11",
	"bookworm": "12", "trixie": "13", "forky": "14",
}

func qualifier(p PURL, key string) string {
	for _, q := range p.Qualifiers {
		if q.Key == key {
			return q.Value
		}
	}
	return ""
}

func debEcosystem(p PURL) string {
	distro := strings.ToLower(qualifier(p, "distro"))
	switch strings.ToLower(p.Namespace) {
	case "debian":
		distro = strings.TrimPrefix(distro, "debian-")
		if v, ok := debianCodenames[distro]; ok {
			return "Debian:" + v
		}
		if major, _, _ := strings.Cut(distro, "."); isDigits(major) {
			return "Debian:" + major
		}
		return "Debian"
	case "ubuntu":
		distro = strings.TrimPrefix(distro, "ubuntu-")
		yy, mm, ok := strings.Cut(distro, ".")
		if !ok || !isDigits(yy) || len(mm) < 2 || !isDigits(mm[:2]) {
			return "Ubuntu"
		}
		v := yy + "." + mm[:2]
		if n, _ := strconv.Atoi(yy); mm[:2] == "04" && n%2 == 0 {
			return "Ubuntu:" + v + ":LTS"
		}
		return "Ubuntu:" + v
	}
	return ""
}

func apkEcosystem(p PURL) string {
	switch strings.ToLower(p.Namespace) {
	case "alpine":
		distro := strings.TrimPrefix(strings.ToLower(qualifier(p, "distro")), "alpine-")
		distro = strings.TrimPrefix(distro, "v")
		major, rest, ok := strings.Cut(distro, ".")
		minor, _, _ := strings.Cut(rest, ".")
		if ok && isDigits(major) && isDigits(minor) {
			return "Alpine:v" + major + "." + minor
		}
		return "Alpine"
	case "wolfi":
		return "Wolfi"
	case "chainguard":
		return "Chainguard"
	}
	return ""
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
