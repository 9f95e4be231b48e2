package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// Assets: the installed devices. Lists filter on the asset's own indexed columns, and reach product,
// manufacturer, category, exposure and end of support through small subqueries on the (few hundred)
// product versions, so counting and paging 50,000 devices needs no join of the whole table.

const assetCols = `a.id, a.org_id, a.product_version_id, a.asset_tag, a.serial, COALESCE(a.site_id, 0), COALESCE(a.location_id, 0),
	COALESCE(a.department_id, 0), COALESCE(a.zone_id, 0), a.ip, a.mac, a.hostname, a.owner, a.criticality, a.patient_data,
	a.purchase_date, a.replacement_cost, a.status, a.notes, a.created, a.updated,
	m.id, m.name, p.id, p.name, p.model_number, p.category, p.replacement_cost, pv.version, pv.operating_system,
	pv.end_of_support, p.end_of_support, COALESCE(s.name, ''), COALESCE(l.name, ''), COALESCE(d.name, ''), COALESCE(z.name, ''),
	COALESCE(z.exposure, '')`

const assetFrom = ` FROM assets a
	JOIN product_versions pv ON pv.id = a.product_version_id
	JOIN products p ON p.id = pv.product_id
	JOIN manufacturers m ON m.id = p.manufacturer_id
	LEFT JOIN sites s ON s.id = a.site_id
	LEFT JOIN locations l ON l.id = a.location_id
	LEFT JOIN departments d ON d.id = a.department_id
	LEFT JOIN network_zones z ON z.id = a.zone_id`

func scanAsset(sc interface{ Scan(...any) error }) (domain.Asset, error) {
	var a domain.Asset
	r := &domain.AssetRef{}
	var crit, status, exposure string
	var bought, vEOS, pEOS *time.Time
	var cost, pcost int64
	err := sc.Scan(&a.ID, &a.OrgID, &a.ProductVersionID, &a.AssetTag, &a.Serial, &a.SiteID, &a.LocationID, &a.DepartmentID, &a.ZoneID,
		&a.IP, &a.MAC, &a.Hostname, &a.Owner, &crit, &a.PatientData, &bought, &cost, &status, &a.Notes, &a.Created, &a.Updated,
		&r.ManufacturerID, &r.Manufacturer, &r.ProductID, &r.Product, &r.ModelNumber, &r.Category, &pcost, &r.Version, &r.OperatingSystem,
		&vEOS, &pEOS, &r.Site, &r.Location, &r.Department, &r.Zone, &exposure)
	a.Criticality, a.Status, r.Exposure = domain.Criticality(crit), domain.AssetStatus(status), domain.Exposure(exposure)
	a.PurchaseDate, a.ReplacementCost, r.ProductCost = dateOf(bought), domain.Money(cost), domain.Money(pcost)
	r.EndOfSupport = dateOf(vEOS)
	if r.EndOfSupport.IsZero() {
		r.EndOfSupport = dateOf(pEOS)
	}
	a.Created, a.Updated = a.Created.UTC(), a.Updated.UTC()
	a.Ref = r
	return a, err
}

var assetSort = map[string]string{
	"tag": "a.asset_tag", "serial": "a.serial", "hostname": "a.hostname", "ip": "a.ip", "status": "a.status",
	"criticality":   "CASE a.criticality WHEN 'life-sustaining' THEN 0 WHEN 'critical' THEN 1 WHEN 'important' THEN 2 ELSE 3 END",
	"purchase_date": "a.purchase_date", "updated": "a.updated", "created": "a.created",
	"manufacturer": "m.name_key", "product": "p.name_key", "version": "pv.version_key", "category": "p.category",
	"site": "s.name_key", "location": "l.name_key", "department": "d.name_key", "zone": "z.name_key",
	"support": "COALESCE(pv.end_of_support, p.end_of_support)",
}

