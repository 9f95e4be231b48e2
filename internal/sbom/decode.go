package sbom

import (
	"bytes"
	"fmt"
	"io"
	"sync"
)

// DecodeFunc decodes one complete document of a single format. name is used in error messages only.
// It is implemented by the format packages (internal/sbom/cyclonedx, internal/sbom/spdx).
type DecodeFunc func(data []byte, name string) (*Document, error)

var (
	decodersMu sync.RWMutex
	decoders   = map[Format]DecodeFunc{}
	// owned are decoders that may keep data itself (strings of the Document share its memory)
	// instead of a copy; see DecodeOwned.
	owned = map[Format]DecodeFunc{}
)

// RegisterDecoder makes a decoder available to Decode for format f. It is called from the init function of
// the format packages, as image.RegisterFormat is; a program that calls Decode imports them, usually with
//
//	import (
//		_ "github.com/vigil-med/vigil/internal/sbom/cyclonedx"
//		_ "github.com/vigil-med/vigil/internal/sbom/spdx"
//	)
//
// (the format packages import this package for the model, so this package cannot import them). It panics
// when f is already registered.
func RegisterDecoder(f Format, fn DecodeFunc) { register(decoders, f, fn, "decoder") }

// RegisterOwnedDecoder registers, beside the decoder of RegisterDecoder, one for input the caller hands
// over (DecodeOwned): it may return a Document whose strings share data's memory instead of a copy.
func RegisterOwnedDecoder(f Format, fn DecodeFunc) { register(owned, f, fn, "owned decoder") }

func register(m map[Format]DecodeFunc, f Format, fn DecodeFunc, what string) {
	decodersMu.Lock()
	defer decodersMu.Unlock()
	if _, dup := m[f]; dup {
		panic("sbom: " + what + " registered twice for " + string(f))
	}
	m[f] = fn
}

func decoderFor(f Format, own bool) DecodeFunc {
	decodersMu.RLock()
	defer decodersMu.RUnlock()
	if fn := owned[f]; own && fn != nil {
		return fn
	}
	return decoders[f]
}

// Decode reads one SBOM of at most limit bytes from r (limit <= 0 means DefaultLimit), recognises its
// format from the leading bytes (see Detect) and decodes it once with the matching format decoder.
// name (usually the file name) is used in error messages only.
//
// It reads CycloneDX 1.0–1.6 XML, CycloneDX 1.2–1.6 JSON, and SPDX 2.2/2.3 JSON and tag-value. Anything
// else is refused with an error that names what was found and wraps ErrUnknownFormat or ErrUnsupported;
// input over the limit wraps ErrTooLarge, a cut-off document ErrTruncated, malformed input ErrInvalid.
// Problems that do not prevent decoding (an invalid CPE, say) are reported in Document.Warnings.
func Decode(r io.Reader, name string, limit int64) (*Document, error) {
	data, err := ReadAll(r, limit)
	if err != nil {
		return nil, fmt.Errorf("sbom %q: %w", name, err)
	}
	return decode(data, name, true) // data is this function's own buffer
}

// DecodeBytes is Decode for a document already in memory; it does not keep data after it returns.
func DecodeBytes(data []byte, name string) (*Document, error) {
	return decode(data, name, false)
}

// DecodeOwned is DecodeBytes for data the caller hands over: the Document may share data's memory
// (a CycloneDX JSON document does: its strings are slices of data rather than of a copy of it, which
// saves the input's size in memory and the time to copy it), so data must not be modified afterwards.
func DecodeOwned(data []byte, name string) (*Document, error) {
	return decode(data, name, true)
}

func decode(data []byte, name string, own bool) (*Document, error) {
	f, what := sniff(data)
	if f == Unknown && len(data) > HeadSize && looksLikeJSON(data) {
		// The identifying key may come after the first HeadSize bytes.
		f, what = sniffJSON(bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n"))
	}
	switch f {
	case Unknown:
		return nil, fmt.Errorf("sbom %q: %w: found %s", name, ErrUnknownFormat, what)
	case SPDX3JSONLD:
		return nil, fmt.Errorf("sbom %q: %w: SPDX 3.0 is not supported yet (found %s)", name, ErrUnsupported, what)
	case SPDXRDF:
		return nil, fmt.Errorf("sbom %q: %w: SPDX RDF/XML is not supported; use SPDX JSON or tag-value", name, ErrUnsupported)
	}
	fn := decoderFor(f, own)
	if fn == nil {
		return nil, fmt.Errorf("sbom %q: %w: no decoder registered for %s (import internal/sbom/cyclonedx and internal/sbom/spdx)", name, ErrUnsupported, f)
	}
	doc, err := fn(data, name)
	if err != nil {
		return nil, err
	}
	return doc, nil
}

func looksLikeJSON(data []byte) bool {
	data = bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	return len(data) > 0 && data[0] == '{'
}
