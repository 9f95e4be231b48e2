package vulndb

// An offline bundle carries the stored feed data of a connected Vigil to an air-gapped one: a
// gzip-compressed tar archive of
//
//	VIGIL-FEED-BUNDLE.txt      what the file is and how to import it (first entry)
//	records/<source>.jsonl     the stored records of each source, one vuln.Vulnerability JSON per line
//	epss.csv                   the stored EPSS scores in FIRST's layout (with the #model_version line)
//	endoflife/products.jsonl   {"product": endoflife.Product, "releases": endoflife.ReleaseData|null} per line
//	status.json                the sources' status on the connected machine
//	manifest.json              format, version, creation time and SHA-256, size and record count of
//	                           every other file (last entry)
//
// Importing checks every file against the manifest before anything is stored and refuses a bundle
// with a changed, missing or extra file, naming it.

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/feeds/endoflife"
	"github.com/vigil-med/vigil/internal/feeds/epss"
	"github.com/vigil-med/vigil/internal/vuln"
	"github.com/vigil-med/vigil/internal/vulndb/feedbundle"
)

// Bundle format identifiers (see internal/vulndb/feedbundle).
const (
	BundleFormat  = feedbundle.Format
	BundleVersion = feedbundle.Version
	bundleMarker  = feedbundle.Marker
)

// ErrBundle is wrapped by every error about a bundle's content.
var ErrBundle = feedbundle.ErrBundle

// BundleFile is one file listed in a bundle's manifest.
type BundleFile = feedbundle.File

// BundleManifest is a bundle's manifest.json.
type BundleManifest = feedbundle.Manifest

// maxBundleLine bounds one JSON line of a bundle's records.
const maxBundleLine = 64 << 20

// IsBundle reports whether path is a file that starts like an offline bundle (gzip, then a tar
// whose first entry is the bundle marker).
func IsBundle(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		return false, err
	}
	var magic [2]byte
	if _, err := io.ReadFull(f, magic[:]); err != nil || magic != [2]byte{0x1f, 0x8b} {
		return false, nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return false, err
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		return false, nil
	}
	h, err := tar.NewReader(zr).Next()
	return err == nil && h.Name == bundleMarker, nil
}

