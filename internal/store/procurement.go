package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// --- Requirement catalogues --------------------------------------------------------------------------------

const procCatCols = "id, name, version, based_on, note, created, created_by"

func scanProcCat(sc interface{ Scan(...any) error }, withData bool) (domain.ProcurementCatalogue, error) {
	var c domain.ProcurementCatalogue
	dst := []any{&c.ID, &c.Name, &c.Version, &c.BasedOn, &c.Note, &c.Created, &c.CreatedBy}
	var data string
	if withData {
		dst = append(dst, &data)
	}
	err := sc.Scan(dst...)
	c.Created = c.Created.UTC()
	c.Data = []byte(data)
	return c, err
}

// ProcurementCatalogue returns the newest stored version of the organisation's catalogue name; ENotFound
// when the organisation has not copied the built-in catalogue yet.
func (sc *Scope) ProcurementCatalogue(ctx context.Context, name string) (domain.ProcurementCatalogue, error) {
	c, err := scanProcCat(sc.QueryRow(ctx, "SELECT "+procCatCols+", data FROM procurement_catalogues WHERE org_id = ? AND name = ? ORDER BY version DESC LIMIT 1",
		sc.org, name), true)
	return c, NotFound(err, "catalogue "+name)
}

// ProcurementCatalogueVersion returns one stored version (with its data).
func (sc *Scope) ProcurementCatalogueVersion(ctx context.Context, name string, version int) (domain.ProcurementCatalogue, error) {
	c, err := scanProcCat(sc.QueryRow(ctx, "SELECT "+procCatCols+", data FROM procurement_catalogues WHERE org_id = ? AND name = ? AND version = ?",
		sc.org, name, version), true)
	return c, NotFound(err, fmt.Sprintf("catalogue %s version %d", name, version))
}

