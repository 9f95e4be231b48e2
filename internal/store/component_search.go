package store

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"maps"
	"sort"
	"sync"
)

// The fleet search's candidate names from memory (issue 4, "where is log4j-core?" under 20 ms).
//
// Matching the terms against an organisation's search keys in SQL reads all of them on every search
// (~240,000 keys for a million components: ~0.1 s, pure-Go SQLite). The keys change only when an SBOM
// is imported, so the store keeps them in memory, packed into chunks of bytes searched for the
// rarest byte of the longest term, and reads them again when the organisation's SBOM stamp (count
// and last id of its SBOMs) changed — an SBOM import adds its new keys when it commits instead
// (extend), so they are only read again after other changes. A search that finds no current
// keys in memory runs in SQL, as before, and has them read in the background for the next one
// (reading them takes two to three times one SQL search: a one-off command would pay that and use it
// once). The names found only narrow the components the
// query reads; the query applies the per-field conditions again, so a key that is stale or too wide
// cannot change a result.

// searchKeyBudget bounds the bytes the cached keys of all organisations take; the least recently
// searched organisation is dropped first, and one larger than the budget is searched in SQL.
var searchKeyBudget int64 = 128 << 20

type searchKeyCache struct {
	mu      sync.Mutex
	used    int64
	tick    uint64
	sets    map[int64]*searchKeyEntry
	loads   int // how many times keys were read from the database (tests)
	hits    int // how many searches were answered from memory (tests)
	ctx     context.Context
	cancel  context.CancelFunc
	stopped bool
	wg      sync.WaitGroup // the background reads
	log     *slog.Logger
}

type searchKeyEntry struct {
	set     *searchKeySet
	loading bool   // a background read is under way
	last    uint64 // tick of the last use
}

// searchKeySet is one organisation's search keys, in chunks of about searchKeyChunkBytes (one
// growing slice of 20 MB would be copied and cleared over and over while it is read).
type searchKeySet struct {
	stamp  string
	chunks []*searchKeyChunk
	freq   [256]int // how often each byte occurs in the hays: find looks for a needle's rarest byte
	size   int64
}

// searchKeyChunk holds keys one after the other: hay i is hays[start(i):ends[i]] (start(i) is
// ends[i-1]+1: a zero byte separates two). A key's name is its hay's first line (the hay starts with
// the name in lower case), unless names holds another one for it.
type searchKeyChunk struct {
	hays  []byte
	ends  []int32
	names map[int32]string
}

var searchKeyChunkBytes = 1 << 20

// add appends a key, in a new chunk when the last one is full.
func (s *searchKeySet) add(hay, name []byte) {
	var c *searchKeyChunk
	if n := len(s.chunks); n > 0 && len(s.chunks[n-1].hays)+len(hay)+1 <= cap(s.chunks[n-1].hays) {
		c = s.chunks[n-1]
	} else {
		c = &searchKeyChunk{hays: make([]byte, 0, max(searchKeyChunkBytes, len(hay)+1)), ends: make([]int32, 0, searchKeyChunkBytes/64)}
		s.chunks = append(s.chunks, c)
	}
	start := len(c.hays)
	c.hays = append(c.hays, hay...)
	// Lower case again (ASCII, as SQLite's LIKE compares): hays migrated from old rows may hold an
	// upper-case CPE (a wider candidate set is harmless, see above).
	for i := start; i < len(c.hays); i++ {
		b := c.hays[i]
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
			c.hays[i] = b
		}
		s.freq[b]++
	}
	c.hays = append(c.hays, 0)
	c.ends = append(c.ends, int32(len(c.hays)-1))
	if first, _, _ := bytes.Cut(c.hays[start:len(c.hays)-1], []byte{'\n'}); !bytes.Equal(first, name) {
		if c.names == nil {
			c.names = map[int32]string{}
		}
		c.names[int32(len(c.ends)-1)] = string(name)
		s.size += int64(len(name)) + 32
	}
}

// holdsKeys reports whether the set holds keys (not nil, and not only the stamp of a set larger than
// the budget).
func (s *searchKeySet) holdsKeys() bool { return s != nil && len(s.chunks) > 0 }

// bytes is what the chunk's keys take (the names map aside: add counts it).
func (c *searchKeyChunk) bytes() int64 { return int64(cap(c.hays)) + 4*int64(cap(c.ends)) }

