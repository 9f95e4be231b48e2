package app_test

import (
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/app/apptest"
	"github.com/vigil-med/vigil/internal/compliance"
	"github.com/vigil-med/vigil/internal/disclosure/disclosuretest"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/incident"
	"github.com/vigil-med/vigil/internal/inventory"
	"github.com/vigil-med/vigil/internal/procurement/proctest"
	"github.com/vigil-med/vigil/internal/regulation"
	"github.com/vigil-med/vigil/internal/regulation/deadline"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
	"github.com/vigil-med/vigil/internal/training/trainingtest"
)

// Module seeders for the tenant-isolation suite: each creates, in one organisation, an object of every
// kind that the module's API operations address by id.
func init() {
	seeders = append(seeders, seedInventory, seedIncidents, seedRegulation, seedTraining, seedProcurement, seedDisclosures, seedFleet)
	for k, v := range proctest.PathValues {
		pathValues[k] = v
	}
	parentLists["/inventory/versions/{id}"] = "/inventory/products/{id}/versions"
	parentLists["/inventory/versions/{id}/disclosures"] = "/inventory/products/{id}/versions"
	pathValues["template"] = deadline.Reports().Templates[0].ID
	pathValues["measure"] = regulation.MeasureCatalogue().Measures[0].ID
	parentLists["/incidents/{id}/injects"] = "/incidents?exercise=true"
	sampleBodies["addEvidenceLink"] = map[string]string{"title": "policy", "url": "https://intranet.example/policy"}
	sampleBodies["triageFinding"] = map[string]string{"comment": "seen"}
}

func seedIncidents(t *testing.T, h *apptest.Harness, tn *tenant) {
	t.Helper()
	ctx := testutil.Ctx(tn.org.ID)
	sc := h.Store.Scope(tn.org.ID)
	in := domain.Incident{Title: tn.marker + " ransomware on PACS", Category: "ransomware", AwareAt: time.Now().Add(-time.Hour)}
	dev, err := sc.AssetByTag(ctx, tn.marker+"-0001") // seeded by seedInventory
	if err != nil {
		t.Fatal(err)
	}
	if err := incident.CreateWithDevices(ctx, sc, &in, nil, []int64{dev.ID}); err != nil {
		t.Fatal(err)
	}
	if err := sc.Write(ctx, func(tx *store.Tx) error {
		if err := tx.AddIncidentAction(ctx, &domain.IncidentAction{IncidentID: in.ID, Kind: "response", Title: tn.marker + " isolate VLAN", Owner: "IT"}); err != nil {
			return err
		}
		return tx.SaveIncidentReview(ctx, &domain.IncidentReview{IncidentID: in.ID, WhatHappened: tn.marker + " review"})
	}); err != nil {
		t.Fatal(err)
	}
	att := domain.IncidentAttachment{IncidentID: in.ID, Name: tn.marker + "-log.txt", ContentType: "text/plain"}
	if err := incident.AddAttachment(ctx, sc, &att, []byte("log of "+tn.marker)); err != nil {
		t.Fatal(err)
	}
	if _, err := incident.StartExercise(ctx, sc, incident.ExerciseInput{Scenario: incident.Scenarios()[0].ID}); err != nil {
		t.Fatal(err)
	}
}

func seedRegulation(t *testing.T, h *apptest.Harness, tn *tenant) {
	t.Helper()
	ctx := testutil.Ctx(tn.org.ID)
	a := domain.Assessment{Name: tn.marker + " NIS2 Art. 21", PeriodStart: "2026-01-01", PeriodEnd: "2026-12-31", Owner: "CISO"}
	sc := h.Store.Scope(tn.org.ID)
	if err := compliance.StartAssessment(ctx, sc, &a, 0); err != nil {
		t.Fatal(err)
	}
	m := regulation.MeasureCatalogue().Measures[0].ID
	if _, err := compliance.AddFile(ctx, sc, a.ID, m, tn.marker+" policy", "policy.txt", []byte("policy of "+tn.marker)); err != nil {
		t.Fatal(err)
	}
}

func seedInventory(t *testing.T, h *apptest.Harness, tn *tenant) {
	t.Helper()
	ctx := testutil.Ctx(tn.org.ID)
	sc := h.Store.Scope(tn.org.ID)
	if err := sc.Write(ctx, func(tx *store.Tx) error {
		return tx.CreateZone(ctx, &domain.NetworkZone{Name: tn.marker + " clinical LAN", CIDR: "10.20.0.0/16", Exposure: domain.Exposures[2]})
	}); err != nil {
		t.Fatal(err)
	}
	row := map[inventory.Field]string{
		inventory.FAssetTag: tn.marker + "-0001", inventory.FSerial: "SN-" + tn.marker, inventory.FManufacturer: tn.marker + " Medical",
		inventory.FProduct: "Pump 3000", inventory.FVersion: "1.2.3", inventory.FSite: tn.marker + " campus", inventory.FBuilding: "A",
		inventory.FRoom: "101", inventory.FLocation: "ICU room 101", inventory.FDepartment: tn.marker + " ICU", inventory.FIP: "10.20.0.5",
		inventory.FCriticality: "critical",
	}
	if rep, err := inventory.ImportFields(ctx, sc, []map[inventory.Field]string{row}, inventory.Options{}); err != nil {
		t.Fatalf("seed inventory: %v %+v", err, rep)
	}
}

func seedTraining(t *testing.T, h *apptest.Harness, tn *tenant) {
	t.Helper()
	trainingtest.Seed(t, h.Store, tn.org.ID, tn.marker)
}

func seedProcurement(t *testing.T, h *apptest.Harness, tn *tenant) {
	t.Helper()
	proctest.Seed(t, h.Store, tn.org.ID, tn.marker)
}

func seedDisclosures(t *testing.T, h *apptest.Harness, tn *tenant) {
	t.Helper()
	disclosuretest.Seed(t, h.Store, tn.org.ID, tn.marker)
}

// seedFleet matches the disclosures' product version (its CSAF product status and the hospital's own
// statement give findings even without feed data).
func seedFleet(t *testing.T, h *apptest.Harness, tn *tenant) {
	t.Helper()
	if _, err := h.App.Fleet.MatchAll(testutil.Ctx(tn.org.ID), tn.org.ID, nil); err != nil {
		t.Fatal(err)
	}
}
