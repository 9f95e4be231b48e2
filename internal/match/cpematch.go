package match

import (
	"fmt"
	"strings"

	"github.com/vigil-med/vigil/internal/cpe"
	"github.com/vigil-med/vigil/internal/version"
	"github.com/vigil-med/vigil/internal/vuln"
)

// criterion is a parsed NVD CPE match criterion.
type criterion struct {
	m     *vuln.CPEMatch
	name  cpe.Name
	valid bool
}

// configs parses the group's NVD criteria on first use.
func (g *group) configs() [][][]criterion {
	g.cfgOnce.Do(func() {
		g.cfgs = make([][][]criterion, len(g.v.Configurations))
		for ci := range g.v.Configurations {
			c := &g.v.Configurations[ci]
			g.cfgs[ci] = make([][]criterion, len(c.Nodes))
			for ni := range c.Nodes {
				n := &c.Nodes[ni]
				g.cfgs[ci][ni] = make([]criterion, len(n.Matches))
				for mi := range n.Matches {
					m := &n.Matches[mi]
					name, err := cpe.Parse(m.Criteria)
					g.cfgs[ci][ni][mi] = criterion{m: m, name: name, valid: err == nil}
				}
			}
		}
	})
	return g.cfgs
}

// targetCPE is a CPE of the product version being matched, with the version to use for range
// checks (the CPE's own version, or the component's version when the CPE leaves it ANY).
type targetCPE struct {
	name    cpe.Name
	version string // "" when unknown or NA
	comp    int    // component index; -1 for the subject, -2 for a platform CPE given by the caller
	text    string
}

func newTargetCPE(s, compVersion string, comp int) (targetCPE, bool) {
	n, err := cpe.Parse(s)
	if err != nil {
		return targetCPE{}, false
	}
	t := targetCPE{name: n, comp: comp, text: s}
	switch n.Version.Kind {
	case cpe.Value:
		t.version = n.Version.Unescaped()
	case cpe.Any:
		t.version = compVersion
	}
	return t, true
}

// covers applies NVD matching to one criterion and one target CPE. part, vendor and product must
// be covered as NISTIR 7696 says; the version must satisfy the criterion's version or bounds
// (an unknown target version never does, unless the criterion accepts any version); for the
// other attributes a target that leaves them ANY is not contradicted (SBOM CPEs rarely fill
// them). Platform criteria (vulnerable=false) also accept a target version of ANY.
func covers(c *criterion, t *targetCPE) (exact bool, ok bool) {
	if !c.valid {
		return false, false
	}
	cn, tn := &c.name, &t.name
	exact = true
	for _, pair := range [3][2]*cpe.Attr{{&cn.Part, &tn.Part}, {&cn.Vendor, &tn.Vendor}, {&cn.Product, &tn.Product}} {
		if r := cpe.CompareAttr(*pair[0], *pair[1]); r != cpe.Equal && r != cpe.Superset {
			return false, false
		}
	}
	m := c.m
	switch {
	case m.HasBounds():
		if t.version == "" {
			return false, false
		}
		if cn.Version.Kind == cpe.Value && version.CompareGeneric(cn.Version.Unescaped(), t.version) != 0 {
			return false, false
		}
		if !inBounds(m, t.version) {
			return false, false
		}
	case cn.Version.Kind == cpe.Any:
	case cn.Version.Kind == cpe.NA && !m.Vulnerable:
		// a platform such as hardware "-": any revision of it is the platform
		if tn.Version.Kind != cpe.NA {
			exact = false
		}
	case tn.Version.Kind == cpe.Any && t.version == "":
		if m.Vulnerable {
			return false, false
		}
		exact = false
	case cn.Version.Kind == cpe.NA:
		if tn.Version.Kind != cpe.NA {
			return false, false
		}
	default: // a criterion version value
		if t.version == "" {
			return false, false
		}
		if cn.Version.HasWildcards() {
			tv := cpe.Attr{Kind: cpe.Value, V: tn.Version.V}
			if tn.Version.Kind != cpe.Value {
				tv = mustAttr(t.version)
			}
			if r := cpe.CompareAttr(cn.Version, tv); r != cpe.Superset && r != cpe.Equal {
				return false, false
			}
		} else if version.CompareGeneric(cn.Version.Unescaped(), t.version) != 0 {
			return false, false
		}
	}
	rest := [7][2]*cpe.Attr{{&cn.Update, &tn.Update}, {&cn.Edition, &tn.Edition}, {&cn.Language, &tn.Language},
		{&cn.SWEdition, &tn.SWEdition}, {&cn.TargetSW, &tn.TargetSW}, {&cn.TargetHW, &tn.TargetHW}, {&cn.Other, &tn.Other}}
	for _, pair := range rest {
		if pair[1].Kind == cpe.Any {
			if pair[0].Kind != cpe.Any {
				exact = false
			}
			continue
		}
		if r := cpe.CompareAttr(*pair[0], *pair[1]); r != cpe.Equal && r != cpe.Superset {
			return false, false
		}
	}
	return exact, true
}

