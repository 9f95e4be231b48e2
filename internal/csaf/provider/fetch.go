package provider

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/vigil-med/vigil/internal/csaf"
	"github.com/vigil-med/vigil/internal/lazyre"
	"github.com/vigil-med/vigil/internal/netguard"
)

// MaxListingSize bounds a ROLIE feed, index.txt or changes.csv download.
const MaxListingSize int64 = 64 << 20

// FetchOptions says what to list and download from a provider.
type FetchOptions struct {
	Client   *http.Client // nil: http.DefaultClient
	Metadata *Metadata    // from Discover or ParseMetadata; required
	// Keys, when not nil, are the only keys trusted for signatures (pinned by the caller). When nil the
	// keys listed in the metadata are downloaded and each is kept only if its fingerprint matches the
	// one the metadata gives.
	Keys openpgp.EntityList
	// Since, when not zero, keeps only entries changed after it (ROLIE "updated", changes.csv time).
	// An index.txt carries no times: its entries are all listed.
	Since time.Time
	// TLP, when not empty, keeps only ROLIE feeds of these labels (e.g. {"WHITE"}).
	TLP []string
	// Validators are the conditional-request state of the previous run, keyed by listing URL
	// (Listing.Validators of that run); a listing that answers 304 is reported in Listing.Unchanged.
	Validators map[string]Validator
	// MaxDocumentSize bounds each advisory (csaf.DefaultMaxSize when <= 0).
	MaxDocumentSize int64
	// RequireSignature rejects documents without a verified signature (a missing .asc or no usable
	// key). Hash files are checked when present; RequireHash rejects documents that have none.
	RequireSignature bool
	RequireHash      bool
}

// Entry is one advisory a listing names.
type Entry struct {
	URL          string
	SHA256URL    string // "" when the listing names none (ROLIE without a hash link)
	SHA512URL    string
	SignatureURL string
	Updated      time.Time // zero when the listing gives no time (index.txt)
	TLP          string    // label of the ROLIE feed; WHITE for directory listings
	From         string    // the listing URL
}

// Listing is the result of List: the entries, what the listings' validators are now, and what went
// wrong on the way (a feed that failed does not stop the others).
type Listing struct {
	Entries         []Entry
	Validators      map[string]Validator // keep for the next FetchOptions.Validators
	Unchanged       []string             // listing URLs that answered 304 Not Modified
	Problems        []string             // listings or keys that could not be used, with the reason
	KeyFingerprints []string             // the keys signatures are checked against
	opts            FetchOptions
	keys            openpgp.EntityList
}

// Check is the outcome of one verification step.
type Check string

// Outcomes of the checks on a document.
const (
	Verified   Check = "verified"
	Missing    Check = "missing"     // the provider publishes no such file
	Failed     Check = "failed"      // present and wrong
	NotChecked Check = "not_checked" // e.g. no usable key for the signature
)

// Verification says what was verified about a downloaded document.
type Verification struct {
	SHA256    Check
	SHA512    Check
	Signature Check
	SignedBy  string // fingerprint of the key that made a verified signature
}

// Document is one downloaded advisory. Err is non-nil when the document was rejected (download
// failed, a hash or the signature did not match, it is not a valid CSAF document); Data and Advisory
// are then nil unless the bytes were read before the check failed.
type Document struct {
	Entry        Entry
	Data         []byte
	Advisory     *csaf.Advisory
	Verification Verification
	Problems     []string // non-fatal findings (file name not derived from the tracking id, TLP mismatch)
	Err          error
}

