package match

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/feeds/epss"
	"github.com/vigil-med/vigil/internal/feeds/eukev"
	"github.com/vigil-med/vigil/internal/feeds/kev"
	"github.com/vigil-med/vigil/internal/sbom"
	"github.com/vigil-med/vigil/internal/vuln"
)

func richIndex(t testing.TB) *Index {
	t.Helper()
	records := loadOSV(t, goFixtures, ghsaFixtures, pypiFixtures, miscFixtures)
	records = append(records, loadNVD(t, "CVE-2021-44228.json", "CVE-2017-0144.json", "CVE-2020-11896.json", "CVE-2014-0160.json", "CVE-2022-3602.json")...)
	cat, err := kev.ReadFile("../feeds/kev/testdata/known_exploited_vulnerabilities.json")
	if err != nil {
		t.Fatal(err)
	}
	records = append(records, cat.Records()...)
	eu, err := eukev.ReadFile("../feeds/eukev/testdata/eukev.json")
	if err != nil {
		t.Fatal(err)
	}
	records = append(records, eu...)
	euvd, err := eukev.ReadEUVDFile("../feeds/eukev/testdata/euvd/EUVD-2022-7287.json")
	if err != nil {
		t.Fatal(err)
	}
	records = append(records, euvd...)
	scores, err := epss.ReadFile("../feeds/epss/testdata/epss_sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	return NewIndex(records, &scores)
}

func TestSnapshotRoundTrip(t *testing.T) {
	idx := richIndex(t)
	var buf bytes.Buffer
	if err := idx.WriteSnapshot(&buf); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	got, err := ReadSnapshot(bytes.NewReader(data), 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(idx.Stats(), got.Stats()); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(idx.Vulnerabilities(), got.Vulnerabilities()); diff != "" {
		t.Errorf("vulnerabilities differ after the round trip (-want +got):\n%s", diff)
	}
	v, _ := got.Vulnerability("CVE-2021-44228")
	if v.EPSS == nil || v.EPSS.Score != 0.99999 || v.CISAKEV == nil || !v.CISAKEV.Ransomware() || len(v.Configurations) == 0 || len(v.Affected) != 3 {
		t.Errorf("Log4Shell after the round trip: EPSS %v KEV %v", v.EPSS, v.CISAKEV)
	}
	tg := &Target{Components: append(purls("pkg:golang/golang.org/x/net@v0.7.0", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"),
		sbom.Component{Ref: "ssl", CPE: "cpe:2.3:a:openssl:openssl:1.0.1f:*:*:*:*:*:*:*"})}
	if diff := cmp.Diff(summary(mustMatch(t, idx, tg)), summary(mustMatch(t, got, tg))); diff != "" {
		t.Errorf("findings differ (-built +snapshot):\n%s", diff)
	}
	// Writing again gives the same bytes.
	var again bytes.Buffer
	if err := got.WriteSnapshot(&again); err != nil || !bytes.Equal(again.Bytes(), data) {
		t.Errorf("snapshot is not deterministic (%v)", err)
	}

	bad := func(name string, b []byte, max int64) {
		if _, err := ReadSnapshot(bytes.NewReader(b), max); !errors.Is(err, ErrSnapshot) {
			t.Errorf("%s: err = %v, want ErrSnapshot", name, err)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
	flip := bytes.Clone(data)
	flip[len(flip)/2] ^= 0x40
	bad("corrupt", flip, 0)
	bad("truncated", data[:len(data)-100], 0)
	bad("header only", data[:10], 0)
	bad("not a snapshot", []byte("PK\x03\x04 this is a zip file, not a snapshot"), 0)
	ver := bytes.Clone(data)
	binary.LittleEndian.PutUint32(ver[8:], 99)
	bad("version", ver, 0)
	bad("limit", data, 1000)
	huge := bytes.Clone(data[:24])
	binary.LittleEndian.PutUint64(huge[12:], 1<<40)
	bad("huge length", huge, 1<<41)
}

// TestSnapshotCoversModel fails when a field is added to the vulnerability model, as a reminder
// to add it to the snapshot codec (and to bump SnapshotVersion).
func TestSnapshotCoversModel(t *testing.T) {
	want := map[string]int{"Vulnerability": 18, "Severity": 5, "Reference": 2, "Affected": 6, "Range": 3, "Event": 2,
		"Configuration": 4, "Node": 3, "CPEMatch": 7, "CISAKEV": 11, "EUKEV": 12, "EUVD": 5, "EUVDProduct": 3, "EPSS": 4, "Source": 5}
	for _, v := range []any{vuln.Vulnerability{}, vuln.Severity{}, vuln.Reference{}, vuln.Affected{}, vuln.Range{}, vuln.Event{},
		vuln.Configuration{}, vuln.Node{}, vuln.CPEMatch{}, vuln.CISAKEV{}, vuln.EUKEV{}, vuln.EUVD{}, vuln.EUVDProduct{}, vuln.EPSS{}, vuln.Source{}} {
		typ := reflect.TypeOf(v)
		if typ.NumField() != want[typ.Name()] {
			t.Errorf("vuln.%s has %d fields, the snapshot codec knows %d: update snapshot.go", typ.Name(), typ.NumField(), want[typ.Name()])
		}
	}
}

func snapshotOf(payload []byte) []byte {
	var hdr [24]byte
	copy(hdr[:8], snapshotMagic)
	binary.LittleEndian.PutUint32(hdr[8:], SnapshotVersion)
	binary.LittleEndian.PutUint64(hdr[12:], uint64(len(payload)))
	binary.LittleEndian.PutUint32(hdr[20:], crc32.Checksum(payload, castagnoli))
	return append(hdr[:], payload...)
}

// FuzzReadSnapshot feeds payloads with a valid header and checksum, so the decoder itself is
// exercised; it must fail cleanly, never panic or allocate without bound.
func FuzzReadSnapshot(f *testing.F) {
	idx := NewIndex(loadOSV(f, goFixtures)[:5], nil)
	var buf bytes.Buffer
	if err := idx.WriteSnapshot(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes()[24:])
	// a tiny record with every optional part, and an empty index
	tiny := vuln.Vulnerability{ID: "X-1", Aliases: []string{"CVE-2020-0001"}, Withdrawn: time.Unix(5, 6),
		Severity:       []vuln.Severity{{Type: vuln.CVSSv3, Vector: "v", Score: 1, Level: vuln.Low, Source: "s"}},
		References:     []vuln.Reference{{Type: "WEB", URL: "u"}},
		Affected:       []vuln.Affected{{Ecosystem: "Go", Name: "a", Ranges: []vuln.Range{{Type: "SEMVER", Events: []vuln.Event{{Kind: vuln.Introduced, Version: "0"}}}}, Versions: []string{"1"}, Source: "X-1"}},
		Configurations: []vuln.Configuration{{Source: "X-1", Operator: "AND", Nodes: []vuln.Node{{Operator: "OR", Matches: []vuln.CPEMatch{{Vulnerable: true, Criteria: "cpe:2.3:a:b:c:*:*:*:*:*:*:*:*", VersionEndExcluding: "2"}}}}}},
		CISAKEV:        &vuln.CISAKEV{DateAdded: time.Unix(1, 0)}, EUKEV: &vuln.EUKEV{EUVDID: "EUVD-1"}, EUVD: &vuln.EUVD{ID: "EUVD-1", Products: []vuln.EUVDProduct{{Vendor: "v"}}},
		EPSS: &vuln.EPSS{Score: 0.5}, Sources: []vuln.Source{{Kind: vuln.SourceOSV, ID: "X-1"}}}
	for _, ix := range []*Index{NewIndex([]vuln.Vulnerability{tiny}, nil), NewIndex(nil, nil)} {
		buf.Reset()
		ix.WriteSnapshot(&buf)
		f.Add(buf.Bytes()[24:])
	}
	small := NewIndex(loadNVD(f, "CVE-2020-11896.json"), nil)
	buf.Reset()
	small.WriteSnapshot(&buf)
	f.Add(buf.Bytes()[24:])
	f.Fuzz(func(t *testing.T, payload []byte) {
		idx, err := ReadSnapshot(bytes.NewReader(snapshotOf(payload)), 1<<20)
		if err != nil {
			return
		}
		for _, v := range idx.Vulnerabilities() {
			if v == nil {
				t.Fatal("nil vulnerability")
			}
		}
	})
}
