package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// Exchange, manufacturer side: the organisation's signing key, its advisories with their product versions,
// the published files, subscriber tokens and operator guidance.

// ExchangeKey is an organisation's OpenPGP signing key: the public part as published, the private part
// sealed (the exchange package seals and opens it; the store never interprets it).
type ExchangeKey struct {
	Fingerprint string
	PublicKey   string
	PrivateKey  string
	Created     time.Time
}

// ExchangeKey returns the organisation's signing key (ENotFound before the first publication).
func (sc *Scope) ExchangeKey(ctx context.Context) (ExchangeKey, error) {
	var k ExchangeKey
	err := sc.QueryRow(ctx, "SELECT fingerprint, public_key, private_key, created FROM exchange_keys WHERE org_id = ?", sc.org).
		Scan(&k.Fingerprint, &k.PublicKey, &k.PrivateKey, &k.Created)
	k.Created = k.Created.UTC()
	return k, NotFound(err, "signing key")
}

// SaveExchangeKey stores the organisation's signing key (the first one; keys are not replaced here).
func (tx *Tx) SaveExchangeKey(ctx context.Context, k ExchangeKey) error {
	if _, err := tx.Exec(ctx, "INSERT INTO exchange_keys (org_id, fingerprint, public_key, private_key, created) VALUES (?, ?, ?, ?, ?)",
		tx.org, k.Fingerprint, k.PublicKey, k.PrivateKey, now()); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "exchange.key", Entity: "signing_key", EntityID: k.Fingerprint,
		Summary: "generated the OpenPGP signing key " + k.Fingerprint, Data: map[string]any{"fingerprint": k.Fingerprint}})
}

const exAdvCols = `a.id, a.tracking_id, a.title, a.status, a.tlp, a.cves, a.cwe, a.cvss_vector, a.cvss_score, a.severity, a.summary, a.details,
	a.remediation_category, a.remediation, a.remediation_url, a.workaround, a.revision, a.initial_release, a.current_release, a.created,
	a.updated, a.created_by`

func scanExAdv(sc interface{ Scan(...any) error }) (domain.ExchangeAdvisory, error) {
	var a domain.ExchangeAdvisory
	var cves string
	var initial, current *time.Time
	err := sc.Scan(&a.ID, &a.TrackingID, &a.Title, &a.Status, &a.TLP, &cves, &a.CWE, &a.CVSSVector, &a.CVSSScore, &a.Severity, &a.Summary,
		&a.Details, &a.RemediationCategory, &a.Remediation, &a.RemediationURL, &a.Workaround, &a.Revision, &initial, &current, &a.Created,
		&a.Updated, &a.CreatedBy)
	a.CVEs = strings.Fields(cves)
	if initial != nil {
		a.InitialRelease = initial.UTC()
	}
	if current != nil {
		a.CurrentRelease = current.UTC()
		a.Changed = a.Updated.After(a.CurrentRelease)
	}
	a.Created, a.Updated = a.Created.UTC(), a.Updated.UTC()
	a.Affected, a.Fixed = []int64{}, []int64{}
	return a, err
}

