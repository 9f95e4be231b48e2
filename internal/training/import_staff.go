package training

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// ImportOptions control an import.
type ImportOptions struct {
	Mapping map[string]string // field → column header, overriding recognition (ParseMapping)
	DryRun  bool              // check and count everything, write nothing
	Limits  Limits            // zero: DefaultLimits
	Now     time.Time
}

func (o ImportOptions) limits() Limits {
	if o.Limits.MaxBytes == 0 {
		return DefaultLimits
	}
	return o.Limits
}

// PreviewRows is how many rows an import result shows as they will be stored.
const PreviewRows = 25

// PreviewRow is one row of the file as it will be stored.
type PreviewRow struct {
	Row    int      `json:"row"`
	Action string   `json:"action"` // create, update, unchanged (staff); add, skip (results)
	Cells  []string `json:"cells"`  // in the order of ImportResult.PreviewColumns
}

// ImportResult is the outcome of an import: what it did (or in a dry run would do), or why it refused
// the file. An import is all or nothing: with any rejection nothing is written.
type ImportResult struct {
	Kind       string      `json:"kind"` // staff or training-results
	File       string      `json:"file"`
	Format     string      `json:"format"`
	Sheet      string      `json:"sheet,omitempty"`
	HeaderRow  int         `json:"header_row"`
	DryRun     bool        `json:"dry_run"`
	OK         bool        `json:"ok"`   // no rejections: written, or in a dry run writable
	Rows       int         `json:"rows"` // data rows read (empty rows skipped)
	Columns    []ColumnUse `json:"columns"`
	Created    int         `json:"created"`
	Updated    int         `json:"updated"`
	Unchanged  int         `json:"unchanged"`
	Assigned   int         `json:"assigned"`  // staff: assignments made by the automatic rules
	Withdrawn  int         `json:"withdrawn"` // staff: rule-made assignments withdrawn after role changes
	Installed  bool        `json:"catalogue_installed,omitempty"`
	Rejections []Rejection `json:"rejections"`
	// Warnings do not stop the import: departments that are not in the inventory's departments (one
	// per name, at its first row), imported as written.
	Warnings       []Rejection  `json:"warnings"`
	PreviewColumns []string     `json:"preview_columns"`
	Preview        []PreviewRow `json:"preview"`
}

// Error returns the rejections as one error naming rows and columns (nil when there are none).
func (r ImportResult) Error() error {
	if len(r.Rejections) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d problem(s), nothing was imported:", r.File, len(r.Rejections))
	for _, rj := range r.Rejections {
		b.WriteString("\n  " + rj.String())
	}
	return &domain.Error{Code: domain.EInvalid, Field: "file", Message: b.String()}
}

// errDryRun rolls back the transaction of a dry run.
var errDryRun = errors.New("dry run")