// termMatch is what one search term matches in a small table: the ids of the rows (and the subquery
// that finds them, used instead of a long id list).
type termMatch struct {
	all     bool   // the term matches every device
	col     string // the asset column that refers to the table
	ids     []int64
	sub     string
	subArgs []any
}

// maxInList is the longest id list written into a query; longer ones use the subquery.
const maxInList = 300

// searchTermMatches resolves each search term against the small tables (product versions with their
// product and manufacturer, departments, locations, zones) before the devices are scanned, so that the
// scan tests each device against a few ids instead of evaluating subqueries.
func (sc *Scope) searchTermMatches(ctx context.Context, q string) (map[string][]termMatch, error) {
	out := map[string][]termMatch{}
	terms := searchTerms(q)
	if len(terms) == 0 {
		return out, nil
	}
	versions, err := sc.Count(ctx, "SELECT COUNT(*) FROM product_versions WHERE org_id = ?", sc.org)
	if err != nil {
		return nil, err
	}
	for _, t := range terms {
		l := likeArg(t)
		for _, m := range []termMatch{
			{col: "a.product_version_id", sub: `SELECT pv.id FROM product_versions pv JOIN products p ON p.id = pv.product_id
				JOIN manufacturers m ON m.id = p.manufacturer_id WHERE pv.org_id = ? AND (p.name_key LIKE ? ESCAPE '\'
				OR LOWER(p.model_number) LIKE ? ESCAPE '\' OR p.category LIKE ? ESCAPE '\' OR m.name_key LIKE ? ESCAPE '\'
				OR LOWER(m.aliases) LIKE ? ESCAPE '\' OR pv.version_key LIKE ? ESCAPE '\' OR LOWER(pv.operating_system) LIKE ? ESCAPE '\')`,
				subArgs: []any{sc.org, l, l, l, l, l, l, l}},
			{col: "a.department_id", sub: `SELECT id FROM departments WHERE org_id = ? AND (name_key LIKE ? ESCAPE '\' OR LOWER(code) LIKE ? ESCAPE '\')`,
				subArgs: []any{sc.org, l, l}},
			{col: "a.location_id", sub: `SELECT id FROM locations WHERE org_id = ? AND name_key LIKE ? ESCAPE '\'`, subArgs: []any{sc.org, l}},
			{col: "a.zone_id", sub: `SELECT id FROM network_zones WHERE org_id = ? AND name_key LIKE ? ESCAPE '\'`, subArgs: []any{sc.org, l}},
		} {
			ids, err := queryAll(ctx, sc.Q, func(r interface{ Scan(...any) error }) (int64, error) {
				var id int64
				return id, r.Scan(&id)
			}, m.sub, m.subArgs...)
			if err != nil {
				return nil, err
			}
			m.ids = ids
			if m.col == "a.product_version_id" && len(ids) == versions && versions > 0 {
				// Every device has a version: the term matches them all and filters nothing.
				out[t] = []termMatch{{all: true}}
				break
			}
			out[t] = append(out[t], m)
		}
	}
	return out, nil
}

