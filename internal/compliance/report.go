package compliance

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/regulation"
	"github.com/vigil-med/vigil/internal/report/pdf"
)

// ShortRef is the short label of a measure for charts and tables: "21(2)(a)", "21(3)", "20(1)".
func ShortRef(m regulation.Measure) string {
	return strings.TrimPrefix(m.Ref, "NIS2 Art ")
}

// ReportPDF renders the gap report of an assessment for the management body (NIS2 Art 20): the summary
// with figures and a chart, per measure its status, maturity, gap and evidence (with the automatic
// figures and their dates), and the sign-off, recorded or to be given. author names who generated it.
func ReportPDF(b Board, org domain.Organisation, author string, generated time.Time) ([]byte, error) {
	loc := org.Location()
	a := b.Assessment
	sub := "NIS2 Art 20/21 gap report · " + a.Name
	if a.PeriodStart != "" || a.PeriodEnd != "" {
		sub += " · period " + a.PeriodStart + " – " + a.PeriodEnd
	}
	d := pdf.New(pdf.Meta{Title: "Cybersecurity risk-management measures", Subtitle: sub, Organisation: org.Name,
		Author: author, Generated: generated, Location: loc, Confidential: true})
	s := b.Summary
	implemented := 0
	for _, c := range s.ByStatus {
		if c.Status == domain.MeasureImplemented {
			implemented = c.Count
		}
	}
	d.Figures([][2]string{
		{fmt.Sprintf("%d / %d", implemented, s.Measures), "measures implemented"},
		{fmt.Sprintf("%d / %d", s.AtTarget, s.Applicable), "at target maturity"},
		{strconv.FormatFloat(s.AvgMaturity, 'f', 1, 64) + " / " + strconv.FormatFloat(s.AvgTarget, 'f', 1, 64), "average maturity / target (0–4)"},
		{strconv.Itoa(s.Overdue), "overdue actions"},
	})
	d.H1("Summary for the management body")
	status := "Open: the assessment has not been signed off yet; the figures below are as of " + b.AsOf.In(loc).Format("2 January 2006 15:04 MST") + "."
	if a.Frozen() {
		status = "Signed off on " + a.SignOff.At.In(loc).Format("2 January 2006") + " by " + a.SignOff.Name + " (" + a.SignOff.Role + "). The assessment is frozen; automatic evidence is shown as recorded at sign-off."
	}
	d.P("Under NIS2 Art 20(1) the management body approves the cybersecurity risk-management measures of Art 21, oversees their implementation and can be held liable for infringements. This report shows, for each measure of Art 21(2)(a)–(j), 21(3) and 20(1)–(2), where the organisation stands, the gap to the target maturity and the evidence held. " + status)
	var counts []string
	for _, c := range s.ByStatus {
		counts = append(counts, fmt.Sprintf("%s: %d", c.Label, c.Count))
	}
	d.KV([][2]string{
		{"Assessment", a.Name},
		{"Owner", dash(a.Owner)},
		{"Measures by status", strings.Join(counts, " · ")},
		{"Gap", fmt.Sprintf("%d maturity levels to close over %d applicable measures; %d without any evidence", s.GapLevels, s.Applicable, s.NoEvidence)},
		{"Catalogue", "NIS2 measures catalogue " + b.Catalogue},
	})
	var bars []pdf.Bar
	for _, r := range b.Rows {
		v := []float64{float64(r.State.Maturity), float64(r.Gap)}
		if r.State.Status == domain.MeasureNotApplicable {
			v = []float64{0, 0}
		}
		bars = append(bars, pdf.Bar{Label: strings.TrimPrefix(ShortRef(r.Measure), "21(2)"), Values: v})
	}
	d.BarChart("Maturity per measure (levels 0–4) and gap to the target", []string{"maturity reached", "gap to target"}, bars,
		func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) })
	d.Note("Bars labelled (a)–(j) are NIS2 Art 21(2)(a)–(j). The numbers are in the table below.")

	d.H1("Measures")
	rows := make([][]string, 0, len(b.Rows))
	for _, r := range b.Rows {
		due := r.State.DueDate
		if r.Overdue {
			due += " (overdue)"
		}
		rows = append(rows, []string{ShortRef(r.Measure), r.Measure.Title, domain.MeasureStatusLabel(r.State.Status),
			fmt.Sprintf("%d / %d", r.State.Maturity, r.State.TargetMaturity), strconv.Itoa(r.Gap), dash(r.State.Owner), dash(due),
			strconv.Itoa(r.EvidenceCount())})
	}
	d.Table([]string{"Art", "Measure", "Status", "Maturity", "Gap", "Owner", "Due", "Evidence"}, []float64{1.2, 4, 1.5, 1.1, 0.7, 1.8, 1.5, 1}, rows)

	d.H1("Evidence per measure")
	for _, r := range b.Rows {
		d.H2(r.Measure.Ref + " — " + r.Measure.Title)
		scale := ""
		if r.State.Maturity >= 0 && r.State.Maturity < len(r.Measure.Maturity) {
			scale = r.Measure.Maturity[r.State.Maturity].Text
		}
		kv := [][2]string{
			{"Status", domain.MeasureStatusLabel(r.State.Status)},
			{"Maturity", fmt.Sprintf("%d of 4 (target %d): %s", r.State.Maturity, r.State.TargetMaturity, scale)},
		}
		if r.State.Comment != "" {
			kv = append(kv, [2]string{"Comment", r.State.Comment})
		}
		d.KV(kv)
		var items []string
		for _, ae := range r.Auto {
			items = append(items, autoLine(ae, loc))
		}
		for _, e := range r.Evidence {
			items = append(items, evidenceLine(e, loc))
		}
		if len(items) == 0 {
			items = []string{"No evidence recorded."}
		}
		d.Bullets(items)
	}

	if a.Frozen() {
		d.H1("Sign-off")
		so := a.SignOff
		d.KV([][2]string{{"Signed by", so.Name}, {"Function", so.Role}, {"Date", so.At.In(loc).Format("2 January 2006 15:04 MST")},
			{"Comment", dash(so.Comment)}, {"Recorded in Vigil by", so.RecordedBy}})
	} else {
		d.SignOff("Approval by the management body (NIS2 Art 20(1))", []string{"Member of the management body", "Member of the management body"})
	}
	d.Note("Automatic evidence is drawn from Vigil's own records and shows the date its figures describe. ISO/IEC 27001:2022 mappings in the catalogue are unverified. This report supports the management body's oversight; it is not legal advice.")
	return d.Bytes()
}

