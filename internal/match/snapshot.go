package match

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"slices"
	"time"
	"unsafe"

	"github.com/vigil-med/vigil/internal/vuln"
)

// Snapshot format (all integers little-endian or unsigned varints):
//
//	magic      8 bytes  "VIGLIDX\x00"
//	version    uint32   SnapshotVersion
//	length     uint64   payload length
//	crc32c     uint32   Castagnoli CRC of the payload
//	payload:
//	  strings  uvarint n, n × uvarint length, then the n strings concatenated
//	  records  uvarint n, n × record (fields in vuln.Vulnerability order, strings as table indexes)
//	  epss     uvarint n, n × (id, score, percentile, date, model)
//
// Strings are stored once; on reading they are slices of one string, so decoding allocates only
// the slices that hold them. The source records are stored (not the merged view), so a snapshot
// index supports Update like a new one.
const (
	SnapshotVersion = 1
	snapshotMagic   = "VIGLIDX\x00"
	// MaxSnapshotBytes bounds the payload ReadSnapshot accepts unless told otherwise.
	MaxSnapshotBytes = 4 << 30
)

// ErrSnapshot is wrapped by every snapshot decoding error.
var ErrSnapshot = errors.New("vulnerability index snapshot")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

type strTable struct {
	idx  map[string]uint32
	list []string
}

func (t *strTable) id(s string) uint32 {
	if i, ok := t.idx[s]; ok {
		return i
	}
	i := uint32(len(t.list))
	t.idx[s] = i
	t.list = append(t.list, s)
	return i
}

type enc struct {
	buf []byte
	st  *strTable
}

func (e *enc) uv(x uint64)   { e.buf = binary.AppendUvarint(e.buf, x) }
func (e *enc) str(s string)  { e.uv(uint64(e.st.id(s))) }
func (e *enc) f64(f float64) { e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(f)) }
func (e *enc) boolean(b bool) {
	if b {
		e.buf = append(e.buf, 1)
	} else {
		e.buf = append(e.buf, 0)
	}
}
func (e *enc) strs(ss []string) {
	e.uv(uint64(len(ss)))
	for _, s := range ss {
		e.str(s)
	}
}
func (e *enc) t(t time.Time) {
	if t.IsZero() {
		e.buf = append(e.buf, 0)
		return
	}
	e.buf = append(e.buf, 1)
	e.buf = binary.AppendVarint(e.buf, t.Unix())
	e.uv(uint64(t.Nanosecond()))
}

// WriteSnapshot writes the index's source records and EPSS scores to w in the snapshot format.
func (idx *Index) WriteSnapshot(w io.Writer) error {
	idx.mu.RLock()
	var records []vuln.Vulnerability
	for g := range idx.groups {
		records = append(records, g.records...)
	}
	epssIDs := make([]string, 0, len(idx.epss))
	for id := range idx.epss {
		epssIDs = append(epssIDs, id)
	}
	epss := idx.epss
	idx.mu.RUnlock()
	// deterministic output
	slices.SortFunc(records, func(a, b vuln.Vulnerability) int {
		if c := vuln.CompareIDs(a.ID, b.ID); c != 0 {
			return c
		}
		return vuln.CompareIDs(firstSourceID(&a), firstSourceID(&b))
	})
	slices.Sort(epssIDs)

	e := &enc{st: &strTable{idx: map[string]uint32{}}}
	body := &enc{st: e.st}
	body.uv(uint64(len(records)))
	for i := range records {
		body.record(&records[i])
	}
	body.uv(uint64(len(epssIDs)))
	for _, id := range epssIDs {
		s := epss[id]
		body.str(id)
		body.f64(s.Score)
		body.f64(s.Percentile)
		body.t(s.Date)
		body.str(s.ModelVersion)
	}
	e.uv(uint64(len(e.st.list)))
	total := 0
	for _, s := range e.st.list {
		e.uv(uint64(len(s)))
		total += len(s)
	}
	payload := make([]byte, 0, len(e.buf)+total+len(body.buf))
	payload = append(payload, e.buf...)
	for _, s := range e.st.list {
		payload = append(payload, s...)
	}
	payload = append(payload, body.buf...)

	var hdr [24]byte
	copy(hdr[:8], snapshotMagic)
	binary.LittleEndian.PutUint32(hdr[8:], SnapshotVersion)
	binary.LittleEndian.PutUint64(hdr[12:], uint64(len(payload)))
	binary.LittleEndian.PutUint32(hdr[20:], crc32.Checksum(payload, castagnoli))
	if _, err := w.Write(hdr[:]); err != nil {
		return err
	}
	_, err := w.Write(payload)
	return err
}

