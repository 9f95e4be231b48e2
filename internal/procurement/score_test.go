package procurement

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/mds2"
	"github.com/vigil-med/vigil/internal/sbom"
	"github.com/vigil-med/vigil/internal/testutil"
)

var asOf = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func readForm(t *testing.T, path string) *mds2.Form {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	form, err := mds2.Read(f, path, 0)
	if err != nil {
		t.Fatal(err)
	}
	return form
}

func readSBOMFile(t *testing.T, path string) *SBOMEvidence {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := ReadSBOM(f, path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func builtin(t *testing.T, name string) *Catalogue {
	t.Helper()
	c, ok := Builtin(name)
	if !ok {
		t.Fatalf("no built-in catalogue %q", name)
	}
	return c
}

// compact is a criterion result as "status score" ("automatic 3", "needs-evaluation -", "automatic 0 KO").
func compact(v VendorResult) map[string]string {
	out := map[string]string{}
	for _, c := range v.Criteria {
		s := "-"
		if c.Score != nil {
			s = fmt.Sprint(*c.Score)
		}
		out[c.ID] = string(c.Status) + " " + s
		if c.KnockOut {
			out[c.ID] += " KO"
		}
	}
	return out
}

// TestRealForms scores the real NEMA example worksheet and the MediCapture MDS2 (converted from its
// Markdown with mds2.Read), the latter with the dropwizard CycloneDX XML as its SBOM. Every value below was
// checked against the forms' answers by hand (see the comments).
func TestRealForms(t *testing.T) {
	nema := readForm(t, "testdata/nema-example-mds2-worksheet-2019.xlsx")
	medi := readForm(t, "testdata/medicapture-mvr-cybersecurity-mds2.md")
	eol, err := EmbeddedEOL()
	if err != nil {
		t.Fatal(err)
	}
	cat := builtin(t, CatalogueDevice)
	ev := Evaluate(context.Background(), cat, []Vendor{
		{Name: nema.Manufacturer, Source: "nema.xlsx", MDS2: nema},
		{Name: medi.Manufacturer, Source: "medicapture.md", MDS2: medi, SBOM: readSBOMFile(t, "testdata/SBOM_dropwizard-1.3.15_bom.xml")},
	}, Options{AsOf: asOf, EOL: eol})

	wantNEMA := map[string]string{
		"dev.conformity": "needs-evaluation -", "dev.secure-development": "automatic 0", "dev.certification": "automatic 0",
		"dev.cvd":          "automatic 0",    // DOC-8 No
		"dev.auth":         "automatic 0 KO", // AUTH-1 No, PAUT-1 No
		"dev.auth.central": "automatic 0", "dev.auth.mfa": "automatic 0", "dev.auth.session": "automatic 0",
		"dev.credentials": "automatic 0 KO", // PAUT-5 No: passwords cannot all be changed
		"dev.audit":       "automatic 0",
		"dev.malware":     "automatic 3",        // MLDP-3 Yes: compensating controls
		"dev.hardening":   "automatic 2",        // 5 of 10 points
		"dev.ports":       "needs-evaluation -", // DOC-10 "See Note 1"
		"dev.internet":    "automatic 3",        // CONN-6 No, CONN-4 No
		"dev.crypto.rest": "automatic 0", "dev.crypto.transit": "automatic 0", "dev.patching": "automatic 0",
		"dev.patch-timeline": "needs-evaluation -", "dev.support-period": "needs-evaluation -", "dev.legacy": "needs-evaluation -",
		"dev.sbom": "automatic 0", "dev.sbom.quality": "automatic 0", "dev.vulns": "needs-evaluation -",
		"dev.csaf": "needs-evaluation -", "dev.vex": "needs-evaluation -",
		"dev.remote": "not-applicable -", // RMOT-1 No, RMOT-2/3 N/A
		"dev.backup": "automatic 1", "dev.docs": "automatic 1",
		"dev.pentest": "needs-evaluation -", "dev.incident": "needs-evaluation -", "dev.training": "needs-evaluation -",
	}
	wantMedi := map[string]string{
		"dev.conformity": "needs-evaluation -", "dev.secure-development": "automatic 3", "dev.certification": "automatic 3",
		"dev.cvd": "automatic 3", "dev.auth": "automatic 3", "dev.auth.central": "automatic 3",
		"dev.auth.mfa":     "automatic 0", // PAUT-8 No
		"dev.auth.session": "automatic 2", // ALOF-1 Yes, ALOF-2 No, PAUT-3 No
		"dev.credentials":  "automatic 3", // PAUT-4 "N/A: No default accounts" drops out
		"dev.audit":        "automatic 3", "dev.malware": "automatic 3", "dev.hardening": "automatic 3", "dev.ports": "automatic 3",
		"dev.internet": "automatic 3", "dev.crypto.rest": "automatic 0", "dev.crypto.transit": "automatic 3", "dev.patching": "automatic 3",
		"dev.patch-timeline": "needs-evaluation -", "dev.support-period": "needs-evaluation -",
		"dev.legacy":       "automatic 2", // Tomcat 9.0 components end within 12 months of 2026-11-01
		"dev.sbom":         "automatic 3",
		"dev.sbom.quality": "automatic 2", // suppliers 54 %, no author
		"dev.vulns":        "needs-evaluation -",
		"dev.csaf":         "needs-evaluation -", "dev.vex": "needs-evaluation -",
		"dev.remote": "automatic 3", "dev.backup": "automatic 2", "dev.docs": "automatic 2",
		"dev.pentest": "needs-evaluation -", "dev.incident": "needs-evaluation -", "dev.training": "needs-evaluation -",
	}
	if diff := cmp.Diff(wantNEMA, compact(ev.Vendors[0])); diff != "" {
		t.Errorf("NEMA example (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantMedi, compact(ev.Vendors[1])); diff != "" {
		t.Errorf("MediCapture (-want +got):\n%s", diff)
	}
	type summary struct {
		Rank       int
		Total      float64
		KO         bool
		KOBy       []string
		Open       int
		Points     float64
		MaxPoints  float64
		Complete   bool
		VendorName string
	}
	sum := func(v VendorResult) summary {
		return summary{v.Rank, v.Total, v.KnockedOut, v.KnockedOutBy, v.NeedsEvaluation, v.Points, v.MaxPoints, v.Complete, v.Vendor}
	}
	// Max points: 67 weight units × 3, less the not-applicable remote service (2 × 3) for NEMA.
	want := []summary{
		{2, 7.9, true, []string{"dev.auth", "dev.credentials"}, 11, 15, 189, false, "Hidden"},
		{1, 57.9, false, []string{}, 9, 113, 195, false, "MediCapture Inc."},
	}
	if diff := cmp.Diff(want, []summary{sum(ev.Vendors[0]), sum(ev.Vendors[1])}); diff != "" {
		t.Errorf("totals (-want +got):\n%s", diff)
	}
	// Evidence names the answers and notes.
	ports, _ := ev.Vendors[0].Criterion("dev.ports")
	if ports.Suggested == nil || *ports.Suggested != 0 || !strings.Contains(ports.Comment, "DOC-10") {
		t.Errorf("NEMA dev.ports: suggested %v, comment %q", ports.Suggested, ports.Comment)
	}
	cred, _ := ev.Vendors[1].Criterion("dev.credentials")
	if diff := cmp.Diff([]Evidence{
		{Source: "mds2", Ref: "PAUT-5", Value: "Yes"}, {Source: "mds2", Ref: "PAUT-4", Value: "N/A: No default accounts"},
		{Source: "mds2", Ref: "SAHD-6", Value: "Yes,All accounts are disabled at delivery"}, {Source: "mds2", Ref: "SGUD-3.1", Value: "Yes"},
	}, cred.Evidence); diff != "" {
		t.Errorf("MediCapture dev.credentials evidence (-want +got):\n%s", diff)
	}
	vulns, _ := ev.Vendors[1].Criterion("dev.vulns")
	if !strings.Contains(vulns.Comment, "Vulnerability data not loaded") {
		t.Errorf("dev.vulns without vulnerability data: %q", vulns.Comment)
	}
	// Deterministic: the same inputs give the same JSON.
	again := Evaluate(context.Background(), cat, []Vendor{
		{Name: nema.Manufacturer, Source: "nema.xlsx", MDS2: nema},
		{Name: medi.Manufacturer, Source: "medicapture.md", MDS2: medi, SBOM: readSBOMFile(t, "testdata/SBOM_dropwizard-1.3.15_bom.xml")},
	}, Options{AsOf: asOf, EOL: eol})
	a, _ := json.MarshalIndent(ev, "", "  ")
	b, _ := json.MarshalIndent(again, "", "  ")
	if string(a) != string(b) {
		t.Errorf("two evaluations of the same inputs differ")
	}
	testutil.Golden(t, "evaluation-real-forms.golden.json", append(a, '\n'))
}

// form builds a blank MDS2 form with the given answers ("ID=answer").
func form(t *testing.T, answers ...string) *mds2.Form {
	t.Helper()
	f := mds2.NewForm()
	for _, a := range answers {
		id, v, _ := strings.Cut(a, "=")
		if err := f.Set(id, v); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func oneCriterion(cr Criterion) *Catalogue {
	if cr.Title == "" {
		cr.Title = cr.ID
	}
	if cr.Answer == "" {
		cr.Answer = AnswerYesNo
	}
	if cr.Weight == 0 {
		cr.Weight = 1
	}
	return &Catalogue{Name: "test", Kind: KindDevice, Version: "t", Scale: Scale{Max: 3}, Criteria: []Criterion{cr}}
}

func TestRules(t *testing.T) {
	mds2Rule := Rule{MDS2: []QuestionRule{{Q: "AUTH-1"}, {Q: "PAUT-1", W: 2}}}
	creds := Rule{MDS2: []QuestionRule{{Q: "PAUT-5", W: 2, Required: true}, {Q: "PAUT-4"}}}
	invert := Rule{MDS2: []QuestionRule{{Q: "CONN-6", Invert: true}}}
	days := Rule{Questionnaire: AnswerDays, Full: 30, Zero: 120}
	date := Rule{Questionnaire: AnswerDate, Full: 10, Zero: 5}
	tests := []struct {
		name    string
		cr      Criterion
		v       Vendor
		want    string // compact result
		comment string // part of the comment
	}{
		{"all yes", Criterion{ID: "c", Rules: []Rule{mds2Rule}}, Vendor{MDS2: form(t, "AUTH-1=Yes", "PAUT-1=Yes, enforced")}, "automatic 3", "3 of 3 points"},
		{"weighted partial", Criterion{ID: "c", Rules: []Rule{mds2Rule}}, Vendor{MDS2: form(t, "AUTH-1=Yes", "PAUT-1=No")}, "automatic 1", "1 of 3 points"},
		{"must fails", Criterion{ID: "c", Must: true, Rules: []Rule{mds2Rule}}, Vendor{MDS2: form(t, "AUTH-1=No", "PAUT-1=No")}, "automatic 0 KO", "Knock-out"},
		{"see note goes to an evaluator", Criterion{ID: "c", Rules: []Rule{mds2Rule}}, Vendor{MDS2: form(t, "AUTH-1=Yes", "PAUT-1=See Note 2")}, "needs-evaluation -", "PAUT-1"},
		{"free text goes to an evaluator", Criterion{ID: "c", Rules: []Rule{mds2Rule}}, Vendor{MDS2: form(t, "AUTH-1=Yes", "PAUT-1=depends on configuration")}, "needs-evaluation -", "human reading"},
		{"all blank falls through", Criterion{ID: "c", Rules: []Rule{mds2Rule}}, Vendor{MDS2: form(t)}, "needs-evaluation -", "does not answer AUTH-1, PAUT-1"},
		{"no form", Criterion{ID: "c", Rules: []Rule{mds2Rule}}, Vendor{}, "needs-evaluation -", "No MDS2 form"},
		{"all N/A", Criterion{ID: "c", Rules: []Rule{mds2Rule}}, Vendor{MDS2: form(t, "AUTH-1=N/A", "PAUT-1=N/A")}, "not-applicable -", "N/A"},
		{"required No wins over the rest", Criterion{ID: "c", Must: true, Rules: []Rule{creds}}, Vendor{MDS2: form(t, "PAUT-5=No: fixed service password", "PAUT-4=Yes")}, "automatic 0 KO", "PAUT-5"},
		{"required No even with an open answer", Criterion{ID: "c", Rules: []Rule{creds}}, Vendor{MDS2: form(t, "PAUT-5=No", "PAUT-4=See Note")}, "automatic 0", "PAUT-5"},
		{"N/A drops out", Criterion{ID: "c", Rules: []Rule{creds}}, Vendor{MDS2: form(t, "PAUT-5=Yes", "PAUT-4=N/A: no default accounts")}, "automatic 3", "2 of 2"},
		{"inverted: No is good", Criterion{ID: "c", Rules: []Rule{invert}}, Vendor{MDS2: form(t, "CONN-6=No")}, "automatic 3", ""},
		{"inverted: Yes is bad", Criterion{ID: "c", Rules: []Rule{invert}}, Vendor{MDS2: form(t, "CONN-6=Yes")}, "automatic 0", ""},
		{"fact yes", Criterion{ID: "c", Rules: []Rule{{Fact: "EncryptionAtRest", Caveat: 0.67}}}, Vendor{MDS2: form(t, "STCF-1=Yes", "STCF-1.2=Yes")}, "automatic 3", ": yes"},
		{"fact with caveat", Criterion{ID: "c", Rules: []Rule{{Fact: "EncryptionAtRest", Caveat: 0.67}}}, Vendor{MDS2: form(t, "STCF-1=Yes", "STCF-1.2=No")}, "automatic 2", "not enabled by default"},
		{"fact unknown", Criterion{ID: "c", Rules: []Rule{{Fact: "EncryptionAtRest"}}}, Vendor{MDS2: form(t, "STCF-1=See Note 4")}, "needs-evaluation -", "human reading"},
		{"not applicable without personal data", Criterion{ID: "c", NotApplicableIf: []Condition{{Q: "MPII-1", Value: "no"}}, Rules: []Rule{{Fact: "EncryptionAtRest"}}},
			Vendor{MDS2: form(t, "MPII-1=No", "STCF-1=No")}, "not-applicable -", "MPII-1"},
		{"fallback to the questionnaire", Criterion{ID: "c", Rules: []Rule{mds2Rule, {Questionnaire: AnswerYesNo}}},
			Vendor{MDS2: form(t), Answers: map[string]Answer{"c": {Value: "Yes, via AD", Row: 9}}}, "automatic 3", "questionnaire: yes"},
		{"cap on a promise", Criterion{ID: "c", Rules: []Rule{{SBOM: SBOMPresent}, {MDS2: []QuestionRule{{Q: "SBOM-1"}}, Cap: 0.34, Note: "promised"}}},
			Vendor{MDS2: form(t, "SBOM-1=Yes")}, "automatic 1", "Promised"},
		{"days: full", Criterion{ID: "c", Answer: AnswerDays, Rules: []Rule{days}}, Vendor{Answers: map[string]Answer{"c": {Value: "within 14 days"}}}, "automatic 3", "14 days"},
		{"days: between", Criterion{ID: "c", Answer: AnswerDays, Rules: []Rule{days}}, Vendor{Answers: map[string]Answer{"c": {Value: "60"}}}, "automatic 2", "60 days"},
		{"days: too slow", Criterion{ID: "c", Answer: AnswerDays, Rules: []Rule{days}}, Vendor{Answers: map[string]Answer{"c": {Value: "180 days"}}}, "automatic 0", ""},
		{"days: not a number", Criterion{ID: "c", Answer: AnswerDays, Rules: []Rule{days}}, Vendor{Answers: map[string]Answer{"c": {Value: "as soon as possible"}}}, "needs-evaluation -", "not a number of days"},
		{"date: ten years", Criterion{ID: "c", Answer: AnswerDate, Rules: []Rule{date}}, Vendor{Answers: map[string]Answer{"c": {Value: "2036-12-31"}}}, "automatic 3", "10.2 years"},
		{"date: year only", Criterion{ID: "c", Answer: AnswerDate, Rules: []Rule{date}}, Vendor{Answers: map[string]Answer{"c": {Value: "2034"}}}, "automatic 2", "until 2034-12-31"},
		{"date: too short", Criterion{ID: "c", Answer: AnswerDate, Rules: []Rule{date}}, Vendor{Answers: map[string]Answer{"c": {Value: "31.12.2029"}}}, "automatic 0", ""},
		{"evaluator wins", Criterion{ID: "c", Rules: []Rule{mds2Rule}}, Vendor{MDS2: form(t, "AUTH-1=Yes", "PAUT-1=Yes"),
			Scores: map[string]Judgement{"c": {Score: 1, Comment: "shared service account found in the IFU", Evaluator: "ciso"}}}, "evaluated 1", "evidence alone gives 3 of 3"},
		{"evaluator knocks out", Criterion{ID: "c", Must: true}, Vendor{Scores: map[string]Judgement{"c": {Score: 0, Comment: "no"}}}, "evaluated 0 KO", ""},
		{"no rule: evaluator", Criterion{ID: "c"}, Vendor{}, "needs-evaluation -", "Scored by an evaluator"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cat := oneCriterion(tc.cr)
			if err := cat.Validate(); err != nil {
				t.Fatal(err)
			}
			tc.v.Name = "v"
			ev := Evaluate(context.Background(), cat, []Vendor{tc.v}, Options{AsOf: asOf})
			got := ev.Vendors[0]
			if c := compact(got)["c"]; c != tc.want {
				t.Errorf("got %q, want %q (comment %q)", c, tc.want, got.Criteria[0].Comment)
			}
			if !strings.Contains(got.Criteria[0].Comment, tc.comment) {
				t.Errorf("comment %q lacks %q", got.Criteria[0].Comment, tc.comment)
			}
			if got.Criteria[0].Status != StatusNeedsEvaluation && got.Criteria[0].Status != StatusNotApplicable && len(got.Criteria[0].Evidence) == 0 && tc.v.Scores == nil {
				t.Errorf("a decided score without evidence")
			}
		})
	}
}

type fakeVulns struct {
	vulns []SBOMVuln
	err   error
}

func (f fakeVulns) Check(context.Context, []sbom.Component) ([]SBOMVuln, error) {
	return f.vulns, f.err
}

func TestSBOMChecks(t *testing.T) {
	eol, _ := EmbeddedEOL()
	deps := readSBOMFile(t, "testdata/presentations_OSS-NA-2023_SPDXVersion2.3_03-SBOMwDependency.json")
	laravel := readSBOMFile(t, "testdata/SBOM_laravel-7.12.0_bom.1.4.json")
	tagValue := readSBOMFile(t, "testdata/software_example6_spdx2.2_example6-lib.spdx")
	elements := func(s *SBOMEvidence) map[string]string {
		out := map[string]string{}
		for _, e := range CheckNTIA(s).Elements {
			out[e.Element] = fmt.Sprintf("%d/%d", e.Have, e.Of)
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		s     *SBOMEvidence
		want  map[string]string
		share float64
	}{
		{"SPDX JSON with a dependency", deps, map[string]string{"supplier": "2/2", "name": "2/2", "version": "2/2", "unique-id": "2/2", "dependencies": "1/1", "author": "1/1", "timestamp": "1/1"}, 1},
		{"CycloneDX 1.4 laravel: no author, no time stamp", laravel, map[string]string{"supplier": "60/63", "name": "63/63", "version": "63/63", "unique-id": "63/63", "dependencies": "1/1", "author": "0/1", "timestamp": "0/1"}, 0.7075},
		{"SPDX tag-value: no purls", tagValue, map[string]string{"supplier": "1/5", "name": "5/5", "version": "5/5", "unique-id": "0/5", "dependencies": "1/1", "author": "1/1", "timestamp": "1/1"}, 0.7429},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, elements(tc.s)); diff != "" {
				t.Errorf("NTIA elements (-want +got):\n%s", diff)
			}
			if got := CheckNTIA(tc.s).Share; got < tc.share-0.0001 || got > tc.share+0.0001 {
				t.Errorf("share %.4f, want %.4f", got, tc.share)
			}
		})
	}
	if deps.Dependencies != 1 || laravel.Dependencies != 113 || tagValue.Dependencies != 4 || tagValue.Authors[0] != "Steve Winslow (steve@swinslow.net)" {
		t.Errorf("probe: deps %d %d %d, authors %v", deps.Dependencies, laravel.Dependencies, tagValue.Dependencies, tagValue.Authors)
	}

	cat := oneCriterion(Criterion{ID: "c", Must: true, Rules: []Rule{{SBOM: SBOMVulns}}})
	for _, tc := range []struct {
		name    string
		checker VulnChecker
		want    string
		comment string
	}{
		{"no data", nil, "needs-evaluation -", "Vulnerability data not loaded"},
		{"checker fails", fakeVulns{err: errors.New("index busy")}, "needs-evaluation -", "index busy"},
		{"none", fakeVulns{}, "automatic 3", "no known vulnerability"},
		{"medium only", fakeVulns{vulns: []SBOMVuln{{ID: "CVE-2020-1", CVSS: 5.3, Component: "x 1"}}}, "automatic 2", "1 known vulnerability"},
		{"high", fakeVulns{vulns: []SBOMVuln{{ID: "CVE-2020-1", CVSS: 5.3}, {ID: "CVE-2021-2", CVSS: 8.1}}}, "automatic 1", "1 critical or high"},
		{"known exploited knocks out", fakeVulns{vulns: []SBOMVuln{{ID: "CVE-2021-44228", CVSS: 10, KEV: true, Component: "log4j-core 2.14.1"}}}, "automatic 0 KO", "1 known exploited"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := Evaluate(context.Background(), cat, []Vendor{{Name: "v", SBOM: laravel}}, Options{AsOf: asOf, EOL: eol, Vulns: tc.checker})
			r := ev.Vendors[0].Criteria[0]
			if got := compact(ev.Vendors[0])["c"]; got != tc.want || !strings.Contains(r.Comment, tc.comment) {
				t.Errorf("got %q %q, want %q %q", got, r.Comment, tc.want, tc.comment)
			}
		})
	}
	// End of life without data stays open; with the embedded data the dropwizard SBOM's Tomcat 9 jars end soon.
	cat = oneCriterion(Criterion{ID: "c", Rules: []Rule{{SBOM: SBOMEOL}}})
	drop := readSBOMFile(t, "testdata/SBOM_dropwizard-1.3.15_bom.xml")
	if got := compact(Evaluate(context.Background(), cat, []Vendor{{Name: "v", SBOM: drop}}, Options{AsOf: asOf}).Vendors[0])["c"]; got != "needs-evaluation -" {
		t.Errorf("end of life without data: %q", got)
	}
	r := Evaluate(context.Background(), cat, []Vendor{{Name: "v", SBOM: drop}}, Options{AsOf: time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC), EOL: eol}).Vendors[0].Criteria[0]
	if *r.Score != 0 || !strings.Contains(r.Comment, "tomcat") {
		t.Errorf("after Tomcat 9's end of support: %d %q", *r.Score, r.Comment)
	}
}

