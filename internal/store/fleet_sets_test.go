package store_test

import (
	"strconv"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// A product version's findings in parts: a full match writes one part; a keyed re-match, a triage
// and a notification append the findings they change, which replace the earlier ones of the same id
// for every reader; the part that would be the 17th merges them into one; the next full match writes
// one part again. Finding numbers go on per version and are never given out again.
func TestFindingSetParts(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		fx := newFixture(t, st, "parts")
		org, ctx := fx.org.ID, testutil.Ctx(fx.org.ID)
		pv := fx.u61.ID
		const a, b = "pkg:golang/golang.org/x/net@0.7.0", "pkg:golang/golang.org/x/text@0.3.0"
		parts := func() int {
			t.Helper()
			n, err := st.Scope(org).Count(ctx, "SELECT COUNT(*) FROM finding_sets WHERE org_id = ? AND product_version_id = ?", org, pv)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		key := func(comp, vuln string) string { return strconv.FormatInt(pv, 10) + " " + comp + " " + vuln }
		whole := []store.FleetFindingScope{{ProductVersionID: pv}}
		keyed := func(vuln string) []store.FleetFindingScope {
			return []store.FleetFindingScope{{ProductVersionID: pv, ComponentKeys: []string{a}, Vulns: []string{vuln}}}
		}
		if res := replaceFindings(t, st, org, whole, fleetFinding(pv, a, "CVE-1", "one"), fleetFinding(pv, b, "CVE-2", "two")); res.Created != 2 || parts() != 1 {
			t.Fatalf("full match: %+v, %d parts", res, parts())
		}
		first := findingsByKey(t, st, org)
		if id := first[key(a, "CVE-1")].ID; id != pv<<24|1 {
			t.Errorf("first finding's id %d, want version × 2^24 + 1 = %d", id, pv<<24|1)
		}
		// a changed advisory: the finding changes in a part of its own
		if res := replaceFindings(t, st, org, keyed("CVE-1"), fleetFinding(pv, a, "CVE-1", "one, revised")); res.Updated != 1 || parts() != 2 {
			t.Fatalf("keyed re-match: %+v, %d parts", res, parts())
		}
		// a new advisory for another vulnerability (its filter says part 0 and 1 hold none of it)
		if res := replaceFindings(t, st, org, keyed("CVE-3"), fleetFinding(pv, a, "CVE-3", "three")); res.Created != 1 || parts() != 3 {
			t.Fatalf("new advisory: %+v, %d parts", res, parts())
		}
		err := st.Scope(org).Write(ctx, func(tx *store.Tx) error {
			_, err := tx.TriageFinding(ctx, first[key(b, "CVE-2")].ID, domain.Triage{State: domain.FindingMitigated, Comment: "segmented"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		got := findingsByKey(t, st, org)
		if len(got) != 3 || got[key(a, "CVE-1")].Reason != "one, revised" || got[key(b, "CVE-2")].State != domain.FindingMitigated ||
			got[key(a, "CVE-3")].ID != pv<<24|3 || parts() != 4 {
			t.Fatalf("after the parts: %d parts, %+v", parts(), got)
		}
		if f, err := st.Scope(org).FleetFinding(ctx, got[key(a, "CVE-1")].ID); err != nil || f.Reason != "one, revised" {
			t.Errorf("the finding of two parts = %+v, %v", f, err)
		}
		// the advisory withdrawn: the finding of a later part is found through its filter and goes
		if res := replaceFindings(t, st, org, keyed("CVE-1")); res.Gone != 1 || parts() != 5 {
			t.Fatalf("withdrawn advisory: %+v, %d parts", res, parts())
		}
		// parts up to 16, then one
		for i := 0; parts() < 16; i++ {
			replaceFindings(t, st, org, keyed("CVE-3"), fleetFinding(pv, a, "CVE-3", "three, revision "+strconv.Itoa(i)))
		}
		res := replaceFindings(t, st, org, keyed("CVE-3"), fleetFinding(pv, a, "CVE-3", "three, last"))
		if res.Updated != 1 || parts() != 1 {
			t.Fatalf("the 17th part: %+v, %d parts, want one", res, parts())
		}
		got = findingsByKey(t, st, org)
		if len(got) != 3 || got[key(a, "CVE-1")].Gone == nil || got[key(b, "CVE-2")].State != domain.FindingMitigated ||
			got[key(a, "CVE-3")].Reason != "three, last" {
			t.Errorf("after the merge: %+v", got)
		}
		// a full match writes one part, keeps every id, and numbers a new finding after the others
		res = replaceFindings(t, st, org, whole, fleetFinding(pv, a, "CVE-1", "one"), fleetFinding(pv, b, "CVE-2", "two"),
			fleetFinding(pv, a, "CVE-3", "three, last"), fleetFinding(pv, b, "CVE-4", "four"))
		if res.Created != 1 || res.Updated != 1 || res.Unchanged != 2 || parts() != 1 {
			t.Fatalf("full match after the parts: %+v, %d parts", res, parts())
		}
		after := findingsByKey(t, st, org)
		for k, f := range got {
			if after[k].ID != f.ID {
				t.Errorf("%s: id %d after the full match, was %d", k, after[k].ID, f.ID)
			}
		}
		if id := after[key(b, "CVE-4")].ID; id != pv<<24|4 {
			t.Errorf("new finding's id %d, want %d", id, pv<<24|4)
		}
	})
}
