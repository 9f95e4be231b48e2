package procurement

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Certification schemes of a cloud assessment.
const (
	CertISO27001        = "iso27001"
	CertISO27017        = "iso27017"
	CertISO27018        = "iso27018"
	CertC5Type1         = "c5-type1"
	CertC5Type2         = "c5-type2"
	CertEUCSBasic       = "eucs-basic"
	CertEUCSSubstantial = "eucs-substantial"
	CertEUCSHigh        = "eucs-high"
	CertHDS             = "hds"
	CertSOC2Type2       = "soc2-type2"
)

// CertSchemes lists the certification schemes with their names for people.
var CertSchemes = []struct{ ID, Label string }{
	{CertISO27001, "ISO/IEC 27001"}, {CertISO27017, "ISO/IEC 27017"}, {CertISO27018, "ISO/IEC 27018"},
	{CertC5Type1, "BSI C5 type 1"}, {CertC5Type2, "BSI C5 type 2"},
	{CertEUCSBasic, "EUCS basic"}, {CertEUCSSubstantial, "EUCS substantial"}, {CertEUCSHigh, "EUCS high"},
	{CertHDS, "HDS (France)"}, {CertSOC2Type2, "SOC 2 type 2"},
}

// CertLabel returns the name of a certification scheme.
func CertLabel(id string) string {
	for _, s := range CertSchemes {
		if s.ID == id {
			return s.Label
		}
	}
	return id
}

// Data locations.
const (
	LocationEUEEA    = "eu-eea"   // stored and processed in the EU/EEA only
	LocationAdequacy = "adequacy" // also in a country with an EU adequacy decision
	LocationSCC      = "scc"      // transfers under standard contractual clauses
	LocationOther    = "other"    // transfers without a recognised safeguard
)

// Key control models, best first.
const (
	KeysHYOK     = "hyok"             // hold your own key: keys never leave the customer
	KeysBYOK     = "byok"             // bring your own key into the provider's KMS
	KeysCustomer = "customer-managed" // customer-managed keys in the provider's KMS
	KeysProvider = "provider"         // provider-managed keys
)

// Certification is one certificate or attestation of a cloud service.
type Certification struct {
	Scheme     string `json:"scheme"`                // a Cert* scheme
	ValidUntil string `json:"valid_until,omitempty"` // YYYY-MM-DD; "" when not stated
	Reference  string `json:"reference,omitempty"`   // certificate number, issuing body, report period
}

// CloudProfile is the evidence-based assessment of a cloud or SaaS service (or of a bid in a cloud
// tender). Pointer fields are unknown while nil.
type CloudProfile struct {
	Certifications         []Certification `json:"certifications"`
	DataLocation           string          `json:"data_location,omitempty"` // a Location* value
	Regions                string          `json:"regions,omitempty"`       // e.g. "DE (Frankfurt), NL (Amsterdam)"
	Transfers              string          `json:"transfers,omitempty"`     // transfers outside the EU/EEA and their safeguard
	EncryptionAtRest       *bool           `json:"encryption_at_rest"`
	EncryptionInTransit    *bool           `json:"encryption_in_transit"`
	KeyControl             string          `json:"key_control,omitempty"`       // a Keys* value
	IncidentHours          int             `json:"incident_notification_hours"` // 0: not committed
	SubProcessorsDisclosed *bool           `json:"sub_processors_disclosed"`    //
	SubProcessors          []string        `json:"sub_processors"`              // name (service, location)
	ExitPlan               *bool           `json:"exit_plan"`                   // data returned in standard formats, deleted afterwards
	ExportFormats          string          `json:"export_formats,omitempty"`    // e.g. "DICOM, HL7 FHIR"
	AvailabilitySLA        float64         `json:"availability_sla"`            // percent per month; 0: none
	NIS2Clauses            *bool           `json:"nis2_clauses"`                // supplier duties in the contract
	MFA                    *bool           `json:"mfa"`                         // MFA and SSO for users and admins
	AuditLogs              *bool           `json:"audit_logs"`                  // logs available to the customer
	Backup                 *bool           `json:"backup"`                      // separate-location backup with restore tests
	DPA                    *bool           `json:"dpa"`                         // GDPR Art 28 agreement
	Notes                  string          `json:"notes,omitempty"`
}

