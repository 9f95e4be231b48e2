package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// Regulation: the regulatory profile of an organisation and its NIS2 Art 21 assessments (campaigns,
// measure states, evidence). Signed-off assessments are frozen: every write checks the campaign's status
// in the same transaction and refuses changes with EConflict.

const profileCols = `entity_type, public_entity, country, employees, turnover_eur, balance_sheet_eur, own_figures_only,
	designated, cer_critical, sole_provider, manufacturer, personal_data, health_data, large_scale_health_data, updated, updated_by`

// RegulatoryProfile returns the organisation's saved regulatory profile, or ENotFound when none was saved.
func (sc *Scope) RegulatoryProfile(ctx context.Context) (domain.RegulatoryProfile, error) {
	var p domain.RegulatoryProfile
	err := sc.QueryRow(ctx, "SELECT "+profileCols+" FROM regulatory_profiles WHERE org_id = ?", sc.org).Scan(
		&p.EntityType, &p.Public, &p.Country, &p.Employees, &p.TurnoverEUR, &p.BalanceSheetEUR, &p.OwnFiguresOnly,
		&p.Designated, &p.CERCritical, &p.SoleProvider, &p.Manufacturer, &p.PersonalData, &p.HealthData,
		&p.LargeScaleHealthData, &p.Updated, &p.UpdatedBy)
	if err != nil {
		return p, NotFound(err, "regulatory profile")
	}
	p.Saved, p.Updated = true, p.Updated.UTC()
	return p, nil
}

// PutRegulatoryProfile saves the organisation's regulatory profile (creating or replacing it).
func (tx *Tx) PutRegulatoryProfile(ctx context.Context, p *domain.RegulatoryProfile) error {
	if err := p.Validate(); err != nil {
		return err
	}
	p.Updated, p.UpdatedBy, p.Saved = now(), domain.ActorFrom(ctx).Name, true
	res, err := tx.Exec(ctx, `UPDATE regulatory_profiles SET entity_type = ?, public_entity = ?, country = ?, employees = ?,
		turnover_eur = ?, balance_sheet_eur = ?, own_figures_only = ?, designated = ?, cer_critical = ?, sole_provider = ?,
		manufacturer = ?, personal_data = ?, health_data = ?, large_scale_health_data = ?, updated = ?, updated_by = ?
		WHERE org_id = ?`, p.EntityType, p.Public, p.Country, p.Employees, p.TurnoverEUR, p.BalanceSheetEUR, p.OwnFiguresOnly,
		p.Designated, p.CERCritical, p.SoleProvider, p.Manufacturer, p.PersonalData, p.HealthData, p.LargeScaleHealthData,
		p.Updated, p.UpdatedBy, tx.org)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := tx.Exec(ctx, "INSERT INTO regulatory_profiles (org_id, "+profileCols+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, tx.org, p.EntityType, p.Public, p.Country, p.Employees,
			p.TurnoverEUR, p.BalanceSheetEUR, p.OwnFiguresOnly, p.Designated, p.CERCritical, p.SoleProvider, p.Manufacturer,
			p.PersonalData, p.HealthData, p.LargeScaleHealthData, p.Updated, p.UpdatedBy); err != nil {
			return err
		}
	}
	return tx.Audit(ctx, AuditEntry{Action: "regulation.profile", Entity: "regulatory_profile", EntityID: tx.org,
		Summary: "changed the regulatory profile (" + p.EntityType + ", " + p.Country + ")", Data: p})
}

const assessmentCols = `id, name, framework, catalogue_version, period_start, period_end, owner, status, copied_from, created,
	created_by, signed_at, signed_name, signed_role, signed_comment, signed_recorded_by`

func scanAssessment(s interface{ Scan(...any) error }) (domain.Assessment, error) {
	var a domain.Assessment
	var from sql.NullInt64
	var signedAt *time.Time
	var so domain.SignOff
	err := s.Scan(&a.ID, &a.Name, &a.Framework, &a.CatalogueVersion, &a.PeriodStart, &a.PeriodEnd, &a.Owner, &a.Status,
		&from, &a.Created, &a.CreatedBy, &signedAt, &so.Name, &so.Role, &so.Comment, &so.RecordedBy)
	if err != nil {
		return a, err
	}
	a.Created = a.Created.UTC()
	if from.Valid {
		a.CopiedFrom = &from.Int64
	}
	if signedAt != nil {
		so.At = signedAt.UTC()
		a.SignOff = &so
	}
	return a, nil
}

