package api

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/httpx"
	"github.com/vigil-med/vigil/internal/incident"
	"github.com/vigil-med/vigil/internal/regulation"
	"github.com/vigil-med/vigil/internal/regulation/deadline"
	"github.com/vigil-med/vigil/internal/store"
)

// IncidentInput opens an incident or replaces its facts (PUT replaces every field; answers only on create).
type IncidentInput struct {
	Title                 string                  `json:"title"`
	Description           string                  `json:"description,omitempty"`
	Category              domain.IncidentCategory `json:"category,omitempty" doc:"ransomware, data-breach, device-malfunction, supplier-compromise, outage, other"`
	Severity              string                  `json:"severity,omitempty" doc:"low, medium, high, critical; empty: not assessed"`
	DetectedAt            *time.Time              `json:"detected_at,omitempty"`
	AwareAt               time.Time               `json:"aware_at" doc:"when the organisation became aware; most clocks run from it"`
	FixAvailableAt        *time.Time              `json:"fix_available_at,omitempty"`
	Impact                string                  `json:"impact,omitempty"`
	Sites                 []string                `json:"sites,omitempty"`
	Services              []string                `json:"services,omitempty"`
	Devices               []string                `json:"devices,omitempty" doc:"other affected systems, as text (what the inventory does not hold)"`
	AssetIDs              []int64                 `json:"asset_ids,omitempty" doc:"affected inventory devices (GET /inventory/assets); on PUT an absent list keeps the links, [] removes them"`
	PatientSafety         string                  `json:"patient_safety,omitempty"`
	PatientsAffected      int                     `json:"patients_affected,omitempty"`
	DataCategories        []string                `json:"data_categories,omitempty"`
	DataSubjectCategories []string                `json:"data_subject_categories,omitempty"`
	DataSubjects          int64                   `json:"data_subjects,omitempty"`
	DataRecords           int64                   `json:"data_records,omitempty"`
	CrossBorder           string                  `json:"cross_border,omitempty" doc:"yes, no, unknown"`
	SuspectedMalicious    string                  `json:"suspected_malicious,omitempty" doc:"yes, no, unknown"`
	RootCause             string                  `json:"root_cause,omitempty"`
	IOCs                  []string                `json:"iocs,omitempty"`
	OwnerID               int64                   `json:"owner_id,omitempty"`
	Answers               map[string]string       `json:"answers,omitempty" doc:"question id → answer id (GET /incident-questions); create only"`
}

func (in IncidentInput) incident() domain.Incident {
	return domain.Incident{Title: in.Title, Description: in.Description, Category: in.Category, Severity: in.Severity,
		DetectedAt: in.DetectedAt, AwareAt: in.AwareAt, FixAvailableAt: in.FixAvailableAt, Impact: in.Impact, Sites: in.Sites,
		Services: in.Services, Devices: in.Devices, PatientSafety: in.PatientSafety, PatientsAffected: in.PatientsAffected,
		DataCategories: in.DataCategories, DataSubjectCategories: in.DataSubjectCategories, DataSubjects: in.DataSubjects,
		DataRecords: in.DataRecords, CrossBorder: in.CrossBorder, SuspectedMalicious: in.SuspectedMalicious, RootCause: in.RootCause,
		IOCs: in.IOCs, OwnerID: in.OwnerID}
}

// IncidentDetail is an incident record with its clocks at the time of the request, most urgent first.
type IncidentDetail struct {
	*incident.Record
	Clocks []incident.Countdown `json:"clocks"`
}

// AssetLinksInput sets the inventory devices an incident affects.
type AssetLinksInput struct {
	AssetIDs []int64 `json:"asset_ids" doc:"device ids of the organisation; [] removes every link"`
}

// StatusInput changes an incident's status.
type StatusInput struct {
	Status domain.IncidentStatus `json:"status" doc:"open, contained, resolved, closed"`
	Note   string                `json:"note,omitempty"`
}

// AnswersInput changes answers to the guided questions.
type AnswersInput struct {
	Answers map[string]string `json:"answers" doc:"question id → answer id"`
	Note    string            `json:"note,omitempty" doc:"why, kept with each changed answer"`
}

