package web

import (
	"fmt"
	"mime"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/incident"
	"github.com/vigil-med/vigil/internal/regulation/deadline"
	"github.com/vigil-med/vigil/internal/store"
)

// clockView is a countdown ready for the page: times as local text and the link to the report to send.
type clockView struct {
	incident.Countdown
	DueText      string // in the organisation's zone (the exercise clock for exercises)
	DueRealText  string // exercises: when the wall clock reaches it
	LegalEndText string
	ReportURL    string
}

func clockViews(in domain.Incident, ds []domain.IncidentDeadline, now time.Time, loc *time.Location) []clockView {
	var out []clockView
	for _, cd := range incident.Countdowns(in, ds, now) {
		v := clockView{Countdown: cd}
		if cd.Due != nil {
			v.DueText = cd.Due.In(loc).Format("Mon 2 Jan 2006, 15:04 MST")
			if in.Exercise {
				v.DueRealText = cd.DueReal.In(loc).Format("15:04:05 MST")
			}
		}
		if cd.LegalEnd != nil {
			v.LegalEndText = cd.LegalEnd.In(loc).Format("Mon 2 Jan 2006, 15:04 MST")
		}
		if cd.Report != nil {
			v.ReportURL = fmt.Sprintf("/incidents/%d/reports/%s", in.ID, cd.Report.ID)
		}
		out = append(out, v)
	}
	return out
}

type reportLink struct {
	deadline.ReportTemplate
	Version   int
	Submitted bool
}

type injectView struct {
	incident.DueInject
	Released bool
	AtText   string
}

type incidentPageView struct {
	Rec           *incident.Record
	Ref           string
	Top           *clockView // the most urgent running clock
	Clocks        []clockView
	Inactive      []clockView
	AsOf          string
	ClockNow      string // exercises: the exercise clock now
	Questions     []questionView
	Unanswered    int
	Applicability []deadline.Decision
	Reports       []reportLink
	Actions       []actionView
	Users         []domain.User
	UserNames     map[int64]string
	Owner         string
	Injects       []injectView
	Statuses      []domain.IncidentStatus
	Deadlines     []domain.IncidentDeadline // for the submission form
	Now           string                    // datetime-local value of now
	Critical      []string                  // linked devices of criticality life-sustaining or critical
	Tabletop      *domain.Exercise          // exercises: the training module's tabletop exercise that started it
	Errors        FieldErrors
	MaxUploadMiB  int
}

func (s *Server) incidentPage(c *Ctx, id int64, errs FieldErrors) (incidentPageView, error) {
	ctx := c.R.Context()
	rec, err := incident.Load(ctx, c.Scope, id)
	if err != nil {
		return incidentPageView{}, err
	}
	now, loc := c.Now(), c.Loc()
	in := rec.Incident
	v := incidentPageView{Rec: rec, Ref: in.Ref(), AsOf: now.In(loc).Format("15:04 MST"), Applicability: rec.Applicability, Critical: patientCriticalNames(rec.Assets),
		Statuses: domain.IncidentStatuses, Errors: errs, Now: localInput(&now, loc), UserNames: map[int64]string{},
		MaxUploadMiB: incident.MaxAttachmentBytes >> 20}
	if in.Exercise {
		v.ClockNow = incident.ClockOf(in).Incident(now).In(loc).Format("Mon 2 Jan 15:04 MST")
	}
	for _, cv := range clockViews(in, rec.Deadlines, now, loc) {
		if cv.State == incident.StateInactive {
			v.Inactive = append(v.Inactive, cv)
			continue
		}
		v.Clocks = append(v.Clocks, cv)
	}
	for i := range v.Clocks {
		if st := v.Clocks[i].State; in.Status != domain.StatusClosed && (st == incident.StateOverdue || st == incident.StateSoon || st == incident.StateRunning) {
			v.Top = &v.Clocks[i]
			break
		}
	}
	v.Questions = questionViews(rec)
	for _, q := range v.Questions {
		if q.Source == "" {
			v.Unanswered++
		}
	}
	versions := map[string]int{}
	for _, r := range rec.Reports {
		versions[r.TemplateID] = max(versions[r.TemplateID], r.Version)
	}
	submitted := map[string]bool{}
	for _, sub := range rec.Submissions {
		submitted[sub.DeadlineID] = true
	}
	for _, t := range rec.Templates() {
		v.Reports = append(v.Reports, reportLink{ReportTemplate: t, Version: versions[t.ID], Submitted: submitted[t.Deadline]})
	}
	v.Actions = actionViews(rec.Actions, now, loc)
	if v.Users, err = c.Scope.UsersWithRoles(ctx); err != nil {
		return v, err
	}
	for _, u := range v.Users {
		v.UserNames[u.ID] = u.Name
	}
	v.Owner = v.UserNames[in.OwnerID]
	for _, inj := range incident.Injects(in) {
		v.Injects = append(v.Injects, injectView{DueInject: inj, Released: !inj.AtReal.After(now),
			AtText: "T+" + incident.FormatDuration(inj.After) + " (real " + inj.AtReal.In(loc).Format("15:04:05") + ")"})
	}
	for _, d := range rec.Deadlines {
		if d.Active {
			v.Deadlines = append(v.Deadlines, d)
		}
	}
	if in.Exercise {
		tt, err := c.Scope.ExerciseByIncident(ctx, in.ID)
		switch {
		case err == nil:
			v.Tabletop = &tt
		case domain.ErrorCode(err) != domain.ENotFound:
			return v, err
		}
	}
	return v, nil
}

