package findingset

import (
	"bytes"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func sampleSet() []Entry {
	return []Entry{
		{ID: 7, ComponentKey: "pkg:golang/golang.org/x/net@v0.7.0", ComponentID: 1201, VulnID: "GO-2023-2102", MatchID: 88,
			MatchHash: -0x1234_5678_9abc_def0, SeverityRank: 3, Active: true, State: "new",
			FirstSeen: at("2026-11-30T08:00:00.123456Z"), LastSeen: at("2026-11-30T09:30:00Z")},
		{ID: 8, ComponentKey: "", ComponentID: 0, VulnID: "CVE-2024-0001", MatchID: 89, MatchHash: 42, SeverityRank: 4, Active: true,
			KEVNotified: true, State: "risk_accepted", Justification: "", Owner: "Dr. Müller (Medizintechnik)",
			Expires: at("2027-03-31T00:00:00Z"), StateChanged: at("2026-11-30T10:00:00.000001Z"), StateBy: "ciso@nordstadt-hospital.example",
			FirstSeen: at("2026-01-02T03:04:05Z"), LastSeen: at("2026-11-30T10:00:00Z")},
		{ID: 1 << 40, ComponentKey: "cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*", ComponentID: -1, VulnID: "CVE-2021-3711", MatchID: 1 << 41,
			State: "not_affected", Justification: "vulnerable_code_not_in_execute_path", FirstSeen: time.Unix(0, 0).UTC(),
			LastSeen: at("1999-12-31T23:59:59.999999Z"), Gone: at("2026-11-29T00:00:00Z")},
	}
}

func sampleContents() []Content {
	return []Content{
		{ID: 88, Digest: "0123456789abcdef0123456789abcdef", Aliases: "CVE-2023-44487 GHSA-qppj-fm5r-hxr3", ComponentName: "golang.org/x/net",
			ComponentVersion: "v0.7.0", ComponentPURL: "pkg:golang/golang.org/x/net@v0.7.0", RecordID: "GO-2023-2102", Source: "OSV",
			Matcher: "osv-range", Reason: "pkg:golang/golang.org/x/net@0.7.0 is in range introduced 0 / fixed 0.17.0 of GO-2023-2102 (OSV)",
			OtherReasons: "line one\nline two", Confidence: 1, Severity: "high", SeverityRank: 3, CVSSScore: 7.5,
			CVSSVectors: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", FixedVersion: "0.17.0", MatchStatus: "affected", Active: true},
		{ID: 89, Digest: "f12", ComponentCPE: "cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*", Source: "NVD", Matcher: "nvd-cpe",
			Confidence: 0.6, Guessed: true, Severity: "unknown", CVSSScore: math.Inf(1), MatchStatus: "not_affected",
			VEXOrigin: "hospital", VEXStatementID: -3, VEXSource: "triage:12", VEXJustification: "component_not_present"},
	}
}

func TestSetRoundTrip(t *testing.T) {
	for _, es := range [][]Entry{nil, sampleSet(), sampleSet()[1:2]} {
		b, err := AppendSet(nil, es)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeSet(b)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(es) {
			t.Fatalf("%d entries back, want %d", len(got), len(es))
		}
		for i := range es {
			if !sameEntry(got[i], es[i]) {
				t.Errorf("entry %d:\n got %+v\nwant %+v", i, got[i], es[i])
			}
		}
	}
}

// ScanSet sees what DecodeSet returns, entry by entry, with strings that are slices of the value
// which an append cannot overwrite; an error of fn stops it and comes back as it is.
func TestScanSet(t *testing.T) {
	b, _ := AppendSet(nil, sampleSet())
	orig := bytes.Clone(b)
	var got []Entry
	err := ScanSet(b, func(v *EntryView) error {
		_ = append(v.ComponentKey, "overwrite"...)
		got = append(got, v.Entry())
		return nil
	})
	if err != nil || len(got) != 3 {
		t.Fatalf("scan: %d entries, %v", len(got), err)
	}
	for i, want := range sampleSet() {
		if !sameEntry(got[i], want) {
			t.Errorf("entry %d:\n got %+v\nwant %+v", i, got[i], want)
		}
	}
	if !bytes.Equal(b, orig) {
		t.Error("appending to a view's string changed the set")
	}
	stop := errors.New("enough")
	n := 0
	if err := ScanSet(b, func(*EntryView) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("fn's error: %v after %d entries", err, n)
	}
	// a damaged set: the entries before the damage were seen, then its FormatError
	n = 0
	err = ScanSet(b[:len(b)-1], func(*EntryView) error { n++; return nil })
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Entry != 2 || n != 2 {
		t.Errorf("cut set: %v after %d entries", err, n)
	}
}

// ScanContents sees what DecodeContents returns, with the same guarantees as ScanSet.
func TestScanContents(t *testing.T) {
	b, _ := AppendContents(nil, sampleContents())
	orig := bytes.Clone(b)
	var got []Content
	err := ScanContents(b, func(v *ContentView) error {
		_ = append(v.Digest, "overwrite"...)
		got = append(got, v.Content())
		return nil
	})
	if err != nil || len(got) != 2 {
		t.Fatalf("scan: %d contents, %v", len(got), err)
	}
	for i, want := range sampleContents() {
		if !sameContent(got[i], want) {
			t.Errorf("content %d:\n got %+v\nwant %+v", i, got[i], want)
		}
	}
	if !bytes.Equal(b, orig) {
		t.Error("appending to a view's string changed the segment")
	}
	stop := errors.New("enough")
	if err := ScanContents(b, func(*ContentView) error { return stop }); err != stop {
		t.Errorf("fn's error: %v", err)
	}
	n := 0
	err = ScanContents(b[:len(b)-1], func(*ContentView) error { n++; return nil })
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Entry != 1 || n != 1 {
		t.Errorf("cut segment: %v after %d contents", err, n)
	}
}

func TestContentsRoundTrip(t *testing.T) {
	for _, cs := range [][]Content{nil, sampleContents()} {
		b, err := AppendContents(nil, cs)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeContents(b)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(cs) {
			t.Fatalf("%d contents back, want %d", len(got), len(cs))
		}
		for i := range cs {
			if !sameContent(got[i], cs[i]) {
				t.Errorf("content %d:\n got %+v\nwant %+v", i, got[i], cs[i])
			}
		}
	}
	// NaN keeps its bits
	nan := sampleContents()[:1]
	nan[0].CVSSScore = math.NaN()
	b, _ := AppendContents(nil, nan)
	if got, err := DecodeContents(b); err != nil || !math.IsNaN(got[0].CVSSScore) {
		t.Errorf("NaN score: %v, %v", got, err)
	}
}

// The formats are stored: the same values must keep the same bytes (go test -update rewrites them
// after a deliberate change, which needs a new format version and a way to read the old one).
func TestGolden(t *testing.T) {
	set, err := AppendSet(nil, sampleSet())
	if err != nil {
		t.Fatal(err)
	}
	contents, err := AppendContents(nil, sampleContents())
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"set.golden": set, "contents.golden": contents} {
		path := "testdata/" + name
		text := []byte(hex.Dump(b))
		if *update {
			if err := os.WriteFile(path, text, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(text, want) {
			t.Errorf("%s changed:\n%s", name, text)
		}
	}
}

func TestEncodeRefuses(t *testing.T) {
	es := sampleSet()
	es[1].ID = es[0].ID
	if _, err := AppendSet(nil, es); err == nil || !strings.Contains(err.Error(), "entry 1: id 7 after 7") {
		t.Errorf("repeated id: %v", err)
	}
	es = sampleSet()
	es[2].State = "closed"
	if _, err := AppendSet(nil, es); err == nil || !strings.Contains(err.Error(), `unknown state "closed"`) {
		t.Errorf("unknown state: %v", err)
	}
	es = sampleSet()
	es[0].ID = 0
	if _, err := AppendSet(nil, es); err == nil {
		t.Error("id 0 accepted")
	}
	es = sampleSet()
	es[0].SeverityRank = -1
	if _, err := AppendSet(nil, es); err == nil {
		t.Error("a negative severity rank accepted")
	}
	cs := sampleContents()
	cs[0], cs[1] = cs[1], cs[0]
	if _, err := AppendContents(nil, cs); err == nil || !strings.Contains(err.Error(), "entry 1: id 88 after 89") {
		t.Errorf("descending content ids: %v", err)
	}
}

// Damaged values are refused with the place named, never with a panic or an allocation the bytes do
// not justify.
func TestDecodeDamaged(t *testing.T) {
	set, _ := AppendSet(nil, sampleSet())
	contents, _ := AppendContents(nil, sampleContents())
	// every truncation fails
	for n := range len(set) {
		if _, err := DecodeSet(set[:n]); err == nil {
			t.Fatalf("a set cut at byte %d of %d decoded", n, len(set))
		}
	}
	for n := range len(contents) {
		if _, err := DecodeContents(contents[:n]); err == nil {
			t.Fatalf("contents cut at byte %d of %d decoded", n, len(contents))
		}
	}
	huge := func(kind byte, count uint64, rest ...byte) []byte {
		b := []byte{formatVersion, kind, 0}
		for count >= 0x80 {
			b = append(b, byte(count)|0x80)
			count >>= 7
		}
		return append(append(b, byte(count)), rest...)
	}
	for _, tc := range []struct {
		name string
		b    []byte
		set  bool
		want string // in the message
	}{
		{"empty", nil, true, "header, format version at byte 0: the value ends early"},
		{"later version", []byte{2, kindSet, 0, 0}, true, "version 2, this Vigil reads 1"},
		{"contents read as a set", huge(kindContents, 0), true, "kind 'C', want 'S'"},
		{"compressed (unknown flags)", []byte{formatVersion, kindSet, 1, 0}, true, "unknown flags 0x1"},
		{"a billion entries in a few bytes", huge(kindSet, 1e9, make([]byte, 40)...), true, "1000000000 entries cannot fit in the 40 bytes left"},
		{"count overflows", huge(kindSet, math.MaxUint64), true, "cannot fit"},
		{"trailing bytes", append(append([]byte(nil), set...), 0), true, fmt.Sprintf("finding set: at byte %d: 1 bytes after the last entry", len(set))},
		{"id step 0", huge(kindSet, 1, append([]byte{0}, make([]byte, 30)...)...), true, "entry 0, id at byte 4: id step 0"},
		{"string longer than the value", huge(kindSet, 1, append([]byte{1, 0xff, 0x7f}, make([]byte, 30)...)...), true,
			"entry 0, component_key at byte 5: a string of 16383 bytes where 30 are left"},
		{"unknown state", withState(17), true, "state number 17"},
		{"contents: a billion entries", huge(kindContents, 1e9, make([]byte, 100)...), false, "cannot fit in the 100 bytes left"},
		{"contents: trailing", append(append([]byte(nil), contents...), 1, 2), false, "2 bytes after the last entry"},
	} {
		var err error
		if tc.set {
			_, err = DecodeSet(tc.b)
		} else {
			_, err = DecodeContents(tc.b)
		}
		var fe *FormatError
		if err == nil || !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want a FormatError saying %q", tc.name, err, tc.want)
		}
	}
	// the state byte the damaged case changes is the one the state is read from
	if es, err := DecodeSet(withState(5)); err != nil || es[0].State != "fixed" {
		t.Errorf("state number 5: %+v, %v; want fixed", es, err)
	}
}

// withState encodes the first sample entry with state number st in its state byte (found by reading
// up to it).
func withState(st byte) []byte {
	b, _ := AppendSet(nil, sampleSet()[:1])
	r := &reader{b: b, what: "finding set"}
	r.header(kindSet, minEntry)
	r.id(0)
	r.string("component_key")
	r.varint("component_id")
	r.string("vuln_id")
	r.varint("match_id")
	r.fixed64("match_hash")
	r.int("severity_rank")
	r.byte("flags")
	b[r.off] = st
	return b
}

func sameEntry(a, b Entry) bool {
	ta := []time.Time{a.Expires, a.StateChanged, a.FirstSeen, a.LastSeen, a.Gone}
	tb := []time.Time{b.Expires, b.StateChanged, b.FirstSeen, b.LastSeen, b.Gone}
	for i := range ta {
		if !ta[i].Equal(tb[i]) {
			return false
		}
	}
	a.Expires, a.StateChanged, a.FirstSeen, a.LastSeen, a.Gone = time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}
	b.Expires, b.StateChanged, b.FirstSeen, b.LastSeen, b.Gone = time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}
	return reflect.DeepEqual(a, b)
}

