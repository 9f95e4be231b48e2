package store_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// Migration 0029 packs finding_matches into segments, and a backup made before it restores the same
// way: per organisation, ids kept (also across a page of rows that holds two organisations), every
// column of a content, the next id after the largest, and the table gone.
func TestFindingMatchesPacked(t *testing.T) {
	for _, engine := range testutil.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st := storeAt(t, engine, 28)
			a, b := newFixture(t, st, "pack-a"), newFixture(t, st, "pack-b")
			at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
			// 300 contents of a and 5 of b, their ids interleaved; one finding of each refers to one
			want := map[int64][]int64{}
			err := st.WriteGlobal(ctx, func(tx *store.Tx) error {
				for i := range 305 {
					org, id := a.org.ID, int64(2*i+1)
					if i%61 == 60 {
						org, id = b.org.ID, int64(2*i+2)
					}
					want[org] = append(want[org], id)
					_, err := tx.Exec(ctx, `INSERT INTO finding_matches (id, org_id, digest, aliases, component_name, component_purl, reason, other_reasons,
						confidence, guessed, severity, severity_rank, cvss_score, cvss_vectors, fixed_version, match_status, active, vex_origin,
						vex_statement_id, vex_justification) VALUES (?, ?, ?, 'GHSA-1 GO-1', 'x/net', 'pkg:golang/golang.org/x/net@0.7.0', ?,
						'also here', 0.5, ?, 'high', 4, 7.5, 'CVSS:3.1/AV:N', '0.17.0', 'not_affected', ?, 'manufacturer', 7, 'component_not_present')`,
						id, org, "digest-"+strconv.FormatInt(id, 10), "reason "+strconv.FormatInt(id, 10), i%2 == 0, i%3 == 0)
					if err != nil {
						return err
					}
				}
				for _, fx := range []*fixture{a, b} {
					if _, err := tx.Exec(ctx, `INSERT INTO findings (org_id, product_version_id, component_key, component_id, vuln_id, match_id, match_hash,
						active, severity_rank, state, first_seen, last_seen) VALUES (?, ?, 'pkg:golang/golang.org/x/net@0.7.0', 1, 'CVE-1', ?, 0, ?, 4,
						'in_triage', ?, ?)`, fx.org.ID, fx.u61.ID, want[fx.org.ID][len(want[fx.org.ID])-1], true, at, at); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			restored := restoredCopy(t, engine, st)
			if _, err := st.Migrate(ctx); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			for name, db := range map[string]*store.Store{"migrated": st, "restored": restored} {
				for _, fx := range []*fixture{a, b} {
					org, octx := fx.org.ID, testutil.Ctx(fx.org.ID)
					ids, err := db.Scope(org).FindingContentIDs(octx)
					if err != nil || !slices.Equal(ids, want[org]) {
						t.Errorf("%s, %s: content ids %v (%v), want %v", name, fx.org.Name, ids, err, want[org])
					}
					page, err := db.Scope(org).FleetFindings(octx, domain.FindingFilter{All: true, ListParams: domain.ListParams{Limit: 10}})
					if err != nil || len(page.Items) != 1 {
						t.Fatalf("%s: findings %+v, %v", name, page, err)
					}
					last := want[org][len(want[org])-1]
					f := page.Items[0]
					if f.Reason != "reason "+strconv.FormatInt(last, 10) || f.Digest != "digest-"+strconv.FormatInt(last, 10) ||
						!slices.Equal(f.Aliases, []string{"GHSA-1", "GO-1"}) || f.ComponentName != "x/net" || f.Confidence != 0.5 ||
						f.Severity != "high" || f.CVSSScore != 7.5 || len(f.CVSSVectors) != 1 || f.FixedVersion != "0.17.0" ||
						f.MatchStatus != "not_affected" || f.VEXOrigin != "manufacturer" || f.VEXStatementID != 7 ||
						f.VEXJustification != "component_not_present" || len(f.OtherReasons) != 1 || f.State != domain.FindingInTriage {
						t.Errorf("%s: finding = %+v", name, f)
					}
					// a new content is numbered after every packed one
					res := replaceFindings(t, db, org, []store.FleetFindingScope{{ProductVersionID: fx.u62.ID}},
						fleetFinding(fx.u62.ID, "pkg:golang/golang.org/x/text@0.3.0", "CVE-2", "new"))
					ids, err = db.Scope(org).FindingContentIDs(octx)
					if res.Created != 1 || err != nil || ids[len(ids)-1] != last+1 {
						t.Errorf("%s: after a new finding %+v the ids end %v (%v), want %d", name, res, ids[len(ids)-3:], err, last+1)
					}
				}
				var tables int
				q := "SELECT COUNT(*) FROM sqlite_master WHERE name = 'finding_matches'"
				if engine == "postgres" {
					q = "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'finding_matches'"
				}
				if err := db.Scope(a.org.ID).QueryRow(ctx, q).Scan(&tables); err != nil || tables != 0 {
					t.Errorf("%s: finding_matches is still there (%d, %v)", name, tables, err)
				}
			}
		})
	}
}

