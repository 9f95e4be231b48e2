package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/disclosure"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/inventory"
	"github.com/vigil-med/vigil/internal/store"
)

func (s *Server) catalogueRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /inventory/products", s.page(domain.PermRead, s.products))
	mux.HandleFunc("GET /inventory/products/new", s.page(domain.PermInventory, s.productNew))
	mux.HandleFunc("POST /inventory/products", s.page(domain.PermInventory, s.productCreate))
	mux.HandleFunc("GET /inventory/products/{id}", s.page(domain.PermRead, s.product))
	mux.HandleFunc("GET /inventory/products/{id}/edit", s.page(domain.PermInventory, s.productEdit))
	mux.HandleFunc("POST /inventory/products/{id}", s.page(domain.PermInventory, s.productUpdate))
	mux.HandleFunc("POST /inventory/products/{id}/delete", s.page(domain.PermInventory, s.productDelete))
	mux.HandleFunc("POST /inventory/products/{id}/versions", s.page(domain.PermInventory, s.versionCreate))
	mux.HandleFunc("GET /inventory/versions/{id}", s.page(domain.PermRead, s.version))
	mux.HandleFunc("POST /inventory/versions/{id}", s.page(domain.PermInventory, s.versionUpdate))
	mux.HandleFunc("POST /inventory/versions/{id}/delete", s.page(domain.PermInventory, s.versionDelete))
	mux.HandleFunc("GET /inventory/manufacturers", s.page(domain.PermRead, s.manufacturers))
	mux.HandleFunc("POST /inventory/manufacturers", s.page(domain.PermInventory, s.manufacturerCreate))
	mux.HandleFunc("GET /inventory/manufacturers/{id}", s.page(domain.PermRead, s.manufacturer))
	mux.HandleFunc("POST /inventory/manufacturers/{id}", s.page(domain.PermInventory, s.manufacturerUpdate))
	mux.HandleFunc("POST /inventory/manufacturers/{id}/delete", s.page(domain.PermInventory, s.manufacturerDelete))
}

type productsView struct {
	Page          domain.Page[domain.Product]
	Filter        domain.ProductFilter
	Manufacturers []domain.Manufacturer
	Today         domain.Date
}

func (s *Server) products(c *Ctx) error {
	q := c.R.URL.Query()
	f := domain.ProductFilter{ListParams: c.List(), ManufacturerID: queryID(q, "manufacturer_id"), Category: q.Get("category")}
	page, err := c.Scope.Products(c.R.Context(), f)
	if err != nil {
		return err
	}
	v := productsView{Page: page, Filter: f, Today: c.today()}
	if v.Manufacturers, err = c.Scope.Manufacturers(c.R.Context()); err != nil {
		return err
	}
	return c.Render("inventory/products", "Products", v)
}

type productView struct {
	Product  domain.Product
	Versions []domain.ProductVersion
	// Disclosures are the versions' disclosure figures by version id.
	Disclosures map[int64]store.VersionDisclosureFlags
	Errors      FieldErrors
	New         domain.ProductVersion
	Today       domain.Date
	// Commitments are the vendor's procurement commitments linked to the product at award.
	Commitments []productCommitment
}

// productCommitment is a procurement commitment with its state on the product page: met (confirmed),
// due (open, before its due date), missed (open past it), standing (no due date) or waived.
type productCommitment struct {
	domain.Commitment
	State, StateClass string
}

func productCommitments(cs []domain.Commitment, now time.Time) []productCommitment {
	out := make([]productCommitment, 0, len(cs))
	for _, c := range cs {
		pc := productCommitment{Commitment: c}
		switch {
		case c.Missed(now):
			pc.State, pc.StateClass = "missed", "bad"
		case c.Status == domain.CommitmentConfirmed:
			pc.State, pc.StateClass = "met", "ok"
		case c.Status == domain.CommitmentOpen:
			pc.State, pc.StateClass = "due", "warn"
		case c.Status == domain.CommitmentWaived:
			pc.State, pc.StateClass = "waived", ""
		default:
			pc.State, pc.StateClass = "standing", "info"
		}
		out = append(out, pc)
	}
	return out
}

