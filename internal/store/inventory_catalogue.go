package store

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// Manufacturers, products and product versions: what the organisation's devices are.

const manufacturerCols = `m.id, m.org_id, m.name, m.aliases, m.website, m.psirt, m.notes, m.created, m.updated,
	(SELECT COUNT(*) FROM products p WHERE p.org_id = m.org_id AND p.manufacturer_id = m.id),
	(SELECT COUNT(*) FROM assets a JOIN product_versions pv ON pv.id = a.product_version_id JOIN products p ON p.id = pv.product_id
		WHERE a.org_id = m.org_id AND p.manufacturer_id = m.id)`

func scanManufacturer(sc interface{ Scan(...any) error }) (domain.Manufacturer, error) {
	var m domain.Manufacturer
	var aliases string
	err := sc.Scan(&m.ID, &m.OrgID, &m.Name, &aliases, &m.Website, &m.PSIRT, &m.Notes, &m.Created, &m.Updated, &m.Products, &m.Assets)
	if aliases != "" {
		m.Aliases = strings.Split(aliases, "\n")
	}
	m.Created, m.Updated = m.Created.UTC(), m.Updated.UTC()
	return m, err
}

// Manufacturers lists the organisation's manufacturers by name with their product and device counts.
func (sc *Scope) Manufacturers(ctx context.Context) ([]domain.Manufacturer, error) {
	return queryAll(ctx, sc.Q, scanManufacturer, "SELECT "+manufacturerCols+" FROM manufacturers m WHERE m.org_id = ? ORDER BY m.name_key", sc.org)
}

// Manufacturer returns one manufacturer.
func (sc *Scope) Manufacturer(ctx context.Context, id int64) (domain.Manufacturer, error) {
	m, err := scanManufacturer(sc.QueryRow(ctx, "SELECT "+manufacturerCols+" FROM manufacturers m WHERE m.org_id = ? AND m.id = ?", sc.org, id))
	return m, NotFound(err, "manufacturer")
}

// CreateManufacturer adds a manufacturer.
func (tx *Tx) CreateManufacturer(ctx context.Context, m *domain.Manufacturer) error {
	if err := m.Validate(); err != nil {
		return err
	}
	m.OrgID, m.Created = tx.org, now()
	m.Updated = m.Created
	id, err := tx.InsertID(ctx, `INSERT INTO manufacturers (org_id, name, name_key, aliases, website, psirt, notes, created, updated)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, tx.org, m.Name, domain.NameKey(m.Name), strings.Join(m.Aliases, "\n"),
		m.Website, m.PSIRT, m.Notes, m.Created, m.Updated)
	if err != nil {
		return uniqueName(err, "a manufacturer named %q exists already", m.Name)
	}
	m.ID = id
	return tx.Audit(ctx, AuditEntry{Action: "manufacturer.create", Entity: "manufacturer", EntityID: id, Summary: "created manufacturer " + m.Name, Data: m})
}

// UpdateManufacturer changes a manufacturer.
func (tx *Tx) UpdateManufacturer(ctx context.Context, m domain.Manufacturer) error {
	if err := m.Validate(); err != nil {
		return err
	}
	before, err := tx.scope().Manufacturer(ctx, m.ID)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE manufacturers SET name = ?, name_key = ?, aliases = ?, website = ?, psirt = ?, notes = ?, updated = ?
		WHERE org_id = ? AND id = ?`, m.Name, domain.NameKey(m.Name), strings.Join(m.Aliases, "\n"), m.Website, m.PSIRT, m.Notes, now(), tx.org, m.ID); err != nil {
		return uniqueName(err, "a manufacturer named %q exists already", m.Name)
	}
	c := changes(before, m)
	return tx.Audit(ctx, AuditEntry{Action: "manufacturer.update", Entity: "manufacturer", EntityID: m.ID, Summary: "changed manufacturer " + m.Name + ": " + changedFields(c), Data: c})
}

// DeleteManufacturer removes a manufacturer without products.
func (tx *Tx) DeleteManufacturer(ctx context.Context, id int64) error {
	m, err := tx.scope().Manufacturer(ctx, id)
	if err != nil {
		return err
	}
	if err := tx.inUse(ctx, "manufacturer "+m.Name,
		useCheck{"products", "SELECT COUNT(*) FROM products WHERE org_id = ? AND manufacturer_id = ?", []any{tx.org, id}}); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "DELETE FROM manufacturers WHERE org_id = ? AND id = ?", tx.org, id); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "manufacturer.delete", Entity: "manufacturer", EntityID: id, Summary: "deleted manufacturer " + m.Name, Data: m})
}

