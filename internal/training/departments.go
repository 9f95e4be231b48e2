package training

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// Departments are the inventory's departments (the departments table) as the staff register sees them.
// The register keeps a person's department as text; names are checked against this list so that
// coverage "by department" lines up with the inventory "by department":
//
//   - a name that matches a department case- and space-insensitively, or its cost-centre code (HR
//     exports often carry the code), is stored in the inventory's spelling;
//   - any other name is accepted as written but flagged (Warning): the register may hold units the
//     inventory does not (a board, a works council), and HR's names must not create inventory records
//     nobody manages. Add the department in the inventory, or use its name, to clear the flag;
//   - while the organisation has no departments in its inventory, nothing is checked or flagged.
type Departments struct {
	byKey map[string]string // domain.NameKey of name or code → name
	names []string
}

// LoadDepartments reads the organisation's inventory departments.
func LoadDepartments(ctx context.Context, sc *store.Scope) (Departments, error) {
	ds, err := sc.Departments(ctx)
	if err != nil {
		return Departments{}, err
	}
	d := Departments{byKey: map[string]string{}}
	for _, x := range ds {
		d.names = append(d.names, x.Name)
		if x.Code != "" {
			if _, taken := d.byKey[domain.NameKey(x.Code)]; !taken {
				d.byKey[domain.NameKey(x.Code)] = x.Name
			}
		}
	}
	for _, x := range ds { // names win over codes
		d.byKey[domain.NameKey(x.Name)] = x.Name
	}
	sort.Strings(d.names)
	return d, nil
}

// Names lists the departments in alphabetical order, for forms to offer.
func (d Departments) Names() []string { return d.names }

// Resolve returns the inventory's spelling of a department name or code and whether it is known. An
// empty name, and any name while the inventory has no departments, count as known.
func (d Departments) Resolve(name string) (string, bool) {
	name = strings.TrimSpace(name)
	if name == "" || len(d.byKey) == 0 {
		return name, true
	}
	if n, ok := d.byKey[domain.NameKey(name)]; ok {
		return n, true
	}
	return name, false
}

// Warning says why a department name is flagged, or "" when it is known.
func (d Departments) Warning(name string) string {
	if _, ok := d.Resolve(name); ok {
		return ""
	}
	return fmt.Sprintf("department %q is not in the inventory's departments: it is kept as written, but coverage by department will not line up with the inventory; add it under Inventory → Departments or use the inventory's name", strings.TrimSpace(name))
}

// canonicalDepartment stores a person's department in the inventory's spelling when it is known.
func canonicalDepartment(ctx context.Context, tx *store.Tx, p *domain.Staff) error {
	d, err := LoadDepartments(ctx, tx.Scope())
	if err != nil {
		return err
	}
	p.Department, _ = d.Resolve(p.Department)
	return nil
}