// Validate checks the profile's values and names the first wrong field.
func (p *CloudProfile) Validate() error {
	known := map[string]bool{}
	for _, s := range CertSchemes {
		known[s.ID] = true
	}
	for i, c := range p.Certifications {
		if !known[c.Scheme] {
			return fmt.Errorf("certifications[%d].scheme: unknown scheme %q", i, c.Scheme)
		}
		if c.ValidUntil != "" {
			if _, err := time.Parse("2006-01-02", c.ValidUntil); err != nil {
				return fmt.Errorf("certifications[%d].valid_until: %q is not a date (YYYY-MM-DD)", i, c.ValidUntil)
			}
		}
	}
	if p.DataLocation != "" && !slices.Contains([]string{LocationEUEEA, LocationAdequacy, LocationSCC, LocationOther}, p.DataLocation) {
		return fmt.Errorf("data_location: %q is not one of eu-eea, adequacy, scc, other", p.DataLocation)
	}
	if p.KeyControl != "" && !slices.Contains([]string{KeysHYOK, KeysBYOK, KeysCustomer, KeysProvider}, p.KeyControl) {
		return fmt.Errorf("key_control: %q is not one of hyok, byok, customer-managed, provider", p.KeyControl)
	}
	if p.IncidentHours < 0 || p.IncidentHours > 24*365 {
		return fmt.Errorf("incident_notification_hours: %d out of range", p.IncidentHours)
	}
	if math.IsNaN(p.AvailabilitySLA) || p.AvailabilitySLA < 0 || p.AvailabilitySLA > 100 {
		return fmt.Errorf("availability_sla: %v is not a percentage", p.AvailabilitySLA)
	}
	return nil
}

// ValidCert returns the certification of the scheme that is valid on asOf (a certificate without a date
// counts as valid), and whether one exists at all.
func (p *CloudProfile) ValidCert(scheme string, asOf time.Time) (c Certification, valid, exists bool) {
	if p == nil {
		return c, false, false
	}
	for _, x := range p.Certifications {
		if x.Scheme != scheme {
			continue
		}
		exists, c = true, x
		if x.ValidUntil == "" {
			return x, true, true
		}
		if t, err := time.Parse("2006-01-02", x.ValidUntil); err == nil && !t.Before(day(asOf)) {
			return x, true, true
		}
	}
	return c, false, exists
}

// ExpiringCerts lists certificates that expire within the given number of days after asOf, or have expired.
func (p *CloudProfile) ExpiringCerts(asOf time.Time, days int) []Certification {
	if p == nil {
		return nil
	}
	var out []Certification
	limit := day(asOf).AddDate(0, 0, days)
	for _, c := range p.Certifications {
		if t, err := time.Parse("2006-01-02", c.ValidUntil); err == nil && t.Before(limit) {
			out = append(out, c)
		}
	}
	return out
}

func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

type cloudCheck func(p *CloudProfile, r Rule, asOf time.Time) outcome

