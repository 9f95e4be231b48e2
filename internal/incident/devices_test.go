package incident_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/incident"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// device adds an inventory device of a product version to the organisation.
func device(t *testing.T, sc *store.Scope, org int64, tag, host, product string, medical bool, crit domain.Criticality) domain.Asset {
	t.Helper()
	ctx := testutil.Ctx(org)
	var a domain.Asset
	if err := sc.Write(ctx, func(tx *store.Tx) error {
		pv, _, err := tx.EnsureProductVersion(ctx, "Siemens Healthineers", product, "VB40A")
		if err != nil {
			return err
		}
		p, err := tx.Scope().Product(ctx, pv.ProductID)
		if err != nil {
			return err
		}
		if p.MedicalDevice != medical {
			p.MedicalDevice = medical
			if err := tx.UpdateProduct(ctx, p); err != nil {
				return err
			}
		}
		z := domain.NetworkZone{Name: "Imaging " + tag, Exposure: domain.ExposureIsolated}
		if err := tx.CreateZone(ctx, &z); err != nil {
			return err
		}
		a = domain.Asset{ProductVersionID: pv.ID, AssetTag: tag, Hostname: host, Criticality: crit, ZoneID: z.ID}
		return tx.CreateAsset(ctx, &a, domain.DateOf(time.Now()))
	}); err != nil {
		t.Fatal(err)
	}
	return a
}

