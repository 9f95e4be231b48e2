package vulndb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/match"
	"github.com/vigil-med/vigil/internal/vuln"
)

// SourceName returns the stored source name of a record kind (domain.FeedOSV …), "" when unknown.
func SourceName(k vuln.SourceKind) string {
	switch k {
	case vuln.SourceOSV:
		return domain.FeedOSV
	case vuln.SourceNVD:
		return domain.FeedNVD
	case vuln.SourceCISAKEV:
		return domain.FeedKEV
	case vuln.SourceEUKEV:
		return domain.FeedEUKEV
	case vuln.SourceEUVD:
		return domain.FeedEUVD
	}
	return ""
}

// recordKey returns the stored source and record id of a source record (one entry in Sources).
func recordKey(v *vuln.Vulnerability) (source, id string, err error) {
	if len(v.Sources) != 1 {
		return "", "", fmt.Errorf("record %s: %d sources, want exactly one", v.ID, len(v.Sources))
	}
	src := SourceName(v.Sources[0].Kind)
	if src == "" {
		return "", "", fmt.Errorf("record %s: unknown source %q", v.ID, v.Sources[0].Kind)
	}
	id = strings.TrimSpace(v.Sources[0].ID)
	if id == "" {
		id = v.ID
	}
	if id == "" {
		return "", "", fmt.Errorf("record of %s without id", src)
	}
	return src, vuln.NormID(id), nil
}

// EncodeRecord returns the stored form of a source record (vuln.Vulnerability as JSON) and its
// content hash. The hash leaves out the provenance that changes without the content (the catalogue
// version and release date a CISA KEV entry was read from, the file a record came from), so an
// unchanged entry of a new catalogue is recognised as unchanged.
func EncodeRecord(v *vuln.Vulnerability) (data []byte, sum string, err error) {
	data, err = json.Marshal(v)
	if err != nil {
		return nil, "", err
	}
	c := *v
	c.Sources = slices.Clone(v.Sources)
	for i := range c.Sources {
		c.Sources[i].Modified, c.Sources[i].Database = time.Time{}, ""
	}
	if c.CISAKEV != nil {
		k := *c.CISAKEV
		k.Source = ""
		c.CISAKEV = &k
	}
	h, err := json.Marshal(&c)
	if err != nil {
		return nil, "", err
	}
	s := sha256.Sum256(h)
	return data, hex.EncodeToString(s[:]), nil
}

// DecodeRecord reads the stored form of a record.
func DecodeRecord(data string) (vuln.Vulnerability, error) {
	var v vuln.Vulnerability
	err := json.Unmarshal([]byte(data), &v)
	return v, err
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// maxFixHints bounds the fixed-version hints kept in the merged view.
const maxFixHints = 40

// row converts a merged vulnerability to its stored view; keys are its match keys.
func row(v *vuln.Vulnerability, keys []match.Key) (domain.Vulnerability, []string) {
	r := domain.Vulnerability{ID: v.ID, Aliases: slices.Clone(v.Aliases), Summary: summaryOf(v), CWE: v.CWE,
		Published: timePtr(v.Published), Modified: timePtr(v.Modified), Withdrawn: timePtr(v.Withdrawn)}
	if r.Aliases == nil {
		r.Aliases = []string{}
	}
	sev := v.Rated()
	r.Severity, r.SeverityRank, r.CVSSScore, r.CVSSVector = sev.Level.String(), int(sev.Level), sev.Score, sev.Vector
	if k := v.CISAKEV; k != nil {
		r.CISAKEV, r.CISAKEVAdded, r.CISAKEVDue, r.KEVRansomware = true, timePtr(k.DateAdded), timePtr(k.DueDate), k.Ransomware()
	}
	if k := v.EUKEV; k != nil {
		r.EUKEV, r.EUKEVReported = true, timePtr(k.DateReported)
	}
	if e := v.EPSS; e != nil {
		score, pct := e.Score, e.Percentile
		r.EPSSScore, r.EPSSPercentile, r.EPSSDate = &score, &pct, timePtr(e.Date)
	}
	for _, s := range v.Sources {
		r.Sources = append(r.Sources, SourceName(s.Kind)+":"+s.ID)
	}
	seen := map[string]bool{}
	for _, a := range v.Affected {
		for _, f := range a.FixedVersions() {
			h := a.Ecosystem + " " + a.Name + " " + f
			if !seen[h] && len(r.FixedVersions) < maxFixHints {
				seen[h] = true
				r.FixedVersions = append(r.FixedVersions, h)
			}
		}
	}
	for _, k := range keys {
		r.Packages = append(r.Packages, domain.MatchKey{Ecosystem: k.Ecosystem, Name: k.Name})
	}
	r.PackageCount = len(r.Packages)
	aliases := []string{vuln.NormID(v.ID)}
	for _, a := range v.Aliases {
		if n := vuln.NormID(a); !slices.Contains(aliases, n) {
			aliases = append(aliases, n)
		}
	}
	return r, aliases
}

// summaryOf returns the summary, or the start of the details when there is none (NVD).
func summaryOf(v *vuln.Vulnerability) string {
	s := strings.TrimSpace(v.Summary)
	if s == "" {
		s = strings.TrimSpace(v.Details)
	}
	if i := strings.IndexAny(s, "\r\n"); i > 0 && v.Summary == "" {
		s = s[:i]
	}
	if r := []rune(s); len(r) > 300 {
		s = string(r[:299]) + "…"
	}
	return s
}

// epssMap is an EPSS source for match.NewIndex and Index.Update.
type epssMap map[string]vuln.EPSS

// Get implements match.EPSSSource.
func (m epssMap) Get(cve string) (vuln.EPSS, bool) {
	e, ok := m[vuln.NormID(cve)]
	return e, ok
}

// epssFor loads the stored EPSS scores of the CVE ids of records and of extra ids.
func (s *Service) epssFor(ctx context.Context, records []vuln.Vulnerability, extra []string) (epssMap, error) {
	seen := map[string]bool{}
	var cves []string
	add := func(id string) {
		if n := vuln.NormID(id); vuln.IsCVE(n) && !seen[n] {
			seen[n] = true
			cves = append(cves, n)
		}
	}
	for i := range records {
		for _, id := range records[i].IDs() {
			add(id)
		}
	}
	for _, id := range extra {
		add(id)
	}
	stored, err := s.Store.EPSSScores(ctx, cves)
	if err != nil {
		return nil, err
	}
	meta, err := s.epssMeta(ctx)
	if err != nil {
		return nil, err
	}
	out := make(epssMap, len(stored))
	for id, e := range stored {
		out[id] = vuln.EPSS{Score: e.Score, Percentile: e.Percentile, Date: meta.ScoreDate, ModelVersion: meta.ModelVersion}
	}
	return out, nil
}

// epssState is the state of source "epss": the date and model of the stored scores.
type epssState struct {
	ScoreDate    time.Time `json:"score_date,omitzero"`
	ModelVersion string    `json:"model_version,omitempty"`
}

func (s *Service) epssMeta(ctx context.Context) (epssState, error) {
	var st epssState
	f, err := s.Store.FeedSource(ctx, domain.FeedEPSS)
	if err != nil {
		return st, err
	}
	if f.State != "" {
		_ = json.Unmarshal([]byte(f.State), &st)
	}
	return st, nil
}
