package web

import (
	"bytes"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/disclosure"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/mds2"
	"github.com/vigil-med/vigil/internal/store"
)

func (s *Server) discMDS2Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /disclosures/mds2", s.page(domain.PermRead, s.discMDS2List))
	mux.HandleFunc("POST /disclosures/mds2", s.page(domain.PermDisclosures, s.discMDS2New))
	mux.HandleFunc("GET /disclosures/mds2/compare", s.page(domain.PermRead, s.discMDS2Compare))
	mux.HandleFunc("GET /disclosures/mds2/{id}", s.page(domain.PermRead, s.discMDS2View))
	mux.HandleFunc("GET /disclosures/mds2/{id}/edit", s.page(domain.PermDisclosures, s.discMDS2Edit))
	mux.HandleFunc("POST /disclosures/mds2/{id}/edit", s.page(domain.PermDisclosures, s.discMDS2Save))
	mux.HandleFunc("POST /disclosures/mds2/{id}/delete", s.page(domain.PermDisclosures, s.discMDS2Delete))
	mux.HandleFunc("GET /disclosures/mds2/{id}/export", s.page(domain.PermRead, s.discMDS2Export))
}

type discMDS2ListView struct {
	Page     domain.Page[domain.MDS2Form]
	Filter   domain.MDS2Filter
	Versions []domain.ProductVersion
	Error    string
}

func (s *Server) discMDS2List(c *Ctx) error {
	return s.renderMDS2List(c, http.StatusOK, "")
}

func (s *Server) renderMDS2List(c *Ctx, status int, msg string) error {
	q := c.R.URL.Query()
	f := domain.MDS2Filter{ListParams: c.List(), Status: q.Get("status"), ProductVersionID: queryID(q, "product_version_id")}
	if f.Status != domain.MDS2Imported && f.Status != domain.MDS2Draft {
		f.Status = ""
	}
	v := discMDS2ListView{Filter: f, Error: msg}
	var err error
	if v.Page, err = c.Scope.MDS2Forms(c.R.Context(), f); err != nil {
		return err
	}
	if c.P.Can(domain.PermDisclosures) {
		if v.Versions, err = discAllVersions(c); err != nil {
			return err
		}
	}
	return c.RenderStatus(status, "disclosures/mds2_list", "MDS2 forms", v)
}

// discMDS2New starts a draft: blank for a product version, or a copy of a form.
func (s *Server) discMDS2New(c *Ctx) error {
	in := disclosure.DraftInput{Manufacturer: c.Form("manufacturer"), Device: c.Form("device"), Models: c.Form("models")}
	in.ProductVersionID, _ = strconv.ParseInt(c.Form("product_version_id"), 10, 64)
	in.FromFormID, _ = strconv.ParseInt(c.Form("from_form_id"), 10, 64)
	ctx := c.R.Context()
	if in.ProductVersionID != 0 {
		if _, err := c.Scope.ProductVersion(ctx, in.ProductVersionID); err != nil {
			return s.renderMDS2List(c, http.StatusUnprocessableEntity, "Choose a product version of the list.")
		}
	}
	if in.FromFormID != 0 {
		if _, err := c.Scope.MDS2Form(ctx, in.FromFormID); err != nil {
			return err
		}
	}
	f, err := disclosure.NewDraft(ctx, c.Scope, in)
	if err != nil {
		if domain.ErrorCode(err) == domain.EInvalid {
			return s.renderMDS2List(c, http.StatusUnprocessableEntity, discMessage(err))
		}
		return err
	}
	return c.Redirect(fmt.Sprintf("/disclosures/mds2/%d/edit", f.ID), "ok", "Started a draft MDS2 form.")
}

// discMDS2Row is one question of a form.
type discMDS2Row struct {
	ID, Text  string
	Depth     int
	Group     bool
	Kind      string
	A         domain.MDS2Answer
	NoteTexts []string
}

