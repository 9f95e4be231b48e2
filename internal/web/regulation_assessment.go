package web

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/compliance"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/regulation"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/web/chart"
)

func (s *Server) assessmentRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /regulation/assessments", s.page(domain.PermRead, s.assessments))
	mux.HandleFunc("POST /regulation/assessments", s.page(domain.PermRegulation, s.assessmentCreate))
	mux.HandleFunc("GET /regulation/assessments/{id}", s.page(domain.PermRead, s.assessment))
	mux.HandleFunc("POST /regulation/assessments/{id}", s.page(domain.PermRegulation, s.assessmentUpdate))
	mux.HandleFunc("GET /regulation/assessments/{id}/measures/{measure}", s.page(domain.PermRead, s.assessmentMeasure))
	mux.HandleFunc("POST /regulation/assessments/{id}/measures/{measure}", s.page(domain.PermRegulation, s.assessmentMeasureSave))
	mux.HandleFunc("POST /regulation/assessments/{id}/measures/{measure}/links", s.page(domain.PermRegulation, s.evidenceLinkAdd))
	mux.HandleFunc("POST /regulation/assessments/{id}/measures/{measure}/files", s.page(domain.PermRegulation, s.evidenceFileAdd))
	mux.HandleFunc("GET /regulation/assessments/{id}/evidence/{evidence}/file", s.page(domain.PermRead, s.evidenceFile))
	mux.HandleFunc("POST /regulation/assessments/{id}/evidence/{evidence}/delete", s.page(domain.PermRegulation, s.evidenceDelete))
	mux.HandleFunc("POST /regulation/assessments/{id}/sign-off", s.page(domain.PermRegulation, s.assessmentSignOff))
	mux.HandleFunc("GET /regulation/assessments/{id}/report", s.page(domain.PermRead, s.gapReport))
	mux.HandleFunc("GET /regulation/assessments/{id}/report.pdf", s.page(domain.PermRead, s.gapReportPDF))
	mux.HandleFunc("GET /regulation/report", s.page(domain.PermRead, s.gapReportLatest))
}

type assessmentsView struct {
	Page    domain.Page[domain.Assessment]
	CanEdit bool
	New     domain.Assessment
	From    int64
	Errors  FieldErrors
}

func (s *Server) assessmentsPage(c *Ctx, status int, v assessmentsView) error {
	page, err := c.Scope.Assessments(c.R.Context(), c.List())
	if err != nil {
		return err
	}
	v.Page, v.CanEdit = page, c.P.Can(domain.PermRegulation)
	if v.Errors == nil {
		v.Errors = FieldErrors{}
	}
	if v.New.Name == "" && len(v.Errors) == 0 {
		y := c.Now().In(c.Loc()).Year()
		v.New = domain.Assessment{Name: fmt.Sprintf("NIS2 Art 21 assessment %d", y), PeriodStart: fmt.Sprintf("%d-01-01", y),
			PeriodEnd: fmt.Sprintf("%d-12-31", y)}
		if c.P.User != nil {
			v.New.Owner = c.P.User.Name
		}
		for _, a := range page.Items {
			if a.Frozen() {
				v.From = a.ID // propose a copy of the newest signed-off campaign
				break
			}
		}
	}
	return c.RenderStatus(status, "regulation/assessments", "Art. 21 assessments", v)
}

func (s *Server) assessments(c *Ctx) error {
	return s.assessmentsPage(c, http.StatusOK, assessmentsView{})
}

func (s *Server) assessmentCreate(c *Ctx) error {
	a := domain.Assessment{Name: c.Form("name"), PeriodStart: c.Form("period_start"), PeriodEnd: c.Form("period_end"), Owner: c.Form("owner")}
	from, _ := strconv.ParseInt(c.Form("copy_from"), 10, 64)
	err := compliance.StartAssessment(c.R.Context(), c.Scope, &a, from)
	if err != nil {
		v := assessmentsView{New: a, From: from, Errors: FieldErrors{}}
		if !v.Errors.FromError(err) {
			if domain.ErrorCode(err) == domain.ENotFound {
				v.Errors["copy_from"] = "There is no such assessment to copy."
			} else {
				return err
			}
		}
		return s.assessmentsPage(c, http.StatusUnprocessableEntity, v)
	}
	return c.Redirect("/regulation/assessments/"+strconv.FormatInt(a.ID, 10), "ok", "Started "+a.Name+".")
}

