package deadline

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// TestComputeProperties checks invariants over a seeded sample of awareness times in zones with unusual
// clock changes (30-minute DST on Lord Howe, changes at midnight in Santiago, none in Kolkata).
func TestComputeProperties(t *testing.T) {
	zones := []string{"Europe/Berlin", "Europe/Dublin", "Europe/Lisbon", "Australia/Lord_Howe", "America/Santiago", "Asia/Kolkata", "UTC"}
	locs := make([]*time.Location, len(zones))
	for i, z := range zones {
		locs[i] = mustLoc(t, z)
	}
	rng := rand.New(rand.NewPCG(1182, 71))
	lo := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	hi := time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for i := 0; i < 20000; i++ {
		loc := locs[rng.IntN(len(locs))]
		aware := time.Unix(lo+rng.Int64N(hi-lo), int64(rng.IntN(1e9))).In(loc)
		notified := aware.Add(time.Duration(rng.Int64N(int64(96 * time.Hour))))
		fix := aware.Add(time.Duration(rng.Int64N(int64(60 * 24 * time.Hour))))
		in := Input{Aware: aware, Notified: &notified, FixAvailable: &fix, Location: loc, Regimes: AllRegimes}
		if i%3 == 0 {
			in.National = &National{Country: "DE", Holidays: deCalendar}
		}
		for _, d := range Compute(in) {
			r, _ := RuleByID(d.ID)
			start := aware
			switch r.StartsWith {
			case EventNotification:
				start = notified
			case EventFixAvailable:
				start = fix
			}
			if d.Due == nil {
				if !r.Period.None {
					t.Fatalf("%s %s: no due time for a fixed period", aware, d.ID)
				}
				continue
			}
			due := *d.Due
			if due.Before(aware) || due.Before(start) {
				t.Fatalf("%s in %s: %s due %s before its start %s", aware, loc, d.ID, due, start)
			}
			if due.Location() != time.UTC {
				t.Fatalf("%s: due not in UTC", d.ID)
			}
			if r.Period.Hours > 0 && due.Sub(start) != time.Duration(r.Period.Hours)*time.Hour {
				t.Fatalf("%s: hours period is %s, want exactly %d h", d.ID, due.Sub(start), r.Period.Hours)
			}
			if r.Period.Days > 0 || r.Period.Months > 0 {
				sw, dw := wallOf(start.In(loc)), wallOf(due.In(loc))
				adjusted := strings.Contains(d.Note, "clocks go")
				if !adjusted && (sw.h != dw.h || sw.mi != dw.mi || sw.s != dw.s || sw.nsec != dw.nsec) {
					t.Fatalf("%s %s in %s: local clock %v -> %v changed without a note", aware, d.ID, loc, sw, dw)
				}
				want := civilOf(start.In(loc))
				if r.Period.Days > 0 {
					want = want.addDays(r.Period.Days)
				} else {
					want = want.addMonths(r.Period.Months)
				}
				if got := civilOf(due.In(loc)); got != want && !adjusted {
					t.Fatalf("%s %s: due on %s, want %s", aware, d.ID, got, want)
				}
			}
			if d.LegalEnd == nil {
				t.Fatalf("%s: legal end equals due (%s); expected a later 1182/71 end", d.ID, due)
			}
			if !d.LegalEnd.After(due) {
				t.Fatalf("%s %s in %s: legal end %s not after due %s", aware, d.ID, loc, d.LegalEnd, due)
			}
			if r.Period.Hours > 0 {
				if gap := d.LegalEnd.Sub(due); gap <= 0 || gap > time.Hour {
					t.Fatalf("%s: legal end of an hours period %s after due, want (0, 1h]", d.ID, gap)
				}
			} else {
				le := d.LegalEnd.In(loc)
				if (le.Hour() != 0 || le.Minute() != 0) && !strings.Contains(zonesWithMidnightChanges, loc.String()) {
					t.Fatalf("%s: legal end %s is not a local midnight", d.ID, le)
				}
				if last := civilOf(le.Add(-time.Nanosecond)); !in.National.cal().IsWorkingDay(last.y, last.m, last.d) {
					t.Fatalf("%s: legal end after %s, which is not a working day", d.ID, last)
				}
			}
		}
	}
}

const zonesWithMidnightChanges = "America/Santiago"

func (n *National) cal() *Calendar {
	if n == nil {
		return nil
	}
	return n.Holidays
}

func TestResolveGapAndOverlap(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	got, res := resolve(wall{c: civil{2026, time.March, 29}, h: 2, mi: 30}, berlin)
	if res != resolvedGap || !got.Equal(ts(t, "2026-03-29T01:00:00Z")) {
		t.Errorf("gap: got %s (%d)", got.UTC(), res)
	}
	got, res = resolve(wall{c: civil{2026, time.October, 25}, h: 2, mi: 30}, berlin)
	if res != resolvedAmbiguous || !got.Equal(ts(t, "2026-10-25T00:30:00Z")) {
		t.Errorf("overlap: got %s (%d)", got.UTC(), res)
	}
	lh := mustLoc(t, "Australia/Lord_Howe") // 30-minute shift at 02:00 local on the first Sunday of October
	got, res = resolve(wall{c: civil{2026, time.October, 4}, h: 2, mi: 15}, lh)
	if res != resolvedGap || got.In(lh).Format("15:04") != "02:30" {
		t.Errorf("Lord Howe gap: got %s (%d)", got.In(lh), res)
	}
}
