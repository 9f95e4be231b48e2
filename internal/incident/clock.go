package incident

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/regulation"
	"github.com/vigil-med/vigil/internal/regulation/deadline"
	"github.com/vigil-med/vigil/internal/store"
)

// Clock maps between the wall clock and an incident's clock. Real incidents run at Factor 1 (the two
// are the same); exercises run Factor times faster from Start.
type Clock struct {
	Start  time.Time
	Factor int
}

// ClockOf returns the clock of an incident: accelerated from AwareAt for exercises.
func ClockOf(in domain.Incident) Clock {
	f := in.Acceleration
	if f < 1 || !in.Exercise {
		f = 1
	}
	return Clock{Start: in.AwareAt, Factor: f}
}

// Incident returns the incident-clock reading at the wall-clock instant real.
func (c Clock) Incident(real time.Time) time.Time {
	if c.Factor <= 1 {
		return real
	}
	return c.Start.Add(mulSat(real.Sub(c.Start), c.Factor))
}

// Real returns the wall-clock instant at which the incident clock reads t.
func (c Clock) Real(t time.Time) time.Time {
	if c.Factor <= 1 {
		return t
	}
	return c.Start.Add(t.Sub(c.Start) / time.Duration(c.Factor))
}

// Span turns a wall-clock duration into incident-clock time.
func (c Clock) Span(d time.Duration) time.Duration {
	if c.Factor <= 1 {
		return d
	}
	return mulSat(d, c.Factor)
}

// mulSat multiplies a duration, saturating instead of overflowing (an exercise left open for weeks).
func mulSat(d time.Duration, f int) time.Duration {
	if d > 0 && d > time.Duration(math.MaxInt64/int64(f)) {
		return time.Duration(math.MaxInt64)
	}
	if d < 0 && d < time.Duration(math.MinInt64/int64(f)) {
		return time.Duration(math.MinInt64)
	}
	return d * time.Duration(f)
}

// AnswerSource says where an effective answer comes from.
const (
	SourceAnswered = "answered"          // someone answered it (see the history)
	SourceOrgType  = "organisation type" // derived from the organisation's type until answered
	SourceDevices  = "linked devices"    // derived from the inventory devices linked to the incident until answered
)

// DeviceAnswers are the answers the linked inventory devices imply until someone answers otherwise: a
// linked medical device means a medical device is involved (mdr.device-involved); a linked device of
// criticality life-sustaining or critical means patients may be put at risk, which is the considerable
// damage to others of NIS2 Art 23(3)(b) (nis2.damage-to-others). Both are the conservative reading: more
// clocks run, and an answer of no stops them.
func DeviceAnswers(assets []domain.IncidentAsset) deadline.Answers {
	out := deadline.Answers{}
	for _, a := range assets {
		if a.MedicalDevice {
			out["mdr.device-involved"] = deadline.Yes
		}
		if a.PatientCritical() {
			out["nis2.damage-to-others"] = deadline.Yes
		}
	}
	return out
}

// DefaultAnswers are the answers the organisation's type implies: a manufacturer is the manufacturer of
// the device (mdr.manufacturer); hospitals, groups and authorities are not, and make no products under
// the CRA (cra.own-product).
func DefaultAnswers(org domain.Organisation) deadline.Answers {
	if org.Type == domain.OrgManufacturer {
		return deadline.Answers{"mdr.manufacturer": deadline.Yes}
	}
	return deadline.Answers{"mdr.manufacturer": deadline.No, "cra.own-product": deadline.No}
}

// EffectiveAnswers returns the current answers: the latest answer per question from the history, and
// for questions nobody answered the defaults of the linked devices (DeviceAnswers) and of the
// organisation's type (DefaultAnswers). sources says where each comes from.
func EffectiveAnswers(org domain.Organisation, history []domain.IncidentAnswer, assets []domain.IncidentAsset) (answers deadline.Answers, sources map[string]string) {
	answers, sources = deadline.Answers{}, map[string]string{}
	for q, a := range DefaultAnswers(org) {
		answers[q], sources[q] = a, SourceOrgType
	}
	for q, a := range DeviceAnswers(assets) {
		answers[q], sources[q] = a, SourceDevices
	}
	for _, a := range history { // oldest first: the last one wins
		answers[a.Question], sources[a.Question] = a.Answer, SourceAnswered
	}
	return answers, sources
}

