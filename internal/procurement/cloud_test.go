package procurement

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCloudChecks(t *testing.T) {
	yes, no := true, false
	cat := builtin(t, CatalogueCloud)
	full := &CloudProfile{
		Certifications: []Certification{{Scheme: CertISO27001, ValidUntil: "2027-06-30"}, {Scheme: CertISO27017, ValidUntil: "2027-06-30"},
			{Scheme: CertISO27018}, {Scheme: CertC5Type2, ValidUntil: "2027-01-31"}, {Scheme: CertHDS, ValidUntil: "2026-10-31"}},
		DataLocation: LocationEUEEA, EncryptionAtRest: &yes, EncryptionInTransit: &yes, KeyControl: KeysHYOK, IncidentHours: 24,
		SubProcessorsDisclosed: &yes, ExitPlan: &yes, AvailabilitySLA: 99.95, NIS2Clauses: &yes, MFA: &yes, AuditLogs: &yes, Backup: &yes, DPA: &yes,
	}
	weak := &CloudProfile{
		Certifications: []Certification{{Scheme: CertISO27001, ValidUntil: "2026-09-30"}, {Scheme: CertC5Type1, ValidUntil: "2027-09-30"}},
		DataLocation:   LocationOther, EncryptionAtRest: &no, EncryptionInTransit: &yes, KeyControl: KeysProvider, IncidentHours: 48,
		AvailabilitySLA: 99.0, DPA: &no, MFA: &no,
	}
	ev := Evaluate(context.Background(), cat, []Vendor{{Name: "full", Cloud: full}, {Name: "weak", Cloud: weak}, {Name: "none"}}, Options{AsOf: asOf})
	wantFull := map[string]string{
		"cloud.iso27001": "automatic 3", "cloud.iso27017": "automatic 3", "cloud.c5": "automatic 3",
		"cloud.eucs":     "not-applicable -", // no EUCS certificate: the scheme is not adopted
		"cloud.hds":      "automatic 0",      // expired on 2026-10-31
		"cloud.location": "automatic 3", "cloud.dpa": "automatic 3", "cloud.subprocessors": "automatic 3", "cloud.encryption": "automatic 3",
		"cloud.keys": "automatic 3", "cloud.mfa": "automatic 3", "cloud.logs": "automatic 3", "cloud.incident": "automatic 3", "cloud.sla": "automatic 3",
		"cloud.backup": "automatic 3", "cloud.exit": "automatic 3", "cloud.nis2": "automatic 3",
	}
	wantWeak := map[string]string{
		"cloud.iso27001": "automatic 0 KO", // expired 2026-09-30
		"cloud.iso27017": "automatic 0", "cloud.c5": "automatic 2", "cloud.eucs": "not-applicable -", "cloud.hds": "automatic 0",
		"cloud.location": "automatic 0 KO", "cloud.dpa": "automatic 0 KO", "cloud.subprocessors": "needs-evaluation -",
		"cloud.encryption": "automatic 2", // only in transit: half
		"cloud.keys":       "automatic 1", "cloud.mfa": "automatic 0", "cloud.logs": "needs-evaluation -",
		"cloud.incident": "automatic 2", // 48 h: half way between 24 and 72
		"cloud.sla":      "automatic 0", "cloud.backup": "needs-evaluation -", "cloud.exit": "needs-evaluation -", "cloud.nis2": "needs-evaluation -",
	}
	if diff := cmp.Diff(wantFull, compact(ev.Vendors[0])); diff != "" {
		t.Errorf("full profile (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantWeak, compact(ev.Vendors[1])); diff != "" {
		t.Errorf("weak profile (-want +got):\n%s", diff)
	}
	if n := ev.Vendors[2].NeedsEvaluation; n != 17 {
		t.Errorf("no assessment: %d open, want all 17", n)
	}
	if got := weak.ExpiringCerts(asOf, 90); len(got) != 1 || got[0].Scheme != CertISO27001 {
		t.Errorf("expiring: %+v", got)
	}
	if err := (&CloudProfile{DataLocation: "moon"}).Validate(); err == nil {
		t.Errorf("bad location accepted")
	}
}
