package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/app/apptest"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// TestSubscriptionCLI subscribes a hospital's data directory to a manufacturer's running Vigil with
// `vigil subscription add` (the provider-metadata.json URL), syncs with `vigil subscription sync` and
// finds the affected device in the output.
func TestSubscriptionCLI(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	mfr := domain.Organisation{Slug: "meridian", Name: "Meridian Medical Systems", Type: domain.OrgManufacturer}
	if err := h.Store.CreateOrg(context.Background(), &mfr); err != nil {
		t.Fatal(err)
	}
	mctx, msc := testutil.Ctx(mfr.ID), h.Store.Scope(mfr.ID)
	if err := msc.Write(mctx, func(tx *store.Tx) error {
		_, _, err := tx.EnsureProductVersion(mctx, "Meridian Medical Systems", "VitaFlow 300", "3.2.0")
		return err
	}); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	// The manufacturer writes and publishes with the CLI too (its own data directory is the harness's).
	mdir := h.App.Config.DataDir
	if out, stderr, code := runCLI(t, mdir, "advisory", "create", "--org", "meridian", "--tracking-id", "MMS-SA-2026-001",
		"--title", "VitaFlow 300: hard-coded credentials", "--cve", "CVE-2026-10001", "--summary", "A fixed service password.",
		"--remediation", "Update to 3.2.1.", "--affected", "VitaFlow 300@3.2.0"); code != 0 {
		t.Fatalf("advisory create: %d %s %s", code, out, stderr)
	}
	if out, stderr, code := runCLI(t, mdir, "advisory", "publish", "1", "--org", "meridian"); code != 0 || !strings.Contains(out, "version 1") {
		t.Fatalf("advisory publish: %d %s %s", code, out, stderr)
	}

	st, err := store.Open(context.Background(), store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	org := testutil.Org(t, st, "nordstadt")
	ctx := testutil.Ctx(org.ID)
	if err := st.Scope(org.ID).Write(ctx, func(tx *store.Tx) error {
		pv, _, err := tx.EnsureProductVersion(ctx, "Meridian Medical Systems", "VitaFlow 300", "3.2.0")
		if err != nil {
			return err
		}
		a := domain.Asset{ProductVersionID: pv.ID, AssetTag: "NUH-PUMP-0001", Owner: "ICU", Criticality: domain.CritCritical}
		return tx.CreateAsset(ctx, &a, domain.DateOf(time.Now()))
	}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	meta := h.URL + "/exchange/meridian/.well-known/csaf/provider-metadata.json"
	out, stderr, code := runCLI(t, dir, "subscription", "add", meta)
	if code != 0 || !strings.Contains(out, "subscription 1: Meridian Medical Systems") {
		t.Fatalf("subscription add: %d %s %s", code, out, stderr)
	}
	out, stderr, code = runCLI(t, dir, "subscription", "sync", "1")
	if code != 0 || !strings.Contains(out, "1 imported") || !strings.Contains(out, "NUH-PUMP-0001") || !strings.Contains(out, "Update to 3.2.1.") {
		t.Fatalf("subscription sync: %d\n%s\n%s", code, out, stderr)
	}
	out, _, code = runCLI(t, dir, "subscription", "list", "--json")
	var subs []domain.Subscription
	if code != 0 || json.Unmarshal([]byte(out), &subs) != nil || len(subs) != 1 || subs[0].Status != "ok" || subs[0].Documents != 1 {
		t.Errorf("subscription list: %d %s", code, out)
	}
	if strings.Contains(out, "PRIVATE") {
		t.Error("the list shows key material beyond the public key")
	}
}