func (s *Server) incidentShow(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	v, err := s.incidentPage(c, id, FieldErrors{})
	if err != nil {
		return err
	}
	return c.Render("incidents/show", v.Ref+" "+v.Rec.Incident.Title, v)
}

// rerender shows the incident page again with a form's errors (422), or returns err when it is not a
// user error.
func (s *Server) rerender(c *Ctx, id int64, err error) error {
	errs := FieldErrors{}
	if !errs.FromError(err) {
		return err
	}
	v, lerr := s.incidentPage(c, id, errs)
	if lerr != nil {
		return lerr
	}
	return c.RenderStatus(http.StatusUnprocessableEntity, "incidents/show", v.Ref+" "+v.Rec.Incident.Title, v)
}

func incidentURL(id int64) string { return "/incidents/" + strconv.FormatInt(id, 10) }

type editView struct {
	In         domain.Incident
	Picker     incidentPickerView
	Critical   []string // linked devices of criticality life-sustaining or critical
	Detected   string
	Aware      string
	Fix        string
	Users      []domain.User
	Categories []domain.IncidentCategory
	Severities []string
	Errors     FieldErrors
}

func (s *Server) incidentEdit(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	in, err := c.Scope.Incident(c.R.Context(), id)
	if err != nil {
		return err
	}
	links, err := c.Scope.IncidentAssets(c.R.Context(), id)
	if err != nil {
		return err
	}
	return s.renderEdit(c, in, linkedDevices(links), patientCriticalNames(links), FieldErrors{}, http.StatusOK)
}

func (s *Server) renderEdit(c *Ctx, in domain.Incident, picker incidentPickerView, critical []string, errs FieldErrors, status int) error {
	users, err := c.Scope.UsersWithRoles(c.R.Context())
	if err != nil {
		return err
	}
	loc := c.Loc()
	return c.RenderStatus(status, "incidents/edit", "Edit "+in.Ref(), editView{In: in, Picker: picker, Critical: critical,
		Detected: localInput(in.DetectedAt, loc), Aware: localInput(&in.AwareAt, loc), Fix: localInput(in.FixAvailableAt, loc), Users: users,
		Categories: domain.IncidentCategories, Severities: domain.IncidentSeverities, Errors: errs})
}

