package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/training"
)

// The training part of the demo: the hospital's staff register (about 350 people), the starter
// catalogue, thirteen months of assignments and completions with some departments lagging, three
// phishing simulations, a finished tabletop exercise with findings and actions, and a planned one.

type staffDept struct {
	name     string
	size     int
	audience domain.Audience
	head     string   // job title of the head
	titles   []string // job titles of the others
	keen     float64  // how likely staff complete training on time
	clicky   float64  // how likely staff click a phishing link
}

// staffDepts are the departments of the staff register, named as in the inventory (demoDepts), so that
// coverage "by department" and the inventory "by department" line up. Departments of the inventory
// without staff here (the children's hospital, rehabilitation, some wards) are staffed by other
// employers in this fictional hospital.
var staffDepts = []staffDept{
	{"Emergency Department", 30, domain.AudienceClinical, "Head of Emergency Medicine", []string{"Emergency physician", "Emergency nurse", "Emergency nurse", "Paramedic"}, 0.55, 0.30},
	{"Intensive Care Unit (Surgical)", 18, domain.AudienceClinical, "Head of Surgical Intensive Care", []string{"Intensive care nurse", "Intensive care nurse", "Physician (intensive care)"}, 0.8, 0.18},
	{"Intensive Care Unit (Medical)", 17, domain.AudienceClinical, "Head of Medical Intensive Care", []string{"Intensive care nurse", "Intensive care nurse", "Physician (intensive care)"}, 0.78, 0.18},
	{"Anaesthesiology", 17, domain.AudienceClinical, "Head of Anaesthesiology", []string{"Anaesthetist", "Anaesthesia nurse"}, 0.62, 0.26},
	{"Operating Theatres", 18, domain.AudienceClinical, "Head of Operating Theatres", []string{"Theatre nurse", "Surgical technologist"}, 0.58, 0.26},
	{"Cardiology", 25, domain.AudienceClinical, "Head of Cardiology", []string{"Cardiologist", "Cardiology nurse", "Cardiac physiologist"}, 0.86, 0.15},
	{"Internal Medicine 1", 20, domain.AudienceClinical, "Head of Internal Medicine 1", []string{"Physician (internal medicine)", "Ward nurse", "Ward nurse", "Nursing assistant"}, 0.82, 0.2},
	{"Internal Medicine 2", 20, domain.AudienceClinical, "Head of Internal Medicine 2", []string{"Physician (internal medicine)", "Ward nurse", "Ward nurse", "Nursing assistant"}, 0.8, 0.2},
	{"General Surgery", 25, domain.AudienceClinical, "Head of General Surgery", []string{"Surgeon", "Surgical ward nurse", "Surgical resident"}, 0.7, 0.22},
	{"General Paediatrics", 20, domain.AudienceClinical, "Head of Paediatrics", []string{"Paediatrician", "Paediatric nurse"}, 0.9, 0.12},
	{"Radiology", 20, domain.AudienceClinical, "Head of Radiology", []string{"Radiologist", "Radiographer", "Radiographer"}, 0.86, 0.14},
	{"Central Laboratory", 15, domain.AudienceClinical, "Head of Laboratory Medicine", []string{"Biomedical scientist", "Laboratory physician"}, 0.9, 0.12},
	{"Pharmacy", 8, domain.AudienceClinical, "Chief Pharmacist", []string{"Pharmacist", "Pharmacy technician"}, 0.93, 0.1},
	{"Medical Engineering", 12, domain.AudienceBiomed, "Head of Medical Engineering", []string{"Clinical engineer", "Biomedical engineering technician"}, 0.9, 0.08},
	{"IT and Information Security", 18, domain.AudienceIT, "Head of IT", []string{"System administrator", "Network engineer", "Service desk analyst", "Information security analyst"}, 0.95, 0.05},
	{"Procurement and Logistics", 10, domain.AudienceProcurement, "Head of Procurement", []string{"Buyer (medical technology)", "Purchasing officer", "Logistics coordinator"}, 0.84, 0.16},
	{"Administration and Finance", 24, domain.AudienceOther, "Head of Finance", []string{"Accountant", "Controller", "Patient administration clerk", "Medical secretary"}, 0.85, 0.22},
	{"Human Resources", 8, domain.AudienceOther, "Head of Human Resources", []string{"HR officer", "Payroll officer"}, 0.92, 0.14},
	{"Facilities", 15, domain.AudienceOther, "Head of Facilities", []string{"Building services technician", "Facility manager", "Electrician"}, 0.62, 0.28},
	{"Data Protection and Quality", 4, domain.AudienceOther, "Head of Quality Management", []string{"Quality manager", "Data protection coordinator"}, 0.96, 0.05},
}

