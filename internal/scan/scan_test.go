package scan

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/feeds/epss"
	"github.com/vigil-med/vigil/internal/feeds/eukev"
	"github.com/vigil-med/vigil/internal/feeds/kev"
	"github.com/vigil-med/vigil/internal/feeds/nvd"
	"github.com/vigil-med/vigil/internal/feeds/osv"
	"github.com/vigil-med/vigil/internal/match"
	"github.com/vigil-med/vigil/internal/sbom"
	"github.com/vigil-med/vigil/internal/vex"
	"github.com/vigil-med/vigil/internal/vuln"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func testIndex(t testing.TB) *match.Index {
	t.Helper()
	var records []vuln.Vulnerability
	for _, d := range []string{"../feeds/osv/testdata/govulndb", "../feeds/osv/testdata/ghsa"} {
		vs, err := osv.ReadDir(d, osv.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		records = append(records, vs...)
	}
	for _, f := range []string{"CVE-2021-44228.json", "CVE-2014-0160.json"} {
		p, err := nvd.ReadFile("../feeds/nvd/testdata/"+f, nvd.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		records = append(records, p.Vulnerabilities...)
	}
	cat, err := kev.ReadFile("../feeds/kev/testdata/known_exploited_vulnerabilities.json")
	if err != nil {
		t.Fatal(err)
	}
	records = append(records, cat.Records()...)
	eu, err := eukev.ReadFile("../feeds/eukev/testdata/eukev.json")
	if err != nil {
		t.Fatal(err)
	}
	records = append(records, eu...)
	scores, err := epss.ReadFile("../feeds/epss/testdata/epss_sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	return match.NewIndex(records, &scores)
}

func testDoc() *sbom.Document {
	return &sbom.Document{Format: sbom.CycloneDXJSON, SpecVersion: "1.5", Serial: "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
		Subject: &sbom.Component{Ref: "device", Type: "device", Name: "Example Infusion Pump", Version: "4.2"},
		Components: []sbom.Component{
			{Ref: "net", Type: "library", Name: "golang.org/x/net", Version: "v0.7.0", PURL: "pkg:golang/golang.org/x/net@v0.7.0"},
			{Ref: "std", Type: "library", Name: "stdlib", Version: "1.21.1", PURL: "pkg:golang/stdlib@go1.21.1"},
			{Ref: "log4j", Type: "library", Group: "org.apache.logging.log4j", Name: "log4j-core", Version: "2.14.1",
				PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", CPE: "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*"},
			{Ref: "ssl", Type: "library", Name: "openssl", Version: "1.0.1f", CPE: "cpe:2.3:a:openssl:openssl:1.0.1f:*:*:*:*:*:*:*"},
			{Ref: "leftpad", Type: "library", Name: "left-pad", Version: "1.3.0", PURL: "pkg:npm/left-pad@1.3.0"},
		}}
}

func testOptions() Options {
	return Options{SBOMName: "pump-4.2.cdx.json", ToolVersion: "0.0.0-test",
		Now: func() time.Time { return time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC) },
		VEX: []match.Statement{{Statement: vex.Statement{Vulnerability: "GO-2024-2687", Status: vex.NotAffected,
			Justification: vex.VulnerableCodeNotInExecutePath, Component: &vex.Product{PURL: "pkg:golang/golang.org/x/net"},
			Timestamp: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Source: "hospital-analysis-17"}, Origin: match.Hospital}},
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from the golden file (-want +got):\n%s", name, diff)
	}
}

func TestGolden(t *testing.T) {
	idx := testIndex(t)
	r, err := Run(context.Background(), testDoc(), idx, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range r.Findings {
		ids = append(ids, f.Package.Ref+" "+f.VulnID)
	}
	// x/net's CVE-2023-45288 (GO-2024-2687) is suppressed by the hospital's VEX; stdlib's is not.
	want := []string{"net CVE-2023-39325", "std CVE-2023-39325", "std CVE-2023-45288", "std CVE-2026-39826",
		"log4j CVE-2021-44228", "ssl CVE-2014-0160"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if r.Suppressed != 1 {
		t.Errorf("suppressed = %d, want 1 (GO-2024-2687 on x/net)", r.Suppressed)
	}
	for _, f := range r.Findings {
		if f.Package.Ref == "log4j" && (f.Source != "OSV" || len(f.OtherReasons) != 1) {
			t.Errorf("log4j finding should come from OSV with the NVD match as another reason: %+v", f)
		}
		if f.Package.Ref == "leftpad" {
			t.Errorf("clean component reported: %+v", f)
		}
	}
	for _, tc := range []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"table.txt", func(b *bytes.Buffer) error { return WriteTable(b, &r, TableOptions{}) }},
		{"table-reasons.txt", func(b *bytes.Buffer) error { return WriteTable(b, &r, TableOptions{Reasons: true}) }},
		{"scan.json", func(b *bytes.Buffer) error { return WriteJSON(b, &r) }},
		{"scan.sarif", func(b *bytes.Buffer) error { return WriteSARIF(b, &r) }},
		{"scan.cdx.json", func(b *bytes.Buffer) error { return WriteCycloneDX(b, &r) }},
	} {
		var buf bytes.Buffer
		if err := tc.write(&buf); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		golden(t, tc.name, buf.Bytes())
	}
}

func TestMachineOutputsParse(t *testing.T) {
	idx := testIndex(t)
	r, err := Run(context.Background(), testDoc(), idx, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteCycloneDX(&buf, &r); err != nil {
		t.Fatal(err)
	}
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(buf.Bytes()), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		t.Fatalf("CycloneDX output does not decode: %v", err)
	}
	if bom.SpecVersion != cdx.SpecVersion1_6 || bom.Vulnerabilities == nil || bom.Components == nil {
		t.Fatalf("BOM: spec %v", bom.SpecVersion)
	}
	refs := map[string]bool{}
	for _, c := range *bom.Components {
		refs[c.BOMRef] = true
	}
	n := 0
	for _, v := range *bom.Vulnerabilities {
		for _, a := range *v.Affects {
			if !refs[a.Ref] {
				t.Errorf("%s affects unknown ref %q", v.ID, a.Ref)
			}
			n++
		}
	}
	if n != len(r.Findings) {
		t.Errorf("BOM affects %d, findings %d", n, len(r.Findings))
	}

	buf.Reset()
	if err := WriteSARIF(&buf, &r); err != nil {
		t.Fatal(err)
	}
	var sarif struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(buf.Bytes(), &sarif); err != nil {
		t.Fatal(err)
	}
	if sarif.Version != "2.1.0" || len(sarif.Runs) != 1 || len(sarif.Runs[0].Results) != len(r.Findings) {
		t.Fatalf("SARIF: %+v", sarif)
	}
	for _, res := range sarif.Runs[0].Results {
		if sarif.Runs[0].Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %s points to rule %d", res.RuleID, res.RuleIndex)
		}
	}
}

// TestTableColumns checks the layout against text/tabwriter (which wrote the table before): the
// widest cells of several bytes a character, and padding wider than the spaces written at once.
func TestTableColumns(t *testing.T) {
	r, err := Run(context.Background(), testDoc(), testIndex(t), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	r.Findings[0].Package.Name = strings.Repeat("größenänderung-", 4)
	r.Findings[2].Package.Version = "1.0-βγδεζ"
	var got bytes.Buffer
	if err := WriteTable(&got, &r, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	tw := tabwriter.NewWriter(&want, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "COMPONENT\tVERSION\tVULNERABILITY\tSEVERITY\tKEV\tEPSS\tFIXED IN\tSTATUS")
	for i := range r.Findings {
		row := tableRow(&r.Findings[i])
		fmt.Fprintln(tw, strings.Join(row[:], "\t"))
	}
	tw.Flush()
	table, _, _ := strings.Cut(got.String(), "\n\n") // the summary follows an empty line
	if diff := cmp.Diff(want.String(), table+"\n"); diff != "" {
		t.Errorf("table (-tabwriter +got):\n%s", diff)
	}
	if !strings.Contains(table, strings.Repeat("größenänderung-", 4)+"  ") {
		t.Errorf("table:\n%s", table)
	}
}

// benchResult is the test scan's findings repeated to 12,000.
func benchResult(b *testing.B) *Result {
	r, err := Run(context.Background(), testDoc(), testIndex(b), testOptions())
	if err != nil {
		b.Fatal(err)
	}
	base := r.Findings
	for len(r.Findings) < 12000 {
		r.Findings = append(r.Findings, base...)
	}
	return &r
}

func BenchmarkWriteTable(b *testing.B) {
	r := benchResult(b)
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := WriteTable(&buf, r, TableOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}

func BenchmarkWriteJSON(b *testing.B) {
	r := benchResult(b)
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := WriteJSON(&buf, r); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}

// The SARIF log as WriteSARIF encoded it whole before it streamed the results (writeSARIFEncoded).
type sarifEncodedLog struct {
	Schema  string            `json:"$schema"`
	Version string            `json:"version"`
	Runs    []sarifEncodedRun `json:"runs"`
}

type sarifEncodedRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifResult struct {
	RuleID     string          `json:"ruleId"`
	RuleIndex  int             `json:"ruleIndex"`
	Level      string          `json:"level"`
	Message    sarifText       `json:"message"`
	Locations  []sarifLocation `json:"locations"`
	Properties map[string]any  `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifLogical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName,omitempty"`
	Kind               string `json:"kind"`
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// writeSARIFEncoded is WriteSARIF as it was before it streamed: the whole log encoded by
// encoding/json. The streamed log must be the same bytes.
func writeSARIFEncoded(w io.Writer, r *Result) error {
	run := sarifEncodedRun{Tool: sarifTool{Driver: sarifDriver{Name: r.Tool, Version: r.Version, InformationURI: "https://github.com/vigil-med/vigil", Rules: []sarifRule{}}},
		Results: []sarifResult{}}
	ruleIndex := map[string]int{}
	uri := r.SBOMName
	if uri == "" {
		uri = "sbom"
	}
	for i := range r.Findings {
		f := &r.Findings[i]
		if !f.Active() {
			continue
		}
		sev := Severity(f)
		ri, ok := ruleIndex[f.VulnID]
		if !ok {
			ri = len(run.Tool.Driver.Rules)
			ruleIndex[f.VulnID] = ri
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleOf(f, sev))
		}
		name := f.Package.PURL
		if name == "" {
			name = f.Package.CPE
		}
		if name == "" {
			name = componentName(f)
		}
		res := sarifResult{RuleID: f.VulnID, RuleIndex: ri, Level: sarifLevel(sev.Level),
			Message: sarifText{Text: f.Reason},
			Locations: []sarifLocation{{PhysicalLocation: &sarifPhysical{ArtifactLocation: sarifArtifact{URI: uri}},
				LogicalLocations: []sarifLogical{{Name: componentName(f), FullyQualifiedName: name, Kind: "package"}}}},
			Properties: map[string]any{"component": componentName(f), "version": componentVersion(f), "source": f.Source, "record": f.RecordID,
				"fixedVersions": nonNil(f.FixedVersions), "status": string(f.Status)}}
		run.Results = append(run.Results, res)
	}
	log := sarifEncodedLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifEncodedRun{run}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(log)
}

func TestSARIFSameAsEncoded(t *testing.T) {
	idx := testIndex(t)
	opts := testOptions()
	opts.ShowSuppressed = true // an inactive finding is in the list and must be left out of the log
	r, err := Run(context.Background(), testDoc(), idx, opts)
	if err != nil {
		t.Fatal(err)
	}
	tricky := "<b>&amp;</b> \"q\" \\ \b\f\n\r\t\x00\x1f\x7f \u2028\u2029 \xff\xfe é 😀"
	r.Findings[0].Reason = tricky
	r.Findings[0].FixedVersions = []string{"1.0.1", tricky}
	r.Findings[1].Package.PURL, r.Findings[1].Package.CPE, r.Findings[1].Package.Name, r.Findings[1].Package.Ref = "", "", "", ""
	r.Findings[2].FixedVersions = nil
	r.Findings[2].Package.Version = tricky
	r.Findings[3].Package.PURL = ""
	cases := map[string]*Result{"findings": &r, "none": {Document: r.Document, Tool: "vigil"}}
	for name, res := range cases {
		var got, want bytes.Buffer
		if err := WriteSARIF(&got, res); err != nil {
			t.Fatal(err)
		}
		if err := writeSARIFEncoded(&want, res); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want.String(), got.String()); diff != "" {
			t.Errorf("%s: streamed SARIF differs from the encoded one (-encoded +streamed):\n%s", name, diff)
		}
	}
	if !bytes.Contains(func() []byte { var b bytes.Buffer; WriteSARIF(&b, &r); return b.Bytes() }(), []byte(`\b\f`)) {
		t.Error("the tricky reason is not in the log")
	}
}

func TestTableClean(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain-name 1.2.3", "plain-name 1.2.3"},
		{"größe", "größe"},
		{"\xff\xfe", "\xff\xfe"}, // not valid UTF-8, but no control character: as it is
		{"evil\x1b[31mred", "evil [31mred"},
		{"a\nb\tc\rd\x00e\x7ff", "a b c d e f"},
		{"é\x7f", "é "},
		{"\x01", " "},
		{"x\x1f", "x "},
	} {
		if got := clean(tc.in); got != tc.want {
			t.Errorf("clean(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestExitCode(t *testing.T) {
	idx := testIndex(t)
	r, err := Run(context.Background(), testDoc(), idx, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]int{"critical": 1, "high": 1, "any": 1, "none": 0} {
		l, on, err := ParseFailOn(in)
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		if on {
			got = ExitCode(&r, l)
		}
		if got != want {
			t.Errorf("--fail-on %s: exit %d, want %d", in, got, want)
		}
	}
	// Only the Go findings (no severity in the Go database): fail only with "any".
	doc := testDoc()
	doc.Components = doc.Components[:2]
	r, _ = Run(context.Background(), doc, idx, testOptions())
	if ExitCode(&r, vuln.Low) != 0 || ExitCode(&r, vuln.Unknown) != 1 {
		t.Errorf("Go-only findings: low %d any %d", ExitCode(&r, vuln.Low), ExitCode(&r, vuln.Unknown))
	}
	// Suppressed findings never count.
	doc.Components = doc.Components[:1]
	opts := testOptions()
	opts.VEX = append(opts.VEX, match.Statement{Statement: vex.Statement{Vulnerability: "CVE-2023-39325", Status: vex.NotAffected}, Origin: match.Manufacturer})
	opts.ShowSuppressed = true
	r, _ = Run(context.Background(), doc, idx, opts)
	if len(r.Findings) != 2 || r.Suppressed != 2 || ExitCode(&r, vuln.Unknown) != 0 {
		t.Errorf("all suppressed: %d findings, %d suppressed, exit %d", len(r.Findings), r.Suppressed, ExitCode(&r, vuln.Unknown))
	}
	if _, _, err := ParseFailOn("severe"); err == nil {
		t.Error("ParseFailOn accepted junk")
	}
	if f, err := ParseFormat("SARIF"); err != nil || f != SARIF {
		t.Errorf("ParseFormat: %v %v", f, err)
	}
}

func TestJSONParses(t *testing.T) {
	idx := testIndex(t)
	r, err := Run(context.Background(), testDoc(), idx, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	r.Findings[0].Reason = "tricky \"quotes\" \\ back\tslash \x01 \u2028 \xff end"
	var buf bytes.Buffer
	if err := WriteJSON(&buf, &r); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Summary struct {
			Findings   int            `json:"findings"`
			BySeverity map[string]int `json:"bySeverity"`
			CISAKEV    int            `json:"cisaKev"`
			Suppressed int            `json:"suppressed"`
		} `json:"summary"`
		Findings []struct {
			Component     string   `json:"component"`
			Version       string   `json:"version"`
			PURL          string   `json:"purl"`
			ID            string   `json:"id"`
			Aliases       []string `json:"aliases"`
			Source        string   `json:"source"`
			Reason        string   `json:"reason"`
			Severity      string   `json:"severity"`
			KEV           bool     `json:"kev"`
			EPSS          *float64 `json:"epss"`
			FixedVersions []string `json:"fixedVersions"`
		} `json:"findings"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("JSON output does not parse: %v\n%s", err, buf.String())
	}
	if got.Summary.Findings != 6 || got.Summary.CISAKEV != 2 || got.Summary.Suppressed != 1 || got.Summary.BySeverity["critical"] != 1 {
		t.Errorf("summary %+v", got.Summary)
	}
	if want := "tricky \"quotes\" \\ back\tslash \x01 \u2028 \ufffd end"; got.Findings[0].Reason != want {
		t.Errorf("escaped reason %q, want %q", got.Findings[0].Reason, want)
	}
	l := got.Findings[4]
	if l.Component != "log4j-core" || l.Version != "2.14.1" || l.ID != "CVE-2021-44228" || !cmp.Equal(l.Aliases, []string{"GHSA-jfh8-c2jp-5v3q"}) ||
		l.Source != "OSV" || l.Severity != "critical" || !l.KEV || l.EPSS == nil || *l.EPSS != 0.99999 || !cmp.Equal(l.FixedVersions, []string{"2.15.0"}) {
		t.Errorf("log4j entry %+v", l)
	}
}

// TestJSONStringEveryPosition puts each byte that needs a look at every offset of strings around
// the eight bytes str skips at a time, and compares with the byte-at-a-time encoding.
func TestJSONStringEveryPosition(t *testing.T) {
	specials := []string{"\"", "\\", "\n", "\b", "\f", "\x00", "\x1f", "\x7f", "\u00e9", "\u2028", "\xff", " ", "~", "!", "#", "[", "]"}
	for n := 0; n <= 19; n++ {
		for _, sp := range specials {
			for at := 0; at+len(sp) <= n; at++ {
				s := strings.Repeat("a", at) + sp + strings.Repeat("b", n-at-len(sp))
				var j jw
				j.str(s)
				if want := referenceJSONString(s); string(j.b) != want {
					t.Fatalf("str(%q) = %s, want %s", s, j.b, want)
				}
			}
		}
	}
	for _, b := range []byte{0x20, 0x21, 0x23, 0x5b, 0x5d, 0x7e, 0x7f} { // around the bytes that are escaped
		s := strings.Repeat(string(rune(b)), 16)
		var j jw
		j.str(s)
		if want := `"` + s + `"`; string(j.b) != want {
			t.Errorf("str(%q) = %s", s, j.b)
		}
	}
}

// referenceJSONString is str one byte at a time, as it was before it read eight at once.
func referenceJSONString(s string) string {
	b := []byte{'"'}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\b':
				b = append(b, `\b`...)
			case c == '\f':
				b = append(b, `\f`...)
			case c == '\n':
				b = append(b, `\n`...)
			case c == '\r':
				b = append(b, `\r`...)
			case c == '\t':
				b = append(b, `\t`...)
			case c < 0x20:
				b = fmt.Appendf(b, `\u%04x`, c)
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = fmt.Appendf(b, `\u%04x`, r)
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return string(append(b, '"'))
}

func BenchmarkJSONString(b *testing.B) {
	s := "pkg:golang/github.com/CosmWasm/wasmvm/v2@v2.2.2.1 is in range introduced 0 / fixed 2.2.2 of GO-2025-3448 (OSV)"
	var j jw
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		j.b = j.b[:0]
		j.str(s)
	}
}

// FuzzJSONString: str writes what encoding/json writes without HTML escaping, byte for byte (the
// streamed SARIF results must match the encoded rules and the log as it was).
func FuzzJSONString(f *testing.F) {
	f.Add("plain")
	f.Add("\"\\\n\r\t\b\f\x00\x1f\u2028\u2029\xff\xfe<>&")
	f.Fuzz(func(t *testing.T, s string) {
		var j jw
		j.str(s)
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if got := string(j.b) + "\n"; got != want.String() {
			t.Fatalf("str(%q) = %s, encoding/json gives %s", s, got, want.String())
		}
	})
}