const productCols = `p.id, p.org_id, p.manufacturer_id, p.name, p.model_number, p.udi_di, p.medical_device, p.device_class,
	p.clinical_function, p.category, p.end_of_support, p.end_of_life, p.replacement_cost, p.cpe_vendor, p.cpe_product, p.notes,
	p.created, p.updated, m.name,
	(SELECT COUNT(*) FROM product_versions v WHERE v.org_id = p.org_id AND v.product_id = p.id),
	(SELECT COUNT(*) FROM assets a WHERE a.org_id = p.org_id AND a.product_version_id IN
		(SELECT v.id FROM product_versions v WHERE v.org_id = p.org_id AND v.product_id = p.id)) AS installed`

func scanProduct(sc interface{ Scan(...any) error }) (domain.Product, error) {
	var p domain.Product
	var class string
	var eos, eol *time.Time
	var cost int64
	err := sc.Scan(&p.ID, &p.OrgID, &p.ManufacturerID, &p.Name, &p.ModelNumber, &p.UDIDI, &p.MedicalDevice, &class,
		&p.ClinicalFunction, &p.Category, &eos, &eol, &cost, &p.CPEVendor, &p.CPEProduct, &p.Notes,
		&p.Created, &p.Updated, &p.Manufacturer, &p.Versions, &p.Installed)
	p.DeviceClass = domain.DeviceClass(class)
	p.EndOfSupport, p.EndOfLife, p.ReplacementCost = dateOf(eos), dateOf(eol), domain.Money(cost)
	p.Created, p.Updated = p.Created.UTC(), p.Updated.UTC()
	return p, err
}

const productFrom = " FROM products p JOIN manufacturers m ON m.id = p.manufacturer_id"

var productSort = map[string]string{"name": "p.name_key", "manufacturer": "m.name_key", "category": "p.category",
	"model": "p.model_number", "end_of_support": "p.end_of_support", "installed": "installed", "updated": "p.updated"}

// Products lists products, filtered and paged. The search matches name, model number, UDI-DI,
// category and manufacturer.
func (sc *Scope) Products(ctx context.Context, f domain.ProductFilter) (domain.Page[domain.Product], error) {
	p := f.ListParams.Normalize()
	where, args := []string{"p.org_id = ?"}, []any{sc.org}
	if f.ManufacturerID != 0 {
		where, args = append(where, "p.manufacturer_id = ?"), append(args, f.ManufacturerID)
	}
	if f.Category != "" {
		where, args = append(where, "p.category = ?"), append(args, f.Category)
	}
	for _, t := range searchTerms(p.Q) {
		l := likeArg(t)
		where = append(where, `(p.name_key LIKE ? ESCAPE '\' OR LOWER(p.model_number) LIKE ? ESCAPE '\' OR LOWER(p.udi_di) LIKE ? ESCAPE '\'
			OR p.category LIKE ? ESCAPE '\' OR m.name_key LIKE ? ESCAPE '\' OR LOWER(m.aliases) LIKE ? ESCAPE '\')`)
		args = append(args, l, l, l, l, l, l)
	}
	w := strings.Join(where, " AND ")
	out := domain.Page[domain.Product]{Limit: p.Limit, Offset: p.Offset, Items: []domain.Product{}}
	var err error
	if out.Total, err = sc.Count(ctx, "SELECT COUNT(*)"+productFrom+" WHERE "+w, args...); err != nil {
		return out, err
	}
	order := sortClause(p.Sort, productSort, "m.name_key, p.name_key") + ", p.id"
	out.Items, err = queryAll(ctx, sc.Q, scanProduct, "SELECT "+productCols+productFrom+" WHERE "+w+" ORDER BY "+order+" LIMIT ? OFFSET ?",
		append(args, p.Limit, p.Offset)...)
	return out, err
}

// Product returns one product.
func (sc *Scope) Product(ctx context.Context, id int64) (domain.Product, error) {
	p, err := scanProduct(sc.QueryRow(ctx, "SELECT "+productCols+productFrom+" WHERE p.org_id = ? AND p.id = ?", sc.org, id))
	return p, NotFound(err, "product")
}

