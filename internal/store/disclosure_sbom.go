package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// SBOMs and their components, per product version. An import replaces a version's components in one
// batch (multi-row INSERTs); "where is this component?" searches the indexed keys.

const sbomCols = `s.id, s.org_id, s.product_version_id, s.document_id, s.format, s.spec_version, s.serial, s.created, s.tools,
	s.subject_name, s.subject_version, s.subject_purl, s.subject_cpe, s.components, s.warnings, s.imported,
	m.name, p.name, p.id, v.version,
	(SELECT COUNT(*) FROM assets a WHERE a.org_id = s.org_id AND a.product_version_id = s.product_version_id)`

const sbomFrom = ` FROM sboms s JOIN product_versions v ON v.org_id = s.org_id AND v.id = s.product_version_id
	JOIN products p ON p.id = v.product_id JOIN manufacturers m ON m.id = p.manufacturer_id`

func scanSBOM(sc interface{ Scan(...any) error }) (domain.SBOMInfo, error) {
	var s domain.SBOMInfo
	var created *time.Time
	var tools, warnings string
	err := sc.Scan(&s.ID, &s.OrgID, &s.ProductVersionID, &s.DocumentID, &s.Format, &s.SpecVersion, &s.Serial, &created, &tools,
		&s.SubjectName, &s.SubjectVersion, &s.SubjectPURL, &s.SubjectCPE, &s.Components, &warnings, &s.Imported,
		&s.Manufacturer, &s.Product, &s.ProductID, &s.Version, &s.Installed)
	if created != nil {
		s.Created = created.UTC()
	}
	s.Tools, s.Warnings, s.Imported = discLines(tools), discLines(warnings), s.Imported.UTC()
	return s, err
}

// discLines splits a one-per-line column.
func discLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// SBOM returns the SBOM of a product version (ENotFound when it has none).
func (sc *Scope) SBOM(ctx context.Context, productVersionID int64) (domain.SBOMInfo, error) {
	s, err := scanSBOM(sc.QueryRow(ctx, "SELECT "+sbomCols+sbomFrom+" WHERE s.org_id = ? AND s.product_version_id = ?", sc.org, productVersionID))
	return s, NotFound(err, "SBOM")
}

// SBOMs lists the SBOMs of the organisation's product versions (of one product when productID is not 0),
// by manufacturer, product and version.
func (sc *Scope) SBOMs(ctx context.Context, productID int64) ([]domain.SBOMInfo, error) {
	q, args := "SELECT "+sbomCols+sbomFrom+" WHERE s.org_id = ?", []any{sc.org}
	if productID != 0 {
		q, args = q+" AND p.id = ?", append(args, productID)
	}
	out, err := queryAll(ctx, sc.Q, scanSBOM, q+" ORDER BY m.name_key, p.name_key, s.id", args...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].ProductID != out[j].ProductID {
			return false
		}
		return NaturalLess(out[i].Version, out[j].Version)
	})
	return out, err
}

// SBOMBySerial returns the SBOM with a CycloneDX serial number (for VEX documents that point into it
// with BOM-Links).
func (sc *Scope) SBOMBySerial(ctx context.Context, serial string) (domain.SBOMInfo, error) {
	s, err := scanSBOM(sc.QueryRow(ctx, "SELECT "+sbomCols+sbomFrom+" WHERE s.org_id = ? AND s.serial = ? ORDER BY s.id DESC LIMIT 1", sc.org, serial))
	return s, NotFound(err, "SBOM")
}

// SBOMSubjects returns the package-URL keys of the SBOM subjects by product version (for matching VEX
// and CSAF products named by package URL).
func (sc *Scope) SBOMSubjects(ctx context.Context) (map[int64]domain.SBOMInfo, error) {
	all, err := queryAll(ctx, sc.Q, scanSBOM, "SELECT "+sbomCols+sbomFrom+" WHERE s.org_id = ?", sc.org)
	out := map[int64]domain.SBOMInfo{}
	for _, s := range all {
		out[s.ProductVersionID] = s
	}
	return out, err
}

// sbomImportLock is the first key of the PostgreSQL advisory lock an organisation's SBOM imports
// take turns on (the second is the organisation; "VGSB").
const sbomImportLock int32 = 0x56475342

