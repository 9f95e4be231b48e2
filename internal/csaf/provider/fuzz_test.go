package provider

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"testing"
)

// FuzzParseMetadata: ParseMetadata never panics and a parsed metadata names its canonical URL.
func FuzzParseMetadata(f *testing.F) {
	data, err := os.ReadFile(examples + "provider-metadata_example-01-provider-metadata.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	k, _ := keys(f)
	site, err := Publish(testDocs(f), k, MetadataOptions{BaseURL: "https://psirt.example.test", Publisher: testPublisher})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(site.Files[".well-known/csaf/provider-metadata.json"].Data)
	f.Fuzz(func(t *testing.T, data []byte) {
		md, err := ParseMetadata(data, "https://x.test/provider-metadata.json")
		if err == nil && md.CanonicalURL == "" {
			t.Fatal("valid metadata without canonical_url")
		}
	})
}

// fixedTransport answers every request with the same body.
type fixedTransport []byte

func (b fixedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(bytes.NewReader(b)), Request: r, Header: http.Header{}}, nil
}

// FuzzListing feeds arbitrary bytes as a ROLIE feed, changes.csv and index.txt to List.
func FuzzListing(f *testing.F) {
	k, _ := keys(f)
	site, err := Publish(testDocs(f), k, MetadataOptions{BaseURL: "https://psirt.example.test", Publisher: testPublisher})
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range []string{"csaf-feed-tlp-white.json", "changes.csv", "index.txt"} {
		f.Add(site.Files[".well-known/csaf/white/"+p].Data)
	}
	rolie := &Metadata{URL: "https://x.test/.well-known/csaf/provider-metadata.json", Distributions: []Distribution{{Feeds: []Feed{{TLP: "WHITE", URL: "https://x.test/feed.json"}}}}}
	dir := &Metadata{URL: "https://x.test/.well-known/csaf/provider-metadata.json", Distributions: []Distribution{{DirectoryURL: "https://x.test/white/"}}}
	f.Fuzz(func(t *testing.T, data []byte) {
		client := &http.Client{Transport: fixedTransport(data)}
		for _, md := range []*Metadata{rolie, dir} {
			l, err := List(context.Background(), FetchOptions{Client: client, Metadata: md, Keys: nil})
			if err == nil {
				for _, e := range l.Entries {
					if e.URL == "" {
						t.Fatalf("entry without URL: %+v", e)
					}
				}
			}
		}
	})
}
