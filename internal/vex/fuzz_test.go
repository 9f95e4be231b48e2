package vex

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func FuzzVEX(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.json")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		stmts, format, err := DecodeBytes(data, "fuzz")
		if err != nil {
			return
		}
		for i, s := range stmts {
			if !ValidStatus(s.Status) {
				t.Fatalf("statement %d has status %q", i, s.Status)
			}
			if s.Justification != "" && (s.Status != NotAffected || !ValidJustification(s.Justification)) {
				t.Fatalf("statement %d: justification %q with status %q", i, s.Justification, s.Status)
			}
		}
		// Whatever was read can be written again as CycloneDX VEX and read back.
		var buf bytes.Buffer
		if err := EncodeCycloneDX(&buf, stmts, time.Unix(0, 0)); err != nil {
			if format == CycloneDX || format == OpenVEX {
				return // e.g. an empty vulnerability id
			}
			t.Fatal(err)
		}
		back, _, err := DecodeBytes(buf.Bytes(), "again")
		if err != nil {
			t.Fatalf("re-encoded document does not decode: %v", err)
		}
		if len(back) != len(stmts) {
			t.Fatalf("%d statements became %d", len(stmts), len(back))
		}
	})
}
