package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/exchange"
	"github.com/vigil-med/vigil/internal/store"
)

// The manufacturer's pages: the advisory editor, its provider (key, subscriber tokens, publications)
// and its products (operator guidance, VEX and SBOM publication).

func (s *Server) exchangeRoutes(mux *http.ServeMux) {
	if s.Exchange == nil {
		return
	}
	mux.HandleFunc("GET /publish/advisories", s.page(domain.PermRead, s.exAdvisories))
	mux.HandleFunc("GET /publish/advisories/new", s.page(domain.PermPublish, s.exAdvisoryNew))
	mux.HandleFunc("POST /publish/advisories", s.page(domain.PermPublish, s.exAdvisorySave))
	mux.HandleFunc("GET /publish/advisories/{id}", s.page(domain.PermRead, s.exAdvisory))
	mux.HandleFunc("GET /publish/advisories/{id}/edit", s.page(domain.PermPublish, s.exAdvisoryEdit))
	mux.HandleFunc("POST /publish/advisories/{id}", s.page(domain.PermPublish, s.exAdvisorySave))
	mux.HandleFunc("POST /publish/advisories/{id}/publish", s.page(domain.PermPublish, s.exAdvisoryPublish))
	mux.HandleFunc("GET /publish/provider", s.page(domain.PermRead, s.exProvider))
	mux.HandleFunc("POST /publish/tokens", s.page(domain.PermPublish, s.exTokenCreate))
	mux.HandleFunc("POST /publish/tokens/{id}/revoke", s.page(domain.PermPublish, s.exTokenRevoke))
	mux.HandleFunc("GET /publish/products", s.page(domain.PermRead, s.exProducts))
	mux.HandleFunc("POST /publish/guidance", s.page(domain.PermPublish, s.exGuidanceSave))
	mux.HandleFunc("POST /publish/documents", s.page(domain.PermPublish, s.exDocumentPublish))
	s.exchangeReceiveRoutes(mux)
	s.exchangePublicRoutes(mux)
}

type exVersionChoice struct {
	ID    int64
	Label string
}

// exVersionChoices lists the organisation's product versions for pickers.
func exVersionChoices(c *Ctx) ([]exVersionChoice, error) {
	ps, err := c.Scope.Products(c.R.Context(), domain.ProductFilter{ListParams: domain.ListParams{Limit: domain.MaxPageSize, Sort: "name"}})
	if err != nil {
		return nil, err
	}
	var out []exVersionChoice
	for _, p := range ps.Items {
		vs, err := c.Scope.ProductVersions(c.R.Context(), p.ID)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			out = append(out, exVersionChoice{ID: v.ID, Label: p.Name + " " + v.Version})
		}
	}
	return out, nil
}

type exAdvisoriesView struct {
	Page      domain.Page[domain.ExchangeAdvisory]
	Q         string
	CanEdit   bool
	IsMaker   bool
	Provider  string
	Versions  map[int64]string
	Published int
}

func (s *Server) exAdvisories(c *Ctx) error {
	p := c.List()
	page, err := c.Scope.ExchangeAdvisories(c.R.Context(), p)
	if err != nil {
		return err
	}
	v := exAdvisoriesView{Page: page, Q: p.Q, CanEdit: c.P.Can(domain.PermPublish) && c.P.Org.Type == domain.OrgManufacturer,
		IsMaker: c.P.Org.Type == domain.OrgManufacturer, Provider: s.Exchange.MetadataURL(c.P.Org.Slug), Versions: map[int64]string{}}
	choices, err := exVersionChoices(c)
	if err != nil {
		return err
	}
	for _, ch := range choices {
		v.Versions[ch.ID] = ch.Label
	}
	return c.Render("exchange/advisories", "Advisories we publish", v)
}

type exEditView struct {
	A          domain.ExchangeAdvisory
	CVEs       string
	Versions   []exVersionChoice
	Errors     FieldErrors
	Categories []string
}

func (s *Server) exEditPage(c *Ctx, status int, a domain.ExchangeAdvisory, errs FieldErrors) error {
	vs, err := exVersionChoices(c)
	if err != nil {
		return err
	}
	if errs == nil {
		errs = FieldErrors{}
	}
	title := "New advisory"
	if a.ID != 0 {
		title = "Edit " + a.TrackingID
	}
	return c.RenderStatus(status, "exchange/advisory_edit", title, exEditView{A: a, CVEs: strings.Join(a.CVEs, " "), Versions: vs, Errors: errs,
		Categories: domain.RemediationCategories})
}

func (s *Server) exAdvisoryNew(c *Ctx) error {
	return s.exEditPage(c, http.StatusOK, domain.ExchangeAdvisory{TLP: "WHITE", RemediationCategory: "vendor_fix"}, nil)
}