// ProcurementCatalogueVersions lists the stored versions of a catalogue, newest first (without data).
func (sc *Scope) ProcurementCatalogueVersions(ctx context.Context, name string) ([]domain.ProcurementCatalogue, error) {
	rows, err := sc.Query(ctx, "SELECT "+procCatCols+" FROM procurement_catalogues WHERE org_id = ? AND name = ? ORDER BY version DESC", sc.org, name)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.ProcurementCatalogue{}
	for rows.Next() {
		c, err := scanProcCat(rows, false)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// SaveProcurementCatalogue stores c as the next version of its catalogue (c.Version and c.ID are set).
func (tx *Tx) SaveProcurementCatalogue(ctx context.Context, c *domain.ProcurementCatalogue) error {
	if len(c.Data) == 0 || !json.Valid(c.Data) {
		return domain.Invalid("data", "the catalogue is not valid JSON")
	}
	var v int
	if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM procurement_catalogues WHERE org_id = ? AND name = ?", tx.org, c.Name).Scan(&v); err != nil {
		return mapErr(err)
	}
	c.Version = v + 1
	c.Created = now()
	c.CreatedBy = domain.ActorFrom(ctx).Name
	id, err := tx.InsertID(ctx, `INSERT INTO procurement_catalogues (org_id, name, version, based_on, data, note, created, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, tx.org, c.Name, c.Version, c.BasedOn, string(c.Data), c.Note, c.Created, c.CreatedBy)
	if err != nil {
		return err
	}
	c.ID = id
	return tx.Audit(ctx, AuditEntry{Action: "procurement.catalogue", Entity: "procurement_catalogue", EntityID: id,
		Summary: fmt.Sprintf("saved catalogue %s version %d", c.Name, c.Version), Data: map[string]any{"name": c.Name, "version": c.Version, "note": c.Note}})
}

// --- Tenders ------------------------------------------------------------------------------------------------

const tenderCols = `t.id, t.reference, t.title, t.subject, t.clinical_use, t.network_exposure, t.kind, t.deadline, t.status, t.catalogue,
	t.catalogue_version, t.criteria, t.winner_bid_id, t.awarded_at, t.award_rationale, t.created, t.updated,
	(SELECT COUNT(*) FROM tender_bids b WHERE b.org_id = t.org_id AND b.tender_id = t.id)`

func scanTender(sc interface{ Scan(...any) error }) (domain.Tender, error) {
	var t domain.Tender
	var criteria string
	err := sc.Scan(&t.ID, &t.Reference, &t.Title, &t.Subject, &t.ClinicalUse, &t.NetworkExposure, &t.Kind, &t.Deadline, &t.Status,
		&t.Catalogue, &t.CatalogueVersion, &criteria, &t.WinnerBidID, &t.AwardedAt, &t.AwardRationale, &t.Created, &t.Updated, &t.Bids)
	t.CriteriaData = []byte(criteria)
	t.Criteria = criteriaIDs(t.CriteriaData)
	t.Deadline, t.AwardedAt = utcPtr(t.Deadline), utcPtr(t.AwardedAt)
	t.Created, t.Updated = t.Created.UTC(), t.Updated.UTC()
	return t, err
}

// criteriaIDs reads the criterion ids of a catalogue snapshot.
func criteriaIDs(data []byte) []string {
	var c struct {
		Criteria []struct {
			ID string `json:"id"`
		} `json:"criteria"`
	}
	out := []string{}
	if json.Unmarshal(data, &c) == nil {
		for _, cr := range c.Criteria {
			out = append(out, cr.ID)
		}
	}
	return out
}

// Tenders lists the organisation's tenders.
func (sc *Scope) Tenders(ctx context.Context, f domain.TenderFilter) (domain.Page[domain.Tender], error) {
	p := f.ListParams.Normalize()
	where, args := []string{"t.org_id = ?"}, []any{sc.org}
	if f.Status != "" {
		where, args = append(where, "t.status = ?"), append(args, f.Status)
	}
	if f.Kind != "" {
		where, args = append(where, "t.kind = ?"), append(args, f.Kind)
	}
	if p.Q != "" {
		where = append(where, "(t.title "+sc.Like()+" ? OR t.reference "+sc.Like()+" ? OR t.subject "+sc.Like()+" ?)")
		q := "%" + p.Q + "%"
		args = append(args, q, q, q)
	}
	w := strings.Join(where, " AND ")
	out := domain.Page[domain.Tender]{Limit: p.Limit, Offset: p.Offset, Items: []domain.Tender{}}
	var err error
	if out.Total, err = sc.Count(ctx, "SELECT COUNT(*) FROM tenders t WHERE "+w, args...); err != nil {
		return out, err
	}
	order := SortClause(p.Sort, map[string]string{"reference": "t.reference", "title": "t.title", "deadline": "t.deadline", "status": "t.status",
		"created": "t.created", "updated": "t.updated"}, "t.created DESC")
	rows, err := sc.Query(ctx, "SELECT "+tenderCols+" FROM tenders t WHERE "+w+" ORDER BY "+order+", t.id LIMIT ? OFFSET ?", append(args, p.Limit, p.Offset)...)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		t, err := scanTender(rows)
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, t)
	}
	return out, rows.Err()
}

// Tender returns one tender of the organisation.
func (sc *Scope) Tender(ctx context.Context, id int64) (domain.Tender, error) {
	t, err := scanTender(sc.QueryRow(ctx, "SELECT "+tenderCols+" FROM tenders t WHERE t.org_id = ? AND t.id = ?", sc.org, id))
	return t, NotFound(err, "tender")
}

// TenderAwardSnapshot returns the evaluation stored at award (JSON), "" before award.
func (sc *Scope) TenderAwardSnapshot(ctx context.Context, id int64) ([]byte, error) {
	var s string
	err := sc.QueryRow(ctx, "SELECT award_snapshot FROM tenders WHERE org_id = ? AND id = ?", sc.org, id).Scan(&s)
	return []byte(s), NotFound(err, "tender")
}

// CreateTender adds a tender; t.CriteriaData must hold the criteria snapshot.
func (tx *Tx) CreateTender(ctx context.Context, t *domain.Tender) error {
	if err := t.Validate(); err != nil {
		return err
	}
	if len(t.CriteriaData) == 0 {
		return domain.Invalid("criteria", "choose at least one requirement")
	}
	t.Created, t.Updated = now(), now()
	id, err := tx.InsertID(ctx, `INSERT INTO tenders (org_id, reference, title, subject, clinical_use, network_exposure, kind, deadline, status,
		catalogue, catalogue_version, criteria, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		tx.org, t.Reference, t.Title, t.Subject, t.ClinicalUse, t.NetworkExposure, t.Kind, tsPtr(t.Deadline), t.Status,
		t.Catalogue, t.CatalogueVersion, string(t.CriteriaData), t.Created, t.Updated)
	if err != nil {
		if domain.ErrorCode(err) == domain.EConflict {
			return domain.Invalid("reference", "a tender with reference %q exists already", t.Reference)
		}
		return err
	}
	t.ID = id
	t.Criteria = criteriaIDs(t.CriteriaData)
	return tx.Audit(ctx, AuditEntry{Action: "tender.create", Entity: "tender", EntityID: id, Summary: "created tender " + t.Reference + " " + t.Title,
		Data: map[string]any{"reference": t.Reference, "title": t.Title, "kind": t.Kind, "criteria": t.Criteria}})
}

// UpdateTender changes a tender's description, deadline and status (not its award).
func (tx *Tx) UpdateTender(ctx context.Context, t domain.Tender) error {
	if err := t.Validate(); err != nil {
		return err
	}
	if t.Status == domain.TenderAwarded {
		var cur string
		if err := tx.QueryRow(ctx, "SELECT status FROM tenders WHERE org_id = ? AND id = ?", tx.org, t.ID).Scan(&cur); err != nil {
			return NotFound(err, "tender")
		}
		if cur != domain.TenderAwarded {
			return domain.Invalid("status", "record the award to set a tender to awarded")
		}
	}
	res, err := tx.Exec(ctx, `UPDATE tenders SET reference = ?, title = ?, subject = ?, clinical_use = ?, network_exposure = ?, deadline = ?,
		status = ?, updated = ? WHERE org_id = ? AND id = ?`, t.Reference, t.Title, t.Subject, t.ClinicalUse, t.NetworkExposure, tsPtr(t.Deadline),
		t.Status, now(), tx.org, t.ID)
	if err != nil {
		if domain.ErrorCode(err) == domain.EConflict {
			return domain.Invalid("reference", "a tender with reference %q exists already", t.Reference)
		}
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFound("tender")
	}
	return tx.Audit(ctx, AuditEntry{Action: "tender.update", Entity: "tender", EntityID: t.ID, Summary: "changed tender " + t.Reference,
		Data: map[string]any{"title": t.Title, "status": t.Status, "deadline": t.Deadline}})
}

// SetTenderCriteria replaces the criteria snapshot of a tender that is not awarded yet.
func (tx *Tx) SetTenderCriteria(ctx context.Context, id int64, catalogueVersion int, data []byte) error {
	res, err := tx.Exec(ctx, "UPDATE tenders SET criteria = ?, catalogue_version = ?, updated = ? WHERE org_id = ? AND id = ? AND status <> ?",
		string(data), catalogueVersion, now(), tx.org, id, domain.TenderAwarded)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.Errorf(domain.EConflict, "the tender does not exist or is awarded; its criteria can no longer change")
	}
	return tx.Audit(ctx, AuditEntry{Action: "tender.criteria", Entity: "tender", EntityID: id, Summary: "changed the requirements of a tender",
		Data: map[string]any{"criteria": criteriaIDs(data)}})
}

// AwardTender records the award of a tender to one of its bids with the evaluation at that moment.
func (tx *Tx) AwardTender(ctx context.Context, id, bidID int64, rationale string, snapshot []byte, at time.Time) error {
	var vendor string
	if err := tx.QueryRow(ctx, "SELECT vendor FROM tender_bids WHERE org_id = ? AND tender_id = ? AND id = ?", tx.org, id, bidID).Scan(&vendor); err != nil {
		return NotFound(err, "bid")
	}
	res, err := tx.Exec(ctx, `UPDATE tenders SET status = ?, winner_bid_id = ?, awarded_at = ?, award_rationale = ?, award_snapshot = ?, updated = ?
		WHERE org_id = ? AND id = ? AND status <> ?`, domain.TenderAwarded, bidID, TS(at), rationale, string(snapshot), now(), tx.org, id, domain.TenderAwarded)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.Errorf(domain.EConflict, "the tender is awarded already")
	}
	return tx.Audit(ctx, AuditEntry{Action: "tender.award", Entity: "tender", EntityID: id, Summary: "awarded the tender to " + vendor,
		Data: map[string]any{"bid": bidID, "vendor": vendor, "rationale": rationale}})
}

