package demo

import "github.com/vigil-med/vigil/internal/domain"

// The demo hospital's inventory as data: real manufacturers and models named in the CISA medical
// advisories (ICSMA), with firmware versions that include those the advisories name as affected, so
// that matching finds them; fictional counts, serial numbers, places and addresses.

type demoSite struct{ name, code, address string }

var demoSites = []demoSite{
	{"Main Campus", "MC", "Nordstadtring 1, 20999 Nordstadt"},
	{"Children's Hospital", "KH", "Lindenallee 12, 20999 Nordstadt"},
	{"Rehabilitation Centre", "RZ", "Am Kurpark 3, 21007 Nordstadt-Süd"},
}

type demoDept struct {
	name, code, site, building string
	floor                      int
	kinds                      []string // what kinds of devices it has (see demoProduct.where)
}

var demoDepts = []demoDept{
	{"Intensive Care Unit (Surgical)", "4110", "MC", "C", 2, []string{"icu"}},
	{"Intensive Care Unit (Medical)", "4120", "MC", "C", 3, []string{"icu"}},
	{"Emergency Department", "4010", "MC", "A", 0, []string{"er"}},
	{"Operating Theatres", "4700", "MC", "C", 1, []string{"or"}},
	{"Anaesthesiology", "4710", "MC", "C", 1, []string{"or"}},
	{"Radiology", "4300", "MC", "B", 0, []string{"rad"}},
	{"Cardiology", "4210", "MC", "A", 3, []string{"ward", "cardio"}},
	{"Cardiac Catheterisation Lab", "4215", "MC", "B", 1, []string{"cath"}},
	{"Central Laboratory", "4500", "MC", "D", 0, []string{"lab"}},
	{"Microbiology", "4510", "MC", "D", 1, []string{"lab"}},
	{"Oncology", "4610", "MC", "E", 2, []string{"ward", "onco"}},
	{"Haematology", "4620", "MC", "E", 3, []string{"ward", "onco"}},
	{"Nephrology and Dialysis", "4600", "MC", "E", 0, []string{"dialysis"}},
	{"Neurology and Stroke Unit", "4220", "MC", "A", 4, []string{"ward", "neuro"}},
	{"Neurosurgery", "4130", "MC", "A", 5, []string{"ward", "neuro"}},
	{"General Surgery", "4140", "MC", "A", 1, []string{"ward"}},
	{"Internal Medicine 1", "4020", "MC", "A", 2, []string{"ward"}},
	{"Internal Medicine 2", "4030", "MC", "A", 6, []string{"ward"}},
	{"Gastroenterology and Endoscopy", "4040", "MC", "B", 2, []string{"ward", "endo"}},
	{"Pulmonology", "4050", "MC", "A", 7, []string{"ward"}},
	{"Trauma Surgery and Orthopaedics", "4150", "MC", "A", 8, []string{"ward"}},
	{"Obstetrics and Delivery", "4800", "MC", "F", 1, []string{"ward", "obst"}},
	{"Nuclear Medicine", "4310", "MC", "B", -1, []string{"nuclear"}},
	{"Radiotherapy", "4320", "MC", "B", -2, []string{"rt"}},
	{"Pharmacy", "9200", "MC", "D", -1, []string{"pharmacy"}},
	{"Medical Engineering", "9300", "MC", "D", -1, []string{"medeng"}},
	{"Facilities", "9100", "MC", "G", 0, []string{"facilities"}},
	// Administrative units without medical devices: the staff register uses the same department names,
	// so that training coverage and the inventory line up by department.
	{"Executive Board", "9000", "MC", "G", 3, nil},
	{"IT and Information Security", "9400", "MC", "G", 1, nil},
	{"Procurement and Logistics", "9500", "MC", "G", 0, nil},
	{"Administration and Finance", "9600", "MC", "G", 2, nil},
	{"Human Resources", "9700", "MC", "G", 2, nil},
	{"Data Protection and Quality", "9800", "MC", "G", 3, nil},
	{"Neonatal Intensive Care (NICU)", "5120", "KH", "K", 1, []string{"nicu"}},
	{"Paediatric Intensive Care (PICU)", "5130", "KH", "K", 1, []string{"picu"}},
	{"Paediatric Emergency", "5010", "KH", "K", 0, []string{"ker"}},
	{"Paediatric Radiology", "5300", "KH", "K", 0, []string{"krad"}},
	{"General Paediatrics", "5020", "KH", "K", 2, []string{"kward"}},
	{"Paediatric Oncology", "5610", "KH", "K", 3, []string{"kward", "konco"}},
	{"Neurological Rehabilitation", "6110", "RZ", "R", 1, []string{"rehab"}},
	{"Cardiac Rehabilitation", "6210", "RZ", "R", 2, []string{"rehab", "cardio"}},
	{"Orthopaedic Rehabilitation", "6310", "RZ", "R", 0, []string{"rehab"}},
}

type demoZone struct {
	name     string
	vlan     int
	cidr     string
	exposure domain.Exposure
	desc     string
}

const (
	zInternet = "Vendor cloud uplink"
	zDMZ      = "DMZ remote service"
	zClinMC   = "Clinical LAN Main Campus"
	zClinKH   = "Clinical LAN Children's Hospital"
	zClinRZ   = "Clinical LAN Rehabilitation"
	zOffice   = "Office LAN"
	zPumps    = "Infusion pumps"
	zMonitor  = "Patient monitoring"
	zImaging  = "Imaging modalities"
	zLab      = "Laboratory"
	zLegacy   = "Legacy isolation"
	zKids     = "Medical devices Children's Hospital"
	zNone     = "Not networked"
)