// Assessments lists the organisation's assessments, newest first by default.
func (sc *Scope) Assessments(ctx context.Context, p domain.ListParams) (domain.Page[domain.Assessment], error) {
	p = p.Normalize()
	where, args := "org_id = ?", []any{sc.org}
	if p.Q != "" {
		where += " AND name " + sc.Like() + " ?"
		args = append(args, "%"+p.Q+"%")
	}
	out := domain.Page[domain.Assessment]{Limit: p.Limit, Offset: p.Offset, Items: []domain.Assessment{}}
	var err error
	if out.Total, err = sc.Count(ctx, "SELECT COUNT(*) FROM assessments WHERE "+where, args...); err != nil {
		return out, err
	}
	order := sortClause(p.Sort, map[string]string{"name": "name", "created": "created, id", "period_start": "period_start", "status": "status"}, "created DESC, id DESC")
	rows, err := sc.Query(ctx, "SELECT "+assessmentCols+" FROM assessments WHERE "+where+" ORDER BY "+order+" LIMIT ? OFFSET ?", append(args, p.Limit, p.Offset)...)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanAssessment(rows)
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, a)
	}
	return out, rows.Err()
}

// Assessment returns one assessment of the organisation (ENotFound for another organisation's id).
func (sc *Scope) Assessment(ctx context.Context, id int64) (domain.Assessment, error) {
	a, err := scanAssessment(sc.QueryRow(ctx, "SELECT "+assessmentCols+" FROM assessments WHERE org_id = ? AND id = ?", sc.org, id))
	return a, NotFound(err, "assessment")
}

// LatestAssessment returns the newest open assessment, or else the newest signed-off one; ENotFound when
// the organisation has none.
func (sc *Scope) LatestAssessment(ctx context.Context) (domain.Assessment, error) {
	a, err := scanAssessment(sc.QueryRow(ctx, "SELECT "+assessmentCols+` FROM assessments WHERE org_id = ?
		ORDER BY CASE WHEN status = 'open' THEN 0 ELSE 1 END, created DESC, id DESC LIMIT 1`, sc.org))
	return a, NotFound(err, "assessment")
}

// openAssessment locks the assessment of the transaction's organisation and checks that it is open.
func (tx *Tx) openAssessment(ctx context.Context, id int64) (domain.Assessment, error) {
	a, err := scanAssessment(tx.QueryRow(ctx, "SELECT "+assessmentCols+" FROM assessments WHERE org_id = ? AND id = ?"+tx.ForUpdate(), tx.org, id))
	if err != nil {
		return a, NotFound(err, "assessment")
	}
	if a.Frozen() {
		return a, &domain.Error{Code: domain.EConflict, Message: "the assessment was signed off on " +
			a.SignOff.At.Format("2006-01-02") + " and is frozen; start a new campaign from a copy of it"}
	}
	return a, nil
}

