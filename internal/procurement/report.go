package procurement

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/report/pdf"
)

// TenderInfo describes a tender for its documents.
type TenderInfo struct {
	Ref             string
	Title           string
	Subject         string // what is bought
	ClinicalUse     string
	NetworkExposure string
	Kind            string // KindDevice or KindCloud
	Deadline        time.Time
}

func (t TenderInfo) kv(loc *time.Location) [][2]string {
	kv := [][2]string{{"Reference", t.Ref}, {"Subject", t.Subject}}
	if t.ClinicalUse != "" {
		kv = append(kv, [2]string{"Clinical use", t.ClinicalUse})
	}
	if t.NetworkExposure != "" {
		kv = append(kv, [2]string{"Network exposure", t.NetworkExposure})
	}
	if !t.Deadline.IsZero() {
		kv = append(kv, [2]string{"Deadline for offers", t.Deadline.In(loc).Format("2 January 2006")})
	}
	return kv
}

// Annex builds the cybersecurity annex of the tender documents: what is bought, how offers are evaluated
// (scale, weights, knock-outs, evidence), the requirements by group with their evidence and sources, and
// the ENISA good practices the tender covers. meta.Title is set from the tender.
func Annex(t TenderInfo, cat *Catalogue, meta pdf.Meta) ([]byte, error) {
	meta.Title = "Cybersecurity annex: " + t.Title
	if meta.Subtitle == "" {
		meta.Subtitle = "Requirements, evidence and evaluation · tender " + t.Ref
	}
	loc := meta.Location
	if loc == nil {
		loc = time.UTC
	}
	d := pdf.New(meta)
	d.KV(t.kv(loc))
	must, weight := 0, 0.0
	for _, c := range cat.Criteria {
		if c.Must {
			must++
		}
		weight += c.Weight
	}
	d.Figures([][2]string{{fmt.Sprint(len(cat.Criteria)), "requirements"}, {fmt.Sprint(must), "knock-out (must) criteria"},
		{fmt.Sprintf("0–%d", cat.Scale.Max), "scoring scale"}})
	d.H1("How offers are evaluated")
	var scale []string
	for i := 0; i <= cat.Scale.Max; i++ {
		scale = append(scale, fmt.Sprintf("%d = %s", i, cat.Scale.Label(i)))
	}
	d.P(fmt.Sprintf("Every requirement is scored on the scale %s. The total of an offer is the sum of weight × score over all "+
		"applicable requirements, as a share of the highest attainable sum. An offer that scores 0 on a requirement marked "+
		"\"must\" is excluded, whatever its total.", strings.Join(scale, ", ")))
	d.P("Scores are taken from the evidence where it decides: the MDS2 form (ANSI/NEMA HN 1-2019) answers named with each " +
		"requirement, the SBOM (checked for the NTIA minimum elements, end-of-life components and known vulnerabilities), " +
		"and the answers in the returned questionnaire. Answers given as \"See Note\" or free text, and requirements " +
		"without automatic evidence, are scored by the evaluation team with a written comment.")
	d.Bullets([]string{
		"Submit the completed MDS2 form (2019 version, xlsx) of the offered product and version.",
		"Submit a machine-readable SBOM (CycloneDX or SPDX) of the offered version.",
		"Return the cybersecurity questionnaire (xlsx) with an answer, an evidence reference and a comment for every requirement.",
		"Attach the documents named as evidence (certificates, declaration of conformity, penetration-test summary …).",
	})
	groups, byGroup := groupCriteria(cat.Criteria)
	d.H1("Requirements")
	for _, g := range groups {
		d.H2(g)
		var rows [][]string
		for _, c := range byGroup[g] {
			must := ""
			if c.Must {
				must = "MUST"
			}
			rows = append(rows, []string{c.ID, c.Title + "\n" + c.Requirement, must, trimFloat(c.Weight), c.Evidence})
		}
		d.Table([]string{"ID", "Requirement", "Must", "Weight", "Evidence expected"}, []float64{2.2, 7, 1.3, 1, 3.6}, rows)
	}
	d.H1("Sources")
	cited := map[string]bool{}
	for _, c := range cat.Criteria {
		for _, r := range c.Refs {
			cited[r.Source] = true
		}
	}
	var srcRows [][]string
	for _, s := range cat.Sources {
		if cited[s.ID] {
			srcRows = append(srcRows, []string{s.Title, s.Version})
		}
	}
	d.Table([]string{"Source", "Version"}, []float64{8, 2}, srcRows)
	if cat.Kind == KindDevice {
		d.H2("ENISA procurement good practices covered")
		var rows [][]string
		ids := map[string]bool{}
		for _, c := range cat.Criteria {
			ids[c.ID] = true
		}
		for _, p := range cat.Practices {
			var in []string
			for _, id := range p.Criteria {
				if ids[id] {
					in = append(in, id)
				}
			}
			how := strings.Join(in, ", ")
			if p.Hospital != "" {
				how = strings.TrimPrefix(strings.Join(nonEmpty(how, "hospital: "+p.Hospital), "; "), "; ")
			}
			if how == "" {
				continue
			}
			rows = append(rows, []string{p.ID, p.Title, how})
		}
		d.Table([]string{"Practice", "Title", "Covered by"}, []float64{2.4, 3.5, 6}, rows)
		d.Note("The enisa.proc.* identifiers are Vigil's; ENISA's own numbering of the 28 good practices (February 2020) was not used. " +
			"Requirements citing MDCG 2019-16, the CRA, the FDA or NTIA are derived from those instruments, not ENISA good practices.")
	}
	d.Note(fmt.Sprintf("Catalogue %q version %s.", cat.Name, cat.Version))
	return d.Bytes()
}

