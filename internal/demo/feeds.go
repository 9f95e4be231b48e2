package demo

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	_ "embed"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/vigil-med/vigil/internal/config"
	"github.com/vigil-med/vigil/internal/vulndb"
)

// feedData is the offline feed subset of the demo (feeddata/SOURCES.md).
//
//go:embed feeddata/feeds.tar.gz
var feedData []byte

// Option adjusts a demo load.
type Option func(*Env)

// WithFeeds makes the demo import its vulnerability feeds through the application's vulnerability
// database (so the match snapshot lands in its data directory). Without it the demo imports into the
// store through a service of its own and the server writes the snapshot when it starts.
func WithFeeds(s *vulndb.Service) Option { return func(e *Env) { e.Feeds = s } }

// feedsDemo imports the embedded offline subset of the vulnerability feeds: the CISA KEV catalogue,
// the EU KEV list, medical-relevant NVD records (BlueKeep, EternalBlue, Ripple20, URGENT/11,
// Heartbleed, Log4Shell …), an EPSS sample, OSV records (GitHub, PyPI, and the Go database for common
// modules) and endoflife.date products.
func feedsDemo(ctx context.Context, e *Env) error {
	dir, err := os.MkdirTemp("", "vigil-demo-feeds-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := untarFeeds(feedData, dir); err != nil {
		return err
	}
	svc := e.Feeds
	if svc == nil {
		svc = vulndb.New(e.Store, filepath.Join(dir, "data"), config.Default().Feeds, nil)
	}
	_, err = svc.Import(e.Ctx(ctx, e.Hospital), filepath.Join(dir, "feeds"), vulndb.ImportOptions{Origin: "demo offline feed subset"})
	return err
}

// untarFeeds unpacks the embedded archive below dir/feeds (regular files with clean relative names only).
func untarFeeds(data []byte, dir string) error {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return err
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := path.Clean(h.Name)
		if h.Typeflag != tar.TypeReg || strings.HasPrefix(name, "..") || path.IsAbs(name) {
			return fmt.Errorf("demo feed data: unexpected entry %q", h.Name)
		}
		dst := filepath.Join(dir, "feeds", filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
			return err
		}
		b, err := io.ReadAll(io.LimitReader(tr, 64<<20))
		if err != nil {
			return err
		}
		if err := os.WriteFile(dst, b, 0o640); err != nil {
			return err
		}
	}
}
