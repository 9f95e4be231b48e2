package procurement

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/vigil-med/vigil/internal/lifecycle"
	"github.com/vigil-med/vigil/internal/sbom"
	_ "github.com/vigil-med/vigil/internal/sbom/cyclonedx" // CycloneDX decoder
	_ "github.com/vigil-med/vigil/internal/sbom/spdx"      // SPDX decoder
)

// MaxSBOMBytes is the largest SBOM a bid may carry (32 MiB).
const MaxSBOMBytes = 32 << 20

// SBOMEvidence is an SBOM delivered by a vendor: the decoded document and the document-level facts the
// NTIA minimum elements need that the shared sbom model does not keep (author, dependency relationships).
type SBOMEvidence struct {
	Name   string         `json:"name"`   // file name
	SHA256 string         `json:"sha256"` // of the file
	Doc    *sbom.Document `json:"-"`
	// Authors are the people or organisations named as the SBOM's author (CycloneDX metadata.authors,
	// manufacturer/manufacture, supplier; SPDX creators of type Person or Organization).
	Authors []string `json:"authors"`
	// Dependencies counts dependency relationships: CycloneDX dependencies[].dependsOn entries and nested
	// components, SPDX DEPENDS_ON/CONTAINS/…_DEPENDENCY_OF relationships (DESCRIBES does not count).
	Dependencies int `json:"dependencies"`
}

// ReadSBOM decodes an SBOM (CycloneDX JSON/XML, SPDX JSON/tag-value) of at most MaxSBOMBytes and probes it
// for the author and dependency relationships. Errors name the file and say what was found.
func ReadSBOM(r io.Reader, name string) (*SBOMEvidence, error) {
	data, err := sbom.ReadAll(r, MaxSBOMBytes)
	if err != nil {
		return nil, fmt.Errorf("sbom %q: %w", name, err)
	}
	doc, err := sbom.DecodeBytes(data, name)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	ev := &SBOMEvidence{Name: name, SHA256: hex.EncodeToString(sum[:]), Doc: doc}
	ev.Authors, ev.Dependencies = probe(doc.Format, data)
	for _, c := range doc.Components {
		if c.Parent != "" {
			ev.Dependencies++
		}
	}
	return ev, nil
}

// probe reads the author and dependency relationships of an SBOM already decoded (so well-formed and
// within the limits); problems yield zero values, never an error.
func probe(f sbom.Format, data []byte) (authors []string, deps int) {
	switch f {
	case sbom.CycloneDXJSON:
		var d struct {
			Metadata struct {
				Authors      []struct{ Name, Email string } `json:"authors"`
				Manufacture  *struct{ Name string }         `json:"manufacture"`
				Manufacturer *struct{ Name string }         `json:"manufacturer"`
				Supplier     *struct{ Name string }         `json:"supplier"`
			} `json:"metadata"`
			Dependencies []struct {
				DependsOn []string `json:"dependsOn"`
			} `json:"dependencies"`
		}
		if json.Unmarshal(data, &d) != nil {
			return nil, 0
		}
		for _, a := range d.Metadata.Authors {
			authors = appendName(authors, firstNonEmpty(a.Name, a.Email))
		}
		for _, o := range []*struct{ Name string }{d.Metadata.Manufacturer, d.Metadata.Manufacture, d.Metadata.Supplier} {
			if o != nil {
				authors = appendName(authors, o.Name)
			}
		}
		for _, x := range d.Dependencies {
			deps += len(x.DependsOn)
		}
	case sbom.CycloneDXXML:
		return probeCycloneDXXML(data)
	case sbom.SPDXJSON:
		var d struct {
			CreationInfo struct {
				Creators []string `json:"creators"`
			} `json:"creationInfo"`
			Relationships []struct {
				Type string `json:"relationshipType"`
			} `json:"relationships"`
		}
		if json.Unmarshal(data, &d) != nil {
			return nil, 0
		}
		for _, c := range d.CreationInfo.Creators {
			authors = appendCreator(authors, c)
		}
		for _, r := range d.Relationships {
			if dependencyRelationship(r.Type) {
				deps++
			}
		}
	case sbom.SPDXTagValue:
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if v, ok := strings.CutPrefix(line, "Creator:"); ok {
				authors = appendCreator(authors, strings.TrimSpace(v))
			}
			if v, ok := strings.CutPrefix(line, "Relationship:"); ok {
				if f := strings.Fields(v); len(f) >= 3 && dependencyRelationship(f[1]) {
					deps++
				}
			}
		}
	}
	return authors, deps
}

