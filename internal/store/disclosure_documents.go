package store

import (
	"context"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
)

// Disclosure documents: the original SBOM, MDS2, CSAF and VEX documents as received, kept for evidence.
// The disclosure imports (internal/disclosure) write them in the transaction of the import, whose audit
// event names the document; they are never changed afterwards.

const discDocumentCols = `d.id, d.org_id, d.kind, d.format, d.file_name, d.media_type, d.sha256, d.size, d.source, d.source_ref, d.title,
	d.ref, d.version, COALESCE(d.product_version_id, 0), d.imported, d.imported_by,
	COALESCE(m.name, ''), COALESCE(p.name, ''), COALESCE(p.id, 0), COALESCE(v.version, '')`

const discDocumentFrom = ` FROM disclosure_documents d
	LEFT JOIN product_versions v ON v.org_id = d.org_id AND v.id = d.product_version_id
	LEFT JOIN products p ON p.id = v.product_id
	LEFT JOIN manufacturers m ON m.id = p.manufacturer_id`

func scanDiscDocument(sc interface{ Scan(...any) error }) (domain.DisclosureDocument, error) {
	var d domain.DisclosureDocument
	var kind string
	err := sc.Scan(&d.ID, &d.OrgID, &kind, &d.Format, &d.FileName, &d.MediaType, &d.SHA256, &d.Size, &d.Source, &d.SourceRef, &d.Title,
		&d.Ref, &d.Version, &d.ProductVersionID, &d.Imported, &d.ImportedBy, &d.Manufacturer, &d.Product, &d.ProductID, &d.VersionLabel)
	d.Kind, d.Imported = domain.DisclosureKind(kind), d.Imported.UTC()
	return d, err
}

var discDocumentSort = map[string]string{"imported": "d.imported", "kind": "d.kind", "title": "d.title", "file": "d.file_name", "size": "d.size"}

// Documents lists the organisation's disclosure documents, newest first unless sorted otherwise. The
// search matches title, file name, id, source and hash.
func (sc *Scope) Documents(ctx context.Context, f domain.DocumentFilter) (domain.Page[domain.DisclosureDocument], error) {
	p := f.ListParams.Normalize()
	where, args := []string{"d.org_id = ?"}, []any{sc.org}
	if f.Kind != "" {
		where, args = append(where, "d.kind = ?"), append(args, string(f.Kind))
	}
	if f.ProductVersionID != 0 {
		where, args = append(where, "d.product_version_id = ?"), append(args, f.ProductVersionID)
	}
	if f.ProductID != 0 {
		where, args = append(where, "d.product_version_id IN (SELECT id FROM product_versions WHERE org_id = ? AND product_id = ?)"), append(args, sc.org, f.ProductID)
	}
	for _, t := range searchTerms(p.Q) {
		l := likeArg(t)
		where = append(where, `(LOWER(d.title) LIKE ? ESCAPE '\' OR LOWER(d.file_name) LIKE ? ESCAPE '\' OR LOWER(d.ref) LIKE ? ESCAPE '\'
			OR LOWER(d.source_ref) LIKE ? ESCAPE '\' OR d.sha256 LIKE ? ESCAPE '\')`)
		args = append(args, l, l, l, l, l)
	}
	w := strings.Join(where, " AND ")
	out := domain.Page[domain.DisclosureDocument]{Limit: p.Limit, Offset: p.Offset, Items: []domain.DisclosureDocument{}}
	var err error
	if out.Total, err = sc.Count(ctx, "SELECT COUNT(*) FROM disclosure_documents d WHERE "+w, args...); err != nil {
		return out, err
	}
	order := sortClause(p.Sort, discDocumentSort, "d.imported DESC") + ", d.id DESC"
	out.Items, err = queryAll(ctx, sc.Q, scanDiscDocument, "SELECT "+discDocumentCols+discDocumentFrom+" WHERE "+w+" ORDER BY "+order+" LIMIT ? OFFSET ?",
		append(args, p.Limit, p.Offset)...)
	return out, err
}

