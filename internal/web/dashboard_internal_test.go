package web

import (
	"bytes"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/config"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/httpx"
)

// TestDashboardReservedCards: the vulnerability and risk modules' cards have their places in the
// dashboard's order — vulnerabilities right after the reporting deadlines, risk after the inventory —
// and render through the generic card without a template of their own.
func TestDashboardReservedCards(t *testing.T) {
	cfg := config.Default()
	s, err := New(Deps{Config: &cfg})
	if err != nil {
		t.Fatal(err)
	}
	v := dashboardView{
		Incidents: &incidentCard{},
		Vulnerabilities: &dashCard{ID: "vulnerabilities", Title: "Known exploited vulnerabilities", Attention: true, Link: "/vulnerabilities",
			Figures: []dashFigure{{Value: "14", Label: "infusion pumps affected by a new KEV entry", State: "bad", Link: "/findings?kev=1"}}},
		Procurement: &procurementCard{MissedCount: 1},
		Risk:        &dashCard{ID: "risk", Title: "Risk", Items: []dashItem{{Badge: "high", BadgeClass: "bad", Text: "CT-02 on Windows 7"}}},
		Accounts:    &dashCard{ID: "accounts", Title: "Vigil accounts"},
	}
	var b bytes.Buffer
	p := &httpx.Principal{Org: domain.Organisation{Name: "Nordstadt"}, Role: domain.RoleSecurityOfficer}
	if err := s.tmpl.pages["dashboard"].ExecuteTemplate(&b, "content", View{Principal: p, Data: v}); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	last := -1
	for _, id := range []string{`id="deadlines"`, `id="vulnerabilities"`, `id="procurement"`, `id="inventory"`, `id="risk"`, `id="accounts"`} {
		i := strings.Index(html, id)
		if i < 0 || i < last {
			t.Errorf("%s missing or out of order (at %d, after %d)", id, i, last)
		}
		last = i
	}
	for _, want := range []string{`<section class="card attention" id="vulnerabilities"`, `<a class="kpi bad" href="/findings?kev=1"><span class="kpi-value">14</span>`,
		`<span class="badge bad">high</span> CT-02 on Windows 7`} {
		if !strings.Contains(html, want) {
			t.Errorf("dashboard lacks %s", want)
		}
	}
}
