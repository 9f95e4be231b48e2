package api

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/disclosure"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/httpx"
	"github.com/vigil-med/vigil/internal/mds2"
	"github.com/vigil-med/vigil/internal/sbom"
	"github.com/vigil-med/vigil/internal/store"
)

// DisclosureRoutes registers manufacturers' disclosures: the documents received, the uploads of SBOM,
// MDS2, CSAF and VEX documents, components and "where is this component?", SBOM export and diff, MDS2
// forms (read, compare, export; drafts for manufacturers), CSAF advisories with their mapping to the
// inventory and the mapping queue, and VEX statements.
func (a *API) DisclosureRoutes() {
	a.discDocumentRoutes()
	a.discUploadRoutes()
	a.discSBOMRoutes()
	a.discMDS2Routes()
	a.discAdvisoryRoutes()
	a.discVEXRoutes()
}

func (a *API) discDocumentRoutes() {
	Handle(a, Op{Method: http.MethodGet, Path: "/disclosures/stats", ID: "disclosureStats", Tag: "disclosures", Perm: domain.PermRead,
		Summary: "Disclosure figures: documents by kind, SBOMs and components, MDS2 forms, advisories, the mapping queue, VEX statements"},
		func(c *Call, _ Empty) (store.DisclosureCounts, error) { return c.Scope.DisclosureCounts(c.Ctx()) })
	Handle(a, Op{Method: http.MethodGet, Path: "/disclosures/documents", ID: "listDisclosureDocuments", Tag: "disclosures", Perm: domain.PermRead,
		Summary: "The original documents received (SBOM, MDS2, CSAF, VEX), newest first",
		Params: append([]Param{{Name: "kind", In: "query", Enum: enumOf(domain.DisclosureKinds)}, {Name: "product_id", In: "query", Type: "integer"},
			{Name: "product_version_id", In: "query", Type: "integer"}}, ListParams...)},
		func(c *Call, _ Empty) (domain.Page[domain.DisclosureDocument], error) {
			p, err := c.List()
			if err != nil {
				return domain.Page[domain.DisclosureDocument]{}, err
			}
			f := domain.DocumentFilter{ListParams: p}
			if f.Kind, err = domain.ParseDisclosureKind(c.Query("kind")); err != nil {
				return domain.Page[domain.DisclosureDocument]{}, err
			}
			if f.ProductID, err = c.queryID("product_id"); err != nil {
				return domain.Page[domain.DisclosureDocument]{}, err
			}
			if f.ProductVersionID, err = c.queryID("product_version_id"); err != nil {
				return domain.Page[domain.DisclosureDocument]{}, err
			}
			return c.Scope.Documents(c.Ctx(), f)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/disclosures/documents/{id}", ID: "getDisclosureDocument", Tag: "disclosures", Perm: domain.PermRead,
		Summary: "One document's record: kind, format, file, SHA-256, size, source, when and by whom"},
		func(c *Call, _ Empty) (domain.DisclosureDocument, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return domain.DisclosureDocument{}, err
			}
			return c.Scope.Document(c.Ctx(), id)
		})
	HandleRaw(a, Op{Method: http.MethodGet, Path: "/disclosures/documents/{id}/content", ID: "downloadDisclosureDocument", Tag: "disclosures",
		Perm: domain.PermRead, Produces: "application/octet-stream", Summary: "The document's bytes as received (evidence)"},
		func(w http.ResponseWriter, c *Call) error {
			id, err := c.PathInt("id")
			if err != nil {
				return err
			}
			d, err := c.Scope.Document(c.Ctx(), id)
			if err != nil {
				return err
			}
			b, err := c.Scope.DocumentContent(c.Ctx(), id)
			if err != nil {
				return err
			}
			name := d.FileName
			if name == "" {
				name = fmt.Sprintf("document-%d", d.ID)
			}
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("Content-Disposition", attachmentName(name))
			w.Header().Set("X-Content-SHA256", d.SHA256)
			_, err = w.Write(b)
			return err
		})
}

// attachmentName is a Content-Disposition header for a download.
func attachmentName(name string) string {
	safe := strings.Map(func(r rune) rune {
		if r < 0x20 || r == '"' || r == '\\' || r > 0x7e {
			return '_'
		}
		return r
	}, name)
	return `attachment; filename="` + safe + `"`
}

