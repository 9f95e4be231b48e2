// Package feeds recognises vulnerability feed files and folders and reads them with the matching
// reader (internal/feeds/osv, nvd, kev, eukev, epss). It is what `vigil feeds import PATH` uses:
// Detect names the format of a file or folder; Load reads everything under a path, without
// network, into values.
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
	Mixed   Format = "mixed"    // a folder holding files of several formats
)

// ErrUnknownFormat is wrapped when a file is none of the known formats.
var ErrUnknownFormat = errors.New("not a recognised vulnerability feed (OSV, NVD CVE API 2.0, CISA KEV, EU KEV, EUVD or EPSS)")

const headSize = 64 << 10

// Detect names the format of a file, or of a folder's feed files. A folder whose files have
// several formats is Mixed; files that are not JSON, CSV, zip or gz are ignored in folders.
func Detect(path string) (Format, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if !st.IsDir() {
		return detectFile(path)
	}
	files, err := feedFiles(path)
	if err != nil {
		return "", err
	}
	var found Format
	for _, f := range files {
		fm, err := detectFile(f)
		if err != nil {
			return "", err
		}
		if found != "" && fm != found {
			return Mixed, nil
		}
		found = fm
	}
	if found == "" {
		return "", fmt.Errorf("%s: folder has no .json, .csv, .zip or .gz files", path)
	}
	return found, nil
}

func feedFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
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
				out = append(out, p)
				break
			}
		}
		return nil
	})
	sort.Strings(out)
	return out, err
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
	case osv.Looks(head):
		return OSV
	}
	return ""
}

// Limits bound what Load reads; zero fields mean the readers' defaults.
type Limits struct {
	OSV      osv.Limits
	NVD      nvd.Limits
	MaxBytes int64 // KEV, EU KEV, EUVD and EPSS files
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
	Records []vuln.Vulnerability
	EPSS    *epss.Scores // the EPSS file with the latest score date (the last one read when undated)
	Files   []File
}

// Load reads a feed file or every feed file under a folder (formats detected per file). A
// folder of OSV JSON files is read as one OSV folder.
func Load(path string, lim Limits) (*Data, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	d := &Data{}
	if !st.IsDir() {
		return d, d.loadFile(path, lim)
	}
	files, err := feedFiles(path)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: folder has no .json, .csv, .zip or .gz files", path)
	}
	for _, f := range files {
		if err := d.loadFile(f, lim); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func (d *Data) loadFile(path string, lim Limits) error {
	fm, err := detectFile(path)
	if err != nil {
		return err
	}
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
	if fm != EPSS {
		n = len(recs)
	}
	d.Records = append(d.Records, recs...)
	d.Files = append(d.Files, File{Path: path, Format: fm, Records: n})
	return nil
}
