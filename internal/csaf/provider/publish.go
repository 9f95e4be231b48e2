package provider

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/vigil-med/vigil/internal/csaf"
)

// Validate checks a CSAF document before publication: everything csaf.Parse checks, with the
// mandatory tests that Parse only warns about treated as errors. The error is a *csaf.InvalidError
// (or a *csaf.SyntaxError / *csaf.NotCSAFError) listing each problem with its JSON path.
func Validate(doc []byte) error {
	_, err := validate(doc, "document")
	return err
}

func validate(doc []byte, name string) (*csaf.Advisory, error) {
	a, err := csaf.ParseBytes(doc, name)
	if err != nil {
		return nil, err
	}
	if len(a.Warnings) > 0 {
		return nil, &csaf.InvalidError{Name: name, Problems: a.Warnings}
	}
	return a, nil
}

// PublishedDoc is one advisory to publish, as the exact bytes to serve (hashes and signature are made
// over them).
type PublishedDoc struct {
	Data []byte
	// Signature, when set, is the armoured detached signature made when the document was published
	// (kept so that the served signature does not change); otherwise Publish signs Data with its key.
	Signature []byte
}

// MetadataOptions describe the provider.
type MetadataOptions struct {
	// BaseURL is the provider's origin, "https://psirt.example.com" (no trailing slash needed); every
	// URL in the metadata and feeds is absolute and starts with it.
	BaseURL   string
	Publisher csaf.Publisher // Name, Namespace and Category are required by the schema
	// Role defaults to csaf_trusted_provider.
	Role                string
	ListOnAggregators   bool
	MirrorOnAggregators bool
	// LastUpdated defaults to the latest current_release_date of the documents (or the Unix epoch for
	// an empty site), so that publishing the same documents twice yields the same bytes.
	LastUpdated time.Time
}

// File is one file of a Site.
type File struct {
	Data    []byte
	ModTime time.Time
	// TLP is the label that guards the file: "" or WHITE for public files, GREEN, AMBER or RED for
	// files that Site.Handler serves only to authorised callers.
	TLP string
}

// Site is every file of a CSAF provider, keyed by path from the web root
// (".well-known/csaf/provider-metadata.json", ".well-known/csaf/white/2024/abc-2024-0001.json", …).
type Site struct {
	Files map[string]File
	// MetadataURL is the canonical URL of provider-metadata.json.
	MetadataURL string
}

// Layout of the published files, under BaseURL:
//
//	.well-known/csaf/provider-metadata.json
//	.well-known/csaf/openpgp/<FINGERPRINT>.asc                 public key
//	.well-known/csaf/<tlp>/<YYYY>/<file name>.json             YYYY: year of initial_release_date
//	.well-known/csaf/<tlp>/<YYYY>/<file name>.json.sha256      "<hex>  <file name>"
//	.well-known/csaf/<tlp>/<YYYY>/<file name>.json.sha512
//	.well-known/csaf/<tlp>/<YYYY>/<file name>.json.asc         armoured detached signature
//	.well-known/csaf/<tlp>/index.txt                            one "YYYY/<file>.json" a line
//	.well-known/csaf/<tlp>/changes.csv                          "YYYY/<file>.json","<current_release_date>", newest first
//	.well-known/csaf/<tlp>/csaf-feed-tlp-<tlp>.json             ROLIE feed
//
// <tlp> is white, green, amber or red. The metadata lists the white folder as directory_url and one
// ROLIE feed per label present (white always).
const wellKnown = ".well-known/csaf/"

