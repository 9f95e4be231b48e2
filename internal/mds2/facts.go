package mds2

import (
	"fmt"
	"strings"
)

// Truth is the value of a derived fact.
type Truth string

// Fact values. TruthUnknown means the form does not say: the deciding answers are blank, free text, or
// "See Note" (a note needs a human reading).
const (
	TruthYes     Truth = "yes"
	TruthNo      Truth = "no"
	TruthNA      Truth = "not-applicable"
	TruthUnknown Truth = "unknown"
)

// Evidence is one answer a fact rests on.
type Evidence struct {
	ID    string
	Value Value
	Raw   string
}

// Fact is a derived statement about the device with the answers behind it.
type Fact struct {
	Name      string     // field name in Facts, e.g. "EncryptionAtRest"
	Value     Truth      //
	Questions []string   // every question id the rule consults
	Evidence  []Evidence // the answers that decided Value; for TruthUnknown, the consulted answers that were not blank
	Note      string     // a caveat in words ("not enabled by default (STCF-1.2)"), or why it is unknown
}

// Facts are the derived facts other modules use (procurement scoring, shared-responsibility matrix). Each
// field's comment gives its rule; FactDefinitions returns the same in data form.
type Facts struct {
	CVDProgramme              Fact // DOC-8
	ISAOMember                Fact // DOC-9
	HandlesPersonalData       Fact // MPII-1
	AutoLogoff                Fact // ALOF-1
	AuditLog                  Fact // any of AUDT-1, AUDT-2
	UniqueAccounts            Fact // PAUT-1
	MFA                       Fact // PAUT-8
	DefaultAccountsDocumented Fact // PAUT-4
	MalwareProtection         Fact // any of MLDP-2 (anti-malware), MLDP-3 (compensating controls), MLDP-4 (allow-listing)
	OwnerManagesAntiMalware   Fact // MLDP-2.3; not applicable when MLDP-2 is No/N/A
	NetworkAccessControl      Fact // NAUT-2
	TLS                       Fact // CONN-7
	InternetRequired          Fact // CONN-6
	EncryptionAtRest          Fact // STCF-1 (caveat from STCF-1.2)
	EncryptionInTransit       Fact // TXCF-2, or TXCF-2.1 when TXCF-2 is No
	RemoteService             Fact // any of RMOT-1, RMOT-2, RMOT-3
	OwnerCanPatchOS           Fact // CSUP-2.1; not applicable when CSUP-1 or CSUP-2 is No/N/A
	VendorPatchesOnly         Fact // CSUP-2…6 with their .1 and .2 sub-questions (see FactDefinitions)
	AutomaticUpdates          Fact // CSUP-8
	UpdateNotification        Fact // CSUP-7
	Backup                    Fact // any of DTBK-3, DTBK-4, DTBK-5
	HardeningStandard         Fact // SAHD-1
	SecureDevelopment         Fact // RDMP-1
	SupportInfoPublished      Fact // RDMP-3 (the form has no end-of-support date; this is the closest it gets)
	ThirdPartyEOLPlan         Fact // RDMP-4
	SBOMAvailable             Fact // SBOM-1
	SecurityGuidance          Fact // SGUD-1
}

// FactDefinition documents one derived fact.
type FactDefinition struct {
	Name      string
	Questions []string
	Rule      string
}

type factRule struct {
	def   FactDefinition
	field func(*Facts) *Fact
	eval  func(f *Form, def FactDefinition) Fact
}

