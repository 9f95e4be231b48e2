package web

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/incident"
	"github.com/vigil-med/vigil/internal/regulation/deadline"
	"github.com/vigil-med/vigil/internal/store"
)

type fieldView struct {
	deadline.Field
	Value     string
	Prefilled bool
	Lines     int // rows of a textarea
}

type reportView struct {
	Rec      *incident.Record
	Draft    incident.Draft
	Fields   []fieldView
	Clock    *clockView
	Versions []domain.IncidentReport
	Errors   FieldErrors
	Now      string
	Query    string // version=N for the export links
}

func (s *Server) reportPage(c *Ctx, rec *incident.Record, d incident.Draft, errs FieldErrors, status int) error {
	now := c.Now()
	v := reportView{Rec: rec, Draft: d, Errors: errs, Now: localInput(&now, c.Loc())}
	if d.Version > 0 {
		v.Query = "?version=" + strconv.Itoa(d.Version)
	}
	for _, f := range d.Template.Fields {
		fv := fieldView{Field: f, Value: d.Fields[f.ID], Prefilled: d.Prefilled[f.ID], Lines: 3}
		if f.Type == "list" || (f.Type == "text" && len(fv.Value) > 120) {
			fv.Lines = 6
		}
		v.Fields = append(v.Fields, fv)
	}
	for _, cv := range clockViews(rec.Incident, rec.Active(), now, c.Loc()) {
		if cv.DeadlineID == d.Template.Deadline {
			cv := cv
			v.Clock = &cv
		}
	}
	for _, r := range rec.Reports {
		if r.TemplateID == d.Template.ID {
			v.Versions = append(v.Versions, r)
		}
	}
	return c.RenderStatus(status, "incidents/report", d.Template.Title+" · "+rec.Incident.Ref(), v)
}

func (s *Server) loadDraft(c *Ctx) (*incident.Record, incident.Draft, error) {
	id, err := c.PathInt("id")
	if err != nil {
		return nil, incident.Draft{}, err
	}
	version, _ := strconv.Atoi(c.R.URL.Query().Get("version"))
	rec, err := incident.Load(c.R.Context(), c.Scope, id)
	if err != nil {
		return nil, incident.Draft{}, err
	}
	d, err := rec.Draft(c.R.PathValue("template"), version)
	return rec, d, err
}

func (s *Server) incidentReport(c *Ctx) error {
	rec, d, err := s.loadDraft(c)
	if err != nil {
		return err
	}
	return s.reportPage(c, rec, d, FieldErrors{}, http.StatusOK)
}

func (s *Server) incidentReportSave(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	tid := c.R.PathValue("template")
	t, ok := deadline.ReportByID(tid)
	if !ok {
		return domain.NotFound("report template")
	}
	fields := map[string]string{}
	for _, f := range t.Fields {
		fields[f.ID] = c.R.PostFormValue("f." + f.ID)
	}
	rep, err := incident.SaveReport(c.R.Context(), c.Scope, id, tid, fields)
	if err != nil {
		errs := FieldErrors{}
		if !errs.FromError(err) {
			return err
		}
		rec, lerr := incident.Load(c.R.Context(), c.Scope, id)
		if lerr != nil {
			return lerr
		}
		d, _ := rec.Draft(tid, 0)
		d.Fields, d.Version = fields, 0
		return s.reportPage(c, rec, d, errs, http.StatusUnprocessableEntity)
	}
	return c.Redirect(incidentURL(id)+"/reports/"+tid, "ok", "Saved as version "+strconv.Itoa(rep.Version)+".")
}

func (s *Server) incidentReportPDF(c *Ctx) error {
	rec, d, err := s.loadDraft(c)
	if err != nil {
		return err
	}
	b, err := rec.PDF(d, c.Now())
	if err != nil {
		return err
	}
	download(c.W, reportFile(rec.Incident, d, "pdf"), "application/pdf", b)
	return nil
}

