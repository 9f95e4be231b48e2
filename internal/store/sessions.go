package store

import (
	"context"
	"time"
)

// Session is a server-side login session. The browser holds only a random id; the database keeps its hash.
type Session struct {
	IDHash    string
	OrgID     int64
	UserID    int64
	CSRFToken string
	MFAPassed bool // false while the second factor is still to be given
	Created   time.Time
	Expires   time.Time
	LastSeen  time.Time
	IP        string
	UserAgent string
}

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, ss Session) error {
	return s.WriteGlobal(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO sessions (id_hash, org_id, user_id, csrf_token, mfa_passed, created, expires,
			last_seen, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			ss.IDHash, ss.OrgID, ss.UserID, ss.CSRFToken, ss.MFAPassed, TS(ss.Created), TS(ss.Expires), TS(ss.LastSeen), ss.IP, ss.UserAgent)
		return err
	})
}

// SessionByHash returns a session that has not expired.
func (s *Store) SessionByHash(ctx context.Context, idHash string, at time.Time) (Session, error) {
	var ss Session
	err := s.Read().QueryRow(ctx, `SELECT id_hash, org_id, user_id, csrf_token, mfa_passed, created, expires, last_seen, ip, user_agent
		FROM sessions WHERE id_hash = ? AND expires > ?`, idHash, TS(at)).Scan(
		&ss.IDHash, &ss.OrgID, &ss.UserID, &ss.CSRFToken, &ss.MFAPassed, &ss.Created, &ss.Expires, &ss.LastSeen, &ss.IP, &ss.UserAgent)
	return ss, NotFound(err, "session")
}

// TouchSession moves last_seen forward (the caller decides how often, to spare the writer).
func (s *Store) TouchSession(ctx context.Context, idHash string, at time.Time) error {
	return s.WriteGlobal(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, "UPDATE sessions SET last_seen = ? WHERE id_hash = ?", TS(at), idHash)
		return err
	})
}

// PassMFA marks a session as fully authenticated.
func (s *Store) PassMFA(ctx context.Context, idHash string) error {
	return s.WriteGlobal(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, "UPDATE sessions SET mfa_passed = TRUE WHERE id_hash = ?", idHash)
		return err
	})
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	return s.WriteGlobal(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, "DELETE FROM sessions WHERE id_hash = ?", idHash)
		return err
	})
}

// DeleteExpiredSessions removes sessions past their expiry or idle for longer than idle.
func (s *Store) DeleteExpiredSessions(ctx context.Context, at time.Time, idle time.Duration) (int64, error) {
	var n int64
	err := s.WriteGlobal(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, "DELETE FROM sessions WHERE expires <= ? OR last_seen <= ?", TS(at), TS(at.Add(-idle)))
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n, err
}

// Sessions lists a user's active sessions in the scope.
func (sc *Scope) Sessions(ctx context.Context, userID int64, at time.Time) ([]Session, error) {
	rows, err := sc.Query(ctx, `SELECT id_hash, org_id, user_id, csrf_token, mfa_passed, created, expires, last_seen, ip, user_agent
		FROM sessions WHERE org_id = ? AND user_id = ? AND expires > ? ORDER BY last_seen DESC`, sc.org, userID, TS(at))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Session
	for rows.Next() {
		var ss Session
		if err := rows.Scan(&ss.IDHash, &ss.OrgID, &ss.UserID, &ss.CSRFToken, &ss.MFAPassed, &ss.Created, &ss.Expires,
			&ss.LastSeen, &ss.IP, &ss.UserAgent); err != nil {
			return nil, err
		}
		out = append(out, ss)
	}
	return out, rows.Err()
}