func (s *Server) exAdvisoryEdit(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	a, err := c.Scope.ExchangeAdvisory(c.R.Context(), id)
	if err != nil {
		return err
	}
	return s.exEditPage(c, http.StatusOK, a, nil)
}

func formIDs(c *Ctx, name string) []int64 {
	var out []int64
	for _, v := range c.R.PostForm[name] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			out = append(out, id)
		}
	}
	return out
}

func (s *Server) exAdvisorySave(c *Ctx) error {
	if err := c.R.ParseForm(); err != nil {
		return err
	}
	a := domain.ExchangeAdvisory{TrackingID: c.Form("tracking_id"), Title: c.Form("title"), TLP: c.Form("tlp"), CVEs: []string{c.Form("cves")},
		CWE: c.Form("cwe"), CVSSVector: c.Form("cvss_vector"), Summary: c.Form("summary"), Details: c.Form("details"),
		RemediationCategory: c.Form("remediation_category"), Remediation: c.Form("remediation"), RemediationURL: c.Form("remediation_url"),
		Workaround: c.Form("workaround"), Affected: formIDs(c, "affected"), Fixed: formIDs(c, "fixed")}
	if c.R.PathValue("id") != "" {
		id, err := c.PathInt("id")
		if err != nil {
			return err
		}
		if _, err := c.Scope.ExchangeAdvisory(c.R.Context(), id); err != nil {
			return err
		}
		a.ID = id
	}
	if err := s.Exchange.SaveAdvisory(c.R.Context(), c.Scope, &a); err != nil {
		errs := FieldErrors{}
		if !errs.FromError(err) && domain.ErrorCode(err) != domain.EForbidden {
			return err
		}
		if domain.ErrorCode(err) == domain.EForbidden {
			return err
		}
		return s.exEditPage(c, http.StatusUnprocessableEntity, a, errs)
	}
	return c.Redirect("/publish/advisories/"+strconv.FormatInt(a.ID, 10), "ok", "Saved "+a.TrackingID+". Check the preview, then publish.")
}

type exAdvisoryView struct {
	A        domain.ExchangeAdvisory
	Versions map[int64]string
	Doc      string
	Problems []string
	Pubs     []domain.ExchangePublication
	CanEdit  bool
	DocURL   string
}

func (s *Server) exAdvisory(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	a, err := c.Scope.ExchangeAdvisory(c.R.Context(), id)
	if err != nil {
		return err
	}
	v := exAdvisoryView{A: a, Versions: map[int64]string{}, CanEdit: c.P.Can(domain.PermPublish) && c.P.Org.Type == domain.OrgManufacturer}
	choices, err := exVersionChoices(c)
	if err != nil {
		return err
	}
	for _, ch := range choices {
		v.Versions[ch.ID] = ch.Label
	}
	doc, probs, err := s.Exchange.Preview(c.R.Context(), c.Scope, id)
	if err != nil && domain.ErrorCode(err) != domain.EInvalid {
		return err
	} else if err != nil {
		probs = append(probs, domain.ErrorMessage(err))
	}
	v.Doc, v.Problems = string(doc), probs
	if v.Pubs, err = c.Scope.ExchangePublications(c.R.Context(), domain.PubCSAF, id, 0, false); err != nil {
		return err
	}
	if a.Revision > 0 && !a.Changed && len(v.Pubs) > 0 {
		full, err := c.Scope.ExchangePublication(c.R.Context(), v.Pubs[0].ID)
		if err != nil {
			return err
		}
		v.Doc = string(full.Data)
	}
	if len(v.Pubs) > 0 {
		v.DocURL = s.Exchange.ProviderBase(c.P.Org.Slug) + "/.well-known/csaf/" + strings.ToLower(a.TLP) + "/" +
			strconv.Itoa(a.InitialRelease.Year()) + "/" + v.Pubs[0].FileName
	}
	return c.Render("exchange/advisory", a.TrackingID, v)
}

func (s *Server) exAdvisoryPublish(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	p, err := s.Exchange.PublishAdvisory(c.R.Context(), c.Scope, id)
	if err != nil {
		if code := domain.ErrorCode(err); code == domain.EInvalid || code == domain.EConflict {
			return c.Redirect("/publish/advisories/"+strconv.FormatInt(id, 10), "error", domain.ErrorMessage(err))
		}
		return err
	}
	return c.Redirect("/publish/advisories/"+strconv.FormatInt(id, 10), "ok",
		"Published version "+strconv.Itoa(p.Version)+" (TLP:"+p.TLP+"), signed; subscribers receive it with their next sync.")
}

type exProviderView struct {
	MetadataURL string
	Fingerprint string
	PublicKey   string
	Tokens      []domain.SubscriberToken
	Pubs        []domain.ExchangePublication
	CanEdit     bool
	IsMaker     bool
	NewSecret   string
}

