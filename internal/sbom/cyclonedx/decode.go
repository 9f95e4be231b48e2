// Package cyclonedx decodes CycloneDX SBOMs (1.0–1.6 XML, 1.2–1.6 JSON) into the normalised sbom.Document
// and encodes a Document as a CycloneDX 1.6 BOM.
//
// XML is decoded with github.com/CycloneDX/cyclonedx-go after the prolog has been checked for DTDs and
// entity declarations (refused). JSON is decoded by a lean decoder of our own that reads only the fields
// Vigil keeps (it is several times faster than decoding the whole cyclonedx-go model with encoding/json;
// see BenchmarkDecodeCycloneDX10k); DecodeJSONReference decodes the same input with cyclonedx-go, and
// the tests check that both agree on every fixture.
//
// Importing this package registers both formats with sbom.Decode.
package cyclonedx

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/vigil-med/vigil/internal/sbom"
)

func init() {
	sbom.RegisterDecoder(sbom.CycloneDXJSON, DecodeJSON)
	sbom.RegisterOwnedDecoder(sbom.CycloneDXJSON, decodeJSONOwned)
	sbom.RegisterDecoder(sbom.CycloneDXXML, DecodeXML)
}

// MaxDepth is the deepest nesting of JSON arrays/objects or XML elements that the decoders accept.
const MaxDepth = 256

// DecodeJSONReference decodes a CycloneDX JSON document with cyclonedx-go and encoding/json. It gives the
// same result as DecodeJSON, more slowly; it is kept as the reference the lean decoder is tested against.
func DecodeJSONReference(data []byte, name string) (*sbom.Document, error) {
	if err := sbom.CheckJSONDepth(data, MaxDepth); err != nil {
		return nil, fmt.Errorf("cyclonedx json %q: %w", name, err)
	}
	var bom cdx.BOM
	if err := json.Unmarshal(data, &bom); err != nil {
		return nil, fmt.Errorf("cyclonedx json %q: %w", name, jsonError(data, err))
	}
	if bom.BOMFormat != cdx.BOMFormat {
		return nil, fmt.Errorf("cyclonedx json %q: %w: bomFormat is %q, not \"CycloneDX\"", name, sbom.ErrInvalid, bom.BOMFormat)
	}
	return fromBOM(&bom, sbom.CycloneDXJSON), nil
}

// DecodeXML decodes a complete CycloneDX XML document (spec 1.0–1.6, recognised by its namespace).
// A DOCTYPE or entity declaration is refused (no DTD processing, no external entities), as is nesting
// deeper than MaxDepth.
func DecodeXML(data []byte, name string) (*sbom.Document, error) {
	if err := checkXML(data); err != nil {
		return nil, fmt.Errorf("cyclonedx xml %q: %w", name, err)
	}
	var bom cdx.BOM
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	dec.Entity = nil
	if err := dec.Decode(&bom); err != nil {
		return nil, fmt.Errorf("cyclonedx xml %q: %w", name, xmlError(err))
	}
	for v, ns := range xmlNamespaces {
		if ns == bom.XMLNS {
			bom.SpecVersion = v
		}
	}
	if bom.SpecVersion == 0 {
		return nil, fmt.Errorf("cyclonedx xml %q: %w: namespace %q is no CycloneDX 1.0–1.6 namespace", name, sbom.ErrUnsupported, bom.XMLNS)
	}
	return fromBOM(&bom, sbom.CycloneDXXML), nil
}

var xmlNamespaces = map[cdx.SpecVersion]string{
	cdx.SpecVersion1_0: "http://cyclonedx.org/schema/bom/1.0",
	cdx.SpecVersion1_1: "http://cyclonedx.org/schema/bom/1.1",
	cdx.SpecVersion1_2: "http://cyclonedx.org/schema/bom/1.2",
	cdx.SpecVersion1_3: "http://cyclonedx.org/schema/bom/1.3",
	cdx.SpecVersion1_4: "http://cyclonedx.org/schema/bom/1.4",
	cdx.SpecVersion1_5: "http://cyclonedx.org/schema/bom/1.5",
	cdx.SpecVersion1_6: "http://cyclonedx.org/schema/bom/1.6",
}

