package procurement

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/mds2"
)

func TestScratch(t *testing.T) {
	var vs []Vendor
	for _, p := range []string{"testdata/nema-example-mds2-worksheet-2019.xlsx", "testdata/medicapture-mvr-cybersecurity-mds2.md"} {
		f, _ := os.Open(p)
		form, err := mds2.Read(f, p, 0)
		if err != nil {
			t.Fatal(err)
		}
		vs = append(vs, Vendor{Name: form.Manufacturer, Source: p, MDS2: form})
	}
	for _, p := range []string{"testdata/SBOM_laravel-7.12.0_bom.1.4.json", "testdata/SBOM_dropwizard-1.3.15_bom.xml", "testdata/presentations_OSS-NA-2023_SPDXVersion2.3_03-SBOMwDependency.json", "testdata/software_example6_spdx2.2_example6-lib.spdx"} {
		f, _ := os.Open(p)
		s, err := ReadSBOM(f, p)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("%s authors=%v deps=%d ntia=%+v\n", p, s.Authors, s.Dependencies, CheckNTIA(s))
		if p == "testdata/SBOM_dropwizard-1.3.15_bom.xml" {
			vs[1].SBOM = s
		}
	}
	cat, _ := Builtin("default")
	eol, _ := EmbeddedEOL()
	ev := Evaluate(context.Background(), cat, vs, Options{AsOf: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), EOL: eol})
	for _, v := range ev.Vendors {
		fmt.Println("==", v.Vendor, v.Total, v.KnockedOut, v.KnockedOutBy, v.NeedsEvaluation)
		for _, c := range v.Criteria {
			s := "-"
			if c.Score != nil {
				s = fmt.Sprint(*c.Score)
			}
			fmt.Printf("  %-22s %-16s %s  %s\n", c.ID, c.Status, s, c.Comment)
		}
	}
	b, _ := json.MarshalIndent(ev.Vendors[1].Criteria[5], "", " ")
	fmt.Println(string(b))
}
