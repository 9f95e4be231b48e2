package deadline

import (
	"fmt"
	"time"
)

// civil is a date without a time zone.
type civil struct {
	y int
	m time.Month
	d int
}

func civilOf(t time.Time) civil { y, m, d := t.Date(); return civil{y, m, d} }

// addDays normalises through time.Date so month and year ends roll over.
func (c civil) addDays(n int) civil {
	return civilOf(time.Date(c.y, c.m, c.d+n, 12, 0, 0, 0, time.UTC))
}

func (c civil) weekday() time.Weekday {
	return time.Date(c.y, c.m, c.d, 12, 0, 0, 0, time.UTC).Weekday()
}

func (c civil) String() string { return fmt.Sprintf("%04d-%02d-%02d", c.y, int(c.m), c.d) }

func daysIn(y int, m time.Month) int { return time.Date(y, m+1, 0, 12, 0, 0, 0, time.UTC).Day() }

// addMonths returns the same day n months later, or that month's last day when it has no such day.
func (c civil) addMonths(n int) civil {
	first := time.Date(c.y, c.m+time.Month(n), 1, 12, 0, 0, 0, time.UTC)
	y, m, _ := first.Date()
	d := c.d
	if last := daysIn(y, m); d > last {
		d = last
	}
	return civil{y, m, d}
}

// wall is a local clock reading.
type wall struct {
	c              civil
	h, mi, s, nsec int
}

func wallOf(t time.Time) wall {
	return wall{civilOf(t), t.Hour(), t.Minute(), t.Second(), t.Nanosecond()}
}

// asUTC reads the wall clock as if it were UTC; it orders wall readings.
func (w wall) asUTC() time.Time {
	return time.Date(w.c.y, w.c.m, w.c.d, w.h, w.mi, w.s, w.nsec, time.UTC)
}

// resolution says how a local wall time was turned into an instant.
type resolution int

const (
	resolvedExact     resolution = iota // the local time occurs once
	resolvedGap                         // the local time does not exist (clocks went forward)
	resolvedAmbiguous                   // the local time occurs twice (clocks went back)
)

// resolve turns a local wall reading into the earliest instant that reads it, or, when no instant reads it
// (a forward clock change skipped it), the instant of the change: the first instant whose local reading
// is at or after the wanted one.
func resolve(w wall, loc *time.Location) (time.Time, resolution) {
	naive := w.asUTC()
	var valid []time.Time
	var cands []time.Time
	for _, probe := range []time.Duration{-30 * time.Hour, 0, 30 * time.Hour} {
		_, off := naive.Add(probe).In(loc).Zone()
		c := naive.Add(-time.Duration(off) * time.Second)
		cands = append(cands, c)
		if wallOf(c.In(loc)) == w {
			valid = appendUnique(valid, c)
		}
	}
	if len(valid) > 0 {
		best := valid[0]
		for _, v := range valid[1:] {
			if v.Before(best) {
				best = v
			}
		}
		if len(valid) > 1 {
			return best, resolvedAmbiguous
		}
		return best, resolvedExact
	}
	// Gap: search between the earliest and latest candidate for the first instant reading >= w.
	lo, hi := cands[0], cands[0]
	for _, c := range cands[1:] {
		if c.Before(lo) {
			lo = c
		}
		if c.After(hi) {
			hi = c
		}
	}
	for hi.Sub(lo) > time.Nanosecond {
		mid := lo.Add(hi.Sub(lo) / 2)
		if wallOf(mid.In(loc)).asUTC().Before(naive) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi, resolvedGap
}

func appendUnique(ts []time.Time, t time.Time) []time.Time {
	for _, x := range ts {
		if x.Equal(t) {
			return ts
		}
	}
	return append(ts, t)
}

// startOfLocalHour returns the instant at which the local clock hour containing t began.
func startOfLocalHour(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return t.Add(-time.Duration(l.Minute())*time.Minute - time.Duration(l.Second())*time.Second - time.Duration(l.Nanosecond()))
}

// startOfDay returns the first instant of the civil day in loc.
func startOfDay(c civil, loc *time.Location) time.Time {
	t, _ := resolve(wall{c: c}, loc)
	return t
}
