package api

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/httpx"
	"github.com/vigil-med/vigil/internal/mds2"
	"github.com/vigil-med/vigil/internal/procurement"
	"github.com/vigil-med/vigil/internal/report/pdf"
	"github.com/vigil-med/vigil/internal/store"
)

// CatalogueSummary names one of the organisation's requirement catalogues.
type CatalogueSummary struct {
	Name           string `json:"name"`
	Title          string `json:"title"`
	Kind           string `json:"kind"`
	BuiltinVersion string `json:"builtin_version"`
	Version        int    `json:"version" doc:"the organisation's version; 0 while it uses the built-in catalogue unchanged"`
	Criteria       int    `json:"criteria"`
}

// CatalogueView is an organisation's catalogue with its version.
type CatalogueView struct {
	Version   int                    `json:"version"`
	Catalogue *procurement.Catalogue `json:"catalogue"`
}

// BidInput creates or changes a bid.
type BidInput struct {
	Vendor  string `json:"vendor"`
	Product string `json:"product,omitempty"`
	Contact string `json:"contact,omitempty"`
}

// MDS2Upload is the result of uploading a bid's MDS2 form.
type MDS2Upload struct {
	Bid          domain.Bid         `json:"bid"`
	Manufacturer string             `json:"manufacturer"`
	Device       string             `json:"device"`
	Counts       map[mds2.Value]int `json:"counts"`
	Warnings     []string           `json:"warnings"`
}

// SBOMUpload is the result of uploading a bid's SBOM.
type SBOMUpload struct {
	Bid        domain.Bid                `json:"bid"`
	Format     string                    `json:"format"`
	Components int                       `json:"components"`
	NTIA       procurement.NTIAResult    `json:"ntia"`
	Evidence   *procurement.SBOMEvidence `json:"evidence"`
}

// QuestionnaireUpload is the result of uploading a returned questionnaire.
type QuestionnaireUpload struct {
	Bid    domain.Bid                      `json:"bid"`
	Result procurement.QuestionnaireResult `json:"result"`
}

// AwardInput records an award.
type AwardInput struct {
	BidID     int64  `json:"bid_id"`
	Rationale string `json:"rationale"`
	Force     bool   `json:"force,omitempty" doc:"award a bid that failed a knock-out criterion (needs a rationale)"`
}

// CommitmentStatusInput confirms, waives or reopens a commitment.
type CommitmentStatusInput struct {
	Status string `json:"status" doc:"confirmed, waived, open or active"`
	Note   string `json:"note,omitempty"`
}

// ClockInput starts a patch clock from a patch-day commitment.
type ClockInput struct {
	Trigger string    `json:"trigger" doc:"the vulnerability, e.g. CVE-2024-3400 (known exploited)"`
	Since   time.Time `json:"since" doc:"when it became known; the clock runs the committed days from here"`
}

// CloudServiceInput creates or changes a cloud service.
type CloudServiceInput struct {
	Name                 string                    `json:"name"`
	Provider             string                    `json:"provider,omitempty"`
	ServiceModel         string                    `json:"service_model,omitempty" doc:"saas (default), paas or iaas"`
	Category             string                    `json:"category,omitempty"`
	MedicalVendor        bool                      `json:"medical_vendor,omitempty"`
	Description          string                    `json:"description,omitempty"`
	DataCategories       string                    `json:"data_categories,omitempty"`
	Criticality          string                    `json:"criticality,omitempty" doc:"high, medium (default) or low"`
	Owner                string                    `json:"owner,omitempty"`
	ReviewIntervalMonths int                       `json:"review_interval_months,omitempty"`
	NextReview           *time.Time                `json:"next_review,omitempty"`
	Profile              *procurement.CloudProfile `json:"profile,omitempty"`
}

// CloudServiceDetail is a service with its current assessment and reviews.
type CloudServiceDetail struct {
	Service    domain.CloudService       `json:"service"`
	Assessment *procurement.VendorResult `json:"assessment"`
	Reviews    []domain.CloudReview      `json:"reviews"`
	Overdue    bool                      `json:"overdue"`
}

// CloudReviewInput records a review.
type CloudReviewInput struct {
	Note string `json:"note,omitempty"`
}

// SupplyChainView are the NIS2 Art 21(2)(d) figures of procurement.
type SupplyChainView struct {
	Figures  procurement.SupplyChain `json:"figures"`
	Evidence any                     `json:"evidence"`
}