// board loads the assessment of the path for the page.
func (s *Server) board(c *Ctx) (compliance.Board, error) {
	id, err := c.PathInt("id")
	if err != nil {
		return compliance.Board{}, err
	}
	return compliance.LoadBoard(c.R.Context(), c.Scope, s.Compliance, id, c.Now(), c.Loc())
}

type boardView struct {
	Board    compliance.Board
	Rows     []compliance.MeasureRow
	Status   string
	Statuses []compliance.StatusCount
	CanEdit  bool
	Chart    template.HTML
	Errors   FieldErrors
}

func maturityChart(b compliance.Board) template.HTML {
	var labels []string
	mat := chart.Series{Name: "maturity reached"}
	gap := chart.Series{Name: "gap to target"}
	for _, r := range b.Rows {
		labels = append(labels, strings.TrimPrefix(compliance.ShortRef(r.Measure), "21(2)"))
		if r.State.Status == domain.MeasureNotApplicable {
			mat.Values, gap.Values = append(mat.Values, 0), append(gap.Values, 0)
			continue
		}
		mat.Values = append(mat.Values, float64(r.State.Maturity))
		gap.Values = append(gap.Values, float64(r.Gap))
	}
	return chart.Bars("Maturity per measure (0–4) and gap to the target", labels, []chart.Series{mat, gap},
		func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) })
}

func (s *Server) assessment(c *Ctx) error {
	b, err := s.board(c)
	if err != nil {
		return err
	}
	return s.renderBoard(c, http.StatusOK, b, FieldErrors{})
}

func (s *Server) renderBoard(c *Ctx, status int, b compliance.Board, errs FieldErrors) error {
	st := c.R.URL.Query().Get("status")
	v := boardView{Board: b, Rows: compliance.FilterRows(b.Rows, st), Status: st, Statuses: b.Summary.ByStatus,
		CanEdit: c.P.Can(domain.PermRegulation) && !b.Assessment.Frozen(), Chart: maturityChart(b), Errors: errs}
	return c.RenderStatus(status, "regulation/assessment", b.Assessment.Name, v)
}

func (s *Server) assessmentUpdate(c *Ctx) error {
	b, err := s.board(c)
	if err != nil {
		return err
	}
	a := b.Assessment
	a.Name, a.PeriodStart, a.PeriodEnd, a.Owner = c.Form("name"), c.Form("period_start"), c.Form("period_end"), c.Form("owner")
	err = c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.UpdateAssessment(c.R.Context(), a) })
	if err != nil {
		errs := FieldErrors{}
		if !errs.FromError(err) {
			return err
		}
		b.Assessment = a
		return s.renderBoard(c, http.StatusUnprocessableEntity, b, errs)
	}
	return c.Redirect(assessmentPath(a.ID), "ok", "Saved.")
}

func assessmentPath(id int64) string { return "/regulation/assessments/" + strconv.FormatInt(id, 10) }

type measureView struct {
	Board   compliance.Board
	Row     compliance.MeasureRow
	Form    domain.AssessmentMeasure
	Scale   []regulation.MaturityLevel
	CanEdit bool
	Errors  FieldErrors
	ISO     string
	IR      string
	Link    domain.MeasureEvidence
	Prev    string
	Next    string
}

