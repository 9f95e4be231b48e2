package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// Exchange, hospital side: subscriptions to providers, questions to manufacturers, the devices an
// advisory affects, and the sharing relation with the aggregate figures of groups and authorities.

const subCols = `id, name, url, kind, key_pin, key_fingerprint, token, tlp, every_hours, status, last_sync, last_success, last_error,
	last_result, documents, created, created_by`

func scanSub(sc interface{ Scan(...any) error }) (domain.Subscription, error) {
	var s domain.Subscription
	var tlp string
	err := sc.Scan(&s.ID, &s.Name, &s.URL, &s.Kind, &s.KeyPin, &s.KeyFingerprint, &s.Token, &tlp, &s.EveryHours, &s.Status, &s.LastSync,
		&s.LastSuccess, &s.LastError, &s.LastResult, &s.Documents, &s.Created, &s.CreatedBy)
	s.TLP, s.HasToken = strings.Fields(tlp), s.Token != ""
	s.LastSync, s.LastSuccess, s.Created = utcPtr(s.LastSync), utcPtr(s.LastSuccess), s.Created.UTC()
	return s, err
}

// Subscriptions lists the organisation's subscriptions.
func (sc *Scope) Subscriptions(ctx context.Context) ([]domain.Subscription, error) {
	return queryAll(ctx, sc.Q, scanSub, "SELECT "+subCols+" FROM exchange_subscriptions WHERE org_id = ? ORDER BY id", sc.org)
}

// Subscription returns one subscription (with its key pin and token, for the sync).
func (sc *Scope) Subscription(ctx context.Context, id int64) (domain.Subscription, error) {
	s, err := scanSub(sc.QueryRow(ctx, "SELECT "+subCols+" FROM exchange_subscriptions WHERE org_id = ? AND id = ?", sc.org, id))
	return s, NotFound(err, "subscription")
}

// CreateSubscription stores a subscription.
func (tx *Tx) CreateSubscription(ctx context.Context, s *domain.Subscription) error {
	s.Created, s.CreatedBy, s.Status = now(), domain.ActorFrom(ctx).Name, "new"
	id, err := tx.InsertID(ctx, `INSERT INTO exchange_subscriptions (org_id, name, url, kind, key_pin, key_fingerprint, token, tlp, every_hours, status,
		created, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', ?, ?) RETURNING id`, tx.org, s.Name, s.URL, s.Kind, s.KeyPin, s.KeyFingerprint,
		s.Token, strings.Join(s.TLP, " "), s.EveryHours, s.Created, s.CreatedBy)
	if err != nil {
		if domain.ErrorCode(err) == domain.EConflict {
			return domain.Invalid("url", "there is a subscription to %s already", s.URL)
		}
		return err
	}
	s.ID, s.HasToken = id, s.Token != ""
	return tx.Audit(ctx, AuditEntry{Action: "subscription.create", Entity: "subscription", EntityID: id, Summary: "subscribed to " + s.URL,
		Data: map[string]any{"url": s.URL, "kind": s.Kind, "key_fingerprint": s.KeyFingerprint, "tlp": s.TLP, "every_hours": s.EveryHours,
			"token": s.Token != ""}})
}

// DeleteSubscription removes a subscription (what it imported stays).
func (tx *Tx) DeleteSubscription(ctx context.Context, id int64) error {
	s, err := tx.scope().Subscription(ctx, id)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "UPDATE exchange_questions SET subscription_id = NULL WHERE org_id = ? AND subscription_id = ?", tx.org, id); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "DELETE FROM exchange_subscriptions WHERE org_id = ? AND id = ?", tx.org, id); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "subscription.delete", Entity: "subscription", EntityID: id, Summary: "unsubscribed from " + s.URL})
}

