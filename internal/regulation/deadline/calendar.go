package deadline

import (
	"fmt"
	"time"
)

// Calendar lists the public holidays of a Member State for Regulation 1182/71 Art 3(4): fixed dates each
// year, days relative to (Western) Easter Sunday, and one-off dates. The zero value has no holidays.
type Calendar struct {
	Name          string   `yaml:"name" json:"name"`
	Fixed         []string `yaml:"fixed" json:"fixed,omitempty"`                   // "MM-DD", every year
	EasterOffsets []int    `yaml:"easter_offsets" json:"easter_offsets,omitempty"` // e.g. -2 Good Friday, 1 Easter Monday
	Dates         []string `yaml:"dates" json:"dates,omitempty"`                   // "YYYY-MM-DD", once
	Note          string   `yaml:"note" json:"note,omitempty"`
}

// Validate reports the first malformed date in the calendar.
func (c *Calendar) Validate() error {
	if c == nil {
		return nil
	}
	for i, f := range c.Fixed {
		if _, err := time.Parse("01-02", f); err != nil {
			return fmt.Errorf("calendar %q: fixed[%d] %q: want MM-DD", c.Name, i, f)
		}
	}
	for i, d := range c.Dates {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return fmt.Errorf("calendar %q: dates[%d] %q: want YYYY-MM-DD", c.Name, i, d)
		}
	}
	return nil
}

// IsHoliday reports whether the civil date is a public holiday in the calendar. A nil calendar has none.
func (c *Calendar) IsHoliday(y int, m time.Month, d int) bool {
	if c == nil {
		return false
	}
	md := fmt.Sprintf("%02d-%02d", int(m), d)
	for _, f := range c.Fixed {
		if f == md {
			return true
		}
	}
	full := fmt.Sprintf("%04d-%s", y, md)
	for _, x := range c.Dates {
		if x == full {
			return true
		}
	}
	if len(c.EasterOffsets) > 0 {
		em, ed := Easter(y)
		easter := time.Date(y, em, ed, 12, 0, 0, 0, time.UTC)
		day := time.Date(y, m, d, 12, 0, 0, 0, time.UTC)
		off := int(day.Sub(easter).Hours() / 24)
		for _, o := range c.EasterOffsets {
			if o == off {
				return true
			}
		}
	}
	return false
}

// IsWorkingDay reports whether the civil date is neither a Saturday, a Sunday nor a public holiday
// (Regulation 1182/71 Art 2(2)).
func (c *Calendar) IsWorkingDay(y int, m time.Month, d int) bool {
	wd := time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Weekday()
	if wd == time.Saturday || wd == time.Sunday {
		return false
	}
	return !c.IsHoliday(y, m, d)
}

// Easter returns the month and day of Western (Gregorian) Easter Sunday in year y (anonymous Gregorian
// algorithm, valid for the Gregorian calendar).
func Easter(y int) (time.Month, int) {
	a := y % 19
	b := y / 100
	c := y % 100
	d := b / 4
	e := b % 4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i := c / 4
	k := c % 4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Month(month), day
}
