package procurement

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/jobs"
	"github.com/vigil-med/vigil/internal/notify"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

func TestTenderLifecycle(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		org, other := testutil.Org(t, st, "hospital-a"), testutil.Org(t, st, "hospital-b")
		ctx := testutil.Ctx(org.ID)
		sc := st.Scope(org.ID)
		opt := Options{AsOf: asOf}

		// First use copies the built-in catalogue (version 1); an edit is version 2.
		if _, v, _ := OrgCatalogue(ctx, sc, CatalogueDevice); v != 0 {
			t.Fatalf("before first use: version %d", v)
		}
		deadline := asOf.AddDate(0, 0, 30)
		tn, err := CreateTender(ctx, sc, TenderInput{Reference: "T-1", Title: "Infusion pumps", Deadline: &deadline})
		if err != nil {
			t.Fatal(err)
		}
		if tn.CatalogueVersion != 1 || len(tn.Criteria) != 30 || tn.Status != domain.TenderDraft {
			t.Errorf("tender: version %d, %d criteria, %s", tn.CatalogueVersion, len(tn.Criteria), tn.Status)
		}
		w := 9.0
		must := true
		if _, v, err := EditCatalogue(ctx, sc, CatalogueDevice, CatalogueEdit{Criteria: []CriterionEdit{{ID: "dev.sbom", Weight: &w, Must: &must}}, Note: "SBOM is a must"}); err != nil || v != 2 {
			t.Fatalf("edit: %v %d", err, v)
		}
		if _, _, err := EditCatalogue(ctx, sc, CatalogueDevice, CatalogueEdit{Criteria: []CriterionEdit{{ID: "nope"}}}); domain.ErrorCode(err) != domain.EInvalid {
			t.Errorf("unknown criterion: %v", err)
		}
		// The tender keeps its snapshot until its criteria are chosen again.
		got, _ := sc.Tender(ctx, tn.ID)
		cat, _ := TenderCatalogue(got)
		if cr, _ := cat.Criterion("dev.sbom"); cr.Weight != 3 || cr.Must {
			t.Errorf("snapshot changed: %+v", cr)
		}
		if _, err := SetTenderCriteria(ctx, sc, tn.ID, []string{"dev.auth", "dev.credentials", "dev.sbom", "dev.support-period", "dev.patch-timeline", "dev.cvd", "dev.pentest"}); err != nil {
			t.Fatal(err)
		}
		got, _ = sc.Tender(ctx, tn.ID)
		cat, _ = TenderCatalogue(got)
		if cr, _ := cat.Criterion("dev.sbom"); cr.Weight != 9 || !cr.Must || len(cat.Criteria) != 7 || got.CatalogueVersion != 2 {
			t.Errorf("after choosing again: %+v, %d criteria, version %d", cr, len(cat.Criteria), got.CatalogueVersion)
		}

		// Two bids with their evidence.
		add := func(vendor string) domain.Bid {
			b := domain.Bid{TenderID: tn.ID, Vendor: vendor}
			if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.CreateBid(ctx, &b) }); err != nil {
				t.Fatal(err)
			}
			return b
		}
		strong, weak := add("MediCapture"), add("Example")
		medi, _ := os.ReadFile("testdata/medicapture-mvr-cybersecurity-mds2.md")
		nema, _ := os.ReadFile("testdata/nema-example-mds2-worksheet-2019.xlsx")
		spdx, _ := os.ReadFile("testdata/presentations_OSS-NA-2023_SPDXVersion2.3_03-SBOMwDependency.json")
		if _, err := AddMDS2(ctx, sc, tn.ID, strong.ID, "medicapture.md", medi); err != nil {
			t.Fatal(err)
		}
		if _, err := AddMDS2(ctx, sc, tn.ID, weak.ID, "nema.xlsx", nema); err != nil {
			t.Fatal(err)
		}
		if _, err := AddMDS2(ctx, sc, tn.ID, weak.ID, "x.pdf", []byte("%PDF-1.4")); domain.ErrorCode(err) != domain.EInvalid || !strings.Contains(err.Error(), "PDF") {
			t.Errorf("PDF as MDS2: %v", err)
		}
		if _, err := AddSBOM(ctx, sc, tn.ID, strong.ID, "tools-java.spdx.json", spdx); err != nil {
			t.Fatal(err)
		}
		q := questionnaire(t, cat, map[string]Answer{"dev.support-period": {Value: "2037-12-31"}, "dev.patch-timeline": {Value: "30"}, "dev.pentest": {Value: "see summary"}})
		res, err := AddQuestionnaire(ctx, sc, tn.ID, strong.ID, "q.xlsx", q)
		if err != nil || len(res.Answers) != 3 || len(res.Errors) != 0 {
			t.Fatalf("questionnaire: %v %+v", err, res)
		}
		if !strings.Contains(strings.Join(res.Warnings, " "), `issued for tender "T-2026-014", not "T-1"`) {
			t.Errorf("questionnaire of another tender not flagged: %v", res.Warnings)
		}
		if _, err := Score(ctx, sc, tn.ID, strong.ID, ScoreInput{Criterion: "dev.pentest", Score: 4, Comment: "x"}); domain.ErrorField(err) != "score" {
			t.Errorf("score above the scale: %v", err)
		}
		if _, err := Score(ctx, sc, tn.ID, strong.ID, ScoreInput{Criterion: "dev.pentest", Score: 2, Comment: "summary of 2025 test reviewed"}); err != nil {
			t.Fatal(err)
		}
		te, err := EvaluateTender(ctx, sc, tn.ID, opt)
		if err != nil {
			t.Fatal(err)
		}
		summary := func(v VendorResult) string {
			return v.Vendor + " " + strings.Join(sortedCompact(v), ",")
		}
		if diff := cmp.Diff([]string{
			"MediCapture dev.auth=automatic 3,dev.credentials=automatic 3,dev.cvd=automatic 3,dev.patch-timeline=automatic 3,dev.pentest=evaluated 2,dev.sbom=automatic 3,dev.support-period=automatic 3",
			"Example dev.auth=automatic 0 KO,dev.credentials=automatic 0 KO,dev.cvd=automatic 0,dev.patch-timeline=needs-evaluation -,dev.pentest=needs-evaluation -,dev.sbom=automatic 0 KO,dev.support-period=needs-evaluation -",
		}, []string{summary(te.Evaluation.Vendors[0]), summary(te.Evaluation.Vendors[1])}); diff != "" {
			t.Errorf("evaluation (-want +got):\n%s", diff)
		}
		if te.Evaluation.Vendors[0].Source != "medicapture.md, tools-java.spdx.json, q.xlsx" {
			t.Errorf("source: %q", te.Evaluation.Vendors[0].Source)
		}
		docs, _ := sc.TenderDocuments(ctx, tn.ID)
		if len(docs) != 4 || docs[0].SHA256 == "" {
			t.Errorf("documents: %+v", docs)
		}

		// Award: the knocked-out bid only with force; the winner's commitments are tracked.
		if _, err := Award(ctx, sc, tn.ID, weak.ID, "", false, asOf, opt); domain.ErrorCode(err) != domain.EInvalid {
			t.Errorf("award to a knocked-out bid: %v", err)
		}
		ar, err := Award(ctx, sc, tn.ID, strong.ID, "best", false, asOf, opt)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, c := range ar.Commitments {
			kinds = append(kinds, c.Kind+"/"+c.Status)
		}
		if diff := cmp.Diff([]string{"cvd/open", "patch-days/active", "sbom-delivery/open", "support-end/open"}, kinds); diff != "" {
			t.Errorf("commitments (-want +got):\n%s", diff)
		}
		if _, err := Award(ctx, sc, tn.ID, strong.ID, "again", false, asOf, opt); domain.ErrorCode(err) != domain.EConflict {
			t.Errorf("second award: %v", err)
		}
		if _, err := Score(ctx, sc, tn.ID, strong.ID, ScoreInput{Criterion: "dev.pentest", Score: 3, Comment: "later"}); domain.ErrorCode(err) != domain.EConflict {
			t.Errorf("scoring after award: %v", err)
		}
		snap, _ := sc.TenderAwardSnapshot(ctx, tn.ID)
		if !bytes.Contains(snap, []byte(`"vendor":"MediCapture"`)) {
			t.Errorf("award snapshot: %.200s", snap)
		}

		// Due dates: delivery commitments 30 days after award; a patch clock from the patch-day commitment.
		now := asOf.AddDate(0, 0, 31)
		missed, _ := sc.Commitments(ctx, domain.CommitmentFilter{Missed: true, Now: now})
		if len(missed) != 2 {
			t.Errorf("missed after 31 days: %d, want CVD and SBOM", len(missed))
		}
		var patch domain.Commitment
		for _, c := range ar.Commitments {
			if c.Kind == CommitPatchDays {
				patch = c
			}
		}
		clock, err := StartClock(ctx, sc, patch.ID, "CVE-2024-3400 (CISA KEV)", asOf)
		if err != nil {
			t.Fatal(err)
		}
		if clock.Due.Format("2006-01-02") != asOf.AddDate(0, 0, 30).Format("2006-01-02") || clock.ParentID == nil || *clock.ParentID != patch.ID {
			t.Errorf("clock: %+v", clock)
		}
		if _, err := StartClock(ctx, sc, clock.ID, "x", asOf); domain.ErrorCode(err) != domain.EInvalid {
			t.Errorf("a clock from a clock: %v", err)
		}
		if n, _ := sc.MissedCommitments(ctx, now); n != 3 {
			t.Errorf("missed with the clock: %d", n)
		}
		if err := sc.Write(ctx, func(tx *store.Tx) error {
			return tx.SetCommitmentStatus(ctx, clock.ID, domain.CommitmentConfirmed, "update 4.2.1 installed")
		}); err != nil {
			t.Fatal(err)
		}
		if n, _ := sc.MissedCommitments(ctx, now); n != 2 {
			t.Errorf("missed after confirmation: %d", n)
		}
		stats, err := sc.ProcurementStats(ctx, now)
		if err != nil || stats.Awarded != 1 || stats.AwardedWithMDS2 != 1 || stats.AwardedWithSBOM != 1 || stats.AwardedWithSupportEnd != 1 || stats.Bids != 2 {
			t.Errorf("stats: %+v %v", stats, err)
		}

		// Another organisation sees nothing and changes nothing.
		osc := st.Scope(other.ID)
		octx := testutil.Ctx(other.ID)
		if _, err := osc.Tender(octx, tn.ID); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("other org tender: %v", err)
		}
		if _, err := osc.Bid(octx, tn.ID, strong.ID); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("other org bid: %v", err)
		}
		if _, err := AddMDS2(octx, osc, tn.ID, strong.ID, "m.md", medi); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("other org upload: %v", err)
		}
		if _, err := StartClock(octx, osc, patch.ID, "x", asOf); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("other org clock: %v", err)
		}
		if _, _, err := osc.TenderDocument(octx, tn.ID, docs[0].ID); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("other org document: %v", err)
		}
		if cs, _ := osc.Commitments(octx, domain.CommitmentFilter{}); len(cs) != 0 {
			t.Errorf("other org commitments: %d", len(cs))
		}
	})
}

