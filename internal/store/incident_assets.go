package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
)

// Incidents ↔ inventory: the installed devices an incident affects (incident_assets). A link refers to
// an asset of the same organisation (composite foreign key); linked devices cannot be deleted.

const incidentAssetCols = `ia.incident_id, ia.asset_id, a.asset_tag, a.serial, a.hostname, m.name, p.name, pv.version, p.medical_device,
	a.criticality, COALESCE(d.name, ''), COALESCE(l.name, ''), COALESCE(z.name, ''), COALESCE(z.exposure, ''), a.status, ia.added_by, ia.added`

const incidentAssetFrom = ` FROM incident_assets ia
	JOIN assets a ON a.id = ia.asset_id AND a.org_id = ia.org_id
	JOIN product_versions pv ON pv.id = a.product_version_id
	JOIN products p ON p.id = pv.product_id
	JOIN manufacturers m ON m.id = p.manufacturer_id
	LEFT JOIN locations l ON l.id = a.location_id
	LEFT JOIN departments d ON d.id = a.department_id
	LEFT JOIN network_zones z ON z.id = a.zone_id`

func scanIncidentAsset(sc interface{ Scan(...any) error }) (domain.IncidentAsset, error) {
	var x domain.IncidentAsset
	var crit, exposure, status string
	err := sc.Scan(&x.IncidentID, &x.AssetID, &x.AssetTag, &x.Serial, &x.Hostname, &x.Manufacturer, &x.Product, &x.Version, &x.MedicalDevice,
		&crit, &x.Department, &x.Location, &x.Zone, &exposure, &status, &x.AddedBy, &x.Added)
	x.Criticality, x.Exposure, x.Status = domain.Criticality(crit), domain.Exposure(exposure), domain.AssetStatus(status)
	x.Added = x.Added.UTC()
	return x, err
}

// incidentAssetOrder lists the most critical devices first, then by tag.
const incidentAssetOrder = ` ORDER BY CASE a.criticality WHEN 'life-sustaining' THEN 0 WHEN 'critical' THEN 1 WHEN 'important' THEN 2 ELSE 3 END,
	a.asset_tag, a.serial, a.id`

func incidentAssets(ctx context.Context, q Q, org, id int64) ([]domain.IncidentAsset, error) {
	out, err := queryAll(ctx, q, scanIncidentAsset, "SELECT "+incidentAssetCols+incidentAssetFrom+
		" WHERE ia.org_id = ? AND ia.incident_id = ?"+incidentAssetOrder, org, id)
	if out == nil {
		out = []domain.IncidentAsset{}
	}
	return out, err
}

// IncidentAssets returns the inventory devices linked to an incident, most critical first.
func (sc *Scope) IncidentAssets(ctx context.Context, incidentID int64) ([]domain.IncidentAsset, error) {
	return incidentAssets(ctx, sc.Q, sc.org, incidentID)
}

// IncidentAssets is Scope.IncidentAssets within the transaction.
func (tx *Tx) IncidentAssets(ctx context.Context, incidentID int64) ([]domain.IncidentAsset, error) {
	return incidentAssets(ctx, tx.Q, tx.org, incidentID)
}

// SetIncidentAssets replaces the devices linked to an incident by assetIDs (the organisation's assets;
// another id is refused naming the field asset_ids). It records the change on the timeline and in the
// audit log, and reports whether anything changed. The caller recomputes the clocks: the linked devices
// give default answers (internal/incident).
func (tx *Tx) SetIncidentAssets(ctx context.Context, incidentID int64, assetIDs []int64) (bool, error) {
	in, err := tx.Incident(ctx, incidentID)
	if err != nil {
		return false, err
	}
	old, err := tx.IncidentAssets(ctx, incidentID)
	if err != nil {
		return false, err
	}
	have := map[int64]domain.IncidentAsset{}
	for _, x := range old {
		have[x.AssetID] = x
	}
	want := map[int64]bool{}
	var added []string
	for _, id := range assetIDs {
		if want[id] {
			continue
		}
		want[id] = true
		if _, ok := have[id]; ok {
			continue
		}
		a, err := tx.scope().Asset(ctx, id)
		if domain.ErrorCode(err) == domain.ENotFound {
			return false, domain.Invalid("asset_ids", "there is no device with id %d", id)
		}
		if err != nil {
			return false, err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO incident_assets (org_id, incident_id, asset_id, added_by, added) VALUES (?, ?, ?, ?, ?)",
			tx.org, incidentID, id, domain.ActorFrom(ctx).Name, now()); err != nil {
			return false, err
		}
		added = append(added, a.Name())
	}
	var removed []string
	for _, x := range old {
		if want[x.AssetID] {
			continue
		}
		if _, err := tx.Exec(ctx, "DELETE FROM incident_assets WHERE org_id = ? AND incident_id = ? AND asset_id = ?", tx.org, incidentID, x.AssetID); err != nil {
			return false, err
		}
		removed = append(removed, x.Name())
	}
	if len(added) == 0 && len(removed) == 0 {
		return false, nil
	}
	slices.Sort(added)
	slices.Sort(removed)
	var parts []string
	if len(added) > 0 {
		parts = append(parts, "linked "+strings.Join(added, ", "))
	}
	if len(removed) > 0 {
		parts = append(parts, "unlinked "+strings.Join(removed, ", "))
	}
	summary := "Affected devices: " + strings.Join(parts, "; ")
	if err := tx.addEvent(ctx, incidentID, "update", summary, ""); err != nil {
		return false, err
	}
	return true, tx.Audit(ctx, AuditEntry{Action: "incident.assets", Entity: "incident", EntityID: incidentID,
		Summary: fmt.Sprintf("%s: %s", in.Ref(), strings.ToLower(summary[:1])+summary[1:]),
		Data:    map[string]any{"added": added, "removed": removed, "asset_ids": assetIDs}})
}

// AssetIncidents lists the real incidents (never exercises) that a device is linked to, newest first.
func (sc *Scope) AssetIncidents(ctx context.Context, assetID int64) ([]domain.Incident, error) {
	out, err := queryAll(ctx, sc.Q, scanIncident, "SELECT "+incidentCols+` FROM incidents WHERE org_id = ? AND exercise = FALSE AND id IN
		(SELECT incident_id FROM incident_assets WHERE org_id = ? AND asset_id = ?) ORDER BY aware_at DESC, id DESC`, sc.org, sc.org, assetID)
	if out == nil {
		out = []domain.Incident{}
	}
	return out, err
}

// FindAsset finds a device by its asset tag or, failing that, its host name (case-insensitive), for
// forms where people type what is written on the device. Several devices with the host name are
// refused: the tag is unique, a host name need not be.
func (sc *Scope) FindAsset(ctx context.Context, ref string) (domain.Asset, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return domain.Asset{}, domain.NotFound("device")
	}
	a, err := sc.AssetByTag(ctx, ref)
	if domain.ErrorCode(err) != domain.ENotFound {
		return a, err
	}
	as, err := queryAll(ctx, sc.Q, scanAsset, "SELECT "+assetCols+assetFrom+" WHERE a.org_id = ? AND LOWER(a.hostname) = ? ORDER BY a.id LIMIT 2",
		sc.org, strings.ToLower(ref))
	switch {
	case err != nil:
		return domain.Asset{}, err
	case len(as) == 0:
		return domain.Asset{}, domain.NotFound(fmt.Sprintf("device with asset tag or host name %q", ref))
	case len(as) > 1:
		return domain.Asset{}, domain.Errorf(domain.EConflict, "several devices have the host name %q; give the asset tag", ref)
	}
	return as[0], nil
}
