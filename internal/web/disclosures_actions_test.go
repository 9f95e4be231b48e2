package web_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/app/apptest"
	"github.com/vigil-med/vigil/internal/disclosure/disclosuretest"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/mds2"
)

// discUpload posts a file through a page's multipart form, with the CSRF token of the last page.
func discUpload(t *testing.T, h *apptest.Harness, c *apptest.Client, path, name string, data []byte, fields map[string]string) *apptest.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf_token", c.CSRF())
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", h.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.Do(req)
}

// TestDisclosureWebActions: uploads (good and refused with the problem named), a manufacturer's MDS2
// draft started, edited and exported, and a mapping made in the queue.
func TestDisclosureWebActions(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	org := h.Org("alpha")
	c := h.SignIn(h.User(org, "psirt@alpha.example", domain.RoleManufacturer))
	c.Get("/import/disclosures").Must(t, 200)
	r := discUpload(t, h, c, "/import/sbom", "pump.cdx.json", disclosuretest.CycloneDX("Pump 3000", "1.2.3", "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"),
		map[string]string{"manufacturer": "Acme Medical", "product": "Pump 3000", "version": "1.2.3"})
	if r.Status != 200 || !strings.Contains(r.Body, "Import result") || !strings.Contains(r.Body, "2 components") {
		t.Fatalf("SBOM upload: %d %.400s", r.Status, r.Body)
	}
	for _, tt := range []struct {
		path, name string
		data       []byte
		status     int
		want       string
	}{
		{"/import/sbom", "garbage.json", []byte("not an sbom at all\n"), 422, "not a CycloneDX or SPDX document"},
		{"/import/mds2", "form.pdf", []byte("%PDF-1.7\n..."), 422, "PDF"},
		{"/import/csaf", "trunc.json", disclosuretest.CSAF("X-1", "Acme Medical", "Pump 3000", "1.2.3")[:900], 422, "truncated"},
		{"/import/vex", "empty.json", nil, 422, "is empty"},
	} {
		r := discUpload(t, h, c, tt.path, tt.name, tt.data, nil)
		if r.Status != tt.status || !strings.Contains(r.Body, tt.want) || !strings.Contains(r.Body, `role="alert"`) {
			t.Errorf("%s %s: %d, want %d with %q", tt.path, tt.name, r.Status, tt.status, tt.want)
		}
	}
	ctx := context.Background()
	sc := h.Store.Scope(org.ID)
	if docs, _ := sc.Documents(ctx, domain.DocumentFilter{}); docs.Total != 1 {
		t.Errorf("%d documents after the refused uploads", docs.Total)
	}
	sboms, _ := sc.SBOMs(ctx, 0)
	pv := sboms[0].ProductVersionID

	// A draft for the version, edited by section, exported.
	c.Get("/disclosures/mds2").Must(t, 200)
	r = c.Post("/disclosures/mds2", url.Values{"product_version_id": {fmt.Sprint(pv)}})
	if r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Location(), "/edit") {
		t.Fatalf("new draft: %s", r)
	}
	edit := r.Location()
	c.Get(edit).Must(t, 200)
	r = c.Post(edit, url.Values{"a_STCF-1": {"Yes, AES-256"}, "a_MLDP-2": {"No"}, "n_MLDP-2": {"See Note 1"}, "note_new_number": {"1"},
		"note_new": {"Allow-listing replaces anti-malware."}, "other": {"Draft for the tender."}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.Status, regexp.MustCompile(`(?s)role="alert">[^<]*`).FindAllString(r.Body, -1))
	}
	view := c.Follow(r).Must(t, 200)
	for _, want := range []string{"Saved the draft.", "AES-256", "Allow-listing replaces anti-malware.", "Draft for the tender."} {
		if !strings.Contains(view.Body, want) {
			t.Errorf("the draft's page lacks %q", want)
		}
	}
	if r := c.Post(edit, url.Values{"note_new_number": {"A"}, "note_new": {"text"}}); r.Status != 422 || !strings.Contains(r.Body, "is not a note number") {
		t.Errorf("a bad note number: %d", r.Status)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(edit, "/disclosures/mds2/"), "/edit")
	x := c.Get("/disclosures/mds2/" + id + "/export")
	if x.Status != 200 || !strings.Contains(x.Header.Get("Content-Disposition"), ".xlsx") {
		t.Fatalf("export: %d %v", x.Status, x.Header)
	}
	f, err := mds2.ReadXLSX(strings.NewReader(x.Body), "export.xlsx", 0)
	if err != nil || f.Answer("STCF-1").Detail != "AES-256" || f.Notes["1"] == "" {
		t.Errorf("the exported workbook: %v %+v", err, f.Answer("STCF-1"))
	}

	// An advisory, and a product of it mapped in the queue.
	r = discUpload(t, h, c, "/import/csaf", "acme.json", disclosuretest.CSAF("ACME-1", "Acme Medical", "Pump 3000", "1.2.3"), nil)
	if r.Status != 200 || !strings.Contains(r.Body, "1 in the mapping queue") {
		t.Fatalf("CSAF upload: %d %.500s", r.Status, r.Body)
	}
	queue := c.Get("/disclosures/mapping").Must(t, 200)
	if !strings.Contains(queue.Body, "Gadget 1") {
		t.Fatal("the queue does not show Gadget 1")
	}
	aps, _ := sc.AdvisoryProducts(ctx, domain.AdvisoryProductFilter{State: domain.MappingUnmapped})
	v, _ := sc.ProductVersion(ctx, pv)
	if r := c.Post(fmt.Sprintf("/disclosures/mapping/%d/map", aps.Items[0].ID), url.Values{"product_id": {fmt.Sprint(v.ProductID)}, "version_range": {"sometimes"}}); r.Status != 422 ||
		!strings.Contains(r.Body, "is not a version range") {
		t.Errorf("a bad range: %d", r.Status)
	}
	r = c.Post(fmt.Sprintf("/disclosures/mapping/%d/map", aps.Items[0].ID), url.Values{"product_id": {fmt.Sprint(v.ProductID)}, "version_range": {"all versions"}})
	if r.Status != http.StatusSeeOther || !strings.Contains(c.Follow(r).Body, "Mapped and remembered") {
		t.Errorf("map: %s", r)
	}
	card := c.Get(fmt.Sprintf("/inventory/versions/%d", pv)).Must(t, 200)
	for _, want := range []string{"ACME-1", "2 components", "affected 2"} {
		if !strings.Contains(card.Body, want) {
			t.Errorf("the version's card lacks %q", want)
		}
	}
	// An auditor reads but cannot upload.
	a := h.SignIn(h.User(org, "auditor@alpha.example", domain.RoleAuditor))
	a.Get("/disclosures/overview").Must(t, 200)
	if r := a.Get("/import/disclosures"); r.Status != http.StatusForbidden {
		t.Errorf("auditor's upload page: %d", r.Status)
	}
}