// sbomStampHook, when set (tests), runs in ReplaceSBOM right after the stamp before it is read.
var sbomStampHook func()

// sbomComponentBatch is the number of rows per INSERT (16 values each stays far below both engines'
// limits on parameters).
const sbomComponentBatch = 500

// ReplaceSBOM makes s (with its components) the SBOM of s.ProductVersionID, replacing an earlier one and
// its components. Components must carry their keys (PURLKey, lower-case CPE); their ids are not filled
// in. It is part of an import: the caller writes the audit event.
func (tx *Tx) ReplaceSBOM(ctx context.Context, s *domain.SBOMInfo, comps []domain.Component) error {
	if s.ProductVersionID == 0 || s.DocumentID == 0 {
		return fmt.Errorf("replace SBOM: product version and document are required")
	}
	// The search keys in memory follow the import (see addComponentSearchKeys and
	// searchKeyCache.extend): the stamp of the SBOMs before it, read inside the transaction, must be
	// what the committed database holds, with no other import committing before this one does. SQLite
	// has one writer at a time; on PostgreSQL an organisation's imports take turns (a lock held until
	// the transaction ends; every import takes it, whether or not keys are in memory). The stamp is
	// not read when there are no keys in memory to follow.
	if tx.Engine() == "postgres" {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(?, ?)", sbomImportLock, int32(tx.org)); err != nil {
			return fmt.Errorf("replace SBOM: wait for the organisation's other imports: %w", err)
		}
	}
	var before string
	if tx.s.keys.kept(tx.org) {
		var err error
		if before, err = tx.Scope().FleetSBOMStamp(ctx); err != nil {
			return err
		}
		if sbomStampHook != nil {
			sbomStampHook()
		}
	}
	for _, q := range []string{"DELETE FROM sbom_components WHERE org_id = ? AND product_version_id = ?",
		"DELETE FROM sboms WHERE org_id = ? AND product_version_id = ?"} {
		if _, err := tx.Exec(ctx, q, tx.org, s.ProductVersionID); err != nil {
			return err
		}
	}
	s.OrgID, s.Imported, s.Components = tx.org, now(), len(comps)
	var created any
	if !s.Created.IsZero() {
		created = TS(s.Created)
	}
	id, err := tx.InsertID(ctx, `INSERT INTO sboms (org_id, product_version_id, document_id, format, spec_version, serial, created, tools,
		subject_name, subject_version, subject_purl, subject_purl_key, subject_cpe, components, warnings, imported)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, tx.org, s.ProductVersionID, s.DocumentID, s.Format,
		s.SpecVersion, s.Serial, created, strings.Join(s.Tools, "\n"), s.SubjectName, s.SubjectVersion, s.SubjectPURL,
		purlBase(s.SubjectPURL), s.SubjectCPE, s.Components, strings.Join(s.Warnings, "\n"), s.Imported)
	if err != nil {
		return err
	}
	s.ID = id
	row := func(args []any, c *domain.Component) []any {
		hashes := make([]string, len(c.Hashes))
		for j, h := range c.Hashes {
			hashes[j] = h.Alg + ":" + h.Value
		}
		return append(args, tx.org, s.ProductVersionID, c.Ref, c.Parent, c.Type, c.Group, c.Name, strings.ToLower(c.Name), c.Version,
			c.PURL, c.PURLKey, strings.ToLower(c.CPE), ComponentCPEKey(c.CPE), c.Supplier, c.Licenses, strings.Join(hashes, "\n"))
	}
	if tx.conn != nil {
		// PostgreSQL: COPY, no statement to parse and plan per 500 rows (the fleet benchmark's ingest
		// at a tenth: 36,100–36,700 → 38,700–41,500 components/s)
		if len(comps) > 0 {
			if err := tx.copyRows(ctx, "sbom_components", sbomComponentColList, len(comps), func(i int) []any {
				return row(make([]any, 0, len(sbomComponentColList)), &comps[i])
			}); err != nil {
				return fmt.Errorf("insert components: %w", err)
			}
		}
	} else if err := tx.insertSBOMComponents(ctx, len(comps), func(args []any, i int) []any { return row(args, &comps[i]) }); err != nil {
		return err
	}
	added, err := tx.addComponentSearchKeys(ctx, comps, before != "")
	if err != nil {
		return err
	}
	if before != "" {
		after, err := tx.Scope().FleetSBOMStamp(ctx)
		if err != nil {
			return err
		}
		keys, org := &tx.s.keys, tx.org
		tx.afterCommit = append(tx.afterCommit, func() { keys.extend(org, before, after, added) })
	}
	return tx.analyzeSBOMComponents(ctx, len(comps))
}

// analyzeSBOMComponents gives PostgreSQL fresh statistics of sbom_components after a large import
// (ANALYZE is transactional and sees the new rows), so that the planner does not take a fleet's
// components for the few it last counted until autovacuum comes round: after one SBOM of n ≥ 2,000
// components, or when the table changed by more than a fifth since its last ANALYZE (checked once a
// transaction). Imports of 2,000 SBOMs of 500 components had left the matcher's read of them sorting
// 1,000,000 rows on disk (0.8 s) instead of reading them in the order of an index.
func (tx *Tx) analyzeSBOMComponents(ctx context.Context, n int) error {
	if tx.Engine() != "postgres" {
		return nil
	}
	stale := n >= 2000
	if !stale && !tx.componentStatsChecked {
		tx.componentStatsChecked = true
		var tuples float64
		var changed int64
		if err := tx.QueryRow(ctx, "SELECT reltuples, pg_stat_get_mod_since_analyze(oid) FROM pg_class WHERE oid = 'sbom_components'::regclass").Scan(&tuples, &changed); err != nil {
			return fmt.Errorf("statistics of sbom_components: %w", err)
		}
		stale = statsStale(tuples, changed)
	}
	if !stale {
		return nil
	}
	_, err := tx.Exec(ctx, "ANALYZE sbom_components")
	return err
}

// statsStale says whether a table whose statistics count tuples rows (-1: never analysed) and that
// changed by changed rows since needs ANALYZE: more than 2,000 rows and more than a fifth of it.
func statsStale(tuples float64, changed int64) bool {
	return float64(changed) > max(2000, tuples/5)
}

// sbomComponentCols are the columns of sbom_components an import writes, in the order of ReplaceSBOM's
// row; sbomComponentColList the same for COPY.
const sbomComponentCols = `org_id, product_version_id, ref, parent_ref, type, grp, name, name_key, version, purl, purl_key, cpe, cpe_key,
	supplier, licenses, hashes`

var sbomComponentColList = splitCols(sbomComponentCols)

// insertSBOMComponents inserts n components on SQLite in multi-row statements (row appends the
// arguments of component i). OR FAIL (an error keeps the statement's earlier rows; the caller rolls
// the whole transaction back) and the deferred foreign keys of migration 0026 spare each statement a
// statement journal: half of an import's time.
func (tx *Tx) insertSBOMComponents(ctx context.Context, n int, row func(args []any, i int) []any) error {
	one := "(" + placeholders(len(sbomComponentColList)) + ")"
	for start := 0; start < n; start += sbomComponentBatch {
		end := min(start+sbomComponentBatch, n)
		args := make([]any, 0, (end-start)*len(sbomComponentColList))
		for i := start; i < end; i++ {
			args = row(args, i)
		}
		q := "INSERT OR FAIL INTO sbom_components (" + sbomComponentCols + ") VALUES " + strings.TrimSuffix(strings.Repeat(one+", ", end-start), ", ")
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return fmt.Errorf("insert components %d–%d: %w", start+1, end, err)
		}
	}
	return nil
}

// componentSearchHay is what the fleet search matches its terms against (component_search_keys.hay):
// the component's name, package URL key, CPE and group in lower case, one a line.
func componentSearchHay(name, purlKey, cpe, grp string) string {
	return strings.ToLower(name) + "\n" + strings.ToLower(purlKey) + "\n" + strings.ToLower(cpe) + "\n" + strings.ToLower(grp)
}

// addComponentSearchKeys records the distinct search keys of comps (those already known stay). With
// collect it returns the keys it added (hay and name, in pairs), for the keys kept in memory.
func (tx *Tx) addComponentSearchKeys(ctx context.Context, comps []domain.Component, collect bool) (added []string, err error) {
	type key struct{ hay, name string }
	seen := make(map[string]bool, len(comps))
	var keys []key
	for _, c := range comps {
		hay := componentSearchHay(c.Name, c.PURLKey, c.CPE, c.Group)
		if !seen[hay] {
			seen[hay] = true
			keys = append(keys, key{hay, strings.ToLower(c.Name)})
		}
	}
	for start := 0; start < len(keys); start += sbomComponentBatch {
		batch := keys[start:min(start+sbomComponentBatch, len(keys))]
		args := make([]any, 0, len(batch)*3)
		for _, k := range batch {
			args = append(args, tx.org, k.hay, k.name)
		}
		q := "INSERT INTO component_search_keys (org_id, hay, name_key) VALUES " +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", len(batch)), ", ") + " ON CONFLICT DO NOTHING"
		if !collect {
			if _, err := tx.Exec(ctx, q, args...); err != nil {
				return nil, fmt.Errorf("component search keys: %w", err)
			}
			continue
		}
		// the rows a conflict skipped are not returned: only keys new to the organisation
		rows, err := tx.Query(ctx, q+" RETURNING hay, name_key", args...)
		if err != nil {
			return nil, fmt.Errorf("component search keys: %w", err)
		}
		for rows.Next() {
			var hay, name string
			if err := rows.Scan(&hay, &name); err != nil {
				rows.Close()
				return nil, err
			}
			added = append(added, hay, name)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("component search keys: %w", err)
		}
	}
	return added, nil
}

// purlBase is the package URL of an SBOM subject without version and qualifiers: "pkg:type/ns/name"
// (the module hands canonical URLs; this only cuts at "@", "?" and "#").
func purlBase(purl string) string {
	if i := strings.IndexAny(purl, "@?#"); i >= 0 {
		return purl[:i]
	}
	return purl
}

// ComponentCPEKey returns "part:vendor:product" of a CPE 2.3 formatted string in lower case ("" for anything
// else): the key that finds a product's components in any version.
func ComponentCPEKey(cpe string) string {
	f := strings.Split(strings.ToLower(cpe), ":")
	if len(f) < 5 || f[0] != "cpe" || f[1] != "2.3" {
		return ""
	}
	return f[2] + ":" + f[3] + ":" + f[4]
}

// ComponentCPEVersion returns the version field of a CPE 2.3 formatted string ("" for * and -).
func ComponentCPEVersion(cpe string) string {
	f := strings.Split(strings.ToLower(cpe), ":")
	if len(f) < 6 || f[5] == "*" || f[5] == "-" {
		return ""
	}
	return f[5]
}

const componentCols = `c.id, c.org_id, c.product_version_id, c.ref, c.parent_ref, c.type, c.grp, c.name, c.version, c.purl, c.purl_key,
	c.cpe, c.supplier, c.licenses, c.hashes, m.name, p.name, p.id, v.version`

const componentFrom = ` FROM sbom_components c JOIN product_versions v ON v.org_id = c.org_id AND v.id = c.product_version_id
	JOIN products p ON p.id = v.product_id JOIN manufacturers m ON m.id = p.manufacturer_id`

func scanComponent(sc interface{ Scan(...any) error }) (domain.Component, error) {
	var c domain.Component
	var hashes string
	err := sc.Scan(&c.ID, &c.OrgID, &c.ProductVersionID, &c.Ref, &c.Parent, &c.Type, &c.Group, &c.Name, &c.Version, &c.PURL, &c.PURLKey,
		&c.CPE, &c.Supplier, &c.Licenses, &hashes, &c.Manufacturer, &c.Product, &c.ProductID, &c.ProductVersion)
	for _, h := range discLines(hashes) {
		alg, v, _ := strings.Cut(h, ":")
		c.Hashes = append(c.Hashes, domain.ComponentHash{Alg: alg, Value: v})
	}
	return c, err
}

var componentSort = map[string]string{"name": "c.name_key", "version": "c.version", "type": "c.type", "supplier": "c.supplier",
	"licenses": "c.licenses", "product": "p.name_key", "purl": "c.purl"}

// maxSearchNames bounds the candidate names of a fleet-wide search by text: a term common to more
// names than this (say "org") is answered by reading every component, as before the search keys.
var maxSearchNames = 1000

// componentWhere builds the conditions of a component filter.
func (sc *Scope) componentWhere(ctx context.Context, f domain.ComponentFilter) (string, []any, error) {
	where, args := []string{"c.org_id = ?"}, []any{sc.org}
	if f.ProductVersionID != 0 {
		where, args = append(where, "c.product_version_id = ?"), append(args, f.ProductVersionID)
	}
	if f.PURLKey != "" {
		where, args = append(where, "c.purl_key = ?"), append(args, f.PURLKey)
	}
	if f.CPEKey != "" {
		where, args = append(where, "c.cpe_key = ?"), append(args, strings.ToLower(f.CPEKey))
	}
	if f.Version != "" && (f.PURLKey != "" || f.CPEKey != "") {
		where, args = append(where, "c.version = ?"), append(args, f.Version)
	}
	terms := searchTerms(f.Q)
	if len(terms) > 0 && f.ProductVersionID == 0 && f.PURLKey == "" && f.CPEKey == "" {
		// Across the fleet a term is a substring of any of a million components, which no index
		// answers: the names that can match come from the distinct search keys (migration 0024),
		// and only their components are read, through the index by name.
		names, err := sc.searchNames(ctx, terms)
		if err != nil {
			return "", nil, err
		}
		switch {
		case names == nil: // too many: read every component
		case len(names) == 0:
			where = append(where, "1 = 0")
		default:
			where = append(where, "c.name_key IN ("+discPlaceholders(len(names))+")")
			for _, n := range names {
				args = append(args, n)
			}
		}
	}
	// Each term in one of the fields (a search key holds all four: it only narrows the names).
	for _, t := range terms {
		l := likeArg(t)
		where = append(where, `(c.name_key LIKE ? ESCAPE '\' OR c.purl_key LIKE ? ESCAPE '\' OR c.cpe LIKE ? ESCAPE '\' OR LOWER(c.grp) LIKE ? ESCAPE '\')`)
		args = append(args, l, l, l, l)
	}
	return strings.Join(where, " AND "), args, nil
}