func firstSourceID(v *vuln.Vulnerability) string {
	if len(v.Sources) > 0 {
		return string(v.Sources[0].Kind) + " " + v.Sources[0].ID
	}
	return ""
}

func (e *enc) record(v *vuln.Vulnerability) {
	e.str(v.ID)
	e.strs(v.Aliases)
	e.strs(v.Related)
	e.str(v.Summary)
	e.str(v.Details)
	e.t(v.Published)
	e.t(v.Modified)
	e.t(v.Withdrawn)
	e.uv(uint64(len(v.Severity)))
	for _, s := range v.Severity {
		e.str(s.Type)
		e.str(s.Vector)
		e.f64(s.Score)
		e.uv(uint64(s.Level))
		e.str(s.Source)
	}
	e.strs(v.CWE)
	e.uv(uint64(len(v.References)))
	for _, r := range v.References {
		e.str(r.Type)
		e.str(r.URL)
	}
	e.uv(uint64(len(v.Affected)))
	for _, a := range v.Affected {
		e.str(a.Ecosystem)
		e.str(a.Name)
		e.str(a.PURL)
		e.uv(uint64(len(a.Ranges)))
		for _, r := range a.Ranges {
			e.str(r.Type)
			e.str(r.Repo)
			e.uv(uint64(len(r.Events)))
			for _, ev := range r.Events {
				e.uv(uint64(ev.Kind))
				e.str(ev.Version)
			}
		}
		e.strs(a.Versions)
		e.str(a.Source)
	}
	e.uv(uint64(len(v.Configurations)))
	for _, c := range v.Configurations {
		e.str(c.Source)
		e.str(c.Operator)
		e.boolean(c.Negate)
		e.uv(uint64(len(c.Nodes)))
		for _, n := range c.Nodes {
			e.str(n.Operator)
			e.boolean(n.Negate)
			e.uv(uint64(len(n.Matches)))
			for _, m := range n.Matches {
				e.boolean(m.Vulnerable)
				e.str(m.Criteria)
				e.str(m.MatchCriteriaID)
				e.str(m.VersionStartIncluding)
				e.str(m.VersionStartExcluding)
				e.str(m.VersionEndIncluding)
				e.str(m.VersionEndExcluding)
			}
		}
	}
	e.boolean(v.CISAKEV != nil)
	if k := v.CISAKEV; k != nil {
		e.t(k.DateAdded)
		e.t(k.DueDate)
		e.str(k.VendorProject)
		e.str(k.Product)
		e.str(k.Name)
		e.str(k.ShortDescription)
		e.str(k.RequiredAction)
		e.str(k.KnownRansomwareCampaignUse)
		e.str(k.Notes)
		e.strs(k.CWEs)
		e.str(k.Source)
	}
	e.boolean(v.EUKEV != nil)
	if k := v.EUKEV; k != nil {
		e.str(k.EUVDID)
		e.str(k.VendorProject)
		e.str(k.Product)
		e.str(k.Name)
		e.t(k.DateReported)
		e.t(k.PatchedSince)
		e.str(k.OriginSource)
		e.str(k.ShortDescription)
		e.strs(k.ExploitationType)
		e.strs(k.ThreatActors)
		e.strs(k.CWEs)
		e.str(k.Notes)
	}
	e.boolean(v.EUVD != nil)
	if u := v.EUVD; u != nil {
		e.str(u.ID)
		e.t(u.ExploitedSince)
		e.str(u.Assigner)
		e.f64(u.EPSS)
		e.uv(uint64(len(u.Products)))
		for _, p := range u.Products {
			e.str(p.Vendor)
			e.str(p.Product)
			e.str(p.Version)
		}
	}
	e.boolean(v.EPSS != nil)
	if p := v.EPSS; p != nil {
		e.f64(p.Score)
		e.f64(p.Percentile)
		e.t(p.Date)
		e.str(p.ModelVersion)
	}
	e.uv(uint64(len(v.Sources)))
	for _, s := range v.Sources {
		e.str(string(s.Kind))
		e.str(s.ID)
		e.str(s.Database)
		e.t(s.Modified)
		e.t(s.Withdrawn)
	}
}

