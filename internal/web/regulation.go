package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/compliance"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/regulation"
)

// regulationRoutes registers the regulation module: the public NIS2 pages, the organisation's regulation
// overview and profile, product applicability, Art 21 assessments and the gap report.
func (s *Server) regulationRoutes(mux *http.ServeMux) {
	s.regulationPublicRoutes(mux)
	mux.HandleFunc("GET /regulation", s.page(domain.PermRead, s.regOverview))
	mux.HandleFunc("GET /regulation/profile", s.page(domain.PermRead, s.regProfile))
	mux.HandleFunc("POST /regulation/profile", s.page(domain.PermRegulation, s.regProfileSave))
	mux.HandleFunc("GET /regulation/products", s.page(domain.PermRead, s.regProducts))
	s.assessmentRoutes(mux)
}

type regOverviewView struct {
	App         compliance.Applicability
	Headline    string
	Lead        string
	EntityPlain string
	Laws        []regulation.LawApplicability
	Deadlines   []lawDeadline
	Upcoming    []compliance.KeyDate
	Passed      []compliance.KeyDate
	Latest      *compliance.Board
	CanEdit     bool
}

type lawDeadline struct {
	Law string
	regulation.DeadlineRef
}

func (s *Server) regOverview(c *Ctx) error {
	ctx := c.R.Context()
	app, err := compliance.OrgApplicability(ctx, c.Scope, s.Compliance, c.Now())
	if err != nil {
		return err
	}
	v := regOverviewView{App: app, Laws: app.Assessment.Organisation, CanEdit: c.P.Can(domain.PermRegulation),
		EntityPlain: entityPlainName(app.Profile.EntityType)}
	v.Headline, v.Lead = headline(app.Assessment.Scope.Category)
	for _, la := range v.Laws {
		if la.Applies == regulation.DoesNotApply {
			continue
		}
		for _, d := range la.Deadlines {
			v.Deadlines = append(v.Deadlines, lawDeadline{Law: la.Name, DeadlineRef: d})
		}
	}
	today := c.Now().In(c.Loc()).Format(time.DateOnly)
	for _, d := range app.Dates {
		if d.Date >= today {
			v.Upcoming = append(v.Upcoming, d)
		} else {
			v.Passed = append(v.Passed, d)
		}
	}
	if a, err := c.Scope.LatestAssessment(ctx); err == nil {
		b, err := compliance.LoadBoard(ctx, c.Scope, nil, a.ID, c.Now(), c.Loc())
		if err != nil {
			return err
		}
		v.Latest = &b
	} else if domain.ErrorCode(err) != domain.ENotFound {
		return err
	}
	return c.Render("regulation/overview", "Regulation", v)
}

func entityPlainName(id string) string {
	if p, ok := entityPlain[regulation.EntityType(id)]; ok {
		return p
	}
	return id
}

type profileView struct {
	Profile   domain.RegulatoryProfile
	Form      profileForm
	Types     []entityChoice
	EU, Other []countryChoice
	Errors    FieldErrors
	CanEdit   bool
	Scope     compliance.ScopeAnswer
}

// profileForm keeps the figures as typed, so that wrong input is shown back.
type profileForm struct {
	Employees, Turnover, Balance string
}