var cloudChecks = map[string]cloudCheck{
	"iso27001": func(p *CloudProfile, _ Rule, asOf time.Time) outcome { return certOutcome(p, asOf, CertISO27001) },
	"iso27017": func(p *CloudProfile, _ Rule, asOf time.Time) outcome {
		a, b := certOutcome(p, asOf, CertISO27017), certOutcome(p, asOf, CertISO27018)
		o := outcome{decided: true, share: (a.share + b.share) / 2, evidence: append(a.evidence, b.evidence...)}
		o.comment = joinSentences(a.comment, b.comment)
		return o
	},
	"c5": func(p *CloudProfile, _ Rule, asOf time.Time) outcome {
		if o := certOutcome(p, asOf, CertC5Type2); o.share == 1 {
			return o
		}
		o := certOutcome(p, asOf, CertC5Type1)
		if o.share == 1 {
			o.share = 2.0 / 3
			o.comment += " (type 1: design only, not operating effectiveness)"
			return o
		}
		t2 := certOutcome(p, asOf, CertC5Type2)
		if len(t2.evidence) > 0 {
			return t2
		}
		return o
	},
	"eucs": func(p *CloudProfile, _ Rule, asOf time.Time) outcome {
		for _, l := range []struct {
			scheme string
			share  float64
		}{{CertEUCSHigh, 1}, {CertEUCSSubstantial, 2.0 / 3}, {CertEUCSBasic, 1.0 / 3}} {
			if c, ok, _ := p.ValidCert(l.scheme, asOf); ok {
				return outcome{decided: true, share: l.share, evidence: []Evidence{certEvidence(c)}, comment: CertLabel(l.scheme) + " certificate"}
			}
		}
		return outcome{decided: true, na: true, comment: "no EUCS certificate (the scheme is not yet adopted); not counted"}
	},
	"hds": func(p *CloudProfile, _ Rule, asOf time.Time) outcome { return certOutcome(p, asOf, CertHDS) },
	"location": func(p *CloudProfile, _ Rule, _ time.Time) outcome {
		ev := []Evidence{{Source: "cloud", Ref: "data location", Value: p.DataLocation, Note: strings.Join(nonEmpty(p.Regions, p.Transfers), "; ")}}
		switch p.DataLocation {
		case LocationEUEEA:
			return outcome{decided: true, share: 1, evidence: ev, comment: "data stored and processed in the EU/EEA"}
		case LocationAdequacy:
			return outcome{decided: true, share: 2.0 / 3, evidence: ev, comment: "data also in a country with an adequacy decision"}
		case LocationSCC:
			return outcome{decided: true, share: 1.0 / 3, evidence: ev, comment: "transfers outside the EU/EEA under standard contractual clauses"}
		case LocationOther:
			return outcome{decided: true, share: 0, evidence: ev, comment: "transfers outside the EU/EEA without a recognised safeguard"}
		}
		return undecided("data location not assessed")
	},
	"encryption": func(p *CloudProfile, _ Rule, _ time.Time) outcome {
		ev := []Evidence{boolEvidence("encryption at rest", p.EncryptionAtRest), boolEvidence("encryption in transit", p.EncryptionInTransit)}
		if p.EncryptionAtRest == nil || p.EncryptionInTransit == nil {
			return undecided("encryption not fully assessed", ev...)
		}
		share := 0.0
		if *p.EncryptionAtRest {
			share += 0.5
		}
		if *p.EncryptionInTransit {
			share += 0.5
		}
		return outcome{decided: true, share: share, evidence: ev, comment: fmt.Sprintf("at rest: %s, in transit: %s", yesNo(*p.EncryptionAtRest), yesNo(*p.EncryptionInTransit))}
	},
	"keys": func(p *CloudProfile, _ Rule, _ time.Time) outcome {
		ev := []Evidence{{Source: "cloud", Ref: "key control", Value: p.KeyControl}}
		switch p.KeyControl {
		case KeysHYOK:
			return outcome{decided: true, share: 1, evidence: ev, comment: "hold-your-own-key: the hospital holds the keys"}
		case KeysBYOK, KeysCustomer:
			return outcome{decided: true, share: 2.0 / 3, evidence: ev, comment: "customer-managed keys in the provider's key management"}
		case KeysProvider:
			return outcome{decided: true, share: 1.0 / 3, evidence: ev, comment: "the provider holds the keys"}
		}
		return undecided("key control not assessed")
	},
	"incident-hours": func(p *CloudProfile, r Rule, _ time.Time) outcome {
		if p.IncidentHours <= 0 {
			return undecided("no incident notification commitment recorded")
		}
		ev := []Evidence{{Source: "cloud", Ref: "incident notification", Value: fmt.Sprintf("%d hours", p.IncidentHours)}}
		return outcome{decided: true, share: linear(float64(p.IncidentHours), r.Full, r.Zero), evidence: ev,
			comment: fmt.Sprintf("incidents notified within %d hours (full score at %s, none at %s)", p.IncidentHours, trimFloat(r.Full), trimFloat(r.Zero))}
	},
	"sla": func(p *CloudProfile, r Rule, _ time.Time) outcome {
		if p.AvailabilitySLA <= 0 {
			return undecided("no availability commitment recorded")
		}
		ev := []Evidence{{Source: "cloud", Ref: "availability SLA", Value: trimFloat(p.AvailabilitySLA) + " %"}}
		return outcome{decided: true, share: linear(p.AvailabilitySLA, r.Full, r.Zero), evidence: ev,
			comment: fmt.Sprintf("%s %% monthly availability (full score at %s %%, none at %s %%)", trimFloat(p.AvailabilitySLA), trimFloat(r.Full), trimFloat(r.Zero))}
	},
	"subprocessors": func(p *CloudProfile, _ Rule, _ time.Time) outcome {
		o := boolOutcome("sub-processors disclosed", p.SubProcessorsDisclosed)
		if len(p.SubProcessors) > 0 {
			o.evidence = append(o.evidence, Evidence{Source: "cloud", Ref: "sub-processors", Value: strings.Join(p.SubProcessors, "; ")})
		}
		return o
	},
	"exit": func(p *CloudProfile, _ Rule, _ time.Time) outcome {
		o := boolOutcome("exit plan and data portability", p.ExitPlan)
		if p.ExportFormats != "" {
			o.evidence = append(o.evidence, Evidence{Source: "cloud", Ref: "export formats", Value: p.ExportFormats})
		}
		return o
	},
	"nis2": func(p *CloudProfile, _ Rule, _ time.Time) outcome {
		return boolOutcome("NIS2 supplier duties in the contract", p.NIS2Clauses)
	},
	"mfa": func(p *CloudProfile, _ Rule, _ time.Time) outcome { return boolOutcome("MFA and SSO", p.MFA) },
	"logs": func(p *CloudProfile, _ Rule, _ time.Time) outcome {
		return boolOutcome("audit logs for the customer", p.AuditLogs)
	},
	"backup": func(p *CloudProfile, _ Rule, _ time.Time) outcome {
		return boolOutcome("backup and disaster recovery", p.Backup)
	},
	"dpa": func(p *CloudProfile, _ Rule, _ time.Time) outcome {
		return boolOutcome("data processing agreement (GDPR Art 28)", p.DPA)
	},
}

