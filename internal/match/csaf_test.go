package match

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/vex"
)

func TestProductStatus(t *testing.T) {
	idx := NewIndex(loadNVD(t, "CVE-2022-2119.json", "CVE-2017-0144.json"), nil)
	statuses := []ProductStatus{
		{ProductVersion: "dcmtk-3.6.6", VulnID: "CVE-2022-2119", Status: "known_affected", AdvisoryID: "ICSMA-22-174-01", Remediation: "Update to 3.6.7"},
		{ProductVersion: "dcmtk-3.6.7", VulnID: "CVE-2022-2119", Status: "fixed", AdvisoryID: "ICSMA-22-174-01"},
		{ProductVersion: "dcmtk-3.6.6", VulnID: "CVE-2099-0001", Status: "under_investigation", AdvisoryID: "ADV-2"},
		{ProductVersion: "dcmtk-3.6.6", VulnID: "CVE-2022-2119", Status: "known_affected", AdvisoryID: "ADV-3"},
		{ProductVersion: "scanner-1", VulnID: "CVE-2017-0144", Status: "known_not_affected", AdvisoryID: "ADV-4"},
	}
	fs := idx.MatchProductStatus(statuses)
	var got []string
	for _, f := range fs {
		got = append(got, f.ProductVersion+" "+f.VulnID+" "+string(f.Status)+" "+f.RecordID)
	}
	want := []string{"dcmtk-3.6.6 CVE-2022-2119 affected ICSMA-22-174-01", "dcmtk-3.6.6 CVE-2099-0001 under_investigation ADV-2"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("findings (-want +got):\n%s", diff)
	}
	f := fs[0]
	if f.Reason != "CSAF advisory ICSMA-22-174-01 lists product version dcmtk-3.6.6 as known_affected for CVE-2022-2119; remediation: Update to 3.6.7" ||
		f.Component != -1 || f.Matcher != MatcherCSAF || len(f.OtherReasons) != 1 || f.Vulnerability.Details == "" || f.Remediation != "Update to 3.6.7" {
		t.Errorf("finding %+v", f)
	}
	st := ProductStatusStatements(statuses)
	if len(st) != 2 || st[0].Status != vex.Fixed || st[1].Status != vex.NotAffected || st[1].ProductVersion != "scanner-1" || st[1].Origin != Manufacturer {
		t.Errorf("statements %+v", st)
	}
}
