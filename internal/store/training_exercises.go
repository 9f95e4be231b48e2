package store

import (
	"context"

	"github.com/vigil-med/vigil/internal/domain"
)

// Tabletop exercises: the exercise, its participants, the log of injects and decisions, and findings.

const exerciseCols = "id, org_id, scenario, title, status, planned, started, finished, facilitator, location, summary, incident_id, created, updated"

func scanExercise(sc interface{ Scan(...any) error }) (domain.Exercise, error) {
	var e domain.Exercise
	err := sc.Scan(&e.ID, &e.OrgID, &e.Scenario, &e.Title, &e.Status, &e.Planned, &e.Started, &e.Finished, &e.Facilitator,
		&e.Location, &e.Summary, &e.IncidentID, &e.Created, &e.Updated)
	e.Planned, e.Started, e.Finished = utcPtr(e.Planned), utcPtr(e.Started), utcPtr(e.Finished)
	e.Created, e.Updated = e.Created.UTC(), e.Updated.UTC()
	return e, err
}

// Exercises lists the organisation's exercises, newest first.
func (sc *Scope) Exercises(ctx context.Context) ([]domain.Exercise, error) {
	rows, err := sc.Query(ctx, "SELECT "+exerciseCols+" FROM exercises WHERE org_id = ? ORDER BY COALESCE(started, planned, created) DESC, id DESC", sc.org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.Exercise{}
	for rows.Next() {
		e, err := scanExercise(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Exercise returns one exercise of the organisation.
func (sc *Scope) Exercise(ctx context.Context, id int64) (domain.Exercise, error) {
	e, err := scanExercise(sc.QueryRow(ctx, "SELECT "+exerciseCols+" FROM exercises WHERE org_id = ? AND id = ?", sc.org, id))
	return e, NotFound(err, "exercise")
}

// ExerciseByIncident returns the exercise linked to an exercise incident of the incident module
// (ENotFound when none is).
func (sc *Scope) ExerciseByIncident(ctx context.Context, incidentID int64) (domain.Exercise, error) {
	e, err := scanExercise(sc.QueryRow(ctx, "SELECT "+exerciseCols+" FROM exercises WHERE org_id = ? AND incident_id = ? ORDER BY id LIMIT 1",
		sc.org, incidentID))
	return e, NotFound(err, "exercise")
}

// checkExerciseIncident verifies that the incident an exercise links to is an exercise incident of the
// organisation (the column has no foreign key: the table is another module's).
func (tx *Tx) checkExerciseIncident(ctx context.Context, e domain.Exercise) error {
	if e.IncidentID == 0 {
		return nil
	}
	n, err := tx.Count(ctx, "SELECT COUNT(*) FROM incidents WHERE org_id = ? AND id = ? AND exercise = TRUE", tx.org, e.IncidentID)
	if err != nil {
		return err
	}
	if n == 0 {
		return domain.Invalid("incident_id", "there is no exercise incident EX-%d in this organisation", e.IncidentID)
	}
	return nil
}

// CreateExercise adds an exercise.
func (tx *Tx) CreateExercise(ctx context.Context, e *domain.Exercise) error {
	if err := e.Validate(); err != nil {
		return err
	}
	if err := tx.checkExerciseIncident(ctx, *e); err != nil {
		return err
	}
	e.OrgID, e.Created, e.Updated = tx.org, now(), now()
	id, err := tx.InsertID(ctx, `INSERT INTO exercises (org_id, scenario, title, status, planned, started, finished, facilitator, location,
		summary, incident_id, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		tx.org, e.Scenario, e.Title, e.Status, tsPtr(e.Planned), tsPtr(e.Started), tsPtr(e.Finished), e.Facilitator, e.Location,
		e.Summary, e.IncidentID, e.Created, e.Updated)
	if err != nil {
		return err
	}
	e.ID = id
	return tx.Audit(ctx, AuditEntry{Action: "exercise.create", Entity: "exercise", EntityID: id, Summary: "planned exercise " + e.Title, Data: e})
}

// UpdateExercise changes an exercise (title, state, times, facilitator, location, summary, incident link).
func (tx *Tx) UpdateExercise(ctx context.Context, e domain.Exercise) error {
	if err := e.Validate(); err != nil {
		return err
	}
	if err := tx.checkExerciseIncident(ctx, e); err != nil {
		return err
	}
	res, err := tx.Exec(ctx, `UPDATE exercises SET title = ?, status = ?, planned = ?, started = ?, finished = ?, facilitator = ?,
		location = ?, summary = ?, incident_id = ?, updated = ? WHERE org_id = ? AND id = ?`,
		e.Title, e.Status, tsPtr(e.Planned), tsPtr(e.Started), tsPtr(e.Finished), e.Facilitator, e.Location, e.Summary, e.IncidentID,
		now(), tx.org, e.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFound("exercise")
	}
	return tx.Audit(ctx, AuditEntry{Action: "exercise.update", Entity: "exercise", EntityID: e.ID, Summary: "changed exercise " + e.Title + " (" + e.Status + ")", Data: e})
}

// Participants lists the people of an exercise by name.
func (sc *Scope) Participants(ctx context.Context, exerciseID int64) ([]domain.Participant, error) {
	rows, err := sc.Query(ctx, `SELECT p.exercise_id, p.staff_id, s.name, s.department, p.role, p.attended FROM exercise_participants p
		JOIN staff s ON s.org_id = p.org_id AND s.id = p.staff_id WHERE p.org_id = ? AND p.exercise_id = ? ORDER BY s.name`, sc.org, exerciseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.Participant{}
	for rows.Next() {
		var p domain.Participant
		if err := rows.Scan(&p.ExerciseID, &p.StaffID, &p.Name, &p.Department, &p.Role, &p.Attended); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// SetParticipant adds a person to an exercise or changes their role and attendance.
func (tx *Tx) SetParticipant(ctx context.Context, p domain.Participant) error {
	for _, c := range []struct {
		table, what string
		id          int64
	}{{"exercises", "exercise", p.ExerciseID}, {"staff", "person", p.StaffID}} {
		n, err := tx.Count(ctx, "SELECT COUNT(*) FROM "+c.table+" WHERE org_id = ? AND id = ?", tx.org, c.id)
		if err != nil {
			return err
		}
		if n == 0 {
			return domain.Invalid(c.what, "%s %d does not exist", c.what, c.id)
		}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO exercise_participants (org_id, exercise_id, staff_id, role, attended) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (org_id, exercise_id, staff_id) DO UPDATE SET role = excluded.role, attended = excluded.attended`,
		tx.org, p.ExerciseID, p.StaffID, p.Role, p.Attended); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "exercise.participant", Entity: "exercise", EntityID: p.ExerciseID,
		Summary: "set a participant of the exercise", Data: p})
}

// RemoveParticipant takes a person off an exercise.
func (tx *Tx) RemoveParticipant(ctx context.Context, exerciseID, staffID int64) error {
	res, err := tx.Exec(ctx, "DELETE FROM exercise_participants WHERE org_id = ? AND exercise_id = ? AND staff_id = ?", tx.org, exerciseID, staffID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFound("participant")
	}
	return tx.Audit(ctx, AuditEntry{Action: "exercise.participant_remove", Entity: "exercise", EntityID: exerciseID,
		Summary: "removed a participant from the exercise", Data: map[string]int64{"staff_id": staffID}})
}

// ExerciseLog lists the log of an exercise in time order.
func (sc *Scope) ExerciseLog(ctx context.Context, exerciseID int64) ([]domain.ExerciseLogEntry, error) {
	rows, err := sc.Query(ctx, `SELECT l.id, l.exercise_id, l.inject, l.kind, l.elapsed_minutes, l.text, l.staff_id, COALESCE(s.name, ''), l.created
		FROM exercise_log l LEFT JOIN staff s ON s.org_id = l.org_id AND s.id = l.staff_id
		WHERE l.org_id = ? AND l.exercise_id = ? ORDER BY l.elapsed_minutes, l.id`, sc.org, exerciseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.ExerciseLogEntry{}
	for rows.Next() {
		var l domain.ExerciseLogEntry
		if err := rows.Scan(&l.ID, &l.ExerciseID, &l.Inject, &l.Kind, &l.ElapsedMinutes, &l.Text, &l.StaffID, &l.StaffName, &l.Created); err != nil {
			return nil, err
		}
		l.Created = l.Created.UTC()
		out = append(out, l)
	}
	return out, rows.Err()
}

// AddExerciseLog records an inject, a decision or a note.
func (tx *Tx) AddExerciseLog(ctx context.Context, l *domain.ExerciseLogEntry) error {
	if err := l.Validate(); err != nil {
		return err
	}
	if n, err := tx.Count(ctx, "SELECT COUNT(*) FROM exercises WHERE org_id = ? AND id = ?", tx.org, l.ExerciseID); err != nil || n == 0 {
		if err != nil {
			return err
		}
		return domain.NotFound("exercise")
	}
	if l.StaffID != nil {
		if n, err := tx.Count(ctx, "SELECT COUNT(*) FROM staff WHERE org_id = ? AND id = ?", tx.org, *l.StaffID); err != nil || n == 0 {
			if err != nil {
				return err
			}
			return domain.Invalid("staff_id", "person %d does not exist", *l.StaffID)
		}
	}
	l.Created = now()
	id, err := tx.InsertID(ctx, `INSERT INTO exercise_log (org_id, exercise_id, inject, kind, elapsed_minutes, text, staff_id, created)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, tx.org, l.ExerciseID, l.Inject, l.Kind, l.ElapsedMinutes, l.Text, l.StaffID, l.Created)
	if err != nil {
		return err
	}
	l.ID = id
	return tx.Audit(ctx, AuditEntry{Action: "exercise.log", Entity: "exercise", EntityID: l.ExerciseID,
		Summary: "recorded a " + l.Kind + " in the exercise", Data: l})
}

const findingCols = `f.id, f.org_id, f.exercise_id, f.title, f.detail, f.severity, f.action, f.owner_id, COALESCE(s.name, ''), f.due,
	f.status, f.closed, f.created, f.updated`

const findingFrom = ` FROM exercise_findings f LEFT JOIN staff s ON s.org_id = f.org_id AND s.id = f.owner_id`

func scanFinding(sc interface{ Scan(...any) error }) (domain.ExerciseFinding, error) {
	var f domain.ExerciseFinding
	err := sc.Scan(&f.ID, &f.OrgID, &f.ExerciseID, &f.Title, &f.Detail, &f.Severity, &f.Action, &f.OwnerID, &f.OwnerName, &f.Due,
		&f.Status, &f.Closed, &f.Created, &f.Updated)
	f.Due, f.Closed = utcPtr(f.Due), utcPtr(f.Closed)
	f.Created, f.Updated = f.Created.UTC(), f.Updated.UTC()
	return f, err
}

// Findings lists the findings of an exercise (of all exercises when exerciseID is 0), open ones first.
func (sc *Scope) Findings(ctx context.Context, exerciseID int64) ([]domain.ExerciseFinding, error) {
	q := "SELECT " + findingCols + findingFrom + " WHERE f.org_id = ?"
	args := []any{sc.org}
	if exerciseID != 0 {
		q, args = q+" AND f.exercise_id = ?", append(args, exerciseID)
	}
	rows, err := sc.Query(ctx, q+" ORDER BY CASE WHEN f.status = 'open' THEN 0 ELSE 1 END, f.due, f.id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.ExerciseFinding{}
	for rows.Next() {
		f, err := scanFinding(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// Finding returns one finding of the organisation.
func (sc *Scope) Finding(ctx context.Context, id int64) (domain.ExerciseFinding, error) {
	f, err := scanFinding(sc.QueryRow(ctx, "SELECT "+findingCols+findingFrom+" WHERE f.org_id = ? AND f.id = ?", sc.org, id))
	return f, NotFound(err, "finding")
}

func (tx *Tx) checkFindingOwner(ctx context.Context, f domain.ExerciseFinding) error {
	if f.OwnerID == nil {
		return nil
	}
	n, err := tx.Count(ctx, "SELECT COUNT(*) FROM staff WHERE org_id = ? AND id = ?", tx.org, *f.OwnerID)
	if err != nil {
		return err
	}
	if n == 0 {
		return domain.Invalid("owner_id", "person %d does not exist", *f.OwnerID)
	}
	return nil
}

// CreateFinding adds a finding (with its action) to an exercise.
func (tx *Tx) CreateFinding(ctx context.Context, f *domain.ExerciseFinding) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if err := tx.checkFindingOwner(ctx, *f); err != nil {
		return err
	}
	if n, err := tx.Count(ctx, "SELECT COUNT(*) FROM exercises WHERE org_id = ? AND id = ?", tx.org, f.ExerciseID); err != nil || n == 0 {
		if err != nil {
			return err
		}
		return domain.NotFound("exercise")
	}
	f.OrgID, f.Created, f.Updated = tx.org, now(), now()
	id, err := tx.InsertID(ctx, `INSERT INTO exercise_findings (org_id, exercise_id, title, detail, severity, action, owner_id, due, status,
		closed, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, tx.org, f.ExerciseID, f.Title, f.Detail,
		f.Severity, f.Action, f.OwnerID, tsPtr(f.Due), f.Status, tsPtr(f.Closed), f.Created, f.Updated)
	if err != nil {
		return err
	}
	f.ID = id
	return tx.Audit(ctx, AuditEntry{Action: "exercise.finding.create", Entity: "exercise_finding", EntityID: id, Summary: "recorded finding " + f.Title, Data: f})
}

// UpdateFinding changes a finding and its action (closing it sets the closed time).
func (tx *Tx) UpdateFinding(ctx context.Context, f domain.ExerciseFinding) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if err := tx.checkFindingOwner(ctx, f); err != nil {
		return err
	}
	if f.Status == domain.FindingDone && f.Closed == nil {
		t := now()
		f.Closed = &t
	}
	if f.Status == domain.FindingOpen {
		f.Closed = nil
	}
	res, err := tx.Exec(ctx, `UPDATE exercise_findings SET title = ?, detail = ?, severity = ?, action = ?, owner_id = ?, due = ?, status = ?,
		closed = ?, updated = ? WHERE org_id = ? AND id = ?`, f.Title, f.Detail, f.Severity, f.Action, f.OwnerID, tsPtr(f.Due), f.Status,
		tsPtr(f.Closed), now(), tx.org, f.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFound("finding")
	}
	return tx.Audit(ctx, AuditEntry{Action: "exercise.finding.update", Entity: "exercise_finding", EntityID: f.ID, Summary: "changed finding " + f.Title + " (" + f.Status + ")", Data: f})
}
