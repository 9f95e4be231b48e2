package store

import (
	"context"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

const userCols = "id, org_id, email, name, role, password_hash, totp_secret, mfa_enabled, COALESCE(oidc_subject, ''), disabled, created, last_login"

func scanUser(sc interface{ Scan(...any) error }) (domain.User, error) {
	var u domain.User
	var role string
	var last *time.Time
	err := sc.Scan(&u.ID, &u.OrgID, &u.Email, &u.Name, &role, &u.PasswordHash, &u.TOTPSecret, &u.MFAEnabled,
		&u.OIDCSubject, &u.Disabled, &u.Created, &last)
	u.Role = domain.Role(role)
	u.Created = u.Created.UTC()
	if last != nil {
		t := last.UTC()
		u.LastLogin = &t
	}
	return u, err
}

// UserByEmail finds a user of any organisation by e-mail (for login, which happens before the
// organisation is known). It returns ENotFound when there is none.
func (s *Store) UserByEmail(ctx context.Context, email string) (domain.User, error) {
	u, err := scanUser(s.Read().QueryRow(ctx, "SELECT "+userCols+" FROM users WHERE email = ?", strings.ToLower(strings.TrimSpace(email))))
	return u, NotFound(err, "user")
}

// UserByOIDCSubject finds the user linked to an SSO identity.
func (s *Store) UserByOIDCSubject(ctx context.Context, subject string) (domain.User, error) {
	u, err := scanUser(s.Read().QueryRow(ctx, "SELECT "+userCols+" FROM users WHERE oidc_subject = ?", subject))
	return u, NotFound(err, "user")
}

// UserByID finds a user of any organisation by id (for sessions, which carry both ids).
func (s *Store) UserByID(ctx context.Context, id int64) (domain.User, error) {
	u, err := scanUser(s.Read().QueryRow(ctx, "SELECT "+userCols+" FROM users WHERE id = ?", id))
	return u, NotFound(err, "user")
}

// User returns a user of the scope's organisation.
func (sc *Scope) User(ctx context.Context, id int64) (domain.User, error) {
	u, err := scanUser(sc.QueryRow(ctx, "SELECT "+userCols+" FROM users WHERE org_id = ? AND id = ?", sc.org, id))
	return u, NotFound(err, "user")
}

// UserByEmail returns a user of the scope's organisation by e-mail.
func (sc *Scope) UserByEmail(ctx context.Context, email string) (domain.User, error) {
	u, err := scanUser(sc.QueryRow(ctx, "SELECT "+userCols+" FROM users WHERE org_id = ? AND email = ?", sc.org,
		strings.ToLower(strings.TrimSpace(email))))
	return u, NotFound(err, "user")
}

// Users lists the users of the scope's organisation.
func (sc *Scope) Users(ctx context.Context, p domain.ListParams) (domain.Page[domain.User], error) {
	p = p.Normalize()
	where, args := "org_id = ?", []any{sc.org}
	if p.Q != "" {
		where += " AND (email " + sc.Like() + " ? OR name " + sc.Like() + " ?)"
		args = append(args, "%"+p.Q+"%", "%"+p.Q+"%")
	}
	out := domain.Page[domain.User]{Limit: p.Limit, Offset: p.Offset, Items: []domain.User{}}
	var err error
	if out.Total, err = sc.Count(ctx, "SELECT COUNT(*) FROM users WHERE "+where, args...); err != nil {
		return out, err
	}
	order := sortClause(p.Sort, map[string]string{"email": "email", "name": "name", "role": "role", "created": "created", "last_login": "last_login"}, "email")
	rows, err := sc.Query(ctx, "SELECT "+userCols+" FROM users WHERE "+where+" ORDER BY "+order+" LIMIT ? OFFSET ?", append(args, p.Limit, p.Offset)...)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, u)
	}
	return out, rows.Err()
}

