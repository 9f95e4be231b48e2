package purl

import (
	"testing"
)

func TestCanonical(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{in: "pkg:npm/lodash@4.17.21", want: "pkg:npm/lodash@4.17.21"},
		{in: "PKG:NPM/%40angular/core@12.0.0", want: "pkg:npm/%40angular/core@12.0.0"},
		{in: "pkg:npm/@angular/core@12.0.0", want: "pkg:npm/%40angular/core@12.0.0"},
		{in: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar", want: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar"},
		{in: "pkg:maven/org.keycloak/keycloak-core@10.0.2?type=jar&classifier=", want: "pkg:maven/org.keycloak/keycloak-core@10.0.2?type=jar"},
		{in: "pkg:pypi/Typing_Extensions@4.0.0", want: "pkg:pypi/typing-extensions@4.0.0"},
		{in: "pkg:deb/Debian/OpenSSL@1.1.1n-0+deb11u3?distro=bullseye&arch=amd64", want: "pkg:deb/debian/openssl@1.1.1n-0%2Bdeb11u3?arch=amd64&distro=bullseye"},
		{in: "pkg:golang/github.com/Azure/go-autorest/autorest@v0.11.0", want: "pkg:golang/github.com/Azure/go-autorest/autorest@v0.11.0"},
		{in: "pkg:golang/golang.org/x/net@v0.7.0#html", want: "pkg:golang/golang.org/x/net@v0.7.0#html"},
		{in: "pkg://npm/left-pad@1.0.0", want: "pkg:npm/left-pad@1.0.0"},
		{in: "pkg:apk/alpine/libssl3@3.0.8-r3?Arch=x86_64&distro=alpine-3.17", want: "pkg:apk/alpine/libssl3@3.0.8-r3?arch=x86_64&distro=alpine-3.17"},
		{in: "", wantErr: true},
		{in: "npm/lodash@1", wantErr: true},
		{in: "pkg:npm", wantErr: true},
		{in: "pkg:npm/", wantErr: true},
		{in: "pkg:maven/lodash@1?a=1&a=2", wantErr: true},
	}
	for _, tt := range tests {
		got, err := Canonical(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("Canonical(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("Canonical(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCanonicalIsIdempotent(t *testing.T) {
	for _, s := range []string{
		"pkg:npm/%40angular/core@12.0.0",
		"pkg:deb/debian/openssl@1.1.1n-0%2Bdeb11u3?arch=amd64&distro=bullseye",
		"pkg:golang/github.com/Azure/go-autorest/autorest@v0.11.0",
		"pkg:maven/org.apache.commons/commons-text@1.9?classifier=sources&type=jar",
		"pkg:generic/openssl@1.0.2u?download_url=https%3A%2F%2Fexample.com%2Fopenssl.tgz",
	} {
		once, err := Canonical(s)
		if err != nil {
			t.Fatalf("Canonical(%q): %v", s, err)
		}
		twice, err := Canonical(once)
		if err != nil || twice != once {
			t.Errorf("Canonical(Canonical(%q)) = %q, %v; want %q", s, twice, err, once)
		}
	}
}

func TestWithoutVersion(t *testing.T) {
	tests := []struct{ in, want string }{
		{"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar", "pkg:maven/org.apache.logging.log4j/log4j-core"},
		{"pkg:npm/%40angular/core@12.0.0", "pkg:npm/%40angular/core"},
		{"pkg:golang/golang.org/x/net@v0.7.0#html", "pkg:golang/golang.org/x/net"},
		{"pkg:deb/debian/openssl@1.1.1n?distro=bullseye", "pkg:deb/debian/openssl"},
		{"pkg:pypi/Django", "pkg:pypi/django"},
		{"not a purl", ""},
	}
	for _, tt := range tests {
		if got := WithoutVersion(tt.in); got != tt.want {
			t.Errorf("WithoutVersion(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestEcosystem(t *testing.T) {
	tests := []struct{ in, want, name string }{
		{"pkg:golang/golang.org/x/net@v0.7.0", "Go", "golang.org/x/net"},
		{"pkg:golang/std@1.21.0", "Go", "std"},
		{"pkg:npm/lodash@4.17.21", "npm", "lodash"},
		{"pkg:npm/%40angular/core@12.0.0", "npm", "@angular/core"},
		{"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "Maven", "org.apache.logging.log4j:log4j-core"},
		{"pkg:pypi/django@3.2", "PyPI", "django"},
		{"pkg:nuget/Newtonsoft.Json@12.0.1", "NuGet", "Newtonsoft.Json"},
		{"pkg:cargo/serde@1.0.0", "crates.io", "serde"},
		{"pkg:gem/rails@6.0.0", "RubyGems", "rails"},
		{"pkg:composer/laravel/framework@7.12.0", "Packagist", "laravel/framework"},
		{"pkg:hex/phoenix@1.5.0", "Hex", "phoenix"},
		{"pkg:pub/http@0.13.0", "Pub", "http"},
		{"pkg:deb/debian/openssl@1.1.1n", "Debian", "openssl"},
		{"pkg:deb/debian/openssl@1.1.1n?distro=debian-12", "Debian:12", "openssl"},
		{"pkg:deb/debian/openssl@1.1.1n?distro=bookworm", "Debian:12", "openssl"},
		{"pkg:deb/debian/openssl@1.1.1n?distro=11.6", "Debian:11", "openssl"},
		{"pkg:deb/ubuntu/openssl@3.0.2?distro=ubuntu-22.04", "Ubuntu:22.04:LTS", "openssl"},
		{"pkg:deb/ubuntu/openssl@3.0.2?distro=ubuntu-23.10", "Ubuntu:23.10", "openssl"},
		{"pkg:apk/alpine/libssl3@3.0.8-r3?distro=alpine-3.17.2", "Alpine:v3.17", "libssl3"},
		{"pkg:apk/alpine/libssl3@3.0.8-r3", "Alpine", "libssl3"},
		{"pkg:apk/wolfi/git@2.39.0-r1", "Wolfi", "git"},
		{"pkg:rpm/redhat/openssl@1.1.1k", "Red Hat", "openssl"},
		{"pkg:rpm/almalinux/openssl@1.1.1k", "AlmaLinux", "openssl"},
		{"pkg:rpm/fedora/openssl@1.1.1k", "", "openssl"},
		{"pkg:generic/openssl@1.0.2", "", "openssl"},
	}
	for _, tt := range tests {
		p, err := Parse(tt.in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.in, err)
		}
		if got := Ecosystem(p); got != tt.want {
			t.Errorf("Ecosystem(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := EcosystemOf(tt.in); got != tt.want {
			t.Errorf("EcosystemOf(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := OSVName(p); got != tt.name {
			t.Errorf("OSVName(%q) = %q, want %q", tt.in, got, tt.name)
		}
	}
}

func FuzzCanonical(f *testing.F) {
	for _, s := range []string{
		"pkg:npm/%40angular/core@12.0.0", "pkg:golang/github.com/Azure/x@v1#a/b", "pkg:deb/debian/a@1?distro=x",
		"pkg:maven/a/b@1?type=jar&classifier=", "pkg:/a/b", "pkg:a",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Canonical(s)
		if err != nil {
			return
		}
		c2, err := Canonical(c)
		if err != nil {
			t.Fatalf("Canonical(%q) = %q does not parse again: %v", s, c, err)
		}
		if c2 != c {
			t.Fatalf("Canonical not idempotent: %q -> %q -> %q", s, c, c2)
		}
		_ = WithoutVersion(s)
		_ = EcosystemOf(s)
	})
}

// FuzzFastPath checks that every string the fast path accepts as canonical is what the full parse gives.
func FuzzFastPath(f *testing.F) {
	for _, s := range []string{
		"pkg:npm/%40angular/core@12.0.0", "pkg:maven/a.b/c@1.0?classifier=x&type=jar", "pkg:pypi/django@3.2",
		"pkg:deb/debian/openssl@1.1.1n?arch=amd64&distro=bullseye", "pkg:golang/github.com/Azure/x@v1.0.0",
		"pkg:npm/x@1", "pkg:generic/a", "pkg:apk/alpine/a@1?arch=x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !isCanonical(s) {
			return
		}
		p, err := Parse(s)
		if err != nil {
			t.Fatalf("isCanonical(%q) but Parse fails: %v", s, err)
		}
		if got := p.ToString(); got != s {
			t.Fatalf("isCanonical(%q) but canonical form is %q", s, got)
		}
	})
}
