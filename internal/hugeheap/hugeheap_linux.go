package hugeheap

import (
	"runtime"
	"syscall"
	"unsafe"
)

func prepare(n int64) (start, end uintptr) {
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