var demoFirst = []string{"Anna", "Lukas", "Sophie", "Jan", "Marie", "Felix", "Laura", "Matteo", "Giulia", "Lorenzo", "Chiara", "Pierre",
	"Camille", "Élodie", "Hugo", "Lucía", "Javier", "Carmen", "Diego", "Agnieszka", "Tomasz", "Katarzyna", "Michał", "Zofia",
	"Sanne", "Daan", "Eva", "Bram", "Ingrid", "Lars", "Astrid", "Mikkel", "Sofie", "Eero", "Aino", "Nikos", "Eleni", "Ioanna",
	"João", "Inês", "Tiago", "Mehmet", "Elif", "Emre", "Ana", "Luka", "Ivana", "Marek", "Petra", "Ondřej", "Zsófia", "Bence",
	"Siobhán", "Cian", "Aoife", "Johanna", "Maximilian", "Lea", "Jonas", "Emma", "Paul", "Mia", "Noah", "Clara", "Henrik", "Karin"}

var demoLast = []string{"Müller", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Koch", "Richter",
	"Klein", "Wolf", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hartmann", "Lange", "Rossi", "Bianchi", "Romano",
	"Colombo", "Ricci", "Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "García", "Fernández", "López", "Martínez",
	"Sánchez", "Kowalski", "Nowak", "Wiśniewska", "Wójcik", "Kamińska", "de Jong", "Jansen", "de Vries", "van Dijk", "Bakker",
	"Andersson", "Johansson", "Nielsen", "Hansen", "Larsen", "Virtanen", "Korhonen", "Papadopoulos", "Georgiou", "Silva",
	"Santos", "Ferreira", "Yılmaz", "Kaya", "Demir", "Horvat", "Kovačević", "Novák", "Dvořák", "Nagy", "Tóth", "Murphy",
	"O'Brien", "Walsh", "Berg", "Lindqvist", "Petersen", "Vogel", "Frank", "Keller", "Brandt", "Haas", "Roth", "Schmitt"}

// demoBoard is the management body of the demo hospital.
var demoBoard = []struct{ name, title string }{
	{"Prof. Dr. Katharina Albrecht", "Medical Director (chair of the board)"},
	{"Dr. Stefan Lorenz", "Commercial Director"},
	{"Birgit Jansen-Kraus", "Director of Nursing"},
	{"Prof. Dr. Ahmet Demir", "Dean of the Medical Faculty"},
}

// demoUserStaff puts the demo users into the register (their e-mail links them to their accounts).
var demoUserStaff = map[string]struct{ dept, title string }{
	"admin@nordstadt-hospital.example":       {"IT and Information Security", "IT systems administrator"},
	"ciso@nordstadt-hospital.example":        {"IT and Information Security", "Chief information security officer"},
	"biomed@nordstadt-hospital.example":      {"Medical Engineering", "Clinical engineer"},
	"procurement@nordstadt-hospital.example": {"Procurement and Logistics", "Buyer (medical technology)"},
	"dpo@nordstadt-hospital.example":         {"Data Protection and Quality", "Data protection officer"},
	"auditor@nordstadt-hospital.example":     {"Administration and Finance", "Internal auditor"},
}

// asciiFold turns a name into the local part of an e-mail address: "Wiśniewska" → "wisniewska".
func asciiFold(s string) string {
	const from, to = "àáâãäåçèéêëìíîïıłñòóôõöøùúûüýÿćčďęěğńňőřśşšťůűźżž", "aaaaaaceeeeiiiiilnoooooouuuuyyccdeegnnorsssstuuzzz"
	fold := map[rune]rune{}
	tr := []rune(to)
	for i, r := range []rune(from) {
		fold[r] = tr[i]
	}
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r)
		case r == 'ß':
			b.WriteString("ss")
		case r == ' ' || r == '-':
			b.WriteByte('-')
		default:
			if f, ok := fold[r]; ok {
				b.WriteRune(f)
			}
		}
	}
	return b.String()
}

