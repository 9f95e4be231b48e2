// Package proctest has test helpers for the procurement module: Seed creates one object of every kind the
// module's API addresses by id, for suites such as the tenant-isolation test.
package proctest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/mds2"
	"github.com/vigil-med/vigil/internal/procurement"
	"github.com/vigil-med/vigil/internal/store"
)

// PathValues are the name-valued path parameters of the module's API (catalogue names, criterion ids):
// the same value exists in every organisation.
var PathValues = map[string]string{"name": procurement.CatalogueDevice, "criterion": "dev.auth"}

// Seed fills the organisation's procurement: a stored catalogue version, an awarded tender (reference
// and vendor containing marker) with a bid carrying an MDS2 form, a document and an evaluator score, the
// winner's commitments with a patch clock, and a reviewed cloud service.
func Seed(t testing.TB, st *store.Store, org int64, marker string) {
	t.Helper()
	ctx := domain.WithActor(context.Background(), domain.Actor{Kind: domain.ActorCLI, Name: "test", OrgID: org, Role: domain.RoleAdmin})
	sc := st.Scope(org)
	fail := func(what string, err error) {
		if err != nil {
			t.Fatalf("proctest seed %s: %v", what, err)
		}
	}
	w := 2.0
	_, _, err := procurement.EditCatalogue(ctx, sc, procurement.CatalogueDevice, procurement.CatalogueEdit{Criteria: []procurement.CriterionEdit{{ID: "dev.pentest", Weight: &w}}, Note: marker})
	fail("catalogue", err)
	tn, err := procurement.CreateTender(ctx, sc, procurement.TenderInput{Reference: marker + "-T1", Title: marker + " infusion pumps", Subject: "pumps"})
	fail("tender", err)
	b := domain.Bid{TenderID: tn.ID, Vendor: marker + " Medical", Product: "Pump 3000"}
	fail("bid", sc.Write(ctx, func(tx *store.Tx) error { return tx.CreateBid(ctx, &b) }))
	f := mds2.NewForm()
	for id, v := range map[string]string{"DOC-1": marker + " Medical", "DOC-8": "Yes", "AUTH-1": "Yes", "PAUT-1": "Yes", "PAUT-5": "Yes", "SBOM-1": "Yes"} {
		fail("form", f.Set(id, v))
	}
	var js bytes.Buffer
	fail("form json", mds2.WriteJSON(&js, f))
	_, err = procurement.AddMDS2(ctx, sc, tn.ID, b.ID, marker+"-mds2.json", js.Bytes())
	fail("mds2", err)
	_, err = procurement.AddDocument(ctx, sc, tn.ID, b.ID, marker+"-certificate.pdf", []byte("%PDF-1.4 "+marker))
	fail("document", err)
	_, err = procurement.SetAnswers(ctx, sc, tn.ID, b.ID, []procurement.Answer{{Criterion: "dev.patch-timeline", Value: "30 days"}, {Criterion: "dev.conformity", Value: "Yes"}})
	fail("answers", err)
	_, err = procurement.Score(ctx, sc, tn.ID, b.ID, procurement.ScoreInput{Criterion: "dev.pentest", Score: 2, Comment: marker + " summary reviewed"})
	fail("score", err)
	now := time.Now()
	res, err := procurement.Award(ctx, sc, tn.ID, b.ID, marker+" award", true, now, procurement.Options{AsOf: now})
	fail("award", err)
	for _, c := range res.Commitments {
		if c.Kind == procurement.CommitPatchDays {
			_, err := procurement.StartClock(ctx, sc, c.ID, marker+" CVE-2024-3400", now)
			fail("clock", err)
		}
	}
	yes := true
	s := domain.CloudService{Name: marker + " PACS cloud", Provider: marker + " Cloud", Profile: &procurement.CloudProfile{DataLocation: procurement.LocationEUEEA, DPA: &yes}}
	fail("cloud service", sc.Write(ctx, func(tx *store.Tx) error { return tx.CreateCloudService(ctx, &s) }))
	_, err = procurement.ReviewCloudService(ctx, sc, s.ID, marker+" review", procurement.Options{AsOf: now})
	fail("cloud review", err)
}
