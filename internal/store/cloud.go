package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

const cloudCols = `id, name, provider, service_model, category, medical_vendor, description, data_categories, criticality, owner, profile,
	review_interval_months, next_review, last_review, last_total, last_knocked_out, created, updated`

func scanCloud(sc interface{ Scan(...any) error }) (domain.CloudService, error) {
	var s domain.CloudService
	var profile string
	err := sc.Scan(&s.ID, &s.Name, &s.Provider, &s.ServiceModel, &s.Category, &s.MedicalVendor, &s.Description, &s.DataCategories, &s.Criticality,
		&s.Owner, &profile, &s.ReviewIntervalMonths, &s.NextReview, &s.LastReview, &s.LastTotal, &s.LastKnockedOut, &s.Created, &s.Updated)
	if err != nil {
		return s, err
	}
	if profile != "" {
		s.Profile = &domain.CloudProfile{}
		if err := json.Unmarshal([]byte(profile), s.Profile); err != nil {
			return s, fmt.Errorf("cloud service %d profile: %w", s.ID, err)
		}
	}
	s.NextReview, s.LastReview = utcPtr(s.NextReview), utcPtr(s.LastReview)
	s.Created, s.Updated = s.Created.UTC(), s.Updated.UTC()
	return s, nil
}

// CloudServices lists the organisation's cloud and SaaS services.
func (sc *Scope) CloudServices(ctx context.Context, f domain.CloudServiceFilter) (domain.Page[domain.CloudService], error) {
	p := f.ListParams.Normalize()
	where, args := []string{"org_id = ?"}, []any{sc.org}
	if p.Q != "" {
		where = append(where, "(name "+sc.Like()+" ? OR provider "+sc.Like()+" ? OR category "+sc.Like()+" ?)")
		q := "%" + p.Q + "%"
		args = append(args, q, q, q)
	}
	if f.Overdue {
		where, args = append(where, "(next_review IS NULL OR next_review < ?)"), append(args, TS(f.Now))
	}
	w := strings.Join(where, " AND ")
	out := domain.Page[domain.CloudService]{Limit: p.Limit, Offset: p.Offset, Items: []domain.CloudService{}}
	var err error
	if out.Total, err = sc.Count(ctx, "SELECT COUNT(*) FROM cloud_services WHERE "+w, args...); err != nil {
		return out, err
	}
	order := SortClause(p.Sort, map[string]string{"name": "name", "provider": "provider", "criticality": "criticality", "next_review": "next_review",
		"last_total": "last_total", "category": "category"}, "name")
	rows, err := sc.Query(ctx, "SELECT "+cloudCols+" FROM cloud_services WHERE "+w+" ORDER BY "+order+", id LIMIT ? OFFSET ?", append(args, p.Limit, p.Offset)...)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		s, err := scanCloud(rows)
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, s)
	}
	return out, rows.Err()
}

// CloudService returns one service of the organisation.
func (sc *Scope) CloudService(ctx context.Context, id int64) (domain.CloudService, error) {
	s, err := scanCloud(sc.QueryRow(ctx, "SELECT "+cloudCols+" FROM cloud_services WHERE org_id = ? AND id = ?", sc.org, id))
	return s, NotFound(err, "cloud service")
}

// CloudStats counts the organisation's services, those assessed with a current (not overdue) review, and
// those whose review is overdue on now.
func (sc *Scope) CloudStats(ctx context.Context, now time.Time) (total, current, overdue int, err error) {
	err = sc.QueryRow(ctx, `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN last_review IS NOT NULL AND next_review >= ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN next_review IS NULL OR next_review < ? THEN 1 ELSE 0 END), 0)
		FROM cloud_services WHERE org_id = ?`, TS(now), TS(now), sc.org).Scan(&total, &current, &overdue)
	return total, current, overdue, mapErr(err)
}

func profileText(p *domain.CloudProfile) string {
	if p == nil {
		return ""
	}
	b, _ := json.Marshal(p)
	return string(b)
}

