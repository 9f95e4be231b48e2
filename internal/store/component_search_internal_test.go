package store

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func searchKeysOf(keys [][2]string) *searchKeySet {
	s := &searchKeySet{}
	for _, k := range keys {
		s.add([]byte(k[0]), []byte(k[1]))
	}
	return s
}

// The names of the keys whose hay holds every term, as the SQL (hay LIKE %t% for each term) finds them.
func TestSearchKeySetFind(t *testing.T) {
	keys0 := [][2]string{
		{"log4j-core\npkg:maven/org.apache.logging.log4j/log4j-core\n\norg.apache.logging.log4j", "log4j-core"},
		{"log4j-api\npkg:maven/org.apache.logging.log4j/log4j-api\n\norg.apache.logging.log4j", "log4j-api"},
		{"openssl\n\ncpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*\n", "openssl"},
		{"openssl\npkg:deb/debian/openssl\n\n", "openssl"}, // the same name twice: one candidate
		{"zlib\n\n\n", "zlib"},
		{"abc\n\n\n", "abc"},
		{"def\n\n\n", "def"},
		{"busybox\n\nCPE:2.3:A:BUSYBOX:BusyBox:1.36\n", "busybox"}, // an upper-case CPE of a migrated row
	}
	keys := searchKeysOf(keys0)
	for _, tc := range []struct {
		terms []string
		limit int
		want  []string // nil: more than limit
	}{
		{[]string{"log4j-core"}, 10, []string{"log4j-core"}},
		{[]string{"log4j"}, 10, []string{"log4j-core", "log4j-api"}},
		{[]string{"log4j"}, 1, nil},
		{[]string{"log4j"}, 2, []string{"log4j-core", "log4j-api"}},
		{[]string{"openssl"}, 10, []string{"openssl"}},
		{[]string{"openssl", "debian"}, 10, []string{"openssl"}},
		{[]string{"1.1.1k", "openssl"}, 10, []string{"openssl"}},
		{[]string{"apache", "core"}, 10, []string{"log4j-core"}},
		{[]string{"zlib", "openssl"}, 10, []string{}}, // in two keys, not in one
		{[]string{"c\x00d"}, 10, []string{}},          // not across the end of a key
		{[]string{"zlib\n\n\n"}, 10, []string{"zlib"}},
		{[]string{"\n\n\n"}, 10, []string{"zlib", "abc", "def"}},
		{[]string{"\n\n"}, 10, []string{"log4j-core", "log4j-api", "openssl", "zlib", "abc", "def", "busybox"}},
		{[]string{"nothing"}, 10, []string{}},
		{[]string{"a:busybox:busybox"}, 10, []string{"busybox"}},
	} {
		got := keys.find(tc.terms, tc.limit)
		if (got == nil) != (tc.want == nil) || !slices.Equal(got, tc.want) {
			t.Errorf("find(%q, %d) = %q, want %q", tc.terms, tc.limit, got, tc.want)
		}
	}
	defer func(n int) { searchKeyChunkBytes = n }(searchKeyChunkBytes)
	searchKeyChunkBytes = 100
	if got := searchKeysOf(keys0).find([]string{"log4j"}, 10); !slices.Equal(got, []string{"log4j-core", "log4j-api"}) {
		t.Errorf("in chunks of 100 bytes: %q", got)
	}
	if got := searchKeysOf(nil).find([]string{"x"}, 10); got == nil || len(got) != 0 {
		t.Errorf("no keys: %q", got)
	}
}

// Against the definition, on many small random keys whose terms often sit at a key's start or end
// or run over into the next key.
func TestSearchKeySetFindRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	// common: three bytes about equally often (found with bytes.Index); rare: mostly "a", with "x"
	// and "y" rare enough to be looked for on their own
	var rareBytes bool
	word := func(n int) string {
		var b strings.Builder
		for range n {
			if !rareBytes {
				b.WriteByte("ab\n"[r.IntN(3)])
			} else if c := r.IntN(400); c < 4 {
				b.WriteByte("xy\n"[c%3])
			} else {
				b.WriteByte('a')
			}
		}
		return b.String()
	}
	defer func(n int) { searchKeyChunkBytes = n }(searchKeyChunkBytes)
	for i := range 1200 {
		rareBytes = i%2 == 1
		// one chunk, or many small ones (some keys larger than a chunk)
		searchKeyChunkBytes = []int{1 << 20, 1 << 20, 8, 64}[i%4]
		var raw [][2]string
		n, size := 1+r.IntN(12), 6
		if rareBytes {
			n, size = 50+r.IntN(100), 40
		}
		for range n {
			hay := word(r.IntN(size))
			name := "n" + word(1)
			if r.IntN(3) == 0 {
				name, _, _ = strings.Cut(hay, "\n")
			}
			raw = append(raw, [2]string{hay, name})
		}
		keys := searchKeysOf(raw)
		terms := []string{word(1 + r.IntN(3))}
		if rareBytes {
			terms[0] = []string{"x", "ay", "xa", "aaxa", "y", "ayaa", "aaaaaaaa"}[r.IntN(7)]
		}
		if r.IntN(2) == 0 {
			terms = append(terms, word(1+r.IntN(2)))
		}
		want := []string{}
		for _, k := range raw {
			all := true
			for _, term := range terms {
				all = all && strings.Contains(k[0], term)
			}
			if all && !slices.Contains(want, k[1]) {
				want = append(want, k[1])
			}
		}
		if got := keys.find(terms, 100); !slices.Equal(got, want) {
			t.Fatalf("keys %q, terms %q: got %q, want %q", raw, terms, got, want)
		}
	}
}