// AnswersView is the current answers, where each comes from and the full history.
type AnswersView struct {
	Answers map[string]string       `json:"answers"`
	Sources map[string]string       `json:"sources" doc:"answered or organisation type"`
	History []domain.IncidentAnswer `json:"history"`
	Changed int                     `json:"changed,omitempty"`
}

// DeadlinesView is which regimes apply (with reasons) and the clocks.
type DeadlinesView struct {
	Applicability []deadline.Decision  `json:"applicability"`
	Clocks        []incident.Countdown `json:"clocks"`
}

// NoteInput adds a note to the timeline.
type NoteInput struct {
	Text string `json:"text"`
}

// ActionInput adds or changes an action.
type ActionInput struct {
	Kind    string     `json:"kind,omitempty" doc:"response (default) or improvement"`
	Title   string     `json:"title"`
	Owner   string     `json:"owner,omitempty"`
	OwnerID int64      `json:"owner_id,omitempty"`
	Due     *time.Time `json:"due,omitempty"`
	Done    bool       `json:"done,omitempty"`
}

// DecisionInput records a decision.
type DecisionInput struct {
	What      string    `json:"what"`
	Who       string    `json:"who"`
	DecidedAt time.Time `json:"decided_at,omitzero" doc:"default: now"`
}

// ReportInput saves a new version of a report draft.
type ReportInput struct {
	Fields map[string]string `json:"fields" doc:"field id → value (lists one item a line)"`
}

// ReportsView lists the report templates that apply with the saved versions.
type ReportsView struct {
	Templates []deadline.ReportTemplate `json:"templates"`
	Versions  []domain.IncidentReport   `json:"versions"`
}

// SubmissionInput records a submission.
type SubmissionInput struct {
	DeadlineID  string    `json:"deadline_id" doc:"e.g. nis2.23.ew; closes that clock"`
	SubmittedAt time.Time `json:"submitted_at,omitzero" doc:"default: now"`
	Recipient   string    `json:"recipient"`
	Reference   string    `json:"reference,omitempty"`
	ReportID    int64     `json:"report_id,omitempty" doc:"the report version sent"`
	Note        string    `json:"note,omitempty"`
}

// ReviewInput saves the post-incident review.
type ReviewInput struct {
	WhatHappened string   `json:"what_happened"`
	WentWell     string   `json:"went_well"`
	ToImprove    string   `json:"to_improve"`
	Lessons      []string `json:"lessons,omitempty"`
}

// ClocksInput computes deadlines without an incident (as `vigil incident deadlines`).
type ClocksInput struct {
	Aware        time.Time  `json:"aware"`
	Notified     *time.Time `json:"notified,omitempty"`
	FixAvailable *time.Time `json:"fix_available,omitempty"`
	TimeZone     string     `json:"time_zone,omitempty" doc:"IANA; default the organisation's"`
	Regimes      []string   `json:"regimes"`
	Country      string     `json:"country,omitempty" doc:"Member State overlay; default the organisation's"`
}

// InjectView is an exercise inject with whether it has been released.
type InjectView struct {
	incident.DueInject
	Released bool `json:"released"`
}

