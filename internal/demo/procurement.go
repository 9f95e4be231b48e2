package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/mds2"
	"github.com/vigil-med/vigil/internal/procurement"
	"github.com/vigil-med/vigil/internal/store"
)

// procurementDemo adds the procurement module's demo: a tender for infusion pumps with three vendors whose
// MDS2 answers differ in meaningful ways (a strong vendor with SBOM and CVD, a middling one without SBOM,
// one with a hard-coded service password that fails a knock-out), evaluated partly; a cloud PACS tender
// with cloud-assessment criteria; an older awarded tender whose commitments are tracked (one missed, and a
// patch clock started by a known-exploited vulnerability that ran out); and a cloud services register of
// six services in mixed states. Vendor names and their answers are fictional.
func procurementDemo(ctx context.Context, e *Env) error {
	d := &procDemo{e: e, ctx: ctx, sc: e.Store.Scope(e.Hospital.ID)}
	for _, step := range []func() error{d.monitors, d.pumps, d.cloudPACS, d.cloudRegister} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

type procDemo struct {
	e   *Env
	ctx context.Context
	sc  *store.Scope
}

// as returns a context acting as a demo user.
func (d *procDemo) as(r domain.Role) context.Context {
	u := d.e.Users[r]
	return domain.WithActor(d.ctx, domain.Actor{Kind: domain.ActorUser, UserID: u.ID, OrgID: d.e.Hospital.ID, Name: u.Name, Role: u.Role})
}

func (d *procDemo) days(n int) time.Time { return d.e.Now.AddDate(0, 0, n) }

func (d *procDemo) opts(at time.Time) procurement.Options {
	eol, _ := procurement.EmbeddedEOL()
	return procurement.Options{AsOf: at, EOL: eol}
}

// --- MDS2 forms --------------------------------------------------------------------------------------------

// strongPump is the MDS2 of a well-secured infusion pump; the other vendors' forms are variations of it.
var strongPump = map[string]string{
	"DOC-1": "Meridian Medical Systems B.V.", "DOC-2": "Volumetric infusion pump with drug library and Wi-Fi", "DOC-3": "FlowSafe 3 (firmware 4.2)",
	"DOC-4": "MDS2-FS3-4.2", "DOC-5": "psirt@meridian-medical.example", "DOC-6": "Drug library updates and infusion data to the EHR through the pump server",
	"DOC-7": "2026-05-12", "DOC-8": "Yes, https://meridian-medical.example/security (CVD policy and security.txt)", "DOC-9": "Yes, H-ISAC",
	"DOC-10": "Yes, in the security guide", "DOC-11": "No",
	"MPII-1": "Yes", "MPII-2": "Yes", "ALOF-1": "Yes", "ALOF-2": "Yes",
	"AUDT-1": "Yes", "AUDT-1.1": "Yes", "AUDT-2": "Yes", "AUDT-2.8.1": "Yes", "AUDT-4.1": "Yes", "AUDT-4.1.1": "Yes",
	"AUDT-5.2": "Yes, syslog over TLS (IHE ATNA)", "AUDT-7": "Yes",
	"AUTH-1": "Yes", "AUTH-1.1": "Yes, LDAP/Active Directory", "AUTH-2": "Yes",
	"CSUP-1": "Yes", "CSUP-2": "Yes", "CSUP-2.1": "No", "CSUP-2.2": "Yes", "CSUP-7": "Yes", "CSUP-8": "No", "CSUP-11": "Yes", "CSUP-11.1": "Yes", "CSUP-11.2": "Yes",
	"DTBK-3": "No", "DTBK-4": "Yes", "DTBK-5": "Yes", "DTBK-6": "Yes", "EMRG-1": "Yes",
	"MLDP-1": "No", "MLDP-2": "No", "MLDP-3": "Yes, application allow-listing and signed firmware", "MLDP-4": "Yes",
	"NAUT-1": "Yes", "NAUT-2": "Yes", "NAUT-2.1": "Yes",
	"CONN-2": "Yes", "CONN-4": "No", "CONN-6": "No", "CONN-7": "Yes", "CONN-7.1": "Yes",
	"PAUT-1": "Yes", "PAUT-1.1": "Yes", "PAUT-2": "Yes", "PAUT-3": "Yes", "PAUT-4": "Yes", "PAUT-5": "Yes",
	"PAUT-8": "Yes, for administrator and service accounts", "PAUT-9": "No",
	"RDMP-1": "Yes, IEC 81001-5-1", "RDMP-2": "Yes", "RDMP-3": "Yes", "RDMP-4": "Yes",
	"SBOM-1": "Yes", "SBOM-2": "Yes, CycloneDX 1.5", "SBOM-2.1": "Yes", "SBOM-2.2": "Yes", "SBOM-2.3": "Yes", "SBOM-4": "Yes",
	"SAHD-1": "Yes, CIS benchmark adapted to the pump", "SAHD-2": "Yes, IEC 62443-4-1 certified development process", "SAHD-3": "Yes",
	"SAHD-6": "Yes", "SAHD-7": "Yes", "SAHD-8": "Yes", "SAHD-9": "Yes", "SAHD-10": "N/A", "SAHD-11": "Yes", "SAHD-12": "No",
	"SAHD-14": "Yes", "SAHD-14.1": "Yes", "SAHD-15": "Yes",
	"SGUD-1": "Yes", "SGUD-2": "Yes", "SGUD-3": "Yes", "SGUD-3.1": "Yes", "SGUD-4": "Yes",
	"STCF-1": "Yes", "STCF-1.2": "Yes", "STCF-2": "Yes", "TXCF-2": "Yes", "TXCF-4": "Yes",
	"RMOT-1": "Yes", "RMOT-1.1": "Yes", "RMOT-1.2": "Yes", "RMOT-1.3": "No", "RMOT-2": "No", "RMOT-3": "Yes, software updates",
}

// middlePump: no SBOM, no MFA, no directory, encryption at rest not on by default, some answers only as notes.
var middlePump = map[string]string{
	"DOC-1": "Alpenmed Infusion GmbH", "DOC-2": "Volumetric infusion pump", "DOC-3": "Infusia VP7 (software 2.8)", "DOC-4": "AM-MDS2-VP7-2.8",
	"DOC-5": "service@alpenmed.example", "DOC-7": "2025-11-03", "DOC-8": "Yes, reports to security@alpenmed.example", "DOC-9": "No",
	"DOC-10": "", "AUTH-1.1": "No", "PAUT-2": "No", "PAUT-8": "No", "AUDT-5.2": "No", "STCF-1.2": "No", "SAHD-1": "",
	"SAHD-2": "No", "CSUP-11.2": "No", "RMOT-1.1": "", "MLDP-4": "No", "NAUT-2.1": "No", "RDMP-4": "No",
	"SBOM-1": "No", "SBOM-2": "N/A", "SBOM-2.1": "N/A", "SBOM-2.2": "N/A", "SBOM-2.3": "N/A", "SBOM-4": "No: planned for the 2027 release",
	"RDMP-1": "Yes, IEC 62304", "SAHD-14.1": "No",
}

var middleNotes = map[string][2]string{
	"DOC-10":   {"1", "A network diagram is available on request under NDA."},
	"SAHD-1":   {"2", "Hardened according to the manufacturer's internal guideline HG-07 (derived from CIS Level 1)."},
	"RMOT-1.1": {"3", "Remote service goes through the manufacturer's VPN; the hospital's biomedical engineering approves each session by phone."},
}

// weakPump: hard-coded service password (knock-out), shared ward logins, no CVD, no encryption by default.
var weakPump = map[string]string{
	"DOC-1": "Quantis Healthcare Ltd.", "DOC-2": "Syringe and volumetric pump", "DOC-3": "QX-200 (firmware 1.9)", "DOC-4": "QX200-MDS2",
	"DOC-5": "sales@quantis-health.example", "DOC-7": "2024-02-20", "DOC-8": "No", "DOC-9": "No", "DOC-10": "No",
	"PAUT-1": "No: one shared clinical login per ward", "PAUT-1.1": "No", "PAUT-4": "No", "PAUT-5": "No: the service account password is fixed in the firmware",
	"SAHD-6": "No", "SGUD-3.1": "No", "AUTH-2": "No", "AUTH-1.1": "No", "PAUT-2": "No", "PAUT-3": "No", "PAUT-8": "No", "ALOF-1": "No", "ALOF-2": "No",
	"AUDT-2": "No", "AUDT-5.2": "No", "AUDT-7": "No", "AUDT-4.1.1": "No", "STCF-1": "No", "STCF-1.2": "N/A", "STCF-2": "No", "TXCF-2": "No", "TXCF-2.1": "Yes",
	"TXCF-4": "No", "CONN-7": "No", "NAUT-1": "No", "NAUT-2": "No", "NAUT-2.1": "N/A", "CONN-4": "Yes", "CONN-2": "No",
	"SBOM-1": "Yes, on request", "SBOM-2": "Yes, CycloneDX", "SBOM-4": "No",
	"CSUP-7": "No", "CSUP-11.1": "No", "CSUP-11.2": "No", "RMOT-1.1": "No", "RMOT-1.2": "No", "RMOT-1.3": "Yes",
	"SAHD-1": "No", "SAHD-2": "No", "SAHD-3": "No", "SAHD-7": "No", "SAHD-12": "Yes", "SAHD-14.1": "No", "SAHD-15": "No",
	"RDMP-1": "Yes, IEC 62304", "RDMP-2": "No", "RDMP-3": "No", "RDMP-4": "No", "MLDP-3": "No", "MLDP-4": "No",
	"SGUD-4": "No", "DTBK-5": "No", "DTBK-6": "No", "PAUT-9": "No",
}

// mds2XLSX builds a form from the strong base answers with the overrides (an empty override leaves the
// question to a note), and writes it as the xlsx a vendor would send.
func mds2XLSX(over map[string]string, notes map[string][2]string) ([]byte, error) {
	f := mds2.NewForm()
	for id, v := range strongPump {
		if err := f.Set(id, v); err != nil {
			return nil, err
		}
	}
	for id, v := range over {
		if err := f.Set(id, v); err != nil {
			return nil, err
		}
	}
	for id, n := range notes {
		if err := f.SetNoteColumn(id, "See Note "+n[0]); err != nil {
			return nil, err
		}
		if err := f.SetNote(n[0], n[1]); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	err := mds2.WriteXLSX(&buf, f)
	return buf.Bytes(), err
}

// --- SBOMs ---------------------------------------------------------------------------------------------------

type sbomPart struct {
	name, version, supplier, purl, cpe, typ string
}

// cycloneDX writes a CycloneDX 1.5 JSON SBOM. With full the document names its author and the dependency
// graph and every component its supplier; without, those are left out as in many vendors' first SBOMs.
func cycloneDX(product sbomPart, parts []sbomPart, created time.Time, author string, full bool, serial string) ([]byte, error) {
	comp := func(p sbomPart) map[string]any {
		c := map[string]any{"type": p.typ, "bom-ref": p.name + "@" + p.version, "name": p.name, "version": p.version}
		if p.typ == "" {
			c["type"] = "library"
		}
		if p.purl != "" {
			c["purl"] = p.purl
		}
		if p.cpe != "" {
			c["cpe"] = p.cpe
		}
		if p.supplier != "" && (full || len(p.name)%2 == 0) {
			c["supplier"] = map[string]any{"name": p.supplier}
		}
		return c
	}
	meta := map[string]any{"timestamp": created.UTC().Format(time.RFC3339), "component": comp(product),
		"tools": map[string]any{"components": []any{map[string]any{"type": "application", "name": "cyclonedx-bom-tool", "version": "2.8"}}}}
	if author != "" {
		meta["authors"] = []any{map[string]any{"name": author}}
		meta["supplier"] = map[string]any{"name": product.supplier}
	}
	var comps []any
	var refs []string
	for _, p := range parts {
		comps = append(comps, comp(p))
		refs = append(refs, p.name+"@"+p.version)
	}
	doc := map[string]any{"bomFormat": "CycloneDX", "specVersion": "1.5", "serialNumber": "urn:uuid:" + serial, "version": 1,
		"metadata": meta, "components": comps}
	if full {
		doc["dependencies"] = []any{map[string]any{"ref": product.name + "@" + product.version, "dependsOn": refs}}
	}
	return json.MarshalIndent(doc, "", "  ")
}

var strongPumpSBOM = []sbomPart{
	{"yocto", "5.0.6", "Yocto Project", "pkg:generic/yocto@5.0.6", "cpe:2.3:a:linuxfoundation:yocto:5.0.6:*:*:*:*:*:*:*", "operating-system"},
	{"linux", "6.18.4", "The Linux Foundation", "pkg:generic/linux@6.18.4", "cpe:2.3:o:linux:linux_kernel:6.18.4:*:*:*:*:*:*:*", "operating-system"},
	{"openssl", "3.5.4", "OpenSSL Software Foundation", "pkg:generic/openssl@3.5.4", "cpe:2.3:a:openssl:openssl:3.5.4:*:*:*:*:*:*:*", ""},
	{"busybox", "1.36.1", "BusyBox", "pkg:generic/busybox@1.36.1", "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*", ""},
	{"zlib", "1.3.1", "zlib", "pkg:generic/zlib@1.3.1", "cpe:2.3:a:zlib:zlib:1.3.1:*:*:*:*:*:*:*", ""},
	{"sqlite", "3.46.1", "SQLite", "pkg:generic/sqlite@3.46.1", "cpe:2.3:a:sqlite:sqlite:3.46.1:*:*:*:*:*:*:*", ""},
	{"wpa_supplicant", "2.11", "hostap project", "pkg:generic/wpa_supplicant@2.11", "cpe:2.3:a:w1.fi:wpa_supplicant:2.11:*:*:*:*:*:*:*", ""},
	{"curl", "8.11.1", "curl project", "pkg:generic/curl@8.11.1", "cpe:2.3:a:haxx:curl:8.11.1:*:*:*:*:*:*:*", ""},
	{"protobuf-c", "1.5.0", "protobuf-c", "pkg:github/protobuf-c/protobuf-c@1.5.0", "", ""},
	{"flowsafe-infusion-core", "4.2.0", "Meridian Medical Systems B.V.", "pkg:generic/meridian/flowsafe-infusion-core@4.2.0", "", "application"},
}

var weakPumpSBOM = []sbomPart{
	{"linux", "4.14.180", "", "", "cpe:2.3:o:linux:linux_kernel:4.14.180:*:*:*:*:*:*:*", "operating-system"},
	{"openssl", "1.0.2u", "OpenSSL Software Foundation", "pkg:generic/openssl@1.0.2u", "cpe:2.3:a:openssl:openssl:1.0.2u:*:*:*:*:*:*:*", ""},
	{"busybox", "1.27.2", "", "", "", ""},
	{"dropbear", "2017.75", "", "pkg:generic/dropbear@2017.75", "", ""},
	{"zlib", "1.2.11", "zlib", "pkg:generic/zlib@1.2.11", "", ""},
	{"lighttpd", "1.4.45", "", "", "", ""},
	{"qx-pump-app", "1.9.3", "Quantis Healthcare Ltd.", "", "", "application"},
}

// --- Tenders ---------------------------------------------------------------------------------------------------

type procBid struct {
	vendor, product string
	mds2            []byte
	sbom            []byte
	sbomName        string
	answers         map[string]string
	scores          []procurement.ScoreInput
}

func (d *procDemo) addBid(t domain.Tender, b procBid) (domain.Bid, error) {
	ctx := d.as(domain.RoleProcurement)
	bid := domain.Bid{TenderID: t.ID, Vendor: b.vendor, Product: b.product, Contact: "tender team of " + b.vendor}
	if err := d.sc.Write(ctx, func(tx *store.Tx) error { return tx.CreateBid(ctx, &bid) }); err != nil {
		return bid, err
	}
	if b.mds2 != nil {
		if _, err := procurement.AddMDS2(ctx, d.sc, t.ID, bid.ID, domain.Slugify(b.vendor)+"-mds2.xlsx", b.mds2); err != nil {
			return bid, fmt.Errorf("%s MDS2: %w", b.vendor, err)
		}
	}
	if b.sbom != nil {
		if _, err := procurement.AddSBOM(ctx, d.sc, t.ID, bid.ID, b.sbomName, b.sbom); err != nil {
			return bid, fmt.Errorf("%s SBOM: %w", b.vendor, err)
		}
	}
	if b.answers != nil {
		cat, err := procurement.TenderCatalogue(t)
		if err != nil {
			return bid, err
		}
		prefill := map[string]procurement.Answer{}
		for id, v := range b.answers {
			prefill[id] = procurement.Answer{Criterion: id, Value: v, Evidence: "offer annex C, section " + id}
		}
		var buf bytes.Buffer
		if err := procurement.WriteQuestionnaire(&buf, cat, procurement.QuestionnaireMeta{Organisation: d.e.Hospital.Name, TenderRef: t.Reference,
			TenderTitle: t.Title, Vendor: b.vendor}, prefill); err != nil {
			return bid, err
		}
		res, err := procurement.AddQuestionnaire(ctx, d.sc, t.ID, bid.ID, domain.Slugify(b.vendor)+"-questionnaire.xlsx", buf.Bytes())
		if err != nil {
			return bid, fmt.Errorf("%s questionnaire: %w", b.vendor, err)
		}
		if len(res.Errors) > 0 {
			return bid, fmt.Errorf("%s questionnaire: %v", b.vendor, res.Errors[0])
		}
	}
	for _, s := range b.scores {
		if _, err := procurement.Score(d.as(domain.RoleSecurityOfficer), d.sc, t.ID, bid.ID, s); err != nil {
			return bid, fmt.Errorf("%s score %s: %w", b.vendor, s.Criterion, err)
		}
	}
	return bid, nil
}

func (d *procDemo) pumps() error {
	ctx := d.as(domain.RoleProcurement)
	deadline := d.days(-12)
	t, err := procurement.CreateTender(ctx, d.sc, procurement.TenderInput{Reference: fmt.Sprintf("T-%d-014", d.e.Now.Year()), Title: "Volumetric infusion pumps for the general wards",
		Subject:         "420 volumetric infusion pumps with drug library, docking stations and the pump server, for the general wards of all three sites; 8-year service contract.",
		ClinicalUse:     "Continuous and intermittent IV therapy incl. high-alert medications (heparin, insulin, catecholamines); used in general wards and step-down units.",
		NetworkExposure: "Clinical Wi-Fi (WPA2-Enterprise) to the pump server in the medical-device VLAN; HL7 interface to the EHR; vendor remote service for the pump server.",
		Kind:            procurement.KindDevice, Deadline: &deadline, Status: domain.TenderEvaluation})
	if err != nil {
		return err
	}
	strong, err := mds2XLSX(nil, nil)
	if err != nil {
		return err
	}
	middle, err := mds2XLSX(middlePump, middleNotes)
	if err != nil {
		return err
	}
	weak, err := mds2XLSX(weakPump, nil)
	if err != nil {
		return err
	}
	strongSBOM, err := cycloneDX(sbomPart{"FlowSafe 3 firmware", "4.2.0", "Meridian Medical Systems B.V.", "pkg:generic/meridian/flowsafe3-firmware@4.2.0", "", "firmware"},
		strongPumpSBOM, d.days(-40), "Meridian Medical Systems PSIRT", true, "6f1e5c0e-8a51-4d1c-9a3e-2b7f0c4d9e11")
	if err != nil {
		return err
	}
	weakSBOM, err := cycloneDX(sbomPart{"QX-200 firmware", "1.9.3", "Quantis Healthcare Ltd.", "", "", "firmware"},
		weakPumpSBOM, d.days(-25), "", false, "0b8f4a2c-1d3e-4f5a-8b6c-7d8e9f0a1b2c")
	if err != nil {
		return err
	}
	year := d.e.Now.Year()
	bids := []procBid{
		{vendor: "Meridian Medical Systems", product: "FlowSafe 3 volumetric pump, firmware 4.2", mds2: strong, sbom: strongSBOM, sbomName: "flowsafe3-4.2.cdx.json",
			answers: map[string]string{"dev.conformity": "Yes, CE class IIb (notified body 0344)", "dev.secure-development": "Yes",
				"dev.patch-timeline": "30 days", "dev.support-period": fmt.Sprintf("%d-12-31", year+10), "dev.csaf": "Yes, https://meridian-medical.example/.well-known/csaf/provider-metadata.json",
				"dev.vex": "Yes, CSAF VEX with every advisory", "dev.pentest": "Yes, independent test 2026-03 (no open high findings)",
				"dev.incident": "Yes, 24/7 PSIRT hotline", "dev.vulns": "Yes"},
			scores: []procurement.ScoreInput{{Criterion: "dev.vulns", Score: 3, Comment: "Reviewed the vendor's VEX: the two CVEs in curl 8.11.1 do not affect the pump (features not built)."}}},
		{vendor: "Alpenmed Infusion", product: "Infusia VP7, software 2.8", mds2: middle,
			answers: map[string]string{"dev.conformity": "Yes, CE class IIb", "dev.patch-timeline": "90 days", "dev.support-period": fmt.Sprintf("%d-06-30", year+6),
				"dev.csaf": "No, advisories by e-mail (PDF)", "dev.vex": "No", "dev.pentest": "See attached summary of the 2024 test",
				"dev.incident": "Yes, during office hours", "dev.legacy": "Yes", "dev.vulns": "Yes"},
			scores: []procurement.ScoreInput{{Criterion: "dev.hardening", Score: 2, Comment: "Guideline HG-07 reviewed: matches CIS level 1 except USB boot protection."},
				{Criterion: "dev.ports", Score: 1, Comment: "Ports list in the IFU chapter 9; data-flow diagram only under NDA."}}},
		{vendor: "Quantis Healthcare", product: "QX-200 pump, firmware 1.9", mds2: weak, sbom: weakSBOM, sbomName: "qx200-1.9.cdx.json",
			answers: map[string]string{"dev.conformity": "Yes, CE class IIb", "dev.patch-timeline": "180 days", "dev.support-period": fmt.Sprintf("%d-12-31", year+3),
				"dev.csaf": "No", "dev.vex": "No", "dev.pentest": "No", "dev.incident": "No"}},
	}
	for _, b := range bids {
		if _, err := d.addBid(t, b); err != nil {
			return err
		}
	}
	return nil
}

// monitors is an older tender, awarded eight months ago; its winner's commitments are tracked: two are
// confirmed, the CSAF provider was never confirmed (missed), and a known-exploited vulnerability started a
// 30-day patch clock that ran out.
func (d *procDemo) monitors() error {
	ctx := d.as(domain.RoleProcurement)
	awarded := d.days(-240)
	deadline := awarded.AddDate(0, 0, -30)
	t, err := procurement.CreateTender(ctx, d.sc, procurement.TenderInput{Reference: fmt.Sprintf("T-%d-031", d.e.Now.Year()-1), Title: "Patient monitoring central station, intensive care",
		Subject: "Central station and 48 bedside monitor licences for the ICU of the main campus.", ClinicalUse: "Continuous monitoring and alarming in intensive care.",
		NetworkExposure: "Monitoring VLAN; HL7 to the PDMS; remote service through the hospital's gateway.", Kind: procurement.KindDevice, Deadline: &deadline, Status: domain.TenderEvaluation})
	if err != nil {
		return err
	}
	form, err := mds2XLSX(map[string]string{"DOC-2": "Patient monitoring central station", "DOC-3": "VitaView Central 7 (software 7.1)", "DOC-4": "MDS2-VV7-7.1"}, nil)
	if err != nil {
		return err
	}
	sb, err := cycloneDX(sbomPart{"VitaView Central", "7.1.0", "Meridian Medical Systems B.V.", "pkg:generic/meridian/vitaview-central@7.1.0", "", "application"},
		strongPumpSBOM[:8], awarded.AddDate(0, 0, -60), "Meridian Medical Systems PSIRT", true, "9a7c3e1d-2b4f-4e6a-8c0d-1f2e3a4b5c6d")
	if err != nil {
		return err
	}
	winner, err := d.addBid(t, procBid{vendor: "Meridian Medical Systems", product: "VitaView Central 7", mds2: form, sbom: sb, sbomName: "vitaview-7.1.cdx.json"})
	if err != nil {
		return err
	}
	if _, err := procurement.SetAnswers(ctx, d.sc, t.ID, winner.ID, []procurement.Answer{
		{Criterion: "dev.conformity", Value: "Yes, CE class IIb"}, {Criterion: "dev.patch-timeline", Value: "30 days"},
		{Criterion: "dev.support-period", Value: fmt.Sprintf("%d-12-31", d.e.Now.Year()+9)}, {Criterion: "dev.csaf", Value: "Yes, provider URL after contract signature"},
		{Criterion: "dev.vex", Value: "Yes"}, {Criterion: "dev.pentest", Value: "Yes, 2024 (summary attached)"}, {Criterion: "dev.incident", Value: "Yes"},
		{Criterion: "dev.vulns", Value: "Yes"}}); err != nil {
		return err
	}
	if _, err := d.addBid(t, procBid{vendor: "Alpenmed Infusion", product: "(no monitoring offer; withdrawn)"}); err != nil {
		return err
	}
	res, err := procurement.Award(ctx, d.sc, t.ID, winner.ID, "Best total; the only bid covering the PDMS interface. Commitments agreed in the service contract, annex S.", false, awarded, d.opts(awarded))
	if err != nil {
		return err
	}
	for _, c := range res.Commitments {
		var status, note string
		switch c.Kind {
		case procurement.CommitSBOMDelivery:
			status, note = domain.CommitmentConfirmed, "SBOM of release 7.1.2 received with the delivery."
		case procurement.CommitCVD:
			status, note = domain.CommitmentConfirmed, "PSIRT contact and CVD policy in contract annex S."
		case procurement.CommitVEXDelivery:
			status, note = domain.CommitmentConfirmed, "VEX feed subscribed."
		case procurement.CommitPatchDays:
			clock, err := procurement.StartClock(ctx, d.sc, c.ID, "CVE-2023-44487 (HTTP/2 Rapid Reset, CISA KEV) in the central station's web server", d.days(-45))
			if err != nil {
				return err
			}
			_ = clock
		}
		if status != "" {
			id := c.ID
			if err := d.sc.Write(ctx, func(tx *store.Tx) error { return tx.SetCommitmentStatus(ctx, id, status, note) }); err != nil {
				return err
			}
		}
	}
	return nil
}

func yes() *bool { b := true; return &b }
func no() *bool  { b := false; return &b }

func (d *procDemo) cloudPACS() error {
	ctx := d.as(domain.RoleProcurement)
	deadline := d.days(9)
	t, err := procurement.CreateTender(ctx, d.sc, procurement.TenderInput{Reference: fmt.Sprintf("T-%d-022", d.e.Now.Year()), Title: "Cloud PACS and vendor-neutral archive",
		Subject:         "PACS as a service with vendor-neutral archive for radiology and cardiology (about 900,000 studies a year), including migration of the on-premises archive.",
		ClinicalUse:     "Diagnostic reading, reporting and image distribution to wards and referrers.",
		NetworkExposure: "Internet-facing SaaS reached over a dedicated connection; DICOM gateway on site in the imaging VLAN.",
		Kind:            procurement.KindCloud, Deadline: &deadline, Status: domain.TenderOpen})
	if err != nil {
		return err
	}
	until := func(days int) string { return d.days(days).Format("2006-01-02") }
	helix := &procurement.CloudProfile{
		Certifications: []procurement.Certification{{Scheme: procurement.CertISO27001, ValidUntil: until(500), Reference: "TÜV certificate 12 100 4711"},
			{Scheme: procurement.CertISO27017, ValidUntil: until(500)}, {Scheme: procurement.CertISO27018, ValidUntil: until(500)},
			{Scheme: procurement.CertC5Type2, ValidUntil: until(200), Reference: "C5:2020 type 2, period Oct–Sep"}},
		DataLocation: procurement.LocationEUEEA, Regions: "DE (Frankfurt), DE (Berlin) for backup", EncryptionAtRest: yes(), EncryptionInTransit: yes(),
		KeyControl: procurement.KeysBYOK, IncidentHours: 24, SubProcessorsDisclosed: yes(), SubProcessors: []string{"Hyperscale Cloud GmbH (IaaS, DE)", "Radiology Support s.r.o. (2nd-level support, CZ)"},
		ExitPlan: yes(), ExportFormats: "DICOM Part 10, HL7 FHIR DiagnosticReport", AvailabilitySLA: 99.95, NIS2Clauses: yes(), MFA: yes(), AuditLogs: yes(), Backup: yes(), DPA: yes()}
	atlas := &procurement.CloudProfile{
		Certifications: []procurement.Certification{{Scheme: procurement.CertISO27001, ValidUntil: until(120)}, {Scheme: procurement.CertSOC2Type2, ValidUntil: until(300)}},
		DataLocation:   procurement.LocationSCC, Regions: "IE (Dublin); support access from the US", Transfers: "Support from the US under SCCs and the EU-US Data Privacy Framework",
		EncryptionAtRest: yes(), EncryptionInTransit: yes(), KeyControl: procurement.KeysProvider, IncidentHours: 72, SubProcessorsDisclosed: yes(),
		ExitPlan: no(), AvailabilitySLA: 99.5, MFA: yes(), AuditLogs: no(), Backup: yes(), DPA: yes()}
	for _, b := range []struct {
		vendor, product string
		p               *procurement.CloudProfile
	}{{"Helix Health Cloud", "Helix Imaging Cloud PACS + VNA", helix}, {"Atlas Imaging Inc.", "Atlas RadCloud", atlas}} {
		bid := domain.Bid{TenderID: t.ID, Vendor: b.vendor, Product: b.product}
		if err := d.sc.Write(ctx, func(tx *store.Tx) error { return tx.CreateBid(ctx, &bid) }); err != nil {
			return err
		}
		if _, err := procurement.SetBidCloud(ctx, d.sc, t.ID, bid.ID, b.p); err != nil {
			return fmt.Errorf("%s: %w", b.vendor, err)
		}
	}
	return nil
}

func (d *procDemo) cloudRegister() error {
	ctx := d.as(domain.RoleProcurement)
	until := func(days int) string { return d.days(days).Format("2006-01-02") }
	type svc struct {
		s        domain.CloudService
		reviewed int // days ago; 0: never
		note     string
	}
	services := []svc{
		{s: domain.CloudService{Name: "Microsoft 365 (Exchange Online, Teams)", Provider: "Microsoft Ireland Operations Ltd.", Category: "Office and communication",
			DataCategories: "e-mail and chat of all staff (incidentally health data)", Criticality: "high", Owner: "IT", ReviewIntervalMonths: 12,
			Profile: &procurement.CloudProfile{Certifications: []procurement.Certification{{Scheme: procurement.CertISO27001, ValidUntil: until(400)},
				{Scheme: procurement.CertISO27018, ValidUntil: until(400)}, {Scheme: procurement.CertC5Type2, ValidUntil: until(150)}},
				DataLocation: procurement.LocationEUEEA, Regions: "EU Data Boundary", EncryptionAtRest: yes(), EncryptionInTransit: yes(), KeyControl: procurement.KeysCustomer,
				IncidentHours: 72, SubProcessorsDisclosed: yes(), ExitPlan: yes(), AvailabilitySLA: 99.9, NIS2Clauses: yes(), MFA: yes(), AuditLogs: yes(), Backup: no(), DPA: yes()}},
			reviewed: 80, note: "C5 report and DPA checked; backup of mailboxes is the hospital's own (third-party tool)."},
		{s: domain.CloudService{Name: "Meridian CareLink remote monitoring", Provider: "Meridian Medical Systems B.V.", Category: "Remote device monitoring", MedicalVendor: true,
			DataCategories: "device logs and alarm data of infusion pumps and monitors (pseudonymised patient ids)", Criticality: "high", Owner: "Biomedical engineering", ReviewIntervalMonths: 12,
			Profile: &procurement.CloudProfile{Certifications: []procurement.Certification{{Scheme: procurement.CertISO27001, ValidUntil: until(-20), Reference: "expired; renewal audit pending"}},
				DataLocation: procurement.LocationEUEEA, Regions: "NL (Amsterdam)", EncryptionAtRest: yes(), EncryptionInTransit: yes(), KeyControl: procurement.KeysProvider,
				IncidentHours: 24, SubProcessorsDisclosed: yes(), ExitPlan: yes(), AvailabilitySLA: 99.5, NIS2Clauses: yes(), MFA: yes(), AuditLogs: yes(), Backup: yes(), DPA: yes()}},
			reviewed: 420, note: "First review after go-live."},
		{s: domain.CloudService{Name: "SpeechFlow clinical dictation", Provider: "SpeechFlow Ltd. (UK)", Category: "Dictation and speech recognition",
			DataCategories: "dictated reports (health data)", Criticality: "medium", Owner: "Radiology", ReviewIntervalMonths: 12,
			Profile: &procurement.CloudProfile{Certifications: []procurement.Certification{{Scheme: procurement.CertISO27001, ValidUntil: until(200)}},
				DataLocation: procurement.LocationAdequacy, Regions: "UK (London)", Transfers: "United Kingdom: EU adequacy decision", EncryptionAtRest: yes(), EncryptionInTransit: yes(),
				KeyControl: procurement.KeysProvider, IncidentHours: 48, MFA: yes(), DPA: yes()}}},
		{s: domain.CloudService{Name: "PulseInsight device analytics", Provider: "PulseInsight Inc.", Category: "Device utilisation analytics", MedicalVendor: true,
			DataCategories: "device usage and alarm statistics", Criticality: "medium", Owner: "Biomedical engineering", ReviewIntervalMonths: 12,
			Profile: &procurement.CloudProfile{Certifications: []procurement.Certification{{Scheme: procurement.CertSOC2Type2, ValidUntil: until(100)}},
				DataLocation: procurement.LocationOther, Regions: "US (Virginia)", Transfers: "no safeguard documented", EncryptionAtRest: yes(), EncryptionInTransit: yes(),
				KeyControl: procurement.KeysProvider, DPA: no(), MFA: no()}},
			reviewed: 30, note: "Not approved: no DPA, data in the US without safeguard. Pilot stopped; vendor asked for EU hosting."},
		{s: domain.CloudService{Name: "Nordstadt e-learning platform", Provider: "LearnBridge GmbH", Category: "Staff training", DataCategories: "staff names and course results",
			Criticality: "low", Owner: "Human resources", ReviewIntervalMonths: 24,
			Profile: &procurement.CloudProfile{Certifications: []procurement.Certification{{Scheme: procurement.CertISO27001, ValidUntil: until(600)}},
				DataLocation: procurement.LocationEUEEA, Regions: "DE", EncryptionAtRest: yes(), EncryptionInTransit: yes(), KeyControl: procurement.KeysProvider,
				IncidentHours: 24, SubProcessorsDisclosed: yes(), ExitPlan: yes(), AvailabilitySLA: 99.5, NIS2Clauses: no(), MFA: yes(), AuditLogs: yes(), Backup: yes(), DPA: yes()}},
			reviewed: 200},
		{s: domain.CloudService{Name: "Cloud backup (Veeam Cloud Connect)", Provider: "Regional IT service provider", Category: "Offsite backup", ServiceModel: "iaas",
			DataCategories: "encrypted backups of clinical systems", Criticality: "high", Owner: "IT", ReviewIntervalMonths: 12}},
	}
	for _, sv := range services {
		s := sv.s
		if err := d.sc.Write(ctx, func(tx *store.Tx) error { return tx.CreateCloudService(ctx, &s) }); err != nil {
			return fmt.Errorf("%s: %w", s.Name, err)
		}
		if sv.reviewed > 0 {
			if _, err := procurement.ReviewCloudService(d.as(domain.RoleSecurityOfficer), d.sc, s.ID, sv.note, d.opts(d.days(-sv.reviewed))); err != nil {
				return fmt.Errorf("%s review: %w", s.Name, err)
			}
		}
	}
	return nil
}
