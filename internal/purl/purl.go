// Package purl canonicalises package URLs (https://github.com/package-url/purl-spec) so that they can be
// used as join keys, and maps purl types to OSV ecosystem names. It wraps
// github.com/package-url/packageurl-go.
package purl

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/package-url/packageurl-go"
)

// PURL is a parsed package URL.
type PURL = packageurl.PackageURL

// Parse parses s and returns it in canonical form (see Canonical).
func Parse(s string) (PURL, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return PURL{}, errors.New("empty package URL")
	}
	p, err := packageurl.FromString(s)
	if err != nil {
		return PURL{}, fmt.Errorf("package URL %q: %w", s, err)
	}
	if p.Name == "" {
		return PURL{}, fmt.Errorf("package URL %q: no name", s)
	}
	if p.Type == packageurl.TypeGolang {
		// packageurl-go lower-cases golang namespaces and names, following an old rule of the purl spec
		// that its own golang type definition has since marked case-sensitive. Go module paths are
		// case-sensitive (github.com/Azure/… and github.com/azure/… are different modules, and the Go
		// vulnerability database names them in their real case), so keep the case as written.
		if ns, name, ok := rawNamespaceName(s); ok {
			p.Namespace, p.Name = ns, name
		}
	}
	return p, nil
}

// Canonical returns the canonical string form of the package URL s: type in lower case, namespace and name
// normalised by the rules of the type as packageurl-go applies them (lower case for alpm, apk, bitbucket,
// composer, deb, github, rpm …; "_" → "-" and lower case for PyPI), except that golang keeps its case,
// qualifier keys in lower case and
// sorted, qualifiers with empty values removed, every part percent-encoded the one canonical way.
// Two spellings of the same package URL give the same string, so it can be compared and joined on.
func Canonical(s string) (string, error) {
	if isCanonical(s) {
		return s, nil
	}
	p, err := Parse(s)
	if err != nil {
		return "", err
	}
	return p.ToString(), nil
}

// WithoutVersion returns the canonical package URL s without version, qualifiers and subpath
// ("pkg:maven/org.apache.logging.log4j/log4j-core"): the key that names "this component in any version".
// It returns "" when s is not a valid package URL.
func WithoutVersion(s string) string {
	p, err := Parse(s)
	if err != nil {
		return ""
	}
	p.Version, p.Qualifiers, p.Subpath = "", nil, ""
	return p.ToString()
}

// rawNamespaceName extracts namespace and name from a package URL string without changing their case.
func rawNamespaceName(s string) (ns, name string, ok bool) {
	rest := s[4:] // after "pkg:", checked by the caller's successful parse
	rest = strings.TrimLeft(rest, "/")
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		rest = rest[:i]
	}
	_, rest, found := strings.Cut(rest, "/")
	if !found {
		return "", "", false
	}
	if i := strings.LastIndexByte(rest, '@'); i > 0 { // the version follows the last '@' (purl spec), even when it holds a '/'
		rest = rest[:i]
	}
	rest = strings.Trim(rest, "/")
	var segs []string
	for _, seg := range strings.Split(rest, "/") {
		if seg == "" {
			continue
		}
		dec, err := url.PathUnescape(seg)
		if err != nil {
			return "", "", false
		}
		segs = append(segs, dec)
	}
	if len(segs) == 0 {
		return "", "", false
	}
	return strings.Join(segs[:len(segs)-1], "/"), segs[len(segs)-1], true
}
