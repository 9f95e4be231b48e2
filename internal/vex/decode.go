package vex

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/vigil-med/vigil/internal/sbom"
)

// Format names a VEX document format.
type Format string

// The VEX formats Vigil reads. Statement.SourceFormat holds the same strings.
const (
	Unknown   Format = ""
	OpenVEX   Format = "openvex"
	CycloneDX Format = "cyclonedx"
	CSAF      Format = "csaf"
)

// Errors that Decode wraps. Size, truncation and syntax errors wrap the sbom package's errors
// (sbom.ErrTooLarge, sbom.ErrTruncated, sbom.ErrInvalid, sbom.ErrUnsupported), re-exported here.
var (
	// ErrCSAF is returned (wrapped) by Decode for a CSAF document: CSAF VEX is read by internal/csaf, and a
	// caller that gets this error hands the same bytes to it. Decode also returns Format CSAF then.
	ErrCSAF = errors.New("CSAF document: read it with the CSAF reader")
	// ErrUnknownFormat is returned for a document that is neither OpenVEX, CycloneDX nor CSAF.
	ErrUnknownFormat = errors.New("not an OpenVEX, CycloneDX VEX or CSAF document")
	ErrTooLarge      = sbom.ErrTooLarge
	ErrTruncated     = sbom.ErrTruncated
	ErrInvalid       = sbom.ErrInvalid
	ErrUnsupported   = sbom.ErrUnsupported
)

// MaxDepth is the deepest JSON nesting the VEX decoders accept.
const MaxDepth = 64

// Decode reads one VEX document of at most limit bytes from r (limit <= 0 means sbom.DefaultLimit),
// recognises OpenVEX (v0.0.1 and v0.2.0), CycloneDX VEX (JSON or XML) and CSAF from the leading bytes, and
// returns its statements in document order. name is used in error messages only. For a CSAF document it
// returns Format CSAF and an error wrapping ErrCSAF (see there).
func Decode(r io.Reader, name string, limit int64) ([]Statement, Format, error) {
	data, err := sbom.ReadAll(r, limit)
	if err != nil {
		return nil, Unknown, fmt.Errorf("vex %q: %w", name, err)
	}
	return DecodeBytes(data, name)
}

// DecodeBytes is Decode for a document in memory.
func DecodeBytes(data []byte, name string) ([]Statement, Format, error) {
	f := Detect(data)
	switch f {
	case OpenVEX:
		stmts, err := decodeOpenVEX(data, name)
		return stmts, f, err
	case CycloneDX:
		stmts, err := decodeCycloneDX(data, name)
		return stmts, f, err
	case CSAF:
		return nil, f, fmt.Errorf("vex %q: %w", name, ErrCSAF)
	}
	what := "unrecognised content"
	if sf := sbom.Detect(data); sf != sbom.Unknown {
		what = "an SBOM (" + string(sf) + ") without VEX statements"
	}
	return nil, Unknown, fmt.Errorf("vex %q: %w: found %s", name, ErrUnknownFormat, what)
}

// Detect recognises a VEX format from the first bytes of a document (see sbom.HeadSize) without parsing
// it: JSON with an OpenVEX "@context", a CycloneDX BOM (JSON or XML), or a CSAF document ("csaf_version").
func Detect(head []byte) Format {
	if len(head) > sbom.HeadSize {
		head = head[:sbom.HeadSize]
	}
	if f := sbom.Detect(head); f == sbom.CycloneDXJSON || f == sbom.CycloneDXXML {
		return CycloneDX
	}
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return Unknown
	}
	ctx := bytes.Index(trimmed, []byte(`"@context"`))
	csaf := bytes.Index(trimmed, []byte(`"csaf_version"`))
	switch {
	case ctx >= 0 && (csaf < 0 || ctx < csaf) && bytes.Contains(trimmed[ctx:min(len(trimmed), ctx+200)], []byte("openvex.dev/ns")):
		return OpenVEX
	case csaf >= 0:
		return CSAF
	}
	return Unknown
}
