package store

import (
	"context"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// The staff register. A person is linked to a Vigil user explicitly (user_id) or, failing that, by the
// same e-mail address; the link is resolved when reading, so accounts created later are found too.

const staffCols = `s.id, s.org_id, s.name, s.email, s.staff_number, s.department, s.job_title, s.audience, s.manager_id,
	COALESCE(m.name, ''), s.start_date, s.leaver_date, s.board_member, COALESCE(s.user_id, u.id), s.created, s.updated`

const staffFrom = ` FROM staff s LEFT JOIN staff m ON m.org_id = s.org_id AND m.id = s.manager_id
	LEFT JOIN users u ON u.org_id = s.org_id AND u.email = s.email AND s.email <> ''`

func scanStaff(sc interface{ Scan(...any) error }) (domain.Staff, error) {
	var p domain.Staff
	var aud string
	err := sc.Scan(&p.ID, &p.OrgID, &p.Name, &p.Email, &p.StaffNumber, &p.Department, &p.JobTitle, &aud, &p.ManagerID,
		&p.ManagerName, &p.StartDate, &p.LeaverDate, &p.BoardMember, &p.UserID, &p.Created, &p.Updated)
	p.Audience = domain.Audience(aud)
	p.Created, p.Updated = p.Created.UTC(), p.Updated.UTC()
	p.StartDate, p.LeaverDate = utcPtr(p.StartDate), utcPtr(p.LeaverDate)
	return p, err
}

// StaffFilter selects people of the register.
type StaffFilter struct {
	domain.ListParams
	Department string
	Audience   domain.Audience
	Board      bool   // board members only
	State      string // "" or "active": current staff; "leavers"; "all"
	At         time.Time
}

// Staff lists people of the register.
func (sc *Scope) Staff(ctx context.Context, f StaffFilter) (domain.Page[domain.Staff], error) {
	p := f.ListParams.Normalize()
	where := []string{"s.org_id = ?"}
	args := []any{sc.org}
	if f.Q != "" {
		like := sc.Like()
		where = append(where, "(s.name "+like+" ? OR s.email "+like+" ? OR s.staff_number "+like+" ? OR s.job_title "+like+" ?)")
		for range 4 {
			args = append(args, "%"+f.Q+"%")
		}
	}
	if f.Department != "" {
		where, args = append(where, "s.department = ?"), append(args, f.Department)
	}
	if f.Audience != "" {
		where, args = append(where, "s.audience = ?"), append(args, string(f.Audience))
	}
	if f.Board {
		where = append(where, "s.board_member = TRUE")
	}
	at := f.At
	if at.IsZero() {
		at = now()
	}
	switch f.State {
	case "", "active":
		where, args = append(where, "(s.leaver_date IS NULL OR s.leaver_date > ?)"), append(args, TS(at))
	case "leavers":
		where, args = append(where, "s.leaver_date IS NOT NULL AND s.leaver_date <= ?"), append(args, TS(at))
	case "all":
	default:
		return domain.Page[domain.Staff]{}, domain.Invalid("state", "must be active, leavers or all")
	}
	w := strings.Join(where, " AND ")
	out := domain.Page[domain.Staff]{Limit: p.Limit, Offset: p.Offset, Items: []domain.Staff{}}
	var err error
	if out.Total, err = sc.Count(ctx, "SELECT COUNT(*) FROM staff s WHERE "+w, args...); err != nil {
		return out, err
	}
	order := SortClause(p.Sort, map[string]string{"name": "s.name", "department": "s.department, s.name", "staff_number": "s.staff_number",
		"job_title": "s.job_title, s.name", "audience": "s.audience, s.name", "start_date": "s.start_date", "email": "s.email"}, "s.name")
	rows, err := sc.Query(ctx, "SELECT "+staffCols+staffFrom+" WHERE "+w+" ORDER BY "+order+", s.id LIMIT ? OFFSET ?", append(args, p.Limit, p.Offset)...)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		s, err := scanStaff(rows)
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, s)
	}
	return out, rows.Err()
}

