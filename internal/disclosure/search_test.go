package disclosure_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/disclosure"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// pumpFirmwareSBOM has what the Keycloak SBOM lacks: CPEs, a group in mixed case and the characters
// LIKE treats specially, and a name the Keycloak SBOM has too, there with a package URL.
const pumpFirmwareSBOM = `{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
  "metadata": {"component": {"type": "firmware", "name": "Pump FW", "version": "4.2"}},
  "components": [
    {"type": "library", "group": "Org.Example", "name": "Zlib_Wrapper", "version": "1.2.11", "purl": "pkg:generic/zlib_wrapper@1.2.11",
     "cpe": "cpe:2.3:a:gnu:zlib:1.2.11:*:*:*:*:*:*:*"},
    {"type": "operating-system", "name": "Windows Embedded", "version": "7", "cpe": "cpe:2.3:o:microsoft:windows_embedded_standard_7:-:sp1:*:*:*:*:*:*"},
    {"type": "library", "name": "100%-pure", "version": "1"},
    {"type": "library", "name": "jackson-core", "version": "2.0"},
    {"type": "library", "name": "bcprov-jdk15on", "version": "1.70", "purl": "pkg:maven/org.bouncycastle/bcprov-jdk15on@1.70"}
  ]}`

// TestComponentSearch: the fleet search by free text finds exactly the components where every term is
// a substring of the name, package URL, CPE or group (what the pages, the API and "vigil disclosures
// where-is NAME" ask), computed here from the stored components — also after an SBOM is replaced, and
// never another organisation's.
func TestComponentSearch(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		keycloak := fixture(t, "sbom", "testdata", "cyclonedx", "SBOM_keycloak-10.0.2_bom.json")
		var pvs []int64
		for _, in := range []struct {
			doc                    []byte
			maker, product, verson string
		}{{keycloak, "Red Hat", "Keycloak", "10.0.2"}, {[]byte(pumpFirmwareSBOM), "B. Braun", "Space", "4.2"}} {
			rep, err := disclosure.ImportSBOM(e.ctx, e.sc, in.doc, disclosure.SBOMOptions{Manufacturer: in.maker, Product: in.product, Version: in.verson})
			if err != nil {
				t.Fatal(err)
			}
			pvs = append(pvs, rep.Changes[1].ID)
		}
		// Another organisation's components are never found.
		beta := testutil.Org(t, st, "beta")
		if _, err := disclosure.ImportSBOM(testutil.Ctx(beta.ID), st.Scope(beta.ID), []byte(strings.ReplaceAll(pumpFirmwareSBOM, "Zlib_Wrapper", "beta-secret")),
			disclosure.SBOMOptions{Manufacturer: "B. Braun", Product: "Space", Version: "4.2"}); err != nil {
			t.Fatal(err)
		}

		// The definition: on SQLite LIKE ignores the case of ASCII letters, on PostgreSQL it does not
		// (name, CPE and group are compared in lower case on both).
		contains := func(field, term string) bool {
			if st.Engine() == "sqlite" {
				field = strings.ToLower(field)
			}
			return strings.Contains(field, term)
		}
		want := func(q string, only ...int64) []int64 {
			var out []int64
			for _, pv := range pvs {
				if len(only) > 0 && !slices.Contains(only, pv) {
					continue
				}
				comps, err := e.sc.VersionComponents(e.ctx, pv)
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range comps {
					all := true
					for _, term := range strings.Fields(strings.ToLower(q)) {
						all = all && (strings.Contains(strings.ToLower(c.Name), term) || contains(c.PURLKey, term) ||
							strings.Contains(strings.ToLower(c.CPE), term) || strings.Contains(strings.ToLower(c.Group), term))
					}
					if all {
						out = append(out, c.ID)
					}
				}
			}
			slices.Sort(out)
			return out
		}
		got := func(q string, only ...int64) []int64 {
			var out []int64
			for offset := 0; ; offset += domain.MaxPageSize {
				f := domain.ComponentFilter{ListParams: domain.ListParams{Q: q, Limit: domain.MaxPageSize, Offset: offset}}
				if len(only) > 0 {
					f.ProductVersionID = only[0] // a version's components page
				}
				page, err := e.sc.Components(e.ctx, f)
				if err != nil {
					t.Fatalf("%q: %v", q, err)
				}
				for _, c := range page.Items {
					out = append(out, c.ID)
				}
				if len(page.Items) < domain.MaxPageSize {
					if page.Total != len(out) {
						t.Errorf("%q: total %d, listed %d", q, page.Total, len(out))
					}
					break
				}
			}
			slices.Sort(out)
			return out
		}
		check := func(label string, queries []string) {
			t.Helper()
			for _, q := range queries {
				w, g := want(q), got(q)
				if !slices.Equal(w, g) {
					t.Errorf("%s %q: found %d components, want %d", label, q, len(g), len(w))
				}
				for _, pv := range pvs {
					if w, g := want(q, pv), got(q, pv); !slices.Equal(w, g) {
						t.Errorf("%s %q in version %d: found %d components, want %d", label, q, pv, len(g), len(w))
					}
				}
			}
		}
		queries := []string{"bcprov", "jdk15on", "org.bouncycastle", "pkg:maven/org.keycloak", "jackson core", "JACKSON", "Final",
			"zlib", "gnu:zlib", "1.2.11", "org.example", "windows_embedded", "microsoft embedded", "sp1", "zlib_w", "100%", "%", "_",
			"keycloak jboss", "nothing-like-this", "beta-secret", "com.fasterxml", "pkg:maven jackson-core"}
		check("", queries)
		if w := want("bcprov"); len(w) != 2 {
			t.Fatalf("the fixture changed: %d bcprov components", len(w))
		}
		if w := want("beta-secret"); len(w) != 0 {
			t.Fatalf("another organisation's component is in the definition: %v", w)
		}

		// Replacing the SBOM: the old names are no longer found, the new ones are.
		renamed := strings.NewReplacer("Zlib_Wrapper", "Zlib-Shim", "zlib_wrapper", "zlib-shim", "bcprov-jdk15on", "bcprov-jdk18on").Replace(pumpFirmwareSBOM)
		if _, err := disclosure.ImportSBOM(e.ctx, e.sc, []byte(renamed), disclosure.SBOMOptions{Manufacturer: "B. Braun", Product: "Space", Version: "4.2"}); err != nil {
			t.Fatal(err)
		}
		check("after the replacement", append(queries, "zlib-shim", "jdk18on"))
		if g := got("zlib_wrapper"); len(g) != 0 {
			t.Errorf("a replaced component is still found: %v", g)
		}
		if g := got("jdk18on"); len(g) != 1 {
			t.Errorf("the new component is not found: %v", g)
		}
		w, err := disclosure.WhereIs(e.ctx, e.sc, "zlib-shim", "", "")
		if err != nil || len(w.Versions) != 1 || w.Versions[0].ProductVersionID != pvs[1] || fmt.Sprint(w.Versions[0].Components) != "[Zlib-Shim@1.2.11]" {
			t.Errorf("where is zlib-shim: %+v %v", w, err)
		}
	})
}
