package feedbundle

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// build writes a bundle of the files (name → content) with a manifest; edit may change the
// manifest's view of a file before it is written.
func build(t testing.TB, files [][2]string, edit func(*Manifest)) []byte {
	m := Manifest{Format: Format, Version: Version, Created: time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC), Generation: 7}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, f := range files {
		sum := sha256.Sum256([]byte(f[1]))
		m.Files = append(m.Files, File{Name: f[0], Bytes: int64(len(f[1])), SHA256: hex.EncodeToString(sum[:])})
		tw.WriteHeader(&tar.Header{Name: f[0], Mode: 0o644, Size: int64(len(f[1])), Typeflag: tar.TypeReg})
		tw.Write([]byte(f[1]))
	}
	if edit != nil {
		edit(&m)
	}
	mb, _ := json.Marshal(m)
	tw.WriteHeader(&tar.Header{Name: "manifest.json", Mode: 0o644, Size: int64(len(mb)), Typeflag: tar.TypeReg})
	tw.Write(mb)
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

// A real-looking bundle: KEV and OSV records from the feed fixtures.
func sample(t testing.TB) [][2]string {
	osv, err := os.ReadFile("../../feeds/osv/testdata/govulndb/GO-2023-2102.json")
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	json.Compact(&compact, osv)
	return [][2]string{{Marker, "Vigil offline feed bundle\n"}, {"records/osv.jsonl", compact.String() + "\n"},
		{"epss.csv", "cve,epss,percentile\nCVE-2023-39325,0.7,0.98\n"}, {"status.json", `[{"name":"osv","label":"OSV","records":1,"updated":"2026-11-28T09:00:00Z"}]`}}
}

func TestRead(t *testing.T) {
	good := build(t, sample(t), nil)
	b, err := Read(bytes.NewReader(good), int64(len(good)), "good.tar.gz", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if b.Manifest.Generation != 7 || len(b.Manifest.Files) != 4 || !b.Has("epss.csv") || b.Status == nil {
		t.Errorf("bundle: %+v", b.Manifest)
	}
	if data, _ := os.ReadFile(b.Path("epss.csv")); !strings.Contains(string(data), "CVE-2023-39325") {
		t.Errorf("extracted epss.csv: %q", data)
	}
	tests := []struct {
		name  string
		data  []byte
		wants string
	}{
		{"changed file", build(t, sample(t), func(m *Manifest) { m.Files[1].SHA256 = strings.Repeat("0", 64) }), "records/osv.jsonl does not match the manifest"},
		{"unlisted file", build(t, sample(t), func(m *Manifest) { m.Files = m.Files[:3] }), "status.json is not listed in the manifest"},
		{"missing file", build(t, sample(t), func(m *Manifest) { m.Files = append(m.Files, File{Name: "records/nvd.jsonl"}) }), "records/nvd.jsonl is listed in the manifest but missing"},
		{"other format", build(t, sample(t), func(m *Manifest) { m.Version = 9 }), "version 9"},
		{"foreign entry", build(t, append(sample(t), [2]string{"../etc/passwd", "x"}), nil), "../etc/passwd: unexpected entry"},
		{"not a bundle", build(t, sample(t)[1:], nil), "not a Vigil feed bundle"},
		{"not gzip", []byte("PK\x03\x04"), "not gzip-compressed"},
		{"truncated", good[:len(good)/2], "truncated"},
	}
	for _, tc := range tests {
		_, err := Read(bytes.NewReader(tc.data), int64(len(tc.data)), "x.tar.gz", t.TempDir())
		if !errors.Is(err, ErrBundle) || !strings.Contains(err.Error(), tc.wants) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.wants)
		}
	}
	// the compression ratio bounds what a small file may unpack to
	big := build(t, [][2]string{{Marker, "x"}, {"epss.csv", strings.Repeat("a", 4<<20)}}, nil)
	if _, err := Read(bytes.NewReader(big), int64(len(big)), "bomb.tar.gz", t.TempDir()); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("ratio: %v", err)
	}
}

// FuzzRead: arbitrary bytes never crash the reader, and what it accepts matches its manifest.
func FuzzRead(f *testing.F) {
	good := build(f, sample(f), nil)
	f.Add(good)
	f.Add(good[:len(good)/3])
	f.Add(build(f, sample(f), func(m *Manifest) { m.Files[1].Bytes++ }))
	root := f.TempDir()
	n := 0
	f.Fuzz(func(t *testing.T, data []byte) {
		n++
		dir := filepath.Join(root, strconv.Itoa(n))
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(dir)
		type res struct {
			b   *Bundle
			err error
		}
		ch := make(chan res, 1)
		go func() {
			b, err := Read(bytes.NewReader(data), 1, "fuzz", dir) // size 1: at most 1 MiB unpacked
			ch <- res{b, err}
		}()
		var r res
		select {
		case r = <-ch:
		case <-time.After(5 * time.Second):
			t.Fatalf("Read hangs on %d bytes", len(data))
		}
		b, err := r.b, r.err
		if err != nil {
			return
		}
		for _, fl := range b.Manifest.Files {
			got, err := os.ReadFile(filepath.Join(dir, strings.ReplaceAll(fl.Name, "/", "_")))
			sum := sha256.Sum256(got)
			if err != nil || hex.EncodeToString(sum[:]) != fl.SHA256 {
				t.Fatalf("%s accepted but does not match its manifest", fl.Name)
			}
		}
	})
}
