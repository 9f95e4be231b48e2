package risk

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// AssetScore is the risk of an asset over all its findings.
//
// Aggregation: the finding scores s₁ ≥ s₂ ≥ … (sorted from highest) combine as
//
//	asset = 100 × (1 − Π_k (1 − d^(k−1) × s_k / 100))
//
// where d is Weights.Diminishing. With one finding the asset score is that finding's score; every
// further finding adds a share of the room left below 100, and each counts d times as much as the
// one before it, so a hundred medium findings do not outweigh one critical one without bound. The
// result never exceeds 100, never falls below the highest finding, and rises with every finding.
type AssetScore struct {
	AssetID  string  `json:"asset_id"`
	Score    float64 `json:"score"` // 0–100, rounded to one decimal
	Band     Band    `json:"band"`
	Findings int     `json:"findings"`
	// Contributions lists the findings from highest to lowest with what each added.
	Contributions []Contribution `json:"contributions"`

	FormulaVersion string    `json:"formula_version"`
	WeightsVersion string    `json:"weights_version"`
	AsOf           time.Time `json:"as_of"`
}

// Contribution is one finding's share of an asset score.
type Contribution struct {
	FindingID       string  `json:"finding_id"`
	VulnerabilityID string  `json:"vulnerability_id"`
	Score           float64 `json:"score"`  // the finding's score
	Weight          float64 `json:"weight"` // d^(k−1) for the k-th highest finding
	Added           float64 `json:"added"`  // points this finding added to the asset score (unrounded)
}

// Aggregate combines finding scores of one asset. Ties in score are ordered by finding ID so the
// contributions list is deterministic. Scores computed with other weights are combined as given; the
// result records the scorer's weights.
func (s *Scorer) Aggregate(assetID string, scores []FindingScore) AssetScore {
	sorted := slices.Clone(scores)
	slices.SortStableFunc(sorted, func(a, b FindingScore) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.FindingID, b.FindingID)
	})
	out := AssetScore{AssetID: assetID, Findings: len(scores), FormulaVersion: FormulaVersion,
		WeightsVersion: s.w.Version, AsOf: s.asOf}
	remaining := 1.0 // 1 − asset/100
	weight := 1.0
	for _, fs := range sorted {
		before := 100 * (1 - remaining)
		remaining *= 1 - weight*fs.Score/100
		out.Contributions = append(out.Contributions, Contribution{
			FindingID: fs.FindingID, VulnerabilityID: fs.VulnerabilityID, Score: fs.Score,
			Weight: weight, Added: 100*(1-remaining) - before,
		})
		weight *= s.w.Diminishing
	}
	out.Score = round1(100 * (1 - remaining))
	out.Band = s.w.BandOf(out.Score)
	return out
}

// ScoreAsset scores every finding of a device and aggregates them. The finding scores are returned in
// the order of findings.
func (s *Scorer) ScoreAsset(d Device, findings []Finding) (AssetScore, []FindingScore, error) {
	scores := make([]FindingScore, 0, len(findings))
	for i, f := range findings {
		fs, err := s.ScoreFinding(f, d)
		if err != nil {
			return AssetScore{}, nil, fmt.Errorf("asset %q: findings[%d]: %w", d.AssetID, i, err)
		}
		scores = append(scores, fs)
	}
	return s.Aggregate(d.AssetID, scores), scores, nil
}
