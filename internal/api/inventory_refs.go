package api

import (
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// catalogueRoutes registers manufacturers, products and product versions.
func (a *API) catalogueRoutes() {
	crudRoutes(a, entity[domain.Manufacturer]{path: "/inventory/manufacturers", tag: "inventory", one: "Manufacturer", many: "Manufacturers",
		noun: "manufacturer", summary: "Manufacturers with their product and device counts",
		list: func(c *Call) ([]domain.Manufacturer, error) { return c.Scope.Manufacturers(c.Ctx()) },
		get:  func(c *Call, id int64) (domain.Manufacturer, error) { return c.Scope.Manufacturer(c.Ctx(), id) },
		create: func(c *Call, tx *store.Tx, v *domain.Manufacturer) (int64, error) {
			err := tx.CreateManufacturer(c.Ctx(), v)
			return v.ID, err
		},
		update: func(c *Call, tx *store.Tx, v domain.Manufacturer, id int64) error {
			v.ID = id
			return tx.UpdateManufacturer(c.Ctx(), v)
		},
		del: func(c *Call, tx *store.Tx, id int64) error { return tx.DeleteManufacturer(c.Ctx(), id) },
	})
	productParams := append([]Param{{Name: "manufacturer_id", In: "query", Type: "integer"}, {Name: "category", In: "query"}}, ListParams...)
	Handle(a, Op{Method: "GET", Path: "/inventory/products", ID: "listProducts", Tag: "inventory", Perm: domain.PermRead,
		Summary: "Products (models) with their version and installed counts", Params: productParams},
		func(c *Call, _ Empty) (domain.Page[domain.Product], error) {
			p, err := c.List()
			if err != nil {
				return domain.Page[domain.Product]{}, err
			}
			f := domain.ProductFilter{ListParams: p, Category: c.Query("category")}
			if f.ManufacturerID, err = c.queryID("manufacturer_id"); err != nil {
				return domain.Page[domain.Product]{}, err
			}
			return c.Scope.Products(c.Ctx(), f)
		})
	crudRoutes(a, entity[domain.Product]{path: "/inventory/products", tag: "inventory", one: "Product", many: "", noun: "product",
		get: func(c *Call, id int64) (domain.Product, error) { return c.Scope.Product(c.Ctx(), id) },
		create: func(c *Call, tx *store.Tx, v *domain.Product) (int64, error) {
			err := tx.CreateProduct(c.Ctx(), v)
			return v.ID, err
		},
		update: func(c *Call, tx *store.Tx, v domain.Product, id int64) error {
			v.ID = id
			return tx.UpdateProduct(c.Ctx(), v)
		},
		del: func(c *Call, tx *store.Tx, id int64) error { return tx.DeleteProduct(c.Ctx(), id) },
	})
	Handle(a, Op{Method: "GET", Path: "/inventory/products/{id}/versions", ID: "listProductVersions", Tag: "inventory", Perm: domain.PermRead,
		Summary: "The versions of a product with their installed counts"},
		func(c *Call, _ Empty) ([]domain.ProductVersion, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return nil, err
			}
			if _, err := c.Scope.Product(c.Ctx(), id); err != nil {
				return nil, err
			}
			return c.Scope.ProductVersions(c.Ctx(), id)
		})
	Handle(a, Op{Method: "POST", Path: "/inventory/products/{id}/versions", ID: "createProductVersion", Tag: "inventory", Perm: domain.PermInventory,
		Status: 201, Summary: "Add a version to a product"},
		func(c *Call, in domain.ProductVersion) (domain.ProductVersion, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return in, err
			}
			if _, err := c.Scope.Product(c.Ctx(), id); err != nil {
				return in, err
			}
			in.ID, in.ProductID = 0, id
			if err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.CreateProductVersion(c.Ctx(), &in) }); err != nil {
				return in, err
			}
			return c.Scope.ProductVersion(c.Ctx(), in.ID)
		})
	crudRoutes(a, entity[domain.ProductVersion]{path: "/inventory/versions", tag: "inventory", one: "ProductVersion", noun: "product version",
		get: func(c *Call, id int64) (domain.ProductVersion, error) { return c.Scope.ProductVersion(c.Ctx(), id) },
		update: func(c *Call, tx *store.Tx, v domain.ProductVersion, id int64) error {
			v.ID = id
			return tx.UpdateProductVersion(c.Ctx(), v)
		},
		del: func(c *Call, tx *store.Tx, id int64) error { return tx.DeleteProductVersion(c.Ctx(), id) },
	})
}

