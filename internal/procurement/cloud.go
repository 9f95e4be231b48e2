package procurement

import (
	"fmt"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// Cloud assessment types live in the domain (they are stored with bids and cloud services); the names
// here are aliases so that the engine reads naturally.
type (
	// CloudProfile is domain.CloudProfile.
	CloudProfile = domain.CloudProfile
	// Certification is domain.Certification.
	Certification = domain.Certification
)

// Cloud assessment values (see the domain package).
const (
	CertISO27001        = domain.CertISO27001
	CertISO27017        = domain.CertISO27017
	CertISO27018        = domain.CertISO27018
	CertC5Type1         = domain.CertC5Type1
	CertC5Type2         = domain.CertC5Type2
	CertEUCSBasic       = domain.CertEUCSBasic
	CertEUCSSubstantial = domain.CertEUCSSubstantial
	CertEUCSHigh        = domain.CertEUCSHigh
	CertHDS             = domain.CertHDS
	CertSOC2Type2       = domain.CertSOC2Type2
	LocationEUEEA       = domain.LocationEUEEA
	LocationAdequacy    = domain.LocationAdequacy
	LocationSCC         = domain.LocationSCC
	LocationOther       = domain.LocationOther
	KeysHYOK            = domain.KeysHYOK
	KeysBYOK            = domain.KeysBYOK
	KeysCustomer        = domain.KeysCustomer
	KeysProvider        = domain.KeysProvider
)

// CertLabel returns the name of a certification scheme.
func CertLabel(id string) string { return domain.CertLabel(id) }

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
		if len(o.evidence) > 0 {
			return o
		}
		return outcome{decided: true, share: 0, comment: "no BSI C5 attestation"}
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