// dec reads a payload; the first error sticks and every later read returns zero values.
type dec struct {
	b        []byte
	off      int
	st       []string
	err      error
	strArena []string // backing stores: many small slices come out of a few large allocations
	evArena  []vuln.Event
	sevArena []vuln.Severity
	refArena []vuln.Reference
	affArena []vuln.Affected
	rngArena []vuln.Range
	srcArena []vuln.Source
}

// take returns n zeroed elements from the arena, refilling it when needed.
func take[T any](arena *[]T, n int) []T {
	if n > len(*arena) {
		*arena = make([]T, max(n, 1024))
	}
	s := (*arena)[:n:n]
	*arena = (*arena)[n:]
	return s
}

func (d *dec) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: byte %d: %s", ErrSnapshot, d.off, fmt.Sprintf(format, args...))
	}
}

func (d *dec) uv() uint64 {
	if d.err != nil {
		return 0
	}
	x, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		d.fail("bad varint")
		return 0
	}
	d.off += n
	return x
}

// count reads a length and checks it against the bytes left (each element takes ≥ min bytes).
func (d *dec) count(min int) int {
	n := d.uv()
	if d.err == nil && n > uint64(len(d.b)-d.off)/uint64(min) {
		d.fail("count %d exceeds the data left", n)
		return 0
	}
	return int(n)
}

func (d *dec) str() string {
	i := d.uv()
	if d.err != nil {
		return ""
	}
	if i >= uint64(len(d.st)) {
		d.fail("string %d of %d", i, len(d.st))
		return ""
	}
	return d.st[i]
}

func (d *dec) strs() []string {
	n := d.count(1)
	if n == 0 {
		return nil
	}
	out := take(&d.strArena, n)
	for i := range out {
		out[i] = d.str()
	}
	return out
}

func (d *dec) f64() float64 {
	if d.err != nil {
		return 0
	}
	if d.off+8 > len(d.b) {
		d.fail("truncated float")
		return 0
	}
	f := math.Float64frombits(binary.LittleEndian.Uint64(d.b[d.off:]))
	d.off += 8
	return f
}

func (d *dec) byte1() byte {
	if d.err != nil {
		return 0
	}
	if d.off >= len(d.b) {
		d.fail("truncated")
		return 0
	}
	c := d.b[d.off]
	d.off++
	return c
}

func (d *dec) boolean() bool {
	switch d.byte1() {
	case 0:
		return false
	case 1:
		return true
	}
	d.fail("bad boolean")
	return false
}

func (d *dec) t() time.Time {
	switch d.byte1() {
	case 0:
		return time.Time{}
	case 1:
	default:
		d.fail("bad time")
		return time.Time{}
	}
	if d.err != nil {
		return time.Time{}
	}
	sec, n := binary.Varint(d.b[d.off:])
	if n <= 0 {
		d.fail("bad time")
		return time.Time{}
	}
	d.off += n
	nsec := d.uv()
	if nsec >= 1e9 {
		d.fail("bad nanoseconds")
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).UTC()
}

