package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/vigil-med/vigil/internal/csaf"
	"github.com/vigil-med/vigil/internal/vex"
)

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	k, _ := keys(t)
	srv := startServer(t, testDocs(t), false, nil)

	md, err := Discover(ctx, srv.Client(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if md.Role != RoleTrustedProvider || md.CanonicalURL != srv.URL+"/.well-known/csaf/provider-metadata.json" || md.Publisher != testPublisher || !md.ListOnAggregators {
		t.Errorf("metadata = %+v", md)
	}
	if diff := cmp.Diff([]PublicKey{{Fingerprint: Fingerprint(k), URL: srv.URL + "/.well-known/csaf/openpgp/" + Fingerprint(k) + ".asc"}}, md.PublicKeys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	wantFeeds := []Feed{
		{Summary: "TLP:WHITE advisories", TLP: "WHITE", URL: srv.URL + "/.well-known/csaf/white/csaf-feed-tlp-white.json"},
		{Summary: "TLP:GREEN advisories", TLP: "GREEN", URL: srv.URL + "/.well-known/csaf/green/csaf-feed-tlp-green.json"},
	}
	if diff := cmp.Diff([]Distribution{{DirectoryURL: srv.URL + "/.well-known/csaf/white/", Feeds: wantFeeds}}, md.Distributions); diff != "" {
		t.Errorf("distributions (-want +got):\n%s", diff)
	}

	// Without authorisation only TLP:WHITE is read; the GREEN feed's refusal is a problem, not a failure.
	l, docs, err := Fetch(ctx, FetchOptions{Client: srv.Client(), Metadata: md, RequireSignature: true, RequireHash: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Problems) != 1 || !strings.Contains(l.Problems[0], "csaf-feed-tlp-green.json: HTTP 401") {
		t.Errorf("problems = %q", l.Problems)
	}
	var ids []string
	for _, d := range docs {
		if d.Err != nil {
			t.Fatalf("%s: %v", d.Entry.URL, d.Err)
		}
		want := Verification{SHA256: Verified, SHA512: Verified, Signature: Verified, SignedBy: Fingerprint(k)}
		if d.Verification != want || len(d.Problems) != 0 {
			t.Errorf("%s: verification %+v problems %q", d.Entry.URL, d.Verification, d.Problems)
		}
		ids = append(ids, d.Advisory.TrackingID)
	}
	if diff := cmp.Diff([]string{"SEC-VEX-2022-0001", "2022-EVD-UC-01-A-001", "2022-EVD-UC-01-NA-001"}, ids); diff != "" {
		t.Errorf("tracking ids, newest first (-want +got):\n%s", diff)
	}
	if u := docs[2].Entry.URL; u != srv.URL+"/.well-known/csaf/white/2022/2022-evd-uc-01-na-001.json" {
		t.Errorf("URL = %s", u)
	}
	// What the hospital gets in the end: VEX statements.
	st := csaf.Statements(docs[2].Advisory)
	if len(st) != 1 || st[0].Status != vex.NotAffected || st[0].Vulnerability != "CVE-2021-44228" {
		t.Errorf("statements = %+v", st)
	}

	// With authorisation the GREEN feed is read as well.
	authed := &http.Client{Transport: headerTransport{"Authorization", "Bearer green", http.DefaultTransport}}
	l, docs, err = Fetch(ctx, FetchOptions{Client: authed, Metadata: md, RequireSignature: true})
	if err != nil || len(l.Problems) != 0 || len(docs) != 4 {
		t.Fatalf("authorised fetch: %d docs, problems %q, err %v", len(docs), l.Problems, err)
	}
	green := docs[3]
	if green.Err != nil || green.Entry.TLP != "GREEN" || green.Advisory.TLP != "GREEN" || green.Advisory.TrackingID != "2022-EVD-UC-05-001" {
		t.Errorf("green document = %+v", green)
	}
	// TLP filter.
	l, err = List(ctx, FetchOptions{Client: authed, Metadata: md, TLP: []string{"green"}})
	if err != nil || len(l.Entries) != 1 || l.Entries[0].TLP != "GREEN" {
		t.Errorf("TLP filter: %+v, %v", l, err)
	}
}

// TestPublishedFilesValidate checks the generated metadata and feeds against gocsaf's schemas and the
// layout of the directory distribution.
func TestPublishedFilesValidate(t *testing.T) {
	k, _ := keys(t)
	site, err := Publish(testDocs(t), k, MetadataOptions{BaseURL: "https://psirt.example.test/", Publisher: testPublisher})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for p := range site.Files {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	fp := Fingerprint(k)
	want := []string{
		".well-known/csaf/green/2022/2022-evd-uc-05-001.json",
		".well-known/csaf/green/2022/2022-evd-uc-05-001.json.asc",
		".well-known/csaf/green/2022/2022-evd-uc-05-001.json.sha256",
		".well-known/csaf/green/2022/2022-evd-uc-05-001.json.sha512",
		".well-known/csaf/green/changes.csv",
		".well-known/csaf/green/csaf-feed-tlp-green.json",
		".well-known/csaf/green/index.txt",
		".well-known/csaf/openpgp/" + fp + ".asc",
		".well-known/csaf/provider-metadata.json",
	}
	for _, id := range []string{"2022-evd-uc-01-a-001", "2022-evd-uc-01-na-001", "sec-vex-2022-0001"} {
		for _, ext := range []string{"", ".asc", ".sha256", ".sha512"} {
			want = append(want, ".well-known/csaf/white/2022/"+id+".json"+ext)
		}
	}
	want = append(want, ".well-known/csaf/white/changes.csv", ".well-known/csaf/white/csaf-feed-tlp-white.json", ".well-known/csaf/white/index.txt")
	slices.Sort(want)
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	white := ".well-known/csaf/white/"
	if got := string(site.Files[white+"index.txt"].Data); got != "2022/2022-evd-uc-01-a-001.json\n2022/2022-evd-uc-01-na-001.json\n2022/sec-vex-2022-0001.json\n" {
		t.Errorf("index.txt = %q", got)
	}
	if got := string(site.Files[white+"changes.csv"].Data); got != "2022/sec-vex-2022-0001.json,2022-05-27T10:00:00Z\n2022/2022-evd-uc-01-a-001.json,2022-04-01T08:00:00Z\n2022/2022-evd-uc-01-na-001.json,2022-03-03T11:00:00Z\n" {
		t.Errorf("changes.csv = %q", got)
	}
	if got := string(site.Files[white+"2022/sec-vex-2022-0001.json.sha256"].Data); !strings.HasSuffix(got, "  sec-vex-2022-0001.json\n") || len(got) != 64+2+len("sec-vex-2022-0001.json")+1 {
		t.Errorf(".sha256 = %q", got)
	}
	if site.Files[white+"index.txt"].TLP != "WHITE" || site.Files[".well-known/csaf/green/index.txt"].TLP != "GREEN" {
		t.Error("TLP of listings not recorded")
	}
	if err := validateWithGocsaf(site); err != nil {
		t.Error(err)
	}
	// Deterministic: publishing the same documents again gives the same metadata and feeds.
	again, err := Publish(testDocs(t), k, MetadataOptions{BaseURL: "https://psirt.example.test", Publisher: testPublisher})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{".well-known/csaf/provider-metadata.json", white + "csaf-feed-tlp-white.json", white + "changes.csv"} {
		if !bytes.Equal(site.Files[p].Data, again.Files[p].Data) {
			t.Errorf("%s differs between two publications", p)
		}
	}
	// WriteDir lays out the same files.
	dir := t.TempDir()
	if err := site.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, ".well-known", "csaf", "white", "index.txt"))
	if err != nil || !bytes.Equal(got, site.Files[white+"index.txt"].Data) {
		t.Errorf("WriteDir index.txt = %q, %v", got, err)
	}
}

func TestPublishRefuses(t *testing.T) {
	k, _ := keys(t)
	cisa, err := os.ReadFile("../testdata/icsma/icsma-22-151-01.json")
	if err != nil {
		t.Fatal(err)
	}
	good := fixture(t, "csaf_csaf_vex_2022-evd-uc-01-na-001.json", "WHITE", "")
	tests := []struct {
		name string
		docs []PublishedDoc
		key  bool
		opts MetadataOptions
		want string
	}{
		{"CISA advisory breaks 6.1.31", []PublishedDoc{{Data: cisa}}, true, MetadataOptions{BaseURL: "https://x.test", Publisher: testPublisher}, "mandatory test 6.1.31"},
		{"no TLP", []PublishedDoc{{Data: fixture(t, "csaf_csaf_vex_2022-evd-uc-01-na-001.json", "", "")}}, true, MetadataOptions{BaseURL: "https://x.test", Publisher: testPublisher}, "has no TLP label"},
		{"duplicate tracking id", []PublishedDoc{{Data: good}, {Data: good}}, true, MetadataOptions{BaseURL: "https://x.test", Publisher: testPublisher}, "same tracking id"},
		{"no key", []PublishedDoc{{Data: good}}, false, MetadataOptions{BaseURL: "https://x.test", Publisher: testPublisher}, "private OpenPGP key is required"},
		{"bad base URL", []PublishedDoc{{Data: good}}, true, MetadataOptions{BaseURL: "x.test", Publisher: testPublisher}, "not an http(s) URL"},
		{"publisher incomplete", []PublishedDoc{{Data: good}}, true, MetadataOptions{BaseURL: "https://x.test", Publisher: csaf.Publisher{Name: "X"}}, "generated provider metadata is invalid"},
		{"truncated", []PublishedDoc{{Data: good[:200]}}, true, MetadataOptions{BaseURL: "https://x.test", Publisher: testPublisher}, "truncated JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var kk = k
			if !tt.key {
				kk = nil
			}
			_, err := Publish(tt.docs, kk, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	if err := Validate(good); err != nil {
		t.Errorf("Validate(good) = %v", err)
	}
	var ie *csaf.InvalidError
	if err := Validate(cisa); !errors.As(err, &ie) || len(ie.Problems) == 0 || !strings.HasPrefix(ie.Problems[0].Path, "$.product_tree.branches[0]") {
		t.Errorf("Validate(CISA) = %v", err)
	}
}

func TestIncrementalAndConditional(t *testing.T) {
	ctx := context.Background()
	srv := startServer(t, testDocs(t), false, nil)
	md, err := Discover(ctx, srv.Client(), srv.URL+"/.well-known/csaf/provider-metadata.json")
	if err != nil {
		t.Fatal(err)
	}
	since := time.Date(2022, 3, 15, 0, 0, 0, 0, time.UTC)
	l, err := List(ctx, FetchOptions{Client: srv.Client(), Metadata: md, Since: since, TLP: []string{"WHITE"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range l.Entries {
		got = append(got, filepath.Base(e.URL)+" "+e.Updated.Format(time.RFC3339))
	}
	want := []string{"sec-vex-2022-0001.json 2022-05-27T10:00:00Z", "2022-evd-uc-01-a-001.json 2022-04-01T08:00:00Z"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("entries since %s (-want +got):\n%s", since, diff)
	}
	feed := srv.URL + "/.well-known/csaf/white/csaf-feed-tlp-white.json"
	if v := l.Validators[feed]; v.ETag == "" || v.LastModified == "" {
		t.Fatalf("validators = %+v", l.Validators)
	}
	// The next run sends the validators: the unchanged feed answers 304 and yields no entries.
	l2, err := List(ctx, FetchOptions{Client: srv.Client(), Metadata: md, TLP: []string{"WHITE"}, Validators: l.Validators})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{feed}, l2.Unchanged); diff != "" || len(l2.Entries) != 0 {
		t.Errorf("unchanged (-want +got):\n%s\nentries %v", diff, l2.Entries)
	}
	if l2.Validators[feed] != l.Validators[feed] {
		t.Error("validators of an unchanged feed not kept")
	}
}

// tamper replaces the answer for paths ending in suffix with body (nil: 404).
func tamper(suffix string, body func(orig []byte) []byte) func(*Site, http.Handler) http.Handler {
	return tamperMatch(func(p string) bool { return strings.HasSuffix(p, suffix) }, body)
}

// tamperMatch replaces the answer for paths that match with body (nil: 404).
func tamperMatch(match func(path string) bool, body func(orig []byte) []byte) func(*Site, http.Handler) http.Handler {
	return func(site *Site, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !match(r.URL.Path) {
				next.ServeHTTP(w, r)
				return
			}
			b := body(site.Files[strings.TrimPrefix(r.URL.Path, "/")].Data)
			if b == nil {
				http.NotFound(w, r)
				return
			}
			w.Write(b)
		})
	}
}

func TestTamperedDocuments(t *testing.T) {
	ctx := context.Background()
	_, other := keys(t)
	const victim = "2022-evd-uc-01-a-001.json"
	otherSig := func([]byte) []byte {
		doc := fixture(t, "csaf_csaf_vex_2022-evd-uc-01-a-001.json", "WHITE", "2022-04-01T08:00:00.000Z")
		sig, err := signDetached(other, doc)
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
	tests := []struct {
		name     string
		wrap     func(*Site, http.Handler) http.Handler
		opts     func(*FetchOptions)
		wantErr  string       // error of the victim; "" = accepted
		wantVer  Verification // of the victim
		problems string       // expected in Listing.Problems
		allFail  bool         // every document is rejected, not only the victim
	}{
		{name: "document changed", wrap: tamper(victim, func(b []byte) []byte { return bytes.Replace(b, []byte("Example Company"), []byte("Evil Company"), 1) }),
			wantErr: "SHA-256 mismatch"},
		{name: "sha256 file changed", wrap: tamper(victim+".sha256", func(b []byte) []byte { return append([]byte("00"), b[2:]...) }),
			wantErr: "SHA-256 mismatch"},
		{name: "sha512 file changed", wrap: tamper(victim+".sha512", func([]byte) []byte { return []byte(strings.Repeat("ab", 64) + "  x.json\n") }),
			wantErr: "SHA-512 mismatch"},
		{name: "signature by another key", wrap: tamper(victim+".asc", otherSig), wantErr: "does not verify against the provider's keys"},
		{name: "signature garbage", wrap: tamper(victim+".asc", func([]byte) []byte {
			return []byte("-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n")
		}),
			wantErr: "does not verify"},
		{name: "signature missing, not required", wrap: tamper(victim+".asc", func([]byte) []byte { return nil }),
			opts:    func(o *FetchOptions) { o.RequireSignature = false },
			wantVer: Verification{SHA256: Verified, SHA512: Verified, Signature: Missing}},
		{name: "signature missing, required", wrap: tamper(victim+".asc", func([]byte) []byte { return nil }), wantErr: "signature missing, and a verified signature is required"},
		{name: "hashes missing, required", wrap: tamperMatch(func(p string) bool { return strings.Contains(p, victim+".sha") }, func([]byte) []byte { return nil }),
			opts: func(o *FetchOptions) { o.RequireHash = true }, wantErr: "no .sha256 or .sha512 file published"},
		{name: "public key does not match the metadata fingerprint", wrap: tamper(".asc", func(b []byte) []byte { return b }),
			opts: func(o *FetchOptions) {
				o.Metadata.PublicKeys[0].Fingerprint = strings.Repeat("A", 40)
				o.RequireSignature = false
			},
			wantVer:  Verification{SHA256: Verified, SHA512: Verified, Signature: NotChecked},
			problems: "does not match " + strings.Repeat("A", 40)},
		{name: "pinned key is another key", opts: func(o *FetchOptions) { o.Keys = append(o.Keys[:0:0], other) }, wantErr: "does not verify", allFail: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, testDocs(t), false, tt.wrap)
			md, err := Discover(ctx, srv.Client(), srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			opts := FetchOptions{Client: srv.Client(), Metadata: md, RequireSignature: true, TLP: []string{"WHITE"}}
			if tt.opts != nil {
				tt.opts(&opts)
			}
			l, docs, err := Fetch(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			if tt.problems != "" && !strings.Contains(strings.Join(l.Problems, "\n"), tt.problems) {
				t.Errorf("problems = %q, want %q", l.Problems, tt.problems)
			}
			if len(docs) != 3 {
				t.Fatalf("%d documents", len(docs))
			}
			for _, d := range docs {
				if !strings.HasSuffix(d.Entry.URL, "/"+victim) {
					// The other documents are not affected by the victim's fate.
					if tt.problems == "" && (d.Err != nil) != tt.allFail {
						t.Errorf("%s: err = %v", d.Entry.URL, d.Err)
					}
					continue
				}
				switch {
				case tt.wantErr == "" && d.Err != nil:
					t.Errorf("victim rejected: %v", d.Err)
				case tt.wantErr != "" && (d.Err == nil || !strings.Contains(d.Err.Error(), tt.wantErr)):
					t.Errorf("victim err = %v, want %q", d.Err, tt.wantErr)
				case tt.wantErr == "" && d.Verification != tt.wantVer:
					t.Errorf("verification = %+v, want %+v", d.Verification, tt.wantVer)
				case tt.wantErr != "" && d.Advisory != nil:
					t.Error("rejected document still carries an advisory")
				}
			}
		})
	}
}

// TestDirectoryDistribution serves metadata without ROLIE: the client falls back to changes.csv and,
// without it, to index.txt.
func TestDirectoryDistribution(t *testing.T) {
	ctx := context.Background()
	noROLIE := func(site *Site, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/provider-metadata.json") {
				var m map[string]any
				json.Unmarshal(site.Files[strings.TrimPrefix(r.URL.Path, "/")].Data, &m)
				d := m["distributions"].([]any)[0].(map[string]any)
				delete(d, "rolie")
				json.NewEncoder(w).Encode(m)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	for _, withChanges := range []bool{true, false} {
		t.Run(fmt.Sprintf("changes.csv %v", withChanges), func(t *testing.T) {
			wrap := noROLIE
			if !withChanges {
				wrap = func(site *Site, next http.Handler) http.Handler {
					return noROLIE(site, tamper("changes.csv", func([]byte) []byte { return nil })(site, next))
				}
			}
			srv := startServer(t, testDocs(t), false, wrap)
			md, err := Discover(ctx, srv.Client(), srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			since := time.Date(2022, 3, 15, 0, 0, 0, 0, time.UTC)
			l, docs, err := Fetch(ctx, FetchOptions{Client: srv.Client(), Metadata: md, RequireSignature: true, RequireHash: true, Since: since})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range docs {
				if d.Err != nil || d.Verification.Signature != Verified {
					t.Errorf("%s: %v %+v", d.Entry.URL, d.Err, d.Verification)
				}
				got = append(got, filepath.Base(d.Entry.URL))
			}
			want := []string{"sec-vex-2022-0001.json", "2022-evd-uc-01-a-001.json"} // changes.csv honours Since
			if !withChanges {
				want = []string{"2022-evd-uc-01-a-001.json", "2022-evd-uc-01-na-001.json", "sec-vex-2022-0001.json"}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("documents (-want +got):\n%s\nproblems %q", diff, l.Problems)
			}
		})
	}
}

// rewriteTransport sends requests for the named hosts to the test server and answers 404 for others.
type rewriteTransport struct {
	to    *url.URL
	hosts map[string]bool
}

func (rt rewriteTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if !rt.hosts[r.URL.Host] {
		return &http.Response{StatusCode: http.StatusNotFound, Body: io.NopCloser(strings.NewReader("")), Request: r, Header: http.Header{}}, nil
	}
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host = rt.to.Scheme, rt.to.Host
	return http.DefaultTransport.RoundTrip(r)
}

func TestDiscover(t *testing.T) {
	ctx := context.Background()
	t.Run("security.txt", func(t *testing.T) {
		var srv *testServer
		srv = startServer(t, testDocs(t), false, func(site *Site, next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/.well-known/csaf/provider-metadata.json":
					http.NotFound(w, r)
				case "/.well-known/security.txt":
					fmt.Fprintf(w, "Contact: mailto:psirt@example.test\nCSAF: %s/psirt/provider-metadata.json\n", srv.URL)
				case "/psirt/provider-metadata.json":
					w.Write(site.Files[".well-known/csaf/provider-metadata.json"].Data)
				default:
					next.ServeHTTP(w, r)
				}
			})
		})
		md, err := Discover(ctx, srv.Client(), srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		if md.URL != srv.URL+"/psirt/provider-metadata.json" || len(md.Warnings) != 2 {
			t.Errorf("URL %s warnings %q", md.URL, md.Warnings)
		}
	})
	t.Run("csaf.data.security DNS name", func(t *testing.T) {
		srv := startServer(t, testDocs(t), false, nil)
		to, _ := url.Parse(srv.URL)
		client := &http.Client{Transport: rewriteTransport{to: to, hosts: map[string]bool{"csaf.data.security.hospital-supplier.test": true}}}
		md, err := Discover(ctx, client, "http://hospital-supplier.test")
		if err != nil {
			t.Fatal(err)
		}
		if md.URL != "http://csaf.data.security.hospital-supplier.test/.well-known/csaf/provider-metadata.json" {
			t.Errorf("URL = %s", md.URL)
		}
	})
	t.Run("nothing found", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		defer srv.Close()
		_, err := Discover(ctx, srv.Client(), srv.URL)
		if err == nil || strings.Count(err.Error(), "HTTP 404") != 3 || !strings.Contains(err.Error(), "no valid provider-metadata.json found") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("invalid metadata", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"canonical_url": "https://x.test/.well-known/csaf/provider-metadata.json", "role": "csaf_boss"}`))
		}))
		defer srv.Close()
		_, err := Discover(ctx, srv.Client(), srv.URL+"/.well-known/csaf/provider-metadata.json")
		var ie *csaf.InvalidError
		if !errors.As(err, &ie) || !slices.ContainsFunc(ie.Problems, func(p csaf.ValidationError) bool { return p.Path == "$.role" }) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("too large", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write(bytes.Repeat([]byte(" "), int(MaxMetadataSize)+10))
		}))
		defer srv.Close()
		_, err := Discover(ctx, srv.Client(), srv.URL+"/provider-metadata.json")
		if err == nil || !strings.Contains(err.Error(), "too large") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestParseMetadataExample(t *testing.T) {
	data, err := os.ReadFile(examples + "provider-metadata_example-01-provider-metadata.json")
	if err != nil {
		t.Fatal(err)
	}
	md, err := ParseMetadata(data, "")
	if err != nil {
		t.Fatal(err)
	}
	want := &Metadata{
		CanonicalURL: "https://www.example.com/.well-known/csaf/provider-metadata.json", Role: RoleTrustedProvider, MetadataVersion: "2.0",
		LastUpdated: time.Date(2021, 7, 12, 20, 20, 56, 169000000, time.UTC), ListOnAggregators: true, MirrorOnAggregators: true,
		Publisher:     csaf.Publisher{Name: "Example Company ProductCERT", Namespace: "https://psirt.example.com", Category: "vendor"},
		Distributions: []Distribution{{Feeds: []Feed{{Summary: "All TLP:WHITE advisories of Example Company.", TLP: "WHITE", URL: "https://www.example.com/.well-known/csaf/feed-tlp-white.json"}}}},
		PublicKeys:    []PublicKey{{Fingerprint: "8F5F267907B2C4559DB360DB2294BA7D2B2298B1", URL: "https://keys.example.net/vks/v1/by-fingerprint/8F5F267907B2C4559DB360DB2294BA7D2B2298B1"}},
	}
	if diff := cmp.Diff(want, md, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for name, bad := range map[string]string{
		"unknown field": strings.Replace(string(data), `"role"`, `"rolle": 1, "role"`, 1),
		"trailing data": string(data) + "{}",
		"truncated":     string(data[:100]),
	} {
		if _, err := ParseMetadata([]byte(bad), ""); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestKeyHelpers(t *testing.T) {
	k, other := keys(t)
	priv, err := ArmorPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	el, err := ReadArmoredKeys(priv)
	if err != nil || len(el) != 1 || Fingerprint(el[0]) != Fingerprint(k) || el[0].PrivateKey == nil {
		t.Fatalf("read back private key: %v", err)
	}
	sig, err := signDetached(el[0], []byte("advisory"))
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := ArmorPublicKey(k)
	pubs, err := ReadArmoredKeys(pub)
	if err != nil {
		t.Fatal(err)
	}
	if fp, err := verifyDetached(pubs, []byte("advisory"), sig); err != nil || fp != Fingerprint(k) {
		t.Errorf("verify = %s, %v", fp, err)
	}
	if _, err := verifyDetached(pubs, []byte("advisorx"), sig); err == nil {
		t.Error("changed data verified")
	}
	otherPub, _ := ArmorPublicKey(other)
	others, _ := ReadArmoredKeys(otherPub)
	if _, err := verifyDetached(others, []byte("advisory"), sig); err == nil {
		t.Error("signature verified with another key")
	}
	if _, err := ReadArmoredKeys([]byte("not a key")); err == nil {
		t.Error("garbage read as key")
	}
	if got := FileName("RHSA-2021:5186 / Test+1"); got != "rhsa-2021_5186_test+1.json" {
		t.Errorf("FileName = %q", got)
	}
}