// RecordSubscriptionSync stores the outcome of a sync: errText empty means success.
func (tx *Tx) RecordSubscriptionSync(ctx context.Context, id int64, at time.Time, result, errText string, documents int) error {
	status := "ok"
	if errText != "" {
		status = "error"
	}
	q := `UPDATE exchange_subscriptions SET last_sync = ?, status = ?, last_result = ?, last_error = ?, documents = documents + ?`
	args := []any{TS(at), status, truncate(result, 4000), truncate(errText, 4000), documents}
	if errText == "" {
		q += ", last_success = ?"
		args = append(args, TS(at))
	}
	res, err := tx.Exec(ctx, q+" WHERE org_id = ? AND id = ?", append(args, tx.org, id)...)
	if err != nil {
		return err
	}
	if err := affected(res, "subscription"); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "subscription.sync", Entity: "subscription", EntityID: id,
		Summary: "synced subscription: " + firstNonEmpty(errText, result), Data: map[string]any{"status": status, "documents": documents}})
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// DueSubscriptions returns, for every organisation, the subscriptions whose scheduled sync is due (the
// scheduler's query: it crosses organisations and returns only ids).
func (s *Store) DueSubscriptions(ctx context.Context, at time.Time) (map[int64][]int64, error) {
	rows, err := s.Read().Query(ctx, "SELECT org_id, id, every_hours, last_sync FROM exchange_subscriptions WHERE every_hours > 0 ORDER BY org_id, id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]int64{}
	for rows.Next() {
		var org, id int64
		var every int
		var last *time.Time
		if err := rows.Scan(&org, &id, &every, &last); err != nil {
			return nil, err
		}
		if (domain.Subscription{EveryHours: every, LastSync: last}).Due(at) {
			out[org] = append(out[org], id)
		}
	}
	return out, rows.Err()
}

// AdvisoryAffectedDevices lists the organisation's installed devices on the product versions that the
// advisory's mapping states as affected (its CSAF VEX statements), with the remediation stated for them.
func (sc *Scope) AdvisoryAffectedDevices(ctx context.Context, advisoryID int64) ([]domain.AffectedDevice, error) {
	rows, err := sc.Query(ctx, `SELECT s.id, s.asset_tag, s.serial, s.owner, COALESCE(d.name, ''), p.name, pv.version, v.vulnerability, v.action,
			a.id, a.tracking_id, a.title, pv.id
		FROM vex_statements v
		JOIN advisories a ON a.org_id = v.org_id AND a.id = v.advisory_id
		JOIN assets s ON s.org_id = v.org_id AND s.product_version_id = v.product_version_id
		JOIN product_versions pv ON pv.org_id = s.org_id AND pv.id = s.product_version_id
		JOIN products p ON p.org_id = pv.org_id AND p.id = pv.product_id
		LEFT JOIN departments d ON d.org_id = s.org_id AND d.id = s.department_id
		WHERE v.org_id = ? AND v.advisory_id = ? AND v.status = 'affected'
		ORDER BY s.asset_tag, s.id, v.vulnerability`, sc.org, advisoryID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.AffectedDevice{}
	for rows.Next() {
		var d domain.AffectedDevice
		if err := rows.Scan(&d.AssetID, &d.AssetTag, &d.Serial, &d.Owner, &d.Department, &d.Product, &d.Version, &d.Vulnerability, &d.Remediation,
			&d.AdvisoryID, &d.TrackingID, &d.AdvisoryTitle, &d.ProductVersion); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// --- Questions --------------------------------------------------------------------------------------------

const questionCols = `q.id, q.manufacturer, COALESCE(q.subscription_id, 0), COALESCE(q.product_version_id, 0),
	COALESCE((SELECT p.name || ' ' || pv.version FROM product_versions pv JOIN products p ON p.org_id = pv.org_id AND p.id = pv.product_id
		WHERE pv.org_id = q.org_id AND pv.id = q.product_version_id), ''),
	q.vulnerability, q.question, q.status, q.asked, q.asked_by, q.answer, q.answer_status, q.justification, q.answered_at, q.answered_by,
	COALESCE(q.vex_statement_id, 0)`

func scanQuestion(sc interface{ Scan(...any) error }) (domain.Question, error) {
	var q domain.Question
	err := sc.Scan(&q.ID, &q.Manufacturer, &q.SubscriptionID, &q.ProductVersionID, &q.Product, &q.Vulnerability, &q.Question, &q.Status, &q.Asked,
		&q.AskedBy, &q.Answer, &q.AnswerStatus, &q.Justification, &q.AnsweredAt, &q.AnsweredBy, &q.VEXStatementID)
	q.Asked, q.AnsweredAt = q.Asked.UTC(), utcPtr(q.AnsweredAt)
	return q, err
}

// Questions lists the organisation's questions to manufacturers, open ones first, newest first.
func (sc *Scope) Questions(ctx context.Context, status string) ([]domain.Question, error) {
	where, args := "q.org_id = ?", []any{sc.org}
	if status != "" {
		where, args = where+" AND q.status = ?", append(args, status)
	}
	return queryAll(ctx, sc.Q, scanQuestion, "SELECT "+questionCols+" FROM exchange_questions q WHERE "+where+
		" ORDER BY CASE q.status WHEN 'open' THEN 0 ELSE 1 END, q.asked DESC, q.id DESC", args...)
}

// Question returns one question.
func (sc *Scope) Question(ctx context.Context, id int64) (domain.Question, error) {
	q, err := scanQuestion(sc.QueryRow(ctx, "SELECT "+questionCols+" FROM exchange_questions q WHERE q.org_id = ? AND q.id = ?", sc.org, id))
	return q, NotFound(err, "question")
}

// CreateQuestion records a question.
func (tx *Tx) CreateQuestion(ctx context.Context, q *domain.Question) error {
	if err := q.Validate(); err != nil {
		return err
	}
	if err := tx.refCheck(ctx, tx.org, "product_version_id", "product_versions", "product version", q.ProductVersionID); err != nil {
		return err
	}
	if err := tx.refCheck(ctx, tx.org, "subscription_id", "exchange_subscriptions", "subscription", q.SubscriptionID); err != nil {
		return err
	}
	q.Asked, q.AskedBy, q.Status = now(), domain.ActorFrom(ctx).Name, domain.QuestionOpen
	id, err := tx.InsertID(ctx, `INSERT INTO exchange_questions (org_id, manufacturer, subscription_id, product_version_id, vulnerability, question,
		status, asked, asked_by) VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?) RETURNING id`, tx.org, q.Manufacturer, nullID(q.SubscriptionID),
		nullID(q.ProductVersionID), q.Vulnerability, q.Question, q.Asked, q.AskedBy)
	if err != nil {
		return err
	}
	q.ID = id
	return tx.Audit(ctx, AuditEntry{Action: "question.create", Entity: "question", EntityID: id,
		Summary: fmt.Sprintf("asked %s about %s", q.Manufacturer, firstNonEmpty(q.Vulnerability, "a product")),
		Data:    map[string]any{"manufacturer": q.Manufacturer, "vulnerability": q.Vulnerability, "product_version_id": q.ProductVersionID}})
}

// AnswerQuestion records the manufacturer's answer (and, when vexID is set, the VEX statement made of it).
func (tx *Tx) AnswerQuestion(ctx context.Context, id int64, answer, status, justification string, at time.Time, vexID int64) error {
	if strings.TrimSpace(answer) == "" {
		return domain.Invalid("answer", "is required")
	}
	res, err := tx.Exec(ctx, `UPDATE exchange_questions SET status = 'answered', answer = ?, answer_status = ?, justification = ?, answered_at = ?,
		answered_by = ?, vex_statement_id = ? WHERE org_id = ? AND id = ?`, answer, status, justification, TS(at), domain.ActorFrom(ctx).Name,
		nullID(vexID), tx.org, id)
	if err != nil {
		return err
	}
	if err := affected(res, "question"); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "question.answer", Entity: "question", EntityID: id, Summary: "recorded the answer to question " + fmt.Sprint(id),
		Data: map[string]any{"answer_status": status, "vex_statement_id": vexID}})
}

// CloseQuestion closes a question without (further) answer.
func (tx *Tx) CloseQuestion(ctx context.Context, id int64) error {
	res, err := tx.Exec(ctx, "UPDATE exchange_questions SET status = 'closed' WHERE org_id = ? AND id = ?", tx.org, id)
	if err != nil {
		return err
	}
	if err := affected(res, "question"); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "question.close", Entity: "question", EntityID: id, Summary: "closed question " + fmt.Sprint(id)})
}

