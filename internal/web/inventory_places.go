package web

import (
	"net/http"
	"strconv"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

func (s *Server) placeRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /inventory/sites", s.page(domain.PermRead, s.sites))
	mux.HandleFunc("POST /inventory/sites", s.page(domain.PermInventory, s.siteCreate))
	mux.HandleFunc("GET /inventory/sites/{id}", s.page(domain.PermRead, s.site))
	mux.HandleFunc("POST /inventory/sites/{id}", s.page(domain.PermInventory, s.siteUpdate))
	mux.HandleFunc("POST /inventory/sites/{id}/delete", s.page(domain.PermInventory, s.siteDelete))
	mux.HandleFunc("POST /inventory/sites/{id}/locations", s.page(domain.PermInventory, s.locationCreate))
	mux.HandleFunc("POST /inventory/locations/{id}/delete", s.page(domain.PermInventory, s.locationDelete))
	mux.HandleFunc("GET /inventory/departments", s.page(domain.PermRead, s.departments))
	mux.HandleFunc("POST /inventory/departments", s.page(domain.PermInventory, s.departmentCreate))
	mux.HandleFunc("GET /inventory/departments/{id}", s.page(domain.PermRead, s.department))
	mux.HandleFunc("POST /inventory/departments/{id}", s.page(domain.PermInventory, s.departmentUpdate))
	mux.HandleFunc("POST /inventory/departments/{id}/delete", s.page(domain.PermInventory, s.departmentDelete))
	mux.HandleFunc("GET /inventory/zones", s.page(domain.PermRead, s.zones))
	mux.HandleFunc("POST /inventory/zones", s.page(domain.PermInventory, s.zoneCreate))
	mux.HandleFunc("GET /inventory/zones/{id}", s.page(domain.PermRead, s.zone))
	mux.HandleFunc("POST /inventory/zones/{id}", s.page(domain.PermInventory, s.zoneUpdate))
	mux.HandleFunc("POST /inventory/zones/{id}/delete", s.page(domain.PermInventory, s.zoneDelete))
}

// conflictBack shows an EConflict (still in use) as a message on the page the user came from.
func conflictBack(c *Ctx, err error, back string) error {
	if domain.ErrorCode(err) == domain.EConflict {
		return c.Redirect(back, "error", domain.ErrorMessage(err))
	}
	return err
}

type sitesView struct {
	Sites  []domain.Site
	Edit   domain.Site
	Errors FieldErrors
}

func (s *Server) sites(c *Ctx) error {
	return s.renderSites(c, http.StatusOK, domain.Site{}, FieldErrors{})
}

func (s *Server) renderSites(c *Ctx, status int, edit domain.Site, fe FieldErrors) error {
	ss, err := c.Scope.Sites(c.R.Context())
	if err != nil {
		return err
	}
	return c.RenderStatus(status, "inventory/sites", "Sites and locations", sitesView{Sites: ss, Edit: edit, Errors: fe})
}

func siteFromForm(c *Ctx, site *domain.Site) {
	site.Name, site.Code, site.Address = c.Form("name"), c.Form("code"), c.Form("address")
}

func (s *Server) siteCreate(c *Ctx) error {
	var site domain.Site
	siteFromForm(c, &site)
	err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.CreateSite(c.R.Context(), &site) })
	if err == nil {
		return c.Redirect("/inventory/sites/"+strconv.FormatInt(site.ID, 10), "ok", "Added site "+site.Name+".")
	}
	fe := FieldErrors{}
	if !fe.FromError(err) {
		return err
	}
	return s.renderSites(c, http.StatusUnprocessableEntity, site, fe)
}

type siteView struct {
	Site      domain.Site
	Locations []domain.Location
	NewLoc    domain.Location
	Errors    FieldErrors
}

func (s *Server) site(c *Ctx) error {
	return s.renderSite(c, http.StatusOK, nil, domain.Location{}, FieldErrors{})
}

