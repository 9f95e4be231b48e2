package incident

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/regulation/deadline"
	"github.com/vigil-med/vigil/internal/report/pdf"
	"github.com/vigil-med/vigil/internal/store"
)

// Draft is a report as it stands: the latest saved version, or the template pre-filled from the incident
// when nothing was saved yet.
type Draft struct {
	Template deadline.ReportTemplate `json:"template"`
	// Version is the saved version shown (0: not saved yet, pre-filled only).
	Version int               `json:"version"`
	Fields  map[string]string `json:"fields"`
	// Prefilled names the fields whose value came from the incident (in an unsaved draft).
	Prefilled map[string]bool             `json:"prefilled,omitempty"`
	Saved     *domain.IncidentReport      `json:"saved,omitempty"`
	Submitted []domain.IncidentSubmission `json:"submitted,omitempty"` // submissions of this report's deadline
	Missing   []string                    `json:"missing"`             // labels of required fields still empty
}

// MaxReportField bounds one field's text.
const MaxReportField = 20000

// Templates returns the report templates of the regimes that apply to the incident, in data order,
// plus any template that already has a saved version.
func (r *Record) Templates() []deadline.ReportTemplate {
	apply := map[deadline.Regime]bool{}
	for _, d := range r.Applicability {
		apply[d.Regime] = d.Applies
	}
	saved := map[string]bool{}
	for _, rep := range r.Reports {
		saved[rep.TemplateID] = true
	}
	var out []deadline.ReportTemplate
	for _, t := range deadline.Reports().Templates {
		ok := saved[t.ID]
		for _, rg := range t.Regimes {
			ok = ok || apply[rg]
		}
		if ok {
			out = append(out, t)
		}
	}
	return out
}

// Draft returns the draft of a report template for the incident: the given saved version (0: the latest)
// or, when none was saved, the template pre-filled from the incident.
func (r *Record) Draft(templateID string, version int) (Draft, error) {
	t, ok := deadline.ReportByID(templateID)
	if !ok {
		return Draft{}, domain.NotFound("report template " + strconv.Quote(templateID))
	}
	d := Draft{Template: t, Fields: map[string]string{}}
	for i := range r.Reports {
		rep := r.Reports[i]
		if rep.TemplateID == templateID && (version == 0 || rep.Version == version) && (d.Saved == nil || rep.Version > d.Saved.Version) {
			d.Saved = &rep
		}
	}
	switch {
	case d.Saved != nil:
		d.Version, d.Fields = d.Saved.Version, d.Saved.Fields
	case version != 0:
		return Draft{}, domain.NotFound(fmt.Sprintf("version %d of report %s", version, templateID))
	default:
		d.Fields, d.Prefilled = r.Prefill(t), map[string]bool{}
		for k, v := range d.Fields {
			d.Prefilled[k] = v != ""
		}
	}
	for _, s := range r.Submissions {
		if s.DeadlineID == t.Deadline {
			d.Submitted = append(d.Submitted, s)
		}
	}
	d.Missing = []string{}
	for _, f := range t.Fields {
		if f.Required && strings.TrimSpace(d.Fields[f.ID]) == "" {
			d.Missing = append(d.Missing, f.Label)
		}
	}
	return d, nil
}

// Prefill fills a template's fields from the incident by their prefill hints. Values are text as the
// form shows them: lists one item a line, times in the organisation's zone, yes/no/unknown as such.
// Choice fields are filled only with one of their options.
func (r *Record) Prefill(t deadline.ReportTemplate) map[string]string {
	out := map[string]string{}
	for _, f := range t.Fields {
		v := r.prefillValue(f.Prefill)
		if f.Type == "choice" && !slices.Contains(f.Options, v) {
			v = ""
		}
		if f.Type == "yes-no-unknown" && v != "" && v != "yes" && v != "no" && v != "unknown" {
			v = ""
		}
		out[f.ID] = v
	}
	return out
}

