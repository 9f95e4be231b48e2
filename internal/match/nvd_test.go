package match

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/sbom"
)

func nvdIndex(t *testing.T) *Index {
	return NewIndex(loadNVD(t, "CVE-2021-44228.json", "CVE-2017-0144.json", "CVE-2020-11896.json", "CVE-2014-0160.json",
		"CVE-2022-26390.json", "CVE-2019-0708.json"), nil)
}

func vulnIDs(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.VulnID)
	}
	return out
}

func TestNVDSingleComponents(t *testing.T) {
	idx := nvdIndex(t)
	tests := []struct {
		cpe    string
		want   []string
		reason string
	}{
		{"cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*", []string{"CVE-2021-44228"},
			"cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:* matches NVD configuration 6 node 1 (cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*, versionStartIncluding 2.13.0, versionEndExcluding 2.15.0) of CVE-2021-44228 (NVD)"},
		{"cpe:2.3:a:apache:log4j:2.15.0:*:*:*:*:*:*:*", nil, ""},
		{"cpe:2.3:a:apache:log4j:2.0:beta9:*:*:*:*:*:*", []string{"CVE-2021-44228"}, ""},
		{"cpe:2.3:a:apache:log4j:2.0:rc3:*:*:*:*:*:*", nil, ""}, // not listed
		{"cpe:2.3:a:apache:log4j:1.2.17:*:*:*:*:*:*:*", nil, ""},
		// Ripple20: escaped product name, end excluded
		{`cpe:2.3:a:treck:tcp\/ip:6.0.1.41:*:*:*:*:*:*:*`, []string{"CVE-2020-11896"},
			`cpe:2.3:a:treck:tcp\/ip:6.0.1.41:*:*:*:*:*:*:* matches NVD configuration 1 node 1 (cpe:2.3:a:treck:tcp\/ip:*:*:*:*:*:*:*:*, versionEndExcluding 6.0.1.66) of CVE-2020-11896 (NVD)`},
		{"cpe:/a:treck:tcp%2fip:6.0.1.41", []string{"CVE-2020-11896"}, ""},
		{`cpe:2.3:a:treck:tcp\/ip:6.0.1.66:*:*:*:*:*:*:*`, nil, ""},
		// Heartbleed: OpenSSL letter releases
		{"cpe:2.3:a:openssl:openssl:1.0.1f:*:*:*:*:*:*:*", []string{"CVE-2014-0160"}, ""},
		{"cpe:2.3:a:openssl:openssl:1.0.1:*:*:*:*:*:*:*", []string{"CVE-2014-0160"}, ""},
		{"cpe:2.3:a:openssl:openssl:1.0.1g:*:*:*:*:*:*:*", nil, ""},
		{"cpe:2.3:a:openssl:openssl:1.0.0t:*:*:*:*:*:*:*", nil, ""},
		// a version ANY cannot be placed in a range
		{"cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*", nil, ""},
		// EternalBlue: SMBv1 alone does not satisfy the AND with a Windows platform
		{"cpe:2.3:a:microsoft:server_message_block:1.0:*:*:*:*:*:*:*", nil, ""},
		// Siemens firmware without its hardware platform: no finding
		{"cpe:2.3:o:siemens:acuson_p300_firmware:13.02:*:*:*:*:*:*:*", nil, ""},
	}
	for _, tc := range tests {
		fs := mustMatch(t, idx, &Target{Components: cpes(tc.cpe)})
		if diff := cmp.Diff(tc.want, vulnIDs(fs)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.cpe, diff)
			continue
		}
		if tc.reason != "" && fs[0].Reason != tc.reason {
			t.Errorf("%s:\nreason %q\nwant   %q", tc.cpe, fs[0].Reason, tc.reason)
		}
		for _, f := range fs {
			if f.Matcher != MatcherNVD || f.Source != "NVD" || f.Confidence != 1 {
				t.Errorf("%s: %+v", tc.cpe, f)
			}
		}
	}
}

