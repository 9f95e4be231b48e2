package purl

import "strings"

// fastTypes are the purl types whose canonical form isCanonical can recognise without parsing.
var fastTypes = map[string]bool{
	"maven": true, "npm": true, "pypi": true, "golang": true, "nuget": true, "cargo": true, "gem": true,
	"composer": true, "deb": true, "apk": true, "rpm": true, "generic": true, "hex": true, "pub": true,
	"conan": true, "github": true, "hackage": true, "cran": true,
}

// lowerTypes are the fast types whose namespace and name packageurl-go lower-cases.
var lowerTypes = map[string]bool{"apk": true, "composer": true, "deb": true, "github": true, "rpm": true, "pypi": true}

// isCanonical reports whether s is certainly already in canonical form, which is what SBOM generators write
// nearly always; it errs on the side of false. It lets Canonical skip parsing and re-encoding.
func isCanonical(s string) bool {
	if !strings.HasPrefix(s, "pkg:") {
		return false
	}
	rest := s[4:]
	slash := strings.IndexByte(rest, '/')
	if slash <= 0 || !fastTypes[rest[:slash]] {
		return false
	}
	typ := rest[:slash]
	rest = rest[slash+1:]
	if strings.IndexByte(rest, '#') >= 0 {
		return false
	}
	path, query, hasQuery := strings.Cut(rest, "?")
	if hasQuery && (query == "" || !canonicalQualifiers(query)) {
		return false
	}
	path, version, hasVersion := strings.Cut(path, "@")
	if hasVersion && (version == "" || !allSafe(version)) {
		return false
	}
	lower := lowerTypes[typ]
	segStart := 0
	for i := 0; i <= len(path); i++ {
		if i < len(path) && path[i] != '/' {
			c := path[i]
			if !pathSafe(c) || lower && c >= 'A' && c <= 'Z' || typ == "pypi" && c == '_' {
				return false
			}
			continue
		}
		if i == segStart {
			return false // empty segment
		}
		segStart = i + 1
	}
	return true
}

func canonicalQualifiers(q string) bool {
	prev := ""
	for pair := range strings.SplitSeq(q, "&") {
		key, value, ok := strings.Cut(pair, "=")
		if !ok || key == "" || value == "" || key <= prev {
			return false
		}
		if key[0] < 'a' || key[0] > 'z' {
			return false
		}
		for i := 0; i < len(key); i++ {
			c := key[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
				return false
			}
		}
		if !allSafe(value) {
			return false
		}
		prev = key
	}
	return true
}

func allSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		if !pathSafe(s[i]) {
			return false
		}
	}
	return true
}

// pathSafe is packageurl-go's set of characters that are never percent-encoded.
func pathSafe(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~' || c == ':'
}