func groupCriteria(cs []Criterion) ([]string, map[string][]Criterion) {
	var groups []string
	by := map[string][]Criterion{}
	for _, c := range cs {
		if _, ok := by[c.Group]; !ok {
			groups = append(groups, c.Group)
		}
		by[c.Group] = append(by[c.Group], c)
	}
	return groups, by
}

// AwardInfo is the decision an award report records.
type AwardInfo struct {
	Winner    string // the vendor awarded; "" for a report before the decision
	Rationale string
	Decided   time.Time
	By        string
}

// AwardReport builds the report for the award decision: the tender, the ranking with totals and
// knock-outs, a chart of the totals, the score matrix (criteria × vendors), the knock-outs and open
// evaluations in words, the decision and the commitments that follow, and sign-off fields.
func AwardReport(t TenderInfo, cat *Catalogue, ev Evaluation, award AwardInfo, commitments []CommitmentDraft, meta pdf.Meta) ([]byte, error) {
	meta.Title = "Award report: " + t.Title
	if meta.Subtitle == "" {
		meta.Subtitle = "Cybersecurity evaluation · tender " + t.Ref
	}
	loc := meta.Location
	if loc == nil {
		loc = time.UTC
	}
	d := pdf.New(meta)
	d.KV(t.kv(loc))
	ranked := ev.Ranked()
	figs := [][2]string{{fmt.Sprint(len(ranked)), "offers evaluated"}}
	ko, open := 0, 0
	for _, v := range ranked {
		if v.KnockedOut {
			ko++
		}
		open += v.NeedsEvaluation
	}
	figs = append(figs, [2]string{fmt.Sprint(ko), "excluded by knock-out"}, [2]string{fmt.Sprint(open), "scores still open"})
	if award.Winner != "" {
		figs = append(figs, [2]string{pdf.Clip(award.Winner, 18), "awarded"})
	}
	d.Figures(figs)
	d.H1("Ranking")
	var rows [][]string
	var bars []pdf.Bar
	for _, v := range ranked {
		status := "complete"
		if !v.Complete {
			status = fmt.Sprintf("%d open", v.NeedsEvaluation)
		}
		koText := "–"
		if v.KnockedOut {
			koText = "excluded: " + strings.Join(v.KnockedOutBy, ", ")
		}
		rows = append(rows, []string{fmt.Sprint(v.Rank), v.Vendor, v.Product, fmt.Sprintf("%.1f %%", v.Total), koText, status})
		bars = append(bars, pdf.Bar{Label: pdf.Clip(v.Vendor, 16), Values: []float64{v.Total}})
	}
	d.Table([]string{"Rank", "Vendor", "Product", "Total", "Knock-out", "Evaluation"}, []float64{0.8, 3, 3, 1.3, 3.5, 1.5}, rows)
	d.BarChart("Weighted totals (percent of the attainable maximum)", []string{"total"}, bars, func(f float64) string { return fmt.Sprintf("%.0f", f) })

	d.H1("Scores by requirement")
	header := []string{"Requirement", "W"}
	widths := []float64{4.5, 0.7}
	for _, v := range ev.Vendors {
		header = append(header, pdf.Clip(v.Vendor, 14))
		widths = append(widths, 1.6)
	}
	var matrix [][]string
	for i, c := range cat.Criteria {
		row := []string{c.Title, trimFloat(c.Weight)}
		if c.Must {
			row[0] += " (must)"
		}
		for _, v := range ev.Vendors {
			if i >= len(v.Criteria) {
				row = append(row, "")
				continue
			}
			row = append(row, scoreCell(v.Criteria[i]))
		}
		matrix = append(matrix, row)
	}
	d.Table(header, widths, matrix)
	d.Note("Scores: a number of " + fmt.Sprint(cat.Scale.Max) + "; \"auto\" decided by the evidence, \"eval\" by an evaluator; \"open\" not yet scored; \"n/a\" not applicable; \"KO\" a failed must criterion.")

	d.H1("Knock-outs and open points")
	var notes []string
	for _, v := range ranked {
		for _, c := range v.Criteria {
			if c.KnockOut {
				notes = append(notes, fmt.Sprintf("%s — %s: %s", v.Vendor, c.Title, c.Comment))
			}
		}
	}
	if len(notes) == 0 {
		notes = append(notes, "No offer failed a knock-out criterion.")
	}
	for _, v := range ranked {
		if v.NeedsEvaluation > 0 {
			var ids []string
			for _, c := range v.Criteria {
				if c.Status == StatusNeedsEvaluation {
					ids = append(ids, c.ID)
				}
			}
			notes = append(notes, fmt.Sprintf("%s: %d requirements not yet scored (%s)", v.Vendor, v.NeedsEvaluation, strings.Join(ids, ", ")))
		}
	}
	d.Bullets(notes)

	d.H1("Decision")
	if award.Winner == "" {
		d.P("No award has been recorded yet. This report shows the state of the evaluation on " + ev.AsOf.In(loc).Format("2 January 2006") + ".")
	} else {
		kv := [][2]string{{"Awarded to", award.Winner}, {"Decided", award.Decided.In(loc).Format("2 January 2006")}}
		if award.By != "" {
			kv = append(kv, [2]string{"Recorded by", award.By})
		}
		d.KV(kv)
		if award.Rationale != "" {
			d.P(award.Rationale)
		}
	}
	if len(commitments) > 0 {
		d.H2("Commitments tracked after award")
		var crow [][]string
		for _, c := range commitments {
			due := ""
			if c.Due != nil {
				due = c.Due.In(loc).Format("2006-01-02")
			}
			crow = append(crow, []string{c.Title, c.Value, due, c.Detail})
		}
		d.Table([]string{"Commitment", "Value", "Due", "From"}, []float64{4, 2.5, 1.6, 4}, crow)
	}
	d.SignOff("Approved", []string{"Head of procurement", "Information security officer", "Head of clinical engineering"})
	d.Note(fmt.Sprintf("Evaluation with catalogue %q version %s on %s; scores are reproducible from the evidence kept with each bid.",
		ev.Catalogue, ev.Version, ev.AsOf.In(loc).Format("2006-01-02")))
	return d.Bytes()
}