// TestNVDAndConfigurations covers running-on platforms: EternalBlue's SMBv1 on Windows, Siemens
// firmware on its hardware (given as the SBOM subject and as a platform CPE from inventory).
func TestNVDAndConfigurations(t *testing.T) {
	idx := nvdIndex(t)

	fs := mustMatch(t, idx, &Target{Components: cpes(
		"cpe:2.3:a:microsoft:server_message_block:1.0:*:*:*:*:*:*:*",
		"cpe:2.3:o:microsoft:windows_7:-:sp1:*:*:*:*:*:*",
	)})
	want := []string{
		"cpe:2.3:a:microsoft:server_message_block:1.0:*:*:*:*:*:*:* CVE-2017-0144 CVE-2017-0144",
		"cpe:2.3:o:microsoft:windows_7:-:sp1:*:*:*:*:*:* CVE-2019-0708 CVE-2019-0708", // BlueKeep names Windows 7 SP1 itself
	}
	if diff := cmp.Diff(want, summary(fs)); diff != "" {
		t.Fatalf("SMBv1 on Windows 7 (-want +got):\n%s", diff)
	}
	if !strings.Contains(fs[0].Reason, "configuration 1 node 1 (cpe:2.3:a:microsoft:server_message_block:1.0:*:*:*:*:*:*:*); platform node 2 matched by cpe:2.3:o:microsoft:windows_7:-:sp1:*:*:*:*:*:*") {
		t.Errorf("reason %q", fs[0].Reason)
	}
	// BlueKeep also names Windows 7 SP1 as vulnerable on its own
	if ids := vulnIDs(mustMatch(t, idx, &Target{Components: cpes("cpe:2.3:o:microsoft:windows_7:-:sp1:*:*:*:*:*:*")})); !cmp.Equal(ids, []string{"CVE-2019-0708"}) {
		t.Errorf("Windows 7 SP1 alone: %v", ids)
	}

	// A Siemens ultrasound: firmware as the SBOM subject, hardware from the inventory.
	subject := &sbom.Component{Ref: "fw", Type: "firmware", Name: "ACUSON P300 firmware", Version: "13.02", CPE: "cpe:2.3:o:siemens:acuson_p300_firmware:13.02:*:*:*:*:*:*:*"}
	fs = mustMatch(t, idx, &Target{ProductVersion: "p300-13.02", Subject: subject, PlatformCPEs: []string{"cpe:2.3:h:siemens:acuson_p300:-:*:*:*:*:*:*:*"}})
	if len(fs) != 1 || fs[0].VulnID != "CVE-2017-0144" || fs[0].Component != -1 || fs[0].Package.Ref != "fw" {
		t.Fatalf("ACUSON P300: %+v", fs)
	}
	if !strings.Contains(fs[0].Reason, "platform node 2 matched by cpe:2.3:h:siemens:acuson_p300:-:*:*:*:*:*:*:*") {
		t.Errorf("reason %q", fs[0].Reason)
	}
	// the platform CPE itself is never reported, and other firmware versions do not match
	fs = mustMatch(t, idx, &Target{Subject: &sbom.Component{CPE: "cpe:2.3:o:siemens:acuson_p300_firmware:13.10:*:*:*:*:*:*:*"}, PlatformCPEs: []string{"cpe:2.3:h:siemens:acuson_p300:-:*:*:*:*:*:*:*"}})
	if len(fs) != 0 {
		t.Errorf("ACUSON P300 13.10: %v", summary(fs))
	}
	// SC2000 firmware range 4.0 ≤ v < 4.0e, hardware as a component CPE with version ANY
	for v, want := range map[string]bool{"4.0": true, "4.0b": true, "4.0e": false, "5.0a": true, "3.9": false} {
		fs := mustMatch(t, idx, &Target{Components: cpes("cpe:2.3:o:siemens:acuson_sc2000_firmware:"+v+":*:*:*:*:*:*:*", "cpe:2.3:h:siemens:acuson_sc2000:*:*:*:*:*:*:*:*")})
		if got := len(fs) == 1 && fs[0].VulnID == "CVE-2017-0144"; got != want {
			t.Errorf("SC2000 firmware %s: %v, want affected=%v", v, summary(fs), want)
		}
	}
	// Baxter Spectrum WBM: firmware ranges 20d29–20d32 (inclusive) on the module hardware
	for v, want := range map[string]bool{"20d29": true, "20d32": true, "20d33": false, "22d19": true, "16d38": true, "17d1": false} {
		fs := mustMatch(t, idx, &Target{
			Subject:      &sbom.Component{Version: v, CPE: "cpe:2.3:o:baxter:spectrum_wireless_battery_module_firmware:*:*:*:*:*:*:*:*"},
			PlatformCPEs: []string{"cpe:2.3:h:baxter:spectrum_wireless_battery_module:-:*:*:*:*:*:*:*"}})
		if got := len(fs) == 1 && fs[0].VulnID == "CVE-2022-26390"; got != want {
			t.Errorf("Baxter WBM firmware %s: %v, want affected=%v", v, summary(fs), want)
		}
	}
}
