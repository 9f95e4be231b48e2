package api

import (
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/compliance"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/httpx"
	"github.com/vigil-med/vigil/internal/regulation"
	"github.com/vigil-med/vigil/internal/store"
)

// ScopeRequest is the NIS2 scope check as JSON. Figures that are null or absent are unknown.
type ScopeRequest struct {
	EntityType      string   `json:"entity_type" doc:"healthcare-provider, medical-device-manufacturer, … (GET /regulation/entity-types)"`
	Public          bool     `json:"public,omitempty"`
	Country         string   `json:"country,omitempty" doc:"ISO 3166-1 alpha-2 Member State of establishment"`
	Employees       *float64 `json:"employees,omitempty" doc:"headcount in annual work units"`
	TurnoverEUR     *int64   `json:"turnover_eur,omitempty"`
	BalanceSheetEUR *int64   `json:"balance_sheet_eur,omitempty"`
	OwnFiguresOnly  bool     `json:"own_figures_only,omitempty" doc:"the figures leave out linked or partner enterprises"`
	Designated      string   `json:"designated,omitempty" doc:"essential or important when a Member State identified the entity"`
	CERCritical     bool     `json:"cer_critical,omitempty"`
	SoleProvider    bool     `json:"sole_provider,omitempty"`
}

// Input validates the request into the input of the scope check.
func (r ScopeRequest) Input() (regulation.ScopeInput, error) {
	f := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'f', -1, 64)
	}
	i := func(p *int64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatInt(*p, 10)
	}
	pub := "no"
	if r.Public {
		pub = "yes"
	}
	return scopeInput(compliance.ScopeForm{EntityType: r.EntityType, Public: pub, Country: r.Country, Employees: f(r.Employees),
		Turnover: i(r.TurnoverEUR), Balance: i(r.BalanceSheetEUR), Designated: r.Designated, CERCritical: r.CERCritical,
		SoleProvider: r.SoleProvider, OwnFiguresOnly: r.OwnFiguresOnly})
}

func scopeInput(f compliance.ScopeForm) (regulation.ScopeInput, error) {
	in, errs := f.Input()
	if len(errs) == 0 {
		return in, nil
	}
	keys := make([]string, 0, len(errs))
	for k := range errs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if keys[0] == "entity_type" {
		_, err := regulation.ParseEntityType(f.EntityType)
		return in, domain.Invalid("entity_type", "%v", err)
	}
	return in, domain.Invalid(keys[0], "%s", errs[keys[0]])
}

// ProfileInput is the regulatory profile as a client sets it. Figures that are null or absent are unknown.
type ProfileInput struct {
	EntityType           string   `json:"entity_type"`
	Public               bool     `json:"public"`
	Country              string   `json:"country"`
	Employees            *float64 `json:"employees"`
	TurnoverEUR          *int64   `json:"turnover_eur"`
	BalanceSheetEUR      *int64   `json:"balance_sheet_eur"`
	OwnFiguresOnly       bool     `json:"own_figures_only"`
	Designated           string   `json:"designated"`
	CERCritical          bool     `json:"cer_critical"`
	SoleProvider         bool     `json:"sole_provider"`
	Manufacturer         bool     `json:"manufacturer"`
	PersonalData         bool     `json:"personal_data"`
	HealthData           bool     `json:"health_data"`
	LargeScaleHealthData bool     `json:"large_scale_health_data"`
}

// Profile returns the domain profile of the input.
func (in ProfileInput) Profile() domain.RegulatoryProfile {
	p := domain.RegulatoryProfile{EntityType: in.EntityType, Public: in.Public, Country: in.Country, Employees: -1, TurnoverEUR: -1,
		BalanceSheetEUR: -1, OwnFiguresOnly: in.OwnFiguresOnly, Designated: in.Designated, CERCritical: in.CERCritical,
		SoleProvider: in.SoleProvider, Manufacturer: in.Manufacturer, PersonalData: in.PersonalData, HealthData: in.HealthData,
		LargeScaleHealthData: in.LargeScaleHealthData}
	if in.Employees != nil {
		p.Employees = *in.Employees
	}
	if in.TurnoverEUR != nil {
		p.TurnoverEUR = *in.TurnoverEUR
	}
	if in.BalanceSheetEUR != nil {
		p.BalanceSheetEUR = *in.BalanceSheetEUR
	}
	return p
}