// WriteBundle writes the stored feed data as an offline bundle to w and returns its manifest.
func (s *Service) WriteBundle(ctx context.Context, w io.Writer) (*BundleManifest, error) {
	tmp, err := s.tempDir("bundle-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	gen, err := s.Store.FeedGeneration(ctx)
	if err != nil {
		return nil, err
	}
	m := &BundleManifest{Format: BundleFormat, Version: BundleVersion, Created: s.Now().UTC(), Vigil: s.Version, Generation: gen}
	var files []BundleFile
	add := func(name string, write func(w *bufio.Writer) (int, error)) error {
		f, err := os.Create(filepath.Join(tmp, strings.ReplaceAll(name, "/", "_")))
		if err != nil {
			return err
		}
		defer f.Close()
		h := sha256.New()
		cw := &countWriter{w: io.MultiWriter(f, h)}
		bw := bufio.NewWriterSize(cw, 256<<10)
		n, err := write(bw)
		if err == nil {
			err = bw.Flush()
		}
		if err != nil {
			return fmt.Errorf("bundle %s: %w", name, err)
		}
		if cw.n == 0 && name != bundleMarker {
			return os.Remove(f.Name())
		}
		files = append(files, BundleFile{Name: name, Bytes: cw.n, SHA256: hex.EncodeToString(h.Sum(nil)), Records: n})
		return nil
	}
	if err := add(bundleMarker, func(w *bufio.Writer) (int, error) {
		_, err := fmt.Fprintf(w, "Vigil offline feed bundle, created %s from feed generation %d.\nImport it on the air-gapped machine with:\n\n    vigil feeds import %s\n\nor upload it on the Feeds page. manifest.json lists the SHA-256 of every file.\n",
			m.Created.Format(time.RFC3339), gen, "THIS-FILE.tar.gz")
		return 0, err
	}); err != nil {
		return nil, err
	}
	for _, src := range []string{domain.FeedOSV, domain.FeedNVD, domain.FeedKEV, domain.FeedEUKEV, domain.FeedEUVD} {
		if err := add("records/"+src+".jsonl", func(w *bufio.Writer) (int, error) {
			n := 0
			err := s.Store.EachFeedRecord(ctx, src, func(r domain.FeedRecord) error {
				n++
				if _, err := w.WriteString(r.Data); err != nil {
					return err
				}
				return w.WriteByte('\n')
			})
			return n, err
		}); err != nil {
			return nil, err
		}
	}
	meta, err := s.epssMeta(ctx)
	if err != nil {
		return nil, err
	}
	if err := add("epss.csv", func(w *bufio.Writer) (int, error) {
		n := 0
		err := s.Store.EachEPSS(ctx, func(e domain.EPSSScore) error {
			if n == 0 {
				if meta.ModelVersion != "" || !meta.ScoreDate.IsZero() {
					fmt.Fprintf(w, "#model_version:%s,score_date:%s\n", meta.ModelVersion, meta.ScoreDate.UTC().Format("2006-01-02T15:04:05Z"))
				}
				w.WriteString("cve,epss,percentile\n")
			}
			n++
			_, err := fmt.Fprintf(w, "%s,%s,%s\n", e.CVE, strconv.FormatFloat(e.Score, 'f', -1, 64), strconv.FormatFloat(e.Percentile, 'f', -1, 64))
			return err
		})
		return n, err
	}); err != nil {
		return nil, err
	}
	if err := add("endoflife/products.jsonl", func(w *bufio.Writer) (int, error) {
		ps, err := s.Store.EOLProducts(ctx)
		if err != nil {
			return 0, err
		}
		for _, p := range ps {
			rel := p.Releases
			if rel == "" {
				rel = "null"
			}
			fmt.Fprintf(w, `{"product":%s,"releases":%s}`+"\n", p.Data, rel)
		}
		return len(ps), nil
	}); err != nil {
		return nil, err
	}
	if err := add("status.json", func(w *bufio.Writer) (int, error) {
		srcs, err := s.Store.FeedSources(ctx)
		if err != nil {
			return 0, err
		}
		b, err := json.MarshalIndent(srcs, "", "  ")
		w.Write(b)
		return 0, err
	}); err != nil {
		return nil, err
	}
	m.Files = files
	zw := gzip.NewWriter(w)
	tw := tar.NewWriter(zw)
	for _, bf := range files {
		f, err := os.Open(filepath.Join(tmp, strings.ReplaceAll(bf.Name, "/", "_")))
		if err != nil {
			return nil, err
		}
		err = tw.WriteHeader(&tar.Header{Name: bf.Name, Mode: 0o644, Size: bf.Bytes, ModTime: m.Created, Typeflag: tar.TypeReg, Format: tar.FormatPAX})
		if err == nil {
			_, err = io.Copy(tw, f)
		}
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("bundle %s: %w", bf.Name, err)
		}
	}
	mb, _ := json.MarshalIndent(m, "", "  ")
	if err := tw.WriteHeader(&tar.Header{Name: "manifest.json", Mode: 0o644, Size: int64(len(mb)), ModTime: m.Created, Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
		return nil, err
	}
	if _, err := tw.Write(mb); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return m, zw.Close()
}

func (s *Service) tempDir(prefix string) (string, error) {
	dir := filepath.Join(FeedsDir(s.DataDir), "tmp")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", err
	}
	return os.MkdirTemp(dir, prefix)
}

// ReadBundle extracts the bundle r into dir and checks every file against the manifest
// (feedbundle.Read).
func ReadBundle(r io.Reader, size int64, name, dir string) (BundleManifest, error) {
	b, err := feedbundle.Read(r, size, name, dir)
	if err != nil {
		return BundleManifest{}, err
	}
	return b.Manifest, nil
}

