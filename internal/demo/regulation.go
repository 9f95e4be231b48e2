package demo

import (
	"context"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/compliance"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/regulation"
	"github.com/vigil-med/vigil/internal/store"
)

// regulationDemo gives the demo hospital its regulatory profile (a public university hospital in Germany:
// essential, Annex I), last year's NIS2 Art 21 assessment signed off by the management body, and this
// year's campaign in progress, copied from it, with a realistic mix of statuses and evidence. A few more
// staff accounts with MFA make the automatic MFA evidence meaningful. The manufacturer gets its profile
// too (an important entity under Annex II).
func regulationDemo(ctx context.Context, e *Env) error {
	hctx := e.Ctx(ctx, e.Hospital)
	hsc := e.Store.Scope(e.Hospital.ID)
	p := domain.RegulatoryProfile{EntityType: string(regulation.HealthcareProvider), Public: true, Country: "DE",
		Employees: 4812, TurnoverEUR: 612_400_000, BalanceSheetEUR: 538_900_000, PersonalData: true, HealthData: true, LargeScaleHealthData: true}
	if err := compliance.SaveProfile(hctx, hsc, &p); err != nil {
		return err
	}
	mctx := e.Ctx(ctx, e.Manufacturer)
	mp := domain.RegulatoryProfile{EntityType: string(regulation.MedicalDeviceManufacturer), Country: "NL", Employees: 860,
		TurnoverEUR: 214_000_000, BalanceSheetEUR: 167_000_000, Manufacturer: true, PersonalData: true}
	if err := compliance.SaveProfile(mctx, e.Store.Scope(e.Manufacturer.ID), &mp); err != nil {
		return err
	}
	if err := staffAccounts(hctx, e); err != nil {
		return err
	}

	loc := e.Now.Location()
	last := e.Now.Year() - 1
	ciso := e.Users[domain.RoleSecurityOfficer].Name
	prev := domain.Assessment{Name: fmt.Sprintf("NIS2 Art 21 assessment %d", last), Owner: ciso,
		PeriodStart: fmt.Sprintf("%d-01-01", last), PeriodEnd: fmt.Sprintf("%d-12-31", last)}
	if err := compliance.StartAssessment(hctx, hsc, &prev, 0); err != nil {
		return err
	}
	if err := applyStates(hctx, hsc, prev.ID, e.Now, lastYear(last, e)); err != nil {
		return err
	}
	intranet := "https://intranet.nordstadt-hospital.example/isms/"
	if err := addEvidence(hctx, hsc, prev.ID, []demoEvidence{
		{"nis2.21.2.a", "Information security policy v2.1 (approved by the board)", "", "isms-policy-v2.1.txt", policyText},
		{"nis2.21.2.a", "Risk register (IT), export", intranet + "risk-register", "", ""},
		{"nis2.21.2.b", "Incident response plan v1", intranet + "incident-response-plan-v1", "", ""},
		{"nis2.21.2.c", "Backup concept, data centre A", intranet + "backup-concept", "", ""},
		{"nis2.21.2.g", fmt.Sprintf("Awareness e-learning %d: completion report", last), intranet + "training/report", "", ""},
		{"nis2.20.1", fmt.Sprintf("Board minutes %d-03-12: security strategy approved", last), intranet + "board/minutes-03", "", ""},
	}); err != nil {
		return err
	}
	// Last year's sign-off, with the MFA figures as they were then.
	signedAt := time.Date(last, 12, 9, 14, 30, 0, 0, loc)
	mfaThen := regulation.Evidence{Kind: regulation.EvidenceMFA, Measure: "nis2.21.2.j", AsOf: signedAt.Add(-2 * time.Hour).UTC(),
		Source:  "Vigil user accounts (this application only, not the hospital's directory): 11 active, 4 with a second factor verified by Vigil, 0 signing in through single sign-on",
		Figures: []regulation.Figure{{Name: "accounts_total", Value: 11, Unit: "count"}, {Name: "accounts_mfa", Value: 4, Unit: "count"}, {Name: "coverage", Value: 36.4, Unit: "percent"}}}
	if err := mfaThen.Validate(); err != nil {
		return err
	}
	raw, err := json.Marshal(mfaThen)
	if err != nil {
		return err
	}
	def, _ := regulation.EvidenceKindByName(regulation.EvidenceMFA)
	autos := []domain.MeasureEvidence{{MeasureID: "nis2.21.2.j", Title: def.Text, AutoKind: string(regulation.EvidenceMFA), Auto: raw}}
	so := domain.SignOff{Name: "Prof. Dr. Katrin Brandt", Role: "Chief executive (Vorstandsvorsitzende)", At: signedAt,
		Comment: "Approved. Priorities for next year: supply chain (d), vulnerability handling for medical devices (e), MFA for vendor remote access (j)."}
	if err := hsc.Write(hctx, func(tx *store.Tx) error { return tx.SignOffAssessment(hctx, prev.ID, &so, autos) }); err != nil {
		return err
	}

	// This year's campaign, started from a copy and in progress.
	cur := domain.Assessment{Name: fmt.Sprintf("NIS2 Art 21 assessment %d", last+1), Owner: ciso,
		PeriodStart: fmt.Sprintf("%d-01-01", last+1), PeriodEnd: fmt.Sprintf("%d-12-31", last+1)}
	if err := compliance.StartAssessment(hctx, hsc, &cur, prev.ID); err != nil {
		return err
	}
	if err := applyStates(hctx, hsc, cur.ID, e.Now, thisYear(e)); err != nil {
		return err
	}
	e.Values["regulation.assessment.signed"] = prev.ID
	e.Values["regulation.assessment.open"] = cur.ID
	return addEvidence(hctx, hsc, cur.ID, []demoEvidence{
		{"nis2.21.2.a", "Risk register including medical devices (Q2 review)", intranet + "risk-register", "", ""},
		{"nis2.21.2.b", "Incident response plan v3 with NIS2, GDPR and MDR clocks", "", "incident-response-plan-v3.txt", irPlanText},
		{"nis2.21.2.b", "Tabletop exercise: ransomware on the PACS (report)", intranet + "exercises/pacs-ransomware", "", ""},
		{"nis2.21.2.c", "Restore test of the PACS archive (protocol)", intranet + "restore-tests/pacs", "", ""},
		{"nis2.21.2.d", "Security annex for tenders (draft)", intranet + "procurement/security-annex", "", ""},
		{"nis2.21.2.e", "Segmentation design: modality and monitoring VLANs", intranet + "network/segmentation", "", ""},
		{"nis2.21.2.j", "Vendor remote access: MFA rollout plan", intranet + "remote-access/mfa-plan", "", ""},
		{"nis2.20.2", "Board training: certificates (4 of 5 members)", intranet + "board/training", "", ""},
	})
}

