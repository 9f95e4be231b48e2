// Package feeds recognises vulnerability feed files and folders and reads them with the matching
// reader (internal/feeds/osv, nvd, kev, eukev, epss, endoflife). It is what `vigil feeds import PATH`
// uses: Detect names the format of a file or folder; Inputs lists the units under a path (files,
// and endoflife.date data folders as one unit) and LoadInput reads one; Load reads everything under
// a path, without network, into values.
package feeds

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/vigil-med/vigil/internal/feeds/endoflife"
	"github.com/vigil-med/vigil/internal/feeds/epss"
	"github.com/vigil-med/vigil/internal/feeds/eukev"
	"github.com/vigil-med/vigil/internal/feeds/kev"
	"github.com/vigil-med/vigil/internal/feeds/nvd"
	"github.com/vigil-med/vigil/internal/feeds/osv"
	"github.com/vigil-med/vigil/internal/vuln"
)

// Format names a feed format.
type Format string

// The formats Detect recognises.
const (
	OSV     Format = "osv"      // OSV JSON: one record, an array, an osv.dev result, or a folder of them
	OSVZip  Format = "osv-zip"  // an OSV ecosystem export (all.zip)
	NVD     Format = "nvd"      // NVD CVE API 2.0 JSON (pages, feed files, single CVE objects), optionally .gz
	CISAKEV Format = "cisa-kev" // CISA KEV catalog, JSON or CSV
	EUKEV   Format = "eu-kev"   // EU KEV list, JSON or CSV
	EUVD    Format = "euvd"     // ENISA EUVD API responses
	EPSS    Format = "epss"     // FIRST EPSS CSV, optionally .gz
	// EndOfLife is endoflife.date data: a folder laid out like its repositories (products/*.md,
	// release-data/*.json) or an API v1 answer (/api/v1/products/full or /products/{name}).
	EndOfLife Format = "endoflife"
	Mixed     Format = "mixed" // a folder holding files of several formats
)

// ErrUnknownFormat is wrapped when a file is none of the known formats.
var ErrUnknownFormat = errors.New("not a recognised vulnerability feed (OSV, NVD CVE API 2.0, CISA KEV, EU KEV, EUVD, EPSS or endoflife.date)")

const headSize = 64 << 10

// Detect names the format of a file, or of a folder's feed files. A folder whose files have
// several formats is Mixed; files that are not JSON, CSV, zip or gz are ignored in folders. A
// folder with products/*.md is endoflife.date data (inside another folder too).
func Detect(path string) (Format, error) {
	ins, err := Inputs(path)
	if err != nil {
		return "", err
	}
	var found Format
	for _, in := range ins {
		if found != "" && in.Format != found {
			return Mixed, nil
		}
		found = in.Format
	}
	return found, nil
}

// Input is one unit Load reads: a feed file, or an endoflife.date data folder.
type Input struct {
	Path   string
	Format Format
}

// Inputs lists the units under path with their formats: path itself when it is a file or an
// endoflife.date data folder; else every .json, .csv, .zip and .gz file below it (lexical order,
// hidden folders skipped) and every endoflife.date data folder below it as one unit. A file of
// an unknown format is an error naming it.
func Inputs(path string) ([]Input, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		fm, err := detectFile(path)
		if err != nil {
			return nil, err
		}
		return []Input{{Path: path, Format: fm}}, nil
	}
	files, eol, err := feedFiles(path)
	if err != nil {
		return nil, err
	}
	var out []Input
	for _, d := range eol {
		out = append(out, Input{Path: d, Format: EndOfLife})
	}
	for _, f := range files {
		fm, err := detectFile(f)
		if err != nil {
			return nil, err
		}
		out = append(out, Input{Path: f, Format: fm})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: folder has no .json, .csv, .zip or .gz files and no endoflife.date data", path)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// isEndOfLifeDir reports whether dir is laid out like the endoflife.date repository (products/*.md).
func isEndOfLifeDir(dir string) bool {
	m, _ := filepath.Glob(filepath.Join(dir, "products", "*.md"))
	return len(m) > 0
}

func feedFiles(dir string) (files, eol []string, err error) {
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			if isEndOfLifeDir(p) {
				eol = append(eol, p)
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		low := strings.ToLower(d.Name())
		for _, ext := range []string{".json", ".csv", ".zip", ".gz"} {
			if strings.HasSuffix(low, ext) {
				files = append(files, p)
				break
			}
		}
		return nil
	})
	sort.Strings(files)
	return files, eol, err
}

func detectFile(path string) (Format, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	head := make([]byte, headSize)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	head = head[:n]
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		st, err := f.Stat()
		if err != nil {
			return "", err
		}
		zr, err := zip.NewReader(f, st.Size())
		if err != nil {
			return "", fmt.Errorf("%s: unreadable zip archive: %w", path, err)
		}
		for _, zf := range zr.File {
			if strings.HasSuffix(strings.ToLower(zf.Name), ".json") {
				return OSVZip, nil
			}
		}
		return "", fmt.Errorf("%s: zip archive without .json entries: %w", path, ErrUnknownFormat)
	}
	if bytes.HasPrefix(head, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(head))
		if err != nil {
			return "", fmt.Errorf("%s: gzip: %w", path, err)
		}
		inner := make([]byte, headSize)
		n, _ := io.ReadFull(zr, inner)
		head = inner[:n]
	}
	if fm := sniff(head); fm != "" {
		return fm, nil
	}
	return "", fmt.Errorf("%s: %w", path, ErrUnknownFormat)
}

