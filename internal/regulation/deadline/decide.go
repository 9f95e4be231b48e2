package deadline

import (
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/goccy/go-yaml"
)

// Question is one guided question of the incident decision, as written in data/questions.yaml.
type Question struct {
	ID      string   `yaml:"id" json:"id"`
	Text    string   `yaml:"text" json:"text"`
	Help    string   `yaml:"help" json:"help,omitempty"`
	Ref     string   `yaml:"ref" json:"ref"`
	Answers []string `yaml:"answers" json:"answers"` // allowed answer ids; "unknown" is always among them
}

// QuestionSet is the versioned list of questions.
type QuestionSet struct {
	Version   string     `yaml:"version" json:"version"`
	Sources   []string   `yaml:"sources" json:"sources"`
	Questions []Question `yaml:"questions" json:"questions"`
}

//go:embed data/questions.yaml
var questionsYAML []byte

// questions is loaded on first use, not at program start (every command, vigil scan included, would pay for it).
var questions = sync.OnceValue(func() QuestionSet { return mustLoadQuestions(questionsYAML) })

func mustLoadQuestions(b []byte) QuestionSet {
	var qs QuestionSet
	if err := yaml.UnmarshalWithOptions(b, &qs, yaml.DisallowUnknownField()); err != nil {
		panic("deadline: embedded data/questions.yaml: " + err.Error())
	}
	seen := map[string]bool{}
	for i, q := range qs.Questions {
		if q.ID == "" || seen[q.ID] || q.Text == "" || q.Ref == "" || !slices.Contains(q.Answers, Unknown) {
			panic(fmt.Sprintf("deadline: embedded data/questions.yaml: questions[%d] (%s): id, text, ref and an 'unknown' answer are required, ids unique", i, q.ID))
		}
		seen[q.ID] = true
	}
	return qs
}

// Questions returns a copy of the guided questions in display order.
func Questions() QuestionSet {
	qs := questions()
	qs.Sources = slices.Clone(questions().Sources)
	qs.Questions = slices.Clone(questions().Questions)
	return qs
}

// Answers maps question id to answer id (see Questions). A missing answer counts as "unknown".
type Answers map[string]string

// Answer ids shared by the yes/no questions.
const (
	Yes     = "yes"
	No      = "no"
	Unknown = "unknown"
)

// Validate reports answers to unknown questions and answers a question does not allow.
func (a Answers) Validate() error {
	var errs []error
	ids := make([]string, 0, len(a))
	for id := range a {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		q, ok := question(id)
		if !ok {
			errs = append(errs, fmt.Errorf("answers[%q]: unknown question", id))
			continue
		}
		if !slices.Contains(q.Answers, a[id]) {
			errs = append(errs, fmt.Errorf("answers[%q]: %q is not one of %v", id, a[id], q.Answers))
		}
	}
	return errors.Join(errs...)
}

func question(id string) (Question, bool) {
	for _, q := range questions().Questions {
		if q.ID == id {
			return q, true
		}
	}
	return Question{}, false
}

func (a Answers) get(id string) string {
	if v, ok := a[id]; ok && v != "" {
		return v
	}
	return Unknown
}

// Reason is one step of a decision with its legal reference.
type Reason struct {
	Ref  string `json:"ref"`
	Text string `json:"text"`
}

// Decision says whether one regime applies to the incident and why.
type Decision struct {
	Regime  Regime `json:"regime"`
	Applies bool   `json:"applies"`
	// Provisional is true when the regime applies only because an answer is still unknown.
	Provisional bool     `json:"provisional,omitempty"`
	Reasons     []Reason `json:"reasons"`
	// Also lists related duties without a clock of their own (inform data subjects, document the breach …).
	Also []Reason `json:"also,omitempty"`
}

// CRAReportingFrom is the date from which CRA Art 14 applies (CRA Art 71(2)).
var CRAReportingFrom = time.Date(2026, time.September, 11, 0, 0, 0, 0, time.UTC)

// Decide returns one Decision per regime in AllRegimes order. It is DecideAt without an awareness time,
// so the CRA application date is not checked.
func Decide(a Answers) []Decision { return DecideAt(a, time.Time{}) }

// DecideAt is Decide for an incident the organisation became aware of at aware: CRA regimes do not apply
// to awareness before CRAReportingFrom (compared as a UTC date). A zero aware skips that check.
func DecideAt(a Answers, aware time.Time) []Decision {
	out := []Decision{decideNIS2(a), decideGDPR(a)}
	out = append(out, decideMDR(a)...)
	out = append(out, decideCRA(a, aware)...)
	return out
}

