package web

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/procurement"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/web/chart"
)

// critRow is one criterion of a bid's evaluation as the pages show it.
type critRow struct {
	procurement.CriterionResult
	ScoreText string // "2 / 3", "open", "n/a"
	Class     string // badge class
	Answer    *domain.BidAnswer
	Current   int // the score pre-selected in the evaluator form
	Evaluated bool
	Criterion procurement.Criterion
}

func scoreText(r procurement.CriterionResult) (text, class string) {
	switch r.Status {
	case procurement.StatusNotApplicable:
		return "n/a", ""
	case procurement.StatusNeedsEvaluation:
		if r.Suggested != nil {
			return fmt.Sprintf("open (evidence: %d)", *r.Suggested), "warn"
		}
		return "open", "warn"
	}
	text = fmt.Sprintf("%d / %d", *r.Score, r.Max)
	switch {
	case r.KnockOut:
		class = "bad"
	case *r.Score == r.Max:
		class = "ok"
	case *r.Score == 0:
		class = "bad"
	default:
		class = "info"
	}
	return text, class
}

func critRows(cat *procurement.Catalogue, v procurement.VendorResult, answers map[string]domain.BidAnswer) []critRow {
	var out []critRow
	for _, r := range v.Criteria {
		row := critRow{CriterionResult: r, Evaluated: r.Status == procurement.StatusEvaluated}
		row.ScoreText, row.Class = scoreText(r)
		row.Criterion, _ = cat.Criterion(r.ID)
		if a, ok := answers[r.ID]; ok {
			a := a
			row.Answer = &a
		}
		switch {
		case r.Score != nil:
			row.Current = *r.Score
		case r.Suggested != nil:
			row.Current = *r.Suggested
		default:
			row.Current = -1
		}
		out = append(out, row)
	}
	return out
}

type scaleOption struct {
	Value int
	Label string
}

func scaleOptions(s procurement.Scale) []scaleOption {
	var out []scaleOption
	for i := 0; i <= s.Max; i++ {
		out = append(out, scaleOption{Value: i, Label: fmt.Sprintf("%d — %s", i, s.Label(i))})
	}
	return out
}

type procBidView struct {
	T        domain.Tender
	B        domain.Bid
	Cat      *procurement.Catalogue
	Result   procurement.VendorResult
	Rows     []critRow
	Docs     []domain.TenderDocument
	Scale    []scaleOption
	CanEdit  bool
	Editable bool
	Cloud    *cloudFormView
	Messages []string
	Problems []string
	Errors   FieldErrors
	Groups   []string
}

func (s *Server) procBidPage(c *Ctx, tenderID, bidID int64, status int, messages []string, errs FieldErrors) error {
	ctx := c.R.Context()
	te, err := procurement.EvaluateTender(ctx, c.Scope, tenderID, s.procOptions(c))
	if err != nil {
		return err
	}
	var b domain.Bid
	found := false
	for _, x := range te.Bids {
		if x.ID == bidID {
			b, found = x, true
		}
	}
	if !found {
		return domain.NotFound("bid")
	}
	res, _ := te.VendorOf(bidID)
	t := te.Tender
	v := procBidView{T: t, B: b, Cat: te.Catalogue, Result: res, Rows: critRows(te.Catalogue, res, b.Answers), Scale: scaleOptions(te.Catalogue.Scale),
		CanEdit: c.P.Can(domain.PermProcurement), Editable: t.Status != domain.TenderAwarded && t.Status != domain.TenderCancelled,
		Messages: messages, Errors: errs}
	if v.Errors == nil {
		v.Errors = FieldErrors{}
	}
	for _, p := range te.Problems {
		if strings.HasPrefix(p, b.Vendor+":") {
			v.Problems = append(v.Problems, p)
		}
	}
	docs, err := c.Scope.TenderDocuments(ctx, tenderID)
	if err != nil {
		return err
	}
	for _, d := range docs {
		if d.BidID != nil && *d.BidID == bidID {
			v.Docs = append(v.Docs, d)
		}
	}
	if t.Kind == procurement.KindCloud {
		f := cloudForm(b.Cloud, fmt.Sprintf("/procurement/tenders/%d/bids/%d/cloud", tenderID, bidID))
		v.Cloud = &f
	}
	return c.RenderStatus(status, "procurement/bid", b.Vendor+" · "+t.Reference, v)
}