// ProcurementRoutes registers the procurement operations: requirement catalogues, tenders, bids with their
// evidence, evaluation, award and commitments, and the cloud services register. env supplies the
// end-of-life data and vulnerability checker; now the clock.
func (a *API) ProcurementRoutes(env *procurement.Env, now func() time.Time) {
	a.procurementCatalogueRoutes()
	a.tenderRoutes(env, now)
	a.bidRoutes(env, now)
	a.cloudRoutes(env, now)
}

var (
	tenderParam = []Param{{Name: "id", In: "path", Type: "integer", Description: "tender id"}}
	bidParams   = []Param{{Name: "id", In: "path", Type: "integer", Description: "tender id"}, {Name: "bid", In: "path", Type: "integer", Description: "bid id"}}
)

func (a *API) procurementCatalogueRoutes() {
	const tag = "procurement"
	nameParam := []Param{{Name: "name", In: "path", Description: "catalogue name", Enum: procurement.BuiltinNames()}}
	Handle(a, Op{Method: http.MethodGet, Path: "/procurement/catalogues", ID: "listProcurementCatalogues", Tag: tag, Perm: domain.PermRead,
		Summary: "The organisation's requirement catalogues (devices and cloud)"},
		func(c *Call, _ Empty) ([]CatalogueSummary, error) {
			out := []CatalogueSummary{}
			for _, n := range procurement.BuiltinNames() {
				cat, v, err := procurement.OrgCatalogue(c.Ctx(), c.Scope, n)
				if err != nil {
					return nil, err
				}
				b, _ := procurement.Builtin(n)
				out = append(out, CatalogueSummary{Name: n, Title: cat.Title, Kind: cat.Kind, BuiltinVersion: b.Version, Version: v, Criteria: len(cat.Criteria)})
			}
			return out, nil
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/procurement/catalogues/{name}", ID: "getProcurementCatalogue", Tag: tag, Perm: domain.PermRead, Params: nameParam,
		Summary: "A requirement catalogue with criteria, rules, sources and the ENISA good practices it covers"},
		func(c *Call, _ Empty) (CatalogueView, error) {
			cat, v, err := procurement.OrgCatalogue(c.Ctx(), c.Scope, c.R.PathValue("name"))
			return CatalogueView{Version: v, Catalogue: cat}, err
		})
	Handle(a, Op{Method: http.MethodPut, Path: "/procurement/catalogues/{name}", ID: "editProcurementCatalogue", Tag: tag, Perm: domain.PermProcurement, Params: nameParam,
		Summary: "Change weights, knock-outs, default selection, evidence expected or the scale; stored as a new version"},
		func(c *Call, in procurement.CatalogueEdit) (CatalogueView, error) {
			cat, v, err := procurement.EditCatalogue(c.Ctx(), c.Scope, c.R.PathValue("name"), in)
			return CatalogueView{Version: v, Catalogue: cat}, err
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/procurement/catalogues/{name}/reset", ID: "resetProcurementCatalogue", Tag: tag, Perm: domain.PermProcurement, Params: nameParam,
		Summary: "Store the built-in catalogue again as the newest version"},
		func(c *Call, _ Empty) (CatalogueView, error) {
			if _, err := procurement.ResetCatalogue(c.Ctx(), c.Scope, c.R.PathValue("name")); err != nil {
				return CatalogueView{}, err
			}
			cat, v, err := procurement.OrgCatalogue(c.Ctx(), c.Scope, c.R.PathValue("name"))
			return CatalogueView{Version: v, Catalogue: cat}, err
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/procurement/catalogues/{name}/versions", ID: "listProcurementCatalogueVersions", Tag: tag, Perm: domain.PermRead, Params: nameParam,
		Summary: "The stored versions of a catalogue, newest first"},
		func(c *Call, _ Empty) ([]domain.ProcurementCatalogue, error) {
			return c.Scope.ProcurementCatalogueVersions(c.Ctx(), c.R.PathValue("name"))
		})
}

// tenderOf looks the tender of the path up in the caller's organisation (another organisation's is 404).
func tenderOf(c *Call) (domain.Tender, error) {
	id, err := c.PathInt("id")
	if err != nil {
		return domain.Tender{}, err
	}
	return c.Scope.Tender(c.Ctx(), id)
}

