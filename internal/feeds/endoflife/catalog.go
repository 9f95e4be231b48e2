package endoflife

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// Catalog is the endoflife.date data Vigil has loaded, keyed by product name.
type Catalog struct {
	Products map[string]*Product
	Releases map[string]*ReleaseData // release-data files by product name; may be empty
}

// NewCatalog returns a catalog of the given products (later ones replace earlier ones of the same
// name).
func NewCatalog(products ...*Product) *Catalog {
	c := &Catalog{Products: map[string]*Product{}, Releases: map[string]*ReleaseData{}}
	for _, p := range products {
		c.Products[p.Name] = p
	}
	return c
}

// Product returns the named product.
func (c *Catalog) Product(name string) (*Product, bool) {
	p, ok := c.Products[name]
	return p, ok
}

// Names returns the product names, sorted.
func (c *Catalog) Names() []string {
	names := make([]string, 0, len(c.Products))
	for n := range c.Products {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// LoadFS reads a folder laid out like the two upstream repositories (or the shared data folder):
// products/*.md, and release-data/*.json or releases/*.json when present. A folder with neither
// products/ nor any *.md at its top is refused. Files are read in name order; the first bad file
// stops the load with an error naming it.
func LoadFS(fsys fs.FS, lim Limits) (*Catalog, error) {
	c := NewCatalog()
	productDir := "products"
	mds, err := fs.Glob(fsys, "products/*.md")
	if err != nil {
		return nil, err
	}
	if len(mds) == 0 {
		if mds, err = fs.Glob(fsys, "*.md"); err != nil {
			return nil, err
		}
		productDir = "."
	}
	var jsons []string
	for _, dir := range []string{"release-data", "releases"} {
		m, err := fs.Glob(fsys, dir+"/*.json")
		if err != nil {
			return nil, err
		}
		jsons = append(jsons, m...)
	}
	if len(mds) == 0 {
		return nil, errors.New("not an endoflife.date data folder: no products/*.md")
	}
	if len(mds)+len(jsons) > lim.MaxFiles {
		return nil, fmt.Errorf("endoflife data: %w: %d files, limit %d", ErrTooLarge, len(mds)+len(jsons), lim.MaxFiles)
	}
	for _, name := range mds {
		if strings.EqualFold(path.Base(name), "README.md") && productDir == "." {
			continue
		}
		p, err := parseFile(fsys, name, func(f fs.File) (*Product, error) { return ParseProduct(name, f, lim) })
		if err != nil {
			return nil, err
		}
		if prev, dup := c.Products[p.Name]; dup {
			return nil, fmt.Errorf("%s: product %q already read from %s", name, p.Name, prev.Source)
		}
		c.Products[p.Name] = p
	}
	for _, name := range jsons {
		rd, err := parseFile(fsys, name, func(f fs.File) (*ReleaseData, error) { return ParseReleaseData(name, f, lim) })
		if err != nil {
			return nil, err
		}
		c.Releases[rd.Product] = rd
	}
	return c, nil
}

func parseFile[T any](fsys fs.FS, name string, parse func(fs.File) (T, error)) (T, error) {
	var zero T
	f, err := fsys.Open(name)
	if err != nil {
		return zero, err
	}
	defer f.Close()
	return parse(f)
}
