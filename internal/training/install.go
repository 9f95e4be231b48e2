package training

import (
	"context"
	"fmt"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// InstallResult says what InstallCatalogue copied.
type InstallResult struct {
	Version        string `json:"version"`
	ModulesAdded   int    `json:"modules_added"`
	ModulesKept    int    `json:"modules_kept"` // present already (by code), left as the organisation edited them
	CurriculaAdded int    `json:"curricula_added"`
	CurriculaKept  int    `json:"curricula_kept"`
	RulesAdded     int    `json:"rules_added"`
}

// InstallCatalogue copies the starter catalogue's modules and curricula that the organisation does not
// have yet (matched by code) into it; modules and curricula it has already — edited or not — are left
// alone, so running it again after an upgrade adds only what is new. For every curriculum it adds, it
// also adds an automatic assignment rule for the curriculum's audience, so that people added later get
// it; current staff get nothing until someone assigns (AssignRule). Everything happens in tx.
func InstallCatalogue(ctx context.Context, tx *store.Tx) (InstallResult, error) {
	res := InstallResult{Version: catalogue().Version}
	sc := tx.Scope()
	have, err := sc.TrainingModules(ctx, true)
	if err != nil {
		return res, err
	}
	ids := map[string]int64{}
	for _, m := range have {
		ids[m.Code] = m.ID
	}
	for _, cm := range catalogue().Modules {
		if _, ok := ids[cm.Code]; ok {
			res.ModulesKept++
			continue
		}
		m := cm.module()
		m.Source = "catalogue " + catalogue().Version
		if err := tx.CreateTrainingModule(ctx, &m); err != nil {
			return res, fmt.Errorf("catalogue module %s: %w", cm.Code, err)
		}
		ids[m.Code] = m.ID
		res.ModulesAdded++
	}
	curricula, err := sc.Curricula(ctx)
	if err != nil {
		return res, err
	}
	haveC := map[string]bool{}
	for _, c := range curricula {
		haveC[c.Code] = true
	}
	for _, cc := range catalogue().Curricula {
		if haveC[cc.Code] {
			res.CurriculaKept++
			continue
		}
		c := domain.Curriculum{Code: cc.Code, Title: cc.Title, Audience: cc.Audience, Description: cc.Description, DueDays: cc.DueDays,
			Source: "catalogue " + catalogue().Version}
		for _, code := range cc.Modules {
			c.ModuleIDs = append(c.ModuleIDs, ids[code])
		}
		if err := tx.CreateCurriculum(ctx, &c); err != nil {
			return res, fmt.Errorf("catalogue curriculum %s: %w", cc.Code, err)
		}
		res.CurriculaAdded++
		r := domain.AssignmentRule{CurriculumID: c.ID, Audience: c.Audience, Auto: true}
		if err := tx.CreateTrainingRule(ctx, &r); err != nil {
			return res, err
		}
		res.RulesAdded++
	}
	return res, nil
}

// EnsureProgramme installs the starter catalogue when the organisation has no training modules at all
// (its programme starts); it reports whether it did. Imports and the first person added call it.
func EnsureProgramme(ctx context.Context, tx *store.Tx) (bool, error) {
	mods, err := tx.Scope().TrainingModules(ctx, true)
	if err != nil || len(mods) > 0 {
		return false, err
	}
	_, err = InstallCatalogue(ctx, tx)
	return err == nil, err
}

// Day returns the calendar day of t in loc as midnight UTC: how Vigil stores dates (start dates,
// completion dates, due dates).
func Day(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
