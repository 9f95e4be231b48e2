package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/disclosure"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/inventory"
	"github.com/vigil-med/vigil/internal/store"
)

// inventoryRoutes registers the inventory pages: devices, the catalogue, places and the import.
func (s *Server) inventoryRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /inventory/assets", s.page(domain.PermRead, s.assets))
	mux.HandleFunc("GET /inventory", s.page(domain.PermRead, func(c *Ctx) error {
		target := "/inventory/assets"
		if c.R.URL.RawQuery != "" {
			target += "?" + c.R.URL.RawQuery
		}
		return c.Redirect(target, "", "")
	}))
	mux.HandleFunc("GET /inventory/assets/new", s.page(domain.PermInventory, s.assetNew))
	mux.HandleFunc("POST /inventory/assets", s.page(domain.PermInventory, s.assetCreate))
	mux.HandleFunc("GET /inventory/assets/{id}", s.page(domain.PermRead, s.asset))
	mux.HandleFunc("GET /inventory/assets/{id}/edit", s.page(domain.PermInventory, s.assetEdit))
	mux.HandleFunc("POST /inventory/assets/{id}", s.page(domain.PermInventory, s.assetUpdate))
	mux.HandleFunc("POST /inventory/assets/{id}/delete", s.page(domain.PermInventory, s.assetDelete))
	s.catalogueRoutes(mux)
	s.placeRoutes(mux)
	s.importRoutes(mux)
}

// today is the current day in the organisation's time zone.
func (c *Ctx) today() domain.Date { return domain.DateOf(c.Now().In(c.Loc())) }

// refs are the records the device filters and forms choose from.
type refs struct {
	Sites         []domain.Site
	Locations     []domain.Location
	Departments   []domain.Department
	Zones         []domain.NetworkZone
	Manufacturers []domain.Manufacturer
	Products      []domain.Product
	Versions      []domain.ProductVersion // all versions, for the device form
}

func loadRefs(c *Ctx, versions bool) (refs, error) {
	ctx := c.R.Context()
	var r refs
	var err error
	if r.Sites, err = c.Scope.Sites(ctx); err != nil {
		return r, err
	}
	if r.Departments, err = c.Scope.Departments(ctx); err != nil {
		return r, err
	}
	if r.Zones, err = c.Scope.Zones(ctx); err != nil {
		return r, err
	}
	if r.Manufacturers, err = c.Scope.Manufacturers(ctx); err != nil {
		return r, err
	}
	products, err := c.Scope.Products(ctx, domain.ProductFilter{ListParams: domain.ListParams{Limit: domain.MaxPageSize}})
	if err != nil {
		return r, err
	}
	r.Products = products.Items
	if versions {
		if r.Locations, err = c.Scope.Locations(ctx, 0); err != nil {
			return r, err
		}
		for _, p := range r.Products {
			vs, err := c.Scope.ProductVersions(ctx, p.ID)
			if err != nil {
				return r, err
			}
			r.Versions = append(r.Versions, vs...)
		}
	}
	return r, nil
}

type assetsView struct {
	Page   domain.Page[domain.Asset]
	Filter domain.AssetFilter
	Refs   refs
	Today  domain.Date
	// Filtered is true when any filter or search is set (the empty state then says so).
	Filtered bool
}

func queryID(q url.Values, name string) int64 {
	v, _ := strconv.ParseInt(q.Get(name), 10, 64)
	return max(v, 0)
}

// assetFilter reads the device filters of the list page; unknown values are ignored.
func assetFilter(c *Ctx) domain.AssetFilter {
	q := c.R.URL.Query()
	f := domain.AssetFilter{ListParams: c.List(), Today: c.today(), SiteID: queryID(q, "site_id"), LocationID: queryID(q, "location_id"),
		DepartmentID: queryID(q, "department_id"), ZoneID: queryID(q, "zone_id"), ManufacturerID: queryID(q, "manufacturer_id"),
		ProductID: queryID(q, "product_id"), ProductVersionID: queryID(q, "product_version_id"), Category: q.Get("category")}
	f.Criticality, _ = domain.ParseCriticality(q.Get("criticality"))
	f.Status, _ = domain.ParseAssetStatus(q.Get("status"))
	f.Exposure, _ = domain.ParseExposure(q.Get("exposure"))
	f.Support, _ = domain.ParseSupportState(q.Get("support"))
	return f
}

func (s *Server) assets(c *Ctx) error {
	f := assetFilter(c)
	page, err := c.Scope.Assets(c.R.Context(), f)
	if err != nil {
		return err
	}
	v := assetsView{Page: page, Filter: f, Today: f.Today}
	v.Filtered = f.Q != "" || f.SiteID+f.LocationID+f.DepartmentID+f.ZoneID+f.ManufacturerID+f.ProductID+f.ProductVersionID != 0 ||
		f.Category != "" || f.Criticality != "" || f.Status != "" || f.Exposure != "" || f.Support != ""
	if c.R.Header.Get("HX-Request") != "true" {
		if v.Refs, err = loadRefs(c, false); err != nil {
			return err
		}
	}
	return c.Render("inventory/assets", "Devices", v)
}

type assetView struct {
	Asset   domain.Asset
	Zone    domain.NetworkZone
	Today   domain.Date
	History []domain.AuditEvent
	// Disclosures are those of the device's product version, which it inherits.
	Disclosures *disclosure.VersionDisclosures
	// Incidents are the real incidents the device is linked to (incident module).
	Incidents []domain.Incident
	// Findings are the open findings of the device's product version (fleet matching).
	Findings *fleetCardData
}

