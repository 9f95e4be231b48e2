package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// Incidents: the record itself, lists and counts, and the participants of exercises. The clocks live in
// incident_clocks.go, the rest of the record (timeline, actions, reports …) in incident_items.go. The
// deadline computation is not here: the store keeps what internal/incident computes.

const incidentCols = `id, org_id, title, description, category, status, severity, detected_at, aware_at, fix_available_at,
	impact, sites, services, devices, patient_safety, patients_affected, data_categories, data_subject_categories,
	data_subjects, data_records, cross_border, suspected_malicious, root_cause, iocs, COALESCE(owner_id, 0), exercise,
	scenario, acceleration, created_by, created, updated, closed_at`

func scanIncident(sc interface{ Scan(...any) error }) (domain.Incident, error) {
	var in domain.Incident
	var cat, status string
	var sites, services, devices, dataCats, subjCats, iocs string
	err := sc.Scan(&in.ID, &in.OrgID, &in.Title, &in.Description, &cat, &status, &in.Severity, &in.DetectedAt, &in.AwareAt,
		&in.FixAvailableAt, &in.Impact, &sites, &services, &devices, &in.PatientSafety, &in.PatientsAffected, &dataCats,
		&subjCats, &in.DataSubjects, &in.DataRecords, &in.CrossBorder, &in.SuspectedMalicious, &in.RootCause, &iocs,
		&in.OwnerID, &in.Exercise, &in.Scenario, &in.Acceleration, &in.CreatedBy, &in.Created, &in.Updated, &in.ClosedAt)
	if err != nil {
		return in, err
	}
	in.Category, in.Status = domain.IncidentCategory(cat), domain.IncidentStatus(status)
	in.Sites, in.Services, in.Devices = decodeList(sites), decodeList(services), decodeList(devices)
	in.DataCategories, in.DataSubjectCategories, in.IOCs = decodeList(dataCats), decodeList(subjCats), decodeList(iocs)
	in.AwareAt, in.Created, in.Updated = in.AwareAt.UTC(), in.Created.UTC(), in.Updated.UTC()
	in.DetectedAt, in.FixAvailableAt, in.ClosedAt = utcPtr(in.DetectedAt), utcPtr(in.FixAvailableAt), utcPtr(in.ClosedAt)
	return in, nil
}

// encodeList stores a text list as a JSON array.
func encodeList(l []string) string {
	if len(l) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(l)
	return string(b)
}

func decodeList(s string) []string {
	out := []string{}
	_ = json.Unmarshal([]byte(s), &out)
	return out
}

// tsArg is a nullable time argument in the store's precision.
func tsArg(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return TS(*t)
}

func incidentByID(ctx context.Context, q Q, org, id int64, lock string) (domain.Incident, error) {
	in, err := scanIncident(q.QueryRow(ctx, "SELECT "+incidentCols+" FROM incidents WHERE org_id = ? AND id = ?"+lock, org, id))
	return in, NotFound(err, "incident")
}

// Incident returns one incident of the organisation (ENotFound for another organisation's id).
func (sc *Scope) Incident(ctx context.Context, id int64) (domain.Incident, error) {
	return incidentByID(ctx, sc.Q, sc.org, id, "")
}

// Incident returns one incident of the organisation inside the transaction, locking its row on
// PostgreSQL so that concurrent changes of the same incident (and their clock recomputations) queue.
func (tx *Tx) Incident(ctx context.Context, id int64) (domain.Incident, error) {
	return incidentByID(ctx, tx.Q, tx.org, id, tx.ForUpdate())
}

