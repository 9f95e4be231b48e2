package version

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/osv-scalibr/semantic"
)

// TestOrderFixtures reads testdata/*.txt: one comparison a line ("a < b", "a = b", "a > b"),
// with the ecosystem named in a "# ecosystem: NAME" header. Both directions are checked.
func TestOrderFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			f, err := os.Open(file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			eco := ""
			n := 0
			sc := bufio.NewScanner(f)
			for line := 1; sc.Scan(); line++ {
				text := strings.TrimSpace(sc.Text())
				if e, ok := strings.CutPrefix(text, "# ecosystem:"); ok {
					eco = strings.TrimSpace(e)
					continue
				}
				if text == "" || strings.HasPrefix(text, "#") {
					continue
				}
				fields := strings.Fields(text)
				if len(fields) != 3 || eco == "" {
					t.Fatalf("%s:%d: malformed line %q (ecosystem %q)", file, line, text, eco)
				}
				want := map[string]int{"<": -1, "=": 0, ">": 1}[fields[1]]
				got, err := Compare(eco, fields[0], fields[2])
				if err != nil {
					t.Errorf("%s:%d: %v", file, line, err)
					continue
				}
				if got != want {
					t.Errorf("%s:%d: Compare(%q, %q, %q) = %d, want %d", file, line, eco, fields[0], fields[2], got, want)
				}
				if back, _ := Compare(eco, fields[2], fields[0]); back != -want {
					t.Errorf("%s:%d: Compare(%q, %q, %q) = %d, want %d", file, line, eco, fields[2], fields[0], back, -want)
				}
				n++
			}
			if n == 0 {
				t.Errorf("%s: no comparisons", file)
			}
		})
	}
}

func TestUnsupported(t *testing.T) {
	if _, err := Compare("Linux", "1", "2"); err == nil {
		t.Error("Compare(Linux) succeeded, want ErrUnsupportedEcosystem")
	}
	if Supported("GIT") || !Supported("Debian:11") || !Supported("Go") {
		t.Error("Supported is wrong")
	}
	for _, c := range [][2]string{{"Debian", "a:b"}, {"PyPI", ""}, {"Go", " "}, {"Generic", ""}} {
		if _, err := Parse(c[0], c[1]); err == nil {
			t.Errorf("Parse(%q, %q) succeeded", c[0], c[1])
		}
	}
}

func TestNormalizeGo(t *testing.T) {
	for in, want := range map[string]string{
		"go1.21rc2":    "1.21.0-rc.2",
		"go1.20":       "1.20.0",
		"go1.19beta1":  "1.19.0-beta.1",
		"go1.22.3":     "1.22.3",
		"1.21rc2":      "1.21.0-rc.2",
		"1.20":         "1.20",
		"v1.22.3":      "v1.22.3",
		"v0.0.0-2021":  "v0.0.0-2021",
		"golang":       "golang",
		"go":           "go",
		"go1.21.0-rc1": "go1.21.0-rc1",
	} {
		if got := NormalizeGo(in); got != want {
			t.Errorf("NormalizeGo(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSemverMatchesScalibr checks the allocation-free SemVer path against scalibr on a grid.
func TestSemverMatchesScalibr(t *testing.T) {
	vs := []string{"", "0", "1", "v1", "1.2", "1.2.3", "1.2.3.4", "1.2.3.4.5", "1.2.3-rc.1", "1.2.3-rc.01",
		"1.2.3-rc.+1", "1.2.3-rc.-1", "1.2.3--1", "1.2.3-", "1.2.3+", "1.2.3+b", "1.2.3rc1", "1.2.3-rc1",
		"1..2", "v", "vv1", "1.2.3.4-beta", "1.2.3-beta.4", "1.2.3-alpha.beta", "1.0.0-0", "1.0.0-00",
		"99999999999999999999.1", "1.2.3-a.b.c", "1.2.3-a..b", "x", "1.2.x", "1.-2", ".1", "1.2.3.00010"}
	for _, a := range vs {
		for _, b := range vs {
			want, _ := semantic.ParseSemverVersion(a).Compare(semantic.ParseSemverVersion(b))
			pa, pb := parseSemver(a), parseSemver(b)
			if got := pa.compare(&pb, a, b); got != want {
				t.Errorf("compare(%q, %q) = %d, scalibr says %d", a, b, got, want)
			}
		}
	}
}

func FuzzSemverMatchesScalibr(f *testing.F) {
	for _, s := range [][2]string{{"1.2.3", "1.2.3-rc.1"}, {"v0.0.0-2021-abc", "0.0.1"}, {"1.2.3.4", "1.2.3-.4"},
		{"1.0.0-+5", "1.0.0--5"}, {"1.2.3-a.b", "1.2.3-a.10"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if len(a) > 64 || len(b) > 64 {
			return
		}
		want, _ := semantic.ParseSemverVersion(a).Compare(semantic.ParseSemverVersion(b))
		pa, pb := parseSemver(a), parseSemver(b)
		if got := pa.compare(&pb, a, b); got != want {
			t.Errorf("compare(%q, %q) = %d, scalibr says %d", a, b, got, want)
		}
	})
}

func FuzzCompareGeneric(f *testing.F) {
	f.Add("1.0.1f", "1.0.1g")
	f.Add("20d29", "2.0-rc1")
	f.Fuzz(func(t *testing.T, a, b string) {
		ab, ba := CompareGeneric(a, b), CompareGeneric(b, a)
		if ab != -ba {
			t.Errorf("not antisymmetric: %q %q: %d %d", a, b, ab, ba)
		}
		if CompareGeneric(a, a) != 0 {
			t.Errorf("CompareGeneric(%q, %q) != 0", a, a)
		}
	})
}

func BenchmarkParseCompareGo(b *testing.B) {
	fixed := MustParse("Go", "0.17.0")
	b.ReportAllocs()
	for b.Loop() {
		v, _ := Parse("Go", "v0.7.0")
		if v.Compare(fixed) >= 0 {
			b.Fatal("order")
		}
	}
}

func BenchmarkScalibrParseCompareGo(b *testing.B) {
	fixed := semantic.MustParse("0.17.0", "Go")
	b.ReportAllocs()
	for b.Loop() {
		v, _ := semantic.Parse("v0.7.0", "Go")
		if c, _ := v.Compare(fixed); c >= 0 {
			b.Fatal("order")
		}
	}
}
