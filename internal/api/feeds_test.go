package api_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/api"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/vulndb"
)

func TestFeedsAPI(t *testing.T) {
	e := newAPIEnv(t, time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC))
	ctx := context.Background()
	for _, p := range []string{"../feeds/osv/testdata/ghsa", "../feeds/nvd/testdata/CVE-2021-44228.json", "../feeds/kev/testdata/known_exploited_vulnerabilities.json"} {
		if _, err := e.a.Feeds.Import(ctx, p, vulndb.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	reader, officer := e.token("hospital-a", domain.RoleAuditor), e.token("hospital-a", domain.RoleSecurityOfficer)
	other := e.token("hospital-b", domain.RoleAuditor)

	w := e.do(reader, "GET", "/feeds", nil)
	st := decode[api.FeedsStatus](t, w)
	if w.Code != 200 || st.Vulnerabilities == 0 || st.Generation != 3 || !st.SnapshotFresh || st.NextSync == nil || len(st.Sources) != 7 {
		t.Errorf("GET /feeds: %d %+v", w.Code, st)
	}
	// Reference data: every organisation sees the same.
	if w := e.do(other, "GET", "/vulndb/GHSA-jfh8-c2jp-5v3q", nil); w.Code != 200 {
		t.Errorf("other organisation: %d", w.Code)
	}
	w = e.do(reader, "GET", "/vulndb/ghsa-jfh8-c2jp-5v3q", nil)
	d := decode[api.VulnDetail](t, w)
	if w.Code != 200 || d.Vulnerability.ID != "CVE-2021-44228" || d.Data.CISAKEV == nil || len(d.Data.Affected) == 0 || len(d.Data.Configurations) == 0 {
		t.Errorf("GET /vulndb/{id}: %d %+v", w.Code, d.Vulnerability)
	}
	if w := e.do(reader, "GET", "/vulndb/CVE-1999-0001", nil); w.Code != 404 {
		t.Errorf("unknown: %d", w.Code)
	}
	w = e.do(reader, "GET", "/vulndb?q=lodash&kev=false", nil)
	page := decode[domain.Page[domain.Vulnerability]](t, w)
	if w.Code != 200 || page.Total != 1 || page.Items[0].ID != "CVE-2021-23337" {
		t.Errorf("search lodash: %d %+v", w.Code, page)
	}
	w = e.do(reader, "GET", "/vulndb?kev=true&severity=critical&limit=5&sort=-severity", nil)
	page = decode[domain.Page[domain.Vulnerability]](t, w)
	if w.Code != 200 || page.Total != 1 || page.Items[0].ID != "CVE-2021-44228" {
		t.Errorf("kev critical: %d %+v", w.Code, page.Total)
	}
	if w := e.do(reader, "GET", "/vulndb?severity=terrible", nil); w.Code != 400 {
		t.Errorf("bad severity: %d", w.Code)
	}
	w = e.do(reader, "GET", "/feeds/changes?after=1", nil)
	changes := decode[[]domain.FeedChange](t, w)
	if w.Code != 200 || len(changes) != 2 || changes[0].ID != 2 || changes[1].Source != "kev" || len(changes[0].MatchKeys) == 0 {
		t.Errorf("changes: %d %+v", w.Code, changes)
	}
	// Sync and upload need feeds:manage.
	if w := e.do(reader, "POST", "/feeds/sync", api.FeedsSyncInput{}); w.Code != 403 {
		t.Errorf("auditor sync: %d", w.Code)
	}
	if w := e.do(officer, "POST", "/feeds/sync", api.FeedsSyncInput{Sources: []string{"cve5"}}); w.Code != 400 {
		t.Errorf("bad source: %d", w.Code)
	}
	w = e.do(officer, "POST", "/feeds/sync", api.FeedsSyncInput{Sources: []string{"kev"}})
	if q := decode[api.JobQueued](t, w); w.Code != 202 || q.JobID == 0 {
		t.Errorf("sync: %d %+v", w.Code, q)
	}
	data, _ := os.ReadFile("../feeds/eukev/testdata/eukev.json")
	w = e.doRaw(officer, "POST", "/feeds/import?filename=eukev.json", "application/json", bytes.NewReader(data))
	if q := decode[api.JobQueued](t, w); w.Code != 202 || q.JobID == 0 {
		t.Errorf("upload: %d %s", w.Code, w.Body)
	}
	if w := e.doRaw(reader, "POST", "/feeds/import", "application/json", strings.NewReader("{}")); w.Code != 403 {
		t.Errorf("auditor upload: %d", w.Code)
	}
}
