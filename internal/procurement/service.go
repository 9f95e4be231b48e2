package procurement

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/feeds/endoflife"
	"github.com/vigil-med/vigil/internal/mds2"
	"github.com/vigil-med/vigil/internal/report/pdf"
	"github.com/vigil-med/vigil/internal/sbom"
	"github.com/vigil-med/vigil/internal/store"
)

// Size limits of the files a bid carries.
const (
	MaxMDS2Bytes     = 8 << 20  // an MDS2 workbook is typically under 100 KiB
	MaxDocumentBytes = 20 << 20 // certificates, declarations, test summaries
)

// Env holds what evaluations need from the running application: the end-of-life data (loaded once,
// lazily) and the vulnerability checker. The app builds one; a nil *Env evaluates with the embedded
// end-of-life subset and without vulnerability data.
type Env struct {
	DataDir string      // the data directory (endoflife.date data under feeds/endoflife when the feeds module loaded it)
	EOLDir  string      // an explicit endoflife.date folder, overriding the data directory
	Vulns   VulnChecker // nil: NoVulnData; internal/app sets a SnapshotChecker of the data directory

	once      sync.Once
	eol       *endoflife.Catalog
	eolSource string
	eolErr    error
}

// NewEnv returns an Env for a data directory.
func NewEnv(dataDir string) *Env { return &Env{DataDir: dataDir} }

// Options returns evaluation options for the day asOf.
func (e *Env) Options(asOf time.Time) Options {
	if e == nil {
		cat, _ := EmbeddedEOL()
		return Options{AsOf: asOf, EOL: cat, Vulns: NoVulnData{}}
	}
	e.once.Do(func() { e.eol, e.eolSource, e.eolErr = LoadEOL(e.EOLDir, e.DataDir) })
	vulns := e.Vulns
	if vulns == nil {
		vulns = NoVulnData{}
	}
	return Options{AsOf: asOf, EOL: e.eol, Vulns: vulns}
}

// EOLSource says which end-of-life data evaluations use (or why none).
func (e *Env) EOLSource() string {
	if e == nil {
		return "embedded endoflife.date subset"
	}
	e.Options(time.Now())
	if e.eolErr != nil {
		return "none (" + e.eolErr.Error() + ")"
	}
	return e.eolSource
}

// --- Catalogues ----------------------------------------------------------------------------------------------

// OrgCatalogue returns the organisation's catalogue name: its newest stored version, or a copy of the
// built-in catalogue with version 0 when the organisation has not stored one yet.
func OrgCatalogue(ctx context.Context, sc *store.Scope, name string) (*Catalogue, int, error) {
	stored, err := sc.ProcurementCatalogue(ctx, name)
	if domain.ErrorCode(err) == domain.ENotFound {
		c, ok := Builtin(name)
		if !ok {
			return nil, 0, domain.NotFound("catalogue " + name)
		}
		return c, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	c, err := decodeCatalogue(stored.Data)
	return c, stored.Version, err
}

func decodeCatalogue(data []byte) (*Catalogue, error) {
	var c Catalogue
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("stored catalogue: %w", err)
	}
	if len(c.Sources) == 0 {
		c.Sources = embedded().sources
	}
	if len(c.Practices) == 0 {
		c.Practices = embedded().practices
	}
	return &c, nil
}

func encodeCatalogue(c *Catalogue) ([]byte, error) {
	// Sources and practices are those of the built-in catalogues; they are not stored with each copy.
	cc := c.Clone()
	cc.Sources, cc.Practices = nil, nil
	return json.Marshal(cc)
}

// ensureCatalogue copies the built-in catalogue into the organisation on first use (version 1).
func ensureCatalogue(ctx context.Context, tx *store.Tx, name string) (*Catalogue, int, error) {
	c, v, err := OrgCatalogue(ctx, tx.Scope(), name)
	if err != nil || v > 0 {
		return c, v, err
	}
	data, err := encodeCatalogue(c)
	if err != nil {
		return nil, 0, err
	}
	rec := domain.ProcurementCatalogue{Name: name, BasedOn: c.Version, Data: data, Note: "copied from the built-in catalogue " + c.Version}
	if err := tx.SaveProcurementCatalogue(ctx, &rec); err != nil {
		return nil, 0, err
	}
	return c, rec.Version, nil
}

// CriterionEdit changes one criterion of an organisation's catalogue; nil fields stay as they are.
type CriterionEdit struct {
	ID       string   `json:"id"`
	Weight   *float64 `json:"weight,omitempty"`
	Must     *bool    `json:"must,omitempty"`
	Default  *bool    `json:"default,omitempty"`
	Evidence *string  `json:"evidence,omitempty"`
}

