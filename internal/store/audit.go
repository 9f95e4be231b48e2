package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// AuditEntry is what a change says about itself; the actor, time and chain are filled in by Audit.
type AuditEntry struct {
	Action   string // "asset.update"
	Entity   string // "asset"
	EntityID any    // printed with %v
	Summary  string // one line for people
	Data     any    // marshalled to JSON: what changed (never secrets)
}

// Audit appends an audit event to the organisation's hash chain within the transaction. The actor comes
// from ctx (domain.WithActor). It fails for a transaction without an organisation.
func (tx *Tx) Audit(ctx context.Context, e AuditEntry) error {
	return tx.AuditOrg(ctx, tx.org, e)
}

// AuditOrg is Audit for an explicit organisation, for global transactions that change an organisation
// (creating it, for example).
func (tx *Tx) AuditOrg(ctx context.Context, org int64, e AuditEntry) error {
	if org == 0 {
		return fmt.Errorf("audit %s: no organisation", e.Action)
	}
	a := domain.ActorFrom(ctx)
	ev := domain.AuditEvent{
		OrgID: org, Time: now(), ActorKind: a.Kind, ActorID: a.UserID, ActorName: a.Name,
		IP: a.IP, RequestID: a.RequestID, Action: e.Action, Entity: e.Entity, Summary: e.Summary,
	}
	if a.Kind == domain.ActorToken {
		ev.ActorID = a.TokenID
	}
	if e.EntityID != nil {
		ev.EntityID = fmt.Sprint(e.EntityID)
	}
	if e.Data != nil {
		b, err := json.Marshal(e.Data)
		if err != nil {
			return fmt.Errorf("audit %s: %w", e.Action, err)
		}
		ev.Data = b
	}
	// Lock the chain head of the organisation (PostgreSQL; SQLite's single writer serialises anyway).
	var headSeq int64
	var headHash string
	err := tx.QueryRow(ctx, "SELECT seq, hash FROM audit_heads WHERE org_id = ?"+tx.ForUpdate(), org).Scan(&headSeq, &headHash)
	if err != nil && domain.ErrorCode(mapErr(err)) != domain.ENotFound {
		return fmt.Errorf("audit head: %w", err)
	}
	ev.Seq = headSeq + 1
	ev.PrevHash = headHash
	ev.Hash = AuditHash(ev)
	if _, err := tx.Exec(ctx, `INSERT INTO audit_events (org_id, seq, time, actor_kind, actor_id, actor_name, ip,
		request_id, action, entity, entity_id, summary, data, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ev.OrgID, ev.Seq, ev.Time, string(ev.ActorKind), ev.ActorID, ev.ActorName, ev.IP, ev.RequestID,
		ev.Action, ev.Entity, ev.EntityID, ev.Summary, string(ev.Data), ev.PrevHash, ev.Hash); err != nil {
		return fmt.Errorf("audit insert: %w", err)
	}
	if headSeq == 0 {
		_, err = tx.Exec(ctx, "INSERT INTO audit_heads (org_id, seq, hash) VALUES (?, ?, ?)", org, ev.Seq, ev.Hash)
	} else {
		_, err = tx.Exec(ctx, "UPDATE audit_heads SET seq = ?, hash = ? WHERE org_id = ?", ev.Seq, ev.Hash, org)
	}
	if err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	return nil
}

// AuditHash is the SHA-256 over the event's fields and the previous hash. Any change to a stored field
// changes it; the previous hash links the event to the one before.
func AuditHash(ev domain.AuditEvent) string {
	h := sha256.New()
	for _, f := range []string{
		"vigil-audit-v1", strconv.FormatInt(ev.OrgID, 10), strconv.FormatInt(ev.Seq, 10),
		ev.Time.UTC().Format(time.RFC3339Nano), string(ev.ActorKind), strconv.FormatInt(ev.ActorID, 10),
		ev.ActorName, ev.IP, ev.RequestID, ev.Action, ev.Entity, ev.EntityID, ev.Summary, string(ev.Data), ev.PrevHash,
	} {
		// Length-prefixed so that moving text between fields changes the hash.
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

const auditCols = `id, org_id, seq, time, actor_kind, actor_id, actor_name, ip, request_id, action, entity, entity_id,
	summary, data, prev_hash, hash`

func scanAudit(sc interface{ Scan(...any) error }) (domain.AuditEvent, error) {
	var ev domain.AuditEvent
	var kind, data string
	err := sc.Scan(&ev.ID, &ev.OrgID, &ev.Seq, &ev.Time, &kind, &ev.ActorID, &ev.ActorName, &ev.IP, &ev.RequestID,
		&ev.Action, &ev.Entity, &ev.EntityID, &ev.Summary, &data, &ev.PrevHash, &ev.Hash)
	ev.ActorKind = domain.ActorKind(kind)
	ev.Time = ev.Time.UTC()
	if data != "" {
		ev.Data = json.RawMessage(data)
	}
	return ev, err
}

// AuditEvents lists the organisation's audit events, newest first.
func (sc *Scope) AuditEvents(ctx context.Context, f domain.AuditFilter) (domain.Page[domain.AuditEvent], error) {
	p := f.ListParams.Normalize()
	where := []string{"org_id = ?"}
	args := []any{sc.org}
	like := sc.Like()
	if f.Action != "" {
		where = append(where, "action "+like+" ?")
		args = append(args, f.Action+"%")
	}
	if f.Entity != "" {
		where = append(where, "entity = ?")
		args = append(args, f.Entity)
	}
	if f.Actor != "" {
		where = append(where, "actor_name "+like+" ?")
		args = append(args, "%"+f.Actor+"%")
	}
	if !f.Since.IsZero() {
		where = append(where, "time >= ?")
		args = append(args, TS(f.Since))
	}
	if !f.Until.IsZero() {
		where = append(where, "time < ?")
		args = append(args, TS(f.Until))
	}
	if p.Q != "" {
		where = append(where, "(summary "+like+" ? OR entity_id = ? OR action "+like+" ?)")
		args = append(args, "%"+p.Q+"%", p.Q, "%"+p.Q+"%")
	}
	w := strings.Join(where, " AND ")
	out := domain.Page[domain.AuditEvent]{Limit: p.Limit, Offset: p.Offset, Items: []domain.AuditEvent{}}
	var err error
	if out.Total, err = sc.Count(ctx, "SELECT COUNT(*) FROM audit_events WHERE "+w, args...); err != nil {
		return out, err
	}
	rows, err := sc.Query(ctx, "SELECT "+auditCols+" FROM audit_events WHERE "+w+" ORDER BY seq DESC LIMIT ? OFFSET ?",
		append(args, p.Limit, p.Offset)...)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		ev, err := scanAudit(rows)
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, ev)
	}
	return out, rows.Err()
}

// AuditProblem is one break in an organisation's audit chain.
type AuditProblem struct {
	OrgID   int64
	Seq     int64
	EventID int64
	Problem string
}

func (p AuditProblem) String() string {
	if p.EventID != 0 {
		return fmt.Sprintf("organisation %d, event %d (seq %d): %s", p.OrgID, p.EventID, p.Seq, p.Problem)
	}
	return fmt.Sprintf("organisation %d, seq %d: %s", p.OrgID, p.Seq, p.Problem)
}

// AuditReport is the result of verifying the audit chains.
type AuditReport struct {
	Orgs     int
	Events   int
	Problems []AuditProblem
}

// VerifyAudit checks the hash chain of every organisation (or only org when it is not 0): each event's
// hash must match its fields, each event must point to the previous one's hash, sequence numbers must
// have no gaps, and the chain must end where the head says. It reports every break it finds.
func (s *Store) VerifyAudit(ctx context.Context, org int64) (AuditReport, error) {
	var rep AuditReport
	q := s.Read()
	orgQuery := "SELECT id FROM organisations ORDER BY id"
	var args []any
	if org != 0 {
		orgQuery = "SELECT id FROM organisations WHERE id = ?"
		args = append(args, org)
	}
	rows, err := q.Query(ctx, orgQuery, args...)
	if err != nil {
		return rep, err
	}
	var orgs []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return rep, err
		}
		orgs = append(orgs, id)
	}
	rows.Close()
	for _, o := range orgs {
		rep.Orgs++
		if err := s.verifyOrg(ctx, o, &rep); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

func (s *Store) verifyOrg(ctx context.Context, org int64, rep *AuditReport) error {
	q := s.Read()
	rows, err := q.Query(ctx, "SELECT "+auditCols+" FROM audit_events WHERE org_id = ? ORDER BY seq", org)
	if err != nil {
		return err
	}
	defer rows.Close()
	var prevHash string
	var seq int64
	add := func(ev domain.AuditEvent, seqNo int64, msg string) {
		rep.Problems = append(rep.Problems, AuditProblem{OrgID: org, Seq: seqNo, EventID: ev.ID, Problem: msg})
	}
	for rows.Next() {
		ev, err := scanAudit(rows)
		if err != nil {
			return err
		}
		rep.Events++
		if ev.Seq != seq+1 {
			for missing := seq + 1; missing < ev.Seq; missing++ {
				add(domain.AuditEvent{}, missing, "event missing (deleted?)")
			}
		}
		if ev.PrevHash != prevHash {
			add(ev, ev.Seq, "does not link to the previous event (an event before it was changed, removed or inserted)")
		}
		if AuditHash(ev) != ev.Hash {
			add(ev, ev.Seq, "content does not match its hash (the event was edited)")
		}
		prevHash, seq = ev.Hash, ev.Seq
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var headSeq int64
	var headHash string
	err = q.QueryRow(ctx, "SELECT seq, hash FROM audit_heads WHERE org_id = ?", org).Scan(&headSeq, &headHash)
	if err != nil && domain.ErrorCode(mapErr(err)) != domain.ENotFound {
		return err
	}
	switch {
	case headSeq > seq:
		for missing := seq + 1; missing <= headSeq; missing++ {
			add(domain.AuditEvent{}, missing, "event missing at the end of the chain (deleted?)")
		}
	case headSeq < seq:
		add(domain.AuditEvent{}, seq, fmt.Sprintf("chain head says %d events but %d exist (the head was changed)", headSeq, seq))
	case headHash != prevHash:
		add(domain.AuditEvent{}, seq, "chain head hash does not match the last event")
	}
	return nil
}
