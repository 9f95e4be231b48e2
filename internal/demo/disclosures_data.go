package demo

// The demo's SBOMs as data: the software stacks of some of the inventory's product versions, with real
// component names, versions, package URLs and CPE names. The versions are those that were shipped in
// devices of that age, and several are flagged by public vulnerability data (NVD, OSV, CISA KEV):
// OpenSSL 1.0.1e (Heartbleed), 1.0.2k and 1.1.1k, log4j-core 2.14.1 (Log4Shell), zlib before 1.2.12,
// VxWorks 6.9 (URGENT/11), QNX Neutrino 6.5.0 (BadAlloc), DCMTK before 3.6.7 (ICSMA-22-174-01),
// wpa_supplicant 2.4 (KRACK), Windows 7 and XP, jackson-databind 2.9.8, Newtonsoft.Json before 13.0.1.
// Which device runs which stack is fiction.

type demoComp struct {
	typ, group, name, version, purl, cpe, supplier, license string
}

func osComp(name, version, cpe, supplier string) demoComp {
	return demoComp{typ: "operating-system", name: name, version: version, cpe: cpe, supplier: supplier}
}

func lib(name, version, purl, cpe, supplier, license string) demoComp {
	return demoComp{typ: "library", name: name, version: version, purl: purl, cpe: cpe, supplier: supplier, license: license}
}

func mvn(group, name, version, cpe, license string) demoComp {
	return demoComp{typ: "library", group: group, name: name, version: version, license: license, cpe: cpe,
		purl: "pkg:maven/" + group + "/" + name + "@" + version}
}

func nuget(name, version, license string) demoComp {
	return demoComp{typ: "library", name: name, version: version, license: license, purl: "pkg:nuget/" + name + "@" + version}
}

func npm(name, version, cpe, license string) demoComp {
	return demoComp{typ: "library", name: name, version: version, license: license, cpe: cpe, purl: "pkg:npm/" + name + "@" + version}
}