// Contents are appended: a re-match of some vulnerabilities adds one segment with what changed; the
// prune after a full match drops the contents no finding refers to, writes a partly used segment
// again with the rest under their ids, and never gives a dropped id out again.
func TestFindingSegments(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		fx := newFixture(t, st, "segments")
		org, ctx := fx.org.ID, testutil.Ctx(fx.org.ID)
		segments := func() int {
			t.Helper()
			n, err := st.Scope(org).Count(ctx, "SELECT COUNT(*) FROM finding_segments WHERE org_id = ?", org)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		comp := func(i int) string { return "pkg:golang/example.org/m" + strconv.Itoa(i) + "@1.0.0" }
		whole := []store.FleetFindingScope{{ProductVersionID: fx.u61.ID}}
		var fs []domain.Finding
		for i := range 5 {
			fs = append(fs, fleetFinding(fx.u61.ID, comp(i), "CVE-"+strconv.Itoa(i), "first"))
		}
		replaceFindings(t, st, org, whole, fs...)
		if n := segments(); n != 1 {
			t.Fatalf("%d segments for 5 contents", n)
		}
		// an advisory re-matches CVE-0 and CVE-2: one segment more, with their two new contents
		fs[0].Reason, fs[2].Reason = "advisory", "advisory"
		res := replaceFindings(t, st, org, []store.FleetFindingScope{{ProductVersionID: fx.u61.ID, Vulns: []string{"CVE-0", "CVE-2"}}}, fs[0], fs[2])
		if res.Updated != 2 || segments() != 2 || countMatches(t, st, org) != 7 {
			t.Errorf("advisory: %+v, %d segments, %d contents", res, segments(), countMatches(t, st, org))
		}
		// a full match changes CVE-4 too: contents 1, 3 and 5 are no longer referred to
		fs[4].Reason = "full"
		var pruned int
		err := st.Scope(org).Write(ctx, func(tx *store.Tx) error {
			if err := tx.PreloadFindingMatches(ctx); err != nil {
				return err
			}
			if _, err := tx.ReplaceFleetFindings(ctx, whole, fs); err != nil {
				return err
			}
			var err error
			pruned, err = tx.PruneFindingMatches(ctx)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		ids, err := st.Scope(org).FindingContentIDs(ctx)
		if err != nil || pruned != 3 || !slices.Equal(ids, []int64{2, 4, 6, 7, 8}) {
			t.Errorf("pruned %d, ids %v (%v), want 3 and [2 4 6 7 8]", pruned, ids, err)
		}
		byKey := findingsByKey(t, st, org)
		for i, want := range []string{"advisory", "first", "advisory", "first", "full"} {
			if f := byKey[strconv.FormatInt(fx.u61.ID, 10)+" "+comp(i)+" CVE-"+strconv.Itoa(i)]; f.Reason != want {
				t.Errorf("finding %d says %q, want %q", i, f.Reason, want)
			}
		}
		fs[1].Reason = "later"
		replaceFindings(t, st, org, whole, fs...)
		if ids, _ := st.Scope(org).FindingContentIDs(ctx); ids[len(ids)-1] != 9 {
			t.Errorf("a new content after the prune has id %d, want 9", ids[len(ids)-1])
		}
	})
}

// A replacement with many new contents stores them in segments of 256: each segment's range and count
// match its contents, and every finding reads back what it says.
func TestFindingSegmentsBatched(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		fx := newFixture(t, st, "segment-batches")
		org, ctx := fx.org.ID, testutil.Ctx(fx.org.ID)
		const n = 256*16 + 300 // 17 full segments and one of 44
		comp := func(i int) string { return "pkg:golang/example.org/m" + strconv.Itoa(i) + "@1.0.0" }
		fs := make([]domain.Finding, n)
		for i := range fs {
			fs[i] = fleetFinding(fx.u61.ID, comp(i), "CVE-"+strconv.Itoa(i), "reason "+strconv.Itoa(i))
		}
		if res := replaceFindings(t, st, org, []store.FleetFindingScope{{ProductVersionID: fx.u61.ID}}, fs...); res.Created != n {
			t.Fatalf("created %d of %d", res.Created, n)
		}
		rows, err := st.Scope(org).Query(ctx, "SELECT first_id, last_id, n FROM finding_segments WHERE org_id = ? ORDER BY first_id", org)
		if err != nil {
			t.Fatal(err)
		}
		var got [][3]int64
		for rows.Next() {
			var r [3]int64
			if err := rows.Scan(&r[0], &r[1], &r[2]); err != nil {
				t.Fatal(err)
			}
			got = append(got, r)
		}
		rows.Close()
		ids, err := st.Scope(org).FindingContentIDs(ctx)
		if err != nil || len(ids) != n {
			t.Fatalf("%d content ids (%v), want %d", len(ids), err, n)
		}
		var want [][3]int64
		for at := 0; at < n; at += 256 {
			end := min(at+256, n)
			want = append(want, [3]int64{ids[at], ids[end-1], int64(end - at)})
		}
		if !slices.Equal(got, want) {
			t.Errorf("segments (first, last, n) = %v, want %v", got, want)
		}
		seen := 0
		for offset := 0; offset < n; offset += domain.MaxPageSize {
			page, err := st.Scope(org).FleetFindings(ctx, domain.FindingFilter{All: true,
				ListParams: domain.ListParams{Limit: domain.MaxPageSize, Offset: offset}})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range page.Items {
				i, err := strconv.Atoi(strings.TrimPrefix(f.VulnID, "CVE-"))
				if err != nil || f.Reason != "reason "+strconv.Itoa(i) || f.ComponentPURL != comp(i) || f.ComponentKey != comp(i) {
					t.Fatalf("finding of %s says %q of %q", f.VulnID, f.Reason, f.ComponentPURL)
				}
				seen++
			}
		}
		if seen != n {
			t.Errorf("read %d findings, want %d", seen, n)
		}
	})
}

