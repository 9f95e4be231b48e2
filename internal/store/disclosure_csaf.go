package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// CSAF advisories with their flattened product tree, the mapping of its products to the inventory, the
// vulnerabilities, and the remembered mapping rules.

const advisoryCols = `a.id, a.org_id, a.tracking_id, a.version, a.title, a.publisher, a.publisher_category, a.publisher_namespace, a.vendors,
	a.tlp, a.status, a.profile, a.lang, a.initial_release, a.current_release, a.aliases, a.cves, a.summary, a.refs, a.max_cvss, a.severity,
	a.document_id, a.warnings, a.imported, a.updated,
	(SELECT COUNT(*) FROM advisory_products ap WHERE ap.org_id = a.org_id AND ap.advisory_id = a.id),
	(SELECT COUNT(*) FROM advisory_products ap WHERE ap.org_id = a.org_id AND ap.advisory_id = a.id AND ap.state = 'mapped'),
	(SELECT COUNT(*) FROM advisory_products ap WHERE ap.org_id = a.org_id AND ap.advisory_id = a.id AND ap.state = 'unmapped'),
	(SELECT COUNT(*) FROM advisory_vulnerabilities av WHERE av.org_id = a.org_id AND av.advisory_id = a.id),
	(SELECT COUNT(DISTINCT apv.product_version_id) FROM advisory_product_versions apv JOIN advisory_products ap ON ap.id = apv.advisory_product_id
		WHERE apv.org_id = a.org_id AND ap.advisory_id = a.id),
	(SELECT COUNT(*) FROM assets s WHERE s.org_id = a.org_id AND s.product_version_id IN (SELECT apv.product_version_id FROM advisory_product_versions apv
		JOIN advisory_products ap ON ap.id = apv.advisory_product_id WHERE apv.org_id = a.org_id AND ap.advisory_id = a.id)) AS affected_devices`

func scanAdvisory(sc interface{ Scan(...any) error }) (domain.Advisory, error) {
	var a domain.Advisory
	var vendors, aliases, cves, refs, warnings string
	var initial, current *time.Time
	err := sc.Scan(&a.ID, &a.OrgID, &a.TrackingID, &a.Version, &a.Title, &a.Publisher, &a.PublisherCategory, &a.PublisherNamespace, &vendors,
		&a.TLP, &a.Status, &a.Profile, &a.Lang, &initial, &current, &aliases, &cves, &a.Summary, &refs, &a.MaxCVSS, &a.Severity,
		&a.DocumentID, &warnings, &a.Imported, &a.Updated, &a.Products, &a.Mapped, &a.Unmapped, &a.Vulnerabilities, &a.Versions, &a.Devices)
	a.Vendors, a.Aliases, a.CVEs, a.Warnings = discLines(vendors), discLines(aliases), strings.Fields(cves), discLines(warnings)
	if initial != nil {
		a.InitialRelease = initial.UTC()
	}
	if current != nil {
		a.CurrentRelease = current.UTC()
	}
	if refs != "" {
		_ = json.Unmarshal([]byte(refs), &a.References)
	}
	a.Imported, a.Updated = a.Imported.UTC(), a.Updated.UTC()
	return a, err
}

var advisorySort = map[string]string{"release": "a.current_release", "tracking_id": "a.tracking_id", "title": "LOWER(a.title)",
	"cvss": "a.max_cvss", "imported": "a.imported", "publisher": "LOWER(a.publisher)", "devices": "affected_devices"}

