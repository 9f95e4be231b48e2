package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/httpx"
	"github.com/vigil-med/vigil/internal/inventory"
	"github.com/vigil-med/vigil/internal/store"
)

// InventoryRoutes registers the inventory: devices with their filters, the catalogue (manufacturers,
// products, versions), places (sites, locations, departments, network zones), the dashboard figures
// and the import of CMMS exports.
func (a *API) InventoryRoutes() {
	assetFilters := append([]Param{
		{Name: "site_id", In: "query", Type: "integer"}, {Name: "location_id", In: "query", Type: "integer", Description: "the location and those within it"},
		{Name: "department_id", In: "query", Type: "integer"}, {Name: "zone_id", In: "query", Type: "integer"},
		{Name: "manufacturer_id", In: "query", Type: "integer"}, {Name: "product_id", In: "query", Type: "integer"},
		{Name: "product_version_id", In: "query", Type: "integer"}, {Name: "category", In: "query", Description: "category id, see /inventory/categories"},
		{Name: "criticality", In: "query", Enum: enumOf(domain.Criticalities)}, {Name: "status", In: "query", Enum: enumOf(domain.AssetStatuses)},
		{Name: "exposure", In: "query", Enum: enumOf(domain.Exposures), Description: "exposure level of the device's zone"},
		{Name: "support", In: "query", Enum: enumOf(domain.SupportStates), Description: "end-of-support state (soon: within 12 months)"},
	}, ListParams...)
	assetFilters[len(assetFilters)-2].Description = "column to sort by (tag, serial, hostname, ip, criticality, status, purchase_date, updated, manufacturer, product, version, category, site, location, department, zone, support); prefix with - for descending"
	Handle(a, Op{Method: http.MethodGet, Path: "/inventory/assets", ID: "listAssets", Tag: "inventory", Perm: domain.PermRead,
		Summary: "Installed devices, filtered, searched, sorted and paged", Params: assetFilters,
		Description: "The search (q) matches every word in the tag, serial number, host name, IP, MAC, owner and notes, or in the names of the product, manufacturer (and its aliases), version, operating system, department, location or zone."},
		func(c *Call, _ Empty) (domain.Page[domain.Asset], error) {
			f, err := assetFilter(c)
			if err != nil {
				return domain.Page[domain.Asset]{}, err
			}
			return c.Scope.Assets(c.Ctx(), f)
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/inventory/assets", ID: "createAsset", Tag: "inventory", Perm: domain.PermInventory, Status: http.StatusCreated,
		Summary: "Add a device"},
		func(c *Call, in domain.Asset) (domain.Asset, error) {
			in.ID = 0
			if err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.CreateAsset(c.Ctx(), &in, today(c)) }); err != nil {
				return in, err
			}
			return c.Scope.Asset(c.Ctx(), in.ID)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/inventory/assets/{id}", ID: "getAsset", Tag: "inventory", Perm: domain.PermRead,
		Summary: "One device with its product, version, place and zone"},
		func(c *Call, _ Empty) (domain.Asset, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return domain.Asset{}, err
			}
			return c.Scope.Asset(c.Ctx(), id)
		})
	Handle(a, Op{Method: http.MethodPut, Path: "/inventory/assets/{id}", ID: "updateAsset", Tag: "inventory", Perm: domain.PermInventory,
		Summary: "Change a device (send all its fields)"},
		func(c *Call, in domain.Asset) (domain.Asset, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return in, err
			}
			if _, err := c.Scope.Asset(c.Ctx(), id); err != nil {
				return in, err
			}
			in.ID = id
			if err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.UpdateAsset(c.Ctx(), in, today(c)) }); err != nil {
				return in, err
			}
			return c.Scope.Asset(c.Ctx(), id)
		})
	Handle(a, Op{Method: http.MethodDelete, Path: "/inventory/assets/{id}", ID: "deleteAsset", Tag: "inventory", Perm: domain.PermInventory,
		Summary: "Delete a device (devices that left usually stay, with status retired)"},
		func(c *Call, _ Empty) (Empty, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return Empty{}, err
			}
			return Empty{}, c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.DeleteAsset(c.Ctx(), id) })
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/inventory/stats", ID: "inventoryStats", Tag: "inventory", Perm: domain.PermRead,
		Summary: "Inventory figures: devices by criticality, status, exposure and category; end of support; replacement value"},
		func(c *Call, _ Empty) (domain.InventoryStats, error) {
			return c.Scope.InventoryStats(c.Ctx(), today(c))
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/inventory/categories", ID: "listCategories", Tag: "inventory", Perm: domain.PermRead,
		Summary: "The device categories with their usual criticality"},
		func(c *Call, _ Empty) ([]domain.Category, error) { return domain.Categories, nil })

	a.catalogueRoutes()
	a.placeRoutes()

	HandleRaw(a, Op{Method: http.MethodPost, Path: "/import/inventory", ID: "importInventory", Tag: "inventory", Perm: domain.PermInventory,
		Upload: true, Response: inventory.Report{},
		Summary: "Import a CMMS or asset-management export (CSV or XLSX)",
		Description: "Columns are recognised by their names (English and German) or named with mapping. With dry_run=true nothing changes. " +
			"The import is one transaction: when rows are rejected and skip_rejected is not set, nothing is imported and the answer " +
			"is 422 with the report, whose rejections name row and column.",
		Params: []Param{
			{Name: "dry_run", In: "query", Type: "boolean", Description: "plan and report only"},
			{Name: "mapping", In: "query", Description: "explicit columns: Header=field,C=field,Other=- (see the import reference)"},
			{Name: "sheet", In: "query", Description: "XLSX: the sheet to read"},
			{Name: "skip_rejected", In: "query", Type: "boolean", Description: "import the other rows when some are rejected"},
			{Name: "filename", In: "query", Description: "name of a file sent as the raw body"},
		}},
		func(w http.ResponseWriter, c *Call) error {
			opts, err := importOptions(c)
			if err != nil {
				return err
			}
			up, err := c.Upload(inventory.DefaultLimits.MaxBytes)
			if err != nil {
				return err
			}
			opts.FileName = up.Name
			rep, err := inventory.Import(c.Ctx(), c.Scope, up.Data, opts)
			switch {
			case errors.Is(err, inventory.ErrRejected):
				status := http.StatusUnprocessableEntity
				if opts.DryRun {
					status = http.StatusOK
				}
				httpx.JSON(w, status, rep)
				return nil
			case err != nil:
				return err
			}
			httpx.JSON(w, http.StatusOK, rep)
			return nil
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/inventory/imports", ID: "listInventoryImports", Tag: "inventory", Perm: domain.PermRead,
		Summary: "Past inventory imports, newest first", Params: []Param{{Name: "limit", In: "query", Type: "integer"}}},
		func(c *Call, _ Empty) ([]store.InventoryImport, error) {
			n, err := c.QueryInt("limit", 50)
			if err != nil {
				return nil, err
			}
			return c.Scope.InventoryImports(c.Ctx(), n)
		})
}

