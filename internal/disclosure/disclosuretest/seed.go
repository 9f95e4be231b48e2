// Package disclosuretest has test helpers for the disclosures module: Seed creates one object of every
// kind the module's API addresses by id, for suites such as the tenant-isolation test.
package disclosuretest

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/disclosure"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/mds2"
	"github.com/vigil-med/vigil/internal/store"
)

// CSAF returns a small valid CSAF 2.0 security advisory (tracking id id) of vendor's product in two
// versions: version is known affected, "9.9.9" fixed; a second product "Gadget 1" of the same vendor is
// known affected too (and waits in the mapping queue when the inventory lacks it).
func CSAF(id, vendor, product, version string) []byte {
	return []byte(fmt.Sprintf(`{
  "document": {
    "category": "csaf_security_advisory",
    "csaf_version": "2.0",
    "distribution": {"tlp": {"label": "WHITE"}},
    "publisher": {"category": "vendor", "name": %[2]q, "namespace": "https://psirt.example.com"},
    "title": "%[2]s %[3]s: hard-coded credentials",
    "tracking": {
      "current_release_date": "2025-03-01T10:00:00.000Z",
      "id": %[1]q,
      "initial_release_date": "2025-03-01T10:00:00.000Z",
      "revision_history": [{"date": "2025-03-01T10:00:00.000Z", "number": "1", "summary": "Initial release."}],
      "status": "final",
      "version": "1"
    }
  },
  "product_tree": {
    "branches": [{"category": "vendor", "name": %[2]q, "branches": [
      {"category": "product_name", "name": %[3]q, "branches": [
        {"category": "product_version", "name": %[4]q, "product": {"name": "%[3]s %[4]s", "product_id": "P-1"}},
        {"category": "product_version", "name": "9.9.9", "product": {"name": "%[3]s 9.9.9", "product_id": "P-2"}}
      ]},
      {"category": "product_name", "name": "Gadget 1", "branches": [
        {"category": "product_version", "name": "1.0", "product": {"name": "Gadget 1 1.0", "product_id": "P-3"}}
      ]}
    ]}]
  },
  "vulnerabilities": [{
    "cve": "CVE-2024-99999",
    "title": "Hard-coded credentials",
    "notes": [{"category": "summary", "text": "The service account password is the same on every device."}],
    "product_status": {"known_affected": ["P-1", "P-3"], "fixed": ["P-2"]},
    "remediations": [{"category": "vendor_fix", "details": "Install 9.9.9.", "product_ids": ["P-1", "P-3"]}],
    "scores": [{"products": ["P-1", "P-3"], "cvss_v3": {"version": "3.1", "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "baseScore": 9.8, "baseSeverity": "CRITICAL"}}]
  }]
}`, id, vendor, product, version))
}

// CycloneDX returns a small CycloneDX 1.5 SBOM of a device with an OpenSSL and a log4j-core component.
func CycloneDX(product, version, serial string) []byte {
	return []byte(fmt.Sprintf(`{
  "bomFormat": "CycloneDX", "specVersion": "1.5", "serialNumber": %q, "version": 1,
  "metadata": {"component": {"bom-ref": "device", "type": "device", "name": %q, "version": %q}},
  "components": [
    {"bom-ref": "c1", "type": "library", "name": "openssl", "version": "1.0.2k", "purl": "pkg:generic/openssl@1.0.2k",
     "cpe": "cpe:2.3:a:openssl:openssl:1.0.2k:*:*:*:*:*:*:*", "licenses": [{"license": {"id": "OpenSSL"}}]},
    {"bom-ref": "c2", "type": "library", "group": "org.apache.logging.log4j", "name": "log4j-core", "version": "2.14.1",
     "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "licenses": [{"license": {"id": "Apache-2.0"}}]}
  ]
}`, serial, product, version))
}

