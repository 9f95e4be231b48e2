// Package riskmgr is the risk and legacy-technology service of an organisation: it scores every
// device from its open findings and its inventory context (zone exposure, clinical criticality,
// patient data, compensating controls) with internal/risk, classifies legacy technology with
// internal/lifecycle, keeps the legacy register, takes daily snapshots and builds the replacement plan
// with internal/lifecycle/plan.
//
// # The legacy baseline (LegacyTerm "vigil-legacy/1")
//
// A device whose product, version or a component inside it (operating system, runtime) is past its
// end of support carries risk even when no finding is recorded for it: vulnerabilities found from now
// on will not be fixed, and most are never catalogued for the device. The service adds one synthetic
// finding per such device, scored with the same formula as every other finding: severity from the
// CVSS 3.1 vector LegacyVector (network reachable, high complexity, no privileges or interaction,
// high impact: 8.1), no threat evidence (the weights' threat floor), and the device's own exposure,
// controls and impact. Its factors name the item that ended and since when. Devices that are only
// near their end of support are listed in the register but carry no legacy term.
package riskmgr

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/feeds/endoflife"
	"github.com/vigil-med/vigil/internal/lifecycle"
	"github.com/vigil-med/vigil/internal/risk"
	"github.com/vigil-med/vigil/internal/sbom"
	"github.com/vigil-med/vigil/internal/store"
)

// LegacyTerm names the version of the legacy baseline rule (see the package documentation).
const LegacyTerm = "vigil-legacy/1"

// LegacyVector is the CVSS vector of the synthetic finding of a device past its end of support.
const LegacyVector = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H"

// FindingSource gives the open findings of an organisation (the fleet matching engine's store),
// best ordered by product version (each version's run is then used without a copy).
type FindingSource interface {
	OpenFindingFacts(ctx context.Context, orgID int64) ([]domain.FindingFacts, error)
}