// CatalogueEdit is a change of an organisation's catalogue, stored as a new version.
type CatalogueEdit struct {
	ScaleMax    int             `json:"scale_max,omitempty"`    // 0: unchanged
	ScaleLabels []string        `json:"scale_labels,omitempty"` // nil: unchanged (or defaults when the scale changes)
	Criteria    []CriterionEdit `json:"criteria,omitempty"`
	Note        string          `json:"note,omitempty"`
}

// EditCatalogue applies an edit to the organisation's catalogue and stores the result as a new version
// (copying the built-in one first when needed). It returns the new catalogue and version.
func EditCatalogue(ctx context.Context, sc *store.Scope, name string, edit CatalogueEdit) (*Catalogue, int, error) {
	var out *Catalogue
	var version int
	err := sc.Write(ctx, func(tx *store.Tx) error {
		c, _, err := ensureCatalogue(ctx, tx, name)
		if err != nil {
			return err
		}
		if edit.ScaleMax != 0 && edit.ScaleMax != c.Scale.Max {
			c.Scale.Max = edit.ScaleMax
			c.Scale.Labels = defaultLabels(edit.ScaleMax)
		}
		if edit.ScaleLabels != nil {
			c.Scale.Labels = edit.ScaleLabels
		}
		for i, e := range edit.Criteria {
			idx := -1
			for j := range c.Criteria {
				if c.Criteria[j].ID == e.ID {
					idx = j
				}
			}
			if idx < 0 {
				return domain.Invalid(fmt.Sprintf("criteria[%d].id", i), "%q is not a criterion of catalogue %s", e.ID, name)
			}
			cr := &c.Criteria[idx]
			if e.Weight != nil {
				cr.Weight = *e.Weight
			}
			if e.Must != nil {
				cr.Must = *e.Must
			}
			if e.Default != nil {
				cr.Default = *e.Default
			}
			if e.Evidence != nil {
				if len(*e.Evidence) > 2000 {
					return domain.Invalid(fmt.Sprintf("criteria[%d].evidence", i), "is longer than 2000 characters")
				}
				cr.Evidence = strings.TrimSpace(*e.Evidence)
			}
		}
		if err := c.Validate(); err != nil {
			return domain.Invalid("catalogue", "%v", err)
		}
		data, err := encodeCatalogue(c)
		if err != nil {
			return err
		}
		note := strings.TrimSpace(edit.Note)
		if note == "" {
			note = fmt.Sprintf("changed %d criteria", len(edit.Criteria))
		}
		rec := domain.ProcurementCatalogue{Name: name, BasedOn: c.Version, Data: data, Note: note}
		if err := tx.SaveProcurementCatalogue(ctx, &rec); err != nil {
			return err
		}
		out, version = c, rec.Version
		return nil
	})
	return out, version, err
}

// ResetCatalogue stores the built-in catalogue again as the organisation's newest version.
func ResetCatalogue(ctx context.Context, sc *store.Scope, name string) (int, error) {
	c, ok := Builtin(name)
	if !ok {
		return 0, domain.NotFound("catalogue " + name)
	}
	data, err := encodeCatalogue(c)
	if err != nil {
		return 0, err
	}
	rec := domain.ProcurementCatalogue{Name: name, BasedOn: c.Version, Data: data, Note: "reset to the built-in catalogue " + c.Version}
	err = sc.Write(ctx, func(tx *store.Tx) error { return tx.SaveProcurementCatalogue(ctx, &rec) })
	return rec.Version, err
}

func defaultLabels(max int) []string {
	switch max {
	case 3:
		return []string{"not met", "partly met", "largely met", "fully met"}
	case 5:
		return []string{"not met", "barely met", "partly met", "largely met", "fully met", "exceeds"}
	}
	return nil
}

// --- Tenders ----------------------------------------------------------------------------------------------------

// TenderInput creates or changes a tender.
type TenderInput struct {
	Reference       string     `json:"reference"`
	Title           string     `json:"title"`
	Subject         string     `json:"subject"`
	ClinicalUse     string     `json:"clinical_use,omitempty"`
	NetworkExposure string     `json:"network_exposure,omitempty"`
	Kind            string     `json:"kind,omitempty" doc:"device (default) or cloud"`
	Deadline        *time.Time `json:"deadline,omitempty"`
	Status          string     `json:"status,omitempty"`
	Criteria        []string   `json:"criteria,omitempty" doc:"criterion ids; default: the catalogue's default selection"`
}

