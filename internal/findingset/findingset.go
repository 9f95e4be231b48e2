// Package findingset is the stored form of fleet findings per product version (issue 4): an
// organisation's findings of one product version as one value (a set), and what matches say about a
// component and a vulnerability (their content, stored once and shared) packed many to a value (a
// segment). A full match then writes ~2,000 sets and ~1,500 segments instead of ~1.2 million rows:
// measured inside the pipeline at full size, 21.5–26.1 s with rows against 7.8–8.2 s packed
// (docs/vulnerabilities.md, "Fleet performance", sixteenth session).
//
// Both formats start with a header: the format version (1), the kind ('S' set, 'C' contents), flags
// (none defined: a reader refuses what it does not know, e.g. a later compression) and the number of
// entries. Integers are varints, ids ascending and stored as the difference to the one before, times
// as microseconds since 1970 UTC (the store keeps microseconds), floats as their 8 IEEE bytes. The
// values come back from backups too, so decoding checks every length against what is left and names
// the entry, the field and the byte where a value is damaged.
package findingset

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
)

const (
	formatVersion = 1
	kindSet       = 'S'
	kindContents  = 'C'
)

// Entry is one finding of a product version: its identity, the content it refers to and its triage.
type Entry struct {
	ID           int64
	ComponentKey string
	ComponentID  int64
	VulnID       string
	MatchID      int64 // the content's id (Content.ID)
	MatchHash    int64 // the first 64 bits of the content's digest: a re-match recognises it unchanged
	SeverityRank int
	Active       bool // false when VEX says not_affected or fixed
	KEVNotified  bool

	State         string // one of States
	Justification string
	Owner         string
	Expires       time.Time // zero: none
	StateChanged  time.Time // zero: none
	StateBy       string
	FirstSeen     time.Time
	LastSeen      time.Time
	Gone          time.Time // zero: still matched
}

// States are the triage states a set can hold, by their stored number: the order is part of the
// format, so a new state goes at the end.
var States = [...]string{"new", "in_triage", "exploitable", "not_affected", "mitigated", "fixed", "risk_accepted"}

func stateNumber(s string) (byte, bool) {
	for i, x := range States {
		if x == s {
			return byte(i), true
		}
	}
	return 0, false
}

// Content is what a match says about a component and a vulnerability (stored in segments since
// migration 0029; the columns of the finding_matches rows before it).
type Content struct {
	ID               int64
	Digest           string
	Aliases          string // space-separated
	ComponentName    string
	ComponentVersion string
	ComponentPURL    string
	ComponentCPE     string
	RecordID         string
	Source           string
	Matcher          string
	Reason           string
	OtherReasons     string // one a line
	Confidence       float64
	Guessed          bool
	Severity         string
	SeverityRank     int
	CVSSScore        float64
	CVSSVectors      string // one a line
	FixedVersion     string
	Remediation      string
	MatchStatus      string
	Active           bool
	VEXOrigin        string
	VEXStatementID   int64
	VEXSource        string
	VEXJustification string
}

const (
	entryActive = 1 << iota
	entryKEVNotified
	entryExpires
	entryStateChanged
	entryGone
)

const (
	contentGuessed = 1 << iota
	contentActive
)

// minEntry and minContent are the fewest bytes an entry and a content take: a count larger than the
// bytes left could hold is refused before anything is allocated for it.
const (
	minEntry   = 1 + 1 + 1 + 1 + 1 + 8 + 1 + 1 + 1 + 3 + 2
	minContent = 1 + 1 + 10 + 8 + 1 + 1 + 1 + 8 + 5 + 1 + 2
)