func (s *Server) procBidIDs(c *Ctx) (int64, int64, error) {
	tid, err := c.PathInt("id")
	if err != nil {
		return 0, 0, err
	}
	bid, err := c.PathInt("bid")
	if err != nil {
		return 0, 0, err
	}
	if _, err := c.Scope.Bid(c.R.Context(), tid, bid); err != nil {
		return 0, 0, err
	}
	return tid, bid, nil
}

func (s *Server) procBid(c *Ctx) error {
	tid, bid, err := s.procBidIDs(c)
	if err != nil {
		return err
	}
	return s.procBidPage(c, tid, bid, http.StatusOK, nil, nil)
}

func (s *Server) procBidUpdate(c *Ctx) error {
	tid, bid, err := s.procBidIDs(c)
	if err != nil {
		return err
	}
	b, err := c.Scope.Bid(c.R.Context(), tid, bid)
	if err != nil {
		return err
	}
	b.Vendor, b.Product, b.Contact = c.Form("vendor"), c.Form("product"), c.Form("contact")
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.UpdateBid(c.R.Context(), b, "details") }); err != nil {
		fe := FieldErrors{}
		if !fe.FromError(err) {
			return err
		}
		return s.procBidPage(c, tid, bid, http.StatusUnprocessableEntity, nil, fe)
	}
	return c.Redirect(fmt.Sprintf("/procurement/tenders/%d/bids/%d", tid, bid), "ok", "Saved.")
}

func (s *Server) procBidDelete(c *Ctx) error {
	tid, bid, err := s.procBidIDs(c)
	if err != nil {
		return err
	}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.DeleteBid(c.R.Context(), tid, bid) }); err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/procurement/tenders/%d", tid), "ok", "The bid was removed.")
}

// procUploadLimits are the largest files the bid upload form takes, by kind.
var procUploadLimits = map[string]int64{
	domain.DocMDS2: procurement.MaxMDS2Bytes, domain.DocSBOM: procurement.MaxSBOMBytes,
	domain.DocQuestionnaire: procurement.MaxQuestionnaireBytes, domain.DocOther: procurement.MaxDocumentBytes,
}

func (s *Server) procBidUpload(c *Ctx) error {
	tid, bid, err := s.procBidIDs(c)
	if err != nil {
		return err
	}
	kind := c.R.FormValue("kind")
	limit, ok := procUploadLimits[kind]
	if !ok {
		return domain.Invalid("kind", "unknown kind of file %q", kind)
	}
	f, fh, err := c.R.FormFile("file")
	if err != nil {
		return s.procBidPage(c, tid, bid, http.StatusUnprocessableEntity, nil, FieldErrors{"file_" + kind: "choose a file to upload"})
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return err
	}
	name := filepath.Base(strings.ReplaceAll(fh.Filename, "\\", "/"))
	fe := FieldErrors{}
	if int64(len(data)) > limit {
		fe["file_"+kind] = fmt.Sprintf("the file is larger than %d MiB", limit>>20)
		return s.procBidPage(c, tid, bid, http.StatusRequestEntityTooLarge, nil, fe)
	}
	ctx := c.R.Context()
	var msgs []string
	switch kind {
	case domain.DocMDS2:
		form, err := procurement.AddMDS2(ctx, c.Scope, tid, bid, name, data)
		if err != nil {
			return s.procUploadFailed(c, tid, bid, kind, err)
		}
		counts := form.Counts()
		msgs = append(msgs, fmt.Sprintf("MDS2 form %s read: %s, %s; %d Yes, %d No, %d N/A, %d with a note, %d unanswered.", name, form.Manufacturer, form.Device,
			counts["yes"], counts["no"], counts["na"], counts["see-note"], counts["blank"]))
		msgs = append(msgs, form.Warnings...)
	case domain.DocSBOM:
		ev, err := procurement.AddSBOM(ctx, c.Scope, tid, bid, name, data)
		if err != nil {
			return s.procUploadFailed(c, tid, bid, kind, err)
		}
		n := procurement.CheckNTIA(ev)
		msgs = append(msgs, fmt.Sprintf("SBOM %s read: %s %s, %d components; NTIA minimum elements %.0f %%.", name, ev.Doc.Format, ev.Doc.SpecVersion, n.Components, 100*n.Share))
		msgs = append(msgs, ev.Doc.Warnings...)
	case domain.DocQuestionnaire:
		res, err := procurement.AddQuestionnaire(ctx, c.Scope, tid, bid, name, data)
		if err != nil {
			return s.procUploadFailed(c, tid, bid, kind, err)
		}
		msgs = append(msgs, fmt.Sprintf("Questionnaire %s read: %d answers, %d problems.", name, len(res.Answers), len(res.Errors)))
		for _, e := range res.Errors {
			msgs = append(msgs, e.Error())
		}
		msgs = append(msgs, res.Warnings...)
	default:
		d, err := procurement.AddDocument(ctx, c.Scope, tid, bid, name, data)
		if err != nil {
			return s.procUploadFailed(c, tid, bid, kind, err)
		}
		msgs = append(msgs, fmt.Sprintf("Document %s kept (%d bytes, SHA-256 %s).", d.Name, d.Size, d.SHA256))
	}
	if len(msgs) > 40 {
		msgs = append(msgs[:40], fmt.Sprintf("… and %d more", len(msgs)-40))
	}
	return s.procBidPage(c, tid, bid, http.StatusOK, msgs, nil)
}