// CreateTender creates a tender with requirements chosen from the organisation's catalogue of its kind
// (copied from the built-in catalogue on first use); without Criteria the catalogue's defaults are chosen.
func CreateTender(ctx context.Context, sc *store.Scope, in TenderInput) (domain.Tender, error) {
	t := domain.Tender{Reference: in.Reference, Title: in.Title, Subject: in.Subject, ClinicalUse: in.ClinicalUse,
		NetworkExposure: in.NetworkExposure, Kind: in.Kind, Deadline: in.Deadline, Status: in.Status}
	if err := t.Validate(); err != nil {
		return t, err
	}
	t.Catalogue = CatalogueDevice
	if t.Kind == KindCloud {
		t.Catalogue = CatalogueCloud
	}
	err := sc.Write(ctx, func(tx *store.Tx) error {
		cat, version, err := ensureCatalogue(ctx, tx, t.Catalogue)
		if err != nil {
			return err
		}
		ids := in.Criteria
		if len(ids) == 0 {
			ids = cat.Defaults()
		}
		sel, err := cat.Select(ids)
		if err != nil {
			return domain.Invalid("criteria", "%v", err)
		}
		if t.CriteriaData, err = encodeCatalogue(sel); err != nil {
			return err
		}
		t.CatalogueVersion = version
		return tx.CreateTender(ctx, &t)
	})
	return t, err
}

// SetTenderCriteria replaces the tender's requirements with the given criteria of the organisation's
// current catalogue (weights and knock-outs as they are now).
func SetTenderCriteria(ctx context.Context, sc *store.Scope, tenderID int64, ids []string) (*Catalogue, error) {
	var sel *Catalogue
	err := sc.Write(ctx, func(tx *store.Tx) error {
		t, err := tx.Scope().Tender(ctx, tenderID)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return domain.Invalid("criteria", "choose at least one requirement")
		}
		cat, version, err := ensureCatalogue(ctx, tx, t.Catalogue)
		if err != nil {
			return err
		}
		if sel, err = cat.Select(ids); err != nil {
			return domain.Invalid("criteria", "%v", err)
		}
		data, err := encodeCatalogue(sel)
		if err != nil {
			return err
		}
		return tx.SetTenderCriteria(ctx, tenderID, version, data)
	})
	return sel, err
}

// TenderCatalogue returns the criteria a tender is evaluated with (its snapshot).
func TenderCatalogue(t domain.Tender) (*Catalogue, error) {
	return decodeCatalogue(t.CriteriaData)
}

// Info returns the tender's description for its documents.
func Info(t domain.Tender) TenderInfo {
	ti := TenderInfo{Ref: t.Reference, Title: t.Title, Subject: t.Subject, ClinicalUse: t.ClinicalUse, NetworkExposure: t.NetworkExposure, Kind: t.Kind}
	if t.Deadline != nil {
		ti.Deadline = *t.Deadline
	}
	return ti
}

// --- Bid evidence -------------------------------------------------------------------------------------------------

func bidOf(ctx context.Context, sc *store.Scope, tenderID, bidID int64) (domain.Tender, domain.Bid, error) {
	t, err := sc.Tender(ctx, tenderID)
	if err != nil {
		return t, domain.Bid{}, err
	}
	b, err := sc.Bid(ctx, tenderID, bidID)
	return t, b, err
}

func notAwarded(t domain.Tender) error {
	if t.Status == domain.TenderAwarded || t.Status == domain.TenderCancelled {
		return domain.Errorf(domain.EConflict, "the tender is %s; its bids can no longer change", t.Status)
	}
	return nil
}

// AddMDS2 reads a vendor's MDS2 form (xlsx, Markdown or Vigil JSON; at most MaxMDS2Bytes), keeps the file
// with the bid and stores the form; an empty vendor name or product is taken from DOC-1/DOC-3. It returns
// the form and the reader's warnings.
func AddMDS2(ctx context.Context, sc *store.Scope, tenderID, bidID int64, name string, data []byte) (*mds2.Form, error) {
	t, b, err := bidOf(ctx, sc, tenderID, bidID)
	if err != nil {
		return nil, err
	}
	if err := notAwarded(t); err != nil {
		return nil, err
	}
	form, err := mds2.Read(bytes.NewReader(data), name, MaxMDS2Bytes)
	if err != nil {
		return nil, inputError("file", err, mds2.ErrTooLarge)
	}
	var js bytes.Buffer
	if err := mds2.WriteJSON(&js, form); err != nil {
		return nil, err
	}
	b.MDS2Name, b.MDS2Data = name, js.Bytes()
	if b.Product == "" {
		b.Product = strings.TrimSpace(strings.Join(nonEmpty(form.Device, form.Models), " — "))
	}
	err = sc.Write(ctx, func(tx *store.Tx) error {
		doc := domain.TenderDocument{TenderID: tenderID, BidID: &bidID, Kind: domain.DocMDS2, Name: name, MediaType: mediaType(name, data)}
		if err := tx.AddTenderDocument(ctx, &doc, data); err != nil {
			return err
		}
		return tx.UpdateBid(ctx, b, "MDS2 form")
	})
	return form, err
}

