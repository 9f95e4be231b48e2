package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/httpx"
)

// Upload is a file sent to an operation registered with Upload: true.
type Upload struct {
	Name string // the file name the client gave (base name only; "" when it gave none)
	Data []byte
}

// Upload reads the file of an upload operation: the multipart/form-data part named "file", or else the
// raw request body, whose name may be given as ?filename=. Files larger than limit are refused with
// ETooLarge, empty ones with EInvalid. The multipart body is streamed: only the file part is kept.
func (c *Call) Upload(limit int64) (Upload, error) {
	r := c.R
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var up Upload
	var src io.Reader
	if ct == "multipart/form-data" {
		mr, err := r.MultipartReader()
		if err != nil {
			return up, domain.Invalid("file", "malformed multipart body: %v", err)
		}
		for {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return up, domain.Invalid("file", "the multipart body has no part named \"file\"")
			}
			if err != nil {
				return up, httpx.AsDomain(domain.Invalid("file", "malformed multipart body: %v", err))
			}
			if part.FormName() == "file" {
				up.Name = part.FileName()
				src = part
				break
			}
			part.Close()
		}
	} else {
		up.Name = c.Query("filename")
		src = r.Body
	}
	if up.Name != "" {
		up.Name = filepath.Base(strings.ReplaceAll(up.Name, "\\", "/"))
	}
	data, err := io.ReadAll(io.LimitReader(src, limit+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return up, &domain.Error{Code: domain.ETooLarge, Field: "file", Message: fmt.Sprintf("the upload is larger than the limit of %d bytes", mbe.Limit)}
		}
		return up, domain.Invalid("file", "reading the upload: %v", err)
	}
	if int64(len(data)) > limit {
		return up, &domain.Error{Code: domain.ETooLarge, Field: "file", Message: fmt.Sprintf("the file is larger than the limit of %d bytes", limit)}
	}
	if len(data) == 0 {
		return up, domain.Invalid("file", "the file is empty")
	}
	up.Data = data
	return up, nil
}
