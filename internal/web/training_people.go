package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/training"
)

// personSummary is a person's training at a glance, for the register.
type personSummary struct {
	Assigned, Completed int
	Worst               training.State
}

type peopleView struct {
	Page        domain.Page[domain.Staff]
	Q           string
	Department  string
	Audience    string
	State       string
	Departments []string // of the register, for the filter
	Offer       []string // offered in the person form: the inventory's departments
	Unknown     []string // departments of the register that are not in the inventory
	Audiences   []domain.Audience
	Summary     map[int64]personSummary
	New         staffForm
	Errors      FieldErrors
	Added       string
}

// staffForm is the person form as typed (dates and manager as text).
type staffForm struct {
	domain.Staff
	Start, Leaver, Manager string
}

func formOf(p domain.Staff, managerRef string) staffForm {
	f := staffForm{Staff: p, Manager: managerRef}
	if p.StartDate != nil {
		f.Start = p.StartDate.Format("2006-01-02")
	}
	if p.LeaverDate != nil {
		f.Leaver = p.LeaverDate.Format("2006-01-02")
	}
	return f
}

func (s *Server) peopleView(c *Ctx) (peopleView, error) {
	ctx := c.R.Context()
	q := c.R.URL.Query()
	v := peopleView{Q: q.Get("q"), Department: q.Get("department"), Audience: q.Get("audience"), State: q.Get("state"),
		Audiences: domain.PrimaryAudiences, Errors: FieldErrors{}, Summary: map[int64]personSummary{}}
	var err error
	v.Page, err = c.Scope.Staff(ctx, store.StaffFilter{ListParams: c.List(), Department: v.Department, Audience: domain.Audience(v.Audience),
		State: v.State, At: c.Now()})
	if err != nil {
		return v, err
	}
	if v.Departments, err = c.Scope.StaffDepartments(ctx); err != nil {
		return v, err
	}
	if v.Offer, v.Unknown, err = departmentOffer(c, v.Departments); err != nil {
		return v, err
	}
	d, err := training.Load(ctx, c.Scope)
	if err != nil {
		return v, err
	}
	for _, a := range training.Views(d, c.Now()) {
		ps := v.Summary[a.StaffID]
		ps.Assigned++
		if a.Status.State == training.StateCompleted {
			ps.Completed++
		}
		if rank(a.Status.State) > rank(ps.Worst) {
			ps.Worst = a.Status.State
		}
		v.Summary[a.StaffID] = ps
	}
	return v, nil
}

// departmentOffer returns the departments a person form offers — the inventory's (training.Departments),
// or the register's own while the inventory has none — and the register's departments that the
// inventory does not know.
func departmentOffer(c *Ctx, register []string) (offer, unknown []string, err error) {
	d, err := training.LoadDepartments(c.R.Context(), c.Scope)
	if err != nil {
		return nil, nil, err
	}
	if len(d.Names()) == 0 {
		return register, nil, nil
	}
	for _, r := range register {
		if _, ok := d.Resolve(r); !ok {
			unknown = append(unknown, r)
		}
	}
	return d.Names(), unknown, nil
}

// departmentFlash is the message after saving a person: ok, or a warning when the department is not in
// the inventory's departments.
func departmentFlash(c *Ctx, dept, ok string) (kind, text string) {
	d, err := training.LoadDepartments(c.R.Context(), c.Scope)
	if err == nil {
		if w := d.Warning(dept); w != "" {
			return "warn", ok + " Note: the " + w + "."
		}
	}
	return "ok", ok
}

func rank(s training.State) int {
	return map[training.State]int{training.StateOverdue: 4, training.StateDue: 3, training.StateNotYetDue: 2, training.StateCompleted: 1}[s]
}

func (s *Server) trainingPeople(c *Ctx) error {
	v, err := s.peopleView(c)
	if err != nil {
		return err
	}
	return c.Render("training/people", "Staff register", v)
}