func (s *Server) renderSite(c *Ctx, status int, edited *domain.Site, loc domain.Location, fe FieldErrors) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	site, err := c.Scope.Site(c.R.Context(), id)
	if err != nil {
		return err
	}
	if edited != nil {
		site = *edited
	}
	locs, err := c.Scope.Locations(c.R.Context(), id)
	if err != nil {
		return err
	}
	return c.RenderStatus(status, "inventory/site", site.Name, siteView{Site: site, Locations: locs, NewLoc: loc, Errors: fe})
}

func (s *Server) siteUpdate(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	site, err := c.Scope.Site(c.R.Context(), id)
	if err != nil {
		return err
	}
	siteFromForm(c, &site)
	err = c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.UpdateSite(c.R.Context(), site) })
	if err == nil {
		return c.Redirect("/inventory/sites/"+strconv.FormatInt(id, 10), "ok", "Saved.")
	}
	fe := FieldErrors{}
	if !fe.FromError(err) {
		return err
	}
	return s.renderSite(c, http.StatusUnprocessableEntity, &site, domain.Location{}, fe)
}

func (s *Server) siteDelete(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.DeleteSite(c.R.Context(), id) }); err != nil {
		return conflictBack(c, err, "/inventory/sites/"+strconv.FormatInt(id, 10))
	}
	return c.Redirect("/inventory/sites", "ok", "Deleted the site.")
}

func (s *Server) locationCreate(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	if _, err := c.Scope.Site(c.R.Context(), id); err != nil {
		return err
	}
	l := domain.Location{SiteID: id, ParentID: formID(c, "parent_id"), Name: c.Form("name"), Building: c.Form("building"),
		Floor: c.Form("floor"), Room: c.Form("room")}
	err = c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.CreateLocation(c.R.Context(), &l) })
	if err == nil {
		return c.Redirect("/inventory/sites/"+strconv.FormatInt(id, 10), "ok", "Added location "+l.Name+".")
	}
	fe := FieldErrors{}
	if !fe.FromError(err) {
		return err
	}
	return s.renderSite(c, http.StatusUnprocessableEntity, nil, l, fe)
}

func (s *Server) locationDelete(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	l, err := c.Scope.Location(c.R.Context(), id)
	if err != nil {
		return err
	}
	back := "/inventory/sites/" + strconv.FormatInt(l.SiteID, 10)
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.DeleteLocation(c.R.Context(), id) }); err != nil {
		return conflictBack(c, err, back)
	}
	return c.Redirect(back, "ok", "Deleted location "+l.Name+".")
}

type departmentsView struct {
	Departments []domain.Department
	Sites       []domain.Site
	Edit        domain.Department
	Errors      FieldErrors
}

func (s *Server) departments(c *Ctx) error {
	return s.renderDepartments(c, http.StatusOK, "inventory/departments", domain.Department{}, FieldErrors{})
}

func (s *Server) renderDepartments(c *Ctx, status int, page string, edit domain.Department, fe FieldErrors) error {
	v := departmentsView{Edit: edit, Errors: fe}
	var err error
	if v.Sites, err = c.Scope.Sites(c.R.Context()); err != nil {
		return err
	}
	if page == "inventory/departments" {
		if v.Departments, err = c.Scope.Departments(c.R.Context()); err != nil {
			return err
		}
		return c.RenderStatus(status, page, "Departments", v)
	}
	return c.RenderStatus(status, page, edit.Name, v)
}

func departmentFromForm(c *Ctx, d *domain.Department) {
	d.Name, d.Code, d.SiteID = c.Form("name"), c.Form("code"), formID(c, "site_id")
}

func (s *Server) departmentCreate(c *Ctx) error {
	var d domain.Department
	departmentFromForm(c, &d)
	err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.CreateDepartment(c.R.Context(), &d) })
	if err == nil {
		return c.Redirect("/inventory/departments", "ok", "Added department "+d.Name+".")
	}
	fe := FieldErrors{}
	if !fe.FromError(err) {
		return err
	}
	return s.renderDepartments(c, http.StatusUnprocessableEntity, "inventory/departments", d, fe)
}

func (s *Server) department(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	d, err := c.Scope.Department(c.R.Context(), id)
	if err != nil {
		return err
	}
	return s.renderDepartments(c, http.StatusOK, "inventory/department", d, FieldErrors{})
}