// Advisories lists advisories, newest release first unless sorted otherwise. The search matches
// tracking id, title, publisher, vendors and CVE ids.
func (sc *Scope) Advisories(ctx context.Context, f domain.AdvisoryFilter) (domain.Page[domain.Advisory], error) {
	p := f.ListParams.Normalize()
	where, args := []string{"a.org_id = ?"}, []any{sc.org}
	if f.ProductVersionID != 0 {
		where = append(where, `a.id IN (SELECT ap.advisory_id FROM advisory_products ap JOIN advisory_product_versions apv ON apv.advisory_product_id = ap.id
			WHERE apv.org_id = ? AND apv.product_version_id = ?)`)
		args = append(args, sc.org, f.ProductVersionID)
	}
	if f.ProductID != 0 {
		where = append(where, `a.id IN (SELECT ap.advisory_id FROM advisory_products ap JOIN advisory_product_links l ON l.advisory_product_id = ap.id
			WHERE l.org_id = ? AND l.product_id = ?)`)
		args = append(args, sc.org, f.ProductID)
	}
	if f.Unmapped {
		where = append(where, "a.id IN (SELECT ap.advisory_id FROM advisory_products ap WHERE ap.org_id = ? AND ap.state = 'unmapped')")
		args = append(args, sc.org)
	}
	for _, t := range searchTerms(p.Q) {
		l := likeArg(t)
		where = append(where, `(LOWER(a.tracking_id) LIKE ? ESCAPE '\' OR LOWER(a.title) LIKE ? ESCAPE '\' OR LOWER(a.publisher) LIKE ? ESCAPE '\'
			OR LOWER(a.vendors) LIKE ? ESCAPE '\' OR LOWER(a.cves) LIKE ? ESCAPE '\')`)
		args = append(args, l, l, l, l, l)
	}
	w := strings.Join(where, " AND ")
	out := domain.Page[domain.Advisory]{Limit: p.Limit, Offset: p.Offset, Items: []domain.Advisory{}}
	var err error
	if out.Total, err = sc.Count(ctx, "SELECT COUNT(*) FROM advisories a WHERE "+w, args...); err != nil {
		return out, err
	}
	order := sortClause(p.Sort, advisorySort, "a.current_release DESC") + ", a.id DESC"
	out.Items, err = queryAll(ctx, sc.Q, scanAdvisory, "SELECT "+advisoryCols+" FROM advisories a WHERE "+w+" ORDER BY "+order+" LIMIT ? OFFSET ?",
		append(args, p.Limit, p.Offset)...)
	return out, err
}

// Advisory returns one advisory.
func (sc *Scope) Advisory(ctx context.Context, id int64) (domain.Advisory, error) {
	a, err := scanAdvisory(sc.QueryRow(ctx, "SELECT "+advisoryCols+" FROM advisories a WHERE a.org_id = ? AND a.id = ?", sc.org, id))
	return a, NotFound(err, "advisory")
}

// AdvisoryByTrackingID returns the advisory with a tracking id (ENotFound when none was received).
func (sc *Scope) AdvisoryByTrackingID(ctx context.Context, trackingID string) (domain.Advisory, error) {
	a, err := scanAdvisory(sc.QueryRow(ctx, "SELECT "+advisoryCols+" FROM advisories a WHERE a.org_id = ? AND a.tracking_id = ?", sc.org, trackingID))
	return a, NotFound(err, "advisory")
}