// --- Bids ---------------------------------------------------------------------------------------------------

const bidCols = `id, tender_id, vendor, product, contact, mds2_name, mds2, sbom_name, sbom_sha256, questionnaire_name, answers, cloud, created, updated`

func scanBid(sc interface{ Scan(...any) error }) (domain.Bid, error) {
	var b domain.Bid
	var mds, answers, cloud string
	err := sc.Scan(&b.ID, &b.TenderID, &b.Vendor, &b.Product, &b.Contact, &b.MDS2Name, &mds, &b.SBOMName, &b.SBOMSHA256, &b.QuestionnaireName,
		&answers, &cloud, &b.Created, &b.Updated)
	if err != nil {
		return b, err
	}
	b.MDS2Data = []byte(mds)
	b.Answers = map[string]domain.BidAnswer{}
	if answers != "" {
		if err := json.Unmarshal([]byte(answers), &b.Answers); err != nil {
			return b, fmt.Errorf("bid %d answers: %w", b.ID, err)
		}
	}
	if cloud != "" {
		b.Cloud = &domain.CloudProfile{}
		if err := json.Unmarshal([]byte(cloud), b.Cloud); err != nil {
			return b, fmt.Errorf("bid %d cloud assessment: %w", b.ID, err)
		}
	}
	b.Created, b.Updated = b.Created.UTC(), b.Updated.UTC()
	return b, nil
}