// ApplicabilityInput asks which law applies to the given products (not stored), besides the organisation.
type ApplicabilityInput struct {
	Products []regulation.Product `json:"products"`
	At       string               `json:"at,omitempty" doc:"date YYYY-MM-DD the dates are judged at (default today)"`
}

// AssessmentInput starts or changes an assessment campaign.
type AssessmentInput struct {
	Name        string `json:"name"`
	PeriodStart string `json:"period_start,omitempty" doc:"YYYY-MM-DD"`
	PeriodEnd   string `json:"period_end,omitempty" doc:"YYYY-MM-DD"`
	Owner       string `json:"owner,omitempty"`
	CopyFrom    int64  `json:"copy_from,omitempty" doc:"start from a copy of this assessment (its measure states, documents and links)"`
}

// MeasureInput sets the state of a measure.
type MeasureInput struct {
	Status         string `json:"status" doc:"not-started, partial, implemented or not-applicable (with a comment saying why)"`
	Maturity       int    `json:"maturity" doc:"0-4, the catalogue's maturity levels"`
	TargetMaturity *int   `json:"target_maturity,omitempty" doc:"0-4 (default 3)"`
	Owner          string `json:"owner,omitempty"`
	DueDate        string `json:"due_date,omitempty" doc:"YYYY-MM-DD"`
	Comment        string `json:"comment,omitempty"`
}

// LinkInput adds a link to the evidence of a measure.
type LinkInput struct {
	Title string `json:"title,omitempty"`
	URL   string `json:"url"`
}

// SignOffInput records the management body's sign-off.
type SignOffInput struct {
	Name    string `json:"name" doc:"who signs for the management body"`
	Role    string `json:"role" doc:"their function, e.g. managing director"`
	Comment string `json:"comment,omitempty"`
}

// OverlayList lists the national overlays.
type OverlayList struct {
	Overlays []regulation.Overlay `json:"overlays"`
	Files    map[string]string    `json:"files" doc:"country -> data file in the source tree (embedded)"`
}