func probeCycloneDXXML(data []byte) (authors []string, deps int) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	var path []string
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err != nil {
			return authors, deps
		}
		switch t := tok.(type) {
		case xml.StartElement:
			path = append(path, t.Name.Local)
			if len(path) > 64 {
				return authors, deps
			}
			text.Reset()
			// <dependencies><dependency ref="a"><dependency ref="b"/></dependency></dependencies>
			if t.Name.Local == "dependency" && len(path) >= 3 && path[len(path)-2] == "dependency" {
				deps++
			}
		case xml.CharData:
			if text.Len() < 1024 {
				text.Write(t)
			}
		case xml.EndElement:
			p := strings.Join(path, "/")
			if t.Name.Local == "name" && (strings.HasSuffix(p, "metadata/authors/author/name") || strings.HasSuffix(p, "metadata/manufacture/name") ||
				strings.HasSuffix(p, "metadata/manufacturer/name") || strings.HasSuffix(p, "metadata/supplier/name")) {
				authors = appendName(authors, text.String())
			}
			if len(path) > 0 {
				path = path[:len(path)-1]
			}
		}
	}
}

func appendCreator(out []string, c string) []string {
	kind, name, ok := strings.Cut(c, ":")
	if !ok {
		return out
	}
	switch strings.TrimSpace(kind) {
	case "Person", "Organization":
		return appendName(out, name)
	}
	return out
}

func appendName(out []string, n string) []string {
	n = strings.TrimSpace(n)
	if n == "" || strings.EqualFold(n, "NOASSERTION") {
		return out
	}
	for _, x := range out {
		if x == n {
			return out
		}
	}
	return append(out, n)
}