// checkXML refuses DTDs and entity declarations and nesting deeper than MaxDepth. It tokenises the
// document without building anything, which costs a fraction of the decode that follows.
func checkXML(data []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	depth := 0
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			if depth != 0 {
				return fmt.Errorf("%w: document ends inside an element", sbom.ErrTruncated)
			}
			return nil
		}
		if err != nil {
			return xmlError(err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			d := strings.TrimSpace(string(t))
			kind, _, _ := strings.Cut(d, " ")
			return fmt.Errorf("%w: line %d: XML <!%s> declarations are not allowed (no DTDs or entities)", sbom.ErrInvalid, lineOf(data, dec.InputOffset()), kind)
		case xml.StartElement:
			depth++
			if depth > MaxDepth {
				return fmt.Errorf("%w: line %d: elements nested deeper than %d", sbom.ErrInvalid, lineOf(data, dec.InputOffset()), MaxDepth)
			}
		case xml.EndElement:
			depth--
		}
	}
}

func lineOf(data []byte, off int64) int { return sbom.LineOf(data, off) }

func xmlError(err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		if strings.Contains(se.Msg, "unexpected EOF") {
			return fmt.Errorf("%w: line %d: document ends early", sbom.ErrTruncated, se.Line)
		}
		return fmt.Errorf("%w: line %d: %s", sbom.ErrInvalid, se.Line, se.Msg)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: document ends early", sbom.ErrTruncated)
	}
	return fmt.Errorf("%w: %v", sbom.ErrInvalid, err)
}

func jsonError(data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		if se.Offset >= int64(len(bytes.TrimRight(data, " \t\r\n"))) {
			return fmt.Errorf("%w: document ends early (line %d)", sbom.ErrTruncated, lineOf(data, se.Offset))
		}
		return fmt.Errorf("%w: line %d: %v", sbom.ErrInvalid, lineOf(data, se.Offset), se)
	case errors.As(err, &te):
		return fmt.Errorf("%w: line %d: %s: %v", sbom.ErrInvalid, lineOf(data, te.Offset), te.Field, err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: document ends early", sbom.ErrTruncated)
	case errors.Is(err, cdx.ErrInvalidSpecVersion):
		return fmt.Errorf("%w: specVersion: %v", sbom.ErrUnsupported, err)
	}
	return fmt.Errorf("%w: %v", sbom.ErrInvalid, err)
}

// DecodeBOM decodes a complete CycloneDX JSON or XML document into the full cyclonedx-go model, with the
// same safeguards as DecodeJSON and DecodeXML (nesting depth, no DTDs or entities). It is for readers that
// need parts of a BOM the Document does not keep, such as the vulnerabilities of a CycloneDX VEX.
func DecodeBOM(data []byte, name string) (*cdx.BOM, error) {
	switch sbom.Detect(data) {
	case sbom.CycloneDXJSON:
		if err := sbom.CheckJSONDepth(data, MaxDepth); err != nil {
			return nil, fmt.Errorf("cyclonedx json %q: %w", name, err)
		}
		var bom cdx.BOM
		if err := json.Unmarshal(data, &bom); err != nil {
			return nil, fmt.Errorf("cyclonedx json %q: %w", name, jsonError(data, err))
		}
		return &bom, nil
	case sbom.CycloneDXXML:
		if err := checkXML(data); err != nil {
			return nil, fmt.Errorf("cyclonedx xml %q: %w", name, err)
		}
		var bom cdx.BOM
		dec := xml.NewDecoder(bytes.NewReader(data))
		dec.Strict = true
		if err := dec.Decode(&bom); err != nil {
			return nil, fmt.Errorf("cyclonedx xml %q: %w", name, xmlError(err))
		}
		for v, ns := range xmlNamespaces {
			if ns == bom.XMLNS {
				bom.SpecVersion = v
			}
		}
		if bom.SpecVersion == 0 {
			return nil, fmt.Errorf("cyclonedx xml %q: %w: namespace %q is no CycloneDX 1.0–1.6 namespace", name, sbom.ErrUnsupported, bom.XMLNS)
		}
		return &bom, nil
	}
	return nil, fmt.Errorf("cyclonedx %q: %w: not a CycloneDX JSON or XML document", name, sbom.ErrUnknownFormat)
}
