package app

import (
	"context"

	"github.com/vigil-med/vigil/internal/domain"
)

// riskFindings is the source of open findings for risk scoring. Until the fleet module's findings
// table lands it returns none, and risk comes from the legacy baseline alone.
//
// Replaced by the store at the fleet merge: a.Store implements OpenFindingFacts(ctx, orgID).
type riskFindings struct{}

func (riskFindings) OpenFindingFacts(context.Context, int64) ([]domain.FindingFacts, error) {
	return nil, nil
}