// Publish validates and signs docs and lays out a trusted provider's site. Every document must pass
// Validate, carry a TLP label (document.distribution.tlp.label) and have a tracking id unique among
// docs; key must hold a private signing key. Only TLP:WHITE documents are public; the others are in
// their own folders and feeds, marked with their label in File.TLP for Site.Handler to guard.
func Publish(docs []PublishedDoc, key *openpgp.Entity, opts MetadataOptions) (*Site, error) {
	if key == nil || key.PrivateKey == nil {
		return nil, errors.New("publish CSAF: a private OpenPGP key is required")
	}
	base := strings.TrimRight(opts.BaseURL, "/")
	if !strings.HasPrefix(base, "https://") && !strings.HasPrefix(base, "http://") {
		return nil, fmt.Errorf("publish CSAF: base URL %q is not an http(s) URL", opts.BaseURL)
	}
	if opts.Role == "" {
		opts.Role = RoleTrustedProvider
	}
	site := &Site{Files: map[string]File{}, MetadataURL: base + "/" + wellKnown + "provider-metadata.json"}
	type published struct {
		adv  *csaf.Advisory
		path string // relative to the TLP folder
	}
	byTLP := map[string][]published{}
	seen := map[string]int{}
	latest := time.Time{}
	for i, d := range docs {
		name := fmt.Sprintf("document %d", i+1)
		a, err := validate(d.Data, name)
		if err != nil {
			return nil, fmt.Errorf("publish CSAF: %w", err)
		}
		if j, dup := seen[a.TrackingID]; dup {
			return nil, fmt.Errorf("publish CSAF: documents %d and %d have the same tracking id %q", j, i+1, a.TrackingID)
		}
		seen[a.TrackingID] = i + 1
		tlp := strings.ToUpper(a.TLP)
		if tlp == "" {
			return nil, fmt.Errorf("publish CSAF: %s (%s) has no TLP label; set document.distribution.tlp.label", name, a.TrackingID)
		}
		folder := strings.ToLower(tlp)
		rel := fmt.Sprintf("%04d/%s", a.InitialRelease.Year(), FileName(a.TrackingID))
		full := wellKnown + folder + "/" + rel
		sig, err := d.Signature, error(nil)
		if len(sig) == 0 {
			sig, err = signDetached(key, d.Data)
		}
		if err != nil {
			return nil, fmt.Errorf("publish CSAF: sign %s: %w", a.TrackingID, err)
		}
		s256, s512 := sha256.Sum256(d.Data), sha512.Sum512(d.Data)
		fname := path.Base(rel)
		mod := a.CurrentRelease
		site.Files[full] = File{Data: d.Data, ModTime: mod, TLP: tlp}
		site.Files[full+".sha256"] = File{Data: []byte(hex.EncodeToString(s256[:]) + "  " + fname + "\n"), ModTime: mod, TLP: tlp}
		site.Files[full+".sha512"] = File{Data: []byte(hex.EncodeToString(s512[:]) + "  " + fname + "\n"), ModTime: mod, TLP: tlp}
		site.Files[full+".asc"] = File{Data: sig, ModTime: mod, TLP: tlp}
		byTLP[tlp] = append(byTLP[tlp], published{a, rel})
		if a.CurrentRelease.After(latest) {
			latest = a.CurrentRelease
		}
	}
	if opts.LastUpdated.IsZero() {
		opts.LastUpdated = latest
		if latest.IsZero() {
			opts.LastUpdated = time.Unix(0, 0)
		}
	}
	if _, ok := byTLP["WHITE"]; !ok {
		byTLP["WHITE"] = nil
	}
	labels := make([]string, 0, len(byTLP))
	for tlp := range byTLP {
		labels = append(labels, tlp)
	}
	slices.SortFunc(labels, func(a, b string) int { return tlpRank(a) - tlpRank(b) })

	meta := metadataJSON{
		CanonicalURL:        site.MetadataURL,
		LastUpdated:         opts.LastUpdated.UTC().Format(time.RFC3339),
		ListOnAggregators:   opts.ListOnAggregators,
		MetadataVersion:     "2.0",
		MirrorOnAggregators: opts.MirrorOnAggregators,
		Publisher: publisherJSON{Category: opts.Publisher.Category, ContactDetails: opts.Publisher.ContactDetails,
			IssuingAuthority: opts.Publisher.IssuingAuthority, Name: opts.Publisher.Name, Namespace: opts.Publisher.Namespace},
		Role: opts.Role,
	}
	rolie := &rolieJSON{}
	for _, tlp := range labels {
		folder := strings.ToLower(tlp)
		docsOf := byTLP[tlp]
		// Newest first, then by path, for stable output.
		slices.SortFunc(docsOf, func(a, b published) int {
			if c := b.adv.CurrentRelease.Compare(a.adv.CurrentRelease); c != 0 {
				return c
			}
			return strings.Compare(a.path, b.path)
		})
		folderURL := base + "/" + wellKnown + folder + "/"
		var index bytes.Buffer
		var changes bytes.Buffer
		cw := csv.NewWriter(&changes)
		feedURL := folderURL + "csaf-feed-tlp-" + folder + ".json"
		feed := feedJSON{}
		feed.Feed.ID = "csaf-feed-tlp-" + folder
		feed.Feed.Title = opts.Publisher.Name + " CSAF feed (TLP:" + tlp + ")"
		feed.Feed.Link = []linkJSON{{Rel: "self", HRef: feedURL}}
		feed.Feed.Category = []categoryJSON{{Scheme: "urn:ietf:params:rolie:category:information-type", Term: "csaf"}}
		feed.Feed.Updated = opts.LastUpdated.UTC().Format(time.RFC3339)
		feed.Feed.Entry = []entryJSON{}
		paths := make([]string, 0, len(docsOf))
		for _, p := range docsOf {
			paths = append(paths, p.path)
			_ = cw.Write([]string{p.path, p.adv.CurrentRelease.UTC().Format(time.RFC3339)})
			u := folderURL + p.path
			en := entryJSON{
				ID:        p.adv.TrackingID,
				Title:     p.adv.Title,
				Link:      []linkJSON{{Rel: "self", HRef: u}, {Rel: "hash", HRef: u + ".sha256"}, {Rel: "hash", HRef: u + ".sha512"}, {Rel: "signature", HRef: u + ".asc"}},
				Published: p.adv.InitialRelease.UTC().Format(time.RFC3339),
				Updated:   p.adv.CurrentRelease.UTC().Format(time.RFC3339),
				Content:   contentJSON{Type: "application/json", Src: u},
				Format:    formatJSON{Schema: "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json", Version: "2.0"},
			}
			if s := summaryOf(p.adv); s != "" {
				en.Summary = &summaryJSON{Content: s}
			}
			feed.Feed.Entry = append(feed.Feed.Entry, en)
		}
		cw.Flush()
		slices.Sort(paths)
		for _, p := range paths {
			index.WriteString(p + "\n")
		}
		tlpOfFile := tlp
		site.Files[wellKnown+folder+"/index.txt"] = File{Data: index.Bytes(), ModTime: opts.LastUpdated, TLP: tlpOfFile}
		site.Files[wellKnown+folder+"/changes.csv"] = File{Data: changes.Bytes(), ModTime: opts.LastUpdated, TLP: tlpOfFile}
		fb, err := json.MarshalIndent(feed, "", "  ")
		if err != nil {
			return nil, err
		}
		site.Files[wellKnown+folder+"/csaf-feed-tlp-"+folder+".json"] = File{Data: append(fb, '\n'), ModTime: opts.LastUpdated, TLP: tlpOfFile}
		rolie.Feeds = append(rolie.Feeds, feedRefJSON{Summary: "TLP:" + tlp + " advisories", TLPLabel: tlp, URL: feedURL})
	}
	meta.Distributions = []distributionJSON{{DirectoryURL: base + "/" + wellKnown + "white/", Rolie: rolie}}

	pub, err := ArmorPublicKey(key)
	if err != nil {
		return nil, fmt.Errorf("publish CSAF: public key: %w", err)
	}
	fp := Fingerprint(key)
	keyPath := wellKnown + "openpgp/" + fp + ".asc"
	site.Files[keyPath] = File{Data: pub, ModTime: opts.LastUpdated}
	meta.PublicOpenPGPKeys = []keyJSON{{Fingerprint: fp, URL: base + "/" + keyPath}}
	mb, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return nil, err
	}
	mb = append(mb, '\n')
	if _, err := ParseMetadata(mb, ""); err != nil {
		return nil, fmt.Errorf("publish CSAF: the generated provider metadata is invalid (check MetadataOptions.Publisher): %w", err)
	}
	site.Files[wellKnown+"provider-metadata.json"] = File{Data: mb, ModTime: opts.LastUpdated}
	return site, nil
}

