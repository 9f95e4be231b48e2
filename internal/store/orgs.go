package store

import (
	"context"
	"strconv"

	"github.com/vigil-med/vigil/internal/domain"
)

const orgCols = "id, slug, name, type, country, time_zone, require_mfa, created"

func scanOrg(sc interface{ Scan(...any) error }) (domain.Organisation, error) {
	var o domain.Organisation
	var t string
	err := sc.Scan(&o.ID, &o.Slug, &o.Name, &t, &o.Country, &o.TimeZone, &o.RequireMFA, &o.Created)
	o.Type = domain.OrgType(t)
	o.Created = o.Created.UTC()
	return o, err
}

// CreateOrg creates an organisation and records it in the new organisation's audit chain.
func (s *Store) CreateOrg(ctx context.Context, o *domain.Organisation) error {
	if err := o.Validate(); err != nil {
		return err
	}
	o.Created = now()
	return s.WriteGlobal(ctx, func(tx *Tx) error {
		id, err := tx.InsertID(ctx, `INSERT INTO organisations (slug, name, type, country, time_zone, require_mfa, created)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, o.Slug, o.Name, string(o.Type), o.Country, o.TimeZone, o.RequireMFA, o.Created)
		if err != nil {
			if domain.ErrorCode(err) == domain.EConflict {
				return domain.Invalid("slug", "an organisation %q exists already", o.Slug)
			}
			return err
		}
		o.ID = id
		return tx.AuditOrg(ctx, id, AuditEntry{Action: "org.create", Entity: "organisation", EntityID: id,
			Summary: "created organisation " + o.Name, Data: o})
	})
}

// Orgs lists all organisations (for operators and the CLI; the faces show a user only their own).
func (s *Store) Orgs(ctx context.Context) ([]domain.Organisation, error) {
	rows, err := s.Read().Query(ctx, "SELECT "+orgCols+" FROM organisations ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.Organisation
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Org returns an organisation by id.
func (s *Store) Org(ctx context.Context, id int64) (domain.Organisation, error) {
	o, err := scanOrg(s.Read().QueryRow(ctx, "SELECT "+orgCols+" FROM organisations WHERE id = ?", id))
	return o, NotFound(err, "organisation")
}

// OrgByRef finds an organisation by slug or numeric id; "" means the default organisation (the first one).
func (s *Store) OrgByRef(ctx context.Context, ref string) (domain.Organisation, error) {
	if ref == "" {
		o, err := scanOrg(s.Read().QueryRow(ctx, "SELECT "+orgCols+" FROM organisations ORDER BY id LIMIT 1"))
		if err != nil {
			return o, &domain.Error{Code: domain.ENotFound, Message: "no organisation exists yet: create one with `vigil org add NAME` or run `vigil demo`"}
		}
		return o, nil
	}
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return s.Org(ctx, id)
	}
	o, err := scanOrg(s.Read().QueryRow(ctx, "SELECT "+orgCols+" FROM organisations WHERE slug = ?", ref))
	return o, NotFound(err, "organisation "+strconv.Quote(ref))
}

// Organisation returns the scope's organisation.
func (sc *Scope) Organisation(ctx context.Context) (domain.Organisation, error) {
	return sc.s.Org(ctx, sc.org)
}

// UpdateOrg changes the scope's organisation settings.
func (sc *Scope) UpdateOrg(ctx context.Context, o domain.Organisation) error {
	o.ID = sc.org
	if err := o.Validate(); err != nil {
		return err
	}
	return sc.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE organisations SET name = ?, type = ?, country = ?, time_zone = ?, require_mfa = ?
			WHERE id = ?`, o.Name, string(o.Type), o.Country, o.TimeZone, o.RequireMFA, sc.org); err != nil {
			return err
		}
		return tx.Audit(ctx, AuditEntry{Action: "org.update", Entity: "organisation", EntityID: sc.org,
			Summary: "changed organisation settings", Data: o})
	})
}