func autoLine(a AutoEvidence, loc *time.Location) string {
	if a.Status != AutoOK || a.Evidence == nil {
		return "Automatic — " + strings.TrimSuffix(a.Text, ".") + ": " + a.Message
	}
	return fmt.Sprintf("Automatic — %s As of %s: %s. Source: %s", a.Text, a.Evidence.AsOf.In(loc).Format("2006-01-02 15:04"),
		strings.Join(a.Lines(), "; "), a.Evidence.Source)
}

func evidenceLine(e domain.MeasureEvidence, loc *time.Location) string {
	carried := ""
	if e.CarriedOver {
		carried = " (carried over from the previous campaign)"
	}
	switch e.Kind {
	case domain.EvidenceFile:
		return fmt.Sprintf("Document — %s: %s, %d bytes, SHA-256 %s, added %s by %s%s", e.Title, e.FileName, e.Size, e.SHA256,
			e.Created.In(loc).Format("2006-01-02"), e.CreatedBy, carried)
	case domain.EvidenceLink:
		return fmt.Sprintf("Link — %s: %s, added %s by %s%s", e.Title, e.URL, e.Created.In(loc).Format("2006-01-02"), e.CreatedBy, carried)
	}
	return e.Title
}

func dash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "–"
	}
	return s
}