type demoState struct {
	measure, status string
	maturity, due   int // due in days from the demo day (0: none)
	owner, comment  string
}

func lastYear(year int, e *Env) []demoState {
	ciso, biomed := e.Users[domain.RoleSecurityOfficer].Name, e.Users[domain.RoleClinicalEngineer].Name
	proc, dpo := e.Users[domain.RoleProcurement].Name, e.Users[domain.RoleDPO].Name
	return []demoState{
		{measure: "nis2.21.2.a", status: domain.MeasurePartial, maturity: 2, owner: ciso, comment: "Policy approved in March; the risk register covers IT systems but not yet the medical devices on the network."},
		{measure: "nis2.21.2.b", status: domain.MeasurePartial, maturity: 2, owner: ciso, comment: "Incident response plan v1 approved; no exercise held; reporting clocks not written down."},
		{measure: "nis2.21.2.c", status: domain.MeasurePartial, maturity: 1, owner: "Head of IT operations", comment: "Nightly backups; restore tests only ad hoc; no downtime procedures for PACS and lab."},
		{measure: "nis2.21.2.d", status: domain.MeasureNotStarted, maturity: 0, owner: proc, comment: "Supplier list in procurement without security criteria."},
		{measure: "nis2.21.3", status: domain.MeasureNotStarted, maturity: 0, owner: proc},
		{measure: "nis2.21.2.e", status: domain.MeasurePartial, maturity: 1, owner: biomed, comment: "Windows servers patched monthly; medical devices not assessed; modality network not segmented."},
		{measure: "nis2.21.2.f", status: domain.MeasureNotStarted, maturity: 0, owner: ciso},
		{measure: "nis2.21.2.g", status: domain.MeasurePartial, maturity: 2, owner: dpo, comment: fmt.Sprintf("Yearly awareness e-learning; %d completion 61 %%.", year)},
		{measure: "nis2.21.2.h", status: domain.MeasurePartial, maturity: 2, owner: "Head of IT operations", comment: "TLS for clinical interfaces where supported; no crypto policy."},
		{measure: "nis2.21.2.i", status: domain.MeasurePartial, maturity: 1, owner: biomed, comment: "Medical-device inventory in spreadsheets, not linked to the IT inventory."},
		{measure: "nis2.21.2.j", status: domain.MeasurePartial, maturity: 1, owner: "Head of IT operations", comment: "MFA for staff VPN; vendor remote access without MFA."},
		{measure: "nis2.20.1", status: domain.MeasureImplemented, maturity: 3, owner: "Executive board", comment: "The board approved the security strategy on 12 March."},
		{measure: "nis2.20.2", status: domain.MeasurePartial, maturity: 1, owner: "Executive board", comment: "Two of five board members trained."},
	}
}