// CreateUser adds a user to the transaction's organisation. PasswordHash must already be a hash.
func (tx *Tx) CreateUser(ctx context.Context, u *domain.User) error {
	u.OrgID = tx.org
	if err := u.Validate(); err != nil {
		return err
	}
	u.Created = now()
	var oidc any
	if u.OIDCSubject != "" {
		oidc = u.OIDCSubject
	}
	id, err := tx.InsertID(ctx, `INSERT INTO users (org_id, email, name, role, password_hash, totp_secret, mfa_enabled,
		oidc_subject, disabled, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		u.OrgID, u.Email, u.Name, string(u.Role), u.PasswordHash, u.TOTPSecret, u.MFAEnabled, oidc, u.Disabled, u.Created)
	if err != nil {
		if domain.ErrorCode(err) == domain.EConflict {
			return domain.Invalid("email", "a user with e-mail %s exists already", u.Email)
		}
		return err
	}
	u.ID = id
	return tx.Audit(ctx, AuditEntry{Action: "user.create", Entity: "user", EntityID: id,
		Summary: "created user " + u.Email + " (" + string(u.Role) + ")",
		Data:    map[string]any{"email": u.Email, "name": u.Name, "role": u.Role, "sso": u.OIDCSubject != ""}})
}

// UpdateUser changes name, role and disabled state of a user of the organisation.
func (tx *Tx) UpdateUser(ctx context.Context, u domain.User) error {
	u.OrgID = tx.org
	if err := u.Validate(); err != nil {
		return err
	}
	res, err := tx.Exec(ctx, "UPDATE users SET name = ?, role = ?, disabled = ? WHERE org_id = ? AND id = ?",
		u.Name, string(u.Role), u.Disabled, tx.org, u.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFound("user")
	}
	if u.Disabled {
		// A disabled account loses its sessions and tokens at once.
		if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE org_id = ? AND user_id = ?", tx.org, u.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE org_id = ? AND user_id = ? AND revoked_at IS NULL", now(), tx.org, u.ID); err != nil {
			return err
		}
	}
	return tx.Audit(ctx, AuditEntry{Action: "user.update", Entity: "user", EntityID: u.ID,
		Summary: "changed user " + u.Email, Data: map[string]any{"name": u.Name, "role": u.Role, "disabled": u.Disabled}})
}

// SetPassword stores a new password hash and ends the user's other sessions.
func (tx *Tx) SetPassword(ctx context.Context, userID int64, hash string, keepSession string) error {
	res, err := tx.Exec(ctx, "UPDATE users SET password_hash = ? WHERE org_id = ? AND id = ?", hash, tx.org, userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFound("user")
	}
	if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE org_id = ? AND user_id = ? AND id_hash <> ?", tx.org, userID, keepSession); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "user.password", Entity: "user", EntityID: userID, Summary: "changed password"})
}

// SetMFA enables MFA with a TOTP secret and recovery code hashes, or disables it (secret "").
func (tx *Tx) SetMFA(ctx context.Context, userID int64, secret string, recoveryHashes []string) error {
	enabled := secret != ""
	res, err := tx.Exec(ctx, "UPDATE users SET totp_secret = ?, mfa_enabled = ? WHERE org_id = ? AND id = ?", secret, enabled, tx.org, userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFound("user")
	}
	if _, err := tx.Exec(ctx, "DELETE FROM recovery_codes WHERE org_id = ? AND user_id = ?", tx.org, userID); err != nil {
		return err
	}
	for _, h := range recoveryHashes {
		if _, err := tx.Exec(ctx, "INSERT INTO recovery_codes (org_id, user_id, code_hash) VALUES (?, ?, ?)", tx.org, userID, h); err != nil {
			return err
		}
	}
	action, summary := "user.mfa_enable", "enrolled multi-factor authentication"
	if !enabled {
		action, summary = "user.mfa_disable", "removed multi-factor authentication"
	}
	return tx.Audit(ctx, AuditEntry{Action: action, Entity: "user", EntityID: userID, Summary: summary})
}

// UseRecoveryCode marks an unused recovery code with the given hash as used; ENotFound when none matches.
func (tx *Tx) UseRecoveryCode(ctx context.Context, userID int64, hash string) error {
	res, err := tx.Exec(ctx, "UPDATE recovery_codes SET used_at = ? WHERE org_id = ? AND user_id = ? AND code_hash = ? AND used_at IS NULL",
		now(), tx.org, userID, hash)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFound("recovery code")
	}
	return tx.Audit(ctx, AuditEntry{Action: "user.recovery_code", Entity: "user", EntityID: userID, Summary: "signed in with a recovery code"})
}

// ClaimTOTPStep records that the user signed in with a TOTP code of time step step. It fails with
// EConflict when a code of this or a later step was accepted before: each code works once.
func (tx *Tx) ClaimTOTPStep(ctx context.Context, userID, step int64) error {
	res, err := tx.Exec(ctx, "UPDATE users SET totp_last_step = ? WHERE org_id = ? AND id = ? AND totp_last_step < ?", step, tx.org, userID, step)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &domain.Error{Code: domain.EConflict, Message: "this code was used already; wait for the next one"}
	}
	return nil
}

// RecoveryCodesLeft counts the unused recovery codes of a user.
func (sc *Scope) RecoveryCodesLeft(ctx context.Context, userID int64) (int, error) {
	return sc.Count(ctx, "SELECT COUNT(*) FROM recovery_codes WHERE org_id = ? AND user_id = ? AND used_at IS NULL", sc.org, userID)
}

// RecordLogin stores the time of a successful login and audits it.
func (tx *Tx) RecordLogin(ctx context.Context, userID int64, method string) error {
	if _, err := tx.Exec(ctx, "UPDATE users SET last_login = ? WHERE org_id = ? AND id = ?", now(), tx.org, userID); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "auth.login", Entity: "user", EntityID: userID, Summary: "signed in (" + method + ")"})
}

// MFACoverage counts active users and those with MFA (or SSO, where the identity provider does MFA).
func (sc *Scope) MFACoverage(ctx context.Context) (active, withMFA, sso int, err error) {
	err = sc.QueryRow(ctx, `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN mfa_enabled THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN oidc_subject IS NOT NULL THEN 1 ELSE 0 END), 0)
		FROM users WHERE org_id = ? AND disabled = FALSE`, sc.org).Scan(&active, &withMFA, &sso)
	return active, withMFA, sso, mapErr(err)
}

// sortClause turns a user-supplied sort key ("name" or "-name") into an ORDER BY clause from an allow-list.
func sortClause(key string, allowed map[string]string, def string) string {
	desc := strings.HasPrefix(key, "-")
	col, ok := allowed[strings.TrimPrefix(key, "-")]
	if !ok {
		return def
	}
	if desc {
		return col + " DESC"
	}
	return col
}

// SortClause is sortClause for other packages' list queries.
func SortClause(key string, allowed map[string]string, def string) string {
	return sortClause(key, allowed, def)
}
