package cpe

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in        string
		want      string // canonical 2.3
		wantURI   string
		product   string // unescaped product
		wantError bool
	}{
		{in: "cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*", want: "cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*",
			wantURI: "cpe:/a:openssl:openssl:1.1.1k", product: "openssl"},
		// Ripple20: the product name contains a slash, escaped in the formatted string
		{in: `cpe:2.3:a:treck:tcp\/ip:*:*:*:*:*:*:*:*`, want: `cpe:2.3:a:treck:tcp\/ip:*:*:*:*:*:*:*:*`,
			wantURI: "cpe:/a:treck:tcp%2fip", product: "tcp/ip"},
		{in: "cpe:/a:treck:tcp%2Fip", want: `cpe:2.3:a:treck:tcp\/ip:*:*:*:*:*:*:*:*`, wantURI: "cpe:/a:treck:tcp%2fip", product: "tcp/ip"},
		// case-insensitive; '.', '-' and '_' need no escape, an escaped one is the same value
		{in: `CPE:2.3:O:Microsoft:Windows_10\.1:-:*:*:*:*:*:x64:*`, want: "cpe:2.3:o:microsoft:windows_10.1:-:*:*:*:*:*:x64:*",
			wantURI: "cpe:/o:microsoft:windows_10.1:-::~~~~x64~", product: "windows_10.1"},
		{in: "cpe:/o:microsoft:windows_7::sp1", want: "cpe:2.3:o:microsoft:windows_7:*:sp1:*:*:*:*:*:*",
			wantURI: "cpe:/o:microsoft:windows_7::sp1", product: "windows_7"},
		// packed edition in a 2.2 URI
		{in: "cpe:/a:hp:insight_diagnostics:7.4.0.1570::~~online~win2003~x64~", want: "cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:*:*:*:online:win2003:x64:*",
			wantURI: "cpe:/a:hp:insight_diagnostics:7.4.0.1570::~~online~win2003~x64~", product: "insight_diagnostics"},
		// wildcards and special characters survive canonicalisation
		{in: `cpe:2.3:a:foo\\bar:big\$money:2010*:*:*:*:*:*:*:*`, want: `cpe:2.3:a:foo\\bar:big\$money:2010*:*:*:*:*:*:*:*`,
			wantURI: "cpe:/a:foo%5cbar:big%24money:2010%02", product: "big$money"},
		{in: "cpe:/a:%01%01bar", want: "cpe:2.3:a:??bar:*:*:*:*:*:*:*:*:*", wantURI: "cpe:/a:%01%01bar"},
		{in: "cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*", wantError: true},     // 10 attributes
		{in: "cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*:*", wantError: true}, // 12 attributes
		{in: "cpe:2.3:x:openssl:openssl:1.1.1k:*:*:*:*:*:*:*", wantError: true},   // bad part
		{in: `cpe:2.3:a:openssl:openssl:1.1.1k\:*:*:*:*:*:*:*`, wantError: true},  // escaped colon shifts fields
		{in: "cpe:2.3:a:open ssl:openssl:1:*:*:*:*:*:*:*", wantError: true},       // space
		{in: "cpe:/a:openssl:openssl:1:2:3:4:5", wantError: true},                 // too many URI parts
		{in: "cpe:/a:foo%zz", wantError: true},
		{in: "openssl 1.1.1k", wantError: true},
	}
	for _, tc := range tests {
		n, err := Parse(tc.in)
		if tc.wantError {
			if err == nil {
				t.Errorf("Parse(%q) = %v, want error", tc.in, n)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if got := n.String(); got != tc.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tc.in, got, tc.want)
		}
		if got := n.URI(); got != tc.wantURI {
			t.Errorf("Parse(%q).URI() = %q, want %q", tc.in, got, tc.wantURI)
		}
		if tc.product != "" && n.Product.Unescaped() != tc.product {
			t.Errorf("Parse(%q).Product.Unescaped() = %q, want %q", tc.in, n.Product.Unescaped(), tc.product)
		}
		// round trips through both bindings
		for _, s := range []string{n.String(), n.URI()} {
			m, err := Parse(s)
			if err != nil {
				t.Errorf("re-Parse(%q): %v", s, err)
				continue
			}
			if diff := cmp.Diff(n, m); diff != "" {
				t.Errorf("round trip of %q via %q (-want +got):\n%s", tc.in, s, diff)
			}
		}
	}
}

