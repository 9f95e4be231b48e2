package sbom

import (
	"errors"
	"fmt"
	"io"
)

// Errors that Decode (and the format decoders) wrap, so a caller can tell bad input apart with errors.Is
// and map it to its own error codes. The wrapping error names the file and the place.
var (
	// ErrTooLarge is returned when the input exceeds the caller's size limit.
	ErrTooLarge = errors.New("too large")
	// ErrTruncated is returned when the input ends in the middle of the document.
	ErrTruncated = errors.New("truncated")
	// ErrUnknownFormat is returned when the input is not a CycloneDX or SPDX document.
	ErrUnknownFormat = errors.New("not a CycloneDX or SPDX document")
	// ErrUnsupported is returned for a recognised format or version that Vigil does not read (SPDX 3.0,
	// SPDX RDF, CycloneDX protobuf …).
	ErrUnsupported = errors.New("unsupported")
	// ErrInvalid is returned when a recognised document is malformed (bad syntax, wrong field types,
	// nesting too deep, DTDs in XML).
	ErrInvalid = errors.New("invalid")
)

// DefaultLimit is a sensible upper bound for one uploaded SBOM or VEX document (64 MiB).
const DefaultLimit int64 = 64 << 20

// ReadAll reads r to the end but at most limit bytes. It returns an error wrapping ErrTooLarge when r has
// more than limit bytes, without reading much past the limit. A limit <= 0 means DefaultLimit.
func ReadAll(r io.Reader, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
	}
	return data, nil
}