// Document returns one document's description.
func (sc *Scope) Document(ctx context.Context, id int64) (domain.DisclosureDocument, error) {
	d, err := scanDiscDocument(sc.QueryRow(ctx, "SELECT "+discDocumentCols+discDocumentFrom+" WHERE d.org_id = ? AND d.id = ?", sc.org, id))
	return d, NotFound(err, "document")
}

// DocumentContent returns the bytes of a document as received.
func (sc *Scope) DocumentContent(ctx context.Context, id int64) ([]byte, error) {
	var b []byte
	err := sc.QueryRow(ctx, "SELECT content FROM disclosure_documents WHERE org_id = ? AND id = ?", sc.org, id).Scan(&b)
	return b, NotFound(err, "document")
}

// DocumentsByRef lists the documents of a kind with the same own id (the versions of one CSAF advisory),
// newest first.
func (sc *Scope) DocumentsByRef(ctx context.Context, kind domain.DisclosureKind, ref string) ([]domain.DisclosureDocument, error) {
	return queryAll(ctx, sc.Q, scanDiscDocument, "SELECT "+discDocumentCols+discDocumentFrom+" WHERE d.org_id = ? AND d.kind = ? AND d.ref = ? ORDER BY d.imported DESC, d.id DESC",
		sc.org, string(kind), ref)
}

// DocumentBySHA256 returns the latest document of a kind with these bytes, if one was received before
// (ENotFound otherwise); imports use it to skip what they already have.
func (sc *Scope) DocumentBySHA256(ctx context.Context, kind domain.DisclosureKind, sha string) (domain.DisclosureDocument, error) {
	d, err := scanDiscDocument(sc.QueryRow(ctx, "SELECT "+discDocumentCols+discDocumentFrom+" WHERE d.org_id = ? AND d.kind = ? AND d.sha256 = ? ORDER BY d.id DESC LIMIT 1",
		sc.org, string(kind), sha))
	return d, NotFound(err, "document")
}

