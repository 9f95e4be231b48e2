package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
)

// The rest of an incident record: timeline, notes, actions, decisions, attachments, report versions and
// the post-incident review.

// addEvent appends a timeline entry; callers audit the change it belongs to.
func (tx *Tx) addEvent(ctx context.Context, incidentID int64, kind, summary, detail string) error {
	_, err := tx.Exec(ctx, `INSERT INTO incident_events (org_id, incident_id, at, kind, actor, summary, detail) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		tx.org, incidentID, now(), kind, domain.ActorFrom(ctx).Name, truncate(summary, 2000), truncate(detail, 20000))
	return err
}

// AddIncidentEvent appends an entry to an incident's timeline (kind "note" for a person's note, "inject"
// for an exercise inject, …).
func (tx *Tx) AddIncidentEvent(ctx context.Context, incidentID int64, kind, summary, detail string) error {
	summary = strings.TrimSpace(summary)
	if summary == "" {
		return domain.Invalid("text", "is required")
	}
	if kind == "" {
		kind = "note"
	}
	in, err := tx.Incident(ctx, incidentID)
	if err != nil {
		return err
	}
	if err := tx.addEvent(ctx, incidentID, kind, summary, detail); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "incident." + kind, Entity: "incident", EntityID: incidentID,
		Summary: in.Ref() + ": " + kind + ": " + truncate(summary, 200), Data: map[string]string{"summary": summary, "detail": detail}})
}

// IncidentEvents returns the incident's timeline, oldest first.
func (sc *Scope) IncidentEvents(ctx context.Context, id int64) ([]domain.IncidentEvent, error) {
	rows, err := sc.Query(ctx, `SELECT id, incident_id, at, kind, actor, summary, detail FROM incident_events
		WHERE org_id = ? AND incident_id = ? ORDER BY at, id`, sc.org, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.IncidentEvent{}
	for rows.Next() {
		var e domain.IncidentEvent
		if err := rows.Scan(&e.ID, &e.IncidentID, &e.At, &e.Kind, &e.Actor, &e.Summary, &e.Detail); err != nil {
			return nil, err
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

const actionCols = "a.id, a.incident_id, a.kind, a.title, a.owner, COALESCE(a.owner_id, 0), a.due, a.done, a.done_at, a.created_by, a.created"

func scanAction(sc interface{ Scan(...any) error }, extra ...any) (domain.IncidentAction, error) {
	var a domain.IncidentAction
	err := sc.Scan(append([]any{&a.ID, &a.IncidentID, &a.Kind, &a.Title, &a.Owner, &a.OwnerID, &a.Due, &a.Done, &a.DoneAt, &a.CreatedBy, &a.Created}, extra...)...)
	a.Due, a.DoneAt, a.Created = utcPtr(a.Due), utcPtr(a.DoneAt), a.Created.UTC()
	return a, err
}

// AddIncidentAction adds an action to an incident.
func (tx *Tx) AddIncidentAction(ctx context.Context, a *domain.IncidentAction) error {
	if err := a.Validate(); err != nil {
		return err
	}
	in, err := tx.Incident(ctx, a.IncidentID)
	if err != nil {
		return err
	}
	if err := tx.checkOwner(ctx, a.OwnerID); err != nil {
		return err
	}
	a.CreatedBy, a.Created = domain.ActorFrom(ctx).Name, now()
	if a.Done && a.DoneAt == nil {
		t := a.Created
		a.DoneAt = &t
	}
	id, err := tx.InsertID(ctx, `INSERT INTO incident_actions (org_id, incident_id, kind, title, owner, owner_id, due, done, done_at, created_by, created)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, tx.org, a.IncidentID, a.Kind, a.Title, a.Owner, nullID(a.OwnerID),
		tsArg(a.Due), a.Done, tsArg(a.DoneAt), a.CreatedBy, a.Created)
	if err != nil {
		return err
	}
	a.ID = id
	summary := "Action: " + a.Title
	if a.Owner != "" {
		summary += " (" + a.Owner + ")"
	}
	if err := tx.addEvent(ctx, a.IncidentID, "action", summary, ""); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "incident.action.create", Entity: "incident_action", EntityID: id,
		Summary: in.Ref() + ": added action " + a.Title, Data: a})
}

