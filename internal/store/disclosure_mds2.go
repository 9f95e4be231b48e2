package store

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
)

// MDS2 forms: imported forms of product versions and manufacturers' drafts, with every answer and note
// by question id.

const mds2Cols = `f.id, f.org_id, COALESCE(f.product_version_id, 0), COALESCE(f.document_id, 0), f.status, f.manufacturer, f.device, f.models,
	f.doc_ref, f.released, f.other, f.warnings, f.created, f.updated, f.created_by,
	COALESCE(p.name, ''), COALESCE(p.id, 0), COALESCE(v.version, ''), COALESCE(m.name, '')`

const mds2From = ` FROM mds2_forms f
	LEFT JOIN product_versions v ON v.org_id = f.org_id AND v.id = f.product_version_id
	LEFT JOIN products p ON p.id = v.product_id
	LEFT JOIN manufacturers m ON m.id = p.manufacturer_id`

func scanMDS2(sc interface{ Scan(...any) error }) (domain.MDS2Form, error) {
	var f domain.MDS2Form
	var warnings string
	err := sc.Scan(&f.ID, &f.OrgID, &f.ProductVersionID, &f.DocumentID, &f.Status, &f.Manufacturer, &f.Device, &f.Models, &f.DocRef, &f.Released,
		&f.Other, &warnings, &f.Created, &f.Updated, &f.CreatedBy, &f.Product, &f.ProductID, &f.ProductVersion, &f.ProductMaker)
	f.Warnings, f.Created, f.Updated = discLines(warnings), f.Created.UTC(), f.Updated.UTC()
	return f, err
}

var mds2Sort = map[string]string{"updated": "f.updated", "manufacturer": "LOWER(f.manufacturer)", "device": "LOWER(f.device)", "status": "f.status",
	"product": "LOWER(p.name)"}

// MDS2Forms lists forms without their answers, newest first unless sorted otherwise. The search matches
// manufacturer, device, models, document id and product.
func (sc *Scope) MDS2Forms(ctx context.Context, f domain.MDS2Filter) (domain.Page[domain.MDS2Form], error) {
	p := f.ListParams.Normalize()
	where, args := []string{"f.org_id = ?"}, []any{sc.org}
	if f.Status != "" {
		where, args = append(where, "f.status = ?"), append(args, f.Status)
	}
	if f.ProductVersionID != 0 {
		where, args = append(where, "f.product_version_id = ?"), append(args, f.ProductVersionID)
	}
	for _, t := range searchTerms(p.Q) {
		l := likeArg(t)
		where = append(where, `(LOWER(f.manufacturer) LIKE ? ESCAPE '\' OR LOWER(f.device) LIKE ? ESCAPE '\' OR LOWER(f.models) LIKE ? ESCAPE '\'
			OR LOWER(f.doc_ref) LIKE ? ESCAPE '\' OR LOWER(COALESCE(p.name, '')) LIKE ? ESCAPE '\')`)
		args = append(args, l, l, l, l, l)
	}
	w := strings.Join(where, " AND ")
	out := domain.Page[domain.MDS2Form]{Limit: p.Limit, Offset: p.Offset, Items: []domain.MDS2Form{}}
	var err error
	if out.Total, err = sc.Count(ctx, "SELECT COUNT(*)"+mds2From+" WHERE "+w, args...); err != nil {
		return out, err
	}
	order := sortClause(p.Sort, mds2Sort, "f.updated DESC") + ", f.id DESC"
	out.Items, err = queryAll(ctx, sc.Q, scanMDS2, "SELECT "+mds2Cols+mds2From+" WHERE "+w+" ORDER BY "+order+" LIMIT ? OFFSET ?", append(args, p.Limit, p.Offset)...)
	return out, err
}

// MDS2Form returns one form with its answers (in catalogue order as stored) and notes.
func (sc *Scope) MDS2Form(ctx context.Context, id int64) (domain.MDS2Form, error) {
	f, err := scanMDS2(sc.QueryRow(ctx, "SELECT "+mds2Cols+mds2From+" WHERE f.org_id = ? AND f.id = ?", sc.org, id))
	if err != nil {
		return f, NotFound(err, "MDS2 form")
	}
	f.Answers, err = queryAll(ctx, sc.Q, func(r interface{ Scan(...any) error }) (domain.MDS2Answer, error) {
		var a domain.MDS2Answer
		var refs string
		err := r.Scan(&a.QuestionID, &a.Section, &a.Raw, &a.Value, &a.Detail, &a.Date, &a.Note, &refs, &a.IEC, &a.NIST, &a.ISO)
		a.NoteRefs = strings.Fields(refs)
		return a, err
	}, `SELECT question_id, section, raw, value, detail, answer_date, note, note_refs, iec, nist, iso FROM mds2_answers
		WHERE org_id = ? AND form_id = ?`, sc.org, id)
	if err != nil {
		return f, err
	}
	f.Notes = map[string]string{}
	rows, err := sc.Query(ctx, "SELECT note_number, note_text FROM mds2_notes WHERE org_id = ? AND form_id = ?", sc.org, id)
	if err != nil {
		return f, err
	}
	defer rows.Close()
	for rows.Next() {
		var n, t string
		if err := rows.Scan(&n, &t); err != nil {
			return f, err
		}
		f.Notes[n] = t
	}
	return f, rows.Err()
}

