package fleet_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/disclosure"
	"github.com/vigil-med/vigil/internal/disclosure/disclosuretest"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/feeds/nvd"
	"github.com/vigil-med/vigil/internal/feeds/osv"
	"github.com/vigil-med/vigil/internal/fleet"
	"github.com/vigil-med/vigil/internal/match"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
	"github.com/vigil-med/vigil/internal/vex"
)

type staticIndex struct{ idx *match.Index }

func (s staticIndex) Index(context.Context) (*match.Index, error) { return s.idx, nil }

// realIndex indexes real records: the GitHub advisory of Log4Shell (OSV) and NVD's Heartbleed and
// CVE-2022-3602 records.
func realIndex(t testing.TB) *match.Index {
	t.Helper()
	recs, err := osv.ReadDir("../feeds/osv/testdata/ghsa", osv.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"CVE-2014-0160.json", "CVE-2022-3602.json", "CVE-2021-44228.json"} {
		p, err := nvd.ReadFile("../feeds/nvd/testdata/"+f, nvd.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, p.Vulnerabilities...)
	}
	return match.NewIndex(recs, nil)
}

func byVuln(t *testing.T, st *store.Store, org int64) map[string]domain.Finding {
	t.Helper()
	page, err := st.Scope(org).FleetFindings(testutil.Ctx(org), domain.FindingFilter{All: true, ListParams: domain.ListParams{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]domain.Finding{}
	for _, f := range page.Items {
		out[f.VulnID] = f
	}
	return out
}

func TestMatchAll(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		org := testutil.Org(t, st, "fleet").ID
		disclosuretest.Seed(t, st, org, "acme")
		svc := fleet.New(st, staticIndex{realIndex(t)}, nil)
		var last int
		res, err := svc.MatchAll(context.Background(), org, func(done, total int) { last = done })
		if err != nil {
			t.Fatal(err)
		}
		if res.ProductVersions == 0 || last != res.ProductVersions {
			t.Errorf("progress %d of %d", last, res.ProductVersions)
		}
		got := byVuln(t, st, org)
		log4shell, ok := got["CVE-2021-44228"]
		if !ok {
			t.Fatalf("no Log4Shell finding: %v", got)
		}
		// The manufacturer's OpenVEX says not_affected: kept, suppressed, with the statement named.
		if log4shell.Active || log4shell.MatchStatus != "not_affected" || log4shell.VEXOrigin != "manufacturer" || log4shell.VEXStatementID == 0 ||
			log4shell.ComponentPURL != "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1" || log4shell.ComponentID == 0 ||
			log4shell.Severity != "critical" || len(log4shell.CVSSVectors) == 0 || log4shell.FixedVersion == "" {
			t.Errorf("Log4Shell finding = %+v", log4shell)
		}
		// The CSAF advisory's known_affected product status: a product-level finding.
		csaf, ok := got["CVE-2024-99999"]
		if !ok || csaf.ComponentKey != "" || csaf.Matcher != match.MatcherCSAF || !csaf.Active || csaf.Reason == "" {
			t.Errorf("CSAF finding = %+v (%v)", csaf, ok)
		}
		// The hospital's own affected statement adds a finding.
		if h, ok := got["CVE-2022-0778"]; !ok || h.Matcher != match.MatcherVEX || !h.Active {
			t.Errorf("hospital VEX finding = %+v (%v)", h, ok)
		}
		facts, err := st.OpenFindingFacts(context.Background(), org)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range facts {
			if f.VulnID == "CVE-2021-44228" {
				t.Errorf("a VEX-suppressed finding is open: %+v", f)
			}
		}
		if len(facts) != res.Active {
			t.Errorf("%d open facts, %d active findings", len(facts), res.Active)
		}
		// A second full match changes nothing.
		again, err := svc.MatchAll(context.Background(), org, nil)
		if err != nil {
			t.Fatal(err)
		}
		if again.Created != 0 || again.Updated != 0 || again.Gone != 0 || again.Unchanged != res.Findings {
			t.Errorf("second match = %+v, first %+v", again, res)
		}
		st2, _ := st.Scope(org).FleetMatchState(context.Background())
		if st2.LastFull == nil || st2.Findings != res.Active {
			t.Errorf("match state = %+v", st2)
		}

		// The hospital's triage overrides the manufacturer's VEX: exploitable makes the suppressed
		// Log4Shell finding active again, not_affected suppresses exactly the CSAF finding.
		ctx := testutil.Ctx(org)
		f, err := svc.Triage(ctx, org, log4shell.ID, domain.Triage{State: domain.FindingExploitable, Comment: "reachable from the LAN"})
		if err != nil {
			t.Fatal(err)
		}
		if !f.Active || f.VEXOrigin != "hospital" || f.State != domain.FindingExploitable {
			t.Errorf("after exploitable: %+v", f)
		}
		if _, err := svc.Triage(ctx, org, csaf.ID, domain.Triage{State: domain.FindingNotAffected}); domain.ErrorCode(err) != domain.EInvalid {
			t.Errorf("not_affected without justification: %v", err)
		}
		f, err = svc.Triage(ctx, org, csaf.ID, domain.Triage{State: domain.FindingNotAffected, Justification: "vulnerable_code_not_present"})
		if err != nil {
			t.Fatal(err)
		}
		if f.Active || f.VEXOrigin != "hospital" || f.VEXJustification != "vulnerable_code_not_present" {
			t.Errorf("after not_affected: %+v", f)
		}
		after := byVuln(t, st, org)
		for id, x := range got {
			if id == "CVE-2024-99999" || id == "CVE-2021-44228" {
				continue
			}
			if y := after[id]; y.Active != x.Active || y.State != x.State || y.Gone != nil {
				t.Errorf("%s changed by triage of other findings: %+v → %+v", id, x, y)
			}
		}
	})
}

