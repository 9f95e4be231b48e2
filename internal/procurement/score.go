package procurement

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/feeds/endoflife"
	"github.com/vigil-med/vigil/internal/mds2"
)

// Vendor is the evidence one vendor (bid) offers: any of an MDS2 form, an SBOM, questionnaire answers and
// a cloud assessment, plus the scores evaluators gave.
type Vendor struct {
	Name    string // the vendor (manufacturer) name shown in results
	Product string // the offered product, when known
	Source  string // where the evidence came from, e.g. the MDS2 file name
	MDS2    *mds2.Form
	SBOM    *SBOMEvidence
	Answers map[string]Answer    // questionnaire answers by criterion id
	Cloud   *CloudProfile        // cloud assessment (cloud criteria)
	Scores  map[string]Judgement // evaluator scores by criterion id; they take precedence over automatic ones
}

// Answer is a vendor's answer to one criterion in the returned questionnaire (domain.BidAnswer).
type Answer = domain.BidAnswer

// Judgement is an evaluator's score of one criterion.
type Judgement struct {
	Score     int       `json:"score"`
	Comment   string    `json:"comment"`
	Evaluator string    `json:"evaluator,omitempty"`
	At        time.Time `json:"at,omitzero"`
}

// Options are the inputs of an evaluation besides the catalogue and the vendors.
type Options struct {
	// AsOf is the day of the evaluation: support periods are counted from it, certificates checked against
	// it, end of life resolved for it. Required for deterministic results; zero means time.Now.
	AsOf time.Time
	// EOL is the endoflife.date catalog for the end-of-life check; nil means "end-of-life data not loaded"
	// (the check then leaves the criterion to the next rule or an evaluator).
	EOL *endoflife.Catalog
	// Vulns checks SBOM components for known vulnerabilities; nil means NoVulnData.
	Vulns VulnChecker
}

// Status of a criterion's score.
type Status string

// Statuses.
const (
	StatusAutomatic       Status = "automatic"        // decided by the evidence
	StatusEvaluated       Status = "evaluated"        // scored by an evaluator
	StatusNeedsEvaluation Status = "needs-evaluation" // waiting for an evaluator
	StatusNotApplicable   Status = "not-applicable"   // left out of the totals (e.g. no remote service at all)
)

// Evidence is one piece of evidence behind a score.
type Evidence struct {
	Source string `json:"source"`         // mds2, sbom, questionnaire, cloud, evaluator
	Ref    string `json:"ref"`            // MDS2 question id, NTIA element, questionnaire row, cloud field …
	Value  string `json:"value"`          // what the evidence says
	Note   string `json:"note,omitempty"` // the note an MDS2 answer refers to, the vendor's evidence reference …
}

func (e Evidence) String() string {
	s := e.Ref + ": " + e.Value
	if e.Source != "" {
		s = e.Source + " " + s
	}
	if e.Note != "" {
		s += " (" + e.Note + ")"
	}
	return s
}

// CriterionResult is the score of one criterion for one vendor.
type CriterionResult struct {
	ID        string     `json:"id"`
	Title     string     `json:"title"`
	Group     string     `json:"group"`
	Weight    float64    `json:"weight"`
	Must      bool       `json:"must"`
	Status    Status     `json:"status"`
	Automatic bool       `json:"automatic"`           // the score was decided by the evidence
	Score     *int       `json:"score"`               // nil while it needs evaluation or is not applicable
	Max       int        `json:"max"`                 // top of the scale
	Suggested *int       `json:"suggested,omitempty"` // what the decided part of the evidence suggests
	Evidence  []Evidence `json:"evidence"`
	Comment   string     `json:"comment"`
	KnockOut  bool       `json:"knock_out"` // a must criterion scored 0
}

// VendorResult is the evaluation of one vendor.
type VendorResult struct {
	Vendor  string `json:"vendor"`
	Product string `json:"product,omitempty"`
	Source  string `json:"source"`
	Rank    int    `json:"rank"`
	// Total is the weighted score in percent of the attainable maximum (0–100, one decimal): the sum of
	// weight × score over the applicable criteria divided by the sum of weight × scale maximum. Criteria
	// still needing evaluation count as 0 until scored (Complete is false then).
	Total           float64           `json:"total"`
	Points          float64           `json:"points"`
	MaxPoints       float64           `json:"max_points"`
	KnockedOut      bool              `json:"knocked_out"`
	KnockedOutBy    []string          `json:"knocked_out_by"`
	NeedsEvaluation int               `json:"needs_evaluation"`
	Complete        bool              `json:"complete"`
	Criteria        []CriterionResult `json:"criteria"`
}

