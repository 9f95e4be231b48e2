package sbom

import (
	"strings"
	"testing"

	"github.com/knqyf263/go-cpe/naming"
)

func TestNormalizeCPE(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{in: "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*", want: "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*"},
		{in: "CPE:2.3:A:Apache:Log4J:2.14.1:*:*:*:*:*:*:*", want: "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*"},
		{in: "cpe:/a:apache:log4j:2.14.1", want: "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*"},
		{in: "cpe:/a:apache:tomcat:7.0.1:-:~~~android~~", want: "cpe:2.3:a:apache:tomcat:7.0.1:-:*:*:*:android:*:*"},
		{in: "cpe:/o:microsoft:windows_xp::sp2:pro", want: "cpe:2.3:o:microsoft:windows_xp:*:sp2:pro:*:*:*:*:*"},
		{in: "cpe:/a:%40foo:bar:1.0", want: `cpe:2.3:a:\@foo:bar:1.0:*:*:*:*:*:*:*`},
		{in: `cpe:2.3:a:foo\!bar:x:1.0:*:*:*:*:*:*:*`, want: `cpe:2.3:a:foo\!bar:x:1.0:*:*:*:*:*:*:*`},
		{in: `cpe:2.3:a:foo:x:1.0\:1:*:*:*:*:*:*:*`, want: `cpe:2.3:a:foo:x:1.0\:1:*:*:*:*:*:*:*`},
		{in: "cpe:2.3:h:philips:intellivue_mx800:-:*:*:*:*:*:*:*", want: "cpe:2.3:h:philips:intellivue_mx800:-:*:*:*:*:*:*:*"},
		{in: "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*", wantErr: true}, // 12 components
		{in: "log4j", wantErr: true},
		{in: "cpe:2.3:x:apache:log4j:2.14.1:*:*:*:*:*:*:*", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		got, err := NormalizeCPE(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("NormalizeCPE(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("NormalizeCPE(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzNormalizeCPE checks that the fast path agrees with go-cpe wherever it applies, and that nothing panics.
func FuzzNormalizeCPE(f *testing.F) {
	for _, s := range []string{
		"cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*", "cpe:/a:apache:tomcat:7.0.1:-:~~~android~~",
		"cpe:2.3:h:a:b:-:*:*:*:*:*:*:*", `cpe:2.3:a:foo\!bar:x:1.0:*:*:*:*:*:*:*`, "cpe:2.3:a:a-b:c.d:1_0:*:*:*:*:*:*:*",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := NormalizeCPE(s)
		fast, ok := simpleCPE23(strings.TrimSpace(s))
		if !ok {
			return
		}
		wfn, slowErr := naming.UnbindFS(lowerASCII(strings.TrimSpace(s)))
		if slowErr != nil {
			t.Fatalf("fast path accepted %q, go-cpe refuses it: %v", s, slowErr)
		}
		if slow := lowerASCII(naming.BindToFS(wfn)); slow != fast || out != fast || err != nil {
			t.Fatalf("NormalizeCPE(%q) = %q, %v; fast %q; go-cpe %q", s, out, err, fast, slow)
		}
	})
}
