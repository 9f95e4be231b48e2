package deadline

import (
	"encoding/json"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/google/go-cmp/cmp"
)

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func ts(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func ptr(t time.Time) *time.Time { return &t }

// brief is the part of a Deadline the table tests compare.
type brief struct {
	ID       string
	Due      string
	LegalEnd string
	Pending  bool
}

func summarise(ds []Deadline) []brief {
	out := make([]brief, len(ds))
	for i, d := range ds {
		b := brief{ID: d.ID, Pending: d.Pending}
		if d.Due != nil {
			b.Due = d.Due.Format(time.RFC3339)
		}
		if d.LegalEnd != nil {
			b.LegalEnd = d.LegalEnd.Format(time.RFC3339)
		}
		out[i] = b
	}
	return out
}

var deCalendar = &Calendar{
	Name:          "DE nationwide",
	Fixed:         []string{"01-01", "05-01", "10-03", "12-25", "12-26"},
	EasterOffsets: []int{-2, 1, 39, 50},
}

func TestComputeTable(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	tests := []struct {
		name string
		in   Input
		want []brief
	}{
		{
			name: "NIS2 and GDPR across the spring DST change in Berlin",
			in: Input{
				Aware:    ts(t, "2026-03-28T23:30:00+01:00"),
				Location: berlin,
				Regimes:  []Regime{NIS2, GDPR},
			},
			want: []brief{
				// 24 real hours: 22:30Z + 24h; the local clock then reads 00:30 CEST on 30 March.
				{ID: "nis2.23.ew", Due: "2026-03-29T22:30:00Z", LegalEnd: "2026-03-29T23:00:00Z"},
				{ID: "gdpr.33.sa", Due: "2026-03-31T22:30:00Z", LegalEnd: "2026-03-31T23:00:00Z"},
				{ID: "nis2.23.notif", Due: "2026-03-31T22:30:00Z", LegalEnd: "2026-03-31T23:00:00Z"},
				{ID: "nis2.23.final", Pending: true},
			},
		},
		{
			name: "NIS2 final report once notified; month ends on 28 February (2026 not a leap year)",
			in: Input{
				Aware:    ts(t, "2026-01-30T08:00:00+01:00"),
				Notified: ptr(ts(t, "2026-01-31T10:00:00+01:00")),
				Location: berlin,
				Regimes:  []Regime{NIS2},
			},
			want: []brief{
				{ID: "nis2.23.ew", Due: "2026-01-31T07:00:00Z", LegalEnd: "2026-01-31T08:00:00Z"},
				{ID: "nis2.23.notif", Due: "2026-02-02T07:00:00Z", LegalEnd: "2026-02-02T08:00:00Z"},
				// 28 Feb 2026 is a Saturday: Art 3(4) moves the legal end to Monday 2 March, 24:00 CET.
				{ID: "nis2.23.final", Due: "2026-02-28T09:00:00Z", LegalEnd: "2026-03-02T23:00:00Z"},
			},
		},
		{
			name: "month end in a leap year: 31 January 2028 + 1 month = 29 February",
			in: Input{
				Aware:    ts(t, "2028-01-30T08:00:00+01:00"),
				Notified: ptr(ts(t, "2028-01-31T10:00:00+01:00")),
				Location: berlin,
				Regimes:  []Regime{CRAIncident},
			},
			want: []brief{
				{ID: "cra.14.i.ew", Due: "2028-01-31T07:00:00Z", LegalEnd: "2028-01-31T08:00:00Z"},
				{ID: "cra.14.i.notif", Due: "2028-02-02T07:00:00Z", LegalEnd: "2028-02-02T08:00:00Z"},
				// 29 Feb 2028 is a Tuesday.
				{ID: "cra.14.i.final", Due: "2028-02-29T09:00:00Z", LegalEnd: "2028-02-29T23:00:00Z"},
			},
		},
		{
			name: "month period across the DST change keeps the local clock",
			in: Input{
				Aware:    ts(t, "2026-03-14T10:00:00+01:00"),
				Notified: ptr(ts(t, "2026-03-16T10:00:00+01:00")),
				Location: berlin,
				Regimes:  []Regime{CRAIncident},
			},
			want: []brief{
				{ID: "cra.14.i.ew", Due: "2026-03-15T09:00:00Z", LegalEnd: "2026-03-15T10:00:00Z"},
				{ID: "cra.14.i.notif", Due: "2026-03-17T09:00:00Z", LegalEnd: "2026-03-17T10:00:00Z"},
				{ID: "cra.14.i.final", Due: "2026-04-16T08:00:00Z", LegalEnd: "2026-04-16T22:00:00Z"},
			},
		},
		{
			name: "MDR 2 days over a weekend and the DST change: Art 3(5) needs two working days",
			in: Input{
				Aware:    ts(t, "2026-03-28T23:30:00+01:00"), // Saturday
				Location: berlin,
				Regimes:  []Regime{MDRPublicHealth},
			},
			want: []brief{
				// 30 March 23:30 CEST. Legal: days 29 (Sun), 30 (Mon) hold one working day, so Tuesday 31 ends it.
				{ID: "mdr.87.pht", Due: "2026-03-30T21:30:00Z", LegalEnd: "2026-03-31T22:00:00Z"},
			},
		},
		{
			name: "MDR 2 days landing in the skipped hour: due at the change",
			in: Input{
				Aware:    ts(t, "2026-03-27T02:30:00+01:00"), // Friday
				Location: berlin,
				Regimes:  []Regime{MDRPublicHealth},
			},
			want: []brief{
				// 29 March 02:30 does not exist; clocks jump at 01:00Z. Legal: Sat 28, Sun 29 -> Mon 30 (3(4)),
				// still one working day -> Tue 31 (3(5)).
				{ID: "mdr.87.pht", Due: "2026-03-29T01:00:00Z", LegalEnd: "2026-03-31T22:00:00Z"},
			},
		},
		{
			name: "MDR 2 days landing in the repeated hour: first occurrence",
			in: Input{
				Aware:    ts(t, "2026-10-23T02:30:00+02:00"), // Friday
				Location: berlin,
				Regimes:  []Regime{MDRPublicHealth},
			},
			want: []brief{
				// 25 Oct 02:30 occurs at 00:30Z (CEST) and 01:30Z (CET): the first is due. Legal: Sat 24, Sun 25
				// -> Mon 26 (3(4)), one working day -> Tue 27 (3(5)), ending at 24:00 CET.
				{ID: "mdr.87.pht", Due: "2026-10-25T00:30:00Z", LegalEnd: "2026-10-27T23:00:00Z"},
			},
		},
		{
			name: "MDR 15 days ending on Easter Saturday with the German holiday calendar",
			in: Input{
				Aware:    ts(t, "2026-03-20T09:00:00+01:00"), // Friday
				Location: berlin,
				Regimes:  []Regime{MDRStandard},
				National: &National{Country: "DE", Holidays: deCalendar},
			},
			want: []brief{
				// 4 April (Sat) -> Sun 5 (Easter) -> Mon 6 (Easter Monday) -> Tue 7 April.
				{ID: "mdr.87.std", Due: "2026-04-04T07:00:00Z", LegalEnd: "2026-04-07T22:00:00Z"},
			},
		},
		{
			name: "same without a holiday calendar ends on Easter Monday",
			in: Input{
				Aware:    ts(t, "2026-03-20T09:00:00+01:00"),
				Location: berlin,
				Regimes:  []Regime{MDRStandard},
			},
			want: []brief{{ID: "mdr.87.std", Due: "2026-04-04T07:00:00Z", LegalEnd: "2026-04-06T22:00:00Z"}},
		},
		{
			name: "MDR death 10 days; all three MDR regimes sorted by urgency",
			in: Input{
				Aware:    ts(t, "2026-06-10T15:00:00+02:00"), // Wednesday
				Location: berlin,
				Regimes:  []Regime{MDRStandard, MDRDeath, MDRPublicHealth},
			},
			want: []brief{
				{ID: "mdr.87.pht", Due: "2026-06-12T13:00:00Z", LegalEnd: "2026-06-12T22:00:00Z"},
				// 20 June is a Saturday -> Monday 22 June.
				{ID: "mdr.87.death", Due: "2026-06-20T13:00:00Z", LegalEnd: "2026-06-22T22:00:00Z"},
				// 25 June is a Thursday.
				{ID: "mdr.87.std", Due: "2026-06-25T13:00:00Z", LegalEnd: "2026-06-25T22:00:00Z"},
			},
		},
		{
			name: "CRA vulnerability: final report pending until a fix exists",
			in: Input{
				Aware:    ts(t, "2026-09-30T12:00:00+02:00"),
				Location: berlin,
				Regimes:  []Regime{CRAVuln},
			},
			want: []brief{
				{ID: "cra.14.v.ew", Due: "2026-10-01T10:00:00Z", LegalEnd: "2026-10-01T11:00:00Z"},
				{ID: "cra.14.v.notif", Due: "2026-10-03T10:00:00Z", LegalEnd: "2026-10-03T11:00:00Z"},
				{ID: "cra.14.v.final", Pending: true},
			},
		},
		{
			name: "CRA vulnerability: 14 days after the fix",
			in: Input{
				Aware:        ts(t, "2026-09-30T12:00:00+02:00"),
				FixAvailable: ptr(ts(t, "2026-10-01T12:00:00+02:00")),
				Location:     berlin,
				Regimes:      []Regime{CRAVuln},
			},
			want: []brief{
				{ID: "cra.14.v.ew", Due: "2026-10-01T10:00:00Z", LegalEnd: "2026-10-01T11:00:00Z"},
				{ID: "cra.14.v.notif", Due: "2026-10-03T10:00:00Z", LegalEnd: "2026-10-03T11:00:00Z"},
				{ID: "cra.14.v.final", Due: "2026-10-15T10:00:00Z", LegalEnd: "2026-10-15T22:00:00Z"},
			},
		},
		{
			name: "hospital side of MDR: no fixed EU period",
			in: Input{
				Aware:   ts(t, "2026-06-10T15:00:00+02:00"),
				Regimes: []Regime{MDRUser},
			},
			want: []brief{{ID: "hcp.report"}, {ID: "op.notify.mfr"}},
		},
		{
			name: "nil location counts in UTC",
			in: Input{
				Aware:   ts(t, "2026-01-01T00:00:00Z"),
				Regimes: []Regime{MDRPublicHealth},
			},
			want: []brief{
				// 1 Jan 2026 Thursday; days 2 (Fri), 3 (Sat) -> Mon 5 (3(4)); Fri+Mon = 2 working days.
				{ID: "mdr.87.pht", Due: "2026-01-03T00:00:00Z", LegalEnd: "2026-01-06T00:00:00Z"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.in.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			got := summarise(Compute(tt.in))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Compute (-want +got):\n%s", diff)
			}
		})
	}
}

func TestComputeFields(t *testing.T) {
	got := Compute(Input{
		Aware:    ts(t, "2026-03-28T23:30:00+01:00"),
		Location: mustLoc(t, "Europe/Berlin"),
		Regimes:  []Regime{NIS2},
		National: &National{
			Country:    "DE",
			Recipients: map[string]string{"nis2.23.ew": "BSI/BBK joint reporting office"},
			Basis:      map[string]string{"nis2.23.ew": "§ 32(1) Nr. 1 BSIG"},
			Periods:    map[string]Period{"nis2.23.notif": {Hours: 48}},
		},
	})
	if len(got) != 3 {
		t.Fatalf("got %d deadlines, want 3", len(got))
	}
	ew := got[0]
	if ew.ID != "nis2.23.ew" || ew.Recipient != "BSI/BBK joint reporting office" || ew.Basis != "NIS2 Art 23(1), 23(4)(a); § 32(1) Nr. 1 BSIG" {
		t.Errorf("overlay not applied to early warning: %+v", ew)
	}
	if ew.Period != "24 hours" || ew.StartsWith != EventAwareness || ew.Pending {
		t.Errorf("early warning period/start: %+v", ew)
	}
	notif := got[1]
	if notif.ID != "nis2.23.notif" || notif.Due.Format(time.RFC3339) != "2026-03-30T22:30:00Z" || notif.Period != "48 hours" {
		t.Errorf("stricter national period not applied: %+v", notif)
	}
	final := got[2]
	if !final.Pending || final.Due != nil || final.StartsWith != EventNotification {
		t.Errorf("final report should be pending on the notification: %+v", final)
	}
	b, err := json.Marshal(got[0])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "due", "recipient", "basis", "legal_end", "starts_with", "regime", "title"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, b)
		}
	}
	if m["due"] != "2026-03-29T22:30:00Z" {
		t.Errorf("due not RFC 3339 UTC: %v", m["due"])
	}
	b, _ = json.Marshal(final)
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m["due"] != nil {
		t.Errorf("pending deadline should marshal due as null: %s", b)
	}
}

