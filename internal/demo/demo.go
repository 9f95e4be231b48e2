// Package demo loads a realistic, fictional hospital into an empty database: a 600-bed university
// hospital with three sites, users for every role, a manufacturer and a hospital group. Every module adds
// its part as a Step. The data is generated deterministically (a fixed random seed; dates relative to
// the day it is loaded), so two demos of the same day look the same.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/vulndb"
)

// Password is the password of every demo account. The demo is for trying Vigil out, never for real data.
const Password = "vigil-demo-2026"

// passwordHash is Password hashed once with auth.HashPassword: hashing it at every load cost half a
// second of argon2id (much more under the race detector), and the password is public anyway.
const passwordHash = "$argon2id$v=19$m=65536,t=3,p=2$1xLeJTyb2d5/Gvt44jhMoQ$+dquVjrNMunAcwV22/iSS0y1TPR5IyQGEgasHNyBVXI"

// HospitalSlug is the slug of the demo hospital.
const HospitalSlug = "nordstadt"

// Env is what the demo steps share.
type Env struct {
	Store        *store.Store
	Rand         *rand.Rand
	Now          time.Time // the day the demo is loaded, 09:00 in the hospital's zone
	LoadedAt     time.Time // the moment the demo is loaded (for records that must be "two hours ago")
	Hospital     domain.Organisation
	Manufacturer domain.Organisation
	Group        domain.Organisation
	Users        map[domain.Role]domain.User // hospital users by role (manufacturer: the PSIRT user)
	// Hook lets later steps leave values for the next ones (ids of demo records).
	Values map[string]any
	// Feeds is the vulnerability database the demo imports its feeds into (WithFeeds); nil: a
	// service of the demo's own on the same store.
	Feeds *vulndb.Service
}

// Ctx returns a context whose audit actor is the demo loader, for org.
func (e *Env) Ctx(ctx context.Context, org domain.Organisation) context.Context {
	return domain.WithActor(ctx, domain.Actor{Kind: domain.ActorSystem, Name: "demo", OrgID: org.ID, Role: domain.RoleAdmin})
}

// Step is one part of the demo.
type Step struct {
	Name string
	Run  func(ctx context.Context, e *Env) error
}

// Steps lists the demo's parts in order. Modules append theirs here, one line each.
func Steps() []Step {
	return []Step{
		{Name: "organisations and users", Run: foundation},
		{Name: "regulation: profile and NIS2 Art 21 assessments", Run: regulationDemo},
		{Name: "inventory: sites, departments, zones, models and devices", Run: inventory},
		{Name: "disclosures: SBOMs, MDS2 forms, CISA advisories mapped to the models, VEX", Run: disclosures},
		{Name: "incidents and exercises", Run: incidents}, // links inventory devices
		{Name: "training: staff register, curricula, completions, phishing simulations, exercises", Run: trainingDemo},
		{Name: "procurement: tenders, commitments, cloud services", Run: procurementDemo},
		{Name: "vulnerability feeds (offline subset)", Run: feedsDemo},
		{Name: "exchange: Meridian's advisory, guidance, VEX and SBOM; the hospital's subscription and questions", Run: exchangeDemo},
		{Name: "vulnerability findings: the fleet matched against the feeds, some triaged", Run: fleetDemo},
		{Name: "risk: compensating controls, end of support, must-stay devices, weights", Run: riskDemo},
		{Name: "risk: 90 days of snapshots", Run: riskSnapshotsDemo},
	}
}

// Login is one demo account.
type Login struct {
	Org   string
	Email string
	Role  domain.Role
}

// Logins lists the demo accounts.
func Logins() []Login {
	var out []Login
	for _, u := range hospitalUsers {
		out = append(out, Login{Org: "Nordstadt University Hospital", Email: u.email, Role: u.role})
	}
	out = append(out, Login{Org: "Meridian Medical Systems", Email: "psirt@meridian-medical.example", Role: domain.RoleManufacturer})
	out = append(out, Login{Org: "Nordland Hospital Group", Email: "security@nordland-group.example", Role: domain.RoleSecurityOfficer})
	return out
}