// Common components.
var (
	openssl101e  = lib("openssl", "1.0.1e", "pkg:generic/openssl@1.0.1e", "cpe:2.3:a:openssl:openssl:1.0.1e:*:*:*:*:*:*:*", "OpenSSL Project", "OpenSSL")
	openssl102k  = lib("openssl", "1.0.2k", "pkg:generic/openssl@1.0.2k", "cpe:2.3:a:openssl:openssl:1.0.2k:*:*:*:*:*:*:*", "OpenSSL Project", "OpenSSL")
	openssl111k  = lib("openssl", "1.1.1k", "pkg:generic/openssl@1.1.1k", "cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*", "OpenSSL Project", "OpenSSL")
	openssl098h  = lib("openssl", "0.9.8h", "pkg:generic/openssl@0.9.8h", "cpe:2.3:a:openssl:openssl:0.9.8h:*:*:*:*:*:*:*", "OpenSSL Project", "OpenSSL")
	zlib128      = lib("zlib", "1.2.8", "pkg:generic/zlib@1.2.8", "cpe:2.3:a:zlib:zlib:1.2.8:*:*:*:*:*:*:*", "Jean-loup Gailly and Mark Adler", "Zlib")
	zlib1211     = lib("zlib", "1.2.11", "pkg:generic/zlib@1.2.11", "cpe:2.3:a:zlib:zlib:1.2.11:*:*:*:*:*:*:*", "Jean-loup Gailly and Mark Adler", "Zlib")
	zlib125      = lib("zlib", "1.2.5", "pkg:generic/zlib@1.2.5", "cpe:2.3:a:zlib:zlib:1.2.5:*:*:*:*:*:*:*", "Jean-loup Gailly and Mark Adler", "Zlib")
	curl7580     = lib("curl", "7.58.0", "pkg:generic/curl@7.58.0", "cpe:2.3:a:haxx:curl:7.58.0:*:*:*:*:*:*:*", "Daniel Stenberg", "curl")
	libxml294    = lib("libxml2", "2.9.4", "pkg:generic/libxml2@2.9.4", "cpe:2.3:a:xmlsoft:libxml2:2.9.4:*:*:*:*:*:*:*", "xmlsoft.org", "MIT")
	sqlite3220   = lib("sqlite", "3.22.0", "pkg:generic/sqlite@3.22.0", "cpe:2.3:a:sqlite:sqlite:3.22.0:*:*:*:*:*:*:*", "SQLite", "blessing")
	sqlite3080   = lib("sqlite", "3.8.0", "pkg:generic/sqlite@3.8.0", "cpe:2.3:a:sqlite:sqlite:3.8.0:*:*:*:*:*:*:*", "SQLite", "blessing")
	libpng1513   = lib("libpng", "1.5.13", "pkg:generic/libpng@1.5.13", "cpe:2.3:a:libpng:libpng:1.5.13:*:*:*:*:*:*:*", "libpng", "Libpng")
	libpng1634   = lib("libpng", "1.6.34", "pkg:generic/libpng@1.6.34", "cpe:2.3:a:libpng:libpng:1.6.34:*:*:*:*:*:*:*", "libpng", "Libpng")
	expat220     = lib("expat", "2.2.0", "pkg:generic/expat@2.2.0", "cpe:2.3:a:libexpat_project:libexpat:2.2.0:*:*:*:*:*:*:*", "Expat", "MIT")
	dcmtk362     = lib("dcmtk", "3.6.2", "pkg:generic/dcmtk@3.6.2", "cpe:2.3:a:offis:dcmtk:3.6.2:*:*:*:*:*:*:*", "OFFIS e.V.", "BSD-3-Clause")
	dcmtk354     = lib("dcmtk", "3.5.4", "pkg:generic/dcmtk@3.5.4", "cpe:2.3:a:offis:dcmtk:3.5.4:*:*:*:*:*:*:*", "OFFIS e.V.", "BSD-3-Clause")
	jquery1124   = npm("jquery", "1.12.4", "cpe:2.3:a:jquery:jquery:1.12.4:*:*:*:*:*:*:*", "MIT")
	bootstrap3   = npm("bootstrap", "3.3.7", "cpe:2.3:a:getbootstrap:bootstrap:3.3.7:*:*:*:*:*:*:*", "MIT")
	log4j2141    = mvn("org.apache.logging.log4j", "log4j-core", "2.14.1", "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*", "Apache-2.0")
	log4j2111    = mvn("org.apache.logging.log4j", "log4j-core", "2.11.1", "cpe:2.3:a:apache:log4j:2.11.1:*:*:*:*:*:*:*", "Apache-2.0")
	log4jAPI     = mvn("org.apache.logging.log4j", "log4j-api", "2.14.1", "", "Apache-2.0")
	jackson298   = mvn("com.fasterxml.jackson.core", "jackson-databind", "2.9.8", "cpe:2.3:a:fasterxml:jackson-databind:2.9.8:*:*:*:*:*:*:*", "Apache-2.0")
	tomcat8523   = mvn("org.apache.tomcat.embed", "tomcat-embed-core", "8.5.23", "cpe:2.3:a:apache:tomcat:8.5.23:*:*:*:*:*:*:*", "Apache-2.0")
	spring439    = mvn("org.springframework", "spring-core", "4.3.9.RELEASE", "cpe:2.3:a:vmware:spring_framework:4.3.9:*:*:*:*:*:*:*", "Apache-2.0")
	collections  = mvn("commons-collections", "commons-collections", "3.2.1", "cpe:2.3:a:apache:commons_collections:3.2.1:*:*:*:*:*:*:*", "Apache-2.0")
	dcm4che      = mvn("org.dcm4che", "dcm4che-core", "3.3.8", "", "MPL-1.1")
	openjdk8     = lib("openjdk", "1.8.0_181", "pkg:generic/openjdk@1.8.0_181", "cpe:2.3:a:oracle:openjdk:1.8.0:update181:*:*:*:*:*:*", "Oracle", "GPL-2.0-only WITH Classpath-exception-2.0")
	newtonsoft9  = nuget("Newtonsoft.Json", "9.0.1", "MIT")
	newtonsoft12 = nuget("Newtonsoft.Json", "12.0.1", "MIT")
	log4net      = nuget("log4net", "2.0.8", "Apache-2.0")
	entityFW     = nuget("EntityFramework", "6.1.3", "Apache-2.0")
	sysDataSQL   = nuget("System.Data.SqlClient", "4.4.0", "MIT")
	dotnet452    = demoComp{typ: "framework", name: ".NET Framework", version: "4.5.2", cpe: "cpe:2.3:a:microsoft:.net_framework:4.5.2:*:*:*:*:*:*:*", supplier: "Microsoft"}
	dotnet472    = demoComp{typ: "framework", name: ".NET Framework", version: "4.7.2", cpe: "cpe:2.3:a:microsoft:.net_framework:4.7.2:*:*:*:*:*:*:*", supplier: "Microsoft"}
	dotnet48     = demoComp{typ: "framework", name: ".NET Framework", version: "4.8", cpe: "cpe:2.3:a:microsoft:.net_framework:4.8:*:*:*:*:*:*:*", supplier: "Microsoft"}
	dotnetCF35   = demoComp{typ: "framework", name: ".NET Compact Framework", version: "3.5", cpe: "cpe:2.3:a:microsoft:.net_compact_framework:3.5:*:*:*:*:*:*:*", supplier: "Microsoft"}
	sql2012      = demoComp{typ: "application", name: "SQL Server Express", version: "2012 SP4", cpe: "cpe:2.3:a:microsoft:sql_server:2012:sp4:*:*:*:*:*:*", supplier: "Microsoft"}
	sql2016      = demoComp{typ: "application", name: "SQL Server", version: "2016 SP2", cpe: "cpe:2.3:a:microsoft:sql_server:2016:sp2:*:*:*:*:*:*", supplier: "Microsoft"}
	iis10        = demoComp{typ: "application", name: "Internet Information Services", version: "10.0", cpe: "cpe:2.3:a:microsoft:internet_information_services:10.0:*:*:*:*:*:*:*", supplier: "Microsoft"}

	win7emb   = osComp("Windows Embedded Standard 7", "SP1", "cpe:2.3:o:microsoft:windows_7:-:sp1:*:*:*:*:*:*", "Microsoft")
	win7      = osComp("Windows 7 Professional", "SP1", "cpe:2.3:o:microsoft:windows_7:-:sp1:*:*:*:*:*:*", "Microsoft")
	win10iot  = osComp("Windows 10 IoT Enterprise LTSC 2019", "1809", "cpe:2.3:o:microsoft:windows_10_1809:-:*:*:*:*:*:x64:*", "Microsoft")
	win10ent  = osComp("Windows 10 Enterprise", "1809", "cpe:2.3:o:microsoft:windows_10_1809:-:*:*:*:*:*:x64:*", "Microsoft")
	winXP     = osComp("Windows XP Professional", "SP3", "cpe:2.3:o:microsoft:windows_xp:-:sp3:*:*:*:*:*:*", "Microsoft")
	winCE6    = osComp("Windows Embedded CE", "6.0", "cpe:2.3:o:microsoft:windows_ce:6.0:*:*:*:*:*:*:*", "Microsoft")
	win2012   = osComp("Windows Server 2012 R2", "", "cpe:2.3:o:microsoft:windows_server_2012:r2:*:*:*:*:*:*:*", "Microsoft")
	win2016   = osComp("Windows Server 2016", "1607", "cpe:2.3:o:microsoft:windows_server_2016:-:*:*:*:*:*:*:*", "Microsoft")
	vxworks69 = osComp("VxWorks", "6.9", "cpe:2.3:o:windriver:vxworks:6.9:*:*:*:*:*:*:*", "Wind River")
	vxworks66 = osComp("VxWorks", "6.6", "cpe:2.3:o:windriver:vxworks:6.6:*:*:*:*:*:*:*", "Wind River")
	qnx650    = osComp("QNX Neutrino RTOS", "6.5.0", "cpe:2.3:o:blackberry:qnx_neutrino_rtos:6.5.0:*:*:*:*:*:*:*", "BlackBerry QNX")
	qnx700    = osComp("QNX Software Development Platform", "7.0", "cpe:2.3:o:blackberry:qnx_software_development_platform:7.0:*:*:*:*:*:*:*", "BlackBerry QNX")
)

