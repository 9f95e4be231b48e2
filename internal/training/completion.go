package training

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// Completion records a module as completed (or failed) for one person or many.
type Completion struct {
	ModuleID int64     `json:"module_id"`
	Date     time.Time `json:"date"`
	Result   string    `json:"result,omitempty"`   // completed (default), passed or failed
	Score    *float64  `json:"score,omitempty"`    // 0–100
	Provider string    `json:"provider,omitempty"` // "internal" or the external provider or course name
	// Evidence: a link to a certificate, or a file uploaded before (its id).
	EvidenceURL    string `json:"evidence_url,omitempty"`
	EvidenceFileID *int64 `json:"evidence_file_id,omitempty"`
	Note           string `json:"note,omitempty"`
	// Who: people by id, by staff number or e-mail (one a line or comma-separated), or everyone in a
	// department who has the module assigned and not completed.
	StaffIDs   []int64 `json:"staff_ids,omitempty"`
	People     string  `json:"people,omitempty"`
	Department string  `json:"department,omitempty"`
}

// CompletionResult says what RecordCompletion recorded.
type CompletionResult struct {
	Added   int `json:"added"`
	Skipped int `json:"skipped"` // recorded before
}

// RecordCompletion records a completion for the people it names, in tx. People named by staff number
// or e-mail that are not in the register make the whole request fail with a message naming them.
func RecordCompletion(ctx context.Context, tx *store.Tx, c Completion, now time.Time) (CompletionResult, error) {
	var res CompletionResult
	sc := tx.Scope()
	m, err := sc.TrainingModule(ctx, c.ModuleID)
	if err != nil {
		return res, domain.Invalid("module_id", "choose a module")
	}
	loc, err := location(ctx, sc)
	if err != nil {
		return res, err
	}
	if c.Date.IsZero() {
		c.Date = now
	}
	day := Day(c.Date, time.UTC)
	if day.After(Day(now, loc).AddDate(0, 0, 1)) {
		return res, domain.Invalid("date", "lies in the future")
	}
	if c.Result == "" {
		c.Result = domain.ResultCompleted
	}
	if c.Provider == "" {
		c.Provider = "internal"
	}
	ids := append([]int64{}, c.StaffIDs...)
	var unknown []string
	for ref := range strings.FieldsFuncSeq(c.People, func(r rune) bool { return r == ',' || r == '\n' || r == ';' || r == '\r' }) {
		ref = strings.TrimSpace(ref)
		if ref == "" {
			continue
		}
		p, err := sc.StaffByRef(ctx, ref, ref)
		if domain.ErrorCode(err) == domain.ENotFound {
			unknown = append(unknown, ref)
			continue
		}
		if err != nil {
			return res, err
		}
		ids = append(ids, p.ID)
	}
	if len(unknown) > 0 {
		return res, domain.Invalid("people", "not in the staff register: %s", clipList(unknown, 10))
	}
	if c.Department != "" {
		open, err := sc.Assignments(ctx, store.AssignmentFilter{ModuleID: m.ID})
		if err != nil {
			return res, err
		}
		people, err := sc.AllStaff(ctx)
		if err != nil {
			return res, err
		}
		inDept := map[int64]bool{}
		for _, p := range people {
			if strings.EqualFold(p.Department, c.Department) && p.Active(now) {
				inDept[p.ID] = true
			}
		}
		for _, a := range open {
			if inDept[a.StaffID] {
				ids = append(ids, a.StaffID)
			}
		}
	}
	if len(ids) == 0 {
		return res, domain.Invalid("people", "name at least one person")
	}
	seen := map[int64]bool{}
	var recs []domain.TrainingRecord
	kind := domain.RecordCourse
	if m.Delivery == domain.DeliveryExercise {
		kind = domain.RecordExercise
	}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		mid := m.ID
		recs = append(recs, domain.TrainingRecord{StaffID: id, ModuleID: &mid, Kind: kind, Date: day, Result: c.Result, Score: c.Score,
			Provider: c.Provider, EvidenceURL: c.EvidenceURL, EvidenceFileID: c.EvidenceFileID, Note: c.Note, Source: "manual"})
	}
	if len(recs) == 1 {
		err := tx.AddTrainingRecord(ctx, &recs[0])
		if domain.ErrorCode(err) == domain.EConflict {
			return CompletionResult{Skipped: 1}, nil
		}
		if err != nil {
			return res, err
		}
		return CompletionResult{Added: 1}, nil
	}
	res.Added, res.Skipped, err = tx.AddTrainingRecords(ctx, recs, fmt.Sprintf("recorded %s of %s for %d people", c.Result, m.Title, len(recs)))
	return res, err
}