func pdfMeta(c *Call, now time.Time) pdf.Meta {
	m := pdf.Meta{Organisation: c.Principal.Org.Name, Generated: now, Location: c.Principal.Org.Location(), Confidential: true}
	if c.Principal.User != nil {
		m.Author = c.Principal.User.Name
	}
	return m
}

func writeFile(w http.ResponseWriter, mediaType, name string, data []byte) error {
	w.Header().Set("Content-Type", mediaType)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Header().Set("Cache-Control", "no-store")
	_, err := w.Write(data)
	return err
}

func (a *API) tenderRoutes(env *procurement.Env, now func() time.Time) {
	const tag = "tenders"
	read, write := domain.PermRead, domain.PermProcurement
	Handle(a, Op{Method: http.MethodGet, Path: "/tenders", ID: "listTenders", Tag: tag, Perm: read, Summary: "List tenders",
		Params: append([]Param{{Name: "status", In: "query", Enum: domain.TenderStatuses}, {Name: "kind", In: "query", Enum: []string{"device", "cloud"}}}, ListParams...)},
		func(c *Call, _ Empty) (domain.Page[domain.Tender], error) {
			p, err := c.List()
			if err != nil {
				return domain.Page[domain.Tender]{}, err
			}
			return c.Scope.Tenders(c.Ctx(), domain.TenderFilter{ListParams: p, Status: c.Query("status"), Kind: c.Query("kind")})
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/tenders", ID: "createTender", Tag: tag, Perm: write, Status: http.StatusCreated,
		Summary: "Create a tender with requirements from the organisation's catalogue (default selection unless criteria are given)"},
		func(c *Call, in procurement.TenderInput) (domain.Tender, error) {
			t, err := procurement.CreateTender(c.Ctx(), c.Scope, in)
			if err != nil {
				return t, err
			}
			return c.Scope.Tender(c.Ctx(), t.ID)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/tenders/{id}", ID: "getTender", Tag: tag, Perm: read, Params: tenderParam, Summary: "One tender"},
		func(c *Call, _ Empty) (domain.Tender, error) { return tenderOf(c) })
	Handle(a, Op{Method: http.MethodPut, Path: "/tenders/{id}", ID: "updateTender", Tag: tag, Perm: write, Params: tenderParam,
		Summary: "Change a tender's description, deadline and status; criteria, when given, replace its requirements"},
		func(c *Call, in procurement.TenderInput) (domain.Tender, error) {
			t, err := tenderOf(c)
			if err != nil {
				return t, err
			}
			t.Reference, t.Title, t.Subject, t.ClinicalUse, t.NetworkExposure, t.Deadline = in.Reference, in.Title, in.Subject, in.ClinicalUse, in.NetworkExposure, in.Deadline
			if in.Status != "" {
				t.Status = in.Status
			}
			if err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.UpdateTender(c.Ctx(), t) }); err != nil {
				return t, err
			}
			if len(in.Criteria) > 0 {
				if _, err := procurement.SetTenderCriteria(c.Ctx(), c.Scope, t.ID, in.Criteria); err != nil {
					return t, err
				}
			}
			return c.Scope.Tender(c.Ctx(), t.ID)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/tenders/{id}/criteria", ID: "getTenderCriteria", Tag: tag, Perm: read, Params: tenderParam,
		Summary: "The requirements the tender is evaluated with (a snapshot of the catalogue when they were chosen)"},
		func(c *Call, _ Empty) (*procurement.Catalogue, error) {
			t, err := tenderOf(c)
			if err != nil {
				return nil, err
			}
			return procurement.TenderCatalogue(t)
		})
	Handle(a, Op{Method: http.MethodPut, Path: "/tenders/{id}/criteria", ID: "setTenderCriteria", Tag: tag, Perm: write, Params: tenderParam,
		Summary: "Choose the tender's requirements from the organisation's current catalogue"},
		func(c *Call, in struct {
			Criteria []string `json:"criteria"`
		}) (*procurement.Catalogue, error) {
			t, err := tenderOf(c)
			if err != nil {
				return nil, err
			}
			return procurement.SetTenderCriteria(c.Ctx(), c.Scope, t.ID, in.Criteria)
		})
	HandleRaw(a, Op{Method: http.MethodGet, Path: "/tenders/{id}/annex.pdf", ID: "getTenderAnnex", Tag: tag, Perm: read, Params: tenderParam, Produces: "application/pdf",
		Summary: "The cybersecurity annex for the tender documents (PDF)"},
		func(w http.ResponseWriter, c *Call) error {
			t, err := tenderOf(c)
			if err != nil {
				return err
			}
			cat, err := procurement.TenderCatalogue(t)
			if err != nil {
				return err
			}
			b, err := procurement.Annex(procurement.Info(t), cat, pdfMeta(c, now()))
			if err != nil {
				return err
			}
			return writeFile(w, "application/pdf", "security-annex-"+domain.Slugify(t.Reference)+".pdf", b)
		})
	HandleRaw(a, Op{Method: http.MethodGet, Path: "/tenders/{id}/questionnaire.xlsx", ID: "getTenderQuestionnaire", Tag: tag, Perm: read, Params: tenderParam,
		Produces: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Summary: "The vendor questionnaire (xlsx): one row per requirement with answer, evidence reference and comment"},
		func(w http.ResponseWriter, c *Call) error {
			t, err := tenderOf(c)
			if err != nil {
				return err
			}
			cat, err := procurement.TenderCatalogue(t)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			meta := procurement.QuestionnaireMeta{Organisation: c.Principal.Org.Name, TenderRef: t.Reference, TenderTitle: t.Title}
			if t.Deadline != nil {
				meta.Deadline = t.Deadline.In(c.Principal.Org.Location())
			}
			if err := procurement.WriteQuestionnaire(&buf, cat, meta, nil); err != nil {
				return err
			}
			return writeFile(w, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "questionnaire-"+domain.Slugify(t.Reference)+".xlsx", buf.Bytes())
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/tenders/{id}/documents", ID: "listTenderDocuments", Tag: tag, Perm: read, Params: tenderParam,
		Summary: "The files kept with the tender and its bids (name, size, SHA-256)"},
		func(c *Call, _ Empty) ([]domain.TenderDocument, error) {
			t, err := tenderOf(c)
			if err != nil {
				return nil, err
			}
			return c.Scope.TenderDocuments(c.Ctx(), t.ID)
		})
	HandleRaw(a, Op{Method: http.MethodPost, Path: "/tenders/{id}/documents", ID: "addTenderDocument", Tag: tag, Perm: write, Params: tenderParam, Upload: true,
		Status: http.StatusCreated, Response: domain.TenderDocument{},
		Summary: fmt.Sprintf("Keep a document with the tender (multipart field \"file\"; at most %d MiB)", procurement.MaxDocumentBytes>>20)},
		func(w http.ResponseWriter, c *Call) error {
			t, err := tenderOf(c)
			if err != nil {
				return err
			}
			up, err := c.Upload(procurement.MaxDocumentBytes)
			if err != nil {
				return err
			}
			d, err := procurement.AddDocument(c.Ctx(), c.Scope, t.ID, 0, up.Name, up.Data)
			if err != nil {
				return err
			}
			httpx.JSON(w, http.StatusCreated, d)
			return nil
		})
	HandleRaw(a, Op{Method: http.MethodGet, Path: "/tenders/{id}/documents/{doc}", ID: "getTenderDocument", Tag: tag, Perm: read, Produces: "application/octet-stream",
		Params: append(tenderParam, Param{Name: "doc", In: "path", Type: "integer", Description: "document id"}), Summary: "Download a kept file"},
		func(w http.ResponseWriter, c *Call) error {
			t, err := tenderOf(c)
			if err != nil {
				return err
			}
			id, err := c.PathInt("doc")
			if err != nil {
				return err
			}
			d, data, err := c.Scope.TenderDocument(c.Ctx(), t.ID, id)
			if err != nil {
				return err
			}
			w.Header().Set("X-Content-Type-Options", "nosniff")
			return writeFile(w, "application/octet-stream", d.Name, data)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/tenders/{id}/evaluation", ID: "getTenderEvaluation", Tag: tag, Perm: read, Params: tenderParam,
		Summary: "Scores of every bid: per criterion score, evidence and comment; weighted totals, knock-outs and ranking"},
		func(c *Call, _ Empty) (procurement.TenderEvaluation, error) {
			t, err := tenderOf(c)
			if err != nil {
				return procurement.TenderEvaluation{}, err
			}
			return procurement.EvaluateTender(c.Ctx(), c.Scope, t.ID, env.Options(now()))
		})
	HandleRaw(a, Op{Method: http.MethodGet, Path: "/tenders/{id}/award-report.pdf", ID: "getTenderAwardReport", Tag: tag, Perm: read, Params: tenderParam, Produces: "application/pdf",
		Summary: "The report for the award decision (PDF): ranking, chart, score matrix, knock-outs, decision and commitments"},
		func(w http.ResponseWriter, c *Call) error {
			t, err := tenderOf(c)
			if err != nil {
				return err
			}
			b, err := procurement.AwardReportFor(c.Ctx(), c.Scope, t.ID, env.Options(now()), pdfMeta(c, now()))
			if err != nil {
				return err
			}
			return writeFile(w, "application/pdf", "award-report-"+domain.Slugify(t.Reference)+".pdf", b)
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/tenders/{id}/award", ID: "awardTender", Tag: tag, Perm: write, Params: tenderParam,
		Summary: "Award the tender to a bid: keeps the evaluation and starts tracking the winner's commitments"},
		func(c *Call, in AwardInput) (procurement.AwardResult, error) {
			t, err := tenderOf(c)
			if err != nil {
				return procurement.AwardResult{}, err
			}
			return procurement.Award(c.Ctx(), c.Scope, t.ID, in.BidID, in.Rationale, in.Force, now(), env.Options(now()))
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/procurement/commitments", ID: "listCommitments", Tag: "procurement", Perm: read,
		Summary: "Vendor commitments tracked after award, due ones first",
		Params: []Param{{Name: "status", In: "query", Enum: []string{"open", "confirmed", "waived", "active"}}, {Name: "missed", In: "query", Type: "boolean", Description: "only open commitments past their due date"},
			{Name: "tender", In: "query", Type: "integer"},
			{Name: "product", In: "query", Type: "integer", Description: "only those of this inventory product (linked at award)"}}},
		func(c *Call, _ Empty) ([]domain.Commitment, error) {
			missed, err := c.QueryBool("missed")
			if err != nil {
				return nil, err
			}
			tid, err := c.QueryInt("tender", 0)
			if err != nil {
				return nil, err
			}
			pid, err := c.QueryInt("product", 0)
			if err != nil {
				return nil, err
			}
			return c.Scope.Commitments(c.Ctx(), domain.CommitmentFilter{Status: c.Query("status"), Missed: missed, Now: now(), TenderID: int64(tid),
				ProductID: int64(pid)})
		})
	commitParam := []Param{{Name: "id", In: "path", Type: "integer", Description: "commitment id"}}
	Handle(a, Op{Method: http.MethodPost, Path: "/procurement/commitments/{id}/status", ID: "setCommitmentStatus", Tag: "procurement", Perm: write, Params: commitParam,
		Summary: "Confirm, waive or reopen a commitment"},
		func(c *Call, in CommitmentStatusInput) (domain.Commitment, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return domain.Commitment{}, err
			}
			if _, err := c.Scope.Commitment(c.Ctx(), id); err != nil {
				return domain.Commitment{}, err
			}
			if err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.SetCommitmentStatus(c.Ctx(), id, in.Status, in.Note) }); err != nil {
				return domain.Commitment{}, err
			}
			return c.Scope.Commitment(c.Ctx(), id)
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/procurement/commitments/{id}/clocks", ID: "startCommitmentClock", Tag: "procurement", Perm: write, Params: commitParam,
		Status: http.StatusCreated, Summary: "Start a patch clock from a patch-day commitment (a known-exploited or critical vulnerability in the product)"},
		func(c *Call, in ClockInput) (domain.Commitment, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return domain.Commitment{}, err
			}
			if in.Since.IsZero() {
				in.Since = now()
			}
			return procurement.StartClock(c.Ctx(), c.Scope, id, in.Trigger, in.Since)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/procurement/supply-chain", ID: "getSupplyChainEvidence", Tag: "procurement", Perm: read,
		Summary: "Supply-chain figures for NIS2 Art 21(2)(d): products bought with security requirements, disclosures, commitments, cloud assessments"},
		func(c *Call, _ Empty) (SupplyChainView, error) {
			s, ok, err := procurement.SupplyChainFigures(c.Ctx(), c.Scope, now())
			v := SupplyChainView{Figures: s}
			if ok {
				v.Evidence = s.Evidence()
			}
			return v, err
		})
}