func sniff(head []byte) Format {
	switch {
	case kev.Looks(head):
		return CISAKEV
	case epss.Looks(head):
		return EPSS
	case eukev.LooksEUKEV(head):
		return EUKEV
	case eukev.LooksEUVD(head):
		return EUVD
	case nvd.Looks(head):
		return NVD
	case looksEndOfLifeAPI(head):
		return EndOfLife
	case osv.Looks(head):
		return OSV
	}
	return ""
}

// looksEndOfLifeAPI reports whether the start of a file looks like an endoflife.date API v1
// answer ({"schema_version": …, "result": …}).
func looksEndOfLifeAPI(head []byte) bool {
	t := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF")), " \t\r\n")
	return len(t) > 0 && t[0] == '{' && bytes.Contains(head, []byte(`"schema_version"`)) && bytes.Contains(head, []byte(`"result"`))
}

// Limits bound what Load reads; zero fields mean the readers' defaults.
type Limits struct {
	OSV       osv.Limits
	NVD       nvd.Limits
	MaxBytes  int64            // KEV, EU KEV, EUVD and EPSS files
	EndOfLife endoflife.Limits // zero: endoflife.DefaultLimits()
}

// File reports what Load read from one file.
type File struct {
	Path    string
	Format  Format
	Records int // records (or EPSS rows) read
}

// Data is everything Load read. Records are one per source record, not merged: pass them to
// vuln.Merge or match.NewIndex.
type Data struct {
	Records   []vuln.Vulnerability
	EPSS      *epss.Scores       // the EPSS file with the latest score date (the last one read when undated)
	EndOfLife *endoflife.Catalog // endoflife.date products read (folders and API answers together); nil when none
	Files     []File
}

// Load reads a feed file or every feed unit under a folder (see Inputs; formats detected per file).
func Load(path string, lim Limits) (*Data, error) {
	ins, err := Inputs(path)
	if err != nil {
		return nil, err
	}
	d := &Data{}
	for _, in := range ins {
		if err := d.load(in, lim); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// LoadInput reads one unit listed by Inputs.
func LoadInput(in Input, lim Limits) (*Data, error) {
	d := &Data{}
	return d, d.load(in, lim)
}

func (d *Data) load(in Input, lim Limits) error {
	path, fm := in.Path, in.Format
	var err error
	var recs []vuln.Vulnerability
	n := 0
	switch fm {
	case OSV:
		recs, err = osv.ReadFile(path, lim.OSV)
	case OSVZip:
		recs, err = osv.ReadZipFile(path, lim.OSV)
	case NVD:
		var p nvd.Page
		p, err = nvd.ReadFile(path, lim.NVD)
		recs = p.Vulnerabilities
	case CISAKEV:
		var f *os.File
		if f, err = os.Open(path); err == nil {
			var c kev.Catalog
			c, err = kev.Decode(f, path, lim.MaxBytes)
			f.Close()
			recs = c.Records()
		}
	case EUKEV:
		var f *os.File
		if f, err = os.Open(path); err == nil {
			recs, err = eukev.Decode(f, path, lim.MaxBytes)
			f.Close()
		}
	case EUVD:
		var f *os.File
		if f, err = os.Open(path); err == nil {
			recs, _, err = eukev.DecodeEUVD(f, path, lim.MaxBytes)
			f.Close()
		}
	case EndOfLife:
		n, err = d.loadEndOfLife(path, lim.EndOfLife)
	case EPSS:
		var f *os.File
		if f, err = os.Open(path); err == nil {
			var s epss.Scores
			s, err = epss.Decode(f, path, lim.MaxBytes)
			f.Close()
			if err == nil {
				n = len(s.Scores)
				if d.EPSS == nil || !s.ScoreDate.Before(d.EPSS.ScoreDate) {
					d.EPSS = &s
				}
			}
		}
	}
	if err != nil {
		return err
	}
	if fm != EPSS && fm != EndOfLife {
		n = len(recs)
	}
	d.Records = append(d.Records, recs...)
	d.Files = append(d.Files, File{Path: path, Format: fm, Records: n})
	return nil
}

// loadEndOfLife reads an endoflife.date folder or API answer into d.EndOfLife and returns the
// number of products read.
func (d *Data) loadEndOfLife(path string, lim endoflife.Limits) (int, error) {
	if lim == (endoflife.Limits{}) {
		lim = endoflife.DefaultLimits()
	}
	if d.EndOfLife == nil {
		d.EndOfLife = endoflife.NewCatalog()
	}
	st, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	if st.IsDir() {
		c, err := endoflife.LoadFS(os.DirFS(path), lim)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", path, err)
		}
		for name, p := range c.Products {
			d.EndOfLife.Products[name] = p
		}
		for name, r := range c.Releases {
			d.EndOfLife.Releases[name] = r
		}
		return len(c.Products), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	ps, err := endoflife.ParseAPI(path, f, lim)
	if err != nil {
		return 0, err
	}
	for _, p := range ps {
		d.EndOfLife.Products[p.Name] = p
	}
	return len(ps), nil
}