// SaveAdvisory stores an advisory with its products and vulnerabilities. When one with the same tracking
// id exists, it is replaced (its products, mappings, vulnerabilities and CSAF VEX statements go; its
// documents stay). The products' and vulnerabilities' ids are filled in; the caller maps the products
// and audits.
func (tx *Tx) SaveAdvisory(ctx context.Context, a *domain.Advisory, products []domain.AdvisoryProduct, vulns []domain.AdvisoryVulnerability) error {
	a.OrgID, a.Updated = tx.org, now()
	refs, _ := json.Marshal(a.References)
	if len(a.References) == 0 {
		refs = nil
	}
	args := []any{a.Version, truncate(a.Title, 1000), a.Publisher, a.PublisherCategory, a.PublisherNamespace, strings.Join(a.Vendors, "\n"),
		a.TLP, a.Status, a.Profile, a.Lang, tsPtr(&a.InitialRelease), tsPtr(&a.CurrentRelease), strings.Join(a.Aliases, "\n"),
		strings.Join(a.CVEs, " "), a.Summary, string(refs), a.MaxCVSS, a.Severity, a.DocumentID, strings.Join(a.Warnings, "\n"), a.Updated}
	old, err := tx.scope().AdvisoryByTrackingID(ctx, a.TrackingID)
	switch {
	case err == nil:
		a.ID, a.Imported = old.ID, old.Imported
		if _, err := tx.Exec(ctx, `UPDATE advisories SET version = ?, title = ?, publisher = ?, publisher_category = ?, publisher_namespace = ?,
			vendors = ?, tlp = ?, status = ?, profile = ?, lang = ?, initial_release = ?, current_release = ?, aliases = ?, cves = ?, summary = ?,
			refs = ?, max_cvss = ?, severity = ?, document_id = ?, warnings = ?, updated = ? WHERE org_id = ? AND id = ?`, append(args, tx.org, a.ID)...); err != nil {
			return err
		}
		for _, q := range []string{"DELETE FROM vex_statements WHERE org_id = ? AND advisory_id = ?",
			"DELETE FROM advisory_vulnerabilities WHERE org_id = ? AND advisory_id = ?",
			"DELETE FROM advisory_products WHERE org_id = ? AND advisory_id = ?"} {
			if _, err := tx.Exec(ctx, q, tx.org, a.ID); err != nil {
				return err
			}
		}
	case domain.ErrorCode(err) == domain.ENotFound:
		a.Imported = a.Updated
		id, err := tx.InsertID(ctx, `INSERT INTO advisories (version, title, publisher, publisher_category, publisher_namespace, vendors, tlp, status,
			profile, lang, initial_release, current_release, aliases, cves, summary, refs, max_cvss, severity, document_id, warnings, updated,
			org_id, tracking_id, imported) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			append(args, tx.org, a.TrackingID, a.Imported)...)
		if err != nil {
			return err
		}
		a.ID = id
	default:
		return err
	}
	for i := range products {
		p := &products[i]
		p.AdvisoryID, p.OrgID = a.ID, tx.org
		if p.State == "" {
			p.State = domain.MappingUnmapped
		}
		id, err := tx.InsertID(ctx, `INSERT INTO advisory_products (org_id, advisory_id, csaf_id, name, vendor, family, product_name, version,
			version_range, purl, cpe, model_numbers, relationship, vendor_key, name_key, state, note, suggestions)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, tx.org, a.ID, p.CSAFID, truncate(p.Name, 1000), p.Vendor,
			p.Family, p.ProductName, p.Version, p.VersionRange, p.PURL, p.CPE, strings.Join(p.ModelNumbers, "\n"), p.Relationship, p.VendorKey,
			p.NameKey, p.State, p.Note, discIDList(p.Suggestions))
		if err != nil {
			return fmt.Errorf("advisory product %s: %w", p.CSAFID, err)
		}
		p.ID = id
	}
	for i := range vulns {
		v := &vulns[i]
		v.AdvisoryID = a.ID
		statuses, _ := json.Marshal(v.Statuses)
		rem, _ := json.Marshal(v.Remediations)
		id, err := tx.InsertID(ctx, `INSERT INTO advisory_vulnerabilities (org_id, advisory_id, position, cve, ids, title, cwe, cvss_version,
			cvss_vector, cvss_score, severity, release_date, summary, statuses, remediations) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			RETURNING id`, tx.org, a.ID, i, v.CVE, strings.Join(v.IDs, "\n"), truncate(v.Title, 1000), v.CWE, v.CVSSVersion, v.CVSSVector,
			v.CVSSScore, v.Severity, tsPtr(&v.ReleaseDate), v.Summary, string(statuses), string(rem))
		if err != nil {
			return fmt.Errorf("advisory vulnerability %s: %w", v.Label(), err)
		}
		v.ID = id
	}
	return nil
}

// discIDList writes ids space-separated.
func discIDList(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, " ")
}

