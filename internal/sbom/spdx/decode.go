// Package spdx decodes SPDX 2.2 and 2.3 documents (JSON and tag-value, read with
// github.com/spdx/tools-golang) into the normalised sbom.Document. Importing it registers both formats with
// sbom.Decode.
//
// Mapping: every package becomes a component (files and snippets are not components); the package the
// document DESCRIBES (documentDescribes or a DESCRIBES / DESCRIBED_BY relationship) becomes the Subject;
// purl from externalRefs PACKAGE-MANAGER purl; CPE from SECURITY cpe23Type or cpe22Type (the first valid
// one, as CPE 2.3); supplier from the package supplier (originator when there is none); checksums as
// hashes in CycloneDX spelling; licences from licenseConcluded, else licenseDeclared (NOASSERTION means
// unknown); the component type from primaryPackagePurpose in CycloneDX vocabulary.
package spdx

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/tagvalue"

	"github.com/vigil-med/vigil/internal/purl"
	"github.com/vigil-med/vigil/internal/sbom"
)

func init() {
	sbom.RegisterDecoder(sbom.SPDXJSON, DecodeJSON)
	sbom.RegisterDecoder(sbom.SPDXTagValue, DecodeTagValue)
}

// MaxDepth is the deepest JSON nesting DecodeJSON accepts.
const MaxDepth = 64

// DecodeJSON decodes a complete SPDX 2.2 or 2.3 JSON document.
func DecodeJSON(data []byte, name string) (*sbom.Document, error) {
	if err := sbom.CheckJSONDepth(data, MaxDepth); err != nil {
		return nil, fmt.Errorf("spdx json %q: %w", name, err)
	}
	doc, err := spdxjson.Read(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("spdx json %q: %w", name, classify(data, err))
	}
	out, err := convert(doc, sbom.SPDXJSON)
	if err == nil {
		out.SpecVersion = firstMatch(data, `"spdxVersion"`, out.SpecVersion)
	}
	return out, err
}

// DecodeTagValue decodes a complete SPDX 2.2 or 2.3 tag-value document.
func DecodeTagValue(data []byte, name string) (*sbom.Document, error) {
	if open, line := unclosedText(data); open {
		return nil, fmt.Errorf("spdx tag-value %q: %w: a <text> block opened on line %d is not closed", name, sbom.ErrTruncated, line)
	}
	doc, err := tagvalue.Read(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("spdx tag-value %q: %w", name, classify(data, err))
	}
	out, err := convert(doc, sbom.SPDXTagValue)
	if err == nil {
		out.SpecVersion = firstMatch(data, "SPDXVersion:", out.SpecVersion)
	}
	return out, err
}

// firstMatch returns the version the document states after marker (tools-golang reports every document
// in its latest model, "SPDX-2.3"), or fallback when it cannot find one.
func firstMatch(data []byte, marker, fallback string) string {
	i := bytes.Index(data, []byte(marker))
	if i < 0 {
		return fallback
	}
	rest := data[i+len(marker):]
	j := bytes.Index(rest, []byte("SPDX-"))
	if j < 0 || j > 8 {
		return fallback
	}
	rest = rest[j:]
	k := 5
	for k < len(rest) && (rest[k] >= '0' && rest[k] <= '9' || rest[k] == '.') {
		k++
	}
	return string(rest[:k])
}

// unclosedText reports whether a multi-line <text> value is still open at the end of data (the usual sign
// of a cut-off tag-value file), and the line where it was opened.
func unclosedText(data []byte) (bool, int) {
	open, openLine := false, 0
	line := 1
	for len(data) > 0 {
		if !open {
			i := bytes.Index(data, []byte("<text>"))
			if i < 0 {
				return false, 0
			}
			line += bytes.Count(data[:i], []byte("\n"))
			open, openLine = true, line
			data = data[i+6:]
			continue
		}
		i := bytes.Index(data, []byte("</text>"))
		if i < 0 {
			return true, openLine
		}
		line += bytes.Count(data[:i], []byte("\n"))
		open = false
		data = data[i+7:]
	}
	return open, openLine
}

func classify(data []byte, err error) error {
	msg := err.Error()
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF), strings.Contains(msg, "unexpected end of JSON input"):
		return fmt.Errorf("%w: document ends early", sbom.ErrTruncated)
	case strings.Contains(msg, "unsupported SDPX version"), strings.Contains(msg, "unsupported SPDX version"):
		return fmt.Errorf("%w: %s (SPDX 2.2 and 2.3 are supported)", sbom.ErrUnsupported, strings.Replace(msg, "SDPX", "SPDX", 1))
	}
	return fmt.Errorf("%w: %v", sbom.ErrInvalid, err)
}

