package vulndb

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// fillService imports one fixture of every source.
func fillService(t testing.TB, s *Service) {
	for _, p := range []string{goFixtures, ghsaFixtures, filepath.Join(nvdFixtures, "CVE-2021-44228.json"), kevJSON, eukevJSON, epssSample, eolFixtures} {
		mustImport(t, s, p)
	}
}

func writeBundle(t testing.TB, s *Service) (string, *BundleManifest) {
	path := filepath.Join(t.TempDir(), "feeds.tar.gz")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.WriteBundle(context.Background(), f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	return path, m
}

// A bundle written on one installation imports on another with the same data; a second import
// changes nothing.
func TestBundleRoundTrip(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		src := newService(t, testutil.MustOpenStore(t))
		fillService(t, src)
		path, m := writeBundle(t, src)
		names := map[string]int{}
		for _, f := range m.Files {
			names[f.Name] = f.Records
		}
		want := map[string]int{bundleMarker: 0, "records/osv.jsonl": 67, "records/nvd.jsonl": 1, "records/kev.jsonl": 1404, "records/eukev.jsonl": 43,
			"epss.csv": 1883, "endoflife/products.jsonl": 68, "status.json": 0}
		if diff := cmp.Diff(want, names); diff != "" {
			t.Errorf("manifest (-want +got):\n%s", diff)
		}
		if ok, err := IsBundle(path); !ok || err != nil {
			t.Fatalf("IsBundle: %v %v", ok, err)
		}

		dst := newService(t, st)
		rep, err := dst.Import(ctx, path, ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Bundle || results(rep)["kev"].Created != 1404 || results(rep)["epss"].Created != 1883 || results(rep)["endoflife"].Created != 68 {
			t.Errorf("bundle import: %+v", rep.Sources)
		}
		for _, id := range []string{"CVE-2021-44228", "GO-2023-2102", "CVE-2025-48384"} {
			a, err1 := src.Store.Vulnerability(ctx, id)
			b, err2 := st.Vulnerability(ctx, id)
			if err1 != nil || err2 != nil {
				t.Fatalf("%s: %v %v", id, err1, err2)
			}
			a.Updated = b.Updated
			if diff := cmp.Diff(a, b); diff != "" {
				t.Errorf("%s differs after the bundle (-source +imported):\n%s", id, diff)
			}
		}
		kev, _ := st.FeedSource(ctx, "kev")
		if !strings.HasPrefix(kev.Origin, "bundle feeds.tar.gz (source data of 2026-11-28 09:00 UTC)") {
			t.Errorf("origin: %q", kev.Origin)
		}
		ia, _ := src.Index(ctx)
		ib, err := LoadSnapshot(dst.SnapshotPath())
		if err != nil || ia.Stats() != ib.Stats() {
			t.Errorf("index stats: %+v vs %+v (%v)", ia.Stats(), ib.Stats(), err)
		}
		rep, err = dst.Import(ctx, path, ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rep.Sources {
			if r.Created+r.Updated+r.Deleted != 0 {
				t.Errorf("second bundle import changed %s: %+v", r.Source, r)
			}
		}
	})
}

// rewrite copies a bundle, changing entries through edit (nil: drop the entry).
func rewrite(t *testing.T, path string, edit func(name string, data []byte) []byte, extra ...[2]string) string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, _ := gzip.NewReader(f)
	tr := tar.NewReader(zr)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(tr)
		if h.Name == "manifest.json" {
			for _, e := range extra {
				tw.WriteHeader(&tar.Header{Name: e[0], Mode: 0o644, Size: int64(len(e[1])), Typeflag: tar.TypeReg})
				tw.Write([]byte(e[1]))
			}
		}
		data = edit(h.Name, data)
		if data == nil {
			continue
		}
		h.Size = int64(len(data))
		tw.WriteHeader(h)
		tw.Write(data)
	}
	tw.Close()
	zw.Close()
	out := filepath.Join(t.TempDir(), "tampered.tar.gz")
	os.WriteFile(out, buf.Bytes(), 0o644)
	return out
}

// A changed, missing or extra file is refused before anything is stored, and the error names it.
func TestBundleTampering(t *testing.T) {
	src := newService(t, testutil.MustOpenStore(t))
	for _, p := range []string{goFixtures, kevJSON} {
		mustImport(t, src, p)
	}
	path, _ := writeBundle(t, src)
	tests := []struct {
		name  string
		path  string
		wants string
	}{
		{"changed record", rewrite(t, path, func(n string, b []byte) []byte {
			if n == "records/kev.jsonl" {
				return bytes.Replace(b, []byte(`"knownRansomwareCampaignUse":"Unknown"`), []byte(`"knownRansomwareCampaignUse":"Known"`), 1)
			}
			return b
		}), "records/kev.jsonl does not match the manifest"},
		{"missing file", rewrite(t, path, func(n string, b []byte) []byte {
			if n == "records/osv.jsonl" {
				return nil
			}
			return b
		}), "records/osv.jsonl is listed in the manifest but missing"},
		{"extra file", rewrite(t, path, func(n string, b []byte) []byte { return b }, [2]string{"records/nvd.jsonl", "{}\n"}), "records/nvd.jsonl is not listed in the manifest"},
		{"unknown entry", rewrite(t, path, func(n string, b []byte) []byte { return b }, [2]string{"../../etc/passwd", "x"}), "../../etc/passwd: unexpected entry"},
		{"no manifest", rewrite(t, path, func(n string, b []byte) []byte {
			if n == "manifest.json" {
				return nil
			}
			return b
		}), "manifest.json is missing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := testutil.MustOpenStore(t)
			dst := newService(t, st)
			_, err := dst.Import(context.Background(), tc.path, ImportOptions{})
			if !errors.Is(err, ErrBundle) || !strings.Contains(err.Error(), tc.wants) {
				t.Fatalf("err = %v, want %q", err, tc.wants)
			}
			if n, _ := st.Read().CountFeedRecords(context.Background(), ""); n != 0 {
				t.Errorf("%d records stored from a refused bundle", n)
			}
		})
	}
	// truncated archive
	b, _ := os.ReadFile(path)
	cut := filepath.Join(t.TempDir(), "cut.tar.gz")
	os.WriteFile(cut, b[:len(b)/2], 0o644)
	if _, err := newService(t, testutil.MustOpenStore(t)).Import(context.Background(), cut, ImportOptions{}); !errors.Is(err, ErrBundle) {
		t.Errorf("truncated bundle: %v", err)
	}
}
