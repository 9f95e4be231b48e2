package endoflife

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func loadTestCatalog(t testing.TB) *Catalog {
	t.Helper()
	c, err := LoadFS(os.DirFS("testdata/data"), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLoadFSRealData(t *testing.T) {
	c := loadTestCatalog(t)
	if got := len(c.Products); got != 68 {
		t.Errorf("%d products, want 68", got)
	}
	cycles := 0
	for _, p := range c.Products {
		cycles += len(p.Cycles)
	}
	// 1,799 cycles upstream minus samsung-mobile's 437, which is not copied (see SOURCES.md).
	if cycles != 1362 {
		t.Errorf("%d cycles, want 1362", cycles)
	}
	if got := len(c.Releases); got != 7 {
		t.Errorf("%d release-data files, want 7", got)
	}

	tests := []struct {
		product, cycle string
		want           Cycle
	}{
		{"windows", "7-sp1", Cycle{Name: "7-sp1", Label: "7 SP1", ReleaseDate: date("2011-02-22"),
			EOAS: DateMilestone(date("2015-01-13")), EOL: DateMilestone(date("2020-01-14")), Latest: "6.1.7601",
			Link: "https://learn.microsoft.com/lifecycle/products/windows-7"}},
		// The product's label template "__RELEASE_CYCLE__ (__CODENAME__)" is applied.
		{"debian", "10", Cycle{Name: "10", Label: "10 (Buster)", Codename: "Buster", ReleaseDate: date("2019-07-06"),
			EOL: DateMilestone(date("2022-09-10")), EOES: DateMilestone(date("2024-06-30")), Latest: "10.13",
			LatestReleaseDate: date("2022-09-10"), Link: "https://www.debian.org/News/2022/20220910"}},
		// eoes: false is kept as an explicit "no".
		{"openssl", "1.0.2", Cycle{Name: "1.0.2", Label: "1.0.2", LTS: Milestone{Kind: MilestoneTrue}, ReleaseDate: date("2015-01-22"),
			EOL: DateMilestone(date("2019-12-31")), EOES: Milestone{Kind: MilestoneFalse}, Latest: "1.0.2u",
			LatestReleaseDate: date("2019-12-20"), Link: "https://openssl-library.org/news/vulnerabilities-1.0.2/"}},
		{"windows-embedded", "standard-7-sp1", Cycle{Name: "standard-7-sp1", Label: "Standard 7 SP1", ReleaseDate: date("2011-02-28"),
			EOAS: DateMilestone(date("2015-10-13")), EOL: DateMilestone(date("2020-10-13")),
			Link: "https://learn.microsoft.com/lifecycle/products/windows-embedded-standard-7"}},
	}
	for _, tt := range tests {
		p, ok := c.Product(tt.product)
		if !ok {
			t.Fatalf("no product %s", tt.product)
		}
		got, ok := p.Cycle(tt.cycle)
		if !ok {
			t.Fatalf("%s: no cycle %s", tt.product, tt.cycle)
		}
		got.Line = 0
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s %s (-want +got)\n%s", tt.product, tt.cycle, diff)
		}
	}

	// Boolean eol values: nodejs 1–3 are "true" (ended, no date); log4j 2 is "false" (no end announced).
	node, _ := c.Product("nodejs")
	if cy, _ := node.Cycle("3"); cy.EOL.Kind != MilestoneTrue {
		t.Errorf("nodejs 3 eol = %v, want true", cy.EOL)
	}
	log4j, _ := c.Product("log4j")
	if cy, _ := log4j.Cycle("2"); cy.EOL.Kind != MilestoneFalse {
		t.Errorf("log4j 2 eol = %v, want false", cy.EOL)
	}
	if diff := cmp.Diff([]Identifier{
		{"repology", "log4j"},
		{"cpe", "cpe:/a:apache:log4j"},
		{"cpe", "cpe:2.3:a:apache:log4j"},
		{"purl", "pkg:maven/org.apache.logging.log4j/log4j-core"},
		{"purl", "pkg:maven/log4j/log4j"},
	}, log4j.Identifiers); diff != "" {
		t.Errorf("log4j identifiers (-want +got)\n%s", diff)
	}
	// Cycle names keep their text: "3.10" must not become 3.1.
	py, _ := c.Product("python")
	if _, ok := py.Cycle("3.10"); !ok {
		t.Error(`python has no cycle "3.10"`)
	}
	// The source line points at the cycle in the file.
	w, _ := c.Product("windows")
	if cy, _ := w.Cycle("7-sp1"); cy.Line != 382 {
		t.Errorf("windows 7-sp1 line = %d, want 382", cy.Line)
	}

	// Release data.
	rd := c.Releases["debian"]
	if got := rd.Releases["9"]; got.EOES != DateMilestone(date("2022-07-01")) || got.Codename != "Stretch" {
		t.Errorf("debian release-data 9 = %+v", got)
	}
	if got := len(c.Releases["log4j"].Versions); got != 18 {
		t.Errorf("log4j versions: %d, want 18", got)
	}
	if v := c.Releases["log4j"].Versions["2.25.5"]; !v.Date.Equal(date("2026-07-06")) {
		t.Errorf("log4j 2.25.5 date %v", v.Date)
	}
}

func TestMilestoneReached(t *testing.T) {
	d := DateMilestone(date("2020-01-14"))
	for _, tt := range []struct {
		m       Milestone
		asOf    string
		reached bool
		known   bool
	}{
		{d, "2020-01-13", false, true},
		{d, "2020-01-14", true, true},
		{d, "2025-01-01", true, true},
		{Milestone{Kind: MilestoneTrue}, "2000-01-01", true, true},
		{Milestone{Kind: MilestoneFalse}, "2100-01-01", false, true},
		{Milestone{}, "2020-01-01", false, false},
	} {
		r, k := tt.m.Reached(date(tt.asOf))
		if r != tt.reached || k != tt.known {
			t.Errorf("%v.Reached(%s) = %v, %v; want %v, %v", tt.m, tt.asOf, r, k, tt.reached, tt.known)
		}
	}
}

func TestParseProductErrors(t *testing.T) {
	small := DefaultLimits()
	small.MaxProductBytes = 64
	tests := []struct {
		name string
		in   string
		lim  Limits
		want string
	}{
		{"no front matter", "# Windows\n", DefaultLimits(),
			"products/x.md:1: not an endoflife.date product page: no YAML front matter (the file must start with a --- line)"},
		{"truncated", "---\ntitle: X\nreleases:\n  - releaseCycle: \"1\"\n", DefaultLimits(),
			"products/x.md:1: front matter not closed: no second --- line (truncated file?)"},
		{"bad eol", "---\ntitle: X\nreleases:\n  - releaseCycle: \"1\"\n    releaseDate: 2020-01-01\n    eol: soon\n---\n", DefaultLimits(),
			`products/x.md:6:10: releases[0].eol: "soon" is not a date (want YYYY-MM-DD); want a date or true/false`},
		{"bad date", "---\nreleases:\n  - releaseCycle: \"1\"\n    releaseDate: 2020-02-30\n    eol: false\n---\n", DefaultLimits(),
			`products/x.md:4:18: releases[0].releaseDate: "2020-02-30" is not a date (want YYYY-MM-DD)`},
		{"missing cycle", "---\nreleases:\n  - eol: true\n---\n", DefaultLimits(),
			"products/x.md:3:5: releases[0].releaseCycle: missing"},
		{"missing eol", "---\nreleases:\n  - releaseCycle: \"1\"\n---\n", DefaultLimits(),
			"products/x.md:3:5: releases[0].eol: missing"},
		{"missing releases", "---\ntitle: X\n---\n", DefaultLimits(),
			"products/x.md:2:1: releases: missing"},
		{"releases not a list", "---\nreleases: 3\n---\n", DefaultLimits(),
			"products/x.md:2:11: releases: want a list, got an integer"},
		{"alias", "---\na: &x \"2020-01-01\"\nreleases:\n  - releaseCycle: \"1\"\n    eol: *x\n---\n", DefaultLimits(),
			"products/x.md:5:10: releases[0].eol: YAML anchors and aliases are not supported"},
		{"yaml syntax", "---\nreleases:\n  - releaseCycle: \"1\n    eol: true\n---\n", DefaultLimits(),
			"products/x.md:3:19: could not find end character of double-quoted text"},
		{"too large", "---\ntitle: " + strings.Repeat("x", 100) + "\n---\n", small,
			"products/x.md: too large: more than 64 bytes"},
		{"deep nesting", "---\nreleases: " + strings.Repeat("[", 40) + "\n---\n", DefaultLimits(),
			"products/x.md:2: brackets nested 40 deep (limit 32)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseProduct("products/x.md", strings.NewReader(tt.in), tt.lim)
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got %s\nwant %s", err, tt.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Errorf("%T is not a *ParseError", err)
			}
		})
	}
}

func TestParseReleaseDataErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"not release data", `{"foo": 1}`, `x.json: not an endoflife.date release-data file: no "versions" or "releases" object`},
		{"bad date", `{"versions": {"1.0": {"name": "1.0", "date": "2020-13-01"}}}`, `x.json: versions["1.0"].date: "2020-13-01" is not a date (want YYYY-MM-DD)`},
		{"bad eol", `{"releases": {"9": {"eol": 12}}, "versions": {}}`, `x.json: releases["9"].eol: want a date or true/false, got a number`},
		{"wrong type", "{\n  \"versions\": {\n    \"1.0\": {\"name\": 5}}}", "x.json:3:21: versions.name: want string, got JSON number"},
		{"truncated", "{\n  \"versions\": {", "x.json:2:16: unexpected end of JSON input (truncated file?)"},
		{"trailing", `{"versions": {}} {}`, "x.json:1:18: trailing data after the JSON value"},
		{"syntax", "{\n  \"versions\": {,}}", "x.json:2:16: invalid character ',' looking for beginning of object key string"},
		{"empty", "", "x.json: empty input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseReleaseData("x.json", strings.NewReader(tt.in), DefaultLimits())
			if err == nil || err.Error() != tt.want {
				t.Errorf("error\n got %v\nwant %s", err, tt.want)
			}
		})
	}
	lim := DefaultLimits()
	lim.MaxReleaseDataBytes = 10
	if _, err := ParseReleaseData("x.json", strings.NewReader(`{"versions": {}}`), lim); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversize: %v", err)
	}
}

