package risk

import "testing"

// BenchmarkScoreFinding scores journey 3's CT workstation finding with three controls and rubric
// answers: the per-finding cost when a fleet is re-scored.
func BenchmarkScoreFinding(b *testing.B) {
	s := mustScorer(b)
	d := ctWorkstation()
	d.Controls = controls(asOf)
	f := blueKeepFinding()
	f.Rubric = RubricAnswers{"XAVN": AnswerYes, "XAVT": AnswerYes, "XCP": AnswerYes, "XCPM": AnswerNo}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.ScoreFinding(f, d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseCVSS(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseCVSS(blueKeep); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkScoreFindingPlain(b *testing.B) {
	s := mustScorer(b)
	d := ctWorkstation()
	f := blueKeepFinding()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.ScoreFinding(f, d); err != nil {
			b.Fatal(err)
		}
	}
}