func (s *Server) departmentUpdate(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	d, err := c.Scope.Department(c.R.Context(), id)
	if err != nil {
		return err
	}
	departmentFromForm(c, &d)
	err = c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.UpdateDepartment(c.R.Context(), d) })
	if err == nil {
		return c.Redirect("/inventory/departments/"+strconv.FormatInt(id, 10), "ok", "Saved.")
	}
	fe := FieldErrors{}
	if !fe.FromError(err) {
		return err
	}
	return s.renderDepartments(c, http.StatusUnprocessableEntity, "inventory/department", d, fe)
}

func (s *Server) departmentDelete(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.DeleteDepartment(c.R.Context(), id) }); err != nil {
		return conflictBack(c, err, "/inventory/departments/"+strconv.FormatInt(id, 10))
	}
	return c.Redirect("/inventory/departments", "ok", "Deleted the department.")
}

type zonesView struct {
	Zones  []domain.NetworkZone
	Edit   domain.NetworkZone
	VLAN   string
	Errors FieldErrors
}

func (s *Server) zones(c *Ctx) error {
	zs, err := c.Scope.Zones(c.R.Context())
	if err != nil {
		return err
	}
	return c.Render("inventory/zones", "Network zones", zonesView{Zones: zs, Edit: domain.NetworkZone{Exposure: domain.ExposureIsolated}, Errors: FieldErrors{}})
}

func zoneFromForm(c *Ctx, z *domain.NetworkZone, fe FieldErrors) string {
	z.Name, z.CIDR, z.Description, z.Exposure = c.Form("name"), c.Form("cidr"), c.Form("description"), domain.Exposure(c.Form("exposure"))
	vlan := c.Form("vlan")
	z.VLAN = 0
	if vlan != "" {
		n, err := strconv.Atoi(vlan)
		if err != nil {
			fe["vlan"] = "a VLAN id is a number 1–4094"
		}
		z.VLAN = n
	}
	return vlan
}

func (s *Server) saveZone(c *Ctx, z domain.NetworkZone, isNew bool) error {
	fe := FieldErrors{}
	vlan := zoneFromForm(c, &z, fe)
	var err error
	if len(fe) == 0 {
		err = c.Scope.Write(c.R.Context(), func(tx *store.Tx) error {
			if isNew {
				return tx.CreateZone(c.R.Context(), &z)
			}
			return tx.UpdateZone(c.R.Context(), z)
		})
		if err == nil {
			return c.Redirect("/inventory/zones", "ok", "Saved network zone "+z.Name+".")
		}
		if !fe.FromError(err) {
			return err
		}
	}
	v := zonesView{Edit: z, VLAN: vlan, Errors: fe}
	if isNew {
		if v.Zones, err = c.Scope.Zones(c.R.Context()); err != nil {
			return err
		}
		return c.RenderStatus(http.StatusUnprocessableEntity, "inventory/zones", "Network zones", v)
	}
	return c.RenderStatus(http.StatusUnprocessableEntity, "inventory/zone", z.Name, v)
}

func (s *Server) zoneCreate(c *Ctx) error { return s.saveZone(c, domain.NetworkZone{}, true) }

func (s *Server) zone(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	z, err := c.Scope.Zone(c.R.Context(), id)
	if err != nil {
		return err
	}
	vlan := ""
	if z.VLAN != 0 {
		vlan = strconv.Itoa(z.VLAN)
	}
	return c.Render("inventory/zone", z.Name, zonesView{Edit: z, VLAN: vlan, Errors: FieldErrors{}})
}

func (s *Server) zoneUpdate(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	z, err := c.Scope.Zone(c.R.Context(), id)
	if err != nil {
		return err
	}
	return s.saveZone(c, z, false)
}

func (s *Server) zoneDelete(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.DeleteZone(c.R.Context(), id) }); err != nil {
		return conflictBack(c, err, "/inventory/zones/"+strconv.FormatInt(id, 10))
	}
	return c.Redirect("/inventory/zones", "ok", "Deleted the network zone.")
}