// readStaffForm fills p from the person form; errors name their field.
func (s *Server) readStaffForm(c *Ctx, p *domain.Staff) (staffForm, error) {
	p.Name, p.Email, p.StaffNumber = c.Form("name"), c.Form("email"), c.Form("staff_number")
	p.Department, p.JobTitle = c.Form("department"), c.Form("job_title")
	p.BoardMember = c.FormBool("board_member")
	p.Audience = domain.Audience(c.Form("audience"))
	if p.Audience == "" {
		p.Audience = training.DeriveAudience(p.JobTitle, p.Department)
	}
	f := staffForm{Staff: *p, Start: c.Form("start_date"), Leaver: c.Form("leaver_date"), Manager: c.Form("manager")}
	for _, d := range []struct {
		field, value string
		dst          **time.Time
	}{{"start_date", f.Start, &p.StartDate}, {"leaver_date", f.Leaver, &p.LeaverDate}} {
		*d.dst = nil
		if d.value == "" {
			continue
		}
		t, err := training.ParseDate(d.value)
		if err != nil {
			return f, domain.Invalid(d.field, "%s", err.Error())
		}
		*d.dst = &t
	}
	p.ManagerID = nil
	if f.Manager != "" {
		m, err := c.Scope.StaffByRef(c.R.Context(), f.Manager, f.Manager)
		if err != nil {
			return f, domain.Invalid("manager", "no person with staff number or e-mail %q", f.Manager)
		}
		p.ManagerID = &m.ID
	}
	f.Staff = *p
	return f, nil
}

func (s *Server) trainingPersonCreate(c *Ctx) error {
	var p domain.Staff
	f, err := s.readStaffForm(c, &p)
	if err == nil {
		err = c.Scope.Write(c.R.Context(), func(tx *store.Tx) error {
			_, err := training.AddPerson(c.R.Context(), tx, &p, c.Now())
			return err
		})
	}
	if err != nil {
		v, lerr := s.peopleView(c)
		if lerr != nil {
			return lerr
		}
		v.New = f
		if !v.Errors.FromError(err) {
			return err
		}
		return c.RenderStatus(http.StatusUnprocessableEntity, "training/people", "Staff register", v)
	}
	kind, text := departmentFlash(c, p.Department, p.Name+" was added; the assignment rules gave them their curricula.")
	return c.Redirect(fmt.Sprintf("/training/people/%d", p.ID), kind, text)
}

type personView struct {
	training.StaffDetail
	Form     staffForm
	Errors   FieldErrors
	Modules  []domain.TrainingModule
	Today    string
	Audience []domain.Audience
	Depts    []string
}

func (s *Server) personView(c *Ctx, id int64) (personView, error) {
	ctx := c.R.Context()
	d, err := training.LoadStaffDetail(ctx, c.Scope, id, c.Now())
	if err != nil {
		return personView{}, err
	}
	v := personView{StaffDetail: d, Errors: FieldErrors{}, Today: training.Day(c.Now(), c.Loc()).Format("2006-01-02"), Audience: domain.PrimaryAudiences}
	mgr := ""
	if d.Staff.ManagerID != nil {
		if m, err := c.Scope.StaffMember(ctx, *d.Staff.ManagerID); err == nil {
			mgr = m.StaffNumber
			if mgr == "" {
				mgr = m.Email
			}
		}
	}
	v.Form = formOf(d.Staff, mgr)
	if v.Modules, err = c.Scope.TrainingModules(ctx, false); err != nil {
		return v, err
	}
	if v.Depts, err = c.Scope.StaffDepartments(ctx); err != nil {
		return v, err
	}
	v.Depts, _, err = departmentOffer(c, v.Depts)
	return v, err
}

func (s *Server) trainingPerson(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	v, err := s.personView(c, id)
	if err != nil {
		return err
	}
	return c.Render("training/person", v.Staff.Name, v)
}

func (s *Server) trainingPersonUpdate(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	p, err := c.Scope.StaffMember(c.R.Context(), id)
	if err != nil {
		return err
	}
	f, err := s.readStaffForm(c, &p)
	var res training.ApplyResult
	if err == nil {
		err = c.Scope.Write(c.R.Context(), func(tx *store.Tx) error {
			var err error
			res, err = training.UpdatePerson(c.R.Context(), tx, p, c.Now())
			return err
		})
	}
	if err != nil {
		v, lerr := s.personView(c, id)
		if lerr != nil {
			return lerr
		}
		v.Form = f
		if !v.Errors.FromError(err) {
			return err
		}
		return c.RenderStatus(http.StatusUnprocessableEntity, "training/person", v.Staff.Name, v)
	}
	msg := "Saved."
	if res.Changed() > 0 || res.Withdrawn > 0 {
		msg = fmt.Sprintf("Saved. The assignment rules added %d and withdrew %d assignments.", res.Changed(), res.Withdrawn)
	}
	kind, text := departmentFlash(c, p.Department, msg)
	return c.Redirect("/training/people/"+strconv.FormatInt(id, 10), kind, text)
}

func (s *Server) trainingPersonDelete(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	p, err := c.Scope.StaffMember(c.R.Context(), id)
	if err != nil {
		return err
	}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.DeleteStaff(c.R.Context(), id) }); err != nil {
		return err
	}
	return c.Redirect("/training/people", "ok", p.Name+" and their training records were removed.")
}