func (r *Record) prefillValue(key string) string {
	in := r.Incident
	loc := r.Org.Location()
	when := func(t *time.Time) string {
		if t == nil || t.IsZero() {
			return ""
		}
		return t.In(loc).Format(DateTimeLayout)
	}
	num := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	switch key {
	case "organisation.name":
		return r.Org.Name
	case "organisation.security_contact":
		return r.SecurityContact
	case "organisation.dpo_contact":
		return r.DPOContact
	case "incident.aware_at":
		return when(&in.AwareAt)
	case "incident.detected_at":
		return when(in.DetectedAt)
	case "incident.description":
		return in.Description
	case "incident.suspected_malicious":
		return in.SuspectedMalicious
	case "incident.cross_border":
		return in.CrossBorder
	case "incident.severity":
		return in.Severity
	case "incident.impact":
		return in.Impact
	case "incident.iocs":
		return strings.Join(in.IOCs, "\n")
	case "incident.root_cause":
		return in.RootCause
	case "incident.devices":
		var l []string
		for _, a := range r.Assets {
			l = append(l, DeviceLine(a))
		}
		return strings.Join(append(l, in.Devices...), "\n")
	case "incident.sites":
		return strings.Join(in.Sites, "\n")
	case "incident.patient_safety_impact":
		return in.PatientSafety
	case "incident.patients_affected":
		return num(int64(in.PatientsAffected))
	case "incident.data_categories":
		return strings.Join(in.DataCategories, "\n")
	case "incident.data_subject_categories":
		return strings.Join(in.DataSubjectCategories, "\n")
	case "incident.data_subject_count":
		return num(in.DataSubjects)
	case "incident.record_count":
		return num(in.DataRecords)
	case "incident.actions":
		var l []string
		for _, a := range r.Actions {
			if a.Kind != domain.ActionResponse {
				continue
			}
			state := "planned"
			if a.Done {
				state = "done"
			}
			l = append(l, a.Title+" ("+state+")")
		}
		return strings.Join(l, "\n")
	case "incident.timeline":
		var l []string
		for _, e := range r.Timeline {
			if e.Kind == "reminder" {
				continue
			}
			l = append(l, e.At.In(loc).Format(DateTimeLayout)+" — "+e.Summary)
		}
		return strings.Join(l, "\n")
	}
	return ""
}

// DateTimeLayout is how report fields and the CLI write local times.
const DateTimeLayout = "2006-01-02 15:04 MST"

// ValidateFields checks submitted values against the template: known field ids, bounded length,
// numbers, yes/no/unknown and choices. Empty values are allowed (a draft may be incomplete); dates are
// free text in the organisation's zone.
func ValidateFields(t deadline.ReportTemplate, fields map[string]string) (map[string]string, error) {
	out := map[string]string{}
	byID := map[string]deadline.Field{}
	for _, f := range t.Fields {
		byID[f.ID] = f
	}
	for id, v := range fields {
		f, ok := byID[id]
		if !ok {
			return nil, domain.Invalid("fields."+id, "is not a field of %s", t.ID)
		}
		v = strings.TrimSpace(strings.ReplaceAll(v, "\r\n", "\n"))
		if len(v) > MaxReportField {
			return nil, domain.Invalid("fields."+id, "is longer than %d characters", MaxReportField)
		}
		if v != "" {
			switch f.Type {
			case "number":
				if n, err := strconv.ParseInt(strings.ReplaceAll(v, " ", ""), 10, 64); err != nil || n < 0 {
					return nil, domain.Invalid("fields."+id, "must be a whole number (approximate is fine), got %q", v)
				}
			case "yes-no-unknown":
				if v != "yes" && v != "no" && v != "unknown" {
					return nil, domain.Invalid("fields."+id, "must be yes, no or unknown")
				}
			case "choice":
				if !slices.Contains(f.Options, v) {
					return nil, domain.Invalid("fields."+id, "must be one of %s", strings.Join(f.Options, ", "))
				}
			}
		}
		out[id] = v
	}
	return out, nil
}

// SaveReport validates the fields and stores them as a new version of the report draft.
func SaveReport(ctx context.Context, sc *store.Scope, incidentID int64, templateID string, fields map[string]string) (domain.IncidentReport, error) {
	t, ok := deadline.ReportByID(templateID)
	if !ok {
		return domain.IncidentReport{}, domain.NotFound("report template " + strconv.Quote(templateID))
	}
	clean, err := ValidateFields(t, fields)
	if err != nil {
		return domain.IncidentReport{}, err
	}
	rep := domain.IncidentReport{IncidentID: incidentID, TemplateID: templateID, Fields: clean}
	err = sc.Write(ctx, func(tx *store.Tx) error { return tx.SaveIncidentReport(ctx, &rep) })
	return rep, err
}

// ReportJSON is the machine-readable export of a report draft.
type ReportJSON struct {
	Report       string                      `json:"report"`
	Title        string                      `json:"title"`
	Basis        string                      `json:"basis"`
	Deadline     string                      `json:"deadline"`
	Due          *time.Time                  `json:"due,omitempty"`
	Recipient    string                      `json:"recipient,omitempty"`
	Organisation string                      `json:"organisation"`
	Incident     string                      `json:"incident"`
	IncidentID   int64                       `json:"incident_id"`
	Exercise     bool                        `json:"exercise"`
	Version      int                         `json:"version"`
	Fields       []ReportJSONField           `json:"fields"`
	Missing      []string                    `json:"missing_required"`
	Submissions  []domain.IncidentSubmission `json:"submissions"`
	Generated    time.Time                   `json:"generated"`
}

// ReportJSONField is one field of the export.
type ReportJSONField struct {
	ID       string `json:"id"`
	Label    string `json:"label"`
	Type     string `json:"type"`
	Ref      string `json:"ref,omitempty"`
	Required bool   `json:"required"`
	Value    string `json:"value"`
}

