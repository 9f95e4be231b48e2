package spdx

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func FuzzSPDXTagValue(f *testing.F) {
	files, _ := filepath.Glob(fixtures + "*.spdx")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(tagValue))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := DecodeTagValue(data, "fuzz.spdx")
		if err == nil && doc == nil {
			t.Fatal("nil document without error")
		}
	})
}

func FuzzSPDXJSON(f *testing.F) {
	files, _ := filepath.Glob(fixtures + "*.json")
	for _, file := range files {
		if strings.Contains(file, "spdx3") {
			continue
		}
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := DecodeJSON(data, "fuzz.json")
		if err == nil && doc == nil {
			t.Fatal("nil document without error")
		}
	})
}
