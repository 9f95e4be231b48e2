package cyclonedx

import (
	"errors"
	"fmt"

	"github.com/vigil-med/vigil/internal/sbom"
)

// specVersions are the CycloneDX versions whose JSON DecodeJSON accepts (as cyclonedx-go does).
var specVersions = map[string]bool{"1.0": true, "1.1": true, "1.2": true, "1.3": true, "1.4": true, "1.5": true, "1.6": true, "1.7": true}

// DecodeJSON decodes a complete CycloneDX JSON document. It reads only the fields the Document keeps and
// validates the JSON syntax of the rest; nesting deeper than MaxDepth is refused. Errors wrap
// sbom.ErrInvalid, sbom.ErrTruncated or sbom.ErrUnsupported and name the line and JSON path.
func DecodeJSON(data []byte, name string) (*sbom.Document, error) {
	return decodeJSON(newScanner(data), name)
}

// decodeJSONOwned is DecodeJSON for data the caller hands over (sbom.DecodeOwned): the Document's strings
// are slices of data itself, not of a copy.
func decodeJSONOwned(data []byte, name string) (*sbom.Document, error) {
	return decodeJSON(newOwnedScanner(data), name)
}

func decodeJSON(s *scanner, name string) (*sbom.Document, error) {
	d := leanDecoder{s: s, b: newBuilder(sbom.CycloneDXJSON)}
	if err := d.bom(); err != nil {
		return nil, fmt.Errorf("cyclonedx json %q: %w", name, err)
	}
	return d.b.doc, nil
}

type leanDecoder struct {
	s *scanner
	b *builder
	// scratch holds the raw components of the current top-level component tree.
	pending []pendingComponent
	// compStart is the offset of the first component of the components array (see grow).
	compStart int
}

type pendingComponent struct {
	raw    rawComponent
	parent int // index in pending of the enclosing component, -1 at the top
	where  loc
}

func (d *leanDecoder) bom() error {
	s := d.s
	var bomFormat, specVersion string
	seenFormat := false
	err := s.object(func(key string) error {
		var err error
		switch key {
		case "bomFormat":
			bomFormat, err = s.str()
			seenFormat = true
		case "specVersion":
			specVersion, err = s.str()
		case "serialNumber":
			d.b.doc.Serial, err = s.str()
		case "metadata":
			err = d.metadata()
		case "components":
			err = d.components("components", "")
		default:
			err = s.skip()
		}
		return err
	})
	if err != nil {
		return err
	}
	if s.peek() != 0 {
		return s.syntaxError("data after the end of the document")
	}
	if !seenFormat || bomFormat != "CycloneDX" {
		return fmt.Errorf("%w: bomFormat is %q, not \"CycloneDX\"", sbom.ErrInvalid, bomFormat)
	}
	if !specVersions[specVersion] {
		return fmt.Errorf("%w: specVersion %q is no CycloneDX version this decoder knows", sbom.ErrUnsupported, specVersion)
	}
	d.b.doc.SpecVersion = specVersion
	return nil
}

func (d *leanDecoder) metadata() error {
	s := d.s
	return s.object(func(key string) error {
		switch key {
		case "timestamp":
			ts, err := s.str()
			if err != nil {
				return err
			}
			d.b.setCreated(ts)
			return nil
		case "tools":
			return d.tools()
		case "component":
			var subject *sbom.Component
			var children []pendingComponent
			saved := d.pending
			d.pending = nil
			if err := d.component(loc{"metadata.component", -1}, -1); err != nil {
				return err
			}
			children, d.pending = d.pending, saved
			// children[0] is the subject itself; the rest are its nested components.
			refs := make([]string, len(children))
			for i := range children {
				pc := &children[i]
				parent := ""
				if pc.parent >= 0 {
					parent = refs[pc.parent]
				}
				c := d.b.component(&pc.raw, parent, pc.where)
				refs[i] = c.Ref
				if i == 0 {
					subject = &c
					continue
				}
				d.b.doc.Components = append(d.b.doc.Components, c)
			}
			d.b.doc.Subject = subject
			return nil
		}
		return s.skip()
	})
}

// tools reads metadata.tools: an array of tools (before 1.5) or an object of components and services.
func (d *leanDecoder) tools() error {
	s := d.s
	readTool := func(int) error {
		var vendor, name, version string
		err := s.object(func(key string) error {
			var err error
			switch key {
			case "vendor":
				vendor, err = s.str()
			case "name":
				name, err = s.str()
			case "version":
				version, err = s.str()
			case "supplier", "provider":
				vendor, err = d.orgName()
			default:
				err = s.skip()
			}
			return err
		})
		if err == nil {
			d.b.doc.Tools = append(d.b.doc.Tools, tool(vendor, name, version))
		}
		return err
	}
	switch s.peek() {
	case '[':
		return s.array(readTool)
	case '{':
		return s.object(func(key string) error {
			switch key {
			case "components", "services":
				return s.array(readTool)
			}
			return s.skip()
		})
	}
	return s.skip()
}