func trainingDemo(ctx context.Context, e *Env) error {
	h := e.Hospital
	c := e.Ctx(ctx, h)
	sc := e.Store.Scope(h.ID)
	now := e.Now
	loc := h.Location()
	today := training.Day(now, loc)
	programme := today.AddDate(0, -13, 0) // the programme started thirteen months ago
	r := e.Rand
	return sc.Write(c, func(tx *store.Tx) error {
		if _, err := training.InstallCatalogue(c, tx); err != nil {
			return err
		}
		// The staff register.
		type person struct {
			p    domain.Staff
			dept *staffDept
		}
		var people []person
		emails := map[string]bool{}
		n := 10000
		add := func(p domain.Staff, dept *staffDept) error {
			n++
			p.StaffNumber = fmt.Sprintf("NS%05d", n)
			if p.Email == "" {
				first, last, _ := strings.Cut(p.Name, " ")
				base := asciiFold(first) + "." + asciiFold(last)
				p.Email = base + "@nordstadt-hospital.example"
				for i := 2; emails[p.Email]; i++ {
					p.Email = fmt.Sprintf("%s%d@nordstadt-hospital.example", base, i)
				}
			}
			emails[p.Email] = true
			if err := tx.CreateStaff(c, &p); err != nil {
				return fmt.Errorf("staff %s: %w", p.Name, err)
			}
			people = append(people, person{p: p, dept: dept})
			return nil
		}
		startDate := func(minYears int) *time.Time {
			d := today.AddDate(-minYears, 0, -r.IntN(365*(25-minYears)))
			return &d
		}
		var board []domain.Staff
		for _, b := range demoBoard {
			if err := add(domain.Staff{Name: b.name, Department: "Executive Board", JobTitle: b.title, BoardMember: true,
				Audience: training.DeriveAudience(b.title, ""), StartDate: startDate(3)}, nil); err != nil {
				return err
			}
			board = append(board, people[len(people)-1].p)
		}
		for _, l := range Logins() {
			u, ok := demoUserStaff[l.Email]
			if !ok {
				continue
			}
			name := ""
			for _, hu := range hospitalUsers {
				if hu.email == l.Email {
					name = strings.TrimPrefix(hu.name, "Dr. ")
				}
			}
			if err := add(domain.Staff{Name: name, Email: l.Email, Department: u.dept, JobTitle: u.title,
				Audience: training.DeriveAudience(u.title, u.dept), StartDate: startDate(2)}, nil); err != nil {
				return err
			}
		}
		heads := map[string]int64{}
		for i := range staffDepts {
			dp := &staffDepts[i]
			for j := 0; j < dp.size; j++ {
				name := demoFirst[r.IntN(len(demoFirst))] + " " + demoLast[r.IntN(len(demoLast))]
				title := dp.head
				if j > 0 {
					title = dp.titles[r.IntN(len(dp.titles))]
				}
				p := domain.Staff{Name: name, Department: dp.name, JobTitle: title, Audience: dp.audience, StartDate: startDate(1)}
				switch {
				case j == 0:
					p.ManagerID = &board[0].ID
					if dp.audience != domain.AudienceClinical {
						p.ManagerID = &board[1].ID
					}
				default:
					hid := heads[dp.name]
					p.ManagerID = &hid
				}
				// A few newcomers (started within the last ten weeks) and a few leavers.
				switch roll := r.Float64(); {
				case roll < 0.035:
					d := today.AddDate(0, 0, -r.IntN(70))
					p.StartDate = &d
				case roll < 0.055:
					d := today.AddDate(0, 0, -r.IntN(300)-5)
					p.LeaverDate = &d
				}
				if err := add(p, dp); err != nil {
					return err
				}
				if j == 0 {
					heads[dp.name] = people[len(people)-1].p.ID
				}
			}
		}
		// Assignments: everyone who worked here when the programme started got their curricula then;
		// people who started later got them (and the new-starter induction) on their first day.
		var early []int64
		later := map[time.Time][]int64{}
		var laterDays []time.Time
		for _, x := range people {
			if x.p.StartDate == nil || !x.p.StartDate.After(programme) {
				early = append(early, x.p.ID)
				continue
			}
			d := *x.p.StartDate
			if later[d] == nil {
				laterDays = append(laterDays, d)
			}
			later[d] = append(later[d], x.p.ID)
		}
		if _, err := training.ApplyRules(c, tx, early, programme.Add(9*time.Hour)); err != nil {
			return err
		}
		for _, d := range laterDays {
			if _, err := training.ApplyRules(c, tx, later[d], d.Add(9*time.Hour)); err != nil {
				return err
			}
		}
		// Completions, department by department: keen departments complete on time and repeat when
		// a module expires; lagging ones leave modules open or let them expire.
		mods, err := tx.Scope().TrainingModules(c, true)
		if err != nil {
			return err
		}
		modByID := map[int64]domain.TrainingModule{}
		for _, m := range mods {
			modByID[m.ID] = m
		}
		keen := map[int64]float64{}
		byID := map[int64]domain.Staff{}
		for _, x := range people {
			k := 0.82
			if x.dept != nil {
				k = x.dept.keen
			}
			if x.p.BoardMember {
				k = 0.8
			}
			keen[x.p.ID] = k
			byID[x.p.ID] = x.p
		}
		as, err := tx.Scope().Assignments(c, store.AssignmentFilter{})
		if err != nil {
			return err
		}
		var recs []domain.TrainingRecord
		for _, a := range as {
			m := modByID[a.ModuleID]
			p := byID[a.StaffID]
			end := today
			if p.LeaverDate != nil {
				end = *p.LeaverDate
			}
			window := int(a.Due.Sub(a.Assigned).Hours()/24) + 25
			t := a.Assigned
			k := keen[a.StaffID]
			for round := range 4 {
				if round > 0 {
					k = keen[a.StaffID] + (1-keen[a.StaffID])*0.7 // who did it once mostly repeats it
				}
				if r.Float64() > k {
					break
				}
				late := 0
				if r.Float64() > k { // some finish months late
					late = r.IntN(240)
				}
				done := t.AddDate(0, 0, 3+r.IntN(window)+late)
				if done.After(end) {
					break
				}
				mid := m.ID
				rec := domain.TrainingRecord{StaffID: a.StaffID, ModuleID: &mid, Kind: domain.RecordCourse, Date: done, Result: domain.ResultCompleted,
					Provider: "internal", Source: "demo"}
				switch m.Delivery {
				case domain.DeliveryELearning:
					rec.Provider, rec.Result = "SecureLearn e-learning", domain.ResultPassed
					s := float64(70 + r.IntN(31))
					rec.Score = &s
					if r.Float64() < 0.06 { // failed first, passed a week later
						f := rec
						fs := float64(40 + r.IntN(25))
						f.Score, f.Result = &fs, domain.ResultFailed
						recs = append(recs, f)
						rec.Date = done.AddDate(0, 0, 7)
					}
				case domain.DeliveryClassroom:
					if m.Code == "medical-device-security" {
						rec.Provider = "External: medical IT network risk management workshop (IEC 80001-1)"
						rec.EvidenceURL = "https://training.example/certificates/" + p.StaffNumber
					}
				}
				if rec.Date.After(end) {
					break
				}
				recs = append(recs, rec)
				if m.RefreshMonths == 0 {
					break
				}
				t = rec.Date.AddDate(0, m.RefreshMonths, -20)
				if !t.Before(end) {
					break
				}
				window = 50
			}
		}
		if _, _, err := tx.AddTrainingRecords(c, recs, fmt.Sprintf("demo: %d training records", len(recs))); err != nil {
			return err
		}
		// Phishing simulations: click rates fall and report rates rise from campaign to campaign.
		campaigns := []struct {
			name        string
			monthsAgo   int
			click, repo float64
		}{
			{"Phishing simulation 1 – parcel notification", 9, 1.3, 0.12},
			{"Phishing simulation 2 – supplier invoice", 5, 1.0, 0.24},
			{"Phishing simulation 3 – IT password reset", 2, 0.7, 0.36},
		}
		var ph []domain.TrainingRecord
		for _, cp := range campaigns {
			sent := today.AddDate(0, -cp.monthsAgo, 0)
			for _, x := range people {
				p := x.p
				if !p.Active(sent) || !p.Started(sent) {
					continue
				}
				click := 0.15
				if x.dept != nil {
					click = x.dept.clicky
				}
				res := domain.ResultIgnored
				switch roll := r.Float64(); {
				case roll < click*cp.click:
					res = domain.ResultClicked
				case roll < click*cp.click+cp.repo:
					res = domain.ResultReported
				}
				ph = append(ph, domain.TrainingRecord{StaffID: p.ID, Kind: domain.RecordPhishing, Campaign: cp.name, Result: res,
					Date: sent.AddDate(0, 0, r.IntN(3)), Provider: "PhishDrill simulation platform", Source: "demo"})
			}
		}
		if _, _, err := tx.AddTrainingRecords(c, ph, "demo: phishing simulation results"); err != nil {
			return err
		}
		e.Values["training.staff"] = len(people)
		return demoExercises(c, tx, e, board, today)
	})
}