// List enumerates the advisories of a provider: from its ROLIE feeds when the metadata has any,
// otherwise from each directory distribution's changes.csv (falling back to index.txt). It also
// prepares the signature keys. The error is non-nil only when nothing could be listed at all.
func List(ctx context.Context, opts FetchOptions) (*Listing, error) {
	if opts.Metadata == nil {
		return nil, errors.New("list CSAF advisories: no provider metadata")
	}
	if opts.Client == nil {
		opts.Client = netguard.Client(60 * time.Second)
	}
	l := &Listing{Validators: map[string]Validator{}, opts: opts}
	l.loadKeys(ctx)
	md := opts.Metadata
	var feeds []Feed
	var dirs []string
	for _, d := range md.Distributions {
		for _, f := range d.Feeds {
			if len(opts.TLP) == 0 || slices.ContainsFunc(opts.TLP, func(t string) bool { return strings.EqualFold(t, f.TLP) }) {
				feeds = append(feeds, f)
			}
		}
		if d.DirectoryURL != "" {
			dirs = append(dirs, d.DirectoryURL)
		}
	}
	ok := 0
	if len(feeds) > 0 {
		for _, f := range feeds {
			if l.listFeed(ctx, f) {
				ok++
			}
		}
	} else {
		for _, d := range dirs {
			if l.listDirectory(ctx, d) {
				ok++
			}
		}
	}
	if ok == 0 && (len(feeds) > 0 || len(dirs) > 0) {
		return l, fmt.Errorf("list CSAF advisories of %s: no listing could be read:\n  %s", md.CanonicalURL, strings.Join(l.Problems, "\n  "))
	}
	if len(feeds) == 0 && len(dirs) == 0 {
		return l, fmt.Errorf("list CSAF advisories of %s: the metadata names no ROLIE feed or directory", md.CanonicalURL)
	}
	return l, nil
}

func (l *Listing) loadKeys(ctx context.Context) {
	if l.opts.Keys != nil {
		l.keys = l.opts.Keys
	} else {
		for _, pk := range l.opts.Metadata.PublicKeys {
			u := resolve(l.opts.Metadata.URL, pk.URL)
			data, _, err := get(ctx, l.opts.Client, u, MaxMetadataSize, nil)
			if err != nil {
				l.Problems = append(l.Problems, "public key: "+err.Error())
				continue
			}
			el, err := ReadArmoredKeys(data)
			if err != nil {
				l.Problems = append(l.Problems, fmt.Sprintf("public key %s: %v", u, err))
				continue
			}
			for _, e := range el {
				fp := Fingerprint(e)
				if pk.Fingerprint != "" && fp != pk.Fingerprint {
					l.Problems = append(l.Problems, fmt.Sprintf("public key %s: fingerprint %s does not match %s given in the metadata; key not used", u, fp, pk.Fingerprint))
					continue
				}
				l.keys = append(l.keys, e)
			}
		}
	}
	for _, e := range l.keys {
		l.KeyFingerprints = append(l.KeyFingerprints, Fingerprint(e))
	}
}

// listing downloads one listing URL conditionally; nil data with ok means unchanged.
func (l *Listing) listing(ctx context.Context, u string) ([]byte, bool) {
	var cond *Validator
	if v, found := l.opts.Validators[u]; found {
		cond = &v
	}
	data, v, err := get(ctx, l.opts.Client, u, MaxListingSize, cond)
	if errors.Is(err, errNotModified) {
		l.Unchanged = append(l.Unchanged, u)
		l.Validators[u] = v
		return nil, true
	}
	if err != nil {
		l.Problems = append(l.Problems, err.Error())
		return nil, false
	}
	if v.ETag != "" || v.LastModified != "" {
		l.Validators[u] = v
	}
	return data, true
}

type rolieFeed struct {
	Feed struct {
		Entry []struct {
			ID      string `json:"id"`
			Updated string `json:"updated"`
			Link    []struct {
				Rel  string `json:"rel"`
				HRef string `json:"href"`
			} `json:"link"`
			Content struct {
				Src string `json:"src"`
			} `json:"content"`
		} `json:"entry"`
	} `json:"feed"`
}

