package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func runProc(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	dir := t.TempDir()
	env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
		if k == "VIGIL_DATA_DIR" {
			return dir
		}
		return ""
	}}
	code := RunEnv(context.Background(), args, env)
	return out.String(), errb.String(), code
}

const (
	nemaFile = "../procurement/testdata/nema-example-mds2-worksheet-2019.xlsx"
	mediFile = "../procurement/testdata/medicapture-mvr-cybersecurity-mds2.md"
	bomFile  = "../procurement/testdata/SBOM_laravel-7.12.0_bom.1.4.json"
)

// TestTenderEvaluateJSON checks the shape the issue names: one entry per vendor with source, total,
// knocked_out (with the criteria) and every criterion's score, evidence and comment.
func TestTenderEvaluateJSON(t *testing.T) {
	out, stderr, code := runProc(t, "tender", "evaluate", "--criteria", "default", "--mds2", nemaFile, "--mds2", mediFile,
		"--sbom", "medicapture-mvr-cybersecurity-mds2="+bomFile, "--as-of", "2026-11-01", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got []struct {
		Vendor       string   `json:"vendor"`
		Source       string   `json:"source"`
		Total        *float64 `json:"total"`
		KnockedOut   *bool    `json:"knocked_out"`
		KnockedOutBy []string `json:"knocked_out_by"`
		Rank         int      `json:"rank"`
		SBOM         string   `json:"sbom"`
		Catalogue    string   `json:"catalogue"`
		Criteria     []struct {
			ID        string           `json:"id"`
			Title     string           `json:"title"`
			Weight    float64          `json:"weight"`
			Automatic *bool            `json:"automatic"`
			Status    string           `json:"status"`
			Score     *int             `json:"score"`
			Evidence  []map[string]any `json:"evidence"`
			Comment   *string          `json:"comment"`
		} `json:"criteria"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(got) != 2 {
		t.Fatalf("%d entries, want one per vendor", len(got))
	}
	nema, medi := got[0], got[1]
	if nema.Source != nemaFile || medi.Source != mediFile || medi.SBOM != bomFile || nema.Catalogue != "default" {
		t.Errorf("sources: %q %q sbom %q", nema.Source, medi.Source, medi.SBOM)
	}
	if nema.Total == nil || *nema.Total != 8.1 || !*nema.KnockedOut || strings.Join(nema.KnockedOutBy, ",") != "dev.auth,dev.credentials" || nema.Rank != 2 {
		t.Errorf("NEMA: total %v, knocked out %v by %v, rank %d", *nema.Total, *nema.KnockedOut, nema.KnockedOutBy, nema.Rank)
	}
	if *medi.KnockedOut || len(medi.KnockedOutBy) != 0 || medi.Rank != 1 {
		t.Errorf("MediCapture: knocked out %v %v rank %d", *medi.KnockedOut, medi.KnockedOutBy, medi.Rank)
	}
	if len(medi.Criteria) != 30 {
		t.Errorf("%d criteria, want the 30 chosen by default", len(medi.Criteria))
	}
	byID := map[string]int{}
	for i, c := range medi.Criteria {
		byID[c.ID] = i
		if c.Automatic == nil || c.Comment == nil || c.Title == "" || c.Weight == 0 || c.Evidence == nil {
			t.Errorf("%s lacks fields", c.ID)
		}
		if (c.Status == "automatic") != *c.Automatic {
			t.Errorf("%s: status %s, automatic %v", c.ID, c.Status, *c.Automatic)
		}
	}
	sb := medi.Criteria[byID["dev.sbom"]]
	if sb.Score == nil || *sb.Score != 3 || sb.Evidence[0]["ref"] != "SBOM_laravel-7.12.0_bom.1.4.json" {
		t.Errorf("dev.sbom: %+v", sb)
	}
	q := medi.Criteria[byID["dev.sbom.quality"]]
	if q.Score == nil || *q.Score != 2 || !strings.Contains(*q.Comment, "incomplete: author, timestamp") {
		t.Errorf("dev.sbom.quality: %v %q", q.Score, *q.Comment)
	}
	pt := medi.Criteria[byID["dev.patch-timeline"]]
	if pt.Score != nil || pt.Status != "needs-evaluation" || *pt.Automatic {
		t.Errorf("an open criterion has no score: %+v", pt)
	}
	auth := nema.Criteria[0]
	for _, c := range nema.Criteria {
		if c.ID == "dev.auth" {
			auth = c
		}
	}
	if *auth.Score != 0 || len(auth.Evidence) != 4 || auth.Evidence[0]["ref"] != "AUTH-1" || auth.Evidence[0]["value"] != "No" || auth.Evidence[2]["source"] != "mds2 (context)" {
		t.Errorf("NEMA dev.auth evidence: %+v", auth.Evidence)
	}
}

func TestTenderEvaluateTable(t *testing.T) {
	out, stderr, code := runProc(t, "tender", "evaluate", "--mds2", nemaFile, "--mds2", mediFile, "--as-of", "2026-11-01")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"RANK  VENDOR", "1     MediCapture Inc.", "yes: dev.auth, dev.credentials", "dev.credentials         3  must  0/3 KO"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestTenderEvaluateErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"tender", "evaluate"}, "give at least one vendor with --mds2 FILE"},
		{[]string{"tender", "evaluate", "--mds2", "nope.xlsx"}, "--mds2 nope.xlsx: open nope.xlsx"},
		{[]string{"tender", "evaluate", "--mds2", bomFile}, "--mds2 " + bomFile},
		{[]string{"tender", "evaluate", "--mds2", mediFile, "--sbom", "vendorC=" + bomFile}, `--sbom vendorC=` + bomFile + `: no vendor is named "vendorC"`},
		{[]string{"tender", "evaluate", "--mds2", mediFile, "--sbom", "medicapture"}, "write it as NAME=FILE"},
		{[]string{"tender", "evaluate", "--mds2", mediFile, "--sbom", "MediCapture Inc.=" + nemaFile}, "not a CycloneDX or SPDX document"},
		{[]string{"tender", "evaluate", "--mds2", mediFile, "--criteria", "nope"}, `--criteria "nope": not a built-in catalogue`},
		{[]string{"tender", "evaluate", "--mds2", mediFile, "--as-of", "tomorrow"}, "write the date as YYYY-MM-DD"},
	} {
		_, stderr, code := runProc(t, tc.args...)
		if code == 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tc.args, code, stderr, tc.want)
		}
	}
}
