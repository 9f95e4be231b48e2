package disclosure_test

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/disclosure"
	"github.com/vigil-med/vigil/internal/disclosure/disclosuretest"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
	"github.com/vigil-med/vigil/internal/vex"
)

var icsmaDir = filepath.Join("..", "csaf", "testdata", "icsma")

// linksOf describes the mapping of an advisory's products: "product name | version text" → "state:
// Product[versions]".
func linksOf(t testing.TB, e *env, trackingID string) map[string]string {
	t.Helper()
	a, err := e.sc.AdvisoryByTrackingID(e.ctx, trackingID)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := e.sc.AdvisoryProducts(e.ctx, domain.AdvisoryProductFilter{AdvisoryID: a.ID, ListParams: domain.ListParams{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, p := range ps.Items {
		s := p.State + ":"
		for _, l := range p.Links {
			var vs []string
			for _, v := range l.Versions {
				vs = append(vs, v.Version)
			}
			s += " " + l.Product + "[" + strings.Join(vs, ",") + "]"
		}
		out[p.ProductName+" | "+p.VersionText()] = s
	}
	return out
}

// TestImportCSAFMapping imports real ICSMA advisories into an inventory that has some of their products
// and checks the mapping: names with the manufacturer's aliases, a product name contained in the
// advisory's, model numbers, version lists, ranges and "and below" texts, and a product another
// advisory product names better; and the VEX statements derived for the covered versions.
func TestImportCSAFMapping(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		bd := "Becton, Dickinson and Company (BD)"
		gw := []domain.ProductVersion{e.version(t, "BD", "Alaris Gateway Workstation", "1.1.6", bd), e.version(t, "BD", "Alaris Gateway Workstation", "1.6.1")}
		e.version(t, "BD", "Alaris GH", "2.3.6")
		e.version(t, "BD", "Alaris GH", "4.1.2")
		e.version(t, "Baxter", "Sigma Spectrum", "8.00.01")
		e.version(t, "Baxter", "Spectrum IQ", "9.02.00")
		if err := e.sc.Write(e.ctx, func(tx *store.Tx) error {
			ps, err := tx.Scope().Products(e.ctx, domain.ProductFilter{ListParams: domain.ListParams{Q: "spectrum"}})
			if err != nil {
				return err
			}
			for _, p := range ps.Items {
				p.ModelNumber = map[string]string{"Sigma Spectrum": "35700BAX2", "Spectrum IQ": "35700BAX3"}[p.Name]
				if err := tx.UpdateProduct(e.ctx, p); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		inputs, err := disclosure.CSAFFiles(filepath.Join(icsmaDir, "icsma-19-164-01.json"))
		if err != nil {
			t.Fatal(err)
		}
		more, _ := disclosure.CSAFFiles(filepath.Join(icsmaDir, "icsma-22-251-01.json"))
		rep, err := disclosure.ImportCSAFBatch(e.ctx, e.sc, append(inputs, more...))
		if err != nil || rep.Created != 2 {
			t.Fatalf("%+v %v", rep, err)
		}
		want := map[string]string{
			"Alaris Gateway Workstation | 1.1.6":                        "mapped: Alaris Gateway Workstation[1.1.6]",
			"Alaris Gateway Workstation | 1.1.5":                        "mapped: Alaris Gateway Workstation[]",
			"Alaris Gateway Workstation | 1.3.1 Build 13":               "mapped: Alaris Gateway Workstation[]",
			"Alaris Gateway Workstation | 1.1.3 MR Build 11":            "mapped: Alaris Gateway Workstation[]",
			"Alaris Gateway Workstation | 1.0.13":                       "mapped: Alaris Gateway Workstation[]",
			"Alaris Gateway Workstation | 1.3.0 Build 14":               "mapped: Alaris Gateway Workstation[]",
			"Alaris Gateway Workstation | 1.1.3 Build 10":               "mapped: Alaris Gateway Workstation[]",
			"Alaris Gateway Workstation Alaris GH | 2.3.6 and  below":   "mapped: Alaris GH[2.3.6]",
			"Alaris Gateway Workstation Alaris GS | 2.3.6 and  below":   "unmapped:",
			"Alaris Gateway Workstation Alaris CC | 2.3.6 and  below":   "unmapped:",
			"Alaris Gateway Workstation Alaris TIVA | 2.3.6 and  below": "unmapped:",
		}
		if diff := cmp.Diff(want, linksOf(t, e, "ICSMA-19-164-01")); diff != "" {
			t.Errorf("ICSMA-19-164-01 (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(map[string]string{
			"Baxter Spectrum IQ | 9.x model 35700BAX3":                                                                                   "mapped: Spectrum IQ[9.02.00]",
			"Sigma Spectrum | 8.x model 35700BAX2":                                                                                       "mapped: Sigma Spectrum[8.00.01]",
			"Sigma Spectrum | 6.x model 35700BAX":                                                                                        "mapped: Sigma Spectrum[]",
			"Baxter Spectrum IQ LVP | 9.x (with Wireless Battery Modules >= 22D19 | <= v22D28)":                                          "unmapped:",
			"Sigma Spectrum LVP | 8.x (Wireless Battery Modules v17 | v17D19 >= 20D29 | <= 20D32 | >= 22D24 | <= 22D28)":                 "unmapped:",
			"Sigma Spectrum LVP | 6.x (Wireless Battery Modules (16 | 16D38 | 17 | 17D19 | >= 20D29 | <= v20D32 | >= 22D24 | <= v22D28)": "unmapped:",
		}, linksOf(t, e, "ICSMA-22-251-01")); diff != "" {
			t.Errorf("ICSMA-22-251-01 (-want +got):\n%s", diff)
		}
		// The queue explains itself: the LVP resembles Sigma Spectrum, which the advisory lists separately.
		q, _ := e.sc.AdvisoryProducts(e.ctx, domain.AdvisoryProductFilter{State: domain.MappingUnmapped, ListParams: domain.ListParams{Q: "Sigma Spectrum LVP", Limit: 10}})
		if len(q.Items) != 2 || !strings.Contains(q.Items[0].Note, "resembles Sigma Spectrum, which the advisory lists as a product of its own") || len(q.Items[0].Suggestions) != 1 {
			t.Errorf("queue: %+v", q.Items)
		}
		// VEX statements from the product status: both CVEs known affected on 1.1.6, nothing on 1.6.1.
		vx, _ := e.sc.VersionVEX(e.ctx, gw[0].ID)
		var got []string
		for _, s := range vx {
			got = append(got, s.Vulnerability+" "+s.Status+" "+s.SourceFormat+" "+s.SourceKind)
		}
		if diff := cmp.Diff([]string{"CVE-2019-10959 affected csaf manufacturer", "CVE-2019-10962 affected csaf manufacturer"}, got); diff != "" {
			t.Errorf("statements of 1.1.6 (-want +got):\n%s", diff)
		}
		if vx, _ := e.sc.VersionVEX(e.ctx, gw[1].ID); len(vx) != 0 {
			t.Errorf("1.6.1 has %d statements", len(vx))
		}
		adv, _ := e.sc.Advisories(e.ctx, domain.AdvisoryFilter{ProductVersionID: gw[0].ID})
		if len(adv.Items) != 1 || adv.Items[0].TrackingID != "ICSMA-19-164-01" || adv.Items[0].MaxCVSS != 10 || adv.Items[0].Severity != "critical" {
			t.Errorf("advisories of 1.1.6: %+v", adv.Items)
		}
		// A new version of the product is covered once the mapping is applied again.
		v115 := e.version(t, "BD", "Alaris Gateway Workstation", "1.1.5")
		if _, err := disclosure.Remap(e.ctx, e.sc); err != nil {
			t.Fatal(err)
		}
		if got := linksOf(t, e, "ICSMA-19-164-01")["Alaris Gateway Workstation | 1.1.5"]; got != "mapped: Alaris Gateway Workstation[1.1.5]" {
			t.Errorf("after remap: %s", got)
		}
		if vx, _ := e.sc.VersionVEX(e.ctx, v115.ID); len(vx) != 2 {
			t.Errorf("1.1.5 has %d statements after the remap", len(vx))
		}
		e.verifyAudit(t)
	})
}

// TestMappingRememberedForLaterAdvisories: a person maps a product of one advisory; the next advisory
// that names it is mapped by that rule at once. Ignoring works the same way, for a product or a vendor.
func TestMappingRememberedForLaterAdvisories(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		e.version(t, "Acme Medical", "Pump 3000", "1.2.3")
		hub := e.version(t, "Acme Medical", "Infusion Hub", "2.0")
		if _, err := disclosure.ImportCSAF(e.ctx, e.sc, disclosuretest.CSAF("ACME-2025-001", "Acme Medical", "Pump 3000", "1.2.3"), disclosure.Source{FileName: "a1.json"}); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(map[string]string{"Pump 3000 | 1.2.3": "mapped: Pump 3000[1.2.3]", "Pump 3000 | 9.9.9": "mapped: Pump 3000[]",
			"Gadget 1 | 1.0": "unmapped:"}, linksOf(t, e, "ACME-2025-001")); diff != "" {
			t.Fatalf("first advisory (-want +got):\n%s", diff)
		}
		q, _ := e.sc.AdvisoryProducts(e.ctx, domain.AdvisoryProductFilter{State: domain.MappingUnmapped})
		// A version range that is not one is refused, naming it.
		if _, err := disclosure.MapAdvisoryProduct(e.ctx, e.sc, q.Items[0].ID, disclosure.MapInput{ProductID: hub.ProductID, VersionRange: "the new ones"}); err == nil ||
			!strings.Contains(err.Error(), `"the new ones" is not a version range`) {
			t.Errorf("bad range: %v", err)
		}
		res, err := disclosure.MapAdvisoryProduct(e.ctx, e.sc, q.Items[0].ID, disclosure.MapInput{ProductID: hub.ProductID, VersionRange: "all versions"})
		if err != nil || res.Mapped != 3 || res.Unmapped != 0 {
			t.Fatalf("map: %+v %v", res, err)
		}
		rules, _ := e.sc.MappingRules(e.ctx)
		if len(rules) != 1 || rules[0].Name != "Gadget 1" || rules[0].Product != "Infusion Hub" || rules[0].VersionRange != "all versions" {
			t.Errorf("rules: %+v", rules)
		}
		// The second advisory names Gadget 1 again: mapped by the rule, its statements on the hub.
		if _, err := disclosure.ImportCSAF(e.ctx, e.sc, disclosuretest.CSAF("ACME-2025-002", "Acme Medical", "Pump 3000", "1.2.3"), disclosure.Source{FileName: "a2.json"}); err != nil {
			t.Fatal(err)
		}
		if got := linksOf(t, e, "ACME-2025-002")["Gadget 1 | 1.0"]; got != "mapped: Infusion Hub[2.0]" {
			t.Errorf("second advisory: Gadget 1 %s", got)
		}
		a2, _ := e.sc.AdvisoryByTrackingID(e.ctx, "ACME-2025-002")
		ps, _ := e.sc.AdvisoryProducts(e.ctx, domain.AdvisoryProductFilter{AdvisoryID: a2.ID, ListParams: domain.ListParams{Q: "gadget"}})
		if len(ps.Items) != 1 || ps.Items[0].Note != "by a remembered mapping" || ps.Items[0].Links[0].Method != "rule" {
			t.Errorf("how: %+v", ps.Items)
		}
		if vx, _ := e.sc.VersionVEX(e.ctx, hub.ID); len(vx) != 2 {
			t.Errorf("the hub has %d statements, want one of each advisory", len(vx))
		}
		// Forgetting the rule maps both advisories again: Gadget 1 waits in the queue.
		if _, err := disclosure.DeleteMappingRule(e.ctx, e.sc, rules[0].ID); err != nil {
			t.Fatal(err)
		}
		if q, _ := e.sc.AdvisoryProducts(e.ctx, domain.AdvisoryProductFilter{State: domain.MappingUnmapped}); q.Total != 2 {
			t.Errorf("after forgetting: %d waiting", q.Total)
		}
		// Ignoring every product of a vendor: later advisories of it leave nothing in the queue.
		q, _ = e.sc.AdvisoryProducts(e.ctx, domain.AdvisoryProductFilter{State: domain.MappingUnmapped})
		if _, err := disclosure.IgnoreAdvisoryProduct(e.ctx, e.sc, q.Items[0].ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := disclosure.ImportCSAF(e.ctx, e.sc, disclosuretest.CSAF("ACME-2025-003", "Acme Medical", "Pump 9000", "1.0"), disclosure.Source{FileName: "a3.json"}); err != nil {
			t.Fatal(err)
		}
		if q, _ := e.sc.AdvisoryProducts(e.ctx, domain.AdvisoryProductFilter{State: domain.MappingUnmapped}); q.Total != 0 {
			t.Errorf("after ignoring the vendor: %d waiting", q.Total)
		}
		e.verifyAudit(t)
	})
}

// TestImportCSAFFolder imports every ICSMA advisory as the CLI's folder import does, then again (all
// skipped); an older version is kept as evidence only; a broken file in the folder fails alone.
func TestImportCSAFFolder(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		inputs, err := disclosure.CSAFFiles(icsmaDir)
		if err != nil {
			t.Fatal(err)
		}
		if len(inputs) != 88 {
			t.Fatalf("%d files", len(inputs))
		}
		rep, err := disclosure.ImportCSAFBatch(e.ctx, e.sc, inputs)
		if err != nil || rep.Created != 88 || rep.Failed != 0 {
			t.Fatalf("%s %v", rep.Summary(), err)
		}
		c := e.counts(t)
		if c.Advisories != 88 || c.Documents[domain.DisclosureCSAF] != 88 || c.Unmapped < 300 {
			t.Errorf("counts: %+v", c)
		}
		vulns := 0
		page, _ := e.sc.Advisories(e.ctx, domain.AdvisoryFilter{ListParams: domain.ListParams{Limit: 500}})
		for _, a := range page.Items {
			vulns += a.Vulnerabilities
		}
		if vulns != 248 {
			t.Errorf("%d vulnerabilities, want the 248 of the advisories", vulns)
		}
		rep, err = disclosure.ImportCSAFBatch(e.ctx, e.sc, inputs)
		if err != nil || rep.Skipped != 88 {
			t.Errorf("again: %s %v", rep.Summary(), err)
		}
		// An older version (the same advisory with a lower tracking version) is evidence only.
		data := fixture(t, "csaf", "testdata", "icsma", "icsma-17-009-01a.json")
		old := strings.Replace(string(data), `"version": "2"`, `"version": "1"`, 1)
		if old == string(data) {
			t.Fatal("fixture changed: no tracking version 2")
		}
		rep, err = disclosure.ImportCSAF(e.ctx, e.sc, []byte(old), disclosure.Source{FileName: "old.json"})
		if err != nil || rep.Skipped != 1 || !strings.Contains(rep.Changes[0].Detail, "kept as evidence") {
			t.Errorf("older version: %+v %v", rep, err)
		}
		if docs, _ := e.sc.DocumentsByRef(e.ctx, domain.DisclosureCSAF, "ICSMA-17-009-01A"); len(docs) != 2 {
			t.Errorf("%d documents of the advisory", len(docs))
		}
		// A folder with a truncated file: the others are imported, the bad one named with its problem.
		dir := t.TempDir()
		for _, f := range []string{"icsma-24-163-01.json", "icsma-24-249-01.json"} {
			if err := os.WriteFile(filepath.Join(dir, f), fixture(t, "csaf", "testdata", "icsma", f), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, "broken.json"), data[:2000], 0o644); err != nil {
			t.Fatal(err)
		}
		e2 := newEnvOrg(t, st, "beta")
		inputs, _ = disclosure.CSAFFiles(dir)
		rep, err = disclosure.ImportCSAFBatch(e2.ctx, e2.sc, inputs)
		if err == nil || rep.Created != 2 || rep.Failed != 1 || !strings.HasSuffix(rep.Errors[0].File, "broken.json") ||
			!strings.Contains(rep.Errors[0].Message, "truncated") {
			t.Errorf("folder with a broken file: %+v %v", rep.Errors, err)
		}
	})
}

func newEnvOrg(t testing.TB, st *store.Store, slug string) *env {
	org := testutil.Org(t, st, slug)
	return &env{ctx: testutil.Ctx(org.ID), st: st, sc: st.Scope(org.ID), org: org}
}

// TestVEXGranularity attaches VEX statements at the level their documents name: a product version
// by name and version, by a BOM-Link to its SBOM, or a component of several versions by package URL; a
// statement about nothing in the inventory is kept and attached when an SBOM names its component.
func TestVEXGranularity(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		abc := e.version(t, "Example Company", "ABC", "4.2")
		// (a) Product name and version (CycloneDX VEX of the CISA use cases, and CSAF VEX via the CSAF reader).
		rep, err := disclosure.ImportVEX(e.ctx, e.sc, fixture(t, "vex", "testdata", "cyclonedx", "VEX_CISA-Use-Cases_Case-1_vex-not_affected.json"), disclosure.VEXOptions{})
		if err != nil || !strings.Contains(rep.Changes[0].Detail, "1 statements, 1 attached to 1 product versions") {
			t.Fatalf("name: %+v %v", rep, err)
		}
		rep, err = disclosure.ImportVEX(e.ctx, e.sc, fixture(t, "csaf", "testdata", "examples", "csaf_csaf_vex_2022-evd-uc-01-na-001.json"), disclosure.VEXOptions{SourceKind: domain.VEXHospital})
		if err != nil || rep.Format != "csaf" {
			t.Fatalf("CSAF VEX: %+v %v", rep, err)
		}
		vx, _ := e.sc.VersionVEX(e.ctx, abc.ID)
		var got []string
		for _, s := range vx {
			got = append(got, s.Vulnerability+" "+s.Status+" "+s.SourceFormat+" "+s.SourceKind+" component="+s.ComponentName)
		}
		sort.Strings(got)
		if diff := cmp.Diff([]string{"CVE-2021-44228 not_affected csaf hospital component=", "CVE-2021-44228 not_affected cyclonedx manufacturer component="}, got); diff != "" {
			t.Errorf("ABC 4.2 (-want +got):\n%s", diff)
		}
		// (b) BOM-Links: the SBOM with serial 2c385cf7… is that of Acme Product 1.0.
		acme := e.version(t, "Acme", "Acme Product", "1.0")
		if _, err := disclosure.ImportSBOM(e.ctx, e.sc, fixture(t, "vex", "testdata", "cyclonedx", "VEX_Use-Cases_Case-6_bom-1.json"), disclosure.SBOMOptions{ProductVersionID: acme.ID}); err != nil {
			t.Fatal(err)
		}
		rep, err = disclosure.ImportVEX(e.ctx, e.sc, fixture(t, "vex", "testdata", "cyclonedx", "VEX_Use-Cases_Case-6_vex.json"), disclosure.VEXOptions{})
		if err != nil || !strings.Contains(rep.Changes[0].Detail, "3 statements, 1 attached to 1 product versions; 2 name no product") {
			t.Errorf("BOM-Link: %+v %v", rep, err)
		}
		if vx, _ := e.sc.VersionVEX(e.ctx, acme.ID); len(vx) != 1 || vx[0].Vulnerability != "CVE-2020-25649" || vx[0].Justification != "vulnerable_code_not_in_execute_path" {
			t.Errorf("Acme Product 1.0: %+v", vx)
		}
		// (c) A component in two versions' SBOMs: one statement each, about the component.
		var pumps []int64
		for i, v := range []string{"1.0", "2.0"} {
			rep, err := disclosure.ImportSBOM(e.ctx, e.sc, disclosuretest.CycloneDX("Pump 3000", v, "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b7"+v[:1]),
				disclosure.SBOMOptions{Manufacturer: "Acme", Product: "Pump 3000", Version: v})
			if err != nil {
				t.Fatal(i, err)
			}
			pumps = append(pumps, rep.Changes[1].ID)
		}
		openvex := `{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://acme.example/vex/1", "author": "Acme", "timestamp": "2025-01-02T03:04:05Z", "version": 1,
  "statements": [{"vulnerability": {"name": "CVE-2021-44228"}, "products": [{"@id": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}],
    "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]}`
		if _, err := disclosure.ImportVEX(e.ctx, e.sc, []byte(openvex), disclosure.VEXOptions{}); err != nil {
			t.Fatal(err)
		}
		for _, pv := range pumps {
			vx, _ := e.sc.VersionVEX(e.ctx, pv)
			if len(vx) != 1 || vx[0].ComponentName != "log4j-core" || vx[0].ComponentVersion != "2.14.1" || vx[0].Status != "not_affected" {
				t.Errorf("pump version %d: %+v", pv, vx)
			}
		}
		// (d) A statement about a component that no SBOM has yet waits unattached; the OCI image statements
		// of go-vex name nothing of the inventory and stay so.
		if _, err := disclosure.ImportVEX(e.ctx, e.sc, fixture(t, "vex", "testdata", "openvex", "go-vex_pkg_vex_testdata_v0.2.0.json"), disclosure.VEXOptions{}); err != nil {
			t.Fatal(err)
		}
		zlib := strings.NewReplacer("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "pkg:generic/zlib@1.2.11", "CVE-2021-44228", "CVE-2018-25032",
			"vex/1", "vex/2").Replace(openvex)
		if _, err := disclosure.ImportVEX(e.ctx, e.sc, []byte(zlib), disclosure.VEXOptions{}); err != nil {
			t.Fatal(err)
		}
		loose, _ := e.sc.VEXStatements(e.ctx, domain.VEXFilter{Unattached: true})
		if loose.Total != 10+2+1 {
			t.Errorf("%d unattached statements", loose.Total)
		}
		sb := `{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "metadata": {"component": {"type": "device", "name": "Gateway"}},
  "components": [{"type": "library", "name": "zlib", "version": "1.2.11", "purl": "pkg:generic/zlib@1.2.11"}, {"type": "library", "name": "libssl3", "version": "3.0.8-r3", "purl": "pkg:apk/alpine/libssl3@3.0.8-r3"}]}`
		rep, err = disclosure.ImportSBOM(e.ctx, e.sc, []byte(sb), disclosure.SBOMOptions{Manufacturer: "Acme", Product: "Gateway", Version: "7"})
		if err != nil || !strings.Contains(actionsDetail(rep), "1 statements attached that named no version before") {
			t.Fatalf("reattach: %+v %v", rep, err)
		}
		gw := rep.Changes[len(rep.Changes)-2].ID
		if vx, _ := e.sc.VersionVEX(e.ctx, gw); len(vx) != 1 || vx[0].ComponentName != "zlib" || vx[0].Vulnerability != "CVE-2018-25032" {
			t.Errorf("Gateway 7: %+v", vx)
		}
		// The name@version products of vex.EncodeOpenVEX find their version by name.
		var buf bytes.Buffer
		if err := vex.EncodeOpenVEX(&buf, []vex.Statement{{Vulnerability: "CVE-2022-0778", Product: vex.Product{Name: "ABC", Version: "4.2"}, Status: vex.Fixed}}, "Example Company", time.Now()); err != nil {
			t.Fatal(err)
		}
		if rep, err := disclosure.ImportVEX(e.ctx, e.sc, buf.Bytes(), disclosure.VEXOptions{}); err != nil || !strings.Contains(rep.Changes[0].Detail, "1 attached") {
			t.Errorf("name@version: %+v %v", rep, err)
		}
		e.verifyAudit(t)
	})
}

