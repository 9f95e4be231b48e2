// Package disclosure imports manufacturers' disclosures into the store and works with them: SBOMs
// (components per product version, "where is this component?", export and diff), MDS2 forms (import,
// drafts, comparison, export), CSAF advisories (from files, folders and trusted providers, with the
// mapping of their product trees to the inventory and the mapping queue) and VEX statements (OpenVEX,
// CycloneDX VEX, CSAF VEX), all attached to product versions. Devices inherit the disclosures of their
// version.
//
// Every import keeps the original document (internal/store disclosure_documents: bytes, SHA-256,
// source, time, actor), runs in one transaction per document and returns a Report of what it created,
// updated and skipped. The parsers (internal/sbom, internal/mds2, internal/csaf, internal/vex) read the
// documents; this package never parses by itself.
package disclosure

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// MaxDocumentSize bounds every disclosure document kept (and so every upload and file read): 64 MiB.
// The format readers apply their own, lower limits where they have them (MDS2 16 MiB, CSAF 32 MiB).
const MaxDocumentSize int64 = 64 << 20

// Source says where a document came from, for the record kept with it.
type Source struct {
	FileName  string // the file's base name ("" for none)
	Kind      string // file, upload, url, provider or demo ("" = file)
	Ref       string // the path, URL or provider
	MediaType string // as the sender declared it ("" = derived from the format)
}

func (s Source) name() string {
	if s.FileName != "" {
		return s.FileName
	}
	if s.Ref != "" {
		return filepath.Base(s.Ref)
	}
	return "an uploaded document"
}

// ReadFile reads a document of at most MaxDocumentSize bytes, with a clear error when it is larger.
func ReadFile(r io.Reader, name string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxDocumentSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if int64(len(data)) > MaxDocumentSize {
		return nil, tooLarge(name, MaxDocumentSize)
	}
	if len(data) == 0 {
		return nil, &domain.Error{Code: domain.EInvalid, Field: "file", Message: name + " is empty"}
	}
	return data, nil
}

func tooLarge(name string, limit int64) error {
	return &domain.Error{Code: domain.ETooLarge, Field: "file", Message: fmt.Sprintf("%s is too large: the limit is %d MiB", name, limit>>20)}
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// keep stores the original document in the import's transaction.
func keep(ctx context.Context, tx *store.Tx, kind domain.DisclosureKind, src Source, data []byte, d domain.DisclosureDocument) (domain.DisclosureDocument, error) {
	d.Kind, d.FileName, d.Source, d.SourceRef, d.SHA256 = kind, src.FileName, src.Kind, src.Ref, sha256Hex(data)
	if d.FileName == "" && src.Ref != "" {
		d.FileName = filepath.Base(src.Ref)
	}
	if d.MediaType = src.MediaType; d.MediaType == "" || d.MediaType == "application/octet-stream" {
		d.MediaType = mediaType(d.Format)
	}
	if d.Source == "" {
		d.Source = "file"
	}
	err := tx.AddDocument(ctx, &d, data)
	return d, err
}

// mediaType is the media type of a document format.
func mediaType(format string) string {
	switch {
	case strings.HasSuffix(format, "xml"):
		return "application/xml"
	case format == "spdx-tag-value", format == "mds2-markdown":
		return "text/plain"
	case format == "mds2-xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case format == "cyclonedx-json":
		return "application/vnd.cyclonedx+json"
	case format == "spdx-json":
		return "application/spdx+json"
	case format == "csaf":
		return "application/csaf+json"
	}
	return "application/json"
}

// invalid is a user error about the document as a whole.
func invalid(format string, args ...any) error {
	return &domain.Error{Code: domain.EInvalid, Field: "file", Message: fmt.Sprintf(format, args...)}
}

// userError turns a parser's error into a domain error with the parser's message (which names the file
// and the place) and the right code: too large, or invalid.
func userError(err error, tooLargeErrs ...error) error {
	var de *domain.Error
	if errors.As(err, &de) {
		return err
	}
	for _, t := range tooLargeErrs {
		if errors.Is(err, t) {
			return &domain.Error{Code: domain.ETooLarge, Field: "file", Message: err.Error()}
		}
	}
	return &domain.Error{Code: domain.EInvalid, Field: "file", Message: err.Error()}
}

// messageOf is the message of an import error for a report: a domain error's message, or the parser's
// own text (which names the file and the place).
func messageOf(err error) string {
	var de *domain.Error
	if errors.As(err, &de) && de.Code != domain.EInternal {
		return de.Message
	}
	return err.Error()
}