func cloudRule(p *CloudProfile, r Rule, asOf time.Time) outcome {
	if p == nil {
		return undecided("no cloud assessment")
	}
	return cloudChecks[r.Cloud](p, r, asOf)
}

func certEvidence(c Certification) Evidence {
	v := "valid"
	if c.ValidUntil != "" {
		v = "valid until " + c.ValidUntil
	}
	return Evidence{Source: "cloud", Ref: CertLabel(c.Scheme), Value: v, Note: c.Reference}
}

func certOutcome(p *CloudProfile, asOf time.Time, scheme string) outcome {
	c, valid, exists := p.ValidCert(scheme, asOf)
	switch {
	case valid:
		return outcome{decided: true, share: 1, evidence: []Evidence{certEvidence(c)}, comment: CertLabel(scheme) + " valid"}
	case exists:
		ev := certEvidence(c)
		ev.Value = "expired on " + c.ValidUntil
		return outcome{decided: true, share: 0, evidence: []Evidence{ev}, comment: CertLabel(scheme) + " expired on " + c.ValidUntil}
	}
	return outcome{decided: true, share: 0, comment: "no " + CertLabel(scheme) + " certificate"}
}

func boolEvidence(what string, b *bool) Evidence {
	v := "not assessed"
	if b != nil {
		v = yesNo(*b)
	}
	return Evidence{Source: "cloud", Ref: what, Value: v}
}

func boolOutcome(what string, b *bool) outcome {
	ev := []Evidence{boolEvidence(what, b)}
	if b == nil {
		return undecided(what+": not assessed", ev...)
	}
	if *b {
		return outcome{decided: true, share: 1, evidence: ev, comment: what + ": yes"}
	}
	return outcome{decided: true, share: 0, evidence: ev, comment: what + ": no"}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
