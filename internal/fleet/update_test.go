package fleet_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/config"
	"github.com/vigil-med/vigil/internal/disclosure"
	"github.com/vigil-med/vigil/internal/disclosure/disclosuretest"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/fleet"
	"github.com/vigil-med/vigil/internal/jobs"
	"github.com/vigil-med/vigil/internal/notify"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
	"github.com/vigil-med/vigil/internal/vulndb"
)

// Feed changes re-match only the components they name; a KEV listing notifies once.
func TestUpdateFollowsFeedChanges(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		org := testutil.Org(t, st, "upd").ID
		other := testutil.Org(t, st, "upd-other").ID
		disclosuretest.Seed(t, st, org, "acme")
		disclosuretest.Seed(t, st, other, "beta")
		feeds := vulndb.New(st, t.TempDir(), config.Default().Feeds, slog.New(slog.DiscardHandler))
		svc := fleet.New(st, feeds, nil)
		svc.DocumentMargin = -1 // documents are older than the last run
		svc.Notifier = &notify.Notifier{Store: st, Jobs: jobs.New(st, nil), Events: &notify.Events{}}
		svc.Notifier.Events.Register(notify.EventKind{Name: fleet.EventKEV, Label: "known exploited"})
		if _, err := feeds.Import(ctx, "../feeds/nvd/testdata/CVE-2014-0160.json", vulndb.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		// The first update matches in full.
		u, err := svc.Update(ctx, org)
		if err != nil || !u.Full {
			t.Fatalf("first update = %+v, %v", u, err)
		}
		// (documents of the last seconds are looked at again: nothing changes)
		if u, err := svc.Update(ctx, org); err != nil || u.Full || u.Feeds.ProductVersions != 0 || u.Documents.Created+u.Documents.Updated+u.Documents.Gone != 0 {
			t.Fatalf("idle update = %+v, %v", u, err)
		}
		// The Log4Shell advisory arrives: only the log4j-core component is re-matched.
		if _, err := feeds.Import(ctx, "../feeds/osv/testdata/ghsa/GHSA-jfh8-c2jp-5v3q.json", vulndb.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		u, err = svc.Update(ctx, org)
		if err != nil {
			t.Fatal(err)
		}
		if u.Changes != 1 || u.Feeds.ProductVersions != 1 || u.Feeds.Components != 1 || u.Feeds.Created != 1 || u.Feeds.Gone != 0 {
			t.Errorf("update after the advisory = %+v / %+v", u, u.Feeds)
		}
		page, err := st.Scope(org).FleetFindings(ctx, domain.FindingFilter{VulnID: "CVE-2021-44228", All: true})
		if err != nil || page.Total != 1 {
			t.Fatalf("Log4Shell findings = %+v, %v", page, err)
		}
		// A second advisory for log4j-core: the component is re-matched, but of its findings only the
		// new vulnerability's are read and stored; Log4Shell's is not even compared.
		adv := func(withdrawn string) string {
			path := filepath.Join(t.TempDir(), "GHSA-vvvv-0001-test.json")
			data := `{"schema_version": "1.6.0", "id": "GHSA-vvvv-0001-test", "modified": "2026-11-01T00:00:00Z", ` + withdrawn + `
				"aliases": ["CVE-2099-0001"], "summary": "test advisory",
				"affected": [{"package": {"ecosystem": "Maven", "name": "org.apache.logging.log4j:log4j-core"},
					"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}]}`
			if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
			return path
		}
		if _, err := feeds.Import(ctx, adv(""), vulndb.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		if u, err = svc.Update(ctx, org); err != nil || u.Feeds.Components != 1 || u.Feeds.Created != 1 || u.Feeds.Unchanged+u.Feeds.Updated+u.Feeds.Gone != 0 {
			t.Errorf("update after a second log4j-core advisory = %+v / %+v, %v", u, u.Feeds, err)
		}
		// It is withdrawn: its finding goes, Log4Shell's stays as it was.
		if _, err := feeds.Import(ctx, adv(`"withdrawn": "2026-11-02T00:00:00Z", "modified": "2026-11-02T00:00:00Z",`), vulndb.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		if u, err = svc.Update(ctx, org); err != nil || u.Feeds.Gone != 1 || u.Feeds.Created+u.Feeds.Updated+u.Feeds.Unchanged != 0 {
			t.Errorf("update after the withdrawal = %+v / %+v, %v", u, u.Feeds, err)
		}
		for vuln, want := range map[string]int{"CVE-2021-44228": 1, "CVE-2099-0001": 0} {
			if open, err := st.Scope(org).FleetFindings(ctx, domain.FindingFilter{VulnID: vuln, All: true}); err != nil || countOpen(open.Items) != want {
				t.Errorf("%s: %d findings not gone, want %d (%v)", vuln, countOpen(open.Items), want, err)
			}
		}
		// The other organisation is matched by its own update, not by this one.
		if facts, _ := st.OpenFindingFacts(ctx, other); len(facts) != 0 {
			t.Errorf("other organisation has findings before its update: %d", len(facts))
		}
		// CISA lists it as known exploited: one notification, once. (The manufacturer's VEX says
		// not_affected for Pump 3000, so triage it exploitable to make the finding open.)
		if _, err := svc.Triage(testutil.Ctx(org), org, page.Items[0].ID, domain.Triage{State: domain.FindingExploitable}); err != nil {
			t.Fatal(err)
		}
		if _, err := feeds.Import(ctx, "../feeds/kev/testdata/known_exploited_vulnerabilities.json", vulndb.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		if u, err = svc.Update(ctx, org); err != nil || u.KEVNotified != 1 {
			t.Errorf("update after KEV = %+v, %v", u, err)
		}
		if u, err = svc.Update(ctx, org); err != nil || u.KEVNotified != 0 {
			t.Errorf("second update after KEV = %+v, %v", u, err)
		}
		kev, err := st.Scope(org).FleetFindings(ctx, domain.FindingFilter{KEV: true})
		if err != nil || kev.Total != 1 || !kev.Items[0].CISAKEV {
			t.Errorf("KEV findings = %+v, %v", kev, err)
		}
	})
}

func countOpen(fs []domain.Finding) int {
	n := 0
	for _, f := range fs {
		if f.Gone == nil {
			n++
		}
	}
	return n
}

// A feed change re-matches only the components with its keys, but an NVD configuration's
// running-on condition (firmware on its hardware) still sees the version's other components: an
// unchanged finding on the Baxter Sigma Spectrum firmware stays when CVE-2022-26390 is updated.
func TestUpdateKeepsRunningOnPlatform(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		org := testutil.Org(t, st, "platform").ID
		actx := domain.WithActor(ctx, domain.Actor{Kind: domain.ActorCLI, Name: "test", OrgID: org, Role: domain.RoleAdmin})
		sbom := `{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
			"metadata": {"component": {"bom-ref": "device", "type": "device", "name": "Sigma Spectrum", "version": "8.00.01"}},
			"components": [
				{"bom-ref": "os", "type": "operating-system", "name": "sigma_spectrum_35700bax_firmware", "version": "-",
				 "cpe": "cpe:2.3:o:baxter:sigma_spectrum_35700bax_firmware:-:*:*:*:*:*:*:*"},
				{"bom-ref": "lib", "type": "library", "name": "zlib", "version": "1.2.11", "purl": "pkg:generic/zlib@1.2.11"},
				{"bom-ref": "hw", "type": "device", "name": "sigma_spectrum_35700bax", "version": "-",
				 "cpe": "cpe:2.3:h:baxter:sigma_spectrum_35700bax:-:*:*:*:*:*:*:*"}]}`
		if _, err := disclosure.ImportSBOM(actx, st.Scope(org), []byte(sbom), disclosure.SBOMOptions{Manufacturer: "Baxter",
			Product: "Sigma Spectrum", Version: "8.00.01", Source: disclosure.Source{FileName: "spectrum.cdx.json"}}); err != nil {
			t.Fatal(err)
		}
		feeds := vulndb.New(st, t.TempDir(), config.Default().Feeds, slog.New(slog.DiscardHandler))
		svc := fleet.New(st, feeds, nil)
		svc.DocumentMargin = -1
		record := "../feeds/nvd/testdata/CVE-2022-26390.json"
		if _, err := feeds.Import(ctx, record, vulndb.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		if u, err := svc.Update(ctx, org); err != nil || !u.Full || u.Documents.Created != 1 {
			t.Fatalf("first update = %+v / %+v, %v", u, u.Documents, err)
		}
		// NVD modifies the record (its description): the firmware component is re-matched.
		data, err := os.ReadFile(record)
		if err != nil {
			t.Fatal(err)
		}
		changed := strings.Replace(string(data), `"lastModified": "`, `"lastModified": "2026-11-29T00:00:00.000", "x": "`, 1)
		if changed == string(data) {
			t.Fatal("the fixture has no lastModified to change")
		}
		path := filepath.Join(t.TempDir(), "CVE-2022-26390.json")
		if err := os.WriteFile(path, []byte(changed), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := feeds.Import(ctx, path, vulndb.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		u, err := svc.Update(ctx, org)
		if err != nil || u.Changes != 1 || u.Feeds.Components != 1 || u.Feeds.Gone != 0 || u.Feeds.Unchanged+u.Feeds.Updated != 1 {
			t.Errorf("update after the modified record = %+v / %+v, %v", u, u.Feeds, err)
		}
		page, err := st.Scope(org).FleetFindings(ctx, domain.FindingFilter{VulnID: "CVE-2022-26390"})
		if err != nil || page.Total != 1 {
			t.Errorf("open CVE-2022-26390 findings after the update: %+v, %v", page.Items, err)
		}
	})
}
