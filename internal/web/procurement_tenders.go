package web

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/procurement"
	"github.com/vigil-med/vigil/internal/report/pdf"
	"github.com/vigil-med/vigil/internal/store"
)

func (s *Server) procurementRoutes(mux *http.ServeMux) {
	read, write := domain.PermRead, domain.PermProcurement
	mux.HandleFunc("GET /procurement", s.page(read, func(c *Ctx) error { return c.Redirect("/procurement/overview", "", "") }))
	mux.HandleFunc("GET /procurement/overview", s.page(read, s.procOverview))
	mux.HandleFunc("POST /procurement/commitments/{id}", s.page(write, s.procCommitmentStatus))
	mux.HandleFunc("GET /procurement/tenders", s.page(read, s.procTenders))
	mux.HandleFunc("GET /procurement/tenders/new", s.page(write, s.procTenderNew))
	mux.HandleFunc("POST /procurement/tenders", s.page(write, s.procTenderCreate))
	mux.HandleFunc("GET /procurement/tenders/{id}", s.page(read, s.procTender))
	mux.HandleFunc("POST /procurement/tenders/{id}", s.page(write, s.procTenderUpdate))
	mux.HandleFunc("POST /procurement/tenders/{id}/criteria", s.page(write, s.procTenderCriteria))
	mux.HandleFunc("POST /procurement/tenders/{id}/bids", s.page(write, s.procBidCreate))
	mux.HandleFunc("GET /procurement/tenders/{id}/annex.pdf", s.page(read, s.procAnnex))
	mux.HandleFunc("GET /procurement/tenders/{id}/questionnaire.xlsx", s.page(read, s.procQuestionnaire))
	mux.HandleFunc("GET /procurement/tenders/{id}/award-report.pdf", s.page(read, s.procAwardReport))
	mux.HandleFunc("GET /procurement/tenders/{id}/documents/{doc}", s.page(read, s.procDocument))
	mux.HandleFunc("GET /procurement/tenders/{id}/compare", s.page(read, s.procCompare))
	mux.HandleFunc("POST /procurement/tenders/{id}/award", s.page(write, s.procAward))
	mux.HandleFunc("GET /procurement/tenders/{id}/bids/{bid}", s.page(read, s.procBid))
	mux.HandleFunc("POST /procurement/tenders/{id}/bids/{bid}", s.page(write, s.procBidUpdate))
	mux.HandleFunc("POST /procurement/tenders/{id}/bids/{bid}/upload", s.page(write, s.procBidUpload))
	mux.HandleFunc("POST /procurement/tenders/{id}/bids/{bid}/score", s.page(write, s.procBidScore))
	mux.HandleFunc("POST /procurement/tenders/{id}/bids/{bid}/cloud", s.page(write, s.procBidCloud))
	mux.HandleFunc("POST /procurement/tenders/{id}/bids/{bid}/delete", s.page(write, s.procBidDelete))
	mux.HandleFunc("GET /procurement/catalogue", s.page(read, s.procCatalogue))
	mux.HandleFunc("POST /procurement/catalogue", s.page(write, s.procCatalogueSave))
	mux.HandleFunc("GET /procurement/cloud", s.page(read, s.procCloudList))
	mux.HandleFunc("POST /procurement/cloud", s.page(write, s.procCloudCreate))
	mux.HandleFunc("GET /procurement/cloud/{id}", s.page(read, s.procCloudService))
	mux.HandleFunc("POST /procurement/cloud/{id}", s.page(write, s.procCloudUpdate))
	mux.HandleFunc("POST /procurement/cloud/{id}/profile", s.page(write, s.procCloudProfile))
	mux.HandleFunc("POST /procurement/cloud/{id}/review", s.page(write, s.procCloudReview))
}

// procOptions are the evaluation options for now.
func (s *Server) procOptions(c *Ctx) procurement.Options { return s.Procurement.Options(c.Now()) }

// --- Overview and commitments --------------------------------------------------------------------------

type commitView struct {
	domain.Commitment
	State     string
	TenderRef string
}

func commitViews(cs []domain.Commitment, tenders map[int64]string, now time.Time) []commitView {
	out := make([]commitView, 0, len(cs))
	for _, c := range cs {
		v := commitView{Commitment: c, State: c.State(now)}
		if c.TenderID != nil {
			v.TenderRef = tenders[*c.TenderID]
		}
		out = append(out, v)
	}
	return out
}

type procOverviewView struct {
	Stats                              store.ProcurementStats
	CloudTotal, CloudCurrent, CloudDue int
	Missed, Upcoming, Standing         []commitView
	Open                               []domain.Tender
	DueServices                        []domain.CloudService
	CanEdit                            bool
	SupplyChain                        procurement.SupplyChain
}