func productArgs(p *domain.Product) []any {
	return []any{p.ManufacturerID, p.Name, domain.NameKey(p.Name), p.ModelNumber, p.UDIDI, p.MedicalDevice, string(p.DeviceClass),
		p.ClinicalFunction, p.Category, dateArg(p.EndOfSupport), dateArg(p.EndOfLife), int64(p.ReplacementCost), p.CPEVendor, p.CPEProduct, p.Notes}
}

// CreateProduct adds a product of a manufacturer.
func (tx *Tx) CreateProduct(ctx context.Context, p *domain.Product) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if err := tx.refCheck(ctx, tx.org, "manufacturer_id", "manufacturers", "manufacturer", p.ManufacturerID); err != nil {
		return err
	}
	p.OrgID, p.Created = tx.org, now()
	p.Updated = p.Created
	id, err := tx.InsertID(ctx, `INSERT INTO products (manufacturer_id, name, name_key, model_number, udi_di, medical_device, device_class,
		clinical_function, category, end_of_support, end_of_life, replacement_cost, cpe_vendor, cpe_product, notes, org_id, created, updated)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, append(productArgs(p), tx.org, p.Created, p.Updated)...)
	if err != nil {
		return uniqueName(err, "the manufacturer has a product named %q already", p.Name)
	}
	p.ID = id
	return tx.Audit(ctx, AuditEntry{Action: "product.create", Entity: "product", EntityID: id, Summary: "created product " + p.Name, Data: p})
}

// UpdateProduct changes a product.
func (tx *Tx) UpdateProduct(ctx context.Context, p domain.Product) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if err := tx.refCheck(ctx, tx.org, "manufacturer_id", "manufacturers", "manufacturer", p.ManufacturerID); err != nil {
		return err
	}
	before, err := tx.scope().Product(ctx, p.ID)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE products SET manufacturer_id = ?, name = ?, name_key = ?, model_number = ?, udi_di = ?, medical_device = ?,
		device_class = ?, clinical_function = ?, category = ?, end_of_support = ?, end_of_life = ?, replacement_cost = ?, cpe_vendor = ?,
		cpe_product = ?, notes = ?, updated = ? WHERE org_id = ? AND id = ?`, append(productArgs(&p), now(), tx.org, p.ID)...); err != nil {
		return uniqueName(err, "the manufacturer has a product named %q already", p.Name)
	}
	c := changes(before, p)
	return tx.Audit(ctx, AuditEntry{Action: "product.update", Entity: "product", EntityID: p.ID, Summary: "changed product " + p.Name + ": " + changedFields(c), Data: c})
}

// DeleteProduct removes a product and its versions when no device is installed.
func (tx *Tx) DeleteProduct(ctx context.Context, id int64) error {
	p, err := tx.scope().Product(ctx, id)
	if err != nil {
		return err
	}
	if err := tx.inUse(ctx, "product "+p.Name, useCheck{"devices", `SELECT COUNT(*) FROM assets WHERE org_id = ? AND product_version_id IN
		(SELECT id FROM product_versions WHERE org_id = ? AND product_id = ?)`, []any{tx.org, tx.org, id}}); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "DELETE FROM product_versions WHERE org_id = ? AND product_id = ?", tx.org, id); err != nil {
		return err
	}
	// Procurement commitments keep the manufacturer's and product's names; only the link goes.
	if _, err := tx.Exec(ctx, "UPDATE procurement_commitments SET product_id = NULL WHERE org_id = ? AND product_id = ?", tx.org, id); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "DELETE FROM products WHERE org_id = ? AND id = ?", tx.org, id); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "product.delete", Entity: "product", EntityID: id, Summary: "deleted product " + p.Name, Data: p})
}

const versionCols = `v.id, v.org_id, v.product_id, v.version, v.release_date, v.end_of_support, v.operating_system, v.notes,
	v.created, v.updated, p.name, m.name,
	(SELECT COUNT(*) FROM assets a WHERE a.org_id = v.org_id AND a.product_version_id = v.id)`

const versionFrom = " FROM product_versions v JOIN products p ON p.id = v.product_id JOIN manufacturers m ON m.id = p.manufacturer_id"