// discImport runs an upload operation's import and answers with its report (422 with the report when
// the document was refused after it was read).
func discImport(w http.ResponseWriter, c *Call, run func(up Upload, src disclosure.Source) (*disclosure.Report, error)) error {
	up, err := c.Upload(disclosure.MaxDocumentSize)
	if err != nil {
		return err
	}
	rep, err := run(up, disclosure.Source{FileName: up.Name, Kind: "upload", Ref: "api upload by " + c.Principal.Actor.Name})
	if err != nil {
		if rep != nil && len(rep.Errors) > 0 && domain.ErrorCode(err) == domain.EInvalid {
			httpx.JSON(w, http.StatusUnprocessableEntity, rep)
			return nil
		}
		return err
	}
	httpx.JSON(w, http.StatusOK, rep)
	return nil
}

func (a *API) discUploadRoutes() {
	versionParams := []Param{
		{Name: "product_version_id", In: "query", Type: "integer", Description: "attach to this product version"},
		{Name: "manufacturer", In: "query", Description: "manufacturer (name or alias)"},
		{Name: "product", In: "query", Description: "product (model) name or model number; created when missing"},
		{Name: "version", In: "query", Description: "its firmware/software version; created when missing"},
		{Name: "filename", In: "query", Description: "name of a file sent as the raw body"},
	}
	HandleRaw(a, Op{Method: http.MethodPost, Path: "/import/sbom", ID: "importSBOM", Tag: "disclosures", Perm: domain.PermDisclosures, Upload: true,
		Response: disclosure.Report{}, Params: versionParams,
		Summary:     "Import the SBOM of a product version (CycloneDX 1.2–1.6 JSON/XML, SPDX 2.2/2.3 JSON/tag-value)",
		Description: "The version is product_version_id, or product and version (created when missing), or else the SBOM's own subject. Its components are replaced; the document is kept. One transaction."},
		func(w http.ResponseWriter, c *Call) error {
			o := disclosure.SBOMOptions{Manufacturer: c.Query("manufacturer"), Product: c.Query("product"), Version: c.Query("version")}
			var err error
			if o.ProductVersionID, err = c.queryID("product_version_id"); err != nil {
				return err
			}
			if o.ProductVersionID != 0 {
				if _, err := c.Scope.ProductVersion(c.Ctx(), o.ProductVersionID); err != nil {
					return err
				}
			}
			return discImport(w, c, func(up Upload, src disclosure.Source) (*disclosure.Report, error) {
				o.Source = src
				return disclosure.ImportSBOM(c.Ctx(), c.Scope, up.Data, o)
			})
		})
	HandleRaw(a, Op{Method: http.MethodPost, Path: "/import/mds2", ID: "importMDS2", Tag: "disclosures", Perm: domain.PermDisclosures, Upload: true,
		Response: disclosure.Report{}, Params: versionParams,
		Summary:     "Import an MDS2 form (2019 xlsx, Vigil JSON or Markdown)",
		Description: "Without a version, the form's DOC-1 and DOC-3 find the product (the manufacturer also by alias); when none matches, the product is created under the DOC-1 manufacturer. A 2013 or unknown form is refused with what was found."},
		func(w http.ResponseWriter, c *Call) error {
			o := disclosure.MDS2Options{Manufacturer: c.Query("manufacturer"), Product: c.Query("product"), Version: c.Query("version")}
			var err error
			if o.ProductVersionID, err = c.queryID("product_version_id"); err != nil {
				return err
			}
			if o.ProductVersionID != 0 {
				if _, err := c.Scope.ProductVersion(c.Ctx(), o.ProductVersionID); err != nil {
					return err
				}
			}
			return discImport(w, c, func(up Upload, src disclosure.Source) (*disclosure.Report, error) {
				o.Source = src
				return disclosure.ImportMDS2(c.Ctx(), c.Scope, up.Data, o)
			})
		})
	HandleRaw(a, Op{Method: http.MethodPost, Path: "/import/csaf", ID: "importCSAF", Tag: "disclosures", Perm: domain.PermDisclosures, Upload: true,
		Response: disclosure.Report{}, Params: []Param{{Name: "filename", In: "query", Description: "name of a file sent as the raw body"}},
		Summary:     "Import a CSAF 2.0 advisory and map it to the inventory",
		Description: "An invalid document is refused (422) with every problem and its JSON path in errors[].problems. A newer version of a stored advisory replaces it; an older one is kept as evidence only."},
		func(w http.ResponseWriter, c *Call) error {
			return discImport(w, c, func(up Upload, src disclosure.Source) (*disclosure.Report, error) {
				return disclosure.ImportCSAF(c.Ctx(), c.Scope, up.Data, src)
			})
		})
	HandleRaw(a, Op{Method: http.MethodPost, Path: "/import/vex", ID: "importVEX", Tag: "disclosures", Perm: domain.PermDisclosures, Upload: true,
		Response: disclosure.Report{}, Params: []Param{{Name: "source", In: "query", Enum: []string{domain.VEXManufacturer, domain.VEXHospital},
			Description: "who states it (default manufacturer)"}, {Name: "filename", In: "query", Description: "name of a file sent as the raw body"}},
		Summary: "Import VEX statements (OpenVEX, CycloneDX VEX, CSAF VEX), attached to the product versions they name"},
		func(w http.ResponseWriter, c *Call) error {
			return discImport(w, c, func(up Upload, src disclosure.Source) (*disclosure.Report, error) {
				return disclosure.ImportVEX(c.Ctx(), c.Scope, up.Data, disclosure.VEXOptions{Source: src, SourceKind: c.Query("source")})
			})
		})
}

