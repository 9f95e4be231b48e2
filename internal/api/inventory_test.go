package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/config"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// server is a running Vigil with two organisations and a token per organisation and role.
type server struct {
	t      *testing.T
	url    string
	st     *store.Store
	orgs   map[string]domain.Organisation
	tokens map[string]string // "alpha/admin" → secret
}

func newServer(t *testing.T, engine string) *server {
	t.Helper()
	opts := testutil.StoreOptions(t, engine)
	cfg := config.Default()
	cfg.DataDir, cfg.Database = opts.DataDir, opts.DSN
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	a, err := app.Open(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	h, _, err := a.Handler(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	s := &server{t: t, url: ts.URL, st: a.Store, orgs: map[string]domain.Organisation{}, tokens: map[string]string{}}
	for _, slug := range []string{"alpha", "beta"} {
		o := testutil.Org(t, a.Store, slug)
		s.orgs[slug] = o
		for _, role := range []domain.Role{domain.RoleAdmin, domain.RoleAuditor} {
			secret, display, hash := auth.NewAPIToken()
			tok := store.APIToken{Name: "test-" + string(role), Role: role, Prefix: display, Hash: hash}
			ctx := testutil.Ctx(o.ID)
			if err := a.Store.Scope(o.ID).Write(ctx, func(tx *store.Tx) error { return tx.CreateToken(ctx, &tok) }); err != nil {
				t.Fatal(err)
			}
			s.tokens[slug+"/"+string(role)] = secret
		}
	}
	return s
}

// do sends a request as who ("alpha/admin") and decodes a JSON answer into out (when not nil).
func (s *server) do(who, method, path string, body any, out any) int {
	s.t.Helper()
	var r io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case []byte:
		r, ct = bytes.NewReader(b), "application/octet-stream"
	case *multipartBody:
		r, ct = bytes.NewReader(b.data), b.contentType
	default:
		js, _ := json.Marshal(b)
		r, ct = bytes.NewReader(js), "application/json"
	}
	req, _ := http.NewRequest(method, s.url+"/api/v1"+path, r)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	req.Header.Set("Authorization", "Bearer "+s.tokens[who])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			s.t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, data, err)
		}
	}
	return resp.StatusCode
}

type multipartBody struct {
	data        []byte
	contentType string
}

func fileUpload(t *testing.T, name string, content []byte) *multipartBody {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.WriteField("note", "ignored")
	f, _ := w.CreateFormFile("file", name)
	f.Write(content)
	w.Close()
	return &multipartBody{b.Bytes(), w.FormDataContentType()}
}

type errBody struct {
	Error struct{ Code, Message, Field string } `json:"error"`
}

