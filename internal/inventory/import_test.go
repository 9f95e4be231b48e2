package inventory

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

var today = domain.NewDate(2026, 3, 2)

// hospital is an organisation with network zones and one device already in the inventory.
type hospital struct {
	org   domain.Organisation
	sc    *store.Scope
	ctx   context.Context
	zones map[string]domain.NetworkZone
}

func newHospital(t *testing.T, st *store.Store, slug string) *hospital {
	t.Helper()
	h := &hospital{org: testutil.Org(t, st, slug), zones: map[string]domain.NetworkZone{}}
	h.sc, h.ctx = st.Scope(h.org.ID), testutil.Ctx(h.org.ID)
	err := h.sc.Write(h.ctx, func(tx *store.Tx) error {
		for _, z := range []domain.NetworkZone{
			{Name: "Infusion pumps", VLAN: 110, CIDR: "10.11.0.0/16", Exposure: domain.ExposureIsolated},
			{Name: "Patient monitoring", VLAN: 120, CIDR: "10.12.0.0/16", Exposure: domain.ExposureIsolated},
			{Name: "Imaging", VLAN: 130, CIDR: "10.13.0.0/16", Exposure: domain.ExposureIsolated},
			{Name: "Laboratory", VLAN: 140, CIDR: "10.14.0.0/16", Exposure: domain.ExposureIsolated},
			{Name: "Clinical LAN", VLAN: 100, CIDR: "10.10.0.0/16", Exposure: domain.ExposureClinical},
			{Name: "Office LAN", VLAN: 50, CIDR: "10.50.0.0/16", Exposure: domain.ExposureOffice},
			{Name: "Not networked", Exposure: domain.ExposureStandalone},
		} {
			if err := tx.CreateZone(h.ctx, &z); err != nil {
				return err
			}
			h.zones[z.Name] = z
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// counts are the sizes of the inventory's tables and the audit log, to prove that nothing changed.
func counts(t *testing.T, h *hospital) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"manufacturers", "products", "product_versions", "sites", "locations", "departments", "assets",
		"audit_events", "inventory_imports"} {
		n, err := h.sc.Count(h.ctx, "SELECT COUNT(*) FROM "+table+" WHERE org_id = ?", h.org.ID)
		if err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

func reportText(t *testing.T, rep *Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := rep.WriteText(&b, 12); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestGermanExportDryRunGolden(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		h := newHospital(t, st, "golden")
		// An earlier export brought one pump in with older firmware and one monitor exactly as now.
		earlier := "Inventarnummer;Hersteller;Typ;Seriennummer;Softwareversion;Liegenschaft;Gebäude;Etage;Raum;Fachabteilung;Kostenstelle;IP-Adresse;MAC-Adresse;Hostname;Kritikalität;Patientendaten;Anschaffungsdatum;Wiederbeschaffungswert;Status\n" +
			"MT-100001;B. Braun;Infusomat Space;80412345;U60;Hauptcampus;Haus C;Ebene 2;C2.114;Intensivstation;4110;10.11.2.21;;;lebenserhaltend;nein;03.05.2021;2900;in Betrieb\n" +
			"MT-100005;Philips;IntelliVue MX800;DE61730042;M.00.03;Hauptcampus;Haus C;Ebene 2;C2.114;Intensivstation;4110;10.12.2.41;00:09:FB:20:11:01;mx800-its-04;kritisch;ja;12.01.2019;38500;in Betrieb\n"
		if _, err := Import(h.ctx, h.sc, []byte(earlier), Options{FileName: "earlier.csv", Today: today}); err != nil {
			t.Fatal(err)
		}
		before := counts(t, h)
		rep, err := Import(h.ctx, h.sc, fixture(t, "cmms-export-de.csv"), Options{FileName: "cmms-export-de.csv", DryRun: true, Today: today})
		if !errors.Is(err, ErrRejected) {
			t.Fatalf("dry run with rejected rows: err %v, want ErrRejected", err)
		}
		if diff := cmp.Diff(before, counts(t, h)); diff != "" {
			t.Errorf("a dry run changed the database (-before +after):\n%s", diff)
		}
		testutil.Golden(t, "cmms-export-de.dry-run.txt", []byte(reportText(t, rep)))
		js, _ := json.MarshalIndent(rep, "", "  ")
		testutil.Golden(t, "cmms-export-de.dry-run.json", append(js, '\n'))
	})
}

func TestImportAppliesAllOrNothing(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		h := newHospital(t, st, "apply")
		data := fixture(t, "cmms-export-de.csv")
		before := counts(t, h)

		// Rejected rows and no permission to skip them: nothing is written.
		rep, err := Import(h.ctx, h.sc, data, Options{FileName: "cmms-export-de.csv", Today: today})
		if !errors.Is(err, ErrRejected) || rep.Applied || rep.Rejected != 8 {
			t.Fatalf("import with rejections: err %v, applied %v, rejected %d", err, rep.Applied, rep.Rejected)
		}
		if !strings.Contains(domain.ErrorMessage(err), "8 of 29 rows were rejected, so nothing was imported") {
			t.Errorf("message: %s", domain.ErrorMessage(err))
		}
		if diff := cmp.Diff(before, counts(t, h)); diff != "" {
			t.Fatalf("a refused import changed the database:\n%s", diff)
		}

		// Skipping them imports the others, in one go.
		rep, err = Import(h.ctx, h.sc, data, Options{FileName: "cmms-export-de.csv", Today: today, SkipRejected: true})
		if err != nil || !rep.Applied {
			t.Fatalf("import: %v", err)
		}
		after := counts(t, h)
		want := map[string]int{"manufacturers": 9, "products": 15, "product_versions": 16, "sites": 3, "locations": 14, "departments": 8,
			"assets": 21, "audit_events": before["audit_events"] + 9 + 15 + 16 + 3 + 14 + 8 + 1, "inventory_imports": 1}
		if diff := cmp.Diff(want, after); diff != "" {
			t.Errorf("after the import (-want +got):\n%s", diff)
		}
		a, err := h.sc.AssetByTag(h.ctx, "MT-100001")
		if err != nil {
			t.Fatal(err)
		}
		got := []any{a.Ref.Manufacturer, a.Ref.Product, a.Ref.Version, a.Ref.Category, a.Ref.Site, a.Ref.Location, a.Ref.Department,
			a.Ref.Zone, a.IP, a.MAC, a.Criticality, a.PatientData, a.PurchaseDate.String(), a.ReplacementCost, a.Status, a.Notes}
		wantA := []any{"B. Braun", "Infusomat Space", "U61", "infusion-pump", "Hauptcampus", "Haus C · Ebene 2 · C2.114", "Intensivstation",
			"Infusion pumps", "10.11.2.21", "00:1b:44:11:3a:b7", domain.CritLifeSustaining, false, "2021-05-03", domain.Euros(2900), domain.StatusInUse, "Bettplatz 4"}
		if diff := cmp.Diff(wantA, got); diff != "" {
			t.Errorf("MT-100001 (-want +got):\n%s", diff)
		}
		for tag, check := range map[string]func(domain.Asset) bool{
			"MT-100011": func(a domain.Asset) bool { return a.PurchaseDate == domain.NewDate(2021, 3, 16) },              // Excel serial
			"MT-100016": func(a domain.Asset) bool { return a.Ref.Zone == "Office LAN" },                                 // zone from the IP
			"MT-100026": func(a domain.Asset) bool { return a.Ref.Manufacturer == "B. Braun" && a.Ref.Version == "U61" }, // matched case-insensitively
			"MT-100027": func(a domain.Asset) bool { return a.Status == domain.StatusRetired && a.Ref.Site == "Rehazentrum" },
			"MT-100023": func(a domain.Asset) bool { return a.Ref.Category == "other" && a.Ref.Version == "" },
		} {
			a, err := h.sc.AssetByTag(h.ctx, tag)
			if err != nil || !check(a) {
				t.Errorf("%s: %+v %+v %v", tag, a, a.Ref, err)
			}
		}
		page, _ := h.sc.Assets(h.ctx, domain.AssetFilter{ListParams: domain.ListParams{Q: "ANBR01234"}})
		if page.Total != 1 || page.Items[0].Criticality != domain.CritLifeSustaining || page.Items[0].Ref.Department != "Zentral-OP" {
			t.Errorf("serial-only row: %+v", page)
		}
		dept, _ := h.sc.Departments(h.ctx)
		if dept[0].Name != "Intensivstation" || dept[0].Code != "4110" {
			t.Errorf("first department %+v", dept[0])
		}
		ev, _ := h.sc.AuditEvents(h.ctx, domain.AuditFilter{Action: "inventory.import"})
		if ev.Total != 1 || ev.Items[0].Summary != "imported cmms-export-de.csv: 21 devices added, 0 changed, 0 unchanged, 8 rows rejected" ||
			!strings.Contains(string(ev.Items[0].Data), rep.SHA256) {
			t.Errorf("audit: %+v", ev.Items)
		}
		imps, _ := h.sc.InventoryImports(h.ctx, 10)
		if len(imps) != 1 || imps[0].Created != 21 || imps[0].Actor != "test" || imps[0].ID != rep.ImportID {
			t.Errorf("history: %+v", imps)
		}

		// The same file again changes nothing but records the import.
		rep, err = Import(h.ctx, h.sc, data, Options{FileName: "cmms-export-de.csv", Today: today, SkipRejected: true})
		if err != nil || rep.Created != 0 || rep.Updated != 0 || rep.Unchanged != 21 {
			t.Fatalf("second import: %v %s", err, rep.Summary())
		}
		again := counts(t, h)
		after["audit_events"]++
		after["inventory_imports"]++
		if diff := cmp.Diff(after, again); diff != "" {
			t.Errorf("re-import changed more than its record (-want +got):\n%s", diff)
		}
	})
}

func TestImportFailureRollsBackEverything(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		h := newHospital(t, st, "rollback")
		before := counts(t, h)
		boom := errors.New("disk full")
		rep, err := Import(h.ctx, h.sc, fixture(t, "cmms-export-de.csv"), Options{Today: today, SkipRejected: true,
			beforeCommit: func() error { return boom }})
		if !errors.Is(err, boom) || rep.Applied || rep.ImportID != 0 {
			t.Fatalf("err %v, applied %v", err, rep.Applied)
		}
		if rep.Created != 21 {
			t.Errorf("the plan was %d creates", rep.Created)
		}
		if diff := cmp.Diff(before, counts(t, h)); diff != "" {
			t.Errorf("a failed import left data behind (-before +after):\n%s", diff)
		}
	})
}

