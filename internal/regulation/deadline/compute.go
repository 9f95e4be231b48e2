package deadline

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Input is what Compute needs: the instants the periods run from, the organisation's time zone, the
// regimes that apply (see Decide) and, optionally, the Member State overlay.
type Input struct {
	// Aware is when the organisation became aware of the incident (or, for the manufacturer's MDR and CRA
	// regimes, of the serious incident or exploited vulnerability). Required.
	Aware time.Time
	// Notified is when the 72-hour incident notification was submitted; it starts nis2.23.final and
	// cra.14.i.final. Nil while it has not been sent.
	Notified *time.Time
	// NotifiedByRegime overrides Notified for one regime (e.g. the CRA notification sent at another time
	// than the NIS2 one). Optional.
	NotifiedByRegime map[Regime]time.Time
	// FixAvailable is when a corrective or mitigating measure became available; it starts cra.14.v.final.
	FixAvailable *time.Time
	// Location is the organisation's time zone (IANA, e.g. time.LoadLocation("Europe/Berlin")); periods in
	// days and months follow its local clock. Nil means UTC.
	Location *time.Location
	// Regimes selects the obligations; unknown regimes are ignored (Validate reports them).
	Regimes []Regime
	// National is the Member State's overlay: recipients, national bases, stricter periods and public
	// holidays. Nil means the EU rules only, with Saturdays and Sundays as the only non-working days.
	National *National
}

// National is the part of a Member State overlay that affects deadlines. Keys of the maps are deadline ids.
type National struct {
	Country    string            `json:"country"`
	Recipients map[string]string `json:"recipients,omitempty"` // replaces the EU recipient text
	Basis      map[string]string `json:"basis,omitempty"`      // national provision, appended to the EU basis
	Periods    map[string]Period `json:"periods,omitempty"`    // a stricter national period replaces the EU one
	Holidays   *Calendar         `json:"holidays,omitempty"`   // public holidays for Reg. 1182/71 Art 3(4)
}

// Validate reports inputs Compute would have to guess about: a missing awareness time, a notification or
// fix before awareness, unknown or repeated regimes.
func (in Input) Validate() error {
	var errs []error
	if in.Aware.IsZero() {
		errs = append(errs, errors.New("aware: required"))
	}
	if in.Notified != nil && in.Notified.Before(in.Aware) {
		errs = append(errs, fmt.Errorf("notified %s is before aware %s", in.Notified.Format(time.RFC3339), in.Aware.Format(time.RFC3339)))
	}
	for r, t := range in.NotifiedByRegime {
		if t.Before(in.Aware) {
			errs = append(errs, fmt.Errorf("notified (%s) %s is before aware", r, t.Format(time.RFC3339)))
		}
	}
	// A fix available before awareness is not an error: CRA 14(2)(c) then runs from awareness (see Compute).
	seen := map[Regime]bool{}
	for i, r := range in.Regimes {
		if _, err := ParseRegime(string(r)); err != nil {
			errs = append(errs, fmt.Errorf("regimes[%d]: %w", i, err))
		}
		if seen[r] {
			errs = append(errs, fmt.Errorf("regimes[%d]: %q given twice", i, r))
		}
		seen[r] = true
	}
	if in.National != nil && in.National.Holidays != nil {
		if err := in.National.Holidays.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Deadline is one reporting obligation with its computed times.
type Deadline struct {
	ID     string `json:"id"`
	Regime Regime `json:"regime"`
	Title  string `json:"title"`
	// Due is the conservative deadline in UTC; nil while the start event has not happened (Pending) or when
	// the law sets no fixed period (Period says so).
	Due *time.Time `json:"due"`
	// LegalEnd is the end of the period under Regulation 1182/71 Art 3 where it differs from Due (UTC).
	LegalEnd *time.Time `json:"legal_end,omitempty"`
	// LegalNote explains how LegalEnd was counted.
	LegalNote string `json:"legal_note,omitempty"`
	// StartsWith is the event the period runs from; Pending is true while it has not happened.
	StartsWith Event  `json:"starts_with"`
	Pending    bool   `json:"pending"`
	Period     string `json:"period"`
	Recipient  string `json:"recipient"`
	Basis      string `json:"basis"`
	// Note carries the legal wording ("without undue delay and …") and any clock-change adjustment.
	Note string `json:"note,omitempty"`
}

// Compute returns the deadlines of the selected regimes, most urgent first (by Due; deadlines without a
// due time last), ties broken by id. It never fails: inputs are used as given (call Validate first to
// reject nonsense). A fix-available time before awareness counts from awareness.
func Compute(in Input) []Deadline {
	loc := in.Location
	if loc == nil {
		loc = time.UTC
	}
	want := map[Regime]bool{}
	for _, r := range in.Regimes {
		want[r] = true
	}
	out := []Deadline{}
	for _, r := range rules().Rules {
		if !want[r.Regime] {
			continue
		}
		out = append(out, computeOne(r, in, loc))
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case a.Due != nil && b.Due != nil && !a.Due.Equal(*b.Due):
			return a.Due.Before(*b.Due)
		case (a.Due == nil) != (b.Due == nil):
			return a.Due != nil
		}
		return a.ID < b.ID
	})
	return out
}

