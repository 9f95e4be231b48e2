package inventory

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/regulation"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// TestCoverageEvidence builds a small inventory step by step and checks that the asset-inventory
// evidence follows it: devices without a version are not identified, standalone and retired devices are
// not counted, rooms and zones are counted, and a support date in the past shows.
func TestCoverageEvidence(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		h := newHospital(t, st, "coverage")
		now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
		day := domain.DateOf(now)
		figures := func(step string) (regulation.Evidence, map[string]float64) {
			t.Helper()
			ev, ok, err := CoverageEvidenceAt(h.ctx, h.sc, now)
			if err != nil || !ok {
				t.Fatalf("%s: ok=%v err=%v", step, ok, err)
			}
			if err := ev.Validate(); err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			m := map[string]float64{}
			for _, f := range ev.Figures {
				m[f.Name] = f.Value
			}
			return ev, m
		}
		if _, ok, err := CoverageEvidenceAt(h.ctx, h.sc, now); ok || err != nil {
			t.Fatalf("empty inventory: ok=%v err=%v, want no data", ok, err)
		}

		var known, unknown domain.ProductVersion
		var room domain.Location
		write := func(fn func(tx *store.Tx) error) {
			t.Helper()
			if err := h.sc.Write(h.ctx, fn); err != nil {
				t.Fatal(err)
			}
		}
		write(func(tx *store.Tx) error {
			var err error
			if known, _, err = tx.EnsureProductVersion(h.ctx, "B. Braun", "Infusomat Space", "686E"); err != nil {
				return err
			}
			if unknown, _, err = tx.EnsureProductVersion(h.ctx, "Philips", "IntelliVue MX800", ""); err != nil {
				return err
			}
			site := domain.Site{Name: "Main Campus"}
			if err := tx.CreateSite(h.ctx, &site); err != nil {
				return err
			}
			room = domain.Location{SiteID: site.ID, Building: "C", Floor: "2", Room: "2.114"}
			return tx.CreateLocation(h.ctx, &room)
		})
		add := func(tag string, pv domain.ProductVersion, zone string, located bool, status domain.AssetStatus) domain.Asset {
			t.Helper()
			a := domain.Asset{ProductVersionID: pv.ID, AssetTag: tag, Criticality: domain.CritCritical, Status: status, ZoneID: h.zones[zone].ID}
			if located {
				a.LocationID = room.ID
			}
			write(func(tx *store.Tx) error { return tx.CreateAsset(h.ctx, &a, day) })
			return a
		}
		add("P-1", known, "Infusion pumps", true, domain.StatusInUse)
		add("P-2", known, "", false, domain.StatusInUse)
		add("M-1", unknown, "Patient monitoring", true, domain.StatusInUse)
		add("M-2", unknown, "Not networked", true, domain.StatusInUse)  // standalone: not counted
		add("P-3", known, "Infusion pumps", true, domain.StatusRetired) // retired: not counted
		ev, got := figures("first devices")
		want := map[string]float64{"devices_total": 3, "devices_identified": 2, "coverage": 66.7, "devices_located": 2,
			"devices_zoned": 2, "devices_with_criticality": 3, "past_support": 0}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("first devices (-want +got):\n%s", diff)
		}
		if !strings.Contains(ev.Source, "devices recorded as not networked (1)") || !strings.Contains(ev.Source, "on 2026-03-02") {
			t.Errorf("source: %s", ev.Source)
		}

		// The monitors' version becomes known and the pumps' support ended last year.
		write(func(tx *store.Tx) error {
			unknown.Version = "B.02.01"
			if err := tx.UpdateProductVersion(h.ctx, unknown); err != nil {
				return err
			}
			known.EndOfSupport = domain.NewDate(2025, 12, 31)
			return tx.UpdateProductVersion(h.ctx, known)
		})
		_, got = figures("versions known, pumps unsupported")
		want["devices_identified"], want["coverage"], want["past_support"] = 3, 100, 66.7
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("versions known, pumps unsupported (-want +got):\n%s", diff)
		}
	})
}