func convert(d *spdx.Document, format sbom.Format) (*sbom.Document, error) {
	if d == nil {
		return nil, fmt.Errorf("%w: empty document", sbom.ErrInvalid)
	}
	out := &sbom.Document{Format: format, SpecVersion: d.SPDXVersion, Serial: d.DocumentNamespace}
	if ci := d.CreationInfo; ci != nil {
		if ci.Created != "" {
			if t, err := time.Parse(time.RFC3339, ci.Created); err == nil {
				out.Created = t.UTC()
			} else {
				out.Warnf("creationInfo.created %q is not a date-time", ci.Created)
			}
		}
		for _, c := range ci.Creators {
			if c.CreatorType == "Tool" {
				out.Tools = append(out.Tools, c.Creator)
			}
		}
	}
	described := describedPackages(d)
	var lic sbom.Licenses
	for i, p := range d.Packages {
		if p == nil {
			continue
		}
		c := component(p, &lic, out, i)
		if out.Subject == nil && described[string(p.PackageSPDXIdentifier)] {
			out.Subject = &c
			continue
		}
		out.Components = append(out.Components, c)
	}
	return out, nil
}

// describedPackages returns the SPDX ids of the elements the document describes.
func describedPackages(d *spdx.Document) map[string]bool {
	m := map[string]bool{}
	docID := string(d.SPDXIdentifier)
	if docID == "" {
		docID = "DOCUMENT"
	}
	for _, r := range d.Relationships {
		if r == nil {
			continue
		}
		switch strings.ToUpper(r.Relationship) {
		case "DESCRIBES":
			if string(r.RefA.ElementRefID) == docID && r.RefA.DocumentRefID == "" {
				m[string(r.RefB.ElementRefID)] = true
			}
		case "DESCRIBED_BY":
			if string(r.RefB.ElementRefID) == docID && r.RefB.DocumentRefID == "" {
				m[string(r.RefA.ElementRefID)] = true
			}
		}
	}
	return m
}

func component(p *spdx.Package, lic *sbom.Licenses, doc *sbom.Document, i int) sbom.Component {
	where := fmt.Sprintf("packages[%d] (%s)", i, p.PackageSPDXIdentifier)
	c := sbom.Component{
		Ref:     "SPDXRef-" + string(p.PackageSPDXIdentifier),
		Type:    purposeType[strings.ToUpper(strings.ReplaceAll(p.PrimaryPackagePurpose, "_", "-"))],
		Name:    p.PackageName,
		Version: p.PackageVersion,
	}
	if p.PackageSupplier != nil && !strings.EqualFold(p.PackageSupplier.Supplier, "NOASSERTION") {
		c.Supplier = strings.TrimSpace(p.PackageSupplier.Supplier)
	}
	if c.Supplier == "" && p.PackageOriginator != nil && !strings.EqualFold(p.PackageOriginator.Originator, "NOASSERTION") {
		c.Supplier = strings.TrimSpace(p.PackageOriginator.Originator)
	}
	for _, ref := range p.PackageExternalReferences {
		if ref == nil {
			continue
		}
		cat := strings.ToUpper(strings.ReplaceAll(ref.Category, "_", "-"))
		switch {
		case cat == "PACKAGE-MANAGER" && ref.RefType == "purl" && c.PURL == "":
			if pu, err := purl.Canonical(ref.Locator); err == nil {
				c.PURL = pu
			} else {
				doc.Warnf("%s: purl dropped: %v", where, err)
			}
		case cat == "SECURITY" && (ref.RefType == "cpe23Type" || ref.RefType == "cpe22Type") && c.CPE == "":
			if cpe, err := sbom.NormalizeCPE(ref.Locator); err == nil {
				c.CPE = cpe
			} else {
				doc.Warnf("%s: cpe %q dropped: %v", where, ref.Locator, err)
			}
		}
	}
	for _, cs := range p.PackageChecksums {
		if cs.Value == "" {
			continue
		}
		c.Hashes = append(c.Hashes, sbom.Hash{Alg: sbom.HashAlg(string(cs.Algorithm)), Value: strings.ToLower(strings.TrimSpace(cs.Value))})
	}
	c.Licenses = lic.Normalize(p.PackageLicenseConcluded)
	if c.Licenses == "" {
		c.Licenses = lic.Normalize(p.PackageLicenseDeclared)
	}
	return c
}

// purposeType maps SPDX 2.3 primaryPackagePurpose to CycloneDX component types.
var purposeType = map[string]string{
	"APPLICATION":      "application",
	"FRAMEWORK":        "framework",
	"LIBRARY":          "library",
	"CONTAINER":        "container",
	"OPERATING-SYSTEM": "operating-system",
	"DEVICE":           "device",
	"FIRMWARE":         "firmware",
	"FILE":             "file",
	"SOURCE":           "file",
	"ARCHIVE":          "file",
	"INSTALL":          "application",
}