// searchNames returns the component names whose search keys hold every term: empty when there are
// none, nil when there are more than maxSearchNames.
func (sc *Scope) searchNames(ctx context.Context, terms []string) ([]string, error) {
	// Outside a transaction from the keys in memory (inside one, they may hold its uncommitted SBOM).
	if sc.outsideTx() {
		names, ok, err := sc.s.keys.names(ctx, sc, terms, maxSearchNames)
		if err != nil || ok {
			return names, err
		}
	}
	where, args := []string{"org_id = ?"}, []any{sc.org}
	for _, t := range terms {
		where, args = append(where, `hay LIKE ? ESCAPE '\'`), append(args, likeArg(t))
	}
	names, err := queryAll(ctx, sc.Q, func(r interface{ Scan(...any) error }) (string, error) {
		var n string
		return n, r.Scan(&n)
	}, "SELECT DISTINCT name_key FROM component_search_keys WHERE "+strings.Join(where, " AND ")+" LIMIT ?", append(args, maxSearchNames+1)...)
	if err != nil || len(names) > maxSearchNames {
		return nil, err
	}
	if names == nil {
		names = []string{}
	}
	return names, nil
}

// Components lists components, filtered and paged: of one version by name, or across the fleet.
func (sc *Scope) Components(ctx context.Context, f domain.ComponentFilter) (domain.Page[domain.Component], error) {
	p := f.ListParams.Normalize()
	f.ListParams = p
	out := domain.Page[domain.Component]{Limit: p.Limit, Offset: p.Offset, Items: []domain.Component{}}
	w, args, err := sc.componentWhere(ctx, f)
	if err != nil {
		return out, err
	}
	if out.Total, err = sc.Count(ctx, "SELECT COUNT(*) FROM sbom_components c WHERE "+w, args...); err != nil {
		return out, err
	}
	order := sortClause(p.Sort, componentSort, "c.name_key, c.version") + ", c.id"
	out.Items, err = queryAll(ctx, sc.Q, scanComponent, "SELECT "+componentCols+componentFrom+" WHERE "+w+" ORDER BY "+order+" LIMIT ? OFFSET ?",
		append(args, p.Limit, p.Offset)...)
	return out, err
}