func (s *Server) exProvider(c *Ctx) error {
	pub, fp, err := exchange.PublicKey(c.R.Context(), c.Scope)
	if err != nil && domain.ErrorCode(err) != domain.ENotFound {
		return err
	}
	v := exProviderView{MetadataURL: s.Exchange.MetadataURL(c.P.Org.Slug), Fingerprint: fp, PublicKey: string(pub),
		CanEdit: c.P.Can(domain.PermPublish) && c.P.Org.Type == domain.OrgManufacturer, IsMaker: c.P.Org.Type == domain.OrgManufacturer}
	if v.Tokens, err = c.Scope.SubscriberTokens(c.R.Context()); err != nil {
		return err
	}
	if v.Pubs, err = c.Scope.ExchangePublications(c.R.Context(), "", 0, 0, false); err != nil {
		return err
	}
	return c.Render("exchange/provider", "Our CSAF provider", v)
}

func (s *Server) exTokenCreate(c *Ctx) error {
	t, secret, err := exchange.CreateSubscriberToken(c.R.Context(), c.Scope, c.Form("name"), c.Form("tlp_max"))
	if err != nil {
		if code := domain.ErrorCode(err); code == domain.EInvalid {
			return c.Redirect("/publish/provider", "error", domain.ErrorMessage(err))
		}
		return err
	}
	return c.Redirect("/publish/provider", "ok", "Token for "+t.Name+" (up to TLP:"+t.TLPMax+"): "+secret+" — give it to the subscriber now; it is not shown again.")
}

func (s *Server) exTokenRevoke(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.RevokeSubscriberToken(c.R.Context(), id) }); err != nil {
		return err
	}
	return c.Redirect("/publish/provider", "ok", "Token revoked.")
}

type exProductRow struct {
	ID       int64
	Label    string
	EOS      domain.Date
	Guidance []domain.Guidance
	Pubs     []domain.ExchangePublication
}

type exProductsView struct {
	Rows     []exProductRow
	Topics   []string
	CanEdit  bool
	Slug     string
	Products []domain.Product
}

func (s *Server) exProducts(c *Ctx) error {
	ctx := c.R.Context()
	v := exProductsView{Topics: domain.GuidanceTopics, CanEdit: c.P.Can(domain.PermPublish) && c.P.Org.Type == domain.OrgManufacturer, Slug: c.P.Org.Slug}
	ps, err := c.Scope.Products(ctx, domain.ProductFilter{ListParams: domain.ListParams{Limit: domain.MaxPageSize, Sort: "name"}})
	if err != nil {
		return err
	}
	v.Products = ps.Items
	for _, p := range ps.Items {
		vs, err := c.Scope.ProductVersions(ctx, p.ID)
		if err != nil {
			return err
		}
		for _, pv := range vs {
			row := exProductRow{ID: pv.ID, Label: p.Name + " " + pv.Version, EOS: pv.EndOfSupport}
			if row.EOS.IsZero() {
				row.EOS = p.EndOfSupport
			}
			if row.Guidance, err = c.Scope.Guidance(ctx, pv.ID); err != nil {
				return err
			}
			if row.Pubs, err = exchange.Publications(ctx, c.Scope, pv.ID); err != nil {
				return err
			}
			v.Rows = append(v.Rows, row)
		}
	}
	return c.Render("exchange/products", "Product security documents", v)
}

func (s *Server) exGuidanceSave(c *Ctx) error {
	id, _ := strconv.ParseInt(c.Form("product_version_id"), 10, 64)
	g := domain.Guidance{ProductVersionID: id, Topic: c.Form("topic"), Body: c.Form("body")}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.SaveGuidance(c.R.Context(), &g) }); err != nil {
		if domain.ErrorCode(err) == domain.EInvalid {
			return c.Redirect("/publish/products", "error", domain.ErrorMessage(err))
		}
		return err
	}
	return c.Redirect("/publish/products", "ok", "Guidance saved: it is on the public product page.")
}

func (s *Server) exDocumentPublish(c *Ctx) error {
	id, _ := strconv.ParseInt(c.Form("product_version_id"), 10, 64)
	p, err := s.Exchange.PublishVersionDocument(c.R.Context(), c.Scope, id, c.Form("kind"), c.Form("tlp"))
	if err != nil {
		if code := domain.ErrorCode(err); code == domain.EInvalid || code == domain.ENotFound || code == domain.EForbidden {
			return c.Redirect("/publish/products", "error", domain.ErrorMessage(err))
		}
		return err
	}
	return c.Redirect("/publish/products", "ok", "Published "+p.FileName+" version "+strconv.Itoa(p.Version)+".")
}
