package fleet

import (
	"context"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// TriageStatement returns the hospital VEX statement a finding's triage state makes (nil for new):
// not_affected with its justification, fixed, under_investigation for in_triage, and affected for
// exploitable, mitigated and risk_accepted (with the decision as action statement). It names the
// finding's component, so it applies to exactly that finding; the matcher applies it with the
// documented precedence (the hospital's analysis over the manufacturer's, see match.ApplyVEX).
func TriageStatement(f *domain.Finding, t domain.Triage, now time.Time) *domain.VEXStatement {
	s := &domain.VEXStatement{Vulnerability: f.VulnID, Aliases: f.Aliases, ProductVersionID: f.ProductVersionID,
		ComponentName: f.ComponentName, ComponentVersion: f.ComponentVersion, ComponentPURL: f.ComponentPURL, Stated: now}
	switch t.State {
	case domain.FindingNotAffected:
		s.Status, s.Justification, s.Impact = "not_affected", t.Justification, t.Comment
	case domain.FindingFixed:
		s.Status, s.Action = "fixed", t.Comment
	case domain.FindingInTriage:
		s.Status = "under_investigation"
	case domain.FindingExploitable:
		s.Status, s.Action = "affected", t.Comment
	case domain.FindingMitigated:
		s.Status, s.Action = "affected", "Mitigated: "+t.Comment
	case domain.FindingRiskAccepted:
		s.Status, s.Action = "affected", "Risk accepted by "+t.Owner+" until "+t.Expires.Format("2006-01-02")
		if t.Comment != "" {
			s.Action += ": " + t.Comment
		}
	default:
		return nil
	}
	return s
}

// Triage records a triage decision or comment on a finding: the state with its history and audit
// event, and the hospital VEX statement it makes; the product version is then re-matched (in the
// background when a job runner is set through Rematch) so the statement takes effect.
func (s *Service) Triage(ctx context.Context, org int64, id int64, t domain.Triage) (domain.Finding, error) {
	now := time.Now()
	if err := t.Validate(now); err != nil {
		return domain.Finding{}, err
	}
	sc := s.Store.Scope(org)
	var out domain.Finding
	err := sc.Write(ctx, func(tx *store.Tx) error {
		var err error
		if out, err = tx.TriageFinding(ctx, id, t); err != nil {
			return err
		}
		if t.State == "" {
			return nil
		}
		return tx.ReplaceTriageStatement(ctx, id, TriageStatement(&out, t, now))
	})
	if err != nil || t.State == "" {
		return out, err
	}
	if s.Rematch != nil {
		s.Rematch(ctx, org, []int64{out.ProductVersionID}, "triage")
	} else if _, err := s.MatchVersions(ctx, org, []int64{out.ProductVersionID}, nil, nil); err != nil {
		s.Log.Warn("re-match after triage", "finding", id, "err", err)
	}
	return sc.FleetFinding(ctx, id)
}