var factRules = []factRule{
	single("CVDProgramme", "DOC-8", "the manufacturer runs a coordinated vulnerability disclosure programme", func(x *Facts) *Fact { return &x.CVDProgramme }),
	single("ISAOMember", "DOC-9", "the manufacturer belongs to an ISAO", func(x *Facts) *Fact { return &x.ISAOMember }),
	single("HandlesPersonalData", "MPII-1", "the device shows, sends, stores or changes personal data", func(x *Facts) *Fact { return &x.HandlesPersonalData }),
	single("AutoLogoff", "ALOF-1", "idle sessions can be locked or logged off", func(x *Facts) *Fact { return &x.AutoLogoff }),
	anyYes("AuditLog", []string{"AUDT-1", "AUDT-2"}, "the device keeps an audit log", func(x *Facts) *Fact { return &x.AuditLog }),
	single("UniqueAccounts", "PAUT-1", "unique IDs and passwords for all users and roles", func(x *Facts) *Fact { return &x.UniqueAccounts }),
	single("MFA", "PAUT-8", "multi-factor authentication is supported", func(x *Facts) *Fact { return &x.MFA }),
	single("DefaultAccountsDocumented", "PAUT-4", "all default accounts are documented", func(x *Facts) *Fact { return &x.DefaultAccountsDocumented }),
	anyYes("MalwareProtection", []string{"MLDP-2", "MLDP-3", "MLDP-4"}, "anti-malware, compensating controls or application allow-listing", func(x *Facts) *Fact { return &x.MalwareProtection }),
	dependent("OwnerManagesAntiMalware", "MLDP-2", "MLDP-2.3", "the owner may install or update the anti-malware", func(x *Facts) *Fact { return &x.OwnerManagesAntiMalware }),
	single("NetworkAccessControl", "NAUT-2", "host firewall or connection allow-list", func(x *Facts) *Fact { return &x.NetworkAccessControl }),
	single("TLS", "CONN-7", "TLS is supported", func(x *Facts) *Fact { return &x.TLS }),
	single("InternetRequired", "CONN-6", "the intended use needs an Internet connection", func(x *Facts) *Fact { return &x.InternetRequired }),
	{
		def:   FactDefinition{Name: "EncryptionAtRest", Questions: []string{"STCF-1", "STCF-1.2"}, Rule: "STCF-1 decides; a No to STCF-1.2 adds the caveat that encryption is not on by default"},
		field: func(x *Facts) *Fact { return &x.EncryptionAtRest },
		eval: func(f *Form, d FactDefinition) Fact {
			fact := evalSingle(f, d, "STCF-1")
			if fact.Value == TruthYes && f.Answer("STCF-1.2").Value == ValueNo {
				fact.Note = "not enabled by default (STCF-1.2)"
				fact.Evidence = append(fact.Evidence, evidence(f.Answer("STCF-1.2")))
			}
			return fact
		},
	},
	{
		def:   FactDefinition{Name: "EncryptionInTransit", Questions: []string{"TXCF-2", "TXCF-2.1"}, Rule: "yes if TXCF-2 is Yes, or TXCF-2 is No and the customer can enable encryption (TXCF-2.1 Yes, with a caveat); no if TXCF-2 is No and TXCF-2.1 is not Yes"},
		field: func(x *Facts) *Fact { return &x.EncryptionInTransit },
		eval: func(f *Form, d FactDefinition) Fact {
			fact := evalSingle(f, d, "TXCF-2")
			if fact.Value == TruthNo {
				if sub := f.Answer("TXCF-2.1"); sub.Value == ValueYes {
					fact.Value, fact.Note = TruthYes, "not encrypted by default; the customer can enable encryption (TXCF-2.1)"
					fact.Evidence = append(fact.Evidence, evidence(sub))
				}
			}
			return fact
		},
	},
	anyYes("RemoteService", []string{"RMOT-1", "RMOT-2", "RMOT-3"}, "remote service, predictive-maintenance or other remote functions", func(x *Facts) *Fact { return &x.RemoteService }),
	{
		def:   FactDefinition{Name: "OwnerCanPatchOS", Questions: []string{"CSUP-1", "CSUP-2", "CSUP-2.1"}, Rule: "CSUP-2.1 decides; not applicable when CSUP-1 or CSUP-2 is No or N/A"},
		field: func(x *Facts) *Fact { return &x.OwnerCanPatchOS },
		eval: func(f *Form, d FactDefinition) Fact {
			for _, gate := range []string{"CSUP-1", "CSUP-2"} {
				if a := f.Answer(gate); a.Value == ValueNo || a.Value == ValueNA {
					return Fact{Name: d.Name, Value: TruthNA, Questions: d.Questions, Evidence: []Evidence{evidence(a)}, Note: gate + " says there is nothing of this kind to patch"}
				}
			}
			return evalSingle(f, d, "CSUP-2.1")
		},
	},
	{
		def: FactDefinition{Name: "VendorPatchesOnly", Questions: []string{"CSUP-1", "CSUP-2", "CSUP-2.1", "CSUP-2.2", "CSUP-3", "CSUP-3.1", "CSUP-3.2", "CSUP-4", "CSUP-4.1", "CSUP-4.2", "CSUP-5", "CSUP-5.1", "CSUP-5.2", "CSUP-6", "CSUP-6.1", "CSUP-6.2"},
			Rule: "over the component classes the device contains (CSUP-2…6 Yes): no if the owner may install updates for any of them (x.1 Yes) or any does not need the manufacturer's service (x.2 No); yes if every one needs the manufacturer or its authorised service (x.2 Yes); not applicable if CSUP-1 is No/N/A or no class is present; otherwise unknown"},
		field: func(x *Facts) *Fact { return &x.VendorPatchesOnly },
		eval:  evalVendorPatchesOnly,
	},
	single("AutomaticUpdates", "CSUP-8", "software updates are installed automatically", func(x *Facts) *Fact { return &x.AutomaticUpdates }),
	single("UpdateNotification", "CSUP-7", "the manufacturer notifies customers of approved updates", func(x *Facts) *Fact { return &x.UpdateNotification }),
	anyYes("Backup", []string{"DTBK-3", "DTBK-4", "DTBK-5"}, "backup to removable media, to remote storage, or of configuration and software", func(x *Facts) *Fact { return &x.Backup }),
	single("HardeningStandard", "SAHD-1", "hardened following an industry standard", func(x *Facts) *Fact { return &x.HardeningStandard }),
	single("SecureDevelopment", "RDMP-1", "a secure development process was followed", func(x *Facts) *Fact { return &x.SecureDevelopment }),
	single("SupportInfoPublished", "RDMP-3", "software support dates and updates are published (the form gives no end-of-support date itself)", func(x *Facts) *Fact { return &x.SupportInfoPublished }),
	single("ThirdPartyEOLPlan", "RDMP-4", "there is a plan for third-party component end of life", func(x *Facts) *Fact { return &x.ThirdPartyEOLPlan }),
	single("SBOMAvailable", "SBOM-1", "an SBOM is available", func(x *Facts) *Fact { return &x.SBOMAvailable }),
	single("SecurityGuidance", "SGUD-1", "security documentation for the owner/operator", func(x *Facts) *Fact { return &x.SecurityGuidance }),
}

