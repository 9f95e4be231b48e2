package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/config"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// TestIncidentDevicePicker links inventory devices in the incident forms: typed tags and host names,
// ticked search results (the htmx fragment), unticking, an unknown tag refused with the form kept, and
// the incident page and the device page showing the link with criticality and zone.
func TestIncidentDevicePicker(t *testing.T) {
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	a, err := app.Open(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	h, _, err := a.Handler(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	org := testutil.Org(t, a.Store, "hospital-a")
	ctx := testutil.Ctx(org.ID)
	var ct, ws domain.Asset
	if err := a.Store.Scope(org.ID).Write(ctx, func(tx *store.Tx) error {
		z := domain.NetworkZone{Name: "Imaging modalities", Exposure: domain.ExposureIsolated}
		if err := tx.CreateZone(ctx, &z); err != nil {
			return err
		}
		pv, _, err := tx.EnsureProductVersion(ctx, "Siemens Healthineers", "SOMATOM go.Up", "VA30A")
		if err != nil {
			return err
		}
		ct = domain.Asset{ProductVersionID: pv.ID, AssetTag: "NUH-0002", Hostname: "CT-GOUP-MC02", Criticality: domain.CritCritical, ZoneID: z.ID}
		if err := tx.CreateAsset(ctx, &ct, domain.DateOf(time.Now())); err != nil {
			return err
		}
		ws = domain.Asset{ProductVersionID: pv.ID, AssetTag: "NUH-0007", Hostname: "RAD-WS-MC07", Criticality: domain.CritImportant, ZoneID: z.ID}
		return tx.CreateAsset(ctx, &ws, domain.DateOf(time.Now()))
	}); err != nil {
		t.Fatal(err)
	}
	b := login(t, h, a.Store, org, "ciso@a.example", domain.RoleSecurityOfficer)

	// The new-incident form has the picker; a host name typed into the box links the CT.
	if w := b.do("GET", "/incidents/new", nil); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `id="dp-q"`) {
		t.Fatalf("new incident form: %d, picker shown: %v", w.Code, strings.Contains(w.Body.String(), `id="dp-q"`))
	}
	w := b.do("POST", "/incidents", url.Values{"title": {"Ransom note in CT room 2"}, "aware_at": {"2026-03-28T23:30"}, "category": {"ransomware"},
		"add_devices": {"ct-goup-mc02"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("create: %d %s", w.Code, w.Body)
	}
	id, _ := strconv.ParseInt(strings.Split(strings.TrimPrefix(w.Header().Get("Location"), "/incidents/"), "/")[0], 10, 64)
	page := b.do("GET", "/incidents/"+strconv.FormatInt(id, 10), nil).Body.String()
	for _, want := range []string{`href="/inventory/assets/` + strconv.FormatInt(ct.ID, 10) + `">NUH-0002</a>`, "Imaging modalities", ">Critical</span>",
		"Linked devices that patients depend on: NUH-0002 (Critical)"} {
		if !strings.Contains(page, want) {
			t.Errorf("incident page lacks %q", want)
		}
	}

	// The search finds the workstation by host name (htmx fragment: checkboxes, not a page).
	w = b.do("GET", "/incidents/device-search?q=rad-ws", nil, "HX-Request", "true")
	frag := w.Body.String()
	if w.Code != http.StatusOK || strings.Contains(frag, "<html") || !strings.Contains(frag, `name="asset_id" value="`+strconv.FormatInt(ws.ID, 10)+`"`) {
		t.Errorf("device search fragment: %d\n%s", w.Code, frag)
	}
	// Edit: untick the CT, tick the workstation from the search.
	edit := b.do("GET", "/incidents/"+strconv.FormatInt(id, 10)+"/edit", nil).Body.String()
	if !strings.Contains(edit, `value="`+strconv.FormatInt(ct.ID, 10)+`" checked`) || !strings.Contains(edit, "Other affected systems") {
		t.Errorf("edit form does not show the linked CT ticked")
	}
	facts := url.Values{"title": {"Ransom note in CT room 2"}, "aware_at": {"2026-03-28T23:30"}, "category": {"ransomware"},
		"cross_border": {"unknown"}, "suspected_malicious": {"yes"}, "devices": {"PACS share"}}
	form := url.Values{"asset_id": {strconv.FormatInt(ws.ID, 10)}}
	for k, v := range facts {
		form[k] = v
	}
	if w := b.do("POST", "/incidents/"+strconv.FormatInt(id, 10), form); w.Code != http.StatusSeeOther {
		t.Fatalf("save: %d %s", w.Code, w.Body)
	}
	links, _ := a.Store.Scope(org.ID).IncidentAssets(ctx, id)
	if len(links) != 1 || links[0].AssetID != ws.ID {
		t.Errorf("after the edit: %+v", links)
	}
	// An unknown tag is refused on its field, nothing changes, and the form keeps what was typed.
	form = url.Values{"asset_id": {strconv.FormatInt(ws.ID, 10)}, "add_devices": {"NUH-9999"}}
	for k, v := range facts {
		form[k] = v
	}
	w = b.do("POST", "/incidents/"+strconv.FormatInt(id, 10), form)
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "no device with the asset tag or host name NUH-9999") ||
		!strings.Contains(w.Body.String(), ">NUH-9999</textarea>") {
		t.Errorf("unknown tag: %d\n%s", w.Code, w.Body)
	}
	// The device page lists the incident.
	dev := b.do("GET", "/inventory/assets/"+strconv.FormatInt(ws.ID, 10), nil).Body.String()
	if !strings.Contains(dev, `href="/incidents/`+strconv.FormatInt(id, 10)+`">INC-`) {
		t.Errorf("device page does not link the incident")
	}
}