// RegulationRoutes registers the regulation module: the public NIS2 scope check, the organisation's
// regulatory profile and applicable law, the measures catalogue, Art 21 assessments with evidence,
// sign-off and the gap report.
func (a *API) RegulationRoutes(reg *compliance.Registry) {
	// Public: a per-address limit keeps the anonymous scope check cheap to serve.
	limit := auth.NewLimiter(120, time.Minute)
	throttle := func(c *Call) error {
		key, now := "scope:"+httpx.ClientIP(c.Ctx()), time.Now()
		if ok, until := limit.Allowed(key, now); !ok {
			return &domain.Error{Code: domain.ERateLimited, Message: "too many scope checks from your address; try again after " + until.UTC().Format("15:04") + " UTC"}
		}
		limit.Fail(key, now)
		return nil
	}
	scopeParams := []Param{
		{Name: "entity_type", In: "query", Required: true, Description: "entity type id (GET /regulation/entity-types)"},
		{Name: "public", In: "query", Type: "boolean", Description: "a public body"},
		{Name: "country", In: "query", Description: "ISO 3166-1 alpha-2 Member State"},
		{Name: "employees", In: "query", Type: "number", Description: "headcount in annual work units; absent = unknown"},
		{Name: "turnover_eur", In: "query", Description: "annual turnover in euro (40000000 or 40m); absent = unknown"},
		{Name: "balance_sheet_eur", In: "query", Description: "annual balance-sheet total in euro; absent = unknown"},
		{Name: "designated", In: "query", Enum: []string{"essential", "important"}},
		{Name: "cer_critical", In: "query", Type: "boolean"},
		{Name: "sole_provider", In: "query", Type: "boolean"},
		{Name: "own_figures_only", In: "query", Type: "boolean"},
	}
	Handle(a, Op{Method: http.MethodGet, Path: "/regulation/scope", ID: "checkScopeQuery", Tag: "regulation", Public: true, Params: scopeParams,
		Summary:     "NIS2 scope check (public, no login): essential, important, out of scope or uncertain, with the reasoning",
		Description: "The same check as the public page /nis2. The answer carries the category, the Annex, the size, the reasons step by step with their legal references, what to check when uncertain, and the duties, deadlines and authorities that follow (with the national overlay of the country, when Vigil has one). Not legal advice."},
		func(c *Call, _ Empty) (compliance.ScopeAnswer, error) {
			if err := throttle(c); err != nil {
				return compliance.ScopeAnswer{}, err
			}
			in, err := scopeInput(compliance.ScopeFormFrom(c.R.URL.Query()))
			if err != nil {
				return compliance.ScopeAnswer{}, err
			}
			return compliance.CheckScope(in, time.Now()), nil
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/regulation/scope", ID: "checkScope", Tag: "regulation", Public: true,
		Summary: "NIS2 scope check (public, no login) from a JSON body; unknown figures are left out"},
		func(c *Call, in ScopeRequest) (compliance.ScopeAnswer, error) {
			if err := throttle(c); err != nil {
				return compliance.ScopeAnswer{}, err
			}
			si, err := in.Input()
			if err != nil {
				return compliance.ScopeAnswer{}, err
			}
			return compliance.CheckScope(si, time.Now()), nil
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/regulation/entity-types", ID: "listEntityTypes", Tag: "regulation", Public: true,
		Summary: "The entity types of the NIS2 scope check with their Annex and reference (public)"},
		func(c *Call, _ Empty) ([]regulation.EntityTypeInfo, error) { return regulation.EntityTypes(), nil })
	Handle(a, Op{Method: http.MethodGet, Path: "/regulation/overlays", ID: "listOverlays", Tag: "regulation", Public: true,
		Summary: "The national overlays (labels, authorities, portals, registration, deadlines) and where their data lives (public)"},
		func(c *Call, _ Empty) (OverlayList, error) {
			out := OverlayList{Overlays: regulation.Overlays(), Files: map[string]string{}}
			for _, o := range out.Overlays {
				out.Files[o.Country] = compliance.OverlayFile(o.Country)
			}
			return out, nil
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/regulation/catalogue", ID: "getMeasureCatalogue", Tag: "regulation", Perm: domain.PermRead,
		Summary: "The NIS2 Art 20/21 measures catalogue: guidance, maturity levels, IR 2024/2690 and ISO/IEC 27001 mappings, evidence kinds"},
		func(c *Call, _ Empty) (regulation.Catalogue, error) { return regulation.MeasureCatalogue(), nil })

	Handle(a, Op{Method: http.MethodGet, Path: "/regulation/profile", ID: "getRegulatoryProfile", Tag: "regulation", Perm: domain.PermRead,
		Summary: "The organisation's regulatory profile (saved false: a proposal from the organisation's settings)"},
		func(c *Call, _ Empty) (domain.RegulatoryProfile, error) { return compliance.Profile(c.Ctx(), c.Scope) })
	Handle(a, Op{Method: http.MethodPut, Path: "/regulation/profile", ID: "putRegulatoryProfile", Tag: "regulation", Perm: domain.PermRegulation,
		Summary: "Save the organisation's regulatory profile: entity type, size figures, country, special cases, data processed"},
		func(c *Call, in ProfileInput) (domain.RegulatoryProfile, error) {
			p := in.Profile()
			if err := compliance.SaveProfile(c.Ctx(), c.Scope, &p); err != nil {
				return p, err
			}
			return c.Scope.RegulatoryProfile(c.Ctx())
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/regulation/applicability", ID: "getApplicability", Tag: "regulation", Perm: domain.PermRead,
		Summary: "Which of NIS2, MDR, IVDR, CRA, EHDS and GDPR apply to the organisation and its products, with duties, deadlines, dates, authorities and the MDCG 2019-16 matrix"},
		func(c *Call, _ Empty) (compliance.Applicability, error) {
			return compliance.OrgApplicability(c.Ctx(), c.Scope, reg, time.Now())
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/regulation/applicability", ID: "checkApplicability", Tag: "regulation", Perm: domain.PermRead,
		Summary: "Which law applies to the organisation and to the products given in the body (a check; nothing is stored)"},
		func(c *Call, in ApplicabilityInput) (compliance.Applicability, error) {
			at := time.Now()
			if in.At != "" {
				t, err := time.Parse(time.DateOnly, in.At)
				if err != nil {
					return compliance.Applicability{}, domain.Invalid("at", "must be a date YYYY-MM-DD")
				}
				at = t
			}
			if len(in.Products) > 500 {
				return compliance.Applicability{}, domain.Invalid("products", "at most 500 products per request")
			}
			p, err := compliance.Profile(c.Ctx(), c.Scope)
			if err != nil {
				return compliance.Applicability{}, err
			}
			return compliance.Assess(p, in.Products, at), nil
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/regulation/evidence", ID: "getAutomaticEvidence", Tag: "regulation", Perm: domain.PermRead,
		Summary: "Automatic evidence drawn from Vigil now, per kind: figures with their date, or why there are none"},
		func(c *Call, _ Empty) ([]compliance.AutoEvidence, error) { return reg.Collect(c.Ctx(), c.Scope), nil })

	a.assessmentRoutes(reg)
}

