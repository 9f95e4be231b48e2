package lifecycle

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/feeds/endoflife"
	"github.com/vigil-med/vigil/internal/sbom"
)

var asOf = time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)

func d(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// testCatalog loads the real endoflife.date fixtures of the endoflife reader.
func testCatalog(t testing.TB) *endoflife.Catalog {
	t.Helper()
	c, err := endoflife.LoadFS(os.DirFS("../feeds/endoflife/testdata/data"), endoflife.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type want struct {
	status     Status
	product    string
	cycle      string
	date       string
	extended   string
	confidence Confidence
	method     string
}

func TestResolveComponent(t *testing.T) {
	r := NewResolver(testCatalog(t), Options{AsOf: asOf})
	tests := []struct {
		name string
		c    sbom.Component
		want want
	}{
		{"log4j-core 2.14.1 by purl: cycle 2 has no end announced",
			sbom.Component{Name: "log4j-core", Version: "2.14.1", PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"},
			want{StatusSupported, "log4j", "2", "", "", ConfidenceHigh, "purl"}},
		{"log4j 2.12 branch",
			sbom.Component{PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.12.4"},
			want{StatusEnded, "log4j", "2.12", "2021-12-14", "", ConfidenceHigh, "purl"}},
		{"log4j 1.x",
			sbom.Component{PURL: "pkg:maven/log4j/log4j@1.2.17"},
			want{StatusEnded, "log4j", "1", "2015-10-15", "", ConfidenceHigh, "purl"}},
		{"log4j-api through Vigil's alias",
			sbom.Component{PURL: "pkg:maven/org.apache.logging.log4j/log4j-api@2.17.1"},
			want{StatusSupported, "log4j", "2", "", "", ConfidenceHigh, "purl"}},
		{"generic openssl with a letter release",
			sbom.Component{PURL: "pkg:generic/openssl@1.0.2u"},
			want{StatusEnded, "openssl", "1.0.2", "2019-12-31", "", ConfidenceHigh, "purl"}},
		{"Debian package follows its distribution",
			sbom.Component{Name: "openssl", PURL: "pkg:deb/debian/openssl@1.1.1n-0+deb10u3?arch=amd64&distro=debian-10"},
			want{StatusEnded, "debian", "10", "2022-09-10", "2024-06-30", ConfidenceHigh, "distro"}},
		{"Debian release from the version tag",
			sbom.Component{PURL: "pkg:deb/debian/libc6@2.31-13+deb11u5"},
			want{StatusEnded, "debian", "11", "2024-08-14", "2026-08-31", ConfidenceMedium, "distro"}},
		{"Debian codename qualifier",
			sbom.Component{PURL: "pkg:deb/debian/bash@5.1-2?distro=bullseye"},
			want{StatusEnded, "debian", "11", "2024-08-14", "2026-08-31", ConfidenceHigh, "distro"}},
		{"RHEL 7 from .el7",
			sbom.Component{PURL: "pkg:rpm/redhat/openssl@1.0.2k-19.el7?arch=x86_64"},
			want{StatusEnded, "rhel", "7", "2024-06-30", "2029-05-31", ConfidenceMedium, "distro"}},
		{"Alpine with a point release in the qualifier",
			sbom.Component{PURL: "pkg:apk/alpine/busybox@1.35.0-r17?arch=x86_64&distro=alpine-3.16.2"},
			want{StatusEnded, "alpine-linux", "3.16", "2024-05-23", "", ConfidenceHigh, "distro"}},
		{"Ubuntu 20.04",
			sbom.Component{PURL: "pkg:deb/ubuntu/bash@5.0-6ubuntu1?distro=ubuntu-20.04"},
			want{StatusEnded, "ubuntu", "20.04", "2025-05-31", "2030-04-02", ConfidenceHigh, "distro"}},
		{".NET runtime by NuGet purl",
			sbom.Component{PURL: "pkg:nuget/Microsoft.NETCore.App.Runtime.win-x64@3.1.32"},
			want{StatusEnded, "dotnet", "3.1", "2022-12-13", "", ConfidenceHigh, "purl"}},
		{"generic python 2.7",
			sbom.Component{PURL: "pkg:generic/python@2.7.18"},
			want{StatusEnded, "python", "2.7", "2020-01-01", "", ConfidenceHigh, "purl"}},
		{"Node.js 22 ends within 12 months",
			sbom.Component{PURL: "pkg:generic/node@22.3.0"},
			want{StatusEndingSoon, "nodejs", "22", "2027-04-30", "", ConfidenceHigh, "purl"}},
		{"embedded Tomcat 9.0 ends within 12 months",
			sbom.Component{PURL: "pkg:maven/org.apache.tomcat.embed/tomcat-embed-core@9.0.50"},
			want{StatusEndingSoon, "tomcat", "9.0", "2027-03-31", "", ConfidenceHigh, "purl"}},
		{"Windows 7 SP1 by CPE",
			sbom.Component{Type: "operating-system", CPE: "cpe:2.3:o:microsoft:windows_7:-:sp1:*:*:*:*:*:*"},
			want{StatusEnded, "windows", "7-sp1", "2020-01-14", "", ConfidenceHigh, "cpe"}},
		{"Windows XP by CPE",
			sbom.Component{CPE: "cpe:2.3:o:microsoft:windows_xp:-:sp3:*:*:*:*:*:*"},
			want{StatusEnded, "windows", "5-sp3", "2014-04-08", "", ConfidenceHigh, "cpe"}},
		{"Windows Server 2008 R2 by CPE, ESU ran to 2023",
			sbom.Component{CPE: "cpe:2.3:o:microsoft:windows_server_2008:r2:sp1:*:*:*:*:x64:*"},
			want{StatusEnded, "windows-server", "2008-r2-sp1", "2020-01-14", "2023-01-10", ConfidenceHigh, "cpe"}},
		{"Windows 10 1809 in the CPE product name, no edition",
			sbom.Component{CPE: "cpe:2.3:o:microsoft:windows_10_1809:-:*:*:*:*:*:x64:*"},
			want{StatusEnded, "windows", "10-1809-e", "2021-05-11", "", ConfidenceLow, "cpe"}},
		{"Windows XP Embedded from Vigil's supplement",
			sbom.Component{Type: "operating-system", Name: "Microsoft Windows XP Embedded", Version: "SP3"},
			want{StatusEnded, "windows-xp-embedded", "", "2016-01-12", "", ConfidenceMedium, "name"}},
		{"Windows Embedded Standard 7",
			sbom.Component{Type: "operating-system", Name: "Windows Embedded Standard 7", Version: "SP1"},
			want{StatusEnded, "windows-embedded", "standard-7-sp1", "2020-10-13", "", ConfidenceMedium, "name"}},
		{"Windows 10 IoT Enterprise LTSC 2021",
			sbom.Component{Type: "operating-system", Name: "Windows 10 IoT Enterprise LTSC 2021"},
			want{StatusSupported, "windows", "10-21h2-iot-lts", "2032-01-13", "", ConfidenceMedium, "name"}},
		{"Windows 10 Enterprise LTSC 2019",
			sbom.Component{Type: "operating-system", Name: "Microsoft Windows 10 Enterprise LTSC 2019"},
			want{StatusSupported, "windows", "10-1809-e-lts", "2029-01-09", "", ConfidenceMedium, "name"}},
		{"Windows by build number, edition assumed",
			sbom.Component{Type: "operating-system", Name: "Windows", Version: "10.0.19045"},
			want{StatusEnded, "windows", "10-22h2", "2025-10-14", "2028-10-10", ConfidenceLow, "name"}},
		{"generic Java name is low confidence",
			sbom.Component{Name: "java", Version: "1.8.0_292"},
			want{StatusEnded, "oracle-jdk", "8", "2022-03-31", "2030-12-31", ConfidenceLow, "name"}},
		{".NET Framework by CPE alias",
			sbom.Component{CPE: "cpe:2.3:a:microsoft:.net_framework:4.6.1:*:*:*:*:*:*:*"},
			want{StatusEnded, "dotnetfx", "4.6.1", "2022-04-26", "", ConfidenceHigh, "cpe"}},
		{"OpenSSL by CPE 2.2 URI",
			sbom.Component{CPE: "cpe:/a:openssl:openssl:1.1.1k"},
			want{StatusEnded, "openssl", "1.1.1", "2023-09-11", "", ConfidenceHigh, "cpe"}},
		{"cycle in the name",
			sbom.Component{Name: "python3.8"},
			want{StatusEnded, "python", "3.8", "2024-10-07", "", ConfidenceMedium, "name"}},
		{"Qt version without a cycle",
			sbom.Component{Name: "Qt", Version: "5.11.1"},
			want{StatusUnknown, "qt", "", "", "", ConfidenceMedium, "name"}},
		{"Debian as the operating system",
			sbom.Component{Type: "operating-system", Name: "debian", Version: "11.6"},
			want{StatusEnded, "debian", "11", "2024-08-14", "2026-08-31", ConfidenceMedium, "name"}},
		{"Ubuntu by CPE",
			sbom.Component{CPE: "cpe:2.3:o:canonical:ubuntu_linux:18.04:*:*:*:lts:*:*:*"},
			want{StatusEnded, "ubuntu", "18.04", "2023-05-31", "2028-04-01", ConfidenceHigh, "cpe"}},
		{"RHEL by CPE",
			sbom.Component{CPE: "cpe:2.3:o:redhat:enterprise_linux:8.6:*:*:*:*:*:*:*"},
			want{StatusSupported, "rhel", "8", "2029-05-31", "2033-05-31", ConfidenceHigh, "cpe"}},
		{"Python by CPE",
			sbom.Component{CPE: "cpe:2.3:a:python:python:3.6.8:*:*:*:*:*:*:*"},
			want{StatusEnded, "python", "3.6", "2021-12-23", "", ConfidenceHigh, "cpe"}},
		{"Qt 5.15 LTS",
			sbom.Component{Name: "qtbase", Version: "5.15.2"},
			want{StatusEnded, "qt", "5.15", "2020-12-08", "2025-05-25", ConfidenceMedium, "name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it, ok := r.Component(tt.c)
			if !ok {
				t.Fatal("not matched")
			}
			got := want{it.Status, it.Source.Product, it.Source.Cycle, "", "", it.Confidence, it.Method}
			if !it.Date.IsZero() {
				got.date = ymd(it.Date)
			}
			if !it.ExtendedUntil.IsZero() {
				got.extended = ymd(it.ExtendedUntil)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("(-want +got)\n%s\nreason: %s", diff, it.Reason)
			}
			if it.Reason == "" {
				t.Error("no reason")
			}
		})
	}
}

func TestResolveComponentNotTracked(t *testing.T) {
	r := NewResolver(testCatalog(t), Options{AsOf: asOf})
	for _, c := range []sbom.Component{
		{Name: "lodash", Version: "4.17.21", PURL: "pkg:npm/lodash@4.17.21"},
		{Name: "libfoo", CPE: "cpe:2.3:a:acme:libfoo:1.0:*:*:*:*:*:*:*"},
		{PURL: "pkg:deb/debian/libc6@2.28-10"}, // a Debian package without any release hint
		{Name: "busybox", Version: "1.36"},
		{PURL: "not a purl", CPE: "not a cpe"},
	} {
		if it, ok := r.Component(c); ok {
			t.Errorf("%+v matched: %+v", c, it)
		}
	}
}

func TestReasons(t *testing.T) {
	r := NewResolver(testCatalog(t), Options{AsOf: asOf})
	tests := []struct {
		c    sbom.Component
		want string
	}{
		{sbom.Component{CPE: "cpe:2.3:o:microsoft:windows_7:-:sp1:*:*:*:*:*:*"},
			"Microsoft Windows 7 SP1: security support ended on 2020-01-14. Matched by CPE cpe:2.3:o:microsoft:windows_7:-:sp1:*:*:*:*:*:* to endoflife.date windows 7-sp1 (high confidence)."},
		{sbom.Component{PURL: "pkg:deb/debian/openssl@1.1.1n-0+deb10u3?distro=debian-10"},
			"Debian 10 (Buster): security support ended on 2022-09-10. Extended support ran until 2024-06-30. Matched by distribution package openssl built for debian-10 (distro qualifier) to endoflife.date debian 10 (high confidence)."},
		{sbom.Component{Name: "Windows XP Embedded"},
			"Windows XP Embedded SP3: extended support ended on 2016-01-12 (Microsoft, Windows Embedded Product Support Lifecycle FAQ (extended support ends January 12, 2016); endoflife.date does not list this product). Matched by name \"Windows XP Embedded\"."},
		{sbom.Component{Name: "Qt", Version: "5.11.1"},
			"Qt: version 5.11.1 matches none of the cycles endoflife.date lists (6.11, 6.10, 6.9, 6.8, 6.7, 6.6, 6.5, 6.4, 6.3, 6.2, 6.1, 6.0, …). Matched by name \"Qt 5.11.1\"."},
		{sbom.Component{Name: "java", Version: "8"},
			"Oracle JDK 8: security support ended on 2022-03-31. Extended support runs until 2030-12-31. Matched by name \"java 8\" to endoflife.date oracle-jdk 8 (low confidence). Note: a generic Java name is read as Oracle Java SE; other builds (Temurin, Corretto, Zulu) have their own dates."},
		{sbom.Component{Name: "Windows", Version: "10"},
			"Windows 10 (feature release not stated): not enough detail to pick a support cycle. Matched by name \"Windows 10\"."},
	}
	for _, tt := range tests {
		it, ok := r.Component(tt.c)
		if !ok {
			t.Errorf("%+v: not matched", tt.c)
			continue
		}
		if it.Reason != tt.want {
			t.Errorf("reason\n got %s\nwant %s", it.Reason, tt.want)
		}
	}
}

func TestOptions(t *testing.T) {
	cat := testCatalog(t)
	c := sbom.Component{CPE: "cpe:2.3:o:microsoft:windows_server_2008:r2:sp1:*:*:*:*:x64:*"}
	// Counting paid extended support moves the date to the ESU end.
	it, _ := NewResolver(cat, Options{AsOf: d("2022-06-01"), CountExtendedSupport: true}).Component(c)
	if it.Status != StatusEndingSoon || ymd(it.Date) != "2023-01-10" || !strings.Contains(it.Reason, "extended support ends on 2023-01-10, within 12 months") {
		t.Errorf("with ESU: %s %v %s", it.Status, it.Date, it.Reason)
	}
	// A six-month window makes the same date "supported".
	it, _ = NewResolver(cat, Options{AsOf: d("2022-06-01"), CountExtendedSupport: true, SoonMonths: 6}).Component(c)
	if it.Status != StatusSupported {
		t.Errorf("6-month window: %s", it.Status)
	}
	// The end date itself counts as ended.
	it, _ = NewResolver(cat, Options{AsOf: d("2020-01-14")}).Component(c)
	if it.Status != StatusEnded {
		t.Errorf("on the day: %s", it.Status)
	}
	it, _ = NewResolver(cat, Options{AsOf: d("2020-01-13")}).Component(c)
	if it.Status != StatusEndingSoon {
		t.Errorf("the day before: %s", it.Status)
	}
}

func TestResolveProduct(t *testing.T) {
	o := Options{AsOf: asOf}
	tests := []struct {
		in     ProductSupport
		status Status
		reason string
	}{
		{ProductSupport{Name: "Philips IntelliSpace Portal 8", EndOfSupport: d("2024-12-31"), Kind: SourceContract, Reference: "service contract 2019-77 §4"},
			StatusEnded, "Philips IntelliSpace Portal 8: support ended on 2024-12-31 according to the contract (service contract 2019-77 §4)."},
		{ProductSupport{Name: "BD Alaris 8015", EndOfSupport: d("2027-03-31"), Kind: SourceMDS2, Reference: "MDS2 DOC-7 2026-03-20"},
			StatusEndingSoon, "BD Alaris 8015: support ends on 2027-03-31 according to the manufacturer's MDS2 form (MDS2 DOC-7 2026-03-20), within 12 months."},
		{ProductSupport{Name: "Infusion pump X", EndOfSupport: d("2034-01-01")},
			StatusSupported, "Infusion pump X: supported until 2034-01-01 according to the manufacturer."},
		{ProductSupport{Name: "Monitor Y"}, StatusUnknown, "Monitor Y: no end of support stated by the manufacturer."},
	}
	for _, tt := range tests {
		it := ResolveProduct(tt.in, o)
		if it.Status != tt.status || it.Reason != tt.reason {
			t.Errorf("got %s %q\nwant %s %q", it.Status, it.Reason, tt.status, tt.reason)
		}
	}
}

func TestClassify(t *testing.T) {
	r := NewResolver(testCatalog(t), Options{AsOf: asOf})
	// Journey 3: a CT workstation on Windows 7 with Debian-based and Java parts.
	comps := []sbom.Component{
		{Ref: "os", Type: "operating-system", CPE: "cpe:2.3:o:microsoft:windows_7:-:sp1:*:*:*:*:*:*"},
		{Ref: "a", PURL: "pkg:deb/debian/openssl@1.1.1n-0+deb10u3?distro=debian-10"},
		{Ref: "b", PURL: "pkg:deb/debian/zlib1g@1.2.11.dfsg-1+deb10u2?distro=debian-10"},
		{Ref: "c", PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1"},
		{Ref: "d", PURL: "pkg:npm/lodash@4.17.21"},
		{Ref: "e", PURL: "pkg:generic/node@22.3.0"},
	}
	items := append(r.Components(comps), ResolveProduct(ProductSupport{Name: "CT scanner console", EndOfSupport: d("2030-12-31")}, r.Options()))
	l := Classify("CT-0042", items)
	if !l.Legacy || l.Status != StatusEnded || ymd(l.Since) != "2020-01-14" {
		t.Errorf("got legacy=%v %s since %v", l.Legacy, l.Status, l.Since)
	}
	var order []string
	for _, it := range l.Items {
		order = append(order, string(it.Status)+" "+it.Subject)
	}
	// The two Debian 10 packages fold into one item; lodash is not tracked.
	if diff := cmp.Diff([]string{
		"ended Microsoft Windows 7 SP1",
		"ended Debian 10 (Buster)",
		"ending-soon Node.js 22",
		"supported CT scanner console",
		"supported Apache Log4j 2",
	}, order); diff != "" {
		t.Errorf("items (-want +got)\n%s", diff)
	}
	if got := l.Summary(); got != "Legacy since 2020-01-14: Microsoft Windows 7 SP1 is out of support (and 2 more)." {
		t.Errorf("summary %q", got)
	}
	if len(l.Reasons) != 3 {
		t.Errorf("%d reasons, want 3", len(l.Reasons))
	}
	if empty := Classify("X", nil); empty.Legacy || empty.Status != StatusUnknown {
		t.Errorf("no items: %+v", empty)
	}
}

func readComponents(tb testing.TB) []sbom.Component {
	tb.Helper()
	b, err := os.ReadFile("testdata/keycloak-10.0.2-components.tsv")
	if err != nil {
		tb.Fatal(err)
	}
	var out []sbom.Component
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			tb.Fatalf("bad line %q", line)
		}
		out = append(out, sbom.Component{Ref: f[2], Name: f[0], Version: f[1], PURL: f[2]})
	}
	return out
}

// TestRealSBOM resolves every component of the real Keycloak 10.0.2 SBOM (CycloneDX bom-examples).
func TestRealSBOM(t *testing.T) {
	r := NewResolver(testCatalog(t), Options{AsOf: asOf})
	comps := readComponents(t)
	if len(comps) != 903 {
		t.Fatalf("%d components, want 903", len(comps))
	}
	items := r.Components(comps)
	counts := map[string]int{}
	for _, it := range items {
		counts[it.Source.Product+" "+it.Source.Cycle+" "+string(it.Status)]++
	}
	// Counted by hand from the TSV: log4j 1.2.17; log4j-api and log4j-to-slf4j 2.10.0; 18 Spring Boot
	// 1.5.x and 13 2.0.x jars; Spring Framework 3.2.13 (6), 4.3.x (19), 5.0.x (17) and spring-core
	// 4.1.6, whose cycle endoflife.date does not list; Tomcat 7.0.92 (6) and 8.5.x (20). The
	// PostgreSQL JDBC driver (pkg:maven/org.postgresql/postgresql) is not the PostgreSQL server and is
	// not matched.
	want := map[string]int{
		"log4j 1 ended":              1,
		"log4j 2 supported":          2,
		"spring-boot 1.5 ended":      18,
		"spring-boot 2.0 ended":      13,
		"spring-framework  unknown":  1,
		"spring-framework 3.2 ended": 6,
		"spring-framework 4.3 ended": 19,
		"spring-framework 5.0 ended": 17,
		"tomcat 7 ended":             6,
		"tomcat 8.5 ended":           20,
	}
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("resolved components (-want +got)\n%s", diff)
	}
	l := Classify("keycloak", items)
	if !l.Legacy || ymd(l.Since) != "2015-10-15" {
		t.Errorf("legacy %v since %v", l.Legacy, l.Since)
	}
}

func FuzzResolveComponent(f *testing.F) {
	for _, c := range readComponents(f)[:200] {
		f.Add(c.Name, c.Version, c.PURL, "")
	}
	f.Add("Windows 10 IoT Enterprise LTSC 2021", "10.0.19044", "", "cpe:2.3:o:microsoft:windows_10_21h2:-:*:*:*:*:*:x64:*")
	f.Add("openssl", "1.1.1n-0+deb10u3", "pkg:deb/debian/openssl@1.1.1n-0+deb10u3?distro=debian-10", "cpe:/a:openssl:openssl:1.1.1n")
	f.Add("", "", "pkg:rpm/redhat/openssl@1.0.2k-19.el7", `cpe:2.3:a:microsoft:.net_framework:4.6.1:*:*:*:*:*:*:*`)
	cat := testCatalog(f)
	r := NewResolver(cat, Options{AsOf: asOf})
	f.Fuzz(func(t *testing.T, name, version, purl, cpeName string) {
		it, ok := r.Component(sbom.Component{Name: name, Version: version, PURL: purl, CPE: cpeName})
		if !ok {
			return
		}
		if it.Reason == "" || it.Status == "" || it.Method == "" {
			t.Fatalf("incomplete item %+v", it)
		}
		if it.Status != StatusUnknown && it.Date.IsZero() && it.Source.Kind == SourceEndOfLife {
			// A known status without a date is allowed only for true/false milestones.
			if p, ok := cat.Product(it.Source.Product); ok {
				if cy, ok := p.Cycle(it.Source.Cycle); ok && cy.EOL.Kind == endoflife.MilestoneDate {
					t.Fatalf("date lost: %+v", it)
				}
			}
		}
	})
}
