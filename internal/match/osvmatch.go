package match

import (
	"slices"
	"strings"

	"github.com/vigil-med/vigil/internal/sbom"
	"github.com/vigil-med/vigil/internal/version"
	"github.com/vigil-med/vigil/internal/vuln"
)

// parsedAffected is an OSV affected entry with its versions parsed, built on first use.
type parsedAffected struct {
	ref       affRef
	source    string // record id
	withdrawn bool
	ecosystem string // full ecosystem with release suffix
	ranges    []parsedRange
	versions  []string // enumerated versions as given
	parsedVs  []version.Version
	fixed     []parsedEvent // every fixed event, ascending, without duplicates
	fixedRaw  []string      // their versions, for Finding.FixedVersions (shared, not copied)
}

type parsedRange struct {
	scheme string // ecosystem to parse the component version in ("Go", "SemVer", "PyPI", …)
	events []parsedEvent
	limits []version.Version
}

type parsedEvent struct {
	kind vuln.EventKind
	raw  string
	zero bool // introduced "0"
	v    version.Version
}

func (e *pkgEntry) affected() []parsedAffected {
	e.once.Do(func() {
		e.parsed = make([]parsedAffected, 0, len(e.refs))
		for _, r := range e.refs {
			e.parsed = append(e.parsed, parseAffected(r))
		}
		// in vulnerability id order, so a component's findings come out sorted
		slices.SortStableFunc(e.parsed, func(a, b parsedAffected) int { return vuln.CompareIDs(a.ref.g.v.ID, b.ref.g.v.ID) })
	})
	return e.parsed
}

func parseAffected(r affRef) parsedAffected {
	a := &r.g.v.Affected[r.aff]
	pa := parsedAffected{ref: r, source: a.Source, ecosystem: a.Ecosystem, withdrawn: r.g.v.RecordWithdrawn(a.Source), versions: a.Versions}
	base := version.BaseEcosystem(a.Ecosystem)
	if base == "" {
		if k, ok := affectedKey("", a.Name, a.PURL); ok {
			base = k.Ecosystem
		}
	}
	for _, rg := range a.Ranges {
		scheme := ""
		switch rg.Type {
		case "SEMVER":
			scheme = version.SemVer
			if base == "Go" {
				scheme = "Go"
			}
		case "ECOSYSTEM":
			if !version.Supported(base) {
				continue // order unknown: only the versions list can match
			}
			scheme = base
		default: // GIT ranges name commits, not versions
			continue
		}
		pr := parsedRange{scheme: scheme}
		ok := true
		for _, ev := range rg.Events {
			pe := parsedEvent{kind: ev.Kind, raw: ev.Version, zero: ev.Kind == vuln.Introduced && ev.Version == "0"}
			if !pe.zero {
				v, err := version.Parse(scheme, ev.Version)
				if err != nil {
					ok = false
					break
				}
				pe.v = v
			}
			if ev.Kind == vuln.Limit {
				if ev.Version != "*" {
					pr.limits = append(pr.limits, pe.v)
				}
				continue
			}
			pr.events = append(pr.events, pe)
		}
		if !ok {
			continue
		}
		slices.SortStableFunc(pr.events, func(x, y parsedEvent) int {
			switch {
			case x.zero && y.zero:
				return 0
			case x.zero:
				return -1
			case y.zero:
				return 1
			}
			return x.v.Compare(y.v)
		})
		pa.ranges = append(pa.ranges, pr)
		for _, e := range pr.events {
			if e.kind == vuln.Fixed {
				pa.fixed = append(pa.fixed, e)
			}
		}
	}
	slices.SortStableFunc(pa.fixed, func(x, y parsedEvent) int { return x.v.Compare(y.v) })
	pa.fixed = slices.CompactFunc(pa.fixed, func(x, y parsedEvent) bool { return x.v.Compare(y.v) == 0 })
	for _, e := range pa.fixed {
		pa.fixedRaw = append(pa.fixedRaw, e.raw)
	}
	if len(a.Versions) > 0 && version.Supported(base) {
		for _, s := range a.Versions {
			if v, err := version.Parse(base, s); err == nil {
				pa.parsedVs = append(pa.parsedVs, v)
			}
		}
	}
	return pa
}