// AllStaff returns every person of the register, leavers included, by id.
func (sc *Scope) AllStaff(ctx context.Context) ([]domain.Staff, error) {
	rows, err := sc.Query(ctx, "SELECT "+staffCols+staffFrom+" WHERE s.org_id = ? ORDER BY s.id", sc.org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.Staff{}
	for rows.Next() {
		s, err := scanStaff(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// StaffMember returns one person of the register.
func (sc *Scope) StaffMember(ctx context.Context, id int64) (domain.Staff, error) {
	p, err := scanStaff(sc.QueryRow(ctx, "SELECT "+staffCols+staffFrom+" WHERE s.org_id = ? AND s.id = ?", sc.org, id))
	return p, NotFound(err, "person")
}

// StaffByRef finds a person by staff number or e-mail address (either may be empty).
func (sc *Scope) StaffByRef(ctx context.Context, staffNumber, email string) (domain.Staff, error) {
	staffNumber, email = strings.TrimSpace(staffNumber), strings.ToLower(strings.TrimSpace(email))
	if staffNumber != "" {
		p, err := scanStaff(sc.QueryRow(ctx, "SELECT "+staffCols+staffFrom+" WHERE s.org_id = ? AND s.staff_number = ?", sc.org, staffNumber))
		if err == nil || email == "" {
			return p, NotFound(err, "person with staff number "+staffNumber)
		}
	}
	if email == "" {
		return domain.Staff{}, domain.NotFound("person")
	}
	p, err := scanStaff(sc.QueryRow(ctx, "SELECT "+staffCols+staffFrom+" WHERE s.org_id = ? AND s.email = ?", sc.org, email))
	return p, NotFound(err, "person with e-mail "+email)
}

// StaffForUser returns the register entry of a Vigil user (explicit link or same e-mail).
func (sc *Scope) StaffForUser(ctx context.Context, u domain.User) (domain.Staff, error) {
	p, err := scanStaff(sc.QueryRow(ctx, "SELECT "+staffCols+staffFrom+" WHERE s.org_id = ? AND (s.user_id = ? OR (s.user_id IS NULL AND s.email = ?)) ORDER BY s.id LIMIT 1",
		sc.org, u.ID, u.Email))
	return p, NotFound(err, "person")
}

// Departments lists the distinct departments of current staff, sorted.
func (sc *Scope) StaffDepartments(ctx context.Context) ([]string, error) {
	rows, err := sc.Query(ctx, "SELECT DISTINCT department FROM staff WHERE org_id = ? AND department <> '' ORDER BY department", sc.org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func (tx *Tx) checkManager(ctx context.Context, p domain.Staff) error {
	if p.ManagerID == nil {
		return nil
	}
	n, err := tx.Count(ctx, "SELECT COUNT(*) FROM staff WHERE org_id = ? AND id = ?", tx.org, *p.ManagerID)
	if err != nil {
		return err
	}
	if n == 0 {
		return domain.Invalid("manager_id", "person %d does not exist", *p.ManagerID)
	}
	return nil
}

func staffConflict(err error, p domain.Staff) error {
	if domain.ErrorCode(err) != domain.EConflict {
		return err
	}
	if p.StaffNumber != "" {
		return domain.Invalid("staff_number", "staff number %s or e-mail %s is used by another person already", p.StaffNumber, p.Email)
	}
	return domain.Invalid("email", "e-mail %s is used by another person already", p.Email)
}

// CreateStaff adds a person to the register.
func (tx *Tx) CreateStaff(ctx context.Context, p *domain.Staff) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if err := tx.checkManager(ctx, *p); err != nil {
		return err
	}
	p.OrgID, p.Created, p.Updated = tx.org, now(), now()
	id, err := tx.InsertID(ctx, `INSERT INTO staff (org_id, name, email, staff_number, department, job_title, audience, manager_id,
		start_date, leaver_date, board_member, user_id, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		tx.org, p.Name, p.Email, p.StaffNumber, p.Department, p.JobTitle, string(p.Audience), p.ManagerID, tsPtr(p.StartDate),
		tsPtr(p.LeaverDate), p.BoardMember, p.UserID, p.Created, p.Updated)
	if err != nil {
		return staffConflict(err, *p)
	}
	p.ID = id
	return tx.Audit(ctx, AuditEntry{Action: "staff.create", Entity: "staff", EntityID: id, Summary: "added " + p.Name + " to the staff register",
		Data: map[string]any{"name": p.Name, "staff_number": p.StaffNumber, "department": p.Department, "audience": p.Audience, "board_member": p.BoardMember}})
}

// UpdateStaff changes a person of the register.
func (tx *Tx) UpdateStaff(ctx context.Context, p domain.Staff) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if err := tx.checkManager(ctx, p); err != nil {
		return err
	}
	res, err := tx.Exec(ctx, `UPDATE staff SET name = ?, email = ?, staff_number = ?, department = ?, job_title = ?, audience = ?,
		manager_id = ?, start_date = ?, leaver_date = ?, board_member = ?, updated = ? WHERE org_id = ? AND id = ?`,
		p.Name, p.Email, p.StaffNumber, p.Department, p.JobTitle, string(p.Audience), p.ManagerID, tsPtr(p.StartDate),
		tsPtr(p.LeaverDate), p.BoardMember, now(), tx.org, p.ID)
	if err != nil {
		return staffConflict(err, p)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFound("person")
	}
	return tx.Audit(ctx, AuditEntry{Action: "staff.update", Entity: "staff", EntityID: p.ID, Summary: "changed " + p.Name + " in the staff register",
		Data: map[string]any{"name": p.Name, "staff_number": p.StaffNumber, "department": p.Department, "audience": p.Audience,
			"board_member": p.BoardMember, "leaver_date": p.LeaverDate}})
}

// DeleteStaff removes a person with their assignments and records (a record entered by mistake, or an
// erasure request); people who left are normally kept with a leaver date.
func (tx *Tx) DeleteStaff(ctx context.Context, id int64) error {
	var name string
	if err := tx.QueryRow(ctx, "SELECT name FROM staff WHERE org_id = ? AND id = ?", tx.org, id).Scan(&name); err != nil {
		return NotFound(err, "person")
	}
	if _, err := tx.Exec(ctx, "DELETE FROM staff WHERE org_id = ? AND id = ?", tx.org, id); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "staff.delete", Entity: "staff", EntityID: id, Summary: "removed " + name + " from the staff register"})
}