func (s *Server) procUploadFailed(c *Ctx, tid, bid int64, kind string, err error) error {
	code := domain.ErrorCode(err)
	if code != domain.EInvalid && code != domain.ETooLarge {
		return err
	}
	status := http.StatusUnprocessableEntity
	if code == domain.ETooLarge {
		status = http.StatusRequestEntityTooLarge
	}
	var de *domain.Error
	msg := domain.ErrorMessage(err)
	if errors.As(err, &de) {
		msg = de.Message
	}
	return s.procBidPage(c, tid, bid, status, nil, FieldErrors{"file_" + kind: msg})
}

func (s *Server) procBidScore(c *Ctx) error {
	tid, bid, err := s.procBidIDs(c)
	if err != nil {
		return err
	}
	crit := c.Form("criterion")
	back := fmt.Sprintf("/procurement/tenders/%d/bids/%d#c-%s", tid, bid, crit)
	if c.Form("clear") != "" {
		if err := procurement.Unscore(c.R.Context(), c.Scope, tid, bid, crit); err != nil {
			return err
		}
		return c.Redirect(back, "ok", "The evaluator score was removed; the automatic result applies again.")
	}
	score, err := strconv.Atoi(c.Form("score"))
	if err != nil {
		return s.procBidPage(c, tid, bid, http.StatusUnprocessableEntity, nil, FieldErrors{"score_" + crit: "choose a score"})
	}
	if _, err := procurement.Score(c.R.Context(), c.Scope, tid, bid, procurement.ScoreInput{Criterion: crit, Score: score, Comment: c.Form("comment")}); err != nil {
		fe := FieldErrors{}
		if !fe.FromError(err) {
			return err
		}
		fe["score_"+crit] = fe[domain.ErrorField(err)]
		return s.procBidPage(c, tid, bid, http.StatusUnprocessableEntity, nil, fe)
	}
	return c.Redirect(back, "ok", "Score saved.")
}

func (s *Server) procBidCloud(c *Ctx) error {
	tid, bid, err := s.procBidIDs(c)
	if err != nil {
		return err
	}
	p, err := parseCloudForm(c)
	if err == nil {
		_, err = procurement.SetBidCloud(c.R.Context(), c.Scope, tid, bid, p)
	}
	if err != nil {
		fe := FieldErrors{}
		if !fe.FromError(err) {
			return err
		}
		fe["cloud"] = domain.ErrorMessage(err)
		return s.procBidPage(c, tid, bid, http.StatusUnprocessableEntity, nil, fe)
	}
	return c.Redirect(fmt.Sprintf("/procurement/tenders/%d/bids/%d", tid, bid), "ok", "Cloud assessment saved.")
}

// --- Comparison and award ---------------------------------------------------------------------------------

type compareVendor struct {
	BidID   int64
	Result  procurement.VendorResult
	Winner  bool
	Summary string
}