// inputError turns a parser's error into a domain error for the field (too large → ETooLarge).
func inputError(field string, err error, tooLarge error) error {
	if errors.Is(err, tooLarge) {
		return &domain.Error{Code: domain.ETooLarge, Field: field, Message: err.Error()}
	}
	return domain.Invalid(field, "%v", err)
}

// AddSBOM checks and keeps a vendor's SBOM (CycloneDX or SPDX, at most MaxSBOMBytes) with the bid.
func AddSBOM(ctx context.Context, sc *store.Scope, tenderID, bidID int64, name string, data []byte) (*SBOMEvidence, error) {
	t, b, err := bidOf(ctx, sc, tenderID, bidID)
	if err != nil {
		return nil, err
	}
	if err := notAwarded(t); err != nil {
		return nil, err
	}
	ev, err := ReadSBOM(bytes.NewReader(data), name)
	if err != nil {
		return nil, inputError("file", err, sbom.ErrTooLarge)
	}
	b.SBOMName, b.SBOMSHA256 = name, ev.SHA256
	err = sc.Write(ctx, func(tx *store.Tx) error {
		doc := domain.TenderDocument{TenderID: tenderID, BidID: &bidID, Kind: domain.DocSBOM, Name: name, MediaType: mediaType(name, data)}
		if err := tx.AddTenderDocument(ctx, &doc, data); err != nil {
			return err
		}
		return tx.UpdateBid(ctx, b, "SBOM")
	})
	return ev, err
}

// AddQuestionnaire reads a returned questionnaire against the tender's criteria, keeps the file and stores
// the answers that could be read (replacing earlier ones of the same criteria). Cell problems are returned
// in the result, not as an error; the vendor name in the file fills an empty bid vendor.
func AddQuestionnaire(ctx context.Context, sc *store.Scope, tenderID, bidID int64, name string, data []byte) (QuestionnaireResult, error) {
	t, b, err := bidOf(ctx, sc, tenderID, bidID)
	if err != nil {
		return QuestionnaireResult{}, err
	}
	if err := notAwarded(t); err != nil {
		return QuestionnaireResult{}, err
	}
	cat, err := TenderCatalogue(t)
	if err != nil {
		return QuestionnaireResult{}, err
	}
	res, err := ReadQuestionnaire(bytes.NewReader(data), name, cat)
	if err != nil {
		return res, domain.Invalid("file", "%v", err)
	}
	if res.TenderRef != "" && res.TenderRef != t.Reference {
		res.Warnings = append(res.Warnings, fmt.Sprintf("the questionnaire was issued for tender %q, not %q", res.TenderRef, t.Reference))
	}
	for id, a := range res.Answers {
		b.Answers[id] = a
	}
	b.QuestionnaireName = name
	err = sc.Write(ctx, func(tx *store.Tx) error {
		doc := domain.TenderDocument{TenderID: tenderID, BidID: &bidID, Kind: domain.DocQuestionnaire, Name: name,
			MediaType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
		if err := tx.AddTenderDocument(ctx, &doc, data); err != nil {
			return err
		}
		return tx.UpdateBid(ctx, b, "questionnaire answers")
	})
	return res, err
}

// AddDocument keeps another document (certificate, declaration, test summary) with a bid, or with the
// tender when bidID is 0; at most MaxDocumentBytes.
func AddDocument(ctx context.Context, sc *store.Scope, tenderID, bidID int64, name string, data []byte) (domain.TenderDocument, error) {
	doc := domain.TenderDocument{TenderID: tenderID, Kind: domain.DocOther, Name: filepath.Base(strings.ReplaceAll(name, "\\", "/")), MediaType: mediaType(name, data)}
	if len(data) > MaxDocumentBytes {
		return doc, &domain.Error{Code: domain.ETooLarge, Field: "file", Message: fmt.Sprintf("the document is larger than %d MiB", MaxDocumentBytes>>20)}
	}
	if len(data) == 0 {
		return doc, domain.Invalid("file", "the file is empty")
	}
	if _, err := sc.Tender(ctx, tenderID); err != nil {
		return doc, err
	}
	if bidID > 0 {
		if _, err := sc.Bid(ctx, tenderID, bidID); err != nil {
			return doc, err
		}
		doc.BidID = &bidID
	}
	err := sc.Write(ctx, func(tx *store.Tx) error { return tx.AddTenderDocument(ctx, &doc, data) })
	return doc, err
}

func mediaType(name string, data []byte) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case ".json":
		return "application/json"
	case ".xml":
		return "application/xml"
	case ".md":
		return "text/markdown"
	case ".spdx":
		return "text/plain"
	}
	return http.DetectContentType(data)
}

