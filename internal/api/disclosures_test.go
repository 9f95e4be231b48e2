package api_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/api"
	"github.com/vigil-med/vigil/internal/disclosure"
	"github.com/vigil-med/vigil/internal/disclosure/disclosuretest"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/mds2"
	"github.com/vigil-med/vigil/internal/sbom"
	"github.com/vigil-med/vigil/internal/testutil"
)

func discFixture(t *testing.T, parts ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(append([]string{".."}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDisclosuresAPI uploads one document of each kind (multipart and raw body), reads what was made of
// them, edits an MDS2 draft, maps an advisory product, and checks that bad uploads are refused with a
// message that names the problem.
func TestDisclosuresAPI(t *testing.T) {
	for _, engine := range testutil.Engines() {
		t.Run(engine, func(t *testing.T) { testDisclosuresAPI(t, engine) })
	}
}

func testDisclosuresAPI(t *testing.T, engine string) {
	s := newServer(t, engine)
	var rep disclosure.Report
	sb := disclosuretest.CycloneDX("Pump 3000", "1.2.3", "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79")
	if c := s.do("alpha/admin", "POST", "/import/sbom?manufacturer=Acme+Medical&product=Pump+3000&version=1.2.3", fileUpload(t, "pump.cdx.json", sb), &rep); c != 200 || rep.Created != 2 {
		t.Fatalf("SBOM upload: %d %+v", c, rep)
	}
	pv := rep.Changes[1].ID
	var sboms []domain.SBOMInfo
	if c := s.do("alpha/auditor", "GET", "/disclosures/sboms", nil, &sboms); c != 200 || len(sboms) != 1 || sboms[0].Components != 2 || sboms[0].ProductVersionID != pv {
		t.Fatalf("sboms: %d %+v", c, sboms)
	}
	var where domain.WhereIs
	if c := s.do("alpha/auditor", "GET", "/components/where-is?q=log4j-core", nil, &where); c != 200 || len(where.Versions) != 1 || where.Versions[0].ProductVersionID != pv {
		t.Errorf("where-is: %d %+v", c, where)
	}
	var comps domain.Page[domain.Component]
	if c := s.do("alpha/auditor", "GET", "/components?cpe=cpe:2.3:a:openssl:openssl:1.0.2k", nil, &comps); c != 200 || comps.Total != 1 || comps.Items[0].Name != "openssl" {
		t.Errorf("components by CPE: %d %+v", c, comps)
	}
	// Export: a CycloneDX document that reads back.
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/disclosures/sboms/%d/export", s.url, sboms[0].ID), nil)
	req.Header.Set("Authorization", "Bearer "+s.tokens["alpha/auditor"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if doc, err := sbom.DecodeBytes(body, "export"); err != nil || len(doc.Components) != 2 || resp.Header.Get("Content-Type") != "application/vnd.cyclonedx+json" {
		t.Errorf("export: %v %s", err, resp.Header.Get("Content-Type"))
	}
	// CSAF as the raw body: the pump is mapped, another product waits in the queue.
	if c := s.do("alpha/admin", "POST", "/import/csaf?filename=acme.json", disclosuretest.CSAF("ACME-1", "Acme Medical", "Pump 3000", "1.2.3"), &rep); c != 200 || rep.Created != 1 || rep.File != "acme.json" {
		t.Fatalf("CSAF upload: %d %+v", c, rep)
	}
	var queue domain.Page[domain.AdvisoryProduct]
	if c := s.do("alpha/auditor", "GET", "/disclosures/advisory-products?state=unmapped", nil, &queue); c != 200 || queue.Total != 1 || queue.Items[0].ProductName != "Gadget 1" {
		t.Fatalf("queue: %d %+v", c, queue)
	}
	var e errBody
	if c := s.do("alpha/admin", "POST", fmt.Sprintf("/disclosures/advisory-products/%d/map", queue.Items[0].ID), disclosure.MapInput{VersionRange: "all versions"}, &e); c != 400 || e.Error.Field != "product_id" {
		t.Errorf("map without product: %d %+v", c, e)
	}
	var v domain.ProductVersion
	s.do("alpha/auditor", "GET", fmt.Sprintf("/inventory/versions/%d", pv), nil, &v)
	var res disclosure.MappingResult
	if c := s.do("alpha/admin", "POST", fmt.Sprintf("/disclosures/advisory-products/%d/map", queue.Items[0].ID), disclosure.MapInput{ProductID: v.ProductID, VersionRange: "all versions"}, &res); c != 200 || res.Unmapped != 0 {
		t.Errorf("map: %d %+v", c, res)
	}
	var vd disclosure.VersionDisclosures
	if c := s.do("alpha/auditor", "GET", fmt.Sprintf("/inventory/versions/%d/disclosures", pv), nil, &vd); c != 200 || vd.SBOM == nil || len(vd.Advisories) != 1 || vd.VEXByStatus["affected"] != 2 {
		t.Errorf("version disclosures: %d %+v", c, vd)
	}
	// MDS2: a form imported as xlsx; a draft edited; the comparison.
	f := mds2.NewForm()
	f.Set("DOC-1", "Acme Medical")
	f.Set("DOC-2", "Pump 3000")
	f.Set("MLDP-2", "Yes")
	var x bytes.Buffer
	mds2.WriteXLSX(&x, f)
	if c := s.do("alpha/admin", "POST", fmt.Sprintf("/import/mds2?product_version_id=%d", pv), fileUpload(t, "mds2.xlsx", x.Bytes()), &rep); c != 200 || rep.Created != 1 {
		t.Fatalf("MDS2 upload: %d %+v", c, rep)
	}
	imported := rep.Changes[0].ID
	var draft domain.MDS2Form
	if c := s.do("alpha/admin", "POST", "/disclosures/mds2", disclosure.DraftInput{ProductVersionID: pv}, &draft); c != 201 || draft.Status != "draft" || draft.Manufacturer != "Acme Medical" {
		t.Fatalf("draft: %d %+v", c, draft)
	}
	if c := s.do("alpha/admin", "PUT", fmt.Sprintf("/disclosures/mds2/%d", draft.ID), disclosure.DraftEdit{Answers: map[string]string{"MLDP-2": "No", "STCF-1": "Yes, AES-256"}}, &draft); c != 200 {
		t.Fatalf("edit: %d", c)
	}
	if c := s.do("alpha/admin", "PUT", fmt.Sprintf("/disclosures/mds2/%d", imported), disclosure.DraftEdit{Answers: map[string]string{"MLDP-2": "No"}}, &e); c != 409 || !strings.Contains(e.Error.Message, "kept as received") {
		t.Errorf("editing an imported form: %d %+v", c, e)
	}
	var detail api.MDS2Detail
	if c := s.do("alpha/auditor", "GET", fmt.Sprintf("/disclosures/mds2/%d/compare?with=%d", draft.ID, imported), nil, &mds2.Comparison{}); c != 200 {
		t.Errorf("compare: %d", c)
	}
	if c := s.do("alpha/auditor", "GET", fmt.Sprintf("/disclosures/mds2/%d", draft.ID), nil, &detail); c != 200 || len(detail.Form.Answers) != 240 || len(detail.Facts) < 20 {
		t.Errorf("form: %d %d answers %d facts", c, len(detail.Form.Answers), len(detail.Facts))
	}
	// A hospital's own VEX statement, and an OpenVEX upload.
	var st domain.VEXStatement
	if c := s.do("alpha/admin", "POST", "/disclosures/vex", domain.VEXStatement{Vulnerability: "CVE-2021-44228", ProductVersionID: pv, Status: "not_affected",
		Justification: "inline_mitigations_already_exist"}, &st); c != 201 || st.SourceKind != "hospital" || st.Product != "Pump 3000" {
		t.Errorf("statement: %d %+v", c, st)
	}
	if c := s.do("alpha/admin", "POST", "/import/vex?source=hospital", fileUpload(t, "x.openvex.json", discFixture(t, "vex", "testdata", "openvex", "go-vex_pkg_vex_testdata_v0.2.0.json")), &rep); c != 200 || rep.Created != 1 {
		t.Errorf("VEX upload: %d %+v", c, rep)
	}
	// Bad uploads: refused with what is wrong; nothing written.
	before := s.count(t, "alpha")
	for _, tt := range []struct {
		path   string
		body   any
		status int
		want   string
	}{
		{"/import/sbom?product=X&version=1", fileUpload(t, "garbage.json", []byte("not an sbom at all\n")), 400, "not a CycloneDX or SPDX document"},
		{"/import/mds2", fileUpload(t, "trunc.xlsx", discFixture(t, "mds2", "testdata", "nema-example-mds2-worksheet-2019.xlsx")[:3000]), 400, "trunc"},
		{"/import/csaf", discFixture(t, "csaf", "testdata", "icsma", "icsma-19-164-01.json")[:2000], 422, "truncated"},
		{"/import/vex", fileUpload(t, "x.json", []byte(`{"hello":"world"}`)), 400, "not an OpenVEX, CycloneDX VEX or CSAF document"},
		{"/import/sbom", fileUpload(t, "empty.json", nil), 400, "empty"},
	} {
		var raw map[string]any
		c := s.do("alpha/admin", "POST", tt.path, tt.body, &raw)
		text := fmt.Sprint(raw)
		if c != tt.status || !strings.Contains(text, tt.want) {
			t.Errorf("%s: %d %s, want %d with %q", tt.path, c, text, tt.status, tt.want)
		}
	}
	if after := s.count(t, "alpha"); after != before {
		t.Errorf("bad uploads wrote something: %d → %d documents", before, after)
	}
	if c := s.do("alpha/auditor", "POST", "/import/sbom", fileUpload(t, "pump.cdx.json", sb), &e); c != 403 {
		t.Errorf("auditor upload: %d", c)
	}
}

// count returns the number of disclosure documents of an organisation.
func (s *server) count(t *testing.T, slug string) int {
	t.Helper()
	var page domain.Page[domain.DisclosureDocument]
	if c := s.do(slug+"/auditor", "GET", "/disclosures/documents", nil, &page); c != 200 {
		t.Fatalf("documents: %d", c)
	}
	return page.Total
}