// Bids lists the bids of a tender of the organisation, in the order they were added.
func (sc *Scope) Bids(ctx context.Context, tenderID int64) ([]domain.Bid, error) {
	rows, err := sc.Query(ctx, "SELECT "+bidCols+" FROM tender_bids WHERE org_id = ? AND tender_id = ? ORDER BY id", sc.org, tenderID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.Bid{}
	for rows.Next() {
		b, err := scanBid(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// Bid returns one bid of a tender of the organisation.
func (sc *Scope) Bid(ctx context.Context, tenderID, bidID int64) (domain.Bid, error) {
	b, err := scanBid(sc.QueryRow(ctx, "SELECT "+bidCols+" FROM tender_bids WHERE org_id = ? AND tender_id = ? AND id = ?", sc.org, tenderID, bidID))
	return b, NotFound(err, "bid")
}

func jsonText(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// CreateBid adds a bid to a tender of the organisation.
func (tx *Tx) CreateBid(ctx context.Context, b *domain.Bid) error {
	if err := b.Validate(); err != nil {
		return err
	}
	var status string
	if err := tx.QueryRow(ctx, "SELECT status FROM tenders WHERE org_id = ? AND id = ?", tx.org, b.TenderID).Scan(&status); err != nil {
		return NotFound(err, "tender")
	}
	if status == domain.TenderAwarded || status == domain.TenderCancelled {
		return domain.Errorf(domain.EConflict, "the tender is %s; no more bids can be added", status)
	}
	if b.Answers == nil {
		b.Answers = map[string]domain.BidAnswer{}
	}
	answers, _ := jsonText(b.Answers)
	cloud := ""
	if b.Cloud != nil {
		cloud, _ = jsonText(b.Cloud)
	}
	b.Created, b.Updated = now(), now()
	id, err := tx.InsertID(ctx, `INSERT INTO tender_bids (org_id, tender_id, vendor, product, contact, mds2_name, mds2, sbom_name, sbom_sha256,
		questionnaire_name, answers, cloud, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		tx.org, b.TenderID, b.Vendor, b.Product, b.Contact, b.MDS2Name, string(b.MDS2Data), b.SBOMName, b.SBOMSHA256, b.QuestionnaireName,
		answers, cloud, b.Created, b.Updated)
	if err != nil {
		return err
	}
	b.ID = id
	return tx.Audit(ctx, AuditEntry{Action: "bid.create", Entity: "bid", EntityID: id, Summary: "added the bid of " + b.Vendor,
		Data: map[string]any{"tender": b.TenderID, "vendor": b.Vendor, "product": b.Product}})
}

// UpdateBid stores a bid's vendor details and evidence (MDS2, SBOM name, questionnaire answers, cloud
// assessment) as given; what changed is named in the audit event.
func (tx *Tx) UpdateBid(ctx context.Context, b domain.Bid, what string) error {
	if err := b.Validate(); err != nil {
		return err
	}
	if b.Answers == nil {
		b.Answers = map[string]domain.BidAnswer{}
	}
	answers, _ := jsonText(b.Answers)
	cloud := ""
	if b.Cloud != nil {
		cloud, _ = jsonText(b.Cloud)
	}
	res, err := tx.Exec(ctx, `UPDATE tender_bids SET vendor = ?, product = ?, contact = ?, mds2_name = ?, mds2 = ?, sbom_name = ?, sbom_sha256 = ?,
		questionnaire_name = ?, answers = ?, cloud = ?, updated = ? WHERE org_id = ? AND tender_id = ? AND id = ?`,
		b.Vendor, b.Product, b.Contact, b.MDS2Name, string(b.MDS2Data), b.SBOMName, b.SBOMSHA256, b.QuestionnaireName, answers, cloud, now(),
		tx.org, b.TenderID, b.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFound("bid")
	}
	if what == "" {
		what = "details"
	}
	return tx.Audit(ctx, AuditEntry{Action: "bid.update", Entity: "bid", EntityID: b.ID, Summary: "changed the " + what + " of the bid of " + b.Vendor,
		Data: map[string]any{"tender": b.TenderID, "changed": what}})
}

// DeleteBid removes a bid with its documents and scores (not of an awarded tender).
func (tx *Tx) DeleteBid(ctx context.Context, tenderID, bidID int64) error {
	var status, vendor string
	if err := tx.QueryRow(ctx, `SELECT t.status, b.vendor FROM tender_bids b JOIN tenders t ON t.org_id = b.org_id AND t.id = b.tender_id
		WHERE b.org_id = ? AND b.tender_id = ? AND b.id = ?`, tx.org, tenderID, bidID).Scan(&status, &vendor); err != nil {
		return NotFound(err, "bid")
	}
	if status == domain.TenderAwarded {
		return domain.Errorf(domain.EConflict, "the tender is awarded; its bids are kept as the record of the decision")
	}
	for _, q := range []string{"DELETE FROM tender_scores WHERE org_id = ? AND bid_id = ?", "DELETE FROM tender_documents WHERE org_id = ? AND bid_id = ?",
		"DELETE FROM tender_bids WHERE org_id = ? AND id = ?"} {
		if _, err := tx.Exec(ctx, q, tx.org, bidID); err != nil {
			return err
		}
	}
	return tx.Audit(ctx, AuditEntry{Action: "bid.delete", Entity: "bid", EntityID: bidID, Summary: "removed the bid of " + vendor,
		Data: map[string]any{"tender": tenderID}})
}

// --- Documents ----------------------------------------------------------------------------------------------

const docCols = "id, tender_id, bid_id, kind, name, media_type, size, sha256, uploaded, uploaded_by"

func scanDoc(sc interface{ Scan(...any) error }, content *[]byte) (domain.TenderDocument, error) {
	var d domain.TenderDocument
	dst := []any{&d.ID, &d.TenderID, &d.BidID, &d.Kind, &d.Name, &d.MediaType, &d.Size, &d.SHA256, &d.Uploaded, &d.UploadedBy}
	if content != nil {
		dst = append(dst, content)
	}
	err := sc.Scan(dst...)
	d.Uploaded = d.Uploaded.UTC()
	return d, err
}

// TenderDocuments lists the files of a tender (all bids and the tender itself), newest first.
func (sc *Scope) TenderDocuments(ctx context.Context, tenderID int64) ([]domain.TenderDocument, error) {
	rows, err := sc.Query(ctx, "SELECT "+docCols+" FROM tender_documents WHERE org_id = ? AND tender_id = ? ORDER BY uploaded DESC, id DESC", sc.org, tenderID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.TenderDocument{}
	for rows.Next() {
		d, err := scanDoc(rows, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// TenderDocument returns a file of a tender with its content.
func (sc *Scope) TenderDocument(ctx context.Context, tenderID, docID int64) (domain.TenderDocument, []byte, error) {
	var content []byte
	d, err := scanDoc(sc.QueryRow(ctx, "SELECT "+docCols+", content FROM tender_documents WHERE org_id = ? AND tender_id = ? AND id = ?",
		sc.org, tenderID, docID), &content)
	return d, content, NotFound(err, "document")
}

// LatestBidDocument returns the newest file of a kind of a bid (e.g. its SBOM) with its content.
func (sc *Scope) LatestBidDocument(ctx context.Context, bidID int64, kind string) (domain.TenderDocument, []byte, error) {
	var content []byte
	d, err := scanDoc(sc.QueryRow(ctx, "SELECT "+docCols+", content FROM tender_documents WHERE org_id = ? AND bid_id = ? AND kind = ? ORDER BY id DESC LIMIT 1",
		sc.org, bidID, kind), &content)
	return d, content, NotFound(err, kind+" document")
}

// AddTenderDocument stores a file with a tender (d.BidID nil) or a bid; its size and SHA-256 are computed.
func (tx *Tx) AddTenderDocument(ctx context.Context, d *domain.TenderDocument, content []byte) error {
	d.Name = strings.TrimSpace(d.Name)
	if d.Name == "" {
		d.Name = d.Kind
	}
	if len(d.Name) > 255 {
		d.Name = d.Name[:255]
	}
	if d.MediaType == "" {
		d.MediaType = "application/octet-stream"
	}
	sum := sha256.Sum256(content)
	d.SHA256, d.Size = hex.EncodeToString(sum[:]), int64(len(content))
	d.Uploaded, d.UploadedBy = now(), domain.ActorFrom(ctx).Name
	id, err := tx.InsertID(ctx, `INSERT INTO tender_documents (org_id, tender_id, bid_id, kind, name, media_type, size, sha256, content, uploaded, uploaded_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, tx.org, d.TenderID, d.BidID, d.Kind, d.Name, d.MediaType, d.Size, d.SHA256, content,
		d.Uploaded, d.UploadedBy)
	if err != nil {
		return err
	}
	d.ID = id
	return tx.Audit(ctx, AuditEntry{Action: "tender.document", Entity: "tender_document", EntityID: id,
		Summary: fmt.Sprintf("added %s %s (%d bytes)", d.Kind, d.Name, d.Size),
		Data:    map[string]any{"tender": d.TenderID, "bid": d.BidID, "kind": d.Kind, "name": d.Name, "sha256": d.SHA256, "size": d.Size}})
}

// --- Evaluator scores ---------------------------------------------------------------------------------------

// TenderScores lists the evaluators' scores of all bids of a tender.
func (sc *Scope) TenderScores(ctx context.Context, tenderID int64) ([]domain.TenderScore, error) {
	rows, err := sc.Query(ctx, `SELECT s.id, s.bid_id, s.criterion, s.score, s.comment, s.evaluator, s.updated FROM tender_scores s
		JOIN tender_bids b ON b.org_id = s.org_id AND b.id = s.bid_id WHERE s.org_id = ? AND b.tender_id = ? ORDER BY s.bid_id, s.criterion`, sc.org, tenderID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.TenderScore{}
	for rows.Next() {
		var s domain.TenderScore
		if err := rows.Scan(&s.ID, &s.BidID, &s.Criterion, &s.Score, &s.Comment, &s.Evaluator, &s.Updated); err != nil {
			return nil, err
		}
		s.Updated = s.Updated.UTC()
		out = append(out, s)
	}
	return out, rows.Err()
}

// SetTenderScore records (or replaces) an evaluator's score of one criterion of a bid. The caller checks
// the criterion and the scale; the comment is required.
func (tx *Tx) SetTenderScore(ctx context.Context, s *domain.TenderScore) error {
	if strings.TrimSpace(s.Comment) == "" {
		return domain.Invalid("comment", "say why: every evaluator score needs a comment")
	}
	s.Updated, s.Evaluator = now(), domain.ActorFrom(ctx).Name
	if _, err := tx.Exec(ctx, "DELETE FROM tender_scores WHERE org_id = ? AND bid_id = ? AND criterion = ?", tx.org, s.BidID, s.Criterion); err != nil {
		return err
	}
	id, err := tx.InsertID(ctx, `INSERT INTO tender_scores (org_id, bid_id, criterion, score, comment, evaluator, updated) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		tx.org, s.BidID, s.Criterion, s.Score, s.Comment, s.Evaluator, s.Updated)
	if err != nil {
		return err
	}
	s.ID = id
	return tx.Audit(ctx, AuditEntry{Action: "bid.score", Entity: "bid", EntityID: s.BidID, Summary: fmt.Sprintf("scored %s: %d", s.Criterion, s.Score),
		Data: map[string]any{"criterion": s.Criterion, "score": s.Score, "comment": s.Comment}})
}

// DeleteTenderScore removes an evaluator's score (the criterion falls back to its automatic result).
func (tx *Tx) DeleteTenderScore(ctx context.Context, bidID int64, criterion string) error {
	res, err := tx.Exec(ctx, "DELETE FROM tender_scores WHERE org_id = ? AND bid_id = ? AND criterion = ?", tx.org, bidID, criterion)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFound("score")
	}
	return tx.Audit(ctx, AuditEntry{Action: "bid.unscore", Entity: "bid", EntityID: bidID, Summary: "removed the evaluator score of " + criterion})
}

// --- Commitments --------------------------------------------------------------------------------------------

const commitCols = `id, tender_id, bid_id, parent_id, manufacturer, product, product_id, kind, criterion, title, value, value_date, days,
	trigger_ref, due, status, confirmed_at, confirmed_by, note, created, updated`

func scanCommitment(sc interface{ Scan(...any) error }) (domain.Commitment, error) {
	var c domain.Commitment
	err := sc.Scan(&c.ID, &c.TenderID, &c.BidID, &c.ParentID, &c.Manufacturer, &c.Product, &c.ProductID, &c.Kind, &c.Criterion, &c.Title,
		&c.Value, &c.ValueDate, &c.Days, &c.Trigger, &c.Due, &c.Status, &c.ConfirmedAt, &c.ConfirmedBy, &c.Note, &c.Created, &c.Updated)
	c.ValueDate, c.Due, c.ConfirmedAt = utcPtr(c.ValueDate), utcPtr(c.Due), utcPtr(c.ConfirmedAt)
	c.Created, c.Updated = c.Created.UTC(), c.Updated.UTC()
	return c, err
}

// Commitments lists the organisation's commitments: due ones first (by due date), then the rest.
func (sc *Scope) Commitments(ctx context.Context, f domain.CommitmentFilter) ([]domain.Commitment, error) {
	where, args := []string{"org_id = ?"}, []any{sc.org}
	if f.TenderID > 0 {
		where, args = append(where, "tender_id = ?"), append(args, f.TenderID)
	}
	if f.ProductID > 0 {
		where, args = append(where, "product_id = ?"), append(args, f.ProductID)
	}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	if f.Missed {
		where, args = append(where, "status = ? AND due IS NOT NULL AND due < ?"), append(args, domain.CommitmentOpen, TS(f.Now))
	}
	rows, err := sc.Query(ctx, "SELECT "+commitCols+" FROM procurement_commitments WHERE "+strings.Join(where, " AND ")+
		" ORDER BY CASE WHEN due IS NULL THEN 1 ELSE 0 END, due, id LIMIT 1000", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.Commitment{}
	for rows.Next() {
		c, err := scanCommitment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Commitment returns one commitment of the organisation.
func (sc *Scope) Commitment(ctx context.Context, id int64) (domain.Commitment, error) {
	c, err := scanCommitment(sc.QueryRow(ctx, "SELECT "+commitCols+" FROM procurement_commitments WHERE org_id = ? AND id = ?", sc.org, id))
	return c, NotFound(err, "commitment")
}

// MissedCommitments counts open commitments past their due date on now.
func (sc *Scope) MissedCommitments(ctx context.Context, now time.Time) (int, error) {
	return sc.Count(ctx, "SELECT COUNT(*) FROM procurement_commitments WHERE org_id = ? AND status = ? AND due IS NOT NULL AND due < ?",
		sc.org, domain.CommitmentOpen, TS(now))
}

// AddCommitment stores a commitment (after award, or a clock started from a patch-day commitment).
func (tx *Tx) AddCommitment(ctx context.Context, c *domain.Commitment) error {
	if strings.TrimSpace(c.Title) == "" || c.Kind == "" {
		return domain.Invalid("title", "a commitment needs a kind and a title")
	}
	if c.Status == "" {
		c.Status = domain.CommitmentOpen
	}
	c.Created, c.Updated = now(), now()
	id, err := tx.InsertID(ctx, `INSERT INTO procurement_commitments (org_id, tender_id, bid_id, parent_id, manufacturer, product, product_id, kind,
		criterion, title, value, value_date, days, trigger_ref, due, status, note, created, updated)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		tx.org, c.TenderID, c.BidID, c.ParentID, c.Manufacturer, c.Product, c.ProductID, c.Kind, c.Criterion, c.Title, c.Value, tsPtr(c.ValueDate),
		c.Days, c.Trigger, tsPtr(c.Due), c.Status, c.Note, c.Created, c.Updated)
	if err != nil {
		return err
	}
	c.ID = id
	return tx.Audit(ctx, AuditEntry{Action: "commitment.create", Entity: "commitment", EntityID: id,
		Summary: fmt.Sprintf("tracking %s of %s: %s", c.Kind, c.Manufacturer, c.Title),
		Data:    map[string]any{"kind": c.Kind, "product": c.Product, "value": c.Value, "due": c.Due, "trigger": c.Trigger}})
}

// SetCommitmentStatus confirms or waives a commitment (or reopens it), with a note.
func (tx *Tx) SetCommitmentStatus(ctx context.Context, id int64, status, note string) error {
	switch status {
	case domain.CommitmentOpen, domain.CommitmentConfirmed, domain.CommitmentWaived, domain.CommitmentActive:
	default:
		return domain.Invalid("status", "must be open, confirmed, waived or active")
	}
	var at any
	by := ""
	if status == domain.CommitmentConfirmed {
		at, by = now(), domain.ActorFrom(ctx).Name
	}
	res, err := tx.Exec(ctx, "UPDATE procurement_commitments SET status = ?, confirmed_at = ?, confirmed_by = ?, note = ?, updated = ? WHERE org_id = ? AND id = ?",
		status, at, by, note, now(), tx.org, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFound("commitment")
	}
	return tx.Audit(ctx, AuditEntry{Action: "commitment." + status, Entity: "commitment", EntityID: id, Summary: "set a commitment to " + status,
		Data: map[string]any{"status": status, "note": note}})
}

// CommitmentsToNotify returns open commitments past due on now that were not notified yet, and marks them
// notified (within the transaction).
func (tx *Tx) CommitmentsToNotify(ctx context.Context, now time.Time) ([]domain.Commitment, error) {
	rows, err := tx.Query(ctx, "SELECT "+commitCols+" FROM procurement_commitments WHERE org_id = ? AND status = ? AND due IS NOT NULL AND due < ? AND notified_at IS NULL ORDER BY due, id",
		tx.org, domain.CommitmentOpen, TS(now))
	if err != nil {
		return nil, err
	}
	var out []domain.Commitment
	for rows.Next() {
		c, err := scanCommitment(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(out))
	for _, c := range out {
		if _, err := tx.Exec(ctx, "UPDATE procurement_commitments SET notified_at = ? WHERE org_id = ? AND id = ?", TS(now), tx.org, c.ID); err != nil {
			return nil, err
		}
		ids = append(ids, c.ID)
	}
	if len(out) == 0 {
		return out, nil
	}
	return out, tx.Audit(ctx, AuditEntry{Action: "commitment.missed", Entity: "commitment", EntityID: ids[0],
		Summary: fmt.Sprintf("%d vendor commitments passed their due date without confirmation", len(out)), Data: map[string]any{"commitments": ids}})
}

// OrgsWithMissedCommitments lists the organisations that have open commitments past due and not notified
// (for the daily job, which then works per organisation).
func (s *Store) OrgsWithMissedCommitments(ctx context.Context, now time.Time) ([]int64, error) {
	rows, err := s.Read().Query(ctx, "SELECT DISTINCT org_id FROM procurement_commitments WHERE status = ? AND due IS NOT NULL AND due < ? AND notified_at IS NULL ORDER BY org_id",
		domain.CommitmentOpen, TS(now))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// ProcurementStats are the organisation's procurement figures (dashboard, NIS2 supply-chain evidence).
type ProcurementStats struct {
	Tenders                int `json:"tenders"`        // all tenders
	OpenTenders            int `json:"open_tenders"`   // draft, open or in evaluation
	Bids                   int `json:"bids"`           // all bids
	BidsWithMDS2           int `json:"bids_with_mds2"` //
	BidsWithSBOM           int `json:"bids_with_sbom"` //
	Awarded                int `json:"awarded"`        // awarded tenders (one product each)
	AwardedWithMDS2        int `json:"awarded_with_mds2"`
	AwardedWithSBOM        int `json:"awarded_with_sbom"`
	AwardedWithSupportEnd  int `json:"awarded_with_support_end"` // with a committed end of support
	CommitmentsOpen        int `json:"commitments_open"`
	CommitmentsMissed      int `json:"commitments_missed"`
	CommitmentsDueIn30Days int `json:"commitments_due_in_30_days"`
}

// ProcurementStats counts the organisation's tenders, bids, awards and commitments on now.
func (sc *Scope) ProcurementStats(ctx context.Context, now time.Time) (ProcurementStats, error) {
	var s ProcurementStats
	n := TS(now)
	err := sc.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN status IN ('draft', 'open', 'evaluation') THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'awarded' THEN 1 ELSE 0 END), 0) FROM tenders WHERE org_id = ?`, sc.org).Scan(&s.Tenders, &s.OpenTenders, &s.Awarded)
	if err != nil {
		return s, mapErr(err)
	}
	err = sc.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN mds2 <> '' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN sbom_name <> '' THEN 1 ELSE 0 END), 0)
		FROM tender_bids WHERE org_id = ?`, sc.org).Scan(&s.Bids, &s.BidsWithMDS2, &s.BidsWithSBOM)
	if err != nil {
		return s, mapErr(err)
	}
	err = sc.QueryRow(ctx, `SELECT COALESCE(SUM(CASE WHEN b.mds2 <> '' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN b.sbom_name <> '' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM procurement_commitments c WHERE c.org_id = t.org_id AND c.tender_id = t.id AND c.kind = 'support-end'
			AND c.value_date IS NOT NULL) THEN 1 ELSE 0 END), 0)
		FROM tenders t JOIN tender_bids b ON b.org_id = t.org_id AND b.id = t.winner_bid_id WHERE t.org_id = ? AND t.status = 'awarded'`, sc.org).
		Scan(&s.AwardedWithMDS2, &s.AwardedWithSBOM, &s.AwardedWithSupportEnd)
	if err != nil {
		return s, mapErr(err)
	}
	err = sc.QueryRow(ctx, `SELECT COALESCE(SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'open' AND due IS NOT NULL AND due < ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'open' AND due IS NOT NULL AND due >= ? AND due < ? THEN 1 ELSE 0 END), 0)
		FROM procurement_commitments WHERE org_id = ?`, n, n, TS(now.AddDate(0, 0, 30)), sc.org).Scan(&s.CommitmentsOpen, &s.CommitmentsMissed, &s.CommitmentsDueIn30Days)
	return s, mapErr(err)
}