// rangeHit says where a version falls in a range.
type rangeHit struct {
	intro *parsedEvent // the introduced event that opened the interval
	close *parsedEvent // the fixed or last_affected event that closes it; nil when open
}

// evalRange applies the OSV evaluation algorithm: walk the sorted events; introduced ≤ v makes
// v affected, fixed ≤ v or last_affected < v makes it unaffected; limits cap the range.
func evalRange(r *parsedRange, v version.Version) (rangeHit, bool) {
	affected := false
	var hit rangeHit
	closeFrom := -1
	for i := range r.events {
		e := &r.events[i]
		switch e.kind {
		case vuln.Introduced:
			if e.zero || v.Compare(e.v) >= 0 {
				if !affected {
					hit.intro = e
				}
				affected = true
				closeFrom = i + 1
			}
		case vuln.Fixed:
			if v.Compare(e.v) >= 0 {
				affected = false
			}
		case vuln.LastAffected:
			if v.Compare(e.v) > 0 {
				affected = false
			}
		}
	}
	if !affected {
		return rangeHit{}, false
	}
	if len(r.limits) > 0 {
		below := false
		for _, l := range r.limits {
			if v.Compare(l) < 0 {
				below = true
				break
			}
		}
		if !below {
			return rangeHit{}, false
		}
	}
	for i := closeFrom; i >= 0 && i < len(r.events); i++ {
		if k := r.events[i].kind; k == vuln.Fixed || k == vuln.LastAffected {
			hit.close = &r.events[i]
			break
		}
	}
	return hit, true
}

// osvMatcher matches purl components against OSV affected packages.
type osvMatcher struct{}

func (osvMatcher) Name() string { return MatcherOSV }

// versionCache holds a component version parsed in up to two schemes.
type versionCache struct {
	raw     string
	schemes [2]string
	vs      [2]version.Version
	errs    [2]bool
	n       int
}

func (c *versionCache) get(scheme string) (version.Version, bool) {
	for i := 0; i < c.n; i++ {
		if c.schemes[i] == scheme {
			return c.vs[i], !c.errs[i]
		}
	}
	v, err := version.Parse(scheme, c.raw)
	if c.n < len(c.schemes) {
		c.schemes[c.n], c.vs[c.n], c.errs[c.n] = scheme, v, err != nil
		c.n++
	}
	return v, err == nil
}

func (osvMatcher) Match(m *Run, ci int) {
	c := m.component(ci)
	if c.PURL == "" {
		return
	}
	info, ok := parsePURL(c.PURL)
	if !ok || info.ecosystem == "" {
		return
	}
	ver := info.version
	if ver == "" {
		ver = c.Version
	}
	if ver == "" {
		return
	}
	key := Key{Ecosystem: info.ecosystem, Name: info.name}
	if key.Ecosystem == "Go" && key.Name == "golang.org/toolchain" {
		key.Name, ver = "toolchain", goToolchainVersion(ver)
	}
	if e := m.idx.pkgs[key]; e != nil {
		matchEntry(m, ci, c, info, ver, e, false)
		return
	}
	// A Go module path written in lower case (older purl tools lower-cased golang purls): compare
	// without case, with lower confidence.
	if key.Ecosystem == "Go" && isLowerPath(key.Name) {
		for _, name := range m.idx.goFold[key.Name] {
			if e := m.idx.pkgs[Key{Ecosystem: "Go", Name: name}]; e != nil {
				matchEntry(m, ci, c, info, ver, e, true)
			}
		}
	}
}

// foldNote is added to the reason of a match found by comparing a Go module path without case.
const foldNote = " [module path compared without case: the purl writes it in lower case]"

