package vex

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	ovex "github.com/openvex/go-vex/pkg/vex"

	"github.com/vigil-med/vigil/internal/purl"
	"github.com/vigil-med/vigil/internal/sbom"
)

// decodeOpenVEX reads an OpenVEX document: v0.2.0 with go-vex, v0.0.1 (and the unversioned
// "https://openvex.dev/ns" context) with the v0.0.1 shape that go-vex also understands.
func decodeOpenVEX(data []byte, name string) ([]Statement, error) {
	if err := sbom.CheckJSONDepth(data, MaxDepth); err != nil {
		return nil, fmt.Errorf("openvex %q: %w", name, err)
	}
	var head struct {
		Context string `json:"@context"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("openvex %q: %w", name, jsonErr(data, err))
	}
	version := strings.TrimPrefix(strings.TrimPrefix(head.Context, ovex.Context), "/")
	var doc *ovex.VEX
	switch version {
	case "", "v0.0.1":
		var err error
		if doc, err = parse001(data); err != nil {
			return nil, fmt.Errorf("openvex %q: %w", name, jsonErr(data, err))
		}
	case "v0.2.0":
		var d ovex.VEX
		if err := json.Unmarshal(data, &d); err != nil {
			return nil, fmt.Errorf("openvex %q: %w", name, jsonErr(data, err))
		}
		doc = &d
	default:
		return nil, fmt.Errorf("openvex %q: %w: @context %q (OpenVEX v0.0.1 and v0.2.0 are supported)", name, ErrUnsupported, head.Context)
	}
	return fromOpenVEX(doc, name)
}

// parse001 transcodes an OpenVEX v0.0.1 document, in which vulnerability, products and subcomponents are
// plain strings, as go-vex does when it opens a file.
func parse001(data []byte) (*ovex.VEX, error) {
	var old struct {
		ID         string     `json:"@id"`
		Author     string     `json:"author"`
		Timestamp  *time.Time `json:"timestamp"`
		Statements []struct {
			Vulnerability   string     `json:"vulnerability"`
			Timestamp       *time.Time `json:"timestamp"`
			Products        []string   `json:"products"`
			Subcomponents   []string   `json:"subcomponents"`
			Status          string     `json:"status"`
			Justification   string     `json:"justification"`
			ImpactStatement string     `json:"impact_statement"`
			ActionStatement string     `json:"action_statement"`
		} `json:"statements"`
	}
	if err := json.Unmarshal(data, &old); err != nil {
		return nil, err
	}
	doc := &ovex.VEX{Metadata: ovex.Metadata{ID: old.ID, Author: old.Author, Timestamp: old.Timestamp}}
	for _, s := range old.Statements {
		st := ovex.Statement{
			Vulnerability:   ovex.Vulnerability{Name: ovex.VulnerabilityID(s.Vulnerability)},
			Timestamp:       s.Timestamp,
			Status:          ovex.Status(s.Status),
			Justification:   ovex.Justification(s.Justification),
			ImpactStatement: s.ImpactStatement,
			ActionStatement: s.ActionStatement,
		}
		for _, p := range s.Products {
			prod := ovex.Product{Component: ovex.Component{ID: p}}
			for _, sc := range s.Subcomponents {
				if sc != "" {
					prod.Subcomponents = append(prod.Subcomponents, ovex.Subcomponent{Component: ovex.Component{ID: sc}})
				}
			}
			st.Products = append(st.Products, prod)
		}
		doc.Statements = append(doc.Statements, st)
	}
	return doc, nil
}

func fromOpenVEX(doc *ovex.VEX, name string) ([]Statement, error) {
	source := doc.ID
	if source == "" {
		source = doc.Author
	}
	var docTime time.Time
	if doc.Timestamp != nil {
		docTime = doc.Timestamp.UTC()
	}
	var out []Statement
	for i, s := range doc.Statements {
		where := fmt.Sprintf("openvex %q: statements[%d]", name, i)
		status := Status(s.Status)
		if !ValidStatus(status) {
			return nil, fmt.Errorf("%s.status: %w: %q is not an OpenVEX status", where, ErrInvalid, s.Status)
		}
		j := Justification(s.Justification)
		if j != "" && !ValidJustification(j) {
			return nil, fmt.Errorf("%s.justification: %w: %q is not an OpenVEX justification", where, ErrInvalid, s.Justification)
		}
		vuln := string(s.Vulnerability.Name)
		if vuln == "" {
			vuln = s.Vulnerability.ID
		}
		if vuln == "" {
			return nil, fmt.Errorf("%s.vulnerability: %w: no name or @id", where, ErrInvalid)
		}
		if len(s.Products) == 0 {
			return nil, fmt.Errorf("%s.products: %w: no product", where, ErrInvalid)
		}
		var aliases []string
		for _, a := range s.Vulnerability.Aliases {
			aliases = append(aliases, string(a))
		}
		ts := docTime
		if s.Timestamp != nil {
			ts = s.Timestamp.UTC()
		}
		if s.LastUpdated != nil {
			ts = s.LastUpdated.UTC()
		}
		base := Statement{
			Vulnerability:   vuln,
			Aliases:         aliases,
			Status:          status,
			ImpactStatement: s.ImpactStatement,
			ActionStatement: s.ActionStatement,
			Timestamp:       ts,
			Source:          source,
			SourceFormat:    string(OpenVEX),
		}
		if status == NotAffected {
			base.Justification = j
		}
		for _, p := range s.Products {
			st := base
			st.Product = openVEXProduct(p.Component)
			if len(p.Subcomponents) == 0 {
				out = append(out, st)
				continue
			}
			for _, sc := range p.Subcomponents {
				st := st
				c := openVEXProduct(sc.Component)
				st.Component = &c
				out = append(out, st)
			}
		}
	}
	return out, nil
}

// openVEXProduct maps an OpenVEX component: the @id is kept as ID and, when it is a package URL or CPE,
// also as PURL or CPE; identifiers fill PURL and CPE when the @id does not.
func openVEXProduct(c ovex.Component) Product {
	p := Product{ID: c.ID}
	if strings.HasPrefix(c.ID, "pkg:") {
		p.PURL = canonicalOr(c.ID)
	} else if strings.HasPrefix(strings.ToLower(c.ID), "cpe:") {
		p.CPE = cpeOr(c.ID)
	}
	if v := c.Identifiers[ovex.PURL]; v != "" && p.PURL == "" {
		p.PURL = canonicalOr(v)
	}
	for _, t := range []ovex.IdentifierType{ovex.CPE23, ovex.CPE22} {
		if v := c.Identifiers[t]; v != "" && p.CPE == "" {
			p.CPE = cpeOr(v)
		}
	}
	if p.PURL != "" {
		if pp, err := purl.Parse(p.PURL); err == nil {
			p.Name, p.Version = pp.Name, pp.Version
		}
	}
	return p
}

// canonicalOr returns the canonical form of a package URL, or s unchanged when it does not parse.
func canonicalOr(s string) string {
	if c, err := purl.Canonical(s); err == nil {
		return c
	}
	return s
}

func cpeOr(s string) string {
	if c, err := sbom.NormalizeCPE(s); err == nil {
		return c
	}
	return s
}

func jsonErr(data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		if se.Offset >= int64(len(strings.TrimRight(string(data), " \t\r\n"))) {
			return fmt.Errorf("%w: document ends early", ErrTruncated)
		}
		return fmt.Errorf("%w: line %d: %v", ErrInvalid, sbom.LineOf(data, se.Offset), se)
	case errors.As(err, &te):
		return fmt.Errorf("%w: line %d: %s: %v", ErrInvalid, sbom.LineOf(data, te.Offset), te.Field, err)
	}
	if strings.Contains(err.Error(), "unexpected end of JSON input") {
		return fmt.Errorf("%w: document ends early", ErrTruncated)
	}
	return fmt.Errorf("%w: %v", ErrInvalid, err)
}