func (l *Listing) listFeed(ctx context.Context, f Feed) bool {
	u := resolve(l.opts.Metadata.URL, f.URL)
	data, ok := l.listing(ctx, u)
	if !ok || data == nil {
		return ok
	}
	var rf rolieFeed
	if err := json.Unmarshal(data, &rf); err != nil {
		l.Problems = append(l.Problems, fmt.Sprintf("ROLIE feed %s: %v", u, err))
		return false
	}
	for _, e := range rf.Feed.Entry {
		en := Entry{TLP: f.TLP, From: u}
		en.Updated, _ = time.Parse(time.RFC3339Nano, e.Updated)
		for _, ln := range e.Link {
			href := resolve(u, ln.HRef)
			low := strings.ToLower(ln.HRef)
			switch {
			case ln.Rel == "self":
				en.URL = href
			case ln.Rel == "signature":
				en.SignatureURL = href
			case ln.Rel == "hash" && strings.HasSuffix(low, ".sha256"):
				en.SHA256URL = href
			case ln.Rel == "hash" && strings.HasSuffix(low, ".sha512"):
				en.SHA512URL = href
			}
		}
		if en.URL == "" && e.Content.Src != "" {
			en.URL = resolve(u, e.Content.Src)
		}
		if en.URL == "" {
			l.Problems = append(l.Problems, fmt.Sprintf("ROLIE feed %s: entry %q has no self link", u, e.ID))
			continue
		}
		if !l.opts.Since.IsZero() && !en.Updated.IsZero() && !en.Updated.After(l.opts.Since) {
			continue
		}
		l.Entries = append(l.Entries, en)
	}
	return true
}

func (l *Listing) listDirectory(ctx context.Context, dir string) bool {
	dir = resolve(l.opts.Metadata.URL, dir)
	if !strings.HasSuffix(dir, "/") {
		dir += "/"
	}
	add := func(path string, t time.Time) {
		u := resolve(dir, path)
		l.Entries = append(l.Entries, Entry{URL: u, SHA256URL: u + ".sha256", SHA512URL: u + ".sha512", SignatureURL: u + ".asc", Updated: t, TLP: "WHITE", From: dir})
	}
	if data, ok := l.listing(ctx, dir+"changes.csv"); ok {
		if data == nil {
			return true
		}
		r := csv.NewReader(bytes.NewReader(data))
		r.FieldsPerRecord = -1
		rows, err := r.ReadAll()
		if err != nil {
			l.Problems = append(l.Problems, fmt.Sprintf("%schanges.csv: %v", dir, err))
			return false
		}
		for i, row := range rows {
			if len(row) < 2 {
				l.Problems = append(l.Problems, fmt.Sprintf("%schanges.csv: line %d: want path and time", dir, i+1))
				continue
			}
			t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(row[1]))
			if err != nil {
				l.Problems = append(l.Problems, fmt.Sprintf("%schanges.csv: line %d: time %q: %v", dir, i+1, row[1], err))
				continue
			}
			if !l.opts.Since.IsZero() && !t.After(l.opts.Since) {
				continue
			}
			add(strings.TrimSpace(row[0]), t)
		}
		return true
	}
	data, ok := l.listing(ctx, dir+"index.txt")
	if !ok || data == nil {
		return ok
	}
	for _, line := range strings.Split(string(data), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			add(line, time.Time{})
		}
	}
	return true
}

// All downloads and verifies the listed entries one after another, in listing order.
func (l *Listing) All(ctx context.Context) iter.Seq[*Document] {
	return func(yield func(*Document) bool) {
		for _, e := range l.Entries {
			if ctx.Err() != nil {
				return
			}
			if !yield(l.Download(ctx, e)) {
				return
			}
		}
	}
}

// Fetch lists the provider's advisories and downloads every entry (see List and Download).
func Fetch(ctx context.Context, opts FetchOptions) (*Listing, []*Document, error) {
	l, err := List(ctx, opts)
	if err != nil {
		return l, nil, err
	}
	var docs []*Document
	for d := range l.All(ctx) {
		docs = append(docs, d)
	}
	return l, docs, ctx.Err()
}