// placeRoutes registers sites, locations, departments and network zones.
func (a *API) placeRoutes() {
	crudRoutes(a, entity[domain.Site]{path: "/inventory/sites", tag: "inventory", one: "Site", many: "Sites", noun: "site",
		summary: "Sites with their device counts",
		list:    func(c *Call) ([]domain.Site, error) { return c.Scope.Sites(c.Ctx()) },
		get:     func(c *Call, id int64) (domain.Site, error) { return c.Scope.Site(c.Ctx(), id) },
		create: func(c *Call, tx *store.Tx, v *domain.Site) (int64, error) {
			err := tx.CreateSite(c.Ctx(), v)
			return v.ID, err
		},
		update: func(c *Call, tx *store.Tx, v domain.Site, id int64) error {
			v.ID = id
			return tx.UpdateSite(c.Ctx(), v)
		},
		del: func(c *Call, tx *store.Tx, id int64) error { return tx.DeleteSite(c.Ctx(), id) },
	})
	crudRoutes(a, entity[domain.Location]{path: "/inventory/locations", tag: "inventory", one: "Location", many: "Locations", noun: "location",
		summary: "Locations (of one site with site_id)", params: []Param{{Name: "site_id", In: "query", Type: "integer"}},
		list: func(c *Call) ([]domain.Location, error) {
			site, err := c.queryID("site_id")
			if err != nil {
				return nil, err
			}
			return c.Scope.Locations(c.Ctx(), site)
		},
		get: func(c *Call, id int64) (domain.Location, error) { return c.Scope.Location(c.Ctx(), id) },
		create: func(c *Call, tx *store.Tx, v *domain.Location) (int64, error) {
			err := tx.CreateLocation(c.Ctx(), v)
			return v.ID, err
		},
		update: func(c *Call, tx *store.Tx, v domain.Location, id int64) error {
			v.ID = id
			return tx.UpdateLocation(c.Ctx(), v)
		},
		del: func(c *Call, tx *store.Tx, id int64) error { return tx.DeleteLocation(c.Ctx(), id) },
	})
	crudRoutes(a, entity[domain.Department]{path: "/inventory/departments", tag: "inventory", one: "Department", many: "Departments",
		noun: "department", summary: "Departments with their device counts",
		list: func(c *Call) ([]domain.Department, error) { return c.Scope.Departments(c.Ctx()) },
		get:  func(c *Call, id int64) (domain.Department, error) { return c.Scope.Department(c.Ctx(), id) },
		create: func(c *Call, tx *store.Tx, v *domain.Department) (int64, error) {
			err := tx.CreateDepartment(c.Ctx(), v)
			return v.ID, err
		},
		update: func(c *Call, tx *store.Tx, v domain.Department, id int64) error {
			v.ID = id
			return tx.UpdateDepartment(c.Ctx(), v)
		},
		del: func(c *Call, tx *store.Tx, id int64) error { return tx.DeleteDepartment(c.Ctx(), id) },
	})
	crudRoutes(a, entity[domain.NetworkZone]{path: "/inventory/zones", tag: "inventory", one: "Zone", many: "Zones", noun: "network zone",
		summary: "Network zones, most exposed first",
		list:    func(c *Call) ([]domain.NetworkZone, error) { return c.Scope.Zones(c.Ctx()) },
		get:     func(c *Call, id int64) (domain.NetworkZone, error) { return c.Scope.Zone(c.Ctx(), id) },
		create: func(c *Call, tx *store.Tx, v *domain.NetworkZone) (int64, error) {
			err := tx.CreateZone(c.Ctx(), v)
			return v.ID, err
		},
		update: func(c *Call, tx *store.Tx, v domain.NetworkZone, id int64) error {
			v.ID = id
			return tx.UpdateZone(c.Ctx(), v)
		},
		del: func(c *Call, tx *store.Tx, id int64) error { return tx.DeleteZone(c.Ctx(), id) },
	})
}