func scanVersion(sc interface{ Scan(...any) error }) (domain.ProductVersion, error) {
	var v domain.ProductVersion
	var rel, eos *time.Time
	err := sc.Scan(&v.ID, &v.OrgID, &v.ProductID, &v.Version, &rel, &eos, &v.OperatingSystem, &v.Notes, &v.Created, &v.Updated,
		&v.Product, &v.Manufacturer, &v.Installed)
	v.ReleaseDate, v.EndOfSupport = dateOf(rel), dateOf(eos)
	v.Created, v.Updated = v.Created.UTC(), v.Updated.UTC()
	return v, err
}

// ProductVersions lists the versions of a product in natural version order (1.9 before 1.10), with
// their installed counts.
func (sc *Scope) ProductVersions(ctx context.Context, productID int64) ([]domain.ProductVersion, error) {
	vs, err := queryAll(ctx, sc.Q, scanVersion, "SELECT "+versionCols+versionFrom+" WHERE v.org_id = ? AND v.product_id = ?", sc.org, productID)
	sort.SliceStable(vs, func(i, j int) bool { return NaturalLess(vs[i].Version, vs[j].Version) })
	return vs, err
}

// ProductVersion returns one product version.
func (sc *Scope) ProductVersion(ctx context.Context, id int64) (domain.ProductVersion, error) {
	v, err := scanVersion(sc.QueryRow(ctx, "SELECT "+versionCols+versionFrom+" WHERE v.org_id = ? AND v.id = ?", sc.org, id))
	return v, NotFound(err, "product version")
}

// CreateProductVersion adds a version to a product.
func (tx *Tx) CreateProductVersion(ctx context.Context, v *domain.ProductVersion) error {
	if err := v.Validate(); err != nil {
		return err
	}
	if err := tx.refCheck(ctx, tx.org, "product_id", "products", "product", v.ProductID); err != nil {
		return err
	}
	v.OrgID, v.Created = tx.org, now()
	v.Updated = v.Created
	id, err := tx.InsertID(ctx, `INSERT INTO product_versions (org_id, product_id, version, version_key, release_date, end_of_support,
		operating_system, notes, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, tx.org, v.ProductID, v.Version,
		domain.NameKey(v.Version), dateArg(v.ReleaseDate), dateArg(v.EndOfSupport), v.OperatingSystem, v.Notes, v.Created, v.Updated)
	if err != nil {
		if domain.ErrorCode(err) == domain.EConflict {
			return domain.Invalid("version", "the product has a version %q already", v.Label())
		}
		return err
	}
	v.ID = id
	var product string
	if err := tx.QueryRow(ctx, "SELECT name FROM products WHERE org_id = ? AND id = ?", tx.org, v.ProductID).Scan(&product); err != nil {
		return mapErr(err)
	}
	return tx.Audit(ctx, AuditEntry{Action: "product_version.create", Entity: "product_version", EntityID: id,
		Summary: "created version " + v.Label() + " of " + product, Data: v})
}

// UpdateProductVersion changes a product version (not its product).
func (tx *Tx) UpdateProductVersion(ctx context.Context, v domain.ProductVersion) error {
	before, err := tx.scope().ProductVersion(ctx, v.ID)
	if err != nil {
		return err
	}
	v.ProductID = before.ProductID
	if err := v.Validate(); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE product_versions SET version = ?, version_key = ?, release_date = ?, end_of_support = ?,
		operating_system = ?, notes = ?, updated = ? WHERE org_id = ? AND id = ?`, v.Version, domain.NameKey(v.Version),
		dateArg(v.ReleaseDate), dateArg(v.EndOfSupport), v.OperatingSystem, v.Notes, now(), tx.org, v.ID); err != nil {
		if domain.ErrorCode(err) == domain.EConflict {
			return domain.Invalid("version", "the product has a version %q already", v.Label())
		}
		return err
	}
	c := changes(before, v)
	return tx.Audit(ctx, AuditEntry{Action: "product_version.update", Entity: "product_version", EntityID: v.ID,
		Summary: "changed version " + v.Label() + " of " + before.Product + ": " + changedFields(c), Data: c})
}

// DeleteProductVersion removes a version without installed devices.
func (tx *Tx) DeleteProductVersion(ctx context.Context, id int64) error {
	v, err := tx.scope().ProductVersion(ctx, id)
	if err != nil {
		return err
	}
	if err := tx.inUse(ctx, "version "+v.Label()+" of "+v.Product,
		useCheck{"devices", "SELECT COUNT(*) FROM assets WHERE org_id = ? AND product_version_id = ?", []any{tx.org, id}}); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "DELETE FROM product_versions WHERE org_id = ? AND id = ?", tx.org, id); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "product_version.delete", Entity: "product_version", EntityID: id,
		Summary: "deleted version " + v.Label() + " of " + v.Product, Data: v})
}