func linuxKernel(v string) demoComp {
	return demoComp{typ: "operating-system", name: "linux", version: v, cpe: "cpe:2.3:o:linux:linux_kernel:" + v + ":*:*:*:*:*:*:*",
		purl: "pkg:generic/linux@" + v, supplier: "kernel.org", license: "GPL-2.0-only"}
}

func busybox(v string) demoComp {
	return lib("busybox", v, "pkg:generic/busybox@"+v, "cpe:2.3:a:busybox:busybox:"+v+":*:*:*:*:*:*:*", "BusyBox", "GPL-2.0-only")
}

func dropbear(v string) demoComp {
	return lib("dropbear", v, "pkg:generic/dropbear@"+v, "cpe:2.3:a:dropbear_ssh_project:dropbear_ssh:"+v+":*:*:*:*:*:*:*", "Matt Johnston", "MIT")
}

// yoctoBase is the userland of an embedded Linux built with Yocto of about 2017 (or 2020 when newer).
func yoctoBase(newer bool) []demoComp {
	type p struct{ name, old, new, license string }
	var out []demoComp
	for _, x := range []p{{"base-files", "3.0.14", "3.0.14", "GPL-2.0-only"}, {"glibc", "2.26", "2.31", "LGPL-2.1-or-later"},
		{"libgcc", "7.3.0", "9.3.0", "GPL-3.0-with-GCC-exception"}, {"ncurses", "6.0", "6.2", "MIT"}, {"readline", "7.0", "8.0", "GPL-3.0-or-later"},
		{"util-linux", "2.30", "2.35.1", "GPL-2.0-or-later"}, {"e2fsprogs", "1.43.5", "1.45.6", "GPL-2.0-only"}, {"iptables", "1.6.1", "1.8.4", "GPL-2.0-only"},
		{"iproute2", "4.11.0", "5.5.0", "GPL-2.0-only"}, {"libffi", "3.2.1", "3.3", "MIT"}, {"dbus", "1.10.20", "1.12.16", "AFL-2.1 OR GPL-2.0-or-later"},
		{"systemd", "234", "244", "LGPL-2.1-or-later"}, {"udev-rules", "1.0", "1.0", "MIT"}, {"libusb1", "1.0.21", "1.0.23", "LGPL-2.1-or-later"},
		{"i2c-tools", "3.1.2", "4.1", "GPL-2.0-or-later"}, {"tzdata", "2017c", "2020a", "PD"}, {"ca-certificates", "20170717", "20200601", "MPL-2.0"},
		{"openssh-sftp-server", "7.5p1", "8.2p1", "BSD-2-Clause"}, {"logrotate", "3.12.3", "3.15.1", "GPL-2.0-only"}, {"mtd-utils", "2.0.1", "2.1.1", "GPL-2.0-or-later"}} {
		v := x.old
		if newer {
			v = x.new
		}
		out = append(out, lib(x.name, v, "pkg:generic/"+x.name+"@"+v, "", "Yocto Project", x.license))
	}
	return out
}

