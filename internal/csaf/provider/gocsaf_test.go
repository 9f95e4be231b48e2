package provider

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	gocsaf "github.com/gocsaf/csaf/v3/csaf"
	"github.com/gocsaf/csaf/v3/util"
)

// validateWithGocsaf checks the generated provider metadata and ROLIE feeds with gocsaf's schemas and
// loaders (the same code its checker and downloader run).
func validateWithGocsaf(site *Site) error {
	for p, f := range site.Files {
		var doc any
		switch {
		case strings.HasSuffix(p, "provider-metadata.json"):
			if err := json.Unmarshal(f.Data, &doc); err != nil {
				return err
			}
			if msgs, err := gocsaf.ValidateProviderMetadata(doc); err != nil || len(msgs) > 0 {
				return fmt.Errorf("%s: %v %v", p, msgs, err)
			}
			if _, err := gocsaf.LoadProviderMetadata(bytes.NewReader(f.Data)); err != nil {
				return fmt.Errorf("%s: gocsaf LoadProviderMetadata: %w", p, err)
			}
		case strings.Contains(p, "csaf-feed-tlp-"):
			if err := json.Unmarshal(f.Data, &doc); err != nil {
				return err
			}
			if msgs, err := gocsaf.ValidateROLIE(doc); err != nil || len(msgs) > 0 {
				return fmt.Errorf("%s: %v %v", p, msgs, err)
			}
			if _, err := gocsaf.LoadROLIEFeed(bytes.NewReader(f.Data)); err != nil {
				return fmt.Errorf("%s: gocsaf LoadROLIEFeed: %w", p, err)
			}
		}
	}
	return nil
}

// TestGocsafConsumesOurProvider runs gocsaf's own provider-metadata loader (domain discovery over
// HTTPS, schema and consistency checks) and advisory file processor (ROLIE listing with hash and
// signature links, as its downloader and checker use) against a published site, then checks the
// hashes of every file it lists.
func TestGocsafConsumesOurProvider(t *testing.T) {
	srv := startServer(t, testDocs(t), true, nil)
	client := srv.Client()
	host := strings.TrimPrefix(srv.URL, "https://")

	lpmd := gocsaf.NewProviderMetadataLoader(client).LoadWithContext(context.Background(), host)
	if !lpmd.Valid() {
		t.Fatalf("gocsaf loader: not valid: %+v", lpmd.Messages)
	}
	if lpmd.URL != srv.URL+"/.well-known/csaf/provider-metadata.json" {
		t.Errorf("gocsaf loader URL = %s", lpmd.URL)
	}
	pmdURL, _ := url.Parse(lpmd.URL)
	afp := gocsaf.NewAdvisoryFileProcessor(client, util.NewPathEval(), lpmd.Document, pmdURL)
	var listed []string
	err := afp.ProcessWithContext(context.Background(), func(label gocsaf.TLPLabel, files []gocsaf.AdvisoryFile) error {
		for _, f := range files {
			listed = append(listed, string(label)+" "+f.URL()[len(srv.URL):])
			if f.SHA256URL() == "" || f.SHA512URL() == "" || f.SignURL() == "" {
				t.Errorf("%s: missing hash or signature URL", f.URL())
			}
			if label != "WHITE" {
				continue // served only with authorisation
			}
			doc := fetchBody(t, client, f.URL())
			s256, s512 := sha256.Sum256(doc), sha512.Sum512(doc)
			if h := strings.Fields(string(fetchBody(t, client, f.SHA256URL())))[0]; h != hex.EncodeToString(s256[:]) {
				t.Errorf("%s: sha256 %s", f.URL(), h)
			}
			if h := strings.Fields(string(fetchBody(t, client, f.SHA512URL())))[0]; h != hex.EncodeToString(s512[:]) {
				t.Errorf("%s: sha512 %s", f.URL(), h)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(listed)
	want := []string{
		"WHITE /.well-known/csaf/white/2022/2022-evd-uc-01-a-001.json",
		"WHITE /.well-known/csaf/white/2022/2022-evd-uc-01-na-001.json",
		"WHITE /.well-known/csaf/white/2022/sec-vex-2022-0001.json",
	}
	if !slices.Equal(want, listed) {
		t.Errorf("gocsaf listed %q, want %q (GREEN feed refused without authorisation)", listed, want)
	}
}

func fetchBody(t *testing.T, client *http.Client, u string) []byte {
	t.Helper()
	resp, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
