package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/httpx"
	"github.com/vigil-med/vigil/internal/procurement"
	"github.com/vigil-med/vigil/internal/store"
)

// bidOf looks the tender and bid of the path up in the caller's organisation.
func bidOf(c *Call) (domain.Tender, domain.Bid, error) {
	t, err := tenderOf(c)
	if err != nil {
		return t, domain.Bid{}, err
	}
	id, err := c.PathInt("bid")
	if err != nil {
		return t, domain.Bid{}, err
	}
	b, err := c.Scope.Bid(c.Ctx(), t.ID, id)
	return t, b, err
}

func (a *API) bidRoutes(env *procurement.Env, now func() time.Time) {
	const tag = "bids"
	read, write := domain.PermRead, domain.PermProcurement
	Handle(a, Op{Method: http.MethodGet, Path: "/tenders/{id}/bids", ID: "listBids", Tag: tag, Perm: read, Params: tenderParam, Summary: "The bids of a tender"},
		func(c *Call, _ Empty) ([]domain.Bid, error) {
			t, err := tenderOf(c)
			if err != nil {
				return nil, err
			}
			return c.Scope.Bids(c.Ctx(), t.ID)
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/tenders/{id}/bids", ID: "createBid", Tag: tag, Perm: write, Params: tenderParam, Status: http.StatusCreated,
		Summary: "Add a vendor's bid; upload its MDS2, SBOM, questionnaire and documents next"},
		func(c *Call, in BidInput) (domain.Bid, error) {
			t, err := tenderOf(c)
			if err != nil {
				return domain.Bid{}, err
			}
			b := domain.Bid{TenderID: t.ID, Vendor: in.Vendor, Product: in.Product, Contact: in.Contact}
			err = c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.CreateBid(c.Ctx(), &b) })
			return b, err
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/tenders/{id}/bids/{bid}", ID: "getBid", Tag: tag, Perm: read, Params: bidParams, Summary: "One bid with its answers"},
		func(c *Call, _ Empty) (domain.Bid, error) {
			_, b, err := bidOf(c)
			return b, err
		})
	Handle(a, Op{Method: http.MethodPut, Path: "/tenders/{id}/bids/{bid}", ID: "updateBid", Tag: tag, Perm: write, Params: bidParams, Summary: "Change a bid's vendor, product or contact"},
		func(c *Call, in BidInput) (domain.Bid, error) {
			_, b, err := bidOf(c)
			if err != nil {
				return b, err
			}
			b.Vendor, b.Product, b.Contact = in.Vendor, in.Product, in.Contact
			if err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.UpdateBid(c.Ctx(), b, "details") }); err != nil {
				return b, err
			}
			return c.Scope.Bid(c.Ctx(), b.TenderID, b.ID)
		})
	Handle(a, Op{Method: http.MethodDelete, Path: "/tenders/{id}/bids/{bid}", ID: "deleteBid", Tag: tag, Perm: write, Params: bidParams,
		Summary: "Remove a bid with its files and scores (not after award)"},
		func(c *Call, _ Empty) (Empty, error) {
			_, b, err := bidOf(c)
			if err != nil {
				return Empty{}, err
			}
			return Empty{}, c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.DeleteBid(c.Ctx(), b.TenderID, b.ID) })
		})
	HandleRaw(a, Op{Method: http.MethodPost, Path: "/tenders/{id}/bids/{bid}/mds2", ID: "uploadBidMDS2", Tag: tag, Perm: write, Params: bidParams, Upload: true,
		Response: MDS2Upload{}, Summary: fmt.Sprintf("Upload the vendor's MDS2 form (xlsx, Markdown or Vigil JSON; multipart field \"file\"; at most %d MiB); its answers are mapped to the criteria", procurement.MaxMDS2Bytes>>20)},
		func(w http.ResponseWriter, c *Call) error {
			t, b, err := bidOf(c)
			if err != nil {
				return err
			}
			up, err := c.Upload(procurement.MaxMDS2Bytes)
			if err != nil {
				return err
			}
			f, err := procurement.AddMDS2(c.Ctx(), c.Scope, t.ID, b.ID, nameOr(up.Name, "mds2.xlsx"), up.Data)
			if err != nil {
				return err
			}
			b, err = c.Scope.Bid(c.Ctx(), t.ID, b.ID)
			if err != nil {
				return err
			}
			warnings := f.Warnings
			if warnings == nil {
				warnings = []string{}
			}
			httpx.JSON(w, http.StatusOK, MDS2Upload{Bid: b, Manufacturer: f.Manufacturer, Device: f.Device, Counts: f.Counts(), Warnings: warnings})
			return nil
		})
	HandleRaw(a, Op{Method: http.MethodPost, Path: "/tenders/{id}/bids/{bid}/sbom", ID: "uploadBidSBOM", Tag: tag, Perm: write, Params: bidParams, Upload: true,
		Response: SBOMUpload{}, Summary: fmt.Sprintf("Upload the vendor's SBOM (CycloneDX or SPDX; multipart field \"file\"; at most %d MiB); it is checked for the NTIA minimum elements", procurement.MaxSBOMBytes>>20)},
		func(w http.ResponseWriter, c *Call) error {
			t, b, err := bidOf(c)
			if err != nil {
				return err
			}
			up, err := c.Upload(procurement.MaxSBOMBytes)
			if err != nil {
				return err
			}
			ev, err := procurement.AddSBOM(c.Ctx(), c.Scope, t.ID, b.ID, nameOr(up.Name, "sbom.json"), up.Data)
			if err != nil {
				return err
			}
			b, err = c.Scope.Bid(c.Ctx(), t.ID, b.ID)
			if err != nil {
				return err
			}
			httpx.JSON(w, http.StatusOK, SBOMUpload{Bid: b, Format: string(ev.Doc.Format), Components: len(ev.Doc.Components), NTIA: procurement.CheckNTIA(ev), Evidence: ev})
			return nil
		})
	HandleRaw(a, Op{Method: http.MethodPost, Path: "/tenders/{id}/bids/{bid}/questionnaire", ID: "uploadBidQuestionnaire", Tag: tag, Perm: write, Params: bidParams, Upload: true,
		Response: QuestionnaireUpload{}, Summary: "Upload the returned questionnaire (xlsx, multipart field \"file\"); answers are read back with row and column errors"},
		func(w http.ResponseWriter, c *Call) error {
			t, b, err := bidOf(c)
			if err != nil {
				return err
			}
			up, err := c.Upload(procurement.MaxQuestionnaireBytes)
			if err != nil {
				return err
			}
			res, err := procurement.AddQuestionnaire(c.Ctx(), c.Scope, t.ID, b.ID, nameOr(up.Name, "questionnaire.xlsx"), up.Data)
			if err != nil {
				return err
			}
			b, err = c.Scope.Bid(c.Ctx(), t.ID, b.ID)
			if err != nil {
				return err
			}
			httpx.JSON(w, http.StatusOK, QuestionnaireUpload{Bid: b, Result: res})
			return nil
		})
	HandleRaw(a, Op{Method: http.MethodPost, Path: "/tenders/{id}/bids/{bid}/documents", ID: "uploadBidDocument", Tag: tag, Perm: write, Params: bidParams, Upload: true,
		Status: http.StatusCreated, Response: domain.TenderDocument{}, Summary: fmt.Sprintf("Keep a document with the bid (certificate, declaration of conformity …; multipart field \"file\"; at most %d MiB); its SHA-256 is stored", procurement.MaxDocumentBytes>>20)},
		func(w http.ResponseWriter, c *Call) error {
			t, b, err := bidOf(c)
			if err != nil {
				return err
			}
			up, err := c.Upload(procurement.MaxDocumentBytes)
			if err != nil {
				return err
			}
			d, err := procurement.AddDocument(c.Ctx(), c.Scope, t.ID, b.ID, nameOr(up.Name, "document"), up.Data)
			if err != nil {
				return err
			}
			httpx.JSON(w, http.StatusCreated, d)
			return nil
		})
	Handle(a, Op{Method: http.MethodPut, Path: "/tenders/{id}/bids/{bid}/answers", ID: "setBidAnswers", Tag: tag, Perm: write, Params: bidParams,
		Summary: "Enter questionnaire answers by hand (replacing those of the same criteria; an empty answer removes it)"},
		func(c *Call, in []procurement.Answer) (domain.Bid, error) {
			t, b, err := bidOf(c)
			if err != nil {
				return b, err
			}
			return procurement.SetAnswers(c.Ctx(), c.Scope, t.ID, b.ID, in)
		})
	Handle(a, Op{Method: http.MethodPut, Path: "/tenders/{id}/bids/{bid}/cloud", ID: "setBidCloudAssessment", Tag: tag, Perm: write, Params: bidParams,
		Summary: "Record the evidence-based cloud assessment of a bid (cloud tenders)"},
		func(c *Call, in procurement.CloudProfile) (domain.Bid, error) {
			t, b, err := bidOf(c)
			if err != nil {
				return b, err
			}
			if err := in.Validate(); err != nil {
				return b, domain.Invalid("$", "%v", err)
			}
			return procurement.SetBidCloud(c.Ctx(), c.Scope, t.ID, b.ID, &in)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/tenders/{id}/bids/{bid}/scores", ID: "getBidScores", Tag: tag, Perm: read, Params: bidParams,
		Summary: "The bid's score of every criterion with evidence and comment"},
		func(c *Call, _ Empty) (procurement.VendorResult, error) {
			t, b, err := bidOf(c)
			if err != nil {
				return procurement.VendorResult{}, err
			}
			te, err := procurement.EvaluateTender(c.Ctx(), c.Scope, t.ID, env.Options(now()))
			if err != nil {
				return procurement.VendorResult{}, err
			}
			v, _ := te.VendorOf(b.ID)
			return v, nil
		})
	Handle(a, Op{Method: http.MethodPut, Path: "/tenders/{id}/bids/{bid}/scores", ID: "scoreBid", Tag: tag, Perm: write, Params: bidParams,
		Summary: "An evaluator scores a criterion of the bid (0 to the scale's top) with a comment; it takes precedence over the automatic score"},
		func(c *Call, in procurement.ScoreInput) (domain.TenderScore, error) {
			t, b, err := bidOf(c)
			if err != nil {
				return domain.TenderScore{}, err
			}
			return procurement.Score(c.Ctx(), c.Scope, t.ID, b.ID, in)
		})
	Handle(a, Op{Method: http.MethodDelete, Path: "/tenders/{id}/bids/{bid}/scores/{criterion}", ID: "unscoreBid", Tag: tag, Perm: write,
		Params: append(bidParams, Param{Name: "criterion", In: "path", Description: "criterion id"}), Summary: "Remove an evaluator's score (the automatic result applies again)"},
		func(c *Call, _ Empty) (Empty, error) {
			t, b, err := bidOf(c)
			if err != nil {
				return Empty{}, err
			}
			return Empty{}, procurement.Unscore(c.Ctx(), c.Scope, t.ID, b.ID, c.R.PathValue("criterion"))
		})
}