// IncidentRoutes registers the incident module's operations. now is the clock of countdowns.
func (a *API) IncidentRoutes(now func() time.Time) {
	const tag = "incidents"
	idParam := []Param{{Name: "id", In: "path", Type: "integer", Description: "incident id (another organisation's id is 404)"}}
	read, write := domain.PermRead, domain.PermIncidents
	detail := func(c *Call, id int64) (IncidentDetail, error) {
		rec, err := incident.Load(c.Ctx(), c.Scope, id)
		if err != nil {
			return IncidentDetail{}, err
		}
		return IncidentDetail{Record: rec, Clocks: incident.Countdowns(rec.Incident, rec.Active(), now())}, nil
	}
	withID := func(c *Call) (int64, error) {
		id, err := c.PathInt("id")
		if err != nil {
			return 0, err
		}
		_, err = c.Scope.Incident(c.Ctx(), id)
		return id, err
	}

	Handle(a, Op{Method: http.MethodGet, Path: "/incidents", ID: "listIncidents", Tag: tag, Perm: read,
		Summary: "List incidents, or exercises with exercise=true (never mixed)",
		Params: append([]Param{
			{Name: "exercise", In: "query", Type: "boolean", Description: "list exercises instead of real incidents"},
			{Name: "status", In: "query", Description: "comma-separated statuses: open, contained, resolved, closed"},
			{Name: "category", In: "query", Enum: categoryNames()},
		}, ListParams...)},
		func(c *Call, _ Empty) (domain.Page[domain.Incident], error) {
			p, err := c.List()
			if err != nil {
				return domain.Page[domain.Incident]{}, err
			}
			f := domain.IncidentFilter{ListParams: p}
			if f.Exercise, err = c.QueryBool("exercise"); err != nil {
				return domain.Page[domain.Incident]{}, err
			}
			if s := c.Query("status"); s != "" {
				for _, part := range strings.Split(s, ",") {
					st, err := domain.ParseIncidentStatus(part)
					if err != nil {
						return domain.Page[domain.Incident]{}, err
					}
					f.Status = append(f.Status, st)
				}
			}
			if s := c.Query("category"); s != "" {
				if f.Category, err = domain.ParseIncidentCategory(s); err != nil {
					return domain.Page[domain.Incident]{}, err
				}
			}
			return c.Scope.Incidents(c.Ctx(), f)
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/incidents", ID: "createIncident", Tag: tag, Perm: write, Status: http.StatusCreated,
		Summary: "Open an incident (with optional answers) and compute its clocks"},
		func(c *Call, in IncidentInput) (IncidentDetail, error) {
			inc := in.incident()
			if err := incident.CreateWithDevices(c.Ctx(), c.Scope, &inc, in.Answers, in.AssetIDs); err != nil {
				return IncidentDetail{}, err
			}
			return detail(c, inc.ID)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/incidents/{id}", ID: "getIncident", Tag: tag, Perm: read, Params: idParam,
		Summary: "An incident with answers, applicability, clocks (most urgent first), timeline, actions, reports and review"},
		func(c *Call, _ Empty) (IncidentDetail, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return IncidentDetail{}, err
			}
			return detail(c, id)
		})
	Handle(a, Op{Method: http.MethodPut, Path: "/incidents/{id}", ID: "updateIncident", Tag: tag, Perm: write, Params: idParam,
		Summary: "Replace an incident's facts and recompute its clocks (status: POST …/status; answers: PUT …/answers)"},
		func(c *Call, in IncidentInput) (IncidentDetail, error) {
			id, err := withID(c)
			if err != nil {
				return IncidentDetail{}, err
			}
			if len(in.Answers) > 0 {
				return IncidentDetail{}, domain.Invalid("answers", "change answers with PUT /incidents/{id}/answers")
			}
			inc := in.incident()
			inc.ID = id
			if err := incident.UpdateWithDevices(c.Ctx(), c.Scope, inc, in.AssetIDs); err != nil {
				return IncidentDetail{}, err
			}
			return detail(c, id)
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/incidents/{id}/status", ID: "setIncidentStatus", Tag: tag, Perm: write, Params: idParam,
		Summary: "Move an incident to another status (shown on its timeline)"},
		func(c *Call, in StatusInput) (IncidentDetail, error) {
			id, err := withID(c)
			if err != nil {
				return IncidentDetail{}, err
			}
			if err := incident.SetStatus(c.Ctx(), c.Scope, id, in.Status, in.Note); err != nil {
				return IncidentDetail{}, err
			}
			return detail(c, id)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/incidents/{id}/assets", ID: "listIncidentAssets", Tag: tag, Perm: read, Params: idParam,
		Summary: "The inventory devices the incident affects, most critical first, with zone and criticality"},
		func(c *Call, _ Empty) ([]domain.IncidentAsset, error) {
			id, err := withID(c)
			if err != nil {
				return nil, err
			}
			return c.Scope.IncidentAssets(c.Ctx(), id)
		})
	Handle(a, Op{Method: http.MethodPut, Path: "/incidents/{id}/assets", ID: "setIncidentAssets", Tag: tag, Perm: write, Params: idParam,
		Summary: "Replace the affected inventory devices; the clocks are recomputed (linked devices give default answers)"},
		func(c *Call, in AssetLinksInput) ([]domain.IncidentAsset, error) {
			id, err := withID(c)
			if err != nil {
				return nil, err
			}
			if _, err := incident.SetDevices(c.Ctx(), c.Scope, id, in.AssetIDs); err != nil {
				return nil, err
			}
			return c.Scope.IncidentAssets(c.Ctx(), id)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/inventory/assets/{id}/incidents", ID: "listAssetIncidents", Tag: tag, Perm: read,
		Params:  []Param{{Name: "id", In: "path", Type: "integer", Description: "device id (another organisation's id is 404)"}},
		Summary: "The real incidents a device is linked to, newest first (exercises are not listed)"},
		func(c *Call, _ Empty) ([]domain.Incident, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return nil, err
			}
			if _, err := c.Scope.Asset(c.Ctx(), id); err != nil {
				return nil, err
			}
			return c.Scope.AssetIncidents(c.Ctx(), id)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/incident-questions", ID: "listIncidentQuestions", Tag: tag, Perm: read,
		Summary: "The guided questions that decide which reporting regimes apply"},
		func(c *Call, _ Empty) (deadline.QuestionSet, error) { return deadline.Questions(), nil })
	Handle(a, Op{Method: http.MethodGet, Path: "/incidents/{id}/answers", ID: "getIncidentAnswers", Tag: tag, Perm: read, Params: idParam,
		Summary: "Current answers, where each comes from, and every answer given (who, when)"},
		func(c *Call, _ Empty) (AnswersView, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return AnswersView{}, err
			}
			rec, err := incident.Load(c.Ctx(), c.Scope, id)
			if err != nil {
				return AnswersView{}, err
			}
			return AnswersView{Answers: rec.Answers, Sources: rec.AnswerSources, History: rec.AnswerHistory}, nil
		})
	Handle(a, Op{Method: http.MethodPut, Path: "/incidents/{id}/answers", ID: "setIncidentAnswers", Tag: tag, Perm: write, Params: idParam,
		Summary: "Change answers; the clocks are recomputed and the timeline shows the change"},
		func(c *Call, in AnswersInput) (AnswersView, error) {
			id, err := withID(c)
			if err != nil {
				return AnswersView{}, err
			}
			n, err := incident.SetAnswers(c.Ctx(), c.Scope, id, in.Answers, in.Note)
			if err != nil {
				return AnswersView{}, err
			}
			rec, err := incident.Load(c.Ctx(), c.Scope, id)
			if err != nil {
				return AnswersView{}, err
			}
			return AnswersView{Answers: rec.Answers, Sources: rec.AnswerSources, History: rec.AnswerHistory, Changed: n}, nil
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/incidents/{id}/deadlines", ID: "getIncidentDeadlines", Tag: tag, Perm: read, Params: idParam,
		Summary: "Which regimes apply and why, and the clocks with the time left"},
		func(c *Call, _ Empty) (DeadlinesView, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return DeadlinesView{}, err
			}
			rec, err := incident.Load(c.Ctx(), c.Scope, id)
			if err != nil {
				return DeadlinesView{}, err
			}
			return DeadlinesView{Applicability: rec.Applicability, Clocks: incident.Countdowns(rec.Incident, rec.Deadlines, now())}, nil
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/incident-deadlines", ID: "computeIncidentDeadlines", Tag: tag, Perm: read,
		Summary: "Compute reporting deadlines from times and regimes without an incident"},
		func(c *Call, in ClocksInput) ([]incident.ComputedClock, error) {
			org := c.Principal.Org
			tz := in.TimeZone
			if tz == "" {
				tz = org.TimeZone
			}
			loc, err := time.LoadLocation(tz)
			if err != nil {
				return nil, domain.Invalid("time_zone", "unknown time zone %q", tz)
			}
			if in.Aware.IsZero() {
				return nil, domain.Invalid("aware", "is required")
			}
			inp := deadline.Input{Aware: in.Aware, Notified: in.Notified, FixAvailable: in.FixAvailable, Location: loc}
			if len(in.Regimes) == 0 {
				return nil, domain.Invalid("regimes", "give at least one")
			}
			for i, r := range in.Regimes {
				rg, err := deadline.ParseRegime(r)
				if err != nil {
					return nil, domain.Invalid(fmt.Sprintf("regimes[%d]", i), "%v", err)
				}
				inp.Regimes = append(inp.Regimes, rg)
			}
			country := in.Country
			if country == "" {
				country = org.Country
			}
			if o, ok := regulation.OverlayFor(country); ok {
				inp.National = o.Deadlines()
			} else if in.Country != "" {
				return nil, domain.Invalid("country", "no Member State overlay for %q", in.Country)
			}
			if err := inp.Validate(); err != nil {
				return nil, domain.Invalid("$", "%v", err)
			}
			return incident.ComputeClocks(inp), nil
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/incidents/{id}/timeline", ID: "getIncidentTimeline", Tag: tag, Perm: read, Params: idParam,
		Summary: "The incident's timeline, oldest first"},
		func(c *Call, _ Empty) ([]domain.IncidentEvent, error) {
			id, err := withID(c)
			if err != nil {
				return nil, err
			}
			return c.Scope.IncidentEvents(c.Ctx(), id)
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/incidents/{id}/notes", ID: "addIncidentNote", Tag: tag, Perm: write, Params: idParam, Status: http.StatusCreated,
		Summary: "Add a note to the timeline"},
		func(c *Call, in NoteInput) (Empty, error) {
			id, err := withID(c)
			if err != nil {
				return Empty{}, err
			}
			return Empty{}, c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.AddIncidentEvent(c.Ctx(), id, "note", in.Text, "") })
		})
	a.incidentItemRoutes(tag, idParam, withID, now)
}

