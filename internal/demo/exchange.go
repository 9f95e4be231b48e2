package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/vigil-med/vigil/internal/disclosure"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/exchange"
	"github.com/vigil-med/vigil/internal/store"
)

// ExchangeBaseURL is where the demo's manufacturer provider is assumed to be served (the default listen
// address): the demo hospital's subscription points to it.
const ExchangeBaseURL = "http://127.0.0.1:8080"

// exchangeDemo: Meridian Medical Systems publishes an advisory for the VitaFlow 300 3.2.0 (fixed in
// 3.2.1) with operator guidance, VEX and the SBOM; the demo hospital runs three VitaFlow pumps, is
// subscribed to Meridian's provider, has received the advisory (the same import a sync makes) and asked
// Meridian a question that was answered; it shares its aggregate figures with the group.
func exchangeDemo(ctx context.Context, e *Env) error {
	svc := exchange.New(e.Store, nil, func() string { return ExchangeBaseURL })
	svc.Now = func() time.Time { return e.LoadedAt.Add(-3 * 24 * time.Hour) }
	u := e.Users[domain.RoleManufacturer]
	mctx := domain.WithActor(ctx, domain.Actor{Kind: domain.ActorUser, UserID: u.ID, Name: u.Email, OrgID: e.Manufacturer.ID, Role: domain.RoleManufacturer})
	msc := e.Store.Scope(e.Manufacturer.ID)

	// The manufacturer's catalogue: 3.2.0 (from the disclosures step) and the fix 3.2.1.
	var cur, fix domain.ProductVersion
	err := msc.Write(mctx, func(tx *store.Tx) error {
		var err error
		if cur, _, err = tx.EnsureProductVersion(mctx, "Meridian Medical Systems", "VitaFlow 300", "3.2.0"); err != nil {
			return err
		}
		if fix, _, err = tx.EnsureProductVersion(mctx, "Meridian Medical Systems", "VitaFlow 300", "3.2.1"); err != nil {
			return err
		}
		cur.EndOfSupport = domain.DateOf(e.Now).AddDays(365 * 2)
		fix.EndOfSupport = domain.DateOf(e.Now).AddDays(365 * 6)
		if err := tx.UpdateProductVersion(mctx, cur); err != nil {
			return err
		}
		if err := tx.UpdateProductVersion(mctx, fix); err != nil {
			return err
		}
		for _, g := range []domain.Guidance{
			{ProductVersionID: cur.ID, Topic: "requirements", Body: "Pump server on Windows Server 2022 or RHEL 9; TLS 1.2 or later to the pumps; NTP for every pump."},
			{ProductVersionID: cur.ID, Topic: "hardening", Body: "Disable the service interface (Settings → Service → Remote access: off) outside maintenance windows; change the drug-library server certificate from the factory one."},
			{ProductVersionID: cur.ID, Topic: "ports", Body: "Inbound: none on the pump. Outbound: TCP 443 to the pump server. Service: TCP 2323 only during maintenance."},
			{ProductVersionID: cur.ID, Topic: "backup", Body: "Back up the pump server database daily; pumps keep no patient data beyond the current infusion."},
		} {
			g := g
			if err := tx.SaveGuidance(mctx, &g); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	adv := domain.ExchangeAdvisory{TrackingID: "MMS-SA-2026-001", Title: "VitaFlow 300: hard-coded service credentials", TLP: "WHITE",
		CVEs: []string{"CVE-2026-10001"}, CWE: "CWE-798 Use of Hard-coded Credentials", CVSSVector: "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		Summary: "The service interface of the VitaFlow 300 accepts a fixed password. An attacker on the clinical network can change pump settings.",
		Details: "Software 3.2.0 and earlier; the service interface listens on TCP 2323.", RemediationCategory: "vendor_fix",
		Remediation:    "Update the pump software to 3.2.1 (service bulletin SB-2026-07); until then disable the service interface.",
		RemediationURL: ExchangeBaseURL + "/exchange/meridian/products", Workaround: "Block TCP 2323 to the pumps at the clinical-network firewall.",
		Affected: []int64{cur.ID}, Fixed: []int64{fix.ID}}
	if err := svc.SaveAdvisory(mctx, msc, &adv); err != nil {
		return err
	}
	pub, err := svc.PublishAdvisory(mctx, msc, adv.ID)
	if err != nil {
		return err
	}
	draft := domain.ExchangeAdvisory{TrackingID: "MMS-SA-2026-002", Title: "VitaFlow 300: drug-library signature not checked on import", TLP: "AMBER",
		CVEs: []string{"CVE-2026-10002"}, Summary: "Under analysis: a crafted drug library may be accepted from a USB stick.", RemediationCategory: "mitigation",
		Remediation: "Import drug libraries only through the pump server.", Affected: []int64{cur.ID}}
	if err := svc.SaveAdvisory(mctx, msc, &draft); err != nil {
		return err
	}
	for _, kind := range []string{domain.PubOpenVEX, domain.PubCycloneDXVEX, domain.PubSBOM} {
		if _, err := svc.PublishVersionDocument(mctx, msc, cur.ID, kind, "WHITE"); err != nil {
			return fmt.Errorf("publish %s: %w", kind, err)
		}
	}
	_, tokenSecret, err := exchange.CreateSubscriberToken(mctx, msc, e.Hospital.Name, "AMBER")
	if err != nil {
		return err
	}
	pubKey, fp, err := exchange.PublicKey(mctx, msc)
	if err != nil {
		return err
	}
	full, err := msc.ExchangePublication(mctx, pub.ID)
	if err != nil {
		return err
	}

	// The hospital: three VitaFlow pumps, the subscription, the received advisory.
	hctx := e.Ctx(ctx, e.Hospital)
	hsc := e.Store.Scope(e.Hospital.ID)
	biomed := e.Users[domain.RoleClinicalEngineer]
	var hv domain.ProductVersion
	err = hsc.Write(hctx, func(tx *store.Tx) error {
		var err error
		if hv, _, err = tx.EnsureProductVersion(hctx, "Meridian Medical Systems", "VitaFlow 300", "3.2.0"); err != nil {
			return err
		}
		deps, err := tx.Scope().Departments(hctx)
		if err != nil {
			return err
		}
		for i, owner := range []string{biomed.Name, biomed.Name, "Anaesthesia device team"} {
			a := domain.Asset{ProductVersionID: hv.ID, AssetTag: fmt.Sprintf("NUH-VF3-%04d", i+1), Serial: fmt.Sprintf("VF300-26-%05d", 4101+i),
				Owner: owner, Criticality: domain.CritLifeSustaining, PatientData: false}
			if len(deps) > 0 {
				a.DepartmentID = deps[i%len(deps)].ID
			}
			if err := tx.CreateAsset(hctx, &a, domain.DateOf(e.Now)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	sub := domain.Subscription{Name: e.Manufacturer.Name, URL: ExchangeBaseURL + "/exchange/meridian/.well-known/csaf/provider-metadata.json",
		Kind: domain.SubscriptionVigil, KeyPin: string(pubKey), KeyFingerprint: fp, Token: tokenSecret, TLP: []string{"WHITE", "GREEN", "AMBER"}, EveryHours: 24}
	if err := hsc.Write(hctx, func(tx *store.Tx) error { return tx.CreateSubscription(hctx, &sub) }); err != nil {
		return err
	}
	docURL := ExchangeBaseURL + "/exchange/meridian/.well-known/csaf/white/" + fmt.Sprint(pub.Published.Year()) + "/" + pub.FileName
	rep, err := disclosure.ImportCSAFBatch(hctx, hsc, []disclosure.Input{{Data: full.Data,
		Source: disclosure.Source{FileName: pub.FileName, Kind: "provider", Ref: docURL, MediaType: "application/json"}}})
	if err != nil {
		return err
	}
	imported := 0
	for _, ch := range rep.Changes {
		if ch.What == "advisory" && ch.Action != disclosure.Skipped {
			imported++
		}
	}
	if err := hsc.Write(hctx, func(tx *store.Tx) error {
		return tx.RecordSubscriptionSync(hctx, sub.ID, e.LoadedAt.Add(-2*time.Hour),
			fmt.Sprintf("1 documents: %d imported, 0 unchanged, 0 rejected; 3 affected devices", imported), "", imported)
	}); err != nil {
		return err
	}

	// Questions: one answered (and stated as VEX), one open.
	answered := domain.Question{Manufacturer: e.Manufacturer.Name, SubscriptionID: sub.ID, ProductVersionID: hv.ID, Vulnerability: "CVE-2024-3400",
		Question: "Our scanner lists CVE-2024-3400 (PAN-OS) for the VitaFlow 300 3.2.0. Is the pump affected?"}
	if err := exchange.Ask(hctx, hsc, &answered); err != nil {
		return err
	}
	at := e.Now.Add(-24 * time.Hour)
	if _, err := exchange.Answer(hctx, hsc, answered.ID, exchange.AnswerInput{Answer: "Not affected: the pump contains no PAN-OS component.",
		Status: "not_affected", Justification: "component_not_present", AnsweredAt: &at, MakeVEX: true}, e.Now); err != nil {
		return err
	}
	open := domain.Question{Manufacturer: e.Manufacturer.Name, SubscriptionID: sub.ID, ProductVersionID: hv.ID, Vulnerability: "CVE-2023-0286",
		Question: "Does the VitaFlow 300 3.2.0 use OpenSSL X.400 address processing (CVE-2023-0286)?"}
	if err := exchange.Ask(hctx, hsc, &open); err != nil {
		return err
	}
	return hsc.Write(hctx, func(tx *store.Tx) error {
		_, err := tx.CreateShare(hctx, e.Group)
		return err
	})
}
