package domain

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Date is a calendar day without a time of day, kept as midnight UTC. The zero Date means "not known".
// In JSON it is "YYYY-MM-DD" or null.
type Date struct{ t time.Time }

// DateOf returns the calendar day of t in t's own location.
func DateOf(t time.Time) Date {
	if t.IsZero() {
		return Date{}
	}
	return Date{time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)}
}

// NewDate returns the day y-m-d.
func NewDate(y int, m time.Month, d int) Date { return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

// ParseDate reads an ISO 8601 date ("2026-03-01"); "" is the zero Date.
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Date{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	return Date{t}, nil
}

// IsZero reports whether the date is unknown.
func (d Date) IsZero() bool { return d.t.IsZero() }

// Time returns midnight UTC of the day (the zero time for an unknown date).
func (d Date) Time() time.Time { return d.t }

// String is "YYYY-MM-DD", or "" for an unknown date.
func (d Date) String() string {
	if d.t.IsZero() {
		return ""
	}
	return d.t.Format(time.DateOnly)
}

// Before reports whether d is a known day before e.
func (d Date) Before(e Date) bool { return !d.IsZero() && d.t.Before(e.t) }

// Equal reports whether d and e are the same day (go-cmp uses it too).
func (d Date) Equal(e Date) bool { return d.t.Equal(e.t) }

// AddDays returns the day n days later.
func (d Date) AddDays(n int) Date {
	if d.IsZero() {
		return d
	}
	return Date{d.t.AddDate(0, 0, n)}
}

// MarshalJSON writes "YYYY-MM-DD" or null.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON reads "YYYY-MM-DD", an RFC 3339 time (its day is kept), "" or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a date must be a string YYYY-MM-DD")
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		*d = DateOf(t)
		return nil
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// OpenAPISchema describes the JSON form.
func (Date) OpenAPISchema() map[string]any {
	return map[string]any{"type": []string{"string", "null"}, "format": "date"}
}

// Money is an amount in euro cents. The zero Money means "not known". In JSON it is a number of euros
// (2450.5) or null.
type Money int64

// Euros returns m from an amount in euros, rounded to the cent.
func Euros(e float64) Money { return Money(math.Round(e * 100)) }

// Euros returns the amount in euros.
func (m Money) Euros() float64 { return float64(m) / 100 }

// String is the amount with two decimals ("2450.50"), or "" when unknown.
func (m Money) String() string {
	if m == 0 {
		return ""
	}
	return strconv.FormatFloat(m.Euros(), 'f', 2, 64)
}

// MarshalJSON writes the amount in euros, or null.
func (m Money) MarshalJSON() ([]byte, error) {
	if m == 0 {
		return []byte("null"), nil
	}
	return []byte(strconv.FormatFloat(m.Euros(), 'f', -1, 64)), nil
}

// UnmarshalJSON reads a number of euros or null.
func (m *Money) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*m = 0
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("an amount must be a number of euros")
	}
	if f < 0 || f > 1e11 {
		return fmt.Errorf("an amount must be between 0 and 100 000 000 000 euros")
	}
	*m = Euros(f)
	return nil
}

// OpenAPISchema describes the JSON form.
func (Money) OpenAPISchema() map[string]any {
	return map[string]any{"type": []string{"number", "null"}, "description": "euros", "minimum": 0}
}
