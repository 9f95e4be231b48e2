package procurement

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/vigil-med/vigil/internal/feeds/endoflife"
)

//go:embed eoldata/products/*.md
var eolFS embed.FS

var (
	embeddedEOLOnce sync.Once
	embeddedEOL     *endoflife.Catalog
	embeddedEOLErr  error
)

// EmbeddedEOL returns the small endoflife.date subset built into Vigil (operating systems, runtimes and
// frameworks common in medical devices; see eoldata/README.md). It is read once; callers must not change it.
func EmbeddedEOL() (*endoflife.Catalog, error) {
	embeddedEOLOnce.Do(func() {
		sub, err := fs.Sub(eolFS, "eoldata")
		if err != nil {
			embeddedEOLErr = err
			return
		}
		embeddedEOL, embeddedEOLErr = endoflife.LoadFS(sub, endoflife.DefaultLimits())
	})
	return embeddedEOL, embeddedEOLErr
}

// EOLDataDir is where, below the data directory, the vulnerability-feeds module keeps the endoflife.date
// data (products/*.md, release-data/*.json).
const EOLDataDir = "feeds/endoflife"

// LoadEOL returns the endoflife.date catalog for end-of-life checks: the folder dir when given (an
// endoflife.date checkout or the shared data folder), else <dataDir>/feeds/endoflife when it exists, else
// the embedded subset. source says which was used.
func LoadEOL(dir, dataDir string) (cat *endoflife.Catalog, source string, err error) {
	if dir == "" && dataDir != "" {
		d := filepath.Join(dataDir, EOLDataDir)
		if st, err := os.Stat(filepath.Join(d, "products")); err == nil && st.IsDir() {
			dir = d
		}
	}
	if dir != "" {
		cat, err := endoflife.LoadFS(os.DirFS(dir), endoflife.DefaultLimits())
		if err != nil {
			return nil, "", fmt.Errorf("end-of-life data %s: %w", dir, err)
		}
		return cat, dir, nil
	}
	cat, err = EmbeddedEOL()
	if err != nil {
		return nil, "", errors.Join(errors.New("embedded end-of-life data"), err)
	}
	return cat, fmt.Sprintf("embedded endoflife.date subset (%d products)", len(cat.Products)), nil
}