func TestEaster(t *testing.T) {
	for _, tt := range []struct {
		year int
		want string
	}{
		{2000, "04-23"}, {2024, "03-31"}, {2025, "04-20"}, {2026, "04-05"}, {2027, "03-28"}, {2038, "04-25"}, {2285, "03-22"},
	} {
		m, d := Easter(tt.year)
		if got := time.Date(tt.year, m, d, 0, 0, 0, 0, time.UTC).Format("01-02"); got != tt.want {
			t.Errorf("Easter(%d) = %s, want %s", tt.year, got, tt.want)
		}
	}
}

func TestValidate(t *testing.T) {
	aware := ts(t, "2026-01-01T00:00:00Z")
	early := ts(t, "2025-12-31T00:00:00Z")
	for _, tt := range []struct {
		name string
		in   Input
		ok   bool
	}{
		{"ok", Input{Aware: aware, Regimes: []Regime{NIS2}}, true},
		{"no aware", Input{Regimes: []Regime{NIS2}}, false},
		{"notified before aware", Input{Aware: aware, Notified: &early, Regimes: []Regime{NIS2}}, false},
		{"unknown regime", Input{Aware: aware, Regimes: []Regime{"dora"}}, false},
		{"twice", Input{Aware: aware, Regimes: []Regime{GDPR, GDPR}}, false},
		{"fix before aware is fine", Input{Aware: aware, FixAvailable: &early, Regimes: []Regime{CRAVuln}}, true},
	} {
		if err := tt.in.Validate(); (err == nil) != tt.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

func TestParseRegime(t *testing.T) {
	for _, r := range AllRegimes {
		got, err := ParseRegime(" " + string(r) + " ")
		if err != nil || got != r {
			t.Errorf("ParseRegime(%q) = %q, %v", r, got, err)
		}
	}
	if _, err := ParseRegime("mdr"); err == nil {
		t.Error("ParseRegime(mdr) should fail")
	}
}

func TestRulesData(t *testing.T) {
	want := []string{"nis2.23.ew", "nis2.23.notif", "nis2.23.final", "gdpr.33.sa", "mdr.87.std", "mdr.87.pht", "mdr.87.death",
		"cra.14.v.ew", "cra.14.v.notif", "cra.14.v.final", "cra.14.i.ew", "cra.14.i.notif", "cra.14.i.final"}
	for _, id := range want {
		if _, ok := RuleByID(id); !ok {
			t.Errorf("rule %s missing", id)
		}
	}
	if _, err := parseRules([]byte("version: x\nrules:\n  - id: a\n    regime: nis2\n    period: {hours: 1, days: 1}\n")); err == nil {
		t.Error("two periods should be rejected")
	}
	if _, err := parseRules([]byte("version: x\nrules: []\nextra: 1\n")); err == nil {
		t.Error("unknown field should be rejected")
	}
}