func tlpRank(l string) int {
	return slices.Index([]string{"WHITE", "GREEN", "AMBER", "RED"}, l)
}

func summaryOf(a *csaf.Advisory) string {
	for _, n := range a.Notes {
		if n.Category == "summary" {
			return n.Text
		}
	}
	return ""
}

// WriteDir writes the site under dir (created when missing). Files guarded by a TLP other than WHITE
// are written too: the web server in front of dir must protect their folders.
func (s *Site) WriteDir(dir string) error {
	paths := make([]string, 0, len(s.Files))
	for p := range s.Files {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		f := s.Files[p]
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return fmt.Errorf("write CSAF site: %w", err)
		}
		if err := os.WriteFile(full, f.Data, 0o644); err != nil {
			return fmt.Errorf("write CSAF site: %w", err)
		}
		if !f.ModTime.IsZero() {
			_ = os.Chtimes(full, f.ModTime, f.ModTime)
		}
	}
	return nil
}

// Handler serves the site: GET and HEAD of exact paths, with Content-Type, ETag and Last-Modified
// and conditional requests (If-None-Match, If-Modified-Since → 304). Files with a TLP other than
// WHITE are served only when authorize(r, tlp) returns true; otherwise 401 (authorize nil refuses
// them all). Mount it at the web root (it expects paths starting with /.well-known/csaf/).
func (s *Site) Handler(authorize func(r *http.Request, tlp string) bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		f, ok := s.Files[strings.TrimPrefix(r.URL.Path, "/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if f.TLP != "" && f.TLP != "WHITE" && (authorize == nil || !authorize(r, f.TLP)) {
			http.Error(w, "TLP:"+f.TLP+" content requires authorisation", http.StatusUnauthorized)
			return
		}
		sum := sha256.Sum256(f.Data)
		w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
		w.Header().Set("Content-Type", contentType(r.URL.Path))
		if f.TLP != "" && f.TLP != "WHITE" {
			w.Header().Set("Cache-Control", "private, no-store")
		}
		http.ServeContent(w, r, path.Base(r.URL.Path), f.ModTime, bytes.NewReader(f.Data))
	})
}