// StaffFields are the columns of an HR export that the staff import understands.
var StaffFields = []Field{
	{Name: "staff_number", Label: "Staff number", Aliases: []string{"employee id", "employee number", "personnel number", "payroll number",
		"id", "personalnummer", "personal-nr", "pers.-nr.", "persnr", "pers nr", "mitarbeiternummer", "mitarbeiter-nr", "ma-nr"}},
	{Name: "name", Label: "Name", Aliases: []string{"full name", "employee", "employee name", "display name", "mitarbeiter", "mitarbeitername", "vollständiger name"}},
	{Name: "first_name", Label: "First name", Aliases: []string{"given name", "forename", "firstname", "vorname"}},
	{Name: "last_name", Label: "Last name", Aliases: []string{"surname", "family name", "lastname", "nachname", "familienname"}},
	{Name: "email", Label: "E-mail", Aliases: []string{"email address", "e-mail address", "mail", "work email", "e-mail-adresse", "emailadresse", "dienstliche e-mail"}},
	{Name: "department", Label: "Department", Aliases: []string{"dept", "unit", "organisational unit", "organizational unit", "ward", "clinic",
		"abteilung", "organisationseinheit", "bereich", "klinik", "station"}},
	{Name: "job_title", Label: "Job title", Aliases: []string{"title", "position", "job", "role", "function", "funktion", "stelle",
		"stellenbezeichnung", "tätigkeit", "berufsbezeichnung", "position/funktion"}},
	{Name: "audience", Label: "Audience", Aliases: []string{"staff group", "job group", "professional group", "target group", "berufsgruppe",
		"dienstart", "zielgruppe", "personalgruppe"}},
	{Name: "manager", Label: "Manager", Aliases: []string{"line manager", "supervisor", "manager id", "manager email", "reports to",
		"vorgesetzter", "vorgesetzte", "führungskraft", "vorgesetzter personalnummer"}},
	{Name: "start_date", Label: "Start date", Aliases: []string{"start", "hire date", "date of hire", "joined", "entry date", "eintrittsdatum",
		"eintritt", "beginn", "einstellungsdatum"}},
	{Name: "leaver_date", Label: "Leaver date", Aliases: []string{"leaving date", "end date", "termination date", "exit date", "left",
		"austrittsdatum", "austritt", "ende", "vertragsende"}},
	{Name: "board_member", Label: "Board member", Aliases: []string{"board", "management body", "executive board", "vorstand",
		"geschäftsführung", "leitungsorgan", "vorstandsmitglied"}},
}

type staffRow struct {
	row     int
	p       domain.Staff
	manager string
	present map[string]bool // fields with a column in the file
}

