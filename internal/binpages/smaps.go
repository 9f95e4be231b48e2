package binpages

import (
	"bytes"
	"strconv"
)

// Clean returns the mappings of the file path in smaps (the text of /proc/PID/smaps) that hold
// resident pages and can be dropped: not writable and without anonymous pages. A page written even
// once is a private copy (the relocations of a position-independent executable, which then become
// read-only; a debugger's breakpoints), and dropping it would bring back the file's content; a
// mapping whose anonymous pages are not listed is left alone too.
func Clean(smaps []byte, path string) []Mapping {
	var out []Mapping
	var cur Mapping
	var mine bool
	anon := int64(-1)
	flush := func() {
		if mine && anon == 0 && cur.Rss > 0 {
			out = append(out, cur)
		}
		mine = false
	}
	for line := range bytes.Lines(smaps) {
		line = bytes.TrimRight(line, "\n")
		key, rest, ok := bytes.Cut(line, []byte(" "))
		if !ok {
			continue
		}
		if !bytes.HasSuffix(key, []byte(":")) { // a mapping: start-end perms offset dev inode [path]
			flush()
			start, end, ok := parseRange(key)
			f := bytes.Fields(rest)
			if !ok || len(f) < 5 {
				continue
			}
			name := string(bytes.Join(f[4:], []byte(" ")))
			perms := f[0]
			mine = name == path && len(perms) == 4 && perms[0] == 'r' && perms[1] == '-'
			cur, anon = Mapping{Start: start, End: end}, -1
			continue
		}
		if !mine {
			continue
		}
		switch string(key) {
		case "Rss:":
			cur.Rss = kilobytes(rest)
		case "Anonymous:":
			anon = kilobytes(rest)
		}
	}
	flush()
	return out
}

func parseRange(b []byte) (start, end uintptr, ok bool) {
	a, z, found := bytes.Cut(b, []byte("-"))
	if !found {
		return 0, 0, false
	}
	s, err1 := strconv.ParseUint(string(a), 16, 64)
	e, err2 := strconv.ParseUint(string(z), 16, 64)
	if err1 != nil || err2 != nil || e <= s {
		return 0, 0, false
	}
	return uintptr(s), uintptr(e), true
}

// kilobytes reads "   123 kB" as bytes (-1 when it is not a number, so that a mapping whose
// anonymous pages cannot be read is left alone).
func kilobytes(b []byte) int64 {
	f := bytes.Fields(b)
	if len(f) == 0 {
		return -1
	}
	n, err := strconv.ParseInt(string(f[0]), 10, 64)
	if err != nil {
		return -1
	}
	return n << 10
}