// --- Sharing and aggregates -------------------------------------------------------------------------------

// Shares lists the organisations this organisation shares its aggregate figures with.
func (sc *Scope) Shares(ctx context.Context) ([]domain.Share, error) {
	return queryAll(ctx, sc.Q, func(r interface{ Scan(...any) error }) (domain.Share, error) {
		var s domain.Share
		err := r.Scan(&s.ID, &s.OrgID, &s.TargetOrgID, &s.Target, &s.Created)
		s.Created = s.Created.UTC()
		return s, err
	}, `SELECT s.id, s.org_id, s.target_org_id, o.name, s.created FROM exchange_shares s JOIN organisations o ON o.id = s.target_org_id
		WHERE s.org_id = ? ORDER BY s.id`, sc.org)
}

// CreateShare lets target (a group or an authority) see this organisation's aggregate figures.
func (tx *Tx) CreateShare(ctx context.Context, target domain.Organisation) (domain.Share, error) {
	s := domain.Share{OrgID: tx.org, TargetOrgID: target.ID, Target: target.Name, Created: now()}
	if target.Type != domain.OrgGroup && target.Type != domain.OrgAuthority {
		return s, domain.Invalid("target", "%s is a %s: figures are shared only with a group or an authority", target.Name, target.Type)
	}
	if target.ID == tx.org {
		return s, domain.Invalid("target", "an organisation does not share with itself")
	}
	id, err := tx.InsertID(ctx, "INSERT INTO exchange_shares (org_id, target_org_id, created, created_by) VALUES (?, ?, ?, ?) RETURNING id",
		tx.org, target.ID, s.Created, domain.ActorFrom(ctx).Name)
	if err != nil {
		if domain.ErrorCode(err) == domain.EConflict {
			return s, domain.Invalid("target", "already shared with %s", target.Name)
		}
		return s, err
	}
	s.ID = id
	return s, tx.Audit(ctx, AuditEntry{Action: "share.create", Entity: "share", EntityID: id, Summary: "shares aggregate figures with " + target.Name,
		Data: map[string]any{"target_org_id": target.ID}})
}