func (s *Server) measurePage(c *Ctx, status int, b compliance.Board, form *domain.AssessmentMeasure, link *domain.MeasureEvidence, errs FieldErrors) error {
	id := c.R.PathValue("measure")
	row, ok := b.Row(id)
	if !ok {
		return domain.NotFound("measure " + id)
	}
	cat := regulation.MeasureCatalogue()
	v := measureView{Board: b, Row: row, Form: row.State, Scale: cat.MaturityScale, CanEdit: c.P.Can(domain.PermRegulation) && !b.Assessment.Frozen(),
		Errors: errs, ISO: cat.ISOStatus, IR: cat.IR2690Status}
	if form != nil {
		v.Form = *form
	}
	if link != nil {
		v.Link = *link
	}
	for i, r := range b.Rows {
		if r.Measure.ID == id {
			if i > 0 {
				v.Prev = b.Rows[i-1].Measure.ID
			}
			if i+1 < len(b.Rows) {
				v.Next = b.Rows[i+1].Measure.ID
			}
		}
	}
	return c.RenderStatus(status, "regulation/measure", row.Measure.Ref+" · "+b.Assessment.Name, v)
}

func (s *Server) assessmentMeasure(c *Ctx) error {
	b, err := s.board(c)
	if err != nil {
		return err
	}
	return s.measurePage(c, http.StatusOK, b, nil, nil, FieldErrors{})
}

func (s *Server) assessmentMeasureSave(c *Ctx) error {
	b, err := s.board(c)
	if err != nil {
		return err
	}
	m := domain.AssessmentMeasure{AssessmentID: b.Assessment.ID, MeasureID: c.R.PathValue("measure"), Status: c.Form("status"),
		Owner: c.Form("owner"), DueDate: c.Form("due_date"), Comment: c.Form("comment")}
	errs := FieldErrors{}
	var convErr error
	if m.Maturity, convErr = strconv.Atoi(c.Form("maturity")); convErr != nil {
		errs["maturity"] = "Choose a maturity level."
	}
	if m.TargetMaturity, convErr = strconv.Atoi(c.Form("target_maturity")); convErr != nil {
		errs["target_maturity"] = "Choose a target level."
	}
	if len(errs) == 0 {
		err = compliance.SetMeasure(c.R.Context(), c.Scope, &m)
		if err == nil {
			return c.Redirect(assessmentPath(b.Assessment.ID)+"/measures/"+m.MeasureID, "ok", "Saved.")
		}
		if !errs.FromError(err) {
			return err
		}
	}
	return s.measurePage(c, http.StatusUnprocessableEntity, b, &m, nil, errs)
}

func (s *Server) evidenceLinkAdd(c *Ctx) error {
	b, err := s.board(c)
	if err != nil {
		return err
	}
	mid := c.R.PathValue("measure")
	e, err := compliance.AddLink(c.R.Context(), c.Scope, b.Assessment.ID, mid, c.Form("title"), c.Form("url"))
	if err != nil {
		errs := FieldErrors{}
		if !errs.FromError(err) {
			return err
		}
		return s.measurePage(c, http.StatusUnprocessableEntity, b, nil, &e, errs)
	}
	return c.Redirect(assessmentPath(b.Assessment.ID)+"/measures/"+mid, "ok", "Added the link.")
}

func (s *Server) evidenceFileAdd(c *Ctx) error {
	b, err := s.board(c)
	if err != nil {
		return err
	}
	mid := c.R.PathValue("measure")
	errs := FieldErrors{}
	f, fh, err := c.R.FormFile("file")
	if err != nil {
		if errors.Is(err, http.ErrMissingFile) {
			errs["file"] = "Choose a file to upload."
			return s.measurePage(c, http.StatusUnprocessableEntity, b, nil, nil, errs)
		}
		return domain.Invalid("file", "the upload could not be read: %v", err)
	}
	defer f.Close()
	if fh.Size > compliance.MaxEvidenceBytes {
		errs["file"] = fmt.Sprintf("The file is larger than %d MiB; link to it instead.", compliance.MaxEvidenceBytes>>20)
		return s.measurePage(c, http.StatusRequestEntityTooLarge, b, nil, nil, errs)
	}
	data, err := io.ReadAll(io.LimitReader(f, compliance.MaxEvidenceBytes+1))
	if err != nil {
		return err
	}
	_, err = compliance.AddFile(c.R.Context(), c.Scope, b.Assessment.ID, mid, c.R.FormValue("title"), fh.Filename, data)
	if err != nil {
		if !errs.FromError(err) {
			return err
		}
		return s.measurePage(c, http.StatusUnprocessableEntity, b, nil, nil, errs)
	}
	return c.Redirect(assessmentPath(b.Assessment.ID)+"/measures/"+mid, "ok", "Uploaded "+fh.Filename+".")
}

