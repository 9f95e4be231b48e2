// Package binpages lets a short-lived command give back the pages of its own executable that
// start-up mapped and the command does not use.
//
// The kernel maps a file into a process around each page the process faults in (fault-around,
// 64 KB at a time), so the ~256 package initialisations of the vigil binary leave 23 MB of it
// resident, text and read-only data, although a scan then uses ~10 MB of it. Release unmaps the
// executable's clean pages: they stay in the page cache (shared, reclaimable, not copied), and
// those the command touches again come back from there with a minor fault. Resident memory then
// counts what the command uses; the machine's page cache is what it was.
package binpages

// Mapping is one address range of the executable that Release unmaps.
type Mapping struct {
	Start, End uintptr
	Rss        int64 // bytes resident before
}

// Release unmaps the resident pages of the executable's read-only mappings that were never written
// to, and returns how many bytes were resident there (0 where it did nothing: systems other than
// Linux, or no /proc).
func Release() int64 { return release() }
