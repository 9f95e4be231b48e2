package store_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// The findings lists answer from an index in memory; the same lists in SQL, as they ran before it,
// are the oracle: every filter, order and page gives the same findings in the same order with the same
// total — at first, after a triage, a re-match, a feed change, a deleted product version, and a write
// by another process (a second store on the same database) — reading again only what changed.
func TestFindingIndexMatchesSQL(t *testing.T) {
	for _, engine := range testutil.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			opts := testutil.StoreOptions(t, engine)
			st, err := store.Open(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			fx := newFixture(t, st, "index")
			org, octx := fx.org.ID, testutil.Ctx(fx.org.ID)
			sc := st.Scope(org)
			pump := fx.addAsset(t, st, domain.Asset{ProductVersionID: fx.u61.ID, AssetTag: "P-1", DepartmentID: fx.icu.ID, Criticality: domain.CritCritical})
			fx.addAsset(t, st, domain.Asset{ProductVersionID: fx.u62.ID, AssetTag: "P-2", DepartmentID: fx.icu.ID, Criticality: domain.CritCritical})
			fx.addAsset(t, st, domain.Asset{ProductVersionID: fx.m00.ID, AssetTag: "M-1", DepartmentID: fx.rad.ID, Criticality: domain.CritCritical})

			// vulnerabilities with KEV (CISA, EU, both) and EPSS, some scores equal
			vulns := []string{"CVE-2021-44228", "CVE-2022-0778", "CVE-2023-44487", "GHSA-jfh8-c2jp-5v3q", "GO-2023-2102", "CVE-2024-0001",
				"CVE-2024-0002", "CVE-2024-0003"}
			setVulns := func(kevFrom int) {
				t.Helper()
				err := st.WriteGlobal(ctx, func(tx *store.Tx) error {
					var vs []domain.Vulnerability
					var keys [][]string
					for i, id := range vulns[:6] {
						e := []float64{0.5, 0.9, 0.5, 0.01, 0.3, 0.9}[i]
						pct := 0.5 + e/2 // not the score: the facts must not mix them up
						v := domain.Vulnerability{ID: id, Aliases: []string{"ALIAS-" + id}, Summary: "s", EPSSScore: &e, EPSSPercentile: &pct,
							CISAKEV: i >= kevFrom && i%2 == 0, EUKEV: i >= kevFrom && i%3 == 0}
						if v.CISAKEV && i != 4 {
							due := time.Now().AddDate(0, 0, 20*i-30) // some past, some to come
							v.CISAKEVDue = &due
						}
						vs, keys = append(vs, v), append(keys, []string{id, "ALIAS-" + id})
					}
					if err := tx.UpsertVulnerabilities(ctx, vs, keys); err != nil {
						return err
					}
					return tx.AddFeedChange(ctx, &domain.FeedChange{Source: domain.FeedKEV, Kind: domain.FeedChangeRecords, VulnIDs: vulns[:6]})
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			setVulns(0)

			// findings: each product version a random subset of component × vulnerability, product-level ones too
			comps := []struct{ key, name string }{{"pkg:golang/golang.org/x/net@0.7.0", "net"}, {"pkg:generic/openssl@1.1.1k", "openssl"},
				{"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "log4jcore"}, {"pkg:npm/zlib@1.0.0", "zlib"}, {"", ""}}
			rng := rand.New(rand.NewPCG(1, 2))
			matchAll := func(pv int64, share float64) []domain.Finding {
				var fs []domain.Finding
				for _, c := range comps {
					for _, v := range vulns {
						if rng.Float64() >= share {
							continue
						}
						f := fleetFinding(pv, c.key, v, "in range of "+v)
						if c.key != "" {
							f.ComponentName, f.ComponentPURL = c.name, c.key
						}
						f.SeverityRank = rng.IntN(6)
						f.CVSSScore = float64(rng.IntN(4)) * 2.5
						f.Aliases = []string{"ALIAS-" + v}
						if rng.IntN(5) == 0 {
							f.Active, f.MatchStatus = false, "not_affected"
						}
						fs = append(fs, f)
					}
				}
				return fs
			}
			pvs := []int64{fx.u61.ID, fx.u62.ID, fx.m00.ID, fx.ct1.ID}
			var scopes []store.FleetFindingScope
			var all []domain.Finding
			for _, pv := range pvs {
				scopes = append(scopes, store.FleetFindingScope{ProductVersionID: pv})
				all = append(all, matchAll(pv, 0.6)...)
			}
			replaceFindings(t, st, org, scopes, all...)
			if err := sc.Write(octx, func(tx *store.Tx) error { return tx.SaveFleetMatchState(octx, 0, true, len(all)) }); err != nil {
				t.Fatal(err)
			}
			triage := func(st *store.Store, n int, state string) {
				t.Helper()
				page, err := st.Scope(org).FleetFindingsSQL(octx, domain.FindingFilter{All: true, ListParams: domain.ListParams{Limit: 500}})
				if err != nil {
					t.Fatal(err)
				}
				tri := domain.Triage{State: state, Comment: "looked at"}
				switch state {
				case domain.FindingNotAffected:
					tri.Justification = "vulnerable_code_not_in_execute_path"
				case domain.FindingRiskAccepted:
					review := time.Now().AddDate(0, 0, 10+n)
					tri.Owner, tri.Expires = "ciso", &review
				}
				id := page.Items[n%len(page.Items)].ID
				if err := st.Scope(org).Write(octx, func(tx *store.Tx) error { _, err := tx.TriageFinding(octx, id, tri); return err }); err != nil {
					t.Fatal(err)
				}
			}
			for i, s := range []string{domain.FindingExploitable, domain.FindingInTriage, domain.FindingMitigated, domain.FindingNotAffected,
				domain.FindingExploitable, domain.FindingFixed} {
				triage(st, i*7+3, s)
			}

			filters := []domain.FindingFilter{{}, {All: true}, {KEV: true}, {MinEPSS: 0.5}, {Severity: "high"}, {Severity: "none", All: true},
				{States: []string{domain.FindingNew}}, {States: []string{domain.FindingExploitable, domain.FindingMitigated}, All: true},
				{VulnID: "CVE-2023-44487"}, {VulnID: "CVE-2024-0003", All: true}, {ProductVersionID: fx.u62.ID}, {ProductID: fx.space.ID},
				{ManufacturerID: fx.philips.ID}, {AssetID: pump.ID}, {DepartmentID: fx.icu.ID}, {DepartmentID: fx.icu.ID, ManufacturerID: fx.philips.ID},
				{ListParams: domain.ListParams{Q: "net"}}, {ListParams: domain.ListParams{Q: "alias-cve-2021"}}, {ListParams: domain.ListParams{Q: "GHSA"}},
				{ListParams: domain.ListParams{Q: "infusomat 44487"}}, {ListParams: domain.ListParams{Q: "nothing-like-it"}},
				{ListParams: domain.ListParams{Q: "log4j"}, All: true, KEV: true}}
			sorts := []string{"", "vulnerability", "-vulnerability", "severity", "-severity", "cvss", "-cvss", "epss", "-epss", "state",
				"-state", "product", "-product", "manufacturer", "-manufacturer", "component", "-component", "first_seen", "-first_seen", "bogus"}
			pages := []domain.ListParams{{Limit: 7, Offset: 5}, {Limit: 500}, {Limit: 7}, {Offset: 1000}, {Offset: math.MaxInt - 10}}
			compare := func(st *store.Store, what string, thorough bool) {
				t.Helper()
				sc := st.Scope(org)
				check := func(f domain.FindingFilter) {
					t.Helper()
					got, err := sc.FleetFindings(octx, f)
					if err != nil {
						t.Fatalf("%s: %+v: %v", what, f, err)
					}
					want, err := sc.FleetFindingsSQL(octx, f)
					if err != nil {
						t.Fatal(err)
					}
					ids := func(p domain.Page[domain.Finding]) []string {
						var out []string
						for _, x := range p.Items {
							out = append(out, fmt.Sprintf("%d:%s:%s", x.ID, x.VulnID, x.State))
						}
						return out
					}
					if got.Total != want.Total || !slices.Equal(ids(got), ids(want)) || got.Limit != want.Limit || got.Offset != want.Offset {
						t.Fatalf("%s: %+v:\nindex %d %v\nSQL   %d %v", what, f, got.Total, ids(got), want.Total, ids(want))
					}
				}
				// the open findings risk scoring reads (from the index; over the budget joined in Go) against
				// the same in one SQL query
				facts, err := st.OpenFindingFacts(octx, org)
				if err != nil {
					t.Fatal(err)
				}
				sqlFacts, err := st.OpenFindingFactsSQL(octx, org)
				if err != nil {
					t.Fatal(err)
				}
				if len(facts) != len(sqlFacts) || len(facts) == 0 {
					t.Fatalf("%s: %d open finding facts, SQL %d", what, len(facts), len(sqlFacts))
				}
				for i := range facts {
					if !reflect.DeepEqual(facts[i], sqlFacts[i]) {
						t.Fatalf("%s: fact %d:\n%+v\nSQL:\n%+v", what, i, facts[i], sqlFacts[i])
					}
				}
				// the handling figures of the dashboard and the Art. 21 evidence, now and when the accepted
				// risks' reviews are past
				for _, at := range []time.Time{time.Now(), time.Now().AddDate(0, 0, 60)} {
					got, err := sc.FleetHandling(octx, at)
					if err != nil {
						t.Fatal(err)
					}
					want, err := sc.FleetHandlingSQL(octx, at)
					if err != nil {
						t.Fatal(err)
					}
					slices.Sort(got.KEVRemediated)
					slices.Sort(want.KEVRemediated)
					if got.Open != want.Open || got.KEVOpen != want.KEVOpen || got.Overdue != want.Overdue || !got.Matched ||
						!slices.Equal(got.KEVRemediated, want.KEVRemediated) {
						t.Fatalf("%s: handling at %v: index %+v, SQL %+v", what, at, got, want)
					}
				}
				for i, f := range filters {
					for _, s := range sorts {
						if (i > 1 && i != 16 || !thorough) && s != "" && (!thorough || s != "-epss" && s != "product") {
							continue // thorough: every order with two filters and a search, the rest with three; else the default
						}
						for j, p := range pages {
							if j >= 2 && (!thorough || s != "" && s != "-epss") {
								continue // the first page and one past the end: with two orders when thorough
							}
							p.Q, p.Sort = f.ListParams.Q, s
							g := f
							g.ListParams = p
							check(g)
						}
					}
				}
			}
			compare(st, "first", true)
			full, partial := st.FindingIndexReads()
			if full != 1 || partial != 0 {
				t.Errorf("reads after the first lists: full %d partial %d, want 1 and 0", full, partial)
			}
			compare(st, "unchanged", false)
			if f, p := st.FindingIndexReads(); f != full || p != partial {
				t.Errorf("lists with nothing changed read again: full %d partial %d", f, p)
			}

			steps := []struct {
				what   string
				change func()
			}{
				{"a triage", func() { triage(st, 11, domain.FindingRiskAccepted) }},
				{"a re-match of one version (some findings gone, some new)", func() {
					replaceFindings(t, st, org, scopes[1:2], matchAll(fx.u62.ID, 0.5)...)
				}},
				{"a feed change (KEV)", func() { setVulns(2) }},
				{"a deleted product version", func() {
					if err := sc.Write(octx, func(tx *store.Tx) error { return tx.DeleteProductVersion(octx, fx.ct1.ID) }); err != nil {
						t.Fatal(err)
					}
				}},
			}
			for _, s := range steps {
				s.change()
				compare(st, "after "+s.what, false)
			}
			if f, p := st.FindingIndexReads(); f != full || p < 2 {
				t.Errorf("after the changes: full reads %d (want %d: only what changed is read), partial %d", f, full, p)
			}

			// after a match the job refreshes the indexes in the background: the next list reads nothing
			_, before := st.FindingIndexReads()
			triage(st, 13, domain.FindingInTriage)
			st.RefreshFindingIndexes(ctx)
			full, partial = st.FindingIndexReads()
			compare(st, "after a refresh", false)
			if f, p := st.FindingIndexReads(); partial != before+1 || f != full || p != partial {
				t.Errorf("reads: %d partial before the refresh, %d after it, %d after the lists (full %d, %d)", before, partial, p, full, f)
			}

			// another process (a CLI on the same database) triages and re-matches: the lists follow
			other, err := store.Open(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			triage(other, 5, domain.FindingMitigated)
			compare(st, "after a triage by another process", false)
			replaceFindings(t, other, org, scopes[:1], matchAll(fx.u61.ID, 0.7)...)
			compare(st, "after a re-match by another process", false)

			// with a budget below the organisation's findings the lists run in SQL
			restore := store.SetFindingIndexBudget(3)
			defer restore()
			triage(st, 2, domain.FindingInTriage)
			compare(st, "over the budget", false)
		})
	}
}

// Lists and the risk pages' open findings while findings change and the job refreshes the index:
// no read fails or races (run with -race), and once the writes are done the lists agree with SQL.
func TestFindingIndexConcurrent(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		fx := newFixture(t, st, "index-race")
		org, ctx := fx.org.ID, testutil.Ctx(fx.org.ID)
		var scopes []store.FleetFindingScope
		var fs []domain.Finding
		for _, pv := range []int64{fx.u61.ID, fx.u62.ID, fx.m00.ID} {
			scopes = append(scopes, store.FleetFindingScope{ProductVersionID: pv})
			for i := range 40 {
				f := fleetFinding(pv, fmt.Sprintf("pkg:npm/c%02d@1.0.0", i%8), fmt.Sprintf("CVE-2024-%04d", i), "in range")
				f.SeverityRank = i % 6
				fs = append(fs, f)
			}
		}
		replaceFindings(t, st, org, scopes, fs...)
		page, err := st.Scope(org).FleetFindings(ctx, domain.FindingFilter{ListParams: domain.ListParams{Limit: 500}})
		if err != nil || page.Total != len(fs) {
			t.Fatalf("first list: %d, %v", page.Total, err)
		}
		done := make(chan error, 4)
		for g := range 4 {
			go func() {
				for i := range 25 {
					f := domain.FindingFilter{ListParams: domain.ListParams{Q: []string{"", "c03", "2024-001"}[i%3], Sort: []string{"", "-severity", "component"}[g%3]}}
					if _, err := st.Scope(org).FleetFindings(ctx, f); err != nil {
						done <- err
						return
					}
					if i%5 == g { // the risk pages read the same index
						if _, err := st.OpenFindingFacts(ctx, org); err != nil {
							done <- err
							return
						}
					}
				}
				done <- nil
			}()
		}
		for i := range 10 {
			id := page.Items[i*7].ID
			if err := st.Scope(org).Write(ctx, func(tx *store.Tx) error {
				_, err := tx.TriageFinding(ctx, id, domain.Triage{State: domain.FindingInTriage})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if i == 5 {
				replaceFindings(t, st, org, scopes[2:], fs[len(fs)-40:len(fs)-10]...)
			}
			st.RefreshFindingIndexes(ctx)
		}
		for range 4 {
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
		for _, f := range []domain.FindingFilter{{}, {All: true}, {States: []string{domain.FindingInTriage}}} {
			got, err1 := st.Scope(org).FleetFindings(ctx, f)
			want, err2 := st.Scope(org).FleetFindingsSQL(ctx, f)
			if err1 != nil || err2 != nil || got.Total != want.Total || len(got.Items) != len(want.Items) {
				t.Fatalf("%+v: index %d (%v), SQL %d (%v)", f, got.Total, err1, want.Total, err2)
			}
		}
	})
}

// A server starting on a database with findings reads the indexes of the organisations matched most
// recently, as many as the budget holds, so that their first list reads nothing.
func TestWarmFindingIndexes(t *testing.T) {
	for _, engine := range testutil.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			opts := testutil.StoreOptions(t, engine)
			st, err := store.Open(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			const n = 30
			var orgs []int64
			for _, slug := range []string{"warm-older", "warm-newer"} {
				fx := newFixture(t, st, slug)
				org, octx := fx.org.ID, testutil.Ctx(fx.org.ID)
				var fs []domain.Finding
				for i := range n {
					fs = append(fs, fleetFinding(fx.u61.ID, fmt.Sprintf("pkg:npm/c%02d@1.0.0", i), "CVE-2024-0001", "in range"))
				}
				replaceFindings(t, st, org, []store.FleetFindingScope{{ProductVersionID: fx.u61.ID}}, fs...)
				if err := st.Scope(org).Write(octx, func(tx *store.Tx) error { return tx.SaveFleetMatchState(octx, 0, true, n) }); err != nil {
					t.Fatal(err)
				}
				orgs = append(orgs, org)
				time.Sleep(2 * time.Millisecond) // the second is the more recently matched
			}
			testutil.Org(t, st, "warm-unmatched")

			// a restart: a new store on the same database
			restart := func() *store.Store {
				t.Helper()
				s, err := store.Open(ctx, opts)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				return s
			}
			list := func(s *store.Store, org int64) int {
				t.Helper()
				page, err := s.Scope(org).FleetFindings(testutil.Ctx(org), domain.FindingFilter{})
				if err != nil {
					t.Fatal(err)
				}
				return page.Total
			}
			s := restart()
			if got := s.WarmFindingIndexes(ctx); got != 2 {
				t.Fatalf("warmed %d organisations, want 2", got)
			}
			if full, _ := s.FindingIndexReads(); full != 2 {
				t.Fatalf("%d full reads at start, want 2", full)
			}
			for _, org := range orgs {
				if got := list(s, org); got != n {
					t.Fatalf("org %d lists %d findings, want %d", org, got, n)
				}
			}
			if full, partial := s.FindingIndexReads(); full != 2 || partial != 0 {
				t.Fatalf("the first lists read again: %d full, %d partial", full, partial)
			}

			// room for one: the more recently matched organisation
			restore := store.SetFindingIndexBudget(n)
			defer restore()
			s = restart()
			if got := s.WarmFindingIndexes(ctx); got != 1 {
				t.Fatalf("warmed %d organisations with room for one, want 1", got)
			}
			list(s, orgs[1])
			if full, _ := s.FindingIndexReads(); full != 1 {
				t.Fatalf("the newer organisation was not the one read at start: %d full reads", full)
			}
		})
	}
}
