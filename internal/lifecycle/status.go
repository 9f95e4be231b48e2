// Package lifecycle resolves end of support for medical-device products (dates the manufacturer
// states) and for the operating systems and runtimes inside them (matched to endoflife.date cycles
// from SBOM components: purl, CPE or name and version), and classifies assets as legacy technology.
// The replacement optimiser lives in the plan sub-package.
package lifecycle

import (
	"fmt"
	"time"

	"github.com/vigil-med/vigil/internal/feeds/endoflife"
)

// Status is the support status of a product or component on a date.
type Status string

// Support statuses, from best to worst; StatusUnknown when no date is known.
const (
	StatusSupported  Status = "supported"
	StatusEndingSoon Status = "ending-soon" // support ends within Options.SoonMonths
	StatusEnded      Status = "ended"
	StatusUnknown    Status = "unknown"
)

// Confidence says how sure the match of a component to an endoflife.date cycle is.
type Confidence string

// Confidence levels.
const (
	ConfidenceHigh   Confidence = "high"   // an identifier (purl, CPE) of the product and an exact cycle
	ConfidenceMedium Confidence = "medium" // a recognised name, or a cycle inferred from a package's distribution
	ConfidenceLow    Confidence = "low"    // a generic name or an assumed edition
)

// Source kinds.
const (
	SourceManufacturer = "manufacturer"     // a date the manufacturer states (entered by the user)
	SourceMDS2         = "mds2"             // taken from an MDS2 form
	SourceContract     = "contract"         // taken from a service or purchase contract
	SourceEndOfLife    = "endoflife.date"   // an endoflife.date product cycle
	SourceSupplement   = "vigil-supplement" // Vigil's small reviewed table for products endoflife.date lacks
)

// Source says where an end-of-support date comes from.
type Source struct {
	Kind      string `json:"kind"`                // one of the Source* constants
	Product   string `json:"product,omitempty"`   // endoflife.date product, e.g. "windows"
	Cycle     string `json:"cycle,omitempty"`     // endoflife.date cycle, e.g. "7-sp1"
	Reference string `json:"reference,omitempty"` // document, link or citation
}

// Item is the end-of-support resolution of one product or component.
type Item struct {
	Subject      string     `json:"subject"`                 // what was assessed, e.g. "Windows 7 SP1" or "log4j-core 2.14.1"
	ComponentRef string     `json:"component_ref,omitempty"` // sbom.Component.Ref when from an SBOM
	Identifier   string     `json:"identifier,omitempty"`    // the purl, CPE or name+version that was matched
	Status       Status     `json:"status"`
	Date         time.Time  `json:"date,omitempty"` // end of support; zero when not known
	Source       Source     `json:"source"`
	Confidence   Confidence `json:"confidence"`
	Method       string     `json:"method"` // "purl", "distro", "cpe", "name", "manual"
	Reason       string     `json:"reason"` // one or two sentences for people
	// ExtendedUntil is the end of extended (often paid) support when one exists beyond Date and
	// Options.CountExtendedSupport is false; zero otherwise.
	ExtendedUntil time.Time `json:"extended_until,omitempty"`
}

// Options control status decisions.
type Options struct {
	AsOf time.Time // the date statuses are computed for
	// SoonMonths is the window for StatusEndingSoon; 0 means 12.
	SoonMonths int
	// CountExtendedSupport uses the end of extended support (endoflife.date "eoes", e.g. Windows ESU,
	// Debian LTS) instead of the end of regular security support, for hospitals that buy it.
	CountExtendedSupport bool
}

func (o Options) soon() int {
	if o.SoonMonths <= 0 {
		return 12
	}
	return o.SoonMonths
}

func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// statusOfDate classifies an end date: ended on or after it, ending soon within the window.
func (o Options) statusOfDate(end time.Time) Status {
	asOf := day(o.AsOf)
	switch {
	case !asOf.Before(day(end)):
		return StatusEnded
	case !day(end).After(asOf.AddDate(0, o.soon(), 0)):
		return StatusEndingSoon
	}
	return StatusSupported
}