func discParseIDs(s string) []int64 {
	var out []int64
	for _, f := range strings.Fields(s) {
		if id, err := strconv.ParseInt(f, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// AdvisoryVulnerabilities returns an advisory's vulnerabilities in document order.
func (sc *Scope) AdvisoryVulnerabilities(ctx context.Context, advisoryID int64) ([]domain.AdvisoryVulnerability, error) {
	return queryAll(ctx, sc.Q, func(r interface{ Scan(...any) error }) (domain.AdvisoryVulnerability, error) {
		var v domain.AdvisoryVulnerability
		var ids, statuses, rem string
		var rel *time.Time
		err := r.Scan(&v.ID, &v.AdvisoryID, &v.CVE, &ids, &v.Title, &v.CWE, &v.CVSSVersion, &v.CVSSVector, &v.CVSSScore, &v.Severity, &rel,
			&v.Summary, &statuses, &rem)
		v.IDs = discLines(ids)
		if rel != nil {
			v.ReleaseDate = rel.UTC()
		}
		_ = json.Unmarshal([]byte(statuses), &v.Statuses)
		_ = json.Unmarshal([]byte(rem), &v.Remediations)
		return v, err
	}, `SELECT id, advisory_id, cve, ids, title, cwe, cvss_version, cvss_vector, cvss_score, severity, release_date, summary, statuses, remediations
		FROM advisory_vulnerabilities WHERE org_id = ? AND advisory_id = ? ORDER BY position`, sc.org, advisoryID)
}

const advisoryProductCols = `ap.id, ap.org_id, ap.advisory_id, ap.csaf_id, ap.name, ap.vendor, ap.family, ap.product_name, ap.version, ap.version_range,
	ap.purl, ap.cpe, ap.model_numbers, ap.relationship, ap.vendor_key, ap.name_key, ap.state, ap.note, ap.suggestions, a.tracking_id, a.title`

func scanAdvisoryProduct(sc interface{ Scan(...any) error }) (domain.AdvisoryProduct, error) {
	var p domain.AdvisoryProduct
	var models, sugg string
	err := sc.Scan(&p.ID, &p.OrgID, &p.AdvisoryID, &p.CSAFID, &p.Name, &p.Vendor, &p.Family, &p.ProductName, &p.Version, &p.VersionRange,
		&p.PURL, &p.CPE, &models, &p.Relationship, &p.VendorKey, &p.NameKey, &p.State, &p.Note, &sugg, &p.TrackingID, &p.AdvisoryTitle)
	p.ModelNumbers, p.Suggestions = discLines(models), discParseIDs(sugg)
	return p, err
}

var advisoryProductSort = map[string]string{"vendor": "LOWER(ap.vendor)", "name": "LOWER(ap.name)", "advisory": "a.tracking_id", "state": "ap.state"}

// AdvisoryProducts lists advisory products with their links (the mapping queue is State unmapped). The
// search matches name, vendor, version and the advisory's tracking id.
func (sc *Scope) AdvisoryProducts(ctx context.Context, f domain.AdvisoryProductFilter) (domain.Page[domain.AdvisoryProduct], error) {
	p := f.ListParams.Normalize()
	where, args := []string{"ap.org_id = ?"}, []any{sc.org}
	if f.AdvisoryID != 0 {
		where, args = append(where, "ap.advisory_id = ?"), append(args, f.AdvisoryID)
	}
	if f.State != "" {
		where, args = append(where, "ap.state = ?"), append(args, f.State)
	}
	if f.ProductID != 0 {
		where, args = append(where, "ap.id IN (SELECT advisory_product_id FROM advisory_product_links WHERE org_id = ? AND product_id = ?)"), append(args, sc.org, f.ProductID)
	}
	for _, t := range searchTerms(p.Q) {
		l := likeArg(t)
		where = append(where, `(LOWER(ap.name) LIKE ? ESCAPE '\' OR LOWER(ap.vendor) LIKE ? ESCAPE '\' OR LOWER(ap.version) LIKE ? ESCAPE '\'
			OR LOWER(ap.version_range) LIKE ? ESCAPE '\' OR LOWER(a.tracking_id) LIKE ? ESCAPE '\')`)
		args = append(args, l, l, l, l, l)
	}
	w := strings.Join(where, " AND ")
	from := " FROM advisory_products ap JOIN advisories a ON a.org_id = ap.org_id AND a.id = ap.advisory_id"
	out := domain.Page[domain.AdvisoryProduct]{Limit: p.Limit, Offset: p.Offset, Items: []domain.AdvisoryProduct{}}
	var err error
	if out.Total, err = sc.Count(ctx, "SELECT COUNT(*)"+from+" WHERE "+w, args...); err != nil {
		return out, err
	}
	def := "a.tracking_id, ap.id"
	switch {
	case f.AdvisoryID != 0:
		def = "ap.id"
	case f.State == domain.MappingUnmapped:
		def = "CASE WHEN ap.suggestions <> '' THEN 0 ELSE 1 END, a.tracking_id DESC" // those a person can map first, newest first
	}
	order := sortClause(p.Sort, advisoryProductSort, def) + ", ap.id"
	if out.Items, err = queryAll(ctx, sc.Q, scanAdvisoryProduct, "SELECT "+advisoryProductCols+from+" WHERE "+w+" ORDER BY "+order+" LIMIT ? OFFSET ?",
		append(args, p.Limit, p.Offset)...); err != nil {
		return out, err
	}
	return out, sc.fillLinks(ctx, out.Items)
}

// AdvisoryProduct returns one advisory product with its links.
func (sc *Scope) AdvisoryProduct(ctx context.Context, id int64) (domain.AdvisoryProduct, error) {
	p, err := scanAdvisoryProduct(sc.QueryRow(ctx, "SELECT "+advisoryProductCols+` FROM advisory_products ap
		JOIN advisories a ON a.org_id = ap.org_id AND a.id = ap.advisory_id WHERE ap.org_id = ? AND ap.id = ?`, sc.org, id))
	if err != nil {
		return p, NotFound(err, "advisory product")
	}
	ps := []domain.AdvisoryProduct{p}
	err = sc.fillLinks(ctx, ps)
	return ps[0], err
}

// fillLinks loads the links and covered versions of advisory products.
func (sc *Scope) fillLinks(ctx context.Context, ps []domain.AdvisoryProduct) error {
	if len(ps) == 0 {
		return nil
	}
	idx := map[int64]int{}
	args := []any{sc.org}
	for i, p := range ps {
		idx[p.ID] = i
		args = append(args, p.ID)
	}
	in := discPlaceholders(len(ps))
	type linkRow struct {
		ap int64
		l  domain.AdvisoryLink
	}
	links, err := queryAll(ctx, sc.Q, func(r interface{ Scan(...any) error }) (linkRow, error) {
		var x linkRow
		err := r.Scan(&x.ap, &x.l.ProductID, &x.l.Method, &x.l.VersionRange, &x.l.Product, &x.l.Manufacturer)
		return x, err
	}, `SELECT l.advisory_product_id, l.product_id, l.method, l.version_range, p.name, m.name FROM advisory_product_links l
		JOIN products p ON p.org_id = l.org_id AND p.id = l.product_id JOIN manufacturers m ON m.id = p.manufacturer_id
		WHERE l.org_id = ? AND l.advisory_product_id IN (`+in+`) ORDER BY l.advisory_product_id, m.name_key, p.name_key`, args...)
	if err != nil {
		return err
	}
	type verRow struct {
		ap, product int64
		v           domain.VersionRef
	}
	vers, err := queryAll(ctx, sc.Q, func(r interface{ Scan(...any) error }) (verRow, error) {
		var x verRow
		err := r.Scan(&x.ap, &x.product, &x.v.ID, &x.v.Version, &x.v.Installed)
		return x, err
	}, `SELECT apv.advisory_product_id, v.product_id, v.id, v.version,
		(SELECT COUNT(*) FROM assets s WHERE s.org_id = v.org_id AND s.product_version_id = v.id)
		FROM advisory_product_versions apv JOIN product_versions v ON v.org_id = apv.org_id AND v.id = apv.product_version_id
		WHERE apv.org_id = ? AND apv.advisory_product_id IN (`+in+`)`, args...)
	if err != nil {
		return err
	}
	sort.SliceStable(vers, func(i, j int) bool { return NaturalLess(vers[i].v.Version, vers[j].v.Version) })
	for _, x := range links {
		p := &ps[idx[x.ap]]
		x.l.Versions = []domain.VersionRef{}
		for _, v := range vers {
			if v.ap == x.ap && v.product == x.l.ProductID {
				x.l.Versions = append(x.l.Versions, v.v)
			}
		}
		p.Links = append(p.Links, x.l)
	}
	return nil
}

// AllAdvisoryProducts returns every advisory product of the organisation without links (for re-applying
// the mapping), by advisory.
func (sc *Scope) AllAdvisoryProducts(ctx context.Context, advisoryID int64) ([]domain.AdvisoryProduct, error) {
	q, args := "SELECT "+advisoryProductCols+` FROM advisory_products ap JOIN advisories a ON a.org_id = ap.org_id AND a.id = ap.advisory_id
		WHERE ap.org_id = ?`, []any{sc.org}
	if advisoryID != 0 {
		q, args = q+" AND ap.advisory_id = ?", append(args, advisoryID)
	}
	return queryAll(ctx, sc.Q, scanAdvisoryProduct, q+" ORDER BY ap.advisory_id, ap.id", args...)
}

// MappedLink is a link of an advisory product to an inventory product with the covered versions, as the
// mapping decided it.
type MappedLink struct {
	ProductID    int64
	Method       string
	VersionRange string
	Versions     []int64
}

// SetAdvisoryMapping records the mapping of an advisory product: its state, the note and suggestions for
// people, and its links with the product versions each covers (replacing earlier ones). It is part of an
// import or a mapping decision, which audit.
func (tx *Tx) SetAdvisoryMapping(ctx context.Context, apID int64, state, note string, suggestions []int64, links []MappedLink) error {
	res, err := tx.Exec(ctx, "UPDATE advisory_products SET state = ?, note = ?, suggestions = ? WHERE org_id = ? AND id = ?",
		state, truncate(note, 2000), discIDList(suggestions), tx.org, apID)
	if err != nil {
		return err
	}
	if err := affected(res, "advisory product"); err != nil {
		return err
	}
	for _, q := range []string{"DELETE FROM advisory_product_versions WHERE org_id = ? AND advisory_product_id = ?",
		"DELETE FROM advisory_product_links WHERE org_id = ? AND advisory_product_id = ?"} {
		if _, err := tx.Exec(ctx, q, tx.org, apID); err != nil {
			return err
		}
	}
	seen := map[int64]bool{}
	for _, l := range links {
		if _, err := tx.Exec(ctx, `INSERT INTO advisory_product_links (org_id, advisory_product_id, product_id, method, version_range)
			VALUES (?, ?, ?, ?, ?)`, tx.org, apID, l.ProductID, l.Method, l.VersionRange); err != nil {
			return fmt.Errorf("link advisory product %d to product %d: %w", apID, l.ProductID, err)
		}
		for _, v := range l.Versions {
			if seen[v] {
				continue
			}
			seen[v] = true
			if _, err := tx.Exec(ctx, "INSERT INTO advisory_product_versions (org_id, advisory_product_id, product_version_id) VALUES (?, ?, ?)",
				tx.org, apID, v); err != nil {
				return fmt.Errorf("advisory product %d covers version %d: %w", apID, v, err)
			}
		}
	}
	return nil
}

const mappingRuleCols = `r.id, r.org_id, r.vendor, r.name, r.vendor_key, r.name_key, COALESCE(r.product_id, 0), r.version_range, r.created, r.created_by,
	COALESCE(p.name, ''), COALESCE(m.name, '')`

const mappingRuleFrom = ` FROM csaf_mapping_rules r LEFT JOIN products p ON p.org_id = r.org_id AND p.id = r.product_id
	LEFT JOIN manufacturers m ON m.id = p.manufacturer_id`

func scanMappingRule(sc interface{ Scan(...any) error }) (domain.MappingRule, error) {
	var r domain.MappingRule
	err := sc.Scan(&r.ID, &r.OrgID, &r.Vendor, &r.Name, &r.VendorKey, &r.NameKey, &r.ProductID, &r.VersionRange, &r.Created, &r.CreatedBy,
		&r.Product, &r.Manufacturer)
	r.Created = r.Created.UTC()
	return r, err
}

// MappingRules lists the remembered mapping decisions, by vendor and name.
func (sc *Scope) MappingRules(ctx context.Context) ([]domain.MappingRule, error) {
	return queryAll(ctx, sc.Q, scanMappingRule, "SELECT "+mappingRuleCols+mappingRuleFrom+" WHERE r.org_id = ? ORDER BY r.vendor_key, r.name_key, r.id", sc.org)
}

// MappingRule returns one rule.
func (sc *Scope) MappingRule(ctx context.Context, id int64) (domain.MappingRule, error) {
	r, err := scanMappingRule(sc.QueryRow(ctx, "SELECT "+mappingRuleCols+mappingRuleFrom+" WHERE r.org_id = ? AND r.id = ?", sc.org, id))
	return r, NotFound(err, "mapping rule")
}

// SaveMappingRule remembers a mapping decision. A rule to ignore replaces the rules of the same vendor
// and name; a rule to a product replaces an ignore rule and one to the same product.
func (tx *Tx) SaveMappingRule(ctx context.Context, r *domain.MappingRule) error {
	if r.VendorKey == "" && r.NameKey == "" {
		return domain.Invalid("name", "a rule needs the vendor or product name it applies to")
	}
	if err := tx.refCheck(ctx, tx.org, "product_id", "products", "product", r.ProductID); err != nil {
		return err
	}
	del := "DELETE FROM csaf_mapping_rules WHERE org_id = ? AND vendor_key = ? AND name_key = ? AND (product_id IS NULL OR product_id = ?)"
	if r.ProductID == 0 {
		del = "DELETE FROM csaf_mapping_rules WHERE org_id = ? AND vendor_key = ? AND name_key = ? AND ? = 0"
	}
	if _, err := tx.Exec(ctx, del, tx.org, r.VendorKey, r.NameKey, r.ProductID); err != nil {
		return err
	}
	r.OrgID, r.Created = tx.org, now()
	if r.CreatedBy == "" {
		r.CreatedBy = domain.ActorFrom(ctx).Name
	}
	id, err := tx.InsertID(ctx, `INSERT INTO csaf_mapping_rules (org_id, vendor_key, name_key, vendor, name, product_id, version_range, created, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, tx.org, r.VendorKey, r.NameKey, r.Vendor, r.Name, nullID(r.ProductID), r.VersionRange,
		r.Created, r.CreatedBy)
	if err != nil {
		return err
	}
	r.ID = id
	what := "ignore"
	if r.ProductID != 0 {
		var name string
		if err := tx.QueryRow(ctx, "SELECT name FROM products WHERE org_id = ? AND id = ?", tx.org, r.ProductID).Scan(&name); err != nil {
			return mapErr(err)
		}
		what = "map to " + name
		if r.VersionRange != "" {
			what += " (" + r.VersionRange + ")"
		}
	}
	return tx.Audit(ctx, AuditEntry{Action: "csaf_mapping.rule", Entity: "csaf_mapping_rule", EntityID: id,
		Summary: fmt.Sprintf("remembered for advisories: %s %s → %s", r.Vendor, r.Name, what), Data: r})
}

// DeleteMappingRule forgets a mapping decision (advisory products mapped by it keep their mapping until
// the mapping is applied again).
func (tx *Tx) DeleteMappingRule(ctx context.Context, id int64) error {
	r, err := tx.scope().MappingRule(ctx, id)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "DELETE FROM csaf_mapping_rules WHERE org_id = ? AND id = ?", tx.org, id); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "csaf_mapping.rule_delete", Entity: "csaf_mapping_rule", EntityID: id,
		Summary: "forgot the advisory mapping of " + r.Vendor + " " + r.Name, Data: r})
}

// MappingCatalogue is what the mapping of advisories compares them with, without counts: the
// manufacturers (with aliases), products (model numbers, CPE parts), versions, the remembered rules and
// the package URLs (without version) of the SBOM subjects by product version.
type MappingCatalogue struct {
	Manufacturers []domain.Manufacturer
	Products      []domain.Product
	Versions      []domain.ProductVersion
	Rules         []domain.MappingRule
	Subjects      map[int64]string
}

// MappingCatalogue loads the catalogue of the organisation.
func (sc *Scope) MappingCatalogue(ctx context.Context) (*MappingCatalogue, error) {
	c := &MappingCatalogue{Subjects: map[int64]string{}}
	var err error
	if c.Manufacturers, err = queryAll(ctx, sc.Q, func(r interface{ Scan(...any) error }) (domain.Manufacturer, error) {
		var m domain.Manufacturer
		var aliases string
		err := r.Scan(&m.ID, &m.Name, &aliases)
		m.Aliases = discLines(aliases)
		return m, err
	}, "SELECT id, name, aliases FROM manufacturers WHERE org_id = ? ORDER BY id", sc.org); err != nil {
		return nil, err
	}
	if c.Products, err = queryAll(ctx, sc.Q, func(r interface{ Scan(...any) error }) (domain.Product, error) {
		var p domain.Product
		err := r.Scan(&p.ID, &p.ManufacturerID, &p.Name, &p.ModelNumber, &p.CPEVendor, &p.CPEProduct)
		return p, err
	}, "SELECT id, manufacturer_id, name, model_number, cpe_vendor, cpe_product FROM products WHERE org_id = ? ORDER BY id", sc.org); err != nil {
		return nil, err
	}
	if c.Versions, err = queryAll(ctx, sc.Q, func(r interface{ Scan(...any) error }) (domain.ProductVersion, error) {
		var v domain.ProductVersion
		err := r.Scan(&v.ID, &v.ProductID, &v.Version)
		return v, err
	}, "SELECT id, product_id, version FROM product_versions WHERE org_id = ? ORDER BY id", sc.org); err != nil {
		return nil, err
	}
	if c.Rules, err = sc.MappingRules(ctx); err != nil {
		return nil, err
	}
	rows, err := sc.Query(ctx, "SELECT product_version_id, subject_purl_key FROM sboms WHERE org_id = ? AND subject_purl_key <> ''", sc.org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var pv int64
		var key string
		if err := rows.Scan(&pv, &key); err != nil {
			return nil, err
		}
		c.Subjects[pv] = key
	}
	return c, rows.Err()
}