func TestParseAPI(t *testing.T) {
	f, err := os.Open("testdata/api-v1-nodejs.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ps, err := ParseAPI("api-v1-nodejs.json", f, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	want := []*Product{{
		Name: "nodejs", Title: "Node.js", Category: "framework", Source: "api-v1-nodejs.json",
		Identifiers: []Identifier{{"purl", "pkg:generic/nodejs"}},
		Cycles: []Cycle{
			{Name: "24", Label: "24 (LTS)", ReleaseDate: date("2025-05-06"), LTS: Milestone{Kind: MilestoneTrue},
				EOAS: DateMilestone(date("2026-10-20")), EOL: DateMilestone(date("2028-04-30")), Latest: "24.9.0", LatestReleaseDate: date("2025-09-25")},
			{Name: "16", Label: "16", ReleaseDate: date("2021-04-20"), LTS: Milestone{Kind: MilestoneFalse},
				EOAS: Milestone{Kind: MilestoneTrue}, EOL: DateMilestone(date("2023-09-11")), EOES: Milestone{Kind: MilestoneFalse}},
		},
	}}
	if diff := cmp.Diff(want, ps); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if _, err := ParseAPI("a.json", strings.NewReader(`{"schema_version": "1.2.0"}`), DefaultLimits()); err == nil ||
		err.Error() != `a.json: not an endoflife.date API v1 answer: no "result"` {
		t.Errorf("no result: %v", err)
	}
	if _, err := ParseAPI("a.json", strings.NewReader(`{"result": {"name": "x", "releases": [{"name": "1", "eolFrom": "soon"}]}}`), DefaultLimits()); err == nil ||
		err.Error() != `a.json: result[0].releases[0].eolFrom: "soon" is not a date (want YYYY-MM-DD)` {
		t.Errorf("bad date: %v", err)
	}
}

func TestLoadFSErrors(t *testing.T) {
	if _, err := LoadFS(os.DirFS(t.TempDir()), DefaultLimits()); err == nil || err.Error() != "not an endoflife.date data folder: no products/*.md" {
		t.Errorf("empty folder: %v", err)
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "products"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "products", "bad.md"), []byte("---\nreleases:\n  - releaseCycle: 1\n    eol: maybe\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadFS(os.DirFS(dir), DefaultLimits())
	if err == nil || err.Error() != `products/bad.md:4:10: releases[0].eol: "maybe" is not a date (want YYYY-MM-DD); want a date or true/false` {
		t.Errorf("bad file: %v", err)
	}
}
