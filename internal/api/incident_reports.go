package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/incident"
	"github.com/vigil-med/vigil/internal/store"
)

// incidentReportRoutes registers report drafts, submissions, the review and exercises.
func (a *API) incidentReportRoutes(tag string, idParam []Param, withID func(*Call) (int64, error), now func() time.Time) {
	read, write := domain.PermRead, domain.PermIncidents
	tmplParams := append(append([]Param{}, idParam...), Param{Name: "template", In: "path", Description: "report template id, e.g. nis2.early-warning"},
		Param{Name: "version", In: "query", Type: "integer", Description: "a saved version (default: the latest)"})
	draft := func(c *Call) (*incident.Record, incident.Draft, error) {
		id, err := c.PathInt("id")
		if err != nil {
			return nil, incident.Draft{}, err
		}
		version, err := c.QueryInt("version", 0)
		if err != nil {
			return nil, incident.Draft{}, err
		}
		rec, err := incident.Load(c.Ctx(), c.Scope, id)
		if err != nil {
			return nil, incident.Draft{}, err
		}
		d, err := rec.Draft(c.R.PathValue("template"), version)
		return rec, d, err
	}
	Handle(a, Op{Method: http.MethodGet, Path: "/incidents/{id}/reports", ID: "listIncidentReports", Tag: tag, Perm: read, Params: idParam,
		Summary: "Report templates that apply to the incident and every saved version"},
		func(c *Call, _ Empty) (ReportsView, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return ReportsView{}, err
			}
			rec, err := incident.Load(c.Ctx(), c.Scope, id)
			if err != nil {
				return ReportsView{}, err
			}
			return ReportsView{Templates: rec.Templates(), Versions: rec.Reports}, nil
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/incidents/{id}/reports/{template}", ID: "getIncidentReport", Tag: tag, Perm: read, Params: tmplParams,
		Summary: "A report draft: the saved version, or the template pre-filled from the incident"},
		func(c *Call, _ Empty) (incident.Draft, error) {
			_, d, err := draft(c)
			return d, err
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/incidents/{id}/reports/{template}", ID: "saveIncidentReport", Tag: tag, Perm: write, Status: http.StatusCreated,
		Params: tmplParams[:2], Summary: "Save a new version of a report draft"},
		func(c *Call, in ReportInput) (incident.Draft, error) {
			id, err := withID(c)
			if err != nil {
				return incident.Draft{}, err
			}
			rep, err := incident.SaveReport(c.Ctx(), c.Scope, id, c.R.PathValue("template"), in.Fields)
			if err != nil {
				return incident.Draft{}, err
			}
			rec, err := incident.Load(c.Ctx(), c.Scope, id)
			if err != nil {
				return incident.Draft{}, err
			}
			return rec.Draft(rep.TemplateID, rep.Version)
		})
	HandleRaw(a, Op{Method: http.MethodGet, Path: "/incidents/{id}/reports/{template}/pdf", ID: "getIncidentReportPDF", Tag: tag, Perm: read,
		Produces: "application/pdf", Params: tmplParams, Summary: "A report draft as PDF"},
		func(w http.ResponseWriter, c *Call) error {
			rec, d, err := draft(c)
			if err != nil {
				return err
			}
			b, err := rec.PDF(d, now())
			if err != nil {
				return err
			}
			WritePDF(w, ReportFileName(rec.Incident, d, "pdf"), b)
			return nil
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/incidents/{id}/reports/{template}/export", ID: "exportIncidentReport", Tag: tag, Perm: read,
		Params: tmplParams, Summary: "A report draft as JSON for other systems (fields with labels and legal references)"},
		func(c *Call, _ Empty) (incident.ReportJSON, error) {
			rec, d, err := draft(c)
			if err != nil {
				return incident.ReportJSON{}, err
			}
			return rec.Export(d, now()), nil
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/incidents/{id}/submissions", ID: "listIncidentSubmissions", Tag: tag, Perm: read, Params: idParam,
		Summary: "Reports submitted (when, to whom, reference, by whom)"},
		func(c *Call, _ Empty) ([]domain.IncidentSubmission, error) {
			id, err := withID(c)
			if err != nil {
				return nil, err
			}
			return c.Scope.IncidentSubmissions(c.Ctx(), id)
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/incidents/{id}/submissions", ID: "addIncidentSubmission", Tag: tag, Perm: write, Params: idParam,
		Status: http.StatusCreated, Summary: "Record a submission: it closes that deadline; the notification starts the final report's clock"},
		func(c *Call, in SubmissionInput) (domain.IncidentSubmission, error) {
			id, err := withID(c)
			if err != nil {
				return domain.IncidentSubmission{}, err
			}
			if in.SubmittedAt.IsZero() {
				in.SubmittedAt = now()
			}
			s := domain.IncidentSubmission{IncidentID: id, DeadlineID: in.DeadlineID, SubmittedAt: in.SubmittedAt, Recipient: in.Recipient,
				Reference: in.Reference, ReportID: in.ReportID, Note: in.Note}
			err = incident.RecordSubmission(c.Ctx(), c.Scope, &s)
			return s, err
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/incidents/{id}/review", ID: "getIncidentReview", Tag: tag, Perm: read, Params: idParam,
		Summary: "The post-incident review (404 until one is saved)"},
		func(c *Call, _ Empty) (domain.IncidentReview, error) {
			id, err := withID(c)
			if err != nil {
				return domain.IncidentReview{}, err
			}
			return c.Scope.IncidentReview(c.Ctx(), id)
		})
	Handle(a, Op{Method: http.MethodPut, Path: "/incidents/{id}/review", ID: "saveIncidentReview", Tag: tag, Perm: write, Params: idParam,
		Summary: "Save the post-incident review (improvement actions: POST …/actions with kind improvement)"},
		func(c *Call, in ReviewInput) (domain.IncidentReview, error) {
			id, err := withID(c)
			if err != nil {
				return domain.IncidentReview{}, err
			}
			r := domain.IncidentReview{IncidentID: id, WhatHappened: in.WhatHappened, WentWell: in.WentWell, ToImprove: in.ToImprove, Lessons: in.Lessons}
			if err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.SaveIncidentReview(c.Ctx(), &r) }); err != nil {
				return r, err
			}
			return c.Scope.IncidentReview(c.Ctx(), id)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/incident-scenarios", ID: "listIncidentScenarios", Tag: tag, Perm: read,
		Summary: "The exercise scenario library with injects and timings"},
		func(c *Call, _ Empty) ([]incident.Scenario, error) { return incident.Scenarios(), nil })
	Handle(a, Op{Method: http.MethodPost, Path: "/exercises", ID: "startExercise", Tag: tag, Perm: write, Status: http.StatusCreated,
		Summary: "Start an exercise from a scenario: an incident flagged exercise whose clocks run accelerated"},
		func(c *Call, in incident.ExerciseInput) (domain.Incident, error) {
			if in.Start.IsZero() {
				in.Start = now()
			}
			return incident.StartExercise(c.Ctx(), c.Scope, in)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/incidents/{id}/injects", ID: "listExerciseInjects", Tag: tag, Perm: read, Params: idParam,
		Summary: "An exercise's injects with their release times on the exercise and wall clocks"},
		func(c *Call, _ Empty) ([]InjectView, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return nil, err
			}
			in, err := c.Scope.Incident(c.Ctx(), id)
			if err != nil {
				return nil, err
			}
			if !in.Exercise {
				return nil, domain.Invalid("id", "%s is not an exercise", in.Ref())
			}
			out := []InjectView{}
			t := now()
			for _, inj := range incident.Injects(in) {
				out = append(out, InjectView{DueInject: inj, Released: !inj.AtReal.After(t)})
			}
			return out, nil
		})
}

// ReportFileName names an exported report: "INC-12_nis2.early-warning_v3.pdf".
func ReportFileName(in domain.Incident, d incident.Draft, ext string) string {
	v := "draft"
	if d.Version > 0 {
		v = "v" + strconv.Itoa(d.Version)
	}
	return in.Ref() + "_" + d.Template.ID + "_" + v + "." + ext
}

// WritePDF sends a PDF as a download.
func WritePDF(w http.ResponseWriter, name string, b []byte) {
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}