// UpdateIncidentAction changes an action (title, owner, due date, done).
func (tx *Tx) UpdateIncidentAction(ctx context.Context, a domain.IncidentAction) error {
	if err := a.Validate(); err != nil {
		return err
	}
	old, err := scanAction(tx.QueryRow(ctx, "SELECT "+actionCols+" FROM incident_actions a WHERE a.org_id = ? AND a.incident_id = ? AND a.id = ?",
		tx.org, a.IncidentID, a.ID))
	if err != nil {
		return NotFound(err, "action")
	}
	if err := tx.checkOwner(ctx, a.OwnerID); err != nil {
		return err
	}
	switch {
	case a.Done && !old.Done:
		t := now()
		a.DoneAt = &t
	case !a.Done:
		a.DoneAt = nil
	default:
		a.DoneAt = old.DoneAt
	}
	if _, err := tx.Exec(ctx, `UPDATE incident_actions SET kind = ?, title = ?, owner = ?, owner_id = ?, due = ?, done = ?, done_at = ?
		WHERE org_id = ? AND id = ?`, a.Kind, a.Title, a.Owner, nullID(a.OwnerID), tsArg(a.Due), a.Done, tsArg(a.DoneAt), tx.org, a.ID); err != nil {
		return err
	}
	if a.Done != old.Done {
		state := "done"
		if !a.Done {
			state = "reopened"
		}
		if err := tx.addEvent(ctx, a.IncidentID, "action", "Action "+state+": "+a.Title, ""); err != nil {
			return err
		}
	}
	return tx.Audit(ctx, AuditEntry{Action: "incident.action.update", Entity: "incident_action", EntityID: a.ID,
		Summary: "changed action " + a.Title, Data: a})
}

// IncidentActions lists an incident's actions: open ones first by due date, then done ones.
func (sc *Scope) IncidentActions(ctx context.Context, id int64) ([]domain.IncidentAction, error) {
	return sc.actions(ctx, "a.org_id = ? AND a.incident_id = ?", sc.org, id)
}

// IncidentAction returns one action of an incident.
func (sc *Scope) IncidentAction(ctx context.Context, incidentID, id int64) (domain.IncidentAction, error) {
	a, err := scanAction(sc.QueryRow(ctx, "SELECT "+actionCols+" FROM incident_actions a WHERE a.org_id = ? AND a.incident_id = ? AND a.id = ?",
		sc.org, incidentID, id))
	return a, NotFound(err, "action")
}