func (s *Server) product(c *Ctx) error {
	return s.renderProduct(c, http.StatusOK, domain.ProductVersion{}, FieldErrors{})
}

func (s *Server) renderProduct(c *Ctx, status int, nv domain.ProductVersion, fe FieldErrors) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	p, err := c.Scope.Product(c.R.Context(), id)
	if err != nil {
		return err
	}
	vs, err := c.Scope.ProductVersions(c.R.Context(), id)
	if err != nil {
		return err
	}
	flags, err := c.Scope.VersionDisclosureFlags(c.R.Context(), id)
	if err != nil {
		return err
	}
	cs, err := c.Scope.Commitments(c.R.Context(), domain.CommitmentFilter{ProductID: id})
	if err != nil {
		return err
	}
	return c.RenderStatus(status, "inventory/product", p.Manufacturer+" "+p.Name, productView{Product: p, Versions: vs, Errors: fe, New: nv, Today: c.today(),
		Disclosures: flags, Commitments: productCommitments(cs, c.Now())})
}

type productFormView struct {
	Product       domain.Product
	Manufacturers []domain.Manufacturer
	Errors        FieldErrors
	Cost          string
	New           bool
}

func (s *Server) productNew(c *Ctx) error {
	ms, err := c.Scope.Manufacturers(c.R.Context())
	if err != nil {
		return err
	}
	p := domain.Product{MedicalDevice: true, ManufacturerID: queryID(c.R.URL.Query(), "manufacturer_id")}
	return c.Render("inventory/product_form", "Add a product", productFormView{Product: p, Manufacturers: ms, Errors: FieldErrors{}, New: true})
}

func (s *Server) productEdit(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	p, err := c.Scope.Product(c.R.Context(), id)
	if err != nil {
		return err
	}
	ms, err := c.Scope.Manufacturers(c.R.Context())
	if err != nil {
		return err
	}
	return c.Render("inventory/product_form", "Edit "+p.Name, productFormView{Product: p, Manufacturers: ms, Errors: FieldErrors{}, Cost: p.ReplacementCost.String()})
}

func (s *Server) saveProduct(c *Ctx, p domain.Product, isNew bool) error {
	fe := FieldErrors{}
	p.ManufacturerID = formID(c, "manufacturer_id")
	p.Name, p.ModelNumber, p.UDIDI, p.ClinicalFunction = c.Form("name"), c.Form("model_number"), c.Form("udi_di"), c.Form("clinical_function")
	p.Category, p.DeviceClass, p.MedicalDevice = c.Form("category"), domain.DeviceClass(c.Form("device_class")), c.FormBool("medical_device")
	p.CPEVendor, p.CPEProduct, p.Notes = c.Form("cpe_vendor"), c.Form("cpe_product"), c.Form("notes")
	var err error
	if p.EndOfSupport, err = domain.ParseDate(c.Form("end_of_support")); err != nil {
		fe["end_of_support"] = err.Error()
	}
	if p.EndOfLife, err = domain.ParseDate(c.Form("end_of_life")); err != nil {
		fe["end_of_life"] = err.Error()
	}
	cost := c.Form("replacement_cost")
	if p.ReplacementCost, err = inventory.ParseAmount(cost); err != nil {
		fe["replacement_cost"] = err.Error()
	}
	ctx := c.R.Context()
	if len(fe) == 0 {
		err = c.Scope.Write(ctx, func(tx *store.Tx) error {
			if isNew {
				return tx.CreateProduct(ctx, &p)
			}
			return tx.UpdateProduct(ctx, p)
		})
		if err == nil {
			return c.Redirect("/inventory/products/"+strconv.FormatInt(p.ID, 10), "ok", "Saved product "+p.Name+".")
		}
		if !fe.FromError(err) {
			return err
		}
	}
	ms, merr := c.Scope.Manufacturers(ctx)
	if merr != nil {
		return merr
	}
	return c.RenderStatus(http.StatusUnprocessableEntity, "inventory/product_form", "Product", productFormView{Product: p, Manufacturers: ms, Errors: fe, Cost: cost, New: isNew})
}