// Criterion returns the result of one criterion.
func (v VendorResult) Criterion(id string) (CriterionResult, bool) {
	for _, c := range v.Criteria {
		if c.ID == id {
			return c, true
		}
	}
	return CriterionResult{}, false
}

// Evaluation is the result of scoring vendors against a catalogue.
type Evaluation struct {
	Catalogue string         `json:"catalogue"`
	Version   string         `json:"catalogue_version"`
	Scale     Scale          `json:"scale"`
	AsOf      time.Time      `json:"as_of"`
	Vendors   []VendorResult `json:"vendors"` // in input order; Rank gives the ranking
}

// Ranked returns the vendors best first: those not knocked out by total (then name), then the knocked-out
// ones the same way.
func (e Evaluation) Ranked() []VendorResult {
	out := slices.Clone(e.Vendors)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Rank < out[j].Rank })
	return out
}

// Evaluate scores every vendor against every criterion of the catalogue. It is deterministic for the same
// inputs and Options.AsOf. For each criterion an evaluator's score (Vendor.Scores) wins; otherwise the rules
// are tried in order and the first that decides gives the score; when none decides the criterion needs
// evaluation, with the evidence gathered and, where the decided part of it allows, a suggested score.
func Evaluate(ctx context.Context, cat *Catalogue, vendors []Vendor, opt Options) Evaluation {
	if opt.AsOf.IsZero() {
		opt.AsOf = time.Now()
	}
	if opt.Vulns == nil {
		opt.Vulns = NoVulnData{}
	}
	ev := Evaluation{Catalogue: cat.Name, Version: cat.Version, Scale: cat.Scale, AsOf: opt.AsOf.UTC()}
	eng := &engine{cat: cat, opt: opt, ctx: ctx}
	for _, v := range vendors {
		ev.Vendors = append(ev.Vendors, eng.vendor(v))
	}
	rank(ev.Vendors)
	return ev
}

func rank(vs []VendorResult) {
	idx := make([]int, len(vs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		x, y := vs[idx[a]], vs[idx[b]]
		if x.KnockedOut != y.KnockedOut {
			return !x.KnockedOut
		}
		if x.Total != y.Total {
			return x.Total > y.Total
		}
		return strings.ToLower(x.Vendor) < strings.ToLower(y.Vendor)
	})
	for r, i := range idx {
		vs[i].Rank = r + 1
	}
}

type engine struct {
	cat *Catalogue
	opt Options
	ctx context.Context
}

// vendorState is what the engine computes once per vendor.
type vendorState struct {
	Vendor
	facts map[string]mds2.Fact
	sbom  *sbomState
}

func (e *engine) vendor(v Vendor) VendorResult {
	st := &vendorState{Vendor: v}
	if v.MDS2 != nil {
		st.facts = map[string]mds2.Fact{}
		for _, f := range v.MDS2.Facts().All() {
			st.facts[f.Name] = f
		}
	}
	res := VendorResult{Vendor: v.Name, Product: v.Product, Source: v.Source, KnockedOutBy: []string{}, Criteria: []CriterionResult{}}
	max := e.cat.Scale.Max
	for _, cr := range e.cat.Criteria {
		r := e.criterion(st, cr)
		res.Criteria = append(res.Criteria, r)
		if r.Status == StatusNotApplicable || cr.Weight == 0 {
			continue
		}
		res.MaxPoints += cr.Weight * float64(max)
		if r.Score != nil {
			res.Points += cr.Weight * float64(*r.Score)
		} else {
			res.NeedsEvaluation++
		}
		if r.KnockOut {
			res.KnockedOut = true
			res.KnockedOutBy = append(res.KnockedOutBy, cr.ID)
		}
	}
	if res.MaxPoints > 0 {
		res.Total = math.Round(1000*res.Points/res.MaxPoints) / 10
	}
	res.Points = math.Round(100*res.Points) / 100
	res.MaxPoints = math.Round(100*res.MaxPoints) / 100
	res.Complete = res.NeedsEvaluation == 0
	return res
}

// outcome is what one rule says.
type outcome struct {
	decided  bool
	na       bool    // the criterion does not apply
	share    float64 // 0–1 when decided
	suggest  float64 // for undecided outcomes with some decided evidence; -1 when none
	evidence []Evidence
	comment  string
}

func undecided(comment string, ev ...Evidence) outcome {
	return outcome{suggest: -1, comment: comment, evidence: ev}
}