func matchEntry(m *Run, ci int, c *sbom.Component, info purlInfo, ver string, e *pkgEntry, folded bool) {
	note := ""
	if folded {
		note = foldNote
	}
	vc := versionCache{raw: ver}
	for i := range e.affected() {
		pa := &e.parsed[i]
		if pa.withdrawn || !releaseMatches(pa.ecosystem, info.release) {
			continue
		}
		g := pa.ref.g
		// enumerated versions
		listed := slices.Contains(pa.versions, ver)
		if !listed && len(pa.parsedVs) > 0 {
			if v, ok := vc.get(version.BaseEcosystem(pa.ecosystem)); ok {
				for _, lv := range pa.parsedVs {
					if lv.Compare(v) == 0 {
						listed = true
						break
					}
				}
			}
		}
		for ri := range pa.ranges {
			r := &pa.ranges[ri]
			v, ok := vc.get(r.scheme)
			if !ok {
				continue
			}
			hit, ok := evalRange(r, v)
			if !ok {
				continue
			}
			m.addFinding(ci, g.v, pa.source, "OSV", MatcherOSV, osvRangeReason(c.PURL, ver, info.version, hit, pa.source)+note, fixedAfter(pa, v), !folded)
			listed = false // reported through the range
			break
		}
		if listed {
			m.addFinding(ci, g.v, pa.source, "OSV", MatcherOSV, purlWithVersion(c.PURL, ver, info.version)+" is listed as an affected version of "+pa.source+" (OSV)"+note,
				fixedAfterRaw(&g.v.Affected[pa.ref.aff], ver, pa), !folded)
		}
	}
}

// goToolchainVersion extracts "1.21.3" from golang.org/toolchain versions "v0.0.1-go1.21.3.linux-amd64".
func goToolchainVersion(v string) string {
	if i := strings.Index(v, "-go"); i >= 0 {
		rest := v[i+1:]
		// keep go1.21.3 or go1.21rc2, drop .os-arch
		end := len(rest)
		dots := 0
		for j := 2; j < len(rest); j++ {
			if rest[j] == '.' {
				dots++
				if dots == 3 || j+1 < len(rest) && (rest[j+1] < '0' || rest[j+1] > '9') {
					end = j
					break
				}
			}
		}
		return version.NormalizeGo(rest[:end])
	}
	return v
}

func purlWithVersion(purl, ver, purlVer string) string {
	if purlVer == "" {
		return purl + " (version " + ver + ")"
	}
	return purl
}

func osvRangeReason(purl, ver, purlVer string, hit rangeHit, record string) string {
	var b strings.Builder
	b.Grow(len(purl) + len(record) + 48)
	b.WriteString(purlWithVersion(purl, ver, purlVer))
	b.WriteString(" is in range introduced ")
	if hit.intro != nil {
		b.WriteString(hit.intro.raw)
	}
	if hit.close != nil {
		b.WriteString(" / ")
		b.WriteString(hit.close.kind.String())
		b.WriteByte(' ')
		b.WriteString(hit.close.raw)
	} else {
		b.WriteString(" (no fix)")
	}
	b.WriteString(" of ")
	b.WriteString(record)
	b.WriteString(" (OSV)")
	return b.String()
}

// fixedAfter returns the fixed versions of the entry above v, nearest first. The slice is
// shared with the index (read-only).
func fixedAfter(pa *parsedAffected, v version.Version) []string {
	i, _ := slices.BinarySearchFunc(pa.fixed, v, func(e parsedEvent, v version.Version) int {
		if e.v.Compare(v) <= 0 {
			return -1
		}
		return 1
	})
	if i >= len(pa.fixed) {
		return nil
	}
	return pa.fixedRaw[i:len(pa.fixedRaw):len(pa.fixedRaw)]
}

func fixedAfterRaw(a *vuln.Affected, ver string, pa *parsedAffected) []string {
	if len(pa.ranges) > 0 {
		if v, err := version.Parse(pa.ranges[0].scheme, ver); err == nil {
			return fixedAfter(pa, v)
		}
	}
	return a.FixedVersions()
}