func (s *Server) productCreate(c *Ctx) error { return s.saveProduct(c, domain.Product{}, true) }

func (s *Server) productUpdate(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	p, err := c.Scope.Product(c.R.Context(), id)
	if err != nil {
		return err
	}
	return s.saveProduct(c, p, false)
}

func (s *Server) productDelete(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.DeleteProduct(c.R.Context(), id) }); err != nil {
		if domain.ErrorCode(err) == domain.EConflict {
			return c.Redirect("/inventory/products/"+strconv.FormatInt(id, 10), "error", domain.ErrorMessage(err))
		}
		return err
	}
	return c.Redirect("/inventory/products", "ok", "Deleted the product.")
}

// versionFromForm reads the version form into v.
func versionFromForm(c *Ctx, v *domain.ProductVersion, fe FieldErrors) {
	v.Version, v.OperatingSystem, v.Notes = c.Form("version"), c.Form("operating_system"), c.Form("notes")
	var err error
	if v.ReleaseDate, err = domain.ParseDate(c.Form("release_date")); err != nil {
		fe["release_date"] = err.Error()
	}
	if v.EndOfSupport, err = domain.ParseDate(c.Form("end_of_support")); err != nil {
		fe["end_of_support"] = err.Error()
	}
}

func (s *Server) versionCreate(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	if _, err := c.Scope.Product(c.R.Context(), id); err != nil {
		return err
	}
	v := domain.ProductVersion{ProductID: id}
	fe := FieldErrors{}
	versionFromForm(c, &v, fe)
	if len(fe) == 0 {
		err = c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.CreateProductVersion(c.R.Context(), &v) })
		if err == nil {
			return c.Redirect("/inventory/products/"+strconv.FormatInt(id, 10), "ok", "Added version "+v.Label()+".")
		}
		if !fe.FromError(err) {
			return err
		}
	}
	return s.renderProduct(c, http.StatusUnprocessableEntity, v, fe)
}

type versionView struct {
	Version domain.ProductVersion
	Errors  FieldErrors
	Today   domain.Date
	// Disclosures of the version: SBOM, MDS2, advisories, VEX (every device on it inherits them).
	Disclosures *disclosure.VersionDisclosures
	// Findings are the version's open findings (fleet matching).
	Findings *fleetCardData
}

func (s *Server) version(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	v, err := c.Scope.ProductVersion(c.R.Context(), id)
	if err != nil {
		return err
	}
	d, err := discVersionCard(c, id)
	if err != nil {
		return err
	}
	fc, err := fleetCard(c, domain.FindingFilter{ProductVersionID: id}, "/vulnerabilities?product_version_id="+strconv.FormatInt(id, 10), false)
	if err != nil {
		return err
	}
	return c.Render("inventory/version", v.Product+" "+v.Label(), versionView{Version: v, Errors: FieldErrors{}, Today: c.today(), Disclosures: d, Findings: fc})
}

func (s *Server) versionUpdate(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	v, err := c.Scope.ProductVersion(c.R.Context(), id)
	if err != nil {
		return err
	}
	fe := FieldErrors{}
	versionFromForm(c, &v, fe)
	if len(fe) == 0 {
		err = c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.UpdateProductVersion(c.R.Context(), v) })
		if err == nil {
			return c.Redirect("/inventory/versions/"+strconv.FormatInt(id, 10), "ok", "Saved.")
		}
		if !fe.FromError(err) {
			return err
		}
	}
	d, derr := discVersionCard(c, id)
	if derr != nil {
		return derr
	}
	return c.RenderStatus(http.StatusUnprocessableEntity, "inventory/version", v.Product+" "+v.Label(), versionView{Version: v, Errors: fe, Today: c.today(), Disclosures: d})
}