func header(b []byte, kind byte, n int) []byte {
	return binary.AppendUvarint(append(b, formatVersion, kind, 0), uint64(n))
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func appendTime(b []byte, t time.Time) []byte { return binary.AppendVarint(b, t.UnixMicro()) }

func appendFloat(b []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
}

// AppendSet appends the set of entries to b. The entries must be in ascending order of their ids
// (positive), and their states known.
func AppendSet(b []byte, es []Entry) ([]byte, error) {
	return AppendSetOf(b, len(es), func(i int) *Entry { return &es[i] })
}

// AppendSetOf is AppendSet of the n entries at(0) … at(n-1): the writer of a full match keeps its
// entries in one buffer it reuses and appends each version's without copying them together.
func AppendSetOf(b []byte, n int, at func(i int) *Entry) ([]byte, error) {
	b = header(b, kindSet, n)
	var prev int64
	for i := range n {
		e := at(i)
		if e.ID <= prev {
			return nil, fmt.Errorf("finding set: entry %d: id %d after %d (ids must ascend)", i, e.ID, prev)
		}
		st, ok := stateNumber(e.State)
		if !ok {
			return nil, fmt.Errorf("finding set: entry %d (finding %d): unknown state %q", i, e.ID, e.State)
		}
		if e.SeverityRank < 0 {
			return nil, fmt.Errorf("finding set: entry %d (finding %d): severity rank %d", i, e.ID, e.SeverityRank)
		}
		var flags byte
		for _, f := range []struct {
			on  bool
			bit byte
		}{{e.Active, entryActive}, {e.KEVNotified, entryKEVNotified}, {!e.Expires.IsZero(), entryExpires},
			{!e.StateChanged.IsZero(), entryStateChanged}, {!e.Gone.IsZero(), entryGone}} {
			if f.on {
				flags |= f.bit
			}
		}
		b = binary.AppendUvarint(b, uint64(e.ID-prev))
		prev = e.ID
		b = appendString(b, e.ComponentKey)
		b = binary.AppendVarint(b, e.ComponentID)
		b = appendString(b, e.VulnID)
		b = binary.AppendVarint(b, e.MatchID)
		b = binary.LittleEndian.AppendUint64(b, uint64(e.MatchHash))
		b = binary.AppendUvarint(b, uint64(e.SeverityRank))
		b = append(b, flags, st)
		b = appendString(b, e.Justification)
		b = appendString(b, e.Owner)
		b = appendString(b, e.StateBy)
		b = appendTime(b, e.FirstSeen)
		b = appendTime(b, e.LastSeen)
		for _, t := range []time.Time{e.Expires, e.StateChanged, e.Gone} {
			if !t.IsZero() {
				b = appendTime(b, t)
			}
		}
	}
	return b, nil
}

// AppendContents appends a segment of contents to b, in ascending order of their ids (positive).
func AppendContents(b []byte, cs []Content) ([]byte, error) {
	b = header(b, kindContents, len(cs))
	var prev int64
	for i := range cs {
		c := &cs[i]
		if c.ID <= prev {
			return nil, fmt.Errorf("finding contents: entry %d: id %d after %d (ids must ascend)", i, c.ID, prev)
		}
		if c.SeverityRank < 0 {
			return nil, fmt.Errorf("finding contents: entry %d (content %d): severity rank %d", i, c.ID, c.SeverityRank)
		}
		var flags byte
		if c.Guessed {
			flags |= contentGuessed
		}
		if c.Active {
			flags |= contentActive
		}
		b = binary.AppendUvarint(b, uint64(c.ID-prev))
		prev = c.ID
		for _, s := range []string{c.Digest, c.Aliases, c.ComponentName, c.ComponentVersion, c.ComponentPURL, c.ComponentCPE, c.RecordID,
			c.Source, c.Matcher, c.Reason, c.OtherReasons} {
			b = appendString(b, s)
		}
		b = appendFloat(b, c.Confidence)
		b = append(b, flags)
		b = appendString(b, c.Severity)
		b = binary.AppendUvarint(b, uint64(c.SeverityRank))
		b = appendFloat(b, c.CVSSScore)
		for _, s := range []string{c.CVSSVectors, c.FixedVersion, c.Remediation, c.MatchStatus, c.VEXOrigin} {
			b = appendString(b, s)
		}
		b = binary.AppendVarint(b, c.VEXStatementID)
		b = appendString(b, c.VEXSource)
		b = appendString(b, c.VEXJustification)
	}
	return b, nil
}

// FormatError says where a stored value is damaged.
type FormatError struct {
	What  string // "finding set" or "finding contents"
	Entry int    // the entry's number; -1: the header, -2: after the last entry
	Field string
	Off   int // byte offset in the value
	Err   error
}

func (e *FormatError) Error() string {
	switch e.Entry {
	case -1:
		return fmt.Sprintf("%s: header, %s at byte %d: %v", e.What, e.Field, e.Off, e.Err)
	case -2:
		return fmt.Sprintf("%s: at byte %d: %v", e.What, e.Off, e.Err)
	}
	return fmt.Sprintf("%s: entry %d, %s at byte %d: %v", e.What, e.Entry, e.Field, e.Off, e.Err)
}

func (e *FormatError) Unwrap() error { return e.Err }

var (
	errShort    = errors.New("the value ends early")
	errOverflow = errors.New("number out of range")
)

// reader decodes one value; the first error sticks and names its place.
type reader struct {
	b     []byte
	off   int
	what  string
	entry int
	err   error
}

// fail records the first error: field, starting at byte off, is damaged.
func (r *reader) fail(field string, off int, err error) {
	if r.err == nil {
		r.err = &FormatError{What: r.what, Entry: r.entry, Field: field, Off: off, Err: err}
	}
}

// readVarint reads a varint with read (binary.Uvarint or binary.Varint).
func readVarint[T uint64 | int64](r *reader, field string, read func([]byte) (T, int)) T {
	if r.err != nil {
		return 0
	}
	v, n := read(r.b[r.off:])
	if n <= 0 {
		if n == 0 {
			r.fail(field, r.off, errShort)
		} else {
			r.fail(field, r.off, errOverflow)
		}
		return 0
	}
	r.off += n
	return v
}

func (r *reader) uvarint(field string) uint64 { return readVarint(r, field, binary.Uvarint) }

func (r *reader) varint(field string) int64 { return readVarint(r, field, binary.Varint) }

func (r *reader) byte(field string) byte {
	if r.err != nil {
		return 0
	}
	if r.off >= len(r.b) {
		r.fail(field, r.off, errShort)
		return 0
	}
	r.off++
	return r.b[r.off-1]
}

func (r *reader) fixed64(field string) uint64 {
	if r.err != nil {
		return 0
	}
	if len(r.b)-r.off < 8 {
		r.fail(field, r.off, errShort)
		return 0
	}
	r.off += 8
	return binary.LittleEndian.Uint64(r.b[r.off-8:])
}

func (r *reader) string(field string) string { return string(r.bytes(field)) }

// bytes reads a string as a slice of the value's bytes (capped: appending to it cannot overwrite the
// value).
func (r *reader) bytes(field string) []byte {
	start := r.off
	n := r.uvarint(field)
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)-r.off) {
		r.fail(field, start, fmt.Errorf("a string of %d bytes where %d are left", n, len(r.b)-r.off))
		return nil
	}
	r.off += int(n)
	return r.b[r.off-int(n) : r.off : r.off]
}

