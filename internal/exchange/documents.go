package exchange

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"

	"github.com/vigil-med/vigil/internal/csaf/provider"
	"github.com/vigil-med/vigil/internal/disclosure"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// Between two Vigils, VEX and SBOMs travel beside the CSAF provider: the manufacturer lists its
// latest published VEX and SBOM files at /exchange/<org>/documents.json (the ones the caller may read
// by TLP), and a hospital's sync of a "vigil" subscription downloads the new ones, checks each against
// the listed SHA-256 and its OpenPGP signature with the pinned key, and imports them as disclosures of
// the product version.

// DocumentIndex is documents.json.
type DocumentIndex struct {
	Publisher string            `json:"publisher"`
	Updated   time.Time         `json:"updated"`
	Documents []IndexedDocument `json:"documents"`
}

// IndexedDocument is one published VEX or SBOM file.
type IndexedDocument struct {
	Kind         string    `json:"kind"`
	Manufacturer string    `json:"manufacturer"`
	Product      string    `json:"product"`
	Version      string    `json:"version"`
	Revision     int       `json:"revision"`
	TLP          string    `json:"tlp"`
	URL          string    `json:"url"`
	SHA256       string    `json:"sha256"`
	SignatureURL string    `json:"signature_url"`
	Published    time.Time `json:"published"`
}

// MaxIndexSize bounds documents.json.
const MaxIndexSize = 4 << 20

func (s *Service) serveIndex(w http.ResponseWriter, r *http.Request) {
	org, ok := s.publicOrg(w, r)
	if !ok {
		return
	}
	sc := s.Store.Scope(org.ID)
	pubs, err := sc.ExchangePublications(r.Context(), "", 0, 0, true)
	if err != nil {
		http.Error(w, "unavailable", http.StatusInternalServerError)
		return
	}
	idx := DocumentIndex{Publisher: org.Name, Documents: []IndexedDocument{}}
	for _, p := range pubs {
		if p.Kind == domain.PubCSAF || p.ProductVersionID == 0 {
			continue
		}
		if p.TLP != "WHITE" && !s.tlpAllowed(org, r, p.TLP) {
			continue
		}
		pv, err := sc.ProductVersion(r.Context(), p.ProductVersionID)
		if err != nil {
			continue
		}
		u := s.FileURL(org.Slug, p)
		idx.Documents = append(idx.Documents, IndexedDocument{Kind: p.Kind, Manufacturer: pv.Manufacturer, Product: pv.Product, Version: pv.Version,
			Revision: p.Version, TLP: p.TLP, URL: u, SHA256: p.SHA256, SignatureURL: u + ".asc", Published: p.Published})
		if p.Published.After(idx.Updated) {
			idx.Updated = p.Published
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "private, no-store")
	_ = json.NewEncoder(w).Encode(idx)
}

// documentsURL is the documents.json of a Vigil provider's metadata URL ("" when it is not one).
func documentsURL(metadataURL string) string {
	base, _, ok := strings.Cut(metadataURL, "/.well-known/csaf/")
	if !ok || !strings.Contains(base, "/exchange/") {
		return ""
	}
	return base + "/documents.json"
}

func fetchLimited(ctx context.Context, client *http.Client, u string, limit int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: HTTP %d", u, resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", u, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: too large: more than %d bytes", u, limit)
	}
	return data, nil
}

// syncDocuments fetches and imports a Vigil provider's new VEX and SBOM files. It returns how many were
// imported and the rejections.
func (s *Service) syncDocuments(ctx context.Context, sc *store.Scope, client *http.Client, sub domain.Subscription) (int, []string, error) {
	u := documentsURL(sub.URL)
	if u == "" || sub.Kind != domain.SubscriptionVigil {
		return 0, nil, nil
	}
	raw, err := fetchLimited(ctx, client, u, MaxIndexSize)
	if err != nil {
		return 0, nil, err
	}
	var idx DocumentIndex
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&idx); err != nil {
		return 0, nil, fmt.Errorf("%s: not a document index: %v", u, err)
	}
	keys, err := provider.ReadArmoredKeys([]byte(sub.KeyPin))
	if err != nil {
		return 0, nil, err
	}
	imported := 0
	var rejected []string
	for _, d := range idx.Documents {
		kind := domain.DisclosureVEX
		if d.Kind == domain.PubSBOM {
			kind = domain.DisclosureSBOM
		} else if d.Kind != domain.PubOpenVEX && d.Kind != domain.PubCycloneDXVEX {
			continue
		}
		if _, err := sc.DocumentBySHA256(ctx, kind, strings.ToLower(d.SHA256)); err == nil {
			continue // received before
		}
		data, err := fetchLimited(ctx, client, d.URL, disclosure.MaxDocumentSize)
		if err != nil {
			rejected = append(rejected, err.Error())
			continue
		}
		sum := sha256.Sum256(data)
		if !strings.EqualFold(hex.EncodeToString(sum[:]), d.SHA256) {
			rejected = append(rejected, d.URL+": SHA-256 does not match the index")
			continue
		}
		sig, err := fetchLimited(ctx, client, d.SignatureURL, provider.MaxMetadataSize)
		if err != nil {
			rejected = append(rejected, d.URL+": signature: "+err.Error())
			continue
		}
		if _, err := openpgp.CheckArmoredDetachedSignature(keys, bytes.NewReader(data), bytes.NewReader(sig), nil); err != nil {
			rejected = append(rejected, d.URL+": signature not made by the pinned key: "+err.Error())
			continue
		}
		src := disclosure.Source{FileName: d.URL[strings.LastIndex(d.URL, "/")+1:], Kind: "provider", Ref: d.URL}
		if kind == domain.DisclosureSBOM {
			_, err = disclosure.ImportSBOM(ctx, sc, data, disclosure.SBOMOptions{Source: src, Manufacturer: d.Manufacturer, Product: d.Product, Version: d.Version})
		} else {
			_, err = disclosure.ImportVEX(ctx, sc, data, disclosure.VEXOptions{Source: src})
		}
		if err != nil {
			rejected = append(rejected, d.URL+": "+domain.ErrorMessage(err))
			continue
		}
		imported++
	}
	return imported, rejected, nil
}