func (d *dec) record() vuln.Vulnerability {
	var v vuln.Vulnerability
	v.ID = d.str()
	v.Aliases = d.strs()
	v.Related = d.strs()
	v.Summary = d.str()
	v.Details = d.str()
	v.Published = d.t()
	v.Modified = d.t()
	v.Withdrawn = d.t()
	if n := d.count(12); n > 0 {
		v.Severity = take(&d.sevArena, n)
		for i := range v.Severity {
			s := &v.Severity[i]
			s.Type, s.Vector, s.Score = d.str(), d.str(), d.f64()
			if l := d.uv(); l <= uint64(vuln.Critical) {
				s.Level = vuln.Level(l)
			} else {
				d.fail("bad level %d", l)
			}
			s.Source = d.str()
		}
	}
	v.CWE = d.strs()
	if n := d.count(2); n > 0 {
		v.References = take(&d.refArena, n)
		for i := range v.References {
			v.References[i] = vuln.Reference{Type: d.str(), URL: d.str()}
		}
	}
	if n := d.count(6); n > 0 {
		v.Affected = take(&d.affArena, n)
		for i := range v.Affected {
			a := &v.Affected[i]
			a.Ecosystem, a.Name, a.PURL = d.str(), d.str(), d.str()
			if nr := d.count(3); nr > 0 {
				a.Ranges = take(&d.rngArena, nr)
				for j := range a.Ranges {
					r := &a.Ranges[j]
					r.Type, r.Repo = d.str(), d.str()
					if ne := d.count(2); ne > 0 {
						r.Events = take(&d.evArena, ne)
						for k := range r.Events {
							kind := d.uv()
							if kind < uint64(vuln.Introduced) || kind > uint64(vuln.Limit) {
								d.fail("bad event kind %d", kind)
							}
							r.Events[k] = vuln.Event{Kind: vuln.EventKind(kind), Version: d.str()}
						}
					}
				}
			}
			a.Versions = d.strs()
			a.Source = d.str()
		}
	}
	if n := d.count(4); n > 0 {
		v.Configurations = make([]vuln.Configuration, n)
		for i := range v.Configurations {
			c := &v.Configurations[i]
			c.Source, c.Operator, c.Negate = d.str(), d.str(), d.boolean()
			if nn := d.count(3); nn > 0 {
				c.Nodes = make([]vuln.Node, nn)
				for j := range c.Nodes {
					n := &c.Nodes[j]
					n.Operator, n.Negate = d.str(), d.boolean()
					if nm := d.count(7); nm > 0 {
						n.Matches = make([]vuln.CPEMatch, nm)
						for k := range n.Matches {
							m := &n.Matches[k]
							m.Vulnerable = d.boolean()
							m.Criteria, m.MatchCriteriaID = d.str(), d.str()
							m.VersionStartIncluding, m.VersionStartExcluding = d.str(), d.str()
							m.VersionEndIncluding, m.VersionEndExcluding = d.str(), d.str()
						}
					}
				}
			}
		}
	}
	if d.boolean() {
		k := &vuln.CISAKEV{}
		k.DateAdded, k.DueDate = d.t(), d.t()
		k.VendorProject, k.Product, k.Name, k.ShortDescription = d.str(), d.str(), d.str(), d.str()
		k.RequiredAction, k.KnownRansomwareCampaignUse, k.Notes = d.str(), d.str(), d.str()
		k.CWEs = d.strs()
		k.Source = d.str()
		v.CISAKEV = k
	}
	if d.boolean() {
		k := &vuln.EUKEV{}
		k.EUVDID, k.VendorProject, k.Product, k.Name = d.str(), d.str(), d.str(), d.str()
		k.DateReported, k.PatchedSince = d.t(), d.t()
		k.OriginSource, k.ShortDescription = d.str(), d.str()
		k.ExploitationType, k.ThreatActors, k.CWEs = d.strs(), d.strs(), d.strs()
		k.Notes = d.str()
		v.EUKEV = k
	}
	if d.boolean() {
		u := &vuln.EUVD{}
		u.ID, u.ExploitedSince, u.Assigner, u.EPSS = d.str(), d.t(), d.str(), d.f64()
		if n := d.count(3); n > 0 {
			u.Products = make([]vuln.EUVDProduct, n)
			for i := range u.Products {
				u.Products[i] = vuln.EUVDProduct{Vendor: d.str(), Product: d.str(), Version: d.str()}
			}
		}
		v.EUVD = u
	}
	if d.boolean() {
		p := &vuln.EPSS{}
		p.Score, p.Percentile, p.Date, p.ModelVersion = d.f64(), d.f64(), d.t(), d.str()
		v.EPSS = p
	}
	if n := d.count(5); n > 0 {
		v.Sources = take(&d.srcArena, n)
		for i := range v.Sources {
			s := &v.Sources[i]
			s.Kind, s.ID, s.Database = vuln.SourceKind(d.str()), d.str(), d.str()
			s.Modified, s.Withdrawn = d.t(), d.t()
		}
	}
	return v
}

