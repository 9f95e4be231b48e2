// Package provider speaks the CSAF 2.0 distribution protocol (OASIS CSAF 2.0 §7) on both sides.
//
// Client side: Discover finds and reads a provider's provider-metadata.json; List enumerates its
// advisories from ROLIE feeds or directory listings (index.txt, changes.csv), incrementally and with
// conditional requests; Listing.Download and Fetch fetch each advisory with a size limit and check its
// .sha256/.sha512 files and OpenPGP signature against the provider's keys. A failed check rejects
// that document with a reason while the others continue.
//
// Server side: Validate checks a document strictly before publication; Publish turns signed-off
// documents into a Site (every file of a CSAF trusted provider: provider-metadata.json, per-TLP
// folders with YYYY/<id>.json, hashes, signatures, index.txt, changes.csv, ROLIE feeds, the public key),
// which can be served by Site.Handler (with access control for TLP other than WHITE) or written to a
// directory with Site.WriteDir. The site is a value built in memory from the documents the caller
// loads (from the database): regenerate it on each publication.
//
// gocsaf (github.com/gocsaf/csaf/v3) supplies the JSON schemas of provider metadata and ROLIE feeds;
// its types stay out of this package's API.
package provider

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	gocsaf "github.com/gocsaf/csaf/v3/csaf"
	"github.com/vigil-med/vigil/internal/csaf"
)

// Roles of a CSAF provider-metadata.json.
const (
	RolePublisher       = "csaf_publisher"
	RoleProvider        = "csaf_provider"
	RoleTrustedProvider = "csaf_trusted_provider"
)

// Metadata is a provider-metadata.json in Vigil's terms.
type Metadata struct {
	URL                 string // where it was read from ("" when parsed from bytes without a URL)
	CanonicalURL        string
	Role                string // one of the Role constants
	MetadataVersion     string // "2.0"
	LastUpdated         time.Time
	ListOnAggregators   bool
	MirrorOnAggregators bool
	Publisher           csaf.Publisher
	Distributions       []Distribution
	PublicKeys          []PublicKey
	// Warnings are findings that do not stop the use of the metadata (for example a canonical_url that
	// differs from the URL it was read from).
	Warnings []string
}

// Distribution is one entry of distributions: a directory, ROLIE feeds, or both.
type Distribution struct {
	DirectoryURL string
	Feeds        []Feed
}

// Feed is a ROLIE feed of one TLP label.
type Feed struct {
	Summary string
	TLP     string // WHITE, GREEN, AMBER, RED, UNLABELED
	URL     string
}

// PublicKey is an OpenPGP key the provider signs with.
type PublicKey struct {
	Fingerprint string // upper-case hex; "" when the metadata gives none
	URL         string
}

type rawMetadata struct {
	CanonicalURL  string `json:"canonical_url"`
	Distributions []struct {
		DirectoryURL string `json:"directory_url,omitempty"`
		Rolie        *struct {
			Categories []string `json:"categories,omitempty"`
			Feeds      []struct {
				Summary  string `json:"summary,omitempty"`
				TLPLabel string `json:"tlp_label"`
				URL      string `json:"url"`
			} `json:"feeds"`
			Services []string `json:"services,omitempty"`
		} `json:"rolie,omitempty"`
	} `json:"distributions,omitempty"`
	LastUpdated             string `json:"last_updated"`
	ListOnCSAFAggregators   bool   `json:"list_on_CSAF_aggregators"`
	MetadataVersion         string `json:"metadata_version"`
	MirrorOnCSAFAggregators bool   `json:"mirror_on_CSAF_aggregators"`
	PublicOpenPGPKeys       []struct {
		Fingerprint string `json:"fingerprint,omitempty"`
		URL         string `json:"url"`
	} `json:"public_openpgp_keys,omitempty"`
	Publisher struct {
		Category         string `json:"category"`
		ContactDetails   string `json:"contact_details,omitempty"`
		IssuingAuthority string `json:"issuing_authority,omitempty"`
		Name             string `json:"name"`
		Namespace        string `json:"namespace"`
	} `json:"publisher"`
	Role string `json:"role"`
}

