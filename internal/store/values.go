package store

import "time"

// Small conversions between Go values and column values, shared by every aggregate.

// utcPtr returns a copy of *t in UTC, or nil.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// tsPtr stores an optional time: nil and the zero time become NULL.
func tsPtr(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return TS(*t)
}