func TestInventoryAPI(t *testing.T) {
	for _, engine := range testutil.Engines() {
		t.Run(engine, func(t *testing.T) {
			s := newServer(t, engine)
			const admin = "alpha/admin"
			var site domain.Site
			if c := s.do(admin, "POST", "/inventory/sites", map[string]any{"name": "Main Campus", "code": "MC"}, &site); c != 201 || site.ID == 0 {
				t.Fatalf("create site: %d %+v", c, site)
			}
			var zone domain.NetworkZone
			if c := s.do(admin, "POST", "/inventory/zones", map[string]any{"name": "Infusion pumps", "vlan": 110, "cidr": "10.11.0.0/16", "exposure": "isolated-vlan"}, &zone); c != 201 {
				t.Fatalf("create zone: %d", c)
			}
			var dept domain.Department
			s.do(admin, "POST", "/inventory/departments", map[string]any{"name": "ICU", "code": "4110", "site_id": site.ID}, &dept)
			var loc domain.Location
			if c := s.do(admin, "POST", "/inventory/locations", map[string]any{"site_id": site.ID, "building": "C", "floor": "2", "room": "C2.114"}, &loc); c != 201 || loc.Name != "C · 2 · C2.114" {
				t.Fatalf("create location: %d %+v", c, loc)
			}
			var mfr domain.Manufacturer
			s.do(admin, "POST", "/inventory/manufacturers", map[string]any{"name": "B. Braun", "aliases": []string{"B. Braun Medical"}}, &mfr)
			var prod domain.Product
			eos := domain.DateOf(time.Now()).AddDays(200) // within 12 months: "soon"
			if c := s.do(admin, "POST", "/inventory/products", map[string]any{"manufacturer_id": mfr.ID, "name": "Infusomat Space", "medical_device": true,
				"device_class": "IIb", "category": "infusion-pump", "end_of_support": eos.String(), "replacement_cost": 2900}, &prod); c != 201 ||
				prod.DeviceClass != domain.ClassIIb || prod.EndOfSupport != eos || prod.ReplacementCost != domain.Euros(2900) {
				t.Fatalf("create product: %d %+v", c, prod)
			}
			var ver domain.ProductVersion
			if c := s.do(admin, "POST", fmt.Sprintf("/inventory/products/%d/versions", prod.ID), map[string]any{"version": "U61"}, &ver); c != 201 || ver.ProductID != prod.ID {
				t.Fatalf("create version: %d %+v", c, ver)
			}
			var e errBody
			if c := s.do(admin, "POST", "/inventory/assets", map[string]any{"product_version_id": ver.ID, "asset_tag": "MT-1", "ip": "10.0.300.1",
				"criticality": "life-sustaining"}, &e); c != 400 || e.Error.Field != "ip" || e.Error.Message != "ip: 10.0.300.1 is not an IP address" {
				t.Errorf("bad IP: %d %+v", c, e)
			}
			if c := s.do(admin, "POST", "/inventory/assets", map[string]any{"product_version_id": ver.ID, "asset_tag": "MT-1", "colour": "red"}, &e); c != 400 || e.Error.Field != "$.colour" {
				t.Errorf("unknown field: %d %+v", c, e)
			}
			var asset domain.Asset
			if c := s.do(admin, "POST", "/inventory/assets", map[string]any{"product_version_id": ver.ID, "asset_tag": "MT-1", "ip": "10.11.0.5",
				"location_id": loc.ID, "department_id": dept.ID, "zone_id": zone.ID, "criticality": "life-sustaining", "purchase_date": "2021-05-03"}, &asset); c != 201 {
				t.Fatalf("create asset: %d", c)
			}
			if asset.Ref == nil || asset.Ref.Product != "Infusomat Space" || asset.SiteID != site.ID || asset.Ref.Exposure != domain.ExposureIsolated || asset.Cost() != domain.Euros(2900) {
				t.Errorf("created asset: %+v %+v", asset, asset.Ref)
			}
			asset.Owner, asset.Status = "Clinical Engineering", domain.StatusSpare
			var upd domain.Asset
			if c := s.do(admin, "PUT", fmt.Sprintf("/inventory/assets/%d", asset.ID), asset, &upd); c != 200 || upd.Owner != "Clinical Engineering" || upd.Status != domain.StatusSpare {
				t.Errorf("update: %d %+v", c, upd)
			}
			for q, want := range map[string]int{"": 1, "?criticality=life-sustaining": 1, "?criticality=critical": 0, "?support=soon": 1,
				"?support=past": 0, "?q=braun+C2.114": 1, "?q=philips": 0, fmt.Sprintf("?manufacturer_id=%d&status=spare", mfr.ID): 1, "?exposure=dmz": 0} {
				var page domain.Page[domain.Asset]
				if c := s.do(admin, "GET", "/inventory/assets"+q, nil, &page); c != 200 || page.Total != want {
					t.Errorf("list %s: %d, total %d, want %d", q, c, page.Total, want)
				}
			}
			if c := s.do(admin, "GET", "/inventory/assets?support=ancient", nil, &e); c != 400 || e.Error.Field != "support" {
				t.Errorf("bad filter: %d %+v", c, e)
			}
			var stats domain.InventoryStats
			if c := s.do(admin, "GET", "/inventory/stats", nil, &stats); c != 200 || stats.Devices != 1 || stats.SoonSupport != 1 {
				t.Errorf("stats: %d %+v", c, stats)
			}
			if c := s.do(admin, "DELETE", fmt.Sprintf("/inventory/zones/%d", zone.ID), nil, &e); c != 409 || !strings.Contains(e.Error.Message, "still used by 1 devices") {
				t.Errorf("delete zone in use: %d %+v", c, e)
			}
			if c := s.do("alpha/auditor", "POST", "/inventory/sites", map[string]any{"name": "X"}, &e); c != 403 {
				t.Errorf("auditor creates a site: %d", c)
			}
			if c := s.do("alpha/auditor", "GET", fmt.Sprintf("/inventory/assets/%d", asset.ID), nil, nil); c != 200 {
				t.Errorf("auditor reads a device: %d", c)
			}

			// Another organisation sees none of it: every path id is 404.
			paths := map[string]int64{"/inventory/assets/%d": asset.ID, "/inventory/sites/%d": site.ID, "/inventory/locations/%d": loc.ID,
				"/inventory/departments/%d": dept.ID, "/inventory/zones/%d": zone.ID, "/inventory/manufacturers/%d": mfr.ID,
				"/inventory/products/%d": prod.ID, "/inventory/versions/%d": ver.ID, "/inventory/products/%d/versions": prod.ID}
			for p, id := range paths {
				path := fmt.Sprintf(p, id)
				if c := s.do("beta/admin", "GET", path, nil, nil); c != 404 {
					t.Errorf("beta GET %s: %d", path, c)
				}
				if strings.HasSuffix(p, "/versions") {
					if c := s.do("beta/admin", "POST", path, map[string]any{"version": "X"}, nil); c != 404 {
						t.Errorf("beta POST %s: %d", path, c)
					}
					continue
				}
				if c := s.do("beta/admin", "DELETE", path, nil, nil); c != 404 {
					t.Errorf("beta DELETE %s: %d", path, c)
				}
				if c := s.do("beta/admin", "PUT", path, map[string]any{}, nil); c != 404 {
					t.Errorf("beta PUT %s: %d", path, c)
				}
			}
			var page domain.Page[domain.Asset]
			s.do("beta/admin", "GET", "/inventory/assets", nil, &page)
			if page.Total != 0 {
				t.Errorf("beta lists %d devices", page.Total)
			}
			// Referring to another organisation's records is refused, naming the field.
			if c := s.do("beta/admin", "POST", "/inventory/assets", map[string]any{"product_version_id": ver.ID, "asset_tag": "B-1", "criticality": "critical"}, &e); c != 400 || e.Error.Field != "product_version_id" {
				t.Errorf("beta uses alpha's version: %d %+v", c, e)
			}
			if c := s.do(admin, "DELETE", fmt.Sprintf("/inventory/assets/%d", asset.ID), nil, nil); c != 204 {
				t.Errorf("delete: %d", c)
			}
		})
	}
}