// DeleteShare ends a sharing relation.
func (tx *Tx) DeleteShare(ctx context.Context, id int64) error {
	res, err := tx.Exec(ctx, "DELETE FROM exchange_shares WHERE org_id = ? AND id = ?", tx.org, id)
	if err != nil {
		return err
	}
	if err := affected(res, "share"); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "share.delete", Entity: "share", EntityID: id, Summary: "stopped sharing aggregate figures"})
}

// AggregateFor computes the aggregate figures of the organisations that share with target. It is the one
// query of Vigil that reads across organisations, and it returns counts only: never a row of another
// organisation. With fewer than domain.AggregateMinOrgs sharing organisations every figure is suppressed.
func (s *Store) AggregateFor(ctx context.Context, target int64, today domain.Date) (domain.Aggregate, error) {
	out := domain.Aggregate{MinOrganisations: domain.AggregateMinOrgs}
	q := s.Read()
	n, err := q.Count(ctx, "SELECT COUNT(DISTINCT org_id) FROM exchange_shares WHERE target_org_id = ?", target)
	if err != nil {
		return out, err
	}
	if n < domain.AggregateMinOrgs {
		out.Suppressed = true
		return out, nil
	}
	out.Organisations = n
	sharing := "s.org_id IN (SELECT org_id FROM exchange_shares WHERE target_org_id = ?)"
	if out.Devices, err = q.Count(ctx, "SELECT COUNT(*) FROM assets s WHERE "+sharing, target); err != nil {
		return out, err
	}
	if out.PastEndOfSupport, err = q.Count(ctx, `SELECT COUNT(*) FROM assets s
		JOIN product_versions pv ON pv.org_id = s.org_id AND pv.id = s.product_version_id
		JOIN products p ON p.org_id = pv.org_id AND p.id = pv.product_id
		WHERE `+sharing+` AND COALESCE(pv.end_of_support, p.end_of_support) IS NOT NULL AND COALESCE(pv.end_of_support, p.end_of_support) < ?`,
		target, dateArg(today)); err != nil {
		return out, err
	}
	if out.KEVExposed, err = q.Count(ctx, `SELECT COUNT(*) FROM assets s WHERE `+sharing+` AND EXISTS (SELECT 1 FROM vex_statements v
		JOIN vulnerability_aliases va ON va.alias = v.vulnerability JOIN vulnerabilities vu ON vu.id = va.vuln_id
		WHERE v.org_id = s.org_id AND v.product_version_id = s.product_version_id AND v.status = 'affected' AND (vu.cisa_kev OR vu.eu_kev))`,
		target); err != nil {
		return out, err
	}
	if out.Devices > 0 {
		out.PastEndOfSupportPc = pct(out.PastEndOfSupport, out.Devices)
		out.KEVExposedPc = pct(out.KEVExposed, out.Devices)
	}
	// Time to remediate: days from a manufacturer's "affected" statement to its "fixed" statement for the
	// same vulnerability and product version, where both are known.
	rows, err := q.Query(ctx, `SELECT a.stated, f.stated FROM vex_statements a JOIN vex_statements f ON f.org_id = a.org_id
		AND f.product_version_id = a.product_version_id AND f.vulnerability = a.vulnerability AND f.status = 'fixed'
		WHERE a.org_id IN (SELECT org_id FROM exchange_shares WHERE target_org_id = ?) AND a.status = 'affected'
		AND a.stated IS NOT NULL AND f.stated IS NOT NULL AND f.stated >= a.stated`, target)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	var days []float64
	for rows.Next() {
		var a, f time.Time
		if err := rows.Scan(&a, &f); err != nil {
			return out, err
		}
		days = append(days, f.Sub(a).Hours()/24)
	}
	if err := rows.Err(); err != nil {
		return out, err
	}
	out.RemediationSamples = len(days)
	if len(days) > 0 {
		sort.Float64s(days)
		m := days[len(days)/2]
		if len(days)%2 == 0 {
			m = (days[len(days)/2-1] + days[len(days)/2]) / 2
		}
		m = float64(int(m*10+0.5)) / 10
		out.RemediationDays = &m
	}
	return out, nil
}

func pct(n, of int) float64 { return float64(int(float64(n)*1000/float64(of)+0.5)) / 10 }