var demoZones = []demoZone{
	{zInternet, 5, "10.0.5.0/24", domain.ExposureInternet, "Port-forwarded for vendor cloud services; should be empty."},
	{zDMZ, 10, "10.0.10.0/24", domain.ExposureDMZ, "Vendor remote-service gateways and web portals."},
	{zClinMC, 100, "10.10.0.0/16", domain.ExposureClinical, "Shared clinical network of the main campus."},
	{zClinKH, 200, "10.20.0.0/16", domain.ExposureClinical, "Shared clinical network of the children's hospital."},
	{zClinRZ, 300, "10.30.0.0/16", domain.ExposureClinical, "The rehabilitation centre's single network (not yet segmented)."},
	{zOffice, 50, "10.50.0.0/16", domain.ExposureOffice, "Administration, e-mail and web browsing."},
	{zPumps, 110, "10.11.0.0/16", domain.ExposureIsolated, "Infusion pumps and their servers; allow-list to the drug-library server."},
	{zMonitor, 120, "10.12.0.0/16", domain.ExposureIsolated, "Patient monitors, central stations, ventilators, anaesthesia."},
	{zImaging, 130, "10.13.0.0/16", domain.ExposureIsolated, "Modalities, PACS and reporting workstations; DICOM to PACS only."},
	{zLab, 140, "10.14.0.0/16", domain.ExposureIsolated, "Laboratory analysers and middleware."},
	{zLegacy, 150, "10.15.0.0/16", domain.ExposureIsolated, "Devices on unsupported operating systems, behind a dedicated firewall."},
	{zKids, 210, "10.21.0.0/16", domain.ExposureIsolated, "Medical devices of the children's hospital."},
	{zNone, 0, "", domain.ExposureStandalone, "Devices without a network connection."},
}

type demoMaker struct {
	name    string
	aliases []string
	website string
	psirt   string
}

var demoMakers = []demoMaker{
	{"B. Braun", []string{"B. Braun Medical", "B. Braun Melsungen AG"}, "https://www.bbraun.com", "https://www.bbraun.com/productsecurity"},
	{"BD", []string{"Becton, Dickinson and Company (BD)", "Becton Dickinson", "CareFusion"}, "https://www.bd.com", "https://cybersecurity.bd.com"},
	{"Baxter", []string{"Baxter International", "Baxter Healthcare"}, "https://www.baxter.com", "productsecurity@baxter.com"},
	{"Fresenius Kabi", []string{"Fresenius Kabi AG"}, "https://www.fresenius-kabi.com", ""},
	{"Smiths Medical", []string{"ICU Medical"}, "https://www.icumed.com", ""},
	{"Philips", []string{"Philips Healthcare", "Koninklijke Philips N.V.", "Phillips"}, "https://www.philips.com", "https://www.philips.com/a-w/security"},
	{"GE HealthCare", []string{"GE Healthcare", "General Electric (GE)"}, "https://www.gehealthcare.com", "https://www.gehealthcare.com/productsecurity"},
	{"Dräger", []string{"Drägerwerk AG & Co. KGaA", "Draeger"}, "https://www.draeger.com", "https://www.draeger.com/productsecurity"},
	{"Hamilton Medical", []string{"Hamilton Medical AG"}, "https://www.hamilton-medical.com", ""},
	{"Medtronic", []string{"Covidien"}, "https://www.medtronic.com", "https://www.medtronic.com/security"},
	{"Siemens Healthineers", []string{"Siemens", "Siemens Healthcare GmbH"}, "https://www.siemens-healthineers.com", "productcert@siemens.com"},
	{"Hillrom", []string{"Welch Allyn", "Hill-Rom"}, "https://www.hillrom.com", ""},
	{"Stryker", nil, "https://www.stryker.com", ""},
	{"Spacelabs", []string{"Spacelabs Healthcare"}, "https://www.spacelabshealthcare.com", ""},
	{"Natus", []string{"Natus Medical, Inc. (Natus)", "Natus Medical"}, "https://natus.com", ""},
	{"ZOLL", []string{"ZOLL Medical"}, "https://www.zoll.com", ""},
	{"Roche Diagnostics", []string{"Roche"}, "https://diagnostics.roche.com", ""},
	{"Illumina", nil, "https://www.illumina.com", ""},
	{"Carestream", []string{"Carestream Health"}, "https://www.carestream.com", ""},
	{"Boston Scientific", nil, "https://www.bostonscientific.com", ""},
	{"Swisslog Healthcare", []string{"Swisslog"}, "https://www.swisslog-healthcare.com", ""},
}

type demoVersion struct {
	version, os, released, eos string // dates YYYY-MM-DD, or "+Nm" months from the demo day
	share                      int    // relative share of the devices
}

type demoProduct struct {
	maker, name, model, category string
	class                        domain.DeviceClass
	eos, eol                     string
	cost                         float64
	cpe                          [2]string
	versions                     []demoVersion
	count                        int
	where                        []string // department kinds, repeated for weight
	zone                         string   // zone on the main campus (others follow the site)
	host                         string   // host-name prefix; "" for devices without one
	serial                       string   // fmt pattern with one %d
	owner                        string
}

// Windows end-of-support dates (Microsoft lifecycle).
const (
	eosXP       = "2014-04-08"
	eosXPEmb    = "2016-01-12"
	eosWin7     = "2020-01-14"
	eosWin7Emb  = "2020-10-13"
	eosServer16 = "2027-01-12"
)