func thisYear(e *Env) []demoState {
	ciso, biomed := e.Users[domain.RoleSecurityOfficer].Name, e.Users[domain.RoleClinicalEngineer].Name
	proc, dpo := e.Users[domain.RoleProcurement].Name, e.Users[domain.RoleDPO].Name
	return []demoState{
		{measure: "nis2.21.2.a", status: domain.MeasureImplemented, maturity: 3, owner: ciso, comment: "One risk register for IT and medical devices, reviewed quarterly; patient-safety impact rated for device risks."},
		{measure: "nis2.21.2.b", status: domain.MeasureImplemented, maturity: 3, owner: ciso, comment: "Plan v3 with the NIS2, GDPR and MDR clocks; tabletop exercise held in June."},
		{measure: "nis2.21.2.c", status: domain.MeasurePartial, maturity: 2, due: -21, owner: "Head of IT operations", comment: "Restore of the PACS archive tested; downtime procedures for the laboratory still missing."},
		{measure: "nis2.21.2.d", status: domain.MeasurePartial, maturity: 2, due: 60, owner: proc, comment: "Security annex used in new tenders; existing contracts not yet reviewed."},
		{measure: "nis2.21.3", status: domain.MeasurePartial, maturity: 1, due: 90, owner: proc, comment: "MDS2 forms requested from the ten largest device suppliers; six received."},
		{measure: "nis2.21.2.e", status: domain.MeasurePartial, maturity: 2, due: 45, owner: biomed, comment: "Known-exploited vulnerabilities tracked for devices; modality VLANs in two of three sites."},
		{measure: "nis2.21.2.f", status: domain.MeasureNotStarted, maturity: 0, due: 120, owner: ciso, comment: "Quarterly KPI report to the board planned from next year."},
		{measure: "nis2.21.2.g", status: domain.MeasureImplemented, maturity: 3, owner: dpo, comment: "Awareness programme with phishing exercises; completion tracked per department."},
		{measure: "nis2.21.2.h", status: domain.MeasurePartial, maturity: 2, due: 150, owner: "Head of IT operations", comment: "Cryptography policy drafted; certificate inventory started."},
		{measure: "nis2.21.2.i", status: domain.MeasurePartial, maturity: 2, due: 75, owner: biomed, comment: "Devices recorded in Vigil; joiner-mover-leaver process for clinical systems in review."},
		{measure: "nis2.21.2.j", status: domain.MeasurePartial, maturity: 2, due: -7, owner: "Head of IT operations", comment: "MFA for Vigil and staff VPN; vendor remote access moves to the MFA gateway (two vendors left)."},
		{measure: "nis2.20.1", status: domain.MeasureImplemented, maturity: 3, owner: "Executive board", comment: "Measures approved with last year's gap report; progress reviewed every six months."},
		{measure: "nis2.20.2", status: domain.MeasurePartial, maturity: 2, due: 30, owner: "Executive board", comment: "Four of five board members trained; the new CFO is booked."},
	}
}