// ValidateAnswer checks a question id and an answer id against deadline.Questions, naming the field.
func ValidateAnswer(question, answer string) error {
	for _, q := range deadline.Questions().Questions {
		if q.ID != question {
			continue
		}
		if !slices.Contains(q.Answers, answer) {
			return domain.Invalid("answers."+question, "%q is not an answer to this question (allowed: %s)", answer, strings.Join(q.Answers, ", "))
		}
		return nil
	}
	return domain.Invalid("answers."+question, "unknown question")
}

// National returns the deadline adjustments of the organisation's Member State, or nil.
func National(org domain.Organisation) *deadline.National {
	if org.Country == "" {
		return nil
	}
	if o, ok := regulation.OverlayFor(org.Country); ok {
		return o.Deadlines()
	}
	return nil
}

// Notification deadlines whose submission starts a final report's period, by regime.
var notificationDeadline = map[deadline.Regime]string{
	deadline.NIS2:        "nis2.23.notif",
	deadline.CRAIncident: "cra.14.i.notif",
}

// Input builds the deadline computation's input for an incident on its own clock: awareness, the first
// submission of each regime's notification, the fix-available time, the organisation's zone and
// overlay, and the regimes the answers make applicable.
func Input(org domain.Organisation, in domain.Incident, answers deadline.Answers, subs []domain.IncidentSubmission) (deadline.Input, []deadline.Decision) {
	clock := ClockOf(in)
	decisions := deadline.DecideAt(answers, in.AwareAt)
	inp := deadline.Input{
		Aware:    in.AwareAt,
		Location: org.Location(),
		Regimes:  deadline.Applicable(decisions),
		National: National(org),
	}
	if in.FixAvailableAt != nil {
		t := clock.Incident(*in.FixAvailableAt)
		inp.FixAvailable = &t
	}
	for regime, id := range notificationDeadline {
		for _, s := range subs { // in submission order: the first one counts
			if s.DeadlineID == id {
				t := clock.Incident(s.SubmittedAt)
				if t.Before(in.AwareAt) {
					t = in.AwareAt
				}
				if inp.NotifiedByRegime == nil {
					inp.NotifiedByRegime = map[deadline.Regime]time.Time{}
				}
				inp.NotifiedByRegime[regime] = t
				break
			}
		}
	}
	return inp, decisions
}

// Compute returns the incident's deadlines as the store keeps them, with the regime decisions that
// selected them. Times are in the store's precision.
func Compute(org domain.Organisation, in domain.Incident, answers deadline.Answers, subs []domain.IncidentSubmission) ([]domain.IncidentDeadline, []deadline.Decision) {
	inp, decisions := Input(org, in, answers, subs)
	provisional := map[deadline.Regime]bool{}
	for _, d := range decisions {
		provisional[d.Regime] = d.Applies && d.Provisional
	}
	clock := ClockOf(in)
	var out []domain.IncidentDeadline
	for _, d := range deadline.Compute(inp) {
		row := domain.IncidentDeadline{
			DeadlineID: d.ID, Regime: string(d.Regime), Title: d.Title, StartsWith: string(d.StartsWith), Period: d.Period,
			PeriodKind: periodKind(d.Period), LegalNote: d.LegalNote, Pending: d.Pending, Provisional: provisional[d.Regime],
			Active: true, Recipient: d.Recipient, Basis: d.Basis, Note: d.Note,
		}
		if start, ok := startOf(d, inp); ok {
			t := store.TS(start)
			row.StartsAt = &t
		}
		if d.Due != nil {
			due, real := store.TS(*d.Due), store.TS(clock.Real(*d.Due))
			row.Due, row.DueReal = &due, &real
		}
		if d.LegalEnd != nil {
			t := store.TS(*d.LegalEnd)
			row.LegalEnd = &t
		}
		out = append(out, row)
	}
	return out, decisions
}