// A VEX statement or a fixed version removes exactly the findings it names.
func TestVEXAndFixRemoveExactlyTheirFindings(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		org := testutil.Org(t, st, "exact").ID
		ctx := testutil.Ctx(org)
		disclosuretest.Seed(t, st, org, "acme")
		// A second product version with the same components.
		sbom := string(disclosuretest.CycloneDX("Pump 4000", "2.0", "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b80"))
		if _, err := disclosure.ImportSBOM(ctx, st.Scope(org), []byte(sbom), disclosure.SBOMOptions{Manufacturer: "acme Medical", Product: "Pump 4000",
			Version: "2.0", Source: disclosure.Source{FileName: "p4000.cdx.json"}}); err != nil {
			t.Fatal(err)
		}
		svc := fleet.New(st, staticIndex{realIndex(t)}, nil)
		if _, err := svc.MatchAll(ctx, org, nil); err != nil {
			t.Fatal(err)
		}
		state := func() map[string]string {
			page, err := st.Scope(org).FleetFindings(ctx, domain.FindingFilter{All: true, ListParams: domain.ListParams{Limit: 500}})
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]string{}
			for _, f := range page.Items {
				s := "active"
				if !f.Active {
					s = "suppressed"
				}
				if f.Gone != nil {
					s = "gone"
				}
				out[f.Product+" "+f.Component()+" "+f.VulnID] = s
			}
			return out
		}
		before := state()
		const p4000 = "Pump 4000 log4j-core 2.14.1 CVE-2021-44228"
		if before[p4000] != "active" {
			t.Fatalf("Pump 4000 Log4Shell = %q in %v", before[p4000], before)
		}
		// A hospital statement on Pump 4000's log4j-core: exactly that finding is suppressed.
		var pv int64
		vs, err := st.Scope(org).FleetVersionIDs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pv = vs[len(vs)-1]
		s := domain.VEXStatement{Vulnerability: "CVE-2021-44228", ProductVersionID: pv, Status: "not_affected", Justification: "vulnerable_code_not_in_execute_path",
			ComponentPURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", SourceKind: domain.VEXHospital}
		if err := st.Scope(org).Write(ctx, func(tx *store.Tx) error { return tx.AddVEXStatement(ctx, &s) }); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.MatchVersions(ctx, org, []int64{pv}, nil, nil); err != nil {
			t.Fatal(err)
		}
		after := state()
		for k, v := range before {
			want := v
			if k == p4000 {
				want = "suppressed"
			}
			if after[k] != want {
				t.Errorf("after the VEX statement %s = %s, want %s", k, after[k], want)
			}
		}
		// A fixed version in the SBOM of Pump 3000: exactly its Log4Shell finding goes.
		fixed := strings.ReplaceAll(string(disclosuretest.CycloneDX("Pump 3000", "1.2.3", "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79")), "2.14.1", "2.17.1")
		if _, err := disclosure.ImportSBOM(ctx, st.Scope(org), []byte(fixed), disclosure.SBOMOptions{Manufacturer: "acme Medical", Product: "Pump 3000",
			Version: "1.2.3", Source: disclosure.Source{FileName: "p3000-fixed.cdx.json"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.MatchVersions(ctx, org, vs[:1], nil, nil); err != nil {
			t.Fatal(err)
		}
		final := state()
		for k, v := range after {
			want := v
			if k == "Pump 3000 log4j-core 2.14.1 CVE-2021-44228" {
				want = "gone"
			}
			if final[k] != want {
				t.Errorf("after the fixed version %s = %s, want %s", k, final[k], want)
			}
		}
		if len(final) != len(after) {
			t.Errorf("findings after the fix: %v", final)
		}
		// The hospital's statements export as OpenVEX and CycloneDX.
		for _, format := range []string{fleet.VEXOpenVEX, fleet.VEXCycloneDX} {
			var buf bytes.Buffer
			if err := svc.ExportVEX(ctx, org, format, "Test Hospital", &buf); err != nil {
				t.Fatal(err)
			}
			stmts, _, err := vex.DecodeBytes(buf.Bytes(), "export."+format)
			if err != nil {
				t.Fatalf("%s: %v\n%s", format, err, buf.String())
			}
			got := map[string]vex.Status{}
			for _, s := range stmts {
				got[s.Vulnerability] = s.Status
			}
			if got["CVE-2021-44228"] != vex.NotAffected || got["CVE-2022-0778"] != vex.Affected {
				t.Errorf("%s export: %v", format, got)
			}
		}
	})
}

// A full match runs in chunks of product versions (matched on one goroutine, stored on another): over
// several chunks every version's findings are stored once, exactly as matching that version alone
// gives them.
func TestMatchAllAcrossChunks(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		idx := realIndex(t)
		f, err := fleet.Bench(context.Background(), st, idx, fleet.BenchOptions{Assets: 130, Versions: 130, Components: 40, Known: 0.6, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		if f.Findings == 0 {
			t.Fatal("the generated fleet has no findings")
		}
		ctx := testutil.Ctx(f.OrgID)
		ids, err := st.Scope(f.OrgID).FleetVersionIDs(ctx)
		if err != nil || len(ids) != 130 {
			t.Fatalf("%d product versions, %v", len(ids), err)
		}
		svc := fleet.New(st, staticIndex{idx}, nil)
		unchanged := 0
		for _, pv := range ids {
			res, err := svc.MatchVersions(ctx, f.OrgID, []int64{pv}, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Created+res.Updated+res.Gone != 0 {
				t.Errorf("product version %d matched alone differs from the full match: %+v", pv, res)
			}
			unchanged += res.Unchanged
		}
		// the benchmark's new advisories found no component of this index, so the full match's count holds
		if unchanged != f.Findings {
			t.Errorf("%d findings matched version by version, %d in the full match", unchanged, f.Findings)
		}
		// Again with progress, as the background job reports it: once per stored chunk, rising to all.
		var seen []int
		res, err := svc.MatchAll(ctx, f.OrgID, func(done, total int) {
			if total != len(ids) {
				t.Errorf("progress total %d, want %d", total, len(ids))
			}
			seen = append(seen, done)
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Unchanged != f.Findings || res.Created+res.Updated+res.Gone != 0 {
			t.Errorf("a second full match changed findings: %+v (want %d unchanged)", res, f.Findings)
		}
		if len(seen) < 3 || !slices.IsSorted(seen) || seen[len(seen)-1] != len(ids) {
			t.Errorf("progress %v: want at least three rising steps ending at %d", seen, len(ids))
		}
	})
}
