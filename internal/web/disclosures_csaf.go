package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/vigil-med/vigil/internal/disclosure"
	"github.com/vigil-med/vigil/internal/domain"
)

func (s *Server) discAdvisoryRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /disclosures/advisories", s.page(domain.PermRead, s.discAdvisories))
	mux.HandleFunc("GET /disclosures/advisories/{id}", s.page(domain.PermRead, s.discAdvisory))
	mux.HandleFunc("GET /disclosures/mapping", s.page(domain.PermRead, s.discMappingQueue))
	mux.HandleFunc("POST /disclosures/mapping/{id}/map", s.page(domain.PermDisclosures, s.discMap))
	mux.HandleFunc("POST /disclosures/mapping/{id}/ignore", s.page(domain.PermDisclosures, s.discIgnore))
	mux.HandleFunc("GET /disclosures/mapping/rules", s.page(domain.PermRead, s.discRules))
	mux.HandleFunc("POST /disclosures/mapping/rules/{id}/delete", s.page(domain.PermDisclosures, s.discRuleDelete))
	mux.HandleFunc("POST /disclosures/mapping/remap", s.page(domain.PermDisclosures, s.discRemap))
	mux.HandleFunc("GET /disclosures/vex", s.page(domain.PermRead, s.discVEX))
}

type discAdvisoriesView struct {
	Page     domain.Page[domain.Advisory]
	Filter   domain.AdvisoryFilter
	Unmapped int
}

func (s *Server) discAdvisories(c *Ctx) error {
	q := c.R.URL.Query()
	f := domain.AdvisoryFilter{ListParams: c.List(), ProductID: queryID(q, "product_id"), ProductVersionID: queryID(q, "product_version_id"),
		Unmapped: q.Get("unmapped") == "true"}
	v := discAdvisoriesView{Filter: f}
	var err error
	if v.Page, err = c.Scope.Advisories(c.R.Context(), f); err != nil {
		return err
	}
	return c.Render("disclosures/advisories", "Advisories", v)
}

type discAdvisoryView struct {
	Advisory        domain.Advisory
	Products        []domain.AdvisoryProduct
	Names           map[string]string // csaf product id → name, for statuses and remediations
	Vulnerabilities []domain.AdvisoryVulnerability
	Documents       []domain.DisclosureDocument
	Catalogue       []domain.Product
}

func (s *Server) discAdvisory(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	ctx := c.R.Context()
	a, err := c.Scope.Advisory(ctx, id)
	if err != nil {
		return err
	}
	v := discAdvisoryView{Advisory: a, Names: map[string]string{}}
	ps, err := c.Scope.AdvisoryProducts(ctx, domain.AdvisoryProductFilter{AdvisoryID: id, ListParams: domain.ListParams{Limit: domain.MaxPageSize}})
	if err != nil {
		return err
	}
	v.Products = ps.Items
	for _, p := range ps.Items {
		v.Names[p.CSAFID] = p.Name
	}
	if v.Vulnerabilities, err = c.Scope.AdvisoryVulnerabilities(ctx, id); err != nil {
		return err
	}
	if v.Documents, err = c.Scope.DocumentsByRef(ctx, domain.DisclosureCSAF, a.TrackingID); err != nil {
		return err
	}
	if c.P.Can(domain.PermDisclosures) {
		cat, err := c.Scope.Products(ctx, domain.ProductFilter{ListParams: domain.ListParams{Limit: domain.MaxPageSize}})
		if err != nil {
			return err
		}
		v.Catalogue = cat.Items
	}
	return c.Render("disclosures/advisory", a.TrackingID, v)
}

type discQueueView struct {
	Page      domain.Page[domain.AdvisoryProduct]
	Q         string
	State     string
	Products  map[int64]domain.Product
	Catalogue []domain.Product
	Rules     int
	Error     string
	ErrorID   int64
}

func (s *Server) discMappingQueue(c *Ctx) error {
	return s.renderQueue(c, http.StatusOK, "", 0)
}

