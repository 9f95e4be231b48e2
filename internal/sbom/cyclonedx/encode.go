package cyclonedx

import (
	"fmt"
	"io"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/github/go-spdx/v2/spdxexp"

	"github.com/vigil-med/vigil/internal/sbom"
)

// Encode writes doc as a CycloneDX 1.6 BOM in format (sbom.CycloneDXJSON or sbom.CycloneDXXML), for
// exporting the SBOM of a product version. The Subject becomes metadata.component; components whose Parent
// names another component (or the Subject) are nested under it again; a licence that is a single SPDX
// identifier is written as license.id, any other expression as an expression; hash algorithms are written
// in CycloneDX spelling (SPDX "SHA256" becomes "SHA-256") and unknown ones left out. The serial number is
// kept when it is a urn:uuid. Output is deterministic for a given doc.
func Encode(w io.Writer, doc *sbom.Document, format sbom.Format) error {
	var ff cdx.BOMFileFormat
	switch format {
	case sbom.CycloneDXJSON:
		ff = cdx.BOMFileFormatJSON
	case sbom.CycloneDXXML:
		ff = cdx.BOMFileFormatXML
	default:
		return fmt.Errorf("cyclonedx encode: format %q is not a CycloneDX format", format)
	}
	bom := toBOM(doc)
	enc := cdx.NewBOMEncoder(w, ff)
	enc.SetPretty(true)
	enc.SetEscapeHTML(false)
	if err := enc.EncodeVersion(bom, cdx.SpecVersion1_6); err != nil {
		return fmt.Errorf("cyclonedx encode: %w", err)
	}
	return nil
}

func toBOM(doc *sbom.Document) *cdx.BOM {
	bom := cdx.NewBOM()
	if strings.HasPrefix(doc.Serial, "urn:uuid:") {
		bom.SerialNumber = doc.Serial
	}
	md := &cdx.Metadata{}
	if !doc.Created.IsZero() {
		md.Timestamp = doc.Created.UTC().Format(time.RFC3339)
	}
	if len(doc.Tools) > 0 {
		tools := make([]cdx.Component, 0, len(doc.Tools))
		for _, t := range doc.Tools {
			tools = append(tools, cdx.Component{Type: cdx.ComponentTypeApplication, Name: t})
		}
		md.Tools = &cdx.ToolsChoice{Components: &tools}
	}
	// Build the tree: children by parent ref, in document order.
	children := map[string][]int{}
	known := map[string]bool{}
	if doc.Subject != nil {
		known[doc.Subject.Ref] = true
	}
	for _, c := range doc.Components {
		known[c.Ref] = true
	}
	var top []int
	for i, c := range doc.Components {
		if c.Parent != "" && known[c.Parent] && c.Parent != c.Ref {
			children[c.Parent] = append(children[c.Parent], i)
		} else {
			top = append(top, i)
		}
	}
	visited := make([]bool, len(doc.Components))
	var build func(idx []int) *[]cdx.Component
	build = func(idx []int) *[]cdx.Component {
		var out []cdx.Component
		for _, i := range idx {
			if visited[i] {
				continue // a cycle of Parent refs: write each component once
			}
			visited[i] = true
			c := toComponent(&doc.Components[i])
			if kids := children[doc.Components[i].Ref]; len(kids) > 0 {
				c.Components = build(kids)
			}
			out = append(out, c)
		}
		if len(out) == 0 {
			return nil
		}
		return &out
	}
	if doc.Subject != nil {
		s := toComponent(doc.Subject)
		s.Components = build(children[doc.Subject.Ref])
		md.Component = &s
	}
	if md.Timestamp != "" || md.Tools != nil || md.Component != nil {
		bom.Metadata = md
	}
	bom.Components = build(top)
	// Components left unvisited sit in a Parent cycle that no top-level component reaches.
	var orphans []int
	for i := range doc.Components {
		if !visited[i] {
			orphans = append(orphans, i)
		}
	}
	if extra := build(orphans); extra != nil {
		if bom.Components == nil {
			bom.Components = extra
		} else {
			*bom.Components = append(*bom.Components, *extra...)
		}
	}
	if bom.Components == nil {
		bom.Components = &[]cdx.Component{}
	}
	return bom
}

func toComponent(c *sbom.Component) cdx.Component {
	out := cdx.Component{
		BOMRef:     c.Ref,
		Type:       cdx.ComponentType(c.Type),
		Group:      c.Group,
		Name:       c.Name,
		Version:    c.Version,
		PackageURL: c.PURL,
		CPE:        c.CPE,
	}
	if out.Type == "" {
		out.Type = cdx.ComponentTypeLibrary
	}
	if c.Supplier != "" {
		out.Supplier = &cdx.OrganizationalEntity{Name: c.Supplier}
	}
	var hashes []cdx.Hash
	for _, h := range c.Hashes {
		if alg, ok := hashAlg(h.Alg); ok && h.Value != "" {
			hashes = append(hashes, cdx.Hash{Algorithm: alg, Value: h.Value})
		}
	}
	if len(hashes) > 0 {
		out.Hashes = &hashes
	}
	if c.Licenses != "" {
		var lc cdx.LicenseChoice
		if ok, id := spdxexp.ActiveLicense(c.Licenses); ok {
			lc.License = &cdx.License{ID: id}
		} else {
			lc.Expression = c.Licenses
		}
		out.Licenses = &cdx.Licenses{lc}
	}
	return out
}

// hashAlg maps CycloneDX and SPDX hash algorithm names to CycloneDX; ok is false for others.
func hashAlg(alg string) (cdx.HashAlgorithm, bool) {
	a := cdx.HashAlgorithm(sbom.HashAlg(alg))
	switch a {
	case cdx.HashAlgoMD5, cdx.HashAlgoSHA1, cdx.HashAlgoSHA256, cdx.HashAlgoSHA384, cdx.HashAlgoSHA512,
		cdx.HashAlgoSHA3_256, cdx.HashAlgoSHA3_384, cdx.HashAlgoSHA3_512, cdx.HashAlgoBlake2b_256,
		cdx.HashAlgoBlake2b_384, cdx.HashAlgoBlake2b_512, cdx.HashAlgoBlake3:
		return a, true
	}
	return "", false
}
