// Package hugeheap lets a short-lived command that builds a large heap at once (vigil scan) have
// that heap backed by transparent huge pages on Linux.
//
// Each 4 KB page a process touches for the first time is a page fault, and where they are dear
// (virtual machines: ~10 µs each) a 10,000-component scan spent half its time in them (~9,000
// faults). The Go runtime does not ask for huge pages for its heap, and on the common Linux setting
// ("madvise") the kernel gives them only to memory that asks. Prepare maps heap memory ahead of the
// allocations and asks for huge pages there; the runtime then places the command's objects in it,
// each 2 MB one fault. The memory is the heap's own (nothing is kept outside it): when the heap
// outgrows it, the rest comes in ordinary pages as before. The price is that resident memory counts
// in 2 MB steps (a few MB more), so long-lived processes (the server) do not use it.
package hugeheap

// hugePage is the size of a transparent huge page on the platforms Vigil is built for.
const hugePage = 2 << 20

// maxBytes bounds what Prepare maps ahead (an estimate from file sizes must not map the world; on
// Linux also a quarter of the machine's memory).
const maxBytes = 1 << 30

// Prepare makes the runtime map n bytes of heap (not touched: no memory is used by it) and asks
// the kernel for huge pages there, then lets the collector free them for the allocations that
// follow. It returns the advised address range (empty where it did nothing: other systems, n under
// two huge pages, a kernel without transparent huge pages, or strict overcommit accounting, where
// mapping ahead could make the runtime fail for memory the command would never use), for tests.
// Advice only: the program is correct whatever the kernel does with it.
func Prepare(n int64) (start, end uintptr) {
	if n < 2*hugePage {
		return 0, 0
	}
	return prepare(min(n, maxBytes))
}
