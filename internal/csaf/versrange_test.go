package csaf

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseRange(t *testing.T) {
	c := func(op, v string) Constraint { return Constraint{Op: op, Version: v} }
	tests := []struct {
		in   string
		want Range // Raw is filled in from in
	}{
		{"vers:generic/>=4.0|<4.2", Range{Scheme: "generic", Constraints: []Constraint{c(">=", "4.0"), c("<", "4.2")}, Parsed: true}},
		{"vers:generic/>=2.9|<=4.1", Range{Scheme: "generic", Constraints: []Constraint{c(">=", "2.9"), c("<=", "4.1")}, Parsed: true}},
		{"vers:all/*", Range{Scheme: "all", All: true, Parsed: true}},
		{"vers:semver/1.2.3|!=1.2.4|>=2.0.0%2Bbuild", Range{Scheme: "semver", Constraints: []Constraint{c("=", "1.2.3"), c("!=", "1.2.4"), c(">=", "2.0.0+build")}, Parsed: true}},
		{"vers:generic/", Range{}},
		{"vers:all/>=1", Range{Scheme: "all"}},
		{"<=4.1", Range{Constraints: []Constraint{c("<=", "4.1")}, Parsed: true}},
		{"< 2.3", Range{Constraints: []Constraint{c("<", "2.3")}, Parsed: true}},
		{"<= 12.2.x.x", Range{Constraints: []Constraint{c("<=", "12.2.x.x")}, Parsed: true}},
		{"all versions", Range{All: true, Parsed: true}},
		{"All Versions", Range{All: true, Parsed: true}},
		{"all versions prior to 3.2", Range{Constraints: []Constraint{c("<", "3.2")}, Parsed: true}},
		{"versions before v5.1", Range{Constraints: []Constraint{c("<", "5.1")}, Parsed: true}},
		{"2.3.6 and  below", Range{Constraints: []Constraint{c("<=", "2.3.6")}, Parsed: true}},
		{"Version 2.0.14.0 and prior versions", Range{Constraints: []Constraint{c("<=", "2.0.14.0")}, Parsed: true}},
		{"4.0 and later", Range{Constraints: []Constraint{c(">=", "4.0")}, Parsed: true}},
		{"4.0+", Range{Constraints: []Constraint{c(">=", "4.0")}, Parsed: true}},
		{"up to 7.1", Range{Constraints: []Constraint{c("<=", "7.1")}, Parsed: true}},
		{">= 4.01 | <= 4.34", Range{Constraints: []Constraint{c(">=", "4.01"), c("<=", "4.34")}, Parsed: true}},
		{">= 1.0 and < 2.0", Range{Constraints: []Constraint{c(">=", "1.0"), c("<", "2.0")}, Parsed: true}},
		{"<= U61 |<= L81", Range{Constraints: []Constraint{c("<=", "U61"), c("<=", "L81")}, Parsed: true}},
		{"1.2 - 1.8", Range{Constraints: []Constraint{c(">=", "1.2"), c("<=", "1.8")}, Parsed: true}},
		{"between 3.0 and 3.4", Range{Constraints: []Constraint{c(">=", "3.0"), c("<=", "3.4")}, Parsed: true}},
		{"< 1.8.4 Service Pack 01", Range{Constraints: []Constraint{c("<", "1.8.4 Service Pack 01")}, Parsed: true}},
		{"distributed  < april 1, 2018", Range{}},
		{"A.01 <= C.0x | 4.0", Range{}},
		{"Windows and Linux", Range{}},
		{"", Range{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			want := tt.want
			want.Raw = tt.in
			if diff := cmp.Diff(&want, ParseRange(tt.in)); diff != "" {
				t.Errorf("ParseRange(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestRangeContains(t *testing.T) {
	tests := []struct {
		rng    string
		in     []string
		out    []string
		parsed bool
	}{
		{"vers:generic/>=4.0|<4.2", []string{"4.0", "4.1.9"}, []string{"3.9", "4.2", "5"}, true},
		{"vers:generic/<1.0|>=2.0|<3.0|>=5", []string{"0.9", "2.0", "2.9", "5", "7"}, []string{"1.0", "1.5", "3.0", "4.9"}, true},
		{"vers:generic/1.5|>=2.0|!=2.5", []string{"1.5", "2.0", "3.0"}, []string{"1.4", "2.5"}, true},
		{"vers:all/*", []string{"0", "anything"}, nil, true},
		{"<= 12.2.x.x", []string{"12.2.9.9", "12.1"}, []string{"12.3"}, true},
		{"all versions prior to 3.2", []string{"3.1.9"}, []string{"3.2", "3.2.0"}, true},
		{"<= U61 |<= L81", []string{"L80", "U61"}, []string{"U62"}, true},
		{">= 2.0", []string{"2.0", "10"}, []string{"1.9"}, true},
		{"distributed  < april 1, 2018", nil, []string{"1.0"}, false},
	}
	for _, tt := range tests {
		r := ParseRange(tt.rng)
		for _, v := range tt.in {
			if m, ok := r.Contains(v, nil); !m || ok != tt.parsed {
				t.Errorf("%q Contains(%q) = %v, %v; want true", tt.rng, v, m, ok)
			}
		}
		for _, v := range tt.out {
			if m, ok := r.Contains(v, nil); m || ok != tt.parsed {
				t.Errorf("%q Contains(%q) = %v, %v; want false", tt.rng, v, m, ok)
			}
		}
	}
}

func TestRangeVers(t *testing.T) {
	for in, want := range map[string]string{
		"vers:generic/>=4.0|<4.2":   "vers:generic/>=4.0|<4.2",
		"<= 2.0.14.0":               "vers:generic/<=2.0.14.0",
		"all versions":              "vers:all/*",
		"< 1.8.4 Service Pack 01":   "vers:generic/<1.8.4%20Service%20Pack%2001",
		"vers:semver/1.0.0|2.0.0":   "vers:semver/1.0.0|2.0.0",
		"not a range at all, sorry": "",
	} {
		r := ParseRange(in)
		if got := r.Vers(); got != want {
			t.Errorf("ParseRange(%q).Vers() = %q, want %q", in, got, want)
		}
		if want == "" {
			continue
		}
		back := ParseRange(r.Vers())
		if diff := cmp.Diff(r.Constraints, back.Constraints); diff != "" || back.All != r.All {
			t.Errorf("round trip of %q (-first +second):\n%s", in, diff)
		}
	}
}

// TestCompareGeneric reads testdata/compare-generic.txt, one comparison a line.
func TestCompareGeneric(t *testing.T) {
	f, err := os.Open("testdata/compare-generic.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Fields(text)
		if len(fields) != 3 {
			t.Fatalf("line %d: %q is not 'a op b'", line, text)
		}
		want := map[string]int{"<": -1, "=": 0, ">": 1}[fields[1]]
		if got := sign(CompareGeneric(fields[0], fields[2])); got != want {
			t.Errorf("line %d: CompareGeneric(%q, %q) = %d, want %d", line, fields[0], fields[2], got, want)
		}
		if got := sign(CompareGeneric(fields[2], fields[0])); got != -want {
			t.Errorf("line %d: reversed CompareGeneric(%q, %q) = %d, want %d", line, fields[2], fields[0], got, -want)
		}
		n++
	}
	if n < 20 {
		t.Fatalf("only %d comparisons", n)
	}
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// TestRealRanges: every product_version_range of the fixtures parses except the free text that
// names dates or bundles module lists, which stays for a person to map.
func TestRealRanges(t *testing.T) {
	files, _ := filepath.Glob("testdata/icsma/*.json")
	more, _ := filepath.Glob("testdata/examples/csaf_*.json")
	var total int
	unparsed := map[string]int{}
	for _, f := range append(files, more...) {
		for _, p := range mustParse(t, f).Products {
			if p.Range == nil {
				continue
			}
			total++
			if !p.Range.Parsed {
				unparsed[p.Range.Raw]++
			}
		}
	}
	want := map[string]int{
		"distributed  < april 1, 2018":                             11,
		"A.01 <= C.0x | 4.0":                                       1,
		"9.x (with Wireless Battery Modules >= 22D19 | <= v22D28)": 1,
		"8.x (Wireless Battery Modules v17 | v17D19 >= 20D29 | <= 20D32 | >= 22D24 | <= 22D28)":                 1,
		"6.x (Wireless Battery Modules (16 | 16D38 | 17 | 17D19 | >= 20D29 | <= v20D32 | >= 22D24 | <= v22D28)": 1,
	}
	if diff := cmp.Diff(want, unparsed); diff != "" || total < 120 {
		t.Errorf("unparsed ranges of %d (-want +got):\n%s", total, diff)
	}
}

func TestCoversVersion(t *testing.T) {
	a := mustParse(t, "testdata/icsma/icsma-23-194-01.json")
	tests := []struct {
		id, version  string
		match, known bool
	}{
		{"CSAFPID-0001", "12.1.3", true, true}, // <=12.1.3
		{"CSAFPID-0001", "12.1.0", true, true},
		{"CSAFPID-0001", "12.3.1", false, true},
		{"CSAFPID-0006", "12.1.3", true, true}, // product_version 12.1.3
		{"CSAFPID-0006", "12.1.2", false, true},
	}
	for _, tt := range tests {
		m, k := a.Product(tt.id).CoversVersion(tt.version, nil)
		if m != tt.match || k != tt.known {
			t.Errorf("%s CoversVersion(%s) = %v, %v; want %v, %v", tt.id, tt.version, m, k, tt.match, tt.known)
		}
	}
	if _, k := (&Product{ID: "x"}).CoversVersion("1", nil); k {
		t.Error("product without version is known")
	}
}