// discMDS2Section is one section of a form with its rows and answer counts.
type discMDS2Section struct {
	Code, Title, Summary string
	Rows                 []discMDS2Row
	Counts               map[string]int
	Open                 bool
}

func discSections(f domain.MDS2Form) []discMDS2Section {
	byID := map[string]domain.MDS2Answer{}
	for _, a := range f.Answers {
		byID[a.QuestionID] = a
	}
	var out []discMDS2Section
	for _, sec := range mds2.Sections() {
		ds := discMDS2Section{Code: sec.Code, Title: sec.Title, Summary: sec.Summary, Counts: map[string]int{}, Open: sec.Code == "DOC"}
		for _, id := range sec.Questions {
			q, _ := mds2.Lookup(id)
			a := byID[id]
			if a.Value == "" {
				a.Value = string(mds2.ValueBlank)
			}
			row := discMDS2Row{ID: id, Text: q.Text, Depth: strings.Count(id, "."), Group: q.Group, Kind: string(q.Kind), A: a}
			for _, n := range a.NoteRefs {
				if t, ok := f.Notes[n]; ok {
					row.NoteTexts = append(row.NoteTexts, "Note "+n+": "+t)
				}
			}
			ds.Counts[a.Value]++
			ds.Rows = append(ds.Rows, row)
		}
		out = append(out, ds)
	}
	return out
}

type discMDS2View struct {
	Form     domain.MDS2Form
	Sections []discMDS2Section
	Facts    []disclosure.Fact
	Notes    []discNote
	Others   []domain.MDS2Form // forms to compare with
	Errors   FieldErrors
}

type discNote struct{ Number, Text string }

func discNotes(f domain.MDS2Form) []discNote {
	var out []discNote
	for n, t := range f.Notes {
		out = append(out, discNote{n, t})
	}
	sort.Slice(out, func(i, j int) bool {
		a, _ := strconv.Atoi(out[i].Number)
		b, _ := strconv.Atoi(out[j].Number)
		return a < b
	})
	return out
}

func (s *Server) discMDS2Load(c *Ctx) (discMDS2View, error) {
	id, err := c.PathInt("id")
	if err != nil {
		return discMDS2View{}, err
	}
	f, err := c.Scope.MDS2Form(c.R.Context(), id)
	if err != nil {
		return discMDS2View{}, err
	}
	return discMDS2View{Form: f, Sections: discSections(f), Facts: disclosure.FactsOf(f), Notes: discNotes(f), Errors: FieldErrors{}}, nil
}

func (s *Server) discMDS2View(c *Ctx) error {
	v, err := s.discMDS2Load(c)
	if err != nil {
		return err
	}
	others, err := c.Scope.MDS2Forms(c.R.Context(), domain.MDS2Filter{ListParams: domain.ListParams{Limit: 100}})
	if err != nil {
		return err
	}
	for _, o := range others.Items {
		if o.ID != v.Form.ID {
			v.Others = append(v.Others, o)
		}
	}
	return c.Render("disclosures/mds2", "MDS2 "+v.Form.Title(), v)
}

func (s *Server) discMDS2Edit(c *Ctx) error {
	v, err := s.discMDS2Load(c)
	if err != nil {
		return err
	}
	if v.Form.Status != domain.MDS2Draft {
		return c.Redirect(fmt.Sprintf("/disclosures/mds2/%d", v.Form.ID), "error", "Imported forms are kept as received; start a draft from this one to edit.")
	}
	return c.Render("disclosures/mds2_edit", "Edit MDS2 "+v.Form.Title(), v)
}