func (s *Server) asset(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	ctx := c.R.Context()
	a, err := c.Scope.Asset(ctx, id)
	if err != nil {
		return err
	}
	v := assetView{Asset: a, Today: c.today()}
	if v.Disclosures, err = discVersionCard(c, a.ProductVersionID); err != nil {
		return err
	}
	if a.ZoneID != 0 {
		if v.Zone, err = c.Scope.Zone(ctx, a.ZoneID); err != nil {
			return err
		}
	}
	if v.Incidents, err = c.Scope.AssetIncidents(ctx, id); err != nil {
		return err
	}
	if v.Findings, err = fleetCard(c, domain.FindingFilter{ProductVersionID: a.ProductVersionID}, "/vulnerabilities?asset_id="+strconv.FormatInt(id, 10), false); err != nil {
		return err
	}
	if c.P.Can(domain.PermReadAudit) {
		ev, err := c.Scope.AuditEvents(ctx, domain.AuditFilter{Entity: "asset", ListParams: domain.ListParams{Q: strconv.FormatInt(id, 10), Limit: 20}})
		if err != nil {
			return err
		}
		for _, e := range ev.Items {
			if e.EntityID == strconv.FormatInt(id, 10) {
				v.History = append(v.History, e)
			}
		}
	}
	return c.Render("inventory/asset", a.Name(), v)
}

type assetFormView struct {
	Asset  domain.Asset
	Refs   refs
	Errors FieldErrors
	Cost   string // the replacement cost as typed
	New    bool
}

func (s *Server) assetNew(c *Ctx) error {
	r, err := loadRefs(c, true)
	if err != nil {
		return err
	}
	a := domain.Asset{Criticality: domain.CritImportant, Status: domain.StatusInUse, ProductVersionID: queryID(c.R.URL.Query(), "product_version_id")}
	return c.Render("inventory/asset_form", "Add a device", assetFormView{Asset: a, Refs: r, Errors: FieldErrors{}, New: true})
}

func (s *Server) assetEdit(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	a, err := c.Scope.Asset(c.R.Context(), id)
	if err != nil {
		return err
	}
	r, err := loadRefs(c, true)
	if err != nil {
		return err
	}
	return c.Render("inventory/asset_form", "Edit "+a.Name(), assetFormView{Asset: a, Refs: r, Errors: FieldErrors{}, Cost: a.ReplacementCost.String()})
}

// assetFromForm reads the device form; fields that cannot be read are put into fe.
func assetFromForm(c *Ctx, a *domain.Asset, fe FieldErrors) string {
	id := func(name string) int64 {
		v := c.Form(name)
		if v == "" {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			fe[name] = "choose one of the list"
		}
		return n
	}
	a.ProductVersionID, a.SiteID, a.LocationID = id("product_version_id"), id("site_id"), id("location_id")
	a.DepartmentID, a.ZoneID = id("department_id"), id("zone_id")
	a.AssetTag, a.Serial, a.IP, a.MAC, a.Hostname = c.Form("asset_tag"), c.Form("serial"), c.Form("ip"), c.Form("mac"), c.Form("hostname")
	a.Owner, a.Notes = c.Form("owner"), c.Form("notes")
	a.Criticality, a.Status = domain.Criticality(c.Form("criticality")), domain.AssetStatus(c.Form("status"))
	a.PatientData = c.FormBool("patient_data")
	var err error
	if a.PurchaseDate, err = domain.ParseDate(c.Form("purchase_date")); err != nil {
		fe["purchase_date"] = err.Error()
	}
	cost := c.Form("replacement_cost")
	if a.ReplacementCost, err = inventory.ParseAmount(cost); err != nil {
		fe["replacement_cost"] = err.Error()
	}
	return cost
}

func (s *Server) saveAsset(c *Ctx, a domain.Asset, isNew bool) error {
	fe := FieldErrors{}
	cost := assetFromForm(c, &a, fe)
	ctx := c.R.Context()
	var err error
	if len(fe) == 0 {
		err = c.Scope.Write(ctx, func(tx *store.Tx) error {
			if isNew {
				return tx.CreateAsset(ctx, &a, c.today())
			}
			return tx.UpdateAsset(ctx, a, c.today())
		})
		if err == nil {
			msg := "Saved."
			if isNew {
				msg = "Added device " + a.Name() + "."
			}
			return c.Redirect("/inventory/assets/"+strconv.FormatInt(a.ID, 10), "ok", msg)
		}
		if !fe.FromError(err) {
			return err
		}
	}
	r, rerr := loadRefs(c, true)
	if rerr != nil {
		return rerr
	}
	title := "Add a device"
	if !isNew {
		title = "Edit " + a.Name()
	}
	return c.RenderStatus(http.StatusUnprocessableEntity, "inventory/asset_form", title, assetFormView{Asset: a, Refs: r, Errors: fe, Cost: cost, New: isNew})
}

func (s *Server) assetCreate(c *Ctx) error { return s.saveAsset(c, domain.Asset{}, true) }

func (s *Server) assetUpdate(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	a, err := c.Scope.Asset(c.R.Context(), id)
	if err != nil {
		return err
	}
	return s.saveAsset(c, a, false)
}

func (s *Server) assetDelete(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	a, err := c.Scope.Asset(c.R.Context(), id)
	if err != nil {
		return err
	}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.DeleteAsset(c.R.Context(), id) }); err != nil {
		return err
	}
	return c.Redirect("/inventory/assets", "ok", "Deleted device "+a.Name()+".")
}

// formIDs reads a posted id field (0 when empty or not a number).
func formID(c *Ctx, name string) int64 {
	v, _ := strconv.ParseInt(strings.TrimSpace(c.R.PostFormValue(name)), 10, 64)
	return max(v, 0)
}