// demoSBOM is the stack of one product version of the inventory ("Manufacturer|Product|Version").
type demoSBOM struct {
	version string
	comps   []demoComp
}

func join(parts ...[]demoComp) []demoComp {
	var out []demoComp
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func demoSBOMs() []demoSBOM {
	pumpOld := join([]demoComp{linuxKernel("3.10.108"), busybox("1.24.2"), openssl102k, zlib128, dropbear("2016.74"), sqlite3080}, yoctoBase(false))
	pumpNew := join([]demoComp{linuxKernel("4.9.88"), busybox("1.27.2"), openssl111k, zlib1211, dropbear("2019.78"), curl7580, sqlite3220}, yoctoBase(true))
	spaceCom := func(base []demoComp) []demoComp {
		return join(base, []demoComp{lib("lighttpd", "1.4.45", "pkg:generic/lighttpd@1.4.45", "cpe:2.3:a:lighttpd:lighttpd:1.4.45:*:*:*:*:*:*:*", "lighttpd", "BSD-3-Clause"),
			libxml294, expat220, jquery1124, bootstrap3})
	}
	hl7 := mvn("ca.uhn.hapi", "hapi-base", "2.3", "", "MPL-1.1")
	javaServer := []demoComp{openjdk8, tomcat8523, log4j2141, log4jAPI, jackson298, spring439, mvn("com.fasterxml.jackson.core", "jackson-core", "2.9.8", "", "Apache-2.0"),
		mvn("org.apache.commons", "commons-lang3", "3.7", "", "Apache-2.0"), mvn("com.google.guava", "guava", "24.1-jre", "cpe:2.3:a:google:guava:24.1:*:*:*:*:*:*:*", "Apache-2.0"),
		mvn("org.hibernate", "hibernate-core", "5.2.12.Final", "", "LGPL-2.1-only"), mvn("org.postgresql", "postgresql", "42.1.4", "cpe:2.3:a:postgresql:postgresql_jdbc_driver:42.1.4:*:*:*:*:*:*:*", "BSD-2-Clause"), hl7}
	dotnetDesktop := func(fw demoComp, json demoComp) []demoComp {
		return []demoComp{fw, json, log4net, entityFW, sysDataSQL, nuget("DotNetZip", "1.10.1", "MS-PL"), nuget("NLog", "4.4.12", "BSD-3-Clause")}
	}
	return []demoSBOM{
		{"B. Braun|Infusomat Space|U61", pumpOld}, {"B. Braun|Infusomat Space|U62", pumpNew},
		{"B. Braun|Perfusor Space|U61", pumpOld}, {"B. Braun|Perfusor Space|U62", pumpNew},
		{"B. Braun|SpaceCom 2|U61", spaceCom(pumpOld)}, {"B. Braun|SpaceCom 2|U62", spaceCom(pumpNew)},
		{"BD|Alaris PC Unit Model 8015|9.33.1", []demoComp{vxworks66, openssl102k, zlib128}},
		{"BD|Alaris PC Unit Model 8015|12.1.3", []demoComp{vxworks69, openssl102k, zlib1211, sqlite3220}},
		{"BD|Alaris Gateway Workstation|1.1.6", []demoComp{winCE6, dotnetCF35, sqlite3080, openssl098h}},
		{"BD|Alaris Gateway Workstation|1.6.1", []demoComp{winCE6, dotnetCF35, sqlite3220, openssl102k}},
		{"BD|Alaris Systems Manager|4.33", join([]demoComp{win2016, sql2016, iis10}, javaServer)},
		{"BD|Pyxis MedStation ES|1.7.2", join([]demoComp{win10iot, sql2012}, dotnetDesktop(dotnet472, newtonsoft12), []demoComp{jquery1124})},
		{"Philips|IntelliVue MX800|M.00.03", []demoComp{qnx650, openssl101e, zlib125, libpng1513}},
		{"Philips|IntelliVue MX800|N.00.01", []demoComp{qnx700, openssl102k, zlib1211, libpng1634}},
		{"Philips|Patient Information Center iX|B.02", join([]demoComp{win7emb, sql2012}, dotnetDesktop(dotnet452, newtonsoft9), []demoComp{openssl102k, jquery1124})},
		{"Philips|Patient Information Center iX|C.03", join([]demoComp{win10iot, sql2016}, dotnetDesktop(dotnet48, newtonsoft12), []demoComp{openssl111k, jquery1124})},
		{"Philips|Vue PACS|12.2.0.1", join([]demoComp{win2016, sql2016, dcmtk362, dcm4che}, javaServer)},
		{"Philips|IntelliSpace Cardiovascular|2.3.0", []demoComp{win2012, openjdk8, log4j2111, mvn("org.apache.logging.log4j", "log4j-api", "2.11.1", "", "Apache-2.0"),
			collections, mvn("org.apache.struts", "struts2-core", "2.3.34", "cpe:2.3:a:apache:struts:2.3.34:*:*:*:*:*:*:*", "Apache-2.0"), dcmtk362, sql2012}},
		{"GE HealthCare|CARESCAPE B450|2.0.6", []demoComp{qnx650, openssl102k, zlib128, libpng1513}},
		{"GE HealthCare|CARESCAPE B450|3.2", []demoComp{qnx700, openssl111k, zlib1211, libpng1634}},
		{"GE HealthCare|CARESCAPE Central Station|2.0", join([]demoComp{win7emb, sql2012}, dotnetDesktop(dotnet452, newtonsoft9))},
		{"GE HealthCare|LOGIQ E10|R3.2.1", []demoComp{win10iot, dcmtk362, openssl102k, zlib1211, libxml294, dotnet472}},
		{"Siemens Healthineers|syngo.via|VB40A", join([]demoComp{win10ent, dcmtk362, libxml294, sqlite3220, openssl111k}, dotnetDesktop(dotnet472, newtonsoft12))},
		{"Siemens Healthineers|Symbia.net SPECT Workplace|VA60A", []demoComp{winXP, dcmtk354, openssl098h, zlib125}},
		{"Hamilton Medical|HAMILTON-T1|2.2.3", join([]demoComp{linuxKernel("4.1.15"), busybox("1.24.1"), openssl102k, zlib128}, yoctoBase(false))},
		{"Hamilton Medical|HAMILTON-T1|3.0.4", join([]demoComp{linuxKernel("5.4.3"), busybox("1.31.1"), openssl111k, zlib1211}, yoctoBase(true))},
		{"Stryker|S3 MedSurg Bed|iBed Wireless 2.1", []demoComp{linuxKernel("2.6.35"), busybox("1.19.4"), openssl101e,
			lib("wpa_supplicant", "2.4", "pkg:generic/wpa_supplicant@2.4", "cpe:2.3:a:w1.fi:wpa_supplicant:2.4:*:*:*:*:*:*:*", "w1.fi", "BSD-3-Clause")}},
		{"Swisslog Healthcare|Translogic Nexus Control Panel|7.2.5.6", join([]demoComp{linuxKernel("3.10.108"), busybox("1.24.2"), openssl102k, zlib128,
			lib("libcurl", "7.58.0", "pkg:generic/curl@7.58.0", "cpe:2.3:a:haxx:libcurl:7.58.0:*:*:*:*:*:*:*", "Daniel Stenberg", "curl")}, yoctoBase(false))},
		{"ZOLL|Defibrillator Dashboard|2.1", join([]demoComp{win2016, sql2016, iis10}, dotnetDesktop(dotnet472, newtonsoft9), []demoComp{jquery1124, bootstrap3})},
		{"Roche Diagnostics|cobas IT 1000 Workstation|4.2", join([]demoComp{win7, sql2012}, dotnetDesktop(dotnet452, newtonsoft9))},
	}
}