// Seed fills the organisation's disclosures for the product "Pump 3000" version "1.2.3" of the
// manufacturer "<marker> Medical" (created when missing): an SBOM, an imported MDS2 form and a draft, a
// CSAF advisory naming the pump (mapped) and another product (mapped by hand, so a rule is
// remembered), a VEX document and a hospital's own statement.
func Seed(t testing.TB, st *store.Store, org int64, marker string) {
	t.Helper()
	ctx := domain.WithActor(context.Background(), domain.Actor{Kind: domain.ActorCLI, Name: "test", OrgID: org, Role: domain.RoleAdmin})
	sc := st.Scope(org)
	fail := func(what string, err error) {
		if err != nil {
			t.Fatalf("disclosuretest seed %s: %v", what, err)
		}
	}
	maker := marker + " Medical"
	rep, err := disclosure.ImportSBOM(ctx, sc, CycloneDX("Pump 3000", "1.2.3", "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"),
		disclosure.SBOMOptions{Manufacturer: maker, Product: "Pump 3000", Version: "1.2.3", Source: disclosure.Source{FileName: marker + "-pump.cdx.json"}})
	fail("SBOM", err)
	var pv int64
	for _, c := range rep.Changes {
		if c.What == "SBOM" {
			pv = c.ID
		}
	}
	f := mds2.NewForm()
	for id, v := range map[string]string{"DOC-1": maker, "DOC-2": "Pump 3000", "DOC-3": "P3000", "DOC-4": marker + "-MDS2", "DOC-7": "2025-01-15",
		"MPII-1": "Yes", "STCF-1": "No", "MLDP-2": "Yes, vendor-validated anti-malware"} {
		fail("MDS2 answer", f.Set(id, v))
	}
	var buf bytes.Buffer
	fail("MDS2 JSON", mds2.WriteJSON(&buf, f))
	_, err = disclosure.ImportMDS2(ctx, sc, buf.Bytes(), disclosure.MDS2Options{ProductVersionID: pv, Source: disclosure.Source{FileName: marker + "-mds2.json"}})
	fail("MDS2", err)
	_, err = disclosure.NewDraft(ctx, sc, disclosure.DraftInput{ProductVersionID: pv, Models: marker + " P3000"})
	fail("MDS2 draft", err)
	_, err = disclosure.ImportCSAF(ctx, sc, CSAF(strings.ToUpper(marker)+"-2025-001", maker, "Pump 3000", "1.2.3"), disclosure.Source{FileName: marker + "-advisory.json"})
	fail("CSAF", err)
	queue, err := sc.AdvisoryProducts(ctx, domain.AdvisoryProductFilter{State: domain.MappingUnmapped})
	fail("queue", err)
	if len(queue.Items) == 0 {
		t.Fatalf("disclosuretest seed: the advisory left nothing in the mapping queue")
	}
	v, err := sc.ProductVersion(ctx, pv)
	fail("version", err)
	_, err = disclosure.MapAdvisoryProduct(ctx, sc, queue.Items[0].ID, disclosure.MapInput{ProductID: v.ProductID, VersionRange: "all versions"})
	fail("mapping", err)
	vexDoc := fmt.Sprintf(`{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://%s.example/vex-1", "author": %q,
  "timestamp": "2025-03-02T10:00:00Z", "version": 1,
  "statements": [{"vulnerability": {"name": "CVE-2021-44228"}, "products": [{"@id": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}],
    "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]}`, marker, maker)
	_, err = disclosure.ImportVEX(ctx, sc, []byte(vexDoc), disclosure.VEXOptions{Source: disclosure.Source{FileName: marker + ".openvex.json"}})
	fail("VEX", err)
	s := domain.VEXStatement{Vulnerability: "CVE-2022-0778", ProductVersionID: pv, Status: "affected", Action: marker + ": update to 9.9.9",
		SourceKind: domain.VEXHospital, Stated: time.Now()}
	fail("hospital statement", sc.Write(ctx, func(tx *store.Tx) error { return tx.AddVEXStatement(ctx, &s) }))
}