// exerciseHeld is when the demo's tabletop exercise (PACS ransomware) was held: six weeks before the
// demo day, 08:00 UTC (10:00 in Berlin in summer time). The training and incident steps share it.
func exerciseHeld(e *Env) time.Time {
	return training.Day(e.Now, e.Hospital.Location()).AddDate(0, 0, -41).Add(8 * time.Hour)
}

func demoExercises(ctx context.Context, tx *store.Tx, e *Env, board []domain.Staff, today time.Time) error {
	sc := tx.Scope()
	find := func(ref string) domain.Staff {
		p, _ := sc.StaffByRef(ctx, "", ref)
		return p
	}
	head := func(dept string) domain.Staff {
		page, _ := sc.Staff(ctx, store.StaffFilter{Department: dept, ListParams: domain.ListParams{Limit: 50}})
		for _, p := range page.Items {
			if strings.HasPrefix(p.JobTitle, "Head of") {
				return p
			}
		}
		return page.Items[0]
	}
	ciso, admin, biomed, dpo := find("ciso@nordstadt-hospital.example"), find("admin@nordstadt-hospital.example"),
		find("biomed@nordstadt-hospital.example"), find("dpo@nordstadt-hospital.example")
	radiology, emergency := head("Radiology"), head("Emergency Department")
	held := exerciseHeld(e) // six weeks ago
	ex := domain.Exercise{Scenario: "pacs-ransomware", Facilitator: ciso.Name, Location: "Board room, building A",
		Summary: "Radiology downtime was declared 23 minutes after the emergency department asked; diversion of stroke patients was decided late, " +
			"the PACS vendor's remote access could not be switched off without the vendor, and nobody knew who sends the NIS2 early warning."}
	planned := held
	ex.Planned = &planned
	if err := training.PlanExercise(ctx, tx, &ex); err != nil {
		return err
	}
	roles := []struct {
		p        domain.Staff
		role     string
		attended bool
	}{
		{board[0], "crisis team lead (board)", true}, {board[1], "board, external communication", true},
		{ciso, "incident lead", true}, {admin, "IT operations", true}, {biomed, "clinical engineering", true},
		{radiology, "radiology", true}, {emergency, "emergency department", true}, {dpo, "data protection", true},
		{board[2], "nursing", false},
	}
	for _, x := range roles {
		if err := tx.SetParticipant(ctx, domain.Participant{ExerciseID: ex.ID, StaffID: x.p.ID, Role: x.role, Attended: x.attended}); err != nil {
			return err
		}
	}
	started, err := training.StartExercise(ctx, tx, ex.ID, held)
	if err != nil {
		return err
	}
	// The incident step ran the same tabletop with its accelerated reporting clocks: link the two (as
	// training.StartWithClocks does when an exercise is started in Vigil).
	if id, ok := e.Values[ValueIncidentExercise].(int64); ok {
		started.IncidentID = id
		if err := tx.UpdateExercise(ctx, started); err != nil {
			return err
		}
	}
	type entry struct {
		inject, at int
		kind, text string
		by         *domain.Staff
	}
	log := []entry{
		{1, 0, domain.LogInject, "Inject 1 released: radiology cannot open images, ransom note on two workstations.", nil},
		{1, 11, domain.LogDecision, "Service desk escalated to IT security on call; the two reporting workstations taken off the network.", &admin},
		{2, 15, domain.LogInject, "Inject 2 released: ED waits for CT reports of three trauma patients.", nil},
		{2, 38, domain.LogDecision, "Radiology downtime declared: images read at the CT console, reports by phone.", &radiology},
		{2, 52, domain.LogDecision, "Stroke and trauma patients diverted to the neighbouring hospital until further notice.", &board[0]},
		{3, 35, domain.LogInject, "Inject 3 released: encryption spreads to the RIS file share; vendor account logged in at 03:12.", nil},
		{3, 52, domain.LogDecision, "PACS segment disconnected at the core switch; vendor account could not be disabled locally — vendor hotline called.", &ciso},
		{4, 60, domain.LogInject, "Inject 4 released: the medical director asks about diversion and the press.", nil},
		{4, 74, domain.LogDecision, "Crisis team convened; commercial director is the only spokesperson; holding statement agreed.", &board[1]},
		{5, 90, domain.LogInject, "Inject 5 released: leak-site sample of 20 patient reports.", nil},
		{5, 104, domain.LogDecision, "DPO starts the GDPR Art 33 assessment (72 h from 07:40); police report filed.", &dpo},
		{5, 128, domain.LogNote, "Nobody could say who submits the NIS2 early warning to the CSIRT, nor where the portal login is kept.", nil},
		{6, 120, domain.LogInject, "Inject 6 released: backups of the image store are a week old.", nil},
		{6, 141, domain.LogDecision, "Restore order agreed: PACS database first, then the last 7 days of images from the modalities.", &biomed},
	}
	for _, l := range log {
		le := domain.ExerciseLogEntry{ExerciseID: ex.ID, Inject: l.inject, Kind: l.kind, ElapsedMinutes: l.at, Text: l.text}
		if l.by != nil {
			id := l.by.ID
			le.StaffID = &id
		}
		if err := tx.AddExerciseLog(ctx, &le); err != nil {
			return err
		}
	}
	if _, err := training.CompleteExercise(ctx, tx, ex.ID, held.Add(150*time.Minute)); err != nil {
		return err
	}
	due := func(days int) *time.Time { d := today.AddDate(0, 0, days); return &d }
	findings := []domain.ExerciseFinding{
		{Title: "No named owner for the NIS2 early warning", Severity: "high",
			Detail: "Nobody knew who sends the 24-hour early warning to the CSIRT or where the reporting portal's credentials are kept.",
			Action: "Name the sender and a deputy in the incident response plan; store the portal access in the crisis binder.", OwnerID: &ciso.ID, Due: due(-10), Status: domain.FindingDone, Closed: due(-12)},
		{Title: "PACS vendor remote access cannot be cut off by the hospital", Severity: "high",
			Detail:  "The vendor's VPN account is managed by the vendor; disabling it took 40 minutes and a call to their hotline.",
			Action:  "Move vendor remote access behind the hospital's access gateway with on-demand activation; add the clause to the maintenance contract.",
			OwnerID: &admin.ID, Due: due(30)},
		{Title: "Diversion decision came late", Severity: "medium",
			Detail: "Stroke and trauma diversion was decided 37 minutes after the ED asked; the criteria were not written down.",
			Action: "Write diversion criteria for IT outages of imaging into the emergency department's downtime procedure.", OwnerID: &emergency.ID, Due: due(-5)},
		{Title: "Image store backup a week old", Severity: "medium",
			Detail: "The offline copy of the PACS image store is made weekly; up to seven days of images would have to be re-sent from the modalities.",
			Action: "Agree a daily offline backup of the image store with the PACS vendor and test a restore.", OwnerID: &biomed.ID, Due: due(60)},
	}
	for i := range findings {
		findings[i].ExerciseID = ex.ID
		if err := tx.CreateFinding(ctx, &findings[i]); err != nil {
			return err
		}
	}
	next := today.AddDate(0, 0, 21).Add(12 * time.Hour)
	plan := domain.Exercise{Scenario: "infusion-pump-server", Planned: &next, Facilitator: biomed.Name, Location: "Medical technology workshop"}
	if err := training.PlanExercise(ctx, tx, &plan); err != nil {
		return err
	}
	e.Values["training.exercise"] = ex.ID
	return nil
}
