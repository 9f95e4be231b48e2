package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
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

// Migration 0022 moves what a finding says into finding_matches: findings stored before it keep their
// id, what they say, their triage and their history, and the first re-match shares the content.
func TestFindingMatchesMigrationKeepsFindings(t *testing.T) {
	for _, engine := range testutil.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st := storeAt(t, engine, 21)
			fx := newFixture(t, st, "migrated")
			org, octx := fx.org.ID, testutil.Ctx(fx.org.ID)
			const netPURL = "pkg:golang/golang.org/x/net@0.7.0"
			at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
			var ids []int64
			err := st.Scope(org).Write(octx, func(tx *store.Tx) error {
				for _, pv := range []int64{fx.u61.ID, fx.u62.ID} {
					id, err := tx.InsertID(octx, `INSERT INTO findings (org_id, product_version_id, component_key, component_id, vuln_id, aliases,
						component_name, component_version, component_purl, record_id, source, matcher, reason, confidence, severity, severity_rank,
						cvss_score, cvss_vectors, fixed_version, match_status, active, digest, state, owner, expires, first_seen, last_seen)
						VALUES (?, ?, ?, 1, 'CVE-2023-44487', 'GHSA-qppj-fm5r-hxr3 GO-2023-2102', 'golang.org/x/net', '0.7.0', ?, 'GO-2023-2102',
						'OSV', 'osv-range', 'in range introduced 0 / fixed 0.17.0', 1, 'high', 4, 7.5, 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H',
						'0.17.0', 'affected', ?, 'old', 'risk_accepted', 'CISO', ?, ?, ?) RETURNING id`,
						org, pv, netPURL, netPURL, true, at.AddDate(1, 0, 0), at, at)
					if err != nil {
						return err
					}
					ids = append(ids, id)
					if _, err := tx.Exec(octx, `INSERT INTO finding_events (org_id, finding_id, at, actor, kind, from_state, to_state, owner, comment)
						VALUES (?, ?, ?, 'ciso@example', 'state', 'new', 'risk_accepted', 'CISO', 'isolated VLAN')`, org, id, at); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// A backup taken before the migration restores into the current schema the same way.
			restored := restoredCopy(t, engine, st)
			if _, err := st.Migrate(ctx); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			for name, db := range map[string]*store.Store{"migrated": st, "restored": restored} {
				f, err := db.Scope(org).FleetFinding(octx, ids[0])
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if f.Reason != "in range introduced 0 / fixed 0.17.0" || f.ComponentPURL != netPURL || f.FixedVersion != "0.17.0" ||
					len(f.Aliases) != 2 || f.Severity != "high" || f.SeverityRank != 4 || f.CVSSScore != 7.5 || len(f.CVSSVectors) != 1 ||
					f.State != domain.FindingRiskAccepted || f.Owner != "CISO" || !f.Active || !f.FirstSeen.Equal(at) {
					t.Errorf("%s finding = %+v", name, f)
				}
			}
			if n := countMatches(t, restored, org); n != 2 {
				t.Errorf("restored: %d match rows, want 2", n)
			}
			f, err := st.Scope(org).FleetFinding(octx, ids[0])
			if err != nil {
				t.Fatal(err)
			}
			if f.Reason != "in range introduced 0 / fixed 0.17.0" || f.ComponentPURL != netPURL || f.FixedVersion != "0.17.0" ||
				len(f.Aliases) != 2 || f.Severity != "high" || f.SeverityRank != 4 || f.CVSSScore != 7.5 || len(f.CVSSVectors) != 1 ||
				f.State != domain.FindingRiskAccepted || f.Owner != "CISO" || !f.Active || !f.FirstSeen.Equal(at) {
				t.Errorf("migrated finding = %+v", f)
			}
			hist, err := st.Scope(org).FindingEvents(octx, ids[0])
			if err != nil || len(hist) != 1 || hist[0].Comment != "isolated VLAN" {
				t.Errorf("history = %+v, %v", hist, err)
			}
			// A full re-match with the same content: both findings share one match row, triage stays,
			// and the migrated rows nothing refers to are removed.
			var pruned int
			err = st.Scope(org).Write(octx, func(tx *store.Tx) error {
				fs := []domain.Finding{fleetFinding(fx.u61.ID, netPURL, "CVE-2023-44487", "x"), fleetFinding(fx.u62.ID, netPURL, "CVE-2023-44487", "x")}
				res, err := tx.ReplaceFleetFindings(octx, []store.FleetFindingScope{{ProductVersionID: fx.u61.ID}, {ProductVersionID: fx.u62.ID}}, fs)
				if err != nil {
					return err
				}
				if res.Updated != 2 || res.Created != 0 || res.Gone != 0 {
					t.Errorf("re-match after migration = %+v, want two updated", res)
				}
				pruned, err = tx.PruneFindingMatches(octx)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if pruned != 2 {
				t.Errorf("pruned %d match rows, want the 2 migrated ones", pruned)
			}
			if n := countMatches(t, st, org); n != 1 {
				t.Errorf("%d match rows after the re-match, want 1 shared", n)
			}
			for _, id := range ids {
				f, err := st.Scope(org).FleetFinding(octx, id)
				if err != nil || f.Reason != "x" || f.State != domain.FindingRiskAccepted {
					t.Errorf("finding %d after re-match = %+v, %v", id, f, err)
				}
			}
		})
	}
}

func countMatches(t *testing.T, st *store.Store, org int64) int {
	t.Helper()
	n, err := st.Scope(org).FindingContentCount(testutil.Ctx(org))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Equal content is stored once across product versions; a finding whose content changes moves to a
// new match row, and a full match's prune removes only rows no finding (gone ones included) refers to.
func TestFindingMatchesShared(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		fx := newFixture(t, st, "shared")
		other := newFixture(t, st, "shared-other")
		org := fx.org.ID
		const netPURL, textPURL = "pkg:golang/golang.org/x/net@0.7.0", "pkg:golang/golang.org/x/text@0.3.0"
		whole := []store.FleetFindingScope{{ProductVersionID: fx.u61.ID}, {ProductVersionID: fx.u62.ID}}
		replaceFindings(t, st, org, whole,
			fleetFinding(fx.u61.ID, netPURL, "CVE-1", "in range"), fleetFinding(fx.u62.ID, netPURL, "CVE-1", "in range"),
			fleetFinding(fx.u61.ID, textPURL, "CVE-2", "in range"))
		// the same content in another organisation is its own
		replaceFindings(t, st, other.org.ID, []store.FleetFindingScope{{ProductVersionID: other.u61.ID}},
			fleetFinding(other.u61.ID, netPURL, "CVE-1", "in range"))
		if n := countMatches(t, st, org); n != 2 {
			t.Errorf("%d match rows for 3 findings with 2 contents", n)
		}
		if n := countMatches(t, st, other.org.ID); n != 1 {
			t.Errorf("other organisation: %d match rows", n)
		}
		// u62's finding changes its reason; CVE-2 goes: its row stays for the gone finding.
		changed := fleetFinding(fx.u62.ID, netPURL, "CVE-1", "in range (new record)")
		prune := func() int {
			var n int
			err := st.Scope(org).Write(testutil.Ctx(org), func(tx *store.Tx) error {
				// as a full match does: the unchanged content must be found among the preloaded
				// rows (on SQLite nothing else is looked up), the changed one inserted
				if err := tx.PreloadFindingMatches(testutil.Ctx(org)); err != nil {
					return err
				}
				res, err := tx.ReplaceFleetFindings(testutil.Ctx(org), whole, []domain.Finding{fleetFinding(fx.u61.ID, netPURL, "CVE-1", "in range"), changed})
				if err != nil {
					return err
				}
				if res.Unchanged != 1 || res.Updated != 1 || res.Gone != 1 {
					t.Errorf("re-match = %+v", res)
				}
				n, err = tx.PruneFindingMatches(testutil.Ctx(org))
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := prune(); n != 0 {
			t.Errorf("pruned %d rows, but every row is still referred to", n)
		}
		if n := countMatches(t, st, org); n != 3 {
			t.Errorf("%d match rows, want 3 (shared, changed, gone finding's)", n)
		}
		byKey := findingsByKey(t, st, org)
		if f := byKey[strconv.FormatInt(fx.u62.ID, 10)+" "+netPURL+" CVE-1"]; f.Reason != "in range (new record)" {
			t.Errorf("changed finding says %q", f.Reason)
		}
		if f := byKey[strconv.FormatInt(fx.u61.ID, 10)+" "+netPURL+" CVE-1"]; f.Reason != "in range" {
			t.Errorf("unchanged finding says %q", f.Reason)
		}
		if f := byKey[strconv.FormatInt(fx.u61.ID, 10)+" "+textPURL+" CVE-2"]; f.Reason != "in range" || f.Gone == nil {
			t.Errorf("gone finding = %+v", f)
		}
		if n := countMatches(t, st, other.org.ID); n != 1 {
			t.Errorf("other organisation's rows touched: %d", n)
		}
	})
}

// Migrations 0027–0090 carry findings written as rows (at schema 0026) into sets: every finding keeps
// its id, triage, content and history; a deleted finding's id stays unused; the findings of a
// product version and their history go with it; and the tables of rows are gone.
func TestFindingsBulkKeysMigration(t *testing.T) {
	for _, engine := range testutil.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st := storeAt(t, engine, 26)
			fx := newFixture(t, st, "bulk-keys")
			org, octx := fx.org.ID, testutil.Ctx(fx.org.ID)
			const netPURL, textPURL = "pkg:golang/golang.org/x/net@0.7.0", "pkg:golang/golang.org/x/text@0.3.0"
			at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
			var ids []int64
			err := st.Scope(org).Write(octx, func(tx *store.Tx) error {
				match, err := tx.InsertID(octx, `INSERT INTO finding_matches (org_id, digest, component_name, component_version, component_purl,
					reason, severity, severity_rank, active) VALUES (?, 'd1', 'x/net', '0.7.0', ?, 'in range', 'high', 4, ?) RETURNING id`,
					org, netPURL, true)
				if err != nil {
					return err
				}
				for _, r := range []struct {
					pv        int64
					key, vuln string
					state     string
				}{{fx.u61.ID, netPURL, "CVE-1", "exploitable"}, {fx.u62.ID, netPURL, "CVE-1", "new"}, {fx.u62.ID, textPURL, "CVE-2", "new"}} {
					id, err := tx.InsertID(octx, `INSERT INTO findings (org_id, product_version_id, component_key, component_id, vuln_id, severity_rank,
						active, state, first_seen, last_seen, match_id) VALUES (?, ?, ?, 1, ?, 4, ?, ?, ?, ?, ?) RETURNING id`,
						org, r.pv, r.key, r.vuln, true, r.state, at, at, match)
					if err != nil {
						return err
					}
					ids = append(ids, id)
				}
				if _, err := tx.Exec(octx, `INSERT INTO finding_events (org_id, finding_id, at, actor, kind, from_state, to_state, comment)
					VALUES (?, ?, ?, 'ciso@example', 'state', 'new', 'exploitable', 'reachable')`, org, ids[0], at); err != nil {
					return err
				}
				// the newest finding is deleted: its id must not come back
				_, err = tx.Exec(octx, "DELETE FROM findings WHERE org_id = ? AND id = ?", org, ids[2])
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.Migrate(ctx); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			after := findingsByKey(t, st, org)
			if len(after) != 2 {
				t.Fatalf("%d findings after the migration, want 2", len(after))
			}
			f := after[strconv.FormatInt(fx.u61.ID, 10)+" "+netPURL+" CVE-1"]
			if f.ID != ids[0] || f.State != domain.FindingExploitable || f.Reason != "in range" || f.ComponentPURL != netPURL || !f.Active ||
				!f.FirstSeen.Equal(at) {
				t.Errorf("triaged finding after the migration = %+v", f)
			}
			if g, err := st.Scope(org).FleetFinding(octx, ids[1]); err != nil || g.ProductVersionID != fx.u62.ID {
				t.Errorf("finding %d by its old id = %+v, %v", ids[1], g, err)
			}
			if _, err := st.Scope(org).FleetFinding(octx, ids[2]); domain.ErrorCode(err) != domain.ENotFound {
				t.Errorf("the deleted finding %d: %v, want not found", ids[2], err)
			}
			hist, err := st.Scope(org).FindingEvents(octx, ids[0])
			if err != nil || len(hist) != 1 || hist[0].Comment != "reachable" || hist[0].ToState != domain.FindingExploitable {
				t.Errorf("history after the migration = %+v, %v", hist, err)
			}
			// a new finding gets a new number: never the deleted finding's, nor another migrated one's
			whole := []store.FleetFindingScope{{ProductVersionID: fx.u61.ID}, {ProductVersionID: fx.u62.ID}}
			res := replaceFindings(t, st, org, whole, fleetFinding(fx.u61.ID, netPURL, "CVE-1", "in range"),
				fleetFinding(fx.u62.ID, netPURL, "CVE-1", "in range"), fleetFinding(fx.u62.ID, textPURL, "CVE-3", "new"))
			if res.Created != 1 || res.Updated != 2 {
				t.Fatalf("re-match after the migration = %+v", res)
			}
			if n := findingsByKey(t, st, org)[strconv.FormatInt(fx.u62.ID, 10)+" "+textPURL+" CVE-3"]; slices.Contains(ids, n.ID) || n.Reason != "new" {
				t.Errorf("new finding %d (%q), old ones %v", n.ID, n.Reason, ids)
			}
			// a product version's findings and their history go with it
			err = st.Scope(org).Write(octx, func(tx *store.Tx) error { return tx.DeleteProductVersion(octx, fx.u61.ID) })
			if err != nil {
				t.Fatal(err)
			}
			var events int
			if err := st.Scope(org).QueryRow(octx, "SELECT COUNT(*) FROM finding_events WHERE org_id = ? AND finding_id = ?", org, ids[0]).Scan(&events); err != nil || events != 0 {
				t.Errorf("%d events of a deleted product version's finding left (%v)", events, err)
			}
			if _, err := st.Scope(org).FleetFinding(octx, ids[0]); domain.ErrorCode(err) != domain.ENotFound {
				t.Errorf("a deleted product version's finding: %v, want not found", err)
			}
			for _, table := range []string{"findings", "finding_matches", "finding_events_old"} {
				if _, err := st.Scope(org).Count(octx, "SELECT COUNT(*) FROM "+table); err == nil {
					t.Errorf("table %s is still there", table)
				}
			}
		})
	}
}

// Contents are numbered per organisation from its counter, one after the other across segments of a
// transaction, never reusing the id of a pruned content, whatever another organisation stores; each
// finding shows its own content.
func TestFindingMatchesNumbered(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		fx := newFixture(t, st, "numbered")
		other := newFixture(t, st, "numbered-other")
		org := fx.org.ID
		matchIDs := func(org int64) []int64 {
			t.Helper()
			ids, err := st.Scope(org).FindingContentIDs(testutil.Ctx(org))
			if err != nil {
				t.Fatal(err)
			}
			return ids
		}
		whole := []store.FleetFindingScope{{ProductVersionID: fx.u61.ID}, {ProductVersionID: fx.u62.ID}}
		fullMatch := func(reason string, n int) {
			t.Helper()
			var fs []domain.Finding
			for i := range n { // more than one 400-row batch
				fs = append(fs, fleetFinding(fx.u61.ID, "pkg:golang/example.org/m"+strconv.Itoa(i)+"@1.0.0", "CVE-1", reason))
			}
			err := st.Scope(org).Write(testutil.Ctx(org), func(tx *store.Tx) error {
				if err := tx.PreloadFindingMatches(testutil.Ctx(org)); err != nil {
					return err
				}
				if _, err := tx.ReplaceFleetFindings(testutil.Ctx(org), whole, fs); err != nil {
					return err
				}
				_, err := tx.PruneFindingMatches(testutil.Ctx(org))
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		fullMatch("first", 450)
		first := matchIDs(org)
		// another organisation's contents are numbered on their own
		replaceFindings(t, st, other.org.ID, []store.FleetFindingScope{{ProductVersionID: other.u61.ID}},
			fleetFinding(other.u61.ID, "pkg:golang/golang.org/x/net@0.7.0", "CVE-1", "in range"))
		otherIDs := matchIDs(other.org.ID)
		// every content changes: the first rows are pruned, the new ones numbered after everything
		fullMatch("second", 450)
		second := matchIDs(org)
		if len(first) != 450 || len(second) != 450 || len(otherIDs) != 1 || first[0] != 1 || otherIDs[0] != 1 {
			t.Fatalf("%d, %d and %d match rows", len(first), len(second), len(otherIDs))
		}
		if second[0] <= first[len(first)-1] {
			t.Errorf("new contents start at %d, not after the pruned ones up to %d", second[0], first[len(first)-1])
		}
		if second[len(second)-1]-second[0] != 449 {
			t.Errorf("new rows %d–%d are not numbered one after the other", second[0], second[len(second)-1])
		}
		byKey := findingsByKey(t, st, org)
		for i := range 450 {
			k := strconv.FormatInt(fx.u61.ID, 10) + " pkg:golang/example.org/m" + strconv.Itoa(i) + "@1.0.0 CVE-1"
			if f := byKey[k]; f.Reason != "second" || f.ComponentPURL != "pkg:golang/example.org/m"+strconv.Itoa(i)+"@1.0.0" {
				t.Fatalf("finding %s = %+v", k, f)
			}
		}
		if f := findingsByKey(t, st, other.org.ID)[strconv.FormatInt(other.u61.ID, 10)+" pkg:golang/golang.org/x/net@0.7.0 CVE-1"]; f.Reason != "in range" {
			t.Errorf("other organisation's finding = %+v", f)
		}
	})
}

// The digest is the identity of stored contents, so it must not change between releases: it is the
// first 128 bits of the SHA-256 of the fields, each followed by a zero byte, lists joined (aliases by
// spaces, reasons and vectors by newlines). A new field or hash changes it on purpose (the
// eighteenth session's change from FNV-1a made the next full match store every content again); a
// faster implementation must not.
func TestFleetFindingDigestStable(t *testing.T) {
	reference := func(f *domain.Finding) string {
		h := sha256.New()
		for _, s := range []string{strings.Join(f.Aliases, " "), f.ComponentName, f.ComponentVersion,
			f.ComponentPURL, f.ComponentCPE, f.RecordID, f.Source, f.Matcher, f.Reason, strings.Join(f.OtherReasons, "\n"),
			strconv.FormatFloat(f.Confidence, 'g', -1, 64), strconv.FormatBool(f.Guessed), f.Severity, strconv.Itoa(f.SeverityRank),
			strconv.FormatFloat(f.CVSSScore, 'g', -1, 64), strings.Join(f.CVSSVectors, "\n"), f.FixedVersion, f.Remediation, f.MatchStatus,
			strconv.FormatBool(f.Active), f.VEXOrigin, strconv.FormatInt(f.VEXStatementID, 10), f.VEXSource, f.VEXJustification} {
			h.Write([]byte(s))
			h.Write([]byte{0})
		}
		return hex.EncodeToString(h.Sum(nil)[:16])
	}
	long := strings.Repeat("reason ", 400) // more than the digest's stack buffer
	cases := []domain.Finding{
		{},
		{VulnID: "GO-2023-2102", Aliases: []string{"CVE-2023-39325", "GHSA-4374-p667-p6c8"}, ComponentName: "golang.org/x/net",
			ComponentVersion: "0.7.0", ComponentPURL: "pkg:golang/golang.org/x/net@0.7.0", RecordID: "GO-2023-2102", Source: "OSV",
			Matcher: "osv-range", Reason: "pkg:golang/golang.org/x/net@0.7.0 is in range introduced 0 / fixed 0.17.0 of GO-2023-2102 (OSV)",
			OtherReasons: []string{"a", "b"}, Confidence: 0.75, Guessed: true, Severity: "high", SeverityRank: 4, CVSSScore: 7.5,
			CVSSVectors: []string{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", "CVSS:4.0/AV:N"}, FixedVersion: "0.17.0",
			Remediation: "update", MatchStatus: "affected", Active: true, VEXOrigin: "hospital", VEXStatementID: 42, VEXSource: "triage:7",
			VEXJustification: "vulnerable_code_not_in_execute_path"},
		{ComponentCPE: "cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*", Reason: long, OtherReasons: []string{long, long}, CVSSScore: 9.8},
		{Aliases: []string{""}, CVSSVectors: []string{"", ""}, MatchStatus: "not_affected", VEXStatementID: -1},
	}
	seen := map[string]bool{}
	for i := range cases {
		got, want := store.FleetFindingDigest(&cases[i]), reference(&cases[i])
		if got != want {
			t.Errorf("case %d: digest %s, want %s", i, got, want)
		}
		seen[got] = true
	}
	if len(seen) != len(cases) {
		t.Errorf("%d distinct digests for %d different findings", len(seen), len(cases))
	}
}

// A finding's row carries the first 64 bits of its match row's digest (migration 0023): a re-match
// recognises an unchanged finding from its own row instead of looking the digest up, and a changed
// finding's row gets the new one.
func TestFindingMatchHash(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		fx := newFixture(t, st, "hash")
		org, ctx := fx.org.ID, testutil.Ctx(fx.org.ID)
		const netPURL = "pkg:golang/golang.org/x/net@0.7.0"
		scope := []store.FleetFindingScope{{ProductVersionID: fx.u61.ID}}
		f := fleetFinding(fx.u61.ID, netPURL, "CVE-1", "in range")
		replaceFindings(t, st, org, scope, f)
		entry := func() findingset.Entry {
			t.Helper()
			es, err := st.Scope(org).FindingEntries(ctx)
			if err != nil || len(es[fx.u61.ID]) != 1 {
				t.Fatalf("entries = %+v, %v", es, err)
			}
			return es[fx.u61.ID][0]
		}
		hashOf := func() (stored int64, digest string) {
			t.Helper()
			e := entry()
			f, err := st.Scope(org).FleetFinding(ctx, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			return e.MatchHash, f.Digest
		}
		stored, digest := hashOf()
		if want, _ := strconv.ParseUint(digest[:16], 16, 64); stored != int64(want) || stored == 0 {
			t.Fatalf("match_hash %x for digest %s", stored, digest)
		}
		// A re-match outside a full match reads no digest: only the finding's own hash can tell that
		// the content is unchanged, and no content may be added.
		if res := replaceFindings(t, st, org, scope, f); res.Unchanged != 1 || res.Updated+res.Created != 0 {
			t.Errorf("unchanged finding re-matched: %+v", res)
		}
		if n := countMatches(t, st, org); n != 1 {
			t.Errorf("%d contents after an unchanged re-match", n)
		}
		// A finding without the hash (stored before 0023): a full match, which reads every digest
		// first, finds its content again.
		e := entry()
		e.MatchHash = 0
		if err := st.Scope(org).Write(ctx, func(tx *store.Tx) error { return tx.WriteFindingSet(ctx, fx.u61.ID, []findingset.Entry{e}) }); err != nil {
			t.Fatal(err)
		}
		err := st.Scope(org).Write(ctx, func(tx *store.Tx) error {
			if err := tx.PreloadFindingMatches(ctx); err != nil {
				return err
			}
			res, err := tx.ReplaceFleetFindings(ctx, scope, []domain.Finding{f})
			if err == nil && res.Unchanged != 1 {
				t.Errorf("finding without hash in a full match: %+v", res)
			}
			return err
		})
		if err != nil || countMatches(t, st, org) != 1 {
			t.Errorf("finding without hash: %v, %d contents", err, countMatches(t, st, org))
		}
		// A change moves the finding to a new content and its hash with it.
		f.Reason = "in range (new record)"
		if res := replaceFindings(t, st, org, scope, f); res.Updated != 1 {
			t.Errorf("changed finding: %+v", res)
		}
		stored, digest = hashOf()
		if want, _ := strconv.ParseUint(digest[:16], 16, 64); stored != int64(want) || digest != store.FleetFindingDigest(&f) {
			t.Errorf("after the change: match_hash %x, digest %s", stored, digest)
		}
	})
}

// TestFullMatchReplacesVersionTwice: a full-match transaction on an organisation without findings
// that replaces a product version's findings a second time sees the first replacement's rows as its
// own: unchanged, gone or new, never inserted twice. (Skipping the read of existing findings in such
// a transaction was measured at full size and gave nothing; this guards any later attempt.)
func TestFullMatchReplacesVersionTwice(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		fx := newFixture(t, st, "fresh")
		other := newFixture(t, st, "fresh-other")
		replaceFindings(t, st, other.org.ID, []store.FleetFindingScope{{ProductVersionID: other.u61.ID}},
			fleetFinding(other.u61.ID, "pkg:golang/golang.org/x/net@0.7.0", "CVE-1", "other"))
		org := fx.org.ID
		ctx := testutil.Ctx(org)
		net, text := "pkg:golang/golang.org/x/net@0.7.0", "pkg:golang/golang.org/x/text@0.3.0"
		u61 := []store.FleetFindingScope{{ProductVersionID: fx.u61.ID}}
		var results []store.FleetReplaceResult
		err := st.Scope(org).Write(ctx, func(tx *store.Tx) error {
			if err := tx.PreloadFindingMatches(ctx); err != nil {
				return err
			}
			for _, step := range []struct {
				scopes []store.FleetFindingScope
				fs     []domain.Finding
			}{
				{u61, []domain.Finding{fleetFinding(fx.u61.ID, net, "CVE-1", "first"), fleetFinding(fx.u61.ID, text, "CVE-2", "first")}},
				{[]store.FleetFindingScope{{ProductVersionID: fx.u62.ID}}, []domain.Finding{fleetFinding(fx.u62.ID, net, "CVE-1", "first")}},
				// the same version again: CVE-1 unchanged, CVE-2 gone, CVE-3 new
				{u61, []domain.Finding{fleetFinding(fx.u61.ID, net, "CVE-1", "first"), fleetFinding(fx.u61.ID, net, "CVE-3", "second")}},
			} {
				r, err := tx.ReplaceFleetFindings(ctx, step.scopes, step.fs)
				if err != nil {
					return err
				}
				results = append(results, r)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if r := results[2]; r.Created != 1 || r.Unchanged != 1 || r.Gone != 1 || r.Updated != 0 {
			t.Errorf("second replacement of a version in the transaction: %+v, want 1 created, 1 unchanged, 1 gone", r)
		}
		byKey := findingsByKey(t, st, org)
		pv := strconv.FormatInt(fx.u61.ID, 10) + " "
		if len(byKey) != 4 || byKey[pv+net+" CVE-1"].Gone != nil || byKey[pv+text+" CVE-2"].Gone == nil || byKey[pv+net+" CVE-3"].Reason != "second" {
			t.Errorf("findings after the transaction: %v", byKey)
		}
		// a later full match of the same organisation reads what it has
		err = st.Scope(org).Write(ctx, func(tx *store.Tx) error {
			if err := tx.PreloadFindingMatches(ctx); err != nil {
				return err
			}
			r, err := tx.ReplaceFleetFindings(ctx, u61, []domain.Finding{fleetFinding(fx.u61.ID, net, "CVE-1", "first")})
			if err == nil && (r.Unchanged != 1 || r.Created != 0 || r.Gone != 1) {
				err = fmt.Errorf("a full match with findings stored: %+v, want 1 unchanged, 1 gone", r)
			}
			return err
		})
		if err != nil {
			t.Error(err)
		}
	})
}