func figureText(v float64) string {
	if v < 0 {
		return ""
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func amountText(v int64) string {
	if v < 0 {
		return ""
	}
	return groupDigits(v)
}

func (s *Server) profileView(c *Ctx, p domain.RegulatoryProfile, f *profileForm, errs FieldErrors) profileView {
	eu, other := countryChoices()
	if f == nil {
		f = &profileForm{Employees: figureText(p.Employees), Turnover: amountText(p.TurnoverEUR), Balance: amountText(p.BalanceSheetEUR)}
	}
	return profileView{Profile: p, Form: *f, Types: entityChoices(), EU: eu, Other: other, Errors: errs,
		CanEdit: c.P.Can(domain.PermRegulation), Scope: compliance.CheckScope(compliance.ScopeInput(p), c.Now())}
}

func (s *Server) regProfile(c *Ctx) error {
	p, err := compliance.Profile(c.R.Context(), c.Scope)
	if err != nil {
		return err
	}
	return c.Render("regulation/profile", "Regulatory profile", s.profileView(c, p, nil, FieldErrors{}))
}

func (s *Server) regProfileSave(c *Ctx) error {
	f := profileForm{Employees: c.Form("employees"), Turnover: c.Form("turnover_eur"), Balance: c.Form("balance_sheet_eur")}
	p := domain.RegulatoryProfile{EntityType: c.Form("entity_type"), Public: c.Form("public") == "yes", Country: c.Form("country"),
		Employees: -1, TurnoverEUR: -1, BalanceSheetEUR: -1, OwnFiguresOnly: c.FormBool("own_figures_only"), Designated: c.Form("designated"),
		CERCritical: c.FormBool("cer_critical"), SoleProvider: c.FormBool("sole_provider"), Manufacturer: c.FormBool("manufacturer"),
		PersonalData: c.FormBool("personal_data"), HealthData: c.FormBool("health_data"), LargeScaleHealthData: c.FormBool("large_scale_health_data")}
	errs := FieldErrors{}
	if f.Employees != "" {
		v, err := compliance.ParseHeadcount(f.Employees)
		if err != nil {
			errs["employees"] = err.Error()
		}
		p.Employees = v
	}
	for _, x := range []struct {
		field, s string
		dst      *int64
	}{{"turnover_eur", f.Turnover, &p.TurnoverEUR}, {"balance_sheet_eur", f.Balance, &p.BalanceSheetEUR}} {
		if x.s == "" {
			continue
		}
		v, err := compliance.ParseAmount(x.s)
		if err != nil {
			errs[x.field] = err.Error()
			continue
		}
		*x.dst = v
	}
	if len(errs) == 0 {
		err := compliance.SaveProfile(c.R.Context(), c.Scope, &p)
		if err == nil {
			return c.Redirect("/regulation", "ok", "Saved the regulatory profile.")
		}
		if !errs.FromError(err) {
			return err
		}
	}
	return c.RenderStatus(http.StatusUnprocessableEntity, "regulation/profile", "Regulatory profile", s.profileView(c, p, &f, errs))
}

type regProductsView struct {
	Wired    bool
	Products []regulation.ProductAssessment
	Check    productCheck
	Result   *regulation.ProductAssessment
	Errors   FieldErrors
}

// productCheck is the form that checks one product without storing it.
type productCheck struct {
	Name                                      string
	Own, MedicalDevice, IVD, DigitalElements  bool
	DataConnection, EHRSystem, ClaimsEHR      bool
	PersonalData, HealthData, Substantially   bool
	MDRClass, IVDRClass, PlacedOnMarket, MDS2 string
	Asked                                     bool
}

func (s *Server) regProducts(c *Ctx) error {
	ctx := c.R.Context()
	app, err := compliance.OrgApplicability(ctx, c.Scope, s.Compliance, c.Now())
	if err != nil {
		return err
	}
	v := regProductsView{Wired: app.ProductsWired, Products: app.Assessment.Products, Errors: FieldErrors{}}
	q := c.R.URL.Query()
	b := func(k string) bool { return q.Get(k) == "on" || q.Get(k) == "yes" }
	v.Check = productCheck{Name: strings.TrimSpace(q.Get("name")), Own: b("own"), MedicalDevice: b("medical_device"), IVD: b("ivd"),
		DigitalElements: b("digital_elements"), DataConnection: b("data_connection"), EHRSystem: b("ehr_system"), ClaimsEHR: b("claims_ehr"),
		PersonalData: b("personal_data"), HealthData: b("health_data"), Substantially: b("substantially_modified"),
		MDRClass: q.Get("mdr_class"), IVDRClass: q.Get("ivdr_class"), PlacedOnMarket: strings.TrimSpace(q.Get("placed_on_market")),
		MDS2: q.Get("mds2"), Asked: q.Get("check") != ""}
	if v.Check.Asked {
		p := regulation.Product{ID: "check", Name: v.Check.Name, Own: v.Check.Own, MedicalDevice: v.Check.MedicalDevice, IVD: v.Check.IVD,
			MDRClass: v.Check.MDRClass, IVDRClass: v.Check.IVDRClass, DigitalElements: v.Check.DigitalElements, DataConnection: v.Check.DataConnection,
			EHRSystem: v.Check.EHRSystem, ClaimsEHRInteroperability: v.Check.ClaimsEHR, PersonalData: v.Check.PersonalData,
			HealthData: v.Check.HealthData, SubstantiallyModified: v.Check.Substantially}
		if p.Name == "" {
			p.Name = "The product checked"
		}
		if d := v.Check.PlacedOnMarket; d != "" {
			if _, err := time.Parse(time.DateOnly, d); err != nil {
				v.Errors["placed_on_market"] = "must be a date YYYY-MM-DD"
			}
			p.PlacedOnMarket = d
		}
		answers, err := parseMDS2Lines(v.Check.MDS2)
		if err != nil {
			v.Errors["mds2"] = err.Error()
		}
		p.MDS2 = answers
		if len(v.Errors) == 0 {
			res := compliance.Assess(app.Profile, []regulation.Product{p}, c.Now())
			v.Result = &res.Assessment.Products[0]
		}
	}
	return c.Render("regulation/products", "Products and EU law", v)
}

// parseMDS2Lines reads MDS2 answers typed one per line: "MLDP-2 yes", "RMOT-1: no".
func parseMDS2Lines(s string) (map[string]string, error) {
	out := map[string]string{}
	for i, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == '\t' || r == ':' || r == '=' || r == ',' || r == ';' })
		if len(f) != 2 {
			return out, fmt.Errorf("line %d: write a question id and an answer, e.g. MLDP-2 yes", i+1)
		}
		a := strings.ToLower(f[1])
		switch a {
		case "yes", "no", "na", "n/a", "see-note":
		default:
			return out, fmt.Errorf("line %d: answer %q must be yes, no, na or see-note", i+1, f[1])
		}
		if a == "n/a" {
			a = "na"
		}
		out[regulation.NormaliseMDS2ID(f[0])] = a
		if len(out) > 500 {
			return out, fmt.Errorf("at most 500 answers")
		}
	}
	return out, nil
}
