package store

import (
	"context"

	"github.com/vigil-med/vigil/internal/domain"
)

// Sites, locations, departments and network zones: where the organisation's devices are.

const siteCols = `s.id, s.org_id, s.name, s.code, s.address, s.created, s.updated,
	(SELECT COUNT(*) FROM assets a WHERE a.org_id = s.org_id AND a.site_id = s.id)`

func scanSite(sc interface{ Scan(...any) error }) (domain.Site, error) {
	var s domain.Site
	err := sc.Scan(&s.ID, &s.OrgID, &s.Name, &s.Code, &s.Address, &s.Created, &s.Updated, &s.Assets)
	s.Created, s.Updated = s.Created.UTC(), s.Updated.UTC()
	return s, err
}

// Sites lists the organisation's sites by name, with their device counts.
func (sc *Scope) Sites(ctx context.Context) ([]domain.Site, error) {
	return queryAll(ctx, sc.Q, scanSite, "SELECT "+siteCols+" FROM sites s WHERE s.org_id = ? ORDER BY s.name_key", sc.org)
}

// Site returns one site.
func (sc *Scope) Site(ctx context.Context, id int64) (domain.Site, error) {
	s, err := scanSite(sc.QueryRow(ctx, "SELECT "+siteCols+" FROM sites s WHERE s.org_id = ? AND s.id = ?", sc.org, id))
	return s, NotFound(err, "site")
}

// CreateSite adds a site.
func (tx *Tx) CreateSite(ctx context.Context, s *domain.Site) error {
	if err := s.Validate(); err != nil {
		return err
	}
	s.OrgID, s.Created = tx.org, now()
	s.Updated = s.Created
	id, err := tx.InsertID(ctx, `INSERT INTO sites (org_id, name, name_key, code, address, created, updated)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, tx.org, s.Name, domain.NameKey(s.Name), s.Code, s.Address, s.Created, s.Updated)
	if err != nil {
		return uniqueName(err, "a site named %q exists already", s.Name)
	}
	s.ID = id
	return tx.Audit(ctx, AuditEntry{Action: "site.create", Entity: "site", EntityID: id, Summary: "created site " + s.Name, Data: s})
}

// UpdateSite changes a site.
func (tx *Tx) UpdateSite(ctx context.Context, s domain.Site) error {
	if err := s.Validate(); err != nil {
		return err
	}
	before, err := tx.scope().Site(ctx, s.ID)
	if err != nil {
		return err
	}
	res, err := tx.Exec(ctx, `UPDATE sites SET name = ?, name_key = ?, code = ?, address = ?, updated = ? WHERE org_id = ? AND id = ?`,
		s.Name, domain.NameKey(s.Name), s.Code, s.Address, now(), tx.org, s.ID)
	if err != nil {
		return uniqueName(err, "a site named %q exists already", s.Name)
	}
	if err := affected(res, "site"); err != nil {
		return err
	}
	c := changes(before, s)
	return tx.Audit(ctx, AuditEntry{Action: "site.update", Entity: "site", EntityID: s.ID, Summary: "changed site " + s.Name + ": " + changedFields(c), Data: c})
}

// DeleteSite removes a site that no location, department or device refers to.
func (tx *Tx) DeleteSite(ctx context.Context, id int64) error {
	s, err := tx.scope().Site(ctx, id)
	if err != nil {
		return err
	}
	if err := tx.inUse(ctx, "site "+s.Name,
		useCheck{"devices", "SELECT COUNT(*) FROM assets WHERE org_id = ? AND site_id = ?", []any{tx.org, id}},
		useCheck{"locations", "SELECT COUNT(*) FROM locations WHERE org_id = ? AND site_id = ?", []any{tx.org, id}},
		useCheck{"departments", "SELECT COUNT(*) FROM departments WHERE org_id = ? AND site_id = ?", []any{tx.org, id}}); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "DELETE FROM sites WHERE org_id = ? AND id = ?", tx.org, id); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "site.delete", Entity: "site", EntityID: id, Summary: "deleted site " + s.Name, Data: s})
}

const locationCols = `l.id, l.org_id, l.site_id, COALESCE(l.parent_id, 0), l.name, l.building, l.floor, l.room, l.created, l.updated,
	s.name, (SELECT COUNT(*) FROM assets a WHERE a.org_id = l.org_id AND a.location_id = l.id)`

func scanLocation(sc interface{ Scan(...any) error }) (domain.Location, error) {
	var l domain.Location
	err := sc.Scan(&l.ID, &l.OrgID, &l.SiteID, &l.ParentID, &l.Name, &l.Building, &l.Floor, &l.Room, &l.Created, &l.Updated, &l.Site, &l.Assets)
	l.Created, l.Updated = l.Created.UTC(), l.Updated.UTC()
	return l, err
}

// Locations lists the locations of a site (all sites when siteID is 0), by site and name.
func (sc *Scope) Locations(ctx context.Context, siteID int64) ([]domain.Location, error) {
	q := "SELECT " + locationCols + " FROM locations l JOIN sites s ON s.id = l.site_id WHERE l.org_id = ?"
	args := []any{sc.org}
	if siteID != 0 {
		q += " AND l.site_id = ?"
		args = append(args, siteID)
	}
	return queryAll(ctx, sc.Q, scanLocation, q+" ORDER BY s.name_key, l.name_key", args...)
}

// Location returns one location.
func (sc *Scope) Location(ctx context.Context, id int64) (domain.Location, error) {
	l, err := scanLocation(sc.QueryRow(ctx, "SELECT "+locationCols+" FROM locations l JOIN sites s ON s.id = l.site_id WHERE l.org_id = ? AND l.id = ?", sc.org, id))
	return l, NotFound(err, "location")
}

func (tx *Tx) checkLocation(ctx context.Context, l *domain.Location) error {
	if err := l.Validate(); err != nil {
		return err
	}
	if err := tx.refCheck(ctx, tx.org, "site_id", "sites", "site", l.SiteID); err != nil {
		return err
	}
	if l.ParentID == 0 {
		return nil
	}
	p, err := tx.scope().Location(ctx, l.ParentID)
	if err != nil {
		return domain.Invalid("parent_id", "there is no location with id %d", l.ParentID)
	}
	if p.SiteID != l.SiteID {
		return domain.Invalid("parent_id", "the parent location %s is at another site", p.Name)
	}
	// Refuse cycles: walk up from the parent.
	for id, depth := p.ParentID, 0; id != 0; depth++ {
		if id == l.ID || depth > 50 {
			return domain.Invalid("parent_id", "the parent location would contain this location (a cycle)")
		}
		up, err := tx.scope().Location(ctx, id)
		if err != nil {
			return err
		}
		id = up.ParentID
	}
	return nil
}

// CreateLocation adds a location to a site.
func (tx *Tx) CreateLocation(ctx context.Context, l *domain.Location) error {
	if err := tx.checkLocation(ctx, l); err != nil {
		return err
	}
	l.OrgID, l.Created = tx.org, now()
	l.Updated = l.Created
	id, err := tx.InsertID(ctx, `INSERT INTO locations (org_id, site_id, parent_id, name, name_key, building, floor, room, created, updated)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, tx.org, l.SiteID, nullID(l.ParentID), l.Name, domain.NameKey(l.Name),
		l.Building, l.Floor, l.Room, l.Created, l.Updated)
	if err != nil {
		return uniqueName(err, "the site has a location named %q already", l.Name)
	}
	l.ID = id
	return tx.Audit(ctx, AuditEntry{Action: "location.create", Entity: "location", EntityID: id, Summary: "created location " + l.Name, Data: l})
}