// OpenIncidentActions lists open actions of real incidents (never exercises) across the organisation,
// earliest due first: overdue ones lead.
func (sc *Scope) OpenIncidentActions(ctx context.Context, limit int) ([]domain.IncidentAction, error) {
	rows, err := sc.Query(ctx, "SELECT "+actionCols+`, i.title FROM incident_actions a JOIN incidents i ON i.id = a.incident_id AND i.org_id = a.org_id
		WHERE a.org_id = ? AND i.exercise = FALSE AND a.done = FALSE
		ORDER BY CASE WHEN a.due IS NULL THEN 1 ELSE 0 END, a.due, a.id LIMIT ?`, sc.org, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.IncidentAction{}
	for rows.Next() {
		var title string
		a, err := scanAction(rows, &title)
		if err != nil {
			return nil, err
		}
		a.IncidentTitle = title
		out = append(out, a)
	}
	return out, rows.Err()
}

func (sc *Scope) actions(ctx context.Context, where string, args ...any) ([]domain.IncidentAction, error) {
	rows, err := sc.Query(ctx, "SELECT "+actionCols+" FROM incident_actions a WHERE "+where+
		" ORDER BY a.done, CASE WHEN a.due IS NULL THEN 1 ELSE 0 END, a.due, a.id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.IncidentAction{}
	for rows.Next() {
		a, err := scanAction(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// AddIncidentDecision records a decision: what, who decided, when.
func (tx *Tx) AddIncidentDecision(ctx context.Context, d *domain.IncidentDecision) error {
	d.What, d.Who = strings.TrimSpace(d.What), strings.TrimSpace(d.Who)
	if d.What == "" {
		return domain.Invalid("what", "is required")
	}
	if d.Who == "" {
		return domain.Invalid("who", "is required: who decided?")
	}
	if d.DecidedAt.IsZero() {
		d.DecidedAt = now()
	}
	in, err := tx.Incident(ctx, d.IncidentID)
	if err != nil {
		return err
	}
	d.CreatedBy, d.Created, d.DecidedAt = domain.ActorFrom(ctx).Name, now(), TS(d.DecidedAt)
	id, err := tx.InsertID(ctx, `INSERT INTO incident_decisions (org_id, incident_id, what, who, decided_at, created_by, created)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, tx.org, d.IncidentID, d.What, d.Who, d.DecidedAt, d.CreatedBy, d.Created)
	if err != nil {
		return err
	}
	d.ID = id
	if err := tx.addEvent(ctx, d.IncidentID, "decision", "Decision by "+d.Who+": "+d.What, ""); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "incident.decision", Entity: "incident", EntityID: d.IncidentID,
		Summary: in.Ref() + ": decision by " + d.Who, Data: d})
}

// IncidentDecisions lists an incident's decisions in the order they were taken.
func (sc *Scope) IncidentDecisions(ctx context.Context, id int64) ([]domain.IncidentDecision, error) {
	rows, err := sc.Query(ctx, `SELECT id, incident_id, what, who, decided_at, created_by, created FROM incident_decisions
		WHERE org_id = ? AND incident_id = ? ORDER BY decided_at, id`, sc.org, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.IncidentDecision{}
	for rows.Next() {
		var d domain.IncidentDecision
		if err := rows.Scan(&d.ID, &d.IncidentID, &d.What, &d.Who, &d.DecidedAt, &d.CreatedBy, &d.Created); err != nil {
			return nil, err
		}
		d.DecidedAt, d.Created = d.DecidedAt.UTC(), d.Created.UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}

// AddIncidentAttachment stores a file with its SHA-256 (computed here from content). The caller bounds
// the size before reading the upload.
func (tx *Tx) AddIncidentAttachment(ctx context.Context, a *domain.IncidentAttachment, content []byte) error {
	a.Name = strings.TrimSpace(a.Name)
	if a.Name == "" {
		return domain.Invalid("file", "has no name")
	}
	if len(content) == 0 {
		return domain.Invalid("file", "is empty")
	}
	in, err := tx.Incident(ctx, a.IncidentID)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(content)
	a.SHA256, a.Size = hex.EncodeToString(sum[:]), int64(len(content))
	if a.ContentType == "" {
		a.ContentType = "application/octet-stream"
	}
	a.UploadedBy, a.Created = domain.ActorFrom(ctx).Name, now()
	id, err := tx.InsertID(ctx, `INSERT INTO incident_attachments (org_id, incident_id, name, content_type, size, sha256, evidence, description,
		content, uploaded_by, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, tx.org, a.IncidentID, truncate(a.Name, 255),
		truncate(a.ContentType, 200), a.Size, a.SHA256, a.Evidence, a.Description, content, a.UploadedBy, a.Created)
	if err != nil {
		return err
	}
	a.ID = id
	what := "Attachment"
	if a.Evidence {
		what = "Evidence"
	}
	if err := tx.addEvent(ctx, a.IncidentID, "attachment", fmt.Sprintf("%s added: %s (%d bytes, SHA-256 %s)", what, a.Name, a.Size, a.SHA256), a.Description); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "incident.attachment", Entity: "incident_attachment", EntityID: id,
		Summary: in.Ref() + ": attached " + a.Name, Data: a})
}

const attachmentCols = "id, incident_id, name, content_type, size, sha256, evidence, description, uploaded_by, created"

func scanAttachment(sc interface{ Scan(...any) error }, extra ...any) (domain.IncidentAttachment, error) {
	var a domain.IncidentAttachment
	err := sc.Scan(append([]any{&a.ID, &a.IncidentID, &a.Name, &a.ContentType, &a.Size, &a.SHA256, &a.Evidence, &a.Description,
		&a.UploadedBy, &a.Created}, extra...)...)
	a.Created = a.Created.UTC()
	return a, err
}

// IncidentAttachments lists an incident's files (without their content).
func (sc *Scope) IncidentAttachments(ctx context.Context, id int64) ([]domain.IncidentAttachment, error) {
	rows, err := sc.Query(ctx, "SELECT "+attachmentCols+" FROM incident_attachments WHERE org_id = ? AND incident_id = ? ORDER BY id", sc.org, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.IncidentAttachment{}
	for rows.Next() {
		a, err := scanAttachment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// IncidentAttachment returns one file of an incident with its content.
func (sc *Scope) IncidentAttachment(ctx context.Context, incidentID, id int64) (domain.IncidentAttachment, []byte, error) {
	var content []byte
	a, err := scanAttachment(sc.QueryRow(ctx, "SELECT "+attachmentCols+", content FROM incident_attachments WHERE org_id = ? AND incident_id = ? AND id = ?",
		sc.org, incidentID, id), &content)
	return a, content, NotFound(err, "attachment")
}

// SaveIncidentReport stores a new version of a report draft (version numbers count from 1 per template).
func (tx *Tx) SaveIncidentReport(ctx context.Context, r *domain.IncidentReport) error {
	in, err := tx.Incident(ctx, r.IncidentID)
	if err != nil {
		return err
	}
	if r.TemplateID == "" {
		return domain.Invalid("template", "is required")
	}
	var last int
	if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM incident_reports WHERE org_id = ? AND incident_id = ? AND template_id = ?",
		tx.org, r.IncidentID, r.TemplateID).Scan(&last); err != nil {
		return mapErr(err)
	}
	if r.Fields == nil {
		r.Fields = map[string]string{}
	}
	b, err := json.Marshal(r.Fields)
	if err != nil {
		return err
	}
	r.Version, r.CreatedBy, r.Created = last+1, domain.ActorFrom(ctx).Name, now()
	id, err := tx.InsertID(ctx, `INSERT INTO incident_reports (org_id, incident_id, template_id, version, fields, created_by, created)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, tx.org, r.IncidentID, r.TemplateID, r.Version, string(b), r.CreatedBy, r.Created)
	if err != nil {
		return err
	}
	r.ID = id
	if err := tx.addEvent(ctx, r.IncidentID, "report", fmt.Sprintf("Report %s saved (version %d)", r.TemplateID, r.Version), ""); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "incident.report", Entity: "incident_report", EntityID: id,
		Summary: fmt.Sprintf("%s: saved report %s version %d", in.Ref(), r.TemplateID, r.Version), Data: r})
}

const reportCols = "id, incident_id, template_id, version, fields, created_by, created"

func scanReport(sc interface{ Scan(...any) error }) (domain.IncidentReport, error) {
	var r domain.IncidentReport
	var fields string
	err := sc.Scan(&r.ID, &r.IncidentID, &r.TemplateID, &r.Version, &fields, &r.CreatedBy, &r.Created)
	if err != nil {
		return r, err
	}
	r.Fields = map[string]string{}
	if err := json.Unmarshal([]byte(fields), &r.Fields); err != nil {
		return r, fmt.Errorf("report %d fields: %w", r.ID, err)
	}
	r.Created = r.Created.UTC()
	return r, nil
}

// IncidentReports lists every saved report version of an incident (newest version of each template first).
func (sc *Scope) IncidentReports(ctx context.Context, id int64) ([]domain.IncidentReport, error) {
	rows, err := sc.Query(ctx, "SELECT "+reportCols+" FROM incident_reports WHERE org_id = ? AND incident_id = ? ORDER BY template_id, version DESC", sc.org, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.IncidentReport{}
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// IncidentReport returns a version of a report draft; version 0 means the latest. ENotFound when none
// was saved.
func (sc *Scope) IncidentReport(ctx context.Context, incidentID int64, templateID string, version int) (domain.IncidentReport, error) {
	q := "SELECT " + reportCols + " FROM incident_reports WHERE org_id = ? AND incident_id = ? AND template_id = ?"
	args := []any{sc.org, incidentID, templateID}
	if version > 0 {
		q += " AND version = ?"
		args = append(args, version)
	} else {
		q += " ORDER BY version DESC LIMIT 1"
	}
	r, err := scanReport(sc.QueryRow(ctx, q, args...))
	return r, NotFound(err, "report draft")
}

// SaveIncidentReview stores the post-incident review (one per incident; saving again replaces it).
func (tx *Tx) SaveIncidentReview(ctx context.Context, r *domain.IncidentReview) error {
	in, err := tx.Incident(ctx, r.IncidentID)
	if err != nil {
		return err
	}
	r.Lessons = domain.CleanList(r.Lessons)
	r.Updated = now()
	if r.ReviewedBy == "" {
		r.ReviewedBy = domain.ActorFrom(ctx).Name
	}
	if r.ReviewedAt == nil {
		t := r.Updated
		r.ReviewedAt = &t
	}
	n, err := tx.Count(ctx, "SELECT COUNT(*) FROM incident_reviews WHERE org_id = ? AND incident_id = ?", tx.org, r.IncidentID)
	if err != nil {
		return err
	}
	if n == 0 {
		_, err = tx.Exec(ctx, `INSERT INTO incident_reviews (incident_id, org_id, what_happened, went_well, to_improve, lessons, reviewed_by,
			reviewed_at, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.IncidentID, tx.org, r.WhatHappened, r.WentWell, r.ToImprove,
			encodeList(r.Lessons), r.ReviewedBy, tsArg(r.ReviewedAt), r.Updated)
	} else {
		_, err = tx.Exec(ctx, `UPDATE incident_reviews SET what_happened = ?, went_well = ?, to_improve = ?, lessons = ?, reviewed_by = ?,
			reviewed_at = ?, updated = ? WHERE org_id = ? AND incident_id = ?`, r.WhatHappened, r.WentWell, r.ToImprove, encodeList(r.Lessons),
			r.ReviewedBy, tsArg(r.ReviewedAt), r.Updated, tx.org, r.IncidentID)
	}
	if err != nil {
		return err
	}
	if err := tx.addEvent(ctx, r.IncidentID, "review", "Post-incident review saved", ""); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "incident.review", Entity: "incident", EntityID: r.IncidentID,
		Summary: in.Ref() + ": saved the post-incident review", Data: r})
}

// IncidentReview returns the post-incident review; ENotFound when there is none yet.
func (sc *Scope) IncidentReview(ctx context.Context, id int64) (domain.IncidentReview, error) {
	var r domain.IncidentReview
	var lessons string
	err := sc.QueryRow(ctx, `SELECT incident_id, what_happened, went_well, to_improve, lessons, reviewed_by, reviewed_at, updated
		FROM incident_reviews WHERE org_id = ? AND incident_id = ?`, sc.org, id).Scan(&r.IncidentID, &r.WhatHappened, &r.WentWell,
		&r.ToImprove, &lessons, &r.ReviewedBy, &r.ReviewedAt, &r.Updated)
	if err != nil {
		return r, NotFound(err, "review")
	}
	r.Lessons, r.ReviewedAt, r.Updated = decodeList(lessons), utcPtr(r.ReviewedAt), r.Updated.UTC()
	return r, nil
}