// ReadSnapshot reads an index written by WriteSnapshot. It refuses data that is not a snapshot,
// of another format version, larger than maxBytes (MaxSnapshotBytes when ≤ 0), truncated, or
// whose checksum does not match, with an error wrapping ErrSnapshot.
func ReadSnapshot(r io.Reader, maxBytes int64) (*Index, error) {
	if maxBytes <= 0 {
		maxBytes = MaxSnapshotBytes
	}
	br := bufio.NewReader(r)
	var hdr [24]byte
	if _, err := io.ReadFull(br, hdr[:]); err != nil {
		return nil, fmt.Errorf("%w: header: %v (truncated or not a snapshot)", ErrSnapshot, err)
	}
	if string(hdr[:8]) != snapshotMagic {
		return nil, fmt.Errorf("%w: not a Vigil index snapshot (bad magic)", ErrSnapshot)
	}
	if v := binary.LittleEndian.Uint32(hdr[8:]); v != SnapshotVersion {
		return nil, fmt.Errorf("%w: format version %d, this build reads version %d (re-import the feeds)", ErrSnapshot, v, SnapshotVersion)
	}
	n := binary.LittleEndian.Uint64(hdr[12:])
	if n > uint64(maxBytes) {
		return nil, fmt.Errorf("%w: too large: payload of %d bytes, limit %d", ErrSnapshot, n, maxBytes)
	}
	// Allocate n bytes only when the source is known to hold them; otherwise read without
	// trusting n, so a short file never costs n bytes of memory.
	var payload []byte
	if left, ok := remaining(r); ok && left >= 0 {
		if uint64(left)+uint64(br.Buffered()) < n {
			return nil, fmt.Errorf("%w: truncated: %d of %d payload bytes", ErrSnapshot, uint64(left)+uint64(br.Buffered()), n)
		}
		payload = make([]byte, n)
		if _, err := io.ReadFull(br, payload); err != nil {
			return nil, fmt.Errorf("%w: truncated: %v", ErrSnapshot, err)
		}
	} else {
		var err error
		if payload, err = io.ReadAll(io.LimitReader(br, int64(n))); err != nil {
			return nil, fmt.Errorf("%w: read: %v", ErrSnapshot, err)
		}
		if uint64(len(payload)) != n {
			return nil, fmt.Errorf("%w: truncated: %d of %d payload bytes", ErrSnapshot, len(payload), n)
		}
	}
	if sum := crc32.Checksum(payload, castagnoli); sum != binary.LittleEndian.Uint32(hdr[20:]) {
		return nil, fmt.Errorf("%w: checksum mismatch (corrupt file)", ErrSnapshot)
	}
	records, epss, err := decodePayload(payload)
	if err != nil {
		return nil, err
	}
	idx := newIndex(len(records))
	idx.epss = epss
	idx.addRecords(records, nil, nil)
	return idx, nil
}

// remaining reports how many bytes r still holds, when it can tell (files, bytes.Reader).
func remaining(r io.Reader) (int64, bool) {
	switch x := r.(type) {
	case interface{ Len() int }:
		return int64(x.Len()), true
	case *os.File:
		st, err := x.Stat()
		if err != nil || !st.Mode().IsRegular() {
			return 0, false
		}
		pos, err := x.Seek(0, io.SeekCurrent)
		if err != nil {
			return 0, false
		}
		return st.Size() - pos, true
	}
	return 0, false
}

// decodePayload decodes the payload. The strings it returns share payload's memory, which must
// not be modified afterwards.
func decodePayload(payload []byte) ([]vuln.Vulnerability, map[string]vuln.EPSS, error) {
	d := &dec{b: payload}
	ns := d.count(1)
	lensAt := d.off
	total := 0
	for i := 0; i < ns && d.err == nil; i++ {
		l := d.uv()
		if l > uint64(len(payload)) {
			d.fail("string length %d", l)
			break
		}
		total += int(l)
		if total > len(payload) {
			d.fail("strings exceed the payload")
		}
	}
	if d.err == nil && total > len(payload)-d.off {
		d.fail("strings exceed the payload")
	}
	if d.err != nil {
		return nil, nil, d.err
	}
	// One string over the payload's bytes: every string of the table is a slice of it.
	blob := ""
	if total > 0 {
		blob = unsafe.String(&payload[d.off], total)
	}
	blobEnd := d.off + total
	d.st = make([]string, ns)
	pos := 0
	d.off = lensAt
	for i := range d.st {
		l := int(d.uv())
		d.st[i] = blob[pos : pos+l]
		pos += l
	}
	d.off = blobEnd
	nr := d.count(10)
	records := make([]vuln.Vulnerability, 0, nr)
	for i := 0; i < nr && d.err == nil; i++ {
		records = append(records, d.record())
	}
	ne := d.count(19)
	epss := make(map[string]vuln.EPSS, ne)
	for i := 0; i < ne && d.err == nil; i++ {
		id := d.str()
		epss[id] = vuln.EPSS{Score: d.f64(), Percentile: d.f64(), Date: d.t(), ModelVersion: d.str()}
	}
	if d.err == nil && d.off != len(payload) {
		d.fail("%d bytes after the data", len(payload)-d.off)
	}
	if d.err != nil {
		return nil, nil, d.err
	}
	return records, epss, nil
}
