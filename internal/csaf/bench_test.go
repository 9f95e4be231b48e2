package csaf

import (
	"bytes"
	"path/filepath"
	"testing"
)

// BenchmarkParse parses every fixture once per iteration.
func BenchmarkParse(b *testing.B) {
	files, _ := filepath.Glob("testdata/icsma/*.json")
	more, _ := filepath.Glob("testdata/examples/csaf_*.json")
	var docs [][]byte
	for _, f := range append(files, more...) {
		docs = append(docs, mustRead(b, f))
	}
	b.ResetTimer()
	for b.Loop() {
		for _, d := range docs {
			if _, err := Parse(bytes.NewReader(d), "bench", 0); err != nil {
				b.Fatal(err)
			}
		}
	}
}