func (s *Server) evidenceFile(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	eid, err := c.PathInt("evidence")
	if err != nil {
		return err
	}
	e, data, err := c.Scope.EvidenceFile(c.R.Context(), id, eid)
	if err != nil {
		return err
	}
	compliance.ServeFile(c.W, e, data)
	return nil
}

func (s *Server) evidenceDelete(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	eid, err := c.PathInt("evidence")
	if err != nil {
		return err
	}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.DeleteEvidence(c.R.Context(), id, eid) }); err != nil {
		return err
	}
	back := assessmentPath(id)
	if m := c.Form("measure"); m != "" {
		if _, ok := regulation.MeasureByID(m); ok {
			back += "/measures/" + m
		}
	}
	return c.Redirect(back, "ok", "Removed the evidence.")
}

type gapReportView struct {
	Board   compliance.Board
	Chart   template.HTML
	CanSign bool
	SignOff domain.SignOff
	Errors  FieldErrors
	Status  template.HTML
}

func (s *Server) gapReportPage(c *Ctx, status int, b compliance.Board, so domain.SignOff, errs FieldErrors) error {
	var labels []string
	var counts []float64
	for _, sc := range b.Summary.ByStatus {
		labels = append(labels, sc.Label)
		counts = append(counts, float64(sc.Count))
	}
	v := gapReportView{Board: b, Chart: maturityChart(b), CanSign: c.P.Can(domain.PermRegulation) && !b.Assessment.Frozen(),
		SignOff: so, Errors: errs, Status: chart.HBars("Measures by status", labels, counts, nil)}
	return c.RenderStatus(status, "regulation/report", "Gap report · "+b.Assessment.Name, v)
}

func (s *Server) gapReport(c *Ctx) error {
	b, err := s.board(c)
	if err != nil {
		return err
	}
	return s.gapReportPage(c, http.StatusOK, b, domain.SignOff{}, FieldErrors{})
}

func (s *Server) gapReportLatest(c *Ctx) error {
	a, err := c.Scope.LatestAssessment(c.R.Context())
	if domain.ErrorCode(err) == domain.ENotFound {
		return c.Redirect("/regulation/assessments", "info", "Start an assessment first: the gap report shows its measures.")
	}
	if err != nil {
		return err
	}
	return c.Redirect(assessmentPath(a.ID)+"/report", "", "")
}

func (s *Server) gapReportPDF(c *Ctx) error {
	b, err := s.board(c)
	if err != nil {
		return err
	}
	author := c.P.Actor.Name
	if c.P.User != nil {
		author = c.P.User.Name
	}
	doc, err := compliance.ReportPDF(b, c.P.Org, author, c.Now())
	if err != nil {
		return err
	}
	c.W.Header().Set("Content-Type", "application/pdf")
	c.W.Header().Set("Content-Disposition", `inline; filename="`+compliance.ReportFileName(b.Assessment)+`"`)
	c.W.Header().Set("Cache-Control", "no-store")
	_, err = c.W.Write(doc)
	return err
}

func (s *Server) assessmentSignOff(c *Ctx) error {
	b, err := s.board(c)
	if err != nil {
		return err
	}
	so := domain.SignOff{Name: c.Form("name"), Role: c.Form("role"), Comment: c.Form("comment")}
	if !c.FormBool("confirm") {
		return s.gapReportPage(c, http.StatusUnprocessableEntity, b, so, FieldErrors{"confirm": "Confirm that the management body approved the measures and this report."})
	}
	if _, err := compliance.SignOff(c.R.Context(), c.Scope, s.Compliance, b.Assessment.ID, so); err != nil {
		errs := FieldErrors{}
		if !errs.FromError(err) {
			return err
		}
		return s.gapReportPage(c, http.StatusUnprocessableEntity, b, so, errs)
	}
	return c.Redirect(assessmentPath(b.Assessment.ID)+"/report", "ok", "Recorded the sign-off. The assessment is now frozen; start the next campaign from a copy.")
}
