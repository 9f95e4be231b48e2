package domain

import "strings"

// Category is a kind of device (infusion pump, patient monitor, CT …). Products carry one; filters,
// charts, default criticality and the procurement catalogue use them.
type Category struct {
	ID          string      `json:"id"`
	Label       string      `json:"label"`
	Criticality Criticality `json:"criticality"`  // typical clinical criticality, the default for new devices
	PatientData bool        `json:"patient_data"` // typically stores patient data
	// Synonyms are other names, English and German, used to recognise the category in imports.
	Synonyms []string `json:"-"`
}

// Categories is the catalogue of device categories, roughly in order of how many a hospital has.
var Categories = []Category{
	{"infusion-pump", "Infusion pump (volumetric)", CritLifeSustaining, false, []string{"infusion pump", "volumetric pump", "lvp", "infusionspumpe", "volumetrische pumpe", "infusomat", "infusionsgerät"}},
	{"syringe-pump", "Syringe pump", CritLifeSustaining, false, []string{"syringe pump", "spritzenpumpe", "perfusor", "spritzenpumpen"}},
	{"infusion-system", "Infusion management (server, rack, gateway)", CritCritical, false, []string{"infusion management", "infusion server", "pump rack", "gateway", "infusionsmanagement", "pumpenrack", "pumpenstation"}},
	{"patient-monitor", "Patient monitor", CritCritical, true, []string{"patient monitor", "monitor", "patientenmonitor", "überwachungsmonitor", "monitoring", "vitalmonitor"}},
	{"central-station", "Central monitoring station", CritCritical, true, []string{"central station", "central monitoring", "zentrale", "überwachungszentrale", "monitoringzentrale"}},
	{"telemetry", "Telemetry", CritCritical, true, []string{"telemetry", "telemetrie", "telemetry receiver", "telemetry server"}},
	{"vital-signs", "Vital signs monitor", CritImportant, true, []string{"vital signs", "vital signs monitor", "spot monitor", "vitaldatenmonitor", "vitalzeichenmonitor"}},
	{"ventilator", "Ventilator", CritLifeSustaining, true, []string{"ventilator", "respirator", "beatmungsgerät", "beatmung", "intensivrespirator"}},
	{"anaesthesia", "Anaesthesia workstation", CritLifeSustaining, true, []string{"anaesthesia", "anesthesia", "anaesthesia machine", "anesthesia machine", "narkosegerät", "anästhesiegerät", "narkose"}},
	{"defibrillator", "Defibrillator", CritLifeSustaining, false, []string{"defibrillator", "defi", "aed"}},
	{"ecg", "ECG / cardiograph", CritImportant, true, []string{"ecg", "ekg", "cardiograph", "elektrokardiograph", "elektrokardiograf"}},
	{"dialysis", "Dialysis machine", CritLifeSustaining, true, []string{"dialysis", "haemodialysis", "hemodialysis", "dialysegerät", "dialyse"}},
	{"ct", "CT scanner", CritCritical, true, []string{"ct", "computed tomography", "computertomograph", "computertomograf"}},
	{"mri", "MRI scanner", CritImportant, true, []string{"mri", "mr", "magnetic resonance", "mrt", "magnetresonanztomograph", "kernspintomograph"}},
	{"x-ray", "X-ray (radiography)", CritImportant, true, []string{"x-ray", "xray", "radiography", "dr", "röntgen", "röntgengerät", "röntgenanlage", "mobiles röntgen"}},
	{"c-arm", "C-arm / mobile fluoroscopy", CritCritical, true, []string{"c-arm", "c arm", "fluoroscopy", "c-bogen", "durchleuchtung"}},
	{"angiography", "Angiography / cath lab", CritCritical, true, []string{"angiography", "cath lab", "catheter lab", "angiographie", "herzkatheterlabor", "herzkatheter"}},
	{"ultrasound", "Ultrasound", CritImportant, true, []string{"ultrasound", "echocardiography", "ultraschall", "sonographie", "sonografie", "echo"}},
	{"nuclear-medicine", "Nuclear medicine (SPECT, PET)", CritImportant, true, []string{"nuclear medicine", "spect", "pet", "pet/ct", "spect/ct", "nuklearmedizin", "gammakamera"}},
	{"imaging-workstation", "Imaging workstation", CritImportant, true, []string{"imaging workstation", "workstation", "reporting workstation", "befundungsstation", "befundungsarbeitsplatz", "workplace"}},
	{"pacs", "PACS / image archive", CritImportant, true, []string{"pacs", "image archive", "bildarchiv", "vna"}},
	{"lab-analyser", "Laboratory analyser", CritImportant, true, []string{"laboratory analyser", "lab analyser", "analyzer", "analyser", "laborgerät", "analysegerät", "analysator", "sequencer", "lab automation", "laborautomation"}},
	{"poc-testing", "Point-of-care testing", CritImportant, true, []string{"point of care", "poct", "poc", "blood glucose meter", "blutzuckermessgerät", "gerinnungsmessgerät"}},
	{"lab-pc", "Laboratory PC", CritSupportive, true, []string{"lab pc", "laboratory pc", "labor-pc", "labor pc", "middleware pc"}},
	{"medication-cabinet", "Medication cabinet", CritImportant, true, []string{"medication cabinet", "dispensing cabinet", "medikamentenschrank", "arzneimittelschrank"}},
	{"electrosurgery", "Electrosurgical unit", CritCritical, false, []string{"electrosurgery", "electrosurgical generator", "energy platform", "hf-chirurgie", "hf-generator", "elektrochirurgie"}},
	{"neuro-monitoring", "EEG / neuro-monitoring", CritImportant, true, []string{"eeg", "neuromonitoring", "neuro-monitoring", "neurophysiology"}},
	{"implant-programmer", "Implant programmer", CritImportant, true, []string{"programmer", "implant programmer", "programmiergerät", "prm"}},
	{"smart-bed", "Smart bed", CritSupportive, false, []string{"smart bed", "bed", "icu bed", "pflegebett", "intensivbett", "bett"}},
	{"nurse-call", "Nurse call", CritImportant, false, []string{"nurse call", "rufanlage", "lichtrufanlage", "schwesternruf"}},
	{"pneumatic-tube", "Pneumatic tube system", CritSupportive, false, []string{"pneumatic tube", "tube system", "rohrpost", "rohrpostanlage"}},
	{"clinical-software", "Clinical software / server", CritImportant, true, []string{"clinical software", "server", "software", "klinische software"}},
	{"other", "Other", CritSupportive, false, []string{"other", "sonstige", "sonstiges", "andere"}},
}

// CategoryByID returns the category with the id, and whether it exists.
func CategoryByID(id string) (Category, bool) {
	for _, c := range Categories {
		if c.ID == id {
			return c, true
		}
	}
	return Category{}, false
}

// FindCategory recognises a category by its id, label or one of its synonyms (case-insensitive).
func FindCategory(s string) (Category, bool) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "" {
		return Category{}, false
	}
	for _, c := range Categories {
		if t == c.ID || t == strings.ToLower(c.Label) {
			return c, true
		}
	}
	for _, c := range Categories {
		for _, syn := range c.Synonyms {
			if t == syn {
				return c, true
			}
		}
	}
	return Category{}, false
}

// CategoryLabel is the label of a category id (the id itself when unknown, "" for none).
func CategoryLabel(id string) string {
	if c, ok := CategoryByID(id); ok {
		return c.Label
	}
	return id
}