// TestIncidentDevices links inventory devices to an incident: the links are shown with zone and
// criticality, recorded on the timeline, give default answers that start clocks, never reach another
// organisation's devices, and keep linked devices from being deleted.
func TestIncidentDevices(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		org := testutil.Org(t, st, "nordstadt")
		other := testutil.Org(t, st, "elsewhere")
		ctx, sc := testutil.Ctx(org.ID), st.Scope(org.ID)
		// A workstation that is not a medical device and of criticality important, and a critical CT.
		ws := device(t, sc, org.ID, "NUH-0007", "RAD-WS-MC07", "syngo.via workstation", false, domain.CritImportant)
		ct := device(t, sc, org.ID, "NUH-0002", "CT-GOUP-MC02", "SOMATOM go.Up", true, domain.CritCritical)
		foreign := device(t, st.Scope(other.ID), other.ID, "OTHER-1", "other-host", "SOMATOM go.Up", true, domain.CritCritical)

		in := domain.Incident{Title: "Ransom note on a reporting workstation", Category: domain.CategoryRansomware, AwareAt: time.Now().Add(-time.Hour),
			Devices: []string{"PACS image store share"}}
		if err := incident.CreateWithDevices(ctx, sc, &in, map[string]string{"nis2.entity": "essential"}, []int64{ws.ID}); err != nil {
			t.Fatal(err)
		}
		rec, err := incident.Load(ctx, sc, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.Assets) != 1 || rec.Assets[0].Hostname != "RAD-WS-MC07" || rec.Assets[0].Zone != "Imaging NUH-0007" ||
			rec.Assets[0].Criticality != domain.CritImportant || rec.Assets[0].MedicalDevice {
			t.Fatalf("linked devices: %+v", rec.Assets)
		}
		// A workstation that is not a medical device and not critical implies nothing.
		if src := rec.AnswerSources["mdr.device-involved"]; src != "" {
			t.Errorf("mdr.device-involved from %q with only the workstation linked", src)
		}
		clocks := func() map[string]bool {
			t.Helper()
			ds, err := sc.IncidentDeadlines(ctx, in.ID)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]bool{}
			for _, d := range ds {
				if d.Active && !d.Provisional {
					out[d.DeadlineID] = true
				}
			}
			return out
		}
		if clocks()["op.notify.mfr"] {
			t.Errorf("the manufacturer notice runs firmly before a medical device is linked")
		}

		// Linking the critical CT (a medical device): both defaults apply and the clocks follow.
		changed, err := incident.SetDevices(ctx, sc, in.ID, []int64{ws.ID, ct.ID, ct.ID})
		if err != nil || !changed {
			t.Fatalf("link the CT: changed=%v err=%v", changed, err)
		}
		rec, _ = incident.Load(ctx, sc, in.ID)
		var names []string
		for _, a := range rec.Assets {
			names = append(names, a.Name())
		}
		if diff := cmp.Diff([]string{"NUH-0002", "NUH-0007"}, names); diff != "" {
			t.Errorf("linked devices, most critical first (-want +got):\n%s", diff)
		}
		for q, want := range map[string]string{"mdr.device-involved": "yes", "nis2.damage-to-others": "yes"} {
			if rec.Answers[q] != want || rec.AnswerSources[q] != incident.SourceDevices {
				t.Errorf("%s = %q from %q, want %q from the linked devices", q, rec.Answers[q], rec.AnswerSources[q], want)
			}
		}
		if !clocks()["op.notify.mfr"] {
			t.Errorf("a linked medical device should start the notice to the manufacturer; clocks %v", clocks())
		}
		last := rec.Timeline[len(rec.Timeline)-1]
		if !strings.Contains(strings.Join(timelineSummaries(rec), "\n"), "Affected devices: linked NUH-0002") {
			t.Errorf("timeline does not show the link: %v (last %q)", timelineSummaries(rec), last.Summary)
		}
		draft, err := rec.Draft("hcp.suspected-incident", 0)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.Join(mapValues(draft.Fields), "\n"), "NUH-0002 — Siemens Healthineers SOMATOM go.Up VB40A (host CT-GOUP-MC02; criticality critical") {
			t.Errorf("the device report does not name the linked CT: %v", draft.Fields)
		}

		// An answer overrides the devices' default.
		if _, err := incident.SetAnswers(ctx, sc, in.ID, map[string]string{"mdr.device-involved": "no"}, "the CT was never reached"); err != nil {
			t.Fatal(err)
		}
		if clocks()["op.notify.mfr"] {
			t.Errorf("answered no: the manufacturer notice still runs")
		}

		// Another organisation's device cannot be linked; nothing changes.
		if _, err := incident.SetDevices(ctx, sc, in.ID, []int64{ws.ID, foreign.ID}); domain.ErrorCode(err) != domain.EInvalid || domain.ErrorField(err) != "asset_ids" {
			t.Errorf("linking another organisation's device: %v", err)
		}
		if got, _ := sc.IncidentAssets(ctx, in.ID); len(got) != 2 {
			t.Errorf("after the refused change: %d links", len(got))
		}

		// The device page lists the incident; a linked device cannot be deleted.
		incs, err := sc.AssetIncidents(ctx, ct.ID)
		if err != nil || len(incs) != 1 || incs[0].ID != in.ID {
			t.Errorf("incidents of the CT: %v %v", incs, err)
		}
		err = sc.Write(ctx, func(tx *store.Tx) error { return tx.DeleteAsset(ctx, ct.ID) })
		if domain.ErrorCode(err) != domain.EConflict || !strings.Contains(err.Error(), "retired") {
			t.Errorf("delete a linked device: %v", err)
		}

		// Unlinking everything.
		if changed, err := incident.SetDevices(ctx, sc, in.ID, []int64{}); err != nil || !changed {
			t.Fatalf("unlink: %v %v", changed, err)
		}
		if got, _ := sc.IncidentAssets(ctx, in.ID); len(got) != 0 {
			t.Errorf("after unlinking: %+v", got)
		}
		if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.DeleteAsset(ctx, ct.ID) }); err != nil {
			t.Errorf("delete an unlinked device: %v", err)
		}

		// Finding devices by what is written on them.
		for ref, want := range map[string]string{"NUH-0007": "NUH-0007", "rad-ws-mc07": "NUH-0007"} {
			a, err := sc.FindAsset(ctx, ref)
			if err != nil || a.Name() != want {
				t.Errorf("FindAsset(%q) = %s, %v", ref, a.Name(), err)
			}
		}
		if _, err := sc.FindAsset(ctx, "other-host"); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("FindAsset of another organisation's host: %v", err)
		}
	})
}

func timelineSummaries(rec *incident.Record) []string {
	var out []string
	for _, e := range rec.Timeline {
		out = append(out, e.Summary)
	}
	return out
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
