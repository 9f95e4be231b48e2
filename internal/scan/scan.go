// Package scan is the stand-alone scan behind `vigil scan SBOM_FILE`: it matches one decoded SBOM
// against a vulnerability index (match.Index, usually read from the data directory's snapshot),
// applies VEX, and writes the findings as a table for people or as JSON, SARIF 2.1.0 or a
// CycloneDX BOM with a vulnerabilities section for machines. ExitCode turns --fail-on into the
// process exit status, so manufacturers and CI pipelines use the same engine as the server.
package scan

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/match"
	"github.com/vigil-med/vigil/internal/sbom"
	"github.com/vigil-med/vigil/internal/vuln"
)

// Options adjust a scan.
type Options struct {
	// VEX statements to apply (ProductVersion "" applies to this SBOM).
	VEX []match.Statement
	// ShowSuppressed keeps findings that VEX marks not_affected or fixed in Result.Findings
	// (they never count for ExitCode).
	ShowSuppressed bool
	// PlatformCPEs are CPEs known to be present besides the SBOM's (for NVD "running on" nodes).
	PlatformCPEs []string
	// SBOMName names the scanned file in SARIF locations and report headers.
	SBOMName string
	// Now is the report time; time.Now when nil (tests pin it).
	Now func() time.Time
	// ToolVersion is Vigil's version, written into SARIF and CycloneDX output.
	ToolVersion string
}

// Result is the outcome of a scan.
type Result struct {
	Document   *sbom.Document
	SBOMName   string
	Created    time.Time
	Findings   []match.Finding // in component order, then vulnerability id
	Suppressed int             // findings removed by VEX (present in Findings only with ShowSuppressed)
	Index      match.Stats
	Tool       string // "vigil"
	Version    string
}

// Run matches doc against idx.
func Run(ctx context.Context, doc *sbom.Document, idx *match.Index, opts Options) (Result, error) {
	if doc == nil || idx == nil {
		return Result{}, fmt.Errorf("scan: no SBOM or no vulnerability index")
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	r := Result{Document: doc, SBOMName: opts.SBOMName, Created: now().UTC(), Index: idx.Stats(), Tool: "vigil", Version: opts.ToolVersion}
	fs, err := idx.Match(ctx, &match.Target{Subject: doc.Subject, Components: doc.Components, PlatformCPEs: opts.PlatformCPEs}, match.Options{})
	if err != nil {
		return r, err
	}
	if len(opts.VEX) > 0 {
		fs = match.ApplyVEX(idx, fs, opts.VEX)
	}
	// Filter in place: fs belongs to this call.
	kept := fs[:0]
	for i := range fs {
		if !fs[i].Active() {
			r.Suppressed++
			if !opts.ShowSuppressed {
				continue
			}
		}
		kept = append(kept, fs[i])
	}
	r.Findings = kept
	return r, nil
}

// Severity returns the severity Vigil shows for a finding (see vuln.Vulnerability.Rated).
func Severity(f *match.Finding) vuln.Severity {
	if f.Vulnerability == nil {
		return vuln.Severity{}
	}
	return f.Vulnerability.Rated()
}

// ExitCode returns 1 when an active finding's severity is at or above failOn, else 0. Findings
// without a known severity count only when failOn is vuln.Unknown ("any").
func ExitCode(r *Result, failOn vuln.Level) int {
	for i := range r.Findings {
		f := &r.Findings[i]
		if !f.Active() {
			continue
		}
		if Severity(f).Level >= failOn {
			return 1
		}
	}
	return 0
}

// ParseFailOn reads a --fail-on value: none (never fail), any (every finding), or a level name
// (low, medium, high, critical). The boolean is false for "none".
func ParseFailOn(s string) (vuln.Level, bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "none", "never":
		return 0, false, nil
	case "any", "unknown":
		return vuln.Unknown, true, nil
	}
	l, err := vuln.ParseLevel(s)
	if err != nil {
		return 0, false, fmt.Errorf("--fail-on %q: want none, any, low, medium, high or critical", s)
	}
	return l, true, nil
}

// Format is an output format.
type Format string

// Output formats.
const (
	Table     Format = "table"
	JSON      Format = "json"
	SARIF     Format = "sarif"
	CycloneDX Format = "cyclonedx"
)

// ParseFormat reads a --format value.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case "", Table:
		return Table, nil
	case JSON, SARIF, CycloneDX:
		return f, nil
	case "cdx", "cyclonedx-json":
		return CycloneDX, nil
	}
	return "", fmt.Errorf("--format %q: want table, json, sarif or cyclonedx", s)
}

// Write writes r in format f.
func Write(w io.Writer, r *Result, f Format) error {
	switch f {
	case Table, "":
		return WriteTable(w, r, TableOptions{})
	case JSON:
		return WriteJSON(w, r)
	case SARIF:
		return WriteSARIF(w, r)
	case CycloneDX:
		return WriteCycloneDX(w, r)
	}
	return fmt.Errorf("unknown output format %q", f)
}

// summary counts findings by severity.
type summary struct {
	total, kev, eukev, suppressed int
	byLevel                       [vuln.Critical + 1]int
}

func summarize(r *Result) summary {
	var s summary
	s.suppressed = r.Suppressed
	for i := range r.Findings {
		f := &r.Findings[i]
		if !f.Active() {
			continue
		}
		s.total++
		s.byLevel[Severity(f).Level]++
		if f.Vulnerability != nil && f.Vulnerability.CISAKEV != nil {
			s.kev++
		}
		if f.Vulnerability != nil && f.Vulnerability.EUKEV != nil {
			s.eukev++
		}
	}
	return s
}

// componentName is the name shown for a finding's component.
func componentName(f *match.Finding) string {
	switch {
	case f.Package.Name != "":
		return f.Package.Name
	case f.Package.PURL != "":
		if k, _, ok := match.KeyOfPURL(f.Package.PURL); ok {
			return k.Name
		}
		return f.Package.PURL
	case f.Package.CPE != "":
		return f.Package.CPE
	case f.Component == -1 && f.Package.Ref == "":
		return "(product)"
	}
	return f.Package.Ref
}

func componentVersion(f *match.Finding) string {
	if f.Package.Version != "" {
		return f.Package.Version
	}
	if _, v, ok := match.KeyOfPURL(f.Package.PURL); ok {
		return v
	}
	return ""
}