// Service computes risk, the legacy register, snapshots and plans for an organisation.
type Service struct {
	Store    *store.Store
	Findings FindingSource
	// EOL returns the endoflife.date catalog operating systems and runtimes are matched to; nil or a
	// nil catalog: only dates the hospital recorded count.
	EOL func() *endoflife.Catalog
	Now func() time.Time
	// SoonMonths is the window in which support "ends soon"; 0 means 12.
	SoonMonths int
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// AssetRisk is one device's risk with everything that explains it.
type AssetRisk struct {
	Asset    domain.RiskAsset     `json:"-"`
	Score    risk.AssetScore      `json:"score"`
	Findings []risk.FindingScore  `json:"findings"` // highest first; the legacy term among them
	Legacy   lifecycle.Legacy     `json:"legacy"`
	Controls []domain.RiskControl `json:"controls"` // the asset's own and its product's
	KEV      int                  `json:"kev"`      // open findings listed as known exploited (CISA or EU)
	Keep     *domain.RiskKeep     `json:"keep,omitempty"`
}

// Assessment is the risk of every device of an organisation on one day.
type Assessment struct {
	AsOf    time.Time    `json:"as_of"`
	Weights risk.Weights `json:"weights"`
	Assets  []AssetRisk  `json:"assets"` // highest score first
	Total   float64      `json:"total"`  // sum of the asset scores
}

// Weights returns the organisation's active weights, or the defaults when it has published none.
func (s *Service) Weights(ctx context.Context, orgID int64) (risk.Weights, error) {
	v, err := s.Store.Scope(orgID).RiskWeights(ctx, "")
	if domain.ErrorCode(err) == domain.ENotFound {
		return risk.DefaultWeights(), nil
	}
	if err != nil {
		return risk.Weights{}, err
	}
	var w risk.Weights
	if err := json.Unmarshal(v.Weights, &w); err != nil {
		return w, fmt.Errorf("risk weights %s: %w", v.Version, err)
	}
	w.Version = v.Version
	return w, nil
}

// WeightsVersion returns a stored version (to explain an old score with the weights of its time);
// the default version id returns the defaults.
func (s *Service) WeightsVersion(ctx context.Context, orgID int64, version string) (risk.Weights, error) {
	if version == risk.DefaultWeightsVersion {
		return risk.DefaultWeights(), nil
	}
	v, err := s.Store.Scope(orgID).RiskWeights(ctx, version)
	if err != nil {
		return risk.Weights{}, err
	}
	var w risk.Weights
	if err := json.Unmarshal(v.Weights, &w); err != nil {
		return w, fmt.Errorf("risk weights %s: %w", v.Version, err)
	}
	w.Version = v.Version
	return w, nil
}

// PublishWeights validates and saves a new weights version and makes it active.
func (s *Service) PublishWeights(ctx context.Context, orgID int64, w risk.Weights, note string) error {
	if err := w.Validate(); err != nil {
		return domain.Invalid("weights", "%v", err)
	}
	data, err := json.Marshal(w)
	if err != nil {
		return err
	}
	return s.Store.Scope(orgID).Write(ctx, func(tx *store.Tx) error {
		return tx.SaveRiskWeights(ctx, &domain.RiskWeightsVersion{Version: w.Version, Note: note, Weights: data})
	})
}

func zoneOf(e domain.Exposure) risk.Exposure {
	switch e {
	case domain.ExposureInternet:
		return risk.ExposureInternet
	case domain.ExposureDMZ:
		return risk.ExposureRemote
	case domain.ExposureOffice:
		return risk.ExposureEnterprise
	case domain.ExposureClinical:
		return risk.ExposureClinical
	case domain.ExposureIsolated:
		return risk.ExposureIsolated
	case domain.ExposureStandalone:
		return risk.ExposureStandalone
	}
	return risk.ExposureUnknown
}

func patientData(b bool) risk.PatientData {
	if b {
		return risk.PatientDataLimited
	}
	return risk.PatientDataNone
}

func supportKind(source string) string {
	switch source {
	case domain.SupportMDS2:
		return lifecycle.SourceMDS2
	case domain.SupportContract:
		return lifecycle.SourceContract
	case domain.SupportEndOfLife:
		return lifecycle.SourceEndOfLife
	}
	return lifecycle.SourceManufacturer
}

// inputs is what an assessment reads from the store.
type inputs struct {
	assets   []domain.RiskAsset
	controls map[string][]domain.RiskControl // "a<id>" or "p<id>"
	support  map[int64][]domain.RiskSupport  // by product
	findings map[int64][]domain.FindingFacts // by product version
	keeps    map[int64]domain.RiskKeep       // by asset
}

func (s *Service) load(ctx context.Context, orgID int64) (inputs, error) {
	sc := s.Store.Scope(orgID)
	in := inputs{controls: map[string][]domain.RiskControl{}, support: map[int64][]domain.RiskSupport{},
		findings: map[int64][]domain.FindingFacts{}, keeps: map[int64]domain.RiskKeep{}}
	var err error
	if in.assets, err = sc.RiskAssets(ctx); err != nil {
		return in, err
	}
	cs, err := sc.RiskControls(ctx)
	if err != nil {
		return in, err
	}
	for _, c := range cs {
		key := "a" + strconv.FormatInt(c.AssetID, 10)
		if c.ProductID != 0 {
			key = "p" + strconv.FormatInt(c.ProductID, 10)
		}
		in.controls[key] = append(in.controls[key], c)
	}
	sup, err := sc.RiskSupports(ctx)
	if err != nil {
		return in, err
	}
	for _, r := range sup {
		in.support[r.ProductID] = append(in.support[r.ProductID], r)
	}
	keeps, err := sc.RiskKeeps(ctx)
	if err != nil {
		return in, err
	}
	for _, k := range keeps {
		in.keeps[k.AssetID] = k
	}
	if s.Findings != nil {
		facts, err := s.Findings.OpenFindingFacts(ctx, orgID)
		if err != nil {
			return in, fmt.Errorf("open findings: %w", err)
		}
		in.findings = byVersion(facts)
	}
	return in, nil
}

// byVersion groups open findings by product version, leaving out closed ones. The store returns them
// ordered by product version: each version's run is used in place (copying ~800,000 facts into
// growing slices at the scale took 0.25 s and allocated ~500 MB).
func byVersion(facts []domain.FindingFacts) map[int64][]domain.FindingFacts {
	out := map[int64][]domain.FindingFacts{}
	closed := func(f domain.FindingFacts) bool {
		return f.State == domain.FindingNotAffected || f.State == domain.FindingFixed
	}
	for i := 0; i < len(facts); {
		pv, j := facts[i].ProductVersionID, i
		for j < len(facts) && facts[j].ProductVersionID == pv {
			j++
		}
		run := facts[i:j:j]
		if slices.ContainsFunc(run, closed) {
			run = slices.DeleteFunc(slices.Clone(run), closed)
		}
		if prev, ok := out[pv]; ok { // not grouped after all: appended, in order
			run = append(prev, run...)
		}
		out[pv] = run
		i = j
	}
	return out
}

// Assess scores every device of the organisation with its active weights.
func (s *Service) Assess(ctx context.Context, orgID int64) (Assessment, error) {
	w, err := s.Weights(ctx, orgID)
	if err != nil {
		return Assessment{}, err
	}
	return s.AssessWith(ctx, orgID, w)
}

// AssessWith scores every device with the given weights (e.g. an earlier version).
func (s *Service) AssessWith(ctx context.Context, orgID int64, w risk.Weights) (Assessment, error) {
	now := s.now()
	in, err := s.load(ctx, orgID)
	if err != nil {
		return Assessment{}, err
	}
	scorer, err := risk.NewScorer(w, now)
	if err != nil {
		return Assessment{}, err
	}
	lopts := lifecycle.Options{AsOf: now, SoonMonths: s.SoonMonths}
	var resolver *lifecycle.Resolver
	if s.EOL != nil {
		if cat := s.EOL(); cat != nil {
			resolver = lifecycle.NewResolver(cat, lopts)
		}
	}
	out := Assessment{AsOf: now, Weights: w, Assets: make([]AssetRisk, 0, len(in.assets))}
	// Devices of one version in the same circumstances (zone exposure, criticality, patient data, no
	// controls of their own) score the same: a hospital has hundreds of identical pumps. Their result is
	// computed once and copied with the device's tag, which makes a whole assessment several times faster.
	memo := map[profile]AssetRisk{}
	for _, a := range in.assets {
		ar := AssetRisk{Asset: a}
		own := in.controls["a"+strconv.FormatInt(a.ID, 10)]
		ar.Controls = append(slices.Clone(own), in.controls["p"+strconv.FormatInt(a.ProductID, 10)]...)
		if k, ok := in.keeps[a.ID]; ok {
			ar.Keep = &k
		}
		key, shareable := profileOf(a), len(own) == 0 && shareProfiles
		if m, ok := memo[key]; ok && shareable {
			ar.Legacy, ar.Score, ar.Findings, ar.KEV = retag(m, a.Tag)
			out.Total += ar.Score.Score
			out.Assets = append(out.Assets, ar)
			continue
		}
		ar.Legacy = classify(a, in.support[a.ProductID], resolver, lopts)
		dev := risk.Device{AssetID: a.Tag, Zone: zoneOf(a.Exposure), Criticality: risk.Criticality(a.Criticality), PatientData: patientData(a.PatientData)}
		for _, c := range ar.Controls {
			rc := risk.Control{Kind: risk.ControlKind(c.Kind), Description: c.Description, Owner: c.Owner}
			if c.ReviewDue != nil {
				rc.ReviewDue = *c.ReviewDue
			}
			dev.Controls = append(dev.Controls, rc)
		}
		var fs []risk.Finding
		for _, f := range in.findings[a.ProductVersionID] {
			rf := risk.Finding{ID: findingRef(f.FindingID), VulnerabilityID: f.VulnID, CVSS: f.CVSSVectors,
				KEV: risk.KEV{CISA: f.CISAKEV, EU: f.EUKEV}}
			if f.EPSS > 0 || f.EPSSPercentile > 0 {
				rf.EPSS = &risk.EPSS{Probability: f.EPSS, Percentile: f.EPSSPercentile}
			}
			if f.CISAKEV || f.EUKEV {
				ar.KEV++
			}
			fs = append(fs, rf)
		}
		if lf, ok := legacyFinding(ar.Legacy); ok {
			fs = append(fs, lf)
		}
		score, scores, err := scorer.ScoreAsset(dev, fs)
		if err != nil {
			return out, err
		}
		slices.SortStableFunc(scores, func(x, y risk.FindingScore) int { return cmp.Compare(y.Score, x.Score) })
		ar.Score, ar.Findings = score, scores
		out.Total += score.Score
		out.Assets = append(out.Assets, ar)
		if shareable {
			memo[key] = ar
		}
	}
	slices.SortStableFunc(out.Assets, func(x, y AssetRisk) int {
		if c := cmp.Compare(y.Score.Score, x.Score.Score); c != 0 {
			return c
		}
		return cmp.Compare(x.Asset.ID, y.Asset.ID)
	})
	out.Total = round1(out.Total)
	return out, nil
}

// retag returns the results of a device identical to m for the device with tag: the same scores, with
// the tag in place of m's (the legacy term's id holds it too).
func retag(m AssetRisk, tag string) (lifecycle.Legacy, risk.AssetScore, []risk.FindingScore, int) {
	l, sc := m.Legacy, m.Score
	l.AssetID, sc.AssetID = tag, tag
	fs := slices.Clone(m.Findings)
	for i := range fs {
		fs[i].AssetID = tag
		if IsLegacyTerm(fs[i]) {
			fs[i].FindingID = legacyID(tag)
		}
	}
	sc.Contributions = slices.Clone(m.Score.Contributions)
	for i, c := range sc.Contributions {
		if strings.HasPrefix(c.FindingID, legacyPrefix) {
			sc.Contributions[i].FindingID = legacyID(tag)
		}
	}
	return l, sc, fs, m.KEV
}

// shareProfiles turns the sharing of identical devices' results on; a test turns it off to compare.
var shareProfiles = true

// profile is what a device's risk depends on besides its own controls (see AssessWith).
type profile struct {
	version, product int64
	os               string
	versionEOS       time.Time
	productEOS       time.Time
	exposure         domain.Exposure
	criticality      domain.Criticality
	patientData      bool
}

func profileOf(a domain.RiskAsset) profile {
	p := profile{version: a.ProductVersionID, product: a.ProductID, os: a.OperatingSystem, exposure: a.Exposure,
		criticality: a.Criticality, patientData: a.PatientData}
	if a.VersionEOS != nil {
		p.versionEOS = a.VersionEOS.UTC()
	}
	if a.ProductEOS != nil {
		p.productEOS = a.ProductEOS.UTC()
	}
	return p
}

// legacyFinding is the synthetic finding of a device past its end of support.
func legacyFinding(l lifecycle.Legacy) (risk.Finding, bool) {
	if l.Status != lifecycle.StatusEnded {
		return risk.Finding{}, false
	}
	var subject string
	for _, it := range l.Items {
		if it.Status == lifecycle.StatusEnded {
			subject = it.Subject
			break
		}
	}
	id := "end of support: " + subject
	if !l.Since.IsZero() {
		id += " (since " + l.Since.Format(time.DateOnly) + ")"
	}
	return risk.Finding{ID: legacyID(l.AssetID), VulnerabilityID: id, CVSS: []string{LegacyVector}}, true
}

// legacyPrefix starts the finding id of a device's legacy term, followed by the device's tag.
const legacyPrefix = "legacy:"

func legacyID(tag string) string { return legacyPrefix + tag }

// IsLegacyTerm reports whether a finding score is the legacy baseline term.
func IsLegacyTerm(f risk.FindingScore) bool { return strings.HasPrefix(f.FindingID, legacyPrefix) }

// findingRef is a fleet finding's id in the risk library ("F" and the stored id).
func findingRef(id int64) string { return "F" + strconv.FormatInt(id, 10) }

// StoredFindingID returns the fleet finding (its stored id) a finding score was computed from; false
// for the legacy term and for anything else not made by findingRef.
func StoredFindingID(f risk.FindingScore) (int64, bool) {
	s, ok := strings.CutPrefix(f.FindingID, "F") // never the legacy term's prefix
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 || findingRef(id) != f.FindingID {
		return 0, false
	}
	return id, true
}

// classify gathers the end-of-support items of a device: its product and version as the inventory
// states them, the hospital's end-of-support records for the product and its components, and its
// operating system matched to endoflife.date (a recorded date for the same component wins).
func classify(a domain.RiskAsset, recs []domain.RiskSupport, r *lifecycle.Resolver, o lifecycle.Options) lifecycle.Legacy {
	var items []lifecycle.Item
	name := strings.TrimSpace(a.Manufacturer + " " + a.Product)
	if a.ProductEOS != nil {
		items = append(items, lifecycle.ResolveProduct(lifecycle.ProductSupport{ProductID: strconv.FormatInt(a.ProductID, 10), Name: name,
			EndOfSupport: *a.ProductEOS, Reference: "inventory"}, o))
	}
	if a.VersionEOS != nil {
		items = append(items, lifecycle.ResolveProduct(lifecycle.ProductSupport{ProductID: strconv.FormatInt(a.ProductID, 10),
			Name: strings.TrimSpace(name + " " + a.Version), EndOfSupport: *a.VersionEOS, Reference: "inventory"}, o))
	}
	haveOS := false
	for _, rec := range recs {
		subject := name
		if rec.Component != "" {
			subject = rec.Component
			if strings.EqualFold(rec.Component, a.OperatingSystem) {
				haveOS = true
			}
		}
		items = append(items, lifecycle.ResolveProduct(lifecycle.ProductSupport{ProductID: strconv.FormatInt(a.ProductID, 10), Name: subject,
			EndOfSupport: rec.EndOfSupport, Kind: supportKind(rec.Source), Reference: rec.Reference}, o))
	}
	if a.OperatingSystem != "" && !haveOS && r != nil {
		if it, ok := r.Component(sbom.Component{Name: a.OperatingSystem, Type: "operating-system"}); ok {
			items = append(items, it)
		}
	}
	return lifecycle.Classify(a.Tag, items)
}

func round1(x float64) float64 { return float64(int64(x*10+0.5)) / 10 }
