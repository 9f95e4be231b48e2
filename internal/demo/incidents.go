package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/incident"
	"github.com/vigil-med/vigil/internal/store"
)

// incidents adds the incident module's demo: a closed real incident from last year with its submissions
// and review, an open ransomware suspicion on an imaging workstation two hours old with NIS2 and GDPR
// clocks running, and a completed tabletop exercise.
func incidents(ctx context.Context, e *Env) error {
	d := &incidentDemo{e: e, ctx: ctx, sc: e.Store.Scope(e.Hospital.ID), loc: e.Hospital.Location(), last: map[string]int64{}}
	if err := d.mark(); err != nil {
		return err
	}
	steps := []func() error{d.lastYear, d.exercise, d.tonight}
	for _, s := range steps {
		if err := s(); err != nil {
			return err
		}
	}
	return nil
}

type incidentDemo struct {
	e    *Env
	ctx  context.Context
	sc   *store.Scope
	loc  *time.Location
	last map[string]int64 // table → highest id already dated
}

// as returns a context acting as a demo user (the timeline names people, not "demo").
func (d *incidentDemo) as(r domain.Role) context.Context {
	u := d.e.Users[r]
	return domain.WithActor(d.ctx, domain.Actor{Kind: domain.ActorUser, UserID: u.ID, OrgID: d.e.Hospital.ID, Name: u.Name, Role: u.Role})
}

// datedTables are the incident tables whose creation times the demo sets to when things happened.
var datedTables = []struct{ table, col string }{
	{"incident_events", "at"}, {"incident_answers", "answered_at"}, {"incident_actions", "created"},
	{"incident_reports", "created"}, {"incident_submissions", "created"}, {"incident_decisions", "created"},
	{"incident_attachments", "created"},
}

// mark remembers the highest ids so that at() only dates what was written since.
func (d *incidentDemo) mark() error {
	for _, t := range datedTables {
		var id int64
		if err := d.sc.QueryRow(d.ctx, "SELECT COALESCE(MAX(id), 0) FROM "+t.table+" WHERE org_id = ?", d.e.Hospital.ID).Scan(&id); err != nil {
			return err
		}
		d.last[t.table] = id
	}
	return nil
}

