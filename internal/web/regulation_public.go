package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/compliance"
	"github.com/vigil-med/vigil/internal/httpx"
	"github.com/vigil-med/vigil/internal/regulation"
)

// The public NIS2 pages: the scope check at /nis2 (a GET form, so the answer has a shareable URL and
// works without JavaScript) and plain-language guidance for hospitals, manufacturers and suppliers. They
// read no database and are throttled per client address, so anonymous use costs little.

// entityPlain names the entity types in the words of a hospital manager; the ids stay behind them.
var entityPlain = map[regulation.EntityType]string{
	regulation.HealthcareProvider:                "Hospital, clinic or other healthcare provider",
	regulation.EUReferenceLaboratory:             "EU reference laboratory",
	regulation.MedicinalProductRD:                "Research and development of medicines",
	regulation.BasicPharmaceuticalManufacturer:   "Manufacturer of medicines (basic pharmaceutical products and preparations)",
	regulation.CriticalMedicalDeviceManufacturer: "Manufacturer of medical devices on the EU list of devices critical in a public health emergency",
	regulation.MedicalDeviceManufacturer:         "Medical device manufacturer",
	regulation.IVDManufacturer:                   "Manufacturer of in vitro diagnostics (laboratory tests and analysers)",
	regulation.ChemicalsManufacturer:             "Manufacturer or distributor of chemicals (REACH)",
	regulation.ResearchOrganisation:              "Research organisation (applied research for commercial use)",
	regulation.CloudProvider:                     "Cloud computing provider",
	regulation.ManagedServiceProvider:            "Managed IT or managed security service provider",
	regulation.OtherEntity:                       "None of these",
}

var countryNames = map[string]string{
	"AT": "Austria", "BE": "Belgium", "BG": "Bulgaria", "HR": "Croatia", "CY": "Cyprus", "CZ": "Czechia", "DK": "Denmark",
	"EE": "Estonia", "FI": "Finland", "FR": "France", "DE": "Germany", "EL": "Greece", "HU": "Hungary", "IE": "Ireland",
	"IT": "Italy", "LV": "Latvia", "LT": "Lithuania", "LU": "Luxembourg", "MT": "Malta", "NL": "Netherlands", "PL": "Poland",
	"PT": "Portugal", "RO": "Romania", "SK": "Slovakia", "SI": "Slovenia", "ES": "Spain", "SE": "Sweden",
	"CH": "Switzerland", "GB": "United Kingdom", "NO": "Norway", "IS": "Iceland", "LI": "Liechtenstein", "TR": "Türkiye", "US": "United States",
}

// nonEU are the countries outside the EU offered in the form (their answer says NIS2 applies only with
// activities in the Union).
var nonEU = []string{"CH", "GB", "IS", "LI", "NO", "TR", "US"}

type entityChoice struct {
	ID    string
	Plain string
	Annex string
	Ref   string
	Label string
}

type countryChoice struct {
	Code, Name string
	Overlay    bool
}

func entityChoices() []entityChoice {
	var out []entityChoice
	for _, e := range regulation.EntityTypes() {
		plain := entityPlain[e.ID]
		if plain == "" {
			plain = e.Label
		}
		out = append(out, entityChoice{ID: string(e.ID), Plain: plain, Annex: e.Annex, Ref: e.Ref, Label: e.Label})
	}
	return out
}

func countryChoices() (eu, other []countryChoice) {
	for _, c := range regulation.EUMemberStates() {
		if c == "GR" { // listed as EL, its code in EU texts
			continue
		}
		_, ov := regulation.OverlayFor(c)
		eu = append(eu, countryChoice{Code: c, Name: countryNames[c], Overlay: ov})
	}
	for _, c := range nonEU {
		other = append(other, countryChoice{Code: c, Name: countryNames[c]})
	}
	return eu, other
}

type nis2View struct {
	Form      compliance.ScopeForm
	Errors    map[string]string
	Types     []entityChoice
	EU, Other []countryChoice
	Answer    *compliance.ScopeAnswer
	Headline  string
	Lead      string
	Fines     []regulation.Duty
	Duties    []regulation.Duty
	Share     string
	Version   string
	Guides    []guideLink
}