// MDS2ForVersion returns the newest imported form of a product version (ENotFound when there is none).
func (sc *Scope) MDS2ForVersion(ctx context.Context, productVersionID int64) (domain.MDS2Form, error) {
	var id int64
	err := sc.QueryRow(ctx, `SELECT id FROM mds2_forms WHERE org_id = ? AND product_version_id = ? ORDER BY CASE WHEN status = 'imported' THEN 0 ELSE 1 END,
		updated DESC, id DESC LIMIT 1`, sc.org, productVersionID).Scan(&id)
	if err != nil {
		return domain.MDS2Form{}, NotFound(err, "MDS2 form")
	}
	return sc.MDS2Form(ctx, id)
}

// SaveMDS2Form stores a form with all its answers and notes: a new one when f.ID is 0, else it replaces
// the answers and notes of that form. It validates the status and the product version; the caller audits
// (imports audit the import; SaveMDS2Draft audits an edit).
func (tx *Tx) SaveMDS2Form(ctx context.Context, f *domain.MDS2Form) error {
	if f.Status != domain.MDS2Imported && f.Status != domain.MDS2Draft {
		return domain.Invalid("status", "imported or draft")
	}
	if err := tx.refCheck(ctx, tx.org, "product_version_id", "product_versions", "product version", f.ProductVersionID); err != nil {
		return err
	}
	f.OrgID, f.Updated = tx.org, now()
	args := []any{nullID(f.ProductVersionID), nullID(f.DocumentID), f.Status, truncate(f.Manufacturer, 500), truncate(f.Device, 500),
		truncate(f.Models, 2000), truncate(f.DocRef, 200), f.Released, f.Other, strings.Join(f.Warnings, "\n"), f.Updated}
	if f.ID == 0 {
		f.Created = f.Updated
		if f.CreatedBy == "" {
			f.CreatedBy = domain.ActorFrom(ctx).Name
		}
		id, err := tx.InsertID(ctx, `INSERT INTO mds2_forms (product_version_id, document_id, status, manufacturer, device, models, doc_ref, released,
			other, warnings, updated, org_id, created, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			append(args, tx.org, f.Created, f.CreatedBy)...)
		if err != nil {
			return err
		}
		f.ID = id
	} else {
		res, err := tx.Exec(ctx, `UPDATE mds2_forms SET product_version_id = ?, document_id = ?, status = ?, manufacturer = ?, device = ?, models = ?,
			doc_ref = ?, released = ?, other = ?, warnings = ?, updated = ? WHERE org_id = ? AND id = ?`, append(args, tx.org, f.ID)...)
		if err != nil {
			return err
		}
		if err := affected(res, "MDS2 form"); err != nil {
			return err
		}
		for _, q := range []string{"DELETE FROM mds2_answers WHERE org_id = ? AND form_id = ?", "DELETE FROM mds2_notes WHERE org_id = ? AND form_id = ?"} {
			if _, err := tx.Exec(ctx, q, tx.org, f.ID); err != nil {
				return err
			}
		}
	}
	const batch = 100
	for start := 0; start < len(f.Answers); start += batch {
		part := f.Answers[start:min(start+batch, len(f.Answers))]
		var b strings.Builder
		b.WriteString(`INSERT INTO mds2_answers (org_id, form_id, question_id, section, raw, value, detail, answer_date, note, note_refs, iec, nist, iso) VALUES `)
		args := make([]any, 0, len(part)*13)
		for i, a := range part {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, tx.org, f.ID, a.QuestionID, a.Section, a.Raw, a.Value, a.Detail, a.Date, a.Note, strings.Join(a.NoteRefs, " "),
				a.IEC, a.NIST, a.ISO)
		}
		if _, err := tx.Exec(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("MDS2 answers: %w", err)
		}
	}
	nums := make([]string, 0, len(f.Notes))
	for n := range f.Notes {
		nums = append(nums, n)
	}
	sort.Slice(nums, func(i, j int) bool {
		a, _ := strconv.Atoi(nums[i])
		b, _ := strconv.Atoi(nums[j])
		return a < b || a == b && nums[i] < nums[j]
	})
	for _, n := range nums {
		if _, err := tx.Exec(ctx, "INSERT INTO mds2_notes (org_id, form_id, note_number, note_text) VALUES (?, ?, ?, ?)", tx.org, f.ID, n, f.Notes[n]); err != nil {
			return fmt.Errorf("MDS2 note %s: %w", n, err)
		}
	}
	return nil
}

// DeleteMDS2Form removes a form (its documents stay as evidence).
func (tx *Tx) DeleteMDS2Form(ctx context.Context, id int64) error {
	f, err := tx.scope().MDS2Form(ctx, id)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "DELETE FROM mds2_forms WHERE org_id = ? AND id = ?", tx.org, id); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "mds2.delete", Entity: "mds2_form", EntityID: id, Summary: "deleted MDS2 form " + f.Title(),
		Data: map[string]any{"status": f.Status, "product_version_id": f.ProductVersionID, "document_id": f.DocumentID}})
}

// MDS2FormsOfVersion returns the ids of a version's imported forms (an import replaces them).
func (sc *Scope) MDS2FormsOfVersion(ctx context.Context, productVersionID int64) ([]int64, error) {
	return queryAll(ctx, sc.Q, func(r interface{ Scan(...any) error }) (int64, error) {
		var id int64
		err := r.Scan(&id)
		return id, err
	}, "SELECT id FROM mds2_forms WHERE org_id = ? AND product_version_id = ? AND status = 'imported' ORDER BY id", sc.org, productVersionID)
}
