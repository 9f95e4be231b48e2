package store_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/fleet"
	"github.com/vigil-med/vigil/internal/regulation"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// TestFleetHandlingEvidence: the Art 21(2)(e) evidence counts open, KEV and overdue findings and the time
// KEV findings took to be mitigated, per organisation, and is not offered before the first match.
func TestFleetHandlingEvidence(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		fx := newFixture(t, st, "fleet-ev")
		other := newFixture(t, st, "fleet-ev-other")
		org, ctx := fx.org.ID, testutil.Ctx(fx.org.ID)
		sc := st.Scope(org)
		if _, ok, err := fleet.EvidenceAt(ctx, sc, time.Now()); ok || err != nil {
			t.Fatalf("evidence before any match: ok %v, %v", ok, err)
		}
		// CVE-2023-44487 is in CISA's KEV list with a due date in the past; CVE-2022-32149 is not listed.
		due, now := time.Date(2023, 10, 31, 0, 0, 0, 0, time.UTC), store.Now()
		if err := sc.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO vulnerabilities (id, cisa_kev, cisa_kev_due, updated) VALUES (?, ?, ?, ?), (?, ?, ?, ?)`,
				"CVE-2023-44487", true, due, now, "CVE-2022-32149", false, nil, now)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		const netPURL, textPURL = "pkg:golang/golang.org/x/net@0.7.0", "pkg:golang/golang.org/x/text@0.3.0"
		for _, o := range []int64{org, other.org.ID} {
			f := fx
			if o != org {
				f = other
			}
			if err := st.Scope(o).Write(testutil.Ctx(o), func(tx *store.Tx) error { return tx.SaveFleetMatchState(testutil.Ctx(o), 1, true, 0) }); err != nil {
				t.Fatal(err)
			}
			replaceFindings(t, st, o, []store.FleetFindingScope{{ProductVersionID: f.u61.ID}, {ProductVersionID: f.u62.ID}},
				fleetFinding(f.u61.ID, netPURL, "CVE-2023-44487", "in range"),
				fleetFinding(f.u62.ID, netPURL, "CVE-2023-44487", "in range"),
				fleetFinding(f.u61.ID, textPURL, "CVE-2022-32149", "in range"))
		}
		byKey := findingsByKey(t, st, org)
		key := func(pv int64, comp, vuln string) int64 { return byKey[strconv.FormatInt(pv, 10)+" "+comp+" "+vuln].ID }
		past := time.Now().Add(-time.Hour)
		for id, tr := range map[int64]domain.Triage{
			key(fx.u61.ID, netPURL, "CVE-2023-44487"):  {State: domain.FindingMitigated, Comment: "VLAN 40, port 443 closed"},
			key(fx.u61.ID, textPURL, "CVE-2022-32149"): {State: domain.FindingRiskAccepted, Owner: "CISO", Expires: &past},
		} {
			if err := sc.Write(ctx, func(tx *store.Tx) error { _, err := tx.TriageFinding(ctx, id, tr); return err }); err != nil {
				t.Fatal(err)
			}
		}
		ev, ok, err := fleet.EvidenceAt(ctx, sc, time.Now())
		if err != nil || !ok {
			t.Fatalf("evidence: ok %v, %v", ok, err)
		}
		if err := ev.Validate(); err != nil {
			t.Errorf("evidence does not validate against the catalogue: %v", err)
		}
		got := map[string]float64{}
		for _, f := range ev.Figures {
			got[f.Name] = f.Value
		}
		// Open: all three (mitigated and accepted are decisions, not closures). KEV open: both
		// CVE-2023-44487 findings. Overdue: the KEV finding on u62 still new past CISA's due date, and
		// the accepted risk past its review date; not the mitigated one. One KEV finding mitigated today.
		want := map[string]float64{"findings_open": 3, "kev_findings_open": 2, "findings_overdue": 2, "kev_median_days_to_remediate": 0}
		for k, v := range want {
			if g, ok := got[k]; !ok || g != v {
				t.Errorf("%s = %v (present %v), want %v; source: %s", k, g, ok, v, ev.Source)
			}
		}
		if ev.Kind != regulation.EvidenceVulnHandling {
			t.Errorf("kind %s", ev.Kind)
		}
		// The other organisation's figures are its own: nothing triaged there.
		oev, _, err := fleet.EvidenceAt(testutil.Ctx(other.org.ID), st.Scope(other.org.ID), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range oev.Figures {
			if f.Name == "kev_median_days_to_remediate" || (f.Name == "findings_overdue" && f.Value != 2) {
				t.Errorf("other organisation: %s = %v", f.Name, f.Value)
			}
		}
	})
}
