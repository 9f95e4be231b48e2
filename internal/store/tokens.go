package store

import (
	"context"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// APIToken is a bearer token for /api/v1, scoped to one organisation and role. Only its hash is stored.
type APIToken struct {
	ID        int64       `json:"id"`
	OrgID     int64       `json:"org_id"`
	UserID    int64       `json:"user_id,omitempty"` // who created it; 0 for CLI-created tokens
	Name      string      `json:"name"`
	Role      domain.Role `json:"role"`
	Prefix    string      `json:"prefix"` // first characters, to recognise a token in lists
	Hash      string      `json:"-"`
	Created   time.Time   `json:"created"`
	Expires   *time.Time  `json:"expires,omitempty"`
	LastUsed  *time.Time  `json:"last_used,omitempty"`
	RevokedAt *time.Time  `json:"revoked_at,omitempty"`
}

const tokenCols = "id, org_id, COALESCE(user_id, 0), name, role, prefix, hash, created, expires, last_used, revoked_at"

func scanToken(sc interface{ Scan(...any) error }) (APIToken, error) {
	var t APIToken
	var role string
	err := sc.Scan(&t.ID, &t.OrgID, &t.UserID, &t.Name, &role, &t.Prefix, &t.Hash, &t.Created, &t.Expires, &t.LastUsed, &t.RevokedAt)
	t.Role = domain.Role(role)
	return t, err
}

// CreateToken stores a token (its hash) in the transaction's organisation.
func (tx *Tx) CreateToken(ctx context.Context, t *APIToken) error {
	if _, err := domain.ParseRole(string(t.Role)); err != nil {
		return err
	}
	if t.Name == "" {
		return domain.Invalid("name", "is required")
	}
	t.OrgID = tx.org
	t.Created = now()
	var user any
	if t.UserID != 0 {
		user = t.UserID
	}
	var exp any
	if t.Expires != nil {
		exp = TS(*t.Expires)
	}
	id, err := tx.InsertID(ctx, `INSERT INTO api_tokens (org_id, user_id, name, role, prefix, hash, created, expires)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, t.OrgID, user, t.Name, string(t.Role), t.Prefix, t.Hash, t.Created, exp)
	if err != nil {
		return err
	}
	t.ID = id
	return tx.Audit(ctx, AuditEntry{Action: "token.create", Entity: "api_token", EntityID: id,
		Summary: "created API token " + t.Name + " (" + string(t.Role) + ")",
		Data:    map[string]any{"name": t.Name, "role": t.Role, "prefix": t.Prefix, "expires": t.Expires}})
}

// RevokeToken revokes a token of the organisation.
func (tx *Tx) RevokeToken(ctx context.Context, id int64) error {
	res, err := tx.Exec(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE org_id = ? AND id = ? AND revoked_at IS NULL", now(), tx.org, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFound("active API token")
	}
	return tx.Audit(ctx, AuditEntry{Action: "token.revoke", Entity: "api_token", EntityID: id, Summary: "revoked API token"})
}

// TokenByHash finds a token by its hash, whatever its organisation (authentication happens before the
// organisation is known). The caller checks expiry and revocation.
func (s *Store) TokenByHash(ctx context.Context, hash string) (APIToken, error) {
	t, err := scanToken(s.Read().QueryRow(ctx, "SELECT "+tokenCols+" FROM api_tokens WHERE hash = ?", hash))
	return t, NotFound(err, "API token")
}

// TouchToken records the last use of a token.
func (s *Store) TouchToken(ctx context.Context, id int64, at time.Time) error {
	return s.WriteGlobal(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, "UPDATE api_tokens SET last_used = ? WHERE id = ?", TS(at), id)
		return err
	})
}

// Tokens lists the organisation's tokens, newest first.
func (sc *Scope) Tokens(ctx context.Context) ([]APIToken, error) {
	rows, err := sc.Query(ctx, "SELECT "+tokenCols+" FROM api_tokens WHERE org_id = ? ORDER BY id DESC", sc.org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []APIToken{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