func (e *engine) criterion(st *vendorState, cr Criterion) CriterionResult {
	max := e.cat.Scale.Max
	r := CriterionResult{ID: cr.ID, Title: cr.Title, Group: cr.Group, Weight: cr.Weight, Must: cr.Must, Max: max, Evidence: []Evidence{}}
	var auto outcome
	decided := false
	if na, ev := e.notApplicable(st, cr); na {
		auto = outcome{decided: true, na: true, evidence: ev, comment: "not applicable: " + describeEvidence(ev)}
		decided = true
	}
	var comments []string
	suggest := -1.0
	for _, rule := range cr.Rules {
		if decided {
			break
		}
		o := e.rule(st, cr, rule)
		r.Evidence = append(r.Evidence, o.evidence...)
		if o.decided {
			if rule.Cap > 0 && o.share > rule.Cap {
				o.share = rule.Cap
			}
			if rule.Note != "" {
				o.comment = joinSentences(o.comment, rule.Note)
			}
			auto, decided = o, true
			break
		}
		if o.comment != "" {
			comments = append(comments, o.comment)
		}
		if o.suggest >= 0 && suggest < 0 {
			suggest = o.suggest
		}
	}
	if decided {
		r.Evidence = append(r.Evidence, auto.evidence...)
		r.Evidence = dedupeEvidence(r.Evidence)
	}
	r.Evidence = append(r.Evidence, e.context(st, cr)...)
	r.Evidence = dedupeEvidence(r.Evidence)

	if j, ok := st.Scores[cr.ID]; ok {
		s := clamp(j.Score, 0, max)
		r.Status, r.Score = StatusEvaluated, &s
		r.Comment = j.Comment
		if decided && !auto.na {
			a := shareScore(auto.share, max)
			r.Suggested = &a
			if a != s {
				r.Comment = joinSentences(r.Comment, fmt.Sprintf("The evidence alone gives %d of %d (%s)", a, max, strings.TrimSuffix(auto.comment, ".")))
			}
		}
		by := j.Evaluator
		if by == "" {
			by = "evaluator"
		}
		r.Evidence = append(r.Evidence, Evidence{Source: "evaluator", Ref: by, Value: fmt.Sprintf("%d of %d (%s)", s, max, e.cat.Scale.Label(s)), Note: j.Comment})
		r.KnockOut = cr.Must && s == 0
		return r
	}
	switch {
	case decided && auto.na:
		r.Status, r.Comment = StatusNotApplicable, auto.comment
	case decided:
		s := shareScore(auto.share, max)
		r.Status, r.Automatic, r.Score = StatusAutomatic, true, &s
		r.Comment = auto.comment
		r.KnockOut = cr.Must && s == 0
		if r.KnockOut {
			r.Comment = joinSentences(r.Comment, "Knock-out: this is a must criterion")
		}
	default:
		r.Status = StatusNeedsEvaluation
		if suggest >= 0 {
			s := shareScore(suggest, max)
			r.Suggested = &s
		}
		if len(comments) == 0 {
			if len(cr.Rules) == 0 {
				comments = append(comments, "scored by an evaluator")
			} else {
				comments = append(comments, "no evidence decides this criterion yet")
			}
		}
		r.Comment = joinSentences(comments...)
	}
	return r
}

func shareScore(share float64, max int) int {
	if math.IsNaN(share) {
		return 0
	}
	return clamp(int(math.Round(share*float64(max))), 0, max)
}

func clamp(v, lo, hi int) int { return min(max(v, lo), hi) }

func clampF(v float64) float64 { return math.Min(1, math.Max(0, v)) }

func (e *engine) rule(st *vendorState, cr Criterion, r Rule) outcome {
	switch {
	case len(r.MDS2) > 0:
		return mds2Rule(st.MDS2, r.MDS2)
	case r.Fact != "":
		return factRule(st, r)
	case r.Questionnaire != "":
		return questionnaireRule(st.Answers, cr, r, e.opt.AsOf)
	case r.SBOM != "":
		return e.sbomRule(st, r.SBOM)
	case r.Cloud != "":
		return cloudRule(st.Cloud, r, e.opt.AsOf)
	}
	return undecided("")
}

func (e *engine) notApplicable(st *vendorState, cr Criterion) (bool, []Evidence) {
	if st.MDS2 == nil {
		return false, nil
	}
	for _, c := range cr.NotApplicableIf {
		switch {
		case c.Q != "":
			a := st.MDS2.Answer(c.Q)
			if string(a.Value) == c.Value {
				return true, []Evidence{answerEvidence(st.MDS2, a)}
			}
		case c.Fact != "":
			if f, ok := st.facts[c.Fact]; ok && string(f.Value) == c.Value {
				ev := []Evidence{{Source: "mds2", Ref: f.Name, Value: string(f.Value)}}
				for _, x := range f.Evidence {
					ev = append(ev, answerEvidence(st.MDS2, st.MDS2.Answer(x.ID)))
				}
				return true, ev
			}
		}
	}
	return false, nil
}

