package demo_test

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/demo"
	"github.com/vigil-med/vigil/internal/disclosure"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// TestDemoDisclosures: the real ICSMA advisories are mapped to the demo's models and the versions they
// name; SBOMs, MDS2 forms and VEX statements are where a user looks for them.
func checkDisclosures(t *testing.T, st *store.Store, e *demo.Env) {
	ctx := context.Background()
	sc := st.Scope(e.Hospital.ID)
	c, err := sc.DisclosureCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// 88 CISA advisories, and Meridian's advisory that the exchange step delivers to the subscribed hospital
	if c.Advisories != 88+1 || e.Values[demo.ValueAdvisories] != 88 || c.SBOMs != 30 || c.MDS2 != 6 || c.Unmapped < 100 || c.Documents[domain.DisclosureVEX] != 2 {
		t.Errorf("counts: %+v", c)
	}
	versions := e.Values[demo.ValueVersions].(map[string]int64)
	for key, want := range map[string][]string{
		"BD|Alaris Gateway Workstation|1.1.6":                        {"ICSMA-19-164-01"},
		"BD|Alaris GH|2.3.6":                                         {"ICSMA-19-164-01"},
		"BD|Alaris PC Unit Model 8015|9.33.1":                        {"ICSMA-20-170-06", "ICSMA-20-317-01", "ICSMA-23-194-01"},
		"Baxter|Sigma Spectrum|8.00.01":                              {"ICSMA-22-251-01"},
		"Philips|Patient Information Center iX|B.02":                 {"ICSMA-18-233-01", "ICSMA-21-322-02"},
		"Hamilton Medical|HAMILTON-T1|2.2.3":                         {"ICSMA-21-047-01"},
		"Hamilton Medical|HAMILTON-T1|3.0.4":                         nil,
		"Philips|Brilliance 64|2.6.2":                                {"ICSMA-18-123-01"},
		"GE HealthCare|LOGIQ 9|BT03":                                 {"ICSMA-20-343-01"},
		"GE HealthCare|CARESCAPE B450|2.0.6":                         {"ICSMA-20-023-01"},
		"Spacelabs|Xhibit Telemetry Receiver|1.0.2":                  {"ICSMA-20-049-01"},
		"Hillrom|Welch Allyn Connex Spot Monitor|1.52":               {"ICSMA-24-151-02"},
		"Swisslog Healthcare|Translogic Nexus Control Panel|7.2.5.6": {"ICSMA-21-215-01"},
		"Swisslog Healthcare|Translogic Nexus Control Panel|7.2.5.7": nil,
	} {
		page, err := sc.Advisories(ctx, domain.AdvisoryFilter{ProductVersionID: versions[key], ListParams: domain.ListParams{Limit: 50}})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range page.Items {
			got = append(got, a.TrackingID)
		}
		sort.Strings(got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", key, diff)
		}
	}
	w, err := disclosure.WhereIs(ctx, sc, "log4j-core", "", "")
	if err != nil || len(w.Versions) != 3 || w.Devices == 0 {
		t.Errorf("where is log4j-core: %+v %v", w, err)
	}
	vx, _ := sc.VersionVEX(ctx, versions["BD|Alaris Systems Manager|4.33"])
	hospital := 0
	for _, s := range vx {
		if s.SourceKind == domain.VEXHospital && s.Vulnerability == "CVE-2021-44228" && s.ComponentName == "log4j-core" && s.Status == "not_affected" {
			hospital++
		}
	}
	if hospital != 1 {
		t.Errorf("the hospital's Log4Shell statement: %+v", vx)
	}
	vx, _ = sc.VersionVEX(ctx, versions["B. Braun|Infusomat Space|U62"])
	if len(vx) != 2 || vx[0].ComponentName != "openssl" || vx[1].ComponentName != "openssl" || !strings.HasPrefix(vx[0].Vulnerability, "CVE-2021-37") {
		t.Errorf("B. Braun's statements on U62: %+v", vx)
	}
	drafts, _ := st.Scope(e.Manufacturer.ID).MDS2Forms(ctx, domain.MDS2Filter{Status: domain.MDS2Draft})
	if drafts.Total != 1 || drafts.Items[0].Manufacturer != "Meridian Medical Systems" {
		t.Errorf("the manufacturer's draft: %+v", drafts.Items)
	}
	rep, err := st.VerifyAudit(ctx, e.Hospital.ID)
	if err != nil || len(rep.Problems) != 0 {
		t.Errorf("audit chain: %v %v", rep.Problems, err)
	}
}
