package risk

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseCVSS(t *testing.T) {
	tests := []struct {
		vector   string
		version  CVSSVersion
		base     float64
		severity string
	}{
		// BlueKeep (CVE-2019-0708), NVD's 3.1 vector.
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", CVSSv31, 9.8, "CRITICAL"},
		// Heartbleed (CVE-2014-0160), NVD's 3.1 vector.
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", CVSSv31, 7.5, "HIGH"},
		// The example of the go-cvss README.
		{"CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N", CVSSv31, 5.4, "MEDIUM"},
		{"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", CVSSv30, 9.8, "CRITICAL"},
		// Metrics in any order are allowed in 3.x.
		{"CVSS:3.1/S:U/AV:N/AC:L/PR:N/UI:N/C:H/I:N/A:N", CVSSv31, 7.5, "HIGH"},
		// Temporal metrics do not change the base score.
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:C", CVSSv31, 9.8, "CRITICAL"},
		// v2 as NVD writes it, and with the optional prefix and parentheses.
		{"AV:N/AC:L/Au:N/C:P/I:P/A:P", CVSSv2, 7.5, "HIGH"},
		{"(AV:N/AC:M/Au:N/C:C/I:C/A:C)", CVSSv2, 9.3, "HIGH"},
		{"CVSS:2.0/AV:L/AC:L/Au:N/C:P/I:N/A:N", CVSSv2, 2.1, "LOW"},
		// CVSS 4.0 examples from the FIRST calculator.
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", CVSSv40, 9.3, "CRITICAL"},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N", CVSSv40, 6.9, "MEDIUM"},
		// Threat metric E:U does not lower the base (CVSS-B) score.
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U", CVSSv40, 9.3, "CRITICAL"},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", CVSSv31, 0, "NONE"},
	}
	for _, tt := range tests {
		t.Run(tt.vector, func(t *testing.T) {
			c, err := ParseCVSS(tt.vector)
			if err != nil {
				t.Fatal(err)
			}
			got := struct {
				V CVSSVersion
				B float64
				S string
			}{c.Version, c.BaseScore, c.BaseSeverity}
			want := struct {
				V CVSSVersion
				B float64
				S string
			}{tt.version, tt.base, tt.severity}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestParseCVSSErrors(t *testing.T) {
	tests := []struct {
		vector string
		metric string
		want   string
	}{
		{"CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "AV",
			`cvss vector "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H": metric AV: invalid value "X" (allowed: N, A, L, P)`},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", "A",
			`cvss vector "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H": metric A: missing base metric`},
		{"CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "AV",
			`cvss vector "CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H": metric AV: given more than once`},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1", "ZZ",
			`cvss vector "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1": metric ZZ: unknown metric for CVSS 3.1`},
		{"CVSS:4.0/AC:L/AV:N/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "AV",
			`cvss vector "CVSS:4.0/AC:L/AV:N/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N": metric AV: out of order (must come before AC)`},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:R/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "UI",
			`cvss vector "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:R/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N": metric UI: invalid value "R" (allowed: N, P, A)`},
		{"AV:N/AC:L/Au:N/C:P/I:P/A:P/E:F", "RL",
			`cvss vector "AV:N/AC:L/Au:N/C:P/I:P/A:P/E:F": metric RL: missing (a CVSS 2.0 temporal group is given entirely or not at all)`},
		{"CVSS:5.0/AV:N", "", `cvss vector "CVSS:5.0/AV:N": unsupported CVSS version prefix "CVSS:5.0" (want CVSS:2.0, CVSS:3.0, CVSS:3.1 or CVSS:4.0)`},
		{"9.8", "", `cvss vector "9.8": not a CVSS vector (no CVSS:x.y/ prefix and no v2 AV: metric)`},
		{"CVSS:3.1/", "", `cvss vector "CVSS:3.1/": no metrics`},
		{"CVSS:3.1/AV:N//AC:L", "", `cvss vector "CVSS:3.1/AV:N//AC:L": empty metric at position 2`},
		{"CVSS:3.1/AV", "AV", `cvss vector "CVSS:3.1/AV": metric AV: no value (want ABBREVIATION:VALUE)`},
	}
	for _, tt := range tests {
		t.Run(tt.vector, func(t *testing.T) {
			_, err := ParseCVSS(tt.vector)
			if err == nil {
				t.Fatal("no error")
			}
			var ce *CVSSError
			if !errors.As(err, &ce) {
				t.Fatalf("error %T is not a *CVSSError", err)
			}
			if ce.Metric != tt.metric {
				t.Errorf("Metric = %q, want %q", ce.Metric, tt.metric)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}

func TestEnvironmental(t *testing.T) {
	tests := []struct {
		name    string
		vector  string
		mods    map[string]string
		want    ScoredVector
		wantErr string
	}{
		{
			// Hand computation (CVSS 3.1 §7.3): ISS = 1 − 0.44³ = 0.914816, impact 6.42 × ISS = 5.8731;
			// exploitability 8.22 × 0.62 (MAV:A) × 0.77 × 0.85 × 0.85 = 2.8353; roundup(8.7084) = 8.8.
			name: "adjacent network", vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
			mods: map[string]string{"MAV": "A"},
			want: ScoredVector{Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/MAV:A", Score: 8.8, Severity: "HIGH", Applied: []string{"MAV:A"}},
		},
		{
			// Exploitability 8.22 × 0.55 × 0.77 × 0.85 × 0.85 = 2.5152; 5.8731 + 2.5152 = 8.388 → 8.4.
			name: "local", vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
			mods: map[string]string{"MAV": "L"},
			want: ScoredVector{Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/MAV:L", Score: 8.4, Severity: "HIGH", Applied: []string{"MAV:L"}},
		},
		{
			name: "temporal removed", vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:U",
			want: ScoredVector{Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Score: 9.8, Severity: "CRITICAL"},
		},
		{
			name: "v2 ignores modified metrics", vector: "AV:N/AC:L/Au:N/C:P/I:P/A:P",
			mods: map[string]string{"MAV": "L", "AV": "L"},
			want: ScoredVector{Vector: "AV:N/AC:L/Au:N/C:P/I:P/A:P", Score: 7.5, Severity: "HIGH", Ignored: []string{"AV:L", "MAV:L"}},
		},
		{
			// v2 environmental: CR/IR/AR high and CDP/TD not defined. AdjustedImpact =
			// min(10, 10.41 × (1 − (1 − 0.275×1.51)³)) = 10.41 × 0.80171 = 8.346 → base formula with it:
			// ((0.6 × 8.346) + (0.4 × 10.0) − 1.5) × 1.176 = 8.829 → 8.8; TD:ND = 1, CDP:ND = 0.
			name: "v2 security requirements", vector: "AV:N/AC:L/Au:N/C:P/I:P/A:P",
			mods: map[string]string{"CR": "H", "IR": "H", "AR": "H"},
			want: ScoredVector{Vector: "AV:N/AC:L/Au:N/C:P/I:P/A:P/CDP:ND/TD:ND/CR:H/IR:H/AR:H", Score: 8.8, Severity: "HIGH", Applied: []string{"CR:H", "IR:H", "AR:H"}},
		},
		{
			name: "v4 adjacent", vector: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U",
			mods: map[string]string{"MAV": "A"},
			want: ScoredVector{Vector: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/MAV:A", Score: 8.7, Severity: "HIGH", Applied: []string{"MAV:A"}},
		},
		{
			name: "bad modified value", vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
			mods:    map[string]string{"MAV": "Q"},
			wantErr: `cvss vector "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H": metric MAV: invalid modified value "Q" (allowed: X, N, A, L, P)`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCVSS(tt.vector)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Environmental(tt.mods)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}