func TestRankingAndTotals(t *testing.T) {
	cat := &Catalogue{Name: "t", Kind: KindDevice, Scale: Scale{Max: 3}, Criteria: []Criterion{
		{ID: "a", Title: "a", Answer: AnswerYesNo, Weight: 2, Must: true, Rules: []Rule{{Questionnaire: AnswerYesNo}}},
		{ID: "b", Title: "b", Answer: AnswerYesNo, Weight: 1, Rules: []Rule{{Questionnaire: AnswerYesNo}}},
		{ID: "z", Title: "z", Answer: AnswerYesNo, Weight: 0, Rules: []Rule{{Questionnaire: AnswerYesNo}}},
	}}
	yes, no := Answer{Value: "Yes"}, Answer{Value: "No"}
	ev := Evaluate(context.Background(), cat, []Vendor{
		{Name: "knocked", Answers: map[string]Answer{"a": no, "b": yes}},
		{Name: "beta", Answers: map[string]Answer{"a": yes, "b": no}},
		{Name: "alpha", Answers: map[string]Answer{"a": yes, "b": no, "z": yes}},
		{Name: "open", Answers: map[string]Answer{"a": yes}},
	}, Options{AsOf: asOf})
	var got []string
	for _, v := range ev.Ranked() {
		got = append(got, fmt.Sprintf("%d %s %.1f %v %d", v.Rank, v.Vendor, v.Total, v.KnockedOut, v.NeedsEvaluation))
	}
	want := []string{"1 alpha 66.7 false 0", "2 beta 66.7 false 0", "3 open 66.7 false 1", "4 knocked 33.3 true 0"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ranking (-want +got):\n%s", diff)
	}
}

func TestMatchVendor(t *testing.T) {
	vs := []Vendor{{Name: "MediCapture Inc.", Source: "dir/medicapture.md"}, {Name: "Hidden", Source: "nema-example.xlsx"}}
	for _, tc := range []struct {
		name string
		want int
		err  string
	}{
		{"medicapture", 0, ""}, {"MEDICAPTURE.MD", 0, ""}, {"MediCapture Inc.", 0, ""}, {"hidden", 1, ""}, {"nema-example", 1, ""},
		{"vendorC", -1, `no vendor is named "vendorC" (use an MDS2 file's base name or its manufacturer: medicapture, MediCapture Inc., nema-example, Hidden)`},
	} {
		got, err := MatchVendor(vs, tc.name)
		if got != tc.want || (err == nil) != (tc.err == "") || (err != nil && err.Error() != tc.err) {
			t.Errorf("%s: %d %v, want %d %q", tc.name, got, err, tc.want, tc.err)
		}
	}
	if _, err := MatchVendor([]Vendor{{Name: "Same", Source: "a.xlsx"}, {Name: "Same", Source: "b.xlsx"}}, "same"); err == nil || !strings.Contains(err.Error(), "names 2 vendors") {
		t.Errorf("ambiguous: %v", err)
	}
}