// UpdateLocation changes a location.
func (tx *Tx) UpdateLocation(ctx context.Context, l domain.Location) error {
	before, err := tx.scope().Location(ctx, l.ID)
	if err != nil {
		return err
	}
	if err := tx.checkLocation(ctx, &l); err != nil {
		return err
	}
	if l.SiteID != before.SiteID {
		if err := tx.inUse(ctx, "location "+before.Name,
			useCheck{"locations within it", "SELECT COUNT(*) FROM locations WHERE org_id = ? AND parent_id = ?", []any{tx.org, l.ID}}); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE locations SET site_id = ?, parent_id = ?, name = ?, name_key = ?, building = ?, floor = ?, room = ?, updated = ?
		WHERE org_id = ? AND id = ?`, l.SiteID, nullID(l.ParentID), l.Name, domain.NameKey(l.Name), l.Building, l.Floor, l.Room, now(), tx.org, l.ID); err != nil {
		return uniqueName(err, "the site has a location named %q already", l.Name)
	}
	c := changes(before, l)
	return tx.Audit(ctx, AuditEntry{Action: "location.update", Entity: "location", EntityID: l.ID, Summary: "changed location " + l.Name + ": " + changedFields(c), Data: c})
}

// DeleteLocation removes a location without devices or locations within it.
func (tx *Tx) DeleteLocation(ctx context.Context, id int64) error {
	l, err := tx.scope().Location(ctx, id)
	if err != nil {
		return err
	}
	if err := tx.inUse(ctx, "location "+l.Name,
		useCheck{"devices", "SELECT COUNT(*) FROM assets WHERE org_id = ? AND location_id = ?", []any{tx.org, id}},
		useCheck{"locations within it", "SELECT COUNT(*) FROM locations WHERE org_id = ? AND parent_id = ?", []any{tx.org, id}}); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "DELETE FROM locations WHERE org_id = ? AND id = ?", tx.org, id); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "location.delete", Entity: "location", EntityID: id, Summary: "deleted location " + l.Name, Data: l})
}

const departmentCols = `d.id, d.org_id, d.name, d.code, COALESCE(d.site_id, 0), d.created, d.updated, COALESCE(s.name, ''),
	(SELECT COUNT(*) FROM assets a WHERE a.org_id = d.org_id AND a.department_id = d.id)`

func scanDepartment(sc interface{ Scan(...any) error }) (domain.Department, error) {
	var d domain.Department
	err := sc.Scan(&d.ID, &d.OrgID, &d.Name, &d.Code, &d.SiteID, &d.Created, &d.Updated, &d.Site, &d.Assets)
	d.Created, d.Updated = d.Created.UTC(), d.Updated.UTC()
	return d, err
}

// Departments lists the organisation's departments by name.
func (sc *Scope) Departments(ctx context.Context) ([]domain.Department, error) {
	return queryAll(ctx, sc.Q, scanDepartment, "SELECT "+departmentCols+" FROM departments d LEFT JOIN sites s ON s.id = d.site_id WHERE d.org_id = ? ORDER BY d.name_key", sc.org)
}

// Department returns one department.
func (sc *Scope) Department(ctx context.Context, id int64) (domain.Department, error) {
	d, err := scanDepartment(sc.QueryRow(ctx, "SELECT "+departmentCols+" FROM departments d LEFT JOIN sites s ON s.id = d.site_id WHERE d.org_id = ? AND d.id = ?", sc.org, id))
	return d, NotFound(err, "department")
}

// CreateDepartment adds a department.
func (tx *Tx) CreateDepartment(ctx context.Context, d *domain.Department) error {
	if err := d.Validate(); err != nil {
		return err
	}
	if err := tx.refCheck(ctx, tx.org, "site_id", "sites", "site", d.SiteID); err != nil {
		return err
	}
	d.OrgID, d.Created = tx.org, now()
	d.Updated = d.Created
	id, err := tx.InsertID(ctx, `INSERT INTO departments (org_id, name, name_key, code, site_id, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		tx.org, d.Name, domain.NameKey(d.Name), d.Code, nullID(d.SiteID), d.Created, d.Updated)
	if err != nil {
		return uniqueName(err, "a department named %q exists already", d.Name)
	}
	d.ID = id
	return tx.Audit(ctx, AuditEntry{Action: "department.create", Entity: "department", EntityID: id, Summary: "created department " + d.Name, Data: d})
}

// UpdateDepartment changes a department.
func (tx *Tx) UpdateDepartment(ctx context.Context, d domain.Department) error {
	if err := d.Validate(); err != nil {
		return err
	}
	if err := tx.refCheck(ctx, tx.org, "site_id", "sites", "site", d.SiteID); err != nil {
		return err
	}
	before, err := tx.scope().Department(ctx, d.ID)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE departments SET name = ?, name_key = ?, code = ?, site_id = ?, updated = ? WHERE org_id = ? AND id = ?`,
		d.Name, domain.NameKey(d.Name), d.Code, nullID(d.SiteID), now(), tx.org, d.ID); err != nil {
		return uniqueName(err, "a department named %q exists already", d.Name)
	}
	c := changes(before, d)
	return tx.Audit(ctx, AuditEntry{Action: "department.update", Entity: "department", EntityID: d.ID, Summary: "changed department " + d.Name + ": " + changedFields(c), Data: c})
}

// DeleteDepartment removes a department without devices.
func (tx *Tx) DeleteDepartment(ctx context.Context, id int64) error {
	d, err := tx.scope().Department(ctx, id)
	if err != nil {
		return err
	}
	if err := tx.inUse(ctx, "department "+d.Name,
		useCheck{"devices", "SELECT COUNT(*) FROM assets WHERE org_id = ? AND department_id = ?", []any{tx.org, id}}); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "DELETE FROM departments WHERE org_id = ? AND id = ?", tx.org, id); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "department.delete", Entity: "department", EntityID: id, Summary: "deleted department " + d.Name, Data: d})
}

const zoneCols = `z.id, z.org_id, z.name, COALESCE(z.vlan, 0), z.cidr, z.exposure, z.description, z.created, z.updated,
	(SELECT COUNT(*) FROM assets a WHERE a.org_id = z.org_id AND a.zone_id = z.id)`

func scanZone(sc interface{ Scan(...any) error }) (domain.NetworkZone, error) {
	var z domain.NetworkZone
	var exp string
	err := sc.Scan(&z.ID, &z.OrgID, &z.Name, &z.VLAN, &z.CIDR, &exp, &z.Description, &z.Created, &z.Updated, &z.Assets)
	z.Exposure = domain.Exposure(exp)
	z.Created, z.Updated = z.Created.UTC(), z.Updated.UTC()
	return z, err
}

// Zones lists the organisation's network zones, most exposed first.
func (sc *Scope) Zones(ctx context.Context) ([]domain.NetworkZone, error) {
	return queryAll(ctx, sc.Q, scanZone, `SELECT `+zoneCols+` FROM network_zones z WHERE z.org_id = ?
		ORDER BY CASE z.exposure WHEN 'internet-facing' THEN 0 WHEN 'dmz' THEN 1 WHEN 'clinical-lan' THEN 2 WHEN 'office-lan' THEN 3
		WHEN 'isolated-vlan' THEN 4 ELSE 5 END, z.name_key`, sc.org)
}

// Zone returns one network zone.
func (sc *Scope) Zone(ctx context.Context, id int64) (domain.NetworkZone, error) {
	z, err := scanZone(sc.QueryRow(ctx, "SELECT "+zoneCols+" FROM network_zones z WHERE z.org_id = ? AND z.id = ?", sc.org, id))
	return z, NotFound(err, "network zone")
}

// CreateZone adds a network zone.
func (tx *Tx) CreateZone(ctx context.Context, z *domain.NetworkZone) error {
	if err := z.Validate(); err != nil {
		return err
	}
	z.OrgID, z.Created = tx.org, now()
	z.Updated = z.Created
	id, err := tx.InsertID(ctx, `INSERT INTO network_zones (org_id, name, name_key, vlan, cidr, exposure, description, created, updated)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, tx.org, z.Name, domain.NameKey(z.Name), nullID(int64(z.VLAN)), z.CIDR,
		string(z.Exposure), z.Description, z.Created, z.Updated)
	if err != nil {
		return uniqueName(err, "a network zone named %q exists already", z.Name)
	}
	z.ID = id
	return tx.Audit(ctx, AuditEntry{Action: "zone.create", Entity: "network_zone", EntityID: id,
		Summary: "created network zone " + z.Name + " (" + z.Exposure.Label() + ")", Data: z})
}

