package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/csaf/provider"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/exchange"
	"github.com/vigil-med/vigil/internal/store"
)

// The public product security pages of manufacturer organisations: what a customer needs about a
// product (support dates, documents, advisories, operator guidance), without signing in. Only TLP:WHITE
// material appears.

func (s *Server) exchangePublicRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /exchange/{org}/products", s.exPublicIndex)
	mux.HandleFunc("GET /exchange/{org}/products/{id}", s.exPublicProduct)
}

type exPublicDoc struct {
	Label   string
	URL     string
	Version int
	Date    string
	SHA256  string
}

type exPublicVersion struct {
	Version      string
	EndOfSupport domain.Date
	Supported    string // supported, ended, unknown
	Guidance     []domain.Guidance
	Documents    []exPublicDoc
}

type exPublicAdvisory struct {
	TrackingID string
	Title      string
	Severity   string
	CVEs       string
	Released   string
	Versions   []string
	Fixed      []string
	URL        string
	Remedy     string
}

type exPublicView struct {
	Org         domain.Organisation
	Product     domain.Product
	Products    []domain.Product
	Versions    []exPublicVersion
	Advisories  []exPublicAdvisory
	MetadataURL string
}

func (s *Server) exPublicOrg(w http.ResponseWriter, r *http.Request) (domain.Organisation, bool) {
	org, err := s.Store.OrgByRef(r.Context(), r.PathValue("org"))
	if err != nil || org.Type != domain.OrgManufacturer || strings.Trim(r.PathValue("org"), "0123456789") == "" {
		s.render(w, r, http.StatusNotFound, "error", View{Title: "Not found", Bare: true, Data: errorView{Status: http.StatusNotFound,
			Message: "There is no manufacturer's product security page here."}})
		return org, false
	}
	return org, true
}

func (s *Server) exPublicIndex(w http.ResponseWriter, r *http.Request) {
	org, ok := s.exPublicOrg(w, r)
	if !ok {
		return
	}
	ps, err := s.Store.Scope(org.ID).Products(r.Context(), domain.ProductFilter{ListParams: domain.ListParams{Limit: domain.MaxPageSize, Sort: "name"}})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "exchange/public", View{Title: org.Name + " product security", Bare: true,
		Data: exPublicView{Org: org, Products: ps.Items, MetadataURL: s.Exchange.MetadataURL(org.Slug)}})
}

func (s *Server) exPublicProduct(w http.ResponseWriter, r *http.Request) {
	org, ok := s.exPublicOrg(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	sc := s.Store.Scope(org.ID)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.renderError(w, r, domain.NotFound("product"))
		return
	}
	p, err := sc.Product(ctx, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v, err := s.exPublicData(ctx, sc, org, p)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "exchange/public", View{Title: p.Name + " · " + org.Name + " product security", Bare: true, Data: v})
}

func (s *Server) exPublicData(ctx ctxT, sc *store.Scope, org domain.Organisation, p domain.Product) (exPublicView, error) {
	v := exPublicView{Org: org, Product: p, MetadataURL: s.Exchange.MetadataURL(org.Slug)}
	today := domain.DateOf(s.Now().In(org.Location()))
	vs, err := sc.ProductVersions(ctx, p.ID)
	if err != nil {
		return v, err
	}
	names := map[int64]string{}
	for _, pv := range vs {
		names[pv.ID] = pv.Version
		ev := exPublicVersion{Version: pv.Version, EndOfSupport: pv.EndOfSupport}
		if ev.EndOfSupport.IsZero() {
			ev.EndOfSupport = p.EndOfSupport
		}
		switch {
		case ev.EndOfSupport.IsZero():
			ev.Supported = "unknown"
		case ev.EndOfSupport.Before(today):
			ev.Supported = "ended"
		default:
			ev.Supported = "supported"
		}
		if ev.Guidance, err = sc.Guidance(ctx, pv.ID); err != nil {
			return v, err
		}
		pubs, err := exchange.Publications(ctx, sc, pv.ID)
		if err != nil {
			return v, err
		}
		for _, pub := range pubs {
			if pub.TLP != "WHITE" {
				continue
			}
			label := map[string]string{domain.PubOpenVEX: "VEX (OpenVEX)", domain.PubCycloneDXVEX: "VEX (CycloneDX)", domain.PubSBOM: "SBOM (CycloneDX)"}[pub.Kind]
			ev.Documents = append(ev.Documents, exPublicDoc{Label: label, URL: s.Exchange.FileURL(org.Slug, pub), Version: pub.Version,
				Date: pub.Published.Format("2006-01-02"), SHA256: pub.SHA256})
		}
		v.Versions = append(v.Versions, ev)
	}
	advs, err := sc.ExchangeAdvisories(ctx, domain.ListParams{Limit: domain.MaxPageSize})
	if err != nil {
		return v, err
	}
	for _, a := range advs.Items {
		if a.Revision == 0 || a.TLP != "WHITE" {
			continue
		}
		pa := exPublicAdvisory{TrackingID: a.TrackingID, Title: a.Title, Severity: a.Severity, CVEs: strings.Join(a.CVEs, ", "),
			Released: a.CurrentRelease.Format("2006-01-02"), Remedy: a.Remediation,
			URL: s.Exchange.ProviderBase(org.Slug) + "/.well-known/csaf/white/" + strconv.Itoa(a.InitialRelease.Year()) + "/" + strings.ToLower(exFileName(a.TrackingID))}
		for _, id := range a.Affected {
			if n, ok := names[id]; ok {
				pa.Versions = append(pa.Versions, n)
			}
		}
		for _, id := range a.Fixed {
			if n, ok := names[id]; ok {
				pa.Fixed = append(pa.Fixed, n)
			}
		}
		if len(pa.Versions) > 0 {
			slices.Sort(pa.Versions)
			v.Advisories = append(v.Advisories, pa)
		}
	}
	return v, nil
}

type ctxT = context.Context

func exFileName(trackingID string) string { return provider.FileName(trackingID) }
