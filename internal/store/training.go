package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// Training programme: modules, curricula, assignment rules and files (evidence, pending imports).

const moduleCols = "id, org_id, code, title, goals, duration_minutes, delivery, refresh_months, duty, reference, source, archived, created, updated"

func scanModule(sc interface{ Scan(...any) error }) (domain.TrainingModule, error) {
	var m domain.TrainingModule
	var goals, delivery, duty string
	err := sc.Scan(&m.ID, &m.OrgID, &m.Code, &m.Title, &goals, &m.DurationMinutes, &delivery, &m.RefreshMonths, &duty,
		&m.Reference, &m.Source, &m.Archived, &m.Created, &m.Updated)
	m.Delivery, m.Duty = domain.Delivery(delivery), domain.Duty(duty)
	m.Goals = splitLines(goals)
	m.Created, m.Updated = m.Created.UTC(), m.Updated.UTC()
	return m, err
}

func splitLines(s string) []string {
	out := []string{}
	for l := range strings.SplitSeq(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// TrainingModules lists the organisation's modules by title; archived ones only when asked.
func (sc *Scope) TrainingModules(ctx context.Context, withArchived bool) ([]domain.TrainingModule, error) {
	q := "SELECT " + moduleCols + " FROM training_modules WHERE org_id = ?"
	if !withArchived {
		q += " AND archived = FALSE"
	}
	rows, err := sc.Query(ctx, q+" ORDER BY title, id", sc.org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.TrainingModule{}
	for rows.Next() {
		m, err := scanModule(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// TrainingModule returns one module of the organisation.
func (sc *Scope) TrainingModule(ctx context.Context, id int64) (domain.TrainingModule, error) {
	m, err := scanModule(sc.QueryRow(ctx, "SELECT "+moduleCols+" FROM training_modules WHERE org_id = ? AND id = ?", sc.org, id))
	return m, NotFound(err, "training module")
}

// TrainingModuleByCode returns a module of the organisation by its code.
func (sc *Scope) TrainingModuleByCode(ctx context.Context, code string) (domain.TrainingModule, error) {
	m, err := scanModule(sc.QueryRow(ctx, "SELECT "+moduleCols+" FROM training_modules WHERE org_id = ? AND code = ?", sc.org, code))
	return m, NotFound(err, "training module "+code)
}

// CreateTrainingModule adds a module.
func (tx *Tx) CreateTrainingModule(ctx context.Context, m *domain.TrainingModule) error {
	if err := m.Validate(); err != nil {
		return err
	}
	m.OrgID, m.Created, m.Updated = tx.org, now(), now()
	id, err := tx.InsertID(ctx, `INSERT INTO training_modules (org_id, code, title, goals, duration_minutes, delivery, refresh_months,
		duty, reference, source, archived, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		tx.org, m.Code, m.Title, strings.Join(m.Goals, "\n"), m.DurationMinutes, string(m.Delivery), m.RefreshMonths,
		string(m.Duty), m.Reference, m.Source, m.Archived, m.Created, m.Updated)
	if err != nil {
		if domain.ErrorCode(err) == domain.EConflict {
			return domain.Invalid("code", "a module with code %q exists already", m.Code)
		}
		return err
	}
	m.ID = id
	return tx.Audit(ctx, AuditEntry{Action: "training.module.create", Entity: "training_module", EntityID: id,
		Summary: "added training module " + m.Title, Data: m})
}

// UpdateTrainingModule changes a module (all fields a user can set, the code included).
func (tx *Tx) UpdateTrainingModule(ctx context.Context, m domain.TrainingModule) error {
	if err := m.Validate(); err != nil {
		return err
	}
	res, err := tx.Exec(ctx, `UPDATE training_modules SET code = ?, title = ?, goals = ?, duration_minutes = ?, delivery = ?,
		refresh_months = ?, duty = ?, reference = ?, archived = ?, updated = ? WHERE org_id = ? AND id = ?`,
		m.Code, m.Title, strings.Join(m.Goals, "\n"), m.DurationMinutes, string(m.Delivery), m.RefreshMonths, string(m.Duty),
		m.Reference, m.Archived, now(), tx.org, m.ID)
	if err != nil {
		if domain.ErrorCode(err) == domain.EConflict {
			return domain.Invalid("code", "a module with code %q exists already", m.Code)
		}
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFound("training module")
	}
	return tx.Audit(ctx, AuditEntry{Action: "training.module.update", Entity: "training_module", EntityID: m.ID,
		Summary: "changed training module " + m.Title, Data: m})
}

const curriculumCols = "id, org_id, code, title, audience, description, due_days, source, created, updated"

func scanCurriculum(sc interface{ Scan(...any) error }) (domain.Curriculum, error) {
	var c domain.Curriculum
	var aud string
	err := sc.Scan(&c.ID, &c.OrgID, &c.Code, &c.Title, &aud, &c.Description, &c.DueDays, &c.Source, &c.Created, &c.Updated)
	c.Audience = domain.Audience(aud)
	c.Created, c.Updated = c.Created.UTC(), c.Updated.UTC()
	c.ModuleIDs = []int64{}
	return c, err
}

// Curricula lists the organisation's curricula (with their module ids in order) by title.
func (sc *Scope) Curricula(ctx context.Context) ([]domain.Curriculum, error) {
	rows, err := sc.Query(ctx, "SELECT "+curriculumCols+" FROM training_curricula WHERE org_id = ? ORDER BY title, id", sc.org)
	if err != nil {
		return nil, err
	}
	out := []domain.Curriculum{}
	idx := map[int64]int{}
	for rows.Next() {
		c, err := scanCurriculum(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		idx[c.ID] = len(out)
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	mrows, err := sc.Query(ctx, "SELECT curriculum_id, module_id FROM training_curriculum_modules WHERE org_id = ? ORDER BY curriculum_id, position", sc.org)
	if err != nil {
		return nil, err
	}
	defer mrows.Close()
	for mrows.Next() {
		var cid, mid int64
		if err := mrows.Scan(&cid, &mid); err != nil {
			return nil, err
		}
		if i, ok := idx[cid]; ok {
			out[i].ModuleIDs = append(out[i].ModuleIDs, mid)
		}
	}
	return out, mrows.Err()
}

// Curriculum returns one curriculum of the organisation with its module ids in order.
func (sc *Scope) Curriculum(ctx context.Context, id int64) (domain.Curriculum, error) {
	c, err := scanCurriculum(sc.QueryRow(ctx, "SELECT "+curriculumCols+" FROM training_curricula WHERE org_id = ? AND id = ?", sc.org, id))
	if err != nil {
		return c, NotFound(err, "curriculum")
	}
	rows, err := sc.Query(ctx, "SELECT module_id FROM training_curriculum_modules WHERE org_id = ? AND curriculum_id = ? ORDER BY position", sc.org, id)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var mid int64
		if err := rows.Scan(&mid); err != nil {
			return c, err
		}
		c.ModuleIDs = append(c.ModuleIDs, mid)
	}
	return c, rows.Err()
}

// CurriculumByCode returns a curriculum of the organisation by its code.
func (sc *Scope) CurriculumByCode(ctx context.Context, code string) (domain.Curriculum, error) {
	var id int64
	if err := sc.QueryRow(ctx, "SELECT id FROM training_curricula WHERE org_id = ? AND code = ?", sc.org, code).Scan(&id); err != nil {
		return domain.Curriculum{}, NotFound(err, "curriculum "+code)
	}
	return sc.Curriculum(ctx, id)
}

func (tx *Tx) setCurriculumModules(ctx context.Context, c domain.Curriculum) error {
	if _, err := tx.Exec(ctx, "DELETE FROM training_curriculum_modules WHERE org_id = ? AND curriculum_id = ?", tx.org, c.ID); err != nil {
		return err
	}
	for i, mid := range c.ModuleIDs {
		// The module must belong to the organisation: checked here, not only by the foreign key.
		n, err := tx.Count(ctx, "SELECT COUNT(*) FROM training_modules WHERE org_id = ? AND id = ?", tx.org, mid)
		if err != nil {
			return err
		}
		if n == 0 {
			return domain.Invalid("module_ids", "module %d does not exist", mid)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO training_curriculum_modules (org_id, curriculum_id, module_id, position) VALUES (?, ?, ?, ?)",
			tx.org, c.ID, mid, i); err != nil {
			return err
		}
	}
	return nil
}

// CreateCurriculum adds a curriculum with its modules.
func (tx *Tx) CreateCurriculum(ctx context.Context, c *domain.Curriculum) error {
	if err := c.Validate(); err != nil {
		return err
	}
	c.OrgID, c.Created, c.Updated = tx.org, now(), now()
	id, err := tx.InsertID(ctx, `INSERT INTO training_curricula (org_id, code, title, audience, description, due_days, source, created, updated)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, tx.org, c.Code, c.Title, string(c.Audience), c.Description, c.DueDays, c.Source, c.Created, c.Updated)
	if err != nil {
		if domain.ErrorCode(err) == domain.EConflict {
			return domain.Invalid("code", "a curriculum with code %q exists already", c.Code)
		}
		return err
	}
	c.ID = id
	if err := tx.setCurriculumModules(ctx, *c); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "training.curriculum.create", Entity: "training_curriculum", EntityID: id,
		Summary: "added curriculum " + c.Title, Data: c})
}

// UpdateCurriculum changes a curriculum and replaces its module list.
func (tx *Tx) UpdateCurriculum(ctx context.Context, c domain.Curriculum) error {
	if err := c.Validate(); err != nil {
		return err
	}
	res, err := tx.Exec(ctx, `UPDATE training_curricula SET code = ?, title = ?, audience = ?, description = ?, due_days = ?, updated = ?
		WHERE org_id = ? AND id = ?`, c.Code, c.Title, string(c.Audience), c.Description, c.DueDays, now(), tx.org, c.ID)
	if err != nil {
		if domain.ErrorCode(err) == domain.EConflict {
			return domain.Invalid("code", "a curriculum with code %q exists already", c.Code)
		}
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFound("curriculum")
	}
	if err := tx.setCurriculumModules(ctx, c); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "training.curriculum.update", Entity: "training_curriculum", EntityID: c.ID,
		Summary: "changed curriculum " + c.Title, Data: c})
}

const ruleCols = "id, org_id, curriculum_id, audience, department, due_days, auto, created"

func scanRule(sc interface{ Scan(...any) error }) (domain.AssignmentRule, error) {
	var r domain.AssignmentRule
	var aud string
	err := sc.Scan(&r.ID, &r.OrgID, &r.CurriculumID, &aud, &r.Department, &r.DueDays, &r.Auto, &r.Created)
	r.Audience = domain.Audience(aud)
	r.Created = r.Created.UTC()
	return r, err
}

// TrainingRules lists the organisation's assignment rules, oldest first.
func (sc *Scope) TrainingRules(ctx context.Context) ([]domain.AssignmentRule, error) {
	rows, err := sc.Query(ctx, "SELECT "+ruleCols+" FROM training_rules WHERE org_id = ? ORDER BY id", sc.org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.AssignmentRule{}
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// TrainingRule returns one rule of the organisation.
func (sc *Scope) TrainingRule(ctx context.Context, id int64) (domain.AssignmentRule, error) {
	r, err := scanRule(sc.QueryRow(ctx, "SELECT "+ruleCols+" FROM training_rules WHERE org_id = ? AND id = ?", sc.org, id))
	return r, NotFound(err, "assignment rule")
}

// CreateTrainingRule adds an assignment rule. It does not assign anything itself (training.Assign does).
func (tx *Tx) CreateTrainingRule(ctx context.Context, r *domain.AssignmentRule) error {
	if err := r.Validate(); err != nil {
		return err
	}
	n, err := tx.Count(ctx, "SELECT COUNT(*) FROM training_curricula WHERE org_id = ? AND id = ?", tx.org, r.CurriculumID)
	if err != nil {
		return err
	}
	if n == 0 {
		return domain.Invalid("curriculum_id", "curriculum %d does not exist", r.CurriculumID)
	}
	r.OrgID, r.Created = tx.org, now()
	id, err := tx.InsertID(ctx, `INSERT INTO training_rules (org_id, curriculum_id, audience, department, due_days, auto, created)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, tx.org, r.CurriculumID, string(r.Audience), r.Department, r.DueDays, r.Auto, r.Created)
	if err != nil {
		return err
	}
	r.ID = id
	return tx.Audit(ctx, AuditEntry{Action: "training.rule.create", Entity: "training_rule", EntityID: id,
		Summary: "added an assignment rule", Data: r})
}

// DeleteTrainingRule removes a rule; assignments it made stay (they lose their rule reference).
func (tx *Tx) DeleteTrainingRule(ctx context.Context, id int64) error {
	res, err := tx.Exec(ctx, "DELETE FROM training_rules WHERE org_id = ? AND id = ?", tx.org, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFound("assignment rule")
	}
	return tx.Audit(ctx, AuditEntry{Action: "training.rule.delete", Entity: "training_rule", EntityID: id, Summary: "removed an assignment rule"})
}

// PutTrainingFile stores a file (evidence or an import waiting for confirmation).
func (tx *Tx) PutTrainingFile(ctx context.Context, f *domain.TrainingFile) error {
	if f.Name == "" {
		f.Name = "upload"
	}
	sum := sha256.Sum256(f.Data)
	f.OrgID, f.Size, f.SHA256, f.Created = tx.org, int64(len(f.Data)), hex.EncodeToString(sum[:]), now()
	f.CreatedBy = domain.ActorFrom(ctx).Name
	id, err := tx.InsertID(ctx, `INSERT INTO training_files (org_id, purpose, name, content_type, size, sha256, data, created, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, tx.org, f.Purpose, truncate(f.Name, 200), f.ContentType, f.Size, f.SHA256, f.Data, f.Created, f.CreatedBy)
	if err != nil {
		return err
	}
	f.ID = id
	return tx.Audit(ctx, AuditEntry{Action: "training.file.upload", Entity: "training_file", EntityID: id,
		Summary: "uploaded " + f.Purpose + " file " + f.Name, Data: map[string]any{"name": f.Name, "size": f.Size, "sha256": f.SHA256}})
}

// TrainingFile returns a stored file with its content.
func (sc *Scope) TrainingFile(ctx context.Context, id int64) (domain.TrainingFile, error) {
	var f domain.TrainingFile
	err := sc.QueryRow(ctx, `SELECT id, org_id, purpose, name, content_type, size, sha256, data, created, created_by
		FROM training_files WHERE org_id = ? AND id = ?`, sc.org, id).Scan(&f.ID, &f.OrgID, &f.Purpose, &f.Name, &f.ContentType,
		&f.Size, &f.SHA256, &f.Data, &f.Created, &f.CreatedBy)
	f.Created = f.Created.UTC()
	return f, NotFound(err, "file")
}

// TrainingFiles lists the organisation's files of a purpose without their content, newest first.
func (sc *Scope) TrainingFiles(ctx context.Context, purpose string) ([]domain.TrainingFile, error) {
	rows, err := sc.Query(ctx, `SELECT id, org_id, purpose, name, content_type, size, sha256, created, created_by
		FROM training_files WHERE org_id = ? AND purpose = ? ORDER BY id DESC`, sc.org, purpose)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.TrainingFile{}
	for rows.Next() {
		var f domain.TrainingFile
		if err := rows.Scan(&f.ID, &f.OrgID, &f.Purpose, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &f.Created, &f.CreatedBy); err != nil {
			return nil, err
		}
		f.Created = f.Created.UTC()
		out = append(out, f)
	}
	return out, rows.Err()
}

// DeleteTrainingFile removes a stored file (a confirmed or abandoned import).
func (tx *Tx) DeleteTrainingFile(ctx context.Context, id int64) error {
	_, err := tx.Exec(ctx, "DELETE FROM training_files WHERE org_id = ? AND id = ?", tx.org, id)
	return err
}

// PruneTrainingImports deletes import files older than the cutoff that were never confirmed.
func (tx *Tx) PruneTrainingImports(ctx context.Context, before time.Time) (int64, error) {
	res, err := tx.Exec(ctx, "DELETE FROM training_files WHERE org_id = ? AND purpose LIKE 'import-%' AND created < ?", tx.org, TS(before))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
