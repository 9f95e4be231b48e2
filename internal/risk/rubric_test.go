package risk

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRubricQuestionsConsistent(t *testing.T) {
	seen := map[string]bool{}
	firsts := map[string]int{}
	for _, q := range RubricQuestions() {
		if seen[q.ID] {
			t.Errorf("question %s defined twice", q.ID)
		}
		seen[q.ID] = true
		if q.First {
			firsts[q.Metric]++
		}
		if len(q.Outcomes) < 2 {
			t.Errorf("%s: fewer than two outcomes", q.ID)
		}
		for _, o := range q.Outcomes {
			if (o.Next == "") == (o.Value == "") {
				t.Errorf("%s/%s: exactly one of Next and Value must be set", q.ID, o.Answer)
			}
			if o.Next != "" {
				n, ok := rubricIndex[o.Next]
				if !ok {
					t.Errorf("%s/%s: next question %s does not exist", q.ID, o.Answer, o.Next)
				} else if n.Metric != q.Metric {
					t.Errorf("%s/%s: next question %s belongs to metric %s", q.ID, o.Answer, o.Next, n.Metric)
				}
			}
			if o.Value != "" && !contains(v31Def.metrics[v31Def.index(q.Metric)].values, o.Value) {
				t.Errorf("%s/%s: %s is not a value of %s", q.ID, o.Answer, o.Value, q.Metric)
			}
		}
	}
	want := map[string]int{"AV": 1, "AC": 1, "PR": 1, "UI": 1, "S": 1, "C": 6, "I": 6, "A": 6}
	if diff := cmp.Diff(want, firsts); diff != "" {
		t.Errorf("flows per metric (-want +got)\n%s", diff)
	}
}

func TestEvaluateRubric(t *testing.T) {
	tests := []struct {
		name    string
		answers RubricAnswers
		metrics map[string]string
		notes   []string
	}{
		{"IP network", RubricAnswers{"XAVN": AnswerYes, "XAVT": AnswerYes}, map[string]string{"AV": "N"}, nil},
		{"long-range wireless", RubricAnswers{"XAVN": AnswerYes, "XAVT": AnswerNo, "XAVW": AnswerYes, "XAVR": AnswerNo}, map[string]string{"AV": "A"}, nil},
		{"short-range wireless", RubricAnswers{"XAVN": AnswerYes, "XAVT": AnswerNo, "XAVW": AnswerYes, "XAVR": AnswerYes}, map[string]string{"AV": "L"}, nil},
		{"USB port", RubricAnswers{"XAVN": AnswerNo, "XAVP": AnswerYes, "XAVPA": AnswerNo}, map[string]string{"AV": "P"}, nil},
		{"unknown protocol is network", RubricAnswers{"XAVN": AnswerUnknown}, map[string]string{"AV": "N"}, nil},
		{"service login", RubricAnswers{"XPRL": AnswerYes, "XPRZ": AnswerYes, "XPRS": AnswerYes}, map[string]string{"PR": "H"}, nil},
		{"few patients' data", RubricAnswers{"XCP": AnswerYes, "XCPM": AnswerNo}, map[string]string{"C": "L"}, nil},
		{"highest impact wins", RubricAnswers{"XCP": AnswerYes, "XCPM": AnswerNo, "XCS": AnswerYes, "XIT": AnswerYes, "XAW": AnswerNo},
			map[string]string{"C": "H", "I": "H", "A": "N"}, nil},
		{"unfinished flow", RubricAnswers{"XAVN": AnswerYes, "XUI": AnswerNo}, map[string]string{"UI": "N"},
			[]string{"AV left unchanged: question XAVT (Does that communication use a routable OSI layer 3/4 protocol such as IP, TCP or UDP?) is not answered"}},
		{"follow-up without start", RubricAnswers{"XAVT": AnswerYes}, map[string]string{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EvaluateRubric(tt.answers)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.metrics, got.Metrics); diff != "" {
				t.Errorf("metrics (-want +got)\n%s", diff)
			}
			if diff := cmp.Diff(tt.notes, got.Notes); diff != "" {
				t.Errorf("notes (-want +got)\n%s", diff)
			}
		})
	}
}

func TestEvaluateRubricErrors(t *testing.T) {
	for _, tt := range []struct {
		answers RubricAnswers
		want    string
	}{
		{RubricAnswers{"XQQ": AnswerYes}, `rubric: unknown question "XQQ"`},
		{RubricAnswers{"XAVW": AnswerUnknown}, `rubric: question XAVW: answer "unknown" not allowed (allowed: yes, no)`},
		{RubricAnswers{"XUI": "maybe"}, `rubric: question XUI: answer "maybe" not allowed (allowed: yes, no)`},
	} {
		_, err := EvaluateRubric(tt.answers)
		if err == nil || err.Error() != tt.want {
			t.Errorf("EvaluateRubric(%v) error = %v, want %s", tt.answers, err, tt.want)
		}
	}
}

func TestRubricModifications(t *testing.T) {
	r, err := EvaluateRubric(RubricAnswers{
		"XAVN": AnswerYes, "XAVT": AnswerNo, "XAVW": AnswerYes, "XAVR": AnswerNo, // AV:A
		"XUI": AnswerYes, // UI:R
		"XS":  AnswerYes, // S:C
		"XIT": AnswerYes, "XCP": AnswerNo, "XAD": AnswerYes,
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		v     CVSSVersion
		mods  map[string]string
		notes []string
	}{
		{CVSSv31, map[string]string{"MAV": "A", "MUI": "R", "MS": "C", "MC": "N", "MI": "H", "MA": "H"}, nil},
		{CVSSv40, map[string]string{"MAV": "A", "MUI": "P", "MVC": "N", "MVI": "H", "MVA": "H", "MSC": "N", "MSI": "H", "MSA": "H"}, nil},
		{CVSSv2, map[string]string{}, []string{"CVSS 2.0 has no modified base metrics, so the rubric answers could not be applied to this vector"}},
	}
	for _, tt := range tests {
		mods, notes := r.Modifications(tt.v)
		if diff := cmp.Diff(tt.mods, mods); diff != "" {
			t.Errorf("%s mods (-want +got)\n%s", tt.v, diff)
		}
		if diff := cmp.Diff(tt.notes, notes); diff != "" {
			t.Errorf("%s notes (-want +got)\n%s", tt.v, diff)
		}
	}
}