func categoryNames() []string {
	out := make([]string, len(domain.IncidentCategories))
	for i, c := range domain.IncidentCategories {
		out[i] = string(c)
	}
	return out
}

// incidentItemRoutes registers actions, decisions, attachments, reports, submissions, review and exercises.
func (a *API) incidentItemRoutes(tag string, idParam []Param, withID func(*Call) (int64, error), now func() time.Time) {
	read, write := domain.PermRead, domain.PermIncidents
	Handle(a, Op{Method: http.MethodGet, Path: "/incidents/{id}/actions", ID: "listIncidentActions", Tag: tag, Perm: read, Params: idParam,
		Summary: "The incident's actions, open ones first"},
		func(c *Call, _ Empty) ([]domain.IncidentAction, error) {
			id, err := withID(c)
			if err != nil {
				return nil, err
			}
			return c.Scope.IncidentActions(c.Ctx(), id)
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/incidents/{id}/actions", ID: "addIncidentAction", Tag: tag, Perm: write, Params: idParam, Status: http.StatusCreated,
		Summary: "Add an action (owner, due date)"},
		func(c *Call, in ActionInput) (domain.IncidentAction, error) {
			id, err := withID(c)
			if err != nil {
				return domain.IncidentAction{}, err
			}
			act := domain.IncidentAction{IncidentID: id, Kind: in.Kind, Title: in.Title, Owner: in.Owner, OwnerID: in.OwnerID, Due: in.Due, Done: in.Done}
			err = c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.AddIncidentAction(c.Ctx(), &act) })
			return act, err
		})
	Handle(a, Op{Method: http.MethodPut, Path: "/incidents/{id}/actions/{action}", ID: "updateIncidentAction", Tag: tag, Perm: write,
		Params: append(idParam, Param{Name: "action", In: "path", Type: "integer"}), Summary: "Change an action or mark it done"},
		func(c *Call, in ActionInput) (domain.IncidentAction, error) {
			id, err := withID(c)
			if err != nil {
				return domain.IncidentAction{}, err
			}
			aid, err := c.PathInt("action")
			if err != nil {
				return domain.IncidentAction{}, err
			}
			act := domain.IncidentAction{ID: aid, IncidentID: id, Kind: in.Kind, Title: in.Title, Owner: in.Owner, OwnerID: in.OwnerID, Due: in.Due, Done: in.Done}
			if err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.UpdateIncidentAction(c.Ctx(), act) }); err != nil {
				return act, err
			}
			return c.Scope.IncidentAction(c.Ctx(), id, aid)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/incidents/{id}/decisions", ID: "listIncidentDecisions", Tag: tag, Perm: read, Params: idParam,
		Summary: "Decisions taken (what, who, when)"},
		func(c *Call, _ Empty) ([]domain.IncidentDecision, error) {
			id, err := withID(c)
			if err != nil {
				return nil, err
			}
			return c.Scope.IncidentDecisions(c.Ctx(), id)
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/incidents/{id}/decisions", ID: "addIncidentDecision", Tag: tag, Perm: write, Params: idParam, Status: http.StatusCreated,
		Summary: "Record a decision"},
		func(c *Call, in DecisionInput) (domain.IncidentDecision, error) {
			id, err := withID(c)
			if err != nil {
				return domain.IncidentDecision{}, err
			}
			d := domain.IncidentDecision{IncidentID: id, What: in.What, Who: in.Who, DecidedAt: in.DecidedAt}
			err = c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.AddIncidentDecision(c.Ctx(), &d) })
			return d, err
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/incidents/{id}/attachments", ID: "listIncidentAttachments", Tag: tag, Perm: read, Params: idParam,
		Summary: "Files attached to the incident (name, size, SHA-256)"},
		func(c *Call, _ Empty) ([]domain.IncidentAttachment, error) {
			id, err := withID(c)
			if err != nil {
				return nil, err
			}
			return c.Scope.IncidentAttachments(c.Ctx(), id)
		})
	HandleRaw(a, Op{Method: http.MethodPost, Path: "/incidents/{id}/attachments", ID: "addIncidentAttachment", Tag: tag, Perm: write, Upload: true,
		Status: http.StatusCreated, Response: domain.IncidentAttachment{},
		Params: append(idParam, Param{Name: "name", In: "query", Description: "file name (default: the uploaded file's name)"},
			Param{Name: "evidence", In: "query", Type: "boolean", Description: "keep as evidence"},
			Param{Name: "description", In: "query", Description: "what the file shows"}),
		Summary: fmt.Sprintf("Attach a file (multipart field \"file\" or the raw body; at most %d MiB); its SHA-256 is stored", incident.MaxAttachmentBytes>>20)},
		func(w http.ResponseWriter, c *Call) error {
			id, err := withID(c)
			if err != nil {
				return err
			}
			evidence, err := c.QueryBool("evidence")
			if err != nil {
				return err
			}
			att := domain.IncidentAttachment{IncidentID: id, Name: c.Query("name"), Evidence: evidence, Description: c.Query("description"),
				ContentType: c.R.Header.Get("Content-Type")}
			var body io.Reader = c.R.Body
			if mt, _, _ := mime.ParseMediaType(att.ContentType); mt == "multipart/form-data" {
				f, fh, err := c.R.FormFile("file")
				if err != nil {
					return domain.Invalid("file", "the multipart form has no field \"file\"")
				}
				defer f.Close()
				body, att.ContentType = f, fh.Header.Get("Content-Type")
				if att.Name == "" {
					att.Name = filepath.Base(fh.Filename)
				}
			}
			content, err := incident.ReadAttachment(body)
			if err != nil {
				return err
			}
			if att.Name == "" {
				att.Name = "attachment"
			}
			if err := incident.AddAttachment(c.Ctx(), c.Scope, &att, content); err != nil {
				return err
			}
			httpx.JSON(w, http.StatusCreated, att)
			return nil
		})
	HandleRaw(a, Op{Method: http.MethodGet, Path: "/incidents/{id}/attachments/{attachment}", ID: "getIncidentAttachment", Tag: tag, Perm: read,
		Produces: "application/octet-stream", Params: append(idParam, Param{Name: "attachment", In: "path", Type: "integer"}),
		Summary: "Download an attached file"},
		func(w http.ResponseWriter, c *Call) error {
			id, err := withID(c)
			if err != nil {
				return err
			}
			aid, err := c.PathInt("attachment")
			if err != nil {
				return err
			}
			att, content, err := c.Scope.IncidentAttachment(c.Ctx(), id, aid)
			if err != nil {
				return err
			}
			ServeAttachment(w, att, content)
			return nil
		})
	a.incidentReportRoutes(tag, idParam, withID, now)
}

// ServeAttachment writes a stored file as a download (never rendered inline: it is untrusted content).
func ServeAttachment(w http.ResponseWriter, att domain.IncidentAttachment, content []byte) {
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": att.Name}))
	w.Header().Set("X-Content-SHA256", att.SHA256)
	w.Header().Set("Content-Length", strconv.Itoa(len(content)))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(content)
}