func startOf(d deadline.Deadline, in deadline.Input) (time.Time, bool) {
	switch d.StartsWith {
	case deadline.EventAwareness:
		return in.Aware, true
	case deadline.EventNotification:
		t, ok := in.NotifiedByRegime[d.Regime]
		if !ok && in.Notified != nil {
			return *in.Notified, true
		}
		return t, ok
	case deadline.EventFixAvailable:
		if in.FixAvailable != nil {
			return maxTime(*in.FixAvailable, in.Aware), true
		}
	}
	return time.Time{}, false
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// periodKind reads the unit of deadline.Period's text ("24 hours", "15 days", "1 month").
func periodKind(p string) string {
	switch {
	case strings.HasSuffix(p, "hour") || strings.HasSuffix(p, "hours"):
		return "hours"
	case strings.HasSuffix(p, "day") || strings.HasSuffix(p, "days"):
		return "days"
	case strings.HasSuffix(p, "month") || strings.HasSuffix(p, "months"):
		return "months"
	}
	return "none"
}

// Recompute recomputes an incident's clocks inside tx (which holds the incident's row) and stores them;
// the timeline shows what changed and reason.
func Recompute(ctx context.Context, tx *store.Tx, id int64, reason string) error {
	in, err := tx.Incident(ctx, id)
	if err != nil {
		return err
	}
	org, err := tx.Store().Org(ctx, tx.Org())
	if err != nil {
		return err
	}
	history, err := tx.IncidentAnswers(ctx, id)
	if err != nil {
		return err
	}
	subs, err := tx.IncidentSubmissions(ctx, id)
	if err != nil {
		return err
	}
	assets, err := tx.IncidentAssets(ctx, id)
	if err != nil {
		return err
	}
	answers, _ := EffectiveAnswers(org, history, assets)
	ds, _ := Compute(org, in, answers, subs)
	if err := tx.SaveIncidentDeadlines(ctx, id, ds, reason); err != nil {
		return fmt.Errorf("incident %d clocks: %w", id, err)
	}
	return nil
}

// ComputedClock is one deadline of a stateless computation (`vigil incident deadlines`, POST
// /api/v1/incident-deadlines): due times in UTC and in the input's zone, both RFC 3339. A pending
// deadline has no due time and says in WaitingFor what starts it.
type ComputedClock struct {
	ID            string `json:"id"`
	Regime        string `json:"regime"`
	Title         string `json:"title"`
	Due           string `json:"due,omitempty"`
	DueLocal      string `json:"due_local,omitempty"`
	LegalEnd      string `json:"legal_end,omitempty"`
	LegalEndLocal string `json:"legal_end_local,omitempty"`
	LegalNote     string `json:"legal_note,omitempty"`
	Pending       bool   `json:"pending"`
	StartsWith    string `json:"starts_with"`
	WaitingFor    string `json:"waiting_for,omitempty"`
	Period        string `json:"period"`
	Recipient     string `json:"recipient"`
	Basis         string `json:"basis"`
	Note          string `json:"note,omitempty"`
}

// ComputeClocks runs deadline.Compute and formats the result as ComputedClocks (most urgent first).
func ComputeClocks(in deadline.Input) []ComputedClock {
	loc := in.Location
	if loc == nil {
		loc = time.UTC
	}
	out := []ComputedClock{}
	for _, d := range deadline.Compute(in) {
		c := ComputedClock{ID: d.ID, Regime: string(d.Regime), Title: d.Title, LegalNote: d.LegalNote, Pending: d.Pending,
			StartsWith: string(d.StartsWith), Period: d.Period, Recipient: d.Recipient, Basis: d.Basis, Note: d.Note}
		if d.Due != nil {
			c.Due, c.DueLocal = d.Due.UTC().Format(time.RFC3339), d.Due.In(loc).Format(time.RFC3339)
		}
		if d.LegalEnd != nil {
			c.LegalEnd, c.LegalEndLocal = d.LegalEnd.UTC().Format(time.RFC3339), d.LegalEnd.In(loc).Format(time.RFC3339)
		}
		if d.Pending {
			c.WaitingFor = d.StartsWith.Describe()
		}
		out = append(out, c)
	}
	return out
}