func (a *API) discSBOMRoutes() {
	Handle(a, Op{Method: http.MethodGet, Path: "/components", ID: "listComponents", Tag: "disclosures", Perm: domain.PermRead,
		Summary: "Components of the SBOMs: of one version, or across the fleet by name, package URL or CPE",
		Params: append([]Param{{Name: "product_version_id", In: "query", Type: "integer"},
			{Name: "purl", In: "query", Description: "package URL; with a version, that version only"},
			{Name: "cpe", In: "query", Description: "CPE 2.3 or 2.2 name"}}, ListParams...),
		Description: "q searches names (a package URL or CPE typed into q is recognised), e.g. ?q=log4j-core or ?purl=pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1."},
		func(c *Call, _ Empty) (domain.Page[domain.Component], error) {
			p, err := c.List()
			if err != nil {
				return domain.Page[domain.Component]{}, err
			}
			f, err := disclosure.ComponentQuery(p.Q, c.Query("purl"), c.Query("cpe"))
			if err != nil {
				return domain.Page[domain.Component]{}, err
			}
			p.Q = f.Q
			f.ListParams = p
			if f.ProductVersionID, err = c.queryID("product_version_id"); err != nil {
				return domain.Page[domain.Component]{}, err
			}
			return c.Scope.Components(c.Ctx(), f)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/components/where-is", ID: "whereIsComponent", Tag: "disclosures", Perm: domain.PermRead,
		Summary: "Where is this component? The product versions whose SBOM has it, with their installed devices",
		Params:  []Param{{Name: "q", In: "query", Description: "component name (or part of it)"}, {Name: "purl", In: "query"}, {Name: "cpe", In: "query"}}},
		func(c *Call, _ Empty) (domain.WhereIs, error) {
			return disclosure.WhereIs(c.Ctx(), c.Scope, c.Query("q"), c.Query("purl"), c.Query("cpe"))
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/disclosures/sboms", ID: "listSBOMs", Tag: "disclosures", Perm: domain.PermRead,
		Summary: "The SBOMs of the product versions", Params: []Param{{Name: "product_id", In: "query", Type: "integer"}}},
		func(c *Call, _ Empty) ([]domain.SBOMInfo, error) {
			pid, err := c.queryID("product_id")
			if err != nil {
				return nil, err
			}
			return c.Scope.SBOMs(c.Ctx(), pid)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/disclosures/sboms/{id}", ID: "getSBOM", Tag: "disclosures", Perm: domain.PermRead,
		Summary: "One SBOM: format, subject, tools, component count, the version it describes"},
		func(c *Call, _ Empty) (domain.SBOMInfo, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return domain.SBOMInfo{}, err
			}
			return c.Scope.SBOMByID(c.Ctx(), id)
		})
	HandleRaw(a, Op{Method: http.MethodGet, Path: "/disclosures/sboms/{id}/export", ID: "exportSBOM", Tag: "disclosures", Perm: domain.PermRead,
		Produces: "application/vnd.cyclonedx+json", Params: []Param{{Name: "format", In: "query", Enum: []string{"json", "xml"}}},
		Summary: "The SBOM of a product version as a CycloneDX 1.6 BOM (JSON, or XML)"},
		func(w http.ResponseWriter, c *Call) error {
			id, err := c.PathInt("id")
			if err != nil {
				return err
			}
			s, err := c.Scope.SBOMByID(c.Ctx(), id)
			if err != nil {
				return err
			}
			format, ct, ext := sbom.CycloneDXJSON, "application/vnd.cyclonedx+json", ".cdx.json"
			switch c.Query("format") {
			case "", "json":
			case "xml":
				format, ct, ext = sbom.CycloneDXXML, "application/vnd.cyclonedx+xml", ".cdx.xml"
			default:
				return domain.Invalid("format", "json or xml")
			}
			var buf bytes.Buffer
			if err := disclosure.ExportSBOM(c.Ctx(), c.Scope, &buf, s.ProductVersionID, format); err != nil {
				return err
			}
			w.Header().Set("Content-Type", ct)
			w.Header().Set("Content-Disposition", attachmentName(discFileName(s.Product+"-"+s.Version)+ext))
			_, err = w.Write(buf.Bytes())
			return err
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/disclosures/sboms/{id}/diff", ID: "diffSBOM", Tag: "disclosures", Perm: domain.PermRead,
		Params:  []Param{{Name: "against", In: "query", Type: "integer", Description: "the SBOM to compare with; default: the previous version of the same product that has one"}},
		Summary: "What changed between two SBOMs: components added, removed and changed in version"},
		func(c *Call, _ Empty) (disclosure.SBOMDiff, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return disclosure.SBOMDiff{}, err
			}
			to, err := c.Scope.SBOMByID(c.Ctx(), id)
			if err != nil {
				return disclosure.SBOMDiff{}, err
			}
			against, err := c.queryID("against")
			if err != nil {
				return disclosure.SBOMDiff{}, err
			}
			from := to.ProductVersionID
			if against != 0 {
				s, err := c.Scope.SBOMByID(c.Ctx(), against)
				if err != nil {
					return disclosure.SBOMDiff{}, err
				}
				from = s.ProductVersionID
			} else if pv, err := c.Scope.ProductVersion(c.Ctx(), to.ProductVersionID); err == nil {
				if prev, err := disclosure.PreviousSBOMVersion(c.Ctx(), c.Scope, pv); err == nil && prev != 0 {
					from = prev
				}
			}
			return disclosure.DiffSBOMs(c.Ctx(), c.Scope, from, to.ProductVersionID)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/inventory/versions/{id}/disclosures", ID: "getVersionDisclosures", Tag: "disclosures", Perm: domain.PermRead,
		Summary: "Everything disclosed about a product version: SBOM, MDS2 form with key facts, advisories that cover it, VEX statements, documents"},
		func(c *Call, _ Empty) (disclosure.VersionDisclosures, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return disclosure.VersionDisclosures{}, err
			}
			return disclosure.ForVersion(c.Ctx(), c.Scope, id)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/inventory/assets/{id}/disclosures", ID: "getAssetDisclosures", Tag: "disclosures", Perm: domain.PermRead,
		Summary: "The disclosures a device inherits from its product version"},
		func(c *Call, _ Empty) (disclosure.VersionDisclosures, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return disclosure.VersionDisclosures{}, err
			}
			asset, err := c.Scope.Asset(c.Ctx(), id)
			if err != nil {
				return disclosure.VersionDisclosures{}, err
			}
			return disclosure.ForVersion(c.Ctx(), c.Scope, asset.ProductVersionID)
		})
}

