package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/disclosure"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/mds2"
	"github.com/vigil-med/vigil/internal/sbom"
	"github.com/vigil-med/vigil/internal/sbom/cyclonedx"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/vex"
)

//go:embed data/csaf-icsma/*.json
var icsmaFS embed.FS

// ValueAdvisories is left by the disclosures step: the number of advisories imported (int).
const ValueAdvisories = "disclosures.advisories"

// disclosures gives the demo hospital the manufacturers' disclosures of its models: SBOMs of 30 product
// versions (generated, real component versions), MDS2 forms of five models, all 88 real CISA ICSMA
// advisories (mapped to the inventory's models, the rest waiting in the mapping queue, two mappings
// remembered from earlier advisories), and two VEX documents (the manufacturer's and the hospital's
// own). The manufacturer organisation gets a product with an SBOM and an MDS2 draft it is filling in.
// Everything goes through the import functions the CLI and web UI use.
func disclosures(ctx context.Context, e *Env) error {
	c := e.Ctx(ctx, e.Hospital)
	sc := e.Store.Scope(e.Hospital.ID)
	versions, _ := e.Values[ValueVersions].(map[string]int64)
	products, _ := e.Values[ValueProducts].(map[string]int64)
	if versions == nil || products == nil {
		return fmt.Errorf("the inventory step must run first")
	}
	// SBOMs.
	for _, s := range demoSBOMs() {
		id, ok := versions[s.version]
		if !ok {
			return fmt.Errorf("demo SBOM: no product version %s", s.version)
		}
		f := strings.Split(s.version, "|")
		data, err := demoSBOMDoc(f[0], f[1], f[2], s.comps, e.Now)
		if err != nil {
			return err
		}
		name := strings.ToLower(strings.NewReplacer(" ", "-", ".", "", "|", "-").Replace(f[1]+"-"+f[2])) + ".cdx.json"
		if _, err := disclosure.ImportSBOM(c, sc, data, disclosure.SBOMOptions{ProductVersionID: id,
			Source: disclosure.Source{FileName: name, Kind: "demo", Ref: "demo/" + name}}); err != nil {
			return fmt.Errorf("demo SBOM %s: %w", s.version, err)
		}
	}
	// MDS2 forms.
	for _, m := range demoForms() {
		id, ok := versions[m.version]
		if !ok {
			return fmt.Errorf("demo MDS2: no product version %s", m.version)
		}
		var buf bytes.Buffer
		form := m.form()
		write, ext := mds2.WriteJSON, ".mds2.json"
		if m.xlsx {
			write, ext = mds2.WriteXLSX, ".xlsx"
		}
		if err := write(&buf, form); err != nil {
			return err
		}
		name := "MDS2 " + strings.ReplaceAll(m.version, "|", " ") + ext
		if _, err := disclosure.ImportMDS2(c, sc, buf.Bytes(), disclosure.MDS2Options{ProductVersionID: id,
			Source: disclosure.Source{FileName: name, Kind: "demo", Ref: "demo/" + name}}); err != nil {
			return fmt.Errorf("demo MDS2 %s: %w", m.version, err)
		}
	}
	// Two mappings the hospital made for earlier advisories: CISA names the PIC iX by an older name and
	// files the Connex Spot Monitor under Baxter (which bought Hillrom).
	ciso := domain.WithActor(ctx, domain.Actor{Kind: domain.ActorUser, UserID: e.Users[domain.RoleSecurityOfficer].ID,
		Name: e.Users[domain.RoleSecurityOfficer].Email, OrgID: e.Hospital.ID, Role: domain.RoleSecurityOfficer})
	if err := sc.Write(ciso, func(tx *store.Tx) error {
		for _, r := range []struct{ vendor, name, product string }{
			{"Philips", "Philips IntelliVue Information Center iX", "Philips|Patient Information Center iX"},
			{"Baxter", "Welch Allyn Connex Spot Monitor (CSM)", "Hillrom|Welch Allyn Connex Spot Monitor"},
		} {
			rule := disclosure.Rule(r.vendor, r.name, products[r.product], "")
			if err := tx.SaveMappingRule(ciso, &rule); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	// All the CISA ICSMA advisories.
	entries, err := fs.ReadDir(icsmaFS, "data/csaf-icsma")
	if err != nil {
		return err
	}
	var inputs []disclosure.Input
	for _, en := range entries {
		data, err := icsmaFS.ReadFile("data/csaf-icsma/" + en.Name())
		if err != nil {
			return err
		}
		inputs = append(inputs, disclosure.Input{Data: data, Source: disclosure.Source{FileName: en.Name(), Kind: "demo",
			Ref: "https://github.com/cisagov/CSAF/blob/develop/csaf_files/OT/white/" + icsmaYear(en.Name()) + "/" + en.Name()}})
	}
	rep, err := disclosure.ImportCSAFBatch(c, sc, inputs)
	if err != nil {
		return fmt.Errorf("demo advisories: %w (%+v)", err, rep.Errors)
	}
	e.Values[ValueAdvisories] = rep.Created
	// VEX: the manufacturer's statement on its pump platform, and the hospital's own assessment of Log4Shell.
	for _, v := range demoVEX(e.Now) {
		if _, err := disclosure.ImportVEX(c, sc, v.data, disclosure.VEXOptions{SourceKind: v.kind,
			Source: disclosure.Source{FileName: v.name, Kind: "demo", Ref: "demo/" + v.name}}); err != nil {
			return fmt.Errorf("demo VEX %s: %w", v.name, err)
		}
	}
	return manufacturerDisclosures(ctx, e)
}

// icsmaYear is the folder year of an advisory file name (icsma-19-… → 2019).
func icsmaYear(name string) string {
	if len(name) > 8 {
		return "20" + name[6:8]
	}
	return ""
}

// demoSBOMDoc writes a CycloneDX SBOM of a product version.
func demoSBOMDoc(maker, product, version string, comps []demoComp, now time.Time) ([]byte, error) {
	sum := sha256.Sum256([]byte(maker + "|" + product + "|" + version))
	h := fmt.Sprintf("%x", sum[:16])
	serial := "urn:uuid:" + h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-8" + h[17:20] + "-" + h[20:32] // a version-4 form
	doc := &sbom.Document{Format: sbom.CycloneDXJSON, Serial: serial, Created: now.AddDate(0, -3, 0).UTC().Truncate(time.Second),
		Tools:   []string{maker + " build system"},
		Subject: &sbom.Component{Ref: "device", Type: "device", Name: product, Version: version, Supplier: maker}}
	var l sbom.Licenses
	for i, c := range comps {
		sc := sbom.Component{Ref: fmt.Sprintf("c%03d", i+1), Type: c.typ, Group: c.group, Name: c.name, Version: c.version, PURL: c.purl,
			CPE: c.cpe, Supplier: c.supplier}
		if c.license != "" {
			sc.Licenses = l.Normalize(c.license)
		}
		doc.Components = append(doc.Components, sc)
	}
	var buf bytes.Buffer
	err := cyclonedx.Encode(&buf, doc, sbom.CycloneDXJSON)
	return buf.Bytes(), err
}

// demoForm is an MDS2 form of a product version.
type demoForm struct {
	version  string // "Manufacturer|Product|Version"
	docID    string
	released string
	models   string
	profile  string // modern, legacy, pump, imaging
	xlsx     bool
	answers  map[string]string
	notes    map[string]string
}

func demoForms() []demoForm {
	return []demoForm{
		{version: "B. Braun|Infusomat Space|U62", docID: "BBM-MDS2-SPACE-U62", released: "2021-04-12", models: "8713050 (Infusomat Space), 8713030 (Perfusor Space), software U62",
			profile: "pump", xlsx: true, answers: map[string]string{"CONN-1": "Yes", "TXCF-2": "Yes, WPA2-Enterprise (EAP-TLS) for WLAN", "SBOM-1": "Yes"}},
		{version: "Philips|IntelliVue MX800|N.00.01", docID: "PHI-MDS2-MX800-N", released: "2021-10-01", models: "865240 MX800, 865241 MX700, 865242 MX600, release N.00",
			profile: "modern", answers: map[string]string{"MLDP-2": "No", "MLDP-3": "Yes, see Note 1", "RMOT-1": "Yes, Philips Remote Services (SRS)"},
			notes: map[string]string{"1": "The monitor runs a closed real-time operating system; application allow-listing and a host firewall replace anti-malware."}},
		{version: "Philips|Patient Information Center iX|B.02", docID: "PHI-MDS2-PICIX-B02", released: "2016-05-20", models: "866389 PIC iX, release B.02",
			profile: "legacy", answers: map[string]string{"MLDP-2": "Yes, McAfee VirusScan Enterprise 8.8 (customer installed)", "STCF-1": "No", "CSUP-2.1": "No"}},
		{version: "Philips|Patient Information Center iX|C.03", docID: "PHI-MDS2-PICIX-C03", released: "2020-01-15", models: "866389 PIC iX, release C.03",
			profile: "modern", answers: map[string]string{"MLDP-2": "Yes, Microsoft Defender (validated definitions)", "STCF-1": "Yes, BitLocker (AES-256)", "PAUT-8": "Yes, optional"}},
		{version: "GE HealthCare|CARESCAPE B450|3.2", docID: "GEHC-MDS2-B450-3", released: "2022-02-01", models: "B450 (2062918-001), software 3.2",
			profile: "modern", answers: map[string]string{"MLDP-2": "N/A", "MLDP-3": "Yes", "CSUP-8": "No", "TXCF-2": "Yes, TLS 1.2 to CARESCAPE Gateway"}},
		{version: "Siemens Healthineers|syngo.via|VB40A", docID: "SHS-MDS2-SYNGOVIA-VB40", released: "2020-06-30", models: "syngo.via VB40A (10496180)",
			profile: "imaging", answers: map[string]string{"SBOM-1": "Yes, on request", "CSUP-2.1": "Yes, Siemens-validated Microsoft updates only"}},
	}
}

// form fills a 2019 form: every question by the profile's default for its section, then the form's own
// answers.
func (m demoForm) form() *mds2.Form {
	f := mds2.NewForm()
	parts := strings.Split(m.version, "|")
	_ = f.Set("DOC-1", parts[0])
	_ = f.Set("DOC-2", parts[1])
	_ = f.Set("DOC-3", m.models)
	_ = f.Set("DOC-4", m.docID)
	_ = f.Set("DOC-5", "productsecurity@"+strings.ToLower(strings.NewReplacer(" ", "", ".", "").Replace(parts[0]))+".example")
	_ = f.Set("DOC-6", "Connected to the hospital's isolated clinical network segment for its clinical purpose.")
	_ = f.Set("DOC-7", m.released)
	no := map[string]map[string]bool{
		"modern":  {"PAUT-8": true, "CSUP-8": true, "DIDT-1": true, "RMOT-3": true, "CONN-6": true},
		"legacy":  {"PAUT-8": true, "CSUP-8": true, "STCF-1": true, "TXCF-2": true, "AUTH-1": true, "DOC-9": true, "SBOM-1": true, "RDMP-4": true, "CONN-7": true, "NAUT-2": true},
		"pump":    {"PAUT-8": true, "MLDP-2": true, "CSUP-8": true, "AUTH-1": true, "CONN-6": true, "RMOT-1": true, "RMOT-2": true, "RMOT-3": true, "DIDT-1": true},
		"imaging": {"PAUT-8": true, "CSUP-8": true, "CONN-6": true},
	}[m.profile]
	for _, q := range mds2.Catalogue() {
		if q.Kind != mds2.KindYesNo || q.Group || strings.HasPrefix(q.ID, "DOC-1") && len(q.ID) > 6 {
			continue
		}
		ans := "Yes"
		switch {
		case no[q.ID]:
			ans = "No"
		case q.Parent != "" && no[q.Parent]:
			ans = "N/A"
		case m.profile == "pump" && (q.Section == "MPII" && q.Parent != "" || q.Section == "PLOK" || q.Section == "EMRG"):
			ans = "N/A"
		case m.profile == "legacy" && (q.Section == "CSUP" && q.Parent != "" || q.Section == "SAHD" && strings.Count(q.ID, ".") > 0):
			ans = "No"
		case q.Section == "MPII" && strings.Count(q.ID, ".") > 0 && len(q.ID)%3 == 0:
			ans = "No"
		}
		_ = f.Set(q.ID, ans)
	}
	for id, a := range m.answers {
		_ = f.Set(id, a)
	}
	for n, t := range m.notes {
		_ = f.SetNote(n, t)
	}
	_ = f.SetOther("Generated for the Vigil demo; not a statement of " + parts[0] + ".")
	f.Warnings = nil
	return f
}

type demoVEXDoc struct {
	name, kind string
	data       []byte
}

// demoVEX writes the demo's VEX documents: B. Braun says the U62 platform is not affected by two OpenSSL
// vulnerabilities (the vulnerable code is not used) and fixed the zlib one; the hospital records that
// Log4Shell in the Alaris Systems Manager cannot be reached (the JNDI lookup class was removed on site).
func demoVEX(now time.Time) []demoVEXDoc {
	day := now.AddDate(0, -1, 0).UTC().Truncate(time.Second)
	pump := vex.Product{Name: "Infusomat Space", Version: "U62"}
	ossl := &vex.Product{Name: "openssl", Version: "1.1.1k", PURL: "pkg:generic/openssl@1.1.1k"}
	var out []demoVEXDoc
	var b bytes.Buffer
	if err := vex.EncodeOpenVEX(&b, []vex.Statement{
		{Vulnerability: "CVE-2021-3711", Product: pump, Component: ossl, Status: vex.NotAffected, Justification: vex.VulnerableCodeNotInExecutePath,
			ImpactStatement: "SM2 decryption is not used by the pump software.", Timestamp: day},
		{Vulnerability: "CVE-2021-3712", Product: pump, Component: ossl, Status: vex.NotAffected, Justification: vex.VulnerableCodeCannotBeControlledByAdversary,
			ImpactStatement: "ASN.1 strings are only read from the hospital's own certificate authority.", Timestamp: day},
		{Vulnerability: "CVE-2022-0778", Product: vex.Product{Name: "Perfusor Space", Version: "U62"}, Component: ossl, Status: vex.Affected,
			ActionStatement: "Install software U63 (OpenSSL 1.1.1n) at the next maintenance.", Timestamp: day},
	}, "B. Braun Product Security", day); err == nil {
		out = append(out, demoVEXDoc{"bbraun-space-u62.openvex.json", domain.VEXManufacturer, append([]byte(nil), b.Bytes()...)})
	}
	b.Reset()
	if err := vex.EncodeCycloneDX(&b, []vex.Statement{
		{Vulnerability: "CVE-2021-44228", Product: vex.Product{Name: "Alaris Systems Manager", Version: "4.33"},
			Component: &vex.Product{Name: "log4j-core", Version: "2.14.1", PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"},
			Status:    vex.NotAffected, Justification: vex.InlineMitigationsAlreadyExist,
			ImpactStatement: "JndiLookup.class removed from log4j-core on the server (change CHG-2021-1187); outbound LDAP blocked at the firewall.",
			Timestamp:       day},
	}, day); err == nil {
		out = append(out, demoVEXDoc{"nuh-log4shell-assessment.cdx.json", domain.VEXHospital, append([]byte(nil), b.Bytes()...)})
	}
	return out
}

// manufacturerDisclosures gives the manufacturer organisation its own product with an SBOM and an MDS2
// draft its product-security team is filling in.
func manufacturerDisclosures(ctx context.Context, e *Env) error {
	u := e.Users[domain.RoleManufacturer]
	mctx := domain.WithActor(ctx, domain.Actor{Kind: domain.ActorUser, UserID: u.ID, Name: u.Email, OrgID: e.Manufacturer.ID, Role: domain.RoleManufacturer})
	msc := e.Store.Scope(e.Manufacturer.ID)
	comps := join([]demoComp{linuxKernel("5.10.120"), busybox("1.35.0"), openssl111k, zlib1211, sqlite3220, libxml294}, yoctoBase(true))
	data, err := demoSBOMDoc("Meridian Medical Systems", "VitaFlow 300", "3.2.0", comps, e.Now)
	if err != nil {
		return err
	}
	rep, err := disclosure.ImportSBOM(mctx, msc, data, disclosure.SBOMOptions{Manufacturer: "Meridian Medical Systems", Product: "VitaFlow 300",
		Version: "3.2.0", Source: disclosure.Source{FileName: "vitaflow-300-3.2.0.cdx.json", Kind: "demo", Ref: "build/vitaflow-300-3.2.0.cdx.json"}})
	if err != nil {
		return err
	}
	var pv int64
	for _, ch := range rep.Changes {
		if ch.What == "SBOM" {
			pv = ch.ID
		}
	}
	draft, err := disclosure.NewDraft(mctx, msc, disclosure.DraftInput{ProductVersionID: pv, Models: "VF300 (software 3.2.0)"})
	if err != nil {
		return err
	}
	answers := map[string]string{"DOC-4": "MMS-MDS2-VF300-3.2", "DOC-7": domain.DateOf(e.Now).String(), "DOC-8": "Yes", "DOC-9": "Yes, Health-ISAC",
		"MPII-1": "Yes", "ALOF-1": "Yes", "AUDT-1": "Yes", "AUTH-1": "Yes", "PAUT-1": "Yes", "PAUT-8": "No", "STCF-1": "Yes, AES-256",
		"TXCF-2": "Yes, TLS 1.3", "SBOM-1": "Yes", "CSUP-7": "Yes"}
	_, err = disclosure.SaveDraft(mctx, msc, draft.ID, disclosure.DraftEdit{Answers: answers})
	return err
}
