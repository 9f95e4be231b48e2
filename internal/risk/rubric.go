package risk

import (
	"fmt"
	"slices"
	"strings"
)

// The questions below follow the decision flows of MITRE's "Rubric for Applying CVSS to Medical
// Devices" (Chase and Christey Coley, 2019/2020; qualified by the FDA as a Medical Device Development
// Tool in October 2020). The rubric walks an analyst through a short yes/no flow per CVSS v3 base
// metric, plus impact questions grouped by the kind of clinical data or function at stake. The
// question identifiers (XAVN, XCP, …) are the rubric's; the wording is our paraphrase, not the
// rubric's text. Vigil lets the hospital answer the questions for its own deployment and applies the
// outcome as CVSS *modified* (environmental) metrics, so the manufacturer's base vector stays intact
// and the adjustment is visible in the scored vector.

// Answer is a rubric answer.
type Answer string

// Rubric answers. AnswerUnknown is allowed where the rubric gives a conservative default.
const (
	AnswerYes     Answer = "yes"
	AnswerNo      Answer = "no"
	AnswerUnknown Answer = "unknown"
)

// RubricQuestion is one question of a rubric decision flow.
type RubricQuestion struct {
	ID     string // the rubric's identifier, e.g. "XAVN"
	Metric string // the CVSS v3 base metric the flow decides: AV, AC, PR, UI, S, C, I or A
	First  bool   // true for the question a metric's flow starts with
	Topic  string // for impact questions: the kind of data or function (e.g. "therapy delivery")
	Text   string // the question, paraphrased
	// Outcomes maps each allowed answer to what follows it.
	Outcomes []RubricOutcome
}

// RubricOutcome is what an answer leads to: another question (Next) or a metric value (Value).
type RubricOutcome struct {
	Answer Answer
	Next   string // the next question's ID; "" when Value decides the metric
	Value  string // the CVSS v3 metric value decided, e.g. "N"; "" when Next is set
}

func yesNo(yes, no RubricOutcome) []RubricOutcome {
	yes.Answer, no.Answer = AnswerYes, AnswerNo
	return []RubricOutcome{yes, no}
}

func yesNoUnknown(yes, no, unknown RubricOutcome) []RubricOutcome {
	unknown.Answer = AnswerUnknown
	return append(yesNo(yes, no), unknown)
}

func next(id string) RubricOutcome { return RubricOutcome{Next: id} }
func value(v string) RubricOutcome { return RubricOutcome{Value: v} }
func impactQ(id, metric, topic, text string, first bool) RubricQuestion {
	return RubricQuestion{ID: id, Metric: metric, Topic: topic, Text: text, First: first,
		Outcomes: yesNoUnknown(value("H"), value("N"), value("H"))}
}

// impactTopics are the rubric's six kinds of data or function, in its order, with the suffix
// letter of their question IDs.
var impactTopics = []struct{ letter, topic string }{
	{"P", "PHI/PII (patient or personal data)"},
	{"D", "diagnosis or monitoring"},
	{"T", "therapy delivery"},
	{"W", "clinical workflow"},
	{"S", "system or user secrets (passwords, keys)"},
	{"O", "other critical or sensitive data or function"},
}

// RubricQuestions returns the rubric as data, flows in CVSS metric order. The slice is a fresh copy.
func RubricQuestions() []RubricQuestion {
	out := make([]RubricQuestion, len(rubricList))
	for i, q := range rubricList {
		q.Outcomes = append([]RubricOutcome(nil), q.Outcomes...)
		out[i] = q
	}
	return out
}

var rubricList = buildRubric()