// key returns the hay of key k of the chunk.
func (c *searchKeyChunk) key(k int) []byte {
	start := 0
	if k > 0 {
		start = int(c.ends[k-1]) + 1
	}
	return c.hays[start:c.ends[k]]
}

// name returns the name of key k, whose hay is hay.
func (c *searchKeyChunk) name(k int, hay []byte) string {
	if n, ok := c.names[int32(k)]; ok {
		return n
	}
	first, _, _ := bytes.Cut(hay, []byte{'\n'})
	return string(first)
}

// reset drops every organisation's keys (after a restore).
func (c *searchKeyCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sets, c.used = nil, 0
}

// stop cancels the background reads and waits for them (the store is closing).
func (c *searchKeyCache) stop() {
	c.mu.Lock()
	c.stopped = true
	if c.cancel != nil {
		c.cancel()
	}
	c.mu.Unlock()
	c.wg.Wait()
}

// wait waits for the background reads under way.
func (c *searchKeyCache) wait() { c.wg.Wait() }

// WaitSearchKeys waits until the component search keys being read in the background are in memory
// (benchmarks and tests: the search after a change runs in SQL and has them read).
func (s *Store) WaitSearchKeys() { s.keys.wait() }

// names returns the organisation's candidate names for terms from memory; ok is false when its
// current keys are not there (then the caller searches in SQL).
func (c *searchKeyCache) names(ctx context.Context, sc *Scope, terms []string, limit int) (names []string, ok bool, err error) {
	// The stamp is read before the keys: keys committed between the two only make the set wider,
	// and the next search, seeing a newer stamp, reads them again.
	stamp, err := sc.FleetSBOMStamp(ctx)
	if err != nil {
		return nil, false, err
	}
	c.mu.Lock()
	if c.sets == nil {
		c.sets = map[int64]*searchKeyEntry{}
	}
	e := c.sets[sc.org]
	if e == nil {
		e = &searchKeyEntry{}
		c.sets[sc.org] = e
	}
	c.tick++
	e.last = c.tick
	set := e.set
	current := set != nil && set.stamp == stamp
	if !current && !e.loading && !c.stopped {
		if c.ctx == nil {
			c.ctx, c.cancel = context.WithCancel(context.Background())
		}
		e.loading = true
		c.wg.Add(1)
		go c.load(sc, e, stamp)
	}
	if !current || set.size > searchKeyBudget {
		c.mu.Unlock()
		return nil, false, nil
	}
	c.hits++
	c.mu.Unlock()
	return set.find(terms, limit), true, nil
}

// kept reports whether keys of the organisation are in memory (a bulk of imports before any search
// need not read stamps for extend).
func (c *searchKeyCache) kept(org int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.sets[org]
	return e != nil && e.set.holdsKeys()
}

// extend adds the keys an SBOM import added (hay and name, in pairs) to the organisation's keys in
// memory, once its transaction has committed, when they are those of the SBOMs before it (stamp
// before): the keys are then current again (stamp after) without being read afresh — the first search
// after an import is answered from memory instead of in SQL (0.1 s for a million components). Keys of
// another state are left alone: the next search finds them stale and has them read. No other import
// commits between the two stamps: SQLite has one writer at a time, and on PostgreSQL an
// organisation's imports take turns (ReplaceSBOM). Other changes that commit between them (a version
// deleted) only leave keys that no component has any more, which cannot change a result.
func (c *searchKeyCache) extend(org int64, before, after string, keys []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.sets[org]
	if e == nil || !e.set.holdsKeys() || e.set.stamp != before {
		return // none kept (over the budget, or never searched), or of another state
	}
	old := e.set
	// Searches may be reading the old set: the new one shares its full chunks and copies the last.
	set := &searchKeySet{stamp: after, freq: old.freq, size: old.size}
	set.chunks = append(make([]*searchKeyChunk, 0, len(old.chunks)+1), old.chunks[:len(old.chunks)-1]...)
	last := old.chunks[len(old.chunks)-1]
	set.chunks = append(set.chunks, &searchKeyChunk{hays: append(make([]byte, 0, cap(last.hays)), last.hays...),
		ends: append(make([]int32, 0, cap(last.ends)), last.ends...), names: maps.Clone(last.names)})
	from := len(set.chunks) - 1
	for i := 0; i+1 < len(keys); i += 2 {
		set.add([]byte(keys[i]), []byte(keys[i+1]))
	}
	set.size -= last.bytes()
	for _, ch := range set.chunks[from:] {
		set.size += ch.bytes()
	}
	c.keep(org, e, set)
}

