package store_test

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/findingset"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

func fleetFinding(pv int64, comp, vulnID, reason string) domain.Finding {
	f := domain.Finding{ProductVersionID: pv, ComponentKey: comp, VulnID: vulnID, Source: "OSV", Matcher: "osv-range", Reason: reason,
		Confidence: 1, Severity: "high", SeverityRank: 4, CVSSScore: 7.5, MatchStatus: "affected", Active: true,
		CVSSVectors: []string{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}}
	if comp != "" {
		f.ComponentName, f.ComponentVersion, f.ComponentPURL, f.ComponentID = "x/net", "0.7.0", comp, 1
	}
	return f
}

func replaceFindings(t *testing.T, st *store.Store, org int64, scopes []store.FleetFindingScope, fs ...domain.Finding) store.FleetReplaceResult {
	t.Helper()
	ctx := testutil.Ctx(org)
	var res store.FleetReplaceResult
	err := st.Scope(org).Write(ctx, func(tx *store.Tx) error {
		var err error
		res, err = tx.ReplaceFleetFindings(ctx, scopes, fs)
		return err
	})
	if err != nil {
		t.Fatalf("replace findings: %v", err)
	}
	return res
}

// findingsByKey lists every finding of an organisation (gone and suppressed ones too) by "component vuln".
func findingsByKey(t *testing.T, st *store.Store, org int64) map[string]domain.Finding {
	t.Helper()
	page, err := st.Scope(org).FleetFindings(testutil.Ctx(org), domain.FindingFilter{All: true, ListParams: domain.ListParams{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]domain.Finding{}
	for _, f := range page.Items {
		out[strconv.FormatInt(f.ProductVersionID, 10)+" "+f.ComponentKey+" "+f.VulnID] = f
	}
	return out
}

func TestFleetFindingsReplaceKeepsTriage(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		fx := newFixture(t, st, "fleet")
		other := newFixture(t, st, "fleet-other")
		org, ctx := fx.org.ID, testutil.Ctx(fx.org.ID)
		const netPURL, textPURL = "pkg:golang/golang.org/x/net@0.7.0", "pkg:golang/golang.org/x/text@0.3.0"
		whole := []store.FleetFindingScope{{ProductVersionID: fx.u61.ID}, {ProductVersionID: fx.u62.ID}}
		res := replaceFindings(t, st, org, whole,
			fleetFinding(fx.u61.ID, netPURL, "CVE-2023-44487", "in range introduced 0 / fixed 0.17.0 of GO-2023-2102 (OSV)"),
			fleetFinding(fx.u61.ID, textPURL, "CVE-2022-32149", "in range"),
			fleetFinding(fx.u61.ID, "", "CVE-2022-1234", "CSAF advisory ICSMA-22-1 lists product version"),
			fleetFinding(fx.u62.ID, netPURL, "CVE-2023-44487", "in range"))
		if res.Created != 4 || res.Updated+res.Unchanged+res.Gone != 0 {
			t.Fatalf("first match: %+v", res)
		}
		// The same match again writes nothing.
		res = replaceFindings(t, st, org, whole,
			fleetFinding(fx.u61.ID, netPURL, "CVE-2023-44487", "in range introduced 0 / fixed 0.17.0 of GO-2023-2102 (OSV)"),
			fleetFinding(fx.u61.ID, textPURL, "CVE-2022-32149", "in range"),
			fleetFinding(fx.u61.ID, "", "CVE-2022-1234", "CSAF advisory ICSMA-22-1 lists product version"),
			fleetFinding(fx.u62.ID, netPURL, "CVE-2023-44487", "in range"))
		if res.Unchanged != 4 || res.Created+res.Updated+res.Gone != 0 {
			t.Fatalf("same match: %+v", res)
		}
		before := findingsByKey(t, st, org)
		// Triage one finding of u61.
		u61net := before[strconv.FormatInt(fx.u61.ID, 10)+" "+netPURL+" CVE-2023-44487"]
		expires := time.Now().Add(90 * 24 * time.Hour).UTC().Truncate(time.Second)
		tri := domain.Triage{State: domain.FindingRiskAccepted, Owner: "Dr. Weber", Expires: &expires, Comment: "isolated VLAN"}
		if err := tri.Validate(time.Now()); err != nil {
			t.Fatal(err)
		}
		err := st.Scope(org).Write(ctx, func(tx *store.Tx) error {
			_, err := tx.TriageFinding(ctx, u61net.ID, tri)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		// A re-match of u61 with a changed reason for x/net and without x/text.
		res = replaceFindings(t, st, org, []store.FleetFindingScope{{ProductVersionID: fx.u61.ID}},
			fleetFinding(fx.u61.ID, netPURL, "CVE-2023-44487", "a new reason"),
			fleetFinding(fx.u61.ID, "", "CVE-2022-1234", "CSAF advisory ICSMA-22-1 lists product version"))
		if res.Updated != 1 || res.Unchanged != 1 || res.Gone != 1 || res.Created != 0 {
			t.Fatalf("re-match: %+v", res)
		}
		after, err := st.Scope(org).FleetFinding(ctx, u61net.ID)
		if err != nil {
			t.Fatal(err)
		}
		if after.State != domain.FindingRiskAccepted || after.Owner != "Dr. Weber" || after.Expires == nil || !after.Expires.Equal(expires) ||
			after.Reason != "a new reason" || !after.FirstSeen.Equal(u61net.FirstSeen) {
			t.Errorf("re-matched finding lost its triage or kept the old reason: %+v", after)
		}
		// Only the findings of the component keys re-matched are replaced.
		res = replaceFindings(t, st, org, []store.FleetFindingScope{{ProductVersionID: fx.u61.ID, ComponentKeys: []string{netPURL}}})
		if res.Gone != 1 || res.Unchanged+res.Updated+res.Created != 0 {
			t.Fatalf("keyed re-match: %+v", res)
		}
		all := findingsByKey(t, st, org)
		if f := all[strconv.FormatInt(fx.u61.ID, 10)+"  CVE-2022-1234"]; f.ID == 0 || f.Gone != nil {
			t.Errorf("product-level finding outside the keyed scope was marked gone")
		}
		open, err := st.Scope(org).FleetFindings(ctx, domain.FindingFilter{ProductVersionID: fx.u61.ID})
		if err != nil {
			t.Fatal(err)
		}
		if open.Total != 1 || open.Items[0].VulnID != "CVE-2022-1234" {
			t.Errorf("open findings of u61 = %+v", open.Items)
		}
		// The finding comes back with its triage.
		replaceFindings(t, st, org, []store.FleetFindingScope{{ProductVersionID: fx.u61.ID, ComponentKeys: []string{netPURL}}},
			fleetFinding(fx.u61.ID, netPURL, "CVE-2023-44487", "a new reason"))
		back, _ := st.Scope(org).FleetFinding(ctx, u61net.ID)
		if back.Gone != nil || back.State != domain.FindingRiskAccepted {
			t.Errorf("returning finding: gone %v state %s", back.Gone, back.State)
		}
		events, err := st.Scope(org).FindingEvents(ctx, u61net.ID)
		if err != nil || len(events) != 1 || events[0].ToState != domain.FindingRiskAccepted || events[0].Comment != "isolated VLAN" {
			t.Errorf("history = %+v, %v", events, err)
		}
		// Tenant isolation: the other organisation sees nothing and cannot read the finding.
		if _, err := st.Scope(other.org.ID).FleetFinding(testutil.Ctx(other.org.ID), u61net.ID); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("other organisation read a finding: %v", err)
		}
		if facts, err := st.OpenFindingFacts(context.Background(), other.org.ID); err != nil || len(facts) != 0 {
			t.Errorf("other organisation's facts = %v, %v", facts, err)
		}
		// A finding outside the scopes is refused.
		err = st.Scope(org).Write(ctx, func(tx *store.Tx) error {
			_, err := tx.ReplaceFleetFindings(ctx, []store.FleetFindingScope{{ProductVersionID: fx.u62.ID}}, []domain.Finding{fleetFinding(fx.u61.ID, netPURL, "CVE-1", "x")})
			return err
		})
		if err == nil {
			t.Error("a finding outside the scope was stored")
		}
	})
}

func TestOpenFindingFacts(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		fx := newFixture(t, st, "facts")
		org, ctx := fx.org.ID, testutil.Ctx(fx.org.ID)
		epss, pct := 0.94, 0.999
		err := st.WriteGlobal(context.Background(), func(tx *store.Tx) error {
			return tx.UpsertVulnerabilities(context.Background(), []domain.Vulnerability{{ID: "CVE-2023-44487", Aliases: []string{"GO-2023-2102"},
				Summary: "HTTP/2 rapid reset", Severity: "high", SeverityRank: 4, CISAKEV: true, EUKEV: true, EPSSScore: &epss, EPSSPercentile: &pct}},
				[][]string{{"CVE-2023-44487", "GO-2023-2102"}})
		})
		if err != nil {
			t.Fatal(err)
		}
		const p = "pkg:golang/golang.org/x/net@0.7.0"
		suppressed := fleetFinding(fx.u61.ID, "pkg:npm/lodash@4.17.20", "CVE-2021-23337", "in range")
		suppressed.Active, suppressed.MatchStatus, suppressed.VEXOrigin = false, "not_affected", "manufacturer"
		notAffected := fleetFinding(fx.u62.ID, p, "CVE-2022-41723", "in range")
		replaceFindings(t, st, org, []store.FleetFindingScope{{ProductVersionID: fx.u61.ID}, {ProductVersionID: fx.u62.ID}},
			fleetFinding(fx.u61.ID, p, "CVE-2023-44487", "pkg:golang/golang.org/x/net@0.7.0 is in range introduced 0 / fixed 0.17.0 of GO-2023-2102 (OSV)"),
			suppressed, notAffected, fleetFinding(fx.u62.ID, "", "CVE-2019-0001", "CSAF"))
		all := findingsByKey(t, st, org)
		var naID int64
		for _, f := range all {
			if f.VulnID == "CVE-2022-41723" {
				naID = f.ID
			}
		}
		tri := domain.Triage{State: domain.FindingNotAffected, Justification: "vulnerable_code_not_in_execute_path"}
		if err := st.Scope(org).Write(ctx, func(tx *store.Tx) error { _, err := tx.TriageFinding(ctx, naID, tri); return err }); err != nil {
			t.Fatal(err)
		}
		facts, err := st.OpenFindingFacts(ctx, org)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, f := range facts {
			ids = append(ids, f.VulnID)
		}
		slices.Sort(ids)
		if !slices.Equal(ids, []string{"CVE-2019-0001", "CVE-2023-44487"}) {
			t.Fatalf("open facts = %v", ids)
		}
		for _, f := range facts {
			if f.VulnID != "CVE-2023-44487" {
				if f.CISAKEV || f.EPSS != 0 || len(f.CVSSVectors) != 1 || f.ProductVersionID != fx.u62.ID {
					t.Errorf("product-level fact = %+v", f)
				}
				continue
			}
			if !f.CISAKEV || !f.EUKEV || f.EPSS != 0.94 || f.EPSSPercentile != 0.999 || f.State != domain.FindingNew ||
				!slices.Equal(f.CVSSVectors, []string{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}) || f.ProductVersionID != fx.u61.ID {
				t.Errorf("fact = %+v", f)
			}
		}
		// List filters: KEV, EPSS, severity, state.
		for _, c := range []struct {
			f    domain.FindingFilter
			want int
		}{
			{domain.FindingFilter{KEV: true}, 1},
			{domain.FindingFilter{MinEPSS: 0.5}, 1},
			{domain.FindingFilter{Severity: "critical"}, 0},
			{domain.FindingFilter{Severity: "high"}, 3},
			{domain.FindingFilter{States: []string{domain.FindingNotAffected}}, 1},
			{domain.FindingFilter{All: true}, 4},
			{domain.FindingFilter{ManufacturerID: fx.braun.ID}, 3},
			{domain.FindingFilter{ManufacturerID: fx.philips.ID}, 0},
		} {
			page, err := st.Scope(org).FleetFindings(ctx, c.f)
			if err != nil || page.Total != c.want {
				t.Errorf("filter %+v: %d findings (%v), want %d", c.f, page.Total, err, c.want)
			}
		}
	})
}