// Export returns the JSON export of a draft.
func (r *Record) Export(d Draft, now time.Time) ReportJSON {
	out := ReportJSON{Report: d.Template.ID, Title: d.Template.Title, Basis: d.Template.Basis, Deadline: d.Template.Deadline,
		Organisation: r.Org.Name, Incident: r.Incident.Title, IncidentID: r.Incident.ID, Exercise: r.Incident.Exercise,
		Version: d.Version, Missing: d.Missing, Submissions: d.Submitted, Generated: now.UTC()}
	if out.Submissions == nil {
		out.Submissions = []domain.IncidentSubmission{}
	}
	for _, dl := range r.Deadlines {
		if dl.DeadlineID == d.Template.Deadline && dl.Active {
			out.Due, out.Recipient = dl.Due, dl.Recipient
		}
	}
	for _, f := range d.Template.Fields {
		out.Fields = append(out.Fields, ReportJSONField{ID: f.ID, Label: f.Label, Type: f.Type, Ref: f.Ref, Required: f.Required, Value: d.Fields[f.ID]})
	}
	return out
}

// PDF renders a draft as a PDF: a header with the legal basis, deadline and recipient, every field with
// its value and reference, and the submissions recorded. Exercises are marked on every page's title.
func (r *Record) PDF(d Draft, now time.Time) ([]byte, error) {
	loc := r.Org.Location()
	title := d.Template.Title
	if r.Incident.Exercise {
		title = "EXERCISE — " + title
	}
	doc := pdf.New(pdf.Meta{Title: title, Subtitle: r.Incident.Ref() + ": " + r.Incident.Title, Organisation: r.Org.Name,
		Generated: now, Location: loc, Confidential: true})
	if r.Incident.Exercise {
		doc.P("EXERCISE — a training exercise, not a real incident. Do not send this report to an authority.")
	}
	kv := [][2]string{{"Legal basis", d.Template.Basis}}
	for _, dl := range r.Deadlines {
		if dl.DeadlineID == d.Template.Deadline && dl.Active {
			due := "starts with " + deadline.Event(dl.StartsWith).Describe()
			if dl.Due != nil {
				due = dl.Due.In(loc).Format(DateTimeLayout)
			} else if !dl.Pending {
				due = "without undue delay (no fixed period)"
			}
			kv = append(kv, [2]string{"Deadline", dl.Title + ": " + due}, [2]string{"Recipient", dl.Recipient})
		}
	}
	version := "not saved yet (pre-filled from the incident)"
	if d.Version > 0 {
		version = fmt.Sprintf("%d, saved %s by %s", d.Version, d.Saved.Created.In(loc).Format(DateTimeLayout), d.Saved.CreatedBy)
	}
	kv = append(kv, [2]string{"Incident", r.Incident.Ref() + " — aware " + r.Incident.AwareAt.In(loc).Format(DateTimeLayout)},
		[2]string{"Draft version", version})
	doc.KV(kv)
	if d.Template.Note != "" {
		doc.Note(d.Template.Note)
	}
	doc.H1("Contents")
	for _, f := range d.Template.Fields {
		doc.H2(f.Label)
		v := strings.TrimSpace(d.Fields[f.ID])
		switch {
		case v == "" && f.Required:
			doc.P("— not yet known (required) —")
		case v == "":
			doc.P("—")
		case f.Type == "list":
			doc.Bullets(strings.Split(v, "\n"))
		default:
			doc.P(v)
		}
		ref := f.Ref
		if ref == "" {
			ref = "not required by law; asked for by report forms"
		}
		doc.Note(ref)
	}
	if len(d.Submitted) > 0 {
		doc.H1("Submissions")
		var rows [][]string
		for _, s := range d.Submitted {
			rows = append(rows, []string{s.SubmittedAt.In(loc).Format(DateTimeLayout), s.Recipient, s.Reference, s.By})
		}
		doc.Table([]string{"When", "To", "Reference", "By"}, []float64{2, 3, 2, 2}, rows)
	}
	return doc.Bytes()
}

// DeviceLine describes a linked device in one line for reports and lists: "RAD-WS-07 — Siemens
// Healthineers syngo.via VB60 (host rad-ws-07; criticality critical; zone Imaging modalities)".
func DeviceLine(a domain.IncidentAsset) string {
	what := strings.TrimSpace(a.Manufacturer + " " + a.Product + " " + a.Version)
	var ctx []string
	if a.Hostname != "" {
		ctx = append(ctx, "host "+a.Hostname)
	}
	ctx = append(ctx, "criticality "+string(a.Criticality))
	if a.Zone != "" {
		ctx = append(ctx, "zone "+a.Zone)
	}
	if a.Location != "" {
		ctx = append(ctx, a.Location)
	}
	return a.Name() + " — " + what + " (" + strings.Join(ctx, "; ") + ")"
}