// discFileName makes a file name of a title.
func discFileName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.':
			return r
		}
		return '-'
	}, s)
	return strings.Trim(s, "-")
}

// MDS2Detail is a form with its derived facts.
type MDS2Detail struct {
	Form  domain.MDS2Form   `json:"form"`
	Facts []disclosure.Fact `json:"facts"`
}

func (a *API) discMDS2Routes() {
	Handle(a, Op{Method: http.MethodGet, Path: "/disclosures/mds2", ID: "listMDS2Forms", Tag: "disclosures", Perm: domain.PermRead,
		Summary: "MDS2 forms (imported and drafts), newest first",
		Params: append([]Param{{Name: "status", In: "query", Enum: []string{domain.MDS2Imported, domain.MDS2Draft}},
			{Name: "product_version_id", In: "query", Type: "integer"}}, ListParams...)},
		func(c *Call, _ Empty) (domain.Page[domain.MDS2Form], error) {
			p, err := c.List()
			if err != nil {
				return domain.Page[domain.MDS2Form]{}, err
			}
			f := domain.MDS2Filter{ListParams: p, Status: c.Query("status")}
			if f.Status != "" && f.Status != domain.MDS2Imported && f.Status != domain.MDS2Draft {
				return domain.Page[domain.MDS2Form]{}, domain.Invalid("status", "imported or draft")
			}
			if f.ProductVersionID, err = c.queryID("product_version_id"); err != nil {
				return domain.Page[domain.MDS2Form]{}, err
			}
			return c.Scope.MDS2Forms(c.Ctx(), f)
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/disclosures/mds2", ID: "createMDS2Draft", Tag: "disclosures", Perm: domain.PermDisclosures,
		Status: http.StatusCreated, Summary: "Start an MDS2 draft (blank or a copy of another form) for a manufacturer to fill in"},
		func(c *Call, in disclosure.DraftInput) (domain.MDS2Form, error) {
			if in.FromFormID != 0 {
				if _, err := c.Scope.MDS2Form(c.Ctx(), in.FromFormID); err != nil {
					return domain.MDS2Form{}, domain.Invalid("from_form_id", "there is no MDS2 form with id %d", in.FromFormID)
				}
			}
			f, err := disclosure.NewDraft(c.Ctx(), c.Scope, in)
			if err != nil {
				return f, err
			}
			return c.Scope.MDS2Form(c.Ctx(), f.ID)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/disclosures/mds2/{id}", ID: "getMDS2Form", Tag: "disclosures", Perm: domain.PermRead,
		Summary: "One MDS2 form with every answer and note by question id, and its derived facts"},
		func(c *Call, _ Empty) (MDS2Detail, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return MDS2Detail{}, err
			}
			f, err := c.Scope.MDS2Form(c.Ctx(), id)
			if err != nil {
				return MDS2Detail{}, err
			}
			return MDS2Detail{Form: f, Facts: disclosure.FactsOf(f)}, nil
		})
	Handle(a, Op{Method: http.MethodPut, Path: "/disclosures/mds2/{id}", ID: "updateMDS2Draft", Tag: "disclosures", Perm: domain.PermDisclosures,
		Summary:     "Change answers, notes and OTHR text of a draft (only what is sent changes)",
		Description: "Answers are texts as on the form (Yes, No, N/A, \"Yes, LDAP\", See Note 3); they are normalised. Imported forms cannot be changed (409)."},
		func(c *Call, in disclosure.DraftEdit) (domain.MDS2Form, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return domain.MDS2Form{}, err
			}
			if _, err := c.Scope.MDS2Form(c.Ctx(), id); err != nil {
				return domain.MDS2Form{}, err
			}
			if in.ProductVersionID != nil && *in.ProductVersionID != 0 {
				if _, err := c.Scope.ProductVersion(c.Ctx(), *in.ProductVersionID); err != nil {
					return domain.MDS2Form{}, domain.Invalid("product_version_id", "there is no product version with id %d", *in.ProductVersionID)
				}
			}
			return disclosure.SaveDraft(c.Ctx(), c.Scope, id, in)
		})
	Handle(a, Op{Method: http.MethodDelete, Path: "/disclosures/mds2/{id}", ID: "deleteMDS2Form", Tag: "disclosures", Perm: domain.PermDisclosures,
		Summary: "Delete a form (its document stays as evidence)"},
		func(c *Call, _ Empty) (Empty, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return Empty{}, err
			}
			return Empty{}, c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.DeleteMDS2Form(c.Ctx(), id) })
		})
	HandleRaw(a, Op{Method: http.MethodGet, Path: "/disclosures/mds2/{id}/export", ID: "exportMDS2Form", Tag: "disclosures", Perm: domain.PermRead,
		Produces: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Params: []Param{{Name: "format", In: "query", Enum: []string{"xlsx", "json"}}},
		Summary: "A form as the 2019 MDS2 workbook (xlsx) or as JSON"},
		func(w http.ResponseWriter, c *Call) error {
			id, err := c.PathInt("id")
			if err != nil {
				return err
			}
			f, err := c.Scope.MDS2Form(c.Ctx(), id)
			if err != nil {
				return err
			}
			format := c.Query("format")
			ct, ext := "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"
			if format == "json" {
				ct, ext = "application/json", ".json"
			}
			var buf bytes.Buffer
			if err := disclosure.ExportMDS2(c.Ctx(), c.Scope, &buf, id, format); err != nil {
				return err
			}
			w.Header().Set("Content-Type", ct)
			w.Header().Set("Content-Disposition", attachmentName("MDS2-"+discFileName(f.Title())+ext))
			_, err = w.Write(buf.Bytes())
			return err
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/disclosures/mds2/{id}/compare", ID: "compareMDS2Forms", Tag: "disclosures", Perm: domain.PermRead,
		Params:  []Param{{Name: "with", In: "query", Description: "ids of the other forms, comma-separated (up to five)"}},
		Summary: "A form side by side with others, question by question, with the differing rows flagged"},
		func(c *Call, _ Empty) (mds2.Comparison, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return mds2.Comparison{}, err
			}
			if _, err := c.Scope.MDS2Form(c.Ctx(), id); err != nil {
				return mds2.Comparison{}, err
			}
			ids := []int64{id}
			for _, s := range strings.Split(c.Query("with"), ",") {
				if s = strings.TrimSpace(s); s == "" {
					continue
				}
				n, err := strconv.ParseInt(s, 10, 64)
				if err != nil || n <= 0 {
					return mds2.Comparison{}, domain.Invalid("with", "%q is not a form id", s)
				}
				ids = append(ids, n)
			}
			if len(ids) == 1 {
				f, _ := c.Scope.MDS2Form(c.Ctx(), id)
				return mds2.Compare(disclosure.FormOf(f)), nil
			}
			cmp, _, err := disclosure.CompareMDS2(c.Ctx(), c.Scope, ids)
			return cmp, err
		})
}

