package match

import (
	"context"
	"slices"

	"github.com/vigil-med/vigil/internal/sbom"
	"github.com/vigil-med/vigil/internal/vex"
	"github.com/vigil-med/vigil/internal/vuln"
)

// Target is what is matched: the components of one product version (one SBOM).
type Target struct {
	ProductVersion string           // caller's id of the product version; copied into findings
	Subject        *sbom.Component  // the device/firmware the SBOM describes; matched like a component (Finding.Component -1)
	Components     []sbom.Component // not modified
	// PlatformCPEs are further CPEs known to be present, e.g. the hardware CPE of the device model
	// from the inventory; they satisfy "running on" nodes of NVD AND configurations but are never
	// reported as affected themselves.
	PlatformCPEs []string
}

// Matcher finds vulnerabilities of one component. Implementations are small values registered by
// an explicit list (DefaultMatchers); they report through the run, which deduplicates.
type Matcher interface {
	Name() string
	// Match reports the findings of component ci (-1 = the subject) of the run's target through
	// run.Report.
	Match(run *Run, ci int)
}

// DefaultMatchers is the explicit list of matchers, in order of precedence: when two matchers find
// the same vulnerability in the same component, the finding of the first one is kept and the
// reason of the other is added to OtherReasons.
func DefaultMatchers() []Matcher { return []Matcher{osvMatcher{}, nvdMatcher{}} }

// Options adjust a match.
type Options struct {
	// Matchers replaces DefaultMatchers when not nil.
	Matchers []Matcher
	// Keys restricts matching to components having at least one of these keys (see
	// ComponentKeys; compared as FoldKey); used to re-match only what a feed change touches. nil
	// matches everything.
	Keys []Key
	// Only, with Keys, lists the positions of the components that can have one of the keys (from
	// ComponentIndex.ComponentsByVersion): only those are visited, instead of every component. nil
	// visits every component.
	Only []int
}

// Match matches every component (and the subject) of t and returns the findings, one per
// component and vulnerability, in component order then vulnerability id. ctx is checked between
// components; on cancellation the findings so far and ctx.Err() are returned.
func (idx *Index) Match(ctx context.Context, t *Target, opts Options) ([]Finding, error) {
	return idx.MatchInto(ctx, t, opts, nil)
}

// MatchInto is Match storing the findings in buf's memory when it is large enough (what buf held is
// overwritten): a caller matching one target after another reuses one buffer instead of making
// garbage of each target's findings.
func (idx *Index) MatchInto(ctx context.Context, t *Target, opts Options, buf []Finding) ([]Finding, error) {
	idx.mu.RLock()
	defer idx.mu.RUnlock()
	run := &Run{idx: idx, t: t, out: buf[:0]}
	if cap(buf) == 0 {
		run.out = make([]Finding, 0, len(t.Components)/4+4)
	}
	matchers := opts.Matchers
	if matchers == nil {
		matchers = DefaultMatchers()
	}
	var keys map[Key]struct{}
	if opts.Keys != nil {
		keys = make(map[Key]struct{}, len(opts.Keys))
		for _, k := range opts.Keys {
			keys[FoldKey(k)] = struct{}{}
		}
	}
	want := func(c *sbom.Component) bool {
		if keys == nil {
			return true
		}
		for _, k := range ComponentKeys(c) {
			if _, ok := keys[FoldKey(k)]; ok {
				return true
			}
			if k.Ecosystem == CPEEcosystem {
				if _, ok := keys[Key{CPEEcosystem, "*"}]; ok {
					return true
				}
			}
		}
		return false
	}
	if t.Subject != nil && want(t.Subject) {
		run.begin(-1)
		for _, m := range matchers {
			m.Match(run, -1)
		}
		run.end()
	}
	visit := func(ci int) {
		if !want(&t.Components[ci]) {
			return
		}
		run.begin(ci)
		for _, m := range matchers {
			m.Match(run, ci)
		}
		run.end()
	}
	if opts.Keys != nil && opts.Only != nil {
		for _, ci := range opts.Only {
			if ci >= 0 && ci < len(t.Components) {
				visit(ci)
			}
		}
		return run.out, ctx.Err()
	}
	for ci := range t.Components {
		if ci&1023 == 0 && ctx.Err() != nil {
			return run.out, ctx.Err()
		}
		visit(ci)
	}
	return run.out, nil
}