// A scope that names vulnerabilities (a feed change) replaces only their findings: the package's
// other vulnerabilities' findings are neither marked gone nor counted, and a finding of another
// vulnerability is refused.
func TestFleetFindingsReplaceVulnScope(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		fx := newFixture(t, st, "fleet-vulns")
		org, ctx := fx.org.ID, testutil.Ctx(fx.org.ID)
		const netPURL, textPURL = "pkg:golang/golang.org/x/net@0.7.0", "pkg:golang/golang.org/x/text@0.3.0"
		pv := strconv.FormatInt(fx.u61.ID, 10)
		res := replaceFindings(t, st, org, []store.FleetFindingScope{{ProductVersionID: fx.u61.ID}},
			fleetFinding(fx.u61.ID, netPURL, "CVE-2023-44487", "in range"),
			fleetFinding(fx.u61.ID, netPURL, "CVE-2023-39325", "in range"),
			fleetFinding(fx.u61.ID, netPURL, "CVE-2023-3978", "in range"),
			fleetFinding(fx.u61.ID, textPURL, "CVE-2022-32149", "in range"))
		if res.Created != 4 {
			t.Fatalf("first match: %+v", res)
		}
		// A change of CVE-2023-39325 (gone from the match) and a new CVE-2099-0001; the change names
		// x/net's and x/text's components but only these two vulnerabilities.
		scope := []store.FleetFindingScope{{ProductVersionID: fx.u61.ID, ComponentKeys: []string{netPURL, textPURL},
			Vulns: []string{"CVE-2023-39325", "CVE-2099-0001"}}}
		res = replaceFindings(t, st, org, scope, fleetFinding(fx.u61.ID, netPURL, "CVE-2099-0001", "in range"))
		if res.Created != 1 || res.Gone != 1 || res.Unchanged+res.Updated != 0 || res.Active != 1 {
			t.Fatalf("vulnerability-scoped re-match: %+v", res)
		}
		all := findingsByKey(t, st, org)
		for key, wantGone := range map[string]bool{
			pv + " " + netPURL + " CVE-2023-44487":  false,
			pv + " " + netPURL + " CVE-2023-39325":  true,
			pv + " " + netPURL + " CVE-2023-3978":   false,
			pv + " " + textPURL + " CVE-2022-32149": false,
			pv + " " + netPURL + " CVE-2099-0001":   false,
		} {
			f, ok := all[key]
			if !ok {
				t.Errorf("%s: missing", key)
			} else if (f.Gone != nil) != wantGone {
				t.Errorf("%s: gone %v, want gone %v", key, f.Gone, wantGone)
			}
		}
		// The same scope with a finding of a vulnerability it does not name is refused.
		err := st.Scope(org).Write(ctx, func(tx *store.Tx) error {
			_, err := tx.ReplaceFleetFindings(ctx, scope, []domain.Finding{fleetFinding(fx.u61.ID, netPURL, "CVE-2023-44487", "changed")})
			return err
		})
		if err == nil {
			t.Error("a finding of a vulnerability outside the scope was stored")
		}
		// Several scopes of one version: one without Vulns puts every vulnerability in scope.
		res = replaceFindings(t, st, org, []store.FleetFindingScope{scope[0], {ProductVersionID: fx.u61.ID, ComponentKeys: []string{textPURL}}},
			fleetFinding(fx.u61.ID, netPURL, "CVE-2099-0001", "in range"))
		if res.Unchanged != 1 || res.Gone != 1 || res.Created+res.Updated != 0 {
			t.Errorf("mixed scopes: %+v (want x/text's CVE-2022-32149 gone, CVE-2099-0001 unchanged)", res)
		}
	})
}

