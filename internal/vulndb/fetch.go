package vulndb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// maxDownload bounds one downloaded feed file.
const maxDownload = 8 << 30

// download is a fetched feed file.
type download struct {
	url         string
	source      string
	path        string // the complete file; "" when not modified
	notModified bool
	state       domain.FetchState // to store once the file is imported
}

// partMeta is kept beside a partial download so the next attempt can resume it with If-Range.
type partMeta struct {
	URL          string `json:"url"`
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

// fetch downloads url into the feeds download folder. It asks conditionally (If-None-Match /
// If-Modified-Since from the stored state of the URL) and reports notModified on 304. A download
// that broke off is resumed with a Range request (If-Range the validator it began with) when the
// server supports it, else started again. The caller stores d.state after importing the file
// (commitFetch), so a failed import is fetched again next time.
func (s *Service) fetch(ctx context.Context, source, url, name string, progress ProgressFunc) (*download, error) {
	dir := filepath.Join(FeedsDir(s.DataDir), "download")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	dest := filepath.Join(dir, name)
	part := dest + ".part"
	prev, known, err := s.Store.FetchState(ctx, url)
	if err != nil {
		return nil, err
	}
	d := &download{url: url, source: source}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "Vigil/"+s.Version+" (vulnerability feed sync)")
	// Resume a broken-off download of the same resource.
	var offset int64
	var pm partMeta
	if st, err := os.Stat(part); err == nil && st.Size() > 0 {
		if b, err := os.ReadFile(part + ".json"); err == nil && json.Unmarshal(b, &pm) == nil && pm.URL == url && (pm.ETag != "" || pm.LastModified != "") {
			offset = st.Size()
			req.Header.Set("Range", fmt.Sprintf("bytes=%d-", offset))
			if pm.ETag != "" {
				req.Header.Set("If-Range", pm.ETag)
			} else {
				req.Header.Set("If-Range", pm.LastModified)
			}
		}
	}
	if offset == 0 && known {
		if prev.ETag != "" {
			req.Header.Set("If-None-Match", prev.ETag)
		}
		if prev.LastModified != "" {
			req.Header.Set("If-Modified-Since", prev.LastModified)
		}
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", url, err)
	}
	defer resp.Body.Close()
	var out *os.File
	switch resp.StatusCode {
	case http.StatusNotModified:
		d.notModified = true
		return d, nil
	case http.StatusPartialContent:
		if start, ok := contentRangeStart(resp.Header.Get("Content-Range")); !ok || start != offset {
			return nil, fmt.Errorf("%s: the server resumed at another offset (%s) than asked (%d)", url, resp.Header.Get("Content-Range"), offset)
		}
		if out, err = os.OpenFile(part, os.O_WRONLY|os.O_APPEND, 0o640); err != nil {
			return nil, err
		}
		pm.URL = url
	case http.StatusOK:
		offset = 0
		if out, err = os.Create(part); err != nil {
			return nil, err
		}
		pm = partMeta{URL: url, ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
		b, _ := json.Marshal(pm)
		if err := os.WriteFile(part+".json", b, 0o640); err != nil {
			out.Close()
			return nil, err
		}
	case http.StatusRequestedRangeNotSatisfiable:
		os.Remove(part)
		os.Remove(part + ".json")
		return s.fetch(ctx, source, url, name, progress)
	default:
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return nil, fmt.Errorf("%s: HTTP %s: %s", url, resp.Status, strings.TrimSpace(string(msg)))
	}
	total := int64(-1)
	if resp.ContentLength >= 0 {
		total = offset + resp.ContentLength
	}
	pr := &progressReader{r: io.LimitReader(resp.Body, maxDownload-offset+1), done: offset, total: total, fn: func(done, total int64) {
		progress.report(Progress{Source: source, Stage: "download", Done: done, Total: max(total, 0), Message: name})
	}}
	n, err := io.Copy(out, pr)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		// keep the part for a resumed attempt
		return nil, fmt.Errorf("%s: download broke off after %d bytes (it resumes next time): %w", url, offset+n, err)
	}
	if offset+n > maxDownload {
		os.Remove(part)
		return nil, fmt.Errorf("%s: %w: larger than %d bytes", url, errTooLarge, maxDownload)
	}
	if total >= 0 && offset+n != total {
		return nil, fmt.Errorf("%s: download ended early (%d of %d bytes; it resumes next time)", url, offset+n, total)
	}
	sum, size, err := hashFile(part)
	if err != nil {
		return nil, err
	}
	if err := os.Rename(part, dest); err != nil {
		return nil, err
	}
	os.Remove(part + ".json")
	d.path = dest
	d.state = domain.FetchState{URL: url, Source: source, ETag: pm.ETag, LastModified: pm.LastModified, Size: size, SHA256: sum}
	if resp.StatusCode == http.StatusPartialContent {
		// validators of the whole resource come with the first response; keep them
		d.state.ETag, d.state.LastModified = pm.ETag, pm.LastModified
	}
	return d, nil
}

var errTooLarge = errors.New("too large")

// commitFetch stores the validators of an imported download and removes the file.
func (s *Service) commitFetch(ctx context.Context, d *download) error {
	if d == nil || d.notModified {
		return nil
	}
	err := s.Store.WriteGlobal(ctx, func(tx *store.Tx) error { return tx.SaveFetchState(ctx, d.state) })
	if err == nil && d.path != "" {
		os.Remove(d.path)
	}
	return err
}

func contentRangeStart(h string) (int64, bool) {
	// "bytes 100-199/200"
	rest, ok := strings.CutPrefix(strings.TrimSpace(h), "bytes ")
	if !ok {
		return 0, false
	}
	start, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(start, 10, 64)
	return n, err == nil
}

func hashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	return hex.EncodeToString(h.Sum(nil)), n, err
}

type progressReader struct {
	r           io.Reader
	done, total int64
	fn          func(done, total int64)
	last        int64
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.done += int64(n)
	if p.done-p.last >= 256<<10 || err == io.EOF {
		p.last = p.done
		p.fn(p.done, p.total)
	}
	return n, err
}