func sortedCompact(v VendorResult) []string {
	var out []string
	for id, s := range compact(v) {
		out = append(out, id+"="+s)
	}
	slices.Sort(out)
	return out
}

func TestCloudRegister(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		org := testutil.Org(t, st, "hospital-a")
		ctx := testutil.Ctx(org.ID)
		sc := st.Scope(org.ID)
		yes := true
		s := domain.CloudService{Name: "PACS", Criticality: "high", Profile: &CloudProfile{Certifications: []Certification{{Scheme: CertISO27001, ValidUntil: "2027-12-31"}},
			DataLocation: LocationEUEEA, EncryptionAtRest: &yes, EncryptionInTransit: &yes, DPA: &yes}}
		if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.CreateCloudService(ctx, &s) }); err != nil {
			t.Fatal(err)
		}
		if !s.Overdue(asOf) {
			t.Errorf("a service never reviewed is due")
		}
		r, err := ReviewCloudService(ctx, sc, s.ID, "first review", Options{AsOf: asOf})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := sc.CloudService(ctx, s.ID)
		if got.Overdue(asOf) || got.NextReview.Format("2006-01-02") != "2027-11-01" || *got.LastTotal != r.Total || r.KnockedOut {
			t.Errorf("after review: %+v, review %+v", got, r)
		}
		if !got.Overdue(asOf.AddDate(1, 0, 1)) {
			t.Errorf("due a year later")
		}
		total, current, overdue, _ := sc.CloudStats(ctx, asOf)
		if total != 1 || current != 1 || overdue != 0 {
			t.Errorf("stats %d %d %d", total, current, overdue)
		}
		bad := domain.CloudService{Name: "x", Profile: &CloudProfile{KeyControl: "mine"}}
		if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.CreateCloudService(ctx, &bad) }); domain.ErrorCode(err) != domain.EInvalid {
			t.Errorf("bad profile: %v", err)
		}
		sup, ok, err := SupplyChainFigures(ctx, sc, asOf)
		if err != nil || !ok || sup.CloudCurrent != 1 {
			t.Errorf("supply chain: %+v %v %v", sup, ok, err)
		}
		ev := sup.Evidence()
		if err := ev.Validate(); err != nil {
			t.Error(err)
		}
		cloud := map[string]float64{}
		for _, f := range ev.Figures {
			if strings.HasPrefix(f.Name, "cloud_") {
				cloud[f.Name] = f.Value
			}
		}
		if diff := cmp.Diff(map[string]float64{"cloud_services_total": 1, "cloud_services_current": 1}, cloud); diff != "" {
			t.Errorf("cloud figures of the supplier evidence (-want +got):\n%s", diff)
		}
	})
}

