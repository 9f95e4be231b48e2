package disclosure_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/disclosure"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/sbom"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// The fixtures are those of the parser packages (their testdata names origin and licence in
// SOURCES.md): ../sbom/testdata, ../mds2/testdata, ../csaf/testdata, ../vex/testdata.

func fixture(t testing.TB, parts ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(append([]string{".."}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type env struct {
	ctx context.Context
	st  *store.Store
	sc  *store.Scope
	org domain.Organisation
}

func newEnv(t testing.TB, st *store.Store) *env {
	org := testutil.Org(t, st, "alpha")
	return &env{ctx: testutil.Ctx(org.ID), st: st, sc: st.Scope(org.ID), org: org}
}

// version creates a manufacturer's product version (and what is missing of it).
func (e *env) version(t testing.TB, maker, product, version string, aliases ...string) domain.ProductVersion {
	t.Helper()
	var pv domain.ProductVersion
	if err := e.sc.Write(e.ctx, func(tx *store.Tx) error {
		var err error
		pv, _, err = tx.EnsureProductVersion(e.ctx, maker, product, version)
		if err != nil || len(aliases) == 0 {
			return err
		}
		m, err := tx.Scope().Manufacturer(e.ctx, mustMaker(t, e, tx, maker))
		if err != nil {
			return err
		}
		m.Aliases = append(m.Aliases, aliases...)
		return tx.UpdateManufacturer(e.ctx, m)
	}); err != nil {
		t.Fatal(err)
	}
	return pv
}

func mustMaker(t testing.TB, e *env, tx *store.Tx, name string) int64 {
	ms, err := tx.Scope().Manufacturers(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Name == name {
			return m.ID
		}
	}
	t.Fatalf("no manufacturer %s", name)
	return 0
}

func (e *env) counts(t testing.TB) store.DisclosureCounts {
	t.Helper()
	c, err := e.sc.DisclosureCounts(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *env) verifyAudit(t testing.TB) {
	t.Helper()
	rep, err := e.st.VerifyAudit(e.ctx, e.org.ID)
	if err != nil || len(rep.Problems) != 0 {
		t.Errorf("audit chain: %v %v", rep.Problems, err)
	}
}

func actions(rep *disclosure.Report) []string {
	var out []string
	for _, c := range rep.Changes {
		out = append(out, c.Action+" "+c.What)
	}
	return out
}

func TestImportSBOM(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		keycloak := fixture(t, "sbom", "testdata", "cyclonedx", "SBOM_keycloak-10.0.2_bom.json")
		src := disclosure.Source{FileName: "SBOM_keycloak-10.0.2_bom.json"}
		rep, err := disclosure.ImportSBOM(e.ctx, e.sc, keycloak, disclosure.SBOMOptions{Source: src, Manufacturer: "Red Hat", Product: "Keycloak", Version: "10.0.2"})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"created product version", "created SBOM"}, actions(rep)); diff != "" || rep.Format != "cyclonedx-json" {
			t.Errorf("report (-want +got):\n%s %+v", diff, rep)
		}
		pvID := rep.Changes[1].ID
		info, err := e.sc.SBOM(e.ctx, pvID)
		if err != nil || info.Components != 903 || info.SubjectName != "keycloak-parent" || info.Serial != "urn:uuid:411dafd2-c29f-491a-97d7-e97de5bc2289" {
			t.Errorf("SBOM: %+v %v", info, err)
		}
		doc, err := e.sc.Document(e.ctx, rep.DocumentID)
		if err != nil || doc.SHA256 != rep.SHA256 || doc.Size != int64(len(keycloak)) || doc.ProductVersionID != pvID || doc.Kind != domain.DisclosureSBOM {
			t.Errorf("document: %+v %v", doc, err)
		}
		if b, _ := e.sc.DocumentContent(e.ctx, doc.ID); !bytes.Equal(b, keycloak) {
			t.Error("the kept document differs from the file")
		}
		// The same file again is skipped; another SBOM for the version replaces the components.
		rep, err = disclosure.ImportSBOM(e.ctx, e.sc, keycloak, disclosure.SBOMOptions{Source: src, Product: "Keycloak", Version: "10.0.2"})
		if err != nil || rep.Skipped != 1 || rep.Created != 0 {
			t.Errorf("again: %+v %v", rep, err)
		}
		drop := fixture(t, "sbom", "testdata", "cyclonedx", "SBOM_dropwizard-1.3.15_bom.xml")
		rep, err = disclosure.ImportSBOM(e.ctx, e.sc, drop, disclosure.SBOMOptions{Source: disclosure.Source{FileName: "dw.xml"}, Product: "Keycloak", Version: "10.0.2"})
		if err != nil || rep.Updated != 1 || !strings.Contains(rep.Changes[0].Detail, "167 components (was 903:") {
			t.Errorf("replace: %+v %v", rep, err)
		}
		if c := e.counts(t); c.SBOMs != 1 || c.Components != 167 || c.Documents[domain.DisclosureSBOM] != 2 {
			t.Errorf("counts: %+v", c)
		}
		// SPDX JSON and tag-value; a version named by the SBOM's own subject.
		for _, f := range []struct{ file, product, version string }{
			{"software_example11_spdx2.3_sbom.spdx.json", "SPDXJSON", "2.3"}, {"software_example1_spdx2.2_example1.spdx", "SPDXTagValue", "2.2"}, {"software_example12_spdx2.2_hello-dist.spdx.json", "", ""}} {
			rep, err := disclosure.ImportSBOM(e.ctx, e.sc, fixture(t, "sbom", "testdata", "spdx", f.file), disclosure.SBOMOptions{Product: f.product, Version: f.version, Source: disclosure.Source{FileName: f.file}})
			if err != nil || rep.Created != 2 || !strings.HasPrefix(rep.Format, "spdx") {
				t.Errorf("%s: %+v %v", f.file, rep, err)
			}
		}
		e.verifyAudit(t)
	})
}