func nameOr(name, def string) string {
	if name == "" {
		return def
	}
	return name
}

func (a *API) cloudRoutes(env *procurement.Env, now func() time.Time) {
	const tag = "cloud"
	read, write := domain.PermRead, domain.PermProcurement
	idParam := []Param{{Name: "id", In: "path", Type: "integer", Description: "cloud service id"}}
	serviceOf := func(c *Call) (domain.CloudService, error) {
		id, err := c.PathInt("id")
		if err != nil {
			return domain.CloudService{}, err
		}
		return c.Scope.CloudService(c.Ctx(), id)
	}
	Handle(a, Op{Method: http.MethodGet, Path: "/cloud-services", ID: "listCloudServices", Tag: tag, Perm: read, Summary: "The cloud and SaaS services register",
		Params: append([]Param{{Name: "overdue", In: "query", Type: "boolean", Description: "only services whose review is due"}}, ListParams...)},
		func(c *Call, _ Empty) (domain.Page[domain.CloudService], error) {
			p, err := c.List()
			if err != nil {
				return domain.Page[domain.CloudService]{}, err
			}
			overdue, err := c.QueryBool("overdue")
			if err != nil {
				return domain.Page[domain.CloudService]{}, err
			}
			return c.Scope.CloudServices(c.Ctx(), domain.CloudServiceFilter{ListParams: p, Overdue: overdue, Now: now()})
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/cloud-services", ID: "createCloudService", Tag: tag, Perm: write, Status: http.StatusCreated,
		Summary: "Add a service to the register (with its assessment, if known)"},
		func(c *Call, in CloudServiceInput) (domain.CloudService, error) {
			s := cloudFromInput(domain.CloudService{}, in)
			err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.CreateCloudService(c.Ctx(), &s) })
			return s, err
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/cloud-services/{id}", ID: "getCloudService", Tag: tag, Perm: read, Params: idParam,
		Summary: "A service with its current assessment (scored with the cloud catalogue) and its reviews"},
		func(c *Call, _ Empty) (CloudServiceDetail, error) {
			s, err := serviceOf(c)
			if err != nil {
				return CloudServiceDetail{}, err
			}
			d := CloudServiceDetail{Service: s, Overdue: s.Overdue(now())}
			if s.Profile != nil {
				res, _, err := procurement.AssessCloudService(c.Ctx(), c.Scope, s, env.Options(now()))
				if err != nil {
					return d, err
				}
				d.Assessment = &res
			}
			d.Reviews, err = c.Scope.CloudReviews(c.Ctx(), s.ID)
			return d, err
		})
	Handle(a, Op{Method: http.MethodPut, Path: "/cloud-services/{id}", ID: "updateCloudService", Tag: tag, Perm: write, Params: idParam,
		Summary: "Change a service (a profile, when given, replaces its assessment)"},
		func(c *Call, in CloudServiceInput) (domain.CloudService, error) {
			s, err := serviceOf(c)
			if err != nil {
				return s, err
			}
			s = cloudFromInput(s, in)
			if err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.UpdateCloudService(c.Ctx(), s) }); err != nil {
				return s, err
			}
			return c.Scope.CloudService(c.Ctx(), s.ID)
		})
	Handle(a, Op{Method: http.MethodDelete, Path: "/cloud-services/{id}", ID: "deleteCloudService", Tag: tag, Perm: write, Params: idParam, Summary: "Remove a service and its reviews"},
		func(c *Call, _ Empty) (Empty, error) {
			s, err := serviceOf(c)
			if err != nil {
				return Empty{}, err
			}
			return Empty{}, c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.DeleteCloudService(c.Ctx(), s.ID) })
		})
	Handle(a, Op{Method: http.MethodPut, Path: "/cloud-services/{id}/profile", ID: "setCloudServiceProfile", Tag: tag, Perm: write, Params: idParam,
		Summary: "Record the evidence-based assessment of a service (certifications with validity, data location, keys, notification hours, SLA …)"},
		func(c *Call, in procurement.CloudProfile) (domain.CloudService, error) {
			s, err := serviceOf(c)
			if err != nil {
				return s, err
			}
			s.Profile = &in
			if err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.UpdateCloudService(c.Ctx(), s) }); err != nil {
				return s, err
			}
			return c.Scope.CloudService(c.Ctx(), s.ID)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/cloud-services/{id}/reviews", ID: "listCloudReviews", Tag: tag, Perm: read, Params: idParam, Summary: "The reviews of a service, newest first"},
		func(c *Call, _ Empty) ([]domain.CloudReview, error) {
			s, err := serviceOf(c)
			if err != nil {
				return nil, err
			}
			return c.Scope.CloudReviews(c.Ctx(), s.ID)
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/cloud-services/{id}/reviews", ID: "reviewCloudService", Tag: tag, Perm: write, Params: idParam, Status: http.StatusCreated,
		Summary: "Review a service now: its score is kept and the next review is due after the service's interval"},
		func(c *Call, in CloudReviewInput) (domain.CloudReview, error) {
			s, err := serviceOf(c)
			if err != nil {
				return domain.CloudReview{}, err
			}
			return procurement.ReviewCloudService(c.Ctx(), c.Scope, s.ID, in.Note, env.Options(now()))
		})
}

func cloudFromInput(s domain.CloudService, in CloudServiceInput) domain.CloudService {
	s.Name, s.Provider, s.ServiceModel, s.Category, s.MedicalVendor = in.Name, in.Provider, in.ServiceModel, in.Category, in.MedicalVendor
	s.Description, s.DataCategories, s.Criticality, s.Owner = in.Description, in.DataCategories, in.Criticality, in.Owner
	s.ReviewIntervalMonths = in.ReviewIntervalMonths
	if in.NextReview != nil {
		s.NextReview = in.NextReview
	}
	if in.Profile != nil {
		s.Profile = in.Profile
	}
	return s
}