func scoreCell(c CriterionResult) string {
	switch c.Status {
	case StatusNotApplicable:
		return "n/a"
	case StatusNeedsEvaluation:
		if c.Suggested != nil {
			return fmt.Sprintf("open (~%d)", *c.Suggested)
		}
		return "open"
	}
	s := fmt.Sprint(*c.Score)
	if c.Status == StatusAutomatic {
		s += " auto"
	} else {
		s += " eval"
	}
	if c.KnockOut {
		s += " KO"
	}
	return s
}

// CommitmentDraft is a commitment of the winning vendor, derived at award from the tender's criteria and
// the vendor's evidence, before it is stored.
type CommitmentDraft struct {
	Kind      string     `json:"kind"`      // Commit*
	Criterion string     `json:"criterion"` // the criterion it comes from
	Title     string     `json:"title"`
	Value     string     `json:"value"`      // "2034-12-31", "30 days", "CycloneDX with every release"
	ValueDate *time.Time `json:"value_date"` // support end
	Days      int        `json:"days"`       // patch days, notification hours
	Due       *time.Time `json:"due"`        // when the commitment must be confirmed (nil: no fixed date)
	Detail    string     `json:"detail"`     // the evidence it rests on
	Open      bool       `json:"open"`       // the bid did not state it: agree it in the contract
}