// AdvisoryDetail is an advisory with its products (and their mapping) and vulnerabilities.
type AdvisoryDetail struct {
	Advisory        domain.Advisory                `json:"advisory"`
	Products        []domain.AdvisoryProduct       `json:"products"`
	Vulnerabilities []domain.AdvisoryVulnerability `json:"vulnerabilities"`
}

// IgnoreInput asks to ignore an advisory product.
type IgnoreInput struct {
	AllOfVendor bool `json:"all_of_vendor,omitempty" doc:"ignore every product of this vendor, in this and later advisories"`
}

func (a *API) discAdvisoryRoutes() {
	Handle(a, Op{Method: http.MethodGet, Path: "/disclosures/advisories", ID: "listAdvisories", Tag: "disclosures", Perm: domain.PermRead,
		Summary: "CSAF advisories (the latest version of each), newest release first, with their mapping figures",
		Params: append([]Param{{Name: "product_id", In: "query", Type: "integer"}, {Name: "product_version_id", In: "query", Type: "integer"},
			{Name: "unmapped", In: "query", Type: "boolean", Description: "only advisories with products in the mapping queue"}}, ListParams...)},
		func(c *Call, _ Empty) (domain.Page[domain.Advisory], error) {
			p, err := c.List()
			if err != nil {
				return domain.Page[domain.Advisory]{}, err
			}
			f := domain.AdvisoryFilter{ListParams: p}
			if f.ProductID, err = c.queryID("product_id"); err != nil {
				return domain.Page[domain.Advisory]{}, err
			}
			if f.ProductVersionID, err = c.queryID("product_version_id"); err != nil {
				return domain.Page[domain.Advisory]{}, err
			}
			if f.Unmapped, err = c.QueryBool("unmapped"); err != nil {
				return domain.Page[domain.Advisory]{}, err
			}
			return c.Scope.Advisories(c.Ctx(), f)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/disclosures/advisories/{id}", ID: "getAdvisory", Tag: "disclosures", Perm: domain.PermRead,
		Summary: "One advisory: its products with their mapping and covered versions, its vulnerabilities with CVSS, product status and remediations"},
		func(c *Call, _ Empty) (AdvisoryDetail, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return AdvisoryDetail{}, err
			}
			adv, err := c.Scope.Advisory(c.Ctx(), id)
			if err != nil {
				return AdvisoryDetail{}, err
			}
			ps, err := c.Scope.AdvisoryProducts(c.Ctx(), domain.AdvisoryProductFilter{AdvisoryID: id, ListParams: domain.ListParams{Limit: domain.MaxPageSize}})
			if err != nil {
				return AdvisoryDetail{}, err
			}
			vs, err := c.Scope.AdvisoryVulnerabilities(c.Ctx(), id)
			return AdvisoryDetail{Advisory: adv, Products: ps.Items, Vulnerabilities: vs}, err
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/disclosures/advisory-products", ID: "listAdvisoryProducts", Tag: "disclosures", Perm: domain.PermRead,
		Summary:     "Products of the advisories with their mapping; state=unmapped is the mapping queue",
		Description: "Each unmapped product says why (note) and which inventory products it may be (suggestions, best first).",
		Params: append([]Param{{Name: "state", In: "query", Enum: []string{domain.MappingMapped, domain.MappingUnmapped, domain.MappingIgnored}},
			{Name: "advisory_id", In: "query", Type: "integer"}, {Name: "product_id", In: "query", Type: "integer"}}, ListParams...)},
		func(c *Call, _ Empty) (domain.Page[domain.AdvisoryProduct], error) {
			p, err := c.List()
			if err != nil {
				return domain.Page[domain.AdvisoryProduct]{}, err
			}
			f := domain.AdvisoryProductFilter{ListParams: p, State: c.Query("state")}
			switch f.State {
			case "", domain.MappingMapped, domain.MappingUnmapped, domain.MappingIgnored:
			default:
				return domain.Page[domain.AdvisoryProduct]{}, domain.Invalid("state", "mapped, unmapped or ignored")
			}
			if f.AdvisoryID, err = c.queryID("advisory_id"); err != nil {
				return domain.Page[domain.AdvisoryProduct]{}, err
			}
			if f.ProductID, err = c.queryID("product_id"); err != nil {
				return domain.Page[domain.AdvisoryProduct]{}, err
			}
			return c.Scope.AdvisoryProducts(c.Ctx(), f)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/disclosures/advisory-products/{id}", ID: "getAdvisoryProduct", Tag: "disclosures", Perm: domain.PermRead,
		Summary: "One advisory product with its mapping"},
		func(c *Call, _ Empty) (domain.AdvisoryProduct, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return domain.AdvisoryProduct{}, err
			}
			return c.Scope.AdvisoryProduct(c.Ctx(), id)
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/disclosures/advisory-products/{id}/map", ID: "mapAdvisoryProduct", Tag: "disclosures", Perm: domain.PermDisclosures,
		Summary:     "Map an advisory product to an inventory product (remembered for its vendor and name, applied to every advisory)",
		Description: "version_range, when given, replaces the advisory's own version text (needed when it cannot be read)."},
		func(c *Call, in disclosure.MapInput) (disclosure.MappingResult, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return disclosure.MappingResult{}, err
			}
			return disclosure.MapAdvisoryProduct(c.Ctx(), c.Scope, id, in)
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/disclosures/advisory-products/{id}/ignore", ID: "ignoreAdvisoryProduct", Tag: "disclosures", Perm: domain.PermDisclosures,
		Summary: "Record that an advisory product is not in the inventory (remembered and applied to every advisory)"},
		func(c *Call, in IgnoreInput) (disclosure.MappingResult, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return disclosure.MappingResult{}, err
			}
			return disclosure.IgnoreAdvisoryProduct(c.Ctx(), c.Scope, id, in.AllOfVendor)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/disclosures/mapping-rules", ID: "listMappingRules", Tag: "disclosures", Perm: domain.PermRead,
		Summary: "The remembered mapping decisions (vendor and product name → product, or ignore)"},
		func(c *Call, _ Empty) ([]domain.MappingRule, error) { return c.Scope.MappingRules(c.Ctx()) })
	Handle(a, Op{Method: http.MethodDelete, Path: "/disclosures/mapping-rules/{id}", ID: "deleteMappingRule", Tag: "disclosures", Perm: domain.PermDisclosures,
		Summary: "Forget a mapping decision and map the advisories it concerned again"},
		func(c *Call, _ Empty) (Empty, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return Empty{}, err
			}
			_, err = disclosure.DeleteMappingRule(c.Ctx(), c.Scope, id)
			return Empty{}, err
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/disclosures/remap", ID: "remapAdvisories", Tag: "disclosures", Perm: domain.PermDisclosures,
		Summary: "Apply the mapping of every advisory and VEX statement again (after the inventory changed)"},
		func(c *Call, _ Empty) (disclosure.MappingResult, error) { return disclosure.Remap(c.Ctx(), c.Scope) })
}