func sameContent(a, b Content) bool {
	if math.Float64bits(a.CVSSScore) != math.Float64bits(b.CVSSScore) || math.Float64bits(a.Confidence) != math.Float64bits(b.Confidence) {
		return false
	}
	a.CVSSScore, b.CVSSScore, a.Confidence, b.Confidence = 0, 0, 0, 0
	return a == b
}

// Fuzzing: whatever decodes encodes back to a value that decodes to the same entries, and nothing
// panics or allocates beyond what the input's length allows.
func FuzzDecodeSet(f *testing.F) {
	b, _ := AppendSet(nil, sampleSet())
	f.Add(b)
	f.Add([]byte{formatVersion, kindSet, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		es, err := DecodeSet(b)
		var scanned []Entry
		serr := ScanSet(b, func(v *EntryView) error { scanned = append(scanned, v.Entry()); return nil })
		if (err == nil) != (serr == nil) || err != nil && err.Error() != serr.Error() {
			t.Fatalf("DecodeSet: %v; ScanSet: %v", err, serr)
		}
		if err != nil {
			return
		}
		for i := range es {
			if !sameEntry(es[i], scanned[i]) {
				t.Fatalf("entry %d: decoded %+v, scanned %+v", i, es[i], scanned[i])
			}
		}
		if len(es) > len(b)/minEntry {
			t.Fatalf("%d entries from %d bytes", len(es), len(b))
		}
		again, err := AppendSet(nil, es)
		if err != nil {
			t.Fatalf("decoded entries do not encode: %v", err)
		}
		es2, err := DecodeSet(again)
		if err != nil || len(es2) != len(es) {
			t.Fatalf("re-encoded set: %v", err)
		}
		for i := range es {
			if !sameEntry(es[i], es2[i]) {
				t.Fatalf("entry %d changed: %+v → %+v", i, es[i], es2[i])
			}
		}
	})
}

