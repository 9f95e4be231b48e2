package regulation

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vigil-med/vigil/internal/regulation/deadline"
)

func TestOverlayDE(t *testing.T) {
	o, ok := OverlayFor("de")
	if !ok {
		t.Fatal("DE overlay missing")
	}
	res := ApplyOverlay(Scope(ScopeInput{EntityType: HealthcareProvider, MemberState: "DE", Employees: 400, TurnoverEUR: 45_000_000, BalanceSheetEUR: 30_000_000}), o)
	if res.Category != Essential || res.NationalLabel != "besonders wichtige Einrichtung (§ 28(1) BSIG)" || res.Country != "DE" {
		t.Errorf("DE overlay on a large clinic: %+v", res)
	}
	if !strings.Contains(res.NationalLaw, "NIS2UmsuCG") {
		t.Errorf("national law: %q", res.NationalLaw)
	}
	if last := res.Reasons[len(res.Reasons)-1]; last.Ref != "BSIG" {
		t.Errorf("last reason should cite the national law: %+v", last)
	}
	med := ApplyOverlay(Scope(ScopeInput{EntityType: HealthcareProvider, MemberState: "DE", Employees: 200, TurnoverEUR: 30_000_000, BalanceSheetEUR: 20_000_000}), o)
	if med.NationalLabel != "wichtige Einrichtung (§ 28(2) BSIG)" {
		t.Errorf("medium: label %q", med.NationalLabel)
	}
	small := ApplyOverlay(Scope(ScopeInput{EntityType: HealthcareProvider, MemberState: "DE", Employees: 20, TurnoverEUR: 3_000_000, BalanceSheetEUR: 2_000_000}), o)
	if small.NationalLabel != "" || len(small.ToCheck) != 2 || small.ToCheck[0].Ref != "§ 28(1) Nr. 1 BSIG" {
		t.Errorf("small: the KRITIS check must be added without a label: %+v", small)
	}
	if a, ok := o.Authority("nis2-registration-and-reporting"); !ok || !strings.HasPrefix(a.Name, "BSI-Portal") {
		t.Errorf("portal: %+v", a)
	}
	if a, ok := o.Authority("mdr-competent-authority"); !ok || !strings.Contains(a.Name, "BfArM") {
		t.Errorf("MDR authority: %+v", a)
	}

	// The overlay drives the deadlines: recipient, national basis and the German holiday calendar.
	berlin, _ := time.LoadLocation("Europe/Berlin")
	ds := deadline.Compute(deadline.Input{
		Aware:    time.Date(2026, 3, 20, 9, 0, 0, 0, berlin),
		Location: berlin,
		Regimes:  []deadline.Regime{deadline.NIS2, deadline.MDRStandard, deadline.MDRUser},
		National: o.Deadlines(),
	})
	byID := map[string]deadline.Deadline{}
	for _, d := range ds {
		byID[d.ID] = d
	}
	if d := byID["nis2.23.ew"]; !strings.Contains(d.Recipient, "BSI und BBK") || !strings.HasSuffix(d.Basis, "§ 32(1) Nr. 1 BSIG") {
		t.Errorf("nis2.23.ew with DE overlay: %+v", d)
	}
	if d := byID["mdr.87.std"]; d.LegalEnd == nil || d.LegalEnd.Format(time.RFC3339) != "2026-04-07T22:00:00Z" {
		t.Errorf("mdr.87.std legal end should skip Easter Monday: %+v", d)
	}
	if d := byID["hcp.report"]; !strings.Contains(d.Basis, "not encoded") || d.Recipient != "BfArM and the manufacturer" {
		t.Errorf("hcp.report note: %+v", d)
	}
}

func TestReadOverlay(t *testing.T) {
	const at = `
country: at
name: Austria (test)
version: "t1"
sources: ["test"]
national_law: {name: "Test law", short: "TL", status: U}
labels: {essential: "wesentliche Einrichtung", important: "wichtige Einrichtung"}
authorities:
  - {role: nis2-csirt, name: "Test CSIRT", status: U}
portals: []
deadlines:
  periods:
    nis2.23.notif: {hours: 48}
holidays: {name: "AT test", fixed: ["12-08"]}
`
	o, err := ReadOverlay("at.yaml", strings.NewReader(at))
	if err != nil {
		t.Fatal(err)
	}
	if o.Country != "AT" {
		t.Errorf("country not upper-cased: %q", o.Country)
	}
	res := ApplyOverlay(Scope(ScopeInput{EntityType: CloudProvider, MemberState: "AT", Employees: 100, TurnoverEUR: 20_000_000, BalanceSheetEUR: 10_000_000}), o)
	if res.NationalLabel != "wichtige Einrichtung" {
		t.Errorf("label: %q", res.NationalLabel)
	}
	ds := deadline.Compute(deadline.Input{Aware: time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC), Regimes: []deadline.Regime{deadline.NIS2}, National: o.Deadlines()})
	if ds[1].ID != "nis2.23.notif" || ds[1].Due.Sub(time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)) != 48*time.Hour {
		t.Errorf("stricter period: %+v", ds[1])
	}

	bad := []struct{ name, doc, want string }{
		{"unknown field", at + "colour: red\n", "colour"},
		{"unknown role", strings.Replace(at, "nis2-csirt", "police", 1), "role"},
		{"unknown deadline", strings.Replace(at, "nis2.23.notif", "nis2.99", 1), "nis2.99"},
		{"bad holiday", strings.Replace(at, `"12-08"`, `"8 Dec"`, 1), "MM-DD"},
		{"bad label", strings.Replace(at, "important:", "uncertain:", 1), "uncertain"},
	}
	for _, b := range bad {
		if _, err := ReadOverlay(b.name, strings.NewReader(b.doc)); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%s: err = %v, want mention of %q", b.name, err, b.want)
		}
	}
	big := strings.NewReader("# " + strings.Repeat("x", MaxOverlaySize))
	if _, err := ReadOverlay("big.yaml", big); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("oversized overlay: %v", err)
	}
}

func TestOverlaysList(t *testing.T) {
	var got []string
	for _, o := range Overlays() {
		got = append(got, o.Country)
	}
	if diff := cmp.Diff([]string{"DE"}, got); diff != "" {
		t.Errorf("Overlays (-want +got):\n%s", diff)
	}
}