func dependencyRelationship(t string) bool {
	t = strings.ToUpper(strings.TrimSpace(t))
	switch t {
	case "DEPENDS_ON", "DEPENDENCY_OF", "CONTAINS", "CONTAINED_BY", "DYNAMIC_LINK", "STATIC_LINK",
		"PREREQUISITE_FOR", "HAS_PREREQUISITE", "PACKAGE_OF":
		return true
	}
	return strings.HasSuffix(t, "_DEPENDENCY_OF")
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

// components returns the SBOM's components including the described product (subject).
func (s *SBOMEvidence) components() []sbom.Component {
	if s == nil || s.Doc == nil {
		return nil
	}
	out := make([]sbom.Component, 0, len(s.Doc.Components)+1)
	if s.Doc.Subject != nil {
		out = append(out, *s.Doc.Subject)
	}
	return append(out, s.Doc.Components...)
}

// NTIAElement is the result of one NTIA minimum element.
type NTIAElement struct {
	Element string  `json:"element"` // supplier, name, version, unique-id, dependencies, author, timestamp
	Have    int     `json:"have"`    // components carrying it (document-level elements: 0 or 1)
	Of      int     `json:"of"`
	Share   float64 `json:"share"` // 0–1
	Detail  string  `json:"detail"`
}

// NTIAResult is the check of an SBOM against the NTIA minimum elements (July 2021).
type NTIAResult struct {
	Components int           `json:"components"`
	Elements   []NTIAElement `json:"elements"`
	Share      float64       `json:"share"` // mean of the elements' shares
}

// CheckNTIA checks the data fields of the NTIA minimum elements: per component supplier, name, version
// and a unique identifier (package URL or CPE); for the document its dependency relationships, author and
// time stamp. The share of each is the fraction of components (or 0/1) that carry it.
func CheckNTIA(s *SBOMEvidence) NTIAResult {
	cs := s.components()
	res := NTIAResult{Components: len(cs)}
	count := func(has func(sbom.Component) bool) int {
		n := 0
		for _, c := range cs {
			if has(c) {
				n++
			}
		}
		return n
	}
	per := func(el string, has func(sbom.Component) bool) {
		n := count(has)
		e := NTIAElement{Element: el, Have: n, Of: len(cs)}
		if len(cs) > 0 {
			e.Share = float64(n) / float64(len(cs))
		}
		e.Detail = fmt.Sprintf("%d of %d components (%.0f %%)", n, len(cs), 100*e.Share)
		res.Elements = append(res.Elements, e)
	}
	per("supplier", func(c sbom.Component) bool { return strings.TrimSpace(c.Supplier) != "" })
	per("name", func(c sbom.Component) bool { return strings.TrimSpace(c.Name) != "" })
	per("version", func(c sbom.Component) bool { return strings.TrimSpace(c.Version) != "" })
	per("unique-id", func(c sbom.Component) bool { return c.PURL != "" || c.CPE != "" })
	doc := func(el string, ok bool, detail string) {
		e := NTIAElement{Element: el, Of: 1, Detail: detail}
		if ok {
			e.Have, e.Share = 1, 1
		}
		res.Elements = append(res.Elements, e)
	}
	doc("dependencies", s.Dependencies > 0, plural(s.Dependencies, "dependency relationship"))
	authorDetail := "no author named"
	if len(s.Authors) > 0 {
		authorDetail = strings.Join(s.Authors, ", ")
	} else if s.Doc != nil && len(s.Doc.Tools) > 0 {
		authorDetail = "only the generating tool is named (" + strings.Join(s.Doc.Tools, ", ") + ")"
	}
	doc("author", len(s.Authors) > 0, authorDetail)
	ts := "no time stamp"
	if s.Doc != nil && !s.Doc.Created.IsZero() {
		ts = s.Doc.Created.UTC().Format("2006-01-02T15:04:05Z")
	}
	doc("timestamp", s.Doc != nil && !s.Doc.Created.IsZero(), ts)
	if len(cs) == 0 {
		return res
	}
	sum := 0.0
	for _, e := range res.Elements {
		sum += e.Share
	}
	res.Share = sum / float64(len(res.Elements))
	return res
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	if strings.HasSuffix(unit, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(unit, "y"))
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// SBOMVuln is a known vulnerability in a component of a vendor's SBOM, as the vulnerability engine
// reports it.
type SBOMVuln struct {
	ComponentRef string  `json:"component_ref,omitempty"`
	Component    string  `json:"component"` // name and version
	ID           string  `json:"id"`        // CVE or other id
	Severity     string  `json:"severity,omitempty"`
	CVSS         float64 `json:"cvss,omitempty"`
	KEV          bool    `json:"kev"` // listed as known exploited (CISA KEV or EU KEV)
	FixedIn      string  `json:"fixed_in,omitempty"`
}

// VulnChecker finds known vulnerabilities in SBOM components. The vulnerability engine implements it; until
// it is wired, NoVulnData stands in.
type VulnChecker interface {
	Check(ctx context.Context, components []sbom.Component) ([]SBOMVuln, error)
}

// ErrNoVulnData says that no vulnerability data is loaded; criteria that need it stay with evaluators.
var ErrNoVulnData = errors.New("vulnerability data not loaded")

// NoVulnData is the VulnChecker used while no vulnerability data is available: it always returns
// ErrNoVulnData.
type NoVulnData struct{}

// Check returns ErrNoVulnData.
func (NoVulnData) Check(context.Context, []sbom.Component) ([]SBOMVuln, error) {
	return nil, ErrNoVulnData
}

// sbomState caches the SBOM checks of one vendor during an evaluation.
type sbomState struct {
	ntia     NTIAResult
	eol      []lifecycle.Item
	eolErr   string
	vulns    []SBOMVuln
	vulnsErr error
}

func (e *engine) sbomChecks(st *vendorState) *sbomState {
	if st.sbom != nil {
		return st.sbom
	}
	s := &sbomState{ntia: CheckNTIA(st.SBOM)}
	cs := st.SBOM.components()
	if e.opt.EOL == nil {
		s.eolErr = "end-of-life data not loaded"
	} else {
		s.eol = lifecycle.NewResolver(e.opt.EOL, lifecycle.Options{AsOf: e.opt.AsOf}).Components(cs)
	}
	s.vulns, s.vulnsErr = e.opt.Vulns.Check(e.ctx, cs)
	st.sbom = s
	return s
}

func (e *engine) sbomRule(st *vendorState, check string) outcome {
	if st.SBOM == nil || st.SBOM.Doc == nil {
		switch check {
		case SBOMPresent:
			return undecided("no SBOM delivered with the bid")
		case SBOMNTIA:
			return outcome{decided: true, share: 0, comment: "no SBOM delivered: the NTIA minimum elements cannot be met"}
		}
		return undecided("no SBOM delivered: " + map[string]string{SBOMEOL: "end-of-life components", SBOMVulns: "known vulnerabilities"}[check] + " cannot be checked")
	}
	doc := st.SBOM.Doc
	file := Evidence{Source: "sbom", Ref: st.SBOM.Name, Value: fmt.Sprintf("%s %s, %d components", doc.Format, doc.SpecVersion, len(st.SBOM.components()))}
	s := e.sbomChecks(st)
	switch check {
	case SBOMPresent:
		return outcome{decided: true, share: 1, evidence: []Evidence{file}, comment: "SBOM delivered: " + file.Value}
	case SBOMNTIA:
		ev := []Evidence{file}
		var missing []string
		for _, el := range s.ntia.Elements {
			ev = append(ev, Evidence{Source: "sbom", Ref: "NTIA " + el.Element, Value: el.Detail})
			if el.Share < 0.95 {
				missing = append(missing, el.Element)
			}
		}
		c := fmt.Sprintf("NTIA minimum elements: %.0f %% overall", 100*s.ntia.Share)
		if len(missing) > 0 {
			c += "; incomplete: " + strings.Join(missing, ", ")
		}
		if s.ntia.Components == 0 {
			c = "the SBOM lists no components"
		}
		return outcome{decided: true, share: s.ntia.Share, evidence: ev, comment: c}
	case SBOMEOL:
		if s.eolErr != "" {
			return undecided(s.eolErr, file)
		}
		ev := []Evidence{file}
		var ended, soon []lifecycle.Item
		for _, it := range s.eol {
			switch it.Status {
			case lifecycle.StatusEnded:
				ended = append(ended, it)
			case lifecycle.StatusEndingSoon:
				soon = append(soon, it)
			}
		}
		for _, it := range append(append([]lifecycle.Item{}, ended...), soon...) {
			ev = append(ev, Evidence{Source: "sbom", Ref: it.Subject, Value: string(it.Status), Note: it.Reason})
		}
		switch {
		case len(ended) > 0:
			return outcome{decided: true, share: 0, evidence: ev,
				comment: fmt.Sprintf("%s past end of support (%s)", plural(len(ended), "component"), subjects(ended))}
		case len(soon) > 0:
			return outcome{decided: true, share: 2.0 / 3, evidence: ev,
				comment: fmt.Sprintf("%s reach end of support within 12 months (%s)", plural(len(soon), "component"), subjects(soon))}
		}
		return outcome{decided: true, share: 1, evidence: ev,
			comment: fmt.Sprintf("no component past or near end of support (%d of %d components matched an endoflife.date product)", len(s.eol), len(st.SBOM.components()))}
	case SBOMVulns:
		if s.vulnsErr != nil {
			if errors.Is(s.vulnsErr, ErrNoVulnData) {
				return undecided(ErrNoVulnData.Error(), file)
			}
			return undecided("vulnerability check failed: "+s.vulnsErr.Error(), file)
		}
		vs := append([]SBOMVuln(nil), s.vulns...)
		sort.SliceStable(vs, func(i, j int) bool {
			if vs[i].KEV != vs[j].KEV {
				return vs[i].KEV
			}
			if vs[i].CVSS != vs[j].CVSS {
				return vs[i].CVSS > vs[j].CVSS
			}
			return vs[i].ID < vs[j].ID
		})
		ev := []Evidence{file}
		kev, high := 0, 0
		for i, v := range vs {
			if v.KEV {
				kev++
			}
			if v.CVSS >= 7 || strings.EqualFold(v.Severity, "critical") || strings.EqualFold(v.Severity, "high") {
				high++
			}
			if i < 10 {
				val := v.Severity
				if v.CVSS > 0 {
					val = strings.TrimSpace(fmt.Sprintf("%s %.1f", v.Severity, v.CVSS))
				}
				if v.KEV {
					val = "known exploited, " + val
				}
				ev = append(ev, Evidence{Source: "sbom", Ref: v.ID, Value: val, Note: v.Component})
			}
		}
		switch {
		case kev > 0:
			return outcome{decided: true, share: 0, evidence: ev, comment: fmt.Sprintf("%s, %d known exploited", plural(len(vs), "known vulnerability"), kev)}
		case high > 0:
			return outcome{decided: true, share: 1.0 / 3, evidence: ev, comment: fmt.Sprintf("%s, %d critical or high", plural(len(vs), "known vulnerability"), high)}
		case len(vs) > 0:
			return outcome{decided: true, share: 2.0 / 3, evidence: ev, comment: fmt.Sprintf("%s, none critical, high or known exploited", plural(len(vs), "known vulnerability"))}
		}
		return outcome{decided: true, share: 1, evidence: ev, comment: "no known vulnerability in the SBOM's components"}
	}
	return undecided("")
}

func subjects(items []lifecycle.Item) string {
	var s []string
	for i, it := range items {
		if i == 5 {
			s = append(s, fmt.Sprintf("and %d more", len(items)-5))
			break
		}
		s = append(s, it.Subject)
	}
	return strings.Join(s, ", ")
}
