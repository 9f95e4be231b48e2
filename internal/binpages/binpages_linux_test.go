package binpages

import (
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// exeResident returns the bytes of the test binary's clean mappings that are resident now.
func exeResident(t *testing.T) int64 {
	t.Helper()
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		t.Skipf("no /proc/self/exe: %v", err)
	}
	smaps, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Skipf("no /proc/self/smaps: %v", err)
	}
	var n int64
	for _, m := range Clean(smaps, exe) {
		n += m.Rss
	}
	return n
}

// TestRelease drops the test binary's own pages and goes on running: what it needs again comes
// back from the file (code, the tables tracebacks and the collector read).
func TestRelease(t *testing.T) {
	exeResident(t) // what measuring touches is resident in both measurements
	before := exeResident(t)
	if before < 1<<20 {
		t.Skipf("%d bytes of clean resident pages of the executable: too few to measure a release", before)
	}
	released := Release()
	after := exeResident(t)
	t.Logf("resident before %d kB, released %d kB, after %d kB", before>>10, released>>10, after>>10)
	if released < before/2 {
		t.Errorf("released %d bytes of %d resident", released, before)
	}
	// Reading smaps again brings back its own code (64 KB around each page it runs), so a part
	// comes back at once; without the release nothing would go.
	if after > before*9/10 {
		t.Errorf("still %d bytes resident after releasing %d of %d", after, released, before)
	}
	// The program still works: stacks grow and are walked, the collector scans, a panic unwinds.
	runtime.GC()
	if s := string(debug.Stack()); !strings.Contains(s, "TestRelease") {
		t.Errorf("stack after Release:\n%s", s)
	}
	if got := recurse(2000); got != 2000 {
		t.Errorf("recurse = %d", got)
	}
	func() {
		defer func() {
			if r := recover(); r == nil {
				t.Error("no panic")
			}
		}()
		var s []int
		_ = s[len(os.Args)] // a runtime error: an index out of range
	}()
}

func recurse(n int) int {
	var pad [64]byte
	if n == 0 {
		return int(pad[0])
	}
	return 1 + recurse(n-1)
}