func (a *API) assessmentRoutes(reg *compliance.Registry) {
	board := func(c *Call) (compliance.Board, error) {
		id, err := c.PathInt("id")
		if err != nil {
			return compliance.Board{}, err
		}
		return compliance.LoadBoard(c.Ctx(), c.Scope, reg, id, time.Now(), c.Principal.Org.Location())
	}
	Handle(a, Op{Method: http.MethodGet, Path: "/regulation/assessments", ID: "listAssessments", Tag: "regulation", Perm: domain.PermRead,
		Summary: "NIS2 Art 21 assessment campaigns, newest first", Params: ListParams},
		func(c *Call, _ Empty) (domain.Page[domain.Assessment], error) {
			p, err := c.List()
			if err != nil {
				return domain.Page[domain.Assessment]{}, err
			}
			return c.Scope.Assessments(c.Ctx(), p)
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/regulation/assessments", ID: "createAssessment", Tag: "regulation", Perm: domain.PermRegulation, Status: http.StatusCreated,
		Summary: "Start an assessment campaign over the measures catalogue, or from a copy of an earlier one"},
		func(c *Call, in AssessmentInput) (domain.Assessment, error) {
			as := domain.Assessment{Name: in.Name, PeriodStart: in.PeriodStart, PeriodEnd: in.PeriodEnd, Owner: in.Owner}
			err := compliance.StartAssessment(c.Ctx(), c.Scope, &as, in.CopyFrom)
			return as, err
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/regulation/assessments/{id}", ID: "getAssessment", Tag: "regulation", Perm: domain.PermRead,
		Summary: "An assessment with every measure: status, maturity, gap, evidence and automatic evidence, and the summary"},
		func(c *Call, _ Empty) (compliance.Board, error) { return board(c) })
	Handle(a, Op{Method: http.MethodPut, Path: "/regulation/assessments/{id}", ID: "updateAssessment", Tag: "regulation", Perm: domain.PermRegulation,
		Summary: "Change the name, period or owner of an open assessment"},
		func(c *Call, in AssessmentInput) (domain.Assessment, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return domain.Assessment{}, err
			}
			as, err := c.Scope.Assessment(c.Ctx(), id)
			if err != nil {
				return as, err
			}
			as.Name, as.PeriodStart, as.PeriodEnd, as.Owner = in.Name, in.PeriodStart, in.PeriodEnd, in.Owner
			if err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.UpdateAssessment(c.Ctx(), as) }); err != nil {
				return as, err
			}
			return c.Scope.Assessment(c.Ctx(), id)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/regulation/assessments/{id}/measures/{measure}", ID: "getAssessmentMeasure", Tag: "regulation", Perm: domain.PermRead,
		Params:  []Param{{Name: "measure", In: "path", Description: "catalogue id, e.g. nis2.21.2.j"}},
		Summary: "One measure of an assessment with its guidance, maturity levels, mappings, state and evidence"},
		func(c *Call, _ Empty) (compliance.MeasureRow, error) {
			b, err := board(c)
			if err != nil {
				return compliance.MeasureRow{}, err
			}
			r, ok := b.Row(c.R.PathValue("measure"))
			if !ok {
				return r, domain.NotFound("measure " + c.R.PathValue("measure"))
			}
			return r, nil
		})
	Handle(a, Op{Method: http.MethodPut, Path: "/regulation/assessments/{id}/measures/{measure}", ID: "setAssessmentMeasure", Tag: "regulation", Perm: domain.PermRegulation,
		Params:  []Param{{Name: "measure", In: "path", Description: "catalogue id, e.g. nis2.21.2.j"}},
		Summary: "Set the status, maturity, owner, due date and comment of a measure (open assessments only)"},
		func(c *Call, in MeasureInput) (domain.AssessmentMeasure, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return domain.AssessmentMeasure{}, err
			}
			if _, err := c.Scope.Assessment(c.Ctx(), id); err != nil {
				return domain.AssessmentMeasure{}, err
			}
			m := domain.AssessmentMeasure{AssessmentID: id, MeasureID: c.R.PathValue("measure"), Status: in.Status, Maturity: in.Maturity,
				TargetMaturity: 3, Owner: in.Owner, DueDate: in.DueDate, Comment: in.Comment}
			if in.TargetMaturity != nil {
				m.TargetMaturity = *in.TargetMaturity
			}
			return m, compliance.SetMeasure(c.Ctx(), c.Scope, &m)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/regulation/assessments/{id}/evidence", ID: "listAssessmentEvidence", Tag: "regulation", Perm: domain.PermRead,
		Params:  []Param{{Name: "measure", In: "query", Description: "only this measure"}},
		Summary: "Documents, links and sign-off snapshots of automatic evidence of an assessment"},
		func(c *Call, _ Empty) ([]domain.MeasureEvidence, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return nil, err
			}
			if _, err := c.Scope.Assessment(c.Ctx(), id); err != nil {
				return nil, err
			}
			return c.Scope.AssessmentEvidence(c.Ctx(), id, c.Query("measure"))
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/regulation/assessments/{id}/measures/{measure}/links", ID: "addEvidenceLink", Tag: "regulation", Perm: domain.PermRegulation, Status: http.StatusCreated,
		Params:  []Param{{Name: "measure", In: "path", Description: "catalogue id"}},
		Summary: "Add a link (http/https) to the evidence of a measure"},
		func(c *Call, in LinkInput) (domain.MeasureEvidence, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return domain.MeasureEvidence{}, err
			}
			return compliance.AddLink(c.Ctx(), c.Scope, id, c.R.PathValue("measure"), in.Title, in.URL)
		})
	HandleRaw(a, Op{Method: http.MethodPost, Path: "/regulation/assessments/{id}/measures/{measure}/files", ID: "uploadEvidenceFile", Tag: "regulation",
		Perm: domain.PermRegulation, Upload: true, Status: http.StatusCreated, Response: domain.MeasureEvidence{},
		Params: []Param{{Name: "measure", In: "path", Description: "catalogue id"}, {Name: "title", In: "query", Description: "title of the document"},
			{Name: "filename", In: "query", Description: "file name when the body is the raw file"}},
		Summary: "Upload a document as evidence of a measure (multipart field \"file\", at most 20 MiB); its SHA-256 is recorded"},
		func(w http.ResponseWriter, c *Call) error {
			id, err := c.PathInt("id")
			if err != nil {
				return err
			}
			if _, err := c.Scope.Assessment(c.Ctx(), id); err != nil {
				return err
			}
			up, err := c.Upload(compliance.MaxEvidenceBytes)
			if err != nil {
				return err
			}
			e, err := compliance.AddFile(c.Ctx(), c.Scope, id, c.R.PathValue("measure"), c.Query("title"), up.Name, up.Data)
			if err != nil {
				return err
			}
			httpx.JSON(w, http.StatusCreated, e)
			return nil
		})
	HandleRaw(a, Op{Method: http.MethodGet, Path: "/regulation/assessments/{id}/evidence/{evidence}/file", ID: "downloadEvidenceFile", Tag: "regulation",
		Perm: domain.PermRead, Produces: "application/octet-stream", Summary: "Download an evidence document"},
		func(w http.ResponseWriter, c *Call) error {
			id, err := c.PathInt("id")
			if err != nil {
				return err
			}
			eid, err := c.PathInt("evidence")
			if err != nil {
				return err
			}
			e, data, err := c.Scope.EvidenceFile(c.Ctx(), id, eid)
			if err != nil {
				return err
			}
			compliance.ServeFile(w, e, data)
			return nil
		})
	Handle(a, Op{Method: http.MethodDelete, Path: "/regulation/assessments/{id}/evidence/{evidence}", ID: "deleteEvidence", Tag: "regulation", Perm: domain.PermRegulation,
		Summary: "Remove a document or link from an open assessment"},
		func(c *Call, _ Empty) (Empty, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return Empty{}, err
			}
			eid, err := c.PathInt("evidence")
			if err != nil {
				return Empty{}, err
			}
			return Empty{}, c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.DeleteEvidence(c.Ctx(), id, eid) })
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/regulation/assessments/{id}/sign-off", ID: "signOffAssessment", Tag: "regulation", Perm: domain.PermRegulation,
		Summary: "Record the management body's sign-off (NIS2 Art 20(1)): automatic evidence is snapshotted and the assessment frozen"},
		func(c *Call, in SignOffInput) (domain.Assessment, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return domain.Assessment{}, err
			}
			return compliance.SignOff(c.Ctx(), c.Scope, reg, id, domain.SignOff{Name: in.Name, Role: in.Role, Comment: in.Comment})
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/regulation/assessments/{id}/report", ID: "getGapReport", Tag: "regulation", Perm: domain.PermRead,
		Summary: "The gap report of an assessment as JSON (the same data as the PDF)"},
		func(c *Call, _ Empty) (compliance.Board, error) { return board(c) })
	HandleRaw(a, Op{Method: http.MethodGet, Path: "/regulation/assessments/{id}/report.pdf", ID: "getGapReportPDF", Tag: "regulation", Perm: domain.PermRead,
		Produces: "application/pdf", Summary: "The gap report for the management body as PDF"},
		func(w http.ResponseWriter, c *Call) error {
			b, err := board(c)
			if err != nil {
				return err
			}
			author := c.Principal.Actor.Name
			if c.Principal.User != nil {
				author = c.Principal.User.Name
			}
			doc, err := compliance.ReportPDF(b, c.Principal.Org, author, time.Now())
			if err != nil {
				return err
			}
			w.Header().Set("Content-Type", "application/pdf")
			w.Header().Set("Content-Disposition", `attachment; filename="`+compliance.ReportFileName(b.Assessment)+`"`)
			w.Header().Set("Cache-Control", "no-store")
			_, err = w.Write(doc)
			return err
		})
}