// Run is the state of one Match call, passed to matchers.
type Run struct {
	idx     *Index
	t       *Target
	out     []Finding
	start   int // first finding of the current component
	targets *targetSet
}

// Index returns the index being matched against.
func (m *Run) Index() *Index { return m.idx }

// Target returns the target being matched.
func (m *Run) Target() *Target { return m.t }

// Component returns component ci of the target; -1 is the subject.
func (m *Run) Component(ci int) *sbom.Component { return m.component(ci) }

// Report records a finding of a vulnerability of the index in component ci. A second report of
// the same vulnerability for the same component adds its reason to OtherReasons.
func (m *Run) Report(ci int, v *vuln.Vulnerability, recordID, source, matcher, reason string, fixed []string) {
	m.addFinding(ci, v, recordID, source, matcher, reason, fixed, true)
}

func (m *Run) component(ci int) *sbom.Component {
	if ci < 0 {
		return m.t.Subject
	}
	return &m.t.Components[ci]
}

func (m *Run) begin(ci int) { m.start = len(m.out) }

// growTo returns the capacity to grow the findings to when they are full at component ci: the
// findings so far plus those projected for the components left at the rate so far (plus a quarter),
// at least double when little is known yet. The runtime's 1.25× growth would copy these large
// structs too often, and plain doubling leaves up to half of a large result unused. The margin is
// on what is left, so a projection made early is generous (one regrowth at the end copies the
// whole result: 10,000 components, 13,237 findings, 9 MB allocated with a tenth on the total
// against 5 MB) and one made late is close.
func (m *Run) growTo(ci int) int {
	n := len(m.out)
	double := 2*n + 16
	total := len(m.t.Components)
	if ci < 0 || ci+1 < 64 || total == 0 {
		return double
	}
	left := float64(total - ci - 1)
	projected := n + int(float64(n)/float64(ci+1)*left*1.25) + 16
	return max(projected, n+n/8+16)
}

// end sorts the current component's findings by vulnerability id (they usually are already).
func (m *Run) end() {
	cur := m.out[m.start:]
	if len(cur) > 1 && !slices.IsSortedFunc(cur, func(a, b Finding) int { return vuln.CompareIDs(a.VulnID, b.VulnID) }) {
		slices.SortStableFunc(cur, func(a, b Finding) int { return vuln.CompareIDs(a.VulnID, b.VulnID) })
	}
}

func (m *Run) addCPE(ci int, g *group, record, reason string, fixed []string, exact bool) {
	m.addFinding(ci, g.v, record, "NVD", MatcherNVD, reason, fixed, exact)
}

// addFinding records a finding unless the component already has one for the vulnerability; then
// the reason is kept as another reason (an exact CPE match replaces a lenient one).
func (m *Run) addFinding(ci int, v *vuln.Vulnerability, record, source, matcher, reason string, fixed []string, exact bool) {
	for i := m.start; i < len(m.out); i++ {
		f := &m.out[i]
		if f.Vulnerability != v {
			continue
		}
		if f.Matcher == matcher && matcher == MatcherNVD && exact && f.Confidence < 1 {
			f.OtherReasons = append(f.OtherReasons, f.Reason)
			f.Reason, f.RecordID, f.FixedVersions, f.Confidence = reason, record, fixed, 1
			return
		}
		if !slices.Contains(f.OtherReasons, reason) && f.Reason != reason {
			f.OtherReasons = append(f.OtherReasons, reason)
		}
		return
	}
	c := m.component(ci)
	conf := 1.0
	if !exact {
		conf = 0.8
	}
	if len(m.out) == cap(m.out) {
		grown := make([]Finding, len(m.out), m.growTo(ci))
		copy(grown, m.out)
		m.out = grown
	}
	m.out = append(m.out, Finding{
		ProductVersion: m.t.ProductVersion,
		Component:      ci,
		Package:        Package{Ref: c.Ref, Name: c.Name, Version: c.Version, PURL: c.PURL, CPE: c.CPE},
		VulnID:         v.ID,
		Vulnerability:  v,
		RecordID:       record,
		Source:         source,
		Matcher:        matcher,
		Reason:         reason,
		FixedVersions:  fixed,
		Confidence:     conf,
		Status:         vex.Affected,
	})
}