func actionsDetail(rep *disclosure.Report) string {
	var s []string
	for _, c := range rep.Changes {
		s = append(s, c.Action+" "+c.What+" "+c.Detail)
	}
	return strings.Join(s, "; ")
}

// TestHostileUploads: a bad document of each kind is refused with a message that names the problem, and
// nothing is written (no document, no product, no audit event).
func TestHostileUploads(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		nema := fixture(t, "mds2", "testdata", "nema-example-mds2-worksheet-2019.xlsx")
		icsma := fixture(t, "csaf", "testdata", "icsma", "icsma-19-164-01.json")
		deep := strings.Repeat(`{"a":`, 5000) + "1" + strings.Repeat("}", 5000)
		for _, tt := range []struct {
			name string
			run  func() (*disclosure.Report, error)
			want string
			code string
		}{
			{"SBOM garbage", func() (*disclosure.Report, error) {
				return disclosure.ImportSBOM(e.ctx, e.sc, []byte("not an sbom at all\n"), disclosure.SBOMOptions{Product: "X", Version: "1", Source: disclosure.Source{FileName: "garbage.json"}})
			}, "not a CycloneDX or SPDX document", domain.EInvalid},
			{"SBOM nested too deep", func() (*disclosure.Report, error) {
				return disclosure.ImportSBOM(e.ctx, e.sc, []byte(`{"bomFormat":"CycloneDX","specVersion":"1.5","components":[`+deep+`]}`), disclosure.SBOMOptions{Product: "X", Version: "1"})
			}, "nest", domain.EInvalid},
			{"SBOM with a DTD", func() (*disclosure.Report, error) {
				return disclosure.ImportSBOM(e.ctx, e.sc, []byte(`<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY x SYSTEM "file:///etc/passwd">]><bom xmlns="http://cyclonedx.org/schema/bom/1.4">&x;</bom>`), disclosure.SBOMOptions{Product: "X", Version: "1"})
			}, "DOCTYPE", domain.EInvalid},
			{"MDS2 truncated xlsx", func() (*disclosure.Report, error) {
				return disclosure.ImportMDS2(e.ctx, e.sc, nema[:3000], disclosure.MDS2Options{Source: disclosure.Source{FileName: "trunc.xlsx"}})
			}, "trunc", domain.EInvalid},
			{"MDS2 of another document", func() (*disclosure.Report, error) {
				return disclosure.ImportMDS2(e.ctx, e.sc, icsma, disclosure.MDS2Options{})
			}, "CSAF", domain.EInvalid},
			{"CSAF truncated", func() (*disclosure.Report, error) {
				return disclosure.ImportCSAF(e.ctx, e.sc, icsma[:2000], disclosure.Source{FileName: "trunc.json"})
			}, "truncated", domain.EInvalid},
			{"CSAF invalid", func() (*disclosure.Report, error) {
				return disclosure.ImportCSAF(e.ctx, e.sc, []byte(strings.Replace(string(icsma), `"csaf_version": "2.0"`, `"csaf_version": "1.2"`, 1)), disclosure.Source{FileName: "bad.json"})
			}, "$.document.csaf_version", domain.EInvalid},
			{"VEX garbage", func() (*disclosure.Report, error) {
				return disclosure.ImportVEX(e.ctx, e.sc, []byte(`{"hello": "world"}`), disclosure.VEXOptions{Source: disclosure.Source{FileName: "x.json"}})
			}, "not an OpenVEX, CycloneDX VEX or CSAF document", domain.EInvalid},
			{"VEX source", func() (*disclosure.Report, error) {
				return disclosure.ImportVEX(e.ctx, e.sc, fixture(t, "vex", "testdata", "openvex", "go-vex_pkg_vex_testdata_v0.2.0.json"), disclosure.VEXOptions{SourceKind: "vendor"})
			}, "manufacturer or hospital", domain.EInvalid},
		} {
			_, err := tt.run()
			if err == nil || domain.ErrorCode(err) != tt.code || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: %v (code %s), want %s with %q", tt.name, err, domain.ErrorCode(err), tt.code, tt.want)
			}
		}
		if _, err := disclosure.ReadFile(strings.NewReader(strings.Repeat("x", int(disclosure.MaxDocumentSize)+1)), "huge.json"); domain.ErrorCode(err) != domain.ETooLarge ||
			!strings.Contains(err.Error(), "too large") {
			t.Errorf("too large: %v", err)
		}
		c := e.counts(t)
		if len(c.Documents) != 0 || c.SBOMs != 0 || c.Advisories != 0 || c.MDS2 != 0 || c.Statements != 0 {
			t.Errorf("something was written: %+v", c)
		}
		if ps, _ := e.sc.Products(e.ctx, domain.ProductFilter{}); ps.Total != 0 {
			t.Errorf("%d products created", ps.Total)
		}
	})
}