func (e *engine) context(st *vendorState, cr Criterion) []Evidence {
	if st.MDS2 == nil {
		return nil
	}
	var out []Evidence
	for _, id := range cr.Context {
		a := st.MDS2.Answer(id)
		if a.Value == mds2.ValueBlank {
			continue
		}
		ev := answerEvidence(st.MDS2, a)
		ev.Source = "mds2 (context)"
		out = append(out, ev)
	}
	return out
}

// answerEvidence describes an MDS2 answer with the text of the notes it refers to.
func answerEvidence(f *mds2.Form, a mds2.Answer) Evidence {
	ev := Evidence{Source: "mds2", Ref: a.ID, Value: a.Raw}
	if a.Value == mds2.ValueBlank {
		ev.Value = "(no answer)"
	}
	if ev.Value == "" {
		ev.Value = a.Note
	}
	var notes []string
	for _, n := range a.NoteRefs {
		if t, ok := f.Notes[n]; ok {
			notes = append(notes, "Note "+n+": "+clip(t, 300))
		}
	}
	ev.Note = strings.Join(notes, " ")
	return ev
}

func mds2Rule(f *mds2.Form, qs []QuestionRule) outcome {
	if f == nil {
		return undecided("no MDS2 form")
	}
	var ev []Evidence
	var earned, possible float64
	var open, required []string
	allBlank := true
	for _, q := range qs {
		a := f.Answer(q.Q)
		ev = append(ev, answerEvidence(f, a))
		if a.Value != mds2.ValueBlank {
			allBlank = false
		}
		good, bad := mds2.ValueYes, mds2.ValueNo
		if q.Invert {
			good, bad = bad, good
		}
		w := q.weight()
		switch a.Value {
		case good:
			earned += w
			possible += w
		case bad:
			possible += w
			if q.Required {
				required = append(required, a.ID)
			}
		case mds2.ValueNA:
			if q.NAMet {
				earned += w
				possible += w
			}
		default:
			open = append(open, a.ID)
		}
	}
	ids := make([]string, len(qs))
	for i, q := range qs {
		ids[i] = q.Q
	}
	switch {
	case allBlank:
		return undecided("the MDS2 form does not answer " + strings.Join(ids, ", "))
	case len(required) > 0:
		return outcome{decided: true, share: 0, evidence: ev,
			comment: fmt.Sprintf("MDS2 %s answered so that the requirement is not met", strings.Join(required, ", "))}
	case len(open) > 0:
		o := undecided("MDS2 needs a human reading: "+strings.Join(open, ", ")+" answered with a note, free text or not at all", ev...)
		if possible > 0 {
			o.suggest = earned / possible
		}
		return o
	case possible == 0:
		return outcome{decided: true, na: true, evidence: ev, comment: "not applicable: MDS2 " + strings.Join(ids, ", ") + " are N/A"}
	}
	return outcome{decided: true, share: earned / possible, evidence: ev,
		comment: fmt.Sprintf("MDS2: %s of %s points (%s)", trimFloat(earned), trimFloat(possible), strings.Join(ids, ", "))}
}

func factRule(st *vendorState, r Rule) outcome {
	if st.MDS2 == nil {
		return undecided("no MDS2 form")
	}
	f, ok := st.facts[r.Fact]
	if !ok {
		return undecided("unknown MDS2 fact " + r.Fact)
	}
	var ev []Evidence
	for _, id := range f.Questions {
		a := st.MDS2.Answer(id)
		if a.Value != mds2.ValueBlank {
			ev = append(ev, answerEvidence(st.MDS2, a))
		}
	}
	label := fmt.Sprintf("MDS2 %s (%s)", r.Fact, strings.Join(f.Questions, ", "))
	switch f.Value {
	case mds2.TruthYes:
		if f.Note != "" && r.Caveat > 0 {
			return outcome{decided: true, share: r.Caveat, evidence: ev, comment: label + ": yes, but " + f.Note}
		}
		return outcome{decided: true, share: 1, evidence: ev, comment: label + ": yes"}
	case mds2.TruthNo:
		return outcome{decided: true, share: 0, evidence: ev, comment: label + ": no"}
	case mds2.TruthNA:
		return outcome{decided: true, na: true, evidence: ev, comment: "not applicable: " + label + " " + f.Note}
	}
	if len(ev) == 0 {
		return undecided("the MDS2 form does not answer " + strings.Join(f.Questions, ", "))
	}
	return undecided(label+": "+f.Note, ev...)
}

