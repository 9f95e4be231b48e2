package hugeheap

import (
	"os"
	"runtime"
	"strings"
	"syscall"
	"unsafe"
)

func prepare(n int64) (start, end uintptr) {
	overcommit, _ := os.ReadFile("/proc/sys/vm/overcommit_memory")
	var ram uint64
	var si syscall.Sysinfo_t
	if syscall.Sysinfo(&si) == nil {
		ram = uint64(si.Totalram) * uint64(si.Unit)
	}
	if n = bound(n, string(overcommit), ram); n < 2*hugePage {
		return 0, 0
	}
	// Memory fresh from the system is not zeroed by the runtime, so this allocation maps the pages
	// without touching them.
	b := make([]byte, n)
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	start = (p + hugePage - 1) &^ (hugePage - 1)
	end = (p + uintptr(n)) &^ (hugePage - 1)
	_, _, errno := syscall.Syscall(syscall.SYS_MADVISE, start, end-start, syscall.MADV_HUGEPAGE)
	runtime.KeepAlive(b)
	// Free the block now (one collection of a small heap, ~1 ms) so that the next allocations land in
	// it rather than in memory the heap would map after it.
	runtime.GC()
	if errno != 0 { // EINVAL: a kernel without transparent huge pages
		return 0, 0
	}
	return start, end
}

// bound returns how much of n to map ahead, given the kernel's vm.overcommit_memory and the
// machine's memory (0: not known): nothing with strict accounting ("2": the mapping is charged
// whole, and a runtime that cannot map heap ends the program) or when the setting cannot be read,
// else at most a quarter of the memory.
func bound(n int64, overcommit string, ram uint64) int64 {
	switch strings.TrimSpace(overcommit) {
	case "0", "1":
	default:
		return 0
	}
	if ram > 0 {
		n = min(n, int64(ram/4))
	}
	return n
}
