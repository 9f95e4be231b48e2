package compliance

import (
	"context"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/regulation"
	"github.com/vigil-med/vigil/internal/store"
)

// DefaultProfile proposes a regulatory profile from the organisation's settings, for organisations that
// have not saved one: a hospital is a healthcare provider processing health data on a large scale, a
// manufacturer a medical-device manufacturer; the size figures are unknown.
func DefaultProfile(o domain.Organisation) domain.RegulatoryProfile {
	p := domain.RegulatoryProfile{Country: o.Country, Employees: -1, TurnoverEUR: -1, BalanceSheetEUR: -1, PersonalData: true}
	switch o.Type {
	case domain.OrgHospital, domain.OrgGroup:
		p.EntityType = string(regulation.HealthcareProvider)
		p.HealthData, p.LargeScaleHealthData = true, true
	case domain.OrgManufacturer:
		p.EntityType = string(regulation.MedicalDeviceManufacturer)
		p.Manufacturer = true
	default:
		p.EntityType = string(regulation.OtherEntity)
		p.Public = o.Type == domain.OrgAuthority
	}
	return p
}

// Profile returns the organisation's saved regulatory profile, or the proposal of DefaultProfile (Saved
// false) when none was saved.
func Profile(ctx context.Context, sc *store.Scope) (domain.RegulatoryProfile, error) {
	p, err := sc.RegulatoryProfile(ctx)
	if domain.ErrorCode(err) == domain.ENotFound {
		o, err := sc.Organisation(ctx)
		if err != nil {
			return p, err
		}
		return DefaultProfile(o), nil
	}
	return p, err
}

// SaveProfile checks the profile against the regulation data (entity type) and saves it.
func SaveProfile(ctx context.Context, sc *store.Scope, p *domain.RegulatoryProfile) error {
	if err := ValidateProfile(p); err != nil {
		return err
	}
	return sc.Write(ctx, func(tx *store.Tx) error { return tx.PutRegulatoryProfile(ctx, p) })
}

// ValidateProfile checks the fields of a profile, including the entity type against the scope data.
func ValidateProfile(p *domain.RegulatoryProfile) error {
	if err := p.Validate(); err != nil {
		return err
	}
	t, err := regulation.ParseEntityType(p.EntityType)
	if err != nil {
		return domain.Invalid("entity_type", "%s", strings.TrimPrefix(err.Error(), "regulation: "))
	}
	p.EntityType = string(t)
	return nil
}

// ScopeInput turns a profile into the input of the NIS2 scope check.
func ScopeInput(p domain.RegulatoryProfile) regulation.ScopeInput {
	return regulation.ScopeInput{
		EntityType: regulation.EntityType(p.EntityType), Public: p.Public, MemberState: p.Country,
		Employees: p.Employees, TurnoverEUR: p.TurnoverEUR, BalanceSheetEUR: p.BalanceSheetEUR,
		OwnFiguresOnly: p.OwnFiguresOnly, Designated: regulation.Designation(p.Designated),
		CERCritical: p.CERCritical, SoleProvider: p.SoleProvider,
	}
}

// OrgProfile turns a profile into the organisation input of regulation.Assess.
func OrgProfile(p domain.RegulatoryProfile) regulation.OrgProfile {
	return regulation.OrgProfile{Scope: ScopeInput(p), Manufacturer: p.Manufacturer, PersonalData: p.PersonalData,
		HealthData: p.HealthData, LargeScaleHealthData: p.LargeScaleHealthData}
}