// components reads an array of components and adds them, flattened, to the document.
func (d *leanDecoder) components(path, parent string) error {
	s := d.s
	return s.array(func(i int) error {
		if i == 0 {
			d.compStart = s.pos
		}
		d.pending = d.pending[:0]
		if err := d.component(loc{path, i}, -1); err != nil {
			return err
		}
		refs := make([]string, 0, 1)
		for j := range d.pending {
			pc := &d.pending[j]
			p := parent
			if pc.parent >= 0 {
				p = refs[pc.parent]
			}
			c := d.b.component(&pc.raw, p, pc.where)
			refs = append(refs, c.Ref)
			d.grow()
			d.b.doc.Components = append(d.b.doc.Components, c)
		}
		return nil
	})
}

// grow makes room for one more component. The components array is usually most of what follows it,
// so once 64 are read their count is projected from the bytes they took: about one allocation of the
// final size instead of a doubling series whose copies are garbage (10,000 components: 8.8 MB
// allocated for 2.6 MB kept). Room projected beyond the end (a long dependencies array follows) is
// memory the program never writes.
func (d *leanDecoder) grow() {
	cs := d.b.doc.Components
	if len(cs) < cap(cs) {
		return
	}
	n := len(cs)
	want := 2*n + 16
	if read := d.s.pos - d.compStart; n >= 64 && read > 0 {
		projected := int(float64(n) * float64(len(d.s.data)-d.compStart) / float64(read) * 1.05)
		want = max(projected, n+n/8+16)
	}
	grown := make([]sbom.Component, n, want)
	copy(grown, cs)
	d.b.doc.Components = grown
}

// component reads one component into d.pending (pre-order: the component, then its nested components).
func (d *leanDecoder) component(where loc, parent int) error {
	s := d.s
	idx := len(d.pending)
	d.pending = append(d.pending, pendingComponent{parent: parent, where: where})
	err := s.object(func(key string) error {
		rc := &d.pending[idx].raw // re-taken each time: nested components may grow d.pending
		var err error
		switch key {
		case "bom-ref":
			rc.BOMRef, err = s.str()
		case "type":
			rc.Type, err = s.str()
		case "group":
			rc.Group, err = s.str()
		case "name":
			rc.Name, err = s.str()
		case "version":
			rc.Version, err = s.str()
		case "publisher":
			rc.Publisher, err = s.str()
		case "author":
			rc.Author, err = s.str()
		case "purl":
			rc.PURL, err = s.str()
		case "cpe":
			rc.CPE, err = s.str()
		case "supplier":
			var v string
			v, err = d.orgName()
			d.pending[idx].raw.Supplier = v
		case "manufacturer":
			var v string
			v, err = d.orgName()
			d.pending[idx].raw.Manufacturer = v
		case "authors":
			var first string
			err = s.array(func(int) error {
				return s.object(func(k string) error {
					if k == "name" && first == "" {
						v, err := s.str()
						first = v
						return err
					}
					return s.skip()
				})
			})
			if d.pending[idx].raw.Author == "" {
				d.pending[idx].raw.Author = first
			}
		case "hashes":
			var hashes []sbom.Hash
			err = s.array(func(int) error {
				var h sbom.Hash
				err := s.object(func(k string) error {
					var err error
					switch k {
					case "alg":
						h.Alg, err = s.str()
					case "content":
						h.Value, err = s.str()
					default:
						err = s.skip()
					}
					return err
				})
				hashes = append(hashes, h)
				return err
			})
			d.pending[idx].raw.Hashes = hashes
		case "licenses":
			var lics []string
			err = s.array(func(int) error {
				var id, lname, expr string
				err := s.object(func(k string) error {
					var err error
					switch k {
					case "expression":
						expr, err = s.str()
					case "license":
						err = s.object(func(k string) error {
							var err error
							switch k {
							case "id":
								id, err = s.str()
							case "name":
								lname, err = s.str()
							default:
								err = s.skip()
							}
							return err
						})
					default:
						err = s.skip()
					}
					return err
				})
				switch {
				case expr != "":
					lics = append(lics, expr)
				case id != "":
					lics = append(lics, id)
				case lname != "":
					lics = append(lics, lname)
				}
				return err
			})
			d.pending[idx].raw.Licenses = lics
		case "components":
			err = s.array(func(i int) error {
				return d.component(loc{where.String() + ".components", i}, idx)
			})
		default:
			err = s.skip()
		}
		if err != nil {
			var pe *pathError
			if errors.As(err, &pe) {
				return err
			}
			return &pathError{path: where.String() + "." + key, err: err}
		}
		return nil
	})
	return err
}

// pathError names the JSON path of a decoding error.
type pathError struct {
	path string
	err  error
}

func (e *pathError) Error() string { return e.path + ": " + e.err.Error() }
func (e *pathError) Unwrap() error { return e.err }

// orgName reads an organizational entity and returns its name.
func (d *leanDecoder) orgName() (string, error) {
	s := d.s
	var name string
	err := s.object(func(k string) error {
		if k == "name" {
			v, err := s.str()
			name = v
			return err
		}
		return s.skip()
	})
	return name, err
}