// Migration 0025 dropped, on PostgreSQL, the foreign key of findings to organisations: the one to the
// organisation's product version implies it. What it guaranteed still holds on both engines.
func TestFindingsForeignKeys(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		fx := newFixture(t, st, "fk")
		other := newFixture(t, st, "fk-other")
		org, ctx := fx.org.ID, testutil.Ctx(fx.org.ID)
		const purl = "pkg:golang/golang.org/x/net@0.7.0"
		replaceFindings(t, st, org, []store.FleetFindingScope{{ProductVersionID: fx.u62.ID}},
			fleetFinding(fx.u62.ID, purl, "CVE-2023-44487", "in range"))
		exec := func(q string, args ...any) error {
			return st.Scope(org).Write(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, q, args...)
				return err
			})
		}
		set, err := findingset.AppendSet(nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		insert := "INSERT INTO finding_sets (org_id, product_version_id, part, n, data) VALUES (?, ?, 7, 0, ?)"
		if err := exec(insert, org, other.u62.ID, set); err == nil {
			t.Error("a finding of another organisation's product version was stored")
		}
		if err := exec(insert, int64(1<<40), fx.u62.ID, set); err == nil {
			t.Error("a finding of an organisation that does not exist was stored")
		}
		if err := exec("DELETE FROM organisations WHERE id = ?", org); err == nil {
			t.Error("an organisation with product versions and findings was deleted")
		}
		if len(findingsByKey(t, st, org)) != 1 {
			t.Fatal("the finding is gone after refused changes")
		}
		err = st.Scope(org).Write(ctx, func(tx *store.Tx) error { return tx.DeleteProductVersion(ctx, fx.u62.ID) })
		if err != nil {
			t.Fatal(err)
		}
		if n := len(findingsByKey(t, st, org)); n != 0 {
			t.Errorf("%d findings left after their product version was deleted", n)
		}
	})
}