// SetAnswers stores answers entered by hand (they replace those of the same criteria); every criterion
// must belong to the tender and the answer must fit its type.
func SetAnswers(ctx context.Context, sc *store.Scope, tenderID, bidID int64, answers []Answer) (domain.Bid, error) {
	t, b, err := bidOf(ctx, sc, tenderID, bidID)
	if err != nil {
		return b, err
	}
	if err := notAwarded(t); err != nil {
		return b, err
	}
	cat, err := TenderCatalogue(t)
	if err != nil {
		return b, err
	}
	for i, a := range answers {
		cr, ok := cat.Criterion(a.Criterion)
		if !ok {
			return b, domain.Invalid(fmt.Sprintf("answers[%d].criterion", i), "%q is not a criterion of this tender", a.Criterion)
		}
		a.Value, a.Row = strings.TrimSpace(a.Value), 0
		if a.Value == "" && a.Evidence == "" && a.Comment == "" {
			delete(b.Answers, a.Criterion)
			continue
		}
		if a.Value != "" && cr.Answer != AnswerText {
			if _, err := ParseAnswer(cr.Answer, a.Value); err != nil {
				return b, domain.Invalid(fmt.Sprintf("answers[%d].value", i), "%v", err)
			}
		}
		b.Answers[a.Criterion] = a
	}
	err = sc.Write(ctx, func(tx *store.Tx) error { return tx.UpdateBid(ctx, b, "answers") })
	return b, err
}

// SetBidCloud stores the cloud assessment of a bid (cloud tenders).
func SetBidCloud(ctx context.Context, sc *store.Scope, tenderID, bidID int64, p *CloudProfile) (domain.Bid, error) {
	t, b, err := bidOf(ctx, sc, tenderID, bidID)
	if err != nil {
		return b, err
	}
	if err := notAwarded(t); err != nil {
		return b, err
	}
	b.Cloud = p
	err = sc.Write(ctx, func(tx *store.Tx) error { return tx.UpdateBid(ctx, b, "cloud assessment") })
	return b, err
}

// ScoreInput is an evaluator's score.
type ScoreInput struct {
	Criterion string `json:"criterion"`
	Score     int    `json:"score"`
	Comment   string `json:"comment"`
}

// Score records an evaluator's score of a criterion of a bid, checked against the tender's criteria and
// scale; the comment is required.
func Score(ctx context.Context, sc *store.Scope, tenderID, bidID int64, in ScoreInput) (domain.TenderScore, error) {
	t, _, err := bidOf(ctx, sc, tenderID, bidID)
	if err != nil {
		return domain.TenderScore{}, err
	}
	if err := notAwarded(t); err != nil {
		return domain.TenderScore{}, err
	}
	cat, err := TenderCatalogue(t)
	if err != nil {
		return domain.TenderScore{}, err
	}
	if _, ok := cat.Criterion(in.Criterion); !ok {
		return domain.TenderScore{}, domain.Invalid("criterion", "%q is not a criterion of this tender", in.Criterion)
	}
	if in.Score < 0 || in.Score > cat.Scale.Max {
		return domain.TenderScore{}, domain.Invalid("score", "must be between 0 and %d", cat.Scale.Max)
	}
	s := domain.TenderScore{BidID: bidID, Criterion: in.Criterion, Score: in.Score, Comment: strings.TrimSpace(in.Comment)}
	err = sc.Write(ctx, func(tx *store.Tx) error { return tx.SetTenderScore(ctx, &s) })
	return s, err
}

// Unscore removes an evaluator's score.
func Unscore(ctx context.Context, sc *store.Scope, tenderID, bidID int64, criterion string) error {
	t, _, err := bidOf(ctx, sc, tenderID, bidID)
	if err != nil {
		return err
	}
	if err := notAwarded(t); err != nil {
		return err
	}
	return sc.Write(ctx, func(tx *store.Tx) error { return tx.DeleteTenderScore(ctx, bidID, criterion) })
}

// --- Evaluation --------------------------------------------------------------------------------------------------

// TenderEvaluation is a tender's evaluation with what it was computed from.
type TenderEvaluation struct {
	Tender     domain.Tender `json:"tender"`
	Catalogue  *Catalogue    `json:"-"`
	Bids       []domain.Bid  `json:"-"`
	Evaluation Evaluation    `json:"evaluation"`
	BidIDs     []int64       `json:"bid_ids"` // Evaluation.Vendors[i] is the bid BidIDs[i]
	Problems   []string      `json:"problems"`
}

// VendorOf returns the evaluation of a bid.
func (te TenderEvaluation) VendorOf(bidID int64) (VendorResult, bool) {
	for i, id := range te.BidIDs {
		if id == bidID {
			return te.Evaluation.Vendors[i], true
		}
	}
	return VendorResult{}, false
}

