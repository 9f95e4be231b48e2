package endoflife

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func addFiles(f *testing.F, pattern string) {
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed files for %s: %v", pattern, err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzParseProduct(f *testing.F) {
	addFiles(f, "testdata/data/products/*.md")
	f.Add([]byte("---\nreleases:\n  - releaseCycle: 1\n    eol: true\n---\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParseProduct("fuzz.md", bytes.NewReader(b), DefaultLimits())
		if err != nil {
			return
		}
		for _, c := range p.Cycles {
			if c.Name == "" {
				t.Fatal("cycle without a name")
			}
			if c.EOL.Kind == MilestoneDate && c.EOL.Date.IsZero() {
				t.Fatal("date milestone without a date")
			}
		}
	})
}

func FuzzParseReleaseData(f *testing.F) {
	addFiles(f, "testdata/data/release-data/*.json")
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseReleaseData("fuzz.json", bytes.NewReader(b), DefaultLimits())
	})
}

func FuzzParseAPI(f *testing.F) {
	addFiles(f, "testdata/api-v1-*.json")
	f.Add([]byte(`{"result": [{"name": "a", "releases": [{"name": "1", "isEol": true}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ps, err := ParseAPI("fuzz.json", bytes.NewReader(b), DefaultLimits())
		if err != nil {
			return
		}
		for _, p := range ps {
			if p.Name == "" {
				t.Fatal("product without a name")
			}
		}
	})
}