func (s *Server) incidentUpdate(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	in, err := c.Scope.Incident(c.R.Context(), id)
	if err != nil {
		return err
	}
	in.Title, in.Description, in.Category, in.Severity = c.Form("title"), c.Form("description"), domain.IncidentCategory(c.Form("category")), c.Form("severity")
	in.Impact, in.PatientSafety, in.RootCause = c.Form("impact"), c.Form("patient_safety"), c.Form("root_cause")
	in.Sites, in.Services, in.Devices, in.IOCs = c.formLines("sites"), c.formLines("services"), c.formLines("devices"), c.formLines("iocs")
	in.DataCategories, in.DataSubjectCategories = c.formLines("data_categories"), c.formLines("data_subject_categories")
	in.CrossBorder, in.SuspectedMalicious = c.Form("cross_border"), c.Form("suspected_malicious")
	assetIDs, picker, err := formDevices(c.R.Context(), c)
	if err == nil {
		err = func() error {
			var e error
			if in.DetectedAt, e = c.formTime("detected_at"); e != nil {
				return e
			}
			aware, e := c.formTime("aware_at")
			if e != nil {
				return e
			}
			if aware == nil {
				return domain.Invalid("aware_at", "is required")
			}
			in.AwareAt = *aware
			if in.FixAvailableAt, e = c.formTime("fix_available_at"); e != nil {
				return e
			}
			for name, dst := range map[string]*int64{"data_subjects": &in.DataSubjects, "data_records": &in.DataRecords} {
				if *dst, e = formInt(c, name); e != nil {
					return e
				}
			}
			n, e := formInt(c, "patients_affected")
			in.PatientsAffected = int(n)
			if e != nil {
				return e
			}
			if in.OwnerID, e = formInt(c, "owner_id"); e != nil {
				return e
			}
			return incident.UpdateWithDevices(c.R.Context(), c.Scope, in, assetIDs)
		}()
	}
	if err != nil {
		errs := FieldErrors{}
		if !errs.FromError(err) {
			return err
		}
		return s.renderEdit(c, in, picker, nil, errs, http.StatusUnprocessableEntity)
	}
	return c.Redirect(incidentURL(id), "ok", "Saved. The clocks were recomputed.")
}

func formInt(c *Ctx, name string) (int64, error) {
	v := strings.ReplaceAll(c.Form(name), " ", "")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, domain.Invalid(name, "must be a whole number")
	}
	return n, nil
}

func (s *Server) incidentStatus(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	st, err := domain.ParseIncidentStatus(c.Form("status"))
	if err == nil {
		err = incident.SetStatus(c.R.Context(), c.Scope, id, st, c.Form("note"))
	}
	if err != nil {
		return s.rerender(c, id, err)
	}
	return c.Redirect(incidentURL(id), "ok", "Status: "+string(st)+".")
}

type questionsView struct {
	Rec       *incident.Record
	Questions []questionView
	Clocks    []clockView
	Errors    FieldErrors
}

func (s *Server) incidentQuestions(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	rec, err := incident.Load(c.R.Context(), c.Scope, id)
	if err != nil {
		return err
	}
	return c.Render("incidents/questions", "Questions · "+rec.Incident.Ref(), questionsView{Rec: rec, Questions: questionViews(rec),
		Clocks: clockViews(rec.Incident, rec.Active(), c.Now(), c.Loc()), Errors: FieldErrors{}})
}

func (s *Server) incidentAnswer(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	answers := map[string]string{}
	for _, q := range deadline.Questions().Questions {
		if v := c.Form("q." + q.ID); v != "" {
			answers[q.ID] = v
		}
	}
	// Only answers that someone chose or changed are recorded: an "unknown" left on an unanswered
	// question is not an answer.
	rec, err := incident.Load(c.R.Context(), c.Scope, id)
	if err != nil {
		return err
	}
	for q, v := range answers {
		switch {
		case rec.AnswerSources[q] == "" && v == deadline.Unknown:
			delete(answers, q)
		case (rec.AnswerSources[q] == incident.SourceOrgType || rec.AnswerSources[q] == incident.SourceDevices) && v == rec.Answers[q]:
			delete(answers, q) // the default of the organisation type or the linked devices, left as it was
		}
	}
	n, err := incident.SetAnswers(c.R.Context(), c.Scope, id, answers, c.Form("note"))
	if err != nil {
		errs := FieldErrors{}
		if !errs.FromError(err) {
			return err
		}
		return c.RenderStatus(http.StatusUnprocessableEntity, "incidents/questions", "Questions · "+rec.Incident.Ref(),
			questionsView{Rec: rec, Questions: questionViews(rec), Clocks: clockViews(rec.Incident, rec.Active(), c.Now(), c.Loc()), Errors: errs})
	}
	msg := "No answer changed."
	if n > 0 {
		msg = fmt.Sprintf("%d answer(s) saved; the clocks were recomputed.", n)
	}
	return c.Redirect(incidentURL(id), "ok", msg)
}

