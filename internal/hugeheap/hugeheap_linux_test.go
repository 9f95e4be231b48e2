package hugeheap

import (
	"bufio"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// thpMode returns the kernel's transparent huge page setting (always, madvise or never; "" when the
// kernel has none).
func thpMode(t *testing.T) string {
	b, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil {
		return ""
	}
	s := string(b)
	if i, j := strings.IndexByte(s, '['), strings.IndexByte(s, ']'); i >= 0 && j > i {
		return s[i+1 : j]
	}
	t.Fatalf("unexpected transparent_hugepage/enabled: %q", s)
	return ""
}

// vmFlags returns the VmFlags of the mappings that overlap [start, end), from /proc/self/smaps.
func vmFlags(t *testing.T, start, end uintptr) []string {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("no /proc/self/smaps: %v", err)
	}
	defer f.Close()
	var out []string
	overlap := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if lo, hi, ok := mappingRange(line); ok {
			overlap = lo < end && hi > start
			continue
		}
		if overlap && strings.HasPrefix(line, "VmFlags:") {
			out = append(out, strings.TrimSpace(strings.TrimPrefix(line, "VmFlags:")))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func mappingRange(line string) (lo, hi uintptr, ok bool) {
	field, _, _ := strings.Cut(line, " ")
	a, b, found := strings.Cut(field, "-")
	if !found {
		return 0, 0, false
	}
	x, err1 := strconv.ParseUint(a, 16, 64)
	y, err2 := strconv.ParseUint(b, 16, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return uintptr(x), uintptr(y), true
}

// The allocations after Prepare land in the advised memory when the heap has no other free pages,
// as at the start of a command; a test binary's heap has them after other tests, so the check runs
// in a fresh process.
func TestPrepareAdvisesHeapThatTheRuntimeThenUses(t *testing.T) {
	if os.Getenv("HUGEHEAP_CHILD") == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestPrepareAdvisesHeapThatTheRuntimeThenUses$", "-test.v")
		cmd.Env = append(os.Environ(), "HUGEHEAP_CHILD=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if strings.Contains(string(out), "--- SKIP") {
			t.Skipf("%s", out)
		}
		return
	}
	switch thpMode(t) {
	case "", "never":
		if start, end := Prepare(32 << 20); start != end {
			// madvise succeeds with "never" too; what matters is that nothing breaks
			t.Logf("advised %#x–%#x with transparent huge pages off", start, end)
		}
		t.Skip("the kernel gives no transparent huge pages here")
	}
	const n = 32 << 20
	start, end := Prepare(n)
	if start == 0 || end <= start {
		t.Fatalf("Prepare(%d) advised nothing", n)
	}
	if end-start < n-2*hugePage || start%hugePage != 0 || end%hugePage != 0 {
		t.Errorf("advised %#x–%#x (%d bytes), want ≥ %d bytes on huge page boundaries", start, end, end-start, n-2*hugePage)
	}
	flags := vmFlags(t, start, end)
	if len(flags) == 0 {
		t.Fatalf("no mapping covers %#x–%#x", start, end)
	}
	for _, f := range flags {
		if !strings.Contains(" "+f+" ", " hg ") {
			t.Errorf("a mapping in the advised range lacks the huge page advice: VmFlags %q", f)
		}
	}
	// The allocations that follow are placed in the advised memory (the block was freed at once).
	keep := make([]*[4096]byte, 0, 2048)
	in := 0
	for range cap(keep) {
		p := new([4096]byte)
		keep = append(keep, p)
		if a := uintptr(unsafe.Pointer(p)); a >= start && a < end {
			in++
		}
	}
	if in < len(keep)/2 {
		t.Errorf("%d of %d new objects are in the advised range %#x–%#x", in, len(keep), start, end)
	}
}

func TestPrepareSmall(t *testing.T) {
	for _, n := range []int64{-1, 0, 1, 2*hugePage - 1} {
		if start, end := Prepare(n); start != 0 || end != 0 {
			t.Errorf("Prepare(%d) = %#x, %#x; want nothing advised", n, start, end)
		}
	}
}

func TestBound(t *testing.T) {
	const gb = 1 << 30
	for _, c := range []struct {
		n          int64
		overcommit string
		ram        uint64
		want       int64
	}{
		{64 << 20, "0\n", 16 * gb, 64 << 20},
		{64 << 20, "1\n", 16 * gb, 64 << 20},
		{64 << 20, "2\n", 16 * gb, 0},          // strict accounting: never map ahead
		{64 << 20, "", 16 * gb, 0},             // not readable: as strict
		{64 << 20, "0\n", 128 << 20, 32 << 20}, // a quarter of a small machine
		{64 << 20, "0\n", 0, 64 << 20},         // memory not known: maxBytes still holds in Prepare
	} {
		if got := bound(c.n, c.overcommit, c.ram); got != c.want {
			t.Errorf("bound(%d, %q, %d) = %d, want %d", c.n, c.overcommit, c.ram, got, c.want)
		}
	}
}
