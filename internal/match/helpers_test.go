package match

import (
	"context"
	"testing"

	"github.com/vigil-med/vigil/internal/feeds/nvd"
	"github.com/vigil-med/vigil/internal/feeds/osv"
	"github.com/vigil-med/vigil/internal/sbom"
	"github.com/vigil-med/vigil/internal/vuln"
)

// Fixture folders of the feed readers (see their testdata/SOURCES.md).
const (
	goFixtures   = "../feeds/osv/testdata/govulndb"
	ghsaFixtures = "../feeds/osv/testdata/ghsa"
	pypiFixtures = "../feeds/osv/testdata/pypi"
	miscFixtures = "../feeds/osv/testdata/misc"
	nvdFixtures  = "../feeds/nvd/testdata"
)

func loadOSV(t testing.TB, dirs ...string) []vuln.Vulnerability {
	t.Helper()
	var out []vuln.Vulnerability
	for _, d := range dirs {
		vs, err := osv.ReadDir(d, osv.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, vs...)
	}
	return out
}

func loadNVD(t testing.TB, files ...string) []vuln.Vulnerability {
	t.Helper()
	var out []vuln.Vulnerability
	for _, f := range files {
		p, err := nvd.ReadFile(nvdFixtures+"/"+f, nvd.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p.Vulnerabilities...)
	}
	return out
}

func purls(ps ...string) []sbom.Component {
	out := make([]sbom.Component, len(ps))
	for i, p := range ps {
		out[i] = sbom.Component{Ref: p, PURL: p}
	}
	return out
}

func cpes(cs ...string) []sbom.Component {
	out := make([]sbom.Component, len(cs))
	for i, c := range cs {
		out[i] = sbom.Component{Ref: c, CPE: c}
	}
	return out
}

func mustMatch(t testing.TB, idx *Index, tg *Target) []Finding {
	t.Helper()
	fs, err := idx.Match(context.Background(), tg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// summary is "component-ref vuln-id record" per finding, for compact comparisons.
func summary(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Package.Ref+" "+f.VulnID+" "+f.RecordID)
	}
	return out
}
