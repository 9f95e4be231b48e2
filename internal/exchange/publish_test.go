package exchange_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/csaf"
	"github.com/vigil-med/vigil/internal/csaf/provider"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/exchange"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

func manufacturer(t *testing.T, st *store.Store) (context.Context, *store.Scope, []domain.ProductVersion) {
	t.Helper()
	o := domain.Organisation{Slug: "meridian", Name: "Meridian Medical Systems", Type: domain.OrgManufacturer}
	if err := st.CreateOrg(context.Background(), &o); err != nil {
		t.Fatal(err)
	}
	ctx, sc := testutil.Ctx(o.ID), st.Scope(o.ID)
	var pvs []domain.ProductVersion
	err := sc.Write(ctx, func(tx *store.Tx) error {
		for _, v := range []string{"3.2.0", "3.2.1"} {
			pv, _, err := tx.EnsureProductVersion(ctx, "Meridian Medical Systems", "VitaFlow 300", v)
			if err != nil {
				return err
			}
			pvs = append(pvs, pv)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ctx, sc, pvs
}

// TestPublishAdvisory checks the editor's validation (errors name the field), that a published CSAF
// document passes gocsaf's validation and carries its revision history, and the signature.
func TestPublishAdvisory(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		ctx, sc, pvs := manufacturer(t, st)
		svc := exchange.New(st, nil, func() string { return "https://psirt.meridian.example" })
		bad := []struct {
			field string
			edit  func(a *domain.ExchangeAdvisory)
		}{
			{"tracking_id", func(a *domain.ExchangeAdvisory) { a.TrackingID = "bad id/1" }},
			{"tlp", func(a *domain.ExchangeAdvisory) { a.TLP = "PURPLE" }},
			{"cves", func(a *domain.ExchangeAdvisory) { a.CVEs = []string{"CVE-26-1"} }},
			{"cwe", func(a *domain.ExchangeAdvisory) { a.CWE = "798" }},
			{"cvss_vector", func(a *domain.ExchangeAdvisory) { a.CVSSVector = "CVSS:3.1/AV:X" }},
			{"remediation", func(a *domain.ExchangeAdvisory) { a.Remediation = " " }},
			{"affected_version_ids", func(a *domain.ExchangeAdvisory) { a.Affected = nil }},
			{"affected_version_ids", func(a *domain.ExchangeAdvisory) { a.Affected = []int64{999} }},
			{"fixed_version_ids", func(a *domain.ExchangeAdvisory) { a.Fixed = a.Affected }},
		}
		for _, b := range bad {
			a := testAdvisory("MMS-SA-2026-009", "WHITE")
			a.Affected = []int64{pvs[0].ID}
			b.edit(&a)
			err := svc.SaveAdvisory(ctx, sc, &a)
			var de *domain.Error
			if !asDomain(err, &de) || de.Field != b.field {
				t.Errorf("%s: error %v, want one naming %s", b.field, err, b.field)
			}
		}

		a := testAdvisory("MMS-SA-2026-001", "GREEN")
		a.Affected, a.Fixed, a.CVSSVector = []int64{pvs[0].ID}, []int64{pvs[1].ID}, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
		if err := svc.SaveAdvisory(ctx, sc, &a); err != nil {
			t.Fatal(err)
		}
		doc, problems, err := svc.Preview(ctx, sc, a.ID)
		if err != nil || len(problems) > 0 {
			t.Fatalf("preview: %v %v", problems, err)
		}
		if !strings.Contains(string(doc), `"csaf_security_advisory"`) {
			t.Errorf("preview is not a security advisory: %.300s", doc)
		}
		p1, err := svc.PublishAdvisory(ctx, sc, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.PublishAdvisory(ctx, sc, a.ID); domain.ErrorCode(err) != domain.EConflict {
			t.Errorf("publishing an unchanged advisory again: %v, want a conflict", err)
		}
		a.Summary += " It is reachable from the clinical network only."
		if err := svc.SaveAdvisory(ctx, sc, &a); err != nil {
			t.Fatal(err)
		}
		p2, err := svc.PublishAdvisory(ctx, sc, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		full, err := sc.ExchangePublication(ctx, p2.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := provider.Validate(full.Data); err != nil {
			t.Fatalf("published document does not validate: %v", err)
		}
		adv, err := csaf.ParseBytes(full.Data, "published")
		if err != nil {
			t.Fatal(err)
		}
		if adv.Version != "2" || len(adv.Revisions) != 2 || adv.TLP != "GREEN" || !adv.InitialRelease.Equal(p1.Published) {
			t.Errorf("published: version %s, %d revisions, TLP %s, initial %v (first publication %v)", adv.Version, len(adv.Revisions), adv.TLP,
				adv.InitialRelease, p1.Published)
		}
		if !strings.Contains(string(full.Signature), "BEGIN PGP SIGNATURE") {
			t.Errorf("signature = %.80s", full.Signature)
		}
		stored, _ := sc.ExchangeAdvisory(ctx, a.ID)
		if stored.Status != "published" || stored.Revision != 2 || stored.Changed {
			t.Errorf("advisory after publication: %+v", stored)
		}
		if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.DeleteExchangeAdvisory(ctx, a.ID) }); domain.ErrorCode(err) != domain.EConflict {
			t.Errorf("deleting a published advisory: %v", err)
		}
		// The key is sealed at rest when a secret is set, and readable again with it.
		key, _ := sc.ExchangeKey(ctx)
		if !strings.HasPrefix(key.PrivateKey, "plain:") || strings.Contains(key.PublicKey, "PRIVATE") {
			t.Errorf("key storage: %.20s / %.40s", key.PrivateKey, key.PublicKey)
		}

		// VEX and SBOM per product version, versioned.
		// The advisory is GREEN: a public VEX of the version has nothing to say, a GREEN one states it.
		if _, err := svc.PublishVersionDocument(ctx, sc, pvs[0].ID, domain.PubOpenVEX, "WHITE"); domain.ErrorCode(err) != domain.EInvalid {
			t.Errorf("public VEX of a GREEN advisory: %v", err)
		}
		for _, kind := range []string{domain.PubOpenVEX, domain.PubCycloneDXVEX, domain.PubOpenVEX} {
			if _, err := svc.PublishVersionDocument(ctx, sc, pvs[0].ID, kind, "GREEN"); err != nil {
				t.Fatalf("%s: %v", kind, err)
			}
		}
		latest, err := exchange.Publications(ctx, sc, pvs[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		versions := map[string]int{}
		for _, p := range latest {
			versions[p.Kind] = p.Version
		}
		if versions[domain.PubOpenVEX] != 2 || versions[domain.PubCycloneDXVEX] != 1 {
			t.Errorf("latest VEX publications = %v, want openvex 2 and cyclonedx-vex 1", versions)
		}
		ov, _ := sc.ExchangePublication(ctx, latest[len(latest)-1].ID)
		if !strings.Contains(string(ov.Data), "CVE-2026-10001") || !strings.Contains(string(ov.Data), `"affected"`) {
			t.Errorf("OpenVEX = %.400s", ov.Data)
		}
		if _, err := svc.PublishVersionDocument(ctx, sc, pvs[0].ID, domain.PubSBOM, "WHITE"); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("SBOM of a version without one: %v", err)
		}
	})
}

func asDomain(err error, de **domain.Error) bool {
	if e, ok := err.(*domain.Error); ok {
		*de = e
		return true
	}
	return false
}

// TestExchangeAggregate: a group sees figures only when at least three organisations share with it,
// and never a record of them.
func TestExchangeAggregate(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		group := domain.Organisation{Slug: "nordland-group", Name: "Nordland Hospital Group", Type: domain.OrgGroup}
		if err := st.CreateOrg(context.Background(), &group); err != nil {
			t.Fatal(err)
		}
		today := domain.DateOf(time.Now())
		share := func(slug string, devices, old int) {
			org := testutil.Org(t, st, slug)
			ctx, sc := testutil.Ctx(org.ID), st.Scope(org.ID)
			err := sc.Write(ctx, func(tx *store.Tx) error {
				cur, _, err := tx.EnsureProductVersion(ctx, "Meridian Medical Systems", "VitaFlow 300", "3.2.0")
				if err != nil {
					return err
				}
				legacy, _, err := tx.EnsureProductVersion(ctx, "Meridian Medical Systems", "VitaFlow 100", "1.0")
				if err != nil {
					return err
				}
				legacy.EndOfSupport = today.AddDays(-30)
				if err := tx.UpdateProductVersion(ctx, legacy); err != nil {
					return err
				}
				for i := range devices {
					pv := cur.ID
					if i < old {
						pv = legacy.ID
					}
					a := domain.Asset{ProductVersionID: pv, AssetTag: slug + "-" + string(rune('a'+i)), Criticality: domain.CritImportant}
					if err := tx.CreateAsset(ctx, &a, today); err != nil {
						return err
					}
				}
				_, err = tx.CreateShare(ctx, group)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		share("alpha", 4, 1)
		share("beta", 2, 1)
		agg, err := st.AggregateFor(context.Background(), group.ID, today)
		if err != nil {
			t.Fatal(err)
		}
		if !agg.Suppressed || agg.Devices != 0 || agg.Organisations != 0 {
			t.Errorf("two sharing organisations: %+v, want suppressed figures", agg)
		}
		share("gamma", 4, 2)
		if agg, err = st.AggregateFor(context.Background(), group.ID, today); err != nil {
			t.Fatal(err)
		}
		if agg.Suppressed || agg.Organisations != 3 || agg.Devices != 10 || agg.PastEndOfSupport != 4 || agg.PastEndOfSupportPc != 40 {
			t.Errorf("three sharing organisations: %+v, want 10 devices, 4 (40%%) past end of support", agg)
		}
		// A hospital cannot be a share target.
		hosp := testutil.Org(t, st, "delta")
		ctx := testutil.Ctx(hosp.ID)
		err = st.Scope(hosp.ID).Write(ctx, func(tx *store.Tx) error {
			other, _ := st.OrgByRef(ctx, "alpha")
			_, err := tx.CreateShare(ctx, other)
			return err
		})
		if domain.ErrorCode(err) != domain.EInvalid {
			t.Errorf("sharing with a hospital: %v", err)
		}
	})
}

// TestExchangeQuestionAnswer: a question about a vulnerability and version, answered; the answer
// becomes a VEX statement of the version.
func TestExchangeQuestionAnswer(t *testing.T) {
	st := testutil.MustOpenStore(t)
	ctx, sc := hospital(t, st)
	pvs, _ := sc.Advisories(ctx, domain.AdvisoryFilter{})
	_ = pvs
	var pvID int64
	_ = sc.QueryRow(ctx, "SELECT id FROM product_versions WHERE org_id = ?", sc.Org()).Scan(&pvID)
	q := domain.Question{Manufacturer: "Meridian Medical Systems", ProductVersionID: pvID, Vulnerability: "cve-2024-3400",
		Question: "Is our firmware 3.2.0 affected by CVE-2024-3400?"}
	if err := exchange.Ask(ctx, sc, &q); err != nil {
		t.Fatal(err)
	}
	if _, err := exchange.Answer(ctx, sc, q.ID, exchange.AnswerInput{Answer: "No.", MakeVEX: true}, time.Now()); domain.ErrorCode(err) != domain.EInvalid {
		t.Errorf("VEX without a status: %v", err)
	}
	answered := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	got, err := exchange.Answer(ctx, sc, q.ID, exchange.AnswerInput{Answer: "PAN-OS is not part of the pump.", Status: "not_affected",
		Justification: "component_not_present", AnsweredAt: &answered, MakeVEX: true}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != domain.QuestionAnswered || got.AnsweredAt == nil || !got.AnsweredAt.Equal(answered) || got.VEXStatementID == 0 ||
		got.Vulnerability != "CVE-2024-3400" {
		t.Fatalf("answered question = %+v", got)
	}
	vs, err := sc.VEXStatement(ctx, got.VEXStatementID)
	if err != nil || vs.Status != "not_affected" || vs.ProductVersionID != pvID || vs.SourceKind != domain.VEXManufacturer {
		t.Errorf("VEX statement = %+v %v", vs, err)
	}
}
