package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/demo"
	"github.com/vigil-med/vigil/internal/domain"
)

// TestProductPageCommitments: the demo's awarded monitoring tender linked its commitments to the
// inventory product; the product page lists them with their state (met, missed, standing).
func TestProductPageCommitments(t *testing.T) {
	srv, cl, a := demoServer(t, "biomed@nordstadt-hospital.example")
	ctx := context.Background()
	org, _ := a.Store.OrgByRef(ctx, demo.HospitalSlug)
	sc := a.Store.Scope(org.ID)
	all, err := sc.Commitments(ctx, domain.CommitmentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var pid int64
	for _, c := range all {
		if c.Product == "VitaView Central 7" && c.ProductID != nil {
			pid = *c.ProductID
		}
	}
	if pid == 0 {
		t.Fatalf("the awarded tender's commitments are not linked to an inventory product")
	}
	p, err := sc.Product(ctx, pid)
	if err != nil || p.Manufacturer != "Meridian Medical Systems" || p.EndOfSupport.IsZero() {
		t.Fatalf("product %+v %v", p, err)
	}
	_, body := get(t, cl, fmt.Sprintf("%s/inventory/products/%d", srv.URL, pid))
	for _, w := range []string{"Vendor commitments from procurement", `<span class="badge bad">missed</span>`, `<span class="badge ok">met</span>`,
		`<span class="badge info">standing</span>`, `href="/procurement/tenders/`} {
		if !strings.Contains(body, w) {
			t.Errorf("product page lacks %s", w)
		}
	}
}