func FuzzDecodeContents(f *testing.F) {
	b, _ := AppendContents(nil, sampleContents())
	f.Add(b)
	f.Add([]byte{formatVersion, kindContents, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		cs, err := DecodeContents(b)
		var scanned []Content
		serr := ScanContents(b, func(v *ContentView) error { scanned = append(scanned, v.Content()); return nil })
		if (err == nil) != (serr == nil) || err != nil && err.Error() != serr.Error() {
			t.Fatalf("DecodeContents: %v; ScanContents: %v", err, serr)
		}
		if err != nil {
			return
		}
		for i := range cs {
			if !sameContent(cs[i], scanned[i]) {
				t.Fatalf("content %d: decoded %+v, scanned %+v", i, cs[i], scanned[i])
			}
		}
		if len(cs) > len(b)/minContent {
			t.Fatalf("%d contents from %d bytes", len(cs), len(b))
		}
		again, err := AppendContents(nil, cs)
		if err != nil {
			t.Fatalf("decoded contents do not encode: %v", err)
		}
		cs2, err := DecodeContents(again)
		if err != nil || len(cs2) != len(cs) {
			t.Fatalf("re-encoded contents: %v", err)
		}
		for i := range cs {
			if !sameContent(cs[i], cs2[i]) {
				t.Fatalf("content %d changed: %+v → %+v", i, cs[i], cs2[i])
			}
		}
	})
}