func (s *Server) procOverview(c *Ctx) error {
	ctx, now := c.R.Context(), c.Now()
	v := procOverviewView{CanEdit: c.P.Can(domain.PermProcurement)}
	var err error
	if v.SupplyChain, _, err = procurement.SupplyChainFigures(ctx, c.Scope, now); err != nil {
		return err
	}
	v.Stats, v.CloudTotal, v.CloudCurrent, v.CloudDue = v.SupplyChain.Stats, v.SupplyChain.CloudServices, v.SupplyChain.CloudCurrent, v.SupplyChain.CloudOverdue
	open, err := c.Scope.Tenders(ctx, domain.TenderFilter{ListParams: domain.ListParams{Limit: 200, Sort: "deadline"}})
	if err != nil {
		return err
	}
	refs := map[int64]string{}
	for _, t := range open.Items {
		refs[t.ID] = t.Reference
		if t.Status == domain.TenderDraft || t.Status == domain.TenderOpen || t.Status == domain.TenderEvaluation {
			v.Open = append(v.Open, t)
		}
	}
	cs, err := c.Scope.Commitments(ctx, domain.CommitmentFilter{})
	if err != nil {
		return err
	}
	for _, cv := range commitViews(cs, refs, now) {
		switch {
		case cv.State == "missed":
			v.Missed = append(v.Missed, cv)
		case cv.Status == domain.CommitmentOpen:
			v.Upcoming = append(v.Upcoming, cv)
		case cv.Status == domain.CommitmentActive:
			v.Standing = append(v.Standing, cv)
		}
	}
	due, err := c.Scope.CloudServices(ctx, domain.CloudServiceFilter{ListParams: domain.ListParams{Limit: 50, Sort: "next_review"}, Overdue: true, Now: now})
	if err != nil {
		return err
	}
	v.DueServices = due.Items
	return c.Render("procurement/overview", "Procurement", v)
}

func (s *Server) procCommitmentStatus(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	if _, err := c.Scope.Commitment(c.R.Context(), id); err != nil {
		return err
	}
	status := c.Form("status")
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error {
		return tx.SetCommitmentStatus(c.R.Context(), id, status, c.Form("note"))
	}); err != nil {
		return err
	}
	back := c.Form("back")
	if !strings.HasPrefix(back, "/procurement/") {
		back = "/procurement/overview"
	}
	return c.Redirect(back, "ok", "The commitment is now "+status+".")
}

// procurementCard is the dashboard card of the module.
type procurementCard struct {
	Missed      []commitView
	MissedCount int
	OpenTenders int
	CloudDue    int
	CloudTotal  int
}

func (s *Server) procurementDashboard(c *Ctx) (*procurementCard, error) {
	ctx, now := c.R.Context(), c.Now()
	st, err := c.Scope.ProcurementStats(ctx, now)
	if err != nil {
		return nil, err
	}
	total, _, due, err := c.Scope.CloudStats(ctx, now)
	if err != nil {
		return nil, err
	}
	if st.Tenders == 0 && total == 0 {
		return nil, nil
	}
	card := &procurementCard{MissedCount: st.CommitmentsMissed, OpenTenders: st.OpenTenders, CloudDue: due, CloudTotal: total}
	if st.CommitmentsMissed > 0 {
		cs, err := c.Scope.Commitments(ctx, domain.CommitmentFilter{Missed: true, Now: now})
		if err != nil {
			return nil, err
		}
		if len(cs) > 5 {
			cs = cs[:5]
		}
		card.Missed = commitViews(cs, nil, now)
	}
	return card, nil
}

// --- Tenders -------------------------------------------------------------------------------------------------

type procTendersView struct {
	Page   domain.Page[domain.Tender]
	Status string
	Q      string
	CanNew bool
}

func (s *Server) procTenders(c *Ctx) error {
	p := c.List()
	f := domain.TenderFilter{ListParams: p, Status: c.R.URL.Query().Get("status")}
	page, err := c.Scope.Tenders(c.R.Context(), f)
	if err != nil {
		return err
	}
	return c.Render("procurement/tenders", "Tenders", procTendersView{Page: page, Status: f.Status, Q: p.Q, CanNew: c.P.Can(domain.PermProcurement)})
}

type procTenderForm struct {
	In       procurement.TenderInput
	Deadline string
	Errors   FieldErrors
}

func (s *Server) procTenderNew(c *Ctx) error {
	in := procurement.TenderInput{Kind: c.R.URL.Query().Get("kind"), Reference: fmt.Sprintf("T-%d-", c.Now().Year())}
	if in.Kind == "" {
		in.Kind = procurement.KindDevice
	}
	return c.Render("procurement/new", "New tender", procTenderForm{In: in, Errors: FieldErrors{}})
}