// A key twice in one replacement (an SBOM may list a component twice) is stored and counted once, as
// the first occurrence says — when nothing is stored in the scope yet (a first match) and beside
// stored findings alike.
func TestFleetFindingsDuplicateKeys(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		fx := newFixture(t, st, "dup")
		org := fx.org.ID
		const netPURL, textPURL = "pkg:golang/golang.org/x/net@0.7.0", "pkg:golang/golang.org/x/text@0.3.0"
		whole := []store.FleetFindingScope{{ProductVersionID: fx.u61.ID}, {ProductVersionID: fx.u62.ID}}
		inactive := fleetFinding(fx.u62.ID, textPURL, "CVE-2", "second, set aside")
		inactive.Active = false
		res := replaceFindings(t, st, org, whole,
			fleetFinding(fx.u62.ID, textPURL, "CVE-2", "first"), fleetFinding(fx.u61.ID, netPURL, "CVE-1", "in range"), inactive)
		if res.Created != 2 || res.Active != 2 {
			t.Errorf("first match with a key twice = %+v, want 2 created, 2 active", res)
		}
		key := strconv.FormatInt(fx.u62.ID, 10) + " " + textPURL + " CVE-2"
		if f := findingsByKey(t, st, org)[key]; f.Reason != "first" || !f.Active {
			t.Errorf("the key twice stored as %+v, want the first", f)
		}
		// beside stored findings: a new key twice, a stored one twice
		res = replaceFindings(t, st, org, whole,
			fleetFinding(fx.u61.ID, netPURL, "CVE-1", "in range"), fleetFinding(fx.u61.ID, netPURL, "CVE-3", "new"),
			fleetFinding(fx.u62.ID, textPURL, "CVE-2", "first"), fleetFinding(fx.u61.ID, netPURL, "CVE-3", "new, again"),
			fleetFinding(fx.u61.ID, netPURL, "CVE-1", "in range, again"))
		if res.Created != 1 || res.Unchanged != 2 || res.Updated != 0 || res.Gone != 0 || res.Active != 3 {
			t.Errorf("re-match with keys twice = %+v, want 1 created, 2 unchanged, 3 active", res)
		}
		byKey := findingsByKey(t, st, org)
		if len(byKey) != 3 || byKey[strconv.FormatInt(fx.u61.ID, 10)+" "+netPURL+" CVE-3"].Reason != "new" {
			t.Errorf("after the re-match: %d findings, CVE-3 says %q", len(byKey), byKey[strconv.FormatInt(fx.u61.ID, 10)+" "+netPURL+" CVE-3"].Reason)
		}
	})
}