func applyStates(ctx context.Context, sc *store.Scope, id int64, today time.Time, states []demoState) error {
	return sc.Write(ctx, func(tx *store.Tx) error {
		for _, s := range states {
			m := domain.AssessmentMeasure{AssessmentID: id, MeasureID: s.measure, Status: s.status, Maturity: s.maturity,
				TargetMaturity: 3, Owner: s.owner, Comment: s.comment}
			if s.due != 0 {
				m.DueDate = today.AddDate(0, 0, s.due).Format(time.DateOnly)
			}
			if err := tx.SetAssessmentMeasure(ctx, &m); err != nil {
				return fmt.Errorf("%s: %w", s.measure, err)
			}
		}
		return nil
	})
}

type demoEvidence struct {
	measure, title, url, file, text string
}

func addEvidence(ctx context.Context, sc *store.Scope, id int64, ev []demoEvidence) error {
	for _, x := range ev {
		var err error
		if x.file != "" {
			_, err = compliance.AddFile(ctx, sc, id, x.measure, x.title, x.file, []byte(x.text))
		} else {
			_, err = compliance.AddLink(ctx, sc, id, x.measure, x.title, x.url)
		}
		if err != nil {
			return fmt.Errorf("evidence %s: %w", x.title, err)
		}
	}
	return nil
}

// staffAccounts adds Vigil accounts of IT and security staff, most with a second factor enrolled (they
// are not demo logins: their secrets are random and unknown).
func staffAccounts(ctx context.Context, e *Env) error {
	hash, err := auth.HashPassword(auth.RandomToken(16))
	if err != nil {
		return err
	}
	staff := []struct {
		email, name string
		role        domain.Role
		mfa         bool
	}{
		{"it-ops@nordstadt-hospital.example", "Lukas Meier", domain.RoleSecurityOfficer, true},
		{"netsec@nordstadt-hospital.example", "Aylin Demir", domain.RoleSecurityOfficer, true},
		{"soc@nordstadt-hospital.example", "Jan Kowalski", domain.RoleSecurityOfficer, true},
		{"biomed2@nordstadt-hospital.example", "Eva Schröder", domain.RoleClinicalEngineer, true},
		{"biomed3@nordstadt-hospital.example", "Mehmet Yilmaz", domain.RoleClinicalEngineer, true},
		{"radiology-it@nordstadt-hospital.example", "Sara Rossi", domain.RoleClinicalEngineer, true},
		{"lab-it@nordstadt-hospital.example", "Ole Hansen", domain.RoleClinicalEngineer, true},
		{"controlling@nordstadt-hospital.example", "Birgit Wagner", domain.RoleAuditor, false},
	}
	sc := e.Store.Scope(e.Hospital.ID)
	return sc.Write(ctx, func(tx *store.Tx) error {
		for _, s := range staff {
			u := domain.User{Email: s.email, Name: s.name, Role: s.role, PasswordHash: hash}
			if s.mfa {
				secret := make([]byte, 20)
				for i := range secret {
					secret[i] = byte(e.Rand.IntN(256))
				}
				u.TOTPSecret, u.MFAEnabled = base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(secret), true
			}
			if err := tx.CreateUser(ctx, &u); err != nil {
				return err
			}
		}
		return nil
	})
}

const policyText = `Nordstadt University Hospital — Information security policy, version 2.1

1. Scope: all information systems of the hospital, including medical devices connected to the clinical
   network, building systems and the services of suppliers.
2. Responsibility: the executive board approves this policy and the measures of NIS2 Art 21 and oversees
   them (Art 20(1)). The CISO coordinates; system owners implement.
3. Risk management: one risk register; patient safety is rated beside confidentiality, integrity and
   availability.
4. Review: yearly, and after significant incidents.

Approved by the executive board. (Demo document; fictional.)
`

const irPlanText = `Nordstadt University Hospital — Incident response plan, version 3

On-call: security officer of the day (24/7 rota). Classification against NIS2 Art 23(3).
Clocks: NIS2 early warning 24 h, notification 72 h, final report one month (via the BSI-Portal);
GDPR 72 h to the data protection authority; suspected serious incidents with medical devices to the
manufacturer and BfArM. Downtime procedures: see the clinical continuity handbook.

(Demo document; fictional.)
`