// procDate reads a YYYY-MM-DD form field as the end of that day in the organisation's zone; "" is nil.
func procDate(c *Ctx, name string) (*time.Time, error) {
	v := c.Form(name)
	if v == "" {
		return nil, nil
	}
	d, err := time.ParseInLocation("2006-01-02", v, c.Loc())
	if err != nil {
		return nil, domain.Invalid(name, "write the date as YYYY-MM-DD")
	}
	d = d.Add(24*time.Hour - time.Second)
	return &d, nil
}

func (s *Server) procTenderCreate(c *Ctx) error {
	in := procurement.TenderInput{Reference: c.Form("reference"), Title: c.Form("title"), Subject: c.Form("subject"), ClinicalUse: c.Form("clinical_use"),
		NetworkExposure: c.Form("network_exposure"), Kind: c.Form("kind"), Status: domain.TenderDraft}
	v := procTenderForm{In: in, Deadline: c.Form("deadline"), Errors: FieldErrors{}}
	d, err := procDate(c, "deadline")
	if err == nil {
		in.Deadline = d
		var t domain.Tender
		if t, err = procurement.CreateTender(c.R.Context(), c.Scope, in); err == nil {
			return c.Redirect(fmt.Sprintf("/procurement/tenders/%d", t.ID), "ok", "Tender created with the catalogue's default requirements. Adjust them below, then export the annex and the questionnaire.")
		}
	}
	if !v.Errors.FromError(err) {
		return err
	}
	return c.RenderStatus(http.StatusUnprocessableEntity, "procurement/new", "New tender", v)
}

type bidRow struct {
	domain.Bid
	Result  *procurement.VendorResult
	Winner  bool
	Answers int
}

type criterionChoice struct {
	procurement.Criterion
	Selected bool
	ENISA    []string
}

type procTenderView struct {
	T           domain.Tender
	Cat         *procurement.Catalogue
	Choices     []criterionChoice
	Bids        []bidRow
	Docs        []domain.TenderDocument
	Commitments []commitView
	Statuses    []string
	Deadline    string
	CanEdit     bool
	Editable    bool // not awarded or cancelled
	Errors      FieldErrors
	NewBid      domain.Bid
	Problems    []string
	Must        int
}

func (s *Server) procTenderPage(c *Ctx, id int64, status int, errs FieldErrors, newBid domain.Bid) error {
	ctx := c.R.Context()
	te, err := procurement.EvaluateTender(ctx, c.Scope, id, s.procOptions(c))
	if err != nil {
		return err
	}
	t := te.Tender
	v := procTenderView{T: t, Cat: te.Catalogue, Statuses: domain.TenderStatuses, CanEdit: c.P.Can(domain.PermProcurement), Errors: errs, NewBid: newBid,
		Editable: t.Status != domain.TenderAwarded && t.Status != domain.TenderCancelled, Problems: te.Problems}
	if errs == nil {
		v.Errors = FieldErrors{}
	}
	if t.Deadline != nil {
		v.Deadline = t.Deadline.In(c.Loc()).Format("2006-01-02")
	}
	for _, cr := range te.Catalogue.Criteria {
		if cr.Must {
			v.Must++
		}
	}
	org, _, err := procurement.OrgCatalogue(ctx, c.Scope, t.Catalogue)
	if err != nil {
		return err
	}
	chosen := map[string]bool{}
	for _, id := range t.Criteria {
		chosen[id] = true
	}
	for _, cr := range org.Criteria {
		v.Choices = append(v.Choices, criterionChoice{Criterion: cr, Selected: chosen[cr.ID], ENISA: cr.ENISA()})
	}
	for i, b := range te.Bids {
		r := te.Evaluation.Vendors[i]
		v.Bids = append(v.Bids, bidRow{Bid: b, Result: &r, Winner: t.WinnerBidID != nil && *t.WinnerBidID == b.ID, Answers: len(b.Answers)})
	}
	docs, err := c.Scope.TenderDocuments(ctx, id)
	if err != nil {
		return err
	}
	v.Docs = docs
	cs, err := c.Scope.Commitments(ctx, domain.CommitmentFilter{TenderID: id})
	if err != nil {
		return err
	}
	v.Commitments = commitViews(cs, map[int64]string{id: t.Reference}, c.Now())
	return c.RenderStatus(status, "procurement/tender", t.Reference+" "+t.Title, v)
}

func (s *Server) procTender(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	return s.procTenderPage(c, id, http.StatusOK, nil, domain.Bid{})
}