func contentType(p string) string {
	switch {
	case strings.HasSuffix(p, ".json"):
		return "application/json"
	case strings.Contains(p, "/openpgp/") && strings.HasSuffix(p, ".asc"):
		return "application/pgp-keys"
	case strings.HasSuffix(p, ".asc"):
		return "application/pgp-signature"
	case strings.HasSuffix(p, ".csv"):
		return "text/csv; charset=utf-8"
	}
	return "text/plain; charset=utf-8"
}

// JSON shapes of what Publish writes (the provider metadata and ROLIE feed schemas).
type metadataJSON struct {
	CanonicalURL        string             `json:"canonical_url"`
	Distributions       []distributionJSON `json:"distributions"`
	LastUpdated         string             `json:"last_updated"`
	ListOnAggregators   bool               `json:"list_on_CSAF_aggregators"`
	MetadataVersion     string             `json:"metadata_version"`
	MirrorOnAggregators bool               `json:"mirror_on_CSAF_aggregators"`
	PublicOpenPGPKeys   []keyJSON          `json:"public_openpgp_keys"`
	Publisher           publisherJSON      `json:"publisher"`
	Role                string             `json:"role"`
}

type distributionJSON struct {
	DirectoryURL string     `json:"directory_url,omitempty"`
	Rolie        *rolieJSON `json:"rolie,omitempty"`
}

type rolieJSON struct {
	Feeds []feedRefJSON `json:"feeds"`
}

type feedRefJSON struct {
	Summary  string `json:"summary"`
	TLPLabel string `json:"tlp_label"`
	URL      string `json:"url"`
}

type keyJSON struct {
	Fingerprint string `json:"fingerprint"`
	URL         string `json:"url"`
}

type publisherJSON struct {
	Category         string `json:"category"`
	ContactDetails   string `json:"contact_details,omitempty"`
	IssuingAuthority string `json:"issuing_authority,omitempty"`
	Name             string `json:"name"`
	Namespace        string `json:"namespace"`
}

type feedJSON struct {
	Feed struct {
		ID       string         `json:"id"`
		Title    string         `json:"title"`
		Link     []linkJSON     `json:"link"`
		Category []categoryJSON `json:"category"`
		Updated  string         `json:"updated"`
		Entry    []entryJSON    `json:"entry"`
	} `json:"feed"`
}

type linkJSON struct {
	Rel  string `json:"rel"`
	HRef string `json:"href"`
}

type categoryJSON struct {
	Scheme string `json:"scheme"`
	Term   string `json:"term"`
}

type entryJSON struct {
	ID        string       `json:"id"`
	Title     string       `json:"title"`
	Link      []linkJSON   `json:"link"`
	Published string       `json:"published"`
	Updated   string       `json:"updated"`
	Summary   *summaryJSON `json:"summary,omitempty"`
	Content   contentJSON  `json:"content"`
	Format    formatJSON   `json:"format"`
}

type summaryJSON struct {
	Content string `json:"content"`
}

type contentJSON struct {
	Type string `json:"type"`
	Src  string `json:"src"`
}

type formatJSON struct {
	Schema  string `json:"schema"`
	Version string `json:"version"`
}