func (sc *Scope) fillExAdvVersions(ctx context.Context, as []domain.ExchangeAdvisory) error {
	for i := range as {
		rows, err := sc.Query(ctx, "SELECT product_version_id, status FROM exchange_advisory_versions WHERE org_id = ? AND advisory_id = ? ORDER BY product_version_id",
			sc.org, as[i].ID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var st string
			if err := rows.Scan(&id, &st); err != nil {
				rows.Close()
				return err
			}
			if st == "affected" {
				as[i].Affected = append(as[i].Affected, id)
			} else {
				as[i].Fixed = append(as[i].Fixed, id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// ExchangeAdvisories lists the organisation's own advisories, newest first.
func (sc *Scope) ExchangeAdvisories(ctx context.Context, p domain.ListParams) (domain.Page[domain.ExchangeAdvisory], error) {
	p = p.Normalize()
	where, args := []string{"a.org_id = ?"}, []any{sc.org}
	for _, t := range searchTerms(p.Q) {
		l := likeArg(t)
		where = append(where, `(LOWER(a.tracking_id) LIKE ? ESCAPE '\' OR LOWER(a.title) LIKE ? ESCAPE '\' OR LOWER(a.cves) LIKE ? ESCAPE '\')`)
		args = append(args, l, l, l)
	}
	w := strings.Join(where, " AND ")
	out := domain.Page[domain.ExchangeAdvisory]{Limit: p.Limit, Offset: p.Offset, Items: []domain.ExchangeAdvisory{}}
	var err error
	if out.Total, err = sc.Count(ctx, "SELECT COUNT(*) FROM exchange_advisories a WHERE "+w, args...); err != nil {
		return out, err
	}
	order := sortClause(p.Sort, map[string]string{"tracking_id": "a.tracking_id", "title": "LOWER(a.title)", "updated": "a.updated",
		"cvss": "a.cvss_score", "status": "a.status"}, "a.updated DESC")
	if out.Items, err = queryAll(ctx, sc.Q, scanExAdv, "SELECT "+exAdvCols+" FROM exchange_advisories a WHERE "+w+" ORDER BY "+order+", a.id DESC LIMIT ? OFFSET ?",
		append(args, p.Limit, p.Offset)...); err != nil {
		return out, err
	}
	return out, sc.fillExAdvVersions(ctx, out.Items)
}

// ExchangeAdvisory returns one of the organisation's advisories with its versions.
func (sc *Scope) ExchangeAdvisory(ctx context.Context, id int64) (domain.ExchangeAdvisory, error) {
	a, err := scanExAdv(sc.QueryRow(ctx, "SELECT "+exAdvCols+" FROM exchange_advisories a WHERE a.org_id = ? AND a.id = ?", sc.org, id))
	if err != nil {
		return a, NotFound(err, "advisory")
	}
	as := []domain.ExchangeAdvisory{a}
	err = sc.fillExAdvVersions(ctx, as)
	return as[0], err
}

func (tx *Tx) setExAdvVersions(ctx context.Context, a *domain.ExchangeAdvisory) error {
	if _, err := tx.Exec(ctx, "DELETE FROM exchange_advisory_versions WHERE org_id = ? AND advisory_id = ?", tx.org, a.ID); err != nil {
		return err
	}
	for _, set := range []struct {
		ids    []int64
		status string
	}{{a.Affected, "affected"}, {a.Fixed, "fixed"}} {
		for _, id := range set.ids {
			if err := tx.refCheck(ctx, tx.org, "affected_version_ids", "product_versions", "product version", id); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "INSERT INTO exchange_advisory_versions (org_id, advisory_id, product_version_id, status) VALUES (?, ?, ?, ?)",
				tx.org, a.ID, id, set.status); err != nil {
				return err
			}
		}
	}
	return nil
}

// SaveExchangeAdvisory creates (ID 0) or changes an advisory draft; published advisories stay published
// (the next publication makes a new version). a must be validated.
func (tx *Tx) SaveExchangeAdvisory(ctx context.Context, a *domain.ExchangeAdvisory) error {
	a.Updated = now()
	args := []any{a.TrackingID, a.Title, a.TLP, strings.Join(a.CVEs, " "), a.CWE, a.CVSSVector, a.CVSSScore, a.Severity, a.Summary, a.Details,
		a.RemediationCategory, a.Remediation, a.RemediationURL, a.Workaround, a.Updated}
	action := "exchange.advisory.update"
	if a.ID == 0 {
		a.Created, a.CreatedBy, a.Status = a.Updated, domain.ActorFrom(ctx).Name, "draft"
		id, err := tx.InsertID(ctx, `INSERT INTO exchange_advisories (tracking_id, title, tlp, cves, cwe, cvss_vector, cvss_score, severity, summary,
			details, remediation_category, remediation, remediation_url, workaround, updated, org_id, created, created_by, status)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft') RETURNING id`, append(args, tx.org, a.Created, a.CreatedBy)...)
		if err != nil {
			return exTrackingConflict(err, a.TrackingID)
		}
		a.ID, action = id, "exchange.advisory.create"
	} else {
		old, err := tx.scope().ExchangeAdvisory(ctx, a.ID)
		if err != nil {
			return err
		}
		if old.Revision > 0 && old.TrackingID != a.TrackingID {
			return domain.Invalid("tracking_id", "a published advisory keeps its tracking id (%s)", old.TrackingID)
		}
		res, err := tx.Exec(ctx, `UPDATE exchange_advisories SET tracking_id = ?, title = ?, tlp = ?, cves = ?, cwe = ?, cvss_vector = ?, cvss_score = ?,
			severity = ?, summary = ?, details = ?, remediation_category = ?, remediation = ?, remediation_url = ?, workaround = ?, updated = ?
			WHERE org_id = ? AND id = ?`, append(args, tx.org, a.ID)...)
		if err != nil {
			return exTrackingConflict(err, a.TrackingID)
		}
		if err := affected(res, "advisory"); err != nil {
			return err
		}
	}
	if err := tx.setExAdvVersions(ctx, a); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: action, Entity: "exchange_advisory", EntityID: a.ID,
		Summary: "saved advisory " + a.TrackingID + " " + a.Title, Data: map[string]any{"tracking_id": a.TrackingID, "tlp": a.TLP, "cves": a.CVEs,
			"affected": a.Affected, "fixed": a.Fixed}})
}

// DeleteExchangeAdvisory removes a draft that was never published.
func (tx *Tx) DeleteExchangeAdvisory(ctx context.Context, id int64) error {
	a, err := tx.scope().ExchangeAdvisory(ctx, id)
	if err != nil {
		return err
	}
	if a.Revision > 0 {
		return &domain.Error{Code: domain.EConflict, Message: "a published advisory cannot be deleted; publish a revision instead"}
	}
	if _, err := tx.Exec(ctx, "DELETE FROM exchange_advisories WHERE org_id = ? AND id = ?", tx.org, id); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "exchange.advisory.delete", Entity: "exchange_advisory", EntityID: id, Summary: "deleted draft " + a.TrackingID})
}

