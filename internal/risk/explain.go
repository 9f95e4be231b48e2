package risk

import (
	"fmt"
	"strings"
	"time"
)

// Explain renders the score as plain text for a page or a PDF: a headline, the formula with its
// numbers, then each factor grouped under exploitability, exposure and impact. The text is
// deterministic for a given score.
func (s FindingScore) Explain() string {
	var b strings.Builder
	subject := s.VulnerabilityID
	if subject == "" {
		subject = s.FindingID
	}
	fmt.Fprintf(&b, "Risk %.1f of 100 (%s): %s on asset %s\n", s.Score, s.Band, subject, s.AssetID)
	fmt.Fprintf(&b, "Formula %s, weights %s, as of %s.\n", s.FormulaVersion, s.WeightsVersion, s.AsOf.Format(time.DateOnly))
	for _, f := range s.Factors {
		if f.Key == "score" {
			fmt.Fprintf(&b, "%s\n", f.Explanation)
		}
	}
	groups := []struct {
		key, title, summary string
		value               float64
	}{
		{GroupExploitability, "Exploitability", "exploitability", s.Exploitability},
		{GroupExposure, "Exposure", "exposure", s.Exposure},
		{GroupImpact, "Impact", "impact", s.Impact},
	}
	for _, g := range groups {
		fmt.Fprintf(&b, "\n%s %s\n", g.title, f3(g.value))
		for _, f := range s.Factors {
			if f.Group != g.key || f.Key == g.summary {
				continue
			}
			fmt.Fprintf(&b, "  - %s %s", f.Name, f2(f.Value))
			if f.Input != "" {
				fmt.Fprintf(&b, " [%s]", f.Input)
			}
			fmt.Fprintf(&b, ": %s\n", f.Explanation)
		}
		for _, f := range s.Factors {
			if f.Key == g.summary {
				fmt.Fprintf(&b, "  = %s\n", f.Explanation)
			}
		}
	}
	return b.String()
}

// Explain renders the asset score as plain text: the headline, the aggregation rule and each
// finding's contribution, highest first.
func (a AssetScore) Explain() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Asset %s: risk %.1f of 100 (%s) from %d finding(s)\n", a.AssetID, a.Score, a.Band, a.Findings)
	fmt.Fprintf(&b, "Formula %s, weights %s, as of %s.\n", a.FormulaVersion, a.WeightsVersion, a.AsOf.Format(time.DateOnly))
	if a.Findings == 0 {
		b.WriteString("No open findings.\n")
		return b.String()
	}
	b.WriteString("The highest finding counts in full; each further finding adds its score, weighted less each time, to the room left below 100.\n")
	for i, c := range a.Contributions {
		subject := c.VulnerabilityID
		if subject == "" {
			subject = c.FindingID
		}
		if i == 0 {
			fmt.Fprintf(&b, "  %d. %s scores %.1f: counts in full (+%.1f)\n", i+1, subject, c.Score, c.Added)
			continue
		}
		fmt.Fprintf(&b, "  %d. %s scores %.1f: weight %s (+%.1f)\n", i+1, subject, c.Score, trimFloat(c.Weight), c.Added)
	}
	return b.String()
}

func trimFloat(x float64) string {
	s := fmt.Sprintf("%.4f", x)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