// A product version's findings at the scale (~400), and a segment of 256 contents: a full
// match writes ~2,000 of each kind, and reading every finding of an organisation decodes them all.
func benchSet() []Entry {
	es := make([]Entry, 400)
	for i := range es {
		e := sampleSet()[i%3]
		e.ID = int64(1000 + i)
		es[i] = e
	}
	return es
}

func benchContents() []Content {
	cs := make([]Content, 256)
	for i := range cs {
		c := sampleContents()[i%2]
		c.ID = int64(1000 + i)
		cs[i] = c
	}
	return cs
}

func BenchmarkSet(b *testing.B) {
	es := benchSet()
	enc, _ := AppendSet(nil, es)
	b.Run("encode", func(b *testing.B) {
		buf := make([]byte, 0, len(enc))
		for b.Loop() {
			buf, _ = AppendSet(buf[:0], es)
		}
		b.ReportMetric(float64(len(enc))/float64(len(es)), "bytes/entry")
	})
	b.Run("decode", func(b *testing.B) {
		for b.Loop() {
			if _, err := DecodeSet(enc); err != nil {
				b.Fatal(err)
			}
		}
	})
	// what a re-match of some component keys does with each set it touches: look at every entry
	b.Run("scan", func(b *testing.B) {
		want := []byte("pkg:golang/golang.org/x/net@v0.7.0")
		for b.Loop() {
			n := 0
			err := ScanSet(enc, func(v *EntryView) error {
				if bytes.Equal(v.ComponentKey, want) {
					n++
				}
				return nil
			})
			if err != nil || n != 134 {
				b.Fatal(n, err)
			}
		}
	})
}