// Applicable returns the regimes of the decisions that apply (provisional ones included), for Compute.
func Applicable(ds []Decision) []Regime {
	var rs []Regime
	for _, d := range ds {
		if d.Applies {
			rs = append(rs, d.Regime)
		}
	}
	return rs
}

func decideNIS2(a Answers) Decision {
	d := Decision{Regime: NIS2}
	entity := a.get("nis2.entity")
	sev, dmg := a.get("nis2.severe-disruption"), a.get("nis2.damage-to-others")
	sig := Unknown
	switch {
	case sev == Yes || dmg == Yes:
		sig = Yes
	case sev == No && dmg == No:
		sig = No
	}
	switch entity {
	case No:
		d.Reasons = append(d.Reasons, Reason{"NIS2 Art 3, 23(1)", "The organisation is neither an essential nor an important entity, so Art 23 reporting does not bind it."})
		d.Also = append(d.Also, Reason{"NIS2 Art 30", "Voluntary notification of incidents, cyber threats and near misses to the CSIRT or competent authority is possible."})
		return d
	case Unknown:
		d.Reasons = append(d.Reasons, Reason{"NIS2 Art 2, 3", "Whether the organisation is an essential or important entity is not yet known; run the scope check."})
	default:
		d.Reasons = append(d.Reasons, Reason{"NIS2 Art 3", "The organisation is an " + entity + " entity."})
	}
	switch sig {
	case Yes:
		if sev == Yes {
			d.Reasons = append(d.Reasons, Reason{"NIS2 Art 23(3)(a)", "The incident caused or can cause severe operational disruption of the services or financial loss: it is significant."})
		}
		if dmg == Yes {
			d.Reasons = append(d.Reasons, Reason{"NIS2 Art 23(3)(b)", "The incident affected or can affect others through considerable material or non-material damage: it is significant."})
		}
	case No:
		d.Reasons = append(d.Reasons, Reason{"NIS2 Art 23(3)", "Neither severe disruption or financial loss nor considerable damage to others: the incident is not significant."})
		d.Also = append(d.Also, Reason{"NIS2 Art 30", "Voluntary notification remains possible."})
		return d
	default:
		d.Reasons = append(d.Reasons, Reason{"NIS2 Art 23(3)", "Significance is not yet assessed; the clocks are shown provisionally from awareness."})
	}
	d.Applies = true
	d.Provisional = entity == Unknown || sig == Unknown
	d.Reasons = append(d.Reasons, Reason{"NIS2 Art 23(1), 23(4)", "Report to the CSIRT or competent authority: early warning within 24 hours, notification within 72 hours, final report within one month of the notification."})
	d.Also = append(d.Also,
		Reason{"NIS2 Art 23(1)", "Inform the recipients of the services who are likely to be affected, where appropriate, without undue delay."},
		Reason{"NIS2 Art 23(4)(c)", "Provide an intermediate report when the CSIRT or competent authority asks for one."},
	)
	return d
}

func decideGDPR(a Answers) Decision {
	d := Decision{Regime: GDPR}
	pd := a.get("gdpr.personal-data")
	if pd == No {
		d.Reasons = append(d.Reasons, Reason{"GDPR Art 4(12)", "No personal data breach."})
		return d
	}
	if pd == Yes {
		d.Reasons = append(d.Reasons, Reason{"GDPR Art 4(12)", "Personal data were affected: this is a personal data breach."})
	} else {
		d.Reasons = append(d.Reasons, Reason{"GDPR Art 4(12)", "Whether personal data were affected is not yet known."})
	}
	d.Also = append(d.Also, Reason{"GDPR Art 33(5)", "Document the breach, its effects and the remedial action, whether or not it is notified."})
	switch a.get("gdpr.controller") {
	case No:
		d.Reasons = append(d.Reasons, Reason{"GDPR Art 33(2)", "The organisation is a processor: it notifies the controller without undue delay; the controller notifies the supervisory authority."})
		return d
	case Unknown:
		d.Reasons = append(d.Reasons, Reason{"GDPR Art 33(1)-(2)", "Whether the organisation is controller or processor is not yet settled; shown as controller."})
		d.Provisional = true
	}
	switch a.get("gdpr.risk") {
	case No:
		d.Reasons = append(d.Reasons, Reason{"GDPR Art 33(1)", "The breach is unlikely to result in a risk to natural persons: no notification to the supervisory authority (record the reasoning)."})
		return d
	case Yes:
		d.Reasons = append(d.Reasons, Reason{"GDPR Art 33(1)", "The breach is likely to result in a risk to natural persons: notify the supervisory authority within 72 hours where feasible."})
	default:
		d.Reasons = append(d.Reasons, Reason{"GDPR Art 33(1)", "The risk to natural persons is not yet assessed; the 72-hour clock is shown provisionally."})
		d.Provisional = true
	}
	if pd == Unknown {
		d.Provisional = true
	}
	d.Applies = true
	switch a.get("gdpr.high-risk") {
	case Yes:
		d.Also = append(d.Also, Reason{"GDPR Art 34(1)-(3)", "High risk: communicate the breach to the people concerned without undue delay, unless an Art 34(3) exception applies (e.g. the data were encrypted)."})
	case Unknown:
		d.Also = append(d.Also, Reason{"GDPR Art 34(1)", "Assess whether the risk is high; if so, the people concerned must be told without undue delay."})
	}
	return d
}