// TestFleetFindingsRefusedWriteNothing: a replacement whose finding names another organisation's
// product version fails (PostgreSQL refuses the COPY, SQLite the deferred key at commit), and nothing
// of its transaction stays — neither the findings nor the segments written before them; the store
// writes normally afterwards (the connection that failed goes back to the pool clean).
func TestFleetFindingsRefusedWriteNothing(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		fx := newFixture(t, st, "refused")
		other := newFixture(t, st, "refused-other")
		org, ctx := fx.org.ID, testutil.Ctx(fx.org.ID)
		const purl = "pkg:golang/golang.org/x/net@0.7.0"
		count := func(table string) int {
			t.Helper()
			var n int
			if err := st.Scope(org).QueryRow(ctx, "SELECT COUNT(*) FROM "+table+" WHERE org_id = ?", org).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		scopes := []store.FleetFindingScope{{ProductVersionID: fx.u61.ID}, {ProductVersionID: other.u61.ID}}
		for range 3 { // again and again: each failure must leave the connection usable
			err := st.Scope(org).Write(ctx, func(tx *store.Tx) error {
				_, err := tx.ReplaceFleetFindings(ctx, scopes, []domain.Finding{
					fleetFinding(fx.u61.ID, purl, "CVE-1", "own"),
					fleetFinding(other.u61.ID, purl, "CVE-2", "not ours"),
				})
				return err
			})
			if err == nil {
				t.Fatal("a finding of another organisation's product version was stored")
			}
			if !strings.Contains(err.Error(), "foreign key") && !strings.Contains(err.Error(), "FOREIGN KEY") {
				t.Errorf("the error does not say which key refused it: %v", err)
			}
			if n, m := count("finding_sets"), count("finding_segments"); n != 0 || m != 0 {
				t.Fatalf("after the refused replacement: %d sets, %d segments", n, m)
			}
		}
		res := replaceFindings(t, st, org, scopes[:1], fleetFinding(fx.u61.ID, purl, "CVE-1", "own"))
		if res.Created != 1 || count("finding_sets") != 1 || count("finding_segments") != 1 {
			t.Errorf("the next replacement: %+v, %d sets, %d segments", res, count("finding_sets"), count("finding_segments"))
		}
	})
}