// FactDefinitions lists every derived fact with the question ids it consults and its rule in words.
func FactDefinitions() []FactDefinition {
	out := make([]FactDefinition, len(factRules))
	for i, r := range factRules {
		out[i] = r.def
		out[i].Questions = append([]string(nil), r.def.Questions...)
	}
	return out
}

// Facts derives the facts from the form's answers. It never guesses: a fact is TruthUnknown when its
// deciding answers are blank, free text or "See Note".
func (f *Form) Facts() Facts {
	var x Facts
	for _, r := range factRules {
		*r.field(&x) = r.eval(f, r.def)
	}
	return x
}

// All returns the facts in a fixed order (the order of FactDefinitions).
func (x Facts) All() []Fact {
	out := make([]Fact, len(factRules))
	for i, r := range factRules {
		out[i] = *r.field(&x)
	}
	return out
}

func evidence(a Answer) Evidence { return Evidence{ID: a.ID, Value: a.Value, Raw: a.Raw} }

func single(name, id, rule string, field func(*Facts) *Fact) factRule {
	return factRule{
		def:   FactDefinition{Name: name, Questions: []string{id}, Rule: id + " decides: " + rule},
		field: field,
		eval:  func(f *Form, d FactDefinition) Fact { return evalSingle(f, d, id) },
	}
}

func evalSingle(f *Form, d FactDefinition, id string) Fact {
	a := f.Answer(id)
	fact := Fact{Name: d.Name, Questions: d.Questions}
	switch a.Value {
	case ValueYes:
		fact.Value = TruthYes
	case ValueNo:
		fact.Value = TruthNo
	case ValueNA:
		fact.Value = TruthNA
	default:
		return unknown(fact, a)
	}
	fact.Evidence = []Evidence{evidence(a)}
	return fact
}

func unknown(fact Fact, undecided ...Answer) Fact {
	fact.Value = TruthUnknown
	var said []string
	for _, a := range undecided {
		if a.Value == ValueBlank {
			continue
		}
		fact.Evidence = append(fact.Evidence, evidence(a))
		said = append(said, fmt.Sprintf("%s is %q", a.ID, truncate(a.Raw, 60)))
	}
	if len(said) == 0 {
		fact.Note = "the form does not say"
	} else {
		fact.Note = "needs a human reading: " + strings.Join(said, "; ")
	}
	return fact
}