// cycleItem fills status, date and a reason sentence from an endoflife.date cycle.
func (o Options) cycleItem(it Item, label string, c endoflife.Cycle) Item {
	end := c.EOL
	what := "security support"
	if o.CountExtendedSupport && c.EOES.Kind == endoflife.MilestoneDate && (end.Kind != endoflife.MilestoneDate || c.EOES.Date.After(end.Date)) {
		end, what = c.EOES, "extended support"
	}
	switch end.Kind {
	case endoflife.MilestoneDate:
		it.Date = end.Date
		it.Status = o.statusOfDate(end.Date)
		switch it.Status {
		case StatusEnded:
			it.Reason = fmt.Sprintf("%s: %s ended on %s.", label, what, ymd(end.Date))
		case StatusEndingSoon:
			it.Reason = fmt.Sprintf("%s: %s ends on %s, within %d months.", label, what, ymd(end.Date), o.soon())
		default:
			it.Reason = fmt.Sprintf("%s: %s until %s.", label, what, ymd(end.Date))
		}
	case endoflife.MilestoneTrue:
		it.Status = StatusEnded
		it.Reason = fmt.Sprintf("%s: %s has ended (no date given).", label, what)
	case endoflife.MilestoneFalse:
		it.Status = StatusSupported
		it.Reason = fmt.Sprintf("%s: supported, no end of support announced.", label)
	default:
		it.Status = StatusUnknown
		it.Reason = fmt.Sprintf("%s: no end-of-support date is known.", label)
	}
	if !o.CountExtendedSupport && c.EOES.Kind == endoflife.MilestoneDate && (it.Date.IsZero() || c.EOES.Date.After(it.Date)) {
		it.ExtendedUntil = c.EOES.Date
		verb := "runs"
		if !day(o.AsOf).Before(c.EOES.Date) {
			verb = "ran"
		}
		it.Reason += fmt.Sprintf(" Extended support %s until %s.", verb, ymd(c.EOES.Date))
	}
	return it
}

func ymd(t time.Time) string { return t.Format(time.DateOnly) }

// ProductSupport is a manufacturer's end-of-support statement for a medical-device product (model or
// model + version), as entered by a user or taken from an MDS2 form or a contract.
type ProductSupport struct {
	ProductID    string
	Name         string    // e.g. "Philips IntelliSpace Portal 8"
	EndOfSupport time.Time // zero when the manufacturer states none
	Kind         string    // SourceManufacturer, SourceMDS2 or SourceContract; "" means SourceManufacturer
	Reference    string    // e.g. "MDS2 DOC-7 2026-03-20", "service contract 2024-113 §5"
}

// ResolveProduct gives the status of a manufacturer's end-of-support statement.
func ResolveProduct(p ProductSupport, o Options) Item {
	kind := p.Kind
	if kind == "" {
		kind = SourceManufacturer
	}
	it := Item{Subject: p.Name, Source: Source{Kind: kind, Reference: p.Reference}, Confidence: ConfidenceHigh, Method: "manual"}
	from := map[string]string{SourceManufacturer: "the manufacturer", SourceMDS2: "the manufacturer's MDS2 form", SourceContract: "the contract"}[kind]
	if from == "" {
		from = kind
	}
	if p.Reference != "" {
		from += " (" + p.Reference + ")"
	}
	if p.EndOfSupport.IsZero() {
		it.Status = StatusUnknown
		it.Reason = fmt.Sprintf("%s: no end of support stated by %s.", p.Name, from)
		return it
	}
	it.Date = day(p.EndOfSupport)
	it.Status = o.statusOfDate(p.EndOfSupport)
	switch it.Status {
	case StatusEnded:
		it.Reason = fmt.Sprintf("%s: support ended on %s according to %s.", p.Name, ymd(it.Date), from)
	case StatusEndingSoon:
		it.Reason = fmt.Sprintf("%s: support ends on %s according to %s, within %d months.", p.Name, ymd(it.Date), from, o.soon())
	default:
		it.Reason = fmt.Sprintf("%s: supported until %s according to %s.", p.Name, ymd(it.Date), from)
	}
	return it
}
