package training

import (
	"context"
	"fmt"
	"time"

	"github.com/vigil-med/vigil/internal/regulation"
	"github.com/vigil-med/vigil/internal/store"
)

// Evidence turns the coverage into the regulation module's automatic evidence of kind
// training-completion for NIS2 Art 21(2)(g) (the figures of that kind in regulation's
// data/nis2-measures.yaml):
//
//   - staff_assigned: current staff with at least one assigned module;
//   - staff_completed: of them, those whose every assignment is completed (valid, not expired);
//   - completion: staff_completed / staff_assigned in percent;
//   - board_completed: management-body members with every Art 20(2) module completed, in percent of
//     the members (members without such a module count as not trained).
func (r Report) Evidence() regulation.Evidence {
	return regulation.Evidence{
		Kind:    regulation.EvidenceTraining,
		Measure: "nis2.21.2.g",
		AsOf:    r.AsOf,
		Figures: []regulation.Figure{
			{Name: "staff_assigned", Value: float64(r.PeopleAssigned), Unit: "count"},
			{Name: "staff_completed", Value: float64(r.PeopleComplete), Unit: "count"},
			{Name: "completion", Value: r.PeopleRate, Unit: "percent"},
			{Name: "board_completed", Value: r.Board.TrainedRate, Unit: "percent"},
		},
		Source: fmt.Sprintf("Vigil training records on %s: %d of %d current staff with assigned training have every module completed and valid "+
			"(%d of %d assignments, %d overdue); management body: %d of %d members with every Art 20(2) module completed", r.Day,
			r.PeopleComplete, r.PeopleAssigned, r.Totals.Completed, r.Totals.Assigned, r.Totals.Overdue, r.Board.MembersTrained, r.Board.Members),
	}
}

// ComplianceEvidence is the provider of training-completion evidence in the shape of the compliance
// module's EvidenceProvider (func(ctx, *store.Scope) (regulation.Evidence, bool, error)): ok is false
// while the organisation has no training assigned, so the evidence shows as "no data" rather than 0 %.
// Register it at start: a.Compliance.Register(regulation.EvidenceTraining, training.ComplianceEvidence).
func ComplianceEvidence(ctx context.Context, sc *store.Scope) (regulation.Evidence, bool, error) {
	r, err := Coverage(ctx, sc, time.Now())
	if err != nil || r.Totals.Assigned == 0 {
		return regulation.Evidence{}, false, err
	}
	return r.Evidence(), true, nil
}

// Evidence computes the coverage of the scope's organisation at now and returns it as Art 21(2)(g)
// evidence. Its signature is that of an evidence provider, for the regulation module to register.
func Evidence(ctx context.Context, sc *store.Scope, now time.Time) (regulation.Evidence, error) {
	r, err := Coverage(ctx, sc, now)
	if err != nil {
		return regulation.Evidence{}, err
	}
	return r.Evidence(), nil
}