// EvaluateTender evaluates every bid of a tender with its stored evidence (MDS2, the newest SBOM file,
// questionnaire answers, cloud assessment) and the evaluators' scores. Evidence that cannot be read any
// more is reported in Problems and left out.
func EvaluateTender(ctx context.Context, sc *store.Scope, tenderID int64, opt Options) (TenderEvaluation, error) {
	var te TenderEvaluation
	t, err := sc.Tender(ctx, tenderID)
	if err != nil {
		return te, err
	}
	te.Tender = t
	if te.Catalogue, err = TenderCatalogue(t); err != nil {
		return te, err
	}
	if te.Bids, err = sc.Bids(ctx, tenderID); err != nil {
		return te, err
	}
	scores, err := sc.TenderScores(ctx, tenderID)
	if err != nil {
		return te, err
	}
	te.Problems = []string{}
	var vendors []Vendor
	for _, b := range te.Bids {
		v, problems := vendorOf(ctx, sc, b, scores)
		te.Problems = append(te.Problems, problems...)
		vendors = append(vendors, v)
		te.BidIDs = append(te.BidIDs, b.ID)
	}
	te.Evaluation = Evaluate(ctx, te.Catalogue, vendors, opt)
	return te, nil
}

func vendorOf(ctx context.Context, sc *store.Scope, b domain.Bid, scores []domain.TenderScore) (Vendor, []string) {
	v := Vendor{Name: b.Vendor, Product: b.Product, Answers: b.Answers, Cloud: b.Cloud, Scores: map[string]Judgement{}}
	var sources, problems []string
	if len(b.MDS2Data) > 0 {
		f, err := mds2.ReadJSON(bytes.NewReader(b.MDS2Data), b.MDS2Name, 0)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: stored MDS2 form: %v", b.Vendor, err))
		} else {
			v.MDS2 = f
			sources = append(sources, b.MDS2Name)
		}
	}
	if b.SBOMName != "" {
		_, data, err := sc.LatestBidDocument(ctx, b.ID, domain.DocSBOM)
		if err == nil {
			v.SBOM, err = ReadSBOM(bytes.NewReader(data), b.SBOMName)
		}
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: stored SBOM: %v", b.Vendor, err))
		} else {
			sources = append(sources, b.SBOMName)
		}
	}
	if b.QuestionnaireName != "" {
		sources = append(sources, b.QuestionnaireName)
	}
	for _, s := range scores {
		if s.BidID == b.ID {
			v.Scores[s.Criterion] = Judgement{Score: s.Score, Comment: s.Comment, Evaluator: s.Evaluator, At: s.Updated}
		}
	}
	v.Source = strings.Join(sources, ", ")
	return v, problems
}

// --- Award and commitments ---------------------------------------------------------------------------------

// AwardResult is a recorded award with the commitments now tracked.
type AwardResult struct {
	Tender      domain.Tender       `json:"tender"`
	Winner      domain.Bid          `json:"winner"`
	Commitments []domain.Commitment `json:"commitments"`
	// ProductID is the inventory product the commitments are linked to (device tenders with a named
	// product; found or created by manufacturer and product name).
	ProductID int64 `json:"product_id,omitempty"`
}