// load reads an organisation's keys in the background and keeps them.
func (c *searchKeyCache) load(sc *Scope, e *searchKeyEntry, stamp string) {
	defer c.wg.Done()
	set, err := loadSearchKeys(c.ctx, sc, stamp)
	c.mu.Lock()
	defer c.mu.Unlock()
	e.loading = false
	if err != nil {
		if c.log != nil && c.ctx.Err() == nil {
			c.log.Warn("component search keys not read; searching in the database", "org", sc.org, "err", err)
		}
		return
	}
	c.loads++
	if c.sets[sc.org] != e {
		return // dropped meanwhile (reset, or over the budget)
	}
	c.keep(sc.org, e, set)
}

// keep makes set the organisation's keys (c.mu held) within the budget: a set larger than the budget
// is kept as its stamp only (searched in SQL, and not read again before it changes); otherwise the
// least recently searched other organisations are dropped until all fit.
func (c *searchKeyCache) keep(org int64, e *searchKeyEntry, set *searchKeySet) {
	if e.set.holdsKeys() {
		c.used -= e.set.size // a stamp-only set was never counted
	}
	if set.size > searchKeyBudget {
		e.set = &searchKeySet{stamp: set.stamp, size: set.size}
		return
	}
	e.set = set
	c.used += set.size
	for c.used > searchKeyBudget {
		var oldest int64
		var oe *searchKeyEntry
		for o, x := range c.sets {
			if o != org && x.set.holdsKeys() && x.set.size <= searchKeyBudget && (oe == nil || x.last < oe.last) {
				oldest, oe = o, x
			}
		}
		if oe == nil {
			break
		}
		c.used -= oe.set.size
		delete(c.sets, oldest)
	}
}

func loadSearchKeys(ctx context.Context, sc *Scope, stamp string) (*searchKeySet, error) {
	set := &searchKeySet{stamp: stamp}
	rows, err := sc.Query(ctx, "SELECT hay, name_key FROM component_search_keys WHERE org_id = ?", sc.org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var hay, name sql.RawBytes // the driver's buffers: each hay is copied once, into its chunk
	for rows.Next() {
		if err := rows.Scan(&hay, &name); err != nil {
			return nil, err
		}
		set.add(hay, name)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, c := range set.chunks {
		set.size += c.bytes()
	}
	return set, nil
}

// find returns the distinct names of the keys whose hay holds every term; nil when there are more
// than limit.
func (s *searchKeySet) find(terms []string, limit int) []string {
	out := []string{}
	if len(terms) == 0 {
		return out
	}
	// The longest term is looked for through all keys (it occurs least often); the others only in the
	// keys that hold it.
	first := 0
	for i, t := range terms {
		if len(t) > len(terms[first]) {
			first = i
		}
	}
	needle := []byte(terms[first])
	// Occurrences are found by the needle's rarest byte (memchr speed when it is rare: a name's
	// "golang.org/x/" or "org.apache." is in thousands of keys, its last letters in few), and by
	// bytes.Index when even that byte is common.
	rare, total := 0, 0
	for i, b := range needle {
		if s.freq[b] < s.freq[needle[rare]] {
			rare = i
		}
	}
	for _, n := range s.freq {
		total += n
	}
	byRare := s.freq[needle[rare]] < total/64
	seen := map[string]bool{}
	for _, c := range s.chunks {
		for pos := 0; pos < len(c.hays); {
			var at int
			if byRare {
				if pos+rare >= len(c.hays) {
					break
				}
				i := bytes.IndexByte(c.hays[pos+rare:], needle[rare])
				if i < 0 {
					break
				}
				if at = pos + i; !bytes.HasPrefix(c.hays[at:], needle) {
					pos = at + 1
					continue
				}
			} else {
				i := bytes.Index(c.hays[pos:], needle)
				if i < 0 {
					break
				}
				at = pos + i
			}
			// the key the occurrence starts in
			k := sort.Search(len(c.ends), func(j int) bool { return int(c.ends[j]) >= at })
			hay := c.key(k)
			pos = int(c.ends[k]) + 1
			all := true
			for _, t := range terms {
				if !bytes.Contains(hay, []byte(t)) { // the first too: its occurrence may run into the next key
					all = false
					break
				}
			}
			if !all {
				continue
			}
			if n := c.name(k, hay); !seen[n] {
				seen[n] = true
				if out = append(out, n); len(out) > limit {
					return nil
				}
			}
		}
	}
	return out
}