func TestInventoryImportAPI(t *testing.T) {
	s := newServer(t, "sqlite")
	data, err := os.ReadFile("../inventory/testdata/cmms-export-de.csv")
	if err != nil {
		t.Fatal(err)
	}
	type report struct {
		File       string `json:"file"`
		Rows       int    `json:"rows"`
		Created    int    `json:"created"`
		Rejected   int    `json:"rejected"`
		Applied    bool   `json:"applied"`
		DryRun     bool   `json:"dry_run"`
		Rejections []struct {
			Row     int    `json:"row"`
			Column  string `json:"column"`
			Message string `json:"message"`
		} `json:"rejections"`
	}
	var rep report
	if c := s.do("alpha/admin", "POST", "/import/inventory?dry_run=true", fileUpload(t, "cmms-export-de.csv", data), &rep); c != 200 ||
		!rep.DryRun || rep.Applied || rep.Created != 21 || rep.Rejected != 8 || rep.File != "cmms-export-de.csv" {
		t.Fatalf("dry run: %d %+v", c, rep)
	}
	if r := rep.Rejections[0]; r.Row != 18 || r.Column != "IP-Adresse (M)" || r.Message != "10.13.0.300 is not an IP address" {
		t.Errorf("first rejection %+v", r)
	}
	if c := s.do("alpha/admin", "POST", "/import/inventory", fileUpload(t, "cmms-export-de.csv", data), &rep); c != 422 || rep.Applied {
		t.Errorf("import with rejections: %d applied %v", c, rep.Applied)
	}
	var page domain.Page[domain.Asset]
	s.do("alpha/admin", "GET", "/inventory/assets", nil, &page)
	if page.Total != 0 {
		t.Fatalf("a refused import left %d devices", page.Total)
	}
	if c := s.do("alpha/admin", "POST", "/import/inventory?skip_rejected=true&filename=export.csv", data, &rep); c != 200 || !rep.Applied || rep.Created != 21 || rep.File != "export.csv" {
		t.Errorf("raw-body import: %d %+v", c, rep)
	}
	s.do("alpha/admin", "GET", "/inventory/assets?limit=5", nil, &page)
	if page.Total != 21 || len(page.Items) != 5 {
		t.Errorf("after import: %d devices, page of %d", page.Total, len(page.Items))
	}
	var e errBody
	if c := s.do("alpha/admin", "POST", "/import/inventory?mapping=Zzz%3Dip", data, &e); c != 400 || !strings.Contains(e.Error.Message, `no column "Zzz"`) {
		t.Errorf("bad mapping: %d %+v", c, e)
	}
	if c := s.do("alpha/admin", "POST", "/import/inventory", []byte("%PDF-1.4 ..."), &e); c != 400 || !strings.Contains(e.Error.Message, "PDF document") {
		t.Errorf("PDF: %d %+v", c, e)
	}
	if c := s.do("alpha/auditor", "POST", "/import/inventory", data, &e); c != 403 {
		t.Errorf("auditor imports: %d", c)
	}
	var imports []store.InventoryImport
	if c := s.do("alpha/admin", "GET", "/inventory/imports", nil, &imports); c != 200 || len(imports) != 1 || imports[0].Created != 21 {
		t.Errorf("imports: %d %+v", c, imports)
	}
	var doc map[string]any
	resp, err := http.Get(s.url + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&doc)
	resp.Body.Close()
	paths := doc["paths"].(map[string]any)
	for _, p := range []string{"/api/v1/inventory/assets", "/api/v1/inventory/assets/{id}", "/api/v1/import/inventory", "/api/v1/inventory/zones/{id}"} {
		if paths[p] == nil {
			t.Errorf("OpenAPI lacks %s", p)
		}
	}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	asset := schemas["domain_Asset"].(map[string]any)["properties"].(map[string]any)
	if fmt.Sprint(asset["purchase_date"]) != "map[format:date type:[string null]]" {
		t.Errorf("purchase_date schema: %v", asset["purchase_date"])
	}
}
