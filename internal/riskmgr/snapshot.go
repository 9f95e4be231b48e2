package riskmgr

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/jobs"
	"github.com/vigil-med/vigil/internal/lifecycle"
	"github.com/vigil-med/vigil/internal/risk"
	"github.com/vigil-med/vigil/internal/store"
)

// JobSnapshot is the job kind of the daily risk snapshot of every organisation.
const JobSnapshot = "risk.snapshot"

// Snapshots turns an assessment into the day's totals: the organisation's, per department and per
// manufacturer.
func (a Assessment) Snapshots(day string) []domain.RiskSnapshot {
	out := []domain.RiskSnapshot{{Day: day, Dimension: "total", WeightsVersion: a.Weights.Version, FormulaVersion: risk.FormulaVersion,
		Risk: a.Total, Assets: len(a.Assets)}}
	for _, ar := range a.Assets {
		if ar.Legacy.Status == lifecycle.StatusEnded {
			out[0].Legacy++
		}
		if ar.KEV > 0 {
			out[0].KEV++
		}
	}
	for _, dim := range []string{"department", "manufacturer"} {
		for _, s := range a.By(dim) {
			out = append(out, domain.RiskSnapshot{Day: day, Dimension: dim, Name: s.Name, Risk: s.Risk, Assets: s.Assets, Legacy: s.Legacy, KEV: s.KEV,
				WeightsVersion: a.Weights.Version, FormulaVersion: risk.FormulaVersion})
		}
	}
	return out
}

// Snapshot assesses the organisation now and stores the day's totals (replacing those of the same day).
// The day is the organisation's calendar day (its time zone): a hospital's night job at 00:30 belongs to
// the day that has just begun there, whatever the server's zone.
func (s *Service) Snapshot(ctx context.Context, orgID int64) (domain.RiskSnapshot, error) {
	o, err := s.Store.Org(ctx, orgID)
	if err != nil {
		return domain.RiskSnapshot{}, err
	}
	a, err := s.Assess(ctx, orgID)
	if err != nil {
		return domain.RiskSnapshot{}, err
	}
	snaps := a.Snapshots(a.AsOf.In(o.Location()).Format(time.DateOnly))
	err = s.Store.Scope(orgID).Write(ctx, func(tx *store.Tx) error { return tx.SaveRiskSnapshots(ctx, snaps) })
	return snaps[0], err
}

// RegisterJobs registers the daily snapshot of every organisation.
func (s *Service) RegisterJobs(r *jobs.Runner, log *slog.Logger) {
	r.Register(JobSnapshot, func(ctx context.Context, j *store.Job, p *jobs.Progress) error {
		orgs, err := s.Store.Orgs(ctx)
		if err != nil {
			return err
		}
		var total float64
		for i, o := range orgs {
			snap, err := s.Snapshot(ctx, o.ID)
			if err != nil {
				return fmt.Errorf("organisation %s: %w", o.Slug, err)
			}
			total += snap.Risk
			p.Set(ctx, 100*(i+1)/len(orgs), o.Slug)
		}
		p.Result = fmt.Sprintf("risk snapshots of %d organisation(s)", len(orgs))
		if log != nil {
			log.Debug("risk snapshots", "orgs", len(orgs), "total", total)
		}
		return nil
	})
	r.Every(jobs.Schedule{Name: JobSnapshot, Kind: JobSnapshot, Every: 24 * time.Hour})
}