// VersionComponents returns every component of a product version in SBOM order (for export and diff).
func (sc *Scope) VersionComponents(ctx context.Context, productVersionID int64) ([]domain.Component, error) {
	return queryAll(ctx, sc.Q, scanComponent, "SELECT "+componentCols+componentFrom+" WHERE c.org_id = ? AND c.product_version_id = ? ORDER BY c.id",
		sc.org, productVersionID)
}

// MaxWhereIs bounds the matching components a fleet search reads.
const MaxWhereIs = 20000

// WhereIs answers "where is this component?": the product versions whose SBOM has components matching
// f (its paging is ignored), each with the matching components and its installed devices, by
// manufacturer, product and version. A query without any condition finds nothing.
func (sc *Scope) WhereIs(ctx context.Context, f domain.ComponentFilter) (domain.WhereIs, error) {
	out := domain.WhereIs{Versions: []domain.ComponentUse{}}
	f.ProductVersionID = 0
	if strings.TrimSpace(f.Q) == "" && f.PURLKey == "" && f.CPEKey == "" {
		return out, nil
	}
	w, args, err := sc.componentWhere(ctx, f)
	if err != nil {
		return out, err
	}
	// "+c.product_version_id": SQLite would otherwise walk all the organisation's components in
	// version order to spare the sort, instead of the few the index by name finds.
	type hit struct {
		pv            int64
		name, version string
	}
	hits, err := queryAll(ctx, sc.Q, func(r interface{ Scan(...any) error }) (hit, error) {
		var h hit
		err := r.Scan(&h.pv, &h.name, &h.version)
		return h, err
	}, "SELECT c.product_version_id, c.name, c.version FROM sbom_components c WHERE "+w+" ORDER BY +c.product_version_id, c.name_key, c.version LIMIT ?",
		append(args, MaxWhereIs)...)
	if err != nil || len(hits) == 0 {
		return out, err
	}
	byVersion := map[int64][]string{}
	var ids []int64
	for _, h := range hits {
		if _, ok := byVersion[h.pv]; !ok {
			ids = append(ids, h.pv)
		}
		label := h.name
		if h.version != "" {
			label += "@" + h.version
		}
		if l := byVersion[h.pv]; len(l) == 0 || l[len(l)-1] != label {
			byVersion[h.pv] = append(l, label)
		}
	}
	versions, err := sc.versionsByID(ctx, ids)
	if err != nil {
		return out, err
	}
	for _, v := range versions {
		out.Versions = append(out.Versions, domain.ComponentUse{ProductVersionID: v.ID, ProductID: v.ProductID, Manufacturer: v.Manufacturer,
			Product: v.Product, Version: v.Version, Installed: v.Installed, Components: byVersion[v.ID]})
		out.Devices += v.Installed
	}
	sort.SliceStable(out.Versions, func(i, j int) bool {
		a, b := out.Versions[i], out.Versions[j]
		if a.Manufacturer != b.Manufacturer {
			return strings.ToLower(a.Manufacturer) < strings.ToLower(b.Manufacturer)
		}
		if a.Product != b.Product {
			return strings.ToLower(a.Product) < strings.ToLower(b.Product)
		}
		return NaturalLess(a.Version, b.Version)
	})
	return out, nil
}

// versionsByID returns the product versions with the given ids (with their context and installed
// counts), in no particular order.
func (sc *Scope) versionsByID(ctx context.Context, ids []int64) ([]domain.ProductVersion, error) {
	var out []domain.ProductVersion
	for start := 0; start < len(ids); start += 500 {
		batch := ids[start:min(start+500, len(ids))]
		args := []any{sc.org}
		for _, id := range batch {
			args = append(args, id)
		}
		vs, err := queryAll(ctx, sc.Q, scanVersion, "SELECT "+versionCols+versionFrom+" WHERE v.org_id = ? AND v.id IN ("+discPlaceholders(len(batch))+")", args...)
		if err != nil {
			return nil, err
		}
		out = append(out, vs...)
	}
	return out, nil
}

// discPlaceholders returns "?, ?, …" with n marks.
func discPlaceholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// SBOMByID returns an SBOM by its own id.
func (sc *Scope) SBOMByID(ctx context.Context, id int64) (domain.SBOMInfo, error) {
	s, err := scanSBOM(sc.QueryRow(ctx, "SELECT "+sbomCols+sbomFrom+" WHERE s.org_id = ? AND s.id = ?", sc.org, id))
	return s, NotFound(err, "SBOM")
}
