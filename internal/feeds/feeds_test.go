package feeds

import (
	"archive/zip"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDetect(t *testing.T) {
	tests := map[string]Format{
		"osv/testdata/govulndb/GO-2023-2102.json":           OSV,
		"osv/testdata/govulndb":                             OSV,
		"osv/testdata/ghsa/GHSA-jfh8-c2jp-5v3q.json":        OSV,
		"osv/testdata/misc/osv.dev_DSA-3029-1.json":         OSV,
		"osv/testdata/pypi":                                 OSV,
		"nvd/testdata/CVE-2017-0144.json":                   NVD,
		"nvd/testdata/CVE-2024-3094.json":                   NVD,
		"nvd/testdata/nvd-api-2.0-page-38-cves.json":        NVD,
		"kev/testdata/known_exploited_vulnerabilities.json": CISAKEV,
		"kev/testdata/known_exploited_vulnerabilities.csv":  CISAKEV,
		"eukev/testdata/eukev.json":                         EUKEV,
		"eukev/testdata/legacy-advisories-eukev.json":       EUKEV,
		"eukev/testdata/eukev-2026-03-06.csv":               EUKEV,
		"eukev/testdata/kev-2025-09-12.csv":                 EUKEV,
		"eukev/testdata/euvd/EUVD-2022-7287.json":           EUVD,
		"eukev/testdata/euvd/search-product-openssl.json":   EUVD,
		"eukev/testdata/euvd/lastvulnerabilities.json":      EUVD,
		"eukev/testdata/euvd/enisaid-hit.json":              EUVD,
		"eukev/testdata/euvd":                               EUVD,
		"epss/testdata/epss_sample.csv":                     EPSS,
		"nvd/testdata":                                      NVD,
		"eukev/testdata":                                    Mixed,
		"endoflife/testdata/data":                           EndOfLife,
		"endoflife/testdata/api-v1-nodejs.json":             EndOfLife,
		"endoflife/testdata":                                EndOfLife, // the data folder and the API answer: two units

	}
	for path, want := range tests {
		got, err := Detect(path)
		if err != nil || got != want {
			t.Errorf("Detect(%s) = %q, %v; want %q", path, got, err, want)
		}
	}
	dir := t.TempDir()
	// gzipped EPSS and an OSV zip
	gz, _ := os.Create(filepath.Join(dir, "epss.csv.gz"))
	zw := gzip.NewWriter(gz)
	b, _ := os.ReadFile("epss/testdata/epss_sample.csv")
	zw.Write(b)
	zw.Close()
	gz.Close()
	zf, _ := os.Create(filepath.Join(dir, "all.zip"))
	w := zip.NewWriter(zf)
	e, _ := w.Create("GO-2023-2102.json")
	b, _ = os.ReadFile("osv/testdata/govulndb/GO-2023-2102.json")
	e.Write(b)
	w.Close()
	zf.Close()
	os.WriteFile(filepath.Join(dir, "notes.json"), []byte(`{"hello": "world"}`), 0o644)
	for name, want := range map[string]Format{"epss.csv.gz": EPSS, "all.zip": OSVZip} {
		if got, err := Detect(filepath.Join(dir, name)); err != nil || got != want {
			t.Errorf("Detect(%s) = %q, %v; want %q", name, got, err, want)
		}
	}
	if _, err := Detect(filepath.Join(dir, "notes.json")); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("Detect(notes.json) err = %v, want ErrUnknownFormat", err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"osv/testdata/govulndb/GO-2023-2102.json", "nvd/testdata/CVE-2021-44228.json",
		"kev/testdata/known_exploited_vulnerabilities.csv", "eukev/testdata/eukev.json", "epss/testdata/epss_sample.csv",
		"eukev/testdata/euvd/EUVD-2022-7287.json", "osv/testdata/ghsa/GHSA-jfh8-c2jp-5v3q.json"} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, filepath.Base(p)), b, 0o644)
	}
	d, err := Load(dir, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var got []File
	for _, f := range d.Files {
		f.Path = filepath.Base(f.Path)
		got = append(got, f)
	}
	want := []File{
		{Path: "CVE-2021-44228.json", Format: NVD, Records: 1},
		{Path: "EUVD-2022-7287.json", Format: EUVD, Records: 1},
		{Path: "GHSA-jfh8-c2jp-5v3q.json", Format: OSV, Records: 1},
		{Path: "GO-2023-2102.json", Format: OSV, Records: 1},
		{Path: "epss_sample.csv", Format: EPSS, Records: 1883},
		{Path: "eukev.json", Format: EUKEV, Records: 43},
		{Path: "known_exploited_vulnerabilities.csv", Format: CISAKEV, Records: 1404},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if len(d.Records) != 1+1+1+1+43+1404 || d.EPSS == nil {
		t.Errorf("records = %d, EPSS %v", len(d.Records), d.EPSS != nil)
	}
}

// An endoflife.date data folder inside another folder is one unit; its release-data JSON files are
// not taken for feed files of their own.
func TestLoadEndOfLife(t *testing.T) {
	ins, err := Inputs("endoflife/testdata")
	if err != nil {
		t.Fatal(err)
	}
	want := []Input{{Path: "endoflife/testdata/api-v1-nodejs.json", Format: EndOfLife}, {Path: "endoflife/testdata/data", Format: EndOfLife}}
	if diff := cmp.Diff(want, ins); diff != "" {
		t.Errorf("Inputs (-want +got):\n%s", diff)
	}
	d, err := Load("endoflife/testdata", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if d.EndOfLife == nil || len(d.EndOfLife.Products) != 68 || len(d.EndOfLife.Releases) != 7 {
		t.Fatalf("endoflife: %d products, %d release-data files", len(d.EndOfLife.Products), len(d.EndOfLife.Releases))
	}
	if p, ok := d.EndOfLife.Product("nodejs"); !ok || p.Source != "products/nodejs.md" {
		t.Errorf("nodejs from the folder (read after the API answer): %+v", p)
	}
	if d.Files[1].Records != 68 || d.Files[0].Records != 1 {
		t.Errorf("files: %+v", d.Files)
	}
}