func questionnaireRule(answers map[string]Answer, cr Criterion, r Rule, asOf time.Time) outcome {
	a, ok := answers[cr.ID]
	if !ok || strings.TrimSpace(a.Value) == "" {
		return undecided("no questionnaire answer")
	}
	ref := "answer"
	if a.Row > 0 {
		ref = fmt.Sprintf("row %d", a.Row)
	}
	note := strings.TrimSpace(strings.Join(nonEmpty(a.Evidence, a.Comment), "; "))
	ev := []Evidence{{Source: "questionnaire", Ref: ref, Value: a.Value, Note: note}}
	v, err := ParseAnswer(r.Questionnaire, a.Value)
	if err != nil {
		return undecided("questionnaire: "+err.Error(), ev...)
	}
	switch r.Questionnaire {
	case AnswerYesNo:
		switch v.YesNo {
		case mds2.ValueYes:
			return outcome{decided: true, share: 1, evidence: ev, comment: "questionnaire: yes"}
		case mds2.ValueNo:
			return outcome{decided: true, share: 0, evidence: ev, comment: "questionnaire: no"}
		}
		return undecided("questionnaire answer needs a human reading", ev...)
	case AnswerDate:
		years := v.Date.Sub(asOf).Hours() / 24 / 365.25
		return outcome{decided: true, share: linear(years, r.Full, r.Zero), evidence: ev,
			comment: fmt.Sprintf("questionnaire: until %s, %.1f years from %s (full score from %s years, none below %s)",
				v.Date.Format("2006-01-02"), years, asOf.Format("2006-01-02"), trimFloat(r.Full), trimFloat(r.Zero))}
	case AnswerDays, AnswerHours, AnswerPercent:
		unit := map[string]string{AnswerDays: "days", AnswerHours: "hours", AnswerPercent: "%"}[r.Questionnaire]
		return outcome{decided: true, share: linear(v.Number, r.Full, r.Zero), evidence: ev,
			comment: fmt.Sprintf("questionnaire: %s %s (full score at %s, none at %s)", trimFloat(v.Number), unit, trimFloat(r.Full), trimFloat(r.Zero))}
	}
	return undecided("")
}

// linear maps x to 0–1: 1 at full, 0 at zero, linear between (either direction).
func linear(x, full, zero float64) float64 {
	if full == zero {
		return 0
	}
	return clampF((x - zero) / (full - zero))
}

func trimFloat(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}

func joinSentences(parts ...string) string {
	var out []string
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if !strings.HasSuffix(p, ".") {
			p += "."
		}
		out = append(out, strings.ToUpper(p[:1])+p[1:])
	}
	return strings.Join(out, " ")
}

func describeEvidence(ev []Evidence) string {
	var s []string
	for _, e := range ev {
		s = append(s, e.Ref+" "+e.Value)
	}
	return strings.Join(s, ", ")
}

func dedupeEvidence(ev []Evidence) []Evidence {
	seen := map[string]bool{}
	out := ev[:0]
	for _, e := range ev {
		k := e.Source + "\x00" + e.Ref
		if strings.HasPrefix(e.Source, "mds2") {
			k = "mds2\x00" + e.Ref
		}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, e)
	}
	return out
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, strings.TrimSpace(s))
		}
	}
	return out
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// MatchVendor finds the vendor a name refers to (for `--sbom NAME=FILE`): the name matches, ignoring case,
// the base name of the vendor's source file with or without its extension, or the vendor name (MDS2
// DOC-1). It is an error when no vendor or more than one matches; the message lists the names that work.
func MatchVendor(vendors []Vendor, name string) (int, error) {
	want := strings.ToLower(strings.TrimSpace(name))
	var hits []int
	var known []string
	for i, v := range vendors {
		base := filepath.Base(v.Source)
		stem := strings.TrimSuffix(base, filepath.Ext(base))
		known = append(known, stem)
		if v.Name != "" && !strings.EqualFold(v.Name, stem) {
			known = append(known, v.Name)
		}
		for _, cand := range []string{base, stem, v.Name} {
			if cand != "" && strings.ToLower(cand) == want {
				hits = append(hits, i)
				break
			}
		}
	}
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		return -1, fmt.Errorf("no vendor is named %q (use an MDS2 file's base name or its manufacturer: %s)", name, strings.Join(known, ", "))
	}
	return -1, fmt.Errorf("%q names %d vendors; use the MDS2 file's base name", name, len(hits))
}
