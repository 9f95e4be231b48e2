package lifecycle

import (
	"slices"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/lazyre"
)

// supplement holds end-of-support dates of products endoflife.date does not list but medical
// devices still run. Each entry names its source; Vigil ships them as a small, reviewed table.
type supplementEntry struct {
	Label string
	EOL   time.Time
	Ref   string
}

var supplements = map[string]supplementEntry{
	"windows-xp-embedded": {"Windows XP Embedded SP3", date(2016, 1, 12),
		"Microsoft, Windows Embedded Product Support Lifecycle FAQ (extended support ends January 12, 2016)"},
	"windows-embedded-pos-sp3": {"Windows Embedded for Point of Service SP3", date(2016, 4, 12),
		"Microsoft, Windows Embedded Product Support Lifecycle FAQ (extended support ends April 12, 2016)"},
	"windows-embedded-standard-2009": {"Windows Embedded Standard 2009", date(2019, 1, 8),
		"Microsoft, Windows Embedded Product Support Lifecycle FAQ (extended support ends January 8, 2019)"},
	"windows-embedded-posready-2009": {"Windows Embedded POSReady 2009", date(2019, 4, 9),
		"Microsoft, Windows Embedded Product Support Lifecycle FAQ (extended support ends April 9, 2019)"},
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// windowsTarget is what a Windows description resolves to: an endoflife.date product and cycle
// candidates in order of preference, or a supplement key.
type windowsTarget struct {
	product    string   // "windows", "windows-server", "windows-embedded"; "" for a supplement
	cycles     []string // candidates, first existing one wins
	supplement string
	label      string // what we understood, e.g. "Windows 10 IoT Enterprise LTSC 2021 (21H2)"
	ambiguous  string // non-empty when an edition had to be assumed
}

// windowsBuilds maps NT build numbers to Windows 10/11 feature releases.
var windowsBuilds = map[string]struct{ major, release string }{
	"10240": {"10", "1507"}, "10586": {"10", "1511"}, "14393": {"10", "1607"}, "15063": {"10", "1703"},
	"16299": {"10", "1709"}, "17134": {"10", "1803"}, "17763": {"10", "1809"}, "18362": {"10", "1903"},
	"18363": {"10", "1909"}, "19041": {"10", "2004"}, "19042": {"10", "20h2"}, "19043": {"10", "21h1"},
	"19044": {"10", "21h2"}, "19045": {"10", "22h2"},
	"22000": {"11", "21h2"}, "22621": {"11", "22h2"}, "22631": {"11", "23h2"}, "26100": {"11", "24h2"},
	"26200": {"11", "25h2"}, "28000": {"11", "26h1"},
}

// ltscReleases maps LTSB/LTSC years to the feature release they are built on.
var ltscReleases = map[string]map[string]string{
	"10": {"2015": "1507", "2016": "1607", "2019": "1809", "2021": "21h2"},
	"11": {"2024": "24h2"},
}

var releaseRe = lazyre.New(`^(1[5-9]0[0-9]|20[0-9]{2}|2[0-9]h[12])$`)

// windowsWords normalises a description into lower-case words ("Windows_10_IoT" → windows 10 iot).
func windowsWords(s string) []string {
	s = strings.ToLower(s)
	s = strings.NewReplacer("_", " ", ":", " ", "/", " ", "(", " ", ")", " ", ",", " ", "-", " ", "*", " ").Replace(s)
	return strings.Fields(s)
}

// resolveWindows interprets words describing a Microsoft Windows release. It returns false when the
// words do not describe Windows.
func resolveWindows(words []string) (windowsTarget, bool) {
	has := func(w ...string) bool {
		for _, x := range w {
			if !slices.Contains(words, x) {
				return false
			}
		}
		return true
	}
	if !has("windows") && !has("win") {
		return windowsTarget{}, false
	}
	// NT version numbers such as 10.0.19044 or 6.1.7601 in the words.
	var build, ntVersion string
	for _, w := range words {
		if parts := strings.Split(w, "."); len(parts) >= 3 && (parts[0] == "10" || parts[0] == "6" || parts[0] == "5") {
			ntVersion, build = parts[0]+"."+parts[1], parts[2]
		}
	}
	switch {
	case has("server"):
		return resolveWindowsServer(words, has, ntVersion)
	case has("xp") && (has("embedded") || has("xpe")):
		return windowsTarget{supplement: "windows-xp-embedded", label: "Windows XP Embedded"}, true
	case has("embedded") && (has("pos") || has("point", "service") || has("wepos")):
		return windowsTarget{supplement: "windows-embedded-pos-sp3", label: "Windows Embedded for Point of Service"}, true
	case has("posready", "2009"):
		return windowsTarget{supplement: "windows-embedded-posready-2009", label: "Windows Embedded POSReady 2009"}, true
	case has("embedded", "standard", "2009") || has("wes2009"):
		return windowsTarget{supplement: "windows-embedded-standard-2009", label: "Windows Embedded Standard 2009"}, true
	case has("posready", "7"):
		return windowsTarget{product: "windows-embedded", cycles: []string{"posready-7"}, label: "Windows Embedded POSReady 7"}, true
	case has("compact", "2013"):
		return windowsTarget{product: "windows-embedded", cycles: []string{"compact-2013"}, label: "Windows Embedded Compact 2013"}, true
	case has("compact", "7"):
		return windowsTarget{product: "windows-embedded", cycles: []string{"compact-7"}, label: "Windows Embedded Compact 7"}, true
	case has("embedded", "7") || has("wes7"):
		return windowsTarget{product: "windows-embedded", cycles: []string{"standard-7-sp1"}, label: "Windows Embedded Standard 7"}, true
	case has("embedded", "8.1", "industry") || has("embedded", "8.1") && has("industry"):
		return windowsTarget{product: "windows-embedded", cycles: []string{"8.1-industry"}, label: "Windows Embedded 8.1 Industry"}, true
	case has("embedded", "8.1"):
		return windowsTarget{product: "windows-embedded", cycles: []string{"8.1-pro"}, label: "Windows Embedded 8.1 Pro"}, true
	case has("xp"):
		return windowsTarget{product: "windows", cycles: []string{"5-sp3"}, label: "Windows XP"}, true
	case has("vista"):
		return windowsTarget{product: "windows", cycles: []string{"6-sp2"}, label: "Windows Vista"}, true
	case has("10") || has("11") || ntVersion == "10.0":
		// Windows 10 and 11 below.
	case has("7") || ntVersion == "6.1":
		return windowsTarget{product: "windows", cycles: []string{"7-sp1"}, label: "Windows 7"}, true
	case has("8.1") || ntVersion == "6.3":
		return windowsTarget{product: "windows", cycles: []string{"8.1"}, label: "Windows 8.1"}, true
	case has("8") || ntVersion == "6.2":
		return windowsTarget{product: "windows", cycles: []string{"8"}, label: "Windows 8"}, true
	case ntVersion == "5.1":
		return windowsTarget{product: "windows", cycles: []string{"5-sp3"}, label: "Windows XP"}, true
	case ntVersion == "6.0":
		return windowsTarget{product: "windows", cycles: []string{"6-sp2"}, label: "Windows Vista"}, true
	}
	major, release := "", ""
	if b, ok := windowsBuilds[build]; ok && ntVersion == "10.0" {
		major, release = b.major, b.release
	}
	switch {
	case has("11"):
		major = "11"
	case has("10"):
		major = "10"
	}
	if major == "" {
		return windowsTarget{product: "windows", label: "Windows (release not stated)"}, true
	}
	lts := has("ltsc") || has("ltsb") || has("lts")
	iot := has("iot")
	for _, w := range words {
		if releaseRe.MatchString(w) && !(lts && ltscReleases[major][w] != "") {
			release = w
		}
	}
	if lts {
		for _, w := range words {
			if r, ok := ltscReleases[major][w]; ok {
				release = r
			}
		}
	}
	t := windowsTarget{product: "windows"}
	if release == "" {
		t.label = "Windows " + major + " (feature release not stated)"
		return t, true
	}
	base := major + "-" + release
	edition := ""
	switch {
	case iot && lts:
		t.cycles, edition = []string{base + "-iot-lts", base + "-e-lts"}, " IoT Enterprise LTSC"
	case lts:
		t.cycles, edition = []string{base + "-e-lts"}, " Enterprise LTSC"
	case iot:
		t.cycles, edition = []string{base + "-iot", base + "-e", base}, " IoT"
	case has("enterprise") || has("education"):
		t.cycles, edition = []string{base + "-e", base}, " Enterprise"
	case has("home") || has("pro") || has("professional"):
		t.cycles, edition = []string{base + "-w", base}, " Home/Pro"
	default:
		t.cycles = []string{base + "-e", base, base + "-w"}
		t.ambiguous = "the edition is not stated, so the Enterprise/Education cycle is assumed (Home/Pro ends earlier, LTSC later)"
	}
	t.label = "Windows " + major + edition + " " + strings.ToUpper(release)
	return t, true
}

func resolveWindowsServer(words []string, has func(...string) bool, ntVersion string) (windowsTarget, bool) {
	t := windowsTarget{product: "windows-server"}
	switch {
	case has("2025"):
		t.cycles, t.label = []string{"2025"}, "Windows Server 2025"
	case has("2022"):
		t.cycles, t.label = []string{"2022"}, "Windows Server 2022"
	case has("2019"):
		t.cycles, t.label = []string{"2019"}, "Windows Server 2019"
	case has("2016"):
		t.cycles, t.label = []string{"2016"}, "Windows Server 2016"
	case has("2012", "r2") || has("2012r2") || ntVersion == "6.3":
		t.cycles, t.label = []string{"2012-r2"}, "Windows Server 2012 R2"
	case has("2012") || ntVersion == "6.2":
		t.cycles, t.label = []string{"2012"}, "Windows Server 2012"
	case has("2008", "r2") || has("2008r2") || ntVersion == "6.1":
		t.cycles, t.label = []string{"2008-r2-sp1"}, "Windows Server 2008 R2"
	case has("2008") || ntVersion == "6.0":
		t.cycles, t.label = []string{"2008-sp2"}, "Windows Server 2008"
	case has("2003"):
		t.cycles, t.label = []string{"2003-sp2"}, "Windows Server 2003"
	case has("2000"):
		t.cycles, t.label = []string{"2000"}, "Windows 2000 Server"
	default:
		t.label = "Windows Server (version not stated)"
	}
	return t, true
}
