package match

import (
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/purl"
)

// FuzzParsePURL checks the fast purl path against internal/purl (packageurl-go, with golang
// module paths in their real case): whenever it reads a purl, the engine must derive the same
// ecosystem, name and version from it.
func FuzzParsePURL(f *testing.F) {
	for _, s := range []string{"pkg:golang/golang.org/x/net@v0.7.0", "pkg:npm/%40babel/core@7.0.0", "pkg:npm/@babel/core@7.0.0",
		"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar", "pkg:pypi/Django_REST.framework@3.0",
		"pkg:deb/debian/libssl1.1@1.1.1n-0+deb11u3?arch=amd64&upstream=openssl&distro=debian-11.6", "pkg:cargo/Serde@1.0.0#sub/path",
		"pkg:golang/github.com/BurntSushi/toml@v1.2.0", "pkg:nuget/Newtonsoft.Json@13.0.1", "pkg:golang/stdlib@go1.21.1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.TrimSpace(s) != s {
			return // internal/purl trims surrounding space; SBOM decoders hand over trimmed purls
		}
		got, ok := parsePURL(s)
		p, err := purl.Parse(s)
		if err != nil || p.Name == "" {
			return // the fast path may accept more than packageurl-go; it must not disagree on what both accept
		}
		if !ok {
			t.Fatalf("parsePURL(%q) failed, internal/purl reads %+v", s, p)
		}
		path := p.Name
		if p.Namespace != "" {
			path = p.Namespace + "/" + p.Name
		}
		want := buildInfo(strings.ToLower(p.Type), p.Namespace, p.Name, path, p.Version, p.Qualifiers.Map())
		if want.ecosystem == "" {
			return // types the engine does not map are never looked up
		}
		if got != want {
			t.Fatalf("parsePURL(%q) = %+v, internal/purl gives %+v", s, got, want)
		}
	})
}