// at dates every incident record written since the last call as having happened at t. The demo's history
// spans a year, but it is loaded in a second; the audit log keeps the true load time.
func (d *incidentDemo) at(t time.Time) error {
	err := d.sc.Write(d.e.Ctx(d.ctx, d.e.Hospital), func(tx *store.Tx) error {
		for _, x := range datedTables {
			if _, err := tx.Exec(d.ctx, "UPDATE "+x.table+" SET "+x.col+" = ? WHERE org_id = ? AND id > ?", store.TS(t), d.e.Hospital.ID, d.last[x.table]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return d.mark()
}

func (d *incidentDemo) local(y int, m time.Month, day, h, min int) time.Time {
	return time.Date(y, m, day, h, min, 0, 0, d.loc)
}

func ptr(t time.Time) *time.Time { return &t }

func (d *incidentDemo) submit(ctx context.Context, id int64, deadlineID, report, to, ref string, at time.Time) error {
	s := domain.IncidentSubmission{IncidentID: id, DeadlineID: deadlineID, SubmittedAt: at, Recipient: to, Reference: ref}
	if report != "" {
		rec, err := incident.Load(ctx, d.sc, id)
		if err != nil {
			return err
		}
		dr, err := rec.Draft(report, 0)
		if err != nil {
			return err
		}
		rep, err := incident.SaveReport(ctx, d.sc, id, report, dr.Fields)
		if err != nil {
			return err
		}
		s.ReportID = rep.ID
		if err := d.at(at.Add(-20 * time.Minute)); err != nil {
			return err
		}
	}
	if err := incident.RecordSubmission(ctx, d.sc, &s); err != nil {
		return fmt.Errorf("submit %s: %w", deadlineID, err)
	}
	return d.at(at)
}

// lastYear: malware on the laboratory information system in October of last year, handled and closed.
func (d *incidentDemo) lastYear() error {
	y := d.e.Now.Year() - 1
	ciso, dpo, biomed := d.as(domain.RoleSecurityOfficer), d.as(domain.RoleDPO), d.as(domain.RoleClinicalEngineer)
	aware := d.local(y, time.October, 14, 8, 40)
	in := domain.Incident{
		Title:       "Malware on the laboratory information system",
		Description: "Endpoint protection raised alerts on two LIS application servers at 07:55. An attacker used a phishing-stolen VPN account of a service technician and started encrypting the order archive. Laboratory orders ran on paper for 41 hours.",
		Category:    domain.CategoryRansomware, Severity: "high", DetectedAt: ptr(d.local(y, time.October, 14, 7, 55)), AwareAt: aware,
		Impact:        "Laboratory orders and results on paper for 41 hours at the main campus; elective surgery postponed on 15 October.",
		Sites:         []string{"Main campus"},
		Services:      []string{"Laboratory information system", "Order entry", "Blood bank interface"},
		Devices:       []string{"LIS application servers LIS-APP-01 and LIS-APP-02", "Haematology analyser interface PC LAB-IF-03"},
		PatientSafety: "No harm found; 14 urgent results were phoned through.", PatientsAffected: 0,
		DataCategories:        []string{"Health data (Art 9 GDPR): laboratory results", "Names and dates of birth"},
		DataSubjectCategories: []string{"Patients with laboratory orders 2019–2024"}, DataSubjects: 61000, DataRecords: 480000,
		CrossBorder: "no", SuspectedMalicious: "yes",
		RootCause: "Service technician's VPN account without multi-factor authentication, password phished; LIS servers reachable from the VPN without segmentation.",
		IOCs:      []string{"185.220.101.47", "lis-update[.]net", "SHA-256 4be1f1b0c3f5a8e2d9c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5"},
		OwnerID:   d.e.Users[domain.RoleSecurityOfficer].ID,
	}
	if err := incident.Create(ciso, d.sc, &in, map[string]string{"nis2.entity": "essential", "nis2.severe-disruption": "yes"}); err != nil {
		return err
	}
	if err := d.at(aware.Add(5 * time.Minute)); err != nil {
		return err
	}
	id := in.ID
	if err := d.sc.Write(ciso, func(tx *store.Tx) error {
		return tx.AddIncidentDecision(ciso, &domain.IncidentDecision{IncidentID: id, What: "Disconnect the LIS servers and the VPN concentrator; laboratory to paper downtime procedures",
			Who: "Dr. Miriam Hoffmann (CISO) with the medical director", DecidedAt: aware.Add(25 * time.Minute)})
	}); err != nil {
		return err
	}
	if err := d.at(aware.Add(25 * time.Minute)); err != nil {
		return err
	}
	if _, err := incident.SetAnswers(dpo, d.sc, id, map[string]string{"gdpr.personal-data": "yes", "gdpr.controller": "yes", "gdpr.risk": "yes", "gdpr.high-risk": "no",
		"nis2.damage-to-others": "no", "mdr.device-involved": "no"}, "Order archive partly encrypted; no sign of exfiltration in the firewall logs"); err != nil {
		return err
	}
	if err := d.at(aware.Add(3 * time.Hour)); err != nil {
		return err
	}
	for _, a := range []domain.IncidentAction{
		{Title: "Reset every service-technician VPN account and require MFA", Owner: "IT infrastructure", Due: ptr(aware.Add(48 * time.Hour)), Done: true},
		{Title: "Restore the LIS from the offline backup of 13 October", Owner: "Piotr Nowak", Due: ptr(aware.Add(36 * time.Hour)), Done: true},
		{Title: "Re-enter paper orders of the downtime", Owner: "Laboratory", Due: ptr(aware.Add(96 * time.Hour)), Done: true},
	} {
		a.IncidentID = id
		if err := d.sc.Write(biomed, func(tx *store.Tx) error { return tx.AddIncidentAction(biomed, &a) }); err != nil {
			return err
		}
	}
	if err := d.at(aware.Add(4 * time.Hour)); err != nil {
		return err
	}
	bsi := "Gemeinsame Meldestelle von BSI und BBK, via the BSI-Portal"
	if err := d.submit(ciso, id, "nis2.23.ew", "nis2.early-warning", bsi, "BSI-MS-"+fmt.Sprint(y)+"-10-0417", aware.Add(9*time.Hour+10*time.Minute)); err != nil {
		return err
	}
	if err := d.submit(dpo, id, "gdpr.33.sa", "gdpr.33", "Landesbeauftragte für Datenschutz (data protection authority of the Land)", "LfD-"+fmt.Sprint(y)+"-2291", aware.Add(50*time.Hour)); err != nil {
		return err
	}
	notified := aware.Add(61 * time.Hour)
	if err := d.submit(ciso, id, "nis2.23.notif", "nis2.notification", bsi, "BSI-MS-"+fmt.Sprint(y)+"-10-0417-2", notified); err != nil {
		return err
	}
	if err := incident.SetStatus(ciso, d.sc, id, domain.StatusContained, "LIS restored from backup; no further alerts"); err != nil {
		return err
	}
	if err := d.at(aware.Add(44 * time.Hour)); err != nil {
		return err
	}
	if err := d.submit(ciso, id, "nis2.23.final", "nis2.final", bsi, "BSI-MS-"+fmt.Sprint(y)+"-10-0417-F", notified.Add(26*24*time.Hour)); err != nil {
		return err
	}
	review := domain.IncidentReview{IncidentID: id,
		WhatHappened: "A phished VPN password of an external service technician gave the attacker access to the LIS servers, which sat in the same network as the VPN pool. Encryption of the order archive started at 07:40 and was stopped by disconnecting the servers at 09:05.",
		WentWell:     "Endpoint alerts reached the on-call engineer within minutes; the offline backup was complete; the early warning went out nine hours after awareness; paper downtime procedures worked.",
		ToImprove:    "Service accounts without MFA; no network segmentation between remote access and clinical servers; the contact list for the data-protection authority was out of date.",
		Lessons: []string{"Every remote-access account needs MFA, including suppliers'", "Remote access lands in a jump zone, never next to clinical servers",
			"Keep the authorities' reporting contacts in Vigil and check them every quarter"},
	}
	if err := d.sc.Write(ciso, func(tx *store.Tx) error { return tx.SaveIncidentReview(ciso, &review) }); err != nil {
		return err
	}
	for _, a := range []domain.IncidentAction{
		{Kind: domain.ActionImprovement, Title: "Jump zone for supplier remote access", Owner: "IT infrastructure", Due: ptr(aware.AddDate(0, 3, 0)), Done: true},
		{Kind: domain.ActionImprovement, Title: "Segment the laboratory network (LIS, analysers, interface PCs)", Owner: "Piotr Nowak", OwnerID: d.e.Users[domain.RoleClinicalEngineer].ID,
			Due: ptr(d.e.Now.AddDate(0, -1, 0))},
		{Kind: domain.ActionImprovement, Title: "Quarterly check of the reporting contacts", Owner: "Dr. Miriam Hoffmann", Due: ptr(d.e.Now.AddDate(0, 2, 0))},
	} {
		a.IncidentID = id
		if err := d.sc.Write(ciso, func(tx *store.Tx) error { return tx.AddIncidentAction(ciso, &a) }); err != nil {
			return err
		}
	}
	if err := incident.SetStatus(ciso, d.sc, id, domain.StatusClosed, "Final report submitted; review done"); err != nil {
		return err
	}
	if err := d.closedAt(id, notified.Add(27*24*time.Hour)); err != nil {
		return err
	}
	return d.at(notified.Add(27 * 24 * time.Hour))
}

// closedAt dates an incident's closing (SetStatus stamps the moment the demo is loaded).
func (d *incidentDemo) closedAt(id int64, t time.Time) error {
	return d.sc.Write(d.e.Ctx(d.ctx, d.e.Hospital), func(tx *store.Tx) error {
		_, err := tx.Exec(d.ctx, "UPDATE incidents SET closed_at = ?, updated = ? WHERE org_id = ? AND id = ?", store.TS(t), store.TS(t), d.e.Hospital.ID, id)
		return err
	})
}

// radiologyDevice finds a device of the demo inventory's Radiology department of a product
// ("Manufacturer|Product"), preferring devices in use, by asset tag.
func (d *incidentDemo) radiologyDevice(product string) (domain.Asset, error) {
	pid := d.e.Values[ValueProducts].(map[string]int64)[product]
	depts, err := d.sc.Departments(d.ctx)
	if err != nil {
		return domain.Asset{}, err
	}
	f := domain.AssetFilter{ProductID: pid, ListParams: domain.ListParams{Sort: "tag", Limit: 1}, Status: domain.StatusInUse}
	for _, dp := range depts {
		if dp.Name == "Radiology" {
			f.DepartmentID = dp.ID
		}
	}
	for range 2 {
		page, err := d.sc.Assets(d.ctx, f)
		if err != nil {
			return domain.Asset{}, err
		}
		if len(page.Items) > 0 && page.Items[0].Hostname != "" {
			return page.Items[0], nil
		}
		f.Status = "" // none in use: any
	}
	return domain.Asset{}, fmt.Errorf("the demo inventory has no %s in Radiology", product)
}

// tonight: ransomware suspected on an imaging workstation, noticed two hours before the demo is loaded.
// The workstation and the CT scanner console it is connected to are devices of the inventory, linked
// to the incident.
func (d *incidentDemo) tonight() error {
	ciso, dpo, biomed := d.as(domain.RoleSecurityOfficer), d.as(domain.RoleDPO), d.as(domain.RoleClinicalEngineer)
	ws, err := d.radiologyDevice("Siemens Healthineers|syngo.via")
	if err != nil {
		return err
	}
	ct, err := d.radiologyDevice("Siemens Healthineers|SOMATOM go.Up")
	if err != nil {
		return err
	}
	wsName, ctName := ws.Hostname, ct.Hostname
	aware := d.e.LoadedAt.In(d.loc).Add(-2 * time.Hour).Truncate(5 * time.Minute)
	in := domain.Incident{
		Title:       "Ransomware suspected on a CT reporting workstation",
		Description: "The radiographer on duty found a ransom note on reporting workstation " + wsName + " in CT room 2. Files on the local study cache have the extension .lockbit. The workstation is connected to the PACS and to the CT scanner console " + ctName + ".",
		Category:    domain.CategoryRansomware, Severity: "high", DetectedAt: ptr(aware.Add(-20 * time.Minute)), AwareAt: aware,
		Impact:         "CT room 2 out of service; emergency CT moved to room 1. PACS reachable but isolated from the imaging VLAN.",
		Sites:          []string{"Main campus"},
		Services:       []string{"Radiology (CT)", "Emergency department imaging"},
		Devices:        []string{"PACS image store share mounted on the workstation (checked for encrypted files)"},
		PatientSafety:  "Emergency CT capacity halved; no patient harm known.",
		DataCategories: []string{"Health data (Art 9 GDPR): CT studies with reports"}, DataSubjectCategories: []string{"Patients imaged in CT room 2"},
		DataSubjects: 1800, SuspectedMalicious: "yes", CrossBorder: "no", OwnerID: d.e.Users[domain.RoleSecurityOfficer].ID,
		IOCs: []string{"ransom note README-LOCK.txt", "outbound connection to 45.137.21.9:443 shortly before the note appeared"},
	}
	if err := incident.CreateWithDevices(ciso, d.sc, &in, map[string]string{"nis2.entity": "essential", "nis2.severe-disruption": "yes", "mdr.device-involved": "yes"},
		[]int64{ws.ID, ct.ID}); err != nil {
		return err
	}
	id := in.ID
	if err := d.at(aware.Add(4 * time.Minute)); err != nil {
		return err
	}
	if err := d.sc.Write(ciso, func(tx *store.Tx) error {
		return tx.AddIncidentDecision(ciso, &domain.IncidentDecision{IncidentID: id, What: "Disconnect " + wsName + " and block the imaging VLAN's route to the PACS; keep the CT console powered for forensics",
			Who: "Dr. Miriam Hoffmann (CISO)", DecidedAt: aware.Add(18 * time.Minute)})
	}); err != nil {
		return err
	}
	if err := d.at(aware.Add(18 * time.Minute)); err != nil {
		return err
	}
	if _, err := incident.SetAnswers(dpo, d.sc, id, map[string]string{"gdpr.personal-data": "yes", "gdpr.controller": "yes", "gdpr.risk": "yes"},
		"The local study cache holds CT studies with names; encrypted, possibly copied"); err != nil {
		return err
	}
	if err := d.at(aware.Add(50 * time.Minute)); err != nil {
		return err
	}
	for _, a := range []domain.IncidentAction{
		{Title: "Isolate " + wsName + " and the " + ctName + " console from the network", Owner: "Piotr Nowak", OwnerID: d.e.Users[domain.RoleClinicalEngineer].ID, Due: ptr(aware.Add(time.Hour)), Done: true},
		{Title: "Take a forensic image of " + wsName + " before any cleaning", Owner: "IT security", Due: ptr(aware.Add(6 * time.Hour))},
		{Title: "Tell the CT manufacturer's service (suspected security event, MDCG 2019-16)", Owner: "Piotr Nowak", OwnerID: d.e.Users[domain.RoleClinicalEngineer].ID, Due: ptr(aware.Add(4 * time.Hour))},
		{Title: "Check the PACS and other reporting workstations for the same indicators", Owner: "IT security", Due: ptr(aware.Add(8 * time.Hour))},
	} {
		a.IncidentID = id
		if err := d.sc.Write(biomed, func(tx *store.Tx) error { return tx.AddIncidentAction(biomed, &a) }); err != nil {
			return err
		}
	}
	note := []byte("Your files are encrypted. To restore, contact us within 72 hours.\nID: 7F3A-22C9-RAD07\n(transcribed from the photo of the screen of " + wsName + ")\n")
	att := domain.IncidentAttachment{IncidentID: id, Name: "ransom-note-" + wsName + ".txt", ContentType: "text/plain", Evidence: true, Description: "Transcript of the ransom note"}
	if err := incident.AddAttachment(biomed, d.sc, &att, note); err != nil {
		return err
	}
	if err := d.at(aware.Add(70 * time.Minute)); err != nil {
		return err
	}
	rec, err := incident.Load(ciso, d.sc, id)
	if err != nil {
		return err
	}
	dr, err := rec.Draft("nis2.early-warning", 0)
	if err != nil {
		return err
	}
	dr.Fields["cross_border"] = "no"
	if _, err := incident.SaveReport(ciso, d.sc, id, "nis2.early-warning", dr.Fields); err != nil {
		return err
	}
	return d.at(aware.Add(95 * time.Minute))
}

// ValueIncidentExercise is the id of the demo's exercise incident (int64), which the training step links
// to its tabletop exercise.
const ValueIncidentExercise = "incidents.exercise"

// exercise: the regulatory clocks of the tabletop exercise on the PACS ransomware scenario six weeks
// ago (the training step holds the tabletop itself and links the two), completed and reviewed.
func (d *incidentDemo) exercise() error {
	ciso, dpo := d.as(domain.RoleSecurityOfficer), d.as(domain.RoleDPO)
	start := exerciseHeld(d.e)
	var parts []int64
	for _, r := range []domain.Role{domain.RoleSecurityOfficer, domain.RoleDPO, domain.RoleClinicalEngineer, domain.RoleAdmin} {
		parts = append(parts, d.e.Users[r].ID)
	}
	ex, err := incident.StartExercise(ciso, d.sc, incident.ExerciseInput{Scenario: "pacs-ransomware", Acceleration: 60, Participants: parts,
		OwnerID: d.e.Users[domain.RoleSecurityOfficer].ID, Start: start})
	if err != nil {
		return err
	}
	id := ex.ID
	d.e.Values[ValueIncidentExercise] = id
	if err := d.at(start); err != nil {
		return err
	}
	// Exercise minute 6 = exercise hour 6, and so on: one real minute is one exercise hour.
	if _, err := incident.SetAnswers(ciso, d.sc, id, map[string]string{"nis2.entity": "essential", "nis2.severe-disruption": "yes", "mdr.device-involved": "yes"}, "team consensus"); err != nil {
		return err
	}
	if err := d.at(start.Add(4 * time.Minute)); err != nil {
		return err
	}
	if err := d.sc.Write(ciso, func(tx *store.Tx) error {
		return tx.AddIncidentDecision(ciso, &domain.IncidentDecision{IncidentID: id, What: "Divert stroke patients to St. Marien for the next 12 hours", Who: "Medical director (played by Jonas Berger)",
			DecidedAt: start.Add(3 * time.Minute)})
	}); err != nil {
		return err
	}
	if err := d.at(start.Add(3 * time.Minute)); err != nil {
		return err
	}
	if _, err := incident.SetAnswers(dpo, d.sc, id, map[string]string{"gdpr.personal-data": "yes", "gdpr.controller": "yes", "gdpr.risk": "yes"}, "leak-site inject"); err != nil {
		return err
	}
	if err := d.at(start.Add(9 * time.Minute)); err != nil {
		return err
	}
	if err := d.submit(ciso, id, "nis2.23.ew", "nis2.early-warning", "Gemeinsame Meldestelle (played by the exercise lead)", "EX-EW-1", start.Add(21*time.Minute)); err != nil {
		return err
	}
	if err := d.submit(dpo, id, "gdpr.33.sa", "gdpr.33", "Data protection authority (played by the exercise lead)", "EX-GDPR-1", start.Add(66*time.Minute)); err != nil {
		return err
	}
	if err := d.submit(ciso, id, "nis2.23.notif", "nis2.notification", "Gemeinsame Meldestelle (played by the exercise lead)", "EX-NOTIF-1", start.Add(75*time.Minute)); err != nil {
		return err
	}
	review := domain.IncidentReview{IncidentID: id,
		WhatHappened: "Tabletop on the PACS ransomware scenario with the CISO, the DPO, clinical engineering and IT, 90 minutes at 60× speed.",
		WentWell:     "The early warning was ready 21 exercise hours after awareness; the diversion decision was recorded with its owner.",
		ToImprove:    "The GDPR notification came late (66 h): nobody owned the question whether images with names were copied. The CT manufacturer was told only at hour 30.",
		Lessons:      []string{"Name the DPO as owner of the GDPR clock in the first hour", "Tell the device manufacturer as soon as a device is involved"},
	}
	if err := d.sc.Write(ciso, func(tx *store.Tx) error { return tx.SaveIncidentReview(ciso, &review) }); err != nil {
		return err
	}
	if err := incident.SetStatus(ciso, d.sc, id, domain.StatusClosed, "Exercise finished; debrief held"); err != nil {
		return err
	}
	if err := d.closedAt(id, start.Add(95*time.Minute)); err != nil {
		return err
	}
	return d.at(start.Add(95 * time.Minute))
}