// NaturalLess orders version strings by their digit runs as numbers ("1.9" < "1.10", "B.02" < "C.00").
func NaturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, ra := leadingRun(a)
		db, rb := leadingRun(b)
		if da != db {
			if isDigits(da) && isDigits(db) {
				na, nb := strings.TrimLeft(da, "0"), strings.TrimLeft(db, "0")
				if len(na) != len(nb) {
					return len(na) < len(nb)
				}
				if na != nb {
					return na < nb
				}
			} else {
				return strings.ToLower(da) < strings.ToLower(db)
			}
		}
		a, b = ra, rb
	}
	return len(a) < len(b)
}

func leadingRun(s string) (run, rest string) {
	digit := s[0] >= '0' && s[0] <= '9'
	i := 1
	for i < len(s) && (s[i] >= '0' && s[i] <= '9') == digit {
		i++
	}
	return s[:i], s[i:]
}

func isDigits(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

// EnsureProductVersion finds the version of a manufacturer's product by names — the manufacturer by
// name or alias, the product by name or model number, the version by its text, all without case —
// and creates what is missing (each creation audited). It reports whether the version was created.
// Imports of disclosures (`vigil import sbom FILE --product P --version V`) attach to what it returns.
func (tx *Tx) EnsureProductVersion(ctx context.Context, manufacturer, product, version string) (domain.ProductVersion, bool, error) {
	var mfr int64
	ms, err := queryAll(ctx, tx.Q, func(r interface{ Scan(...any) error }) (domain.Manufacturer, error) {
		var m domain.Manufacturer
		var aliases string
		err := r.Scan(&m.ID, &m.Name, &aliases)
		if aliases != "" {
			m.Aliases = strings.Split(aliases, "\n")
		}
		return m, err
	}, "SELECT id, name, aliases FROM manufacturers WHERE org_id = ? ORDER BY id", tx.org)
	if err != nil {
		return domain.ProductVersion{}, false, err
	}
	for _, m := range ms {
		for _, n := range append([]string{m.Name}, m.Aliases...) {
			if mfr == 0 && domain.NameKey(n) == domain.NameKey(manufacturer) {
				mfr = m.ID
			}
		}
	}
	if mfr == 0 {
		m := domain.Manufacturer{Name: manufacturer}
		if err := tx.CreateManufacturer(ctx, &m); err != nil {
			return domain.ProductVersion{}, false, err
		}
		mfr = m.ID
	}
	var prod int64
	err = tx.QueryRow(ctx, `SELECT id FROM products WHERE org_id = ? AND manufacturer_id = ? AND (name_key = ? OR LOWER(model_number) = ?)
		ORDER BY CASE WHEN name_key = ? THEN 0 ELSE 1 END, id LIMIT 1`, tx.org, mfr, domain.NameKey(product), domain.NameKey(product),
		domain.NameKey(product)).Scan(&prod)
	if err != nil && domain.ErrorCode(mapErr(err)) != domain.ENotFound {
		return domain.ProductVersion{}, false, mapErr(err)
	}
	if prod == 0 {
		p := domain.Product{ManufacturerID: mfr, Name: product, MedicalDevice: true}
		if err := tx.CreateProduct(ctx, &p); err != nil {
			return domain.ProductVersion{}, false, err
		}
		prod = p.ID
	}
	var id int64
	err = tx.QueryRow(ctx, "SELECT id FROM product_versions WHERE org_id = ? AND product_id = ? AND version_key = ?", tx.org, prod,
		domain.NameKey(version)).Scan(&id)
	switch {
	case err == nil:
		v, err := tx.scope().ProductVersion(ctx, id)
		return v, false, err
	case domain.ErrorCode(mapErr(err)) != domain.ENotFound:
		return domain.ProductVersion{}, false, mapErr(err)
	}
	v := domain.ProductVersion{ProductID: prod, Version: version}
	if err := tx.CreateProductVersion(ctx, &v); err != nil {
		return v, false, err
	}
	v, err = tx.scope().ProductVersion(ctx, v.ID)
	return v, true, err
}
