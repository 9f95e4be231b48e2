package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/app/apptest"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// The exchange's objects for the tenant-isolation suite: an advisory of its own, a subscriber token, a
// subscription, a question and a share (with a group made for it).
func init() {
	seeders = append(seeders, seedExchange)
	parentLists["/subscriptions/advisories/{id}/devices"] = "/disclosures/advisories"
	sampleBodies["updateExchangeAdvisory"] = domain.ExchangeAdvisory{TrackingID: "X-1", Title: "x", Summary: "x", Remediation: "x", Affected: []int64{1}}
	sampleBodies["answerQuestion"] = map[string]string{"answer": "not affected"}
}

func seedExchange(t *testing.T, h *apptest.Harness, tn *tenant) {
	t.Helper()
	ctx := testutil.Ctx(tn.org.ID)
	sc := h.Store.Scope(tn.org.ID)
	group := domain.Organisation{Slug: tn.org.Slug + "-group", Name: tn.marker + " group", Type: domain.OrgGroup}
	if err := h.Store.CreateOrg(context.Background(), &group); err != nil {
		t.Fatal(err)
	}
	err := sc.Write(ctx, func(tx *store.Tx) error {
		pv, _, err := tx.EnsureProductVersion(ctx, tn.marker+" Medical", tn.marker+" Pump", "1.0")
		if err != nil {
			return err
		}
		a := domain.ExchangeAdvisory{TrackingID: tn.marker + "-SA-1", Title: tn.marker + " advisory", TLP: "WHITE", Summary: "s", Remediation: "r",
			RemediationCategory: "vendor_fix", Affected: []int64{pv.ID}}
		if err := tx.SaveExchangeAdvisory(ctx, &a); err != nil {
			return err
		}
		tok := domain.SubscriberToken{Name: tn.marker + " hospital", TLPMax: "GREEN", Prefix: "vgs_" + tn.marker, Hash: "hash-" + tn.marker}
		if err := tx.CreateSubscriberToken(ctx, &tok); err != nil {
			return err
		}
		sub := domain.Subscription{URL: "https://" + tn.marker + ".example/", Name: tn.marker + " PSIRT", Kind: "csaf", TLP: []string{"WHITE"}}
		if err := tx.CreateSubscription(ctx, &sub); err != nil {
			return err
		}
		q := domain.Question{Manufacturer: tn.marker + " Medical", ProductVersionID: pv.ID, Vulnerability: "CVE-2024-3400", Question: tn.marker + " affected?"}
		if err := tx.CreateQuestion(ctx, &q); err != nil {
			return err
		}
		_, err = tx.CreateShare(ctx, group)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestExchangeIsolationWeb: alpha's users can neither see nor change beta's exchange objects through the
// web pages (404), and alpha's exchange lists show nothing of beta.
func TestExchangeIsolationWeb(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	a := newTenant(t, h, "alpha", "alphamark")
	b := newTenant(t, h, "beta", "betamark")
	ctx := context.Background()
	bsc := h.Store.Scope(b.org.ID)
	advs, _ := bsc.ExchangeAdvisories(ctx, domain.ListParams{})
	subs, _ := bsc.Subscriptions(ctx)
	qs, _ := bsc.Questions(ctx, "")
	toks, _ := bsc.SubscriberTokens(ctx)
	shares, _ := bsc.Shares(ctx)
	if len(advs.Items) == 0 || len(subs) == 0 || len(qs) == 0 || len(toks) == 0 || len(shares) == 0 {
		t.Fatal("beta has no exchange objects")
	}
	before := snapshot(t, h.Store, b.org.ID)
	c := h.SignIn(a.admin)
	c.Get("/subscriptions").Must(t, 200)
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	for _, tt := range []struct{ method, path string }{
		{"GET", "/publish/advisories/" + id(advs.Items[0].ID)},
		{"GET", "/publish/advisories/" + id(advs.Items[0].ID) + "/edit"},
		{"POST", "/publish/advisories/" + id(advs.Items[0].ID)},
		{"POST", "/publish/advisories/" + id(advs.Items[0].ID) + "/publish"},
		{"POST", "/publish/tokens/" + id(toks[0].ID) + "/revoke"},
		{"POST", "/subscriptions/" + id(subs[0].ID) + "/sync"},
		{"POST", "/subscriptions/" + id(subs[0].ID) + "/delete"},
		{"POST", "/questions/" + id(qs[0].ID) + "/answer"},
		{"POST", "/sharing/" + id(shares[0].ID) + "/delete"},
	} {
		var r *apptest.Response
		if tt.method == "GET" {
			r = c.Get(tt.path)
		} else {
			r = c.Post(tt.path, url.Values{"answer": {"x"}, "tracking_id": {"X-1"}, "title": {"x"}, "summary": {"x"}, "remediation": {"x"}})
		}
		if r.Status != http.StatusNotFound && r.Status != http.StatusForbidden {
			t.Errorf("alpha: %s %s = %d, want 404", tt.method, tt.path, r.Status)
		}
		if strings.Contains(r.Body, b.marker) {
			t.Errorf("%s %s shows beta's data", tt.method, tt.path)
		}
	}
	for _, path := range []string{"/publish/advisories", "/publish/provider", "/publish/products", "/subscriptions", "/questions", "/sharing"} {
		r := c.Get(path).Must(t, 200)
		if strings.Contains(r.Body, b.marker) {
			t.Errorf("%s as alpha shows beta's data", path)
		}
	}
	if r := c.Get("/questions"); !strings.Contains(r.Body, a.marker) {
		t.Error("/questions does not show alpha's own question")
	}
	if diff := cmp.Diff(before, snapshot(t, h.Store, b.org.ID)); diff != "" {
		t.Errorf("alpha changed beta's data through the exchange pages (-before +after):\n%s", diff)
	}
}