func (r *reader) time(field string) time.Time {
	us := r.varint(field)
	if r.err != nil {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

func (r *reader) int(field string) int {
	start := r.off
	v := r.uvarint(field)
	if v > math.MaxInt32 {
		r.fail(field, start, errOverflow)
		return 0
	}
	return int(v)
}

// id reads the next id (the difference to prev) and checks that it ascends.
func (r *reader) id(prev int64) int64 {
	start := r.off
	d := r.uvarint("id")
	if r.err == nil && (d == 0 || d > uint64(math.MaxInt64-prev)) {
		r.fail("id", start, fmt.Errorf("id step %d after %d", d, prev))
	}
	return prev + int64(d)
}

// header reads the header and returns the number of entries, each at least min bytes.
func (r *reader) header(kind byte, min int) int {
	r.entry = -1
	if v := r.byte("format version"); r.err == nil && v != formatVersion {
		r.fail("format version", 0, fmt.Errorf("version %d, this Vigil reads %d", v, formatVersion))
	}
	if k := r.byte("kind"); r.err == nil && k != kind {
		r.fail("kind", 1, fmt.Errorf("kind %q, want %q", k, kind))
	}
	if f := r.byte("flags"); r.err == nil && f != 0 {
		r.fail("flags", r.off-1, fmt.Errorf("unknown flags %#x", f))
	}
	n := r.uvarint("count")
	if r.err == nil && n > uint64((len(r.b)-r.off)/min) {
		r.fail("count", 3, fmt.Errorf("%d entries cannot fit in the %d bytes left", n, len(r.b)-r.off))
	}
	if r.err != nil {
		return 0
	}
	return int(n)
}

func (r *reader) end() {
	if r.err == nil && r.off != len(r.b) {
		r.entry = -2
		r.fail("end", r.off, fmt.Errorf("%d bytes after the last entry", len(r.b)-r.off))
	}
}

// EntryView is an entry as ScanSet reads it: its strings are slices of the set's bytes, valid during
// the call that gets the view and not to be changed. A re-match looks at every entry of the versions
// it touches for the few it replaces; building strings for all of them is most of DecodeSet's time.
type EntryView struct {
	ID, ComponentID, MatchID, MatchHash int64
	ComponentKey, VulnID                []byte
	Justification, Owner, StateBy       []byte
	SeverityRank                        int
	State                               string // one of States
	Active, KEVNotified                 bool
	FirstSeen, LastSeen                 time.Time
	Expires, StateChanged, Gone         time.Time // zero: none
}

// Entry is the view as an Entry of its own (the strings copied).
func (v *EntryView) Entry() Entry {
	return Entry{ID: v.ID, ComponentKey: string(v.ComponentKey), ComponentID: v.ComponentID, VulnID: string(v.VulnID), MatchID: v.MatchID,
		MatchHash: v.MatchHash, SeverityRank: v.SeverityRank, Active: v.Active, KEVNotified: v.KEVNotified, State: v.State,
		Justification: string(v.Justification), Owner: string(v.Owner), StateBy: string(v.StateBy), Expires: v.Expires,
		StateChanged: v.StateChanged, FirstSeen: v.FirstSeen, LastSeen: v.LastSeen, Gone: v.Gone}
}

// DecodeSet decodes a set written by AppendSet.
func DecodeSet(b []byte) ([]Entry, error) {
	var out []Entry
	err := scanSet(b, func(n int) { out = make([]Entry, 0, n) }, func(v *EntryView) error {
		out = append(out, v.Entry())
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ScanSet calls fn with a view of each entry of a set written by AppendSet, in order, without
// allocating; it stops at the first error of fn (returned as it is) or of the bytes (a FormatError,
// after the entries before the damage were seen: a caller that must not act on part of a set
// collects first).
func ScanSet(b []byte, fn func(v *EntryView) error) error { return scanSet(b, nil, fn) }

func scanSet(b []byte, start func(n int), fn func(v *EntryView) error) error {
	r := &reader{b: b, what: "finding set"}
	n := r.header(kindSet, minEntry)
	if r.err != nil {
		return r.err
	}
	if start != nil {
		start(n)
	}
	var v EntryView
	var prev int64
	for i := range n {
		r.entry = i
		v.ID = r.id(prev)
		prev = v.ID
		v.ComponentKey = r.bytes("component_key")
		v.ComponentID = r.varint("component_id")
		v.VulnID = r.bytes("vuln_id")
		v.MatchID = r.varint("match_id")
		v.MatchHash = int64(r.fixed64("match_hash"))
		v.SeverityRank = r.int("severity_rank")
		flags := r.byte("flags")
		if r.err == nil && flags >= entryGone<<1 {
			r.fail("flags", r.off-1, fmt.Errorf("unknown flags %#x", flags))
		}
		st := r.byte("state")
		if r.err == nil && int(st) >= len(States) {
			r.fail("state", r.off-1, fmt.Errorf("state number %d", st))
		}
		if r.err != nil {
			return r.err
		}
		v.State = States[st]
		v.Active, v.KEVNotified = flags&entryActive != 0, flags&entryKEVNotified != 0
		v.Justification = r.bytes("justification")
		v.Owner = r.bytes("owner")
		v.StateBy = r.bytes("state_by")
		v.FirstSeen = r.time("first_seen")
		v.LastSeen = r.time("last_seen")
		v.Expires, v.StateChanged, v.Gone = time.Time{}, time.Time{}, time.Time{}
		if flags&entryExpires != 0 {
			v.Expires = r.time("expires")
		}
		if flags&entryStateChanged != 0 {
			v.StateChanged = r.time("state_changed")
		}
		if flags&entryGone != 0 {
			v.Gone = r.time("gone")
		}
		if r.err != nil {
			return r.err
		}
		if err := fn(&v); err != nil {
			return err
		}
	}
	r.end()
	return r.err
}

// ContentView is a content as ScanContents reads it: its strings are slices of the segment's bytes,
// valid during the call that gets the view and not to be changed. Readers of every content of an
// organisation (the lists' index, the risk facts, a full match's digests) keep a few fields of each.
type ContentView struct {
	ID                                                             int64
	Digest, Aliases, ComponentName, ComponentVersion               []byte
	ComponentPURL, ComponentCPE, RecordID, Source, Matcher         []byte
	Reason, OtherReasons                                           []byte
	Confidence                                                     float64
	Guessed                                                        bool
	Severity                                                       []byte
	SeverityRank                                                   int
	CVSSScore                                                      float64
	CVSSVectors, FixedVersion, Remediation, MatchStatus, VEXOrigin []byte
	Active                                                         bool
	VEXStatementID                                                 int64
	VEXSource, VEXJustification                                    []byte
}

// Content is the view as a Content of its own (the strings copied).
func (v *ContentView) Content() Content {
	return Content{ID: v.ID, Digest: string(v.Digest), Aliases: string(v.Aliases), ComponentName: string(v.ComponentName),
		ComponentVersion: string(v.ComponentVersion), ComponentPURL: string(v.ComponentPURL), ComponentCPE: string(v.ComponentCPE),
		RecordID: string(v.RecordID), Source: string(v.Source), Matcher: string(v.Matcher), Reason: string(v.Reason),
		OtherReasons: string(v.OtherReasons), Confidence: v.Confidence, Guessed: v.Guessed, Severity: string(v.Severity),
		SeverityRank: v.SeverityRank, CVSSScore: v.CVSSScore, CVSSVectors: string(v.CVSSVectors), FixedVersion: string(v.FixedVersion),
		Remediation: string(v.Remediation), MatchStatus: string(v.MatchStatus), Active: v.Active, VEXOrigin: string(v.VEXOrigin),
		VEXStatementID: v.VEXStatementID, VEXSource: string(v.VEXSource), VEXJustification: string(v.VEXJustification)}
}

// DecodeContents decodes a segment written by AppendContents.
func DecodeContents(b []byte) ([]Content, error) {
	var out []Content
	err := scanContents(b, func(n int) { out = make([]Content, 0, n) }, func(v *ContentView) error {
		out = append(out, v.Content())
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ScanContents calls fn with a view of each content of a segment written by AppendContents, in
// order, without allocating; errors as ScanSet.
func ScanContents(b []byte, fn func(v *ContentView) error) error { return scanContents(b, nil, fn) }

func scanContents(b []byte, start func(n int), fn func(v *ContentView) error) error {
	r := &reader{b: b, what: "finding contents"}
	n := r.header(kindContents, minContent)
	if r.err != nil {
		return r.err
	}
	if start != nil {
		start(n)
	}
	var v ContentView
	var prev int64
	for i := range n {
		r.entry = i
		v.ID = r.id(prev)
		prev = v.ID
		v.Digest, v.Aliases = r.bytes("digest"), r.bytes("aliases")
		v.ComponentName, v.ComponentVersion = r.bytes("component_name"), r.bytes("component_version")
		v.ComponentPURL, v.ComponentCPE = r.bytes("component_purl"), r.bytes("component_cpe")
		v.RecordID, v.Source, v.Matcher = r.bytes("record_id"), r.bytes("source"), r.bytes("matcher")
		v.Reason, v.OtherReasons = r.bytes("reason"), r.bytes("other_reasons")
		v.Confidence = math.Float64frombits(r.fixed64("confidence"))
		flags := r.byte("flags")
		if r.err == nil && flags >= contentActive<<1 {
			r.fail("flags", r.off-1, fmt.Errorf("unknown flags %#x", flags))
		}
		v.Guessed, v.Active = flags&contentGuessed != 0, flags&contentActive != 0
		v.Severity = r.bytes("severity")
		v.SeverityRank = r.int("severity_rank")
		v.CVSSScore = math.Float64frombits(r.fixed64("cvss_score"))
		v.CVSSVectors, v.FixedVersion, v.Remediation = r.bytes("cvss_vectors"), r.bytes("fixed_version"), r.bytes("remediation")
		v.MatchStatus, v.VEXOrigin = r.bytes("match_status"), r.bytes("vex_origin")
		v.VEXStatementID = r.varint("vex_statement_id")
		v.VEXSource = r.bytes("vex_source")
		v.VEXJustification = r.bytes("vex_justification")
		if r.err != nil {
			return r.err
		}
		if err := fn(&v); err != nil {
			return err
		}
	}
	r.end()
	return r.err
}

// FilterSize is the size of a VulnFilter in bytes.
const FilterSize = 512

// VulnFilter is a Bloom filter of the vulnerability ids of a stored set (4,096 bits, four bits an
// id, from the id's 64-bit FNV-1a hash): a re-match for some vulnerabilities (a new or changed
// advisory) reads only the sets that may hold findings of them. With 300 ids about 0.4 % of the sets
// without them are read anyway; an id it holds is never missed. The hash and the bits are part of
// the stored format.
type VulnFilter [FilterSize]byte

func filterBits(id string) [4]uint32 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(id); i++ {
		h ^= uint64(id[i])
		h *= 1099511628211
	}
	a, b := uint32(h), uint32(h>>32)|1
	var out [4]uint32
	for i := range out {
		out[i] = (a + uint32(i)*b) % (FilterSize * 8)
	}
	return out
}

// Add adds a vulnerability id.
func (f *VulnFilter) Add(id string) {
	for _, bit := range filterBits(id) {
		f[bit/8] |= 1 << (bit % 8)
	}
}

// MayHold reports whether the stored filter b may hold the id: false only when it surely does not.
// A filter of another size (damaged) may hold anything.
func MayHold(b []byte, id string) bool {
	if len(b) != FilterSize {
		return true
	}
	for _, bit := range filterBits(id) {
		if b[bit/8]&(1<<(bit%8)) == 0 {
			return false
		}
	}
	return true
}