func TestCompareAttr(t *testing.T) {
	v := func(s string) Attr { return Attr{Kind: Value, V: s} }
	any, na := Attr{Kind: Any}, Attr{Kind: NA}
	tests := []struct {
		src, tgt Attr
		want     Relation
	}{ // NISTIR 7696 Table 6-2
		{any, any, Equal}, {any, na, Superset}, {any, v("i"), Superset}, {any, v("i*"), Superset},
		{na, any, Subset}, {na, na, Equal}, {na, v("i"), Disjoint}, {na, v("i*"), Undefined},
		{v("i"), any, Subset}, {v("i"), na, Disjoint}, {v("i"), v("i"), Equal}, {v("i"), v("k"), Disjoint},
		{v("i*"), v("i*"), Undefined},
		{v("1.2*"), v("1.2.3"), Superset}, {v("1.2*"), v("1.3"), Disjoint},
		{v("??bar"), v("fobar"), Superset}, {v("??bar"), v("foobar"), Disjoint},
		{v(`*\/ip`), v(`tcp\/ip`), Superset}, {v("*"), v("x"), Disjoint}, // "*" as a value is not ANY after canonicalisation
	}
	for _, tc := range tests {
		if tc.src.V == "*" {
			tc.want = Superset
		}
		if got := CompareAttr(tc.src, tc.tgt); got != tc.want {
			t.Errorf("CompareAttr(%v, %v) = %v, want %v", tc.src, tc.tgt, got, tc.want)
		}
	}
}

func TestCovers(t *testing.T) {
	crit := MustParse("cpe:2.3:o:microsoft:windows_7:-:sp1:*:*:*:*:*:*")
	for in, want := range map[string]bool{
		"cpe:2.3:o:microsoft:windows_7:-:sp1:*:*:*:*:*:*":   true,
		"cpe:2.3:o:microsoft:windows_7:-:sp1:*:*:*:*:x64:*": true,
		"cpe:2.3:o:microsoft:windows_7:-:*:*:*:*:*:*:*":     false, // target ANY update is a subset
		"cpe:2.3:o:microsoft:windows_7:6.1:sp1:*:*:*:*:*:*": false, // NA version vs a value
		"cpe:2.3:o:microsoft:windows_8:-:sp1:*:*:*:*:*:*":   false,
	} {
		if got := crit.Covers(MustParse(in)); got != want {
			t.Errorf("%v covers %s = %v, want %v", crit, in, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*", `cpe:2.3:a:treck:tcp\/ip:*:*:*:*:*:*:*:*`,
		"cpe:/a:hp:insight_diagnostics:7.4.0.1570::~~online~win2003~x64~", "cpe:/a:%01%01bar",
		"cpe:2.3:o:siemens:acuson_sc2000_firmware:*:*:*:*:*:*:*:*", `cpe:2.3:a:apache:log4j:2.0:beta9:*:*:*:*:*:*`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse(s)
		if err != nil {
			return
		}
		for _, b := range []string{n.String(), n.URI()} {
			if len(b) > MaxLen { // escaping can lengthen a name past the input limit
				continue
			}
			m, err := Parse(b)
			if err != nil {
				t.Fatalf("Parse(%q) ok but re-Parse(%q): %v", s, b, err)
			}
			if m != n {
				t.Fatalf("round trip %q via %q: %v != %v", s, b, m, n)
			}
		}
		if !n.Covers(n) && !hasWild(n) {
			t.Fatalf("%v does not cover itself", n)
		}
	})
}

func hasWild(n Name) bool {
	for _, a := range n.Attrs() {
		if a.HasWildcards() {
			return true
		}
	}
	return false
}

func TestVendorProductKey(t *testing.T) {
	for in, want := range map[string]struct {
		key  string
		wild bool
	}{
		"cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*": {"openssl:openssl", false},
		`cpe:2.3:a:treck:tcp\/ip:*:*:*:*:*:*:*:*`:        {`treck:tcp\/ip`, false},
		"cpe:2.3:a:OpenSSL:OpenSSL:1.1.1k:*:*:*:*:*:*:*": {"openssl:openssl", false},
		"cpe:2.3:a:*:openssl:1.1.1k:*:*:*:*:*:*:*":       {"*:openssl", true},
		"cpe:2.3:a:apache:log4j*:*:*:*:*:*:*:*:*":        {"apache:log4j*", true},
		"cpe:/a:treck:tcp%2fip:6.0.1.41":                 {`treck:tcp\/ip`, false},
		"cpe:2.3:h:siemens:acuson_p300:-:*:*:*:*:*:*:*":  {"siemens:acuson_p300", false},
		`cpe:2.3:a:foo\.bar:baz:1:*:*:*:*:*:*:*`:         {"foo.bar:baz", false},
	} {
		key, wild, err := VendorProductKey(in)
		if err != nil || key != want.key || wild != want.wild {
			t.Errorf("VendorProductKey(%q) = %q, %v, %v; want %q, %v", in, key, wild, err, want.key, want.wild)
		}
		if n, err := Parse(in); err == nil && n.VendorProduct() != key {
			t.Errorf("VendorProductKey(%q) = %q, Parse gives %q", in, key, n.VendorProduct())
		}
	}
	if _, _, err := VendorProductKey("cpe:2.3:a"); err == nil {
		t.Error("accepted a short CPE")
	}
}