type compareCell struct {
	procurement.CriterionResult
	ScoreText string
	Class     string
}

type compareRow struct {
	Criterion procurement.Criterion
	Cells     []compareCell
}

type procCompareView struct {
	T        domain.Tender
	Cat      *procurement.Catalogue
	Vendors  []compareVendor
	Ranked   []compareVendor
	Rows     []compareRow
	Chart    template.HTML
	CanAward bool
	Problems []string
	Errors   FieldErrors
	AsOf     string
}

func (s *Server) procComparePage(c *Ctx, status int, errs FieldErrors) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	te, err := procurement.EvaluateTender(c.R.Context(), c.Scope, id, s.procOptions(c))
	if err != nil {
		return err
	}
	t := te.Tender
	v := procCompareView{T: t, Cat: te.Catalogue, CanAward: c.P.Can(domain.PermProcurement) && t.Status != domain.TenderAwarded && t.Status != domain.TenderCancelled && len(te.Bids) > 0,
		Problems: te.Problems, Errors: errs, AsOf: te.Evaluation.AsOf.In(c.Loc()).Format("2006-01-02")}
	if v.Errors == nil {
		v.Errors = FieldErrors{}
	}
	for i, r := range te.Evaluation.Vendors {
		cv := compareVendor{BidID: te.BidIDs[i], Result: r, Winner: t.WinnerBidID != nil && *t.WinnerBidID == te.BidIDs[i]}
		switch {
		case r.KnockedOut:
			cv.Summary = "knocked out by " + strings.Join(r.KnockedOutBy, ", ")
		case !r.Complete:
			cv.Summary = fmt.Sprintf("%d criteria still open", r.NeedsEvaluation)
		default:
			cv.Summary = "complete"
		}
		v.Vendors = append(v.Vendors, cv)
	}
	v.Ranked = append([]compareVendor(nil), v.Vendors...)
	for i := range v.Ranked {
		for j := i + 1; j < len(v.Ranked); j++ {
			if v.Ranked[j].Result.Rank < v.Ranked[i].Result.Rank {
				v.Ranked[i], v.Ranked[j] = v.Ranked[j], v.Ranked[i]
			}
		}
	}
	for i, cr := range te.Catalogue.Criteria {
		row := compareRow{Criterion: cr}
		for _, vr := range te.Evaluation.Vendors {
			cell := compareCell{CriterionResult: vr.Criteria[i]}
			cell.ScoreText, cell.Class = scoreText(cell.CriterionResult)
			row.Cells = append(row.Cells, cell)
		}
		v.Rows = append(v.Rows, row)
	}
	var labels []string
	var totals []float64
	for _, r := range v.Ranked {
		label := r.Result.Vendor
		if r.Result.KnockedOut {
			label += " (knocked out)"
		}
		labels = append(labels, label)
		totals = append(totals, r.Result.Total)
	}
	if len(labels) > 0 {
		v.Chart = chart.HBars("Weighted total per vendor (percent of the attainable maximum)", labels, totals, func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) + " %" })
	}
	return c.RenderStatus(status, "procurement/compare", "Comparison · "+t.Reference, v)
}

func (s *Server) procCompare(c *Ctx) error { return s.procComparePage(c, http.StatusOK, nil) }

func (s *Server) procAward(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	bid, err := strconv.ParseInt(c.Form("bid_id"), 10, 64)
	if err != nil || bid <= 0 {
		return s.procComparePage(c, http.StatusUnprocessableEntity, FieldErrors{"bid_id": "choose the winning bid"})
	}
	res, err := procurement.Award(c.R.Context(), c.Scope, id, bid, c.Form("rationale"), c.FormBool("force"), c.Now(), s.procOptions(c))
	if err != nil {
		fe := FieldErrors{}
		if !fe.FromError(err) {
			return err
		}
		if domain.ErrorField(err) == "bid" {
			fe["bid_id"] = fe["bid"]
		}
		return s.procComparePage(c, http.StatusUnprocessableEntity, fe)
	}
	return c.Redirect(fmt.Sprintf("/procurement/tenders/%d", id), "ok",
		fmt.Sprintf("Awarded to %s. %d commitments are now tracked.", res.Winner.Vendor, len(res.Commitments)))
}