func anyYes(name string, ids []string, rule string, field func(*Facts) *Fact) factRule {
	return factRule{
		def: FactDefinition{Name: name, Questions: ids,
			Rule: fmt.Sprintf("yes if any of %s is Yes (%s); no if none is Yes and at least one is No while the others are No or N/A; not applicable if all are N/A; otherwise unknown", strings.Join(ids, ", "), rule)},
		field: field,
		eval: func(f *Form, d FactDefinition) Fact {
			fact := Fact{Name: d.Name, Questions: d.Questions}
			var yes, decided, undecided []Answer
			no := false
			for _, id := range ids {
				a := f.Answer(id)
				switch a.Value {
				case ValueYes:
					yes = append(yes, a)
				case ValueNo:
					no = true
					decided = append(decided, a)
				case ValueNA:
					decided = append(decided, a)
				default:
					undecided = append(undecided, a)
				}
			}
			switch {
			case len(yes) > 0:
				fact.Value = TruthYes
				for _, a := range yes {
					fact.Evidence = append(fact.Evidence, evidence(a))
				}
			case len(undecided) > 0:
				return unknown(fact, undecided...)
			case no:
				fact.Value = TruthNo
			default:
				fact.Value = TruthNA
			}
			if fact.Value != TruthYes {
				for _, a := range decided {
					fact.Evidence = append(fact.Evidence, evidence(a))
				}
			}
			return fact
		},
	}
}

func dependent(name, parent, id, rule string, field func(*Facts) *Fact) factRule {
	return factRule{
		def:   FactDefinition{Name: name, Questions: []string{parent, id}, Rule: fmt.Sprintf("%s decides: %s; not applicable when %s is No or N/A", id, rule, parent)},
		field: field,
		eval: func(f *Form, d FactDefinition) Fact {
			if a := f.Answer(parent); a.Value == ValueNo || a.Value == ValueNA {
				return Fact{Name: d.Name, Value: TruthNA, Questions: d.Questions, Evidence: []Evidence{evidence(a)}, Note: parent + " is " + a.Raw}
			}
			return evalSingle(f, d, id)
		},
	}
}

func evalVendorPatchesOnly(f *Form, d FactDefinition) Fact {
	fact := Fact{Name: d.Name, Questions: d.Questions}
	if a := f.Answer("CSUP-1"); a.Value == ValueNo || a.Value == ValueNA {
		fact.Value, fact.Evidence, fact.Note = TruthNA, []Evidence{evidence(a)}, "CSUP-1 says the device needs no security updates"
		return fact
	}
	var present, vendor []Answer
	var undecided []Answer
	for _, class := range []string{"CSUP-2", "CSUP-3", "CSUP-4", "CSUP-5", "CSUP-6"} {
		c := f.Answer(class)
		switch c.Value {
		case ValueNo, ValueNA:
			continue
		case ValueYes:
		default:
			undecided = append(undecided, c)
			continue
		}
		present = append(present, c)
		owner, needsVendor := f.Answer(class+".1"), f.Answer(class+".2")
		if owner.Value == ValueYes {
			fact.Value = TruthNo
			fact.Evidence = []Evidence{evidence(c), evidence(owner)}
			fact.Note = "the owner may install updates for " + componentClass[class]
			return fact
		}
		switch needsVendor.Value {
		case ValueYes:
			vendor = append(vendor, c, needsVendor)
		case ValueNo:
			fact.Value = TruthNo
			fact.Evidence = []Evidence{evidence(c), evidence(needsVendor)}
			fact.Note = "updates for " + componentClass[class] + " do not need the manufacturer's service"
			return fact
		default:
			undecided = append(undecided, needsVendor)
		}
	}
	switch {
	case len(undecided) > 0:
		return unknown(fact, undecided...)
	case len(present) == 0:
		fact.Value, fact.Note = TruthNA, "CSUP-2…6 name no component that needs updates"
		return fact
	}
	fact.Value = TruthYes
	for _, a := range vendor {
		fact.Evidence = append(fact.Evidence, evidence(a))
	}
	return fact
}

var componentClass = map[string]string{
	"CSUP-2": "the operating system", "CSUP-3": "drivers and firmware", "CSUP-4": "the anti-malware",
	"CSUP-5": "other off-the-shelf components", "CSUP-6": "other software",
}