// TestCopyCancelled: a COPY whose context ends halfway (a match job cancelled, the server stopping)
// fails, its transaction keeps nothing, and the pool's connections — one, here, so it is the same one
// — serve the next transaction.
func TestCopyCancelled(t *testing.T) {
	if os.Getenv("VIGIL_TEST_POSTGRES") == "" {
		t.Skip("COPY is PostgreSQL's; VIGIL_TEST_POSTGRES is not set")
	}
	opts := testutil.StoreOptions(t, "postgres")
	opts.MaxConns = 1
	st, err := store.Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	fx := newFixture(t, st, "copy-cancel")
	org := fx.org.ID
	ctx, cancel := context.WithCancel(testutil.Ctx(org))
	defer cancel()
	cols := []string{"org_id", "first_id", "last_id", "product_version_id"}
	err = st.Scope(org).Write(ctx, func(tx *store.Tx) error {
		return tx.CopyRows(ctx, "finding_legacy_ids", cols, 100000, func(i int) []any {
			if i == 50000 {
				cancel()
			}
			return []any{org, int64(i), int64(i), fx.u61.ID}
		})
	})
	if err == nil {
		t.Fatal("a COPY whose context was cancelled halfway succeeded")
	}
	t.Logf("the cancelled COPY: %v", err)
	var kept int
	if err := st.Scope(org).QueryRow(testutil.Ctx(org), "SELECT COUNT(*) FROM finding_legacy_ids").Scan(&kept); err != nil || kept != 0 {
		t.Errorf("%d rows kept by the cancelled COPY (%v)", kept, err)
	}
	res := replaceFindings(t, st, org, []store.FleetFindingScope{{ProductVersionID: fx.u61.ID}},
		fleetFinding(fx.u61.ID, "pkg:golang/golang.org/x/net@0.7.0", "CVE-1", "after"))
	if res.Created != 1 || len(findingsByKey(t, st, org)) != 1 {
		t.Errorf("the transaction after the cancelled COPY: %+v", res)
	}
}
