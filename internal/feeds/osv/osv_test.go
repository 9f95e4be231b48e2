package osv

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vigil-med/vigil/internal/feeds/internal/feedutil"
	"github.com/vigil-med/vigil/internal/vuln"
)

func TestParseGoRecord(t *testing.T) {
	vs, err := ReadFile("testdata/govulndb/GO-2023-2102.json", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 1 {
		t.Fatalf("got %d records, want 1", len(vs))
	}
	got := vs[0]
	got.Details = ""
	got.References = nil
	zero := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	want := vuln.Vulnerability{
		ID:        "GO-2023-2102",
		Aliases:   []string{"CVE-2023-39325", "GHSA-4374-p667-p6c8"},
		Related:   []string{"CVE-2023-44487"},
		Summary:   "HTTP/2 rapid reset can cause excessive work in net/http",
		Published: zero,
		Modified:  zero,
		Affected: []vuln.Affected{
			{Ecosystem: "Go", Name: "stdlib", Source: "GO-2023-2102", Ranges: []vuln.Range{{Type: "SEMVER", Events: []vuln.Event{
				{Kind: vuln.Introduced, Version: "0"}, {Kind: vuln.Fixed, Version: "1.20.10"}, {Kind: vuln.Introduced, Version: "1.21.0-0"}, {Kind: vuln.Fixed, Version: "1.21.3"}}}}},
			{Ecosystem: "Go", Name: "golang.org/x/net", Source: "GO-2023-2102", Ranges: []vuln.Range{{Type: "SEMVER", Events: []vuln.Event{
				{Kind: vuln.Introduced, Version: "0"}, {Kind: vuln.Fixed, Version: "0.17.0"}}}}},
		},
		Sources: []vuln.Source{{Kind: vuln.SourceOSV, ID: "GO-2023-2102", Database: "Go Vulnerability Database", Modified: zero}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GO-2023-2102 (-want +got):\n%s", diff)
	}
}

func TestReadDirGo(t *testing.T) {
	vs, err := ReadDir("testdata/govulndb", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("testdata/govulndb/*.json")
	if len(vs) != len(files) || len(vs) != 62 {
		t.Fatalf("got %d records from %d files, want 62", len(vs), len(files))
	}
	withdrawn := map[string]bool{}
	for _, v := range vs {
		if !v.Withdrawn.IsZero() {
			withdrawn[v.ID] = true
			if v.Sources[0].Withdrawn.IsZero() {
				t.Errorf("%s: withdrawn record without withdrawn source", v.ID)
			}
		}
		if v.Sources[0].Kind != vuln.SourceOSV || v.Sources[0].ID != v.ID {
			t.Errorf("%s: source %+v", v.ID, v.Sources)
		}
	}
	if diff := cmp.Diff(map[string]bool{"GO-2022-0617": true, "GO-2024-2442": true, "GO-2026-4740": true}, withdrawn); diff != "" {
		t.Errorf("withdrawn records (-want +got):\n%s", diff)
	}
	want := time.Date(2024, 8, 21, 16, 25, 56, 0, time.UTC)
	for _, v := range vs {
		if v.ID == "GO-2022-0617" && !v.Withdrawn.Equal(want) {
			t.Errorf("GO-2022-0617 withdrawn %v, want %v", v.Withdrawn, want)
		}
	}
}

func TestGHSA(t *testing.T) {
	vs, err := ReadFile("testdata/ghsa/GHSA-jfh8-c2jp-5v3q.json", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	v := vs[0]
	if diff := cmp.Diff([]string{"CVE-2021-44228"}, v.Aliases); diff != "" {
		t.Errorf("aliases (-want +got):\n%s", diff)
	}
	wantSev := []vuln.Severity{
		{Type: vuln.CVSSv3, Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", Score: 10, Level: vuln.Critical, Source: "GHSA-jfh8-c2jp-5v3q"},
		{Type: vuln.Rating, Level: vuln.Critical, Source: "GHSA-jfh8-c2jp-5v3q (database_specific)"},
	}
	if diff := cmp.Diff(wantSev, v.Severity); diff != "" {
		t.Errorf("severity (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"CWE-20", "CWE-400", "CWE-502", "CWE-917"}, v.CWE); diff != "" {
		t.Errorf("CWE (-want +got):\n%s", diff)
	}
	if len(v.Affected) != 3 || v.Affected[0].Name != "org.apache.logging.log4j:log4j-core" || v.Affected[0].Ecosystem != "Maven" {
		t.Errorf("affected = %+v", v.Affected)
	}
	if v.Sources[0].Database != "GitHub Advisory Database" {
		t.Errorf("database = %q", v.Sources[0].Database)
	}
}

func TestOtherEcosystems(t *testing.T) {
	for _, dir := range []string{"testdata/pypi", "testdata/misc", "testdata/ghsa"} {
		vs, err := ReadDir(dir, Limits{})
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		files, _ := filepath.Glob(dir + "/*.json")
		if len(vs) != len(files) {
			t.Errorf("%s: %d records from %d files", dir, len(vs), len(files))
		}
	}
	vs, err := ReadFile("testdata/misc/dependency-track_osv-DSA-5474-1.json", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var ecos []string
	for _, a := range vs[0].Affected {
		ecos = append(ecos, a.Ecosystem+" "+a.Name+" "+a.PURL)
	}
	want := []string{"Debian:11 intel-microcode pkg:deb/debian/intel-microcode?arch=source", "Debian:12 intel-microcode pkg:deb/debian/intel-microcode?arch=source"}
	if diff := cmp.Diff(want, ecos); diff != "" {
		t.Errorf("DSA-5474-1 affected (-want +got):\n%s", diff)
	}
}

func zipOf(t *testing.T, files map[string][]byte, method uint16) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestZip(t *testing.T) {
	files := map[string][]byte{}
	paths, _ := filepath.Glob("testdata/govulndb/*.json")
	for _, p := range paths {
		b, _ := os.ReadFile(p)
		files[filepath.Base(p)] = b
	}
	files["README.txt"] = []byte("not json")
	data := zipOf(t, files, zip.Deflate)
	got, err := ReadZip(bytes.NewReader(data), int64(len(data)), "all.zip", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := ReadDir("testdata/govulndb", Limits{})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("zip and folder differ (-folder +zip):\n%s", diff)
	}

	// A zip bomb: 10 MiB of spaces in one entry compress ~1000:1.
	bomb := zipOf(t, map[string][]byte{"GO-1.json": bytes.Repeat([]byte(" "), 10<<20)}, zip.Deflate)
	if _, err := ReadZip(bytes.NewReader(bomb), int64(len(bomb)), "bomb.zip", Limits{}); !errors.Is(err, feedutil.ErrTooLarge) || !strings.Contains(err.Error(), "ratio") {
		t.Errorf("zip bomb: err = %v, want a ratio error", err)
	}
	if _, err := ReadZip(bytes.NewReader(data), int64(len(data)), "all.zip", Limits{MaxZipEntries: 10}); !errors.Is(err, feedutil.ErrTooLarge) {
		t.Errorf("entry limit: err = %v", err)
	}
	if _, err := ReadZip(bytes.NewReader(data), int64(len(data)), "all.zip", Limits{MaxZipTotal: 1000}); !errors.Is(err, feedutil.ErrTooLarge) {
		t.Errorf("total limit: err = %v", err)
	}
	if _, err := ReadZip(bytes.NewReader(data[:len(data)/2]), int64(len(data)/2), "cut.zip", Limits{}); err == nil {
		t.Error("truncated zip accepted")
	}
}

func TestErrors(t *testing.T) {
	good, _ := os.ReadFile("testdata/govulndb/GO-2023-2102.json")
	tests := []struct {
		name, in, want string
		is             error
	}{
		{"truncated", string(good[:len(good)/2]), "x.json:", feedutil.ErrTruncated},
		{"type", `{"id": "X-1", "affected": [{"package": {"name": 5}}]}`, "x.json:1:50: affected.package.name: cannot use JSON number as string", nil},
		{"schema", `{"schema_version": "2.0.0", "id": "X-1"}`, `schema_version "2.0.0": only OSV schema 1.x`, nil},
		{"no id", `{"summary": "x"}`, "id: missing", nil},
		{"two kinds", `{"id": "X-1", "affected": [{"package": {"ecosystem": "Go", "name": "a"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0", "fixed": "1"}]}]}]}`,
			"affected[0].ranges[0].events[0]: event has 2 kinds", nil},
		{"no kind", `{"id": "X-1", "affected": [{"package": {"ecosystem": "Go", "name": "a"}, "ranges": [{"type": "SEMVER", "events": [{}]}]}]}`,
			"events[0]: event has none of", nil},
		{"range type", `{"id": "X-1", "affected": [{"package": {"ecosystem": "Go", "name": "a"}, "ranges": [{"type": "NUMBERS", "events": []}]}]}`,
			`ranges[0].type: "NUMBERS" is not SEMVER`, nil},
		{"time", `{"id": "X-1", "modified": "yesterday"}`, `modified: unreadable time "yesterday"`, nil},
		{"empty", ``, "empty file", nil},
		{"csv", "cve,epss\n", "not an OSV record", nil},
		{"deep", strings.Repeat("[", 100) + strings.Repeat("]", 100), "nested deeper than 64", nil},
	}
	for _, tc := range tests {
		_, err := Decode(strings.NewReader(tc.in), "x.json", Limits{})
		if err == nil || !strings.Contains(err.Error(), tc.want) || tc.is != nil && !errors.Is(err, tc.is) {
			t.Errorf("%s: err = %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
	if _, err := Decode(bytes.NewReader(good), "x.json", Limits{MaxRecordBytes: 100}); !errors.Is(err, feedutil.ErrTooLarge) {
		t.Errorf("size limit: err = %v", err)
	}
}

func TestArrayAndQueryResult(t *testing.T) {
	a, _ := os.ReadFile("testdata/govulndb/GO-2023-2102.json")
	b, _ := os.ReadFile("testdata/govulndb/GO-2022-0617.json")
	for _, in := range []string{"[" + string(a) + "," + string(b) + "]", `{"vulns": [` + string(a) + "," + string(b) + "]}"} {
		vs, err := Decode(strings.NewReader(in), "list.json", Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != 2 || vs[0].ID != "GO-2023-2102" || vs[1].ID != "GO-2022-0617" {
			t.Errorf("got %d records", len(vs))
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, glob := range []string{"testdata/govulndb/GO-2023-*.json", "testdata/ghsa/*.json", "testdata/misc/*.json", "testdata/pypi/PYSEC-2021-*.json"} {
		paths, _ := filepath.Glob(glob)
		for _, p := range paths {
			b, _ := os.ReadFile(p)
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		vs, err := Decode(bytes.NewReader(data), "fuzz.json", Limits{MaxRecordBytes: 1 << 20})
		if err != nil {
			return
		}
		for _, v := range vs {
			if v.ID == "" || len(v.Sources) != 1 {
				t.Fatalf("record without id or source: %+v", v)
			}
			for _, a := range v.Affected {
				for _, r := range a.Ranges {
					for _, e := range r.Events {
						if e.Version == "" || e.Kind == 0 {
							t.Fatalf("bad event %+v", e)
						}
					}
				}
			}
		}
	})
}
