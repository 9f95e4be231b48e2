package mds2

import (
	"bytes"
	"io"
	"os"
	"testing"
)

// Benchmarks print figures only; nothing asserts on time.

func BenchmarkReadXLSX(b *testing.B) {
	data := nemaBytes(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ReadXLSX(bytes.NewReader(data), "nema.xlsx", 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadMarkdown(b *testing.B) {
	data, err := os.ReadFile(medicapturePath)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ReadMarkdown(bytes.NewReader(data), "medicapture.md", 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteXLSX(b *testing.B) {
	f := readFixture(b, nemaPath)
	for b.Loop() {
		if err := WriteXLSX(io.Discard, f); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompare(b *testing.B) {
	nema, mc := readFixture(b, nemaPath), readFixture(b, medicapturePath)
	for b.Loop() {
		Compare(nema, mc, nema)
	}
}