func (s *Server) procTenderUpdate(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	t, err := c.Scope.Tender(c.R.Context(), id)
	if err != nil {
		return err
	}
	t.Reference, t.Title, t.Subject, t.ClinicalUse, t.NetworkExposure = c.Form("reference"), c.Form("title"), c.Form("subject"), c.Form("clinical_use"), c.Form("network_exposure")
	if st := c.Form("status"); st != "" {
		t.Status = st
	}
	d, err := procDate(c, "deadline")
	if err == nil {
		t.Deadline = d
		err = c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.UpdateTender(c.R.Context(), t) })
	}
	if err != nil {
		fe := FieldErrors{}
		if !fe.FromError(err) {
			return err
		}
		return s.procTenderPage(c, id, http.StatusUnprocessableEntity, fe, domain.Bid{})
	}
	return c.Redirect(fmt.Sprintf("/procurement/tenders/%d", id), "ok", "Saved.")
}

func (s *Server) procTenderCriteria(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	if err := c.R.ParseForm(); err != nil {
		return domain.Invalid("criteria", "the form could not be read")
	}
	if _, err := procurement.SetTenderCriteria(c.R.Context(), c.Scope, id, c.R.PostForm["criteria"]); err != nil {
		fe := FieldErrors{}
		if !fe.FromError(err) {
			return err
		}
		return s.procTenderPage(c, id, http.StatusUnprocessableEntity, fe, domain.Bid{})
	}
	return c.Redirect(fmt.Sprintf("/procurement/tenders/%d", id), "ok", "The requirements were saved with the catalogue's current weights and knock-outs.")
}

func (s *Server) procBidCreate(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	if _, err := c.Scope.Tender(c.R.Context(), id); err != nil {
		return err
	}
	b := domain.Bid{TenderID: id, Vendor: c.Form("vendor"), Product: c.Form("product"), Contact: c.Form("contact")}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.CreateBid(c.R.Context(), &b) }); err != nil {
		fe := FieldErrors{}
		if !fe.FromError(err) {
			return err
		}
		return s.procTenderPage(c, id, http.StatusUnprocessableEntity, fe, b)
	}
	return c.Redirect(fmt.Sprintf("/procurement/tenders/%d/bids/%d", id, b.ID), "ok", "Bid added. Upload the vendor's MDS2, SBOM and returned questionnaire.")
}

// --- Exports ---------------------------------------------------------------------------------------------------

func procFile(w http.ResponseWriter, name, contentType string, b []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}

func (s *Server) procPDFMeta(c *Ctx) pdf.Meta {
	m := pdf.Meta{Organisation: c.P.Org.Name, Generated: c.Now(), Location: c.Loc(), Confidential: true}
	if c.P.User != nil {
		m.Author = c.P.User.Name
	}
	return m
}

func (s *Server) procTenderOf(c *Ctx) (domain.Tender, error) {
	id, err := c.PathInt("id")
	if err != nil {
		return domain.Tender{}, err
	}
	return c.Scope.Tender(c.R.Context(), id)
}

func (s *Server) procAnnex(c *Ctx) error {
	t, err := s.procTenderOf(c)
	if err != nil {
		return err
	}
	cat, err := procurement.TenderCatalogue(t)
	if err != nil {
		return err
	}
	b, err := procurement.Annex(procurement.Info(t), cat, s.procPDFMeta(c))
	if err != nil {
		return err
	}
	procFile(c.W, "security-annex-"+domain.Slugify(t.Reference)+".pdf", "application/pdf", b)
	return nil
}

func (s *Server) procQuestionnaire(c *Ctx) error {
	t, err := s.procTenderOf(c)
	if err != nil {
		return err
	}
	cat, err := procurement.TenderCatalogue(t)
	if err != nil {
		return err
	}
	meta := procurement.QuestionnaireMeta{Organisation: c.P.Org.Name, TenderRef: t.Reference, TenderTitle: t.Title}
	if t.Deadline != nil {
		meta.Deadline = t.Deadline.In(c.Loc())
	}
	var buf bytes.Buffer
	if err := procurement.WriteQuestionnaire(&buf, cat, meta, nil); err != nil {
		return err
	}
	procFile(c.W, "questionnaire-"+domain.Slugify(t.Reference)+".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf.Bytes())
	return nil
}

func (s *Server) procAwardReport(c *Ctx) error {
	t, err := s.procTenderOf(c)
	if err != nil {
		return err
	}
	b, err := procurement.AwardReportFor(c.R.Context(), c.Scope, t.ID, s.procOptions(c), s.procPDFMeta(c))
	if err != nil {
		return err
	}
	procFile(c.W, "award-report-"+domain.Slugify(t.Reference)+".pdf", "application/pdf", b)
	return nil
}

func (s *Server) procDocument(c *Ctx) error {
	t, err := s.procTenderOf(c)
	if err != nil {
		return err
	}
	docID, err := c.PathInt("doc")
	if err != nil {
		return err
	}
	d, data, err := c.Scope.TenderDocument(c.R.Context(), t.ID, docID)
	if err != nil {
		return err
	}
	procFile(c.W, d.Name, "application/octet-stream", data)
	return nil
}