// CreateAssessment starts a campaign with one row per catalogue measure (measureIDs, status not started,
// target maturity 3). With from > 0 it copies that assessment of the organisation instead: its measure
// states and its file and link evidence (marked as carried over); automatic evidence is not copied, it is
// drawn afresh.
func (tx *Tx) CreateAssessment(ctx context.Context, a *domain.Assessment, measureIDs []string, from int64) error {
	if err := a.Validate(); err != nil {
		return err
	}
	actor := domain.ActorFrom(ctx).Name
	a.Status, a.Created, a.CreatedBy, a.SignOff, a.CopiedFrom = domain.AssessmentOpen, now(), actor, nil, nil
	var fromPtr any
	if from > 0 {
		if _, err := tx.Assessment(ctx, from); err != nil {
			return err
		}
		fromPtr = from
		a.CopiedFrom = &from
	}
	id, err := tx.InsertID(ctx, `INSERT INTO assessments (org_id, name, framework, catalogue_version, period_start, period_end, owner,
		status, copied_from, created, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		tx.org, a.Name, a.Framework, a.CatalogueVersion, a.PeriodStart, a.PeriodEnd, a.Owner, a.Status, fromPtr, a.Created, a.CreatedBy)
	if err != nil {
		return err
	}
	a.ID = id
	copied := map[string]bool{}
	if from > 0 {
		prev, err := tx.AssessmentMeasures(ctx, from)
		if err != nil {
			return err
		}
		for _, m := range prev {
			m.AssessmentID = id
			if err := tx.insertMeasure(ctx, m, a.Created, actor); err != nil {
				return err
			}
			copied[m.MeasureID] = true
		}
		if _, err := tx.Exec(ctx, `INSERT INTO assessment_evidence (org_id, assessment_id, measure_id, kind, title, url, file_name,
			content_type, size, sha256, data, auto_kind, auto_json, carried_over, created, created_by)
			SELECT org_id, ?, measure_id, kind, title, url, file_name, content_type, size, sha256, data, '', '', TRUE, created, created_by
			FROM assessment_evidence WHERE org_id = ? AND assessment_id = ? AND kind <> 'auto' ORDER BY id`, id, tx.org, from); err != nil {
			return err
		}
	}
	for _, mid := range measureIDs {
		if copied[mid] {
			continue
		}
		m := domain.AssessmentMeasure{AssessmentID: id, MeasureID: mid, Status: domain.MeasureNotStarted, TargetMaturity: 3}
		if err := tx.insertMeasure(ctx, m, a.Created, actor); err != nil {
			return err
		}
	}
	summary := "started assessment " + a.Name
	if from > 0 {
		summary += " from a copy of assessment " + itoa64(from)
	}
	return tx.Audit(ctx, AuditEntry{Action: "assessment.create", Entity: "assessment", EntityID: id, Summary: summary, Data: a})
}

func (tx *Tx) insertMeasure(ctx context.Context, m domain.AssessmentMeasure, at time.Time, by string) error {
	_, err := tx.Exec(ctx, `INSERT INTO assessment_measures (org_id, assessment_id, measure_id, status, maturity, target_maturity,
		owner, due_date, comment, updated, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tx.org, m.AssessmentID, m.MeasureID, m.Status, m.Maturity, m.TargetMaturity, m.Owner, m.DueDate, m.Comment, at, by)
	return err
}

// UpdateAssessment changes the name, period and owner of an open assessment.
func (tx *Tx) UpdateAssessment(ctx context.Context, a domain.Assessment) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if _, err := tx.openAssessment(ctx, a.ID); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "UPDATE assessments SET name = ?, period_start = ?, period_end = ?, owner = ? WHERE org_id = ? AND id = ?",
		a.Name, a.PeriodStart, a.PeriodEnd, a.Owner, tx.org, a.ID); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "assessment.update", Entity: "assessment", EntityID: a.ID,
		Summary: "changed assessment " + a.Name, Data: map[string]any{"name": a.Name, "period_start": a.PeriodStart, "period_end": a.PeriodEnd, "owner": a.Owner}})
}

const measureCols = "assessment_id, measure_id, status, maturity, target_maturity, owner, due_date, comment, updated, updated_by"

func scanMeasure(s interface{ Scan(...any) error }) (domain.AssessmentMeasure, error) {
	var m domain.AssessmentMeasure
	err := s.Scan(&m.AssessmentID, &m.MeasureID, &m.Status, &m.Maturity, &m.TargetMaturity, &m.Owner, &m.DueDate, &m.Comment, &m.Updated, &m.UpdatedBy)
	m.Updated = m.Updated.UTC()
	return m, err
}

