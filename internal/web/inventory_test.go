package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
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

// browser is a signed-in user of a running Vigil (net/http; no script runs).
type invBrowser struct {
	t      *testing.T
	url    string
	st     *store.Store
	org    domain.Organisation
	cookie string
	flash  *http.Cookie // the one-time message of the last redirect, as a browser keeps it
	csrf   string
	client *http.Client
}

func newApp(t *testing.T) (string, *store.Store) {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
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
	return ts.URL, a.Store
}

// signIn creates a user of the role in org and a session for it.
func signIn(t *testing.T, base string, st *store.Store, org domain.Organisation, role domain.Role) *invBrowser {
	t.Helper()
	ctx := testutil.Ctx(org.ID)
	u := domain.User{Email: string(role) + "@" + org.Slug + ".example", Name: "Test " + string(role), Role: role}
	if err := st.Scope(org.ID).Write(ctx, func(tx *store.Tx) error { return tx.CreateUser(ctx, &u) }); err != nil {
		t.Fatal(err)
	}
	id, csrf := auth.RandomToken(32), auth.RandomToken(32)
	now := time.Now()
	if err := st.CreateSession(ctx, store.Session{IDHash: auth.HashSecret(id), OrgID: org.ID, UserID: u.ID, CSRFToken: csrf, MFAPassed: true,
		Created: now, Expires: now.Add(time.Hour), LastSeen: now}); err != nil {
		t.Fatal(err)
	}
	return &invBrowser{t: t, url: base, st: st, org: org, cookie: id, csrf: csrf,
		client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	status   int
	body     string
	location string
}

func (b *invBrowser) do(req *http.Request) page {
	b.t.Helper()
	req.AddCookie(&http.Cookie{Name: "vigil_session", Value: b.cookie})
	if b.flash != nil {
		req.AddCookie(b.flash)
		b.flash = nil
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	for _, c := range resp.Cookies() {
		if c.Name == "vigil_flash" && c.MaxAge >= 0 {
			b.flash = &http.Cookie{Name: c.Name, Value: c.Value}
		}
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, body: string(data), location: resp.Header.Get("Location")}
}

func (b *invBrowser) get(path string, headers ...string) page {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.url+path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return b.do(req)
}

func (b *invBrowser) post(path string, form url.Values) page {
	b.t.Helper()
	form.Set("csrf_token", b.csrf)
	req, _ := http.NewRequest("POST", b.url+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *invBrowser) upload(path, name string, content []byte, fields url.Values) page {
	b.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("csrf_token", b.csrf)
	for k, v := range fields {
		w.WriteField(k, v[0])
	}
	f, _ := w.CreateFormFile("file", name)
	f.Write(content)
	w.Close()
	req, _ := http.NewRequest("POST", b.url+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.do(req)
}

func (p page) has(t *testing.T, what ...string) {
	t.Helper()
	for _, w := range what {
		if !strings.Contains(p.body, w) {
			t.Errorf("page (status %d) lacks %q", p.status, w)
		}
	}
}

// seed builds a small inventory through the store.
func seed(t *testing.T, st *store.Store, org domain.Organisation) (domain.ProductVersion, domain.Asset) {
	t.Helper()
	ctx := testutil.Ctx(org.ID)
	var v domain.ProductVersion
	var a domain.Asset
	err := st.Scope(org.ID).Write(ctx, func(tx *store.Tx) error {
		site := domain.Site{Name: "Main Campus"}
		zone := domain.NetworkZone{Name: "Infusion pumps", VLAN: 110, CIDR: "10.11.0.0/16", Exposure: domain.ExposureIsolated}
		dept := domain.Department{Name: "Intensive Care Unit", Code: "4110"}
		m := domain.Manufacturer{Name: "B. Braun"}
		for _, f := range []func() error{
			func() error { return tx.CreateSite(ctx, &site) }, func() error { return tx.CreateZone(ctx, &zone) },
			func() error { return tx.CreateDepartment(ctx, &dept) }, func() error { return tx.CreateManufacturer(ctx, &m) },
		} {
			if err := f(); err != nil {
				return err
			}
		}
		p := domain.Product{ManufacturerID: m.ID, Name: "Infusomat Space", MedicalDevice: true, DeviceClass: domain.ClassIIb, Category: "infusion-pump",
			EndOfSupport: domain.NewDate(2020, 12, 31)}
		if err := tx.CreateProduct(ctx, &p); err != nil {
			return err
		}
		v = domain.ProductVersion{ProductID: p.ID, Version: "U61"}
		if err := tx.CreateProductVersion(ctx, &v); err != nil {
			return err
		}
		for i, crit := range []domain.Criticality{domain.CritLifeSustaining, domain.CritCritical, domain.CritImportant} {
			x := domain.Asset{ProductVersionID: v.ID, AssetTag: fmt.Sprintf("NUH-00000%d", i+1), SiteID: site.ID, DepartmentID: dept.ID,
				ZoneID: zone.ID, IP: fmt.Sprintf("10.11.0.%d", i+1), Criticality: crit}
			if err := tx.CreateAsset(ctx, &x, domain.DateOf(time.Now())); err != nil {
				return err
			}
			a = x
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return v, a
}

func TestInventoryPages(t *testing.T) {
	base, st := newApp(t)
	org := testutil.Org(t, st, "nordstadt")
	v, a := seed(t, st, org)
	b := signIn(t, base, st, org, domain.RoleClinicalEngineer)

	list := b.get("/inventory/assets")
	if list.status != 200 {
		t.Fatalf("list: %d", list.status)
	}
	list.has(t, "NUH-000001", "NUH-000003", "B. Braun Infusomat Space", "Past end of support", "3 in the inventory", `hx-get="/inventory/assets"`,
		`<a href="/inventory/assets" aria-current="page">Devices</a>`)
	filtered := b.get("/inventory/assets?criticality=life-sustaining")
	filtered.has(t, "NUH-000001", "1 matching")
	if strings.Contains(filtered.body, "NUH-000002") {
		t.Error("the criticality filter kept a critical device")
	}
	frag := b.get("/inventory/assets?q=NUH-000002", "HX-Request", "true")
	frag.has(t, "NUH-000002")
	if strings.Contains(frag.body, "<html") || strings.Contains(frag.body, "NUH-000001") {
		t.Error("the htmx search answered with more than the results")
	}
	if p := b.get("/inventory"); p.status != 303 || p.location != "/inventory/assets" {
		t.Errorf("/inventory: %d %s", p.status, p.location)
	}

	detail := b.get(fmt.Sprintf("/inventory/assets/%d", a.ID))
	detail.has(t, "NUH-000003", "Infusomat Space", "Intensive Care Unit", "Infusion pumps", "Isolated VLAN", `id="disclosures"`, "Disclosures and findings")

	// A form with a bad IP comes back with the message next to the field and the values kept.
	bad := b.post("/inventory/assets", url.Values{"product_version_id": {fmt.Sprint(v.ID)}, "asset_tag": {"NUH-000009"}, "ip": {"10.0.300.1"},
		"criticality": {"critical"}, "status": {"in-use"}})
	if bad.status != 422 {
		t.Fatalf("bad IP: %d", bad.status)
	}
	bad.has(t, `<p class="fielderr" role="alert">10.0.300.1 is not an IP address</p>`, `value="NUH-000009"`)
	costly := b.post("/inventory/assets", url.Values{"product_version_id": {fmt.Sprint(v.ID)}, "asset_tag": {"NUH-000009"}, "replacement_cost": {"viel"},
		"criticality": {"critical"}})
	costly.has(t, "viel is not an amount of euros")
	ok := b.post("/inventory/assets", url.Values{"product_version_id": {fmt.Sprint(v.ID)}, "asset_tag": {"NUH-000009"}, "ip": {"10.11.0.9"},
		"criticality": {"critical"}, "status": {"in-use"}, "replacement_cost": {"2.900,00"}, "purchase_date": {"2024-02-01"}})
	if ok.status != 303 || !strings.HasPrefix(ok.location, "/inventory/assets/") {
		t.Fatalf("create: %d %s %s", ok.status, ok.location, ok.body)
	}
	created := b.get(ok.location)
	created.has(t, "NUH-000009", "€ 2 900", "2024-02-01")
	edit := b.post(ok.location, url.Values{"product_version_id": {fmt.Sprint(v.ID)}, "asset_tag": {"NUH-000009"}, "ip": {"10.11.0.9"},
		"criticality": {"life-sustaining"}, "status": {"spare"}, "owner": {"Clinical Engineering"}})
	if edit.status != 303 {
		t.Fatalf("edit: %d", edit.status)
	}
	b.get(ok.location).has(t, "Clinical Engineering", "Spare")

	for _, path := range []string{"/inventory/products", "/inventory/manufacturers", "/inventory/sites", "/inventory/departments", "/inventory/zones",
		"/import/inventory", "/inventory/assets/new", "/inventory/products/new", fmt.Sprintf("/inventory/versions/%d", v.ID),
		fmt.Sprintf("/inventory/assets/%d/edit", a.ID), "/dashboard"} {
		if p := b.get(path); p.status != 200 {
			t.Errorf("GET %s: %d", path, p.status)
		}
	}
	prods := b.get("/inventory/products")
	prods.has(t, "Infusomat Space", "MDR IIb")
	m := regexp.MustCompile(`/inventory/products/(\d+)"`).FindStringSubmatch(prods.body)
	if m == nil {
		t.Fatal("no product link")
	}
	b.get("/inventory/products/"+m[1]).has(t, "U61", "Add a version", "none yet")
	nv := b.post("/inventory/products/"+m[1]+"/versions", url.Values{"version": {"u61"}})
	if nv.status != 422 {
		t.Errorf("duplicate version: %d", nv.status)
	}
	nv.has(t, `the product has a version &#34;u61&#34; already`)
	zone := b.post("/inventory/zones", url.Values{"name": {"DMZ"}, "exposure": {"dmz"}, "cidr": {"10.0.0.0/33"}})
	if zone.status != 422 {
		t.Errorf("bad CIDR: %d", zone.status)
	}
	zone.has(t, "is not an address range")
	dash := b.get("/dashboard")
	dash.has(t, "Inventory", "devices", "past end of support")

	// Another organisation's device is not found; an auditor cannot change anything.
	other := testutil.Org(t, st, "other")
	ob := signIn(t, base, st, other, domain.RoleAdmin)
	if p := ob.get(fmt.Sprintf("/inventory/assets/%d", a.ID)); p.status != 404 {
		t.Errorf("other organisation reads the device: %d", p.status)
	}
	if p := ob.post(fmt.Sprintf("/inventory/assets/%d/delete", a.ID), url.Values{}); p.status != 404 {
		t.Errorf("other organisation deletes the device: %d", p.status)
	}
	aud := signIn(t, base, st, org, domain.RoleAuditor)
	if p := aud.get("/inventory/assets/new"); p.status != 403 {
		t.Errorf("auditor opens the device form: %d", p.status)
	}
	if p := aud.get("/inventory/assets"); p.status != 200 || strings.Contains(p.body, "Add a device") || strings.Contains(p.body, `href="/import/inventory"`) {
		t.Errorf("auditor's device list offers changes (%d)", p.status)
	}
}

func TestInventoryImportPages(t *testing.T) {
	base, st := newApp(t)
	org := testutil.Org(t, st, "nordstadt")
	b := signIn(t, base, st, org, domain.RoleClinicalEngineer)
	data, err := os.ReadFile("../inventory/testdata/cmms-export-de.csv")
	if err != nil {
		t.Fatal(err)
	}
	up := b.upload("/import/inventory", "cmms-export-de.csv", data, url.Values{})
	if up.status != 303 || !strings.HasPrefix(up.location, "/import/inventory/") {
		t.Fatalf("upload: %d %s", up.status, up.location)
	}
	preview := b.get(up.location)
	if preview.status != 200 {
		t.Fatalf("preview: %d %s", preview.status, preview.body)
	}
	preview.has(t, "Preview of cmms-export-de.csv", "Windows-1252", "devices to add", `<span class="kpi-value">21</span>`,
		"10.13.0.300 is not an IP address", "IP-Adresse (M)", "MT-100001", "Import the other rows and skip the 8 rejected ones",
		`<option value="asset_tag" selected>Asset tag</option>`)
	// Nothing happens until confirmed.
	if page, _ := st.Scope(org.ID).Assets(context.Background(), domain.AssetFilter{}); page.Total != 0 {
		t.Fatalf("the preview imported %d devices", page.Total)
	}
	// Changing a column's field re-plans: without the IP column no row fails on it.
	remapped := b.get(up.location + "?col_M=")
	remapped.has(t, `<span class="kpi-value">7</span>`)
	refused := b.post(up.location, url.Values{"mapping": {""}})
	if refused.status != 422 {
		t.Fatalf("confirm with rejections: %d", refused.status)
	}
	refused.has(t, "8 of 29 rows were rejected, so nothing was imported")
	done := b.post(up.location, url.Values{"mapping": {""}, "skip_rejected": {"on"}})
	if done.status != 303 || done.location != "/inventory/assets" {
		t.Fatalf("confirm: %d %s", done.status, done.location)
	}
	b.get("/inventory/assets").has(t, "21 in the inventory", "Imported cmms-export-de.csv: added 21, changed 0; 0 unchanged; 8 rejected.")
	if p := b.get(up.location); p.status != 404 {
		t.Errorf("the upload outlived its import: %d", p.status)
	}
	b.get("/import/inventory").has(t, "cmms-export-de.csv", "inventarnummer")
	bad := b.upload("/import/inventory", "scan.pdf", []byte("%PDF-1.7 …"), url.Values{})
	preview = b.get(bad.location)
	if preview.status != 422 {
		t.Errorf("PDF preview: %d", preview.status)
	}
	preview.has(t, "this is a PDF document, not a spreadsheet")
}
