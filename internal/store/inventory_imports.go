package store

import (
	"context"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// InventoryIndex is the whole inventory of an organisation in memory, without counts or context: what
// an import matches its rows against (names case-insensitively, tags and serial numbers exactly).
type InventoryIndex struct {
	Sites         []domain.Site
	Locations     []domain.Location
	Departments   []domain.Department
	Zones         []domain.NetworkZone
	Manufacturers []domain.Manufacturer
	Products      []domain.Product
	Versions      []domain.ProductVersion
	Assets        []domain.Asset
}

// InventoryIndex loads the organisation's inventory (for a dry run).
func (sc *Scope) InventoryIndex(ctx context.Context) (*InventoryIndex, error) {
	return loadIndex(ctx, sc.Q, sc.org)
}

// InventoryIndex loads the organisation's inventory within the transaction (for an import that then
// writes what it planned, without a gap in which others could change the data).
func (tx *Tx) InventoryIndex(ctx context.Context) (*InventoryIndex, error) {
	return loadIndex(ctx, tx.Q, tx.org)
}

func loadIndex(ctx context.Context, q Q, org int64) (*InventoryIndex, error) {
	ix := &InventoryIndex{}
	var err error
	if ix.Sites, err = queryAll(ctx, q, func(r interface{ Scan(...any) error }) (domain.Site, error) {
		var s domain.Site
		err := r.Scan(&s.ID, &s.Name, &s.Code)
		return s, err
	}, "SELECT id, name, code FROM sites WHERE org_id = ? ORDER BY id", org); err != nil {
		return nil, err
	}
	if ix.Locations, err = queryAll(ctx, q, func(r interface{ Scan(...any) error }) (domain.Location, error) {
		var l domain.Location
		err := r.Scan(&l.ID, &l.SiteID, &l.ParentID, &l.Name, &l.Building, &l.Floor, &l.Room)
		return l, err
	}, "SELECT id, site_id, COALESCE(parent_id, 0), name, building, floor, room FROM locations WHERE org_id = ? ORDER BY id", org); err != nil {
		return nil, err
	}
	if ix.Departments, err = queryAll(ctx, q, func(r interface{ Scan(...any) error }) (domain.Department, error) {
		var d domain.Department
		err := r.Scan(&d.ID, &d.Name, &d.Code, &d.SiteID)
		return d, err
	}, "SELECT id, name, code, COALESCE(site_id, 0) FROM departments WHERE org_id = ? ORDER BY id", org); err != nil {
		return nil, err
	}
	if ix.Zones, err = queryAll(ctx, q, func(r interface{ Scan(...any) error }) (domain.NetworkZone, error) {
		var z domain.NetworkZone
		var exp string
		err := r.Scan(&z.ID, &z.Name, &z.VLAN, &z.CIDR, &exp)
		z.Exposure = domain.Exposure(exp)
		return z, err
	}, "SELECT id, name, COALESCE(vlan, 0), cidr, exposure FROM network_zones WHERE org_id = ? ORDER BY id", org); err != nil {
		return nil, err
	}
	if ix.Manufacturers, err = queryAll(ctx, q, func(r interface{ Scan(...any) error }) (domain.Manufacturer, error) {
		var m domain.Manufacturer
		var aliases string
		err := r.Scan(&m.ID, &m.Name, &aliases)
		if aliases != "" {
			m.Aliases = strings.Split(aliases, "\n")
		}
		return m, err
	}, "SELECT id, name, aliases FROM manufacturers WHERE org_id = ? ORDER BY id", org); err != nil {
		return nil, err
	}
	if ix.Products, err = queryAll(ctx, q, func(r interface{ Scan(...any) error }) (domain.Product, error) {
		var p domain.Product
		err := r.Scan(&p.ID, &p.ManufacturerID, &p.Name, &p.ModelNumber, &p.Category, &p.MedicalDevice)
		return p, err
	}, "SELECT id, manufacturer_id, name, model_number, category, medical_device FROM products WHERE org_id = ? ORDER BY id", org); err != nil {
		return nil, err
	}
	if ix.Versions, err = queryAll(ctx, q, func(r interface{ Scan(...any) error }) (domain.ProductVersion, error) {
		var v domain.ProductVersion
		err := r.Scan(&v.ID, &v.ProductID, &v.Version)
		return v, err
	}, "SELECT id, product_id, version FROM product_versions WHERE org_id = ? ORDER BY id", org); err != nil {
		return nil, err
	}
	ix.Assets, err = queryAll(ctx, q, func(r interface{ Scan(...any) error }) (domain.Asset, error) {
		var a domain.Asset
		var crit, status string
		var bought *time.Time
		var cost int64
		err := r.Scan(&a.ID, &a.ProductVersionID, &a.AssetTag, &a.Serial, &a.SiteID, &a.LocationID, &a.DepartmentID, &a.ZoneID,
			&a.IP, &a.MAC, &a.Hostname, &a.Owner, &crit, &a.PatientData, &bought, &cost, &status, &a.Notes)
		a.OrgID, a.Criticality, a.Status = org, domain.Criticality(crit), domain.AssetStatus(status)
		a.PurchaseDate, a.ReplacementCost = dateOf(bought), domain.Money(cost)
		return a, err
	}, `SELECT id, product_version_id, asset_tag, serial, COALESCE(site_id, 0), COALESCE(location_id, 0), COALESCE(department_id, 0),
		COALESCE(zone_id, 0), ip, mac, hostname, owner, criticality, patient_data, purchase_date, replacement_cost, status, notes
		FROM assets WHERE org_id = ? ORDER BY id`, org)
	return ix, err
}

// InventoryUpload is a file waiting in the web UI between its preview and the confirmation.
type InventoryUpload struct {
	ID       int64     `json:"id"`
	UserID   int64     `json:"user_id,omitempty"`
	FileName string    `json:"file_name"`
	SHA256   string    `json:"sha256"`
	Content  []byte    `json:"-"`
	Created  time.Time `json:"created"`
}

// UploadTTL is how long an upload waits for its confirmation.
const UploadTTL = 24 * time.Hour

// SaveInventoryUpload keeps an uploaded file for its preview and removes the organisation's uploads
// older than UploadTTL. It is not audited: nothing in the inventory changes until the import is
// confirmed, which is.
func (tx *Tx) SaveInventoryUpload(ctx context.Context, u *InventoryUpload) error {
	u.Created = now()
	if _, err := tx.Exec(ctx, "DELETE FROM inventory_uploads WHERE org_id = ? AND created < ?", tx.org, u.Created.Add(-UploadTTL)); err != nil {
		return err
	}
	id, err := tx.InsertID(ctx, `INSERT INTO inventory_uploads (org_id, user_id, file_name, sha256, content, created)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, tx.org, nullID(u.UserID), u.FileName, u.SHA256, u.Content, u.Created)
	u.ID = id
	return err
}

// InventoryUpload returns an upload of the organisation that has not expired.
func (sc *Scope) InventoryUpload(ctx context.Context, id int64) (InventoryUpload, error) {
	var u InventoryUpload
	err := sc.QueryRow(ctx, `SELECT id, COALESCE(user_id, 0), file_name, sha256, content, created FROM inventory_uploads
		WHERE org_id = ? AND id = ? AND created >= ?`, sc.org, id, now().Add(-UploadTTL)).Scan(&u.ID, &u.UserID, &u.FileName, &u.SHA256, &u.Content, &u.Created)
	u.Created = u.Created.UTC()
	return u, NotFound(err, "upload (it may have expired; upload the file again)")
}

// DeleteInventoryUpload removes an upload once it was imported.
func (tx *Tx) DeleteInventoryUpload(ctx context.Context, id int64) error {
	_, err := tx.Exec(ctx, "DELETE FROM inventory_uploads WHERE org_id = ? AND id = ?", tx.org, id)
	return err
}

// InventoryImport is the record of an applied import.
type InventoryImport struct {
	ID        int64     `json:"id"`
	FileName  string    `json:"file_name"`
	SHA256    string    `json:"sha256"`
	Format    string    `json:"format"`
	Rows      int       `json:"rows"`
	Created   int       `json:"created"`
	Updated   int       `json:"updated"`
	Unchanged int       `json:"unchanged"`
	Rejected  int       `json:"rejected"`
	Actor     string    `json:"actor"`
	Time      time.Time `json:"time"`
}

// RecordInventoryImport keeps the record of an import in its transaction (the audit event is the
// import's own, written with its changes).
func (tx *Tx) RecordInventoryImport(ctx context.Context, r *InventoryImport) error {
	r.Time = now()
	r.Actor = domain.ActorFrom(ctx).Name
	id, err := tx.InsertID(ctx, `INSERT INTO inventory_imports (org_id, file_name, sha256, format, rows_total, created, updated, unchanged,
		rejected, actor, time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, tx.org, r.FileName, r.SHA256, r.Format, r.Rows,
		r.Created, r.Updated, r.Unchanged, r.Rejected, r.Actor, r.Time)
	r.ID = id
	return err
}

// InventoryImports lists the organisation's imports, newest first.
func (sc *Scope) InventoryImports(ctx context.Context, limit int) ([]InventoryImport, error) {
	if limit <= 0 || limit > domain.MaxPageSize {
		limit = domain.DefaultPageSize
	}
	return queryAll(ctx, sc.Q, func(r interface{ Scan(...any) error }) (InventoryImport, error) {
		var i InventoryImport
		err := r.Scan(&i.ID, &i.FileName, &i.SHA256, &i.Format, &i.Rows, &i.Created, &i.Updated, &i.Unchanged, &i.Rejected, &i.Actor, &i.Time)
		i.Time = i.Time.UTC()
		return i, err
	}, `SELECT id, file_name, sha256, format, rows_total, created, updated, unchanged, rejected, actor, time FROM inventory_imports
		WHERE org_id = ? ORDER BY id DESC LIMIT ?`, sc.org, limit)
}
