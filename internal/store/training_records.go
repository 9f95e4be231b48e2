package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// Assignments, training records and reminders.

const assignmentCols = "id, org_id, staff_id, module_id, curriculum_id, rule_id, assigned, due, cancelled, source"

func scanAssignment(sc interface{ Scan(...any) error }) (domain.Assignment, error) {
	var a domain.Assignment
	err := sc.Scan(&a.ID, &a.OrgID, &a.StaffID, &a.ModuleID, &a.CurriculumID, &a.RuleID, &a.Assigned, &a.Due, &a.Cancelled, &a.Source)
	a.Assigned, a.Due, a.Cancelled = a.Assigned.UTC(), a.Due.UTC(), utcPtr(a.Cancelled)
	return a, err
}

// AssignmentFilter selects assignments; zero fields do not filter.
type AssignmentFilter struct {
	StaffID          int64
	ModuleID         int64
	IncludeCancelled bool
}

// Assignments lists the organisation's assignments by id.
func (sc *Scope) Assignments(ctx context.Context, f AssignmentFilter) ([]domain.Assignment, error) {
	q := "SELECT " + assignmentCols + " FROM training_assignments WHERE org_id = ?"
	args := []any{sc.org}
	if f.StaffID != 0 {
		q, args = q+" AND staff_id = ?", append(args, f.StaffID)
	}
	if f.ModuleID != 0 {
		q, args = q+" AND module_id = ?", append(args, f.ModuleID)
	}
	if !f.IncludeCancelled {
		q += " AND cancelled IS NULL"
	}
	rows, err := sc.Query(ctx, q+" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.Assignment{}
	for rows.Next() {
		a, err := scanAssignment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Assignment returns one assignment of the organisation.
func (sc *Scope) Assignment(ctx context.Context, id int64) (domain.Assignment, error) {
	a, err := scanAssignment(sc.QueryRow(ctx, "SELECT "+assignmentCols+" FROM training_assignments WHERE org_id = ? AND id = ?", sc.org, id))
	return a, NotFound(err, "assignment")
}

// EnsureResult counts what EnsureAssignments changed.
type EnsureResult struct {
	Created     int `json:"created"`
	Reactivated int `json:"reactivated"` // cancelled assignments assigned again
	Tightened   int `json:"tightened"`   // open assignments whose due date moved earlier
	Unchanged   int `json:"unchanged"`
}

// Changed is the number of assignments created, reactivated or given an earlier due date.
func (r EnsureResult) Changed() int { return r.Created + r.Reactivated + r.Tightened }

// EnsureAssignments makes sure each person has each module assigned: new ones are created, cancelled
// ones reactivated with the new dates, and open ones keep their assignment but take the earlier due
// date. One audit event with summary records the batch (when anything changed).
func (tx *Tx) EnsureAssignments(ctx context.Context, as []domain.Assignment, summary string) (EnsureResult, error) {
	var res EnsureResult
	for _, a := range as {
		if a.StaffID <= 0 || a.ModuleID <= 0 || a.Due.IsZero() {
			return res, domain.Invalid("assignment", "person, module and due date are required")
		}
		if a.Assigned.IsZero() {
			a.Assigned = now()
		}
		existing, err := scanAssignment(tx.QueryRow(ctx, "SELECT "+assignmentCols+" FROM training_assignments WHERE org_id = ? AND staff_id = ? AND module_id = ?",
			tx.org, a.StaffID, a.ModuleID))
		switch {
		case domain.ErrorCode(mapErr(err)) == domain.ENotFound:
			if _, err := tx.Exec(ctx, `INSERT INTO training_assignments (org_id, staff_id, module_id, curriculum_id, rule_id, assigned, due, source)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, tx.org, a.StaffID, a.ModuleID, a.CurriculumID, a.RuleID, TS(a.Assigned), TS(a.Due), a.Source); err != nil {
				return res, err
			}
			res.Created++
		case err != nil:
			return res, err
		case existing.Cancelled != nil:
			if _, err := tx.Exec(ctx, `UPDATE training_assignments SET cancelled = NULL, curriculum_id = ?, rule_id = ?, assigned = ?, due = ?, source = ?
				WHERE org_id = ? AND id = ?`, a.CurriculumID, a.RuleID, TS(a.Assigned), TS(a.Due), a.Source, tx.org, existing.ID); err != nil {
				return res, err
			}
			res.Reactivated++
		case a.Due.Before(existing.Due):
			if _, err := tx.Exec(ctx, "UPDATE training_assignments SET due = ? WHERE org_id = ? AND id = ?", TS(a.Due), tx.org, existing.ID); err != nil {
				return res, err
			}
			res.Tightened++
		default:
			res.Unchanged++
		}
	}
	if res.Changed() == 0 {
		return res, nil
	}
	return res, tx.Audit(ctx, AuditEntry{Action: "training.assign", Entity: "training_assignment", Summary: summary, Data: res})
}

// CancelAssignments withdraws open assignments (the person changed role, or an assignment was a
// mistake); one audit event records the batch.
func (tx *Tx) CancelAssignments(ctx context.Context, ids []int64, summary string) (int, error) {
	n := 0
	t := now()
	for _, id := range ids {
		res, err := tx.Exec(ctx, "UPDATE training_assignments SET cancelled = ? WHERE org_id = ? AND id = ? AND cancelled IS NULL", t, tx.org, id)
		if err != nil {
			return n, err
		}
		k, _ := res.RowsAffected()
		n += int(k)
	}
	if n == 0 {
		return 0, nil
	}
	return n, tx.Audit(ctx, AuditEntry{Action: "training.unassign", Entity: "training_assignment", Summary: summary, Data: map[string]any{"ids": ids}})
}

const recordCols = `r.id, r.org_id, r.staff_id, s.name, r.module_id, COALESCE(m.title, ''), r.campaign, r.kind, r.completed_on, r.result,
	r.score, r.provider, r.evidence_url, r.evidence_file_id, r.note, r.source, r.created`

const recordFrom = ` FROM training_records r JOIN staff s ON s.org_id = r.org_id AND s.id = r.staff_id
	LEFT JOIN training_modules m ON m.org_id = r.org_id AND m.id = r.module_id`

func scanRecord(sc interface{ Scan(...any) error }) (domain.TrainingRecord, error) {
	var r domain.TrainingRecord
	err := sc.Scan(&r.ID, &r.OrgID, &r.StaffID, &r.StaffName, &r.ModuleID, &r.ModuleTitle, &r.Campaign, &r.Kind, &r.Date, &r.Result,
		&r.Score, &r.Provider, &r.EvidenceURL, &r.EvidenceFileID, &r.Note, &r.Source, &r.Created)
	r.Date, r.Created = r.Date.UTC(), r.Created.UTC()
	return r, err
}

// RecordFilter selects training records; zero fields do not filter.
type RecordFilter struct {
	StaffID  int64
	ModuleID int64
	Kinds    []string
	Source   string
	Since    time.Time
	Limit    int // 0: all
}

// TrainingRecords lists records, newest first.
func (sc *Scope) TrainingRecords(ctx context.Context, f RecordFilter) ([]domain.TrainingRecord, error) {
	q := "SELECT " + recordCols + recordFrom + " WHERE r.org_id = ?"
	args := []any{sc.org}
	if f.StaffID != 0 {
		q, args = q+" AND r.staff_id = ?", append(args, f.StaffID)
	}
	if f.ModuleID != 0 {
		q, args = q+" AND r.module_id = ?", append(args, f.ModuleID)
	}
	if len(f.Kinds) > 0 {
		q += " AND r.kind IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(f.Kinds)), ", ") + ")"
		for _, k := range f.Kinds {
			args = append(args, k)
		}
	}
	if f.Source != "" {
		q, args = q+" AND r.source = ?", append(args, f.Source)
	}
	if !f.Since.IsZero() {
		q, args = q+" AND r.completed_on >= ?", append(args, TS(f.Since))
	}
	q += " ORDER BY r.completed_on DESC, r.id DESC"
	if f.Limit > 0 {
		q, args = q+" LIMIT ?", append(args, f.Limit)
	}
	rows, err := sc.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.TrainingRecord{}
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// TrainingRecord returns one record of the organisation.
func (sc *Scope) TrainingRecord(ctx context.Context, id int64) (domain.TrainingRecord, error) {
	r, err := scanRecord(sc.QueryRow(ctx, "SELECT "+recordCols+recordFrom+" WHERE r.org_id = ? AND r.id = ?", sc.org, id))
	return r, NotFound(err, "training record")
}

func (tx *Tx) checkRecordRefs(ctx context.Context, r domain.TrainingRecord) error {
	n, err := tx.Count(ctx, "SELECT COUNT(*) FROM staff WHERE org_id = ? AND id = ?", tx.org, r.StaffID)
	if err != nil {
		return err
	}
	if n == 0 {
		return domain.Invalid("staff_id", "person %d does not exist", r.StaffID)
	}
	if r.ModuleID != nil {
		if n, err = tx.Count(ctx, "SELECT COUNT(*) FROM training_modules WHERE org_id = ? AND id = ?", tx.org, *r.ModuleID); err != nil {
			return err
		}
		if n == 0 {
			return domain.Invalid("module_id", "module %d does not exist", *r.ModuleID)
		}
	}
	if r.EvidenceFileID != nil {
		if n, err = tx.Count(ctx, "SELECT COUNT(*) FROM training_files WHERE org_id = ? AND id = ?", tx.org, *r.EvidenceFileID); err != nil {
			return err
		}
		if n == 0 {
			return domain.Invalid("evidence_file_id", "file %d does not exist", *r.EvidenceFileID)
		}
	}
	return nil
}

// insertRecord adds a record unless the same result of the same person for the same module or campaign
// on the same day exists already; it reports whether it added one.
func (tx *Tx) insertRecord(ctx context.Context, r *domain.TrainingRecord) (bool, error) {
	if err := r.Validate(); err != nil {
		return false, err
	}
	if err := tx.checkRecordRefs(ctx, *r); err != nil {
		return false, err
	}
	r.Date = TS(r.Date)
	var mod any
	modCond := "module_id IS NULL"
	if r.ModuleID != nil {
		mod, modCond = *r.ModuleID, "module_id = ?"
	}
	args := []any{tx.org, r.StaffID, r.Kind, r.Campaign, r.Date, r.Result}
	if mod != nil {
		args = append(args, mod)
	}
	dup, err := tx.Count(ctx, "SELECT COUNT(*) FROM training_records WHERE org_id = ? AND staff_id = ? AND kind = ? AND campaign = ? AND completed_on = ? AND result = ? AND "+modCond, args...)
	if err != nil {
		return false, err
	}
	if dup > 0 {
		return false, nil
	}
	r.OrgID, r.Created = tx.org, now()
	id, err := tx.InsertID(ctx, `INSERT INTO training_records (org_id, staff_id, module_id, campaign, kind, completed_on, result, score,
		provider, evidence_url, evidence_file_id, note, source, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		tx.org, r.StaffID, r.ModuleID, r.Campaign, r.Kind, r.Date, r.Result, r.Score, r.Provider, r.EvidenceURL, r.EvidenceFileID,
		r.Note, r.Source, r.Created)
	if err != nil {
		return false, err
	}
	r.ID = id
	return true, nil
}

// AddTrainingRecord adds one record (a completion entered by hand, for example). A record identical
// to an existing one (same person, module or campaign, day and result) is refused as a conflict.
func (tx *Tx) AddTrainingRecord(ctx context.Context, r *domain.TrainingRecord) error {
	added, err := tx.insertRecord(ctx, r)
	if err != nil {
		return err
	}
	if !added {
		return domain.Errorf(domain.EConflict, "this result is recorded already")
	}
	return tx.Audit(ctx, AuditEntry{Action: "training.record.add", Entity: "training_record", EntityID: r.ID,
		Summary: "recorded " + r.Result + " (" + r.Kind + ") for person " + strconv.FormatInt(r.StaffID, 10), Data: r})
}

// AddTrainingRecords adds a batch of records (an import, a bulk completion, an exercise), skipping
// records that exist already (their ID stays 0; added ones get theirs); one audit event with summary
// records the batch. It returns how many it added and skipped.
func (tx *Tx) AddTrainingRecords(ctx context.Context, rs []domain.TrainingRecord, summary string) (added, skipped int, err error) {
	for i := range rs {
		ok, err := tx.insertRecord(ctx, &rs[i])
		if err != nil {
			return added, skipped, err
		}
		if ok {
			added++
		} else {
			skipped++
		}
	}
	if added == 0 {
		return 0, skipped, nil
	}
	return added, skipped, tx.Audit(ctx, AuditEntry{Action: "training.record.import", Entity: "training_record", Summary: summary,
		Data: map[string]int{"added": added, "skipped": skipped}})
}

// DeleteTrainingRecord removes a record entered by mistake.
func (tx *Tx) DeleteTrainingRecord(ctx context.Context, id int64) error {
	res, err := tx.Exec(ctx, "DELETE FROM training_records WHERE org_id = ? AND id = ?", tx.org, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFound("training record")
	}
	return tx.Audit(ctx, AuditEntry{Action: "training.record.delete", Entity: "training_record", EntityID: id, Summary: "removed a training record"})
}

// Reminder is a reminder sent for an assignment.
type Reminder struct {
	ID           int64     `json:"id"`
	AssignmentID int64     `json:"assignment_id"`
	Stage        string    `json:"stage"` // due, overdue
	Due          time.Time `json:"due"`
	Channel      string    `json:"channel"`
	Target       string    `json:"target"`
	Sent         time.Time `json:"sent"`
}

// RecordReminder notes that the stage's reminder for the assignment and due date goes out. It returns
// false (and writes nothing) when it was sent before: each stage is sent once per due date.
func (tx *Tx) RecordReminder(ctx context.Context, assignmentID int64, stage string, due time.Time, channel, target string) (bool, error) {
	rows, err := tx.Query(ctx, `INSERT INTO training_reminders (org_id, assignment_id, stage, due, channel, target, sent)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org_id, assignment_id, stage, due) DO NOTHING RETURNING id`,
		tx.org, assignmentID, stage, TS(due), channel, target, now())
	if err != nil {
		return false, err
	}
	defer rows.Close()
	inserted := rows.Next()
	return inserted, rows.Err()
}

// Reminders lists the reminders sent for a person's assignments (all people when staffID is 0), newest first.
func (sc *Scope) Reminders(ctx context.Context, staffID int64, limit int) ([]Reminder, error) {
	q := `SELECT r.id, r.assignment_id, r.stage, r.due, r.channel, r.target, r.sent FROM training_reminders r
		JOIN training_assignments a ON a.org_id = r.org_id AND a.id = r.assignment_id WHERE r.org_id = ?`
	args := []any{sc.org}
	if staffID != 0 {
		q, args = q+" AND a.staff_id = ?", append(args, staffID)
	}
	rows, err := sc.Query(ctx, q+" ORDER BY r.id DESC LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Reminder{}
	for rows.Next() {
		var r Reminder
		if err := rows.Scan(&r.ID, &r.AssignmentID, &r.Stage, &r.Due, &r.Channel, &r.Target, &r.Sent); err != nil {
			return nil, err
		}
		r.Due, r.Sent = r.Due.UTC(), r.Sent.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}