// TestSBOMWhereIsExportDiff: where is a component (by name, package URL, CPE), the export as CycloneDX
// that reads back to the same components, and the diff of two versions.
func TestSBOMWhereIsExportDiff(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		keycloak := fixture(t, "sbom", "testdata", "cyclonedx", "SBOM_keycloak-10.0.2_bom.json")
		rep, err := disclosure.ImportSBOM(e.ctx, e.sc, keycloak, disclosure.SBOMOptions{Manufacturer: "Red Hat", Product: "Keycloak", Version: "10.0.2"})
		if err != nil {
			t.Fatal(err)
		}
		kc := rep.Changes[1].ID
		for _, q := range []struct{ name, q, purl, cpe string }{
			{"name", "bcprov", "", ""},
			{"purl with version", "", "pkg:maven/org.bouncycastle/bcprov-jdk15on@1.62", ""},
			{"purl typed into q", "pkg:maven/org.bouncycastle/bcprov-jdk15on", "", ""},
		} {
			w, err := disclosure.WhereIs(e.ctx, e.sc, q.q, q.purl, q.cpe)
			if err != nil || len(w.Versions) != 1 || w.Versions[0].ProductVersionID != kc || !strings.Contains(strings.Join(w.Versions[0].Components, " "), "bcprov-jdk15on@1.62") {
				t.Errorf("%s: %+v %v", q.name, w, err)
			}
		}
		if w, _ := disclosure.WhereIs(e.ctx, e.sc, "", "pkg:maven/org.bouncycastle/bcprov-jdk15on@9.9", ""); len(w.Versions) != 0 {
			t.Errorf("another version found: %+v", w)
		}
		if _, err := disclosure.WhereIs(e.ctx, e.sc, "", "not a purl", ""); domain.ErrorCode(err) != domain.EInvalid {
			t.Errorf("bad purl: %v", err)
		}
		// Export: reading the CycloneDX export back gives the stored components.
		var buf bytes.Buffer
		if err := disclosure.ExportSBOM(e.ctx, e.sc, &buf, kc, sbom.CycloneDXJSON); err != nil {
			t.Fatal(err)
		}
		back, err := sbom.DecodeBytes(buf.Bytes(), "export")
		if err != nil {
			t.Fatalf("the export does not read back: %v", err)
		}
		orig, _ := sbom.DecodeBytes(keycloak, "keycloak")
		key := func(cs []sbom.Component) []string {
			var out []string
			for _, c := range cs {
				out = append(out, c.Name+"@"+c.Version+" "+c.PURL+" "+c.Licenses)
			}
			sort.Strings(out)
			return out
		}
		if diff := cmp.Diff(key(orig.Components), key(back.Components)); diff != "" || back.SpecVersion != "1.6" || back.Subject.Name != "keycloak-parent" {
			t.Errorf("round trip (-original +export):\n%s", diff)
		}
		if !sbom.Diff(orig, back).Empty() {
			t.Error("sbom.Diff sees a difference after the round trip")
		}
		// Diff of two versions: the second has one component in another version, one more and one less.
		v2doc := bytes.Replace(keycloak, []byte("bcprov-jdk15on@1.62"), []byte("bcprov-jdk15on@1.64"), -1)
		v2doc = bytes.Replace(v2doc, []byte(`"version": "1.62"`), []byte(`"version": "1.64"`), 1)
		v2doc = bytes.Replace(v2doc, []byte("commons-codec"), []byte("commons-kodec"), -1)
		rep, err = disclosure.ImportSBOM(e.ctx, e.sc, v2doc, disclosure.SBOMOptions{Manufacturer: "Red Hat", Product: "Keycloak", Version: "10.0.3"})
		if err != nil {
			t.Fatal(err)
		}
		d, err := disclosure.DiffSBOMs(e.ctx, e.sc, kc, rep.Changes[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := sbom.DecodeBytes(v2doc, "v2")
		want := sbom.Diff(orig, b)
		var changed []string
		for _, c := range d.Changed {
			changed = append(changed, c.To.Name+" "+c.From.Version+"→"+c.To.Version)
		}
		if diff := cmp.Diff([]string{"bcprov-jdk15on 1.62→1.64"}, changed); diff != "" || len(d.Added) != len(want.Added) || len(d.Removed) != len(want.Removed) ||
			len(d.Added) == 0 || d.Same != 903-len(d.Removed)-1 {
			t.Errorf("diff (-want +got):\n%s added %d/%d removed %d/%d same %d", diff, len(d.Added), len(want.Added), len(d.Removed), len(want.Removed), d.Same)
		}
		if prev, err := disclosure.PreviousSBOMVersion(e.ctx, e.sc, domain.ProductVersion{ID: rep.Changes[1].ID, ProductID: d.To.ProductID, Version: "10.0.3"}); err != nil || prev != kc {
			t.Errorf("previous version: %d %v", prev, err)
		}
	})
}

