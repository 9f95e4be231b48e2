package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"

	"github.com/vigil-med/vigil/internal/disclosure"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// The Disclosures section: an overview, the documents received, uploads, SBOMs and "where is this
// component?", MDS2 forms (view, compare, edit drafts), CSAF advisories and the mapping queue, VEX
// statements. The version and device pages of the inventory show the disclosures card of the version.

func (s *Server) disclosureRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /disclosures", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/disclosures/overview", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /disclosures/overview", s.page(domain.PermRead, s.discOverview))
	mux.HandleFunc("GET /disclosures/documents", s.page(domain.PermRead, s.discDocuments))
	mux.HandleFunc("GET /disclosures/documents/{id}/download", s.page(domain.PermRead, s.discDownload))
	mux.HandleFunc("GET /import/disclosures", s.page(domain.PermDisclosures, s.discUploadForm))
	for _, kind := range domain.DisclosureKinds {
		mux.HandleFunc("POST /import/"+string(kind), s.page(domain.PermDisclosures, s.discUpload(kind)))
	}
	s.discSBOMRoutes(mux)
	s.discMDS2Routes(mux)
	s.discAdvisoryRoutes(mux)
}

type discOverviewView struct {
	Counts     store.DisclosureCounts
	Documents  []domain.DisclosureDocument
	Advisories []domain.Advisory
}

func (s *Server) discOverview(c *Ctx) error {
	ctx := c.R.Context()
	var v discOverviewView
	var err error
	if v.Counts, err = c.Scope.DisclosureCounts(ctx); err != nil {
		return err
	}
	docs, err := c.Scope.Documents(ctx, domain.DocumentFilter{ListParams: domain.ListParams{Limit: 10}})
	if err != nil {
		return err
	}
	adv, err := c.Scope.Advisories(ctx, domain.AdvisoryFilter{ListParams: domain.ListParams{Limit: 8, Sort: "-devices"}})
	if err != nil {
		return err
	}
	v.Documents, v.Advisories = docs.Items, adv.Items
	return c.Render("disclosures/overview", "Disclosures", v)
}

type discDocumentsView struct {
	Page     domain.Page[domain.DisclosureDocument]
	Filter   domain.DocumentFilter
	Products []domain.Product
}

func (s *Server) discDocuments(c *Ctx) error {
	q := c.R.URL.Query()
	f := domain.DocumentFilter{ListParams: c.List(), ProductID: queryID(q, "product_id"), ProductVersionID: queryID(q, "product_version_id")}
	var err error
	if f.Kind, err = domain.ParseDisclosureKind(q.Get("kind")); err != nil {
		f.Kind = ""
	}
	v := discDocumentsView{Filter: f}
	if v.Page, err = c.Scope.Documents(c.R.Context(), f); err != nil {
		return err
	}
	ps, err := c.Scope.Products(c.R.Context(), domain.ProductFilter{ListParams: domain.ListParams{Limit: domain.MaxPageSize}})
	if err != nil {
		return err
	}
	v.Products = ps.Items
	return c.Render("disclosures/documents", "Disclosure documents", v)
}

func (s *Server) discDownload(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	d, err := c.Scope.Document(c.R.Context(), id)
	if err != nil {
		return err
	}
	b, err := c.Scope.DocumentContent(c.R.Context(), id)
	if err != nil {
		return err
	}
	name := d.FileName
	if name == "" {
		name = fmt.Sprintf("document-%d", d.ID)
	}
	discAttachment(c.W, name, "application/octet-stream")
	_, err = c.W.Write(b)
	return err
}

// discAttachment sets the headers of a download.
func discAttachment(w http.ResponseWriter, name, contentType string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(filepath.Base(name)))
	w.Header().Set("Cache-Control", "no-store")
}

type discUploadView struct {
	Kind     domain.DisclosureKind // the form that failed, for its message
	Error    string
	Report   *disclosure.Report
	Versions []domain.ProductVersion
	Version  int64 // preselected product version
	Limit    int64
}

func (s *Server) discUploadForm(c *Ctx) error {
	return s.renderDiscUpload(c, http.StatusOK, discUploadView{Version: queryID(c.R.URL.Query(), "product_version_id")})
}

func (s *Server) renderDiscUpload(c *Ctx, status int, v discUploadView) error {
	v.Limit = disclosure.MaxDocumentSize >> 20
	vs, err := discAllVersions(c)
	if err != nil {
		return err
	}
	v.Versions = vs
	title := "Upload disclosures"
	if v.Report != nil {
		title = "Import result"
	}
	return c.RenderStatus(status, "disclosures/upload", title, v)
}