// ParseMetadata reads a provider-metadata.json: strict JSON (unknown fields and trailing data
// rejected) valid against the CSAF 2.0 provider metadata schema. sourceURL, when not empty, is where
// the data came from; a canonical_url that differs is noted in Warnings. Errors are *csaf.SyntaxError
// or *csaf.InvalidError (problems with JSON paths).
func ParseMetadata(data []byte, sourceURL string) (*Metadata, error) {
	name := sourceURL
	if name == "" {
		name = "provider-metadata.json"
	}
	var generic any
	if err := strictDecode(data, name, &generic); err != nil {
		return nil, err
	}
	msgs, err := gocsaf.ValidateProviderMetadata(generic)
	if err != nil {
		return nil, fmt.Errorf("provider metadata %q: schema: %w", name, err)
	}
	if problems := problemsFrom(msgs); len(problems) > 0 {
		return nil, &csaf.InvalidError{Name: name, Problems: problems}
	}
	var raw rawMetadata
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, &csaf.InvalidError{Name: name, Problems: []csaf.ValidationError{{Path: "$", Message: err.Error()}}}
	}
	md := &Metadata{
		URL:                 sourceURL,
		CanonicalURL:        raw.CanonicalURL,
		Role:                raw.Role,
		MetadataVersion:     raw.MetadataVersion,
		ListOnAggregators:   raw.ListOnCSAFAggregators,
		MirrorOnAggregators: raw.MirrorOnCSAFAggregators,
		Publisher: csaf.Publisher{
			Name: raw.Publisher.Name, Namespace: raw.Publisher.Namespace, Category: raw.Publisher.Category,
			ContactDetails: raw.Publisher.ContactDetails, IssuingAuthority: raw.Publisher.IssuingAuthority,
		},
	}
	md.LastUpdated, _ = time.Parse(time.RFC3339Nano, raw.LastUpdated)
	for _, d := range raw.Distributions {
		dist := Distribution{DirectoryURL: d.DirectoryURL}
		if d.Rolie != nil {
			for _, f := range d.Rolie.Feeds {
				dist.Feeds = append(dist.Feeds, Feed{Summary: f.Summary, TLP: f.TLPLabel, URL: f.URL})
			}
		}
		md.Distributions = append(md.Distributions, dist)
	}
	for _, k := range raw.PublicOpenPGPKeys {
		md.PublicKeys = append(md.PublicKeys, PublicKey{Fingerprint: strings.ToUpper(k.Fingerprint), URL: k.URL})
	}
	if sourceURL != "" && sourceURL != md.CanonicalURL {
		md.Warnings = append(md.Warnings, fmt.Sprintf("canonical_url %s differs from the URL it was read from (%s)", md.CanonicalURL, sourceURL))
	}
	return md, nil
}

// strictDecode decodes JSON into v (UseNumber), refusing syntax errors and trailing data with a
// position. It reuses csaf.ParseBytes' error types.
func strictDecode(data []byte, name string, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		off := dec.InputOffset()
		msg := strings.TrimPrefix(err.Error(), "json: ")
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off = se.Offset
		}
		return &csaf.SyntaxError{Name: name, Offset: off, Line: 1 + bytes.Count(data[:min(int(off), len(data))], []byte{'\n'}), Column: 1, Msg: msg,
			Truncated: strings.Contains(msg, "unexpected EOF") || strings.Contains(msg, "unexpected end")}
	}
	if dec.More() {
		off := dec.InputOffset()
		return &csaf.SyntaxError{Name: name, Offset: off, Line: 1 + bytes.Count(data[:off], []byte{'\n'}), Column: 1, Msg: "data after the JSON value"}
	}
	return nil
}

// problemsFrom turns gocsaf's "pointer: message" strings into ValidationErrors, dropping wrapper lines.
func problemsFrom(msgs []string) []csaf.ValidationError {
	var out []csaf.ValidationError
	for _, m := range msgs {
		loc, msg, ok := strings.Cut(m, ": ")
		if !ok {
			loc, msg = "", m
		}
		if strings.Contains(loc, "://") {
			loc = ""
		}
		if msg == "validation failed" {
			precise := false
			for _, o := range msgs {
				ol, om, _ := strings.Cut(o, ": ")
				if om != "validation failed" && (ol == loc || strings.HasPrefix(ol, loc+"/")) {
					precise = true
				}
			}
			if precise {
				continue
			}
			msg = "value not allowed here by the schema"
		}
		out = append(out, csaf.ValidationError{Path: csaf.PointerToPath(loc), Message: msg})
	}
	return out
}
