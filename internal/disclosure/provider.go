package disclosure

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/csaf"
	"github.com/vigil-med/vigil/internal/csaf/provider"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/netguard"
)

// Reading CSAF documents from a path (file or folder) or from the network (a trusted provider, or one
// advisory's URL).

// CSAFFiles reads a CSAF file, or every *.json file of a folder (not its subfolders), in name order. A
// file that cannot be read is returned with its error (and reported as failed by ImportCSAFBatch).
func CSAFFiles(p string) ([]Input, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []Input{readInput(p)}, nil
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		return nil, err
	}
	var out []Input
	for _, e := range entries {
		if e.IsDir() || !strings.EqualFold(filepath.Ext(e.Name()), ".json") {
			continue
		}
		out = append(out, readInput(filepath.Join(p, e.Name())))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Source.Ref < out[j].Source.Ref })
	if len(out) == 0 {
		return nil, invalid("the folder %s has no .json files", p)
	}
	return out, nil
}

func readInput(p string) Input {
	in := Input{Source: Source{FileName: filepath.Base(p), Kind: "file", Ref: p}}
	f, err := os.Open(p)
	if err != nil {
		in.Err = err
		return in
	}
	defer f.Close()
	in.Data, in.Err = ReadFile(f, p)
	return in
}

// ProviderOptions say how to read a CSAF provider.
type ProviderOptions struct {
	Client *http.Client
	// Key, when set, holds the provider's OpenPGP public key(s) (ASCII-armoured): pinned, the only keys
	// signatures are checked against, and every document must carry a valid signature.
	Key []byte
	// Since keeps only the advisories changed after it (incremental import).
	Since time.Time
	// TLP keeps only feeds of these labels (default: WHITE and GREEN).
	TLP []string
	// RequireHash rejects documents the provider publishes no SHA-256 or SHA-512 file for.
	RequireHash bool
}

// IsURL reports whether a CSAF source is on the network (a URL or a bare domain) rather than a path.
func IsURL(s string) bool {
	if strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") {
		return true
	}
	if _, err := os.Stat(s); err == nil {
		return false
	}
	return strings.Contains(s, ".") && !strings.ContainsAny(s, `/\ `) && !strings.HasSuffix(strings.ToLower(s), ".json")
}

// FetchCSAF reads advisories from the network: target is a provider's domain, its provider-metadata.json
// URL or its origin (discovered, listed from ROLIE feeds or directory listings, each document checked
// against its .sha256/.sha512 and OpenPGP signature), or the URL of a single advisory (*.json). It
// returns the documents (a document that failed a check carries its error) and, for a provider, what
// the listing noticed.
func FetchCSAF(ctx context.Context, target string, opts ProviderOptions) ([]Input, []string, error) {
	client := opts.Client
	if client == nil {
		client = netguard.Client(60 * time.Second)
	}
	if u, err := url.Parse(target); err == nil && u.Scheme != "" && strings.HasSuffix(strings.ToLower(u.Path), ".json") &&
		path.Base(u.Path) != "provider-metadata.json" {
		return []Input{fetchOne(ctx, client, target)}, nil, nil
	}
	meta, err := provider.Discover(ctx, client, target)
	if err != nil {
		return nil, nil, &domain.Error{Code: domain.EInvalid, Field: "url", Message: "no CSAF provider found at " + target + ": " + err.Error()}
	}
	fo := provider.FetchOptions{Client: client, Metadata: meta, Since: opts.Since, TLP: opts.TLP, RequireHash: opts.RequireHash}
	if len(fo.TLP) == 0 {
		fo.TLP = []string{"WHITE", "GREEN"}
	}
	if len(opts.Key) > 0 {
		keys, err := provider.ReadArmoredKeys(opts.Key)
		if err != nil {
			return nil, nil, domain.Invalid("key", "the key file holds no OpenPGP key: %v", err)
		}
		fo.Keys, fo.RequireSignature = keys, true
	}
	listing, docs, err := provider.Fetch(ctx, fo)
	if err != nil {
		return nil, nil, &domain.Error{Code: domain.EInvalid, Field: "url", Message: "cannot list the advisories of " + target + ": " + err.Error()}
	}
	notes := append([]string(nil), meta.Warnings...)
	if listing != nil {
		notes = append(notes, listing.Problems...)
	}
	var out []Input
	for _, d := range docs {
		in := Input{Data: d.Data, Source: Source{FileName: path.Base(d.Entry.URL), Kind: "provider", Ref: d.Entry.URL, MediaType: "application/json"}, Err: d.Err}
		if d.Err == nil {
			if v := d.Verification; v.Signature != provider.Verified {
				notes = append(notes, fmt.Sprintf("%s: signature %s (SHA-256 %s, SHA-512 %s)", d.Entry.URL, v.Signature, v.SHA256, v.SHA512))
			}
			for _, p := range d.Problems {
				notes = append(notes, d.Entry.URL+": "+p)
			}
		}
		out = append(out, in)
	}
	return out, notes, nil
}

// fetchOne downloads one advisory (size-limited).
func fetchOne(ctx context.Context, client *http.Client, u string) Input {
	in := Input{Source: Source{FileName: path.Base(u), Kind: "url", Ref: u}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		in.Err = err
		return in
	}
	resp, err := client.Do(req)
	if err != nil {
		in.Err = err
		return in
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		in.Err = fmt.Errorf("%s answered %s", u, resp.Status)
		return in
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, csaf.DefaultMaxSize+1))
	if err != nil {
		in.Err = err
		return in
	}
	if int64(len(data)) > csaf.DefaultMaxSize {
		in.Err = tooLarge(u, csaf.DefaultMaxSize)
		return in
	}
	in.Data, in.Source.MediaType = data, resp.Header.Get("Content-Type")
	return in
}