// importBundle checks a bundle and imports its files.
func (s *Service) importBundle(ctx context.Context, path string, opts ImportOptions) (*ImportReport, error) {
	start := time.Now()
	name := opts.Origin
	if name == "" {
		name = filepath.Base(path)
	}
	tmp, err := s.tempDir("import-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	opts.Progress.report(Progress{Stage: "read", Message: "checking " + name})
	vb, err := feedbundle.Read(f, st.Size(), name, tmp)
	f.Close()
	if err != nil {
		return nil, err
	}
	rep := &ImportReport{Path: path, Bundle: true}
	var status []domain.FeedSource
	if vb.Status != nil {
		if err := json.Unmarshal(vb.Status, &status); err != nil {
			return nil, fmt.Errorf("%w %s: status.json: %v", ErrBundle, name, err)
		}
	}
	synced := map[string]string{}
	for _, src := range status {
		if src.LastSuccess != nil {
			synced[src.Name] = src.LastSuccess.UTC().Format("2006-01-02 15:04 UTC")
		}
	}
	origin := func(src string) string {
		o := fmt.Sprintf("bundle %s (created %s)", name, vb.Manifest.Created.UTC().Format("2006-01-02 15:04 UTC"))
		if t := synced[src]; t != "" {
			o = fmt.Sprintf("bundle %s (source data of %s)", name, t)
		}
		return o
	}
	im := &importer{s: s, rep: rep, runs: map[string]*domain.FeedResult{}}
	for _, bf := range vb.Manifest.Files {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		i := len(rep.Files)
		rep.Files = append(rep.Files, ImportFile{Path: bf.Name, Records: bf.Records})
		opts.Progress.report(Progress{Stage: "write", Message: bf.Name, Done: int64(i), Total: int64(len(vb.Manifest.Files))})
		var err error
		switch {
		case strings.HasPrefix(bf.Name, "records/"):
			src := strings.TrimSuffix(strings.TrimPrefix(bf.Name, "records/"), ".jsonl")
			rep.Files[i].Format = src
			im.origin = origin(src)
			err = s.importJSONL(ctx, vb.Path(bf.Name), bf.Name, src, im.origin, im.run(src))
		case bf.Name == "epss.csv":
			rep.Files[i].Format = string(domain.FeedEPSS)
			var sc epss.Scores
			if f, oerr := os.Open(vb.Path(bf.Name)); oerr != nil {
				err = oerr
			} else {
				sc, err = epss.Decode(f, bf.Name, 0)
				f.Close()
			}
			if err == nil {
				r := im.run(domain.FeedEPSS)
				r.Files++
				_, err = s.applyEPSS(ctx, &sc, origin(domain.FeedEPSS), true, r)
			}
		case bf.Name == "endoflife/products.jsonl":
			rep.Files[i].Format = domain.FeedEndOfLife
			var c *endoflife.Catalog
			if c, err = readEndOfLifeJSONL(vb.Path(bf.Name), bf.Name); err == nil {
				r := im.run(domain.FeedEndOfLife)
				r.Files++
				_, err = s.applyEndOfLife(ctx, c, origin(domain.FeedEndOfLife), r)
			}
		default:
			continue
		}
		if err != nil {
			rep.Files[i].Error = err.Error()
			rep.Failed++
			return im.finish(ctx, start, err)
		}
	}
	return im.finish(ctx, start, nil)
}

// importJSONL imports a records file of a bundle: CISA KEV and EU KEV in one batch as complete
// catalogues, the others in batches.
func (s *Service) importJSONL(ctx context.Context, path, name, src, origin string, run *domain.FeedResult) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	complete := src == domain.FeedKEV || src == domain.FeedEUKEV
	br := bufio.NewReaderSize(f, 1<<20)
	var recs []vuln.Vulnerability
	flush := func() error {
		if len(recs) == 0 {
			return nil
		}
		res, err := s.applyRecords(ctx, batch{source: src, records: recs, origin: origin, complete: complete, run: run})
		if err == nil {
			run.Add(res)
		}
		recs = recs[:0]
		return err
	}
	run.Files++
	for line := 1; ; line++ {
		b, err := readLine(br, maxBundleLine)
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s:%d: %w", name, line, err)
		}
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		v, err := DecodeRecord(string(b))
		if err != nil {
			return fmt.Errorf("%s:%d: %w", name, line, err)
		}
		if rs, _, err := recordKey(&v); err != nil || rs != src {
			return fmt.Errorf("%s:%d: not a %s record", name, line, src)
		}
		recs = append(recs, v)
		if !complete && len(recs) >= batchRecords {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// readLine reads one line of at most max bytes (without the newline).
func readLine(br *bufio.Reader, max int) ([]byte, error) {
	var out []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(out)+len(chunk) > max {
			return nil, fmt.Errorf("line longer than %d bytes", max)
		}
		out = append(out, chunk...)
		switch err {
		case nil:
			return bytes.TrimSuffix(out, []byte("\n")), nil
		case bufio.ErrBufferFull:
			continue
		case io.EOF:
			if len(out) == 0 {
				return nil, io.EOF
			}
			return out, nil
		default:
			return nil, err
		}
	}
}

func readEndOfLifeJSONL(path, name string) (*endoflife.Catalog, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	c := endoflife.NewCatalog()
	br := bufio.NewReaderSize(f, 1<<20)
	for line := 1; ; line++ {
		b, err := readLine(br, maxBundleLine)
		if err == io.EOF {
			return c, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		var e struct {
			Product  *endoflife.Product     `json:"product"`
			Releases *endoflife.ReleaseData `json:"releases"`
		}
		if err := json.Unmarshal(b, &e); err != nil || e.Product == nil || e.Product.Name == "" {
			return nil, fmt.Errorf("%s:%d: not an endoflife.date product: %v", name, line, err)
		}
		c.Products[e.Product.Name] = e.Product
		if e.Releases != nil {
			c.Releases[e.Product.Name] = e.Releases
		}
	}
}