func decideMDR(a Answers) []Decision {
	std, death, pht, user := Decision{Regime: MDRStandard}, Decision{Regime: MDRDeath}, Decision{Regime: MDRPublicHealth}, Decision{Regime: MDRUser}
	all := func() []Decision { return []Decision{std, death, pht, user} }
	dev := a.get("mdr.device-involved")
	if dev == No {
		r := Reason{"MDR Art 2(64)", "No medical device or IVD is involved."}
		for _, d := range []*Decision{&std, &death, &pht, &user} {
			d.Reasons = append(d.Reasons, r)
		}
		return all()
	}
	devReason := Reason{"MDR Art 2(64); MDCG 2019-16 §5.2", "A medical device or IVD is involved; cyber-caused serious incidents follow MDR Art 87 / IVDR Art 82."}
	if dev == Unknown {
		devReason = Reason{"MDR Art 2(64)", "Whether a medical device or IVD is involved is not yet known."}
	}
	ser := a.get("mdr.seriousness")
	mfr := a.get("mdr.manufacturer")
	provisional := dev == Unknown || ser == Unknown

	// The manufacturer's regimes.
	for _, d := range []*Decision{&std, &death, &pht} {
		d.Reasons = append(d.Reasons, devReason)
	}
	if mfr == No {
		for _, d := range []*Decision{&std, &death, &pht} {
			d.Reasons = append(d.Reasons, Reason{"MDR Art 87(1)", "The organisation is not the manufacturer; the manufacturer reports serious incidents."})
		}
	} else {
		mfrProv := provisional || mfr == Unknown
		if mfr == Unknown {
			for _, d := range []*Decision{&std, &death, &pht} {
				d.Reasons = append(d.Reasons, Reason{"MDR Art 87(1)", "Whether the organisation is the manufacturer is not settled; the manufacturer's clock is shown provisionally."})
			}
		}
		switch ser {
		case "death-or-serious-deterioration":
			death.Applies, death.Provisional = true, mfrProv
			death.Reasons = append(death.Reasons, Reason{"MDR Art 87(5)", "Death or an unanticipated serious deterioration of health: report immediately, and not later than 10 days after becoming aware."})
			std.Reasons = append(std.Reasons, Reason{"MDR Art 87(5)", "Superseded by the 10-day report for death or serious deterioration."})
			pht.Reasons = append(pht.Reasons, Reason{"MDR Art 2(66)", "No serious public health threat reported."})
		case "public-health-threat":
			pht.Applies, pht.Provisional = true, mfrProv
			pht.Reasons = append(pht.Reasons, Reason{"MDR Art 87(4)", "Serious public health threat: report immediately, and not later than 2 days after becoming aware."})
			std.Reasons = append(std.Reasons, Reason{"MDR Art 87(4)", "Superseded by the 2-day report for a serious public health threat."})
			death.Reasons = append(death.Reasons, Reason{"MDR Art 87(5)", "No death or serious deterioration reported."})
		case "other-serious", Unknown:
			std.Applies, std.Provisional = true, mfrProv
			if ser == Unknown {
				std.Reasons = append(std.Reasons, Reason{"MDR Art 87(3), 87(7)", "Seriousness not yet assessed; when it is unclear whether an incident is reportable, report anyway. The 15-day clock is shown; choose death or public health threat if either is suspected (10 or 2 days)."})
			} else {
				std.Reasons = append(std.Reasons, Reason{"MDR Art 87(3)", "Serious incident: report immediately after establishing a (reasonably possible) causal relationship, and not later than 15 days after becoming aware."})
			}
			death.Reasons = append(death.Reasons, Reason{"MDR Art 87(5)", "No death or serious deterioration reported."})
			pht.Reasons = append(pht.Reasons, Reason{"MDR Art 87(4)", "No serious public health threat reported."})
		case "not-serious":
			r := Reason{"MDR Art 87(1)(a), 88", "Not a serious incident: no individual report; non-serious incidents feed trend reporting (Art 88)."}
			for _, d := range []*Decision{&std, &death, &pht} {
				d.Reasons = append(d.Reasons, r)
			}
		}
	}

	// The user's (hospital's) side.
	user.Reasons = append(user.Reasons, devReason)
	if mfr == Yes {
		user.Reasons = append(user.Reasons, Reason{"MDR Art 87(1)", "The organisation is the manufacturer; its own vigilance regime applies."})
		return all()
	}
	user.Applies = true
	user.Provisional = dev == Unknown || mfr == Unknown
	user.Reasons = append(user.Reasons, Reason{"MDCG 2019-16 §2.6.2", "As operator, tell the manufacturer about the suspected security event without delay."})
	if ser == "not-serious" {
		user.Reasons = append(user.Reasons, Reason{"MDR Art 87(10)-(11)", "Not serious: no report to the competent authority is expected; hcp.report can be closed."})
	} else {
		user.Reasons = append(user.Reasons, Reason{"MDR Art 87(10)-(11) and national law", "Report the suspected serious incident to the competent authority and the manufacturer as national law requires."})
	}
	return all()
}