// assetWhere builds the WHERE clause of an asset filter (over "assets a" alone). The asset's own text is
// searched with instr/strpos on the folded search column, which is several times cheaper than LIKE;
// the names of what it refers to through the ids that terms resolved to (searchTermMatches).
func assetWhere(engine string, org int64, f domain.AssetFilter, terms map[string][]termMatch) (string, []any) {
	contains := "instr(a.search, ?) > 0"
	if engine == "postgres" {
		contains = "strpos(a.search, ?) > 0"
	}
	where, args := []string{"a.org_id = ?"}, []any{org}
	eq := func(col string, v any) {
		where, args = append(where, col+" = ?"), append(args, v)
	}
	if f.SiteID != 0 {
		eq("a.site_id", f.SiteID)
	}
	if f.LocationID != 0 {
		where = append(where, "a.location_id IN (SELECT id FROM locations WHERE org_id = ? AND (id = ? OR parent_id = ?))")
		args = append(args, org, f.LocationID, f.LocationID)
	}
	if f.DepartmentID != 0 {
		eq("a.department_id", f.DepartmentID)
	}
	if f.ZoneID != 0 {
		eq("a.zone_id", f.ZoneID)
	}
	if f.ProductVersionID != 0 {
		eq("a.product_version_id", f.ProductVersionID)
	}
	if f.Criticality != "" {
		eq("a.criticality", string(f.Criticality))
	}
	if f.Status != "" {
		eq("a.status", string(f.Status))
	}
	// Conditions on the product version, product or manufacturer select version ids.
	var pv []string
	var pvArgs []any
	if f.ProductID != 0 {
		pv, pvArgs = append(pv, "p.id = ?"), append(pvArgs, f.ProductID)
	}
	if f.ManufacturerID != 0 {
		pv, pvArgs = append(pv, "p.manufacturer_id = ?"), append(pvArgs, f.ManufacturerID)
	}
	if f.Category != "" {
		pv, pvArgs = append(pv, "p.category = ?"), append(pvArgs, f.Category)
	}
	if f.Support != "" {
		today := f.Today
		if today.IsZero() {
			today = domain.DateOf(time.Now().UTC())
		}
		soon := today.AddDays(domain.SupportSoonDays + 1)
		const eos = "COALESCE(pv.end_of_support, p.end_of_support)"
		switch f.Support {
		case domain.SupportPast:
			pv, pvArgs = append(pv, eos+" < ?"), append(pvArgs, today.Time())
		case domain.SupportSoon:
			pv, pvArgs = append(pv, eos+" >= ? AND "+eos+" < ?"), append(pvArgs, today.Time(), soon.Time())
		case domain.SupportSupported:
			pv, pvArgs = append(pv, eos+" >= ?"), append(pvArgs, soon.Time())
		default:
			pv = append(pv, "pv.end_of_support IS NULL AND p.end_of_support IS NULL")
		}
	}
	if len(pv) > 0 {
		where = append(where, "a.product_version_id IN (SELECT pv.id FROM product_versions pv JOIN products p ON p.id = pv.product_id WHERE pv.org_id = ? AND "+
			strings.Join(pv, " AND ")+")")
		args = append(append(args, org), pvArgs...)
	}
	if f.Exposure != "" {
		where = append(where, "a.zone_id IN (SELECT id FROM network_zones WHERE org_id = ? AND exposure = ?)")
		args = append(args, org, string(f.Exposure))
	}
	for _, t := range searchTerms(f.Q) {
		if ms := terms[t]; len(ms) == 1 && ms[0].all {
			continue
		}
		or, orArgs := []string{contains}, []any{t}
		for _, m := range terms[t] {
			if len(m.ids) == 0 {
				continue
			}
			if len(m.ids) > maxInList {
				or, orArgs = append(or, m.col+" IN ("+m.sub+")"), append(orArgs, m.subArgs...)
				continue
			}
			or = append(or, m.col+" IN (?"+strings.Repeat(", ?", len(m.ids)-1)+")")
			for _, id := range m.ids {
				orArgs = append(orArgs, id)
			}
		}
		where, args = append(where, "("+strings.Join(or, " OR ")+")"), append(args, orArgs...)
	}
	return strings.Join(where, " AND "), args
}

