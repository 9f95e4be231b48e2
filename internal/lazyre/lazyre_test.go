package lazyre

import (
	"regexp"
	"slices"
	"testing"
)

func TestForwardsToRegexp(t *testing.T) {
	const expr = `(?i)v(?P<major>\d+)\.(\d+)`
	r, want := New(expr), regexp.MustCompile(expr)
	in := "V1.2 and v10.20, v3"
	if r.Regexp().String() != expr {
		t.Errorf("Regexp = %q", r.Regexp())
	}
	if r.MatchString(in) != want.MatchString(in) || r.MatchString("x") {
		t.Error("MatchString")
	}
	if r.FindString(in) != "V1.2" || !slices.Equal(r.FindStringIndex(in), want.FindStringIndex(in)) {
		t.Error("FindString/FindStringIndex")
	}
	if !slices.Equal(r.FindStringSubmatch(in), []string{"V1.2", "1", "2"}) {
		t.Error("FindStringSubmatch")
	}
	if got := r.FindAllString(in, -1); !slices.Equal(got, []string{"V1.2", "v10.20"}) {
		t.Errorf("FindAllString = %q", got)
	}
	if got := r.FindAllStringSubmatch(in, -1); len(got) != 2 || got[1][2] != "20" {
		t.Errorf("FindAllStringSubmatch = %q", got)
	}
	if got := r.ReplaceAllString(in, "<$major>"); got != "<1> and <10>, v3" {
		t.Errorf("ReplaceAllString = %q", got)
	}
	if got := r.Split(in, -1); !slices.Equal(got, want.Split(in, -1)) {
		t.Errorf("Split = %q", got)
	}
}

// In a test binary an invalid pattern fails at New, where the package's tests start, not at its
// first use; outside tests it is compiled once, on first use.
func TestCompileTime(t *testing.T) {
	if !inTest {
		t.Fatal("a test binary is not recognised")
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("New of an invalid pattern did not panic in a test binary")
			}
		}()
		New(`(`)
	}()
	inTest = false
	defer func() { inTest = true }()
	r := New(`a+`)
	if r.rx != nil {
		t.Fatal("compiled before first use")
	}
	first := r.Regexp()
	if first == nil || r.Regexp() != first || !r.MatchString("caab") {
		t.Error("not compiled once on first use")
	}
}