// MarkExchangeAdvisoryPublished records a publication of the advisory: revision, release dates, status.
func (tx *Tx) MarkExchangeAdvisoryPublished(ctx context.Context, id int64, revision int, initial, current time.Time) error {
	res, err := tx.Exec(ctx, `UPDATE exchange_advisories SET status = 'published', revision = ?, initial_release = ?, current_release = ?, updated = ?
		WHERE org_id = ? AND id = ?`, revision, TS(initial), TS(current), TS(current), tx.org, id)
	if err != nil {
		return err
	}
	return affected(res, "advisory")
}

const exPubCols = "id, kind, COALESCE(advisory_id, 0), COALESCE(product_version_id, 0), version, tlp, file_name, media_type, sha256, sha512, published, published_by"

func scanExPub(withData bool) func(sc interface{ Scan(...any) error }) (domain.ExchangePublication, error) {
	return func(sc interface{ Scan(...any) error }) (domain.ExchangePublication, error) {
		var p domain.ExchangePublication
		dst := []any{&p.ID, &p.Kind, &p.AdvisoryID, &p.ProductVersionID, &p.Version, &p.TLP, &p.FileName, &p.MediaType, &p.SHA256, &p.SHA512,
			&p.Published, &p.PublishedBy}
		var data, sig string
		if withData {
			dst = append(dst, &data, &sig)
		}
		err := sc.Scan(dst...)
		p.Published = p.Published.UTC()
		if withData {
			p.Data, p.Signature = []byte(data), []byte(sig)
		}
		return p, err
	}
}

