package deadline

import (
	"testing"
	"time"
)

// FuzzCompute checks Compute's invariants for arbitrary instants, zones and regime sets.
func FuzzCompute(f *testing.F) {
	zones := []string{"Europe/Berlin", "Australia/Lord_Howe", "America/Santiago", "Asia/Kolkata", "Pacific/Apia", "UTC"}
	locs := make([]*time.Location, len(zones))
	for i, z := range zones {
		locs[i] = mustLoc(f, z)
	}
	f.Add(int64(1774737000), int64(3600), int64(86400), uint8(0), uint8(0xff)) // 2026-03-28T22:30Z
	f.Add(int64(1792886400), int64(0), int64(0), uint8(1), uint8(0x10))
	f.Add(int64(-62135596800), int64(1), int64(1), uint8(2), uint8(0x01))
	f.Fuzz(func(t *testing.T, aware, notifyAfter, fixAfter int64, zone, mask uint8) {
		// Keep to years 1-9999 so time arithmetic stays meaningful.
		const lo, hi = -62135596800, 253402300799 - 400*24*3600
		if aware < lo || aware > hi || notifyAfter < 0 || fixAfter < 0 || notifyAfter > 1e9 || fixAfter > 1e9 {
			return
		}
		loc := locs[int(zone)%len(locs)]
		a := time.Unix(aware, 0).In(loc)
		n, fx := a.Add(time.Duration(notifyAfter)*time.Second), a.Add(time.Duration(fixAfter)*time.Second)
		var regimes []Regime
		for i, r := range AllRegimes {
			if mask&(1<<i) != 0 {
				regimes = append(regimes, r)
			}
		}
		in := Input{Aware: a, Notified: &n, FixAvailable: &fx, Location: loc, Regimes: regimes, National: &National{Country: "DE", Holidays: deCalendar}}
		for _, d := range Compute(in) {
			if d.Due == nil {
				continue
			}
			if d.Due.Before(a) {
				t.Fatalf("%s due %s before awareness %s", d.ID, d.Due, a)
			}
			if d.LegalEnd != nil && !d.LegalEnd.After(*d.Due) {
				t.Fatalf("%s legal end %s not after due %s", d.ID, d.LegalEnd, d.Due)
			}
		}
	})
}