var demoProducts = []demoProduct{
	// Infusion: the largest group.
	{"B. Braun", "Infusomat Space", "8713050", "infusion-pump", domain.ClassIIb, "2031-12-31", "", 2900, [2]string{"bbraun", "infusomat_space"},
		[]demoVersion{{"U61", "", "2019-05-01", "", 45}, {"U62", "", "2021-03-01", "", 40}, {"L81", "", "2019-05-01", "", 15}},
		1450, []string{"icu", "icu", "icu", "er", "or", "ward", "ward", "onco", "onco", "dialysis"}, zPumps, "", "BB8%07d", "Medical Engineering"},
	{"B. Braun", "Perfusor Space", "8713030", "syringe-pump", domain.ClassIIb, "2031-12-31", "", 2350, [2]string{"bbraun", "perfusor_space"},
		[]demoVersion{{"U61", "", "2019-05-01", "", 40}, {"U62", "", "2021-03-01", "", 45}, {"L81", "", "2019-05-01", "", 15}},
		1250, []string{"icu", "icu", "icu", "icu", "er", "or", "or", "ward", "onco"}, zPumps, "", "BB7%07d", "Medical Engineering"},
	{"B. Braun", "SpaceCom 2", "8713160", "infusion-system", domain.ClassIIb, "", "", 4100, [2]string{"bbraun", "spacecom"},
		[]demoVersion{{"U61", "", "2019-05-01", "", 60}, {"U62", "", "2021-03-01", "", 40}},
		70, []string{"icu", "or", "er", "ward"}, zPumps, "spacecom", "SC2%06d", "Medical Engineering"},
	{"B. Braun", "Data module compactplus", "8717160", "infusion-system", domain.ClassIIa, "", "", 1800, [2]string{"bbraun", "data_module_compactplus"},
		[]demoVersion{{"A10", "", "2016-02-01", "", 50}, {"A11", "", "2018-06-01", "", 50}},
		25, []string{"icu", "or"}, zPumps, "", "DMC%06d", "Medical Engineering"},
	{"BD", "Alaris GH", "80033UN01", "syringe-pump", domain.ClassIIb, "2027-06-30", "", 2600, [2]string{"bd", "alaris_gh"},
		[]demoVersion{{"2.3.6", "", "2016-09-01", "", 70}, {"4.1.2", "", "2021-11-01", "", 30}},
		260, []string{"nicu", "picu", "picu", "ker", "kward", "konco"}, zPumps, "", "1300%06d", "Medical Engineering"},
	{"BD", "Alaris CC", "80053UNS01", "syringe-pump", domain.ClassIIb, "2025-12-31", "", 2700, [2]string{"bd", "alaris_cc"},
		[]demoVersion{{"2.3.6", "", "2016-09-01", "", 100}}, 120, []string{"nicu", "picu"}, zPumps, "", "1400%06d", "Medical Engineering"},
	{"BD", "Alaris Gateway Workstation", "80203UNS00", "infusion-system", domain.ClassIIb, "", "", 3900, [2]string{"bd", "alaris_gateway_workstation"},
		[]demoVersion{{"1.1.6", "", "2014-10-01", "", 40}, {"1.3.1 Build 13", "", "2017-02-01", "", 30}, {"1.6.1", "", "2020-05-01", "", 30}},
		45, []string{"nicu", "picu", "kward"}, zPumps, "alaris-gw", "AGW%06d", "Medical Engineering"},
	{"BD", "Alaris PC Unit Model 8015", "8015", "infusion-pump", domain.ClassIIb, "", "", 3500, [2]string{"bd", "alaris_pc_unit"},
		[]demoVersion{{"9.33.1", "", "2018-04-01", "", 50}, {"12.1.3", "", "2021-07-01", "", 50}},
		90, []string{"cardio", "cath"}, zPumps, "", "8015%07d", "Medical Engineering"},
	{"BD", "Alaris Systems Manager", "", "infusion-system", "", "", "", 25000, [2]string{"bd", "alaris_systems_manager"},
		[]demoVersion{{"4.33", "Windows Server 2016", "2018-04-01", "", 100}}, 1, []string{"medeng"}, zPumps, "asm", "ASM-%04d", "IT Clinical Systems"},
	{"Fresenius Kabi", "Agilia VP", "Z022105", "infusion-pump", domain.ClassIIb, "", "", 2700, [2]string{"fresenius_kabi", "agilia_vp"},
		[]demoVersion{{"D25", "", "2019-01-01", "", 55}, {"D27", "", "2022-04-01", "", 45}}, 180, []string{"rehab", "kward", "kward", "konco"}, zPumps, "", "23%08d", "Medical Engineering"},
	{"Fresenius Kabi", "Agilia SP", "Z022100", "syringe-pump", domain.ClassIIb, "", "", 2200, [2]string{"fresenius_kabi", "agilia_sp"},
		[]demoVersion{{"D25", "", "2019-01-01", "", 55}, {"D27", "", "2022-04-01", "", 45}}, 160, []string{"rehab", "kward", "konco"}, zPumps, "", "24%08d", "Medical Engineering"},
	{"Fresenius Kabi", "Agilia Link+", "Z072400", "infusion-system", domain.ClassIIa, "", "", 3100, [2]string{"fresenius_kabi", "agilia_link_plus"},
		[]demoVersion{{"3.0 D15", "", "2019-01-01", "", 60}, {"3.0 D17", "", "2022-04-01", "", 40}}, 20, []string{"rehab", "kward"}, zPumps, "agilia-link", "AL%07d", "Medical Engineering"},
	{"Baxter", "Sigma Spectrum", "35700BAX2", "infusion-pump", domain.ClassIIb, "2026-12-31", "", 3150, [2]string{"baxter", "sigma_spectrum"},
		[]demoVersion{{"8.00.01", "", "2017-03-01", "", 100}}, 120, []string{"onco", "onco", "ward"}, zPumps, "", "SSP%06d", "Medical Engineering"},
	{"Baxter", "Spectrum IQ", "35700BAX3", "infusion-pump", domain.ClassIIb, "", "", 3600, [2]string{"baxter", "spectrum_iq"},
		[]demoVersion{{"9.02.00", "", "2020-10-01", "", 100}}, 60, []string{"onco"}, zPumps, "", "SIQ%06d", "Medical Engineering"},
	{"Smiths Medical", "Medfusion 4000", "4000", "syringe-pump", domain.ClassIIb, "2022-12-31", "", 2500, [2]string{"smiths-medical", "medfusion_4000"},
		[]demoVersion{{"1.5", "", "2014-01-01", "", 20}, {"1.6", "", "2015-06-01", "", 50}, {"1.6.1", "", "2017-09-01", "", 30}},
		40, []string{"nicu"}, zPumps, "", "MF4%06d", "Medical Engineering"},

	// Patient monitoring.
	{"Philips", "IntelliVue MX800", "865240", "patient-monitor", domain.ClassIIb, "", "", 38500, [2]string{"philips", "intellivue_mx800"},
		[]demoVersion{{"M.00.03", "", "2018-02-01", "", 55}, {"N.00.01", "", "2021-09-01", "", 45}},
		180, []string{"icu", "icu", "icu", "or", "cath"}, zMonitor, "mx800", "DE6%07d", "Medical Engineering"},
	{"Philips", "IntelliVue MX450", "866062", "patient-monitor", domain.ClassIIb, "", "", 14900, [2]string{"philips", "intellivue_mx450"},
		[]demoVersion{{"M.00.03", "", "2018-02-01", "", 60}, {"N.00.01", "", "2021-09-01", "", 40}},
		320, []string{"ward", "ward", "er", "neuro", "obst", "rehab"}, zMonitor, "", "DE7%07d", "Medical Engineering"},
	{"Philips", "IntelliVue MP5", "M8105A", "patient-monitor", domain.ClassIIb, "2024-12-31", "", 7900, [2]string{"philips", "intellivue_mp5"},
		[]demoVersion{{"J.10.52", "", "2012-05-01", "", 40}, {"M.00.03", "", "2018-02-01", "", 60}},
		220, []string{"er", "ward", "or", "endo"}, zMonitor, "", "DE5%07d", "Medical Engineering"},
	{"Philips", "Patient Information Center iX", "866389", "central-station", domain.ClassIIb, "", "", 24000, [2]string{"philips", "patient_information_center_ix"},
		[]demoVersion{{"B.02", "Windows 7 Embedded", "2016-04-01", eosWin7Emb, 30}, {"C.03", "Windows 10 IoT Enterprise LTSC", "2019-11-01", "", 70}},
		24, []string{"icu", "er", "ward", "cath"}, zMonitor, "picix", "DE8%07d", "Medical Engineering"},
	{"Philips", "IntelliBridge EC40 Hub", "865114", "patient-monitor", domain.ClassIIa, "", "", 2400, [2]string{"philips", "intellibridge_ec40"},
		[]demoVersion{{"C.00.04", "", "2019-06-01", "", 60}, {"C.00.06", "", "2022-03-01", "", 40}}, 40, []string{"icu"}, zMonitor, "", "DE4%07d", "Medical Engineering"},
	{"Philips", "PageWriter TC70", "860315", "ecg", domain.ClassIIa, "", "", 11900, [2]string{"philips", "pagewriter_tc70"},
		[]demoVersion{{"A.07.02.07", "Windows CE", "2016-11-01", "", 100}}, 55, []string{"cardio", "er", "ward", "ker"}, zClinMC, "ecg", "PW7%06d", "Cardiology"},
	{"GE HealthCare", "CARESCAPE B450", "2062918-001", "patient-monitor", domain.ClassIIb, "", "", 19800, [2]string{"ge", "carescape_b450"},
		[]demoVersion{{"2.0.6", "", "2017-08-01", "+7m", 70}, {"3.2", "", "2022-01-01", "", 30}}, 140, []string{"kward", "ker", "konco", "picu"}, zMonitor, "", "SHQ2%07d", "Medical Engineering"},
	{"GE HealthCare", "CARESCAPE B650", "2058877-001", "patient-monitor", domain.ClassIIb, "", "", 29000, [2]string{"ge", "carescape_b650"},
		[]demoVersion{{"2.1.4", "", "2018-03-01", "", 100}}, 50, []string{"nicu", "picu"}, zMonitor, "", "SDM2%07d", "Medical Engineering"},
	{"GE HealthCare", "CARESCAPE Central Station", "2069850-001", "central-station", domain.ClassIIb, "", "", 21000, [2]string{"ge", "carescape_central_station"},
		[]demoVersion{{"2.0", "Windows 7 Embedded", "2015-10-01", eosWin7Emb, 100}}, 8, []string{"nicu", "picu", "ker", "kward"}, zMonitor, "cscs", "CS2%06d", "Medical Engineering"},
	{"GE HealthCare", "ApexPro Telemetry Server", "", "telemetry", domain.ClassIIa, "2023-06-30", "", 18000, [2]string{"ge", "apexpro_telemetry_server"},
		[]demoVersion{{"4.2", "Windows Server 2008 R2", "2014-02-01", "2020-01-14", 100}}, 2, []string{"cardio"}, zLegacy, "apexpro", "APX%05d", "IT Clinical Systems"},
	{"Dräger", "Infinity Delta", "MS18700", "patient-monitor", domain.ClassIIb, "2021-12-31", "2024-12-31", 9800, [2]string{"draeger", "infinity_delta"},
		[]demoVersion{{"VF10.2", "", "2012-01-01", "", 100}}, 70, []string{"or", "endo", "ward"}, zMonitor, "", "ARXH-%04d", "Medical Engineering"},
	{"Dräger", "Infinity M540", "MS25510", "patient-monitor", domain.ClassIIb, "", "", 9500, [2]string{"draeger", "infinity_m540"},
		[]demoVersion{{"VG4.1", "", "2020-03-01", "", 100}}, 90, []string{"or", "icu", "er"}, zMonitor, "", "ASFK-%04d", "Medical Engineering"},
	{"Spacelabs", "Xhibit Telemetry Receiver", "96280", "telemetry", domain.ClassIIa, "2020-12-31", "", 12400, [2]string{"spacelabs", "xhibit_telemetry_receiver"},
		[]demoVersion{{"1.0.2", "Windows 7 Embedded", "2013-05-01", eosWin7Emb, 100}}, 12, []string{"cardio"}, zLegacy, "xtr", "XTR-96280-%04d", "IT Clinical Systems"},
	{"Hillrom", "Welch Allyn Connex Spot Monitor", "71WX-B", "vital-signs", domain.ClassIIa, "", "", 3200, [2]string{"hillrom", "connex_spot_monitor"},
		[]demoVersion{{"1.52", "", "2019-08-01", "+5m", 60}, {"1.60", "", "2023-02-01", "", 40}}, 300, []string{"ward", "ward", "er", "rehab", "kward"}, zClinMC, "", "1000%07d", "Medical Engineering"},
	{"Hillrom", "Welch Allyn Connex Vital Signs Monitor", "6700", "vital-signs", domain.ClassIIa, "", "", 5400, [2]string{"hillrom", "connex_vital_signs_monitor"},
		[]demoVersion{{"2.43.00", "", "2019-03-01", "", 50}, {"2.43.02", "", "2021-06-01", "", 50}}, 160, []string{"ward", "obst", "er"}, zClinMC, "", "1001%07d", "Medical Engineering"},

	// Ventilation, anaesthesia, resuscitation.
	{"Hamilton Medical", "HAMILTON-T1", "161006", "ventilator", domain.ClassIIb, "", "", 24900, [2]string{"hamilton_medical", "hamilton-t1"},
		[]demoVersion{{"2.2.3", "", "2017-04-01", "", 50}, {"3.0.4", "", "2021-10-01", "", 50}}, 40, []string{"er", "icu", "picu"}, zMonitor, "", "T1-%06d", "Medical Engineering"},
	{"Dräger", "Evita V500", "8411600", "ventilator", domain.ClassIIb, "", "", 31200, [2]string{"draeger", "evita_v500"},
		[]demoVersion{{"2.51", "", "2016-06-01", "+10m", 55}, {"2.61", "", "2020-09-01", "", 45}}, 70, []string{"icu"}, zMonitor, "", "ASCK-%04d", "Medical Engineering"},
	{"Dräger", "Babylog VN500", "8411700", "ventilator", domain.ClassIIb, "", "", 36000, [2]string{"draeger", "babylog_vn500"},
		[]demoVersion{{"2.51", "", "2016-06-01", "+10m", 100}}, 24, []string{"nicu", "picu"}, zKids, "", "ASDJ-%04d", "Medical Engineering"},
	{"GE HealthCare", "Aisys CS2", "1011-9000-000", "anaesthesia", domain.ClassIIb, "", "", 58000, [2]string{"ge", "aisys_cs2"},
		[]demoVersion{{"11.2", "", "2019-01-01", "", 100}}, 32, []string{"or"}, zMonitor, "", "ANBR%05d", "Anaesthesiology"},
	{"GE HealthCare", "Aespire 7900", "1009-9000-000", "anaesthesia", domain.ClassIIb, "2022-12-31", "", 34000, [2]string{"ge", "aespire_7900"},
		[]demoVersion{{"7.0", "", "2011-01-01", "", 100}}, 8, []string{"or"}, zMonitor, "", "AMXM%05d", "Anaesthesiology"},
	{"Dräger", "Perseus A500", "8620000", "anaesthesia", domain.ClassIIb, "", "", 52000, [2]string{"draeger", "perseus_a500"},
		[]demoVersion{{"2.03", "", "2018-05-01", "", 100}}, 20, []string{"or"}, zMonitor, "", "ASKF-%04d", "Anaesthesiology"},
	{"ZOLL", "R Series", "30110000101110012", "defibrillator", domain.ClassIIb, "", "", 18500, [2]string{"zoll", "r_series"},
		[]demoVersion{{"3.01", "", "2017-02-01", "", 100}}, 95, []string{"er", "ward", "icu", "or", "ker", "rehab", "cath"}, zNone, "", "AF%07d", "Medical Engineering"},
	{"ZOLL", "Defibrillator Dashboard", "", "clinical-software", "", "", "", 0, [2]string{"zoll", "defibrillator_dashboard"},
		[]demoVersion{{"2.1", "Windows Server 2016", "2019-05-01", "", 100}}, 1, []string{"medeng"}, zDMZ, "zoll-dash", "ZDD-%04d", "IT Clinical Systems"},

	// Dialysis, electrosurgery, implant programmers, neurology.
	{"Baxter", "Phoenix Hemodialysis Delivery System", "", "dialysis", domain.ClassIIb, "2024-06-30", "", 26000, [2]string{"baxter", "phoenix_hemodialysis_delivery_system"},
		[]demoVersion{{"3.36", "", "2014-03-01", "", 60}, {"3.40", "", "2016-08-01", "", 40}}, 22, []string{"dialysis"}, zClinMC, "", "PHX%05d", "Nephrology and Dialysis"},
	{"B. Braun", "Dialog+", "710200K", "dialysis", domain.ClassIIb, "", "", 24000, [2]string{"bbraun", "dialog_plus"},
		[]demoVersion{{"9.1A", "", "2018-01-01", "", 100}}, 30, []string{"dialysis"}, zClinMC, "", "DLG%06d", "Nephrology and Dialysis"},
	{"Medtronic", "Valleylab FT10 Energy Platform", "VLFT10GEN", "electrosurgery", domain.ClassIIb, "", "", 33000, [2]string{"medtronic", "valleylab_ft10"},
		[]demoVersion{{"2.0.3", "", "2017-05-01", "", 30}, {"2.1.0", "", "2018-08-01", "", 30}, {"4.0.0", "", "2021-04-01", "", 40}}, 32, []string{"or"}, zNone, "", "FT10%06d", "Medical Engineering"},
	{"Medtronic", "Valleylab LS10 Energy Platform", "VLLS10GEN", "electrosurgery", domain.ClassIIb, "", "", 21000, [2]string{"medtronic", "valleylab_ls10"},
		[]demoVersion{{"1.20.2", "", "2016-09-01", "", 100}}, 10, []string{"or"}, zNone, "", "LS10%06d", "Medical Engineering"},
	{"Medtronic", "CareLink 2090 Programmer", "2090", "implant-programmer", domain.ClassIII, "", "", 19000, [2]string{"medtronic", "carelink_2090"},
		[]demoVersion{{"SW 8.3", "", "2016-01-01", "", 100}}, 4, []string{"cardio", "cath"}, zNone, "", "PJN%06d", "Cardiology"},
	{"Boston Scientific", "ZOOM LATITUDE PRM Model 3120", "3120", "implant-programmer", domain.ClassIII, "2023-12-31", "", 17000, [2]string{"bostonscientific", "zoom_latitude_prm_3120"},
		[]demoVersion{{"2.04", "", "2012-06-01", "", 100}}, 3, []string{"cardio"}, zNone, "", "312%06d", "Cardiology"},
	{"Natus", "Xltek NeuroWorks", "", "neuro-monitoring", domain.ClassIIa, "", "", 29000, [2]string{"natus", "xltek_neuroworks"},
		[]demoVersion{{"8", "Windows 7", "2014-01-01", eosWin7, 70}, {"9.1", "Windows 10", "2020-02-01", "", 30}}, 7, []string{"neuro"}, zClinMC, "EEG", "XLT-%05d", "Neurology and Stroke Unit"},

	// Imaging and its workstations, including the legacy tail.
	{"Siemens Healthineers", "SOMATOM go.Up", "11062201", "ct", domain.ClassIIb, "", "", 650000, [2]string{"siemens", "somatom_go.up"},
		[]demoVersion{{"VA30A", "Windows 10 IoT Enterprise LTSC", "2020-06-01", "", 100}}, 2, []string{"rad"}, zImaging, "CT-GOUP", "1084%02d", "Radiology IT (PACS team)"},
	{"Philips", "Brilliance 64", "728231", "ct", domain.ClassIIb, "2019-12-31", "", 480000, [2]string{"philips", "brilliance_64"},
		[]demoVersion{{"2.6.2", "Windows XP", "2009-09-01", eosXP, 100}}, 1, []string{"rad"}, zLegacy, "CT-B64", "B64-%04d", "Radiology IT (PACS team)"},
	{"Philips", "Brilliance CT Big Bore", "728243", "ct", domain.ClassIIb, "2021-12-31", "", 720000, [2]string{"philips", "brilliance_ct_big_bore"},
		[]demoVersion{{"2.3.5", "Windows XP", "2011-03-01", eosXP, 100}}, 1, []string{"rt"}, zLegacy, "CT-BB", "BBR-%04d", "Radiotherapy"},
	{"GE HealthCare", "Signa HDxt 3.0T", "", "mri", domain.ClassIIa, "2022-12-31", "", 1400000, [2]string{"ge", "signa_hdxt"},
		[]demoVersion{{"HD23", "Red Hat Enterprise Linux 5", "2011-06-01", "2017-03-31", 100}}, 1, []string{"rad"}, zLegacy, "MR-HDXT", "MR3-%04d", "Radiology IT (PACS team)"},
	{"Siemens Healthineers", "MAGNETOM Vida", "11060540", "mri", domain.ClassIIa, "", "", 1600000, [2]string{"siemens", "magnetom_vida"},
		[]demoVersion{{"XA50A", "Windows 10 IoT Enterprise LTSC", "2021-09-01", "", 100}}, 2, []string{"rad"}, zImaging, "MR-VIDA", "1759%02d", "Radiology IT (PACS team)"},
	{"GE HealthCare", "Optima MR360", "", "mri", domain.ClassIIa, "", "", 900000, [2]string{"ge", "optima_mr360"},
		[]demoVersion{{"SV23.0", "Red Hat Enterprise Linux 6", "2015-02-01", "", 100}}, 1, []string{"krad"}, zKids, "MR-360", "MR1-%04d", "Radiology IT (PACS team)"},
	{"Carestream", "DRX-Evolution Plus", "", "x-ray", domain.ClassIIb, "", "", 180000, [2]string{"carestream", "drx-evolution_plus"},
		[]demoVersion{{"5.7.412", "Windows 7", "2016-05-01", eosWin7, 50}, {"5.8.100", "Windows 10", "2020-11-01", "", 50}}, 6, []string{"rad", "er", "krad"}, zImaging, "DRX-EVO", "DRX-%05d", "Radiology IT (PACS team)"},
	{"Carestream", "DRX-Revolution", "", "x-ray", domain.ClassIIb, "", "", 140000, [2]string{"carestream", "drx-revolution"},
		[]demoVersion{{"5.8.100", "Windows 10", "2020-11-01", "", 100}}, 9, []string{"icu", "er", "rad", "krad"}, zImaging, "DRX-REV", "DRR-%05d", "Radiology IT (PACS team)"},
	{"Siemens Healthineers", "Cios Alpha", "10910000", "c-arm", domain.ClassIIb, "", "", 210000, [2]string{"siemens", "cios_alpha"},
		[]demoVersion{{"VA30", "Windows 10 IoT Enterprise LTSC", "2019-03-01", "", 100}}, 8, []string{"or"}, zImaging, "CARM", "2010%02d", "Radiology IT (PACS team)"},
	{"Siemens Healthineers", "Artis zee", "10094141", "angiography", domain.ClassIIb, "2023-12-31", "", 950000, [2]string{"siemens", "artis_zee"},
		[]demoVersion{{"VD11", "Windows 7", "2012-05-01", eosWin7, 100}}, 2, []string{"cath"}, zLegacy, "ANGIO", "1405%02d", "Cardiac Catheterisation Lab"},
	{"Philips", "Azurion 7", "722078", "angiography", domain.ClassIIb, "", "", 1100000, [2]string{"philips", "azurion"},
		[]demoVersion{{"1.2", "Windows 10 IoT Enterprise LTSC", "2019-10-01", "", 100}}, 2, []string{"cath"}, zImaging, "AZURION", "AZ7-%04d", "Cardiac Catheterisation Lab"},
	{"GE HealthCare", "LOGIQ 9", "", "ultrasound", domain.ClassIIa, "2014-12-31", "", 85000, [2]string{"ge", "logiq_9"},
		[]demoVersion{{"BT03", "Windows XP Embedded", "2006-04-01", eosXPEmb, 100}}, 8, []string{"rad", "cardio", "obst", "endo"}, zLegacy, "LOGIQ9", "LQ9-%05d", "Radiology IT (PACS team)"},
	{"GE HealthCare", "LOGIQ E10", "", "ultrasound", domain.ClassIIa, "", "", 95000, [2]string{"ge", "logiq_e10"},
		[]demoVersion{{"R3.2.1", "Windows 10 IoT Enterprise LTSC", "2021-02-01", "", 100}}, 24, []string{"rad", "er", "obst", "cardio", "krad", "icu"}, zImaging, "LOGIQE10", "LQE-%05d", "Radiology IT (PACS team)"},
	{"GE HealthCare", "Vivid 7", "", "ultrasound", domain.ClassIIa, "2016-12-31", "", 70000, [2]string{"ge", "vivid_7"},
		[]demoVersion{{"BT06", "Windows XP Embedded", "2008-02-01", eosXPEmb, 100}}, 3, []string{"cardio"}, zLegacy, "VIVID7", "VV7-%05d", "Cardiology"},
	{"GE HealthCare", "EchoPAC (Turnkey)", "", "imaging-workstation", domain.ClassIIa, "2016-12-31", "", 14000, [2]string{"ge", "echopac"},
		[]demoVersion{{"BT06", "Windows XP", "2008-02-01", eosXP, 100}}, 5, []string{"cardio"}, zLegacy, "ECHOPAC", "EPT-%05d", "Cardiology"},
	{"Siemens Healthineers", "Symbia Intevo", "10275021", "nuclear-medicine", domain.ClassIIb, "", "", 780000, [2]string{"siemens", "symbia_intevo"},
		[]demoVersion{{"VB20", "Windows 7", "2016-03-01", eosWin7, 100}}, 2, []string{"nuclear"}, zLegacy, "SPECT", "1027%02d", "Nuclear Medicine"},
	{"Siemens Healthineers", "Symbia.net SPECT Workplace", "", "imaging-workstation", domain.ClassIIa, "2016-12-31", "", 12000, [2]string{"siemens", "symbia.net"},
		[]demoVersion{{"VA60A", "Windows XP", "2010-01-01", eosXP, 100}}, 3, []string{"nuclear"}, zLegacy, "SYMBIA-WP", "SWP-%04d", "Nuclear Medicine"},
	{"Siemens Healthineers", "syngo.via", "10496180", "imaging-workstation", domain.ClassIIa, "", "", 8900, [2]string{"siemens", "syngo.via"},
		[]demoVersion{{"VB40A", "Windows 10 Enterprise", "2019-12-01", "", 100}}, 28, []string{"rad", "rad", "nuclear", "cath", "krad"}, zImaging, "RAD-WS", "SV-%05d", "Radiology IT (PACS team)"},
	{"Philips", "Vue PACS", "", "pacs", domain.ClassIIa, "", "", 120000, [2]string{"philips", "vue_pacs"},
		[]demoVersion{{"12.2.0.1", "Windows Server 2016", "2019-07-01", eosServer16, 100}}, 4, []string{"rad"}, zImaging, "PACS", "VUE-%04d", "Radiology IT (PACS team)"},
	{"Philips", "IntelliSpace Cardiovascular", "", "clinical-software", domain.ClassIIa, "", "", 60000, [2]string{"philips", "intellispace_cardiovascular"},
		[]demoVersion{{"2.3.0", "Windows Server 2012 R2", "2016-04-01", "2023-10-10", 100}}, 2, []string{"cardio"}, zImaging, "ISCV", "ISCV-%04d", "IT Clinical Systems"},

	// Laboratory.
	{"Roche Diagnostics", "cobas 8000", "", "lab-analyser", domain.ClassA, "", "", 420000, [2]string{"roche", "cobas_8000"},
		[]demoVersion{{"06-02", "", "2016-01-01", "", 100}}, 4, []string{"lab"}, zLab, "COBAS8K", "CB8-%04d", "Laboratory IT"},
	{"Roche Diagnostics", "Accu-Chek Inform II", "05060290001", "poc-testing", domain.ClassC, "", "", 650, [2]string{"roche", "accu-chek_inform_ii"},
		[]demoVersion{{"04.00.00", "", "2017-01-01", "", 60}, {"05.01.00", "", "2022-05-01", "", 40}}, 230, []string{"ward", "ward", "er", "icu", "kward", "rehab"}, zClinMC, "", "UU%08d", "Laboratory IT"},
	{"Roche Diagnostics", "CoaguChek XS Pro", "06688390001", "poc-testing", domain.ClassC, "", "", 1200, [2]string{"roche", "coaguchek_xs_pro"},
		[]demoVersion{{"01.04", "", "2016-01-01", "", 100}}, 45, []string{"er", "icu", "cardio", "or"}, zClinMC, "", "UP%08d", "Laboratory IT"},
	{"Roche Diagnostics", "cobas IT 1000 Workstation", "", "lab-pc", "", "", "", 1200, [2]string{"roche", "cobas_it_1000"},
		[]demoVersion{{"4.2", "Windows 7", "2013-01-01", eosWin7, 100}}, 30, []string{"lab", "lab", "er", "icu"}, zLab, "LAB-PC", "LPC-%05d", "Laboratory IT"},
	{"BD", "Kiestra PerformA", "", "lab-analyser", domain.ClassA, "", "", 35000, [2]string{"bd", "kiestra_performa"},
		[]demoVersion{{"2.0.14.0", "Windows 7", "2015-06-01", eosWin7, 100}}, 2, []string{"lab"}, zLab, "KIESTRA", "KPA-%04d", "Laboratory IT"},
	{"Illumina", "MiSeq Control Software", "", "lab-analyser", domain.ClassB, "", "", 99000, [2]string{"illumina", "miseq_control_software"},
		[]demoVersion{{"4.0", "Windows 7", "2015-03-01", eosWin7, 100}}, 2, []string{"lab"}, zLab, "MISEQ", "M0%04d", "Laboratory IT"},
	{"Illumina", "NextSeq 550Dx Operating Software", "", "lab-analyser", domain.ClassC, "", "", 250000, [2]string{"illumina", "nextseq_550dx"},
		[]demoVersion{{"1.3.1", "Windows 10 IoT Enterprise LTSC", "2019-10-01", "", 100}}, 1, []string{"lab"}, zLab, "NEXTSEQ", "NDX%05d", "Laboratory IT"},

	// Medication, beds, tubes.
	{"BD", "Pyxis MedStation ES", "", "medication-cabinet", "", "", "", 22000, [2]string{"bd", "pyxis_medstation_es"},
		[]demoVersion{{"1.7.2", "Windows 10 IoT Enterprise LTSC", "2019-04-01", "", 100}}, 48, []string{"icu", "er", "ward", "ward", "onco", "pharmacy"}, zClinMC, "PYXIS", "PYX-%05d", "Pharmacy"},
	{"BD", "Pyxis Anesthesia Station ES", "", "medication-cabinet", "", "", "", 26000, [2]string{"bd", "pyxis_anesthesia_station_es"},
		[]demoVersion{{"1.6.5", "Windows 10 IoT Enterprise LTSC", "2019-04-01", "", 100}}, 22, []string{"or"}, zClinMC, "PYXIS-AN", "PYA-%05d", "Pharmacy"},
	{"Stryker", "S3 MedSurg Bed", "3002", "smart-bed", domain.ClassI, "", "", 11000, [2]string{"stryker", "s3_medsurg_bed"},
		[]demoVersion{{"iBed Wireless 2.1", "", "2016-01-01", "", 100}}, 260, []string{"ward", "ward", "onco", "neuro", "rehab"}, zClinMC, "", "1612%06d", "Facilities"},
	{"Stryker", "InTouch ICU Bed", "2131", "smart-bed", domain.ClassI, "", "", 19000, [2]string{"stryker", "intouch_icu_bed"},
		[]demoVersion{{"iBed Wireless 2.1", "", "2016-01-01", "", 100}}, 90, []string{"icu", "picu"}, zClinMC, "", "2131%06d", "Facilities"},
	{"Swisslog Healthcare", "Translogic Nexus Control Panel", "", "pneumatic-tube", "", "", "", 3000, [2]string{"swisslog", "nexus_control_panel"},
		[]demoVersion{{"7.2.5.6", "", "2018-01-01", "", 70}, {"7.2.5.7", "", "2021-08-01", "", 30}}, 45, []string{"facilities", "lab", "er", "icu", "ward"}, zClinMC, "PTS", "NCP-%05d", "Facilities"},
}