func BenchmarkContents(b *testing.B) {
	cs := benchContents()
	enc, _ := AppendContents(nil, cs)
	b.Run("encode", func(b *testing.B) {
		buf := make([]byte, 0, len(enc))
		for b.Loop() {
			buf, _ = AppendContents(buf[:0], cs)
		}
		b.ReportMetric(float64(len(enc))/float64(len(cs)), "bytes/content")
	})
	b.Run("decode", func(b *testing.B) {
		for b.Loop() {
			if _, err := DecodeContents(enc); err != nil {
				b.Fatal(err)
			}
		}
	})
	// what the readers of every content do: keep a few fields of each
	b.Run("scan", func(b *testing.B) {
		for b.Loop() {
			var sum float64
			err := ScanContents(enc, func(v *ContentView) error { sum += v.CVSSScore + float64(len(v.ComponentName)); return nil })
			if err != nil || sum == 0 {
				b.Fatal(sum, err)
			}
		}
	})
}

// A filter holds every id added (no false negatives) and few others; a filter of another size holds
// anything; the bits of an id are fixed (they are stored).
func TestVulnFilter(t *testing.T) {
	var f VulnFilter
	for i := range 300 {
		f.Add(fmt.Sprintf("CVE-2024-%05d", i))
	}
	for i := range 300 {
		if id := fmt.Sprintf("CVE-2024-%05d", i); !MayHold(f[:], id) {
			t.Fatalf("%s added but not held", id)
		}
	}
	false_ := 0
	for i := range 10000 {
		if MayHold(f[:], fmt.Sprintf("GHSA-%05d", i)) {
			false_++
		}
	}
	if false_ > 200 { // 0.4 % expected; 2 % would mean the bits collide
		t.Errorf("%d of 10,000 other ids held", false_)
	}
	if !MayHold(f[:10], "anything") || !MayHold(nil, "anything") {
		t.Error("a filter of another size must hold anything")
	}
	var one VulnFilter
	one.Add("CVE-2021-44228")
	var set []int
	for i, b := range one {
		for j := range 8 {
			if b&(1<<j) != 0 {
				set = append(set, i*8+j)
			}
		}
	}
	if got := fmt.Sprint(set); got != "[139 262 385 508]" {
		t.Errorf("bits of CVE-2021-44228 = %s (the stored format changed)", got)
	}
}
