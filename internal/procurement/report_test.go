package procurement

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/report/pdf"
)

// renderPDF writes b, renders its pages with pdftoppm and checks that each carries ink.
func renderPDF(t *testing.T, name string, b []byte, minPages int) {
	t.Helper()
	if !strings.HasPrefix(string(b), "%PDF-") {
		t.Fatalf("%s is not a PDF", name)
	}
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		if os.Getenv("VIGIL_REQUIRE_BROWSER") == "1" {
			t.Fatal("pdftoppm (poppler-utils) is required in CI")
		}
		t.Skip("pdftoppm not installed")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, name+".pdf")
	if err := os.WriteFile(in, b, 0o644); err != nil {
		t.Fatal(err)
	}
	pages, err := pdf.RenderPNG(in, filepath.Join(dir, name), 40)
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) < minPages {
		t.Errorf("%s: %d pages, want at least %d", name, len(pages), minPages)
	}
	for _, p := range pages {
		ink, err := pdf.InkRatio(p)
		if err != nil {
			t.Fatal(err)
		}
		if ink <= 0.005 {
			t.Errorf("%s: page %s is blank (ink %.4f)", name, filepath.Base(p), ink)
		}
	}
}

func TestAnnexAndAwardReport(t *testing.T) {
	cat := builtin(t, CatalogueDevice)
	info := TenderInfo{Ref: "T-2026-014", Title: "Volumetric infusion pumps für die Stationen", Subject: "420 pumps", ClinicalUse: "IV therapy",
		NetworkExposure: "clinical Wi-Fi", Kind: KindDevice, Deadline: time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC)}
	meta := pdf.Meta{Organisation: "Nordstadt University Hospital", Author: "Sofia Lindqvist", Generated: asOf}
	annex, err := Annex(info, cat, meta)
	if err != nil {
		t.Fatal(err)
	}
	renderPDF(t, "annex", annex, 4)

	nema := readForm(t, "testdata/nema-example-mds2-worksheet-2019.xlsx")
	medi := readForm(t, "testdata/medicapture-mvr-cybersecurity-mds2.md")
	answers := map[string]Answer{"dev.support-period": {Value: "2036-06-30", Evidence: "offer"}, "dev.patch-timeline": {Value: "30 days"},
		"dev.csaf": {Value: "Yes"}, "dev.vex": {Value: "No"}}
	ev := Evaluate(context.Background(), cat, []Vendor{{Name: "Hidden", MDS2: nema}, {Name: "MediCapture Inc.", MDS2: medi, Answers: answers}}, Options{AsOf: asOf})
	drafts := Commitments(cat, ev.Vendors[1], answers, asOf)
	report, err := AwardReport(info, cat, ev, AwardInfo{Winner: "MediCapture Inc.", Rationale: "Best total.", Decided: asOf, By: "Sofia Lindqvist"}, drafts, meta)
	if err != nil {
		t.Fatal(err)
	}
	renderPDF(t, "award", report, 3)
}

func TestCommitments(t *testing.T) {
	cat := builtin(t, CatalogueDevice)
	medi := readForm(t, "testdata/medicapture-mvr-cybersecurity-mds2.md")
	answers := map[string]Answer{"dev.support-period": {Value: "2036-06-30"}, "dev.patch-timeline": {Value: "within 30 days"},
		"dev.csaf": {Value: "Yes"}, "dev.vex": {Value: "No"}}
	ev := Evaluate(context.Background(), cat, []Vendor{{Name: "MediCapture Inc.", MDS2: medi, SBOM: readSBOMFile(t, "testdata/SBOM_laravel-7.12.0_bom.1.4.json"), Answers: answers}},
		Options{AsOf: asOf})
	awarded := time.Date(2026, 11, 10, 15, 0, 0, 0, time.UTC)
	type row struct {
		Kind, Value, Due string
		Days             int
		Open             bool
	}
	var got []row
	for _, c := range Commitments(cat, ev.Vendors[0], answers, awarded) {
		due := ""
		if c.Due != nil {
			due = c.Due.Format("2006-01-02")
		}
		got = append(got, row{c.Kind, c.Value, due, c.Days, c.Open})
	}
	// VEX was answered No (score 0): no commitment. CVD comes from DOC-8, the SBOM from the file.
	want := []row{
		{CommitCSAFAdvisories, "confirm delivery", "2026-12-10", 0, false},
		{CommitCVD, "confirm delivery", "2026-12-10", 0, false},
		{CommitPatchDays, "30 days", "", 30, false},
		{CommitSBOMDelivery, "confirm delivery", "2026-12-10", 0, false},
		{CommitSupportEnd, "2036-06-30", "2035-06-30", 0, false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("commitments (-want +got):\n%s", diff)
	}
}