func importOptions(c *Call) (inventory.Options, error) {
	var o inventory.Options
	var err error
	if o.DryRun, err = c.QueryBool("dry_run"); err != nil {
		return o, err
	}
	if o.SkipRejected, err = c.QueryBool("skip_rejected"); err != nil {
		return o, err
	}
	if o.Mapping, err = inventory.ParseMapping(c.Query("mapping")); err != nil {
		return o, err
	}
	o.Sheet, o.Today = c.Query("sheet"), today(c)
	return o, nil
}

// today is the current day in the organisation's time zone.
func today(c *Call) domain.Date {
	return domain.DateOf(time.Now().In(c.Principal.Org.Location()))
}

func enumOf[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// queryID reads an optional numeric id from the query.
func (c *Call) queryID(name string) (int64, error) {
	s := c.Query(name)
	if s == "" {
		return 0, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v <= 0 {
		return 0, domain.Invalid(name, "must be a positive number")
	}
	return v, nil
}

func assetFilter(c *Call) (domain.AssetFilter, error) {
	p, err := c.List()
	if err != nil {
		return domain.AssetFilter{}, err
	}
	f := domain.AssetFilter{ListParams: p, Category: c.Query("category"), Today: today(c)}
	for name, dst := range map[string]*int64{"site_id": &f.SiteID, "location_id": &f.LocationID, "department_id": &f.DepartmentID,
		"zone_id": &f.ZoneID, "manufacturer_id": &f.ManufacturerID, "product_id": &f.ProductID, "product_version_id": &f.ProductVersionID} {
		if *dst, err = c.queryID(name); err != nil {
			return f, err
		}
	}
	if s := c.Query("criticality"); s != "" {
		if f.Criticality, err = domain.ParseCriticality(s); err != nil {
			return f, err
		}
	}
	if s := c.Query("status"); s != "" {
		if f.Status, err = domain.ParseAssetStatus(s); err != nil {
			return f, err
		}
	}
	if s := c.Query("exposure"); s != "" {
		if f.Exposure, err = domain.ParseExposure(s); err != nil {
			return f, err
		}
	}
	if s := c.Query("support"); s != "" {
		if f.Support, err = domain.ParseSupportState(s); err != nil {
			return f, err
		}
	}
	return f, nil
}

// entity describes the standard operations of one kind of inventory record.
type entity[T any] struct {
	path, tag, one, many string // "/inventory/sites", "inventory", "Site", "Sites" (operation ids)
	noun                 string // "site", "network zone" (summaries)
	summary              string
	params               []Param
	list                 func(c *Call) ([]T, error)
	get                  func(c *Call, id int64) (T, error)
	create               func(c *Call, tx *store.Tx, v *T) (int64, error)
	update               func(c *Call, tx *store.Tx, v T, id int64) error
	del                  func(c *Call, tx *store.Tx, id int64) error
}

// crudRoutes registers list, create, get, update and delete of an entity; every path id is read
// through the caller's scope (another organisation's id is 404).
func crudRoutes[T any](a *API, e entity[T]) {
	if e.list != nil {
		Handle(a, Op{Method: http.MethodGet, Path: e.path, ID: "list" + e.many, Tag: e.tag, Perm: domain.PermRead, Summary: e.summary, Params: e.params},
			func(c *Call, _ Empty) ([]T, error) { return e.list(c) })
	}
	if e.create != nil {
		Handle(a, Op{Method: http.MethodPost, Path: e.path, ID: "create" + e.one, Tag: e.tag, Perm: domain.PermInventory, Status: http.StatusCreated,
			Summary: "Add a " + e.noun},
			func(c *Call, in T) (T, error) {
				var id int64
				err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error {
					var err error
					id, err = e.create(c, tx, &in)
					return err
				})
				if err != nil {
					return in, err
				}
				return e.get(c, id)
			})
	}
	Handle(a, Op{Method: http.MethodGet, Path: e.path + "/{id}", ID: "get" + e.one, Tag: e.tag, Perm: domain.PermRead, Summary: "One " + e.noun},
		func(c *Call, _ Empty) (T, error) {
			var zero T
			id, err := c.PathInt("id")
			if err != nil {
				return zero, err
			}
			return e.get(c, id)
		})
	Handle(a, Op{Method: http.MethodPut, Path: e.path + "/{id}", ID: "update" + e.one, Tag: e.tag, Perm: domain.PermInventory, Summary: "Change a " + e.noun},
		func(c *Call, in T) (T, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return in, err
			}
			if _, err := e.get(c, id); err != nil {
				return in, err
			}
			if err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return e.update(c, tx, in, id) }); err != nil {
				return in, err
			}
			return e.get(c, id)
		})
	Handle(a, Op{Method: http.MethodDelete, Path: e.path + "/{id}", ID: "delete" + e.one, Tag: e.tag, Perm: domain.PermInventory,
		Summary: "Delete a " + e.noun + " (refused while records still refer to it)"},
		func(c *Call, _ Empty) (Empty, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return Empty{}, err
			}
			return Empty{}, c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return e.del(c, tx, id) })
		})
}
