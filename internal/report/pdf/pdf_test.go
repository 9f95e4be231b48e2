package pdf

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func sample(t *testing.T) []byte {
	t.Helper()
	d := New(Meta{Title: "Funding case: replacement of legacy imaging workstations", Subtitle: "Budget 2027–2029",
		Organisation: "Nordstadt University Hospital", Author: "Piotr Nowak", Generated: time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC), Confidential: true})
	d.Figures([][2]string{{"€ 750 000", "budget over 3 years"}, {"62 %", "risk removed"}, {"14", "devices on Windows 7"}})
	d.H1("Why — größte Risiken ≥ 9.0")
	d.P("Straße, Ärzte, Œuvre: Unicode text must print. " + strings.Repeat("A long paragraph wraps over several lines. ", 12))
	d.Bullets([]string{"NIS2 Art. 21(2)(e)", "MDR Annex I §17.2"})
	d.KV([][2]string{{"Owner", "Clinical engineering"}, {"Review", "2027-03-01"}})
	var rows [][]string
	for i := range 80 {
		rows = append(rows, []string{"CT workstation " + string(rune('A'+i%26)), "Windows 7 SP1", "€ 45 000", "high"})
	}
	d.Table([]string{"Device", "Operating system", "Cost", "Risk"}, []float64{3, 2, 1, 1}, rows)
	d.BarChart("Risk by year", []string{"removed", "remaining"}, []Bar{{"2027", []float64{40, 60}}, {"2028", []float64{30, 30}}, {"2029", []float64{20, 10}}}, nil)
	d.SignOff("Approved by the management body", []string{"Chief executive", "Medical director"})
	b, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDocument(t *testing.T) {
	b := sample(t)
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", b[:min(20, len(b))])
	}
	if n := bytes.Count(b, []byte("/Type /Page\n")) + bytes.Count(b, []byte("/Type /Page ")); n < 3 {
		t.Errorf("expected at least 3 pages (the long table continues), found %d page objects", n)
	}
}

// TestRendersToPNG renders the pages with pdftoppm (poppler-utils) and checks that they are not blank,
// as a person looking at the report would.
func TestRendersToPNG(t *testing.T) {
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		if os.Getenv("VIGIL_REQUIRE_BROWSER") == "1" {
			t.Fatal("pdftoppm (poppler-utils) is required in CI")
		}
		t.Skip("pdftoppm not installed")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(in, sample(t), 0o644); err != nil {
		t.Fatal(err)
	}
	pages, err := RenderPNG(in, filepath.Join(dir, "page"), 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) < 3 {
		t.Fatalf("rendered %d pages", len(pages))
	}
	for _, p := range pages {
		ink, err := InkRatio(p)
		if err != nil {
			t.Fatal(err)
		}
		if ink < 0.005 {
			t.Errorf("%s is (nearly) blank: %.4f of the pixels are not white", filepath.Base(p), ink)
		}
	}
}