func mustAttr(v string) cpe.Attr {
	n, err := cpe.Parse("cpe:2.3:a:x:x:" + escapeCPE(v) + ":*:*:*:*:*:*:*")
	if err != nil {
		return cpe.Attr{Kind: cpe.Value, V: v}
	}
	return n.Version
}

func escapeCPE(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

func inBounds(m *vuln.CPEMatch, v string) bool {
	if m.VersionStartIncluding != "" && version.CompareGeneric(v, m.VersionStartIncluding) < 0 {
		return false
	}
	if m.VersionStartExcluding != "" && version.CompareGeneric(v, m.VersionStartExcluding) <= 0 {
		return false
	}
	if m.VersionEndIncluding != "" && version.CompareGeneric(v, m.VersionEndIncluding) > 0 {
		return false
	}
	if m.VersionEndExcluding != "" && version.CompareGeneric(v, m.VersionEndExcluding) >= 0 {
		return false
	}
	return true
}

func boundsText(m *vuln.CPEMatch) string {
	var parts []string
	for _, b := range [4][2]string{{"versionStartIncluding", m.VersionStartIncluding}, {"versionStartExcluding", m.VersionStartExcluding},
		{"versionEndIncluding", m.VersionEndIncluding}, {"versionEndExcluding", m.VersionEndExcluding}} {
		if b[1] != "" {
			parts = append(parts, b[0]+" "+b[1])
		}
	}
	return strings.Join(parts, ", ")
}

// nvdMatcher matches components with a CPE against NVD configurations.
type nvdMatcher struct{}

func (nvdMatcher) Name() string { return MatcherNVD }

func (nvdMatcher) Match(m *Run, ci int) {
	c := m.component(ci)
	if c.CPE == "" {
		return
	}
	key, _, err := cpe.VendorProductKey(c.CPE)
	if err != nil {
		return
	}
	e := m.idx.cpes[key]
	if e == nil && len(m.idx.cpeWild.refs) == 0 {
		return
	}
	t, ok := newTargetCPE(c.CPE, c.Version, ci)
	if !ok {
		return
	}
	if e != nil {
		for _, ref := range e.refs {
			m.evalCPERef(ci, &t, ref)
		}
	}
	for _, ref := range m.idx.cpeWild.refs {
		m.evalCPERef(ci, &t, ref)
	}
}

func (m *Run) evalCPERef(ci int, t *targetCPE, ref cpeRef) {
	g := ref.g
	cfgs := g.configs()
	crit := &cfgs[ref.cfg][ref.node][ref.match]
	exact, ok := covers(crit, t)
	if !ok {
		return
	}
	cfg := &g.v.Configurations[ref.cfg]
	platform, ok := m.evalConfig(g, ref, t)
	if !ok {
		return
	}
	var b strings.Builder
	b.WriteString(t.name.String())
	b.WriteString(" matches NVD configuration ")
	fmt.Fprintf(&b, "%d node %d", ref.cfg+1, ref.node+1)
	b.WriteString(" (")
	b.WriteString(crit.m.Criteria)
	if bt := boundsText(crit.m); bt != "" {
		b.WriteString(", ")
		b.WriteString(bt)
	}
	b.WriteString(")")
	if platform != "" {
		b.WriteString("; ")
		b.WriteString(platform)
	}
	b.WriteString(" of ")
	b.WriteString(cfg.Source)
	b.WriteString(" (NVD)")
	var fixed []string
	if crit.m.VersionEndExcluding != "" {
		fixed = []string{crit.m.VersionEndExcluding}
	}
	m.addCPE(ci, g, cfg.Source, b.String(), fixed, exact)
}

// evalConfig evaluates the configuration of ref given that the criterion ref names covers t.
// It returns a description of the platform evidence for AND configurations.
func (m *Run) evalConfig(g *group, ref cpeRef, t *targetCPE) (string, bool) {
	cfg := &g.v.Configurations[ref.cfg]
	cfgs := g.configs()
	var evidence []string
	nodeTrue := func(ni int) bool {
		n := &cfg.Nodes[ni]
		if ni == int(ref.node) && n.Operator != "AND" {
			return !n.Negate // satisfied by t
		}
		and := n.Operator == "AND"
		result := and
		for mi := range n.Matches {
			crit := &cfgs[ref.cfg][ni][mi]
			var hit *targetCPE
			if ni == int(ref.node) && mi == int(ref.match) {
				hit = t
			} else {
				hit = m.findTarget(crit)
			}
			if hit != nil && ni != int(ref.node) && !n.Negate {
				evidence = append(evidence, fmt.Sprintf("node %d matched by %s", ni+1, hit.text))
			}
			if and && hit == nil {
				result = false
				break
			}
			if !and && hit != nil {
				result = true
				break
			}
		}
		if n.Negate {
			return !result
		}
		return result
	}
	var ok bool
	if cfg.Operator == "AND" {
		ok = true
		for ni := range cfg.Nodes {
			if !nodeTrue(ni) {
				ok = false
				break
			}
		}
	} else {
		ok = nodeTrue(int(ref.node))
	}
	if cfg.Negate {
		ok = !ok
	}
	if !ok {
		return "", false
	}
	if len(evidence) > 0 {
		return "platform " + strings.Join(evidence, ", "), true
	}
	return "", true
}

// findTarget returns a CPE of the target that the criterion covers, or nil.
func (m *Run) findTarget(c *criterion) *targetCPE {
	if !c.valid {
		return nil
	}
	ts := m.targetCPEs()
	if c.name.Vendor.Kind == cpe.Value && c.name.Product.Kind == cpe.Value && !c.name.Vendor.HasWildcards() && !c.name.Product.HasWildcards() {
		for _, i := range ts.byKey[c.name.VendorProduct()] {
			if _, ok := covers(c, &ts.list[i]); ok {
				return &ts.list[i]
			}
		}
		return nil
	}
	for i := range ts.list {
		if _, ok := covers(c, &ts.list[i]); ok {
			return &ts.list[i]
		}
	}
	return nil
}

type targetSet struct {
	list  []targetCPE
	byKey map[string][]int
}

// targetCPEs parses every CPE of the target once, on first need.
func (m *Run) targetCPEs() *targetSet {
	if m.targets != nil {
		return m.targets
	}
	ts := &targetSet{byKey: map[string][]int{}}
	add := func(s, ver string, comp int) {
		if s == "" {
			return
		}
		if t, ok := newTargetCPE(s, ver, comp); ok {
			ts.byKey[t.name.VendorProduct()] = append(ts.byKey[t.name.VendorProduct()], len(ts.list))
			ts.list = append(ts.list, t)
		}
	}
	if s := m.t.Subject; s != nil {
		add(s.CPE, s.Version, -1)
	}
	for i := range m.t.Components {
		add(m.t.Components[i].CPE, m.t.Components[i].Version, i)
	}
	for _, p := range m.t.PlatformCPEs {
		add(p, "", -2)
	}
	m.targets = ts
	return ts
}
