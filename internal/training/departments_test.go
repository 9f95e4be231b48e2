package training

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// TestDepartmentsAgainstInventory: the staff register takes the inventory's spelling of a department
// (by name in any case, or by cost centre), keeps an unknown name as written and flags it, and checks
// nothing while the inventory has no departments.
func TestDepartmentsAgainstInventory(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		org := testutil.Org(t, st, "h")
		ctx, sc := testutil.Ctx(org.ID), st.Scope(org.ID)
		csv := "Personalnummer;Name;Abteilung;Funktion\n" +
			"1;Anna Berg;radiology;Radiographer\n" +
			"2;Jan Koch;4110;Intensive care nurse\n" +
			"3;Eva Roth;Works Council;Chair\n" +
			"4;Lars Vogel;works council;Member\n" +
			"5;Mia Haas;Betriebsrat;Member\n"

		// Without inventory departments nothing is flagged, names stay as written.
		res, err := ImportStaff(ctx, st, org.ID, "hr.csv", strings.NewReader(csv), ImportOptions{DryRun: true, Now: testNow})
		if err != nil || !res.OK || len(res.Warnings) != 0 {
			t.Fatalf("without inventory departments: ok=%v warnings=%v err=%v", res.OK, res.Warnings, err)
		}

		if err := sc.Write(ctx, func(tx *store.Tx) error {
			for _, d := range []domain.Department{{Name: "Radiology", Code: "4300"}, {Name: "Intensive Care Unit (Surgical)", Code: "4110"}} {
				if err := tx.CreateDepartment(ctx, &d); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		d, err := LoadDepartments(ctx, sc)
		if err != nil {
			t.Fatal(err)
		}
		for in, want := range map[string]struct {
			name  string
			known bool
		}{"RADIOLOGY ": {"Radiology", true}, "4300": {"Radiology", true}, "Works Council": {"Works Council", false}, "": {"", true}} {
			if name, known := d.Resolve(in); name != want.name || known != want.known {
				t.Errorf("Resolve(%q) = %q, %v; want %q, %v", in, name, known, want.name, want.known)
			}
		}

		res, err = ImportStaff(ctx, st, org.ID, "hr.csv", strings.NewReader(csv), ImportOptions{Now: testNow})
		if err != nil || !res.OK || res.Created != 5 {
			t.Fatalf("import: %+v %v", res, err)
		}
		var warned []string
		for _, w := range res.Warnings {
			warned = append(warned, w.String())
		}
		want := []string{
			`row 4, column "Abteilung": department "Works Council" is not in the inventory's departments: it is kept as written, but coverage by department will not line up with the inventory; add it under Inventory → Departments or use the inventory's name (2 rows) (value "Works Council")`,
			`row 6, column "Abteilung": department "Betriebsrat" is not in the inventory's departments: it is kept as written, but coverage by department will not line up with the inventory; add it under Inventory → Departments or use the inventory's name (value "Betriebsrat")`,
		}
		if diff := cmp.Diff(want, warned); diff != "" {
			t.Errorf("warnings (-want +got):\n%s", diff)
		}
		got := map[string]string{}
		all, _ := sc.AllStaff(ctx)
		for _, p := range all {
			got[p.StaffNumber] = p.Department
		}
		if diff := cmp.Diff(map[string]string{"1": "Radiology", "2": "Intensive Care Unit (Surgical)", "3": "Works Council", "4": "Works Council",
			"5": "Betriebsrat"}, got); diff != "" {
			t.Errorf("departments stored (-want +got):\n%s", diff)
		}

		// A person added or changed by hand takes the inventory's spelling too.
		p := domain.Staff{Name: "Tom Weber", StaffNumber: "6", Department: "intensive care unit (surgical)"}
		if err := sc.Write(ctx, func(tx *store.Tx) error { _, err := AddPerson(ctx, tx, &p, testNow); return err }); err != nil {
			t.Fatal(err)
		}
		p.Department = "4300"
		if err := sc.Write(ctx, func(tx *store.Tx) error { _, err := UpdatePerson(ctx, tx, p, testNow); return err }); err != nil {
			t.Fatal(err)
		}
		if got, _ := sc.StaffMember(ctx, p.ID); got.Department != "Radiology" {
			t.Errorf("updated by cost centre: %q", got.Department)
		}
	})
}