func computeOne(r Rule, in Input, loc *time.Location) Deadline {
	d := Deadline{
		ID:         r.ID,
		Regime:     r.Regime,
		Title:      r.Title,
		StartsWith: r.StartsWith,
		Recipient:  r.Recipient,
		Basis:      r.Basis,
		Note:       r.Note,
	}
	p := r.Period
	var cal *Calendar
	if n := in.National; n != nil {
		if v, ok := n.Recipients[r.ID]; ok && v != "" {
			d.Recipient = v
		}
		if v, ok := n.Basis[r.ID]; ok && v != "" {
			d.Basis += "; " + v
		}
		if v, ok := n.Periods[r.ID]; ok && v.validate() == nil {
			d.Note = appendNote(d.Note, fmt.Sprintf("National period %s replaces the EU period %s (%s).", v, p, n.Country))
			p = v
		}
		cal = n.Holidays
	}
	d.Period = p.String()

	start, ok := startOf(r, in)
	if !ok {
		d.Pending = true
		d.Note = appendNote(d.Note, "Starts with "+r.StartsWith.Describe()+"; no due time until then.")
		return d
	}
	if p.None {
		return d
	}
	due, adj := conservativeDue(start, p, loc)
	d.Due = utc(due)
	if adj != "" {
		d.Note = appendNote(d.Note, adj)
	}
	end, note := legalEnd(start, p, loc, cal)
	if !end.Equal(due) {
		d.LegalEnd = utc(end)
		d.LegalNote = note
	}
	return d
}

func startOf(r Rule, in Input) (time.Time, bool) {
	switch r.StartsWith {
	case EventAwareness:
		return in.Aware, !in.Aware.IsZero()
	case EventNotification:
		if t, ok := in.NotifiedByRegime[r.Regime]; ok {
			return t, true
		}
		if in.Notified != nil {
			return *in.Notified, true
		}
	case EventFixAvailable:
		if in.FixAvailable != nil {
			t := *in.FixAvailable
			if t.Before(in.Aware) {
				t = in.Aware
			}
			return t, true
		}
	}
	return time.Time{}, false
}

func utc(t time.Time) *time.Time { u := t.UTC(); return &u }

func appendNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + " " + b
}

// conservativeDue applies the conservative counting rules described in the package documentation.
func conservativeDue(start time.Time, p Period, loc *time.Location) (time.Time, string) {
	if p.Hours > 0 {
		return start.Add(time.Duration(p.Hours) * time.Hour), ""
	}
	w := wallOf(start.In(loc))
	if p.Days > 0 {
		w.c = w.c.addDays(p.Days)
	} else {
		w.c = w.c.addMonths(p.Months)
	}
	t, res := resolve(w, loc)
	switch res {
	case resolvedGap:
		return t, fmt.Sprintf("The local time %02d:%02d does not exist on %s in %s (clocks go forward); the deadline is the moment of the change.", w.h, w.mi, w.c, loc)
	case resolvedAmbiguous:
		return t, fmt.Sprintf("The local time %02d:%02d occurs twice on %s in %s (clocks go back); the first occurrence is used.", w.h, w.mi, w.c, loc)
	}
	return t, ""
}

// legalEnd applies Regulation 1182/71 Art 3 as described in the package documentation.
func legalEnd(start time.Time, p Period, loc *time.Location, cal *Calendar) (time.Time, string) {
	if p.Hours > 0 {
		end := startOfLocalHour(start, loc).Add(time.Duration(p.Hours+1) * time.Hour)
		return end, "Reg. 1182/71 Art 3(1) and 3(2)(a): the hour in which the period starts is not counted; the period ends when its last full hour expires. Periods in hours are not extended for weekends or holidays (Art 3(4))."
	}
	first := civilOf(start.In(loc)).addDays(1)
	var last civil
	var notes []string
	if p.Days > 0 {
		last = civilOf(start.In(loc)).addDays(p.Days)
		notes = append(notes, "Reg. 1182/71 Art 3(1) and 3(2)(b): the day of the event is not counted; the period ends at the end of its last day ("+last.String()+").")
	} else {
		last = civilOf(start.In(loc)).addMonths(p.Months)
		notes = append(notes, "Reg. 1182/71 Art 3(1) and 3(2)(c): the period ends at the end of the day with the same date in the last month, or of that month's last day ("+last.String()+").")
	}
	calName := "Saturdays and Sundays only (no public-holiday calendar)"
	if cal != nil {
		calName = "Saturdays, Sundays and public holidays (" + cal.Name + ")"
	}
	if !cal.IsWorkingDay(last.y, last.m, last.d) {
		was := last
		for !cal.IsWorkingDay(last.y, last.m, last.d) {
			last = last.addDays(1)
		}
		notes = append(notes, fmt.Sprintf("Art 3(4): %s is a %s; the period ends at the end of the next working day, %s.", was, nonWorkingKind(was, cal), last))
	}
	if working(first, last, cal) < 2 {
		for working(first, last, cal) < 2 {
			last = last.addDays(1)
		}
		notes = append(notes, fmt.Sprintf("Art 3(5): a period of two days or more includes at least two working days; extended to %s.", last))
	}
	notes = append(notes, "Non-working days: "+calName+".")
	return startOfDay(last.addDays(1), loc), strings.Join(notes, " ")
}

func nonWorkingKind(c civil, cal *Calendar) string {
	switch c.weekday() {
	case time.Saturday:
		return "Saturday"
	case time.Sunday:
		return "Sunday"
	}
	if cal.IsHoliday(c.y, c.m, c.d) {
		return "public holiday"
	}
	return "working day"
}

func working(from, to civil, cal *Calendar) int {
	n := 0
	for c := from; !after(c, to); c = c.addDays(1) {
		if cal.IsWorkingDay(c.y, c.m, c.d) {
			n++
		}
	}
	return n
}

func after(a, b civil) bool {
	return time.Date(a.y, a.m, a.d, 0, 0, 0, 0, time.UTC).After(time.Date(b.y, b.m, b.d, 0, 0, 0, 0, time.UTC))
}