func (q Q) assessmentMeasures(ctx context.Context, org, id int64) ([]domain.AssessmentMeasure, error) {
	rows, err := q.Query(ctx, "SELECT "+measureCols+" FROM assessment_measures WHERE org_id = ? AND assessment_id = ? ORDER BY id", org, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.AssessmentMeasure{}
	for rows.Next() {
		m, err := scanMeasure(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// AssessmentMeasures returns the measure states of an assessment, in the order they were created (the
// catalogue's order).
func (sc *Scope) AssessmentMeasures(ctx context.Context, id int64) ([]domain.AssessmentMeasure, error) {
	return sc.assessmentMeasures(ctx, sc.org, id)
}

// AssessmentMeasures is AssessmentMeasures within the transaction.
func (tx *Tx) AssessmentMeasures(ctx context.Context, id int64) ([]domain.AssessmentMeasure, error) {
	return tx.assessmentMeasures(ctx, tx.org, id)
}

// Assessment is Assessment within the transaction.
func (tx *Tx) Assessment(ctx context.Context, id int64) (domain.Assessment, error) {
	a, err := scanAssessment(tx.QueryRow(ctx, "SELECT "+assessmentCols+" FROM assessments WHERE org_id = ? AND id = ?", tx.org, id))
	return a, NotFound(err, "assessment")
}

// SetAssessmentMeasure saves the state of one measure of an open assessment (creating the row when the
// catalogue gained the measure after the campaign started). The caller checks that the measure id is in
// the catalogue.
func (tx *Tx) SetAssessmentMeasure(ctx context.Context, m *domain.AssessmentMeasure) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if _, err := tx.openAssessment(ctx, m.AssessmentID); err != nil {
		return err
	}
	m.Updated, m.UpdatedBy = now(), domain.ActorFrom(ctx).Name
	res, err := tx.Exec(ctx, `UPDATE assessment_measures SET status = ?, maturity = ?, target_maturity = ?, owner = ?, due_date = ?,
		comment = ?, updated = ?, updated_by = ? WHERE org_id = ? AND assessment_id = ? AND measure_id = ?`,
		m.Status, m.Maturity, m.TargetMaturity, m.Owner, m.DueDate, m.Comment, m.Updated, m.UpdatedBy, tx.org, m.AssessmentID, m.MeasureID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if err := tx.insertMeasure(ctx, *m, m.Updated, m.UpdatedBy); err != nil {
			return err
		}
	}
	return tx.Audit(ctx, AuditEntry{Action: "assessment.measure", Entity: "assessment", EntityID: m.AssessmentID,
		Summary: "set " + m.MeasureID + " to " + domain.MeasureStatusLabel(m.Status) + ", maturity " + itoa64(int64(m.Maturity)),
		Data:    m})
}

const evidenceCols = `id, assessment_id, measure_id, kind, title, url, file_name, content_type, size, sha256, auto_kind, auto_json,
	carried_over, created, created_by`

func scanEvidence(s interface{ Scan(...any) error }) (domain.MeasureEvidence, error) {
	var e domain.MeasureEvidence
	var auto string
	err := s.Scan(&e.ID, &e.AssessmentID, &e.MeasureID, &e.Kind, &e.Title, &e.URL, &e.FileName, &e.ContentType, &e.Size, &e.SHA256,
		&e.AutoKind, &auto, &e.CarriedOver, &e.Created, &e.CreatedBy)
	e.Created = e.Created.UTC()
	if auto != "" {
		e.Auto = []byte(auto)
	}
	return e, err
}

// AssessmentEvidence lists the evidence of an assessment (of one measure when measureID is not ""),
// without file contents.
func (sc *Scope) AssessmentEvidence(ctx context.Context, id int64, measureID string) ([]domain.MeasureEvidence, error) {
	where, args := "org_id = ? AND assessment_id = ?", []any{sc.org, id}
	if measureID != "" {
		where += " AND measure_id = ?"
		args = append(args, measureID)
	}
	rows, err := sc.Query(ctx, "SELECT "+evidenceCols+" FROM assessment_evidence WHERE "+where+" ORDER BY measure_id, kind, id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.MeasureEvidence{}
	for rows.Next() {
		e, err := scanEvidence(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// EvidenceFile returns one uploaded file of an assessment with its contents.
func (sc *Scope) EvidenceFile(ctx context.Context, assessmentID, evidenceID int64) (domain.MeasureEvidence, []byte, error) {
	var data []byte
	row := sc.QueryRow(ctx, "SELECT "+evidenceCols+", data FROM assessment_evidence WHERE org_id = ? AND assessment_id = ? AND id = ? AND kind = 'file'",
		sc.org, assessmentID, evidenceID)
	var e domain.MeasureEvidence
	var auto string
	err := row.Scan(&e.ID, &e.AssessmentID, &e.MeasureID, &e.Kind, &e.Title, &e.URL, &e.FileName, &e.ContentType, &e.Size, &e.SHA256,
		&e.AutoKind, &auto, &e.CarriedOver, &e.Created, &e.CreatedBy, &data)
	if err != nil {
		return e, nil, NotFound(err, "evidence file")
	}
	e.Created = e.Created.UTC()
	return e, data, nil
}

// AddEvidence adds a link or an uploaded file (data) to a measure of an open assessment. For files the
// size and SHA-256 are computed here; the caller bounds the size.
func (tx *Tx) AddEvidence(ctx context.Context, e *domain.MeasureEvidence, data []byte) error {
	if err := e.Validate(); err != nil {
		return err
	}
	if e.Kind == domain.EvidenceAuto {
		return domain.Invalid("kind", "automatic evidence is recorded at sign-off, not added by hand")
	}
	if _, err := tx.openAssessment(ctx, e.AssessmentID); err != nil {
		return err
	}
	var blob any
	if e.Kind == domain.EvidenceFile {
		if len(data) == 0 {
			return domain.Invalid("file", "the file is empty")
		}
		sum := sha256.Sum256(data)
		e.SHA256, e.Size, blob = hex.EncodeToString(sum[:]), int64(len(data)), data
	} else {
		e.FileName, e.ContentType, e.Size, e.SHA256 = "", "", 0, ""
	}
	e.Created, e.CreatedBy, e.CarriedOver = now(), domain.ActorFrom(ctx).Name, false
	id, err := tx.InsertID(ctx, `INSERT INTO assessment_evidence (org_id, assessment_id, measure_id, kind, title, url, file_name,
		content_type, size, sha256, data, created, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		tx.org, e.AssessmentID, e.MeasureID, e.Kind, e.Title, e.URL, e.FileName, e.ContentType, e.Size, e.SHA256, blob, e.Created, e.CreatedBy)
	if err != nil {
		return err
	}
	e.ID = id
	summary := "added a link to the evidence of " + e.MeasureID
	if e.Kind == domain.EvidenceFile {
		summary = "uploaded " + e.FileName + " as evidence of " + e.MeasureID
	}
	return tx.Audit(ctx, AuditEntry{Action: "assessment.evidence_add", Entity: "assessment", EntityID: e.AssessmentID, Summary: summary,
		Data: map[string]any{"evidence_id": id, "measure": e.MeasureID, "kind": e.Kind, "title": e.Title, "url": e.URL,
			"file_name": e.FileName, "size": e.Size, "sha256": e.SHA256}})
}

// DeleteEvidence removes a link or file from an open assessment.
func (tx *Tx) DeleteEvidence(ctx context.Context, assessmentID, evidenceID int64) error {
	if _, err := tx.openAssessment(ctx, assessmentID); err != nil {
		return err
	}
	e, err := scanEvidence(tx.QueryRow(ctx, "SELECT "+evidenceCols+" FROM assessment_evidence WHERE org_id = ? AND assessment_id = ? AND id = ?",
		tx.org, assessmentID, evidenceID))
	if err != nil {
		return NotFound(err, "evidence")
	}
	if _, err := tx.Exec(ctx, "DELETE FROM assessment_evidence WHERE org_id = ? AND assessment_id = ? AND id = ?", tx.org, assessmentID, evidenceID); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "assessment.evidence_delete", Entity: "assessment", EntityID: assessmentID,
		Summary: "removed evidence " + e.Title + " of " + e.MeasureID,
		Data:    map[string]any{"evidence_id": evidenceID, "measure": e.MeasureID, "kind": e.Kind, "sha256": e.SHA256}})
}

// SignOffAssessment records the management body's sign-off of an open assessment together with the
// snapshots of automatic evidence taken at that moment (kind auto), and freezes the assessment.
func (tx *Tx) SignOffAssessment(ctx context.Context, id int64, so *domain.SignOff, autos []domain.MeasureEvidence) error {
	if err := so.Validate(); err != nil {
		return err
	}
	a, err := tx.openAssessment(ctx, id)
	if err != nil {
		return err
	}
	at, by := now(), domain.ActorFrom(ctx).Name
	if so.At.IsZero() {
		so.At = at
	}
	so.At, so.RecordedBy = TS(so.At), by
	for i := range autos {
		e := &autos[i]
		e.AssessmentID, e.Kind = id, domain.EvidenceAuto
		if err := e.Validate(); err != nil {
			return err
		}
		e.Created, e.CreatedBy = at, by
		eid, err := tx.InsertID(ctx, `INSERT INTO assessment_evidence (org_id, assessment_id, measure_id, kind, title, auto_kind, auto_json,
			created, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, tx.org, id, e.MeasureID, e.Kind, e.Title, e.AutoKind,
			string(e.Auto), e.Created, e.CreatedBy)
		if err != nil {
			return err
		}
		e.ID = eid
	}
	if _, err := tx.Exec(ctx, `UPDATE assessments SET status = ?, signed_at = ?, signed_name = ?, signed_role = ?, signed_comment = ?,
		signed_recorded_by = ? WHERE org_id = ? AND id = ?`, domain.AssessmentSignedOff, so.At, so.Name, so.Role, so.Comment, so.RecordedBy, tx.org, id); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "assessment.sign_off", Entity: "assessment", EntityID: id,
		Summary: "signed off assessment " + a.Name + " (" + so.Name + ", " + so.Role + ")",
		Data:    map[string]any{"sign_off": so, "automatic_evidence": len(autos)}})
}

func itoa64(v int64) string { return strconv.FormatInt(v, 10) }