// ImportStaff reads an HR export and adds or updates the people of the organisation's staff register
// (matched by staff number, else e-mail), then applies the automatic assignment rules to everyone
// added or whose job group, department, board membership or dates changed. The starter catalogue is
// installed first when the organisation has no training programme yet. The import is one
// transaction: with any rejection, or in a dry run, nothing is written; the result says what would
// have happened, row by row for the preview.
func ImportStaff(ctx context.Context, st *store.Store, org int64, name string, r io.Reader, opt ImportOptions) (ImportResult, error) {
	res := ImportResult{Kind: "staff", File: name, DryRun: opt.DryRun, Rejections: []Rejection{}, Warnings: []Rejection{}, Preview: []PreviewRow{},
		PreviewColumns: []string{"Staff number", "Name", "E-mail", "Department", "Job title", "Audience", "Board", "Start", "Leaver"}}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	t, err := ReadTable(name, r, opt.limits())
	if err != nil {
		return res, err
	}
	res.Format, res.Sheet = t.Format, t.Sheet
	cols, err := MapColumns(t, StaffFields, opt.Mapping)
	if err != nil {
		return res, err
	}
	res.HeaderRow, res.Columns = cols.HeaderRow, cols.Uses
	var rj rejections
	if !cols.Has("name") && !(cols.Has("first_name") && cols.Has("last_name")) {
		rj.add(Rejection{Field: "name", Message: "no column for the name (a Name column, or First name and Last name); name it with --mapping name=COLUMN"})
	}
	if !cols.Has("email") && !cols.Has("staff_number") {
		rj.add(Rejection{Field: "staff_number", Message: "no column for the staff number or the e-mail address, which identify people; name one with --mapping staff_number=COLUMN"})
	}
	if rj.Len() > 0 {
		res.Rejections = rj.result()
		return res, nil
	}
	rows := parseStaffRows(t, cols, &rj)
	res.Rows = len(rows)
	if res.Rows == 0 {
		rj.add(Rejection{Message: fmt.Sprintf("no data rows below the header (row %d)", cols.HeaderRow)})
	}
	if rj.Len() > 0 {
		res.Rejections = rj.result()
		return res, nil
	}
	err = st.Scope(org).Write(ctx, func(tx *store.Tx) error {
		if err := writeStaff(ctx, tx, rows, cols, &res, &rj, opt.Now); err != nil {
			return err
		}
		if rj.Len() > 0 || opt.DryRun {
			return errDryRun
		}
		return tx.Audit(ctx, store.AuditEntry{Action: "staff.import", Entity: "staff", Summary: fmt.Sprintf("imported the staff register from %s: %d added, %d changed",
			name, res.Created, res.Updated), Data: map[string]any{"file": name, "rows": res.Rows, "created": res.Created, "updated": res.Updated,
			"unchanged": res.Unchanged, "assigned": res.Assigned}})
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return res, err
	}
	res.Rejections = rj.result()
	res.OK = len(res.Rejections) == 0
	return res, nil
}

// parseStaffRows turns the data rows into people, rejecting what cannot be read.
func parseStaffRows(t *Table, cols Columns, rj *rejections) []staffRow {
	var out []staffRow
	seenNumber, seenEmail := map[string]int{}, map[string]int{}
	for _, r := range t.Rows {
		if r.N <= cols.HeaderRow || r.empty() {
			continue
		}
		sr := staffRow{row: r.N, present: map[string]bool{}}
		for _, u := range cols.Uses {
			sr.present[u.Field] = true
		}
		get := func(f string) string { return cols.Get(r, f) }
		bad := func(field, value, msg string) {
			rj.add(Rejection{Row: r.N, Column: cols.Column(field), Field: field, Value: value, Message: msg})
		}
		p := &sr.p
		p.Name = get("name")
		if p.Name == "" {
			p.Name = strings.TrimSpace(get("first_name") + " " + get("last_name"))
			if strings.Contains(p.Name, ",") {
				p.Name = strings.TrimSpace(strings.ReplaceAll(p.Name, ",", ""))
			}
		} else if last, first, ok := strings.Cut(p.Name, ","); ok {
			p.Name = strings.TrimSpace(first) + " " + strings.TrimSpace(last) // "Berger, Jonas" → "Jonas Berger"
		}
		p.Email, p.StaffNumber = get("email"), get("staff_number")
		p.Department, p.JobTitle = get("department"), get("job_title")
		sr.manager = get("manager")
		if v := get("audience"); v != "" {
			a, board, ok := ParseAudienceLoose(v)
			switch {
			case !ok:
				bad("audience", v, "unknown audience (use clinical, biomed, it-security, procurement, other — or a job group such as Pflegedienst, Ärztlicher Dienst, Medizintechnik, IT, Einkauf)")
			case board:
				p.BoardMember = true
				p.Audience = DeriveAudience(p.JobTitle, p.Department)
			default:
				p.Audience = a
			}
		}
		if v := get("board_member"); v != "" {
			b, err := ParseBool(v)
			if err != nil {
				bad("board_member", v, err.Error())
			}
			p.BoardMember = p.BoardMember || b
		}
		for _, f := range []struct {
			field string
			dst   **time.Time
		}{{"start_date", &p.StartDate}, {"leaver_date", &p.LeaverDate}} {
			if v := get(f.field); v != "" {
				d, err := ParseDate(v)
				if err != nil {
					bad(f.field, v, err.Error())
					continue
				}
				*f.dst = &d
			}
		}
		if p.Audience == "" {
			p.Audience = DeriveAudience(p.JobTitle, p.Department)
		}
		if err := p.Validate(); err != nil {
			field := domain.ErrorField(err)
			if field == "leaver_date" || field == "email" || field == "name" || field == "staff_number" || field == "audience" {
				var de *domain.Error
				msg := err.Error()
				if errors.As(err, &de) {
					msg = de.Message
				}
				if field == "email" && p.Email == "" {
					field = "staff_number"
					if !cols.Has("staff_number") {
						field = "email"
					}
				}
				bad(field, get(field), msg)
			} else {
				rj.add(Rejection{Row: r.N, Message: err.Error()})
			}
			continue
		}
		if p.StaffNumber != "" {
			if prev, dup := seenNumber[p.StaffNumber]; dup {
				bad("staff_number", p.StaffNumber, fmt.Sprintf("the staff number appears in row %d already", prev))
				continue
			}
			seenNumber[p.StaffNumber] = r.N
		}
		if p.Email != "" {
			if prev, dup := seenEmail[p.Email]; dup {
				bad("email", p.Email, fmt.Sprintf("the e-mail address appears in row %d already", prev))
				continue
			}
			seenEmail[p.Email] = r.N
		}
		out = append(out, sr)
	}
	return out
}

// merge copies the fields the file has into the existing person. Without an audience in the file, the
// job group follows a changed job title or department.
func (sr staffRow) merge(old domain.Staff) domain.Staff {
	p := old
	n := sr.p
	set := func(f string, apply func()) {
		if sr.present[f] {
			apply()
		}
	}
	set("name", func() { p.Name = n.Name })
	if sr.present["first_name"] && sr.present["last_name"] && !sr.present["name"] {
		p.Name = n.Name
	}
	set("email", func() {
		if n.Email != "" {
			p.Email = n.Email
		}
	})
	set("staff_number", func() {
		if n.StaffNumber != "" {
			p.StaffNumber = n.StaffNumber
		}
	})
	set("department", func() { p.Department = n.Department })
	set("job_title", func() { p.JobTitle = n.JobTitle })
	set("start_date", func() { p.StartDate = n.StartDate })
	set("leaver_date", func() { p.LeaverDate = n.LeaverDate })
	if sr.present["board_member"] || n.BoardMember {
		p.BoardMember = n.BoardMember
	}
	switch {
	case sr.present["audience"] && n.Audience != "":
		p.Audience = n.Audience
	case p.JobTitle != old.JobTitle || p.Department != old.Department:
		p.Audience = DeriveAudience(p.JobTitle, p.Department)
	}
	return p
}

func samePerson(a, b domain.Staff) bool {
	return a.Name == b.Name && a.Email == b.Email && a.StaffNumber == b.StaffNumber && a.Department == b.Department &&
		a.JobTitle == b.JobTitle && a.Audience == b.Audience && a.BoardMember == b.BoardMember && sameDate(a.StartDate, b.StartDate) &&
		sameDate(a.LeaverDate, b.LeaverDate) && sameID(a.ManagerID, b.ManagerID)
}

func sameID(a, b *int64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func writeStaff(ctx context.Context, tx *store.Tx, rows []staffRow, cols Columns, res *ImportResult, rj *rejections, now time.Time) error {
	var err error
	if res.Installed, err = EnsureProgramme(ctx, tx); err != nil {
		return err
	}
	sc := tx.Scope()
	// Departments in the inventory's spelling; unknown ones are imported as written and flagged.
	depts, err := LoadDepartments(ctx, sc)
	if err != nil {
		return err
	}
	// Unknown names that differ only in case or spacing take one spelling: the register's, else the
	// first in the file.
	spelling := map[string]string{}
	known, err := sc.StaffDepartments(ctx)
	if err != nil {
		return err
	}
	for _, k := range known {
		spelling[domain.NameKey(k)] = k
	}
	type flagged struct{ row, n int }
	unknown := map[string]*flagged{}
	var order []string
	for i := range rows {
		if !rows[i].present["department"] {
			continue
		}
		name, ok := depts.Resolve(rows[i].p.Department)
		if !ok {
			if sp, seen := spelling[domain.NameKey(name)]; seen {
				name = sp
			} else {
				spelling[domain.NameKey(name)] = name
			}
		}
		rows[i].p.Department = name
		switch {
		case ok:
		case unknown[name] != nil:
			unknown[name].n++
		default:
			unknown[name] = &flagged{row: rows[i].row, n: 1}
			order = append(order, name)
		}
	}
	for _, name := range order {
		msg := depts.Warning(name)
		if n := unknown[name].n; n > 1 {
			msg += fmt.Sprintf(" (%d rows)", n)
		}
		res.Warnings = append(res.Warnings, Rejection{Row: unknown[name].row, Column: cols.Column("department"), Field: "department", Value: name, Message: msg})
	}
	ids := make([]int64, len(rows))
	actions := make([]string, len(rows))
	var rulesFor []int64
	for i, sr := range rows {
		old, err := sc.StaffByRef(ctx, sr.p.StaffNumber, sr.p.Email)
		switch {
		case domain.ErrorCode(err) == domain.ENotFound:
			p := sr.p
			if err := tx.CreateStaff(ctx, &p); err != nil {
				rejectWrite(rj, sr, cols, err)
				continue
			}
			ids[i], actions[i] = p.ID, "create"
			rulesFor = append(rulesFor, p.ID)
			res.Created++
		case err != nil:
			return err
		case sr.p.StaffNumber != "" && old.StaffNumber != "" && old.StaffNumber != sr.p.StaffNumber:
			rj.add(Rejection{Row: sr.row, Column: cols.Column("email"), Field: "email", Value: sr.p.Email,
				Message: fmt.Sprintf("the e-mail address belongs to %s (staff number %s) in the register", old.Name, old.StaffNumber)})
			continue
		default:
			p := sr.merge(old)
			ids[i] = old.ID
			if samePerson(old, p) {
				actions[i] = "unchanged"
				continue
			}
			if err := tx.UpdateStaff(ctx, p); err != nil {
				rejectWrite(rj, sr, cols, err)
				continue
			}
			actions[i] = "update"
			res.Updated++
			if roleChanged(old, p) {
				rulesFor = append(rulesFor, p.ID)
			}
		}
	}
	if rj.Len() > 0 {
		return nil
	}
	// Managers, once everyone of the file is in the register.
	if cols.Has("manager") {
		for i, sr := range rows {
			if sr.manager == "" {
				continue
			}
			m, err := sc.StaffByRef(ctx, sr.manager, sr.manager)
			if domain.ErrorCode(err) == domain.ENotFound {
				rj.add(Rejection{Row: sr.row, Column: cols.Column("manager"), Field: "manager", Value: sr.manager,
					Message: "no person with this staff number or e-mail address in the file or the register"})
				continue
			}
			if err != nil {
				return err
			}
			p, err := sc.StaffMember(ctx, ids[i])
			if err != nil {
				return err
			}
			if m.ID == p.ID {
				rj.add(Rejection{Row: sr.row, Column: cols.Column("manager"), Field: "manager", Value: sr.manager, Message: "a person cannot be their own manager"})
				continue
			}
			if p.ManagerID != nil && *p.ManagerID == m.ID {
				continue
			}
			p.ManagerID = &m.ID
			if err := tx.UpdateStaff(ctx, p); err != nil {
				return err
			}
			if actions[i] == "unchanged" {
				actions[i] = "update"
				res.Updated++
			}
		}
	}
	for _, a := range actions {
		if a == "unchanged" {
			res.Unchanged++
		}
	}
	if rj.Len() > 0 {
		return nil
	}
	applied, err := ApplyRules(ctx, tx, rulesFor, now)
	if err != nil {
		return err
	}
	res.Assigned, res.Withdrawn = applied.Changed(), applied.Withdrawn
	for i, sr := range rows {
		if len(res.Preview) >= PreviewRows {
			break
		}
		p, err := sc.StaffMember(ctx, ids[i])
		if err != nil {
			return err
		}
		res.Preview = append(res.Preview, PreviewRow{Row: sr.row, Action: actions[i], Cells: []string{p.StaffNumber, p.Name, p.Email,
			p.Department, p.JobTitle, p.Audience.Label(), yesNo(p.BoardMember), dateText(p.StartDate), dateText(p.LeaverDate)}})
	}
	return nil
}

// rejectWrite turns a refused write (a unique e-mail or staff number taken by someone else) into a
// rejection of the row.
func rejectWrite(rj *rejections, sr staffRow, cols Columns, err error) {
	field := domain.ErrorField(err)
	msg := domain.ErrorMessage(err)
	var de *domain.Error
	if errors.As(err, &de) {
		msg = de.Message
	}
	col := ""
	if field != "" && cols.Has(field) {
		col = cols.Column(field)
	}
	rj.add(Rejection{Row: sr.row, Column: col, Field: field, Message: msg})
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func dateText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format("2006-01-02")
}