// Award records the award of a tender to a bid: the evaluation at this moment is kept with the tender, and
// the winner's commitments (end of support, patch timeline, SBOM/VEX/CSAF delivery, CVD) are stored for
// tracking. For a device tender the inventory's product is found or created (store.Tx.EnsureProductVersion
// with the bid's vendor and product, and the version its SBOM describes, else the product's "unknown
// version") and the commitments refer to it; a committed end of support later than the
// product's (or the first one) becomes the product's end of support, audited. A knocked-out bid can be
// awarded only with force and a rationale.
func Award(ctx context.Context, sc *store.Scope, tenderID, bidID int64, rationale string, force bool, at time.Time, opt Options) (AwardResult, error) {
	var out AwardResult
	te, err := EvaluateTender(ctx, sc, tenderID, opt)
	if err != nil {
		return out, err
	}
	if te.Tender.Status == domain.TenderAwarded {
		return out, domain.Errorf(domain.EConflict, "the tender is awarded already")
	}
	res, ok := te.VendorOf(bidID)
	if !ok {
		return out, domain.NotFound("bid")
	}
	rationale = strings.TrimSpace(rationale)
	if res.KnockedOut && (!force || rationale == "") {
		return out, domain.Invalid("bid", "%s failed knock-out criteria (%s); award it only with force and a rationale", res.Vendor, strings.Join(res.KnockedOutBy, ", "))
	}
	var winner domain.Bid
	for _, b := range te.Bids {
		if b.ID == bidID {
			winner = b
		}
	}
	snapshot, err := json.Marshal(te.Evaluation)
	if err != nil {
		return out, err
	}
	drafts := Commitments(te.Catalogue, res, winner.Answers, at)
	version := offeredVersion(ctx, sc, winner)
	err = sc.Write(ctx, func(tx *store.Tx) error {
		if err := tx.AwardTender(ctx, tenderID, bidID, rationale, snapshot, at); err != nil {
			return err
		}
		var product *domain.Product
		if te.Tender.Kind == "device" && strings.TrimSpace(winner.Product) != "" {
			pv, _, err := tx.EnsureProductVersion(ctx, winner.Vendor, winner.Product, version)
			if err != nil {
				return fmt.Errorf("inventory product of %s %s: %w", winner.Vendor, winner.Product, err)
			}
			p, err := tx.Scope().Product(ctx, pv.ProductID)
			if err != nil {
				return err
			}
			product = &p
			out.ProductID = p.ID
		}
		for _, d := range drafts {
			c := commitmentOf(d, te.Tender, winner)
			if product != nil {
				c.ProductID = &product.ID
			}
			if err := tx.AddCommitment(ctx, &c); err != nil {
				return err
			}
			out.Commitments = append(out.Commitments, c)
			if product != nil && c.Kind == CommitSupportEnd && c.ValueDate != nil {
				if err := commitSupportEnd(ctx, tx, product, domain.DateOf(*c.ValueDate), te.Tender); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return out, err
	}
	out.Tender, err = sc.Tender(ctx, tenderID)
	out.Winner = winner
	if out.Commitments == nil {
		out.Commitments = []domain.Commitment{}
	}
	return out, err
}

// offeredVersion is the version of the product a bid offers, as its SBOM names it (the subject's
// version); "" when the bid has no readable SBOM or it names none.
func offeredVersion(ctx context.Context, sc *store.Scope, b domain.Bid) string {
	if b.SBOMName == "" {
		return ""
	}
	_, data, err := sc.LatestBidDocument(ctx, b.ID, domain.DocSBOM)
	if err != nil {
		return ""
	}
	ev, err := ReadSBOM(bytes.NewReader(data), b.SBOMName)
	if err != nil || ev.Doc.Subject == nil {
		return ""
	}
	return strings.TrimSpace(ev.Doc.Subject.Version)
}

// commitSupportEnd makes the committed end of support the product's, when it is later than the one
// recorded or none is recorded (a vendor's contract does not shorten support the inventory knows of),
// with an audit event that names the tender.
func commitSupportEnd(ctx context.Context, tx *store.Tx, p *domain.Product, end domain.Date, t domain.Tender) error {
	if !p.EndOfSupport.IsZero() && !p.EndOfSupport.Before(end) {
		return nil
	}
	was := p.EndOfSupport
	p.EndOfSupport = end
	if err := tx.UpdateProduct(ctx, *p); err != nil {
		return err
	}
	from := "not recorded"
	if !was.IsZero() {
		from = was.String()
	}
	return tx.Audit(ctx, store.AuditEntry{Action: "product.support_end_committed", Entity: "product", EntityID: p.ID,
		Summary: fmt.Sprintf("end of support of %s set to %s (was %s) from the commitment at the award of tender %s", p.Name, end, from, t.Reference),
		Data:    map[string]any{"tender_id": t.ID, "from": from, "to": end.String()}})
}

func commitmentOf(d CommitmentDraft, t domain.Tender, b domain.Bid) domain.Commitment {
	tid, bid := t.ID, b.ID
	c := domain.Commitment{TenderID: &tid, BidID: &bid, Manufacturer: b.Vendor, Product: b.Product, Kind: d.Kind, Criterion: d.Criterion,
		Title: d.Title, Value: d.Value, ValueDate: d.ValueDate, Days: d.Days, Due: d.Due, Status: domain.CommitmentOpen}
	if d.Due == nil {
		c.Status = domain.CommitmentActive
	}
	if d.Open {
		c.Note = "not stated in the bid: agree it in the contract"
	}
	return c
}

// StartClock starts a patch clock from a patch-day commitment: a new commitment due the committed number
// of days after since, for the trigger (e.g. "CVE-2024-3400, known exploited"). The vulnerability engine
// calls it when a known-exploited or critical vulnerability is matched to the product.
func StartClock(ctx context.Context, sc *store.Scope, commitmentID int64, trigger string, since time.Time) (domain.Commitment, error) {
	parent, err := sc.Commitment(ctx, commitmentID)
	if err != nil {
		return domain.Commitment{}, err
	}
	if parent.Kind != CommitPatchDays || parent.Days <= 0 || parent.ParentID != nil {
		return domain.Commitment{}, domain.Invalid("commitment", "clocks start from a patch-day commitment with a number of days")
	}
	trigger = strings.TrimSpace(trigger)
	if trigger == "" {
		return domain.Commitment{}, domain.Invalid("trigger", "name the vulnerability that starts the clock")
	}
	due := since.AddDate(0, 0, parent.Days)
	pid := parent.ID
	c := domain.Commitment{TenderID: parent.TenderID, BidID: parent.BidID, ParentID: &pid, Manufacturer: parent.Manufacturer, Product: parent.Product,
		ProductID: parent.ProductID, Kind: parent.Kind, Criterion: parent.Criterion, Days: parent.Days, Trigger: trigger, Due: &due,
		Title: fmt.Sprintf("Security update or mitigation for %s within %d days", trigger, parent.Days), Value: fmt.Sprintf("since %s", since.UTC().Format("2006-01-02")),
		Status: domain.CommitmentOpen}
	err = sc.Write(ctx, func(tx *store.Tx) error { return tx.AddCommitment(ctx, &c) })
	return c, err
}

// --- Cloud services --------------------------------------------------------------------------------------

// AssessCloudService scores a cloud service's profile with the organisation's cloud catalogue (the criteria
// chosen by default).
func AssessCloudService(ctx context.Context, sc *store.Scope, s domain.CloudService, opt Options) (VendorResult, *Catalogue, error) {
	cat, _, err := OrgCatalogue(ctx, sc, CatalogueCloud)
	if err != nil {
		return VendorResult{}, nil, err
	}
	sel, err := cat.Select(cat.Defaults())
	if err != nil {
		return VendorResult{}, nil, err
	}
	ev := Evaluate(ctx, sel, []Vendor{{Name: s.Name, Product: s.Provider, Source: "cloud services register", Cloud: s.Profile}}, opt)
	return ev.Vendors[0], sel, nil
}

// ReviewCloudService records a review of a service: its score now, a note, and the next review after the
// service's interval.
func ReviewCloudService(ctx context.Context, sc *store.Scope, id int64, note string, opt Options) (domain.CloudReview, error) {
	s, err := sc.CloudService(ctx, id)
	if err != nil {
		return domain.CloudReview{}, err
	}
	if s.Profile == nil {
		return domain.CloudReview{}, domain.Invalid("profile", "assess the service before reviewing it")
	}
	res, _, err := AssessCloudService(ctx, sc, s, opt)
	if err != nil {
		return domain.CloudReview{}, err
	}
	result, err := json.Marshal(res)
	if err != nil {
		return domain.CloudReview{}, err
	}
	r := domain.CloudReview{ServiceID: id, Reviewed: store.TS(opt.AsOf), Total: res.Total, KnockedOut: res.KnockedOut, Note: strings.TrimSpace(note),
		NextReview: store.TS(opt.AsOf.AddDate(0, s.ReviewIntervalMonths, 0)), Result: result}
	err = sc.Write(ctx, func(tx *store.Tx) error { return tx.AddCloudReview(ctx, &r) })
	return r, err
}

// AwardReportFor builds the award report of a tender: for an awarded tender the evaluation kept at award,
// the decision and the commitments tracked; before award the current evaluation.
func AwardReportFor(ctx context.Context, sc *store.Scope, tenderID int64, opt Options, meta pdf.Meta) ([]byte, error) {
	te, err := EvaluateTender(ctx, sc, tenderID, opt)
	if err != nil {
		return nil, err
	}
	t, ev := te.Tender, te.Evaluation
	var award AwardInfo
	var drafts []CommitmentDraft
	if t.Status == domain.TenderAwarded && t.WinnerBidID != nil {
		snap, err := sc.TenderAwardSnapshot(ctx, tenderID)
		if err != nil {
			return nil, err
		}
		if len(snap) > 0 {
			if err := json.Unmarshal(snap, &ev); err != nil {
				return nil, fmt.Errorf("award snapshot: %w", err)
			}
		}
		for _, b := range te.Bids {
			if b.ID == *t.WinnerBidID {
				award.Winner = b.Vendor
			}
		}
		award.Rationale = t.AwardRationale
		if t.AwardedAt != nil {
			award.Decided = *t.AwardedAt
		}
		cs, err := sc.Commitments(ctx, domain.CommitmentFilter{TenderID: tenderID})
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			if c.ParentID != nil {
				continue
			}
			drafts = append(drafts, CommitmentDraft{Kind: c.Kind, Criterion: c.Criterion, Title: c.Title, Value: c.Value, ValueDate: c.ValueDate,
				Days: c.Days, Due: c.Due, Detail: c.Note})
		}
	}
	return AwardReport(Info(t), te.Catalogue, ev, award, drafts, meta)
}
