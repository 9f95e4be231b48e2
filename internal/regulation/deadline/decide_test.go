package deadline

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// verdicts reduces decisions to regime -> "applies" / "provisional" / "no" for table comparisons.
func verdicts(ds []Decision) map[Regime]string {
	m := map[Regime]string{}
	for _, d := range ds {
		switch {
		case d.Applies && d.Provisional:
			m[d.Regime] = "provisional"
		case d.Applies:
			m[d.Regime] = "applies"
		default:
			m[d.Regime] = "no"
		}
		if len(d.Reasons) == 0 {
			m[d.Regime] += " (no reason!)"
		}
	}
	return m
}

func TestDecide(t *testing.T) {
	none := map[Regime]string{NIS2: "no", GDPR: "no", MDRStandard: "no", MDRDeath: "no", MDRPublicHealth: "no", MDRUser: "no", CRAVuln: "no", CRAIncident: "no"}
	with := func(kv ...any) map[Regime]string {
		m := map[Regime]string{}
		for k, v := range none {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(Regime)] = kv[i+1].(string)
		}
		return m
	}
	tests := []struct {
		name string
		a    Answers
		want map[Regime]string
	}{
		{
			name: "ransomware at a hospital that is an important entity, patient data encrypted, infusion pump server hit",
			a: Answers{
				"nis2.entity": "important", "nis2.severe-disruption": "yes", "nis2.damage-to-others": "unknown",
				"gdpr.personal-data": "yes", "gdpr.controller": "yes", "gdpr.risk": "yes", "gdpr.high-risk": "yes",
				"mdr.device-involved": "yes", "mdr.seriousness": "other-serious", "mdr.manufacturer": "no",
				"cra.own-product": "no",
			},
			want: with(NIS2, "applies", GDPR, "applies", MDRUser, "applies"),
		},
		{
			name: "nothing answered: everything that can apply is provisional, CRA included",
			a:    Answers{},
			want: with(NIS2, "provisional", GDPR, "provisional", MDRStandard, "provisional", MDRUser, "provisional", CRAVuln, "provisional", CRAIncident, "provisional"),
		},
		{
			name: "not significant and no risk to people",
			a: Answers{
				"nis2.entity": "essential", "nis2.severe-disruption": "no", "nis2.damage-to-others": "no",
				"gdpr.personal-data": "yes", "gdpr.controller": "yes", "gdpr.risk": "no",
				"mdr.device-involved": "no", "cra.own-product": "no",
			},
			want: none,
		},
		{
			name: "processor does not notify the authority itself",
			a:    Answers{"nis2.entity": "no", "gdpr.personal-data": "yes", "gdpr.controller": "no", "gdpr.risk": "yes", "mdr.device-involved": "no", "cra.own-product": "no"},
			want: none,
		},
		{
			name: "manufacturer: death -> 10 days only",
			a:    Answers{"nis2.entity": "no", "gdpr.personal-data": "no", "mdr.device-involved": "yes", "mdr.seriousness": "death-or-serious-deterioration", "mdr.manufacturer": "yes", "cra.own-product": "no"},
			want: with(MDRDeath, "applies"),
		},
		{
			name: "manufacturer: public health threat -> 2 days only",
			a:    Answers{"nis2.entity": "no", "gdpr.personal-data": "no", "mdr.device-involved": "yes", "mdr.seriousness": "public-health-threat", "mdr.manufacturer": "yes", "cra.own-product": "no"},
			want: with(MDRPublicHealth, "applies"),
		},
		{
			name: "manufacturer: not serious -> trend reporting, no clock",
			a:    Answers{"nis2.entity": "no", "gdpr.personal-data": "no", "mdr.device-involved": "yes", "mdr.seriousness": "not-serious", "mdr.manufacturer": "yes", "cra.own-product": "no"},
			want: none,
		},
		{
			name: "manufacturer of a non-device product: exploited vulnerability and severe incident",
			a:    Answers{"nis2.entity": "important", "nis2.severe-disruption": "no", "nis2.damage-to-others": "no", "gdpr.personal-data": "no", "mdr.device-involved": "no", "cra.own-product": "yes", "cra.exploited-vulnerability": "yes", "cra.severe-incident": "yes"},
			want: with(CRAVuln, "applies", CRAIncident, "applies"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.a.Validate(); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, verdicts(Decide(tt.a))); diff != "" {
				t.Errorf("Decide (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecideCRADate(t *testing.T) {
	a := Answers{"cra.own-product": "yes", "cra.exploited-vulnerability": "yes", "cra.severe-incident": "yes"}
	before := DecideAt(a, time.Date(2026, 9, 10, 23, 0, 0, 0, time.UTC))
	after := DecideAt(a, time.Date(2026, 9, 11, 0, 0, 0, 0, time.UTC))
	if v := verdicts(before); v[CRAVuln] != "no" || v[CRAIncident] != "no" {
		t.Errorf("before 11 Sep 2026: %v", v)
	}
	if v := verdicts(after); v[CRAVuln] != "applies" || v[CRAIncident] != "applies" {
		t.Errorf("from 11 Sep 2026: %v", v)
	}
}

func TestDecideFeedsCompute(t *testing.T) {
	ds := Decide(Answers{"nis2.entity": "essential", "nis2.severe-disruption": "yes", "gdpr.personal-data": "no", "mdr.device-involved": "no", "cra.own-product": "no"})
	got := Applicable(ds)
	if diff := cmp.Diff([]Regime{NIS2}, got); diff != "" {
		t.Fatalf("Applicable (-want +got):\n%s", diff)
	}
	out := Compute(Input{Aware: time.Date(2026, 5, 4, 3, 0, 0, 0, time.UTC), Regimes: got})
	if len(out) != 3 || out[0].ID != "nis2.23.ew" {
		t.Errorf("Compute after Decide: %+v", out)
	}
	b, err := json.Marshal(ds[0])
	if err != nil {
		t.Fatal(err)
	}
	if want := `"regime":"nis2","applies":true`; !strings.Contains(string(b), want) {
		t.Errorf("JSON %s lacks %s", b, want)
	}
}

func TestAnswersValidate(t *testing.T) {
	if err := (Answers{"nis2.entity": "maybe"}).Validate(); err == nil {
		t.Error("bad answer accepted")
	}
	if err := (Answers{"nis2.colour": "yes"}).Validate(); err == nil {
		t.Error("unknown question accepted")
	}
	for _, q := range Questions().Questions {
		for _, ans := range q.Answers {
			if err := (Answers{q.ID: ans}).Validate(); err != nil {
				t.Errorf("%s=%s: %v", q.ID, ans, err)
			}
		}
	}
}

func TestReports(t *testing.T) {
	// Every clocked deadline of the brief has a template, and every regime has at least one.
	have := map[string]bool{}
	for _, tpl := range Reports().Templates {
		have[tpl.Deadline] = true
	}
	for _, id := range []string{"nis2.23.ew", "nis2.23.notif", "nis2.23.final", "gdpr.33.sa", "mdr.87.std", "hcp.report",
		"cra.14.v.ew", "cra.14.v.notif", "cra.14.v.final", "cra.14.i.ew", "cra.14.i.notif", "cra.14.i.final"} {
		if !have[id] {
			t.Errorf("no report template for %s", id)
		}
	}
	for _, r := range AllRegimes {
		if len(ReportsFor(r)) == 0 {
			t.Errorf("no template for regime %s", r)
		}
	}
	// GDPR Art 33(3) items (a)-(d) are all present and required.
	g, ok := ReportByID("gdpr.33")
	if !ok {
		t.Fatal("gdpr.33 missing")
	}
	refs := map[string]bool{}
	for _, f := range g.Fields {
		if f.Required {
			refs[f.Ref] = true
		}
	}
	for _, ref := range []string{"GDPR Art 33(3)(a)", "GDPR Art 33(3)(b)", "GDPR Art 33(3)(c)", "GDPR Art 33(3)(d)"} {
		if !refs[ref] {
			t.Errorf("gdpr.33 lacks a required field for %s", ref)
		}
	}
	if _, err := parseReports([]byte("version: x\ntemplates:\n  - id: a\n    deadline: d\n    regimes: [nis2]\n    title: t\n    basis: b\n    fields:\n      - {id: f, label: l, type: text}\n")); err == nil {
		t.Error("field without ref or basis accepted")
	}
}
