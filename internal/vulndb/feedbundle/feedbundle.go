// Package feedbundle reads and checks Vigil's offline feed bundles: a gzip-compressed tar archive
// whose last entry, manifest.json, lists the SHA-256, size and record count of every other file.
// Read extracts a bundle into a folder and refuses it, naming the file, when anything differs from
// the manifest. The package has no dependencies on the store so that it can be fuzzed alone;
// internal/vulndb writes bundles and imports their content.
package feedbundle

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/lazyre"
)

// Format identifiers.
const (
	Format  = "vigil-feed-bundle"
	Version = 1
	// Marker is the first entry of every bundle.
	Marker = "VIGIL-FEED-BUNDLE.txt"
)

// ErrBundle is wrapped by every error about a bundle's content.
var ErrBundle = errors.New("feed bundle")

// Limits of a bundle that Read accepts.
const (
	maxBundleEntries = 64
	maxBundleBytes   = 16 << 30 // uncompressed
	maxBundleRatio   = 200      // uncompressed / compressed
	maxManifestBytes = 1 << 20
)

var names = lazyre.New(`^(` + regexp.QuoteMeta(Marker) + `|records/(osv|nvd|kev|eukev|euvd)\.jsonl|epss\.csv|endoflife/products\.jsonl|status\.json|manifest\.json)$`)

// ValidName reports whether name is an entry of the bundle format.
func ValidName(name string) bool { return names.MatchString(name) }

// File is one file listed in a bundle's manifest.
type File struct {
	Name    string `json:"name"`
	Bytes   int64  `json:"bytes"`
	SHA256  string `json:"sha256"`
	Records int    `json:"records,omitempty"`
}

// Manifest is a bundle's manifest.json.
type Manifest struct {
	Format     string    `json:"format"`
	Version    int       `json:"version"`
	Created    time.Time `json:"created"`
	Vigil      string    `json:"vigil,omitempty"`
	Generation int64     `json:"generation"`
	Files      []File    `json:"files"`
}

// Bundle is a bundle extracted to a folder and checked against its manifest.
type Bundle struct {
	Dir      string
	Manifest Manifest
	// Status is status.json as raw JSON (the sources' status on the machine that wrote it); nil when absent.
	Status json.RawMessage
}

// Path is where the file name of the bundle was extracted.
func (b *Bundle) Path(name string) string {
	return filepath.Join(b.Dir, strings.ReplaceAll(name, "/", "_"))
}

// Has reports whether the manifest lists the file name.
func (b *Bundle) Has(name string) bool {
	return slices.ContainsFunc(b.Manifest.Files, func(f File) bool { return f.Name == name })
}

// Read extracts the bundle r (compressed size size, for the ratio check) into dir and checks every
// file against the manifest; name is used in errors, which wrap ErrBundle and name the file.
func Read(r io.Reader, size int64, name, dir string) (*Bundle, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w %s: %s", ErrBundle, name, fmt.Sprintf(format, args...))
	}
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, bad("not gzip-compressed: %v", err)
	}
	limit := int64(maxBundleBytes)
	if size > 0 && size*maxBundleRatio+(1<<20) < limit {
		limit = size*maxBundleRatio + (1 << 20)
	}
	tr := tar.NewReader(zr)
	vb := &Bundle{Dir: dir}
	type got struct {
		bytes int64
		sum   string
	}
	seen := map[string]got{}
	var manifest []byte
	var total int64
	for i := 0; ; i++ {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, bad("unreadable archive (truncated or damaged): %v", err)
		}
		if i == 0 && h.Name != Marker {
			return nil, bad("not a Vigil feed bundle (first entry %q)", h.Name)
		}
		if i >= maxBundleEntries {
			return nil, bad("more than %d entries", maxBundleEntries)
		}
		if h.Typeflag != tar.TypeReg || !ValidName(h.Name) {
			return nil, bad("%s: unexpected entry (not part of the bundle format)", h.Name)
		}
		if _, dup := seen[h.Name]; dup || (h.Name == "manifest.json" && manifest != nil) {
			return nil, bad("%s: entry appears twice", h.Name)
		}
		if h.Size < 0 || total+h.Size > limit {
			return nil, bad("%s: too large: the bundle unpacks to more than %d bytes", h.Name, limit)
		}
		total += h.Size
		if h.Name == "manifest.json" {
			if h.Size > maxManifestBytes {
				return nil, bad("manifest.json: too large")
			}
			if manifest, err = io.ReadAll(io.LimitReader(tr, maxManifestBytes)); err != nil {
				return nil, bad("manifest.json: %v", err)
			}
			continue
		}
		f, err := os.Create(vb.Path(h.Name))
		if err != nil {
			return nil, err
		}
		hs := sha256.New()
		n, err := io.Copy(io.MultiWriter(f, hs), io.LimitReader(tr, h.Size))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, bad("%s: truncated (the bundle ends early)", h.Name)
		}
		if err != nil {
			return nil, bad("%s: %v", h.Name, err)
		}
		if n != h.Size {
			return nil, bad("%s: truncated (%d of %d bytes)", h.Name, n, h.Size)
		}
		seen[h.Name] = got{n, hex.EncodeToString(hs.Sum(nil))}
	}
	if manifest == nil {
		return nil, bad("manifest.json is missing (truncated bundle?)")
	}
	dec := json.NewDecoder(bytes.NewReader(manifest))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&vb.Manifest); err != nil {
		return nil, bad("manifest.json: %v", err)
	}
	if vb.Manifest.Format != Format || vb.Manifest.Version != Version {
		return nil, bad("manifest.json: format %q version %d; this Vigil reads %q version %d", vb.Manifest.Format, vb.Manifest.Version, Format, Version)
	}
	listed := map[string]bool{}
	for _, f := range vb.Manifest.Files {
		g, ok := seen[f.Name]
		switch {
		case listed[f.Name]:
			return nil, bad("manifest.json lists %s twice", f.Name)
		case !ok:
			return nil, bad("%s is listed in the manifest but missing from the bundle", f.Name)
		case g.bytes != f.Bytes || g.sum != f.SHA256:
			return nil, bad("%s does not match the manifest (SHA-256 %s, manifest says %s): the file was changed or damaged", f.Name, g.sum, f.SHA256)
		}
		listed[f.Name] = true
	}
	for n := range seen {
		if !listed[n] {
			return nil, bad("%s is not listed in the manifest", n)
		}
	}
	if vb.Has("status.json") {
		b, err := os.ReadFile(vb.Path("status.json"))
		if err == nil && !json.Valid(b) {
			err = errors.New("not JSON")
		}
		if err != nil {
			return nil, bad("status.json: %v", err)
		}
		vb.Status = b
	}
	return vb, nil
}