// CreateCloudService adds a service to the register.
func (tx *Tx) CreateCloudService(ctx context.Context, s *domain.CloudService) error {
	if err := s.Validate(); err != nil {
		return err
	}
	s.Created, s.Updated = now(), now()
	id, err := tx.InsertID(ctx, `INSERT INTO cloud_services (org_id, name, provider, service_model, category, medical_vendor, description, data_categories,
		criticality, owner, profile, review_interval_months, next_review, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		tx.org, s.Name, s.Provider, s.ServiceModel, s.Category, s.MedicalVendor, s.Description, s.DataCategories, s.Criticality, s.Owner,
		profileText(s.Profile), s.ReviewIntervalMonths, tsPtr(s.NextReview), s.Created, s.Updated)
	if err != nil {
		if domain.ErrorCode(err) == domain.EConflict {
			return domain.Invalid("name", "a cloud service named %q exists already", s.Name)
		}
		return err
	}
	s.ID = id
	return tx.Audit(ctx, AuditEntry{Action: "cloud.create", Entity: "cloud_service", EntityID: id, Summary: "added cloud service " + s.Name,
		Data: map[string]any{"name": s.Name, "provider": s.Provider, "criticality": s.Criticality}})
}

// UpdateCloudService changes a service's description and assessment profile.
func (tx *Tx) UpdateCloudService(ctx context.Context, s domain.CloudService) error {
	if err := s.Validate(); err != nil {
		return err
	}
	res, err := tx.Exec(ctx, `UPDATE cloud_services SET name = ?, provider = ?, service_model = ?, category = ?, medical_vendor = ?, description = ?,
		data_categories = ?, criticality = ?, owner = ?, profile = ?, review_interval_months = ?, next_review = ?, updated = ? WHERE org_id = ? AND id = ?`,
		s.Name, s.Provider, s.ServiceModel, s.Category, s.MedicalVendor, s.Description, s.DataCategories, s.Criticality, s.Owner, profileText(s.Profile),
		s.ReviewIntervalMonths, tsPtr(s.NextReview), now(), tx.org, s.ID)
	if err != nil {
		if domain.ErrorCode(err) == domain.EConflict {
			return domain.Invalid("name", "a cloud service named %q exists already", s.Name)
		}
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFound("cloud service")
	}
	return tx.Audit(ctx, AuditEntry{Action: "cloud.update", Entity: "cloud_service", EntityID: s.ID, Summary: "changed cloud service " + s.Name,
		Data: map[string]any{"profile": s.Profile != nil, "criticality": s.Criticality}})
}

// DeleteCloudService removes a service and its reviews.
func (tx *Tx) DeleteCloudService(ctx context.Context, id int64) error {
	if _, err := tx.Exec(ctx, "DELETE FROM cloud_reviews WHERE org_id = ? AND service_id = ?", tx.org, id); err != nil {
		return err
	}
	res, err := tx.Exec(ctx, "DELETE FROM cloud_services WHERE org_id = ? AND id = ?", tx.org, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFound("cloud service")
	}
	return tx.Audit(ctx, AuditEntry{Action: "cloud.delete", Entity: "cloud_service", EntityID: id, Summary: "removed a cloud service"})
}

// AddCloudReview records a review of a service (its score then) and sets the service's last and next
// review dates.
func (tx *Tx) AddCloudReview(ctx context.Context, r *domain.CloudReview) error {
	if r.Reviewed.IsZero() {
		r.Reviewed = now()
	}
	if r.NextReview.IsZero() || !r.NextReview.After(r.Reviewed) {
		return domain.Invalid("next_review", "the next review must come after this one")
	}
	r.Reviewer = domain.ActorFrom(ctx).Name
	var name string
	if err := tx.QueryRow(ctx, "SELECT name FROM cloud_services WHERE org_id = ? AND id = ?", tx.org, r.ServiceID).Scan(&name); err != nil {
		return NotFound(err, "cloud service")
	}
	id, err := tx.InsertID(ctx, `INSERT INTO cloud_reviews (org_id, service_id, reviewed, reviewer, total, knocked_out, result, note, next_review)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, tx.org, r.ServiceID, TS(r.Reviewed), r.Reviewer, r.Total, r.KnockedOut, string(r.Result),
		r.Note, TS(r.NextReview))
	if err != nil {
		return err
	}
	r.ID = id
	if _, err := tx.Exec(ctx, "UPDATE cloud_services SET last_review = ?, next_review = ?, last_total = ?, last_knocked_out = ?, updated = ? WHERE org_id = ? AND id = ?",
		TS(r.Reviewed), TS(r.NextReview), r.Total, r.KnockedOut, now(), tx.org, r.ServiceID); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "cloud.review", Entity: "cloud_service", EntityID: r.ServiceID,
		Summary: fmt.Sprintf("reviewed cloud service %s: %.1f %%", name, r.Total),
		Data:    map[string]any{"total": r.Total, "knocked_out": r.KnockedOut, "next_review": r.NextReview, "note": r.Note}})
}

// CloudReviews lists the reviews of a service, newest first.
func (sc *Scope) CloudReviews(ctx context.Context, serviceID int64) ([]domain.CloudReview, error) {
	rows, err := sc.Query(ctx, `SELECT id, service_id, reviewed, reviewer, total, knocked_out, note, next_review FROM cloud_reviews
		WHERE org_id = ? AND service_id = ? ORDER BY reviewed DESC, id DESC`, sc.org, serviceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.CloudReview{}
	for rows.Next() {
		var r domain.CloudReview
		if err := rows.Scan(&r.ID, &r.ServiceID, &r.Reviewed, &r.Reviewer, &r.Total, &r.KnockedOut, &r.Note, &r.NextReview); err != nil {
			return nil, err
		}
		r.Reviewed, r.NextReview = r.Reviewed.UTC(), r.NextReview.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}