type guideLink struct{ Path, Title, Text string }

var guides = []guideLink{
	{"/nis2/hospitals", "NIS2 for hospitals", "What the directive asks of hospitals and clinics, and how it meets the medical-device and data-protection rules."},
	{"/nis2/manufacturers", "NIS2 for manufacturers", "Medical-device and IVD makers: NIS2 for the company, MDR, IVDR, CRA and EHDS for the products."},
	{"/nis2/suppliers", "NIS2 for suppliers", "Cloud, managed-service and other suppliers of hospitals: own duties and what customers will ask."},
}

// headline says the category in plain words.
func headline(c regulation.Category) (string, string) {
	switch c {
	case regulation.Essential:
		return "Essential entity", "NIS2 applies to you in full. Authorities may supervise you before anything happens, with inspections and audits (Art 32)."
	case regulation.Important:
		return "Important entity", "NIS2 applies to you. Authorities act after the fact, when there are signs that you do not comply (Art 33)."
	case regulation.OutOfScope:
		return "Not in scope of NIS2", "On what you entered, NIS2 does not apply to you. Check the points below: a Member State designation or national law can change this."
	}
	return "Cannot tell yet", "The answer depends on facts that are missing or need checking; see what to check below."
}

func (s *Server) regulationPublicRoutes(mux *http.ServeMux) {
	limit := auth.NewLimiter(240, time.Minute)
	public := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			key, now := "nis2:"+httpx.ClientIP(r.Context()), s.Now()
			if ok, _ := limit.Allowed(key, now); !ok {
				s.render(w, r, http.StatusTooManyRequests, "error", View{Title: "Too many requests", Bare: true, Data: errorView{
					Status: http.StatusTooManyRequests, Message: "Too many requests from your address. Please wait a minute.", RequestID: httpx.RequestID(r.Context())}})
				return
			}
			limit.Fail(key, now)
			h(w, r)
		}
	}
	mux.HandleFunc("GET /nis2", public(s.nis2Scope))
	mux.HandleFunc("GET /nis2/hospitals", public(s.guide("regulation/guide_hospitals", "NIS2 for hospitals")))
	mux.HandleFunc("GET /nis2/manufacturers", public(s.guide("regulation/guide_manufacturers", "NIS2 for manufacturers")))
	mux.HandleFunc("GET /nis2/suppliers", public(s.guide("regulation/guide_suppliers", "NIS2 for suppliers")))
}

// nis2Scope is the public scope check. The principal is deliberately not attached: the page looks the
// same for everyone and never shows organisation data.
func (s *Server) nis2Scope(w http.ResponseWriter, r *http.Request) {
	eu, other := countryChoices()
	version, _ := regulation.ScopeVersion()
	v := nis2View{Form: compliance.ScopeFormFrom(r.URL.Query()), Errors: map[string]string{}, Types: entityChoices(), EU: eu, Other: other,
		Version: version, Guides: guides}
	status := http.StatusOK
	if !v.Form.Empty() {
		in, errs := v.Form.Input()
		v.Errors = errs
		if len(errs) > 0 {
			status = http.StatusUnprocessableEntity
		} else {
			ans := compliance.CheckScope(in, s.Now())
			v.Answer = &ans
			v.Headline, v.Lead = headline(ans.Category)
			for _, d := range ans.Duties {
				if strings.HasPrefix(d.ID, "nis2.34") {
					v.Fines = append(v.Fines, d)
				} else {
					v.Duties = append(v.Duties, d)
				}
			}
			v.Share = s.Config.ExternalURL() + r.URL.RequestURI()
		}
	} else {
		v.Form.Country = "DE"
	}
	title := "Is NIS2 for us?"
	if v.Answer != nil {
		title = v.Headline + " · NIS2 scope check"
	}
	s.render(w, r, status, "regulation/nis2", View{Title: title, Bare: true, Data: v})
}

type guideView struct {
	Version string
	Guides  []guideLink
	Current string
}

func (s *Server) guide(page, title string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		version, _ := regulation.ScopeVersion()
		s.render(w, r, http.StatusOK, page, View{Title: title, Bare: true, Data: guideView{Version: version, Guides: guides, Current: r.URL.Path}})
	}
}