// renderQueue shows the advisory products of a mapping state (default: the queue) with their
// suggestions and the forms to map or ignore them.
func (s *Server) renderQueue(c *Ctx, status int, msg string, errID int64) error {
	ctx := c.R.Context()
	q := c.R.URL.Query()
	state := q.Get("state")
	if state != domain.MappingMapped && state != domain.MappingIgnored {
		state = domain.MappingUnmapped
	}
	lp := c.List()
	v := discQueueView{Q: lp.Q, State: state, Products: map[int64]domain.Product{}, Error: msg, ErrorID: errID}
	var err error
	if v.Page, err = c.Scope.AdvisoryProducts(ctx, domain.AdvisoryProductFilter{ListParams: lp, State: state}); err != nil {
		return err
	}
	cat, err := c.Scope.Products(ctx, domain.ProductFilter{ListParams: domain.ListParams{Limit: domain.MaxPageSize}})
	if err != nil {
		return err
	}
	v.Catalogue = cat.Items
	for _, p := range cat.Items {
		v.Products[p.ID] = p
	}
	rules, err := c.Scope.MappingRules(ctx)
	if err != nil {
		return err
	}
	v.Rules = len(rules)
	return c.RenderStatus(status, "disclosures/mapping", "Mapping queue", v)
}

// discBack is where a mapping action returns to: the advisory, or the queue with its search.
func discBack(c *Ctx) string {
	if b := c.Form("back"); len(b) > 1 && b[0] == '/' && b[1] != '/' && b[1] != '\\' {
		return b
	}
	return "/disclosures/mapping"
}

func (s *Server) discMap(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	in := disclosure.MapInput{VersionRange: c.Form("version_range")}
	in.ProductID, _ = strconv.ParseInt(c.Form("product_id"), 10, 64)
	res, err := disclosure.MapAdvisoryProduct(c.R.Context(), c.Scope, id, in)
	if err != nil {
		if domain.ErrorCode(err) == domain.EInvalid {
			return s.renderQueue(c, http.StatusUnprocessableEntity, discMessage(err), id)
		}
		return err
	}
	return c.Redirect(discBack(c), "ok", "Mapped and remembered for later advisories: "+res.String()+".")
}

func (s *Server) discIgnore(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	res, err := disclosure.IgnoreAdvisoryProduct(c.R.Context(), c.Scope, id, c.FormBool("all_of_vendor"))
	if err != nil {
		if domain.ErrorCode(err) == domain.EInvalid {
			return s.renderQueue(c, http.StatusUnprocessableEntity, discMessage(err), id)
		}
		return err
	}
	return c.Redirect(discBack(c), "ok", fmt.Sprintf("Ignored, also in later advisories (%d products ignored).", res.Ignored))
}

type discRulesView struct {
	Rules []domain.MappingRule
}

func (s *Server) discRules(c *Ctx) error {
	rules, err := c.Scope.MappingRules(c.R.Context())
	if err != nil {
		return err
	}
	return c.Render("disclosures/rules", "Remembered mappings", discRulesView{Rules: rules})
}

func (s *Server) discRuleDelete(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	res, err := disclosure.DeleteMappingRule(c.R.Context(), c.Scope, id)
	if err != nil {
		return err
	}
	return c.Redirect("/disclosures/mapping/rules", "ok", "Forgot the mapping; the advisories it concerned were mapped again: "+res.String()+".")
}

func (s *Server) discRemap(c *Ctx) error {
	res, err := disclosure.Remap(c.R.Context(), c.Scope)
	if err != nil {
		return err
	}
	return c.Redirect("/disclosures/mapping", "ok", "Applied the mapping again: "+res.String()+".")
}

type discVEXView struct {
	Page   domain.Page[domain.VEXStatement]
	Filter domain.VEXFilter
}

func (s *Server) discVEX(c *Ctx) error {
	q := c.R.URL.Query()
	f := domain.VEXFilter{ListParams: c.List(), ProductVersionID: queryID(q, "product_version_id"), DocumentID: queryID(q, "document_id"),
		AdvisoryID: queryID(q, "advisory_id"), Vulnerability: q.Get("vulnerability"), Unattached: q.Get("unattached") == "true"}
	if k := q.Get("source"); k == domain.VEXManufacturer || k == domain.VEXHospital {
		f.SourceKind = k
	}
	v := discVEXView{Filter: f}
	var err error
	if v.Page, err = c.Scope.VEXStatements(c.R.Context(), f); err != nil {
		return err
	}
	return c.Render("disclosures/vex", "VEX statements", v)
}

// discVersionCard loads the disclosures of a product version for the inventory's version and device
// pages.
func discVersionCard(c *Ctx, productVersionID int64) (*disclosure.VersionDisclosures, error) {
	d, err := disclosure.ForVersion(c.R.Context(), c.Scope, productVersionID)
	if err != nil {
		return nil, err
	}
	return &d, nil
}