// ConfirmDays is the time after award within which delivery commitments (SBOM, VEX and CSAF channel, CVD
// contact) are to be confirmed.
const ConfirmDays = 30

// ReviewBeforeEndMonths is how long before the committed end of support its review is due.
const ReviewBeforeEndMonths = 12

// Commitments derives the commitments of a winning vendor: for every criterion of the tender that names a
// commitment, from the vendor's evaluated result and answers. A criterion scored 0 (the vendor does not
// commit) gives none; one still open gives an open commitment to settle in the contract.
func Commitments(cat *Catalogue, res VendorResult, answers map[string]Answer, awarded time.Time) []CommitmentDraft {
	var out []CommitmentDraft
	confirm := day(awarded).AddDate(0, 0, ConfirmDays)
	for _, cr := range cat.Criteria {
		if cr.Commitment == "" {
			continue
		}
		r, ok := res.Criterion(cr.ID)
		if !ok || r.Status == StatusNotApplicable || (r.Score != nil && *r.Score == 0) {
			continue
		}
		a := answers[cr.ID]
		cd := CommitmentDraft{Kind: cr.Commitment, Criterion: cr.ID, Open: r.Score == nil}
		cd.Detail = strings.TrimSpace(strings.Join(nonEmpty(r.Comment, a.Evidence), " "))
		switch cr.Commitment {
		case CommitSupportEnd:
			cd.Title = "Security updates until the committed end of support"
			if p, err := ParseAnswer(AnswerDate, a.Value); err == nil && a.Value != "" {
				d := p.Date
				cd.ValueDate = &d
				cd.Value = d.Format("2006-01-02")
				due := d.AddDate(0, -ReviewBeforeEndMonths, 0)
				cd.Due = &due
				cd.Title = "Security updates until " + cd.Value + " (review extension or replacement " + fmt.Sprint(ReviewBeforeEndMonths) + " months before)"
			} else {
				cd.Open = true
				cd.Value = "not stated"
			}
		case CommitPatchDays, CommitIncidentNotice:
			typ, unit := AnswerDays, "days"
			cd.Title = "Validated update or mitigation for critical and known-exploited vulnerabilities"
			if cr.Commitment == CommitIncidentNotice {
				typ, unit = AnswerHours, "hours"
				cd.Title = "Notification of security incidents"
			}
			if p, err := ParseAnswer(typ, a.Value); err == nil && a.Value != "" {
				cd.Days = int(p.Number + 0.5)
				cd.Value = fmt.Sprintf("%d %s", cd.Days, unit)
				cd.Title += fmt.Sprintf(" within %d %s", cd.Days, unit)
			} else {
				cd.Open = true
				cd.Value = "not stated"
			}
		default:
			cd.Title = map[string]string{
				CommitSBOMDelivery:   "SBOM of the delivered version, updated with every release",
				CommitVEXDelivery:    "VEX statements for vulnerabilities in SBOM components",
				CommitCSAFAdvisories: "Security advisories as CSAF 2.0 (provider URL confirmed)",
				CommitCVD:            "Coordinated vulnerability disclosure contact confirmed",
			}[cr.Commitment]
			if cd.Title == "" {
				cd.Title = cr.Title
			}
			cd.Value = "confirm delivery"
			due := confirm
			cd.Due = &due
		}
		out = append(out, cd)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out
}
