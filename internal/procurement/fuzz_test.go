package procurement

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// FuzzReadQuestionnaire feeds the questionnaire reader with a real questionnaire of the device catalogue
// and variations: it must never panic, and whatever it accepts must be answers to criteria of the
// catalogue that pass ParseAnswer.
func FuzzReadQuestionnaire(f *testing.F) {
	cat, _ := Builtin(CatalogueDevice)
	var buf bytes.Buffer
	if err := WriteQuestionnaire(&buf, cat, QuestionnaireMeta{TenderRef: "T-1", TenderTitle: "x"}, map[string]Answer{
		"dev.support-period": {Value: "2036-12-31"}, "dev.auth": {Value: "Yes", Comment: "c"}}); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:len(buf.Bytes())/2])
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := ReadQuestionnaire(bytes.NewReader(b), "f.xlsx", cat)
		if err != nil {
			return
		}
		for id, a := range res.Answers {
			cr, ok := cat.Criterion(id)
			if !ok {
				t.Fatalf("answer to unknown criterion %q", id)
			}
			if a.Value != "" && cr.Answer != AnswerText {
				if _, err := ParseAnswer(cr.Answer, a.Value); err != nil {
					t.Fatalf("accepted an unusable answer %q for %s: %v", a.Value, id, err)
				}
			}
		}
	})
}

// FuzzParseAnswer checks that every answer type parses without panicking and that accepted numbers and
// dates are sane.
func FuzzParseAnswer(f *testing.F) {
	for _, s := range []string{"Yes, via LDAP", "N/A", "2034-12-31", "31.12.2034", "2034-06", "02/2036", "2034", "49674", "within 30 days", "99,95 %", "-5", "1e400"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, typ := range []string{AnswerYesNo, AnswerDate, AnswerDays, AnswerHours, AnswerPercent, AnswerText} {
			p, err := ParseAnswer(typ, s)
			if err != nil {
				continue
			}
			if (typ == AnswerDays || typ == AnswerHours || typ == AnswerPercent) && (p.Number < 0 || p.Number != p.Number) {
				t.Fatalf("%s %q: %v", typ, s, p.Number)
			}
			if typ == AnswerPercent && p.Number > 100 {
				t.Fatalf("percent %q: %v", s, p.Number)
			}
			if typ == AnswerDate && (p.Date.Year() < 1899 || p.Date.Year() > 2210) {
				t.Fatalf("date %q: %v", s, p.Date)
			}
		}
	})
}

// FuzzParseCatalogue seeds with the built-in catalogues: whatever parses must validate and evaluate.
func FuzzParseCatalogue(f *testing.F) {
	for _, n := range []string{"data/device.yaml", "data/cloud.yaml"} {
		b, err := dataFS.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseCatalogue("f.yaml", b)
		if err != nil {
			return
		}
		ev := Evaluate(context.Background(), c, []Vendor{{Name: "v"}}, Options{AsOf: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
		if len(ev.Vendors[0].Criteria) != len(c.Criteria) {
			t.Fatalf("evaluation lost criteria")
		}
	})
}

// FuzzReadSBOM seeds with the real CycloneDX and SPDX fixtures: the decoder and the author/dependency probe
// must not panic, and the NTIA shares must stay within 0–1.
func FuzzReadSBOM(f *testing.F) {
	for _, n := range []string{"testdata/presentations_OSS-NA-2023_SPDXVersion2.3_03-SBOMwDependency.json", "testdata/software_example6_spdx2.2_example6-lib.spdx",
		"testdata/SBOM_laravel-7.12.0_bom.1.4.json"} {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.4" version="1"><metadata><authors><author><name>A</name></author></authors></metadata><components><component type="library"><name>x</name><version>1</version></component></components><dependencies><dependency ref="a"><dependency ref="b"/></dependency></dependencies></bom>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ReadSBOM(bytes.NewReader(b), "f")
		if err != nil {
			if strings.Contains(err.Error(), "panic") {
				t.Fatal(err)
			}
			return
		}
		n := CheckNTIA(s)
		if n.Share < 0 || n.Share > 1 || s.Dependencies < 0 {
			t.Fatalf("share %v deps %d", n.Share, s.Dependencies)
		}
	})
}