// UpdateZone changes a network zone.
func (tx *Tx) UpdateZone(ctx context.Context, z domain.NetworkZone) error {
	if err := z.Validate(); err != nil {
		return err
	}
	before, err := tx.scope().Zone(ctx, z.ID)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE network_zones SET name = ?, name_key = ?, vlan = ?, cidr = ?, exposure = ?, description = ?, updated = ?
		WHERE org_id = ? AND id = ?`, z.Name, domain.NameKey(z.Name), nullID(int64(z.VLAN)), z.CIDR, string(z.Exposure), z.Description, now(), tx.org, z.ID); err != nil {
		return uniqueName(err, "a network zone named %q exists already", z.Name)
	}
	c := changes(before, z)
	return tx.Audit(ctx, AuditEntry{Action: "zone.update", Entity: "network_zone", EntityID: z.ID, Summary: "changed network zone " + z.Name + ": " + changedFields(c), Data: c})
}

// DeleteZone removes a network zone without devices.
func (tx *Tx) DeleteZone(ctx context.Context, id int64) error {
	z, err := tx.scope().Zone(ctx, id)
	if err != nil {
		return err
	}
	if err := tx.inUse(ctx, "network zone "+z.Name,
		useCheck{"devices", "SELECT COUNT(*) FROM assets WHERE org_id = ? AND zone_id = ?", []any{tx.org, id}}); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "DELETE FROM network_zones WHERE org_id = ? AND id = ?", tx.org, id); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "zone.delete", Entity: "network_zone", EntityID: id, Summary: "deleted network zone " + z.Name, Data: z})
}

// scope returns a Scope whose queries run inside the transaction, so a Tx can use the Scope's reads.
func (tx *Tx) scope() *Scope { return &Scope{Q: tx.Q, org: tx.org} }

// queryAll runs a query and scans every row.
func queryAll[T any](ctx context.Context, q Q, scan func(interface{ Scan(...any) error }) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
