package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/app/apptest"
	"github.com/vigil-med/vigil/internal/demo"
	"github.com/vigil-med/vigil/internal/domain"
)

// TestDisclosurePagesWithDemo renders every disclosures page with the demo hospital's data and checks
// that each shows what it is about.
func TestDisclosurePagesWithDemo(t *testing.T) {
	h := apptest.New(t, apptest.Options{Demo: true})
	env := h.Demo
	ctx := context.Background()
	sc := h.Store.Scope(env.Hospital.ID)
	versions := env.Values[demo.ValueVersions].(map[string]int64)
	sboms, _ := sc.SBOMs(ctx, 0)
	var u62, u61 int64
	for _, s := range sboms {
		if s.Product == "Infusomat Space" && s.Version == "U62" {
			u62 = s.ID
		}
		if s.Product == "Infusomat Space" && s.Version == "U61" {
			u61 = s.ID
		}
	}
	forms, _ := sc.MDS2Forms(ctx, domain.MDS2Filter{})
	adv, _ := sc.AdvisoryByTrackingID(ctx, "ICSMA-19-164-01")
	assets, _ := sc.Assets(ctx, domain.AssetFilter{ProductVersionID: versions["BD|Alaris Gateway Workstation|1.1.6"]})
	if u62 == 0 || u61 == 0 || len(forms.Items) < 2 || adv.ID == 0 || assets.Total == 0 {
		t.Fatalf("demo data missing: %d %d %d %d %d", u62, u61, len(forms.Items), adv.ID, assets.Total)
	}
	c := h.SignIn(env.Users[domain.RoleSecurityOfficer])
	for _, tt := range []struct {
		path string
		want []string
	}{
		{"/disclosures/overview", []string{"product versions with an SBOM", "advisory products in the mapping queue", "Where is this component?"}},
		{"/disclosures/documents?kind=csaf&q=icsma-19-164", []string{"ICSMA-19-164-01", "CSAF advisory"}},
		{"/disclosures/components?q=log4j-core", []string{"Alaris Systems Manager", "4.33", "log4j-core@2.14.1", "devices"}},
		{"/disclosures/components?cpe=cpe:2.3:a:openssl:openssl:1.0.2k", []string{"Infusomat Space", "U61", "openssl@1.0.2k"}},
		{"/disclosures/components?purl=pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", []string{"Vue PACS"}},
		{"/disclosures/sboms", []string{"Infusomat Space", "U62", "CycloneDX"}},
		{fmt.Sprintf("/disclosures/sboms/%d", u62), []string{"SBOM of Infusomat Space U62", "openssl", "pkg:generic/openssl@1.1.1k"}},
		{fmt.Sprintf("/disclosures/sboms/%d/diff?against=%d", u62, u61), []string{"Changed version", "1.0.2k", "1.1.1k", "curl"}},
		{"/disclosures/mds2", []string{"Infusomat Space", "IntelliVue MX800", "draft"}},
		{fmt.Sprintf("/disclosures/mds2/%d", forms.Items[0].ID), []string{"DOC-1", "AUTOMATIC LOGOFF", "Encryption at rest"}},
		{fmt.Sprintf("/disclosures/mds2/compare?ids=%d&ids=%d", forms.Items[0].ID, forms.Items[1].ID), []string{"questions differ", `class="diff"`}},
		{"/disclosures/advisories?q=alaris", []string{"ICSMA-19-164-01", "Alaris"}},
		{fmt.Sprintf("/disclosures/advisories/%d", adv.ID), []string{"Alaris Gateway Workstation", "1.1.6", "CVE-2019-10959", "mapped"}},
		{"/disclosures/mapping?q=alaris", []string{"Mapping queue", "Alaris 8000 PC unit", "Not ours"}},
		{"/disclosures/mapping?state=mapped", []string{"Alaris Gateway Workstation"}},
		{"/disclosures/mapping/rules", []string{"Philips IntelliVue Information Center iX", "Patient Information Center iX"}},
		{"/disclosures/vex?source=hospital", []string{"CVE-2021-44228", "hospital", "not_affected", "Alaris Systems Manager"}},
		{"/import/disclosures", []string{"Import SBOM", "Import MDS2 form", "Import advisory", "Import VEX"}},
		{fmt.Sprintf("/inventory/versions/%d", versions["BD|Alaris Gateway Workstation|1.1.6"]), []string{"ICSMA-19-164-01", "components", "Advisories ("}},
		{fmt.Sprintf("/inventory/assets/%d", assets.Items[0].ID), []string{"inherited from", "ICSMA-19-164-01"}},
	} {
		r := c.Get(tt.path)
		if r.Status != http.StatusOK {
			t.Errorf("%s: %d %.500s", tt.path, r.Status, r.Body)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(r.Body, w) {
				t.Errorf("%s lacks %q", tt.path, w)
			}
		}
	}
}
