package match

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/vigil-med/vigil/internal/sbom"
	"github.com/vigil-med/vigil/internal/version"
)

// SyntheticComponents returns n components for benchmarks and demo fleets, deterministic for a
// seed: a share known (0–1) of them are packages the index has OSV data for, at versions taken
// from their range events or near them (so some are affected and some are not); the rest have
// made-up names in the same ecosystems that match nothing. Purls are canonical enough for the
// engine; Ref is unique within the result.
func SyntheticComponents(idx *Index, n int, known float64, seed uint64) []sbom.Component {
	idx.mu.RLock()
	type pkg struct {
		key      Key
		versions []string
	}
	pkgs := make([]pkg, 0, len(idx.pkgs))
	for k, e := range idx.pkgs {
		if purlType(k.Ecosystem) == "" {
			continue
		}
		var vs []string
		for _, r := range e.refs {
			for _, rg := range r.g.v.Affected[r.aff].Ranges {
				for _, ev := range rg.Events {
					if ev.Version != "0" && !slices.Contains(vs, ev.Version) {
						vs = append(vs, ev.Version)
					}
				}
			}
		}
		pkgs = append(pkgs, pkg{k, vs})
	}
	idx.mu.RUnlock()
	slices.SortFunc(pkgs, func(a, b pkg) int { return strings.Compare(a.key.String(), b.key.String()) })
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]sbom.Component, 0, n)
	for i := 0; i < n; i++ {
		var eco, name, ver string
		if len(pkgs) > 0 && rng.Float64() < known {
			p := pkgs[rng.IntN(len(pkgs))]
			eco, name = p.key.Ecosystem, p.key.Name
			switch r := rng.IntN(4); {
			case len(p.versions) > 0 && r < 2: // at or next to a range event
				ver = p.versions[rng.IntN(len(p.versions))]
				if r == 1 {
					ver = nudge(ver, rng)
				}
			case len(p.versions) > 0 && r == 2: // up to date: past the last event
				ver = bump(p.versions, idx, p.key)
			default: // anywhere
				ver = fmt.Sprintf("%d.%d.%d", rng.IntN(4), rng.IntN(20), rng.IntN(10))
			}
		} else {
			eco = "Go"
			if len(pkgs) > 0 {
				eco = pkgs[rng.IntN(len(pkgs))].key.Ecosystem
			}
			name = fmt.Sprintf("example.org/vendor%d/module%d", rng.IntN(500), i)
			if eco != "Go" {
				name = fmt.Sprintf("example-module-%d", i)
			}
			ver = fmt.Sprintf("%d.%d.%d", rng.IntN(4), rng.IntN(20), rng.IntN(10))
		}
		purl := syntheticPURL(eco, name, ver)
		out = append(out, sbom.Component{Ref: fmt.Sprintf("c%d", i), Type: "library", Name: name, Version: ver, PURL: purl})
	}
	return out
}

// bump returns a version above every event version of the package.
func bump(vs []string, idx *Index, k Key) string {
	best := vs[0]
	for _, v := range vs[1:] {
		if c, err := version.Compare(k.Ecosystem, v, best); err == nil && c > 0 {
			best = v
		}
	}
	if i := strings.IndexAny(best, "-+"); i >= 0 {
		best = best[:i]
	}
	return best + ".1"
}

func nudge(v string, rng *rand.Rand) string {
	// 1.2.3 → 1.2.4 or 1.2.2 when the last part is a plain number
	i := strings.LastIndexByte(v, '.')
	var last int
	if i < 0 || strings.ContainsAny(v, "-+") {
		return v
	}
	if _, err := fmt.Sscanf(v[i+1:], "%d", &last); err != nil || fmt.Sprint(last) != v[i+1:] {
		return v
	}
	if rng.IntN(2) == 0 || last == 0 {
		last++
	} else {
		last--
	}
	return fmt.Sprintf("%s.%d", v[:i], last)
}

func purlType(eco string) string {
	switch eco {
	case "Go":
		return "golang"
	case "npm":
		return "npm"
	case "PyPI":
		return "pypi"
	case "Maven":
		return "maven"
	case "NuGet":
		return "nuget"
	case "crates.io":
		return "cargo"
	case "RubyGems":
		return "gem"
	case "Packagist":
		return "composer"
	}
	return ""
}

func syntheticPURL(eco, name, ver string) string {
	typ := purlType(eco)
	switch eco {
	case "Go":
		if name != "stdlib" && name != "toolchain" && !strings.HasPrefix(ver, "v") {
			ver = "v" + ver
		}
	case "Maven":
		name = strings.Replace(name, ":", "/", 1)
	}
	return "pkg:" + typ + "/" + name + "@" + ver
}