// AddExchangePublication stores a published file; p.Version is the next version of its subject (the
// advisory, or the product version and kind) and p.ID are set.
func (tx *Tx) AddExchangePublication(ctx context.Context, p *domain.ExchangePublication) error {
	var v int
	var err error
	if p.AdvisoryID != 0 {
		err = tx.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM exchange_publications WHERE org_id = ? AND kind = ? AND advisory_id = ?",
			tx.org, p.Kind, p.AdvisoryID).Scan(&v)
	} else {
		err = tx.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM exchange_publications WHERE org_id = ? AND kind = ? AND product_version_id = ?",
			tx.org, p.Kind, p.ProductVersionID).Scan(&v)
	}
	if err != nil {
		return mapErr(err)
	}
	if p.Version == 0 {
		p.Version = v + 1
	} else if p.Version <= v {
		return &domain.Error{Code: domain.EConflict, Message: fmt.Sprintf("version %d is published already", p.Version)}
	}
	if p.Published.IsZero() {
		p.Published = now()
	}
	p.PublishedBy = domain.ActorFrom(ctx).Name
	id, err := tx.InsertID(ctx, `INSERT INTO exchange_publications (org_id, kind, advisory_id, product_version_id, version, tlp, file_name, media_type,
		data, sha256, sha512, signature, published, published_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		tx.org, p.Kind, nullID(p.AdvisoryID), nullID(p.ProductVersionID), p.Version, p.TLP, p.FileName, p.MediaType, string(p.Data), p.SHA256,
		p.SHA512, string(p.Signature), TS(p.Published), p.PublishedBy)
	if err != nil {
		return err
	}
	p.ID = id
	return tx.Audit(ctx, AuditEntry{Action: "exchange.publish", Entity: "exchange_publication", EntityID: id,
		Summary: fmt.Sprintf("published %s %s version %d (TLP:%s)", p.Kind, p.FileName, p.Version, p.TLP),
		Data: map[string]any{"kind": p.Kind, "file": p.FileName, "version": p.Version, "tlp": p.TLP, "sha256": p.SHA256,
			"advisory_id": p.AdvisoryID, "product_version_id": p.ProductVersionID}})
}

// ExchangePublications lists published files (without their data), newest first; kind and the ids filter
// when set. latest keeps only the newest version per subject.
func (sc *Scope) ExchangePublications(ctx context.Context, kind string, advisoryID, versionID int64, latest bool) ([]domain.ExchangePublication, error) {
	where, args := []string{"p.org_id = ?"}, []any{sc.org}
	if kind != "" {
		where, args = append(where, "p.kind = ?"), append(args, kind)
	}
	if advisoryID != 0 {
		where, args = append(where, "p.advisory_id = ?"), append(args, advisoryID)
	}
	if versionID != 0 {
		where, args = append(where, "p.product_version_id = ?"), append(args, versionID)
	}
	if latest {
		where = append(where, `p.version = (SELECT MAX(o.version) FROM exchange_publications o WHERE o.org_id = p.org_id AND o.kind = p.kind
			AND COALESCE(o.advisory_id, 0) = COALESCE(p.advisory_id, 0) AND COALESCE(o.product_version_id, 0) = COALESCE(p.product_version_id, 0))`)
	}
	return queryAll(ctx, sc.Q, scanExPub(false), "SELECT "+exPubCols+" FROM exchange_publications p WHERE "+strings.Join(where, " AND ")+
		" ORDER BY p.published DESC, p.id DESC", args...)
}

// ExchangePublication returns one published file with its data and signature.
func (sc *Scope) ExchangePublication(ctx context.Context, id int64) (domain.ExchangePublication, error) {
	p, err := scanExPub(true)(sc.QueryRow(ctx, "SELECT "+exPubCols+", data, signature FROM exchange_publications WHERE org_id = ? AND id = ?", sc.org, id))
	return p, NotFound(err, "publication")
}

// LatestCSAFPublications returns the newest published CSAF version of every advisory, with data and
// signature (what the provider serves).
func (sc *Scope) LatestCSAFPublications(ctx context.Context) ([]domain.ExchangePublication, error) {
	return queryAll(ctx, sc.Q, scanExPub(true), "SELECT "+exPubCols+`, data, signature FROM exchange_publications p WHERE p.org_id = ? AND p.kind = 'csaf'
		AND p.version = (SELECT MAX(o.version) FROM exchange_publications o WHERE o.org_id = p.org_id AND o.kind = 'csaf' AND o.advisory_id = p.advisory_id)
		ORDER BY p.id`, sc.org)
}

// ExchangeState is a cheap fingerprint of what the provider serves: the newest publication id and count.
func (sc *Scope) ExchangeState(ctx context.Context) (string, error) {
	var n, maxID int64
	err := sc.QueryRow(ctx, "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM exchange_publications WHERE org_id = ?", sc.org).Scan(&n, &maxID)
	return fmt.Sprintf("%d-%d", n, maxID), mapErr(err)
}

// --- Subscriber tokens ------------------------------------------------------------------------------------

const subTokCols = "id, name, tlp_max, prefix, hash, created, expires, last_used, revoked_at"

func scanSubTok(sc interface{ Scan(...any) error }) (domain.SubscriberToken, error) {
	var t domain.SubscriberToken
	err := sc.Scan(&t.ID, &t.Name, &t.TLPMax, &t.Prefix, &t.Hash, &t.Created, &t.Expires, &t.LastUsed, &t.RevokedAt)
	t.Created, t.Expires, t.LastUsed, t.RevokedAt = t.Created.UTC(), utcPtr(t.Expires), utcPtr(t.LastUsed), utcPtr(t.RevokedAt)
	return t, err
}

// SubscriberTokens lists the organisation's subscriber tokens.
func (sc *Scope) SubscriberTokens(ctx context.Context) ([]domain.SubscriberToken, error) {
	return queryAll(ctx, sc.Q, scanSubTok, "SELECT "+subTokCols+" FROM exchange_subscriber_tokens WHERE org_id = ? ORDER BY id", sc.org)
}

// SubscriberTokenByHash finds a token of the organisation by its hash (ENotFound when none).
func (sc *Scope) SubscriberTokenByHash(ctx context.Context, hash string) (domain.SubscriberToken, error) {
	t, err := scanSubTok(sc.QueryRow(ctx, "SELECT "+subTokCols+" FROM exchange_subscriber_tokens WHERE org_id = ? AND hash = ?", sc.org, hash))
	return t, NotFound(err, "subscriber token")
}

// TouchSubscriberToken records a use of a token (outside any transaction; best effort).
func (sc *Scope) TouchSubscriberToken(ctx context.Context, id int64, at time.Time) error {
	_, err := sc.s.w.ExecContext(ctx, sc.s.rebind("UPDATE exchange_subscriber_tokens SET last_used = ? WHERE org_id = ? AND id = ?"), TS(at), sc.org, id)
	return mapErr(err)
}

// CreateSubscriberToken stores a token (its hash).
func (tx *Tx) CreateSubscriberToken(ctx context.Context, t *domain.SubscriberToken) error {
	if strings.TrimSpace(t.Name) == "" {
		return domain.Invalid("name", "is required: who holds the token")
	}
	if t.TLPMax != "GREEN" && t.TLPMax != "AMBER" {
		return domain.Invalid("tlp_max", "must be GREEN or AMBER")
	}
	t.Created = now()
	id, err := tx.InsertID(ctx, `INSERT INTO exchange_subscriber_tokens (org_id, name, tlp_max, prefix, hash, created, expires)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, tx.org, t.Name, t.TLPMax, t.Prefix, t.Hash, t.Created, tsPtr(t.Expires))
	if err != nil {
		return err
	}
	t.ID = id
	return tx.Audit(ctx, AuditEntry{Action: "exchange.token.create", Entity: "subscriber_token", EntityID: id,
		Summary: "created subscriber token " + t.Name + " (up to TLP:" + t.TLPMax + ")", Data: map[string]any{"name": t.Name, "tlp_max": t.TLPMax}})
}

