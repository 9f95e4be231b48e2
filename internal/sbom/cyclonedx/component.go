package cyclonedx

import (
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/purl"
	"github.com/vigil-med/vigil/internal/sbom"
)

// rawComponent holds the fields of one CycloneDX component that Vigil keeps, as the document spells them.
// Both decoders (cyclonedx-go for XML, the lean JSON decoder) fill it; normalisation is shared.
type rawComponent struct {
	BOMRef       string
	Type         string
	Group        string
	Name         string
	Version      string
	Supplier     string // supplier.name
	Manufacturer string // manufacturer.name (1.6)
	Publisher    string
	Author       string // author (deprecated) or the first of authors[].name
	PURL         string
	CPE          string
	Hashes       []sbom.Hash
	Licenses     []string // licence ids, names and expressions in document order
}

// builder normalises raw components into a sbom.Document.
type builder struct {
	doc      *sbom.Document
	licenses sbom.Licenses
	refs     map[string]bool
	anon     int
}

func newBuilder(format sbom.Format) *builder {
	return &builder{doc: &sbom.Document{Format: format}, refs: map[string]bool{}}
}

// loc names a component in warnings: prefix[index] ("components[3]"), or just prefix when index < 0.
type loc struct {
	prefix string
	index  int
}

func (l loc) String() string {
	if l.index < 0 {
		return l.prefix
	}
	return l.prefix + "[" + strconv.Itoa(l.index) + "]"
}

// component normalises rc; where names the component in warnings.
func (b *builder) component(rc *rawComponent, parent string, where loc) sbom.Component {
	c := sbom.Component{
		Ref:     rc.BOMRef,
		Parent:  parent,
		Type:    rc.Type,
		Group:   rc.Group,
		Name:    rc.Name,
		Version: rc.Version,
	}
	if c.Ref == "" {
		// Nested components need a ref for Parent; synthesise one that cannot clash with a real bom-ref
		// of this document.
		for {
			b.anon++
			c.Ref = "vigil-anonymous-" + strconv.Itoa(b.anon)
			if !b.refs[c.Ref] {
				break
			}
		}
	} else if b.refs[c.Ref] {
		b.doc.Warnf("%s: bom-ref %q is used more than once", where, c.Ref)
	}
	b.refs[c.Ref] = true
	c.Supplier = firstNonEmpty(rc.Supplier, rc.Manufacturer, rc.Publisher, rc.Author)
	if rc.PURL != "" {
		p, err := canonicalPURL(rc.PURL)
		if err != nil {
			b.doc.Warnf("%s: purl dropped: %v", where, err)
		} else {
			c.PURL = p
		}
	}
	if rc.CPE != "" {
		cpe, err := sbom.NormalizeCPE(rc.CPE)
		if err != nil {
			b.doc.Warnf("%s: cpe %q dropped: %v", where, rc.CPE, err)
		} else {
			c.CPE = cpe
		}
	}
	if len(rc.Hashes) > 0 {
		c.Hashes = make([]sbom.Hash, 0, len(rc.Hashes))
		for _, h := range rc.Hashes {
			if h.Value == "" {
				continue
			}
			c.Hashes = append(c.Hashes, sbom.Hash{Alg: h.Alg, Value: strings.ToLower(strings.TrimSpace(h.Value))})
		}
	}
	switch len(rc.Licenses) {
	case 0:
	case 1:
		c.Licenses = b.licenses.Normalize(rc.Licenses[0])
	default:
		parts := make([]string, 0, len(rc.Licenses))
		for _, l := range rc.Licenses {
			parts = append(parts, b.licenses.Normalize(l))
		}
		c.Licenses = sbom.JoinLicenses(parts)
	}
	return c
}

// canonicalPURL is purl.Canonical with a fast path for package URLs that are already canonical, which is
// what SBOM generators write nearly always.
func canonicalPURL(s string) (string, error) {
	return purl.Canonical(s)
}

// setCreated parses a CycloneDX metadata.timestamp.
func (b *builder) setCreated(ts string) {
	if ts == "" {
		return
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		b.doc.Warnf("metadata.timestamp %q is not an RFC 3339 date-time", ts)
		return
	}
	b.doc.Created = t.UTC()
}

// tool formats a tool entry as "vendor name version" (empty parts left out).
func tool(vendor, name, version string) string {
	var parts []string
	for _, p := range []string{vendor, name, version} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " ")
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}
