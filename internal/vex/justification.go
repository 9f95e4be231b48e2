package vex

// CycloneDX analysis states and justifications are mapped onto the OpenVEX vocabulary of this package as
// follows (the same mapping CISA's "Minimum Requirements for VEX" and common converters use).
//
//	CycloneDX analysis.state   Status
//	resolved                   fixed
//	resolved_with_pedigree     fixed
//	exploitable                affected
//	in_triage                  under_investigation
//	not_affected               not_affected
//	false_positive             not_affected (impact statement "false positive")
//	(no analysis)              affected: the vulnerability is listed as affecting the component
//
//	CycloneDX justification          Justification
//	code_not_present                 vulnerable_code_not_present
//	code_not_reachable               vulnerable_code_not_in_execute_path
//	requires_configuration           vulnerable_code_cannot_be_controlled_by_adversary
//	requires_dependency              component_not_present
//	requires_environment             vulnerable_code_cannot_be_controlled_by_adversary
//	protected_by_compiler            inline_mitigations_already_exist
//	protected_at_runtime             inline_mitigations_already_exist
//	protected_at_perimeter           inline_mitigations_already_exist
//	protected_by_mitigating_control  inline_mitigations_already_exist
//
// The mapping loses detail (several CycloneDX justifications share one OpenVEX value); DecodeCycloneDX keeps
// the original value in the impact statement ("[requires_environment] …") so that nothing is lost.
// EncodeCycloneDX maps back with
//
//	Justification                                      CycloneDX justification
//	component_not_present                              requires_dependency
//	vulnerable_code_not_present                        code_not_present
//	vulnerable_code_not_in_execute_path                code_not_reachable
//	vulnerable_code_cannot_be_controlled_by_adversary  requires_environment
//	inline_mitigations_already_exist                   protected_by_mitigating_control
//
// unless the impact statement names the original CycloneDX value, which is then used.
var cdxJustifications = map[string]Justification{
	"code_not_present":                VulnerableCodeNotPresent,
	"code_not_reachable":              VulnerableCodeNotInExecutePath,
	"requires_configuration":          VulnerableCodeCannotBeControlledByAdversary,
	"requires_dependency":             ComponentNotPresent,
	"requires_environment":            VulnerableCodeCannotBeControlledByAdversary,
	"protected_by_compiler":           InlineMitigationsAlreadyExist,
	"protected_at_runtime":            InlineMitigationsAlreadyExist,
	"protected_at_perimeter":          InlineMitigationsAlreadyExist,
	"protected_by_mitigating_control": InlineMitigationsAlreadyExist,
}

var toCDXJustification = map[Justification]string{
	ComponentNotPresent:                         "requires_dependency",
	VulnerableCodeNotPresent:                    "code_not_present",
	VulnerableCodeNotInExecutePath:              "code_not_reachable",
	VulnerableCodeCannotBeControlledByAdversary: "requires_environment",
	InlineMitigationsAlreadyExist:               "protected_by_mitigating_control",
}

var cdxStates = map[string]Status{
	"resolved":               Fixed,
	"resolved_with_pedigree": Fixed,
	"exploitable":            Affected,
	"in_triage":              UnderInvestigation,
	"not_affected":           NotAffected,
	"false_positive":         NotAffected,
}

var toCDXState = map[Status]string{
	Fixed:              "resolved",
	Affected:           "exploitable",
	UnderInvestigation: "in_triage",
	NotAffected:        "not_affected",
}

// MapCycloneDXJustification returns the OpenVEX justification for a CycloneDX analysis justification, and
// false for an unknown one.
func MapCycloneDXJustification(j string) (Justification, bool) {
	v, ok := cdxJustifications[j]
	return v, ok
}

// MapCycloneDXState returns the status for a CycloneDX analysis state, and false for an unknown one.
func MapCycloneDXState(state string) (Status, bool) {
	v, ok := cdxStates[state]
	return v, ok
}

// ValidStatus reports whether s is one of the four statuses.
func ValidStatus(s Status) bool {
	switch s {
	case NotAffected, Affected, Fixed, UnderInvestigation:
		return true
	}
	return false
}

// ValidJustification reports whether j is one of the five OpenVEX justifications.
func ValidJustification(j Justification) bool {
	_, ok := toCDXJustification[j]
	return ok
}
