package demo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/vigil-med/vigil/internal/config"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/fleet"
	"github.com/vigil-med/vigil/internal/vulndb"
)

// fleetDemo matches the hospital's product versions against the imported feeds (SBOM components,
// the CISA advisories' product status, the manufacturers' VEX) and triages some findings the way a
// security officer would, so the vulnerability pages, risk scoring and the VEX export have real data.
func fleetDemo(ctx context.Context, e *Env) error {
	feeds := e.Feeds
	if feeds == nil {
		dir, err := os.MkdirTemp("", "vigil-demo-fleet-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		feeds = vulndb.New(e.Store, filepath.Join(dir, "data"), config.Default().Feeds, nil)
	}
	svc := fleet.New(e.Store, feeds, nil)
	for _, org := range []domain.Organisation{e.Hospital, e.Group} {
		if _, err := svc.MatchAll(e.Ctx(ctx, org), org.ID, nil); err != nil {
			return fmt.Errorf("match %s: %w", org.Name, err)
		}
	}
	ciso := e.Users[domain.RoleSecurityOfficer]
	actx := domain.WithActor(ctx, domain.Actor{Kind: domain.ActorUser, UserID: ciso.ID, OrgID: e.Hospital.ID, Name: ciso.Email, Role: ciso.Role})
	sc := e.Store.Scope(e.Hospital.ID)
	page, err := sc.FleetFindings(actx, domain.FindingFilter{ListParams: domain.ListParams{Limit: 200}})
	if err != nil {
		return err
	}
	// One decision per kind, on distinct vulnerabilities (KEV and most severe first).
	expires := e.Now.AddDate(0, 6, 0)
	if soon := time.Now().AddDate(0, 1, 0); expires.Before(soon) { // a demo dated in the past: still a future review
		expires = soon
	}
	decisions := []domain.Triage{
		{State: domain.FindingExploitable, Comment: "Reachable from the clinical LAN; the manufacturer's patch is scheduled with the next maintenance window."},
		{State: domain.FindingInTriage, Comment: "Asked the manufacturer whether the vulnerable function is used."},
		{State: domain.FindingMitigated, Comment: "Moved to the isolated medical VLAN; SMB blocked at the zone firewall."},
		{State: domain.FindingRiskAccepted, Owner: "Dr. Miriam Hoffmann (CISO)", Expires: &expires,
			Comment: "No patch for this model; replacement is budgeted for next year."},
		{State: domain.FindingNotAffected, Justification: "vulnerable_code_not_in_execute_path",
			Comment: "The manufacturer confirmed the component's network service is disabled in this configuration."},
		{State: domain.FindingFixed, Comment: "Firmware updated by the manufacturer's service technician."},
	}
	used := map[string]bool{}
	for _, f := range page.Items {
		if len(decisions) == 0 {
			break
		}
		if used[f.VulnID] {
			continue
		}
		used[f.VulnID] = true
		if _, err := svc.Triage(actx, e.Hospital.ID, f.ID, decisions[0]); err != nil {
			return fmt.Errorf("triage %s: %w", f.VulnID, err)
		}
		decisions = decisions[1:]
	}
	if len(page.Items) > 0 {
		// a comment without a state change
		if _, err := svc.Triage(actx, e.Hospital.ID, page.Items[0].ID, domain.Triage{Comment: "Discussed in the weekly medical device security meeting " +
			e.Now.Add(-72*time.Hour).Format("2 January") + "."}); err != nil {
			return err
		}
	}
	return nil
}
