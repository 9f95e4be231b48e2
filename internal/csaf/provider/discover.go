package provider

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/netguard"
)

// MaxMetadataSize bounds provider-metadata.json and security.txt downloads.
const MaxMetadataSize int64 = 1 << 20

// Discover finds and reads the provider metadata named by target, which is one of:
//   - the URL of a provider-metadata.json (any URL whose path ends in ".json");
//   - a domain ("psirt.example.com"): tried in the order of CSAF 2.0 §7.3.1, with https —
//     https://DOMAIN/.well-known/csaf/provider-metadata.json, then the CSAF: fields of
//     https://DOMAIN/.well-known/security.txt (and /security.txt), then
//     https://csaf.data.security.DOMAIN/.well-known/csaf/provider-metadata.json and
//     https://csaf.data.security.DOMAIN/;
//   - a scheme and host ("http://127.0.0.1:8080"): the same search with that scheme and host, which is
//     how tests (and an intranet provider on plain HTTP) use it.
//
// The first candidate that downloads (status 200, at most MaxMetadataSize bytes) and validates wins;
// when none does the error lists every attempt and why it failed. client nil means
// a netguard client; redirects follow the client's policy.
func Discover(ctx context.Context, client *http.Client, target string) (*Metadata, error) {
	if client == nil {
		client = netguard.Client(60 * time.Second)
	}
	target = strings.TrimSpace(target)
	if target == "" {
		return nil, errors.New("discover CSAF provider: empty target")
	}
	scheme, host := "https", target
	if u, err := url.Parse(target); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		if strings.HasSuffix(u.Path, ".json") {
			return fetchMetadata(ctx, client, target)
		}
		scheme, host = u.Scheme, u.Host
	} else if strings.Contains(target, "/") {
		return fetchMetadata(ctx, client, "https://"+strings.TrimPrefix(target, "//"))
	}
	base := scheme + "://" + host
	var tried []string
	try := func(u string) *Metadata {
		md, err := fetchMetadata(ctx, client, u)
		if err != nil {
			tried = append(tried, err.Error())
			return nil
		}
		return md
	}
	if md := try(base + "/.well-known/csaf/provider-metadata.json"); md != nil {
		return md, nil
	}
	for _, p := range []string{"/.well-known/security.txt", "/security.txt"} {
		urls, err := securityTxtCSAF(ctx, client, base+p)
		if err != nil {
			tried = append(tried, err.Error())
			continue
		}
		for _, u := range urls {
			if md := try(u); md != nil {
				md.Warnings = append(md.Warnings, "found through "+base+p)
				return md, nil
			}
		}
		if len(urls) > 0 {
			break // a security.txt with CSAF fields was found; the spec does not look further
		}
	}
	dns := scheme + "://csaf.data.security." + host
	for _, u := range []string{dns + "/.well-known/csaf/provider-metadata.json", dns + "/"} {
		if md := try(u); md != nil {
			return md, nil
		}
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("discover CSAF provider %q: %w", target, ctx.Err())
	}
	return nil, fmt.Errorf("discover CSAF provider %q: no valid provider-metadata.json found:\n  %s", target, strings.Join(tried, "\n  "))
}

// fetchMetadata downloads and parses one candidate.
func fetchMetadata(ctx context.Context, client *http.Client, u string) (*Metadata, error) {
	data, _, err := get(ctx, client, u, MaxMetadataSize, nil)
	if err != nil {
		return nil, err
	}
	md, err := ParseMetadata(data, u)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", u, err)
	}
	return md, nil
}

// securityTxtCSAF returns the CSAF: fields of a security.txt.
func securityTxtCSAF(ctx context.Context, client *http.Client, u string) ([]string, error) {
	data, _, err := get(ctx, client, u, MaxMetadataSize, nil)
	if err != nil {
		return nil, err
	}
	var urls []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(strings.TrimSpace(k), "CSAF") {
			if v = strings.TrimSpace(v); v != "" {
				urls = append(urls, v)
			}
		}
	}
	if len(urls) == 0 {
		return nil, fmt.Errorf("%s: no CSAF: field", u)
	}
	return urls, nil
}

// Validator holds what a conditional request needs: the ETag and Last-Modified of the last answer.
type Validator struct {
	ETag         string
	LastModified string
}

// errNotModified is returned by get when a conditional request answered 304.
var errNotModified = errors.New("not modified")

// get fetches u with a size limit, optionally conditionally. It returns the body and the validators of
// the answer. Non-200 answers are errors naming the URL and status.
func get(ctx context.Context, client *http.Client, u string, limit int64, cond *Validator) ([]byte, Validator, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, Validator{}, fmt.Errorf("%s: %w", u, err)
	}
	if cond != nil {
		if cond.ETag != "" {
			req.Header.Set("If-None-Match", cond.ETag)
		}
		if cond.LastModified != "" {
			req.Header.Set("If-Modified-Since", cond.LastModified)
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, Validator{}, fmt.Errorf("%s: %w", u, err)
	}
	defer resp.Body.Close()
	v := Validator{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	if resp.StatusCode == http.StatusNotModified && cond != nil {
		return nil, *cond, errNotModified
	}
	if resp.StatusCode != http.StatusOK {
		return nil, v, &StatusError{URL: u, Code: resp.StatusCode}
	}
	if resp.ContentLength > limit {
		return nil, v, fmt.Errorf("%s: too large: %d bytes, limit %d", u, resp.ContentLength, limit)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, v, fmt.Errorf("%s: read: %w", u, err)
	}
	if int64(len(data)) > limit {
		return nil, v, fmt.Errorf("%s: too large: more than %d bytes", u, limit)
	}
	return data, v, nil
}

// StatusError is an HTTP answer other than 200 (and 304 for conditional requests).
type StatusError struct {
	URL  string
	Code int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s: HTTP %d %s", e.URL, e.Code, http.StatusText(e.Code))
}
