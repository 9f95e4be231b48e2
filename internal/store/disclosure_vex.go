package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// VEX statements of every source (OpenVEX, CycloneDX VEX, CSAF VEX and CSAF advisories; manufacturer or
// hospital), attached to product versions.

const vexCols = `x.id, x.org_id, COALESCE(x.document_id, 0), COALESCE(x.advisory_id, 0), COALESCE(x.advisory_product_id, 0), x.source_kind,
	x.source_format, x.source, x.vulnerability, x.aliases, COALESCE(x.product_version_id, 0), x.product_ref, x.product_name, x.product_version,
	x.product_purl, x.product_cpe, x.component_name, x.component_version, x.component_purl, x.status, x.justification, x.impact, x.action,
	x.stated, x.created, COALESCE(m.name, ''), COALESCE(p.name, ''), COALESCE(p.id, 0), COALESCE(v.version, '')`

const vexFrom = ` FROM vex_statements x
	LEFT JOIN product_versions v ON v.org_id = x.org_id AND v.id = x.product_version_id
	LEFT JOIN products p ON p.id = v.product_id
	LEFT JOIN manufacturers m ON m.id = p.manufacturer_id`

func scanVEX(sc interface{ Scan(...any) error }) (domain.VEXStatement, error) {
	var s domain.VEXStatement
	var aliases string
	var stated *time.Time
	err := sc.Scan(&s.ID, &s.OrgID, &s.DocumentID, &s.AdvisoryID, &s.AdvisoryProductID, &s.SourceKind, &s.SourceFormat, &s.Source,
		&s.Vulnerability, &aliases, &s.ProductVersionID, &s.ProductRef, &s.ProductName, &s.ProductVer, &s.ProductPURL, &s.ProductCPE,
		&s.ComponentName, &s.ComponentVersion, &s.ComponentPURL, &s.Status, &s.Justification, &s.Impact, &s.Action, &stated, &s.Created,
		&s.Manufacturer, &s.Product, &s.ProductID, &s.Version)
	s.Aliases, s.Created = strings.Fields(aliases), s.Created.UTC()
	if stated != nil {
		s.Stated = stated.UTC()
	}
	return s, err
}

var vexSort = map[string]string{"vulnerability": "x.vulnerability", "status": "x.status", "stated": "x.stated", "product": "LOWER(p.name)",
	"source": "x.source_kind"}

// VEXStatements lists statements, filtered and paged, by vulnerability unless sorted otherwise. The
// search matches the vulnerability, its aliases, the product and component names and the source.
func (sc *Scope) VEXStatements(ctx context.Context, f domain.VEXFilter) (domain.Page[domain.VEXStatement], error) {
	p := f.ListParams.Normalize()
	where, args := []string{"x.org_id = ?"}, []any{sc.org}
	for _, c := range []struct {
		col string
		v   int64
	}{{"x.product_version_id", f.ProductVersionID}, {"x.document_id", f.DocumentID}, {"x.advisory_id", f.AdvisoryID}} {
		if c.v != 0 {
			where, args = append(where, c.col+" = ?"), append(args, c.v)
		}
	}
	if f.Vulnerability != "" {
		where, args = append(where, "x.vulnerability = ?"), append(args, f.Vulnerability)
	}
	if f.SourceKind != "" {
		where, args = append(where, "x.source_kind = ?"), append(args, f.SourceKind)
	}
	if f.Unattached {
		where = append(where, "x.product_version_id IS NULL")
	}
	for _, t := range searchTerms(p.Q) {
		l := likeArg(t)
		where = append(where, `(LOWER(x.vulnerability) LIKE ? ESCAPE '\' OR LOWER(x.aliases) LIKE ? ESCAPE '\' OR LOWER(x.product_name) LIKE ? ESCAPE '\'
			OR LOWER(x.component_name) LIKE ? ESCAPE '\' OR LOWER(x.source) LIKE ? ESCAPE '\' OR LOWER(COALESCE(p.name, '')) LIKE ? ESCAPE '\')`)
		args = append(args, l, l, l, l, l, l)
	}
	w := strings.Join(where, " AND ")
	out := domain.Page[domain.VEXStatement]{Limit: p.Limit, Offset: p.Offset, Items: []domain.VEXStatement{}}
	var err error
	if out.Total, err = sc.Count(ctx, "SELECT COUNT(*)"+vexFrom+" WHERE "+w, args...); err != nil {
		return out, err
	}
	order := sortClause(p.Sort, vexSort, "x.vulnerability, x.stated DESC") + ", x.id"
	out.Items, err = queryAll(ctx, sc.Q, scanVEX, "SELECT "+vexCols+vexFrom+" WHERE "+w+" ORDER BY "+order+" LIMIT ? OFFSET ?", append(args, p.Limit, p.Offset)...)
	return out, err
}

// VEXStatement returns one statement.
func (sc *Scope) VEXStatement(ctx context.Context, id int64) (domain.VEXStatement, error) {
	s, err := scanVEX(sc.QueryRow(ctx, "SELECT "+vexCols+vexFrom+" WHERE x.org_id = ? AND x.id = ?", sc.org, id))
	return s, NotFound(err, "VEX statement")
}

// VersionVEX returns every statement about a product version (for the matching engine: a finding of a
// vulnerability on the version is affected minus what these say).
func (sc *Scope) VersionVEX(ctx context.Context, productVersionID int64) ([]domain.VEXStatement, error) {
	return queryAll(ctx, sc.Q, scanVEX, "SELECT "+vexCols+vexFrom+" WHERE x.org_id = ? AND x.product_version_id = ? ORDER BY x.vulnerability, x.stated, x.id",
		sc.org, productVersionID)
}

