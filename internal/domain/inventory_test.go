package domain

import "testing"

func TestInventoryValues(t *testing.T) {
	for in, want := range map[string]string{"00:1B:44:11:3A:B7": "00:1b:44:11:3a:b7", "00-1b-44-11-3a-b7": "00:1b:44:11:3a:b7",
		"001b.4411.3ab7": "00:1b:44:11:3a:b7", "001B44113AB7": "00:1b:44:11:3a:b7", "": ""} {
		if got, err := NormalizeMAC(in); err != nil || got != want {
			t.Errorf("NormalizeMAC(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"00:1b:44:11:3a", "00:1b-44:11:3a:b7", "zz:1b:44:11:3a:b7", "00:1b:44:11:3a:b7:01:02"} {
		if _, err := NormalizeMAC(bad); err == nil {
			t.Errorf("NormalizeMAC(%q) accepted", bad)
		}
	}
	for in, want := range map[string]string{" 10.11.0.1 ": "10.11.0.1", "::ffff:10.0.0.1": "10.0.0.1", "FE80::1": "fe80::1"} {
		if got, err := NormalizeIP(in); err != nil || got != want {
			t.Errorf("NormalizeIP(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"10.0.300.1", "fe80::1%eth0", "host"} {
		if _, err := NormalizeIP(bad); err == nil {
			t.Errorf("NormalizeIP(%q) accepted", bad)
		}
	}
	today := NewDate(2026, 3, 2)
	for end, want := range map[Date]SupportState{{}: SupportUnknown, NewDate(2026, 3, 1): SupportPast, NewDate(2026, 3, 2): SupportSoon,
		NewDate(2027, 3, 2): SupportSoon, NewDate(2027, 3, 3): SupportSupported} {
		if got := SupportOf(end, today); got != want {
			t.Errorf("SupportOf(%s) = %s, want %s", end, got, want)
		}
	}
	if ExposureInternet.Rank() != 0 || ExposureStandalone.Rank() != 5 || Exposure("x").Rank() != -1 || CritSupportive.Rank() != 3 {
		t.Error("scale ranks")
	}
	if err := ValidUDIDI("04046964991233"); err != nil {
		t.Error(err)
	}
	if err := ValidUDIDI("+H123PARTNO1234567890120/$$420020216LOT123456789012345/SXYZ4567890123456789/16D20130202C"); err == nil {
		t.Error("an over-long HIBCC identifier was accepted")
	}
	var d Date
	if err := d.UnmarshalJSON([]byte(`"2026-03-02T23:30:00+01:00"`)); err != nil || d != NewDate(2026, 3, 2) {
		t.Errorf("date from RFC 3339: %v %v", d, err)
	}
	var m Money
	if err := m.UnmarshalJSON([]byte(`2450.505`)); err != nil || m != 245051 {
		t.Errorf("money: %d %v", m, err)
	}
	if b, _ := Money(245050).MarshalJSON(); string(b) != "2450.5" {
		t.Errorf("money JSON %s", b)
	}
}