func buildRubric() []RubricQuestion {
	qs := []RubricQuestion{
		{ID: "XAVN", Metric: "AV", First: true, Text: "Is the vulnerability exploited through a network or some other communication protocol?",
			Outcomes: yesNoUnknown(next("XAVT"), next("XAVP"), value("N"))},
		{ID: "XAVT", Metric: "AV", Text: "Does that communication use a routable OSI layer 3/4 protocol such as IP, TCP or UDP?",
			Outcomes: yesNoUnknown(value("N"), next("XAVW"), value("N"))},
		{ID: "XAVW", Metric: "AV", Text: "Does the communication go over a wireless channel?",
			Outcomes: yesNo(next("XAVR"), value("L"))},
		{ID: "XAVR", Metric: "AV", Text: "Is the wireless range about 3 metres (10 feet) or less?",
			Outcomes: yesNoUnknown(value("L"), value("A"), value("A"))},
		{ID: "XAVP", Metric: "AV", Text: "Must the attacker touch the device physically?",
			Outcomes: yesNo(next("XAVPA"), value("L"))},
		{ID: "XAVPA", Metric: "AV", Text: "Is the attack made through an interface meant for manual operation by the device's users?",
			Outcomes: yesNo(value("P"), value("P"))},
		{ID: "XACL", Metric: "AC", First: true, Text: "Can the attacker try the exploit at will, without special conditions, configuration or a prior attack?",
			Outcomes: yesNo(value("L"), value("H"))},
		{ID: "XPRL", Metric: "PR", First: true, Text: "Does the affected component have logins for several users or roles with different privileges?",
			Outcomes: yesNo(next("XPRZ"), value("N"))},
		{ID: "XPRZ", Metric: "PR", Text: "Must the attacker already be authorised on the affected component before attempting the exploit?",
			Outcomes: yesNo(next("XPRS"), value("N"))},
		{ID: "XPRS", Metric: "PR", Text: "Must that authorisation be administrator, service or other system-level privilege?",
			Outcomes: yesNo(value("H"), value("L"))},
		{ID: "XUI", Metric: "UI", First: true, Text: "Does the exploit depend on another person (a user or victim) doing something?",
			Outcomes: yesNo(value("R"), value("N"))},
		{ID: "XS", Metric: "S", First: true, Text: "Can the exploit affect a component under a different authority than the vulnerable one (for example the patient or another system)?",
			Outcomes: yesNo(value("C"), value("U"))},
	}
	for _, t := range impactTopics {
		switch t.letter {
		case "P":
			qs = append(qs, RubricQuestion{ID: "XCP", Metric: "C", First: true, Topic: t.topic,
				Text:     "Can the attacker read patient or personal data (PHI/PII)?",
				Outcomes: yesNoUnknown(next("XCPM"), value("N"), next("XCPM"))},
				RubricQuestion{ID: "XCPM", Metric: "C", Topic: t.topic,
					Text:     "Could the exposed data cover many patients (about 500 or more), enough to trigger breach notification under GDPR or HIPAA?",
					Outcomes: yesNoUnknown(value("H"), value("L"), value("H"))})
		default:
			qs = append(qs, impactQ("XC"+t.letter, "C", t.topic, "Can the attacker read or expose "+t.topic+" data or function?", true))
		}
	}
	for _, t := range impactTopics {
		qs = append(qs, impactQ("XI"+t.letter, "I", t.topic, "Can the attacker modify or delete "+t.topic+" data or function?", true))
	}
	for _, t := range impactTopics {
		qs = append(qs, impactQ("XA"+t.letter, "A", t.topic, "Can the attacker make "+t.topic+" data or function unavailable?", true))
	}
	return qs
}

var rubricIndex = func() map[string]RubricQuestion {
	m := map[string]RubricQuestion{}
	for _, q := range rubricList {
		m[q.ID] = q
	}
	return m
}()

// rubricMetrics is the order in which flows are evaluated and reported.
var rubricMetrics = []string{"AV", "AC", "PR", "UI", "S", "C", "I", "A"}

// RubricAnswers maps question IDs to answers.
type RubricAnswers map[string]Answer

// RubricStep is one answered question on the path of a flow.
type RubricStep struct {
	Question string
	Answer   Answer
	Decides  string // the metric value this answer decided, "" when it led to another question
}

// RubricResult is the outcome of evaluating the rubric answers.
type RubricResult struct {
	// Metrics maps each decided CVSS v3 base metric (AV, AC, PR, UI, S, C, I, A) to its value.
	Metrics map[string]string
	// Paths lists, per decided metric in rubric order, the questions answered on the way.
	Paths map[string][]RubricStep
	// Notes explains flows that were started but not finished (those metrics are left unchanged).
	Notes []string
}