// Download fetches one entry and checks it: size limit, .sha256 and .sha512 (when published),
// signature (against the listing's keys), then csaf.ParseBytes. It never returns nil.
func (l *Listing) Download(ctx context.Context, e Entry) *Document {
	d := &Document{Entry: e, Verification: Verification{SHA256: NotChecked, SHA512: NotChecked, Signature: NotChecked}}
	limit := l.opts.MaxDocumentSize
	if limit <= 0 {
		limit = csaf.DefaultMaxSize
	}
	data, _, err := get(ctx, l.opts.Client, e.URL, limit, nil)
	if err != nil {
		d.Err = fmt.Errorf("download: %w", err)
		return d
	}
	d.Data = data
	s256 := sha256.Sum256(data)
	s512 := sha512.Sum512(data)
	var hashErr error
	d.Verification.SHA256, hashErr = l.checkHash(ctx, e.SHA256URL, hex.EncodeToString(s256[:]), "SHA-256")
	if hashErr != nil {
		d.Err = hashErr
		return d
	}
	d.Verification.SHA512, hashErr = l.checkHash(ctx, e.SHA512URL, hex.EncodeToString(s512[:]), "SHA-512")
	if hashErr != nil {
		d.Err = hashErr
		return d
	}
	if l.opts.RequireHash && d.Verification.SHA256 != Verified && d.Verification.SHA512 != Verified {
		d.Err = errors.New("no .sha256 or .sha512 file published, and a hash is required")
		return d
	}
	d.Verification.Signature, d.Verification.SignedBy, err = l.checkSignature(ctx, e.SignatureURL, data)
	if err != nil {
		d.Err = err
		return d
	}
	if l.opts.RequireSignature && d.Verification.Signature != Verified {
		d.Err = fmt.Errorf("signature %s, and a verified signature is required", d.Verification.Signature)
		return d
	}
	adv, err := csaf.ParseBytes(data, e.URL)
	if err != nil {
		d.Err = err
		return d
	}
	d.Advisory = adv
	if want := FileName(adv.TrackingID); !strings.HasSuffix(e.URL, "/"+want) {
		d.Problems = append(d.Problems, fmt.Sprintf("file name should be %s (from tracking id %q)", want, adv.TrackingID))
	}
	if e.TLP != "" && adv.TLP != "" && !strings.EqualFold(e.TLP, adv.TLP) {
		d.Problems = append(d.Problems, fmt.Sprintf("document is TLP:%s but listed in the TLP:%s feed", adv.TLP, e.TLP))
	}
	return d
}

// checkHash compares a published hash file ("<hex>" or "<hex>  <file name>") with the computed hash.
func (l *Listing) checkHash(ctx context.Context, u, want, alg string) (Check, error) {
	if u == "" {
		return Missing, nil
	}
	data, _, err := get(ctx, l.opts.Client, u, 64<<10, nil)
	var se *StatusError
	if errors.As(err, &se) && se.Code == http.StatusNotFound {
		return Missing, nil
	}
	if err != nil {
		return Failed, fmt.Errorf("%s file: %w", alg, err)
	}
	fields := strings.Fields(string(data))
	if len(fields) == 0 {
		return Failed, fmt.Errorf("%s file %s is empty", alg, u)
	}
	if !strings.EqualFold(fields[0], want) {
		return Failed, fmt.Errorf("%s mismatch: %s says %s, the document hashes to %s", alg, u, fields[0], want)
	}
	return Verified, nil
}

func (l *Listing) checkSignature(ctx context.Context, u string, data []byte) (Check, string, error) {
	if u == "" {
		return Missing, "", nil
	}
	sig, _, err := get(ctx, l.opts.Client, u, 64<<10, nil)
	var se *StatusError
	if errors.As(err, &se) && se.Code == http.StatusNotFound {
		return Missing, "", nil
	}
	if err != nil {
		return Failed, "", fmt.Errorf("signature: %w", err)
	}
	if len(l.keys) == 0 {
		return NotChecked, "", nil
	}
	fp, err := verifyDetached(l.keys, data, sig)
	if err != nil {
		return Failed, "", fmt.Errorf("OpenPGP signature %s does not verify against the provider's keys (%s): %v", u, strings.Join(l.KeyFingerprints, ", "), err)
	}
	return Verified, fp, nil
}

var reFileNameChars = lazyre.New(`[^+\-a-z0-9]+`)

// FileName is the file name CSAF 2.0 §5.1 derives from a tracking id: lower case, every run of
// characters other than "+", "-", a–z and 0–9 replaced by "_", and ".json".
func FileName(trackingID string) string {
	return reFileNameChars.ReplaceAllString(strings.ToLower(trackingID), "_") + ".json"
}

// resolve resolves ref against base; ref is returned unchanged when either does not parse.
func resolve(base, ref string) string {
	r, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	b, err := url.Parse(base)
	if err != nil || base == "" {
		return ref
	}
	return b.ResolveReference(r).String()
}