// Assets lists devices, filtered, searched, sorted and paged. The search matches every term (AND) in
// the tag, serial number, host name, IP, MAC, owner and notes, or in the names of the product,
// manufacturer, version, operating system, department, location or zone.
func (sc *Scope) Assets(ctx context.Context, f domain.AssetFilter) (domain.Page[domain.Asset], error) {
	f.ListParams = f.ListParams.Normalize()
	out := domain.Page[domain.Asset]{Limit: f.Limit, Offset: f.Offset, Items: []domain.Asset{}}
	terms, err := sc.searchTermMatches(ctx, f.Q)
	if err != nil {
		return out, err
	}
	w, args := assetWhere(sc.Engine(), sc.org, f, terms)
	order := sortClause(f.Sort, assetSort, "a.asset_tag") + ", a.id"
	if f.Q != "" {
		// A search tests every device anyway: find the page and count the hits in one pass (a window
		// count) instead of a count and a page that would each test them all.
		ids, total, err := sc.searchPage(ctx, w, args, order, f)
		if err != nil || len(ids) == 0 {
			out.Total = total
			return out, err
		}
		out.Total = total
		idArgs := make([]any, len(ids))
		for i, id := range ids {
			idArgs[i] = id
		}
		out.Items, err = queryAll(ctx, sc.Q, scanAsset, "SELECT "+assetCols+assetFrom+" WHERE a.id IN (?"+strings.Repeat(", ?", len(ids)-1)+
			") ORDER BY "+order, idArgs...)
		return out, err
	}
	if out.Total, err = sc.Count(ctx, "SELECT COUNT(*) FROM assets a WHERE "+w, args...); err != nil {
		return out, err
	}
	if out.Total == 0 || f.Offset >= out.Total {
		return out, nil
	}
	// Deferred join: find the page's ids over the assets table (joined only with what the sort order
	// needs), then fetch the context of those few rows. Starting from the page (a derived table with a
	// limit) makes both engines join only its rows.
	page := "SELECT a.id FROM assets a" + sortJoins(f.Sort) + " WHERE " + w + " ORDER BY " + order + " LIMIT ? OFFSET ?"
	from := " FROM (" + page + ") pg JOIN assets a ON a.id = pg.id" + strings.TrimPrefix(assetFrom, " FROM assets a")
	out.Items, err = queryAll(ctx, sc.Q, scanAsset, "SELECT "+assetCols+from+" ORDER BY "+order, append(args, f.Limit, f.Offset)...)
	return out, err
}

