package auth

import (
	"testing"
	"time"
)

func TestTOTPStep(t *testing.T) {
	enr, err := NewTOTP("Vigil", "a@example.org")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 29, 10, 0, 15, 0, time.UTC)
	step := now.Unix() / 30
	for _, tc := range []struct {
		name   string
		codeAt time.Time
		ok     bool
		step   int64
	}{
		{"current step", now, true, step},
		{"previous step (clock drift)", now.Add(-30 * time.Second), true, step - 1},
		{"next step (clock drift)", now.Add(30 * time.Second), true, step + 1},
		{"two steps ago", now.Add(-60 * time.Second), false, 0},
		{"two steps ahead", now.Add(60 * time.Second), false, 0},
	} {
		code, err := TOTPCode(enr.Secret, tc.codeAt)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := TOTPStep(enr.Secret, code, now)
		if ok != tc.ok || got != tc.step {
			t.Errorf("%s: step %d, %v; want %d, %v", tc.name, got, ok, tc.step, tc.ok)
		}
	}
	if _, ok := TOTPStep(enr.Secret, "12345", now); ok {
		t.Error("a five-digit code was accepted")
	}
}