func TestImportMDS2(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		nema := fixture(t, "mds2", "testdata", "nema-example-mds2-worksheet-2019.xlsx")
		rep, err := disclosure.ImportMDS2(e.ctx, e.sc, nema, disclosure.MDS2Options{Source: disclosure.Source{FileName: "nema.xlsx"}})
		if err != nil {
			t.Fatal(err)
		}
		// No product matches DOC-1 "Hidden": it is created under that manufacturer, and the report says so.
		if diff := cmp.Diff([]string{"created product version", "created MDS2 form"}, actions(rep)); diff != "" ||
			!strings.Contains(rep.Changes[0].Name, "Hidden Handheld Blood Glucose Monitor") || !strings.Contains(rep.Changes[1].Detail, `no product of the inventory matched DOC-1 "Hidden"`) {
			t.Errorf("report: %s %+v", diff, rep.Changes)
		}
		f, err := e.sc.MDS2Form(e.ctx, rep.Changes[1].ID)
		if err != nil || len(f.Answers) != 240 || len(f.Notes) != 8 || f.Released != "2019-10-09" || f.Status != domain.MDS2Imported {
			t.Fatalf("form: %d answers, %d notes, %+v %v", len(f.Answers), len(f.Notes), f.Released, err)
		}
		if a := disclosure.FormOf(f).Answer("SAHD-15"); a.Raw == "" {
			t.Errorf("SAHD-15 (the form's SHAD-15) lost: %+v", a)
		}
		if rep, err := disclosure.ImportMDS2(e.ctx, e.sc, nema, disclosure.MDS2Options{}); err != nil || rep.Skipped != 1 {
			t.Errorf("again: %+v %v", rep, err)
		}
		// The MediCapture form finds its product by the DOC-1 manufacturer (an alias) and a DOC-3 model number.
		pv := e.version(t, "MediCapture", "Medical Video Recorder MVR436", "2.1", "MediCapture Inc.")
		if err := e.sc.Write(e.ctx, func(tx *store.Tx) error {
			p, err := tx.Scope().Product(e.ctx, pv.ProductID)
			if err != nil {
				return err
			}
			p.ModelNumber = "MVR436"
			return tx.UpdateProduct(e.ctx, p)
		}); err != nil {
			t.Fatal(err)
		}
		rep, err = disclosure.ImportMDS2(e.ctx, e.sc, fixture(t, "mds2", "testdata", "medicapture-mvr-cybersecurity-mds2.md"), disclosure.MDS2Options{})
		if err != nil || len(rep.Changes) != 1 || !strings.Contains(rep.Changes[0].Detail, "by its model number MVR436 in DOC-3") || rep.Format != "mds2-markdown" {
			t.Fatalf("MediCapture: %+v %v", rep, err)
		}
		medi, _ := e.sc.MDS2Form(e.ctx, rep.Changes[0].ID)
		if medi.ProductVersionID != pv.ID {
			t.Errorf("attached to version %d, want %d", medi.ProductVersionID, pv.ID)
		}
		// Compare: the two forms differ; export as xlsx and JSON reads back to the same answers.
		cmpr, _, err := disclosure.CompareMDS2(e.ctx, e.sc, []int64{f.ID, medi.ID})
		if err != nil || cmpr.Differences < 50 {
			t.Errorf("compare: %d differences %v", cmpr.Differences, err)
		}
		exportID := medi.ID
		for _, format := range []string{"xlsx", "json"} {
			var buf bytes.Buffer
			if err := disclosure.ExportMDS2(e.ctx, e.sc, &buf, exportID, format); err != nil {
				t.Fatal(err)
			}
			rep, err := disclosure.ImportMDS2(e.ctx, e.sc, buf.Bytes(), disclosure.MDS2Options{ProductVersionID: pv.ID, Source: disclosure.Source{FileName: "export." + format}})
			if err != nil || rep.Updated != 1 {
				t.Fatalf("re-import the %s export: %+v %v", format, rep, err)
			}
			again, _ := e.sc.MDS2Form(e.ctx, rep.Changes[0].ID)
			exportID = again.ID
			raw := func(f domain.MDS2Form) map[string]string {
				m := map[string]string{}
				for _, a := range f.Answers {
					m[a.QuestionID] = a.Value + "|" + a.Raw + "|" + a.Note
				}
				return m
			}
			if diff := cmp.Diff(raw(medi), raw(again)); diff != "" {
				t.Errorf("%s export round trip (-before +after):\n%s", format, diff)
			}
		}
		e.verifyAudit(t)
	})
}