func decideCRA(a Answers, aware time.Time) []Decision {
	vuln, inc := Decision{Regime: CRAVuln}, Decision{Regime: CRAIncident}
	own := a.get("cra.own-product")
	if own == No {
		r := Reason{"CRA Art 14(1), 14(3)", "No product with digital elements manufactured by the organisation (outside MDR/IVDR) is affected; CRA reporting is the manufacturer's duty."}
		vuln.Reasons = append(vuln.Reasons, r)
		inc.Reasons = append(inc.Reasons, r)
		return []Decision{vuln, inc}
	}
	if !aware.IsZero() && aware.UTC().Before(CRAReportingFrom) {
		r := Reason{"CRA Art 71(2)", "CRA Art 14 applies from 11 September 2026; the organisation became aware before that date."}
		vuln.Reasons = append(vuln.Reasons, r)
		inc.Reasons = append(inc.Reasons, r)
		return []Decision{vuln, inc}
	}
	ownReason := Reason{"CRA Art 2(1)-(2), 14", "A product with digital elements that the organisation manufactures, outside MDR/IVDR, is affected."}
	if own == Unknown {
		ownReason = Reason{"CRA Art 2(2)", "Whether the organisation's own product outside MDR/IVDR is affected is not yet known."}
	}
	vuln.Reasons = append(vuln.Reasons, ownReason)
	inc.Reasons = append(inc.Reasons, ownReason)
	switch a.get("cra.exploited-vulnerability") {
	case Yes:
		vuln.Applies, vuln.Provisional = true, own == Unknown
		vuln.Reasons = append(vuln.Reasons, Reason{"CRA Art 14(1)-(2)", "An actively exploited vulnerability: early warning within 24 hours, notification within 72 hours, final report within 14 days of a fix, to the coordinating CSIRT and ENISA."})
	case Unknown:
		vuln.Applies, vuln.Provisional = true, true
		vuln.Reasons = append(vuln.Reasons, Reason{"CRA Art 14(1)", "Whether a vulnerability is actively exploited is not yet known; the clocks are shown provisionally. The trigger is evidence of exploitation, not severity."})
	default:
		vuln.Reasons = append(vuln.Reasons, Reason{"CRA Art 14(1)", "No evidence of active exploitation; handle the vulnerability under Art 13 and Annex I Part II."})
	}
	switch a.get("cra.severe-incident") {
	case Yes:
		inc.Applies, inc.Provisional = true, own == Unknown
		inc.Reasons = append(inc.Reasons, Reason{"CRA Art 14(3)-(5)", "A severe incident having an impact on the security of the product: early warning within 24 hours, notification within 72 hours, final report within one month of the notification."})
	case Unknown:
		inc.Applies, inc.Provisional = true, true
		inc.Reasons = append(inc.Reasons, Reason{"CRA Art 14(5)", "Whether the incident is severe is not yet known; the clocks are shown provisionally."})
	default:
		inc.Reasons = append(inc.Reasons, Reason{"CRA Art 14(5)", "Not a severe incident within Art 14(5)."})
	}
	if vuln.Applies || inc.Applies {
		also := Reason{"CRA Art 14(8)", "Inform the impacted users, and where appropriate all users, of the vulnerability or incident and of mitigations they can take."}
		if vuln.Applies {
			vuln.Also = append(vuln.Also, also)
		}
		if inc.Applies {
			inc.Also = append(inc.Also, also)
		}
	}
	return []Decision{vuln, inc}
}