// searchPage returns the ids of one page of a search and the number of hits.
func (sc *Scope) searchPage(ctx context.Context, w string, args []any, order string, f domain.AssetFilter) ([]int64, int, error) {
	rows, err := sc.Query(ctx, "SELECT a.id, COUNT(*) OVER () FROM assets a"+sortJoins(f.Sort)+" WHERE "+w+" ORDER BY "+order+" LIMIT ? OFFSET ?",
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var ids []int64
	total := 0
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id, &total); err != nil {
			return nil, 0, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if len(ids) == 0 && f.Offset > 0 { // past the last page: count alone
		total, err = sc.Count(ctx, "SELECT COUNT(*) FROM assets a WHERE "+w, args...)
	}
	return ids, total, err
}

// sortJoins returns the joins a sort key needs besides the assets table.
func sortJoins(key string) string {
	switch strings.TrimPrefix(key, "-") {
	case "manufacturer", "product", "version", "category", "support":
		return " JOIN product_versions pv ON pv.id = a.product_version_id JOIN products p ON p.id = pv.product_id JOIN manufacturers m ON m.id = p.manufacturer_id"
	case "site":
		return " LEFT JOIN sites s ON s.id = a.site_id"
	case "location":
		return " LEFT JOIN locations l ON l.id = a.location_id"
	case "department":
		return " LEFT JOIN departments d ON d.id = a.department_id"
	case "zone":
		return " LEFT JOIN network_zones z ON z.id = a.zone_id"
	}
	return ""
}

// Asset returns one device with its context.
func (sc *Scope) Asset(ctx context.Context, id int64) (domain.Asset, error) {
	a, err := scanAsset(sc.QueryRow(ctx, "SELECT "+assetCols+assetFrom+" WHERE a.org_id = ? AND a.id = ?", sc.org, id))
	return a, NotFound(err, "device")
}

// AssetByTag returns the device with an asset tag.
func (sc *Scope) AssetByTag(ctx context.Context, tag string) (domain.Asset, error) {
	a, err := scanAsset(sc.QueryRow(ctx, "SELECT "+assetCols+assetFrom+" WHERE a.org_id = ? AND a.asset_tag = ?", sc.org, strings.TrimSpace(tag)))
	return a, NotFound(err, fmt.Sprintf("device with asset tag %q", tag))
}

// assetSearch is the folded searchable text of an asset's own fields.
func assetSearch(a *domain.Asset) string {
	return strings.ToLower(strings.Join([]string{a.AssetTag, a.Serial, a.Hostname, a.IP, a.MAC, a.Owner, a.Notes}, " "))
}

func assetArgs(a *domain.Asset) []any {
	return []any{a.ProductVersionID, a.AssetTag, a.Serial, nullID(a.SiteID), nullID(a.LocationID), nullID(a.DepartmentID), nullID(a.ZoneID),
		a.IP, a.MAC, a.Hostname, a.Owner, string(a.Criticality), a.PatientData, dateArg(a.PurchaseDate), int64(a.ReplacementCost),
		string(a.Status), a.Notes, assetSearch(a)}
}

const assetInsertCols = `product_version_id, asset_tag, serial, site_id, location_id, department_id, zone_id, ip, mac, hostname, owner,
	criticality, patient_data, purchase_date, replacement_cost, status, notes, search, org_id, created, updated`

// checkAssetRefs verifies that the ids an asset refers to are the organisation's, and that its
// location is at its site.
func (tx *Tx) checkAssetRefs(ctx context.Context, a *domain.Asset) error {
	for _, r := range []struct {
		field, table, what string
		id                 int64
	}{{"product_version_id", "product_versions", "product version", a.ProductVersionID}, {"site_id", "sites", "site", a.SiteID},
		{"location_id", "locations", "location", a.LocationID}, {"department_id", "departments", "department", a.DepartmentID},
		{"zone_id", "network_zones", "network zone", a.ZoneID}} {
		if err := tx.refCheck(ctx, tx.org, r.field, r.table, r.what, r.id); err != nil {
			return err
		}
	}
	if a.LocationID != 0 {
		l, err := tx.scope().Location(ctx, a.LocationID)
		if err != nil {
			return err
		}
		if a.SiteID == 0 {
			a.SiteID = l.SiteID
		} else if l.SiteID != a.SiteID {
			return domain.Invalid("location_id", "location %s is at another site (%s)", l.Name, l.Site)
		}
	}
	return nil
}

func (tx *Tx) uniqueTag(err error, tag string) error {
	if domain.ErrorCode(err) == domain.EConflict && tag != "" {
		return domain.Invalid("asset_tag", "another device has the asset tag %s", tag)
	}
	return err
}

// CreateAsset adds a device. today is the reference day for the purchase-date check.
func (tx *Tx) CreateAsset(ctx context.Context, a *domain.Asset, today domain.Date) error {
	if err := a.Validate(today); err != nil {
		return err
	}
	if err := tx.checkAssetRefs(ctx, a); err != nil {
		return err
	}
	a.OrgID, a.Created = tx.org, now()
	a.Updated = a.Created
	id, err := tx.InsertID(ctx, "INSERT INTO assets ("+assetInsertCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		append(assetArgs(a), tx.org, a.Created, a.Updated)...)
	if err != nil {
		return tx.uniqueTag(err, a.AssetTag)
	}
	a.ID = id
	return tx.Audit(ctx, AuditEntry{Action: "asset.create", Entity: "asset", EntityID: id, Summary: "added device " + a.Name(), Data: a})
}

// UpdateAsset changes a device and records what changed.
func (tx *Tx) UpdateAsset(ctx context.Context, a domain.Asset, today domain.Date) error {
	if err := a.Validate(today); err != nil {
		return err
	}
	before, err := tx.scope().Asset(ctx, a.ID)
	if err != nil {
		return err
	}
	if err := tx.checkAssetRefs(ctx, &a); err != nil {
		return err
	}
	if err := tx.updateAsset(ctx, &a); err != nil {
		return err
	}
	before.Ref, a.Ref = nil, nil
	c := changes(before, a)
	return tx.Audit(ctx, AuditEntry{Action: "asset.update", Entity: "asset", EntityID: a.ID, Summary: "changed device " + a.Name() + ": " + changedFields(c), Data: c})
}

func (tx *Tx) updateAsset(ctx context.Context, a *domain.Asset) error {
	a.Updated = now()
	res, err := tx.Exec(ctx, `UPDATE assets SET product_version_id = ?, asset_tag = ?, serial = ?, site_id = ?, location_id = ?, department_id = ?,
		zone_id = ?, ip = ?, mac = ?, hostname = ?, owner = ?, criticality = ?, patient_data = ?, purchase_date = ?, replacement_cost = ?,
		status = ?, notes = ?, search = ?, updated = ? WHERE org_id = ? AND id = ?`, append(assetArgs(a), a.Updated, tx.org, a.ID)...)
	if err != nil {
		return tx.uniqueTag(err, a.AssetTag)
	}
	return affected(res, "device")
}

// DeleteAsset removes a device. (Devices that left the hospital are usually kept with status retired.)
func (tx *Tx) DeleteAsset(ctx context.Context, id int64) error {
	a, err := tx.scope().Asset(ctx, id)
	if err != nil {
		return err
	}
	linked, err := tx.Count(ctx, "SELECT COUNT(*) FROM incident_assets WHERE org_id = ? AND asset_id = ?", tx.org, id)
	if err != nil {
		return err
	}
	if linked > 0 {
		return domain.Errorf(domain.EConflict, "device %s is linked to %d incident(s) and stays part of their record; set its status to retired instead",
			a.Name(), linked)
	}
	if _, err := tx.Exec(ctx, "DELETE FROM assets WHERE org_id = ? AND id = ?", tx.org, id); err != nil {
		return err
	}
	a.Ref = nil
	return tx.Audit(ctx, AuditEntry{Action: "asset.delete", Entity: "asset", EntityID: id, Summary: "deleted device " + a.Name(), Data: a})
}

// assetBatch is the number of rows per multi-row INSERT (21 parameters each, well below both engines'
// limits).
const assetBatch = 200

// SaveAssets writes many devices at once, for imports and the demo: it inserts create (in multi-row
// statements) and updates update (by id), then appends the one audit event that describes the batch.
// Devices must be validated and refer to the organisation's records (the database refuses others);
// their ids are not filled in.
func (tx *Tx) SaveAssets(ctx context.Context, create, update []domain.Asset, audit AuditEntry) error {
	if audit.Action == "" {
		return fmt.Errorf("save assets: the batch needs an audit entry")
	}
	ts := now()
	for start := 0; start < len(create); start += assetBatch {
		batch := create[start:min(start+assetBatch, len(create))]
		var b strings.Builder
		b.WriteString("INSERT INTO assets (" + assetInsertCols + ") VALUES ")
		args := make([]any, 0, len(batch)*21)
		for i := range batch {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(append(args, assetArgs(&batch[i])...), tx.org, ts, ts)
		}
		if _, err := tx.Exec(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("insert devices %d–%d: %w", start+1, start+len(batch), tx.uniqueTag(err, "(in this batch)"))
		}
	}
	for i := range update {
		if err := tx.updateAsset(ctx, &update[i]); err != nil {
			return fmt.Errorf("update device %s: %w", update[i].Name(), err)
		}
	}
	if len(create) >= 1000 && tx.Engine() == "postgres" {
		// Fresh statistics, so that the planner does not take a large inventory for an empty one until
		// autovacuum comes round (ANALYZE is transactional and sees the new rows).
		if _, err := tx.Exec(ctx, "ANALYZE assets"); err != nil {
			return err
		}
	}
	return tx.Audit(ctx, audit)
}

// InventoryStats computes the dashboard figures on the day today. Retired devices are counted only in
// Retired and ByStatus. The devices are grouped over the assets table alone; the few zones and product
// versions are looked up afterwards.
func (sc *Scope) InventoryStats(ctx context.Context, today domain.Date) (domain.InventoryStats, error) {
	st := domain.InventoryStats{ByCriticality: map[domain.Criticality]int{}, ByStatus: map[domain.AssetStatus]int{},
		ByExposure: map[domain.Exposure]int{}, ByCategory: map[string]int{}}
	exposure := map[int64]domain.Exposure{}
	rows, err := sc.Query(ctx, "SELECT id, exposure FROM network_zones WHERE org_id = ?", sc.org)
	if err != nil {
		return st, err
	}
	for rows.Next() {
		var id int64
		var exp string
		if err := rows.Scan(&id, &exp); err != nil {
			rows.Close()
			return st, err
		}
		exposure[id] = domain.Exposure(exp)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, err
	}
	type group struct {
		status, crit string
		zone         int64
		patient      bool
		n            int
	}
	groups, err := queryAll(ctx, sc.Q, func(r interface{ Scan(...any) error }) (group, error) {
		var g group
		err := r.Scan(&g.status, &g.crit, &g.zone, &g.patient, &g.n)
		return g, err
	}, `SELECT status, criticality, COALESCE(zone_id, 0), patient_data, COUNT(*) FROM assets WHERE org_id = ?
		GROUP BY status, criticality, zone_id, patient_data`, sc.org)
	if err != nil {
		return st, err
	}
	for _, g := range groups {
		st.ByStatus[domain.AssetStatus(g.status)] += g.n
		if domain.AssetStatus(g.status) == domain.StatusRetired {
			st.Retired += g.n
			continue
		}
		st.Devices += g.n
		st.ByCriticality[domain.Criticality(g.crit)] += g.n
		st.ByExposure[exposure[g.zone]] += g.n
		if g.patient {
			st.PatientData += g.n
		}
	}
	type version struct {
		category   string
		vEOS, pEOS *time.Time
		cost       int64
	}
	versions := map[int64]version{}
	rows, err = sc.Query(ctx, `SELECT pv.id, p.category, pv.end_of_support, p.end_of_support, p.replacement_cost
		FROM product_versions pv JOIN products p ON p.id = pv.product_id WHERE pv.org_id = ?`, sc.org)
	if err != nil {
		return st, err
	}
	for rows.Next() {
		var id int64
		var v version
		if err := rows.Scan(&id, &v.category, &v.vEOS, &v.pEOS, &v.cost); err != nil {
			rows.Close()
			return st, err
		}
		versions[id] = v
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, err
	}
	type byVersion struct {
		id, own  int64
		n, inher int
	}
	perVersion, err := queryAll(ctx, sc.Q, func(r interface{ Scan(...any) error }) (byVersion, error) {
		var b byVersion
		err := r.Scan(&b.id, &b.n, &b.own, &b.inher)
		return b, err
	}, `SELECT product_version_id, COUNT(*), COALESCE(SUM(replacement_cost), 0), COALESCE(SUM(CASE WHEN replacement_cost = 0 THEN 1 ELSE 0 END), 0)
		FROM assets WHERE org_id = ? AND status <> 'retired' GROUP BY product_version_id`, sc.org)
	if err != nil {
		return st, err
	}
	for _, b := range perVersion {
		v := versions[b.id]
		st.ByCategory[v.category] += b.n
		eos := dateOf(v.vEOS)
		if eos.IsZero() {
			eos = dateOf(v.pEOS)
		}
		switch domain.SupportOf(eos, today) {
		case domain.SupportPast:
			st.PastSupport += b.n
		case domain.SupportSoon:
			st.SoonSupport += b.n
		case domain.SupportUnknown:
			st.UnknownSupp += b.n
		}
		st.Value += domain.Money(b.own + int64(b.inher)*v.cost)
	}
	st.Versions = len(versions)
	st.Products, err = sc.Count(ctx, "SELECT COUNT(*) FROM products WHERE org_id = ?", sc.org)
	return st, err
}