// discMDS2Save saves the editor: every answer and note column of the form as posted, the notes block
// and the OTHR text.
func (s *Server) discMDS2Save(c *Ctx) error {
	v, err := s.discMDS2Load(c)
	if err != nil {
		return err
	}
	if err := c.R.ParseForm(); err != nil {
		return domain.Invalid("form", "the form could not be read")
	}
	e := disclosure.DraftEdit{Answers: map[string]string{}, NoteColumns: map[string]string{}, Notes: map[string]string{}}
	for _, q := range mds2.Catalogue() {
		if vals, ok := c.R.PostForm["a_"+q.ID]; ok && len(vals) > 0 {
			e.Answers[q.ID] = strings.TrimSpace(vals[0])
		}
		if vals, ok := c.R.PostForm["n_"+q.ID]; ok && len(vals) > 0 {
			e.NoteColumns[q.ID] = strings.TrimSpace(vals[0])
		}
	}
	for k, vals := range c.R.PostForm {
		if n, ok := strings.CutPrefix(k, "note_"); ok && len(vals) > 0 && n != "new" && n != "new_number" {
			e.Notes[n] = strings.TrimSpace(vals[0])
		}
	}
	if n, t := strings.TrimSpace(c.Form("note_new_number")), strings.TrimSpace(c.Form("note_new")); n != "" && t != "" {
		e.Notes[n] = t
	}
	if _, ok := c.R.PostForm["other"]; ok {
		other := c.Form("other")
		e.Other = &other
	}
	f, err := disclosure.SaveDraft(c.R.Context(), c.Scope, v.Form.ID, e)
	if err != nil {
		fe := FieldErrors{}
		if !fe.FromError(err) {
			return err
		}
		v.Errors = fe
		return c.RenderStatus(http.StatusUnprocessableEntity, "disclosures/mds2_edit", "Edit MDS2 "+v.Form.Title(), v)
	}
	target := fmt.Sprintf("/disclosures/mds2/%d", f.ID)
	if c.Form("continue") != "" {
		target += "/edit"
	}
	return c.Redirect(target, "ok", "Saved the draft.")
}

func (s *Server) discMDS2Delete(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.DeleteMDS2Form(c.R.Context(), id) }); err != nil {
		return err
	}
	return c.Redirect("/disclosures/mds2", "ok", "Deleted the MDS2 form (its document stays as evidence).")
}

func (s *Server) discMDS2Export(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	f, err := c.Scope.MDS2Form(c.R.Context(), id)
	if err != nil {
		return err
	}
	format := c.R.URL.Query().Get("format")
	ct, ext := "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"
	if format == "json" {
		ct, ext = "application/json", ".json"
	} else {
		format = "xlsx"
	}
	var buf bytes.Buffer
	if err := disclosure.ExportMDS2(c.R.Context(), c.Scope, &buf, id, format); err != nil {
		return err
	}
	discAttachment(c.W, "MDS2-"+discSlug(f.Title())+ext, ct)
	_, err = c.W.Write(buf.Bytes())
	return err
}

type discCompareView struct {
	IDs        []int64
	Forms      []domain.MDS2Form
	Comparison mds2.Comparison
	OnlyDiff   bool
	All        []domain.MDS2Form
	Error      string
}

// discMDS2Compare shows two to six forms side by side, differing rows highlighted.
func (s *Server) discMDS2Compare(c *Ctx) error {
	q := c.R.URL.Query()
	v := discCompareView{OnlyDiff: q.Get("only") == "diff"}
	for _, raw := range q["ids"] {
		for _, p := range strings.Split(raw, ",") {
			if id, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64); err == nil && id > 0 {
				v.IDs = append(v.IDs, id)
			}
		}
	}
	all, err := c.Scope.MDS2Forms(c.R.Context(), domain.MDS2Filter{ListParams: domain.ListParams{Limit: 100}})
	if err != nil {
		return err
	}
	v.All = all.Items
	status := http.StatusOK
	if len(v.IDs) > 0 || q.Has("ids") {
		v.Comparison, v.Forms, err = disclosure.CompareMDS2(c.R.Context(), c.Scope, v.IDs)
		switch {
		case err == nil:
		case domain.ErrorCode(err) == domain.EInvalid:
			v.Error, status = discMessage(err), http.StatusUnprocessableEntity
		default:
			return err
		}
	}
	return c.RenderStatus(status, "disclosures/mds2_compare", "Compare MDS2 forms", v)
}