func TestNotifyMissed(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		org := testutil.Org(t, st, "hospital-a")
		ctx := testutil.Ctx(org.ID)
		sc := st.Scope(org.ID)
		n := &notify.Notifier{Store: st, Events: &notify.Events{}, Log: slog.New(slog.DiscardHandler)}
		r := jobs.New(st, slog.New(slog.DiscardHandler))
		RegisterJobs(r, st, n, func() time.Time { return asOf }, n.Log)
		due := asOf.AddDate(0, 0, -3)
		if err := sc.Write(ctx, func(tx *store.Tx) error {
			w := store.Webhook{Name: "SIEM", URL: "https://siem.example/hook", Secret: "s", Enabled: true}
			if err := tx.CreateWebhook(ctx, &w); err != nil {
				return err
			}
			return tx.AddCommitment(ctx, &domain.Commitment{Manufacturer: "Meridian", Product: "FlowSafe 3", Kind: CommitCSAFAdvisories,
				Title: "CSAF provider confirmed", Due: &due, Status: domain.CommitmentOpen})
		}); err != nil {
			t.Fatal(err)
		}
		for i, want := range []int{1, 0} {
			got, err := NotifyMissed(context.Background(), st, n, asOf)
			if err != nil || got != want {
				t.Errorf("run %d: %d notified, %v; want %d", i+1, got, err, want)
			}
		}
		ds, err := sc.Deliveries(ctx, 10)
		if err != nil || len(ds) != 1 || ds[0].Event != EventCommitmentMissed || !strings.Contains(ds[0].Subject, "CSAF provider confirmed") {
			t.Errorf("deliveries: %+v %v", ds, err)
		}
	})
}