func (s *Server) versionDelete(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	v, err := c.Scope.ProductVersion(c.R.Context(), id)
	if err != nil {
		return err
	}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.DeleteProductVersion(c.R.Context(), id) }); err != nil {
		if domain.ErrorCode(err) == domain.EConflict {
			return c.Redirect("/inventory/versions/"+strconv.FormatInt(id, 10), "error", domain.ErrorMessage(err))
		}
		return err
	}
	return c.Redirect("/inventory/products/"+strconv.FormatInt(v.ProductID, 10), "ok", "Deleted version "+v.Label()+".")
}

type manufacturersView struct {
	Manufacturers []domain.Manufacturer
	Edit          domain.Manufacturer // the form: a new one, or the one edited
	Errors        FieldErrors
}

func (s *Server) manufacturers(c *Ctx) error {
	ms, err := c.Scope.Manufacturers(c.R.Context())
	if err != nil {
		return err
	}
	return c.Render("inventory/manufacturers", "Manufacturers", manufacturersView{Manufacturers: ms, Errors: FieldErrors{}})
}

func (s *Server) manufacturer(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	m, err := c.Scope.Manufacturer(c.R.Context(), id)
	if err != nil {
		return err
	}
	return c.Render("inventory/manufacturer", m.Name, manufacturersView{Edit: m, Errors: FieldErrors{}})
}

func manufacturerFromForm(c *Ctx, m *domain.Manufacturer) {
	m.Name, m.Website, m.PSIRT, m.Notes = c.Form("name"), c.Form("website"), c.Form("psirt"), c.Form("notes")
	m.Aliases = nil
	for _, a := range strings.Split(c.Form("aliases"), "\n") {
		if a = strings.TrimSpace(a); a != "" {
			m.Aliases = append(m.Aliases, a)
		}
	}
}

func (s *Server) manufacturerCreate(c *Ctx) error {
	var m domain.Manufacturer
	manufacturerFromForm(c, &m)
	err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.CreateManufacturer(c.R.Context(), &m) })
	if err == nil {
		return c.Redirect("/inventory/manufacturers", "ok", "Added manufacturer "+m.Name+".")
	}
	fe := FieldErrors{}
	if !fe.FromError(err) {
		return err
	}
	ms, lerr := c.Scope.Manufacturers(c.R.Context())
	if lerr != nil {
		return lerr
	}
	return c.RenderStatus(http.StatusUnprocessableEntity, "inventory/manufacturers", "Manufacturers", manufacturersView{Manufacturers: ms, Edit: m, Errors: fe})
}

func (s *Server) manufacturerUpdate(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	m, err := c.Scope.Manufacturer(c.R.Context(), id)
	if err != nil {
		return err
	}
	manufacturerFromForm(c, &m)
	err = c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.UpdateManufacturer(c.R.Context(), m) })
	if err == nil {
		return c.Redirect("/inventory/manufacturers/"+strconv.FormatInt(id, 10), "ok", "Saved.")
	}
	fe := FieldErrors{}
	if !fe.FromError(err) {
		return err
	}
	return c.RenderStatus(http.StatusUnprocessableEntity, "inventory/manufacturer", m.Name, manufacturersView{Edit: m, Errors: fe})
}

func (s *Server) manufacturerDelete(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.DeleteManufacturer(c.R.Context(), id) }); err != nil {
		if domain.ErrorCode(err) == domain.EConflict {
			return c.Redirect("/inventory/manufacturers/"+strconv.FormatInt(id, 10), "error", domain.ErrorMessage(err))
		}
		return err
	}
	return c.Redirect("/inventory/manufacturers", "ok", "Deleted the manufacturer.")
}
