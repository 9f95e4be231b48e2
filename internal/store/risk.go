package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// Risk and legacy technology: weights versions, compensating controls, end-of-support records, devices
// that must stay, models replaced together and daily snapshots (migration 0030).

// RiskAssets lists the organisation's devices that are not retired, with what risk scoring and the
// replacement plan need, ordered by id.
func (sc *Scope) RiskAssets(ctx context.Context) ([]domain.RiskAsset, error) {
	rows, err := sc.Query(ctx, `SELECT a.id, a.asset_tag, a.serial, a.product_version_id, p.id, p.name, m.id, m.name, pv.version, pv.operating_system,
		pv.end_of_support, p.end_of_support, COALESCE(d.id, 0), COALESCE(d.name, ''), COALESCE(z.name, ''), COALESCE(z.exposure, ''),
		a.criticality, a.patient_data, a.replacement_cost, p.replacement_cost, p.category
		FROM assets a
		JOIN product_versions pv ON pv.org_id = a.org_id AND pv.id = a.product_version_id
		JOIN products p ON p.org_id = pv.org_id AND p.id = pv.product_id
		JOIN manufacturers m ON m.org_id = p.org_id AND m.id = p.manufacturer_id
		LEFT JOIN departments d ON d.org_id = a.org_id AND d.id = a.department_id
		LEFT JOIN network_zones z ON z.org_id = a.org_id AND z.id = a.zone_id
		WHERE a.org_id = ? AND a.status <> 'retired' ORDER BY a.id`, sc.org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.RiskAsset{}
	for rows.Next() {
		var r domain.RiskAsset
		var serial, exposure, crit string
		var cost, pcost int64
		if err := rows.Scan(&r.ID, &r.Tag, &serial, &r.ProductVersionID, &r.ProductID, &r.Product, &r.ManufacturerID, &r.Manufacturer, &r.Version,
			&r.OperatingSystem, &r.VersionEOS, &r.ProductEOS, &r.DepartmentID, &r.Department, &r.Zone, &exposure, &crit, &r.PatientData,
			&cost, &pcost, &r.Category); err != nil {
			return nil, err
		}
		if r.Tag == "" {
			r.Tag = "S/N " + serial
		}
		r.Exposure, r.Criticality, r.Cost, r.ProductCost = domain.Exposure(exposure), domain.Criticality(crit), domain.Money(cost), domain.Money(pcost)
		r.VersionEOS, r.ProductEOS = utcPtr(r.VersionEOS), utcPtr(r.ProductEOS)
		out = append(out, r)
	}
	return out, rows.Err()
}

// --- Weights --------------------------------------------------------------------------------------------

const riskWeightsCols = "id, version, note, active, created, created_by, weights"

func scanRiskWeights(sc interface{ Scan(...any) error }) (domain.RiskWeightsVersion, error) {
	var v domain.RiskWeightsVersion
	var data string
	err := sc.Scan(&v.ID, &v.Version, &v.Note, &v.Active, &v.Created, &v.CreatedBy, &data)
	v.Weights, v.Created = []byte(data), v.Created.UTC()
	return v, err
}

// RiskWeightsVersions lists the organisation's weights versions, newest first.
func (sc *Scope) RiskWeightsVersions(ctx context.Context) ([]domain.RiskWeightsVersion, error) {
	rows, err := sc.Query(ctx, "SELECT "+riskWeightsCols+" FROM risk_weights WHERE org_id = ? ORDER BY id DESC", sc.org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.RiskWeightsVersion{}
	for rows.Next() {
		v, err := scanRiskWeights(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// RiskWeights returns one weights version by its version id; the active one when version is "".
// ENotFound when there is none.
func (sc *Scope) RiskWeights(ctx context.Context, version string) (domain.RiskWeightsVersion, error) {
	if version == "" {
		v, err := scanRiskWeights(sc.QueryRow(ctx, "SELECT "+riskWeightsCols+" FROM risk_weights WHERE org_id = ? AND active ORDER BY id DESC LIMIT 1", sc.org))
		return v, NotFound(err, "active risk weights")
	}
	v, err := scanRiskWeights(sc.QueryRow(ctx, "SELECT "+riskWeightsCols+" FROM risk_weights WHERE org_id = ? AND version = ?", sc.org, version))
	return v, NotFound(err, "risk weights version")
}

// SaveRiskWeights publishes a new weights version and makes it the active one. The caller validates
// the weights; a version id used before is a conflict.
func (tx *Tx) SaveRiskWeights(ctx context.Context, v *domain.RiskWeightsVersion) error {
	v.Version, v.Note = strings.TrimSpace(v.Version), strings.TrimSpace(v.Note)
	if v.Version == "" {
		return domain.Invalid("version", "give the new version a name")
	}
	if _, err := tx.Exec(ctx, "UPDATE risk_weights SET active = FALSE WHERE org_id = ? AND active", tx.org); err != nil {
		return err
	}
	v.Created, v.CreatedBy, v.Active = now(), domain.ActorFrom(ctx).Name, true
	id, err := tx.InsertID(ctx, `INSERT INTO risk_weights (org_id, version, weights, note, active, created, created_by) VALUES (?, ?, ?, ?, TRUE, ?, ?) RETURNING id`,
		tx.org, v.Version, string(v.Weights), v.Note, v.Created, v.CreatedBy)
	if err != nil {
		if domain.ErrorCode(err) == domain.EConflict {
			return domain.Invalid("version", "version %q exists already; versions never change, choose a new name", v.Version)
		}
		return err
	}
	v.ID = id
	return tx.Audit(ctx, AuditEntry{Action: "risk.weights", Entity: "risk_weights", EntityID: id, Summary: "published risk weights " + v.Version,
		Data: map[string]any{"version": v.Version, "note": v.Note}})
}

// ActivateRiskWeights makes an earlier version the active one again.
func (tx *Tx) ActivateRiskWeights(ctx context.Context, version string) error {
	var id int64
	if err := tx.QueryRow(ctx, "SELECT id FROM risk_weights WHERE org_id = ? AND version = ?", tx.org, version).Scan(&id); err != nil {
		return NotFound(err, "risk weights version")
	}
	if _, err := tx.Exec(ctx, "UPDATE risk_weights SET active = (id = ?) WHERE org_id = ?", id, tx.org); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{Action: "risk.weights.activate", Entity: "risk_weights", EntityID: id, Summary: "activated risk weights " + version})
}

// --- Compensating controls ------------------------------------------------------------------------------

const riskControlSelect = `SELECT c.id, COALESCE(c.asset_id, 0), COALESCE(c.product_id, 0), c.kind, c.description, c.owner, c.review_due, c.created, c.updated,
	COALESCE(CASE WHEN a.asset_tag <> '' THEN a.asset_tag ELSE a.serial END, p.name, '')
	FROM risk_controls c
	LEFT JOIN assets a ON a.org_id = c.org_id AND a.id = c.asset_id
	LEFT JOIN products p ON p.org_id = c.org_id AND p.id = c.product_id
	WHERE c.org_id = ?`

func scanRiskControl(sc interface{ Scan(...any) error }) (domain.RiskControl, error) {
	var c domain.RiskControl
	err := sc.Scan(&c.ID, &c.AssetID, &c.ProductID, &c.Kind, &c.Description, &c.Owner, &c.ReviewDue, &c.Created, &c.Updated, &c.Subject)
	c.ReviewDue, c.Created, c.Updated = utcPtr(c.ReviewDue), c.Created.UTC(), c.Updated.UTC()
	return c, err
}

// RiskControls lists the organisation's compensating controls, those reviewed soonest (or overdue)
// first; without a review date last.
func (sc *Scope) RiskControls(ctx context.Context) ([]domain.RiskControl, error) {
	rows, err := sc.Query(ctx, riskControlSelect+" ORDER BY CASE WHEN c.review_due IS NULL THEN 1 ELSE 0 END, c.review_due, c.id", sc.org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.RiskControl{}
	for rows.Next() {
		c, err := scanRiskControl(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// RiskControl returns one control.
func (sc *Scope) RiskControl(ctx context.Context, id int64) (domain.RiskControl, error) {
	c, err := scanRiskControl(sc.QueryRow(ctx, riskControlSelect+" AND c.id = ?", sc.org, id))
	return c, NotFound(err, "compensating control")
}

func (tx *Tx) checkRiskRefs(ctx context.Context, assetID, productID int64) error {
	if assetID != 0 {
		if n, err := tx.Count(ctx, "SELECT COUNT(*) FROM assets WHERE org_id = ? AND id = ?", tx.org, assetID); err != nil || n == 0 {
			return firstErr(err, domain.Invalid("asset_id", "no device %d in this organisation", assetID))
		}
	}
	if productID != 0 {
		if n, err := tx.Count(ctx, "SELECT COUNT(*) FROM products WHERE org_id = ? AND id = ?", tx.org, productID); err != nil || n == 0 {
			return firstErr(err, domain.Invalid("product_id", "no product %d in this organisation", productID))
		}
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// CreateRiskControl records a compensating control.
func (tx *Tx) CreateRiskControl(ctx context.Context, c *domain.RiskControl) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if err := tx.checkRiskRefs(ctx, c.AssetID, c.ProductID); err != nil {
		return err
	}
	c.Created, c.Updated = now(), now()
	id, err := tx.InsertID(ctx, `INSERT INTO risk_controls (org_id, asset_id, product_id, kind, description, owner, review_due, created, updated)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, tx.org, nullID(c.AssetID), nullID(c.ProductID), c.Kind, c.Description, c.Owner,
		tsPtr(c.ReviewDue), c.Created, c.Updated)
	if err != nil {
		return err
	}
	c.ID = id
	return tx.Audit(ctx, AuditEntry{Action: "risk.control.create", Entity: "risk_control", EntityID: id, Summary: "recorded a " + c.Kind + " control",
		Data: map[string]any{"asset_id": c.AssetID, "product_id": c.ProductID, "kind": c.Kind, "description": c.Description, "owner": c.Owner, "review_due": c.ReviewDue}})
}

// UpdateRiskControl changes a control (e.g. after its review, with the next review date).
func (tx *Tx) UpdateRiskControl(ctx context.Context, c domain.RiskControl) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if err := tx.checkRiskRefs(ctx, c.AssetID, c.ProductID); err != nil {
		return err
	}
	res, err := tx.Exec(ctx, `UPDATE risk_controls SET asset_id = ?, product_id = ?, kind = ?, description = ?, owner = ?, review_due = ?, updated = ?
		WHERE org_id = ? AND id = ?`, nullID(c.AssetID), nullID(c.ProductID), c.Kind, c.Description, c.Owner, tsPtr(c.ReviewDue), now(), tx.org, c.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFound("compensating control")
	}
	return tx.Audit(ctx, AuditEntry{Action: "risk.control.update", Entity: "risk_control", EntityID: c.ID, Summary: "changed a " + c.Kind + " control",
		Data: map[string]any{"kind": c.Kind, "description": c.Description, "owner": c.Owner, "review_due": c.ReviewDue}})
}

// DeleteRiskControl removes a control.
func (tx *Tx) DeleteRiskControl(ctx context.Context, id int64) error {
	res, err := tx.Exec(ctx, "DELETE FROM risk_controls WHERE org_id = ? AND id = ?", tx.org, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFound("compensating control")
	}
	return tx.Audit(ctx, AuditEntry{Action: "risk.control.delete", Entity: "risk_control", EntityID: id, Summary: "removed a compensating control"})
}

// --- End of support -------------------------------------------------------------------------------------

// RiskSupports lists the recorded end-of-support dates by product, then component.
func (sc *Scope) RiskSupports(ctx context.Context) ([]domain.RiskSupport, error) {
	rows, err := sc.Query(ctx, `SELECT id, product_id, component, end_of_support, source, reference, created FROM risk_support
		WHERE org_id = ? ORDER BY product_id, component`, sc.org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.RiskSupport{}
	for rows.Next() {
		var s domain.RiskSupport
		if err := rows.Scan(&s.ID, &s.ProductID, &s.Component, &s.EndOfSupport, &s.Source, &s.Reference, &s.Created); err != nil {
			return nil, err
		}
		s.EndOfSupport, s.Created = s.EndOfSupport.UTC(), s.Created.UTC()
		out = append(out, s)
	}
	return out, rows.Err()
}

// SaveRiskSupport records the end of support of a product or component, replacing an earlier record
// of the same product and component.
func (tx *Tx) SaveRiskSupport(ctx context.Context, s *domain.RiskSupport) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if err := tx.checkRiskRefs(ctx, 0, s.ProductID); err != nil {
		return err
	}
	s.Created = now()
	id, err := tx.InsertID(ctx, `INSERT INTO risk_support (org_id, product_id, component, end_of_support, source, reference, created)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org_id, product_id, component)
		DO UPDATE SET end_of_support = excluded.end_of_support, source = excluded.source, reference = excluded.reference, created = excluded.created
		RETURNING id`, tx.org, s.ProductID, s.Component, TS(s.EndOfSupport), s.Source, s.Reference, s.Created)
	if err != nil {
		return err
	}
	s.ID = id
	subject := "product"
	if s.Component != "" {
		subject = s.Component
	}
	return tx.Audit(ctx, AuditEntry{Action: "risk.support", Entity: "product", EntityID: s.ProductID,
		Summary: fmt.Sprintf("end of support of %s: %s (%s)", subject, s.EndOfSupport.Format(time.DateOnly), s.Source),
		Data:    map[string]any{"component": s.Component, "end_of_support": s.EndOfSupport, "source": s.Source, "reference": s.Reference}})
}

// DeleteRiskSupport removes an end-of-support record.
func (tx *Tx) DeleteRiskSupport(ctx context.Context, id int64) error {
	res, err := tx.Exec(ctx, "DELETE FROM risk_support WHERE org_id = ? AND id = ?", tx.org, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFound("end-of-support record")
	}
	return tx.Audit(ctx, AuditEntry{Action: "risk.support.delete", Entity: "risk_support", EntityID: id, Summary: "removed an end-of-support record"})
}

// --- Devices that must stay, models replaced together ---------------------------------------------------

// RiskKeeps lists the devices that must stay.
func (sc *Scope) RiskKeeps(ctx context.Context) ([]domain.RiskKeep, error) {
	rows, err := sc.Query(ctx, `SELECT k.id, k.asset_id, k.reason, k.keep_until, k.created, CASE WHEN a.asset_tag <> '' THEN a.asset_tag ELSE a.serial END
		FROM risk_keeps k JOIN assets a ON a.org_id = k.org_id AND a.id = k.asset_id WHERE k.org_id = ? ORDER BY k.id`, sc.org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.RiskKeep{}
	for rows.Next() {
		var k domain.RiskKeep
		if err := rows.Scan(&k.ID, &k.AssetID, &k.Reason, &k.Until, &k.Created, &k.Asset); err != nil {
			return nil, err
		}
		k.Until, k.Created = utcPtr(k.Until), k.Created.UTC()
		out = append(out, k)
	}
	return out, rows.Err()
}

// SaveRiskKeep marks a device as one that must stay (replacing an earlier mark of it).
func (tx *Tx) SaveRiskKeep(ctx context.Context, k *domain.RiskKeep) error {
	if err := k.Validate(); err != nil {
		return err
	}
	if err := tx.checkRiskRefs(ctx, k.AssetID, 0); err != nil {
		return err
	}
	k.Created = now()
	id, err := tx.InsertID(ctx, `INSERT INTO risk_keeps (org_id, asset_id, reason, keep_until, created) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (org_id, asset_id) DO UPDATE SET reason = excluded.reason, keep_until = excluded.keep_until RETURNING id`,
		tx.org, k.AssetID, k.Reason, tsPtr(k.Until), k.Created)
	if err != nil {
		return err
	}
	k.ID = id
	return tx.Audit(ctx, AuditEntry{Action: "risk.keep", Entity: "asset", EntityID: k.AssetID, Summary: "device must stay: " + k.Reason,
		Data: map[string]any{"reason": k.Reason, "until": k.Until}})
}

// DeleteRiskKeep removes a must-stay mark.
func (tx *Tx) DeleteRiskKeep(ctx context.Context, id int64) error {
	res, err := tx.Exec(ctx, "DELETE FROM risk_keeps WHERE org_id = ? AND id = ?", tx.org, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFound("must-stay mark")
	}
	return tx.Audit(ctx, AuditEntry{Action: "risk.keep.delete", Entity: "risk_keep", EntityID: id, Summary: "removed a must-stay mark"})
}

// RiskGroups lists the groups of models replaced together, with their products.
func (sc *Scope) RiskGroups(ctx context.Context) ([]domain.RiskGroup, error) {
	rows, err := sc.Query(ctx, `SELECT g.id, g.name, g.reason, g.created, p.id, p.name FROM risk_groups g
		JOIN risk_group_products gp ON gp.org_id = g.org_id AND gp.group_id = g.id
		JOIN products p ON p.org_id = gp.org_id AND p.id = gp.product_id
		WHERE g.org_id = ? ORDER BY g.name, g.id, p.name, p.id`, sc.org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.RiskGroup{}
	for rows.Next() {
		var g domain.RiskGroup
		var pid int64
		var pname string
		if err := rows.Scan(&g.ID, &g.Name, &g.Reason, &g.Created, &pid, &pname); err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].ID != g.ID {
			g.Created = g.Created.UTC()
			out = append(out, g)
		}
		last := &out[len(out)-1]
		last.ProductIDs, last.Products = append(last.ProductIDs, pid), append(last.Products, pname)
	}
	return out, rows.Err()
}

// CreateRiskGroup records models that must be replaced together.
func (tx *Tx) CreateRiskGroup(ctx context.Context, g *domain.RiskGroup) error {
	if err := g.Validate(); err != nil {
		return err
	}
	for i, pid := range g.ProductIDs {
		if err := tx.checkRiskRefs(ctx, 0, pid); err != nil {
			return domain.Invalid(fmt.Sprintf("product_ids[%d]", i), "no product %d in this organisation", pid)
		}
	}
	g.Created = now()
	id, err := tx.InsertID(ctx, "INSERT INTO risk_groups (org_id, name, reason, created) VALUES (?, ?, ?, ?) RETURNING id", tx.org, g.Name, g.Reason, g.Created)
	if err != nil {
		if domain.ErrorCode(err) == domain.EConflict {
			return domain.Invalid("name", "a group named %q exists already", g.Name)
		}
		return err
	}
	g.ID = id
	seen := map[int64]bool{}
	for _, pid := range g.ProductIDs {
		if seen[pid] {
			continue
		}
		seen[pid] = true
		if _, err := tx.Exec(ctx, "INSERT INTO risk_group_products (org_id, group_id, product_id) VALUES (?, ?, ?)", tx.org, id, pid); err != nil {
			return err
		}
	}
	return tx.Audit(ctx, AuditEntry{Action: "risk.group.create", Entity: "risk_group", EntityID: id, Summary: "models replaced together: " + g.Name,
		Data: map[string]any{"name": g.Name, "reason": g.Reason, "product_ids": g.ProductIDs}})
}

// DeleteRiskGroup removes a group.
func (tx *Tx) DeleteRiskGroup(ctx context.Context, id int64) error {
	if _, err := tx.Exec(ctx, "DELETE FROM risk_group_products WHERE org_id = ? AND group_id = ?", tx.org, id); err != nil {
		return err
	}
	res, err := tx.Exec(ctx, "DELETE FROM risk_groups WHERE org_id = ? AND id = ?", tx.org, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFound("group")
	}
	return tx.Audit(ctx, AuditEntry{Action: "risk.group.delete", Entity: "risk_group", EntityID: id, Summary: "removed a group of models"})
}

// --- Snapshots ------------------------------------------------------------------------------------------

// SaveRiskSnapshots replaces the snapshots of the days they name (a job run twice a day keeps the later
// figures).
func (tx *Tx) SaveRiskSnapshots(ctx context.Context, snaps []domain.RiskSnapshot) error {
	days := map[string]bool{}
	for _, s := range snaps {
		if !days[s.Day] {
			days[s.Day] = true
			if _, err := tx.Exec(ctx, "DELETE FROM risk_snapshots WHERE org_id = ? AND day = ?", tx.org, s.Day); err != nil {
				return err
			}
		}
	}
	for _, s := range snaps {
		if _, err := tx.Exec(ctx, `INSERT INTO risk_snapshots (org_id, day, dimension, name, risk, assets, legacy, kev, weights_version, formula_version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, tx.org, s.Day, s.Dimension, s.Name, s.Risk, s.Assets, s.Legacy, s.KEV, s.WeightsVersion, s.FormulaVersion); err != nil {
			return fmt.Errorf("risk snapshot %s %s %q: %w", s.Day, s.Dimension, s.Name, err)
		}
	}
	return nil
}

// RiskSnapshots lists the snapshots of one dimension from the day from (YYYY-MM-DD) on, by day then name.
func (sc *Scope) RiskSnapshots(ctx context.Context, dimension, from string) ([]domain.RiskSnapshot, error) {
	rows, err := sc.Query(ctx, `SELECT day, dimension, name, risk, assets, legacy, kev, weights_version, formula_version FROM risk_snapshots
		WHERE org_id = ? AND dimension = ? AND day >= ? ORDER BY day, name`, sc.org, dimension, from)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.RiskSnapshot{}
	for rows.Next() {
		var s domain.RiskSnapshot
		if err := rows.Scan(&s.Day, &s.Dimension, &s.Name, &s.Risk, &s.Assets, &s.Legacy, &s.KEV, &s.WeightsVersion, &s.FormulaVersion); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
