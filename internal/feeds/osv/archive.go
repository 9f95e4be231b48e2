package osv

import (
	"archive/zip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/vigil-med/vigil/internal/feeds/internal/feedutil"
	"github.com/vigil-med/vigil/internal/vuln"
)

// ReadDir reads every *.json file under dir (recursively, in lexical order; hidden folders and
// symbolic links are skipped), such as the data/osv folder of golang.org/x/vulndb.
func ReadDir(dir string, lim Limits) ([]vuln.Vulnerability, error) {
	return ReadFS(os.DirFS(dir), dir, lim)
}

// ReadFS is ReadDir over an fs.FS; name prefixes error messages.
func ReadFS(fsys fs.FS, name string, lim Limits) ([]vuln.Vulnerability, error) {
	lim = lim.withDefaults()
	var out []vuln.Vulnerability
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != "." && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !strings.HasSuffix(strings.ToLower(d.Name()), ".json") {
			return nil
		}
		f, err := fsys.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		vs, err := Decode(f, path.Join(filepath.ToSlash(name), p), lim)
		if err != nil {
			return err
		}
		if len(out)+len(vs) > lim.MaxRecords {
			return fmt.Errorf("%s: %w: more than %d records", name, feedutil.ErrTooLarge, lim.MaxRecords)
		}
		out = append(out, vs...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ReadZipFile reads an OSV zip export such as https://osv-vulnerabilities.storage.googleapis.com/Go/all.zip.
func ReadZipFile(path string, lim Limits) ([]vuln.Vulnerability, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return ReadZip(f, st.Size(), path, lim)
}

// ReadZip reads the *.json entries of a zip archive. Before any entry is decompressed the archive
// is checked: the number of entries, each entry's declared size, the total declared size and
// each entry's compression ratio must stay within lim; while reading, an entry that inflates
// beyond its declared size is refused.
func ReadZip(r io.ReaderAt, size int64, name string, lim Limits) ([]vuln.Vulnerability, error) {
	lim = lim.withDefaults()
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("%s: not a readable zip archive: %w", name, err)
	}
	if len(zr.File) > lim.MaxZipEntries {
		return nil, fmt.Errorf("%s: %w: %d zip entries, limit %d", name, feedutil.ErrTooLarge, len(zr.File), lim.MaxZipEntries)
	}
	var total uint64
	files := make([]*zip.File, 0, len(zr.File))
	for _, zf := range zr.File {
		if zf.FileInfo().IsDir() || !strings.HasSuffix(strings.ToLower(zf.Name), ".json") {
			continue
		}
		if zf.UncompressedSize64 > uint64(lim.MaxRecordBytes) {
			return nil, fmt.Errorf("%s: %s: %w: %d bytes uncompressed, limit %d", name, zf.Name, feedutil.ErrTooLarge, zf.UncompressedSize64, lim.MaxRecordBytes)
		}
		if zf.UncompressedSize64 > 64<<10 && zf.CompressedSize64 > 0 && zf.UncompressedSize64/zf.CompressedSize64 > uint64(lim.MaxZipRatio) {
			return nil, fmt.Errorf("%s: %s: %w: compression ratio %d exceeds %d (zip bomb?)", name, zf.Name, feedutil.ErrTooLarge, zf.UncompressedSize64/zf.CompressedSize64, lim.MaxZipRatio)
		}
		if zf.UncompressedSize64 > 64<<10 && zf.CompressedSize64 == 0 {
			return nil, fmt.Errorf("%s: %s: %w: declares no compressed size (zip bomb?)", name, zf.Name, feedutil.ErrTooLarge)
		}
		total += zf.UncompressedSize64
		if total > uint64(lim.MaxZipTotal) {
			return nil, fmt.Errorf("%s: %w: more than %d bytes uncompressed in total", name, feedutil.ErrTooLarge, lim.MaxZipTotal)
		}
		files = append(files, zf)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	var out []vuln.Vulnerability
	for _, zf := range files {
		rc, err := zf.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", name, zf.Name, err)
		}
		data, err := feedutil.ReadAll(rc, int64(zf.UncompressedSize64), name+": "+zf.Name)
		rc.Close()
		if err != nil {
			return nil, err
		}
		vs, err := decodeBytes(data, name+": "+zf.Name, lim)
		if err != nil {
			return nil, err
		}
		if len(out)+len(vs) > lim.MaxRecords {
			return nil, fmt.Errorf("%s: %w: more than %d records", name, feedutil.ErrTooLarge, lim.MaxRecords)
		}
		out = append(out, vs...)
	}
	return out, nil
}