// RevokeSubscriberToken revokes a token.
func (tx *Tx) RevokeSubscriberToken(ctx context.Context, id int64) error {
	res, err := tx.Exec(ctx, "UPDATE exchange_subscriber_tokens SET revoked_at = ? WHERE org_id = ? AND id = ? AND revoked_at IS NULL", now(), tx.org, id)
	if err != nil {
		return err
	}
	if err := affected(res, "subscriber token"); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "exchange.token.revoke", Entity: "subscriber_token", EntityID: id, Summary: "revoked a subscriber token"})
}

// --- Guidance ---------------------------------------------------------------------------------------------

const guidanceCols = "id, product_version_id, topic, body, updated, updated_by"

func scanGuidance(sc interface{ Scan(...any) error }) (domain.Guidance, error) {
	var g domain.Guidance
	err := sc.Scan(&g.ID, &g.ProductVersionID, &g.Topic, &g.Body, &g.Updated, &g.UpdatedBy)
	g.Updated = g.Updated.UTC()
	return g, err
}

// Guidance lists the operator guidance of a product version (0: all versions of the organisation).
func (sc *Scope) Guidance(ctx context.Context, versionID int64) ([]domain.Guidance, error) {
	if versionID == 0 {
		return queryAll(ctx, sc.Q, scanGuidance, "SELECT "+guidanceCols+" FROM exchange_guidance WHERE org_id = ? ORDER BY product_version_id, topic", sc.org)
	}
	return queryAll(ctx, sc.Q, scanGuidance, "SELECT "+guidanceCols+" FROM exchange_guidance WHERE org_id = ? AND product_version_id = ? ORDER BY topic",
		sc.org, versionID)
}

// SaveGuidance creates or replaces the guidance of a version and topic.
func (tx *Tx) SaveGuidance(ctx context.Context, g *domain.Guidance) error {
	if err := g.Validate(); err != nil {
		return err
	}
	if err := tx.refCheck(ctx, tx.org, "product_version_id", "product_versions", "product version", g.ProductVersionID); err != nil {
		return err
	}
	g.Updated, g.UpdatedBy = now(), domain.ActorFrom(ctx).Name
	if _, err := tx.Exec(ctx, "DELETE FROM exchange_guidance WHERE org_id = ? AND product_version_id = ? AND topic = ?", tx.org, g.ProductVersionID, g.Topic); err != nil {
		return err
	}
	id, err := tx.InsertID(ctx, `INSERT INTO exchange_guidance (org_id, product_version_id, topic, body, updated, updated_by) VALUES (?, ?, ?, ?, ?, ?)
		RETURNING id`, tx.org, g.ProductVersionID, g.Topic, g.Body, g.Updated, g.UpdatedBy)
	if err != nil {
		return err
	}
	g.ID = id
	return tx.Audit(ctx, AuditEntry{Action: "exchange.guidance", Entity: "guidance", EntityID: id,
		Summary: fmt.Sprintf("saved %s guidance for product version %d", g.Topic, g.ProductVersionID), Data: map[string]any{"topic": g.Topic}})
}

func exTrackingConflict(err error, id string) error {
	if domain.ErrorCode(err) == domain.EConflict {
		return domain.Invalid("tracking_id", "an advisory with tracking id %q exists already", id)
	}
	return err
}