func (s *Server) incidentNote(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	err = c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.AddIncidentEvent(c.R.Context(), id, "note", c.Form("text"), "") })
	if err != nil {
		return s.rerender(c, id, err)
	}
	return c.Redirect(incidentURL(id)+"#timeline", "ok", "Note added.")
}

func (s *Server) incidentActionAdd(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	a := domain.IncidentAction{IncidentID: id, Title: c.Form("title"), Kind: c.Form("kind")}
	if a.OwnerID, err = formInt(c, "owner_id"); err == nil {
		if a.Due, err = c.formDate("due"); err == nil {
			a.Owner = c.Form("owner")
			if a.Owner == "" && a.OwnerID != 0 {
				if u, uerr := c.Scope.User(c.R.Context(), a.OwnerID); uerr == nil {
					a.Owner = u.Name
				}
			}
			err = c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.AddIncidentAction(c.R.Context(), &a) })
		}
	}
	if err != nil {
		return s.rerender(c, id, err)
	}
	back := incidentURL(id) + "#actions"
	if a.Kind == domain.ActionImprovement {
		back = incidentURL(id) + "/review"
	}
	return c.Redirect(back, "ok", "Action added.")
}

func (s *Server) incidentActionDone(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	aid, err := c.PathInt("action")
	if err != nil {
		return err
	}
	a, err := c.Scope.IncidentAction(c.R.Context(), id, aid)
	if err != nil {
		return err
	}
	a.Done = c.Form("done") != "false"
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.UpdateIncidentAction(c.R.Context(), a) }); err != nil {
		return err
	}
	return c.Redirect(incidentURL(id)+"#actions", "ok", "Action updated.")
}

func (s *Server) incidentDecision(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	d := domain.IncidentDecision{IncidentID: id, What: c.Form("what"), Who: c.Form("who")}
	at, err := c.formTime("decided_at")
	if err == nil {
		if at != nil {
			d.DecidedAt = *at
		}
		err = c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.AddIncidentDecision(c.R.Context(), &d) })
	}
	if err != nil {
		return s.rerender(c, id, err)
	}
	return c.Redirect(incidentURL(id)+"#decisions", "ok", "Decision recorded.")
}

func (s *Server) incidentAttach(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	if _, err := c.Scope.Incident(c.R.Context(), id); err != nil {
		return err
	}
	f, fh, err := c.R.FormFile("file")
	if err != nil {
		return s.rerender(c, id, domain.Invalid("file", "choose a file to upload"))
	}
	defer f.Close()
	content, err := incident.ReadAttachment(f)
	if err == nil {
		att := domain.IncidentAttachment{IncidentID: id, Name: filepath.Base(fh.Filename), ContentType: fh.Header.Get("Content-Type"),
			Evidence: c.FormBool("evidence"), Description: c.Form("description")}
		err = incident.AddAttachment(c.R.Context(), c.Scope, &att, content)
	}
	if err != nil {
		return s.rerender(c, id, err)
	}
	return c.Redirect(incidentURL(id)+"#attachments", "ok", "File attached; its SHA-256 is recorded.")
}

func (s *Server) incidentAttachment(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	aid, err := c.PathInt("attachment")
	if err != nil {
		return err
	}
	att, content, err := c.Scope.IncidentAttachment(c.R.Context(), id, aid)
	if err != nil {
		return err
	}
	download(c.W, att.Name, "application/octet-stream", content)
	return nil
}

func (s *Server) incidentSubmit(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	sub := domain.IncidentSubmission{IncidentID: id, DeadlineID: c.Form("deadline_id"), Recipient: c.Form("recipient"),
		Reference: c.Form("reference"), Note: c.Form("note")}
	at, err := c.formTime("submitted_at")
	if err == nil {
		if at == nil {
			now := c.Now()
			at = &now
		}
		sub.SubmittedAt = *at
		if sub.ReportID, err = formInt(c, "report_id"); err == nil {
			err = incident.RecordSubmission(c.R.Context(), c.Scope, &sub)
		}
	}
	if err != nil {
		return s.rerender(c, id, err)
	}
	return c.Redirect(incidentURL(id), "ok", "Submission of "+sub.DeadlineID+" recorded; that clock is closed.")
}

// download sends a file as an attachment (never rendered inline: uploads are untrusted content).
func download(w http.ResponseWriter, name, contentType string, b []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}