// AddVEXStatements stores statements in batches. It is part of an import (or of a mapping that derives
// statements from an advisory); the caller audits. AddVEXStatement is the audited single write.
func (tx *Tx) AddVEXStatements(ctx context.Context, stmts []domain.VEXStatement) error {
	ts := now()
	const batch = 200
	for start := 0; start < len(stmts); start += batch {
		part := stmts[start:min(start+batch, len(stmts))]
		var b strings.Builder
		b.WriteString(`INSERT INTO vex_statements (org_id, document_id, advisory_id, advisory_product_id, source_kind, source_format, source,
			vulnerability, aliases, product_version_id, product_ref, product_name, product_version, product_purl, product_cpe, component_name,
			component_version, component_purl, component_purl_key, status, justification, impact, action, stated, created) VALUES `)
		args := make([]any, 0, len(part)*25)
		for i := range part {
			s := &part[i]
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			s.OrgID, s.Created = tx.org, ts
			args = append(args, tx.org, nullID(s.DocumentID), nullID(s.AdvisoryID), nullID(s.AdvisoryProductID), s.SourceKind, s.SourceFormat,
				truncate(s.Source, 500), truncate(s.Vulnerability, 200), strings.Join(s.Aliases, " "), nullID(s.ProductVersionID), truncate(s.ProductRef, 1000),
				truncate(s.ProductName, 500), truncate(s.ProductVer, 200), truncate(s.ProductPURL, 1000), truncate(s.ProductCPE, 500),
				truncate(s.ComponentName, 500), truncate(s.ComponentVersion, 200), truncate(s.ComponentPURL, 1000), purlBase(s.ComponentPURL),
				s.Status, s.Justification, s.Impact, s.Action, tsPtr(&s.Stated), ts)
		}
		if _, err := tx.Exec(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("VEX statements %d–%d: %w", start+1, start+len(part), err)
		}
	}
	return nil
}

// AddVEXStatement records one statement made in Vigil (a hospital's own assessment of a version).
func (tx *Tx) AddVEXStatement(ctx context.Context, s *domain.VEXStatement) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if s.ProductVersionID == 0 {
		return domain.Invalid("product_version_id", "choose the product version the statement is about")
	}
	if err := tx.refCheck(ctx, tx.org, "product_version_id", "product_versions", "product version", s.ProductVersionID); err != nil {
		return err
	}
	if s.SourceFormat == "" {
		s.SourceFormat = "manual"
	}
	if s.Stated.IsZero() {
		s.Stated = now()
	}
	if s.Source == "" {
		s.Source = domain.ActorFrom(ctx).Name
	}
	id, err := tx.InsertID(ctx, `INSERT INTO vex_statements (org_id, source_kind, source_format, source, vulnerability, product_version_id,
		component_name, component_version, component_purl, component_purl_key, status, justification, impact, action, stated, created)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, tx.org, s.SourceKind, s.SourceFormat, s.Source, s.Vulnerability,
		s.ProductVersionID, s.ComponentName, s.ComponentVersion, s.ComponentPURL, purlBase(s.ComponentPURL), s.Status, s.Justification, s.Impact,
		s.Action, TS(s.Stated), now())
	if err != nil {
		return err
	}
	s.ID = id
	return tx.Audit(ctx, AuditEntry{Action: "vex.create", Entity: "vex_statement", EntityID: id,
		Summary: fmt.Sprintf("stated %s: %s for product version %d", s.Vulnerability, s.Status, s.ProductVersionID), Data: s})
}

// DeleteVEXStatement removes a statement made in Vigil (statements of documents go with their document's
// replacement, not one by one).
func (tx *Tx) DeleteVEXStatement(ctx context.Context, id int64) error {
	s, err := tx.scope().VEXStatement(ctx, id)
	if err != nil {
		return err
	}
	if s.DocumentID != 0 || s.AdvisoryID != 0 {
		return domain.Errorf(domain.EConflict, "this statement comes from a document; import a newer document instead")
	}
	if _, err := tx.Exec(ctx, "DELETE FROM vex_statements WHERE org_id = ? AND id = ?", tx.org, id); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "vex.delete", Entity: "vex_statement", EntityID: id,
		Summary: fmt.Sprintf("withdrew the statement %s: %s", s.Vulnerability, s.Status), Data: s})
}

// DeleteAdvisoryStatements removes the statements an advisory product gave (before its mapping is
// applied again).
func (tx *Tx) DeleteAdvisoryStatements(ctx context.Context, advisoryProductID int64) error {
	_, err := tx.Exec(ctx, "DELETE FROM vex_statements WHERE org_id = ? AND advisory_product_id = ?", tx.org, advisoryProductID)
	return err
}

// UnattachedVEX returns the statements of documents that matched no product version (re-attached when
// the inventory or SBOMs change).
func (sc *Scope) UnattachedVEX(ctx context.Context) ([]domain.VEXStatement, error) {
	return queryAll(ctx, sc.Q, scanVEX, "SELECT "+vexCols+vexFrom+" WHERE x.org_id = ? AND x.product_version_id IS NULL AND x.document_id IS NOT NULL ORDER BY x.id", sc.org)
}

// AttachVEX records the product version (and component) of a statement that had none, once the
// inventory or an SBOM names its product.
func (tx *Tx) AttachVEX(ctx context.Context, s domain.VEXStatement) error {
	_, err := tx.Exec(ctx, `UPDATE vex_statements SET product_version_id = ?, component_name = ?, component_version = ?, component_purl = ?,
		component_purl_key = ? WHERE org_id = ? AND id = ?`, nullID(s.ProductVersionID), s.ComponentName, s.ComponentVersion, s.ComponentPURL,
		purlBase(s.ComponentPURL), tx.org, s.ID)
	return err
}