// EvaluateRubric walks the rubric's flows with the given answers. A metric whose first question is
// unanswered is not decided; a flow that stops at an unanswered question leaves its metric undecided
// and adds a note. Impact metrics (C, I, A) take the highest value over the topics answered. Unknown
// question IDs and answers a question does not allow are errors.
func EvaluateRubric(answers RubricAnswers) (RubricResult, error) {
	ids := make([]string, 0, len(answers))
	for id := range answers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		q, ok := rubricIndex[id]
		if !ok {
			return RubricResult{}, fmt.Errorf("rubric: unknown question %q", id)
		}
		if _, ok := q.outcome(answers[id]); !ok {
			return RubricResult{}, fmt.Errorf("rubric: question %s: answer %q not allowed (allowed: %s)", id, answers[id], q.allowed())
		}
	}
	res := RubricResult{Metrics: map[string]string{}, Paths: map[string][]RubricStep{}}
	for _, metric := range rubricMetrics {
		best := ""
		var all []RubricStep
		for _, q := range rubricList {
			if q.Metric != metric || !q.First {
				continue
			}
			if _, ok := answers[q.ID]; !ok {
				continue
			}
			v, path, note := walk(q.ID, answers)
			if note != "" {
				res.Notes = append(res.Notes, note)
				continue
			}
			all = append(all, path...)
			if best == "" || impactRank(v) > impactRank(best) {
				best = v
			}
		}
		if best != "" {
			res.Metrics[metric] = best
			res.Paths[metric] = all
		}
	}
	return res, nil
}

func walk(id string, answers RubricAnswers) (string, []RubricStep, string) {
	var path []RubricStep
	for range len(rubricIndex) {
		q := rubricIndex[id]
		a, ok := answers[id]
		if !ok {
			return "", nil, fmt.Sprintf("%s left unchanged: question %s (%s) is not answered", q.Metric, id, q.Text)
		}
		o, _ := q.outcome(a)
		if o.Next == "" {
			path = append(path, RubricStep{Question: id, Answer: a, Decides: o.Value})
			return o.Value, path, ""
		}
		path = append(path, RubricStep{Question: id, Answer: a})
		id = o.Next
	}
	return "", nil, "rubric flow does not terminate" // unreachable with the static table
}

// impactRank orders metric values so the most severe wins for C/I/A (H > L > N).
func impactRank(v string) int {
	switch v {
	case "H":
		return 3
	case "L":
		return 2
	case "N":
		return 1
	}
	return 0
}

func (q RubricQuestion) outcome(a Answer) (RubricOutcome, bool) {
	for _, o := range q.Outcomes {
		if o.Answer == a {
			return o, true
		}
	}
	return RubricOutcome{}, false
}

func (q RubricQuestion) allowed() string {
	var s []string
	for _, o := range q.Outcomes {
		s = append(s, string(o.Answer))
	}
	return strings.Join(s, ", ")
}

// Modifications translates the decided rubric metrics into modified (environmental) metrics of the
// given CVSS version, with a note for anything that cannot be expressed:
//   - v3.0/v3.1: AV→MAV, AC→MAC, PR→MPR, UI→MUI, S→MS, C→MC, I→MI, A→MA.
//   - v4.0: AV→MAV, AC→MAC, PR→MPR, UI N→MUI:N and R→MUI:P (the more severe of v4's two kinds of
//     required interaction), C/I/A→MVC/MVI/MVA; scope changed copies C/I/A to the subsequent-system
//     metrics MSC/MSI/MSA, scope unchanged sets them to N.
//   - v2.0 has no modified base metrics: nothing is applied and a note says so.
func (r RubricResult) Modifications(v CVSSVersion) (map[string]string, []string) {
	mods := map[string]string{}
	if len(r.Metrics) == 0 {
		return mods, nil
	}
	var notes []string
	switch v {
	case CVSSv30, CVSSv31:
		for m, val := range r.Metrics {
			mods["M"+m] = val
		}
	case CVSSv40:
		for m, val := range r.Metrics {
			switch m {
			case "AV", "AC", "PR":
				mods["M"+m] = val
			case "UI":
				if val == "R" {
					val = "P"
				}
				mods["MUI"] = val
			case "C", "I", "A":
				mods["MV"+m] = val
			}
		}
		if s, ok := r.Metrics["S"]; ok {
			for _, m := range []string{"C", "I", "A"} {
				val, ok := r.Metrics[m]
				if !ok {
					continue
				}
				if s == "U" {
					val = "N"
				}
				mods["MS"+m] = val
			}
		}
	case CVSSv2:
		notes = append(notes, "CVSS 2.0 has no modified base metrics, so the rubric answers could not be applied to this vector")
	}
	return mods, notes
}
