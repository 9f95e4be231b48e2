package procurement

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBuiltinCatalogues(t *testing.T) {
	dev, cloud := builtin(t, CatalogueDevice), builtin(t, CatalogueCloud)
	for _, c := range []*Catalogue{dev, cloud} {
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
	}
	if len(dev.Criteria) != 31 || len(cloud.Criteria) != 17 {
		t.Errorf("criteria: device %d, cloud %d", len(dev.Criteria), len(cloud.Criteria))
	}
	// The 28 ENISA good practices of §6.1, by phase, each covered by criteria or the hospital.
	ps := Practices()
	phases := map[string]int{}
	for _, p := range ps {
		phases[p.Phase]++
		if len(p.Criteria) == 0 && p.Hospital == "" {
			t.Errorf("%s is covered by nothing", p.ID)
		}
		for _, id := range p.Criteria {
			_, inDev := dev.Criterion(id)
			_, inCloud := cloud.Criterion(id)
			if !inDev && !inCloud {
				t.Errorf("%s names unknown criterion %s", p.ID, id)
			}
		}
	}
	if diff := cmp.Diff(map[string]int{"general": 9, "plan": 6, "source": 6, "manage": 7}, phases); diff != "" {
		t.Errorf("ENISA practices by phase (-want +got):\n%s", diff)
	}
	// Every ENISA id a criterion cites is one of the 28; every criterion has at least one source.
	ids := map[string]bool{}
	for _, p := range ps {
		ids[p.ID] = true
	}
	for _, c := range append(slices.Clone(dev.Criteria), cloud.Criteria...) {
		if len(c.Refs) == 0 {
			t.Errorf("%s cites no source", c.ID)
		}
		for _, e := range c.ENISA() {
			if !ids[e] {
				t.Errorf("%s cites unknown ENISA practice %s", c.ID, e)
			}
		}
	}
	// The MDS2-derived criteria named in the issue exist and are decided by MDS2 answers.
	for _, id := range []string{"dev.auth", "dev.audit", "dev.malware", "dev.crypto.rest", "dev.crypto.transit", "dev.remote", "dev.patching", "dev.sbom", "dev.cvd", "dev.credentials", "dev.hardening"} {
		c, ok := dev.Criterion(id)
		if !ok || !c.Automatic() {
			t.Errorf("%s missing or not automatic", id)
		}
	}
	// Commitments tracked after award.
	var commits []string
	for _, c := range dev.Criteria {
		if c.Commitment != "" {
			commits = append(commits, c.Commitment)
		}
	}
	slices.Sort(commits)
	if diff := cmp.Diff([]string{CommitCSAFAdvisories, CommitCVD, CommitPatchDays, CommitSBOMDelivery, CommitSupportEnd, CommitVEXDelivery}, commits); diff != "" {
		t.Errorf("commitments (-want +got):\n%s", diff)
	}
	// Copies are independent.
	c2 := dev.Clone()
	c2.Criteria[0].Rules[0].Questionnaire = "changed"
	if dev.Criteria[0].Rules[0].Questionnaire == "changed" {
		t.Errorf("Clone shares rules")
	}
}

func TestValidate(t *testing.T) {
	base := func() *Catalogue {
		return oneCriterion(Criterion{ID: "c", Rules: []Rule{{Questionnaire: AnswerYesNo}}})
	}
	for _, tc := range []struct {
		name   string
		change func(c *Catalogue)
		want   string
	}{
		{"ok", func(*Catalogue) {}, ""},
		{"negative weight", func(c *Catalogue) { c.Criteria[0].Weight = -1 }, "weight -1 out of range"},
		{"scale", func(c *Catalogue) { c.Scale.Max = 0 }, "scale: max 0"},
		{"duplicate", func(c *Catalogue) { c.Criteria = append(c.Criteria, c.Criteria[0]) }, "duplicate id"},
		{"unknown question", func(c *Catalogue) { c.Criteria[0].Rules = []Rule{{MDS2: []QuestionRule{{Q: "XXX-1"}}}} }, `"XXX-1" is not an MDS2 question`},
		{"unknown fact", func(c *Catalogue) { c.Criteria[0].Rules = []Rule{{Fact: "Nope"}} }, `"Nope" is not an MDS2 fact`},
		{"two sources in a rule", func(c *Catalogue) { c.Criteria[0].Rules = []Rule{{Fact: "MFA", SBOM: SBOMNTIA}} }, "exactly one of"},
		{"answer type mismatch", func(c *Catalogue) { c.Criteria[0].Rules = []Rule{{Questionnaire: AnswerDays, Full: 1, Zero: 2}} }, "differs from the criterion's answer type"},
		{"cloud check", func(c *Catalogue) { c.Criteria[0].Rules = []Rule{{Cloud: "magic"}} }, `unknown cloud check "magic"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := base()
			tc.change(c)
			err := c.Validate()
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}

func TestParseCatalogue(t *testing.T) {
	b, err := dataFS.ReadFile("data/device.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseCatalogue("device.yaml", b)
	if err != nil || len(c.Criteria) != 31 {
		t.Fatalf("%v %d", err, len(c.Criteria))
	}
	for _, tc := range []struct{ in, want string }{
		{"name: x\nkind: device\nscale: {max: 3}\ncriteria: []\nextra: 1\n", "unknown field"},
		{"name: x\nkind: device\nscale: {max: 3}\ncriteria: []\n", "no criteria"},
		{"name: [", "x.yaml"},
	} {
		if _, err := ParseCatalogue("x.yaml", []byte(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.in, err, tc.want)
		}
	}
	if _, err := ParseCatalogue("big.yaml", make([]byte, 2<<20)); err == nil || !strings.Contains(err.Error(), "larger than 1 MiB") {
		t.Errorf("size limit: %v", err)
	}
}

func TestSelect(t *testing.T) {
	dev := builtin(t, CatalogueDevice)
	s, err := dev.Select([]string{"dev.sbom", "dev.auth"})
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{s.Criteria[0].ID, s.Criteria[1].ID}; !slices.Equal(got, []string{"dev.auth", "dev.sbom"}) {
		t.Errorf("catalogue order: %v", got)
	}
	if _, err := dev.Select([]string{"nope"}); err == nil {
		t.Errorf("unknown id accepted")
	}
	if n := len(dev.Defaults()); n != 30 {
		t.Errorf("defaults: %d", n)
	}
}
