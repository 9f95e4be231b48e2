package csaf

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParse: Parse never panics, fails only with the documented error types, and a parsed advisory
// converts to statements.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/icsma/*.json")
	more, _ := filepath.Glob("testdata/examples/*.json")
	for _, file := range append(files, more...) {
		f.Add(mustRead(f, file))
	}
	f.Add([]byte(`{"document":{"csaf_version":"2.0"}}`))
	f.Add([]byte(`[[[[[[[[`))
	f.Add([]byte(`{"a":1,"a":2}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Parse(bytes.NewReader(data), "fuzz.json", 1<<20)
		if err != nil {
			var se *SyntaxError
			var nc *NotCSAFError
			var ie *InvalidError
			if !errors.As(err, &se) && !errors.As(err, &nc) && !errors.As(err, &ie) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			if ie != nil && len(ie.Problems) == 0 {
				t.Fatal("InvalidError without problems")
			}
			return
		}
		if len(a.SHA256) != 64 {
			t.Fatalf("SHA256 %q", a.SHA256)
		}
		for _, s := range Statements(a) {
			if s.Product.ID == "" || s.Vulnerability == "" {
				t.Fatalf("statement %+v", s)
			}
		}
	})
}

// FuzzVersionRange: ParseRange never panics; a parsed range survives its vers form; Contains and
// CompareGeneric never panic and CompareGeneric is antisymmetric.
func FuzzVersionRange(f *testing.F) {
	for _, s := range []string{
		"vers:generic/>=4.0|<4.2", "vers:all/*", "<=4.1", "< 2.3", "all versions", "all versions prior to 3.2",
		"2.3.6 and below", ">= 4.01 | <= 4.34", "<= U61 |<= L81", "1.2 - 1.8", "< 1.8.4 Service Pack 01",
		"distributed  < april 1, 2018", "vers:semver/1.2.3|!=1.2.4|>=2.0.0%2Bbuild", "12.2.x.x",
	} {
		f.Add(s, "4.1")
	}
	files, _ := filepath.Glob("testdata/icsma/*.json")
	for _, file := range files {
		for _, p := range mustParse(f, file).Products {
			if p.Range != nil {
				f.Add(p.Range.Raw, p.Version+"1.0")
			}
		}
	}
	f.Fuzz(func(t *testing.T, s, v string) {
		r := ParseRange(s)
		if r.Raw != s {
			t.Fatalf("Raw %q != input %q", r.Raw, s)
		}
		if m, ok := r.Contains(v, nil); ok != r.Parsed || (m && !ok) {
			t.Fatalf("Contains(%q) = %v, %v for %+v", v, m, ok, r)
		}
		if vers := r.Vers(); vers != "" {
			back := ParseRange(vers)
			if !back.Parsed || back.All != r.All || !cmp.Equal(back.Constraints, r.Constraints, cmp.Comparer(func(a, b []Constraint) bool { return cmp.Equal(a, b) || len(a)+len(b) == 0 })) {
				t.Fatalf("vers round trip of %q via %q: %+v != %+v", s, vers, back, r)
			}
		}
		if a, b := CompareGeneric(s, v), CompareGeneric(v, s); sign(a) != -sign(b) {
			t.Fatalf("CompareGeneric(%q, %q) = %d but reversed %d", s, v, a, b)
		}
	})
}