func (s *Server) incidentReportJSON(c *Ctx) error {
	rec, d, err := s.loadDraft(c)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(rec.Export(d, c.Now()), "", "  ")
	if err != nil {
		return err
	}
	download(c.W, reportFile(rec.Incident, d, "json"), "application/json", append(b, '\n'))
	return nil
}

func reportFile(in domain.Incident, d incident.Draft, ext string) string {
	v := "draft"
	if d.Version > 0 {
		v = "v" + strconv.Itoa(d.Version)
	}
	return in.Ref() + "_" + d.Template.ID + "_" + v + "." + ext
}

type reviewView struct {
	Rec          *incident.Record
	Review       domain.IncidentReview
	Lessons      string
	Improvements []actionView
	Users        []domain.User
	Errors       FieldErrors
}

func (s *Server) incidentReview(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	return s.reviewPage(c, id, nil, FieldErrors{}, http.StatusOK)
}

func (s *Server) reviewPage(c *Ctx, id int64, draft *domain.IncidentReview, errs FieldErrors, status int) error {
	rec, err := incident.Load(c.R.Context(), c.Scope, id)
	if err != nil {
		return err
	}
	v := reviewView{Rec: rec, Errors: errs}
	switch {
	case draft != nil:
		v.Review = *draft
	case rec.Review != nil:
		v.Review = *rec.Review
	}
	for i, l := range v.Review.Lessons {
		if i > 0 {
			v.Lessons += "\n"
		}
		v.Lessons += l
	}
	var impr []domain.IncidentAction
	for _, a := range rec.Actions {
		if a.Kind == domain.ActionImprovement {
			impr = append(impr, a)
		}
	}
	v.Improvements = actionViews(impr, c.Now(), c.Loc())
	if v.Users, err = c.Scope.UsersWithRoles(c.R.Context()); err != nil {
		return err
	}
	return c.RenderStatus(status, "incidents/review", "Review · "+rec.Incident.Ref(), v)
}

func (s *Server) incidentReviewSave(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	r := domain.IncidentReview{IncidentID: id, WhatHappened: c.Form("what_happened"), WentWell: c.Form("went_well"),
		ToImprove: c.Form("to_improve"), Lessons: c.formLines("lessons")}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.SaveIncidentReview(c.R.Context(), &r) }); err != nil {
		errs := FieldErrors{}
		if !errs.FromError(err) {
			return err
		}
		return s.reviewPage(c, id, &r, errs, http.StatusUnprocessableEntity)
	}
	return c.Redirect(incidentURL(id)+"/review", "ok", "The review was saved.")
}

// incidentCard is the dashboard's "Reporting deadlines" card: the nearest running clocks of real
// incidents (never exercises) with the time left.
type incidentCard struct {
	Clocks []dashClock
	Counts domain.IncidentCounts
	// Urgent is set when a clock is overdue or due soon: the card is marked for attention.
	Urgent bool
}

type dashClock struct {
	store.OpenDeadline
	Ref, Text, State, DueText string
}

func (s *Server) incidentDashboard(c *Ctx) (*incidentCard, error) {
	ctx := c.R.Context()
	open, err := c.Scope.NearestIncidentDeadlines(ctx, 5)
	if err != nil {
		return nil, err
	}
	card := &incidentCard{}
	if card.Counts, err = c.Scope.IncidentCounts(ctx, c.Now()); err != nil {
		return nil, err
	}
	for _, o := range open {
		in := domain.Incident{ID: o.IncidentID, Title: o.Incident, AwareAt: o.AwareAt, Acceleration: 1}
		cd := incident.CountdownOf(in, o.IncidentDeadline, c.Now())
		card.Clocks = append(card.Clocks, dashClock{OpenDeadline: o, Ref: in.Ref(), Text: cd.Text, State: cd.State,
			DueText: o.Due.In(c.Loc()).Format("Mon 2 Jan, 15:04 MST")})
		card.Urgent = card.Urgent || cd.State == incident.StateOverdue || cd.State == incident.StateSoon
	}
	card.Urgent = card.Urgent || card.Counts.Overdue > 0
	return card, nil
}