// AddDocument keeps a received document. It is part of an import: the import's audit event, written in
// the same transaction, names the document.
func (tx *Tx) AddDocument(ctx context.Context, d *domain.DisclosureDocument, content []byte) error {
	if _, err := domain.ParseDisclosureKind(string(d.Kind)); err != nil || d.Kind == "" {
		return domain.Invalid("kind", "unknown document kind %q", d.Kind)
	}
	d.OrgID, d.Imported, d.Size = tx.org, now(), int64(len(content))
	if d.ImportedBy == "" {
		d.ImportedBy = domain.ActorFrom(ctx).Name
	}
	if d.Source == "" {
		d.Source = "file"
	}
	id, err := tx.InsertID(ctx, `INSERT INTO disclosure_documents (org_id, kind, format, file_name, media_type, sha256, size, source, source_ref,
		title, ref, version, product_version_id, imported, imported_by, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		tx.org, string(d.Kind), d.Format, d.FileName, d.MediaType, d.SHA256, d.Size, d.Source, d.SourceRef, truncate(d.Title, 500), d.Ref, d.Version,
		nullID(d.ProductVersionID), d.Imported, d.ImportedBy, content)
	d.ID = id
	return err
}

// SetDocumentVersion records the product version a document describes once the import knows it.
func (tx *Tx) SetDocumentVersion(ctx context.Context, id, productVersionID int64) error {
	_, err := tx.Exec(ctx, "UPDATE disclosure_documents SET product_version_id = ? WHERE org_id = ? AND id = ?", nullID(productVersionID), tx.org, id)
	return err
}

// DisclosureCounts are figures of a version's (or the organisation's) disclosures.
type DisclosureCounts struct {
	Documents  map[domain.DisclosureKind]int `json:"documents"`
	SBOMs      int                           `json:"sboms"`
	Components int                           `json:"components"`
	MDS2       int                           `json:"mds2_forms"`
	Drafts     int                           `json:"mds2_drafts"`
	Advisories int                           `json:"advisories"`
	Unmapped   int                           `json:"unmapped_products" doc:"advisory products in the mapping queue"`
	Statements int                           `json:"vex_statements"`
	Versions   int                           `json:"versions_with_sbom"`
}

// DisclosureCounts returns the organisation's disclosure figures.
func (sc *Scope) DisclosureCounts(ctx context.Context) (DisclosureCounts, error) {
	c := DisclosureCounts{Documents: map[domain.DisclosureKind]int{}}
	rows, err := sc.Query(ctx, "SELECT kind, COUNT(*) FROM disclosure_documents WHERE org_id = ? GROUP BY kind", sc.org)
	if err != nil {
		return c, err
	}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			rows.Close()
			return c, err
		}
		c.Documents[domain.DisclosureKind(k)] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return c, err
	}
	err = sc.QueryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM sboms WHERE org_id = ?),
		(SELECT COALESCE(SUM(components), 0) FROM sboms WHERE org_id = ?),
		(SELECT COUNT(*) FROM mds2_forms WHERE org_id = ? AND status = 'imported'),
		(SELECT COUNT(*) FROM mds2_forms WHERE org_id = ? AND status = 'draft'),
		(SELECT COUNT(*) FROM advisories WHERE org_id = ?),
		(SELECT COUNT(*) FROM advisory_products WHERE org_id = ? AND state = 'unmapped'),
		(SELECT COUNT(*) FROM vex_statements WHERE org_id = ?)`, sc.org, sc.org, sc.org, sc.org, sc.org, sc.org, sc.org).
		Scan(&c.SBOMs, &c.Components, &c.MDS2, &c.Drafts, &c.Advisories, &c.Unmapped, &c.Statements)
	c.Versions = c.SBOMs
	return c, mapErr(err)
}

// VersionDisclosureFlags are the disclosure figures of one product version for lists.
type VersionDisclosureFlags struct {
	SBOMID     int64 `json:"sbom_id,omitzero"`
	Components int   `json:"components"`
	MDS2ID     int64 `json:"mds2_id,omitzero"`
	Advisories int   `json:"advisories"`
	VEX        int   `json:"vex"`
}

// VersionDisclosureFlags returns the disclosure figures of the versions of a product by version id.
func (sc *Scope) VersionDisclosureFlags(ctx context.Context, productID int64) (map[int64]VersionDisclosureFlags, error) {
	out := map[int64]VersionDisclosureFlags{}
	rows, err := sc.Query(ctx, `SELECT v.id,
		COALESCE((SELECT s.id FROM sboms s WHERE s.org_id = v.org_id AND s.product_version_id = v.id), 0),
		COALESCE((SELECT s.components FROM sboms s WHERE s.org_id = v.org_id AND s.product_version_id = v.id), 0),
		COALESCE((SELECT MAX(f.id) FROM mds2_forms f WHERE f.org_id = v.org_id AND f.product_version_id = v.id), 0),
		(SELECT COUNT(DISTINCT ap.advisory_id) FROM advisory_product_versions apv JOIN advisory_products ap ON ap.id = apv.advisory_product_id
			WHERE apv.org_id = v.org_id AND apv.product_version_id = v.id),
		(SELECT COUNT(*) FROM vex_statements x WHERE x.org_id = v.org_id AND x.product_version_id = v.id)
		FROM product_versions v WHERE v.org_id = ? AND v.product_id = ?`, sc.org, productID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var f VersionDisclosureFlags
		if err := rows.Scan(&id, &f.SBOMID, &f.Components, &f.MDS2ID, &f.Advisories, &f.VEX); err != nil {
			return nil, err
		}
		out[id] = f
	}
	return out, rows.Err()
}