// discAllVersions lists every product version of the organisation for choosers (by manufacturer and
// product).
func discAllVersions(c *Ctx) ([]domain.ProductVersion, error) {
	ctx := c.R.Context()
	ps, err := c.Scope.Products(ctx, domain.ProductFilter{ListParams: domain.ListParams{Limit: domain.MaxPageSize}})
	if err != nil {
		return nil, err
	}
	var out []domain.ProductVersion
	for _, p := range ps.Items {
		vs, err := c.Scope.ProductVersions(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, vs...)
	}
	return out, nil
}

// discUpload handles the upload form of one kind: it imports the file and shows the report, or the
// form again with the error (413 too large, 422 refused).
func (s *Server) discUpload(kind domain.DisclosureKind) func(c *Ctx) error {
	return func(c *Ctx) error {
		fail := func(status int, msg string) error {
			return s.renderDiscUpload(c, status, discUploadView{Kind: kind, Error: msg})
		}
		f, hdr, err := c.R.FormFile("file")
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return fail(http.StatusRequestEntityTooLarge, fmt.Sprintf("The file is larger than the upload limit of %d MiB.", mbe.Limit>>20))
			}
			return fail(http.StatusUnprocessableEntity, "Choose a file to upload.")
		}
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, disclosure.MaxDocumentSize+1))
		if err != nil {
			return fail(http.StatusUnprocessableEntity, "The upload could not be read: "+err.Error())
		}
		name := filepath.Base(hdr.Filename)
		if int64(len(data)) > disclosure.MaxDocumentSize {
			return fail(http.StatusRequestEntityTooLarge, fmt.Sprintf("%s is larger than the limit of %d MiB.", name, disclosure.MaxDocumentSize>>20))
		}
		if len(data) == 0 {
			return fail(http.StatusUnprocessableEntity, name+" is empty.")
		}
		ctx := c.R.Context()
		src := disclosure.Source{FileName: name, Kind: "upload", MediaType: hdr.Header.Get("Content-Type"), Ref: "web upload by " + c.P.Actor.Name}
		pv, _ := strconv.ParseInt(c.Form("product_version_id"), 10, 64)
		if pv != 0 {
			if _, err := c.Scope.ProductVersion(ctx, pv); err != nil {
				return fail(http.StatusUnprocessableEntity, "Choose a product version of the list.")
			}
		}
		var rep *disclosure.Report
		switch kind {
		case domain.DisclosureSBOM:
			rep, err = disclosure.ImportSBOM(ctx, c.Scope, data, disclosure.SBOMOptions{Source: src, ProductVersionID: pv,
				Manufacturer: c.Form("manufacturer"), Product: c.Form("product"), Version: c.Form("version")})
		case domain.DisclosureMDS2:
			rep, err = disclosure.ImportMDS2(ctx, c.Scope, data, disclosure.MDS2Options{Source: src, ProductVersionID: pv,
				Manufacturer: c.Form("manufacturer"), Product: c.Form("product"), Version: c.Form("version")})
		case domain.DisclosureCSAF:
			rep, err = disclosure.ImportCSAF(ctx, c.Scope, data, src)
		case domain.DisclosureVEX:
			rep, err = disclosure.ImportVEX(ctx, c.Scope, data, disclosure.VEXOptions{Source: src, SourceKind: c.Form("source")})
		}
		if err != nil {
			code := domain.ErrorCode(err)
			if code != domain.EInvalid && code != domain.ETooLarge && code != domain.EConflict {
				return err
			}
			status := http.StatusUnprocessableEntity
			if code == domain.ETooLarge {
				status = http.StatusRequestEntityTooLarge
			}
			v := discUploadView{Kind: kind, Error: discMessage(err)}
			if rep != nil && len(rep.Errors) > 0 {
				v.Report = rep
			}
			return s.renderDiscUpload(c, status, v)
		}
		return s.renderDiscUpload(c, http.StatusOK, discUploadView{Kind: kind, Report: rep})
	}
}

// discMessage is the message of a user error without the field in front (the form names the file).
func discMessage(err error) string {
	var de *domain.Error
	if errors.As(err, &de) && de.Code != domain.EInternal {
		return de.Message
	}
	return domain.ErrorMessage(err)
}