func TestMDS2Drafts(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		pv := e.version(t, "Meridian Medical Systems", "VitaFlow 300", "3.2.0")
		d, err := disclosure.NewDraft(e.ctx, e.sc, disclosure.DraftInput{ProductVersionID: pv.ID})
		if err != nil || d.Manufacturer != "Meridian Medical Systems" || d.Device != "VitaFlow 300" || d.Status != domain.MDS2Draft {
			t.Fatalf("draft: %+v %v", d, err)
		}
		other := "Remote service only through the hospital's VPN."
		f, err := disclosure.SaveDraft(e.ctx, e.sc, d.ID, disclosure.DraftEdit{Answers: map[string]string{"AUTH-1": "Yes, LDAP", "STCF-1": "No",
			"MLDP-2": "See Note 1", "SHAD-15": "Yes"}, Notes: map[string]string{"1": "Allow-listing instead of anti-malware."}, Other: &other})
		if err != nil {
			t.Fatal(err)
		}
		facts := map[string]string{}
		for _, x := range disclosure.FactsOf(f) {
			facts[x.Name] = x.Value
		}
		got := map[string]string{}
		for _, a := range f.Answers {
			if a.QuestionID == "AUTH-1" || a.QuestionID == "STCF-1" || a.QuestionID == "SAHD-15" {
				got[a.QuestionID] = a.Value + " " + a.Detail
			}
		}
		if diff := cmp.Diff(map[string]string{"AUTH-1": "yes LDAP", "STCF-1": "no ", "SAHD-15": "yes "}, got); diff != "" || facts["EncryptionAtRest"] != "no" || f.Notes["1"] == "" || f.Other != other {
			t.Errorf("saved draft (-want +got):\n%s %v", diff, facts)
		}
		// Bad ids are refused with their names; an imported form is not edited.
		if _, err := disclosure.SaveDraft(e.ctx, e.sc, d.ID, disclosure.DraftEdit{Answers: map[string]string{"XYZ-9": "Yes"}}); err == nil || !strings.Contains(err.Error(), "XYZ-9") {
			t.Errorf("unknown question: %v", err)
		}
		var buf bytes.Buffer
		if err := disclosure.ExportMDS2(e.ctx, e.sc, &buf, d.ID, "xlsx"); err != nil || buf.Len() < 1000 {
			t.Fatalf("export: %v", err)
		}
		rep, err := disclosure.ImportMDS2(e.ctx, e.sc, buf.Bytes(), disclosure.MDS2Options{ProductVersionID: pv.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := disclosure.SaveDraft(e.ctx, e.sc, rep.Changes[0].ID, disclosure.DraftEdit{Answers: map[string]string{"AUTH-1": "No"}}); domain.ErrorCode(err) != domain.EConflict {
			t.Errorf("editing an imported form: %v", err)
		}
		e.verifyAudit(t)
	})
}
