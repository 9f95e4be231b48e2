package procurement

import (
	"context"
	"fmt"
	"time"

	"github.com/vigil-med/vigil/internal/regulation"
	"github.com/vigil-med/vigil/internal/store"
)

// SupplyChain are the procurement figures that support NIS2 Art 21(2)(d) (supply-chain security) and
// 21(3): products bought with security requirements and the disclosures their vendors gave, commitments
// tracked after award, and the cloud services assessed on evidence.
type SupplyChain struct {
	AsOf  time.Time              `json:"as_of"`
	Stats store.ProcurementStats `json:"procurement"`
	// Cloud services register.
	CloudServices int `json:"cloud_services"`
	CloudCurrent  int `json:"cloud_current"` // reviewed, next review not yet due
	CloudOverdue  int `json:"cloud_overdue"` // review due or never reviewed
}

// SupplyChainFigures computes the figures for the organisation on now. ok is false when the organisation
// has neither awarded tenders nor cloud services (no evidence yet).
func SupplyChainFigures(ctx context.Context, sc *store.Scope, now time.Time) (SupplyChain, bool, error) {
	s := SupplyChain{AsOf: store.TS(now)}
	var err error
	if s.Stats, err = sc.ProcurementStats(ctx, now); err != nil {
		return s, false, err
	}
	if s.CloudServices, s.CloudCurrent, s.CloudOverdue, err = sc.CloudStats(ctx, now); err != nil {
		return s, false, err
	}
	return s, s.Stats.Awarded > 0 || s.CloudServices > 0, nil
}

// Evidence expresses the figures as regulation evidence of kind supplier-disclosures (Art 21(2)(d)): the
// products bought through tenders with security requirements (one per awarded tender) and how many came
// with an MDS2 form, an SBOM and a committed end of support, and the cloud services of the register with
// how many have a current assessment (cloud_services_total, cloud_services_current). Bids, commitments
// and overdue cloud reviews, for which the kind has no figure, are given in the source text.
func (s SupplyChain) Evidence() regulation.Evidence {
	src := fmt.Sprintf("Vigil procurement: %d awarded tenders with cybersecurity requirements (%d bids, %d with MDS2, %d with SBOM); "+
		"%d open commitments, %d missed; cloud services register: %d services, %d with a current assessment, %d reviews overdue",
		s.Stats.Awarded, s.Stats.Bids, s.Stats.BidsWithMDS2, s.Stats.BidsWithSBOM, s.Stats.CommitmentsOpen, s.Stats.CommitmentsMissed,
		s.CloudServices, s.CloudCurrent, s.CloudOverdue)
	return regulation.Evidence{
		Kind: regulation.EvidenceSupplierDisclos, Measure: "nis2.21.2.d", AsOf: s.AsOf, Source: src,
		Figures: []regulation.Figure{
			{Name: "products_total", Value: float64(s.Stats.Awarded), Unit: "count"},
			{Name: "products_with_mds2", Value: float64(s.Stats.AwardedWithMDS2), Unit: "count"},
			{Name: "products_with_sbom", Value: float64(s.Stats.AwardedWithSBOM), Unit: "count"},
			{Name: "products_with_support_end", Value: float64(s.Stats.AwardedWithSupportEnd), Unit: "count"},
			{Name: "cloud_services_total", Value: float64(s.CloudServices), Unit: "count"},
			{Name: "cloud_services_current", Value: float64(s.CloudCurrent), Unit: "count"},
		},
	}
}

// SupplierEvidence is the provider of supplier-disclosures evidence (compliance.EvidenceProvider),
// registered in internal/app: the figures on now; ok is false while the organisation has neither
// awarded tenders nor cloud services.
func SupplierEvidence(ctx context.Context, sc *store.Scope) (regulation.Evidence, bool, error) {
	s, ok, err := SupplyChainFigures(ctx, sc, time.Now())
	if err != nil || !ok {
		return regulation.Evidence{}, false, err
	}
	return s.Evidence(), true, nil
}