// A damaged segment makes the reads that need it fail with where it is, not show a finding without
// what it says.
func TestFindingSegmentDamaged(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		fx := newFixture(t, st, "damaged")
		org, ctx := fx.org.ID, testutil.Ctx(fx.org.ID)
		replaceFindings(t, st, org, []store.FleetFindingScope{{ProductVersionID: fx.u61.ID}},
			fleetFinding(fx.u61.ID, "pkg:golang/golang.org/x/net@0.7.0", "CVE-1", "in range"))
		es, err := st.Scope(org).FindingEntries(ctx)
		if err != nil || len(es[fx.u61.ID]) != 1 {
			t.Fatalf("entries = %+v, %v", es, err)
		}
		id := es[fx.u61.ID][0].ID
		err = st.Scope(org).Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE finding_segments SET data = ? WHERE org_id = ?", []byte{1, 'C', 0, 5, 1}, org)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = st.Scope(org).FleetFinding(ctx, id)
		if err == nil || !strings.Contains(err.Error(), "finding segment from content 1") || !strings.Contains(err.Error(), "entries") {
			t.Errorf("damaged segment: %v", err)
		}
		if _, err := st.Scope(org).FleetFindings(ctx, domain.FindingFilter{ListParams: domain.ListParams{Limit: 5}}); err == nil {
			t.Error("findings listed from a damaged segment")
		}
		if _, err := st.OpenFindingFacts(ctx, org); err == nil {
			t.Error("the risk facts were read from a damaged segment")
		}
	})
}

// A damaged set makes every read of its findings fail with where it is (organisation, product
// version, part), not show fewer findings; the other product versions' findings still read.
func TestFindingSetDamaged(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		fx := newFixture(t, st, "damaged-set")
		org, ctx := fx.org.ID, testutil.Ctx(fx.org.ID)
		replaceFindings(t, st, org, []store.FleetFindingScope{{ProductVersionID: fx.u61.ID}, {ProductVersionID: fx.u62.ID}},
			fleetFinding(fx.u61.ID, "pkg:golang/golang.org/x/net@0.7.0", "CVE-1", "in range"),
			fleetFinding(fx.u62.ID, "pkg:golang/golang.org/x/net@0.7.0", "CVE-1", "in range"))
		es, err := st.Scope(org).FindingEntries(ctx)
		if err != nil || len(es[fx.u61.ID]) != 1 || len(es[fx.u62.ID]) != 1 {
			t.Fatalf("entries = %+v, %v", es, err)
		}
		good, bad := es[fx.u61.ID][0].ID, es[fx.u62.ID][0].ID
		err = st.Scope(org).Write(ctx, func(tx *store.Tx) error {
			// the header says three entries; the bytes hold none
			_, err := tx.Exec(ctx, "UPDATE finding_sets SET data = ? WHERE org_id = ? AND product_version_id = ?", []byte{1, 'S', 0, 3, 1}, org, fx.u62.ID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		where := fmt.Sprintf("findings of product version %d (part 0)", fx.u62.ID)
		if _, err := st.Scope(org).FleetFinding(ctx, bad); err == nil || !strings.Contains(err.Error(), where) {
			t.Errorf("finding of the damaged set: %v", err)
		}
		if f, err := st.Scope(org).FleetFinding(ctx, good); err != nil || f.Reason != "in range" {
			t.Errorf("finding of the other version = %+v, %v", f, err)
		}
		if _, err := st.Scope(org).FleetFindings(ctx, domain.FindingFilter{ListParams: domain.ListParams{Limit: 5}}); err == nil || !strings.Contains(err.Error(), where) {
			t.Errorf("list with a damaged set: %v", err)
		}
		if _, err := st.OpenFindingFacts(ctx, org); err == nil {
			t.Error("the risk facts were read from a damaged set")
		}
		// a re-match of the version must not write over what it cannot read
		err = st.Scope(org).Write(ctx, func(tx *store.Tx) error {
			_, err := tx.ReplaceFleetFindings(ctx, []store.FleetFindingScope{{ProductVersionID: fx.u62.ID}},
				[]domain.Finding{fleetFinding(fx.u62.ID, "pkg:golang/golang.org/x/net@0.7.0", "CVE-1", "in range")})
			return err
		})
		if err == nil || !strings.Contains(err.Error(), where) {
			t.Errorf("re-match of the damaged set: %v", err)
		}
	})
}
