package regulation

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func verdicts(ls []LawApplicability) map[string]string {
	m := map[string]string{}
	for _, l := range ls {
		m[l.Law] = string(l.Applies) + ":" + strings.Join(l.Roles, "+")
	}
	return m
}

func dutyIDs(l LawApplicability) []string {
	var ids []string
	for _, d := range l.Duties {
		ids = append(ids, d.ID)
	}
	return ids
}

func TestAssessHospital(t *testing.T) {
	de, _ := OverlayFor("DE")
	org := OrgProfile{
		Scope:        ScopeInput{EntityType: HealthcareProvider, MemberState: "DE", Employees: 2400, TurnoverEUR: 310_000_000, BalanceSheetEUR: 280_000_000},
		PersonalData: true, HealthData: true, LargeScaleHealthData: true,
	}
	products := []Product{
		{ID: "pump", Name: "Infusion pump", MedicalDevice: true, MDRClass: "IIb", DigitalElements: true, DataConnection: true, PersonalData: true, HealthData: true,
			MDS2: map[string]string{"CSUP-1": "yes", "CSUP-2": "yes", "CSUP-2.2": "yes", "RMOT-1": "yes", "RMOT-1.1": "yes", "RMOT-1.3": "yes"}},
		{ID: "nurse-call", Name: "Nurse call server", DigitalElements: true, DataConnection: true},
		{ID: "ehr", Name: "Hospital EHR", DigitalElements: true, DataConnection: true, EHRSystem: true, PersonalData: true, HealthData: true},
		{ID: "badge", Name: "Door badge reader", DigitalElements: true},
	}
	got := Assess(org, products, &de, time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC))
	if got.Scope.Category != Essential || got.Scope.NationalLabel == "" || got.Country != "DE" {
		t.Errorf("scope: %+v", got.Scope)
	}
	if diff := cmp.Diff(map[string]string{"nis2": "yes:entity+essential", "gdpr": "yes:controller+health-data+large-scale-health"}, verdicts(got.Organisation)); diff != "" {
		t.Errorf("organisation (-want +got):\n%s", diff)
	}
	nis2 := got.Organisation[0]
	if !strings.Contains(nis2.Authorities[0].Name, "BSI") || !strings.HasPrefix(nis2.Authorities[0].Portal, "BSI-Portal") {
		t.Errorf("NIS2 authorities with overlay: %+v", nis2.Authorities)
	}
	if !slices.Contains(dutyIDs(nis2), "nis2.32") || slices.Contains(dutyIDs(nis2), "nis2.33") {
		t.Errorf("essential entity duties: %v", dutyIDs(nis2))
	}
	want := map[string]map[string]string{
		"pump":       {"mdr": "yes:user", "ivdr": "no:", "cra": "no:", "ehds": "no:", "gdpr": "yes:product"},
		"nurse-call": {"mdr": "no:", "ivdr": "no:", "cra": "yes:user", "ehds": "no:", "gdpr": "no:"},
		"ehr":        {"mdr": "no:", "ivdr": "no:", "cra": "yes:user", "ehds": "yes:user", "gdpr": "yes:product"},
		"badge":      {"mdr": "no:", "ivdr": "no:", "cra": "uncertain:user", "ehds": "no:", "gdpr": "no:"},
	}
	for _, p := range got.Products {
		if diff := cmp.Diff(want[p.ProductID], verdicts(p.Laws)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", p.ProductID, diff)
		}
	}
	pump := got.Products[0]
	if pump.Responsibilities == nil || pump.Responsibilities.Rows[0].Decision != DecidedByAnswers {
		t.Fatalf("pump matrix: %+v", pump.Responsibilities)
	}
	if mdr := pump.Laws[0]; mdr.Authorities[0].Name != "Bundesinstitut für Arzneimittel und Medizinprodukte (BfArM)" {
		t.Errorf("MDR authority: %+v", mdr.Authorities)
	}
	if g := pump.Laws[4]; !strings.Contains(g.Reasons[len(g.Reasons)-1].Text, "processor") {
		t.Errorf("remote sessions with patient data should raise Art 28: %+v", g.Reasons)
	}
	if got.Products[1].Responsibilities != nil {
		t.Error("non-device got a matrix")
	}
	if _, err := json.Marshal(got); err != nil {
		t.Fatal(err)
	}
}

func TestAssessManufacturer(t *testing.T) {
	org := OrgProfile{Scope: ScopeInput{EntityType: MedicalDeviceManufacturer, MemberState: "IE", Employees: 120, TurnoverEUR: 25_000_000, BalanceSheetEUR: 20_000_000}, PersonalData: true}
	products := []Product{
		{ID: "monitor", Name: "Patient monitor", Own: true, MedicalDevice: true, MDRClass: "IIb", DigitalElements: true, DataConnection: true, ClaimsEHRInteroperability: true},
		{ID: "analyser", Name: "Lab analyser", Own: true, IVD: true, IVDRClass: "C", DigitalElements: true, DataConnection: true},
		{ID: "fleet", Name: "Fleet management portal", Own: true, DigitalElements: true, DataConnection: true, PlacedOnMarket: "2025-03-01"},
		{ID: "fleet2", Name: "Fleet portal v2", Own: true, DigitalElements: true, DataConnection: true, PlacedOnMarket: "2028-01-10"},
	}
	at := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	got := Assess(org, products, nil, at)
	if diff := cmp.Diff(map[string]string{"nis2": "yes:entity+important", "gdpr": "yes:controller"}, verdicts(got.Organisation)); diff != "" {
		t.Errorf("organisation (-want +got):\n%s", diff)
	}
	mon := got.Products[0]
	if diff := cmp.Diff(map[string]string{"mdr": "yes:manufacturer", "ivdr": "no:", "cra": "no:", "ehds": "yes:interoperability-claim", "gdpr": "no:"}, verdicts(mon.Laws)); diff != "" {
		t.Errorf("monitor (-want +got):\n%s", diff)
	}
	if ids := dutyIDs(mon.Laws[0]); !slices.Contains(ids, "mdr.86") || !slices.Contains(ids, "mdr.87") {
		t.Errorf("class IIb manufacturer duties: %v", ids)
	}
	if ids := dutyIDs(got.Products[1].Laws[1]); !slices.Contains(ids, "ivdr.81") {
		t.Errorf("class C IVD duties: %v", ids)
	}
	old := got.Products[2].Laws[2]
	if diff := cmp.Diff([]string{"cra.14"}, dutyIDs(old)); diff != "" {
		t.Errorf("product placed before Dec 2027 keeps only Art 14 (-want +got):\n%s", diff)
	}
	newer := got.Products[3].Laws[2]
	if len(newer.Duties) != 4 {
		t.Errorf("new product: all CRA manufacturer duties, got %v", dutyIDs(newer))
	}
	for _, d := range newer.Duties {
		if d.ID == "cra.13" && !d.NotYet {
			t.Error("cra.13 applies from 11 Dec 2027: not yet on 28 Nov 2026")
		}
		if d.ID == "cra.14" && d.NotYet {
			t.Error("cra.14 applies from 11 Sep 2026")
		}
	}
	passed := map[string]bool{}
	for _, k := range newer.Dates {
		passed[k.Date] = k.Passed
	}
	if diff := cmp.Diff(map[string]bool{"2024-12-10": true, "2026-06-11": true, "2026-09-11": true, "2027-12-11": false}, passed); diff != "" {
		t.Errorf("CRA dates passed (-want +got):\n%s", diff)
	}
}