func TestImportRejectionKinds(t *testing.T) {
	st := testutil.MustOpenStore(t)
	h := newHospital(t, st, "kinds")
	// Two sites, and two untagged devices that share a serial number (a bad earlier import).
	seed := "Inventarnummer;Hersteller;Typ;Seriennummer;Liegenschaft;Kritikalität\n" +
		"A-1;Philips;IntelliVue MX450;DUP-1;Hauptcampus;kritisch\nA-2;Philips;IntelliVue MX450;SOLO;Kinderklinik;kritisch\n"
	if _, err := Import(h.ctx, h.sc, []byte(seed), Options{Today: today}); err != nil {
		t.Fatal(err)
	}
	err := h.sc.Write(h.ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(h.ctx, "UPDATE assets SET asset_tag = '', serial = 'DUP-1' WHERE org_id = ?", h.org.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	const head = "Inventarnummer;Hersteller;Typ;Softwareversion;Seriennummer;Liegenschaft;Raum;Netzwerkzone;IP-Adresse;MAC-Adresse;Hostname;" +
		"Kritikalität;Patientendaten;Anschaffungsdatum;Wiederbeschaffungswert;Status;Risikoklasse;UDI-DI\n"
	const ok = "T-1;B. Braun;Infusomat Space;U61;SN-1;Hauptcampus;C2.114;;10.11.0.1;00:1b:44:11:3a:b7;pump-1;lebenserhaltend;nein;01.01.2020;2900;in Betrieb;IIb;04046964991233"
	cell := func(i int, v string) string {
		f := strings.Split(ok, ";")
		f[i] = v
		return strings.Join(f, ";")
	}
	tests := []struct {
		name, row, want string
	}{
		{"valid row", ok, ""},
		{"ip", cell(8, "10.0.300.1"), "row 2, column IP-Adresse (I): 10.0.300.1 is not an IP address"},
		{"mac", cell(9, "00:1b:44:11:3a"), "row 2, column MAC-Adresse (J): 00:1b:44:11:3a is not a MAC address"},
		{"hostname", cell(10, "pump 1"), "row 2, column Hostname (K): pump 1 is not a host name"},
		{"criticality", cell(11, "egal"), "row 2, column Kritikalität (L): egal is not a criticality"},
		{"patient data", cell(12, "vielleicht"), "row 2, column Patientendaten (M): vielleicht is not yes or no"},
		{"date", cell(13, "31.02.2020"), "row 2, column Anschaffungsdatum (N): 31.02.2020 is not a date"},
		{"future date", cell(13, "01.01.2030"), "row 2, column Anschaffungsdatum (N): 2030-01-01 lies in the future"},
		{"amount", cell(14, "viel"), "row 2, column Wiederbeschaffungswert (O): viel is not an amount of euros"},
		{"status", cell(15, "verloren"), "row 2, column Status (P): verloren is not a status"},
		{"class", cell(16, "IV"), "row 2, column Risikoklasse (Q): IV is not an MDR/IVDR class"},
		{"udi", cell(17, "04046964991230"), "row 2, column UDI-DI (R): 04046964991230 is not a valid GS1 GTIN: the check digit should be 3"},
		{"long tag", cell(0, strings.Repeat("T", 65)), "row 2, column Inventarnummer (A): is longer than 64 characters"},
		{"unknown zone", cell(7, "Gäste-WLAN"), "row 2, column Netzwerkzone (H): there is no network zone Gäste-WLAN"},
		{"zone by vlan", cell(7, "VLAN 110"), ""},
		{"no manufacturer", cell(1, ""), "row 2, column Hersteller (B): a new device needs its manufacturer"},
		{"no model", cell(2, ""), "row 2, column Typ (C): the model is missing"},
		{"no key", cell(4, "")[len("T-1"):], "row 2: neither an asset tag nor a serial number"},
		{"duplicate tag", ok + "\n" + cell(4, "SN-2"), "row 3, column Inventarnummer (A): asset tag T-1 appears already in row 2"},
		{"ambiguous serial", ";;;;DUP-1;Hauptcampus;;;;;;;;;;;;", "row 2, column Seriennummer (E): serial number DUP-1 matches 2 devices"},
		{"several sites, no site", cell(5, ""), "row 2, column Raum (G): the organisation has several sites and the row names none"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := Import(h.ctx, h.sc, []byte(head+tc.row+"\n"), Options{Today: today, DryRun: true})
			if tc.want == "" {
				if err != nil || rep.Rejected != 0 {
					t.Fatalf("err %v, rejections %v", err, rep.Rejections)
				}
				return
			}
			if !errors.Is(err, ErrRejected) || len(rep.Rejections) == 0 || !strings.HasPrefix(rep.Rejections[0].String(), tc.want) {
				t.Errorf("got %v; want %q", rep.Rejections, tc.want)
			}
		})
	}
}

func TestEnglishRegister(t *testing.T) {
	st := testutil.MustOpenStore(t)
	h := newHospital(t, st, "english")
	rep, err := Import(h.ctx, h.sc, fixture(t, "asset-register-en.csv"), Options{FileName: "asset-register-en.csv", Today: today, SkipRejected: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.HeaderRow != 4 || rep.Created != 8 || rep.Rejected != 2 {
		t.Fatalf("header row %d; %s", rep.HeaderRow, rep.Summary())
	}
	var rej []string
	for _, p := range rep.Rejections {
		rej = append(rej, p.String())
	}
	want := []string{
		"row 13, column Network Zone (N): there is no network zone Guest WiFi (name or VLAN); create it under Network zones first",
		"row 14, column IP Address (O): fe80::1%eth0 is not an IP address",
		"row 14, column Host Name (Q): pump 10 is not a host name (only letters, digits, - and _)",
		"row 14, column Stores Patient Data (T): maybe is not yes or no",
		"row 14, column Status (W): lost is not a status (in use, spare, maintenance, retired)",
	}
	if diff := cmp.Diff(want, rej); diff != "" {
		t.Errorf("rejections (-want +got):\n%s", diff)
	}
	check := map[string]string{}
	for _, tag := range []string{"NUH-200001", "NUH-200002", "NUH-200003", "NUH-200004", "NUH-200005", "NUH-200006"} {
		a, err := h.sc.AssetByTag(h.ctx, tag)
		if err != nil {
			t.Fatal(err)
		}
		check[tag] = strings.Join([]string{a.Ref.Manufacturer, a.Ref.Zone, a.PurchaseDate.String(), a.ReplacementCost.String(), a.Ref.Department}, "|")
	}
	wantC := map[string]string{
		"NUH-200001": "Baxter|Infusion pumps|2020-02-17|3150.00|Paediatric ICU",
		"NUH-200002": "Baxter|Infusion pumps|2021-03-15|3150.00|Paediatric ICU",
		"NUH-200003": "Becton, Dickinson and Company (BD)|Infusion pumps|2016-06-01|6800.00|Paediatric ICU",
		"NUH-200004": "Spacelabs|Clinical LAN|2014-09-30|12400.00|Cardiology",
		"NUH-200005": "Natus|Office LAN|2012-01-20|29000.00|Neurology",
		"NUH-200006": "ZOLL|Not networked|2019-05-05|18500.00|Emergency Department",
	}
	if diff := cmp.Diff(wantC, check); diff != "" {
		t.Errorf("devices (-want +got):\n%s", diff)
	}
}

func TestXLSXImportsLikeCSV(t *testing.T) {
	st := testutil.MustOpenStore(t)
	h := newHospital(t, st, "xlsx")
	csvRep, _ := Import(h.ctx, h.sc, fixture(t, "cmms-export-de.csv"), Options{DryRun: true, Today: today})
	xRep, err := Import(h.ctx, h.sc, germanXLSX(t), Options{DryRun: true, Today: today})
	if !errors.Is(err, ErrRejected) {
		t.Fatal(err)
	}
	if xRep.Format != "xlsx" || xRep.Sheet != "Geräte" || xRep.HeaderRow != 3 {
		t.Errorf("xlsx report: %s sheet %q header row %d", xRep.Format, xRep.Sheet, xRep.HeaderRow)
	}
	// The workbook has its header two rows lower; otherwise the plans are the same.
	for i := range xRep.Changes {
		xRep.Changes[i].Row -= 2
	}
	for _, ps := range [][]Problem{xRep.Rejections, xRep.Warnings} {
		for i := range ps {
			ps[i].Row -= 2
			ps[i].Message = strings.Replace(ps[i].Message, "appears already in row 6", "appears already in row 4", 1)
		}
	}
	opts := cmpopts.IgnoreFields(Report{}, "File", "SHA256", "Format", "Encoding", "Delimiter", "Sheet", "HeaderRow")
	if diff := cmp.Diff(csvRep, xRep, opts, cmpopts.IgnoreUnexported(Problem{})); diff != "" {
		t.Errorf("CSV and XLSX plans differ (-csv +xlsx):\n%s", diff)
	}
}

// TestDocsListEveryColumnName keeps the import reference in docs/inventory.md complete.
func TestDocsListEveryColumnName(t *testing.T) {
	doc, err := os.ReadFile("../../docs/inventory.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range Fields {
		if !strings.Contains(string(doc), "`"+string(f.Field)+"` | "+strings.Join(f.Names, ", ")+" |") {
			t.Errorf("docs/inventory.md does not list the column names of %s as the code recognises them", f.Field)
		}
	}
}