// CreateIncident adds an incident (validated first) with its first timeline entry.
func (tx *Tx) CreateIncident(ctx context.Context, in *domain.Incident) error {
	if err := in.Validate(); err != nil {
		return err
	}
	if err := tx.checkOwner(ctx, in.OwnerID); err != nil {
		return err
	}
	a := domain.ActorFrom(ctx)
	in.OrgID, in.CreatedBy = tx.org, a.Name
	in.Created, in.Updated = now(), now()
	if in.Status == domain.StatusClosed {
		t := in.Created
		in.ClosedAt = &t
	}
	id, err := tx.InsertID(ctx, `INSERT INTO incidents (org_id, title, description, category, status, severity, detected_at, aware_at,
		fix_available_at, impact, sites, services, devices, patient_safety, patients_affected, data_categories, data_subject_categories,
		data_subjects, data_records, cross_border, suspected_malicious, root_cause, iocs, owner_id, exercise, scenario, acceleration,
		created_by, created, updated, closed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		tx.org, in.Title, in.Description, string(in.Category), string(in.Status), in.Severity, tsArg(in.DetectedAt), TS(in.AwareAt),
		tsArg(in.FixAvailableAt), in.Impact, encodeList(in.Sites), encodeList(in.Services), encodeList(in.Devices), in.PatientSafety,
		in.PatientsAffected, encodeList(in.DataCategories), encodeList(in.DataSubjectCategories), in.DataSubjects, in.DataRecords,
		in.CrossBorder, in.SuspectedMalicious, in.RootCause, encodeList(in.IOCs), nullID(in.OwnerID), in.Exercise, in.Scenario,
		in.Acceleration, in.CreatedBy, in.Created, in.Updated, tsArg(in.ClosedAt))
	if err != nil {
		return err
	}
	in.ID = id
	in.AwareAt = TS(in.AwareAt)
	kind := "incident"
	if in.Exercise {
		kind = "exercise"
	}
	if err := tx.addEvent(ctx, id, "created", fmt.Sprintf("%s opened: %s (%s)", strings.ToUpper(kind[:1])+kind[1:], in.Title, in.Category.Label()), ""); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "incident.create", Entity: "incident", EntityID: id,
		Summary: "opened " + kind + " " + in.Ref() + ": " + in.Title, Data: in})
}

// UpdateIncident changes the facts of an incident (not its status: SetIncidentStatus). It records which
// fields changed on the timeline.
func (tx *Tx) UpdateIncident(ctx context.Context, in domain.Incident) error {
	old, err := tx.Incident(ctx, in.ID)
	if err != nil {
		return err
	}
	in.Status, in.Exercise, in.Scenario, in.Acceleration = old.Status, old.Exercise, old.Scenario, old.Acceleration
	if in.Acceleration == 0 {
		in.Acceleration = 1
	}
	if err := in.Validate(); err != nil {
		return err
	}
	if err := tx.checkOwner(ctx, in.OwnerID); err != nil {
		return err
	}
	changed := incidentChanges(old, in)
	if len(changed) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `UPDATE incidents SET title = ?, description = ?, category = ?, severity = ?, detected_at = ?, aware_at = ?,
		fix_available_at = ?, impact = ?, sites = ?, services = ?, devices = ?, patient_safety = ?, patients_affected = ?,
		data_categories = ?, data_subject_categories = ?, data_subjects = ?, data_records = ?, cross_border = ?, suspected_malicious = ?,
		root_cause = ?, iocs = ?, owner_id = ?, updated = ? WHERE org_id = ? AND id = ?`,
		in.Title, in.Description, string(in.Category), in.Severity, tsArg(in.DetectedAt), TS(in.AwareAt), tsArg(in.FixAvailableAt),
		in.Impact, encodeList(in.Sites), encodeList(in.Services), encodeList(in.Devices), in.PatientSafety, in.PatientsAffected,
		encodeList(in.DataCategories), encodeList(in.DataSubjectCategories), in.DataSubjects, in.DataRecords, in.CrossBorder,
		in.SuspectedMalicious, in.RootCause, encodeList(in.IOCs), nullID(in.OwnerID), now(), tx.org, in.ID); err != nil {
		return err
	}
	summary := "Changed " + strings.Join(changed, ", ")
	if err := tx.addEvent(ctx, in.ID, "update", summary, ""); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "incident.update", Entity: "incident", EntityID: in.ID,
		Summary: in.Ref() + ": " + strings.ToLower(summary[:1]) + summary[1:], Data: in})
}

// incidentChanges names the fields that differ, for the timeline.
func incidentChanges(a, b domain.Incident) []string {
	var out []string
	add := func(name string, differ bool) {
		if differ {
			out = append(out, name)
		}
	}
	eqT := func(x, y *time.Time) bool {
		return (x == nil && y == nil) || (x != nil && y != nil && TS(*x).Equal(TS(*y)))
	}
	eqL := func(x, y []string) bool { return encodeList(x) == encodeList(y) }
	add("title", a.Title != b.Title)
	add("description", a.Description != b.Description)
	add("category", a.Category != b.Category)
	add("severity", a.Severity != b.Severity)
	add("detection time", !eqT(a.DetectedAt, b.DetectedAt))
	add("awareness time", !TS(a.AwareAt).Equal(TS(b.AwareAt)))
	add("fix-available time", !eqT(a.FixAvailableAt, b.FixAvailableAt))
	add("impact", a.Impact != b.Impact)
	add("sites", !eqL(a.Sites, b.Sites))
	add("services", !eqL(a.Services, b.Services))
	add("devices", !eqL(a.Devices, b.Devices))
	add("patient safety", a.PatientSafety != b.PatientSafety || a.PatientsAffected != b.PatientsAffected)
	add("personal data", !eqL(a.DataCategories, b.DataCategories) || !eqL(a.DataSubjectCategories, b.DataSubjectCategories) ||
		a.DataSubjects != b.DataSubjects || a.DataRecords != b.DataRecords)
	add("cross-border effect", a.CrossBorder != b.CrossBorder)
	add("suspected malicious cause", a.SuspectedMalicious != b.SuspectedMalicious)
	add("root cause", a.RootCause != b.RootCause)
	add("indicators of compromise", !eqL(a.IOCs, b.IOCs))
	add("incident lead", a.OwnerID != b.OwnerID)
	return out
}

func (tx *Tx) checkOwner(ctx context.Context, id int64) error {
	if id == 0 {
		return nil
	}
	if _, err := scanUser(tx.QueryRow(ctx, "SELECT "+userCols+" FROM users WHERE org_id = ? AND id = ?", tx.org, id)); err != nil {
		return domain.Invalid("owner_id", "no user %d in this organisation", id)
	}
	return nil
}

// SetIncidentStatus moves an incident to another status and records the change on the timeline with an
// optional note. Closing sets the closing time; reopening clears it.
func (tx *Tx) SetIncidentStatus(ctx context.Context, id int64, status domain.IncidentStatus, note string) error {
	if _, err := domain.ParseIncidentStatus(string(status)); err != nil {
		return err
	}
	in, err := tx.Incident(ctx, id)
	if err != nil {
		return err
	}
	if in.Status == status {
		return nil
	}
	var closed any
	if status == domain.StatusClosed {
		closed = now()
	}
	if _, err := tx.Exec(ctx, "UPDATE incidents SET status = ?, closed_at = ?, updated = ? WHERE org_id = ? AND id = ?",
		string(status), closed, now(), tx.org, id); err != nil {
		return err
	}
	summary := fmt.Sprintf("Status %s → %s", in.Status, status)
	if err := tx.addEvent(ctx, id, "status", summary, strings.TrimSpace(note)); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "incident.status", Entity: "incident", EntityID: id,
		Summary: in.Ref() + ": status " + string(in.Status) + " → " + string(status),
		Data:    map[string]any{"from": in.Status, "to": status, "note": note}})
}

// Incidents lists the organisation's incidents, or its exercises (f.Exercise): the two are never mixed.
// Sort keys: aware_at (default, newest first), title, status, category, severity, updated.
func (sc *Scope) Incidents(ctx context.Context, f domain.IncidentFilter) (domain.Page[domain.Incident], error) {
	p := f.ListParams.Normalize()
	where := []string{"org_id = ?", "exercise = ?"}
	args := []any{sc.org, f.Exercise}
	if len(f.Status) > 0 {
		where = append(where, "status IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(f.Status)), ", ")+")")
		for _, s := range f.Status {
			args = append(args, string(s))
		}
	}
	if f.Category != "" {
		where = append(where, "category = ?")
		args = append(args, string(f.Category))
	}
	if p.Q != "" {
		like := sc.Like()
		where = append(where, "(title "+like+" ? OR description "+like+" ? OR devices "+like+" ?)")
		args = append(args, "%"+p.Q+"%", "%"+p.Q+"%", "%"+p.Q+"%")
	}
	w := strings.Join(where, " AND ")
	out := domain.Page[domain.Incident]{Limit: p.Limit, Offset: p.Offset, Items: []domain.Incident{}}
	var err error
	if out.Total, err = sc.Count(ctx, "SELECT COUNT(*) FROM incidents WHERE "+w, args...); err != nil {
		return out, err
	}
	order := SortClause(p.Sort, map[string]string{"aware_at": "aware_at", "title": "title", "status": "status",
		"category": "category", "severity": "severity", "updated": "updated"}, "aware_at DESC")
	rows, err := sc.Query(ctx, "SELECT "+incidentCols+" FROM incidents WHERE "+w+" ORDER BY "+order+", id DESC LIMIT ? OFFSET ?",
		append(args, p.Limit, p.Offset)...)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		in, err := scanIncident(rows)
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, in)
	}
	return out, rows.Err()
}

// IncidentCounts returns the figures of real incidents (exercises are never counted): incidents not
// closed, their open and overdue reporting deadlines at now, and overdue actions.
func (sc *Scope) IncidentCounts(ctx context.Context, at time.Time) (domain.IncidentCounts, error) {
	var c domain.IncidentCounts
	var err error
	if c.Open, err = sc.Count(ctx, "SELECT COUNT(*) FROM incidents WHERE org_id = ? AND exercise = FALSE AND status <> 'closed'", sc.org); err != nil {
		return c, err
	}
	open := `FROM incident_deadlines d JOIN incidents i ON i.id = d.incident_id AND i.org_id = d.org_id
		WHERE d.org_id = ? AND i.exercise = FALSE AND i.status <> 'closed' AND d.active = TRUE AND d.due_real IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM incident_submissions s WHERE s.org_id = d.org_id AND s.incident_id = d.incident_id AND s.deadline_id = d.deadline_id)`
	if c.OpenDeadlines, err = sc.Count(ctx, "SELECT COUNT(*) "+open, sc.org); err != nil {
		return c, err
	}
	if c.Overdue, err = sc.Count(ctx, "SELECT COUNT(*) "+open+" AND d.due_real < ?", sc.org, TS(at)); err != nil {
		return c, err
	}
	c.OverdueActions, err = sc.Count(ctx, `SELECT COUNT(*) FROM incident_actions a JOIN incidents i ON i.id = a.incident_id AND i.org_id = a.org_id
		WHERE a.org_id = ? AND i.exercise = FALSE AND a.done = FALSE AND a.due IS NOT NULL AND a.due < ?`, sc.org, TS(at))
	return c, err
}

// SetIncidentParticipants replaces the participants of an exercise (users of the organisation). Exercise
// notifications go to them only.
func (tx *Tx) SetIncidentParticipants(ctx context.Context, id int64, userIDs []int64) error {
	in, err := tx.Incident(ctx, id)
	if err != nil {
		return err
	}
	if !in.Exercise {
		return domain.Invalid("participants", "only exercises have participants")
	}
	if _, err := tx.Exec(ctx, "DELETE FROM incident_participants WHERE org_id = ? AND incident_id = ?", tx.org, id); err != nil {
		return err
	}
	seen := map[int64]bool{}
	for _, u := range userIDs {
		if seen[u] {
			continue
		}
		seen[u] = true
		if err := tx.checkOwner(ctx, u); err != nil {
			return domain.Invalid("participants", "no user %d in this organisation", u)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO incident_participants (org_id, incident_id, user_id) VALUES (?, ?, ?)", tx.org, id, u); err != nil {
			return err
		}
	}
	return tx.Audit(ctx, AuditEntry{Action: "incident.participants", Entity: "incident", EntityID: id,
		Summary: fmt.Sprintf("%s: %d exercise participants", in.Ref(), len(seen)), Data: userIDs})
}

// IncidentParticipants returns the user ids of an exercise's participants.
func (sc *Scope) IncidentParticipants(ctx context.Context, id int64) ([]int64, error) {
	rows, err := sc.Query(ctx, "SELECT user_id FROM incident_participants WHERE org_id = ? AND incident_id = ? ORDER BY user_id", sc.org, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []int64{}
	for rows.Next() {
		var u int64
		if err := rows.Scan(&u); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