// Exists reports whether the demo hospital is already in the database.
func Exists(ctx context.Context, st *store.Store) bool {
	_, err := st.OrgByRef(ctx, HospitalSlug)
	return err == nil
}

// Load runs every step. It fails when the demo hospital exists already.
func Load(ctx context.Context, st *store.Store, now time.Time, progress func(step string), opts ...Option) (*Env, error) {
	if Exists(ctx, st) {
		return nil, fmt.Errorf("the demo hospital exists already in %s", st.Describe())
	}
	loc, _ := time.LoadLocation("Europe/Berlin")
	day := now.In(loc)
	e := &Env{Store: st, Rand: rand.New(rand.NewPCG(2026, 11)), Values: map[string]any{},
		Now: time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, loc), LoadedAt: now, Users: map[domain.Role]domain.User{}}
	for _, o := range opts {
		o(e)
	}
	for _, s := range Steps() {
		if progress != nil {
			progress(s.Name)
		}
		if err := s.Run(ctx, e); err != nil {
			return e, fmt.Errorf("demo %s: %w", s.Name, err)
		}
	}
	return e, nil
}

var hospitalUsers = []struct {
	email, name string
	role        domain.Role
}{
	{"admin@nordstadt-hospital.example", "Jonas Berger", domain.RoleAdmin},
	{"ciso@nordstadt-hospital.example", "Dr. Miriam Hoffmann", domain.RoleSecurityOfficer},
	{"biomed@nordstadt-hospital.example", "Piotr Nowak", domain.RoleClinicalEngineer},
	{"procurement@nordstadt-hospital.example", "Sofia Lindqvist", domain.RoleProcurement},
	{"dpo@nordstadt-hospital.example", "Claire Dubois", domain.RoleDPO},
	{"auditor@nordstadt-hospital.example", "Tomás Ruiz", domain.RoleAuditor},
}

func foundation(ctx context.Context, e *Env) error {
	hash := passwordHash
	e.Hospital = domain.Organisation{Name: "Nordstadt University Hospital", Slug: HospitalSlug, Type: domain.OrgHospital, Country: "DE", TimeZone: "Europe/Berlin"}
	e.Manufacturer = domain.Organisation{Name: "Meridian Medical Systems", Slug: "meridian", Type: domain.OrgManufacturer, Country: "NL", TimeZone: "Europe/Amsterdam"}
	e.Group = domain.Organisation{Name: "Nordland Hospital Group", Slug: "nordland-group", Type: domain.OrgGroup, Country: "DE", TimeZone: "Europe/Berlin"}
	for _, o := range []*domain.Organisation{&e.Hospital, &e.Manufacturer, &e.Group} {
		if err := e.Store.CreateOrg(e.Ctx(ctx, *o), o); err != nil {
			return err
		}
	}
	add := func(org domain.Organisation, email, name string, role domain.Role) (domain.User, error) {
		u := domain.User{Email: email, Name: name, Role: role, PasswordHash: hash}
		c := e.Ctx(ctx, org)
		err := e.Store.Scope(org.ID).Write(c, func(tx *store.Tx) error { return tx.CreateUser(c, &u) })
		return u, err
	}
	for _, hu := range hospitalUsers {
		u, err := add(e.Hospital, hu.email, hu.name, hu.role)
		if err != nil {
			return err
		}
		e.Users[hu.role] = u
	}
	u, err := add(e.Manufacturer, "psirt@meridian-medical.example", "Anouk de Vries", domain.RoleManufacturer)
	if err != nil {
		return err
	}
	e.Users[domain.RoleManufacturer] = u
	if _, err := add(e.Group, "security@nordland-group.example", "Henrik Olsen", domain.RoleSecurityOfficer); err != nil {
		return err
	}
	return nil
}