func (a *API) discVEXRoutes() {
	Handle(a, Op{Method: http.MethodGet, Path: "/disclosures/vex", ID: "listVEXStatements", Tag: "disclosures", Perm: domain.PermRead,
		Summary: "VEX statements of every source, by vulnerability",
		Params: append([]Param{{Name: "product_version_id", In: "query", Type: "integer"}, {Name: "vulnerability", In: "query"},
			{Name: "document_id", In: "query", Type: "integer"}, {Name: "advisory_id", In: "query", Type: "integer"},
			{Name: "source", In: "query", Enum: []string{domain.VEXManufacturer, domain.VEXHospital}},
			{Name: "unattached", In: "query", Type: "boolean", Description: "only statements whose product matched no version"}}, ListParams...)},
		func(c *Call, _ Empty) (domain.Page[domain.VEXStatement], error) {
			p, err := c.List()
			if err != nil {
				return domain.Page[domain.VEXStatement]{}, err
			}
			f := domain.VEXFilter{ListParams: p, Vulnerability: c.Query("vulnerability"), SourceKind: c.Query("source")}
			for name, dst := range map[string]*int64{"product_version_id": &f.ProductVersionID, "document_id": &f.DocumentID, "advisory_id": &f.AdvisoryID} {
				if *dst, err = c.queryID(name); err != nil {
					return domain.Page[domain.VEXStatement]{}, err
				}
			}
			if f.Unattached, err = c.QueryBool("unattached"); err != nil {
				return domain.Page[domain.VEXStatement]{}, err
			}
			return c.Scope.VEXStatements(c.Ctx(), f)
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/disclosures/vex", ID: "createVEXStatement", Tag: "disclosures", Perm: domain.PermDisclosures, Status: http.StatusCreated,
		Summary: "Record a statement of the hospital's own (or a manufacturer's from a letter) about a product version"},
		func(c *Call, in domain.VEXStatement) (domain.VEXStatement, error) {
			s := domain.VEXStatement{Vulnerability: in.Vulnerability, ProductVersionID: in.ProductVersionID, Status: in.Status,
				Justification: in.Justification, Impact: in.Impact, Action: in.Action, SourceKind: in.SourceKind, Source: in.Source,
				ComponentName: in.ComponentName, ComponentVersion: in.ComponentVersion, ComponentPURL: in.ComponentPURL, Stated: in.Stated}
			if s.SourceKind == "" {
				s.SourceKind = domain.VEXHospital
			}
			if err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.AddVEXStatement(c.Ctx(), &s) }); err != nil {
				return s, err
			}
			return c.Scope.VEXStatement(c.Ctx(), s.ID)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/disclosures/vex/{id}", ID: "getVEXStatement", Tag: "disclosures", Perm: domain.PermRead,
		Summary: "One VEX statement"},
		func(c *Call, _ Empty) (domain.VEXStatement, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return domain.VEXStatement{}, err
			}
			return c.Scope.VEXStatement(c.Ctx(), id)
		})
	Handle(a, Op{Method: http.MethodDelete, Path: "/disclosures/vex/{id}", ID: "deleteVEXStatement", Tag: "disclosures", Perm: domain.PermDisclosures,
		Summary: "Withdraw a statement recorded in Vigil (statements of documents are replaced by newer documents)"},
		func(c *Call, _ Empty) (Empty, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return Empty{}, err
			}
			return Empty{}, c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.DeleteVEXStatement(c.Ctx(), id) })
		})
}
